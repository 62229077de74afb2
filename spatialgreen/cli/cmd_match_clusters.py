"""``spatialgreen match-clusters``: national clusters ↔ online industrial belts."""

from __future__ import annotations

import argparse

from ._common import add_choice, add_flag, add_output_arg, command, number_option

__all__ = ["add_parser"]

_CLUSTER_COLUMNS = ("name", "programme", "city", "industry")
_BELT_COLUMNS = ("name", "city", "county", "industry")


def _arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``spatialgreen match-clusters``."""
    parser.add_argument("clusters", help="clusters table (.csv, .xlsx, .parquet)")
    parser.add_argument("belts", help="online belts table (.csv, .xlsx, .parquet)")
    parser.add_argument(
        "--cluster-columns",
        default=",".join(_CLUSTER_COLUMNS),
        help="cluster name, programme, city and industry columns "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--belt-columns",
        default=",".join(_BELT_COLUMNS),
        help="belt name, city, county and industry columns (default: %(default)s)",
    )
    parser.add_argument(
        "--within-km",
        type=number_option(0, None, (False, True)),
        help="co-locate within this distance between city centroids "
        "(default: same city only)",
    )
    add_flag(
        parser,
        "--section-similar",
        "also count two industries of the same GB/T section as similar (default: "
        "only pairs in the related-division table)",
    )
    parser.add_argument("--places", help="gazetteer CSV: name,adcode,lon,lat[,region]")
    parser.add_argument(
        "--keywords", help="CSV of keyword,division replacing the shipped one"
    )
    parser.add_argument("--related", help="CSV of division_a,division_b related pairs")
    add_choice(
        parser,
        "--spatial",
        ("province", "city"),
        "also write counts, rates and Moran's I per province or city",
        default=None,
    )
    add_output_arg(
        parser,
        "output folder, or a .xlsx/.csv file (default: clusters/)",
        "clusters",
    )


def _columns(text: str, expected: tuple[str, ...], option: str) -> list[str]:
    from ..errors import DataError
    from ._common import split_list

    names = split_list(text)
    if len(names) != len(expected):
        raise DataError(
            f"{option} needs {len(expected)} comma-separated names "
            f"({', '.join(expected)}), got {text!r}"
        )
    return names


def _run(args: argparse.Namespace) -> int:
    from .._io import read_table
    from ..clusters.matching import match_clusters
    from ._common import print_written, write_outputs

    name, programme, city, industry = _columns(
        args.cluster_columns, _CLUSTER_COLUMNS, "--cluster-columns"
    )
    b_name, b_city, b_county, b_industry = _columns(
        args.belt_columns, _BELT_COLUMNS, "--belt-columns"
    )
    result = match_clusters(
        read_table(args.clusters),
        read_table(args.belts),
        name=name,
        programme=programme,
        city=city,
        industry=industry,
        belt_name=b_name,
        belt_city=b_city,
        belt_county=b_county,
        belt_industry=b_industry,
        within_km=args.within_km,
        section_similar=args.section_similar,
        keywords=args.keywords,
        related=args.related,
        places=read_table(args.places) if args.places else None,
    )
    written = write_outputs(result, args.output, stem="clusters")
    if args.spatial:
        view = result.spatial(args.spatial)
        written += write_outputs(view, _sibling(args.output, "spatial"), stem="spatial")
    row = result.shares.iloc[0]
    print(
        f"{row['clusters']} clusters in {row['cities_with_clusters']} cities; "
        f"{row['share_cities_with_both']:.1%} of those cities host a belt; "
        f"{row['share_colocated']:.1%} of clusters co-located, "
        f"{row['share_identical']:.1%} identical, {row['share_similar']:.1%} similar"
    )
    print_written(written)
    return 0


def _sibling(output: str, tag: str) -> str:
    from pathlib import Path

    out = Path(output)
    if out.suffix.lower() in (".xlsx", ".csv"):
        return str(out.with_name(f"{out.stem}_{tag}{out.suffix}"))
    return str(out)


add_parser = command(
    "match-clusters",
    help="match industrial clusters with online belts by city and industry",
    description=(
        "Resolve the cities of national industrial clusters and online industrial "
        "belts (counties roll up to their prefecture), map their industry texts to "
        "GB/T 4754-2017 divisions, pair clusters and belts in the same city (or "
        "within --within-km), classify each pair as identical, similar or "
        "unrelated, and write the pairs, the study's shares (overall, by programme "
        "and by region), per-cluster match lists and map layers."
    ),
    example=(
        "spatialgreen match-clusters clusters.csv belts.csv --within-km 50 "
        "--spatial province -o results/"
    ),
    arguments=_arguments,
    handler=_run,
)
