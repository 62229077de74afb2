"""Seeded generator of the SYNTHETIC demo data shipped with spatialgreen.

No yearbook data can be downloaded where spatialgreen is built, so the demo data are
simulated. They are **synthetic numbers, not statistics**: plausible in magnitude
(like China's), with the structure the analysis modules need to show something, and
produced by the documented data-generating process below. Run::

    python -m spatialgreen.datasets._generate

to rewrite the files in ``spatialgreen/datasets/demo/``; a test checks that the
shipped files equal what this module produces.

Two views of the same simulated economy are shipped: the *prepared* panels
(``province_panel``, ``city_panel``: real values at 2005 prices, capital stocks,
structure indices, no gaps) and the *yearbook* tables (``province_yearbook``,
``city_yearbook``: what yearbooks print — current prices, 上年=100 indices,
investment flows, sector employment, a few gaps; see
:mod:`spatialgreen.datasets._generate_yearbook`). ``spatialgreen.prepare`` turns
the second into the first.

Data-generating process (provinces; cities are analogous)
---------------------------------------------------------
1. *Space.* A latent field ``f = (I − ρW)⁻¹ e`` with row-standardised queen
   contiguity ``W`` of the shipped polygons (islands linked to their nearest
   neighbour), ρ = 0.7 and standard-normal ``e``: neighbours resemble each other, so
   Moran's I of the results is meaningfully positive.
2. *Technology.* ``ln A_it = a_region + 0.25 c_i + (0.012 + 0.006 g_i) t + 0.15 f_i
   + 0.10 z_it + 0.06 m_it`` with ``f`` and ``g`` two draws of the spatial field
   (levels and growth of technology both cluster in space), ``c`` marking the three
   eastern municipalities (Beijing, Tianjin, Shanghai; a stylised choice that makes
   them the demo's richest units, so that Shanghai leads the YRD cities in 2005
   per-capita GDP), ``z`` the latent "new quality productive
   forces" level (rising over time, higher in the east, spatially correlated) and
   ``m`` industrial upgrading (``0.5 z + noise``): technology differs between
   east, centre and west, and both ``z`` and ``m`` raise productivity (the
   mediation channel of the NQPF study).
3. *Inputs.* Labour follows population; real investment is a share of potential
   output, and capital is built from it by the perpetual inventory method
   (δ = 9.6 %, Zhang, Wu & Zhang 2004; base-year stock ``I_0/(g + δ)`` with ``g``
   the growth of real investment over the first five years, Hall & Jones 1999);
   energy, water and electricity are intensities × potential output that fall over
   time (faster in the east).
4. *Output.* Real GDP = A · K^0.40 · L^0.45 · E^0.15 · exp(v − u), with smooth
   noise ``v`` (AR(1), ρ = 0.8, innovations N(0, 0.012²): yearbook growth rates are
   smooth) and half-normal inefficiency ``u`` (σ_u larger in the west,
   shrinking over time; mostly persistent within a unit, with a smaller yearly
   part), scaled to China's 2005 GDP in total. The GDP index is printed with one
   decimal and real GDP is what the printed index implies. Industrial value added
   is a share of the secondary sector.
5. *Pollution.* SO2, COD, wastewater, solid waste and dust are intensities ×
   industrial output (wastewater: half of it × GDP) calibrated to China's 2005
   national totals, falling at pollutant-specific rates
   (SO2 fastest, solid waste slowest; moderate enough for plausible cumulative green
   TFP) and faster where environmental regulation is stricter, times ``exp(u +
   w)``: inefficient units also pollute more, and absolute SO2 falls while output
   grows (decoupling). CO2 = energy × an emission factor.
6. *Explanatory variables.* The ten NQPF indicators load on ``z``; FDI, government
   spending, environmental regulation and enterprise innovation are correlated with
   ``z``, region and time, with noise. Structure indices are computed from
   simulated sector values: industrial upgrading = tertiary / secondary value
   added; high-tech agglomeration = location quotient of high-tech employment in
   industrial employment; producer-service specialisation (Ezcurra et al.) and
   diversification (inverse Herfindahl) from the employment of five
   producer-service industries.

Cities also carry the 16 prefecture-level "regenerative" resource-based cities of
the 2013–2020 national plan (as named in issue 17; the official list is not
shipped, see ``spatialgreen.geo.resource_cities``) with a SYNTHETIC placeholder
resource type. No other resource-based city or stage is invented.

The cluster, online-belt and patent-transfer tables are drawn from the same city
list: clusters in large cities, belts around them (a share in the same or a similar
industry), transfers from a gravity model whose intra-YRD intensity rises over time.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from ._generate_yearbook import (
    CITY_YEARBOOK,
    PROVINCE_YEARBOOK,
    SERVICES,
    rechain,
    yearbook_table,
)

__all__ = ["DEMO_DIR", "SEED", "generate_all", "write_all"]

SEED = 20261122
DEMO_DIR = Path(__file__).parent / "demo"
PROVINCE_YEARS = range(2005, 2023)
CITY_YEARS = range(2005, 2021)
TRANSFER_YEARS = range(2001, 2021)
#: depreciation rate and Hall–Jones growth window of the demo capital stocks
DEPRECIATION = 0.096
GROWTH_YEARS = 5

_POPULATION_2005 = 130756.0  # 10,000 persons, China Statistical Yearbook 2006
_GDP_2005 = 187319.0  # 100 million yuan, GDP of 2005 (first release)
_REGION_LEVEL = {"east": 0.35, "central": 0.0, "west": -0.25}
_REGION_SIGMA_U = {"east": 0.08, "central": 0.14, "west": 0.20}
# prefecture-level units (province-administered county-level cities are left out)
_PREFECTURE_TYPES = {
    "prefecture_city",
    "autonomous_prefecture",
    "prefecture",
    "league",
    "municipality",
}
_REGION_PCGDP_2005 = {"east": 2.6, "central": 1.15, "west": 0.95}  # 10k yuan per person
# the eastern municipalities (province and city adcodes): richest and most productive
_CORE = {110000, 120000, 310000, 110100, 120100, 310100}
# annual rate at which each pollutant's intensity falls (east: 0.01 faster)
_CLEANING = {"so2": 0.10, "cod": 0.08, "wastewater": 0.06, "solid_waste": 0.015}
_CLEANING["dust"] = 0.085


# --------------------------------------------------------------------------- space
def _units(level: str) -> pd.DataFrame:
    """Units of the demo panel with region, province and representative point."""
    from ..geo import load_boundaries

    study = "gtfp30" if level == "province" else "mainland31"
    gdf = load_boundaries(level, study=study)
    if level == "city":
        gdf = gdf[gdf["type"].isin(_PREFECTURE_TYPES)]
    pts = gdf.geometry.representative_point()
    out = pd.DataFrame(
        {
            "adcode": gdf["adcode"].to_numpy(),
            "name_zh": gdf["name_zh"].to_numpy(),
            "name_en": gdf["name_en"].to_numpy(),
            "region": gdf["region3"].to_numpy(),
            "lon": pts.x.to_numpy(),
            "lat": pts.y.to_numpy(),
        }
    )
    if level == "city":
        out["province_adcode"] = gdf["province_adcode"].to_numpy()
        out["province"] = gdf["province_zh"].to_numpy()
        out["yrd26"] = gdf["yrd26"].to_numpy(dtype=bool)
    return out.sort_values("adcode").reset_index(drop=True)


def _spatial_field(
    units: pd.DataFrame,
    level: str,
    rng: np.random.Generator,
    rho: float = 0.7,
    k: int = 1,
) -> np.ndarray:
    """Draws of ``(I − ρW)⁻¹ e`` (columns), W = queen contiguity of the polygons."""
    from ..geo import spatial_weights

    ids = units["adcode"].tolist()
    g = spatial_weights(level, kind="queen", islands="nearest", ids=ids, transform="r")
    position = {u: i for i, u in enumerate(g.unique_ids)}
    order = [position[i] for i in ids]
    w = g.sparse.toarray()[np.ix_(order, order)]
    n = len(ids)
    e = rng.standard_normal((n, k))
    field = np.linalg.solve(np.eye(n) - rho * w, e)
    return (field - field.mean(0)) / field.std(0)


# --------------------------------------------------------------------- production
def _perpetual_inventory(investment: np.ndarray) -> np.ndarray:
    """K_t = (1 − δ) K_{t−1} + I_t, K_0 = I_0 / (g + δ) (Hall–Jones g over 5 years)."""
    g = (investment[:, GROWTH_YEARS] / investment[:, 0]) ** (1.0 / GROWTH_YEARS) - 1
    capital = np.empty_like(investment)
    capital[:, 0] = investment[:, 0] / (g + DEPRECIATION)
    for j in range(1, investment.shape[1]):
        capital[:, j] = (1 - DEPRECIATION) * capital[:, j - 1] + investment[:, j]
    return capital


def _production_panel(
    units: pd.DataFrame,
    years: range,
    rng: np.random.Generator,
    field: np.ndarray,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Production, pollution and latent variables (units × years arrays), and the
    values only the yearbook tables show."""
    n, T = len(units), len(years)
    t = np.arange(T)[None, :]
    region = units["region"].to_numpy()
    east = (region == "east").astype(float)[:, None]
    west = (region == "west").astype(float)[:, None]
    core = units["adcode"].isin(_CORE).to_numpy().astype(float)[:, None]
    f_tech, f_z, f_reg, f_trend = (field[:, j : j + 1] for j in range(4))

    # latent new-quality-productive-forces level and industrial upgrading
    z = (
        0.8 * east
        - 0.4 * west
        + 0.5 * core
        + 0.45 * f_z
        + 0.09 * t
        + 0.08 * rng.standard_normal((n, T))
    )
    m = 0.5 * z + 0.3 * rng.standard_normal((n, 1)) + 0.05 * rng.standard_normal((n, T))
    reg = 0.3 * east + 0.4 * f_reg + 0.05 * t + 0.2 * rng.standard_normal((n, T))

    a_region = np.vectorize(_REGION_LEVEL.get)(region)[:, None]
    ln_a = (
        a_region
        + 0.25 * core
        + (0.012 + 0.006 * f_trend) * t
        + 0.15 * f_tech
        + 0.10 * z
        + 0.06 * m
    )
    pop = np.exp(rng.normal(0, 0.55, (n, 1))) * (1.004 + 0.004 * east) ** t
    pop *= _POPULATION_2005 / pop[:, 0].sum()
    labor = pop * (0.52 + 0.04 * rng.random((n, 1)))

    pcgdp0 = np.vectorize(_REGION_PCGDP_2005.get)(region)[:, None] * np.exp(
        0.25 * f_tech + 0.6 * core
    )
    growth = 0.105 - 0.004 * t + 0.01 * (1 - east) + 0.005 * rng.standard_normal((n, T))
    potential = pop * pcgdp0 * np.exp(np.cumsum(growth, axis=1) - growth[:, :1])

    invest_share = 0.38 + 0.12 * (1 - east) + 0.05 * rng.random((n, 1))
    investment = invest_share * potential  # real, 1e8 yuan at 2005 prices
    capital = _perpetual_inventory(investment)

    e_intensity = (1.0 + 0.5 * west + 0.2 * rng.random((n, 1))) * (
        0.965 - 0.01 * east
    ) ** t
    energy = e_intensity * potential  # 10k tce per 1e8 yuan ≈ 1 tce / 10k yuan
    water = (0.08 + 0.05 * rng.random((n, 1))) * potential * 0.96**t  # 1e8 m3
    electricity = (
        (0.10 + 0.05 * west + 0.03 * rng.random((n, 1))) * potential * 0.985**t
    )

    sigma_u = np.vectorize(_REGION_SIGMA_U.get)(region)[:, None] * (1 - 0.02 * t)
    # persistent inefficiency with a smaller year-to-year part
    u = (
        0.85 * np.abs(rng.standard_normal((n, 1)))
        + 0.15 * np.abs(rng.standard_normal((n, T)))
    ) * sigma_u
    v = np.empty((n, T))  # smooth noise (AR(1), 0.8): yearbook growth is smooth
    v[:, 0] = 0.02 * rng.standard_normal(n)
    for j in range(1, T):
        v[:, j] = 0.8 * v[:, j - 1] + 0.012 * rng.standard_normal(n)
    frontier = np.exp(ln_a) * capital**0.40 * labor**0.45 * energy**0.15
    gdp = frontier * np.exp(v - u)
    gdp *= _GDP_2005 / gdp[:, 0].sum()  # China's real GDP of 2005 in total
    gdp_index, gdp = rechain(gdp)
    gdp_index[:, 0] = np.round(100 * np.exp(growth[:, 0]), 1)

    # sector shares of value added: tertiary / secondary = industrial upgrading
    primary = ((0.12 + 0.05 * west - 0.06 * east) * 0.97**t).clip(0.02) * np.exp(
        0.1 * rng.standard_normal((n, 1))
    )
    upgrading = np.exp(0.25 * m) * np.exp(0.05 * rng.standard_normal((n, T)))
    secondary = (1 - primary) / (1 + upgrading)
    industrial = gdp * 0.82 * secondary * np.exp(0.03 * rng.standard_normal((n, 1)))
    industrial_index, industrial = rechain(industrial)
    industrial_index[:, 0] = np.round(gdp_index[:, 0] + 0.5 * rng.standard_normal(n), 1)

    # pollutant intensities fall at pollutant-specific rates (SO2 fastest, solid waste
    # slowest), faster where regulation is stricter and NQPF higher
    def clean(pollutant: str) -> np.ndarray:
        rate = _CLEANING[pollutant] + 0.01 * east
        return np.exp(-rate * t - 0.08 * reg - 0.05 * z)

    dirty = np.exp(u + 0.04 * rng.standard_normal((n, T)))
    # industrial pollutants follow industrial output (scaled to GDP's 2005 total, so
    # the intensities per GDP calibrate the national totals); wastewater is half
    # domestic
    base = industrial * (gdp[:, 0].sum() / industrial[:, 0].sum())
    data = {
        "population": pop,
        "labor": labor,
        "capital": capital,
        "energy": energy,
        "water": water,
        "electricity": electricity,
        "gdp": gdp,
        "industrial_va": industrial,
        "so2": 130.0 * base / 1e4 * clean("so2") * (1 + 0.6 * west) * dirty,  # 10k t
        "cod": 72.0 * base / 1e4 * clean("cod") * dirty,  # 10k t
        "wastewater": 12.5 * (gdp + base) / 2 * clean("wastewater") * dirty,  # 10k t
        "solid_waste": 0.69 * base * clean("solid_waste") * (1 + 0.8 * west) * dirty,
        "dust": 103.0 * base / 1e4 * clean("dust") * (1 + 0.5 * west) * dirty,  # 10k t
        "co2": energy * (2.3 + 0.3 * west) * np.exp(0.03 * rng.standard_normal((n, T))),
        "industrial_upgrading": upgrading,
        "_z": z,
        "_m": m,
        "_reg": reg,
    }
    hidden = {
        "investment": investment,
        "gdp_index": gdp_index,
        "industrial_va_index": industrial_index,
        "share_primary": primary,
        "share_secondary": secondary,
        "share_tertiary": secondary * upgrading,
    }
    return data, hidden


