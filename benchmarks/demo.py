"""Benchmark: ``spatialgreen demo`` (all five recipes, full settings), target 30 s.

Two measurements in one run:

1. the command as a user runs it, ``python -m spatialgreen demo`` in a fresh
   process (start-up, imports, the five recipes, the gallery): wall and CPU time
   (user + system of the child process);
2. each recipe again in this process, after the imports, in gallery order: wall
   and CPU time, files written and its share of the recipes' CPU time, which says
   where the time goes.

The target is absolute: the whole demo in under 30 s on a 2-core machine. There is
no same-run baseline, and none can be made: the previous ~50 s came from esda
compiling its numba LISA kernel on the first call, a code path that no longer
exists (numba is not a dependency any more), so it cannot be run beside the
current one. The demo runs in one process on one core (every recipe uses
``n_jobs=1``), so on an idle machine its wall time is about its CPU time; on a
shared machine the wall clock is noisy and the CPU column is the one to judge.
Run::

    python benchmarks/demo.py [--output DIR] [--in-process-only]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from spatialgreen.report import RECIPES, load_recipe

TARGET_S = 30.0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_command(out: Path) -> tuple[float, float, int]:
    """``python -m spatialgreen demo`` in a fresh process: wall s, CPU s, files."""
    cpu, wall = _children_cpu(), time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "spatialgreen", "demo", "--output", str(out)],
        capture_output=True,
        text=True,
    )
    wall, cpu = time.perf_counter() - wall, _children_cpu() - cpu
    if proc.returncode != 0:
        raise SystemExit(f"spatialgreen demo failed:\n{proc.stderr}")
    files = sum(1 for p in out.rglob("*") if p.is_file())
    return wall, cpu, files


def run_recipes(out: Path) -> list[tuple[str, float, float, int]]:
    """Each recipe in this process: name, wall s, CPU s, files written."""
    rows = []
    for name in RECIPES:
        recipe = load_recipe(name)
        wall, cpu = time.perf_counter(), time.process_time()
        with warnings.catch_warnings():
            # the recipes' own warnings (filled cells, stage-2 notes) are not timed
            # output; `spatialgreen demo` shows them
            warnings.simplefilter("ignore")
            report = recipe.run(out / name)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        rows.append((name, wall, cpu, len(report.artifacts)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--output", default=None, help="output folder (default: a temp dir)"
    )
    parser.add_argument(
        "--in-process-only",
        action="store_true",
        help="skip the fresh-process run of the command",
    )
    args = parser.parse_args()
    out = Path(args.output or tempfile.mkdtemp(prefix="sg-demo-bench-"))
    command = None if args.in_process_only else run_command(out / "command")
    rows = run_recipes(out / "recipes")
    total_cpu = sum(r[2] for r in rows)
    print(f"{'run':36} {'wall s':>8} {'cpu s':>8} {'files':>6} {'cpu %':>6}")
    if command is not None:
        wall, cpu, files = command
        print(f"{'python -m spatialgreen demo':36} {wall:8.1f} {cpu:8.1f} {files:6d}")
    for name, wall, cpu, files in rows:
        share = 100 * cpu / total_cpu
        print(f"  {name:34} {wall:8.1f} {cpu:8.1f} {files:6d} {share:6.0f}")
    total_wall = sum(r[1] for r in rows)
    print(f"  {'recipes in this process':34} {total_wall:8.1f} {total_cpu:8.1f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    wall, cpu = command[:2] if command is not None else (total_wall, total_cpu)
    what = "the command" if command is not None else "the recipes"
    print(
        f"target {TARGET_S:.0f} s on 2 cores: {what} took {wall / TARGET_S:.2f} of "
        f"it in wall time ({'within' if wall < TARGET_S else 'OVER'}), "
        f"{cpu / TARGET_S:.2f} in CPU time ({'within' if cpu < TARGET_S else 'OVER'}"
        f"); no same-run baseline (see the docstring); peak RSS {peak:.0f} MB"
    )


if __name__ == "__main__":
    main()
