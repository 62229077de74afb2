"""The ``regress`` spec accepts random effects, small_sample="none" and centring."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from spatialgreen.cli import main
from spatialgreen.econometrics import (
    fixed_effects,
    moderation,
    random_effects,
    run_spec,
)
from spatialgreen.econometrics.spec import SpecError, parse_spec


def _panel() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "province": np.repeat([f"P{i:02d}" for i in range(15)], 8),
            "year": np.tile(np.arange(2012, 2020), 15),
        }
    )
    n = len(df)
    alpha = np.repeat(rng.normal(size=15), 8)
    df["gov"] = rng.normal(size=n)
    df["prod"] = rng.normal(size=n)
    df["high"] = rng.normal(loc=2.0, size=n)
    df["gtfp"] = 0.3 * df["prod"] * df["high"] + 0.1 * df["gov"] + alpha
    df["gtfp"] += rng.normal(size=n)
    return df


KW = {"unit": "province", "time": "year", "controls": ["gov"]}


def _raw(*models: dict, defaults: dict | None = None) -> dict:
    return {
        "data": {"path": "p.csv", "unit": "province", "time": "year"},
        "defaults": {"controls": ["gov"], **(defaults or {})},
        "models": [{"y": "gtfp", "x": "prod", **m} for m in models],
        "output": {"path": "o", "stats": ["nobs", "r2_within"]},
    }


def test_random_effects_models_equal_direct_calls():
    spec = parse_spec(
        _raw(
            {"label": "RE", "kind": "random_effects", "effects": "unit"},
            {"label": "RE2", "kind": "random_effects", "method": "harmonic"},
            {"label": "FE", "effects": "unit"},
        )
    )
    table = run_spec(spec, _panel())
    num = table.numbers.set_index(["model", "parameter"])
    re1 = random_effects(_panel(), y="gtfp", x="prod", **KW)
    re2 = random_effects(
        _panel(), y="gtfp", x="prod", effects="twoway", method="harmonic", **KW
    )
    fe = fixed_effects(_panel(), y="gtfp", x="prod", effects="unit", **KW)
    for label, fit in (("RE", re1), ("RE2", re2), ("FE", fe)):
        assert num.loc[(label, "prod"), "estimate"] == pytest.approx(
            fit.params["prod"], rel=1e-12
        )
        assert num.loc[(label, "prod"), "std_error"] == pytest.approx(
            fit.std_errors["prod"], rel=1e-12
        )
    rows = table.table.set_index("")
    assert rows.loc["Unit RE"].tolist() == ["Yes", "Yes", ""]
    assert rows.loc["Year FE"].tolist() == ["No", "Yes", "No"]


def test_small_sample_none_and_centring_options():
    spec = parse_spec(
        _raw(
            {"label": "A", "small_sample": "none"},
            {"label": "M", "kind": "moderation", "moderator": "high"},
            {"label": "Mc", "kind": "moderation", "moderator": "high", "center": True},
            defaults={"cluster": "province"},
        )
    )
    assert spec.models[1].center is False
    num = run_spec(spec, _panel()).numbers.set_index(["model", "parameter"])
    fe = fixed_effects(
        _panel(), y="gtfp", x="prod", cluster="province", small_sample="none", **KW
    )
    assert num.loc[("A", "prod"), "std_error"] == pytest.approx(
        fe.std_errors["prod"], rel=1e-12
    )
    for label, center in (("M", False), ("Mc", True)):
        mod = moderation(
            _panel(),
            y="gtfp",
            x="prod",
            moderator="high",
            cluster="province",
            center=center,
            **KW,
        )
        assert num.loc[(label, "prod"), "estimate"] == pytest.approx(
            mod.params["prod"], rel=1e-12
        )
    assert num.loc[("M", "prod"), "estimate"] != pytest.approx(
        num.loc[("Mc", "prod"), "estimate"]
    )


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (
            {"kind": "random_effects", "effects": "time"},
            r"models\[0\].effects: kind = 'random_effects' takes 'unit' or 'twoway'",
        ),
        ({"method": "swar"}, r"models\[0\].method is only used with kind"),
        (
            {"kind": "random_effects", "method": "amemiya"},
            r"models\[0\].method: expected one of",
        ),
        ({"small_sample": "hc0"}, r"models\[0\].small_sample: expected one of"),
    ],
)
def test_bad_options_name_their_toml_path(model, message):
    with pytest.raises(SpecError, match=message):
        parse_spec(_raw(model))


def test_cli_regress_runs_random_effects(tmp_path, capsys):
    _panel().to_csv(tmp_path / "panel.csv", index=False)
    (tmp_path / "spec.toml").write_text(
        """
[data]
path = "panel.csv"
unit = "province"

[[models]]
label = "FE"
y = "gtfp"
x = "prod"
effects = "unit"

[[models]]
label = "RE"
kind = "random_effects"
y = "gtfp"
x = "prod"
effects = "unit"

[output]
path = "table"
formats = ["csv"]
stats = ["nobs", "theta"]
""",
        encoding="utf-8",
    )
    assert main(["regress", str(tmp_path / "spec.toml"), "--quiet"]) == 0
    csv = pd.read_csv(tmp_path / "table.csv", encoding="utf-8-sig", dtype=str)
    rows = csv.set_index(csv.columns[0])
    theta = random_effects(_panel(), y="gtfp", x="prod", unit="province").theta
    assert rows.loc["θ", "RE"] == f"{theta:.4f}"
    assert "wrote" in capsys.readouterr().out
