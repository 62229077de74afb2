"""``spatialgreen map``: a results table + a level (or polygons) + a column -> HTML."""

from __future__ import annotations

import argparse

from ._common import add_choice, add_flag, add_input_args, add_output_arg, command

__all__ = ["add_parser"]


def _arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``spatialgreen map``."""
    add_input_args(parser, help="results table: .csv, .xlsx or .parquet")
    parser.add_argument("--column", required=True, help="column to map")
    add_choice(
        parser,
        "--level",
        ("province", "city"),
        "join to the shipped polygons of this level",
        default=None,
    )
    parser.add_argument(
        "--boundaries",
        help="your own polygons (GeoJSON/GeoPackage/Shapefile) instead of --level",
    )
    parser.add_argument(
        "--study", help="draw only this study set of --level (gtfp30, yrd26, yreb, ...)"
    )
    parser.add_argument("--unit", default="unit", help="unit column (default: unit)")
    parser.add_argument(
        "--boundary-key", help="unit column of --boundaries (default: same as --unit)"
    )
    parser.add_argument("--time", help="year column: adds a year slider")
    parser.add_argument("--year", help="year shown first (default: last)")
    add_choice(
        parser,
        "--kind",
        ("auto", "choropleth", "categorical", "lisa"),
        "auto: choropleth for numbers, categorical otherwise",
    )
    # None: the renderer's default, so that an option the map kind does not take
    # is reported (maps.draw) only when the user gave it
    parser.add_argument("--scheme", help="mapclassify scheme (fisher_jenks)")
    parser.add_argument("-k", type=int, help="number of classes (5)")
    parser.add_argument("--bins", help="user class upper bounds, e.g. 0.8,1.0,1.2")
    parser.add_argument("--palette", help="colour ramp (YlGn)")
    add_choice(
        parser,
        "--indicator",
        ("pressure", "benefit"),
        "reading of Tapio states: pressure (emissions, default) or benefit",
        default=None,
    )
    parser.add_argument("--title", help="map title")
    add_choice(
        parser, "--tiles", ("osm", "amap"), "online background tiles", default=None
    )
    add_flag(parser, "--online", "load Leaflet from its CDN instead of inlining it")
    add_output_arg(parser, "output .html file")


def _run(args: argparse.Namespace) -> int:
    from .. import maps
    from .._io import read_table
    from ..errors import DataError
    from ..geo import join_units
    from ..panel import require_columns
    from ._common import pick, split_list

    data = read_table(args.path, sheet=args.sheet)
    require_columns(data, [args.unit, args.column], role="map")
    if args.boundaries:
        data = join_units(
            data,
            unit=args.unit,
            time=args.time,
            how="inner",
            polygons=args.boundaries,
            key=args.boundary_key,
        )
    elif args.level is None:
        raise DataError("pass --level province|city or --boundaries FILE")
    given = {
        "scheme": args.scheme,
        "k": args.k,
        "bins": [float(b) for b in split_list(args.bins)] or None,
        "palette": args.palette,
        "indicator": args.indicator,
    }
    fmap = maps.draw(
        data,
        args.column,
        kind=args.kind,
        level=None if args.boundaries else args.level,
        **pick(args, "study", "unit", "time", "year", "title", "tiles"),
        **{name: value for name, value in given.items() if value is not None},
    )
    out = maps.save(fmap, args.output, offline=not args.online)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB)")
    return 0


add_parser = command(
    "map",
    help="draw a web map (HTML) of a column of a results table",
    description=(
        "Join a results table (CSV/XLSX/Parquet, one row per unit, or per unit and "
        "year with --time) to the shipped province/city polygons, or to your own "
        "polygons with --boundaries, and write a self-contained HTML map: a "
        "classified choropleth for numbers, fixed colours for categories "
        "(decoupling states, catch-up types A-D, LISA clusters)."
    ),
    example=(
        "spatialgreen map gtfp.csv --level province --unit province "
        "--column gtfp --time year -o gtfp.html"
    ),
    arguments=_arguments,
    handler=_run,
)
