"""Sample preparation of :func:`~spatialgreen.econometrics.tobit`: options,
checked numeric columns, censoring of each row."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..errors import DataError, ModelError, SpatialGreenWarning
from ..panel import require_columns, validate_panel
from ._design import prepare_panel
from ._tobit_lik import LEFT, RIGHT, UNCENSORED

__all__: list[str] = []

TOL = 1e-9
"""Values within ``TOL · max(1, |limit|)`` of a limit count as at the limit."""


def check_options(
    xs: list[str],
    y: str,
    regressors: list[str],
    left: float | None,
    right: float | None,
    panel: str,
    unit: str | None,
    quadrature: int,
    small_sample: str,
) -> tuple[float, float]:
    """Validate the options; the limits as floats (±inf for none)."""
    if not xs:
        raise ModelError("x must name at least one regressor")
    if y in regressors:
        raise ModelError(f"the dependent variable {y!r} is also among the regressors")
    if panel not in ("pooled", "random"):
        raise ModelError(f"panel must be 'pooled' or 'random', got {panel!r}")
    if panel == "random" and unit is None:
        raise ModelError("panel='random' needs the unit column: unit=...")
    if isinstance(quadrature, bool) or not isinstance(quadrature, int):
        raise ModelError(f"quadrature must be an integer, got {quadrature!r}")
    if not 2 <= quadrature <= 200:
        raise ModelError(f"quadrature must be between 2 and 200, got {quadrature}")
    if small_sample not in ("stata", "none"):
        raise ModelError(
            f"small_sample must be 'stata' or 'none' for a Tobit, got {small_sample!r}"
        )
    if left is None and right is None:
        raise ModelError(
            "a Tobit needs a censoring limit: left=..., right=... or both (without "
            "any, use OLS)"
        )
    for name, value in (("left", left), ("right", right)):
        if value is not None and (
            isinstance(value, bool)
            or not isinstance(value, int | float | np.floating | np.integer)
            or not np.isfinite(value)
        ):
            raise ModelError(f"{name} must be a finite number or None, got {value!r}")
    lo = -np.inf if left is None else float(left)
    hi = np.inf if right is None else float(right)
    if lo >= hi:
        raise ModelError(f"left ({left}) must be below right ({right})")
    return lo, hi


def sample(
    data: pd.DataFrame,
    y: str,
    regressors: list[str],
    unit: str | None,
    time: str | None,
    cluster: str | None,
    missing: str,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Checked numeric copy of the model columns, complete rows, sorted by unit."""
    variables = [y, *regressors]
    extra = [cluster] if cluster else []
    if unit is not None and time is not None:
        frame, dropped = prepare_panel(
            data,
            variables=variables,
            unit=unit,
            time=time,
            extra=extra,
            missing=missing,
        )
    else:
        if missing not in ("drop", "raise"):
            raise DataError(f"missing must be 'drop' or 'raise', got {missing!r}")
        keys = [k for k in (unit, time) if k is not None]
        require_columns(data, keys, role="key")
        require_columns(data, variables, role="model")
        require_columns(data, extra, role="grouping")
        # without time the unit only groups the rows (random effects, clusters)
        if unit is not None and data[unit].isna().any():
            raise DataError(f"key column {unit!r} has missing values")
        columns = list(dict.fromkeys([*keys, *variables, *extra]))
        frame = data[columns].copy()
        key = "_row_"
        while key in frame.columns:
            key += "_"
        frame[key] = np.arange(len(frame))
        validate_panel(
            frame, unit=key, columns=variables, allow_missing=missing == "drop"
        )
        frame = frame.drop(columns=key)
        for col in variables:
            frame[col] = pd.to_numeric(frame[col]).astype(float)
        na = frame[variables].isna()
        dropped = {c: int(n) for c, n in na.sum().items() if n}
        frame = frame.loc[~na.any(axis=1)]
        if unit is not None:
            frame = frame.sort_values(unit, kind="stable")
        frame = frame.reset_index(drop=True)
    if frame.empty:
        raise DataError(f"no complete observations of {variables}")
    if cluster and frame[cluster].isna().any():
        raise DataError(f"cluster column {cluster!r} has missing values")
    if dropped:
        warnings.warn(
            "rows with missing values dropped: "
            + ", ".join(f"{n} missing in {c!r}" for c, n in dropped.items()),
            SpatialGreenWarning,
            stacklevel=3,
        )
    return frame, dropped


def censoring(y: np.ndarray, lo: float, hi: float) -> tuple[np.ndarray, np.ndarray]:
    """Censoring kind of each row and which rows lie strictly beyond a limit."""
    kind = np.full(y.size, UNCENSORED)
    beyond = np.zeros(y.size, dtype=bool)
    if np.isfinite(lo):
        tol = TOL * max(1.0, abs(lo))
        kind[y <= lo + tol] = LEFT
        beyond |= y < lo - tol
    if np.isfinite(hi):
        tol = TOL * max(1.0, abs(hi))
        kind[y >= hi - tol] = RIGHT
        beyond |= y > hi + tol
    return kind, beyond


def warn_beyond(
    frame: pd.DataFrame,
    beyond: np.ndarray,
    y: str,
    lo: float,
    hi: float,
    unit: str | None,
    time: str | None,
) -> None:
    if not beyond.any():
        return
    rows = frame.loc[beyond]
    where = []
    for i, row in rows.head(5).iterrows():
        keys = [f"{k}={row[k]}" for k in (unit, time) if k is not None]
        where.append(", ".join(keys) if keys else f"row {i}")
    warnings.warn(
        f"{int(beyond.sum())} value(s) of {y!r} lie beyond the limits "
        f"(left={lo}, right={hi}), e.g. at {'; '.join(where)}; they are treated as "
        "censored at the limit (as Stata and R do). If they are real (e.g. "
        "super-efficiency scores above 1), widen or drop the limit",
        SpatialGreenWarning,
        stacklevel=3,
    )
