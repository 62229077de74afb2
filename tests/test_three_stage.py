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
    eff = one_input_run.environment_effects.xs("x", level="group")
    # slack ≈ 3 z + u + v (shifted by the best unit's own excess)
    assert 2.4 < eff.loc["z", "estimate"] < 3.8
    assert eff.loc["z", "p"] < 1e-6
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


# --- stage-2 inference: the coefficient layout, the γ boundary and its alternatives --


def _slack_engine(wasted: np.ndarray):
    """An engine whose input slacks are exactly ``wasted`` (one input)."""

    def engine(data, *, inputs, outputs, unit, time, **_):
        keys = data[[unit, time]].reset_index(drop=True)
        x = data[inputs[0]].to_numpy()
        target = x - wasted
        return _results(keys, target / x, {inputs[0]: target})

    return engine


def _boundary_case(zeros_at_low_z: bool):
    """120 units whose slacks are mostly exactly 0: γ = 1 in the slack frontier."""
    rng = np.random.default_rng(5)
    n = 120
    z = rng.uniform(0, 1, n)
    if zeros_at_low_z:  # zeros where the environment is favourable
        wasted = np.maximum(0.0, 3 * z - 1.2 + rng.normal(0, 0.1, n))
        wasted += np.where(z > 0.4, np.abs(rng.normal(0, 0.8, n)), 0.0)
    else:  # zeros anywhere: the frontier rests on zero slacks at every z
        wasted = np.where(rng.uniform(size=n) < 0.6, 0.0, np.abs(rng.normal(0, 1, n)))
    data = pd.DataFrame({"unit": range(n), "year": 2020, "x": 10.0, "y": 1.0, "z": z})
    kwargs = {
        "inputs": ["x"],
        "outputs": ["y"],
        "environment": ["z"],
        "engine": _slack_engine(wasted),
    }
    return data, wasted, kwargs


def test_environment_effects_use_the_coefficient_layout(one_input_run):
    from spatialgreen.econometrics import regression_table
    from spatialgreen.results import COEFFICIENT_COLUMNS

    eff = one_input_run.environment_effects
    assert eff.index.names == ["group", "parameter"]
    assert list(eff.columns[:6]) == list(COEFFICIENT_COLUMNS)
    assert list(eff.index) == [("x", "const"), ("x", "z"), ("x", "w")]
    # the same values as the slack frontier's own coefficient table
    model = one_input_run.slack_models["x"]
    np.testing.assert_allclose(
        eff[list(COEFFICIENT_COLUMNS)].to_numpy(),
        model.coefficients.loc[["const", "z", "w"]].to_numpy(),
    )
    assert not eff["boundary"].any() and (eff["note"] == "").all()
    assert one_input_run.stage2["inference"].iloc[0] == "ok"
    # the results have the coefficient interface, so they go into journal tables
    assert one_input_run.params[("x", "z")] == eff.loc[("x", "z"), "estimate"]
    table = regression_table([one_input_run]).to_frame()
    assert "z[x]" in table.iloc[:, 0].tolist()


def test_gamma_boundary_is_flagged_with_its_reason():
    data, _wasted, kwargs = _boundary_case(zeros_at_low_z=False)
    with pytest.warns(UserWarning, match=r"input 'x'.*gamma = 1.*81 of 120 slacks"):
        res = three_stage(data, **kwargs)
    eff = res.environment_effects
    assert eff["std_error"].isna().all() and eff["boundary"].all()
    assert eff["note"].str.contains("exactly 0").all()
    assert eff["note"].str.contains("stage2='tobit'").all()
    row = res.stage2.iloc[0]
    assert row["gamma"] == 1.0 and row["gamma_boundary"] == "upper"
    assert row["inference"].startswith("no Hessian standard error")
    # the boundary maximum is exact: the frontier rests on the zero slacks (β = 0)
    assert eff["estimate"].abs().max() < 1e-12


