"""Save esda's conditional-randomisation results as reference data (esda_crand.csv).

Run from the repository root: ``python tests/reference/spatial/esda_crand.py``.
Needs esda (and numba, which compiles esda's kernels: about a minute). The tests
read the CSV and do not run esda's permutation kernels.

For each case and unit the CSV holds the observed local statistic, esda's ``p_sim``
and ``z_sim``, and three counts over esda's own simulated draws (``keep_simulations``):
draws ≥ the observed value (``ge``), ≤ it (``le``), and ties (``ties``), a draw
tying when it is within 1e-10 of the largest absolute statistic of the unit — the
rule of ``spatialgreen.spatial._permutation``. spatialgreen draws the same
neighbours for the same seed, so its ``z_sim`` equals esda's, its ``p_sim`` equals
``(min(ge, le) + 1)/(R + 1)`` and, at units without ties, esda's ``p_sim``.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import esda
import libpysal
import numpy as np
import pandas as pd
from libpysal.weights import lat2W

OUT = Path(__file__).with_name("esda_crand.csv")
PERMUTATIONS = 999


def _columbus() -> tuple[dict, libpysal.weights.W]:
    db = libpysal.io.open(libpysal.examples.get_path("columbus.dbf"))
    columns = {c: np.array(db.by_col(c), dtype=float) for c in ("CRIME", "INC")}
    w = libpysal.io.open(libpysal.examples.get_path("columbus.gal")).read()
    return columns, w


def _rows(case: str, result, observed, sims, values, other=None) -> pd.DataFrame:
    sims = np.asarray(sims, dtype=float)
    scale = np.maximum(np.abs(sims).max(axis=1), np.abs(observed))
    tie = 1e-10 * scale
    frame = pd.DataFrame(
        {
            "case": case,
            "unit": np.arange(len(observed)),
            "value": values,
            "other": np.nan if other is None else other,
            "observed": observed,
            "p_sim": np.asarray(result.p_sim, dtype=float),
            "z_sim": result.z_sim,
            "ge": (sims >= (observed - tie)[:, None]).sum(axis=1),
            "le": (sims <= (observed + tie)[:, None]).sum(axis=1),
            "ties": (np.abs(sims - observed[:, None]) <= tie[:, None]).sum(axis=1),
        }
    )
    return frame


def main() -> None:
    warnings.simplefilter("ignore")
    columns, w = _columbus()
    crime, inc = columns["CRIME"], columns["INC"]
    w.transform = "r"
    frames = []
    local = esda.Moran_Local(crime, w, permutations=PERMUTATIONS, seed=12345)
    frames.append(_rows("lisa_columbus", local, local.Is, local.rlisas, crime))
    bv = esda.Moran_Local_BV(crime, inc, w, permutations=PERMUTATIONS, seed=7)
    frames.append(_rows("bv_lisa_columbus", bv, bv.Is, bv.rlisas, crime, inc))
    for star, name in ((True, "gstar_columbus"), (False, "g_columbus")):
        w = _columbus()[1]
        g = esda.G_Local(
            crime,
            w,
            transform="R",
            star=star,
            permutations=PERMUTATIONS,
            seed=5,
            n_jobs=1,
        )
        frames.append(_rows(name, g, g.Gs, g.rGs, crime))
    # a queen lattice of 900 units with continuous values: no ties expected
    values = np.round(np.random.RandomState(2024).normal(size=900), 6)
    lattice = lat2W(30, 30, rook=False)
    lattice.transform = "r"
    big = esda.Moran_Local(values, lattice, permutations=PERMUTATIONS, seed=99)
    frames.append(_rows("lisa_lattice", big, big.Is, big.rlisas, values))
    # the 3×3 rook lattice with repeated integer values: many exact ties
    small = np.array([4.0, 1.0, 3.0, 2.0, 2.0, 5.0, 1.0, 6.0, 3.0])
    grid = lat2W(3, 3)
    grid.transform = "r"
    tied = esda.Moran_Local(small, grid, permutations=PERMUTATIONS, seed=5)
    frames.append(_rows("lisa_3x3_ties", tied, tied.Is, tied.rlisas, small))
    table = pd.concat(frames, ignore_index=True)
    table.to_csv(OUT, index=False, float_format="%.17g")
    print(f"wrote {OUT} ({len(table)} rows; esda {esda.__version__})")


if __name__ == "__main__":
    main()
