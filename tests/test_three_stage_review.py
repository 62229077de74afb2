"""Review tests for spatialgreen.efficiency.three_stage."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from spatialgreen.efficiency.three_stage import three_stage
from spatialgreen.errors import DataError


def _panel(n: int) -> pd.DataFrame:
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
            _panel(40),
            inputs=["x"],
            outputs=["y"],
            environment=["z", "policy"],
            stage2_by="period",
        )
    with pytest.raises(DataError, match=r"slack regression of input 'x', year=2020"):
        three_stage(
            _panel(4),
            inputs=["x"],
            outputs=["y"],
            environment=["z", "w"],
            stage2_by="period",
        )


def test_stage2_standard_errors_for_inputs_in_levels():
    # inputs in levels (tons of coal, 10^4 yuan): the slack regressions used to lose
    # every standard error ("Hessian singular") because of the units alone
    data = _panel(60)
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
    _panel(20).assign(so2=1.0).to_csv(path, index=False)
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
