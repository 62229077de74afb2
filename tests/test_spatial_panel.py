"""Fixed-effects spatial panels: against spreg's Panel_FE_Lag/Panel_FE_Error on the
builtin us_income panel, against independent routes (full vs concentrated
likelihood, dummy-variable LSDV vs demeaning, analytic vs numerical Hessian,
linearmodels' within estimator), Lee–Yu bias correction by Monte Carlo, and the
SDM restriction tests."""

from __future__ import annotations

import contextlib
import io

import libpysal
import numpy as np
import pandas as pd
import pytest
import spreg
from _helpers import knn_weights
from hypothesis import example, given, settings
from hypothesis import strategies as st
from libpysal.graph import Graph
from libpysal.weights import lat2W
from scipy import optimize

from spatialgreen.errors import ModelError, PanelError, WeightsError
from spatialgreen.spatial import hausman_test, spatial_panel
from spatialgreen.spatial._panel_likelihood import (
    _error_hessian,
    _error_loglik,
    _lag_hessian,
    _lag_loglik,
)
from spatialgreen.spatial.panel import _design

X = ["lninc", "lag_growth"]


@pytest.fixture(scope="module")
def us_income():
    """Growth of per-capita income of 48 US states, 2000–2009 (libpysal builtin)."""
    raw = pd.read_csv(libpysal.examples.get_path("usjoin.csv"))
    w = libpysal.io.open(libpysal.examples.get_path("states48.gal")).read()
    years = list(range(2000, 2010))
    inc = np.log(raw[[str(y) for y in range(1998, 2010)]].to_numpy(float))
    rows = []
    for j, year in enumerate(years):
        c = j + 2
        for i in range(len(raw)):
            rows.append(
                {
                    "state": str(i),
                    "year": year,
                    "growth": inc[i, c] - inc[i, c - 1],
                    "lninc": inc[i, c - 1],
                    "lag_growth": inc[i, c - 1] - inc[i, c - 2],
                }
            )
    return pd.DataFrame(rows), w


def _simulate(
    n_side=6, periods=8, rho=0.4, beta=(1.0, -0.5), theta=(0.0, 0.0), seed=0, lam=None
):
    rng = np.random.default_rng(seed)
    w = lat2W(n_side, n_side, rook=False)
    w.transform = "r"
    wd = w.full()[0]
    n = wd.shape[0]
    mu = rng.normal(size=n)
    rows = []
    inv = np.linalg.inv(np.eye(n) - (rho if lam is None else 0.0) * wd)
    err_inv = np.linalg.inv(np.eye(n) - (lam or 0.0) * wd)
    for t in range(periods):
        x = rng.normal(size=(n, 2)) + mu[:, None] * 0.5
        eps = err_inv @ rng.normal(size=n)
        y = inv @ (x @ np.array(beta) + wd @ x @ np.array(theta) + mu + 0.3 * t + eps)
        for i in range(n):
            rows.append(
                {"unit": i, "year": 2000 + t, "y": y[i], "x1": x[i, 0], "x2": x[i, 1]}
            )
    return pd.DataFrame(rows), lat2W(n_side, n_side, rook=False)


def _usjoin_design(df, w, model, effects, lee_yu):
    """The estimator's internal design for the us_income growth regression."""
    from spatialgreen.geo.weights import weights_for

    units = list(dict.fromkeys(df["state"]))
    years = sorted(df["year"].unique())
    return _design(
        df,
        "growth",
        X,
        "state",
        "year",
        units,
        years,
        weights_for(w, units),
        model,
        effects,
        lee_yu,
    )


def _spreg_panel(cls, df, w):
    w = libpysal.weights.W(w.neighbors, w.weights, id_order=w.id_order)
    w.transform = "r"
    ordered = df.set_index(["year", "state"]).reindex(
        pd.MultiIndex.from_product([sorted(df["year"].unique()), w.id_order])
    )
    with contextlib.redirect_stdout(io.StringIO()):
        return cls(ordered[["growth"]].to_numpy(), ordered[X].to_numpy(), w)


