"""LeSage–Pace direct, indirect and total effects of spatial lag models.

For a SAR or SDM model ``y = ρWy + Xβ + WXθ + ε`` the effect of regressor ``k`` is
the matrix ``S_k(W) = (I − ρW)⁻¹(β_k I + θ_k W)``. LeSage & Pace (2009, ch. 2)
summarise it by the *direct* effect (mean diagonal element, ``tr(S_k)/N``), the
*total* effect (mean row sum, ``ι'S_k ι/N``) and the *indirect* (spillover) effect
``total − direct``. Standard errors come from simulating ``R`` draws of
``(ρ, β, θ)`` from their estimated asymptotic normal distribution.

W is eigendecomposed once, ``W = V diag(ω) V⁻¹``, so that for every draw

* ``tr((I − ρW)⁻¹)/N = mean(1/(1 − ρω))`` and ``tr((I − ρW)⁻¹W)/N = mean(ω/(1 − ρω))``;
* ``ι'(I − ρW)⁻¹ι/N = Σ c_i/(1 − ρω_i)/N`` with ``c = (ι'V) ∘ (V⁻¹ι)``
  (for row-standardised ``W`` simply ``1/(1 − ρ)``, used directly because the
  eigenvectors of asymmetric k-nearest-neighbour weights are often singular),

which costs ``O(N)`` per draw after one ``O(N³)`` decomposition — fast for the few
hundred units of province or city panels. spreg's ``spat_impacts`` offers point
estimates only (no simulated inference, and nothing for panels), hence this module.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import linalg, stats

from ..errors import ModelError, check_int

__all__ = ["SpatialMultiplier", "impacts"]


@dataclasses.dataclass(frozen=True)
class SpatialMultiplier:
    """Eigen-summaries of a weights matrix that give effect traces for any ρ.

    Parameters
    ----------
    eigenvalues : numpy.ndarray
        Eigenvalues ``ω`` of ``W``.
    row_weights : numpy.ndarray
        ``c = (ι'V) ∘ (V⁻¹ι)``; ``Σ_i c_i f(ω_i) = ι'f(W)ι`` for any analytic ``f``
        (NaN when ``W`` is not diagonalisable).
    schur : tuple of numpy.ndarray, optional
        ``(R, Z*ι, Z*Wι)`` of the complex Schur form ``W = ZRZ*``, used for the row
        sums when ``W`` is not diagonalisable.

    Examples
    --------
    >>> import numpy as np
    >>> w = np.array([[0, 1.0], [1.0, 0]])
    >>> m = SpatialMultiplier.from_matrix(w)
    >>> round(float(m.mean_diagonal(0.5)[0]), 6)  # diag of (I - 0.5 W)^-1 is 4/3
    1.333333
    """

    eigenvalues: np.ndarray
    row_weights: np.ndarray
    schur: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    @classmethod
    def from_matrix(cls, w: np.ndarray) -> SpatialMultiplier:
        """Decompose a dense ``N × N`` weights matrix once."""
        w = np.asarray(w, dtype=float)
        scale = _symmetrising_scale(w)
        if scale is not None:
            # W = D⁻¹B with B symmetric: D^½ W D^-½ is symmetric, so eigh applies
            # (faster, and real eigenvalues without round-off imaginary parts)
            omega, u = np.linalg.eigh(scale[:, None] * w / scale[None, :])
            left = (1.0 / scale) @ u
            right = u.T @ scale
            return cls(omega.astype(complex), (left * right).astype(complex))
        omega, vectors = np.linalg.eig(w)
        n = w.shape[0]
        if np.allclose(w.sum(axis=1), 1.0, rtol=0.0, atol=1e-10):
            # row-standardised: Wι = ι, so ι'f(W)ι = N f(1) exactly; the
            # eigenvectors of asymmetric (e.g. k-nearest-neighbour) W are often
            # (near-)singular and would give arbitrary row sums
            weights = np.zeros(n, dtype=complex)
            weights[np.argmin(np.abs(omega - 1.0))] = n
            return cls(omega, weights)
        weights = _eigen_row_weights(w, omega, vectors)
        if not np.isnan(weights).any():
            return cls(omega, weights)
        # W not diagonalisable: row sums from the (stable) complex Schur form
        # W = Z R Z*, ι'(I − ρW)⁻¹W^p ι = (Z*ι)* (I − ρR)⁻¹ Z*W^p ι
        tri, z = linalg.schur(w.astype(complex), output="complex")
        ones = np.ones(n)
        left = z.conj().T @ ones
        return cls(omega, weights, (tri, left, z.conj().T @ (w @ ones)))

    @property
    def n(self) -> int:
        """Number of units."""
        return int(self.eigenvalues.shape[0])

    def _mean(
        self, rho: np.ndarray | float, weights: np.ndarray | None, power: int
    ) -> np.ndarray:
        rho = np.atleast_1d(np.asarray(rho, dtype=float))[:, None]
        omega = self.eigenvalues[None, :]
        terms = omega**power / (1.0 - rho * omega)
        if weights is not None:
            if self.schur is not None:
                return self._schur_mean(rho[:, 0], power)
            terms = terms * weights[None, :]
        return np.real(terms.sum(axis=1)) / self.n

    def _schur_mean(self, rho: np.ndarray, power: int) -> np.ndarray:
        assert self.schur is not None
        tri, left, left_w = self.schur
        rhs = left if power == 0 else left_w
        eye = np.eye(self.n)
        out = [
            (left.conj() @ linalg.solve_triangular(eye - r * tri, rhs)).real
            for r in rho
        ]
        return np.asarray(out) / self.n

    def mean_diagonal(self, rho: np.ndarray | float) -> np.ndarray:
        """``tr((I − ρW)⁻¹)/N`` for each ``ρ``."""
        return self._mean(rho, None, 0)

    def mean_diagonal_w(self, rho: np.ndarray | float) -> np.ndarray:
        """``tr((I − ρW)⁻¹W)/N`` for each ``ρ``."""
        return self._mean(rho, None, 1)

    def mean_row_sum(self, rho: np.ndarray | float) -> np.ndarray:
        """``ι'(I − ρW)⁻¹ι/N`` for each ``ρ``."""
        return self._mean(rho, self.row_weights, 0)

    def mean_row_sum_w(self, rho: np.ndarray | float) -> np.ndarray:
        """``ι'(I − ρW)⁻¹Wι/N`` for each ``ρ``."""
        return self._mean(rho, self.row_weights, 1)

    def effects(
        self, rho: np.ndarray, beta: np.ndarray, theta: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Direct, indirect and total effects, arrays of shape ``(draws, k)``.

        ``rho`` has shape ``(draws,)``; ``beta`` and ``theta`` ``(draws, k)``.
        """
        rho = np.atleast_1d(rho)
        beta = np.atleast_2d(beta)
        theta = np.atleast_2d(theta)
        direct = (
            beta * self.mean_diagonal(rho)[:, None]
            + theta * self.mean_diagonal_w(rho)[:, None]
        )
        total = (
            beta * self.mean_row_sum(rho)[:, None]
            + theta * self.mean_row_sum_w(rho)[:, None]
        )
        return direct, total - direct, total


def _eigen_row_weights(
    w: np.ndarray, omega: np.ndarray, vectors: np.ndarray
) -> np.ndarray:
    """``(ι'V) ∘ (V⁻¹ι)``, or NaN if it does not reproduce ``ι'W^jι`` (j ≤ 3)."""
    ones = np.ones(w.shape[0])
    failed = np.full(w.shape[0], np.nan, dtype=complex)
    try:
        weights = (ones @ vectors) * np.linalg.solve(vectors, ones)
    except np.linalg.LinAlgError:
        return failed
    moment, power = ones, []
    for _ in range(4):
        power.append(moment.sum())
        moment = w @ moment
    check = [np.sum(weights * omega**j).real for j in range(4)]
    scale = max(abs(p) for p in power)
    if not np.allclose(check, power, rtol=1e-8, atol=1e-8 * scale):
        return failed
    return weights


def _symmetrising_scale(w: np.ndarray) -> np.ndarray | None:
    """``√d`` such that ``diag(√d) W diag(1/√d)`` is symmetric, if one exists.

    Covers symmetric ``W`` (``d = 1``) and row-standardised symmetric ``B``
    (``d_i`` = row sum of ``B``, recovered as ``1/max_j w_ij`` for binary ``B``).
    """
    if np.allclose(w, w.T):
        return np.ones(w.shape[0])
    top = w.max(axis=1)
    if (top <= 0).any():
        return None
    scale = np.sqrt(1.0 / top)
    sym = scale[:, None] * w / scale[None, :]
    return scale if np.allclose(sym, sym.T, rtol=1e-10, atol=1e-12) else None


def check_draws(draws: int, seed: int) -> None:
    """Refuse a negative or single simulation draw count and a negative seed."""
    if check_int(draws, "draws", minimum=0) == 1:
        check_int(draws, "draws", minimum=2)  # one draw has no standard deviation
    check_int(seed, "seed", minimum=0)


def impacts(
    w: np.ndarray | SpatialMultiplier,
    *,
    rho: float,
    beta: pd.Series,
    theta: pd.Series | None = None,
    cov: pd.DataFrame | None = None,
    draws: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """LeSage–Pace direct, indirect and total effects with simulated inference.

    Parameters
    ----------
    w : numpy.ndarray or SpatialMultiplier
        The dense ``N × N`` weights matrix used in estimation (as transformed), or
        its precomputed :class:`SpatialMultiplier`.
    rho : float
        Spatial lag coefficient.
    beta : pandas.Series
        Coefficients of the regressors whose effects are wanted (no constant).
    theta : pandas.Series, optional
        Coefficients of their spatial lags, in the same order (SDM); zero for SAR.
    cov : pandas.DataFrame, optional
        Covariance of the estimates, indexed by parameter name, covering ``"rho"``,
        ``beta.index`` and ``theta.index``. Without it (or with ``draws=0``) only
        point estimates are returned.
    draws : int
        Number of simulated parameter draws for the standard errors (0 = none,
        else at least 2).
    seed : int
        Seed of the simulation (>= 0); the same seed gives the same standard errors.

    Returns
    -------
    pandas.DataFrame
        Indexed by variable, with columns ``direct, direct_se, direct_z, direct_p``
        and ``direct_ci_lower, direct_ci_upper``, the same for ``indirect`` and
        ``total``. Point estimates are evaluated at the estimates; standard errors
        are the standard deviations over the draws (as in LeSage & Pace and Stata's
        xsmle), ``z = estimate/se`` with two-sided normal ``p``; the 95% interval is
        the 2.5–97.5 percentile range of the draws, which is more stable than the
        standard deviation when ``ρ`` is imprecise (the multiplier ``1/(1 − ρ)`` has
        heavy tails near 1).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> w = np.array([[0, 1.0, 0], [0.5, 0, 0.5], [0, 1.0, 0]])
    >>> eff = impacts(w, rho=0.5, beta=pd.Series({"x": 2.0}))
    >>> round(float(eff.loc["x", "total"]), 6)  # beta / (1 - rho)
    4.0
    """
    check_draws(draws, seed)
    multiplier = (
        w if isinstance(w, SpatialMultiplier) else SpatialMultiplier.from_matrix(w)
    )
    names = list(beta.index)
    beta_v = beta.to_numpy(dtype=float)
    theta_v = np.zeros_like(beta_v) if theta is None else theta.to_numpy(dtype=float)
    if theta_v.shape != beta_v.shape:
        raise ModelError("theta must have one coefficient per beta coefficient")
    point = multiplier.effects(np.array([rho]), beta_v[None, :], theta_v[None, :])
    kinds = ("direct", "indirect", "total")
    out = pd.DataFrame(index=pd.Index(names, name="variable"))
    simulated: Sequence[np.ndarray | None] = (None, None, None)
    if cov is not None and draws > 0:
        simulated = _simulate(multiplier, rho, beta, theta, cov, draws, seed)
    for kind, value, sims in zip(kinds, point, simulated, strict=True):
        out[kind] = value[0]
        if sims is None:
            continue
        se = np.std(sims, axis=0, ddof=1)
        out[f"{kind}_se"] = se
        with np.errstate(divide="ignore", invalid="ignore"):
            z = value[0] / se
        out[f"{kind}_z"] = z
        out[f"{kind}_p"] = 2 * stats.norm.sf(np.abs(z))
        out[f"{kind}_ci_lower"] = np.percentile(sims, 2.5, axis=0)
        out[f"{kind}_ci_upper"] = np.percentile(sims, 97.5, axis=0)
    return out


def _simulate(
    multiplier: SpatialMultiplier,
    rho: float,
    beta: pd.Series,
    theta: pd.Series | None,
    cov: pd.DataFrame,
    draws: int,
    seed: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    names = ["rho", *beta.index, *([] if theta is None else theta.index)]
    missing = [n for n in names if n not in cov.index]
    if missing:
        raise ModelError(
            f"covariance lacks parameters {missing} needed for the effects"
        )
    mean = np.concatenate(
        [[rho], beta.to_numpy(float), [] if theta is None else theta.to_numpy(float)]
    )
    sub = cov.loc[names, names].to_numpy(dtype=float)
    rng = np.random.default_rng(seed)
    sample = _admissible_draws(rng, mean, sub, draws, multiplier)
    k = len(beta)
    theta_draws = np.zeros((draws, k)) if theta is None else sample[:, 1 + k :]
    return multiplier.effects(sample[:, 0], sample[:, 1 : 1 + k], theta_draws)


def _admissible_draws(
    rng: np.random.Generator,
    mean: np.ndarray,
    cov: np.ndarray,
    draws: int,
    multiplier: SpatialMultiplier,
) -> np.ndarray:
    """Normal draws of (ρ, β, θ) with ρ inside (1/ω_min, 1/ω_max).

    Draws with an inadmissible ρ (where ``I − ρW`` is singular or the process
    explosive) are rejected and replaced, as in LeSage & Pace (2009, §5.6.2);
    without this, one draw near ``1/ω_max`` dominates the standard deviation.
    """
    real = multiplier.eigenvalues.real
    low, high = 1.0 / real.min(), 1.0 / real.max()
    kept: list[np.ndarray] = []
    total = 0
    for _ in range(100):
        batch = rng.multivariate_normal(mean, cov, size=draws, method="eigh")
        batch = batch[(batch[:, 0] > low) & (batch[:, 0] < high)]
        kept.append(batch)
        total += len(batch)
        if total >= draws:
            return np.concatenate(kept)[:draws]
    raise ModelError(
        f"rho = {mean[0]:.4f} is too close to its bounds ({low:.4f}, {high:.4f}) to "
        "simulate the effects' standard errors"
    )
