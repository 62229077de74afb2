"""Conditional distribution of inefficiency given the composed error, and predictors.

Given the estimates, ``u_i | ε_i ~ N⁺(μ*_i, σ*_i²)`` with (production form)
``μ*_i = (m_i σ_v² − σ_u² h_i'ε_i)/D_i`` and ``σ*_i² = σ_u² σ_v²/D_i``, and
``u_it = h_it u_i``. From it:

* ``u_jlms = E[u_it|ε] = h (μ* + σ* φ(a)/Φ(a))`` (Jondrow et al. 1982), ``a = μ*/σ*``;
* ``te_bc = E[exp(−u_it)|ε] = exp(−hμ* + ½h²σ*²) Φ(a − hσ*)/Φ(a)`` (Battese &
  Coelli 1988/1992; what FRONTIER 4.1 prints);
* ``te_jlms = exp(−u_jlms)``; ``u_mode = h max(μ*, 0)``;
* ``exp_u_bc = E[exp(u_it)|ε]`` (R ``frontier``'s ``farrell = FALSE``).

The ratios are evaluated in a form that stays finite in both tails (``a ≪ 0`` when an
observation is far above the frontier, ``σ* → 0`` when ``γ → 1``): with
``L(b) = ln Φ(b) + b²/2 = ln(½ erfcx(−b/√2))`` the identity
``ln te_bc = L(a − hσ*) − L(a)`` holds exactly and has no cancellation for ``a ≤ 0``.
"""

from __future__ import annotations

import numpy as np
from scipy.special import erfcx, log_ndtr

from ._sfa_likelihood import _Design, _pieces, mills

__all__: list[str] = []

_SQRT2 = np.sqrt(2.0)


def _log_phi_plus_half_square(b: np.ndarray) -> np.ndarray:
    """``ln Φ(b) + b²/2`` for ``b ≤ 0`` without underflow."""
    return np.log(0.5 * erfcx(-b / _SQRT2))


def _log_expectation(a: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """``ln E[exp(−c u)]`` for ``u ~ N⁺(μ*, σ*²)``, ``shift = cσ*``, ``a = μ*/σ*``.

    ``= −shift·a + shift²/2 + ln Φ(a − shift) − ln Φ(a)``; ``shift < 0`` gives
    ``E[exp(|c| u)]``.
    """
    direct = -shift * a + 0.5 * shift**2 + log_ndtr(a - shift) - log_ndtr(a)
    with np.errstate(over="ignore", invalid="ignore"):
        tail = _log_phi_plus_half_square(np.minimum(a - shift, 0.0))
        tail = tail - _log_phi_plus_half_square(np.minimum(a, 0.0))
    use_tail = (a <= 0.0) & (a - shift <= 0.0)
    return np.where(use_tail, tail, direct)


def conditional(d: _Design, theta: np.ndarray) -> dict[str, np.ndarray]:
    """Per-row ``μ*``, ``σ*`` and ``h`` of the conditional distribution of ``u``."""
    p = _pieces(d, theta)
    su2, sv2 = float(p["su2"]), float(p["sv2"])
    dd = np.asarray(p["D"])
    mu_star = (np.asarray(p["m"]) * sv2 - su2 * np.asarray(p["s1"])) / dd
    sigma_star = np.sqrt(su2 * sv2 / dd)
    return {
        "mu_star": mu_star[d.group],
        "sigma_star": sigma_star[d.group],
        "h": np.asarray(p["h"]),
        "eps": np.asarray(p["eps"]),
    }


def predict(d: _Design, theta: np.ndarray) -> dict[str, np.ndarray]:
    """Efficiency predictors for every row (see the module docstring)."""
    c = conditional(d, theta)
    mu_s, sig_s, h = c["mu_star"], c["sigma_star"], c["h"]
    # σ* = 0 (γ = 1 to machine precision) is the point mass u = max(μ*, 0)
    degenerate = ~(sig_s > 1e-12 * np.maximum(1.0, np.abs(mu_s)))
    safe_sig = np.where(degenerate, 1.0, sig_s)
    a = mu_s / safe_sig
    u_given = np.where(degenerate, np.maximum(mu_s, 0.0), mu_s + safe_sig * mills(a))
    u_given = np.maximum(u_given, 0.0)  # rounding in the far tail
    log_te = _log_expectation(a, h * safe_sig)
    log_exp_u = _log_expectation(a, -h * safe_sig)
    point = h * np.maximum(mu_s, 0.0)
    # E[exp(u)|ε] is +inf in floating point when u is in the hundreds (slack
    # regressions of the three-stage procedure in levels): that is its value, not an
    # error, so the overflow warning is silenced rather than the number altered
    with np.errstate(over="ignore"):
        return {
            "te_bc": np.where(degenerate, np.exp(-point), np.exp(log_te)),
            "te_jlms": np.exp(-h * u_given),
            "u_jlms": h * u_given,
            "u_mode": point,
            "exp_u_bc": np.where(degenerate, np.exp(point), np.exp(log_exp_u)),
        }
