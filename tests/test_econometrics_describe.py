"""Descriptive statistics table: numbers by hand and by pandas, groups, exports."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from test_econometrics_tables import _docx_rows, read_rtf

from spatialgreen.datasets import example_panel
from spatialgreen.econometrics import describe
from spatialgreen.errors import DataError


def test_numbers_by_hand():
    df = pd.DataFrame({"x": [1.0, 3.0, 2.0, 6.0], "y": [10, 20, np.nan, 40]})
    t = describe(df, ["x", "y"], labels={"y": "产出"})
    sd_x = math.sqrt(((1 - 3) ** 2 + 0 + (2 - 3) ** 2 + (6 - 3) ** 2) / 3)
    m_y = 70 / 3
    sd_y = math.sqrt(((10 - m_y) ** 2 + (20 - m_y) ** 2 + (40 - m_y) ** 2) / 2)
    s = t.statistics.set_index("variable")
    assert s.loc["x", ["n", "mean", "min", "max"]].tolist() == [4, 3.0, 1.0, 6.0]
    assert s.loc["x", "sd"] == pytest.approx(sd_x, rel=1e-14)
    assert s.loc["y", "n"] == 3  # non-missing values, as Stata's summarize
    assert s.loc["y", "mean"] == pytest.approx(70 / 3)
    assert s.loc["y", "sd"] == pytest.approx(sd_y)
    assert t.table.values.tolist() == [
        ["x", "4", "3.000", f"{sd_x:.3f}", "1.000", "6.000"],
        ["产出", "3", f"{70 / 3:.3f}", f"{sd_y:.3f}", "10.000", "40.000"],
    ]
    assert list(t.table.columns) == ["", "N", "Mean", "SD", "Min", "Max"]
    assert "sample standard deviation" in t.note


def test_by_group_matches_pandas_and_input_is_untouched():
    df = example_panel()
    before = df.copy()
    t = describe(df, ["y", "x1", "x2"], by="region", digits=4)
    pd.testing.assert_frame_equal(df, before)
    agg = df.groupby("region", sort=False)[["y", "x1", "x2"]].agg(
        ["count", "mean", "std", "min", "max"]
    )
    s = t.statistics.set_index(["region", "variable"])
    for region in df["region"].unique():
        for var in ("y", "x1", "x2"):
            got = s.loc[(region, var), ["n", "mean", "sd", "min", "max"]]
            np.testing.assert_allclose(
                got.to_numpy(float), agg.loc[region, var].to_numpy(float), rtol=1e-12
            )
    groups = list(df["region"].unique())  # order of appearance
    assert t.table[""].tolist()[::4] == [f"region = {g}" for g in groups]
    assert t.meta["sections"] == [0, 4, 8][: len(groups)]
    tex = t.to_latex()
    assert tex.count(r"\midrule") == len(groups)  # header rule + one per new group


def test_categorical_groups_follow_category_order():
    df = pd.DataFrame(
        {
            "g": pd.Categorical(["w", "e", "w", "e"], categories=["e", "w"]),
            "x": [1.0, 2.0, 3.0, 4.0],
        }
    )
    assert describe(df, "x", by="g").table[""].tolist() == ["g = e", "x", "g = w", "x"]


def test_awkward_input_warns():
    df = pd.DataFrame({"g": ["a", "a", "b", None], "x": [1.0, 2.0, 3.0, 4.0]})
    with pytest.warns(UserWarning) as record:
        t = describe(df, "x", by="g")
    messages = [str(w.message) for w in record]
    assert any("1 row(s) have no 'g' value" in m for m in messages)
    assert any("'x' in g = b has 1 non-missing value" in m for m in messages)
    row_b = t.table.iloc[3].tolist()
    assert row_b == ["x", "1", "3.000", "", "3.000", "3.000"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"columns": ["nope"]}, "column 'nope' not found"),
        ({"columns": ["name"]}, "column 'name' is not numeric"),
        ({"columns": ["inf"]}, "column 'inf' has 1 infinite value"),
        ({"columns": ["x"], "labels": {"z": "Z"}}, "labels given for columns"),
        ({"columns": ["x"], "by": "x"}, "by='x' is also among the described"),
        ({"columns": ["x", "x"]}, "columns listed twice"),
        ({"columns": []}, "at least one column"),
        ({"columns": ["x"], "by": "missing"}, "column 'missing' not found"),
        ({"columns": ["x"], "digits": -1}, "digits must be a non-negative"),
    ],
)
def test_bad_input_is_a_named_error(kwargs, message):
    df = pd.DataFrame({"x": [1.0, 2.0], "name": ["a", "b"], "inf": [1.0, np.inf]})
    columns = kwargs.pop("columns")
    with pytest.raises(DataError, match=message):
        describe(df, columns, **kwargs)


def test_exports(tmp_path):
    df = example_panel()
    t = describe(df, ["y", "x1"], by="region", labels={"y": "绿色全要素生产率"})
    header = list(t.table.columns)
    body = t.table.values.tolist()
    assert _docx_rows(t.write(tmp_path / "d.docx")) == [header, *body]
    cells, paragraphs = read_rtf(
        t.write(tmp_path / "d.rtf").read_text(encoding="ascii")
    )
    assert cells == [c for row in [header, *body] for c in row]
    assert paragraphs[-1] == t.note
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing here needs neutralising
        t.write(tmp_path / "d.csv")
    back = pd.read_csv(tmp_path / "d.csv", encoding="utf-8-sig", keep_default_na=False)
    assert back["Mean"].tolist()[:-1] == t.table["Mean"].tolist()
    assert back.iloc[-1, 0] == t.note
    t.write(tmp_path / "d.xlsx")
    stats = pd.read_excel(tmp_path / "d.xlsx", sheet_name="statistics")
    np.testing.assert_allclose(stats["mean"], t.statistics["mean"], rtol=1e-14)
    assert "绿色全要素生产率" in t.to_html()
    assert str(t).endswith(t.note)
