"""``spatialgreen moran``: global (and local) spatial autocorrelation by year."""

from __future__ import annotations

import argparse

from ._common import (
    add_choice,
    add_output_arg,
    add_panel_args,
    command,
    int_option,
    number_option,
)

__all__ = ["add_parser"]


def _arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``spatialgreen moran``."""
    add_panel_args(parser, time_required=True, column="variable to test", weights=True)
    add_choice(
        parser,
        "--statistic",
        ("moran", "geary", "g"),
        "global statistic (default: moran)",
    )
    parser.add_argument(
        "--permutations",
        type=int_option(0),
        default=999,
        help="random permutations for the pseudo p-values (default: 999; 0: "
        "analytical p-values only, not with --lisa)",
    )
    parser.add_argument(
        "--seed", type=int_option(0), default=0, help="seed of the permutations"
    )
    add_output_arg(parser, "output table: .csv or .xlsx", "moran.csv")
    parser.add_argument(
        "--lisa", help="also write local Moran clusters to this .csv/.xlsx"
    )
    parser.add_argument(
        "--alpha",
        type=number_option(0, 1, (False, False)),
        default=0.05,
        help="significance level of the LISA clusters (default: 0.05)",
    )
    add_choice(parser, "--adjust", ("fdr", "bonferroni"), default=None)


def _run(args: argparse.Namespace) -> int:
    from .._io import write_table
    from ..spatial import autocorrelation as ac
    from ._common import pick, print_written, read_panel_args, weights_from_args

    if args.lisa and args.permutations == 0:
        from ..errors import OptionError

        raise OptionError(
            "--permutations 0: --lisa needs at least one permutation (local "
            "clusters are tested by permutation only)"
        )
    data = read_panel_args(args, args.column)
    w = weights_from_args(args, list(dict.fromkeys(data[args.unit])))
    common = {"w": w, **pick(args, "unit", "time", "permutations", "seed")}
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


add_parser = command(
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
    arguments=_arguments,
    handler=_run,
    options={"kind": "--weights"},
)