def _structure(
    data: dict[str, np.ndarray], hidden: dict[str, np.ndarray], rng: np.random.Generator
) -> None:
    """Sector employment (yearbook) and the structure indices computed from it."""
    z, labor = data["_z"], data["labor"]
    n, T = z.shape
    urban = (
        labor
        * (0.16 + 0.02 * z.clip(-2, 4))
        * np.exp(0.05 * rng.standard_normal((n, 1)))
    )
    hidden["emp_urban"] = urban
    services = []
    for name, (share, loading) in SERVICES.items():
        level = share * np.exp(loading * (z - 1.0) + 0.1 * rng.standard_normal((n, 1)))
        values = urban * level * np.exp(0.03 * rng.standard_normal((n, T)))
        hidden[name] = values
        services.append(values)
    data["it_employment_share"] = 100 * hidden["emp_information"] / urban
    e = np.stack(services, axis=2)  # units × years × industries
    s = e / e.sum(axis=2, keepdims=True)
    reference = e.sum(axis=0) / e.sum(axis=(0, 2))[:, None]  # years × industries
    data["service_specialization"] = np.abs(s - reference[None]).sum(axis=2)
    data["service_diversification"] = 1.0 / (s**2).sum(axis=2)
    industry = labor * 0.2 * np.exp(0.1 * rng.standard_normal((n, 1)))
    hightech = (
        industry
        * 0.1
        * np.exp(0.3 * z + 0.15 * rng.standard_normal((n, 1)))
        * np.exp(0.05 * rng.standard_normal((n, T)))
    )
    hidden["emp_industry"], hidden["emp_hightech"] = industry, hightech
    national = hightech.sum(axis=0) / industry.sum(axis=0)
    data["hightech_agglomeration"] = hightech / industry / national[None, :]


