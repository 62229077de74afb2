"""Bad and awkward inputs across every family (issue 15: nothing silently wrong).

Each case either

* asserts a clear error (a :class:`SpatialGreenError` subclass, or a one-line CLI
  message with exit code 2) whose message names the unit, year, column or option
  at fault — and, because the call raises, that no result is returned; or
* asserts a warning *and* checks the result it comes with against an independent
  computation (scipy, statsmodels, numpy, a closed form or a separate run).

Every frame given to a function is hashed before and after the call: inputs are
never mutated, whether the call succeeds, warns or raises. Families: panel files,
unit names, efficiency, SFA, spatial, decoupling, convergence, econometrics, maps
and exports, CLI.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from _helpers import untouched
from libpysal.weights import lat2W
from scipy import optimize, stats

import spatialgreen as sg
from spatialgreen.errors import (
    DataError,
    ModelError,
    OptionError,
    PanelError,
    SpatialGreenError,
    SpatialGreenWarning,
    UnmatchedUnitError,
    WeightsError,
)

# ------------------------------------------------------------------------ helpers


def refused(
    call: Callable[[], Any],
    error: type[BaseException],
    match: str,
    *frames: pd.DataFrame,
) -> BaseException:
    """``call()`` raises ``error`` matching ``match`` (never returns a result) and
    leaves ``frames`` untouched; the error is a SpatialGreenError."""
    with untouched(*frames), pytest.raises(error, match=match) as info:
        result = call()
        pytest.fail(f"a result was returned for refused input: {result!r}")
    assert isinstance(info.value, SpatialGreenError), type(info.value)
    return info.value


def warned(
    call: Callable[[], Any], match: str, *frames: pd.DataFrame
) -> tuple[Any, list[warnings.WarningMessage]]:
    """``call()`` warns (a SpatialGreenWarning matching ``match``), leaves ``frames``
    untouched and returns its result with the warnings."""
    with untouched(*frames), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call()
    ours = [w for w in caught if issubclass(w.category, SpatialGreenWarning)]
    assert any(re.search(match, str(w.message)) for w in ours), [
        str(w.message) for w in caught
    ]
    return result, ours


def _grid_panel(n_side: int = 4, years: int = 6, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = n_side * n_side
    frame = pd.DataFrame(
        {
            "unit": np.tile(np.arange(n), years),
            "year": np.repeat(np.arange(2010, 2010 + years), n),
            "x1": rng.normal(size=n * years),
        }
    )
    frame["y"] = 1.0 + frame["x1"] + rng.normal(size=n * years)
    return frame


# ------------------------------------------------------------------- panel files


def _write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "panel.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_years_written_as_text_are_read_with_a_warning(tmp_path):
    path = _write(tmp_path, "unit,year,x\n北京,2010,1\n北京,2012年,2\n天津,2010,3\n")
    df, _ = warned(
        lambda: sg.read_panel(path, unit="unit", time="year", columns=["x"]),
        "'2012年' → 2012",
    )
    assert df["year"].tolist() == [2010, 2012, 2010]  # what the file says
    assert pd.api.types.is_integer_dtype(df["year"])


def test_a_year_column_mixing_numbers_and_other_text_is_refused(tmp_path):
    path = _write(tmp_path, "unit,year,x\n北京,2010,1\n北京,twenty,2\n")
    refused(
        lambda: sg.read_panel(path, unit="unit", time="year", columns=["x"]),
        DataError,
        "'twenty'",
    )


def test_utf16_export_reads_like_utf8(tmp_path):
    frame = pd.DataFrame(
        {"unit": ["北京", "天津"], "year": [2010, 2010], "x": [1.5, 2]}
    )
    path = tmp_path / "u16.csv"
    frame.to_csv(path, index=False, encoding="utf-16")
    got = sg.read_panel(path, unit="unit", time="year", columns=["x"])
    pd.testing.assert_frame_equal(got, frame, check_dtype=False)


def test_key_whitespace_is_stripped_with_a_warning(tmp_path):
    path = _write(tmp_path, "unit,year,x\n北京 ,2010,1\n北京,2011,2\n")
    df, _ = warned(
        lambda: sg.read_panel(path, unit="unit", time="year", columns=["x"]), "北京"
    )
    assert df["unit"].tolist() == ["北京", "北京"]  # one unit, not two


def test_duplicate_keys_and_bad_cells_name_unit_year_and_column():
    dup = pd.DataFrame({"unit": ["a", "a"], "year": [2010, 2010], "x": [1.0, 2]})
    refused(
        lambda: sg.validate_panel(dup, unit="unit", time="year", columns=["x"]),
        PanelError,
        r"a.*2010",
        dup,
    )
    text = pd.DataFrame({"unit": ["a", "b"], "year": [2010, 2010], "x": [1.0, "n/a"]})
    error = refused(
        lambda: sg.validate_panel(text, unit="unit", time="year", columns=["x"]),
        DataError,
        "'x'",
        text,
    )
    assert "b" in str(error) and "2010" in str(error)


# -------------------------------------------------------------------- unit names


@pytest.mark.parametrize(
    ("district", "wrong"),
    [("朝阳区", 211300), ("西安区", 610100), ("大同区", 140200), ("兴安区", 152200)],
)
def test_a_district_never_matches_a_prefecture_of_a_similar_name(district, wrong):
    got = sg.match_units([district], level="city", errors="coerce")
    assert got[0] != wrong
    with pytest.raises(UnmatchedUnitError, match=district):
        sg.match_units([district], level="city")


def test_pinyin_without_spaces_is_matched():
    assert sg.match_units(["Neimenggu", "Nei Mongol", "内蒙古"]) == [150000] * 3


def test_one_unit_under_two_spellings_is_warned_about():
    df = pd.DataFrame(
        {
            "unit": ["内蒙古", "内蒙古自治区", "北京", "北京"],
            "year": [2010, 2011, 2010, 2011],
            "x": [1.0, 2, 3, 4],
        }
    )
    warned(
        lambda: sg.validate_panel(df, unit="unit", time="year", columns=["x"]),
        "'内蒙古' .*'内蒙古自治区'",
        df,
    )
    # matched to adcodes, the two spellings are one unit (independent route)
    assert len(set(sg.match_units(df["unit"]))) == 2


def test_join_units_never_replaces_a_user_column():
    df = pd.DataFrame({"unit": ["北京", "天津"], "type": ["A", "B"], "v": [1.0, 2]})
    with untouched(df):
        try:
            joined = sg.join_units(df, unit="unit")
        except SpatialGreenError as error:  # refusing, naming the column, is fine
            assert "type" in str(error)
            return
    rows = joined.loc[joined["v"].notna()].sort_values("v")
    assert rows["type"].tolist() == ["A", "B"]  # the user's values, under their name


# -------------------------------------------------------------------- efficiency


EFF = {"inputs": "x", "outputs": "y", "bad_outputs": "b"}


def _three_units() -> pd.DataFrame:
    return pd.DataFrame(
        {"unit": list("ABC"), "x": [1.0, 1, 1], "y": [7.0, 5, 3], "b": [2.0, 5, 2]}
    )


def _ddf_by_linprog(frame: pd.DataFrame, o: int) -> float:
    """Radial DDF, CRS, weak bads, g = (0, y_o, b_o): max β by scipy."""
    x, y, b = (frame[c].to_numpy() for c in ("x", "y", "b"))
    n = len(frame)
    cost = np.r_[-1.0, np.zeros(n)]  # variables: β, λ
    a_ub = [np.r_[0.0, x], np.r_[y[o], -y]]  # Xλ ≤ x_o; y_o(1+β) ≤ Yλ
    b_ub = [x[o], -y[o]]
    a_eq, b_eq = [np.r_[b[o], b]], [b[o]]  # Bλ = b_o(1 − β)
    bounds = [(None, None)] + [(0, None)] * n
    res = optimize.linprog(cost, a_ub, b_ub, a_eq, b_eq, bounds=bounds)
    return float(res.x[0])


def test_ddf_score_means_efficiency_checked_against_linprog():
    frame = _three_units()
    with untouched(frame):
        res = sg.ddf(frame, **EFF)
    beta = [_ddf_by_linprog(frame, o) for o in range(3)]
    np.testing.assert_allclose(res.scores["beta"], beta, atol=1e-8)
    np.testing.assert_allclose(res.scores["score"], 1 / (1 + np.array(beta)), atol=1e-8)
    assert res.scores["score"].max() == pytest.approx(1.0)  # 1 = frontier, as SBM


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"x": [1.0, -1.0, 1.0]}, r"'x'.*B|B.*'x'"),
        ({"y": [7.0, np.nan, 3.0]}, r"'y'.*B|B.*'y'"),
    ],
)
def test_efficiency_data_errors_name_column_and_unit(change, match):
    frame = _three_units().assign(**change)
    refused(lambda: sg.sbm(frame, **EFF), DataError, match, frame)


def test_efficiency_option_errors_name_the_option():
    frame = _three_units()
    refused(lambda: sg.sbm(frame, **EFF, rts="bogus"), ModelError, "bogus", frame)
    refused(
        lambda: sg.ddf(frame, **EFF, disposability="weakest"),
        ModelError,
        "disposability",
        frame,
    )


def test_productivity_gap_warns_and_the_rest_matches_separate_global_runs():
    rng = np.random.default_rng(4)
    rows = [
        (u, t, rng.uniform(1, 2), rng.uniform(1, 3), rng.uniform(1, 2))
        for u in "pqrs"
        for t in range(2015, 2019)
    ]
    data = pd.DataFrame(rows, columns=["unit", "year", "x", "y", "b"])
    data = data[~((data["unit"] == "p") & (data["year"] == 2016))]
    kw = {**EFF, "time": "year"}
    res, _ = warned(
        lambda: sg.productivity_index(data, model="sbm", index="gml", **kw),
        "'p' lacks 2016",
        data,
    )
    # independent: the global SBM scores of one static run, as ratios
    glob = sg.sbm(data, **kw, technology="global").scores.set_index(["unit", "year"])
    for row in res.index.itertuples():
        expected = (
            glob.loc[(row.unit, row.year), "score"]
            / glob.loc[(row.unit, row.prev_time), "score"]
        )
        assert row.index == pytest.approx(expected, rel=1e-8)
    assert set(res.index.loc[res.index["unit"] == "p", "year"]) == {2018}
    assert res.meta["gaps"] == {"p": [2016]}


# --------------------------------------------------------------------------- SFA


def test_sfa_wrong_skew_warns_and_quotes_the_scipy_skewness():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, 200)
    frame = pd.DataFrame({"y": 1 + x + np.abs(rng.normal(0, 0.3, 200)), "x": x})
    res, _ = warned(
        lambda: sg.sfa(frame, y="y", x=["x"], log=False), "right-skewed", frame
    )
    resid = frame["y"] - np.polyval(np.polyfit(x, frame["y"], 1), x)
    assert res.meta["ols_skewness"] == pytest.approx(stats.skew(resid), rel=1e-9)
    assert res.params["gamma"] < 1e-3  # the ML answer: no inefficiency


def test_sfa_refusals_name_the_fault():
    rng = np.random.default_rng(1)
    k = rng.uniform(1, 10, 80)
    frame = pd.DataFrame({"unit": range(80), "year": 2015, "k": k, "k2": 2 * k})
    frame["q"] = np.exp(0.5 + 0.6 * np.log(k) - np.abs(rng.normal(0, 0.3, 80)))
    refused(
        lambda: sg.sfa(frame, y="q", x=["k"], model="bc92", unit="unit", time="year"),
        ModelError,
        "at least 2 periods of 'year'",
        frame,
    )
    refused(
        lambda: sg.sfa(frame.assign(k2=frame["k"] ** 2), y="q", x=["k", "k2"]),
        DataError,
        "collinear",
        frame,
    )
    bad = frame.assign(k=frame["k"].where(frame.index != 3, -1.0))
    refused(lambda: sg.sfa(bad, y="q", x=["k"]), DataError, "'k'", bad)


# ----------------------------------------------------------------------- spatial


@pytest.mark.parametrize(
    ("func", "option", "value"),
    [
        ("moran_by_year", "permutations", -5),
        ("geary_by_year", "permutations", -1),
        ("moran_by_year", "seed", -1),
        ("lisa", "alpha", 1.5),
        ("lisa", "permutations", 2.5),
        ("local_g", "alpha", 0.0),
    ],
)
def test_inference_options_out_of_range_are_refused(func, option, value):
    """permutations=-5 used to report p = 1.0."""
    frame = _grid_panel()
    call = getattr(sg, func)
    refused(
        lambda: call(frame, "y", w=lat2W(4, 4), unit="unit", **{option: value}),
        OptionError,
        rf"{option}={re.escape(repr(value))}",
        frame,
    )


@pytest.mark.parametrize("model", ["ols", "slx", "sar", "sem", "sdm"])
def test_collinear_cross_section_is_refused_naming_both_columns(model):
    frame = _grid_panel(years=1).assign(x2=lambda d: 2 * d["x1"])
    refused(
        lambda: sg.spatial_regression(
            frame, y="y", x=["x1", "x2"], w=lat2W(4, 4), unit="unit", model=model
        ),
        ModelError,
        "'x1', 'x2'",
        frame,
    )


def test_spatial_panel_refusals_name_the_fault():
    frame = _grid_panel().assign(x2=lambda d: 2 * d["x1"])
    kw = {"y": "y", "w": lat2W(4, 4), "draws": 0}
    refused(
        lambda: sg.spatial_panel(frame, x=["x1", "x2"], effects="twoway", **kw),
        ModelError,
        "'x1', 'x2'",
        frame,
    )
    refused(
        lambda: sg.spatial_panel(frame, x=["x1"], demean="stata", **kw),
        OptionError,
        "demean='stata'",
        frame,
    )
    short = frame[frame["unit"] != 3]
    refused(lambda: sg.spatial_panel(short, x=["x1"], **kw), WeightsError, "3", short)


def test_spatial_panel_demeaning_orders_agree_where_they_must():
    """An awkward-but-valid choice: with unit effects the splm and Elhorst orders
    are the same estimator (Q and W commute), checked on one panel."""
    frame = _grid_panel()
    kw = {"y": "y", "x": ["x1"], "w": lat2W(4, 4), "draws": 0, "effects": "unit"}
    with untouched(frame):
        a = sg.spatial_panel(frame, demean="elhorst", **kw).params
        b = sg.spatial_panel(frame, demean="splm", **kw).params
    np.testing.assert_allclose(a, b, rtol=1e-6)  # the optimiser's tolerance


# -------------------------------------------------------------------- decoupling


def test_tapio_score_at_exactly_1_2_agrees_with_its_state():
    frame = pd.DataFrame(
        {
            "unit": ["a", "a", "b", "b"],
            "year": [2010, 2011] * 2,
            "gdp": [100.0, 125.0, 100.0, 125.0],
            "co2": [100.0, 130.0, 100.0, 127.5],  # e = 1.2 and e = 1.1
        }
    )
    with untouched(frame):
        res = sg.tapio(frame, driver="gdp", indicator="co2", kind="benefit")
    res = res.set_index("unit")
    assert res.loc["a", "elasticity"] == 1.2
    assert res.loc["a", "state"] == res.loc["b", "state"] == "expansive coupling"
    # closed form of the YRD scale for e = 1.1: ⌊1.1 / 0.2⌋ + 5 = 10
    assert res.loc["a", "score"] == res.loc["b", "score"] == 10


def test_tapio_refusals_name_the_fault():
    frame = pd.DataFrame(
        {"unit": ["a", "a"], "year": [2010, 2011], "gdp": [100.0, -5], "co2": [1.0, 2]}
    )
    refused(
        lambda: sg.tapio(frame, driver="gdp", indicator="co2"),
        DataError,
        "'gdp'",
        frame,
    )
    ok = frame.assign(gdp=[100.0, 120])
    refused(
        lambda: sg.tapio(ok, driver="gdp", indicator="co2", band=(1.2, 0.8)),
        DataError,
        "band",
        ok,
    )


# ------------------------------------------------------------------- convergence


def test_club_convergence_on_three_periods_is_refused():
    rng = np.random.default_rng(2)
    frame = pd.DataFrame(
        {
            "unit": np.repeat(np.arange(8), 3),
            "year": np.tile([2019, 2020, 2021], 8),
            "x": rng.uniform(1, 2, 24),
        }
    )
    refused(
        lambda: sg.club(frame, "x"),
        DataError,
        r"'year' has 3 periods.*at least 9",
        frame,
    )
    refused(lambda: sg.log_t(frame, "x", r=1.5), OptionError, "r=1.5", frame)


# ------------------------------------------------------------------ econometrics


def test_fixed_effects_drops_missing_rows_with_a_warning_and_right_numbers():
    import statsmodels.formula.api as smf

    frame = sg.datasets.example_panel()
    frame = frame.assign(x2=frame["x2"].where(frame.index % 37 != 0))
    n_missing = int(frame["x2"].isna().sum())
    res, _ = warned(
        lambda: sg.fixed_effects(frame, y="y", x=["x1", "x2"]),
        rf"dropped {n_missing} of {len(frame)} rows .*'x2': {n_missing}",
        frame,
    )
    # independent: least-squares dummy variables on the complete rows
    lsdv = smf.ols("y ~ x1 + x2 + C(unit) + C(year)", data=frame.dropna()).fit()
    np.testing.assert_allclose(
        res.params[["x1", "x2"]], lsdv.params[["x1", "x2"]], rtol=1e-9
    )
    assert res.nobs == len(frame) - n_missing


def test_fixed_effects_refusals_name_the_fault():
    frame = sg.datasets.example_panel()
    doubled = frame.assign(x3=2 * frame["x1"])
    refused(
        lambda: sg.fixed_effects(doubled, y="y", x=["x1", "x3"]),
        ModelError,
        "collinear",
        doubled,
    )
    refused(
        lambda: sg.fixed_effects(frame, y="y", x="x1", min_clusters=0, cluster="unit"),
        OptionError,
        "min_clusters=0",
        frame,
    )
    refused(lambda: sg.fixed_effects(frame, y="y", x=["y"]), ModelError, "'y'", frame)


# --------------------------------------------------------------- maps and exports


HOSTILE = "${alert(1)}`+alert(2)+`</script><img src=x onerror=alert(3)>"
_JSON_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')


def test_hostile_point_labels_never_become_code():
    frame = pd.DataFrame(
        {"lon": [120.1, 121.4], "lat": [30.2, 31.2], "n": [HOSTILE, "b"]}
    )
    with untouched(frame):
        page = sg.maps.points(frame, label="n").get_root().render()
    assert "<img" not in page.lower()
    for code in re.findall(r"<script[^>]*>(.*?)</script>", page, flags=re.S):
        outside = _JSON_STRING.sub('""', code)  # user text may only live in strings
        assert "${" not in outside and "alert(" not in outside and "`" not in outside
    # the label is still there, as text (independent decode of the JSON strings)
    texts = [json.loads(s) for s in _JSON_STRING.findall(page) if "alert(1)" in s]
    assert any("alert(1)" in t for t in texts)


def test_formula_text_is_neutralised_in_csv_and_xlsx_exports(tmp_path):
    """Unit names that start a formula reach CSV with a leading ' and XLSX as text
    cells, never as live formulas; numbers (and number-like text) are untouched."""
    import openpyxl

    frame = _three_units().assign(unit=['=HYPERLINK("http://x")', "-5", "北京"])
    with untouched(frame):
        res = sg.ddf(frame, **EFF)
        res.to_csv(tmp_path, prefix="ddf_")
        res.to_excel(tmp_path / "ddf.xlsx")
    scores = pd.read_csv(tmp_path / "ddf_scores.csv", dtype=str, encoding="utf-8-sig")
    assert scores["unit"].tolist() == ['\'=HYPERLINK("http://x")', "-5", "北京"]
    np.testing.assert_allclose(scores["score"].astype(float), res.scores["score"])
    sheet = openpyxl.load_workbook(tmp_path / "ddf.xlsx")["scores"]
    header = [c.value for c in sheet[1]]
    cells = [row[header.index("unit")] for row in sheet.iter_rows(min_row=2)]
    assert all(c.data_type != "f" for c in cells)  # never a live formula
    assert cells[0].value.lstrip("'") == '=HYPERLINK("http://x")'


# --------------------------------------------------------------------------- CLI


@pytest.fixture()
def grid_csv(tmp_path):
    frame = _grid_panel().assign(unit=lambda d: "c" + d["unit"].astype(str))
    path = tmp_path / "grid.csv"
    frame.to_csv(path, index=False)
    import libpysal

    named = libpysal.weights.W(
        {f"c{i}": [f"c{j}" for j in lat2W(4, 4).neighbors[i]] for i in range(16)}
    )
    gal = tmp_path / "grid.gal"
    out = libpysal.io.open(str(gal), "w")
    out.write(named)
    out.close()
    return path, gal


def _cli(argv: list[str], capsys) -> tuple[int, str]:
    """Exit code and stderr, whether argparse or the handler refuses."""
    from spatialgreen.cli import main

    try:
        code = main(argv)
    except SystemExit as exc:  # argparse: a type or choice error
        code = int(exc.code or 0)
    return code, capsys.readouterr().err


def test_cli_option_errors_are_in_cli_terms_and_write_nothing(
    grid_csv, tmp_path, capsys
):
    path, gal = grid_csv
    out = tmp_path / "moran.csv"
    base = ["moran", str(path), "--column", "y", "--unit", "unit", "--time", "year"]
    base += ["--weights-file", str(gal), "-o", str(out)]
    code, err = _cli([*base, "--permutations", "-5"], capsys)
    assert code == 2 and "--permutations" in err and "permutations=" not in err
    assert not out.exists()


def test_cli_islands_and_bins_are_named_as_flags(grid_csv, tmp_path, capsys):
    path, _ = grid_csv
    out = tmp_path / "m.csv"
    argv = ["moran", str(path), "--column", "y", "--unit", "unit", "--time", "year"]
    argv += ["--weights", "queen", "--level", "province", "--islands", "bogus"]
    argv += ["-o", str(out)]
    code, err = _cli(argv, capsys)
    assert code == 2 and "--islands" in err and "islands=" not in err
    html = tmp_path / "m.html"
    argv = ["map", str(path), "--column", "y", "--unit", "unit", "--bins", "1,a"]
    argv += ["-o", str(html)]
    code, err = _cli(argv, capsys)
    assert code == 2 and "--bins" in err
    assert not html.exists()


def test_cli_data_errors_name_the_column(grid_csv, tmp_path, capsys):
    path, gal = grid_csv
    out = tmp_path / "moran.csv"
    argv = ["moran", str(path), "--column", "nope", "--unit", "unit", "--time", "year"]
    argv += ["--weights-file", str(gal), "-o", str(out)]
    code, err = _cli(argv, capsys)
    assert code == 2 and "'nope'" in err and len(err.strip().splitlines()) <= 2
    assert not out.exists()


def test_markov_needs_two_classes():
    from spatialgreen.convergence import markov
    from spatialgreen.errors import OptionError

    panel = pd.DataFrame(
        {"u": np.repeat(range(9), 3), "t": np.tile([1, 2, 3], 9), "y": range(27)}
    )
    before = panel.copy()
    for k in (0, 1):
        with pytest.raises(OptionError, match="k="):
            markov(panel, "y", unit="u", time="t", k=k)
    pd.testing.assert_frame_equal(panel, before)
