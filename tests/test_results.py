"""One coefficient interface for every estimator (spatialgreen.results).

Each estimator is fitted on small data; its ``coefficients`` table must have the
common layout and the accessors (``params``, ``std_errors``, ``tstats``,
``pvalues``, ``conf_int``, ``nobs``) must agree with it, and a regression table
must accept it.
"""

from __future__ import annotations

import dataclasses
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from libpysal.weights import lat2W
from scipy import stats

from spatialgreen import econometrics as em
from spatialgreen._io import write_tables
from spatialgreen.convergence import beta, spatial_beta
from spatialgreen.efficiency.sfa import sfa
from spatialgreen.errors import DataError
from spatialgreen.results import (
    COEFFICIENT_COLUMNS,
    STAR_NOTE,
    Results,
    carry_columns,
    coefficient_table,
    inference,
    p_values,
    row_df,
    significance_stars,
)
from spatialgreen.spatial.heterogeneity import spatial_regimes, subgroup_regression
from spatialgreen.spatial.panel import spatial_panel
from spatialgreen.spatial.regression import spatial_regression


def _fe_panel() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    idx = pd.MultiIndex.from_product([range(12), range(2010, 2016)])
    df = idx.to_frame(index=False, name=["unit", "year"])
    df["region"] = np.where(df["unit"] < 6, "east", "west")
    df["x"], df["m"], df["z"] = rng.normal(size=(3, len(df)))
    df["y"] = 0.5 * df["x"] + 0.4 * df["m"] + rng.normal(size=len(df))
    return df


def _grid_panel() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    df = pd.DataFrame(
        {
            "unit": np.tile(np.arange(16), 5),
            "year": np.repeat(np.arange(2001, 2006), 16),
            "x": rng.normal(size=80),
        }
    )
    df["y"] = 2 * df["x"] + rng.normal(size=80)
    return df


def _income_panel() -> pd.DataFrame:
    rng = np.random.default_rng(2)
    years = np.arange(2000, 2011)
    start = rng.normal(2, 0.5, 16)
    rows = []
    for u in range(16):
        level = start[u]
        for t in years:
            rows.append({"unit": u, "year": t, "income": float(np.exp(level))})
            level += 0.05 - 0.02 * level + rng.normal(0, 0.02)
    return pd.DataFrame(rows)


def _cross_section() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"x": rng.normal(size=36), "zone": np.repeat(["e", "w"], 18)})
    df["y"] = np.where(df["zone"] == "e", 1.0, 3.0) * df["x"] + rng.normal(size=36)
    return df


def _sfa_data() -> pd.DataFrame:
    rng = np.random.default_rng(4)
    x = rng.uniform(1, 3, 200)
    y = 1 + 0.6 * x + rng.normal(0, 0.1, 200) - np.abs(rng.normal(0, 0.3, 200))
    return pd.DataFrame({"y": y, "x": x})


FE = {"cluster": "unit"}

FITS = {
    "fixed_effects": lambda: em.fixed_effects(_fe_panel(), y="y", x="x", **FE),
    "moderation": lambda: em.moderation(_fe_panel(), y="y", x="x", moderator="z", **FE),
    "mediation": lambda: em.mediation(
        _fe_panel(), y="y", x="x", mediator="m", bootstrap=20, **FE
    ),
    "heterogeneity": lambda: em.heterogeneity(
        _fe_panel(), y="y", x="x", group="region", cov="robust"
    ),
    "robustness": lambda: em.robustness(_fe_panel(), y=["y", "m"], x="x", **FE),
    "lagged": lambda: em.lagged(_fe_panel(), y="y", x="x", lags=(0, 1)),
    "sfa": lambda: sfa(_sfa_data(), y="y", x=["x"], log=False),
    "spatial_ols": lambda: spatial_regression(
        _grid_panel().query("year == 2001"), y="y", x=["x"], w=lat2W(4, 4), model="ols"
    ),
    "spatial_sar": lambda: spatial_regression(
        _grid_panel().query("year == 2001"),
        y="y",
        x=["x"],
        w=lat2W(4, 4),
        model="sar",
        draws=0,
    ),
    "spatial_panel": lambda: spatial_panel(
        _grid_panel(),
        y="y",
        x=["x"],
        w=lat2W(4, 4),
        unit="unit",
        time="year",
        draws=0,
    ),
    "beta_cross_section": lambda: beta(
        _income_panel(), "income", unit="unit", time="year"
    ),
    "beta_panel": lambda: beta(
        _income_panel(), "income", unit="unit", time="year", kind="panel"
    ),
    "spatial_beta": lambda: spatial_beta(
        _income_panel(), "income", w=lat2W(4, 4), unit="unit", time="year", draws=0
    ),
    "spatial_regimes": lambda: spatial_regimes(
        _cross_section(), y="y", x=["x"], regimes="zone", w=lat2W(6, 6)
    ),
    "subgroup": lambda: subgroup_regression(
        _cross_section(), y="y", x=["x"], group="zone"
    ),
}


