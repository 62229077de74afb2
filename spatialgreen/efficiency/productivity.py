"""Productivity indices: Malmquist (FGNZ 1994), Malmquist–Luenberger, GML (Oh 2010).

Every index is written with efficiency scores ``E^a(b)`` — the score of the
observation of period ``b`` against the technology of period ``a`` — where a larger
``E`` is better: θ* or 1/η* for radial DEA, the SBM/EBM score (super-efficiency when
the observation lies outside the technology, so that mixed-period LPs stay feasible),
and ``1/(1 + D)`` for a directional distance function D. With ``t`` the earlier and
``t+1`` the later period::

    adjacent (malmquist, ml):  index = [E^t(t+1)/E^t(t) · E^{t+1}(t+1)/E^{t+1}(t)]^½
    global (gml):              index = E^G(t+1) / E^G(t)
    ec  = E^{t+1}(t+1) / E^t(t),      tc = index / ec     (bpc = tc for GML)

For the DDF this is exactly Chung et al.'s (1997) ML and Oh's (2010) GML, e.g.
``E^t(t+1)/E^t(t) = (1 + D^t(t)) / (1 + D^t(t+1))``. For the radial CRS Malmquist the
efficiency change splits into pure efficiency change ``pech`` (VRS scores) and scale
efficiency change ``sech = ec / pech`` (Färe, Grosskopf, Norris & Zhang 1994).
``cumulative`` chain-links the index of each unit (its first observed period = 1); a
unit missing a period in between has no index for the pairs around the gap, so its
chained level is NaN from the gap on. The GML is circular, so its cumulative value is
``E^G(t) / E^G(first)`` directly, also across such gaps. Such gaps raise a
:class:`~spatialgreen.errors.SpatialGreenWarning` naming the units and periods, and
are listed in ``meta["gaps"]`` (unit -> missing periods).

Mixed-period LPs (``E^t(t+1)``, ``E^{t+1}(t)``) can be infeasible (weak disposability,
VRS; Aparicio, Pastor & Zofío 2013). They are always listed in ``.infeasible`` and
counted in ``meta["n_infeasible"]``; ``on_infeasible="nan"`` (default) leaves the
index of that pair NaN (and the cumulative index NaN from there on), while
``on_infeasible="one_base"`` uses the one adjacent base that is feasible
(``E^t(t+1)/E^t(t)`` or ``E^{t+1}(t+1)/E^{t+1}(t)``) and marks the row
``status="one_base"``. A DDF value ``D <= -1`` (an optimal mixed-period or VRS LP
whose good-output target is not positive) has no ratio form ``1/(1 + D)``: its
distance gets ``status="undefined"`` and is treated like an infeasible one.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ModelError, SpatialGreenWarning
from ._core import RunOptions, check_orientation, evaluate
from ._data import Prepared, prepare
from ._lp import STATUS_NAMES
from .ddf import ddf_form_factory
from .ebm import ORIENTATIONS as EBM_ORIENTATIONS
from .ebm import EBMFormulation, _resolve_parameters
from .radial import ORIENTATIONS as DEA_ORIENTATIONS
from .radial import RadialFormulation
from .results import ProductivityResults
from .sbm import ORIENTATIONS as SBM_ORIENTATIONS
from .sbm import SBMFormulation
from .technology import reference_periods

__all__ = ["productivity_index"]

MODELS = ("ddf", "sbm", "ebm", "dea")
INDICES = ("malmquist", "ml", "gml")
ON_INFEASIBLE = ("nan", "one_base")
_UNDEFINED = max(STATUS_NAMES) + 1  # LP optimal but 1 + D <= 0 (DDF)
_STATUS = {**STATUS_NAMES, _UNDEFINED: "undefined"}
_MIN_SHIFT = 1e-9
_RESULT_COLUMNS = (
    "prev_time",
    "index",
    "ec",
    "tc",
    "bpc",
    "pech",
    "sech",
    "cumulative",
    "status",
)
_DEFAULT_ORIENTATION = {
    "ddf": "directional",
    "sbm": "non",
    "ebm": "non",
    "dea": "input",
}
_MODEL_OPTIONS = {
    "ddf": {"direction", "nonradial", "weights", "disposability", "bounded_bads"},
    "sbm": {"zero_bads"},
    "ebm": {"epsilon", "weights"},
    "dea": set(),
}


class _Model:
    """A model prepared for distance evaluations: data, formulation factory, E map."""

    def __init__(
        self,
        model: str,
        data: pd.DataFrame,
        columns: dict[str, Any],
        orientation: str,
        options: dict[str, Any],
        run: RunOptions,
    ) -> None:
        unknown = sorted(set(options) - _MODEL_OPTIONS[model])
        if unknown:
            raise ModelError(f"options {unknown} do not apply to model={model!r}")
        self.model = model
        self.orientation = orientation
        self.options = options
        self.meta: dict[str, Any] = {}
        if model == "ddf":
            if orientation != "directional":
                raise ModelError(
                    "model='ddf' is oriented by its direction; use 'directional'"
                )
            self.prep = prepare(data, allow_zero=True, **columns)
        else:
            allowed = {
                "sbm": SBM_ORIENTATIONS,
                "ebm": EBM_ORIENTATIONS,
                "dea": DEA_ORIENTATIONS,
            }
            check_orientation(orientation, allowed[model])
            zero = options.get("zero_bads", "raise")
            self.prep = prepare(data, zero_bads=zero, **columns)
        if model == "ebm":
            params = _resolve_parameters(
                self.prep, options.get("epsilon"), options.get("weights"), run
            )
            self.ebm_params = params
            self.meta.update(
                epsilon_x=params["epsilon_x"],
                epsilon_y=params["epsilon_y"],
                weights=params["weights"],
            )
        # sign-restricted non-radial DDF needs the two-pass logic too
        self.nonradial = model == "ddf" and bool(options.get("nonradial", False))
        self.two_pass = model in ("sbm", "ebm") or self.nonradial

    def factory(self, rts: str) -> Any:
        prep, orientation = self.prep, self.orientation
        if self.model == "sbm":
            return lambda sup: SBMFormulation(prep.dims, rts, orientation, sup)
        if self.model == "ebm":
            p = self.ebm_params
            w = np.array([p["weights"][name] for name in prep.variables])
            return lambda sup: EBMFormulation(
                prep.dims, rts, orientation, sup, p["epsilon_x"], p["epsilon_y"], w
            )
        if self.model == "dea":
            return lambda sup: RadialFormulation(prep.dims, rts, orientation)
        o = self.options
        return ddf_form_factory(
            prep,
            rts,
            o.get("direction", "chung"),
            o.get("nonradial", False),
            o.get("weights"),
            o.get("disposability", "weak"),
            o.get("bounded_bads", False),
        )

    def efficiency(self, score: np.ndarray) -> np.ndarray:
        """``E`` from the LP score; NaN where ``1 + D <= 0`` (no ratio form)."""
        if self.model == "ddf":
            shifted = 1.0 + score
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(shifted > _MIN_SHIFT, 1.0 / shifted, np.nan)
        return score


def _distances(
    model: _Model,
    rts: str,
    sets: dict[str, list[tuple[np.ndarray, np.ndarray]]],
    super_efficiency: bool,
    run: RunOptions,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Efficiency ``E`` and status of every observation for each named set of groups
    (NaN / -1 where not evaluated).

    All sets go to the engine in one run, so parallel workers are not left idle
    between them; every group is solved exactly as it would be on its own.
    """
    n = model.prep.values.shape[0]
    out = {name: (np.full(n, np.nan), np.full(n, -1, dtype=np.int8)) for name in sets}
    groups: list[tuple[np.ndarray, np.ndarray]] = []
    spans: list[tuple[str, int]] = []
    for name, named in sets.items():
        named = [(r, e) for r, e in named if e.size]
        groups.extend(named)
        spans.append((name, sum(e.size for _, e in named)))
    if not groups:
        return out
    ev = evaluate(
        model.prep,
        model.factory(rts),
        groups,
        super_efficiency=super_efficiency,
        two_pass=model.two_pass,
        options=run,
        inefficiency=model.nonradial,
    )
    start = 0
    for name, size in spans:
        rows = slice(start, start + size)  # evaluate keeps the group order
        start += size
        eff, status = out[name]
        obs = ev.obs[rows]
        eff[obs] = model.efficiency(ev.score[rows])
        status[obs] = ev.status[rows]
        # an optimal DDF value D <= -1 (possible in mixed-period and VRS LPs) puts the
        # good-output target at or below zero: 1 + D has no ratio meaning, E is
        # undefined
        status[(status == 0) & np.isnan(eff)] = _UNDEFINED
    return out


