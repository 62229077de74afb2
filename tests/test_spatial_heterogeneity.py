"""Regimes (spreg), subgroup regressions with Chow-type tests, and GWR (mgwr)."""

from __future__ import annotations

import sys

import libpysal
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

from spatialgreen.errors import DataError, DependencyError, ModelError
from spatialgreen.spatial import gwr, spatial_regimes, subgroup_regression


@pytest.fixture(scope="module")
def columbus():
    db = libpysal.io.open(libpysal.examples.get_path("columbus.dbf"))
    df = pd.DataFrame(
        {c: db.by_col(c) for c in ["POLYID", "CRIME", "INC", "HOVAL", "NSA", "X", "Y"]}
    )
    df["side"] = np.where(df["NSA"] == 1, "north", "south")
    w = libpysal.io.open(libpysal.examples.get_path("columbus.gal")).read()
    return df, w


def test_ols_regimes_equal_separate_ols_and_spreg_chow(columbus):
    df, w = columbus
    res = spatial_regimes(
        df, y="CRIME", x=["INC", "HOVAL"], regimes="side", w=w, unit="POLYID"
    )
    for side, part in df.groupby("side"):
        fit = sm.OLS(part["CRIME"], sm.add_constant(part[["INC", "HOVAL"]])).fit()
        np.testing.assert_allclose(
            res.params.loc[side].to_numpy(), fit.params.to_numpy(), rtol=1e-9
        )
    tests = res.tests
    assert tests.loc["all coefficients equal across regimes", "df"] == 3
    # joint Chow-Wald from the pooled-variance covariance, by hand
    x = np.column_stack([np.ones(49), df[["INC", "HOVAL"]]])
    north = (df["side"] == "north").to_numpy()
    z = np.column_stack([x * north[:, None], x * ~north[:, None]])
    y = df["CRIME"].to_numpy()
    b = np.linalg.lstsq(z, y, rcond=None)[0]
    e = y - z @ b
    v = e @ e / (49 - 6) * np.linalg.inv(z.T @ z)
    r = np.hstack([np.eye(3), -np.eye(3)])
    # regimes are sorted: "north" first
    wald = (r @ b) @ np.linalg.solve(r @ v @ r.T, r @ b)
    assert tests.loc[
        "all coefficients equal across regimes", "statistic"
    ] == pytest.approx(wald, rel=1e-8)


@pytest.mark.parametrize("model", ["sar", "sem"])
def test_spatial_regimes_have_one_global_spatial_parameter(columbus, model):
    df, w = columbus
    res = spatial_regimes(
        df,
        y="CRIME",
        x=["INC", "HOVAL"],
        regimes="side",
        w=w,
        unit="POLYID",
        model=model,
    )
    name = "rho" if model == "sar" else "lambda"
    assert ("(all)", name) in res.params.index
    assert -1 < res.params.loc[("(all)", name)] < 1
    assert res.params.loc["north"].shape[0] == 3
    assert np.isfinite(res.fit.loc["(all)", "loglik"])


def test_subgroup_chow_test_equals_interacted_model_f_test(columbus):
    df, _ = columbus
    res = subgroup_regression(df, y="CRIME", x=["INC", "HOVAL"], group="side")
    full = smf.ols("CRIME ~ (INC + HOVAL) * C(side)", data=df).fit()
    f = full.f_test(
        "C(side)[T.south] = 0, INC:C(side)[T.south] = 0, HOVAL:C(side)[T.south] = 0"
    )
    chow = res.tests.loc["Chow F: all coefficients equal"]
    assert chow["statistic"] == pytest.approx(float(f.fvalue), rel=1e-9)
    assert chow["p"] == pytest.approx(float(f.pvalue), rel=1e-9)
    assert chow["df"] == 3 and chow["df_resid"] == 43
    # two groups: the per-coefficient Wald test is the squared difference z statistic
    north, south = res.params.loc["north"], res.params.loc["south"]
    se_n, se_s = res.std_errors.loc["north"], res.std_errors.loc["south"]
    z = (north["INC"] - south["INC"]) / np.sqrt(se_n["INC"] ** 2 + se_s["INC"] ** 2)
    assert res.tests.loc["equal INC across groups", "statistic"] == pytest.approx(z**2)
    assert res.fit.loc["(pooled)", "nobs"] == 49


def test_subgroup_three_groups_and_errors(columbus):
    df, _ = columbus
    df = df.assign(band=pd.cut(df["X"], 3, labels=["w", "c", "e"]).astype(str))
    res = subgroup_regression(df, y="CRIME", x=["INC"], group="band")
    assert res.tests.loc["equal INC across groups", "df"] == 2
    assert set(res.params.index.get_level_values("group")) == {"w", "c", "e"}
    with pytest.raises(DataError, match="at least two groups"):
        subgroup_regression(df.assign(g="one"), y="CRIME", x=["INC"], group="g")
    with pytest.raises(DataError, match="rows, fewer than"):
        subgroup_regression(
            df.assign(g=["a"] * 47 + ["b"] * 2), y="CRIME", x=["INC"], group="g"
        )


