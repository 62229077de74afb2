"""Three-stage DEA–SFA (Fried, Lovell, Schmidt & Yaisawarng 2002) as applied in China.

1. **Stage 1** runs a frontier model of the efficiency engine (default: input-oriented
   BCC, ``spatialgreen.efficiency.dea`` with ``rts="vrs"``; SBM/EBM with undesirable
   outputs work the same way) and takes the total input slack of every input,
   ``S_n = x_n − target_n`` (radial plus non-radial slack).
2. **Stage 2** regresses each slack on the environmental variables with a cost-type
   stochastic frontier ``S_n = zβ^n + v + u`` (pooled over units and periods) and
   splits the composed error into managerial inefficiency ``E[u|ε]`` and noise
   ``E[v|ε] = S_n − zβ̂^n − E[u|ε]``, using the cost-frontier form of the Jondrow
   estimator (Luo Dengyue 2012 corrects the production-form formula that many
   papers apply to slacks by mistake).
3. **Stage 3** puts every unit in the least favourable environment and the
   unluckiest state of nature, ``x^A = x + [max(zβ̂) − zβ̂] + [max(v̂) − v̂]``, and
   re-runs stage 1 with the adjusted inputs and the original outputs.

Degenerate stage-2 cases are handled explicitly, never as NaN: an input whose slacks
are all zero needs no adjustment (reported as ``status="no slack"``); when ``γ → 1``
(``σ_v → 0``, common when many slacks are exactly zero) the predictor tends to
``E[u|ε] = max(ε, 0)`` and ``E[v|ε] = min(ε, 0)``; when OLS residuals have the wrong
skew the ML estimate has ``γ → 0`` and the whole residual is noise.

:func:`three_stage_dimensions` runs the procedure once per "dimension" (e.g. an
energy and an economic definition of inputs and outputs, as in the reference
studies) and gathers GTFP levels by unit and year.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, ModelError
from ..panel import validate_panel
from ..results import Results
from .sfa import SFAResults, sfa

__all__ = [
    "ThreeStageDimensionResults",
    "ThreeStageResults",
    "three_stage",
    "three_stage_dimensions",
]

Engine = Callable[..., Any]
_ENGINE_MODULES = {"dea": "radial", "sbm": "sbm", "ebm": "ebm", "ddf": "ddf"}


@dataclasses.dataclass(frozen=True)
class ThreeStageResults(Results):
    """All three stages of a DEA–SFA run (returned by :func:`three_stage`).

    Attributes
    ----------
    scores : pandas.DataFrame
        unit, time, ``stage1`` and ``stage3`` scores and their difference; with
        ``decompose=True`` also technical (``te``, CRS), pure technical (``pte``,
        VRS) and scale (``se = te/pte``) efficiency of both stages.
    environment_effects : pandas.DataFrame
        Stage-2 coefficients of every environmental variable in every slack
        regression (estimate, std_error, z, p_value; plus ``period`` when
        ``stage2_by="period"``). A positive coefficient means
        the variable raises the slack, i.e. wastes that input.
    stage2 : pandas.DataFrame
        One row per input: status, σ², γ, log-likelihood, LR test of γ = 0 and its
        Kodde–Palm 5 % critical value, convergence.
    adjustments : pandas.DataFrame
        Per unit and period and input: original input, slack, environmental part
        ``zβ̂``, ``E[u|ε]``, ``E[v|ε]``, the two adjustments and the adjusted input.
    meta : dict
        Options of the run.
    stage1_results, stage3_results : object
        The efficiency engine's own results of stages 1 and 3.
    slack_models : dict of str to SFAResults
        Stage-2 frontiers by input (``"input@period"`` when run by period; inputs
        with no slack are absent).
    """

    scores: pd.DataFrame
    environment_effects: pd.DataFrame
    stage2: pd.DataFrame
    adjustments: pd.DataFrame
    meta: dict[str, Any]
    stage1_results: Any = dataclasses.field(default=None, repr=False)
    stage3_results: Any = dataclasses.field(default=None, repr=False)
    slack_models: dict[str, SFAResults] = dataclasses.field(
        default_factory=dict, repr=False
    )

    @property
    def gtfp(self) -> pd.DataFrame:
        """Stage-3 scores by unit and period: GTFP net of environment and luck."""
        unit, time = self.meta["unit"], self.meta["time"]
        keys = [k for k in (unit, time) if k is not None]
        return self.scores[[*keys, "stage3"]].rename(columns={"stage3": "gtfp"})

    @property
    def adjusted_inputs(self) -> pd.DataFrame:
        """Adjusted inputs in wide form (one column per input), keyed like the data."""
        unit, time = self.meta["unit"], self.meta["time"]
        keys = [k for k in (unit, time) if k is not None]
        return (
            self.adjustments.pivot_table(
                index=keys, columns="input", values="adjusted", sort=False
            )
            .reset_index()
            .rename_axis(columns=None)
        )


@dataclasses.dataclass(frozen=True)
class ThreeStageDimensionResults(Results):
    """GTFP levels of several three-stage runs ("dimensions") side by side.

    Attributes
    ----------
    levels : pandas.DataFrame
        unit, time and one ``gtfp_<dimension>`` column (stage-3 score) per dimension.
    scores : pandas.DataFrame
        Long table: unit, time, dimension, stage1, stage3.
    environment_effects : pandas.DataFrame
        Stage-2 coefficients of all runs with a ``dimension`` column.
    meta : dict
        Dimensions and their inputs and outputs.
    runs : dict of str to ThreeStageResults
        The full results of each dimension.
    """

    levels: pd.DataFrame
    scores: pd.DataFrame
    environment_effects: pd.DataFrame
    meta: dict[str, Any]
    runs: dict[str, ThreeStageResults] = dataclasses.field(
        default_factory=dict, repr=False
    )


def three_stage(
    data: pd.DataFrame,
    *,
    inputs: Sequence[str],
    outputs: Sequence[str],
    environment: Sequence[str],
    unit: str = "unit",
    time: str | None = "year",
    bad_outputs: Sequence[str] = (),
    engine: str | Engine = "dea",
    rts: str = "vrs",
    orientation: str = "input",
    dist: str = "half-normal",
    decompose: bool = False,
    engine_options: Mapping[str, Any] | None = None,
    noise: str = "if-significant",
    stage2_by: str = "pooled",
    slack_tol: float = 1e-9,
    n_starts: int = 4,
) -> ThreeStageResults:
    """Purge environmental effects and statistical noise from DEA scores.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy panel (one row per unit and period). Not modified.
    inputs, outputs : sequence of str
        Input and (desirable) output columns of stage 1; the inputs are adjusted.
    environment : sequence of str
        Environmental variables of the stage-2 slack regressions (beyond managerial
        control: GDP per capita, industrial structure, government spending, ...).
    unit, time : str
        Key columns (``time=None`` for a cross-section).
    bad_outputs : sequence of str
        Undesirable outputs, passed to engines that accept them (SBM, EBM).
    engine : str or callable
        Name of a model in :mod:`spatialgreen.efficiency` (``"dea"``, ``"sbm"``,
        ``"ebm"``) or any function with the same contract:
        ``f(data, *, inputs, outputs, bad_outputs, unit, time, rts, orientation,
        **engine_options)`` returning an object with ``.scores`` (unit, time,
        score) and ``.targets`` (unit, time, one projected value per variable).
    rts : {"vrs", "crs"}
        Returns to scale of stages 1 and 3 (Fried et al. use VRS/BCC).
    orientation : str
        Passed to the engine (the procedure adjusts inputs, so ``"input"``).
    dist : {"half-normal", "truncated-normal"}
        Distribution of managerial inefficiency in the slack frontiers.
    decompose : bool
        Also run CRS and VRS to report TE, PTE and SE of both stages.
    engine_options : mapping, optional
        Extra keyword arguments of the engine (technology, seed, ...).
    noise : {"if-significant", "always", "never"}
        When to adjust for statistical noise. By default only for inputs whose
        one-sided LR test rejects ``γ = 0`` at 5 % (Kodde–Palm): with ``γ = 0`` the
        whole residual is "noise", and adjusting for it would lift the adjusted
        inputs of every unit onto its own target (all stage-3 scores 1).
    stage2_by : {"pooled", "period"}
        One slack regression per input on all units and periods (default), or one
        per input and period (a cross-section each year, as some studies do); the
        adjustment then puts units in the least favourable environment and luck of
        their own period.
    slack_tol : float
        Slacks below this (relative to the input's scale) count as zero.
    n_starts : int
        Starting points of each stage-2 likelihood maximisation.

    Returns
    -------
    ThreeStageResults

    Raises
    ------
    DataError
        Missing columns or values, non-positive inputs, collinear environment.
    ModelError
        An engine that does not honour the contract.

    Examples
    --------
    A toy engine (one input, one output, CRS: score = productivity / best) shows the
    data flow; real studies use the default ``engine="dea"``.

    >>> import numpy as np, pandas as pd
    >>> def ratio_dea(data, *, inputs, outputs, unit, time, **_):
    ...     ratio = data[outputs[0]] / data[inputs[0]]
    ...     score = ratio / ratio.max()
    ...     keys = data[[unit, time]]
    ...     targets = keys.assign(**{inputs[0]: data[inputs[0]] * score,
    ...                              outputs[0]: data[outputs[0]]})
    ...     return type("R", (), {"scores": keys.assign(score=score),
    ...                           "targets": targets})()
    >>> rng = np.random.default_rng(0)
    >>> env = rng.uniform(0, 1, 60)
    >>> df = pd.DataFrame({"unit": range(60), "year": 2020, "y": 10.0,
    ...                    "env": env,
    ...                    "x": 10 + 5 * env + np.abs(rng.normal(0, 1, 60))})
    >>> res = three_stage(df, inputs=["x"], outputs=["y"], environment=["env"],
    ...                   engine=ratio_dea)
    >>> bool(res.environment_effects["estimate"].iloc[1] > 0)
    True
    >>> bool((res.scores["stage3"] > 0).all())
    True
    """
    inputs, outputs, environment = list(inputs), list(outputs), list(environment)
    bad_outputs = list(bad_outputs)
    if not inputs or not outputs:
        raise DataError("three_stage needs at least one input and one output column")
    if not environment:
        raise DataError("three_stage needs at least one environmental variable")
    if stage2_by not in ("pooled", "period"):
        raise ModelError(f"stage2_by must be 'pooled' or 'period', got {stage2_by!r}")
    if stage2_by == "period" and time is None:
        raise ModelError("stage2_by='period' needs a time column")
    if noise not in ("if-significant", "always", "never"):
        raise ModelError(
            f"noise must be 'if-significant', 'always' or 'never', got {noise!r}"
        )
    overlap = set(environment) & set(inputs + outputs + bad_outputs)
    if overlap:
        raise DataError(
            f"environmental variables are also inputs/outputs: {sorted(overlap)}"
        )
    validate_panel(
        data,
        unit=unit,
        time=time,
        columns=environment,
        positive=inputs,
        nonnegative=[*outputs, *bad_outputs],
    )
    run = _engine_runner(
        engine,
        outputs=outputs,
        bad_outputs=bad_outputs,
        unit=unit,
        time=time,
        orientation=orientation,
        options=dict(engine_options or {}),
    )
    keys = [k for k in (unit, time) if k is not None]
    base = data.reset_index(drop=True)

    stage1 = run(base, inputs, rts)
    slacks = _input_slacks(base, stage1, inputs, keys, slack_tol)

    stage2_rows, effects, adjust_frames, models = [], [], [], {}
    adjusted = base.copy()
    samples = _stage2_samples(base, time, stage2_by)
    for name in inputs:
        x = base[name].to_numpy(dtype=float)
        x_adj = x.copy()
        for label, rows in samples:
            sub = base.iloc[rows]
            context = f"input {name!r}" + ("" if label is None else f", {time}={label}")
            fit = _slack_regression(
                sub, slacks[name][rows], environment, keys, dist, n_starts, context
            )
            adjust_noise = noise == "always" or (
                noise == "if-significant" and fit["summary"].get("lr_reject", False)
            )
            where = {} if label is None else {"period": label}
            stage2_rows.append(
                {
                    "input": name,
                    **where,
                    **fit["summary"],
                    "noise_adjusted": adjust_noise,
                }
            )
            if fit["model"] is not None:
                models[name if label is None else f"{name}@{label}"] = fit["model"]
                effects.append(
                    _effects_rows(name, fit["model"], environment).assign(**where)
                )
            env_part, v_hat = fit["env_part"], fit["v_hat"]
            env_adj = env_part.max() - env_part
            noise_adj = v_hat.max() - v_hat if adjust_noise else np.zeros_like(v_hat)
            x_adj[rows] = x[rows] + env_adj + noise_adj
            adjust_frames.append(
                sub[keys].assign(
                    input=name,
                    original=x[rows],
                    slack=slacks[name][rows],
                    environment_part=env_part,
                    u_hat=fit["u_hat"],
                    v_hat=v_hat,
                    environment_adjustment=env_adj,
                    noise_adjustment=noise_adj,
                    adjusted=x_adj[rows],
                )
            )
        adjusted[name] = x_adj

    stage3 = run(adjusted, inputs, rts)
    scores = _score_table(base, stage1, stage3, keys)
    if decompose:
        scores = _add_decomposition(scores, base, adjusted, inputs, keys, run)
    effects_table = (
        pd.concat(effects, ignore_index=True)
        if effects
        else pd.DataFrame(
            columns=["input", "variable", "estimate", "std_error", "z", "p_value"]
        )
    )
    meta = {
        "model": "three-stage DEA-SFA (Fried et al. 2002)",
        "engine": engine
        if isinstance(engine, str)
        else getattr(engine, "__name__", "custom"),
        "rts": rts,
        "orientation": orientation,
        "inputs": inputs,
        "outputs": outputs,
        "bad_outputs": bad_outputs,
        "environment": environment,
        "slack_frontier": f"cost-type SFA, {dist}, "
        + ("pooled over units and periods" if stage2_by == "pooled" else "by period"),
        "noise_adjustment": noise,
        "unit": unit,
        "time": time,
    }
    return ThreeStageResults(
        scores=scores,
        environment_effects=effects_table,
        stage2=pd.DataFrame(stage2_rows),
        adjustments=pd.concat(adjust_frames, ignore_index=True),
        meta=meta,
        stage1_results=stage1,
        stage3_results=stage3,
        slack_models=models,
    )


def three_stage_dimensions(
    data: pd.DataFrame,
    *,
    dimensions: Mapping[str, Mapping[str, Sequence[str]]],
    environment: Sequence[str],
    unit: str = "unit",
    time: str | None = "year",
    **options: Any,
) -> ThreeStageDimensionResults:
    """Run :func:`three_stage` once per dimension and collect GTFP levels.

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy panel. Not modified.
    dimensions : mapping
        ``{"energy": {"inputs": [...], "outputs": [...], "bad_outputs": [...]},
        "economic": {...}}``; ``bad_outputs`` is optional.
    environment : sequence of str
        Environmental variables (shared by all dimensions).
    unit, time : str
        Key columns.
    **options
        Passed to :func:`three_stage` (engine, rts, dist, ...).

    Returns
    -------
    ThreeStageDimensionResults

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> def ratio_dea(data, *, inputs, outputs, unit, time, **_):
    ...     ratio = data[outputs[0]] / data[inputs[0]]
    ...     keys = data[[unit, time]]
    ...     score = ratio / ratio.max()
    ...     targets = keys.assign(**{inputs[0]: data[inputs[0]] * score})
    ...     return type("R", (), {"scores": keys.assign(score=score),
    ...                           "targets": targets})()
    >>> rng = np.random.default_rng(2)
    >>> df = pd.DataFrame({"unit": range(40), "year": 2021, "gdp": 5.0,
    ...                    "energy": rng.uniform(1, 2, 40),
    ...                    "labor": rng.uniform(1, 2, 40), "env": rng.normal(size=40)})
    >>> res = three_stage_dimensions(
    ...     df, environment=["env"], engine=ratio_dea,
    ...     dimensions={"energy": {"inputs": ["energy"], "outputs": ["gdp"]},
    ...                 "economic": {"inputs": ["labor"], "outputs": ["gdp"]}})
    >>> list(res.levels.columns)
    ['unit', 'year', 'gtfp_energy', 'gtfp_economic']
    """
    if not dimensions:
        raise DataError(
            "dimensions= needs at least one {name: {inputs, outputs}} entry"
        )
    keys = [k for k in (unit, time) if k is not None]
    runs: dict[str, ThreeStageResults] = {}
    for name, spec in dimensions.items():
        missing = {"inputs", "outputs"} - set(spec)
        if missing:
            raise DataError(f"dimension {name!r} lacks {sorted(missing)}")
        runs[name] = three_stage(
            data,
            inputs=spec["inputs"],
            outputs=spec["outputs"],
            bad_outputs=spec.get("bad_outputs", ()),
            environment=environment,
            unit=unit,
            time=time,
            **options,
        )
    levels = None
    long_frames, effects = [], []
    for name, res in runs.items():
        part = res.scores[[*keys, "stage3"]].rename(columns={"stage3": f"gtfp_{name}"})
        levels = part if levels is None else levels.merge(part, on=keys, how="outer")
        long_frames.append(
            res.scores[[*keys, "stage1", "stage3"]].assign(dimension=name)
        )
        effects.append(res.environment_effects.assign(dimension=name))
    meta = {
        "model": "three-stage DEA-SFA by dimension",
        "dimensions": {
            k: {kk: list(vv) for kk, vv in v.items()} for k, v in dimensions.items()
        },
        "environment": list(environment),
        "unit": unit,
        "time": time,
    }
    return ThreeStageDimensionResults(
        levels=levels,
        scores=pd.concat(long_frames, ignore_index=True),
        environment_effects=pd.concat(effects, ignore_index=True),
        meta=meta,
        runs=runs,
    )


# ----------------------------------------------------------------------------------


def _engine_runner(engine, *, outputs, bad_outputs, unit, time, orientation, options):
    if isinstance(engine, str):
        import importlib

        from .. import efficiency

        func = getattr(efficiency, engine, None)
        if func is None and engine in _ENGINE_MODULES:
            module = importlib.import_module(f".{_ENGINE_MODULES[engine]}", __package__)
            func = getattr(module, engine, None)
        if func is None or not callable(func):
            raise ModelError(
                f"unknown efficiency engine {engine!r}: use 'dea', 'sbm', 'ebm' or "
                "pass a function"
            )
    elif callable(engine):
        func = engine
    else:
        raise ModelError(
            f"engine must be a name or a function, got {type(engine).__name__}"
        )

    def run(frame: pd.DataFrame, inputs: list[str], rts: str) -> Any:
        kwargs = dict(
            inputs=inputs,
            outputs=outputs,
            unit=unit,
            time=time,
            rts=rts,
            orientation=orientation,
            **options,
        )
        if bad_outputs:
            kwargs["bad_outputs"] = bad_outputs
        result = func(frame, **kwargs)
        for attr in ("scores", "targets"):
            if not isinstance(getattr(result, attr, None), pd.DataFrame):
                raise ModelError(
                    f"efficiency engine result has no .{attr} DataFrame; three_stage "
                    "needs .scores (unit, time, score) and .targets (projected values)"
                )
        return result

    return run


def _aligned(
    frame: pd.DataFrame, table: pd.DataFrame, keys: list[str], column: str, what: str
) -> np.ndarray:
    if column not in table.columns:
        raise ModelError(f"efficiency engine {what} table has no column {column!r}")
    merged = frame[keys].merge(
        table[[*keys, column]], on=keys, how="left", validate="1:1"
    )
    values = merged[column].to_numpy(dtype=float)
    if np.isnan(values).any():
        row = int(np.flatnonzero(np.isnan(values))[0])
        where = ", ".join(f"{k}={frame[k].iloc[row]}" for k in keys)
        raise ModelError(
            f"efficiency engine returned no {what} {column!r} for {where} "
            "(infeasible LP?); three_stage needs a value for every unit and period"
        )
    return values


def _input_slacks(frame, result, inputs, keys, tol) -> dict[str, np.ndarray]:
    out = {}
    for name in inputs:
        x = frame[name].to_numpy(dtype=float)
        slack = x - _aligned(frame, result.targets, keys, name, "target")
        # LP round-off leaves tiny negative or positive slacks on the frontier
        slack[np.abs(slack) <= tol * np.maximum(np.abs(x), 1.0)] = 0.0
        out[name] = np.maximum(slack, 0.0)
    return out


def _stage2_samples(
    frame: pd.DataFrame, time: str | None, by: str
) -> list[tuple[Any, np.ndarray]]:
    """Row positions of each stage-2 regression sample (label None when pooled)."""
    if by == "pooled":
        return [(None, np.arange(len(frame)))]
    codes, periods = pd.factorize(frame[time], sort=True)
    return [(period, np.flatnonzero(codes == k)) for k, period in enumerate(periods)]


def _slack_regression(
    frame, slack, environment, keys, dist, n_starts, context=""
) -> dict[str, Any]:
    n = len(slack)
    zeros = np.zeros(n)
    if np.all(slack == 0.0):
        return {
            "model": None,
            "env_part": zeros,
            "u_hat": zeros,
            "v_hat": zeros,
            "summary": {"status": "no slack", "n_zero_slacks": n},
        }
    if np.ptp(slack) == 0.0:
        # every unit wastes the same amount: nothing to attribute to environment or luck
        return {
            "model": None,
            "env_part": slack.copy(),
            "u_hat": zeros,
            "v_hat": zeros,
            "summary": {"status": "constant slack", "n_zero_slacks": 0},
        }
    table = frame[[*keys, *environment]].assign(_slack=slack)
    try:
        model = sfa(
            table,
            y="_slack",
            x=environment,
            model="cross",
            dist=dist,
            unit=keys[0],
            time=keys[1] if len(keys) > 1 else None,
            cost=True,
            log=False,
            n_starts=n_starts,
        )
    except (DataError, ModelError) as exc:
        # name the slack regression: sfa only sees "_slack" and "frontier regressors"
        raise type(exc)(
            f"stage-2 slack regression of {context} on the environmental variables "
            f"{environment}: {exc}"
        ) from exc
    eff = model.efficiency
    env_part = slack - eff["residual"].to_numpy()
    lr = model.lr_test.iloc[0]
    summary = {
        "status": "estimated" if model.converged else "not converged",
        "n_zero_slacks": int(np.sum(slack == 0.0)),
        "sigma2": float(model.params["sigma2"]),
        "gamma": float(model.params["gamma"]),
        "loglik": model.loglik,
        "lr_statistic": float(lr["statistic"]),
        "lr_critical_5pct": float(lr["critical_value_5pct"]),
        "lr_p_value": float(lr["p_value"]),
        "lr_reject": bool(lr["reject_at_5pct"]),
        "converged": model.converged,
        "warnings": "; ".join(model.warnings),
    }
    return {
        "model": model,
        "env_part": env_part,
        "u_hat": eff["u_jlms"].to_numpy(),
        "v_hat": eff["v_hat"].to_numpy(),
        "summary": summary,
    }


def _effects_rows(name: str, model: SFAResults, environment: list[str]) -> pd.DataFrame:
    coef = model.coefficients.set_index("parameter").loc[["const", *environment]]
    table = coef.rename_axis("variable").reset_index().assign(input=name)
    return table[["input", "variable", "estimate", "std_error", "z", "p_value"]]


def _score_table(frame, stage1, stage3, keys) -> pd.DataFrame:
    table = frame[keys].copy()
    table["stage1"] = _aligned(frame, stage1.scores, keys, "score", "score")
    table["stage3"] = _aligned(frame, stage3.scores, keys, "score", "score")
    table["change"] = table["stage3"] - table["stage1"]
    return table


def _add_decomposition(scores, base, adjusted, inputs, keys, run) -> pd.DataFrame:
    out = scores.copy()
    for stage, frame in (("stage1", base), ("stage3", adjusted)):
        te = _aligned(frame, run(frame, inputs, "crs").scores, keys, "score", "score")
        pte = _aligned(frame, run(frame, inputs, "vrs").scores, keys, "score", "score")
        out[f"{stage}_te"] = te
        out[f"{stage}_pte"] = pte
        out[f"{stage}_se"] = te / pte
    return out
