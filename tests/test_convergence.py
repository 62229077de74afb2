"""Tests of σ-, β- and spatial β-convergence against statsmodels, linearmodels and
spreg called directly on the same data (US state incomes, libpysal's builtin
``us_income`` example: 48 states, 1929–2009, with its contiguity weights)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from libpysal.weights import lat2W

from spatialgreen.convergence import (
    beta,
    convergence_speed,
    sigma,
    sigma_trend,
    spatial_beta,
)
from spatialgreen.errors import DataError


@pytest.fixture(scope="module")
def us_income() -> tuple[pd.DataFrame, object]:
    import libpysal
    from libpysal import examples

    wide = pd.read_csv(examples.get_path("usjoin.csv"))
    w = libpysal.io.open(examples.get_path("states48.gal")).read()
    years = [str(y) for y in range(1929, 2010)]
    long = wide.assign(unit=[str(i) for i in range(len(wide))]).melt(
        id_vars=["unit", "Name"], value_vars=years, var_name="year", value_name="income"
    )
    long["year"] = long["year"].astype(int)
    return long, w


def test_sigma_matches_numpy(us_income) -> None:
    data, _ = us_income
    sub = data.loc[data["year"].isin([1929, 1970, 2009])]
    res = sigma(sub, "income", time="year").set_index("year")
    for year, frame in sub.groupby("year"):
        y = frame["income"].to_numpy(float)
        assert res.loc[year, "cv"] == pytest.approx(y.std(ddof=0) / y.mean(), rel=1e-12)
        assert res.loc[year, "sd_log"] == pytest.approx(
            np.log(y).std(ddof=0), rel=1e-12
        )
    sample = sigma(sub, "income", time="year", ddof=1).set_index("year")
    y = sub.loc[sub["year"] == 1929, "income"].to_numpy(float)
    assert sample.loc[1929, "cv"] == pytest.approx(y.std(ddof=1) / y.mean(), rel=1e-12)
    # US state incomes converged: dispersion fell from 1929 to 2009
    assert res.loc[2009, "cv"] < res.loc[1929, "cv"]
    grouped = sigma(
        sub.assign(g=sub["unit"].astype(int) % 2), "income", time="year", group="g"
    )
    odd = sub.loc[(sub["unit"].astype(int) % 2 == 1) & (sub["year"] == 1970), "income"]
    row = grouped.set_index(["g", "year"]).loc[(1, 1970)]
    assert row["cv"] == pytest.approx(odd.std(ddof=0) / odd.mean(), rel=1e-12)


def _cross_section(
    data: pd.DataFrame, start: int, end: int
) -> tuple[np.ndarray, np.ndarray]:
    wide = data.pivot(index="unit", columns="year", values="income")
    y0, y1 = wide[start].to_numpy(float), wide[end].to_numpy(float)
    return np.log(y1 / y0) / (end - start), np.log(y0)


@pytest.mark.parametrize("cov_type", ["nonrobust", "HC1"])
def test_cross_section_beta_matches_statsmodels(us_income, cov_type: str) -> None:
    data, _ = us_income
    growth, log0 = _cross_section(data, 1929, 2009)
    direct = sm.OLS(growth, sm.add_constant(log0)).fit(cov_type=cov_type)
    res = beta(
        data,
        "income",
        unit="unit",
        time="year",
        start=1929,
        end=2009,
        cov_type=cov_type,
    )
    assert res.params["beta"] == pytest.approx(direct.params[1], rel=1e-10)
    assert res.params["const"] == pytest.approx(direct.params[0], rel=1e-10)
    assert res.std_errors["beta"] == pytest.approx(direct.bse[1], rel=1e-10)
    assert res.fit["r2"] == pytest.approx(direct.rsquared, rel=1e-10)
    b, t = direct.params[1], 80.0
    assert res.speed == pytest.approx(-math.log(1 + t * b) / t, rel=1e-10)
    assert res.half_life == pytest.approx(math.log(2) / res.speed, rel=1e-12)
    assert res.params["beta"] < 0 and res.nobs == 48


def test_conditional_beta_with_controls_matches_statsmodels(us_income) -> None:
    data, _ = us_income
    rng = np.random.default_rng(3)
    units = sorted(data["unit"].unique())
    ctrl = pd.Series(rng.normal(size=len(units)), index=units)
    panel = data.assign(z=data["unit"].map(ctrl) + 0.01 * (data["year"] - 1929))
    growth, log0 = _cross_section(panel, 1950, 1990)
    z0 = (
        panel.loc[panel["year"] == 1950]
        .set_index("unit")
        .loc[sorted(units), "z"]
        .to_numpy()
    )
    direct = sm.OLS(growth, sm.add_constant(np.column_stack([log0, z0]))).fit()
    res = beta(
        panel, "income", unit="unit", time="year", start=1950, end=1990, controls=["z"]
    )
    assert res.params["beta"] == pytest.approx(direct.params[1], rel=1e-10)
    assert res.params["z"] == pytest.approx(direct.params[2], rel=1e-10)
    assert res.meta["convergence"] == "conditional"


def test_panel_beta_matches_linearmodels_and_dummy_regression(us_income) -> None:
    from linearmodels.panel import PanelOLS

    data, _ = us_income
    sub = data.loc[data["year"].between(1990, 2009)].sort_values(["unit", "year"])
    lag = sub.groupby("unit")["income"].shift(1)
    frame = sub.assign(
        growth=np.log(sub["income"] / lag), log_initial=np.log(lag)
    ).dropna()
    indexed = frame.set_index(["unit", "year"])
    direct = PanelOLS(
        indexed["growth"],
        indexed[["log_initial"]],
        entity_effects=True,
        time_effects=True,
    ).fit(cov_type="clustered", cluster_entity=True)
    res = beta(
        data, "income", unit="unit", time="year", start=1990, end=2009, kind="panel"
    )
    assert res.params["beta"] == pytest.approx(direct.params["log_initial"], rel=1e-10)
    assert res.std_errors["beta"] == pytest.approx(
        direct.std_errors["log_initial"], rel=1e-10
    )
    # independent route: least squares with unit and year dummies
    dummies = pd.get_dummies(
        frame[["unit", "year"]].astype(str), drop_first=True, dtype=float
    )
    x = sm.add_constant(pd.concat([frame[["log_initial"]], dummies], axis=1))
    lsdv = sm.OLS(frame["growth"], x).fit()
    assert res.params["beta"] == pytest.approx(lsdv.params["log_initial"], rel=1e-8)
    b = res.params["beta"]
    assert res.speed == pytest.approx(-math.log(1 + b), rel=1e-10)
    assert res.nobs == 48 * 19


def test_speed_handles_overshooting_and_divergence() -> None:
    speed, half, note = convergence_speed(-0.2, 10)
    assert math.isnan(speed) and math.isnan(half) and "<= 0" in note
    speed, half, note = convergence_speed(0.01, 10)
    assert speed < 0 and math.isnan(half) and "no convergence" in note
    # closed form: β = −(1 − e^{−θT})/T recovers θ
    theta, t = 0.02, 25.0
    b = -(1 - math.exp(-theta * t)) / t
    speed, half, _ = convergence_speed(b, t)
    assert speed == pytest.approx(theta, rel=1e-12)
    assert half == pytest.approx(math.log(2) / theta, rel=1e-12)


def test_beta_result_with_overshooting_beta_is_nan_and_explained() -> None:
    y0 = np.array([1.0, 2.0, 4.0, 8.0])
    # growth = -0.2 * log y0 over T = 10: 1 + Tβ = -1
    df = pd.DataFrame(
        {
            "unit": list("abcd") * 2,
            "year": [0] * 4 + [10] * 4,
            "y": np.r_[y0, y0 * np.exp(10 * (-0.2 * np.log(y0)))],
        }
    )
    res = beta(df, "y", start=0, end=10)
    assert res.params["beta"] == pytest.approx(-0.2)
    assert math.isnan(res.speed) and "undefined" in res.fit["note"]


def test_beta_errors_name_units() -> None:
    df = pd.DataFrame(
        {"unit": ["a", "b", "a"], "year": [0, 0, 5], "y": [1.0, 2.0, 3.0]}
    )
    with pytest.raises(DataError, match="b"):
        beta(df, "y", start=0, end=5)


# --------------------------------------------------------------------------------------
# spatial β-convergence against spreg
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["sem", "sar"])
def test_spatial_beta_cross_section_matches_spreg(us_income, model: str) -> None:
    import spreg

    data, w = us_income
    growth, log0 = _cross_section(data, 1929, 2009)
    # _cross_section orders units as strings; the GAL ids are the row positions
    order = sorted(data["unit"].unique())
    w_ordered = _reorder(w, order)
    if model == "sem":
        direct = spreg.ML_Error(
            growth[:, None], log0[:, None], w_ordered, method="full"
        )
    else:
        direct = spreg.ML_Lag(growth[:, None], log0[:, None], w_ordered, method="full")
    res = spatial_beta(
        data,
        "income",
        unit="unit",
        time="year",
        start=1929,
        end=2009,
        w=w,
        model=model,
        draws=200,
    )
    betas = np.asarray(direct.betas).ravel()
    assert res.params["beta"] == pytest.approx(betas[1], rel=1e-5)
    assert res.params["const"] == pytest.approx(betas[0], rel=1e-5)
    spatial = "lambda" if model == "sem" else "rho"
    assert res.params[spatial] == pytest.approx(betas[2], rel=1e-4)
    se = np.sqrt(np.diag(direct.vm)) if model == "sar" else np.asarray(direct.std_err)
    assert res.std_errors["beta"] == pytest.approx(se[1], rel=1e-4)
    assert res.speed == pytest.approx(-math.log(1 + 80 * betas[1]) / 80, rel=1e-5)
    if model == "sar":
        total = res.impacts.loc["beta", "total"]
        assert total == pytest.approx(betas[1] / (1 - betas[2]), rel=1e-6)
        assert res.fit["speed_total"] == pytest.approx(-math.log(1 + 80 * total) / 80)


@pytest.mark.parametrize("model", ["sem", "sar"])
def test_spatial_beta_panel_matches_spreg_panel_fe(us_income, model: str) -> None:
    import spreg

    data, w = us_income
    sub = data.loc[data["year"].between(1995, 2009)]
    order = sorted(data["unit"].unique())
    wide = sub.pivot(index="unit", columns="year", values="income").loc[order]
    logs = np.log(wide.to_numpy(float))
    growth, lagged = np.diff(logs, axis=1), logs[:, :-1]
    w_ordered = _reorder(w, order)
    # spreg's panel FE estimators take N x T wide arrays (one-way unit effects)
    if model == "sem":
        direct = spreg.Panel_FE_Error(growth, lagged, w_ordered)
    else:
        direct = spreg.Panel_FE_Lag(growth, lagged, w_ordered)
    res = spatial_beta(
        sub,
        "income",
        unit="unit",
        time="year",
        w=w,
        model=model,
        kind="panel",
        effects="unit",
        draws=0,
    )
    betas = np.asarray(direct.betas).ravel()
    assert res.params["beta"] == pytest.approx(betas[0], rel=1e-4)
    spatial = "lambda" if model == "sem" else "rho"
    assert res.params[spatial] == pytest.approx(betas[-1], rel=1e-4)
    assert res.speed == pytest.approx(-math.log(1 + betas[0]), rel=1e-4)


def _reorder(w, ids: list[str]):
    from spatialgreen.geo.weights.align import align_weights

    return align_weights(w, ids, transform="r")


def test_cli_converge_sigma_beta_dagum(tmp_path, us_income) -> None:
    from spatialgreen.cli import main

    data, _ = us_income
    sub = data.loc[data["year"].isin([1929, 1950, 1970, 2009])].assign(
        region=lambda d: np.where(d["unit"].astype(int) < 20, "a", "b")
    )
    path = tmp_path / "us.csv"
    sub.to_csv(path, index=False)
    out = tmp_path / "conv"
    code = main(
        [
            "converge",
            str(path),
            "--unit",
            "unit",
            "--time",
            "year",
            "--column",
            "income",
            "--what",
            "sigma,beta,dagum,theil",
            "--group",
            "region",
            "--start",
            "1929",
            "--end",
            "2009",
            "--output",
            str(out),
        ]
    )
    assert code == 0
    sig = pd.read_csv(out / "sigma.csv")
    expected = sigma(sub, "income", time="year")
    np.testing.assert_allclose(sig["cv"], expected["cv"], rtol=1e-12)
    coef = pd.read_csv(out / "beta.csv").set_index("parameter")
    growth, log0 = _cross_section(data, 1929, 2009)
    direct = sm.OLS(growth, sm.add_constant(log0)).fit()
    assert float(coef.loc["beta", "estimate"]) == pytest.approx(
        direct.params[1], rel=1e-9
    )
    assert (out / "dagum.csv").exists() and (out / "theil_groups.csv").exists()


def test_spatial_durbin_beta_matches_spreg_and_lesage_pace_total(us_income) -> None:
    import spreg

    data, w = us_income
    growth, log0 = _cross_section(data, 1929, 2009)
    w_ordered = _reorder(w, sorted(data["unit"].unique()))
    direct = spreg.ML_Lag(
        growth[:, None], log0[:, None], w_ordered, slx_lags=1, method="full"
    )
    const, b, theta, rho = np.asarray(direct.betas).ravel()
    res = spatial_beta(
        data,
        "income",
        unit="unit",
        time="year",
        start=1929,
        end=2009,
        w=w,
        model="sdm",
        draws=100,
    )
    assert res.params["beta"] == pytest.approx(b, rel=1e-5)
    assert res.params["const"] == pytest.approx(const, rel=1e-5)
    assert res.params["theta"] == pytest.approx(theta, rel=1e-4)
    assert res.params["rho"] == pytest.approx(rho, rel=1e-4)
    # row-standardised W: total effect = (β + θ) / (1 − ρ)
    total = res.impacts.loc["beta", "total"]
    assert total == pytest.approx(
        (res.params["beta"] + res.params["theta"]) / (1 - res.params["rho"]), rel=1e-8
    )


def test_panel_beta_reproduces_r_plm_reference(us_income) -> None:
    from pathlib import Path

    path = Path(__file__).parent / "reference" / "convergence" / "panel_beta_plm.txt"
    ref = dict(line.split() for line in path.read_text().splitlines())
    data, _ = us_income
    res = beta(
        data,
        "income",
        unit="unit",
        time="year",
        start=1990,
        end=2009,
        kind="panel",
        cov_type="unadjusted",
    )
    assert res.params["beta"] == pytest.approx(float(ref["beta"]), rel=1e-9)
    assert res.std_errors["beta"] == pytest.approx(
        float(ref["se_unadjusted"]), rel=1e-8
    )
    assert res.nobs == int(ref["nobs"])
    assert res.speed == pytest.approx(float(ref["speed"]), rel=1e-9)


def test_weighted_cv_equals_cv_of_replicated_population() -> None:
    rng = np.random.default_rng(11)
    df = pd.DataFrame(
        {
            "year": np.repeat([1, 2], 6),
            "y": rng.uniform(1, 5, 12),
            "pop": rng.integers(1, 6, 12),
        }
    )
    res = sigma(df, "y", weight="pop").set_index("year")
    replicated = df.loc[df.index.repeat(df["pop"])]
    plain = sigma(replicated, "y").set_index("year")
    np.testing.assert_allclose(res["cv_weighted"], plain["cv"], rtol=1e-12)
    equal = sigma(df.assign(pop=1.0), "y", weight="pop")
    np.testing.assert_allclose(equal["cv_weighted"], equal["cv"], rtol=1e-12)


def test_sigma_trend_matches_statsmodels(us_income) -> None:
    data, _ = us_income
    sub = data.assign(g=np.where(data["unit"].astype(int) < 24, "a", "b"))
    table = sigma(sub, "income", time="year")
    trend = sigma_trend(table, time="year").iloc[0]
    direct = sm.OLS(
        table["cv"].to_numpy(), sm.add_constant(table["year"].astype(float)).to_numpy()
    ).fit()
    assert trend["slope"] == pytest.approx(direct.params[1], rel=1e-10)
    assert trend["std_error"] == pytest.approx(direct.bse[1], rel=1e-10)
    assert trend["slope"] < 0 and trend["n"] == 81  # US states converged 1929-2009
    by_group = sigma_trend(
        sigma(sub, "income", time="year", group="g"), time="year", column="sd_log"
    )
    assert by_group["g"].tolist() == ["a", "b"]
    part = sigma(sub[sub["g"] == "b"], "income", time="year")
    one = sm.OLS(
        part["sd_log"].to_numpy(),
        sm.add_constant(part["year"].astype(float)).to_numpy(),
    ).fit()
    assert by_group["slope"].iloc[1] == pytest.approx(one.params[1], rel=1e-10)


def test_spatial_beta_rejects_lee_yu_in_cross_section():
    """lee_yu was silently ignored for kind='cross-section'."""

    rng = np.random.default_rng(0)
    y0 = np.exp(rng.normal(size=25))
    y1 = y0 * np.exp(0.1 - 0.3 * np.log(y0) + 0.05 * rng.normal(size=25))
    df = pd.DataFrame(
        {
            "unit": np.tile(np.arange(25), 2),
            "year": np.repeat([2000, 2010], 25),
            "y": np.r_[y0, y1],
        }
    )
    with pytest.raises(DataError, match="lee_yu"):
        spatial_beta(df, "y", w=lat2W(5, 5), model="sar", lee_yu=True, draws=0)
