"""``spatialgreen demo``: run the reference-study recipes on the embedded demo data."""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path
from types import ModuleType

from ._common import add_command, add_output_arg

__all__ = ["RECIPES", "add_parser", "find_recipe_dir", "load_recipe"]

RECIPES = (
    "yangtze_industrial_gtfp",
    "nqpf_gtfp_provinces",
    "yrd_decoupling_catchup",
    "resource_city_ecoefficiency",
    "clusters_and_green_flows",
)

_NOTE = (
    "All numbers come from spatialgreen's SYNTHETIC demo data (seeded, documented "
    "generator): they illustrate the methods and are not statistics."
)


def find_recipe_dir() -> Path:
    """The recipes folder: inside the installed wheel, or the tree's ``recipes/``."""
    package = Path(__file__).resolve().parents[1]
    for candidate in (package / "_recipes", package.parent / "recipes"):
        if (candidate / f"{RECIPES[0]}.py").exists():
            return candidate
    raise FileNotFoundError(
        f"recipe scripts not found next to the package ({package}); "
        "reinstall spatialgreen"
    )


def load_recipe(name: str) -> ModuleType:
    """Import one recipe script as a module."""
    path = find_recipe_dir() / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"spatialgreen_recipe_{name}", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"cannot load recipe {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``spatialgreen demo``."""
    parser = add_command(
        subparsers,
        "demo",
        help="run the five reference studies on the embedded demo data",
        description=(
            "Run the reference-study recipes on the embedded SYNTHETIC demo data and "
            "write their tables (CSV/XLSX), figures (PNG) and web maps (HTML) "
            "under the "
            "output folder, with an index.html gallery linking them."
        ),
        example="spatialgreen demo --recipe yrd_decoupling_catchup --output maps",
    )
    parser.add_argument(
        "--recipe",
        choices=RECIPES,
        action="append",
        help="run only this recipe (repeatable; default: all five)",
    )
    add_output_arg(
        parser, default="maps", help="output folder (default: maps)", short=False
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="reduced data and repetitions (for smoke tests)",
    )
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from ..report import write_gallery

    out = Path(args.output)
    reports = []
    for name in args.recipe or RECIPES:
        start = time.perf_counter()
        print(f"running recipe {name} …", file=sys.stderr, flush=True)
        recipe = load_recipe(name)
        reports.append(recipe.run(out / name, quick=args.quick))
        print(
            f"  done in {time.perf_counter() - start:.1f} s -> {out / name}", flush=True
        )
    index = write_gallery(
        reports,
        out / "index.html",
        title="spatialgreen demo: the five reference studies",
        note=_NOTE,
    )
    n = sum(len(r.artifacts) for r in reports)
    print(f"wrote {n} tables, figures and maps; open {index.resolve()}")
    return 0
