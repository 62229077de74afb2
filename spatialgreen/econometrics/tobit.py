"""Tobit regression for bounded dependent variables (efficiency scores in [0, 1]).

``y* = x'β + e`` (pooled) or ``y*_it = x_it'β + u_i + e_it`` (random effects,
``u_i ~ N(0, σ_u²)`` independent of ``e_it ~ N(0, σ_e²)``), observed as
``y = min(max(y*, L), R)`` with a left limit ``L``, a right limit ``R`` or both
(``left=0, right=1`` for DEA scores). Estimated by maximum likelihood
(:mod:`._tobit_lik`): trust-region Newton with the analytic Hessian (pooled) or with
the analytic gradient and a Hessian by central differences of it (random effects).

Censoring
---------
As in Stata (``tobit, ll() ul()``) and R (``AER::tobit``), an observation at or
beyond a limit is censored there. Values strictly beyond a limit cannot arise in the
model, so they are counted and reported in a warning (they usually mean the limit is
wrong, e.g. super-efficiency scores above 1). Values within ``1e-9 · max(1, |limit|)``
of a limit count as at the limit, so an LP score of ``0.9999999999`` is censored at 1.

Random effects
--------------
The unit effect is integrated out by **adaptive** Gauss–Hermite quadrature with
``quadrature`` points (default 12), Stata ``xttobit``'s default method
(``intmethod(mvaghermite)``): each unit's nodes are centred on the mode of its
integrand and scaled by its curvature; ``adaptive=False`` gives plain Gauss–Hermite
(``intmethod(ghermite)``), which needs many more points when units have many periods
or ρ is large. Units censored in every period (always-efficient units) make the
integrand skewed, so even adaptive quadrature can need more points: the fit is
repeated with twice the points and a warning names the largest move of an estimate
(in standard errors) when it exceeds 0.01, like Stata's ``quadchk``.
The likelihood-ratio test of σ_u = 0 against the pooled Tobit is reported with its
boundary-corrected p-value (χ̄²(01): half of χ²(1)). When the likelihood is highest
at σ_u = 0 (its score in σ_u² at zero is not positive) the pooled estimates are
reported with σ_u = ρ = 0 and a warning.

Standard errors
---------------
``cov="oim"`` (default): inverse of the observed information, as R ``AER::tobit``
and Stata report. For the pooled model, ``cov="robust"`` is the sandwich
``H⁻¹(Σ s_i s_i')H⁻¹`` and ``cov="clustered"`` sums the scores within clusters;
``small_sample="stata"`` multiplies them by N/(N−1) or G/(G−1) (Stata's ``vce(robust)``
and ``vce(cluster)`` after ML), ``"none"`` reports the bare sandwich (R
``sandwich::sandwich``; ``vcovCL(type="HC0", cadjust=FALSE)``). Statistics are z.

Marginal effects
----------------
:meth:`TobitResults.marginal_effects` on the latent (``β``), censored (observed
``E[y]``) and truncated (``E[y | L < y < R]``) scales, at the means of the regressors
or averaged over the sample, with delta-method standard errors. For the
random-effects model the censored and truncated scales take ``u_i = 0`` (σ = σ_e, as
Stata's ``xttobit`` predictions ``e0``/``ys0``) or, with
``unit_effect="integrated"``, average over ``u_i`` (σ = √(σ_u² + σ_e²)).

References
----------
Tobin, J. (1958) *Econometrica* 26(1):24–36. McDonald, J. F. & Moffitt, R. A. (1980)
*Rev. Econ. Stat.* 62(2):318–321. Liu, Q. & Pierce, D. A. (1994) *Biometrika*
81(3):624–629. Kleiber, C. & Zeileis, A. (2008) *Applied Econometrics with R*,
sec. 5.3 (the affairs example the tests reproduce).
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import ModelError, SpatialGreenWarning
from ..results import EstimatesMixin, Results, coefficient_table, inference
from . import _tobit_data as prep
from . import _tobit_lik as lik
from . import _tobit_margins as margins
from ._design import _as_list, check_regressors, codes, collinear_column

__all__ = ["TobitMarginalEffects", "TobitResults", "tobit"]

CONST = "const"
Kind = Literal["latent", "censored", "truncated"]


@dataclasses.dataclass(frozen=True)
class TobitMarginalEffects(EstimatesMixin, Results):
    """Marginal effects of a Tobit fit (:meth:`TobitResults.marginal_effects`).

    ``coefficients`` holds one row per regressor (``estimate`` is dy/dx) with
    delta-method standard errors and z statistics, so the effects go into
    :func:`~spatialgreen.econometrics.regression_table` beside the coefficients.
    """

    coefficients: pd.DataFrame
    meta: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class TobitResults(EstimatesMixin, Results):
    """Estimates of :func:`tobit`.

    Attributes
    ----------
    coefficients : pandas.DataFrame
        β of the latent equation (regressors and ``const``): ``estimate``,
        ``std_error``, ``statistic`` (z), ``p``, ``ci_low``, ``ci_high``.
    ancillary : pandas.DataFrame
        ``sigma`` (pooled) or ``sigma_u``, ``sigma_e``, ``rho`` (random effects):
        estimate, std_error (delta method), ci_low, ci_high (from the interval of
        the log scale, so always positive; ρ's from that of log σ_u − log σ_e).
    statistics : pandas.DataFrame
        ``statistic``/``value`` rows: nobs, units, clusters, n_left, n_uncensored,
        n_right, loglik, the σ's and ρ, wald_chi2/df/p of the slopes; pooled:
        loglik_null, lr_chi2/df/p against the constant-only Tobit and pseudo_r2
        (McFadden, as Stata's ``tobit`` reports it); random effects:
        loglik_pooled, lr_sigma_u and lr_sigma_u_p (test of σ_u = 0).
    covariance : pandas.DataFrame
        Covariance of all estimated parameters (β, ``log_sigma`` or
        ``log_sigma_e``, ``log_sigma_u``), first column ``parameter``.
    meta : dict
        Model, limits, options, conventions, dropped rows.
    """

    coefficients: pd.DataFrame
    ancillary: pd.DataFrame
    statistics: pd.DataFrame
    covariance: pd.DataFrame
    meta: dict = dataclasses.field(default_factory=dict)
    data: lik.TobitData | None = dataclasses.field(
        default=None, repr=False, compare=False
    )

    def _stat(self, name: str) -> float:
        table = self.statistics.set_index("statistic")["value"]
        return float(table[name]) if name in table.index else float("nan")

    @property
    def cov(self) -> pd.DataFrame:
        """Covariance of all parameters (labelled rows and columns)."""
        return self.covariance.set_index("parameter")

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
    def loglik(self) -> float:
        """Maximised log-likelihood."""
        return self._stat("loglik")

    @property
    def sigma(self) -> float:
        """σ of the pooled model's error (NaN for random effects)."""
        return self._stat("sigma")

    @property
    def sigma_u(self) -> float:
        """σ of the unit effects (random effects; NaN for pooled)."""
        return self._stat("sigma_u")

    @property
    def sigma_e(self) -> float:
        """σ of the idiosyncratic error (random effects; NaN for pooled)."""
        return self._stat("sigma_e")

    @property
    def rho(self) -> float:
        """σ_u² / (σ_u² + σ_e²) (random effects; NaN for pooled)."""
        return self._stat("rho")

    @property
    def pseudo_r2(self) -> float:
        """McFadden's pseudo-R², 1 − loglik/loglik_null (pooled; NaN otherwise)."""
        return self._stat("pseudo_r2")

    @property
    def n_left(self) -> int:
        """Observations censored at the left limit."""
        return int(self._stat("n_left"))

    @property
    def n_right(self) -> int:
        """Observations censored at the right limit."""
        return int(self._stat("n_right"))

    @property
    def n_uncensored(self) -> int:
        """Observations strictly between the limits."""
        return int(self._stat("n_uncensored"))

    @property
    def fixed_effects(self) -> dict[str, bool]:
        """Effect rows for regression tables: "Unit RE" on panel data."""
        if self.meta["unit"] is None:
            return {}
        return {"Unit RE": self.meta["panel"] == "random"}

    def marginal_effects(
        self,
        kind: Kind = "censored",
        *,
        at: Literal["mean", "average"] = "average",
        unit_effect: Literal["zero", "integrated"] = "zero",
    ) -> TobitMarginalEffects:
        """Marginal effects of the regressors with delta-method standard errors.

        Parameters
        ----------
        kind : {"latent", "censored", "truncated"}
            ``E[y*]`` (the coefficients), the observed ``E[y]`` (censored at the
            limits), or ``E[y | L < y < R]``.
        at : {"mean", "average"}
            At the means of the regressors (Stata ``margins, dydx(*) atmeans``) or
            averaged over the sample (average marginal effects).
        unit_effect : {"zero", "integrated"}
            Random effects only: evaluate at ``u_i = 0`` (σ_e) or average over the
            unit effects (σ = √(σ_u² + σ_e²)).

        Returns
        -------
        TobitMarginalEffects

        Examples
        --------
        >>> from spatialgreen.datasets import example_panel
        >>> df = example_panel()
        >>> df["score"] = df["y"].clip(lower=0)
        >>> fit = tobit(df, y="score", x=["x1", "x2"])
        >>> me = fit.marginal_effects("censored")
        >>> bool(abs(me.params["x1"]) < abs(fit.params["x1"]))
        True
        """
        if kind not in ("latent", "censored", "truncated"):
            raise ModelError(
                f"kind must be 'latent', 'censored' or 'truncated', got {kind!r}"
            )
        if at not in ("mean", "average"):
            raise ModelError(f"at must be 'mean' or 'average', got {at!r}")
        if unit_effect not in ("zero", "integrated"):
            raise ModelError(
                f"unit_effect must be 'zero' or 'integrated', got {unit_effect!r}"
            )
        assert self.data is not None
        names = list(self.meta["regressors"])
        random = self.meta["panel"] == "random"
        effects, std_errors = margins.with_std_errors(
            self.data,
            np.asarray(self.meta["theta"], dtype=float),
            self.cov.to_numpy(float),
            len(names),
            kind=kind,
            at=at,
            sigma="pooled" if not random else unit_effect,
        )
        table = coefficient_table(pd.Series(effects, index=names), std_errors)
        scale = {
            "latent": "E[y*] (latent)",
            "censored": "E[y] (observed, censored)",
            "truncated": "E[y | uncensored]",
        }[kind]
        where = "at the means of the regressors" if at == "mean" else "averaged"
        meta = {
            "model": "tobit_marginal_effects",
            "y": self.meta["y"],
            "controls": self.meta["controls"],
            "kind": kind,
            "at": at,
            "unit_effect": unit_effect if random else None,
            "nobs": self.nobs,
            "inference": inference(None),
            "se_note": f"Marginal effects on {scale}, {where}; delta-method "
            "standard errors; z",
        }
        return TobitMarginalEffects(table, meta)

    def summary(self) -> str:
        """Coefficients, ancillary parameters and fit statistics as text."""
        from ..results import STAR_NOTE, format_coefficients

        m = self.meta
        head = (
            f"{'Random-effects' if m['panel'] == 'random' else 'Pooled'} Tobit "
            f"(left={m['left']}, right={m['right']}): {m['y']} on "
            f"{', '.join(m['regressors'])}\n{m['se_note']}"
        )
        with pd.option_context(
            "display.width", 120, "display.float_format", "{:.4f}".format
        ):
            body = format_coefficients(self.coefficients).to_string()
            extra = format_coefficients(self.ancillary).to_string()
            fit = self.statistics.to_string(index=False)
        return f"{head}\n{body}\n{extra}\n({STAR_NOTE})\n{fit}"


def tobit(
    data: pd.DataFrame,
    *,
    y: str,
    x: str | Sequence[str],
    controls: Sequence[str] = (),
    left: float | None = 0.0,
    right: float | None = None,
    unit: str | None = None,
    time: str | None = None,
    panel: Literal["pooled", "random"] = "pooled",
    quadrature: int = 12,
    adaptive: bool = True,
    quadrature_check: bool = True,
    cov: Literal["oim", "robust", "clustered"] | None = None,
    cluster: str | None = None,
    small_sample: Literal["stata", "none"] = "stata",
    min_clusters: int = 5,
    missing: Literal["drop", "raise"] = "drop",
) -> TobitResults:
    """Estimate a pooled or random-effects Tobit model by maximum likelihood.

    Parameters
    ----------
    data : pandas.DataFrame
        One cross-section or a long panel (never modified).
    y : str
        Dependent variable, censored at ``left`` and/or ``right``.
    x : str or sequence of str
        Core regressor(s).
    controls : sequence of str
        Control variables (recorded so tables can summarise them).
    left, right : float or None
        Censoring limits (``None``: no limit on that side); at least one.
    unit, time : str, optional
        Key columns: ``unit`` is required for ``panel="random"``; with both, the
        (unit, time) rows are checked for duplicates.
    panel : {"pooled", "random"}
        Pooled (cross-section) Tobit, or random unit effects (Stata ``xttobit``).
    quadrature : int
        Gauss–Hermite points for the random effects.
    adaptive : bool
        Adaptive (default, as Stata) or plain Gauss–Hermite quadrature.
    quadrature_check : bool
        Random effects: refit with twice the points and warn when an estimate
        moves by more than 1% of its standard error (Stata's ``quadchk``); the
        largest move, in standard errors, is the statistic ``quadrature_shift``.
    cov : {"oim", "robust", "clustered"}, optional
        Covariance; default ``"clustered"`` when ``cluster`` is given, else
        ``"oim"``. Random effects: ``"oim"`` only.
    cluster : str, optional
        Column to cluster on (pooled model).
    small_sample : {"stata", "none"}
        Factor of robust/clustered covariances: N/(N−1) or G/(G−1), or none.
    min_clusters : int
        Fewer clusters than this is an error.
    missing : {"drop", "raise"}
        Drop rows with a missing model variable (with a warning) or raise.

    Returns
    -------
    TobitResults

    Raises
    ------
    DataError
        Missing columns, non-numeric or infinite cells, duplicate keys.
    ModelError
        Bad options, constant or collinear regressors, nothing censored on
        either side of everything, no convergence.

    Warns
    -----
    SpatialGreenWarning
        Rows dropped for missing values; values beyond a limit (censored there);
        no censored observation (the estimates are then OLS with the ML σ).

    Examples
    --------
    Scores censored at 0 (synthetic :func:`~spatialgreen.datasets.example_panel`):

    >>> from spatialgreen.datasets import example_panel
    >>> df = example_panel()
    >>> df["score"] = df["y"].clip(lower=0)
    >>> fit = tobit(df, y="score", x=["x1", "x2"], left=0)
    >>> fit.n_left, fit.nobs, round(fit.sigma, 2)
    (46, 300, 1.0)
    >>> re = tobit(df, y="score", x=["x1", "x2"], unit="unit", panel="random")
    >>> bool(0 < re.rho < 1), bool(re.loglik > fit.loglik)
    (True, True)
    """
    xs = _as_list(x)
    ctrls = [c for c in _as_list(controls) if c not in xs]
    regressors = [*xs, *ctrls]
    lo, hi = prep.check_options(
        xs, y, regressors, left, right, panel, unit, quadrature, small_sample
    )
    cov_type = cov or ("clustered" if cluster else "oim")
    if cov_type not in ("oim", "robust", "clustered"):
        raise ModelError(f"cov must be 'oim', 'robust' or 'clustered', got {cov!r}")
    if cov_type == "clustered" and not cluster:
        raise ModelError("cov='clustered' needs a cluster column (e.g. cluster=unit)")
    if panel == "random" and cov_type != "oim":
        raise ModelError(
            "the random-effects Tobit reports OIM standard errors only (as Stata's "
            "xttobit); drop cov/cluster or use panel='pooled' with cluster=unit"
        )
    frame, dropped = prep.sample(data, y, regressors, unit, time, cluster, missing)
    check_regressors(frame, regressors)
    xmat = np.column_stack([frame[regressors].to_numpy(float), np.ones(len(frame))])
    names = [*regressors, CONST]
    bad = collinear_column(xmat, names)
    if bad is not None:
        raise ModelError(
            f"regressor {bad!r} is perfectly collinear with the other regressors "
            "and the constant; drop it or one of its partners"
        )
    yv = frame[y].to_numpy(float)
    kind, beyond = prep.censoring(yv, lo, hi)
    prep.warn_beyond(frame, beyond, y, lo, hi, unit, time)
    counts = {k: int((kind == v).sum()) for k, v in _KINDS.items()}
    if counts["n_uncensored"] == 0:
        raise ModelError(
            f"every observation of {y!r} is at a limit ({lo}, {hi}); σ and β are "
            "not identified"
        )
    if counts["n_left"] + counts["n_right"] == 0:
        warnings.warn(
            f"no observation of {y!r} is censored at left={lo} or right={hi}: the "
            "Tobit estimates equal OLS (with σ² = SSR/N)",
            SpatialGreenWarning,
            stacklevel=2,
        )
    starts = unit_rows = None
    n_units = np.nan
    if unit is not None:
        unit_rows, n_units = codes(frame[unit])
        starts = np.flatnonzero(np.r_[True, np.diff(unit_rows) != 0])
    sample = lik.TobitData(xmat, yv, kind, lo, hi, starts, unit_rows)
    theta, loglik, iterations = lik.fit_pooled(sample, lik.start_values(sample))
    values: dict[str, float] = {}
    if panel == "random":
        pooled_ll = loglik
        half = np.log(np.exp(theta[-1]) / np.sqrt(2.0))
        start = np.concatenate([theta[:-1], [half, half]])
        quad = lik.Quadrature.make(quadrature, adaptive)
        on_boundary = lik.boundary_score(theta, sample) <= 0
        fitted = None if on_boundary else lik.fit_random(sample, start, quad)
        if fitted is None:  # σ_u = 0: the maximum is the pooled Tobit
            lik.warn_boundary(y)
            vcov = np.full((len(theta) + 1,) * 2, np.nan)
            vcov[:-1, :-1] = lik.covariance(
                lik.pooled_hessian(theta, sample), theta, sample, "oim", "", None
            )
            theta = np.append(theta, -np.inf)
        else:
            theta, loglik, iterations = fitted
            hess = lik.numeric_hessian(
                lambda t: lik.re_loglik_grad(t, sample, quad)[1], theta
            )
            vcov = lik.covariance(hess, theta, sample, "oim", "", None)
            if quadrature_check:
                values["quadrature_shift"] = lik.check_quadrature(
                    sample, theta, vcov, quadrature, adaptive, y
                )
        params = [*names, "log_sigma_e", "log_sigma_u"]
        lr = max(0.0, 2 * (loglik - pooled_ll))
        values |= {
            "loglik_pooled": pooled_ll,
            "lr_sigma_u": lr,
            # χ̄²(01): half of χ²(1) above 0; the mass at 0 gives p = 1 there
            "lr_sigma_u_p": 0.5 * float(stats.chi2.sf(lr, 1)) if lr > 0 else 1.0,
        }
    else:
        params = [*names, "log_sigma"]
        clusters = codes(frame[cluster])[0] if cov_type == "clustered" else None
        vcov = lik.covariance(
            lik.pooled_hessian(theta, sample),
            theta,
            sample,
            cov_type,
            small_sample,
            clusters,
        )
    n_clusters = int(frame[cluster].nunique()) if cov_type == "clustered" else None
    if n_clusters is not None and n_clusters < min_clusters:
        raise ModelError(
            f"only {n_clusters} clusters in {cluster!r}; clustered standard errors "
            f"need at least {min_clusters} (set min_clusters lower at your own risk)"
        )
    cov_frame = pd.DataFrame(vcov, index=params, columns=params)
    coefficients = coefficient_table(
        pd.Series(theta[: len(names)], index=names), cov_frame.iloc[: len(names)]
    )
    ancillary = lik.ancillary(theta, vcov, panel)
    slopes = coefficients.index[:-1]
    wald = float(
        theta[: len(slopes)]
        @ np.linalg.solve(vcov[: len(slopes), : len(slopes)], theta[: len(slopes)])
    )
    values = {
        "nobs": len(frame),
        "units": n_units,
        "clusters": np.nan if n_clusters is None else n_clusters,
        **counts,
        "loglik": loglik,
        **ancillary["estimate"].to_dict(),
        "wald_chi2": wald,
        "wald_df": len(slopes),
        "wald_p": float(stats.chi2.sf(wald, len(slopes))),
        **values,
        "iterations": iterations,
    }
    if panel == "pooled":
        values |= lik.null_model(sample, loglik, len(slopes))
    statistics = pd.DataFrame(
        {"statistic": list(values), "value": [float(v) for v in values.values()]}
    )
    meta = {
        "model": "tobit",
        "estimator": "maximum likelihood (spatialgreen)",
        "panel": panel,
        "y": y,
        "x": xs,
        "controls": ctrls,
        "regressors": regressors,
        "unit": unit,
        "time": time,
        "left": None if not np.isfinite(lo) else lo,
        "right": None if not np.isfinite(hi) else hi,
        "quadrature": f"{'adaptive' if adaptive else 'plain'} Gauss-Hermite, "
        f"{quadrature} points"
        if panel == "random"
        else None,
        "const": "intercept",
        "cov": cov_type,
        "cluster": cluster if cov_type == "clustered" else None,
        "small_sample": small_sample if cov_type != "oim" else None,
        "se_note": _se_note(
            panel, lo, hi, cov_type, small_sample, cluster, adaptive, quadrature
        ),
        "inference": inference(None),
        "nobs": len(frame),
        "parameters": params,
        "theta": [float(v) for v in theta],
        "dropped_missing": dropped,
        "beyond_limits": int(beyond.sum()),
    }
    if panel == "random":
        meta["quadrature_points"] = quadrature
    return TobitResults(
        coefficients,
        ancillary,
        statistics,
        cov_frame.rename_axis("parameter").reset_index(),
        meta,
        sample,
    )


_KINDS = {"n_left": lik.LEFT, "n_uncensored": lik.UNCENSORED, "n_right": lik.RIGHT}


def _se_note(
    panel: str,
    lo: float,
    hi: float,
    cov_type: str,
    small_sample: str,
    cluster: str | None,
    adaptive: bool,
    points: int,
) -> str:
    """The model and its standard errors in words, for the note under a table."""
    limits = [
        f"{side} limit {value:g}"
        for side, value in (("left", lo), ("right", hi))
        if np.isfinite(value)
    ]
    model = "Random-effects Tobit" if panel == "random" else "Tobit"
    if panel == "random":
        model += (
            f" ({'adaptive' if adaptive else 'plain'} Gauss-Hermite quadrature, "
            f"{points} points)"
        )
    if cov_type == "oim":
        se = "OIM standard errors"
    else:
        se = (
            f"standard errors clustered by {cluster}"
            if cov_type == "clustered"
            else "heteroskedasticity-robust standard errors"
        )
        factor = "G/(G-1)" if cov_type == "clustered" else "N/(N-1)"
        se += f", {factor}" if small_sample == "stata" else ", no small-sample factor"
    return f"{model}, {' and '.join(limits)}; {se}; z"
