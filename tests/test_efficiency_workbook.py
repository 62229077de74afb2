"""MaxDEA-style workbooks of efficiency and productivity results (openpyxl)."""

from __future__ import annotations

import dataclasses
import math
import re
import warnings

import numpy as np
import openpyxl
import pandas as pd
import pytest

from spatialgreen import datasets
from spatialgreen.efficiency import productivity_index, sbm
from spatialgreen.efficiency._workbook import geometric_mean
from spatialgreen.errors import DataError, ModelError, SpatialGreenWarning
from spatialgreen.geo import unit_table

# two east, two central, two west provinces (region3), three years of the SYNTHETIC
# demo panel
ADCODES = [110000, 320000, 340000, 420000, 510000, 620000]
REGION = {110000: "east", 320000: "east", 340000: "central", 420000: "central"}
KW = {"inputs": ["labor", "capital", "energy"], "outputs": "gdp", "time": "year"}


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    df = datasets.province_panel()
    return df[df["adcode"].isin(ADCODES) & df["year"].isin([2018, 2019, 2020])]


@pytest.fixture(scope="module")
def efficiency(panel):
    return sbm(panel, **KW, bad_outputs=["so2"], unit="adcode")


@pytest.fixture(scope="module")
def gml(panel):
    return productivity_index(
        panel, **KW, bad_outputs=["so2"], unit="adcode", index="gml"
    )


