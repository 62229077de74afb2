"""Private building blocks of :mod:`spatialgreen.maps` and :mod:`spatialgreen.figures`.

Palettes and category vocabularies (``_palettes``), the HTML legend, title and year
slider (``_controls``), and the offline asset inliner (``_offline``).
"""

from __future__ import annotations

__all__: list[str] = []
