"""Seeded permutation inference for the autocorrelation statistics, in numpy.

esda runs its conditional randomisation through numba, which compiles the kernel in
every new process (about 17 s before the first LISA); this module is the same
algorithm in vectorised numpy, so the first call costs what the last one does.

* **Global statistics** (Moran, Geary, General G, bivariate Moran): ``R`` random
  permutations of all values, drawn as esda draws them after
  ``numpy.random.seed(seed)`` — here from a local ``numpy.random.RandomState(seed)``,
  so numpy's global generator is neither read nor changed.
* **Local statistics** (LISA, bivariate LISA, local G and G*): conditional
  randomisation. Unit ``i`` keeps its own value; its ``c_i`` neighbours' values are
  drawn without replacement from the ``n − 1`` other values. As in esda's ``crand``,
  one ``(R, max c_i)`` matrix of positions among "the others" serves every unit
  (row ``r`` is ``RandomState(seed).permutation(n − 1)[:max c_i]``, the ``r``-th
  draw: exactly the matrix esda's numba kernel builds), unit ``i`` reads the first
  ``c_i`` columns, and its weights pair with them in the order of the CSR row.
  The units are processed in blocks of equal cardinality, so memory stays at a few
  tens of MB whatever ``n`` (2,875 counties × 999 draws included).

Pseudo p-values are esda's "directed" ones, ``p = (M + 1)/(R + 1)`` with ``M`` the
draws at least as extreme as the observed value in the tail it lies in:
``M = min(#{draws ≥ observed}, #{draws ≤ observed})``. Without ties this is esda's
count exactly (esda: ``M = #{≥}``, replaced by ``R − M`` if that is smaller). A
draw can tie with the observed value (the same neighbours drawn in another order,
or repeated values), and after summation in another order the two may differ in
the last bits: draws within ``1e-10`` of the largest absolute statistic of the unit
count as ties, and a tie counts in both tails, as "at least as extreme" reads. esda
counts a tie only in the upper tail, and only when its rounding keeps it a tie, so
on data with ties (small lattices, repeated values) its p-values hang on rounding
(a lower-tail unit whose ties all stay ties gets too small a p-value); on data
without ties both give the same numbers. ``z_sim`` is the
observed value standardised by the mean and population s.d. of the draws.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator

import numpy as np
from scipy import sparse as sp

from ..errors import check_int

__all__ = ["conditional_test", "global_test", "permutation_ids"]

# elements per block of draws: keeps the (units × R × c) temporaries near 32 MB
_BLOCK = 1 << 22
# relative tolerance under which a draw ties with the observed value (see above)
_TIE = 1e-10


def _generator(seed: int) -> np.random.RandomState:
    """A local ``RandomState(seed)`` (no global state); ``seed`` fits 32 bits."""
    return np.random.RandomState(check_int(seed, "seed", minimum=0, maximum=2**32 - 1))


def permutation_ids(n: int, size: int, permutations: int, seed: int) -> np.ndarray:
    """esda's conditional-randomisation draws: ``(permutations, size)`` positions in
    ``0 … n − 2`` (among the other ``n − 1`` units), row ``r`` the first ``size``
    entries of the ``r``-th ``permutation(n − 1)`` of ``RandomState(seed)``.

    esda builds the same matrix with numba (``esda.crand.vec_permutations``:
    ``np.random.choice(n − 1, size, replace=False)`` after ``np.random.seed(seed)``,
    numba's choice being numpy's ``permutation(n − 1)[:size]``).
    """
    draws = _generator(seed)
    out = np.empty((permutations, size), dtype=np.intp)
    for r in range(permutations):
        out[r] = draws.permutation(n - 1)[:size]
    return out


def _summarise(
    sim: np.ndarray, observed: np.ndarray, permutations: int
) -> tuple[np.ndarray, np.ndarray]:
    """Pseudo p-values and ``z_sim`` of ``observed`` against the draws in the rows
    of ``sim`` (directed; ties up to rounding count in both tails)."""
    tie = _TIE * np.maximum(np.abs(sim).max(axis=1), np.abs(observed))
    larger = (sim >= (observed - tie)[:, None]).sum(axis=1)
    smaller = (sim <= (observed + tie)[:, None]).sum(axis=1)
    p_sim = (np.minimum(larger, smaller) + 1.0) / (permutations + 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        z_sim = (observed - sim.mean(axis=1)) / sim.std(axis=1)
    return p_sim, z_sim


# ------------------------------------------------------------------------- global


def global_test(
    statistic: Callable[[np.ndarray], np.ndarray],
    values: np.ndarray,
    *,
    permutations: int,
    seed: int,
    width: int = 0,
) -> tuple[float, float]:
    """Pseudo p-value and ``z_sim`` of a global statistic under random permutations.

    ``statistic`` maps a ``(b, n)`` array of value vectors to their ``b``
    statistics; draw ``r`` is the ``r``-th ``permutation(values)`` of
    ``RandomState(seed)`` — esda's draws after ``numpy.random.seed(seed)``.
    ``width`` is the number of values per draw the statistic holds at once if it
    exceeds ``n`` (Geary: one per link); draws are evaluated in blocks of about
    ``2**22`` such values. Returns ``(nan, nan)`` for ``permutations = 0``.
    """
    if not permutations:
        return np.nan, np.nan
    observed = float(statistic(values[None, :])[0])
    draws = _generator(seed)
    block = max(1, _BLOCK // max(values.size, width, 1))
    sims = []
    for start in range(0, permutations, block):
        count = min(block, permutations - start)
        batch = np.empty((count, values.size))
        for r in range(count):
            batch[r] = draws.permutation(values)
        sims.append(statistic(batch))
    p_sim, z_sim = _summarise(
        np.concatenate(sims)[None, :], np.array([observed]), permutations
    )
    return float(p_sim[0]), float(z_sim[0])


# -------------------------------------------------------------------------- local


def _blocks(weights: sp.csr_matrix) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(units, their neighbour weights ``(g, c)`` in CSR order) for every
    cardinality ``c`` of the off-diagonal weights."""
    cardinality = np.diff(weights.indptr)
    for c in np.unique(cardinality):
        units = np.flatnonzero(cardinality == c)
        links = weights.data[weights.indptr[units][:, None] + np.arange(c)]
        yield units, links


