"""Three-stage DEA–SFA: a known environmental effect is recovered in stage 2 and
removed in stage 3; degenerate stage-2 cases; the efficiency-engine contract."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from spatialgreen.efficiency.radial import dea
from spatialgreen.efficiency.three_stage import three_stage, three_stage_dimensions
from spatialgreen.errors import DataError, ModelError


def _results(keys: pd.DataFrame, scores, targets: dict[str, np.ndarray]):
    res = type("EngineResults", (), {})()
    res.scores = keys.assign(score=scores)
    res.targets = keys.assign(**targets)
    return res


def ratio_engine(data, *, inputs, outputs, unit, time, **_):
    """One input, one output, CRS, one period: score = (y/x) / max(y/x)."""
    x, y = data[inputs[0]], data[outputs[0]]
    score = (y / x) / (y / x).max()
    keys = data[[unit, time]].reset_index(drop=True)
    return _results(keys, score.to_numpy(), {inputs[0]: (x * score).to_numpy()})


def lp_dea(data, *, inputs, outputs, unit, time, rts="vrs", **_):
    """Textbook two-phase input-oriented DEA with scipy's HiGHS (independent route)."""
    xs, ys = data[inputs].to_numpy(float), data[outputs].to_numpy(float)
    n, m = xs.shape
    s = ys.shape[1]
    scores, targets = np.empty(n), np.empty((n, m))
    convex = rts == "vrs"
    for o in range(n):
        a_ub = np.vstack([np.c_[-xs[o][:, None], xs.T], np.c_[np.zeros((s, 1)), -ys.T]])
        phase1 = linprog(
            np.r_[1.0, np.zeros(n)],
            A_ub=a_ub,
            b_ub=np.r_[np.zeros(m), -ys[o]],
            A_eq=np.r_[0.0, np.ones(n)][None, :] if convex else None,
            b_eq=[1.0] if convex else None,
            bounds=[(None, None)] + [(0, None)] * n,
            method="highs",
        )
        theta = phase1.x[0]
        a_eq = np.vstack(
            [
                np.c_[xs.T, np.eye(m), np.zeros((m, s))],
                np.c_[ys.T, np.zeros((s, m)), -np.eye(s)],
            ]
        )
        # phase 2 holds θ fixed; a relative slack of 1e-9 keeps it feasible when
        # phase 1's θ sits a rounding error below the true minimum
        b_eq = np.r_[theta * (1 + 1e-9) * xs[o], ys[o]]
        if convex:
            a_eq = np.vstack([a_eq, np.r_[np.ones(n), np.zeros(m + s)]])
            b_eq = np.r_[b_eq, 1.0]
        phase2 = linprog(
            np.r_[np.zeros(n), -np.ones(m + s)],
            A_eq=a_eq,
            b_eq=b_eq,
            bounds=[(0, None)] * (n + m + s),
            method="highs",
        )
        scores[o], targets[o] = theta, xs.T @ phase2.x[:n]
    keys = data[[unit, time]].reset_index(drop=True)
    return _results(keys, scores, dict(zip(inputs, targets.T, strict=True)))


def _simulated(n: int, seed: int) -> pd.DataFrame:
    """Input = output + 3·z + inefficiency + noise; w is an irrelevant variable."""
    rng = np.random.default_rng(seed)
    z = rng.uniform(0, 1, n)
    y = rng.uniform(5, 10, n)
    x = y + 3 * z + np.abs(rng.normal(0, 1, n)) + rng.normal(0, 0.3, n)
    return pd.DataFrame(
        {
            "unit": np.arange(n),
            "year": 2020,
            "x": x,
            "y": y,
            "z": z,
            "w": rng.normal(size=n),
            "x2": 0.5 * x + rng.uniform(0, 1, n),
        }
    )


@pytest.fixture(scope="module")
def simulated() -> pd.DataFrame:
    return _simulated(150, 7)


@pytest.fixture(scope="module")
def one_input_run(simulated):
    return three_stage(
        simulated, inputs=["x"], outputs=["y"], environment=["z", "w"], rts="crs"
    )


def test_stage2_recovers_environmental_effect(one_input_run):
    eff = one_input_run.environment_effects.set_index("variable")
    # slack ≈ 3 z + u + v (shifted by the best unit's own excess)
    assert 2.4 < eff.loc["z", "estimate"] < 3.8
    assert eff.loc["z", "p_value"] < 1e-6
    assert abs(eff.loc["w", "estimate"]) < 0.3
    stage2 = one_input_run.stage2.iloc[0]
    assert stage2["status"] == "estimated"
    assert bool(stage2["lr_reject"]) and bool(stage2["noise_adjusted"])


