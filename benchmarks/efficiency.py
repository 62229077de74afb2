"""Benchmark of the efficiency engine against a one-``linprog``-per-unit baseline.

Run: ``python benchmarks/efficiency.py [--quick] [--n-jobs 2]``
or ``python benchmarks/efficiency.py --county [--n-jobs 2] [--cold] [--dask]
[--repeat 3] [--quick]``

Data: 3 inputs, 1 good and 2 bad outputs; a Cobb–Douglas technology with half-normal
inefficiency (seeded). Baseline: the undesirable-output SBM (Tone 2004, CRS, Charnes–
Cooper form) solved with one ``scipy.optimize.linprog(method="highs")`` call per unit
against the full reference set — the approach of the Python DEA packages. For the
285-city x 15-year global Malmquist–Luenberger (SBM) the baseline solves every global
and contemporaneous LP the same way. The table reports times, the speed-up, the
largest absolute score difference and the peak Python memory (tracemalloc, in a
separate run: tracing slows Python down) of our run.

``--county``: the SBM global Malmquist–Luenberger index (GML, CRS, undesirable outputs)
on a SYNTHETIC county-sized panel — 2,875 units x 15 years = 43,125 observations drawn
like the data above (no real counties, no network). "before" is the engine without the
large-set path (every column priced, observations in data order: ``COVER_MIN`` and
``ORDER_MIN`` in ``efficiency/_core.py`` set out of reach), "after" the default; both
run in the same process, side by side, serially and with ``--n-jobs`` local
workers (started before the timed runs), with ``--cold`` also each in a fresh
process whose worker pool starts inside the timed call (start-up and the workers'
imports included, as in a new session), and on a dask ``LocalCluster`` with
``--dask``. Wall and CPU seconds (this process and its children) are the best of
``--repeat`` runs: on a shared machine wall time depends on what else runs, CPU time
much less; the load average is printed before and after. ``max_abs_diff`` compares
every distance of the two runs; distances that differ by more than 1e-9 are solved
once more by ``linprog`` against the full reference set to show which run is right.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pickle
import subprocess
import sys
import tempfile
import time
import tracemalloc
from concurrent import futures
from unittest import mock

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from spatialgreen import _parallel
from spatialgreen.efficiency import _core, productivity_index, sbm

__all__ = ["baseline_sbm", "county", "main", "make_data"]

INPUTS = ["labor", "capital", "energy"]
BADS = ["so2", "cod"]


def make_data(n_units: int, n_years: int = 1, seed: int = 0) -> pd.DataFrame:
    """Cobb–Douglas panel with half-normal inefficiency and two pollutants."""
    rng = np.random.default_rng(seed)
    n = n_units * n_years
    x = rng.lognormal(mean=[3.0, 5.0, 2.0], sigma=0.6, size=(n, 3))
    year = np.tile(np.arange(n_years), n_units)
    u = np.abs(rng.normal(0.0, 0.3, n))
    y = (
        2.0
        * x[:, 0] ** 0.3
        * x[:, 1] ** 0.45
        * x[:, 2] ** 0.2
        * np.exp(0.02 * year - u)
    )
    bads = y[:, None] ** 0.8 * rng.lognormal(0.0, 0.4, size=(n, 2))
    frame = pd.DataFrame(x, columns=INPUTS)
    frame.insert(0, "year", 2005 + year)
    frame.insert(0, "unit", np.repeat(np.arange(n_units), n_years))
    frame["gdp"] = y
    frame[BADS] = bads
    return frame


def baseline_sbm(values: np.ndarray, ref: np.ndarray, m: int, s: int) -> np.ndarray:
    """Undesirable SBM (CRS) by one linprog call per evaluated row of ``values``."""
    q = values.shape[1] - m - s
    d = m + s + q
    n_ref = ref.shape[0]
    # variables: [t, slacks (d), λ (n_ref)]; the λ block is built once, only the t
    # column, the normalisation row and the costs change per unit.
    a_eq = np.zeros((d + 1, 1 + d + n_ref))
    a_eq[:d, 1 : 1 + d] = np.diag(np.r_[np.ones(m), -np.ones(s), np.ones(q)])
    a_eq[:d, 1 + d :] = ref.T
    a_eq[d, 0] = 1.0
    b_eq = np.r_[np.zeros(d), 1.0]
    scores = np.empty(values.shape[0])
    for o, v in enumerate(values):
        a_eq[:d, 0] = -v
        a_eq[d, 1 + m : 1 + d] = 1.0 / ((s + q) * v[m:])
        c = np.zeros(1 + d + n_ref)
        c[0] = 1.0
        c[1 : 1 + m] = -1.0 / (m * v[:m])
        res = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        scores[o] = res.fun if res.status == 0 else np.nan
    return scores


def _timed(func, *args, **kwargs):
    """Wall time of one run, then the peak memory of a second, traced run.

    tracemalloc slows Python code down several times, so time and memory are
    measured in separate runs.
    """
    start = time.perf_counter()
    out = func(*args, **kwargs)
    elapsed = time.perf_counter() - start
    tracemalloc.start()
    func(*args, **kwargs)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return out, elapsed, peak / 2**20


def _cross_section(n: int, n_jobs: int) -> dict:
    data = make_data(n, seed=n)
    cols = [*INPUTS, "gdp", *BADS]
    values = data[cols].to_numpy() / data[cols].to_numpy().mean(axis=0)
    t0 = time.perf_counter()
    base = baseline_sbm(values, values, 3, 1)
    t_base = time.perf_counter() - t0
    res, t_ours, peak = _timed(
        sbm,
        data,
        inputs=INPUTS,
        outputs="gdp",
        bad_outputs=BADS,
        n_jobs=n_jobs,
        progress=False,
    )
    diff = np.nanmax(np.abs(res.scores["score"].to_numpy() - base))
    return {
        "case": f"SBM-U CRS, N={n}",
        "baseline_s": t_base,
        "ours_s": t_ours,
        "max_abs_diff": diff,
        "peak_MiB": peak,
    }


def _global_gml(n_units: int, n_years: int, n_jobs: int) -> dict:
    data = make_data(n_units, n_years, seed=7)
    cols = [*INPUTS, "gdp", *BADS]
    raw = data[cols].to_numpy()
    values = raw / raw.mean(axis=0)
    year = data["year"].to_numpy()
    t0 = time.perf_counter()
    e_global = baseline_sbm(values, values, 3, 1)
    e_own = np.empty(len(data))
    for y in np.unique(year):
        rows = np.flatnonzero(year == y)
        e_own[rows] = baseline_sbm(values[rows], values[rows], 3, 1)
    t_base = time.perf_counter() - t0
    res, t_ours, peak = _timed(
        productivity_index,
        data,
        model="sbm",
        index="gml",
        inputs=INPUTS,
        outputs="gdp",
        bad_outputs=BADS,
        time="year",
        n_jobs=n_jobs,
        progress=False,
    )
    key = pd.MultiIndex.from_frame(data[["unit", "year"]])
    glob = pd.Series(e_global, index=key)
    idx = res.index
    later = glob.loc[pd.MultiIndex.from_frame(idx[["unit", "year"]])].to_numpy()
    earlier = glob.loc[
        pd.MultiIndex.from_arrays([idx["unit"], idx["prev_time"]])
    ].to_numpy()
    diff = np.nanmax(np.abs(idx["index"].to_numpy() - later / earlier))
    del e_own  # solved for the timing (EC needs it); compared through the index
    return {
        "case": f"GML (SBM) {n_units}x{n_years}",
        "baseline_s": t_base,
        "ours_s": t_ours,
        "max_abs_diff": diff,
        "peak_MiB": peak,
    }


COUNTY = (2875, 15)  # units x years of the synthetic county-sized panel


def _cpu_seconds() -> float:
    """CPU time of this process and its live child processes (joblib/dask workers).

    On a shared machine wall time depends on what else runs; CPU time does not.
    """
    try:
        import psutil
    except ImportError:  # optional: the table then shows NaN
        return float("nan")
    me = psutil.Process()
    total = sum(me.cpu_times()[:2])
    for child in me.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            total += sum(child.cpu_times()[:2])
    return total


def _county_gml(
    data: pd.DataFrame, *, before: bool, **run
) -> tuple[float, float, pd.Series]:
    """Wall and CPU time and distances of the SBM-GML run (``before``: no large-set
    path)."""
    off = len(data) + 1  # no reference or evaluated set is this large
    patch = mock.patch.multiple(_core, COVER_MIN=off, ORDER_MIN=off)
    with patch if before else contextlib.nullcontext():
        cpu = _cpu_seconds()
        start = time.perf_counter()
        res = productivity_index(
            data,
            model="sbm",
            index="gml",
            inputs=INPUTS,
            outputs="gdp",
            bad_outputs=BADS,
            time="year",
            progress=False,
            **run,
        )
        elapsed = time.perf_counter() - start
        cpu = _cpu_seconds() - cpu
    dist = res.distances.set_index(["unit", "year", "reference"])["score"]
    return elapsed, cpu, dist


def _row(case: str, before: list, after: list, diff: pd.Series) -> dict:
    """A before/after row from ``(wall, cpu)`` repeats: the best of each."""
    t_before, c_before = min(b[0] for b in before), min(b[1] for b in before)
    t_after, c_after = min(a[0] for a in after), min(a[1] for a in after)
    return {
        "case": case,
        "before_s": t_before,
        "after_s": t_after,
        "speedup": t_before / t_after,
        "before_cpu_s": c_before,
        "after_cpu_s": c_after,
        "cpu_ratio": c_before / c_after,
        "max_abs_diff": float(diff.max()),
        "n_diff_gt_1e-9": int((diff > 1e-9).sum()),
    }


def _county_row(
    data: pd.DataFrame, case: str, repeat: int, **run
) -> tuple[dict, tuple[pd.Series, pd.Series]]:
    """One before/after row, the two runs alternating with the same backend; the
    best of ``repeat`` runs of each."""
    before_runs, after_runs = [], []
    for _ in range(repeat):
        t_before, c_before, before = _county_gml(data, before=True, **run)
        t_after, c_after, after = _county_gml(data, before=False, **run)
        before_runs.append((t_before, c_before))
        after_runs.append((t_after, c_after))
    row = _row(case, before_runs, after_runs, (after - before).abs())
    return row, (before, after)


def _cold_child(path: str) -> None:
    """In a fresh process: one run as the parent asks (see :func:`_cold_row`)."""
    with open(path, "rb") as handle:
        job = pickle.load(handle)
    data = make_data(*job["size"], seed=7)
    elapsed, cpu, dist = _county_gml(data, before=job["before"], n_jobs=job["n_jobs"])
    with open(path, "wb") as handle:
        pickle.dump((elapsed, cpu, dist), handle)


def _cold_row(
    size: tuple[int, int], n_jobs: int, repeat: int
) -> tuple[dict, pd.Series]:
    """Before/after in fresh processes: the worker pool starts inside the timed call
    (process start-up and the workers' imports included), as in a new session."""
    runs: dict[bool, list] = {True: [], False: []}
    dists: dict[bool, pd.Series] = {}
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "job.pickle")
        for _ in range(repeat):
            for before in (True, False):
                with open(path, "wb") as handle:
                    job = {"size": size, "before": before, "n_jobs": n_jobs}
                    pickle.dump(job, handle)
                subprocess.run(
                    [sys.executable, __file__, "--cold-child", path], check=True
                )
                with open(path, "rb") as handle:
                    elapsed, cpu, dists[before] = pickle.load(handle)
                runs[before].append((elapsed, cpu))
    case = f"SBM-GML {size[0]}x{size[1]} synthetic, n_jobs={n_jobs}, cold process"
    diff = (dists[False] - dists[True]).abs()
    return _row(case, runs[True], runs[False], diff), dists[False]