@pytest.mark.parametrize(
    ("model", "cls"), [("sar", spreg.Panel_FE_Lag), ("sem", spreg.Panel_FE_Error)]
)
def test_unit_fe_matches_spreg(us_income, model, cls):
    df, w = us_income
    res = spatial_panel(
        df,
        y="growth",
        x=X,
        w=w,
        unit="state",
        time="year",
        model=model,
        effects="unit",
        draws=0,
    )
    ref = _spreg_panel(cls, df, w)
    np.testing.assert_allclose(res.params.to_numpy(), np.ravel(ref.betas), rtol=1e-6)
    np.testing.assert_allclose(
        res.std_errors.to_numpy(), np.ravel(ref.std_err), rtol=1e-6
    )
    assert res.sigma2 == pytest.approx(float(np.ravel(ref.sig2)[0]), rel=1e-6)
    # spreg's reported log-likelihood drops the (NT/2) ln(NT) of sigma2 = e'e/(NT)
    nt = 480
    assert res.loglik == pytest.approx(
        float(np.ravel(ref.logll)[0]) + nt / 2 * np.log(nt), rel=1e-8
    )
    assert res.nobs == nt
    assert res.params.index[-1] == ("rho" if model == "sar" else "lambda")


CASES = [
    (m, e, ly)
    for m in ("sar", "sem", "sdm")
    for e in ("unit", "time", "twoway")
    for ly in (False, True)
]


@pytest.mark.parametrize(("model", "effects", "lee_yu"), CASES)
def test_concentrated_equals_full_likelihood(us_income, model, effects, lee_yu):
    df, w = us_income
    res = spatial_panel(
        df,
        y="growth",
        x=X,
        w=w,
        unit="state",
        time="year",
        model=model,
        effects=effects,
        lee_yu=lee_yu,
        draws=0,
        tests=False,
    )
    d = _usjoin_design(df, w, model, effects, lee_yu)
    loglik = _error_loglik if model == "sem" else _lag_loglik
    k = d.x.shape[2]

    def negative(theta):
        return -loglik(d, theta[:k], theta[k], np.exp(theta[k + 1]))

    start = np.append(np.zeros(k + 1), np.log(np.var(d.y)))
    best = optimize.minimize(
        negative, start, method="BFGS", options={"gtol": 1e-9, "maxiter": 5000}
    )
    scale = res.std_errors.to_numpy()
    np.testing.assert_allclose(
        best.x[: k + 1], res.params.to_numpy(), atol=2e-3 * scale.max()
    )
    assert -best.fun == pytest.approx(res.loglik, abs=1e-5)
    assert np.exp(best.x[-1]) == pytest.approx(res.sigma2, rel=1e-3)


def test_demeaning_equals_dummy_variables_and_linearmodels(us_income):
    from linearmodels import PanelOLS

    df, w = us_income
    res = spatial_panel(
        df,
        y="growth",
        x=X,
        w=w,
        unit="state",
        time="year",
        model="sar",
        effects="twoway",
        draws=0,
    )
    # LSDV route: unit and year dummies instead of demeaning, concentrated in rho
    w.transform = "r"
    wd = w.full()[0]
    ordered = df.set_index(["year", "state"]).reindex(
        pd.MultiIndex.from_product(
            [sorted(df["year"].unique()), w.id_order], names=["year", "state"]
        )
    )
    y = ordered["growth"].to_numpy()
    wy = np.concatenate([wd @ block for block in y.reshape(10, 48)])
    dummies = pd.get_dummies(
        ordered.reset_index()[["year", "state"]].astype(str),
        drop_first=True,
        dtype=float,
    )
    z = np.column_stack([ordered[X].to_numpy(), np.ones(480), dummies.to_numpy()])
    e0 = y - z @ np.linalg.lstsq(z, y, rcond=None)[0]
    e1 = wy - z @ np.linalg.lstsq(z, wy, rcond=None)[0]
    omega = np.linalg.eigvals(wd).real

    def negative(rho):
        e = e0 - rho * e1
        return 240 * np.log(e @ e) - 10 * np.log(1 - rho * omega).sum()

    rho = optimize.minimize_scalar(
        negative, bounds=(-0.9, 0.99), method="bounded", options={"xatol": 1e-12}
    ).x
    assert res.params["rho"] == pytest.approx(rho, abs=1e-7)
    beta = np.linalg.lstsq(z, y - rho * wy, rcond=None)[0][:2]
    np.testing.assert_allclose(res.params[X].to_numpy(), beta, rtol=1e-6)
    # at rho = 0 the estimator is the two-way within estimator (linearmodels)
    panel = df.set_index(["state", "year"])
    within = PanelOLS(
        panel["growth"], panel[X], entity_effects=True, time_effects=True
    ).fit()
    np.testing.assert_allclose(
        np.linalg.lstsq(z, y, rcond=None)[0][:2], within.params.to_numpy(), rtol=1e-8
    )


