"""Deprecated alias of :mod:`spatialgreen.composite` (moved in 0.2).

Composite indices (normalisation, entropy weights, PCA) serve decoupling and
econometrics alike, so they live in one module, :mod:`spatialgreen.composite`.
Kept for one release.
"""

from __future__ import annotations

from typing import Any

from ..errors import _moved_module

__getattr__: Any = _moved_module(__name__, "spatialgreen.composite")
