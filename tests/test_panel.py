"""The panel layer: real bad files, precise messages, no mutation, fuzzed reader."""

from __future__ import annotations

import string
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spatialgreen import DataError, PanelError, UnmatchedUnitError
from spatialgreen._io import read_table, write_table
from spatialgreen.errors import SpatialGreenWarning
from spatialgreen.panel import balance_panel, read_panel, unify_units, validate_panel

BAD = Path(__file__).parent / "data" / "bad"


def test_duplicates_named_by_unit_and_year():
    with pytest.raises(
        PanelError,
        match=r"duplicate \(省份, 年份\) rows: 省份=北京, 年份=2020 \(2 rows\)",
    ):
        read_panel(BAD / "duplicates.csv", unit="省份", time="年份", columns=["劳动"])


def test_text_in_numeric_column_lists_every_cell():
    with pytest.raises(DataError) as info:
        read_panel(
            BAD / "text_in_numeric.csv",
            unit="province",
            time="year",
            columns=["labor", "capital"],
        )
    msg = str(info.value)
    assert "column 'labor'" in msg
    assert "province=Beijing, year=2020: 'n/a?'" in msg
    assert "text_in_numeric.csv" in msg


def test_text_in_second_column_found_after_first_is_clean():
    with pytest.raises(
        DataError,
        match=r"column 'capital' has non-numeric cells: "
        r"province=Tianjin, year=2020: 'abc'",
    ):
        read_panel(
            BAD / "text_in_numeric.csv",
            unit="province",
            time="year",
            columns=["capital"],
        )


@pytest.mark.parametrize("name", ["negatives.csv", "negatives.xlsx"])
def test_non_positive_values_named(name):
    with pytest.raises(DataError) as info:
        read_panel(
            BAD / name,
            unit="province",
            time="year",
            columns=["labor", "capital"],
            positive=["labor", "capital"],
        )
    msg = str(info.value)
    assert "must be > 0" in msg
    if name.endswith(".xlsx"):
        assert "province=Tianjin, year=2019 (-50)" in msg
    else:
        assert "province=Beijing, year=2020 (-5)" in msg
        assert "province=Tianjin, year=2019 (0)" in msg


def test_nonnegative_allows_zero_but_not_negative():
    df = read_table(BAD / "negatives.csv")
    with pytest.raises(DataError, match=r"must be >= 0.*Beijing, year=2020 \(-5\)"):
        validate_panel(df, unit="province", time="year", nonnegative=["capital"])


def test_missing_values_listed_by_unit_and_year():
    with pytest.raises(
        DataError, match=r"'labor' has missing values at: province=Beijing, year=2020"
    ):
        read_panel(BAD / "missing.csv", unit="province", time="year", columns=["labor"])
    df = read_panel(
        BAD / "missing.csv",
        unit="province",
        time="year",
        columns=["labor", "capital"],
        allow_missing=True,
    )
    assert df["capital"].isna().sum() == 1


def test_gaps_reported_and_enforced():
    df = read_table(BAD / "gaps.csv")
    info = validate_panel(df, unit="province", time="year")
    assert not info.balanced
    assert info.missing_cells.values.tolist() == [["Beijing", 2019]]
    assert info.gaps.values.tolist() == [["Beijing", "2019"]]
    with pytest.raises(PanelError, match=r"province=Beijing: missing year 2019"):
        validate_panel(df, unit="province", time="year", require_consecutive=True)
    with pytest.raises(
        PanelError, match=r"unbalanced panel: 1 .*province=Beijing, year=2019"
    ):
        validate_panel(df, unit="province", time="year", require_balanced=True)


def test_calendar_gap_shared_by_all_units():
    df = pd.DataFrame(
        {"u": ["a", "a", "b", "b"], "t": [2000, 2002, 2000, 2002], "x": 1.0}
    )
    info = validate_panel(df, unit="u", time="t")
    assert info.balanced
    assert info.gaps.values.tolist() == [["(all units)", "2001"]]


def test_unbalanced_parquet_and_balancing():
    df = read_panel(
        BAD / "unbalanced.parquet", unit="省份", time="年份", columns=["劳动"]
    )
    info = validate_panel(df, unit="省份", time="年份")
    assert (info.n_units, info.n_periods, info.balanced) == (2, 2, False)
    balanced = balance_panel(df, unit="省份", time="年份")
    assert balanced["省份"].unique().tolist() == ["北京"]
    common = balance_panel(df, unit="省份", time="年份", how="common_periods")
    assert common["年份"].unique().tolist() == [2019]
    assert len(df) == 3  # the input is untouched


