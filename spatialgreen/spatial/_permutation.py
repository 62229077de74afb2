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
  The units are processed in blocks of equal cardinality, a few hundred units at a
  time, so memory stays at a few MB whatever ``n`` (2,875 counties × 999 draws
  included).

Pseudo p-values are esda's "directed" ones, ``p = (M + 1)/(R + 1)`` with ``M`` the
draws at least as extreme as the observed value in the tail it lies in:
``M = min(#{draws ≥ observed}, #{draws ≤ observed})``. Without ties this is esda's
count exactly (esda: ``M = #{sim ≥ observed}``, replaced by ``R − M`` if that is
smaller). ``z_sim`` is the observed value standardised by the mean and population
s.d. of the draws.

**Ties.** A draw can equal the observed value in exact arithmetic (the same
neighbours drawn in another order, repeated values, a unit at the mean), and the
two are summed in different orders, so they may differ in the last bits; esda
compares the floats as they come, so its p-values hang on rounding there. Here a
draw *ties* when it lies within ``1e-10 × scale`` of the observed value, and a tie
counts in both tails, as "at least as extreme" reads (a lower-tail unit whose ties
all stay ties gets too small a p-value from esda). ``scale`` is the largest
magnitude the statistic of the unit takes: the largest ``|draw|``, ``|observed|``
and, for local statistics, the statistic of the largest lag any draw could give
(``Σ_j |w_ij| · max |lagged| + |w_ii lagged_i|``, which the statistics here are
linear in) — so a statistic whose terms cancel to about zero is measured against
the size of its terms, not of its rounding error. By the same rule, draws whose
s.d. is within the tolerance have none: ``z_sim`` is then NaN when the observed
value ties with their mean and ±inf otherwise (esda divides by the rounding
noise). On data without ties both give the same numbers.

The draws of a ``(n, R, seed)`` are kept for the next call (the periods of a panel
share them): two sets of each kind, read-only.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterator

import numpy as np
from scipy import sparse as sp

from ..errors import check_int

__all__ = ["conditional_test", "global_test", "permutation_ids"]

# values per block of global draws (about 32 MB); local blocks hold _BLOCK // 64
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


@functools.lru_cache(maxsize=2)
def _local_draws(n: int, size: int, permutations: int, seed: int) -> np.ndarray:
    """:func:`permutation_ids`, transposed to ``(size, permutations)``, read-only."""
    ids = np.ascontiguousarray(permutation_ids(n, size, permutations, seed).T)
    ids.flags.writeable = False
    return ids


@functools.lru_cache(maxsize=2)
def _global_draws(n: int, permutations: int, seed: int) -> np.ndarray:
    """Row ``r``: the ``r``-th ``permutation(n)`` of ``RandomState(seed)``, read-only.

    ``values[row]`` is ``RandomState.permutation(values)`` for any 1-d ``values``
    of length ``n`` (numpy shuffles an index and a value vector with the same
    swaps; tested), so the periods of a panel share one set of draws.
    """
    draws = _generator(seed)
    out = np.empty((permutations, n), dtype=np.int32 if n < 2**31 else np.intp)
    for r in range(permutations):
        out[r] = draws.permutation(n)
    out.flags.writeable = False
    return out


def _tie_tolerance(
    sim: np.ndarray, observed: np.ndarray, scale: np.ndarray | None = None
) -> np.ndarray:
    """Per row of ``sim``: the distance under which a draw ties with ``observed``.

    ``1e-10`` times the largest of ``|sim|`` (over the row), ``|observed|`` and
    ``scale`` (the size of the statistic's terms, if given); see the module notes.
    """
    size = np.maximum(np.abs(sim).max(axis=1), np.abs(observed))
    if scale is not None:
        size = np.maximum(size, scale)
    return _TIE * size


def _summarise(
    sim: np.ndarray,
    observed: np.ndarray,
    permutations: int,
    scale: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Pseudo p-values and ``z_sim`` of ``observed`` against the draws in the rows
    of ``sim`` (directed; ties up to :func:`_tie_tolerance` count in both tails)."""
    tie = _tie_tolerance(sim, observed, scale)
    larger = (sim >= (observed - tie)[:, None]).sum(axis=1)
    smaller = (sim <= (observed + tie)[:, None]).sum(axis=1)
    p_sim = (np.minimum(larger, smaller) + 1.0) / (permutations + 1.0)
    gap = observed - sim.mean(axis=1)
    spread = sim.std(axis=1)
    flat = spread <= tie  # no spread beyond rounding: 0/0 is NaN, gap/0 is ±inf
    spread[flat] = 0.0
    gap[flat & (np.abs(gap) <= tie)] = 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        z_sim = gap / spread
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
    ``2**22`` such values. Returns ``(nan, nan)`` for ``permutations = 0``. Ties
    as in the module notes, on the scale of the draws and the observed value.
    """
    if not permutations:
        return np.nan, np.nan
    observed = float(statistic(values[None, :])[0])
    order = _global_draws(values.size, permutations, seed)
    block = max(1, _BLOCK // max(values.size, width, 1))
    sims = [
        statistic(values[order[start : start + block]])
        for start in range(0, permutations, block)
    ]
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


def _lags(
    rows: np.ndarray,
    links: np.ndarray,
    cols: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
) -> np.ndarray:
    """``Σ_k w_ik · x_(k-th drawn neighbour of i)``: ``(g, R)`` for the units ``rows``.

    Position ``k`` of a draw is among "the others" of unit ``i``: unit ``cols[k]``
    (value ``low[k]``) below ``i``, unit ``cols[k] + 1`` (``high[k]``) from ``i`` on.
    One ``(g, R)`` term per neighbour, summed in the CSR order: no ``(g, R, c)``
    temporaries (a third of the time of a batched matmul over them).
    """
    lag = np.where(cols[0] >= rows[:, None], high[0], low[0])
    lag *= links[:, :1]
    for k in range(1, links.shape[1]):
        term = np.where(cols[k] >= rows[:, None], high[k], low[k])
        term *= links[:, k : k + 1]
        lag += term
    return lag


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
        to the simulated statistics ``(g, R)``; linear in ``lag`` (ties are
        measured on ``statistic`` of the largest possible lag, see the module
        notes).
    permutations, seed : int
        Number of draws and the seed of :func:`permutation_ids`.

    Returns
    -------
    p_sim, z_sim : numpy.ndarray
        NaN for units without neighbours (nothing to randomise).

    Examples
    --------
    >>> from scipy import sparse
    >>> w = sparse.csr_matrix(np.array([[0, 1, 1], [1, 0, 1], [1, 1, 0]]) / 2)
    >>> x = np.array([-1.0, 0.0, 1.0])
    >>> p, z = conditional_test(w, x, x * (w @ x), lambda i, lag: x[i, None] * lag,
    ...                         permutations=9, seed=0)
    >>> p.tolist()  # each unit's two neighbours are always the two others: ties
    [1.0, 1.0, 1.0]
    """
    # the same steps as esda's crand, so the CSR order of the neighbours (which
    # pairs each weight with a column of draws) is the same as esda's
    csr = sp.csr_matrix(weights, dtype=float, copy=True)
    lagged = np.asarray(lagged, dtype=float)
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
    if size == 0:
        return p_sim, z_sim
    cols = _local_draws(n, size, permutations, seed)
    # a position k among "the others" of unit i is unit k (k < i) or k + 1 (k ≥ i)
    low, high = lagged[cols], lagged[cols + 1]
    own = self_weight * lagged
    # the largest |lag| any draw can give: the scale of the tie tolerance
    reach = np.bincount(
        np.repeat(np.arange(n), np.diff(csr.indptr)), np.abs(csr.data), minlength=n
    ) * np.abs(lagged).max() + np.abs(own)
    # units per block: (g, R) arrays of 2**16 values stay in cache (faster than larger)
    step = max(1, _BLOCK // (64 * permutations))
    for units, links in _blocks(csr):
        if links.shape[1] == 0:
            continue
        for start in range(0, units.size, step):
            rows = units[start : start + step]
            lag = _lags(rows, links[start : start + step], cols, low, high)
            lag += own[rows, None]
            scale = np.abs(statistic(rows, reach[rows, None]))[:, 0]
            found = _summarise(
                statistic(rows, lag), observed[rows], permutations, scale
            )
            p_sim[rows], z_sim[rows] = found
    return p_sim, z_sim
