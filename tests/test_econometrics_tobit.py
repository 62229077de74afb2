"""Tobit: R AER::tobit (saved output), an independent RE likelihood, simulation."""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import integrate, optimize, special, stats

from spatialgreen.econometrics import regression_table, tobit
from spatialgreen.errors import DataError, ModelError, SpatialGreenWarning

REF = Path(__file__).parent / "reference" / "tobit"
AFFAIRS_X = ["age", "yearsmarried", "religiousness", "occupation", "rating"]
R_NAMES = {"(Intercept)": "const"}


def _r_output() -> dict[str, dict[str, float]]:
    """``tag name key=value …`` lines of tobit_aer_output.txt, keyed "tag:name"."""
    out: dict[str, dict[str, float]] = {}
    for line in (REF / "tobit_aer_output.txt").read_text().splitlines():
        if line.startswith("#") or not line.strip():
            break
        tag, name, rest = line.split(" ", 2)
        values = dict(re.findall(r"(\w+)=(\S+)", rest))
        out[f"{tag}:{R_NAMES.get(name, name)}"] = {
            k: float(v) for k, v in values.items()
        }
    return out


R = _r_output()


@pytest.fixture(scope="module")
def affairs() -> pd.DataFrame:
    return pd.read_csv(REF / "affairs.csv")


@pytest.fixture(scope="module")
def scores() -> pd.DataFrame:
    return pd.read_csv(REF / "scores.csv")


def _quiet(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SpatialGreenWarning)
        return func(*args, **kwargs)


def _assert_r(res, tag: str, names, cov_tag: str | None = None) -> None:
    se_tag = cov_tag or tag
    for name in [*names, "const"]:
        assert res.params[name] == pytest.approx(R[f"{tag}:{name}"]["coef"], rel=1e-6)
        assert res.std_errors[name] == pytest.approx(
            R[f"{se_tag}:{name}"]["se"], rel=1e-6
        )
        assert res.pvalues[name] == pytest.approx(
            R[f"{se_tag}:{name}"]["p"], rel=1e-5, abs=1e-12
        )
    log_sigma = R[f"{se_tag}:Log(scale)"]
    assert np.log(res.sigma) == pytest.approx(log_sigma["coef"], rel=1e-7)
    assert res.cov.loc["log_sigma", "log_sigma"] ** 0.5 == pytest.approx(
        log_sigma["se"], rel=1e-6
    )


# --- pooled Tobit against R AER::tobit -----------------------------------------------


def test_same_data_as_r(affairs, scores):
    fit = R["affairs_left:fit"]
    assert len(affairs) == fit["nobs"] == 601
    assert (affairs["affairs"] <= 0).sum() == fit["n_left"] == 451
    assert len(scores) == R["scores:fit"]["nobs"] == 300


def test_affairs_reproduces_kleiber_zeileis(affairs):
    """Kleiber & Zeileis (2008), *Applied Econometrics with R*, sec. 5.3, the
    printed ``tobit(affairs ~ age + yearsmarried + religiousness + occupation +
    rating)``: 8.174 (2.741), −0.179 (0.079), 0.554 (0.135), −1.686 (0.404),
    0.326 (0.254), −2.285 (0.408), Log(scale) 2.110 (0.067), logLik −705.6."""
    res = tobit(affairs, y="affairs", x=AFFAIRS_X)
    published = {
        "const": (8.174, 2.741),
        "age": (-0.179, 0.079),
        "yearsmarried": (0.554, 0.135),
        "religiousness": (-1.686, 0.404),
        "occupation": (0.326, 0.254),
        "rating": (-2.285, 0.408),
    }
    for name, (b, se) in published.items():
        assert round(res.params[name], 3) == b
        assert round(res.std_errors[name], 3) == se
    assert round(np.log(res.sigma), 3) == 2.110
    assert round(res.loglik, 1) == -705.6


