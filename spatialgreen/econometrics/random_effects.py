"""Random-effects (GLS) panel regression (Swamy–Arora) on top of linearmodels.

The estimator is :class:`linearmodels.RandomEffects`: the Swamy–Arora variance
components from the within and between regressions, quasi-demeaning by
``θ_i = 1 − σ_e / √(T_i σ_u² + σ_e²)`` and OLS on the transformed data.

Variance components in unbalanced panels
----------------------------------------
In a balanced panel the two choices below are identical (and equal to Baltagi's
Swamy–Arora estimator and R ``plm``'s ``random.method="swar"``).
``method="swar"`` (default) is the small-sample Swamy–Arora estimator of Baltagi &
Chang (1994), which R ``plm`` uses for unbalanced panels and Stata's ``xtreg, re sa``
(linearmodels ``small_sample=True``); ``method="harmonic"`` is Stata's default
``xtreg, re``: ``σ_u² = SSR_b/(n − K_b) − σ_e²/T̄`` with T̄ the harmonic mean of the
units' numbers of periods (linearmodels' default).

Covariance conventions
----------------------
Conventional standard errors use ``s² = SSR*/(N − K)`` of the quasi-demeaned
regression, with z statistics, as R ``plm`` and Stata ``xtreg, re`` report them.
Clustered: ``small_sample="stata"`` scales the sandwich by G/(G−1)·(N−1)/(N−K) (what
linearmodels documents as Stata's ``xtreg, re vce(cluster …)``), with z;
``"linearmodels"`` by N/(N−K) with t(N−K); ``"none"`` is the bare sandwich (CR0, R
``plm::vcovHC(type="HC0", cluster="group")``) with z. ``meta["se_note"]`` names the
convention for table notes.

References
----------
Swamy, P. & Arora, S. (1972) *Econometrica* 40(2):261–275. Baltagi, B. H. & Chang,
Y.-J. (1994) *J. Econometrics* 62(2):67–89. Baltagi, B. H. *Econometric Analysis of
Panel Data*, Table 2.1. The Hausman test against fixed effects is :func:`.hausman`.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..errors import ModelError
from ..results import EstimatesMixin, Results, coefficient_table, inference
from ._design import (
    Cov,
    _as_list,
    check_regressors,
    codes,
    collinear_column,
    prepare_panel,
)

__all__ = ["RandomEffectsResults", "random_effects"]

CONST = "const"
_YEAR = "_year_"


@dataclasses.dataclass(frozen=True)
class RandomEffectsResults(EstimatesMixin, Results):
    """Estimates of :func:`random_effects`.

    Attributes
    ----------
    coefficients : pandas.DataFrame
        One row per regressor and ``const`` (year dummies, if any, are in
        ``fit``): ``estimate``, ``std_error``, ``statistic`` (z, or t with the
        linearmodels convention), ``p``, ``ci_low``, ``ci_high``.
    statistics : pandas.DataFrame
        ``statistic``/``value`` rows: nobs, units, periods, clusters, df_resid,
        sigma_u, sigma_e, rho (σ_u²/(σ_u² + σ_e²)), theta (NaN in an unbalanced
        panel), theta_min, theta_max, r2 (of the quasi-demeaned regression, R
        plm's R-squared), r2_within, r2_between, r2_overall (linearmodels'
        definitions: 1 − SSR/TSS of the GLS coefficients in each dimension).
    covariance : pandas.DataFrame
        Covariance of the coefficients (first column ``parameter``).
    thetas : pandas.DataFrame
        The quasi-demeaning weight by unit: unit, periods, theta.
    meta : dict
        Model, options, conventions, dropped rows.
    fit : linearmodels RandomEffectsResults
        The linearmodels result.
    """

    coefficients: pd.DataFrame
    statistics: pd.DataFrame
    covariance: pd.DataFrame
    thetas: pd.DataFrame
    meta: dict = dataclasses.field(default_factory=dict)
    fit: Any = dataclasses.field(default=None, repr=False, compare=False)

    @property
    def cov(self) -> pd.DataFrame:
        """Covariance matrix of the coefficients (labelled rows and columns)."""
        return self.covariance.set_index("parameter")

    def _stat(self, name: str) -> float:
        return float(self.statistics.set_index("statistic")["value"][name])

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
    def df_inference(self) -> int | None:
        """Degrees of freedom of the t statistics (None: normal, z)."""
        value = self.meta["df_inference"]
        return None if value is None else int(value)

    @property
    def sigma_u(self) -> float:
        """Standard deviation of the unit effects."""
        return self._stat("sigma_u")

    @property
    def sigma_e(self) -> float:
        """Standard deviation of the idiosyncratic error."""
        return self._stat("sigma_e")

    @property
    def rho(self) -> float:
        """Share of the error variance due to the unit effects."""
        return self._stat("rho")

    @property
    def theta(self) -> float:
        """The quasi-demeaning weight θ; NaN when units differ in periods (see
        ``thetas``)."""
        return self._stat("theta")

    @property
    def r2(self) -> float:
        """R² of the quasi-demeaned (GLS) regression."""
        return self._stat("r2")

    @property
    def r2_within(self) -> float:
        """R² of the GLS coefficients on the within-transformed data."""
        return self._stat("r2_within")

    @property
    def r2_between(self) -> float:
        """R² of the GLS coefficients on the unit means."""
        return self._stat("r2_between")

    @property
    def r2_overall(self) -> float:
        """R² of the GLS coefficients on the pooled data."""
        return self._stat("r2_overall")

    @property
    def fixed_effects(self) -> dict[str, bool]:
        """Which effects are included, as rows for regression tables."""
        return {
            "Unit FE": False,
            "Year FE": self.meta["effects"] == "twoway",
            "Unit RE": True,
        }

    def summary(self) -> str:
        """Coefficient table, variance components and fit statistics as text."""
        m = self.meta
        head = (
            f"Random effects ({m['method']}, effects={m['effects']}): {m['y']} on "
            f"{', '.join(m['regressors'])}\n{m['se_note']}"
        )
        from ..results import STAR_NOTE, format_coefficients

        with pd.option_context(
            "display.width", 120, "display.float_format", "{:.4f}".format
        ):
            body = format_coefficients(self.coefficients).to_string()
            fit = self.statistics.to_string(index=False)
        return f"{head}\n{body}\n({STAR_NOTE})\n{fit}"


def random_effects(
    data: pd.DataFrame,
    *,
    y: str,
    x: str | Sequence[str],
    controls: Sequence[str] = (),
    unit: str = "unit",
    time: str = "year",
    effects: Literal["unit", "twoway"] = "unit",
    method: Literal["swar", "harmonic"] = "swar",
    cluster: str | None = None,
    cov: Cov | None = None,
    small_sample: Literal["stata", "linearmodels", "none"] = "stata",
    min_clusters: int = 5,
    missing: Literal["drop", "raise"] = "drop",
) -> RandomEffectsResults:
    """Estimate a random-effects (GLS) panel regression with linearmodels.

    ``y_it = c + x_it'β + u_i + e_it`` with random unit effects ``u_i`` (and fixed
    year effects with ``effects="twoway"``), Swamy–Arora variance components.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel (never modified).
    y : str
        Dependent variable.
    x : str or sequence of str
        Core regressor(s). Time-invariant regressors are allowed.
    controls : sequence of str
        Control variables.
    unit, time : str
        Key columns.
    effects : {"unit", "twoway"}
        ``"unit"``: random unit effects; ``"twoway"``: random unit effects plus
        year dummies (Stata ``xtreg y x i.year, re``; ``const`` is then the
        intercept of the first year). It is not the two-way random-effects model.
    method : {"swar", "harmonic"}
        Variance components in unbalanced panels (see the module notes): R plm's
        Swamy–Arora (Baltagi–Chang) or Stata's default harmonic-mean rule.
    cluster : str, optional
        Column to cluster the standard errors on (usually ``unit``).
    cov : {"unadjusted", "robust", "clustered"}, optional
        Covariance; default ``"clustered"`` when ``cluster`` is given.
    small_sample : {"stata", "linearmodels", "none"}
        Factor of robust/clustered covariances (see the module notes);
        ``"linearmodels"`` also refers the statistics to t(N − K).
    min_clusters : int
        Fewer clusters than this is an error.
    missing : {"drop", "raise"}
        Drop rows with a missing model variable (with a
        :class:`~spatialgreen.errors.SpatialGreenWarning` naming the columns, units
        and years; counted in ``meta["dropped_missing"]``) or raise.

    Returns
    -------
    RandomEffectsResults

    Raises
    ------
    DataError
        Missing columns, non-numeric cells, duplicate (unit, time) rows.
    ModelError
        Constant or collinear regressors, too few units or clusters for the
        variance components or the covariance.

    Examples
    --------
    The example panel has ``y = … + 0.5·x1 − 0.3·x2 + unit effects + …``:

    >>> from spatialgreen.datasets import example_panel
    >>> res = random_effects(example_panel(), y="y", x=["x1", "x2"])
    >>> res.params[["x1", "x2"]].round(1).tolist(), res.nobs
    ([0.5, -0.3], 300)
    >>> 0 < res.theta < 1 and res.sigma_u > 0
    True
    """
    xs = _as_list(x)
    ctrls = [c for c in _as_list(controls) if c not in xs]
    regressors = [*xs, *ctrls]
    if not xs:
        raise ModelError("x must name at least one regressor")
    if y in regressors:
        raise ModelError(f"the dependent variable {y!r} is also among the regressors")
    if effects not in ("unit", "twoway"):
        raise ModelError(
            f"effects must be 'unit' or 'twoway' for random effects, got {effects!r}"
        )
    if method not in ("swar", "harmonic"):
        raise ModelError(f"method must be 'swar' or 'harmonic', got {method!r}")
    if small_sample not in ("stata", "linearmodels", "none"):
        raise ModelError(
            "small_sample must be 'stata', 'linearmodels' or 'none', got "
            f"{small_sample!r}"
        )
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
        who="random_effects",
    )
    check_regressors(frame, regressors)
    unit_codes, unit_labels = pd.factorize(frame[unit], sort=True)
    time_codes, n_periods = codes(frame[time])
    n_units = len(unit_labels)
    index = pd.MultiIndex.from_arrays([unit_codes, time_codes], names=[unit, time])
    exog = pd.DataFrame(frame[regressors].to_numpy(), index=index, columns=regressors)
    exog[CONST] = 1.0
    if effects == "twoway":
        dummies = pd.get_dummies(time_codes, prefix=_YEAR[:-1], drop_first=True)
        dummies.index = index
        exog = pd.concat([exog, dummies.astype(float)], axis=1)
    bad = collinear_column(exog.to_numpy(float), list(exog.columns))
    if bad is not None:
        raise ModelError(
            f"regressor {bad!r} is perfectly collinear with the other regressors "
            "(and the constant or year dummies); drop it or one of its partners"
        )
    n_clusters = None
    options: dict[str, Any] = {
        "cov_type": cov_type,
        "small_sample": method == "swar",
        "debiased": cov_type == "unadjusted" or small_sample != "none",
    }
    if cov_type == "clustered":
        assert cluster is not None
        if frame[cluster].isna().any():
            raise ModelError(f"cluster column {cluster!r} has missing values")
        n_clusters = int(frame[cluster].nunique())
        if n_clusters < min_clusters:
            raise ModelError(
                f"only {n_clusters} clusters in {cluster!r}; clustered standard "
                f"errors need at least {min_clusters} (set min_clusters lower at your "
                "own risk, or use cov='robust')"
            )
        options["clusters"] = pd.DataFrame(
            {"cluster": codes(frame[cluster])[0]}, index=index
        )
        options["group_debias"] = small_sample == "stata"
    dep = pd.Series(frame[y].to_numpy(), index=index, name=y)
    fit = _fit(dep, exog, options)

    df_resid = int(fit.df_resid)
    df_inference = df_resid if small_sample == "linearmodels" else None
    names = [*regressors, CONST]
    coefficients = coefficient_table(
        fit.params[names], fit.std_errors[names], df=df_inference
    )
    covariance = fit.cov.loc[names, names].rename_axis("parameter").reset_index()
    theta = fit.theta["theta"].reindex(range(n_units)).to_numpy(float)
    periods = np.bincount(unit_codes, minlength=n_units)
    thetas = pd.DataFrame({unit: unit_labels, "periods": periods, "theta": theta})
    decomposition = fit.variance_decomposition
    sigma2_u, sigma2_e = (
        float(decomposition["Effects"]),
        float(decomposition["Residual"]),
    )
    values = {
        "nobs": int(fit.nobs),
        "units": n_units,
        "periods": n_periods,
        "clusters": np.nan if n_clusters is None else n_clusters,
        "df_resid": df_resid,
        "sigma_u": np.sqrt(sigma2_u),
        "sigma_e": np.sqrt(sigma2_e),
        "rho": float(decomposition["Percent due to Effects"]),
        "theta": float(theta[0]) if np.ptp(periods) == 0 else np.nan,
        "theta_min": float(theta.min()),
        "theta_max": float(theta.max()),
        "r2": float(fit.rsquared),
        "r2_within": float(fit.rsquared_within),
        "r2_between": float(fit.rsquared_between),
        "r2_overall": float(fit.rsquared_overall),
    }
    statistics = pd.DataFrame(
        {"statistic": list(values), "value": list(values.values())}
    )
    meta = {
        "model": "random_effects",
        "estimator": "linearmodels.RandomEffects (Swamy-Arora)",
        "y": y,
        "x": xs,
        "controls": ctrls,
        "regressors": regressors,
        "unit": unit,
        "time": time,
        "effects": effects,
        "method": method,
        "const": "intercept of the first year" if effects == "twoway" else "intercept",
        "cov": cov_type,
        "cluster": cluster if cov_type == "clustered" else None,
        "small_sample": small_sample if cov_type != "unadjusted" else "n/(n-k)",
        "se_note": _se_note(cov_type, small_sample, cluster, df_inference),
        "df_inference": df_inference,
        "inference": inference(df_inference),
        "nobs": int(fit.nobs),
        "dropped_missing": dropped,
    }
    return RandomEffectsResults(coefficients, statistics, covariance, thetas, meta, fit)


def _fit(dep: pd.Series, exog: pd.DataFrame, options: dict[str, Any]) -> Any:
    """linearmodels RandomEffects; unidentified variance components → ModelError."""
    from linearmodels import RandomEffects

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=RuntimeWarning)
            return RandomEffects(dep, exog).fit(**options)
    except ValueError as exc:
        if "cannot be estimated" in str(exc):
            raise ModelError(f"random effects: {exc}") from exc
        raise


def _se_note(
    cov_type: str, small_sample: str, cluster: str | None, df: int | None
) -> str:
    """The covariance convention in words, for the note under a table."""
    dist = "z" if df is None else f"t({df})"
    if cov_type == "unadjusted":
        return f"Conventional GLS standard errors, s² = SSR/(N-K); {dist}"
    what = (
        f"Standard errors clustered by {cluster}"
        if cov_type == "clustered"
        else "Heteroskedasticity-robust standard errors"
    )
    if small_sample == "none":
        return f"{what}, no small-sample factor; {dist}"
    if small_sample == "stata" and cov_type == "clustered":
        return f"{what}, Stata convention G/(G-1)·(N-1)/(N-K); {dist}"
    return f"{what}, N/(N-K); {dist}"
