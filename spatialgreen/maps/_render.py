"""Map scaffolding and the polygon layer shared by every spatialgreen renderer.

Input frames are copied to WGS84 with the unit key in ``_sg_key``; each polygon is
written once with its class id per period (``properties.c``) and its tooltip markup
per period (``properties.tip``), so panels with a year slider stay small.

Maps of China are never missing territory: a frame of shipped provinces (a tidy
table with ``level="province"``, or a GeoDataFrame whose ``adcode`` column holds
province adcodes) is completed to all 34 provincial units, or to the units of
``study=``, those without data drawn in the "no data" style and listed in the
legend. City (and county) maps get the outlines of their provinces for context.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import DataError
from .palettes import NO_DATA_COLOR, NO_DATA_DASH

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

__all__ = [
    "as_geoframe",
    "finish",
    "fmt_value",
    "interval_label",
    "missing_note",
    "new_map",
    "polygons",
    "require",
    "unit_key",
]

_ALL_YEARS = "*"  # the tooltip key of a panel polygon without any data
_STATIC = ""  # the "year" key of a map without a time dimension
_BORDER = {"color": "#555555", "weight": 0.6, "fillOpacity": 0.85}
# Province outlines drawn over city and county maps (context, not data).
_OUTLINE = {"color": "#333333", "weight": 1.2, "opacity": 0.8, "fill": False}
_LEVELS = ("province", "city", "county")


# --------------------------------------------------------------------------- data


def as_geoframe(
    data: Any,
    *,
    level: str | None,
    unit: str | None,
    time: str | None = None,
    study: Any = None,
) -> gpd.GeoDataFrame:
    """A WGS84 GeoDataFrame copy with a RangeIndex and the unit key in ``_sg_key``.

    A frame of shipped units (see the module docstring) is completed with the
    polygons of the level (or of ``study``) that have no data, and its level is
    recorded in ``_sg_level`` (used to draw province outlines under city maps).
    """
    import geopandas as gpd

    joined = None
    if isinstance(data, gpd.GeoDataFrame):
        frame = data
    elif isinstance(data, pd.DataFrame):
        if level is None:
            raise DataError(
                "data has no geometry: pass a GeoDataFrame, or level='province' / "
                "'city' to join it to the shipped polygons"
            )
        from .. import geo

        # Every polygon of the level is kept: units without data show as "no data".
        frame = geo.join_units(
            data, unit=unit or "unit", level=level, time=time, study=study
        )
        unit, joined = "adcode", level
    else:
        raise DataError(f"expected a (Geo)DataFrame, got {type(data).__name__}")
    frame = frame.assign(_sg_key=unit_key(frame, unit).to_numpy()).reset_index(
        drop=True
    )
    empty = frame.geometry.isna() | frame.geometry.is_empty
    if empty.any():
        raise DataError(
            f"units without geometry: {frame.loc[empty, '_sg_key'].tolist()[:10]}"
        )
    if frame.crs is None:
        minx, miny, maxx, maxy = frame.total_bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise DataError("geometry has no CRS and is not in longitude/latitude")
    elif frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    if joined is not None:
        return frame.assign(_sg_level=joined)
    return _complete(frame, level=level, study=study, attrs=dict(data.attrs))


def _shipped_level(
    frame: pd.DataFrame, level: str | None, attrs: Mapping[str, Any]
) -> str | None:
    """The shipped level whose adcodes ``frame["adcode"]`` holds, if any.

    ``level`` (or the ``attrs["level"]`` of :func:`spatialgreen.load_boundaries`)
    is tried first; else provinces, then cities. County units are only taken when
    named, as their table is built on first use.
    """
    if "adcode" not in frame.columns or frame.empty:
        return None
    codes = pd.to_numeric(frame["adcode"], errors="coerce")
    if codes.isna().any() or (codes % 1 != 0).any():
        return None
    from ..geo import unit_table

    named = [lv for lv in (level, attrs.get("level")) if lv in _LEVELS]
    for candidate in dict.fromkeys([*named, "province", "city"]):
        shipped = set(unit_table(candidate)["adcode"].astype("int64"))
        if set(codes.astype("int64")) <= shipped:
            return candidate
    return None


def _complete(
    frame: gpd.GeoDataFrame,
    *,
    level: str | None,
    study: Any,
    attrs: Mapping[str, Any],
) -> gpd.GeoDataFrame:
    """Add the shipped polygons a GeoDataFrame of shipped units lacks (as no data).

    Provinces are completed to all 34 units (or to ``study``); cities and counties
    only to ``study`` when one is given. Units outside ``study`` are an error, as
    in :func:`spatialgreen.join_units`.
    """
    import geopandas as gpd

    shipped = _shipped_level(frame, level, attrs)
    if shipped is None:
        if study is not None:
            raise DataError(
                "study= needs shipped units: a tidy table with level=, or a "
                "GeoDataFrame with an 'adcode' column of shipped adcodes"
            )
        return frame
    frame = frame.assign(_sg_level=shipped)
    if shipped != "province" and study is None:
        return frame
    from ..geo import load_boundaries

    gcj02 = attrs.get("datum") == "GCJ-02"
    target = load_boundaries(shipped, study=study, crs="gcj02" if gcj02 else "wgs84")
    codes = pd.to_numeric(frame["adcode"]).astype("int64")
    outside = sorted(set(codes) - set(target["adcode"]))
    if outside:
        raise DataError(
            f"units {outside[:10]} are outside study={study!r}: drop them or "
            "choose another study"
        )
    extra = target.loc[~target["adcode"].isin(set(codes))]
    if extra.empty:
        return frame
    names = [c for c in ("name_zh", "name_en") if c not in frame.columns]
    adcodes = extra["adcode"]
    filled = pd.DataFrame(
        {
            "adcode": adcodes  # in the frame's own type: numbers or text
            if pd.api.types.is_numeric_dtype(frame["adcode"])
            else adcodes.astype(str),
            **{c: extra[c] for c in ("name_zh", "name_en")},
            "_sg_key": adcodes.astype(str),
            "_sg_level": shipped,
            frame.geometry.name: extra.geometry,
        }
    )
    if names:
        frame = frame.assign(**dict.fromkeys(names))
    out = pd.concat([pd.DataFrame(frame), filled], ignore_index=True)
    return gpd.GeoDataFrame(out, geometry=frame.geometry.name, crs=frame.crs)


def unit_key(frame: pd.DataFrame, unit: str | None) -> pd.Series:
    """Unit keys as strings: ``unit``, else ``adcode`` if present, else the index."""
    if unit is None:
        unit = "adcode" if "adcode" in frame.columns else None
    if unit is None:
        return pd.Series(frame.index.astype(str), index=frame.index)
    if unit not in frame.columns:
        raise DataError(
            f"unit column {unit!r} not found; columns: {list(frame.columns)}"
        )
    return frame[unit].astype(str)


def _periods(frame: pd.DataFrame, keys: pd.Series, time: str | None) -> pd.Series:
    """The period key of every row (``""`` without ``time``); duplicates raise."""
    if time is None:
        period = pd.Series(_STATIC, index=frame.index)
    else:
        if time not in frame.columns:
            raise DataError(f"time column {time!r} not found")
        # A missing period marks a polygon without any data (kept by join_units).
        values = frame[time]
        if pd.api.types.is_float_dtype(values) and (values.dropna() % 1 == 0).all():
            values = values.astype("Int64")  # years made float by the join's NaN
        period = values.astype(str).where(values.notna(), _ALL_YEARS)
    dup = pd.DataFrame({"u": keys, "t": period}).duplicated(keep=False)
    if time is not None:
        dup &= period != _ALL_YEARS
    if dup.any():
        first = frame.loc[dup].iloc[0]
        where = f" in {time} {first[time]}" if time else ""
        raise DataError(
            f"unit {keys[dup].iloc[0]!r} appears more than once{where}; "
            + ("pass time= for a panel" if time is None else "keys must be unique")
        )
    return period


def _geojson(
    frame: gpd.GeoDataFrame,
    keys: pd.Series,
    properties: Mapping[str, Mapping[str, Any]],
    *,
    precision: int,
    gcj02: bool,
) -> dict[str, Any]:
    """One feature per unit with rounded coordinates and only the given properties."""
    import shapely

    first = ~keys.duplicated()
    geoms = frame.geometry[first].to_numpy()
    if gcj02:
        from ..geo.gcj02 import geometry_wgs84_to_gcj02

        geoms = np.array([geometry_wgs84_to_gcj02(g) for g in geoms], dtype=object)
    # Rounding coordinates matters more than simplification for file size: GeoJSON
    # writes 15-17 digits per coordinate (3 decimals is about 100 m).
    geoms = shapely.transform(geoms, lambda xy: np.round(xy, precision))
    features = []
    for key, geom in zip(keys[first], geoms, strict=True):
        features.append(
            {
                "type": "Feature",
                "id": key,
                "properties": dict(properties[key]),
                "geometry": shapely.geometry.mapping(geom),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _names(row: pd.Series, key: str, names: Sequence[str]) -> list[str]:
    found = [str(row[c]) for c in names if c in row.index and pd.notna(row[c])]
    return found or [key]


def fmt_value(value: Any, fmt: str) -> str:
    """Numbers through ``fmt``, text as is, missing as ``"no data"``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no data"
    if isinstance(value, int | float | np.number) and not isinstance(value, bool):
        return fmt.format(value)
    return str(value)


