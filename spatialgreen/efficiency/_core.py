"""Shared machinery of the frontier models: formulations, runs, result tables.

A model module only writes a :class:`Formulation` (its own LP columns and rows for a
batch of evaluated observations, and how to read a score and a projection back from
the solution); this module takes the data validated and rescaled by
:func:`._data.prepare`, forms the reference sets,
sends chunks of LPs to the engine in :mod:`._lp` (serially, on local worker processes
or on a dask cluster) and turns the solutions into tidy tables (:mod:`._evaluation`).
"""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np

from .._parallel import check_n_jobs, parallel_map, prestart
from ..errors import ModelError
from ._cover import dominance_cover, locality_order, slot_major
from ._data import Prepared
from ._evaluation import (
    EFFICIENT_TOL,
    Evaluation,
    build_results,
    empty_evaluation,
    subset,
)
from ._lp import (
    BATCH,
    INF,
    ChunkResult,
    ChunkTask,
    LPBlocks,
    RefSet,
    seed_columns,
    solve_chunk,
)
from .results import EfficiencyResults
from .technology import reference_groups

__all__ = [
    "EFFICIENT_TOL",
    "Evaluation",
    "Formulation",
    "Recovered",
    "Reference",
    "build_results",
    "evaluate",
    "rts_row_bounds",
    "subset",
]

CHUNK_SIZE = 256
# Large groups take the large-set path (results are the same, the work is not):
COVER_MIN = 1000  # reference sets this large are priced on a dominance cover
ORDER_MIN = 1000  # evaluated sets this large are solved in locality order, and
LARGE_CHUNK, LARGE_BATCH = 512, 16  # in larger chunks and batches (fewer HiGHS runs)
_SLACK_ZERO = 1e-9  # slacks below the solver tolerance (scaled units) are reported as 0
RTS = ("crs", "vrs", "nirs", "ndrs")


def rts_row_bounds(rts: str) -> tuple[float, float]:
    """Bounds of the row ``eᵀΛ - t`` (Charnes–Cooper form of the RTS constraint)."""
    if rts not in RTS:
        raise ModelError(f"rts must be one of {', '.join(RTS)}; got {rts!r}")
    return {
        "crs": (-INF, INF),
        "vrs": (0.0, 0.0),
        "nirs": (-INF, 0.0),
        "ndrs": (0.0, INF),
    }[rts]


@dataclasses.dataclass(frozen=True)
class Recovered:
    """What a formulation reads back from its solutions (scaled units)."""

    score: np.ndarray
    lambda_scale: np.ndarray  # divide the λ columns by this (the Charnes–Cooper t)
    targets: np.ndarray
    slacks: np.ndarray
    extras: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)


class Formulation(abc.ABC):
    """Base of a model's LP: rows are data (m+s+q), the RTS row, then ``n_extra_rows``.

    Column 0 of the model's own columns is always the Charnes–Cooper scale ``t``
    (fixed at 1 by models that need no transformation); the RTS row is
    ``eᵀΛ - t`` with bounds from :func:`rts_row_bounds`.
    """

    k: int = 1
    n_extra_rows: int = 0

    def __init__(self, dims: tuple[int, int, int], rts: str):
        self.m, self.s, self.q = dims
        self.d = self.m + self.s + self.q
        self.rts = rts
        self.rts_bounds = rts_row_bounds(rts)

    # slices of the data rows
    @property
    def rows_in(self) -> slice:
        return slice(0, self.m)

    @property
    def rows_good(self) -> slice:
        return slice(self.m, self.m + self.s)

    @property
    def rows_bad(self) -> slice:
        return slice(self.m + self.s, self.d)

    @property
    def n_rows(self) -> int:
        return self.d + 1 + self.n_extra_rows

    def empty_blocks(self, n: int) -> LPBlocks:
        """Zero coefficients, zero costs, ``z >= 0``, free rows except the RTS row."""
        rows = self.n_rows
        A = np.zeros((n, rows, self.k))
        A[:, self.d, 0] = -1.0
        row_lo = np.full((n, rows), -INF)
        row_hi = np.full((n, rows), INF)
        row_lo[:, self.d], row_hi[:, self.d] = self.rts_bounds
        return LPBlocks(
            A,
            np.zeros((n, self.k)),
            np.zeros((n, self.k)),
            np.full((n, self.k), INF),
            row_lo,
            row_hi,
        )

    @abc.abstractmethod
    def blocks(
        self, v: np.ndarray, outside: np.ndarray, obs: np.ndarray, ref_max: np.ndarray
    ) -> LPBlocks:
        """LP blocks for scaled observations ``v`` (indices ``obs``; ``outside``: not
        in their reference set; ``ref_max``: column maxima of the reference set)."""

    @abc.abstractmethod
    def recover(
        self, v: np.ndarray, objective: np.ndarray, z: np.ndarray, obs: np.ndarray
    ) -> Recovered:
        """Score, λ scale, targets and slacks (scaled units) from the solutions."""


