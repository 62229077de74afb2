"""Shared internals: panel preparation, the fixed-effects projection and fast OLS.

Reported estimates always come from linearmodels (see :mod:`.fixed_effects`). The
routines here serve the resampling procedures (bootstrap, placebo) that re-estimate
the same specification hundreds of times: they within-transform many columns at once
and solve the small normal equations with numpy. Tests check them against
linearmodels on every specification they are used for.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import Any, Literal, TypeAlias, TypedDict

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..errors import DataError, ModelError, SpatialGreenWarning
from ..panel import require_columns, validate_panel

__all__: list[str] = []

EFFECTS = ("twoway", "unit", "time", "none")
Effects: TypeAlias = Literal["twoway", "unit", "time", "none"]
Cov: TypeAlias = Literal["unadjusted", "robust", "clustered"]
SmallSample: TypeAlias = Literal["stata", "linearmodels", "none"]
_FEW_COLUMNS = 16


class FixedEffectsOptions(TypedDict, total=False):
    """Options of :func:`~spatialgreen.econometrics.fixed_effects` that the
    batteries (mediation, moderation, placebo, heterogeneity, robustness) forward."""

    effects: Effects
    cluster: str | None
    cov: Cov | None
    small_sample: SmallSample
    min_clusters: int
    missing: Literal["drop", "raise"]


def _as_list(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def _check_effects(effects: str) -> tuple[bool, bool]:
    if effects not in EFFECTS:
        raise ModelError(f"effects must be one of {EFFECTS}, got {effects!r}")
    return effects in ("twoway", "unit"), effects in ("twoway", "time")


def prepare_panel(
    data: pd.DataFrame,
    *,
    variables: Sequence[str],
    unit: str,
    time: str,
    extra: Sequence[str] = (),
    missing: str = "drop",
    who: str | None = None,
    stacklevel: int = 4,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Validate and copy the columns a model uses; drop rows with missing values.

    Returns the frame sorted by (unit, time) with a fresh RangeIndex, and the number
    of rows dropped because of each variable (the caller records it in ``meta``).
    With ``who`` (the public function's name) dropped rows raise the one
    :class:`SpatialGreenWarning` every model gives (:func:`warn_dropped`).
    """
    variables = list(dict.fromkeys(variables))
    extra = [
        c for c in dict.fromkeys(extra) if c not in variables and c not in (unit, time)
    ]
    require_columns(data, [unit, time], role="key")
    require_columns(data, variables, role="model")
    require_columns(data, extra, role="grouping")
    if missing not in ("drop", "raise"):
        raise DataError(f"missing must be 'drop' or 'raise', got {missing!r}")
    validate_panel(
        data, unit=unit, time=time, columns=variables, allow_missing=missing == "drop"
    )
    frame = data[[unit, time, *variables, *extra]].copy()
    for col in variables:
        frame[col] = pd.to_numeric(frame[col]).astype(float)
    na = frame[variables].isna()
    dropped = {col: int(n) for col, n in na.sum().items() if n}
    if dropped and who is not None:
        rows = frame.loc[na.any(axis=1)]
        warn_dropped(who, rows, dropped, len(frame), unit, time, stacklevel)
    frame = frame.loc[~na.any(axis=1)]
    if frame.empty:
        raise DataError(
            "no complete observations: every row misses one of "
            + ", ".join(map(repr, variables))
        )
    frame = frame.sort_values([unit, time], kind="stable").reset_index(drop=True)
    return frame, dropped


def warn_dropped(
    who: str,
    rows: pd.DataFrame,
    dropped: dict[str, int],
    n_total: int,
    unit: str,
    time: str,
    stacklevel: int = 4,
) -> None:
    """Warn that ``who`` dropped ``rows`` (missing values), naming units and years.

    The one message of every panel model and battery: how many rows of how many,
    the missing count per column, the first (unit, time) pairs, and the way out.
    """
    warnings.warn(
        f"{who} dropped {len(rows)} of {n_total} rows with missing values ("
        + ", ".join(f"{col!r}: {n}" for col, n in dropped.items())
        + f") at {rows_named(rows, unit, time)}; pass missing='raise' to refuse them",
        SpatialGreenWarning,
        stacklevel=stacklevel,
    )


