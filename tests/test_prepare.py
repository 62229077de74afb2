"""spatialgreen.prepare: formulas against hand-computed numbers, invariants, errors.

The arithmetic behind each expected value is written next to it.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spatialgreen.errors import DataError, PanelError
from spatialgreen.prepare import (
    advanced_structure_index,
    capital_stock,
    chain_index,
    deflate,
    diversification_index,
    growth_rate,
    impute,
    krugman_index,
    location_quotient,
    per_capita,
    real_gdp,
    rebase_index,
    specialisation_index,
    structure_ratio,
    unchain_index,
    wide_to_long,
)


def _panel(**columns):
    """Two units a (2000-2003) and b (2000-2003), rows shuffled on purpose."""
    df = pd.DataFrame(
        {"unit": ["a"] * 4 + ["b"] * 4, "year": [2000, 2001, 2002, 2003] * 2, **columns}
    )
    return df.iloc[[5, 0, 3, 7, 1, 6, 2, 4]].set_index(pd.Index(list("pqrstuvw")))


def _at(df, unit, year):
    return (df["unit"] == unit) & (df["year"] == year)


def _by_key(df, series):
    return {(u, y): v for u, y, v in zip(df["unit"], df["year"], series, strict=True)}


# --- prices ---------------------------------------------------------------------


def test_chain_rebase_deflate_by_hand_and_aligned_with_shuffled_rows():
    df = _panel(
        p=[np.nan, 110.0, 90.0, 100.0, np.nan, 105.0, 102.0, 100.0],
        x=[50.0, 66.0, 59.4, 59.4, 10.0, 10.5, 10.71, 10.71],
    )
    before = df.copy()
    fixed = chain_index(df, "p")
    assert fixed.index.equals(df.index) and fixed.name == "p_fixed"
    got = _by_key(df, fixed)
    # a: 100; 100*1.10 = 110; 110*0.90 = 99; 99*1.00 = 99
    assert [got["a", y] for y in range(2000, 2004)] == pytest.approx([100, 110, 99, 99])
    # b: 100; 105; 105*1.02 = 107.1; 107.1
    assert [got["b", y] for y in range(2000, 2004)] == pytest.approx(
        [100, 105, 107.1, 107.1]
    )
    base01 = _by_key(df, chain_index(df, "p", base_year=2001))
    assert base01["a", 2000] == pytest.approx(100 / 1.10)  # 90.909...
    assert base01["b", 2003] == pytest.approx(100 * 1.02)
    df2 = df.assign(P=fixed)
    rebased = _by_key(df2, rebase_index(df2, "P", base_year=2002))
    assert rebased["a", 2001] == pytest.approx(100 * 110 / 99)  # 111.11
    # deflate: x_real = x * 100 / P  (fixed-base, read as printed)
    real = _by_key(df2, deflate(df2, "x", "P"))
    assert real["a", 2001] == pytest.approx(66 / 1.10)  # 60
    assert real["a", 2002] == pytest.approx(59.4 / 0.99)  # 60
    assert real["b", 2002] == pytest.approx(10.71 / 1.071)  # 10
    # the same from the previous-year index directly
    direct = _by_key(df, deflate(df, "x", "p", index_kind="previous-year"))
    assert direct == pytest.approx(real)
    # in 2001 prices: x * P_2001 / P_t
    real01 = _by_key(df2, deflate(df2, "x", "P", base_year=2001))
    assert real01["a", 2000] == pytest.approx(50 * 110 / 100)  # 55
    pd.testing.assert_frame_equal(df, before)  # input never changed


def test_real_gdp_from_previous_year_and_fixed_base_indices():
    # YRD style: constant 2005 prices = 2005 nominal GDP x chained GDP index
    df = pd.DataFrame(
        {
            "unit": ["c"] * 4,
            "year": [2005, 2006, 2007, 2008],
            "gdp": [500.0, 600.0, 700.0, np.nan],  # later nominal values unused
            "idx": [np.nan, 112.0, 110.0, 105.0],
        }
    )
    got = real_gdp(df, "gdp", "idx", base_year=2005).tolist()
    # 500; 500*1.12 = 560; 560*1.10 = 616; 616*1.05 = 646.8
    assert got == pytest.approx([500, 560, 616, 646.8])
    fixed = df.assign(F=[100.0, 112.0, 123.2, 129.36])
    assert real_gdp(fixed, "gdp", "F", index_kind="fixed-base").tolist() == (
        pytest.approx([500, 560, 616, 646.8])
    )
    # base 2006: 600 * I_t / I_2006 -> 2005 = 600/1.12 = 535.714...
    assert real_gdp(df, "gdp", "idx", base_year=2006).iloc[0] == pytest.approx(
        600 / 1.12
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.floats(min_value=50, max_value=200, allow_nan=False), min_size=2, max_size=12
    ),
    st.integers(min_value=1990, max_value=2020),
)
def test_chaining_then_unchaining_returns_the_input(links, first):
    df = pd.DataFrame(
        {"unit": "u", "year": range(first, first + len(links)), "p": links}
    )
    df["P"] = chain_index(df, "p")
    back = unchain_index(df, "P")
    assert math.isnan(back.iloc[0])  # no previous year
    np.testing.assert_allclose(back.iloc[1:], df["p"].iloc[1:], rtol=1e-10)


def test_price_errors_name_unit_year_and_column():
    df = _panel(p=[np.nan, 110.0, np.nan, 100.0, np.nan, 105.0, 102.0, 100.0])
    with pytest.raises(DataError, match=r"'p'.*unit=a, year=2002"):
        chain_index(df, "p")
    gap = df[~((df["unit"] == "b") & (df["year"] == 2001))].fillna({"p": 100.0})
    with pytest.raises(PanelError, match=r"unit=b: year 2001 absent"):
        chain_index(gap, "p")
    neg = df.fillna({"p": 100.0}).assign(
        p=lambda d: d["p"].where(~_at(d, "a", 2001), -1)
    )
    with pytest.raises(DataError, match=r"'p' must be > 0.*unit=a, year=2001"):
        chain_index(neg, "p")
    with pytest.raises(DataError, match=r"base year year=1999 is not observed"):
        rebase_index(df, "p", base_year=1999)
    with pytest.raises(DataError, match="looks like a ratio"):
        deflate(df.assign(x=1.0, r=1.05), "x", "r")
    with pytest.raises(DataError, match="index_kind"):
        deflate(df.assign(x=1.0), "x", "p", index_kind="chained")  # type: ignore[arg-type]
    with pytest.raises(DataError, match="column 'nope' not found"):
        deflate(df, "nope", "p")


# --- capital --------------------------------------------------------------------


def _investment():
    return pd.DataFrame(
        {
            "unit": ["a"] * 4 + ["b"] * 4,
            "year": [2000, 2001, 2002, 2003] * 2,
            "I": [10.0, 11.0, 13.2, 13.2, 20.0, 20.0, 22.0, 24.0],
            "P": [100.0, 100.0, 110.0, 110.0, 100.0, 100.0, 100.0, 120.0],
        }
    )


def test_capital_stock_zhang_base_by_hand():
    res = capital_stock(_investment(), "I", "P", delta=0.096, base="zhang")
    a = res.stock[res.stock["unit"] == "a"]
    # real I = 10, 11, 12, 12; K0 = 10/0.10 = 100
    # K1 = 0.904*100 + 11 = 101.4; K2 = 0.904*101.4 + 12 = 103.6656
    # K3 = 0.904*103.6656 + 12 = 105.7137...
    assert a["real_investment"].tolist() == pytest.approx([10, 11, 12, 12])
    assert a["capital"].tolist() == pytest.approx(
        [100, 101.4, 103.6656, 0.904 * 103.6656 + 12]
    )
    b = res.stock[res.stock["unit"] == "b"]["capital"].tolist()
    # b: real I = 20, 20, 22, 20; K0 = 200; 0.904*200+20 = 200.8; 0.904*200.8+22
    assert b[:3] == pytest.approx([200, 200.8, 0.904 * 200.8 + 22])
    assert res.meta["delta"] == 0.096 and res.meta["base"] == "zhang"


def test_capital_stock_hall_jones_base_by_hand():
    res = capital_stock(_investment(), "I", "P", delta=0.1096, growth_years=2)
    base = res.base.set_index("unit")
    # a: g = (12/10)^(1/2) - 1 = 0.095445; K0 = 10/(0.095445 + 0.1096) = 48.77
    g = 1.2**0.5 - 1
    assert base.loc["a", "g"] == pytest.approx(g)
    assert base.loc["a", "capital"] == pytest.approx(10 / (g + 0.1096))
    # b: g = (22/20)^(1/2) - 1
    assert base.loc["b", "g"] == pytest.approx(1.1**0.5 - 1)
    k = res.stock.set_index(["unit", "year"])["capital"]
    assert k["a", 2001] == pytest.approx((1 - 0.1096) * 10 / (g + 0.1096) + 11)


def test_capital_stock_given_base_and_already_real_investment():
    res = capital_stock(_investment(), "I", delta=0.1, base={"a": 50.0, "b": 80.0})
    k = res.stock.set_index(["unit", "year"])["capital"]
    assert k["a", 2001] == pytest.approx(0.9 * 50 + 11)  # 56
    assert k["b", 2002] == pytest.approx(0.9 * (0.9 * 80 + 20) + 22)  # 104.8


def test_capital_stock_refuses_gaps_unless_interpolating():
    df = _investment()
    holed = df.assign(I=df["I"].where(~((df["unit"] == "a") & (df["year"] == 2002))))
    with pytest.raises(DataError, match=r"'I'.*unit=a, year=2002.*interpolate=True"):
        capital_stock(holed, "I", "P", delta=0.1, base="zhang")
    absent = df.drop(index=6)  # b 2002
    with pytest.raises(PanelError, match=r"unit=b: year 2002 absent"):
        capital_stock(absent, "I", "P", delta=0.1, base="zhang")
    with pytest.warns(UserWarning, match="filled missing values by linear"):
        res = capital_stock(absent, "I", "P", delta=0.1, base="zhang", interpolate=True)
    # b 2002 inserted: I = (20 + 24)/2 = 22, P = (100 + 120)/2 = 110 -> real 20
    row = res.stock.set_index(["unit", "year"]).loc[("b", 2002)]
    assert row["real_investment"] == pytest.approx(22 / 1.10)
    assert bool(row["I_imputed"]) and bool(row["P_imputed"])
    assert len(res.imputed) == 2
    with pytest.raises(DataError, match="delta"):
        capital_stock(df, "I", "P", delta=9.6, base="zhang")
    with pytest.raises(DataError, match=r"unit=a has 4 years.*growth_years=5"):
        capital_stock(df, "I", "P", delta=0.1)
    with pytest.raises(TypeError):
        capital_stock(df, "I", "P")  # type: ignore[call-arg]  # delta is required


# --- missing values ---------------------------------------------------------------


def test_impute_linear_unit_mean_year_mean_with_flags_and_report():
    # a: 1, ?, 3, ?   b: 7, ?, ?, 4
    df = _panel(x=[1.0, np.nan, 3.0, np.nan, 7.0, np.nan, np.nan, 4.0])
    with pytest.warns(UserWarning, match=r"'x': 3 cells; 1 cells remain missing"):
        res = impute(df, "x")
    got = _by_key(res.data, res.data["x"])
    # a: 1, ?, 3, ? -> 2001 = (1+3)/2 = 2; 2003 not extrapolated
    assert got["a", 2001] == 2.0 and math.isnan(got["a", 2003])
    # b: 7, ?, ?, 4 -> 7 - 3/3 = 6, 7 - 2*3/3 = 5
    assert (got["b", 2001], got["b", 2002]) == (6.0, 5.0)
    assert res.data.index.equals(df.index)
    assert res.data["x_imputed"].sum() == 3
    assert sorted(map(tuple, res.report[["unit", "year", "value"]].values)) == [
        ("a", 2001, 2.0),
        ("b", 2001, 6.0),
        ("b", 2002, 5.0),
    ]
    assert res.unfilled[["unit", "year"]].values.tolist() == [["a", 2003]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ext = impute(df, "x", extrapolate=True, warn=False)
    # a 2003 on the line through the observed (2000, 1) and (2002, 3): 3 + 1 = 4
    assert _by_key(ext.data, ext.data["x"])["a", 2003] == 4.0
    um = impute(df, "x", method="unit-mean", warn=False)
    # a mean of (1, 3) = 2; b mean of (7, 4) = 5.5
    assert _by_key(um.data, um.data["x"])["a", 2003] == 2.0
    assert _by_key(um.data, um.data["x"])["b", 2001] == 5.5
    ym = impute(df, "x", method="year-mean", warn=False)
    # 2003: a missing, b = 4 -> 4; 2001: both missing -> stays missing
    assert _by_key(ym.data, ym.data["x"])["a", 2003] == 4.0
    assert math.isnan(_by_key(ym.data, ym.data["x"])["a", 2001])
    assert df["x"].isna().sum() == 4  # input untouched


def test_impute_complete_years_inserts_flagged_rows():
    df = pd.DataFrame({"unit": ["a", "a"], "year": [2000, 2003], "x": [1.0, 4.0]})
    res = impute(df, ["x"], complete_years=True, warn=False)
    assert res.data["year"].tolist() == [2000, 2001, 2002, 2003]
    assert res.data["x"].tolist() == [1.0, 2.0, 3.0, 4.0]
    assert res.data["x_imputed"].tolist() == [False, True, True, False]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.floats(min_value=-1e6, max_value=1e6)),
        min_size=1,
        max_size=15,
    ),
    st.booleans(),
)
def test_imputation_never_changes_observed_cells(values, extrapolate):
    df = pd.DataFrame(
        {"unit": "u", "year": range(2000, 2000 + len(values)), "x": values},
        dtype=object,
    ).astype({"x": float, "year": int})
    res = impute(df, "x", extrapolate=extrapolate, warn=False)
    observed = df["x"].notna()
    assert (res.data.loc[observed, "x"] == df.loc[observed, "x"]).all()
    assert not res.data.loc[observed, "x_imputed"].any()
    assert (res.data["x_imputed"] == (df["x"].isna() & res.data["x"].notna())).all()
    assert len(res.report) == int(res.data["x_imputed"].sum())


def test_impute_errors():
    df = _panel(x=[1.0] * 8)
    with pytest.raises(DataError, match="'x_imputed' already exists"):
        impute(df.assign(x_imputed=False), "x")
    with pytest.raises(DataError, match="method must be one of"):
        impute(df, "x", method="spline")  # type: ignore[arg-type]
    bad = df.assign(x=df["x"].astype(object).where(~_at(df, "b", 2003), "n/a"))
    with pytest.raises(
        DataError, match=r"'x' has non-numeric cells: unit=b, year=2003"
    ):
        impute(bad, "x")
    dup = pd.concat([df, df.iloc[[0]]])
    with pytest.raises(PanelError, match=r"duplicate.*unit=b, year=2001"):
        impute(dup, "x")


# --- structure and agglomeration --------------------------------------------------


def _sectors():
    return pd.DataFrame(
        {
            "unit": ["a", "b", "c"],
            "year": [2020] * 3,
            "fin": [30.0, 10.0, 20.0],
            "it": [10.0, 30.0, 20.0],
            "log": [0.0, 10.0, 20.0],
        }
    )


def test_location_quotient_by_hand():
    df = _sectors().assign(total=[100.0, 50.0, 50.0])
    lq = location_quotient(df, "fin", "total").tolist()
    # reference = (30+10+20)/(100+50+50) = 0.3; a: 0.30/0.3 = 1; b: 0.2/0.3; c: 0.4/0.3
    assert lq == pytest.approx([1.0, 2 / 3, 4 / 3])
    nat = df.assign(nf=[40.0] * 3, nt=[100.0] * 3)
    got = location_quotient(
        nat, "fin", "total", national_sector="nf", national_total="nt"
    )
    assert got.tolist() == pytest.approx([0.75, 0.5, 1.0])  # / 0.4


def test_specialisation_krugman_diversification_by_hand():
    df = _sectors()
    # shares a (.75, .25, 0), b (.2, .6, .2), c (1/3, 1/3, 1/3)
    # panel shares: fin 60/150 = .4, it 60/150 = .4, log 30/150 = .2
    spec = specialisation_index(df, ["fin", "it", "log"]).tolist()
    # a: .35 + .15 + .2 = .7; b: .2 + .2 + 0 = .4; c: 1/15 + 1/15 + 2/15 = 4/15
    assert spec == pytest.approx([0.7, 0.4, 4 / 15])
    kr = krugman_index(df, ["fin", "it", "log"]).tolist()
    # a vs b+c = (30, 50, 30)/110: |.75-3/11| + |.25-5/11| + |0-3/11|
    a = abs(0.75 - 3 / 11) + abs(0.25 - 5 / 11) + 3 / 11
    # c vs a+b = (40, 40, 10)/90
    c = abs(1 / 3 - 4 / 9) * 2 + abs(1 / 3 - 1 / 9)
    assert kr[0] == pytest.approx(a) and kr[2] == pytest.approx(c)
    div = diversification_index(df, ["fin", "it", "log"]).tolist()
    # a: 1/(.5625 + .0625) = 1.6; b: 1/(.04+.36+.04) = 2.2727; c: 3
    assert div == pytest.approx([1.6, 1 / 0.44, 3.0])


def test_structure_indices_by_hand():
    df = pd.DataFrame(
        {
            "unit": ["a", "b"],
            "year": [2020, 2020],
            "va1": [10.0, 0.0],
            "va2": [40.0, 50.0],
            "va3": [50.0, 50.0],
        }
    )
    assert structure_ratio(df, "va2", "va3").tolist() == [1.25, 1.0]
    # level: 1*.1 + 2*.4 + 3*.5 = 2.4; b: 2*.5 + 3*.5 = 2.5
    assert advanced_structure_index(df, "va1", "va2", "va3").tolist() == pytest.approx(
        [2.4, 2.5]
    )
    # angle for b: shares (0, .5, .5), norm .7071 -> theta = (pi/2, pi/4, pi/4)
    # W = 3*pi/2 + 2*pi/4 + pi/4 = 9*pi/4
    w = advanced_structure_index(df, "va1", "va2", "va3", method="angle")
    assert w.iloc[1] == pytest.approx(9 * math.pi / 4)


def test_structure_errors_name_cells():
    df = _sectors()
    with pytest.raises(DataError, match=r"'it' must be >= 0.*unit=b, year=2020"):
        specialisation_index(df.assign(it=[1.0, -1.0, 1.0]), ["fin", "it"])
    with pytest.raises(DataError, match="sum to 0 at: unit=a, year=2020"):
        diversification_index(df.assign(fin=[0.0, 1, 1], it=[0.0, 1, 1]), ["fin", "it"])
    with pytest.raises(DataError, match="at least two units in year=2021"):
        krugman_index(pd.concat([df, df.iloc[[0]].assign(year=2021)]), ["fin", "it"])
    with pytest.raises(DataError, match=r"'va2' must be > 0.*unit=a, year=2020"):
        structure_ratio(df.assign(va2=0.0, va3=1.0), "va2", "va3")


# --- per capita, growth, wide tables --------------------------------------------


def test_per_capita_and_growth_by_hand():
    df = pd.DataFrame(
        {
            "unit": ["a"] * 4,
            "year": [2010, 2011, 2012, 2014],
            "gdp": [2.0, 2.2, 2.42, 3.0],
            "pop": [1.0, 1.0, 1.1, 1.0],
        }
    )
    # 2.42e8 yuan / 1.1e4 persons = 22000 yuan
    assert per_capita(df, "gdp", "pop", scale=1e4).tolist() == pytest.approx(
        [20000, 22000, 22000, 30000]
    )
    g = growth_rate(df, "gdp").tolist()
    assert math.isnan(g[0]) and g[1:3] == pytest.approx([0.1, 0.1])
    assert math.isnan(g[3])  # 2013 absent: no rate over two years
    g2 = growth_rate(df, "gdp", periods=2, kind="log").tolist()
    # 2012 vs 2010: ln(2.42/2); 2014 vs 2012: ln(3/2.42)
    assert g2[2] == pytest.approx(math.log(1.21)) and g2[3] == pytest.approx(
        math.log(3 / 2.42)
    )
    zero = df.assign(gdp=[2.0, 0.0, 2.42, 3.0])
    with pytest.raises(DataError, match=r"0 in year=2011.*unit=a, year=2012"):
        growth_rate(zero, "gdp")
    with pytest.raises(DataError, match=r"'pop' must be > 0.*unit=a, year=2011"):
        per_capita(df.assign(pop=[1.0, 0.0, 1.0, 1.0]), "gdp", "pop")


def test_wide_to_long():
    t = pd.DataFrame({"地区": ["甲", "乙"], 2010: [1, 2], "2011年": ["3", "—"]})
    long = wide_to_long(t, unit="地区", value="GDP", time="年份")
    assert long.columns.tolist() == ["地区", "年份", "GDP"]
    assert long.values.tolist()[:3] == [
        ["甲", 2010, 1.0],
        ["甲", 2011, 3.0],
        ["乙", 2010, 2.0],
    ]
    assert math.isnan(long["GDP"].iloc[3])
    with pytest.raises(DataError, match="columns that are not years: '备注'"):
        wide_to_long(t.assign(备注="x"), unit="地区", value="GDP")
    with pytest.raises(DataError, match=r"地区=乙, year=2010: 'abc'"):
        wide_to_long(t.replace({2: "abc"}), unit="地区", value="GDP")