@dataclasses.dataclass(frozen=True)
class RunOptions:
    """Execution options shared by every model call."""

    n_jobs: int = 1
    client: Any = None
    progress: bool | None = None
    reduce: bool = True
    desc: str = "LPs"

    def __post_init__(self) -> None:
        object.__setattr__(self, "n_jobs", check_n_jobs(self.n_jobs))


def _self_positions(ref: np.ndarray, obs: np.ndarray) -> np.ndarray:
    pos = np.searchsorted(ref, obs)
    pos = np.clip(pos, 0, max(ref.size - 1, 0))
    found = ref.size > 0
    return np.where(found & (ref[pos] == obs), pos, -1)


def solve_groups(
    prep: Prepared,
    form: Formulation,
    groups: list[tuple[np.ndarray, np.ndarray]],
    *,
    exclude_self: bool,
    options: RunOptions,
    ties: bool = False,
) -> Evaluation:
    """Solve ``form`` for every (reference, evaluated) group; rows follow the groups.

    A reference set of ``COVER_MIN`` observations or more is priced on its dominance
    cover (:mod:`._cover`; exact), and ``ORDER_MIN`` or more evaluated observations
    are sent to the engine in :func:`._cover.locality_order`, in larger chunks and
    batches (fewer simplex iterations and HiGHS runs); results come back in group
    order either way. With ``ties`` the evaluation flags the rows whose optimum may
    not be unique (``Evaluation.ties``).
    """
    if options.client is None and sum(ev.size for _, ev in groups) > CHUNK_SIZE:
        # local workers start (and import) while the chunks are prepared
        prestart(options.n_jobs, (solve_chunk.__module__,))
    v = prep.scaled
    tasks: list[ChunkTask] = []
    refsets: list[RefSet] = []
    owners: list[np.ndarray] = []
    refs: list[np.ndarray] = []
    rows: list[np.ndarray] = []  # position of each task row in group order
    offset = 0
    for ref, ev in groups:
        ref_matrix = np.vstack([v[ref].T, np.ones((1, ref.size))])
        seed = seed_columns(ref_matrix, form.m, form.s)
        cover = None
        if options.reduce and ref.size >= COVER_MIN:
            crs = form.rts_bounds == (-INF, INF)
            cover = dominance_cover(ref_matrix, form.m, form.s, scaled=crs)
        refsets.append(RefSet(ref_matrix, seed, cover))
        large = ev.size >= ORDER_MIN
        order = locality_order(v[ev], form.m) if large else np.arange(ev.size)
        size, slots = (LARGE_CHUNK, LARGE_BATCH) if large else (CHUNK_SIZE, BATCH)
        self_pos = _self_positions(ref, ev)
        blocks = form.blocks(
            v[ev], (self_pos < 0) | exclude_self, ev, v[ref].max(axis=0)
        )
        for start in range(0, ev.size, size):
            sl = order[start : start + size]
            if large:
                sl = slot_major(sl, slots)
            tasks.append(
                ChunkTask(
                    len(refsets) - 1,
                    blocks.take(sl),
                    self_pos[sl],
                    exclude_self,
                    options.reduce,
                    slots,
                    ties,
                )
            )
            owners.append(ev[sl])
            refs.append(ref)
            rows.append(offset + sl)
        offset += ev.size
    results = parallel_map(
        solve_chunk,
        tasks,
        n_jobs=options.n_jobs,
        client=options.client,
        progress=options.progress,
        desc=options.desc,
        shared=refsets,
    )
    return _collect(prep, form, results, rows, owners, refs)


