"""Capital stock by the perpetual inventory method.

Chinese yearbooks print investment flows (gross fixed capital formation, or total
investment in fixed assets) at current prices and the fixed-asset investment price
index, never the capital stock; studies build it by perpetual inventory:

.. math:: K_{it} = (1 - \\delta) K_{i,t-1} + I_{it} / P_{it}

with the base-year stock from Hall & Jones (1999), :math:`K_{i0} = I_{i0}/(g_i +
\\delta)`, or from Zhang Jun, Wu Guiying & Zhang Jipeng (2004, 经济研究 10: 35–44),
:math:`K_{i0} = I_{i0}/10\\%`. Zhang et al. use :math:`\\delta = 9.6\\%`; the NQPF
study uses 10.96 %. The rate is a modelling choice, so it has no default here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..errors import DataError
from ..results import Results
from ._checks import (
    require_complete,
    require_consecutive,
    require_positive,
    sorted_panel,
)
from .missing import impute
from .prices import IndexKind, _fixed_index

__all__ = ["BASE_METHODS", "CapitalStockResults", "capital_stock"]

BASE_METHODS = ("hall-jones", "zhang")
"""Base-year stock rules of :func:`capital_stock` (besides a mapping of stocks)."""

ZHANG_BASE_RATE = 0.10
"""Zhang, Wu & Zhang (2004): base-year stock = base-year real investment / 10 %."""


@dataclasses.dataclass(frozen=True)
class CapitalStockResults(Results):
    """What :func:`capital_stock` returns.

    Attributes
    ----------
    stock : pandas.DataFrame
        unit, year, ``real_investment`` (I/P) and ``capital`` (K), sorted by unit
        and year; with ``interpolate=True`` also the ``<column>_imputed`` flags.
    base : pandas.DataFrame
        Per unit: base year, base-year real investment, growth rate ``g`` (Hall &
        Jones; NaN otherwise), ``delta`` and the base-year stock.
    imputed : pandas.DataFrame
        The cells filled before accumulation (empty unless ``interpolate=True``).
    meta : dict
        Options of the run.
    """

    stock: pd.DataFrame
    base: pd.DataFrame
    imputed: pd.DataFrame
    meta: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def column(
        self, data: pd.DataFrame, *, unit: str = "unit", time: str = "year"
    ) -> pd.Series:
        """The capital stock aligned with the rows of ``data`` (NaN where absent)."""
        key = pd.MultiIndex.from_arrays([data[unit], pd.to_numeric(data[time])])
        table = self.stock.set_index([self.stock.columns[0], self.stock.columns[1]])[
            "capital"
        ]
        return pd.Series(
            table.reindex(key).to_numpy(), index=data.index, name="capital"
        )


def _growth(real: np.ndarray, k: int) -> float:
    """Average (geometric) annual growth of real investment over the first k years."""
    return float((real[k] / real[0]) ** (1.0 / k) - 1.0)


def capital_stock(
    data: pd.DataFrame,
    investment: str,
    price: str | None = None,
    *,
    delta: float,
    base: Literal["hall-jones", "zhang"] | Mapping[Any, float] = "hall-jones",
    growth_years: int = 5,
    price_kind: IndexKind = "fixed-base",
    price_base_year: int | None = None,
    interpolate: bool = False,
    unit: str = "unit",
    time: str = "year",
) -> CapitalStockResults:
    """Capital stock by perpetual inventory, from nominal investment and its prices.

    .. math::

        K_{i t_0} = \\frac{I_{i t_0}/P_{i t_0}}{g_i + \\delta}
        \\ \\text{(Hall–Jones)} \\quad\\text{or}\\quad
        \\frac{I_{i t_0}/P_{i t_0}}{0.10}\\ \\text{(Zhang et al.)},
        \\qquad K_{it} = (1-\\delta) K_{i,t-1} + \\frac{I_{it}}{P_{it}}

    where :math:`t_0` is the unit's first year, :math:`P` the fixed-asset investment
    price index as a ratio (1 in its base year) and
    :math:`g_i = (R_{i,t_0+k}/R_{i t_0})^{1/k} - 1` the geometric average growth of
    real investment :math:`R = I/P` over the first :math:`k` = ``growth_years``
    years (Hall & Jones 1999 use the growth of investment over the first years of
    the sample; :math:`k` is stated here, not hidden).

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit and year.
    investment : str
        Investment flow at current prices (e.g. 固定资本形成总额).
    price : str, optional
        Fixed-asset investment price index. ``None`` means ``investment`` is
        already at constant prices.
    delta : float
        Depreciation rate, e.g. 0.096 (Zhang, Wu & Zhang 2004) or 0.1096 (the NQPF
        study). Required: there is no neutral default.
    base : {"hall-jones", "zhang"} or mapping
        Base-year stock rule, or a mapping unit → base-year stock (in the same
        constant prices), e.g. published estimates.
    growth_years : int
        :math:`k` of the Hall–Jones growth rate (5).
    price_kind : {"fixed-base", "previous-year"}
        A fixed-base index is read as printed (100 = prices of its base year; pass
        ``price_base_year`` to rebase); a 上年=100 index is chained from
        ``price_base_year`` (default: the panel's first year).
    price_base_year : int, optional
        Year whose prices the stock is in.
    interpolate : bool
        Fill missing investment and price cells (and absent years inside a unit's
        span) by linear interpolation first, with a warning and a report in
        ``.imputed``. Without it a gap is an error naming the unit and year.
    unit, time : str
        Key columns.

    Returns
    -------
    CapitalStockResults
        ``.stock`` (unit, year, real_investment, capital), ``.base``, ``.imputed``.

    Raises
    ------
    PanelError
        A unit's years are not consecutive (names unit and years).
    DataError
        Missing or non-positive investment or prices, too few years for
        ``growth_years``, :math:`g + \\delta \\le 0`, or bad options.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"unit": ["a"] * 3, "year": [2000, 2001, 2002],
    ...                    "I": [10.0, 11.0, 12.1], "P": [100.0, 100.0, 110.0]})
    >>> res = capital_stock(df, "I", "P", delta=0.1, base="zhang")
    >>> res.stock["capital"].round(4).tolist()  # 10/0.1; 0.9*100 + 11; 0.9*101 + 11
    [100.0, 101.0, 101.9]
    >>> hj = capital_stock(df, "I", "P", delta=0.1, growth_years=2)
    >>> hj.base[["g", "capital"]].round(4).values.tolist()  # 10/(1.1**.5 - 1 + .1)
    [[0.0488, 67.2003]]
    """
    if not isinstance(delta, (int, float)) or not 0 <= delta < 1:
        raise DataError(f"delta must be a depreciation rate in [0, 1), got {delta!r}")
    if isinstance(base, str) and base not in BASE_METHODS:
        raise DataError(
            f"base must be one of {', '.join(BASE_METHODS)} or a mapping "
            f"unit -> stock, got {base!r}"
        )
    if not isinstance(growth_years, int) or growth_years < 1:
        raise DataError(
            f"growth_years must be a positive integer, got {growth_years!r}"
        )
    cols = [investment] if price is None else [investment, price]
    imputed = pd.DataFrame(columns=[unit, time, "column", "method", "value"])
    source = data
    if interpolate:
        filled = impute(
            data,
            cols,
            method="linear",
            complete_years=True,
            unit=unit,
            time=time,
            warn=True,
        )
        source, imputed = filled.data, filled.report
    work, _ = sorted_panel(source, cols, unit=unit, time=time)
    hint = " (pass interpolate=True, or fill it with spatialgreen.prepare.impute)"
    require_consecutive(work, unit=unit, time=time, hint=hint)
    require_complete(work, cols, unit=unit, time=time, hint=hint)
    require_positive(work, [investment], unit=unit, time=time)
    if price is None:
        ratio, price_year = np.ones(len(work)), None
    else:
        ratio, price_year = _fixed_index(
            work, price, price_kind, price_base_year, unit=unit, time=time
        )
    real = work[investment].to_numpy() / ratio
    capital = np.empty(len(work))
    rows_base = []
    for u, rows in work.groupby(unit, sort=False).indices.items():
        r = real[rows]
        years = work[time].to_numpy()[rows]
        g = np.nan
        if isinstance(base, Mapping):
            if u not in base:
                raise DataError(f"base has no stock for {unit}={u}")
            k0 = float(base[u])
        elif base == "zhang":
            k0 = r[0] / ZHANG_BASE_RATE
        else:
            if len(r) <= growth_years:
                raise DataError(
                    f"{unit}={u} has {len(r)} years; the Hall–Jones growth rate over "
                    f"growth_years={growth_years} needs at least {growth_years + 1}"
                )
            g = _growth(r, growth_years)
            if g + delta <= 0:
                raise DataError(
                    f"{unit}={u}: g + delta = {g:.4f} + {delta} <= 0 (real investment "
                    f"falls from {time}={years[0]} to {years[growth_years]}); use "
                    f"base='zhang', a longer growth_years or a mapping of stocks"
                )
            k0 = r[0] / (g + delta)
        k = np.empty(len(r))
        k[0] = k0
        for t in range(1, len(r)):
            k[t] = (1.0 - delta) * k[t - 1] + r[t]
        capital[rows] = k
        rows_base.append(
            {
                unit: u,
                time: int(years[0]),
                "real_investment": r[0],
                "g": g,
                "delta": delta,
                "capital": k0,
            }
        )
    stock = work[[unit, time]].copy()
    stock["real_investment"] = real
    stock["capital"] = capital
    if interpolate:
        keyed = source.assign(**{time: pd.to_numeric(source[time])}).set_index(
            [unit, time]
        )
        for col in cols:
            flags = keyed[f"{col}_imputed"].reindex(
                pd.MultiIndex.from_frame(stock[[unit, time]])
            )
            stock[f"{col}_imputed"] = flags.to_numpy(dtype=bool)
    meta = {
        "method": "perpetual inventory",
        "delta": delta,
        "base": base if isinstance(base, str) else "given",
        "growth_years": growth_years if base == "hall-jones" else None,
        "price_kind": None if price is None else price_kind,
        "price_base_year": price_year,
        "interpolated": bool(interpolate),
    }
    return CapitalStockResults(stock, pd.DataFrame(rows_base), imputed, meta)