def _rows(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def _sheet_frame(ws) -> pd.DataFrame:
    rows = _rows(ws)
    return pd.DataFrame(rows[1:], columns=rows[0])


def test_efficiency_sheets_names_scores_and_ranks(efficiency, tmp_path):
    before = efficiency.scores.copy()
    path = efficiency.to_workbook(tmp_path / "sbm.xlsx")
    pd.testing.assert_frame_equal(efficiency.scores, before)  # not modified
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [
        "Scores", "Scores by year", "Benchmarks", "Slacks", "Projections", "Notes",
    ]  # fmt: skip
    scores = _sheet_frame(wb["Scores"])
    assert list(scores.columns) == [
        "adcode", "名称", "Name", "region3", "year", "Score", "Rank", "Status",
    ]  # fmt: skip
    names = unit_table("province").set_index("adcode")
    for row in scores.itertuples(index=False):
        assert row[1] == names.loc[row[0], "name_zh"]
        assert row[2] == names.loc[row[0], "name_en"]
        assert row[3] == names.loc[row[0], "region3"]
    assert scores.loc[scores["adcode"] == 110000, "名称"].iloc[0] == "北京市"
    # same numbers as the results, rank 1 = best within each year
    merged = scores.merge(efficiency.scores, on=["adcode", "year"])
    np.testing.assert_allclose(merged["Score"], merged["score"], rtol=1e-15)
    for _, block in merged.groupby("year"):
        expected = block["score"].round(10).rank(ascending=False, method="min")
        assert block["Rank"].tolist() == expected.astype(int).tolist()
    ws = wb["Scores"]
    assert ws.freeze_panes == "F2"  # header row and the five key columns stay
    assert ws["F2"].number_format == "0.0000" and ws["G2"].number_format == "0"
    assert all(cell.font.b for cell in ws[1])
    # widths follow the contents: the Chinese names are wider than the default
    assert ws.column_dimensions["B"].width >= 2 * len("四川省")
    assert ws.column_dimensions["A"].width >= len("adcode")


def test_unit_by_year_sheet_has_means_by_unit_group_and_all(efficiency, tmp_path):
    wb = openpyxl.load_workbook(efficiency.to_workbook(tmp_path / "sbm.xlsx"))
    sheet = _sheet_frame(wb["Scores by year"])
    assert list(sheet.columns)[-4:] == ["2018", "2019", "2020", "Mean"]
    wide = efficiency.scores.pivot(index="adcode", columns="year", values="score")
    units = sheet[sheet["adcode"].isin(ADCODES)].set_index("adcode")
    assert list(units.index) == sorted(ADCODES)  # official (adcode) order
    for code in ADCODES:
        values = wide.loc[code].to_numpy()
        np.testing.assert_allclose(
            units.loc[code, ["2018", "2019", "2020"]].astype(float), values
        )
        assert units.loc[code, "Mean"] == pytest.approx(values.sum() / 3, rel=1e-14)
    means = sheet[~sheet["adcode"].isin(ADCODES)].set_index("adcode")
    assert list(means.index) == [
        "Mean: east", "Mean: central", "Mean: west", "Mean: all units",
    ]  # fmt: skip
    west = [c for c in ADCODES if c not in REGION]
    for label, members in (
        ("Mean: east", [110000, 320000]),
        ("Mean: central", [340000, 420000]),
        ("Mean: west", west),
        ("Mean: all units", ADCODES),
    ):
        block = wide.loc[members]
        for year in (2018, 2019, 2020):
            assert means.loc[label, str(year)] == pytest.approx(
                block[year].mean(), rel=1e-14
            )
        assert means.loc[label, "Mean"] == pytest.approx(
            block.to_numpy().mean(), rel=1e-14
        )
    ws = wb["Scores by year"]
    assert ws.freeze_panes == "E2"
    last = ws.max_row
    assert ws.cell(last, 5).number_format == "0.0000" and ws.cell(last, 1).font.i


def test_benchmarks_slacks_and_projections(efficiency, tmp_path):
    wb = openpyxl.load_workbook(efficiency.to_workbook(tmp_path / "sbm.xlsx"))
    bench = _sheet_frame(wb["Benchmarks"])
    short = unit_table("province").set_index("name_zh_short")["adcode"]
    lam = efficiency.lambdas.set_index(["adcode", "year", "peer_unit"])["lambda"]
    checked = 0
    for row in bench.itertuples(index=False):
        parts = re.findall(r"([^;()\s]+)\(([0-9.e-]+)\)", row.Benchmarks)
        assert len(parts) == row[bench.columns.get_loc("Number of peers")]
        values = [float(v) for _, v in parts]
        assert values == sorted(values, reverse=True)  # largest λ first
        for name, value in parts:
            exact = lam.loc[(row.adcode, row.year, short[name])]
            assert float(value) == pytest.approx(exact, abs=5e-5)
            checked += 1
        assert row[bench.columns.get_loc("Sum of λ")] == pytest.approx(
            efficiency.lambdas.query("adcode == @row.adcode and year == @row.year")[
                "lambda"
            ].sum()
        )
    assert checked == len(efficiency.lambdas)
    assert "Benchmarks (en)" in bench.columns
    slacks = _sheet_frame(wb["Slacks"])
    assert list(slacks.columns)[5:] == [
        "labor (input)", "capital (input)", "energy (input)", "gdp (output)",
        "so2 (bad output)",
    ]  # fmt: skip
    merged = slacks.merge(efficiency.slacks, on=["adcode", "year"])
    np.testing.assert_allclose(merged["labor (input)"], merged["labor"], rtol=1e-15)
    targets = _sheet_frame(wb["Projections"]).merge(
        efficiency.targets, on=["adcode", "year"]
    )
    np.testing.assert_allclose(targets["so2 (bad output)"], targets["so2"])
    assert wb["Slacks"]["F2"].number_format == "#,##0.0000"
    notes = dict(_rows(wb["Notes"])[1:])
    assert notes["model"] == "sbm" and notes["Groups"] == "region3"
    assert "shipped province list" in notes["Unit names"]


def test_productivity_sheets_and_geometric_means_by_hand(gml, tmp_path):
    path = gml.to_workbook(tmp_path / "gml.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [
        "GML", "EC", "TC", "BPC", "Cumulative", "Summary by period",
        "Summary by unit", "Notes",
    ]  # fmt: skip
    sheet = _sheet_frame(wb["GML"])
    assert list(sheet.columns)[-3:] == ["2018-2019", "2019-2020", "Geometric mean"]
    idx = gml.index.pivot(index="adcode", columns="year", values="index")
    units = sheet[sheet["adcode"].isin(ADCODES)].set_index("adcode")
    for code in ADCODES:
        a, b = idx.loc[code, 2019], idx.loc[code, 2020]
        assert units.loc[code, "2018-2019"] == pytest.approx(a, rel=1e-15)
        assert units.loc[code, "Geometric mean"] == pytest.approx(
            math.sqrt(a * b), rel=1e-13
        )
    means = sheet[~sheet["adcode"].isin(ADCODES)].set_index("adcode")
    east = idx.loc[[110000, 320000]]
    assert means.loc["Geometric mean: east", "2019-2020"] == pytest.approx(
        math.sqrt(east.loc[110000, 2020] * east.loc[320000, 2020]), rel=1e-13
    )
    assert means.loc["Geometric mean: east", "Geometric mean"] == pytest.approx(
        float(np.prod(east.to_numpy())) ** 0.25, rel=1e-13
    )
    all_2019 = float(np.prod(idx[2019])) ** (1 / 6)
    assert means.loc["Geometric mean: all units", "2018-2019"] == pytest.approx(
        all_2019, rel=1e-13
    )
    # the summaries agree with the component sheets
    by_period = _sheet_frame(wb["Summary by period"]).set_index("Period")
    assert by_period.loc["2018-2019", "GML"] == pytest.approx(all_2019, rel=1e-13)
    ec = gml.index.pivot(index="adcode", columns="year", values="ec")
    assert by_period.loc["Geometric mean", "EC"] == pytest.approx(
        float(np.prod(ec.to_numpy())) ** (1 / 12), rel=1e-12
    )
    by_unit = _sheet_frame(wb["Summary by unit"]).set_index("adcode")
    assert by_unit.loc[620000, "TC"] == pytest.approx(
        _sheet_frame(wb["TC"]).set_index("adcode").loc[620000, "Geometric mean"]
    )
    cumulative = _sheet_frame(wb["Cumulative"]).set_index("adcode")
    assert "Geometric mean" not in cumulative.columns
    assert cumulative.loc[110000, "2020"] == pytest.approx(
        idx.loc[110000, 2019] * idx.loc[110000, 2020], rel=1e-12
    )
    ws = wb["GML"]
    assert ws.freeze_panes == "E2" and ws["E2"].number_format == "0.0000"


def test_malmquist_has_pech_and_sech_and_names_match_units(panel, tmp_path):
    res = productivity_index(
        panel, **KW, unit="province", model="dea", index="malmquist"
    )
    wb = openpyxl.load_workbook(res.to_workbook(tmp_path / "m.xlsx", groups="region4"))
    assert wb.sheetnames[:5] == ["Malmquist", "EC", "TC", "PECH", "SECH"]
    sheet = _sheet_frame(wb["PECH"])
    assert list(sheet.columns)[:5] == ["province", "adcode", "名称", "Name", "region4"]
    units = sheet[sheet["adcode"].notna()]
    assert units["adcode"].tolist() == sorted(ADCODES)  # names → adcode order
    assert units["province"].tolist() == units["名称"].tolist()
    assert "Geometric mean: northeast" not in sheet["province"].tolist()
    assert "Geometric mean: central" in sheet["province"].tolist()


def test_units_that_are_not_regions_and_user_groups(tmp_path):
    df = pd.DataFrame(
        {
            "dmu": ["=HYPERLINK(1)", "B", "C", "D"],
            "x": [1.0, 2.0, 2.0, 3.0],
            "y": [1.0, 2.0, 1.0, 2.5],
            "sector": ["s1", "s1", "s2", "s2"],
        }
    )
    res = sbm(df, inputs="x", outputs="y", unit="dmu")
    with pytest.warns(SpatialGreenWarning, match="not all province or city names"):
        path = res.to_workbook(tmp_path / "a.xlsx")
    wb = openpyxl.load_workbook(path)
    assert _rows(wb["Scores"])[0] == ("dmu", "Score", "Rank", "Status")
    cell = wb["Scores"]["A2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (
        "=HYPERLINK(1)",
        "s",
        True,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = res.to_workbook(
            tmp_path / "b.xlsx",
            names=False,
            groups=dict(zip(df["dmu"], df["sector"], strict=True)),
        )
    wb = openpyxl.load_workbook(path)
    lam = res.lambdas[res.lambdas["dmu"] == "C"].sort_values("lambda")
    expected = "; ".join(
        f"{peer}({value:.4f})"
        for peer, value in zip(lam["peer_unit"][::-1], lam["lambda"][::-1], strict=True)
    )
    bench = _sheet_frame(wb["Benchmarks"]).set_index("dmu")
    assert bench.loc["C", "Benchmarks"] == expected
    assert "Scores by year" not in wb.sheetnames  # no time: no unit × year sheet
    scores = _sheet_frame(wb["Scores"])
    assert scores["group"].tolist() == ["s1", "s1", "s2", "s2"]
    with pytest.raises(DataError, match="grouping of Chinese regions"):
        res.to_workbook(tmp_path / "c.xlsx", names=False, groups="region3")
    with pytest.raises(DataError, match="neither a column of the results"):
        res.to_workbook(tmp_path / "c.xlsx", names=False, groups="nope")
    with pytest.warns(SpatialGreenWarning, match="1 unit\\(s\\) have no 'group' group"):
        res.to_workbook(
            tmp_path / "d.xlsx", names=False, groups={"B": "s1", "C": "s2", "D": "s2"}
        )


def test_missing_scores_are_blank_and_left_out_of_means(efficiency, tmp_path):
    scores = efficiency.scores.copy()
    hit = (scores["adcode"] == 510000) & (scores["year"] == 2019)
    scores.loc[hit, ["score", "status"]] = [np.nan, "infeasible"]
    broken = dataclasses.replace(
        efficiency,
        scores=scores,
        infeasible=scores.loc[hit, ["adcode", "year", "status"]],
    )
    with pytest.warns(SpatialGreenWarning, match="1 score value\\(s\\) are missing"):
        path = broken.to_workbook(tmp_path / "x.xlsx")
    wb = openpyxl.load_workbook(path)
    assert "Infeasible" in wb.sheetnames
    sheet = _sheet_frame(wb["Scores by year"]).set_index("adcode")
    assert pd.isna(sheet.loc[510000, "2019"])
    assert wb["Scores by year"].cell(6, 6).value is None  # a blank cell, not 0
    others = scores.loc[scores["adcode"] == 510000, "score"].dropna()
    assert sheet.loc[510000, "Mean"] == pytest.approx(others.mean(), rel=1e-14)
    west = scores[scores["adcode"].isin([510000, 620000]) & (scores["year"] == 2019)]
    assert sheet.loc["Mean: west", "2019"] == pytest.approx(
        west["score"].dropna().mean()
    )
    ranks = _sheet_frame(wb["Scores"])
    hit_rank = ranks.loc[(ranks["adcode"] == 510000) & (ranks["year"] == 2019), "Rank"]
    assert pd.isna(hit_rank.item())
    year = ranks[ranks["year"] == 2019].dropna(subset=["Rank"])
    ranked = scores[(scores["year"] == 2019)].dropna(subset=["score"])
    expected = ranked["score"].round(10).rank(ascending=False, method="min")
    assert sorted(year["Rank"].astype(int)) == sorted(expected.astype(int))
    assert len(year) == 5  # the infeasible unit is not ranked


def test_geometric_mean():
    assert geometric_mean([2.0, 0.5]) == pytest.approx(1.0)
    assert geometric_mean([1.21, np.nan, 1.0]) == pytest.approx(1.1)
    assert math.isnan(geometric_mean([np.nan]))
    with pytest.raises(ModelError, match="not positive"):
        geometric_mean([1.0, -0.5])
