"""The HiGHS models of the LP engine: one LP, and a batch of LPs side by side.

:mod:`._lp` drives them (column generation, fall-backs); this module holds the models
themselves. Every model is created by :func:`new_highs`: HiGHS prints a banner
("Running HiGHS ... Copyright ...") on stdout from C the first time a model logs, and
highspy's constructor logs before an option can be set on the new model, so the
option is set from inside the constructor.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import highspy
import numpy as np

from ._cover import Cover

__all__ = ["INF", "LPBlocks", "new_highs"]

INF = highspy.kHighsInf
PRICE_TOL = 1e-9
ADD_PER_ROUND = 4
LAMBDA_ZERO = 1e-10
TIE_TOL = 1e-7  # a reduced cost this small may be zero (HiGHS dual feasibility tol.)


class _QuietHighs(highspy.Highs):
    """``highspy.Highs`` with logging off from the start.

    highspy's constructor installs its callbacks (``enableCallbacks``) and HiGHS
    prints its banner on stdout at that point unless ``output_flag`` is already
    false; setting the option after construction is too late.
    """

    def enableCallbacks(self) -> None:
        self.setOptionValue("output_flag", False)
        self.setOptionValue("log_to_console", False)
        super().enableCallbacks()


def new_highs() -> highspy.Highs:
    """A silent HiGHS model with presolve off (the engine re-solves small LPs).

    Examples
    --------
    >>> h = new_highs()
    >>> def value(name):  # highspy returns the value, or (status, value)
    ...     got = h.getOptionValue(name)
    ...     return got[1] if isinstance(got, tuple) else got
    >>> value("output_flag"), value("presolve")
    (False, 'off')
    """
    h = _QuietHighs()
    h.setOptionValue("output_flag", False)  # in case a highspy skips enableCallbacks
    h.setOptionValue("log_to_console", False)
    h.setOptionValue("presolve", "off")
    return h


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


class SingleLP:
    """One HiGHS LP: own columns, the evaluated unit's λ, then a working set of λ."""

    def __init__(self, ref: np.ndarray, blocks: LPBlocks, columns: np.ndarray):
        self.ref = ref
        self.n_lambda_rows = ref.shape[0]
        self.n_rows = blocks.A.shape[1]
        self.k = blocks.A.shape[2]
        # Column k is the evaluated unit's own λ when it belongs to the reference set:
        # it keeps every restricted LP feasible without adding every unit to the set.
        self.k_all = self.k + 1
        self.h = new_highs()
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
        candidates = np.flatnonzero(reduced < -PRICE_TOL)
        if candidates.size > ADD_PER_ROUND:
            order = np.argsort(reduced[candidates], kind="stable")
            candidates = np.sort(candidates[order[:ADD_PER_ROUND]])
        return candidates

    def solution(
        self, cost: np.ndarray
    ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        """Objective, own columns and sparse λ of the last solve."""
        sol = self._solution if self._solution is not None else self.h.getSolution()
        values = np.asarray(sol.col_value)
        lam = values[self.k_all :]
        keep = lam > LAMBDA_ZERO
        cols = np.asarray(self.columns, dtype=np.int64)[keep]
        lam = lam[keep]
        if self.own >= 0 and values[self.k] > LAMBDA_ZERO:
            cols = np.append(cols, self.own)
            lam = np.append(lam, values[self.k])
        order = np.argsort(cols)
        z = values[: self.k]
        return float(cost @ z), z, cols[order], lam[order]


class BatchLP:
    """``B`` independent LPs side by side in one HiGHS model (block diagonal).

    A HiGHS ``run`` has a fixed cost of a few hundred microseconds, larger than the
    few simplex iterations a warm-started DEA LP needs; solving a batch of LPs per run
    amortises it. Slot ``b`` owns rows ``b*R .. b*R+R-1``, its own columns and its
    evaluated unit's λ, and a copy of every working-set λ column. (Working sets per
    slot were tried: they halve the model but need more pricing rounds, and the
    rounds cost more than the columns.)
    """

    def __init__(
        self,
        ref: np.ndarray,
        blocks: LPBlocks,
        columns: np.ndarray,
        slots: int,
        cover: Cover | None = None,
    ):
        self.ref = ref
        self.cover = cover
        self.L = ref.shape[0]
        self.R = blocks.A.shape[1]
        self.k = blocks.A.shape[2]
        self.ka = self.k + 1
        self.B = slots
        self.h = new_highs()
        self._duals: np.ndarray | None = None
        self._values = np.zeros(0)
        self.A = np.zeros((slots, self.R, self.ka))
        self.columns = np.zeros(0, dtype=np.int64)  # working set (reference columns)
        self.lam_pos = np.zeros((slots, 0), dtype=np.int64)  # HiGHS column per slot
        self.in_set = np.zeros(ref.shape[1], dtype=bool)
        if cover is not None:
            self.neg_ref_cover = -np.ascontiguousarray(ref[:, cover.columns])
            self.cover_free = np.ones(cover.columns.size, dtype=bool)
        # slots whose own column is a cover column, and its position in the cover
        self.own_in_cover = (np.zeros(0, np.int64), np.zeros(0, np.int64))
        # slots with a zero reduced cost outside the working set at the last pricing
        self.outside_tie = np.zeros(slots, dtype=bool)
        self.n_cols = 0
        self.own = np.full(slots, -1)
        slot = np.arange(slots)
        self.own_cols = (slot[:, None] * self.ka + np.arange(self.k)).ravel()
        self.own_cols = self.own_cols.astype(np.int32)
        self.self_cols = (slot * self.ka + self.k).astype(np.int32)
        self.all_rows = np.arange(slots * self.R, dtype=np.int32)
        self._init_model()
        self.add_columns(np.asarray(columns, dtype=np.int64))

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
        """Add the reference columns ``cols`` to the working set (of every slot)."""
        cols = np.unique(cols)
        cols = cols[~self.in_set[cols]]
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
        index = (row_of[None, :] + self.R * np.arange(self.B)[:, None]).ravel()
        self.h.addCols(
            n_new,
            np.zeros(n_new),
            np.zeros(n_new),
            np.full(n_new, INF),
            index.size,
            starts.astype(np.int32),
            index.astype(np.int32),
            np.tile(values, self.B),
        )
        pos = self.n_cols + np.arange(n_new).reshape(self.B, cols.size)
        self.lam_pos = np.hstack([self.lam_pos, pos])
        self.n_cols += n_new
        self.columns = np.concatenate([self.columns, cols])
        self.in_set[cols] = True
        if self.cover is not None:
            self.cover_free = ~self.in_set[self.cover.columns]

    def load(self, blocks: LPBlocks, items: np.ndarray, owns: np.ndarray) -> None:
        """Put observation ``items[b]`` in slot ``b`` (-1 = empty slot)."""
        h, R, k, ka, B = self.h, self.R, self.k, self.ka, self.B
        live = items >= 0
        idx = items[live]
        new = np.zeros_like(self.A)
        new[live, :, :k] = blocks.A[idx]
        cost = np.zeros((B, k))
        lower = np.zeros((B, k))
        upper = np.zeros((B, k))
        row_lo = np.full((B, R), -INF)
        row_hi = np.full((B, R), INF)
        cost[live], lower[live], upper[live] = (
            blocks.cost[idx],
            blocks.lower[idx],
            blocks.upper[idx],
        )
        row_lo[live], row_hi[live] = blocks.row_lower[idx], blocks.row_upper[idx]
        use_own = live & (owns >= 0) & ~self.in_set[np.clip(owns, 0, None)]
        self.own = np.where(use_own, owns, -1)
        if self.cover is not None:
            slot_ = np.flatnonzero(use_own)
            slot_ = slot_[self.cover.member[owns[slot_]]]
            pos = np.searchsorted(self.cover.columns, owns[slot_])
            self.own_in_cover = (slot_, pos)
        new[use_own, : self.L, k] = self.ref[:, owns[use_own]].T
        slot, row, col = np.nonzero(new != self.A)
        # one call per changed coefficient: HiGHS has no bulk coefficient update
        for _ in map(
            h.changeCoeff,
            (slot * R + row).tolist(),
            (slot * ka + col).tolist(),
            new[slot, row, col].tolist(),
        ):
            pass
        self.A = new
        h.changeColsCost(self.own_cols.size, self.own_cols, cost.ravel())
        h.changeColsBounds(
            self.own_cols.size, self.own_cols, lower.ravel(), upper.ravel()
        )
        own_hi = np.where(use_own, INF, 0.0)
        h.changeColsBounds(B, self.self_cols, np.zeros(B), own_hi)
        h.changeRowsBounds(  # type: ignore[attr-defined]  # missing from the stubs
            self.all_rows.size, self.all_rows, row_lo.ravel(), row_hi.ravel()
        )

    def fence(self, excluded: np.ndarray, upper: float) -> None:
        """Bound the λ of each slot's excluded reference column (if in the set)."""
        for b, col in enumerate(excluded.tolist()):
            if col >= 0 and self.in_set[col]:
                at = int(np.flatnonzero(self.columns == col)[0])
                self.h.changeColBounds(int(self.lam_pos[b, at]), 0.0, upper)

    def run(self) -> bool:
        self._duals = None
        self.h.run()
        return self.h.getModelStatus() == highspy.HighsModelStatus.kOptimal

    def duals(self) -> np.ndarray:
        """Row duals of the last run, one row per slot (converted once per run)."""
        if self._duals is None:
            duals = np.asarray(self.h.getSolution().row_dual)
            self._duals = duals.reshape(self.B, self.R)
        return self._duals

    def price(self, excluded: np.ndarray, ties: bool = False) -> np.ndarray:
        """Union over slots of the most negative reduced-cost reference columns.

        Slots whose duals qualify for the chunk's cover price its columns only; the
        others (and every slot without a cover) price every reference column. With
        ``ties``, :attr:`outside_tie` records the slots with a reduced cost of zero
        (within ``TIE_TOL``) outside the working set.
        """
        duals = self.duals()[:, : self.L]
        picks: list[np.ndarray] = []
        full = np.ones(self.B, dtype=bool)
        if self.cover is not None:
            full = ~self.cover.valid(duals, excluded)
            rows = np.flatnonzero(~full)
            if rows.size:
                reduced = duals[rows] @ self.neg_ref_cover
                free = self._free_cover(rows, full)
                picks.append(self.cover.columns[most_negative(reduced, free)])
                if ties:
                    self.outside_tie[rows] = (free & (reduced <= TIE_TOL)).any(axis=1)
        rows = np.flatnonzero(full)
        if rows.size:
            reduced = -(duals[rows] @ self.ref)
            free = np.broadcast_to(~self.in_set, reduced.shape).copy()
            at = np.arange(rows.size)
            for col in (excluded[rows], self.own[rows]):
                set_ = col >= 0
                free[at[set_], col[set_]] = False
            picks.append(most_negative(reduced, free))
            if ties:
                self.outside_tie[rows] = (free & (reduced <= TIE_TOL)).any(axis=1)
        if not picks:
            return np.zeros(0, dtype=np.int64)
        return np.unique(np.concatenate(picks)).astype(np.int64)

    def _free_cover(self, rows: np.ndarray, full: np.ndarray) -> np.ndarray:
        """Cover columns each slot of ``rows`` may add: outside the working set and
        not its evaluated unit's own column (in its LP already)."""
        free = np.broadcast_to(self.cover_free, (rows.size, self.cover_free.size))
        own_slot, own_pos = self.own_in_cover
        keep = ~full[own_slot]
        if keep.any():
            free = free.copy()
            rank = np.cumsum(~full) - 1  # slot -> position in ``rows``
            free[rank[own_slot[keep]], own_pos[keep]] = False
        return free

    def solutions(
        self, cost: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Objective (B,), own columns (B, k) and the sparse λ of every slot: slot,
        reference column and value, sorted by slot then column."""
        B, k, ka = self.B, self.k, self.ka
        values = np.asarray(self.h.getSolution().col_value)
        self._values = values  # for ties()
        own = values[: B * ka].reshape(B, ka)
        z = own[:, :k]
        lam = values[self.lam_pos]  # (B, W)
        in_set, at = np.nonzero(lam > LAMBDA_ZERO)
        with_self = np.flatnonzero((self.own >= 0) & (own[:, k] > LAMBDA_ZERO))
        slot = np.concatenate([in_set, with_self])
        col = np.concatenate([self.columns[at], self.own[with_self]])
        val = np.concatenate([lam[in_set, at], own[with_self, k]])
        order = np.lexsort((col, slot))
        return (cost * z).sum(axis=1), z.copy(), slot[order], col[order], val[order]

    def ties(self, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
        """Slots whose optimum may not be unique (call after the last pricing).

        An optimum is unique when every variable at a bound (a non-basic one) has a
        non-zero reduced cost; a variable at a bound with a reduced cost of zero
        (within ``TIE_TOL``) — an own column, a λ column of the working set or,
        from the last pricing, a column outside it — may enter at no cost. Basic
        variables at a bound are counted too (the flag errs on the safe side).
        ``lower``/``upper``: bounds of the own columns of each slot, shape (B, k).
        Call after :meth:`solutions`.
        """
        B, k, ka = self.B, self.k, self.ka
        values = self._values
        zero = np.abs(np.asarray(self.h.getSolution().col_dual)) <= TIE_TOL
        v_own = values[: B * ka].reshape(B, ka)
        z_own = zero[: B * ka].reshape(B, ka)
        at_bound = (np.abs(v_own[:, :k] - lower) <= TIE_TOL) | (
            np.abs(v_own[:, :k] - upper) <= TIE_TOL
        )
        tie = (z_own[:, :k] & at_bound & (upper > lower)).any(axis=1)
        tie |= (self.own >= 0) & z_own[:, k] & (v_own[:, k] <= LAMBDA_ZERO)
        lam_tie = zero[self.lam_pos] & (values[self.lam_pos] <= LAMBDA_ZERO)
        return tie | lam_tie.any(axis=1) | self.outside_tie


def most_negative(reduced: np.ndarray, candidate: np.ndarray) -> np.ndarray:
    """Columns to add: per row, the (at most ``ADD_PER_ROUND``) most negative
    reduced costs below ``-PRICE_TOL`` among the ``candidate`` entries, ties to the
    lower column (a column may appear for several rows).

    Examples
    --------
    >>> r = np.array([[-1.0, -3.0, -2.0, 0.0, -5.0, -4.0], [0.0, -1.0, 0, 0, 0, 0]])
    >>> sorted(most_negative(r, np.ones_like(r, dtype=bool)).tolist())
    [1, 1, 2, 4, 5]
    """
    neg = reduced < -PRICE_TOL
    neg &= candidate
    row, col = np.nonzero(neg)
    if row.size <= ADD_PER_ROUND or np.bincount(row).max() <= ADD_PER_ROUND:
        return col
    order = np.lexsort((col, reduced[row, col], row))
    row, col = row[order], col[order]
    first = np.searchsorted(row, row)  # position of each row's first candidate
    return col[np.arange(row.size) - first < ADD_PER_ROUND]
