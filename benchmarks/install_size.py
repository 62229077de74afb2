"""Benchmark: the disk size of a fresh virtual environment with spatialgreen installed.

Issue 19's target: ``pip install .`` into a fresh venv under 700 MB. Each row is a new
venv in a temporary folder (``python -m venv``, then ``pip install``) measured with
``du -sm``:

- ``empty venv``: the venv alone (pip, setuptools);
- ``baseline``: the tree at git commit 7a12ec8, before issue 19 (taken with
  ``git archive``, which leaves the checkout's state alone);
- ``default``: ``pip install .`` of the working tree;
- ``paper``: ``pip install ".[paper]"`` (figures, static maps, Word tables).

Ratios are against the baseline measured in the same run, for the whole venv and for
what the install added to the empty venv. Installing downloads from the package index
the machine is set up with (or pip's cache). Run::

    python benchmarks/install_size.py [--keep] [--baseline COMMIT]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = "7a12ec8"  # before issue 19
TARGET_MB = 700


def _du_mb(path: Path) -> int:
    out = subprocess.run(
        ["du", "-sm", str(path)], check=True, capture_output=True, text=True
    ).stdout
    return int(out.split()[0])


def _venv(folder: Path, requirement: str | None) -> tuple[Path, float]:
    """A fresh venv in ``folder`` with ``requirement`` pip-installed; wall seconds."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    if requirement is not None:
        subprocess.run(
            [
                str(folder / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                requirement,
            ],
            check=True,
        )
    return folder, time.perf_counter() - start


def _distributions(venv: Path) -> dict[str, int]:
    """Installed distributions of ``venv`` -> their size in MB (files by RECORD)."""
    sizes: dict[str, int] = {}
    for site in venv.glob("lib/python*/site-packages"):
        for info in site.glob("*.dist-info"):
            name = info.name.split("-")[0].lower().replace("_", "-")
            total = 0
            record = info / "RECORD"
            if record.exists():
                for line in record.read_text(encoding="utf-8").splitlines():
                    path = site / line.split(",")[0]
                    if path.is_file():
                        total += path.stat().st_size
            sizes[name] = round(total / 2**20)
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--keep", action="store_true", help="keep the venvs (their folder is printed)"
    )
    parser.add_argument(
        "--baseline", default=BASELINE, help=f"commit to compare (default {BASELINE})"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sg-install-size-"))
    try:
        tree = work / "baseline-tree"
        tree.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", args.baseline],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
        plan = [
            ("empty venv", None),
            (f"baseline ({args.baseline})", str(tree)),
            ("default: pip install .", str(ROOT)),
            ('paper: pip install ".[paper]"', f"{ROOT}[paper]"),
        ]
        rows = []
        for i, (label, requirement) in enumerate(plan):
            print(f"building {label} …", file=sys.stderr, flush=True)
            venv, wall = _venv(work / f"venv{i}", requirement)
            rows.append((label, venv, _du_mb(venv), wall))
        empty, base = rows[0][2], rows[1][2]
        print(
            f"{'venv':34} {'MB':>6} {'vs base':>8} {'added MB':>9} "
            f"{'added vs base':>14} {'build s':>8}"
        )
        for label, _, mb, wall in rows:
            added = mb - empty
            print(
                f"{label:34} {mb:6d} {mb / base:8.2f} {added:9d} "
                f"{added / (base - empty):14.2f} {wall:8.0f}"
            )
        default = rows[2][2]
        print(
            f"target: default install < {TARGET_MB} MB: {default} MB "
            f"({'met' if default < TARGET_MB else 'NOT met'})"
        )
        before, after = _distributions(rows[1][1]), _distributions(rows[2][1])
        gone = sorted(set(before) - set(after), key=lambda n: -before[n])
        print(
            "left out of the default install: "
            + ", ".join(f"{n} {before[n]}" for n in gone)
            + f" (MB by RECORD; {sum(before[n] for n in gone)} MB in all)"
        )
        added = sorted(set(after) - set(before))
        if added:
            print("new in the default install: " + ", ".join(added))
    finally:
        if args.keep:
            print(f"venvs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