def test_gamma_boundary_gets_inference_from_the_bootstrap():
    data, _wasted, kwargs = _boundary_case(zeros_at_low_z=True)
    with pytest.warns(UserWarning, match="gamma = 1"):
        hessian = three_stage(data, **kwargs)
    assert hessian.environment_effects["std_error"].isna().all()
    with pytest.warns(UserWarning, match="bootstrap"):
        boot = three_stage(data, stage2_se="bootstrap", n_boot=60, seed=3, **kwargs)
    eff = boot.environment_effects
    # same estimates; now finite bootstrap standard errors, z, p and intervals
    np.testing.assert_allclose(eff["estimate"], hessian.environment_effects["estimate"])
    assert np.isfinite(eff[["std_error", "statistic", "p", "ci_low"]]).all().all()
    assert eff.loc[("x", "z"), "p"] < 1e-6
    assert eff["note"].str.contains("Andrews 2000").all()
    assert eff["se_method"].iloc[0].startswith("bootstrap (60 of 60")
    # the bootstrap is reproducible from its seed and needs no extra slack LPs
    again = three_stage(data, stage2_se="bootstrap", n_boot=60, seed=3, **kwargs)
    pd.testing.assert_frame_equal(again.environment_effects, eff)
    np.testing.assert_allclose(boot.scores["stage3"], hessian.scores["stage3"])


def test_bootstrap_serial_and_parallel_agree_and_match_hessian_ses(simulated):
    kwargs = {"inputs": ["x"], "outputs": ["y"], "environment": ["z"], "rts": "crs"}
    small = simulated.head(60)
    serial = three_stage(small, stage2_se="bootstrap", n_boot=16, seed=9, **kwargs)
    parallel = three_stage(
        small, stage2_se="bootstrap", n_boot=16, seed=9, n_jobs=2, **kwargs
    )
    pd.testing.assert_frame_equal(
        serial.environment_effects, parallel.environment_effects
    )
    # an interior maximum: the bootstrap and the Hessian measure the same spread
    hessian = three_stage(simulated, **kwargs).environment_effects["std_error"]
    boot = three_stage(
        simulated, stage2_se="bootstrap", n_boot=100, seed=1, **kwargs
    ).environment_effects["std_error"]
    np.testing.assert_allclose(boot, hessian, rtol=0.3)


def test_degenerate_bootstrap_says_so():
    # zeros at every z: every resample has its maximum at β = 0 exactly
    data, _wasted, kwargs = _boundary_case(zeros_at_low_z=False)
    with pytest.warns(UserWarning, match="every replication gives the same value"):
        res = three_stage(data, stage2_se="bootstrap", n_boot=20, **kwargs)
    eff = res.environment_effects
    assert eff["std_error"].isna().all()
    assert eff["note"].str.contains("use stage2='tobit'").all()


def test_tobit_stage2_gives_inference_at_the_boundary():
    from spatialgreen.econometrics import tobit

    data, wasted, kwargs = _boundary_case(zeros_at_low_z=False)
    res = three_stage(data, stage2="tobit", **kwargs)
    eff = res.environment_effects
    assert np.isfinite(eff[["std_error", "statistic", "p"]]).all().all()
    assert not eff["boundary"].any() and (eff["note"] == "").all()
    assert eff["se_method"].iloc[0].startswith("tobit: Tobit, left limit 0")
    # the same Tobit as econometrics.tobit on the slacks themselves
    direct = tobit(data.assign(s=wasted), y="s", x=["z"], left=0.0)
    np.testing.assert_allclose(
        eff.xs("x", level="group").loc[["const", "z"], ["estimate", "std_error"]],
        direct.coefficients.loc[["const", "z"], ["estimate", "std_error"]],
        rtol=1e-10,
    )
    # stage 3 adjusts for the environment only (a Tobit has no noise/inefficiency)
    adj = res.adjustments
    beta = direct.params
    index = beta["const"] + beta["z"] * data["z"]
    np.testing.assert_allclose(adj["environment_part"], index)
    np.testing.assert_allclose(
        adj["adjusted"], adj["original"] + index.max() - index, rtol=1e-12
    )
    assert (adj["noise_adjustment"] == 0).all()
    assert adj[["u_hat", "v_hat"]].isna().all().all()
    assert res.meta["stage2"] == "tobit"
    assert res.stage2["inference"].iloc[0] == "ok"
    clustered = three_stage(
        data.assign(region=data["unit"] % 8),
        stage2="tobit",
        stage2_options={"cluster": "region"},
        **kwargs,
    )
    assert "clustered by region" in clustered.environment_effects["se_method"].iloc[0]


