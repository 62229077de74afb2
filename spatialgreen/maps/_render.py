"""Map scaffolding and the polygon layer shared by every spatialgreen renderer.

Input frames are copied to WGS84 with the unit key in ``_sg_key``; each polygon is
written once with its class id per period (``properties.c``) and its tooltip markup
per period (``properties.tip``), so panels with a year slider stay small.
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


# --------------------------------------------------------------------------- data


def as_geoframe(
    data: Any,
    *,
    level: str | None,
    unit: str | None,
    time: str | None = None,
    study: Any = None,
) -> gpd.GeoDataFrame:
    """A WGS84 GeoDataFrame copy with a RangeIndex and the unit key in ``_sg_key``."""
    import geopandas as gpd

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
        unit = "adcode"
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
        return frame
    return frame if frame.crs.to_epsg() == 4326 else frame.to_crs(4326)


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
    if time is not None:
        YearSlider(
            years,
            [(layer.get_name(), palette)],
            start=years.index(start),
            no_data=NO_DATA_COLOR,
        ).add_to(fmap)
    return fmap


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
    """The legend note on units without data (listed when there are few)."""
    if not mask.any():
        return None
    if time is not None:
        return "dashed outline: no data for that unit and year"
    if mask.sum() > 8:  # e.g. a city study drawn on the whole country
        return f"no data: {int(mask.sum())} units (narrow the map with study=)"
    keys = frame["_sg_key"]
    shown = [_names(frame.loc[i], keys[i], names)[0] for i in frame.index[mask]]
    return "no data: " + ", ".join(shown)


def interval_label(text: str) -> str:
    return " ".join(re.sub(r"([\[(])\s+", r"\1", text).split())


def require(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    from ..panel import require_columns

    require_columns(frame, list(columns), role="map")
