"""The command line: discovery, help with examples, one-line errors, demo gallery."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from _helpers import GTFP_PANEL_CSV, gtfp_argv

from spatialgreen.cli import build_parser, main
from spatialgreen.cli.cmd_demo import RECIPES

COMMANDS = [
    "boundaries",
    "converge",
    "decouple",
    "demo",
    "flows",
    "gtfp",
    "map",
    "match-clusters",
    "moran",
    "prepare",
    "regress",
    "sfa",
    "spatial-model",
    "three-stage",
]


def _subcommands():
    parser = build_parser()
    action = next(
        a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"
    )
    return action.choices


def test_every_subcommand_is_registered_with_an_example():
    subs = _subcommands()
    assert sorted(subs) == sorted(COMMANDS)
    for name, sub in subs.items():
        assert sub.epilog and sub.epilog.startswith("example:"), name
        assert f"spatialgreen {name}" in sub.epilog, name


def test_help_is_fast_and_lists_commands():
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "spatialgreen", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed = time.perf_counter() - start
    for name in COMMANDS:
        assert name in proc.stdout
    # heavy libraries are imported inside the handlers, not at start-up
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, spatialgreen.cli as c; c.build_parser(); "
            "print(sorted(m for m in ('geopandas', 'folium', 'spreg', 'linearmodels') "
            "if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.strip() == "[]"
    assert elapsed < 60  # sanity only: a hung import would show here


def test_error_is_one_line_and_nonzero(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("unit,year,x,y\na,2020,1,1\na,2020,2,2\n")
    code = main(
        [
            "gtfp",
            str(bad),
            "--inputs",
            "x",
            "--outputs",
            "y",
            "--time",
            "year",
            "-o",
            str(tmp_path / "out.csv"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err.splitlines()[0].startswith("spatialgreen: error: ")
    assert "duplicate" in err and "Traceback" not in err


def test_debug_shows_traceback(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("unit,year,x,y\na,2020,1,1\na,2020,2,2\n")
    with pytest.raises(Exception, match="duplicate"):
        main(
            [
                "gtfp",
                str(bad),
                "--inputs",
                "x",
                "--outputs",
                "y",
                "--time",
                "year",
                "-o",
                str(tmp_path / "out.csv"),
                "--debug",
            ]
        )


def test_demo_writes_gallery(tmp_path, capsys):
    out = tmp_path / "maps"
    assert (
        main(
            [
                "demo",
                "--recipe",
                "yrd_decoupling_catchup",
                "--output",
                str(out),
                "--quick",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    index = out / "index.html"
    assert str(index.resolve()) in printed
    html = index.read_text(encoding="utf-8")
    assert "SYNTHETIC" in html
    links = set(__import__("re").findall(r"href='([^']+)'", html))
    assert any(link.endswith(".html") for link in links)
    for link in links:
        assert (out / link).exists(), link


def test_recipes_are_in_the_wheel(tmp_path):
    """`spatialgreen demo` must find the recipes after a non-editable install."""
    root = Path(__file__).resolve().parents[1]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(root),
        ],
        check=True,
        capture_output=True,
    )
    import zipfile

    wheel = next(tmp_path.glob("spatialgreen-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for recipe in RECIPES:
        assert f"spatialgreen/_recipes/{recipe}.py" in names


def test_cli_unknown_output_suffix_is_an_error_not_a_folder(tmp_path, capsys):
    data = tmp_path / "p.csv"
    data.write_text(GTFP_PANEL_CSV)
    assert main(gtfp_argv(data, tmp_path / "scores.xls")) == 2
    assert "unsupported output" in capsys.readouterr().err
    assert not (tmp_path / "scores.xls").exists()
    # a folder is still fine, also one with a dot when it ends with a slash
    assert main(gtfp_argv(data, tmp_path / "out")) == 0
    assert (tmp_path / "out" / "sbm_scores.csv").exists()
    assert main(gtfp_argv(data, f"{tmp_path / 'run.v2'}/")) == 0
    assert (tmp_path / "run.v2" / "sbm_scores.csv").exists()


def test_cli_os_errors_are_one_line(tmp_path, capsys):
    data = tmp_path / "p.csv"
    data.write_text(GTFP_PANEL_CSV)
    # the output folder would have to be created where a file is
    code = main(gtfp_argv(data, tmp_path / "p.csv" / "out.csv"))
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("spatialgreen: error: ") and "Traceback" not in err


def test_no_command_imports_another_command():
    import ast

    import spatialgreen.cli as cli

    for path in sorted(Path(cli.__file__).parent.glob("cmd_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                module = node.module or ""
                assert not module.split(".")[-1].startswith("cmd_"), (path.name, module)
                assert not (
                    node.level == 1
                    and not module
                    and any(a.name.startswith("cmd_") for a in node.names)
                ), path.name


def test_write_named_tables_writes_a_workbook_csv_files_or_a_folder(tmp_path):
    import openpyxl
    import pandas as pd

    from spatialgreen.report import write_named_tables

    tables = {"sigma": pd.DataFrame({"cv": [0.25]}), "beta": pd.DataFrame({"b": [-1]})}
    book = write_named_tables(tables, tmp_path / "conv.xlsx")
    assert book == [tmp_path / "conv.xlsx"]
    assert openpyxl.load_workbook(book[0]).sheetnames == ["sigma", "beta"]
    files = write_named_tables(tables, tmp_path / "conv.csv")
    assert [p.name for p in files] == ["conv_sigma.csv", "conv_beta.csv"]
    assert pd.read_csv(files[0])["cv"].tolist() == [0.25]
    one = write_named_tables({"sigma": tables["sigma"]}, tmp_path / "only.csv")
    assert one == [tmp_path / "only.csv"]
    folder = write_named_tables(tables, tmp_path / "out")
    assert [p.relative_to(tmp_path).as_posix() for p in folder] == [
        "out/sigma.csv",
        "out/beta.csv",
    ]
    assert pd.read_csv(folder[1])["b"].tolist() == [-1]


def test_common_option_helpers():
    from spatialgreen.cli._common import one_or_list, split_list

    assert one_or_list(None) is None
    assert one_or_list("yrd26") == "yrd26"
    assert one_or_list("北京, 天津") == ["北京", "天津"]
    assert one_or_list("北京,") == ["北京"]  # a trailing comma still means a list
    assert split_list(" labor, capital ,,") == ["labor", "capital"]