@pytest.fixture(scope="module", params=sorted(FITS))
def fitted(request):
    return request.param, FITS[request.param]()


def test_coefficients_have_the_common_layout(fitted):
    _, res = fitted
    table = res.coefficients
    assert tuple(table.columns) == COEFFICIENT_COLUMNS
    expected = (
        ["parameter"]
        if table.index.nlevels == 1
        else [table.index.names[0], "parameter"]
    )
    assert list(table.index.names) == expected
    if table.index.nlevels == 2:
        assert table.index.names[0] in ("group", "model")
    assert res.inference["distribution"] in ("t", "normal", "mixed")


def test_accessors_read_the_table(fitted):
    _, res = fitted
    table = res.coefficients
    pd.testing.assert_series_equal(res.params, table["estimate"].rename("params"))
    pd.testing.assert_series_equal(
        res.std_errors, table["std_error"].rename("std_errors")
    )
    pd.testing.assert_series_equal(res.tstats, table["statistic"].rename("tstats"))
    pd.testing.assert_series_equal(res.pvalues, table["p"].rename("pvalues"))
    np.testing.assert_allclose(
        table["statistic"], table["estimate"] / table["std_error"], rtol=1e-12
    )
    assert isinstance(res.nobs, int) and res.nobs > 0


def test_conf_int_is_exact_under_the_recorded_distribution(fitted):
    _, res = fitted
    table = res.coefficients
    ci = res.conf_int()
    assert list(ci.columns) == ["lower", "upper"]
    np.testing.assert_allclose(ci["lower"], table["ci_low"], rtol=1e-13)
    np.testing.assert_allclose(ci["upper"], table["ci_high"], rtol=1e-13)
    dfs = row_df(table.index, res.inference["df"])
    np.testing.assert_allclose(table["p"], p_values(table["statistic"], dfs))
    crit = np.where(np.isnan(dfs), stats.norm.ppf(0.95), stats.t.ppf(0.95, dfs))
    ci90 = res.conf_int(0.9)
    np.testing.assert_allclose(
        ci90["upper"] - table["estimate"], crit * table["std_error"], rtol=1e-10
    )


def test_a_regression_table_accepts_every_estimator(fitted):
    name, res = fitted
    table = em.regression_table({name: res}, stats=("nobs",), dependent=False)
    numbers = table.numbers
    assert list(numbers.columns) == [
        "model", "parameter", "estimate", "std_error", "statistic", "p", "stars",
    ]  # fmt: skip
    assert len(numbers) == len(res.coefficients) - sum(
        str(p).startswith("_year_") for p in res.coefficients.index
    )
    shown = res.coefficients[
        [not str(p).startswith("_year_") for p in res.coefficients.index]
    ]
    for column in ("estimate", "std_error", "statistic", "p"):
        np.testing.assert_allclose(
            np.sort(numbers[column]), np.sort(shown[column]), rtol=1e-14
        )
    assert table.table.iloc[-1, 1] == str(res.nobs)


def test_fixed_effects_interface_numbers():
    res = FITS["fixed_effects"]()
    df = res.df_inference
    assert res.inference == {"distribution": "t", "df": df}
    row = res.coefficients.loc["x"]
    crit = stats.t.ppf(0.975, df)
    assert row["ci_low"] == pytest.approx(row["estimate"] - crit * row["std_error"])
    assert row["p"] == pytest.approx(2 * stats.t.sf(abs(row["statistic"]), df))
    assert res.fit.params["x"] == pytest.approx(row["estimate"], rel=1e-12)


def test_subgroup_regression_uses_each_groups_df():
    res = FITS["subgroup"]()
    ci = res.conf_int(0.9)
    for g in ("e", "w"):
        row = res.coefficients.loc[(g, "x")]
        crit = stats.t.ppf(0.95, 16)  # 18 rows − 2 coefficients
        assert ci.loc[(g, "x"), "upper"] == pytest.approx(
            row["estimate"] + crit * row["std_error"]
        )


