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
    t = regression_table({"(1)": a, "(2)": b}, rename={"const": "_cons"})
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
    assert back["C"].tolist() == t.table["C"].tolist()
    t.write(tmp_path / "t.xlsx")
    sheet = pd.read_excel(
        tmp_path / "t.xlsx", sheet_name="table", keep_default_na=False
    )
    assert sheet["C"].astype(str).tolist()[:2] == ["1.5000***", "(0.5000)"]
    with pytest.raises(DataError, match="unsupported table format"):
        t.write(tmp_path / "t.docx")


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
