"""Web maps at the object and HTML level: classes, colours, legend, escaping, offline.

Browser checks (drawn paths, colours on screen) are in ``test_maps_browser.py``.
"""

from __future__ import annotations

import re

import folium
import geopandas as gpd
import mapclassify
import numpy as np
import pandas as pd
import pytest
from _helpers import strip_of_squares
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from spatialgreen import maps
from spatialgreen.errors import DataError, DependencyError
from spatialgreen.maps.palettes import LISA_COLORS, NO_DATA_COLOR, ramp, tapio_colors

INJECTED = "<script>document.title='pwned'</script>"
EXTERNAL = re.compile(r"<(?:script|link|img)\b[^>]*\b(?:src|href)=\"https?://", re.I)


def _grid(values, *, names=None) -> gpd.GeoDataFrame:
    """A row of unit squares with the given values and bilingual names."""
    n = len(values)
    names = names or [f"单元{i}" for i in range(n)]
    return gpd.GeoDataFrame(
        {
            "adcode": [str(100000 + i) for i in range(n)],
            "name_zh": names,
            "name_en": [f"Unit {i}" for i in range(n)],
            "v": values,
        },
        geometry=[box(100 + i, 30, 101 + i, 31) for i in range(n)],
        crs=4326,
    )


def _text(fmap: folium.Map) -> str:
    """The rendered page with JSON \\uXXXX escapes decoded (as the browser reads it)."""
    page = fmap.get_root().render()
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), page)


def _layer(fmap: folium.Map) -> folium.GeoJson:
    return next(c for c in fmap._children.values() if isinstance(c, folium.GeoJson))


def _fills(fmap: folium.Map) -> dict[str, str]:
    layer = _layer(fmap)
    return {
        f["id"]: layer.style_function(f)["fillColor"] for f in layer.data["features"]
    }


@pytest.fixture(scope="module")
def mexico() -> gpd.GeoDataFrame:
    import libpysal

    gdf = gpd.read_file(libpysal.examples.get_path("mexicojoin.shp")).set_crs(4326)
    return gdf.assign(name_zh=gdf["NAME"], name_en=gdf["NAME"])


