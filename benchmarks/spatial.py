"""Speed of LeSage–Pace effect simulation and of the fixed-effects spatial panel ML.

Run ``python benchmarks/spatial.py``. Baselines are measured in the same run:

* effects: the textbook route that inverts ``I − ρW`` for every simulated draw
  (timed on 20 draws and scaled to 1000) against spatialgreen's single
  eigendecomposition of ``W``;
* panel SAR with unit effects: spreg's ``Panel_FE_Lag`` (same estimates, tested)
  against :func:`spatialgreen.spatial.spatial_panel`.
"""

from __future__ import annotations

import contextlib
import io
import time

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


def main() -> None:
    table = pd.DataFrame(bench_effects() + bench_panel())
    table["speed-up"] = table["baseline_s"] / table["spatialgreen_s"]
    with pd.option_context("display.float_format", "{:.3f}".format):
        print(table.to_string(index=False))


if __name__ == "__main__":
    main()
