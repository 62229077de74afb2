"""The README's quick start and tour stay true: the tour runs as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from spatialgreen import datasets

README = Path(__file__).resolve().parents[1] / "README.md"


def test_quick_start_is_exactly_two_commands():
    text = README.read_text(encoding="utf-8")
    start = text.index("## Quick start")
    section = text[start : text.index("\n## ", start + 1)]
    commands = re.findall(r"```bash\n(.*?)\n```", section, flags=re.S)
    assert commands == [
        'pip install ".[paper]" && spatialgreen demo',
        'pip install ".[dev]" && python -m pytest -n auto',
    ]


YEARBOOK = {
    "province": "省份",
    "year": "年份",
    "labor": "劳动",
    "energy": "能源",
    "so2": "SO2",
    "gdp_nominal": "名义GDP",
    "gdp_index": "GDP指数",
    "investment": "固定资产投资",
    "investment_price_index": "投资价格指数",
}


def _users_workbook(folder: Path) -> pd.DataFrame:
    """The demo yearbook from 2008 as a user's Chinese workbook (with its gaps)."""
    raw = datasets.province_yearbook()
    mine = raw[raw["year"] >= 2008][list(YEARBOOK)].rename(columns=YEARBOOK)
    mine.to_excel(folder / "my_provinces.xlsx", index=False)
    return mine


def test_tour_runs_on_a_users_chinese_workbook(tmp_path, monkeypatch):
    text = README.read_text(encoding="utf-8")
    tour = re.search(
        r"## A short tour.*?```python\n(.*?)\n```", text, flags=re.S
    ).group(1)
    mine = _users_workbook(tmp_path)
    assert mine[["SO2", "投资价格指数"]].isna().sum().sum() > 0  # gaps to fill
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    with pytest.warns(UserWarning, match="impute filled missing values"):
        exec(compile(tour, "README tour", "exec"), namespace)
    # the prepare step: flagged cells, real GDP at 2010 prices, a capital stock
    panel, filled = namespace["panel"], namespace["filled"]
    assert filled.n_filled == int(mine[["SO2", "投资价格指数"]].isna().sum().sum())
    assert panel["SO2_imputed"].sum() + panel["投资价格指数_imputed"].sum() == (
        filled.n_filled
    )
    at_base = panel["年份"] == 2010
    np.testing.assert_array_equal(
        panel.loc[at_base, "GDP"], panel.loc[at_base, "名义GDP"]
    )
    assert (panel["资本"] > 0).all() and panel[
        ["GDP", "资本", "SO2"]
    ].notna().all().all()
    assert (tmp_path / "sbm_scores.xlsx").exists()
    assert (tmp_path / "maps" / "sbm_2020.html").stat().st_size > 10_000
    assert set(namespace["states"]["state"].dropna()) <= {
        "strong decoupling",
        "weak decoupling",
        "expansive coupling",
        "expansive negative decoupling",
        "strong negative decoupling",
        "weak negative decoupling",
        "recessive coupling",
        "recessive decoupling",
    }


def test_tour_prepare_command_gives_the_tour_panel(tmp_path):
    """The README's ``spatialgreen prepare`` line computes what the tour computes."""
    text = README.read_text(encoding="utf-8")
    start = text.index("## A short tour")
    command = next(
        block
        for block in re.findall(r"```bash\n(.*?)\n```", text[start:], flags=re.S)
        if block.startswith("spatialgreen prepare")
    )
    argv = command.replace("\\\n", " ").split()[1:]
    _users_workbook(tmp_path)
    subprocess.run(
        [sys.executable, "-m", "spatialgreen", *argv],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    prepared = pd.read_excel(tmp_path / "prepared.xlsx", sheet_name=None)
    panel = next(iter(prepared.values()))
    assert {"GDP", "资本", "SO2_imputed"} <= set(panel.columns)
    assert len(prepared["imputed"]) > 0
    base = panel["年份"] == 2010
    np.testing.assert_allclose(panel.loc[base, "GDP"], panel.loc[base, "名义GDP"])
