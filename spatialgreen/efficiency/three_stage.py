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

Stages 1 and 3 (the efficiency engine and its tables) live in
:mod:`._three_stage_frontier`, stage 2 (slack frontiers and the input adjustment)
in :mod:`._three_stage_adjust`; this module runs them in order.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from ..errors import DataError, ModelError
from ..panel import validate_panel
from ..results import Results
from ._three_stage_adjust import adjust_inputs
from ._three_stage_frontier import (
    add_decomposition,
    engine_runner,
    input_slacks,
    score_table,
)
from .sfa import SFAResults

__all__ = [
    "ThreeStageDimensionResults",
    "ThreeStageResults",
    "three_stage",
    "three_stage_dimensions",
]

Engine = Callable[..., Any]


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
    run = engine_runner(
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
    slacks = input_slacks(base, stage1, inputs, keys, slack_tol)
    stage2 = adjust_inputs(
        base,
        slacks,
        inputs=inputs,
        environment=environment,
        keys=keys,
        time=time,
        dist=dist,
        n_starts=n_starts,
        noise=noise,
        stage2_by=stage2_by,
    )
    effects = [
        _effects_rows(name, model, environment).assign(**where)
        for name, where, model in stage2.fitted
    ]
    adjusted = stage2.adjusted
    stage3 = run(adjusted, inputs, rts)
    scores = score_table(base, stage1, stage3, keys)
    if decompose:
        scores = add_decomposition(scores, base, adjusted, inputs, keys, run)
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
        stage2=pd.DataFrame(stage2.rows),
        adjustments=pd.concat(stage2.adjustments, ignore_index=True),
        meta=meta,
        stage1_results=stage1,
        stage3_results=stage3,
        slack_models=stage2.models,
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
    >>> from spatialgreen.datasets import example_panel
    >>> res = three_stage_dimensions(
    ...     example_panel(n_units=40, n_years=1), environment=["x2"], engine=ratio_dea,
    ...     dimensions={"energy": {"inputs": ["energy"], "outputs": ["gdp"]},
    ...                 "economic": {"inputs": ["labour"], "outputs": ["gdp"]}})
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


def _effects_rows(name: str, model: SFAResults, environment: list[str]) -> pd.DataFrame:
    coef = model.coefficients.loc[["const", *environment]]
    table = (
        coef.rename(columns={"statistic": "z", "p": "p_value"})
        .rename_axis("variable")
        .reset_index()
        .assign(input=name)
    )
    return table[["input", "variable", "estimate", "std_error", "z", "p_value"]]