@pytest.mark.parametrize(
    ("model", "effects", "lee_yu"),
    [
        ("sar", "twoway", True),
        ("sem", "twoway", True),
        ("sdm", "unit", False),
        ("sem", "time", False),
    ],
)
def test_analytic_hessian_matches_numerical(us_income, model, effects, lee_yu):
    df, w = us_income
    res = spatial_panel(
        df,
        y="growth",
        x=X,
        w=w,
        unit="state",
        time="year",
        model=model,
        effects=effects,
        lee_yu=lee_yu,
        vcov="observed",
        draws=0,
        tests=False,
    )
    d = _usjoin_design(df, w, model, effects, lee_yu)
    theta = np.append(res.params.to_numpy(), res.sigma2)
    k = d.x.shape[2]
    if model == "sem":
        xm = d.x.reshape(-1, k)
        wxm = d.demean_units(np.einsum("ij,tjk->tik", d.w, d.x)).reshape(xm.shape)
        parts = (xm, wxm, d.y.ravel(), d.demean_units(d.y @ d.w.T).ravel())
        analytic = _error_hessian(d, parts, theta[:k], theta[k], theta[k + 1])
        f = _error_loglik
    else:
        analytic = _lag_hessian(d, theta[:k], theta[k], theta[k + 1])
        f = _lag_loglik
    steps = 1e-4 * np.maximum(np.abs(theta), 1e-3)
    numeric = np.zeros_like(analytic)

    def at(i, j, di, dj):
        t = theta.copy()
        t[i] += di * steps[i]
        t[j] += dj * steps[j]
        return f(d, t[:k], t[k], t[k + 1])

    for i in range(len(theta)):
        for j in range(len(theta)):
            numeric[i, j] = (
                at(i, j, 1, 1) - at(i, j, 1, -1) - at(i, j, -1, 1) + at(i, j, -1, -1)
            ) / (4 * steps[i] * steps[j])
    np.testing.assert_allclose(
        numeric, analytic, rtol=2e-3, atol=1e-6 * np.abs(analytic).max()
    )
    # observed and expected information agree to first order at the MLE
    expected = spatial_panel(
        df,
        y="growth",
        x=X,
        w=w,
        unit="state",
        time="year",
        model=model,
        effects=effects,
        lee_yu=lee_yu,
        draws=0,
        tests=False,
    )
    np.testing.assert_allclose(expected.std_errors, res.std_errors, rtol=0.25)


def test_lee_yu_unit_effects_rescales_sigma2_only(us_income):
    df, w = us_income
    kw = {"y": "growth", "x": X, "w": w, "unit": "state", "time": "year", "draws": 0}
    direct = spatial_panel(df, model="sar", effects="unit", **kw)
    corrected = spatial_panel(df, model="sar", effects="unit", lee_yu=True, **kw)
    pd.testing.assert_series_equal(direct.params, corrected.params, rtol=1e-7)
    assert corrected.sigma2 == pytest.approx(direct.sigma2 * 10 / 9, rel=1e-6)
    assert corrected.meta["approach"].startswith("Lee-Yu")


def test_lee_yu_removes_two_way_bias_monte_carlo():
    """sigma2 = 1: the direct approach converges to (N-1)(T-1)/(NT); Lee–Yu to 1."""
    direct, corrected, rho_ly = [], [], []
    for rep in range(25):
        df, w = _simulate(n_side=5, periods=4, rho=0.4, seed=100 + rep)
        kw = {
            "y": "y",
            "x": ["x1", "x2"],
            "w": w,
            "unit": "unit",
            "time": "year",
            "effects": "twoway",
            "draws": 0,
        }
        direct.append(spatial_panel(df, **kw).sigma2)
        fit = spatial_panel(df, lee_yu=True, **kw)
        corrected.append(fit.sigma2)
        rho_ly.append(fit.params["rho"])
    factor = 24 * 3 / (25 * 4)
    assert np.mean(direct) == pytest.approx(factor, abs=0.07)
    assert np.mean(corrected) == pytest.approx(1.0, abs=0.09)
    assert np.mean(rho_ly) == pytest.approx(0.4, abs=0.06)


