"""Write a map as one self-contained HTML page (offline by default)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import DataError

if TYPE_CHECKING:
    import folium

__all__ = ["save", "to_html"]


def to_html(fmap: folium.Map, *, offline: bool = True) -> str:
    """The map as one HTML page (Leaflet inlined when ``offline``).

    In a notebook without internet, show it with
    ``IPython.display.HTML(f'<iframe srcdoc="{html.escape(page)}" width="100%"
    height="600"></iframe>')``: folium's own notebook view loads Leaflet from a CDN.

    Examples
    --------
    >>> import pandas as pd
    >>> from spatialgreen.maps import points
    >>> page = to_html(points(pd.DataFrame({"lon": [116.4], "lat": [39.9]})))
    >>> page.startswith("<!DOCTYPE html>") and "cdn.jsdelivr" not in page
    True
    """
    from ._offline import inline_assets

    page = fmap.get_root().render()
    return inline_assets(page) if offline else page


def save(
    fmap: folium.Map,
    path: str | os.PathLike[str],
    *,
    offline: bool = True,
) -> Path:
    """Write the map as one HTML file; with ``offline`` no file is fetched from a CDN.

    Offline pages inline Leaflet's JavaScript and CSS (from the ``xstatic-leaflet``
    package) and drop the CDN assets spatialgreen maps do not use. Tiles, if any,
    still come from their server; without tiles the polygons show on a plain
    background.

    Returns
    -------
    pathlib.Path
        The written file.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> from spatialgreen.maps import points
    >>> m = points(pd.DataFrame({"lon": [116.4], "lat": [39.9]}))
    >>> out = save(m, pathlib.Path(tempfile.mkdtemp()) / "m.html")
    >>> "cdn.jsdelivr" in out.read_text(encoding="utf-8")
    False
    """
    from .._io import atomic_write

    if Path(path).suffix.lower() not in {".html", ".htm"}:
        raise DataError(f"maps are saved as .html, not {Path(path).name!r}")
    page = to_html(fmap, offline=offline)

    def _write(tmp: Path) -> None:
        tmp.write_text(page, encoding="utf-8")

    return atomic_write(path, _write)
