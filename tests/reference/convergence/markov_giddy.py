"""Save giddy's classic and spatial Markov chains as reference data (markov_giddy.json).

Run from the repository root: ``python tests/reference/convergence/markov_giddy.py``
(needs giddy, which spatialgreen no longer installs: ``pip install giddy``). The
tests read the JSON and never import giddy.

Data: libpysal's builtin ``usjoin.csv`` (per-capita personal income of the 48
contiguous US states, 1929–2009, BEA via Rey) and ``states48.gal`` (rook
contiguity), the example of giddy's documentation and of Rey (2001); relative
income is each state's income over the year's mean across the 48 states. A small
synthetic panels (seeded random walks, one with a west–east gradient, saved with
the output) on a 5 × 5 rook lattice add a small case and one with empty transition
rows.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import giddy
import libpysal
import mapclassify
import numpy as np
from giddy.markov import Markov, Spatial_Markov
from libpysal.weights import lat2W

OUT = Path(__file__).with_name("markov_giddy.json")


def _income() -> tuple[np.ndarray, list[str], libpysal.weights.W]:
    f = libpysal.io.open(libpysal.examples.get_path("usjoin.csv"))
    pci = np.array([f.by_col[str(y)] for y in range(1929, 2010)]).T  # (48, 81)
    names = list(f.by_col["Name"])
    w = libpysal.io.open(libpysal.examples.get_path("states48.gal")).read()
    return pci, names, w


def _classic(ids: np.ndarray, k: int) -> dict:
    chain = Markov(ids, classes=np.arange(k), summary=False)
    return {
        "class_ids": ids.tolist(),
        "transitions": chain.transitions.tolist(),
        "p": chain.p.tolist(),
        "steady_state": np.asarray(chain.steady_state, dtype=float).tolist(),
    }


def _spatial(y: np.ndarray, w, k: int, fixed: bool) -> dict:
    chain = Spatial_Markov(y, w, k=k, m=k, fixed=fixed, fill_empty_classes=True)
    return {
        "class_ids": np.asarray(chain.class_ids).tolist(),
        "lag_class_ids": np.asarray(chain.lclass_ids).tolist(),
        "cutoffs": None if chain.cutoffs is None else list(map(float, chain.cutoffs)),
        "lag_cutoffs": None
        if chain.lag_cutoffs is None
        else list(map(float, chain.lag_cutoffs)),
        "T": np.asarray(chain.T).tolist(),
        "P": np.asarray(chain.P).tolist(),
        "LR": float(chain.LR),
        "LR_p": float(chain.LR_p_value),
        "Q": float(chain.Q),
        "Q_p": float(chain.Q_p_value),
        "dof": int(chain.dof_hom),
    }


def main() -> None:
    warnings.simplefilter("ignore")
    pci, names, w = _income()
    w.transform = "r"
    rpci = pci / pci.mean(axis=0)
    yearly = np.column_stack(
        [mapclassify.Quantiles(pci[:, j], k=5).yb for j in range(pci.shape[1])]
    )
    pooled = mapclassify.Quantiles(rpci.ravel(), k=5)
    rng = np.random.RandomState(1)
    walk = np.cumsum(rng.normal(size=(25, 12)), axis=1) + 20
    # a west–east gradient on the lattice: many (lag class, class) pairs never occur
    trend = np.cumsum(np.random.RandomState(1).normal(size=(25, 6)), axis=1)
    trend += 5 * (np.arange(25) % 5)[:, None]
    lattice = lat2W(5, 5)
    lattice.transform = "r"
    cases = {
        "meta": {
            "giddy": giddy.__version__,
            "mapclassify": mapclassify.__version__,
            "states": names,
            "years": [1929, 2009],
            "walk": walk.tolist(),
            "trend": trend.tolist(),
        },
        "classic_yearly_quintiles": _classic(yearly, 5),
        "classic_pooled_relative": {
            **_classic(pooled.yb.reshape(rpci.shape), 5),
            "bins": list(map(float, pooled.bins)),
        },
        "spatial_pooled_relative": _spatial(rpci, w, 5, True),
        "spatial_yearly_relative": _spatial(rpci, w, 5, False),
        "spatial_walk_k3": _spatial(walk, lattice, 3, True),
        "spatial_trend_k5": _spatial(trend, lattice, 5, True),
    }
    OUT.write_text(json.dumps(cases) + "\n")
    print(f"wrote {OUT} (giddy {giddy.__version__})")


if __name__ == "__main__":
    main()