def test_stage3_removes_environmental_effect(one_input_run, simulated):
    scores = one_input_run.scores
    before = np.corrcoef(scores["stage1"], simulated["z"])[0, 1]
    after = np.corrcoef(scores["stage3"], simulated["z"])[0, 1]
    assert before < -0.6
    assert abs(after) < 0.15
    adj = one_input_run.adjustments
    assert (adj["adjusted"] >= adj["original"] - 1e-12).all()  # inputs only rise
    np.testing.assert_allclose(
        adj["adjusted"],
        adj["original"] + adj["environment_adjustment"] + adj["noise_adjustment"],
    )
    assert adj["environment_adjustment"].min() == pytest.approx(0.0, abs=1e-12)


def test_slack_split_adds_up(one_input_run):
    adj = one_input_run.adjustments
    # S = zβ + u + v for the cost-type slack frontier
    np.testing.assert_allclose(
        adj["slack"], adj["environment_part"] + adj["u_hat"] + adj["v_hat"], atol=1e-9
    )
    assert (adj["u_hat"] >= 0).all()


def test_closed_form_engine_agrees_with_lp_engine(simulated):
    small = simulated.head(60)
    kwargs = {
        "inputs": ["x"],
        "outputs": ["y"],
        "environment": ["z", "w"],
        "rts": "crs",
    }
    by_ratio = three_stage(small, engine=ratio_engine, **kwargs)
    by_dea = three_stage(small, engine="dea", **kwargs)
    np.testing.assert_allclose(
        by_ratio.scores[["stage1", "stage3"]],
        by_dea.scores[["stage1", "stage3"]],
        atol=1e-7,
    )


def test_two_inputs_vrs_with_independent_lp_and_decomposition(simulated):
    small = simulated.head(40)
    kwargs = {
        "inputs": ["x", "x2"],
        "outputs": ["y"],
        "environment": ["z", "w"],
        "rts": "vrs",
        "noise": "always",
    }
    ours = three_stage(small, engine=dea, decompose=True, **kwargs)
    textbook = three_stage(small, engine=lp_dea, **kwargs)
    np.testing.assert_allclose(
        ours.scores[["stage1", "stage3"]],
        textbook.scores[["stage1", "stage3"]],
        atol=1e-6,
    )
    s = ours.scores
    np.testing.assert_allclose(s["stage1_pte"], s["stage1"])
    np.testing.assert_allclose(s["stage3_se"], s["stage3_te"] / s["stage3_pte"])
    assert (s["stage1_te"] <= s["stage1_pte"] + 1e-9).all()
    assert set(ours.environment_effects["input"]) == {"x", "x2"}


def test_noise_adjustment_follows_the_lr_test(simulated):
    rng = np.random.default_rng(11)
    data = simulated.assign(
        x=simulated["y"] + 3 * simulated["z"] + rng.normal(0, 1, 150) + 4
    )
    kwargs = {
        "inputs": ["x"],
        "outputs": ["y"],
        "environment": ["z"],
        "engine": ratio_engine,
    }
    default = three_stage(data, **kwargs)
    forced = three_stage(data, noise="always", **kwargs)
    never = three_stage(data, noise="never", **kwargs)
    if not bool(default.stage2["lr_reject"].iloc[0]):
        assert (default.adjustments["noise_adjustment"] == 0).all()
    assert (never.adjustments["noise_adjustment"] == 0).all()
    assert forced.adjustments["noise_adjustment"].max() > 0


def test_all_zero_slacks_need_no_adjustment(simulated):
    def engine(data, *, inputs, outputs, unit, time, **_):
        base = ratio_engine(
            data, inputs=inputs[:1], outputs=outputs, unit=unit, time=time
        )
        base.targets[inputs[1]] = data[inputs[1]].to_numpy()  # x2 never wasted
        return base

    res = three_stage(
        simulated, inputs=["x", "x2"], outputs=["y"], environment=["z"], engine=engine
    )
    row = res.stage2.set_index("input").loc["x2"]
    assert row["status"] == "no slack"
    x2 = res.adjustments[res.adjustments["input"] == "x2"]
    assert (x2["adjusted"] == x2["original"]).all()
    assert not res.adjustments.isna().any().any()
    assert "x2" not in res.slack_models


