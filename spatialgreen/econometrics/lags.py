"""Lagged regressors within units, and the lag battery of robustness tables."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, ModelError, SpatialGreenWarning, check_int
from ..panel import require_columns, validate_panel
from ._design import _as_list, rows_named
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
    if isinstance(periods, str) or not isinstance(periods, Iterable):
        periods = [periods]
    # 1.5 must not become a lag of 1: an order is an integer or an OptionError
    orders = [check_int(k, "periods") for k in periods]
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

    Each model uses its own complete cases, as in the usual lag-robustness tables;
    controls stay contemporaneous. Lags are matched by calendar period (see
    :func:`lag`): a k-period lag loses each unit's first k years, which is expected
    and left out quietly, and also every year whose year − k falls in a gap of the
    unit's years or has a missing ``x``: those rows are left out with a
    :class:`~spatialgreen.errors.SpatialGreenWarning` naming the units and years
    (with ``missing="raise"`` they are an error). Every model counts the rows its
    lag cost in ``meta["dropped_missing"]``; other missing values are handled by
    :func:`fixed_effects` as usual.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel (never modified).
    y, x : str
        Outcome and core regressor.
    lags : sequence of int
        Lag orders (integers); 0 is the baseline with x itself, negative orders
        are leads.
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
    if isinstance(lags, str) or not isinstance(lags, Iterable):
        lags = [lags]  # type: ignore[list-item]
    lags = [check_int(k, "lags") for k in lags]
    if not lags:
        raise ModelError("lags must contain at least one order")
    positive = sorted({k for k in lags if k != 0})
    frame = lag(data, x, unit=unit, time=time, periods=positive) if positive else data
    models = {}
    for k in lags:
        regressor = x if k == 0 else lag_name(x, k)
        sample, lost = frame, None
        if k != 0:
            sample, lost = _lag_sample(frame, regressor, k, unit, time, fe_options)
        models[f"L{k}"] = fixed_effects(
            sample,
            y=y,
            x=regressor,
            controls=controls,
            unit=unit,
            time=time,
            n_dropped_before=lost,
            **fe_options,
        )
    return model_set(models, {"model": "lagged", "y": y, "x": x, "lags": list(lags)})


def _lag_sample(
    frame: pd.DataFrame,
    column: str,
    k: int,
    unit: str,
    time: str,
    fe_options: dict[str, Any],
) -> tuple[pd.DataFrame, dict[str, int] | None]:
    """The rows with a lag, and how many the lag cost.

    Rows before a unit's first year + k (after its last year + k for leads) have no
    lag by construction; a missing lag anywhere else comes from a gap in the unit's
    years or a missing value, so it is named in a warning (or refused with
    ``missing="raise"``).
    """
    absent = frame[column].isna().to_numpy()
    if not absent.any():
        return frame, None
    years = frame.groupby(unit, sort=False)[time]
    source = frame[time] - k
    edge = (
        (source < years.transform("min")) if k > 0 else source > years.transform("max")
    )
    inside = absent & ~edge.to_numpy()
    if inside.any():
        message = (
            f"{column} is missing at {rows_named(frame.loc[inside], unit, time)}: "
            f"{time} − {k} is a gap in the unit's {time}s or its value is missing"
        )
        if fe_options.get("missing", "drop") == "raise":
            raise DataError(message)
        warnings.warn(
            f"lagged: {message}; these rows are left out of model L{k}",
            SpatialGreenWarning,
            stacklevel=3,
        )
    return frame.loc[~absent], {column: int(absent.sum())}
