"""Review of the foundation: workbooks, CLI outputs, header-only files, gallery."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from spatialgreen._io import write_tables
from spatialgreen.cli import main
from spatialgreen.errors import DataError
from spatialgreen.panel import read_panel
from spatialgreen.report import Report, write_gallery
from spatialgreen.results import Results

PANEL = "unit,year,x,y\na,2020,1,2\nb,2020,2,3\nc,2020,3,3\n"


def _sheets(path: Path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: list(ws.values) for ws in wb}


def test_long_sheet_names_never_merge_two_tables(tmp_path):
    @dataclasses.dataclass(frozen=True)
    class R(Results):
        decomposition_of_the_gini_coefficient_a: pd.DataFrame
        decomposition_of_the_gini_coefficient_b: pd.DataFrame
        numbers: pd.DataFrame

    r = R(
        pd.DataFrame({"a": [1, 2]}),
        pd.DataFrame({"b": [3]}),
        pd.DataFrame({0: [1], 1.5: [2]}),  # non-string column names
    )
    sheets = _sheets(r.to_excel(tmp_path / "r.xlsx"))
    assert len(sheets) == 4  # three tables + metadata
    values = list(sheets.values())
    assert values[0] == [("a",), (1,), (2,)]  # was [("b",), (3,), (2,)]: merged
    assert values[1] == [("b",), (3,)]
    assert values[2] == [(0, 1.5), (1, 2)]
    assert all(len(name) <= 31 for name in sheets)


def test_sheet_names_forbidden_characters_and_case(tmp_path):
    tables = {
        "GTFP/EC [2005:2010]?": pd.DataFrame({"x": [1]}),
        "Scores": pd.DataFrame({"x": [2]}),
        "scores": pd.DataFrame({"x": [3]}),
    }
    sheets = _sheets(write_tables(tables, tmp_path / "t.xlsx"))
    assert list(sheets) == ["GTFP_EC _2005_2010__", "Scores", "scores~2"]
    assert [v[1][0] for v in sheets.values()] == [1, 2, 3]


def _gtfp(path: Path, output: Path | str) -> list[str]:
    return [
        "gtfp",
        str(path),
        "--inputs",
        "x",
        "--outputs",
        "y",
        "--no-progress",
        "-o",
        str(output),
    ]


def test_cli_unknown_output_suffix_is_an_error_not_a_folder(tmp_path, capsys):
    data = tmp_path / "p.csv"
    data.write_text(PANEL)
    assert main(_gtfp(data, tmp_path / "scores.xls")) == 2
    assert "unsupported output" in capsys.readouterr().err
    assert not (tmp_path / "scores.xls").exists()
    # a folder is still fine, also one with a dot when it ends with a slash
    assert main(_gtfp(data, tmp_path / "out")) == 0
    assert (tmp_path / "out" / "sbm_scores.csv").exists()
    assert main(_gtfp(data, f"{tmp_path / 'run.v2'}/")) == 0
    assert (tmp_path / "run.v2" / "sbm_scores.csv").exists()


def test_cli_os_errors_are_one_line(tmp_path, capsys):
    data = tmp_path / "p.csv"
    data.write_text(PANEL)
    # the output folder would have to be created where a file is
    code = main(_gtfp(data, tmp_path / "p.csv" / "out.csv"))
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("spatialgreen: error: ") and "Traceback" not in err


def test_header_only_file_is_an_error(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("unit,year,x\n")
    with pytest.raises(DataError, match="no data rows"):
        read_panel(path, unit="unit", time="year", columns=["x"])


def test_gallery_links_are_url_encoded(tmp_path):
    rep = Report(tmp_path / "study #1 100%", title="A & B")
    rep.table(pd.DataFrame({"a": [1]}), "scores", "<b>scores</b>")
    page = write_gallery([rep], tmp_path / "index.html", title="t").read_text()
    assert "href='study%20%231%20100%25/scores.csv'" in page
    assert "&lt;b&gt;scores&lt;/b&gt;" in page and "A &amp; B" in page


def test_coefficient_names_survive_to_excel_and_to_csv(tmp_path):
    @dataclasses.dataclass(frozen=True)
    class R(Results):
        coefficients: pd.DataFrame
        rows: pd.DataFrame

    coef = pd.DataFrame(
        {"estimate": [0.1, -0.5]}, index=pd.Index(["const", "beta"], name="parameter")
    )
    rows = pd.DataFrame({"x": [1.0, 2.0]}, index=[5, 9])  # row numbers: dropped
    r = R(coef, rows)
    sheets = _sheets(r.to_excel(tmp_path / "r.xlsx"))
    assert sheets["coefficients"] == [
        ("parameter", "estimate"),
        ("const", 0.1),
        ("beta", -0.5),
    ]
    assert sheets["rows"] == [("x",), (1.0,), (2.0,)]
    paths = r.to_csv(tmp_path / "csv")
    back = pd.read_csv(paths[0], encoding="utf-8-sig")
    assert back["parameter"].tolist() == ["const", "beta"]
    assert coef.index.name == "parameter"  # the results' table is not changed


def test_thousands_separators_are_an_error_naming_the_cell(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('unit,year,x\na,2020,"1,234"\nb,2020,5\n')
    with pytest.raises(DataError, match=r"thousands separators.*unit=a, year=2020"):
        read_panel(path, unit="unit", time="year", columns=["x"])


def test_report_tables_drop_row_numbers_keep_names(tmp_path):
    rep = Report(tmp_path, title="t")
    stacked = pd.concat([pd.DataFrame({"cv": [0.1]}), pd.DataFrame({"cv": [0.2]})])
    stacked.index = [0, 0]  # what pd.concat of two one-row tables gives
    rep.table(stacked, "sigma", "CV")
    assert pd.read_csv(tmp_path / "sigma.csv").columns.tolist() == ["cv"]
    effects = pd.DataFrame({"direct": [0.3]}, index=pd.Index(["x"], name="variable"))
    rep.table(effects, "effects", "effects")
    assert pd.read_csv(tmp_path / "effects.csv").columns.tolist() == [
        "variable",
        "direct",
    ]


def test_missing_columns_in_a_workbook_name_its_sheets(tmp_path):
    path = tmp_path / "w.xlsx"
    with pd.ExcelWriter(path) as xl:
        pd.DataFrame({"说明": ["封面"]}).to_excel(xl, sheet_name="封面", index=False)
        pd.DataFrame({"省份": ["北京"], "年份": [2020]}).to_excel(
            xl, sheet_name="数据", index=False
        )
    with pytest.raises(DataError, match="sheets '封面', '数据'"):
        read_panel(path, unit="省份", time="年份")
    assert len(read_panel(path, unit="省份", time="年份", sheet="数据")) == 1


def test_old_xls_without_its_reader_gets_the_right_hint(tmp_path, monkeypatch):
    from spatialgreen.errors import DependencyError

    def no_reader(*args, **kwargs):
        raise ImportError("Missing optional dependency 'xlrd'")

    monkeypatch.setattr(pd, "read_excel", no_reader)
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(DependencyError, match=r"xlrd, or save the file as \.xlsx") as e:
        read_panel(path, unit="unit")
    assert "parquet" not in str(e.value)


@pytest.mark.parametrize("index", [[], ["--index", "gml"]])
def test_gtfp_on_infeasible_is_not_silently_ignored(tmp_path, capsys, index):
    data = tmp_path / "p.csv"
    data.write_text(PANEL)
    argv = [*_gtfp(data, tmp_path / "o.csv"), "--time", "year", *index]
    assert main([*argv, "--on-infeasible", "one_base"]) == 2
    assert "--on-infeasible applies only" in capsys.readouterr().err
