"""``spatialgreen demo``: run the reference-study recipes on the embedded demo data."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..report import RECIPES, find_recipe_dir, load_recipe
from ._common import add_flag, add_output_arg, command

# RECIPES, find_recipe_dir and load_recipe live in spatialgreen.report (the recipe
# runner); they are re-exported here for the import paths that predate the move.
__all__ = ["RECIPES", "add_parser", "find_recipe_dir", "load_recipe"]

_NOTE = (
    "All numbers come from spatialgreen's SYNTHETIC demo data (seeded, documented "
    "generator): they illustrate the methods and are not statistics."
)


def _arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``spatialgreen demo``."""
    parser.add_argument(
        "--recipe",
        choices=RECIPES,
        action="append",
        help="run only this recipe (repeatable; default: all five)",
    )
    add_output_arg(parser, "output folder (default: maps)", "maps", short=False)
    add_flag(parser, "--quick", "reduced data and repetitions (for smoke tests)")


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


add_parser = command(
    "demo",
    help="run the five reference studies on the embedded demo data",
    description=(
        "Run the reference-study recipes on the embedded SYNTHETIC demo data and "
        "write their tables (CSV/XLSX), figures (PNG), web maps (HTML) and static "
        "maps of China (300 dpi PNG, not approved standard maps) under the "
        "output folder, with an index.html gallery linking them."
    ),
    example="spatialgreen demo --recipe yrd_decoupling_catchup --output maps",
    arguments=_arguments,
    handler=_run,
)
