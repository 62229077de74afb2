"""Global spatial autocorrelation of panel variables, one row per period (esda).

:func:`moran_by_year`, :func:`geary_by_year`, :func:`getis_ord_by_year` and
:func:`bivariate_moran` give the "Moran's I by year" table of every regional
green-development paper. The analytical statistics are esda's; the permutation
inference (``p_sim``, ``z_sim``) permutes the values with a local
``numpy.random.RandomState(seed)`` — the same draws esda makes after
``numpy.random.seed(seed)``, evaluated together in numpy — so the p-values equal
esda's (up to ties, see :mod:`._permutation`), while numpy's global generator is
neither read nor changed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, check_int
from ._by_period import Settings, check_varies, quiet
from ._permutation import global_test

__all__ = ["bivariate_moran", "geary_by_year", "getis_ord_by_year", "moran_by_year"]

_Row = Callable[..., dict]  # row(weights, settings, *values) -> dict


def _check_options(permutations: int, seed: int) -> None:
    """Refuse negative permutation counts and seeds before any work, naming them."""
    check_int(permutations, "permutations", minimum=0)
    check_int(seed, "seed", minimum=0)


def _global_by_year(
    data: pd.DataFrame, columns: list[str], settings: Settings, row: _Row
) -> pd.DataFrame:
    """One ``row(weights, settings, *values)`` per period, keyed by period and n."""
    rows = []
    time = settings.time
    for period, frame in settings.cross_sections(data, columns):
        weights = settings.weights(frame)
        values = [frame[c].to_numpy(float) for c in columns]
        check_varies(columns, values, period=period, time=time, what="autocorrelation")
        with quiet():
            found = row(weights, settings, *values)
        rows.append({**({time: period} if time else {}), "n": len(frame), **found})
    return pd.DataFrame(rows)


def moran_by_year(
    data: pd.DataFrame,
    column: str,
    *,
    w: Any,
    unit: str = "unit",
    time: str | None = "year",
    permutations: int = 999,
    seed: int = 0,
    transform: str = "r",
    two_tailed: bool = True,
    allow_islands: bool = False,
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
        Seed of the permutations: the same seed gives the same ``p_sim``, equal to
        esda's after ``numpy.random.seed(seed)``; numpy's global generator is not
        used.
    transform : str
        Weights transformation (``"r"`` row-standardised).
    two_tailed : bool
        Two-sided normal p-values.
    allow_islands : bool
        Keep units without neighbours (their lag is 0) instead of raising
        :class:`~spatialgreen.errors.WeightsError`.

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
    _check_options(permutations, seed)
    settings = Settings(
        w, unit, time, permutations, seed, transform, allow_islands=allow_islands
    )
    row = functools.partial(_moran_row, two_tailed=two_tailed)
    return _global_by_year(data, [column], settings, row)


def geary_by_year(
    data: pd.DataFrame,
    column: str,
    *,
    w: Any,
    unit: str = "unit",
    time: str | None = "year",
    permutations: int = 999,
    seed: int = 0,
    transform: str = "r",
) -> pd.DataFrame:
    """Geary's C of ``column`` for every period (esda ``Geary``).

    Returns one row per period: ``n, C, expected_C (= 1), var_C, z, p_norm, p_sim``
    (normality assumption; ``C < 1`` means positive autocorrelation). Seeded
    permutations as in :func:`moran_by_year`.

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
    _check_options(permutations, seed)
    settings = Settings(w, unit, time, permutations, seed, transform)
    return _global_by_year(data, [column], settings, _geary_row)


def getis_ord_by_year(
    data: pd.DataFrame,
    column: str,
    *,
    w: Any,
    unit: str = "unit",
    time: str | None = "year",
    permutations: int = 999,
    seed: int = 0,
) -> pd.DataFrame:
    """Getis–Ord General G of ``column`` for every period (esda ``G``).

    General G is defined on binary weights; esda converts ``w`` to binary. The
    variable must be non-negative. One row per period: ``n, G, expected_G, var_G, z,
    p_norm, p_sim``. Seeded permutations as in :func:`moran_by_year`.

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
    if (data[column] < 0).any():
        raise DataError(
            f"General G needs a non-negative variable; column {column!r} has "
            "negative values"
        )
    _check_options(permutations, seed)
    settings = Settings(w, unit, time, permutations, seed, "b")
    return _global_by_year(data, [column], settings, _getis_ord_row)


def bivariate_moran(
    data: pd.DataFrame,
    x: str,
    y: str,
    *,
    w: Any,
    unit: str = "unit",
    time: str | None = "year",
    permutations: int = 999,
    seed: int = 0,
    transform: str = "r",
) -> pd.DataFrame:
    """Bivariate Moran's I between ``x`` and the spatial lag of ``y``, by period.

    ``I_xy = z_x' W z_y / z_x' z_x`` (esda ``Moran_BV``; ``z`` standardised), e.g.
    green TFP against the neighbours' environmental regulation. Inference is by
    permutation only (``p_sim``, ``z_sim``; seeded as in :func:`moran_by_year`).

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
    _check_options(permutations, seed)
    settings = Settings(w, unit, time, permutations, seed, transform)
    return _global_by_year(data, [x, y], settings, _bivariate_row)


