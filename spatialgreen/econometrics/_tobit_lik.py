"""Likelihoods of the Tobit models of :mod:`.tobit`: pooled and random effects.

Hand-written because no installed library estimates a random-effects Tobit (nor a
two-limit Tobit with clustered scores): statsmodels has no censored regression and
linearmodels none at all. The pooled likelihood is checked against R ``AER::tobit``
(``survival::survreg``) and the random-effects one against direct numerical
integration (``scipy.integrate.quad``) in the tests.

Parameters are ``θ = (β, log σ)`` (pooled) or ``θ = (β, log σ_e, log σ_u)``
(random effects). Each observation is uncensored (``kind`` 0), censored at the left
limit (1) or at the right limit (2); its log density given the linear index ``m``
and ``τ = log σ`` is, with ``z = (y − m)/σ``, ``a = (L − m)/σ``, ``b = (m − R)/σ``
and the inverse Mills ratio ``λ(w) = φ(w)/Φ(w)``:

- uncensored: ``−½ log 2π − τ − z²/2``;
- left-censored: ``log Φ(a)``; right-censored: ``log Φ(b)``.

``log Φ`` is :func:`scipy.special.log_ndtr` and ``λ`` is computed as
``exp(log φ − log Φ)``, so far tails neither underflow nor divide zero by zero.

Random effects integrate the unit effect ``u_i ~ N(0, σ_u²)`` out with Gauss–Hermite
quadrature. ``adaptive=True`` (Stata ``xttobit``'s default ``intmethod(mvaghermite)``)
centres and scales the nodes of each unit on the mode ``μ_i`` and curvature ``s_i``
of its integrand (Liu & Pierce 1994); they are held fixed while the parameters are
optimised and then updated, until neither moves. ``adaptive=False`` is plain
Gauss–Hermite with nodes ``√2 σ_u a_k`` (Stata ``intmethod(ghermite)``).
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from ..errors import ModelError, SpatialGreenWarning

__all__: list[str] = []

_LOG_2PI = float(np.log(2 * np.pi))
UNCENSORED, LEFT, RIGHT = 0, 1, 2


@dataclasses.dataclass(frozen=True)
class TobitData:
    """The estimation sample: design, outcome, censoring and unit blocks."""

    x: np.ndarray  # N × K, rows sorted by unit for random effects
    y: np.ndarray
    kind: np.ndarray  # 0 uncensored, 1 left, 2 right
    left: float  # -inf without a left limit
    right: float  # +inf without a right limit
    starts: np.ndarray | None = None  # first row of each unit (random effects)
    unit_of_row: np.ndarray | None = None


def _mills(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``log Φ(w)`` and ``λ(w) = φ(w)/Φ(w)``, stable in both tails."""
    log_cdf = special.log_ndtr(w)
    lam = np.exp(-0.5 * w * w - 0.5 * _LOG_2PI - log_cdf)
    return log_cdf, lam


def obs_terms(
    data: TobitData, m: np.ndarray, tau: float, *, second: bool = False
) -> tuple[np.ndarray, ...]:
    """Per-observation log density and its derivatives in ``m`` and ``τ``.

    Returns ``(ℓ, ℓ_m, ℓ_τ)`` and with ``second=True`` also ``(ℓ_mm, ℓ_mτ, ℓ_ττ)``;
    ``m`` may have extra trailing axes (quadrature nodes), broadcast against ``y``.
    """
    sigma = np.exp(tau)
    shape = np.broadcast_shapes(m.shape, data.y.shape[:1] + (1,) * (m.ndim - 1))
    kind = data.kind.reshape(data.kind.shape + (1,) * (m.ndim - 1))
    y = data.y.reshape(kind.shape)
    unc, lft, rgt = kind == UNCENSORED, kind == LEFT, kind == RIGHT
    # signed standardised argument: z for uncensored rows, a or b for censored ones
    w = np.where(unc, (y - m) / sigma, 0.0)
    if np.isfinite(data.left):
        w = np.where(lft, (data.left - m) / sigma, w)
    if np.isfinite(data.right):
        w = np.where(rgt, (m - data.right) / sigma, w)
    w = np.broadcast_to(w, shape)
    log_cdf, lam = _mills(w)
    sign = np.where(lft, -1.0, 1.0)  # ∂w/∂m · σ for censored rows
    ll = np.where(unc, -0.5 * _LOG_2PI - tau - 0.5 * w * w, log_cdf)
    l_m = np.where(unc, w / sigma, sign * lam / sigma)
    l_t = np.where(unc, -1.0 + w * w, -lam * w)
    if not second:
        return ll, l_m, l_t
    dlam = -lam * (w + lam)  # λ'(w)
    l_mm = np.where(unc, -1.0 / sigma**2, dlam / sigma**2)
    l_mt = np.where(unc, -2.0 * w / sigma, -sign * (dlam * w + lam) / sigma)
    l_tt = np.where(unc, -2.0 * w * w, dlam * w * w + lam * w)
    return ll, l_m, l_t, l_mm, l_mt, l_tt


