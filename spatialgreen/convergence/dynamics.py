"""Distribution dynamics: kernel densities by period and Markov chains.

Kernel densities by year (``scipy.stats.gaussian_kde``) and classic or spatial
Markov transition matrices (numpy; quantile classes from ``mapclassify``). The
chains follow giddy's ``Markov`` and ``Spatial_Markov`` (same classes, counts,
probabilities and homogeneity tests, checked against giddy's output saved under
``tests/reference/convergence``) without giddy's dependencies (quantecon, numba,
sympy, seaborn).

References
----------
Rey, S. J. (2001) Spatial empirics for economic growth and convergence.
*Geographical Analysis* 33(3):195–214 (spatial Markov chains).
Bickenbach, F. & Bode, E. (2003) Evaluating the Markov property in studies of
economic convergence. *International Regional Science Review* 26(3):363–392
(homogeneity tests ``Q`` and ``LR``).
Silverman, B. W. (1986) *Density Estimation for Statistics and Data Analysis*.
Chapman & Hall, §2.10 (reflection at a boundary).
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import (
    DataError,
    OptionError,
    SpatialGreenWarning,
    check_int,
    check_number,
)
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
    bounds: tuple[float | None, float | None] | None = None,
) -> pd.DataFrame:
    """Gaussian kernel density of ``column`` for each period, as a tidy table.

    All periods share one grid (default ``points`` values, an integer >= 2, spanning
    the pooled range widened by three pooled bandwidths), so curves can be drawn on
    common axes or as a 3-D surface. ``bw_method`` goes to
    ``scipy.stats.gaussian_kde`` (Scott's rule by default).

    The Gaussian kernel has unbounded support: by default its tails, and the grid,
    extend below the smallest value, also below 0 for a variable that cannot be
    negative (efficiency scores, intensities). ``bounds=(0, None)`` (or ``(0, 1)``
    for scores capped at 1) declares the variable's support: the density is
    reflected at each finite bound (Silverman 1986, §2.10), so no mass falls
    outside, the grid stops at the bounds and values outside them are an error.
    With one bound the reflected density integrates to exactly 1.

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
    >>> float(kernel_density(df, "y", points=50, bounds=(0, None))["value"].min())
    0.0
    """
    points = check_int(points, "points", minimum=2)
    _check_finite(data, column, time)
    low, high = _check_bounds(bounds, data, column, time)
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
        start = values.min() - pad if low is None else max(low, values.min() - pad)
        stop = values.max() + pad if high is None else min(high, values.max() + pad)
        points_at = np.linspace(start, stop, points)
    else:
        points_at = np.asarray(grid, dtype=float)
        if points_at.ndim != 1 or points_at.size == 0:
            raise OptionError("grid: must be a non-empty sequence of numbers")
        if not np.isfinite(points_at).all():
            raise OptionError("grid: must hold finite numbers only")
    frames = []
    for t, frame in slices:
        density = _density(
            frame[column].to_numpy(float), points_at, bw_method, (low, high)
        )
        frames.append(pd.DataFrame({time: t, "value": points_at, "density": density}))
    return pd.concat(frames, ignore_index=True)


def _density(
    sample: np.ndarray,
    at: np.ndarray,
    bw_method: str | float | None,
    bounds: tuple[float | None, float | None] = (None, None),
) -> np.ndarray:
    """``gaussian_kde(sample)(at)``, reflected at each finite bound, 0 outside them.

    Neither scipy nor statsmodels corrects a kernel density at a boundary; the
    reflection method adds the mirror image of the estimate at the bound,
    ``f(x) + f(2·low − x)``, on top of scipy's estimate (tested against that
    formula and for unit mass in ``tests/test_bad_inputs_more.py``).
    """
    from scipy.stats import gaussian_kde

    kde = gaussian_kde(sample, bw_method=bw_method)
    density = kde(at)
    low, high = bounds
    if low is not None:
        density = density + kde(2.0 * low - at)
    if high is not None:
        density = density + kde(2.0 * high - at)
    outside = np.zeros(at.shape, dtype=bool)
    if low is not None:
        outside |= at < low
    if high is not None:
        outside |= at > high
    return np.where(outside, 0.0, density)


def _check_bounds(
    bounds: Any, data: pd.DataFrame, column: str, time: str
) -> tuple[float | None, float | None]:
    """``bounds`` as ``(low, high)`` (None for open ends) holding every value."""
    if bounds is None:
        return None, None
    if isinstance(bounds, str) or not isinstance(bounds, Sequence) or len(bounds) != 2:
        raise OptionError(
            f"bounds={bounds!r}: must be (low, high), each a number or None"
        )
    low = check_number(bounds[0], "bounds[0]", none=True)
    high = check_number(bounds[1], "bounds[1]", none=True)
    if low is not None and high is not None and not low < high:
        raise OptionError(f"bounds={bounds!r}: low must be below high")
    values = pd.to_numeric(data[column], errors="coerce")
    outside = ((values < low) if low is not None else False) | (
        (values > high) if high is not None else False
    )
    if np.any(outside):
        years = sorted(set(data.loc[outside, time].tolist()))[:10]
        raise DataError(
            f"column {column!r} has values outside bounds={tuple(bounds)} "
            f"in {time} {years}"
        )
    return low, high


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
        ``unit``, ``time``, ``class`` (0 = lowest) of every observation (and
        ``lag_class``, the class of its spatial lag, for spatial chains).
    steady_state : pandas.DataFrame
        (``lag_class``,) ``class``, ``probability``.
    bins : list of float
        Upper bounds of the classes (pooled quantiles; empty for ``fixed=False``).
    meta : dict
        ``model``, ``k``, ``fixed``; for spatial chains the homogeneity tests
        ``Q``, ``Q_p``, ``LR``, ``LR_p`` and their degrees of freedom ``dof``.
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

    def _summary_tables(self) -> dict[str, pd.DataFrame]:
        """Transition probabilities (per lag class if spatial) and steady state."""
        spatial = "lag_class" in self.transitions.columns
        lags = sorted(self.transitions["lag_class"].unique()) if spatial else [None]
        out = {
            f"[transitions] P(to | from){'' if lag is None else f', lag class {lag}'}":
            self.matrix(lag)
            for lag in lags
        }  # fmt: skip
        out["[steady_state]"] = self.steady_state
        return out


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
    """(Spatial) Markov transition matrices of ``k`` quantile classes.

    Classes are quantiles of the pooled values (``fixed=True``, comparable over
    time) or of each period (``fixed=False``, relative position). With spatial
    weights ``w`` a spatial Markov chain (Rey 2001) conditions the transitions on
    the class of each unit's spatial lag at the start of the transition (``k``
    quantile classes of the lags, pooled or by period as the values); ``w`` is
    aligned to the units by :func:`spatialgreen.geo.weights.weights_for` and
    row-standardised. The panel must be balanced.

    Transition probabilities are the counts over their row sums (maximum
    likelihood). A class never left from has an empty row: in a classic chain its
    probabilities stay 0 and its steady state is NaN; in a spatial chain, as in
    giddy's ``fill_empty_classes=True``, it is made absorbing (probability 1 of
    staying) so that every lag-conditioned matrix is stochastic. The spatial
    chain's ``meta`` carries Bickenbach & Bode's (2003) homogeneity tests of the
    lag-conditioned matrices: ``Q``, ``LR``, their p-values and degrees of
    freedom ``dof``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"u": list("abcd") * 3, "t": [1] * 4 + [2] * 4 + [3] * 4,
    ...                    "y": [1.0, 2, 3, 4, 3, 1, 2, 4, 3, 1, 2, 4]})
    >>> r = markov(df, "y", unit="u", time="t", k=2)
    >>> r.matrix().to_numpy().tolist()
    [[0.75, 0.25], [0.25, 0.75]]
    """
    check_int(k, "k", minimum=2)
    info = validate_panel(
        data, unit=unit, time=time, columns=[column], require_balanced=True
    )
    wide = data.pivot(index=unit, columns=time, values=column).loc[list(info.units)]
    y = wide.to_numpy(float)
    if y.shape[1] < 2:
        raise DataError(f"a Markov chain needs two periods or more; {time!r} has one")
    ids, bins = _quantile_classes(y, k, fixed, column)
    meta: dict[str, Any] = {
        "model": "spatial Markov" if w is not None else "Markov",
        "k": k,
        "fixed": fixed,
    }
    if w is None:
        counts = _transition_counts(ids, np.zeros_like(ids), 1, k)[0]
        probs = _row_probabilities(counts, fill_empty=False)
        transitions = _tidy_matrix(counts, probs, None)
        steady = pd.DataFrame({"class": np.arange(k), "probability": _steady(probs)})
    else:
        from ..geo.weights import weights_for

        aligned = weights_for(w, list(info.units), transform="r")
        lag_ids, _ = _quantile_classes(aligned.sparse @ y, k, fixed, f"lag of {column}")
        counts = _transition_counts(ids, lag_ids, k, k)
        probs = _row_probabilities(counts, fill_empty=True)
        transitions = pd.concat(
            [_tidy_matrix(counts[m], probs[m], m) for m in range(k)],
            ignore_index=True,
        )
        steady = pd.concat(
            [
                pd.DataFrame(
                    {
                        "lag_class": m,
                        "class": np.arange(k),
                        "probability": _steady(probs[m]),
                    }
                )
                for m in range(k)
            ],
            ignore_index=True,
        )
        meta.update(_homogeneity(counts))
    classes = pd.DataFrame(ids, index=wide.index, columns=wide.columns).stack()
    classes = classes.rename("class").reset_index()
    if w is not None:
        classes["lag_class"] = lag_ids.ravel()
    return MarkovResults(transitions, classes, steady, [float(b) for b in bins], meta)


def _quantile_classes(
    y: np.ndarray, k: int, fixed: bool, what: str
) -> tuple[np.ndarray, list[float]]:
    """Quantile class (0 … k − 1) of every cell of ``y`` (units × periods), pooled
    (``fixed``: with the class upper bounds) or period by period (giddy's rule)."""
    import mapclassify

    with warnings.catch_warnings():
        # Silenced: only mapclassify's "Not enough unique values in array to form
        # k classes. Setting k to …" (UserWarning), raised when tied values merge
        # quantile bounds. Harmless: the classes it returns are the ones used (as
        # in giddy), and when a class ends up empty the SpatialGreenWarning below
        # says so in our words. Anything else still reaches the user.
        warnings.filterwarnings(
            "ignore",
            message=r"Not enough unique values in array to form",
            category=UserWarning,
            module=r"mapclassify\.",
        )
        if fixed:
            q = mapclassify.Quantiles(y.ravel(), k=k)
            ids, bins = q.yb.reshape(y.shape), list(q.bins)
        else:
            ids = np.column_stack(
                [mapclassify.Quantiles(y[:, j], k=k).yb for j in range(y.shape[1])]
            )
            bins = []
    found = int(ids.max()) + 1
    if found < k:
        warnings.warn(
            f"{what}: only {found} of the {k} quantile classes are distinct "
            "(tied values); the upper classes are empty",
            SpatialGreenWarning,
            stacklevel=3,
        )
    return ids, bins


def _transition_counts(
    ids: np.ndarray, lag_ids: np.ndarray, m: int, k: int
) -> np.ndarray:
    """``(m, k, k)`` counts of transitions from period t to t + 1 by the lag class
    at t, the class at t and the class at t + 1."""
    counts = np.zeros((m, k, k))
    np.add.at(counts, (lag_ids[:, :-1], ids[:, :-1], ids[:, 1:]), 1.0)
    return counts


def _row_probabilities(counts: np.ndarray, *, fill_empty: bool) -> np.ndarray:
    """Row-normalised counts; empty rows stay 0 or, with ``fill_empty``, become
    absorbing (1 on the diagonal), as giddy's ``fill_empty_classes``."""
    rows = counts.sum(axis=-1, keepdims=True)
    probs = counts / np.where(rows == 0, 1.0, rows)
    if fill_empty:
        empty = rows[..., 0] == 0
        diagonal = np.broadcast_to(np.eye(counts.shape[-1], dtype=bool), probs.shape)
        probs[diagonal & empty[..., None]] = 1.0
    return probs


def _homogeneity(counts: np.ndarray) -> dict:
    """Bickenbach & Bode (2003) Q and LR tests that the ``m`` lag-conditioned
    transition matrices (``counts``: m × k × k) are one matrix (as giddy's
    ``homogeneity``; cells with no pooled or regime transitions drop out)."""
    from scipy.stats import chi2

    pooled = counts.sum(axis=0)
    n_i = pooled.sum(axis=1)
    p_ij = pooled / np.where(n_i == 0, 1.0, n_i)[:, None]
    n_im = counts.sum(axis=2)
    p_ijm = counts / np.where(n_im == 0, 1.0, n_im)[:, :, None]
    den = np.where(p_ij == 0, 1.0, p_ij)
    q = float((n_im[:, :, None] * (p_ijm - p_ij) ** 2 / den).sum())
    used = (counts > 0) & (p_ij > 0)
    ratio = np.where(used, p_ijm, 1.0) / np.where(used, p_ij, 1.0)
    lr = 2.0 * float((counts * np.log(ratio)).sum())
    regimes = (n_im > 0).sum(axis=0)
    cells = (pooled > 0).sum(axis=1)
    dof = int(((regimes - 1) * (cells - 1)).sum())
    return {
        "LR": lr,
        "LR_p": float(chi2.sf(lr, dof)),
        "Q": q,
        "Q_p": float(chi2.sf(q, dof)),
        "dof": dof,
    }


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
