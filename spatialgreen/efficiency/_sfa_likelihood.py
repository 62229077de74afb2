"""Log-likelihood and analytic gradient of the normal–truncated-normal frontier.

One formula covers every model spatialgreen estimates. Observations are grouped
(a group is one firm in the Battese–Coelli 1992 panel model, one observation in the
cross-section and Battese–Coelli 1995 models); within group ``i`` the inefficiency is
``u_it = h_it u_i`` with ``u_i ~ N⁺(m_i, σ_u²)`` and ``h_it = exp(−η (t − T))``
(``h = 1`` outside BC92). In production form ``ε = v − u`` and with
``S1 = h'ε``, ``S2 = h'h``, ``E = ε'ε``, ``D = σ_v² + σ_u² S2``:

``ln L_i = −½T_i ln 2π − ½(T_i−1) ln σ_v² − ½ ln D − ln Φ(m/σ_u) + ln Φ(a)
− ½ [E/σ_v² + m²/σ_u² − a²]``, ``a = (m σ_v² − σ_u² S1)/(σ_u σ_v √D)``

(Battese & Coelli 1992, eq. in ``sfa_econometrics.md`` §1.3). The gradient is
derived by hand with respect to the intermediate quantities and chained to the
natural parameters ``(β, σ², γ, μ, η, δ)``; tests check it against finite
differences.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy.special import erfcx, log_ndtr

__all__: list[str] = []

_LOG_2PI = np.log(2.0 * np.pi)


@dataclasses.dataclass(frozen=True)
class _Design:
    """Arrays of one estimation problem (rows sorted by group)."""

    y: np.ndarray  # (n,)
    x: np.ndarray  # (n, k) frontier regressors incl. constant
    sign: float  # +1 production, -1 cost
    group: np.ndarray  # (n,) group index 0..G-1 (sorted)
    n_groups: int
    dt: np.ndarray  # (n,) t - T (0 outside BC92)
    z: np.ndarray | None  # (n, q) inefficiency-mean regressors (BC95)
    truncated: bool  # a free μ (cross/BC92 truncated-normal)
    time_varying: bool  # a free η (BC92)

    @property
    def n_params(self) -> int:
        extra = int(self.truncated) + int(self.time_varying)
        q = 0 if self.z is None else self.z.shape[1]
        return self.x.shape[1] + 2 + extra + q


def mills(a: np.ndarray) -> np.ndarray:
    """φ(a)/Φ(a), accurate in both tails.

    Written with the scaled complementary error function because the ratio of
    ``exp(log φ − log Φ)`` loses every digit for ``a ≪ 0`` (both logs ≈ −a²/2).
    """
    return np.sqrt(2.0 / np.pi) / erfcx(-np.asarray(a, dtype=float) / np.sqrt(2.0))


def _unpack(d: _Design, theta: np.ndarray) -> dict[str, np.ndarray | float]:
    k = d.x.shape[1]
    out: dict[str, np.ndarray | float] = {
        "beta": theta[:k],
        "sigma2": float(theta[k]),
        "gamma": float(theta[k + 1]),
    }
    pos = k + 2
    out["mu"] = 0.0
    out["eta"] = 0.0
    if d.truncated:
        out["mu"] = float(theta[pos])
        pos += 1
    if d.time_varying:
        out["eta"] = float(theta[pos])
        pos += 1
    out["delta"] = theta[pos:]
    return out


def _group_sums(d: _Design, values: np.ndarray) -> np.ndarray:
    """Sum rows (or row vectors) by group."""
    if values.ndim == 1:
        return np.bincount(d.group, weights=values, minlength=d.n_groups)
    out = np.zeros((d.n_groups, values.shape[1]))
    np.add.at(out, d.group, values)
    return out


def _pieces(d: _Design, theta: np.ndarray) -> dict[str, np.ndarray | float]:
    """Intermediate quantities shared by the likelihood, gradient and predictors."""
    p = _unpack(d, theta)
    beta = np.asarray(p["beta"])
    sigma2, gamma = float(p["sigma2"]), float(p["gamma"])
    su2, sv2 = gamma * sigma2, (1.0 - gamma) * sigma2
    eps = d.sign * (d.y - d.x @ beta)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _pieces_given(d, p, su2, sv2, eps)


def _pieces_given(d, p, su2, sv2, eps) -> dict[str, np.ndarray | float]:
    h = np.exp(-float(p["eta"]) * d.dt)
    if d.z is not None:
        m_obs = d.z @ np.asarray(p["delta"]) + float(p["mu"])
        m = m_obs  # BC95 groups are single observations
    else:
        m = np.full(d.n_groups, float(p["mu"]))
    s1 = _group_sums(d, h * eps)
    s2 = _group_sums(d, h * h)
    e = _group_sums(d, eps * eps)
    # E − S1²/S2, the scatter of ε about its projection on h, as a sum of squares:
    # written as a difference it loses every digit when σ_v → 0 (see loglik_obs)
    within = _group_sums(d, (eps - h * (s1 / s2)[d.group]) ** 2)
    t_i = np.bincount(d.group, minlength=d.n_groups).astype(float)
    dd = sv2 + su2 * s2
    q = np.sqrt(su2 * sv2 * dd)
    a = (m * sv2 - su2 * s1) / q
    return {
        **p,
        "su2": su2,
        "sv2": sv2,
        "eps": eps,
        "h": h,
        "m": m,
        "s1": s1,
        "s2": s2,
        "e": e,
        "w": within,
        "t_i": t_i,
        "D": dd,
        "Q": q,
        "a": a,
    }


def loglik_obs(d: _Design, theta: np.ndarray) -> np.ndarray:
    """Log-likelihood contribution of each group.

    The quadratic form ``Q = E/σ_v² + m²/σ_u² − a²`` of the module docstring is
    evaluated as ``Q = (E + m²S2 + 2mS1)/D + σ_u² S2 W/(σ_v² D)`` with ``W = E −
    S1²/S2`` (algebraically identical): near ``γ = 1`` both ``E/σ_v²`` and ``a²``
    are ~``1/σ_v²`` and their difference kept only round-off, which the optimiser
    then climbed (a spurious gain of 1e-3 in ln L at ``1 − γ = 1e-11``).
    """
    p = _pieces(d, theta)
    su2, sv2 = float(p["su2"]), float(p["sv2"])
    m, a, t_i = np.asarray(p["m"]), np.asarray(p["a"]), np.asarray(p["t_i"])
    e, s1, s2 = np.asarray(p["e"]), np.asarray(p["s1"]), np.asarray(p["s2"])
    dd = np.asarray(p["D"])
    k = m / np.sqrt(su2)
    with np.errstate(divide="ignore", invalid="ignore"):
        within = su2 * s2 * np.asarray(p["w"]) / (sv2 * dd)
    quad = (e + m * m * s2 + 2.0 * m * s1) / dd + np.where(
        np.asarray(p["w"]) > 0, within, 0.0
    )
    return (
        -0.5 * t_i * _LOG_2PI
        - 0.5 * (t_i - 1.0) * np.log(sv2)
        - 0.5 * np.log(dd)
        - log_ndtr(k)
        + log_ndtr(a)
        - 0.5 * quad
    )


def loglik(d: _Design, theta: np.ndarray) -> float:
    """Total log-likelihood at natural parameters ``theta``."""
    sigma2, gamma = theta[d.x.shape[1]], theta[d.x.shape[1] + 1]
    if not (sigma2 > 0 and 0 < gamma < 1):
        return -np.inf
    value = float(np.sum(loglik_obs(d, theta)))
    return value if np.isfinite(value) else -np.inf


def gradient(d: _Design, theta: np.ndarray) -> np.ndarray:
    """Analytic gradient of :func:`loglik` in the natural parameters."""
    p = _pieces(d, theta)
    su2, sv2, sigma2, gamma = (float(p[k]) for k in ("su2", "sv2", "sigma2", "gamma"))
    m, a, q, dd = (np.asarray(p[k]) for k in ("m", "a", "Q", "D"))
    s1, s2, e, t_i = (np.asarray(p[k]) for k in ("s1", "s2", "e", "t_i"))
    eps, h = np.asarray(p["eps"]), np.asarray(p["h"])
    su = np.sqrt(su2)
    k = m / su
    big_a = mills(a) + a
    big_k = mills(k) + k

    # derivatives of ln L_i with respect to the intermediate quantities
    d_m = -big_k / su + big_a * sv2 / q
    d_s1 = -big_a * su2 / q
    d_e = -0.5 / sv2
    d_s2 = -0.5 * (1.0 + big_a * a) * su2 / dd
    d_sv2 = (
        -0.5 * (t_i - 1.0) / sv2
        + 0.5 * e / sv2**2
        - 0.5 / dd
        + big_a * (m / q - 0.5 * a * (1.0 / sv2 + 1.0 / dd))
    )
    d_su2 = (
        0.5 * k * big_k / su2
        - 0.5 * s2 / dd
        + big_a * (-s1 / q - 0.5 * a * (1.0 / su2 + s2 / dd))
    )

    # chain to parameters; per-row weights spread group derivatives to rows
    g = d.group
    row_eps = d_s1[g] * h + 2.0 * d_e * eps  # d lnL / d eps_row
    grad_beta = -d.sign * (row_eps @ d.x)
    sum_su2, sum_sv2 = float(np.sum(d_su2)), float(np.sum(d_sv2))
    grad_sigma2 = gamma * sum_su2 + (1.0 - gamma) * sum_sv2
    grad_gamma = sigma2 * (sum_su2 - sum_sv2)
    parts = [grad_beta, np.array([grad_sigma2, grad_gamma])]
    if d.truncated:
        parts.append(np.array([np.sum(d_m)]))
    if d.time_varying:
        dh = -d.dt * h
        grad_eta = np.sum(d_s1[g] * eps * dh + d_s2[g] * 2.0 * h * dh)
        parts.append(np.array([grad_eta]))
    if d.z is not None:
        parts.append(d_m @ d.z)
    return np.concatenate(parts)


# --- unconstrained reparameterisation used by the optimiser -----------------------


def to_free(d: _Design, theta: np.ndarray) -> np.ndarray:
    """Natural → unconstrained: ``ln σ²`` and ``logit γ``."""
    k = d.x.shape[1]
    free = np.array(theta, dtype=float)
    free[k] = np.log(theta[k])
    free[k + 1] = np.log(theta[k + 1] / (1.0 - theta[k + 1]))
    return free


def to_natural(d: _Design, free: np.ndarray) -> np.ndarray:
    """Unconstrained → natural parameters."""
    k = d.x.shape[1]
    theta = np.array(free, dtype=float)
    theta[k] = np.exp(np.clip(free[k], -700.0, 700.0))
    theta[k + 1] = 1.0 / (1.0 + np.exp(-np.clip(free[k + 1], -700.0, 700.0)))
    return theta


def free_value(d: _Design, free: np.ndarray) -> float:
    """Negative log-likelihood in the unconstrained parameters (no gradient)."""
    value = loglik(d, to_natural(d, free))
    return -value if np.isfinite(value) else np.inf


def free_objective(d: _Design, free: np.ndarray) -> tuple[float, np.ndarray]:
    """Negative log-likelihood and its gradient in the unconstrained parameters."""
    theta = to_natural(d, free)
    k = d.x.shape[1]
    gamma = theta[k + 1]
    if not (0.0 < gamma < 1.0):
        return np.inf, np.zeros_like(free)
    value = loglik(d, theta)
    if not np.isfinite(value):
        return np.inf, np.zeros_like(free)
    grad = gradient(d, theta)
    grad[k] *= theta[k]
    grad[k + 1] *= gamma * (1.0 - gamma)
    if not np.all(np.isfinite(grad)):
        return np.inf, np.zeros_like(free)
    return -value, -grad
