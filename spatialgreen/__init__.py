"""spatialgreen: measure and map green development of Chinese regions.

Green total factor productivity and eco-efficiency (DEA, SBM, EBM, DDF, Malmquist,
ML and GML indices, SFA, three-stage DEA), decoupling and catch-up, convergence and
inequality, cluster–belt matching and technology flows, spatial statistics and
spatial econometrics, and web maps of every result — on shipped province and
prefecture-city polygons.

Submodules are imported lazily, so ``import spatialgreen`` and the command line
start fast; ``spatialgreen.efficiency``, ``spatialgreen.maps`` and the rest load on
first use.

Examples
--------
>>> import spatialgreen as sg
>>> sg.__version__ != ""
True
>>> issubclass(sg.UnmatchedUnitError, sg.SpatialGreenError)
True
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from . import accessor as accessor  # registers ``GeoDataFrame.spatialgreen`` (pandas)
from .errors import (
    ConvergenceError,
    DataError,
    DependencyError,
    InfeasibleError,
    ModelError,
    PanelError,
    SpatialGreenError,
    UnmatchedUnitError,
    WeightsError,
)

try:
    __version__ = version("spatialgreen")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

_SUBMODULES = {
    "accessor",
    "clusters",
    "convergence",
    "datasets",
    "decoupling",
    "econometrics",
    "efficiency",
    "figures",
    "flows",
    "geo",
    "maps",
    "panel",
    "report",
    "results",
    "scenarios",
    "spatial",
}

# public name -> module that defines it (imported on first access)
_LAZY = {
    "read_panel": "panel",
    "read_table": "panel",
    "validate_panel": "panel",
    "balance_panel": "panel",
    "Results": "results",
    "compare": "results",
    "load_boundaries": "geo",
    "match_units": "geo",
    "join_units": "geo",
    "spatial_weights": "geo",
    "regions": "geo",
}

__all__ = [
    "ConvergenceError",
    "DataError",
    "DependencyError",
    "InfeasibleError",
    "ModelError",
    "PanelError",
    "SpatialGreenError",
    "UnmatchedUnitError",
    "WeightsError",
    "__version__",
    *sorted(_LAZY),
    *sorted(_SUBMODULES),
]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    if name in _LAZY:
        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        value = getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'spatialgreen' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
