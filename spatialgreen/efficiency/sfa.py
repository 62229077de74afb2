"""Stochastic frontier analysis: cross-section, Battese–Coelli 1992 and 1995 models.

:func:`sfa` estimates production or cost frontiers by maximum likelihood in the
parameterisation of FRONTIER 4.1 and R ``frontier`` (``β, σ², γ, μ, η, δ``) and
predicts unit-by-period efficiency. Conventions (see ``sfa_econometrics.md`` §1):

* ``y = xβ + v − u`` (production) or ``y = xβ + v + u`` (``cost=True``),
  ``v ~ N(0, σ_v²)``, ``σ² = σ_u² + σ_v²``, ``γ = σ_u²/σ²``.
* ``model="cross"``: ``u ~ N⁺(μ, σ_u²)``, half-normal (``μ = 0``) or truncated-normal;
  with a ``time`` column the panel is pooled.
* ``model="bc92"``: ``u_it = exp(−η(t − T)) u_i``; ``t`` is the period's position
  among the sorted periods of the whole panel and ``T`` the last one (FRONTIER's
  convention, which differs from per-unit ``T_i`` on unbalanced panels). With
  ``eta=False`` (η fixed at 0) it is the time-invariant panel model of Pitt & Lee
  (1981) and Battese & Coelli (1988), ``u_it = u_i`` — FRONTIER 4.1's error
  components model without time effect (R ``frontier``'s ``timeEffect = FALSE``).
* ``model="bc95"``: ``u_it ~ N⁺(z_it δ, σ_u²)`` estimated in one step; a negative
  ``δ`` means the variable reduces inefficiency.

The optimiser (:mod:`._sfa_fit`) works on ``(β, ln σ², logit γ, μ, η, δ)`` of the
standardised problem (``y``, ``x`` and ``z`` centred and scaled, :mod:`._sfa_scale`;
estimates and covariance are transformed back exactly) with the analytic gradient of
:mod:`._sfa_likelihood`, from FRONTIER-style starts (OLS, then a grid on γ with the
corrected-OLS intercept and σ²) plus extra starts for μ and η; the best maximum is
kept. For the half-normal cross-section the supremum on the boundary γ = 1 (no noise)
is also computed exactly, as constrained least squares, and kept when it is higher:
slack regressions with many zero slacks have their maximum there. On FRONTIER's own
truncated-normal example it finds a higher likelihood than FRONTIER 4.1 (−16.7856
against −16.7957).
Standard errors are the square roots of the diagonal of the inverse of minus the
Hessian in the natural parameters ``(β, σ², γ, μ, η, δ)``, the Hessian taken by
central differences of the analytic gradient. FRONTIER 4.1 instead reports its DFP
quasi-Newton approximation, so its standard errors differ by a few percent.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..errors import DataError, ModelError, SpatialGreenWarning, check_int
from ..panel import require_columns, validate_panel
from ..results import EstimatesMixin, Results, _Field, coefficient_table, inference
from . import _sfa_fit as _fit
from . import _sfa_likelihood as _lik
from ._kodde_palm import kodde_palm_critical_value, mixed_chi2_pvalue
from ._sfa_predict import predict

__all__ = [
    "SFAResults",
    "kodde_palm_critical_value",
    "mixed_chi2_pvalue",
    "sfa",
    "translog_terms",
]

Model = Literal["cross", "bc92", "bc95"]
Dist = Literal["half-normal", "truncated-normal"]
Form = Literal["cobb-douglas", "translog"]


@dataclasses.dataclass(frozen=True)
class SFAResults(EstimatesMixin, Results):
    """Estimates of a stochastic frontier (returned by :func:`sfa`).

    Attributes
    ----------
    efficiency : pandas.DataFrame
        One row per observation (index of the input data): the unit/time keys
        (``row`` = the data's index label when no unit column is given),
        ``te_bc`` = E[exp(−u)|ε] (Battese–Coelli; what FRONTIER prints), ``te_jlms``
        = exp(−E[u|ε]), ``u_jlms`` = E[u|ε], ``u_mode`` = M[u|ε], ``exp_u_bc`` =
        E[exp(u)|ε] (R ``frontier``'s ``farrell=FALSE``), ``residual`` = y − xβ and
        ``v_hat`` = the noise with the inefficiency removed.
    coefficients : pandas.DataFrame
        Frontier coefficients, ``sigma2``, ``gamma`` (``mu``, ``eta``,
        ``delta_<z>``) indexed by ``parameter``: ``estimate``, ``std_error``
        (Hessian-based), ``statistic`` (z), ``p``, ``ci_low``, ``ci_high`` (normal,
        95 %); ``params``, ``std_errors``, ``pvalues``, ``conf_int`` read it.
    variance : pandas.DataFrame
        The variance parameters in the three usual parameterisations (FRONTIER's
        σ², γ; Stata's ln σ_v², ln σ_u²; σ_u, σ_v, λ).
    lr_test : pandas.DataFrame
        One-sided LR test of no inefficiency (γ = 0 and the other inefficiency
        parameters zero) with the Kodde–Palm 5 % critical value and mixed χ² p-value.
    vcov : pandas.DataFrame
        Covariance matrix of the natural parameters.
    meta : dict
        Model, options, log-likelihoods, convergence status, number of starts and
        warnings.
    """

    efficiency: pd.DataFrame
    coefficients: pd.DataFrame
    variance: pd.DataFrame
    lr_test: pd.DataFrame
    vcov: pd.DataFrame
    meta: dict[str, Any]

    nobs = _Field("meta", int, "Number of observations used.", key="n_obs")
    loglik = _Field("meta", float, "Log-likelihood at the best maximum found.")
    loglik_ols = _Field(
        "meta", float, "Log-likelihood of the OLS model (no inefficiency)."
    )
    converged = _Field(
        "meta",
        bool,
        "Whether the optimiser met its convergence criterion at the best maximum.",
    )
    n_starts = _Field("meta", int, "Number of starting points tried.")

    @property
    def warnings(self) -> tuple[str, ...]:
        """Recoverable problems met in estimation (wrong skewness, boundary, ...)."""
        return tuple(self.meta.get("warnings", ()))

    @property
    def residuals(self) -> pd.Series:
        """Composed residuals ``y − xβ`` (``v − u`` or ``v + u`` for cost frontiers)."""
        return self.efficiency["residual"]

    @property
    def v_hat(self) -> pd.Series:
        """Estimated noise ``v̂ = y − xβ ± E[u|ε]`` (three-stage DEA adjusts for it)."""
        return self.efficiency["v_hat"]

    @property
    def mean_efficiency(self) -> float:
        """Mean of ``te_bc`` (FRONTIER's "mean efficiency")."""
        return float(self.efficiency["te_bc"].mean())


def translog_terms(names: Sequence[str]) -> list[tuple[str, str, str]]:
    """Second-order terms of a translog in the given regressors.

    Squares are named ``"a*a"`` and stand for ``½(ln a)²``; cross products ``"a*b"``
    stand for ``ln a · ln b`` (the usual ``½ΣΣβ_kl ln x_k ln x_l`` form).

    Parameters
    ----------
    names : sequence of str
        First-order regressor names.

    Returns
    -------
    list of (term, first, second)

    Examples
    --------
    >>> [t for t, _, _ in translog_terms(["k", "l"])]
    ['k*k', 'k*l', 'l*l']
    """
    names = list(names)
    return [(f"{a}*{b}", a, b) for i, a in enumerate(names) for b in names[i:]]


def sfa(
    data: pd.DataFrame,
    *,
    y: str,
    x: Sequence[str],
    model: Model = "cross",
    dist: Dist = "half-normal",
    eta: bool = True,
    z: Sequence[str] | None = None,
    unit: str | None = None,
    time: str | None = None,
    form: Form = "cobb-douglas",
    cost: bool = False,
    log: bool = True,
    z_constant: bool = True,
    n_starts: int = 6,
    maxiter: int = 5000,
) -> SFAResults:
    """Estimate a stochastic production or cost frontier by maximum likelihood.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy data, one row per unit (and period). Not modified.
    y : str
        Output (production) or cost column.
    x : sequence of str
        Frontier regressors (inputs, or output and prices for a cost frontier).
    model : {"cross", "bc92", "bc95"}
        Cross-section (pooled if ``time`` is given), Battese–Coelli (1992)
        time-varying decay, or Battese–Coelli (1995) inefficiency effects.
    dist : {"half-normal", "truncated-normal"}
        Distribution of ``u`` for ``"cross"`` and ``"bc92"`` (``"bc95"`` is
        truncated-normal with mean ``zδ`` by definition).
    eta : bool
        ``"bc92"`` only: estimate the decay η (default) or fix it at 0, the
        time-invariant model ``u_it = u_i`` (Pitt & Lee 1981). Nested in the
        default, so ``2(ln L_η − ln L_{η=0})`` is the LR statistic of ``η = 0``
        (χ²(1)).
    z : sequence of str, optional
        Inefficiency-effect variables for ``"bc95"`` (used as given, not logged).
    unit, time : str, optional
        Key columns; ``"bc92"`` needs both. They label the efficiency table.
    form : {"cobb-douglas", "translog"}
        Translog adds ``½(ln a)²`` (named ``"a*a"``) and ``ln a·ln b`` (``"a*b"``).
    cost : bool
        Estimate a cost frontier (``u`` raises ``y``).
    log : bool
        Take natural logs of ``y`` and ``x`` (default; data in levels). Set False when
        the columns are already logged or the frontier is linear (slacks).
    z_constant : bool
        Include a constant ``delta_const`` among the ``"bc95"`` effects.
    n_starts : int
        Maximum number of starting points for the optimiser.
    maxiter : int
        Iteration limit of each local optimisation.

    Returns
    -------
    SFAResults

    Raises
    ------
    DataError
        Missing columns or values, non-positive values to be logged, too few
        observations, collinear regressors.
    ModelError
        Inconsistent options (``bc92`` without keys or, with η estimated, with a
        single period; ``bc95`` without ``z``; ``eta=False`` outside ``bc92``;
        ``n_starts``/``maxiter`` below 1).

    Warns
    -----
    SpatialGreenWarning
        OLS residuals skewed the wrong way (no inefficiency in the data; γ → 0),
        also listed in ``results.warnings``; a time-invariant ``bc92`` on a single
        period (it is then the cross-section model).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> k = rng.uniform(1, 10, 500)
    >>> out = np.exp(0.5 + 0.6 * np.log(k) + rng.normal(0, 0.1, 500)
    ...              - np.abs(rng.normal(0, 0.3, 500)))
    >>> res = sfa(pd.DataFrame({"q": out, "k": k}), y="q", x=["k"])
    >>> print(round(res.params["k"], 2), round(res.params["gamma"], 2))
    0.63 0.94
    >>> list(res.efficiency.columns[:3])
    ['row', 'te_bc', 'te_jlms']
    """
    spec = _check_options(model, dist, z, unit, time, form, eta)
    check_int(n_starts, "n_starts", minimum=1)
    check_int(maxiter, "maxiter", minimum=1)
    frame, keys = _validated_frame(
        data, y=y, x=x, z=z, unit=unit, time=time, log=log, model=model
    )
    if model == "bc92" and not eta and frame[time].nunique() < 2:
        warnings.warn(
            f"model='bc92', eta=False on a single period of {time!r}: every unit has "
            "one observation, so this is the cross-section model (model='cross')",
            SpatialGreenWarning,
            stacklevel=2,
        )
    elif model == "bc92" and frame[time].nunique() < 2:
        raise ModelError(
            f"model='bc92' needs at least 2 periods of {time!r} (the decay eta of "
            f"u_it = exp(-eta(t - T)) u_i is not identified from "
            f"{frame[time].nunique()}); use model='cross'"
        )
    yv, xmat, names = _frontier_design(frame, y, list(x), form=form, log=log)
    zmat, znames = (
        _effects_design(frame, list(z or []), z_constant)
        if model == "bc95"
        else (None, [])
    )
    design, order = _build_design(
        frame,
        keys,
        yv,
        xmat,
        zmat,
        cost=cost,
        model=model,
        truncated=spec["truncated"],
        eta=eta,
    )
    n_params = design.n_params
    if len(yv) <= n_params:
        raise DataError(
            f"sfa needs more observations than parameters: {len(yv)} rows for "
            f"{n_params} parameters ({model}, {form})"
        )
    _check_rank(xmat, names, role="frontier regressor")
    if zmat is not None:
        _check_rank(zmat, [n.removeprefix("delta_") for n in znames], role="z variable")
    fit = _fit.fit(design, n_starts=n_starts, maxiter=maxiter)
    if fit.ols_skew > 0:
        warnings.warn(
            _fit.wrong_skew_note(design.sign, fit.ols_skew)
            + " (kept in results.warnings; the estimates are the ML ones)",
            SpatialGreenWarning,
            stacklevel=2,
        )
    return _assemble(
        data,
        frame,
        keys,
        design,
        order,
        fit,
        names,
        znames,
        model=model,
        dist=dist,
        form=form,
        cost=cost,
        log=log,
        y=y,
    )


# ----------------------------------------------------------------------------------
# input checks and design matrices


def _check_options(model, dist, z, unit, time, form, eta) -> dict[str, bool]:
    if model not in ("cross", "bc92", "bc95"):
        raise ModelError(f"model must be 'cross', 'bc92' or 'bc95', got {model!r}")
    if dist not in ("half-normal", "truncated-normal"):
        raise ModelError(
            f"dist must be 'half-normal' or 'truncated-normal', got {dist!r}"
        )
    if form not in ("cobb-douglas", "translog"):
        raise ModelError(f"form must be 'cobb-douglas' or 'translog', got {form!r}")
    if model == "bc92" and (unit is None or time is None):
        raise ModelError("model='bc92' needs both unit= and time= columns")
    if model == "bc95" and not z:
        raise ModelError("model='bc95' needs inefficiency variables z=[...]")
    if model != "bc95" and z:
        raise ModelError(f"z= is used by model='bc95' only (got model={model!r})")
    if not isinstance(eta, bool):
        raise ModelError(f"eta must be True or False, got {eta!r}")
    if not eta and model != "bc92":
        raise ModelError(
            f"eta=False (time-invariant inefficiency) is for model='bc92' only "
            f"(got model={model!r}, which has no eta)"
        )
    return {"truncated": dist == "truncated-normal" and model != "bc95"}


def _validated_frame(data, *, y, x, z, unit, time, log, model):
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    x = list(x)
    if not x:
        raise DataError("x= needs at least one regressor column")
    z = list(z or [])
    keys = [k for k in (unit, time) if k is not None]
    require_columns(data, [y, *x, *z], role="variable")
    require_columns(data, keys, role="key")
    frame = data[list(dict.fromkeys([*keys, y, *x, *z]))].copy()
    label = unit if unit is not None else "row"
    if unit is None:
        frame.insert(0, "row", data.index)
    numeric = [y, *x, *z]
    validate_panel(
        frame,
        unit=label,
        time=time if model != "cross" or unit is not None else None,
        columns=numeric,
        positive=[y, *x] if log else (),
    )
    return frame, (label, time)


def _frontier_design(frame, y, x, *, form, log):
    transform = np.log if log else (lambda v: v)
    yv = transform(frame[y].to_numpy(dtype=float))
    cols = {name: transform(frame[name].to_numpy(dtype=float)) for name in x}
    columns = [np.ones(len(frame))] + [cols[name] for name in x]
    names = ["const", *x]
    if form == "translog":
        for term, a, b in translog_terms(x):
            factor = 0.5 if a == b else 1.0
            columns.append(factor * cols[a] * cols[b])
            names.append(term)
    xmat = np.column_stack(columns)
    return yv, xmat, names


def _effects_design(frame, z, constant):
    columns = [frame[name].to_numpy(dtype=float) for name in z]
    names = [f"delta_{name}" for name in z]
    if constant:
        columns.insert(0, np.ones(len(frame)))
        names.insert(0, "delta_const")
    return np.column_stack(columns), names


def _check_rank(mat: np.ndarray, names: list[str], *, role: str) -> None:
    scale = np.maximum(np.abs(mat).max(axis=0), 1e-300)
    scaled = mat / scale
    rank = np.linalg.matrix_rank(scaled)
    if rank == mat.shape[1]:
        return
    culprits = []
    for j in range(mat.shape[1]):
        if np.all(mat[:, j] == mat[0, j]) and names[j] != "const":
            culprits.append(f"{names[j]!r} (constant)")
        elif np.linalg.matrix_rank(np.delete(scaled, j, axis=1)) == rank:
            culprits.append(repr(names[j]))
    raise DataError(
        f"collinear {role}s: {', '.join(culprits)} are linear combinations of the "
        f"others (rank {rank} of {mat.shape[1]} columns incl. the constant)"
    )


def _build_design(frame, keys, yv, xmat, zmat, *, cost, model, truncated, eta=True):
    unit, time = keys
    n = len(frame)
    if model == "bc92":
        codes, _ = pd.factorize(frame[unit], sort=False)
        periods = np.sort(pd.unique(frame[time]))
        position = np.searchsorted(periods, frame[time].to_numpy())
        dt = (position - (len(periods) - 1)).astype(float)
        order = np.argsort(codes, kind="stable")
        group = codes[order]
        n_groups = int(codes.max()) + 1
    else:
        order = np.arange(n)
        group = np.arange(n)
        n_groups = n
        dt = np.zeros(n)
    design = _lik._Design(
        y=yv[order],
        x=xmat[order],
        sign=-1.0 if cost else 1.0,
        group=group,
        n_groups=n_groups,
        dt=dt[order] if model == "bc92" else dt,
        z=None if zmat is None else zmat[order],
        truncated=truncated,
        time_varying=model == "bc92" and eta,
    )
    return design, order


# ----------------------------------------------------------------------------------
# results


def _param_names(d: _lik._Design, names, znames) -> list[str]:
    out = [*names, "sigma2", "gamma"]
    if d.truncated:
        out.append("mu")
    if d.time_varying:
        out.append("eta")
    return out + list(znames)


def _assemble(
    data, frame, keys, d, order, fit, names, znames, *, model, dist, form, cost, log, y
) -> SFAResults:
    pnames = _param_names(d, names, znames)
    theta = fit.theta
    se = np.sqrt(np.where(np.diag(fit.cov) >= 0, np.diag(fit.cov), np.nan))
    coefficients = coefficient_table(pd.Series(theta, index=pnames), se)
    vcov = pd.DataFrame(fit.cov, columns=pnames)
    vcov.insert(0, "parameter", pnames)
    efficiency = _efficiency_table(data, frame, keys, d, order, theta)
    k = d.x.shape[1]
    sigma2, gamma = float(theta[k]), float(theta[k + 1])
    variance = _variance_table(sigma2, gamma)
    lr = _lr_table(fit, d, model=model)
    meta = {
        "model": model,
        "eta": (
            ("estimated" if d.time_varying else "fixed at 0 (time-invariant)")
            if model == "bc92"
            else None
        ),
        "dist": "truncated-normal" if model == "bc95" else dist,
        "form": form,
        "frontier": "cost" if cost else "production",
        "dependent": y,
        "log": log,
        "n_obs": len(d.y),
        "n_units": d.n_groups if model == "bc92" else frame[keys[0]].nunique(),
        "loglik": fit.loglik,
        "loglik_ols": fit.ols_loglik,
        "converged": fit.converged,
        "optimizer_message": fit.message,
        "n_starts": fit.n_starts,
        "ols_skewness": fit.ols_skew,
        "standard_errors": (
            "inverse of minus the numerical Hessian in (beta, sigma2, gamma, ...), "
            "taken on the standardised problem and transformed back exactly"
        ),
        "warnings": list(fit.warnings),
        "inference": inference(None),
    }
    return SFAResults(efficiency, coefficients, variance, lr, vcov, meta)


def _efficiency_table(data, frame, keys, d, order, theta) -> pd.DataFrame:
    pred = predict(d, theta)
    inverse = np.empty_like(order)
    inverse[order] = np.arange(len(order))
    k = d.x.shape[1]
    resid = (d.y - d.x @ theta[:k])[inverse]
    u_hat = pred["u_jlms"][inverse]
    table = pd.DataFrame(index=data.index)
    unit, time = keys
    table[unit] = frame[unit].to_numpy()
    if time is not None:
        table[time] = frame[time].to_numpy()
    for name in ("te_bc", "te_jlms", "u_jlms", "u_mode", "exp_u_bc"):
        table[name] = pred[name][inverse]
    table["residual"] = resid
    # production: y − xβ = v − u, so v = resid + u; cost: v = resid − u
    table["v_hat"] = resid + d.sign * u_hat
    return table


def _variance_table(sigma2: float, gamma: float) -> pd.DataFrame:
    su2, sv2 = gamma * sigma2, (1.0 - gamma) * sigma2
    with np.errstate(divide="ignore"):
        values = {
            "sigma2": sigma2,
            "gamma": gamma,
            "sigma_u2": su2,
            "sigma_v2": sv2,
            "ln_sigma_u2": np.log(su2),
            "ln_sigma_v2": np.log(sv2),
            "sigma_u": np.sqrt(su2),
            "sigma_v": np.sqrt(sv2),
            "lambda": np.sqrt(su2 / sv2) if sv2 > 0 else np.inf,
        }
    return pd.DataFrame({"parameter": list(values), "value": list(values.values())})


def _lr_table(fit: _fit.Fit, d: _lik._Design, *, model: str) -> pd.DataFrame:
    df = 1 + int(d.truncated) + int(d.time_varying)
    if d.z is not None:
        df += d.z.shape[1]
    stat = max(2.0 * (fit.loglik - fit.ols_loglik), 0.0)
    critical = kodde_palm_critical_value(df, 0.05) if df <= 40 else np.nan
    restricted = ["gamma"]
    if d.truncated:
        restricted.append("mu")
    if d.time_varying:
        restricted.append("eta")
    if d.z is not None:
        restricted.append("delta")
    return pd.DataFrame(
        {
            "hypothesis": [f"no inefficiency ({', '.join(restricted)} = 0)"],
            "loglik_ols": [fit.ols_loglik],
            "loglik_sfa": [fit.loglik],
            "statistic": [stat],
            "df": [df],
            "critical_value_5pct": [critical],
            "p_value": [mixed_chi2_pvalue(stat, df)],
            "reject_at_5pct": [bool(stat > critical)],
            "distribution": ["mixed chi2 (Kodde & Palm 1986)"],
        }
    )
