"""Panel econometrics for green-TFP studies, on top of linearmodels.

The battery of an applied GTFP paper in one place: composite indices (PCA, entropy
weights), two-way fixed effects with clustered standard errors, mediation (stepwise,
Sobel, cluster bootstrap), moderation with marginal effects, lagged regressors,
alternative dependent variables, permutation placebo tests, group heterogeneity with
an equality test, Tobit models for bounded scores (pooled and random effects),
descriptive statistics, and journal-style regression tables
(CSV, XLSX, LaTeX, HTML, and the three-line table as DOCX and RTF).

Examples
--------
>>> import numpy as np, pandas as pd
>>> from spatialgreen import econometrics as em
>>> rng = np.random.default_rng(0)
>>> idx = pd.MultiIndex.from_product([range(12), range(2010, 2015)])
    >>> df = idx.to_frame(index=False, name=["unit", "year"])
>>> df["x"] = rng.normal(size=60)
>>> df["y"] = 0.5 * df["x"] + rng.normal(size=60)
>>> fit = em.fixed_effects(df, y="y", x="x", cluster="unit")
>>> table = em.regression_table([fit])
>>> table.table.iloc[1, 0]
'x'
"""

from __future__ import annotations

from ..composite import IndexResults, entropy_index, normalize, pca_index
from .describe import DescriptiveTable, describe
from .fixed_effects import FixedEffectsResults, fixed_effects
from .hausman import HausmanResults, hausman
from .heterogeneity import HeterogeneityResults, heterogeneity
from .lags import lag, lag_name, lagged
from .mediation import MediationResults, mediation, sobel_test
from .modelset import ModelSetResults
from .moderation import ModerationResults, moderation
from .placebo import PlaceboResults, placebo
from .random_effects import RandomEffectsResults, random_effects
from .robustness import robustness
from .spec import RegressionSpec, load_spec, run_spec
from .tables import RegressionTable, regression_table
from .tobit import TobitMarginalEffects, TobitResults, tobit

__all__ = [
    "DescriptiveTable",
    "FixedEffectsResults",
    "HausmanResults",
    "HeterogeneityResults",
    "IndexResults",
    "MediationResults",
    "ModelSetResults",
    "ModerationResults",
    "PlaceboResults",
    "RandomEffectsResults",
    "RegressionSpec",
    "RegressionTable",
    "TobitMarginalEffects",
    "TobitResults",
    "describe",
    "entropy_index",
    "fixed_effects",
    "hausman",
    "heterogeneity",
    "lag",
    "lag_name",
    "lagged",
    "load_spec",
    "mediation",
    "moderation",
    "normalize",
    "pca_index",
    "placebo",
    "random_effects",
    "regression_table",
    "robustness",
    "run_spec",
    "sobel_test",
    "tobit",
]
