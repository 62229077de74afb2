"""Review tests for geo/maps: numbers pinned against closed forms."""

from __future__ import annotations

import numpy as np
import pytest

from spatialgreen.geo.boundaries import unit_table
from spatialgreen.geo.weights import great_circle_km, spatial_weights, weights_recipe


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


def _strip(gdf_values):
    import geopandas as gpd
    from shapely.geometry import box

    return gpd.GeoDataFrame(
        {"v": gdf_values},
        geometry=[box(100 + i, 30, 101 + i, 31) for i in range(len(gdf_values))],
        crs=4326,
    )


@pytest.mark.parametrize("bins", [[3.0, 1.5], [1.5, 1.5, 3.0]])
def test_choropleth_rejects_unsorted_user_bins(bins):
    # mapclassify.UserDefined accepts [3.0, 1.5] and puts 2.0 and 3.0 in the class
    # "(1.50, 4.00]": silently wrong colours and legend
    import spatialgreen as sg
    from spatialgreen import maps

    with pytest.raises(sg.DataError, match="strictly increasing"):
        maps.choropleth(_strip([1.0, 2.0, 3.0, 4.0]), "v", bins=bins)


def test_layer_control_names_are_escaped():
    # Leaflet's layer control writes layer names with innerHTML
    import pandas as pd

    from spatialgreen import maps

    raw = "<b>X&Y</b>"
    page = maps.choropleth(_strip([1.0, 2.0]), "v", k=2, legend_title=raw)
    page = page.get_root().render()
    assert "\\u003cb\\u003eX" not in page and "<b>X" not in page
    pts = pd.DataFrame({"lon": [116.4], "lat": [39.9]})
    page = maps.points(pts, name=raw).get_root().render()
    assert "\\u003cb\\u003eX" not in page and "<b>X" not in page


def test_accessor_economic_weights_average_the_whole_panel():
    # the accessor kept only the first row per unit, so "averaged over the years"
    # silently became "the first year"
    import pandas as pd

    from spatialgreen.geo import load_boundaries

    b = load_boundaries("province", study="jjj")[["adcode", "geometry"]]
    panel = pd.concat(
        [
            b.assign(year=2000, gdp=[1.0, 2.0, 4.0]),
            b.assign(year=2001, gdp=[3.0, 2.5, 4.5]),
        ]
    )
    got = panel.spatialgreen.weights(kind="economic", variable="gdp", transform=None)
    means = {110000: 2.0, 120000: 2.25, 130000: 4.25}
    for (i, j), w in got.adjacency.items():
        assert w == pytest.approx(1 / abs(means[i] - means[j]))


_FIGURE_SCRIPT = """
import io, warnings
import numpy as np, pandas as pd
warnings.simplefilter("error")
from spatialgreen import figures
df = pd.DataFrame({"年份": [1, 1, 2, 2] * 3, "g": ["a"] * 12, "y": np.arange(12.0),
                   "region": ["东部", "西部"] * 6, "state": ["strong decoupling"] * 12})
figs = {
    "trend": lambda: figures.trend_by_group(df, "y", time="年份", group="g"),
    "kde": lambda: figures.kernel_density(df, "y", time="年份"),
    "sigma": lambda: figures.sigma_convergence(
        pd.DataFrame({"年份": [1, 2], "cv": [0.3, 0.2]}), time="年份"),
    "states": lambda: figures.decoupling_states(df, by="region"),
}
fig = figs[CASE]()
fig.savefig(io.BytesIO(), format="png")
"""


@pytest.mark.parametrize("case", ["trend", "kde", "sigma", "states"])
def test_figures_switch_to_cjk_font_for_time_and_group_labels(case):
    # a Chinese time column (年份) or Chinese group values on the axis drew empty
    # boxes ("Glyph ... missing") when nothing else in the figure was Chinese
    import subprocess
    import sys

    from spatialgreen.figures import use_cjk_font

    if use_cjk_font(warn=False) is None:
        pytest.skip("no CJK font installed")
    script = _FIGURE_SCRIPT.replace("CASE", repr(case))
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr[-800:]


def test_lisa_map_missing_p_value_is_no_data_not_ns():
    import geopandas as gpd
    from shapely.geometry import box

    from spatialgreen import maps

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
    import pandas as pd

    import spatialgreen as sg
    from spatialgreen import maps

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


def test_join_units_duplicate_message_names_the_period_plainly():
    import pandas as pd

    import spatialgreen as sg
    from spatialgreen.geo import join_units

    df = pd.DataFrame({"unit": ["北京", "北京市"], "year": [2001, 2001], "v": [1, 2]})
    with pytest.raises(sg.PanelError, match=r"in year=2001 ") as err:
        join_units(df, time="year", study="jjj")
    assert "np." not in str(err.value)
    with pytest.raises(sg.PanelError, match="share a unit"):
        join_units(df.drop(columns="year"), study="jjj")


