"""The one LP engine of every frontier model: HiGHS re-solves with column generation.

Every envelopment LP of the package has the same shape for an evaluated observation
``o`` against a reference set ``R``::

    min  c_oᵀ z + 0ᵀ λ
    s.t. row_lo_o ≤ [A_ref λ + A_o z] ≤ row_hi_o,   lo_o ≤ z ≤ hi_o,   λ ≥ 0

The λ block ``A_ref`` (inputs, good outputs, bad outputs and an optional returns-to-
scale row of ones, one column per reference observation) is the same for every ``o``;
only the model's own few columns ``z`` (θ, t, slacks, ...), their costs and bounds and
the row bounds depend on ``o``. A chunk of observations is therefore solved on one
``highspy.Highs`` instance whose λ block is built once: per observation only the
``z`` columns, costs and bounds change and HiGHS warm-starts from the previous basis.

Reference-set reduction is done by column generation: the LP starts with a small seed
set of λ columns (units that maximise an output/input ratio, which are on the frontier)
and after each solve the reduced cost ``-a_jᵀ y`` of every reference column is priced
with the row duals ``y``. Columns with negative reduced cost are added and the LP is
re-solved; when none is left the restricted optimum *is* the optimum of the full LP
(LP duality), so the reduction is exact, not a heuristic. The working set quickly
settles on the efficient frame, so most LPs have a few dozen columns instead of ``|R|``.
A restricted LP that is infeasible is re-solved against all columns. When a chunk
carries a dominance :class:`~._cover.Cover` of its reference set, LPs whose duals
qualify price only the cover's columns (exact; see :mod:`._cover`).

HiGHS prints a banner ("Running HiGHS ...") from C on the first model that logs;
every model of the engine (:mod:`._highs`) is created by :func:`new_highs`, which
switches logging off before highspy's constructor reaches that point, so a run
prints nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from ._cover import Cover
from ._highs import INF, BatchLP, LPBlocks, SingleLP, new_highs

__all__ = [
    "INF",
    "STATUS_NAMES",
    "ChunkResult",
    "ChunkTask",
    "LPBlocks",
    "RefSet",
    "new_highs",
    "seed_columns",
    "solve_chunk",
]

STATUS_NAMES = {0: "optimal", 1: "infeasible", 2: "unbounded", 3: "failed"}
BATCH = 8  # LPs per HiGHS run by default (see BatchLP)


@dataclasses.dataclass(frozen=True)
class RefSet:
    """A reference set, shared by every chunk evaluated against it."""

    ref: np.ndarray  # (lambda rows, n_ref) coefficients of the λ columns
    seed: np.ndarray  # columns to start column generation with
    cover: Cover | None = None  # price only these columns where the duals allow


@dataclasses.dataclass(frozen=True)
class ChunkTask:
    """A picklable unit of work: a chunk of observations against one reference set
    (``group``: its position in the list of :class:`RefSet` passed along)."""

    group: int
    blocks: LPBlocks
    self_index: np.ndarray  # position of each evaluated obs in the reference set, or -1
    exclude_self: bool
    reduce: bool
    slots: int = BATCH
    ties: bool = False  # flag LPs whose optimum may not be unique (BatchLP.ties)


@dataclasses.dataclass(frozen=True)
class ChunkResult:
    """Solutions of a chunk: status code, objective, own columns, and λ as sparse
    triplets (LP of the chunk, position in the reference set, value; sorted)."""

    status: np.ndarray
    objective: np.ndarray
    z: np.ndarray
    lam_item: np.ndarray
    lam_index: np.ndarray
    lam_value: np.ndarray
    ties: np.ndarray  # optimum may not be unique (only with ChunkTask.ties)


def seed_columns(ref: np.ndarray, n_in: int, n_good: int) -> np.ndarray:
    """Frontier units to start column generation with (ratio and extreme maximisers).

    ``ref`` rows are inputs then good outputs then bad outputs (bads count as
    input-like); every maximiser of a good/input-like ratio lies on the CRS frontier.
    """
    n_data = ref.shape[0]
    goods = ref[n_in : n_in + n_good]
    input_like = np.vstack([ref[:n_in], ref[n_in + n_good : n_data]])
    picks: list[int] = []
    with np.errstate(divide="ignore", invalid="ignore"):
        for g in goods:
            picks.append(int(np.argmax(g)))
            for x in input_like:
                picks.append(int(np.nanargmax(np.where(x > 0, g / x, np.inf))))
    for x in input_like:
        picks.append(int(np.argmin(x)))
    return np.array(sorted(set(picks)), dtype=np.int64)


def solve_chunk(task: ChunkTask, refsets: Sequence[RefSet]) -> ChunkResult:
    """Solve every LP of a chunk (module-level so that it pickles to workers).

    LPs are solved ``task.slots`` at a time on a block-diagonal model; a batch whose
    LP is not optimal (some slot infeasible or unbounded) is re-solved one LP at a
    time.
    """
    blocks = task.blocks
    refset = refsets[task.group]
    ref = refset.ref
    n, k = blocks.cost.shape
    n_ref = ref.shape[1]
    start = refset.seed if task.reduce else np.arange(n_ref)
    slots = min(task.slots, n)
    batch = BatchLP(ref, blocks, start, slots, refset.cover if task.reduce else None)
    single: SingleLP | None = None
    full: SingleLP | None = None
    status = np.full(n, 3, dtype=np.int8)
    objective = np.full(n, np.nan)
    z = np.full((n, k), np.nan)
    ties = np.zeros(n, dtype=bool)
    lam: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    self_index = np.asarray(task.self_index, dtype=np.int64)
    for first in range(0, n, slots):
        items = np.arange(first, min(first + slots, n))
        items = np.r_[items, np.full(slots - items.size, -1)]
        live = items >= 0
        own = np.where(live, self_index[np.clip(items, 0, None)], -1)
        excluded = own if task.exclude_self else np.full(slots, -1)
        batch.load(blocks, items, np.where(excluded >= 0, -1, own))
        batch.fence(excluded, 0.0)
        ok = batch.run()
        while ok and task.reduce:
            extra = batch.price(excluded, task.ties)
            if extra.size == 0:
                break
            batch.add_columns(extra)
            batch.fence(excluded, 0.0)
            ok = batch.run()
        batch.fence(excluded, INF)
        idx = items[live]
        if ok:
            status[idx] = 0
            cost = np.zeros((slots, k))
            cost[live] = blocks.cost[idx]
            obj, sol, slot, col, val = batch.solutions(cost)
            objective[idx], z[idx] = obj[live], sol[live]
            lam.append((items[slot], col, val))
            if task.ties:
                lower = np.zeros((slots, k))
                upper = np.zeros((slots, k))
                lower[live], upper[live] = blocks.lower[idx], blocks.upper[idx]
                ties[idx] = batch.ties(lower, upper)[live]
            continue
        ties[idx] = True  # not checked on the one-at-a-time path
        for b, i in enumerate(items.tolist()):
            if i < 0:
                continue
            if single is None:
                single = SingleLP(ref, blocks, batch.columns)
            code, result = _solve_one(
                single, blocks, i, own[b], excluded[b], task.reduce
            )
            if code != 0 and task.reduce and len(single.columns) < n_ref:
                # The restricted LP may lack the columns that make it feasible.
                if full is None:
                    full = SingleLP(ref, blocks, np.arange(n_ref))
                code, result = _solve_one(full, blocks, i, own[b], excluded[b], False)
            status[i] = code
            if code == 0 and result is not None:
                objective[i], z[i], cols, vals = result
                lam.append((np.full(cols.size, i), cols, vals))
    if lam:
        item = np.concatenate([a[0] for a in lam])
        order = np.argsort(item, kind="stable")  # within an LP: columns sorted
        lam_item = item[order]
        lam_index = np.concatenate([a[1] for a in lam])[order]
        lam_value = np.concatenate([a[2] for a in lam])[order]
    else:
        lam_item, lam_index, lam_value = (np.zeros(0, np.int64),) * 2 + (np.zeros(0),)
    return ChunkResult(status, objective, z, lam_item, lam_index, lam_value, ties)


def _solve_one(
    lp: SingleLP, blocks: LPBlocks, i: int, own: int, excluded: int, reduce: bool
) -> tuple[int, tuple | None]:
    lp.set_block(blocks, i, -1 if excluded >= 0 else own)
    fenced = excluded >= 0 and bool(lp.in_set[excluded])
    if fenced:
        lp.set_lambda_upper(excluded, 0.0)
    try:
        while True:
            code = lp.solve()
            if code != 0:
                return code, None
            if not reduce:
                break
            extra = lp.improving_columns(excluded)
            if extra.size == 0:
                break
            lp.add_columns(extra)
        return 0, lp.solution(blocks.cost[i])
    finally:
        if fenced:
            lp.set_lambda_upper(excluded, INF)
