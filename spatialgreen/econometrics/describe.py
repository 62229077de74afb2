"""Descriptive statistics, the first table of every empirical paper.

:func:`describe` gives N, mean, standard deviation, minimum and maximum of each
variable — for the whole sample or by group — as a :class:`DescriptiveTable` with
the same exports as a regression table (text, CSV, XLSX, LaTeX, HTML and the
three-line DOCX/RTF table).
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, SpatialGreenWarning
from ..panel import require_columns
from ..results import Results
from ._journal import JournalTable

__all__ = ["DescriptiveTable", "describe"]

_HEADER = ["N", "Mean", "SD", "Min", "Max"]


@dataclasses.dataclass(frozen=True)
class DescriptiveTable(JournalTable, Results):
    """Descriptive statistics of :func:`describe`.

    Attributes
    ----------
    table : pandas.DataFrame
        The display table (strings): a ``""`` label column and N, Mean, SD, Min,
        Max; with groups, each group opens with a row ``"<by> = <group>"``.
    statistics : pandas.DataFrame
        The numbers: the group column (with ``by``), ``variable``, ``label``,
        ``n``, ``mean``, ``sd``, ``min``, ``max``.
    meta : dict
        ``notes``, ``sections`` (rows that open a group), ``by``, ``digits``.
    """

    table: pd.DataFrame
    statistics: pd.DataFrame
    meta: dict = dataclasses.field(default_factory=dict)


def describe(
    data: pd.DataFrame,
    columns: str | Sequence[str],
    *,
    by: str | None = None,
    labels: Mapping[str, str] | None = None,
    digits: int = 3,
) -> DescriptiveTable:
    """Descriptive statistics (N, mean, SD, min, max), overall or by group.

    Parameters
    ----------
    data : pandas.DataFrame
        Any table (never modified).
    columns : str or sequence of str
        Numeric columns to describe, in the order of the table.
    by : str, optional
        Column whose values form groups (one block of rows per group, in order of
        appearance, or in category order for a categorical column). Rows with a
        missing group are left out, with a warning.
    labels : mapping, optional
        Display names of the variables (e.g. ``{"gtfp": "绿色全要素生产率"}``).
    digits : int
        Decimals of mean, SD, min and max.

    Returns
    -------
    DescriptiveTable

    Raises
    ------
    DataError
        Missing or non-numeric columns, infinite values, labels for columns that
        are not described, ``by`` among the described columns.

    Notes
    -----
    N counts the non-missing values of each variable (as Stata's ``summarize``),
    so it can differ between variables; SD is the sample standard deviation
    (divisor N − 1), undefined (blank, with a warning) when N < 2.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"g": ["a", "a", "b", "b"], "x": [1.0, 3.0, 2.0, 6.0]})
    >>> t = describe(df, ["x"], labels={"x": "GTFP"})
    >>> t.table.values.tolist()
    [['GTFP', '4', '3.000', '2.160', '1.000', '6.000']]
    >>> describe(df, "x", by="g").table[""].tolist()
    ['g = a', 'x', 'g = b', 'x']
    """
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    cols = [columns] if isinstance(columns, str) else [str(c) for c in columns]
    if not cols:
        raise DataError("describe needs at least one column")
    if len(set(cols)) != len(cols):
        raise DataError(
            f"columns listed twice: {sorted({c for c in cols if cols.count(c) > 1})}"
        )
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 0:
        raise DataError(f"digits must be a non-negative integer, got {digits!r}")
    require_columns(data, cols, role="describe")
    for col in cols:
        if not pd.api.types.is_numeric_dtype(data[col]):
            raise DataError(
                f"column {col!r} is not numeric ({data[col].dtype}); describe "
                "summarises numeric columns"
            )
        n_inf = int(np.isinf(data[col].to_numpy(dtype=float)).sum())
        if n_inf:
            raise DataError(f"column {col!r} has {n_inf} infinite value(s)")
    names = dict(labels or {})
    unknown = [k for k in names if k not in cols]
    if unknown:
        raise DataError(f"labels given for columns that are not described: {unknown}")
    blocks = _blocks(data, cols, by)

    fmt = f"{{:.{digits}f}}"
    records: list[dict[str, Any]] = []
    rows: list[list[str]] = []
    sections: list[int] = []
    for group, frame in blocks:
        if by is not None:
            sections.append(len(rows))
            rows.append([f"{by} = {group}", *[""] * len(_HEADER)])
        for col in cols:
            values = frame[col].dropna().astype(float)
            stats = {
                "variable": col,
                "label": names.get(col, col),
                "n": len(values),
                "mean": values.mean() if len(values) else np.nan,
                "sd": values.std(ddof=1) if len(values) > 1 else np.nan,
                "min": values.min() if len(values) else np.nan,
                "max": values.max() if len(values) else np.nan,
            }
            if len(values) < 2:
                where = "" if by is None else f" in {by} = {group}"
                warnings.warn(
                    f"column {col!r}{where} has {len(values)} non-missing value(s); "
                    "its SD is undefined and left blank",
                    SpatialGreenWarning,
                    stacklevel=2,
                )
            records.append({by: group, **stats} if by is not None else stats)
            rows.append(
                [
                    str(stats["label"]),
                    str(stats["n"]),
                    *(
                        "" if np.isnan(stats[k]) else fmt.format(stats[k])
                        for k in ("mean", "sd", "min", "max")
                    ),
                ]
            )
    note = "N: non-missing observations; SD: sample standard deviation (divisor N − 1)"
    return DescriptiveTable(
        pd.DataFrame(rows, columns=["", *_HEADER]),
        pd.DataFrame(records),
        {"notes": note, "sections": sections, "by": by, "digits": digits},
    )


def _blocks(
    data: pd.DataFrame, cols: list[str], by: str | None
) -> list[tuple[Any, pd.DataFrame]]:
    """The whole table, or one (group, rows) block per group."""
    if by is None:
        return [(None, data)]
    require_columns(data, [by], role="group (by)")
    if by in cols:
        raise DataError(f"by={by!r} is also among the described columns")
    missing = data[by].isna()
    if missing.any():
        warnings.warn(
            f"{int(missing.sum())} row(s) have no {by!r} value and are left out of "
            "the by-group table",
            SpatialGreenWarning,
            stacklevel=3,
        )
    grouped = data.loc[~missing].groupby(by, sort=False, observed=True)
    order = list(grouped.groups)
    if isinstance(data[by].dtype, pd.CategoricalDtype):
        order = [c for c in data[by].cat.categories if c in grouped.groups]
    return [(g, grouped.get_group(g)) for g in order]
