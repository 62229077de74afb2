"""Cross-sectional spatial regression (spreg wrapper) and LeSage–Pace effects.

Reference numbers: spreg's published ``ML_Lag`` example on the builtin Baltimore
house-price data (``baltim.dbf``, ``baltim_q.gal``; spreg 1.9 docstring, GeoDa
parity), spreg called directly on Columbus, closed forms of the effects and a dense
matrix-inverse route. See ``tests/reference/spatial/README.md``.
"""

from __future__ import annotations

import contextlib
import io

import libpysal
import numpy as np
import pandas as pd
import pytest
import spreg
from _helpers import knn_weights
from libpysal.graph import Graph
from libpysal.weights import lat2W

from spatialgreen.errors import DataError, ModelError, WeightsError
from spatialgreen.spatial import SpatialMultiplier, impacts, spatial_regression

BALTIM_X = ["NROOM", "NBATH", "PATIO", "FIREPL", "AC", "GAR", "AGE", "LOTSZ", "SQFT"]


def _dbf(name: str, columns: list[str]) -> pd.DataFrame:
    db = libpysal.io.open(libpysal.examples.get_path(name))
    return pd.DataFrame({c: db.by_col(c) for c in columns})


@pytest.fixture(scope="module")
def baltim():
    df = _dbf("baltim.dbf", ["STATION", "PRICE", *BALTIM_X])
    w = libpysal.io.open(libpysal.examples.get_path("baltim_q.gal")).read()
    return df, w


@pytest.fixture(scope="module")
def columbus():
    df = _dbf("columbus.dbf", ["POLYID", "CRIME", "INC", "HOVAL"])
    w = libpysal.io.open(libpysal.examples.get_path("columbus.gal")).read()
    return df, w


def _spreg(cls, df, y, x, w, **kw):
    w = libpysal.weights.W(w.neighbors, w.weights, id_order=w.id_order)
    w.transform = "r"
    with contextlib.redirect_stdout(io.StringIO()):
        return cls(df[[y]].to_numpy(float), df[x].to_numpy(float), w, **kw)


def test_sar_reproduces_spreg_published_baltimore_example(baltim):
    df, w = baltim
    res = spatial_regression(df, y="PRICE", x=BALTIM_X, w=w, unit="STATION", draws=0)
    expected = [
        4.3675,
        0.7502,
        5.6116,
        7.0497,
        7.7246,
        6.1231,
        4.6375,
        -0.1107,
        0.0679,
        0.0794,
        0.4259,
    ]
    np.testing.assert_allclose(res.params.to_numpy(), expected, atol=6e-5)
    assert list(res.params.index) == ["const", *BALTIM_X, "rho"]
    assert res.params["rho"] == pytest.approx(0.425885, abs=1e-6)
    assert res.loglik == pytest.approx(-832.937174, abs=1e-6)
    assert res.aic == pytest.approx(1687.874348, abs=1e-6)
    assert res.sigma2 == pytest.approx(151.458698, abs=1e-6)
    np.testing.assert_allclose(
        res.std_errors.iloc[:-1].to_numpy(),
        [
            4.8859,
            1.0593,
            1.7491,
            2.7095,
            2.3811,
            2.3388,
            1.6936,
            0.0508,
            0.0146,
            0.1631,
        ],
        atol=6e-5,
    )
    assert res.nobs == 211


@pytest.mark.parametrize("model", ["sar", "sem", "sdm", "slx", "ols"])
def test_models_match_spreg_called_directly(columbus, model):
    df, w = columbus
    x = ["INC", "HOVAL"]
    res = spatial_regression(
        df, y="CRIME", x=x, w=w, unit="POLYID", model=model, draws=0
    )
    cls, kw = {
        "sar": (spreg.ML_Lag, {}),
        "sem": (spreg.ML_Error, {}),
        "sdm": (spreg.ML_Lag, {"slx_lags": 1}),
        "slx": (spreg.OLS, {"slx_lags": 1}),
        "ols": (spreg.OLS, {}),
    }[model]
    ref = _spreg(cls, df, "CRIME", x, w, **kw)
    np.testing.assert_allclose(res.params.to_numpy(), np.ravel(ref.betas), rtol=1e-10)
    np.testing.assert_allclose(
        res.std_errors.to_numpy(), np.sqrt(np.diag(ref.vm)), rtol=1e-10
    )
    assert res.loglik == pytest.approx(float(ref.logll), rel=1e-12)
    # spreg's p-values: t for OLS/SLX, normal for ML
    np.testing.assert_allclose(
        res.pvalues.to_numpy(),
        np.asarray(ref.z_stat if model in ("sar", "sem", "sdm") else ref.t_stat)[:, 1],
        atol=1e-10,
    )
    if model in ("sdm", "slx"):
        assert list(res.params.index)[3:5] == ["W_INC", "W_HOVAL"]
    if model == "sem":
        assert res.params.index[-1] == "lambda"
        assert res.impacts is None


