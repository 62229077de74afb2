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

import importlib
import warnings
from collections.abc import Callable
from typing import Any

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


def _moved_module(old: str, new: str) -> Callable[[str], Any]:
    """A module ``__getattr__`` that forwards ``old.<name>`` to ``new`` with a warning.

    Renamed public modules keep their old import path for one release: the old
    module is a stub whose ``__getattr__`` is this function's result, so
    ``from old import name`` still works and says where ``name`` lives now.
    """

    def __getattr__(name: str) -> Any:
        target = importlib.import_module(new)
        if name.startswith("__") or not hasattr(target, name):
            raise AttributeError(f"module {old!r} has no attribute {name!r}")
        warnings.warn(
            f"{old} is deprecated and will be removed; import {name} from {new}",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(target, name)

    return __getattr__