def _collect(
    prep: Prepared,
    form: Formulation,
    results: list[ChunkResult],
    rows: list[np.ndarray],
    owners: list[np.ndarray],
    refs: list[np.ndarray],
) -> Evaluation:
    """An evaluation in group order from the chunks' results."""
    v = prep.scaled
    if not results:
        n_var = prep.values.shape[1]
        return Evaluation(
            np.zeros(0, np.int64),
            np.zeros(0, np.int8),
            np.zeros(0),
            np.zeros((0, n_var)),
            np.zeros((0, n_var)),
            np.zeros(0, np.int64),
            np.zeros(0, np.int64),
            np.zeros(0),
            {},
            np.zeros(0, dtype=bool),
            np.zeros(0, dtype=bool),
        )
    position = np.concatenate(rows)  # group-order position of every task row
    back = np.argsort(position)
    obs = np.concatenate(owners)[back]
    status = np.concatenate([r.status for r in results])[back]
    objective = np.concatenate([r.objective for r in results])[back]
    z = np.vstack([r.z for r in results])[back]
    ties = np.concatenate([r.ties for r in results])[back]
    rec = form.recover(v[obs], objective, z, obs)
    ok = status == 0
    lam_row = np.concatenate(
        [row[r.lam_item] for r, row in zip(results, rows, strict=True)]
    )
    lam_index = np.concatenate(
        [ref[r.lam_index] for r, ref in zip(results, refs, strict=True)]
    )
    lam_value = np.concatenate([r.lam_value for r in results])
    order = np.argsort(lam_row, kind="stable")  # within a row: columns sorted
    lam_row, lam_index, lam_value = lam_row[order], lam_index[order], lam_value[order]
    scale = np.where(ok, rec.lambda_scale, 1.0)[lam_row]
    lam_value = lam_value / scale
    score = np.where(ok, rec.score, np.nan)
    score = np.where(np.abs(score) < _SLACK_ZERO, 0.0, score)  # no -0.0 or 1e-15 noise
    nan_rows = ~ok[:, None]
    targets = np.where(nan_rows, np.nan, rec.targets) * prep.scale
    clean = np.where(np.abs(rec.slacks) < _SLACK_ZERO, 0.0, rec.slacks)
    slacks = np.where(nan_rows, np.nan, clean) * prep.scale
    extras = {k: np.where(ok, a, np.nan) for k, a in rec.extras.items()}
    return Evaluation(
        obs,
        status,
        score,
        targets,
        slacks,
        lam_row,
        lam_index,
        lam_value,
        extras,
        np.zeros(obs.size, dtype=bool),
        ties,
    )


def _select(
    groups: list[tuple[np.ndarray, np.ndarray]], mask: np.ndarray
) -> tuple[list[tuple[np.ndarray, np.ndarray]], np.ndarray]:
    """The groups restricted to the evaluated rows where ``mask``, and those rows."""
    out = []
    offset = 0
    for ref, ev in groups:
        sel = ev[mask[offset : offset + ev.size]]
        offset += ev.size
        if sel.size:
            out.append((ref, sel))
    return out, np.flatnonzero(mask)


def _solve_selected(
    prep: Prepared,
    make_form: Any,
    groups: list[tuple[np.ndarray, np.ndarray]],
    mask: np.ndarray,
    use_super: bool,
    options: RunOptions,
) -> tuple[Evaluation, np.ndarray] | None:
    """Solve the ordinary or super-efficiency LP for the evaluated rows where ``mask``.

    Returns the evaluation and the rows' positions in group order, or None when no
    row is selected.
    """
    sub, pos = _select(groups, mask)
    if not sub:
        return None
    part = solve_groups(
        prep, make_form(use_super), sub, exclude_self=use_super, options=options
    )
    part.super_used[:] = use_super
    return part, pos


