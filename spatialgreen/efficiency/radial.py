"""Radial DEA: CCR (Charnes, Cooper & Rhodes 1978), BCC (Banker, Charnes & Cooper 1984).

Input orientation: ``θ* = min θ`` s.t. ``Xλ + s⁻ = θ x_o``, ``Yλ - s⁺ = y_o``; output
orientation: ``η* = max η`` s.t. ``Xλ + s⁻ = x_o``, ``Yλ - s⁺ = η y_o`` and the score is
the Farrell output efficiency ``1/η*``. Two phases (Cooper, Seiford & Tone 2007, ch. 3):
phase I finds θ* (η*), phase II maximises the slacks ``Σ s/x_o`` (units invariant) with
θ (η) fixed, so that ``.slacks`` and ``.targets`` are the max-slack projections.
Radial models treat bad outputs like inputs (contracted with θ, strongly disposable);
use :func:`~spatialgreen.efficiency.sbm` or :func:`~spatialgreen.efficiency.ddf` for
a proper undesirable-output technology. ``super_efficiency=True`` gives the Andersen–
Petersen (1993) score (the unit excluded from its reference set) for every unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._core import (
    Formulation,
    Recovered,
    Reference,
    RunOptions,
    build_results,
    check_orientation,
    solve_groups,
    subset,
)
from ._data import prepare
from ._lp import INF, LPBlocks
from .results import EfficiencyResults

__all__ = ["RadialFormulation", "dea"]

ORIENTATIONS = ("input", "output")


class RadialFormulation(Formulation):
    """Own columns ``[t (=1), θ or η, s (d)]``; ``theta`` fixes phase II at θ*."""

    def __init__(
        self,
        dims: tuple[int, int, int],
        rts: str,
        orientation: str,
        theta: np.ndarray | None = None,  # phase-I factor of every observation
    ) -> None:
        super().__init__(dims, rts)
        self.orientation = orientation
        self.theta = theta
        self.k = 2 + self.d

    def blocks(
        self, v: np.ndarray, outside: np.ndarray, obs: np.ndarray, ref_max: np.ndarray
    ) -> LPBlocks:
        n, m, s, d = v.shape[0], self.m, self.s, self.d
        b = self.empty_blocks(n)
        rows = np.arange(d)
        b.lower[:, 0] = b.upper[:, 0] = 1.0
        sign = np.r_[np.ones(m), -np.ones(s), np.ones(self.q)]
        b.A[:, rows, 2 + rows] = sign
        b.row_lower[:, :d] = b.row_upper[:, :d] = 0.0
        radial = np.zeros(d, dtype=bool)
        if self.orientation == "input":
            radial[:m] = radial[m + s :] = True  # bads contract with the inputs
        else:
            radial[m : m + s] = True
        b.A[:, rows[radial], 1] = -v[:, radial]
        fixed_rows = rows[~radial]
        b.row_lower[:, fixed_rows] = b.row_upper[:, fixed_rows] = v[:, ~radial]
        b.lower[:, 1] = -INF
        if self.theta is None:
            b.cost[:, 1] = 1.0 if self.orientation == "input" else -1.0
        else:
            fixed = self.theta[obs]
            b.lower[:, 1] = b.upper[:, 1] = fixed
            b.cost[:, 2:] = -1.0 / v
        return b

    def recover(
        self, v: np.ndarray, objective: np.ndarray, z: np.ndarray, obs: np.ndarray
    ) -> Recovered:
        m, s = self.m, self.s
        radial_value = z[:, 1]
        slacks = z[:, 2:]
        factor = np.ones_like(v)
        if self.orientation == "input":
            factor[:, :m] = factor[:, m + s :] = radial_value[:, None]
        else:
            factor[:, m : m + s] = radial_value[:, None]
        targets = v * factor
        targets[:, :m] -= slacks[:, :m]
        targets[:, m : m + s] += slacks[:, m : m + s]
        targets[:, m + s :] -= slacks[:, m + s :]
        with np.errstate(divide="ignore"):
            score = radial_value if self.orientation == "input" else 1.0 / radial_value
        name = "theta" if self.orientation == "input" else "eta"
        return Recovered(
            score, np.ones(v.shape[0]), targets, slacks, {name: radial_value}
        )


def dea(
    data: pd.DataFrame,
    *,
    inputs: str | Sequence[str],
    outputs: str | Sequence[str],
    bad_outputs: str | Sequence[str] = (),
    unit: str = "unit",
    time: str | None = None,
    rts: str = "crs",
    orientation: str = "input",
    technology: str = "contemporaneous",
    window: int | None = None,
    super_efficiency: bool = False,
    reduce: bool = True,
    n_jobs: int = 1,
    client: Any = None,
    progress: bool | None = None,
) -> EfficiencyResults:
    """Radial DEA: CCR (``rts="crs"``) or BCC (``rts="vrs"``), input or output oriented.

    Parameters
    ----------
    data : pandas.DataFrame
        Long table, one row per unit (and period).
    inputs, outputs, bad_outputs : str or sequence of str
        Column names; bad outputs are treated like inputs (see module notes).
    unit, time : str
        Key columns (``time=None`` for a cross-section).
    rts : {"crs", "vrs", "nirs", "ndrs"}
        Returns to scale.
    orientation : {"input", "output"}
        ``score`` is θ* (input) or the Farrell output efficiency 1/η* (output);
        ``scores["theta"]`` / ``scores["eta"]`` hold the raw radial factor.
    technology, window
        Reference technology (see :mod:`.technology`).
    super_efficiency : bool
        Andersen–Petersen super-efficiency; VRS LPs may be infeasible, which is
        reported in ``status`` and ``.infeasible``.
    reduce, n_jobs, client, progress
        Exact reference-set reduction and parallel execution (see :func:`.sbm`).

    Returns
    -------
    EfficiencyResults

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"unit": list("ABCDE"), "x1": [4, 6, 8, 8, 2],
    ...                    "x2": [3, 3, 1, 1, 4], "y1": [2, 2, 6, 6, 1],
    ...                    "y2": [3, 3, 2, 1, 4]})
    >>> res = dea(df, inputs=["x1", "x2"], outputs=["y1", "y2"])
    >>> res.scores["score"].round(6).tolist()
    [0.9, 0.833333, 1.0, 1.0, 1.0]
    >>> round(float(res.slacks.loc[3, "y2"]), 6)  # D is weakly efficient: slack on y2
    1.0
    """
    orientation = check_orientation(orientation, ORIENTATIONS)
    prep = prepare(data, inputs, outputs, bad_outputs, unit, time)
    options = RunOptions(n_jobs, client, progress, reduce, "DEA")
    reference = Reference(technology, window, super_efficiency)
    groups = reference.groups(prep)
    phase1 = solve_groups(
        prep,
        RadialFormulation(prep.dims, rts, orientation),
        groups,
        exclude_self=super_efficiency,
        options=options,
    )
    phase1.super_used[:] = super_efficiency
    ev = radial_phase_two(
        prep, phase1, groups, rts, orientation, super_efficiency, options
    )
    meta = {
        "model": "dea",
        "rts": rts,
        "orientation": orientation,
        **reference.meta(options),
        "bad_outputs_as": "inputs",
    }
    return build_results(prep, ev, meta, score_columns=("theta", "eta"))


def radial_phase_two(
    prep: Any,
    phase1: Any,
    groups: list,
    rts: str,
    orientation: str,
    exclude: bool,
    options: RunOptions,
) -> Any:
    """Max-slack phase II with the radial factor fixed at its phase-I value."""
    name = "theta" if orientation == "input" else "eta"
    radial = phase1.extras[name]
    ok = phase1.status == 0
    offset = 0
    sub_groups, positions = [], []
    for ref, ev in groups:
        sel = ok[offset : offset + ev.size]
        positions.append(offset + np.flatnonzero(sel))
        if sel.any():
            sub_groups.append((ref, ev[sel]))
        offset += ev.size
    pos = np.concatenate(positions) if positions else np.zeros(0, np.int64)
    if pos.size == 0:
        return phase1
    by_obs = np.full(prep.values.shape[0], np.nan)
    by_obs[phase1.obs[pos]] = radial[pos]
    form = RadialFormulation(prep.dims, rts, orientation, theta=by_obs)
    phase2 = solve_groups(prep, form, sub_groups, exclude_self=exclude, options=options)
    good = phase2.status == 0
    phase2.score = np.where(good, phase1.score[pos], np.nan)
    phase1.replace(pos[good], subset(phase2, good))
    return phase1