@pytest.mark.parametrize(
    ("tag", "data", "y", "xs", "limits"),
    [
        ("affairs_left", "affairs", "affairs", AFFAIRS_X, {"left": 0}),
        ("affairs_both", "affairs", "affairs", AFFAIRS_X, {"left": 0, "right": 4}),
        ("scores", "scores", "y", ["x1", "x2"], {"left": 0, "right": 1}),
    ],
)
def test_matches_aer_tobit(request, tag, data, y, xs, limits):
    frame = request.getfixturevalue(data)
    res = _quiet(tobit, frame, y=y, x=xs, **limits)
    _assert_r(res, tag, xs)
    fit = R[f"{tag}:fit"]
    assert res.loglik == pytest.approx(fit["loglik"], rel=1e-9)
    assert res.sigma == pytest.approx(fit["sigma"], rel=1e-7)
    assert (res.nobs, res.n_left, res.n_right) == (
        fit["nobs"],
        fit["n_left"],
        fit["n_right"],
    )
    assert res.n_uncensored == res.nobs - res.n_left - res.n_right
    # σ's interval comes from log σ's, so it holds σ and stays positive
    row = res.ancillary.loc["sigma"]
    assert row["std_error"] == pytest.approx(res.sigma * fit_se(res), rel=1e-12)
    assert 0 < row["ci_low"] < res.sigma < row["ci_high"]


def fit_se(res) -> float:
    return float(res.cov.loc["log_sigma", "log_sigma"] ** 0.5)


def test_sandwich_and_cluster_match_r(affairs):
    hc0 = tobit(affairs, y="affairs", x=AFFAIRS_X, cov="robust", small_sample="none")
    _assert_r(hc0, "affairs_left", AFFAIRS_X, cov_tag="affairs_left_HC0")
    # R vcovCL(type = "HC0", cadjust = TRUE) is Stata's G/(G−1)
    cl = tobit(affairs, y="affairs", x=AFFAIRS_X, cluster="cl")
    _assert_r(cl, "affairs_left", AFFAIRS_X, cov_tag="affairs_left_CL")
    assert cl.n_clusters == 61 and "clustered by cl, G/(G-1)" in cl.meta["se_note"]
    stata = tobit(affairs, y="affairs", x=AFFAIRS_X, cov="robust")
    np.testing.assert_allclose(
        stata.std_errors**2 / hc0.std_errors**2, 601 / 600, rtol=1e-10
    )
    bare = tobit(affairs, y="affairs", x=AFFAIRS_X, cluster="cl", small_sample="none")
    np.testing.assert_allclose(
        cl.std_errors**2 / bare.std_errors**2, 61 / 60, rtol=1e-10
    )


def test_fit_statistics(scores, affairs):
    res = tobit(scores, y="y", x=["x1", "x2"], left=0, right=1)
    ll0 = R["scores_null:fit"]["loglik"]
    stat = res.statistics.set_index("statistic")["value"]
    assert stat["loglik_null"] == pytest.approx(ll0, rel=1e-9)
    assert res.pseudo_r2 == pytest.approx(1 - res.loglik / ll0, rel=1e-8)
    assert stat["lr_chi2"] == pytest.approx(2 * (res.loglik - ll0), rel=1e-9)
    # R's summary: Wald-statistic 67.71 on 5 Df for the affairs model
    aff = tobit(affairs, y="affairs", x=AFFAIRS_X)
    wald = aff.statistics.set_index("statistic")["value"]
    assert wald["wald_chi2"] == pytest.approx(67.71, abs=0.005)
    assert wald["wald_df"] == 5


# --- conventions and bad input -------------------------------------------------------


def test_no_censoring_gives_ols_with_ml_variance(scores):
    df = scores.assign(y=scores["y"] + 5.0)  # nothing at 0
    with pytest.warns(SpatialGreenWarning, match="no observation of 'y' is censored"):
        res = tobit(df, y="y", x=["x1", "x2"], left=0)
    x = np.column_stack([df[["x1", "x2"]].to_numpy(), np.ones(len(df))])
    beta, ssr, *_ = np.linalg.lstsq(x, df["y"].to_numpy(), rcond=None)
    np.testing.assert_allclose(res.params.to_numpy(), beta, rtol=1e-8)
    assert res.sigma == pytest.approx(np.sqrt(ssr[0] / len(df)), rel=1e-8)


