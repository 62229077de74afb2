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
__all__ = ["RECIPES", "add_parser", "find_recipe_dir", "load_recipe", "step_line"]

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
    from tqdm import tqdm

    from ..report import write_gallery

    out = Path(args.output)
    names = args.recipe or RECIPES
    reports = []
    # A bar names the recipe running when stderr is a terminal (tqdm leaves it out
    # otherwise); every finished recipe is one step line on stdout either way.
    with tqdm(names, desc="demo", unit="recipe", disable=None, leave=False) as bar:
        for step, name in enumerate(bar, start=1):
            bar.set_postfix_str(name)
            start = time.perf_counter()
            report = load_recipe(name).run(out / name, quick=args.quick)
            reports.append(report)
            seconds = time.perf_counter() - start
            tqdm.write(
                step_line(step, len(names), name, len(report.artifacts), seconds)
                + f" -> {out / name}",
                file=sys.stdout,
            )
            sys.stdout.flush()
    index = write_gallery(
        reports,
        out / "index.html",
        title="spatialgreen demo: the five reference studies",
        note=_NOTE,
    )
    n = sum(len(r.artifacts) for r in reports)
    print(f"wrote {n} tables, figures and maps; open {index.resolve()}")
    return 0


def step_line(step: int, steps: int, name: str, files: int, seconds: float) -> str:
    """The line of one finished step: ``[2/5] <name>: 28 files in 4.9 s``.

    Examples
    --------
    >>> step_line(2, 5, "nqpf_gtfp_provinces", 28, 4.94)
    '[2/5] nqpf_gtfp_provinces: 28 files in 4.9 s'
    """
    return f"[{step}/{steps}] {name}: {files} files in {seconds:.1f} s"


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
