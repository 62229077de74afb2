"""Stage-2 slack frontiers of three-stage DEA: raw-scale search vs the current fit.

Run ``python benchmarks/sfa_slack.py``. The input slacks of a three-stage run on the
11 YREB provinces of the SYNTHETIC demo panel (2005–2022, 198 rows; about half of
the slacks are exactly 0) are regressed on the environmental variables of recipe 1.
The baseline, measured in the same run, is the search spatialgreen used before the
fit was standardised: FRONTIER-style starts, BFGS and the Nelder–Mead polish on the
raw (unstandardised) design. The current :func:`spatialgreen.efficiency.sfa` call
standardises inside the fit and computes the γ = 1 supremum exactly. The table shows
time and the maximised log-likelihood of both (higher is better).
"""

from __future__ import annotations

import importlib
import time
import warnings

import numpy as np
import pandas as pd

from spatialgreen import datasets, efficiency
from spatialgreen.efficiency import _sfa_likelihood as lik

fit_module = importlib.import_module("spatialgreen.efficiency._sfa_fit")

__all__: list[str] = []

#: the environmental variables of recipe 1 (recipes/yangtze_industrial_gtfp.py)
ENVIRONMENT = [
    "industrial_upgrading",
    "government_spending",
    "fdi",
    "environmental_regulation",
]


def _slacks() -> tuple[pd.DataFrame, list[str], list[str]]:
    import spatialgreen as sg

    yreb = sg.load_boundaries("province", study="yreb")[["adcode"]]
    panel = datasets.province_panel().merge(yreb, on="adcode").reset_index(drop=True)
    inputs = ["energy", "electricity", "labor", "capital"]
    env = list(ENVIRONMENT)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = efficiency.three_stage(
            panel,
            inputs=inputs,
            outputs=["industrial_va"],
            environment=env,
            unit="adcode",
            time="year",
        )
    wide = run.adjustments.pivot_table(
        index=["adcode", "year"], columns="input", values="slack"
    ).reset_index()
    return wide.merge(panel[["adcode", "year", *env]]), inputs, env


def _raw_search(d: lik._Design) -> float:
    """The pre-standardisation search: starts, BFGS, polish on the raw design."""
    beta, sigma2, _, _ = fit_module._ols(d)
    starts = fit_module._starts(d, beta, sigma2, 4)
    results = [fit_module._local_max(d, s, 5000) for s in starts]
    best = min((r for r in results if np.isfinite(r.fun)), key=lambda r: r.fun)
    best = fit_module._polish(d, best, 5000)
    return -float(best.fun)


def main() -> None:
    data, inputs, env = _slacks()
    x = np.column_stack([np.ones(len(data)), data[env].to_numpy(float)])
    rows = []
    for name in inputs:
        y = data[name].to_numpy(float)
        n = len(y)
        d = lik._Design(y, x, -1.0, np.arange(n), n, np.zeros(n), None, False, False)
        start = time.perf_counter()
        raw_ll = _raw_search(d)
        t_raw = time.perf_counter() - start
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = efficiency.sfa(data, y=name, x=env, cost=True, log=False)
        t_new = time.perf_counter() - start
        rows.append(
            {
                "slack": name,
                "zero_slacks": int(np.sum(y == 0)),
                "raw_search_s": t_raw,
                "current_fit_s": t_new,
                "speedup": t_raw / t_new,
                "loglik_raw": raw_ll,
                "loglik_current": res.loglik,
                "gain": res.loglik - raw_ll,
                "gamma": float(res.params["gamma"]),
            }
        )
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(pd.DataFrame(rows).round(4).to_string(index=False))


if __name__ == "__main__":
    main()
