"""The yearbook view of the SYNTHETIC demo panels: what a researcher starts from.

Part of the seeded demo generator (see :mod:`spatialgreen.datasets._generate`).
Yearbooks do not print the panel the models take: they print values at current
prices, volume and price indices as "previous year = 100" (上年=100) with one
decimal, investment flows instead of a capital stock, sector employment instead of
structure indices, and they leave gaps. This module turns the simulated panel into
such tables; :mod:`spatialgreen.prepare` turns them back (the tests check that it
recovers the prepared demo panel).

Price process (all SYNTHETIC): for each of the 31 mainland provinces and 2005–2022,
annual inflation of the GDP deflator, the industrial deflator, consumer prices (CPI)
and fixed-asset investment prices is a national AR(1) path plus a provincial
deviation; the printed index is ``round(100 (1 + π), 1)`` and the price level the
product of the printed indices (2005 = 1). Cities use the indices of their province
(city yearbooks print no fixed-asset investment price index, so researchers take
the province's), with a small city deviation of the GDP deflator, which is never
printed (only nominal GDP and the GDP index are).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = [
    "CITY_GAPS",
    "CITY_YEARBOOK",
    "PROVINCE_GAPS",
    "PROVINCE_YEARBOOK",
    "SERVICES",
    "rechain",
    "yearbook_table",
]

# the five producer-service industries: base share of urban employment, loading on z
SERVICES = {
    "emp_transport": (0.050, -0.05),
    "emp_information": (0.018, 0.35),
    "emp_finance": (0.035, 0.15),
    "emp_business": (0.030, 0.25),
    "emp_research": (0.022, 0.30),
}
#: columns of the yearbook tables after the keys
PROVINCE_YEARBOOK = [
    "population",
    "labor",
    "gdp_nominal",
    "gdp_index",
    "va_primary",
    "va_secondary",
    "va_tertiary",
    "industrial_va_nominal",
    "industrial_va_index",
    "investment",
    "investment_price_index",
    "cpi",
    "energy",
    "water",
    "electricity",
    "so2",
    "cod",
    "wastewater",
    "solid_waste",
    "dust",
    "co2",
    "emp_urban",
    *SERVICES,
    "emp_industry",
    "emp_hightech",
    "universities_top",
    "universities_key",
    "hightech_rd_fte",
    "robot_index",
    "software_revenue",
    "ecommerce_sales",
    "new_energy_share",
    "internet_ports",
    "cable_length",
    "environmental_regulation",
    "fdi",
    "government_spending",
    "enterprise_innovation",
    "urbanization",
]
CITY_YEARBOOK = [
    "population",
    "urban_population",
    "labor",
    "gdp_nominal",
    "gdp_index",
    "industrial_va_nominal",
    "industrial_va_index",
    "investment",
    "investment_price_index",
    "energy",
    "water",
    "so2",
    "wastewater",
    "dust",
]


#: first year of the price levels (= 1) and of the prepared panels' constant prices
BASE_YEAR = 2005
_PRICE_YEARS = range(2005, 2023)
# mean, persistence and spread of annual inflation (national path, provincial part)
_INFLATION = {
    "gdp_deflator": (0.035, 0.6, 0.018, 0.006),
    "industrial_deflator": (0.020, 0.6, 0.025, 0.008),
    "cpi": (0.024, 0.6, 0.012, 0.004),
    "investment_price": (0.025, 0.6, 0.020, 0.006),
}

#: number of missing cells per column in the yearbook tables (interior years only:
#: a unit's first and last year are always observed, so linear interpolation fills
#: every gap)
PROVINCE_GAPS = {
    "water": 3,
    "so2": 3,
    "cod": 2,
    "investment_price_index": 2,
    "software_revenue": 4,
    "new_energy_share": 4,
    "robot_index": 3,
}
#: share of missing cells per column of the city yearbook (interior years only)
CITY_GAPS = {"so2": 0.01, "wastewater": 0.01, "dust": 0.012, "water": 0.005}


def rechain(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Round a series' year-on-year index to one decimal and rebuild the series.

    ``values`` is units × years. Returns the printed index (上年=100; the first
    column is NaN, filled later) and the series implied by it, ``x_0 · Π idx/100``:
    the prepared panel holds what the printed index says, so chaining the printed
    index recovers it exactly.
    """
    index = np.full(values.shape, np.nan)
    index[:, 1:] = np.round(100.0 * values[:, 1:] / values[:, :-1], 1)
    level = np.cumprod(np.c_[np.ones(len(values)), index[:, 1:] / 100.0], axis=1)
    return index, values[:, :1] * level


