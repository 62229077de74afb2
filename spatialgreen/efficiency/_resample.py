"""Seeds, intervals and p-values shared by the two Simar–Wilson bootstraps.

Helpers of :mod:`spatialgreen.efficiency.bootstrap`: every replication gets its own
seed spawned from the user's seed (so that no backend or chunking changes a number),
and the basic and percentile bootstrap intervals and their dual p-values.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

__all__ = ["CI_METHODS", "boot_p", "interval", "seed_chunks"]

CI_METHODS = ("basic", "percentile")


def seed_chunks(reps: int, seed: int, parallel: bool) -> list[tuple[Any, ...]]:
    """The replications' seeds (one each, spawned from ``seed``) in chunks.

    A replication depends only on its own seed, so the chunk size (50 when serial,
    to keep a progress bar light; smaller when parallel, to balance the workers)
    never changes a number.

    Examples
    --------
    >>> [len(c) for c in seed_chunks(120, 0, parallel=False)]
    [50, 50, 20]
    >>> a = seed_chunks(5, 7, parallel=True)[0][0].generate_state(1)
    >>> b = seed_chunks(5, 7, parallel=False)[0][0].generate_state(1)
    >>> bool((a == b).all())
    True
    """
    seeds = np.random.SeedSequence(seed).spawn(reps)
    size = min(50, max(1, math.ceil(reps / 16))) if parallel else 50
    return [tuple(seeds[i : i + size]) for i in range(0, reps, size)]


def interval(
    estimate: np.ndarray, draws: np.ndarray, level: float, method: str
) -> tuple[np.ndarray, np.ndarray]:
    """Bootstrap interval of ``estimate`` (one per column of ``draws``) at ``level``.

    ``basic``: ``[2·est − q(1−α/2), 2·est − q(α/2)]`` — the distribution of ``est −
    true`` approximated by that of ``draw − est`` (Simar & Wilson 1998, 2007);
    ``percentile``: ``[q(α/2), q(1−α/2)]``. Quantiles (numpy's default, linear
    interpolation) skip failed (NaN) draws.

    Examples
    --------
    >>> import numpy as np
    >>> draws = np.arange(1.0, 102.0)[:, None]  # 1 .. 101
    >>> lo, hi = interval(np.array([50.0]), draws, 0.9, "basic")
    >>> round(float(lo[0]), 6), round(float(hi[0]), 6)
    (4.0, 94.0)
    >>> lo, hi = interval(np.array([50.0]), draws, 0.9, "percentile")
    >>> round(float(lo[0]), 6), round(float(hi[0]), 6)
    (6.0, 96.0)
    """
    a = (1.0 - level) / 2.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns
        lo_q, hi_q = np.nanquantile(draws, [a, 1.0 - a], axis=0)
    if method == "percentile":
        return lo_q, hi_q
    return 2.0 * estimate - hi_q, 2.0 * estimate - lo_q


def boot_p(estimate: np.ndarray, draws: np.ndarray, method: str) -> np.ndarray:
    """Two-sided bootstrap p-values dual to the intervals of ``method``.

    0 is outside the basic interval at level ``1 − α`` exactly when ``α > 2·min(P*(β*
    ≤ 2β̂), P*(β* ≥ 2β̂))`` (``≤ 0``/``≥ 0`` for the percentile interval); the counts
    get the usual +1, ``p = 2·(min(k₋, k₊) + 1)/(B + 1)``, so that p is never 0.

    Examples
    --------
    >>> import numpy as np
    >>> draws = np.r_[np.full(9, 1.0), -1.0][:, None]
    >>> boot_p(np.array([0.5]), draws, "percentile").round(4).tolist()
    [0.3636]
    """
    centre = 2.0 * estimate if method == "basic" else np.zeros_like(estimate)
    ok = ~np.isnan(draws)
    below = ((draws <= centre) & ok).sum(axis=0)
    above = ((draws >= centre) & ok).sum(axis=0)
    n = ok.sum(axis=0)
    return np.minimum(1.0, 2.0 * (np.minimum(below, above) + 1.0) / (n + 1.0))
