"""Regional tables of transfer flows: scope of each flow (within, outflow, inflow,
external), flows between groups of cities, the region's partners and the
integration indices (see :mod:`spatialgreen.flows.transfer`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..geo.places import Places

_SCOPES = ("within", "outflow", "inflow", "external")


def regional_tables(
    flows: pd.DataFrame,
    labels: list[str],
    region: list[Any],
    group_of: dict[Any, str],
    region_name: str,
) -> dict[str, pd.DataFrame]:
    """The region's tables of :class:`~spatialgreen.flows.FlowResults` by field name."""
    return {
        "regional": _regional(flows, labels, region),
        "between": _between(flows, group_of),
        "partners": _partners(flows, group_of, region, region_name),
        "integration": _integration(flows, labels, region),
    }


def _scope(origins: pd.Series, destinations: pd.Series, region: list[Any]) -> pd.Series:
    if not region:
        return pd.Series(pd.NA, index=origins.index, dtype="string")
    o_in = origins.isin(region).to_numpy()
    d_in = destinations.isin(region).to_numpy()
    scope = np.select(
        [o_in & d_in, o_in & ~d_in, ~o_in & d_in],
        ["within", "outflow", "inflow"],
        "external",
    )
    return pd.Series(scope, index=origins.index, dtype="string")


def _regional(
    flows: pd.DataFrame, labels: list[str], region: list[Any]
) -> pd.DataFrame:
    columns = ["period", *_SCOPES, "total"]
    if not region:
        return pd.DataFrame(columns=columns)
    table = flows.pivot_table(
        index="period", columns="scope", values="count", aggfunc="sum", fill_value=0
    ).reindex(index=labels, columns=list(_SCOPES), fill_value=0)
    table["total"] = table.sum(axis=1)
    table.columns.name = None
    return table.rename_axis("period").reset_index()[columns]


def _groups(
    cities: list[Any],
    info: pd.DataFrame,
    region: list[Any],
    region_name: str,
    groups: Mapping[Any, str] | None,
    places: Places,
) -> dict[Any, str]:
    group_of = {c: str(info.loc[c, "province_name"]) for c in cities}
    if groups:
        codes = places.resolve(list(groups))
        for key, label in groups.items():
            group_of[codes[key]] = str(label)
    for code in region:
        group_of[code] = region_name
    return group_of


def _between(flows: pd.DataFrame, group_of: dict[Any, str]) -> pd.DataFrame:
    table = flows.assign(
        origin_group=flows["origin"].map(group_of),
        destination_group=flows["destination"].map(group_of),
    )
    out = table.groupby(["period", "origin_group", "destination_group"], sort=True)[
        "count"
    ].sum()
    return (
        out.reset_index()
        .sort_values(["period", "count"], ascending=[True, False], kind="stable")
        .reset_index(drop=True)
    )


def _partners(
    flows: pd.DataFrame, group_of: dict[Any, str], region: list[Any], region_name: str
) -> pd.DataFrame:
    columns = ["period", "group", "supplied_to_region", "bought_from_region", "total"]
    if not region:
        return pd.DataFrame(columns=columns)
    inflow = flows[flows["scope"] == "inflow"]
    outflow = flows[flows["scope"] == "outflow"]
    supplied = inflow.groupby(
        ["period", inflow["origin"].map(group_of).rename("group")]
    )["count"].sum()
    bought = outflow.groupby(
        ["period", outflow["destination"].map(group_of).rename("group")]
    )["count"].sum()
    table = pd.concat(
        {"supplied_to_region": supplied, "bought_from_region": bought}, axis=1
    ).fillna(0)
    table = table.astype(flows["count"].dtype) if len(table) else table
    table["total"] = table["supplied_to_region"] + table["bought_from_region"]
    table = table.reset_index()
    table = table[table["group"] != region_name]
    return table.sort_values(
        ["period", "total"], ascending=[True, False], kind="stable"
    ).reset_index(drop=True)[columns]


def _integration(
    flows: pd.DataFrame, labels: list[str], region: list[Any]
) -> pd.DataFrame:
    columns = [
        "period",
        "within",
        "outflow",
        "inflow",
        "overall",
        "supply",
        "sales",
        "density",
        "note",
    ]
    if not region:
        return pd.DataFrame(columns=columns)
    table = _regional(flows, labels, region).set_index("period")
    w, o, i = (table[c].astype(float) for c in ("within", "outflow", "inflow"))
    with np.errstate(invalid="ignore", divide="ignore"):
        out = pd.DataFrame(
            {
                "within": table["within"],
                "outflow": table["outflow"],
                "inflow": table["inflow"],
                "overall": 2 * w / (2 * w + o + i),
                "supply": w / (w + o),
                "sales": w / (w + i),
            }
        )
    inside = flows[flows["scope"] == "within"]
    links = inside["period"].value_counts()  # flows hold one row per linked pair
    n = len(region)
    out["density"] = (
        links.reindex(out.index, fill_value=0) / (n * (n - 1)) if n > 1 else np.nan
    )
    out["note"] = np.where(
        (w + o + i) == 0,
        "no transfer touches the region in this period",
        np.where(
            (w + o) == 0,
            "region supplied nothing: supply undefined",
            np.where((w + i) == 0, "region bought nothing: sales undefined", ""),
        ),
    )
    return out.rename_axis("period").reset_index()[columns]