# --------------------------------------------------------------------------- map


def new_map(
    m: folium.Map | None, bounds: Sequence[float], *, tiles: str | None
) -> folium.Map:
    """``m`` itself, or a tile-less map fitted to ``bounds`` with a scale bar."""
    import folium

    from ._controls import MapStyle

    if m is not None:
        return m
    minx, miny, maxx, maxy = bounds
    # maxZoom on the map itself: without a tile layer Leaflet has none, and plugins
    # such as marker clusters then fail ("Map has no maxZoom specified").
    fmap = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        tiles=None,
        control_scale=True,
        zoom_start=4,
        maxZoom=18,
        minZoom=2,
        zoomSnap=0.25,
    )
    if tiles is not None:
        _tile_layer(tiles).add_to(fmap)
    MapStyle().add_to(fmap)
    fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    return fmap


def _tile_layer(tiles: str) -> folium.TileLayer:
    import folium

    key = tiles.lower()
    if key == "osm":
        return folium.TileLayer("OpenStreetMap", name="OpenStreetMap", control=False)
    if key == "amap":
        import xyzservices.providers as xyz

        return folium.TileLayer(
            xyz.Gaode.Normal.build_url(),
            attr=xyz.Gaode.Normal.html_attribution,
            name="AMap",
            control=False,
        )
    raise DataError(f"tiles must be None, 'osm' or 'amap', not {tiles!r}")


