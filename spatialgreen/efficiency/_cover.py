"""The large-set path of the LP engine: dominance covers and solve order.

Dominance covers are the reference columns the engine has to price (below);
:func:`locality_order` and :func:`slot_major` set the order in which a large set of
observations is solved so that each LP warm-starts from a similar one. Neither
changes a score; where an LP has several optimal solutions (ties, duplicate units)
the λ, slacks and projection reported may be another of them.

Column generation (see :mod:`._lp`) prices every reference column after each solve;
with the global technology of a county panel that is tens of thousands of columns per
LP, and pricing, not solving, dominated the run time. Most columns can never enter:
a column ``a_j`` *dominated* by another column ``a_i`` scaled by ``μ > 0`` (no less of
every input-like row — inputs and bad outputs —, no more of every good output) has
reduced cost ``-yᵀa_j >= μ (-yᵀa_i)`` for every dual vector ``y`` that is ``<= 0`` on
the input-like rows and ``>= 0`` on the good-output rows, provided ``μ = 1`` or the
dual of the returns-to-scale row ``eᵀλ`` is 0 (constant returns to scale: that row
is free). Dominance is transitive, so the columns that no other column dominates — the
*cover* — dominate every other column, and once no cover column has a negative reduced
cost, none has: pricing the cover alone is exact.

The sign condition on the duals is checked after every solve (:meth:`Cover.valid`);
an LP whose duals do not have these signs (e.g. an equality row for weakly disposable
bad outputs) is priced against every column, as before, so the reduction never
changes an optimum. The cover is found once per reference set and reused by every LP
evaluated against it (every period's evaluation against the global technology).

Dominance here is between single columns (``μ = 1`` for variable returns to scale,
any ``μ > 0`` for constant returns to scale, compared on the columns divided by their
first good output); a column dominated only by a combination of columns stays in the
cover, which keeps the cover a superset of the efficient frame, cheap to find, and
exact.
"""

from __future__ import annotations

import dataclasses

import numpy as np

__all__ = ["Cover", "dominance_cover", "locality_order", "slot_major"]

_BLOCK = 1024  # points screened at a time
_CHUNK = 128  # dominators compared at a time
_CODE_BITS = 60  # bits of a Z-order code (int64)


@dataclasses.dataclass(frozen=True)
class Cover:
    """Reference columns that dominate all others, and the dual signs that requires.

    Attributes
    ----------
    columns : ndarray of int
        Sorted positions of the cover's columns in the reference set.
    member : ndarray of bool
        ``member[j]``: column ``j`` is in the cover.
    nonpositive, nonnegative : ndarray of bool
        Rows of the λ block whose dual must be ``<= 0`` (input-like), ``>= 0`` (good
        outputs); a row in both must have a zero dual (the returns-to-scale row when
        columns are scaled, i.e. under constant returns to scale).
    """

    columns: np.ndarray
    member: np.ndarray
    nonpositive: np.ndarray
    nonnegative: np.ndarray
    # each dual must lie in [lower, upper]: <= 0 input-like, >= 0 goods, 0 if both
    upper: np.ndarray = dataclasses.field(init=False, repr=False)
    lower: np.ndarray = dataclasses.field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "upper", np.where(self.nonpositive, 0.0, np.inf))
        object.__setattr__(self, "lower", np.where(self.nonnegative, 0.0, -np.inf))

    def valid(self, duals: np.ndarray, excluded: np.ndarray) -> np.ndarray:
        """Which LPs (rows of ``duals``) may be priced on the cover alone.

        An LP qualifies when its λ-row duals have the signs the dominance argument
        needs and its excluded reference column (super-efficiency), if any, is not a
        cover column (a column dominated only by that column would be missing).
        """
        ok = np.asarray(((duals <= self.upper) & (duals >= self.lower)).all(axis=1))
        hit = excluded >= 0
        if hit.any():
            ok[hit] &= ~self.member[excluded[hit]]
        return ok


def dominance_cover(ref: np.ndarray, n_in: int, n_good: int, scaled: bool) -> Cover:
    """The columns of ``ref`` that no other column dominates.

    Parameters
    ----------
    ref : ndarray, shape (rows, n)
        λ block: inputs, good outputs, bad outputs, then the returns-to-scale row.
    n_in, n_good : int
        Number of input and good-output rows (the rest of the data rows are bad
        outputs, input-like).
    scaled : bool
        Allow a dominating column to be scaled (constant returns to scale: the
        returns-to-scale row must then have a zero dual).

    Returns
    -------
    Cover

    Examples
    --------
    Unit 1 uses twice the input of unit 0 for the same output; under constant
    returns unit 2 is unit 0 doubled:

    >>> import numpy as np
    >>> ref = np.array([[1.0, 2.0, 2.0], [1.0, 1.0, 2.0], [1.0, 1.0, 1.0]])
    >>> dominance_cover(ref, 1, 1, scaled=False).columns.tolist()
    [0, 2]
    >>> dominance_cover(ref, 1, 1, scaled=True).columns.tolist()
    [0]
    """
    n_rows = ref.shape[0]
    n_data = n_rows - 1
    good = np.zeros(n_rows, dtype=bool)
    good[n_in : n_in + n_good] = True
    input_like = np.zeros(n_rows, dtype=bool)
    input_like[:n_data] = ~good[:n_data]
    data = ref[:n_data].T
    # smaller is better in every coordinate of w
    w = np.where(input_like[:n_data], data, -data)
    usable = np.asarray(np.isfinite(w).all(axis=1))
    if scaled:
        base = data[:, n_in]
        usable &= base > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            w = w / base[:, None]
        w = np.delete(w, n_in, axis=1)  # the scaled first good output is always 1
    keep: np.ndarray = ~usable
    pts = np.flatnonzero(usable)
    keep[pts[_nondominated(w[pts])]] = True
    nonneg = good.copy()
    nonpos = input_like.copy()
    if scaled:
        nonneg[n_data] = nonpos[n_data] = True
    return Cover(np.flatnonzero(keep), keep, nonpos, nonneg)


