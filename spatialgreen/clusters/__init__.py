"""Industrial clusters ↔ online industrial belts: matching by city and industry.

- :mod:`~spatialgreen.clusters.matching` — :func:`match_clusters` and
  :func:`classify_industry` (GB/T 4754-2017 divisions from free text);
- :mod:`~spatialgreen.clusters.spatial` — counts, rates and Moran's I of the matches
  per unit (:func:`spatial_view`, Moran's I through :mod:`spatialgreen.spatial`);
- ``_inputs`` (tables checked, places resolved), ``_shares`` (per-cluster classes
  and the study's shares) and ``_industry`` (GB/T 4754 tables) serve them.
"""

from .matching import ClusterMatchResults, classify_industry, match_clusters
from .spatial import ClusterSpatialResults, spatial_view

__all__ = [
    "ClusterMatchResults",
    "ClusterSpatialResults",
    "classify_industry",
    "match_clusters",
    "spatial_view",
]
