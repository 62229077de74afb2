"""Collect the tables, figures and web maps of a study into one output folder.

A :class:`Report` writes every artifact as it is added (tables as CSV and into one
XLSX workbook, figures as PNG, web maps as self-contained offline HTML, static maps
as 300 dpi PNG), remembers a one-line caption for each, and :func:`write_gallery`
builds an ``index.html`` that links every artifact of one or several reports, usable
offline, each static map shown beside its web map.

Examples
--------
>>> import tempfile, pandas as pd
>>> from spatialgreen.report import Report
>>> rep = Report(tempfile.mkdtemp(), title="Example")
>>> _ = rep.table(pd.DataFrame({"a": [1]}), "scores", "Scores by unit")
>>> [a.caption for a in rep.artifacts]
['Scores by unit']
"""

from __future__ import annotations

import argparse
import dataclasses
import html
import importlib.util
import os
import urllib.parse
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd

from ._io import atomic_write, write_table, write_tables
from .errors import DependencyError, SpatialGreenWarning, _require
from .results import export_frame

__all__ = [
    "RECIPES",
    "Artifact",
    "Report",
    "find_recipe_dir",
    "load_recipe",
    "recipe_parser",
    "run_recipe",
    "write_gallery",
    "write_named_tables",
]


@dataclasses.dataclass(frozen=True)
class Artifact:
    """One output file with its kind (table, figure, map) and caption."""

    kind: str
    path: Path
    caption: str


class Report:
    """An output folder that records what was written to it.

    Parameters
    ----------
    folder : path-like
        Where the files go (created).
    title : str
        Title of the study, used in the gallery.
    """

    def __init__(self, folder: str | os.PathLike[str], *, title: str):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.title = title
        self.artifacts: list[Artifact] = []
        self._tables: dict[str, pd.DataFrame] = {}

    def _add(self, kind: str, path: Path, caption: str) -> Path:
        self.artifacts.append(Artifact(kind, path, caption))
        return path

    def table(self, df: pd.DataFrame, name: str, caption: str) -> Path:
        """Write ``df`` as ``<name>.csv`` (and later into ``tables.xlsx``).

        A meaningful index (named or not integer, e.g. the variable names of an
        effects table) is kept as the first column(s); row numbers are dropped.
        """
        if df.empty:
            raise ValueError(f"table {name!r} of {self.title!r} is empty")
        frame = export_frame(df)
        geometry = getattr(frame, "_geometry_column_name", None)
        if geometry in frame.columns:  # tables hold attributes; polygons go to maps
            frame = pd.DataFrame(frame.drop(columns=geometry))
        self._tables[name] = frame
        return self._add(
            "table", write_table(frame, self.folder / f"{name}.csv"), caption
        )

    def figure(
        self, fig: Any, name: str, caption: str, *, dpi: int = 150
    ) -> Path | None:
        """Save a matplotlib figure as ``<name>.png`` and close it.

        ``fig`` may be a function drawing it (``lambda: figures.kernel_density(...)``):
        without matplotlib (the ``paper`` extra) it is then skipped with a warning
        and None is returned, so a study still writes its tables and web maps.
        """
        fig = _drawn(fig)
        if fig is None:
            return None
        import matplotlib.pyplot as plt

        path = atomic_write(
            self.folder / f"{name}.png",
            lambda t: fig.savefig(t, dpi=dpi, format="png", bbox_inches="tight"),
        )
        plt.close(fig)
        return self._add("figure", path, caption)

    def map(self, fmap: Any, name: str, caption: str) -> Path:
        """Save a folium map as self-contained offline ``<name>.html``."""
        from . import maps

        path = maps.save(fmap, self.folder / f"{name}.html", offline=True)
        return self._add("map", Path(path), caption)

    def static_map(self, fig: Any, name: str, caption: str) -> Path | None:
        """Save a static map (:func:`spatialgreen.maps.static`) as 300 dpi PNG.

        Named like its web map (``<name>.png`` beside ``<name>.html``), the gallery
        shows it in the web map's card. The PNG carries the standard-map caveat in
        its metadata. ``fig`` may be a function drawing it, skipped without
        matplotlib as in :meth:`figure`.
        """
        fig = _drawn(fig)
        if fig is None:
            return None
        import matplotlib.pyplot as plt

        from .figures import save

        path = save(fig, self.folder / f"{name}.png", dpi=300)
        plt.close(fig)
        return self._add("static map", path, caption)

    def text(
        self, content: str, name: str, caption: str, *, suffix: str = ".txt"
    ) -> Path:
        """Write a text artifact (e.g. a model summary or a LaTeX table)."""
        path = atomic_write(
            self.folder / f"{name}{suffix}",
            lambda t: t.write_text(content, encoding="utf-8"),
        )
        return self._add("text", path, caption)

    def finish(self) -> Path | None:
        """Write all tables into ``tables.xlsx`` (one sheet each); return its path."""
        if not self._tables:
            return None
        path = write_tables(self._tables, self.folder / "tables.xlsx")
        self._add("workbook", path, "All tables of this study in one workbook")
        return path


