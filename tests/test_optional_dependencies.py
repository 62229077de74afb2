"""The default install leaves out matplotlib and python-docx (the ``paper`` extra).

Missing modules are simulated: ``sys.modules[name] = None`` makes ``import name`` fail
as it does where the package is not installed. Every public entry point that draws
or writes Word must then fail at once with :class:`DependencyError` naming the extra;
everything else, and ``spatialgreen demo`` without its figures, must still work.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import textwrap
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from spatialgreen import convergence, figures, maps, report
from spatialgreen.cli import main
from spatialgreen.econometrics import fixed_effects, load_spec, regression_table
from spatialgreen.econometrics.spec import run_spec, write_spec_outputs
from spatialgreen.errors import DependencyError, SpatialGreenWarning

ROOT = Path(__file__).resolve().parents[1]
PAPER = r'pip install "spatialgreen\[paper\]"'
#: What ``pip install ".[paper]"`` adds to the default install (measured with
#: benchmarks/install_size.py), plus inequality, which only the dev extra installs.
PAPER_STACK = ("matplotlib", "mpl_toolkits", "pylab", "docx", "lxml", "PIL",
               "fontTools", "kiwisolver", "contourpy", "cycler", "pyparsing",
               "inequality")  # fmt: skip


def _hide(monkeypatch: pytest.MonkeyPatch, *tops: str) -> None:
    """Make ``import <top>`` (and its submodules) fail as if not installed."""
    for name in list(sys.modules):
        if name.split(".")[0] in tops:
            monkeypatch.setitem(sys.modules, name, None)
    for top in tops:
        monkeypatch.setitem(sys.modules, top, None)


@pytest.fixture
def no_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    _hide(monkeypatch, "matplotlib", "mpl_toolkits", "pylab")


@pytest.fixture
def no_docx(monkeypatch: pytest.MonkeyPatch) -> None:
    _hide(monkeypatch, "docx")


def _panel() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    units = ["北京", "上海", "广东", "四川", "甘肃", "河南"]
    df = pd.DataFrame(
        {
            "unit": np.repeat(units, 4),
            "region": np.repeat(["east", "east", "east", "west", "west", "central"], 4),
            "year": np.tile(np.arange(2019, 2023), len(units)),
        }
    )
    df["y"] = np.exp(rng.normal(0, 0.4, len(df)))
    df["x"] = rng.normal(size=len(df))
    return df


def _states() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": ["2019-2022"] * 3,
            "state": ["strong decoupling", "weak decoupling", "expansive coupling"],
            "driver_change": [0.3, 0.4, 0.2],
            "indicator_change": [-0.1, 0.1, 0.2],
        }
    )


def _geoframe() -> Any:
    import geopandas as gpd
    from shapely.geometry import box

    boxes = [box(100 + i, 30, 101 + i, 31) for i in range(3)]
    return gpd.GeoDataFrame({"v": [1.0, 2.0, 3.0]}, geometry=boxes, crs=4326)


FIGURES: dict[str, Callable[[pd.DataFrame, Path], Any]] = {
    "figures.trend_by_group": lambda d, _: figures.trend_by_group(
        d, "y", time="year", group="region"
    ),
    "figures.sigma_convergence": lambda d, _: figures.sigma_convergence(
        convergence.sigma(d, "y", time="year"), time="year"
    ),
    "figures.kernel_density": lambda d, _: figures.kernel_density(d, "y"),
    "figures.kernel_density_3d": lambda d, _: figures.kernel_density_3d(d, "y"),
    "figures.decoupling_states": lambda _, __: figures.decoupling_states(
        _states(), by="period"
    ),
    "figures.tapio_diagram": lambda _, __: figures.tapio_diagram(_states()),
    "figures.moran_scatter": lambda d, _: figures.moran_scatter(d["y"], d["y"][::-1]),
    "figures.placebo_distribution": lambda _, __: figures.placebo_distribution(
        [0.1, -0.2, 0.05, 0.0], 0.3
    ),
    "figures.save": lambda _, tmp: figures.save(object(), tmp / "f.png"),  # type: ignore[arg-type]
    "figures.use_cjk_font": lambda _, __: figures.use_cjk_font(),
    "maps.static": lambda d, _: maps.static(
        d[d["year"] == 2022], "y", level="province", unit="unit"
    ),
    "gdf.spatialgreen.plot": lambda _, __: _geoframe().spatialgreen.plot("v"),
}


@pytest.mark.usefixtures("no_matplotlib")
@pytest.mark.parametrize("entry", sorted(FIGURES))
def test_drawing_without_matplotlib_names_the_paper_extra(entry, tmp_path) -> None:
    with pytest.raises(DependencyError, match=PAPER) as err:
        FIGURES[entry](_panel(), tmp_path)
    message = str(err.value)
    assert message.startswith(f"{entry} needs the optional package 'matplotlib'")
    assert isinstance(err.value, ImportError)  # `except ImportError` catches it too
    assert isinstance(err.value.__cause__, ImportError)
    assert list(tmp_path.iterdir()) == []


def _table() -> Any:
    df = _panel()
    fit = fixed_effects(df, y="y", x=["x"], unit="unit", time="year")
    return regression_table({"(1)": fit})


@pytest.mark.usefixtures("no_docx")
def test_word_tables_without_python_docx_name_the_paper_extra(tmp_path) -> None:
    table = _table()
    for write in (table.to_docx, table.write):
        with pytest.raises(DependencyError, match=PAPER) as err:
            write(tmp_path / "t.docx")
        assert "needs the optional package 'python-docx'" in str(err.value)
    assert list(tmp_path.iterdir()) == []
    # the other formats need nothing optional
    for suffix in (".csv", ".xlsx", ".tex", ".html", ".rtf"):
        assert table.write(tmp_path / f"t{suffix}").stat().st_size > 100


def _spec(tmp_path: Path, formats: str) -> Path:
    _panel().to_csv(tmp_path / "panel.csv", index=False)
    spec = tmp_path / "table.toml"
    spec.write_text(
        textwrap.dedent(
            f"""
            [data]
            path = "panel.csv"
            unit = "unit"
            time = "year"

            [[models]]
            y = "y"
            x = "x"

            [output]
            path = "out/table"
            formats = [{formats}]
            """
        ),
        encoding="utf-8",
    )
    return spec


@pytest.mark.usefixtures("no_docx")
def test_regress_with_docx_fails_before_estimating(tmp_path, capsys) -> None:
    spec = load_spec(_spec(tmp_path, '"csv", "docx"'))
    # the data would be read from a missing file: the check comes first
    nowhere = dataclasses.replace(spec.data, path=tmp_path / "nowhere.csv")
    missing = dataclasses.replace(spec, data=nowhere)
    with pytest.raises(DependencyError, match=PAPER):
        run_spec(missing)
    with pytest.raises(DependencyError, match=PAPER):
        write_spec_outputs(spec, _table())
    assert main(["regress", str(tmp_path / "table.toml"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "python-docx" in err and 'pip install "spatialgreen[paper]"' in err
    assert not (tmp_path / "out").exists()  # no table half written
    # without docx among the formats the command works
    args = ["regress", str(tmp_path / "table.toml"), "--quiet", "--formats", "csv,rtf"]
    assert main(args) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "table.csv",
        "table.rtf",
    ]


@pytest.mark.usefixtures("no_matplotlib")
def test_cli_static_map_without_matplotlib(tmp_path, capsys) -> None:
    _panel().to_csv(tmp_path / "p.csv", index=False)
    args = ["map", str(tmp_path / "p.csv"), "--level", "province", "--unit", "unit"]
    args += ["--column", "y", "--time", "year"]
    assert main([*args, "-o", str(tmp_path / "m.png")]) == 2
    err = capsys.readouterr().err
    assert "maps.static needs the optional package 'matplotlib'" in err
    assert 'pip install "spatialgreen[paper]"' in err
    assert not (tmp_path / "m.png").exists()
    # the web map needs no matplotlib
    assert main([*args, "-o", str(tmp_path / "m.html")]) == 0
    assert (tmp_path / "m.html").stat().st_size > 10_000


@pytest.mark.usefixtures("no_matplotlib")
def test_report_skips_drawn_figures_with_one_warning(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(report, "_SKIP_WARNED", [False])
    df = _panel()
    rep = report.Report(tmp_path, title="t")
    rep.table(df, "panel", "The panel")
    with pytest.warns(SpatialGreenWarning) as caught:
        skipped = [
            rep.figure(
                lambda: figures.trend_by_group(df, "y", group="region"), "f", "F"
            ),
            rep.static_map(
                lambda: maps.static(df, "y", level="province", unit="unit"), "m", "M"
            ),
            rep.figure(lambda: figures.kernel_density(df, "y"), "k", "K"),
        ]
    assert skipped == [None, None, None]
    messages = [str(w.message) for w in caught]
    assert messages == [
        "figures and static maps skipped: they need matplotlib, which the default "
        'install leaves out; pip install "spatialgreen[paper]" to draw them'
    ]
    assert caught[0].filename == __file__  # points at the caller's line
    rep.finish()
    assert [a.kind for a in rep.artifacts] == ["table", "workbook"]
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".csv", ".xlsx"]


def test_report_draws_a_figure_given_as_a_function(tmp_path) -> None:
    rep = report.Report(tmp_path, title="t")
    path = rep.figure(
        lambda: figures.trend_by_group(_panel(), "y", group="region"), "f", "F"
    )
    assert path is not None and path.read_bytes()[:4] == b"\x89PNG"
    assert [a.kind for a in rep.artifacts] == ["figure"]


@pytest.mark.usefixtures("no_matplotlib", "no_docx")
def test_analyses_work_without_the_paper_stack(tmp_path, monkeypatch) -> None:
    _hide(monkeypatch, "inequality")
    df = _panel()
    t = convergence.theil(df, "y", group="region", time="year")
    assert len(t.totals) == 4 and (t.totals["theil"] > 0).all()
    assert convergence.sigma(df, "y", time="year")["cv"].notna().all()
    html = maps.to_html(
        maps.choropleth(df, "y", level="province", unit="unit", time="year")
    )
    assert "leaflet" in html.lower()
    assert _table().write(tmp_path / "t.xlsx").exists()


def test_extras_in_pyproject() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project = meta["project"]
    extras = project["optional-dependencies"]

    def names(reqs: list[str]) -> set[str]:
        return {r.split(">")[0].split("[")[0].split("=")[0].strip() for r in reqs}

    default = names(project["dependencies"])
    assert not default & {"matplotlib", "python-docx", "inequality"}
    assert names(extras["paper"]) == {"matplotlib", "python-docx"}
    for extra in ("paper", "dask", "gwr", "county", "parquet"):
        assert set(extras[extra]) <= set(extras["all"]), extra
    assert set(extras["all"]) <= set(extras["dev"])
    assert "inequality" in names(extras["dev"])  # the Theil tests' reference


_BLOCKED_RUN = """
import importlib, importlib.abc, json, pkgutil, sys, warnings