def rows_named(rows: pd.DataFrame, unit: str, time: str, shown: int = 5) -> str:
    """``unit=a, year=2001; unit=b, year=2003 and 4 more``: the rows' keys."""
    where = "; ".join(
        f"{unit}={u}, {time}={t}"
        for u, t in zip(rows[unit].head(shown), rows[time].head(shown), strict=True)
    )
    return where + (f" and {len(rows) - shown} more" if len(rows) > shown else "")


def battery_sample(
    data: pd.DataFrame,
    variables: Sequence[str],
    *,
    unit: str,
    time: str,
    fe_options: FixedEffectsOptions,
    who: str,
    extra: Sequence[str] = (),
) -> tuple[pd.DataFrame, dict[str, int]]:
    """:func:`prepare_panel` of a battery: its variables, ``extra`` columns and the
    ``cluster`` column of the forwarded fixed-effects options.

    Rows with a missing value are dropped with the warning of :func:`warn_dropped`
    naming ``who`` (the battery), or refused with ``missing="raise"`` in
    ``fe_options``; the counts go to the battery's ``meta["dropped_missing"]``.
    """
    cluster = fe_options.get("cluster")
    return prepare_panel(
        data,
        variables=variables,
        unit=unit,
        time=time,
        extra=[*extra, *([cluster] if cluster else [])],
        missing=fe_options.get("missing", "drop"),
        who=who,
        stacklevel=6,  # user -> battery -> here -> prepare_panel -> warn_dropped
    )


def check_regressors(frame: pd.DataFrame, regressors: Sequence[str]) -> None:
    """Raise ModelError naming a constant regressor."""
    for col in regressors:
        values = frame[col].to_numpy()
        if np.ptp(values) == 0:
            raise ModelError(
                f"regressor {col!r} is constant ({values[0]!r}) in the estimation "
                "sample; it cannot be estimated (drop it or check the data)"
            )


def collinear_column(
    x: np.ndarray, names: Sequence[str], *, rtol: float = 1e-9
) -> str | None:
    """Name of the first column that is (numerically) a combination of earlier ones."""
    scale = np.linalg.norm(x, axis=0)
    scale[scale == 0] = 1.0
    xs = x / scale
    for j in range(xs.shape[1]):
        if j == 0:
            if np.linalg.norm(xs[:, 0]) < rtol:
                return names[0]
            continue
        coef, *_ = np.linalg.lstsq(xs[:, :j], xs[:, j], rcond=None)
        resid = xs[:, j] - xs[:, :j] @ coef
        if np.linalg.norm(resid) < 1e-7:
            return names[j]
    return None


def codes(values: pd.Series | np.ndarray) -> tuple[np.ndarray, int]:
    """Integer codes 0..G-1 of a grouping and the number of groups."""
    c, uniques = pd.factorize(np.asarray(values), sort=True)
    return c.astype(np.int64), len(uniques)


def _indicator(group_codes: np.ndarray, n_groups: int) -> sp.csr_array:
    n = group_codes.size
    return sp.csr_array((np.ones(n), (np.arange(n), group_codes)), shape=(n, n_groups))


class _GroupMeans:
    """Group means of the columns of a matrix, broadcast back to the rows."""

    def __init__(self, group_codes: np.ndarray, n_groups: int, *, sparse: bool) -> None:
        self.codes, self.n_groups = group_codes, n_groups
        self.counts = np.bincount(group_codes, minlength=n_groups).astype(float)
        # many columns (permutation batches): sparse products; few (bootstrap refits):
        # bincount, which avoids building sparse matrices for every resample
        self.matrix = _indicator(group_codes, n_groups) if sparse else None

    def fitted(self, values: np.ndarray) -> np.ndarray:
        if self.matrix is not None:
            return self.matrix @ ((self.matrix.T @ values) / self.counts[:, None])
        sums = np.column_stack(
            [
                np.bincount(self.codes, weights=col, minlength=self.n_groups)
                for col in values.T
            ]
        )
        return (sums / self.counts[:, None])[self.codes]


