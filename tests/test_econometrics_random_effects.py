"""Random effects and Hausman: Grunfeld (Baltagi, R plm), formulas, recovery."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from spatialgreen.econometrics import (
    fixed_effects,
    hausman,
    random_effects,
    regression_table,
)
from spatialgreen.errors import DataError, ModelError, SpatialGreenWarning

REF = Path(__file__).parent / "reference" / "econometrics" / "grunfeld"
XS = ["value", "capital"]
PLM_NAMES = {"(Intercept)": "const", "value": "value", "capital": "capital"}


def _plm() -> dict[str, dict[str, float]]:
    """Every ``tag name key=value ...`` line of the saved plm output, by tag."""
    out: dict[str, dict[str, float]] = {}
    for line in (REF / "grunfeld_re_plm_output.txt").read_text().splitlines():
        m = re.match(r"(\S+) (\(Intercept\)|value|capital) (.*)$", line)
        if m:
            tag, name, rest = m.groups()
            key = f"{tag}:{PLM_NAMES[name]}"
        else:
            tag, _, rest = line.partition(" ")
            key = tag
        values = dict(re.findall(r"(\w+)=(\S+)", rest))
        out[key] = {k: float(v) for k, v in values.items()}
    return out


PLM = _plm()


@pytest.fixture(scope="module")
def grunfeld() -> pd.DataFrame:
    from statsmodels.datasets import grunfeld

    data = grunfeld.load_pandas().data
    data = data.loc[data["firm"] != "American Steel"].copy()
    data["year"] = data["year"].astype(int)
    return data.reset_index(drop=True)


@pytest.fixture(scope="module")
def unbalanced(grunfeld) -> pd.DataFrame:
    """The rows the R script drops (plm firm numbers follow statsmodels' order)."""
    number = {f: i + 1 for i, f in enumerate(dict.fromkeys(grunfeld["firm"]))}
    firm, year = grunfeld["firm"].map(number), grunfeld["year"]
    drop = (
        ((firm == 1) & (year <= 1937))
        | ((firm == 5) & (year == 1950))
        | ((firm == 9) & year.between(1940, 1944))
    )
    return grunfeld.loc[~drop].reset_index(drop=True)


def _assert_plm(res, tag: str, names=("value", "capital", "const")) -> None:
    for name in names:
        ref = PLM[f"{tag}:{name}"]
        assert res.params[name] == pytest.approx(ref["coef"], rel=1e-8)
        assert res.std_errors[name] == pytest.approx(ref["se"], rel=1e-7)
        assert res.pvalues[name] == pytest.approx(ref["p"], rel=1e-6)


def test_same_data_as_plm(grunfeld):
    ref = PLM["data"]
    assert len(grunfeld) == ref["n"]
    assert grunfeld["invest"].sum() == pytest.approx(ref["sum_inv"], abs=1e-6)
    assert grunfeld["value"].sum() == pytest.approx(ref["sum_value"], abs=1e-6)
    assert grunfeld["capital"].sum() == pytest.approx(ref["sum_capital"], abs=1e-6)


def test_grunfeld_swamy_arora_matches_baltagi_and_plm(grunfeld):
    res = random_effects(grunfeld, y="invest", x=XS, unit="firm")
    # Baltagi, Econometric Analysis of Panel Data, Table 2.1, SWAR row
    assert round(res.params["value"], 3) == 0.110
    assert round(res.std_errors["value"], 3) == 0.010
    assert round(res.params["capital"], 3) == 0.308
    assert round(res.std_errors["capital"], 3) == 0.017
    _assert_plm(res, "re_oneway")
    comp = PLM["re_oneway"]
    assert res.sigma_e == pytest.approx(np.sqrt(comp["sigma2_e"]), rel=1e-9)
    assert res.sigma_u == pytest.approx(np.sqrt(comp["sigma2_u"]), rel=1e-9)
    assert res.theta == pytest.approx(comp["theta_min"], rel=1e-9)
    assert res.r2 == pytest.approx(comp["rsq"], rel=1e-8)
    assert res.rho == pytest.approx(
        comp["sigma2_u"] / (comp["sigma2_u"] + comp["sigma2_e"]), rel=1e-9
    )
    assert res.inference == {"distribution": "normal", "df": None}  # z, as plm
    assert res.nobs == 200 and res.thetas["periods"].eq(20).all()


def test_year_dummies_match_plm_factor_year(grunfeld):
    res = random_effects(grunfeld, y="invest", x=XS, unit="firm", effects="twoway")
    _assert_plm(res, "re_year_dummies")
    comp = PLM["re_year_dummies"]
    assert res.sigma_u == pytest.approx(np.sqrt(comp["sigma2_u"]), rel=1e-9)
    assert res.sigma_e == pytest.approx(np.sqrt(comp["sigma2_e"]), rel=1e-9)
    assert res.theta == pytest.approx(comp["theta_min"], rel=1e-9)
    assert res.fixed_effects == {"Unit FE": False, "Year FE": True, "Unit RE": True}
    assert list(res.coefficients.index) == [*XS, "const"]


def test_unbalanced_swar_is_plm_baltagi_chang(unbalanced):
    res = random_effects(unbalanced, y="invest", x=XS, unit="firm")
    _assert_plm(res, "re_unbalanced")
    comp = PLM["re_unbalanced"]
    assert res.sigma_u == pytest.approx(np.sqrt(comp["sigma2_u"]), rel=1e-9)
    assert res.sigma_e == pytest.approx(np.sqrt(comp["sigma2_e"]), rel=1e-9)
    assert res.thetas["theta"].min() == pytest.approx(comp["theta_min"], rel=1e-9)
    assert res.thetas["theta"].max() == pytest.approx(comp["theta_max"], rel=1e-9)
    assert np.isnan(res.theta)  # no common θ in an unbalanced panel
    assert res.nobs == 191


def test_harmonic_method_equals_hand_swamy_arora_with_harmonic_mean(unbalanced):
    """Stata's default xtreg, re: σ_u² = SSR_b/(n−K_b) − σ_e²/T̄ (harmonic T̄)."""
    res = random_effects(unbalanced, y="invest", x=XS, unit="firm", method="harmonic")
    df = unbalanced
    g = df["firm"].to_numpy()
    yx = df[["invest", *XS]].to_numpy(float)
    means = pd.DataFrame(yx).groupby(g).transform("mean").to_numpy()
    w = yx - means
    bw = np.linalg.lstsq(w[:, 1:], w[:, 0], rcond=None)[0]
    n, n_units = len(df), df["firm"].nunique()
    sigma2_e = np.sum((w[:, 0] - w[:, 1:] @ bw) ** 2) / (n - n_units - 2)
    unit_means = pd.DataFrame(yx).groupby(g).mean().to_numpy()
    xb = np.column_stack([np.ones(n_units), unit_means[:, 1:]])
    bb = np.linalg.lstsq(xb, unit_means[:, 0], rcond=None)[0]
    ssr_b = np.sum((unit_means[:, 0] - xb @ bb) ** 2)
    t_i = df.groupby("firm").size().to_numpy()
    t_bar = n_units / np.sum(1 / t_i)
    sigma2_u = ssr_b / (n_units - 3) - sigma2_e / t_bar
    assert res.sigma_e**2 == pytest.approx(sigma2_e, rel=1e-9)
    assert res.sigma_u**2 == pytest.approx(sigma2_u, rel=1e-9)
    theta = 1 - np.sqrt(sigma2_e / (t_i * sigma2_u + sigma2_e))
    np.testing.assert_allclose(res.thetas["theta"], theta, rtol=1e-9)
    # GLS = OLS on quasi-demeaned data (the constant becomes 1 − θ_i)
    th = pd.Series(theta, index=sorted(set(g))).loc[g].to_numpy()
    z = np.column_stack([yx, np.ones(n)])
    zs = z - th[:, None] * pd.DataFrame(z).groupby(g).transform("mean").to_numpy()
    beta = np.linalg.lstsq(zs[:, 1:], zs[:, 0], rcond=None)[0]
    np.testing.assert_allclose(res.params[[*XS, "const"]], beta, rtol=1e-8)
    e = zs[:, 0] - zs[:, 1:] @ beta
    cov = e @ e / (n - 3) * np.linalg.inv(zs[:, 1:].T @ zs[:, 1:])
    np.testing.assert_allclose(
        res.std_errors[[*XS, "const"]], np.sqrt(np.diag(cov)), rtol=1e-8
    )
    assert res.meta["method"] == "harmonic"
    swar = random_effects(unbalanced, y="invest", x=XS, unit="firm")
    assert abs(swar.sigma_u - res.sigma_u) > 1.0  # they differ when unbalanced


def test_methods_coincide_on_a_balanced_panel(grunfeld):
    a = random_effects(grunfeld, y="invest", x=XS, unit="firm")
    b = random_effects(grunfeld, y="invest", x=XS, unit="firm", method="harmonic")
    pd.testing.assert_frame_equal(a.coefficients, b.coefficients, rtol=1e-10)


def test_cluster_conventions_scale_the_plm_hc0_sandwich(grunfeld):
    kw = {"y": "invest", "x": XS, "unit": "firm", "cluster": "firm"}
    none = random_effects(grunfeld, small_sample="none", **kw)
    _assert_plm(none, "re_oneway_cluster_HC0")
    n, g, k = 200, 10, 3
    stata = random_effects(grunfeld, **kw)
    lm = random_effects(grunfeld, small_sample="linearmodels", **kw)
    for name in [*XS, "const"]:
        hc0 = PLM[f"re_oneway_cluster_HC0:{name}"]["se"]
        factor = g / (g - 1) * (n - 1) / (n - k)
        assert stata.std_errors[name] == pytest.approx(np.sqrt(factor) * hc0, rel=1e-7)
        assert lm.std_errors[name] == pytest.approx(
            np.sqrt(n / (n - k)) * hc0, rel=1e-7
        )
    assert stata.inference["df"] is None and lm.df_inference == n - k
    assert "Stata convention" in stata.meta["se_note"]
    assert "no small-sample factor" in none.meta["se_note"]
    assert "t(197)" in lm.meta["se_note"]
    assert stata.n_clusters == 10


# --- Hausman -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("effects", "tag"), [("unit", "hausman_oneway"), ("twoway", "hausman_year_dummies")]
)
def test_hausman_matches_plm(grunfeld, effects, tag):
    fe = fixed_effects(grunfeld, y="invest", x=XS, unit="firm", effects=effects)
    ra = random_effects(grunfeld, y="invest", x=XS, unit="firm", effects=effects)
    h = hausman(fe, ra)
    ref = PLM[tag]
    assert h.statistic == pytest.approx(ref["chisq"], rel=1e-7)
    assert h.df == ref["df"] == 2
    assert h.pvalue == pytest.approx(ref["p"], rel=1e-6)
    table = h.comparison
    np.testing.assert_allclose(table["fixed"], fe.params[XS], rtol=1e-12)
    np.testing.assert_allclose(table["random"], ra.params[XS], rtol=1e-12)
    np.testing.assert_allclose(table["difference"], table["fixed"] - table["random"])
    np.testing.assert_allclose(
        table["variance"], fe.std_errors[XS] ** 2 - ra.std_errors[XS] ** 2, rtol=1e-10
    )
    # the statistic from the printed pieces
    v = h.variance.set_index("parameter").to_numpy()
    d = table["difference"].to_numpy()
    assert h.statistic == pytest.approx(d @ np.linalg.solve(v, d), rel=1e-10)
    assert "chi2(2)" in h.summary()


