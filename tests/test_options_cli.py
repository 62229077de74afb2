"""Command-line options: --match for unit names, and errors in the command's terms."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pandas as pd
import pytest

from spatialgreen.cli import build_parser, main
from spatialgreen.cli._common import in_cli_terms, int_option, numbers_option
from spatialgreen.errors import OptionError

BAD = Path(__file__).parent / "data" / "bad"
VARIANTS = BAD / "variant_names.csv"  # 内蒙古 2018-2019, 内蒙古自治区 2020
KEYS = ["--unit", "省份", "--time", "年份"]


@pytest.fixture()
def clean(tmp_path):
    """variant_names.csv with one spelling: what --match must reproduce."""
    path = tmp_path / "clean.csv"
    table = pd.read_csv(VARIANTS).replace({"省份": {"内蒙古自治区": "内蒙古"}})
    table.to_csv(path, index=False)
    return path


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    action = next(
        a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)
    )
    return dict(action.choices)


def test_every_command_taking_unit_names_has_match():
    with_unit = {
        name
        for name, parser in _subparsers().items()
        if any("--unit" in a.option_strings for a in parser._actions)
    }
    assert with_unit == {
        "converge", "decouple", "gtfp", "map", "moran", "prepare", "sfa",
        "spatial-model", "three-stage",
    }  # fmt: skip
    for name in with_unit:
        match = next(
            a for a in _subparsers()[name]._actions if "--match" in a.option_strings
        )
        assert tuple(match.choices) == ("province", "city"), name
        assert match.default is None, name


def test_gtfp_match_keeps_a_respelled_unit_in_the_index(tmp_path, clean, capsys):
    argv = ["--inputs", "劳动,资本", "--outputs", "产出", "--index", "ml"]
    argv += ["--no-progress", *KEYS]
    out = tmp_path / "matched.csv"
    assert main(["gtfp", str(VARIANTS), *argv, "--match", "province", "-o", str(out)]) == 0  # fmt: skip  # noqa: E501
    err = capsys.readouterr().err
    assert "spatialgreen: warning: column '省份'" in err
    assert "'内蒙古自治区' → '内蒙古'" in err
    assert main(["gtfp", str(clean), *argv, "-o", str(tmp_path / "clean_out.csv")]) == 0
    matched = pd.read_csv(out, encoding="utf-8-sig")
    pd.testing.assert_frame_equal(
        matched, pd.read_csv(tmp_path / "clean_out.csv", encoding="utf-8-sig")
    )
    # both year-on-year rows of 内蒙古 are there (none lost to the spelling change)
    assert (matched["省份"] == "内蒙古").sum() == 2


def test_gtfp_without_match_warns_that_a_unit_is_split(tmp_path, capsys):
    argv = ["--inputs", "劳动,资本", "--outputs", "产出", "--no-progress", *KEYS]
    assert main(["gtfp", str(VARIANTS), *argv, "-o", str(tmp_path / "o.csv")]) == 0
    err = capsys.readouterr().err
    assert "spatialgreen: warning: column '省份': one unit under two spellings" in err
    assert "'内蒙古' (2018–2019) and '内蒙古自治区' (2020)" in err
    assert "--match province|city" in err
    assert "panel.py" not in err  # one line, not the warning's source location


def test_moran_names_the_respelled_unit_and_match_fixes_it(tmp_path, clean, capsys):
    argv = ["--column", "产出", "--islands", "nearest", "--permutations", "9", *KEYS]
    code = main(["moran", str(VARIANTS), *argv, "-o", str(tmp_path / "m.csv")])
    err = capsys.readouterr().err
    assert code == 2
    assert "'内蒙古' and '内蒙古自治区'" in err and "--match province" in err
    assert "ids list a unit more than once" not in err
    matched, plain = tmp_path / "matched.csv", tmp_path / "plain.csv"
    argv += ["--match", "province"]
    assert main(["moran", str(VARIANTS), *argv, "-o", str(matched)]) == 0
    argv = argv[:-2]
    assert main(["moran", str(clean), *argv, "-o", str(plain)]) == 0
    assert matched.read_bytes() == plain.read_bytes()


def test_prepare_match_chains_growth_across_the_spelling_change(tmp_path):
    out = tmp_path / "p.csv"
    argv = ["prepare", str(VARIANTS), *KEYS, "--growth", "产出", "-o", str(out)]
    assert main([*argv, "--match", "province"]) == 0
    data = pd.read_csv(out, encoding="utf-8-sig")
    row = data[(data["省份"] == "内蒙古") & (data["年份"] == 2020)].iloc[0]
    assert row["产出_growth"] == pytest.approx(15 / 13 - 1)
    assert main(argv) == 0  # without --match the respelled unit starts afresh
    data = pd.read_csv(out, encoding="utf-8-sig")
    assert data.loc[data["省份"] == "内蒙古自治区", "产出_growth"].isna().all()


def test_match_refuses_names_that_are_no_unit_of_the_level(tmp_path, capsys):
    code = main(
        ["moran", str(BAD / "district_names.csv"), "--unit", "城市", "--time", "年份",
         "--column", "x", "--match", "city", "-o", str(tmp_path / "m.csv")]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert "'朝阳区' (a county-level name" in err and "'西安区'" in err
    assert not (tmp_path / "m.csv").exists()


def test_sfa_match_needs_the_unit_column(tmp_path, capsys):
    code = main(
        ["sfa", str(VARIANTS), "--y", "产出", "--x", "劳动,资本", "--match",
         "province", "--output", str(tmp_path / "s.xlsx")]
    )  # fmt: skip
    assert code == 2
    assert "--match needs --unit" in capsys.readouterr().err


# ----------------------------------------------------------------- option values


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["moran", "--permutations", "-5"],
            "argument --permutations: must be an integer >= 0, got '-5'",
        ),
        (
            ["moran", "--permutations", "many"],
            "argument --permutations: expected an integer, got 'many'",
        ),
        (
            ["moran", "--alpha", "1.5"],
            "argument --alpha: must be a number > 0 and < 1, got '1.5'",
        ),
        (["moran", "--seed", "-1"], "argument --seed: must be an integer >= 0"),
        (
            ["moran", "--islands", "nearst"],
            "argument --islands: invalid choice: 'nearst'",
        ),
        (["moran", "--level", "town"], "argument --level: invalid choice: 'town'"),
        (
            ["map", "--bins", "1,a"],
            "argument --bins: expected comma-separated numbers, got '1,a'",
        ),
        (["map", "--bins", "1,inf"], "argument --bins: must be a number, got '1,inf'"),
        (["map", "-k", "1"], "argument -k: must be an integer >= 2, got '1'"),
        (["gtfp", "--n-jobs", "0"], "argument --n-jobs: must be a non-zero integer"),
        (["gtfp", "--window", "0"], "argument --window: must be an integer >= 1"),
        (["converge", "--classes", "1"], "argument --classes: must be an integer >= 2"),
        (
            ["spatial-model", "--draws", "-1"],
            "argument --draws: must be an integer >= 0",
        ),
        (
            ["flows", "--core-share", "0"],
            "argument --core-share: must be a number > 0 and <= 1",
        ),
        (["flows", "--periods", "0"], "argument --periods: must be an integer >= 1"),
        (
            ["match-clusters", "--within-km", "-3"],
            "argument --within-km: must be a number > 0",
        ),
        (["moran", "--match", "county"], "argument --match: invalid choice: 'county'"),
    ],
)
def test_out_of_range_options_are_named_by_their_flag(argv, message, capsys):
    with pytest.raises(SystemExit) as info:
        main([argv[0], "data.csv", *argv[1:]])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert not re.search(r"[a-z_]+=\S", err)  # no API spelling (permutations=-5)


def test_island_advice_is_given_in_the_commands_terms(tmp_path, capsys):
    path = tmp_path / "south.csv"
    path.write_text("unit,year,x\n海南,2020,1\n广东,2020,2\n广西,2020,3\n湖南,2020,5\n")
    code = main(["moran", str(path), "--column", "x", "-o", str(tmp_path / "m.csv")])
    err = capsys.readouterr().err
    assert code == 2
    assert "海南省 (460000)" in err
    assert "--islands nearest" in err and "--islands keep" in err
    assert "islands=" not in err


def test_api_option_errors_are_reported_with_the_flag(tmp_path, capsys, monkeypatch):
    from spatialgreen.spatial import autocorrelation

    def refuse(*args, **kwargs):
        raise OptionError("transform='x': must be one of 'r', 'b'")

    monkeypatch.setattr(autocorrelation, "moran_by_year", refuse)
    path = tmp_path / "p.csv"
    path.write_text("unit,year,x\n北京,2020,1\n天津,2020,2\n河北,2020,3\n")
    argv = ["moran", str(path), "--column", "x", "--time", "year"]
    assert main([*argv, "-o", str(tmp_path / "m.csv")]) == 2
    assert "error: --transform x: must be one of 'r', 'b'" in capsys.readouterr().err


def test_option_helpers():
    assert in_cli_terms("k=1: must be an integer >= 2", {"k": "--classes"}) == (
        "--classes 1: must be an integer >= 2"
    )
    assert in_cli_terms("unit=a, year=2020: missing", {"unit": "--unit"}) == (
        "unit=a, year=2020: missing"  # a panel cell, not an option
    )
    assert int_option(0, 10)("10") == 10
    with pytest.raises(argparse.ArgumentTypeError, match="<= 10"):
        int_option(0, 10)("11")
    with pytest.raises(argparse.ArgumentTypeError, match="expected an integer"):
        int_option()("2.5")
    assert numbers_option("0.8,1.0, 1.2") == [0.8, 1.0, 1.2]
    assert numbers_option("") == []


def test_lisa_needs_permutations(tmp_path, capsys):
    path = tmp_path / "p.csv"
    names = ["北京", "天津", "河北", "山西", "内蒙古", "辽宁", "山东", "河南"]
    rows = "".join(f"{n},2020,{i * i % 7}\n" for i, n in enumerate(names))
    path.write_text("unit,year,x\n" + rows)
    argv = ["moran", str(path), "--column", "x", "--time", "year"]
    argv += ["--permutations", "0", "-o", str(tmp_path / "m.csv")]
    assert main([*argv, "--lisa", str(tmp_path / "l.csv")]) == 2
    err = capsys.readouterr().err
    assert "--permutations 0: --lisa needs at least one permutation" in err
    assert not (tmp_path / "m.csv").exists()
    assert main(argv) == 0  # the global statistic has analytical p-values
    table = pd.read_csv(tmp_path / "m.csv", encoding="utf-8-sig")
    assert table["p_sim"].isna().all() and table["p_norm"].notna().all()


@pytest.mark.parametrize("band", ["1.2,0.8", "0.8", "a,b", "0.8,1.2,2"])
def test_decouple_band_is_checked_as_the_flag(tmp_path, capsys, band):
    argv = ["decouple", str(VARIANTS), *KEYS, "--driver", "产出", "--indicator"]
    argv += ["劳动", "--band", band, "--match", "province"]
    assert main([*argv, "--output", str(tmp_path / "d.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "--band must be two numbers low,high with 0 <= low < high" in err
    assert repr(band) in err