def test_sdm_recovers_parameters_and_effects():
    df, w = _simulate(
        n_side=7, periods=12, rho=0.35, beta=(1.0, -0.5), theta=(0.5, 0.3), seed=3
    )
    res = spatial_panel(
        df,
        y="y",
        x=["x1", "x2"],
        w=w,
        unit="unit",
        time="year",
        model="sdm",
        effects="twoway",
        lee_yu=True,
        draws=1000,
    )
    truth = {"x1": 1.0, "x2": -0.5, "W_x1": 0.5, "W_x2": 0.3, "rho": 0.35}
    for name, value in truth.items():
        assert abs(res.params[name] - value) < 3.5 * res.std_errors[name], name
    total = (
        res.params[["x1", "x2"]].to_numpy() + res.params[["W_x1", "W_x2"]].to_numpy()
    ) / (1 - res.params["rho"])
    np.testing.assert_allclose(res.impacts["total"], total, rtol=1e-10)
    assert (res.impacts["total_se"] > 0).all()


def test_sdm_tests_match_separate_fits(us_income):
    df, w = us_income
    kw = {
        "y": "growth",
        "x": X,
        "w": w,
        "unit": "state",
        "time": "year",
        "effects": "twoway",
        "draws": 0,
    }
    sdm = spatial_panel(df, model="sdm", **kw)
    sar = spatial_panel(df, model="sar", **kw)
    sem = spatial_panel(df, model="sem", **kw)
    tests = sdm.diagnostics
    assert tests.loc["LR SDM vs SAR (theta = 0)", "statistic"] == pytest.approx(
        2 * (sdm.loglik - sar.loglik), rel=1e-8
    )
    assert tests.loc[
        "LR SDM vs SEM (theta + rho*beta = 0)", "statistic"
    ] == pytest.approx(2 * (sdm.loglik - sem.loglik), rel=1e-8)
    theta = sdm.params[["W_lninc", "W_lag_growth"]].to_numpy()
    v = sdm.cov.loc[["W_lninc", "W_lag_growth"], ["W_lninc", "W_lag_growth"]].to_numpy()
    assert tests.loc["Wald SDM vs SAR (theta = 0)", "statistic"] == pytest.approx(
        theta @ np.linalg.solve(v, theta), rel=1e-10
    )
    assert (tests["df"] == 2).all()
    assert sdm.loglik >= max(sar.loglik, sem.loglik)


def test_sar_panel_effects_closed_form(us_income):
    df, w = us_income
    res = spatial_panel(
        df,
        y="growth",
        x=X,
        w=w,
        unit="state",
        time="year",
        effects="twoway",
        draws=300,
        seed=2,
    )
    np.testing.assert_allclose(
        res.impacts["total"], res.params[X] / (1 - res.params["rho"]), rtol=1e-10
    )
    again = spatial_panel(
        df,
        y="growth",
        x=X,
        w=w,
        unit="state",
        time="year",
        effects="twoway",
        draws=300,
        seed=2,
    )
    pd.testing.assert_frame_equal(res.impacts, again.impacts)