BLOCKED = set({blocked!r})

class _NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None

sys.meta_path.insert(0, _NotInstalled())
import spatialgreen
modules = [m.name for m in pkgutil.walk_packages(spatialgreen.__path__, "spatialgreen.")
           if m.name != "spatialgreen.__main__"]
for name in modules:
    importlib.import_module(name)
for name in spatialgreen.__all__:  # the one-hop names resolve too
    getattr(spatialgreen, name)
from spatialgreen.cli import main
rc = main(["demo", "--recipe", "yrd_decoupling_catchup", "--quick", "--output", "out"])
loaded = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
print(json.dumps({{"modules": len(modules), "rc": rc, "loaded": loaded}}))
"""


def test_import_everything_and_run_the_demo_without_the_paper_stack(tmp_path) -> None:
    """As after ``pip install .``: every module imports, the demo skips its figures."""
    script = _BLOCKED_RUN.format(blocked=PAPER_STACK)
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    # nothing of the stack came in before the blocker (a .pth file could do that)
    assert result["rc"] == 0 and result["modules"] > 100 and result["loaded"] == []
    skipped = [line for line in done.stderr.splitlines() if "skipped" in line]
    assert skipped == [
        "spatialgreen: warning: figures and static maps skipped: they need "
        "matplotlib, which the default install leaves out; pip install "
        '"spatialgreen[paper]" to draw them'
    ]
    out = tmp_path / "out" / "yrd_decoupling_catchup"
    written = {p.suffix for p in out.iterdir()}
    assert {".csv", ".xlsx", ".html"} <= written and ".png" not in written
    assert (tmp_path / "out" / "index.html").exists()
