"""Per-cluster classes and the shares the study reports (overall, by programme and
by region) of a cluster–belt matching.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._industry import MATCH_CLASSES

_SHARE_COLUMNS = [
    "scope",
    "group",
    "cities_with_clusters",
    "cities_with_both",
    "share_cities_with_both",
    "clusters",
    "colocated",
    "identical",
    "similar",
    "unrelated",
    "matched",
    "share_colocated",
    "share_identical",
    "share_similar",
    "share_matched",
    "matched_2_belts",
    "matched_3plus_belts",
]


def _per_cluster(
    cl: pd.DataFrame, cluster_cities: pd.DataFrame, matches: pd.DataFrame
) -> pd.DataFrame:
    counts = (
        pd.crosstab(matches["cluster"], matches["match"])
        .reindex(index=cl["cluster"], columns=list(MATCH_CLASSES), fill_value=0)
        .astype(int)
    )
    matched = matches[matches["match"].isin(["identical", "similar"])]
    matched_belts = matched.groupby("cluster", sort=False)["belt"].agg("、".join)
    out = pd.DataFrame(
        {
            "cluster": cl["cluster"].to_numpy(),
            "programme": cl["programme"].to_numpy(),
            "cities": cluster_cities.groupby("cluster", sort=False)["city_name"]
            .agg("、".join)
            .reindex(cl["cluster"])
            .to_numpy(),
            "region": cl["region"].to_numpy(),
            "industry": cl["industry"].to_numpy(),
            "divisions": cl["divisions"].map(";".join).to_numpy(),
            "colocated_belts": counts.sum(axis=1).to_numpy(),
        }
    )
    for cls in MATCH_CLASSES:
        out[f"{cls}_belts"] = counts[cls].to_numpy()
    out["matched_belts"] = out["identical_belts"] + out["similar_belts"]
    best = np.full(len(out), "none", dtype=object)
    for cls in reversed(MATCH_CLASSES):
        best = np.where(out[f"{cls}_belts"].to_numpy() > 0, cls, best)
    out["best_match"] = best
    names = matched_belts.to_dict()
    out["matched_belt_names"] = [names.get(c, "") for c in out["cluster"]]
    return out


def _share_table(
    per_cluster: pd.DataFrame,
    cluster_cities: pd.DataFrame,
    meet_cities: set[tuple[str, str]],
) -> pd.DataFrame:
    rows = [_shares("all", "all", per_cluster, cluster_cities, meet_cities)]
    for scope in ("programme", "region"):
        for group, part in per_cluster.groupby(scope, sort=True):
            rows.append(_shares(scope, str(group), part, cluster_cities, meet_cities))
    return pd.DataFrame(rows, columns=_SHARE_COLUMNS)


def _shares(
    scope: str,
    group: str,
    part: pd.DataFrame,
    cluster_cities: pd.DataFrame,
    meet_cities: set[tuple[str, str]],
) -> dict[str, Any]:
    cities = cluster_cities[cluster_cities["cluster"].isin(part["cluster"])]
    met = [
        (c, n) in meet_cities
        for c, n in zip(cities["cluster"], cities["city_name"], strict=True)
    ]
    n_cities = cities["adcode"].nunique()
    n_both = cities.loc[met, "adcode"].nunique()
    n = len(part)
    best = part["best_match"]
    counts = {
        "colocated": int((part["colocated_belts"] > 0).sum()),
        "identical": int((best == "identical").sum()),
        "similar": int((best == "similar").sum()),
        "unrelated": int((best == "unrelated").sum()),
    }
    counts["matched"] = counts["identical"] + counts["similar"]
    return {
        "scope": scope,
        "group": group,
        "cities_with_clusters": n_cities,
        "cities_with_both": n_both,
        "share_cities_with_both": n_both / n_cities,
        "clusters": n,
        **counts,
        "share_colocated": counts["colocated"] / n,
        "share_identical": counts["identical"] / n,
        "share_similar": counts["similar"] / n,
        "share_matched": counts["matched"] / n,
        "matched_2_belts": int((part["matched_belts"] == 2).sum()),
        "matched_3plus_belts": int((part["matched_belts"] >= 3).sum()),
    }
