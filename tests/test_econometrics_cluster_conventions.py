"""small_sample="none": the bare cluster sandwich (CR0) beside Stata, linearmodels."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from spatialgreen.econometrics import fixed_effects, moderation, placebo
from spatialgreen.econometrics._design import codes, demean
from spatialgreen.econometrics.placebo import _Design

REF = Path(__file__).parent / "reference" / "econometrics" / "grunfeld"


def _plm_hc0(tag: str) -> dict[str, float]:
    out = {}
    for line in (REF / "grunfeld_plm_output.txt").read_text().splitlines():
        m = re.match(rf"{tag}_cluster_HC0 (\S+) coef=\S+ se=(\S+)", line)
        if m:
            out[m.group(1)] = float(m.group(2))
    return out


@pytest.fixture(scope="module")
def grunfeld() -> pd.DataFrame:
    from statsmodels.datasets import grunfeld

    data = grunfeld.load_pandas().data
    data = data.loc[data["firm"] != "American Steel"].copy()
    data["year"] = data["year"].astype(int)
    return data.reset_index(drop=True)


def _panel(seed=0, drop=(3, 40, 41, 77)) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_units, n_years = 25, 8
    df = pd.DataFrame(
        {
            "unit": np.repeat([f"u{i:02d}" for i in range(n_units)], n_years),
            "year": np.tile(np.arange(2005, 2005 + n_years), n_units),
        }
    )
    n = len(df)
    alpha = np.repeat(rng.normal(size=n_units), n_years)
    shock = np.repeat(rng.normal(size=n_units), n_years)  # within-unit correlation
    df["x"] = rng.normal(size=n) + 0.5 * alpha
    df["c1"] = rng.normal(size=n)
    df["region"] = np.repeat(np.arange(n_units) % 6, n_years)
    df["y"] = 0.4 * df["x"] - 0.2 * df["c1"] + alpha + shock * rng.normal(size=n)
    return df.drop(index=list(drop)).reset_index(drop=True)


@pytest.mark.parametrize(("effects", "tag"), [("unit", "oneway"), ("twoway", "twoway")])
def test_grunfeld_none_is_plm_hc0_with_z(grunfeld, effects, tag):
    res = fixed_effects(
        grunfeld,
        y="invest",
        x=["value", "capital"],
        unit="firm",
        effects=effects,
        cluster="firm",
        small_sample="none",
    )
    for var, se in _plm_hc0(tag).items():
        assert res.std_errors[var] == pytest.approx(se, rel=1e-7)
        z = res.params[var] / se
        assert res.pvalues[var] == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-6)
    assert res.df_inference is None
    assert res.inference == {"distribution": "normal", "df": None}
    lo, hi = res.conf_int(0.9).loc["value"]
    assert hi - lo == pytest.approx(2 * 1.6448536 * res.std_errors["value"], rel=1e-6)


@pytest.mark.parametrize("effects", ["twoway", "unit", "time", "none"])
@pytest.mark.parametrize("cluster", ["unit", "region"])
def test_none_equals_hand_sandwich(effects, cluster):
    """V_0 = (X̃'X̃)⁻¹ Σ_g X̃_g'e_g e_g'X̃_g (X̃'X̃)⁻¹ on the within-transformed data."""
    df = _panel()
    res = fixed_effects(
        df,
        y="y",
        x="x",
        controls=["c1"],
        effects=effects,
        cluster=cluster,
        small_sample="none",
    )
    groups = []
    if effects in ("twoway", "unit"):
        groups.append(codes(df["unit"]))
    if effects in ("twoway", "time"):
        groups.append(codes(df["year"]))
    if not groups:
        groups.append((np.zeros(len(df), dtype=np.int64), 1))
    w = demean(df[["y", "x", "c1"]].to_numpy(), groups)
    xx = w[:, 1:]
    bread = np.linalg.inv(xx.T @ xx)
    e = w[:, 0] - xx @ (bread @ xx.T @ w[:, 0])
    scores = pd.DataFrame(xx * e[:, None]).groupby(df[cluster].to_numpy()).sum()
    meat = scores.to_numpy().T @ scores.to_numpy()
    v0 = bread @ meat @ bread
    np.testing.assert_allclose(
        res.std_errors[["x", "c1"]], np.sqrt(np.diag(v0)), rtol=1e-9
    )
    stata = fixed_effects(
        df, y="y", x="x", controls=["c1"], effects=effects, cluster=cluster
    )
    # same point estimates; Stata's CR1 is V_0 times its factor (> 1)
    assert stata.params["x"] == pytest.approx(res.params["x"], rel=1e-12)
    ratio = (stata.std_errors["x"] / res.std_errors["x"]) ** 2
    assert ratio == pytest.approx(stata.meta["se_scale"], rel=1e-9)
    assert res.meta["se_scale"] == 1.0


def test_robust_none_is_hc0_on_within_data():
    df = _panel(seed=4)
    res = fixed_effects(
        df, y="y", x="x", controls=["c1"], cov="robust", small_sample="none"
    )
    w = demean(df[["y", "x", "c1"]].to_numpy(), [codes(df["unit"]), codes(df["year"])])
    xx = w[:, 1:]
    bread = np.linalg.inv(xx.T @ xx)
    e = w[:, 0] - xx @ (bread @ xx.T @ w[:, 0])
    v0 = bread @ ((xx * e[:, None] ** 2).T @ xx) @ bread
    np.testing.assert_allclose(
        res.std_errors[["x", "c1"]], np.sqrt(np.diag(v0)), rtol=1e-9
    )
    assert res.meta["small_sample"] == "none" and res.df_inference is None


@pytest.mark.parametrize(
    ("small_sample", "cov", "expected"),
    [
        ("stata", "clustered", "clustered by unit, Stata convention"),
        ("linearmodels", "clustered", "clustered by unit, linearmodels convention"),
        ("none", "clustered", "clustered by unit, no small-sample factor (CR0); z"),
        ("none", "robust", "(HC0, no factor); z"),
        ("stata", "unadjusted", "Conventional standard errors; t("),
    ],
)
def test_convention_is_named_in_meta(small_sample, cov, expected):
    res = fixed_effects(
        _panel(),
        y="y",
        x="x",
        cov=cov,
        cluster="unit" if cov == "clustered" else None,
        small_sample=small_sample,
    )
    assert expected in res.meta["se_note"]


@pytest.mark.parametrize("effects", ["twoway", "unit", "none"])
@pytest.mark.parametrize(("cov", "cluster"), [("robust", None), ("clustered", "unit")])
def test_fast_path_reproduces_none(effects, cov, cluster):
    df = _panel(seed=7)
    res = fixed_effects(
        df,
        y="y",
        x="x",
        controls=["c1"],
        effects=effects,
        cov=cov,
        cluster=cluster,
        small_sample="none",
    )
    frame = df.sort_values(["unit", "year"]).reset_index(drop=True)
    design = _Design.build(frame, res, y="y", core="x", controls=["c1"])
    coef, se = design.estimate(np.arange(len(frame))[None, :])
    assert coef[0] == pytest.approx(res.params["x"], rel=1e-10)
    assert se[0] == pytest.approx(res.std_errors["x"], rel=1e-10)


def test_batteries_forward_none():
    df = _panel(seed=2)
    df["z"] = np.random.default_rng(0).normal(size=len(df))
    mod = moderation(
        df, y="y", x="x", moderator="z", cluster="unit", small_sample="none"
    )
    assert mod.inference["df"] is None
    me = mod.marginal_effects.iloc[1]
    assert me["p"] == pytest.approx(2 * stats.norm.sf(abs(me["statistic"])), rel=1e-9)
    pl = placebo(df, y="y", x="x", cluster="unit", small_sample="none", reps=20, seed=1)
    d = pl.draws
    np.testing.assert_allclose(d["p"], 2 * stats.norm.sf(np.abs(d["statistic"])))
