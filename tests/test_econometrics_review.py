"""Review tests of the econometrics toolkit: wrong numbers and ignored options."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from spatialgreen.econometrics import entropy_index, normalize, pca_index
from spatialgreen.econometrics.spec import SpecError, parse_spec
from spatialgreen.econometrics.tables import regression_table
from spatialgreen.errors import DataError


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


class _Fit:
    params = pd.Series({"x": 0.5, "const": 1.0})
    std_errors = pd.Series({"x": 0.1, "const": 0.2})
    pvalues = pd.Series({"x": 0.001, "const": 0.07})
    nobs = 100


def test_latex_notes_escape_less_than():
    # "p<0.1" in LaTeX text mode prints as "p¡0.1" with the default font encoding
    tex = regression_table([_Fit()], dependent=False).to_latex()
    assert "p<0.1" not in tex
    assert r"p\textless{}0.1" in tex


def test_unknown_statistic_is_an_error_not_an_empty_row():
    with pytest.raises(DataError, match="'r2adj' is in none of the models"):
        regression_table([_Fit()], stats=("nobs", "r2adj"))
    # a known statistic a model lacks stays a blank cell
    t = regression_table([_Fit()], stats=("nobs", "r2_within"), dependent=False)
    assert t.table.iloc[-1].tolist() == ["Within R²", ""]


def _raw(model: dict) -> dict:
    return {
        "data": {"path": "p.csv"},
        "models": [{"y": "g", "x": "p", **model}],
        "output": {"path": "o"},
    }


@pytest.mark.parametrize(
    "model, message",
    [
        (
            {"kind": "mediation", "mediator": "m", "x": ["p", "q"]},
            r"models\[0\].x: kind = 'mediation' takes exactly one x",
        ),
        (
            {"kind": "moderation", "moderator": "z", "x": ["p", "q"]},
            r"models\[0\].x: kind = 'moderation' takes exactly one x",
        ),
        ({"mediator": "m"}, r"models\[0\].mediator is only used with kind"),
        (
            {"kind": "mediation", "mediator": "m", "moderator": "z"},
            r"models\[0\].moderator is only used with kind = 'moderation'",
        ),
        ({"center": False}, r"models\[0\].center is only used with kind"),
    ],
)
def test_spec_options_that_would_be_ignored_are_errors(model, message):
    with pytest.raises(SpecError, match=message):
        parse_spec(_raw(model))


def test_group_named_all_would_overwrite_the_pooled_model():
    from spatialgreen.econometrics import heterogeneity
    from spatialgreen.errors import ModelError

    rng = np.random.default_rng(5)
    idx = pd.MultiIndex.from_product([range(20), range(6)])
    df = idx.to_frame(index=False, name=["unit", "year"])
    df["region"] = np.where(df["unit"] < 10, "All", "west")
    df["x"] = rng.normal(size=120)
    df["y"] = df["x"] + rng.normal(size=120)
    with pytest.raises(ModelError, match="differ from 'All'"):
        heterogeneity(df, y="y", x="x", group="region")
    res = heterogeneity(df, y="y", x="x", group="region", include_pooled=False)
    assert list(res.models) == ["All", "west"]
    assert res["All"].nobs == 60


@pytest.mark.parametrize("digits", [-1, 2.5, True])
def test_bad_digits_is_a_named_error(digits):
    with pytest.raises(DataError, match="digits must be a non-negative integer"):
        regression_table([_Fit()], digits=digits)


def _interacted_wald(df, effects, cluster):
    """Equality Wald statistic from a dummy regression (statsmodels) by hand."""
    import statsmodels.formula.api as smf

    d = df.copy()
    regs = sorted(d["region"].unique())
    for g in regs:
        m = (d["region"] == g).astype(float)
        d[f"x_{g}"], d[f"c_{g}"], d[f"k_{g}"] = d["x"] * m, d["c"] * m, m
    d["gt"] = d["region"] + d["year"].astype(str)
    slopes = "+".join(f"x_{g}+c_{g}" for g in regs)
    formula = {
        "twoway": f"y ~ {slopes} + C(unit) + C(gt)",
        "unit": f"y ~ {slopes} + C(unit)",
        "time": f"y ~ {slopes} + C(gt)",
        "none": f"y ~ 0 + {slopes} + " + "+".join(f"k_{g}" for g in regs),
    }[effects]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the unit and cell dummies are collinear
        fit = smf.ols(formula, d).fit()
    x, e = fit.model.exog, fit.resid.to_numpy()
    bread = np.linalg.pinv(x.T @ x)
    cl = pd.factorize(d[cluster])[0]
    n_cl = cl.max() + 1
    sums = np.stack([x[cl == k].T @ e[cl == k] for k in range(n_cl)])
    v0 = bread @ sums.T @ sums @ bread
    rank = np.linalg.matrix_rank(x)
    nested = effects in ("twoway", "unit") and (
        d.groupby("unit")[cluster].nunique().max() == 1
    )
    k = rank - (d["unit"].nunique() - 1) * nested
    n = len(d)
    v = v0 * n_cl / (n_cl - 1) * (n - 1) / (n - k)
    names = list(fit.params.index)
    r = np.zeros((len(regs) - 1, len(names)))
    for i, g in enumerate(regs[1:]):
        r[i, names.index(f"x_{regs[0]}")] = 1.0
        r[i, names.index(f"x_{g}")] = -1.0
    diff = r @ fit.params.to_numpy()
    return float(diff @ np.linalg.solve(r @ v @ r.T, diff))


@pytest.mark.parametrize("effects", ["twoway", "unit", "time", "none"])
@pytest.mark.parametrize("cluster", ["unit", "prov", "rc"])
def test_equality_test_uses_the_stated_stata_convention(effects, cluster):
    # the pooled interacted model used to count the unit effects nested in the
    # clusters in K whenever year effects were absorbed (Wald statistic ~15-40 %
    # too small), unlike fixed_effects' Stata convention
    from spatialgreen.econometrics import heterogeneity

    rng = np.random.default_rng(5)
    rows = [(u, t) for u in range(24) for t in range(2000, 2008) if rng.random() > 0.1]
    df = pd.DataFrame(rows, columns=["unit", "year"])
    n = len(df)
    df["region"] = np.select([df["unit"] < 8, df["unit"] < 16], ["e", "w"], "c")
    df["prov"] = df["unit"] // 3
    df["rc"] = rng.integers(0, 9, size=n)
    df["x"], df["c"] = rng.normal(size=n), rng.normal(size=n)
    df["y"] = (
        np.where(df["region"] == "e", 1.0, 0.7) * df["x"]
        + 0.3 * df["c"]
        + 0.1 * df["unit"]
        + rng.normal(size=n)
    )
    res = heterogeneity(
        df,
        y="y",
        x="x",
        controls=["c"],
        group="region",
        effects=effects,
        cluster=cluster,
        min_clusters=3,
        include_pooled=False,
    )
    assert res.equality["statistic"].iloc[0] == pytest.approx(
        _interacted_wald(df, effects, cluster), rel=1e-6
    )
    assert res.equality["df"].iloc[0] == 2
