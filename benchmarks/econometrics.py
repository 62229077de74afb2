"""Speed of the resampling procedures: placebo permutations and mediation bootstrap.

Run ``python benchmarks/econometrics.py``. The baseline, measured in the same run,
re-estimates each draw with ``linearmodels.PanelOLS`` (what a user would write in a
loop); it is timed on a subset of draws and scaled to the full count. spatialgreen's
routes within-transform the fixed parts once (placebo) or refit with numpy on the
within-transformed resample (bootstrap); tests pin both to linearmodels.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from linearmodels import PanelOLS

from spatialgreen.econometrics import mediation, placebo

__all__: list[str] = []


def _panel(n_units: int, n_years: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "unit": np.repeat(np.arange(n_units), n_years),
            "year": np.tile(np.arange(2000, 2000 + n_years), n_units),
        }
    )
    n = len(df)
    alpha = np.repeat(rng.normal(size=n_units), n_years)
    df[["c1", "c2", "c3", "c4"]] = rng.normal(size=(n, 4))
    df["x"] = rng.normal(size=n) + alpha
    df["m"] = 0.6 * df["x"] + alpha + rng.normal(size=n)
    df["y"] = 0.3 * df["x"] + 0.5 * df["m"] + df["c1"] + alpha + rng.normal(size=n)
    return df


def _lm_fit(df: pd.DataFrame, y: str, cols: list[str]) -> float:
    idx = df.set_index(["unit", "year"])
    res = PanelOLS(idx[y], idx[cols], entity_effects=True, time_effects=True).fit(
        cov_type="clustered", cluster_entity=True
    )
    return float(res.params[cols[0]])


def _baseline_placebo(df: pd.DataFrame, reps: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    controls = ["c1", "c2", "c3", "c4"]
    for _ in range(reps):
        shuffled = df.assign(x=rng.permutation(df["x"].to_numpy()))
        _lm_fit(shuffled, "y", ["x", *controls])


def _baseline_bootstrap(df: pd.DataFrame, reps: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    units = df["unit"].unique()
    groups = dict(tuple(df.groupby("unit")))
    controls = ["c1", "c2", "c3", "c4"]
    for _ in range(reps):
        pick = rng.choice(units, size=len(units))
        sample = pd.concat(
            [groups[u].assign(unit=i) for i, u in enumerate(pick)], ignore_index=True
        )
        _lm_fit(sample, "m", ["x", *controls])
        _lm_fit(sample, "y", ["x", "m", *controls])


def _time(func) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def main() -> None:
    """Print the benchmark table."""
    reps, baseline_reps = 1000, 50
    rows = []
    for n_units, n_years in [(30, 10), (30, 18), (280, 18)]:
        df = _panel(n_units, n_years)
        kw = {
            "y": "y",
            "x": "x",
            "controls": ["c1", "c2", "c3", "c4"],
            "cluster": "unit",
        }
        ours = _time(lambda df=df, kw=kw: placebo(df, reps=reps, progress=False, **kw))
        base = _time(lambda df=df: _baseline_placebo(df, baseline_reps))
        rows.append(
            ("placebo", f"{n_units}x{n_years}", ours, base * reps / baseline_reps)
        )
        ours = _time(
            lambda df=df, kw=kw: mediation(
                df, mediator="m", bootstrap=reps, progress=False, **kw
            )
        )
        base = _time(lambda df=df: _baseline_bootstrap(df, baseline_reps // 2))
        rows.append(
            (
                "bootstrap",
                f"{n_units}x{n_years}",
                ours,
                base * reps / (baseline_reps // 2),
            )
        )
    print(
        f"{'procedure':<10} {'panel':>7} {'draws':>6} {'spatialgreen s':>15} "
        f"{'PanelOLS loop s':>16} {'speed-up':>9}"
    )
    for name, panel, ours, base in rows:
        print(
            f"{name:<10} {panel:>7} {reps:>6} {ours:>15.2f} {base:>16.1f} "
            f"{base / ours:>8.0f}x"
        )
    print(
        f"(PanelOLS loop timed on {baseline_reps} placebo / {baseline_reps // 2} "
        "bootstrap draws and scaled)"
    )


if __name__ == "__main__":
    main()
