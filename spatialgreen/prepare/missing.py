"""Missing values: interpolation and mean substitution, always flagged and reported.

Yearbooks leave gaps (a city's industrial solid waste missing for two years, a
province's R&D series starting late). Studies fill them by linear interpolation
within the unit or by a mean, and say so; :func:`impute` does the same, never
silently: each filled column gets a companion ``<column>_imputed`` flag, the result
carries a report of every filled cell, and a warning summarises what was filled.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..errors import DataError, SpatialGreenWarning
from ..results import Results
from ._checks import back_to_rows, new_name, sorted_panel

__all__ = ["IMPUTE_METHODS", "ImputationResults", "impute"]

IMPUTE_METHODS = ("linear", "unit-mean", "year-mean")
"""Methods of :func:`impute`."""


@dataclasses.dataclass(frozen=True)
class ImputationResults(Results):
    """What :func:`impute` returns.

    Attributes
    ----------
    data : pandas.DataFrame
        A copy of the panel (same rows, order and index) with the gaps filled and
        one ``<column>_imputed`` boolean flag per treated column (True where the
        value was filled). With ``complete_years=True`` it is sorted by unit and
        year, has a fresh index and also the inserted (unit, year) rows.
    report : pandas.DataFrame
        One row per filled cell: unit, year, column, method, value.
    unfilled : pandas.DataFrame
        Cells still missing (unit, year, column), e.g. before a unit's first
        observation when extrapolation is off.
    meta : dict
        Method and options.
    """

    data: pd.DataFrame
    report: pd.DataFrame
    unfilled: pd.DataFrame
    meta: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def n_filled(self) -> int:
        """Number of cells filled."""
        return len(self.report)


def _linear(years: np.ndarray, values: np.ndarray, extrapolate: bool) -> np.ndarray:
    """Linear interpolation in the year (straight line through the two nearest
    observations beyond the ends when ``extrapolate``)."""
    known = ~np.isnan(values)
    out = values.copy()
    if known.sum() < 2:
        return out
    kx, ky = years[known].astype(float), values[known]
    inside = (years >= kx[0]) & (years <= kx[-1]) & ~known
    out[inside] = np.interp(years[inside].astype(float), kx, ky)
    if extrapolate:
        before = years < kx[0]
        after = years > kx[-1]
        slope0 = (ky[1] - ky[0]) / (kx[1] - kx[0])
        slope1 = (ky[-1] - ky[-2]) / (kx[-1] - kx[-2])
        out[before] = ky[0] + slope0 * (years[before] - kx[0])
        out[after] = ky[-1] + slope1 * (years[after] - kx[-1])
    return out


def _complete(work: pd.DataFrame, unit: str, time: str) -> pd.DataFrame:
    """Insert rows for the years absent inside each unit's own span."""
    spans = work.groupby(unit, sort=False)[time].agg(["min", "max"])
    full = pd.DataFrame(
        [
            (u, y)
            for u, (lo, hi) in spans.iterrows()
            for y in range(int(lo), int(hi) + 1)
        ],
        columns=[unit, time],
    )
    return full.merge(work, on=[unit, time], how="left")


