"""SYNTHETIC cluster, online-industrial-belt and patent-transfer tables for the demo.

Part of the seeded demo generator (see :mod:`spatialgreen.datasets._generate`):
the names, places and counts are invented for illustration and are not the lists
published by NDRC, MIIT, MOST or any e-commerce platform.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["belts", "clusters", "patent_transfers"]

PROGRAMMES = {
    "strategic emerging industry cluster": 66,  # NDRC programme size (2019 list)
    "advanced manufacturing cluster": 45,  # MIIT programme size (2022 list)
    "innovative industrial cluster": 48,  # subset of the MOST programme
}

# cluster industry text -> online-belt products (same group first, then similar ones)
_INDUSTRIES = {
    "新一代信息技术": ["电子产品", "手机配件", "智能硬件"],
    "集成电路": ["电子元器件", "电子产品"],
    "生物医药": ["医疗器械", "保健品", "化妆品"],
    "新材料": ["化工原料", "塑料制品", "纺织面料"],
    "高端装备制造": ["五金工具", "机械配件", "汽配"],
    "新能源汽车": ["汽配", "电动车", "锂电池"],
    "节能环保": ["环保设备", "灯具"],
    "纺织服装": ["服装", "童装", "袜子", "纺织面料"],
    "智能家电": ["小家电", "灯具", "厨具"],
    "工程机械": ["机械配件", "五金工具"],
    "光伏": ["光伏组件", "灯具"],
    "食品加工": ["茶叶", "休闲食品", "农产品"],
    "家具制造": ["家具", "家居用品"],
    "轨道交通装备": ["机械配件", "五金工具"],
}
_OTHER_PRODUCTS = ["小商品", "箱包", "玩具", "眼镜", "陶瓷", "鞋", "饰品", "宠物用品"]


def _weighted_cities(cities: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Selection weights: larger eastern cities host more clusters and belts."""
    base = np.where(cities["region"].eq("east"), 3.0, 1.0)
    base = base * np.where(cities["name_zh"].str.contains("自治州|地区|盟"), 0.2, 1.0)
    base = base * rng.gamma(1.5, 1.0, len(cities))
    return base / base.sum()


def clusters(cities: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """National industrial clusters: name, programme, city (one or two), industry."""
    p = _weighted_cities(cities, rng)
    industries = list(_INDUSTRIES)
    rows = []
    for programme, size in PROGRAMMES.items():
        for _ in range(size):
            n_cities = 1 if rng.random() < 0.85 else 2
            idx = rng.choice(len(cities), size=n_cities, replace=False, p=p)
            names = [cities["name_zh"].iloc[i] for i in idx]
            industry = industries[rng.integers(len(industries))]
            short = "".join(n.removesuffix("市") for n in names)
            rows.append(
                {
                    "name": f"{short}{industry}集群",
                    "programme": programme,
                    "city": "、".join(names),
                    "industry": industry,
                }
            )
    out = pd.DataFrame(rows)
    out["name"] = _deduplicate(out["name"])
    return out


def belts(cities: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Online industrial belts: name, city (short or full name), county, industry."""
    p = _weighted_cities(cities, rng)
    products = [x for group in _INDUSTRIES.values() for x in group] + _OTHER_PRODUCTS
    rows = []
    for _ in range(420):
        i = rng.choice(len(cities), p=p)
        full = cities["name_zh"].iloc[i]
        city = full.removesuffix("市") if rng.random() < 0.5 else full
        product = products[rng.integers(len(products))]
        rows.append(
            {
                "name": f"{city.removesuffix('市')}{product}产业带",
                "city": city,
                "county": "",
                "industry": product,
            }
        )
    out = pd.DataFrame(rows).drop_duplicates("name").reset_index(drop=True)
    return out


def _deduplicate(names: pd.Series) -> pd.Series:
    counts: dict[str, int] = {}
    out = []
    for name in names:
        counts[name] = counts.get(name, 0) + 1
        out.append(name if counts[name] == 1 else f"{name}({counts[name]})")
    return pd.Series(out, index=names.index)


_GREEN_IPC = [
    "F03D",
    "H01L 31/04",
    "B60L",
    "C02F",
    "B09B",
    "F24S",
    "H01M 8/00",
    "F23G",
    "E04B 1/74",
    "C10L 5/40",
]
_OTHER_IPC = ["G06F", "A61K", "H04L", "B65G", "C08L"]


def patent_transfers(
    cities: pd.DataFrame, rng: np.random.Generator, years: range
) -> pd.DataFrame:
    """Inter-city patent transfers from a gravity model.

    Columns: origin, destination, year, count, ipc.

    Intensity ∝ mass_o^0.9 · mass_d^0.7 / distance^1.1, growing 12 % a year, with an
    intra-YRD premium that rises over time and a Beijing/Tianjin/PRD → YRD link.
    """
    mass = np.exp(rng.normal(0, 0.8, len(cities))) * np.where(
        cities["region"].eq("east"), 3, 1
    )
    active = np.argsort(-mass)[:90]
    yrd = cities["yrd26"].to_numpy(dtype=bool)
    active = np.union1d(active, np.flatnonzero(yrd))
    hubs = cities["name_zh"].isin(
        ["北京市", "天津市", "广州市", "深圳市", "东莞市", "佛山市"]
    )
    active = np.union1d(active, np.flatnonzero(hubs.to_numpy()))
    lon, lat = (
        np.radians(cities["lon"].to_numpy()),
        np.radians(cities["lat"].to_numpy()),
    )
    rows = []
    for k, year in enumerate(years):
        for o in active:
            d_idx = active[active != o]
            dist = 6371.0 * np.arccos(
                np.clip(
                    np.sin(lat[o]) * np.sin(lat[d_idx])
                    + np.cos(lat[o]) * np.cos(lat[d_idx]) * np.cos(lon[o] - lon[d_idx]),
                    -1,
                    1,
                )
            )
            both_yrd = yrd[o] & yrd[d_idx]
            to_yrd = hubs.iloc[o] & yrd[d_idx]
            rate = (
                0.9
                * mass[o] ** 0.9
                * mass[d_idx] ** 0.7
                / np.maximum(dist, 30) ** 1.1
                * 1.12**k
                * np.exp(0.06 * k * both_yrd + 0.8 * to_yrd)
                * 40
            )
            counts = rng.poisson(rate)
            for d, c in zip(d_idx[counts > 0], counts[counts > 0], strict=True):
                green = rng.random() < 0.35 + 0.01 * k
                ipc = (_GREEN_IPC if green else _OTHER_IPC)[
                    rng.integers(10 if green else 5)
                ]
                rows.append(
                    (
                        cities["name_zh"].iloc[o],
                        cities["name_zh"].iloc[d],
                        year,
                        int(c),
                        ipc,
                    )
                )
    return pd.DataFrame(rows, columns=["origin", "destination", "year", "count", "ipc"])