def test_kernel_density_drops_infinite_values_like_missing_ones():
    # an infinite value reached scipy's gaussian_kde: "array must not contain infs"
    import pandas as pd

    from spatialgreen import figures

    df = pd.DataFrame({"year": [1] * 5 + [2] * 5, "v": [1.0, 2, 3, 4, np.inf] * 2})
    fig = figures.kernel_density(df, "v", time="year")
    for line in fig.axes[0].lines:
        assert np.isfinite(line.get_ydata()).all()


def test_islands_policy_typo_is_an_error_even_without_islands():
    import spatialgreen as sg

    with pytest.raises(sg.DataError, match="islands must be"):
        spatial_weights("province", kind="knn", k=3, islands="nearst")


def test_offline_save_accepts_user_text_that_looks_like_jquery(tmp_path):
    # "$(" in a legend title or unit name made save() claim the page needs jQuery
    import folium

    import spatialgreen as sg
    from spatialgreen import maps

    gdf = _strip([1.0, 2.0]).assign(name_zh=['a"$(b', "c`$(d"])
    fmap = maps.choropleth(gdf, "v", k=2, legend_title="cost $(bn)", title="$(x)")
    assert "cdn." not in maps.save(fmap, tmp_path / "m.html").read_text("utf-8")
    folium.Marker((30.5, 100.5), popup="needs jQuery").add_to(fmap)
    with pytest.raises(sg.DependencyError, match="offline=False"):
        maps.to_html(fmap)


def test_decoupling_states_by_group_with_a_duplicated_index():
    # pd.concat of yearly tables repeats index labels: this raised pandas'
    # "cannot reindex on an axis with duplicate labels"
    import pandas as pd

    from spatialgreen import figures

    a = pd.DataFrame(
        {"year": [1, 1], "state": ["strong decoupling", "weak decoupling"]}
    )
    b = pd.DataFrame({"year": [2, 2, 2], "state": ["strong decoupling"] * 2 + [None]})
    fig = figures.decoupling_states(pd.concat([a, b]), by="year")
    heights = [round(p.get_height()) for p in fig.axes[0].patches]
    assert heights == [1, 2, 1, 0]  # strong: year 1, year 2; weak: year 1, year 2


@pytest.mark.browser
def test_layer_control_shows_an_injected_legend_title_as_text(browser, tmp_path):
    # Leaflet writes layer names into the layer control with innerHTML
    from spatialgreen import maps

    injected = "<script>document.title='pwned'</script><b>bold</b>"
    fmap = maps.choropleth(_strip([1.0, 2.0]), "v", k=2, legend_title=injected)
    dom = browser.dump_dom(maps.save(fmap, tmp_path / "m.html"))
    assert "<title>pwned</title>" not in dom
    control = dom[dom.index("leaflet-control-layers-overlays") :]
    assert "&lt;b&gt;bold&lt;/b&gt;" in control[:3000]
    assert "<b>bold</b>" not in control[:3000]


@pytest.mark.parametrize(
    ("text", "level", "code"),
    [
        ("An Hui", "province", 340000),  # "hui" is a syllable here, not 回族
        ("AN HUI", "province", 340000),
        ("Xin hui", "county", 440705),
        ("Lings hui", "city", 469028),  # found by test_fuzzed_spellings_still_match
        ("Ningxia Hui", "province", 640000),
        ("Ningxia Hui Autonomous Region", "province", 640000),
        ("Guangxi Zhuang", "province", 450000),
    ],
)
def test_pinyin_syllable_hui_is_not_dropped_as_an_ethnic_word(text, level, code):
    from spatialgreen.geo import match_units

    assert match_units([text], level=level) == [code]


def test_points_with_a_repeated_index_label():
    # data.at[i, ...] returned a Series for a repeated label: folium raised
    # "Location should consist of two numerical values"
    import pandas as pd

    from spatialgreen import maps

    one = pd.DataFrame({"lon": [116.4], "lat": [39.9], "name": ["北京"], "cat": ["a"]})
    two = pd.DataFrame({"lon": [121.4], "lat": [31.2], "name": ["上海"], "cat": ["b"]})
    page = maps.points(pd.concat([one, two]), label="name", category="cat")
    page = page.get_root().render()
    assert page.count("L.circleMarker") == 2 and "dtype" not in page


def test_pairs_with_a_repeated_index_and_swapped_coordinates():
    import pandas as pd

    import spatialgreen as sg
    from spatialgreen import maps

    row = {"lon_a": [120.1], "lat_a": [30.2], "lon_b": [120.6], "lat_b": [30.0]}
    df = pd.concat([pd.DataFrame(row), pd.DataFrame(row)])
    page = maps.pairs(df).get_root().render()
    assert page.count("L.polyline") == 2
    swapped = df.rename(columns={"lon_b": "lat_b", "lat_b": "lon_b"})
    with pytest.raises(sg.DataError, match="valid coordinates"):
        maps.pairs(swapped.reset_index(drop=True))