def test_stage2_option_errors(simulated):
    kwargs = {"inputs": ["x"], "outputs": ["y"], "environment": ["z"]}
    with pytest.raises(ModelError, match="stage2 must be"):
        three_stage(simulated, stage2="ols", **kwargs)
    with pytest.raises(ModelError, match="stage2_se must be"):
        three_stage(simulated, stage2_se="jackknife", **kwargs)
    with pytest.raises(ModelError, match="stage2_se='bootstrap' is for stage2='sfa'"):
        three_stage(simulated, stage2="tobit", stage2_se="bootstrap", **kwargs)
    with pytest.raises(ModelError, match="noise='always' needs stage2='sfa'"):
        three_stage(simulated, stage2="tobit", noise="always", **kwargs)
    with pytest.raises(ModelError, match="stage2='tobit' has none"):
        three_stage(simulated, stage2="tobit", dist="truncated-normal", **kwargs)
    with pytest.raises(ModelError, match="stage2_options= is for stage2='tobit'"):
        three_stage(simulated, stage2_options={"cluster": "unit"}, **kwargs)
    with pytest.raises(ValueError, match="n_boot=5"):
        three_stage(simulated, stage2_se="bootstrap", n_boot=5, **kwargs)


def test_dimensions_prefix_the_group(simulated):
    res = three_stage_dimensions(
        simulated,
        dimensions={
            "energy": {"inputs": ["x"], "outputs": ["y"]},
            "economic": {"inputs": ["x2"], "outputs": ["y"]},
        },
        environment=["z"],
        engine=ratio_engine,
    )
    groups = set(res.environment_effects.index.get_level_values("group"))
    assert groups == {"energy/x", "economic/x2"}
    single = res.runs["energy"].environment_effects
    np.testing.assert_allclose(
        res.environment_effects.loc["energy/x", "estimate"], single.loc["x", "estimate"]
    )


def test_cli_three_stage_tobit_and_bootstrap(tmp_path, capsys):
    from spatialgreen.cli import main

    data, wasted, _ = _boundary_case(zeros_at_low_z=False)
    # the CLI runs the default DEA engine: put the slacks into the input itself
    data = data.assign(x=10.0 + wasted, y=1.0)
    path = tmp_path / "panel.csv"
    data.to_csv(path, index=False)
    base = ["three-stage", str(path), "--inputs", "x", "--outputs", "y"]
    base += ["--environment", "z", "--rts", "crs"]
    out = tmp_path / "tobit.xlsx"
    assert main([*base, "--stage2", "tobit", "--output", str(out)]) == 0
    effects = pd.read_excel(out, sheet_name="environment_effects")
    assert list(effects.columns[:8]) == [
        "group",
        "parameter",
        "estimate",
        "std_error",
        "statistic",
        "p",
        "ci_low",
        "ci_high",
    ]
    assert effects["std_error"].notna().all()
    out = tmp_path / "hessian.xlsx"
    assert main([*base, "--output", str(out)]) == 0
    assert "note: no Hessian standard error: gamma = 1" in capsys.readouterr().out
    out = tmp_path / "boot.xlsx"
    code = main(
        [*base, "--stage2-se", "bootstrap", "--n-boot", "20", "--output", str(out)]
    )
    assert code == 0
    with pytest.raises(SystemExit):
        main([*base, "--n-boot", "3", "--stage2-se", "bootstrap"])
    assert "--n-boot" in capsys.readouterr().err


def test_gamma_zero_slopes_are_ols(simulated):
    # slacks skewed the wrong way: γ → 0, the slack frontier is OLS; the note says
    # so, and it is true (slopes and their SEs as OLS with σ² = SSR/n)
    small = simulated.head(40)
    with pytest.warns(UserWarning, match="input 'x'.*left-skewed"):
        res = three_stage(
            small,
            inputs=["x"],
            outputs=["y"],
            environment=["z", "w"],
            engine=dea,
            noise="always",
        )
    assert res.stage2["gamma_boundary"].iloc[0] == "lower"
    eff = res.environment_effects.xs("x", level="group")
    assert eff.loc["z", "note"].endswith("those of OLS")
    slack = res.adjustments["slack"].to_numpy()
    x = np.column_stack([np.ones(40), small["z"], small["w"]])
    beta = np.linalg.lstsq(x, slack, rcond=None)[0]
    resid = slack - x @ beta
    se = np.sqrt(np.diag(resid @ resid / 40 * np.linalg.inv(x.T @ x)))
    np.testing.assert_allclose(eff.loc[["z", "w"], "estimate"], beta[1:], rtol=1e-5)
    np.testing.assert_allclose(eff.loc[["z", "w"], "std_error"], se[1:], rtol=1e-3)