def conditional_test(
    weights: sp.spmatrix,
    lagged: np.ndarray,
    observed: np.ndarray,
    statistic: Callable[[np.ndarray, np.ndarray], np.ndarray],
    *,
    permutations: int,
    seed: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Conditional-randomisation pseudo p-values and ``z_sim`` of local statistics.

    Parameters
    ----------
    weights : scipy.sparse matrix
        The ``n × n`` weights as the statistic uses them (transformed; a diagonal
        holds self-weights, as in G*), e.g. ``esda_result.w.sparse``.
    lagged : numpy.ndarray
        The values whose neighbours are drawn (``z`` for LISA, ``z_y`` for the
        bivariate LISA, ``y`` for local G).
    observed : numpy.ndarray
        The observed local statistics.
    statistic : callable
        ``statistic(units, lag)`` maps the unit positions ``(g,)`` and their
        simulated lags ``(g, R)`` — ``Σ_k w_ik lagged_{draw k} + w_ii lagged_i`` —
        to the simulated statistics ``(g, R)``.
    permutations, seed : int
        Number of draws and the seed of :func:`permutation_ids`.

    Returns
    -------
    p_sim, z_sim : numpy.ndarray
        NaN for units without neighbours (nothing to randomise).
    """
    # the same steps as esda's crand, so the CSR order of the neighbours (which
    # pairs each weight with a column of draws) is the same as esda's
    csr = sp.csr_matrix(weights, dtype=float, copy=True)
    self_weight = csr.diagonal()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sp.SparseEfficiencyWarning)
        csr.setdiag(0)
    csr.eliminate_zeros()
    n = csr.shape[0]
    p_sim = np.full(n, np.nan)
    z_sim = np.full(n, np.nan)
    if not permutations or n < 2:
        return p_sim, z_sim
    size = int(np.diff(csr.indptr).max())
    ids = permutation_ids(n, size, permutations, seed)
    # a position k among "the others" of unit i is unit k (k < i) or k + 1 (k ≥ i)
    low, high = lagged[ids], lagged[ids + 1]
    for units, links in _blocks(csr):
        c = links.shape[1]
        if c == 0:
            continue
        cols, lo, hi = ids[:, :c], low[:, :c], high[:, :c]
        step = max(1, _BLOCK // (permutations * c))
        for start in range(0, units.size, step):
            rows = units[start : start + step]
            shifted = cols[None, :, :] >= rows[:, None, None]
            values = np.where(shifted, hi[None], lo[None])
            lag = np.matmul(values, links[start : start + step, :, None])[..., 0]
            lag += (self_weight[rows] * lagged[rows])[:, None]
            found = _summarise(statistic(rows, lag), observed[rows], permutations)
            p_sim[rows], z_sim[rows] = found
    return p_sim, z_sim