def test_hausman_distinguishes_fixed_from_random_effects():
    rng = np.random.default_rng(11)
    n, t = 49, 8
    mu = rng.normal(size=n)
    rows = []
    for year in range(t):
        x_re = rng.normal(size=n)
        x_fe = rng.normal(size=n) + 2 * mu
        for i in range(n):
            rows.append(
                {
                    "unit": i,
                    "year": year,
                    "x_re": x_re[i],
                    "x_fe": x_fe[i],
                    "y_re": x_re[i] + mu[i] + rng.normal(),
                    "y_fe": x_fe[i] + mu[i] + rng.normal(),
                }
            )
    df = pd.DataFrame(rows)
    kw = {"unit": "unit", "time": "year"}
    random_ok = hausman_test(df, y="y_re", x=["x_re"], **kw)
    correlated = hausman_test(df, y="y_fe", x=["x_fe"], **kw)
    assert random_ok["p"] > 0.01
    assert correlated["p"] < 1e-4
    assert correlated["df"] == 1
    assert random_ok["statistic"] >= 0
    from linearmodels import PanelOLS, RandomEffects

    panel = df.set_index(["unit", "year"])
    exog = panel[["x_fe"]].assign(const=1.0)
    fe = PanelOLS(panel["y_fe"], exog, entity_effects=True).fit()
    re_ = RandomEffects(panel["y_fe"], exog).fit()
    hand = (fe.params["x_fe"] - re_.params["x_fe"]) ** 2 / (
        fe.cov.loc["x_fe", "x_fe"] - re_.cov.loc["x_fe", "x_fe"]
    )
    assert correlated["statistic"] == pytest.approx(hand, rel=1e-10)


def test_bad_panels_raise_clear_errors(us_income):
    df, w = us_income
    kw = {"y": "growth", "x": X, "w": w, "unit": "state", "time": "year"}
    with pytest.raises(PanelError, match="unbalanced panel"):
        spatial_panel(df.iloc[1:], **kw)
    with pytest.raises(WeightsError, match="units missing from the weights: 'X'"):
        spatial_panel(df.replace({"state": {"0": "X"}}), **kw)
    with pytest.raises(ModelError, match="'const_x'"):
        spatial_panel(
            df.assign(const_x=df["state"].astype(int)),
            y="growth",
            x=["lninc", "const_x"],
            w=w,
            unit="state",
            time="year",
        )
    with pytest.raises(ModelError, match="row-standardised"):
        spatial_panel(df, effects="twoway", lee_yu=True, transform="b", **kw)
    island = Graph.from_arrays(["0", "1", "2"], ["1", "0", "2"], [1.0, 1.0, 0.0])
    small = df[df["state"].isin(["0", "1", "2"])]
    with pytest.raises(WeightsError, match="islands"):
        spatial_panel(small, **{**kw, "w": island})


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000), shift=st.floats(-100, 100))
@example(seed=1973, shift=0.5)
def test_two_way_estimates_invariant_to_effects_and_row_order(seed, shift):
    df, w = _simulate(n_side=4, periods=4, rho=0.3, seed=seed)
    rng = np.random.default_rng(seed)
    unit_shift = pd.Series(rng.normal(size=16) * shift, index=range(16))
    moved = df.assign(y=df["y"] + df["unit"].map(unit_shift) + df["year"] * shift)
    kw = {
        "y": "y",
        "x": ["x1", "x2"],
        "w": w,
        "unit": "unit",
        "time": "year",
        "model": "sdm",
        "effects": "twoway",
        "draws": 0,
        "tests": False,
    }
    base = spatial_panel(df, **kw)
    other = spatial_panel(moved.sample(frac=1.0, random_state=seed), **kw)
    # ρ comes from scipy's bounded Brent search, whose step tolerance is
    # sqrt(eps)·|ρ| + xatol/3 (≈ 5e-9 here): coefficients that depend on ρ agree
    # to about 1e-8 absolute between two runs, not better (seed 1973, shift 0.5:
    # 1.4e-8 on a coefficient of -3.9e-4)
    np.testing.assert_allclose(other.params, base.params, rtol=1e-6, atol=1e-7)
    assert other.loglik == pytest.approx(base.loglik, rel=1e-9)


def test_panel_sdm_total_effect_with_knn_weights():
    rng = np.random.default_rng(5)
    w = knn_weights(9, 2)
    n, t = w.n, 6
    df = pd.DataFrame(
        {
            "unit": np.tile(w.id_order, t),
            "year": np.repeat(np.arange(t), n),
            "x": rng.normal(size=n * t),
        }
    )
    df["y"] = df["x"] + rng.normal(size=n * t)
    res = spatial_panel(
        df, y="y", x=["x"], w=w, unit="unit", time="year", model="sdm", draws=50
    )
    p = res.params
    assert res.impacts.loc["x", "total"] == pytest.approx(
        (p["x"] + p["W_x"]) / (1 - p["rho"]), rel=1e-10
    )
    assert np.isfinite(res.impacts["total_se"]).all()


