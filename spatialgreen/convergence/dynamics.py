"""Distribution dynamics: kernel densities by period and Markov chains.

Kernel densities by year (``scipy.stats.gaussian_kde``) and classic or spatial
Markov transition matrices (``giddy``).

References
----------
Rey, S. J. (2001) Spatial empirics for economic growth and convergence.
*Geographical Analysis* 33(3):195–214 (spatial Markov chains).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from ..panel import validate_panel
from ..results import Results

# --------------------------------------------------------------------------------------
# kernel density
# --------------------------------------------------------------------------------------


def kernel_density(
    data: pd.DataFrame,
    column: str,
    *,
    time: str = "year",
    points: int = 200,
    bw_method: str | float | None = None,
    grid: Sequence[float] | None = None,
) -> pd.DataFrame:
    """Gaussian kernel density of ``column`` for each period, as a tidy table.

    All periods share one grid (default ``points`` values spanning the pooled range
    widened by three pooled bandwidths), so curves can be drawn on common axes or
    as a 3-D surface. ``bw_method`` goes to ``scipy.stats.gaussian_kde`` (Scott's
    rule by default).

    Returns
    -------
    pandas.DataFrame
        ``time``, ``value``, ``density``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"year": [1] * 4 + [2] * 4, "y": [1.0, 2, 3, 4, 2, 3, 4, 6]})
    >>> kd = kernel_density(df, "y", time="year", points=50)
    >>> kd.shape, sorted(kd["year"].unique().tolist())
    ((100, 3), [1, 2])
    """
    from scipy.stats import gaussian_kde

    _check_finite(data, column, time)
    slices = list(data.groupby(time, sort=True))
    for t, frame in slices:
        y = frame[column].to_numpy(float)
        if y.size < 2 or np.ptp(y) == 0:
            raise DataError(
                f"kernel density of {column!r} needs two distinct values; "
                f"{time}={t} has {y.size} observation(s), "
                f"{np.unique(y).size} distinct"
            )
    values = data[column].to_numpy(float)
    if grid is None:
        pad = 3.0 * values.std(ddof=1) * values.size ** (-0.2)
        points_at = np.linspace(values.min() - pad, values.max() + pad, points)
    else:
        points_at = np.asarray(grid, dtype=float)
    frames = []
    for t, frame in slices:
        density = gaussian_kde(frame[column].to_numpy(float), bw_method=bw_method)(
            points_at
        )
        frames.append(pd.DataFrame({time: t, "value": points_at, "density": density}))
    return pd.concat(frames, ignore_index=True)


def _check_finite(data: pd.DataFrame, column: str, time: str) -> None:
    for c in (column, time):
        if c not in data.columns:
            raise DataError(f"column {c!r} not found")
    values = pd.to_numeric(data[column], errors="coerce")
    bad = ~np.isfinite(values.to_numpy(float))
    if bad.any():
        years = sorted(set(data.loc[bad, time].tolist()))
        raise DataError(
            f"column {column!r} has missing or non-finite values in {time} {years}"
        )


# --------------------------------------------------------------------------------------
# Markov chains
# --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class MarkovResults(Results):
    """Markov transition matrices of classes (classic or spatial).

    Attributes
    ----------
    transitions : pandas.DataFrame
        Tidy: (``lag_class`` for spatial chains,) ``from_class``, ``to_class``,
        ``count``, ``probability``.
    classes : pandas.DataFrame
        ``unit``, ``time``, ``class`` (0 = lowest) of every observation.
    steady_state : pandas.DataFrame
        (``lag_class``,) ``class``, ``probability``.
    bins : list of float
        Upper bounds of the classes.
    """

    transitions: pd.DataFrame
    classes: pd.DataFrame
    steady_state: pd.DataFrame
    bins: list = dataclasses.field(default_factory=list)
    meta: dict = dataclasses.field(default_factory=dict)

    def matrix(self, lag_class: int | None = None) -> pd.DataFrame:
        """The k × k transition probability matrix (of one lag class if spatial)."""
        t = self.transitions
        if lag_class is not None:
            t = t.loc[t["lag_class"] == lag_class]
        return t.pivot(index="from_class", columns="to_class", values="probability")


def markov(
    data: pd.DataFrame,
    column: str,
    *,
    unit: str = "unit",
    time: str = "year",
    k: int = 4,
    w: Any | None = None,
    fixed: bool = True,
) -> MarkovResults:
    """(Spatial) Markov transition matrices of ``k`` quantile classes (via giddy).

    Classes are quantiles of the pooled values (``fixed=True``, comparable over
    time) or of each period (``fixed=False``, relative position). With spatial
    weights ``w`` a spatial Markov chain (Rey 2001) conditions the transitions on
    the class of each unit's spatial lag at the start of the transition; ``w`` is
    aligned to the units by :func:`spatialgreen.geo.weights.weights_for` and
    row-standardised. The panel must be balanced.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"u": list("abcd") * 3, "t": [1] * 4 + [2] * 4 + [3] * 4,
    ...                    "y": [1.0, 2, 3, 4, 3, 1, 2, 4, 3, 1, 2, 4]})
    >>> r = markov(df, "y", unit="u", time="t", k=2)
    >>> r.matrix().to_numpy().tolist()
    [[0.75, 0.25], [0.25, 0.75]]
    """
    import giddy.markov as gm
    import mapclassify

    meta: dict[str, Any]
    info = validate_panel(
        data, unit=unit, time=time, columns=[column], require_balanced=True
    )
    wide = data.pivot(index=unit, columns=time, values=column).loc[list(info.units)]
    y = wide.to_numpy(float)
    if w is None:
        if fixed:
            bins = list(mapclassify.Quantiles(y.ravel(), k=k).bins)
            ids = np.searchsorted(np.asarray(bins), y, side="left")
        else:
            ids = np.column_stack(
                [mapclassify.Quantiles(y[:, j], k=k).yb for j in range(y.shape[1])]
            )
            bins = []
        chain = gm.Markov(ids, classes=np.arange(k), summary=False)
        counts = np.asarray(chain.transitions, dtype=float)
        probs = np.asarray(chain.p, dtype=float)
        transitions = _tidy_matrix(counts, probs, None)
        steady = pd.DataFrame({"class": np.arange(k), "probability": _steady(probs)})
    else:
        from ..geo.weights import weights_for

        aligned = weights_for(w, list(info.units), transform="r")
        chain = gm.Spatial_Markov(
            y, aligned, k=k, m=k, fixed=fixed, fill_empty_classes=True
        )
        ids = np.asarray(chain.class_ids)
        bins = list(np.asarray(chain.cutoffs).ravel()) if fixed else []
        frames, steady_frames = [], []
        for lag in range(k):
            counts = np.asarray(chain.T[lag], dtype=float)
            probs = np.asarray(chain.P[lag], dtype=float)
            frames.append(_tidy_matrix(counts, probs, lag))
            steady_frames.append(
                pd.DataFrame(
                    {
                        "lag_class": lag,
                        "class": np.arange(k),
                        "probability": _steady(probs),
                    }
                )
            )
        transitions = pd.concat(frames, ignore_index=True)
        steady = pd.concat(steady_frames, ignore_index=True)
    classes = pd.DataFrame(ids, index=wide.index, columns=wide.columns).stack()
    classes = classes.rename("class").reset_index()
    meta = {
        "model": "spatial Markov" if w is not None else "Markov",
        "k": k,
        "fixed": fixed,
    }
    if w is not None:
        # homogeneity of the lag-conditioned matrices (Rey 2001; Bickenbach–Bode)
        meta.update(
            LR=float(chain.LR),
            LR_p=float(chain.LR_p_value),
            Q=float(chain.Q),
            Q_p=float(chain.Q_p_value),
        )
    return MarkovResults(transitions, classes, steady, [float(b) for b in bins], meta)


def _tidy_matrix(
    counts: np.ndarray, probs: np.ndarray, lag: int | None
) -> pd.DataFrame:
    k = counts.shape[0]
    frm, to = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
    table = pd.DataFrame(
        {
            "from_class": frm.ravel(),
            "to_class": to.ravel(),
            "count": counts.ravel(),
            "probability": probs.ravel(),
        }
    )
    if lag is not None:
        table.insert(0, "lag_class", lag)
    return table


def _steady(p: np.ndarray) -> np.ndarray:
    """Stationary distribution (left unit eigenvector); NaN if a class is never left
    from (an empty row makes the matrix non-stochastic)."""
    rows_ok = np.isclose(p.sum(axis=1), 1.0)
    if not rows_ok.all():
        return np.full(p.shape[0], np.nan)
    vals, vecs = np.linalg.eig(p.T)
    v = np.real(vecs[:, np.argmin(np.abs(vals - 1.0))])
    return v / v.sum()
