"""Tests of spatialgreen.scenarios.technology_convergence."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from spatialgreen.errors import DataError
from spatialgreen.scenarios import STATUS_QUO, technology_convergence

VARS = {
    "inputs": ["labor", "energy"],
    "outputs": ["gdp"],
    "bad_outputs": ["so2"],
    "energy": ["energy"],
}


def _panel(seed: int = 0, n: int = 8) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frames = []
    for year in (2020, 2021):
        frames.append(
            pd.DataFrame(
                {
                    "unit": [f"p{i}" for i in range(n)],
                    "year": year,
                    "region": ["east"] * (n // 2) + ["west"] * (n - n // 2),
                    "labor": rng.uniform(1, 3, n),
                    "energy": rng.uniform(1, 3, n),
                    "gdp": rng.uniform(1, 3, n),
                    "so2": rng.uniform(1, 3, n),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _toy_provider(frame: pd.DataFrame) -> SimpleNamespace:
    """Energy productivity relative to the year's best, with best-practice targets."""
    prod = frame["gdp"] / frame["energy"]
    best = prod.groupby(frame["year"]).transform("max")
    clean = (frame["so2"] / frame["gdp"]).groupby(frame["year"]).transform("min")
    scores = frame[["unit", "year"]].assign(score=prod / best)
    targets = frame[["unit", "year", "labor"]].assign(
        energy=frame["gdp"] / best, gdp=frame["energy"] * best, so2=frame["gdp"] * clean
    )
    return SimpleNamespace(scores=scores, targets=targets)


def test_alpha_zero_reproduces_the_status_quo_with_sbm() -> None:
    from spatialgreen.efficiency.sbm import sbm

    df = _panel()
    before = df.copy()
    res = technology_convergence(df, **VARS, alpha=[0.0, 0.5])
    pd.testing.assert_frame_equal(df, before)
    direct = sbm(
        df,
        inputs=VARS["inputs"],
        outputs=["gdp"],
        bad_outputs=["so2"],
        unit="unit",
        time="year",
    ).scores
    quo = res.simulated.query("scenario == @STATUS_QUO").reset_index(drop=True)
    np.testing.assert_array_equal(
        quo[["labor", "energy", "gdp", "so2"]], df[["labor", "energy", "gdp", "so2"]]
    )
    np.testing.assert_array_equal(quo["gtfp"], direct["score"])
    zero = res.simulated.query("alpha == 0.0")
    for name, frame in zero.groupby("scenario"):
        np.testing.assert_array_equal(
            frame[["energy", "gdp", "so2", "gtfp"]],
            quo[["energy", "gdp", "so2", "gtfp"]],
            err_msg=name,
        )
    changes = res.changes.query("alpha == 0.0")
    assert (changes[["energy", "gdp", "so2", "gtfp"]] == 0).all().all()
    disp = res.disparity.query("alpha == 0.0")
    assert (disp[["cv_change", "theil_change", "gini_change"]] == 0).all().all()


def test_scenarios_move_the_right_variables_by_alpha() -> None:
    df = _panel(1)
    res = technology_convergence(df, **VARS, alpha=0.3, provider=_toy_provider)
    target = _toy_provider(df).targets
    sim = {k: f.reset_index(drop=True) for k, f in res.simulated.groupby("scenario")}
    for v in ("energy", "so2"):
        np.testing.assert_allclose(sim["energy"][v], df[v] + 0.3 * (target[v] - df[v]))
        np.testing.assert_allclose(
            sim["balanced"][v], df[v] + 0.15 * (target[v] - df[v])
        )
        np.testing.assert_array_equal(sim["economy"][v], df[v])
    np.testing.assert_allclose(
        sim["economy"]["gdp"], df["gdp"] + 0.3 * (target["gdp"] - df["gdp"])
    )
    np.testing.assert_array_equal(sim["energy"]["gdp"], df["gdp"])
    for name in ("energy", "economy", "balanced"):
        np.testing.assert_array_equal(sim[name]["labor"], df["labor"])
    # the GTFP of a scenario is the provider's score on the simulated data
    np.testing.assert_allclose(
        sim["energy"]["gtfp"], _toy_provider(sim["energy"]).scores["score"]
    )
    totals = res.totals.set_index(["scenario", "year"])
    assert (
        totals.loc[("energy", 2020), "energy"]
        < totals.loc[(STATUS_QUO, 2020), "energy"]
    )


def _sbm(frame: pd.DataFrame, orientation: str = "non") -> object:
    from spatialgreen.efficiency.sbm import sbm

    return sbm(
        frame,
        inputs=VARS["inputs"],
        outputs=["gdp"],
        bad_outputs=["so2"],
        unit="unit",
        time="year",
        orientation=orientation,
    )


def test_full_convergence_to_sbm_projection_is_efficient() -> None:
    df = _panel(2)
    everything = {
        "all": {"inputs": 1.0, "energy": 1.0, "outputs": 1.0, "bad_outputs": 1.0}
    }
    # one provider only: every target is the non-oriented SBM projection
    res = technology_convergence(
        df, **VARS, alpha=1.0, scenarios=everything, provider=_sbm
    )
    moved = res.simulated.query("scenario == 'all'")
    # Tone (2001): the SBM projection of every unit is SBM-efficient
    np.testing.assert_allclose(moved["gtfp"], 1.0, atol=1e-6)
    assert res.meta["inside_technology"]
    partial = technology_convergence(df, **VARS, alpha=[0.5, 1.0])
    assert partial.meta["inside_technology"]
    quo = partial.simulated.query("scenario == @STATUS_QUO")["gtfp"].to_numpy()
    for (_, _), frame in partial.simulated.query("scenario != @STATUS_QUO").groupby(
        ["scenario", "alpha"]
    ):
        assert (frame["gtfp"].to_numpy() >= quo - 1e-9).all()


