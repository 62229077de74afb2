"""Speed of the SFA likelihood maximisation: analytic gradient vs finite differences.

Run ``python benchmarks/sfa.py``. For each model the same BFGS search from the same
FRONTIER-style start is timed with spatialgreen's analytic gradient and with scipy's
finite-difference gradient (the baseline, measured in the same run); the full
:func:`spatialgreen.efficiency.sfa` call (several starts, polish, Hessian) is timed
too.
"""

from __future__ import annotations

import importlib
import time

import numpy as np
import pandas as pd
from scipy import optimize, stats

from spatialgreen.efficiency import _sfa_likelihood as lik

sfa_module = importlib.import_module("spatialgreen.efficiency.sfa")
fit_module = importlib.import_module("spatialgreen.efficiency._sfa_fit")

__all__: list[str] = []


def _panel(n_units: int, n_periods: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = n_units * n_periods
    unit = np.repeat(np.arange(n_units), n_periods)
    year = np.tile(np.arange(2000, 2000 + n_periods), n_units)
    k, labor, z = rng.uniform(1, 10, n), rng.uniform(1, 10, n), rng.uniform(0, 1, n)
    u_i = np.abs(rng.normal(0, 0.4, n_units))[unit] * np.exp(
        -0.05 * (year - year.max())
    )
    m = -0.2 + z
    u95 = stats.truncnorm.rvs(-m / 0.3, np.inf, loc=m, scale=0.3, random_state=rng)
    base = 1 + 0.4 * np.log(k) + 0.5 * np.log(labor) + rng.normal(0, 0.15, n)
    return pd.DataFrame(
        {
            "unit": unit,
            "year": year,
            "k": k,
            "l": labor,
            "z": z,
            "y92": np.exp(base - u_i),
            "y95": np.exp(base - u95),
        }
    )


def _time(func, repeat: int = 3) -> float:
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def _design(data: pd.DataFrame, model: str) -> lik._Design:
    frame, keys = sfa_module._validated_frame(
        data,
        y=f"y{model[2:]}",
        x=["k", "l"],
        z=["z"] if model == "bc95" else None,
        unit="unit",
        time="year",
        log=True,
        model=model,
    )
    y, x, _ = sfa_module._frontier_design(
        frame, f"y{model[2:]}", ["k", "l"], form="cobb-douglas", log=True
    )
    z = sfa_module._effects_design(frame, ["z"], True)[0] if model == "bc95" else None
    return sfa_module._build_design(
        frame, keys, y, x, z, cost=False, model=model, truncated=False
    )[0]


def main() -> None:
    data = _panel(300, 10)
    rows = []
    for model in ("bc92", "bc95"):
        d = _design(data, model)
        beta, sigma2, _, _ = fit_module._ols(d)
        start = lik.to_free(d, fit_module._starts(d, beta, sigma2, 1)[0])

        def analytic(d=d, start=start):
            return optimize.minimize(
                lambda f: lik.free_objective(d, f), start, jac=True, method="BFGS"
            )

        def numeric(d=d, start=start):
            return optimize.minimize(
                lambda f: lik.free_value(d, f), start, method="BFGS"
            )

        t_an, t_num = _time(analytic), _time(numeric)
        ll_an, ll_num = -analytic().fun, -numeric().fun
        y = f"y{model[2:]}"
        t_full = _time(
            lambda m=model, y=y: sfa_module.sfa(
                data,
                y=y,
                x=["k", "l"],
                model=m,
                z=["z"] if m == "bc95" else None,
                unit="unit",
                time="year",
            ),
            repeat=1,
        )
        rows.append(
            {
                "model": model,
                "n_obs": len(data),
                "bfgs_fd_gradient_s": t_num,
                "bfgs_analytic_s": t_an,
                "speedup": t_num / t_an,
                "loglik_fd": ll_num,
                "loglik_analytic": ll_an,
                "full_sfa_call_s": t_full,
            }
        )
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(pd.DataFrame(rows).round(4).to_string(index=False))


if __name__ == "__main__":
    main()
