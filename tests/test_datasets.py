"""The embedded SYNTHETIC demo data: reproducible, labelled, plausible, spatial; its
yearbook tables prepare (with spatialgreen.prepare) into its prepared panels."""

from __future__ import annotations

import json
import warnings

import esda
import numpy as np
import pandas as pd
import pytest

import spatialgreen as sg
from spatialgreen import datasets, efficiency, prepare
from spatialgreen.datasets import _generate, _generate_yearbook

KEYS = {"unit": "adcode", "time": "year"}
PRINTED = ["gdp_index", "industrial_va_index", "investment_price_index", "cpi"]
SERVICES = [
    "emp_transport",
    "emp_information",
    "emp_finance",
    "emp_business",
    "emp_research",
]


@pytest.fixture(scope="module")
def regenerated():
    return _generate.generate_all()


@pytest.mark.parametrize(
    "stem",
    [
        "province_panel",
        "province_yearbook",
        "city_panel",
        "city_yearbook",
        "clusters",
        "belts",
        "patent_transfers",
    ],
)
def test_shipped_files_equal_generator_output(regenerated, stem):
    shipped = getattr(datasets, stem)()
    fresh = regenerated[stem]
    pd.testing.assert_frame_equal(
        shipped.reset_index(drop=True),
        fresh.reset_index(drop=True),
        check_dtype=False,
        rtol=1e-9,
        atol=0,
    )


def test_labelled_synthetic_everywhere():
    meta = json.loads((datasets.DATA_DIR / "demo" / "metadata.json").read_text())
    assert meta["synthetic"] is True and "not statistics" in meta["note"]
    for loader in (
        datasets.province_panel,
        datasets.province_yearbook,
        datasets.city_panel,
        datasets.city_yearbook,
        datasets.resource_cities_demo,
        datasets.clusters,
    ):
        assert loader().attrs["synthetic"] is True
    assert "SYNTHETIC" in datasets.__doc__


def test_province_panel_shape_and_units():
    p = datasets.province_panel()
    assert p.shape[0] == 30 * 18
    assert not p.duplicated(["adcode", "year"]).any()
    assert 540000 not in set(p["adcode"])  # GTFP 30: mainland without Tibet
    assert p.groupby("region")["adcode"].nunique().to_dict() == {
        "central": 8,
        "east": 11,
        "west": 11,
    }
    numeric = p.select_dtypes("number").drop(columns=["adcode", "year"])
    assert (numeric > 0).all().all()  # every indicator can be logged


def test_magnitudes_like_chinas():
    p = datasets.province_panel()
    national = p.groupby("year")[["gdp", "energy", "so2"]].sum()
    # real GDP 2005 about 18.7 trillion yuan; energy about 2.6 billion tce
    assert 1.5e5 < national.loc[2005, "gdp"] < 2.5e5
    assert 2.0e5 < national.loc[2005, "energy"] < 3.2e5
    # SO2 falls while output grows: decoupling is there to be found
    assert national.loc[2022, "so2"] < 0.5 * national.loc[2005, "so2"]
    assert national.loc[2022, "gdp"] > 3 * national.loc[2005, "gdp"]


def test_east_ahead_of_west_and_positive_spatial_autocorrelation():
    p = datasets.province_panel()
    y2015 = p[p["year"] == 2015].set_index("adcode")
    pcgdp = y2015["gdp"] / y2015["population"]
    by_region = pcgdp.groupby(y2015["region"]).mean()
    assert by_region["east"] > by_region["central"] > 0
    assert by_region["east"] > by_region["west"]
    g = sg.spatial_weights(
        "province", kind="queen", islands="nearest", ids=list(y2015.index)
    )
    w = g.to_W()
    np.random.seed(1)  # esda 2.8 permutes with the global generator
    moran = esda.Moran(pcgdp.loc[w.id_order].to_numpy(), w, permutations=199)
    assert moran.I > 0.15 and moran.p_sim < 0.05


def test_city_panel_covers_prefecture_level_cities():
    c = datasets.city_panel()
    assert c["year"].min() == 2005 and c["year"].max() == 2020
    assert c["adcode"].nunique() == 337
    assert set(c.loc[c["resource_stage"] == "regenerative", "city"]) == set(
        _generate.REGENERATIVE_CITIES
    )
    # no other resource-based city or stage is invented; types are placeholders
    assert set(c["resource_stage"]) == {"regenerative", ""}
    kinds = set(c.loc[c["resource_stage"] != "", "resource_kind"])
    assert kinds <= set(_generate.PLACEHOLDER_TYPES)
    assert (c.loc[c["resource_stage"] == "", "resource_kind"] == "").all()
    assert np.isfinite(c["gdp_per_capita"]).all()
    demo = datasets.resource_cities_demo()
    assert len(demo) == 16 and set(demo["name_zh"]) == set(
        _generate.REGENERATIVE_CITIES
    )
    assert list(demo.columns) == [
        "adcode",
        "name_zh",
        "name_en",
        "stage",
        "resource_type",
    ]  # the layout of spatialgreen.geo.resource_cities