def test_mostly_zero_slacks_do_not_give_nan():
    # γ → 1: slacks are exactly zero for most units (common on real data)
    rng = np.random.default_rng(5)
    n = 120
    z = rng.uniform(0, 1, n)
    wasted = np.where(rng.uniform(size=n) < 0.6, 0.0, np.abs(rng.normal(0, 1, n)))

    def engine(data, *, inputs, outputs, unit, time, **_):
        keys = data[[unit, time]].reset_index(drop=True)
        x = data[inputs[0]].to_numpy()
        target = x - wasted
        return _results(keys, target / x, {inputs[0]: target})

    data = pd.DataFrame({"unit": range(n), "year": 2020, "x": 10.0, "y": 1.0, "z": z})
    res = three_stage(
        data,
        inputs=["x"],
        outputs=["y"],
        environment=["z"],
        engine=engine,
        noise="always",
    )
    stage2 = res.stage2.iloc[0]
    assert stage2["n_zero_slacks"] > n / 3
    assert stage2["gamma"] > 1 - 1e-6
    assert stage2["status"] == "estimated"
    assert not res.adjustments.isna().any().any()
    assert np.isfinite(res.scores[["stage1", "stage3"]]).all().all()
    adj = res.adjustments
    eps = adj["slack"] - adj["environment_part"]
    np.testing.assert_allclose(adj["v_hat"], np.minimum(eps, 0), atol=1e-8)
    np.testing.assert_allclose(adj["u_hat"], np.maximum(eps, 0), atol=1e-8)


def test_dimensions_give_gtfp_levels(simulated):
    res = three_stage_dimensions(
        simulated,
        dimensions={
            "energy": {"inputs": ["x"], "outputs": ["y"]},
            "economic": {"inputs": ["x2"], "outputs": ["y"]},
        },
        environment=["z"],
        engine=ratio_engine,
    )
    assert list(res.levels.columns) == ["unit", "year", "gtfp_energy", "gtfp_economic"]
    single = three_stage(
        simulated, inputs=["x2"], outputs=["y"], environment=["z"], engine=ratio_engine
    )
    np.testing.assert_allclose(res.levels["gtfp_economic"], single.gtfp["gtfp"])
    assert set(res.environment_effects["dimension"]) == {"energy", "economic"}
    assert set(res.runs) == {"energy", "economic"}


def test_input_not_mutated_and_export(simulated, tmp_path):
    before = simulated.copy()
    res = three_stage(
        simulated, inputs=["x"], outputs=["y"], environment=["z"], engine=ratio_engine
    )
    pd.testing.assert_frame_equal(simulated, before)
    written = res.to_csv(tmp_path)
    assert {p.name for p in written} >= {"scores.csv", "environment_effects.csv"}
    assert res.adjusted_inputs.columns.tolist() == ["unit", "year", "x"]


def test_bad_input(simulated):
    kwargs = {"inputs": ["x"], "outputs": ["y"], "engine": ratio_engine}
    data = simulated.copy()
    data.loc[data["unit"] == 4, "z"] = np.nan
    with pytest.raises(
        DataError, match=r"'z' has missing values at: unit=4, year=2020"
    ):
        three_stage(data, environment=["z"], **kwargs)
    with pytest.raises(DataError, match="also inputs/outputs"):
        three_stage(simulated, environment=["x"], **kwargs)
    with pytest.raises(DataError, match="collinear"):
        three_stage(
            simulated.assign(z2=2 * simulated["z"]), environment=["z", "z2"], **kwargs
        )

    def broken(data, **_):
        return type("R", (), {"scores": pd.DataFrame()})()

    with pytest.raises(ModelError, match="targets"):
        three_stage(
            simulated, inputs=["x"], outputs=["y"], environment=["z"], engine=broken
        )
    with pytest.raises(ModelError, match="unknown efficiency engine"):
        three_stage(
            simulated, inputs=["x"], outputs=["y"], environment=["z"], engine="magic"
        )


def test_cli_three_stage(simulated, tmp_path, capsys):
    from spatialgreen.cli import main
    from spatialgreen.cli.cmd_three_stage import parse_dimension

    path = tmp_path / "panel.csv"
    simulated.head(50).to_csv(path, index=False)
    out = tmp_path / "ts.xlsx"
    code = main(
        [
            "three-stage",
            str(path),
            "--environment",
            "z,w",
            "--dimension",
            "energy:x:y",
            "--dimension",
            "economic:x2:y",
            "--output",
            str(out),
        ]
    )
    assert code == 0
    levels = pd.read_excel(out, sheet_name="levels")
    assert {"gtfp_energy", "gtfp_economic"} <= set(levels.columns)
    assert levels["gtfp_energy"].between(0, 1 + 1e-9).all()
    code = main(["three-stage", str(path), "--environment", "z", "--dimension", "bad"])
    assert code == 2
    assert "name:inputs:outputs" in capsys.readouterr().err
    assert parse_dimension("e:a,b:c")[1]["bad_outputs"] == []


