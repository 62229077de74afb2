"""Stochastic frontier analysis: published FRONTIER 4.1 / R ``frontier`` numbers,
analytic gradient and predictors against numerical routes, and bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats
from scipy.optimize import brentq

from spatialgreen.efficiency import _sfa_likelihood as lik
from spatialgreen.efficiency._kodde_palm import (
    KODDE_PALM_ALPHAS,
    KODDE_PALM_TABLE,
    kodde_palm_critical_value,
    mixed_chi2_pvalue,
)
from spatialgreen.efficiency._sfa_predict import predict
from spatialgreen.efficiency.sfa import sfa, translog_terms
from spatialgreen.errors import DataError, ModelError

REF = Path(__file__).parent / "reference" / "sfa"


@pytest.fixture(scope="module")
def front41() -> pd.DataFrame:
    return pd.read_csv(REF / "front41Data.csv")


@pytest.fixture(scope="module")
def rice() -> pd.DataFrame:
    data = pd.read_csv(REF / "riceProdPhil.csv")
    return data.assign(year=data["YEARDUM"] + 1989)


@pytest.fixture(scope="module")
def front41_hn(front41):
    return sfa(front41, y="output", x=["capital", "labour"], unit="firm")


# --- FRONTIER 4.1 EG1 / R frontier tests/frontierTest.Rout.save ---------------------


def test_front41_half_normal_matches_frontier41(front41_hn):
    res = front41_hn
    expected = {
        "const": 0.56161963,
        "capital": 0.28110205,
        "labour": 0.53647981,
        "sigma2": 0.21700046,
        "gamma": 0.79720730,
    }
    for name, value in expected.items():
        assert res.params[name] == pytest.approx(value, rel=2e-4), name
    assert res.loglik == pytest.approx(-17.027229, abs=2e-5)
    assert res.loglik_ols == pytest.approx(-18.446849, abs=2e-5)
    assert res.mean_efficiency == pytest.approx(0.74056772, abs=2e-5)
    assert res.converged
    assert res.n_starts >= 2


def test_front41_lr_test_and_kodde_palm(front41_hn):
    lr = front41_hn.lr_test.iloc[0]
    assert lr["statistic"] == pytest.approx(2.8392402, abs=1e-4)
    assert lr["df"] == 1
    assert lr["critical_value_5pct"] == 2.706
    assert bool(lr["reject_at_5pct"])
    # R frontier lrtest(): Pr(>Chisq) 0.046 (half of chi2(1) tail)
    assert lr["p_value"] == pytest.approx(0.046, abs=5e-4)


def test_front41_firm_efficiencies_and_residuals_match_r(front41_hn):
    eff = front41_hn.efficiency.set_index("firm")
    # efficiencies( a1 ) and residuals( a1 ) in R frontier's saved test output
    te = {1: 0.65069, 12: 0.93739, 13: 0.44810, 35: 0.35126, 57: 0.87351, 60: 0.70843}
    resid = {1: -0.553663, 12: 0.509694, 35: -1.334361, 60: -0.433208}
    for firm, value in te.items():
        assert eff.loc[firm, "te_bc"] == pytest.approx(value, abs=2e-5)
    for firm, value in resid.items():
        assert eff.loc[firm, "residual"] == pytest.approx(value, abs=2e-5)


def test_front41_other_predictors(front41_hn):
    eff = front41_hn.efficiency
    # pysfa TE_teJ mean (sfa_econometrics.md 1.5) and R frontier farrell = FALSE
    assert eff["te_jlms"].mean() == pytest.approx(0.73245, abs=5e-5)
    assert eff["exp_u_bc"].mean() == pytest.approx(1.4405, abs=1e-4)
    assert (eff["te_jlms"] <= eff["te_bc"] + 1e-12).all()  # Jensen
    assert (eff["exp_u_bc"] >= 1 / eff["te_bc"] - 1e-12).all()  # Jensen again
    # production frontier: y - xβ = v - u
    np.testing.assert_allclose(eff["v_hat"], eff["residual"] + eff["u_jlms"])


def test_front41_standard_errors_close_to_frontier(front41_hn):
    # R frontier coef(summary(a1)); FRONTIER's DFP inverse-Hessian approximation
    r_se = {
        "const": 0.202617,
        "capital": 0.047643,
        "labour": 0.045252,
        "sigma2": 0.063909,
        "gamma": 0.136424,
    }
    for name, value in r_se.items():
        assert front41_hn.std_errors[name] == pytest.approx(value, rel=0.05), name


def test_front41_truncated_normal_beats_frontier41(front41):
    res = sfa(front41, y="output", x=["capital", "labour"], dist="truncated-normal")
    # FRONTIER 4.1 / R frontier stop at -16.7957; the true maximum is -16.785633
    assert res.loglik >= -16.7957
    assert res.loglik == pytest.approx(-16.785633, abs=1e-5)
    assert res.params[["const", "capital", "labour"]].to_numpy() == pytest.approx(
        [0.46453, 0.28327, 0.54098], abs=2e-4
    )
    var = res.variance.set_index("parameter")["value"]
    assert var["sigma_v"] == pytest.approx(0.22762, abs=2e-4)
    assert var["sigma_u"] == pytest.approx(0.91568, rel=2e-3)
    assert res.params["mu"] == pytest.approx(-2.8415, rel=5e-3)
    assert res.lr_test["df"].iloc[0] == 2
    assert res.lr_test["critical_value_5pct"].iloc[0] == 5.138


# --- riceProdPhil -------------------------------------------------------------------


def test_rice_pooled_half_normal_matches_r_frontier(rice):
    res = sfa(rice, y="PROD", x=["AREA", "LABOR", "NPK"])
    # R frontier tests/nestedModels.Rout.save (bb5ecf; flat: bb5eef differs at 1e-4)
    expected = [-1.043183, 0.3555197, 0.3332875, 0.2712756, 0.2386335, 0.8853908]
    np.testing.assert_allclose(res.params.to_numpy(), expected, rtol=2e-4)


def test_rice_bc92_matches_r_frontier(rice):
    res = sfa(
        rice,
        y="PROD",
        x=["AREA", "LABOR", "NPK"],
        model="bc92",
        unit="FMERCODE",
        time="year",
    )
    expected = {
        "const": -0.75392,
        "AREA": 0.47492,
        "LABOR": 0.30010,
        "NPK": 0.19946,
        "sigma2": 0.12996,
        "gamma": 0.36963,
        "eta": 0.05891,
    }
    for name, value in expected.items():
        assert res.params[name] == pytest.approx(value, abs=2e-5), name
    assert res.loglik == pytest.approx(-84.5503578, abs=2e-5)
    by_year = res.efficiency.groupby("year")["te_bc"].mean()
    assert by_year.iloc[0] == pytest.approx(0.78484, abs=2e-5)
    assert by_year.iloc[-1] == pytest.approx(0.84833, abs=2e-5)
    assert by_year.is_monotonic_increasing  # η > 0: inefficiency decays
    assert res.lr_test["df"].iloc[0] == 2


def test_bc92_uses_last_period_of_whole_panel(rice):
    # drop every farmer's last year except farmer 1's: T stays the panel's last year
    # (FRONTIER 4.1 / R frontier), not each farmer's own last year
    data = rice[(rice["YEARDUM"] < 8) | (rice["FMERCODE"] == 1)]
    res = sfa(
        data,
        y="PROD",
        x=["AREA", "LABOR", "NPK"],
        model="bc92",
        unit="FMERCODE",
        time="year",
    )
    theta = res.params.to_numpy()
    panel_t = _bc92_design(data, lambda d: d["year"] - d["year"].max())
    unit_t = _bc92_design(
        data, lambda d: d["year"] - d.groupby("FMERCODE")["year"].transform("max")
    )
    assert lik.loglik(panel_t, theta) == pytest.approx(res.loglik, abs=1e-9)
    assert abs(lik.loglik(unit_t, theta) - res.loglik) > 1e-3
    eff = res.efficiency[res.efficiency["FMERCODE"] == 2]
    ratio = eff["u_jlms"].iloc[-1] / eff["u_jlms"].iloc[-2]
    assert ratio == pytest.approx(np.exp(-res.params["eta"]), rel=1e-10)


def _bc92_design(data, time_to_end):
    """The BC92 design built by hand with a given ``t - T``."""
    data = data.sort_values(["FMERCODE", "year"])
    x = np.column_stack(
        [np.ones(len(data))] + [np.log(data[c]) for c in ("AREA", "LABOR", "NPK")]
    )
    codes, _ = pd.factorize(data["FMERCODE"])
    return lik._Design(
        y=np.log(data["PROD"].to_numpy()),
        x=x,
        sign=1.0,
        group=codes,
        n_groups=int(codes.max()) + 1,
        dt=time_to_end(data).to_numpy(dtype=float),
        z=None,
        truncated=False,
        time_varying=True,
    )


def test_bc95_with_constant_only_equals_truncated_cross_section(front41):
    # u ~ N+(δ0, σu²) is the truncated-normal model with μ = δ0 (Battese-Coelli 1995)
    data = front41.assign(one=1.0)
    x = ["capital", "labour"]
    bc95 = sfa(data, y="output", x=x, model="bc95", z=["one"], z_constant=False)
    cross = sfa(data, y="output", x=x, dist="truncated-normal")
    assert bc95.loglik == pytest.approx(cross.loglik, abs=1e-7)
    assert bc95.params["delta_one"] == pytest.approx(cross.params["mu"], rel=1e-3)
    np.testing.assert_allclose(
        bc95.efficiency["te_bc"], cross.efficiency["te_bc"], rtol=1e-4
    )


def test_bc95_recovers_simulated_effects():
    rng = np.random.default_rng(3)
    n = 1500
    x = rng.uniform(0, 2, n)
    z = rng.uniform(0, 1, n)
    mean_u = -0.2 + 1.0 * z
    u = stats.truncnorm.rvs(
        -mean_u / 0.3, np.inf, loc=mean_u, scale=0.3, random_state=rng
    )
    y = 1.0 + 0.5 * x + rng.normal(0, 0.15, n) - u
    data = pd.DataFrame({"y": y, "x": x, "z": z})
    res = sfa(data, y="y", x=["x"], model="bc95", z=["z"], log=False)
    assert res.params["x"] == pytest.approx(0.5, abs=0.03)
    assert res.params["delta_z"] == pytest.approx(1.0, abs=0.2)
    assert res.params["delta_const"] == pytest.approx(-0.2, abs=0.2)
    assert res.params["sigma2"] == pytest.approx(0.3**2 + 0.15**2, rel=0.3)
    assert res.lr_test["df"].iloc[0] == 3


def test_cost_frontier_mirrors_production_frontier(front41):
    data = np.log(front41[["output", "capital", "labour"]]).assign(
        cost=lambda d: -d["output"]
    )
    prod = sfa(data, y="output", x=["capital", "labour"], log=False)
    cost = sfa(data, y="cost", x=["capital", "labour"], log=False, cost=True)
    assert cost.loglik == pytest.approx(prod.loglik, abs=1e-7)
    np.testing.assert_allclose(
        cost.params[["const", "capital", "labour"]],
        -prod.params[["const", "capital", "labour"]],
        rtol=1e-5,
    )
    np.testing.assert_allclose(
        cost.efficiency["te_bc"], prod.efficiency["te_bc"], rtol=1e-5
    )
    # cost frontier: y - xβ = v + u
    eff = cost.efficiency
    np.testing.assert_allclose(eff["v_hat"], eff["residual"] - eff["u_jlms"])


def test_translog_nests_cobb_douglas(rice):
    cd = sfa(rice, y="PROD", x=["AREA", "LABOR", "NPK"])
    tl = sfa(rice, y="PROD", x=["AREA", "LABOR", "NPK"], form="translog")
    assert tl.loglik >= cd.loglik
    assert [t for t, _, _ in translog_terms(["AREA", "LABOR", "NPK"])] == [
        "AREA*AREA",
        "AREA*LABOR",
        "AREA*NPK",
        "LABOR*LABOR",
        "LABOR*NPK",
        "NPK*NPK",
    ]
    assert list(tl.params.index[:10]) == [
        "const",
        "AREA",
        "LABOR",
        "NPK",
        *(t for t, _, _ in translog_terms(["AREA", "LABOR", "NPK"])),
    ]
    # same model written out by hand: ½(ln a)² and ln a · ln b
    logs = np.log(rice[["PROD", "AREA", "LABOR", "NPK"]])
    manual = logs.assign(
        aa=0.5 * logs.AREA**2,
        al=logs.AREA * logs.LABOR,
        an=logs.AREA * logs.NPK,
        ll=0.5 * logs.LABOR**2,
        ln=logs.LABOR * logs.NPK,
        nn=0.5 * logs.NPK**2,
    )
    by_hand = sfa(
        manual,
        y="PROD",
        x=["AREA", "LABOR", "NPK", "aa", "al", "an", "ll", "ln", "nn"],
        log=False,
    )
    assert by_hand.loglik == pytest.approx(tl.loglik, abs=1e-5)


def test_wrong_skewness_is_reported():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, 200)
    y = 1 + x + np.abs(rng.normal(0, 0.3, 200))  # inefficiency of the wrong sign
    data = pd.DataFrame({"y": y, "x": x})
    with pytest.warns(UserWarning, match="right-skewed.*production frontier"):
        res = sfa(data, y="y", x=["x"], log=False)
    assert any("skew" in w for w in res.warnings)
    # the skewness quoted is that of the OLS residuals (scipy, independent route)
    ols = np.polyfit(x, y, 1)
    resid = y - np.polyval(ols, x)
    assert res.meta["ols_skewness"] == pytest.approx(stats.skew(resid), rel=1e-9)
    assert stats.skew(resid) > 0
    assert res.params["gamma"] < 1e-3
    assert res.lr_test["statistic"].iloc[0] == pytest.approx(0.0, abs=1e-4)


def test_gamma_one_boundary_is_finite_and_reported():
    # many exact zeros and no noise: the maximum is at γ = 1 (σ_v = 0)
    rng = np.random.default_rng(5)
    z = rng.uniform(0, 1, 120)
    slack = np.where(rng.uniform(size=120) < 0.6, 0.0, np.abs(rng.normal(0, 1, 120)))
    res = sfa(pd.DataFrame({"s": slack, "z": z}), y="s", x=["z"], cost=True, log=False)
    assert res.params["gamma"] > 1 - 1e-6
    assert res.converged
    assert any("upper bound" in w for w in res.warnings)
    assert any("standard errors unavailable" in w for w in res.warnings)
    eff = res.efficiency
    assert not eff.isna().any().any()
    # E[v|ε] → min(ε, 0), E[u|ε] → max(ε, 0)
    np.testing.assert_allclose(eff["v_hat"], np.minimum(eff["residual"], 0), atol=1e-8)
    np.testing.assert_allclose(eff["u_jlms"], np.maximum(eff["residual"], 0), atol=1e-8)


def test_input_not_mutated(front41):
    before = front41.copy()
    sfa(front41, y="output", x=["capital", "labour"])
    pd.testing.assert_frame_equal(front41, before)


def test_results_export(front41_hn, tmp_path):
    assert front41_hn.to_frame().shape == (60, 8)  # firm + 7 columns
    path = front41_hn.to_excel(tmp_path / "sfa.xlsx")
    sheet = pd.read_excel(path, sheet_name="coefficients")
    assert sheet["parameter"].tolist() == [
        "const",
        "capital",
        "labour",
        "sigma2",
        "gamma",
    ]


# --- likelihood gradient and predictors ----------------------------------------------


def _toy_design(sign, truncated, time_varying, with_z, seed=0):
    rng = np.random.default_rng(seed)
    n, groups = 48, 12
    x = np.column_stack([np.ones(n), rng.normal(size=n), rng.normal(size=n)])
    y = (
        x @ [1.0, 0.5, 0.3]
        + rng.normal(0, 0.2, n)
        - sign * np.abs(rng.normal(0, 0.4, n))
    )
    if time_varying:
        group, n_groups = np.repeat(np.arange(groups), 4), groups
        dt = np.tile([-3.0, -2.0, -1.0, 0.0], groups)
    else:
        group, n_groups, dt = np.arange(n), n, np.zeros(n)
    z = np.column_stack([np.ones(n), rng.normal(size=n)]) if with_z else None
    d = lik._Design(y, x, sign, group, n_groups, dt, z, truncated, time_varying)
    theta = [0.9, 0.4, 0.35, 0.3, 0.6]
    theta += [0.2] * truncated + [0.05] * time_varying + [0.1, 0.2] * with_z
    return d, np.array(theta)


@pytest.mark.parametrize("sign", [1.0, -1.0])
@pytest.mark.parametrize(
    "truncated, time_varying, with_z",
    [
        (False, False, False),
        (True, False, False),
        (False, True, False),
        (True, True, False),
        (False, False, True),
    ],
)
def test_analytic_gradient_matches_central_differences(
    sign, truncated, time_varying, with_z
):
    d, theta = _toy_design(sign, truncated, time_varying, with_z)
    analytic = lik.gradient(d, theta)
    numeric = np.empty_like(theta)
    for j in range(len(theta)):
        step = 1e-6
        up, down = theta.copy(), theta.copy()
        up[j] += step
        down[j] -= step
        numeric[j] = (lik.loglik(d, up) - lik.loglik(d, down)) / (2 * step)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-6)


def _integrated_moments(eps, sigma_u, sigma_v, mu, sign):
    """E[u|ε] and E[exp(-u)|ε] of one observation by quadrature."""

    # production: ε = v − u; cost: ε = v + u  (ε is y − xβ)
    def joint(u):
        fu = stats.truncnorm.pdf(u, -mu / sigma_u, np.inf, loc=mu, scale=sigma_u)
        return fu * stats.norm.pdf(eps + sign * u, scale=sigma_v)

    upper = max(mu, 0.0) + abs(eps) + 12 * (sigma_u + sigma_v)
    norm = integrate.quad(joint, 0, upper, limit=200, epsabs=0, epsrel=1e-12)[0]
    mean_u = (
        integrate.quad(
            lambda u: u * joint(u), 0, upper, limit=200, epsabs=0, epsrel=1e-12
        )[0]
        / norm
    )
    te = (
        integrate.quad(
            lambda u: np.exp(-u) * joint(u), 0, upper, limit=200, epsabs=0, epsrel=1e-12
        )[0]
        / norm
    )
    return mean_u, te


def _single_obs(eps, sigma_u, sigma_v, mu, sign):
    d = lik._Design(
        np.array([eps]),
        np.zeros((1, 1)),
        sign,
        np.array([0]),
        1,
        np.zeros(1),
        None,
        True,
        False,
    )
    sigma2 = sigma_u**2 + sigma_v**2
    theta = np.array([0.0, sigma2, sigma_u**2 / sigma2, mu])
    return predict(d, theta)


@pytest.mark.parametrize("sign", [1.0, -1.0])
@pytest.mark.parametrize("eps", [-1.2, -0.3, 0.0, 0.4, 1.5])
@pytest.mark.parametrize("mu", [0.0, 0.5, -0.5])
def test_predictors_match_numerical_integration(sign, eps, mu):
    pred = _single_obs(eps, 0.6, 0.3, mu, sign)
    mean_u, te = _integrated_moments(eps, 0.6, 0.3, mu, sign)
    assert pred["u_jlms"][0] == pytest.approx(mean_u, rel=1e-8, abs=1e-12)
    assert pred["te_bc"][0] == pytest.approx(te, rel=1e-8)
    assert pred["te_jlms"][0] == pytest.approx(np.exp(-mean_u), rel=1e-8)


def test_luo_cost_form_of_jondrow_estimator():
    # Luo Dengyue (2012): slack regression S = zβ + v + u,
    # E[u|ε] = σ*[φ(λε/σ)/Φ(λε/σ) + λε/σ]
    su, sv = 0.8, 0.5
    sigma, lam = np.hypot(su, sv), su / sv
    sigma_star = su * sv / sigma
    for eps in (-1.0, -0.2, 0.0, 0.7, 2.0):
        arg = lam * eps / sigma
        luo = sigma_star * (stats.norm.pdf(arg) / stats.norm.cdf(arg) + arg)
        assert _single_obs(eps, su, sv, 0.0, -1.0)["u_jlms"][0] == pytest.approx(luo)


def test_degenerate_gamma_one_limit_is_finite():
    # σ_v → 0: E[u|ε] → max(ε, 0) for a cost-type slack frontier, never NaN
    for sv in (1e-6, 1e-12, 1e-200):
        for eps in (-0.7, 0.0, 0.9, 50.0):
            pred = _single_obs(eps, 1.0, sv, 0.0, -1.0)
            assert all(np.isfinite(v[0]) for v in pred.values())
            assert pred["u_jlms"][0] == pytest.approx(max(eps, 0.0), abs=1e-5)
            assert pred["te_bc"][0] == pytest.approx(np.exp(-max(eps, 0.0)), abs=1e-5)


@settings(max_examples=60, deadline=None)
@given(
    eps=st.floats(-30, 30),
    sigma_u=st.floats(1e-3, 5),
    sigma_v=st.floats(1e-4, 5),
    mu=st.floats(-5, 5),
    sign=st.sampled_from([1.0, -1.0]),
)
def test_predictors_are_finite_and_ordered(eps, sigma_u, sigma_v, mu, sign):
    pred = _single_obs(eps, sigma_u, sigma_v, mu, sign)
    for name, value in pred.items():
        assert np.isfinite(value[0]), name
    assert 0.0 <= pred["te_jlms"][0] <= pred["te_bc"][0] * (1 + 1e-9) <= 1 + 1e-9
    assert pred["u_jlms"][0] >= 0.0
    assert pred["exp_u_bc"][0] >= 1.0 - 1e-12


# --- Kodde-Palm -----------------------------------------------------------------------


def test_kodde_palm_published_values():
    # Kodde & Palm (1986, Table 1), quoted in sfa_econometrics.md 1.6 and Coelli (1995)
    assert [kodde_palm_critical_value(q) for q in (1, 2, 3)] == [2.706, 5.138, 7.045]
    assert [kodde_palm_critical_value(q, 0.01) for q in (1, 2, 3)] == [
        5.412,
        8.273,
        10.501,
    ]
    assert len(KODDE_PALM_TABLE) == 40


def test_kodde_palm_table_solves_its_defining_equation():
    for q, row in enumerate(KODDE_PALM_TABLE, start=1):
        for alpha, value in zip(KODDE_PALM_ALPHAS, row, strict=True):
            exact = brentq(
                lambda c, q=q, alpha=alpha: mixed_chi2_pvalue(c, q) - alpha, 1e-9, 300
            )
            assert value == pytest.approx(exact, abs=6e-4)


def test_kodde_palm_rejects_bad_arguments():
    with pytest.raises(ValueError, match="alpha"):
        kodde_palm_critical_value(1, 0.07)
    with pytest.raises(ValueError, match=r"1\.\.40"):
        kodde_palm_critical_value(41)


# --- bad input ------------------------------------------------------------------------


def test_too_few_observations(front41):
    with pytest.raises(DataError, match="more observations than parameters"):
        sfa(
            front41.head(5),
            y="output",
            x=["capital", "labour"],
            dist="truncated-normal",
        )


def test_collinear_regressors_named(front41):
    data = front41.assign(capital2=front41["capital"] ** 2)
    with pytest.raises(DataError, match=r"collinear.*'capital2'"):
        sfa(data, y="output", x=["capital", "capital2"])  # ln k² = 2 ln k
    with pytest.raises(DataError, match=r"'flat' \(constant\)"):
        sfa(front41.assign(flat=3.0), y="output", x=["capital", "flat"])


def test_non_positive_values_for_logs_named(rice):
    data = rice.copy()
    data.loc[(data["FMERCODE"] == 1) & (data["year"] == 1995), "LABOR"] = 0.0
    with pytest.raises(DataError, match=r"'LABOR' must be > 0.*FMERCODE=1, year=1995"):
        sfa(
            data,
            y="PROD",
            x=["AREA", "LABOR"],
            model="bc92",
            unit="FMERCODE",
            time="year",
        )


def test_missing_z_named(rice):
    data = rice.copy()
    data.loc[(data["FMERCODE"] == 2) & (data["year"] == 1992), "EDYRS"] = np.nan
    with pytest.raises(
        DataError, match=r"'EDYRS' has missing values at: FMERCODE=2, year=1992"
    ):
        sfa(
            data,
            y="PROD",
            x=["AREA"],
            model="bc95",
            z=["EDYRS"],
            unit="FMERCODE",
            time="year",
        )


def test_option_errors(front41):
    with pytest.raises(ModelError, match="bc92"):
        sfa(front41, y="output", x=["capital"], model="bc92")
    with pytest.raises(ModelError, match="z="):
        sfa(front41, y="output", x=["capital"], model="bc95")
    with pytest.raises(ModelError, match="model"):
        sfa(front41, y="output", x=["capital"], model="bc88")
    with pytest.raises(DataError, match="'missing'"):
        sfa(front41, y="output", x=["missing"])


def test_cli_sfa(tmp_path, capsys):
    from spatialgreen.cli import main

    out = tmp_path / "sfa.xlsx"
    code = main(
        [
            "sfa",
            str(REF / "front41Data.csv"),
            "--y",
            "output",
            "--x",
            "capital,labour",
            "--output",
            str(out),
        ]
    )
    assert code == 0
    assert "-17.027225" in capsys.readouterr().out
    coefficients = pd.read_excel(out, sheet_name="coefficients", index_col="parameter")
    assert coefficients.loc["gamma", "estimate"] == pytest.approx(0.7972073, abs=2e-5)
    code = main(["sfa", str(REF / "front41Data.csv"), "--y", "output", "--x", "nope"])
    assert code == 2
    assert "'nope' not found" in capsys.readouterr().err


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(2, 40),
    bad=st.sampled_from(["none", "zero", "negative", "nan", "inf", "text"]),
    column=st.sampled_from(["output", "capital", "labour"]),
    dist=st.sampled_from(["half-normal", "truncated-normal"]),
)
def test_fuzzed_input_gives_numbers_or_a_clear_error(n, bad, column, dist):
    data = pd.read_csv(REF / "front41Data.csv").head(n).astype({column: object})
    value = {"zero": 0.0, "negative": -1.0, "nan": np.nan, "inf": np.inf, "text": "n/a"}
    if bad != "none":
        data.loc[data.index[n // 2], column] = value[bad]
    try:
        res = sfa(data, y="output", x=["capital", "labour"], unit="firm", dist=dist)
    except DataError as exc:
        message = str(exc)
        assert column in message or "observations" in message
        if bad != "none" and "observations" not in message:
            assert f"firm={data['firm'].iloc[n // 2]}" in message
        return
    assert bad == "none"
    assert np.isfinite(res.loglik)
    assert res.efficiency[["te_bc", "te_jlms"]].notna().all().all()


@pytest.fixture(scope="module")
def slack_data() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 300
    z = rng.normal(size=n)
    s = np.maximum(
        0.0, 2 + 1.5 * z + rng.normal(0, 0.5, n) + np.abs(rng.normal(0, 2, n))
    )
    return pd.DataFrame({"s": s, "z": z})


@pytest.mark.parametrize(("y_scale", "z_scale"), [(1e-3, 1.0), (1e3, 1.0), (1e6, 1e3)])
def test_standard_errors_do_not_depend_on_units(slack_data, y_scale, z_scale):
    # slacks in levels (tons, yuan) used to give NaN standard errors ("Hessian
    # singular") or, for small units, silently wrong ones (σ² step of 50 %)
    base = sfa(slack_data, y="s", x=["z"], cost=True, log=False)
    scaled = sfa(
        slack_data.assign(s=slack_data["s"] * y_scale, z=slack_data["z"] * z_scale),
        y="s",
        x=["z"],
        cost=True,
        log=False,
    )
    units = np.array([y_scale, y_scale / z_scale, y_scale**2, 1.0])
    assert scaled.params.to_numpy() / units == pytest.approx(
        base.params.to_numpy(), rel=1e-5
    )
    assert np.all(np.isfinite(scaled.std_errors))
    assert scaled.std_errors.to_numpy() / units == pytest.approx(
        base.std_errors.to_numpy(), rel=1e-3
    )
    assert not any("standard errors" in w for w in scaled.warnings)


def test_bc92_needs_two_periods():
    """One period used to return eta with NaN standard errors."""
    rng = np.random.default_rng(3)
    k = rng.uniform(1, 10, 60)
    df = pd.DataFrame({"unit": range(60), "year": 2015, "k": k})
    df["q"] = np.exp(0.5 + 0.6 * np.log(k) - np.abs(rng.normal(0, 0.3, 60)))
    with pytest.raises(ModelError, match="at least 2 periods of 'year'"):
        sfa(df, y="q", x=["k"], model="bc92", unit="unit", time="year")
    with pytest.raises(ModelError, match="n_starts=0"):
        sfa(df, y="q", x=["k"], n_starts=0)


# --- time-invariant panel model (BC92 with eta = 0, Pitt & Lee 1981) ----------------
# FRONTIER 4.1's error components frontier without time effect, as run by R frontier
# (a port of FRONTIER 4.1's Fortran): tests/frontierTest.Rout.save of frontier
# 0.997-14 (CRAN, github.com/cran/frontier @ 9e263aa), models b1 and b2 of
# "panel data, error components frontier" on riceProdPhil.


@pytest.fixture(scope="module")
def rice_ti(rice):
    return sfa(
        rice,
        y="PROD",
        x=["AREA", "LABOR", "NPK"],
        model="bc92",
        eta=False,
        unit="FMERCODE",
        time="year",
    )


def test_rice_time_invariant_half_normal_matches_frontier41(rice_ti):
    res = rice_ti
    expected = {
        "const": -0.83217,
        "AREA": 0.45390,
        "LABOR": 0.28892,
        "NPK": 0.22754,
        "sigma2": 0.15538,
        "gamma": 0.46431,
    }
    assert list(res.params.index) == list(expected)  # no eta
    for name, value in expected.items():
        assert res.params[name] == pytest.approx(value, abs=1e-5), name
    assert res.loglik == pytest.approx(-86.43, abs=5e-3)  # printed with 5 digits
    assert res.loglik_ols == pytest.approx(-104.91, abs=5e-3)
    assert res.mean_efficiency == pytest.approx(0.8188, abs=5e-5)
    assert res.efficiency["exp_u_bc"].mean() == pytest.approx(1.2547, abs=5e-5)
    # coef(summary(b1)): R's standard errors come from FRONTIER's DFP approximation
    r_se = [0.275249, 0.063801, 0.063639, 0.040859, 0.024202, 0.088023]
    np.testing.assert_allclose(res.std_errors.to_numpy(), r_se, rtol=0.05)
    # lrtest(b1): Chisq 37 on 1 df, Pr(>Chisq) 6.1e-10 (half of chi2(1))
    lr = res.lr_test.iloc[0]
    assert lr["df"] == 1
    assert lr["statistic"] == pytest.approx(2 * (-86.43 + 104.91), abs=0.02)
    assert lr["p_value"] == pytest.approx(6.1e-10, rel=0.01)
    assert res.meta["eta"] == "fixed at 0 (time-invariant)"


def test_rice_time_invariant_efficiencies_match_frontier41(rice_ti):
    eff = rice_ti.efficiency
    # u_it = u_i: one efficiency per farmer, every year
    assert eff.groupby("FMERCODE")["te_bc"].nunique().max() == 1
    by_farm = eff.groupby("FMERCODE")[["te_bc", "exp_u_bc"]].first()
    # round(efficiencies(b1), 3) and round(efficiencies(b1, farrell = FALSE), 3)
    te = {1: 0.735, 2: 0.934, 11: 0.602, 30: 0.608, 34: 0.498, 43: 0.725}
    farrell_false = {1: 1.373, 11: 1.676, 30: 1.661, 34: 2.027, 43: 1.392}
    for farm, value in te.items():
        assert by_farm.loc[farm, "te_bc"] == pytest.approx(value, abs=5e-4), farm
    for farm, value in farrell_false.items():
        assert by_farm.loc[farm, "exp_u_bc"] == pytest.approx(value, abs=5e-4), farm


def test_rice_time_invariant_truncated_normal_matches_frontier41(rice):
    res = sfa(
        rice,
        y="PROD",
        x=["AREA", "LABOR", "NPK"],
        model="bc92",
        eta=False,
        dist="truncated-normal",
        unit="FMERCODE",
        time="year",
    )
    expected = {
        "const": -0.82887,
        "AREA": 0.45457,
        "LABOR": 0.28732,
        "NPK": 0.22512,
        "sigma2": 0.20339,
        "gamma": 0.59048,
        "mu": -0.27343,
    }
    assert list(res.params.index) == list(expected)
    for name, value in expected.items():
        assert res.params[name] == pytest.approx(value, abs=1e-4), name
    # a flat likelihood (R's SE of mu is 0.96): never below FRONTIER's maximum
    assert res.loglik >= -86.3435
    assert res.loglik == pytest.approx(-86.343, abs=5e-4)
    assert res.mean_efficiency == pytest.approx(0.83128, abs=5e-5)
    # the likelihood written from its definition (u integrated out) agrees
    theta = res.params.to_numpy()
    assert _pitt_lee_loglik_by_quadrature(
        rice, theta, mu=res.params["mu"]
    ) == pytest.approx(res.loglik, abs=1e-7)
    by_farm = res.efficiency.groupby("FMERCODE")["te_bc"].first()
    for farm, value in {1: 0.751, 11: 0.606, 34: 0.495, 43: 0.738}.items():
        assert by_farm.loc[farm] == pytest.approx(value, abs=5e-4), farm
    assert res.lr_test["df"].iloc[0] == 2


def test_time_invariant_is_nested_in_bc92(rice, rice_ti):
    # eta = 0 restricts the BC92 model: LR = 2(lnL_eta - lnL_0), chi2(1); from the
    # two published log-likelihoods (-84.5503578 and -86.43) it is 3.76
    bc92 = sfa(
        rice,
        y="PROD",
        x=["AREA", "LABOR", "NPK"],
        model="bc92",
        unit="FMERCODE",
        time="year",
    )
    lr = 2 * (bc92.loglik - rice_ti.loglik)
    assert lr > 0
    assert lr == pytest.approx(2 * (-84.5503578 + 86.43), abs=0.01)
    assert stats.chi2.sf(lr, 1) == pytest.approx(0.0525, abs=0.002)
    # and the restricted likelihood is the BC92 likelihood at eta = 0
    data = rice.sort_values(["FMERCODE", "year"])
    design = _bc92_design(data, lambda d: d["year"] - d["year"].max())
    theta = np.r_[rice_ti.params.to_numpy(), 0.0]
    assert lik.loglik(design, theta) == pytest.approx(rice_ti.loglik, abs=1e-9)


def _pitt_lee_loglik_by_quadrature(data, params, *, mu=0.0):
    """ln L of u_it = u_i ~ N+(mu, su2) by integrating u out farmer by farmer."""
    x = np.column_stack(
        [np.ones(len(data))] + [np.log(data[c]) for c in ("AREA", "LABOR", "NPK")]
    )
    resid = np.log(data["PROD"].to_numpy()) - x @ params[:4]
    su = np.sqrt(params[4] * params[5])
    sv = np.sqrt(params[4] * (1 - params[5]))
    mass = stats.norm.sf(-mu / su)  # P(N(mu, su²) > 0)
    total = 0.0
    for rows in data.groupby("FMERCODE").indices.values():
        eps = resid[rows]
        t = len(eps)

        def joint(u, eps=eps, t=t):
            # production: ε_t = v_t − u, so v_t = ε_t + u
            noise = np.exp(-np.sum((eps + u) ** 2) / (2 * sv**2) - t * np.log(sv))
            prior = np.exp(-((u - mu) ** 2) / (2 * su**2)) / (su * mass)
            return noise * prior / (2 * np.pi) ** ((t + 1) / 2)

        top = max(mu, 0.0) + 12 * su
        total += np.log(integrate.quad(joint, 0, top, limit=200, epsrel=1e-12)[0])
    return total


def test_time_invariant_likelihood_by_independent_quadrature(rice, rice_ti):
    # the Pitt-Lee likelihood written from its definition, u integrated numerically
    params = rice_ti.params.to_numpy()
    base = _pitt_lee_loglik_by_quadrature(rice, params)
    assert base == pytest.approx(rice_ti.loglik, abs=1e-7)
    # and the estimate is a maximum of that independent likelihood
    for j, step in ((0, 1e-3), (1, 1e-3), (4, 1e-3), (5, 1e-3)):
        for sign in (-1.0, 1.0):
            moved = params.copy()
            moved[j] += sign * step
            assert _pitt_lee_loglik_by_quadrature(rice, moved) < base


def test_time_invariant_options(front41, rice):
    with pytest.raises(ModelError, match=r"eta=False.*model=.bc92. only"):
        sfa(front41, y="output", x=["capital"], eta=False)
    with pytest.raises(ModelError, match="eta must be True or False"):
        sfa(
            rice,
            y="PROD",
            x=["AREA"],
            model="bc92",
            eta="no",
            unit="FMERCODE",
            time="year",
        )
    one_year = rice[rice["year"] == 1990]
    with pytest.warns(UserWarning, match="single period.*cross-section"):
        ti = sfa(
            one_year,
            y="PROD",
            x=["AREA", "LABOR"],
            model="bc92",
            eta=False,
            unit="FMERCODE",
            time="year",
        )
    cross = sfa(one_year, y="PROD", x=["AREA", "LABOR"])
    assert ti.loglik == pytest.approx(cross.loglik, abs=1e-7)


def test_cli_sfa_time_invariant(tmp_path, capsys):
    from spatialgreen.cli import main

    path = tmp_path / "rice.csv"
    pd.read_csv(REF / "riceProdPhil.csv").to_csv(path, index=False)
    out = tmp_path / "ti.xlsx"
    code = main(
        [
            "sfa",
            str(path),
            "--y",
            "PROD",
            "--x",
            "AREA,LABOR,NPK",
            "--model",
            "bc92",
            "--time-invariant",
            "--unit",
            "FMERCODE",
            "--time",
            "YEARDUM",
            "--output",
            str(out),
        ]
    )
    assert code == 0
    coefficients = pd.read_excel(out, sheet_name="coefficients", index_col="parameter")
    assert "eta" not in coefficients.index
    assert coefficients.loc["gamma", "estimate"] == pytest.approx(0.46431, abs=1e-5)


# --- standardisation inside the fit and the gamma = 1 boundary ----------------------


def test_standardised_fit_recovers_known_coefficients_in_levels():
    # a slack-type cost frontier in levels (tons, 10^4 yuan) with regressors on very
    # different scales: the estimates recover the truth within their standard errors
    rng = np.random.default_rng(42)
    n = 3000
    z1 = rng.normal(50.0, 10.0, n)  # e.g. a share in percent
    z2 = rng.uniform(0.0, 2e-3, n)  # e.g. a ratio
    truth = {"const": 5e3, "z1": 80.0, "z2": 2e6}
    su, sv = 900.0, 300.0
    slack = (
        truth["const"]
        + truth["z1"] * z1
        + truth["z2"] * z2
        + rng.normal(0.0, sv, n)
        + np.abs(rng.normal(0.0, su, n))
    )
    data = pd.DataFrame({"s": slack, "z1": z1, "z2": z2})
    res = sfa(data, y="s", x=["z1", "z2"], cost=True, log=False)
    assert res.converged and not res.warnings
    for name, value in truth.items():
        est, se = res.params[name], res.std_errors[name]
        assert np.isfinite(se) and se > 0
        assert abs(est - value) < 3.5 * se, name
    var = res.variance.set_index("parameter")["value"]
    assert var["sigma_u"] == pytest.approx(su, rel=0.1)
    assert var["sigma_v"] == pytest.approx(sv, rel=0.25)


def test_standardisation_is_exact():
    from spatialgreen.efficiency._sfa_scale import standardise

    for truncated, time_varying, with_z in [
        (False, False, False),
        (True, True, False),
        (False, False, True),
    ]:
        d, _ = _toy_design(-1.0, truncated, time_varying, with_z, seed=4)
        # regressors and y in awkward units, a constant of 2 rather than 1
        x = d.x * np.r_[2.0, 1e4, 1e-3] + np.r_[0.0, 5e3, 0.0]
        z = None if d.z is None else d.z * np.r_[1.0, 1e3]
        d = lik._Design(
            d.y * 1e3 + 7.0,
            x,
            -1.0,
            d.group,
            d.n_groups,
            d.dt,
            z,
            truncated,
            time_varying,
        )
        scaling = standardise(d)
        assert np.allclose(scaling.design.y.mean(), 0) and np.isclose(
            scaling.design.y.std(), 1
        )
        rng = np.random.default_rng(1)
        free = np.r_[rng.normal(size=3) * 0.3, 0.8, 0.6, [0.2] * truncated]
        free = np.r_[free, [0.05] * time_varying, [0.1, 0.2] * with_z]
        original = scaling.to_original(free)
        assert lik.loglik(d, original) == pytest.approx(
            lik.loglik(scaling.design, free) - scaling.log_scale, abs=1e-8
        )
        np.testing.assert_allclose(scaling.to_standard(original), free, atol=1e-10)


def test_boundary_supremum_is_constrained_least_squares():
    # γ = 1: the likelihood tends to that of a half-normal u = slack - zβ >= 0,
    # maximal at the β of least squares under u >= 0 (checked with SLSQP)
    from scipy import optimize

    from spatialgreen.efficiency._sfa_fit import deterministic_limit

    rng = np.random.default_rng(8)
    n = 200
    z = rng.uniform(0, 1, n)
    slack = np.maximum(0.0, 3 * z - 1.2 + rng.normal(0, 0.1, n))
    slack += np.where(z > 0.4, np.abs(rng.normal(0, 0.8, n)), 0.0)
    x = np.column_stack([np.ones(n), z])
    d = lik._Design(slack, x, -1.0, np.arange(n), n, np.zeros(n), None, False, False)
    beta, sigma2, loglik = deterministic_limit(d)
    qp = optimize.minimize(
        lambda b: np.sum((slack - x @ b) ** 2),
        np.zeros(2),
        constraints=[{"type": "ineq", "fun": lambda b: slack - x @ b}],
        method="SLSQP",
        options={"ftol": 1e-14, "maxiter": 500},
    )
    np.testing.assert_allclose(beta, qp.x, atol=1e-6)
    assert sigma2 == pytest.approx(np.mean((slack - x @ beta) ** 2), rel=1e-12)
    # the likelihood approaches it from inside as σ_v → 0 (never above it)
    for one_minus_gamma in (1e-4, 1e-8, 1e-12):
        inside = np.r_[beta - [1e-7, 0.0], sigma2, 1 - one_minus_gamma]
        assert lik.loglik(d, inside) <= loglik + 1e-9
    near = np.r_[beta - [1e-7, 0.0], sigma2, 1 - 1e-15]
    assert lik.loglik(d, near) == pytest.approx(loglik, abs=1e-4)
    res = sfa(pd.DataFrame({"s": slack, "z": z}), y="s", x=["z"], cost=True, log=False)
    assert res.params["gamma"] == 1.0
    assert res.loglik == pytest.approx(loglik, abs=1e-9)
    np.testing.assert_allclose(res.params[["const", "z"]], beta, atol=1e-9)


def test_likelihood_is_stable_near_gamma_one():
    # the quadratic form used to keep round-off of order 1/σ_v² near γ = 1, which
    # the optimiser then climbed; compare with the textbook cross-section formula
    rng = np.random.default_rng(2)
    n = 200
    eps = np.abs(rng.normal(0, 3000.0, n)) + 1.0  # cost residuals = v + u > 0
    x = np.ones((n, 1))
    d = lik._Design(eps, x, -1.0, np.arange(n), n, np.zeros(n), None, False, False)
    sigma2 = np.mean(eps**2)
    for one_minus_gamma in (1e-6, 1e-9, 1e-11):
        gamma = 1 - one_minus_gamma
        lam = np.sqrt(gamma / (1 - gamma))
        sigma = np.sqrt(sigma2)
        textbook = np.sum(
            np.log(2)
            - 0.5 * np.log(2 * np.pi * sigma2)
            - eps**2 / (2 * sigma2)
            + stats.norm.logcdf(lam * eps / sigma)
        )
        ours = lik.loglik(d, np.array([0.0, sigma2, gamma]))
        assert ours == pytest.approx(textbook, abs=1e-8)