def test_ols_diagnostics_match_hand_formulas(columbus):
    df, w = columbus
    res = spatial_regression(
        df, y="CRIME", x=["INC", "HOVAL"], w=w, unit="POLYID", model="ols"
    )
    x = np.column_stack([np.ones(len(df)), df[["INC", "HOVAL"]]])
    y = df["CRIME"].to_numpy(float)
    e = y - x @ np.linalg.lstsq(x, y, rcond=None)[0]
    w.transform = "r"
    wd = w.full()[0]
    s2 = e @ e / len(y)
    t = np.trace(wd.T @ wd + wd @ wd)
    lm_error = (e @ wd @ e / s2) ** 2 / t
    moran = len(y) / wd.sum() * (e @ wd @ e) / (e @ e)
    diag = res.diagnostics
    assert diag.loc["LM-error", "statistic"] == pytest.approx(lm_error, rel=1e-10)
    assert diag.loc["Moran's I (residuals)", "statistic"] == pytest.approx(
        moran, rel=1e-10
    )
    assert {"LM-lag", "robust LM-lag", "robust LM-error", "LM-SARMA"} <= set(diag.index)
    # LM-SARMA = robust LM-error + LM-lag (Anselin et al. 1996)
    assert diag.loc["LM-SARMA", "statistic"] == pytest.approx(
        diag.loc["robust LM-error", "statistic"] + diag.loc["LM-lag", "statistic"]
    )


def test_sar_effects_closed_forms_and_spreg(columbus):
    df, w = columbus
    res = spatial_regression(
        df, y="CRIME", x=["INC", "HOVAL"], w=w, unit="POLYID", draws=500
    )
    rho, beta = res.params["rho"], res.params[["INC", "HOVAL"]]
    w.transform = "r"
    wd = w.full()[0]
    inv = np.linalg.inv(np.eye(len(wd)) - rho * wd)
    eff = res.impacts
    np.testing.assert_allclose(eff["total"], beta / (1 - rho), rtol=1e-10)
    np.testing.assert_allclose(
        eff["direct"], beta * np.trace(inv) / len(wd), rtol=1e-10
    )
    np.testing.assert_allclose(
        eff["indirect"], eff["total"] - eff["direct"], rtol=1e-12
    )
    ref = _spreg(spreg.ML_Lag, df, "CRIME", ["INC", "HOVAL"], w, spat_impacts="full")
    direct, _indirect, total = ref.sp_multipliers["full"]
    np.testing.assert_allclose(eff["direct"] / beta, direct, rtol=1e-8)
    np.testing.assert_allclose(eff["total"] / beta, total, rtol=1e-8)
    assert set(eff.columns) >= {"direct_se", "indirect_z", "total_p"}


def test_sdm_effects_against_dense_inverse():
    rng = np.random.default_rng(4)
    w = lat2W(6, 6, rook=False)
    w.transform = "r"
    wd = w.full()[0]
    rho, beta, theta = (
        0.45,
        pd.Series({"a": 1.5, "b": -0.7}),
        pd.Series({"W_a": 0.8, "W_b": 0.2}),
    )
    eff = impacts(wd, rho=rho, beta=beta, theta=theta)
    inv = np.linalg.inv(np.eye(36) - rho * wd)
    for k, name in enumerate(beta.index):
        s = inv @ (beta.iloc[k] * np.eye(36) + theta.iloc[k] * wd)
        assert eff.loc[name, "direct"] == pytest.approx(np.trace(s) / 36, rel=1e-10)
        assert eff.loc[name, "total"] == pytest.approx(s.sum() / 36, rel=1e-10)
        assert eff.loc[name, "total"] == pytest.approx(
            (beta.iloc[k] + theta.iloc[k]) / (1 - rho), rel=1e-10
        )
    # an asymmetric, non-row-standardised matrix goes through the general route
    a = rng.uniform(size=(12, 12)) * (rng.uniform(size=(12, 12)) < 0.3)
    np.fill_diagonal(a, 0)
    a = a / np.abs(np.linalg.eigvals(a)).max() * 0.9
    m = SpatialMultiplier.from_matrix(a)
    inv = np.linalg.inv(np.eye(12) - 0.6 * a)
    assert m.mean_diagonal(0.6)[0] == pytest.approx(np.trace(inv) / 12, rel=1e-9)
    assert m.mean_row_sum(0.6)[0] == pytest.approx(inv.sum() / 12, rel=1e-9)
    assert m.mean_row_sum_w(0.6)[0] == pytest.approx((inv @ a).sum() / 12, rel=1e-9)


