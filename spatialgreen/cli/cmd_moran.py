"""``spatialgreen moran``: global (and local) spatial autocorrelation by year."""

from __future__ import annotations

import argparse

from ._common import (
    add_command,
    add_output_arg,
    add_panel_args,
    add_weights_args,
    print_written,
    weights_from_args,
)

__all__ = ["add_parser"]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``spatialgreen moran``."""
    parser = add_command(
        subparsers,
        "moran",
        help="Moran's I (Geary's C, Getis-Ord G) of a variable for every year",
        description=(
            "Global spatial autocorrelation of one column of a panel for every year, "
            "with analytical z-values and seeded permutation p-values (esda); "
            "optionally the local Moran (LISA) clusters per unit and year. Weights "
            "come from a GAL/GWT/CSV file or are built from the shipped boundaries "
            "(unit ids must then be adcodes)."
        ),
        example=(
            "spatialgreen moran panel.csv --column gtfp --unit adcode --time year "
            "--weights queen --level province --islands nearest -o moran.csv "
            "--lisa lisa.csv"
        ),
    )
    add_panel_args(parser, time_required=True)
    parser.add_argument("--column", required=True, help="variable to test")
    parser.add_argument(
        "--statistic",
        choices=("moran", "geary", "g"),
        default="moran",
        help="global statistic (default: moran)",
    )
    parser.add_argument("--permutations", type=int, default=999)
    parser.add_argument("--seed", type=int, default=0)
    add_output_arg(parser, default="moran.csv", help="output table: .csv or .xlsx")
    parser.add_argument(
        "--lisa",
        default=None,
        help="also write local Moran clusters to this .csv/.xlsx",
    )
    parser.add_argument("--alpha", type=float, default=0.05)
    parser.add_argument("--adjust", choices=("fdr", "bonferroni"), default=None)
    add_weights_args(parser)
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from .._io import register_input, write_table
    from ..panel import read_panel
    from ..spatial import autocorrelation as ac

    register_input(args.path)
    data = read_panel(
        args.path,
        unit=args.unit,
        time=args.time,
        columns=[args.column],
        sheet=args.sheet,
    )
    w = weights_from_args(args, list(dict.fromkeys(data[args.unit])))
    common = {
        "w": w,
        "unit": args.unit,
        "time": args.time,
        "permutations": args.permutations,
        "seed": args.seed,
    }
    if args.statistic == "moran":
        table = ac.moran_by_year(data, args.column, transform=args.transform, **common)
    elif args.statistic == "geary":
        table = ac.geary_by_year(data, args.column, transform=args.transform, **common)
    else:
        table = ac.getis_ord_by_year(data, args.column, **common)
    written = [write_table(table, args.output)]
    if args.lisa:
        local = ac.lisa(
            data,
            args.column,
            alpha=args.alpha,
            adjust=args.adjust,
            transform=args.transform,
            **common,
        )
        written.append(write_table(local, args.lisa))
    print(table.to_string(index=False))
    print_written(written)
    return 0