def _explanatory(data: dict[str, np.ndarray], rng: np.random.Generator) -> None:
    """NQPF indicators and the control variables of the GTFP studies."""
    z, reg = data.pop("_z"), data.pop("_reg")
    data.pop("_m")
    pop = data["population"]
    shape = z.shape

    def noisy(scale: float) -> np.ndarray:  # mostly persistent within a unit
        unit_part = rng.standard_normal((shape[0], 1))
        return np.exp(scale * (unit_part + 0.4 * rng.standard_normal(shape)))

    data["universities_top"] = np.round(np.exp(0.9 * z + 0.5) * noisy(0.4)).clip(1)
    data["universities_key"] = np.round(np.exp(0.6 * z + 1.2) * noisy(0.3)).clip(1)
    data["hightech_rd_fte"] = 800 * pop / 1e3 * np.exp(0.8 * z) * noisy(0.2)
    data["robot_index"] = np.exp(0.7 * z - 1.0) * noisy(0.2)
    data["software_revenue"] = 2e5 * np.exp(1.1 * z) * noisy(0.3)  # 2005 prices
    data["ecommerce_sales"] = 150 * np.exp(0.9 * z) * noisy(0.25)  # 2005 prices
    data["new_energy_share"] = 4.0 * np.exp(0.3 * z) * noisy(0.3)
    data["internet_ports"] = 0.12 * pop * np.exp(0.4 * z) * noisy(0.15)
    data["cable_length"] = 80.0 * pop * np.exp(0.35 * z) * noisy(0.15)
    data["environmental_regulation"] = np.exp(0.3 * reg - 0.5) * noisy(0.1)
    data["fdi"] = (2.0 * np.exp(0.2 * z) * noisy(0.4)).clip(0.05)  # % of GDP
    spending = 22 - 2.0 * z + 3 * rng.standard_normal(shape)
    data["government_spending"] = spending.clip(8)  # % of GDP
    data["enterprise_innovation"] = 5.0 * np.exp(0.8 * z) * noisy(0.25)  # per 10k
    data["urbanization"] = (45 + 8 * z + 3 * rng.standard_normal(shape)).clip(25, 90)


