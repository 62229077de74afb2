"""The smoothed draws and the replications of the Simar–Wilson (1998) bootstrap.

Helpers of :func:`spatialgreen.efficiency.bootstrap_dea`. Every quantity here is the
*Farrell measure of the orientation*, ``d``: the input efficiency θ ≤ 1 (input
orientation) or the output expansion factor λ = η ≥ 1 (output orientation). Both are
bounded by 1 on one side (``side = -1``: d ≤ 1; ``side = +1``: d ≥ 1), and the
kernel estimate of their density is made consistent at that bound by the reflection
method (Silverman 1986, §2.10): the estimate of the ``n`` scores
``{d̂_1 … d̂_n}`` is the kernel estimate of the ``2n`` values
``{d̂_i, 2 - d̂_i}``, folded back across 1.

One replication (Simar & Wilson 1998, §4; as set out step by step in Simar & Wilson
2008, §4.3.3, and Daraio & Simar 2007, §3.4.1) draws, per frontier,

1. ``β*_1 … β*_n`` with replacement from the reflected sample,
2. ``d̃_i = β*_i + h ε_i`` with standard normal ``ε_i`` (Gaussian kernel),
3. ``d**_i = β̄* + (d̃_i - β̄*) / sqrt(1 + h²/σ̂²)`` (``σ̂²``: variance of the
   reflected sample), so that the smoothed draws keep the variance of the sample,
4. ``d*_i = 1 + side·|d**_i - 1|`` (the fold back across the bound),

then builds the pseudo-data on the rays of the observations through their DEA
projections — inputs ``x*_i = x_i θ̂_i / θ*_i`` (input orientation) or outputs
``y*_i = y_i λ̂_i / λ*_i`` (output orientation) — and evaluates every *original*
observation against the frontier of the pseudo-data with the one LP engine.
"""

from __future__ import annotations

import dataclasses
import numbers
import warnings
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ModelError, OptionError, SpatialGreenWarning
from ._core import RunOptions, solve_groups
from ._data import Prepared
from ._resample import interval
from ._sw_inputs import where
from .radial import RadialFormulation
from .results import EfficiencyResults
from .technology import reference_groups

__all__ = [
    "BANDWIDTH_RULES",
    "Frontier",
    "ReplicationTask",
    "bandwidth",
    "check_frontier",
    "frontiers",
    "run_replications",
    "smooth_draw",
    "summarise",
]

BANDWIDTH_RULES = ("normal_reference", "silverman", "daraio_simar")
_IQR_NORMAL = 1.349  # interquartile range of the standard normal
_EFFICIENT = 1e-6  # |d - 1| below this counts as on the frontier


def _spread(sample: np.ndarray) -> float:
    """``min(sd, IQR/1.349)`` (Silverman 1986, eq. 3.30); sd alone when the IQR is
    0 (more than half the reflected sample at 1), as R's ``bw.nrd0`` does."""
    sd = float(np.std(sample, ddof=1))
    q75, q25 = np.quantile(sample, [0.75, 0.25])
    iqr = float(q75 - q25) / _IQR_NORMAL
    return min(sd, iqr) if iqr > _EFFICIENT else sd


def bandwidth(d: np.ndarray, rule: str | float) -> float:
    """Bandwidth of the reflected Gaussian kernel estimate of the Farrell scores ``d``.

    Rules (``N = 2n``, the size of the reflected sample ``R = {d, 2 - d}``):

    * ``"normal_reference"`` — the robust normal-reference rule
      ``1.06 · min(sd_R, IQR_R/1.349) · N^(-1/5)`` (Silverman 1986, eqs. 3.28 and 3.30);
    * ``"silverman"`` — Silverman's rule of thumb ``0.9 · min(sd_R, IQR_R/1.349) ·
      N^(-1/5)`` (eq. 3.31; R's ``bw.nrd0``);
    * ``"daraio_simar"`` — Silverman's rule on the reflected sample of the ``m``
      *inefficient* scores only, rescaled to the whole sample (Daraio & Simar 2007,
      eq. 3.26): ``0.9 · min(sd_2m, IQR_2m/1.349) · n^(-1/5) · sd_d / sd_2m``; the
      spike of efficient units at 1, an artefact of DEA, then does not shrink it. This
      is the bandwidth of R's ``Benchmarking::dea.boot``;
    * a positive number — used as given.

    Examples
    --------
    >>> import numpy as np
    >>> d = np.array([0.6, 0.7, 0.8, 0.9, 1.0, 1.0])
    >>> round(bandwidth(d, "silverman") / bandwidth(d, "normal_reference"), 4)
    0.8491
    """
    if isinstance(rule, numbers.Real) and not isinstance(rule, bool):
        if not np.isfinite(rule) or rule <= 0:
            raise OptionError(f"bandwidth={rule!r}: must be a positive number")
        return float(rule)
    if rule not in BANDWIDTH_RULES:
        raise OptionError(
            f"bandwidth={rule!r}: must be a positive number or one of "
            + ", ".join(map(repr, BANDWIDTH_RULES))
        )
    d = np.asarray(d, dtype=float)
    if rule == "daraio_simar":
        inefficient = d[np.abs(d - 1.0) > _EFFICIENT]
        reflected = np.r_[inefficient, 2.0 - inefficient]
        if inefficient.size < 2:
            return float("nan")
        sd_2m = float(np.std(reflected, ddof=1))
        return (
            0.9
            * _spread(reflected)
            * d.size ** (-0.2)
            * float(np.std(d, ddof=1))
            / sd_2m
        )
    reflected = np.r_[d, 2.0 - d]
    factor = 1.06 if rule == "normal_reference" else 0.9
    return factor * _spread(reflected) * reflected.size ** (-0.2)


