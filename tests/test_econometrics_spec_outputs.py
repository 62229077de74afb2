"""``regress`` specs: Tobit models, DOCX/RTF outputs, the constant and controls rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_econometrics_tables import read_rtf

from spatialgreen.cli import main
from spatialgreen.econometrics import fixed_effects, load_spec, run_spec, tobit
from spatialgreen.econometrics.spec import SpecError, parse_spec
from spatialgreen.errors import SpatialGreenWarning


def _panel() -> pd.DataFrame:
    """20 provinces × 8 years; ``score`` is censored at 0 and 1 (synthetic)."""
    rng = np.random.default_rng(7)
    df = pd.DataFrame(
        {
            "province": np.repeat([f"P{i:02d}" for i in range(20)], 8),
            "year": np.tile(np.arange(2012, 2020), 20),
        }
    )
    n = len(df)
    df["gov"] = rng.normal(size=n)
    df["prod"] = rng.normal(size=n)
    alpha = np.repeat(rng.normal(0, 0.2, 20), 8)
    latent = 0.6 + 0.2 * df["prod"] + 0.05 * df["gov"] + alpha
    df["score"] = (latent + rng.normal(0, 0.25, n)).clip(0, 1)
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
label = "FE"
y = "score"
x = "prod"

[[models]]
label = "Tobit"
kind = "tobit"
y = "score"
x = "prod"
right = 1

[[models]]
label = "RE Tobit"
kind = "tobit"
panel = "random"
y = "score"
x = "prod"
right = 1

[output]
path = "out/table"
formats = ["docx", "rtf"]
constant = "auto"
controls = true
stats = ["nobs", "sigma", "sigma_u", "rho", "loglik"]
"""


@pytest.fixture
def spec_file(tmp_path):
    _panel().to_csv(tmp_path / "panel.csv", index=False)
    path = tmp_path / "spec.toml"
    path.write_text(SPEC, encoding="utf-8")
    return path


def test_tobit_models_equal_direct_calls(spec_file):
    # [defaults].cluster clusters the pooled Tobit; the random-effects one ignores it
    with pytest.warns(SpatialGreenWarning, match=r"\[defaults\].cluster"):
        spec = load_spec(spec_file)
    assert spec.models[2].cluster is None and spec.models[1].cluster == "province"
    table = run_spec(spec, _panel())
    num = table.numbers.set_index(["model", "parameter"])
    kw = {"unit": "province", "time": "year", "controls": ["gov"], "right": 1}
    pooled = tobit(_panel(), y="score", x="prod", cluster="province", **kw)
    random = tobit(_panel(), y="score", x="prod", panel="random", **kw)
    fe = fixed_effects(
        _panel(),
        y="score",
        x="prod",
        controls=["gov"],
        cluster="province",
        unit="province",
        time="year",
    )
    for label, fit in (("FE", fe), ("Tobit", pooled), ("RE Tobit", random)):
        for name in ("prod",):
            assert num.loc[(label, name), "estimate"] == pytest.approx(
                fit.params[name], rel=1e-10
            )
            assert num.loc[(label, name), "std_error"] == pytest.approx(
                fit.std_errors[name], rel=1e-8
            )
    rows = table.table.set_index("")
    # controls = true: one "Controls" row instead of the gov rows
    assert "gov" not in rows.index and rows.loc["Controls"].tolist() == ["Yes"] * 3
    # constant = "auto": hidden in the fixed-effects model only
    assert rows.loc["const"].tolist()[0] == "" and all(rows.loc["const"].tolist()[1:])
    assert rows.loc["Unit RE"].tolist() == ["", "No", "Yes"]
    assert rows.loc["σ", "Tobit"] == f"{pooled.sigma:.4f}"
    assert rows.loc["σ_u", "RE Tobit"] == f"{random.sigma_u:.4f}"
    assert rows.loc["Log likelihood", "RE Tobit"] == f"{random.loglik:.4f}"
    assert "Random-effects Tobit (adaptive Gauss-Hermite" in table.note
    assert "clustered by province, G/(G-1)" in table.note