def test_gbk_csv_is_read():
    df = read_table(BAD / "gbk.csv")
    assert df.columns.tolist() == ["省份", "年份", "劳动"]
    assert df["省份"].tolist() == ["北京", "北京"]


def test_missing_column_lists_available():
    df = read_table(BAD / "gaps.csv")
    with pytest.raises(
        DataError,
        match=r"column 'energy' not found; available columns: "
        r"'province', 'year', 'labor', 'capital'",
    ):
        validate_panel(df, unit="province", time="year", columns=["energy"])


def test_unknown_file_type_and_missing_file(tmp_path):
    with pytest.raises(DataError, match="unsupported file type"):
        (tmp_path / "a.json").write_text("{}")
        read_table(tmp_path / "a.json")
    with pytest.raises(DataError, match="input file not found"):
        read_table(tmp_path / "nope.csv")


def test_validation_never_mutates_input():
    df = pd.DataFrame({"u": ["a", "a"], "t": [1, 2], "x": ["1", "2"]})
    before = df.copy()
    validate_panel(df, unit="u", time="t", columns=["x"], positive=["x"])
    pd.testing.assert_frame_equal(df, before)


def test_output_never_written_over_input(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("unit,year,x\na,2020,1\n")
    df = read_panel(src, unit="unit", time="year", columns=["x"])
    with pytest.raises(DataError, match="refusing to write output over the input file"):
        write_table(df, src)
    assert src.read_text() == "unit,year,x\na,2020,1\n"


def test_atomic_write_leaves_no_partial_file(tmp_path):
    target = tmp_path / "out.csv"

    class Boom(Exception):
        pass

    from spatialgreen._io import atomic_write

    def writer(tmp):
        tmp.write_text("half")
        raise Boom

    with pytest.raises(Boom):
        atomic_write(target, writer)
    assert list(tmp_path.iterdir()) == []


_cells = st.one_of(
    st.floats(allow_nan=True, allow_infinity=False, width=32),
    st.integers(-(10**6), 10**6),
    st.text(alphabet=string.ascii_letters + '省市区 ,"\n', max_size=6),
    st.none(),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    values=st.lists(st.tuples(_cells, _cells), min_size=1, max_size=12),
    dup=st.booleans(),
    suffix=st.sampled_from([".csv", ".xlsx"]),
)
def test_reader_fuzz_returns_valid_panel_or_clear_error(tmp_path, values, dup, suffix):
    """Whatever the cells hold: clean numeric columns, or a DataError."""
    n = len(values)
    units = [f"u{i // 3}" for i in range(n)]
    years = [2000 + i % 3 for i in range(n)]
    if dup and n > 1:
        units[1], years[1] = units[0], years[0]
    df = pd.DataFrame(
        {
            "单位": units,
            "year": years,
            "a": [v[0] for v in values],
            "b": [v[1] for v in values],
        }
    )
    path = tmp_path / f"fuzz{suffix}"
    if suffix == ".csv":
        df.to_csv(path, index=False)
    else:
        df.to_excel(path, index=False)
    try:
        out = read_panel(path, unit="单位", time="year", columns=["a", "b"])
    except DataError as exc:
        assert str(exc)  # a message, naming the file
        assert "fuzz" in str(exc)
        return
    assert len(out) == n
    for col in ("a", "b"):
        assert pd.api.types.is_numeric_dtype(out[col])
        assert np.isfinite(out[col].to_numpy(dtype=float)).all()
    assert not out.duplicated(["单位", "year"]).any()


def test_header_only_file_is_an_error(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("unit,year,x\n")
    with pytest.raises(DataError, match="no data rows"):
        read_panel(path, unit="unit", time="year", columns=["x"])


def test_thousands_separators_are_an_error_naming_the_cell(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('unit,year,x\na,2020,"1,234"\nb,2020,5\n')
    with pytest.raises(DataError, match=r"thousands separators.*unit=a, year=2020"):
        read_panel(path, unit="unit", time="year", columns=["x"])


def test_missing_columns_in_a_workbook_name_its_sheets(tmp_path):
    path = tmp_path / "w.xlsx"
    with pd.ExcelWriter(path) as xl:
        pd.DataFrame({"说明": ["封面"]}).to_excel(xl, sheet_name="封面", index=False)
        pd.DataFrame({"省份": ["北京"], "年份": [2020]}).to_excel(
            xl, sheet_name="数据", index=False
        )
    with pytest.raises(DataError, match="sheets '封面', '数据'"):
        read_panel(path, unit="省份", time="年份")
    assert len(read_panel(path, unit="省份", time="年份", sheet="数据")) == 1


def test_old_xls_without_its_reader_gets_the_right_hint(tmp_path, monkeypatch):
    from spatialgreen.errors import DependencyError

    def no_reader(*args, **kwargs):
        raise ImportError("Missing optional dependency 'xlrd'")

    monkeypatch.setattr(pd, "read_excel", no_reader)
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(DependencyError, match=r"xlrd, or save the file as \.xlsx") as e:
        read_panel(path, unit="unit")
    assert "parquet" not in str(e.value)


# ----------------------------------------------------- spreadsheet exports, years


@pytest.mark.parametrize(
    "name", ["utf16_unicode_text.txt", "utf16_tabs.csv", "utf8_bom_tabs.txt"]
)
def test_unicode_text_exports_are_read(name):
    # Excel "Unicode text" is UTF-16 with a BOM and tabs; GB18030 would fail on it
    df = read_panel(BAD / name, unit="省份", time="年份", columns=["劳动", "资本"])
    assert df.columns.tolist() == ["省份", "年份", "劳动", "资本"]
    assert df[["省份", "年份", "劳动"]].values.tolist() == [
        ["北京", 2019, 100],
        ["北京", 2020, 110],
        ["天津", 2019, 50],
        ["天津", 2020, 52],
    ]


def test_utf16_without_bom_and_big_endian(tmp_path):
    text = "unit\tyear\tx\n甲\t2020\t1.5\n乙\t2020\t2.5\n"
    for encoding in ("utf-16-le", "utf-16-be"):
        path = tmp_path / f"{encoding}.txt"
        path.write_bytes(text.encode(encoding))
        df = read_panel(path, unit="unit", time="year", columns=["x"])
        assert df.values.tolist() == [["甲", 2020, 1.5], ["乙", 2020, 2.5]]


@pytest.mark.parametrize("name", ["mixed_years.xlsx", "mixed_years.csv"])
def test_years_written_as_text_are_read_as_numbers_with_a_warning(name):
    with pytest.warns(SpatialGreenWarning, match="'2012年' → 2012|'2011年' → 2011"):
        df = read_panel(BAD / name, unit="省份", time="年份", columns=["劳动"])
    assert df["年份"].dtype == "int64"
    expected = [2010, 2011, 2012] * 2 if name.endswith("xlsx") else [2010, 2011] * 2
    assert df["年份"].tolist() == expected
    assert validate_panel(df, unit="省份", time="年份").balanced


def test_year_column_mixing_numbers_and_other_text_names_the_cells():
    with pytest.raises(DataError) as info:
        read_panel(BAD / "mixed_years_unreadable.xlsx", unit="省份", time="年份")
    message = str(info.value)
    assert "time column '年份' mixes years with other text" in message
    assert "省份=北京: '2012年度'" in message and "省份=天津: '二〇一二'" in message
    assert "'2011'" not in message  # a readable year is not at fault
    assert not isinstance(info.value, TypeError)
    frame = pd.read_excel(BAD / "mixed_years.xlsx")  # as pandas reads it
    before = frame.copy()
    with pytest.raises(DataError, match="省份=天津: '2012年'"):
        validate_panel(frame, unit="省份", time="年份")
    pd.testing.assert_frame_equal(frame, before)


def test_text_periods_stay_text():
    df = pd.DataFrame({"u": ["a", "a"], "t": ["2005-2010", "2011-2016"], "x": [1, 2]})
    assert validate_panel(df, unit="u", time="t").periods == ("2005-2010", "2011-2016")


# ----------------------------------------------------- one unit, several spellings


def test_spaces_around_keys_are_removed_with_a_warning_naming_them():
    with pytest.warns(SpatialGreenWarning, match="2 value") as caught:
        df = read_panel(BAD / "key_whitespace.csv", unit="省份", time="年份")
    assert "'北京 '; '\\u3000天津'" in str(caught[0].message)  # repr shows U+3000
    assert df["省份"].tolist() == ["北京", "北京", "天津", "天津"]
    assert validate_panel(df, unit="省份", time="年份").balanced


def test_a_unit_split_by_whitespace_is_refused_or_warned_about():
    split = pd.DataFrame({"u": ["北京 ", "北京", "天津", "天津"], "t": [1, 2, 1, 2]})
    before = split.copy()
    with pytest.warns(SpatialGreenWarning, match=r"'北京 ' \(1\) and '北京' \(2\)"):
        info = validate_panel(split, unit="u", time="t")
    assert not info.balanced  # the finding the warning explains
    pd.testing.assert_frame_equal(split, before)
    twice = split.assign(t=[1, 1, 1, 2])
    with pytest.raises(PanelError, match=r"'北京 ' and '北京' name one unit .* t=1"):
        validate_panel(twice, unit="u", time="t")
    with pytest.raises(PanelError, match="name one unit"):  # a cross-section
        validate_panel(split.iloc[:2], unit="u")


def test_variant_names_of_one_unit_are_named():
    df = pd.read_csv(BAD / "variant_names.csv")
    with pytest.warns(
        SpatialGreenWarning,
        match=r"'内蒙古' \(2018–2019\) and '内蒙古自治区' \(2020\).*--match province",
    ):
        info = validate_panel(df, unit="省份", time="年份")
    assert info.n_units == 5 and not info.balanced
    same_year = df.replace({"省份": {"内蒙古": "Inner Mongolia"}}).assign(年份=2020)
    same_year = same_year.drop_duplicates(["省份", "年份"])
    with pytest.raises(PanelError, match="'Inner Mongolia' and '内蒙古自治区'"):
        validate_panel(same_year, unit="省份", time="年份")


def test_balanced_panels_of_other_names_are_left_alone(recwarn):
    df = pd.DataFrame({"firm": ["甲公司", "乙公司"] * 2, "t": [1, 1, 2, 2]})
    assert validate_panel(df, unit="firm", time="t").balanced
    codes = pd.DataFrame({"adcode": [110000, 120000] * 2, "t": [1, 1, 2, 2]})
    validate_panel(codes, unit="adcode", time="t")
    assert not [w for w in recwarn if issubclass(w.category, SpatialGreenWarning)]


def test_unify_units_keeps_the_first_spelling():
    df = pd.read_csv(BAD / "variant_names.csv")
    before = df.copy()
    with pytest.warns(SpatialGreenWarning, match="'内蒙古自治区' → '内蒙古'"):
        out = unify_units(df, unit="省份", level="province", time="年份")
    pd.testing.assert_frame_equal(df, before)
    assert out["省份"].unique().tolist() == ["内蒙古", "北京", "河北", "山西"]
    assert validate_panel(out, unit="省份", time="年份").balanced
    assert out.drop(columns="省份").equals(df.drop(columns="省份"))
    with pytest.raises(UnmatchedUnitError, match="Atlantis"):
        unify_units(df.assign(省份="Atlantis"), unit="省份")
    clash = pd.DataFrame({"p": ["北京", "北京市"], "y": [2020, 2020]})
    with pytest.raises(PanelError, match=r"'北京' and '北京市' .* y=2020"):
        unify_units(clash, unit="p", time="y")


def test_read_panel_match_unifies_before_validating(recwarn):
    df = read_panel(
        BAD / "variant_names.csv", unit="省份", time="年份", match="province"
    )
    assert df["省份"].nunique() == 4
    messages = [str(w.message) for w in recwarn]
    assert any("'内蒙古自治区' → '内蒙古'" in m for m in messages)
    assert not any("unbalanced" in m for m in messages)  # nothing left to warn of
    with pytest.raises(UnmatchedUnitError, match=r"district_names.csv: .*朝阳区"):
        read_panel(BAD / "district_names.csv", unit="城市", time="年份", match="city")


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["北京", "内蒙古自治区", "Guangxi", "广东省"]),
    st.sampled_from([" ", "\u3000", "\t", " \u00a0"]),
    st.booleans(),
)
def test_fuzzed_whitespace_never_makes_two_units(name, space, before):
    other = f"{space}{name}" if before else f"{name}{space}"
    df = pd.DataFrame({"u": [name, other, "天津", "天津"], "t": [1, 2, 1, 2]})
    with pytest.warns(SpatialGreenWarning, match="two spellings"):
        validate_panel(df, unit="u", time="t")
    with pytest.warns(SpatialGreenWarning):
        out = unify_units(df, unit="u", time="t")
    assert out["u"].tolist() == [name.strip(), name.strip(), "天津", "天津"]


def test_years_mixed_with_other_text_in_a_csv_are_refused(tmp_path):
    path = tmp_path / "y.csv"
    path.write_text("unit,year,x\n北京,2010,1\n北京,twenty,2\n天津,2010年,3\n")
    with pytest.raises(
        DataError, match=r"the cells that are not years: unit=北京: 'twenty'$"
    ):
        read_panel(path, unit="unit", time="year", columns=["x"])