def test_simulated_effect_se_stable_across_seeds_and_reproducible(columbus):
    df, w = columbus
    runs = [
        spatial_regression(
            df,
            y="CRIME",
            x=["INC", "HOVAL"],
            w=w,
            unit="POLYID",
            model="sdm",
            draws=4000,
            seed=s,
        ).impacts
        for s in (0, 1, 0)
    ]
    pd.testing.assert_frame_equal(runs[0], runs[2])
    np.testing.assert_allclose(runs[0]["direct_se"], runs[1]["direct_se"], rtol=0.05)
    # spillovers carry 1/(1 - rho): heavy tails, so compare the percentile intervals
    for kind in ("indirect", "total"):
        width = runs[0][f"{kind}_ci_upper"] - runs[0][f"{kind}_ci_lower"]
        for end in ("lower", "upper"):
            gap = (runs[0][f"{kind}_ci_{end}"] - runs[1][f"{kind}_ci_{end}"]).abs()
            assert (gap < 0.1 * width).all(), (kind, end)
    # the direct-effect SE of a SAR with rho near 0 approaches the beta SE
    rng = np.random.default_rng(0)
    cov = pd.DataFrame(np.diag([1e-12, 0.04]), index=["rho", "x"], columns=["rho", "x"])
    eff = impacts(
        lat2W(5, 5).full()[0] / 4,
        rho=0.0,
        beta=pd.Series({"x": 1.0}),
        cov=cov,
        draws=4000,
        seed=int(rng.integers(100)),
    )
    assert eff.loc["x", "direct_se"] == pytest.approx(0.2, rel=0.05)


def test_weights_info_and_graph_input(columbus):
    df, w = columbus
    g = Graph.from_W(w)
    a = spatial_regression(df, y="CRIME", x=["INC"], w=w, unit="POLYID", draws=0)
    b = spatial_regression(df, y="CRIME", x=["INC"], w=g, unit="POLYID", draws=0)
    pd.testing.assert_series_equal(a.params, b.params)
    assert a.weights_info["n"] == 49
    assert a.weights_info["transform"] == "r"
    # rows in another order give the same estimates
    c = spatial_regression(
        df.iloc[::-1], y="CRIME", x=["INC"], w=w, unit="POLYID", draws=0
    )
    pd.testing.assert_series_equal(a.params, c.params, rtol=1e-8)


def test_results_export(tmp_path, columbus):
    df, w = columbus
    res = spatial_regression(df, y="CRIME", x=["INC"], w=w, unit="POLYID", draws=10)
    paths = res.to_csv(tmp_path)
    assert {p.name for p in paths} == {"coefficients.csv", "impacts.csv", "cov.csv"}
    assert res.metadata()["loglik"] == res.loglik
    assert "rho" in res.summary()


def test_bad_inputs(columbus):
    df, w = columbus
    with pytest.raises(WeightsError, match="units missing from the weights: 99"):
        spatial_regression(
            df.assign(POLYID=df["POLYID"].replace(1, 99)),
            y="CRIME",
            x=["INC"],
            w=w,
            unit="POLYID",
        )
    island = Graph.from_arrays([0, 1, 2, 3], [1, 0, 3, 3], [1.0, 1.0, 0.0, 0.0])
    small = pd.DataFrame({"id": [0, 1, 2, 3], "y": [1.0, 2, 3, 5], "x": [0.0, 1, 0, 2]})
    with pytest.raises(WeightsError, match="islands"):
        spatial_regression(small, y="y", x=["x"], w=island, unit="id")
    with pytest.raises(DataError, match="missing values"):
        spatial_regression(
            df.assign(INC=df["INC"].where(df.index > 0)),
            y="CRIME",
            x=["INC"],
            w=w,
            unit="POLYID",
        )
    with pytest.raises(ModelError, match=r"model=.gns.: must be one of"):
        spatial_regression(df, y="CRIME", x=["INC"], w=w, unit="POLYID", model="gns")
    with pytest.raises(DataError, match="'nope'"):
        spatial_regression(df, y="CRIME", x=["nope"], w=w, unit="POLYID")


