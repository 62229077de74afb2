"""Review tests: effects with non-diagonalisable (k-nearest-neighbour) weights and
collinear regressors in spatial panels."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from libpysal.weights import KNN, lat2W

from spatialgreen.errors import ModelError
from spatialgreen.spatial import SpatialMultiplier, impacts, spatial_panel


def _knn(seed: int, k: int, n: int = 60):
    pts = np.random.default_rng(seed).uniform(size=(n, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = KNN(pts, k=k)
    w.transform = "r"
    return w


@pytest.mark.parametrize(("seed", "k"), [(3, 1), (9, 2), (13, 3)])
def test_effects_with_defective_knn_weights_match_dense_inverse(seed, k):
    """Row-standardised KNN W is often not diagonalisable: the eigenvector route for
    the total effect returned errors of 0.25 and 4e11 (or LinAlgError)."""
    wd = _knn(seed, k).full()[0]
    n = wd.shape[0]
    rho, beta, theta = 0.5, pd.Series({"a": 1.0}), pd.Series({"W_a": 0.5})
    eff = impacts(wd, rho=rho, beta=beta, theta=theta)
    inv = np.linalg.inv(np.eye(n) - rho * wd)
    s = inv @ (np.eye(n) + 0.5 * wd)
    assert eff.loc["a", "direct"] == pytest.approx(np.trace(s) / n, rel=1e-8)
    assert eff.loc["a", "total"] == pytest.approx(s.sum() / n, rel=1e-10)


def test_defective_non_row_standardised_weights_row_sums_exact():
    b = _knn(9, 2).full()[0]
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


def test_panel_sdm_total_effect_with_knn_weights():
    rng = np.random.default_rng(5)
    w = _knn(9, 2)
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


def test_spatial_beta_rejects_lee_yu_in_cross_section():
    """lee_yu was silently ignored for kind='cross-section'."""
    from spatialgreen.convergence import spatial_beta
    from spatialgreen.errors import DataError

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


def test_cross_section_aic_counts_lambda_like_rho():
    """spreg's ML_Error aic omits lambda from k, so SEM was favoured by 2 in AIC
    comparisons with SAR/SDM; all models now use -2 lnL + 2 (coefficients + rho/lambda).
    """
    from spatialgreen.spatial import spatial_regression

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
    from spatialgreen.spatial import spatial_regression

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
    from spatialgreen.spatial import spatial_regression

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
