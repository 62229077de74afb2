"""Composite indices: entropy and PCA weights against hand computations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from spatialgreen.econometrics import entropy_index, normalize, pca_index
from spatialgreen.errors import DataError


def _entropy_by_hand(columns: dict[str, list[float]], negative=(), shift=1e-4):
    """The textbook recipe in plain Python (no numpy), as one would in Excel."""
    z = {}
    for name, xs in columns.items():
        lo, hi = min(xs), max(xs)
        if name in negative:
            z[name] = [(hi - v) / (hi - lo) + shift for v in xs]
        else:
            z[name] = [(v - lo) / (hi - lo) + shift for v in xs]
    n = len(next(iter(columns.values())))
    div = {}
    for name, zs in z.items():
        total = sum(zs)
        e = -sum((v / total) * math.log(v / total) for v in zs if v > 0) / math.log(n)
        div[name] = 1 - e
    weights = {k: d / sum(div.values()) for k, d in div.items()}
    scores = [sum(weights[k] * z[k][i] for k in z) for i in range(n)]
    return weights, scores


def test_entropy_weights_hand_computed_values():
    # a = [1, 2, 4] positive, b = [30, 10, 20] negative, no translation:
    # a: z = [0, 1/3, 1], p = [0, 1/4, 3/4], e = 0.511859
    # b: z = [0, 1, 1/2], p = [0, 2/3, 1/3], e = 0.579380
    # w = (1-e)/Σ(1-e) = [0.537150, 0.462850]
    df = pd.DataFrame({"a": [1.0, 2.0, 4.0], "b": [30.0, 10.0, 20.0]})
    res = entropy_index(df, ["a", "b"], negative=["b"], shift=0.0)
    w = res.weights.set_index("indicator")
    assert w.loc["a", "entropy"] == pytest.approx(0.511859, abs=1e-6)
    assert w.loc["b", "entropy"] == pytest.approx(0.579380, abs=1e-6)
    assert w["weight"].tolist() == pytest.approx([0.537150, 0.462850], abs=1e-6)
    # score = Σ w z
    assert res.values.tolist() == pytest.approx(
        [0.0, 0.537150 / 3 + 0.462850, 0.537150 + 0.462850 / 2], abs=1e-6
    )


def test_entropy_matches_plain_python_with_translation():
    rng = np.random.default_rng(0)
    cols = {c: rng.uniform(1, 100, size=12).tolist() for c in ("gdp", "patents", "so2")}
    weights, scores = _entropy_by_hand(cols, negative=("so2",))
    res = entropy_index(pd.DataFrame(cols), list(cols), negative=["so2"])
    assert res.weights.set_index("indicator")["weight"].to_dict() == pytest.approx(
        weights, rel=1e-12
    )
    assert res.values.tolist() == pytest.approx(scores, rel=1e-12)
    assert res.meta["shift"] == 1e-4 and res.meta["by"] == "pooled"


def test_entropy_by_year_is_separate_per_year_and_keys_kept():
    rng = np.random.default_rng(1)
    df = pd.DataFrame(
        {
            "province": list("ABCDE") * 2,
            "year": [2020] * 5 + [2021] * 5,
            "x1": rng.uniform(size=10),
            "x2": rng.uniform(size=10),
        }
    )
    res = entropy_index(df, ["x1", "x2"], by="year", keys=["province", "year"])
    for year, part in df.groupby("year"):
        alone = entropy_index(part, ["x1", "x2"])
        got = res.weights.loc[res.weights["group"] == year, "weight"].to_numpy()
        np.testing.assert_allclose(got, alone.weights["weight"].to_numpy())
        np.testing.assert_allclose(res.values[part.index], alone.values)
    assert list(res.index.columns) == ["province", "year", "index"]


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, (8, 3), elements=st.floats(-1e3, 1e3)))
def test_entropy_weight_invariants(values):
    df = pd.DataFrame(values, columns=["a", "b", "c"])
    if (df.max() - df.min() == 0).any():
        with pytest.raises(DataError, match="is constant"):
            entropy_index(df, ["a", "b", "c"])
        return
    res = entropy_index(df, ["a", "b", "c"])
    w = res.weights["weight"].to_numpy()
    assert w.sum() == pytest.approx(1.0)
    assert np.all(w >= 0)
    # min–max + shift keeps the index inside [shift, 1 + shift]
    assert res.values.between(1e-4 - 1e-12, 1 + 1e-4 + 1e-12).all()


def test_normalize_options():
    df = pd.DataFrame(
        {"a": [1.0, 2.0, 3.0, 5.0], "b": [4.0, 3.0, 2.0, 0.0], "g": [1, 1, 2, 2]}
    )
    mm = normalize(df, ["a", "b"], negative=["b"])
    assert mm["a"].tolist() == [0.0, 0.25, 0.5, 1.0]
    assert mm["b"].tolist() == [0.0, 0.25, 0.5, 1.0]
    z = normalize(df, ["a"], method="zscore")
    assert z["a"].mean() == pytest.approx(0.0, abs=1e-12)
    assert z["a"].std(ddof=1) == pytest.approx(1.0)
    by = normalize(df, ["a"], by="g")
    assert by["a"].tolist() == [0.0, 1.0, 0.0, 1.0]
    with pytest.raises(DataError, match="'a' is constant \\(in g=1\\)"):
        normalize(df.assign(a=[1.0, 1.0, 2.0, 3.0]), ["a"], by="g")


def test_pca_two_indicators_closed_form():
    """Two z-scored indicators with correlation r: eigenvalues 1 ± r, v = (1, 1)/√2."""
    rng = np.random.default_rng(2)
    f = rng.normal(size=40)
    df = pd.DataFrame({"a": f + rng.normal(size=40), "b": f + rng.normal(size=40)})
    r = df["a"].corr(df["b"])
    res = pca_index(df, ["a", "b"])
    assert res.components["eigenvalue"].tolist() == pytest.approx([1 + r, 1 - r])
    assert res.components["kept"].tolist() == [True, False]
    assert res.loadings["v_PC1"].tolist() == pytest.approx([2**-0.5, 2**-0.5])
    assert res.loadings["loading_PC1"].tolist() == pytest.approx(
        [np.sqrt((1 + r) / 2)] * 2
    )
    assert res.weights["weight"].tolist() == pytest.approx([0.5, 0.5])
    z = (df - df.mean()) / df.std(ddof=1)
    np.testing.assert_allclose(res.values, (z["a"] + z["b"]) / np.sqrt(2))
    tests = res.tests.set_index("test")
    assert tests.loc["KMO", "statistic"] == pytest.approx(0.5)  # always 0.5 for p = 2
    bartlett = -(40 - 1 - 9 / 6) * np.log(1 - r**2)
    assert tests.loc["Bartlett chi2", "statistic"] == pytest.approx(bartlett)
    assert tests.loc["Bartlett chi2", "df"] == 1


def test_pca_matches_svd_and_variance_weighting():
    rng = np.random.default_rng(3)
    f1, f2 = rng.normal(size=(2, 60))
    df = pd.DataFrame(
        {
            "a": f1 + 0.3 * rng.normal(size=60),
            "b": f1 + 0.3 * rng.normal(size=60),
            "c": f2 + 0.3 * rng.normal(size=60),
            "d": f2 + 0.3 * rng.normal(size=60),
        }
    )
    res = pca_index(df, list(df.columns))
    z = ((df - df.mean()) / df.std(ddof=1)).to_numpy()
    _, s, vt = np.linalg.svd(z, full_matrices=False)
    eig = s**2 / (len(df) - 1)
    np.testing.assert_allclose(res.components["eigenvalue"], eig)
    kept = int(np.sum(eig > 1))
    assert kept == 2 and res.meta["kept"] == 2
    v = vt[:kept].T * np.sign(vt[:kept].sum(axis=1))
    scores = z @ v
    np.testing.assert_allclose(res.values, scores @ (eig[:kept] / eig[:kept].sum()))
    # other retention rules
    assert pca_index(df, list(df.columns), retain="first").meta["kept"] == 1
    cum = pca_index(df, list(df.columns), retain="cumulative", cumulative=0.85)
    assert cum.meta["kept"] == int(np.searchsorted(np.cumsum(eig) / 4, 0.85) + 1)


def test_pca_sign_rises_with_indicators_and_negative_and_log():
    rng = np.random.default_rng(4)
    f = rng.normal(size=50)
    df = pd.DataFrame(
        {
            "patents": np.exp(f + 0.2 * rng.normal(size=50)),
            "robots": np.exp(f + 0.2 * rng.normal(size=50)),
            "pollution": np.exp(-f + 0.2 * rng.normal(size=50)),
        }
    )
    res = pca_index(df, list(df.columns), negative=["pollution"], log=True)
    assert (res.loadings["v_PC1"] > 0).all()
    assert res.values.corr(np.log(df["patents"])) > 0.9
    assert res.values.corr(np.log(df["pollution"])) < -0.9
    with pytest.raises(DataError, match="indicator 'patents' has values <= 0"):
        pca_index(
            df.assign(patents=df["patents"] - 100), ["patents", "robots"], log=True
        )


def test_index_bad_input():
    df = pd.DataFrame({"a": [1.0, np.nan, 3.0], "b": [1.0, 2.0, 3.0]})
    with pytest.raises(DataError, match="indicator 'a' has missing"):
        entropy_index(df, ["a", "b"])
    with pytest.raises(DataError, match="indicator column 'zz' not found"):
        pca_index(df, ["zz"])
    with pytest.raises(DataError, match="not among columns"):
        entropy_index(df.fillna(0), ["a"], negative=["b"])


def _indicators() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "a": rng.normal(size=12),
            "b": rng.normal(size=12),
            "c": rng.normal(size=12),
            "year": np.repeat([2001, 2002, 2003], 4),
        }
    )
    df["b"] += df["a"]
    df["c"] += df["a"]
    return df


@pytest.mark.parametrize("by", [None, "year"])
def test_indices_do_not_depend_on_a_repeated_row_index(by):
    # a frame built by concatenating yearly tables repeats its index labels; the
    # z-scores used to be computed on label-selected (duplicated) rows
    df = _indicators()
    dup = df.copy()
    dup.index = np.repeat([0, 1, 2], 4)
    cols = ["a", "b", "c"]
    for method in ("minmax", "zscore"):
        np.testing.assert_allclose(
            normalize(dup, cols, method=method, by=by).to_numpy(),
            normalize(df, cols, method=method, by=by).to_numpy(),
        )
    np.testing.assert_allclose(
        pca_index(dup, cols, by=by).values.to_numpy(),
        pca_index(df, cols, by=by).values.to_numpy(),
    )
    np.testing.assert_allclose(
        entropy_index(dup, cols, by=by, negative=["c"]).values.to_numpy(),
        entropy_index(df, cols, by=by, negative=["c"]).values.to_numpy(),
    )
    assert list(pca_index(dup, cols, by=by).index.index) == list(dup.index)


def test_pca_zscores_use_ddof_one_with_repeated_index():
    df = _indicators()
    df.index = np.zeros(len(df), dtype=int)
    z = normalize(df, ["a"], method="zscore")["a"].to_numpy()
    a = df["a"].to_numpy()
    np.testing.assert_allclose(z, (a - a.mean()) / a.std(ddof=1))


def test_missing_group_value_is_an_error_not_missing_scores():
    df = _indicators()
    df["year"] = df["year"].astype(float)
    df.loc[5, "year"] = np.nan
    with pytest.raises(DataError, match="'year' has missing values at rows \\[5\\]"):
        entropy_index(df, ["a", "b"], by="year")
    with pytest.raises(DataError, match="'year' has missing values"):
        normalize(df, ["a", "b"], by="year")
