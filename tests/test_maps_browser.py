"""Web maps in a real headless Chromium: what Leaflet actually drew, offline.

Each test saves an offline page (Leaflet inlined, no network), lets Chromium run it
and counts what is on the page: SVG paths per fill colour against mapclassify, the
legend, the year slider, an escaped tooltip, and colours on a screenshot.
"""

from __future__ import annotations

import collections
import re

import folium
import geopandas as gpd
import mapclassify
import numpy as np
import pandas as pd
import pytest
from _helpers import strip_of_squares
from shapely.geometry import box

from spatialgreen import maps
from spatialgreen.maps.palettes import LISA_COLORS, NO_DATA_COLOR, ramp

pytestmark = pytest.mark.browser

INJECTED = "<script>document.title='pwned'</script>"
PATH = re.compile(r'<path[^>]*class="leaflet-interactive"[^>]*>')
FILL = re.compile(r'\bfill="(#[0-9a-f]{6})"')


@pytest.fixture(scope="module")
def mexico() -> gpd.GeoDataFrame:
    import libpysal

    gdf = gpd.read_file(libpysal.examples.get_path("mexicojoin.shp")).set_crs(4326)
    return gdf.assign(name_zh="州 " + gdf["NAME"], name_en=gdf["NAME"])


def _layer(fmap: folium.Map) -> folium.GeoJson:
    return next(c for c in fmap._children.values() if isinstance(c, folium.GeoJson))


def _save_with(fmap: folium.Map, path, script: str = "") -> str:
    """Save offline, appending a test script that runs after the map is built."""
    page = maps.save(fmap, path).read_text(encoding="utf-8")
    if script:
        path.write_text(page.replace("</html>", f"<script>{script}</script></html>"))
    return str(path)


def _fill_counts(dom: str) -> collections.Counter[str]:
    fills = (FILL.search(tag) for tag in PATH.findall(dom))
    return collections.Counter(m.group(1) for m in fills if m)


def test_choropleth_draws_every_polygon_in_its_class(browser, mexico, tmp_path):
    gdf = mexico.copy()
    gdf.loc[3, "name_en"] = INJECTED
    gdf.loc[5, "PCGDP1940"] = np.nan
    fmap = maps.choropleth(gdf, "PCGDP1940", unit="POLY_ID", k=5, title="人均GDP 1940")
    open_tip = (
        f"{_layer(fmap).get_name()}.eachLayer(function(l) {{"
        f" if (l.feature.id === '{gdf.loc[3, 'POLY_ID']}') {{"
        " l.openTooltip(l.getBounds().getCenter()); } });"
    )
    dom = browser.dump_dom(_save_with(fmap, tmp_path / "c.html", open_tip))

    assert len(PATH.findall(dom)) == len(gdf) == 32
    observed = gdf["PCGDP1940"].dropna().to_numpy()
    classes = mapclassify.FisherJenks(observed, k=5)
    expected = dict(zip(ramp("YlGn", 5), classes.counts.tolist(), strict=True))
    expected[NO_DATA_COLOR] = 1
    assert _fill_counts(dom) == expected
    # The legend is on the page with its intervals and the unit without data.
    legend = dom[dom.index('<div class="sg-legend') :]
    assert legend.count('class="sg-swatch"') == 6
    assert f"no data: 州 {gdf.loc[5, 'NAME']}" in legend
    # The injected name is shown as text in the tooltip and never ran.
    tip = dom[dom.index('<div class="leaflet-tooltip') :]
    assert "&lt;script&gt;document.title='pwned'&lt;/script&gt;" in tip
    assert "<script>document.title" not in dom
    assert "<title>pwned</title>" not in dom


def test_year_slider_recolours_the_map(browser, mexico, tmp_path):
    years = [1940, 1970, 2000]
    long = pd.concat(
        [mexico.assign(year=y, gdp=mexico[f"PCGDP{y}"]) for y in years],
        ignore_index=True,
    )
    fmap = maps.choropleth(long, "gdp", unit="POLY_ID", time="year", k=4)
    move = (
        "var s = document.querySelector('.sg-slider input');"
        " s.value = 0; s.dispatchEvent(new Event('input'));"
    )
    dom = browser.dump_dom(_save_with(fmap, tmp_path / "t.html", move))

    pooled = mapclassify.FisherJenks(long["gdp"].to_numpy(), k=4)
    first = pooled.yb[long["year"].to_numpy() == 1940]
    colours = ramp("YlGn", 4)
    expected = collections.Counter(colours[c] for c in first)
    assert len(PATH.findall(dom)) == 32  # one polygon per state
    assert _fill_counts(dom) == expected
    assert '<b class="sg-year">1940</b>' in dom


