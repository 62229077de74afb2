"""Figures: drawn numbers checked against closed forms, esda and scipy."""

from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

from spatialgreen import figures
from spatialgreen.errors import DataError
from spatialgreen.maps.palettes import TAPIO_ZH, tapio_colors


@pytest.fixture(scope="module")
def mexico():
    import geopandas as gpd
    import libpysal

    return gpd.read_file(libpysal.examples.get_path("mexicojoin.shp"))


def test_moran_scatter_slope_is_esda_moran_i(mexico):
    import esda
    from libpysal.weights import Queen

    w = Queen.from_dataframe(mexico, use_index=True)
    w.transform = "r"
    y = mexico["PCGDP1940"].to_numpy(float)
    lag = w.sparse @ y
    fig = figures.moran_scatter(y, lag, labels=mexico["NAME"].tolist())
    expected = esda.Moran(y, w, permutations=0).I
    line = fig.axes[0].lines[0]
    xs, ys = line.get_xdata(), line.get_ydata()
    assert (ys[1] - ys[0]) / (xs[1] - xs[0]) == pytest.approx(expected, rel=1e-10)
    assert fig.axes[0].get_title() == f"Moran's I = {expected:.3f}"
    # The points are the standardised values and their lag.
    z = (y - y.mean()) / y.std()
    offsets = fig.axes[0].collections[0].get_offsets()
    np.testing.assert_allclose(offsets[:, 0], z)
    np.testing.assert_allclose(offsets[:, 1], w.sparse @ z)


def test_moran_scatter_colours_quadrants_with_lisa_colours():
    fig = figures.moran_scatter(
        [1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0], quadrants=["LL", "ns", "ns", "HH"]
    )
    colours = {
        c.get_label(): matplotlib.colors.to_hex(c.get_facecolor()[0])
        for c in fig.axes[0].collections
    }
    assert colours == {"HH": "#d7191c", "LL": "#2c7bb6", "ns": "#d3d3d3"}


def test_moran_scatter_rejects_bad_input():
    with pytest.raises(DataError, match="constant"):
        figures.moran_scatter([1.0, 1.0], [1.0, 1.0])
    with pytest.raises(DataError, match="finite"):
        figures.moran_scatter([1.0, np.nan], [1.0, 2.0])


def test_kernel_density_matches_hand_computed_gaussian_kde():
    rng = np.random.default_rng(3)
    sample = rng.normal(0.9, 0.15, 40)
    df = pd.DataFrame(
        {"year": [2010] * 40 + [2020] * 40, "g": [*sample, *(sample + 0.2)]}
    )
    fig = figures.kernel_density(df, "g", time="year")
    line = fig.axes[0].lines[0]
    x = line.get_xdata()
    h = sample.std(ddof=1) * len(sample) ** (-1 / 5)  # Scott's rule
    hand = np.exp(-0.5 * ((x[:, None] - sample) / h) ** 2).sum(1)
    hand /= len(sample) * h * np.sqrt(2 * np.pi)
    np.testing.assert_allclose(line.get_ydata(), hand, rtol=1e-10)
    assert [ln.get_label() for ln in fig.axes[0].lines] == ["2010", "2020"]


def test_kernel_density_picks_five_years_of_many():
    df = pd.DataFrame(
        {
            "year": np.repeat(np.arange(2005, 2023), 5),
            "g": np.tile([1.0, 1.2, 0.8, 1.1, 0.9], 18),
        }
    )
    fig = figures.kernel_density(df, "g", time="year")
    assert [ln.get_label() for ln in fig.axes[0].lines] == [
        "2005",
        "2009",
        "2013",
        "2018",
        "2022",
    ]
    with pytest.raises(DataError, match="1999"):
        figures.kernel_density(df, "g", time="year", years=[1999])