def _check_disagreements(
    data: pd.DataFrame, before: pd.Series, after: pd.Series
) -> str:
    """Solve the distances on which the runs differ by > 1e-9 with linprog."""
    diff = (after - before).abs()
    bad = diff[diff > 1e-9].index
    if bad.empty:
        return "none"
    cols = [*INPUTS, "gdp", *BADS]
    raw = data[cols].to_numpy()
    values = raw / raw.mean(axis=0)
    pos = {key: i for i, key in enumerate(zip(data["unit"], data["year"], strict=True))}
    year = data["year"].to_numpy()
    notes = []
    for unit, yr, reference in bad:
        i = pos[(unit, yr)]
        ref = values if reference == "global" else values[year == yr]
        exact = baseline_sbm(values[[i]], ref, 3, 1)[0]
        b, a = before[(unit, yr, reference)], after[(unit, yr, reference)]
        notes.append(
            f"{unit}@{yr} {reference}: linprog {exact:.15f}, |before-linprog| "
            f"{abs(b - exact):.1e}, |after-linprog| {abs(a - exact):.1e}"
        )
    return "; ".join(notes)


def county(
    n_jobs: int = 1,
    dask: bool = False,
    quick: bool = False,
    repeat: int = 1,
    cold: bool = False,
) -> pd.DataFrame:
    """Before/after table of the county-scale SBM-GML (see the module notes);
    ``quick``: 600 units instead of 2,875 (a smoke run); ``repeat``: the best of
    that many runs per cell; ``cold``: also time ``n_jobs`` in fresh processes."""
    size = (600, COUNTY[1]) if quick else COUNTY
    data = make_data(*size, seed=7)
    label = f"SBM-GML {size[0]}x{size[1]} synthetic"
    print(f"load average before: {_load()}")
    rows = []
    results = {}
    if cold and n_jobs != 1:
        row, results["cold"] = _cold_row(size, n_jobs, repeat)
        rows.append(row)
    for n in [1] if n_jobs == 1 else [1, n_jobs]:
        # start the workers and their imports: this row times warm workers
        _county_gml(make_data(50, 3, seed=7), before=False, n_jobs=n)
        futures.wait(_parallel._STARTING["futures"])  # until every worker is up
        row, results[n] = _county_row(data, f"{label}, n_jobs={n}", repeat, n_jobs=n)
        rows.append(row)
    if dask:
        from dask.distributed import Client, LocalCluster

        workers = max(n_jobs, 1)
        with (
            LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            ) as cluster,
            Client(cluster) as client,
        ):
            case = f"{label}, dask LocalCluster {workers} workers"
            row, results["dask"] = _county_row(data, case, repeat, client=client)
        rows.append(row)
    table = pd.DataFrame(rows)
    with pd.option_context(
        "display.width", 200, "display.float_format", "{:.3g}".format
    ):
        print(table.to_string(index=False))
    print(f"load average after: {_load()} (2 cores; times are the best of {repeat})")
    serial = results[1][1]
    same = {
        str(k): float(((v if k == "cold" else v[1]) - serial).abs().max())
        for k, v in results.items()
        if k != 1
    }
    print(f"after-path distances vs the serial after-path run: max abs diff {same}")
    checked = _check_disagreements(data, *results[1])
    print(f"distances differing by > 1e-9, checked with linprog: {checked}")
    return table


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # not available on this platform
        return "n/a"