def test_mediation_paths_carry_each_models_df():
    res = FITS["mediation"]()
    assert list(res.params.index) == ["total", "a", "b", "direct"]
    assert res.params["a"] == pytest.approx(res.a)
    assert res.pvalues["b"] == pytest.approx(res.models["outcome"].pvalues["m"])
    effects = res.effects.set_index("effect")
    assert effects.loc["total", "p"] == res.pvalues["total"]


def test_helpers():
    t = coefficient_table(pd.Series({"a": 1.0, "b": -3.0}), [0.5, 1.0], df=None)
    assert t.loc["a", "statistic"] == 2.0
    assert t.loc["a", "p"] == pytest.approx(2 * stats.norm.sf(2.0))
    assert [significance_stars(p) for p in t["p"]] == [2, 3]
    assert inference({"a": 5, "b": np.nan}) == {
        "distribution": "mixed",
        "df": {"a": 5, "b": None},
    }
    cov = pd.DataFrame([[4.0, 0.0], [0.0, -1.0]], index=["a", "b"], columns=["a", "b"])
    from_cov = coefficient_table(pd.Series({"a": 1.0, "b": 1.0}), cov, df=10)
    assert from_cov.loc["a", "std_error"] == 2.0
    assert np.isnan(from_cov.loc["b", "std_error"])  # negative variance: no SE
    with pytest.raises(DataError, match="2 standard errors given for 1"):
        coefficient_table(pd.Series({"a": 1.0}), [1.0, 2.0])
    with pytest.raises(DataError, match="no degrees of freedom"):
        row_df(pd.Index(["c"]), {"a": 3})


# exports of the Results base


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


# --------------------------------------------------------------------------------------
# results that explain themselves: summary(), the notebook view, carried columns
# --------------------------------------------------------------------------------------

_VOID = {"br", "hr", "img", "input", "meta", "link", "col", "wbr"}


