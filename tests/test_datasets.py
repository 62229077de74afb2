"""The embedded SYNTHETIC demo data: reproducible, labelled, plausible, spatial."""

from __future__ import annotations

import json

import esda
import numpy as np
import pandas as pd
import pytest

import spatialgreen as sg
from spatialgreen import datasets
from spatialgreen.datasets import _generate


@pytest.fixture(scope="module")
def regenerated():
    return _generate.generate_all()


@pytest.mark.parametrize(
    "stem", ["province_panel", "city_panel", "clusters", "belts", "patent_transfers"]
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
    for loader in (datasets.province_panel, datasets.city_panel, datasets.clusters):
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
    assert np.isfinite(c["gdp_per_capita"]).all()


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