# ------------------------------------------------- one period: esda + permutations
# esda gives the statistics; each one is restated below for a block of permuted
# value vectors (rows of ``v``) so the draws are evaluated together in numpy.


def _permute(
    statistic: Callable[[np.ndarray], np.ndarray],
    values: np.ndarray,
    settings: Settings,
    width: int = 0,
) -> tuple[float, float]:
    return global_test(
        statistic,
        values,
        permutations=settings.permutations,
        seed=settings.seed,
        width=width,
    )


def _analytical(
    result: Any,
    name: str,
    expected: float,
    variance: float,
    *,
    randomisation: bool = True,
) -> dict:
    """esda's statistic ``name`` with its mean, variance and normal-theory z and p
    (and the randomisation z and p)."""
    out = {
        name: getattr(result, name),
        f"expected_{name}": expected,
        f"var_{name}": variance,
        "z": result.z_norm,
        "p_norm": result.p_norm,
    }
    if randomisation:
        out.update(z_rand=result.z_rand, p_rand=result.p_rand)
    return out


def _moran_row(
    weights: Any, settings: Settings, y: np.ndarray, *, two_tailed: bool
) -> dict:
    import esda

    m = esda.Moran(
        y,
        weights,
        transformation=settings.transform,
        permutations=0,
        two_tailed=two_tailed,
    )
    z = y - y.mean()
    sparse, n, s0, z2ss = m.w.sparse, len(y), m.w.s0, (z * z).sum()

    def moran(v: np.ndarray) -> np.ndarray:
        return n / s0 * (v * (sparse @ v.T).T).sum(axis=1) / z2ss

    p_sim, z_sim = _permute(moran, z, settings)
    return {**_analytical(m, "I", m.EI, m.VI_norm), "p_sim": p_sim, "z_sim": z_sim}


def _geary_row(weights: Any, settings: Settings, y: np.ndarray) -> dict:
    import esda

    g = esda.Geary(y, weights, transformation=settings.transform, permutations=0)
    focal, neighbor = g.w.sparse.nonzero()
    links, n = g.w.sparse.data, len(y)
    deviation = y - y.mean()
    den = sum(deviation * deviation) * g.w.s0 * 2.0

    def geary(v: np.ndarray) -> np.ndarray:
        return (n - 1) * ((v[:, focal] - v[:, neighbor]) ** 2 @ links) / den

    return {
        **_analytical(g, "C", g.EC, g.VC_norm),
        "p_sim": _permute(geary, y, settings, width=links.size)[0],
    }


def _getis_ord_row(weights: Any, settings: Settings, y: np.ndarray) -> dict:
    import esda

    g = esda.G(y, weights, permutations=0)
    sparse = g.w.sparse
    den_sum = y.sum() ** 2 - (y * y).sum()  # Σ_{i≠j} y_i y_j, as esda's

    def general_g(v: np.ndarray) -> np.ndarray:
        return (v * (sparse @ v.T).T).sum(axis=1) / den_sum

    return {
        **_analytical(g, "G", g.EG, g.VG, randomisation=False),
        "p_sim": _permute(general_g, y, settings)[0],
    }


def _bivariate_row(
    weights: Any, settings: Settings, x: np.ndarray, y: np.ndarray
) -> dict:
    import esda

    m = esda.Moran_BV(x, y, weights, transformation=settings.transform, permutations=0)
    sparse, zx, den = m.w.sparse, m.zx, len(x) - 1.0

    def moran_bv(zy: np.ndarray) -> np.ndarray:
        return (zx * (sparse @ zy.T).T).sum(axis=1) / den

    p_sim, z_sim = _permute(moran_bv, m.zy, settings)
    return {"I": m.I, "p_sim": p_sim, "z_sim": z_sim}