def main(argv: list[str] | None = None) -> pd.DataFrame:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument(
        "--county",
        action="store_true",
        help="SBM-GML on a synthetic 2,875 x 15 panel, before/after the large-set path",
    )
    parser.add_argument(
        "--dask", action="store_true", help="with --county: also on a LocalCluster"
    )
    parser.add_argument(
        "--cold",
        action="store_true",
        help="with --county: also time --n-jobs in fresh processes (pool start-up)",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="with --county: best of this many runs"
    )
    parser.add_argument("--cold-child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.cold_child:
        _cold_child(args.cold_child)
        return pd.DataFrame()
    if args.county:
        return county(args.n_jobs, args.dask, args.quick, args.repeat, args.cold)
    sizes = (100, 300) if args.quick else (300, 1000, 3000)
    rows = [_cross_section(n, args.n_jobs) for n in sizes]
    rows.append(
        _global_gml(60, 5, args.n_jobs)
        if args.quick
        else _global_gml(285, 15, args.n_jobs)
    )
    table = pd.DataFrame(rows)
    table["speedup"] = table["baseline_s"] / table["ours_s"]
    with pd.option_context(
        "display.width", 120, "display.float_format", "{:.3g}".format
    ):
        print(table.to_string(index=False))
    return table


if __name__ == "__main__":
    main()