_PRINTED = {"gdp_index", "industrial_va_index", "investment_price_index", "cpi"}


def _finish(panel: pd.DataFrame) -> pd.DataFrame:
    """Round to 6 significant digits so that the shipped CSV is exactly reproducible.

    Printed indices (``*_index``, ``cpi``) keep their one decimal; counts are
    integers.
    """
    out = panel.copy()
    for col in out.columns:
        if col in {"lon", "lat"}:
            out[col] = out[col].round(4)
        elif col.startswith("universities"):
            out[col] = out[col].astype(int)
        elif col in _PRINTED:
            out[col] = out[col].round(1)
        elif pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].map(lambda v: float(f"{v:.6g}"))
    return out


def _frame(
    units: pd.DataFrame, years: range, data: dict[str, np.ndarray]
) -> pd.DataFrame:
    """Unit-major long frame (unit, then year) of units × years arrays."""
    T = len(years)
    frame = units.loc[units.index.repeat(T)].reset_index(drop=True)
    frame["year"] = np.tile(list(years), len(units))
    for name, values in data.items():
        frame[name] = np.asarray(values, dtype=float).reshape(-1)
    return frame


def _simulate(
    level: str, years: range, seed: int, stream: int
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, np.ndarray], np.random.Generator]:
    """Units of ``level``, their prepared panel (unit-major), the yearbook-only
    values and the random stream (``[seed, stream]``) for what the level adds."""
    rng = np.random.default_rng([seed, stream])
    units = _units(level)
    field = _spatial_field(units, level, rng, k=4)
    data, hidden = _production_panel(units, years, rng, field)
    _structure(data, hidden, rng)
    _explanatory(data, rng)
    if level == "city":
        urban_share = (data["urbanization"] / 100) * 0.55
        hidden["urban_population"] = data["population"] * urban_share
    return units, _frame(units, years, data), hidden, rng