def evaluate(
    prep: Prepared,
    make_form: Any,
    groups: list[tuple[np.ndarray, np.ndarray]],
    *,
    super_efficiency: bool,
    two_pass: bool,
    options: RunOptions,
    inefficiency: bool = False,
) -> Evaluation:
    """Scores of the evaluated observations of ``groups`` (rows in group order).

    ``make_form(super_: bool)`` returns the formulation. One-pass models (radial, DDF)
    solve the super-efficiency LP (self excluded from the reference set) for every
    observation. Two-pass models (SBM, EBM) follow the MaxDEA convention: the ordinary
    score, and the super-efficiency score for observations that score 1 (when
    ``super_efficiency``). Observations outside their reference technology (mixed-
    period LPs) get the super-efficiency LP first, which is feasible where the
    ordinary one is not, and the ordinary LP when that LP says they are inside (≤ 1).
    With ``inefficiency`` the scores are inefficiencies (non-radial DDF): the frontier
    is 0 and "inside" means a super-efficiency score ≥ 0.
    """
    if not two_pass:
        ev = solve_groups(
            prep,
            make_form(super_efficiency),
            groups,
            exclude_self=super_efficiency,
            options=options,
        )
        ev.super_used[:] = super_efficiency
        return ev
    inside = (
        np.concatenate([np.isin(ev, ref) for ref, ev in groups])
        if groups
        else np.zeros(0, bool)
    )
    obs = np.concatenate([ev for _, ev in groups]) if groups else np.zeros(0, np.int64)
    result: Evaluation | None = None
    for use_super, mask in ((False, inside), (True, ~inside)):
        solved = _solve_selected(prep, make_form, groups, mask, use_super, options)
        if solved is None:
            continue
        part, pos = solved
        if result is None:
            result = empty_evaluation(obs, part.extras, prep.values.shape[1])
        result.replace(pos, part)
    if result is None:
        return empty_evaluation(obs, {}, prep.values.shape[1])
    ok = result.status == 0
    level = 0.0 if inefficiency else 1.0
    frontier = ok & (np.abs(result.score - level) <= EFFICIENT_TOL)
    if inefficiency:
        within = result.score >= -EFFICIENT_TOL
    else:
        within = result.score <= 1 + EFFICIENT_TOL
    redo_super = inside & frontier & super_efficiency
    redo_plain = ~inside & ((ok & within) | ~ok)
    for use_super, mask in ((True, redo_super), (False, redo_plain)):
        solved = _solve_selected(prep, make_form, groups, mask, use_super, options)
        if solved is None:
            continue
        part, pos = solved
        if not use_super:
            # keep the super score where the ordinary LP has no optimum
            good = part.status == 0
            result.replace(pos[good], subset(part, good))
        else:
            result.replace(pos, part)
    return result


@dataclasses.dataclass(frozen=True)
class Reference:
    """Reference technology of a static run and whether each observation is left out
    of its own reference set (super-efficiency); see :mod:`.technology`."""

    technology: str = "contemporaneous"
    window: int | None = None
    super_efficiency: bool = False

    def groups(self, prep: Prepared) -> list:
        """(reference, evaluated) observation groups of every period."""
        return static_groups(prep, self.technology, self.window)

    def meta(self, options: RunOptions) -> dict[str, Any]:
        """The run description shared by every static model's ``meta``."""
        return {
            "technology": self.technology,
            "window": self.window,
            "super_efficiency": self.super_efficiency,
            "reference_set_reduction": options.reduce,
        }


def static_groups(prep: Prepared, technology: str, window: int | None) -> list:
    """Reference groups of a static (non-index) run."""
    return reference_groups(prep.period_of_obs, len(prep.periods), technology, window)


def check_orientation(orientation: str, allowed: Sequence[str]) -> str:
    """Validate an ``orientation`` argument."""
    if orientation not in allowed:
        raise ModelError(
            f"orientation must be one of {', '.join(allowed)}; got {orientation!r}"
        )
    return orientation


def run_static(
    prep: Prepared,
    make_form: Any,
    reference: Reference,
    options: RunOptions,
    meta: dict[str, Any],
    *,
    two_pass: bool,
    score_columns: Sequence[str] = (),
    inefficiency: bool = False,
) -> EfficiencyResults:
    """Run a model on every observation against its reference technology."""
    ev = evaluate(
        prep,
        make_form,
        reference.groups(prep),
        super_efficiency=reference.super_efficiency,
        two_pass=two_pass,
        options=options,
        inefficiency=inefficiency,
    )
    meta = {**meta, **reference.meta(options)}
    return build_results(prep, ev, meta, score_columns=score_columns)