def test_stage2_by_period_equals_separate_yearly_runs():
    panel = pd.concat(
        [_simulated(60, 1).assign(year=2020), _simulated(60, 2).assign(year=2021)],
        ignore_index=True,
    )
    kwargs = {"inputs": ["x", "x2"], "outputs": ["y"], "environment": ["z"]}
    by_period = three_stage(panel, stage2_by="period", **kwargs)
    assert set(by_period.environment_effects["period"]) == {2020, 2021}
    assert set(by_period.slack_models) == {"x@2020", "x@2021", "x2@2020", "x2@2021"}
    for year in (2020, 2021):
        alone = three_stage(panel[panel["year"] == year], **kwargs)
        mine = by_period.scores[by_period.scores["year"] == year]
        np.testing.assert_allclose(
            mine[["stage1", "stage3"]], alone.scores[["stage1", "stage3"]], atol=1e-6
        )
    with pytest.raises(ModelError, match="stage2_by"):
        three_stage(panel, stage2_by="yearly", **kwargs)


def test_sbm_engine_with_undesirable_outputs(simulated):
    data = simulated.head(50).assign(so2=lambda d: 0.2 * d["x"] + d["z"])
    res = three_stage(
        data,
        inputs=["x", "x2"],
        outputs=["y"],
        bad_outputs=["so2"],
        environment=["z"],
        engine="sbm",
    )
    assert res.meta["engine"] == "sbm"
    assert set(res.environment_effects["input"]) == {"x", "x2"}
    scores = res.scores[["stage1", "stage3"]]
    assert ((scores > 0) & (scores <= 1 + 1e-9)).all().all()
    assert (res.adjustments["adjusted"] >= res.adjustments["original"] - 1e-12).all()


def _two_year_panel(n: int) -> pd.DataFrame:
    frames = []
    for year, seed in ((2020, 7), (2021, 8)):
        rng = np.random.default_rng(seed)
        z = rng.uniform(0, 1, n)
        y = rng.uniform(5, 10, n)
        x = y + 3 * z + np.abs(rng.normal(0, 1, n)) + rng.normal(0, 0.3, n)
        frames.append(
            pd.DataFrame(
                {"unit": np.arange(n), "year": year, "x": x, "y": y, "z": z}
            ).assign(policy=float(year == 2021), w=rng.normal(size=n))
        )
    return pd.concat(frames, ignore_index=True)


def test_stage2_errors_name_the_input_and_period():
    # a variable constant within a year (a national policy dummy) cannot enter a
    # per-period slack regression: the error used to speak of "frontier regressors"
    # without saying which input or year
    with pytest.raises(DataError, match=r"input 'x', year=2020.*'policy'"):
        three_stage(
            _two_year_panel(40),
            inputs=["x"],
            outputs=["y"],
            environment=["z", "policy"],
            stage2_by="period",
        )
    with pytest.raises(DataError, match=r"slack regression of input 'x', year=2020"):
        three_stage(
            _two_year_panel(4),
            inputs=["x"],
            outputs=["y"],
            environment=["z", "w"],
            stage2_by="period",
        )


def test_stage2_standard_errors_for_inputs_in_levels():
    # inputs in levels (tons of coal, 10^4 yuan): the slack regressions used to lose
    # every standard error ("Hessian singular") because of the units alone
    data = _two_year_panel(60)
    base = three_stage(data, inputs=["x"], outputs=["y"], environment=["z", "w"])
    big = three_stage(
        data.assign(x=data["x"] * 1e4, y=data["y"] * 1e4),
        inputs=["x"],
        outputs=["y"],
        environment=["z", "w"],
    )
    se = big.environment_effects["std_error"].to_numpy()
    assert np.all(np.isfinite(se))
    np.testing.assert_allclose(
        se / 1e4, base.environment_effects["std_error"].to_numpy(), rtol=1e-3
    )
    np.testing.assert_allclose(big.scores["stage3"], base.scores["stage3"], rtol=1e-6)


def test_cli_rejects_flags_ignored_by_dimension(tmp_path, capsys):
    # --bad-outputs next to --dimension used to be dropped silently (the run then
    # measured a dimension without its undesirable outputs)
    from spatialgreen.cli import main

    path = tmp_path / "panel.csv"
    _two_year_panel(20).assign(so2=1.0).to_csv(path, index=False)
    code = main(
        [
            "three-stage",
            str(path),
            "--environment",
            "z",
            "--dimension",
            "energy:x:y",
            "--bad-outputs",
            "so2",
            "--output",
            str(tmp_path / "out.xlsx"),
        ]
    )
    assert code == 2
    assert (
        "--bad-outputs cannot be combined with --dimension" in capsys.readouterr().err
    )
