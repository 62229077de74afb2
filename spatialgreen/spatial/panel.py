"""Fixed-effects spatial panel models (SAR, SEM, SDM) by maximum likelihood.

The estimator follows Elhorst (2003; 2014, ch. 3): sweep out the fixed effects by
demeaning (unit, time or both), concentrate ``β`` and ``σ²`` out of the Gaussian
log-likelihood, maximise over the spatial coefficient with the log-determinant
``ln|I − ρW| = Σ ln(1 − ρω_i)`` from the eigenvalues ``ω`` of ``W``, then recover
``β`` and ``σ²``. With ``lee_yu=True`` the Lee & Yu (2010) transformation approach
is used instead of the direct approach: the likelihood counts ``T − 1`` periods when
unit effects are swept out and ``N − 1`` units (log-determinant
``ln|I − ρW| − ln(1 − ρ)``, row-standardised ``W``) when time effects are, which
removes the incidental-parameter bias of ``σ²`` (unit effects: ``σ̂² T/(T − 1)``)
and of ``ρ`` and ``β`` (two-way effects).

spreg's ``Panel_FE_Lag``/``Panel_FE_Error`` implement the direct approach for unit
effects only; this module implements the one estimator for all effects, SDM and the
Lee–Yu option so that standard errors, log-likelihoods and the LR tests between SAR,
SEM and SDM come from one consistent likelihood (the tests check it against spreg).
:func:`hausman_test` is the classical Hausman FE-vs-RE aid (linearmodels).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ..errors import ConvergenceError, DataError, ModelError
from ..geo.weights import describe_weights, weights_for
from ..panel import require_columns, validate_panel
from ..results import coefficient_table, inference
from .effects import SpatialMultiplier
from .regression import (
    SpatialRegressionResults,
    _check_model,
    _lag_impacts,
)

__all__ = ["hausman_test", "spatial_panel"]

EFFECTS = ("unit", "time", "twoway")


@dataclass(frozen=True)
class _Design:
    """Demeaned panel arrays in (period, unit) layout and likelihood bookkeeping."""

    y: np.ndarray  # (T, N)
    wy: np.ndarray  # (T, N) demeaned W y
    x: np.ndarray  # (T, N, k)
    names: list[str]
    w: np.ndarray  # (N, N)
    omega: np.ndarray  # eigenvalues of w (complex)
    n_eff: int  # observations counted by the likelihood
    t_eff: int  # multiplier of the log-determinant
    drop_unit_root: bool  # subtract ln(1 − ρ): Lee–Yu with time effects
    multiplier: SpatialMultiplier  # eigen-summaries of w, shared with the effects

    def logdet(self, rho: float, order: int = 0) -> float:
        """``t_eff`` × derivative ``order`` of the (transformed) log-determinant."""
        om = self.omega
        if order == 0:
            value = np.sum(np.log(1.0 - rho * om)).real
            value -= np.log(1.0 - rho) if self.drop_unit_root else 0.0
        elif order == 1:
            value = -np.sum(om / (1.0 - rho * om)).real
            value += 1.0 / (1.0 - rho) if self.drop_unit_root else 0.0
        else:
            value = -np.sum(om**2 / (1.0 - rho * om) ** 2).real
            value += 1.0 / (1.0 - rho) ** 2 if self.drop_unit_root else 0.0
        return self.t_eff * float(value)

    def bounds(self) -> tuple[float, float]:
        real = self.omega.real
        eps = 1e-7
        return 1.0 / real.min() + eps, 1.0 / real.max() - eps

    def concentrated(self, coef: float, resid: np.ndarray) -> float:
        """Log-likelihood concentrated in the spatial coefficient (β, σ² out)."""
        return -0.5 * self.n_eff * np.log(resid @ resid / self.n_eff) + self.logdet(
            coef
        )

    def loglik(self, coef: float, resid: np.ndarray, sigma2: float) -> float:
        """Full Gaussian log-likelihood given the spatially filtered residuals."""
        return float(
            -0.5 * self.n_eff * np.log(2 * np.pi * sigma2)
            + self.logdet(coef)
            - resid @ resid / (2 * sigma2)
        )

    def demean_units(self, a: np.ndarray) -> np.ndarray:
        """Remove the cross-sectional mean of each period (only under Lee–Yu time)."""
        return a - a.mean(axis=1, keepdims=True) if self.drop_unit_root else a


def spatial_panel(
    data: pd.DataFrame,
    *,
    y: str,
    x: Sequence[str],
    w: Any,
    unit: str = "unit",
    time: str = "year",
    model: str = "sar",
    effects: str = "unit",
    lee_yu: bool = False,
    transform: str = "r",
    vcov: str = "expected",
    draws: int = 1000,
    seed: int = 0,
    tests: bool = True,
) -> SpatialRegressionResults:
    """Fit a fixed-effects spatial panel model by maximum likelihood.

    Parameters
    ----------
    data : pandas.DataFrame
        Balanced long panel, one row per unit and period.
    y : str
        Dependent variable.
    x : sequence of str
        Regressors (time-varying; no constant — it is swept out with the effects).
    w : libpysal.graph.Graph or libpysal.weights.W
        Spatial weights on the values of ``unit``.
    unit, time : str
        Key columns.
    model : {"sar", "sem", "sdm"}
        Spatial lag ``y = ρWy + Xβ``, spatial error ``u = λWu + ε`` or spatial
        Durbin ``y = ρWy + Xβ + WXθ`` (lagged regressors named ``W_<x>``).
    effects : {"unit", "time", "twoway"}
        Fixed effects swept out by demeaning.
    lee_yu : bool
        Lee & Yu (2010) bias-corrected (transformation approach) estimates instead
        of the direct approach of Elhorst / splm / spreg.
    transform : str
        Weights transformation (``"r"`` row-standardised; required for Lee–Yu with
        time effects).
    vcov : {"expected", "observed"}
        Covariance from the expected information matrix (Elhorst 2014; spreg, splm)
        or from the analytic Hessian of the log-likelihood. Lee–Yu with time effects
        always uses the Hessian.
    draws, seed : int
        Simulation draws and seed for the standard errors of the effects.
    tests : bool
        For SDM, also fit SAR and SEM and report the Wald and LR tests of
        ``θ = 0`` (SAR) and ``θ + ρβ = 0`` (SEM) in ``diagnostics``.

    Returns
    -------
    SpatialRegressionResults
        ``params`` hold ``β`` (and ``θ`` as ``W_<x>``) and ``rho`` or ``lambda``;
        ``fit`` the log-likelihood, AIC, ``sigma2``, ``nobs = N T``; ``impacts``
        the LeSage–Pace effects for SAR/SDM.

    Raises
    ------
    PanelError
        Unbalanced panel or duplicate (unit, period) rows.
    WeightsError
        Units missing from the weights, extra units, or islands.
    ModelError
        Unknown model/effects, or a regressor without within variation.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from libpysal.weights import lat2W
    >>> w = lat2W(4, 4)
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame({"unit": np.tile(np.arange(16), 5),
    ...                    "year": np.repeat(np.arange(2001, 2006), 16),
    ...                    "x": rng.normal(size=80)})
    >>> df["y"] = 2 * df["x"] + rng.normal(size=80)
    >>> res = spatial_panel(df, y="y", x=["x"], w=w, unit="unit", time="year",
    ...                     model="sar", effects="twoway", draws=0)
    >>> list(res.params.index)
    ['x', 'rho']
    >>> bool(abs(res.params["x"] - 2) < 0.3)
    True
    """
    model = _check_model(model, ("sar", "sem", "sdm"))
    effects = _check_model(effects, EFFECTS)
    if vcov not in ("expected", "observed"):
        raise ModelError(f"vcov must be 'expected' or 'observed'; got {vcov!r}")
    x = list(x)
    if not x:
        raise DataError("give at least one regressor in x")
    require_columns(data, [unit, time, y, *x])
    info = validate_panel(
        data, unit=unit, time=time, columns=[y, *x], require_balanced=True
    )
    if info.n_periods < 2:
        raise DataError(f"a spatial panel needs at least 2 periods of {time!r}")
    units = list(info.units)
    weights = weights_for(w, units, transform=transform)
    rows = np.asarray(weights.sparse.sum(axis=1)).ravel()
    if lee_yu and effects != "unit" and not np.allclose(rows, 1.0):
        raise ModelError(
            "Lee–Yu with time effects needs row-standardised weights (transform='r')"
        )
    design = _design(
        data,
        y,
        x,
        unit,
        time,
        units,
        list(info.periods),
        weights,
        model,
        effects,
        lee_yu,
    )
    observed = vcov == "observed" or design.drop_unit_root
    fit = _fit_error(design, observed) if model == "sem" else _fit_lag(design, observed)
    names = [*design.names, "lambda" if model == "sem" else "rho"]
    estimates = pd.Series(fit["params"], index=names)
    cov = pd.DataFrame(fit["cov"], index=names, columns=names)
    n = info.n_units * info.n_periods
    k = len(names) + 1
    summary = {
        "loglik": fit["loglik"],
        "aic": -2 * fit["loglik"] + 2 * k,
        "nobs": n,
        "sigma2": fit["sigma2"],
        "k": k,
        "n_units": info.n_units,
        "n_periods": info.n_periods,
    }
    impacts = None
    if model != "sem":
        impacts = _lag_impacts(
            design.multiplier, estimates, cov, x, draws=draws, seed=seed
        )
    diagnostics = None
    if model == "sdm" and tests:
        diagnostics = _sdm_tests(design, estimates, cov, fit["loglik"], x, observed)
    meta = {
        "model": model,
        "effects": effects,
        "lee_yu": lee_yu,
        "y": y,
        "x": x,
        "approach": "Lee-Yu transformation" if lee_yu else "direct (Elhorst)",
        "vcov": "observed (Hessian)" if observed else "expected information",
        "weights": describe_weights(w, weights, transform=transform),
        "inference": inference(None),
    }
    return SpatialRegressionResults(
        coefficient_table(estimates, cov), impacts, diagnostics, cov, summary, meta
    )


def _design(
    data: pd.DataFrame,
    y: str,
    x: list[str],
    unit: str,
    time: str,
    units: list,
    periods: list,
    weights: Any,
    model: str,
    effects: str,
    lee_yu: bool,
) -> _Design:
    wd = np.asarray(weights.full()[0], dtype=float)
    ordered = data.set_index([time, unit])
    index = pd.MultiIndex.from_product([periods, units])
    t, n = len(periods), len(units)
    yy = ordered[y].reindex(index).to_numpy(float).reshape(t, n)
    xx = ordered[x].reindex(index).to_numpy(float).reshape(t, n, len(x))
    names = list(x)
    if model == "sdm":
        xx = np.concatenate([xx, np.einsum("ij,tjk->tik", wd, xx)], axis=2)
        names += [f"W_{name}" for name in x]
    wy = yy @ wd.T
    ys, wys, xs = (_sweep(a, effects) for a in (yy, wy, xx))
    within = np.sqrt((xs**2).sum(axis=(0, 1)))
    scale = np.sqrt((xx**2).sum(axis=(0, 1))) + 1e-300
    flat = [nm for nm, a, b in zip(names, within, scale, strict=True) if a <= 1e-10 * b]
    if flat:
        raise ModelError(
            f"regressor(s) {', '.join(map(repr, flat))} have no variation left after "
            f"removing {effects} fixed effects (constant within every unit or period)"
        )
    _check_collinear(xs, names, effects)
    multiplier = SpatialMultiplier.from_matrix(wd)
    unit_fe = effects in ("unit", "twoway")
    time_fe = effects in ("time", "twoway")
    n_eff, t_eff = n * t, t
    if lee_yu:
        n_eff = (n - (1 if time_fe else 0)) * (t - (1 if unit_fe else 0))
        t_eff = t - (1 if unit_fe else 0)
    return _Design(
        ys,
        wys,
        xs,
        names,
        wd,
        multiplier.eigenvalues,
        n_eff,
        t_eff,
        lee_yu and time_fe,
        multiplier,
    )


def _check_collinear(xs: np.ndarray, names: list[str], effects: str) -> None:
    """Raise if a (demeaned) regressor is a linear combination of earlier ones."""
    xm = xs.reshape(-1, xs.shape[2])
    xm = xm / np.sqrt((xm**2).sum(axis=0))
    redundant = [
        name
        for j, name in enumerate(names)
        if j
        and np.linalg.matrix_rank(xm[:, : j + 1]) <= np.linalg.matrix_rank(xm[:, :j])
    ]
    if redundant:
        raise ModelError(
            f"regressor(s) {', '.join(map(repr, redundant))} are collinear with "
            f"earlier regressors after removing {effects} fixed effects (with "
            "row-standardised W, W_x equals x for a regressor common to all units)"
        )


def _sweep(a: np.ndarray, effects: str) -> np.ndarray:
    """Demean an array of layout (T, N, ...) by unit, period or both."""
    if effects in ("unit", "twoway"):
        a = a - a.mean(axis=0, keepdims=True)
    if effects in ("time", "twoway"):
        a = a - a.mean(axis=1, keepdims=True)
    return a


def _maximise(objective: Any, bounds: tuple[float, float], what: str) -> float:
    res = optimize.minimize_scalar(
        lambda r: -objective(r),
        bounds=bounds,
        method="bounded",
        options={"xatol": 1e-10, "maxiter": 500},
    )
    if not res.success:
        raise ConvergenceError(
            f"maximising the concentrated likelihood in {what} failed: {res.message}"
        )
    lo, hi = bounds
    if min(res.x - lo, hi - res.x) < 1e-5:
        raise ConvergenceError(
            f"{what} estimate {res.x:.6f} is on the boundary of its "
            f"admissible interval ({lo:.4f}, {hi:.4f})"
        )
    return float(res.x)


def _fit_lag(d: _Design, observed: bool) -> dict:
    """SAR/SDM: concentrated likelihood in ρ, then β, σ²."""
    xm = d.x.reshape(-1, d.x.shape[2])
    yv = d.y.ravel()
    wyv = d.wy.ravel()
    coef, *_ = np.linalg.lstsq(xm, np.column_stack([yv, wyv]), rcond=None)
    e0 = yv - xm @ coef[:, 0]
    e1 = wyv - xm @ coef[:, 1]
    rho = _maximise(lambda r: d.concentrated(r, e0 - r * e1), d.bounds(), "rho")
    beta = coef[:, 0] - rho * coef[:, 1]
    e = e0 - rho * e1
    sigma2 = float(e @ e / d.n_eff)
    if observed:
        info = -_lag_hessian(d, beta, rho, sigma2)
    else:
        info = _lag_expected_info(d, beta, rho, sigma2)
    return _ml_fit(beta, rho, sigma2, info, _lag_loglik(d, beta, rho, sigma2))


def _ml_fit(
    beta: np.ndarray, coef: float, sigma2: float, info: np.ndarray, loglik: float
) -> dict:
    """Estimates, their covariance (σ² row and column dropped) and fit."""
    return {
        "params": np.append(beta, coef),
        "cov": np.linalg.inv(info)[:-1, :-1],
        "sigma2": sigma2,
        "loglik": loglik,
    }


def _lag_loglik(d: _Design, beta: np.ndarray, rho: float, sigma2: float) -> float:
    """Full (not concentrated) log-likelihood of the SAR/SDM panel."""
    return d.loglik(rho, (d.y - rho * d.wy - d.x @ beta).ravel(), sigma2)


def _lag_hessian(d: _Design, beta: np.ndarray, rho: float, s2: float) -> np.ndarray:
    xm = d.x.reshape(-1, d.x.shape[2])
    wy = d.wy.ravel()
    e = (d.y - rho * d.wy - d.x @ beta).ravel()
    k = xm.shape[1]
    h = np.zeros((k + 2, k + 2))
    h[:k, :k] = -xm.T @ xm / s2
    h[:k, k] = h[k, :k] = -xm.T @ wy / s2
    h[:k, k + 1] = h[k + 1, :k] = -xm.T @ e / s2**2
    h[k, k] = d.logdet(rho, 2) - wy @ wy / s2
    h[k, k + 1] = h[k + 1, k] = -wy @ e / s2**2
    h[k + 1, k + 1] = d.n_eff / (2 * s2**2) - e @ e / s2**3
    return h


def _lag_expected_info(
    d: _Design, beta: np.ndarray, rho: float, s2: float
) -> np.ndarray:
    n = d.w.shape[0]
    wt = d.w @ np.linalg.inv(np.eye(n) - rho * d.w)
    xm = d.x.reshape(-1, d.x.shape[2])
    wxb = ((d.x @ beta) @ wt.T).ravel()
    k = xm.shape[1]
    info = np.zeros((k + 2, k + 2))
    info[:k, :k] = xm.T @ xm / s2
    info[:k, k] = info[k, :k] = xm.T @ wxb / s2
    info[k, k] = d.t_eff * (np.trace(wt @ wt) + np.sum(wt * wt)) + wxb @ wxb / s2
    info[k, k + 1] = info[k + 1, k] = d.t_eff * np.trace(wt) / s2
    info[k + 1, k + 1] = d.n_eff / (2 * s2**2)
    return info


def _fit_error(d: _Design, observed: bool) -> dict:
    """SEM: concentrated likelihood in λ (β by GLS given λ), then σ²."""
    xm = d.x.reshape(-1, d.x.shape[2])
    yv = d.y.ravel()
    wxm = d.demean_units(np.einsum("ij,tjk->tik", d.w, d.x)).reshape(xm.shape)
    wyv = d.demean_units(d.y @ d.w.T).ravel()

    def residual(lam: float) -> tuple[np.ndarray, np.ndarray]:
        xb = xm - lam * wxm
        yb = yv - lam * wyv
        beta, *_ = np.linalg.lstsq(xb, yb, rcond=None)
        return beta, yb - xb @ beta

    lam = _maximise(lambda r: d.concentrated(r, residual(r)[1]), d.bounds(), "lambda")
    beta, u = residual(lam)
    sigma2 = float(u @ u / d.n_eff)
    parts = (xm, wxm, yv, wyv)
    info = (
        -_error_hessian(d, parts, beta, lam, sigma2)
        if observed
        else _error_expected_info(d, parts, lam, sigma2)
    )
    return _ml_fit(beta, lam, sigma2, info, _error_loglik(d, beta, lam, sigma2))


def _error_loglik(d: _Design, beta: np.ndarray, lam: float, sigma2: float) -> float:
    """Full log-likelihood of the SEM panel."""
    e = d.y - d.x @ beta
    return d.loglik(lam, d.demean_units(e - lam * (e @ d.w.T)).ravel(), sigma2)


def _error_hessian(
    d: _Design, parts: tuple, beta: np.ndarray, lam: float, s2: float
) -> np.ndarray:
    xm, wxm, yv, wyv = parts
    xb = xm - lam * wxm
    e = yv - xm @ beta
    we = wyv - wxm @ beta  # (Q) W e
    u = e - lam * we
    k = xm.shape[1]
    h = np.zeros((k + 2, k + 2))
    h[:k, :k] = -xb.T @ xb / s2
    h[:k, k] = h[k, :k] = (-wxm.T @ u - xb.T @ we) / s2
    h[:k, k + 1] = h[k + 1, :k] = -xb.T @ u / s2**2
    h[k, k] = d.logdet(lam, 2) - we @ we / s2
    h[k, k + 1] = h[k + 1, k] = -we @ u / s2**2
    h[k + 1, k + 1] = d.n_eff / (2 * s2**2) - u @ u / s2**3
    return h


def _error_expected_info(d: _Design, parts: tuple, lam: float, s2: float) -> np.ndarray:
    xm, wxm, _, _ = parts
    n = d.w.shape[0]
    wt = d.w @ np.linalg.inv(np.eye(n) - lam * d.w)
    xb = xm - lam * wxm
    k = xm.shape[1]
    info = np.zeros((k + 2, k + 2))
    info[:k, :k] = xb.T @ xb / s2
    info[k, k] = d.t_eff * (np.trace(wt @ wt) + np.sum(wt * wt))
    info[k, k + 1] = info[k + 1, k] = d.t_eff * np.trace(wt) / s2
    info[k + 1, k + 1] = d.n_eff / (2 * s2**2)
    return info


def _sdm_tests(
    d: _Design,
    est: pd.Series,
    cov: pd.DataFrame,
    loglik: float,
    x: list[str],
    observed: bool,
) -> pd.DataFrame:
    """Wald and LR tests of the SDM against SAR (θ = 0) and SEM (θ + ρβ = 0)."""
    k = len(x)
    lagged = [f"W_{name}" for name in x]
    theta = est[lagged].to_numpy()
    v_theta = cov.loc[lagged, lagged].to_numpy()
    wald_sar = float(theta @ np.linalg.solve(v_theta, theta))
    beta, rho = est[x].to_numpy(), float(est["rho"])
    g = theta + rho * beta
    order = [*x, *lagged, "rho"]
    jac = np.hstack([rho * np.eye(k), np.eye(k), beta[:, None]])
    v_g = jac @ cov.loc[order, order].to_numpy() @ jac.T
    wald_sem = float(g @ np.linalg.solve(v_g, g))
    narrow = dataclasses.replace(d, x=d.x[:, :, :k], names=d.names[:k])
    ll_sar = _fit_lag(narrow, observed)["loglik"]
    ll_sem = _fit_error(narrow, observed)["loglik"]
    rows = [
        ("Wald SDM vs SAR (theta = 0)", wald_sar),
        ("LR SDM vs SAR (theta = 0)", 2 * (loglik - ll_sar)),
        ("Wald SDM vs SEM (theta + rho*beta = 0)", wald_sem),
        ("LR SDM vs SEM (theta + rho*beta = 0)", 2 * (loglik - ll_sem)),
    ]
    table = pd.DataFrame(
        [
            {
                "test": name,
                "statistic": stat,
                "df": k,
                "p": float(stats.chi2.sf(stat, k)),
            }
            for name, stat in rows
        ]
    )
    return table.set_index("test")


def hausman_test(
    data: pd.DataFrame,
    *,
    y: str,
    x: str | Sequence[str],
    unit: str = "unit",
    time: str = "year",
) -> pd.Series:
    """Hausman (1978) test of unit fixed against random effects — a choice aid.

    Compares the within (fixed-effects) and GLS random-effects slopes of the
    non-spatial panel regression (linearmodels ``PanelOLS`` and ``RandomEffects``):
    ``H = d'(V_FE − V_RE)⁻¹d``, ``d = β_FE − β_RE``, χ² with ``len(x)`` degrees of
    freedom; a small p-value favours fixed effects. This is the pre-test applied
    spatial-panel papers report before choosing FE. spreg's spatial
    ``panel_Hausman`` was not used: it works on unscaled ``varb`` matrices in the
    order ``V_RE − V_FE`` and in our checks returned negative statistics, and
    ``Panel_RE_Error`` failed with singular matrices on well-posed data. When
    ``V_FE − V_RE`` is not positive definite in the sample, the statistic uses the
    subspace of its positive eigenvalues and ``df`` is their number. ``x`` is one
    regressor or several.

    Returns
    -------
    pandas.Series
        ``statistic``, ``df``, ``p``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(2)
    >>> df = pd.DataFrame({"unit": np.tile(np.arange(16), 6),
    ...                    "year": np.repeat(np.arange(6), 16),
    ...                    "x": rng.normal(size=96)})
    >>> df["y"] = df["x"] + rng.normal(size=96)
    >>> h = hausman_test(df, y="y", x=["x"], unit="unit", time="year")
    >>> int(h["df"])
    1
    """
    from linearmodels import PanelOLS, RandomEffects

    x = [x] if isinstance(x, str) else list(x)
    require_columns(data, [unit, time, y, *x])
    validate_panel(data, unit=unit, time=time, columns=[y, *x])
    panel = data.set_index([unit, time])
    exog = panel[x].assign(const=1.0)
    fe = PanelOLS(panel[y], exog, entity_effects=True).fit()
    re_ = RandomEffects(panel[y], exog).fit()
    d = (fe.params[x] - re_.params[x]).to_numpy()
    v = (fe.cov.loc[x, x] - re_.cov.loc[x, x]).to_numpy()
    values, vectors = np.linalg.eigh((v + v.T) / 2)
    keep = values > 1e-10 * max(np.abs(values).max(), 1e-300)
    if not keep.any():
        raise ModelError(
            "V_FE - V_RE has no positive eigenvalue; Hausman test undefined"
        )
    proj = vectors[:, keep].T @ d
    stat = float(np.sum(proj**2 / values[keep]))
    rank = int(keep.sum())
    return pd.Series(
        {"statistic": stat, "df": rank, "p": float(stats.chi2.sf(stat, rank))}
    )
