"""One coefficient interface for every estimator (spatialgreen.results).

Each estimator is fitted on small data; its ``coefficients`` table must have the
common layout and the accessors (``params``, ``std_errors``, ``tstats``,
``pvalues``, ``conf_int``, ``nobs``) must agree with it, and a regression table
must accept it.
"""

from __future__ import annotations

import dataclasses
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
    Results,
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