def _simulated(correlated: bool, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_units, n_years = 60, 8
    u = rng.normal(size=n_units)
    df = pd.DataFrame(
        {
            "unit": np.repeat(np.arange(n_units), n_years),
            "year": np.tile(np.arange(2010, 2010 + n_years), n_units),
        }
    )
    alpha = np.repeat(u, n_years)
    df["x"] = rng.normal(size=len(df)) + (0.8 * alpha if correlated else 0.0)
    df["region"] = np.repeat(rng.integers(0, 2, n_units), n_years).astype(float)
    df["y"] = (
        1.0 + 0.5 * df["x"] + 0.7 * df["region"] + alpha + rng.normal(size=len(df))
    )
    return df


def test_recovery_time_invariant_regressor_and_hausman_power():
    df = _simulated(correlated=False, seed=3)
    res = random_effects(df, y="y", x="x", controls=["region"])
    for name, truth in {"x": 0.5, "region": 0.7, "const": 1.0}.items():
        lo, hi = res.conf_int(0.999).loc[name]
        assert lo < truth < hi
    assert res.sigma_u == pytest.approx(1.0, abs=0.3)
    assert res.sigma_e == pytest.approx(1.0, abs=0.1)
    dfc = _simulated(correlated=True, seed=3)
    fe = fixed_effects(dfc, y="y", x="x", effects="unit")
    alt = hausman(fe, random_effects(dfc, y="y", x="x"))
    assert alt.pvalue < 1e-6  # RE is inconsistent when effects correlate with x


@pytest.mark.slow  # 60 simulated panels, FE and RE fits each (~15 s)
def test_hausman_size_under_the_null():
    """Uncorrelated effects: p-values about uniform, the 5 % test rarely rejects.

    With each model's own σ² (the default) V_b − V_B can be negative in a sample
    (then the test is undefined); the common-σ² form never is.
    """
    pvalues, undefined = [], 0
    for seed in range(60):
        df = _simulated(correlated=False, seed=100 + seed)
        fe = fixed_effects(df, y="y", x="x", effects="unit")
        ra = random_effects(df, y="y", x="x")
        pvalues.append(hausman(fe, ra, sigma="common").pvalue)
        try:
            hausman(fe, ra)
        except ModelError:
            undefined += 1
    p = np.asarray(pvalues)
    assert np.mean(p < 0.05) <= 0.15
    assert 0.35 < p.mean() < 0.65  # sd of the mean of 60 uniforms: 0.037
    assert undefined < 15


def test_common_sigma_rescales_the_random_effects_covariance(grunfeld):
    fe = fixed_effects(grunfeld, y="invest", x=XS, unit="firm", effects="unit")
    ra = random_effects(grunfeld, y="invest", x=XS, unit="firm")
    h = hausman(fe, ra, sigma="common")
    # the within s² of FE is the σ_e² of the RE components
    assert fe.fit.s2 == pytest.approx(ra.sigma_e**2, rel=1e-10)
    v_re = ra.cov.loc[XS, XS].to_numpy() * ra.sigma_e**2 / ra.fit.s2
    v = fe.cov.loc[XS, XS].to_numpy() - v_re
    d = (fe.params[XS] - ra.params[XS]).to_numpy()
    assert h.statistic == pytest.approx(d @ np.linalg.solve(v, d), rel=1e-10)
    assert np.all(np.linalg.eigvalsh(v) > 0)
    with pytest.raises(ModelError, match="sigma must be"):
        hausman(fe, ra, sigma="both")  # type: ignore[arg-type]


def test_not_positive_definite_difference_warns_and_uses_the_positive_part(grunfeld):
    fe = fixed_effects(grunfeld, y="invest", x=XS, unit="firm", effects="unit")
    ra = random_effects(grunfeld, y="invest", x=XS, unit="firm")
    cov = fe.covariance.set_index("parameter")
    cov.loc["capital", "capital"] = ra.cov.loc["capital", "capital"] / 2
    off = ra.cov.loc["value", "capital"]  # V_fe − V_re diagonal: one negative entry
    cov.loc["value", "capital"] = cov.loc["capital", "value"] = off
    fe2 = dataclasses.replace(fe, covariance=cov.reset_index())
    with pytest.warns(SpatialGreenWarning, match="not positive definite"):
        h = hausman(fe2, ra)
    assert h.df == 1
    assert np.isnan(h.comparison.loc["capital", "std_error"])
    v = h.variance.set_index("parameter").loc["value", "value"]
    d = h.comparison.loc["value", "difference"]
    assert h.statistic == pytest.approx(d**2 / v, rel=1e-10)
    assert "positive eigenvalue" in h.meta["note"]


def test_hausman_refuses_mismatched_or_robust_models(grunfeld):
    kw = {"y": "invest", "x": XS, "unit": "firm"}
    fe = fixed_effects(grunfeld, effects="unit", **kw)
    ra = random_effects(grunfeld, **kw)
    with pytest.raises(ModelError, match="fixed_effects result and then"):
        hausman(ra, fe)  # type: ignore[arg-type]
    with pytest.raises(ModelError, match="'twoway' with 'twoway'"):
        hausman(fixed_effects(grunfeld, **kw), ra)
    with pytest.raises(ModelError, match="cov='clustered'"):
        hausman(fe, random_effects(grunfeld, cluster="firm", **kw))
    with pytest.raises(ModelError, match="different samples"):
        hausman(fe, random_effects(grunfeld.iloc[:-1], **kw))
    with pytest.raises(DataError, match="not slopes of both models"):
        hausman(fe, ra, variables=["const"])


# --- tables and bad input ------------------------------------------------------------


def test_regression_table_puts_fe_and_re_side_by_side(grunfeld):
    kw = {"y": "invest", "x": XS, "unit": "firm"}
    fits = {
        "FE": fixed_effects(grunfeld, effects="unit", **kw),
        "RE": random_effects(grunfeld, **kw),
    }
    table = regression_table(fits, stats=("nobs", "r2_within", "theta", "sigma_u"))
    rows = table.table.set_index("")
    assert rows.loc["Unit RE", "RE"] == "Yes" and rows.loc["Unit FE", "RE"] == "No"
    assert rows.loc["θ", "RE"] == "0.8612" and rows.loc["θ", "FE"] == ""
    assert rows.loc["value", "RE"] == "0.1098***"


def test_bad_inputs(grunfeld):
    kw = {"y": "invest", "x": XS, "unit": "firm"}
    with pytest.raises(ModelError, match="effects must be 'unit' or 'twoway'"):
        random_effects(grunfeld, effects="time", **kw)
    with pytest.raises(ModelError, match="method must be"):
        random_effects(grunfeld, method="amemiya", **kw)
    with pytest.raises(ModelError, match="small_sample must be"):
        random_effects(grunfeld, small_sample="hc3", **kw)
    df = grunfeld.assign(v2=2 * grunfeld["value"])
    with pytest.raises(ModelError, match="'v2' is perfectly collinear"):
        random_effects(df, y="invest", x=["value", "v2"], unit="firm")
    with pytest.raises(ModelError, match="regressor 'k' is constant"):
        random_effects(grunfeld.assign(k=1.0), y="invest", x="k", unit="firm")
    few = grunfeld.loc[grunfeld["firm"].isin(["IBM", "Chrysler", "Goodyear"])]
    with pytest.raises(ModelError, match="variance of the effects cannot be"):
        random_effects(few, y="invest", x=XS, unit="firm")
    before = grunfeld.copy()
    random_effects(grunfeld, **kw)
    pd.testing.assert_frame_equal(grunfeld, before)
