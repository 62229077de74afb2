"""``spatialgreen decouple``: Tapio decoupling, refined scores and catch-up types."""

from __future__ import annotations

import argparse

from ._common import (
    add_command,
    add_output_arg,
    add_panel_args,
    print_written,
    split_list,
)

__all__ = ["add_parser"]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``spatialgreen decouple``."""
    parser = add_command(
        subparsers,
        "decouple",
        help="Tapio decoupling states, refined scores and catch-up decoupling",
        description=(
            "Tapio (2005) decoupling elasticity between a driver (e.g. per-capita GDP) "
            "and an indicator, year on year or over periods, with the eight states, "
            "better/worse and the refined 0.2-bin score. With --pollutants the "
            "indicator is environmental productivity (output per composite pollution "
            "index, pollutants rescaled to 50-100). --catch-up adds catch-up "
            "decoupling types A-D against the model unit of each Chenery stage."
        ),
        example=(
            "spatialgreen decouple cities.csv --unit city --time year --driver gdp_pc "
            "--pollutants wastewater,so2,solid --kind benefit "
            "--periods 2005-2010,2011-2016 --catch-up --output decoupling.xlsx"
        ),
    )
    add_panel_args(parser, time_required=True)
    parser.add_argument("--driver", required=True, help="driver column (e.g. gdp_pc)")
    parser.add_argument(
        "--indicator",
        default=None,
        help="indicator column (default with --pollutants: env_productivity)",
    )
    parser.add_argument(
        "--pollutants",
        default=None,
        help="comma-separated pollutant columns: compute environmental productivity",
    )
    parser.add_argument(
        "--productivity-output",
        default=None,
        help="output column for environmental productivity (default: the driver)",
    )
    parser.add_argument(
        "--entropy", action="store_true", help="entropy weights for the pollutants"
    )
    parser.add_argument(
        "--kind",
        choices=("pressure", "benefit"),
        default=None,
        help="indicator convention (default: benefit with --pollutants, else pressure)",
    )
    parser.add_argument(
        "--periods",
        default=None,
        help="comma-separated periods like 2005-2010,2011-2016 (default: year on year)",
    )
    parser.add_argument(
        "--band", default="0.8,1.2", help="coupling band low,high (default: 0.8,1.2)"
    )
    parser.add_argument(
        "--open-band", action="store_true", help="exclude the band ends from coupling"
    )
    parser.add_argument(
        "--catch-up", action="store_true", help="also compute catch-up decoupling"
    )
    parser.add_argument(
        "--stage-column",
        default=None,
        help="group column for catch-up instead of Chenery stages",
    )
    add_output_arg(
        parser,
        default="decoupling.xlsx",
        help="output .xlsx (one sheet per table) or folder of CSVs",
        short=False,
    )
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from ..decoupling import catch_up, environmental_productivity, tapio
    from ..errors import DataError
    from ..panel import read_panel
    from ..report import write_named_tables

    data = read_panel(args.path, unit=args.unit, time=args.time, sheet=args.sheet)
    tables = {}
    indicator = args.indicator
    pollutants = split_list(args.pollutants)
    if pollutants:
        ep = environmental_productivity(
            data,
            output=args.productivity_output or args.driver,
            pollutants=pollutants,
            unit=args.unit,
            time=args.time,
            weights="entropy" if args.entropy else None,
        )
        tables["environmental_productivity"] = ep
        data = data.merge(
            ep[[args.unit, args.time, "env_productivity"]], on=[args.unit, args.time]
        )
        indicator = indicator or "env_productivity"
    if indicator is None:
        raise DataError("give --indicator or --pollutants")
    kind = args.kind or ("benefit" if pollutants else "pressure")
    try:
        band = tuple(float(v) for v in split_list(args.band))
    except ValueError:
        raise DataError(
            f"--band must be two numbers like 0.8,1.2, got {args.band!r}"
        ) from None
    if len(band) != 2:
        raise DataError(f"--band must be two numbers like 0.8,1.2, got {args.band!r}")
    periods = split_list(args.periods) or None
    common = {
        "driver": args.driver,
        "indicator": indicator,
        "unit": args.unit,
        "time": args.time,
        "kind": kind,
        "periods": periods,
    }
    states = tapio(data, band=band, closed=not args.open_band, **common)
    tables = {"tapio": states, **tables}
    if args.catch_up:
        tables["catch_up"] = catch_up(data, stages=args.stage_column, **common)
    paths = write_named_tables(tables, args.output)
    counts = states["state"].value_counts().to_dict()
    print(f"{len(states)} decoupling rows; states: {counts}")
    print_written(paths)
    return 0