def test_default_targets_mix_non_and_output_oriented_sbm() -> None:
    df = _panel(4)
    res = technology_convergence(df, **VARS, alpha=1.0)
    targets = res.targets.reset_index(drop=True)
    non = _sbm(df).targets.reset_index(drop=True)
    out = _sbm(df, "output").targets.reset_index(drop=True)
    np.testing.assert_allclose(
        targets[["labor", "energy", "so2"]], non[["labor", "energy", "so2"]], rtol=1e-12
    )
    np.testing.assert_allclose(targets["gdp"], out["gdp"], rtol=1e-12)
    economy = res.simulated.query("scenario == 'economy'").reset_index(drop=True)
    np.testing.assert_allclose(economy["gdp"], out["gdp"], rtol=1e-12)
    assert (economy["gdp"] >= df["gdp"] - 1e-12).all()
    assert (economy["gdp"] > df["gdp"] * 1.001).any()  # the economy scenario moves
    too_far = {"x": {"energy": 1.0, "outputs": 1.0}}
    assert not technology_convergence(df, **VARS, scenarios=too_far).meta[
        "inside_technology"
    ]


def test_disparity_matches_direct_computation() -> None:
    from inequality.gini import Gini
    from inequality.theil import Theil

    df = _panel(3)
    res = technology_convergence(
        df, **VARS, alpha=0.5, provider=_toy_provider, group="region"
    )
    disp = res.disparity.set_index(["scenario", "year", "variable"])
    sim = res.simulated.set_index(["scenario", "year"])
    for key in [(STATUS_QUO, 2020), ("energy", 2021)]:
        for v in ("energy", "gtfp"):
            y = sim.loc[key, v].to_numpy()
            row = disp.loc[(*key, v)]
            assert row["cv"] == pytest.approx(y.std() / y.mean(), rel=1e-12)
            assert row["theil"] == pytest.approx(
                float(np.ravel(Theil(y).T)[0]), rel=1e-12
            )
            assert row["gini"] == pytest.approx(Gini(y).g, rel=1e-12)
            parts = (
                row["gini_within"]
                + row["gini_net_between"]
                + row["gini_transvariation"]
            )
            assert parts == pytest.approx(row["gini"], rel=1e-12)
    quo_cv = disp.loc[(STATUS_QUO, 2021, "gtfp"), "cv"]
    assert disp.loc[("energy", 2021, "gtfp"), "cv_change"] == pytest.approx(
        disp.loc[("energy", 2021, "gtfp"), "cv"] - quo_cv
    )


def test_region_leader_targets_by_hand() -> None:
    df = pd.DataFrame(
        {
            "unit": ["L", "a"],
            "year": [1, 1],
            "region": ["r", "r"],
            "labor": [1.0, 2.0],
            "energy": [1.0, 4.0],
            "gdp": [2.0, 2.0],
            "so2": [1.0, 3.0],
        }
    )
    res = technology_convergence(
        df, **VARS, alpha=1.0, leader="region", provider=_toy_provider
    )
    t = res.targets.set_index("unit")
    # leader L (best score): energy/gdp = so2/gdp = 0.5; gdp per labor and energy 2
    assert t.loc["a", "energy"] == pytest.approx(1.0)
    assert t.loc["a", "so2"] == pytest.approx(1.0)
    assert t.loc["a", "gdp"] == pytest.approx(min(2.0 / 1.0, 4.0 / 1.0) * 2.0)
    assert t.loc["L"].tolist() == [1, 1.0, 1.0, 2.0, 1.0]


def test_scenario_input_errors() -> None:
    df = _panel()
    with pytest.raises(DataError, match="alpha"):
        technology_convergence(df, **VARS, alpha=1.5, provider=_toy_provider)
    with pytest.raises(DataError, match="coal"):
        technology_convergence(
            df, **{**VARS, "energy": ["coal"]}, provider=_toy_provider
        )
    with pytest.raises(DataError, match="unknown direction"):
        technology_convergence(
            df, **VARS, scenarios={"x": {"water": 1.0}}, provider=_toy_provider
        )
    with pytest.raises(DataError, match="no target"):
        technology_convergence(df, **VARS, provider=_toy_provider, targets=df.iloc[:3])


def test_targets_and_leader_together_are_rejected() -> None:
    df = pd.DataFrame(
        {
            "unit": ["a", "b"],
            "year": [1, 1],
            "labor": [1.0, 1.0],
            "energy": [1.0, 2.0],
            "gdp": [2.0, 1.0],
            "so2": [1.0, 2.0],
            "region": ["r", "r"],
        }
    )
    best = df.assign(energy=[1.0, 1.0], gdp=[2.0, 2.0], so2=[1.0, 1.0])
    with pytest.raises(DataError, match="not both"):
        technology_convergence(
            df,
            inputs=["labor", "energy"],
            outputs=["gdp"],
            bad_outputs=["so2"],
            energy=["energy"],
            targets=best,
            leader="region",
        )
