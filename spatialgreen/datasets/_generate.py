"""Seeded generator of the SYNTHETIC demo data shipped with spatialgreen.

No yearbook data can be downloaded where spatialgreen is built, so the demo data are
simulated. They are **synthetic numbers, not statistics**: plausible in magnitude
(like China's), with the structure the analysis modules need to show something, and
produced by the documented data-generating process below. Run::

    python -m spatialgreen.datasets._generate

to rewrite the files in ``spatialgreen/datasets/demo/``; a test checks that the
shipped files equal what this module produces.

Data-generating process (provinces; cities are analogous)
---------------------------------------------------------
1. *Space.* A latent field ``f = (I − ρW)⁻¹ e`` with row-standardised queen
   contiguity ``W`` of the shipped polygons (islands linked to their nearest
   neighbour), ρ = 0.7 and standard-normal ``e``: neighbours resemble each other, so
   Moran's I of the results is meaningfully positive.
2. *Technology.* ``ln A_it = a_region + (0.025 + 0.012 g_i) t + 0.15 f_i + 0.12 z_it
   + 0.08 m_it`` with ``f`` and ``g`` two draws of the spatial field (levels and
   growth of technology both cluster in space)
   where ``z`` is the latent "new quality productive forces" level (rising over time,
   higher in the east, spatially correlated) and ``m`` industrial upgrading
   (``0.5 z + noise``): technology differs between east, centre and west, and both
   ``z`` and ``m`` raise productivity (the mediation channel of the NQPF study).
3. *Inputs.* Labour follows population; capital is built by the perpetual inventory
   method (δ = 9.6 %, Zhang, Wu & Zhang 2004) from an investment share of potential
   output; energy, water and electricity are intensities × potential output that fall
   over time (faster in the east).
4. *Output.* Real GDP = A · K^0.40 · L^0.45 · E^0.15 · exp(v − u), with noise
   ``v ~ N(0, 0.03²)`` and half-normal inefficiency ``u`` (σ_u larger in the west,
   shrinking over time; mostly persistent within a unit, with a smaller yearly part).
   Industrial value added is a declining share of GDP.
5. *Pollution.* SO2, COD, wastewater, solid waste and dust are intensities × output
   calibrated to China's 2005 national totals, falling at pollutant-specific rates
   (SO2 fastest, solid waste slowest) and faster where environmental regulation is
   stricter, times ``exp(u + w)``: inefficient units also pollute more, and absolute
   SO2 and COD fall while output grows (decoupling). CO2 = energy × an emission factor.
6. *Explanatory variables.* The ten NQPF indicators load on ``z``; FDI, government
   spending, environmental regulation and enterprise innovation are correlated with
   ``z``, region and time, with noise.

Cities also carry resource-based-city labels: the 16 prefecture-level
"regenerative" cities of the 2013–2020 national plan for resource-based cities (a
fact), and a synthetic draw of other resource-based cities, stages and resource kinds
(illustrative labels, not the plan's lists).

The cluster, online-belt and patent-transfer tables are drawn from the same city
list: clusters in large cities, belts around them (a share in the same or a similar
industry), transfers from a gravity model whose intra-YRD intensity rises over time.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["DEMO_DIR", "SEED", "generate_all", "write_all"]

SEED = 20261122
DEMO_DIR = Path(__file__).parent / "demo"
PROVINCE_YEARS = range(2005, 2023)
CITY_YEARS = range(2005, 2021)
TRANSFER_YEARS = range(2001, 2021)

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
def _production_panel(
    units: pd.DataFrame,
    years: range,
    rng: np.random.Generator,
    field: np.ndarray,
) -> pd.DataFrame:
    """The production, pollution and explanatory variables of a unit × year panel."""
    n, T = len(units), len(years)
    t = np.arange(T)[None, :]
    region = units["region"].to_numpy()
    east = (region == "east").astype(float)[:, None]
    west = (region == "west").astype(float)[:, None]
    f_tech, f_z, f_reg, f_trend = (
        field[:, 0:1],
        field[:, 1:2],
        field[:, 2:3],
        field[:, 3:4],
    )

    # latent new-quality-productive-forces level and industrial upgrading
    z = (
        0.8 * east
        - 0.4 * west
        + 0.45 * f_z
        + 0.09 * t
        + 0.15 * rng.standard_normal((n, T))
    )
    m = 0.5 * z + 0.3 * rng.standard_normal((n, 1)) + 0.1 * rng.standard_normal((n, T))
    reg = 0.3 * east + 0.4 * f_reg + 0.05 * t + 0.2 * rng.standard_normal((n, T))

    a_region = np.vectorize(_REGION_LEVEL.get)(region)[:, None]
    ln_a = (
        a_region + (0.025 + 0.012 * f_trend) * t + 0.15 * f_tech + 0.12 * z + 0.08 * m
    )
    pop = np.exp(rng.normal(0, 0.55, (n, 1))) * (1.004 + 0.004 * east) ** t
    pop *= _POPULATION_2005 / pop[:, 0].sum()
    labor = pop * (0.52 + 0.04 * rng.random((n, 1)))

    pcgdp0 = np.vectorize(_REGION_PCGDP_2005.get)(region)[:, None] * np.exp(
        0.25 * f_tech
    )
    growth = 0.105 - 0.004 * t + 0.01 * (1 - east) + 0.005 * rng.standard_normal((n, T))
    potential = (
        pop * pcgdp0 * np.exp(np.cumsum(growth, axis=1) - growth[:, :1])
    )  # 1e8 yuan

    invest_share = 0.38 + 0.12 * (1 - east) + 0.05 * rng.random((n, 1))
    capital = np.empty((n, T))
    capital[:, 0] = invest_share[:, 0] * potential[:, 0] / (0.10 + 0.096)
    for j in range(1, T):
        capital[:, j] = (1 - 0.096) * capital[:, j - 1] + invest_share[
            :, 0
        ] * potential[:, j]

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
        + 0.35 * np.abs(rng.standard_normal((n, T)))
    ) * sigma_u
    v = 0.03 * rng.standard_normal((n, T))
    frontier = np.exp(ln_a) * capital**0.40 * labor**0.45 * energy**0.15
    gdp = frontier * np.exp(v - u)
    gdp *= _GDP_2005 / gdp[:, 0].sum()  # China's real GDP of 2005 in total

    # pollutant intensities fall at pollutant-specific rates (SO2 fastest, solid waste
    # slowest), faster where regulation is stricter and NQPF higher
    def clean(rate: float) -> np.ndarray:
        return np.exp(-(rate + 0.02 * east) * t - 0.08 * reg - 0.05 * z)

    dirty = np.exp(u + 0.08 * rng.standard_normal((n, T)))
    ind_share = (
        0.46 - 0.006 * t - 0.05 * east + 0.03 * rng.standard_normal((n, 1))
    ).clip(0.2)

    data = {
        "population": pop,
        "labor": labor,
        "capital": capital,
        "energy": energy,
        "water": water,
        "electricity": electricity,
        "gdp": gdp,
        "industrial_va": gdp * ind_share,
        "so2": 130.0 * gdp / 1e4 * clean(0.16) * (1 + 0.6 * west) * dirty,  # 10k t
        "cod": 72.0 * gdp / 1e4 * clean(0.12) * dirty,  # 10k t
        "wastewater": 12.5 * gdp * clean(0.10) * dirty,  # 10k t
        "solid_waste": 0.69 * gdp * clean(0.02) * (1 + 0.8 * west) * dirty,  # 10k t
        "dust": 103.0 * gdp / 1e4 * clean(0.13) * (1 + 0.5 * west) * dirty,  # 10k t
        "co2": energy * (2.3 + 0.3 * west) * np.exp(0.03 * rng.standard_normal((n, T))),
        "_z": z,
        "_m": m,
        "_reg": reg,
    }
    frames = []
    for j, year in enumerate(years):
        frame = units.copy()
        frame["year"] = year
        for name, values in data.items():
            frame[name] = values[:, j]
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _explanatory(panel: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """NQPF indicators and the control variables of the GTFP studies."""
    z, m, reg = (
        panel.pop("_z").to_numpy(),
        panel.pop("_m").to_numpy(),
        panel.pop("_reg").to_numpy(),
    )
    n = len(panel)
    pop = panel["population"].to_numpy()

    def noisy(scale: float) -> np.ndarray:
        return np.exp(scale * rng.standard_normal(n))

    panel["universities_top"] = (
        np.round(np.exp(0.9 * z + 0.5) * noisy(0.4)).clip(1).astype(int)
    )
    panel["universities_key"] = (
        np.round(np.exp(0.6 * z + 1.2) * noisy(0.3)).clip(1).astype(int)
    )
    panel["it_employment_share"] = 1.2 * np.exp(0.35 * z) * noisy(0.1)
    panel["hightech_rd_fte"] = 800 * pop / 1e3 * np.exp(0.8 * z) * noisy(0.2)
    panel["robot_index"] = np.exp(0.7 * z - 1.0) * noisy(0.2)
    panel["software_revenue"] = 2e5 * np.exp(1.1 * z) * noisy(0.3)
    panel["ecommerce_sales"] = 150 * np.exp(0.9 * z) * noisy(0.25)
    panel["new_energy_share"] = 4.0 * np.exp(0.3 * z) * noisy(0.3)
    panel["internet_ports"] = 0.12 * pop * np.exp(0.4 * z) * noisy(0.15)
    panel["cable_length"] = 80.0 * pop * np.exp(0.35 * z) * noisy(0.15)
    panel["industrial_upgrading"] = np.exp(0.25 * m) * noisy(
        0.05
    )  # tertiary / secondary
    panel["hightech_agglomeration"] = np.exp(0.3 * z - 0.1) * noisy(
        0.2
    )  # location quotient
    panel["service_specialization"] = np.exp(0.15 * z) * noisy(0.15)
    panel["environmental_regulation"] = np.exp(0.3 * reg - 0.5) * noisy(0.1)
    panel["fdi"] = (2.0 * np.exp(0.2 * z) * noisy(0.4)).clip(0.05)  # % of GDP
    panel["government_spending"] = (22 - 2.0 * z + 3 * rng.standard_normal(n)).clip(
        8
    )  # % of GDP
    panel["enterprise_innovation"] = (
        5.0 * np.exp(0.8 * z) * noisy(0.25)
    )  # patents per 10k
    panel["urbanization"] = (45 + 8 * z + 3 * rng.standard_normal(n)).clip(25, 90)
    return panel


_ROUND = {"adcode": None, "year": None}


def _finish(panel: pd.DataFrame) -> pd.DataFrame:
    """Round to 6 significant digits so that the shipped CSV is exactly reproducible."""
    out = panel.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]) and col not in {"lon", "lat"}:
            out[col] = out[col].map(lambda v: float(f"{v:.6g}"))
        elif col in {"lon", "lat"}:
            out[col] = out[col].round(4)
    return out


def _simulate(
    level: str, years: range, seed: int, stream: int
) -> tuple[pd.DataFrame, pd.DataFrame, np.random.Generator]:
    """Units of ``level``, their production panel with the explanatory variables,
    and the random stream (``[seed, stream]``) for what the level adds."""
    rng = np.random.default_rng([seed, stream])
    units = _units(level)
    field = _spatial_field(units, level, rng, k=4)
    panel = _production_panel(units, years, rng, field)
    return units, _explanatory(panel, rng), rng


def province_panel(seed: int = SEED) -> pd.DataFrame:
    """Generate the synthetic 30-province panel, 2005–2022."""
    _, panel, _ = _simulate("province", PROVINCE_YEARS, seed, 1)
    panel = panel.rename(columns={"name_zh": "province", "name_en": "province_en"})
    return _finish(panel.drop(columns=["lon", "lat"]))


def city_panel(seed: int = SEED) -> pd.DataFrame:
    """Generate the synthetic prefecture-city panel, 2005–2020."""
    units, panel, rng = _simulate("city", CITY_YEARS, seed, 2)
    panel["gdp_per_capita"] = (
        panel["gdp"] / panel["population"] * 1e4
    )  # yuan per person
    panel = panel.merge(_resource_cities(units, rng), on="adcode", how="left")
    panel = panel.rename(columns={"name_zh": "city", "name_en": "city_en"})
    keep = [
        c
        for c in panel.columns
        if not c.startswith(
            (
                "universities",
                "robot",
                "software",
                "ecommerce",
                "new_energy",
                "internet",
                "cable",
                "it_",
            )
        )
    ]
    return _finish(panel[keep].drop(columns=["lon", "lat"]))


# The 16 prefecture-level "regenerative" resource-based cities of the State Council's
# National Sustainable Development Plan for Resource-Based Cities (2013–2020), Annex.
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
_RESOURCE_KINDS = ("energy", "metal", "non-metal", "forest", "comprehensive")


def _resource_cities(units: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Resource-based city flags: the 16 regenerative cities of the 2013 plan, plus a
    SYNTHETIC draw of other resource-based cities; stages other than "regenerative"
    and every resource kind are synthetic labels for illustration."""
    is_regen = units["name_zh"].isin(REGENERATIVE_CITIES).to_numpy()
    other = ~is_regen & (rng.random(len(units)) < 0.33)
    stage = np.where(is_regen, "regenerative", "")
    stage = np.where(
        other,
        rng.choice(["growing", "mature", "declining"], len(units), p=[0.15, 0.6, 0.25]),
        stage,
    )
    kind = np.where(
        is_regen | other,
        rng.choice(_RESOURCE_KINDS, len(units), p=[0.4, 0.25, 0.15, 0.05, 0.15]),
        "",
    )
    return pd.DataFrame(
        {
            "adcode": units["adcode"],
            "resource_based": is_regen | other,
            "resource_stage": stage,
            "resource_kind": kind,
        }
    )


def generate_all(seed: int = SEED) -> dict[str, pd.DataFrame]:
    """Every demo table, by file stem."""
    from ._generate_points import belts, clusters, patent_transfers

    cities = _units("city")
    return {
        "province_panel": province_panel(seed),
        "city_panel": city_panel(seed),
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
    }
    (folder / "metadata.json").write_text(
        json.dumps(meta, indent=2, ensure_ascii=False) + "\n"
    )
    return paths


if __name__ == "__main__":
    for p in write_all():
        print(p)
