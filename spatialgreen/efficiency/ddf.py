"""Directional distance functions: radial DDF (Chung, Färe & Grosskopf 1997) and NDDF.

Radial DDF with a direction of non-negative magnitudes ``g = (g_x, g_y, g_b)``::

    D = max β   s.t.  Xλ ≤ x_o - β g_x,  Yλ ≥ y_o + β g_y,  Bλ = b_o - β g_b,  λ ≥ 0

(``Bλ ≤ ...`` with ``disposability="strong"``; ``eᵀλ = 1`` under VRS, which is *not*
Kuosmanen's (2005) weak disposability — like gtfpch and MaxDEA, CRS is the default).
β is free: it is negative for observations outside the reference technology (mixed-
period and super-efficiency LPs). The non-radial DDF (Zhou, Ang & Wang 2012) gives
every variable its own ``β_v ≥ 0`` and maximises ``Σ w_v β_v``; for observations
outside the reference technology every ``β_v ≤ 0`` instead (each variable may only
worsen; mixed signs would reach the degenerate λ = 0 point of weakly disposable
technologies), and its super-efficiency LP is solved for frontier units only. The
default weights split 1 equally over the variable groups (inputs, goods, bads) that
have a non-zero direction and equally within a group (Zhou et al. 2012).

Scores: ``score`` is an *efficiency*, as in every other model (1 on the frontier,
lower is worse, above 1 for super-efficient observations): ``score = 1/(1 + β)``,
the transformation through which the DDF enters the Chung et al. (1997) ML and Oh's
(2010) GML indices (``E = 1/(1 + D)`` in :mod:`.productivity`) and the one GTFP
papers report. The inefficiency β itself (0 on the frontier; the distance function
value D) is the ``beta`` column. A super-efficiency β ≤ −1 (good-output target at
or below zero) has no ratio form: its score is NaN with ``status="undefined"``, and
a warning says so.

Directions: ``"chung"`` = (0, y_o, b_o) (default; the evaluated observation's own data,
also in cross-period LPs, as gtfpch does), ``"all"`` = (x_o, y_o, b_o), ``"output"`` =
(0, y_o, 0), or a mapping variable -> constant magnitude (in the data's units;
variables left out get 0). Data are rescaled internally together with the direction,
so β does not depend on the units.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ModelError, SpatialGreenWarning
from ._core import (
    Formulation,
    Recovered,
    Reference,
    RunOptions,
    run_static,
)
from ._data import Prepared, by_variable, prepare
from ._lp import INF, LPBlocks
from .results import EfficiencyResults

__all__ = ["DDFFormulation", "ddf", "direction_matrix"]

DIRECTIONS = ("chung", "all", "output")


def direction_matrix(
    prep: Prepared, direction: str | Mapping[str, float]
) -> np.ndarray:
    """Direction magnitudes of every observation in scaled units, shape (n, m+s+q)."""
    m, s, q = prep.dims
    v = prep.scaled
    if isinstance(direction, str):
        if direction not in DIRECTIONS:
            raise ModelError(
                f"direction must be one of {DIRECTIONS} or a mapping; got {direction!r}"
            )
        mask = np.r_[
            np.full(m, direction == "all"),
            np.ones(s, bool),
            np.full(q, direction != "output"),
        ]
        return v * mask
    g = by_variable(prep, direction, "direction names")
    if (g < 0).any() or not (g > 0).any():
        raise ModelError("direction magnitudes must be >= 0 and not all zero")
    return np.broadcast_to(g / prep.scale, v.shape).copy()


def default_weights(prep: Prepared, g: np.ndarray) -> np.ndarray:
    """Zhou, Ang & Wang (2012) weights: equal per active group, equal within a group."""
    m, s, q = prep.dims
    active = np.asarray((g > 0).any(axis=0), dtype=bool)
    groups = [np.arange(m), m + np.arange(s), m + s + np.arange(q)]
    live = [grp[active[grp]] for grp in groups if active[grp].any()]
    w = np.zeros(g.shape[1])
    for grp in live:
        w[grp] = 1.0 / (len(live) * grp.size)
    return w


class DDFFormulation(Formulation):
    """Own columns ``[t (=1), β (1 or d), s (d)]``."""

    def __init__(
        self,
        dims: tuple[int, int, int],
        rts: str,
        g: np.ndarray,
        weights: np.ndarray | None,
        weak: bool,
        bounded_bads: bool = False,
        super_: bool = False,
    ) -> None:
        super().__init__(dims, rts)
        self.super_ = super_
        self.g = g  # (n_obs, d) for every observation of the data
        self.weights = weights
        self.nb = 1 if weights is None else self.d
        self.weak = weak
        self.bounded = bounded_bads
        self.k = 1 + self.nb + self.d
        self.n_extra_rows = self.q if bounded_bads else 0

    def blocks(
        self, v: np.ndarray, outside: np.ndarray, obs: np.ndarray, ref_max: np.ndarray
    ) -> LPBlocks:
        m, s, d = self.m, self.s, self.d
        b = self.empty_blocks(v.shape[0])
        rows = np.arange(d)
        sign = np.r_[np.ones(m), -np.ones(s), np.ones(self.q)]
        g = self.g[obs] * sign
        b.lower[:, 0] = b.upper[:, 0] = 1.0
        first = 1 + self.nb
        b.A[:, rows, first + rows] = sign
        if self.weak:
            b.upper[:, first + m + s :] = 0.0
        b.row_lower[:, :d] = b.row_upper[:, :d] = v
        if self.weights is None:
            b.A[:, rows, 1] = g
            b.lower[:, 1] = -INF
            b.cost[:, 1] = -1.0
        else:
            b.A[:, rows, 1 + rows] = g
            b.cost[:, 1 : 1 + d] = -self.weights
            # The ordinary LP has every β_v >= 0; the super-efficiency LP (also used
            # first for mixed-period observations) every β_v <= 0: each variable may
            # only worsen. Letting signs mix would trade an impossible improvement of
            # one variable against another's worsening, down to the degenerate
            # λ = 0 point of weakly disposable technologies (a positive
            # "inefficiency" for frontier units).
            b.lower[:, 1 : 1 + d] = -INF if self.super_ else 0.0
            b.upper[:, 1 : 1 + d] = 0.0 if self.super_ else INF
            # β of a variable with zero direction has no effect: pin it to 0.
            b.lower[:, 1 : 1 + d] = np.where(g == 0, 0.0, b.lower[:, 1 : 1 + d])
            b.upper[:, 1 : 1 + d] = np.where(g == 0, 0.0, b.upper[:, 1 : 1 + d])
        if self.bounded:
            # APZ (2013): the bad-output target b_o - β g_b may not exceed the
            # largest bad output of the reference set.
            for k in range(self.q):
                row, var = d + 1 + k, m + s + k
                b.A[:, row, 1 if self.weights is None else 1 + var] = self.g[obs, var]
                b.row_lower[:, row] = v[:, var] - ref_max[var]
        return b

    def recover(
        self, v: np.ndarray, objective: np.ndarray, z: np.ndarray, obs: np.ndarray
    ) -> Recovered:
        m, s = self.m, self.s
        beta = -objective
        slacks = z[:, 1 + self.nb :]
        sign = np.r_[-np.ones(m), np.ones(s), -np.ones(self.q)]
        move = z[:, 1 : 1 + self.nb]  # β or β_v
        targets = v + sign * (move * self.g[obs] + slacks)
        extras = {"beta": beta}
        return Recovered(beta, np.ones(v.shape[0]), targets, slacks, extras)


def ddf(
    data: pd.DataFrame,
    *,
    inputs: str | Sequence[str],
    outputs: str | Sequence[str],
    bad_outputs: str | Sequence[str] = (),
    unit: str = "unit",
    time: str | None = None,
    rts: str = "crs",
    orientation: str = "directional",
    direction: str | Mapping[str, float] = "chung",
    nonradial: bool = False,
    weights: Mapping[str, float] | None = None,
    disposability: str = "weak",
    bounded_bads: bool = False,
    technology: str = "contemporaneous",
    window: int | None = None,
    super_efficiency: bool = False,
    reduce: bool = True,
    n_jobs: int = 1,
    client: Any = None,
    progress: bool | None = None,
) -> EfficiencyResults:
    """Directional distance function (radial or non-radial) with undesirable outputs.

    Parameters
    ----------
    data : pandas.DataFrame
        Long table, one row per unit (and period).
    inputs, outputs, bad_outputs : str or sequence of str
        Column names (zeros are allowed; negatives are not).
    unit, time : str
        Key columns.
    rts : {"crs", "vrs", "nirs", "ndrs"}
        Returns to scale.
    orientation : {"directional"}
        Kept for a uniform signature; the direction vector sets the orientation.
    direction : {"chung", "all", "output"} or mapping
        Direction vector (see module notes).
    nonradial : bool
        Non-radial DDF (Zhou, Ang & Wang 2012) with ``weights``.
    weights : mapping, optional
        Variable -> weight of its β in the NDDF objective (raw, as given).
    disposability : {"weak", "strong"}
        Bad outputs by equality (weak, Chung et al. 1997) or inequality (strong).
    bounded_bads : bool
        Aparicio, Pastor & Zofío (2013): the bad-output target may not exceed the
        largest bad output of the reference set. With ``disposability="strong"`` this
        is APZ's technology, which removes the ML inconsistency; it only binds in
        mixed-period and super-efficiency LPs.
    technology, window
        Reference technology (see :mod:`.technology`).
    super_efficiency : bool
        Exclude each observation from its own reference set (β may be negative; the
        LP may be infeasible, which is reported).
    reduce, n_jobs, client, progress
        Exact reference-set reduction and parallel execution (see :func:`.sbm`).

    Returns
    -------
    EfficiencyResults
        ``score`` is the efficiency ``1/(1 + β)`` (1 = on the frontier, like every
        other model's score); ``beta`` is the inefficiency β, the DDF value D
        (0 = on the frontier).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"unit": ["A", "B", "C"], "x": [1.0, 1.0, 1.0],
    ...                    "y": [7.0, 5.0, 3.0], "b": [2.0, 5.0, 2.0]})
    >>> res = ddf(df, inputs="x", outputs="y", bad_outputs="b")
    >>> res.scores[["unit", "score", "beta"]].round(4)
      unit   score  beta
    0    A  1.0000   0.0
    1    B  1.0000   0.0
    2    C  0.7143   0.4
    """
    if orientation != "directional":
        raise ModelError(
            "ddf() is oriented by its direction vector; use orientation='directional'"
        )
    if disposability not in ("weak", "strong"):
        raise ModelError(
            f"disposability must be 'weak' or 'strong'; got {disposability!r}"
        )
    prep = prepare(data, inputs, outputs, bad_outputs, unit, time, allow_zero=True)
    make_form = ddf_form_factory(
        prep, rts, direction, nonradial, weights, disposability, bounded_bads
    )
    options = RunOptions(n_jobs, client, progress, reduce, "DDF")
    form = make_form(False)
    meta = {
        "model": "ddf",
        "rts": rts,
        "direction": _describe(direction),
        "nonradial": nonradial,
        "disposability": disposability,
        "bounded_bads": bounded_bads,
        "weights": None
        if form.weights is None
        else dict(zip(prep.variables, form.weights.tolist(), strict=True)),
        "score": "efficiency 1/(1+beta) (1 = frontier); beta = inefficiency D",
    }
    res = run_static(
        prep,
        make_form,
        Reference(technology, window, super_efficiency),
        options,
        meta,
        # the radial β is free, so one LP serves inside and outside units; the
        # non-radial β_v are sign-restricted (>= 0 inside, <= 0 outside), so only
        # frontier units get the super-efficiency LP
        two_pass=nonradial,
        inefficiency=True,
        score_columns=("beta",),
    )
    return _efficiency_scores(res)


def _efficiency_scores(res: EfficiencyResults) -> EfficiencyResults:
    """Turn the LP value β in ``score`` into the efficiency 1/(1 + β)."""
    scores = res.scores
    beta = scores["score"].to_numpy(dtype=float)
    scores["beta"] = beta
    undefined = (scores["status"] == "optimal").to_numpy() & (beta <= -1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        scores["score"] = np.where(undefined, np.nan, 1.0 / (1.0 + beta))
    if undefined.any():
        scores.loc[undefined, "status"] = "undefined"
        keys = [c for c in (res.meta.get("unit"), res.meta.get("time")) if c]
        rows = scores.loc[undefined, [*keys, "status"]]
        infeasible = pd.concat([res.infeasible, rows], ignore_index=True)
        object.__setattr__(res, "infeasible", infeasible)
        res.meta["n_undefined"] = int(undefined.sum())
        listed = ", ".join(
            "@".join(map(str, row)) for row in rows[keys].itertuples(index=False)
        )
        warnings.warn(
            f"DDF value beta <= -1 for {listed}: the good-output target is not "
            "positive, so the efficiency 1/(1 + beta) is undefined; score is NaN "
            "with status 'undefined' (beta is kept)",
            SpatialGreenWarning,
            stacklevel=3,
        )
    return res


def _describe(direction: str | Mapping[str, float]) -> str | dict[str, float]:
    return direction if isinstance(direction, str) else dict(direction)


def ddf_form_factory(
    prep: Prepared,
    rts: str,
    direction: str | Mapping[str, float],
    nonradial: bool,
    weights: Mapping[str, float] | None,
    disposability: str,
    bounded_bads: bool = False,
) -> Any:
    """A ``make_form(super_)`` callable for :func:`~._core.evaluate`."""
    g = direction_matrix(prep, direction)
    w = None
    if nonradial:
        if weights is None:
            w = default_weights(prep, g)
        else:
            w = by_variable(prep, weights, "weights name")
    elif weights is not None:
        raise ModelError("weights are only used with nonradial=True")

    def make_form(super_: bool) -> DDFFormulation:
        return DDFFormulation(
            prep.dims, rts, g, w, disposability == "weak", bounded_bads, super_
        )

    make_form(False)
    return make_form
