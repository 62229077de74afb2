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
A restricted LP that is infeasible is re-solved against all columns.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import highspy
import numpy as np

__all__ = [
    "STATUS_NAMES",
    "ChunkResult",
    "ChunkTask",
    "LPBlocks",
    "seed_columns",
    "solve_chunk",
]

INF = highspy.kHighsInf
STATUS_NAMES = {0: "optimal", 1: "infeasible", 2: "unbounded", 3: "failed"}
_PRICE_TOL = 1e-9
_ADD_PER_ROUND = 4
_LAMBDA_ZERO = 1e-10
_BATCH = 8  # LPs per HiGHS run (see _BatchLP)


@dataclasses.dataclass(frozen=True)
class LPBlocks:
    """The observation-specific part of a batch of LPs (leading axis = observation).

    Attributes
    ----------
    A : ndarray, shape (n, rows, k)
        Coefficients of the model's own columns in every row.
    cost, lower, upper : ndarray, shape (n, k)
        Costs (minimised) and bounds of the model's own columns.
    row_lower, row_upper : ndarray, shape (n, rows)
        Row bounds.
    """

    A: np.ndarray
    cost: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray

    def take(self, idx: np.ndarray) -> LPBlocks:
        """The blocks of the observations ``idx``."""
        return LPBlocks(*(getattr(self, f.name)[idx] for f in dataclasses.fields(self)))


@dataclasses.dataclass(frozen=True)
class ChunkTask:
    """A picklable unit of work: a chunk of observations against one reference set."""

    ref: np.ndarray  # (lambda rows, n_ref) coefficients of the λ columns
    blocks: LPBlocks
    self_index: np.ndarray  # position of each evaluated obs in the reference set, or -1
    exclude_self: bool
    reduce: bool
    seed: np.ndarray


@dataclasses.dataclass(frozen=True)
class ChunkResult:
    """Solutions of a chunk: status code, objective, own columns and sparse λ."""

    status: np.ndarray
    objective: np.ndarray
    z: np.ndarray
    lambda_index: list[np.ndarray]
    lambda_value: list[np.ndarray]


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


