"""Reference technologies: which observations span the frontier an observation faces.

* ``contemporaneous`` — the observations of the same period;
* ``sequential`` — all observations up to and including the period (Shestalova 2003):
  no technical regress is possible;
* ``window`` — the ``window`` periods ending at the period (``t-window+1 .. t``);
  ``window=1`` is contemporaneous and ``window >= T`` is sequential;
* ``global`` — every observation of every period (Pastor & Lovell 2005; Oh 2010).

A cross-section (no time column) has one period, so all four coincide.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..errors import ModelError

__all__ = ["TECHNOLOGIES", "reference_groups", "reference_periods"]

TECHNOLOGIES = ("contemporaneous", "sequential", "window", "global")


def reference_periods(
    n_periods: int, technology: str = "contemporaneous", window: int | None = None
) -> list[np.ndarray]:
    """Positions of the periods spanning the technology of each period.

    Parameters
    ----------
    n_periods : int
        Number of (sorted) periods.
    technology : {"contemporaneous", "sequential", "window", "global"}
        The reference technology.
    window : int, optional
        Width of the window (required for ``"window"``).

    Returns
    -------
    list of ndarray
        Element ``p`` holds the period positions of the technology of period ``p``.

    Examples
    --------
    >>> [r.tolist() for r in reference_periods(3, "sequential")]
    [[0], [0, 1], [0, 1, 2]]
    >>> [r.tolist() for r in reference_periods(4, "window", window=2)]
    [[0], [0, 1], [1, 2], [2, 3]]
    """
    if technology not in TECHNOLOGIES:
        raise ModelError(
            f"technology must be one of {', '.join(TECHNOLOGIES)}; got {technology!r}"
        )
    if technology == "window":
        if window is None or int(window) != window or window < 1:
            raise ModelError(
                f"technology='window' needs an integer window >= 1; got {window!r}"
            )
    elif window is not None:
        raise ModelError(f"window={window!r} is only used with technology='window'")
    out = []
    for p in range(n_periods):
        if technology == "contemporaneous":
            lo, hi = p, p
        elif technology == "sequential":
            lo, hi = 0, p
        elif technology == "window":
            lo, hi = max(0, p - int(window) + 1), p  # type: ignore[arg-type]
        else:
            lo, hi = 0, n_periods - 1
        out.append(np.arange(lo, hi + 1))
    return out


def reference_groups(
    period_of_obs: np.ndarray,
    n_periods: int,
    technology: str = "contemporaneous",
    window: int | None = None,
    evaluated: Sequence[int] | None = None,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Pairs (reference observations, evaluated observations), one per frontier.

    Parameters
    ----------
    period_of_obs : ndarray of int
        Period position of every observation.
    n_periods : int
        Number of periods.
    technology, window
        See :func:`reference_periods`.
    evaluated : sequence of int, optional
        Periods whose observations are evaluated (default: all).

    Returns
    -------
    list of (ndarray, ndarray)
        Observation indices (sorted) of each reference set and of the observations
        evaluated against it. The global technology is a single group.

    Examples
    --------
    >>> import numpy as np
    >>> groups = reference_groups(np.array([0, 0, 1, 1]), 2, "sequential")
    >>> [(r.tolist(), e.tolist()) for r, e in groups]
    [([0, 1], [0, 1]), ([0, 1, 2, 3], [2, 3])]
    """
    period_of_obs = np.asarray(period_of_obs)
    periods = range(n_periods) if evaluated is None else evaluated
    ref_periods = reference_periods(n_periods, technology, window)
    if technology == "global":
        ev = np.flatnonzero(np.isin(period_of_obs, list(periods)))
        return [(np.arange(period_of_obs.size), ev)]
    groups = []
    for p in periods:
        ref = np.flatnonzero(np.isin(period_of_obs, ref_periods[p]))
        ev = np.flatnonzero(period_of_obs == p)
        if ev.size:
            groups.append((ref, ev))
    return groups