# -- pooled -------------------------------------------------------------------------
def pooled_loglik(theta: np.ndarray, data: TobitData) -> float:
    """Log-likelihood of the pooled Tobit at ``θ = (β, log σ)``."""
    m = data.x @ theta[:-1]
    return float(obs_terms(data, m, theta[-1])[0].sum())


def pooled_scores(theta: np.ndarray, data: TobitData) -> np.ndarray:
    """Per-observation scores (N × P) of the pooled Tobit."""
    _, l_m, l_t = obs_terms(data, data.x @ theta[:-1], theta[-1])
    return np.column_stack([data.x * l_m[:, None], l_t])


def pooled_hessian(theta: np.ndarray, data: TobitData) -> np.ndarray:
    """Analytic Hessian of the pooled log-likelihood."""
    x = data.x
    *_, l_mm, l_mt, l_tt = obs_terms(data, x @ theta[:-1], theta[-1], second=True)
    k = x.shape[1]
    h = np.empty((k + 1, k + 1))
    h[:k, :k] = (x * l_mm[:, None]).T @ x
    h[:k, k] = h[k, :k] = x.T @ l_mt
    h[k, k] = l_tt.sum()
    return h


def fit_pooled(data: TobitData, start: np.ndarray) -> tuple[np.ndarray, float, int]:
    """Maximise the pooled likelihood (trust-region Newton, analytic Hessian)."""

    def fun(theta: np.ndarray) -> tuple[float, np.ndarray]:
        return -pooled_loglik(theta, data), -pooled_scores(theta, data).sum(axis=0)

    res = optimize.minimize(
        fun,
        start,
        jac=True,
        hess=lambda t: -pooled_hessian(t, data),
        method="trust-exact",
        options={"gtol": 1e-9, "maxiter": 500},
    )
    grad = np.abs(pooled_scores(res.x, data).sum(axis=0))
    if not np.all(np.isfinite(res.x)) or grad.max() > 1e-4 * max(1.0, abs(res.fun)):
        raise ModelError(
            f"the Tobit likelihood did not converge ({res.message}); the censoring "
            "may leave a regressor unidentified (e.g. it predicts censoring exactly)"
        )
    return res.x, -float(res.fun), int(res.nit)


def start_values(data: TobitData) -> np.ndarray:
    """OLS on all rows: slopes and log of the residual standard deviation."""
    beta, *_ = np.linalg.lstsq(data.x, data.y, rcond=None)
    resid = data.y - data.x @ beta
    sd = float(np.std(resid)) or float(np.std(data.y)) or 1.0
    return np.append(beta, np.log(sd))


# -- random effects -----------------------------------------------------------------
@dataclasses.dataclass
class Quadrature:
    """Gauss–Hermite nodes and, when adaptive, each unit's centre and scale."""

    nodes: np.ndarray
    weights: np.ndarray
    adaptive: bool
    mu: np.ndarray | None = None
    scale: np.ndarray | None = None

    @classmethod
    def make(cls, points: int, adaptive: bool) -> Quadrature:
        nodes, weights = np.polynomial.hermite.hermgauss(points)
        return cls(nodes, weights, adaptive)


def _unit_sum(values: np.ndarray, data: TobitData) -> np.ndarray:
    assert data.starts is not None
    return np.add.reduceat(values, data.starts, axis=0)


