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

Stage-2 inference
-----------------
The slack frontiers are fitted on standardised data (estimates and standard errors
transformed back exactly, see :mod:`._sfa_scale`). Slacks are censored at zero: when
many are exactly 0 (half of them on a YREB-sized provincial panel) the likelihood is
largest in the no-noise limit ``γ = 1``, the frontier rests on the zero slacks, and
the information matrix is singular there, so the Hessian gives no standard errors.
Such fits are flagged (``boundary`` and ``note`` in ``environment_effects``,
``gamma_boundary`` in ``stage2``, a warning), and two documented alternatives give
inference:

* ``stage2_se="bootstrap"``: the slack frontiers' standard errors from a pairs
  bootstrap that resamples units (all periods of a drawn unit), seeded and identical
  serial or parallel; z, p and intervals are normal-based (Stata ``vce(bootstrap)``).
  At a boundary fit this is a pragmatic summary (the bootstrap is not consistent for
  a parameter on the boundary, Andrews 2000 Econometrica 68:399) and is marked so.
* ``stage2="tobit"``: a Tobit of each slack on the environment, left-censored at 0
  (:func:`spatialgreen.econometrics.tobit`), a regular model of a variable with a
  mass at zero. It has no inefficiency/noise split, so stage 3 then adjusts for the
  environment only (``u_hat``/``v_hat`` are NaN) and ``noise="always"`` is refused.

:func:`three_stage_dimensions` runs the procedure once per "dimension" (e.g. an
energy and an economic definition of inputs and outputs, as in the reference
studies) and gathers GTFP levels by unit and year.

Stages 1 and 3 (the efficiency engine and its tables) live in
:mod:`._three_stage_frontier`, stage 2 (slack frontiers and the input adjustment)
in :mod:`._three_stage_adjust`; this module runs them in order.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from .._parallel import check_n_jobs
from ..errors import DataError, ModelError, SpatialGreenWarning, check_int
from ..panel import require_columns, validate_panel
from ..results import COEFFICIENT_COLUMNS, EstimatesMixin, Results, inference
from ._three_stage_adjust import Stage2Options, adjust_inputs
from ._three_stage_frontier import (
    add_decomposition,
    engine_runner,
    input_slacks,
    score_table,
)

__all__ = [
    "ThreeStageDimensionResults",
    "ThreeStageResults",
    "three_stage",
    "three_stage_dimensions",
]

Engine = Callable[..., Any]


