"""Bootstrap standard errors of the stage-2 slack frontiers (``stage2_se="bootstrap"``).

A pairs (cluster) bootstrap: each replication draws the units of the stage-2 sample
with replacement, keeps every period of a drawn unit (so the within-unit dependence
of a pooled panel is kept; on one cross-section a unit is one row), and refits the
slack frontier from the full-sample estimate. Replications get their own seeds
spawned from the user's seed (:func:`._resample.seed_chunks`), so serial, joblib and
dask runs give the same numbers. Standard errors are the standard deviations of the
replicated estimates; the coefficient table then reports normal-based z, p and
intervals, as Stata's ``vce(bootstrap)`` does.
"""

from __future__ import annotations

import dataclasses
import warnings
from typing import Any

import numpy as np

from .._parallel import parallel_map
from ..errors import ModelError
from . import _sfa_fit as _fit
from . import _sfa_likelihood as _lik
from ._resample import seed_chunks

__all__: list[str] = []


@dataclasses.dataclass(frozen=True)
class _Task:
    """One chunk of replications (picklable for joblib and dask)."""

    y: np.ndarray
    x: np.ndarray
    members: tuple[np.ndarray, ...]  # row positions of each unit
    truncated: bool
    theta: np.ndarray
    seeds: tuple[Any, ...]


def _replicate(task: _Task) -> np.ndarray:
    """Estimates of each replication of the chunk (a NaN row when a fit fails)."""
    out = np.full((len(task.seeds), len(task.theta)), np.nan)
    n_units = len(task.members)
    for i, seed in enumerate(task.seeds):
        draw = np.random.default_rng(seed).integers(0, n_units, n_units)
        rows = np.concatenate([task.members[g] for g in draw])
        x = task.x[rows]
        # a resample can make an environmental variable constant (a dummy, a
        # province-level policy): that replication cannot identify its coefficient
        if np.linalg.matrix_rank(x) < x.shape[1] or np.ptp(task.y[rows]) == 0:
            continue
        n = len(rows)
        design = _lik._Design(
            y=task.y[rows],
            x=x,
            sign=-1.0,
            group=np.arange(n),
            n_groups=n,
            dt=np.zeros(n),
            z=None,
            truncated=task.truncated,
            time_varying=False,
        )
        try:
            # one refit per bootstrap replicate: its notes (wrong skew, γ at a
            # bound, optimiser messages) would repeat hundreds of times; a refit
            # that fails or does not converge is left out of the draws below, and
            # the caller reports how many were kept
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                fitted = _fit.fit(
                    design, n_starts=2, maxiter=2000, start=task.theta, polish=False
                )
        except (ModelError, np.linalg.LinAlgError, ValueError):
            continue
        if fitted.converged and np.all(np.isfinite(fitted.theta)):
            out[i] = fitted.theta
    return out


def bootstrap_draws(
    y: np.ndarray,
    x: np.ndarray,
    units: np.ndarray,
    *,
    theta: np.ndarray,
    truncated: bool,
    reps: int,
    seed: int,
    n_jobs: int = 1,
    client: Any = None,
    progress: bool | None = None,
) -> np.ndarray:
    """``reps × p`` replicated estimates of the slack frontier ``y = xβ + v + u``.

    ``x`` includes the constant; ``units`` labels the rows' units (the resampling
    clusters); ``theta`` is the full-sample estimate (the first start of each refit).
    """
    codes = np.unique(np.asarray(units), return_inverse=True)[1]
    members = tuple(np.flatnonzero(codes == g) for g in range(int(codes.max()) + 1))
    parallel = n_jobs != 1 or client is not None
    tasks = [
        _Task(y, x, members, truncated, np.asarray(theta, dtype=float), seeds)
        for seeds in seed_chunks(reps, seed, parallel)
    ]
    return np.vstack(
        parallel_map(
            _replicate,
            tasks,
            n_jobs=n_jobs,
            client=client,
            progress=progress,
            desc="stage-2 bootstrap",
        )
    )