def finish(
    fmap: folium.Map,
    *,
    title: str | None,
    legend: str | None,
    position: str = "bottomright",
) -> folium.Map:
    """Add the title and legend, and one layer control listing every layer."""
    import folium

    from ._controls import Legend, Title

    if title:
        Title(title).add_to(fmap)
    if legend:
        Legend(legend, position=position).add_to(fmap)
    # One layer control, always last, so it lists every layer added so far.
    for key, child in list(fmap._children.items()):
        if isinstance(child, folium.LayerControl):
            del fmap._children[key]
    folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap


def polygons(
    frame: gpd.GeoDataFrame,
    *,
    time: str | None,
    year: Any,
    names: Sequence[str],
    tiles: str | None,
    m: folium.Map | None,
    precision: int,
    layer_name: str,
    classes: pd.Series,
    labels: Mapping[str, Sequence[tuple[str, str]]] | pd.Series,
    palette: Sequence[str],
) -> folium.Map:
    """Draw one polygon layer coloured by ``palette[classes]`` (per year if panel)."""
    import folium
    from folium.utilities import JsCode

    from ._controls import YearSlider, tooltip_js, tooltip_table

    keys = frame["_sg_key"]
    periods = _periods(frame, keys, time)
    years = sorted(set(periods) - {_ALL_YEARS}, key=_year_sort)
    if not years:
        raise DataError(f"no {time} has data to map")
    start = _start_year(years, year, time)
    props: dict[str, dict[str, Any]] = {}
    for idx, key in keys.items():
        p = props.setdefault(
            key,
            {"c": {}, "tip": {}, "_y": start, "_w": _BORDER["weight"]},
        )
        row = frame.loc[idx]
        cls = classes.loc[idx]
        head = _names(row, key, names)
        if periods[idx] == _ALL_YEARS:
            p["tip"][_ALL_YEARS] = tooltip_table(head, [("", "no data")])
            continue
        p["c"][periods[idx]] = None if pd.isna(cls) else int(cls)
        if time is not None:
            head = [*head, f"{time} {periods[idx]}"]
        p["tip"][periods[idx]] = tooltip_table(head, labels[idx])
    gcj02 = tiles is not None and tiles.lower() == "amap"
    collection = _geojson(frame, keys, props, precision=precision, gcj02=gcj02)
    fmap = new_map(m, frame.total_bounds, tiles=tiles)

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        c = feature["properties"]["c"].get(start)
        if c is None:
            return {**_BORDER, "fillColor": NO_DATA_COLOR, "dashArray": NO_DATA_DASH}
        return {**_BORDER, "fillColor": palette[c]}

    layer = folium.GeoJson(
        collection,
        name=html.escape(layer_name),  # Leaflet's layer control uses innerHTML
        style_function=style,
        on_each_feature=JsCode(tooltip_js()),
    )
    layer.add_to(fmap)
    _province_outlines(frame, precision=precision, gcj02=gcj02, fmap=fmap)
    if time is not None:
        YearSlider(
            years,
            [(layer.get_name(), palette)],
            start=years.index(start),
            no_data=NO_DATA_COLOR,
        ).add_to(fmap)
    return fmap


