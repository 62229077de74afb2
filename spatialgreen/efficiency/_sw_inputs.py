"""Matching DEA scores to the rows of a second-stage regression, and checking them.

Helpers of :func:`spatialgreen.efficiency.sw_truncated_regression`: the scores may be
a column of the data, a Series indexed by the keys or an efficiency results object;
they are aligned with the data's rows on the unit (and time) keys, and every row
must have a finite score in (0, 1]. Errors name the unit and year at fault.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, SpatialGreenWarning

__all__ = ["EFFICIENT", "check_scores", "score_source", "score_table", "where"]

EFFICIENT = 1e-6  # a score within this of 1 is on the frontier


def score_source(scores: Any, keys: list[str]) -> tuple[pd.DataFrame | None, str]:
    """The scores as a keyed table (None for a column of the data) and their name."""
    if isinstance(scores, str):
        return None, scores
    if isinstance(scores, pd.Series):
        table = scores.rename("score").reset_index()
        name = str(scores.name or "score")
    elif isinstance(getattr(scores, "scores", None), pd.DataFrame):
        table = scores.scores
        meta = getattr(scores, "meta", {}) or {}
        theirs = [k for k in (meta.get("unit"), meta.get("time")) if k]
        if theirs and theirs != keys:
            raise DataError(
                f"the scores are keyed by {theirs}, the call by {keys}: pass "
                f"unit={theirs[0]!r}"
                + (f", time={theirs[1]!r}" if len(theirs) > 1 else ", time=None")
            )
        name = "score"
    else:
        raise DataError(
            "scores must be a column name of data, a Series indexed by the keys, or "
            f"efficiency results with a `scores` table; got {type(scores).__name__}"
        )
    missing = [k for k in [*keys, "score"] if k not in table.columns]
    if missing:
        raise DataError(f"the scores have no {missing} (keys of the call: {keys})")
    return table[[*keys, "score"]], name


def score_table(
    source: pd.DataFrame | None, name: str, data: pd.DataFrame, keys: list[str]
) -> pd.Series:
    """The scores aligned with the rows of ``data`` (a validated panel)."""
    if source is None:
        return data[name].astype(float).reset_index(drop=True)
    table = source
    dup = table.duplicated(keys)
    if dup.any():
        raise DataError(
            "the scores repeat the keys " + where(table, keys, dup.to_numpy())
        )
    try:
        merged = data[keys].merge(table, on=keys, how="left", indicator=True)
    except (ValueError, TypeError) as exc:
        raise DataError(f"the scores' keys do not match those of data: {exc}") from exc
    missing_rows = merged["_merge"] != "both"
    if missing_rows.any():
        raise DataError(
            f"no score for {int(missing_rows.sum())} rows of data, e.g. "
            + where(merged, keys, missing_rows.to_numpy())
        )
    extra = len(table) - len(merged)
    if extra > 0:
        warnings.warn(
            f"{extra} scores have no row in data and are not used",
            SpatialGreenWarning,
            stacklevel=4,
        )
    return merged["score"].astype(float).reset_index(drop=True)


def where(frame: pd.DataFrame, keys: list[str], mask: np.ndarray) -> str:
    """``unit=a, year=2020; ...`` for the first few rows where ``mask``."""
    rows = frame.loc[mask, keys].head(5)
    return "; ".join(
        ", ".join(f"{k}={v}" for k, v in zip(keys, row, strict=True))
        for row in rows.itertuples(index=False)
    )


def check_scores(score: np.ndarray, frame: pd.DataFrame, keys: list[str]) -> None:
    """Scores must be finite efficiencies in (0, 1]."""
    for mask, what in (
        (~np.isfinite(score), "missing"),
        (np.isfinite(score) & (score <= 0), "not positive"),
        (np.isfinite(score) & (score > 1.0 + EFFICIENT), "above 1"),
    ):
        if mask.any():
            hint = (
                " (super-efficiency scores are outside Simar & Wilson's model; pass "
                "efficiency scores in (0, 1], the `score` of dea)"
                if what == "above 1"
                else ""
            )
            raise DataError(
                f"{int(mask.sum())} scores are {what}{hint}: "
                + where(frame, keys, mask)
            )