def _re_parts(
    theta: np.ndarray, data: TobitData, quad: Quadrature
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Unit log-likelihoods, node posterior weights (units × Q), node values u,
    and per-row ℓ_m, ℓ_τ at every node."""
    beta, tau_e, tau_u = theta[:-2], theta[-2], theta[-1]
    sigma_u = np.exp(tau_u)
    a, w = quad.nodes, quad.weights
    if quad.adaptive:
        assert quad.mu is not None and quad.scale is not None
        u = quad.mu[:, None] + np.sqrt(2.0) * quad.scale[:, None] * a[None, :]
        log_w = (
            np.log(np.sqrt(2.0) * quad.scale[:, None] * w[None, :])
            + a[None, :] ** 2
            - 0.5 * _LOG_2PI
            - tau_u
            - 0.5 * (u / sigma_u) ** 2
        )
    else:
        n_units = data.starts.size if data.starts is not None else 0
        u = np.broadcast_to(np.sqrt(2.0) * sigma_u * a, (n_units, a.size))
        log_w = np.broadcast_to(np.log(w / np.sqrt(np.pi)), u.shape)
    assert data.unit_of_row is not None
    m = (data.x @ beta)[:, None] + u[data.unit_of_row]
    ll, l_m, l_t = obs_terms(data, m, tau_e)
    total = log_w + _unit_sum(ll, data)
    unit_ll = special.logsumexp(total, axis=1)
    post = np.exp(total - unit_ll[:, None])
    return unit_ll, post, u, l_m, l_t


def re_loglik_grad(
    theta: np.ndarray, data: TobitData, quad: Quadrature
) -> tuple[float, np.ndarray]:
    """Log-likelihood and analytic gradient of the random-effects Tobit."""
    unit_ll, post, u, l_m, l_t = _re_parts(theta, data, quad)
    p_rows = post[data.unit_of_row]
    g_m = (p_rows * l_m).sum(axis=1)
    grad_beta = data.x.T @ g_m
    grad_e = float((p_rows * l_t).sum())
    if quad.adaptive:
        sigma_u = np.exp(theta[-1])
        grad_u = float((post * (-1.0 + (u / sigma_u) ** 2)).sum())
    else:  # the nodes move with σ_u: ∂u/∂log σ_u = u
        grad_u = float((p_rows * l_m * u[data.unit_of_row]).sum())
    return float(unit_ll.sum()), np.concatenate([grad_beta, [grad_e, grad_u]])


def re_unit_scores(theta: np.ndarray, data: TobitData, quad: Quadrature) -> np.ndarray:
    """Scores by unit (units × P) of the random-effects likelihood."""
    _, post, u, l_m, l_t = _re_parts(theta, data, quad)
    p_rows = post[data.unit_of_row]
    rows = np.column_stack(
        [data.x * (p_rows * l_m).sum(axis=1)[:, None], (p_rows * l_t).sum(axis=1)]
    )
    by_unit = _unit_sum(rows, data)
    if quad.adaptive:
        g_u = (post * (-1.0 + (u / np.exp(theta[-1])) ** 2)).sum(axis=1)
    else:
        g_u = _unit_sum((p_rows * l_m * u[data.unit_of_row]).sum(axis=1), data)
    return np.column_stack([by_unit, g_u])


def update_modes(theta: np.ndarray, data: TobitData, quad: Quadrature) -> None:
    """Centre (mode) and scale (curvature) of each unit's integrand, in place.

    The integrand ``Σ_t log f(y_it | x_it β + u) − u²/(2σ_u²)`` is concave in ``u``
    (the Tobit density is log-concave), so Newton's method with step halving finds
    the mode; the scale is ``(−h''(μ))^(−1/2)``.
    """
    beta, tau_e = theta[:-2], theta[-2]
    inv_var = np.exp(-2.0 * theta[-1])
    assert data.starts is not None and data.unit_of_row is not None
    xb = data.x @ beta
    mu = np.zeros(data.starts.size) if quad.mu is None else quad.mu.copy()

    def h_parts(u: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        ll, l_m, _, l_mm, _, _ = obs_terms(
            data, xb + u[data.unit_of_row], tau_e, second=True
        )
        h = _unit_sum(ll, data) - 0.5 * inv_var * u * u
        return h, _unit_sum(l_m, data) - inv_var * u, _unit_sum(l_mm, data) - inv_var

    h, d1, d2 = h_parts(mu)
    for _ in range(100):
        step = -d1 / d2
        if np.max(np.abs(step)) < 1e-12 * max(1.0, float(np.max(np.abs(mu)))):
            break
        new = mu + step
        h_new, d1_new, d2_new = h_parts(new)
        for _ in range(40):  # halve the steps that lower the integrand
            worse = h_new < h - 1e-12 * np.abs(h)
            if not worse.any():
                break
            step = np.where(worse, step / 2, step)
            new = mu + step
            h_new, d1_new, d2_new = h_parts(new)
        mu, h, d1, d2 = new, h_new, d1_new, d2_new
    quad.mu, quad.scale = mu, 1.0 / np.sqrt(-d2)


def numeric_hessian(
    grad: Callable[[np.ndarray], np.ndarray], theta: np.ndarray
) -> np.ndarray:
    """Central differences of an analytic gradient, symmetrised."""
    p = theta.size
    h = np.empty((p, p))
    for j in range(p):
        step = 1e-5 * max(1.0, abs(theta[j]))
        up, down = theta.copy(), theta.copy()
        up[j] += step
        down[j] -= step
        h[:, j] = (grad(up) - grad(down)) / (2 * step)
    return (h + h.T) / 2


def boundary_score(theta: np.ndarray, data: TobitData) -> float:
    """∂ℓ/∂σ_u² at σ_u² = 0 and the pooled estimate ``θ = (β, log σ)``.

    Expanding ``E_u[Π_t f(m_it + u)]`` to second order in ``u`` gives
    ``½ Σ_i [(Σ_t ℓ_m)² + Σ_t ℓ_mm]``. When it is not positive the pooled estimate
    satisfies the first-order conditions of the model with σ_u ≥ 0: σ_u = 0 is the
    maximum on its boundary (the score test of Breusch–Pagan type).
    """
    _, l_m, _, l_mm, _, _ = obs_terms(data, data.x @ theta[:-1], theta[-1], second=True)
    return float(0.5 * np.sum(_unit_sum(l_m, data) ** 2 + _unit_sum(l_mm, data)))


BOUNDARY = float(np.log(1e-6))
"""``log(σ_u/σ_e)`` below which σ_u is taken to be on its boundary, zero."""


def fit_random(
    data: TobitData, start: np.ndarray, quad: Quadrature, *, max_rounds: int = 50
) -> tuple[np.ndarray, float, int] | None:
    """Maximise the random-effects likelihood; adaptive nodes are updated between
    optimisations until the estimates and the log-likelihood stop moving.

    Returns None when σ_u runs to zero (the maximum is the pooled Tobit).
    """
    theta = start.copy()
    previous = -np.inf
    rounds = 0

    def stop_at_boundary(intermediate_result: optimize.OptimizeResult) -> None:
        t = intermediate_result.x
        if t[-1] - t[-2] < BOUNDARY:
            raise StopIteration

    for rounds in range(1, max_rounds + 1):  # noqa: B007 (returned)
        if quad.adaptive:
            update_modes(theta, data, quad)

        def fun(t: np.ndarray) -> tuple[float, np.ndarray]:
            value, grad = re_loglik_grad(t, data, quad)
            return -value, -grad

        def hess(t: np.ndarray) -> np.ndarray:
            return numeric_hessian(lambda s: fun(s)[1], t)

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=RuntimeWarning)
            res = optimize.minimize(
                fun,
                theta,
                jac=True,
                hess=hess,
                method="trust-exact",
                callback=stop_at_boundary,
                options={"gtol": 1e-8, "maxiter": 300},
            )
        if res.x[-1] - res.x[-2] < BOUNDARY:
            return None
        moved = float(np.max(np.abs(res.x - theta)))
        theta, value = res.x, -float(res.fun)
        if not np.all(np.isfinite(theta)):
            raise ModelError("the random-effects Tobit likelihood did not converge")
        if not quad.adaptive or (abs(value - previous) < 1e-9 and moved < 1e-7):
            break
        previous = value
    if quad.adaptive:  # the reported likelihood uses nodes centred at the estimate
        update_modes(theta, data, quad)
    value, grad = re_loglik_grad(theta, data, quad)
    if not np.isfinite(value) or np.max(np.abs(grad)) > 1e-3 * max(1.0, abs(value)):
        raise ModelError(
            "the random-effects Tobit likelihood did not converge; check for a "
            "regressor that predicts censoring exactly or use more quadrature points"
        )
    return theta, value, rounds


def check_quadrature(
    sample: TobitData,
    theta: np.ndarray,
    vcov: np.ndarray,
    points: int,
    adaptive: bool,
    y: str,
) -> float:
    """Largest move of an estimate, in standard errors, with twice the points."""
    refit = fit_random(sample, theta, Quadrature.make(2 * points, adaptive))
    if refit is None:
        shift = float("inf")
    else:
        shift = float(np.max(np.abs(refit[0] - theta) / np.sqrt(np.diag(vcov))))
    if shift > 0.01:
        why = (
            "units censored in every period and a large ρ make the integrals hard"
            if adaptive
            else "plain Gauss-Hermite needs many points; adaptive=True needs fewer"
        )
        warnings.warn(
            f"random-effects Tobit of {y!r}: with {2 * points} instead of {points} "
            f"quadrature points the estimates move by up to {shift:.3g} standard "
            f"errors ({why}); refit with quadrature={2 * points} or more",
            SpatialGreenWarning,
            stacklevel=3,
        )
    return shift


def warn_boundary(y: str) -> None:
    warnings.warn(
        f"random-effects Tobit of {y!r}: the likelihood is highest at σ_u = 0 (the "
        "unit effects cannot be told from zero), so the estimates are the pooled "
        "Tobit's, reported with σ_u = ρ = 0 (no standard errors for them) and the "
        "LR test of σ_u = 0 at p = 1",
        SpatialGreenWarning,
        stacklevel=3,
    )


# -- covariance and fit statistics ---------------------------------------------
def covariance(
    hess: np.ndarray,
    theta: np.ndarray,
    sample: TobitData,
    cov_type: str,
    small_sample: str,
    clusters: np.ndarray | None,
) -> np.ndarray:
    """OIM covariance, or the sandwich with robust or clustered scores."""
    info = -hess
    try:
        np.linalg.cholesky(info)
        bread = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        warnings.warn(
            "the observed information is not positive definite at the estimate "
            "(a parameter is on a boundary or unidentified); its standard errors "
            "are not reliable",
            SpatialGreenWarning,
            stacklevel=3,
        )
        bread = np.linalg.pinv(info)
    if cov_type == "oim":
        return bread
    scores = pooled_scores(theta, sample)
    n = scores.shape[0]
    if cov_type == "clustered":
        assert clusters is not None
        cluster_codes, n_groups = clusters, int(clusters.max()) + 1
        scores = np.vstack(
            [np.bincount(cluster_codes, weights=col) for col in scores.T]
        ).T
        factor = n_groups / (n_groups - 1) if n_groups > 1 else np.nan
    else:
        factor = n / (n - 1)
    meat = scores.T @ scores
    return bread @ meat @ bread * (factor if small_sample == "stata" else 1.0)


def ancillary(theta: np.ndarray, vcov: np.ndarray, panel: str) -> pd.DataFrame:
    """σ's (and ρ) with delta-method SEs and intervals from the log scale."""
    z = float(stats.norm.ppf(0.975))
    rows = {}
    if panel == "pooled":
        logs = {"sigma": (-1, -1)}
    else:
        logs = {"sigma_u": (-1, -1), "sigma_e": (-2, -2)}
    for name, (i, j) in logs.items():
        est, se_log = float(np.exp(theta[i])), float(np.sqrt(vcov[i, j]))
        rows[name] = (
            est,
            est * se_log,
            est * np.exp(-z * se_log),
            est * np.exp(z * se_log),
        )
    if panel == "random":
        d = theta[-1] - theta[-2]  # log(σ_u/σ_e); ρ = 1/(1 + e^(−2d))
        var_d = vcov[-1, -1] + vcov[-2, -2] - 2 * vcov[-1, -2]
        rho = 1.0 / (1.0 + np.exp(-2 * d))
        se_d = float(np.sqrt(max(var_d, 0.0)))
        rows["rho"] = (
            rho,
            2 * rho * (1 - rho) * se_d,
            1.0 / (1.0 + np.exp(-2 * (d - z * se_d))),
            1.0 / (1.0 + np.exp(-2 * (d + z * se_d))),
        )
    return pd.DataFrame.from_dict(
        rows, orient="index", columns=["estimate", "std_error", "ci_low", "ci_high"]
    ).rename_axis("parameter")


def null_model(sample: TobitData, loglik: float, df: int) -> dict[str, float]:
    """Constant-only Tobit: its log-likelihood, the LR test and pseudo-R²."""
    null = dataclasses.replace(sample, x=np.ones((sample.y.size, 1)))
    _, ll0, _ = fit_pooled(null, start_values(null))
    lr = max(0.0, 2 * (loglik - ll0))
    return {
        "loglik_null": ll0,
        "lr_chi2": lr,
        "lr_df": df,
        "lr_p": float(stats.chi2.sf(lr, df)),
        "pseudo_r2": 1 - loglik / ll0,
    }
