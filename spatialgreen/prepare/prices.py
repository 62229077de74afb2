"""Price indices: chain, un-chain, rebase, deflate, and real GDP from volume indices.

Chinese yearbooks print most indices as "previous year = 100" (上年=100): the
2011 value 105.0 says prices (or real output) rose 5 % from 2010 to 2011. Models need
values at constant prices of one base year, i.e. a fixed-base index (基期=100).
Each function works within each unit over consecutive years, returns a new Series
aligned with the rows of the input (so ``df["x"] = f(df, ...)`` works) and never
changes the input.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from ..errors import DataError
from ._checks import (
    back_to_rows,
    require_complete,
    require_consecutive,
    require_positive,
    require_year,
    sorted_panel,
)

__all__ = ["chain_index", "deflate", "real_gdp", "rebase_index", "unchain_index"]

IndexKind = Literal["previous-year", "fixed-base"]
_KINDS = ("previous-year", "fixed-base")


def _segments(work: pd.DataFrame, unit: str) -> list[np.ndarray]:
    """Row positions of each unit in the sorted working copy."""
    return [np.asarray(idx) for idx in work.groupby(unit, sort=False).indices.values()]


def _chained(
    work: pd.DataFrame,
    column: str,
    base_year: int,
    base_value: float,
    *,
    unit: str,
    time: str,
) -> np.ndarray:
    """Fixed-base index from a previous-year=100 column of a checked working copy."""
    out = np.empty(len(work))
    for rows in _segments(work, unit):
        ratio = work[column].to_numpy()[rows] / 100.0
        level = np.cumprod(np.r_[1.0, ratio[1:]])  # the first year's link is unused
        at = np.flatnonzero(work[time].to_numpy()[rows] == base_year)[0]
        out[rows] = base_value * level / level[at]
    return out


def _check_kind(kind: str, option: str) -> None:
    if kind not in _KINDS:
        raise DataError(
            f"{option} must be 'previous-year' or 'fixed-base', got {kind!r}"
        )


def _default_base(work: pd.DataFrame, base_year: int | None, time: str) -> int:
    return int(work[time].min()) if base_year is None else int(base_year)


def chain_index(
    data: pd.DataFrame,
    column: str,
    *,
    base_year: int | None = None,
    base_value: float = 100.0,
    unit: str = "unit",
    time: str = "year",
    name: str | None = None,
) -> pd.Series:
    """Chain a "previous year = 100" index into a fixed-base index.

    .. math:: I_t = I_b \\prod_{s=b+1}^{t} \\frac{p_s}{100}, \\qquad
              I_{t-1} = I_t \\Big/ \\frac{p_t}{100}

    where :math:`p_t` is the printed 上年=100 value and :math:`I_b` = ``base_value``
    in the base year :math:`b`. The first year's own link (to the year before the
    panel) is not used and may be missing.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit and year.
    column : str
        The previous-year=100 index.
    base_year : int, optional
        Year set to ``base_value`` (default: the panel's first year); every unit
        must be observed in it.
    base_value : float
        Value of the index in the base year (100).
    unit, time : str
        Key columns.
    name : str, optional
        Name of the returned Series (default ``<column>_fixed``).

    Returns
    -------
    pandas.Series
        The fixed-base index, aligned with the rows of ``data``.

    Raises
    ------
    PanelError
        A unit's years are not consecutive (names the unit and the absent years).
    DataError
        Missing or non-positive index values (names unit, year and column).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"unit": ["a"] * 3, "year": [2010, 2011, 2012],
    ...                    "cpi": [103.0, 105.0, 102.0]})
    >>> chain_index(df, "cpi").round(3).tolist()   # 100, 100*1.05, 105*1.02
    [100.0, 105.0, 107.1]
    >>> chain_index(df, "cpi", base_year=2011).round(3).tolist()
    [95.238, 100.0, 102.0]
    """
    work, order = sorted_panel(data, [column], unit=unit, time=time)
    base = _default_base(work, base_year, time)
    require_consecutive(
        work,
        unit=unit,
        time=time,
        hint=" (impute or complete the years before chaining)",
    )
    first = ~work[unit].duplicated()
    require_complete(
        work.loc[~first],
        [column],
        unit=unit,
        time=time,
        hint=" (see spatialgreen.prepare.impute)",
    )
    require_positive(work.loc[~first], [column], unit=unit, time=time)
    require_year(work, base, unit=unit, time=time, role="base year")
    values = _chained(work, column, base, base_value, unit=unit, time=time)
    return back_to_rows(values, order, data.index, name or f"{column}_fixed")


def unchain_index(
    data: pd.DataFrame,
    column: str,
    *,
    unit: str = "unit",
    time: str = "year",
    name: str | None = None,
) -> pd.Series:
    """Turn a fixed-base index back into "previous year = 100" form.

    .. math:: p_t = 100 \\, I_t / I_{t-1}

    The first year of each unit has no previous year and is missing (NaN).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"unit": ["a"] * 3, "year": [2010, 2011, 2012],
    ...                    "P": [100.0, 105.0, 107.1]})
    >>> unchain_index(df, "P").round(3).tolist()   # 105/100, 107.1/105
    [nan, 105.0, 102.0]
    """
    work, order = sorted_panel(data, [column], unit=unit, time=time)
    require_consecutive(work, unit=unit, time=time)
    require_positive(work, [column], unit=unit, time=time)
    previous = work.groupby(unit, sort=False)[column].shift(1)
    values = (100.0 * work[column] / previous).to_numpy()
    return back_to_rows(values, order, data.index, name or f"{column}_prev100")


def rebase_index(
    data: pd.DataFrame,
    column: str,
    *,
    base_year: int,
    base_value: float = 100.0,
    unit: str = "unit",
    time: str = "year",
    name: str | None = None,
) -> pd.Series:
    """Rebase a fixed-base index to another base year.

    .. math:: I'_t = I'_b \\, I_t / I_b

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"unit": ["a"] * 3, "year": [2010, 2011, 2012],
    ...                    "P": [100.0, 105.0, 107.1]})
    >>> rebase_index(df, "P", base_year=2012).round(3).tolist()  # 100*P/107.1
    [93.371, 98.039, 100.0]
    """
    work, order = sorted_panel(data, [column], unit=unit, time=time)
    require_year(work, int(base_year), unit=unit, time=time, role="base year")
    at_base = work.loc[work[time] == int(base_year)]
    require_complete(at_base, [column], unit=unit, time=time)
    require_positive(at_base, [column], unit=unit, time=time)
    base = work[unit].map(at_base.set_index(unit)[column])
    values = (base_value * work[column] / base).to_numpy()
    return back_to_rows(values, order, data.index, name or f"{column}_{int(base_year)}")


def _fixed_index(
    work: pd.DataFrame,
    index: str,
    kind: str,
    base_year: int | None,
    *,
    unit: str,
    time: str,
) -> tuple[np.ndarray, int | None]:
    """The fixed-base index as a ratio (1 = base-year prices) and the base year.

    A fixed-base index without ``base_year`` is read on its printed scale (100 =
    prices of its own base year, which may lie outside the panel; ``None`` is
    returned as the year).
    """
    _check_kind(kind, "index_kind")
    if kind == "previous-year":
        base = _default_base(work, base_year, time)
        require_consecutive(
            work,
            unit=unit,
            time=time,
            hint=" (impute or complete the years before chaining)",
        )
        first = ~work[unit].duplicated()
        require_complete(work.loc[~first], [index], unit=unit, time=time)
        require_positive(work.loc[~first], [index], unit=unit, time=time)
        require_year(work, base, unit=unit, time=time, role="base year")
        return _chained(work, index, base, 1.0, unit=unit, time=time), base
    require_positive(work, [index], unit=unit, time=time)
    if base_year is None:
        if work[index].median() < 10:
            raise DataError(
                f"the fixed-base index {index!r} looks like a ratio (base = 1, median "
                f"{work[index].median():g}); spatialgreen reads fixed-base indices "
                f"with base = 100: multiply it by 100, or pass base_year"
            )
        return (work[index] / 100.0).to_numpy(), None
    require_year(work, int(base_year), unit=unit, time=time, role="base year")
    at_base = work.loc[work[time] == int(base_year)]
    require_complete(at_base, [index], unit=unit, time=time)
    base = work[unit].map(at_base.set_index(unit)[index])
    return (work[index] / base).to_numpy(), int(base_year)


def deflate(
    data: pd.DataFrame,
    value: str,
    index: str,
    *,
    index_kind: IndexKind = "fixed-base",
    base_year: int | None = None,
    unit: str = "unit",
    time: str = "year",
    name: str | None = None,
) -> pd.Series:
    """Deflate a nominal value to constant prices of a base year.

    .. math:: x^{real}_t = x^{nominal}_t \\, \\frac{I_b}{I_t}

    with :math:`I` the fixed-base price index (chained first when ``index_kind``
    is ``"previous-year"``) and :math:`b` the base year.

    Parameters
    ----------
    value : str
        Nominal (current-price) column.
    index : str
        Price index column (CPI, GDP deflator, fixed-asset investment prices, ...).
    index_kind : {"fixed-base", "previous-year"}
        How ``index`` is printed. A fixed-base index is used as given; a
        previous-year=100 index is chained with :func:`chain_index`.
    base_year : int, optional
        Year whose prices the result is in. Default: a fixed-base index is read as
        printed (100 = prices of its own base year, which may lie outside the
        panel); a previous-year index is chained from the panel's first year.

    Returns
    -------
    pandas.Series
        Values at constant base-year prices (default name ``<value>_real``);
        cells where ``value`` is missing stay missing.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"unit": ["a"] * 3, "year": [2010, 2011, 2012],
    ...                    "gdp": [100.0, 110.0, 121.0], "cpi": [100.0, 105.0, 110.0]})
    >>> deflate(df, "gdp", "cpi").round(3).tolist()   # 110*100/105, 121*100/110
    [100.0, 104.762, 110.0]
    """
    work, order = sorted_panel(data, [value, index], unit=unit, time=time)
    fixed, _ = _fixed_index(work, index, index_kind, base_year, unit=unit, time=time)
    values = work[value].to_numpy() / fixed
    return back_to_rows(values, order, data.index, name or f"{value}_real")


def real_gdp(
    data: pd.DataFrame,
    gdp: str,
    index: str,
    *,
    base_year: int | None = None,
    index_kind: IndexKind = "previous-year",
    unit: str = "unit",
    time: str = "year",
    name: str | None = None,
) -> pd.Series:
    """Real GDP at constant base-year prices from a GDP (volume) index.

    .. math:: Y^{real}_t = Y^{nominal}_b \\, \\frac{I_t}{I_b}

    :math:`I` is the GDP index at comparable prices (chained when printed as
    上年=100) and :math:`Y^{nominal}_b` the current-price GDP of the base year, as
    in the YRD study's GDP "converted to constant 2005 prices with the growth
    index". Only the base year's nominal GDP is used.

    Parameters
    ----------
    gdp : str
        Nominal GDP column (needed in the base year).
    index : str
        GDP index column (上年=100 by default, or fixed-base).
    base_year : int, optional
        Year whose prices the result is in (default: the panel's first year, or the
        year where a fixed-base index equals 100).
    index_kind : {"previous-year", "fixed-base"}

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"unit": ["a"] * 3, "year": [2005, 2006, 2007],
    ...                    "gdp": [200.0, 240.0, 300.0], "idx": [None, 110.0, 105.0]})
    >>> real_gdp(df, "gdp", "idx").round(3).tolist()   # 200, 200*1.1, 220*1.05
    [200.0, 220.0, 231.0]
    """
    work, order = sorted_panel(data, [gdp, index], unit=unit, time=time)
    if index_kind == "fixed-base" and base_year is None:
        years = pd.unique(work.loc[np.isclose(work[index], 100.0), time])
        if len(years) != 1:
            raise DataError(
                f"cannot tell the base year of the fixed-base GDP index {index!r} "
                f"(it equals 100 in {len(years)} distinct years); pass base_year"
            )
        base_year = int(years[0])
    fixed, found = _fixed_index(
        work, index, index_kind, base_year, unit=unit, time=time
    )
    base = int(found if found is not None else base_year)  # type: ignore[arg-type]
    at_base = work.loc[work[time] == base]
    require_complete(at_base, [gdp], unit=unit, time=time)
    require_positive(at_base, [gdp], unit=unit, time=time)
    nominal_base = work[unit].map(at_base.set_index(unit)[gdp]).to_numpy()
    return back_to_rows(nominal_base * fixed, order, data.index, name or f"{gdp}_real")
