"""Efficiency and productivity: DEA, SBM, EBM, DDF, Malmquist/ML/GML indices, SFA,
three-stage DEA and the Simar–Wilson bootstraps (:func:`bootstrap_dea`,
:func:`sw_truncated_regression`).

Every model is called as ``f(data, *, inputs, outputs, bad_outputs=(), unit="unit",
time=None, rts="crs", orientation=..., technology="contemporaneous", window=None,
super_efficiency=False, n_jobs=1, client=None, progress=None, ...)`` and returns an
:class:`EfficiencyResults`; :func:`productivity_index` returns a
:class:`ProductivityResults`. All LPs go through one HiGHS engine with exact
reference-set reduction (:mod:`._lp`).

Examples
--------
>>> import pandas as pd
>>> from spatialgreen.efficiency import sbm
>>> df = pd.DataFrame({"unit": list("abc"), "x": [1.0, 2.0, 2.0], "y": [1.0, 2.0, 1.0]})
>>> sbm(df, inputs="x", outputs="y").scores["score"].tolist()
[1.0, 1.0, 0.5]
"""

from __future__ import annotations

from .ddf import ddf
from .ebm import affinity_matrix, ebm, ebm_parameters, epsilon_weights
from .productivity import productivity_index
from .radial import dea
from .results import EfficiencyResults, ProductivityResults
from .sbm import sbm
from .technology import reference_periods

__all__ = [
    "EfficiencyResults",
    "ProductivityResults",
    "affinity_matrix",
    "ddf",
    "dea",
    "ebm",
    "ebm_parameters",
    "epsilon_weights",
    "productivity_index",
    "reference_periods",
    "sbm",
]

# statistical inference for DEA scores (Simar & Wilson 1998, 2007); stochastic
# frontiers and three-stage DEA-SFA (the functions shadow their modules, which stay
# importable as spatialgreen.efficiency.sfa / .three_stage via sys.modules)
from .bootstrap import (
    BootstrapDEAResults,
    SWRegressionResults,
    bootstrap_dea,
    sw_truncated_regression,
)
from .sfa import (
    SFAResults,
    kodde_palm_critical_value,
    mixed_chi2_pvalue,
    sfa,
    translog_terms,
)
from .three_stage import (
    ThreeStageDimensionResults,
    ThreeStageResults,
    three_stage,
    three_stage_dimensions,
)

__all__ += [
    "BootstrapDEAResults",
    "SFAResults",
    "SWRegressionResults",
    "ThreeStageDimensionResults",
    "ThreeStageResults",
    "bootstrap_dea",
    "kodde_palm_critical_value",
    "mixed_chi2_pvalue",
    "sfa",
    "sw_truncated_regression",
    "three_stage",
    "three_stage_dimensions",
    "translog_terms",
]