def test_point_tables_resolve_to_cities():
    cities = set(sg.load_boundaries("city")["name_zh"])
    clusters = datasets.clusters()
    names = {n for field in clusters["city"] for n in field.split("、")}
    assert names <= cities
    assert len(clusters) == 159
    t = datasets.patent_transfers()
    assert (t["origin"] != t["destination"]).all() and (t["count"] > 0).all()
    assert sg.match_units(datasets.belts()["city"].unique().tolist(), level="city")


def test_example_panel_is_a_labelled_balanced_panel():
    df = datasets.example_panel(n_units=5, n_years=4, seed=3)
    assert df.attrs["synthetic"] is True and "SYNTHETIC" in df.attrs["source"]
    assert df.shape == (20, 12)
    assert df[["unit", "year"]].values.tolist() == [
        [u, y] for u in range(5) for y in range(2001, 2005)
    ]
    assert df.groupby("region")["unit"].nunique().to_dict() == {"east": 3, "west": 2}
    assert (df[["labour", "energy", "gtfp", "gdp"]] > 0).all().all()
    expected_gdp = df["labour"] ** 0.6 * df["energy"] ** 0.3 * df["gtfp"]
    np.testing.assert_allclose(df["gdp"], expected_gdp, rtol=1e-12)
    pd.testing.assert_frame_equal(df, datasets.example_panel(5, 4, seed=3))
    assert not df["y"].equals(datasets.example_panel(5, 4, seed=4)["y"])


def test_example_panel_recovers_its_data_generating_process():
    df = datasets.example_panel(n_units=200, n_years=10, seed=1)
    units = pd.get_dummies(df["unit"], dtype=float).to_numpy()
    design = np.column_stack(
        [df[["x1", "m", "x2"]], df["x1"] * df["z"], df["year"] - 2001, units]
    )
    coef = np.linalg.lstsq(design, df["y"].to_numpy(), rcond=None)[0]
    np.testing.assert_allclose(coef[:5], [0.2, 0.5, -0.3, 0.25, 0.05], atol=0.03)
    assert coef[:5].round(3).tolist() == [0.219, 0.506, -0.3, 0.265, 0.056]
    total = np.linalg.lstsq(
        np.column_stack([df[["x1", "x2"]], df["year"] - 2001, units]),
        df["y"].to_numpy(),
        rcond=None,
    )[0]
    assert total[:2].round(3).tolist() == [0.513, -0.298]  # 0.2 + 0.5·0.6 = 0.5


@pytest.mark.parametrize("bad", [{"n_units": 0}, {"n_years": 2.5}, {"n_units": True}])
def test_example_panel_refuses_bad_sizes(bad):
    with pytest.raises(sg.DataError, match=next(iter(bad))):
        datasets.example_panel(**bad)


# ----------------------------------------------------------------- yearbook tables
@pytest.fixture(scope="module")
def provinces():
    return datasets.province_yearbook(), datasets.province_panel()


@pytest.fixture(scope="module")
def cities():
    return datasets.city_yearbook(), datasets.city_panel()


def test_yearbook_tables_look_like_yearbooks(provinces, cities):
    raw, panel = provinces
    assert raw[["adcode", "year"]].equals(panel[["adcode", "year"]])
    assert {"gdp", "capital", "industrial_va"}.isdisjoint(raw.columns)
    for table in (raw, cities[0]):
        for column in [c for c in PRINTED if c in table]:
            printed = table[column].dropna()
            np.testing.assert_allclose(printed, printed.round(1), atol=1e-9)
            assert printed.between(85, 135).all(), column  # previous year = 100
    # nominal GDP is the sum of the three sectors, and outgrows real GDP
    sectors = raw[["va_primary", "va_secondary", "va_tertiary"]].sum(axis=1)
    np.testing.assert_allclose(sectors, raw["gdp_nominal"], rtol=2e-5)
    assert (raw["industrial_va_nominal"] < raw["va_secondary"]).all()
    last = raw["year"] == raw["year"].max()
    assert (raw.loc[last, "gdp_nominal"] > panel.loc[last, "gdp"]).all()
    first = raw["year"] == raw["year"].min()
    np.testing.assert_array_equal(
        raw.loc[first, "gdp_nominal"], panel.loc[first, "gdp"]
    )


@pytest.mark.parametrize("level", ["province", "city"])
def test_yearbook_gaps_are_few_interior_and_documented(provinces, cities, level):
    raw = provinces[0] if level == "province" else cities[0]
    gaps = raw.isna().sum()
    gaps = gaps[gaps > 0].to_dict()
    if level == "province":
        assert gaps == _generate_yearbook.PROVINCE_GAPS
    else:
        assert gaps == {
            c: round(s * len(raw)) for c, s in _generate_yearbook.CITY_GAPS.items()
        }
    ends = raw["year"].isin([raw["year"].min(), raw["year"].max()])
    assert not raw.loc[ends].isna().any().any()  # interpolation fills every gap


