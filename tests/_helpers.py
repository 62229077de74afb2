"""Small data builders shared by several test files (import as ``from _helpers``)."""

from __future__ import annotations

import contextlib
import hashlib
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

# --- efficiency: a city panel with two inputs, one good and one bad output ---------

EFFICIENCY_KW = {
    "inputs": ["x1", "x2"],
    "outputs": "y",
    "bad_outputs": "b",
    "unit": "city",
    "time": "year",
}


# --- efficiency: a data set whose additive (EBM parameter) projection ties ---------

# Columns x1, x2, y, b. Units 0, 2, 4 and 7 reach the frontier equally well
# (Σ s/v = 38/45) by shedding x2 (towards unit 5) or the bad output (towards unit 1),
# or any mix of the two: their additive projection is not unique and ε depends on
# which one is taken (before the engine's tie-break, the reduced and the full LP gave
# ε_x 0.9375 and 0.75).
EBM_TIED = np.array(
    [
        [45.0, 45, 45, 45],
        [45, 45, 45, 7],
        [45, 45, 45, 45],
        [45, 20, 45, 45],
        [45, 45, 45, 45],
        [45, 7, 45, 45],
        [45, 45, 21, 45],
        [45, 45, 45, 45],
    ]
)


def efficiency_panel(
    n_units: int, n_years: int, seed: int, *, first_year: int, growth: float
) -> pd.DataFrame:
    """Cobb–Douglas output with half-normal inefficiency and technical progress
    ``growth`` a year; the bad output is proportional to the good one with noise."""
    rng = np.random.default_rng(seed)
    n = n_units * n_years
    x = rng.lognormal(1.0, 0.5, (n, 2))
    year = np.tile(np.arange(first_year, first_year + n_years), n_units)
    y = (
        x[:, 0] ** 0.4
        * x[:, 1] ** 0.5
        * np.exp(growth * (year - first_year) - np.abs(rng.normal(0, 0.3, n)))
    )
    return pd.DataFrame(
        {
            "city": np.repeat([f"c{i:02d}" for i in range(n_units)], n_years),
            "year": year,
            "x1": x[:, 0],
            "x2": x[:, 1],
            "y": y,
            "b": y * rng.lognormal(0, 0.3, n),
        }
    )


# --- command line: a three-unit panel and a ``gtfp`` call --------------------------

GTFP_PANEL_CSV = "unit,year,x,y\na,2020,1,2\nb,2020,2,3\nc,2020,3,3\n"


def gtfp_argv(path: Path, output: Path | str) -> list[str]:
    """``spatialgreen gtfp PATH --inputs x --outputs y --no-progress -o OUTPUT``."""
    return [
        "gtfp",
        str(path),
        "--inputs",
        "x",
        "--outputs",
        "y",
        "--no-progress",
        "-o",
        str(output),
    ]


# --- maps: a row of unit squares ----------------------------------------------------


def strip_of_squares(values: list[float]):
    """A GeoDataFrame of unit squares side by side with the column ``v``."""
    import geopandas as gpd
    from shapely.geometry import box

    return gpd.GeoDataFrame(
        {"v": values},
        geometry=[box(100 + i, 30, 101 + i, 31) for i in range(len(values))],
        crs=4326,
    )


# --- spatial: row-standardised k-nearest-neighbour weights --------------------------


def knn_weights(seed: int, k: int, n: int = 60):
    """Row-standardised KNN weights of ``n`` random points (often not
    diagonalisable: asymmetric, with defective eigenvalues)."""
    from libpysal.weights import KNN

    pts = np.random.default_rng(seed).uniform(size=(n, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = KNN(pts, k=k)
    w.transform = "r"
    return w


# --- inputs are never mutated -------------------------------------------------------


def frame_digest(frame: pd.DataFrame) -> str:
    """Hash of values, index, column names and dtypes."""
    h = hashlib.sha256()
    h.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    h.update(repr(list(frame.columns)).encode())
    h.update(repr(list(map(str, frame.dtypes))).encode())
    return h.hexdigest()


@contextlib.contextmanager
def untouched(*frames: pd.DataFrame) -> Iterator[None]:
    """Assert that ``frames`` are unchanged after the block, even if it raises."""
    before = [frame_digest(f) for f in frames]
    try:
        yield
    finally:
        assert [frame_digest(f) for f in frames] == before, "an input frame was mutated"
