"""Global and local spatial autocorrelation of panel variables, year by year (esda).

Global statistics (:func:`moran_by_year`, :func:`geary_by_year`,
:func:`getis_ord_by_year`, :func:`bivariate_moran`) give one tidy row per period —
the "Moran's I by year" table of every regional green-development paper. Local
statistics (:func:`lisa`, :func:`local_g`) give one row per unit and period with the
cluster labels ready to map, and :func:`lisa` carries the Moran scatterplot data
(``z_value``, ``z_lag``) for :func:`spatialgreen.figures.moran_scatter`.

All statistics are computed by esda; this module aligns the weights to the data of
each period, makes permutation inference reproducible (``seed``) and tidies the
output. Permutation p-values are esda's pseudo p-values ``(M + 1)/(R + 1)``.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from ..panel import require_columns, validate_panel
from .regression import weights_for

__all__ = [
    "bivariate_lisa",
    "bivariate_moran",
    "geary_by_year",
    "getis_ord_by_year",
    "lisa",
    "local_g",
    "moran_by_year",
]

_QUADRANTS = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}


@contextlib.contextmanager
def _seeded(seed: int) -> Iterator[None]:
    """Seed numpy's global generator (esda's global statistics draw from it) and
    restore the caller's state afterwards, so runs are reproducible without side
    effects."""
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        np.random.set_state(state)


def _periods(
    data: pd.DataFrame, columns: list[str], unit: str, time: str | None
) -> Iterator[tuple[Any, pd.DataFrame]]:
    """Yield (period, cross-section) pairs after validating the panel keys/values."""
    require_columns(data, [unit, *([time] if time else []), *columns])
    validate_panel(data, unit=unit, time=time, columns=columns)
    if time is None:
        yield None, data
        return
    yield from data.groupby(time, sort=True)


def _global_by_year(
    data: pd.DataFrame,
    columns: list[str],
    *,
    w: Any,
    unit: str,
    time: str | None,
    transform: str,
    seed: int,
    compute: Callable[[list[np.ndarray], Any], dict],
) -> pd.DataFrame:
    rows = []
    for period, frame in _periods(data, columns, unit, time):
        weights = weights_for(w, list(frame[unit]), transform=transform)
        values = [frame[c].to_numpy(float) for c in columns]
        for c, v in zip(columns, values, strict=True):
            if np.ptp(v) == 0:
                where = f" in {time}={period}" if time else ""
                raise DataError(
                    f"column {c!r} is constant{where}; autocorrelation is undefined"
                )
        with _seeded(seed):
            row = compute(values, weights)
        rows.append({**({time: period} if time else {}), "n": len(frame), **row})
    return pd.DataFrame(rows)


def moran_by_year(
    data: pd.DataFrame,
    column: str,
    *,
    w: Any,
    unit: str,
    time: str | None,
    permutations: int = 999,
    seed: int = 0,
    transform: str = "r",
    two_tailed: bool = True,
) -> pd.DataFrame:
    """Global Moran's I of ``column`` for every period of a panel (esda ``Moran``).

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel (or a cross-section with ``time=None``).
    column : str
        Variable to test.
    w : libpysal.graph.Graph or libpysal.weights.W
        Weights on the values of ``unit``; aligned to the units of each period.
    unit, time : str
        Key columns.
    permutations : int
        Random permutations for the pseudo p-value ``p_sim`` (0 to skip).
    seed : int
        Seed of the permutations; the same seed gives the same ``p_sim``.
    transform : str
        Weights transformation (``"r"`` row-standardised).
    two_tailed : bool
        Two-sided normal p-values.

    Returns
    -------
    pandas.DataFrame
        One row per period: ``n, I, expected_I, var_I, z, p_norm, p_sim, z_sim`` —
        ``var_I``, ``z`` and ``p_norm`` under the normality assumption (Cliff & Ord),
        ``z_rand``/``p_rand`` under randomisation.

    Examples
    --------
    >>> import pandas as pd
    >>> from libpysal.weights import lat2W
    >>> df = pd.DataFrame({"unit": list(range(9)) * 2, "year": [1] * 9 + [2] * 9,
    ...                    "v": [1, 2, 3, 2, 3, 4, 3, 4, 5] * 2})
    >>> t = moran_by_year(df, "v", w=lat2W(3, 3), unit="unit", time="year",
    ...                   permutations=99)
    >>> t[["year", "I"]].round(4).to_dict("list")
    {'year': [1, 2], 'I': [0.5556, 0.5556]}
    """
    import esda

    def compute(values: list[np.ndarray], weights: Any) -> dict:
        m = esda.Moran(
            values[0],
            weights,
            transformation=transform,
            permutations=permutations,
            two_tailed=two_tailed,
        )
        return {
            "I": m.I,
            "expected_I": m.EI,
            "var_I": m.VI_norm,
            "z": m.z_norm,
            "p_norm": m.p_norm,
            "z_rand": m.z_rand,
            "p_rand": m.p_rand,
            "p_sim": getattr(m, "p_sim", np.nan) if permutations else np.nan,
            "z_sim": getattr(m, "z_sim", np.nan) if permutations else np.nan,
        }

    return _global_by_year(
        data,
        [column],
        w=w,
        unit=unit,
        time=time,
        transform=transform,
        seed=seed,
        compute=compute,
    )


def geary_by_year(
    data: pd.DataFrame,
    column: str,
    *,
    w: Any,
    unit: str,
    time: str | None,
    permutations: int = 999,
    seed: int = 0,
    transform: str = "r",
) -> pd.DataFrame:
    """Geary's C of ``column`` for every period (esda ``Geary``).

    Returns one row per period: ``n, C, expected_C (= 1), var_C, z, p_norm, p_sim``
    (normality assumption; ``C < 1`` means positive autocorrelation).

    Examples
    --------
    >>> import pandas as pd
    >>> from libpysal.weights import lat2W
    >>> df = pd.DataFrame({"unit": range(9), "v": [1, 2, 3, 2, 3, 4, 3, 4, 5]})
    >>> t = geary_by_year(df, "v", w=lat2W(3, 3), unit="unit", time=None,
    ...                   permutations=0)
    >>> bool(t.loc[0, "C"] < 1)
    True
    """
    import esda

    def compute(values: list[np.ndarray], weights: Any) -> dict:
        g = esda.Geary(
            values[0], weights, transformation=transform, permutations=permutations
        )
        return {
            "C": g.C,
            "expected_C": g.EC,
            "var_C": g.VC_norm,
            "z": g.z_norm,
            "p_norm": g.p_norm,
            "z_rand": g.z_rand,
            "p_rand": g.p_rand,
            "p_sim": g.p_sim if permutations else np.nan,
        }

    return _global_by_year(
        data,
        [column],
        w=w,
        unit=unit,
        time=time,
        transform=transform,
        seed=seed,
        compute=compute,
    )


def getis_ord_by_year(
    data: pd.DataFrame,
    column: str,
    *,
    w: Any,
    unit: str,
    time: str | None,
    permutations: int = 999,
    seed: int = 0,
) -> pd.DataFrame:
    """Getis–Ord General G of ``column`` for every period (esda ``G``).

    General G is defined on binary weights; esda converts ``w`` to binary. The
    variable must be non-negative. One row per period: ``n, G, expected_G, var_G, z,
    p_norm, p_sim``.

    Examples
    --------
    >>> import pandas as pd
    >>> from libpysal.weights import lat2W
    >>> df = pd.DataFrame({"unit": range(9), "v": [1, 2, 3, 2, 3, 4, 3, 4, 5]})
    >>> t = getis_ord_by_year(df, "v", w=lat2W(3, 3), unit="unit", time=None,
    ...                       permutations=0)
    >>> round(float(t.loc[0, "expected_G"]), 4)  # S0 / (n (n - 1)) = 24 / 72
    0.3333
    """
    import esda

    if (data[column] < 0).any():
        raise DataError(
            f"General G needs a non-negative variable; column {column!r} has "
            "negative values"
        )

    def compute(values: list[np.ndarray], weights: Any) -> dict:
        g = esda.G(values[0], weights, permutations=permutations)
        return {
            "G": g.G,
            "expected_G": g.EG,
            "var_G": g.VG,
            "z": g.z_norm,
            "p_norm": g.p_norm,
            "p_sim": g.p_sim if permutations else np.nan,
        }

    return _global_by_year(
        data,
        [column],
        w=w,
        unit=unit,
        time=time,
        transform="b",
        seed=seed,
        compute=compute,
    )


def bivariate_moran(
    data: pd.DataFrame,
    x: str,
    y: str,
    *,
    w: Any,
    unit: str,
    time: str | None,
    permutations: int = 999,
    seed: int = 0,
    transform: str = "r",
) -> pd.DataFrame:
    """Bivariate Moran's I between ``x`` and the spatial lag of ``y``, by period.

    ``I_xy = z_x' W z_y / z_x' z_x`` (esda ``Moran_BV``; ``z`` standardised), e.g.
    green TFP against the neighbours' environmental regulation. Inference is by
    permutation only (``p_sim``, ``z_sim``).

    Examples
    --------
    >>> import pandas as pd
    >>> from libpysal.weights import lat2W
    >>> df = pd.DataFrame({"unit": range(9), "a": [1, 2, 3, 2, 3, 4, 3, 4, 5],
    ...                    "b": [2, 2, 3, 3, 3, 4, 4, 5, 5]})
    >>> t = bivariate_moran(df, "a", "b", w=lat2W(3, 3), unit="unit", time=None,
    ...                     permutations=99)
    >>> bool(t.loc[0, "I"] > 0)
    True
    """
    import esda

    def compute(values: list[np.ndarray], weights: Any) -> dict:
        m = esda.Moran_BV(
            values[0],
            values[1],
            weights,
            transformation=transform,
            permutations=permutations,
        )
        return {
            "I": m.I,
            "p_sim": m.p_sim if permutations else np.nan,
            "z_sim": m.z_sim if permutations else np.nan,
        }

    return _global_by_year(
        data,
        [x, y],
        w=w,
        unit=unit,
        time=time,
        transform=transform,
        seed=seed,
        compute=compute,
    )


def _significance(p: np.ndarray, alpha: float, adjust: str | None) -> np.ndarray:
    """Significant cells after an optional multiple-testing correction."""
    if adjust is None:
        return p <= alpha
    if adjust == "bonferroni":
        return p <= alpha / len(p)
    if adjust == "fdr":
        import esda

        return p <= esda.fdr(p, alpha)
    raise DataError(f"adjust must be None, 'fdr' or 'bonferroni'; got {adjust!r}")


def lisa(
    data: pd.DataFrame,
    column: str,
    *,
    w: Any,
    unit: str,
    time: str | None = None,
    permutations: int = 999,
    seed: int = 0,
    alpha: float = 0.05,
    adjust: str | None = None,
    transform: str = "r",
    scaling: str = "spdep",
) -> pd.DataFrame:
    """Local Moran's I (LISA) per unit and period, with clusters (esda ``Moran_Local``).

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel or cross-section (``time=None``).
    column : str
        Variable to test.
    w : libpysal.graph.Graph or libpysal.weights.W
        Weights on the values of ``unit``.
    unit, time : str
        Key columns.
    permutations, seed : int
        Conditional permutations per unit and their seed (reproducible).
    alpha : float
        Significance level applied to ``p_sim``.
    adjust : {None, "fdr", "bonferroni"}
        Multiple-testing correction within each period (``"fdr"``: Benjamini–Hochberg
        cut-off from ``esda.fdr``; ``"bonferroni"``: ``alpha/n``).
    transform : str
        Weights transformation (``"r"``).
    scaling : {"spdep", "esda"}
        Scaling of ``Ii``. ``"spdep"`` (default, also GeoDa's published formula and
        R ``spdep::localmoran``): ``I_i = z_i Σ_j w_ij z_j / m₂`` with
        ``m₂ = Σ z²/n``, so that with row-standardised weights ``mean(Ii)`` equals
        the global Moran's I. ``"esda"``: esda's ``Is``, which uses ``m₂ = Σz²/(n−1)``
        and is ``(n−1)/n`` times the spdep value. ``z`` and ``p_sim`` do not depend on
        the scaling.

    Returns
    -------
    pandas.DataFrame
        One row per unit (and period): ``value``, ``z_value`` (standardised value,
        population s.d.), ``z_lag`` (its spatial lag; the slope of ``z_lag`` on
        ``z_value`` is Moran's I), ``Ii``, ``z`` (permutation z), ``p_sim``,
        ``quadrant`` (``"HH"``, ``"LL"``, ``"HL"``, ``"LH"``: own value high/low and
        neighbours' high/low), ``significant`` and ``cluster`` (the quadrant if
        significant, else ``"ns"``).

    Examples
    --------
    >>> import pandas as pd
    >>> from libpysal.weights import lat2W
    >>> df = pd.DataFrame({"unit": range(9), "v": [1, 1, 2, 1, 2, 5, 2, 5, 5]})
    >>> out = lisa(df, "v", w=lat2W(3, 3), unit="unit", permutations=99)
    >>> out.loc[0, "quadrant"], out.loc[8, "quadrant"]
    ('LL', 'HH')
    """
    return _local_moran(
        data,
        column,
        None,
        w=w,
        unit=unit,
        time=time,
        permutations=permutations,
        seed=seed,
        alpha=alpha,
        adjust=adjust,
        transform=transform,
        scaling=scaling,
    )


def bivariate_lisa(
    data: pd.DataFrame,
    x: str,
    y: str,
    *,
    w: Any,
    unit: str,
    time: str | None = None,
    permutations: int = 999,
    seed: int = 0,
    alpha: float = 0.05,
    adjust: str | None = None,
    transform: str = "r",
    scaling: str = "spdep",
) -> pd.DataFrame:
    """Bivariate local Moran: ``x`` at each unit against the spatial lag of ``y``.

    esda ``Moran_Local_BV``. With standardised ``z_x``, ``z_y`` (population s.d.),
    ``I_i = z_x,i (W z_y)_i`` in the spdep/GeoDa convention (``scaling="spdep"``,
    default) or ``(n−1)/n`` times that (esda's ``Is``, ``scaling="esda"``). Columns
    as :func:`lisa`, with ``z_lag`` the lag of ``z_y`` and ``quadrant`` read as
    (own ``x`` high/low, neighbours' ``y`` high/low), e.g. ``"HL"``: high green TFP
    surrounded by low environmental regulation.

    Examples
    --------
    >>> import pandas as pd
    >>> from libpysal.weights import lat2W
    >>> df = pd.DataFrame({"unit": range(9), "a": [1, 1, 2, 1, 2, 5, 2, 5, 5],
    ...                    "b": [1, 2, 1, 2, 2, 4, 1, 4, 6]})
    >>> out = bivariate_lisa(df, "a", "b", w=lat2W(3, 3), unit="unit", permutations=0)
    >>> out.loc[8, "quadrant"]
    'HH'
    """
    return _local_moran(
        data,
        x,
        y,
        w=w,
        unit=unit,
        time=time,
        permutations=permutations,
        seed=seed,
        alpha=alpha,
        adjust=adjust,
        transform=transform,
        scaling=scaling,
    )


def _local_moran(
    data: pd.DataFrame,
    column: str,
    other: str | None,
    *,
    w: Any,
    unit: str,
    time: str | None,
    permutations: int,
    seed: int,
    alpha: float,
    adjust: str | None,
    transform: str,
    scaling: str,
) -> pd.DataFrame:
    import esda

    if scaling not in ("spdep", "esda"):
        raise DataError(f"scaling must be 'spdep' or 'esda'; got {scaling!r}")
    columns = [column] if other is None else [column, other]
    frames = []
    for period, frame in _periods(data, columns, unit, time):
        weights = weights_for(w, list(frame[unit]), transform=transform)
        values = frame[column].to_numpy(float)
        lagged = values if other is None else frame[other].to_numpy(float)
        n = len(values)
        for name, v in zip(columns, (values, lagged), strict=False):
            if np.ptp(v) == 0:
                where = f" in {time}={period}" if time else ""
                raise DataError(
                    f"column {name!r} is constant{where}; LISA is undefined"
                )
        options = {
            "transformation": transform,
            "permutations": permutations,
            "seed": seed,
            "keep_simulations": True,  # esda computes z_sim only with the draws
        }
        with _seeded(seed):
            if other is None:
                local = esda.Moran_Local(values, weights, **options)
            else:
                local = esda.Moran_Local_BV(values, lagged, weights, **options)
        z_value = (values - values.mean()) / values.std()
        z_other = (lagged - lagged.mean()) / lagged.std()
        factor = n / (n - 1) if scaling == "spdep" else 1.0
        out = pd.DataFrame({unit: frame[unit].to_numpy()})
        if time:
            out[time] = period
        out["value"] = values
        out["z_value"] = z_value
        out["z_lag"] = weights.sparse @ z_other
        out["Ii"] = local.Is * factor
        out["z"] = local.z_sim if permutations else np.nan
        out["p_sim"] = local.p_sim if permutations else np.nan
        out["quadrant"] = [_QUADRANTS[int(q)] for q in local.q]
        significant = (
            _significance(local.p_sim, alpha, adjust)
            if permutations
            else np.zeros(n, bool)
        )
        out["significant"] = significant
        out["cluster"] = np.where(significant, out["quadrant"], "ns")
        frames.append(out)
    return pd.concat(frames, ignore_index=True)


def local_g(
    data: pd.DataFrame,
    column: str,
    *,
    w: Any,
    unit: str,
    time: str | None = None,
    star: bool = True,
    permutations: int = 999,
    seed: int = 0,
    alpha: float = 0.05,
    adjust: str | None = None,
    transform: str = "r",
) -> pd.DataFrame:
    """Local Getis–Ord G (``star=True``: G*, the unit itself included), hot/cold spots.

    esda ``G_Local``; ``star=True`` adds each unit to its own neighbourhood with
    weight 1 before ``transform``. Returns one row per unit (and period): ``value``,
    ``Gi``, ``z`` (normal-approximation z of esda, ``Zs``), ``p_norm``, ``p_sim``,
    ``significant`` (``p_sim`` after ``adjust``) and ``spot`` (``"hot"``/``"cold"`` if
    significant, else ``"ns"``).

    Examples
    --------
    >>> import pandas as pd
    >>> from libpysal.weights import lat2W
    >>> df = pd.DataFrame({"unit": range(9), "v": [1, 1, 2, 1, 2, 5, 2, 5, 5]})
    >>> g = local_g(df, "v", w=lat2W(3, 3), unit="unit", permutations=99)
    >>> bool(g.loc[8, "z"] > 0 > g.loc[0, "z"])
    True
    """
    import esda

    frames = []
    for period, frame in _periods(data, [column], unit, time):
        weights = weights_for(w, list(frame[unit]), transform=None)
        values = frame[column].to_numpy(float)
        with _seeded(seed):
            g = esda.G_Local(
                values,
                weights,
                transform=transform.upper(),
                permutations=max(permutations, 1),
                star=star,
                seed=seed,
                keep_simulations=False,
                n_jobs=1,
            )
        out = pd.DataFrame({unit: frame[unit].to_numpy()})
        if time:
            out[time] = period
        out["value"] = values
        out["Gi"] = g.Gs
        out["z"] = g.Zs
        out["p_norm"] = g.p_norm
        out["p_sim"] = g.p_sim if permutations else np.nan
        significant = (
            _significance(g.p_sim, alpha, adjust)
            if permutations
            else np.zeros(len(values), bool)
        )
        out["significant"] = significant
        out["spot"] = np.where(significant, np.where(g.Zs > 0, "hot", "cold"), "ns")
        frames.append(out)
    return pd.concat(frames, ignore_index=True)
