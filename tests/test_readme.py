"""The README's quick start and tour stay true: the tour runs as written."""

from __future__ import annotations

import re
from pathlib import Path

from spatialgreen import datasets

README = Path(__file__).resolve().parents[1] / "README.md"


def test_quick_start_is_exactly_two_commands():
    text = README.read_text(encoding="utf-8")
    start = text.index("## Quick start")
    section = text[start : text.index("\n## ", start + 1)]
    commands = re.findall(r"```bash\n(.*?)\n```", section, flags=re.S)
    assert commands == [
        "pip install . && spatialgreen demo",
        'pip install ".[dev]" && python -m pytest',
    ]


def test_tour_runs_on_a_users_chinese_workbook(tmp_path, monkeypatch):
    text = README.read_text(encoding="utf-8")
    tour = re.search(
        r"## A short tour.*?```python\n(.*?)\n```", text, flags=re.S
    ).group(1)
    panel = datasets.province_panel()
    names = {
        "province": "省份",
        "year": "年份",
        "labor": "劳动",
        "capital": "资本",
        "energy": "能源",
        "gdp": "GDP",
        "so2": "SO2",
    }
    panel = panel[panel["year"] >= 2010][list(names)].rename(columns=names)
    panel.to_excel(tmp_path / "my_provinces.xlsx", index=False)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(tour, "README tour", "exec"), namespace)
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
