"""Spatial statistics and spatial econometrics.

Global and local autocorrelation by year (:mod:`.autocorrelation`), cross-sectional
spatial regression (:mod:`.regression`), fixed-effects spatial panels
(:mod:`.panel`), LeSage–Pace effects (:mod:`.effects`) and spatial heterogeneity
(:mod:`.heterogeneity`). Every function takes a tidy DataFrame, column names and a
``libpysal`` ``Graph`` or ``W`` (e.g. from :func:`spatialgreen.spatial_weights`) whose
ids are the unit ids; the weights are aligned to the data and checked for missing
units and islands.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from libpysal.weights import lat2W
>>> from spatialgreen.spatial import moran_by_year
>>> df = pd.DataFrame({"unit": list(range(9)) * 2, "year": [1] * 9 + [2] * 9,
...                    "v": [1, 2, 3, 2, 3, 4, 3, 4, 5] + [5, 1, 4, 2, 3, 1, 4, 2, 5]})
>>> moran_by_year(df, "v", w=lat2W(3, 3), unit="unit", time="year",
...               permutations=0)["I"].round(3).tolist()
[0.556, -0.75]
"""

from __future__ import annotations

from .autocorrelation import (
    bivariate_lisa,
    bivariate_moran,
    geary_by_year,
    getis_ord_by_year,
    lisa,
    local_g,
    moran_by_year,
)
from .effects import SpatialMultiplier, impacts
from .heterogeneity import (
    GWRResults,
    RegimeResults,
    gwr,
    spatial_regimes,
    subgroup_regression,
)
from .panel import hausman_test, spatial_panel
from .regression import SpatialRegressionResults, spatial_regression

__all__ = [
    "GWRResults",
    "RegimeResults",
    "SpatialMultiplier",
    "SpatialRegressionResults",
    "bivariate_lisa",
    "bivariate_moran",
    "geary_by_year",
    "getis_ord_by_year",
    "gwr",
    "hausman_test",
    "impacts",
    "lisa",
    "local_g",
    "moran_by_year",
    "spatial_panel",
    "spatial_regimes",
    "spatial_regression",
    "subgroup_regression",
]
