"""Epsilon-based measure (Tone & Tsutsui 2010), with undesirable outputs and super-EBM.

Non-oriented EBM with bad outputs (the form used with MaxDEA in the Chinese GTFP
literature; bads share the output account with the goods)::

    γ = min [θ - ε_x Σ w⁻_i s⁻_i/x_io] / [φ + ε_y (Σ w⁺_r s⁺_r/y_ro + Σ wᵇ_k sᵇ_k/b_ko)]
    s.t. Xλ + s⁻ = θ x_o,   Yλ - s⁺ = φ y_o,   Bλ + sᵇ = φ b_o,   λ, s ≥ 0  (+ RTS)

EBM-I fixes φ = 1 and keeps the numerator (Tone & Tsutsui 2010, model 6); EBM-O fixes
θ = 1 and takes the reciprocal of the denominator. The super-efficiency EBM (non-
radial, non-oriented) excludes the evaluated unit and minimises
``[θ + ε_x Σ w⁻ s⁻/x_o] / [φ - ε_y (Σ w⁺ s⁺/y_o + Σ wᵇ sᵇ/b_o)]`` over
``θx_o + s⁻ ≥ Xλ``, ``φy_o - s⁺ ≤ Yλ`` (``≥ 0``), ``φb_o + sᵇ ≥ Bλ`` with ``θ ≥ 1 ≥ φ``,
so that its score is ≥ 1; as for super-SBM it is reported for EBM-efficient units.

ε and the weights come from the affinity/diversity procedure of Tone & Tsutsui (2010,
eqs. 15–26) applied to the VRS additive-model projections of the pooled sample
(:func:`ebm_parameters`): inputs on one side, goods and bads together on the output
side. **Tie rules**: when the largest eigenvalue of the affinity matrix is not simple
(within 1e-9), or its eigenvector changes sign, the weights are equal (``1/k``); when
an observation has several additive optima, its projection is the optimum with the
largest slack ratio ``s/v`` of the first variable, then of the second, ... (inputs,
good outputs, bad outputs in the order given; :func:`ebm_parameters`), so that ε,
the weights and every score do not depend on which optimum the solver meets first.
Users may pass their own ``epsilon`` and ``weights``. Scores are units invariant; the
non-oriented score under CRS is projected with φ normalised to 1. The undesirable-
output and super-efficiency variants are not checked against a published table (none
exists); their LPs satisfy the invariants tested (θ = φ = 1 frontier, ε = 0 radial).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ModelError
from ._core import (
    Formulation,
    Recovered,
    Reference,
    RunOptions,
    check_orientation,
    run_static,
    solve_groups,
)
from ._data import Prepared, by_variable, prepare
from ._lp import INF, LPBlocks
from .results import EfficiencyResults

__all__ = [
    "EBMFormulation",
    "affinity_matrix",
    "ebm",
    "ebm_parameters",
    "epsilon_weights",
]

ORIENTATIONS = ("non", "input", "output")
_TIE_TOL = 1e-9
# log-ratio spreads this small count as equal ratios: D is a ratio of two such
# differences, and below this they are solver round-off (the tie-break relaxes LPs
# by _LEX_TOL), not data
_SPREAD_TOL = 1e-8
_LEX_TOL = 1e-12  # relaxation of the optimum and of the ratios fixed by the tie-break


def affinity_matrix(projected: np.ndarray) -> np.ndarray:
    """Affinity ``S = 1 - 2 D`` between the columns of ``projected`` (Tone & Tsutsui).

    ``D`` is 0 when the ratio of two columns is the same for every unit; log-ratios
    that differ by no more than 1e-8 (below the accuracy of LP projections, where
    ``D``, a ratio of two such differences, would be noise) count as the same.

    Parameters
    ----------
    projected : array-like, shape (n, k)
        Positive (projected) values of ``k`` items for ``n`` units.

    Returns
    -------
    ndarray, shape (k, k)
        Symmetric affinity matrix with unit diagonal, entries in [0, 1].

    Examples
    --------
    >>> affinity_matrix([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]]).round(6).tolist()
    [[1.0, 1.0], [1.0, 1.0]]
    """
    p = np.asarray(projected, dtype=float)
    if (p <= 0).any() or not np.isfinite(p).all():
        raise ModelError("EBM affinity needs strictly positive, finite projected data")
    logs = np.log(p)
    k, n = p.shape[1], p.shape[0]
    out = np.eye(k)
    for a in range(k):
        for b in range(a + 1, k):
            c = logs[:, b] - logs[:, a]
            spread = c.max() - c.min()
            # D = 0 when all ratios are equal; relative differences below the
            # accuracy of LP projections (_SPREAD_TOL) are not diversity.
            diversity = (
                0.0
                if spread <= _SPREAD_TOL
                else np.abs(c - c.mean()).sum() / (n * spread)
            )
            out[a, b] = out[b, a] = 1.0 - 2.0 * diversity
    return out


def epsilon_weights(affinity: np.ndarray) -> tuple[float, np.ndarray]:
    """ε and weights from an affinity matrix (largest eigenvalue and its eigenvector).

    ``ε = (k - ρ) / (k - 1)`` with ρ the largest eigenvalue (ε = 0 for k = 1) and the
    weights the eigenvector normalised to sum 1. Tie rule: equal weights when ρ is
    not a simple eigenvalue or its eigenvector is not of one sign.

    Examples
    --------
    >>> eps, w = epsilon_weights([[1.0, 0.470602], [0.470602, 1.0]])
    >>> round(eps, 6), w.tolist()
    (0.529398, [0.5, 0.5])
    >>> epsilon_weights([[1.0, 0.0], [0.0, 1.0]])[1].tolist()  # tie: equal weights
    [0.5, 0.5]
    """
    s = np.asarray(affinity, dtype=float)
    k = s.shape[0]
    if k == 1:
        return 0.0, np.ones(1)
    values, vectors = np.linalg.eigh(s)
    rho = float(values[-1])
    eps = (k - rho) / (k - 1)
    vec = vectors[:, -1]
    vec = vec if vec.sum() >= 0 else -vec
    tie = values[-1] - values[-2] <= _TIE_TOL * k or (vec < -_TIE_TOL).any()
    weights = (
        np.full(k, 1.0 / k)
        if tie
        else np.clip(vec, 0.0, None) / np.clip(vec, 0, None).sum()
    )
    return float(np.clip(eps, 0.0, 1.0)), weights


class _AdditiveFormulation(Formulation):
    """VRS additive model ``max Σ s/v_o`` (projections for the affinity index)."""

    def __init__(self, dims: tuple[int, int, int]):
        super().__init__(dims, "vrs")
        self.k = 1 + self.d

    def blocks(
        self, v: np.ndarray, outside: np.ndarray, obs: np.ndarray, ref_max: np.ndarray
    ) -> LPBlocks:
        m, s, d = self.m, self.s, self.d
        b = self.empty_blocks(v.shape[0])
        rows = np.arange(d)
        b.lower[:, 0] = b.upper[:, 0] = 1.0
        b.A[:, rows, 1 + rows] = np.r_[np.ones(m), -np.ones(s), np.ones(self.q)]
        b.row_lower[:, :d] = b.row_upper[:, :d] = v
        b.cost[:, 1:] = -1.0 / v
        return b

    def recover(
        self, v: np.ndarray, objective: np.ndarray, z: np.ndarray, obs: np.ndarray
    ) -> Recovered:
        m, s = self.m, self.s
        slacks = z[:, 1:]
        sign = np.r_[-np.ones(m), np.ones(s), -np.ones(self.q)]
        return Recovered(-objective, np.ones(v.shape[0]), v + sign * slacks, slacks)


class _LexFormulation(_AdditiveFormulation):
    """Stage ``stage`` of the tie-break of the additive projections: the largest
    ratio ``s_stage/v_stage`` over the additive optima (``Σ s/v >= best``) whose
    earlier ratios are at their maxima (``s_i/v_i >= fixed_i``). ``best`` and
    ``fixed`` are indexed by observation and relaxed by ``_LEX_TOL``."""

    n_extra_rows = 1

    def __init__(
        self,
        dims: tuple[int, int, int],
        stage: int,
        best: np.ndarray,
        fixed: np.ndarray,
    ):
        super().__init__(dims)
        self.stage, self.best, self.fixed = stage, best, fixed

    def blocks(
        self, v: np.ndarray, outside: np.ndarray, obs: np.ndarray, ref_max: np.ndarray
    ) -> LPBlocks:
        b = super().blocks(v, outside, obs, ref_max)
        d, j = self.d, self.stage
        best = self.best[obs]
        b.A[:, d + 1, 1:] = 1.0 / v
        b.row_lower[:, d + 1] = best - _LEX_TOL * np.maximum(1.0, np.abs(best))
        b.cost[:, 1:] = 0.0
        b.cost[:, 1 + j] = -1.0 / v[:, j]
        floor = (self.fixed[obs, :j] - _LEX_TOL) * v[:, :j]
        b.lower[:, 1 : 1 + j] = np.maximum(floor, 0.0)
        return b


def _additive_projections(
    prep: Prepared, options: RunOptions
) -> tuple[np.ndarray, int]:
    """The VRS additive projection of every observation, unique under ties, and the
    number of observations whose projection needed the tie-break.

    Where an observation has several additive optima (ties: e.g. two frontier units
    that remove the same total of slack ratios), the projection is the one with the
    largest slack ratio of the first variable, then of the second, and so on
    (inputs, good outputs, bad outputs in the order given): one LP per variable over
    the optima. Any other choice would leave ε and the weights — and so every EBM
    score — to the order in which the solver met the optima.
    """
    n, d = prep.values.shape
    everyone = np.arange(n)
    ev = solve_groups(
        prep,
        _AdditiveFormulation(prep.dims),
        [(everyone, everyone)],
        exclude_self=False,
        options=options,
        ties=True,
    )
    if (ev.status != 0).any():
        raise ModelError("the additive projections for the EBM affinity index failed")
    projected = np.empty_like(ev.targets)
    projected[ev.obs] = ev.targets
    # an observation with no slack (Σ s/v = 0) is its own, unique, projection
    flagged = ev.ties if ev.ties is not None else np.zeros(n, dtype=bool)
    ties = np.sort(ev.obs[flagged & (ev.score > 0)])
    if ties.size == 0:
        return projected, 0
    best = np.zeros(n)
    best[ev.obs] = ev.score
    fixed = np.zeros((n, d))
    for stage in range(d):
        part = solve_groups(
            prep,
            _LexFormulation(prep.dims, stage, best, fixed),
            [(everyone, ties)],
            exclude_self=False,
            options=options,
        )
        if (part.status != 0).any():
            raise ModelError(
                "the tie-break of the additive projections for the EBM affinity "
                "index failed"
            )
        fixed[part.obs, stage] = part.score
        projected[part.obs] = part.targets
    return projected, int(ties.size)


def _parameters(prep: Prepared, options: RunOptions) -> dict[str, Any]:
    projected, _ = _additive_projections(prep, options)
    m = len(prep.inputs)
    eps_x, w_x = epsilon_weights(affinity_matrix(projected[:, :m]))
    eps_y, w_y = epsilon_weights(affinity_matrix(projected[:, m:]))
    names = prep.variables
    return {
        "epsilon_x": eps_x,
        "epsilon_y": eps_y,
        "weights": dict(zip(names, np.r_[w_x, w_y].tolist(), strict=True)),
    }


def ebm_parameters(
    data: pd.DataFrame,
    *,
    inputs: str | Sequence[str],
    outputs: str | Sequence[str],
    bad_outputs: str | Sequence[str] = (),
    unit: str = "unit",
    time: str | None = None,
) -> dict[str, Any]:
    """ε and weights of EBM from the pooled sample (Tone & Tsutsui 2010, eqs. 15–26).

    Every observation is projected with the VRS additive model (eq. 19), the affinity
    matrix of the projected inputs (and of the projected goods and bads together) is
    formed, and ε and the weights follow from its largest eigenvalue
    (:func:`epsilon_weights`, with its tie rule). An observation with several
    additive optima is projected on the one with the largest slack ratio ``s/v`` of
    the first variable, then of the second, and so on (one LP per variable over the
    optima, solved only where the engine finds a tie): Tone & Tsutsui leave the
    choice open, and without a rule ε would depend on the solver's path.

    Returns
    -------
    dict
        ``epsilon_x``, ``epsilon_y`` and ``weights`` (variable -> weight; each side
        sums to 1).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"unit": list("abc"), "x": [1.0, 2, 3], "y": [1.0, 3, 2]})
    >>> ebm_parameters(df, inputs="x", outputs="y")["epsilon_x"]
    0.0
    """
    prep = prepare(data, inputs, outputs, bad_outputs, unit, time)
    return _parameters(prep, RunOptions(progress=False))


class EBMFormulation(Formulation):
    """Own columns ``[t, θ, φ, s (d)]``; rows: data, RTS, norm, θ-t, φ-t, ȳ ≥ 0."""

    def __init__(
        self,
        dims: tuple[int, int, int],
        rts: str,
        orientation: str,
        super_: bool,
        eps_x: float,
        eps_y: float,
        weights: np.ndarray,
    ) -> None:
        super().__init__(dims, rts)
        self.orientation = orientation
        self.super_ = super_
        self.eps_x, self.eps_y, self.w = eps_x, eps_y, np.asarray(weights, dtype=float)
        self.k = 3 + self.d
        self.n_extra_rows = 3 + self.s

    def blocks(
        self, v: np.ndarray, outside: np.ndarray, obs: np.ndarray, ref_max: np.ndarray
    ) -> LPBlocks:
        n, m, s, d = v.shape[0], self.m, self.s, self.d
        b = self.empty_blocks(n)
        rows = np.arange(d)
        norm, theta_t, phi_t = d + 1, d + 2, d + 3
        b.A[:, rows[:m], 1] = -v[:, :m]
        b.A[:, rows[m:], 2] = -v[:, m:]
        b.lower[:, 1] = b.lower[:, 2] = -INF
        w_in = self.eps_x * self.w[:m] / v[:, :m]
        w_out = self.eps_y * self.w[m:] / v[:, m:]
        b.A[:, norm, 2] = 1.0
        b.row_lower[:, norm] = b.row_upper[:, norm] = 1.0
        b.A[:, theta_t, 1] = b.A[:, phi_t, 2] = 1.0
        b.A[:, theta_t, 0] = b.A[:, phi_t, 0] = -1.0
        b.cost[:, 1] = 1.0
        if not self.super_:
            b.A[:, rows, 3 + rows] = np.r_[np.ones(m), -np.ones(s), np.ones(self.q)]
            b.row_lower[:, :d] = b.row_upper[:, :d] = 0.0
            if self.orientation != "input":
                b.A[:, norm, 3 + m :] = w_out
            if self.orientation != "output":
                b.cost[:, 3 : 3 + m] = -w_in
        else:
            b.A[:, rows, 3 + rows] = np.r_[-np.ones(m), np.ones(s), -np.ones(self.q)]
            b.row_upper[:, self.rows_in] = 0.0
            b.row_lower[:, self.rows_good] = 0.0
            b.row_upper[:, self.rows_bad] = 0.0
            b.A[:, norm, 3 + m :] = -w_out
            b.cost[:, 3 : 3 + m] = w_in
            b.row_lower[:, theta_t] = 0.0  # θ ≥ t: inputs may only expand
            b.row_upper[:, phi_t] = 0.0  # φ ≤ t: outputs may only contract
            for r in range(s):  # good-output targets stay non-negative
                row = d + 4 + r
                b.A[:, row, 2] = v[:, m + r]
                b.A[:, row, 3 + m + r] = -1.0
                b.row_lower[:, row] = 0.0
            if self.orientation == "input":
                b.upper[:, 3 + m :] = 0.0
            elif self.orientation == "output":
                b.upper[:, 3 : 3 + m] = 0.0
                b.cost[:, 3 : 3 + m] = 0.0
        if self.orientation == "input":
            b.lower[:, 0] = b.upper[:, 0] = 1.0
            b.lower[:, 2] = b.upper[:, 2] = 1.0
        elif self.orientation == "output":
            b.row_lower[:, theta_t] = b.row_upper[:, theta_t] = 0.0  # θ = t (θ = 1)
        return b

    def recover(
        self, v: np.ndarray, objective: np.ndarray, z: np.ndarray, obs: np.ndarray
    ) -> Recovered:
        m, s = self.m, self.s
        t, theta, phi = z[:, 0], z[:, 1], z[:, 2]
        if self.super_ or self.orientation != "non" or self.rts != "crs":
            scale = t
        else:
            # CRS non-oriented: (θ, φ, λ, s) is defined up to scale; report φ = 1.
            scale = np.where(phi > 1e-9, phi, 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            theta, phi = theta / scale, phi / scale
            slack = z[:, 3:] / scale[:, None]
        factor = np.empty_like(v)
        factor[:, :m] = theta[:, None]
        factor[:, m:] = phi[:, None]
        sign = np.r_[-np.ones(m), np.ones(s), -np.ones(self.q)]
        if self.super_:
            sign = -sign
        targets = v * factor + sign * slack
        slacks = slack if not self.super_ else -slack
        return Recovered(
            objective, scale, targets, slacks, {"theta": theta, "phi": phi}
        )


def _resolve_parameters(
    prep: Prepared,
    epsilon: float | tuple[float, float] | None,
    weights: Mapping[str, float] | None,
    options: RunOptions,
) -> dict[str, Any]:
    m = len(prep.inputs)
    names = list(prep.variables)
    params: dict[str, Any] = {"source": "user"}
    if epsilon is None or weights is None:
        params = {**_parameters(prep, options), "source": "affinity (pooled sample)"}
    if epsilon is not None:
        pair = (
            (epsilon, epsilon) if isinstance(epsilon, int | float) else tuple(epsilon)
        )
        eps = [float(e) for e in pair]
        if len(eps) != 2 or not all(0 <= e <= 1 for e in eps):
            raise ModelError(f"epsilon must be in [0, 1] (or a pair); got {epsilon!r}")
        params["epsilon_x"], params["epsilon_y"] = eps
    if weights is not None:
        w = by_variable(prep, weights, "weights name")
        if (w < 0).any() or w[:m].sum() <= 0 or w[m:].sum() <= 0:
            raise ModelError("weights must be >= 0 with a positive sum on each side")
        w[:m] /= w[:m].sum()
        w[m:] /= w[m:].sum()
        params["weights"] = dict(zip(names, w.tolist(), strict=True))
    return params


def ebm(
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
    epsilon: float | tuple[float, float] | None = None,
    weights: Mapping[str, float] | None = None,
    reduce: bool = True,
    n_jobs: int = 1,
    client: Any = None,
    progress: bool | None = None,
) -> EfficiencyResults:
    """Epsilon-based measure (Tone & Tsutsui 2010), with bad outputs and super-EBM.

    Parameters
    ----------
    data : pandas.DataFrame
        Long table, one row per unit (and period).
    inputs, outputs, bad_outputs : str or sequence of str
        Column names.
    unit, time : str
        Key columns.
    rts : {"crs", "vrs", "nirs", "ndrs"}
        Returns to scale. The non-oriented EBM needs ``"crs"``: with θ and φ free,
        its objective and constraints are unchanged when (θ, φ, λ, s) are scaled by
        any k > 0, so a constraint on ``eᵀλ`` can never bind and "VRS" would return
        the CRS scores; it raises :class:`ModelError` instead. Use EBM-I or EBM-O
        for variable returns to scale.
    orientation : {"non", "input", "output"}
        EBM-NO (default), EBM-I or EBM-O.
    technology, window
        Reference technology (see :mod:`.technology`).
    super_efficiency : bool
        Super-efficiency EBM for EBM-efficient units (the non-radial, non-oriented
        super-EBM with undesirable outputs of the GTFP literature by default).
    epsilon : float or (float, float), optional
        ``ε_x`` and ``ε_y`` (one value for both); default: the affinity procedure.
    weights : mapping, optional
        Variable -> weight (normalised to 1 on the input and on the output side);
        default: the affinity procedure.
    reduce, n_jobs, client, progress
        Exact reference-set reduction and parallel execution (see :func:`.sbm`).

    Returns
    -------
    EfficiencyResults
        ``scores`` has ``theta`` and ``phi``; ``meta`` the ε and weights used.

    Examples
    --------
    Three of the Tone & Tsutsui (2010) hospitals; ε = 0 reduces EBM-I to CCR-I:

    >>> import pandas as pd
    >>> df = pd.DataFrame({"unit": list("ABC"), "doc": [20, 19, 25],
    ...                    "nurse": [151, 131, 160], "outp": [100, 150, 160],
    ...                    "inp": [90, 50, 55]})
    >>> res = ebm(df, inputs=["doc", "nurse"], outputs=["outp", "inp"],
    ...           orientation="input", epsilon=0.0)
    >>> res.scores["score"].round(4).tolist()
    [1.0, 1.0, 0.885]
    """
    orientation = check_orientation(orientation, ORIENTATIONS)
    if orientation == "non" and rts != "crs":
        raise ModelError(
            f"the non-oriented EBM is scale invariant (θ and φ are free), so "
            f"rts={rts!r} cannot bind and would silently give the CRS scores; use "
            "rts='crs', or orientation='input'/'output' for variable returns to scale"
        )
    prep = prepare(data, inputs, outputs, bad_outputs, unit, time)
    options = RunOptions(n_jobs, client, progress, reduce, "EBM")
    params = _resolve_parameters(prep, epsilon, weights, options)
    w = np.array([params["weights"][name] for name in prep.variables])

    def make_form(super_: bool) -> EBMFormulation:
        return EBMFormulation(
            prep.dims,
            rts,
            orientation,
            super_,
            params["epsilon_x"],
            params["epsilon_y"],
            w,
        )

    make_form(False)
    meta = {
        "model": "ebm",
        "rts": rts,
        "orientation": orientation,
        "epsilon_x": params["epsilon_x"],
        "epsilon_y": params["epsilon_y"],
        "weights": params["weights"],
        "parameters_from": params["source"],
        "tie_rule": "equal weights when the largest eigenvalue is not simple",
    }
    reference = Reference(technology, window, super_efficiency)
    return run_static(
        prep,
        make_form,
        reference,
        options,
        meta,
        two_pass=True,
        score_columns=("theta", "phi"),
    )