@pytest.mark.parametrize(
    ("x", "model", "effects"),
    [
        (["x", "z"], "sdm", "unit"),  # z common to all units: W z == z
        (["x", "x2"], "sar", "twoway"),
        (["x", "x2"], "sem", "unit"),
    ],
)
def test_collinear_regressors_raise_model_error_naming_them(x, model, effects):
    rng = np.random.default_rng(1)
    n, t = 25, 6
    df = pd.DataFrame(
        {
            "unit": np.tile(np.arange(n), t),
            "year": np.repeat(np.arange(t), n),
            "x": rng.normal(size=n * t),
        }
    )
    df["z"] = np.repeat(rng.normal(size=t), n)
    df["x2"] = 2 * df["x"]
    df["y"] = df["x"] + rng.normal(size=n * t)
    with pytest.raises(ModelError, match="collinear"):
        spatial_panel(
            df,
            y="y",
            x=x,
            w=lat2W(5, 5),
            unit="unit",
            time="year",
            model=model,
            effects=effects,
            draws=0,
        )


def test_lee_yu_time_effects_checks_row_sums_not_transform_name():
    """transform=None raised AttributeError ('NoneType'.lower) instead of checking
    that the weights are row-standardised."""
    rng = np.random.default_rng(2)
    n, t = 16, 5
    df = pd.DataFrame(
        {
            "unit": np.tile(np.arange(n), t),
            "year": np.repeat(np.arange(t), n),
            "x": rng.normal(size=n * t),
        }
    )
    df["y"] = df["x"] + rng.normal(size=n * t)
    kw = {"y": "y", "x": ["x"], "unit": "unit", "time": "year", "draws": 0}
    with pytest.raises(ModelError, match="row-standardised"):
        spatial_panel(
            df, w=lat2W(4, 4), transform=None, lee_yu=True, effects="twoway", **kw
        )
    wr = lat2W(4, 4)
    wr.transform = "r"
    kept = spatial_panel(df, w=wr, transform=None, lee_yu=True, effects="twoway", **kw)
    ref = spatial_panel(df, w=lat2W(4, 4), lee_yu=True, effects="twoway", **kw)
    assert kept.params["rho"] == pytest.approx(ref.params["rho"], rel=1e-10)


# ------------------------------------------------ demeaning order (issue 15, item 12)


def _independent_fit(df, w, model, effects, demean):
    """ML by a concentrated likelihood written from scratch: effects swept out with
    pandas group means, W applied with a dense matrix period by period, the
    log-determinant from numpy's slogdet, the maximum found by scipy."""
    units = list(w.id_order)
    wd = w.full()[0]
    wd = wd / wd.sum(axis=1, keepdims=True)
    long = df.set_index(["year", "state"]).sort_index()

    def sweep(frame):
        out = frame.copy()
        if effects in ("unit", "twoway"):
            out = out - out.groupby(level="state").transform("mean")
        if effects in ("time", "twoway"):
            out = out - out.groupby(level="year").transform("mean")
        return out

    def lag(frame):
        parts = []
        for year, part in frame.groupby(level="year"):
            values = part.droplevel("year").reindex(units)
            parts.append(
                pd.DataFrame(
                    wd @ values.to_numpy(),
                    index=pd.MultiIndex.from_product([[year], units]),
                    columns=frame.columns,
                )
            )
        return pd.concat(parts).rename_axis(["year", "state"]).sort_index()

    y, xs = long[["growth"]], long[X]
    qy, qx = sweep(y), sweep(xs)
    if model == "sdm":
        qx = pd.concat([qx, sweep(lag(xs)).add_prefix("W_")], axis=1)
    if model != "sem":
        wy = sweep(lag(y)) if demean == "elhorst" else lag(qy)
    n_t = len(qy)
    periods = df["year"].nunique()

    def parts(coef):
        if model == "sem":
            ys = qy.to_numpy() - coef * lag(qy).to_numpy()
            xm = qx.to_numpy() - coef * lag(qx).to_numpy()
        else:
            ys, xm = qy.to_numpy() - coef * wy.to_numpy(), qx.to_numpy()
        beta = np.linalg.lstsq(xm, ys, rcond=None)[0]
        e = ys - xm @ beta
        return beta.ravel(), float((e**2).sum())

    def negative(coef):
        logdet = np.linalg.slogdet(np.eye(len(units)) - coef * wd)[1]
        return 0.5 * n_t * np.log(parts(coef)[1] / n_t) - periods * logdet

    best = optimize.minimize_scalar(
        negative, bounds=(-0.9, 0.99), method="bounded", options={"xatol": 1e-10}
    )
    return best.x, parts(best.x)[0], -best.fun