class _HTMLCheck(HTMLParser):
    """Python's own parser: every tag closed in order, and which tags appear."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: set[str] = set()
        self.errors: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def _html(res) -> _HTMLCheck:
    check = _HTMLCheck()
    check.feed(res._repr_html_())
    check.close()
    assert check.errors == [] and check.stack == [], (check.errors, check.stack)
    assert check.tags <= {"div", "p", "strong", "small", "table", "thead", "tbody",
                          "tr", "th", "td"}  # fmt: skip
    return check


def _starred(table: pd.DataFrame) -> list[str]:
    return [
        f"{e:.4f}" + "*" * significance_stars(p)
        for e, p in zip(table["estimate"], table["p"], strict=True)
        if np.isfinite(e) and np.isfinite(p)
    ]


def test_every_estimator_shows_starred_coefficients_and_fit(fitted):
    name, res = fitted
    text = Results.summary(res)  # the base rendering every estimator has
    assert STAR_NOTE in text
    for cell in _starred(res.coefficients):
        assert cell in text, (name, cell)
    assert f"nobs: {res.nobs}" in text
    page = "".join(_html(res).text)
    for cell in _starred(res.coefficients):
        assert cell in page, (name, cell)
    assert res.summary() and "..." not in res.summary()


def test_fixed_effects_summary_has_stars_and_fit_statistics():
    res = FITS["fixed_effects"]()
    text = res.summary()
    assert "0.5081**" in text  # x: p = 0.0185 (clustered, t(11))
    assert STAR_NOTE in text and "r2_within" in text
    assert float(res.pvalues["x"]) == pytest.approx(0.0185, abs=5e-5)


def _dea_panel() -> pd.DataFrame:
    from spatialgreen import datasets

    panel = datasets.province_panel()
    return panel[panel["year"].isin([2005, 2006, 2007])].reset_index(drop=True)


def test_efficiency_summary_gives_the_statistics_by_year():
    from spatialgreen.efficiency import dea

    data = _dea_panel()
    res = dea(data, inputs=["capital", "labor"], outputs="gdp",
              unit="province", time="year", rts="vrs")  # fmt: skip
    stats = res._summary_statistics()
    scores = res.scores
    assert stats["units"] == 30 and stats["periods"] == 3
    assert stats["efficient (score >= 1)"] == int((scores["score"] > 1 - 1e-9).sum())
    assert stats["infeasible LPs"] == 0
    (title, table), *_ = res._summary_tables().items()
    assert title == "[scores] by year"
    by_year = scores.groupby("year")["score"]
    np.testing.assert_allclose(table["mean"], by_year.mean())
    np.testing.assert_allclose(table["min"], by_year.min())
    assert table["efficient"].tolist() == [
        int((g > 1 - 1e-9).sum()) for _, g in by_year
    ]
    worst = scores.loc[by_year.idxmin(), "province"].tolist()
    assert table["least efficient"].tolist() == worst
    text = res.summary()
    assert "[scores] by year" in text and "model: dea" in text
    low = scores.loc[scores["score"].idxmin()]
    assert f"minimum score: {low['score']:.4f} ({low['province']}, " in text
    assert "..." not in text and all(u in text for u in worst)  # never truncated
    page = "".join(_html(res).text)
    assert "efficient (score >= 1)" in page and f"{scores['score'].mean():.4f}" in page


def test_efficiency_summary_counts_infeasible_lps():
    from spatialgreen.efficiency import EfficiencyResults

    scores = pd.DataFrame({"unit": ["a", "b", "c"], "score": [1.0, 0.5, np.nan],
                           "status": ["optimal", "optimal", "infeasible"]})  # fmt: skip
    empty = pd.DataFrame({"unit": []})
    res = EfficiencyResults(
        scores, empty, empty, empty, empty, empty,
        scores.loc[[2], ["unit", "status"]], {"unit": "unit", "model": "sbm"},
    )  # fmt: skip
    stats = res._summary_statistics()
    assert stats["infeasible LPs"] == 1 and stats["efficient (score >= 1)"] == 1
    assert stats["minimum score"] == "0.5000 (b)"
    assert "[infeasible] 1 LPs" in res.summary()


def test_productivity_summary_gives_geometric_means_by_period():
    from scipy.stats import gmean

    from spatialgreen.efficiency import productivity_index

    res = productivity_index(
        _dea_panel(), inputs=["capital", "labor"], outputs="gdp", model="dea",
        index="malmquist", unit="province", time="year",
    )  # fmt: skip
    ((title, table),) = res._summary_tables().items()
    assert title == "[index] geometric means by period"
    idx = res.index
    for part in ("index", "ec", "tc", "pech", "sech"):
        expected = [gmean(idx.loc[idx["year"] == y, part]) for y in (2006, 2007)]
        np.testing.assert_allclose(table[part].iloc[:2], expected, rtol=1e-12)
        assert table.loc["all periods", part] == pytest.approx(gmean(idx[part]))
    assert table.index.tolist() == ["2005–2006", "2006–2007", "all periods"]
    # index = EC × TC unit by unit, so the geometric means multiply too
    np.testing.assert_allclose(table["index"], table["ec"] * table["tc"], rtol=1e-9)
    assert res._summary_statistics()["index"] == "Malmquist"
    _html(res)


def test_summaries_of_other_results_print_their_statistics():
    from spatialgreen.convergence import markov, theil

    data = _dea_panel()
    res = markov(data, "gdp", unit="province", time="year", k=3)
    text = res.summary()
    assert "[transitions] P(to | from)" in text and "[steady_state]" in text
    matrix = res.matrix()
    assert f"{matrix.iloc[0, 0]:.4f}" in text
    t = theil(data, "gdp", group="region", time="year")
    assert f"{t.totals['theil'].iloc[0]:.4f}" in t.summary()
    _html(res)
    _html(t)


def test_notebook_view_escapes_names_and_values():
    @dataclasses.dataclass(frozen=True)
    class R(Results):
        scores: pd.DataFrame
        meta: dict

    hostile = '</td><script>alert(1)</script>"><img src=x onerror=alert(1)>'
    res = R(
        pd.DataFrame({"unit": [hostile, "b"], hostile: [1.0, 2.0]}),
        {"unit": "unit", "model": hostile},
    )
    page = res._repr_html_()
    check = _html(res)  # no script or img element: only the view's own tags
    assert "<script" not in page and "<img" not in page
    assert "".join(check.text).count(hostile) == 3  # model, a unit and a column
    assert hostile in res.summary()


# carried columns ---------------------------------------------------------------------


def test_carry_columns_keeps_user_columns_names_and_groupings():
    data = pd.DataFrame(
        {"unit": ["北京", "山西", "北京", "山西"], "year": [1, 1, 2, 2],
         "地区": ["东部", "中部", "东部", "中部"], "policy": [0, 0, 1, 0]}
    )  # fmt: skip
    before = data.copy()
    table = pd.DataFrame(
        {"unit": ["山西", "北京"], "year": [2, 2], "score": [0.4, 1.0]}
    )
    table_before = table.copy()
    out = carry_columns(table, data, keep=("地区", "policy"), names=True,
                        time="year", groups=("region3", "region4"))  # fmt: skip
    assert out.columns.tolist() == [
        "unit", "year", "地区", "policy", "adcode", "name_zh", "name_en",
        "region3", "region4", "score",
    ]  # fmt: skip
    assert out["地区"].tolist() == ["中部", "东部"]
    assert out["policy"].tolist() == [0, 1]  # varies over time: matched on the year
    assert out["adcode"].tolist() == [140000, 110000]
    assert out["name_en"].tolist() == ["Shanxi", "Beijing"]
    assert out["region3"].tolist() == ["central", "east"]
    assert out["score"].tolist() == [0.4, 1.0]
    pd.testing.assert_frame_equal(data, before)  # inputs never change
    pd.testing.assert_frame_equal(table, table_before)


def test_carry_columns_never_overwrites_and_names_what_is_wrong():
    data = pd.DataFrame({"unit": ["北京", "北京"], "year": [1, 2], "v": [1, 2]})
    table = pd.DataFrame({"unit": ["北京"], "score": [1.0]})
    with pytest.raises(DataError, match=r"\['score'\] are already"):
        carry_columns(table, data.assign(score=0), keep="score")
    with pytest.raises(DataError, match="keep='nope'"):
        carry_columns(table, data, keep="nope")
    with pytest.raises(DataError, match=r"changes over time within units \['北京'\]"):
        carry_columns(table, data, keep="v")  # no time column to match on
    with pytest.raises(DataError, match=r"'yrd26' is not defined .*\(province"):
        carry_columns(table, groups="yrd26")
    from spatialgreen.errors import UnmatchedUnitError

    with pytest.raises(UnmatchedUnitError):
        carry_columns(pd.DataFrame({"unit": ["Atlantis"]}), names=True)
    codes = carry_columns(pd.DataFrame({"unit": [110000]}), names=True)
    assert codes.columns.tolist() == ["unit", "name_zh", "name_en"]  # no 2nd adcode


def test_results_carry_a_region_column_through_every_unit_table():
    from spatialgreen.efficiency import sbm

    data = _dea_panel()
    res = sbm(data, inputs=["capital", "labor"], outputs="gdp", bad_outputs="co2",
              unit="province", time="year")  # fmt: skip
    out = res.with_columns(data, keep="region", names=True)
    for name in ("scores", "slacks", "targets", "peers", "decomposition"):
        table = getattr(out, name)
        assert table.columns[:6].tolist() == [
            "province",
            "year",
            "region",
            "adcode",
            "name_zh",
            "name_en",
        ], name
        expected = table["province"].map(
            data.drop_duplicates("province").set_index("province")["region"]
        )
        assert table["region"].tolist() == expected.tolist()
    pd.testing.assert_series_equal(out.score, res.score)
    assert "region" not in res.scores  # the original results are unchanged
    means = out.scores.groupby("region")["score"].mean()  # grouping without a merge
    assert set(means.index) == {"east", "central", "west"}


def test_cli_group_takes_a_builtin_grouping(tmp_path):
    from spatialgreen.cli import main

    panel = _dea_panel()[["province", "year", "gdp"]]
    panel.to_csv(tmp_path / "p.csv", index=False)
    out = tmp_path / "theil.xlsx"
    argv = ["converge", str(tmp_path / "p.csv"), "--unit", "province", "--time",
            "year", "--column", "gdp", "--what", "theil", "--group", "region4",
            "--output", str(out)]  # fmt: skip
    assert main(argv) == 0
    groups = pd.read_excel(out, sheet_name="theil_groups")
    assert sorted(groups["group"].unique()) == ["central", "east", "northeast", "west"]
    # the same numbers as with the grouping added by hand
    from spatialgreen.convergence import theil

    by_hand = theil(carry_columns(panel, unit="province", groups="region4"), "gdp",
                    group="region4", time="year")  # fmt: skip
    np.testing.assert_allclose(groups["theil"], by_hand.groups["theil"])
    assert main([*argv[:-4], "--group", "nowhere", "--output", str(out)]) != 0
