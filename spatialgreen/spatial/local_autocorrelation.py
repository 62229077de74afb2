"""Local spatial autocorrelation per unit and period: LISA and local G (esda).

:func:`lisa`, :func:`bivariate_lisa` and :func:`local_g` give one row per unit and
period with the cluster (or hot/cold spot) labels ready to map; :func:`lisa`
carries the Moran scatterplot data (``z_value``, ``z_lag``) for
:func:`spatialgreen.figures.moran_scatter`. The statistics are esda's; their
conditional permutations run in numpy (:mod:`._permutation`) with esda's draws for
a given ``seed``, so ``p_sim`` equals esda's without numba's per-process compile.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, OptionError, check_choice, check_int, check_number
from ._by_period import Settings, check_varies, quiet
from ._permutation import conditional_test

__all__ = ["bivariate_lisa", "lisa", "local_g"]

_QUADRANTS = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}


def _check_options(permutations: int, seed: int, alpha: float, adjust: Any) -> None:
    """Refuse out-of-range inference options before any work, naming them."""
    check_int(permutations, "permutations", minimum=0)
    check_int(seed, "seed", minimum=0)
    check_number(alpha, "alpha", low=0, high=1, closed=(False, False))
    check_choice(adjust, "adjust", (None, "fdr", "bonferroni"))


def lisa(
    data: pd.DataFrame,
    column: str,
    *,
    w: Any,
    unit: str = "unit",
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
    _check_options(permutations, seed, alpha, adjust)
    settings = Settings(w, unit, time, permutations, seed, transform, alpha, adjust)
    return _local_moran(data, [column], settings, scaling=scaling)


def bivariate_lisa(
    data: pd.DataFrame,
    x: str,
    y: str,
    *,
    w: Any,
    unit: str = "unit",
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
    _check_options(permutations, seed, alpha, adjust)
    settings = Settings(w, unit, time, permutations, seed, transform, alpha, adjust)
    return _local_moran(data, [x, y], settings, scaling=scaling)


def _local_moran(
    data: pd.DataFrame, columns: list[str], settings: Settings, *, scaling: str
) -> pd.DataFrame:
    """Local Moran of ``columns[0]`` against the lag of the last column."""
    import esda

    if scaling not in ("spdep", "esda"):
        raise DataError(f"scaling must be 'spdep' or 'esda'; got {scaling!r}")
    frames = []
    for period, frame in settings.cross_sections(data, columns):
        weights = settings.weights(frame)
        values = [frame[c].to_numpy(float) for c in columns]
        check_varies(columns, values, period=period, time=settings.time, what="LISA")
        with quiet():
            if len(columns) == 1:
                local = esda.Moran_Local(
                    values[0],
                    weights,
                    transformation=settings.transform,
                    permutations=0,
                )
                own_z, lag_z = local.z, local.z
            else:
                local = esda.Moran_Local_BV(
                    *values, weights, transformation=settings.transform, permutations=0
                )
                own_z, lag_z = local.zx, local.zy
        p_sim, z_sim = _moran_inference(local, own_z, lag_z, settings)
        own, lagged = values[0], values[-1]
        n = len(own)
        factor = n / (n - 1) if scaling == "spdep" else 1.0
        quadrant = [_QUADRANTS[int(q)] for q in local.q]
        significant = settings.significant(p_sim, n)
        fields = {
            "value": own,
            "z_value": (own - own.mean()) / own.std(),
            "z_lag": weights.sparse @ ((lagged - lagged.mean()) / lagged.std()),
            "Ii": local.Is * factor,
            "z": z_sim,
            "p_sim": p_sim,
            "quadrant": quadrant,
            "significant": significant,
            "cluster": np.where(significant, quadrant, "ns"),
        }
        frames.append(settings.table(frame, period, fields))
    return pd.concat(frames, ignore_index=True)


def _moran_inference(
    local: Any, own_z: np.ndarray, lag_z: np.ndarray, settings: Settings
) -> tuple[np.ndarray, np.ndarray]:
    """``p_sim`` and ``z_sim`` of esda's (bivariate) local Moran ``local`` by
    conditional randomisation: ``I_i = z_i (Σ_j w_ij z_j) (n − 1) / Σ z²`` over
    esda's draws of the neighbours' ``lag_z`` (esda ``crand``)."""
    scale = (len(own_z) - 1) / local.den

    def statistic(rows: np.ndarray, lag: np.ndarray) -> np.ndarray:
        return own_z[rows, None] * lag * scale

    return conditional_test(
        local.w.sparse,
        lag_z,
        local.Is,
        statistic,
        permutations=settings.permutations,
        seed=settings.seed,
    )


def local_g(
    data: pd.DataFrame,
    column: str,
    *,
    w: Any,
    unit: str = "unit",
    time: str | None = None,
    star: bool = True,
    permutations: int = 999,
    seed: int = 0,
    alpha: float = 0.05,
    adjust: str | None = None,
    transform: str = "r",
) -> pd.DataFrame:
    """Local Getis–Ord G (``star=True``: G*, the unit itself included), hot/cold spots.

    esda ``G_Local``; ``star=True`` adds each unit to its own neighbourhood before
    ``transform``, with the largest weight of its row (1 for binary weights).
    Returns one row per unit (and period): ``value``, ``Gi``, ``z``
    (normal-approximation z of esda, ``Zs``), ``p_norm``, ``p_sim``,
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

    _check_options(permutations, seed, alpha, adjust)
    if not (isinstance(transform, str) and transform.lower() in ("r", "b")):
        raise OptionError(f"transform={transform!r}: must be one of 'r', 'b'")
    # esda applies ``transform`` after adding the self-links of G*: align untransformed
    settings = Settings(w, unit, time, permutations, seed, None, alpha, adjust)
    frames = []
    for period, frame in settings.cross_sections(data, [column]):
        weights = settings.weights(frame)
        values = frame[column].to_numpy(float)
        with quiet():
            g = esda.G_Local(
                values,
                weights,
                transform=transform.upper(),
                permutations=0,
                star=star,
            )
        p_sim, _ = _g_inference(g, values, settings)
        significant = settings.significant(p_sim, len(values))
        fields = {
            "value": values,
            "Gi": g.Gs,
            "z": g.Zs,
            "p_norm": g.p_norm,
            "p_sim": p_sim,
            "significant": significant,
            "spot": np.where(significant, np.where(g.Zs > 0, "hot", "cold"), "ns"),
        }
        frames.append(settings.table(frame, period, fields))
    return pd.concat(frames, ignore_index=True)


def _g_inference(
    g: Any, values: np.ndarray, settings: Settings
) -> tuple[np.ndarray, np.ndarray]:
    """``p_sim`` and ``z_sim`` of esda's local G ``g`` by conditional randomisation:
    ``G_i = Σ_j w_ij y_j / Σ_{j≠i} y_j`` (``G*_i``: the self-weight term included,
    over ``Σ_j y_j``) over esda's draws of the neighbours' values (esda ``crand``)."""
    total = values.sum()

    def statistic(rows: np.ndarray, lag: np.ndarray) -> np.ndarray:
        if g.star:
            return lag / total
        return lag / (total - values[rows, None])

    return conditional_test(
        g.w.sparse,
        values,
        g.Gs,
        statistic,
        permutations=settings.permutations,
        seed=settings.seed,
    )