def demean(
    values: np.ndarray,
    groups: Sequence[tuple[np.ndarray, int]],
    *,
    tol: float = 1e-12,
    max_iter: int = 10_000,
) -> np.ndarray:
    """Project the fixed effects ``groups`` out of every column of ``values``.

    Alternating projections (the method linearmodels and fixest use for several
    effects): one sweep is exact for a single effect or a balanced two-way panel;
    unbalanced panels iterate until the largest change is below ``tol`` times the
    column scale. Written here (rather than calling linearmodels' ``PanelData.demean``)
    because resampling needs thousands of columns projected at once.
    """
    out = np.array(values, dtype=float, copy=True)
    if out.ndim == 1:
        out = out[:, None]
    if not groups:
        return out
    projectors = [
        _GroupMeans(gc, ng, sparse=out.shape[1] > _FEW_COLUMNS) for gc, ng in groups
    ]
    scale = np.maximum(np.abs(out).max(axis=0), 1.0)
    for _ in range(max_iter):
        change = np.zeros(out.shape[1])
        for projector in projectors:
            step = projector.fitted(out)
            out -= step
            change = np.maximum(change, np.abs(step).max(axis=0))
        if len(projectors) == 1 or np.all(change <= tol * scale):
            return out
    raise ModelError(
        f"the fixed-effects projection did not converge in {max_iter} sweeps; "
        "the panel may be extremely unbalanced"
    )


def effect_groups(
    unit_codes: tuple[np.ndarray, int], time_codes: tuple[np.ndarray, int], effects: str
) -> list[tuple[np.ndarray, int]]:
    """The effect groupings of ``effects`` for :func:`demean`."""
    use_unit, use_time = _check_effects(effects)
    groups = []
    if use_unit:
        groups.append(unit_codes)
    if use_time:
        groups.append(time_codes)
    if not groups:
        n = unit_codes[0].size
        groups.append((np.zeros(n, dtype=np.int64), 1))  # the constant
    return groups


def cluster_sums(
    scores: np.ndarray, cluster_codes: np.ndarray, n_clusters: int
) -> np.ndarray:
    """Sum the rows of ``scores`` within clusters (G × columns)."""
    return _indicator(cluster_codes, n_clusters).T @ scores


def n_absorbed(unit_n: int, time_n: int, effects: str) -> int:
    """Degrees of freedom used by the effects and the constant together."""
    use_unit, use_time = _check_effects(effects)
    if use_unit and use_time:
        return unit_n + time_n - 1
    if use_unit:
        return unit_n
    if use_time:
        return time_n
    return 1


def within_lstsq(y: np.ndarray, x: np.ndarray) -> np.ndarray | None:
    """Least squares on within-transformed data; None if ``x`` is (nearly) singular.

    Normal equations on unit-scaled columns: with the handful of regressors of these
    models they are far cheaper than an SVD per bootstrap draw, and the eigenvalue
    check rejects draws whose design is singular instead of returning a
    minimum-norm answer.
    """
    if x.shape[0] <= x.shape[1]:
        return None
    norms = np.linalg.norm(x, axis=0)
    if np.any(norms == 0):
        return None
    xs = x / norms
    gram = xs.T @ xs
    eig = np.linalg.eigvalsh(gram)
    if eig[0] <= 1e-10 * eig[-1]:
        return None
    return np.linalg.solve(gram, xs.T @ y) / norms


def progress_disabled(progress: bool | None) -> bool | None:
    """tqdm's ``disable`` for a ``progress=`` flag (None: only on a terminal)."""
    return None if progress is None else not progress


def panel_ols(
    dep: pd.Series,
    exog: pd.DataFrame,
    *,
    cov_type: str,
    clusters: np.ndarray | None = None,
    group_debias: bool = False,
    **effects: Any,
) -> Any:
    """linearmodels ``PanelOLS(dep, exog, **effects)`` fitted with ``debiased=True``.

    ``clusters`` are integer cluster codes in the rows' order (for
    ``cov_type="clustered"``); RuntimeWarnings of the fit are silenced.
    """
    from linearmodels import PanelOLS

    options: dict[str, Any] = {"cov_type": cov_type, "debiased": True}
    if clusters is not None:
        options["clusters"] = pd.DataFrame({"cluster": clusters}, index=dep.index)
    if group_debias:
        options["group_debias"] = True
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        return PanelOLS(dep, exog, **effects).fit(**options)
