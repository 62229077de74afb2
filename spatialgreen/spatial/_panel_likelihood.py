"""Likelihood machinery of the fixed-effects spatial panels (:mod:`.panel`).

``_Design`` holds the demeaned arrays in (period, unit) layout and the
log-determinant bookkeeping; ``_fit_lag`` (SAR/SDM) and ``_fit_error`` (SEM)
maximise the likelihood concentrated in the spatial coefficient and return the
estimates with their covariance from the expected information matrix or the
analytic Hessian. Which arrays are demeaned before or after ``W`` is applied is
decided when the design is built (see the :mod:`.panel` notes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import optimize

from ..errors import ConvergenceError
from .effects import SpatialMultiplier


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