@pytest.mark.slow  # mgwr's first fit in a process takes ~20 s of one-time setup
def test_gwr_with_infinite_bandwidth_is_global_ols(columbus):
    df, _ = columbus
    res = gwr(
        df,
        y="CRIME",
        x=["INC", "HOVAL"],
        coords=("X", "Y"),
        unit="POLYID",
        bandwidth=1e6,
        kernel="gaussian",
        fixed=True,
    )
    ols = sm.OLS(df["CRIME"], sm.add_constant(df[["INC", "HOVAL"]])).fit()
    for name, value in zip(["const", "INC", "HOVAL"], ols.params, strict=True):
        np.testing.assert_allclose(res.local[name], value, rtol=1e-6)
    assert res.local["POLYID"].tolist() == df["POLYID"].tolist()
    assert {"se_INC", "t_INC", "significant_INC", "local_r2"} <= set(res.local.columns)


@pytest.mark.slow
def test_gwr_selects_bandwidth_and_finds_a_gradient():
    rng = np.random.default_rng(0)
    u, v = np.meshgrid(np.arange(10.0), np.arange(10.0))
    df = pd.DataFrame({"u": u.ravel(), "v": v.ravel(), "x": rng.normal(size=100)})
    df["y"] = (1 + df["u"] / 3) * df["x"] + 0.2 * rng.normal(size=100)
    res = gwr(df, y="y", x=["x"], coords=("u", "v"))
    slope_by_column = res.local.groupby(df["u"])["x"].mean()
    assert np.corrcoef(slope_by_column.index, slope_by_column.to_numpy())[0, 1] > 0.95
    assert res.bandwidths.loc["x", "bandwidth"] < 100
    assert res.fit["r2"] > 0.9


@pytest.mark.slow
def test_mgwr_runs_and_gives_bandwidth_per_parameter():
    rng = np.random.default_rng(1)
    u, v = np.meshgrid(np.arange(7.0), np.arange(7.0))
    df = pd.DataFrame(
        {
            "u": u.ravel(),
            "v": v.ravel(),
            "a": rng.normal(size=49),
            "b": rng.normal(size=49),
        }
    )
    df["y"] = (1 + df["u"] / 3) * df["a"] + 0.5 * df["b"] + 0.2 * rng.normal(size=49)
    res = gwr(df, y="y", x=["a", "b"], coords=("u", "v"), multiscale=True)
    assert list(res.bandwidths.index) == ["const", "a", "b"]
    assert res.meta["standardized"] is True
    # the varying slope gets a narrower bandwidth than the constant one
    assert res.bandwidths.loc["a", "bandwidth"] < res.bandwidths.loc["b", "bandwidth"]


def test_gwr_without_mgwr_raises_dependency_error(monkeypatch, columbus):
    df, _ = columbus
    monkeypatch.setitem(sys.modules, "mgwr.gwr", None)
    with pytest.raises(DependencyError, match="spatialgreen\\[gwr\\]"):
        gwr(df, y="CRIME", x=["INC"], coords=("X", "Y"))


# ------------------------------------------- collinear designs (issue 15, item 6)


def test_collinear_regressors_in_a_regime_are_named(columbus):
    df, w = columbus
    df = df.assign(INC2=2.0 * df["INC"])
    for model in ("ols", "sar", "sem"):
        with pytest.raises(ModelError, match="'INC', 'INC2'") as err:
            spatial_regimes(
                df,
                y="CRIME",
                x=["INC", "INC2"],
                regimes="side",
                w=w,
                unit="POLYID",
                model=model,
            )
        assert "regime 'side'" in str(err.value)
    # collinear in one regime only: HOVAL constant among the northern units
    north = df["side"] == "north"
    flat = df.assign(HOVAL=df["HOVAL"].where(~north, 50.0))
    with pytest.raises(ModelError, match=r"'side' = 'north': 'HOVAL' is constant"):
        spatial_regimes(
            flat, y="CRIME", x=["INC", "HOVAL"], regimes="side", w=w, unit="POLYID"
        )
    with pytest.raises(DataError, match="at least two groups"):
        spatial_regimes(
            df.assign(r="one"), y="CRIME", x=["INC"], regimes="r", w=w, unit="POLYID"
        )


def test_collinear_subgroup_regressors_are_named(columbus):
    df, _ = columbus
    with pytest.raises(ModelError, match="'INC', 'INC2'"):
        subgroup_regression(
            df.assign(INC2=df["INC"] * 3 + 1),
            y="CRIME",
            x=["INC", "INC2"],
            group="side",
        )


def test_gwr_refuses_collinear_design_and_bad_options(columbus):
    df, _ = columbus
    kw = {"y": "CRIME", "coords": ("X", "Y")}
    with pytest.raises(ModelError, match="'INC', 'INC2'"):
        gwr(df.assign(INC2=2 * df["INC"]), x=["INC", "INC2"], **kw)
    with pytest.raises(ModelError, match="kernel='box'"):
        gwr(df, x=["INC"], kernel="box", **kw)
    with pytest.raises(ModelError, match="bandwidth=-1"):
        gwr(df, x=["INC"], bandwidth=-1, fixed=True, **kw)
    with pytest.raises(ModelError, match=r"bandwidth=10\.5"):
        gwr(df, x=["INC"], bandwidth=10.5, **kw)  # adaptive: whole neighbours
    with pytest.raises(ModelError, match="bandwidth=500"):
        gwr(df, x=["INC"], bandwidth=500, **kw)  # more neighbours than units
