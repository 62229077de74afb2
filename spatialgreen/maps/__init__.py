"""Web maps of every spatial result: choropleths, categories, LISA, flows, points.

Every renderer takes a GeoDataFrame (or a tidy result plus ``level=``, joined to the
shipped polygons through :func:`spatialgreen.join_units`) and returns a
:class:`folium.Map` the user can keep editing; :func:`save` writes it as one
self-contained HTML file that works without internet.

- :func:`draw` — the map of a column, its kind chosen from the values (a
  choropleth for numbers, fixed colours for categories) or given;
- :mod:`~spatialgreen.maps.polygons` — :func:`choropleth`, :func:`categorical`,
  :func:`lisa` and :func:`draw`;
- :func:`save` / :func:`to_html` — one self-contained (offline) HTML page;
- :func:`static` (:mod:`~spatialgreen.maps.static_maps`) — the same maps as
  matplotlib figures for papers, in the standard
  layout of a map of China (South China Sea inset, north arrow, scale bar; not an
  approved standard map: see :data:`MAP_CAVEAT`);
- :mod:`~spatialgreen.maps.point_layers` — :func:`flows`, :func:`points`, :func:`pairs`;
- :mod:`~spatialgreen.maps.palettes` — the colours every picture shares (web maps
  and :mod:`spatialgreen.figures`);
- ``_render``, ``_controls``, ``_offline``, ``_output`` — the shared polygon layer,
  legend, title, year slider, offline asset inliner and HTML writer;
  ``_static_figure``, ``_static_layout``, ``_static_marks`` — what a static map
  shows and its Figure (fonts, caveat metadata), the projection, inset and
  furniture, and the flow and point marks.
"""

from ._output import save, to_html
from .point_layers import flows, pairs, points
from .polygons import categorical, choropleth, draw, lisa
from .static_maps import MAP_CAVEAT, static

__all__ = [
    "MAP_CAVEAT",
    "categorical",
    "choropleth",
    "draw",
    "flows",
    "lisa",
    "pairs",
    "points",
    "save",
    "static",
    "to_html",
]
