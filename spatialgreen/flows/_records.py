"""Transfer records made ready for the flow tables: columns checked, green IPC
classes flagged, self-transfers set aside and years grouped into periods.
"""

from __future__ import annotations

import itertools
import warnings
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, SpatialGreenWarning
from ..panel import require_columns
from ._ipc import GreenIPC, split_codes


def _clean_records(
    records: pd.DataFrame,
    origin: str,
    destination: str,
    time: str,
    count: str,
    ipc: str | None,
) -> pd.DataFrame:
    cols = [origin, destination, time, count] + ([ipc] if ipc else [])
    require_columns(records, cols, role="transfer records")
    data = pd.DataFrame(
        {
            "origin_label": records[origin].astype("string").str.strip(),
            "destination_label": records[destination].astype("string").str.strip(),
            "year": pd.to_numeric(records[time], errors="coerce"),
            "count": pd.to_numeric(records[count], errors="coerce"),
        }
    ).reset_index(drop=True)
    if ipc:
        data["ipc"] = records[ipc].astype("string").fillna("").to_numpy()

    def rows(mask: pd.Series) -> str:
        bad = data[mask.to_numpy()].head(5)
        return "; ".join(
            f"row {i}: {o} → {d}, {time}={records[time].iloc[i]!r}, "
            f"{count}={records[count].iloc[i]!r}"
            for i, o, d in zip(
                bad.index, bad["origin_label"], bad["destination_label"], strict=True
            )
        )

    for col, label in (("origin_label", origin), ("destination_label", destination)):
        empty = data[col].isna() | (data[col] == "")
        if empty.any():
            raise DataError(
                f"{int(empty.sum())} record(s) without {label!r}: {rows(empty)}"
            )
    year = data["year"]
    bad_year = year.isna() | (year != year.round())
    if bad_year.any():
        raise DataError(
            f"{int(bad_year.sum())} record(s) with a missing or non-integer {time!r}: "
            + rows(bad_year)
        )
    data["year"] = year.astype(int)
    bad_count = data["count"].isna() | ~np.isfinite(data["count"])
    if bad_count.any():
        raise DataError(
            f"{int(bad_count.sum())} record(s) with a missing or non-numeric "
            f"{count!r}: " + rows(bad_count)
        )
    negative = data["count"] < 0
    if negative.any():
        raise DataError(
            f"{int(negative.sum())} record(s) with a negative {count!r}: "
            + rows(negative)
        )
    return data


def _flag_green(data: pd.DataFrame, green: GreenIPC) -> pd.DataFrame:
    cache: dict[str, str | None] = {}

    def category(cell: str) -> str | None:
        if cell not in cache:
            cats = [green.category(code) for code in split_codes(cell)]
            cache[cell] = next((c for c in cats if c is not None), None)
        return cache[cell]

    data = data.copy()
    cats = data["ipc"].map(category)
    data["green"] = cats.notna().to_numpy(dtype=bool)
    data["green_category"] = cats.astype("string")
    return data


def _split_self(data: pd.DataFrame, policy: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    same = (data["origin"] == data["destination"]).to_numpy()
    selfs = data[same].reset_index(drop=True)
    if same.any():
        listed = ", ".join(
            f"{o} ({y})"
            for o, y in zip(
                selfs["origin_label"].head(5), selfs["year"].head(5), strict=True
            )
        )
        message = (
            f"{int(same.sum())} transfer record(s) from a city to itself: {listed}"
        )
        if policy == "raise":
            raise DataError(message)
        warnings.warn(
            message + "; left out of the inter-city flows (see .self_transfers)",
            SpatialGreenWarning,
            stacklevel=3,
        )
    return data[~same].copy(), selfs


def _periods(years: pd.Series, periods: Any) -> tuple[pd.Series, list[str]]:
    if years.empty:
        return years.astype(str), []
    first, last = int(years.min()), int(years.max())
    if periods is None:
        bounds = [(y, y) for y in range(first, last + 1)]
    elif isinstance(periods, int | np.integer):
        if periods < 1:
            raise DataError(
                f"periods must be a positive number of years, got {periods}"
            )
        bounds = [
            (y, min(y + periods - 1, last))
            for y in range(first, last + 1, int(periods))
        ]
    else:
        bounds = [(int(a), int(b)) for a, b in periods]
        ordered = sorted(bounds)
        overlap = any(b[0] <= a[1] for a, b in itertools.pairwise(ordered))
        if overlap or any(a > b for a, b in bounds):
            raise DataError(
                f"periods must be non-overlapping (first, last) pairs: {bounds}"
            )
    labels = [str(a) if a == b else f"{a}-{b}" for a, b in bounds]
    out = pd.Series(pd.NA, index=years.index, dtype="string")
    for (a, b), label in zip(bounds, labels, strict=True):
        out[years.between(a, b)] = label
    if out.isna().any():
        stray = sorted(set(years[out.isna()]))
        raise DataError(f"record years outside every period {bounds}: {stray[:10]}")
    return out, labels
