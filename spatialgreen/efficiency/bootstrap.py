"""Statistical inference for DEA scores: the Simar–Wilson bootstraps.

* :func:`bootstrap_dea` — the smoothed (homogeneous) bootstrap of Simar & Wilson
  (1998) for radial DEA scores: bias, bias-corrected scores, variance and basic
  bootstrap confidence intervals of every unit's Farrell efficiency.
* :func:`sw_truncated_regression` — Algorithm 1 of Simar & Wilson (2007): the
  truncated regression of DEA scores on their drivers ("influencing factors of
  efficiency") with parametric-bootstrap confidence intervals, the accepted second
  stage where a Tobit or OLS of DEA scores is not.

Replications run serially, on local processes (``n_jobs``) or on a dask cluster
(``client``) through the package's one parallel map; every replication has its own
seed spawned from ``seed``, so the numbers do not depend on the backend.

No reference implementation could be run here: R's ``Benchmarking::dea.boot`` and
``rDEA`` (and Stata's ``simarwilson``) are not packaged for Debian, so both
procedures are checked by simulation (coverage of known efficiencies, recovery of a
known β) and against independent routes (the likelihood against
``scipy.stats.truncnorm``, the DEA against :func:`~spatialgreen.efficiency.dea`).

References: Simar, L. & Wilson, P. W. (1998), Management Science 44(1), 49–61;
(2007), Journal of Econometrics 136(1), 31–64; (2008) in Fried, Lovell & Schmidt
(eds.), The Measurement of Productive Efficiency and Productivity Growth, ch. 4;
Daraio, C. & Simar, L. (2007), Advanced Robust and Nonparametric Methods in
Efficiency Analysis, §3.4; Silverman, B. W. (1986), Density Estimation, §§2.10, 3.4.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._parallel import check_n_jobs, parallel_map
from ..errors import (
    ConvergenceError,
    ModelError,
    SpatialGreenWarning,
    check_choice,
    check_int,
    check_number,
)
from ..panel import validate_panel
from ..results import EstimatesMixin, Results, coefficient_table, inference
from ._bootstrap_smooth import ReplicationTask, frontiers, run_replications, summarise
from ._data import prepare
from ._resample import CI_METHODS, boot_p, interval, seed_chunks
from ._sw_inputs import EFFICIENT, check_scores, score_source, score_table
from ._truncreg import SWTask, fit_truncated, run_sw
from .radial import dea
from .results import EfficiencyResults

__all__ = [
    "BootstrapDEAResults",
    "SWRegressionResults",
    "bootstrap_dea",
    "sw_truncated_regression",
]

RESPONSES = ("distance", "score")


# --------------------------------------------------------------------------------------
# Simar–Wilson (1998): the smoothed bootstrap of DEA scores
# --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class BootstrapDEAResults(Results):
    """Bias-corrected DEA scores and their bootstrap confidence intervals.

    Attributes
    ----------
    scores : pandas.DataFrame
        unit (and time) keys and, on the scale of the reported DEA ``score`` (θ for
        input orientation, the Farrell output efficiency 1/η for output orientation):
        ``score`` (the DEA estimate), ``bias`` (estimated bias of ``score``),
        ``score_bc`` (= ``score − bias``), ``variance`` (bootstrap variance),
        ``lower``/``upper`` (basic bootstrap interval at ``1 − alpha``) and
        ``bc_advised`` (False where ``bias² < variance/3``: there the correction adds
        more variance than it removes bias, and ``score`` is the better estimate).
        The bias, its correction, the interval and the ``bc_advised`` rule are
        computed on the Farrell measure of the orientation (θ, or η for output) and
        mapped to this scale.
    frontiers : pandas.DataFrame
        One row per frontier (period, or the pooled frontier): number of units,
        of efficient units, and the bandwidth ``h`` used.
    draws : pandas.DataFrame
        With ``keep_draws=True``: the keys and one column per replication (the
        bootstrap scores on the ``score`` scale); empty otherwise.
    dea : EfficiencyResults
        The DEA run on the data (slacks, targets, peers).
    meta : dict
        Options, method notes, numbers of failed LPs and of units where the bias
        correction is not advised.
    """

    scores: pd.DataFrame
    frontiers: pd.DataFrame
    draws: pd.DataFrame
    dea: EfficiencyResults
    meta: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def score_bc(self) -> pd.Series:
        """Bias-corrected scores as a Series indexed by unit (and time)."""
        keys = [c for c in (self.meta.get("unit"), self.meta.get("time")) if c]
        return self.scores.set_index(keys)["score_bc"]


def bootstrap_dea(
    data: pd.DataFrame,
    *,
    inputs: str | Sequence[str],
    outputs: str | Sequence[str],
    unit: str = "unit",
    time: str | None = None,
    rts: str = "vrs",
    orientation: str = "input",
    technology: str = "contemporaneous",
    reps: int = 2000,
    alpha: float = 0.05,
    bandwidth: str | float = "normal_reference",
    seed: int = 0,
    keep_draws: bool = False,
    n_jobs: int = 1,
    client: Any = None,
    progress: bool | None = None,
) -> BootstrapDEAResults:
    """Simar–Wilson (1998) smoothed bootstrap of radial DEA efficiency scores.

    The homogeneous bootstrap: the distribution of the efficiencies is assumed the
    same for every unit of a frontier (not depending on the output level or the
    input mix). Per replication, pseudo-efficiencies are drawn from the reflected
    Gaussian kernel estimate of the DEA scores' density (with the variance
    correction), pseudo-data are built on the rays through the DEA projections, and
    every observed unit is re-evaluated against the pseudo-data frontier with the
    one LP engine (steps in :mod:`._bootstrap_smooth`). From the ``reps``
    re-estimates ``d*`` of each unit's Farrell measure ``d̂``:

    * bias ``= mean(d*) − d̂``; bias-corrected ``d̂ − bias = 2d̂ − mean(d*)``;
    * variance ``= var(d*)``;
    * the basic bootstrap interval ``[2d̂ − q(1−α/2), 2d̂ − q(α/2)]`` of the
      quantiles ``q`` of ``d*`` (SW 1998, §4). The interval covers the *true*
      efficiency; it usually lies below the DEA score, which is biased upwards;
    * a :class:`~spatialgreen.errors.SpatialGreenWarning` names how many units have
      ``bias² < variance/3`` (SW 1998, after Efron & Tibshirani 1993, §10.6): their
      bias correction raises the mean squared error, so report ``score`` there.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit (and period); never modified.
    inputs, outputs : str or sequence of str
        Column names (no bad outputs: the radial bootstrap has no undesirable-output
        technology).
    unit, time : str
        Key columns (``time=None``: a cross-section).
    rts : {"vrs", "crs", "nirs", "ndrs"}
        Returns to scale of the DEA (SW 1998 use VRS).
    orientation : {"input", "output"}
        Input (θ ≤ 1) or output (η ≥ 1, reported as the efficiency 1/η) orientation.
    technology : {"contemporaneous", "global"}
        One bootstrap per period (each period its own frontier and bandwidth) or one
        on all observations pooled. Sequential and window technologies evaluate units
        against other periods' units, which this bootstrap does not model.
    reps : int
        Replications (SW 1998 recommend 2,000 for intervals).
    alpha : float
        The intervals have level ``1 − alpha``.
    bandwidth : {"normal_reference", "silverman", "daraio_simar"} or float
        Bandwidth of the reflected kernel estimate (see
        :func:`._bootstrap_smooth.bandwidth`): by default the robust normal-reference
        rule ``1.06·min(sd, IQR/1.349)·(2n)^(-1/5)`` on the reflected sample of
        ``2n`` values; ``"silverman"`` the same with 0.9 (R's ``bw.nrd0``);
        ``"daraio_simar"`` the rule on the inefficient units only (Daraio & Simar
        2007, eq. 3.26; as ``Benchmarking::dea.boot``); a number is used as given.
    seed : int
        Seed of the replications (each one spawns its own stream from it).
    keep_draws : bool
        Keep every bootstrap score in ``.draws``.
    n_jobs, client, progress
        Run the replications on joblib processes or a ``dask.distributed`` client,
        with a progress bar; the numbers are identical on every backend.

    Returns
    -------
    BootstrapDEAResults

    Notes
    -----
    The homogeneous bootstrap is only as good as its assumption. In simulations with
    a known VRS frontier (one input, one output, half-normal inefficiency, n = 50)
    the 95 % intervals covered the true efficiency 81–84 % of the time (every
    bandwidth rule; 77 ± 5 % at n = 100), against 92 % with CRS: the VRS DEA bias
    is larger where the frontier is sparse, which one efficiency distribution for
    all units cannot mimic (see Kneip, Simar & Wilson 2008, Econometric Theory 24,
    1663–1697, on the consistency of DEA bootstraps). Read the intervals as too
    narrow in VRS samples of this size. A run solves ``reps`` times the LPs of one
    DEA.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"unit": list("ABCDEFGH"),
    ...                    "x": [2.0, 3.0, 4.0, 5.0, 6.0, 4.0, 5.0, 3.5],
    ...                    "y": [1.0, 2.0, 3.0, 3.5, 4.0, 2.0, 2.5, 1.5]})
    >>> res = bootstrap_dea(df, inputs="x", outputs="y", reps=200, seed=1)
    >>> out = res.scores.set_index("unit")
    >>> float(out.loc["F", "score"])  # F needs only 3 of its 4 units of input
    0.75
    >>> bool((out["score_bc"] <= out["score"]).all())  # DEA overstates efficiency
    True
    >>> bool((out["lower"] <= out["upper"]).all())
    True
    >>> bool((out["upper"] <= out["score"]).all())  # intervals lie below the DEA score
    True
    """
    orientation = check_choice(orientation, "orientation", ("input", "output"))
    technology = check_choice(technology, "technology", ("contemporaneous", "global"))
    reps = check_int(reps, "reps", minimum=2)
    alpha = check_number(alpha, "alpha", low=0, high=1, closed=(False, False))
    seed = check_int(seed, "seed", minimum=0)
    n_jobs = check_n_jobs(n_jobs)
    fit = dea(
        data,
        inputs=inputs,
        outputs=outputs,
        unit=unit,
        time=time,
        rts=rts,
        orientation=orientation,
        technology=technology,
        n_jobs=n_jobs,
        client=client,
        progress=progress,
    )
    prep = prepare(data, inputs, outputs, (), unit, time)
    d_hat = fit.scores["theta" if orientation == "input" else "eta"].to_numpy(float)
    fronts, frontier_table = frontiers(prep, d_hat, technology, bandwidth)
    parallel = n_jobs != 1 or client is not None
    tasks = [
        ReplicationTask(
            prep.values, prep.dims[:2], tuple(fronts), rts, orientation, seeds
        )
        for seeds in seed_chunks(reps, seed, parallel)
    ]
    draws = np.vstack(
        parallel_map(
            run_replications,
            tasks,
            n_jobs=n_jobs,
            client=client,
            progress=progress,
            desc="SW bootstrap",
        )
    )
    scores, n_failed = summarise(fit, d_hat, draws, alpha, orientation)
    keys = [unit] + ([time] if time else [])
    kept = pd.DataFrame()
    if keep_draws:
        on_scale = draws if orientation == "input" else 1.0 / draws
        kept = pd.concat(
            [
                fit.scores[keys].reset_index(drop=True),
                pd.DataFrame(on_scale.T, columns=[f"rep_{r}" for r in range(reps)]),
            ],
            axis=1,
        )
    not_advised = int((~scores["bc_advised"]).sum())
    meta = {
        "model": "dea_bootstrap",
        "method": "Simar-Wilson (1998) homogeneous smoothed bootstrap",
        "rts": rts,
        "orientation": orientation,
        "technology": technology,
        "reps": reps,
        "alpha": alpha,
        "interval": "basic bootstrap",
        "kernel": "gaussian, reflected at 1, variance-corrected",
        "bandwidth_rule": bandwidth,
        "seed": seed,
        "unit": unit,
        "time": time,
        "inputs": list(prep.inputs),
        "outputs": list(prep.outputs),
        "n_failed_lps": n_failed,
        "n_bc_not_advised": not_advised,
    }
    return BootstrapDEAResults(scores, frontier_table, kept, fit, meta)


# --------------------------------------------------------------------------------------
# Simar–Wilson (2007), Algorithm 1: truncated regression of DEA scores on drivers
# --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SWRegressionResults(EstimatesMixin, Results):
    """Truncated regression of DEA scores on drivers with bootstrap inference.

    Attributes
    ----------
    coefficients : pandas.DataFrame
        By driver (and ``const``): ``estimate`` (truncated-normal ML), ``std_error``
        (standard deviation of the bootstrap estimates), ``statistic`` (estimate /
        std_error), ``p`` (bootstrap p-value: the smallest α whose interval excludes
        0, with the +1 correction ``2·(min(k₋, k₊) + 1)/(B + 1)``), ``ci_low`` and
        ``ci_high`` (the bootstrap interval at ``1 − alpha``, of the ``ci`` method).
        ``params``, ``std_errors``, ``pvalues`` and ``conf_int(level)`` (bootstrap
        intervals at any level) read it, so the fit goes into ``regression_table``.
    sample : pandas.DataFrame
        Keys, ``score``, ``response`` (the regressand) and ``used`` (False for
        efficient units, score = 1, which Simar & Wilson leave out).
    draws : pandas.DataFrame
        The bootstrap estimates (β*, ``sigma``), one row per replication (NaN rows:
        refits that did not converge).
    fit : dict
        ``nobs`` (units used), ``n_efficient``, ``n_total``, ``sigma`` with its
        interval, ``loglik``, ``reps`` and ``reps_failed``.
    meta : dict
        Response form, truncation, interval method, ``inference``, options.
    """

    coefficients: pd.DataFrame
    sample: pd.DataFrame
    draws: pd.DataFrame
    fit: dict[str, Any]
    meta: dict[str, Any]

    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """Bootstrap intervals (``lower``, ``upper``) of the coefficients at ``level``.

        ``conf_int(1 - alpha)`` equals the table's ``ci_low``/``ci_high``.
        """
        level = check_number(level, "level", low=0, high=1, closed=(False, False))
        names = list(self.coefficients.index)
        lower, upper = interval(
            self.coefficients["estimate"].to_numpy(float),
            self.draws[names].to_numpy(float),
            level,
            self.meta["ci"],
        )
        return pd.DataFrame(
            {"lower": lower, "upper": upper}, index=self.coefficients.index.copy()
        )


def sw_truncated_regression(
    scores: Any,
    data: pd.DataFrame,
    *,
    drivers: str | Sequence[str],
    unit: str = "unit",
    time: str | None = None,
    response: str = "distance",
    constant: bool = True,
    reps: int = 2000,
    alpha: float = 0.05,
    ci: str = "basic",
    seed: int = 0,
    n_jobs: int = 1,
    client: Any = None,
    progress: bool | None = None,
) -> SWRegressionResults:
    """Simar–Wilson (2007) Algorithm 1: truncated regression of DEA scores on drivers.

    The second stage of "what drives efficiency" studies. Efficient units (score 1)
    are left out, as in Simar & Wilson (2007, step 2); the inefficient ones enter a
    normal regression truncated at 1, estimated by maximum likelihood; ``reps``
    parametric-bootstrap samples drawn from the fitted truncated model and
    re-estimated give the intervals (steps 3–4). The intervals, not a Tobit or OLS
    standard error, are the inference: DEA scores are bounded and serially
    correlated in ways conventional errors ignore.

    Two forms of the regressand (``response``), both truncated at 1:

    * ``"distance"`` (default, Simar & Wilson's own form): ``δ = 1/score ≥ 1`` —
      the Shephard input distance for input-oriented scores, the Farrell output
      measure η for output-oriented ones — truncated from below. A *positive* β
      means the driver **raises inefficiency**.
    * ``"score"``: the efficiency score itself, ``≤ 1``, truncated from above (the
      mirror image of the model; Stata ``simarwilson, notwosided``). A positive β
      means the driver **raises efficiency**.

    Parameters
    ----------
    scores : str, pandas.Series or efficiency results
        Efficiency scores in (0, 1] (the ``score`` of :func:`dea`): a column of
        ``data``, a Series indexed by the keys (``res.score``), or a results object
        with a ``scores`` table (``dea(...)``, :func:`bootstrap_dea`: the original,
        not the bias-corrected, scores are used, as Algorithm 1 prescribes).
    data : pandas.DataFrame
        One row per unit (and period) with the drivers; never modified. Every row
        needs a score.
    drivers : str or sequence of str
        Explanatory variables.
    unit, time : str
        Keys matching scores to rows (``time=None``: a cross-section). Panels are
        pooled; Simar & Wilson's bootstrap treats the observations as independent.
    response : {"distance", "score"}
        The regressand (see above).
    constant : bool
        Add an intercept ``const``.
    reps : int
        Bootstrap replications (Simar & Wilson use 2,000).
    alpha : float
        The intervals have level ``1 − alpha``.
    ci : {"basic", "percentile"}
        ``basic`` (Simar & Wilson 2007: the distribution of ``β̂ − β`` approximated
        by that of ``β* − β̂``) or the plain percentile interval of ``β*``.
    seed : int
        Seed of the replications.
    n_jobs, client, progress
        Backend of the replications (identical numbers on every backend).

    Returns
    -------
    SWRegressionResults

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> z = rng.uniform(0, 1, 300)
    >>> from scipy import stats
    >>> mu = 1.0 + 0.8 * z
    >>> delta = stats.truncnorm.rvs((1 - mu) / 0.3, np.inf, mu, 0.3, random_state=rng)
    >>> df = pd.DataFrame({"unit": range(300), "z": z, "te": 1 / delta})
    >>> res = sw_truncated_regression("te", df, drivers="z", reps=200)
    >>> round(float(res.params["z"]), 1)
    0.8
    >>> bool(res.conf_int().loc["z", "lower"] > 0)
    True
    """
    response = check_choice(response, "response", RESPONSES)
    ci = check_choice(ci, "ci", CI_METHODS)
    reps = check_int(reps, "reps", minimum=2)
    alpha = check_number(alpha, "alpha", low=0, high=1, closed=(False, False))
    seed = check_int(seed, "seed", minimum=0)
    n_jobs = check_n_jobs(n_jobs)
    names = [drivers] if isinstance(drivers, str) else list(drivers)
    if not names and not constant:
        raise ModelError("no regressors: give drivers or constant=True")
    keys = [unit] + ([time] if time else [])
    source, label = score_source(scores, keys)
    score_column = [label] if source is None else []
    validate_panel(data, unit=unit, time=time, columns=[*names, *score_column])
    score = score_table(source, label, data, keys)
    frame = data[keys].reset_index(drop=True)
    check_scores(score.to_numpy(), frame, keys)
    efficient = score.to_numpy() >= 1.0 - EFFICIENT
    used = ~efficient
    y_all = 1.0 / score.to_numpy() if response == "distance" else score.to_numpy()
    side = 1 if response == "distance" else -1
    Z = data[names].to_numpy(float)
    if constant:
        Z = np.c_[Z, np.ones(len(Z))]
        names = [*names, "const"]
    X, y = Z[used], y_all[used]
    k = X.shape[1]
    if used.sum() < k + 2:
        raise ModelError(
            f"only {int(used.sum())} inefficient observations (score < 1) for "
            f"{k} coefficients and σ"
        )
    if np.linalg.matrix_rank(X) < k:
        raise ModelError(
            f"the regressors {names} are collinear on the inefficient observations"
        )
    first = fit_truncated(y, X, side)
    if not first.converged:
        raise ConvergenceError(
            "the truncated-normal likelihood did not converge on the data; "
            "rescale or drop drivers"
        )
    tasks = [
        SWTask(X, first.beta, first.sigma, side, seeds)
        for seeds in seed_chunks(reps, seed, n_jobs != 1 or client is not None)
    ]
    draws = np.vstack(
        parallel_map(
            run_sw,
            tasks,
            n_jobs=n_jobs,
            client=client,
            progress=progress,
            desc="SW 2007 bootstrap",
        )
    )
    failed = int(np.isnan(draws[:, 0]).sum())
    if failed:
        warnings.warn(
            f"{failed} of {reps} bootstrap refits did not converge and are left out",
            SpatialGreenWarning,
            stacklevel=2,
        )
    if reps - failed < 2:
        raise ConvergenceError(f"only {reps - failed} bootstrap refits converged")
    beta = pd.Series(first.beta, index=names)
    se = np.nanstd(draws[:, :k], axis=0, ddof=1)
    table = coefficient_table(beta, se, level=1.0 - alpha)
    lower, upper = interval(first.beta, draws[:, :k], 1.0 - alpha, ci)
    table["p"] = boot_p(first.beta, draws[:, :k], ci)
    table["ci_low"], table["ci_high"] = lower, upper
    s_lo, s_hi = interval(np.array([first.sigma]), draws[:, k:], 1.0 - alpha, ci)
    sample = frame.copy()
    sample["score"] = score.to_numpy()
    sample["response"] = y_all
    sample["used"] = used
    fit = {
        "nobs": int(used.sum()),
        "n_efficient": int(efficient.sum()),
        "n_total": len(used),
        "sigma": first.sigma,
        "sigma_ci_low": float(s_lo[0]),
        "sigma_ci_high": float(s_hi[0]),
        "loglik": first.loglik,
        "reps": reps,
        "reps_failed": failed,
    }
    meta = {
        "model": "sw_truncated_regression",
        "method": "Simar-Wilson (2007) algorithm 1",
        "y": f"1/{label}" if response == "distance" else label,
        "response": response,
        "truncation": "below at 1" if side > 0 else "above at 1",
        "ci": ci,
        "alpha": alpha,
        "seed": seed,
        "unit": unit,
        "time": time,
        "drivers": [n for n in names if n != "const"],
        "inference": inference(None),
        "std_error": "bootstrap standard deviation",
    }
    return SWRegressionResults(
        table, sample, pd.DataFrame(draws, columns=[*names, "sigma"]), fit, meta
    )
