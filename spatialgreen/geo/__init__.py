"""Boundaries, unit names, region groupings and spatial weights of Chinese regions.

- :func:`load_boundaries` — province (34), city (370) or county (2,875) polygons in
  WGS84 with adcode (``int``), Chinese/English names, parent province, groupings,
  label points, area centroids and areas; ``crs="gcj02"`` for AMap tiles.
- :func:`match_units` — what users write (Chinese, English, pinyin, traditional
  characters, historical names, adcodes) → adcodes, or an
  :class:`~spatialgreen.errors.UnmatchedUnitError` listing every failure.
- :func:`join_units` — attach a tidy (unit, [year], values) table to the polygons.
- :mod:`~spatialgreen.geo.regions` — east/central/west, NBS four regions, Yangtze
  River Economic Belt, YRD 26, Jing-Jin-Ji, PRD 9, YRD 41/27 (2019), Greater Bay
  Area, Chengdu–Chongqing; study sets; user groupings.
- :mod:`~spatialgreen.geo.lists` — official unit lists with their sources
  (:func:`load_list`, :func:`official_lists`, :func:`resource_cities`) and the
  2014 city-size classes (:func:`city_size_class`).
- :func:`spatial_weights` — queen/rook (full-resolution adjacency), k-nearest,
  distance band, inverse distance, economic and nested weights as
  ``libpysal.graph.Graph`` with an explicit island policy;
  :func:`weights_for_units` for a data set's named units, :func:`polygon_weights`
  for any GeoDataFrame's own polygons, :func:`read_weights` for GAL/GWT/CSV files,
  :func:`weights_for` to align any weights with the data's units.

Examples
--------
>>> from spatialgreen.geo import load_boundaries, match_units
>>> match_units(["广东", "Guangxi"])
[440000, 450000]
>>> len(load_boundaries("city"))
370
"""

from __future__ import annotations

from . import regions
from .boundaries import join_units, load_boundaries, unit_table
from .lists import (
    ListNotShippedError,
    city_size_class,
    list_template,
    load_list,
    official_lists,
    resource_cities,
)
from .names import match_units, normalize_name
from .regions import grouping_table, read_grouping, study_units
from .weights import (
    align_weights,
    describe_weights,
    great_circle_km,
    polygon_weights,
    read_weights,
    relabel_weights,
    spatial_weights,
    weights_for,
    weights_for_units,
    weights_recipe,
)

__all__ = [
    "ListNotShippedError",
    "align_weights",
    "city_size_class",
    "describe_weights",
    "great_circle_km",
    "grouping_table",
    "join_units",
    "list_template",
    "load_boundaries",
    "load_list",
    "match_units",
    "normalize_name",
    "official_lists",
    "polygon_weights",
    "read_grouping",
    "read_weights",
    "regions",
    "relabel_weights",
    "resource_cities",
    "spatial_weights",
    "study_units",
    "unit_table",
    "weights_for",
    "weights_for_units",
    "weights_recipe",
]
