"""Tests of spatialgreen.decoupling: Tapio states, refined scores, environmental
productivity, Chenery stages and catch-up decoupling."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spatialgreen.decoupling import (
    CATCH_UP_TYPES,
    STATES,
    catch_up,
    chenery_stages,
    entropy_weights,
    environmental_productivity,
    score_table,
    tapio,
)
from spatialgreen.errors import DataError, PanelError


def _pairs(cases: list[tuple[float, float]]) -> pd.DataFrame:
    """One unit per case: driver 100 -> 100(1+g), indicator 100 -> 100(1+g*e)."""
    rows = []
    for i, (g, e) in enumerate(cases):
        rows.append((f"u{i}", 2005, 100.0, 100.0))
        rows.append((f"u{i}", 2006, 100.0 * (1 + g), 100.0 * (1 + g * e)))
    return pd.DataFrame(rows, columns=["unit", "year", "gdp", "co2"])


GROWING = [
    (-0.5, "strong decoupling"),
    (
        0.0,
        "strong decoupling",
    ),  # ΔE = 0 with ΔG > 0: strong decoupling by the sign rule
    (0.5, "weak decoupling"),
    (0.79, "weak decoupling"),
    (0.8, "expansive coupling"),
    (0.81, "expansive coupling"),
    (1.0, "expansive coupling"),
    (1.19, "expansive coupling"),
    (1.2, "expansive coupling"),
    (1.21, "expansive negative decoupling"),
    (2.0, "expansive negative decoupling"),
]
SHRINKING = [
    (-0.5, "strong negative decoupling"),
    (0.0, "strong negative decoupling"),
    (0.5, "weak negative decoupling"),
    (0.79, "weak negative decoupling"),
    (0.8, "recessive coupling"),
    (1.0, "recessive coupling"),
    (1.2, "recessive coupling"),
    (1.21, "recessive decoupling"),
    (3.0, "recessive decoupling"),
]


@pytest.mark.parametrize("kind", ["pressure", "benefit"])
def test_tapio_states_at_and_around_every_threshold(kind: str) -> None:
    cases = [(0.1, e) for e, _ in GROWING] + [(-0.1, e) for e, _ in SHRINKING]
    expected = [s for _, s in GROWING] + [s for _, s in SHRINKING]
    res = tapio(_pairs(cases), driver="gdp", indicator="co2", kind=kind)
    res = res.set_index("unit").loc[[f"u{i}" for i in range(len(cases))]]
    assert res["state"].tolist() == expected
    np.testing.assert_allclose(res["elasticity"], [e for _, e in cases], atol=1e-12)
    assert res["state_zh"].tolist() == [STATES[s] for s in expected]
    assert set(STATES) == {
        "strong decoupling",
        "weak decoupling",
        "recessive decoupling",
        "expansive coupling",
        "recessive coupling",
        "expansive negative decoupling",
        "strong negative decoupling",
        "weak negative decoupling",
    }


def test_open_band_moves_the_band_ends_out_of_coupling() -> None:
    cases = [(0.1, 0.8), (0.1, 1.2), (-0.1, 0.8), (-0.1, 1.2), (0.1, 1.0)]
    res = tapio(_pairs(cases), driver="gdp", indicator="co2", closed=False)
    assert res["state"].tolist() == [
        "weak decoupling",
        "expansive negative decoupling",
        "weak negative decoupling",
        "recessive decoupling",
        "expansive coupling",
    ]
    custom = tapio(_pairs([(0.1, 0.7)]), driver="gdp", indicator="co2", band=(0.6, 1.4))
    assert custom["state"].item() == "expansive coupling"


def test_better_follows_the_sign_convention() -> None:
    cases = [(0.1, -0.5), (0.1, 0.5), (0.1, 1.5), (-0.1, 0.5), (-0.1, 1.5)]
    pressure = tapio(_pairs(cases), driver="gdp", indicator="co2", kind="pressure")
    benefit = tapio(_pairs(cases), driver="gdp", indicator="co2", kind="benefit")
    # pressure: better when emissions grow slower than GDP (intensity falls)
    assert pressure["better"].tolist() == [True, True, False, False, True]
    assert benefit["better"].tolist() == [False, False, True, True, False]
    # OECD decoupling factor 1 - (E/G)_end/(E/G)_start is positive exactly when better
    assert ((pressure["decoupling_factor"] > 0) == pressure["better"]).all()


def test_flat_and_falling_driver_are_flagged() -> None:
    res = tapio(_pairs([(0.0, 0.0), (-0.1, 0.5)]), driver="gdp", indicator="co2")
    flat, falling = res.iloc[0], res.iloc[1]
    assert math.isnan(flat["elasticity"]) and flat["state"] is None
    assert "undefined" in flat["flag"]
    assert falling["state"] == "weak negative decoupling"
    assert math.isnan(falling["score"]) and "driver fell" in falling["flag"]


def test_refined_score_reproduces_the_yrd_study_scale() -> None:
    # YRD study: elasticities just above 1 score 10, Shanghai's 2.199 scores 15 (>= 10)
    es = [2.199, 1.05, 0.9, 0.1, -0.1, -0.9, 3.5]
    res = tapio(
        _pairs([(0.1, e) for e in es]), driver="gdp", indicator="co2", kind="benefit"
    )
    res = res.set_index("unit").loc[[f"u{i}" for i in range(len(es))]]
    assert res["score"].tolist() == [15, 10, 9, 5, 4, 0, 20]
    pressure = tapio(_pairs([(0.1, e) for e in es]), driver="gdp", indicator="co2")
    pressure = pressure.set_index("unit").loc[[f"u{i}" for i in range(len(es))]]
    assert pressure["score"].tolist() == [0, 4, 5, 9, 10, 14, 0]


@settings(max_examples=30, deadline=None)
@given(st.floats(-3, 5).filter(lambda e: abs(e / 0.2 - round(e / 0.2)) > 1e-6))
def test_default_scores_follow_the_closed_form(e: float) -> None:
    res = tapio(_pairs([(0.1, e)]), driver="gdp", indicator="co2", kind="benefit")
    k = math.floor(res["elasticity"].item() / 0.2)
    assert res["score"].item() == min(max(k + 5, 0), 20)
    res = tapio(_pairs([(0.1, e)]), driver="gdp", indicator="co2", kind="pressure")
    assert res["score"].item() == min(max(9 - k, 0), 20)


def test_user_score_table_overrides_the_default() -> None:
    table = pd.DataFrame(
        {"lower": [-np.inf, 0.0, 1.0], "upper": [0.0, 1.0, np.inf], "score": [0, 1, 2]}
    )
    res = tapio(
        _pairs([(0.1, -0.3), (0.1, 0.5), (0.1, 1.7), (-0.1, 0.5)]),
        driver="gdp",
        indicator="co2",
        scores=table,
    )
    assert res["score"].tolist() == [0, 1, 2, 1]
    with pytest.raises(DataError, match="contiguous"):
        tapio(
            _pairs([(0.1, 0.5)]),
            driver="gdp",
            indicator="co2",
            scores=table.assign(upper=[0.0, 0.9, np.inf]),
        )
    assert score_table("benefit")["score"].is_monotonic_increasing
    assert score_table("pressure")["score"].is_monotonic_decreasing


def test_periods_use_start_and_end_values() -> None:
    years = list(range(2005, 2017))
    g = np.linspace(100, 300, len(years))
    e = np.linspace(50, 60, len(years))
    df = pd.DataFrame({"unit": "a", "year": years, "gdp": g, "co2": e})
    res = tapio(df, driver="gdp", indicator="co2", periods=["2005-2010", (2011, 2016)])
    assert res["period"].tolist() == ["2005-2010", "2011-2016"]
    dashes = tapio(
        df, driver="gdp", indicator="co2", periods=["2005—2010", "2011至2016"]
    )
    assert dashes["period"].tolist() == ["2005-2010", "2011-2016"]
    assert res[["start", "end"]].values.tolist() == [[2005, 2010], [2011, 2016]]
    exp = (e[5] / e[0] - 1) / (g[5] / g[0] - 1)
    assert res["elasticity"].iloc[0] == pytest.approx(exp, rel=1e-12)
    yoy = tapio(df, driver="gdp", indicator="co2")
    assert len(yoy) == 11 and yoy["year"].tolist() == years[1:]
    with pytest.raises(DataError, match="2030"):
        tapio(df, driver="gdp", indicator="co2", periods=["2005-2030"])


def _yearly_panel() -> pd.DataFrame:
    """Hand numbers: yearly growth of GDP and CO2 (%), 2005-2008.

    a: GDP +10, +10, +10; CO2 +5, 0, -2   -> yearly e 0.5, 0, -0.2
    b: GDP +20, +25, +10; CO2 +24, +25, 0 -> yearly e 1.2, 1, 0
    c: GDP 0, +10, +10;   CO2 +1, ...     -> e undefined in 2006
    """
    rows = {
        "a": ([100, 110, 121, 133.1], [100, 105, 105, 102.9]),
        "b": ([100, 120, 150, 165], [100, 124, 155, 155]),
        "c": ([100, 100, 110, 121], [100, 101, 102, 103]),
    }
    return pd.DataFrame(
        [
            {"unit": u, "year": 2005 + i, "gdp": float(g[i]), "co2": float(e[i])}
            for u, (g, e) in rows.items()
            for i in range(4)
        ]
    )


def test_yearly_mean_elasticity_by_hand() -> None:
    df = _yearly_panel()
    periods = ["2005-2008", "2006-2008"]
    mean = tapio(
        df, driver="gdp", indicator="co2", periods=periods, elasticity="yearly-mean"
    ).set_index(["unit", "period"])
    ends = tapio(df, driver="gdp", indicator="co2", periods=periods).set_index(
        ["unit", "period"]
    )
    a, b, c = ("a", "2005-2008"), ("b", "2005-2008"), ("c", "2005-2008")
    assert mean.loc[a, "elasticity"] == pytest.approx((0.5 + 0.0 - 0.2) / 3)
    assert mean.loc[("a", "2006-2008"), "elasticity"] == pytest.approx(-0.1)
    assert mean.loc[b, "elasticity"] == pytest.approx((1.2 + 1.0 + 0.0) / 3)
    assert mean.loc[a, "years"] == 3 and mean.loc[("a", "2006-2008"), "years"] == 2
    # the start-end elasticities differ: (102.9/100 - 1)/(133.1/100 - 1), 0.55/0.65
    assert ends.loc[a, "elasticity"] == pytest.approx(0.029 / 0.331)
    assert ends.loc[b, "elasticity"] == pytest.approx(0.55 / 0.65)
    # states and scores follow the mean (pressure: 9 - floor(e / 0.2))
    assert mean.loc[a, "state"] == "weak decoupling" and mean.loc[a, "score"] == 9
    assert mean.loc[("a", "2006-2008"), "state"] == "strong decoupling"
    assert mean.loc[("a", "2006-2008"), "score"] == 10
    assert mean.loc[b, "state"] == "weak decoupling" and mean.loc[b, "score"] == 6
    assert ends.loc[b, "state"] == "expansive coupling" and ends.loc[b, "score"] == 5
    # endpoint facts are unchanged
    for col in ("driver_change", "indicator_change", "better", "decoupling_factor"):
        assert mean[col].tolist() == ends[col].tolist()
    # a year without driver growth has no elasticity, so the mean has none either
    assert np.isnan(mean.loc[c, "elasticity"]) and mean.loc[c, "state"] is None
    assert mean.loc[c, "flag"] == (
        "driver unchanged in year=2006: yearly elasticity undefined"
    )
    assert mean.loc[("c", "2006-2008"), "elasticity"] == pytest.approx(
        ((102 / 101 - 1) / 0.1 + (103 / 102 - 1) / 0.1) / 2
    )


def test_yearly_mean_equals_endpoints_year_on_year() -> None:
    df = _yearly_panel()
    ends = tapio(df, driver="gdp", indicator="co2")
    mean = tapio(df, driver="gdp", indicator="co2", elasticity="yearly-mean")
    assert (mean["years"] == 1).all()
    pd.testing.assert_frame_equal(mean.drop(columns="years"), ends)
    one_year = ["2005-2006", "2007-2008"]
    pd.testing.assert_frame_equal(
        tapio(
            df,
            driver="gdp",
            indicator="co2",
            periods=one_year,
            elasticity="yearly-mean",
        ).drop(columns="years"),
        tapio(df, driver="gdp", indicator="co2", periods=one_year),
    )
    with pytest.raises(DataError, match="elasticity must be"):
        tapio(df, driver="gdp", indicator="co2", elasticity="mean")
    holed = df.drop(index=df.index[(df["unit"] == "b") & (df["year"] == 2006)])
    with pytest.raises(PanelError, match="unit=b, year=2006"):
        tapio(
            holed,
            driver="gdp",
            indicator="co2",
            periods=["2005-2008"],
            elasticity="yearly-mean",
        )


def test_year_on_year_needs_consecutive_observations() -> None:
    df = pd.DataFrame(
        {
            "unit": ["a", "a", "a", "b", "b"],
            "year": [1, 2, 3, 1, 3],
            "gdp": [1.0, 2, 3, 1, 3],
            "co2": [1.0, 1, 1, 1, 1],
        }
    )
    with pytest.raises(PanelError, match="unit=b, year=2"):
        tapio(df, driver="gdp", indicator="co2")


def test_tapio_does_not_mutate_input_and_rejects_bad_values() -> None:
    df = _pairs([(0.1, 0.5)])
    before = df.copy()
    tapio(df, driver="gdp", indicator="co2")
    pd.testing.assert_frame_equal(df, before)
    bad = df.copy()
    bad.loc[1, "co2"] = -1.0
    with pytest.raises(DataError, match="co2"):
        tapio(bad, driver="gdp", indicator="co2")


# --------------------------------------------------------------------------------------
# environmental productivity
# --------------------------------------------------------------------------------------


def _pollution_panel() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "city": ["a", "a", "b", "b", "c", "c"],
            "year": [2005, 2006] * 3,
            "gdp": [10.0, 12.0, 20.0, 22.0, 5.0, 6.0],
            "water": [3.0, 2.0, 5.0, 4.0, 1.0, 1.5],
            "so2": [1.0, 1.2, 0.5, 0.4, 2.0, 1.0],
            "solid": [7.0, 8.0, 3.0, 2.0, 9.0, 5.0],
        }
    )


def test_environmental_productivity_rescales_to_50_100() -> None:
    df = _pollution_panel()
    before = df.copy()
    ep = environmental_productivity(
        df, output="gdp", pollutants=["water", "so2", "solid"], unit="city"
    )
    pd.testing.assert_frame_equal(df, before)
    for p in ("water", "so2", "solid"):
        assert ep[f"{p}_scaled"].min() == 50 and ep[f"{p}_scaled"].max() == 100
    # water 2.0 of range [1, 5] -> 50 + 50 * 0.25
    assert ep.loc[1, "water_scaled"] == pytest.approx(62.5)
    index = ep[["water_scaled", "so2_scaled", "solid_scaled"]].mean(axis=1)
    np.testing.assert_allclose(ep["pollution_index"], index)
    np.testing.assert_allclose(ep["env_productivity"], df["gdp"] / index)
    weighted = environmental_productivity(
        df,
        output="gdp",
        pollutants=["water", "so2", "solid"],
        unit="city",
        weights={"water": 2, "so2": 1, "solid": 1},
        scale=(0, 1),
    )
    z = (df[["water", "so2", "solid"]] - df[["water", "so2", "solid"]].min()) / (
        df[["water", "so2", "solid"]].max() - df[["water", "so2", "solid"]].min()
    )
    np.testing.assert_allclose(weighted["pollution_index"], z @ [0.5, 0.25, 0.25])


def test_entropy_weights_by_hand() -> None:
    df = _pollution_panel()[["water", "so2", "solid"]]
    z = (df - df.min()) / (df.max() - df.min())
    p = z / z.sum()
    plogp = (p * np.log(p.where(p > 0, 1.0))).sum()
    e = -plogp / np.log(len(df))
    expected = (1 - e) / (1 - e).sum()
    np.testing.assert_allclose(entropy_weights(df), expected, rtol=1e-12)
    ep = environmental_productivity(
        _pollution_panel(),
        output="gdp",
        unit="city",
        pollutants=["water", "so2", "solid"],
        weights="entropy",
    )
    assert ep.attrs["weights"] == pytest.approx(expected.to_dict())


def test_environmental_productivity_errors_name_the_column() -> None:
    df = _pollution_panel().assign(so2=1.0)
    with pytest.raises(DataError, match="so2"):
        environmental_productivity(df, output="gdp", pollutants=["so2"], unit="city")
    with pytest.raises(DataError, match="nox"):
        environmental_productivity(df, output="gdp", pollutants=["nox"], unit="city")


# --------------------------------------------------------------------------------------
# Chenery stages and catch-up
# --------------------------------------------------------------------------------------


def test_chenery_conversion_reproduces_chen_et_al_2006() -> None:
    # 陈佳贵 et al. (2006): 745, 1490, 2980, 5960, 11170 US dollars of 2005
    usd2005 = chenery_stages(exchange_rate=1.0)
    assert usd2005["lower_usd1970"].tolist() == [140, 280, 560, 1120, 2100, 3360]
    np.testing.assert_allclose(
        usd2005["lower"].iloc[1:5], [1490, 2980, 5960, 11170], rtol=2e-3
    )
    cny = chenery_stages()
    assert cny["lower"].iloc[1] == pytest.approx(280 * 5.32 * 8.1917)
    assert cny["lower"].iloc[0] == 0 and np.isinf(cny["upper"].iloc[-1])


def _catch_up_panel() -> pd.DataFrame:
    # model m: G 100 -> 200, P 10 -> 20; four ordinary units with known gap changes
    rows = {
        "m": (100, 200, 10, 20),
        "A": (50, 180, 5, 18),  # both gaps shrink
        "B": (50, 100, 5, 18),  # green gap shrinks, economic gap widens
        "C": (50, 180, 5, 12),  # economic gap shrinks, green gap widens
        "D": (50, 100, 5, 12),  # both widen
    }
    out = []
    for u, (g0, g1, p0, p1) in rows.items():
        out += [(u, 2005, g0, p0, "s"), (u, 2016, g1, p1, "s")]
    return pd.DataFrame(out, columns=["city", "year", "gdp", "ep", "stage"])


def test_catch_up_types_a_b_c_d() -> None:
    df = _catch_up_panel()
    res = catch_up(
        df,
        driver="gdp",
        indicator="ep",
        unit="city",
        time="year",
        stages="stage",
        periods=["2005-2016"],
    ).set_index("city")
    assert res["type"].to_dict() == {"A": "A", "B": "B", "C": "C", "D": "D"}
    assert (res["model"] == "m").all()
    # gaps: economic 50 -> 20 (A), 50 -> 100 (B); green 5 -> 2 (A), 5 -> 8 (C)
    assert res.loc["A", "economic_gap_change"] == pytest.approx(-0.6)
    assert res.loc["A", "green_gap_change"] == pytest.approx(-0.6)
    assert res.loc["B", "index"] == pytest.approx(-0.6 / 1.0)
    assert res.loc["C", "index"] == pytest.approx(0.6 / -0.6)
    assert res.loc["D", "index"] == pytest.approx(0.6 / 1.0)
    assert res["type_label"].tolist() == [CATCH_UP_TYPES[t][0] for t in res["type"]]
    assert res.loc["D", "type_zh"] == "未追赶"


def test_catch_up_model_choice_and_stages() -> None:
    df = _catch_up_panel()
    # pressure: the model is the unit with the LOWEST indicator in the stage year
    res = catch_up(
        df,
        driver="gdp",
        indicator="ep",
        unit="city",
        stages="stage",
        kind="pressure",
        periods=["2005-2016"],
    )
    assert set(res["model"]) == {"A"}
    chosen = catch_up(
        df,
        driver="gdp",
        indicator="ep",
        unit="city",
        stages="stage",
        models="C",
        periods=["2005-2016"],
    )
    assert set(chosen["model"]) == {"C"} and "C" not in set(chosen["city"])
    # Chenery stages in 2005 yuan: 6,000 yuan is primary products, 30,000 middle
    cities = pd.DataFrame(
        {
            "city": ["p", "q", "r", "s"] * 2,
            "year": [2005] * 4 + [2006] * 4,
            "gdp": [6000.0, 7000, 30000, 31000] * 2,
            "ep": [1.0, 2.0, 3.0, 1.0, 1.1, 2.5, 3.0, 1.2],
        }
    )
    res = catch_up(cities, driver="gdp", indicator="ep", unit="city")
    stage = dict(zip(res["city"], res["stage"], strict=True))
    assert stage == {"p": "primary products", "s": "middle industrialisation"}
    assert dict(zip(res["city"], res["model"], strict=True)) == {"p": "q", "s": "r"}
    with pytest.raises(DataError, match="not in stage"):
        catch_up(
            cities,
            driver="gdp",
            indicator="ep",
            unit="city",
            models={"primary products": "r", "middle industrialisation": "s"},
        )


def test_catch_up_zero_gap_is_flagged_not_classified() -> None:
    df = _catch_up_panel()
    df.loc[(df["city"] == "A") & (df["year"] == 2005), "ep"] = 10.0
    res = catch_up(
        df,
        driver="gdp",
        indicator="ep",
        unit="city",
        stages="stage",
        models="m",
        periods=["2005-2016"],
    ).set_index("city")
    assert pd.isna(res.loc["A", "type"]) and "green gap is zero" in res.loc["A", "flag"]
    assert math.isnan(res.loc["A", "index"])


def test_cli_decouple_writes_states_and_catch_up(tmp_path) -> None:
    from spatialgreen.cli import main

    df = _pollution_panel().assign(stage="s")
    path = tmp_path / "cities.csv"
    df.to_csv(path, index=False)
    out = tmp_path / "dec.xlsx"
    code = main(
        [
            "decouple",
            str(path),
            "--unit",
            "city",
            "--time",
            "year",
            "--driver",
            "gdp",
            "--pollutants",
            "water,so2,solid",
            "--catch-up",
            "--stage-column",
            "stage",
            "--output",
            str(out),
        ]
    )
    assert code == 0
    sheets = pd.read_excel(out, sheet_name=None)
    assert set(sheets) == {"tapio", "catch_up", "environmental_productivity"}
    ep = environmental_productivity(
        df, output="gdp", unit="city", pollutants=["water", "so2", "solid"]
    )
    merged = df.merge(ep[["city", "year", "env_productivity"]], on=["city", "year"])
    expected = tapio(
        merged, driver="gdp", indicator="env_productivity", unit="city", kind="benefit"
    )
    np.testing.assert_allclose(sheets["tapio"]["elasticity"], expected["elasticity"])
    assert sheets["tapio"]["state"].tolist() == expected["state"].tolist()


def test_cli_decouple_reports_bad_input_in_one_line(tmp_path, capsys) -> None:
    from spatialgreen.cli import main

    path = tmp_path / "d.csv"
    _pollution_panel().to_csv(path, index=False)
    code = main(
        [
            "decouple",
            str(path),
            "--unit",
            "city",
            "--time",
            "year",
            "--driver",
            "gdp",
            "--indicator",
            "nox",
            "--output",
            str(tmp_path / "o"),
        ]
    )
    assert code == 2
    assert "nox" in capsys.readouterr().err


def test_catch_up_year_on_year_matches_the_gap_definition() -> None:
    rng = np.random.default_rng(7)
    years = np.arange(2005, 2011)
    rows = [(u, y, *rng.uniform(1, 10, 2)) for u in "mabc" for y in years]
    df = pd.DataFrame(rows, columns=["city", "year", "gdp", "ep"]).assign(stage="s")
    df.loc[df["city"] == "m", "ep"] += 20  # m is the model (highest ep)
    res = catch_up(df, driver="gdp", indicator="ep", unit="city", stages="stage")
    assert len(res) == 3 * 5 and res["year"].tolist()[:5] == list(years[1:])
    wide = df.pivot(index="year", columns="city")
    ge = (wide["gdp"].sub(wide["gdp"]["m"], axis=0)).abs()
    gp = (wide["ep"].sub(wide["ep"]["m"], axis=0)).abs()
    re, rp = ge.pct_change().iloc[1:], gp.pct_change().iloc[1:]
    got = res.set_index(["city", "year"])
    for u in "abc":
        np.testing.assert_allclose(got.loc[u, "economic_gap_change"], re[u], rtol=1e-12)
        np.testing.assert_allclose(got.loc[u, "index"], rp[u] / re[u], rtol=1e-12)
        expected = np.select(
            [(re[u] < 0) & (rp[u] < 0), rp[u] < 0, re[u] < 0], ["A", "B", "C"], "D"
        )
        assert got.loc[u, "type"].tolist() == expected.tolist()


def _mxy_panel() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit": list("mmmxxxyyy"),
            "year": [2005, 2006, 2007] * 3,
            "gdp": [100.0, 200, 300, 50, 180, 200, 60, 70, 90],
            "ep": [10.0, 20, 30, 5, 12, 13, 6, 7, 8],
            "grp": ["g"] * 6 + ["h"] * 3,
        }
    )


def test_unit_missing_in_the_stage_year_is_an_error_not_dropped() -> None:
    # y enters the panel in 2006: its Chenery/table stage in 2005 is unknown, so
    # it used to vanish silently from the catch-up table
    df = _mxy_panel()
    df = df[~((df["unit"] == "y") & (df["year"] == 2005))]
    one_stage = pd.DataFrame({"stage": ["s"], "lower": [0.0], "upper": [np.inf]})
    with pytest.raises(DataError, match=r"unit y .*stage year year=2005"):
        catch_up(df, driver="gdp", indicator="ep", stages=one_stage)
    # staged in a year where every unit is observed, y is listed
    res = catch_up(df, driver="gdp", indicator="ep", stages=one_stage, stage_year=2006)
    assert set(res["unit"]) == {"x", "y"}


def test_single_model_unit_with_several_stages_is_a_clear_error() -> None:
    # used to fail with "model unit(s) lack data for period(s): nan (...)"
    with pytest.raises(DataError, match=r"one unit \('m'.*stage\(s\) 'h'"):
        catch_up(
            _mxy_panel(),
            driver="gdp",
            indicator="ep",
            stages="grp",
            models="m",
            periods=["2005-2007"],
        )
    one_group = _mxy_panel().assign(grp="g")
    res = catch_up(
        one_group,
        driver="gdp",
        indicator="ep",
        stages="grp",
        models="m",
        periods=["2005-2007"],
    )
    assert set(res["model"]) == {"m"} and set(res["unit"]) == {"x", "y"}


def test_period_tuples_of_strings_match_integer_years() -> None:
    df = _mxy_panel()
    by_text = tapio(df, driver="gdp", indicator="ep", periods=[("2005", "2007")])
    by_int = tapio(df, driver="gdp", indicator="ep", periods=[(2005, 2007)])
    pd.testing.assert_frame_equal(by_text, by_int)
    assert by_int["period"].tolist() == ["2005-2007"] * 3


def test_stage_column_unit_missing_in_the_stage_year_is_still_ordinary() -> None:
    # used to raise a bare KeyError "['y'] not in index"
    df = _mxy_panel().assign(grp="g")
    df = df[~((df["unit"] == "y") & (df["year"] == 2005))]
    res = catch_up(df, driver="gdp", indicator="ep", stages="grp")
    assert set(res["model"]) == {"m"}
    y = res[res["unit"] == "y"]
    assert y["period"].tolist() == ["2006-2007"]
    # gaps to m: economic |300-90|/|200-70| - 1, green |8-30|/|7-20| - 1
    assert y["economic_gap_change"].item() == pytest.approx(210 / 130 - 1)
    assert y["green_gap_change"].item() == pytest.approx(22 / 13 - 1)


def test_elasticity_outside_a_user_score_table_is_flagged() -> None:
    df = pd.DataFrame(
        {
            "unit": ["a", "a", "b", "b"],
            "year": [2005, 2010] * 2,
            "gdp": [100.0, 200.0, 100.0, 200.0],
            "co2": [10.0, 15.0, 10.0, 50.0],
        }
    )
    table = pd.DataFrame({"lower": [0.0, 1.0], "upper": [1.0, 2.0], "score": [1, 2]})
    res = tapio(df, driver="gdp", indicator="co2", scores=table).set_index("unit")
    assert res.loc["a", "score"] == 1 and res.loc["a", "flag"] == ""
    # e = 4 lies above the table: the score is missing and the flag says why
    assert np.isnan(res.loc["b", "score"])
    assert res.loc["b", "flag"] == "elasticity outside the score table"


def test_stage_table_rows_in_any_order() -> None:
    # a table listed from the highest stage down used to misplace every unit
    df = _mxy_panel()
    table = pd.DataFrame(
        {"stage": ["rich", "poor"], "lower": [80.0, 0.0], "upper": [np.inf, 80.0]}
    )
    res = catch_up(df, driver="gdp", indicator="ep", stages=table)
    ordered = catch_up(df, driver="gdp", indicator="ep", stages=table.iloc[::-1].copy())
    pd.testing.assert_frame_equal(res, ordered)
    # m (100 in 2005) is alone in "rich"; x (50) and y (60) are "poor"
    assert set(res["stage"]) == {"poor"} and set(res["unit"]) == {"x"}
    assert set(res["model"]) == {"y"}


# ----------------------------------- score and state agree on the edges (issue 15)


@pytest.mark.parametrize("kind", ["benefit", "pressure"])
@pytest.mark.parametrize("closed", [True, False])
@pytest.mark.parametrize("edge", [0.0, 0.8, 1.2])
def test_score_at_a_state_edge_is_the_score_of_its_state(kind, closed, edge):
    """An elasticity exactly on 0, 0.8 or 1.2 scores like its neighbours in the
    same state: at 1.2 (closed band: coupling) it used to score like the negative
    decoupling above it, at 0 (strong decoupling) like weak decoupling."""
    cases = [(0.25, edge - 0.01), (0.25, edge), (0.25, edge + 0.01)]
    res = tapio(_pairs(cases), driver="gdp", indicator="co2", kind=kind, closed=closed)
    res = res.set_index("unit").loc[["u0", "u1", "u2"]]
    assert res["elasticity"].iloc[1] == edge  # exactly on the edge
    states, scores = res["state"].tolist(), res["score"].tolist()
    same = 0 if states[1] == states[0] else 2
    assert states[1] == states[same] != states[2 - same]
    assert scores[1] == scores[same]
    # closed band: 0.8 and 1.2 are coupling; open band: weak / negative decoupling
    expected = {
        0.0: "strong decoupling",
        0.8: "expansive coupling" if closed else "weak decoupling",
        1.2: "expansive coupling" if closed else "expansive negative decoupling",
    }
    assert states[1] == expected[edge]


def test_default_table_edges_follow_the_band():
    t = score_table("benefit").set_index("lower")
    assert t.loc[1.0, "closed"] == "both" and t.loc[1.2, "closed"] == "neither"
    assert t.loc[-0.2, "closed"] == "both" and t.loc[0.0, "closed"] == "neither"
    assert t.loc[0.8, "closed"] == "left"
    opened = score_table("benefit", closed=False).set_index("lower")
    assert (
        opened.loc[0.6, "closed"] == "both" and opened.loc[0.8, "closed"] == "neither"
    )
    assert opened.loc[1.2, "closed"] == "left"


def test_user_table_closed_column_is_checked():
    table = pd.DataFrame(
        {"lower": [-np.inf, 1.0], "upper": [1.0, np.inf], "score": [0, 1]}
    )
    one = _pairs([(0.1, 1.0)])
    assert tapio(one, driver="gdp", indicator="co2", scores=table)["score"].item() == 1
    right = table.assign(closed=["right", "neither"])
    assert tapio(one, driver="gdp", indicator="co2", scores=right)["score"].item() == 0
    with pytest.raises(DataError, match="edge 1 belongs to both bins"):
        tapio(one, driver="gdp", indicator="co2", scores=table.assign(closed="both"))
    with pytest.raises(DataError, match="neither bin"):
        tapio(one, driver="gdp", indicator="co2", scores=table.assign(closed="neither"))
    with pytest.raises(DataError, match="'closed' must hold"):
        tapio(one, driver="gdp", indicator="co2", scores=table.assign(closed="up"))
    with pytest.raises(ValueError, match="closed='yes'"):
        tapio(one, driver="gdp", indicator="co2", closed="yes")