def smooth_draw(
    d: np.ndarray, h: float, side: int, rng: np.random.Generator
) -> np.ndarray:
    """One smoothed bootstrap sample of the Farrell scores ``d`` (steps 1–4 above).

    Examples
    --------
    >>> import numpy as np
    >>> d = np.array([0.5, 0.7, 0.9, 1.0])
    >>> draw = smooth_draw(d, 0.1, -1, np.random.default_rng(0))
    >>> draw.shape, bool((draw <= 1).all())
    ((4,), True)
    """
    n = d.size
    reflected = np.r_[d, 2.0 - d]
    beta = reflected[rng.integers(0, reflected.size, n)]
    eps = rng.standard_normal(n)
    variance = float(np.var(reflected, ddof=1))
    tilde = beta + h * eps
    centre = beta.mean()
    shrink = 1.0 / np.sqrt(1.0 + h * h / variance) if variance > 0 else 1.0
    star = centre + (tilde - centre) * shrink
    return 1.0 + side * np.abs(star - 1.0)


@dataclasses.dataclass(frozen=True)
class Frontier:
    """One frontier of the bootstrap: its observations, their scores and bandwidth."""

    obs: np.ndarray  # observation indices (rows of the values)
    d_hat: np.ndarray  # Farrell measure of the orientation of those observations
    h: float


@dataclasses.dataclass(frozen=True)
class ReplicationTask:
    """A picklable chunk of replications (one seed each) for every frontier."""

    values: np.ndarray  # (n, m + s) raw inputs then outputs
    dims: tuple[int, int]
    frontiers: tuple[Frontier, ...]
    rts: str
    orientation: str
    seeds: tuple[np.random.SeedSequence, ...]


def _pseudo_prepared(values: np.ndarray, dims: tuple[int, int]) -> Prepared:
    """A :class:`Prepared` holding the originals (rows ``0..n-1``) and room for the
    pseudo-data (rows ``n..2n-1``); only values and scale are read by the engine."""
    n = values.shape[0]
    m, s = dims
    both = np.vstack([values, values])
    return Prepared(
        keys=pd.DataFrame({"obs": np.arange(2 * n)}),
        unit="obs",
        time=None,
        inputs=tuple(f"x{j}" for j in range(m)),
        outputs=tuple(f"y{j}" for j in range(s)),
        bad_outputs=(),
        values=both,
        scale=values.mean(axis=0),
        periods=(None,),
        period_of_obs=np.zeros(2 * n, dtype=np.int64),
    )


def run_replications(task: ReplicationTask) -> np.ndarray:
    """Farrell measures ``d̂*`` of every observation in every replication of ``task``.

    Returns an array ``(len(task.seeds), n)``; a replication's row depends only on its
    seed, so the chunking (and the backend running the chunks) cannot change it. LPs
    without an optimum (none are expected: every original observation is feasible
    against its own pseudo-observation) give NaN.
    """
    values = task.values
    n = values.shape[0]
    m, s = task.dims
    side = -1 if task.orientation == "input" else 1
    cols = slice(0, m) if task.orientation == "input" else slice(m, m + s)
    name = "theta" if task.orientation == "input" else "eta"
    base = _pseudo_prepared(values, task.dims)
    form = RadialFormulation((m, s, 0), task.rts, task.orientation)
    groups = [(n + f.obs, f.obs) for f in task.frontiers]
    rows = np.concatenate([f.obs for f in task.frontiers])
    options = RunOptions(n_jobs=1, client=None, progress=False, desc="bootstrap")
    out = np.full((len(task.seeds), n), np.nan)
    for r, seed in enumerate(task.seeds):
        rng = np.random.default_rng(seed)
        pseudo = values.copy()
        for f in task.frontiers:
            star = smooth_draw(f.d_hat, f.h, side, rng)
            pseudo[f.obs, cols] *= (f.d_hat / star)[:, None]
        both = base.values.copy()
        both[n:] = pseudo
        prep = dataclasses.replace(base, values=both)
        ev = solve_groups(prep, form, groups, exclude_self=False, options=options)
        d_star = np.where(ev.status == 0, ev.extras[name], np.nan)
        out[r, rows] = d_star
    return out