def _price_indices(seed: int) -> dict[str, pd.DataFrame]:
    """Printed 上年=100 price indices by province (rows) and year (columns)."""
    from ..geo import load_boundaries

    rng = np.random.default_rng([seed, 10])
    provinces = sorted(
        load_boundaries("province", study="mainland31")["adcode"].astype(int)
    )
    years = list(_PRICE_YEARS)
    out = {}
    for name, (mean, rho, sd, sd_province) in _INFLATION.items():
        national = np.empty(len(years))
        shock = rng.standard_normal(len(years)) * sd
        national[0] = mean + shock[0]
        for j in range(1, len(years)):
            national[j] = mean + rho * (national[j - 1] - mean) + shock[j]
        local = sd_province * rng.standard_normal((len(provinces), len(years)))
        printed = np.round(100.0 * (1.0 + national[None, :] + local), 1)
        out[name] = pd.DataFrame(printed, index=provinces, columns=years)
    return out


def _level(printed: np.ndarray) -> np.ndarray:
    """Price level (first year = 1) from printed 上年=100 indices (units × years)."""
    return np.cumprod(np.c_[np.ones(len(printed)), printed[:, 1:] / 100.0], axis=1)


def _gaps(
    table: pd.DataFrame, counts: Mapping[str, float], rng: np.random.Generator
) -> pd.DataFrame:
    """Blank a few interior cells (never a unit's first or last year)."""
    out = table.copy()
    ends = out["year"].isin([out["year"].min(), out["year"].max()]).to_numpy()
    interior = np.flatnonzero(~ends)
    for column, amount in counts.items():
        k = int(amount) if amount >= 1 else round(amount * len(out))
        rows = rng.choice(interior, size=k, replace=False)
        out.loc[out.index[rows], column] = np.nan
    return out


_KEYS = (
    "adcode",
    "province",
    "province_en",
    "city",
    "city_en",
    "province_adcode",
    "region",
    "year",
)


def yearbook_table(
    panel: pd.DataFrame,
    hidden: dict[str, np.ndarray],
    *,
    level: str,
    columns: list[str],
    seed: int,
) -> pd.DataFrame:
    """The yearbook-shaped table of a simulated panel.

    ``panel`` is the prepared panel in unit-major order (unit, then year; every unit
    observed in every year), ``hidden`` holds what the prepared panel does not show
    as units × years arrays (real investment, printed volume indices, value-added
    shares, sector employment), ``columns`` the columns to return after the keys.
    """
    years = sorted(panel["year"].unique())
    n = len(panel) // len(years)

    def grid(column: str) -> np.ndarray:
        return panel[column].to_numpy(dtype=float).reshape(n, len(years))

    key = "adcode" if level == "province" else "province_adcode"
    province = panel[key].to_numpy()[:: len(years)]
    prices = _price_indices(seed)

    def printed(name: str) -> np.ndarray:
        return prices[name].loc[province, years].to_numpy()

    rng = np.random.default_rng([seed, 11, 0 if level == "province" else 1])
    deflator = _level(printed("gdp_deflator"))
    if level == "city":  # a city's implicit deflator differs a little (not printed)
        drift = np.cumsum(0.004 * rng.standard_normal((n, len(years))), axis=1)
        deflator = deflator * np.exp(drift - drift[:, :1])
    gdp_nominal = grid("gdp") * deflator
    out = {
        "gdp_nominal": gdp_nominal,
        "industrial_va_nominal": grid("industrial_va")
        * _level(printed("industrial_deflator")),
        "investment": hidden["investment"] * _level(printed("investment_price")),
        "investment_price_index": printed("investment_price"),
        "cpi": printed("cpi"),
    }
    for sector in ("primary", "secondary", "tertiary"):
        out[f"va_{sector}"] = hidden[f"share_{sector}"] * gdp_nominal
    for name in ("software_revenue", "ecommerce_sales"):  # printed at current prices
        if name in panel:
            out[name] = grid(name) * _level(printed("cpi"))
    table = panel[[c for c in panel.columns if c in _KEYS]].copy()
    for column in columns:
        values = out.get(column, hidden.get(column))
        table[column] = (
            panel[column].to_numpy() if values is None else values.reshape(-1)
        )
    gaps: Mapping[str, float] = PROVINCE_GAPS if level == "province" else CITY_GAPS
    return _gaps(table, gaps, rng)
