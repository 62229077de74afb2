"""Helpers shared by the global and local autocorrelation statistics: the periods
of a panel, checks and significance flags (the seeded permutation inference is in
:mod:`._permutation`).
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from ..geo.weights.align import weights_for
from ..panel import require_columns, validate_panel


@dataclasses.dataclass(frozen=True)
class Settings:
    """Options common to the by-period statistics (weights, keys, inference)."""

    w: Any
    unit: str
    time: str | None
    permutations: int
    seed: int
    transform: str | None
    alpha: float = 0.05
    adjust: str | None = None
    allow_islands: bool = False
    # aligned weights by unit list: a balanced panel aligns once, not every period
    _aligned: dict = dataclasses.field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def cross_sections(
        self, data: pd.DataFrame, columns: list[str]
    ) -> Iterator[tuple[Any, pd.DataFrame]]:
        """(period, cross-section) pairs of ``data``."""
        return periods(data, columns, self.unit, self.time)

    def weights(self, frame: pd.DataFrame) -> Any:
        """``w`` aligned to the units of one cross-section (a ``W``), transformed.

        Periods with the same units get copies of one alignment (esda may change
        the ``transform`` of the ``W`` it is given, so each period has its own)."""
        units = list(frame[self.unit])
        key: Any = None
        if self.time is not None:  # a panel: periods with the same units share
            try:
                key = tuple(units)
                hash(key)
            except TypeError:  # unhashable unit ids: align every period
                key = None
        aligned = self._aligned.get(key) if key is not None else None
        if aligned is None:
            aligned = weights_for(
                self.w,
                units,
                transform=self.transform,
                allow_islands=self.allow_islands,
            )
            if key is None:  # one cross-section: used once, no copy needed
                return aligned
            self._aligned.clear()
            self._aligned[key] = aligned
        return copy.deepcopy(aligned)

    def table(
        self, frame: pd.DataFrame, period: Any, columns: dict[str, Any]
    ) -> pd.DataFrame:
        """The unit (and period) columns of one cross-section, then ``columns``, on
        a fresh index; built in one step (column by column costs ms per period)."""
        keys = {self.unit: frame[self.unit].to_numpy()}
        if self.time:
            keys[self.time] = period
        return pd.DataFrame({**keys, **columns})

    def significant(self, p: np.ndarray | None, n: int) -> np.ndarray:
        """Significance flags of permutation p-values (see :func:`significant`)."""
        return significant(
            p if self.permutations else None, n=n, alpha=self.alpha, adjust=self.adjust
        )


def periods(
    data: pd.DataFrame, columns: list[str], unit: str, time: str | None
) -> Iterator[tuple[Any, pd.DataFrame]]:
    """Yield (period, cross-section) pairs after validating the panel keys/values."""
    require_columns(data, [unit, *([time] if time else []), *columns])
    validate_panel(data, unit=unit, time=time, columns=columns)
    if time is None:
        yield None, data
        return
    yield from data.groupby(time, sort=True)


def check_varies(
    columns: Sequence[str],
    values: Sequence[np.ndarray],
    *,
    period: Any,
    time: str | None,
    what: str,
) -> None:
    """Raise :class:`DataError` naming a column that is constant in a period."""
    for name, v in zip(columns, values, strict=False):
        if np.ptp(v) == 0:
            where = f" in {time}={period}" if time else ""
            raise DataError(f"column {name!r} is constant{where}; {what} is undefined")


def significant(
    p: np.ndarray | None, *, n: int, alpha: float, adjust: str | None
) -> np.ndarray:
    """Significant units after an optional multiple-testing correction (all False
    without permutation p-values, ``p=None``)."""
    if p is None:
        return np.zeros(n, bool)
    if adjust is None:
        return p <= alpha
    if adjust == "bonferroni":
        return p <= alpha / len(p)
    if adjust == "fdr":
        import esda

        return p <= esda.fdr(p, alpha)
    raise DataError(f"adjust must be None, 'fdr' or 'bonferroni'; got {adjust!r}")


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence esda's Gi* notice during a computation; every other warning (ours
    included) still reaches the user.

    esda's ``G_Local(..., transform="R", star=True)`` on weights without self-links
    says "Gi* requested, but (a) weights are already row-standardized, ...
    Assuming that the self-weight is equivalent to the maximum weight in the row"
    (UserWarning). Harmless: that self-weight (1 for binary weights) is the
    treatment :func:`~spatialgreen.spatial.local_g` documents and tests against
    esda, so the notice only repeats what the docstring says.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore",
            message=r"Gi\* requested, but",
            category=UserWarning,
            module=r"esda\.getisord",
        )
        yield
