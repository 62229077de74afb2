"""Convergence and regional inequality: σ, β, spatial β and club convergence,
Theil and Dagum Gini decompositions, kernel densities and Markov chains.

One module per family, all re-exported here:

- :mod:`~spatialgreen.convergence.beta` — absolute, conditional, panel and spatial
  β-convergence with speeds and half-lives;
- :mod:`~spatialgreen.convergence.inequality` — σ-convergence, Theil and Dagum Gini;
- :mod:`~spatialgreen.convergence.dynamics` — kernel densities and Markov chains;
- :mod:`~spatialgreen.convergence.club` — the Phillips–Sul log t test and clubs.
"""

from .beta import BetaResults, beta, convergence_speed, spatial_beta
from .club import ClubResults, LogTResult, club, log_t
from .dynamics import MarkovResults, kernel_density, markov
from .inequality import (
    DagumGiniResults,
    TheilResults,
    dagum_gini,
    sigma,
    sigma_trend,
    theil,
)

__all__ = [
    "BetaResults",
    "ClubResults",
    "DagumGiniResults",
    "LogTResult",
    "MarkovResults",
    "TheilResults",
    "beta",
    "club",
    "convergence_speed",
    "dagum_gini",
    "kernel_density",
    "log_t",
    "markov",
    "sigma",
    "sigma_trend",
    "spatial_beta",
    "theil",
]
