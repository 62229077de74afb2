"""Matplotlib figures that green-development papers show.

Each function takes plain data (a tidy DataFrame or arrays), draws on ``ax`` when one
is given (else on a new figure) and returns the :class:`matplotlib.figure.Figure`.
Save with :func:`save` (PNG at 300 dpi, PDF/SVG with fonts embedded, written
atomically). Axes and legends show readable names, never raw column names unless
asked: a ``labels`` mapping (column -> text) or the name made readable
(:func:`readable_name`: ``gtfp_cum`` -> "Cumulative GTFP"), in English or Chinese
(``language``; Chinese by default when the names or categories are). Chinese text
needs a CJK font: :func:`use_cjk_font` finds an installed one or warns clearly;
every function calls it when it draws Chinese.

- :mod:`~spatialgreen.figures.trends`: :func:`trend_by_group`,
  :func:`sigma_convergence`, :func:`kernel_density` and the 3-D
  :func:`kernel_density_3d`;
- :mod:`~spatialgreen.figures.decoupling`: :func:`decoupling_states` and the
  Tapio classification diagram :func:`tapio_diagram`;
- :mod:`~spatialgreen.figures.diagnostics`: :func:`moran_scatter` and
  :func:`placebo_distribution`.

Examples
--------
>>> import pandas as pd
>>> from spatialgreen import figures
>>> df = pd.DataFrame({"year": [2020, 2021] * 2, "region": ["east"] * 2 + ["west"] * 2,
...                    "gtfp": [1.0, 1.1, 0.8, 0.9]})
>>> fig = figures.trend_by_group(df, "gtfp", time="year", group="region")
>>> len(fig.axes[0].lines), fig.axes[0].get_ylabel()
(2, 'Mean GTFP')
"""

from __future__ import annotations

from ._common import CJK_FONTS, readable_name, save, use_cjk_font
from ._common import _needs_cjk as _needs_cjk  # maps.static_maps draws text too
from .decoupling import decoupling_states, tapio_diagram
from .diagnostics import moran_scatter, placebo_distribution
from .trends import kernel_density, kernel_density_3d, sigma_convergence, trend_by_group

__all__ = [
    "CJK_FONTS",
    "decoupling_states",
    "kernel_density",
    "kernel_density_3d",
    "moran_scatter",
    "placebo_distribution",
    "readable_name",
    "save",
    "sigma_convergence",
    "tapio_diagram",
    "trend_by_group",
    "use_cjk_font",
]