def _obs_of(prep: Prepared, periods: np.ndarray) -> np.ndarray:
    return np.flatnonzero(np.isin(prep.period_of_obs, periods))


def productivity_index(
    data: pd.DataFrame,
    *,
    model: str = "ddf",
    index: str = "ml",
    inputs: str | Sequence[str],
    outputs: str | Sequence[str],
    bad_outputs: str | Sequence[str] = (),
    unit: str = "unit",
    time: str = "year",
    rts: str = "crs",
    orientation: str | None = None,
    technology: str = "contemporaneous",
    window: int | None = None,
    super_efficiency: bool = False,
    on_infeasible: str = "nan",
    reduce: bool = True,
    n_jobs: int = 1,
    client: Any = None,
    progress: bool | None = None,
    **model_options: Any,
) -> ProductivityResults:
    """Malmquist, Malmquist–Luenberger or global ML index with its decomposition.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit and period.
    model : {"ddf", "sbm", "ebm", "dea"}
        Distance function (see the module notes for how each enters the index).
    index : {"malmquist", "ml", "gml"}
        Adjacent-period geometric-mean index (``"malmquist"`` and ``"ml"`` use the
        same formula; ML is the name used with bad outputs) or the global ML.
    inputs, outputs, bad_outputs : str or sequence of str
        Column names.
    unit, time : str
        Key columns.
    rts : {"crs", "vrs", "nirs", "ndrs"}
        Returns to scale of the distance functions.
    orientation : str, optional
        Model orientation (default: "directional" for ddf, "non" for sbm/ebm,
        "input" for dea).
    technology : {"contemporaneous", "sequential", "window"}
        Period technology used for ``E^t`` (the global one is added by GML).
    window : int, optional
        Window width for ``technology="window"``.
    super_efficiency : bool
        Use super-efficiency scores for own-period (and global) evaluations; not with
        the sequential or window technology (raises :class:`ModelError`).
    on_infeasible : {"nan", "one_base"}
        Treatment of infeasible mixed-period LPs (see the module notes).
    reduce, n_jobs, client, progress
        Exact reference-set reduction and parallel execution (see :func:`.sbm`).
    **model_options
        ``direction``, ``nonradial``, ``weights``, ``disposability``,
        ``bounded_bads`` (ddf);
        ``zero_bads`` (sbm); ``epsilon``, ``weights`` (ebm).

    Returns
    -------
    ProductivityResults

    Examples
    --------
    A unit whose output doubles with unchanged input, the other unit constant:

    >>> import pandas as pd
    >>> df = pd.DataFrame({"unit": ["a", "b"] * 2, "year": [1, 1, 2, 2],
    ...                    "x": [1.0, 1.0, 1.0, 1.0], "y": [1.0, 2.0, 2.0, 2.0]})
    >>> res = productivity_index(df, model="dea", index="gml", inputs="x", outputs="y")
    >>> res.index[["unit", "year", "prev_time", "index", "ec", "tc"]].round(3)
      unit  year  prev_time  index   ec   tc
    0    a     2          1    2.0  2.0  1.0
    1    b     2          1    1.0  1.0  1.0
    """
    if model not in MODELS:
        raise ModelError(f"model must be one of {MODELS}; got {model!r}")
    if index not in INDICES:
        raise ModelError(f"index must be one of {INDICES}; got {index!r}")
    if on_infeasible not in ON_INFEASIBLE:
        raise ModelError(
            f"on_infeasible must be one of {ON_INFEASIBLE}; got {on_infeasible!r}"
        )
    if technology == "global":
        raise ModelError("technology='global' is the GML index: use index='gml'")
    if super_efficiency and technology in ("sequential", "window"):
        # a frontier unit would be scored against its own earlier copies in t+1 but
        # not in t, so an unchanged panel would show productivity change
        raise ModelError(
            f"super_efficiency=True with technology={technology!r} makes an index "
            "of an unchanged unit differ from 1 (its own earlier observations stay "
            "in the reference set); use the contemporaneous technology or the GML"
        )
    if time is None:
        raise ModelError("a productivity index needs a time column")
    taken = [c for c in (unit, time) if c in _RESULT_COLUMNS]
    if taken:
        raise ModelError(
            f"key column(s) {taken} clash with the result columns "
            f"{list(_RESULT_COLUMNS)}; rename them"
        )
    orientation = orientation or _DEFAULT_ORIENTATION[model]
    run = RunOptions(n_jobs, client, progress, reduce, index.upper())
    columns = {
        "inputs": inputs,
        "outputs": outputs,
        "bad_outputs": bad_outputs,
        "unit": unit,
        "time": time,
    }
    mdl = _Model(model, data, columns, orientation, dict(model_options), run)
    prep = mdl.prep
    n_periods = len(prep.periods)
    if n_periods < 2:
        raise ModelError(f"a productivity index needs at least two periods of {time!r}")
    tech = reference_periods(n_periods, technology, window)
    po = prep.period_of_obs

    def groups_for(ref_period: list[int], eval_period: list[int]) -> list:
        return [
            (_obs_of(prep, tech[a]), np.flatnonzero(po == b))
            for a, b in zip(ref_period, eval_period, strict=True)
        ]

    every = list(range(n_periods))
    own = groups_for(every, every)
    dist: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    if index == "gml":
        all_obs = np.arange(po.size)
        sets = {"own": own, "global": [(all_obs, all_obs)]}
        dist.update(_distances(mdl, rts, sets, super_efficiency, run))
    else:
        mixed = {
            "previous": groups_for(every[:-1], every[1:]),
            "next": groups_for(every[1:], every[:-1]),
        }
        if super_efficiency:  # mixed-period distances never use super-efficiency
            dist.update(_distances(mdl, rts, {"own": own}, True, run))
            dist.update(_distances(mdl, rts, mixed, False, run))
        else:
            dist.update(_distances(mdl, rts, {"own": own, **mixed}, False, run))
    decompose = model == "dea" and index == "malmquist" and rts == "crs"
    if decompose:
        dist.update(_distances(mdl, "vrs", {"own_vrs": own}, super_efficiency, run))

    table = _index_table(prep, dist, index, on_infeasible, decompose)
    distances, infeasible = _distance_tables(prep, dist)
    gaps = _gaps(prep)
    if gaps:
        _warn_gaps(gaps, time, gml=index == "gml")
    meta = {
        "model": model,
        "index": index,
        "rts": rts,
        "orientation": orientation,
        "technology": technology,
        "window": window,
        "super_efficiency": super_efficiency,
        "on_infeasible": on_infeasible,
        "unit": unit,
        "time": time,
        "inputs": list(prep.inputs),
        "outputs": list(prep.outputs),
        "bad_outputs": list(prep.bad_outputs),
        "n_infeasible": len(infeasible),
        "gaps": gaps,
        "reference_set_reduction": reduce,
        **mdl.meta,
        **{
            k: (v if isinstance(v, (str, bool, int, float)) else str(v))
            for k, v in model_options.items()
        },
    }
    return ProductivityResults(table, distances, infeasible, meta)


