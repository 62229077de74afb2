"""Spatial weights: the one home of every weights matrix in spatialgreen.

- :mod:`~spatialgreen.geo.weights.build` — :func:`spatial_weights` builds contiguity,
  k-nearest, distance, economic and nested weights for the shipped units;
  :func:`weights_for_units` builds them for a data set's units (names or adcodes)
  and :func:`polygon_weights` gives contiguity of any GeoDataFrame's own polygons;
- :mod:`~spatialgreen.geo.weights.files` — :func:`read_weights` reads GAL, GWT and
  CSV edge-list files;
- :mod:`~spatialgreen.geo.weights.align` — :func:`weights_for` and
  :func:`align_weights` coerce a user's ``Graph`` or ``W`` to the data's units
  (order, missing and extra units, islands); :func:`relabel_weights` and
  :func:`describe_weights` rename ids and record how the weights were built.
"""

from .align import (
    align_weights,
    describe_weights,
    relabel_weights,
    weights_for,
    weights_ids,
)
from .build import (
    EARTH_RADIUS_KM,
    great_circle_km,
    polygon_weights,
    spatial_weights,
    weights_for_units,
    weights_recipe,
)
from .files import read_weights

__all__ = [
    "EARTH_RADIUS_KM",
    "align_weights",
    "describe_weights",
    "great_circle_km",
    "polygon_weights",
    "read_weights",
    "relabel_weights",
    "spatial_weights",
    "weights_for",
    "weights_for_units",
    "weights_ids",
    "weights_recipe",
]