#: Whether the "figures skipped" warning was given (once per run, not per figure).
_SKIP_WARNED = [False]


def _drawn(fig: Any) -> Any:
    """``fig``, or ``fig()`` when it is a function; None when matplotlib is missing."""
    if not callable(fig):
        return fig
    try:
        _require("matplotlib", "paper", "figures")
    except DependencyError:
        if not _SKIP_WARNED[0]:
            _SKIP_WARNED[0] = True
            warnings.warn(
                "figures and static maps skipped: they need matplotlib, which the "
                'default install leaves out; pip install "spatialgreen[paper]" to '
                "draw them",
                SpatialGreenWarning,
                stacklevel=3,
            )
        return None
    return fig()


def write_named_tables(
    tables: Mapping[str, pd.DataFrame], output: str | os.PathLike[str]
) -> list[Path]:
    """Write named tables to one workbook, CSV files, or a folder of CSVs.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        Table name -> table, written in this order and as they are (no index).
    output : path-like
        ``<name>.xlsx``: one workbook, a sheet per table (names made valid for
        Excel). ``<name>.csv``: that file for a single table, else
        ``<name>_<table>.csv`` beside it for each table. Anything else: a folder
        (created) holding ``<table>.csv`` for each table.

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of ``tables``. Every file is written
        atomically and never over a registered input file.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> t = pd.DataFrame({"x": [1.0]})
    >>> tables = {"sigma": t, "beta": t}
    >>> [p.name for p in write_named_tables(tables, folder / "conv.csv")]
    ['conv_sigma.csv', 'conv_beta.csv']
    >>> [p.name for p in write_named_tables(tables, folder / "out")]
    ['sigma.csv', 'beta.csv']
    >>> [p.name for p in write_named_tables(tables, folder / "conv.xlsx")]
    ['conv.xlsx']
    """
    out = Path(output)
    if out.suffix.lower() == ".xlsx":
        return [write_tables(tables, out)]
    if out.suffix.lower() == ".csv":
        if len(tables) == 1:
            return [write_table(next(iter(tables.values())), out)]
        return [
            write_table(t, out.with_name(f"{out.stem}_{k}.csv"))
            for k, t in tables.items()
        ]
    return [write_table(t, out / f"{k}.csv") for k, t in tables.items()]


_CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;
 max-width:1100px;color:#222}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:1em}
