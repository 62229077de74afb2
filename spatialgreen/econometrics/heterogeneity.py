"""Heterogeneity: the same specification by group, with a test of equal coefficients.

The test is a Chow-type Wald test in the pooled, fully interacted model: every
regressor (and the constant) is interacted with the group dummies, unit effects are
kept and year effects become group × year effects. Its slope estimates are exactly the
separate group regressions' (tests check this) while the covariance is estimated
jointly, like Stata's ``suest`` after separate regressions; H0 is that the core
coefficient is the same in every group (G − 1 restrictions). Under clustering, the
clusters must be nested in the groups for the joint and separate fits to agree.
With ``small_sample="stata"`` the clustered covariance of the interacted model uses
the convention of :func:`.fixed_effects` (G/(G−1)·(N−1)/(N−K), unit effects nested in
the clusters left out of K); ``"none"`` is the bare sandwich (CR0, or HC0 with
``cov="robust"``) like the group fits, whose covariances it then reproduces block by
block when the clusters are nested in the groups; ``"linearmodels"`` keeps
linearmodels' own factor.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, Unpack

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import DataError, ModelError
from ..results import EstimatesMixin, Results
from ._design import (
    FixedEffectsOptions,
    _as_list,
    _check_effects,
    battery_sample,
    cluster_sums,
    codes,
    demean,
    panel_ols,
)
from .fixed_effects import _with_defaults, fixed_effects
from .modelset import ModelSetResults, model_set

__all__ = ["HeterogeneityResults", "heterogeneity"]


@dataclasses.dataclass(frozen=True)
class HeterogeneityResults(EstimatesMixin, Results):
    """Results of :func:`heterogeneity`.

    Attributes
    ----------
    coefficients : pandas.DataFrame
        Every group's coefficients (and the pooled model's, group ``"All"``) in
        the common layout, indexed by (``group``, ``parameter``).
    equality : pandas.DataFrame
        Wald tests of equal coefficients across groups: variable, statistic, df,
        p_value, distribution, and the pooled model's ``coef[<group>]``.
    meta : dict
    groups : ModelSetResults
        The models: ``"All"`` (pooled, if requested) and one per group.
    """

    coefficients: pd.DataFrame
    equality: pd.DataFrame
    meta: dict = dataclasses.field(default_factory=dict)
    groups: ModelSetResults | None = dataclasses.field(
        default=None, repr=False, compare=False
    )

    @property
    def models(self) -> dict[str, Any]:
        """The fitted models by name."""
        assert self.groups is not None
        return self.groups.models

    def __getitem__(self, name: str) -> Any:
        return self.models[name]

    def regression_table(self, **options: Any) -> Any:
        """Regression table of the pooled and group models."""
        assert self.groups is not None
        return self.groups.regression_table(**options)

    def summary(self) -> str:
        """The group table and the equality tests."""
        with pd.option_context(
            "display.width", 120, "display.float_format", "{:.4f}".format
        ):
            return (
                f"{self.regression_table()}\n\n{self.equality.to_string(index=False)}"
            )


def heterogeneity(
    data: pd.DataFrame,
    *,
    y: str,
    x: str | Sequence[str],
    group: str,
    controls: Sequence[str] = (),
    unit: str = "unit",
    time: str = "year",
    include_pooled: bool = True,
    **fe_options: Unpack[FixedEffectsOptions],
) -> HeterogeneityResults:
    """Estimate the specification in each group and test equal core coefficients.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel (never modified).
    y, x, controls : str or sequence of str
        The specification, as in :func:`fixed_effects`; every ``x`` is tested.
    group : str
        Group column (e.g. east/central/west); constant within units when unit
        effects are used.
    unit, time : str
        Key columns.
    include_pooled : bool
        Also fit the whole sample (model ``"All"``).
    **fe_options
        ``effects``, ``cluster``, ``cov``, ``small_sample``, ``min_clusters`` of
        :func:`fixed_effects`, for every group and the equality test.

    Returns
    -------
    HeterogeneityResults

    Examples
    --------
    The effect of ``x1`` in :func:`~spatialgreen.datasets.example_panel` is about
    0.75 in the east and 0.25 in the west:

    >>> from spatialgreen.datasets import example_panel
    >>> res = heterogeneity(
    ...     example_panel(), y="y", x="x1", controls=["x2"], group="region"
    ... )
    >>> bool(res.equality["p_value"].iloc[0] < 0.01)
    True
    """
    xs = _as_list(x)
    ctrls = [c for c in _as_list(controls) if c not in xs]
    regressors = [*xs, *ctrls]
    options = _with_defaults(fe_options)
    use_unit, use_time = _check_effects(options["effects"])
    frame, dropped = battery_sample(
        data,
        [y, *regressors],
        unit=unit,
        time=time,
        fe_options=fe_options,
        who="heterogeneity",
        extra=[group],
    )
    if frame[group].isna().any():
        raise DataError(f"group column {group!r} has missing values")
    labels = list(pd.unique(frame[group]))
    if len(labels) < 2:
        raise ModelError(
            f"group column {group!r} has a single group {labels!r}; nothing to compare"
        )
    names = [str(g) for g in labels]
    if len(set(names)) < len(names) or (include_pooled and "All" in names):
        raise ModelError(
            f"group labels {names} of {group!r} must be distinct as text and differ "
            "from 'All' (the pooled model) when include_pooled=True"
        )
    if use_unit and frame.groupby(unit)[group].nunique().max() > 1:
        bad = frame.groupby(unit)[group].nunique()
        raise DataError(
            f"group {group!r} changes within unit(s) {list(bad[bad > 1].index[:10])}; "
            "with unit effects each unit must belong to one group"
        )
    common: dict[str, Any] = {
        "controls": ctrls,
        "unit": unit,
        "time": time,
        **fe_options,
    }
    models: dict[str, Any] = {}
    if include_pooled:
        models["All"] = fixed_effects(
            frame, y=y, x=xs, n_dropped_before=dropped, **common
        )
    for label in labels:
        part = frame.loc[frame[group] == label]
        try:
            models[str(label)] = fixed_effects(part, y=y, x=xs, **common)
        except ModelError as exc:
            raise ModelError(f"group {group}={label!r}: {exc}") from exc
    equality = _equality_test(
        frame,
        y=y,
        xs=xs,
        regressors=regressors,
        group=group,
        labels=labels,
        unit=unit,
        time=time,
        use_unit=use_unit,
        use_time=use_time,
        cluster=options["cluster"],
        cov=models[str(labels[0])].meta["cov"],
        small_sample=options["small_sample"],
    )
    groups = model_set(
        models, {"model": "heterogeneity", "group": group}, level="group"
    )
    meta = {
        "model": "heterogeneity",
        "y": y,
        "x": xs,
        "controls": ctrls,
        "group": group,
        "groups": [str(g) for g in labels],
        "effects": options["effects"],
        "cluster": options["cluster"],
        "test": "Wald, fully interacted pooled model (linearmodels)",
        "inference": groups.meta["inference"],
        "nobs": len(frame),
        "dropped_missing": dropped,
    }
    return HeterogeneityResults(groups.coefficients, equality, meta, groups)


def _equality_test(
    frame: pd.DataFrame,
    *,
    y: str,
    xs: list[str],
    regressors: list[str],
    group: str,
    labels: list[Any],
    unit: str,
    time: str,
    use_unit: bool,
    use_time: bool,
    cluster: str | None,
    cov: str,
    small_sample: str,
) -> pd.DataFrame:
    """Wald test of equal coefficients in the fully interacted pooled model."""
    unit_c, _ = codes(frame[unit])
    time_c, _ = codes(frame[time])
    group_c, _ = codes(frame[group].astype(str))
    order = [str(g) for g in sorted(map(str, labels))]
    index = pd.MultiIndex.from_arrays([unit_c, time_c], names=[unit, time])
    columns = {}
    for g in order:
        mask = (frame[group].astype(str) == g).to_numpy(dtype=float)
        for r in regressors:
            columns[f"{r}[{g}]"] = frame[r].to_numpy() * mask
        if not use_unit and not use_time:
            columns[f"const[{g}]"] = mask
    exog = pd.DataFrame(columns, index=index)
    # group-specific year effects; without any effect the const[g] columns above
    # carry the group intercepts, and unit effects absorb them otherwise
    other = None
    if use_time:
        other = pd.DataFrame(
            {"group_time": group_c * (time_c.max() + 1) + time_c}, index=index
        )
    dep = pd.Series(frame[y].to_numpy(), index=index, name=y)
    stata = cov == "clustered" and small_sample == "stata"
    bare = cov != "unadjusted" and small_sample == "none"
    fit = panel_ols(
        dep,
        exog,
        cov_type=cov,
        clusters=codes(frame[cluster])[0] if cov == "clustered" else None,
        entity_effects=use_unit,
        other_effects=other,
    )
    names = list(exog.columns)
    params = fit.params[names].to_numpy()
    vcov = fit.cov.loc[names, names].to_numpy()
    if stata or bare:
        vcov = _sandwich_cov(
            frame,
            dep.to_numpy(),
            exog.to_numpy(),
            unit=unit,
            cluster=cluster if cov == "clustered" else None,
            unit_codes=unit_c,
            cell_codes=None if other is None else other["group_time"].to_numpy(),
            use_unit=use_unit,
            n_groups=len(order),
            stata=stata,
        )
    rows = []
    for var in xs:
        restriction = np.zeros((len(order) - 1, len(names)))
        for i, g in enumerate(order[1:]):
            restriction[i, names.index(f"{var}[{order[0]}]")] = 1.0
            restriction[i, names.index(f"{var}[{g}]")] = -1.0
        diff = restriction @ params
        stat = float(diff @ np.linalg.solve(restriction @ vcov @ restriction.T, diff))
        q = restriction.shape[0]
        rows.append(
            {
                "variable": var,
                "statistic": stat,
                "df": q,
                "p_value": float(stats.chi2.sf(stat, q)),
                "distribution": f"chi2({q})",
                **{f"coef[{g}]": float(fit.params[f"{var}[{g}]"]) for g in order},
            }
        )
    return pd.DataFrame(rows)


def _sandwich_cov(
    frame: pd.DataFrame,
    y: np.ndarray,
    x: np.ndarray,
    *,
    unit: str,
    cluster: str | None,
    unit_codes: np.ndarray,
    cell_codes: np.ndarray | None,
    use_unit: bool,
    n_groups: int,
    stata: bool,
) -> np.ndarray:
    """Sandwich covariance of the interacted model in fixed_effects' conventions.

    ``V_0`` is the sandwich on the within-transformed data, clustered by ``cluster``
    (each row its own cluster when None: HC0). ``stata=False`` returns it bare
    (``small_sample="none"``); ``stata=True`` scales it by G/(G−1)·(N−1)/(N−K) with
    K the slopes, the constant and the group × year effects, plus the unit effects
    only when they are not nested in the clusters. linearmodels cannot be used here:
    with ``other_effects`` it counts every effect in K (and scales by N/(N − effects)
    even without ``debiased``).
    """
    groups = []
    if use_unit:
        groups.append(codes(unit_codes))
    if cell_codes is not None:
        groups.append(codes(cell_codes))
    w = demean(np.column_stack([y, x]), groups)
    yt, xt = w[:, 0], w[:, 1:]
    bread = np.linalg.inv(xt.T @ xt)
    resid = yt - xt @ (bread @ (xt.T @ yt))
    if cluster is None:
        cluster_c, n_clusters = np.arange(len(frame)), len(frame)
    else:
        cluster_c, n_clusters = codes(frame[cluster])
    sums = cluster_sums(xt * resid[:, None], cluster_c, n_clusters)
    v0 = bread @ (sums.T @ sums) @ bread
    if not stata:
        return np.asarray(v0)
    assert cluster is not None
    n, n_units = len(frame), int(unit_codes.max()) + 1
    # rank of the absorbed effects with the constant (unit effects and group × year
    # cells share one intercept per group)
    if use_unit and cell_codes is not None:
        k = x.shape[1] + int(np.unique(cell_codes).size) - n_groups + 1
    elif cell_codes is not None:
        k = x.shape[1] + int(np.unique(cell_codes).size)
    else:
        k = x.shape[1] + use_unit  # x holds the group constants without effects
    if use_unit and frame.groupby(unit)[cluster].nunique().max() > 1:
        k += n_units - 1
    return np.asarray(v0 * n_clusters / (n_clusters - 1) * (n - 1) / (n - k))