def test_trend_by_group_draws_group_means():
    df = pd.DataFrame(
        {
            "year": [1, 1, 2, 2, 1, 2],
            "region": ["东部", "东部", "东部", "东部", "西部", "西部"],
            "gtfp": [1.0, 3.0, 2.0, 6.0, 0.5, 0.7],
        }
    )
    fig = figures.trend_by_group(df, "gtfp", time="year", group="region", title="趋势")
    lines = {ln.get_label(): ln.get_ydata().tolist() for ln in fig.axes[0].lines}
    assert lines == {"东部": [2.0, 4.0], "西部": [0.5, 0.7]}
    with pytest.raises(DataError, match="region2"):
        figures.trend_by_group(df, "gtfp", time="year", group="region2")


def test_placebo_distribution_reports_two_sided_share():
    coefs = np.array([-0.5, -0.2, 0.0, 0.1, 0.3, 0.6, np.nan])
    fig = figures.placebo_distribution(coefs, 0.3)
    # |b| >= 0.3: -0.5, 0.3, 0.6 -> 3 of 6 finite values. The title is a sentence
    # (it was "placebo: 3 of 6 |b| >= |0.3| (p = 0.500)"); the estimate is in the
    # legend and the share in a note.
    ax = fig.axes[0]
    assert ax.get_title() == "Distribution of 6 placebo coefficients"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[-2:] == [
        "actual estimate = 0.3",
        "|placebo| ≥ |estimate| in 3 of 6:\nempirical p = 0.500",
    ]
    (estimate_line,) = [ln for ln in ax.lines if ln.get_linestyle() == "--"]
    assert estimate_line.get_xdata()[0] == 0.3


def test_sigma_convergence_sorts_by_time():
    t = pd.DataFrame(
        {"year": [2007, 2005, 2006], "cv": [0.3, 0.5, 0.4], "theil": [0.1, 0.3, 0.2]}
    )
    fig = figures.sigma_convergence(t, time="year", columns=("cv", "theil"))
    assert fig.axes[0].lines[0].get_ydata().tolist() == [0.5, 0.4, 0.3]
    assert fig.axes[0].lines[1].get_xdata().tolist() == [2005, 2006, 2007]


def test_decoupling_states_counts_and_fixed_colours():
    t = pd.DataFrame(
        {
            "state": ["strong decoupling"] * 3
            + ["weak decoupling"] * 2
            + ["strong negative decoupling"]
        }
    )
    fig = figures.decoupling_states(t)
    bars = fig.axes[0].patches
    assert [b.get_height() for b in bars] == [3, 2, 1]
    pressure = tapio_colors("pressure")
    assert [matplotlib.colors.to_hex(b.get_facecolor()) for b in bars] == [
        pressure["strong decoupling"],
        pressure["weak decoupling"],
        pressure["strong negative decoupling"],
    ]
    # For a benefit indicator the best state becomes strong negative decoupling.
    fig = figures.decoupling_states(t, indicator="benefit")
    colours = [matplotlib.colors.to_hex(b.get_facecolor()) for b in fig.axes[0].patches]
    assert colours[0] == "#a50026" and colours[2] != "#a50026"


def test_decoupling_states_stacked_by_year_in_chinese():
    t = pd.DataFrame(
        {"year": [1, 1, 2, 2], "state": ["强脱钩", "弱脱钩", "强脱钩", "强脱钩"]}
    )
    fig = figures.decoupling_states(t, by="year")
    heights = [b.get_height() for b in fig.axes[0].patches]
    assert heights == [1, 2, 1, 0]  # 强脱钩 per year, then 弱脱钩 per year
    assert tapio_colors()[TAPIO_ZH["strong decoupling"]] == tapio_colors()["强脱钩"]