.card{border:1px solid #ddd;border-radius:6px;padding:.6em;background:#fafafa}
.card img{width:100%;height:auto;border:1px solid #eee}
.kind{font-size:.75em;text-transform:uppercase;color:#777}
.note{background:#fff3cd;border:1px solid #e0c36b;padding:.6em;border-radius:4px}
"""


def write_gallery(
    reports: Sequence[Report],
    path: str | os.PathLike[str],
    *,
    title: str,
    note: str = "",
) -> Path:
    """Write an offline ``index.html`` linking every artifact of ``reports``.

    Links are relative to the gallery's folder, figures and static maps are shown
    as thumbnails (a static map inside the card of the web map of the same name,
    beside its link) and every caption is HTML-escaped.
    """
    root = Path(path).parent
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    if note:
        parts.append(f"<p class='note'>{html.escape(note)}</p>")
    for rep in reports:
        parts.append(f"<h2>{html.escape(rep.title)}</h2><div class='grid'>")
        web = {a.path.stem for a in rep.artifacts if a.kind == "map"}
        statics = {
            a.path.stem: a
            for a in rep.artifacts
            if a.kind == "static map" and a.path.stem in web
        }
        for art in rep.artifacts:
            if art.kind == "static map" and art.path.stem in web:
                continue  # shown in its web map's card
            href = _href(art.path, root)
            kind = art.kind
            thumb = (
                f"<a href='{href}'><img src='{href}' alt=''></a>"
                if art.kind in ("figure", "static map")
                else ""
            )
            links = f"<a href='{href}'>{html.escape(art.path.name)}</a>"
            twin = statics.get(art.path.stem) if art.kind == "map" else None
            if twin is not None:
                png = _href(twin.path, root)
                kind = "web map + static map"
                thumb = f"<a href='{png}'><img src='{png}' alt=''></a>"
                links += f" · <a href='{png}'>{html.escape(twin.path.name)}</a>"
            parts.append(
                f"<div class='card'><div class='kind'>{html.escape(kind)}</div>"
                f"{thumb}{links}"
                f"<p>{html.escape(art.caption)}</p></div>"
            )
        parts.append("</div>")
    parts.append("</body></html>")
    text = "\n".join(parts)
    return atomic_write(path, lambda t: t.write_text(text, encoding="utf-8"))


def _href(path: Path, root: Path) -> str:
    """``path`` relative to ``root``, URL-quoted and escaped for an attribute."""
    rel = os.path.relpath(path, root).replace(os.sep, "/")
    return html.escape(urllib.parse.quote(rel))


#: The reference-study recipes shipped with the package, in gallery order.
RECIPES = (
    "yangtze_industrial_gtfp",
    "nqpf_gtfp_provinces",
    "yrd_decoupling_catchup",
    "resource_city_ecoefficiency",
    "clusters_and_green_flows",
)


def find_recipe_dir() -> Path:
    """The folder of the recipe scripts: in the installed wheel, or ``recipes/``.

    Raises
    ------
    FileNotFoundError
        Neither ``spatialgreen/_recipes`` nor the source tree's ``recipes/`` holds
        them.

    Examples
    --------
    >>> (find_recipe_dir() / f"{RECIPES[0]}.py").exists()
    True
    """
    package = Path(__file__).resolve().parent
    for candidate in (package / "_recipes", package.parent / "recipes"):
        if (candidate / f"{RECIPES[0]}.py").exists():
            return candidate
    raise FileNotFoundError(
        f"recipe scripts not found next to the package ({package}); "
        "reinstall spatialgreen"
    )


def load_recipe(name: str) -> ModuleType:
    """Import the recipe script ``name`` (one of :data:`RECIPES`) as a module.

    Its ``run(output, quick=...)`` returns the study's :class:`Report`.

    Examples
    --------
    >>> callable(load_recipe("yrd_decoupling_catchup").run)
    True
    """
    path = find_recipe_dir() / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"spatialgreen_recipe_{name}", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"cannot load recipe {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def recipe_parser(
    description: str, *, default_output: str, panel: str | None = None
) -> argparse.ArgumentParser:
    """The command-line parser shared by the recipe scripts.

    Always ``--output`` and ``--quick``; with ``panel`` (e.g. ``"provincial"``) also
    ``--data``, ``--unit`` and ``--time`` for running the study on the user's file.
    Recipes add their own options to it.

    Examples
    --------
    >>> p = recipe_parser("demo", default_output="out", panel="city")
    >>> a = p.parse_args(["--unit", "城市"])
    >>> a.output, a.unit, a.time, a.data
    ('out', '城市', 'year', None)
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--output", default=default_output, help="output folder")
    parser.add_argument(
        "--quick", action="store_true", help="reduced data and repetitions"
    )
    if panel:
        parser.add_argument("--data", help=f"your {panel} panel (.csv/.xlsx/.parquet)")
        parser.add_argument(
            "--unit", default="adcode", help="unit column (names or adcodes)"
        )
        parser.add_argument("--time", default="year", help="year column")
    return parser


def run_recipe(
    run: Callable[..., Report], args: argparse.Namespace, **options: Any
) -> Report:
    """Call a recipe's ``run(output, quick=..., **options)`` and say what it wrote."""
    if hasattr(args, "data"):
        options = {"data": args.data, "unit": args.unit, "time": args.time, **options}
    report = run(args.output, quick=args.quick, **options)
    print(f"wrote {len(report.artifacts)} files to {report.folder}")
    return report
