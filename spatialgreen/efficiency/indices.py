"""Deprecated alias of :mod:`spatialgreen.efficiency.productivity` (renamed in 0.2).

``spatialgreen.efficiency.indices`` named the Malmquist/ML/GML module like the
composite indices of :mod:`spatialgreen.composite`; import from
``spatialgreen.efficiency`` (or ``.productivity``) instead. Kept for one release.
"""

from __future__ import annotations

from typing import Any

from ..errors import _moved_module

__getattr__: Any = _moved_module(__name__, "spatialgreen.efficiency.productivity")