def test_values_beyond_a_limit_warn_and_are_censored(affairs):
    with pytest.warns(SpatialGreenWarning, match=r"80 value\(s\) of 'affairs'"):
        res = tobit(affairs, y="affairs", x=AFFAIRS_X, right=4)
    assert res.n_right == 80 and res.meta["beyond_limits"] == 80


def test_lp_rounding_at_a_limit_counts_as_censored(scores):
    df = scores.copy()
    at_one = df["y"] >= 1
    df.loc[at_one, "y"] = 1 + 1e-12
    df.loc[df["y"] <= 0, "y"] = -1e-13
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = tobit(df, y="y", x=["x1", "x2"], left=0, right=1)
    ref = tobit(scores, y="y", x=["x1", "x2"], left=0, right=1)
    assert (res.n_left, res.n_right) == (ref.n_left, ref.n_right)
    np.testing.assert_allclose(res.params, ref.params, rtol=1e-9)


def test_input_not_mutated_and_missing_rows_counted(scores):
    df = scores.copy()
    df.loc[[3, 7], "x1"] = np.nan
    before = df.copy()
    with pytest.warns(SpatialGreenWarning, match="2 missing in 'x1'"):
        res = tobit(df, y="y", x=["x1", "x2"], left=0, right=1)
    pd.testing.assert_frame_equal(df, before)
    assert res.nobs == 298 and res.meta["dropped_missing"] == {"x1": 2}
    with pytest.raises(DataError, match="x1"):
        tobit(df, y="y", x=["x1", "x2"], missing="raise")


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"left": None, "right": None}, ModelError, "needs a censoring limit"),
        ({"left": 1, "right": 1}, ModelError, "must be below right"),
        ({"left": float("nan")}, ModelError, "finite number"),
        ({"panel": "random"}, ModelError, "needs the unit column"),
        ({"panel": "fixed"}, ModelError, "panel must be"),
        ({"cov": "clustered"}, ModelError, "needs a cluster column"),
        ({"small_sample": "linearmodels"}, ModelError, "'stata' or 'none'"),
        ({"quadrature": 1}, ModelError, "between 2 and 200"),
        ({"x": ["x1", "x1_copy"]}, ModelError, "'x1_copy' is perfectly collinear"),
        ({"x": ["x1", "k"]}, ModelError, "'k' is constant"),
        ({"x": ["nope"]}, DataError, "'nope' not found"),
        ({"y": "x1", "x": ["x1"]}, ModelError, "also among the regressors"),
    ],
)
def test_bad_options(scores, kwargs, error, message):
    df = scores.assign(x1_copy=2 * scores["x1"], k=1.0)
    options = {"y": "y", "x": ["x1", "x2"], "right": 1, **kwargs}
    with pytest.raises(error, match=message):
        tobit(df, **options)


def test_every_value_at_a_limit_and_few_clusters(scores):
    df = scores.assign(y=scores["y"].round(), g=np.arange(300) % 3)
    with pytest.raises(ModelError, match="every observation of 'y' is at a limit"):
        _quiet(tobit, df, y="y", x=["x1"], left=0, right=1)
    with pytest.raises(ModelError, match="only 3 clusters in 'g'"):
        tobit(scores.assign(g=df["g"]), y="y", x=["x1"], right=1, cluster="g")


# --- random effects: independent likelihood, simulation ------------------------------