def _nondominated(w: np.ndarray) -> np.ndarray:
    """Positions of the rows of ``w`` dominated by no earlier row (smaller is better).

    Rows are screened in the order of their (scaled) coordinate sum, which a
    dominating row never exceeds (floating-point sums are monotone), so a row can
    only be dominated by rows screened before it: each block of rows is compared
    with the rows kept so far, strongest first, then within itself. Of equal rows
    the first is kept. Ties of the sum may keep a dominated row: the result is then
    a superset of the non-dominated rows, which is all a cover needs.
    """
    n, dims = w.shape
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    spread = np.abs(w).mean(axis=0)
    spread[spread == 0] = 1.0
    order = np.lexsort((np.arange(n), (w / spread).sum(axis=1)))
    kept: list[np.ndarray] = []
    kept_w = np.empty((0, dims))
    for start in range(0, n, _BLOCK):
        idx = order[start : start + _BLOCK]
        wb = w[idx]
        alive = np.ones(idx.size, dtype=bool)
        for first in range(0, kept_w.shape[0], _CHUNK):
            live = np.flatnonzero(alive)
            if live.size == 0:
                break
            alive[live[_dominated_by(kept_w[first : first + _CHUNK], wb[live])]] = False
        live = np.flatnonzero(alive)
        sub = wb[live]
        dom = _le(sub, sub)
        alive[live[np.triu(dom, 1).any(axis=0)]] = False
        kept_w = np.vstack([kept_w, wb[alive]])
        kept.append(idx[alive])
    return np.sort(np.concatenate(kept))


def _le(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``out[i, j]``: row ``a[i]`` is no larger than row ``b[j]`` everywhere."""
    out: np.ndarray = a[:, None, 0] <= b[None, :, 0]
    for d in range(1, a.shape[1]):
        out &= a[:, None, d] <= b[None, :, d]
    return out


def _dominated_by(dominators: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Which ``rows`` some row of ``dominators`` dominates (or equals)."""
    return np.asarray(_le(dominators, rows).any(axis=0))


def locality_order(values: np.ndarray, n_in: int) -> np.ndarray:
    """An order of observations that keeps similar input–output mixes together.

    The engine warm-starts every LP from the optimal basis of the LP solved before it
    in the same slot; observations that face the same part of the frontier need few
    simplex iterations from each other's basis, and a chunk of them needs a smaller
    working set of λ columns. The order is the Z-order (Morton) curve through the
    rank-quantised mixes: every variable divided by the first good output when that
    is positive for all observations (the direction of the observation, which fixes
    its peers under constant returns to scale), the raw values otherwise. Results do
    not depend on the order; only the work does.

    Parameters
    ----------
    values : ndarray, shape (n, variables)
        Inputs, good outputs, bad outputs of the evaluated observations.
    n_in : int
        Number of inputs (column ``n_in`` is the first good output).

    Returns
    -------
    ndarray of int
        A permutation of ``range(n)``.

    Examples
    --------
    >>> import numpy as np
    >>> v = np.array([[1.0, 1.0], [9.0, 1.0], [1.1, 1.0], [9.5, 1.0]])
    >>> locality_order(v, 1).tolist()
    [0, 2, 1, 3]
    """
    n = values.shape[0]
    base = values[:, n_in]
    w = values
    if n and (base > 0).all():
        w = np.delete(values / base[:, None], n_in, axis=1)
    w = w[:, :_CODE_BITS]
    dims = max(w.shape[1], 1)
    bits = max(1, _CODE_BITS // dims)
    bits = min(bits, max(1, int(np.ceil(np.log2(max(n, 2))))))
    ranks = np.argsort(np.argsort(w, axis=0, kind="stable"), axis=0, kind="stable")
    q = (ranks.astype(np.int64) << bits) // max(n, 1)
    code = np.zeros(n, dtype=np.int64)
    for b in range(bits - 1, -1, -1):
        for d in range(w.shape[1]):
            code = (code << 1) | ((q[:, d] >> b) & 1)
    return np.argsort(code, kind="stable")


def slot_major(chunk: np.ndarray, slots: int) -> np.ndarray:
    """Reorder a chunk so that each batch slot of the engine gets a contiguous run.

    The engine puts observation ``i`` of a chunk in slot ``i % slots`` of batch
    ``i // slots`` and warm-starts each slot from its previous LP; in this order the
    observations a slot solves one after the other are neighbours in the chunk.

    Examples
    --------
    >>> slot_major(np.arange(6), 2).tolist()
    [0, 3, 1, 4, 2, 5]
    """
    b = min(slots, chunk.size)
    if b == 0 or chunk.size % b:  # a ragged chunk keeps its order
        return chunk
    return chunk.reshape(b, -1).T.ravel()
