"""Fixed effects: Grunfeld (Baltagi, R plm), linearmodels parity, CR1, errors."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from linearmodels import PanelOLS

from spatialgreen.econometrics import fixed_effects
from spatialgreen.econometrics._design import codes, demean
from spatialgreen.econometrics.placebo import _Design
from spatialgreen.errors import DataError, ModelError, PanelError

REF = Path(__file__).parent / "reference" / "econometrics" / "grunfeld"


def _plm_reference() -> dict[tuple[str, str], tuple[float, float]]:
    out = {}
    for line in (REF / "grunfeld_plm_output.txt").read_text().splitlines():
        m = re.match(r"(\S+) (\S+) coef=(\S+) se=(\S+)", line)
        if m:
            out[(m.group(1), m.group(2))] = (float(m.group(3)), float(m.group(4)))
    return out


def _plm_scalar(name: str) -> float:
    for line in (REF / "grunfeld_plm_output.txt").read_text().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise KeyError(name)


@pytest.fixture(scope="module")
def grunfeld() -> pd.DataFrame:
    from statsmodels.datasets import grunfeld

    data = grunfeld.load_pandas().data
    data = data.loc[data["firm"] != "American Steel"].copy()
    data["year"] = data["year"].astype(int)
    return data.reset_index(drop=True)


def _panel(n_units=25, n_years=8, seed=0, drop=()) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "unit": np.repeat([f"u{i:02d}" for i in range(n_units)], n_years),
            "year": np.tile(np.arange(2005, 2005 + n_years), n_units),
        }
    )
    n = len(df)
    alpha = np.repeat(rng.normal(size=n_units), n_years)
    tau = np.tile(rng.normal(size=n_years), n_units)
    df["x"] = rng.normal(size=n) + 0.5 * alpha
    df["c1"] = rng.normal(size=n) + 0.3 * tau
    df["c2"] = rng.normal(size=n)
    df["region"] = np.repeat(np.arange(n_units) % 5, n_years)
    df["y"] = 0.4 * df["x"] - 0.2 * df["c1"] + alpha + tau + rng.normal(size=n)
    return df.drop(index=list(drop)).reset_index(drop=True)


# --- published and R reference numbers -------------------------------------------


@pytest.mark.parametrize(
    ("effects", "tag", "published"),
    [
        # Baltagi, Econometric Analysis of Panel Data, Table 2.1 (Within) / Table 3.1
        ("unit", "oneway", {"value": (0.110, 0.012), "capital": (0.310, 0.017)}),
        ("twoway", "twoway", {"value": (0.118, 0.014), "capital": (0.358, 0.023)}),
    ],
    ids=["oneway-table2.1", "twoway-table3.1"],
)
def test_grunfeld_matches_baltagi_and_plm(grunfeld, effects, tag, published):
    res = fixed_effects(
        grunfeld, y="invest", x=["value", "capital"], unit="firm", effects=effects
    )
    plm = _plm_reference()
    for var, (coef, se) in published.items():
        assert round(res.params[var], 3) == coef
        assert round(res.std_errors[var], 3) == se
        ref_coef, ref_se = plm[(f"{tag}_conventional", var)]
        assert res.params[var] == pytest.approx(ref_coef, rel=1e-8)
        assert res.std_errors[var] == pytest.approx(ref_se, rel=1e-7)
    assert res.r2_within == pytest.approx(_plm_scalar(f"{tag}_r2_within"), rel=1e-8)
    assert res.nobs == 200
    assert res.df_resid == 200 - 2 - 10 - (19 if effects == "twoway" else 0)


@pytest.mark.parametrize(("effects", "tag"), [("unit", "oneway"), ("twoway", "twoway")])
def test_grunfeld_cluster_se_is_stata_cr1_times_plm_hc0(grunfeld, effects, tag):
    """Stata convention: V = G/(G-1)·(N-1)/(N-K)·V_HC0, K = slopes + const + (T-1)."""
    res = fixed_effects(
        grunfeld,
        y="invest",
        x=["value", "capital"],
        unit="firm",
        effects=effects,
        cluster="firm",
    )
    n, g = 200, 10
    k = 2 + 1 + (19 if effects == "twoway" else 0)
    factor = g / (g - 1) * (n - 1) / (n - k)
    plm = _plm_reference()
    for var in ("value", "capital"):
        hc0_se = plm[(f"{tag}_cluster_HC0", var)][1]
        assert res.std_errors[var] == pytest.approx(np.sqrt(factor) * hc0_se, rel=1e-7)
    assert res.df_inference == g - 1
    assert res.n_clusters == g


# --- parity with linearmodels ------------------------------------------------------


@pytest.mark.parametrize("effects", ["twoway", "unit", "time", "none"])
def test_params_and_linearmodels_convention_equal_panelols(effects):
    df = _panel(drop=[3, 40, 41, 77])  # unbalanced
    res = fixed_effects(
        df,
        y="y",
        x="x",
        controls=["c1", "c2"],
        effects=effects,
        cluster="unit",
        small_sample="linearmodels",
    )
    idx = df.set_index(["unit", "year"])
    exog = idx[["x", "c1", "c2"]].assign(const=1.0)
    direct = PanelOLS(
        idx["y"],
        exog,
        entity_effects=effects in ("twoway", "unit"),
        time_effects=effects in ("twoway", "time"),
    ).fit(cov_type="clustered", cluster_entity=True)
    for name in ["x", "c1", "c2", "const"]:
        assert res.params[name] == pytest.approx(
            direct.params[name], rel=1e-9, abs=1e-12
        )
        assert res.std_errors[name] == pytest.approx(direct.std_errors[name], rel=1e-9)
        assert res.pvalues[name] == pytest.approx(
            direct.pvalues[name], rel=1e-7, abs=1e-14
        )
    assert res.r2_within == pytest.approx(direct.rsquared, rel=1e-10)
    lower = res.conf_int()["lower"]
    assert lower["x"] == pytest.approx(direct.conf_int()["lower"]["x"], rel=1e-9)


def test_stata_convention_equals_lsdv_year_dummies_in_linearmodels():
    """xtreg y x i.year, fe vce(cluster id) built by hand in linearmodels."""
    df = _panel(seed=3)
    res = fixed_effects(df, y="y", x="x", controls=["c1"], cluster="unit")
    idx = df.set_index(["unit", "year"])
    dummies = pd.get_dummies(idx.index.get_level_values("year"), drop_first=True)
    dummies.index = idx.index
    exog = pd.concat(
        [idx[["x", "c1"]].assign(const=1.0), dummies.astype(float)], axis=1
    )
    direct = PanelOLS(idx["y"], exog, entity_effects=True).fit(
        cov_type="clustered", cluster_entity=True, group_debias=True
    )
    assert res.std_errors["x"] == pytest.approx(direct.std_errors["x"], rel=1e-10)
    # hand CR1: sandwich on two-way demeaned data, Stata factor
    n, g, t = len(df), 25, 8
    groups = [codes(df["unit"]), codes(df["year"])]
    w = demean(df[["y", "x", "c1"]].to_numpy(), groups)
    xx = w[:, 1:]
    beta = np.linalg.solve(xx.T @ xx, xx.T @ w[:, 0])
    e = w[:, 0] - xx @ beta
    scores = (
        pd.DataFrame(xx * e[:, None]).groupby(df["unit"].to_numpy()).sum().to_numpy()
    )
    bread = np.linalg.inv(xx.T @ xx)
    v0 = bread @ scores.T @ scores @ bread
    factor = g / (g - 1) * (n - 1) / (n - (2 + 1 + t - 1))
    assert res.std_errors["x"] == pytest.approx(np.sqrt(factor * v0[0, 0]), rel=1e-9)


@pytest.mark.parametrize("effects", ["twoway", "unit", "time", "none"])
@pytest.mark.parametrize(
    ("cov", "cluster"),
    [
        ("unadjusted", None),
        ("robust", None),
        ("clustered", "unit"),
        ("clustered", "year"),
    ],
    ids=["unadjusted", "robust", "cluster-unit", "cluster-year"],
)
@pytest.mark.parametrize("small_sample", ["stata", "linearmodels"])
def test_fast_path_reproduces_linearmodels(effects, cov, cluster, small_sample):
    """The numpy route used by placebo/bootstrap equals the reported estimates."""
    df = _panel(drop=[0, 9, 100, 150, 151], seed=7)
    res = fixed_effects(
        df,
        y="y",
        x="x",
        controls=["c1", "c2"],
        effects=effects,
        cov=cov,
        cluster=cluster,
        small_sample=small_sample,
    )
    frame = df.sort_values(["unit", "year"]).reset_index(drop=True)
    design = _Design.build(frame, res, y="y", core="x", controls=["c1", "c2"])
    coef, se = design.estimate(np.arange(len(frame))[None, :])
    assert coef[0] == pytest.approx(res.params["x"], rel=1e-10)
    assert se[0] == pytest.approx(res.std_errors["x"], rel=1e-10)


def test_demean_matches_linearmodels_on_unbalanced_panel():
    from linearmodels.panel.data import PanelData

    df = _panel(drop=[1, 2, 30, 55, 56, 57], seed=11)
    ours = demean(df[["x", "y"]].to_numpy(), [codes(df["unit"]), codes(df["year"])])
    theirs = PanelData(df.set_index(["unit", "year"])[["x", "y"]]).demean("both")
    theirs = theirs.dataframe.loc[list(zip(df["unit"], df["year"], strict=True))]
    np.testing.assert_allclose(ours, theirs.to_numpy(), atol=1e-8)


def test_missing_rows_dropped_and_counted_input_untouched():
    df = _panel()
    df.loc[[5, 6], "c1"] = np.nan
    before = df.copy()
    with pytest.warns(UserWarning, match=r"dropped 2 of 200 rows .*'c1': 2"):
        res = fixed_effects(df, y="y", x="x", controls=["c1"])
    pd.testing.assert_frame_equal(df, before)
    assert res.nobs == len(df) - 2
    assert res.meta["dropped_missing"] == {"c1": 2}
    # the estimates are those of the complete rows, fitted separately
    complete = fixed_effects(df.dropna(), y="y", x="x", controls=["c1"])
    np.testing.assert_allclose(res.params, complete.params, rtol=1e-12)
    with pytest.raises(
        DataError, match="'c1' has missing values at: unit=u00, year=2010"
    ):
        fixed_effects(df, y="y", x="x", controls=["c1"], missing="raise")


def test_fixed_effect_flags_and_statistics():
    res = fixed_effects(_panel(), y="y", x="x", effects="unit")
    assert res.fixed_effects == {"Unit FE": True, "Year FE": False}
    assert res.r2_adj == pytest.approx(1 - (1 - res.r2) * (res.nobs - 1) / res.df_resid)
    assert res.fit is not None  # the linearmodels result stays accessible
    assert "Fixed effects (unit)" in res.summary()


# --- bad input -------------------------------------------------------------------


def test_constant_regressor_is_named():
    df = _panel().assign(k=3.0)
    with pytest.raises(ModelError, match="regressor 'k' is constant"):
        fixed_effects(df, y="y", x="x", controls=["k"])


def test_collinear_regressor_is_named():
    df = _panel()
    df["x2"] = 2 * df["x"] - df["c1"]
    with pytest.raises(ModelError, match="'x2' is perfectly collinear"):
        fixed_effects(df, y="y", x="x", controls=["c1", "x2"])


def test_regressor_absorbed_by_unit_effects_is_named():
    df = _panel()
    df["size"] = df["region"] * 1.5
    with pytest.raises(
        ModelError, match="'size' is absorbed by the twoway fixed effects"
    ):
        fixed_effects(df, y="y", x="x", controls=["size"])


def test_too_few_clusters():
    df = _panel()
    with pytest.raises(ModelError, match="only 5 clusters in 'region'"):
        fixed_effects(df, y="y", x="x", cluster="region", min_clusters=10)
    res = fixed_effects(df, y="y", x="x", cluster="region")
    assert res.n_clusters == 5


def test_other_bad_inputs():
    df = _panel()
    with pytest.raises(DataError, match="model column 'nope' not found"):
        fixed_effects(df, y="y", x="nope")
    with pytest.raises(ModelError, match="dependent variable 'y' is also"):
        fixed_effects(df, y="y", x=["x", "y"])
    with pytest.raises(ModelError, match="effects must be one of"):
        fixed_effects(df, y="y", x="x", effects="both")
    with pytest.raises(PanelError, match="duplicate"):
        fixed_effects(pd.concat([df, df.iloc[:1]]), y="y", x="x")
    with pytest.raises(ModelError, match="needs a cluster column"):
        fixed_effects(df, y="y", x="x", cov="clustered")
