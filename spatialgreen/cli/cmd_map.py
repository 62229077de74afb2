"""``spatialgreen map``: a results table + a level (or polygons) + a column -> HTML."""

from __future__ import annotations

import argparse

from ._common import add_command, add_input_args, add_output_arg, split_list

__all__ = ["add_parser"]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``spatialgreen map``."""
    parser = add_command(
        subparsers,
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
    )
    add_input_args(parser, help="results table: .csv, .xlsx or .parquet")
    parser.add_argument("--column", required=True, help="column to map")
    parser.add_argument(
        "--level",
        choices=("province", "city"),
        default=None,
        help="join to the shipped polygons of this level",
    )
    parser.add_argument(
        "--boundaries",
        default=None,
        help="your own polygons (GeoJSON/GeoPackage/Shapefile) instead of --level",
    )
    parser.add_argument(
        "--study",
        default=None,
        help="draw only this study set of --level (gtfp30, yrd26, yreb, ...)",
    )
    parser.add_argument("--unit", default="unit", help="unit column (default: unit)")
    parser.add_argument(
        "--boundary-key",
        default=None,
        help="unit column of --boundaries (default: same as --unit)",
    )
    parser.add_argument("--time", default=None, help="year column: adds a year slider")
    parser.add_argument("--year", default=None, help="year shown first (default: last)")
    parser.add_argument(
        "--kind",
        choices=("auto", "choropleth", "categorical", "lisa"),
        default="auto",
        help="auto: choropleth for numbers, categorical otherwise",
    )
    # None: the renderer's default, so that an option the map kind does not take
    # is reported (maps.draw) only when the user gave it
    parser.add_argument("--scheme", help="mapclassify scheme (fisher_jenks)")
    parser.add_argument("-k", type=int, help="number of classes (5)")
    parser.add_argument(
        "--bins", default=None, help="user class upper bounds, e.g. 0.8,1.0,1.2"
    )
    parser.add_argument("--palette", help="colour ramp (YlGn)")
    parser.add_argument(
        "--indicator",
        choices=("pressure", "benefit"),
        help="reading of Tapio states: pressure (emissions, default) or benefit",
    )
    parser.add_argument("--title", default=None, help="map title")
    parser.add_argument(
        "--tiles", choices=("osm", "amap"), default=None, help="online background tiles"
    )
    parser.add_argument(
        "--online",
        action="store_true",
        help="load Leaflet from its CDN instead of inlining it",
    )
    add_output_arg(parser, help="output .html file")
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from .. import maps
    from .._io import read_table
    from ..errors import DataError
    from ..geo import join_units
    from ..panel import require_columns

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
        study=args.study,
        unit=args.unit,
        time=args.time,
        year=args.year,
        title=args.title,
        tiles=args.tiles,
        **{name: value for name, value in given.items() if value is not None},
    )
    out = maps.save(fmap, args.output, offline=not args.online)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB)")
    return 0