def _index_table(
    prep: Prepared,
    dist: dict[str, tuple[np.ndarray, np.ndarray]],
    index: str,
    on_infeasible: str,
    decompose: bool,
) -> pd.DataFrame:
    unit, time = prep.unit, prep.time
    units = prep.keys[unit].to_numpy()
    po = prep.period_of_obs
    lookup = {(u, p): i for i, (u, p) in enumerate(zip(units, po, strict=True))}
    rows = []
    for i, (u, p) in enumerate(zip(units, po, strict=True)):
        j = lookup.get((u, p - 1)) if p > 0 else None
        if j is None:
            continue
        rows.append((j, i))
    prev = np.array([r[0] for r in rows], dtype=np.int64)
    cur = np.array([r[1] for r in rows], dtype=np.int64)
    own = dist["own"][0]
    ec = own[cur] / own[prev]
    status = np.full(cur.size, "ok", dtype=object)
    gml = index == "gml"
    if gml:
        glob = dist["global"][0]
        value = glob[cur] / glob[prev]
    else:
        cross_later = dist["previous"][0][cur]  # E^t(t+1)
        cross_earlier = dist["next"][0][prev]  # E^{t+1}(t)
        base_t = cross_later / own[prev]
        base_next = own[cur] / cross_earlier
        value = np.sqrt(base_t * base_next)
        if on_infeasible == "one_base":
            only_t = np.isnan(cross_earlier) & ~np.isnan(base_t)
            only_next = np.isnan(cross_later) & ~np.isnan(base_next)
            value = np.where(only_t, base_t, np.where(only_next, base_next, value))
            status[only_t | only_next] = "one_base"
    status[np.isnan(value) | np.isnan(ec)] = "infeasible"
    out = prep.keys.iloc[cur].reset_index(drop=True)
    out["prev_time"] = prep.keys[time].to_numpy()[prev]
    out["index"] = value
    out["ec"] = ec
    out["tc"] = value / ec
    if index == "gml":
        out["bpc"] = out["tc"]
    if decompose:
        vrs = dist["own_vrs"][0]
        out["pech"] = vrs[cur] / vrs[prev]
        out["sech"] = out["ec"] / out["pech"]
    out["status"] = status
    # level relative to the unit's first observed period: a unit missing a period
    # breaks the chain (the pairs around the gap have no index), so the chained
    # product is NaN from the gap on; the circular GML is E^G(t) / E^G(first) directly
    first: dict[Any, int] = {}
    for i, u in enumerate(units):
        if u not in first or po[i] < po[first[u]]:
            first[u] = i
    base = np.array([first[u] for u in units[cur]], dtype=np.int64)
    out = out.sort_values([unit, time], kind="stable")
    rows_sorted = out.index.to_numpy()
    cur, base = cur[rows_sorted], base[rows_sorted]
    out = out.reset_index(drop=True)
    if gml:
        out["cumulative"] = glob[cur] / glob[base]
    else:
        by_unit = out.groupby(unit, sort=False)
        chained = by_unit.cumcount().to_numpy() + 1 == po[cur] - po[base]
        cumulative = by_unit["index"].transform(lambda s: s.cumprod(skipna=False))
        out["cumulative"] = cumulative.where(chained)
    order = [c for c in out.columns if c != "status"] + ["status"]
    return out[order]


