"""Recipe 5 — national industrial clusters, online belts and green-patent flows.

Follows the two parts of ``shared/studies/002``: (a) national industrial clusters
matched with the online industrial belts of an e-commerce platform, city by city and
industry by industry (GB/T 4754 divisions: identical, similar or unrelated), with the
shares the study reports overall, by programme and by region, and their map; (b)
inter-city green-technology transfer flows, the YRD flow network, its core cities and
the integration indices at the overall, supply and sales levels, with flow maps.

Run on the embedded SYNTHETIC demo tables::

    python recipes/clusters_and_green_flows.py --output maps/clusters_and_green_flows

or on your own files (columns as in ``spatialgreen.datasets.clusters()``, ``belts()``
and ``patent_transfers()``)::

    python recipes/clusters_and_green_flows.py --clusters clusters.xlsx \\
        --belts belts.xlsx --transfers transfers.csv
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import folium
import pandas as pd

import spatialgreen as sg
from spatialgreen import clusters, datasets, figures, flows, maps
from spatialgreen.report import Report, recipe_parser, run_recipe

TITLE = "5 · Industrial clusters, online belts and green-technology flows"


def _table(path: str | None, default: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    return default() if path is None else sg.read_table(path)


def _background(title: str) -> folium.Map:
    """Province polygons coloured by east/central/west, under the points and lines."""
    return maps.categorical(
        sg.load_boundaries("province"),
        "region3",
        title=title,
        legend_title="region",
        tooltip=(),
    )


def run(
    output: str | Path,
    *,
    quick: bool = False,
    clusters_path: str | None = None,
    belts_path: str | None = None,
    transfers_path: str | None = None,
    region: str = "yrd26",
) -> Report:
    """Run the study and write its tables and maps to ``output``."""
    report = Report(output, title=TITLE)
    match = clusters.match_clusters(
        _table(clusters_path, datasets.clusters), _table(belts_path, datasets.belts)
    )
    report.table(
        match.shares,
        "cluster_belt_shares",
        "Cities with both, clusters co-located with a belt, identical and similar "
        "industry shares — overall, by programme and by region",
    )
    report.table(
        match.matches,
        "cluster_belt_pairs",
        "Every co-located cluster–belt pair and its class",
    )
    report.table(
        match.cluster_matches, "cluster_match_lists", "Matched belts of each cluster"
    )
    per_city = match.spatial("province", permutations=99 if quick else 999)
    report.table(
        per_city.units,
        "clusters_by_province",
        "Clusters, belts and match rates by province",
    )
    report.table(
        per_city.moran,
        "clusters_moran",
        "Moran's I of the counts and rates by province",
    )

    m = maps.points(
        match.belt_points,
        label="belt",
        color="#1b9e77",
        name="online belts",
        m=_background("National clusters and online industrial belts"),
    )
    m = maps.points(
        match.cluster_points,
        label="cluster",
        category="best_match",
        name="national clusters",
        m=m,
    )
    m = maps.pairs(
        match.pair_lines,
        lon=("o_lon", "d_lon"),
        lat=("o_lat", "d_lat"),
        label=("cluster", "belt"),
        name="matched pairs",
        m=m,
    )
    report.map(
        m,
        "map_clusters_belts",
        "Clusters coloured by their best match, belts and matched pairs",
    )
    report.static_map(
        lambda: maps.static(
            match.cluster_points,
            "best_match",
            kind="points",
            title="National clusters by their best-matching online belt",
        ),
        "map_clusters_belts",
        "National clusters coloured by their best match (static map)",
    )

    records = _table(transfers_path, datasets.patent_transfers)
    if quick:
        records = records[records["year"] >= 2011]
    net = flows.transfer_flows(
        records, ipc="ipc", green_only=True, region=region, periods=5, progress=False
    )
    report.table(
        net.integration,
        "integration",
        "Green-technology integration of the region: overall, supply and sales levels",
    )
    levels = net.integration.melt(
        id_vars="period",
        value_vars=["overall", "supply", "sales"],
        var_name="level",
        value_name="integration",
    )
    report.figure(
        lambda: figures.trend_by_group(
            levels,
            "integration",
            time="period",
            group="level",
            title="Green-technology integration of the region",
        ),
        "integration_trend",
        "Integration at the overall, supply and sales levels by period",
    )
    report.table(
        net.regional,
        "regional_flows",
        "Flows within, into and out of the region by period",
    )
    report.table(
        net.network, "network", "Degree, strength and centralities of each city"
    )
    report.table(net.core, "core_cities", "Core cities of the flow network")
    last = net.flow_lines[net.flow_lines["period"] == net.flow_lines["period"].max()]
    top = last.nlargest(60, "count")
    period = last["period"].iloc[0]
    report.map(
        maps.flows(
            top,
            origin="origin",
            destination="destination",
            volume="count",
            level="city",
            m=_background(f"The 60 largest green-patent transfer flows, {period}"),
        ),
        "map_green_flows",
        "Largest green-patent transfer flows between cities, last period",
    )
    report.static_map(
        lambda: maps.static(
            top,
            "count",
            kind="flows",
            level="city",
            title=f"The 60 largest green-patent transfer flows, {period}",
        ),
        "map_green_flows",
        f"Largest green-patent transfer flows between cities, {period}",
    )
    report.finish()
    return report


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = recipe_parser(
        __doc__.splitlines()[0], default_output="maps/clusters_and_green_flows"
    )
    parser.add_argument("--clusters", help="clusters (name, programme, city, industry)")
    parser.add_argument("--belts", help="belts table (name, city, county, industry)")
    parser.add_argument(
        "--transfers", help="transfers (origin, destination, year, count, ipc)"
    )
    parser.add_argument("--region", default="yrd26", help="focal region: a grouping")
    args = parser.parse_args(argv)
    run_recipe(
        run,
        args,
        clusters_path=args.clusters,
        belts_path=args.belts,
        transfers_path=args.transfers,
        region=args.region,
    )


if __name__ == "__main__":
    main()
