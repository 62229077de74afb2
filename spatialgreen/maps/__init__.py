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
- :mod:`~spatialgreen.maps.point_layers` — :func:`flows`, :func:`points`, :func:`pairs`;
- :mod:`~spatialgreen.maps.palettes` — the colours every picture shares (web maps
  and :mod:`spatialgreen.figures`);
- ``_render``, ``_controls``, ``_offline``, ``_output`` — the shared polygon layer,
  legend, title, year slider, offline asset inliner and HTML writer.
"""

from ._output import save, to_html
from .point_layers import flows, pairs, points
from .polygons import categorical, choropleth, draw, lisa

__all__ = [
    "categorical",
    "choropleth",
    "draw",
    "flows",
    "lisa",
    "pairs",
    "points",
    "save",
    "to_html",
]
