"""Technology-convergence scenarios: what if units moved towards best practice?

The model (after the YREB study's three "technology convergence development
models": energy-focused, economy-focused and balanced):

1. **Targets.** Every unit-year has a target bundle: by default its projection on
   the frontier of an SBM model with bad outputs (:mod:`spatialgreen.efficiency`,
   ``.targets``): the non-oriented projection for inputs, energy and pollution
   and the output-oriented projection for good outputs; or, with ``leader=<group
   column>``, the input/pollution intensities and input productivities of the
   best unit of its group (region) in that year; or any table/model you supply.
2. **Convergence.** In a scenario each variable v moves a share ``α · d_v`` of the
   way from its observed value to its target: ``v_sim = v + α d_v (v* − v)``.
   The direction weights ``d_v ∈ [0, 1]`` define the scenario; the defaults are
   *energy* (energy inputs and bad outputs move, ``d = 1``; outputs stay),
   *economy* (good outputs move; energy and pollution stay) and *balanced*
   (everything that either scenario moves, at ``d = 0.5``). Inputs not declared
   as energy (labour, capital) keep their observed values: the scenarios change
   technology, not factor endowments.
3. **Outcomes.** Simulated output, energy and pollution by unit and year, the
   resulting GTFP (the same frontier model re-run on the simulated data) and the
   disparity across units (CV, Theil, Dagum Gini; with ``group`` also Dagum's
   within/between split), each compared with the status quo.

Assumptions worth stating: (a) the technology is convex and freely disposable, so
a bundle that mixes the input-side target (x*, y) and the output-side target
(x, y*) with weights summing to at most one is feasible; every default scenario
satisfies this (``meta["inside_technology"]`` reports it for yours). (b) GTFP is
re-estimated on the simulated data; while every bundle stays inside the observed
technology, frontier units do not move and the frontier is unchanged, so the
laggards' scores rise and the leaders stay at 1. (c) Units do not interact: no
spillovers, relocation of output between units or price effects are modelled.
(d) ``α = 0`` reproduces the status quo exactly.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .convergence.inequality import _dagum_one, _theil_t
from .errors import DataError
from .panel import validate_panel
from .results import Results

__all__ = ["DEFAULT_SCENARIOS", "ScenarioResults", "technology_convergence"]

#: Default direction weights by variable role.
DEFAULT_SCENARIOS: dict[str, dict[str, float]] = {
    "energy": {"energy": 1.0, "bad_outputs": 1.0, "outputs": 0.0},
    "economy": {"energy": 0.0, "bad_outputs": 0.0, "outputs": 1.0},
    "balanced": {"energy": 0.5, "bad_outputs": 0.5, "outputs": 0.5},
}

STATUS_QUO = "status quo"

Provider = Callable[[pd.DataFrame], Any]


@dataclasses.dataclass(frozen=True)
class ScenarioResults(Results):
    """Simulated technology-convergence scenarios against the status quo.

    Attributes
    ----------
    simulated : pandas.DataFrame
        ``scenario``, ``alpha``, unit, time, every variable (simulated value) and
        ``gtfp``; the status quo is scenario ``"status quo"`` with alpha 0.
    changes : pandas.DataFrame
        Same keys; per variable and ``gtfp`` the relative change against the
        status quo (``sim / observed − 1``).
    disparity : pandas.DataFrame
        ``scenario``, ``alpha``, time, ``variable``, ``cv`` (population sd),
        ``theil``, ``gini`` (and ``gini_within``, ``gini_net_between``,
        ``gini_transvariation`` with a group), plus ``cv_change``,
        ``theil_change``, ``gini_change`` against the status quo.
    totals : pandas.DataFrame
        ``scenario``, ``alpha``, time and the sum over units of every variable.
    targets : pandas.DataFrame
        The target bundles used, by unit and time.
    """

    simulated: pd.DataFrame
    changes: pd.DataFrame
    disparity: pd.DataFrame
    totals: pd.DataFrame
    targets: pd.DataFrame
    meta: dict = dataclasses.field(default_factory=dict)


def technology_convergence(
    data: pd.DataFrame,
    *,
    inputs: Sequence[str],
    outputs: Sequence[str],
    bad_outputs: Sequence[str] = (),
    energy: Sequence[str] = (),
    unit: str = "unit",
    time: str = "year",
    alpha: float | Sequence[float] = 0.5,
    scenarios: Mapping[str, Mapping[str, float]] | None = None,
    provider: Provider | None = None,
    output_provider: Provider | None = None,
    targets: pd.DataFrame | None = None,
    leader: str | None = None,
    group: str | None = None,
    model_options: Mapping[str, Any] | None = None,
    progress: bool | None = None,
) -> ScenarioResults:
    """Simulate technology-convergence scenarios (see the module docstring).

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel of inputs, good and bad outputs.
    inputs, outputs, bad_outputs : sequence of str
        Variables of the frontier model; ``energy`` names the inputs that are
        energy (they move in energy scenarios; other inputs never move).
    unit, time : str
        Key columns.
    alpha : float or sequence of float
        Share(s) of the way to the target, in [0, 1].
    scenarios : mapping, optional
        Scenario name -> direction weights keyed by role (``"energy"``,
        ``"outputs"``, ``"bad_outputs"``) or by variable name (which wins).
        Default :data:`DEFAULT_SCENARIOS`.
    provider : callable, optional
        ``provider(frame)`` returning an object with ``.scores`` (unit, time,
        ``score``) and ``.targets`` (unit, time, one column per variable): the
        frontier model. Default: :func:`spatialgreen.efficiency.sbm.sbm` with
        these variables and ``model_options`` (e.g. ``rts``, ``technology``).
    output_provider : callable, optional
        A second model whose ``.targets`` give the good-output targets. With the
        default provider this is the output-oriented SBM: the non-oriented
        projection mostly removes input and pollution excesses and leaves output
        shortfalls at zero, which would make an economy scenario move nothing.
        With your own ``provider`` and no ``output_provider``, all targets come
        from ``provider``.
    targets : pandas.DataFrame, optional
        Target bundles to use instead of the provider's projections.
    leader : str, optional
        Group column: targets from the best-GTFP unit of each group and year
        (intensities ``x/y`` and ``b/y`` of the leader applied to the unit's first
        good output; output target ``min_k x_k · y_L / x_Lk``, the leader's input
        productivity); targets never worsen a variable.
    group : str, optional
        Group column for the Dagum within/between split of the disparity.
    model_options : mapping, optional
        Options of the default SBM provider (``rts``, ``technology``, ``n_jobs``…).
    progress : bool, optional
        Progress bar over the scenario runs (default: only on a terminal).

    Returns
    -------
    ScenarioResults

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"unit": ["a", "b"], "year": [1, 1], "labor": [1.0, 1.0],
    ...                    "energy": [1.0, 2.0], "gdp": [2.0, 1.0], "so2": [1.0, 2.0]})
    >>> best = df.assign(energy=[1.0, 1.0], gdp=[2.0, 2.0], so2=[1.0, 1.0])
    >>> res = technology_convergence(df, inputs=["labor", "energy"], outputs=["gdp"],
    ...     bad_outputs=["so2"], energy=["energy"], alpha=0.5, targets=best)
    >>> sim = res.simulated.set_index(["scenario", "unit"])
    >>> [float(sim.loc[("energy", "b"), v]) for v in ("energy", "gdp", "so2")]
    [1.5, 1.0, 1.5]
    >>> [float(sim.loc[("economy", "b"), v]) for v in ("energy", "gdp", "so2")]
    [2.0, 1.5, 2.0]
    >>> float(sim.loc[("balanced", "b"), "so2"])
    1.75
    """
    inputs, outputs, bad_outputs = list(inputs), list(outputs), list(bad_outputs)
    energy = list(energy)
    variables = [*inputs, *outputs, *bad_outputs]
    unknown = [e for e in energy if e not in inputs]
    if unknown:
        raise DataError(
            f"energy variable(s) {', '.join(unknown)} are not among the inputs"
        )
    if targets is not None and leader is not None:
        raise DataError(
            "give either targets=<table> or leader=<group column>, not both "
            "(the leader's targets would be ignored)"
        )
    extra = [c for c in (leader, group) if c]
    validate_panel(data, unit=unit, time=time, positive=variables)
    alphas = [float(a) for a in np.atleast_1d(alpha)]
    if any(not 0.0 <= a <= 1.0 for a in alphas):
        raise DataError(f"alpha must lie in [0, 1], got {alphas}")
    base = data[[unit, time, *variables, *extra]].reset_index(drop=True)
    if provider is None:
        provider = _default_provider(
            inputs, outputs, bad_outputs, unit, time, model_options
        )
        if output_provider is None:
            output_provider = _default_provider(
                inputs,
                outputs,
                bad_outputs,
                unit,
                time,
                {**dict(model_options or {}), "orientation": "output"},
            )
    observed = provider(base[[unit, time, *variables]])
    base_scores = _scores(observed, base, unit, time)
    # input-side and output-side targets from different projections (the SBM pair,
    # or the leader's ray) can only be mixed with weights summing to <= 1
    mixed = leader is not None or output_provider is not None
    if targets is not None:
        target = _align_targets(targets, base, variables, unit, time)
    elif leader is not None:
        target = _leader_targets(
            base, base_scores, inputs, outputs, bad_outputs, unit, time, leader
        )
    else:
        target = _align_targets(observed.targets, base, variables, unit, time)
        if output_provider is not None:
            expanded = output_provider(base[[unit, time, *variables]]).targets
            target[outputs] = _align_targets(expanded, base, variables, unit, time)[
                outputs
            ]
    roles = {
        **dict.fromkeys(inputs, "inputs"),
        **dict.fromkeys(energy, "energy"),
        **dict.fromkeys(outputs, "outputs"),
        **dict.fromkeys(bad_outputs, "bad_outputs"),
    }
    plans = dict(scenarios) if scenarios is not None else DEFAULT_SCENARIOS

    from tqdm.auto import tqdm

    frames = [_frame(base, base_scores, STATUS_QUO, 0.0, unit, time, variables)]
    runs = [(name, a) for name in plans for a in alphas]
    bar = tqdm(
        runs, desc="scenarios", disable=None if progress is None else not progress
    )
    for name, a in bar:
        d = _directions(plans[name], roles, name)
        sim = base.copy()
        for v in variables:
            sim[v] = base[v] + a * d[v] * (target[v] - base[v])
        scores = (
            base_scores
            if a == 0.0 or not any(d.values())
            else _scores(provider(sim[[unit, time, *variables]]), sim, unit, time)
        )
        frames.append(_frame(sim, scores, name, a, unit, time, variables))
    simulated = pd.concat(frames, ignore_index=True)
    measured = [*variables, "gtfp"]
    changes = _changes(simulated, measured, unit, time)
    disparity = _disparity(simulated, measured, unit, time, base, group)
    totals = simulated.groupby(["scenario", "alpha", time], sort=False)[variables].sum()
    meta = {
        "model": "technology convergence scenarios",
        "target": "user table"
        if targets is not None
        else (f"group leader ({leader})" if leader else "frontier projection"),
        "scenarios": {k: dict(v) for k, v in plans.items()},
        "inside_technology": None
        if targets is not None
        else (_inside(plans, roles) if mixed else True),
        "alpha": alphas,
        "energy": energy,
    }
    target_table = pd.concat([base[[unit, time]], target[variables]], axis=1)
    return ScenarioResults(
        simulated, changes, disparity, totals.reset_index(), target_table, meta
    )


def _inside(plans: Mapping[str, Mapping[str, float]], roles: dict[str, str]) -> bool:
    """Whether every scenario mixes the input-side and output-side targets with
    weights summing to at most 1 (then each simulated bundle is a convex
    combination of two feasible bundles and stays inside the technology)."""
    for name, weights in plans.items():
        d = _directions(weights, roles, name)
        inward = max((d[v] for v, r in roles.items() if r != "outputs"), default=0.0)
        outward = max((d[v] for v, r in roles.items() if r == "outputs"), default=0.0)
        if inward + outward > 1.0 + 1e-12:
            return False
    return True


def _default_provider(
    inputs: list[str],
    outputs: list[str],
    bad_outputs: list[str],
    unit: str,
    time: str,
    options: Mapping[str, Any] | None,
) -> Provider:
    from .efficiency.sbm import sbm

    opts = dict(options or {})

    def provider(frame: pd.DataFrame) -> Any:
        return sbm(
            frame,
            inputs=inputs,
            outputs=outputs,
            bad_outputs=bad_outputs,
            unit=unit,
            time=time,
            **opts,
        )

    return provider


def _scores(result: Any, frame: pd.DataFrame, unit: str, time: str) -> np.ndarray:
    scores = getattr(result, "scores", None)
    if not isinstance(scores, pd.DataFrame) or "score" not in scores.columns:
        raise DataError("the provider must return an object with a .scores table")
    keyed = scores.set_index([unit, time])["score"]
    index = pd.MultiIndex.from_frame(frame[[unit, time]])
    values = keyed.reindex(index).to_numpy(float)
    if np.isnan(values).any():
        bad = index[np.isnan(values)][:10]
        raise DataError(f"the frontier model gave no score for {list(bad)}")
    return values


def _align_targets(
    table: pd.DataFrame, base: pd.DataFrame, variables: list[str], unit: str, time: str
) -> pd.DataFrame:
    missing = [v for v in [unit, time, *variables] if v not in table.columns]
    if missing:
        raise DataError(f"the targets table lacks column(s) {', '.join(missing)}")
    index = pd.MultiIndex.from_frame(base[[unit, time]])
    out = table.set_index([unit, time])[variables].reindex(index).reset_index(drop=True)
    lacking = out.isna().any(axis=1)
    if lacking.any():
        where = [f"{unit}={u}, {time}={t}" for u, t in index[lacking.to_numpy()][:10]]
        raise DataError(f"no target for {'; '.join(where)}")
    return out.astype(float)


def _leader_targets(
    base: pd.DataFrame,
    scores: np.ndarray,
    inputs: list[str],
    outputs: list[str],
    bad_outputs: list[str],
    unit: str,
    time: str,
    leader: str,
) -> pd.DataFrame:
    frame = base.assign(_score=scores)
    best = frame.loc[frame.groupby([leader, time], sort=False)["_score"].idxmax()]
    lead = best.set_index([leader, time])
    key = pd.MultiIndex.from_frame(base[[leader, time]])
    lead = lead.reindex(key).reset_index(drop=True)
    scale = outputs[0]
    out = pd.DataFrame(index=base.index)
    for v in [*inputs, *bad_outputs]:
        out[v] = np.minimum(base[v], base[scale] * lead[v] / lead[scale])
    capacity = np.min(np.column_stack([base[x] / lead[x] for x in inputs]), axis=1)
    for y in outputs:
        out[y] = np.maximum(base[y], capacity * lead[y])
    return out


def _directions(
    weights: Mapping[str, float], roles: dict[str, str], name: str
) -> dict[str, float]:
    valid = {"energy", "outputs", "bad_outputs", "inputs", *roles}
    unknown = [k for k in weights if k not in valid]
    if unknown:
        raise DataError(
            f"scenario {name!r}: unknown direction key(s) "
            f"{', '.join(map(str, unknown))}; use 'energy', 'outputs', "
            "'bad_outputs', 'inputs' or variable names"
        )
    d = {}
    for v, role in roles.items():
        value = float(weights.get(v, weights.get(role, 0.0)))
        if not 0.0 <= value <= 1.0:
            raise DataError(
                f"scenario {name!r}: direction weight of {v} must be in [0, 1]"
            )
        d[v] = value
    return d


def _frame(
    frame: pd.DataFrame,
    scores: np.ndarray,
    name: str,
    alpha: float,
    unit: str,
    time: str,
    variables: list[str],
) -> pd.DataFrame:
    out = frame[[unit, time, *variables]].copy()
    out["gtfp"] = scores
    out.insert(0, "alpha", alpha)
    out.insert(0, "scenario", name)
    return out


def _changes(
    simulated: pd.DataFrame, measured: list[str], unit: str, time: str
) -> pd.DataFrame:
    quo = simulated.loc[simulated["scenario"] == STATUS_QUO].set_index([unit, time])
    keys = pd.MultiIndex.from_frame(simulated[[unit, time]])
    ref = quo[measured].reindex(keys).to_numpy(float)
    out = simulated[["scenario", "alpha", unit, time]].copy()
    out[measured] = simulated[measured].to_numpy(float) / ref - 1.0
    return out


def _disparity(
    simulated: pd.DataFrame,
    measured: list[str],
    unit: str,
    time: str,
    base: pd.DataFrame,
    group: str | None,
) -> pd.DataFrame:
    rows = []
    groups = None
    if group is not None:
        groups = (
            simulated[[unit, time]]
            .merge(base[[unit, time, group]], on=[unit, time], how="left")[group]
            .to_numpy()
        )
    for (name, a, t), frame in simulated.groupby(
        ["scenario", "alpha", time], sort=False
    ):
        g = None if groups is None else groups[frame.index.to_numpy()]
        for v in measured:
            y = frame[v].to_numpy(float)
            row = {
                "scenario": name,
                "alpha": a,
                time: t,
                "variable": v,
                **_measures(y, g),
            }
            rows.append(row)
    table = pd.DataFrame(rows)
    quo = table.loc[table["scenario"] == STATUS_QUO].set_index([time, "variable"])
    keys = pd.MultiIndex.from_frame(table[[time, "variable"]])
    for m in ("cv", "theil", "gini"):
        table[f"{m}_change"] = table[m].to_numpy() - quo[m].reindex(keys).to_numpy()
    return table


def _measures(y: np.ndarray, groups: np.ndarray | None) -> dict[str, Any]:
    if np.any(y <= 0):
        return {
            "cv": float(y.std(ddof=0) / y.mean()) if y.mean() != 0 else np.nan,
            "theil": np.nan,
            "gini": np.nan,
            "note": "non-positive values: Theil and Gini need y > 0",
        }
    labels = ["all"] if groups is None else sorted(set(groups.tolist()), key=str)
    g = np.array(["all"] * y.size, dtype=object) if groups is None else groups
    totals, _, _ = _dagum_one(y, g, labels)
    out = {
        "cv": float(y.std(ddof=0) / y.mean()),
        "theil": _theil_t(y),
        "gini": totals["gini"],
    }
    if groups is not None:
        out.update(
            gini_within=totals["within"],
            gini_net_between=totals["net_between"],
            gini_transvariation=totals["transvariation"],
        )
    return out
