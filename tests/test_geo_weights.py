"""Spatial weights against libpysal/sklearn built independently, islands, recipes."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from libpysal.graph import Graph

import spatialgreen as sg
from spatialgreen._weights import align_weights
from spatialgreen.geo import (
    load_boundaries,
    spatial_weights,
    unit_table,
    weights_recipe,
)
from spatialgreen.geo.weights import EARTH_RADIUS_KM, great_circle_km


def _dense(graph, ids):
    return graph.sparse.toarray()[
        np.ix_(*[[list(graph.unique_ids).index(i) for i in ids]] * 2)
    ]


def _haversine_km(table):
    sklearn_metrics = pytest.importorskip("sklearn.metrics.pairwise")
    rad = np.radians(table[["centroid_lat", "centroid_lon"]].to_numpy())
    return sklearn_metrics.haversine_distances(rad) * EARTH_RADIUS_KM


@pytest.fixture(scope="module")
def cities():
    return unit_table("city").set_index("adcode")


def test_great_circle_known_distance():
    # Beijing (116.4074, 39.9042) – Shanghai (121.4737, 31.2304): 1,067 km on the sphere
    d = great_circle_km([116.4074, 121.4737], [39.9042, 31.2304])
    assert d[0, 1] == pytest.approx(1067.3, abs=0.5)
    assert d[0, 0] == 0 and d[1, 0] == d[0, 1]


def test_queen_equals_libpysal_contiguity_on_the_polygons():
    gdf = load_boundaries("province", study="gtfp30")
    ours = spatial_weights(
        "province", kind="queen", study="gtfp30", islands="keep", transform="b"
    )
    theirs = Graph.build_contiguity(gdf.set_index("adcode").geometry, rook=False)
    assert set(ours.adjacency[ours.adjacency > 0].index) == set(
        theirs.adjacency[theirs.adjacency > 0].index
    )
    assert list(ours.isolates) == list(theirs.isolates) == [460000]  # Hainan
    # 70 links of all 34, less Tibet's 4 and Guangdong's with Hong Kong and Macao
    assert ours.n_edges == 2 * 64 and ours.cardinalities.loc[620000] == 6  # Gansu


def test_knn_equals_libpysal_haversine(cities):
    ours = spatial_weights("city", kind="knn", k=4, transform="b")
    points = gpd.GeoSeries(
        gpd.points_from_xy(cities["centroid_lon"], cities["centroid_lat"]),
        index=cities.index,
    )
    theirs = Graph.build_knn(points, k=4, metric="haversine")
    ours_pairs = set(ours.adjacency.index)
    theirs_pairs = set(theirs.adjacency.index)
    assert ours_pairs == theirs_pairs
    assert (ours.cardinalities == 4).all()


def test_distance_band_and_inverse_distance_match_sklearn(cities):
    ids = cities.index.tolist()
    dist = _haversine_km(cities)
    band = spatial_weights(
        "city", kind="distance_band", threshold=150, transform="b", islands="keep"
    )
    expected = ((dist <= 150) & ~np.eye(len(ids), dtype=bool)).astype(float)
    np.testing.assert_array_equal(_dense(band, ids), expected)
    inv = spatial_weights(
        "city", kind="inverse_distance", alpha=2, transform=None, study="yrd26"
    )
    sub = cities.loc[sorted(inv.unique_ids)]
    d = _haversine_km(sub)
    with np.errstate(divide="ignore"):
        expected = np.where(np.eye(len(sub), dtype=bool), 0.0, 1.0 / d**2)
    np.testing.assert_allclose(_dense(inv, sub.index.tolist()), expected, rtol=1e-9)


def test_row_standardised_by_default():
    g = spatial_weights("city", kind="inverse_distance", study="prd")
    sums = g.adjacency.groupby(level=0).sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0)
    assert g.n == 9


def _panel():
    units = ["北京", "天津", "河北", "山西"]
    return pd.DataFrame(
        {
            "province": units * 2,
            "year": [2020] * 4 + [2021] * 4,
            "gdp_pc": [
                16.0,
                10.0,
                4.0,
                5.0,
                18.0,
                12.0,
                6.0,
                5.0,
            ],  # means 17, 11, 5, 5 ...
        }
    ).assign(gdp_pc=lambda d: d["gdp_pc"] + np.where(d["province"] == "山西", 1.0, 0.0))


def test_economic_weights_closed_form():
    data = _panel()  # unit means: 北京 17, 天津 11, 河北 5, 山西 6
    g = spatial_weights(
        data, kind="economic", unit="province", variable="gdp_pc", transform=None
    )
    ids = [110000, 120000, 130000, 140000]
    means = np.array([17.0, 11.0, 5.0, 6.0])
    gap = np.abs(means[:, None] - means[None, :])
    with np.errstate(divide="ignore"):
        expected = np.where(gap > 0, 1.0 / gap, 0.0)
    np.testing.assert_allclose(_dense(g, ids), expected)
    assert weights_recipe(g)["variable"] == "gdp_pc"


def test_nested_matrix_is_the_phi_mix_of_its_parts():
    data = _panel()
    ids = [110000, 120000, 130000, 140000]
    opts = {"unit": "province", "variable": "gdp_pc", "transform": None}
    nested = spatial_weights(data, kind="nested", phi=0.3, **opts)
    geo = spatial_weights(data, kind="inverse_distance", transform="r", unit="province")
    eco = spatial_weights(
        data,
        kind="economic",
        transform="r",
        **{k: v for k, v in opts.items() if k != "transform"},
    )
    np.testing.assert_allclose(
        _dense(nested, ids), 0.3 * _dense(geo, ids) + 0.7 * _dense(eco, ids), atol=1e-12
    )
    pure_geo = spatial_weights(data, kind="nested", phi=1.0, **opts)
    np.testing.assert_allclose(_dense(pure_geo, ids), _dense(geo, ids), atol=1e-12)


def test_equal_means_and_gaps_are_errors():
    data = pd.DataFrame({"province": ["北京", "天津"], "x": [1.0, 1.0]})
    with pytest.raises(sg.WeightsError, match="same mean"):
        spatial_weights(data, kind="economic", unit="province", variable="x")
    data = pd.DataFrame({"province": ["北京", "天津"], "x": [1.0, 2.0]})
    with pytest.raises(sg.DataError, match=r"no data for units \[130000\]"):
        spatial_weights(
            data,
            kind="economic",
            unit="province",
            variable="x",
            ids=[110000, 120000, 130000],
        )
    data = pd.DataFrame({"province": ["北京", "天津"], "x": [1.0, None]})
    with pytest.raises(
        sg.DataError, match=r"missing or not numeric for units \[120000\]"
    ):
        spatial_weights(data, kind="economic", unit="province", variable="x")


def test_island_policies():
    with pytest.raises(sg.WeightsError, match=r"海南省 \(460000\)"):
        spatial_weights("province", kind="queen", study="gtfp30")
    nearest = spatial_weights(
        "province", study="gtfp30", islands="nearest", transform="b"
    )
    assert weights_recipe(nearest)["islands_added"] == [(460000, 440000)]
    assert (
        set(nearest.neighbors[460000]) == {440000}
        and 460000 in nearest.neighbors[440000]
    )
    two = spatial_weights("province", study="gtfp30", islands="nearest", island_k=2)
    assert set(two.neighbors[460000]) == {440000, 450000}
    user = spatial_weights(
        "province", study="gtfp30", islands={"海南": ["广东", "广西"]}, transform="b"
    )
    assert set(user.neighbors[460000]) == {440000, 450000}
    kept = spatial_weights("province", study="gtfp30", islands="keep")
    assert list(kept.isolates) == [460000]
    city = spatial_weights("city", islands="nearest", study="mainland31")
    assert weights_recipe(city)["islands_added"] == [
        (460300, 469005)
    ]  # Sansha–Wenchang
    with pytest.raises(sg.WeightsError, match="islands"):
        spatial_weights("city", kind="distance_band", threshold=50)


def test_weights_feed_align_weights_and_spreg_w():
    g = spatial_weights("province", study="gtfp30", islands="nearest")
    ids = sorted(g.unique_ids, reverse=True)
    w = align_weights(g, ids)
    assert w.id_order == ids and w.n == 30
    np.testing.assert_allclose(w.sparse.sum(axis=1), 1.0)
    assert g.to_W().n == 30


def test_rook_is_subset_of_queen_and_ids_order():
    queen = spatial_weights("city", kind="queen", islands="keep", transform="b")
    rook = spatial_weights("city", kind="rook", islands="keep", transform="b")
    assert set(rook.adjacency.index) <= set(queen.adjacency.index)
    assert queen.n_edges == 2 * 969
    g = spatial_weights(
        "province", kind="knn", k=2, ids=["上海", "江苏", "浙江", "安徽"]
    )
    assert list(g.unique_ids) == [310000, 320000, 330000, 340000]
    with pytest.raises(sg.WeightsError, match="k must be"):
        spatial_weights(
            "province", kind="knn", k=4, ids=["上海", "江苏", "浙江", "安徽"]
        )
    with pytest.raises(sg.DataError, match="kind must be"):
        spatial_weights("province", kind="queens")


@settings(max_examples=25, deadline=None)
@given(st.sets(st.sampled_from(sorted(unit_table("province")["adcode"])), min_size=3))
def test_subset_contiguity_is_the_induced_subgraph(subset):
    ids = sorted(subset)
    full = spatial_weights("province", islands="keep", transform="b")
    part = spatial_weights("province", ids=ids, islands="keep", transform="b")
    assert list(part.unique_ids) == ids
    expected = {p for p in full.adjacency[full.adjacency > 0].index if set(p) <= subset}
    assert set(part.adjacency[part.adjacency > 0].index) == expected
    dense = part.sparse.toarray()
    np.testing.assert_array_equal(dense, dense.T)  # contiguity is symmetric
