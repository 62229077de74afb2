"""``spatialgreen moran``: global (and local) spatial autocorrelation by year."""

from __future__ import annotations

import argparse
from typing import Any

from ._common import add_command, add_panel_args

__all__ = ["add_parser", "add_weights_args", "load_weights"]


def add_weights_args(parser: argparse.ArgumentParser) -> None:
    """Options that choose the spatial weights (shared with ``spatial-model``)."""
    group = parser.add_argument_group("spatial weights")
    group.add_argument(
        "--weights-file",
        default=None,
        help="GAL or GWT weights file whose ids are the values of --unit",
    )
    group.add_argument(
        "--weights",
        default="queen",
        help="kind of weights built by spatialgreen.spatial_weights (default: queen)",
    )
    group.add_argument(
        "--level",
        default="province",
        help="boundary level for --weights: province or city (default: province)",
    )
    group.add_argument(
        "--islands",
        default=None,
        help="island policy passed to spatialgreen.spatial_weights (default: its own)",
    )
    group.add_argument(
        "--transform",
        default="r",
        help="weights transformation: r (row-standardised, default) or b (binary)",
    )


def load_weights(args: argparse.Namespace, units: list) -> Any:
    """Read ``--weights-file`` or build ``--weights`` for ``--level``, on ``units``.

    Shipped weights are built for the units present in the data (names or
    adcodes; an island is handled by ``--islands`` or reported).
    """
    if args.weights_file:
        from pathlib import Path

        import libpysal

        from ..errors import WeightsError

        path = Path(args.weights_file)
        if path.suffix.lower() not in (".gal", ".gwt"):
            raise WeightsError(f"{path}: weights files must be .gal or .gwt")
        if not path.exists():
            raise FileNotFoundError(f"weights file {path} not found")
        source = libpysal.io.open(str(path))
        try:
            return source.read()
        finally:
            source.close()
    import spatialgreen

    options = {"kind": args.weights, "ids": list(units)}
    if args.islands:
        options["islands"] = args.islands
    graph = spatialgreen.spatial_weights(args.level, **options)
    if set(map(str, graph.unique_ids)) != set(map(str, units)):
        # the data name their units (e.g. 北京) while the weights are keyed by
        # adcode: match the names explicitly and label the weights with them
        from ..spatial.regression import relabel_weights

        codes = spatialgreen.match_units(list(units), level=args.level)
        graph = relabel_weights(graph, dict(zip(codes, units, strict=True)))
    return graph


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
            "come from a GAL/GWT file or are built from the shipped boundaries "
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
    parser.add_argument(
        "-o", "--output", default="moran.csv", help="output table: .csv or .xlsx"
    )
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
    w = load_weights(args, list(dict.fromkeys(data[args.unit])))
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
    for path in written:
        print(f"wrote {path}")
    return 0
