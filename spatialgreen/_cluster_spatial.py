"""Spatial view of cluster–belt matches: counts and rates per unit, Moran's I.

Private helper of :mod:`spatialgreen.clusters` (``ClusterMatchResults.spatial``).
"""

from __future__ import annotations

import dataclasses
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._weights import align_weights
from .errors import DataError
from .results import Results

if TYPE_CHECKING:
    from .clusters import ClusterMatchResults

__all__ = ["ClusterSpatialResults", "spatial_view"]


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
    res: ClusterMatchResults, *, level: str, w: Any, permutations: int, seed: int
) -> ClusterSpatialResults:
    """Counts and rates of ``res`` per city or province, and their Moran's I."""
    from . import geo

    if level not in ("city", "province"):
        raise DataError(f"level must be 'city' or 'province', got {level!r}")
    polygons = geo.load_boundaries("city" if level == "city" else "province")
    ids = polygons["adcode"].tolist()
    points = res.cluster_points
    belts = res.belt_points
    per_cluster = res.cluster_matches.set_index("cluster")

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
    import esda

    ids = values.index.tolist()
    row = {
        "variable": var,
        "n": len(ids),
        "I": np.nan,
        "expected_I": np.nan,
        "z_norm": np.nan,
        "p_norm": np.nan,
        "p_sim": np.nan,
    }
    # the normal-approximation variance of I divides by (n - 3)
    if len(ids) < 4 or values.nunique() < 2:
        row["note"] = "fewer than 4 units or a constant variable: Moran's I undefined"
        return row
    w = align_weights(graph, ids, transform="r", allow_islands=True, kind="W")
    # esda draws permutations from numpy's global generator; seed it for reproducibility
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*islands.*")
            mi = esda.Moran(values.to_numpy(dtype=float), w, permutations=permutations)
    finally:
        np.random.set_state(state)
    row.update(
        I=mi.I,
        expected_I=mi.EI,
        z_norm=mi.z_norm,
        p_norm=mi.p_norm,
        p_sim=mi.p_sim if permutations else np.nan,
        note="",
    )
    return row
