"""From yearbook to panel: capital stock, prices, missing values, structure indices.

Every function takes the tidy long panel (one row per unit and year) and column
names, returns new columns (a Series aligned with the input rows) or a results
object, never changes its input, and names the unit, year and column at fault in
its errors. The ``spatialgreen prepare`` command runs the same steps on a file.

========================================  ==========================================
capital                                   :func:`capital_stock` (perpetual inventory)
prices                                    :func:`chain_index`, :func:`unchain_index`,
                                          :func:`rebase_index`, :func:`deflate`,
                                          :func:`real_gdp`
missing values                            :func:`impute` (flags and a report)
structure and agglomeration               :func:`location_quotient`,
                                          :func:`krugman_index`,
                                          :func:`specialisation_index`,
                                          :func:`diversification_index`,
                                          :func:`structure_ratio`,
                                          :func:`advanced_structure_index`
transforms                                :func:`per_capita`, :func:`growth_rate`,
                                          :func:`wide_to_long`
========================================  ==========================================

Examples
--------
>>> import pandas as pd
>>> from spatialgreen.prepare import chain_index, deflate
>>> df = pd.DataFrame({"unit": ["a"] * 3, "year": [2010, 2011, 2012],
...                    "gdp": [100.0, 110.0, 121.0], "cpi": [None, 110.0, 100.0]})
>>> df["cpi_2010"] = chain_index(df, "cpi")
>>> deflate(df, "gdp", "cpi_2010").round(6).tolist()   # 110/1.1, 121/1.1
[100.0, 100.0, 110.0]
"""

from __future__ import annotations

from .capital import BASE_METHODS, CapitalStockResults, capital_stock
from .missing import IMPUTE_METHODS, ImputationResults, impute
from .prices import chain_index, deflate, real_gdp, rebase_index, unchain_index
from .structure import (
    advanced_structure_index,
    diversification_index,
    krugman_index,
    location_quotient,
    specialisation_index,
    structure_ratio,
)
from .transform import growth_rate, per_capita, wide_to_long

__all__ = [
    "BASE_METHODS",
    "IMPUTE_METHODS",
    "CapitalStockResults",
    "ImputationResults",
    "advanced_structure_index",
    "capital_stock",
    "chain_index",
    "deflate",
    "diversification_index",
    "growth_rate",
    "impute",
    "krugman_index",
    "location_quotient",
    "per_capita",
    "real_gdp",
    "rebase_index",
    "specialisation_index",
    "structure_ratio",
    "unchain_index",
    "wide_to_long",
]
