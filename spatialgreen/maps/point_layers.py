"""Point and line layers: flows between units, circle markers, matched pairs.

Tooltips are bound with :class:`._controls.Tooltip` (escaped markup as a JSON string),
never with folium's ``tooltip=``, which writes the text into a JavaScript template
literal where ``${...}`` in a unit name would run.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from ..errors import DataError
from ._controls import Tooltip, legend_html, tooltip_table
from ._render import finish, fmt_value, new_map, require, unit_key
from .palettes import NO_DATA_COLOR, category_colors, check_color

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

__all__ = ["flows", "pairs", "points"]


def _endpoints(
    coords: pd.DataFrame | None, level: str | None, unit: str | None
) -> pd.DataFrame:
    """``lon``/``lat``/``name`` per unit key: given, or points inside polygons."""
    import geopandas as gpd

    if coords is None:
        if level is None:
            raise DataError(
                "flows need coords= (unit, lon, lat) or level= for polygons"
            )
        from .. import geo

        coords = geo.load_boundaries(level)
    if isinstance(coords, gpd.GeoDataFrame):
        frame = coords if coords.crs is None else coords.to_crs(4326)
        # representative_point stays inside concave units (Gansu, Inner Mongolia).
        pts = frame.geometry.representative_point()
        keys = unit_key(frame, unit)
        return pd.DataFrame(
            {
                "lon": pts.x.to_numpy(),
                "lat": pts.y.to_numpy(),
                "name": _label(frame, keys),
            },
            index=keys.to_numpy(),
        )
    require(coords, ["lon", "lat"])
    keys = unit_key(coords, unit)
    return pd.DataFrame(
        {
            "lon": coords["lon"].to_numpy(float),
            "lat": coords["lat"].to_numpy(float),
            "name": _label(coords, keys),
        },
        index=keys.to_numpy(),
    )


def _label(frame: pd.DataFrame, keys: pd.Series) -> list[str]:
    if "name_zh" in frame.columns:
        return frame["name_zh"].fillna(keys).astype(str).tolist()
    return keys.tolist()


def flows(
    data: pd.DataFrame,
    *,
    origin: str = "origin",
    destination: str = "destination",
    volume: str = "volume",
    coords: pd.DataFrame | None = None,
    level: str | None = None,
    unit: str | None = None,
    boundaries: gpd.GeoDataFrame | None = None,
    min_volume: float = 0.0,
    max_width: float = 8.0,
    color: str = "#cb181d",
    title: str | None = None,
    name: str = "flows",
    tiles: str | None = None,
    m: folium.Map | None = None,
) -> folium.Map:
    """Flow lines between unit points, width growing with log volume.

    Parameters
    ----------
    data : DataFrame
        One row per origin-destination pair.
    origin, destination, volume : str
        Columns of the unit keys and the flow volume.
    coords : DataFrame or GeoDataFrame, optional
        Unit points: ``lon``/``lat`` columns keyed by ``unit`` (or the index), or
        polygons whose representative points are used. Default: the shipped
        polygons of ``level``.
    boundaries : GeoDataFrame, optional
        Polygons drawn underneath in light grey.
    min_volume : float
        Flows at or below this are dropped.
    max_width : float
        Line width (px) of the largest flow; the smallest drawn is 1 px.

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> import pandas as pd
    >>> pts = pd.DataFrame({"unit": ["上海", "杭州", "南京"],
    ...                     "lon": [121.5, 120.2, 118.8],
    ...                     "lat": [31.2, 30.3, 32.1]})
    >>> od = pd.DataFrame({"origin": ["上海", "上海"], "destination": ["杭州", "南京"],
    ...                    "volume": [120, 30]})
    >>> html = flows(od, coords=pts, unit="unit").get_root().render()
    >>> html.count("L.polyline")
    2
    """
    import folium

    require(data, [origin, destination, volume])
    color = check_color(color, "color")
    points_by_unit = _endpoints(coords, level, unit)
    od = data[[origin, destination, volume]].copy()
    od[volume] = pd.to_numeric(od[volume], errors="coerce")
    if od[volume].isna().any():
        bad = od.loc[od[volume].isna()].iloc[0]
        raise DataError(
            f"flow {bad[origin]} -> {bad[destination]} has no numeric {volume!r}"
        )
    if (od[volume] < 0).any():
        raise DataError(f"column {volume!r} has negative flows")
    for col in (origin, destination):
        if coords is None and level is not None:  # shipped polygons: names/adcodes
            from ..geo import match_units

            od[col] = [str(c) for c in match_units(od[col].tolist(), level=level)]
        od[col] = od[col].astype(str)
        unknown = sorted(set(od[col]) - set(points_by_unit.index))
        if unknown:
            raise DataError(f"{col} units without coordinates: {unknown[:10]}")
    od = od.loc[od[volume] > min_volume].sort_values(
        volume
    )  # largest drawn last, on top
    if od.empty:
        raise DataError(f"no flow above min_volume={min_volume}")
    ends = points_by_unit.loc[pd.unique(od[[origin, destination]].to_numpy().ravel())]
    bounds = [ends.lon.min(), ends.lat.min(), ends.lon.max(), ends.lat.max()]
    fmap = new_map(m, bounds, tiles=tiles)
    if boundaries is not None:
        folium.GeoJson(
            boundaries.to_crs(4326)[["geometry"]].to_json()
            if boundaries.crs
            else boundaries[["geometry"]].to_json(),
            name="boundaries",
            style_function=lambda _: {
                "color": "#999999",
                "weight": 0.5,
                "fillColor": "#eeeeee",
                "fillOpacity": 0.6,
            },
            interactive=False,
        ).add_to(fmap)
    layer = folium.FeatureGroup(name=html.escape(name))  # innerHTML
    top = od[volume].max()
    low, high = math.log1p(od[volume].min()), math.log1p(top)
    for _, row in od.iterrows():
        a, b = points_by_unit.loc[row[origin]], points_by_unit.loc[row[destination]]
        share = (math.log1p(row[volume]) - low) / (high - low) if high > low else 0.5
        width = 1 + (max_width - 1) * share
        label = f"{a['name']} → {b['name']}: {row[volume]:,.6g}"
        line = folium.PolyLine(
            [(a.lat, a.lon), (b.lat, b.lon)],
            weight=round(width, 2),
            color=color,
            opacity=0.75,
        ).add_to(layer)
        Tooltip(html.escape(label)).add_to(line)
    layer.add_to(fmap)
    legend = (
        f'<div class="sg-legend-title">{html.escape(name)}</div>'
        f'<div class="sg-row">{html.escape(volume)}: {od[volume].min():,.6g} – '
        f"{top:,.6g}<br>width: 1–{max_width:g} px on log(1 + {html.escape(volume)})"
        "</div>"
    )
    return finish(fmap, title=title, legend=legend)


def points(
    data: pd.DataFrame,
    *,
    lon: str = "lon",
    lat: str = "lat",
    label: str | None = None,
    category: str | None = None,
    palette: Mapping[str, str] | None = None,
    radius: float = 5.0,
    color: str = "#2171b5",
    tooltip: Sequence[str] = (),
    name: str = "points",
    title: str | None = None,
    tiles: str | None = None,
    m: folium.Map | None = None,
) -> folium.Map:
    """A layer of circle markers (clusters, belts, firms) from ``lon``/``lat`` columns.

    Coordinates are WGS84; convert AMap (GCJ-02) points first with
    :func:`spatialgreen.geo.gcj02.gcj02_to_wgs84`. With ``category`` the markers are
    coloured per category and listed in a legend.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"lon": [120.1, 121.4], "lat": [30.2, 31.2],
    ...                    "name": ["<b>集群</b>", "产业带"]})
    >>> html = points(df, label="name").get_root().render()
    >>> html.count("L.circleMarker"), "<b>集群" in html  # labels are escaped
    (2, False)
    """
    import folium

    require(data, [lon, lat, *(c for c in (label, category) if c), *tooltip])
    color = check_color(color, "color")
    xy = data[[lon, lat]].apply(pd.to_numeric, errors="coerce")
    bad = (
        xy.isna().any(axis=1) | ~xy[lon].between(-180, 180) | ~xy[lat].between(-90, 90)
    )
    if bad.any():
        raise DataError(
            f"rows {data.index[bad].tolist()[:10]} have no valid {lon}/{lat}"
        )
    # positional from here: a repeated index label (pd.concat) would select several
    data, xy = data.reset_index(drop=True), xy.reset_index(drop=True)
    colors: dict[str, str] = {}
    if category is not None:
        cats = sorted(data[category].dropna().astype(str).unique())
        colors = category_colors(cats, palette)
    bounds = [xy[lon].min(), xy[lat].min(), xy[lon].max(), xy[lat].max()]
    fmap = new_map(m, bounds, tiles=tiles)
    layer = folium.FeatureGroup(name=html.escape(name))  # innerHTML
    for i in data.index:
        fill = (
            colors.get(str(data.at[i, category]), NO_DATA_COLOR) if category else color
        )
        rows = [(c, fmt_value(data.at[i, c], "{:.3g}")) for c in tooltip]
        if category:
            rows.insert(0, (category, str(data.at[i, category])))
        tip = tooltip_table([str(data.at[i, label])] if label else [], rows)
        marker = folium.CircleMarker(
            (xy.at[i, lat], xy.at[i, lon]),
            radius=radius,
            color="#333333",
            weight=0.8,
            fill=True,
            fill_color=fill,
            fill_opacity=0.9,
        ).add_to(layer)
        Tooltip(tip).add_to(marker)
    layer.add_to(fmap)
    legend = None
    if colors:
        legend = legend_html(
            category or name, list(zip(colors.values(), colors, strict=True))
        )
    return finish(
        fmap, title=title, legend=legend, position="topright" if m else "bottomright"
    )


def pairs(
    data: pd.DataFrame,
    *,
    lon: tuple[str, str] = ("lon_a", "lon_b"),
    lat: tuple[str, str] = ("lat_a", "lat_b"),
    label: tuple[str, str] | None = None,
    colors: tuple[str, str] = ("#d95f02", "#1b9e77"),
    name: str = "matched pairs",
    title: str | None = None,
    tiles: str | None = None,
    m: folium.Map | None = None,
) -> folium.Map:
    """Matched pairs (e.g. a national cluster and its online industrial belt).

    Draws both points of each pair (first and second colour) joined by a dashed line.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"lon_a": [120.1], "lat_a": [30.2], "lon_b": [120.6],
    ...                    "lat_b": [30.0], "a": ["集群"], "b": ["产业带"]})
    >>> html = pairs(df, label=("a", "b")).get_root().render()
    >>> html.count("L.circleMarker"), html.count("L.polyline")
    (2, 1)
    """
    import folium

    cols = [*lon, *lat, *(label or ())]
    require(data, cols)
    colors = (check_color(colors[0], "colors[0]"), check_color(colors[1], "colors[1]"))
    xy = data[[*lon, *lat]].apply(pd.to_numeric, errors="coerce")
    bad = xy.isna().any(axis=1)
    bad |= ~xy[list(lon)].apply(lambda c: c.between(-180, 180)).all(axis=1)
    bad |= ~xy[list(lat)].apply(lambda c: c.between(-90, 90)).all(axis=1)
    if bad.any():
        raise DataError(
            f"rows {data.index[bad].tolist()[:10]} lack valid coordinates "
            f"({', '.join(lon)} in [-180, 180], {', '.join(lat)} in [-90, 90])"
        )
    # positional from here: a repeated index label (pd.concat) would select several
    data, xy = data.reset_index(drop=True), xy.reset_index(drop=True)
    bounds = [
        xy[list(lon)].min().min(),
        xy[list(lat)].min().min(),
        xy[list(lon)].max().max(),
        xy[list(lat)].max().max(),
    ]
    fmap = new_map(m, bounds, tiles=tiles)
    layer = folium.FeatureGroup(name=html.escape(name))  # innerHTML
    for i in data.index:
        a = (xy.at[i, lat[0]], xy.at[i, lon[0]])
        b = (xy.at[i, lat[1]], xy.at[i, lon[1]])
        names = [str(data.at[i, c]) for c in label] if label else ["", ""]
        line = folium.PolyLine(
            [a, b], color="#555555", weight=1.5, dash_array="4 4"
        ).add_to(layer)
        Tooltip(tooltip_table([" ↔ ".join(names)], [])).add_to(line)
        for point, fill, text in zip((a, b), colors, names, strict=True):
            marker = folium.CircleMarker(
                point,
                radius=5,
                color="#333333",
                weight=0.8,
                fill=True,
                fill_color=fill,
                fill_opacity=0.9,
            ).add_to(layer)
            Tooltip(tooltip_table([text], [])).add_to(marker)
    layer.add_to(fmap)
    return finish(fmap, title=title, legend=None)
