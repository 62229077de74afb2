"""Marginal effects of Tobit models on the latent, censored and truncated scales.

With the index ``m = x'β``, scale σ and limits ``L < R`` (either may be infinite),
``α_L = (L − m)/σ``, ``α_R = (R − m)/σ`` and ``P = Φ(α_R) − Φ(α_L)`` (the probability
of an uncensored observation):

- latent, ``E[y*] = m``: ``∂/∂x_j = β_j``;
- censored (observed, unconditional), ``E[y] = L·Φ(α_L) + R·(1 − Φ(α_R)) + m·P +
  σ·(φ(α_L) − φ(α_R))``: ``∂/∂x_j = β_j · P`` (McDonald & Moffitt 1980, two limits);
- truncated (conditional on being uncensored), ``E[y | L < y < R] = m + σ·(φ(α_L) −
  φ(α_R))/P``: ``∂/∂x_j = β_j · [1 + (α_L φ(α_L) − α_R φ(α_R))/P − ((φ(α_L) −
  φ(α_R))/P)²]``.

Terms at an infinite limit vanish. Standard errors are by the delta method with the
Jacobian in the estimated parameters taken by central differences (as Stata's
``margins`` does).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import special

from ._tobit_lik import TobitData

__all__: list[str] = []

_SQRT_2PI = float(np.sqrt(2 * np.pi))


def _pdf_terms(alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Φ(α), φ(α) and α·φ(α), with the limits at ±∞ (0 or 1, 0, 0)."""
    finite = np.isfinite(alpha)
    safe = np.where(finite, alpha, 0.0)
    pdf = np.where(finite, np.exp(-0.5 * safe * safe) / _SQRT_2PI, 0.0)
    return special.ndtr(alpha), pdf, np.where(finite, safe * pdf, 0.0)


def scale_factor(
    m: np.ndarray, sigma: float, left: float, right: float, kind: str
) -> np.ndarray:
    """``∂E[·]/∂m`` at each index value: 1, P or the truncated factor."""
    if kind == "latent":
        return np.ones_like(m)
    cdf_l, pdf_l, apdf_l = _pdf_terms((left - m) / sigma)
    cdf_r, pdf_r, apdf_r = _pdf_terms((right - m) / sigma)
    prob = cdf_r - cdf_l
    if kind == "censored":
        return prob
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (pdf_l - pdf_r) / prob
        return 1.0 + (apdf_l - apdf_r) / prob - ratio * ratio


def effects(
    theta: np.ndarray,
    x: np.ndarray,
    slopes: np.ndarray,
    sigma_of: Callable[[np.ndarray], float],
    *,
    left: float,
    right: float,
    kind: str,
    at: str,
) -> np.ndarray:
    """Marginal effects of the regressors at positions ``slopes`` of β.

    ``x`` is the design (N × K); ``at="mean"`` evaluates the factor at the mean row,
    ``"average"`` averages it over the rows; ``sigma_of(θ)`` gives the σ of the
    scale (σ_e with the unit effect at zero, or the total σ).
    """
    k = x.shape[1]
    beta = theta[:k]
    rows = x.mean(axis=0, keepdims=True) if at == "mean" else x
    factor = scale_factor(rows @ beta, sigma_of(theta), left, right, kind)
    return beta[slopes] * float(np.mean(factor))


def jacobian(func: Callable[[np.ndarray], np.ndarray], theta: np.ndarray) -> np.ndarray:
    """Central-difference Jacobian of ``func`` at ``theta`` (outputs × params).

    A parameter fixed at an infinite value (log σ_u = −∞ on the boundary) gets a
    zero column.
    """
    columns = []
    for j in range(theta.size):
        if not np.isfinite(theta[j]):
            columns.append(np.zeros_like(func(theta)))
            continue
        step = 1e-6 * max(1.0, abs(theta[j]))
        up, down = theta.copy(), theta.copy()
        up[j] += step
        down[j] -= step
        columns.append((func(up) - func(down)) / (2 * step))
    return np.column_stack(columns)


def with_std_errors(
    data: TobitData,
    theta: np.ndarray,
    cov: np.ndarray,
    n_slopes: int,
    *,
    kind: str,
    at: str,
    sigma: str,
) -> tuple[np.ndarray, np.ndarray]:
    """The effects of the first ``n_slopes`` coefficients and their delta-method
    standard errors. ``sigma``: ``"pooled"`` (θ ends in log σ), ``"zero"`` (σ_e,
    the unit effect at zero) or ``"integrated"`` (√(σ_u² + σ_e²))."""

    def sigma_of(t: np.ndarray) -> float:
        if sigma == "pooled":
            return float(np.exp(t[-1]))
        if sigma == "zero":
            return float(np.exp(t[-2]))
        return float(np.sqrt(np.exp(2 * t[-2]) + np.exp(2 * t[-1])))

    slopes = np.arange(n_slopes)

    def func(t: np.ndarray) -> np.ndarray:
        return effects(
            t,
            data.x,
            slopes,
            sigma_of,
            left=data.left,
            right=data.right,
            kind=kind,
            at=at,
        )

    jac = jacobian(func, theta)
    used = np.any(jac != 0, axis=0)  # parameters the effects depend on
    vcov = jac[:, used] @ cov[np.ix_(used, used)] @ jac[:, used].T
    return func(theta), np.sqrt(np.diag(vcov))
