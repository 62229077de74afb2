"""Global and local spatial autocorrelation of panel variables, year by year (esda).

Global statistics (:func:`moran_by_year`, :func:`geary_by_year`,
:func:`getis_ord_by_year`, :func:`bivariate_moran`; module
:mod:`~spatialgreen.spatial.global_autocorrelation`) give one tidy row per period —
the "Moran's I by year" table of every regional green-development paper. Local
statistics (:func:`lisa`, :func:`bivariate_lisa`, :func:`local_g`; module
:mod:`~spatialgreen.spatial.local_autocorrelation`) give one row per unit and period
with the cluster labels ready to map, and :func:`lisa` carries the Moran
scatterplot data (``z_value``, ``z_lag``) for
:func:`spatialgreen.figures.moran_scatter`.

All statistics are computed by esda; spatialgreen aligns the weights to the data of
each period, runs the permutation inference in vectorised numpy
(:mod:`~spatialgreen.spatial._permutation`: esda's algorithm and, for a given
``seed``, esda's draws, without numba's per-process compile and without touching
numpy's global generator) and tidies the output. Permutation p-values are pseudo
p-values ``(M + 1)/(R + 1)``, ``M`` the draws at least as extreme as the observed
value; they equal esda's except where a draw ties with the observed value, which
counts here in either tail. This module is the one place to import them from; the
two modules above hold the code.

Examples
--------
>>> import pandas as pd
>>> from libpysal.weights import lat2W
>>> df = pd.DataFrame({"unit": range(9), "v": [1, 2, 3, 2, 3, 4, 3, 4, 5]})
>>> a = moran_by_year(df, "v", w=lat2W(3, 3), unit="unit", time=None, seed=1)
>>> b = moran_by_year(df, "v", w=lat2W(3, 3), unit="unit", time=None, seed=1)
>>> bool(a["p_sim"].equals(b["p_sim"]))
True
"""

from __future__ import annotations

from .global_autocorrelation import (
    bivariate_moran,
    geary_by_year,
    getis_ord_by_year,
    moran_by_year,
)
from .local_autocorrelation import bivariate_lisa, lisa, local_g

__all__ = [
    "bivariate_lisa",
    "bivariate_moran",
    "geary_by_year",
    "getis_ord_by_year",
    "lisa",
    "local_g",
    "moran_by_year",
]
