"""Exception hierarchy of spatialgreen.

Every error raised on purpose by spatialgreen derives from :class:`SpatialGreenError`,
so callers can catch the whole family at once, and every message names the column,
unit or year at fault.

Examples
--------
>>> from spatialgreen.errors import DataError, SpatialGreenError
>>> issubclass(DataError, SpatialGreenError)
True
"""

from __future__ import annotations

__all__ = [
    "ConvergenceError",
    "DataError",
    "DependencyError",
    "InfeasibleError",
    "ModelError",
    "PanelError",
    "SpatialGreenError",
    "UnmatchedUnitError",
    "WeightsError",
]


class SpatialGreenError(Exception):
    """Base class of every error spatialgreen raises deliberately."""


class DataError(SpatialGreenError, ValueError):
    """The user's data cannot be used as given (wrong column, bad value, ...)."""


class PanelError(DataError):
    """The panel structure is wrong: duplicate keys, gaps, unbalanced, ..."""


class UnmatchedUnitError(DataError):
    """Unit names could not be matched to adcodes.

    Attributes
    ----------
    unmatched : dict[str, list[str]]
        Every unmatched name with its closest candidates.
    """

    def __init__(self, message: str, unmatched: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.unmatched = dict(unmatched or {})


class WeightsError(SpatialGreenError, ValueError):
    """Spatial weights cannot be built or do not fit the data (islands, ids)."""


class ModelError(SpatialGreenError):
    """A model cannot be estimated as specified."""


class InfeasibleError(ModelError):
    """A linear program is infeasible (e.g. super-efficiency of an outlier)."""


class ConvergenceError(ModelError):
    """An iterative estimator did not converge."""


class DependencyError(SpatialGreenError, ImportError):
    """An optional dependency is missing; the message names the extra to install."""