def test_prepare_recovers_the_prepared_province_panel(provinces):
    """Two routes to one panel: the generator's, and spatialgreen.prepare on the
    yearbook (equal up to the 6 significant digits of the shipped files)."""
    raw, panel = provinces
    base = int(raw["year"].min())
    for real, nominal in (("gdp", "gdp"), ("industrial_va", "industrial_va")):
        got = prepare.real_gdp(
            raw, f"{nominal}_nominal", f"{nominal}_index", base_year=base, **KEYS
        )
        np.testing.assert_allclose(got, panel[real], rtol=2e-5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the two gaps of the price index
        stock = prepare.capital_stock(
            raw,
            "investment",
            "investment_price_index",
            delta=_generate.DEPRECIATION,
            growth_years=_generate.GROWTH_YEARS,
            price_kind="previous-year",
            price_base_year=base,
            interpolate=True,
            **KEYS,
        )
    capital = stock.column(raw, **KEYS)
    gap = raw.groupby("adcode")["investment_price_index"].transform(
        lambda s: s.isna().any()
    )
    np.testing.assert_allclose(capital[~gap], panel.loc[~gap, "capital"], rtol=5e-5)
    assert gap.sum() == 2 * 18  # two provinces: their stock rests on filled prices
    assert not np.allclose(capital[gap], panel.loc[gap, "capital"], rtol=5e-5)
    checks = {
        "industrial_upgrading": prepare.structure_ratio(
            raw, "va_secondary", "va_tertiary", **KEYS
        ),
        "hightech_agglomeration": prepare.location_quotient(
            raw, "emp_hightech", "emp_industry", **KEYS
        ),
        "service_diversification": prepare.diversification_index(raw, SERVICES, **KEYS),
        "it_employment_share": 100 * raw["emp_information"] / raw["emp_urban"],
    }
    for column, values in checks.items():
        np.testing.assert_allclose(values, panel[column], rtol=3e-5, err_msg=column)
    np.testing.assert_allclose(
        prepare.specialisation_index(raw, SERVICES, **KEYS),
        panel["service_specialization"],
        atol=1e-5,
    )
    for money in ("software_revenue", "ecommerce_sales"):
        real = prepare.deflate(
            raw, money, "cpi", index_kind="previous-year", base_year=base, **KEYS
        )
        seen = raw[money].notna()
        np.testing.assert_allclose(real[seen], panel.loc[seen, money], rtol=2e-5)
    # every other number (physical quantities, ratios) is printed as it is
    money = {"software_revenue", "ecommerce_sales"}
    same = [c for c in raw.select_dtypes("number") if c in panel and c not in money]
    assert len(same) == 25  # keys, population, labour, energy, ..., controls
    seen = raw[same].notna()
    np.testing.assert_array_equal(raw[same].where(seen), panel[same].where(seen))


def test_prepare_recovers_the_prepared_city_panel(cities):
    raw, panel = cities
    base = int(raw["year"].min())
    gdp = prepare.real_gdp(raw, "gdp_nominal", "gdp_index", base_year=base, **KEYS)
    np.testing.assert_allclose(gdp, panel["gdp"], rtol=2e-5)
    per_capita = prepare.per_capita(
        raw.assign(gdp=gdp), "gdp", "population", scale=1e4, **KEYS
    )
    np.testing.assert_allclose(per_capita, panel["gdp_per_capita"], rtol=3e-5)
    stock = prepare.capital_stock(
        raw,
        "investment",
        "investment_price_index",
        delta=_generate.DEPRECIATION,
        price_kind="previous-year",
        price_base_year=base,
        **KEYS,
    )
    np.testing.assert_allclose(stock.column(raw, **KEYS), panel["capital"], rtol=5e-5)
    # a city's fixed-asset price index is its province's
    per_province = raw.groupby(["province_adcode", "year"])["investment_price_index"]
    assert (per_province.nunique() == 1).all()


def test_shanghai_has_the_highest_2005_per_capita_gdp(cities, provinces):
    _, city = cities
    yrd = city[city["adcode"].isin(sg.geo.study_units("yrd41", "city"))]
    first = yrd[yrd["year"] == 2005].set_index("city")["gdp_per_capita"]
    assert first.idxmax() == "上海市"
    _, province = provinces
    first = province[province["year"] == 2005].set_index("province")
    assert (first["gdp"] / first["population"]).idxmax() == "上海市"


def test_cumulative_gtfp_is_plausible_over_the_whole_demo_period(provinces):
    """The YREB study's SBM–GML index over 2005–2022: no region near the old ≈ 11×."""
    _, panel = provinces
    yreb = sg.load_boundaries("province", study="yreb")[["adcode", "yreb_reach"]]
    data = panel.merge(yreb, on="adcode")
    gml = efficiency.productivity_index(
        data,
        model="sbm",
        index="gml",
        super_efficiency=True,
        inputs=["labor", "capital", "energy"],
        outputs="industrial_va",
        bad_outputs=["so2", "cod"],
        rts="vrs",
        **KEYS,
    )
    last = gml.index[gml.index["year"] == 2022].merge(yreb, on="adcode")
    means = last.groupby("yreb_reach")["cumulative"].agg(
        lambda s: float(np.exp(np.log(s).mean()))
    )
    assert means.between(0.8, 1.6).all(), means.to_dict()
    assert last["cumulative"].between(0.7, 2.0).all()