def test_index_as_unit_ids_and_geo_metadata_recorded():
    rng = np.random.default_rng(5)
    g = Graph.from_W(lat2W(4, 4))
    g.meta = {"kind": "queen", "level": "province"}  # as the geo module records it
    df = pd.DataFrame({"x": rng.normal(size=16)}, index=range(16))
    df["y"] = 2 * df["x"] + rng.normal(size=16)
    by_index = spatial_regression(df, y="y", x=["x"], w=g, model="sem")
    by_column = spatial_regression(
        df.reset_index(names="id"), y="y", x=["x"], w=g, unit="id", model="sem"
    )
    pd.testing.assert_series_equal(by_index.params, by_column.params)
    assert by_index.weights_info["kind"] == "queen"
    assert by_index.weights_info["n"] == 16
    with pytest.raises(WeightsError, match="units missing"):
        spatial_regression(df.set_index(df.index + 100), y="y", x=["x"], w=g)


@pytest.mark.parametrize(("seed", "k"), [(3, 1), (9, 2), (13, 3)])
def test_effects_with_defective_knn_weights_match_dense_inverse(seed, k):
    """Row-standardised KNN W is often not diagonalisable: the eigenvector route for
    the total effect returned errors of 0.25 and 4e11 (or LinAlgError)."""
    wd = knn_weights(seed, k).full()[0]
    n = wd.shape[0]
    rho, beta, theta = 0.5, pd.Series({"a": 1.0}), pd.Series({"W_a": 0.5})
    eff = impacts(wd, rho=rho, beta=beta, theta=theta)
    inv = np.linalg.inv(np.eye(n) - rho * wd)
    s = inv @ (np.eye(n) + 0.5 * wd)
    assert eff.loc["a", "direct"] == pytest.approx(np.trace(s) / n, rel=1e-8)
    assert eff.loc["a", "total"] == pytest.approx(s.sum() / n, rel=1e-10)


def test_defective_non_row_standardised_weights_row_sums_exact():
    b = knn_weights(9, 2).full()[0]
    b = (b > 0).astype(float)  # binary, asymmetric, not diagonalisable
    n = b.shape[0]
    m = SpatialMultiplier.from_matrix(b)
    for rho in (-0.3, 0.2, 0.45):
        inv = np.linalg.inv(np.eye(n) - rho * b)
        assert m.mean_diagonal(rho)[0] == pytest.approx(np.trace(inv) / n)
        assert m.mean_row_sum(rho)[0] == pytest.approx(inv.sum() / n, rel=1e-10)
        assert m.mean_row_sum_w(rho)[0] == pytest.approx((inv @ b).sum() / n, rel=1e-10)
    both = m.mean_row_sum(np.array([0.2, 0.45]))
    assert both[1] == pytest.approx(m.mean_row_sum(0.45)[0], rel=1e-12)


def test_cross_section_aic_counts_lambda_like_rho():
    """spreg's ML_Error aic omits lambda from k, so SEM was favoured by 2 in AIC
    comparisons with SAR/SDM; all models now use -2 lnL + 2 (coefficients + rho/lambda).
    """

    rng = np.random.default_rng(7)
    df = pd.DataFrame({"x": rng.normal(size=49)})
    df["y"] = 1 + df["x"] + rng.normal(size=49)
    for model, k in (("ols", 2), ("slx", 3), ("sar", 3), ("sem", 3), ("sdm", 4)):
        res = spatial_regression(
            df, y="y", x=["x"], w=lat2W(7, 7), model=model, draws=0
        )
        assert len(res.params) == k
        assert res.aic == pytest.approx(-2 * res.loglik + 2 * k, rel=1e-12), model