def impute(
    data: pd.DataFrame,
    columns: str | Iterable[str],
    *,
    method: Literal["linear", "unit-mean", "year-mean"] = "linear",
    extrapolate: bool = False,
    complete_years: bool = False,
    unit: str = "unit",
    time: str = "year",
    warn: bool = True,
) -> ImputationResults:
    """Fill missing values of ``columns``, flagging and reporting every filled cell.

    Methods (within each column separately):

    * ``"linear"`` — linear interpolation in the year within each unit,
      :math:`x_t = x_a + (x_b - x_a)\\,(t - a)/(b - a)` between the nearest observed
      years :math:`a < t < b`. Cells before a unit's first or after its last
      observation are left missing unless ``extrapolate=True`` (then the line
      through the two nearest observations is prolonged). A unit with fewer than
      two observations is left as it is.
    * ``"unit-mean"`` — the unit's mean over its observed years,
      :math:`x_{it} = \\bar x_{i\\cdot}` (the YRD study's 均值替代).
    * ``"year-mean"`` — the cross-section mean of the same year,
      :math:`x_{it} = \\bar x_{\\cdot t}`.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit and year.
    columns : str or iterable of str
        Numeric columns to fill.
    method : {"linear", "unit-mean", "year-mean"}
    extrapolate : bool
        Prolong the line beyond a unit's observed years (``"linear"`` only).
    complete_years : bool
        First insert rows for years absent inside each unit's span (their key
        columns are filled, every other column is missing; treated columns are
        then filled and flagged like any other gap).
    unit, time : str
        Key columns.
    warn : bool
        Emit a :class:`~spatialgreen.errors.SpatialGreenWarning` (a
        ``UserWarning``) summarising what was filled (default True).

    Returns
    -------
    ImputationResults
        ``.data`` (filled copy with ``<column>_imputed`` flags), ``.report``
        (unit, year, column, method, value of every filled cell), ``.unfilled``.

    Raises
    ------
    DataError
        Unknown method, missing or non-numeric column, or a flag column that
        already exists in ``data``.

    Examples
    --------
    >>> import pandas as pd, warnings
    >>> df = pd.DataFrame({"unit": ["a"] * 4, "year": [2010, 2011, 2012, 2013],
    ...                    "x": [1.0, None, 5.0, None]})
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     res = impute(df, "x")
    >>> res.data["x"].tolist()      # 1 + (5-1)*(2011-2010)/(2012-2010) = 3
    [1.0, 3.0, 5.0, nan]
    >>> res.data["x_imputed"].tolist()
    [False, True, False, False]
    >>> res.report[["unit", "year", "column", "method", "value"]].values.tolist()
    [['a', 2011, 'x', 'linear', 3.0]]
    """
    cols = [columns] if isinstance(columns, str) else list(columns)
    if not cols:
        raise DataError("impute needs at least one column")
    if method not in IMPUTE_METHODS:
        raise DataError(
            f"method must be one of {', '.join(IMPUTE_METHODS)}, got {method!r}"
        )
    if extrapolate and method != "linear":
        raise DataError("extrapolate=True only applies to method='linear'")
    for col in cols:
        new_name(data, f"{col}_imputed", option="column to impute (its flag exists)")
    work, order = sorted_panel(data, cols, unit=unit, time=time)
    if complete_years:  # sorted by (unit, year), with the absent years inserted
        out = data.iloc[order].reset_index(drop=True)
        out[time] = work[time].to_numpy()
        for col in cols:
            out[col] = work[col].to_numpy()
        out = _complete(out, unit, time)
        work = out[[unit, time, *cols]].copy()
        order = np.arange(len(out))
    else:  # the user's rows, order and index
        out = data.copy()
    reports, unfilled = [], []
    for col in cols:
        before = work[col].to_numpy(dtype=float)
        if method == "linear":
            filled = before.copy()
            for rows in work.groupby(unit, sort=False).indices.values():
                filled[rows] = _linear(
                    work[time].to_numpy()[rows], before[rows], extrapolate
                )
        elif method == "unit-mean":
            filled = (
                work[col]
                .fillna(work.groupby(unit, sort=False)[col].transform("mean"))
                .to_numpy()
            )
        else:
            filled = (
                work[col]
                .fillna(work.groupby(time, sort=False)[col].transform("mean"))
                .to_numpy()
            )
        flag = np.isnan(before) & ~np.isnan(filled)
        out[col] = back_to_rows(filled, order, out.index, col)
        out[f"{col}_imputed"] = back_to_rows(flag, order, out.index, col).astype(bool)
        reports.append(
            pd.DataFrame(
                {
                    unit: work.loc[flag, unit].to_numpy(),
                    time: work.loc[flag, time].to_numpy(),
                    "column": col,
                    "method": method,
                    "value": filled[flag],
                }
            )
        )
        still = np.isnan(filled)
        unfilled.append(
            pd.DataFrame(
                {
                    unit: work.loc[still, unit].to_numpy(),
                    time: work.loc[still, time].to_numpy(),
                    "column": col,
                }
            )
        )
    report = pd.concat(reports, ignore_index=True)
    left = pd.concat(unfilled, ignore_index=True)
    if warn and (len(report) or len(left)):
        counts = report.groupby("column", sort=False).size()
        # the columns it filled (one readable line: not every column with 0 cells)
        parts = [f"{col!r}: {int(counts[col])} cells" for col in counts.index]
        extra = (
            f"; {len(left)} cells remain missing (see .unfilled)" if len(left) else ""
        )
        warnings.warn(
            f"impute filled missing values by {method} — "
            f"{', '.join(parts) or 'no cells'}{extra}; "
            f"filled cells are flagged in <column>_imputed and listed in .report",
            SpatialGreenWarning,
            stacklevel=2,
        )
    meta = {
        "method": method,
        "extrapolate": extrapolate,
        "complete_years": complete_years,
        "columns": cols,
    }
    return ImputationResults(out, report, left, meta)
