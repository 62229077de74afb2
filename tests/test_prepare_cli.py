"""``spatialgreen prepare`` on the synthetic yearbook files in tests/data/yearbook."""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from spatialgreen.cli import main

DATA = Path(__file__).parent / "data" / "yearbook"
LONG = DATA / "provinces_long.csv"
WIDE = DATA / "gdp_wide.xlsx"

INV = "全社会固定资产投资(亿元)"
P_INV = "固定资产投资价格指数(上年=100)"
GDP = "地区生产总值(亿元)"
GDP_IDX = "地区生产总值指数(上年=100)"
POP = "年末常住人口(万人)"
KEYS = ["--unit", "地区", "--time", "年份"]


def _row(df: pd.DataFrame, unit: str, year: int) -> pd.Series:
    return df[(df["地区"] == unit) & (df["年份"] == year)].iloc[0]


def test_prepare_runs_the_steps_in_order_and_writes_flags(tmp_path, capsys):
    out = tmp_path / "prepared.xlsx"
    code = main(
        [
            "prepare",
            str(LONG),
            *KEYS,
            "--interpolate",
            INV,
            "--chain",
            f"{P_INV},out=P_inv",
            "--capital",
            f"investment={INV},price=P_inv,delta=0.1,base=zhang",
            "--real-gdp",
            f"{GDP}:{GDP_IDX},base=2005,out=GDP_2005",
            "--per-capita",
            f"GDP_2005:{POP},scale=10000",
            "--structure-ratio",
            "第二产业增加值:第三产业增加值,out=TS",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    lines = capsys.readouterr().out.splitlines()
    steps = [line.split(":")[0] for line in lines if not line.startswith("wrote")]
    assert steps == [
        "interpolate",
        "chain",
        "capital",
        "real-gdp",
        "per-capita",
        "structure-ratio",
    ]
    assert "filled 1 cells" in lines[0]
    assert lines[-1] == f"wrote {out}"
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["data", "imputed"]
    data = pd.read_excel(out, sheet_name="data")
    a07 = _row(data, "甲省", 2007)
    # investment 2007 interpolated: (55 + 66) / 2 = 60.5, flagged
    assert a07[INV] == pytest.approx(60.5) and bool(a07[f"{INV}_imputed"])
    assert not _row(data, "甲省", 2008)[f"{INV}_imputed"]
    # P_inv (2005 = 100): 100, 100, 110, 110
    assert a07["P_inv"] == pytest.approx(110)
    # real I = 50, 55, 55, 60; K = 500, 0.9*500+55 = 505, 0.9*505+55 = 509.5,
    # 0.9*509.5 + 60 = 518.55
    assert _row(data, "甲省", 2008)["capital"] == pytest.approx(518.55)
    # 乙省: real I = 80, 88/1.05, 96.8/1.05, 106.48/1.05; K0 = 800
    b06 = 0.9 * 800 + 88 / 1.05
    assert _row(data, "乙省", 2006)["capital"] == pytest.approx(b06)
    # real GDP, 2005 prices: 100, 110, 110*1.05 = 115.5, 115.5*1.04 = 120.12
    assert a07["GDP_2005"] == pytest.approx(115.5)
    assert _row(data, "甲省", 2008)["GDP_2005"] == pytest.approx(120.12)
    # per capita: 115.5 亿元 / 25 万人 * 1e4 = 46200 yuan
    assert a07["GDP_2005_per_capita"] == pytest.approx(46200)
    assert a07["TS"] == pytest.approx(78 / 50)
    report = pd.read_excel(out, sheet_name="imputed")
    assert report[["地区", "年份", "column", "method", "value"]].values.tolist() == [
        ["甲省", 2007, INV, "linear", 60.5]
    ]
    # the input file is untouched
    assert pd.read_csv(LONG)[INV].isna().sum() == 1


def test_prepare_csv_output_with_report_and_agglomeration(tmp_path, capsys):
    out, rep = tmp_path / "p.csv", tmp_path / "filled.csv"
    sectors = "第一产业增加值,第二产业增加值,第三产业增加值"
    code = main(
        [
            "prepare",
            str(LONG),
            *KEYS,
            "--fill-unit-mean",
            INV,
            "--specialisation",
            f"{sectors},out=spec",
            "--diversification",
            sectors,
            "--growth",
            f"{GDP},kind=log",
            "--advanced-structure",
            sectors.replace(",", ":"),
            "--report",
            str(rep),
            "-o",
            str(out),
        ]
    )
    assert code == 0
    data = pd.read_csv(out, encoding="utf-8-sig")
    a05 = _row(data, "甲省", 2005)
    # unit mean of 甲省 investment: (50 + 55 + 66) / 3 = 57
    assert _row(data, "甲省", 2007)[INV] == pytest.approx(57)
    # 2005 shares 甲 (.1, .4, .5), 乙 (.15, .5, .35); panel (40, 140, 120)/300
    ref = [40 / 300, 140 / 300, 120 / 300]
    spec = sum(abs(s - r) for s, r in zip([0.1, 0.4, 0.5], ref, strict=True))
    assert a05["spec"] == pytest.approx(spec)  # 0.2
    assert a05["diversification"] == pytest.approx(1 / (0.01 + 0.16 + 0.25))
    assert a05["advanced_structure_level"] == pytest.approx(2.4)
    assert _row(data, "甲省", 2006)[f"{GDP}_growth"] == pytest.approx(math.log(1.2))
    filled = pd.read_csv(rep, encoding="utf-8-sig")
    assert filled[["地区", "年份", "method", "value"]].values.tolist() == [
        ["甲省", 2007, "unit-mean", 57.0]
    ]
    assert "fill-unit-mean: filled 1 cells" in capsys.readouterr().out


def test_prepare_reads_a_wide_yearbook_sheet(tmp_path, capsys):
    out = tmp_path / "gdp.csv"
    code = main(
        [
            "prepare",
            str(WIDE),
            "--wide",
            "GDP",
            "--unit",
            "地区",
            "--time",
            "年份",
            "--interpolate",
            "GDP",
            "--growth",
            "GDP",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    data = pd.read_csv(out, encoding="utf-8-sig")
    assert data.columns.tolist() == ["地区", "年份", "GDP", "GDP_imputed", "GDP_growth"]
    b06 = _row(data, "乙省", 2006)
    # printed as '—', interpolated: (200 + 250) / 2 = 225
    assert b06["GDP"] == pytest.approx(225) and bool(b06["GDP_imputed"])
    assert b06["GDP_growth"] == pytest.approx(225 / 200 - 1)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--capital", f"investment={INV},delta=0.1,bse=zhang"],
            "--capital investment=",
        ),
        (["--capital", f"investment={INV},delta=abc"], "delta='abc' is not a number"),
        (["--capital", f"price={P_INV},delta=0.1"], "give investment=..."),
        (["--deflate", "GDP"], "--deflate GDP: expected VALUE:INDEX"),
        (["--deflate", f"{GDP}:CPI"], "--deflate 地区生产总值(亿元):CPI: column 'CPI'"),
        (
            ["--capital", f"investment={INV},delta=0.1,base=zhang"],
            f"column '{INV}' has missing values at: 地区=甲省, 年份=2007",
        ),
        (["--chain", f"{P_INV},out={GDP}"], f"column '{GDP}' already exists"),
        (
            ["--rebase", P_INV],
            "--rebase 固定资产投资价格指数(上年=100): give base=YEAR",
        ),
        ([], "no step given"),
    ],
)
def test_prepare_errors_name_the_option(tmp_path, capsys, argv, message):
    code = main(["prepare", str(LONG), *KEYS, *argv, "-o", str(tmp_path / "x.csv")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("spatialgreen: error: ")
    assert message in err
    assert not (tmp_path / "x.csv").exists()


def test_prepare_unknown_setting_is_named(tmp_path, capsys):
    argv = ["--capital", f"investment={INV},delta=0.1,bse=zhang"]
    main(["prepare", str(LONG), *KEYS, *argv, "-o", str(tmp_path / "x.csv")])
    assert "unknown setting 'bse=zhang'" in capsys.readouterr().err


def test_prepare_never_writes_over_its_input(tmp_path, capsys):
    copy = tmp_path / "in.csv"
    copy.write_bytes(LONG.read_bytes())
    code = main(["prepare", str(copy), *KEYS, "--interpolate", INV, "-o", str(copy)])
    assert code == 2
    assert "refusing to write output over the input file" in capsys.readouterr().err
    assert copy.read_bytes() == LONG.read_bytes()


def test_prepare_help_has_an_example_and_every_step(capsys):
    with pytest.raises(SystemExit):
        main(["prepare", "--help"])
    text = capsys.readouterr().out
    assert "example:\n  spatialgreen prepare" in text
    for step in ("--capital", "--deflate", "--real-gdp", "--interpolate", "--chain"):
        assert step in text