def test_cross_section_binary_weights_inadmissible_lambda_raises():
    """spreg searches lambda on (-1, 1); with binary W (1/omega_max = 0.266 on an
    8x8 rook lattice) ML_Error returned lambda = 0.2673 > 1/omega_max."""
    from spatialgreen.errors import ConvergenceError

    w = lat2W(8, 8)
    wd = w.full()[0]
    rng = np.random.default_rng(0)
    for _ in range(4):
        x = rng.normal(size=64)
        y = np.linalg.solve(np.eye(64) - 0.262 * wd, 1 + x + rng.normal(size=64))
    df = pd.DataFrame({"x": x, "y": y + (3 * np.arange(64)) % 8})
    with pytest.raises(ConvergenceError, match="admissible"):
        spatial_regression(
            df, y="y", x=["x"], w=w, model="sem", transform="b", method="LU"
        )
    # admissible binary-weights fits are unaffected
    ok = spatial_regression(df, y="y", x=["x"], w=w, model="sar", transform="b")
    assert abs(ok.params["rho"]) < 1 / np.linalg.eigvalsh(wd).max()


def test_ord_method_with_binary_weights_raises():
    """spreg's 'ord' route row-standardises W in place mid-fit: with
    transform='b' it returned rho = -0.059 where 'full' gives -0.030."""

    rng = np.random.default_rng(0)
    df = pd.DataFrame({"x": rng.normal(size=64), "y": rng.normal(size=64)})
    w = lat2W(8, 8)
    with pytest.raises(ModelError, match="ord"):
        spatial_regression(
            df, y="y", x=["x"], w=w, model="sar", transform="b", method="ord"
        )
    ordinary = spatial_regression(df, y="y", x=["x"], w=w, method="ord", draws=0)
    full = spatial_regression(df, y="y", x=["x"], w=w, method="full", draws=0)
    assert ordinary.params["rho"] == pytest.approx(full.params["rho"], abs=1e-6)


# ------------------------------------------- collinear designs (issue 15, item 6)


@pytest.mark.parametrize("model", ["ols", "slx", "sar", "sem", "sdm"])
@pytest.mark.parametrize("factor", [2.0, 3.0, 1.1, 0.3])
def test_collinear_regressors_are_refused_naming_them(columbus, model, factor):
    """x2 = c·x1 gave rho with SE 0 and p 0 (SAR), SEs of 1e7 (SDM) or a bare
    LinAlgError depending on the round-off of c; now every model refuses it."""
    df, w = columbus
    df = df.assign(INC2=factor * df["INC"])
    with pytest.raises(ModelError, match=r"perfectly collinear.*'INC', 'INC2'"):
        spatial_regression(
            df, y="CRIME", x=["INC", "INC2"], w=w, unit="POLYID", model=model
        )


def test_constant_regressor_and_lagged_duplicates_are_named(columbus):
    df, w = columbus
    with pytest.raises(ModelError, match="'ONE' is constant"):
        spatial_regression(
            df.assign(ONE=1.0), y="CRIME", x=["INC", "ONE"], w=w, unit="POLYID"
        )
    # a regressor that is the spatial lag of another: fine for SAR, collinear with
    # the lagged W_INC of SDM
    from spatialgreen.geo.weights import weights_for

    aligned = weights_for(w, list(df["POLYID"]), transform="r")
    data = df.assign(WINC=aligned.sparse @ df["INC"].to_numpy())
    kw = {"y": "CRIME", "w": w, "unit": "POLYID", "draws": 0}
    sar = spatial_regression(data, x=["INC", "WINC"], model="sar", **kw)
    assert np.isfinite(sar.std_errors).all()
    with pytest.raises(ModelError, match=r"'WINC'.*'W_INC'.*model='sar'"):
        spatial_regression(data, x=["INC", "WINC"], model="sdm", **kw)
    near = spatial_regression(
        df.assign(INC2=df["INC"] ** 2), x=["INC", "INC2"], model="sar", **kw
    )
    assert np.isfinite(near.std_errors).all()  # ill-conditioned but full rank


def test_option_ranges_are_refused_naming_the_option(columbus):
    df, w = columbus
    kw = {"y": "CRIME", "x": ["INC"], "w": w, "unit": "POLYID"}
    for option, value in (("draws", -1), ("draws", 1), ("seed", -2)):
        with pytest.raises(ModelError, match=f"{option}={value}"):
            spatial_regression(df, **{**kw, option: value})
    with pytest.raises(ModelError, match="method='lu'"):
        spatial_regression(df, method="lu", **kw)
    with pytest.raises(ValueError, match=r"draws=2\.5"):  # OptionError is a ValueError
        spatial_regression(df, draws=2.5, **kw)
