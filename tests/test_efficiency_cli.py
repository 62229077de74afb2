"""The ``spatialgreen gtfp`` command."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from _helpers import GTFP_PANEL_CSV, gtfp_argv

from spatialgreen.cli import main

REF = Path(__file__).parent / "reference" / "efficiency"


def test_gtfp_ml_to_csv(tmp_path, capsys):
    out = tmp_path / "ml.csv"
    code = main(
        [
            "gtfp",
            str(REF / "apz2013_ml.csv"),
            "--unit",
            "dmu",
            "--time",
            "period",
            "--inputs",
            "x",
            "--outputs",
            "y",
            "--bad-outputs",
            "b",
            "--model",
            "ddf",
            "--index",
            "ml",
            "--on-infeasible",
            "one_base",
            "--no-progress",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    table = pd.read_csv(out, encoding="utf-8-sig").set_index("dmu")
    assert table.loc["B", "index"] == pytest.approx(21 / 26)
    assert table.loc["B", "status"] == "one_base"


def test_gtfp_super_sbm_to_xlsx(tmp_path):
    out = tmp_path / "plants.xlsx"
    code = main(
        [
            "gtfp",
            str(REF / "tone2002_power_plants.csv"),
            "--unit",
            "dmu",
            "--inputs",
            "x1,x2,x3,x4",
            "--outputs",
            "y1,y2",
            "--model",
            "sbm",
            "--orientation",
            "input",
            "--rts",
            "vrs",
            "--super",
            "--no-progress",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    sheets = pd.read_excel(out, sheet_name=None)
    assert sheets["infeasible"]["dmu"].tolist() == ["D4", "D6"]
    assert sheets["scores"]["score"].iloc[1] == pytest.approx(2.0, abs=1e-6)


def test_gtfp_bad_column_is_a_one_line_error(tmp_path, capsys):
    code = main(
        [
            "gtfp",
            str(REF / "apz2013_ml.csv"),
            "--unit",
            "dmu",
            "--time",
            "period",
            "--inputs",
            "x",
            "--outputs",
            "nope",
            "-o",
            str(tmp_path / "x.csv"),
        ]
    )
    assert code == 2
    assert "nope" in capsys.readouterr().err


@pytest.mark.parametrize("index", [[], ["--index", "gml"]])
def test_gtfp_on_infeasible_is_not_silently_ignored(tmp_path, capsys, index):
    data = tmp_path / "p.csv"
    data.write_text(GTFP_PANEL_CSV)
    argv = [*gtfp_argv(data, tmp_path / "o.csv"), "--time", "year", *index]
    assert main([*argv, "--on-infeasible", "one_base"]) == 2
    assert "--on-infeasible applies only" in capsys.readouterr().err
