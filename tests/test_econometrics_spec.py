"""TOML specifications and ``spatialgreen regress``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from spatialgreen.cli import main
from spatialgreen.econometrics import fixed_effects, load_spec, run_spec
from spatialgreen.econometrics.spec import SpecError, parse_spec
from spatialgreen.errors import DataError


def _panel() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "province": np.repeat([f"P{i:02d}" for i in range(15)], 8),
            "year": np.tile(np.arange(2012, 2020), 15),
        }
    )
    n = len(df)
    df["region"] = np.repeat(["east", "west", "central"] * 5, 8)
    df["gov"] = rng.normal(size=n)
    df["prod"] = rng.normal(size=n)
    df["ts"] = 0.7 * df["prod"] + rng.normal(size=n)
    df["high"] = rng.normal(size=n)
    df["gtfp"] = (
        0.06 * df["prod"] + 0.1 * df["ts"] + 0.02 * df["gov"] + rng.normal(size=n)
    )
    return df


SPEC = """
[data]
path = "panel.csv"
unit = "province"
time = "year"

[defaults]
controls = ["gov"]
cluster = "province"

[[models]]
label = "(1)"
y = "gtfp"
x = "prod"

[[models]]
label = "(2)"
y = "gtfp"
x = "prod"
lag = 1

[[models]]
label = "East"
y = "gtfp"
x = "prod"
where = { region = "east" }

[[models]]
label = "Med"
kind = "mediation"
y = "gtfp"
x = "prod"
mediator = "ts"

[[models]]
label = "Mod"
kind = "moderation"
y = "gtfp"
x = "prod"
moderator = "high"

[output]
path = "out/table"
formats = ["csv", "xlsx", "tex", "html"]
rename = { const = "_cons" }
stats = ["nobs", "r2_adj", "r2_within"]
"""


@pytest.fixture
def spec_file(tmp_path):
    _panel().to_csv(tmp_path / "panel.csv", index=False)
    path = tmp_path / "spec.toml"
    path.write_text(SPEC, encoding="utf-8")
    return path


def test_spec_runs_and_matches_direct_calls(spec_file):
    spec = load_spec(spec_file)
    assert spec.data.path == spec_file.parent / "panel.csv"
    assert spec.models[1].lag == 1 and spec.models[0].controls == ("gov",)
    table = run_spec(spec)
    assert list(table.table.columns[1:]) == [
        "(1)", "(2)", "East", "Med total", "Med mediator", "Med outcome", "Mod",
    ]  # fmt: skip
    direct = fixed_effects(
        _panel(),
        y="gtfp",
        x="prod",
        controls=["gov"],
        unit="province",
        cluster="province",
    )
    num = table.numbers.set_index(["model", "parameter"])
    assert num.loc[("(1)", "prod"), "estimate"] == pytest.approx(direct.params["prod"])
    assert num.loc[("(1)", "prod"), "std_error"] == pytest.approx(
        direct.std_errors["prod"]
    )
    east = _panel().query("region == 'east'")
    direct_east = fixed_effects(
        east, y="gtfp", x="prod", controls=["gov"], unit="province", cluster="province"
    )
    assert num.loc[("East", "prod"), "estimate"] == pytest.approx(
        direct_east.params["prod"]
    )
    assert ("(2)", "prod_lag1") in num.index
    assert ("Mod", "prod*high") in num.index


def test_cli_writes_every_format(spec_file, capsys):
    assert main(["regress", str(spec_file)]) == 0
    out = spec_file.parent / "out"
    for suffix in ("csv", "xlsx", "tex", "html"):
        assert (out / f"table.{suffix}").exists()
    printed = capsys.readouterr().out
    assert "Dependent variable" in printed and "wrote" in printed
    csv = pd.read_csv(out / "table.csv", encoding="utf-8-sig", keep_default_na=False)
    assert "_cons" in csv.iloc[:, 0].tolist()
    assert (
        main(
            ["regress", str(spec_file), "--formats", "tex", "--output", str(out / "b")]
        )
        == 0
    )
    assert (out / "b.tex").exists() and not (out / "b.csv").exists()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ('label = "(1)"', 'label = "(1)"\neffects = "both"'),
            "models[0].effects: expected one",
        ),
        (("lag = 1", 'lag = "one"'), "models[1].lag: expected an integer"),
        (
            ('label = "(1)"', 'label = "(1)"\nefects = "unit"'),
            "unknown key models[0].efects",
        ),
        (("[defaults]", "[defaults]\nseed = 3"), "unknown key defaults.seed"),
        (('path = "out/table"', "path = 3"), "output.path: expected a string"),
        (
            ('kind = "mediation"', 'kind = "mediation2"'),
            "models[3].kind: expected one of",
        ),
        (('mediator = "ts"', ""), "models[3].mediator is required"),
    ],
)
def test_bad_spec_is_named(tmp_path, edit, message):
    text = SPEC.replace(*edit)
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert message in str(info.value)


def test_cli_error_is_one_line_exit_2(tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text(SPEC.replace("[defaults]", "[defaults]\nfoo = 1"), encoding="utf-8")
    assert main(["regress", str(path)]) == 2
    err = capsys.readouterr().err
    assert "unknown key defaults.foo" in err


def test_spec_is_data_never_executed(tmp_path):
    """Strings are column names, nothing more: code in them is just a missing column."""
    _panel().to_csv(tmp_path / "panel.csv", index=False)
    marker = tmp_path / "pwned"
    evil = SPEC.replace(
        'y = "gtfp"', f"y = \"__import__('pathlib').Path('{marker}').touch()\"", 1
    )
    path = tmp_path / "evil.toml"
    path.write_text(evil, encoding="utf-8")
    with pytest.raises(DataError, match="not found"):
        run_spec(load_spec(path))
    assert not marker.exists()


def test_invalid_toml_and_missing_sections(tmp_path):
    path = tmp_path / "x.toml"
    path.write_text("[data\npath=1", encoding="utf-8")
    with pytest.raises(SpecError, match="invalid TOML"):
        load_spec(path)
    with pytest.raises(SpecError, match=r"the \[models\] section is required"):
        parse_spec({"data": {"path": "a.csv"}, "output": {"path": "o"}})
    with pytest.raises(SpecError, match="labels must be unique"):
        parse_spec(
            {
                "data": {"path": "a.csv"},
                "models": [
                    {"y": "a", "x": "b", "label": "A"},
                    {"y": "a", "x": "c", "label": "A"},
                ],
                "output": {"path": "o"},
            }
        )


def _raw(model: dict) -> dict:
    return {
        "data": {"path": "p.csv"},
        "models": [{"y": "g", "x": "p", **model}],
        "output": {"path": "o"},
    }


@pytest.mark.parametrize(
    "model, message",
    [
        (
            {"kind": "mediation", "mediator": "m", "x": ["p", "q"]},
            r"models\[0\].x: kind = 'mediation' takes exactly one x",
        ),
        (
            {"kind": "moderation", "moderator": "z", "x": ["p", "q"]},
            r"models\[0\].x: kind = 'moderation' takes exactly one x",
        ),
        ({"mediator": "m"}, r"models\[0\].mediator is only used with kind"),
        (
            {"kind": "mediation", "mediator": "m", "moderator": "z"},
            r"models\[0\].moderator is only used with kind = 'moderation'",
        ),
        ({"center": False}, r"models\[0\].center is only used with kind"),
    ],
)
def test_spec_options_that_would_be_ignored_are_errors(model, message):
    with pytest.raises(SpecError, match=message):
        parse_spec(_raw(model))