def _gaps(prep: Prepared) -> dict[Any, list[Any]]:
    """Unit -> periods missing between its first and last observed period."""
    periods = np.asarray(prep.periods)
    units = prep.keys[prep.unit].to_numpy()
    out: dict[Any, list[Any]] = {}
    for u, seen in pd.Series(prep.period_of_obs).groupby(units, sort=False):
        have = set(seen.tolist())
        missing = [p for p in range(min(have), max(have) + 1) if p not in have]
        if missing:
            key = u.item() if isinstance(u, np.generic) else u
            out[key] = [
                v.item() if isinstance(v, np.generic) else v for v in periods[missing]
            ]
    return out


def _warn_gaps(gaps: dict[Any, list[Any]], time: str, *, gml: bool) -> None:
    listed = "; ".join(
        f"{u!r} lacks {', '.join(map(str, missing))}"
        for u, missing in list(gaps.items())[:10]
    )
    more = f" (and {len(gaps) - 10} more units)" if len(gaps) > 10 else ""
    after = (
        "the GML cumulative index E^G(t)/E^G(first) still spans the gap"
        if gml
        else "the chained cumulative index is NaN from the gap on"
    )
    warnings.warn(
        f"{len(gaps)} unit(s) have gaps in {time!r}: {listed}{more}. The index "
        f"rows of the pairs around a missing period are omitted and {after}; "
        "see meta['gaps']",
        SpatialGreenWarning,
        stacklevel=3,
    )


def _distance_tables(
    prep: Prepared, dist: dict[str, tuple[np.ndarray, np.ndarray]]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    frames = []
    for label, (eff, status) in dist.items():
        done = status >= 0
        frame = prep.keys.loc[done].reset_index(drop=True)
        frame["reference"] = label
        frame["score"] = eff[done]
        frame["status"] = [_STATUS[int(c)] for c in status[done]]
        frames.append(frame)
    distances = pd.concat(frames, ignore_index=True)
    infeasible = distances.loc[distances["status"] != "optimal"].reset_index(drop=True)
    return distances, infeasible
