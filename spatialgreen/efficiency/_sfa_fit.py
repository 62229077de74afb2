"""Maximum-likelihood search of :func:`spatialgreen.efficiency.sfa`.

The search runs on the standardised problem (:mod:`._sfa_scale`; estimates and
covariance go back to the original units exactly). FRONTIER 4.1's recipe (OLS, then a
grid on γ with the corrected-OLS intercept and σ²) gives the first start; extra starts
vary μ (or the constant of the BC95 mean) and η because truncated-normal likelihoods
are flat. Each start runs BFGS with the analytic gradient in the unconstrained
parameters ``(β, ln σ², logit γ, μ, η, δ)``; the best is polished by Nelder–Mead and
BFGS again. For the half-normal cross-section the supremum on the boundary γ = 1 is
computed exactly (:func:`deterministic_limit`) and kept when it is at least as high.
Standard errors come from the inverse of minus the Hessian in the natural parameters,
taken by central differences of the analytic gradient.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy import optimize, stats

from ..errors import ModelError
from . import _sfa_likelihood as _lik
from ._sfa_scale import standardise

__all__: list[str] = []

_GAMMA_GRID = np.round(np.arange(0.05, 0.951, 0.05), 2)


@dataclasses.dataclass(frozen=True)
class Fit:
    theta: np.ndarray
    loglik: float
    converged: bool
    message: str
    n_starts: int
    ols_beta: np.ndarray
    ols_loglik: float
    ols_skew: float
    cov: np.ndarray
    warnings: tuple[str, ...]


def _ols(d: _lik._Design) -> tuple[np.ndarray, float, float, float]:
    beta, *_ = np.linalg.lstsq(d.x, d.y, rcond=None)
    resid = d.y - d.x @ beta
    n = len(d.y)
    ssr = float(resid @ resid)
    sigma2 = ssr / n
    loglik = -0.5 * n * (np.log(2 * np.pi * sigma2) + 1.0)
    skew = float(stats.skew(d.sign * resid)) if ssr > 0 else 0.0
    return beta, sigma2, loglik, skew


def _theta(
    d: _lik._Design, beta, sigma2, gamma, mu=0.0, eta=0.0, delta=None
) -> np.ndarray:
    parts = [np.asarray(beta, dtype=float), [sigma2, gamma]]
    if d.truncated:
        parts.append([mu])
    if d.time_varying:
        parts.append([eta])
    if d.z is not None:
        parts.append(np.zeros(d.z.shape[1]) if delta is None else delta)
    return np.concatenate([np.asarray(p, dtype=float) for p in parts])


def _starts(
    d: _lik._Design, beta_ols: np.ndarray, sigma2_ols: float, n_starts: int
) -> list[np.ndarray]:
    """FRONTIER's grid on γ with COLS-adjusted intercept and σ², plus μ variations."""
    grid = []
    for gamma in _GAMMA_GRID:
        sigma2 = sigma2_ols / (1.0 - 2.0 * gamma / np.pi)
        beta = beta_ols.copy()
        beta[0] += d.sign * np.sqrt(2.0 * gamma * sigma2 / np.pi)
        theta = _theta(d, beta, sigma2, gamma)
        grid.append((_lik.loglik(d, theta), theta))
    grid.sort(key=lambda item: -item[0] if np.isfinite(item[0]) else np.inf)
    starts = [grid[0][1], grid[len(grid) // 2][1]]
    best = grid[0][1]
    k = d.x.shape[1]
    su = np.sqrt(best[k] * best[k + 1])
    mean_slot = None
    if d.truncated:
        mean_slot = k + 2
    elif d.z is not None and np.all(d.z[:, 0] == 1.0):
        mean_slot = k + 2  # delta_const
    if mean_slot is not None:
        for factor in (1.0, -1.0, -3.0, 2.0):
            theta = best.copy()
            theta[mean_slot] = factor * su
            starts.append(theta)
    if d.time_varying:
        for eta in (0.1, -0.1):
            theta = best.copy()
            theta[k + 2 + int(d.truncated)] = eta
            starts.append(theta)
    return starts[: max(1, n_starts)]


def _local_max(
    d: _lik._Design, theta0: np.ndarray, maxiter: int
) -> optimize.OptimizeResult:
    free0 = _lik.to_free(d, theta0)
    with np.errstate(all="ignore"):
        res = optimize.minimize(
            lambda f: _lik.free_objective(d, f),
            free0,
            jac=True,
            method="BFGS",
            options={"maxiter": maxiter, "gtol": 1e-7},
        )
    return res


def _polish(
    d: _lik._Design, res: optimize.OptimizeResult, maxiter: int
) -> optimize.OptimizeResult:
    """Nelder–Mead then BFGS again: escapes the flat ridges of truncated models."""
    with np.errstate(all="ignore"):
        nm = optimize.minimize(
            lambda f: _lik.free_value(d, f),
            res.x,
            method="Nelder-Mead",
            options={
                "maxiter": min(maxiter, 300 * len(res.x)),
                "xatol": 1e-7,
                "fatol": 1e-10,
            },
        )
    again = _local_max(d, _lik.to_natural(d, nm.x), maxiter)
    return again if again.fun <= res.fun else res


def wrong_skew_note(sign: float, skew: float) -> str:
    """What a positive ``sign``-adjusted OLS skewness means, in words."""
    word, expected = ("right", "left") if sign > 0 else ("left", "right")
    return (
        f"OLS residuals are {word}-skewed (skewness {sign * skew:.3f}) where a "
        f"{'production' if sign > 0 else 'cost'} frontier expects {expected} "
        "skew: the data show no inefficiency and the ML estimate of gamma -> 0"
    )


def fit(
    d: _lik._Design,
    *,
    n_starts: int,
    maxiter: int,
    start: np.ndarray | None = None,
    polish: bool = True,
) -> Fit:
    """Maximise the likelihood of ``d`` (standardised inside, see :mod:`._sfa_scale`).

    ``start`` (natural parameters of ``d``) is tried first, e.g. the full-sample
    estimate when refitting a bootstrap sample; ``polish=False`` skips the slow
    Nelder–Mead polish (bootstrap replications start next to their maximum).
    """
    notes: list[str] = []
    beta_ols, _, loglik_ols, skew = _ols(d)
    if skew > 0:
        notes.append(wrong_skew_note(d.sign, skew))
    scaling = standardise(d)
    ds = scaling.design
    beta_std, sigma2_std, _, _ = _ols(ds)
    starts = _starts(ds, beta_std, sigma2_std, n_starts)
    if start is not None:
        starts = [scaling.to_standard(np.asarray(start, dtype=float)), *starts]
        starts = starts[: max(1, n_starts)]
    results = [_local_max(ds, s, maxiter) for s in starts]
    finite = [r for r in results if np.isfinite(r.fun)]
    if not finite:
        raise ModelError("the likelihood could not be evaluated at any starting point")
    best = min(finite, key=lambda r: r.fun)
    limit = deterministic_limit(ds)
    if limit is None or not _limit_wins(limit[2], best.fun):
        best = _polish(ds, best, maxiter) if polish else best
    if limit is not None and _limit_wins(limit[2], best.fun):
        return _boundary_fit(
            scaling, limit, notes, len(starts), beta_ols, loglik_ols, skew
        )
    theta_std = _lik.to_natural(ds, best.x)
    theta = scaling.to_original(theta_std)
    loglik = _lik.loglik(d, theta)
    if not np.isfinite(loglik):  # round-off of the back-transform at a bound
        loglik = -float(best.fun) - scaling.log_scale
    cov_std, cov_note = _covariance(ds, theta_std)
    if cov_note:
        notes.append(cov_note)
    # a maximum on the boundary (γ → 0 or 1) has no finite Hessian there, so the
    # gradient in the unconstrained parameters is checked as well
    free_grad = _lik.free_objective(ds, best.x)[1]
    converged = (
        bool(best.success)
        or _newton_decrement(ds, theta_std, cov_std) < 1e-8
        or float(np.max(np.abs(free_grad))) < 1e-5 * max(1.0, abs(best.fun))
    )
    k = d.x.shape[1]
    at_bound = not (1e-6 < theta[k + 1] < 1 - 1e-6)
    if not converged and at_bound and _is_local_max(ds, best, maxiter):
        # σ_v → 0 gives the likelihood a kink in β (points on the frontier), where
        # gradients do not vanish; a derivative-free check confirms the maximum
        converged = True
        notes.append(
            "maximum on the boundary of gamma: confirmed by a derivative-free search"
        )
    if not converged:
        notes.append(f"optimiser did not converge: {best.message}")
    if theta[k + 1] > 1 - 1e-6:
        notes.append(
            "gamma is at its upper bound 1 (sigma_v -> 0): noise is negligible"
        )
    elif theta[k + 1] < 1e-6:
        notes.append("gamma is at its lower bound 0: no inefficiency detected")
    return Fit(
        theta,
        loglik,
        converged,
        str(best.message),
        len(starts),
        beta_ols,
        loglik_ols,
        skew,
        scaling.covariance(cov_std),
        tuple(notes),
    )


# ----------------------------------------------------------------------------------
# the gamma = 1 boundary


def _limit_wins(limit_loglik: float, best_fun: float) -> bool:
    """Whether the γ = 1 supremum is at least the best interior maximum found."""
    best = -float(best_fun)
    return bool(limit_loglik >= best - 1e-9 * max(1.0, abs(best)))


def deterministic_limit(d: _lik._Design) -> tuple[np.ndarray, float, float] | None:
    """Supremum of the half-normal likelihood on the boundary γ = 1 (σ_v → 0).

    With no noise every residual is inefficiency, ``u_i = s(x_iβ − y_i) ≥ 0``, and
    the likelihood tends to that of a half-normal ``u``: ``n ln 2 − ½n ln(2πσ²) −
    Σu²/(2σ²)``, largest at the β minimising ``Σu²`` subject to ``u ≥ 0`` (the
    frontier on or above every point; below for cost) with ``σ² = Σu²/n``. That is a
    least-distance problem, solved exactly by NNLS (Lawson & Hanson 1974, ch. 23)
    after a QR step: with ``X = QR``, ``c = Q'y``, ``e = y − Qc`` and ``w = Rβ − c``
    it reads ``min ‖w‖`` subject to ``sQw ≥ se``.

    BFGS cannot reach this point (the likelihood has a kink in β where residuals
    are 0, and γ = 1 is only approached); slack regressions with many exact zeros
    have their maximum here. Only for the half-normal cross-section (no μ, η, z).
    Returns ``(β, σ², ln L)`` or None.
    """
    if d.truncated or d.time_varying or d.z is not None or d.n_groups != len(d.y):
        return None
    n, k = d.x.shape
    q, r = np.linalg.qr(d.x)
    c = q.T @ d.y
    e = d.y - q @ c
    e_mat = np.vstack([(d.sign * q).T, d.sign * e[None, :]])
    target = np.zeros(k + 1)
    target[-1] = 1.0
    try:
        weights, _ = optimize.nnls(e_mat, target, maxiter=50 * n)
    except RuntimeError:  # iteration limit
        return None
    resid = e_mat @ weights - target
    if not abs(resid[-1]) > 1e-12:
        return None
    w = -resid[:-1] / resid[-1]
    beta = np.linalg.solve(r, w + c)
    ineff = np.maximum(d.sign * (d.x @ beta - d.y), 0.0)
    sigma2 = float(np.mean(ineff**2))
    if not sigma2 > 0:
        return None
    loglik = n * np.log(2.0) - 0.5 * n * np.log(2.0 * np.pi * sigma2) - 0.5 * n
    return beta, sigma2, float(loglik)


def _boundary_fit(scaling, limit, notes, n_starts, beta_ols, loglik_ols, skew) -> Fit:
    beta_std, sigma2_std, loglik_std = limit
    theta = scaling.to_original(np.r_[beta_std, sigma2_std, 1.0])
    p = len(theta)
    notes = [
        *notes,
        "gamma is at its upper bound 1 (sigma_v -> 0): noise is negligible; the "
        "maximum is the deterministic-frontier limit, solved exactly (constrained "
        "least squares: every residual on the inefficiency side)",
        "standard errors unavailable: gamma = 1 is on the boundary of the parameter "
        "space, where the information matrix is singular",
    ]
    return Fit(
        theta,
        loglik_std - scaling.log_scale,
        True,
        "supremum at gamma = 1 (deterministic-frontier limit)",
        n_starts,
        beta_ols,
        loglik_ols,
        skew,
        np.full((p, p), np.nan),
        tuple(notes),
    )


def _is_local_max(d: _lik._Design, best: optimize.OptimizeResult, maxiter: int) -> bool:
    """Whether Nelder–Mead restarted at ``best`` improves the log-likelihood < 1e-3.

    On the γ = 1 boundary the supremum is only approached as ``σ_v → 0``; a
    log-likelihood within 1e-3 of it changes no estimate or prediction materially.
    """
    with np.errstate(all="ignore"):
        nm = optimize.minimize(
            lambda f: _lik.free_value(d, f),
            best.x,
            method="Nelder-Mead",
            options={"maxiter": min(maxiter, 200 * len(best.x)), "xatol": 1e-9},
        )
    return bool(nm.fun >= best.fun - 1e-3 * max(1.0, abs(best.fun)))


def _newton_decrement(d: _lik._Design, theta: np.ndarray, cov: np.ndarray) -> float:
    """``g'(−H)⁻¹g``: the log-likelihood gain a Newton step would still bring.

    BFGS often stops with "precision loss" on ill-conditioned designs (translog
    terms) at a point that is a maximum for every practical purpose; this
    scale-free criterion tells the two apart.
    """
    grad = _lik.gradient(d, theta)
    if not (np.all(np.isfinite(cov)) and np.all(np.isfinite(grad))):
        return np.inf
    return float(grad @ cov @ grad)


def _hessian_steps(d: _lik._Design, theta: np.ndarray) -> np.ndarray:
    """Central-difference steps in the units of each parameter.

    Steps scale with the data (``σ`` for β, μ and δ divided by the regressor's
    root mean square, a fraction of ``σ²`` for σ²), so the standard errors do not
    depend on the units of ``y``, ``x`` or ``z`` (slacks of the three-stage procedure
    are in levels such as tons of coal).
    """
    k = d.x.shape[1]
    sigma2, gamma = float(theta[k]), float(theta[k + 1])
    sigma = np.sqrt(sigma2)

    def per_column(mat: np.ndarray) -> np.ndarray:
        rms = np.sqrt(np.mean(mat * mat, axis=0))
        return sigma / np.where(rms > 0, rms, 1.0)

    typical = [per_column(d.x), [sigma2, 1.0]]
    if d.truncated:
        typical.append([sigma])
    if d.time_varying:
        typical.append([1.0])
    if d.z is not None:
        typical.append(per_column(d.z))
    scale = np.concatenate([np.asarray(t, dtype=float) for t in typical])
    steps = 1e-5 * np.maximum(np.abs(theta), scale)
    steps[k] = 1e-5 * sigma2
    steps[k + 1] = min(1e-5, 0.5 * gamma, 0.5 * (1.0 - gamma))
    return steps


def _covariance(d: _lik._Design, theta: np.ndarray) -> tuple[np.ndarray, str]:
    """Inverse of minus the Hessian (central differences of the analytic gradient)."""
    p = len(theta)
    hess = np.empty((p, p))
    steps = _hessian_steps(d, theta)
    for j in range(p):
        step = steps[j]
        up, down = theta.copy(), theta.copy()
        up[j] += step
        down[j] -= step
        with np.errstate(all="ignore"):
            hess[:, j] = (_lik.gradient(d, up) - _lik.gradient(d, down)) / (2.0 * step)
    hess = 0.5 * (hess + hess.T)
    info = -hess
    if not np.all(np.isfinite(info)):
        return np.full(
            (p, p), np.nan
        ), "standard errors unavailable: the Hessian is not finite"
    # definiteness is judged on the unit-free (correlation-scaled) matrix: the raw
    # eigenvalues span the squared units of the parameters (σ² of slacks in levels)
    diag = np.diag(info)
    eig = (
        np.linalg.eigvalsh(info / np.sqrt(np.outer(diag, diag)))
        if np.all(diag > 0)
        else np.array([-1.0])
    )
    if eig.min() <= 1e-12 * max(1.0, eig.max()):
        return (
            np.full((p, p), np.nan),
            "standard errors unavailable: the Hessian is singular or not negative "
            "definite at the optimum (a parameter is at a boundary or unidentified)",
        )
    return np.linalg.inv(info), ""