_PROVINCE_NAMES = {"name_zh": "province", "name_en": "province_en"}
_CITY_NAMES = {"name_zh": "city", "name_en": "city_en"}
_CITY_DROP = (
    "universities",
    "robot",
    "software",
    "ecommerce",
    "new_energy",
    "internet",
    "cable",
    "it_",
)


def province_panel(seed: int = SEED) -> pd.DataFrame:
    """Generate the synthetic 30-province panel, 2005–2022 (prepared)."""
    _, panel, _, _ = _simulate("province", PROVINCE_YEARS, seed, 1)
    return _finish(panel.drop(columns=["lon", "lat"]).rename(columns=_PROVINCE_NAMES))


def province_yearbook(seed: int = SEED) -> pd.DataFrame:
    """Generate the yearbook-shaped table of the synthetic provinces, 2005–2022."""
    _, panel, hidden, _ = _simulate("province", PROVINCE_YEARS, seed, 1)
    panel = panel.rename(columns=_PROVINCE_NAMES)
    table = yearbook_table(
        panel, hidden, level="province", columns=PROVINCE_YEARBOOK, seed=seed
    )
    return _finish(table)


def city_panel(seed: int = SEED) -> pd.DataFrame:
    """Generate the synthetic prefecture-city panel, 2005–2020 (prepared)."""
    units, panel, hidden, rng = _simulate("city", CITY_YEARS, seed, 2)
    panel["urban_population"] = hidden["urban_population"].reshape(-1)
    panel["gdp_per_capita"] = panel["gdp"] / panel["population"] * 1e4  # yuan/person
    panel = panel.merge(_resource_cities(units, rng), on="adcode", how="left")
    panel = panel.rename(columns=_CITY_NAMES)
    keep = [c for c in panel.columns if not c.startswith(_CITY_DROP)]
    return _finish(panel[keep].drop(columns=["lon", "lat"]))


