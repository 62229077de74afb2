"""Standardisation of a stochastic-frontier design and its exact inverse.

:func:`spatialgreen.efficiency.sfa` maximises the likelihood of a standardised
problem: ``y`` and every non-constant column of ``x`` (and of the BC95 ``z``) are
centred (when the design has a constant) and divided by their standard deviation.
Slack regressions of the three-stage procedure have ``y`` in tons of coal or 10⁴
yuan and ``z`` in shares and percentages; on the raw scale BFGS works with steps and
curvatures that differ by many orders of magnitude across parameters and stalls on
ridges and kinks of the likelihood (``benchmarks/sfa_slack.py`` compares the raw
search with the current fit on YREB-sized slack regressions).

The model is equivariant: with ``y = m_y + s_y y'`` and ``x_j = c_j + s_j x'_j`` the
frontier ``y' = x'β' + v' ∓ u'`` is the original one with ``v = s_y v'``, ``u = s_y
u'``, so

* ``β_j = s_y β'_j / s_j`` and the constant absorbs the centring,
* ``σ² = s_y² σ'²``, ``γ = γ'``, ``μ = s_y μ'``, ``η = η'``, ``δ`` like ``β``
  (times ``s_y``, divided by the scale of its ``z`` column, centring absorbed by
  ``delta_const``),
* ``ln L = ln L' − n ln s_y`` (the Jacobian of ``y ↦ y'``).

The map ``θ = a + Aθ'`` is affine, so estimates and the covariance ``A V' Aᵀ`` are
transformed back exactly (no delta-method approximation).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ._sfa_likelihood import _Design

__all__: list[str] = []


@dataclasses.dataclass(frozen=True)
class Scaling:
    """A standardised design and the affine map back to the original parameters."""

    design: _Design
    offset: np.ndarray  # a in θ = a + Aθ'
    matrix: np.ndarray  # A
    log_scale: float  # n · ln s_y: ln L = ln L' − log_scale

    def to_original(self, theta_std: np.ndarray) -> np.ndarray:
        """Natural parameters of the original problem from standardised ones."""
        return self.offset + self.matrix @ theta_std

    def to_standard(self, theta: np.ndarray) -> np.ndarray:
        """Standardised parameters from natural parameters of the original problem."""
        return np.linalg.solve(self.matrix, theta - self.offset)

    def covariance(self, cov_std: np.ndarray) -> np.ndarray:
        """Covariance of the original parameters (``A V' Aᵀ``, exact)."""
        return self.matrix @ cov_std @ self.matrix.T


def _columns(mat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, int | None]:
    """Centre/scale the varying columns; ``(scaled, centre, scale, intercept)``.

    ``intercept`` is the first constant non-zero column (None without one); the
    varying columns are centred only when there is one to absorb the centring.
    """
    k = mat.shape[1]
    spread = np.ptp(mat, axis=0)
    constant = np.flatnonzero(spread == 0)
    nonzero = [int(j) for j in constant if mat[0, j] != 0]
    intercept = nonzero[0] if nonzero else None
    varying = spread > 0
    centre, scale = np.zeros(k), np.ones(k)
    if intercept is not None:
        centre[varying] = mat[:, varying].mean(axis=0)
        scale[varying] = mat[:, varying].std(axis=0)
    else:
        scale[varying] = np.sqrt(np.mean(mat[:, varying] ** 2, axis=0))
    return (mat - centre) / scale, centre, scale, intercept


def _block(mat: np.ndarray, centre, scale, intercept: int | None, s_y: float):
    """``A`` block of a linear index ``Mb`` when ``M = M'S + 1c`` and ``b' ~ b/s_y``.

    ``s_y M'b' = M(s_y S⁻¹b') − 1·s_y Σ_j c_j b'_j/S_j``: the intercept column (value
    ``v``) takes the last term, divided by ``v``.
    """
    block = np.diag(s_y / scale)
    if intercept is not None:
        block[intercept, :] -= s_y * centre / scale / mat[0, intercept]
        block[intercept, intercept] = s_y  # its own centre is 0 and scale 1
    return block


def standardise(d: _Design) -> Scaling:
    """The standardised version of ``d`` with the map back (see the module doc)."""
    x_std, x_centre, x_scale, x_const = _columns(d.x)
    if x_const is not None:
        m_y, s_y = float(d.y.mean()), float(d.y.std())
    else:
        m_y, s_y = 0.0, float(np.sqrt(np.mean(d.y**2)))
    if not (np.isfinite(s_y) and s_y > 0):
        m_y, s_y = 0.0, 1.0
    y_std = (d.y - m_y) / s_y
    z_std = None
    blocks = [_block(d.x, x_centre, x_scale, x_const, s_y), np.diag([s_y**2, 1.0])]
    k = d.x.shape[1]
    offset_x = np.zeros(k)
    if x_const is not None:
        offset_x[x_const] = m_y / d.x[0, x_const]
    if d.truncated:
        blocks.append(np.array([[s_y]]))
    if d.time_varying:
        blocks.append(np.array([[1.0]]))
    if d.z is not None:
        z_std, z_centre, z_scale, z_const = _columns(d.z)
        blocks.append(_block(d.z, z_centre, z_scale, z_const, s_y))
    p = sum(b.shape[0] for b in blocks)
    matrix = np.zeros((p, p))
    pos = 0
    for b in blocks:
        size = b.shape[0]
        matrix[pos : pos + size, pos : pos + size] = b
        pos += size
    offset = np.zeros(p)
    offset[:k] = offset_x
    design = dataclasses.replace(d, y=y_std, x=x_std, z=z_std)
    return Scaling(design, offset, matrix, len(d.y) * np.log(s_y))