def _re_panel(
    seed: int, n: int, t: int, sigma_u: float = 0.8, sigma_e: float = 0.6
) -> pd.DataFrame:
    """y* = 0.3 + 0.5·x1 − 0.4·x2 + u_i + e_it, censored at 0 and 1.5."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "unit": np.repeat(np.arange(n), t),
            "year": np.tile(np.arange(2000, 2000 + t), n),
        }
    )
    df["x1"] = rng.normal(size=n * t)
    df["x2"] = rng.uniform(0, 2, size=n * t)
    u = np.repeat(rng.normal(0, sigma_u, n), t)
    latent = 0.3 + 0.5 * df["x1"] - 0.4 * df["x2"] + u + rng.normal(0, sigma_e, n * t)
    df["y"] = latent.clip(0, 1.5)
    return df


def _quad_loglik(theta: np.ndarray, df: pd.DataFrame, lo: float, hi: float) -> float:
    """The random-effects Tobit log-likelihood by adaptive scipy.integrate.quad:
    Σ_i log ∫ Π_t f(y_it | x_it'β + u) φ(u/σ_u)/σ_u du, written from the model
    (each unit's integrand scaled by its maximum, found by minimize_scalar)."""
    beta, s_e, s_u = theta[:3], math.exp(theta[3]), math.exp(theta[4])
    const = -0.5 * math.log(2 * math.pi)
    total = 0.0
    for _, g in df.groupby("unit"):
        m = (g["x1"] * beta[0] + g["x2"] * beta[1] + beta[2]).tolist()
        terms = list(zip(m, g["y"].tolist(), strict=True))

        def logf(u: float, terms=terms) -> float:
            v = const - math.log(s_u) - 0.5 * (u / s_u) ** 2
            for mi, yi in terms:
                if yi <= lo:
                    v += special.log_ndtr((lo - mi - u) / s_e)
                elif yi >= hi:
                    v += special.log_ndtr((mi + u - hi) / s_e)
                else:
                    v += const - math.log(s_e) - 0.5 * ((yi - mi - u) / s_e) ** 2
            return v

        mode = optimize.minimize_scalar(
            lambda u, f=logf: -f(u),
            bounds=(-10 * s_u, 10 * s_u),
            method="bounded",
            options={"xatol": 1e-10},
        ).x
        top = logf(mode)
        value, _ = integrate.quad(
            lambda u, f=logf, c=top: math.exp(f(u) - c),
            -12 * s_u,
            12 * s_u,
            points=[mode],
            epsabs=0,
            epsrel=1e-12,
            limit=200,
        )
        total += math.log(value) + top
    return total


def test_random_effects_maximise_the_independent_likelihood():
    df = _re_panel(seed=11, n=25, t=4)
    res = tobit(
        df, y="y", x=["x1", "x2"], left=0, right=1.5, unit="unit", panel="random"
    )
    theta = np.asarray(res.meta["theta"])
    assert res.meta["parameters"] == ["x1", "x2", "const", "log_sigma_e", "log_sigma_u"]
    assert res.loglik == pytest.approx(_quad_loglik(theta, df, 0, 1.5), abs=1e-5)
    # gradient and Hessian of the quad likelihood by central differences
    p, h = theta.size, 1e-3

    def f(t: np.ndarray) -> float:
        return _quad_loglik(t, df, 0, 1.5)

    eye = np.eye(p) * h
    grad = np.array([(f(theta + e) - f(theta - e)) / (2 * h) for e in eye])
    hess = np.empty((p, p))
    f0 = f(theta)
    for i in range(p):
        for j in range(i, p):
            if i == j:
                hess[i, i] = (f(theta + eye[i]) - 2 * f0 + f(theta - eye[i])) / h**2
            else:
                hess[i, j] = hess[j, i] = (
                    f(theta + eye[i] + eye[j])
                    - f(theta + eye[i] - eye[j])
                    - f(theta - eye[i] + eye[j])
                    + f(theta - eye[i] - eye[j])
                ) / (4 * h * h)
    step = np.linalg.solve(hess, grad)  # one Newton step to the quad maximum
    np.testing.assert_allclose(step, 0, atol=2e-4)
    np.testing.assert_allclose(
        np.sqrt(np.diag(np.linalg.inv(-hess))),
        np.sqrt(np.diag(res.cov.to_numpy())),
        rtol=2e-3,
    )


def test_adaptive_quadrature_beats_plain_at_the_same_points():
    df = _re_panel(seed=3, n=40, t=5)
    kw = {"y": "y", "x": ["x1", "x2"], "left": 0, "right": 1.5, "unit": "unit"}
    adaptive = tobit(df, panel="random", **kw)
    with pytest.warns(SpatialGreenWarning, match="adaptive=True needs fewer"):
        plain = tobit(df, panel="random", adaptive=False, **kw)
    many = tobit(df, panel="random", adaptive=False, quadrature=100, **kw)
    exact = _quad_loglik(np.asarray(adaptive.meta["theta"]), df, 0, 1.5)
    assert adaptive.loglik == pytest.approx(exact, abs=1e-4)
    assert abs(plain.loglik - exact) > 100 * abs(adaptive.loglik - exact)
    assert many.loglik == pytest.approx(exact, abs=1e-3)
    np.testing.assert_allclose(many.params, adaptive.params, atol=1e-3)
    assert "adaptive Gauss-Hermite quadrature, 12 points" in adaptive.meta["se_note"]
    shift = adaptive.statistics.set_index("statistic")["value"]["quadrature_shift"]
    assert 0 <= shift < 0.01


def test_hard_integrals_trigger_the_quadrature_check():
    """ρ ≈ 0.98, 15 periods, many units censored in every period: 12 points are
    not enough, and the check (refit with 24) says so."""
    df = _re_panel(seed=3, n=40, t=15, sigma_u=2.0, sigma_e=0.3)
    kw = {"y": "y", "x": ["x1", "x2"], "left": 0, "right": 1.5, "unit": "unit"}
    with pytest.warns(SpatialGreenWarning, match="quadrature=24 or more"):
        res = tobit(df, panel="random", **kw)
    fine = _quiet(tobit, df, panel="random", quadrature=60, **kw)
    shift = res.statistics.set_index("statistic")["value"]["quadrature_shift"]
    moved = np.abs(np.asarray(fine.meta["theta"]) - res.meta["theta"])
    assert shift > 0.05
    assert np.max(moved / np.sqrt(np.diag(res.cov))) == pytest.approx(shift, rel=0.3)


@pytest.mark.parametrize("seed", [0, 1])
def test_random_effects_recover_the_truth(seed):
    df = _re_panel(seed=seed, n=300, t=5)
    res = tobit(
        df,
        y="y",
        x=["x1", "x2"],
        left=0,
        right=1.5,
        unit="unit",
        time="year",
        panel="random",
    )
    truth = {"x1": 0.5, "x2": -0.4, "const": 0.3}
    z = (res.params[list(truth)] - pd.Series(truth)) / res.std_errors[list(truth)]
    assert (z.abs() < 3.5).all(), z
    anc = res.ancillary
    for name, value in (("sigma_u", 0.8), ("sigma_e", 0.6), ("rho", 0.64 / 1.0)):
        assert abs(anc.loc[name, "estimate"] - value) < 3.5 * anc.loc[name, "std_error"]
    stat = res.statistics.set_index("statistic")["value"]
    assert stat["lr_sigma_u"] > 50 and stat["lr_sigma_u_p"] < 1e-10
    assert res.fixed_effects == {"Unit RE": True}


def test_random_effects_on_the_boundary_report_the_pooled_tobit():
    rng = np.random.default_rng(2)  # no unit effects; the score of σ_u² at 0 is < 0
    df = pd.DataFrame({"unit": np.repeat(np.arange(100), 5)})
    df["x1"] = rng.normal(size=500)
    df["y"] = (0.2 + 0.5 * df["x1"] + rng.normal(0, 0.6, 500)).clip(0, None)
    with pytest.warns(SpatialGreenWarning, match="highest at σ_u = 0"):
        res = tobit(df, y="y", x="x1", unit="unit", panel="random")
    pooled = tobit(df, y="y", x="x1")
    np.testing.assert_allclose(res.params, pooled.params, rtol=1e-12)
    np.testing.assert_allclose(res.std_errors, pooled.std_errors, rtol=1e-12)
    assert res.sigma_u == 0 and res.rho == 0 and res.sigma_e == pooled.sigma
    assert np.isnan(res.ancillary.loc["sigma_u", "std_error"])
    stat = res.statistics.set_index("statistic")["value"]
    assert stat["lr_sigma_u"] == 0 and stat["lr_sigma_u_p"] == 1
    me = res.marginal_effects("censored")
    assert np.isfinite(me.std_errors).all()


def test_random_effects_options():
    df = _re_panel(seed=4, n=30, t=4)
    with pytest.raises(ModelError, match="OIM standard errors only"):
        tobit(df, y="y", x="x1", unit="unit", panel="random", cluster="unit")
    swapped = df.sample(frac=1.0, random_state=0)  # row order does not matter
    a = tobit(df, y="y", x="x1", right=1.5, unit="unit", panel="random")
    b = tobit(swapped, y="y", x="x1", right=1.5, unit="unit", panel="random")
    np.testing.assert_allclose(a.params, b.params, rtol=1e-7)
    assert a.loglik == pytest.approx(b.loglik, rel=1e-10)


# --- marginal effects ----------------------------------------------------------------


def _expected_y(m: float, sigma: float, lo: float, hi: float, kind: str) -> float:
    """E[y] (censored) or E[y | lo < y < hi] by numerical integration over y*."""
    inner, _ = integrate.quad(
        lambda v: v * stats.norm.pdf((v - m) / sigma) / sigma, lo, hi, epsrel=1e-12
    )
    p_lo, p_hi = stats.norm.cdf((lo - m) / sigma), stats.norm.sf((hi - m) / sigma)
    if kind == "censored":
        return lo * p_lo + hi * p_hi + inner
    return inner / (1 - p_lo - p_hi)


@pytest.mark.parametrize("kind", ["censored", "truncated"])
def test_marginal_effects_are_derivatives_of_the_expectation(scores, kind):
    res = tobit(scores, y="y", x=["x1", "x2"], left=0, right=1)
    b, s = res.params, res.sigma
    xbar = scores[["x1", "x2"]].mean()
    h = 1e-4

    def at(x1: float, x2: float) -> float:
        m = b["const"] + b["x1"] * x1 + b["x2"] * x2
        return _expected_y(m, s, 0.0, 1.0, kind)

    me = res.marginal_effects(kind, at="mean").params
    d1 = (at(xbar["x1"] + h, xbar["x2"]) - at(xbar["x1"] - h, xbar["x2"])) / (2 * h)
    assert me["x1"] == pytest.approx(d1, rel=1e-6)
    rows = scores.iloc[::15]  # average of the row derivatives, on a subsample
    sub = _quiet(tobit, rows, y="y", x=["x1", "x2"], left=0, right=1)
    b, s = sub.params, sub.sigma
    derivs = [
        (at(r.x1, r.x2 + h) - at(r.x1, r.x2 - h)) / (2 * h) for r in rows.itertuples()
    ]
    ame = sub.marginal_effects(kind, at="average").params["x2"]
    assert ame == pytest.approx(np.mean(derivs), rel=1e-6)


def test_marginal_effect_standard_errors(scores):
    res = tobit(scores, y="y", x=["x1", "x2"], left=0, right=1)
    latent = res.marginal_effects("latent")
    np.testing.assert_allclose(latent.params, res.params[["x1", "x2"]], rtol=1e-12)
    np.testing.assert_allclose(
        latent.std_errors, res.std_errors[["x1", "x2"]], rtol=1e-6
    )
    # delta method against Krinsky–Robb simulation of the parameters
    me = res.marginal_effects("censored", at="mean")
    theta = np.asarray(res.meta["theta"])
    draws = np.random.default_rng(0).multivariate_normal(
        theta, res.cov.to_numpy(), size=20000
    )
    xbar = np.append(scores[["x1", "x2"]].mean().to_numpy(), 1.0)
    m, sigma = draws[:, :3] @ xbar, np.exp(draws[:, 3])
    prob = stats.norm.cdf((1 - m) / sigma) - stats.norm.cdf(-m / sigma)
    sim = draws[:, :2] * prob[:, None]
    np.testing.assert_allclose(me.std_errors, sim.std(axis=0), rtol=0.03)
    assert me.meta["se_note"].startswith("Marginal effects on E[y] (observed")


def test_random_effects_marginal_effects_scales():
    df = _re_panel(seed=5, n=60, t=5)
    res = tobit(
        df, y="y", x=["x1", "x2"], left=0, right=1.5, unit="unit", panel="random"
    )
    xbar = np.append(df[["x1", "x2"]].mean().to_numpy(), 1.0)
    m = xbar @ res.params.to_numpy()
    for unit_effect, sigma in (
        ("zero", res.sigma_e),
        ("integrated", np.hypot(res.sigma_u, res.sigma_e)),
    ):
        me = res.marginal_effects("censored", at="mean", unit_effect=unit_effect)
        prob = stats.norm.cdf((1.5 - m) / sigma) - stats.norm.cdf(-m / sigma)
        np.testing.assert_allclose(
            me.params, res.params[["x1", "x2"]] * prob, rtol=1e-10
        )
    with pytest.raises(ModelError, match="kind must be"):
        res.marginal_effects("observed")
    with pytest.raises(ModelError, match="at must be"):
        res.marginal_effects(at="median")


# --- tables ------------------------------------------------------------------------


def test_regression_table_with_tobit_columns(scores):
    pooled = tobit(scores, y="y", x=["x1", "x2"], left=0, right=1)
    table = regression_table(
        {"Tobit": pooled, "dy/dx": pooled.marginal_effects()},
        stats=("nobs", "sigma", "loglik", "pseudo_r2", "n_left", "n_right"),
    )
    rows = table.table.set_index("")
    assert rows.loc["x1", "Tobit"] == f"{pooled.params['x1']:.4f}***"
    assert rows.loc["σ", "Tobit"] == f"{pooled.sigma:.4f}"
    assert rows.loc["Log likelihood", "Tobit"] == f"{pooled.loglik:.4f}"
    assert rows.loc["Left-censored", "Tobit"] == "44"
    assert rows.loc["Right-censored", "Tobit"] == "10"
    assert rows.loc["Pseudo R²", "dy/dx"] == ""
    assert "Tobit, left limit 0 and right limit 1; OIM standard errors" in table.note
    assert r"$\sigma$" in table.to_latex()


# --- invariances (hypothesis) --------------------------------------------------------


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    scale=st.floats(0.05, 50.0),
    shift=st.floats(-100.0, 100.0),
)
def test_affine_change_of_units(scores, scale, shift):
    """y → a·y + c with the limits moved alike: β and σ scale by a, the constant
    moves by c, and the log-likelihood falls by (uncensored)·log a."""
    base = tobit(scores, y="y", x=["x1", "x2"], left=0, right=1)
    df = scores.assign(y=scale * scores["y"] + shift)
    moved = tobit(df, y="y", x=["x1", "x2"], left=shift, right=scale + shift)
    np.testing.assert_allclose(
        moved.params[["x1", "x2"]], scale * base.params[["x1", "x2"]], rtol=1e-6
    )
    assert moved.params["const"] == pytest.approx(
        scale * base.params["const"] + shift, rel=1e-6, abs=1e-6 * scale
    )
    assert moved.sigma == pytest.approx(scale * base.sigma, rel=1e-6)
    assert moved.loglik == pytest.approx(
        base.loglik - base.n_uncensored * np.log(scale), rel=1e-8, abs=1e-6
    )
    slopes = ["x1", "x2"]
    np.testing.assert_allclose(
        moved.pvalues[slopes], base.pvalues[slopes], rtol=1e-4, atol=1e-12
    )
