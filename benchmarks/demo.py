"""Benchmark: the full ``spatialgreen demo`` (all five recipes, full settings).

The target is absolute — the whole demo in under five minutes on a 2-core machine —
so the table reports each recipe's wall and CPU time and the share of the 300-second
budget used. Run::

    python benchmarks/demo.py [--output DIR]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from spatialgreen.cli.cmd_demo import RECIPES, load_recipe

BUDGET_S = 300.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--output", default=None, help="output folder (default: a temp dir)"
    )
    args = parser.parse_args()
    out = Path(args.output or tempfile.mkdtemp(prefix="sg-demo-bench-"))
    rows = []
    for name in RECIPES:
        wall, cpu = time.perf_counter(), time.process_time()
        report = load_recipe(name).run(out / name)
        rows.append(
            (
                name,
                time.perf_counter() - wall,
                time.process_time() - cpu,
                len(report.artifacts),
            )
        )
    total = sum(r[1] for r in rows)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'recipe':32} {'wall s':>8} {'cpu s':>8} {'files':>6}")
    for name, w, c, n in rows:
        print(f"{name:32} {w:8.1f} {c:8.1f} {n:6d}")
    print(f"{'total':32} {total:8.1f} {sum(r[2] for r in rows):8.1f}")
    print(
        f"budget {BUDGET_S:.0f} s: used {total / BUDGET_S:.2f} of it "
        f"({'within' if total < BUDGET_S else 'OVER'} target); peak RSS {peak:.0f} MB"
    )


if __name__ == "__main__":
    main()