@pytest.mark.parametrize("demean", ["elhorst", "splm"])
@pytest.mark.parametrize("effects", ["time", "twoway"])
@pytest.mark.parametrize("model", ["sar", "sem", "sdm"])
def test_demeaning_order_matches_an_independent_likelihood(
    us_income, model, effects, demean
):
    df, w = us_income
    res = spatial_panel(
        df,
        y="growth",
        x=X,
        w=w,
        unit="state",
        time="year",
        model=model,
        effects=effects,
        demean=demean,
        draws=0,
        tests=False,
    )
    coef, beta, loglik = _independent_fit(df, w, model, effects, demean)
    name = "lambda" if model == "sem" else "rho"
    assert res.params[name] == pytest.approx(coef, abs=1e-7)
    np.testing.assert_allclose(res.params.drop(name).to_numpy(), beta, atol=1e-7)
    # the concentrated log-likelihood drops the same constant from both fits
    nt = len(df)
    full = loglik - 0.5 * nt * (1 + np.log(2 * np.pi))
    assert res.loglik == pytest.approx(full, abs=1e-6)
    assert res.metadata()["demean"] == demean


def test_demeaning_order_matters_only_for_the_lag_with_time_effects(us_income):
    df, w = us_income
    kw = {"y": "growth", "x": X, "w": w, "unit": "state", "time": "year", "draws": 0}
    kw["tests"] = False

    def coef(model, effects, demean):
        res = spatial_panel(df, model=model, effects=effects, demean=demean, **kw)
        return res.params.iloc[-1]

    for model in ("sar", "sdm", "sem"):
        assert coef(model, "unit", "splm") == pytest.approx(
            coef(model, "unit", "elhorst"), abs=1e-10
        )
    assert coef("sem", "twoway", "splm") == coef("sem", "twoway", "elhorst")
    # measured on this panel: the two-way SAR rho moves by 8e-4
    diff = coef("sar", "twoway", "splm") - coef("sar", "twoway", "elhorst")
    assert diff == pytest.approx(-7.963e-4, abs=1e-6)


def test_demean_option_is_checked(us_income):
    df, w = us_income
    kw = {"y": "growth", "x": X, "w": w, "unit": "state", "time": "year", "draws": 0}
    with pytest.raises(ModelError, match="demean='r': must be one of"):
        spatial_panel(df, demean="r", **kw)
    with pytest.raises(ModelError, match="Lee–Yu"):
        spatial_panel(df, demean="splm", lee_yu=True, effects="twoway", **kw)
    with pytest.raises(ModelError, match="effects='both'"):
        spatial_panel(df, effects="both", **kw)
    with pytest.raises(ModelError, match="draws=-3"):
        spatial_panel(df, **{**kw, "draws": -3})


def test_hausman_names_collinear_or_time_invariant_regressors():
    """linearmodels raised a bare ValueError ("exog does not have full column
    rank") for these."""
    rng = np.random.default_rng(2)
    df = pd.DataFrame(
        {
            "unit": np.tile(np.arange(16), 6),
            "year": np.repeat(np.arange(6), 16),
            "x": rng.normal(size=96),
        }
    )
    df["y"] = df["x"] + rng.normal(size=96)
    with pytest.raises(ModelError, match="'x', 'x2'"):
        hausman_test(df.assign(x2=2 * df["x"]), y="y", x=["x", "x2"])
    with pytest.raises(ModelError, match="'z' has no variation left"):
        hausman_test(df.assign(z=np.tile(rng.normal(size=16), 6)), y="y", x=["x", "z"])
