"""Speed of cluster–belt industry matching and of the transfer-flow networks.

Run ``python benchmarks/flows.py``. Baselines are measured in the same run:

- industry keywords: one pass of a longest-first regex alternation against a loop
  over the 750 keywords per text (what a user would write first);
- eigenvector centrality: networkx's sparse eigensolver (used by spatialgreen) against
  its power iteration at a tolerance that gives the same digits;
- ``transfer_flows`` on 20 years of synthetic demo transfers with and without the
  centralities (the rest is pandas aggregation).
"""

from __future__ import annotations

import time

import networkx as nx
import numpy as np

from spatialgreen import geo
from spatialgreen.clusters._industry import industry_tables, normalize_text
from spatialgreen.datasets import _generate_points as gp
from spatialgreen.flows.transfer import transfer_flows

__all__: list[str] = []


def _clock(func, repeat: int = 1) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        func()
    return (time.perf_counter() - start) / repeat


def _naive_classify(text: str, keywords: list[tuple[str, str]]) -> set[str]:
    text = normalize_text(text)
    found = set()
    for kw, division in keywords:  # sorted longest first
        if kw in text:
            found.add(division)
            text = text.replace(kw, "\0" * len(kw))
    return found


def main() -> None:
    cities = geo.load_boundaries("city").rename(
        columns={"region3": "region", "centroid_lon": "lon", "centroid_lat": "lat"}
    )
    rng = np.random.default_rng(0)
    belts = gp.belts(cities, rng)
    texts = list(belts["industry"]) * 25  # ~10k belt texts
    tables = industry_tables()
    pairs = sorted(
        zip(tables.keywords["keyword"], tables.keywords["division"], strict=True),
        key=lambda p: -len(p[0]),
    )
    rows = []
    fast = _clock(lambda: [tables.classify(t) for t in texts])
    slow = _clock(lambda: [_naive_classify(t, pairs) for t in texts])
    rows.append((f"classify {len(texts)} industry texts", slow, fast))

    records = gp.patent_transfers(cities, rng, range(2001, 2021))
    last = records[records["year"] >= 2016]
    graph = nx.Graph()
    for o, d, c in zip(last["origin"], last["destination"], last["count"], strict=True):
        w = graph.get_edge_data(o, d, {"weight": 0})["weight"]
        graph.add_edge(o, d, weight=w + c)
    fast = _clock(lambda: nx.eigenvector_centrality_numpy(graph, weight="weight"))
    slow = _clock(
        lambda: nx.eigenvector_centrality(
            graph, weight="weight", max_iter=10_000, tol=1e-10
        )
    )
    rows.append((f"eigenvector, {graph.number_of_nodes()} cities", slow, fast))
    a = nx.eigenvector_centrality_numpy(graph, weight="weight")
    b = nx.eigenvector_centrality(graph, weight="weight", max_iter=10_000, tol=1e-10)
    gap = max(abs(abs(a[n]) - b[n]) for n in graph)

    full = _clock(
        lambda: transfer_flows(records, region="yrd26", periods=5, progress=False)
    )
    bare = _clock(
        lambda: transfer_flows(
            records, region="yrd26", periods=5, progress=False, centralities=False
        )
    )
    rows.append(
        (f"transfer_flows {len(records)} records: centralities on/off", full, bare)
    )

    print(f"{'task':<58}{'baseline s':>12}{'spatialgreen s':>16}{'ratio':>8}")
    for task, base, ours in rows:
        print(f"{task:<58}{base:>12.3f}{ours:>16.3f}{base / ours:>8.1f}")
    print(f"eigenvector: largest |difference| between the two routes {gap:.1e}")


if __name__ == "__main__":
    main()
