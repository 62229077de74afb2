"""More bad and awkward inputs (the review of issue 15's leftovers).

Each refusal asserts the error type and that the message names the option, column
or unit at fault; each warning asserts the :class:`SpatialGreenWarning` and checks
the documented treatment against an independent computation (numpy, scipy,
mapclassify, a separate fit on the cleaned data). Inputs are never mutated.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from _helpers import strip_of_squares, untouched
from scipy import stats

import spatialgreen as sg
from spatialgreen import maps
from spatialgreen.errors import (
    DataError,
    OptionError,
    SpatialGreenError,
    SpatialGreenWarning,
)


def refused(
    call: Callable[[], Any], error: type[BaseException], match: str, *frames: Any
) -> None:
    """``call()`` raises ``error`` matching ``match`` and leaves ``frames`` alone."""
    with untouched(*frames), pytest.raises(error, match=match) as info:
        result = call()
        pytest.fail(f"a result was returned for refused input: {result!r}")
    assert isinstance(info.value, SpatialGreenError), type(info.value)


def warned(call: Callable[[], Any], match: str, *frames: pd.DataFrame) -> Any:
    """``call()`` gives a SpatialGreenWarning matching ``match``; its result."""
    with untouched(*frames), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call()
    ours = [str(w.message) for w in caught if w.category is SpatialGreenWarning]
    assert any(re.search(match, m) for m in ours), [str(w.message) for w in caught]
    return result


# ------------------------------------------------------------- σ-convergence ddof


@pytest.mark.parametrize("ddof", [-1, 1.5, True, "1", None])
def test_sigma_refuses_a_ddof_that_is_not_a_non_negative_integer(ddof):
    frame = pd.DataFrame({"year": [1, 1, 1, 2, 2, 2], "y": [1.0, 3, 5, 2, 2, 3]})
    refused(lambda: sg.sigma(frame, "y", ddof=ddof), OptionError, r"^ddof=", frame)


def test_sigma_sample_ddof_matches_numpy():
    frame = pd.DataFrame({"year": [1, 1, 1, 2, 2, 2], "y": [1.0, 3, 5, 2, 2, 3]})
    table = sg.sigma(frame, "y", ddof=1).set_index("year")
    for year, y in ((1, [1.0, 3, 5]), (2, [2.0, 2, 3])):
        assert table.loc[year, "cv"] == pytest.approx(
            np.std(y, ddof=1) / np.mean(y), rel=1e-12
        )
        assert table.loc[year, "sd_log"] == pytest.approx(
            np.std(np.log(y), ddof=1), rel=1e-12
        )


# -------------------------------------------------------- choropleth k and bins


@pytest.mark.parametrize("k", [0, -2, 2.5, True, "5"])
def test_choropleth_refuses_a_bad_k_naming_it(k):
    gdf = strip_of_squares([1.0, 2.0, 3.0, 4.0, 5.0])
    refused(lambda: maps.choropleth(gdf, "v", k=k), OptionError, r"^k=", gdf)


@pytest.mark.parametrize("bins", [["a", "b"], "3", [np.nan, 3.0], [1.0, None]])
def test_choropleth_refuses_text_or_missing_bins_naming_them(bins):
    gdf = strip_of_squares([1.0, 2.0, 3.0, 4.0, 5.0])
    refused(lambda: maps.choropleth(gdf, "v", bins=bins), OptionError, r"^bins=", gdf)


def test_static_choropleth_shares_the_k_and_bins_checks():
    pytest.importorskip("matplotlib")
    gdf = strip_of_squares([1.0, 2.0, 3.0, 4.0, 5.0])
    refused(lambda: maps.static(gdf, "v", k=0), OptionError, r"^k=0", gdf)
    refused(lambda: maps.static(gdf, "v", bins=["x"]), OptionError, r"^bins=", gdf)


def test_choropleth_bins_as_a_series_classify_like_mapclassify():
    # a Series with a non-zero index used to reach mapclassify, which reads bins[-1]
    # by label: KeyError -1
    import mapclassify

    from spatialgreen.maps.polygons import _classify

    values = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    bins = pd.Series([2.0, 4.0], index=[7, 8])
    ours = _classify(values, "v", scheme="fisher_jenks", k=5, bins=bins)
    theirs = mapclassify.UserDefined(values.to_numpy(), [2.0, 4.0])
    assert ours.yb.tolist() == theirs.yb.tolist() == [0, 0, 1, 1, 2, 2]
    assert ours.bins.tolist() == [2.0, 4.0, 6.0]


# ------------------------------------------------------------- kernel densities


def _scores(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {"year": np.repeat([2010, 2015], 40), "te": rng.uniform(0.02, 1.0, 80)}
    )


@pytest.mark.parametrize("points", [0, -3, 1, 2.5, True])
def test_kernel_density_refuses_a_grid_of_fewer_than_two_points(points):
    frame = _scores()
    refused(
        lambda: sg.kernel_density(frame, "te", points=points),
        OptionError,
        r"^points=",
        frame,
    )


def test_kernel_density_3d_refuses_points_zero():
    pytest.importorskip("matplotlib")
    frame = _scores()
    refused(
        lambda: sg.figures.kernel_density_3d(frame, "te", points=0),
        OptionError,
        r"^points=0",
        frame,
    )


def test_default_density_leaks_below_zero_and_bounds_reflect_it():
    frame = _scores()
    sample = frame.loc[frame["year"] == 2010, "te"].to_numpy()
    kde = stats.gaussian_kde(sample)
    # the default (unchanged): the grid and the density run below 0
    plain = sg.kernel_density(frame, "te", points=400)
    below = plain[(plain["year"] == 2010) & (plain["value"] < 0)]
    assert len(below) > 0 and below["density"].max() > 0.1
    assert kde.integrate_box_1d(-np.inf, 0.0) > 0.05  # mass a score cannot have
    # bounds=(0, None): the grid starts at 0, the density is f(x) + f(-x)
    kd = sg.kernel_density(frame, "te", points=400, bounds=(0, None))
    one = kd[kd["year"] == 2010]
    assert one["value"].min() == 0.0
    x = one["value"].to_numpy()
    np.testing.assert_allclose(one["density"], kde(x) + kde(-x), rtol=1e-12)
    # one reflection keeps exactly unit mass on [0, ∞)
    grid = np.linspace(0.0, 6.0, 60001)
    fine = sg.kernel_density(frame, "te", grid=grid, bounds=(0, None))
    mass = np.trapezoid(fine.loc[fine["year"] == 2010, "density"], grid)
    assert mass == pytest.approx(1.0, abs=1e-6)


def test_kernel_density_bounds_on_both_sides_are_zero_outside():
    frame = _scores()
    grid = np.array([-0.1, 0.0, 0.5, 1.0, 1.1])
    kd = sg.kernel_density(frame, "te", grid=grid, bounds=(0, 1))
    one = kd[kd["year"] == 2015]
    sample = frame.loc[frame["year"] == 2015, "te"].to_numpy()
    kde = stats.gaussian_kde(sample)
    expected = kde(grid) + kde(-grid) + kde(2.0 - grid)
    expected[[0, -1]] = 0.0
    np.testing.assert_allclose(one["density"], expected, rtol=1e-12)


def test_kernel_density_refuses_bad_bounds_and_values_outside_them():
    frame = _scores()
    for bounds in [(0,), "0,1", (1, 0), (np.nan, None), ("a", None)]:
        refused(
            lambda b=bounds: sg.kernel_density(frame, "te", bounds=b),
            OptionError,
            r"bounds",
            frame,
        )
    refused(
        lambda: sg.kernel_density(frame, "te", bounds=(0.5, None)),
        DataError,
        r"column 'te' has values outside bounds.*year \[2010, 2015\]",
        frame,
    )


def test_figure_kernel_density_bounds_match_the_reflected_scipy_density():
    pytest.importorskip("matplotlib")
    frame = _scores()
    fig = sg.figures.kernel_density(frame, "te", bounds=(0, None))
    line = fig.axes[0].lines[0]
    x = line.get_xdata()
    assert x.min() == 0.0  # the default would start at min − 15 % of the range
    kde = stats.gaussian_kde(frame.loc[frame["year"] == 2010, "te"].to_numpy())
    np.testing.assert_allclose(line.get_ydata(), kde(x) + kde(-x), rtol=1e-12)
    refused(
        lambda: sg.figures.kernel_density(frame, "te", bounds=(0.5, 1)),
        DataError,
        r"'te'.*outside bounds",
        frame,
    )


# ---------------------------------------------------------------- Tapio options


def _tapio_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit": ["a"] * 3,
            "year": [2005, 2006, 2007],
            "gdp": [100.0, 150.0, 180.0],
            "co2": [10.0, 11.0, 13.0],
        }
    )


@pytest.mark.parametrize(
    "band", [(0.8,), "0.8,1.2", (np.nan, 1.2), (0.8, np.inf), ("a", "b"), 0.8]
)
def test_tapio_refuses_a_band_that_is_not_two_numbers(band):
    frame = _tapio_frame()
    refused(
        lambda: sg.tapio(frame, driver="gdp", indicator="co2", band=band),
        OptionError,
        r"^band",
        frame,
    )


def test_tapio_band_in_the_wrong_order_stays_a_data_error_naming_band():
    frame = _tapio_frame()
    for band in [(1.2, 0.8), (-0.1, 1.2)]:
        refused(
            lambda b=band: sg.tapio(frame, driver="gdp", indicator="co2", band=b),
            DataError,
            r"band must be \(low, high\) with 0 <= low < high",
            frame,
        )


@pytest.mark.parametrize(
    ("options", "name"),
    [
        ({"width": 0}, "width"),
        ({"width": -0.2}, "width"),
        ({"lowest": 1.5}, "lowest"),
        ({"lowest": 5, "highest": 2}, "highest"),
        ({"band": (0.8,)}, "band"),
        ({"closed": "yes"}, "closed"),
    ],
)
def test_score_table_refuses_options_out_of_range(options, name):
    refused(lambda: sg.score_table("benefit", **options), OptionError, rf"^{name}")


def test_tapio_attrs_say_which_elasticity_and_kind():
    frame = _tapio_frame()
    ends = sg.tapio(frame, driver="gdp", indicator="co2", periods=["2005-2007"])
    mean = sg.tapio(
        frame,
        driver="gdp",
        indicator="co2",
        periods=["2005-2007"],
        elasticity="yearly-mean",
        kind="benefit",
        band=[0.7, 1.3],
    )
    assert ends.attrs == {
        "kind": "pressure",
        "elasticity": "endpoints",
        "band": (0.8, 1.2),
        "closed": True,
        "scores": "default",
    }
    assert mean.attrs["elasticity"] == "yearly-mean"
    assert mean.attrs["kind"] == "benefit" and mean.attrs["band"] == (0.7, 1.3)
    # the numbers the attrs describe: start–end e = 0.3 / 0.8; the yearly mean of
    # e(2006) = 0.1 / 0.5 and e(2007) = (13/11 − 1) / 0.2
    assert ends["elasticity"].iloc[0] == pytest.approx(0.3 / 0.8, abs=1e-12)
    assert mean["elasticity"].iloc[0] == pytest.approx(
        (0.1 / 0.5 + (13 / 11 - 1) / 0.2) / 2, abs=1e-12
    )


# ------------------------------------------------- batteries drop rows out loud


def _holed_panel() -> tuple[pd.DataFrame, list[tuple[int, int]]]:
    frame = sg.datasets.example_panel(n_units=20, n_years=6)
    holes = frame.index[[3, 40, 77]]
    frame.loc[holes, "x2"] = np.nan
    keys = list(zip(frame.loc[holes, "unit"], frame.loc[holes, "year"], strict=True))
    return frame, keys


def test_mediation_warns_naming_the_dropped_units_and_years():
    frame, keys = _holed_panel()
    where = "; ".join(f"unit={u}, year={t}" for u, t in keys)
    res = warned(
        lambda: sg.mediation(
            frame, y="y", x="x1", mediator="m", controls=["x2"], bootstrap=20
        ),
        rf"^mediation dropped 3 of 120 rows with missing values \('x2': 3\) "
        rf"at {re.escape(where)};",
        frame,
    )
    assert res.meta["dropped_missing"] == {"x2": 3}
    # the estimates are those of the complete rows
    clean = sg.mediation(
        frame.dropna(), y="y", x="x1", mediator="m", controls=["x2"], bootstrap=20
    )
    pd.testing.assert_frame_equal(res.coefficients, clean.coefficients)


def test_batteries_name_themselves_and_record_the_drops():
    frame, _ = _holed_panel()
    moderated = warned(
        lambda: sg.moderation(frame, y="y", x="x1", moderator="z", controls=["x2"]),
        r"^moderation dropped 3 of 120 rows .*'x2': 3",
        frame,
    )
    assert moderated.meta["dropped_missing"] == {"x2": 3}
    assert moderated.model.nobs == 117
    split = warned(
        lambda: sg.heterogeneity(frame, y="y", x="x1", controls=["x2"], group="region"),
        r"^heterogeneity dropped 3 of 120 rows",
        frame,
    )
    assert split.meta["dropped_missing"] == {"x2": 3} and split.meta["nobs"] == 117
    common = warned(
        lambda: sg.robustness(
            frame, y=["y", "gtfp"], x="x1", controls=["x2"], common_sample=True
        ),
        r"^robustness dropped 3 of 120 rows",
        frame,
    )
    assert common.meta["dropped_missing"] == {"x2": 3}
    assert common["y"].meta["dropped_missing"] == {"x2": 3}
    direct = sg.fixed_effects(frame.dropna(), y="y", x="x1", controls=["x2"])
    np.testing.assert_allclose(common["y"].params, direct.params, rtol=1e-12)


def test_a_battery_honours_missing_raise():
    frame, _ = _holed_panel()
    refused(
        lambda: sg.moderation(
            frame, y="y", x="x1", moderator="z", controls=["x2"], missing="raise"
        ),
        DataError,
        r"'x2'",
        frame,
    )


def test_random_effects_warns_when_it_drops_rows():
    frame, keys = _holed_panel()
    res = warned(
        lambda: sg.random_effects(frame, y="y", x="x1", controls=["x2"]),
        rf"^random_effects dropped 3 of 120 rows .* at unit={keys[0][0]}, "
        rf"year={keys[0][1]};",
        frame,
    )
    assert res.meta["dropped_missing"] == {"x2": 3}
    assert res.nobs == 117


# ------------------------------------------------------------------ lags, gaps


def test_lagged_takes_calendar_lags_over_a_gap_and_warns_naming_it():
    frame = sg.datasets.example_panel(n_units=12, n_years=6)
    gap = frame.index[(frame["unit"] == 4) & (frame["year"] == 2003)]
    holed = frame.drop(index=gap).reset_index(drop=True)
    lags = sg.lag(holed, "x1")
    after = lags.loc[(lags["unit"] == 4) & (lags["year"] == 2004), "x1_lag1"]
    assert after.isna().all()  # 2003 is missing: not the 2002 value
    x1 = frame.set_index(["unit", "year"])["x1"]
    before = lags.set_index(["unit", "year"]).loc[(4, 2002), "x1_lag1"]
    assert before == x1.loc[(4, 2001)]  # no gap before 2002: the 2001 value
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = sg.lagged(holed, y="y", x="x1", lags=(0, 1))
    messages = [str(w.message) for w in caught if w.category is SpatialGreenWarning]
    # only the gap is news: each unit's first year has no lag by construction
    assert messages == [
        "lagged: x1_lag1 is missing at unit=4, year=2004: year − 1 is a gap in the "
        "unit's years or its value is missing; these rows are left out of model L1"
    ]
    assert res["L1"].nobs == 71 - 13  # 12 first years plus the year after the gap
    assert res["L1"].meta["dropped_missing"] == {"x1_lag1": 13}
    direct = sg.fixed_effects(lags.dropna(), y="y", x="x1_lag1")
    np.testing.assert_allclose(res["L1"].params, direct.params, rtol=1e-12)
    refused(
        lambda: sg.lagged(holed, y="y", x="x1", lags=(1,), missing="raise"),
        DataError,
        r"x1_lag1 is missing at unit=4, year=2004",
        holed,
    )


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda f: sg.lag(f, "x1", periods=1.5), "periods"),
        (lambda f: sg.lag(f, "x1", periods=[1, True]), "periods"),
        (lambda f: sg.lagged(f, y="y", x="x1", lags=(0, 1.5)), "lags"),
        (lambda f: sg.lagged(f, y="y", x="x1", lags=("1",)), "lags"),
    ],
)
def test_lag_orders_must_be_integers(call, name):
    frame = sg.datasets.example_panel(n_units=6, n_years=4)
    refused(lambda: call(frame), OptionError, rf"^{name}=", frame)


# --------------------------------------------------- read_table: one text reader

_ROWS = pd.DataFrame(
    {
        "省份": ["北京", "天津", "河北"],
        "年份": [2020, 2020, 2021],
        "GDP": [1.5, 2.0, 3.25],
    }
)


def _check_read(path: Path) -> None:
    read = sg.read_table(path)
    pd.testing.assert_frame_equal(read, _ROWS)
    panel = sg.read_panel(path, unit="省份", time="年份", columns=["GDP"])
    pd.testing.assert_frame_equal(panel, _ROWS)


def test_read_table_reads_excel_unicode_text(tmp_path):
    # Excel's "Unicode text": UTF-16 LE with a BOM, tab-separated, CRLF lines
    text = "省份\t年份\tGDP\r\n北京\t2020\t1.5\r\n天津\t2020\t2\r\n河北\t2021\t3.25\r\n"
    path = tmp_path / "unicode.txt"
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    _check_read(path)
    # the same under .csv, and without a BOM in either byte order
    for name, raw in [
        ("bom.csv", b"\xff\xfe" + text.encode("utf-16-le")),
        ("le.csv", text.encode("utf-16-le")),
        ("be.csv", text.encode("utf-16-be")),
    ]:
        (tmp_path / name).write_bytes(raw)
        _check_read(tmp_path / name)


def test_read_table_reads_gbk_comma_and_tab_files(tmp_path):
    comma = tmp_path / "gbk.csv"
    comma.write_bytes(_ROWS.to_csv(index=False).encode("gbk"))
    _check_read(comma)
    tabs = tmp_path / "gbk.txt"
    tabs.write_bytes(_ROWS.to_csv(index=False, sep="\t").encode("gbk"))
    _check_read(tabs)
    assert comma.read_bytes()[:4] == "省份".encode("gbk")  # really GBK, not UTF-8


def test_read_table_refuses_a_broken_utf16_file(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_bytes(b"\xff\xfe" + "a,b\n1,2\n".encode("utf-16-le") + b"\x00\xd8")
    refused(lambda: sg.read_table(path), DataError, r"cannot read .*broken\.csv")


# ----------------------------------------- Simar–Wilson in the regression table


def test_sw_regression_goes_into_the_table_with_its_bootstrap_errors():
    rng = np.random.default_rng(0)
    z = rng.uniform(0, 1, 120)
    mu = 1.0 + 0.8 * z
    delta = stats.truncnorm.rvs((1 - mu) / 0.3, np.inf, mu, 0.3, random_state=rng)
    data = pd.DataFrame({"unit": range(120), "z": z, "te": 1 / delta})
    res = sg.sw_truncated_regression("te", data, drivers="z", reps=60)
    table = sg.regression_table({"SW": res}, stats=("nobs",))
    assert "Standard errors: bootstrap standard deviation" in table.note
    numbers = table.numbers.set_index("parameter")
    np.testing.assert_allclose(numbers["estimate"], res.params[numbers.index])
    np.testing.assert_allclose(numbers["std_error"], res.std_errors[numbers.index])
    np.testing.assert_allclose(numbers["p"], res.pvalues[numbers.index])
    # the table's error is the spread of the bootstrap draws
    draws = res.draws["z"].dropna().to_numpy()
    assert numbers.loc["z", "std_error"] == pytest.approx(np.std(draws, ddof=1))