def test_lisa_points_and_flows_layers(browser, tmp_path):
    grid = gpd.GeoDataFrame(
        {
            "adcode": [str(i) for i in range(6)],
            "name_zh": ["上海", "杭州", "南京", "苏州", "宁波", "合肥"],
            "cluster": ["HH", "HH", "ns", "LL", "LH", "HL"],
        },
        geometry=[box(115 + i, 30, 116 + i, 31) for i in range(6)],
        crs=4326,
    )
    fmap = maps.lisa(grid, title="LISA 集聚")
    coords = grid.assign(lon=[115.5 + i for i in range(6)], lat=30.5)
    od = pd.DataFrame(
        {
            "origin": ["0", "0", "3"],
            "destination": ["1", "5", "4"],
            "volume": [10, 50, 5],
        }
    )
    maps.flows(
        od, coords=pd.DataFrame(coords.drop(columns="geometry")), unit="adcode", m=fmap
    )
    maps.points(pd.DataFrame({"lon": [116.2, 118.4], "lat": [30.8, 30.2]}), m=fmap)
    dom = browser.dump_dom(_save_with(fmap, tmp_path / "l.html"))

    counts = _fill_counts(dom)
    for cluster, n in grid["cluster"].value_counts().items():
        assert counts[LISA_COLORS[cluster]] == n
    # 6 polygons + 3 flow lines + 2 circle markers, all drawn by Leaflet.
    assert len(PATH.findall(dom)) == 11
    assert (
        dom.count('<input type="checkbox" class="leaflet-control-layers-selector"') == 3
    )
    assert "LISA 集聚" in dom


def test_screenshot_shows_every_class_colour(browser, mexico, tmp_path):
    from PIL import Image

    fmap = maps.choropleth(mexico, "PCGDP2000", unit="POLY_ID", k=5, palette="YlOrRd")
    png = browser.screenshot(_save_with(fmap, tmp_path / "s.html"), tmp_path / "s.png")
    with Image.open(png) as img:
        pixels = np.asarray(img.convert("RGB")).reshape(-1, 3).astype(int)
    background = np.array([0xF4, 0xF6, 0xF4])
    assert (np.abs(pixels - background).sum(1) <= 3).mean() > 0.3  # plain background
    for colour in ramp("YlOrRd", 5):
        rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
        blended = 0.85 * rgb + 0.15 * background  # fillOpacity 0.85 over the page
        close = np.abs(pixels - blended).max(1) <= 4
        assert close.sum() > 20, colour


@pytest.mark.browser
def test_layer_control_shows_an_injected_legend_title_as_text(browser, tmp_path):
    # Leaflet writes layer names into the layer control with innerHTML
    injected = "<script>document.title='pwned'</script><b>bold</b>"
    fmap = maps.choropleth(
        strip_of_squares([1.0, 2.0]), "v", k=2, legend_title=injected
    )
    dom = browser.dump_dom(maps.save(fmap, tmp_path / "m.html"))
    assert "<title>pwned</title>" not in dom
    control = dom[dom.index("leaflet-control-layers-overlays") :]
    assert "&lt;b&gt;bold&lt;/b&gt;" in control[:3000]
    assert "<b>bold</b>" not in control[:3000]


# ------------------------------------------------------------------------ hostile text

HOSTILE = (
    "${alert(1)}",
    "`+alert(2)+`",
    "</script><script>alert(3)</script>",
    "\"'><img src=x onerror=alert(4)>",
    "<svg onload=alert(5)>",
)
# Runs first: records every dialog a page opens instead of showing it.
DIALOG_GUARD = (
    "<script>window.sgDialogs = [];"
    "['alert', 'confirm', 'prompt', 'print'].forEach(function(n) {"
    " window[n] = function(m) { window.sgDialogs.push(n + ':' + m);"
    " document.documentElement.setAttribute('data-dialogs', window.sgDialogs); };"
    "});</script>"
)


def _guarded(page: str, path, script: str = "") -> str:
    page = page.replace("<head>", "<head>" + DIALOG_GUARD, 1)
    if script:
        page = page.replace("</html>", f"<script>{script}</script></html>")
    path.write_text(page, encoding="utf-8")
    return str(path)


def _no_script_ran(dom: str) -> None:
    assert not re.search(r"<html[^>]*data-dialogs", dom)  # no alert/confirm/prompt
    assert not re.search(r"<img\b[^>]*onerror|<svg\b[^>]*onload", dom)
    assert "<title>pwned</title>" not in dom


