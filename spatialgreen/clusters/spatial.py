"""Spatial view of cluster–belt matches: counts and rates per unit, Moran's I.

:func:`spatial_view` takes the frames of a cluster–belt match (what
``ClusterMatchResults.spatial`` passes) and computes Moran's I through
:func:`spatialgreen.spatial.moran_by_year`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from ..geo.weights.align import align_weights
from ..results import Results
from ..spatial.autocorrelation import moran_by_year

__all__ = ["ClusterSpatialResults", "spatial_view"]

_MORAN_COLUMNS = ("I", "expected_I", "z_norm", "p_norm", "p_sim")


@dataclasses.dataclass(frozen=True)
class ClusterSpatialResults(Results):
    """Per-unit counts and rates (a GeoDataFrame) and their Moran's I.

    ``units`` has ``clusters`` (clusters with a city in the unit), ``belts``,
    ``colocated`` and ``matched`` clusters, ``colocation_rate`` and ``match_rate``
    (per cluster; NaN where a unit has no cluster, since a rate of nothing is
    undefined). ``moran`` has one row per variable: ``I``, ``expected_I``, ``z_norm``,
    ``p_norm``, ``p_sim`` and the number of units used (rates use only units with
    clusters, on the weights restricted to them).
    """

    units: pd.DataFrame
    moran: pd.DataFrame
    meta: dict = dataclasses.field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables without the polygons (CSV and Excel cannot hold them).

        Write the polygons with ``units.to_file(...)`` (GeoPackage, GeoJSON).
        """
        out = super().tables()
        out["units"] = pd.DataFrame(self.units).drop(
            columns="geometry", errors="ignore"
        )
        return out


def spatial_view(
    cluster_points: pd.DataFrame,
    belt_points: pd.DataFrame,
    cluster_matches: pd.DataFrame,
    *,
    level: str = "city",
    w: Any | None = None,
    permutations: int = 999,
    seed: int = 0,
) -> ClusterSpatialResults:
    """Counts and rates of cluster–belt matches per city or province, with Moran's I.

    Parameters
    ----------
    cluster_points, belt_points, cluster_matches : pandas.DataFrame
        The frames of the same names of a
        :class:`~spatialgreen.clusters.ClusterMatchResults` (``adcode`` per cluster
        city and per belt; co-located and matched belts per cluster).
    level : {"city", "province"}
        Units to count in (the shipped polygons).
    w : libpysal Graph or W, optional
        Weights over all units of ``level``; default queen contiguity with islands
        linked to their nearest unit.
    permutations, seed : int
        Permutations for the pseudo p-value of Moran's I and their seed.

    Returns
    -------
    ClusterSpatialResults

    Examples
    --------
    >>> import pandas as pd
    >>> clusters = pd.DataFrame({"cluster": ["a"], "adcode": [320500]})
    >>> belts = pd.DataFrame({"belt": ["b"], "adcode": [320500]})
    >>> per_cluster = pd.DataFrame({"cluster": ["a"], "colocated_belts": [1],
    ...                             "matched_belts": [1]})
    >>> view = spatial_view(clusters, belts, per_cluster, level="province",
    ...                     permutations=0)
    >>> view.units.set_index("adcode").loc[320000, ["clusters", "matched"]].tolist()
    [1, 1]
    """
    from .. import geo

    if level not in ("city", "province"):
        raise DataError(f"level must be 'city' or 'province', got {level!r}")
    polygons = geo.load_boundaries("city" if level == "city" else "province")
    ids = polygons["adcode"].tolist()
    points = cluster_points
    belts = belt_points
    per_cluster = cluster_matches.set_index("cluster")

    def unit_of(codes: pd.Series) -> pd.Series:
        return codes // 10000 * 10000 if level == "province" else codes

    cl_units = points.assign(unit=unit_of(points["adcode"]))[
        ["cluster", "unit"]
    ].drop_duplicates()
    cl_units = cl_units.join(
        per_cluster[["colocated_belts", "matched_belts"]], on="cluster"
    )
    counts = pd.DataFrame(index=pd.Index(ids, name="adcode"))
    counts["clusters"] = cl_units.groupby("unit")["cluster"].nunique()
    counts["belts"] = unit_of(belts["adcode"]).value_counts()
    counts["colocated"] = (
        cl_units[cl_units["colocated_belts"] > 0].groupby("unit")["cluster"].nunique()
    )
    counts["matched"] = (
        cl_units[cl_units["matched_belts"] > 0].groupby("unit")["cluster"].nunique()
    )
    counts = counts.fillna(0).astype(int)
    located = set(cl_units["unit"]) | set(unit_of(belts["adcode"]))
    outside = sorted(located - set(ids), key=str)
    if outside:
        raise DataError(
            f"cluster or belt places absent from the {level} polygons: {outside[:20]}"
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        counts["colocation_rate"] = np.where(
            counts["clusters"] > 0, counts["colocated"] / counts["clusters"], np.nan
        )
        counts["match_rate"] = np.where(
            counts["clusters"] > 0, counts["matched"] / counts["clusters"], np.nan
        )
    units = polygons.merge(counts, left_on="adcode", right_index=True, how="left")

    graph = (
        w
        if w is not None
        else geo.spatial_weights(level, kind="queen", islands="nearest", transform=None)
    )
    full = align_weights(graph, ids, transform=None, allow_islands=True, kind="Graph")
    rows = []
    for var in (
        "clusters",
        "belts",
        "colocated",
        "matched",
        "colocation_rate",
        "match_rate",
    ):
        values = counts[var]
        keep = values.notna().to_numpy()
        rows.append(
            _moran(
                var,
                values[keep],
                full.subgraph(values.index[keep]) if not keep.all() else full,
                permutations,
                seed,
            )
        )
    moran = pd.DataFrame(rows)
    return ClusterSpatialResults(
        units=units,
        moran=moran,
        meta={"level": level, "permutations": permutations, "seed": seed},
    )


def _moran(
    var: str, values: pd.Series, graph: Any, permutations: int, seed: int
) -> dict[str, Any]:
    ids = values.index.tolist()
    row: dict[str, Any] = {"variable": var, "n": len(ids)}
    # the normal-approximation variance of I divides by (n - 3)
    if len(ids) < 4 or values.nunique() < 2:
        note = "fewer than 4 units or a constant variable: Moran's I undefined"
        return {**row, **dict.fromkeys(_MORAN_COLUMNS, np.nan), "note": note}
    frame = pd.DataFrame({"adcode": ids, var: values.to_numpy(dtype=float)})
    table = moran_by_year(
        frame,
        var,
        w=graph,
        unit="adcode",
        time=None,
        permutations=permutations,
        seed=seed,
        allow_islands=True,
    )
    found = table.iloc[0].rename({"z": "z_norm"})
    return {**row, **{c: float(found[c]) for c in _MORAN_COLUMNS}, "note": ""}
