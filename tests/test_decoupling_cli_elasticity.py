"""``spatialgreen decouple --elasticity``: start–end vs mean of yearly elasticities."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from spatialgreen.cli import main


def _panel() -> pd.DataFrame:
    # two units, 2005–2010; yearly changes chosen by hand so the two definitions differ
    gdp = [100.0, 110.0, 121.0, 127.05, 139.755, 146.74275]
    co2 = [10.0, 10.5, 10.5, 10.71, 11.2455, 11.2455]
    rows = [
        ("a", 2005 + t, g, c) for t, (g, c) in enumerate(zip(gdp, co2, strict=True))
    ]
    rows += [
        ("b", 2005 + t, 2 * g, c) for t, (g, c) in enumerate(zip(gdp, co2, strict=True))
    ]
    return pd.DataFrame(rows, columns=["city", "year", "gdp", "co2"])


def _run(tmp_path, *extra: str) -> pd.DataFrame:
    path = tmp_path / "panel.csv"
    _panel().to_csv(path, index=False)
    out = tmp_path / f"dec{len(extra)}.xlsx"
    code = main(
        [
            "decouple",
            str(path),
            "--unit",
            "city",
            "--time",
            "year",
            "--driver",
            "gdp",
            "--indicator",
            "co2",
            "--periods",
            "2005-2010",
            *extra,
            "--output",
            str(out),
        ]
    )
    assert code == 0
    return pd.read_excel(out, sheet_name="tapio").set_index("city")


def test_cli_elasticity_yearly_mean_and_endpoints(tmp_path) -> None:
    endpoints = _run(tmp_path)
    mean = _run(tmp_path, "--elasticity", "yearly-mean")
    # by hand: yearly elasticities (ΔE/E)/(ΔG/G) = 0.5, 0, 0.4, 0.5, 0 over 2006–2010
    yearly = [0.05 / 0.10, 0.0 / 0.10, 0.02 / 0.05, 0.05 / 0.10, 0.0 / 0.05]
    assert mean.loc["a", "elasticity"] == pytest.approx(np.mean(yearly), abs=1e-9)
    assert mean.loc["a", "elasticity"] == pytest.approx(0.28, abs=1e-9)
    # start–end: (11.2455/10 − 1)/(146.74275/100 − 1)
    assert endpoints.loc["a", "elasticity"] == pytest.approx(
        0.12455 / 0.4674275, abs=1e-9
    )
    # the driver's scale does not matter; both are weak decoupling here
    assert mean.loc["b", "elasticity"] == pytest.approx(0.28, abs=1e-9)
    assert set(mean["state"]) == {"weak decoupling"}


def test_cli_elasticity_rejects_unknown_choice(tmp_path, capsys) -> None:
    path = tmp_path / "panel.csv"
    _panel().to_csv(path, index=False)
    with pytest.raises(SystemExit):
        main(
            [
                "decouple",
                str(path),
                "--unit",
                "city",
                "--time",
                "year",
                "--driver",
                "gdp",
                "--indicator",
                "co2",
                "--elasticity",
                "average",
            ]
        )
    assert "--elasticity" in capsys.readouterr().err
