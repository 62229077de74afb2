"""Per-period network measures and core cities of a transfer-flow network.

Private helper of :mod:`spatialgreen.flows`: in/out degree and strength from the
aggregated flows, weighted betweenness (distance = 1 / count, Opsahl et al. 2010),
eigenvector centrality of the undirected network and PageRank, all via networkx.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import ConvergenceError

__all__ = ["network_tables"]


def network_tables(
    flows: pd.DataFrame,
    labels: list[str],
    info: pd.DataFrame,
    core_share: float,
    *,
    centralities: bool,
    progress: bool | None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Network measures per period and city, and the core cities per period.

    ``progress=None`` shows a bar for 5+ periods when writing to a terminal.
    """
    from tqdm.auto import tqdm

    frames, cores = [], []
    # tqdm: disable=None switches the bar off when the output is not a terminal
    disable = None if progress is None else not progress
    if progress is None and len(labels) < 5:
        disable = True
    for label in tqdm(labels, desc="flow networks", unit="period", disable=disable):
        part = flows[flows["period"] == label]
        if part.empty:
            continue
        table = _centralities(part, centralities=centralities)
        table.insert(0, "period", label)
        table.insert(2, "name", table["adcode"].map(info["name"]))
        table["core"] = _core_flags(table["strength"].to_numpy(), core_share)
        frames.append(table)
        core = table[table["core"]][["period", "adcode", "name", "strength"]].copy()
        core["share"] = core["strength"] / table["strength"].sum()
        core["cumulative_share"] = core["share"].cumsum()
        core.insert(1, "rank", np.arange(1, len(core) + 1))
        cores.append(core)
    network_cols = [
        "period", "adcode", "name", "in_degree", "out_degree", "in_strength",
        "out_strength", "strength", "betweenness", "eigenvector", "pagerank", "core",
    ]  # fmt: skip
    core_cols = [
        "period",
        "rank",
        "adcode",
        "name",
        "strength",
        "share",
        "cumulative_share",
    ]
    network = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=network_cols)
    )
    core = (
        pd.concat(cores, ignore_index=True)
        if cores
        else pd.DataFrame(columns=core_cols)
    )
    return network[network_cols], core[core_cols]


def _centralities(part: pd.DataFrame, *, centralities: bool) -> pd.DataFrame:
    import networkx as nx

    out_ = part.groupby("origin", sort=False)["count"].agg(["size", "sum"])
    in_ = part.groupby("destination", sort=False)["count"].agg(["size", "sum"])
    table = pd.concat(
        {
            "in_degree": in_["size"],
            "out_degree": out_["size"],
            "in_strength": in_["sum"],
            "out_strength": out_["sum"],
        },
        axis=1,
    ).fillna(0)
    table = table.astype({"in_degree": int, "out_degree": int})
    table = table.astype(
        dict.fromkeys(("in_strength", "out_strength"), part["count"].dtype)
    )
    table["strength"] = table["in_strength"] + table["out_strength"]
    table = table.sort_values("strength", ascending=False, kind="stable")
    table = table.rename_axis("adcode").reset_index()
    table["adcode"] = table["adcode"].astype(part["origin"].dtype)
    if not centralities:
        for col in ("betweenness", "eigenvector", "pagerank"):
            table[col] = np.nan
        return table
    graph = nx.DiGraph()
    for o, d, c in zip(part["origin"], part["destination"], part["count"], strict=True):
        # Stronger ties are shorter paths: distance = 1 / count (Opsahl et al.
        # 2010 with alpha = 1).
        graph.add_edge(o, d, weight=float(c), distance=1.0 / float(c))
    undirected = nx.Graph()
    undirected.add_nodes_from(graph.nodes)
    for o, d, data in graph.edges(data=True):
        previous = undirected.get_edge_data(o, d, {"weight": 0.0})["weight"]
        undirected.add_edge(o, d, weight=previous + data["weight"])
    betweenness = nx.betweenness_centrality(graph, weight="distance", normalized=True)
    eigenvector = _eigenvector(undirected)
    pagerank = nx.pagerank(graph, alpha=0.85, weight="weight")
    nodes = table["adcode"]
    table["betweenness"] = nodes.map(betweenness).to_numpy(dtype=float)
    table["eigenvector"] = nodes.map(eigenvector).to_numpy(dtype=float)
    table["pagerank"] = nodes.map(pagerank).to_numpy(dtype=float)
    return table


def _eigenvector(graph: Any) -> dict[Any, float]:
    """Eigenvector centrality on the largest connected component, 0 elsewhere.

    On a disconnected network the leading eigenvector is not unique; we follow the
    power-iteration limit, which concentrates on the dominant component.
    """
    import networkx as nx

    component = max(
        nx.connected_components(graph),
        key=lambda c: (len(c), graph.subgraph(c).size(weight="weight")),
    )
    core = graph.subgraph(component)
    scores = dict.fromkeys(graph.nodes, 0.0)
    if core.number_of_nodes() > 3:
        # the sparse eigensolver is far faster than power iteration on dense
        # city networks; ARPACK needs more than k + 2 = 3 nodes
        scores.update(nx.eigenvector_centrality_numpy(core, weight="weight"))
        return scores
    try:
        scores.update(nx.eigenvector_centrality(core, weight="weight", max_iter=10_000))
    except nx.PowerIterationFailedConvergence as exc:
        raise ConvergenceError(
            f"eigenvector centrality did not converge: {exc}"
        ) from exc
    return scores


def _core_flags(strength: np.ndarray, core_share: float) -> np.ndarray:
    order = np.argsort(-strength, kind="stable")
    before = np.cumsum(strength[order]) - strength[order]
    flags = np.zeros(len(strength), dtype=bool)
    flags[order] = before < core_share * strength.sum()
    return flags
