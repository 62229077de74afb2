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
from spatialgreen.geo import (
    load_boundaries,
    spatial_weights,
    unit_table,
    weights_recipe,
)
from spatialgreen.geo.weights.align import align_weights
from spatialgreen.geo.weights.build import EARTH_RADIUS_KM, great_circle_km


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
    with pytest.raises(sg.OptionError, match=r"k=4: must be an integer >= 1 and <= 3"):
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


@pytest.mark.parametrize("islands", ["nearest", {"海南": ["广东"], "新疆": ["甘肃"]}])
def test_inverse_distance_island_link_has_the_inverse_distance_weight(islands):
    # a link added for an island must be on the 1/d scale of the other links:
    # a weight of 1.0 gave Hainan 99 % of Guangdong's row-standardised row
    g = spatial_weights(
        "province",
        kind="inverse_distance",
        threshold=600,
        study="gtfp30",
        islands=islands,
        transform=None,
    )
    assert (460000, 440000) in weights_recipe(g)["islands_added"]
    t = unit_table("province").set_index("adcode").loc[[460000, 440000]]
    d = great_circle_km(t["centroid_lon"], t["centroid_lat"])[0, 1]
    adj = g.adjacency
    assert adj.loc[(460000, 440000)] == pytest.approx(1 / d)
    assert adj.loc[(440000, 460000)] == pytest.approx(1 / d)
    assert np.isfinite(adj.to_numpy()).all()


def test_islands_policy_typo_is_an_error_even_without_islands():
    with pytest.raises(sg.DataError, match="islands must be"):
        spatial_weights("province", kind="knn", k=3, islands="nearst")


# ------------------------------------------ the one weights room: read, units, align


@pytest.mark.filterwarnings("ignore:DBF relating to GWT:RuntimeWarning")
def test_read_weights_gal_gwt_and_csv_edge_list(tmp_path):
    import libpysal

    from spatialgreen.errors import WeightsError
    from spatialgreen.geo import read_weights

    gal = libpysal.examples.get_path("columbus.gal")
    w = read_weights(gal)
    reference = libpysal.io.open(gal).read()
    assert w.n == 49 and w.neighbors == reference.neighbors
    gwt = tmp_path / "w.gwt"
    out = libpysal.io.open(str(gwt), "w")
    out.write(libpysal.weights.lat2W(2, 2))
    out.close()
    assert read_weights(gwt).n == 4
    edges = pd.DataFrame(
        {"focal": ["a", "b", "b", "c"], "neighbor": ["b", "a", "c", "b"]}
    )
    edges.to_csv(tmp_path / "edges.csv", index=False)
    graph = read_weights(tmp_path / "edges.csv")
    assert sorted(graph.neighbors["b"]) == ["a", "c"]
    assert graph.adjacency.loc[("b", "c")] == 1.0
    edges.assign(weight=[2.0, 2.0, 0.5, 0.5]).to_csv(tmp_path / "w.csv", index=False)
    assert read_weights(tmp_path / "w.csv").adjacency.loc[("a", "b")] == 2.0
    edges.rename(columns={"neighbor": "to"}).to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(WeightsError, match="missing neighbor"):
        read_weights(tmp_path / "bad.csv")
    with pytest.raises(WeightsError, match=r"\.gal or \.gwt"):
        read_weights(tmp_path / "w.txt")
    with pytest.raises(FileNotFoundError):
        read_weights(tmp_path / "none.gal")


def test_weights_for_units_relabels_names_and_keeps_the_recipe():
    from spatialgreen.geo import weights_for_units

    names = ["北京", "天津", "河北", "山西"]
    graph = weights_for_units("province", names, kind="queen")
    by_code = spatial_weights(
        "province", kind="queen", ids=[110000, 120000, 130000, 140000]
    )
    codes = dict(zip(names, [110000, 120000, 130000, 140000], strict=True))
    assert {(codes[a], codes[b]): v for (a, b), v in graph.adjacency.items()} == dict(
        by_code.adjacency.items()
    )
    assert weights_recipe(graph)["kind"] == "queen"
    # adcodes stay adcodes (no relabelling)
    assert list(weights_for_units("province", [120000, 110000]).unique_ids) == [
        120000,
        110000,
    ]


def test_polygon_weights_equal_libpysal_and_reject_other_kinds():
    from shapely.geometry import box

    from spatialgreen.errors import WeightsError
    from spatialgreen.geo import polygon_weights

    # a 3x3 grid of squares: queen (corners) vs rook (edges)
    gdf = gpd.GeoDataFrame(
        {"id": [f"u{i}" for i in range(9)]},
        geometry=[box(i % 3, i // 3, i % 3 + 1, i // 3 + 1) for i in range(9)],
    )
    queen = polygon_weights(gdf, unit="id")
    rook = polygon_weights(gdf, unit="id", kind="rook", transform="b")
    assert len(queen.neighbors["u4"]) == 8 and len(rook.neighbors["u4"]) == 4
    assert queen.adjacency.loc[("u4", "u0")] == pytest.approx(1 / 8)
    assert rook.adjacency.loc[("u4", "u1")] == 1.0
    theirs = Graph.build_contiguity(gdf.set_index("id").geometry, rook=True)
    assert set(rook.adjacency.index) == set(theirs.adjacency.index)
    with pytest.raises(WeightsError, match="knn"):
        polygon_weights(gdf, kind="knn")  # type: ignore[arg-type]
    with pytest.raises(WeightsError, match="duplicate unit ids"):
        polygon_weights(gdf.assign(id="same"), unit="id")


def test_weights_for_matches_text_ids_and_reports_islands():
    from libpysal.weights import W

    from spatialgreen.errors import WeightsError
    from spatialgreen.geo import describe_weights, relabel_weights, weights_for

    w = W({"1": ["2"], "2": ["1", "3"], "3": ["2"]})
    aligned = weights_for(w, [3, 2, 1])
    assert aligned.id_order == [3, 2, 1]
    assert aligned.weights[2] == [0.5, 0.5]
    island = W({"a": ["b"], "b": ["a"], "c": []}, silence_warnings=True)
    with pytest.raises(WeightsError, match="islands"):
        weights_for(island, ["a", "b", "c"])
    kept = weights_for(island, ["a", "b", "c"], allow_islands=True)
    assert kept.islands == ["c"]
    relabelled = relabel_weights(w, {"1": "x", "2": "y", "3": "z"})
    assert sorted(relabelled.neighbors["y"]) == ["x", "z"]
    info = describe_weights(sg.spatial_weights("province", kind="knn", k=2), aligned)
    assert info["kind"] == "knn" and info["k"] == 2 and info["n"] == 34  # recipe
    assert info["mean_neighbors"] == pytest.approx(4 / 3)  # of the weights used


def test_weights_helpers_have_one_home():
    import spatialgreen.geo as geo
    from spatialgreen.geo import weights
    from spatialgreen.spatial import regression

    for name in ("weights_for", "describe_weights", "relabel_weights"):
        assert getattr(weights, name) is getattr(geo, name)
    # older import path kept for spatial.panel/heterogeneity and user code
    assert regression.weights_for is weights.weights_for


def test_repeated_unit_is_named():
    from spatialgreen.errors import DataError

    with pytest.raises(DataError, match=r"'北京' and 'Beijing' \(adcode 110000\)"):
        spatial_weights("province", kind="knn", k=2, ids=["北京", "天津", "Beijing"])