def city_yearbook(seed: int = SEED) -> pd.DataFrame:
    """Generate the yearbook-shaped table of the synthetic cities, 2005–2020."""
    _, panel, hidden, _ = _simulate("city", CITY_YEARS, seed, 2)
    panel = panel.drop(columns=["yrd26"]).rename(columns=_CITY_NAMES)
    table = yearbook_table(
        panel, hidden, level="city", columns=CITY_YEARBOOK, seed=seed
    )
    return _finish(table)


# The 16 prefecture-level "regenerative" resource-based cities of the State Council's
# National Sustainable Development Plan for Resource-Based Cities (2013–2020), Annex,
# as named in issue 17 (the annex could not be re-read here; see
# spatialgreen/datasets/lists/README.md).
REGENERATIVE_CITIES = (
    "唐山市",
    "包头市",
    "鞍山市",
    "盘锦市",
    "葫芦岛市",
    "通化市",
    "徐州市",
    "宿迁市",
    "马鞍山市",
    "淄博市",
    "临沂市",
    "洛阳市",
    "南阳市",
    "阿坝藏族羌族自治州",
    "丽江市",
    "张掖市",
)
#: SYNTHETIC placeholder resource types: no citable classification is shipped, so the
#: demo labels say what they are instead of naming a resource
PLACEHOLDER_TYPES = tuple(f"placeholder {c} (synthetic)" for c in "ABCD")


def _resource_cities(units: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The 16 regenerative cities with a SYNTHETIC placeholder resource type; every
    other city has empty labels (its stage is unknown to the demo)."""
    is_regen = units["name_zh"].isin(REGENERATIVE_CITIES).to_numpy()
    kind = rng.choice(PLACEHOLDER_TYPES, len(units))
    return pd.DataFrame(
        {
            "adcode": units["adcode"],
            "resource_stage": np.where(is_regen, "regenerative", ""),
            "resource_kind": np.where(is_regen, kind, ""),
        }
    )


def generate_all(seed: int = SEED) -> dict[str, pd.DataFrame]:
    """Every demo table, by file stem."""
    from ._generate_points import belts, clusters, patent_transfers

    cities = _units("city")
    return {
        "province_panel": province_panel(seed),
        "province_yearbook": province_yearbook(seed),
        "city_panel": city_panel(seed),
        "city_yearbook": city_yearbook(seed),
        "clusters": clusters(cities, np.random.default_rng([seed, 3])),
        "belts": belts(cities, np.random.default_rng([seed, 4])),
        "patent_transfers": patent_transfers(
            cities, np.random.default_rng([seed, 5]), TRANSFER_YEARS
        ),
    }


def write_all(folder: Path = DEMO_DIR, seed: int = SEED) -> list[Path]:
    """Write the demo tables as gzip CSV plus ``metadata.json``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for stem, table in generate_all(seed).items():
        path = folder / f"{stem}.csv.gz"
        table.to_csv(
            path,
            index=False,
            encoding="utf-8",
            compression={"method": "gzip", "mtime": 0},
        )
        paths.append(path)
    meta = {
        "synthetic": True,
        "seed": seed,
        "generator": "spatialgreen.datasets._generate",
        "note": "SYNTHETIC demo data generated by a documented, seeded process; "
        "these numbers are not statistics.",
        "prepared": ["province_panel", "city_panel"],
        "yearbook": ["province_yearbook", "city_yearbook"],
        "constant_prices": 2005,
        "depreciation": DEPRECIATION,
        "growth_years": GROWTH_YEARS,
    }
    (folder / "metadata.json").write_text(
        json.dumps(meta, indent=2, ensure_ascii=False) + "\n"
    )
    return paths


if __name__ == "__main__":
    for p in write_all():
        print(p)