def _province_outlines(
    frame: pd.DataFrame, *, precision: int, gcj02: bool, fmap: folium.Map
) -> None:
    """Draw the outlines of the provinces of a city or county map over it."""
    import folium

    if "_sg_level" not in frame.columns or frame["_sg_level"].iloc[0] == "province":
        return
    from ..geo import load_boundaries

    codes = pd.to_numeric(frame["adcode"]).astype("int64")
    provinces = load_boundaries("province", crs="gcj02" if gcj02 else "wgs84")
    drawn = provinces.loc[provinces["adcode"].isin(set(codes // 10000 * 10000))]
    keys = drawn["adcode"].astype(str).reset_index(drop=True)
    collection = _geojson(
        drawn.reset_index(drop=True),
        keys,
        {k: {} for k in keys},
        precision=precision,
        gcj02=False,  # loaded in the tiles' datum already
    )
    folium.GeoJson(
        collection,
        name="provinces",
        style_function=lambda _: dict(_OUTLINE),
        interactive=False,
    ).add_to(fmap)


def _year_sort(value: str) -> tuple[int, float | str]:
    try:
        return (0, float(value))
    except ValueError:
        return (1, value)


def _start_year(years: Sequence[str], year: Any, time: str | None) -> str:
    if time is None:
        return _STATIC
    if year is None:
        return years[-1]
    if str(year) not in years:
        raise DataError(f"{time} {year} is not in the data (have {list(years)})")
    return str(year)


def missing_note(
    frame: pd.DataFrame,
    mask: pd.Series,
    names: Sequence[str],
    time: str | None,
) -> str | None:
    """The legend note on units without data (listed by name when there are few).

    In a panel, units without data in any period are listed; units missing in
    some periods only are explained by the dashed outline.
    """
    if not mask.any():
        return None
    keys = frame["_sg_key"]
    never = mask.groupby(keys).transform("all").astype(bool) & ~keys.duplicated()
    parts = []
    if never.sum() > 8:  # e.g. a city study drawn on the whole country
        parts.append(f"no data: {int(never.sum())} units (narrow the map with study=)")
    elif never.any():
        shown = [_names(frame.loc[i], keys[i], names)[0] for i in frame.index[never]]
        parts.append("no data: " + ", ".join(shown))
    if time is not None and (mask & ~keys.isin(set(keys[never]))).any():
        parts.append("dashed outline: no data for that unit and year")
    return "; ".join(parts)


def interval_label(text: str) -> str:
    return " ".join(re.sub(r"([\[(])\s+", r"\1", text).split())


def require(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    from ..panel import require_columns

    require_columns(frame, list(columns), role="map")