def check_frontier(d_hat: np.ndarray, h: float, where: str) -> None:
    """Refuse a frontier on which the smoothed bootstrap has nothing to smooth."""
    if not np.isfinite(d_hat).all():
        raise ModelError(f"DEA has no optimal score for every unit {where}")
    if (np.abs(d_hat - 1.0) <= _EFFICIENT).all():
        raise ModelError(
            f"every unit is efficient {where}: the smoothed bootstrap has no "
            "inefficiency distribution to resample (pool the periods with "
            "technology='global', or use fewer inputs and outputs)"
        )
    if not np.isfinite(h) or h <= 0:
        raise ModelError(
            f"the bandwidth is not a positive number {where} (h={h!r}); fewer than "
            "two inefficient units — pass bandwidth= a positive number"
        )


def frontiers(
    prep: Any, d_hat: np.ndarray, technology: str, rule: str | float
) -> tuple[list[Frontier], pd.DataFrame]:
    """The frontiers (one per period, or one pooled) with their bandwidths, and the
    table describing them; a frontier with nothing to smooth is refused."""
    groups = reference_groups(prep.period_of_obs, len(prep.periods), technology)
    out, rows = [], []
    label = prep.time or "frontier"
    for ref, ev in groups:
        if not np.array_equal(ref, ev):  # pragma: no cover - guarded by the options
            raise ModelError("the bootstrap needs frontiers spanned by their own units")
        if technology == "global" or prep.time is None:
            period: Any = "all"
            where = "in the data" if prep.time is None else "in the pooled frontier"
        else:
            period = prep.periods[prep.period_of_obs[ev[0]]]
            where = f"in {prep.time}={period}"
        dh = d_hat[ev]
        h = bandwidth(dh, rule)
        check_frontier(dh, h, where)
        out.append(Frontier(ev, dh, h))
        rows.append(
            {
                label: period,
                "n": int(ev.size),
                "n_efficient": int((np.abs(dh - 1.0) <= _EFFICIENT).sum()),
                "bandwidth": h,
            }
        )
    return out, pd.DataFrame(rows)


def summarise(
    fit: EfficiencyResults,
    d_hat: np.ndarray,
    draws: np.ndarray,
    alpha: float,
    orientation: str,
) -> tuple[pd.DataFrame, int]:
    """The per-unit table from the Farrell measures ``d̂`` and their draws."""
    failed = np.isnan(draws)
    n_failed = int(failed.sum())
    if n_failed:
        warnings.warn(
            f"{n_failed} of {draws.size} bootstrap LPs had no optimum; the statistics "
            "use the remaining replications of each unit",
            SpatialGreenWarning,
            stacklevel=3,
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(draws, axis=0)
        var_d = np.nanvar(draws, axis=0, ddof=1)
    bias_d = mean - d_hat
    d_bc = d_hat - bias_d
    lo_d, hi_d = interval(d_hat, draws, 1.0 - alpha, "basic")
    advised = bias_d**2 > var_d / 3.0
    meta = fit.meta
    keys = [meta["unit"]] + ([meta["time"]] if meta["time"] else [])
    out = fit.scores[keys].reset_index(drop=True)
    if orientation == "input":
        score, score_bc, lower, upper, variance = d_hat, d_bc, lo_d, hi_d, var_d
    else:
        with np.errstate(divide="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            score, score_bc = 1.0 / d_hat, 1.0 / d_bc
            lower, upper = 1.0 / hi_d, 1.0 / lo_d
            variance = np.nanvar(1.0 / draws, axis=0, ddof=1)
    out["score"] = score
    out["bias"] = score - score_bc
    out["score_bc"] = score_bc
    out["variance"] = variance
    out["lower"] = lower
    out["upper"] = upper
    out["bc_advised"] = advised
    bad = ~(np.isfinite(score_bc) & (score_bc > 0))
    if bad.any():
        warnings.warn(
            f"the bias-corrected score is not positive for {int(bad.sum())} units "
            f"({where(out, keys, bad)}); the bias estimate is unreliable there, use "
            "`score`",
            SpatialGreenWarning,
            stacklevel=3,
        )
    if (~advised).any():
        warnings.warn(
            f"bias correction is not advised for {int((~advised).sum())} of "
            f"{advised.size} units (bias² < variance/3, Simar & Wilson 1998): there "
            "`score_bc` has a larger mean squared error than `score` "
            "(see the `bc_advised` column)",
            SpatialGreenWarning,
            stacklevel=3,
        )
    return out, n_failed
