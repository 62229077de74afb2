"""Per-capita values, growth rates, and yearbook tables reshaped to a long panel."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from ..errors import DataError
from ..panel import require_columns
from ._checks import back_to_rows, require_positive, sorted_panel

__all__ = ["growth_rate", "per_capita", "wide_to_long"]


def per_capita(
    data: pd.DataFrame,
    value: str,
    population: str,
    *,
    scale: float = 1.0,
    unit: str = "unit",
    time: str = "year",
    name: str | None = None,
) -> pd.Series:
    """Value per person.

    .. math:: y_{it} = \\text{scale} \\times x_{it} / N_{it}

    ``scale`` converts units: GDP in 亿元 (1e8 yuan) over population in 万人 (1e4
    persons) is 1e4 yuan per person, so ``scale=1e4`` gives yuan per person.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"unit": ["a"], "year": [2020], "gdp": [3.0], "pop": [2.0]})
    >>> per_capita(df, "gdp", "pop", scale=1e4).tolist()   # 3e8 yuan / 2e4 persons
    [15000.0]
    """
    work, order = sorted_panel(data, [value, population], unit=unit, time=time)
    require_positive(work, [population], unit=unit, time=time)
    values = (scale * work[value] / work[population]).to_numpy()
    return back_to_rows(values, order, data.index, name or f"{value}_per_capita")


def growth_rate(
    data: pd.DataFrame,
    column: str,
    *,
    kind: Literal["simple", "log"] = "simple",
    periods: int = 1,
    unit: str = "unit",
    time: str = "year",
    name: str | None = None,
) -> pd.Series:
    """Growth rate over ``periods`` years within each unit.

    .. math:: g_{it} = x_{it} / x_{i,t-p} - 1 \\quad\\text{(simple)}, \\qquad
              g_{it} = \\ln x_{it} - \\ln x_{i,t-p} \\quad\\text{(log)}

    The lag is taken by year, not by row: where year :math:`t-p` is absent or
    missing the rate is missing (so a gap never produces a rate over two years).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"unit": ["a"] * 3, "year": [2010, 2011, 2013],
    ...                    "x": [100.0, 110.0, 121.0]})
    >>> growth_rate(df, "x").round(4).tolist()   # 110/100 - 1; 2012 absent
    [nan, 0.1, nan]
    """
    if kind not in ("simple", "log"):
        raise DataError(f"kind must be 'simple' or 'log', got {kind!r}")
    if not isinstance(periods, int) or periods < 1:
        raise DataError(f"periods must be a positive integer, got {periods!r}")
    work, order = sorted_panel(data, [column], unit=unit, time=time)
    if kind == "log":
        require_positive(work, [column], unit=unit, time=time)
    lagged = work.assign(**{time: work[time] + periods}).set_index([unit, time])[column]
    previous = lagged.reindex(pd.MultiIndex.from_frame(work[[unit, time]])).to_numpy()
    current = work[column].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "simple":
            zero = previous == 0
            if zero.any():
                u, t = work.loc[zero, unit].iloc[0], work.loc[zero, time].iloc[0]
                raise DataError(
                    f"column {column!r} is 0 in {time}={t - periods}, the base of "
                    f"the growth rate of {unit}={u}, {time}={t}"
                )
            values = current / previous - 1.0
        else:
            values = np.log(current) - np.log(previous)
    return back_to_rows(values, order, data.index, name or f"{column}_growth")


def wide_to_long(
    table: pd.DataFrame,
    *,
    unit: str = "unit",
    value: str,
    time: str = "year",
) -> pd.DataFrame:
    """Reshape a yearbook table (units in rows, one column per year) to a long panel.

    Column labels that are years (``2010``, ``"2010"``, ``"2010年"``) become values
    of ``time``; other columns than ``unit`` and the years are an error (so nothing
    is dropped silently). Cells printed as ``"—"``, ``"-"`` or empty become
    missing; any other non-numeric cell is an error naming the unit and year.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"地区": ["北京", "天津"], "2010年": [1.0, 2.0],
    ...                   "2011年": [1.5, "—"]})
    >>> wide_to_long(t, unit="地区", value="GDP").values.tolist()
    [['北京', 2010, 1.0], ['北京', 2011, 1.5], ['天津', 2010, 2.0], ['天津', 2011, nan]]
    """
    require_columns(table, [unit], role="unit")
    years: dict[object, int] = {}
    other = []
    for col in table.columns:
        if col == unit:
            continue
        text = str(col).strip().removesuffix("年").removesuffix(".0")
        if text.isdigit() and len(text) == 4:
            years[col] = int(text)
        else:
            other.append(repr(col))
    if not years:
        raise DataError(f"no year columns (such as 2010 or '2010年') besides {unit!r}")
    if other:
        raise DataError(
            f"columns that are not years: {', '.join(other)}; select the unit and "
            f"year columns first"
        )
    long = table.melt(
        id_vars=[unit], value_vars=list(years), var_name=time, value_name=value
    )
    long[time] = long[time].map(years).astype("int64")
    raw = long[value]
    blank = (
        raw.astype(str).str.strip().isin(["", "—", "-", "–", "…", "nan", "None"])
        | raw.isna()
    )
    numbers = pd.to_numeric(raw.where(~blank), errors="coerce")
    bad = numbers.isna() & ~blank
    if bad.any():
        where = [
            f"{unit}={u}, {time}={t}: {v!r}"
            for u, t, v in zip(
                long.loc[bad, unit], long.loc[bad, time], raw[bad], strict=True
            )
        ]
        raise DataError(f"non-numeric cells for {value!r}: {'; '.join(where[:12])}")
    long[value] = numbers.astype(float)
    order = {u: i for i, u in enumerate(pd.unique(table[unit]))}
    long = long.sort_values(
        [unit, time],
        key=lambda s: s.map(order) if s.name == unit else s,
        kind="mergesort",
    )
    return long.reset_index(drop=True)