def test_cjk_font_renders_chinese_without_missing_glyphs(tmp_path):
    family = figures.use_cjk_font(warn=False)
    if family is None:
        with pytest.warns(UserWarning, match="fonts-noto-cjk"):
            figures.use_cjk_font()
        return
    df = pd.DataFrame({"年份": [1, 2], "地区": ["东部", "东部"], "绿色TFP": [1.0, 1.1]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font" would raise
        fig = figures.trend_by_group(
            df, "绿色TFP", time="年份", group="地区", title="绿色发展"
        )
        out = figures.save(fig, tmp_path / "趋势.png")
    from PIL import Image

    with Image.open(out) as img:
        assert img.info["dpi"] == pytest.approx((300, 300), abs=0.01)


def test_missing_cjk_font_warns_with_the_fix(monkeypatch):
    from spatialgreen.figures import _common

    monkeypatch.setattr(_common, "CJK_FONTS", ("No Such CJK Font",))
    monkeypatch.setattr(_common, "_FONT_FILE_HINTS", ())
    with pytest.warns(UserWarning, match="apt-get install fonts-noto-cjk"):
        assert figures.use_cjk_font() is None


_FIGURE_CASES = ["trend", "kde", "sigma", "states"]

# A fresh interpreter imports spatialgreen.figures once (warnings are errors), then
# forks a child per case: each case starts from the state of a process that has
# only imported, as if it ran alone in a new interpreter, and the import (most of
# the cost) is paid once. Without os.fork (Windows) each case gets its own process.
_FIGURE_SCRIPT = """
import io, json, os, sys, traceback, warnings
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

def draw(case):
    try:
        fig = figs[case]()
        fig.savefig(io.BytesIO(), format="png")
    except BaseException:
        return 1, traceback.format_exc()
    return 0, ""

results = {}
for case in sys.argv[1:]:
    if not hasattr(os, "fork"):
        results[case] = draw(case)
        continue
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        code, error = draw(case)
        os.write(write, error.encode())
        os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        error = pipe.read().decode()
    results[case] = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), error
print(json.dumps(results))
"""


@pytest.fixture(scope="module")
def fresh_process_figures() -> dict[str, tuple[int, str]]:
    """Case -> (exit code, traceback) of drawing it in a fresh process."""
    import json
    import os
    import subprocess
    import sys

    batches = [_FIGURE_CASES] if hasattr(os, "fork") else [[c] for c in _FIGURE_CASES]
    results = {}
    for cases in batches:
        run = subprocess.run(
            [sys.executable, "-c", _FIGURE_SCRIPT, *cases],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert run.returncode == 0, run.stderr[-800:]
        results.update(json.loads(run.stdout.splitlines()[-1]))
    return results


@pytest.mark.parametrize("case", _FIGURE_CASES)
def test_figures_switch_to_cjk_font_for_time_and_group_labels(
    case, fresh_process_figures
):
    # a Chinese time column (年份) or Chinese group values on the axis drew empty
    # boxes ("Glyph ... missing") when nothing else in the figure was Chinese
    from spatialgreen.figures import use_cjk_font

    if use_cjk_font(warn=False) is None:
        pytest.skip("no CJK font installed")
    code, error = fresh_process_figures[case]
    assert code == 0, error[-800:]


def test_kernel_density_drops_infinite_values_like_missing_ones():
    # an infinite value reached scipy's gaussian_kde: "array must not contain infs"
    df = pd.DataFrame({"year": [1] * 5 + [2] * 5, "v": [1.0, 2, 3, 4, np.inf] * 2})
    fig = figures.kernel_density(df, "v", time="year")
    for line in fig.axes[0].lines:
        assert np.isfinite(line.get_ydata()).all()


def test_decoupling_states_by_group_with_a_duplicated_index():
    # pd.concat of yearly tables repeats index labels: this raised pandas'
    # "cannot reindex on an axis with duplicate labels"
    a = pd.DataFrame(
        {"year": [1, 1], "state": ["strong decoupling", "weak decoupling"]}
    )
    b = pd.DataFrame({"year": [2, 2, 2], "state": ["strong decoupling"] * 2 + [None]})
    fig = figures.decoupling_states(pd.concat([a, b]), by="year")
    heights = [round(p.get_height()) for p in fig.axes[0].patches]
    assert heights == [1, 2, 1, 0]  # strong: year 1, year 2; weak: year 1, year 2


def _map_fills(fmap) -> dict[str, str]:
    import folium

    layer = next(c for c in fmap._children.values() if isinstance(c, folium.GeoJson))
    return {
        f["id"]: layer.style_function(f)["fillColor"] for f in layer.data["features"]
    }


@pytest.mark.parametrize("indicator", ["pressure", "benefit"])
def test_tapio_states_have_one_colour_in_map_and_figure(indicator):
    # the YRD recipe drew benefit states green on the map and red in the bar chart
    import spatialgreen as sg
    from spatialgreen import maps
    from spatialgreen.maps.palettes import TAPIO_STATES

    units = sg.load_boundaries("province", study="gtfp30")["adcode"][:8]
    table = pd.DataFrame({"adcode": units, "state": list(TAPIO_STATES)})
    fmap = maps.categorical(
        table, "state", level="province", unit="adcode", indicator=indicator
    )
    on_map = _map_fills(fmap)
    fig = figures.decoupling_states(table, indicator=indicator)
    in_figure = [
        matplotlib.colors.to_hex(b.get_facecolor()) for b in fig.axes[0].patches
    ]
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels == list(TAPIO_STATES)
    by_state = dict(zip(labels, in_figure, strict=True))
    for adcode, state in zip(table["adcode"], table["state"], strict=True):
        assert on_map[str(adcode)] == by_state[state] == tapio_colors(indicator)[state]


def test_groups_have_one_colour_in_map_and_trend_figure():
    import spatialgreen as sg
    from spatialgreen import maps

    provinces = sg.load_boundaries("province", study="gtfp30")
    on_map = _map_fills(maps.categorical(provinces, "region3"))
    panel = pd.concat(
        [provinces[["adcode", "region3"]].assign(year=y, v=1.0) for y in (1, 2)]
    )
    fig = figures.trend_by_group(panel, "v", time="year", group="region3")
    lines = {ln.get_label(): ln.get_color() for ln in fig.axes[0].lines}
    for adcode, region in zip(provinces["adcode"], provinces["region3"], strict=True):
        assert on_map[str(adcode)] == lines[region]
    assert lines == {"central": "#d95f02", "east": "#1b9e77", "west": "#7570b3"}
    # groups without a fixed vocabulary: the sorted qualitative palette, as on maps
    other = panel.assign(
        region3=panel["region3"].map({"east": "b", "central": "a", "west": "c"})
    )
    fig = figures.trend_by_group(other, "v", time="year", group="region3")
    colours = [ln.get_color() for ln in fig.axes[0].lines]
    assert colours == list(maps.palettes.category_colors(["a", "b", "c"]).values())


# --------------------------------------------------------------------------------------
# readable labels, the Tapio diagram, the 3-D kernel density, fonts in vector files
# --------------------------------------------------------------------------------------


def _texts(fig) -> list[str]:
    ax = fig.axes[0]
    out = [ax.get_xlabel(), ax.get_ylabel(), ax.get_title()]
    legend = ax.get_legend()
    if legend is not None:
        out += [legend.get_title().get_text(), *(t.get_text() for t in legend.texts)]
    return out


@pytest.mark.parametrize(
    ("name", "language", "shown"),
    [
        ("gtfp_cum", "en", "Cumulative GTFP"),
        ("gtfp_cum", "zh", "累计绿色全要素生产率"),
        ("gdp_pc", "en", "GDP per capita"),
        ("ln_gdp", "en", "ln GDP"),
        ("energy_intensity", "en", "Energy intensity"),
        ("year", "zh", "年份"),
        ("绿色TFP", "en", "绿色TFP"),
    ],
)
def test_readable_names(name, language, shown):
    assert figures.readable_name(name, language=language) == shown
    assert figures.readable_name(name, {name: "as given"}) == "as given"


def test_figures_never_show_raw_column_names_unless_asked():
    df = pd.DataFrame({"year": [2020, 2021] * 2, "region3": ["east"] * 2 + ["west"] * 2,
                       "gtfp_cum": [1.0, 1.1, 0.8, 0.9]})  # fmt: skip
    texts = _texts(figures.trend_by_group(df, "gtfp_cum", group="region3"))
    assert texts[:2] == ["Year", "Mean cumulative GTFP"]
    assert not any("gtfp_cum" in t or "region3" in t for t in texts)
    mine = {"gtfp_cum": "gtfp_cum", "region3": "地区"}
    texts = _texts(figures.trend_by_group(df, "gtfp_cum", group="region3",
                                          labels=mine))  # fmt: skip
    assert texts[:2] == ["年份", "gtfp_cum均值"]  # a Chinese label: Chinese words
    assert texts[3] == "地区"
    fig = figures.kernel_density(df, "gtfp_cum", language="zh")
    assert _texts(fig)[:2] == ["累计绿色全要素生产率", "核密度"]
    fig = figures.sigma_convergence(
        pd.DataFrame({"year": [1, 2], "cv": [0.3, 0.2], "theil": [0.1, 0.1]}),
        columns=("cv", "theil"),
    )
    assert _texts(fig)[1] == "Dispersion"
    assert _texts(fig)[-2:] == ["Coefficient of variation", "Theil index"]
    fig = figures.moran_scatter([1.0, 2.0, 3.0], [2.0, 1.0, 3.0], name="绿色TFP")
    assert _texts(fig)[:2] == ["绿色TFP（标准化）", "绿色TFP的空间滞后"]
    with pytest.raises(DataError, match="language must be 'en' or 'zh'"):
        figures.kernel_density(df, "gtfp_cum", language="fr")


def _tapio_rule(x: float, y: float) -> str:
    """Tapio (2005) with the coupling band [0.8, 1.2], written out independently."""
    e = y / x
    if x > 0:
        if y <= 0:
            return "strong decoupling"
        return (
            "weak decoupling" if e < 0.8
            else "expansive coupling" if e <= 1.2
            else "expansive negative decoupling"
        )  # fmt: skip
    if y >= 0:
        return "strong negative decoupling"
    return (
        "weak negative decoupling" if e < 0.8
        else "recessive coupling" if e <= 1.2
        else "recessive decoupling"
    )  # fmt: skip


@pytest.fixture(scope="module")
def tapio_table():
    import spatialgreen as sg

    rng = np.random.default_rng(5)
    n = 60
    data = pd.DataFrame(
        {"unit": np.repeat(np.arange(n), 2), "year": np.tile([2010, 2015], n),
         "gdp": 100.0, "co2": 50.0}
    )  # fmt: skip
    later = data["year"] == 2015
    data.loc[later, "gdp"] *= 1 + rng.uniform(-0.3, 0.5, n)
    data.loc[later, "co2"] *= 1 + rng.uniform(-0.4, 0.5, n)
    return sg.tapio(data, driver="gdp", indicator="co2")


def test_tapio_diagram_places_states_in_their_sectors(tapio_table, tmp_path):
    from spatialgreen.maps.palettes import TAPIO_STATES

    table = tapio_table
    assert table["state"].nunique() == 8  # the synthetic draw reaches every sector
    fig = figures.tapio_diagram(table, annotate="unit")
    ax = fig.axes[0]
    # every sector is named where Tapio's rule gives that state
    sectors = {t.get_text().replace("\n", " "): t.get_position() for t in ax.texts
               if not t.get_text().isdigit()}  # fmt: skip
    assert set(sectors) == set(TAPIO_STATES)
    for name, (x, y) in sectors.items():
        assert _tapio_rule(x, y) == name
    # the rays of the coupling band
    slopes = sorted(
        round(float(np.diff(ln.get_ydata())[0] / np.diff(ln.get_xdata())[0]), 10)
        for ln in ax.lines if ln.get_linestyle() == "--"
    )  # fmt: skip
    assert slopes == [0.8, 1.2]
    # each state's points lie in its sector, in the colour maps use, with counts
    colours = tapio_colors("pressure")
    legend = [t.get_text() for t in ax.get_legend().texts]
    points = [c for c in ax.collections if c.get_label() and c.get_offsets().size]
    assert len(points) == 8
    for collection, text in zip(points, legend, strict=True):
        state = text.rsplit(" (", 1)[0]
        assert text == f"{state} ({(table['state'] == state).sum()})"
        for x, y in collection.get_offsets():
            assert _tapio_rule(x, y) == state
        face = matplotlib.colors.to_hex(collection.get_facecolor()[0])
        assert face == colours[state]
    assert ax.get_xlabel() == "Growth of the driver, ΔG/G"
    assert ax.get_ylabel() == "Growth of the indicator, ΔE/E"
    assert ax.get_legend().get_title().get_text() == "Decoupling state"
    figures.save(fig, tmp_path / "tapio.png")


def test_tapio_diagram_in_chinese_and_for_a_benefit(tapio_table):
    zh = tapio_table.assign(state=tapio_table["state_zh"])
    labels = {"driver_change": "人均GDP增长率", "indicator_change": "环境生产率增长率"}
    fig = figures.tapio_diagram(zh, indicator="benefit", labels=labels)
    ax = fig.axes[0]
    assert {t.get_text() for t in ax.texts} == set(TAPIO_ZH.values())
    assert (ax.get_xlabel(), ax.get_ylabel()) == tuple(labels.values())
    benefit = tapio_colors("benefit")
    for collection in ax.collections:
        state = collection.get_label().rsplit(" (", 1)[0]
        if state in benefit:
            face = matplotlib.colors.to_hex(collection.get_facecolor()[0])
            assert face == benefit[state]
    with pytest.raises(DataError, match="not Tapio states"):
        figures.tapio_diagram(tapio_table.assign(state="booming"))


def test_kernel_density_3d_surface_is_the_kernel_density_of_every_year():
    rng = np.random.default_rng(7)
    years = [2010, 2013, 2016, 2019]
    shift = np.repeat([0.0, 0.1, 0.2, 0.3], 25)
    df = pd.DataFrame(
        {"year": np.repeat(years, 25), "gtfp": rng.normal(1.0, 0.2, 100) + shift}
    )
    fig = figures.kernel_density_3d(df, "gtfp", points=30)
    ax = fig.axes[0]
    assert (ax.name, ax.get_xlabel(), ax.get_ylabel(), ax.get_zlabel()) == (
        "3d", "GTFP", "Year", "Density"
    )  # fmt: skip
    # the same densities by hand: Scott's rule on the shared grid the table uses
    values = df["gtfp"].to_numpy()
    pad = 3.0 * values.std(ddof=1) * values.size ** (-0.2)
    grid = np.linspace(values.min() - pad, values.max() + pad, 30)
    z = []
    for year in years:
        s = df.loc[df["year"] == year, "gtfp"].to_numpy()
        h = s.std(ddof=1) * len(s) ** (-1 / 5)
        dens = np.exp(-0.5 * ((grid[:, None] - s) / h) ** 2).sum(1)
        z.append(dens / (len(s) * h * np.sqrt(2 * np.pi)))
    z = np.array(z)
    faces = (z[:-1, :-1] + z[1:, :-1] + z[:-1, 1:] + z[1:, 1:]) / 4
    surface = ax.collections[0]
    np.testing.assert_allclose(surface.get_array(), faces.ravel(), rtol=1e-10)
    ticks = ax.get_yticks()
    assert np.allclose(ticks, np.round(ticks))  # whole years on the year axis
    with pytest.raises(DataError, match="3-D axes"):
        figures.kernel_density_3d(
            df, "gtfp", ax=figures.kernel_density(df, "gtfp").axes[0]
        )
    fig = figures.kernel_density_3d(df, "gtfp", labels={"gtfp": "绿色全要素生产率"})
    assert fig.axes[0].get_zlabel() == "核密度"


def test_vector_figures_embed_their_fonts(tmp_path):
    import shutil
    import subprocess

    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) is not installed")
    df = pd.DataFrame({"year": [1, 2] * 2, "地区": ["东部"] * 2 + ["西部"] * 2,
                       "gtfp": [1.0, 1.1, 0.8, 0.9]})  # fmt: skip
    pdf = figures.save(figures.trend_by_group(df, "gtfp", group="地区"),
                       tmp_path / "趋势.pdf")  # fmt: skip
    rows = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                          check=True).stdout.splitlines()[2:]  # fmt: skip
    assert rows, "no fonts listed"
    for row in rows:  # columns: name, type, encoding, emb, sub, uni, object ID
        assert row.split()[-5] == "yes", row
    svg = figures.save(figures.trend_by_group(df, "gtfp", group="地区"),
                       tmp_path / "t.svg").read_text()  # fmt: skip
    assert "<text" not in svg  # glyphs as paths: no font needed to view it