def test_unit_on_a_break_gets_its_right_closed_class():
    # mapclassify intervals are right-closed: 2.0 belongs to (-inf, 2], 4.0 to (2, 4].
    gdf = _grid([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    fmap = maps.choropleth(gdf, "v", bins=[2.0, 4.0, 6.0], palette="Blues")
    colours = ramp("Blues", 3)
    fills = _fills(fmap)
    assert [fills[c] for c in gdf["adcode"]] == [colours[i] for i in (0, 0, 1, 1, 2, 2)]
    # A left-closed step colormap (np.digitize) would have put 2.0 and 4.0 one up.
    assert np.digitize([2.0, 4.0], [1.0, 2.0, 4.0, 6.0]).tolist() == [2, 3]


def test_fisher_jenks_classes_match_mapclassify(mexico):
    fmap = maps.choropleth(mexico, "PCGDP1940", unit="POLY_ID", k=5)
    expected = mapclassify.FisherJenks(mexico["PCGDP1940"].to_numpy(), k=5)
    colours = ramp("YlGn", 5)
    fills = _fills(fmap)
    keys = mexico["POLY_ID"].astype(str)
    assert [fills[k] for k in keys] == [colours[c] for c in expected.yb]
    page = _text(fmap)
    for label, count in zip(
        expected.get_legend_classes("{:.2f}"), expected.counts, strict=True
    ):
        assert (
            f"{' '.join(label.replace('[ ', '[').replace('( ', '(').split())} ({count})"
            in page
        )


def test_missing_values_are_grey_and_listed_in_the_legend():
    gdf = _grid([1.0, np.nan, 3.0, 4.0], names=["北京", "天津", "河北", "山西"])
    fmap = maps.choropleth(gdf, "v", scheme="equal_interval", k=3)
    assert _fills(fmap)["100001"] == NO_DATA_COLOR
    page = _text(fmap)
    assert "no data: 天津" in page
    assert "[1.00, 2.00] (1)" in page and "(2.00, 3.00] (1)" in page


def test_tooltips_and_legend_escape_user_text():
    gdf = _grid([1.0, 2.0, 3.0], names=["上海", INJECTED, "江苏"])
    gdf["state"] = ["A", "B", INJECTED]
    for fmap in (
        maps.choropleth(gdf, "v", k=2, title=INJECTED),
        maps.categorical(
            gdf, "state", palette={"A": "#111111", "B": "#222222", INJECTED: "#333333"}
        ),
    ):
        page = fmap.get_root().render()
        assert "<script>document.title" not in page
        tip = _layer(fmap).data["features"][1]["properties"]["tip"][""]
        assert "&lt;script&gt;document.title=&#x27;pwned&#x27;&lt;/script&gt;" in tip


def test_input_frame_is_not_modified():
    gdf = _grid([1.0, 2.0, np.nan])
    before = gdf.copy()
    maps.choropleth(gdf, "v", k=2)
    maps.categorical(gdf.assign(s=["A", "B", None]), "s")
    pd.testing.assert_frame_equal(gdf, before)


def test_tapio_states_have_fixed_colours_and_benefit_flips_them():
    gdf = _grid([1.0, 2.0, 3.0])
    gdf["state"] = ["strong decoupling", "expansive negative decoupling", "扩张连接"]
    pressure = _fills(maps.categorical(gdf, "state"))
    benefit = _fills(maps.categorical(gdf, "state", indicator="benefit"))
    assert pressure["100000"] == "#1a9850"  # best for emissions: dark green
    assert benefit["100000"] == "#a50026"  # worst for a benefit: dark red
    assert benefit["100001"] == "#1a9850"
    assert (
        pressure["100002"] == benefit["100002"] == tapio_colors()["expansive coupling"]
    )


def test_catchup_types_keep_their_order_and_colours():
    gdf = _grid([1.0, 2.0, 3.0, 4.0])
    gdf["type"] = ["D", "A", "C", "A"]
    fmap = maps.categorical(gdf, "type", legend_title="追赶类型")
    page = _text(fmap)
    assert page.index("A (2)") < page.index("C (1)") < page.index("D (1)")
    assert _fills(fmap)["100000"] == "#d73027"


def test_lisa_from_quadrant_and_pseudo_p_values():
    gdf = _grid([1.0, 2.0, 3.0, 4.0, 5.0])
    gdf["q"] = [1, 2, 3, 4, 1]
    gdf["p_sim"] = [0.01, 0.03, 0.2, 0.04, 0.5]
    fills = _fills(maps.lisa(gdf, quadrant="q", p="p_sim"))
    assert [fills[c] for c in gdf["adcode"]] == [
        LISA_COLORS[c] for c in ("HH", "LH", "ns", "HL", "ns")
    ]
    clusters = gdf.assign(cluster=["HH", "LL", "ns", "XX", "HH"])
    with pytest.raises(DataError, match="XX"):
        maps.lisa(clusters)


def test_panel_gets_one_feature_per_unit_and_pooled_classes(mexico):
    years = [1940, 1960, 1980, 2000]
    long = pd.concat(
        [mexico.assign(year=y, gdp=mexico[f"PCGDP{y}"]) for y in years],
        ignore_index=True,
    )
    fmap = maps.choropleth(long, "gdp", unit="POLY_ID", time="year", year=1960, k=5)
    features = _layer(fmap).data["features"]
    assert len(features) == len(mexico)
    pooled = mapclassify.FisherJenks(long["gdp"].to_numpy(), k=5)
    by_key = {
        (str(u), str(y)): c
        for u, y, c in zip(long.POLY_ID, long.year, pooled.yb, strict=True)
    }
    for f in features:
        assert f["properties"]["c"] == {
            str(y): int(by_key[(f["id"], str(y))]) for y in years
        }
    # The 1960 classes colour the map when it opens.
    fills = _fills(fmap)
    colours = ramp("YlGn", 5)
    assert all(
        fills[f["id"]] == colours[f["properties"]["c"]["1960"]] for f in features
    )
    page = _text(fmap)
    assert "breaks pooled over 1940–2000" in page
    assert 'input.type = "range"' in page
    with pytest.raises(DataError, match="1950"):
        maps.choropleth(long, "gdp", unit="POLY_ID", time="year", year=1950)


def test_duplicate_units_without_time_are_an_error():
    gdf = pd.concat([_grid([1.0, 2.0]), _grid([3.0, 4.0])], ignore_index=True)
    with pytest.raises(DataError, match="'100000' appears more than once; pass time="):
        maps.choropleth(gdf, "v")


def test_bad_columns_are_named():
    gdf = _grid([1.0, 2.0, 3.0]).assign(text=["1", "x", "3"])
    with pytest.raises(DataError, match="gtfp"):
        maps.choropleth(gdf, "gtfp")
    with pytest.raises(
        DataError, match=r"'text' is not numeric for units \['100001'\]"
    ):
        maps.choropleth(gdf, "text")
    with pytest.raises(DataError, match="no geometry"):
        maps.choropleth(pd.DataFrame({"v": [1.0]}), "v")


# Quantiles of tied values give fewer classes; mapclassify says so, for both routes.
@pytest.mark.filterwarnings("ignore:Not enough unique values:UserWarning")
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=st.lists(
        st.one_of(st.floats(-1e6, 1e6, allow_nan=False), st.just(float("nan"))),
        min_size=3,
        max_size=25,
    ),
    k=st.integers(2, 7),
    scheme=st.sampled_from(["fisher_jenks", "quantiles", "equal_interval"]),
)
def test_every_feature_is_coloured_by_its_mapclassify_class(values, k, scheme):
    observed = np.array([v for v in values if not np.isnan(v)])
    if len(np.unique(observed)) < 2:
        return
    gdf = _grid(values)
    expected = mapclassify.classify(
        observed, scheme, k=min(k, len(np.unique(observed)))
    )
    if (np.diff(expected.bins) <= 0).any():  # mapclassify's own failure: refused
        with pytest.raises(DataError, match="no ordered class breaks"):
            maps.choropleth(gdf, "v", scheme=scheme, k=k)
        return
    fmap = maps.choropleth(gdf, "v", scheme=scheme, k=k)
    colours = ramp("YlGn", len(expected.bins))
    fills = _fills(fmap)
    got = [
        fills[a] for a, v in zip(gdf["adcode"], values, strict=True) if not np.isnan(v)
    ]
    assert got == [colours[c] for c in expected.yb]
    assert [
        fills[a] for a, v in zip(gdf["adcode"], values, strict=True) if np.isnan(v)
    ] == [NO_DATA_COLOR] * int(np.isnan(values).sum())


def test_unordered_fisher_jenks_breaks_are_refused():
    values = [0.0, 2.9670347571216667e-46, 1.2019223650949193e-303, -1.0]
    with pytest.raises(DataError, match=r"fisher_jenks.*no ordered class breaks"):
        maps.choropleth(_grid(values), "v", scheme="fisher_jenks", k=4)


def test_flows_width_grows_with_volume_and_units_are_checked():
    pts = pd.DataFrame(
        {
            "unit": ["上海", "杭州", "南京", "苏州"],
            "lon": [121.5, 120.2, 118.8, 120.6],
            "lat": [31.2, 30.3, 32.1, 31.3],
        }
    )
    od = pd.DataFrame(
        {
            "origin": ["上海", "上海", "苏州", "南京"],
            "destination": ["杭州", "南京", "杭州", "苏州"],
            "volume": [1000, 10, 100, 0],
        }
    )
    fmap = maps.flows(od, coords=pts, unit="unit", min_volume=0)
    group = next(
        c for c in fmap._children.values() if isinstance(c, folium.FeatureGroup)
    )
    lines = [c for c in group._children.values() if isinstance(c, folium.PolyLine)]
    weights = [ln.options["weight"] for ln in lines]
    assert len(lines) == 3  # the zero flow is dropped
    assert weights[0] == 1.0 and weights[-1] == 8.0  # smallest thin, largest on top
    share = (np.log1p(100) - np.log1p(10)) / (np.log1p(1000) - np.log1p(10))
    assert weights[1] == pytest.approx(1 + 7 * share, abs=0.01)
    tips = [next(iter(ln._children.values())).text for ln in lines]
    assert tips[-1] == "上海 → 杭州: 1,000"
    with pytest.raises(DataError, match="无锡"):
        maps.flows(od.assign(origin="无锡"), coords=pts, unit="unit")


def test_points_and_pairs_layers_escape_labels():
    df = pd.DataFrame(
        {
            "lon": [120.1, 121.4],
            "lat": [30.2, 31.2],
            "name": [INJECTED, "产业带"],
            "kind": ["集群", "产业带"],
        }
    )
    fmap = maps.points(df, label="name", category="kind")
    pairs = pd.DataFrame(
        {
            "lon_a": [120.1],
            "lat_a": [30.2],
            "lon_b": [120.6],
            "lat_b": [30.0],
            "a": [INJECTED],
            "b": ["产业带"],
        }
    )
    maps.pairs(pairs, label=("a", "b"), m=fmap)
    page = fmap.get_root().render()
    assert "<script>document.title" not in page
    assert page.count("L.circleMarker") == 4 and page.count("L.polyline") == 1
    assert page.count("L.control.layers") == 1  # one layer control, listing both layers
    with pytest.raises(DataError, match="valid lon/lat"):
        maps.points(df.assign(lat=[30.2, 200.0]))


def test_offline_page_loads_nothing_from_the_network(tmp_path):
    gdf = _grid([1.0, 2.0, 3.0])
    fmap = maps.choropleth(gdf, "v", k=2, title="离线")
    offline = maps.save(fmap, tmp_path / "offline.html").read_text(encoding="utf-8")
    online = maps.save(fmap, tmp_path / "online.html", offline=False).read_text(
        encoding="utf-8"
    )
    assert EXTERNAL.search(online)
    assert not EXTERNAL.search(offline)
    assert "Leaflet 1.9.3" in offline  # the library's banner: Leaflet itself is inlined
    assert "url(images/" not in offline  # the control icons are data URIs
    with pytest.raises(DataError, match="html"):
        maps.save(fmap, tmp_path / "map.png")


def test_offline_refuses_assets_it_cannot_inline(tmp_path):
    fmap = maps.choropleth(_grid([1.0, 2.0, 3.0]), "v", k=2)
    folium.Marker((30.5, 100.5), popup="needs jQuery").add_to(fmap)
    with pytest.raises(DependencyError, match="offline=False"):
        maps.save(fmap, tmp_path / "m.html")
    assert not (tmp_path / "m.html").exists()


def test_size_budgets_of_shipped_province_and_city_maps(tmp_path):
    import spatialgreen as sg

    rng = np.random.default_rng(1)
    provinces = sg.load_boundaries("province")
    panel = pd.DataFrame(
        [
            (a, y, rng.normal(1, 0.2))
            for a in provinces["adcode"]
            for y in range(2005, 2023)
        ],
        columns=["adcode", "year", "gtfp"],
    )
    fmap = maps.choropleth(panel, "gtfp", level="province", unit="adcode", time="year")
    assert maps.save(fmap, tmp_path / "p.html").stat().st_size < 2_000_000
    cities = sg.load_boundaries("city")
    table = pd.DataFrame(
        {"adcode": cities["adcode"], "v": rng.normal(size=len(cities))}
    )
    fmap = maps.choropleth(table, "v", level="city", unit="adcode")
    assert maps.save(fmap, tmp_path / "c.html").stat().st_size < 5_000_000


def test_join_by_chinese_names_and_grey_units_without_data():
    df = pd.DataFrame({"province": ["北京", "天津", "河北"], "gtfp": [1.2, 1.1, 0.9]})
    fmap = maps.choropleth(df, "gtfp", level="province", unit="province", k=2)
    features = _layer(fmap).data["features"]
    fills = _fills(fmap)
    assert len(features) == 34  # every province drawn, those without data in grey
    assert sum(c == NO_DATA_COLOR for c in fills.values()) == 31
    tip = next(f for f in features if f["id"] == "110000")["properties"]["tip"][""]
    assert "北京" in tip and "Beijing" in tip and "1.20" in tip


def test_cli_map_with_own_boundaries(tmp_path, capsys):
    from spatialgreen.cli import main

    gdf = _grid([1.0, 2.0, 3.0, 4.0])
    gdf[["adcode", "geometry"]].to_file(tmp_path / "b.geojson", driver="GeoJSON")
    pd.DataFrame({"code": gdf["adcode"], "gtfp": gdf["v"]}).to_csv(
        tmp_path / "r.csv", index=False
    )
    args = [
        "map",
        str(tmp_path / "r.csv"),
        "--column",
        "gtfp",
        "--unit",
        "code",
        "--boundaries",
        str(tmp_path / "b.geojson"),
        "--boundary-key",
        "adcode",
        "--scheme",
        "equal_interval",
        "-k",
        "2",
        "-o",
        str(tmp_path / "m.html"),
    ]
    assert main(args) == 0
    page = (tmp_path / "m.html").read_text(encoding="utf-8")
    assert not EXTERNAL.search(page)
    assert "[1.00, 2.50] (2)" in page
    bad = [*args[:2], "--column", "nope", *args[4:]]
    assert main(bad) == 2
    assert "nope" in capsys.readouterr().err


def test_amap_tiles_get_gcj02_geometry_and_osm_keeps_wgs84():
    from spatialgreen.geo.gcj02 import wgs84_to_gcj02

    gdf = _grid([1.0, 2.0, 3.0])
    amap = maps.choropleth(gdf, "v", k=2, tiles="amap")
    ring = np.array(_layer(amap).data["features"][0]["geometry"]["coordinates"][0])
    lon, lat = wgs84_to_gcj02(np.array([101.0]), np.array([31.0]))
    assert [round(float(lon[0]), 3), round(float(lat[0]), 3)] in ring.tolist()
    assert "autonavi" in amap.get_root().render()
    osm = maps.choropleth(gdf, "v", k=2, tiles="osm")
    ring = _layer(osm).data["features"][0]["geometry"]["coordinates"][0]
    assert [101.0, 31.0] in [list(p) for p in ring]
    with pytest.raises(DataError, match="tiles"):
        maps.choropleth(gdf, "v", tiles="google")


def test_cli_map_joins_names_to_shipped_provinces(tmp_path):
    from spatialgreen.cli import main

    table = pd.DataFrame(
        {
            "省份": ["北京", "天津", "河北", "北京", "天津", "河北"],
            "year": [2020, 2020, 2020, 2021, 2021, 2021],
            "state": ["strong decoupling", "weak decoupling", "扩张连接"] * 2,
        }
    )
    table.to_csv(tmp_path / "d.csv", index=False, encoding="utf-8-sig")
    out = tmp_path / "d.html"
    args = [
        "map",
        str(tmp_path / "d.csv"),
        "--column",
        "state",
        "--unit",
        "省份",
        "--level",
        "province",
        "--time",
        "year",
        "--title",
        "脱钩",
        "-o",
        str(out),
    ]
    assert main(args) == 0
    page = out.read_text(encoding="utf-8")
    assert page.count('"type":"Feature"') + page.count('"type": "Feature"') == 34
    assert "#1a9850" in page and 'input.type = "range"' in page


@pytest.mark.parametrize("bins", [[3.0, 1.5], [1.5, 1.5, 3.0]])
def test_choropleth_rejects_unsorted_user_bins(bins):
    # mapclassify.UserDefined accepts [3.0, 1.5] and puts 2.0 and 3.0 in the class
    # "(1.50, 4.00]": silently wrong colours and legend
    import spatialgreen as sg

    with pytest.raises(sg.DataError, match="strictly increasing"):
        maps.choropleth(strip_of_squares([1.0, 2.0, 3.0, 4.0]), "v", bins=bins)


def test_layer_control_names_are_escaped():
    # Leaflet's layer control writes layer names with innerHTML
    raw = "<b>X&Y</b>"
    page = maps.choropleth(strip_of_squares([1.0, 2.0]), "v", k=2, legend_title=raw)
    page = page.get_root().render()
    assert "\\u003cb\\u003eX" not in page and "<b>X" not in page
    pts = pd.DataFrame({"lon": [116.4], "lat": [39.9]})
    page = maps.points(pts, name=raw).get_root().render()
    assert "\\u003cb\\u003eX" not in page and "<b>X" not in page


def test_lisa_map_missing_p_value_is_no_data_not_ns():
    gdf = gpd.GeoDataFrame(
        {"q": [1, 3, 2], "p_sim": [0.01, 0.4, np.nan]},
        geometry=[box(100 + i, 30, 101 + i, 31) for i in range(3)],
        crs=4326,
    )
    page = maps.lisa(gdf, quadrant="q", p="p_sim").get_root().render()
    assert "HH (1)" in page and "ns (1)" in page and "no data" in page


def test_flows_on_shipped_polygons_match_names_and_adcodes():
    # with level= the keys were adcode strings only, so "北京" was reported as a
    # unit "without coordinates"
    import spatialgreen as sg

    od = pd.DataFrame(
        {
            "origin": ["北京", 310000],
            "destination": ["上海市", "110000"],
            "volume": [1, 2],
        }
    )
    page = maps.flows(od, level="province").get_root().render()
    assert page.count("L.polyline") == 2
    with pytest.raises(sg.UnmatchedUnitError, match="火星"):
        maps.flows(od.assign(destination="火星"), level="province")


def test_offline_save_accepts_user_text_that_looks_like_jquery(tmp_path):
    # "$(" in a legend title or unit name made save() claim the page needs jQuery
    import spatialgreen as sg

    gdf = strip_of_squares([1.0, 2.0]).assign(name_zh=['a"$(b', "c`$(d"])
    fmap = maps.choropleth(gdf, "v", k=2, legend_title="cost $(bn)", title="$(x)")
    assert "cdn." not in maps.save(fmap, tmp_path / "m.html").read_text("utf-8")
    folium.Marker((30.5, 100.5), popup="needs jQuery").add_to(fmap)
    with pytest.raises(sg.DependencyError, match="offline=False"):
        maps.to_html(fmap)


def test_points_with_a_repeated_index_label():
    # data.at[i, ...] returned a Series for a repeated label: folium raised
    # "Location should consist of two numerical values"
    one = pd.DataFrame({"lon": [116.4], "lat": [39.9], "name": ["北京"], "cat": ["a"]})
    two = pd.DataFrame({"lon": [121.4], "lat": [31.2], "name": ["上海"], "cat": ["b"]})
    page = maps.points(pd.concat([one, two]), label="name", category="cat")
    page = page.get_root().render()
    assert page.count("L.circleMarker") == 2 and "dtype" not in page


def test_pairs_with_a_repeated_index_and_swapped_coordinates():
    import spatialgreen as sg

    row = {"lon_a": [120.1], "lat_a": [30.2], "lon_b": [120.6], "lat_b": [30.0]}
    df = pd.concat([pd.DataFrame(row), pd.DataFrame(row)])
    page = maps.pairs(df).get_root().render()
    assert page.count("L.polyline") == 2
    swapped = df.rename(columns={"lon_b": "lat_b", "lat_b": "lon_b"})
    with pytest.raises(sg.DataError, match="valid coordinates"):
        maps.pairs(swapped.reset_index(drop=True))


def test_draw_chooses_the_map_kind_from_the_values():
    gdf = _grid([1.0, 2.0, 3.0]).assign(state=["A", "D", "A"])
    numeric = maps.draw(gdf, "v", scheme="equal_interval", k=3)
    assert _fills(numeric) == dict(
        zip(gdf["adcode"], ramp("YlGn", 3), strict=True)
    )  # the same colours as maps.choropleth draws
    assert _fills(numeric) == _fills(
        maps.choropleth(gdf, "v", scheme="equal_interval", k=3)
    )
    states = maps.draw(gdf, "state")
    assert _fills(states) == {
        "100000": "#1a9850",
        "100001": "#d73027",
        "100002": "#1a9850",
    }
    forced = maps.draw(gdf, "v", kind="categorical")  # numbers as categories
    assert sorted(set(_fills(forced).values())) == sorted(
        set(maps.palettes.category_colors(["1.0", "2.0", "3.0"]).values())
    )
    clusters = maps.draw(gdf.assign(cluster=["HH", "ns", "LL"]), kind="lisa")
    assert list(_fills(clusters).values()) == [
        LISA_COLORS["HH"],
        LISA_COLORS["ns"],
        LISA_COLORS["LL"],
    ]


def test_draw_rejects_what_the_kind_does_not_take():
    gdf = _grid([1.0, 2.0]).assign(state=["A", "D"])
    with pytest.raises(DataError, match="categorical map of 'state' takes no option k"):
        maps.draw(gdf, "state", k=3)
    with pytest.raises(DataError, match="takes no option indicator"):
        maps.draw(gdf, "v", indicator="benefit")
    with pytest.raises(DataError, match="kind must be"):
        maps.draw(gdf, "v", kind="hexbin")
    with pytest.raises(DataError, match="'nope' not found"):
        maps.draw(gdf, "nope")
    with pytest.raises(DataError, match="needs the column"):
        maps.draw(gdf)


def test_cli_map_reports_an_option_the_map_kind_does_not_take(tmp_path, capsys):
    from spatialgreen.cli import main

    pd.DataFrame({"unit": ["北京", "天津"], "state": ["A", "D"]}).to_csv(
        tmp_path / "s.csv", index=False
    )
    base = ["map", str(tmp_path / "s.csv"), "--column", "state", "--level", "province"]
    assert main([*base, "-o", str(tmp_path / "s.html")]) == 0
    assert main([*base, "--scheme", "quantiles", "-o", str(tmp_path / "t.html")]) == 2
    assert "takes no option scheme" in capsys.readouterr().err
    assert not (tmp_path / "t.html").exists()


# ------------------------------------------------------------------------ hostile text

HOSTILE = (
    "${alert(1)}",
    "`+alert(2)+`",
    "</script><script>alert(3)</script>",
    "\"'><img src=x onerror=alert(4)>",
    "<svg onload=alert(5)>",
)
_JS_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')


def _executable_forms(page: str) -> list[str]:
    """Every place where user text could run: a problem list, empty when safe.

    - HTML: no tag of the user's text is on the page (``<img``, ``<svg``, ``<script>``
      followed by code);
    - JavaScript: once every double-quoted (JSON) string is blanked out, no
      template literal (backtick), ``${`` or ``alert(`` is left in the code;
    - markup strings that Leaflet or our controls put into ``innerHTML`` (every
      JSON string not assigned to ``textContent``) hold no live tag.
    """
    import json

    problems = [t for t in ("<img", "<svg", "<script>alert") if t in page.lower()]
    if page.count("<script") != page.count("</script>"):
        problems.append("unbalanced <script>")
    for code in re.findall(r"<script>(.*?)</script>", page, flags=re.S):
        outside = _JS_STRING.sub('""', code)
        problems += [t for t in ("`", "${", "alert(") if t in outside]
        for match in _JS_STRING.finditer(code):
            if "textContent" in code[max(0, match.start() - 20) : match.start()]:
                continue  # shown as text, whatever it holds
            try:
                text = json.loads(match.group(0))
            except ValueError:
                continue
            if re.search(r"<(?:img|svg|script)\b", text, re.I):
                problems.append(text[:60])
    return problems


def _hostile_maps() -> dict[str, folium.Map]:
    n = len(HOSTILE)
    gdf = _grid(list(np.arange(1.0, n + 1)), names=list(HOSTILE))
    gdf["name_en"] = list(HOSTILE)
    gdf["kind"] = list(HOSTILE)
    gdf[HOSTILE[3]] = gdf["v"]  # a hostile column name (legend and tooltip)
    palette = dict(zip(HOSTILE, ramp("Blues", n), strict=True))
    panel = pd.concat([gdf.assign(year=y) for y in (2010, 2011)], ignore_index=True)
    pts = pd.DataFrame(
        {
            "lon": 100.5 + np.arange(n),
            "lat": 30.5,
            "unit": list(HOSTILE),
            "name_zh": list(HOSTILE),
            "kind": list(HOSTILE),
        }
    )
    od = pd.DataFrame(
        {"origin": list(HOSTILE), "destination": list(HOSTILE[1:] + HOSTILE[:1])}
    ).assign(**{HOSTILE[0]: np.arange(1, n + 1)})
    pairs = pd.DataFrame(
        {"lon_a": [100.5] * n, "lat_a": 30.5, "lon_b": 101.5, "lat_b": 30.7}
    ).assign(a=list(HOSTILE), b=list(HOSTILE[::-1]))
    title = " ".join(HOSTILE)
    return {
        "choropleth": maps.choropleth(
            gdf, HOSTILE[3], k=3, title=title, tooltip=["kind"], legend_title=title
        ),
        "categorical": maps.categorical(gdf, "kind", palette=palette, title=title),
        "lisa": maps.lisa(
            gdf.assign(q=[1, 2, 3, 4, 1], p=0.01), quadrant="q", p="p", title=title
        ),
        "panel": maps.choropleth(panel, "v", k=3, time="year", title=title),
        "points": maps.points(
            pts, label="name_zh", category="kind", tooltip=["unit"], name=title
        ),
        "flows": maps.flows(
            od, coords=pts, unit="unit", volume=HOSTILE[0], name=title, title=title
        ),
        "pairs": maps.pairs(pairs, label=("a", "b"), name=title, title=title),
    }


@pytest.mark.parametrize(
    "kind", ["choropleth", "categorical", "lisa", "panel", "points", "flows", "pairs"]
)
def test_hostile_text_has_no_executable_form_in_any_renderer(kind):
    fmap = _hostile_maps()[kind]
    page = fmap.get_root().render()
    assert _executable_forms(page) == []
    # and the text is still there, escaped for its place: markup in JSON strings
    decoded = _text(fmap)
    assert "&lt;/script&gt;&lt;script&gt;alert(3)&lt;/script&gt;" in decoded
    assert "${alert(1)}" in decoded and "`+alert(2)+`" in decoded


def test_the_checker_sees_folium_tooltips_and_raw_markup():
    # the checker itself: folium's own Tooltip (a template literal) is flagged
    m = folium.Map(tiles=None)
    folium.CircleMarker((30, 120), tooltip="${alert(1)}").add_to(m)
    assert "`" in _executable_forms(m.get_root().render())
    legend = maps.choropleth(_grid([1.0, 2.0]), "v", k=2)
    legend.get_root().html.add_child(folium.Element("<img src=x onerror=alert(1)>"))
    assert "<img" in _executable_forms(legend.get_root().render())


@pytest.mark.parametrize(
    "colour", ['red"><img src=x onerror=alert(1)>', "#12345", "url(x)", "</script>", 3]
)
def test_user_colours_must_be_css_colours(colour):
    gdf = _grid([1.0, 2.0]).assign(kind=["a", "b"])
    with pytest.raises(DataError, match="CSS colour"):
        maps.categorical(gdf, "kind", palette={"a": colour, "b": "#000000"})
    with pytest.raises(DataError, match="CSS colour"):
        maps.choropleth(gdf, "v", k=2, palette=[colour, "#000000"])
    pts = pd.DataFrame({"lon": [116.4], "lat": [39.9]})
    with pytest.raises(DataError, match="color"):
        maps.points(pts, color=colour)
    with pytest.raises(DataError, match="colors"):
        maps.pairs(
            pd.DataFrame({"lon_a": [1], "lat_a": [1], "lon_b": [2], "lat_b": [2]}),
            colors=("#000000", colour),
        )
    for good in ("#abc", "#A0B1C2", "#a0b1c2cc", "steelblue", "rgb(10, 20, 30)"):
        maps.categorical(gdf, "kind", palette={"a": good, "b": "#000"})


# --------------------------------------------------------------------------- China


def _thirty_provinces():
    import spatialgreen as sg

    units = sg.load_boundaries("province", study="gtfp30")["adcode"]
    return pd.DataFrame({"adcode": units, "v": np.linspace(0.5, 1.5, len(units))})


NOT_IN_GTFP30 = {"540000", "710000", "810000", "820000"}  # Xizang, Taiwan, HK, Macao


def test_national_map_of_30_provinces_draws_all_34():
    import spatialgreen as sg

    data = _thirty_provinces()
    inner = sg.join_units(data, unit="adcode", level="province", how="inner")
    merged = sg.load_boundaries("province").merge(data, on="adcode")  # attrs lost
    for fmap in (
        maps.choropleth(data, "v", level="province", unit="adcode"),
        maps.choropleth(inner, "v"),  # a GeoDataFrame of 30 provinces ...
        maps.choropleth(merged.assign(adcode=merged["adcode"].astype(str)), "v"),
        maps.categorical(inner.assign(s=np.where(inner["v"] > 1, "A", "D")), "s"),
    ):
        fills = _fills(fmap)
        assert len(fills) == 34  # ... is completed to all 34 provincial units
        assert {k for k, c in fills.items() if c == NO_DATA_COLOR} == NOT_IN_GTFP30
        page = _text(fmap)
        assert "no data: 西藏自治区, 台湾省, 香港特别行政区, 澳门特别行政区" in page
    assert len(inner) == 30 and "geometry" in inner  # the input is not changed


def test_national_panel_lists_units_without_any_data():
    data = _thirty_provinces()
    panel = pd.concat([data.assign(year=y) for y in (2020, 2021)], ignore_index=True)
    panel.loc[0, "v"] = np.nan  # Beijing 2020 only
    fmap = maps.choropleth(panel, "v", level="province", unit="adcode", time="year")
    assert len(_layer(fmap).data["features"]) == 34
    page = _text(fmap)
    assert "no data: 西藏自治区, 台湾省, 香港特别行政区, 澳门特别行政区" in page
    assert "dashed outline: no data for that unit and year" in page


def test_a_study_map_draws_that_region():
    import spatialgreen as sg

    yreb = sg.load_boundaries("province", study="yreb")
    some = pd.DataFrame({"adcode": yreb["adcode"][:9], "v": np.arange(9.0)})
    fmap = maps.choropleth(some, "v", level="province", unit="adcode", study="yreb")
    assert (
        len(_fills(fmap)) == 11
        and list(_fills(fmap).values()).count(NO_DATA_COLOR) == 2
    )
    gdf = yreb.iloc[:9].assign(v=np.arange(9.0))
    assert _fills(maps.choropleth(gdf, "v", study="yreb")) == _fills(fmap)
    with pytest.raises(DataError, match="outside study='yreb'"):
        maps.choropleth(
            sg.join_units(_thirty_provinces(), unit="adcode"), "v", study="yreb"
        )
    with pytest.raises(DataError, match="study= needs shipped units"):
        maps.choropleth(_grid([1.0, 2.0]), "v", study="yreb")


def test_city_maps_draw_province_outlines_for_context():
    import spatialgreen as sg

    yrd = sg.load_boundaries("city", study="yrd26")
    data = pd.DataFrame({"adcode": yrd["adcode"], "v": np.arange(26.0)})
    for fmap in (
        maps.choropleth(data, "v", level="city", unit="adcode", study="yrd26"),
        maps.choropleth(
            sg.join_units(data, unit="adcode", level="city", how="inner"), "v"
        ),
    ):
        layers = [c for c in fmap._children.values() if isinstance(c, folium.GeoJson)]
        assert [layer.layer_name for layer in layers] == ["v", "provinces"]
        assert len(layers[0].data["features"]) == 26
        outlines = {f["id"] for f in layers[1].data["features"]}
        assert outlines == {"310000", "320000", "330000", "340000"}
        assert layers[1].style_function({})["fill"] is False
        assert layers[1].options["interactive"] is False  # tooltips stay the cities'
    provinces = maps.choropleth(
        _thirty_provinces(), "v", level="province", unit="adcode"
    )
    names = [
        c.layer_name
        for c in provinces._children.values()
        if isinstance(c, folium.GeoJson)
    ]
    assert names == ["v"]


def test_cli_map_own_boundaries_keep_polygons_without_data(tmp_path):
    """A polygon of the user's file with no data row is drawn as no data, not lost."""
    from spatialgreen.cli import main

    gdf = _grid([1.0, 2.0, 3.0, 4.0])
    gdf[["adcode", "geometry"]].to_file(tmp_path / "b.geojson", driver="GeoJSON")
    rows = pd.DataFrame({"code": gdf["adcode"][:3], "gtfp": gdf["v"][:3]})
    rows.to_csv(tmp_path / "r.csv", index=False)
    args = ["map", str(tmp_path / "r.csv"), "--column", "gtfp", "--unit", "code"]
    args += ["--boundaries", str(tmp_path / "b.geojson"), "--boundary-key", "adcode"]
    args += ["--scheme", "equal_interval", "-k", "2", "-o", str(tmp_path / "m.html")]
    assert main(args) == 0
    page = (tmp_path / "m.html").read_text(encoding="utf-8")
    assert "no data: 1" in page
