"""Lagged regressors within units, and the lag battery of robustness tables."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, ModelError
from ..panel import require_columns, validate_panel
from ._design import _as_list
from .fixed_effects import fixed_effects
from .modelset import ModelSetResults, model_set

__all__ = ["lag", "lag_name", "lagged"]


def lag_name(column: str, k: int) -> str:
    """Name of the k-period lag (``k < 0``: lead) of ``column``: ``prod_lag1``."""
    return f"{column}_lag{k}" if k >= 0 else f"{column}_lead{-k}"


def lag(
    data: pd.DataFrame,
    columns: str | Iterable[str],
    *,
    unit: str = "unit",
    time: str = "year",
    periods: int | Iterable[int] = 1,
) -> pd.DataFrame:
    """Return a copy of ``data`` with ``columns`` lagged ``periods`` within each unit.

    The lag of unit i at year t is its value at year t − k, matched by calendar
    period, never the previous available row: a unit's first k years, and years
    after a gap, get missing lags. Negative ``k`` gives leads.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel with integer-valued periods.
    columns : str or iterable of str
        Columns to lag.
    unit, time : str
        Key columns.
    periods : int or iterable of int
        Lag orders; new columns are named by :func:`lag_name` (``x_lag1``).

    Returns
    -------
    pandas.DataFrame
        A copy, rows in the original order, with the lag columns appended.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"unit": ["a"] * 3 + ["b"] * 2,
    ...                    "year": [2001, 2002, 2004, 2001, 2002],
    ...                    "x": [1.0, 2.0, 4.0, 10.0, 20.0]})
    >>> lag(df, "x")["x_lag1"].tolist()
    [nan, 1.0, nan, nan, 10.0]
    """
    cols = _as_list(columns)
    orders = [periods] if isinstance(periods, int | np.integer) else list(periods)
    require_columns(data, [unit, time], role="key")
    require_columns(data, cols, role="lag")
    validate_panel(data, unit=unit, time=time)
    years = data[time]
    if not pd.api.types.is_numeric_dtype(years) or not np.all(
        np.equal(np.mod(years.to_numpy(dtype=float), 1), 0)
    ):
        raise DataError(
            f"time column {time!r} must hold integer periods (e.g. years) to take lags"
        )
    out = data.copy()
    base = data[[unit, time, *cols]].copy()
    for k in orders:
        k = int(k)
        if k == 0:
            raise DataError(
                "lag order 0 is the variable itself; use k >= 1 (or < 0 for leads)"
            )
        shifted = base.copy()
        shifted[time] = shifted[time] + k
        shifted = shifted.rename(columns={c: lag_name(c, k) for c in cols})
        for c in cols:
            if lag_name(c, k) in data.columns:
                raise DataError(f"column {lag_name(c, k)!r} already exists")
        merged = data[[unit, time]].merge(shifted, on=[unit, time], how="left")
        for c in cols:
            out[lag_name(c, k)] = merged[lag_name(c, k)].to_numpy()
    return out


def lagged(
    data: pd.DataFrame,
    *,
    y: str,
    x: str,
    lags: Sequence[int] = (0, 1, 2),
    controls: Sequence[str] = (),
    unit: str = "unit",
    time: str = "year",
    **fe_options: Any,
) -> ModelSetResults:
    """Re-estimate the specification with the core regressor lagged k periods.

    Each model uses its own complete cases (a k-period lag loses each unit's first
    k years), as in the usual lag-robustness tables; controls stay contemporaneous.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel (never modified).
    y, x : str
        Outcome and core regressor.
    lags : sequence of int
        Lag orders; 0 is the baseline with x itself.
    controls : sequence of str
        Controls.
    unit, time : str
        Key columns.
    **fe_options
        Options of :func:`fixed_effects` (effects, cluster, cov, small_sample).

    Returns
    -------
    ModelSetResults
        Models named ``"L0"``, ``"L1"``, ...

    Examples
    --------
    A lag of one year costs each of the 30 units its first year:

    >>> from spatialgreen.datasets import example_panel
    >>> res = lagged(example_panel(n_units=30, n_years=10), y="y", x="x1", lags=(0, 1))
    >>> [res[m].nobs for m in ("L0", "L1")]
    [300, 270]
    """
    if not lags:
        raise ModelError("lags must contain at least one order")
    positive = sorted({int(k) for k in lags if int(k) != 0})
    frame = lag(data, x, unit=unit, time=time, periods=positive) if positive else data
    models = {}
    for k in lags:
        k = int(k)
        regressor = x if k == 0 else lag_name(x, k)
        models[f"L{k}"] = fixed_effects(
            frame,
            y=y,
            x=regressor,
            controls=controls,
            unit=unit,
            time=time,
            **fe_options,
        )
    return model_set(models, {"model": "lagged", "y": y, "x": x, "lags": list(lags)})
