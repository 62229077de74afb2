"""``spatialgreen flows``: inter-city technology-transfer flows and integration."""

from __future__ import annotations

import argparse

from ._common import (
    add_choice,
    add_flag,
    add_input_args,
    add_output_arg,
    command,
    int_option,
    number_option,
)

__all__ = ["add_parser"]


def _arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``spatialgreen flows``."""
    add_input_args(parser, help="transfer records (.csv, .xlsx, .parquet)")
    parser.add_argument(
        "--origin", default="origin", help="origin column (default: origin)"
    )
    parser.add_argument(
        "--destination", default="destination", help="destination column"
    )
    parser.add_argument("--time", default="year", help="year column (default: year)")
    parser.add_argument(
        "--count", default="count", help="count column (default: count)"
    )
    parser.add_argument("--ipc", help="column of IPC codes (';'-separated)")
    add_flag(parser, "--green-only", "keep green-patent records only")
    parser.add_argument("--green-ipc", help="CSV with an 'ipc' column")
    parser.add_argument(
        "--region",
        help="focal region: a grouping (yrd26, jjj, prd, yreb) or a list of cities",
    )
    parser.add_argument("--region-name", default="region", help="label of the region")
    parser.add_argument(
        "--group",
        action="append",
        default=[],
        metavar="LABEL=CITY,CITY",
        help="group outside cities under a label (repeatable); others by province",
    )
    parser.add_argument(
        "--periods", type=int_option(1), help="years per period (default: every year)"
    )
    add_choice(
        parser,
        "--self-transfers",
        ("drop", "raise"),
        "records from a city to itself: drop with a warning (default) or fail",
    )
    parser.add_argument(
        "--core-share",
        type=number_option(0, 1, (False, True)),
        default=0.5,
        help="core cities' share (default: 0.5)",
    )
    add_flag(
        parser,
        "--no-centralities",
        "skip betweenness, eigenvector and PageRank (faster)",
    )
    parser.add_argument("--places", help="gazetteer CSV: name,adcode,lon,lat")
    add_output_arg(
        parser, "output folder, or a .xlsx/.csv file (default: flows/)", "flows"
    )


def _groups(specs: list[str]) -> dict[str, str]:
    from ..errors import DataError
    from ._common import split_list

    groups: dict[str, str] = {}
    for spec in specs:
        label, sep, cities = spec.partition("=")
        if not sep or not label.strip() or not split_list(cities):
            raise DataError(f"--group must look like LABEL=CITY,CITY, got {spec!r}")
        for city in split_list(cities):
            groups[city] = label.strip()
    return groups


def _run(args: argparse.Namespace) -> int:
    from .._io import read_table
    from ..flows.transfer import transfer_flows
    from ._common import one_or_list, pick, print_written, write_outputs

    columns = pick(args, "origin", "destination", "time", "count", "ipc")
    result = transfer_flows(
        read_table(args.path, sheet=args.sheet),
        **columns,
        **pick(args, "green_only", "green_ipc", "region_name", "periods"),
        **pick(args, "self_transfers", "core_share"),
        region=one_or_list(args.region),
        groups=_groups(args.group) or None,
        places=read_table(args.places) if args.places else None,
        centralities=not args.no_centralities,
    )
    written = write_outputs(result, args.output, stem="flows")
    if len(result.integration):
        last = result.integration.iloc[-1]
        print(
            f"period {last['period']}: integration overall {last['overall']:.3f}, "
            f"supply {last['supply']:.3f}, sales {last['sales']:.3f}"
        )
    print_written(written)
    return 0


add_parser = command(
    "flows",
    help="technology-transfer flow tables, networks and integration indices",
    description=(
        "Read transfer records (origin city, destination city, year, count, "
        "optional IPC codes), optionally keep green patents only (WIPO IPC Green "
        "Inventory classes), and write flows by period, flows within/into/out of "
        "a region, flows between groups, network measures per city, core cities, "
        "integration indices (overall, supply, sales) and flow-map lines."
    ),
    example=(
        "spatialgreen flows transfers.csv --ipc ipc --green-only --region yrd26 "
        "--group 'Beijing-Tianjin=北京,天津' --periods 5 -o results/"
    ),
    arguments=_arguments,
    handler=_run,
)