class _LP:
    """One HiGHS LP: own columns, the evaluated unit's λ, then a working set of λ."""

    def __init__(self, ref: np.ndarray, blocks: LPBlocks, columns: np.ndarray):
        self.ref = ref
        self.n_lambda_rows = ref.shape[0]
        self.n_rows = blocks.A.shape[1]
        self.k = blocks.A.shape[2]
        # Column k is the evaluated unit's own λ when it belongs to the reference set:
        # it keeps every restricted LP feasible without adding every unit to the set.
        self.k_all = self.k + 1
        self.h = highspy.Highs()
        self.h.setOptionValue("output_flag", False)
        self.h.setOptionValue("presolve", "off")
        self.A = np.zeros((self.n_rows, self.k_all))
        self.columns: list[int] = []
        self.own = -1
        self._solution: Any = None
        self.in_set = np.zeros(ref.shape[1], dtype=bool)
        self.k_idx = np.arange(self.k, dtype=np.int32)
        self.row_idx = np.arange(self.n_rows, dtype=np.int32)
        self._add_own_columns()
        self.add_columns(columns)

    def _add_own_columns(self) -> None:
        rows, k = self.n_rows, self.k_all
        none_i, none_f = np.zeros(0, np.int32), np.zeros(0)
        self.h.addRows(
            rows, np.full(rows, -INF), np.full(rows, INF), 0, none_i, none_i, none_f
        )
        self.h.addCols(
            k,
            np.zeros(k),
            np.zeros(k),
            np.zeros(k),
            0,
            np.zeros(k, np.int32),
            none_i,
            none_f,
        )

    def add_columns(self, cols: np.ndarray) -> None:
        cols = np.asarray([c for c in cols if not self.in_set[c]], dtype=np.int64)
        if cols.size == 0:
            return
        block = self.ref[:, cols].T
        col_of, row_of = np.nonzero(block)  # entries in column-major order
        starts = np.searchsorted(col_of, np.arange(cols.size)).astype(np.int32)
        values = block[col_of, row_of]
        n = cols.size
        self.h.addCols(
            n,
            np.zeros(n),
            np.zeros(n),
            np.full(n, INF),
            values.size,
            starts,
            row_of.astype(np.int32),
            values,
        )
        self.columns.extend(int(c) for c in cols)
        self.in_set[cols] = True

    def set_block(self, blocks: LPBlocks, i: int, own: int) -> None:
        """Load observation ``i``; ``own`` is its reference column (or -1)."""
        h = self.h
        new = np.zeros_like(self.A)
        new[:, : self.k] = blocks.A[i]
        use_own = own >= 0 and not self.in_set[own]
        if use_own:
            new[: self.n_lambda_rows, self.k] = self.ref[:, own]
        rows, cols = np.nonzero(new != self.A)
        for r, c, value in zip(
            rows.tolist(), cols.tolist(), new[rows, cols].tolist(), strict=True
        ):
            h.changeCoeff(r, c, value)
        self.A = new
        self.own = own if use_own else -1
        h.changeColsCost(self.k, self.k_idx, blocks.cost[i])
        h.changeColsBounds(self.k, self.k_idx, blocks.lower[i], blocks.upper[i])
        h.changeColBounds(self.k, 0.0, INF if use_own else 0.0)
        h.changeRowsBounds(  # type: ignore[attr-defined]  # missing from the stubs
            self.n_rows, self.row_idx, blocks.row_lower[i], blocks.row_upper[i]
        )

    def set_lambda_upper(self, ref_col: int, upper: float) -> None:
        pos = self.k_all + self.columns.index(ref_col)
        self.h.changeColBounds(pos, 0.0, upper)

    def solve(self) -> int:
        h = self.h
        self._solution = None
        h.run()
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            return 0
        if status == highspy.HighsModelStatus.kInfeasible:
            return 1
        if status in (
            highspy.HighsModelStatus.kUnbounded,
            highspy.HighsModelStatus.kUnboundedOrInfeasible,
        ):
            return 2
        return 3

    def improving_columns(self, excluded: int) -> np.ndarray:
        """Reference columns outside the working set with negative reduced cost."""
        self._solution = self.h.getSolution()
        duals = np.asarray(self._solution.row_dual[: self.n_lambda_rows])
        reduced = -(duals @ self.ref)
        reduced[self.in_set] = 0.0
        for col in (excluded, self.own):
            if col >= 0:
                reduced[col] = 0.0
        candidates = np.flatnonzero(reduced < -_PRICE_TOL)
        if candidates.size > _ADD_PER_ROUND:
            order = np.argsort(reduced[candidates], kind="stable")
            candidates = np.sort(candidates[order[:_ADD_PER_ROUND]])
        return candidates

    def solution(
        self, cost: np.ndarray
    ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        """Objective, own columns and sparse λ of the last solve."""
        sol = self._solution if self._solution is not None else self.h.getSolution()
        values = np.asarray(sol.col_value)
        lam = values[self.k_all :]
        keep = lam > _LAMBDA_ZERO
        cols = np.asarray(self.columns, dtype=np.int64)[keep]
        lam = lam[keep]
        if self.own >= 0 and values[self.k] > _LAMBDA_ZERO:
            cols = np.append(cols, self.own)
            lam = np.append(lam, values[self.k])
        order = np.argsort(cols)
        z = values[: self.k]
        return float(cost @ z), z, cols[order], lam[order]


class _BatchLP:
    """``B`` independent LPs side by side in one HiGHS model (block diagonal).

    A HiGHS ``run`` has a fixed cost of a few hundred microseconds, larger than the
    few simplex iterations a warm-started DEA LP needs; solving a batch of LPs per run
    amortises it. Slot ``b`` owns rows ``b*R .. b*R+R-1``, its own columns and its
    evaluated unit's λ, and a copy of every working-set λ column.
    """

    def __init__(
        self, ref: np.ndarray, blocks: LPBlocks, columns: np.ndarray, slots: int
    ):
        self.ref = ref
        self.L = ref.shape[0]
        self.R = blocks.A.shape[1]
        self.k = blocks.A.shape[2]
        self.ka = self.k + 1
        self.B = slots
        self.h = highspy.Highs()
        self.h.setOptionValue("output_flag", False)
        self.h.setOptionValue("presolve", "off")
        self.A = np.zeros((slots, self.R, self.ka))
        self.columns: list[int] = []
        self.lam_pos = np.zeros((slots, 0), dtype=np.int64)
        self.in_set = np.zeros(ref.shape[1], dtype=bool)
        self.n_cols = 0
        self.own = np.full(slots, -1)
        self._init_model()
        self.add_columns(columns)

    def _init_model(self) -> None:
        rows, cols = self.B * self.R, self.B * self.ka
        none_i, none_f = np.zeros(0, np.int32), np.zeros(0)
        self.h.addRows(
            rows, np.full(rows, -INF), np.full(rows, INF), 0, none_i, none_i, none_f
        )
        self.h.addCols(
            cols,
            np.zeros(cols),
            np.zeros(cols),
            np.zeros(cols),
            0,
            np.zeros(cols, np.int32),
            none_i,
            none_f,
        )
        self.n_cols = cols

    def add_columns(self, cols: np.ndarray) -> None:
        cols = np.asarray([c for c in cols if not self.in_set[c]], dtype=np.int64)
        if cols.size == 0:
            return
        block = self.ref[:, cols].T  # (c, L)
        col_of, row_of = np.nonzero(block)
        values = block[col_of, row_of]
        per_col = np.bincount(col_of, minlength=cols.size)
        n_new = cols.size * self.B
        starts = np.zeros(n_new, dtype=np.int64)
        counts = np.tile(per_col, self.B)
        starts[1:] = np.cumsum(counts)[:-1]
        index = np.concatenate([row_of + b * self.R for b in range(self.B)]).astype(
            np.int32
        )
        self.h.addCols(
            n_new,
            np.zeros(n_new),
            np.zeros(n_new),
            np.full(n_new, INF),
            index.size,
            starts.astype(np.int32),
            index,
            np.tile(values, self.B),
        )
        pos = self.n_cols + np.arange(n_new).reshape(self.B, cols.size)
        self.lam_pos = np.hstack([self.lam_pos, pos])
        self.n_cols += n_new
        self.columns.extend(int(c) for c in cols)
        self.in_set[cols] = True

    def load(self, blocks: LPBlocks, items: np.ndarray, owns: np.ndarray) -> None:
        """Put observation ``items[b]`` in slot ``b`` (-1 = empty slot)."""
        h, R, k, ka = self.h, self.R, self.k, self.ka
        new = np.zeros_like(self.A)
        cost = np.zeros((self.B, k))
        lower = np.zeros((self.B, k))
        upper = np.zeros((self.B, k))
        row_lo = np.full((self.B, R), -INF)
        row_hi = np.full((self.B, R), INF)
        own_hi = np.zeros(self.B)
        for b, (i, own) in enumerate(zip(items.tolist(), owns.tolist(), strict=True)):
            self.own[b] = -1
            if i < 0:
                continue
            new[b, :, :k] = blocks.A[i]
            cost[b], lower[b], upper[b] = (
                blocks.cost[i],
                blocks.lower[i],
                blocks.upper[i],
            )
            row_lo[b], row_hi[b] = blocks.row_lower[i], blocks.row_upper[i]
            if own >= 0 and not self.in_set[own]:
                new[b, : self.L, k] = self.ref[:, own]
                own_hi[b] = INF
                self.own[b] = own
        slot, row, col = np.nonzero(new != self.A)
        values = new[slot, row, col]
        for r, c, value in zip(
            (slot * R + row).tolist(),
            (slot * ka + col).tolist(),
            values.tolist(),
            strict=True,
        ):
            h.changeCoeff(r, c, value)
        self.A = new
        own_cols = (
            (np.arange(self.B)[:, None] * ka + np.arange(k)).ravel().astype(np.int32)
        )
        h.changeColsCost(own_cols.size, own_cols, cost.ravel())
        h.changeColsBounds(own_cols.size, own_cols, lower.ravel(), upper.ravel())
        self_cols = (np.arange(self.B) * ka + k).astype(np.int32)
        h.changeColsBounds(self.B, self_cols, np.zeros(self.B), own_hi)
        rows = np.arange(self.B * R, dtype=np.int32)
        h.changeRowsBounds(  # type: ignore[attr-defined]  # missing from the stubs
            rows.size, rows, row_lo.ravel(), row_hi.ravel()
        )

    def fence(self, excluded: np.ndarray, upper: float) -> None:
        """Bound the λ of each slot's excluded reference column (if in the set)."""
        for b, col in enumerate(excluded.tolist()):
            if col >= 0 and self.in_set[col]:
                pos = int(self.lam_pos[b, self.columns.index(col)])
                self.h.changeColBounds(pos, 0.0, upper)

    def run(self) -> bool:
        self.h.run()
        return self.h.getModelStatus() == highspy.HighsModelStatus.kOptimal

    def price(self, excluded: np.ndarray) -> np.ndarray:
        """Union over slots of the most negative reduced-cost reference columns."""
        self._solution = self.h.getSolution()
        duals = np.asarray(self._solution.row_dual).reshape(self.B, self.R)[:, : self.L]
        reduced = -(duals @ self.ref)
        reduced[:, self.in_set] = 0.0
        slots = np.arange(self.B)
        for cols in (excluded, self.own):
            hit = cols >= 0
            reduced[slots[hit], cols[hit]] = 0.0
        picks: set[int] = set()
        for row in reduced:
            cand = np.flatnonzero(row < -_PRICE_TOL)
            if cand.size > _ADD_PER_ROUND:
                cand = cand[np.argsort(row[cand], kind="stable")[:_ADD_PER_ROUND]]
            picks.update(cand.tolist())
        return np.array(sorted(picks), dtype=np.int64)

    def solution(
        self, b: int, cost: np.ndarray
    ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        values = np.asarray(self._solution.col_value)
        z = values[b * self.ka : b * self.ka + self.k]
        lam = values[self.lam_pos[b]]
        keep = lam > _LAMBDA_ZERO
        cols = np.asarray(self.columns, dtype=np.int64)[keep]
        lam = lam[keep]
        own_value = values[b * self.ka + self.k]
        if self.own[b] >= 0 and own_value > _LAMBDA_ZERO:
            cols = np.append(cols, self.own[b])
            lam = np.append(lam, own_value)
        order = np.argsort(cols)
        return float(cost @ z), z, cols[order], lam[order]


def solve_chunk(task: ChunkTask) -> ChunkResult:
    """Solve every LP of a chunk (module-level so that it pickles to workers).

    LPs are solved ``_BATCH`` at a time on a block-diagonal model; a batch whose LP is
    not optimal (some slot infeasible or unbounded) is re-solved one LP at a time.
    """
    blocks = task.blocks
    n, k = blocks.cost.shape
    n_ref = task.ref.shape[1]
    start = task.seed if task.reduce else np.arange(n_ref)
    slots = min(_BATCH, n)
    batch = _BatchLP(task.ref, blocks, start, slots)
    single: _LP | None = None
    full: _LP | None = None
    status = np.full(n, 3, dtype=np.int8)
    objective = np.full(n, np.nan)
    z = np.full((n, k), np.nan)
    lam_idx: list[np.ndarray] = [np.zeros(0, np.int64)] * n
    lam_val: list[np.ndarray] = [np.zeros(0)] * n
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
            extra = batch.price(excluded)
            if extra.size == 0:
                break
            batch.add_columns(extra)
            batch.fence(excluded, 0.0)
            ok = batch.run()
        if ok and not task.reduce:
            batch._solution = batch.h.getSolution()
        batch.fence(excluded, INF)
        for b, i in enumerate(items.tolist()):
            if i < 0:
                continue
            if ok:
                status[i] = 0
                objective[i], z[i], lam_idx[i], lam_val[i] = batch.solution(
                    b, blocks.cost[i]
                )
                continue
            if single is None:
                single = _LP(
                    task.ref, blocks, np.asarray(batch.columns, dtype=np.int64)
                )
            code, result = _solve_one(
                single, blocks, i, own[b], excluded[b], task.reduce
            )
            if code != 0 and task.reduce and len(single.columns) < n_ref:
                # The restricted LP may lack the columns that make it feasible.
                if full is None:
                    full = _LP(task.ref, blocks, np.arange(n_ref))
                code, result = _solve_one(full, blocks, i, own[b], excluded[b], False)
            status[i] = code
            if code == 0 and result is not None:
                objective[i], z[i], lam_idx[i], lam_val[i] = result
    return ChunkResult(status, objective, z, lam_idx, lam_val)


def _solve_one(
    lp: _LP, blocks: LPBlocks, i: int, own: int, excluded: int, reduce: bool
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