@dataclasses.dataclass(frozen=True)
class ThreeStageResults(EstimatesMixin, Results):
    """All three stages of a DEA–SFA run (returned by :func:`three_stage`).

    Attributes
    ----------
    scores : pandas.DataFrame
        unit, time, ``stage1`` and ``stage3`` scores and their difference; with
        ``decompose=True`` also technical (``te``, CRS), pure technical (``pte``,
        VRS) and scale (``se = te/pte``) efficiency of both stages.
    environment_effects : pandas.DataFrame
        Stage-2 coefficients in the common layout (``estimate``, ``std_error``,
        ``statistic`` (z), ``p``, ``ci_low``, ``ci_high``), indexed by ``group`` (the
        slack: the input, ``"input@period"`` when ``stage2_by="period"``) and
        ``parameter`` (``const`` and the environmental variables); then ``input``
        (and ``period``), ``se_method``, ``boundary`` (γ of that slack frontier on
        a bound) and ``note`` (why a standard error is missing or qualified; empty
        when the inference is regular). A positive coefficient means the variable
        raises the slack, i.e. wastes that input. The same table is the
        ``coefficients`` of the results' coefficient interface.
    stage2 : pandas.DataFrame
        One row per input: status, σ², γ and ``gamma_boundary`` (``"upper"``,
        ``"lower"`` or ``"no"``), log-likelihood, LR test of γ = 0 and its
        Kodde–Palm 5 % critical value, convergence, ``inference`` (``"ok"`` or the
        reason); for a Tobit stage 2, σ and the log-likelihood.
    adjustments : pandas.DataFrame
        Per unit and period and input: original input, slack, environmental part
        ``zβ̂``, ``E[u|ε]``, ``E[v|ε]``, the two adjustments and the adjusted input.
    meta : dict
        Options of the run.
    stage1_results, stage3_results : object
        The efficiency engine's own results of stages 1 and 3.
    slack_models : dict of str to SFAResults or TobitResults
        Stage-2 regressions by input (``"input@period"`` when run by period; inputs
        with no slack are absent).
    """

    scores: pd.DataFrame
    environment_effects: pd.DataFrame
    stage2: pd.DataFrame
    adjustments: pd.DataFrame
    meta: dict[str, Any]
    stage1_results: Any = dataclasses.field(default=None, repr=False)
    stage3_results: Any = dataclasses.field(default=None, repr=False)
    slack_models: dict[str, Any] = dataclasses.field(default_factory=dict, repr=False)

    @property
    def coefficients(self) -> pd.DataFrame:
        """The stage-2 coefficients (``environment_effects``) for regression tables."""
        return self.environment_effects

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
    stage2: str = "sfa",
    stage2_se: str = "model",
    stage2_options: Mapping[str, Any] | None = None,
    n_boot: int = 199,
    seed: int = 0,
    n_jobs: int = 1,
    client: Any = None,
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
    stage2 : {"sfa", "tobit"}
        Cost-type stochastic frontier (Fried et al. 2002; default) or a Tobit
        left-censored at 0 (environment adjustment only; see "Stage-2 inference").
    stage2_se : {"model", "bootstrap"}
        The model's own standard errors (SFA: inverse Hessian; Tobit: as
        :func:`~spatialgreen.econometrics.tobit` reports) or, for ``stage2="sfa"``,
        a pairs bootstrap resampling units.
    stage2_options : mapping, optional
        Keyword arguments of the Tobit (e.g. ``{"cluster": unit}`` for standard
        errors clustered by unit, ``{"panel": "random"}``); default: pooled, OIM.
    n_boot, seed : int
        Bootstrap replications (≥ 10) and their seed.
    n_jobs, client
        Run the bootstrap on joblib workers or a ``dask.distributed`` client (the
        numbers do not depend on it).
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
        An engine that does not honour the contract; unknown or inconsistent
        stage-2 options.

    Warns
    -----
    SpatialGreenWarning
        A slack frontier with γ on a bound (why, and what its standard errors rest
        on), and warnings of the Tobit stage 2, each naming the input.

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
    options = _stage2_options(
        stage2, stage2_se, noise, stage2_options, n_boot, seed, n_jobs
    )
    if stage2 == "tobit" and dist != "half-normal":
        raise ModelError(
            f"dist={dist!r} is the inefficiency distribution of the SFA stage 2; "
            "stage2='tobit' has none"
        )
    options = dataclasses.replace(
        options,
        dist=dist,
        n_starts=n_starts,
        by=stage2_by,
        client=client,
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
    cluster = options.tobit_options.get("cluster")
    if cluster is not None:
        require_columns(data, [cluster], role="stage2_options cluster")
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
    second = adjust_inputs(
        base,
        slacks,
        inputs=inputs,
        environment=environment,
        keys=keys,
        time=time,
        options=options,
    )
    for message in second.messages:
        warnings.warn(message, SpatialGreenWarning, stacklevel=2)
    adjusted = second.adjusted
    stage3 = run(adjusted, inputs, rts)
    scores = score_table(base, stage1, stage3, keys)
    if decompose:
        scores = add_decomposition(scores, base, adjusted, inputs, keys, run)
    effects_table = (
        pd.concat(second.effects) if second.effects else _empty_effects(stage2_by)
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
        "slack_frontier": (
            f"cost-type SFA, {dist}, standardised inside the fit"
            if stage2 == "sfa"
            else "Tobit left-censored at 0 (environment adjustment only)"
        )
        + (", pooled" if stage2_by == "pooled" else ", by period"),
        "stage2": stage2,
        "stage2_se": stage2_se,
        "n_boot": n_boot if stage2_se == "bootstrap" else None,
        "seed": seed if stage2_se == "bootstrap" else None,
        "noise_adjustment": noise if stage2 == "sfa" else "none (Tobit stage 2)",
        "unit": unit,
        "time": time,
        "nobs": len(base),
        "inference": inference(None),
    }
    return ThreeStageResults(
        scores=scores,
        environment_effects=effects_table,
        stage2=pd.DataFrame(second.rows),
        adjustments=pd.concat(second.adjustments, ignore_index=True),
        meta=meta,
        stage1_results=stage1,
        stage3_results=stage3,
        slack_models=second.models,
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
        table = res.environment_effects
        groups = [f"{name}/{g}" for g in table.index.get_level_values("group")]
        index = pd.MultiIndex.from_arrays(
            [groups, table.index.get_level_values("parameter")],
            names=["group", "parameter"],
        )
        effects.append(table.set_axis(index).assign(dimension=name))
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
        environment_effects=pd.concat(effects),
        meta=meta,
        runs=runs,
    )


# ----------------------------------------------------------------------------------


def _stage2_options(stage2, se, noise, tobit_options, n_boot, seed, n_jobs):
    if stage2 not in ("sfa", "tobit"):
        raise ModelError(f"stage2 must be 'sfa' or 'tobit', got {stage2!r}")
    if se not in ("model", "bootstrap"):
        raise ModelError(f"stage2_se must be 'model' or 'bootstrap', got {se!r}")
    if stage2 == "tobit" and se == "bootstrap":
        raise ModelError(
            "stage2_se='bootstrap' is for stage2='sfa'; the Tobit stage 2 has "
            "regular standard errors (stage2_options={'cluster': unit} clusters them)"
        )
    if stage2 == "tobit" and noise == "always":
        raise ModelError(
            "noise='always' needs stage2='sfa': a Tobit stage 2 does not separate "
            "noise from managerial inefficiency (use noise='if-significant' or "
            "'never'; both adjust for the environment only)"
        )
    if tobit_options and stage2 != "tobit":
        raise ModelError("stage2_options= is for stage2='tobit'")
    check_int(n_boot, "n_boot", minimum=10)
    check_int(seed, "seed", minimum=0)
    check_n_jobs(n_jobs)
    return Stage2Options(
        method=stage2,
        se=se,
        noise=noise,
        n_boot=n_boot,
        seed=seed,
        n_jobs=n_jobs,
        tobit_options=dict(tobit_options or {}),
    )


def _empty_effects(stage2_by: str) -> pd.DataFrame:
    """The effects table when no input has slack (nothing was regressed)."""
    columns = [*COEFFICIENT_COLUMNS, "input", "se_method", "boundary", "note"]
    if stage2_by == "period":
        columns.insert(len(COEFFICIENT_COLUMNS) + 1, "period")
    index = pd.MultiIndex.from_arrays([[], []], names=["group", "parameter"])
    return pd.DataFrame(columns=columns, index=index)
