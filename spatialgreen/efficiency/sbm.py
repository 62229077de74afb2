"""Slacks-based measure (Tone 2001), with undesirable outputs (Tone 2004) and super-SBM.

Non-oriented SBM with bad outputs (Tone 2004, separable, strong disposability)::

    ρ = min [1 - (1/m) Σ s⁻_i/x_io] / [1 + (1/(s+q)) (Σ s⁺_r/y_ro + Σ sᵇ_k/b_ko)]
    s.t. x_o = Xλ + s⁻,  y_o = Yλ - s⁺,  b_o = Bλ + sᵇ,  λ, s ≥ 0   (+ eᵀλ for VRS)

solved in its Charnes–Cooper form (the VRS row becomes ``eᵀΛ = t``). The input-
oriented score is the numerator alone, the output-oriented score the reciprocal of the
denominator alone. Super-SBM (Tone 2002) excludes the evaluated unit and minimises
``[1 + (1/m) Σ φ_i] / [1 - (1/(s+q)) (Σ ψ_r + Σ ψᵇ_k)]`` over ``x̄ = x_o(1+φ) ≥ Xλ``,
``ȳ = y_o(1-ψ) ≤ Yλ`` (``0 ≤ ψ ≤ 1``), ``b̄ = b_o(1+ψᵇ) ≥ Bλ``: bad outputs that must
*rise* to reach the frontier lower the denominator (the DEA-Solver "Super-SBM-
Undesirable" slack form). Following MaxDEA and the GTFP literature, super-efficiency
scores are reported for SBM-efficient units only; inefficient units keep their SBM
score (``scores["super"]`` says which LP gave the score).

SBM is not translation invariant: data must be strictly positive. A zero bad output
makes its term vanish from the ratio when ``zero_bads="ignore"`` (its slack is forced
to 0 in the ordinary SBM, so the score is exact).
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
    check_orientation,
    run_static,
)
from ._data import prepare
from ._lp import INF, LPBlocks
from .results import EfficiencyResults

__all__ = ["SBMFormulation", "sbm"]

ORIENTATIONS = ("non", "input", "output")


def _inverse(a: np.ndarray) -> np.ndarray:
    """``1/a`` with 0 where ``a == 0`` (terms of zero bad outputs drop out)."""
    out = np.zeros_like(a)
    np.divide(1.0, a, out=out, where=a > 0)
    return out


class SBMFormulation(Formulation):
    """Charnes–Cooper LP of SBM / super-SBM; own columns ``[t, s⁻, s⁺, sᵇ]``."""

    def __init__(
        self, dims: tuple[int, int, int], rts: str, orientation: str, super_: bool
    ) -> None:
        super().__init__(dims, rts)
        self.orientation = orientation
        self.super_ = super_
        self.k = 1 + self.d
        self.n_extra_rows = 1 + (self.s if super_ else 0)

    def blocks(
        self, v: np.ndarray, outside: np.ndarray, obs: np.ndarray, ref_max: np.ndarray
    ) -> LPBlocks:
        n, m, s, d = v.shape[0], self.m, self.s, self.d
        b = self.empty_blocks(n)
        rows = np.arange(d)
        b.A[:, rows, 0] = -v
        inv = _inverse(v)
        out_w = 1.0 / (s + self.q)
        norm = d + 1
        b.A[:, norm, 0] = 1.0
        b.row_lower[:, norm] = b.row_upper[:, norm] = 1.0
        b.lower[:, 0] = 0.0
        if not self.super_:
            sign = np.r_[np.ones(m), -np.ones(s), np.ones(self.q)]
            b.A[:, rows, 1 + rows] = sign
            b.row_lower[:, :d] = b.row_upper[:, :d] = 0.0
            if self.orientation != "input":
                b.A[:, norm, 1 + m :] = out_w * inv[:, m:]
        else:
            b.A[:, rows, 1 + rows] = (
                np.r_[-np.ones(m), np.ones(s), -np.ones(self.q)] * v
            )
            b.row_upper[:, self.rows_in] = 0.0
            b.row_lower[:, self.rows_good] = 0.0
            b.row_upper[:, self.rows_bad] = 0.0
            b.A[:, norm, 1 + m :] = -out_w
            for r in range(s):  # ψ_r ≤ t keeps the good-output target non-negative
                row = d + 2 + r
                b.A[:, row, 1 + m + r] = 1.0
                b.A[:, row, 0] = -1.0
                b.row_upper[:, row] = 0.0
            if self.orientation == "input":
                b.upper[:, 1 + m :] = 0.0
            elif self.orientation == "output":
                b.upper[:, 1 : 1 + m] = 0.0
        b.cost[:, 0] = 1.0
        if self.orientation != "output":
            in_cost = (1.0 / m) if self.super_ else -(1.0 / m) * inv[:, :m]
            b.cost[:, 1 : 1 + m] = in_cost
        b.upper[:, 0] = INF
        return b

    def recover(
        self, v: np.ndarray, objective: np.ndarray, z: np.ndarray, obs: np.ndarray
    ) -> Recovered:
        t = z[:, 0]
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = z[:, 1:] / t[:, None]
        m, s = self.m, self.s
        if not self.super_:
            slacks = rel
            targets = v.copy()
            targets[:, :m] -= slacks[:, :m]
            targets[:, m : m + s] += slacks[:, m : m + s]
            targets[:, m + s :] -= slacks[:, m + s :]
        else:
            grow = rel * v  # expansions of inputs/bads, contraction of goods
            targets = v.copy()
            targets[:, :m] += grow[:, :m]
            targets[:, m : m + s] -= grow[:, m : m + s]
            targets[:, m + s :] += grow[:, m + s :]
            slacks = -grow
        return Recovered(objective, t, targets, slacks)


def sbm(
    data: pd.DataFrame,
    *,
    inputs: str | Sequence[str],
    outputs: str | Sequence[str],
    bad_outputs: str | Sequence[str] = (),
    unit: str = "unit",
    time: str | None = None,
    rts: str = "crs",
    orientation: str = "non",
    technology: str = "contemporaneous",
    window: int | None = None,
    super_efficiency: bool = False,
    zero_bads: str = "raise",
    reduce: bool = True,
    n_jobs: int = 1,
    client: Any = None,
    progress: bool | None = None,
) -> EfficiencyResults:
    """Slacks-based efficiency (Tone 2001), with bad outputs (Tone 2004) and super-SBM.

    Parameters
    ----------
    data : pandas.DataFrame
        Long table, one row per unit (and period).
    inputs, outputs, bad_outputs : str or sequence of str
        Column names of inputs, desirable outputs and undesirable outputs.
    unit, time : str
        Key columns (``time=None`` for a cross-section).
    rts : {"crs", "vrs", "nirs", "ndrs"}
        Returns to scale.
    orientation : {"non", "input", "output"}
        Non-oriented (default) or oriented SBM.
    technology : {"contemporaneous", "sequential", "window", "global"}
        Reference technology of each period (see :mod:`.technology`).
    window : int, optional
        Window width for ``technology="window"``.
    super_efficiency : bool
        Super-SBM (Tone 2002) for the SBM-efficient units. Oriented super-SBM under
        VRS can be infeasible: such units get ``status="infeasible"``, score NaN,
        and are listed in ``.infeasible``.
    zero_bads : {"raise", "ignore"}
        Zero bad outputs raise a DataError (default) or drop out of the ratio.
    reduce : bool
        Reference-set reduction by exact column generation (same scores; set False to
        solve every LP against the whole reference set).
    n_jobs, client, progress
        Parallel execution (joblib processes or a dask.distributed client) and
        progress bar; results do not depend on them.

    Returns
    -------
    EfficiencyResults

    Examples
    --------
    Tone (2001), 5 DMUs (SBM-C of A is 0.798, of D 0.667 despite CCR = 1):

    >>> import pandas as pd
    >>> df = pd.DataFrame({"unit": list("ABCDE"), "x1": [4, 6, 8, 8, 2],
    ...                    "x2": [3, 3, 1, 1, 4], "y1": [2, 2, 6, 6, 1],
    ...                    "y2": [3, 3, 2, 1, 4]})
    >>> res = sbm(df, inputs=["x1", "x2"], outputs=["y1", "y2"])
    >>> res.scores["score"].round(4).tolist()
    [0.798, 0.5682, 1.0, 0.6667, 1.0]
    """
    orientation = check_orientation(orientation, ORIENTATIONS)
    prep = prepare(data, inputs, outputs, bad_outputs, unit, time, zero_bads=zero_bads)

    def make_form(super_: bool) -> SBMFormulation:
        return SBMFormulation(prep.dims, rts, orientation, super_)

    make_form(False)  # validates rts before any work
    options = RunOptions(n_jobs, client, progress, reduce, "SBM")
    meta = {
        "model": "sbm",
        "rts": rts,
        "orientation": orientation,
        "zero_bads": zero_bads,
        "score": "efficiency (super-efficiency >= 1 where scores['super'])",
    }
    reference = Reference(technology, window, super_efficiency)
    return run_static(prep, make_form, reference, options, meta, two_pass=True)
