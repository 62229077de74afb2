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
    # |b| >= 0.3: -0.5, 0.3, 0.6 -> 3 of 6 finite values.
    assert fig.axes[0].get_title() == "placebo: 3 of 6 |b| >= |0.3| (p = 0.500)"
    assert fig.axes[0].lines[-1].get_xdata()[0] == 0.3


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
    monkeypatch.setattr(figures, "CJK_FONTS", ("No Such CJK Font",))
    monkeypatch.setattr(figures, "_FONT_FILE_HINTS", ())
    with pytest.warns(UserWarning, match="apt-get install fonts-noto-cjk"):
        assert figures.use_cjk_font() is None


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