def test_hostile_names_never_run_and_show_as_text(browser, tmp_path):
    n = len(HOSTILE)
    grid = gpd.GeoDataFrame(
        {
            "adcode": [str(i) for i in range(n)],
            "name_zh": list(HOSTILE),
            "kind": list(HOSTILE),
            "v": np.arange(1.0, n + 1),
        },
        geometry=[box(115 + i, 30, 116 + i, 31) for i in range(n)],
        crs=4326,
    )
    title = " ".join(HOSTILE)
    fmap = maps.choropleth(
        grid, "v", k=3, title=title, legend_title=HOSTILE[2], tooltip=["kind"]
    )
    pts = pd.DataFrame(grid.drop(columns="geometry")).assign(
        lon=[115.5 + i for i in range(n)], lat=30.5
    )
    od = pd.DataFrame({"origin": ["0", "1"], "destination": ["2", "3"], "n": [5, 9]})
    maps.flows(od, coords=pts, unit="adcode", volume="n", name=HOSTILE[0], m=fmap)
    maps.points(pts, label="name_zh", category="kind", name=HOSTILE[1], m=fmap)
    pairs = pd.DataFrame(
        {
            "lon_a": [115.5],
            "lat_a": [30.2],
            "lon_b": [117.5],
            "lat_b": [30.8],
            "a": [HOSTILE[3]],
            "b": [HOSTILE[4]],
        }
    )
    maps.pairs(pairs, label=("a", "b"), name=HOSTILE[4], m=fmap)
    open_all = (
        f"{fmap.get_name()}.eachLayer(function(l) {{"
        " if (l.getTooltip && l.getTooltip()) {"
        "  l.openTooltip(l.getLatLng ? l.getLatLng() : l.getBounds().getCenter()); }"
        "});"
    )
    page = maps.save(fmap, tmp_path / "m.html").read_text(encoding="utf-8")
    dom = browser.dump_dom(_guarded(page, tmp_path / "m.html", open_all))

    _no_script_ran(dom)
    tips = re.findall(r'<div class="leaflet-tooltip[^"]*"[^>]*>(.*?)</div>', dom, re.S)
    shown = "".join(tips)
    # 5 polygons + 2 flows + 5 points + 1 pair line + 2 pair points
    assert len(tips) == 15
    for text in HOSTILE:  # as text: serialised with &lt; &gt; &amp;, never a tag
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert escaped in shown, text
        assert escaped in dom[dom.index('class="sg-title"') :]  # the title too
    legend = dom[dom.index('<div class="sg-legend') :]
    assert "&lt;/script&gt;&lt;script&gt;alert(3)&lt;/script&gt;" in legend
    control = dom[dom.index("leaflet-control-layers-overlays") :][:4000]
    assert "${alert(1)}" in control and "`+alert(2)+`" in control


def test_the_dialog_guard_sees_a_script_that_runs(browser, tmp_path):
    # the check itself: folium's own tooltip runs ${...} in a unit name
    import folium

    fmap = maps.points(pd.DataFrame({"lon": [116.4], "lat": [39.9]}))
    folium.CircleMarker((39.9, 116.4), tooltip="${alert(1)}").add_to(fmap)
    page = maps.save(fmap, tmp_path / "bad.html").read_text(encoding="utf-8")
    dom = browser.dump_dom(_guarded(page, tmp_path / "bad.html"))
    assert 'data-dialogs="alert:1"' in dom


def test_gallery_with_hostile_titles_runs_nothing(browser, tmp_path):
    from spatialgreen.report import Report, write_gallery

    rep = Report(tmp_path / "out", title=HOSTILE[2])
    rep.table(pd.DataFrame({"a": [1]}), "t", " ".join(HOSTILE))
    rep.text("x", "'onmouseover=alert(6) x='", HOSTILE[3])
    path = write_gallery(
        [rep], tmp_path / "index.html", title=HOSTILE[0], note=HOSTILE[4]
    )
    page = path.read_text(encoding="utf-8")
    dom = browser.dump_dom(_guarded(page, tmp_path / "index.html"))
    _no_script_ran(dom)
    assert "&lt;/script&gt;&lt;script&gt;alert(3)&lt;/script&gt;" in dom
    assert not re.search(r"<[a-z][^>]*\sonmouseover=", dom)  # no attribute made
    assert "'onmouseover=alert(6) x='.txt</a>" in dom  # the file name, as text
