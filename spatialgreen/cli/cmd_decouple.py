"""``spatialgreen decouple``: Tapio decoupling, refined scores and catch-up types."""

from __future__ import annotations

import argparse

from ._common import add_choice, add_flag, add_output_arg, add_panel_args, command

__all__ = ["add_parser"]


def _arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``spatialgreen decouple``."""
    add_panel_args(parser, time_required=True)
    parser.add_argument("--driver", required=True, help="driver column (e.g. gdp_pc)")
    parser.add_argument(
        "--indicator",
        help="indicator column (default with --pollutants: env_productivity)",
    )
    parser.add_argument(
        "--pollutants",
        help="comma-separated pollutant columns: compute environmental productivity",
    )
    parser.add_argument(
        "--productivity-output",
        help="output column for environmental productivity (default: the driver)",
    )
    add_flag(parser, "--entropy", "entropy weights for the pollutants")
    add_choice(
        parser,
        "--kind",
        ("pressure", "benefit"),
        "indicator convention (default: benefit with --pollutants, else pressure)",
        default=None,
    )
    parser.add_argument(
        "--periods",
        help="comma-separated periods like 2005-2010,2011-2016 (default: year on year)",
    )
    add_choice(
        parser,
        "--elasticity",
        ("endpoints", "yearly-mean"),
        "over each of --periods: start-end elasticity (default) or the mean of the "
        "yearly elasticities (the average decoupling index)",
    )
    parser.add_argument(
        "--band", default="0.8,1.2", help="coupling band low,high (default: 0.8,1.2)"
    )
    add_flag(parser, "--open-band", "exclude the band ends from coupling")
    add_flag(parser, "--catch-up", "also compute catch-up decoupling")
    parser.add_argument(
        "--stage-column", help="group column for catch-up instead of Chenery stages"
    )
    add_output_arg(
        parser,
        "output .xlsx (one sheet per table) or folder of CSVs",
        "decoupling.xlsx",
        short=False,
    )


def _run(args: argparse.Namespace) -> int:
    from ..decoupling import catch_up, environmental_productivity, tapio
    from ..errors import DataError
    from ..report import write_named_tables
    from ._common import print_written, read_panel_args, split_list

    data = read_panel_args(args)
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
        band = ()
    if len(band) != 2 or not 0 <= band[0] < band[1]:
        raise DataError(
            f"--band must be two numbers low,high with 0 <= low < high, like "
            f"0.8,1.2; got {args.band!r}"
        )
    periods = split_list(args.periods) or None
    common = {
        "driver": args.driver,
        "indicator": indicator,
        "unit": args.unit,
        "time": args.time,
        "kind": kind,
        "periods": periods,
    }
    states = tapio(
        data,
        band=band,
        closed=not args.open_band,
        elasticity=args.elasticity,
        **common,
    )
    tables = {"tapio": states, **tables}
    if args.catch_up:
        tables["catch_up"] = catch_up(data, stages=args.stage_column, **common)
    paths = write_named_tables(tables, args.output)
    counts = states["state"].value_counts().to_dict()
    print(f"{len(states)} decoupling rows; states: {counts}")
    print_written(paths)
    return 0


add_parser = command(
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
    arguments=_arguments,
    handler=_run,
)
