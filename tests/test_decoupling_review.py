"""Review tests: catch-up decoupling must not drop units or stages silently."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from spatialgreen.decoupling import catch_up
from spatialgreen.errors import DataError


def _panel() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit": list("mmmxxxyyy"),
            "year": [2005, 2006, 2007] * 3,
            "gdp": [100.0, 200, 300, 50, 180, 200, 60, 70, 90],
            "ep": [10.0, 20, 30, 5, 12, 13, 6, 7, 8],
            "grp": ["g"] * 6 + ["h"] * 3,
        }
    )


def test_unit_missing_in_the_stage_year_is_an_error_not_dropped() -> None:
    # y enters the panel in 2006: its Chenery/table stage in 2005 is unknown, so
    # it used to vanish silently from the catch-up table
    df = _panel()
    df = df[~((df["unit"] == "y") & (df["year"] == 2005))]
    one_stage = pd.DataFrame({"stage": ["s"], "lower": [0.0], "upper": [np.inf]})
    with pytest.raises(DataError, match=r"unit y .*stage year year=2005"):
        catch_up(df, driver="gdp", indicator="ep", stages=one_stage)
    # staged in a year where every unit is observed, y is listed
    res = catch_up(df, driver="gdp", indicator="ep", stages=one_stage, stage_year=2006)
    assert set(res["unit"]) == {"x", "y"}


def test_single_model_unit_with_several_stages_is_a_clear_error() -> None:
    # used to fail with "model unit(s) lack data for period(s): nan (...)"
    with pytest.raises(DataError, match=r"one unit \('m'.*stage\(s\) 'h'"):
        catch_up(
            _panel(),
            driver="gdp",
            indicator="ep",
            stages="grp",
            models="m",
            periods=["2005-2007"],
        )
    one_group = _panel().assign(grp="g")
    res = catch_up(
        one_group,
        driver="gdp",
        indicator="ep",
        stages="grp",
        models="m",
        periods=["2005-2007"],
    )
    assert set(res["model"]) == {"m"} and set(res["unit"]) == {"x", "y"}


def test_period_tuples_of_strings_match_integer_years() -> None:
    from spatialgreen.decoupling import tapio

    df = _panel()
    by_text = tapio(df, driver="gdp", indicator="ep", periods=[("2005", "2007")])
    by_int = tapio(df, driver="gdp", indicator="ep", periods=[(2005, 2007)])
    pd.testing.assert_frame_equal(by_text, by_int)
    assert by_int["period"].tolist() == ["2005-2007"] * 3


def test_stage_column_unit_missing_in_the_stage_year_is_still_ordinary() -> None:
    # used to raise a bare KeyError "['y'] not in index"
    df = _panel().assign(grp="g")
    df = df[~((df["unit"] == "y") & (df["year"] == 2005))]
    res = catch_up(df, driver="gdp", indicator="ep", stages="grp")
    assert set(res["model"]) == {"m"}
    y = res[res["unit"] == "y"]
    assert y["period"].tolist() == ["2006-2007"]
    # gaps to m: economic |300-90|/|200-70| - 1, green |8-30|/|7-20| - 1
    assert y["economic_gap_change"].item() == pytest.approx(210 / 130 - 1)
    assert y["green_gap_change"].item() == pytest.approx(22 / 13 - 1)


def test_elasticity_outside_a_user_score_table_is_flagged() -> None:
    from spatialgreen.decoupling import tapio

    df = pd.DataFrame(
        {
            "unit": ["a", "a", "b", "b"],
            "year": [2005, 2010] * 2,
            "gdp": [100.0, 200.0, 100.0, 200.0],
            "co2": [10.0, 15.0, 10.0, 50.0],
        }
    )
    table = pd.DataFrame({"lower": [0.0, 1.0], "upper": [1.0, 2.0], "score": [1, 2]})
    res = tapio(df, driver="gdp", indicator="co2", scores=table).set_index("unit")
    assert res.loc["a", "score"] == 1 and res.loc["a", "flag"] == ""
    # e = 4 lies above the table: the score is missing and the flag says why
    assert np.isnan(res.loc["b", "score"])
    assert res.loc["b", "flag"] == "elasticity outside the score table"


def test_stage_table_rows_in_any_order() -> None:
    # a table listed from the highest stage down used to misplace every unit
    df = _panel()
    table = pd.DataFrame(
        {"stage": ["rich", "poor"], "lower": [80.0, 0.0], "upper": [np.inf, 80.0]}
    )
    res = catch_up(df, driver="gdp", indicator="ep", stages=table)
    ordered = catch_up(df, driver="gdp", indicator="ep", stages=table.iloc[::-1].copy())
    pd.testing.assert_frame_equal(res, ordered)
    # m (100 in 2005) is alone in "rich"; x (50) and y (60) are "poor"
    assert set(res["stage"]) == {"poor"} and set(res["unit"]) == {"x"}
    assert set(res["model"]) == {"y"}
