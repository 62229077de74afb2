"""Regression tables: stars, layout, exports (CSV, XLSX, LaTeX, HTML)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from spatialgreen.econometrics import fixed_effects, regression_table
from spatialgreen.errors import DataError


class _Fit:
    """The minimal protocol: params, std_errors, pvalues, nobs."""

    def __init__(self, coefs, ses, pvals, nobs=300, **extra):
        self.params = pd.Series(coefs)
        self.std_errors = pd.Series(ses)
        self.pvalues = pd.Series(pvals)
        self.nobs = nobs
        for key, value in extra.items():
            setattr(self, key, value)


@pytest.mark.parametrize(
    ("p", "stars"),
    [
        (0.0099, "***"),
        (0.01, "**"),
        (0.0499, "**"),
        (0.05, "*"),
        (0.0999, "*"),
        (0.1, ""),
    ],
)
def test_star_thresholds_are_strict(p, stars):
    t = regression_table(_Fit({"x": 0.06}, {"x": 0.01}, {"x": p}), dependent=False)
    assert t.table.iloc[0, 1] == "0.0600" + stars


def test_layout_fe_rows_stats_and_numbers():
    a = _Fit(
        {"prod": 0.0649, "gov": -0.0001, "const": 0.9514},
        {"prod": 0.0092, "gov": 0.00004, "const": 0.0226},
        {"prod": 1e-8, "gov": 0.02, "const": 1e-20},
        r2_adj=0.6782,
        fixed_effects={"Unit FE": True, "Year FE": True},
        meta={"y": "GTFP"},
    )
    b = _Fit(
        {"prod": 0.7568, "const": 0.7363},
        {"prod": 0.1058, "const": 0.2618},
        {"prod": 1e-9, "const": 0.005},
        r2_adj=0.7622,
        fixed_effects={"Unit FE": True, "Year FE": False},
        meta={"y": "TS"},
    )
    t = regression_table({"(1)": a, "(2)": b}, rename={"const": "_cons"}, constant=True)
    rows = t.table.set_index("")
    assert rows.loc["Dependent variable"].tolist() == ["GTFP", "TS"]
    assert t.table[""].tolist() == [
        "Dependent variable", "prod", "", "gov", "", "_cons", "",
        "Unit FE", "Year FE", "N", "Adj. R²",
    ]  # fmt: skip
    assert t.table["(1)"].tolist()[1:3] == ["0.0649***", "(0.0092)"]
    assert t.table["(2)"].tolist()[3:5] == ["", ""]  # gov not in model 2
    assert rows.loc["Year FE"].tolist() == ["Yes", "No"]
    assert rows.loc["N"].tolist() == ["300", "300"]
    assert rows.loc["Adj. R²"].tolist() == ["0.6782", "0.7622"]
    num = t.numbers.set_index(["model", "parameter"])
    assert num.loc[("(2)", "prod"), "stars"] == 3
    assert num.loc[("(1)", "gov"), "statistic"] == pytest.approx(-2.5)
    tt = regression_table([a], se="t", digits=2, dependent=False, stats=())
    assert tt.table.iloc[1, 1] == "(7.05)"
    assert "t statistics in parentheses" in tt.meta["notes"]


def test_exports(tmp_path):
    fit = _Fit(
        {"x_1": 1.5, "const": 0.1},
        {"x_1": 0.5, "const": 0.2},
        {"x_1": 0.004, "const": 0.6},
    )
    t = regression_table(
        [fit, fit], labels=["A & B", "C"], notes="SEs clustered by province"
    )
    tex = t.to_latex(tmp_path / "t.tex")
    assert (tmp_path / "t.tex").read_text(encoding="utf-8") == tex
    for token in (r"\toprule", r"\midrule", r"\bottomrule", r"\begin{tabular}{lcc}"):
        assert token in tex
    assert r"x\_1 & 1.5000$^{***}$ & 1.5000$^{***}$ \\" in tex
    assert r"A \& B" in tex
    html_text = t.to_html()
    assert (
        "<table" in html_text and "1.5000***" in html_text and "A &amp; B" in html_text
    )
    t.write(tmp_path / "t.html")
    assert '<meta charset="utf-8">' in (tmp_path / "t.html").read_text(encoding="utf-8")
    t.write(tmp_path / "t.csv")
    back = pd.read_csv(tmp_path / "t.csv", encoding="utf-8-sig", keep_default_na=False)
    assert back.columns.tolist()[1:] == ["A & B", "C"]
    # the table, then the note as the last row (CSV has no other place for it)
    assert back["C"].tolist() == [*t.table["C"].tolist(), ""]
    assert back.iloc[-1, 0] == "SEs clustered by province"
    t.write(tmp_path / "t.xlsx")
    sheet = pd.read_excel(
        tmp_path / "t.xlsx", sheet_name="table", keep_default_na=False
    )
    assert sheet["C"].astype(str).tolist()[:2] == ["1.5000***", "(0.5000)"]
    with pytest.raises(DataError, match=r"unsupported table format '\.odt'"):
        t.write(tmp_path / "t.odt")


def test_accepts_package_and_linearmodels_results():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"unit": np.repeat(range(10), 5), "year": np.tile(range(5), 10)})
    df["x"] = rng.normal(size=50)
    df["y"] = df["x"] + rng.normal(size=50)
    ours = fixed_effects(df, y="y", x="x", cluster="unit")
    t = regression_table([ours, ours.fit], stats=("nobs", "r2_within", "n_clusters"))
    rows = t.table.set_index("")
    assert rows.loc["N"].tolist() == ["50", "50"]
    assert rows.loc["Clusters"].tolist() == ["10", ""]
    # the year dummies of the Stata-convention fit are not listed
    assert not any(v.startswith("_year") for v in t.table[""])
    assert t.table.iloc[1, 1] == t.table.iloc[1, 2]  # same coefficient both ways


def test_bad_input():
    fit = _Fit({"x": 1.0}, {"x": 0.1}, {"x": 0.01})
    with pytest.raises(DataError, match="2 labels given for 1 models"):
        regression_table([fit], labels=["a", "b"])
    with pytest.raises(DataError, match="object has no 'params'"):
        regression_table([object()])
    with pytest.raises(DataError, match=r"variables \['z'\] are in none"):
        regression_table([fit], variables=["z"])


def test_every_result_type_exports_and_summarises(tmp_path):
    from spatialgreen import econometrics as em

    rng = np.random.default_rng(1)
    df = pd.DataFrame({"unit": np.repeat(range(12), 6), "year": np.tile(range(6), 12)})
    df["region"] = np.where(df["unit"] < 6, "east", "west")
    df["x"], df["m"], df["z"] = rng.normal(size=(3, 72))
    df["y"] = df["x"] + df["m"] + df["x"] * df["z"] + rng.normal(size=72)
    kw = {"y": "y", "x": "x"}
    results = {
        "fe": em.fixed_effects(df, **kw, cluster="unit"),
        "med": em.mediation(df, **kw, mediator="m", bootstrap=50),
        "mod": em.moderation(df, **kw, moderator="z"),
        "lag": em.lagged(df, **kw, lags=(0, 1)),
        "rob": em.robustness(df, y=["y", "m"], x="x"),
        "het": em.heterogeneity(df, **kw, group="region"),
        "pla": em.placebo(df, **kw, reps=20),
        "ent": em.entropy_index(df, ["x", "m", "z"]),
        "pca": em.pca_index(df, ["x", "m", "z"]),
    }
    for name, res in results.items():
        assert res.summary()
        written = res.to_csv(tmp_path / name)
        assert written
        res.to_excel(tmp_path / f"{name}.xlsx")
    coefs = pd.read_csv(tmp_path / "fe" / "coefficients.csv", encoding="utf-8-sig")
    assert coefs["parameter"].tolist() == ["x", "const"]
    assert coefs["estimate"].tolist() == pytest.approx(results["fe"].params.tolist())
    effects = pd.read_csv(tmp_path / "med" / "effects.csv", encoding="utf-8-sig")
    assert effects["effect"].tolist()[:2] == ["total", "a"]


def _small_fit() -> _Fit:
    return _Fit(
        {"x": 0.5, "const": 1.0},
        {"x": 0.1, "const": 0.2},
        {"x": 0.001, "const": 0.07},
        nobs=100,
    )


def test_latex_notes_escape_less_than():
    # "p<0.1" in LaTeX text mode prints as "p¡0.1" with the default font encoding
    tex = regression_table([_small_fit()], dependent=False).to_latex()
    assert "p<0.1" not in tex
    assert r"p\textless{}0.1" in tex


def test_unknown_statistic_is_an_error_not_an_empty_row():
    with pytest.raises(DataError, match="'r2adj' is in none of the models"):
        regression_table([_small_fit()], stats=("nobs", "r2adj"))
    # a known statistic a model lacks stays a blank cell
    t = regression_table([_small_fit()], stats=("nobs", "r2_within"), dependent=False)
    assert t.table.iloc[-1].tolist() == ["Within R²", ""]


@pytest.mark.parametrize("digits", [-1, 2.5, True])
def test_bad_digits_is_a_named_error(digits):
    with pytest.raises(DataError, match="digits must be a non-negative integer"):
        regression_table([_small_fit()], digits=digits)


# --------------------------------------------------------------------------------
# journal forms: DOCX, RTF, XLSX; notes, constant, controls, R² labels


def read_rtf(text: str) -> tuple[list[str], list[str]]:
    """A minimal RTF reader: checks the syntax, returns (cells, paragraphs).

    Fails on unbalanced groups, unknown escapes or non-ASCII bytes, so a file it
    reads is well-formed RTF; ``\\uN?`` is decoded (surrogate pairs too).
    """
    import re

    assert text.startswith("{\\rtf1")
    assert text.isascii()
    cells: list[str] = []
    paragraphs: list[str] = []
    buf: list[str] = []
    depth, skip_below, i = 0, None, 0

    def flush() -> str:
        units = "".join(buf).encode("utf-16-le", "surrogatepass")
        buf.clear()
        return units.decode("utf-16-le")

    while i < len(text):
        ch = text[i]
        if ch in "{}":
            depth += 1 if ch == "{" else -1
            assert depth >= 0, f"unbalanced '}}' at {i}"
            if skip_below is not None and depth < skip_below:
                skip_below = None
            if depth == 0:
                assert text[i + 1 :].strip() == "", "text after the document"
            i += 1
            continue
        if ch == "\\":
            if text[i + 1] in "\\{}":
                buf.append(text[i + 1])
                i += 2
                continue
            m = re.match(r"\\([a-z]+)(-?\d+)? ?", text[i:])
            assert m, f"bad control word at {text[i : i + 20]!r}"
            word, arg = m.group(1), m.group(2)
            i += m.end()
            if word == "fonttbl":
                skip_below = depth
            elif word == "u":
                buf.append(chr(int(arg) % 65536))
                assert text[i] == "?"
                i += 1
            elif word == "cell":
                cells.append(flush())
            elif word in ("par", "row"):
                paragraphs.append(flush())
            elif word == "line":
                buf.append("\n")
            continue
        if ch not in "\r\n" and skip_below is None:
            buf.append(ch)
        i += 1
    assert depth == 0, "unbalanced '{'"
    return cells, paragraphs


def _docx_rows(path) -> list[list[str]]:
    import docx

    table = docx.Document(str(path)).tables[0]
    return [[cell.text for cell in row.cells] for row in table.rows]


def _fe_pair(**kw):
    from spatialgreen.datasets import example_panel

    df = example_panel()
    a = fixed_effects(df, y="y", x="x1", controls=["x2"], cluster="unit", **kw)
    b = fixed_effects(df, y="y", x="x1", effects="unit", cov="robust")
    return df, a, b


def test_docx_is_a_three_line_table_with_the_cells_and_note(tmp_path):
    import docx
    from docx.oxml.ns import qn

    _, a, b = _fe_pair()
    t = regression_table([a, b], rename={"x1": "数字经济"}, stats=("nobs", "r2"))
    path = t.to_docx(tmp_path / "t.docx", title="表 1 基准回归")
    expected = [list(t.table.columns), *t.table.astype(str).values.tolist()]
    assert _docx_rows(path) == expected
    coef = [f"{f.params['x1']:.4f}***" for f in (a, b)]
    assert ["数字经济", *coef] in expected
    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "表 1 基准回归" and texts[-1] == t.note
    tbl = document.tables[0]._tbl
    borders = {
        child.tag.split("}")[1]: (child.get(qn("w:val")), child.get(qn("w:sz")))
        for child in tbl.tblPr.find(qn("w:tblBorders"))
    }
    assert borders == {
        "top": ("single", "12"),
        "bottom": ("single", "12"),
        "left": ("nil", None),
        "right": ("nil", None),
        "insideH": ("nil", None),
        "insideV": ("nil", None),
    }
    # the header rule: a bottom border on every header cell and on no other cell
    for i, row in enumerate(tbl.tr_lst):
        for tc in row.tc_lst:
            cell_borders = tc.tcPr.find(qn("w:tcBorders"))
            if i == 0:
                bottom = cell_borders.find(qn("w:bottom"))
                assert (bottom.get(qn("w:val")), bottom.get(qn("w:sz"))) == (
                    "single",
                    "6",
                )
            else:
                assert cell_borders is None
    # schema order Word insists on: tblBorders before tblLook
    tags = [c.tag.split("}")[1] for c in tbl.tblPr]
    assert tags.index("tblBorders") < tags.index("tblLook")


def test_rtf_is_rtf_and_holds_the_cells_rules_and_note(tmp_path):
    _, a, b = _fe_pair()
    t = regression_table([a, b], rename={"x1": "数字经济{1}"})
    path = t.write(tmp_path / "t.rtf", title="表 1")
    text = path.read_text(encoding="ascii")
    cells, paragraphs = read_rtf(text)
    header = list(t.table.columns)
    body = t.table.astype(str).values.tolist()
    assert cells == [c for row in [header, *body] for c in row]
    assert "数字经济{1}" in cells
    assert paragraphs[0] == "表 1" and paragraphs[-1] == t.note
    ncol = len(header)
    # heavy rule on top of the header and under the last row, light under the header
    assert text.count(r"\clbrdrt\brdrs\brdrw30") == ncol
    assert text.count(r"\clbrdrb\brdrs\brdrw15") == ncol
    assert text.count(r"\clbrdrb\brdrs\brdrw30") == ncol
    assert r"\clbrdrl" not in text and r"\clbrdrr" not in text  # no vertical lines


def _rule(cell, edge: str) -> str | None:
    side = getattr(cell.border, edge)
    return None if side is None else side.style


def test_xlsx_table_sheet_is_three_line_with_note_and_numbers(tmp_path):
    import openpyxl

    _, a, b = _fe_pair()
    t = regression_table([a, b], rename={"x1": "=cmd|x"})
    t.write(tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert wb.sheetnames == ["table", "numbers", "metadata"]
    ws = wb["table"]
    n_rows, n_cols = len(t.table) + 1, t.table.shape[1]
    assert [c.value or "" for c in ws[1]][:n_cols] == list(t.table.columns)
    for j in range(1, n_cols + 1):
        assert _rule(ws.cell(1, j), "top") == "medium"
        assert _rule(ws.cell(1, j), "bottom") == "thin"
        assert _rule(ws.cell(n_rows, j), "bottom") == "medium"
        for i in range(2, n_rows):
            assert _rule(ws.cell(i, j), "top") is None
            assert _rule(ws.cell(i, j), "left") is None
            assert _rule(ws.cell(i, j), "right") is None
            assert _rule(ws.cell(i, j), "bottom") is None
    assert ws.cell(n_rows + 1, 1).value == t.note
    # text that could run as a formula stays exact and is a quote-prefixed text cell
    label = ws.cell(3, 1)
    assert (label.value, label.data_type, label.quotePrefix) == ("=cmd|x", "s", True)
    # a formatted negative number is not touched
    neg = [c for c in ws["B"] if str(c.value).startswith("-")]
    assert neg and all(not c.quotePrefix for c in neg)
    numbers = pd.read_excel(tmp_path / "t.xlsx", sheet_name="numbers")
    assert numbers["estimate"].tolist() == pytest.approx(t.numbers["estimate"].tolist())


def test_note_names_the_standard_errors_of_each_model():
    _, a, b = _fe_pair()
    one = regression_table([a], dependent=False)
    assert "clustered by unit" in one.note
    assert one.note.startswith("Standard errors in parentheses. ")
    assert one.note.endswith("* p<0.1, ** p<0.05, *** p<0.01")
    both = regression_table({"A": a, "B": b})
    assert "A: " in both.note and "B: Heteroskedasticity-robust" in both.note
    same = regression_table({"A": a, "A2": a})
    assert "A, A2: " not in same.note and same.note.count("clustered by unit") == 1
    t_stats = regression_table([a], se="t")
    assert t_stats.note.startswith("t statistics in parentheses. ")
    own = regression_table([a], notes="注：括号内为聚类稳健标准误")
    assert own.note == "注：括号内为聚类稳健标准误"


def test_constant_of_fe_models_is_explained_or_left_out_never_an_artefact():
    from spatialgreen.datasets import example_panel

    df = example_panel()
    for c in ("x1", "x2"):
        df[c] = (df[c] - df[c].mean()) / df[c].std()
    fit = fixed_effects(df, y="y", x=["x1", "x2"], cluster="unit")
    # the artefact: a constant "significant" with a zero standard error
    assert fit.std_errors["const"] < 1e-12 * fit.params["const"]
    t = regression_table([fit], dependent=False, stats=())
    rows = t.table[""].tolist()
    const = t.table.iloc[rows.index("const")].tolist()
    se_row = t.table.iloc[rows.index("const") + 1].tolist()
    assert const == ["const", f"{fit.params['const']:.4f}"]  # no stars
    assert se_row == ["", "(—)"]
    assert "(—): the standard error is zero or undefined" in t.note
    assert "const is the mean of the absorbed effects" in t.note
    num = t.numbers.set_index("parameter")
    assert num.loc["const", "stars"] == 0
    assert num.loc["const", "estimate"] == pytest.approx(fit.params["const"])
    assert "(—)" in t.to_latex() and "(—)" in t.to_html()
    auto = regression_table([fit], dependent=False, stats=(), constant="auto")
    assert "const" not in auto.table[""].tolist()
    assert "The constant is not reported for models with fixed effects" in auto.note
    # a pooled model keeps its (meaningful) constant under "auto"
    pooled = fixed_effects(df, y="y", x=["x1", "x2"], effects="none")
    mixed = regression_table([fit, pooled], constant="auto", dependent=False)
    row = mixed.table.iloc[mixed.table[""].tolist().index("const")].tolist()
    assert row[1] == "" and row[2].startswith(f"{pooled.params['const']:.4f}")
    with pytest.raises(DataError, match="constant must be True, False or 'auto'"):
        regression_table([fit], constant="yes")


def test_controls_row_replaces_the_control_coefficients():
    _, a, b = _fe_pair()
    t = regression_table([a, b], controls=True, dependent=False, stats=("nobs",))
    assert t.table[""].tolist() == [
        "x1", "", "const", "", "Controls", "Unit FE", "Year FE", "N",
    ]  # fmt: skip
    rows = t.table.set_index("")
    assert rows.loc["Controls"].tolist() == ["Yes", "No"]
    assert rows.loc["Year FE"].tolist() == ["Yes", "No"]
    assert "x2" not in t.numbers["parameter"].tolist()
    named = regression_table([a, b], controls=["x2"], dependent=False)
    assert named.table[""].tolist() == [*t.table[""].tolist(), "Adj. R²"]
    with pytest.raises(DataError, match=r"controls \['z'\] are in none"):
        regression_table([a], controls=["z"])
    with pytest.raises(DataError, match="listed both in variables"):
        regression_table([a], controls=["x2"], variables=["x1", "x2"])
    with pytest.raises(DataError, match="meta\\['controls'\\]"):
        regression_table([_small_fit()], controls=True)


def test_r2_rows_are_labelled_and_linearmodels_r2_is_the_inclusive_one():
    _, a, _ = _fe_pair()
    t = regression_table(
        [a, a.fit], stats=("nobs", "r2", "r2_within", "r2_overall"), dependent=False
    )
    rows = t.table.set_index("")
    assert rows.loc["R²"].tolist() == [f"{a.r2:.4f}"] * 2
    assert rows.loc["Within R²"].iloc[0] == f"{a.r2_within:.4f}"
    assert rows.loc["Overall R²"].tolist() == ["", f"{a.fit.rsquared_overall:.4f}"]
    assert "R² include the fixed effects" in t.note
    assert "Controls" not in rows.index


def test_every_format_by_suffix(tmp_path):
    _, a, b = _fe_pair()
    t = regression_table([a, b])
    for suffix in (".csv", ".xlsx", ".tex", ".html", ".docx", ".rtf"):
        assert t.write(tmp_path / f"t{suffix}").stat().st_size > 0
    back = pd.read_csv(tmp_path / "t.csv", encoding="utf-8-sig", keep_default_na=False)
    assert back.iloc[-1, 0] == t.note
    assert "clustered by unit" in (tmp_path / "t.tex").read_text(encoding="utf-8")
    fragment = regression_table([a], labels=["<b>&"])._repr_html_()
    assert "&lt;b&gt;&amp;" in fragment and "<b>&" not in fragment
