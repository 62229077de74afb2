"""Moderation, lags, alternative outcomes and heterogeneity: cross-checked routes."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from spatialgreen.econometrics import (
    fixed_effects,
    heterogeneity,
    lag,
    lagged,
    moderation,
    robustness,
)
from spatialgreen.errors import DataError, ModelError


def _panel(seed=0, n_units=30, n_years=10, slopes=(1.0, 1.0, 1.0)) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "province": np.repeat(np.arange(100, 100 + n_units), n_years),
            "year": np.tile(np.arange(2010, 2010 + n_years), n_units),
        }
    )
    n = len(df)
    alpha = np.repeat(rng.normal(size=n_units), n_years)
    df["region"] = np.repeat(
        np.array(["east", "central", "west"])[np.arange(n_units) % 3], n_years
    )
    slope = df["region"].map(
        dict(zip(["east", "central", "west"], slopes, strict=True))
    )
    df["gov"] = rng.normal(size=n)
    df["prod"] = rng.normal(size=n) + alpha
    df["high"] = rng.normal(loc=2.0, size=n)
    df["gtfp"] = (
        slope * df["prod"]
        + 0.5 * df["prod"] * df["high"]
        + 0.3 * df["high"]
        - 0.2 * df["gov"]
        + alpha
        + rng.normal(size=n)
    )
    df["gtfp_sbm"] = 1.5 * df["prod"] + alpha + rng.normal(size=n)
    return df


KW = {"unit": "province", "time": "year"}

# --- moderation ------------------------------------------------------------------


def test_moderation_centering_invariance_and_marginal_effects():
    df = _panel()
    centred = moderation(
        df, y="gtfp", x="prod", moderator="high", controls=["gov"], center=True, **KW
    )
    raw = moderation(
        df, y="gtfp", x="prod", moderator="high", controls=["gov"], center=False, **KW
    )
    # no centring by default (Stata, the studies)
    default = moderation(
        df, y="gtfp", x="prod", moderator="high", controls=["gov"], **KW
    )
    pd.testing.assert_frame_equal(default.coefficients, raw.coefficients)
    assert default.meta["centered"] is False
    term = "prod*high"
    assert centred.params[term] == pytest.approx(raw.params[term], rel=1e-10)
    assert centred.std_errors[term] == pytest.approx(raw.std_errors[term], rel=1e-8)
    # centred main effect = raw marginal effect at the moderator's mean
    zbar = df["high"].mean()
    assert centred.params["prod"] == pytest.approx(
        raw.params["prod"] + raw.params[term] * zbar, rel=1e-10
    )
    # both parametrisations give the same marginal-effects table
    pd.testing.assert_frame_equal(
        centred.marginal_effects, raw.marginal_effects, check_exact=False, rtol=1e-8
    )
    assert raw.marginal_effects["high"].tolist() == pytest.approx(
        [zbar - df["high"].std(), zbar, zbar + df["high"].std()]
    )


def test_moderation_default_is_the_raw_product_as_in_stata():
    """Default = fixed_effects on x, z and the raw product x·z (Stata c.x##c.z)."""
    df = _panel(seed=2)
    res = moderation(df, y="gtfp", x="prod", moderator="high", controls=["gov"], **KW)
    by_hand = fixed_effects(
        df.assign(inter=df["prod"] * df["high"]),
        y="gtfp",
        x=["prod", "high", "inter"],
        controls=["gov"],
        **KW,
    )
    for mine, theirs in (("prod", "prod"), ("high", "high"), ("prod*high", "inter")):
        assert res.params[mine] == pytest.approx(by_hand.params[theirs], rel=1e-10)
        assert res.std_errors[mine] == pytest.approx(
            by_hand.std_errors[theirs], rel=1e-8
        )


def test_marginal_effect_se_equals_refit_with_shifted_moderator():
    """Delta-method SE at z0 = SE of the x coefficient when the moderator is z - z0."""
    df = _panel(seed=1)
    res = moderation(
        df,
        y="gtfp",
        x="prod",
        moderator="high",
        at=[1.0, 3.5],
        cluster="province",
        **KW,
    )
    for z0, row in zip([1.0, 3.5], res.marginal_effects.itertuples(), strict=True):
        shifted = df.assign(h0=df["high"] - z0)
        shifted["inter"] = shifted["prod"] * shifted["h0"]
        refit = fixed_effects(
            shifted, y="gtfp", x=["prod", "h0", "inter"], cluster="province", **KW
        )
        assert row.estimate == pytest.approx(refit.params["prod"], rel=1e-9)
        assert row.std_error == pytest.approx(refit.std_errors["prod"], rel=1e-8)
        assert row.p == pytest.approx(refit.pvalues["prod"], rel=1e-6, abs=1e-12)
    assert res.interaction == "prod*high"
    assert res.params["prod*high"] == pytest.approx(0.5, abs=0.1)


# --- lags --------------------------------------------------------------------------


def test_lag_uses_calendar_periods_not_previous_rows():
    df = pd.DataFrame(
        {
            "unit": ["a", "a", "a", "a", "b", "b"],
            "year": [2001, 2002, 2004, 2005, 2002, 2001],  # a has a gap, b unsorted
            "x": [1.0, 2.0, 4.0, 5.0, 20.0, 10.0],
        }
    )
    out = lag(df, "x", periods=[1, 2, -1])
    np.testing.assert_array_equal(
        out["x_lag1"], [np.nan, 1.0, np.nan, 4.0, 10.0, np.nan]
    )
    np.testing.assert_array_equal(
        out["x_lag2"], [np.nan, np.nan, 2.0, np.nan, np.nan, np.nan]
    )
    np.testing.assert_array_equal(
        out["x_lead1"], [2.0, np.nan, 5.0, np.nan, np.nan, 20.0]
    )
    assert "x_lag1" not in df.columns  # input untouched
    with pytest.raises(DataError, match="must hold integer periods"):
        lag(df.assign(year=df["year"] + 0.5), "x")


def test_lag_matches_groupby_shift_on_consecutive_panel():
    df = _panel().sample(frac=1.0, random_state=0)  # shuffled rows
    out = lag(df, "prod", **KW, periods=2)
    ordered = df.sort_values(["province", "year"])
    expected = ordered.groupby("province")["prod"].shift(2)
    np.testing.assert_array_equal(out.loc[ordered.index, "prod_lag2"], expected)


def test_lagged_battery_equals_individual_fits():
    df = _panel()
    res = lagged(df, y="gtfp", x="prod", lags=(0, 1, 2), controls=["gov"], **KW)
    assert [res[m].nobs for m in ("L0", "L1", "L2")] == [300, 270, 240]
    manual = df.sort_values(["province", "year"]).copy()
    manual["p1"] = manual.groupby("province")["prod"].shift(1)
    fit = fixed_effects(manual, y="gtfp", x="p1", controls=["gov"], **KW)
    assert res["L1"].params["prod_lag1"] == pytest.approx(fit.params["p1"], rel=1e-10)
    table = res.regression_table()
    assert "prod_lag2" in table.table[""].tolist()


# --- robustness ----------------------------------------------------------------


def test_robustness_side_by_side():
    df = _panel()
    df.loc[[0, 1], "gtfp_sbm"] = np.nan
    res = robustness(df, y={"EBM": "gtfp", "SBM": "gtfp_sbm"}, x="prod", **KW)
    assert list(res.models) == ["EBM", "SBM"]
    assert res["SBM"].params["prod"] == pytest.approx(
        fixed_effects(df, y="gtfp_sbm", x="prod", **KW).params["prod"]
    )
    assert [res[m].nobs for m in res.models] == [300, 298]
    common = robustness(df, y=["gtfp", "gtfp_sbm"], x="prod", common_sample=True, **KW)
    assert {m.nobs for m in common.models.values()} == {298}
    assert set(res.coefficients.index.get_level_values("model")) == {"EBM", "SBM"}


# --- heterogeneity ---------------------------------------------------------------


@pytest.mark.parametrize("effects", ["twoway", "unit", "time", "none"])
def test_heterogeneity_interacted_model_equals_separate_regressions(effects):
    df = _panel(slopes=(2.0, 0.5, 0.0))
    res = heterogeneity(
        df,
        y="gtfp",
        x="prod",
        group="region",
        controls=["gov"],
        cluster="province",
        effects=effects,
        **KW,
    )
    test = res.equality.iloc[0]
    for region in ("east", "central", "west"):
        assert test[f"coef[{region}]"] == pytest.approx(
            res[region].params["prod"], rel=1e-9
        )
        part = df.loc[df["region"] == region]
        alone = fixed_effects(
            part, y="gtfp", x="prod", controls=["gov"], effects=effects, **KW
        )
        assert res[region].params["prod"] == pytest.approx(
            alone.params["prod"], rel=1e-10
        )
    assert test["df"] == 2
    assert test["p_value"] < 1e-6
    assert res["All"].nobs == 300 and res["east"].nobs == 100


def test_heterogeneity_two_groups_wald_is_difference_over_se():
    """With unit clusters nested in groups the joint covariance is block diagonal:
    W = (b1 - b2)² / (V1 + V2) with V the pooled model's variances."""
    df = _panel(seed=3, slopes=(1.0, 1.0, 1.0))
    df = df.loc[df["region"] != "west"]
    res = heterogeneity(
        df, y="gtfp", x="prod", group="region", cov="robust", include_pooled=False, **KW
    )
    test = res.equality.iloc[0]
    b = {g: test[f"coef[{g}]"] for g in ("east", "central")}
    assert test["df"] == 1
    se2 = res["east"].std_errors["prod"] ** 2 + res["central"].std_errors["prod"] ** 2
    # separate fits differ from the pooled one only by the n/df_resid factors
    assert test["statistic"] == pytest.approx(
        (b["east"] - b["central"]) ** 2 / se2, rel=0.05
    )
    # equal true slopes: no rejection (seeded data)
    assert test["p_value"] > 0.05
    assert abs(b["east"] - b["central"]) < 0.5


def test_heterogeneity_bad_input():
    df = _panel()
    with pytest.raises(ModelError, match="single group"):
        heterogeneity(
            df.assign(region="east"), y="gtfp", x="prod", group="region", **KW
        )
    moved = df.copy()
    moved.loc[0, "region"] = "west"  # province 100 is "east" in other years
    with pytest.raises(DataError, match="changes within unit"):
        heterogeneity(moved, y="gtfp", x="prod", group="region", **KW)
    with pytest.raises(ModelError, match="group region='east': only 10 clusters"):
        heterogeneity(
            df,
            y="gtfp",
            x="prod",
            group="region",
            cluster="province",
            min_clusters=20,
            **KW,
        )


def test_group_named_all_would_overwrite_the_pooled_model():
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