def test_cli_writes_docx_and_rtf(spec_file, capsys):
    import docx

    assert main(["regress", str(spec_file), "--quiet"]) == 0
    assert "[defaults].cluster = 'province' does not apply" in capsys.readouterr().err
    out = spec_file.parent / "out"
    assert sorted(p.name for p in out.iterdir()) == ["table.docx", "table.rtf"]
    with pytest.warns(SpatialGreenWarning):
        table = run_spec(load_spec(spec_file))
    expected = [list(table.table.columns), *table.table.values.tolist()]
    document = docx.Document(str(out / "table.docx"))
    rows = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert rows == expected
    assert table.note in [p.text for p in document.paragraphs]
    cells, paragraphs = read_rtf((out / "table.rtf").read_text(encoding="ascii"))
    assert cells == [c for row in expected for c in row]
    assert "σ_u" in cells and table.note in paragraphs
    # --formats overrides, and names the formats it knows
    assert main(["regress", str(spec_file), "--quiet", "--formats", "rtf,csv"]) == 0
    capsys.readouterr()
    assert (out / "table.csv").exists()
    assert main(["regress", str(spec_file), "--formats", "pdf"]) == 2
    assert "use csv, xlsx, tex, html, docx, rtf" in capsys.readouterr().err


def _raw(*models: dict, output: dict | None = None, defaults=None) -> dict:
    return {
        "data": {"path": "p.csv", "unit": "province", "time": "year"},
        "defaults": defaults or {},
        "models": [{"y": "score", "x": "prod", **m} for m in models],
        "output": {"path": "o", **(output or {})},
    }


@pytest.mark.parametrize(
    ("model", "output", "message"),
    [
        ({"kind": "tobit", "effects": "unit"}, {}, "a Tobit has no fixed effects"),
        (
            {"kind": "tobit", "panel": "random", "cluster": "province"},
            {},
            "OIM standard errors only",
        ),
        ({"kind": "tobit", "small_sample": "linearmodels"}, {}, "'stata' or 'none'"),
        ({"kind": "tobit", "left": "none"}, {}, "needs a left or a right limit"),
        ({"kind": "tobit", "left": 1, "right": 0.5}, {}, "must be below right"),
        ({"kind": "tobit", "left": "zero"}, {}, 'a number or "none"'),
        ({"kind": "tobit", "right": float("inf")}, {}, "a finite number"),
        ({"kind": "tobit", "quadrature": 1}, {}, "2 to 200 points"),
        ({"kind": "tobit", "panel": "fixed"}, {}, "expected one of"),
        ({"right": 1}, {}, "models[0].right is only used with kind = 'tobit'"),
        ({}, {"constant": "yes"}, 'true, false or "auto"'),
        ({}, {"controls": 3}, "a string or a list of strings"),
        ({}, {"formats": ["pdf"]}, "expected one of"),
    ],
)
def test_bad_tobit_and_output_options(model, output, message):
    with pytest.raises(SpecError) as info:
        parse_spec(_raw(model, output=output))
    assert message in str(info.value)


def test_output_options_parse():
    spec = parse_spec(
        _raw(
            {"kind": "tobit", "left": "none", "right": 1, "cov": "unadjusted"},
            output={"controls": ["gov"], "constant": False, "formats": ["docx"]},
        )
    )
    assert spec.models[0].left is None and spec.models[0].right == 1.0
    assert spec.output.controls == ("gov",) and spec.output.constant is False
    table = run_spec(
        parse_spec(
            _raw(
                {"kind": "tobit", "right": 1, "controls": ["gov"]},
                output={"controls": ["gov"], "constant": False},
            )
        ),
        _panel(),
    )
    assert table.table[""].tolist()[:4] == [
        "Dependent variable",
        "prod",
        "",
        "Controls",
    ]
    assert "const" not in table.table[""].tolist()
    direct = tobit(
        _panel(),
        y="score",
        x="prod",
        controls=["gov"],
        right=1,
        unit="province",
        time="year",
    )
    assert table.numbers.set_index("parameter").loc["prod", "std_error"] == (
        pytest.approx(direct.std_errors["prod"], rel=1e-8)
    )
