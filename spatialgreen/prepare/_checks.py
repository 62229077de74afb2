"""Checks shared by the data-preparation functions (keys, years, gaps, values).

Every function of :mod:`spatialgreen.prepare` works on a copy of the user's panel
sorted by (unit, year) with a positional index; these helpers build that copy and
raise errors that name the unit, year and column at fault.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from ..errors import DataError, PanelError
from ..panel import require_columns

_MAX_LISTED = 12


def _listed(items: Sequence[str]) -> str:
    shown = list(items[:_MAX_LISTED])
    more = len(items) - len(shown)
    return "; ".join(shown) + (f"; … and {more} more" if more > 0 else "")


def sorted_panel(
    data: pd.DataFrame, columns: Iterable[str], *, unit: str, time: str
) -> tuple[pd.DataFrame, np.ndarray]:
    """A sorted copy of the keys and ``columns`` and the original row positions.

    The copy has integer years in ``time``, numeric ``columns`` and a 0..n-1
    index; ``order[k]`` is the position in ``data`` of row ``k`` of the copy.
    Missing key columns or values, non-integer years, duplicate (unit, year)
    rows and non-numeric cells are errors naming the column, unit and year.
    """
    columns = list(dict.fromkeys(columns))
    require_columns(data, [unit, time], role="key")
    require_columns(data, columns)
    for key in (unit, time):
        if data[key].isna().any():
            rows = np.flatnonzero(data[key].isna().to_numpy())[:_MAX_LISTED]
            raise DataError(f"key column {key!r} has missing values (rows {rows})")
    years = pd.to_numeric(data[time], errors="coerce")
    bad = years.isna() | (years % 1 != 0)
    if bad.any():
        where = [
            f"{unit}={u}: {t!r}"
            for u, t in zip(data.loc[bad, unit], data.loc[bad, time], strict=True)
        ]
        raise DataError(
            f"column {time!r} must hold whole years; bad cells: {_listed(where)}"
        )
    work = pd.DataFrame(
        {unit: data[unit].to_numpy(), time: years.astype("int64").to_numpy()}
    )
    dup = work.duplicated([unit, time], keep=False)
    if dup.any():
        where = sorted(
            {
                f"{unit}={u}, {time}={t}"
                for u, t in work.loc[dup, [unit, time]].itertuples(index=False)
            }
        )
        raise PanelError(f"duplicate ({unit}, {time}) rows: {_listed(where)}")
    for col in columns:
        values = data[col]
        if pd.api.types.is_bool_dtype(values):
            values = values.astype(float)
        converted = pd.to_numeric(values, errors="coerce")
        wrong = converted.isna().to_numpy() & values.notna().to_numpy()
        if wrong.any():
            where = [
                f"{unit}={u}, {time}={t}: {v!r}"
                for u, t, v in zip(
                    work.loc[wrong, unit],
                    work.loc[wrong, time],
                    values[wrong],
                    strict=True,
                )
            ]
            raise DataError(f"column {col!r} has non-numeric cells: {_listed(where)}")
        work[col] = converted.to_numpy(dtype=float)
    work["_pos"] = np.arange(len(work))
    work = work.sort_values([unit, time], kind="mergesort").reset_index(drop=True)
    order = work.pop("_pos").to_numpy()
    return work, order


def back_to_rows(
    values: np.ndarray, order: np.ndarray, index: pd.Index, name: str
) -> pd.Series:
    """A Series aligned with the user's rows from values in sorted order."""
    out = np.empty(len(order), dtype=float)
    out[order] = values
    return pd.Series(out, index=index, name=name)


def require_consecutive(
    work: pd.DataFrame, *, unit: str, time: str, hint: str = ""
) -> None:
    """Raise :class:`PanelError` naming each unit and the years absent in its span."""
    where = []
    for u, years in work.groupby(unit, sort=False)[time]:
        arr = years.to_numpy()
        steps = np.diff(arr)
        if (steps > 1).any():
            missing = sorted(
                set(range(int(arr[0]), int(arr[-1]) + 1)) - set(arr.tolist())
            )
            where.append(f"{unit}={u}: {time} {', '.join(map(str, missing))} absent")
    if where:
        raise PanelError(
            f"years must be consecutive within each unit: {_listed(where)}{hint}"
        )


def require_complete(
    work: pd.DataFrame, columns: Iterable[str], *, unit: str, time: str, hint: str = ""
) -> None:
    """Raise :class:`DataError` naming the cells of ``columns`` that are missing."""
    for col in columns:
        na = work[col].isna()
        if na.any():
            where = [
                f"{unit}={u}, {time}={t}"
                for u, t in zip(work.loc[na, unit], work.loc[na, time], strict=True)
            ]
            raise DataError(
                f"column {col!r} has missing values at: {_listed(where)}{hint}"
            )


def require_positive(
    work: pd.DataFrame, columns: Iterable[str], *, unit: str, time: str
) -> None:
    """Raise :class:`DataError` naming the cells of ``columns`` that are not > 0."""
    for col in columns:
        bad = work[col].notna() & ~(work[col] > 0)
        if bad.any():
            where = [
                f"{unit}={u}, {time}={t} ({v:g})"
                for u, t, v in zip(
                    work.loc[bad, unit],
                    work.loc[bad, time],
                    work.loc[bad, col],
                    strict=True,
                )
            ]
            raise DataError(
                f"column {col!r} must be > 0; offending cells: {_listed(where)}"
            )


def require_year(
    work: pd.DataFrame, year: int, *, unit: str, time: str, role: str
) -> None:
    """Raise :class:`DataError` naming every unit not observed in ``year``."""
    present = set(work.loc[work[time] == year, unit])
    missing = [str(u) for u in pd.unique(work[unit]) if u not in present]
    if missing:
        raise DataError(
            f"{role} {time}={year} is not observed for "
            f"{unit}={', '.join(missing[:_MAX_LISTED])}"
        )


def new_name(data: pd.DataFrame, name: str, *, option: str = "name") -> str:
    """``name`` if it is not already a column of ``data`` (never overwrite a column)."""
    if name in data.columns:
        raise DataError(f"column {name!r} already exists; choose another {option}")
    return name
