"""Two-way (or one-way) fixed-effects panel regression on top of linearmodels.

The estimator is :class:`linearmodels.PanelOLS`; this module validates the panel,
chooses the covariance and its small-sample convention, and returns a
:class:`FixedEffectsResults` with labelled pandas objects.

Small-sample convention of clustered standard errors
----------------------------------------------------
``small_sample="stata"`` (default) reproduces Stata's ``xtreg y x i.year, fe
vce(cluster id)``: ``V = G/(G-1) · (N-1)/(N-K) · V_0`` with ``V_0`` the sandwich
without correction, ``G`` clusters, ``N`` observations and ``K`` = slopes + constant
+ (T-1) year dummies (+ the unit effects when they are *not* nested in the clusters,
as ``reghdfe`` counts them); t statistics are referred to t(G-1). It is computed by
linearmodels itself: the year effects enter as dummies next to absorbed unit effects
and the fit uses ``debiased=True, group_debias=True``, which linearmodels documents
as Stata's convention. ``reghdfe y x, absorb(id year) vce(cluster id)`` uses the
same G/(G-1)·(N-1)/(N-K) rule and also leaves the unit effects nested in the clusters
out of K, so it should agree up to how the intercept is counted (no Stata run here;
the tests check ``V_0`` against R ``plm``'s Arellano HC0 sandwich).
``small_sample="linearmodels"`` keeps linearmodels' own default for the two-way
model: ``V = N/(N-K-d) · V_0`` (d = all effects, no G/(G-1)) with t(N-K-d).
``small_sample="none"`` reports ``V_0`` itself (CR0: no factor at all, as R
``plm::vcovHC(type="HC0", cluster="group")``; linearmodels with ``debiased=False``
and no effects counted) with normal (z) inference; with ``cov="robust"`` it is the
HC0 sandwich on the within-transformed data.
Point estimates are identical under all conventions; ``meta["se_note"]`` names the
one used in words, for table notes.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..errors import ModelError, check_int
from ..results import EstimatesMixin, Results, coefficient_table, inference
from ._design import (
    Cov,
    Effects,
    FixedEffectsOptions,
    SmallSample,
    _as_list,
    _check_effects,
    check_regressors,
    codes,
    collinear_column,
    demean,
    effect_groups,
    panel_ols,
    prepare_panel,
)

__all__ = ["FixedEffectsResults", "fixed_effects"]

CONST = "const"


@dataclasses.dataclass(frozen=True)
class FixedEffectsResults(EstimatesMixin, Results):
    """Estimates of :func:`fixed_effects`.

    Attributes
    ----------
    coefficients : pandas.DataFrame
        One row per regressor (and ``const``), indexed by ``parameter``:
        ``estimate``, ``std_error``, ``statistic`` (t), ``p``, ``ci_low``,
        ``ci_high`` (95 %), referred to t(``df_inference``) (see
        :func:`spatialgreen.results.coefficient_table`).
    statistics : pandas.DataFrame
        ``statistic``/``value`` rows: nobs, units, periods, clusters, df_resid,
        r2, r2_adj, r2_within.
    covariance : pandas.DataFrame
        Covariance matrix of the coefficients (first column ``parameter``).
    meta : dict
        Model, options, dropped rows.
    fit : linearmodels PanelEffectsResults
        The linearmodels result the standard errors come from (with
        ``small_sample="stata"`` and year effects, the year dummies are among its
        parameters).
    """

    coefficients: pd.DataFrame
    statistics: pd.DataFrame
    covariance: pd.DataFrame
    meta: dict = dataclasses.field(default_factory=dict)
    fit: Any = dataclasses.field(default=None, repr=False, compare=False)

    @property
    def cov(self) -> pd.DataFrame:
        """Covariance matrix of the coefficients (labelled rows and columns)."""
        return self.covariance.set_index("parameter")

    def _stat(self, name: str) -> float:
        s = self.statistics.set_index("statistic")["value"]
        return float(s[name])

    @property
    def nobs(self) -> int:
        """Number of observations used."""
        return int(self._stat("nobs"))

    @property
    def n_clusters(self) -> int | None:
        """Number of clusters (None without clustering)."""
        value = self._stat("clusters")
        return None if np.isnan(value) else int(value)

    @property
    def df_resid(self) -> int:
        """Residual degrees of freedom (observations − slopes − effects − 1)."""
        return int(self._stat("df_resid"))

    @property
    def df_inference(self) -> int | None:
        """Degrees of freedom of the t distribution used for p-values.

        ``None`` when the statistics are referred to the normal distribution
        (``small_sample="none"`` with robust or clustered covariances).
        """
        value = self.meta["df_inference"]
        return None if value is None else int(value)

    @property
    def r2(self) -> float:
        """R² of the model including the fixed effects (as reghdfe's ``r2``)."""
        return self._stat("r2")

    @property
    def r2_adj(self) -> float:
        """Adjusted R² with the fixed effects: 1 − (1 − R²)(N − 1)/df_resid."""
        return self._stat("r2_adj")

    @property
    def r2_within(self) -> float:
        """R² after the included effects are projected out (reghdfe's within R²)."""
        return self._stat("r2_within")

    @property
    def fixed_effects(self) -> dict[str, bool]:
        """Which effects are included, as rows for regression tables."""
        use_unit, use_time = _check_effects(self.meta["effects"])
        return {"Unit FE": use_unit, "Year FE": use_time}

    def summary(self) -> str:
        """Coefficient table and fit statistics as text."""
        m = self.meta
        head = (
            f"Fixed effects ({m['effects']}): {m['y']} on "
            f"{', '.join(m['regressors'])}\n"
            f"covariance: {m['cov']}"
            + (f" by {m['cluster']} ({m['small_sample']})" if m["cluster"] else "")
        )
        from ..results import STAR_NOTE, format_coefficients

        with pd.option_context(
            "display.width", 120, "display.float_format", "{:.4f}".format
        ):
            body = format_coefficients(self.coefficients).to_string()
            fit = self.statistics.to_string(index=False)
        return f"{head}\n{body}\n({STAR_NOTE})\n{fit}"


def fixed_effects(
    data: pd.DataFrame,
    *,
    y: str,
    x: str | Sequence[str],
    controls: Sequence[str] = (),
    unit: str = "unit",
    time: str = "year",
    effects: Effects = "twoway",
    cluster: str | None = None,
    cov: Cov | None = None,
    small_sample: SmallSample | Literal["none"] = "stata",
    min_clusters: int = 5,
    missing: Literal["drop", "raise"] = "drop",
    n_dropped_before: dict[str, int] | None = None,
) -> FixedEffectsResults:
    """Estimate a fixed-effects panel regression with linearmodels' PanelOLS.

    ``y_it = x_it'β + c_it'γ + α_i + τ_t + e_it`` with unit effects α, year effects τ
    and a reported constant (the mean of the effects, as Stata's ``_cons``).

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit and period (never modified).
    y : str
        Dependent variable.
    x : str or sequence of str
        Core regressor(s); the first one is the "core" variable of the batteries.
    controls : sequence of str
        Control variables.
    unit, time : str
        Key columns.
    effects : {"twoway", "unit", "time", "none"}
        Fixed effects to absorb.
    cluster : str, optional
        Column to cluster the standard errors on (usually ``unit``).
    cov : {"unadjusted", "robust", "clustered"}, optional
        Covariance; default ``"clustered"`` when ``cluster`` is given, else
        ``"unadjusted"``.
    small_sample : {"stata", "linearmodels", "none"}
        Small-sample convention of clustered SEs (see the module notes):
        Stata's CR1 with t(G-1), linearmodels' N/(N-K-d) with t(N-K-d), or the
        sandwich without any factor (CR0; HC0 with ``cov="robust"``) with z
        statistics. ``meta["se_note"]`` names it for table notes.
    min_clusters : int
        Fewer clusters than this is an error (cluster-robust inference is
        unreliable; consider a wild-cluster bootstrap).
    missing : {"drop", "raise"}
        Drop rows with a missing model variable (with a
        :class:`~spatialgreen.errors.SpatialGreenWarning` naming the columns, units
        and years; the counts are in ``meta["dropped_missing"]``) or raise.
    n_dropped_before : dict, optional
        Rows a calling battery already dropped (by column), merged into ``meta``.

    Returns
    -------
    FixedEffectsResults

    Raises
    ------
    DataError
        Missing columns, non-numeric cells, duplicate (unit, time) rows.
    ModelError
        Constant, absorbed or perfectly collinear regressors; too few clusters.

    Examples
    --------
    The example panel has ``y = … + 0.5·x1 − 0.3·x2 + unit effects + …``:

    >>> from spatialgreen.datasets import example_panel
    >>> res = fixed_effects(example_panel(), y="y", x=["x1", "x2"], cluster="unit")
    >>> res.params[["x1", "x2"]].round(1).tolist(), res.nobs, res.n_clusters
    ([0.5, -0.3], 300, 30)
    """
    xs = _as_list(x)
    ctrls = [c for c in _as_list(controls) if c not in xs]
    regressors = [*xs, *ctrls]
    if not xs:
        raise ModelError("x must name at least one regressor")
    if y in regressors:
        raise ModelError(f"the dependent variable {y!r} is also among the regressors")
    if small_sample not in ("stata", "linearmodels", "none"):
        raise ModelError(
            "small_sample must be 'stata', 'linearmodels' or 'none', got "
            f"{small_sample!r}"
        )
    use_unit, use_time = _check_effects(effects)
    check_int(min_clusters, "min_clusters", minimum=1)
    cov_type = cov or ("clustered" if cluster else "unadjusted")
    if cov_type not in ("unadjusted", "robust", "clustered"):
        raise ModelError(
            f"cov must be 'unadjusted', 'robust' or 'clustered', got {cov!r}"
        )
    if cov_type == "clustered" and not cluster:
        raise ModelError("cov='clustered' needs a cluster column (e.g. cluster=unit)")

    frame, dropped = prepare_panel(
        data,
        variables=[y, *regressors],
        unit=unit,
        time=time,
        extra=[cluster] if cluster else [],
        missing=missing,
        who="fixed_effects",  # this call's drops; a battery's come in n_dropped_before
    )
    if n_dropped_before:
        dropped = {**dropped, **n_dropped_before}
    check_regressors(frame, regressors)
    unit_codes = codes(frame[unit])
    time_codes = codes(frame[time])
    _check_identified(
        frame, regressors, effect_groups(unit_codes, time_codes, effects), effects
    )

    n_clusters = None
    nested = time_nested = False
    if cov_type == "clustered":
        assert cluster is not None
        if frame[cluster].isna().any():
            raise ModelError(f"cluster column {cluster!r} has missing values")
        n_clusters = int(frame[cluster].nunique())
        if n_clusters < min_clusters:
            raise ModelError(
                f"only {n_clusters} clusters in {cluster!r}; clustered standard "
                f"errors need at least {min_clusters} (set min_clusters lower at your "
                "own risk, or use cov='robust' / a wild-cluster bootstrap)"
            )
        nested = bool(frame.groupby(unit)[cluster].nunique().max() == 1)
        time_nested = bool(frame.groupby(time)[cluster].nunique().max() == 1)

    index = pd.MultiIndex.from_arrays(
        [unit_codes[0], time_codes[0]], names=[unit, time]
    )
    dep = pd.Series(frame[y].to_numpy(), index=index, name=y)
    exog = pd.DataFrame(frame[regressors].to_numpy(), index=index, columns=regressors)
    exog[CONST] = 1.0
    clusters = codes(frame[cluster])[0] if cov_type == "clustered" else None
    base = panel_ols(
        dep,
        exog,
        cov_type=cov_type,
        clusters=clusters,
        entity_effects=use_unit,
        time_effects=use_time,
    )
    report = base
    df_inference: int | None = int(base.df_resid)
    if cov_type != "unadjusted" and small_sample == "none":
        report = _panel_ols_cr0(
            dep,
            exog,
            cov_type=cov_type,
            clusters=clusters,
            entity_effects=use_unit,
            time_effects=use_time,
        )
        df_inference = None
    elif cov_type == "clustered" and small_sample == "stata":
        exog_s = exog
        if use_time:
            # centred dummies keep ``const`` the same parameter as in ``base``
            dummies = pd.get_dummies(
                time_codes[0], prefix="_year", drop_first=True, dtype=float
            )
            dummies.index = index
            exog_s = pd.concat([exog, dummies - dummies.mean()], axis=1)
        report = panel_ols(
            dep,
            exog_s,
            cov_type="clustered",
            clusters=clusters,
            group_debias=True,
            entity_effects=use_unit,
        )
        assert n_clusters is not None
        df_inference = n_clusters - 1

    names = [*regressors, CONST]
    coefficients = coefficient_table(
        base.params[names], report.std_errors[names], df=df_inference
    )
    covariance = report.cov.loc[names, names].rename_axis("parameter").reset_index()

    nobs = int(base.nobs)
    r2 = float(base.rsquared_inclusive)
    statistics = pd.DataFrame(
        {
            "statistic": [
                "nobs",
                "units",
                "periods",
                "clusters",
                "df_resid",
                "r2",
                "r2_adj",
                "r2_within",
            ],
            "value": [
                nobs,
                unit_codes[1],
                time_codes[1],
                np.nan if n_clusters is None else n_clusters,
                int(base.df_resid),
                r2,
                1 - (1 - r2) * (nobs - 1) / base.df_resid,
                float(base.rsquared),
            ],
        }
    )
    se_scale = _se_scale(
        cov_type,
        small_sample,
        nobs=nobs,
        k=len(names),
        n_units=unit_codes[1],
        n_periods=time_codes[1],
        n_clusters=n_clusters,
        effects=effects,
        unit_nested=nested,
        time_nested=time_nested,
        df_resid=int(base.df_resid),
    )
    meta = {
        "model": "fixed_effects",
        "estimator": "linearmodels.PanelOLS",
        "y": y,
        "x": xs,
        "controls": ctrls,
        "regressors": regressors,
        "unit": unit,
        "time": time,
        "effects": effects,
        "cov": cov_type,
        "cluster": cluster if cov_type == "clustered" else None,
        "unit_nested_in_cluster": nested,
        "small_sample": (
            small_sample
            if cov_type == "clustered"
            or (cov_type == "robust" and small_sample == "none")
            else "n/(n-k-d)"
        ),
        "se_note": _se_note(cov_type, small_sample, cluster, df_inference),
        "df_inference": df_inference,
        "inference": inference(df_inference),
        "nobs": nobs,
        "se_scale": se_scale,
        "dropped_missing": dropped,
    }
    return FixedEffectsResults(coefficients, statistics, covariance, meta, report)


def _panel_ols_cr0(
    dep: pd.Series,
    exog: pd.DataFrame,
    *,
    cov_type: str,
    clusters: np.ndarray | None,
    **effects: Any,
) -> Any:
    """PanelOLS whose robust/clustered covariance is the bare sandwich ``V_0``.

    ``debiased=False`` drops N/(N-K), and ``auto_df=False, count_effects=False``
    stops linearmodels from scaling by N/(N-d) for the absorbed effects; its
    statistics are then referred to the normal distribution.
    """
    import warnings

    from linearmodels import PanelOLS

    options: dict[str, Any] = {
        "cov_type": cov_type,
        "debiased": False,
        "auto_df": False,
        "count_effects": False,
    }
    if clusters is not None:
        options["clusters"] = pd.DataFrame({"cluster": clusters}, index=dep.index)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        return PanelOLS(dep, exog, **effects).fit(**options)


def _se_note(
    cov_type: str, small_sample: str, cluster: str | None, df: int | None
) -> str:
    """The covariance convention in words, for the note under a table."""
    if cov_type == "unadjusted":
        return f"Conventional standard errors; t({df})"
    if cov_type == "robust":
        if small_sample == "none":
            return "Heteroskedasticity-robust standard errors (HC0, no factor); z"
        return f"Heteroskedasticity-robust standard errors, N/(N-K-d); t({df})"
    what = f"Standard errors clustered by {cluster}"
    if small_sample == "stata":
        return f"{what}, Stata convention G/(G-1)·(N-1)/(N-K); t({df})"
    if small_sample == "linearmodels":
        return f"{what}, linearmodels convention N/(N-K-d); t({df})"
    return f"{what}, no small-sample factor (CR0); z"


def _with_defaults(fe_options: FixedEffectsOptions) -> dict[str, Any]:
    """``fe_options`` completed with the defaults of :func:`fixed_effects`."""
    defaults = {
        name: p.default
        for name, p in inspect.signature(fixed_effects).parameters.items()
        if p.kind is p.KEYWORD_ONLY and p.default is not p.empty
    }
    return {**defaults, **fe_options}


def _check_identified(
    frame: pd.DataFrame,
    regressors: Sequence[str],
    groups: list[tuple[np.ndarray, int]],
    effects: str,
) -> None:
    """Raise ModelError naming a regressor absorbed by the effects or collinear."""
    raw = frame[list(regressors)].to_numpy(dtype=float)
    within = demean(raw, groups)
    for j, name in enumerate(regressors):
        norm_raw = float(np.linalg.norm(raw[:, j] - raw[:, j].mean()))
        if np.linalg.norm(within[:, j]) <= 1e-8 * max(norm_raw, 1e-300):
            raise ModelError(
                f"regressor {name!r} is absorbed by the {effects} fixed effects "
                "(it does not vary within units and years); drop it or change effects"
            )
    bad = collinear_column(within, list(regressors))
    if bad is not None:
        raise ModelError(
            f"regressor {bad!r} is perfectly collinear with the other regressors "
            "(after removing the fixed effects); drop it or one of its partners"
        )


def _se_scale(
    cov_type: str,
    small_sample: str,
    *,
    nobs: int,
    k: int,
    n_units: int,
    n_periods: int,
    n_clusters: int | None,
    effects: str,
    unit_nested: bool,
    time_nested: bool,
    df_resid: int,
) -> float:
    """Scalar factor ``c`` with ``Var(b_j) = c · meat_j / (x̃_j'x̃_j)²``.

    The meat is SSR·x̃'x̃ (unadjusted), Σ x̃²e² (robust) or Σ_g (Σ_i x̃e)² (clustered).
    It lets the resampling procedures reproduce the linearmodels standard errors of
    one coefficient from its partialled-out regressor; tests pin it to linearmodels.
    """
    use_unit, use_time = _check_effects(effects)
    if cov_type == "unadjusted":
        return 1.0 / df_resid
    if small_sample == "none":
        return 1.0
    if cov_type == "robust":
        return nobs / df_resid
    assert n_clusters is not None
    if small_sample == "stata":
        big_k = (
            k
            + (n_periods - 1) * use_time
            + (n_units - 1) * (use_unit and not unit_nested)
        )
        return n_clusters / (n_clusters - 1) * (nobs - 1) / (nobs - big_k)
    n_effects = (n_units - 1) * use_unit + (n_periods - 1) * use_time
    single_nested = (use_unit != use_time) and (
        unit_nested if use_unit else time_nested
    )
    extra = 0 if single_nested else n_effects
    return nobs / (nobs - k - extra)
