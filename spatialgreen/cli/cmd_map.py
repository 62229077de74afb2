"""``spatialgreen map``: a results table + a level (or polygons) + a column -> a map.

``-o map.html`` writes the web map (:func:`spatialgreen.maps.draw`);
``-o map.png|.pdf|.svg`` the static map of China (:func:`spatialgreen.maps.static`).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ._common import (
    add_choice,
    add_flag,
    add_input_args,
    add_match_arg,
    add_output_arg,
    command,
    int_option,
    numbers_option,
)

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
    add_match_arg(parser)
    parser.add_argument(
        "--boundary-key", help="unit column of --boundaries (default: same as --unit)"
    )
    parser.add_argument(
        "--time",
        help="year column: a year slider (HTML), one panel per year (PNG/PDF/SVG)",
    )
    parser.add_argument(
        "--year",
        help="year shown first (HTML; default: last); the years drawn as panels "
        "of a static map, e.g. 2005,2016 (default: all)",
    )
    add_choice(
        parser,
        "--kind",
        ("auto", "choropleth", "categorical", "lisa"),
        "auto: choropleth for numbers, categorical otherwise",
    )
    # None: the renderer's default, so that an option the map kind does not take
    # is reported (maps.draw) only when the user gave it
    parser.add_argument("--scheme", help="mapclassify scheme (fisher_jenks)")
    parser.add_argument("-k", type=int_option(2), help="number of classes (5)")
    parser.add_argument(
        "--bins",
        type=numbers_option,
        help="user class upper bounds, e.g. 0.8,1.0,1.2",
    )
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
    add_choice(
        parser,
        "--language",
        ("en", "zh"),
        "words of a static map's legend, scale bar and inset (default: en)",
        default=None,
    )
    add_output_arg(
        parser,
        "output file: .html (web map) or .png/.pdf/.svg (static map of China; "
        "not an approved standard map, see the README)",
    )


def _run(args: argparse.Namespace) -> int:
    from .. import maps
    from .._io import read_table
    from ..errors import DataError, OptionError
    from ..geo import join_units
    from ..panel import require_columns, unify_units
    from ._common import pick

    data = read_table(args.path, sheet=args.sheet)
    require_columns(data, [args.unit, args.column], role="map")
    if args.match:
        data = unify_units(data, unit=args.unit, level=args.match, time=args.time)
    if args.boundaries:
        data = join_units(
            data,
            unit=args.unit,
            time=args.time,
            how="left",
            polygons=args.boundaries,
            key=args.boundary_key,
        )
    elif args.level is None:
        raise DataError("pass --level province|city or --boundaries FILE")
    given = {
        "scheme": args.scheme,
        "k": args.k,
        "bins": args.bins or None,
        "palette": args.palette,
        "indicator": args.indicator,
    }
    options = {name: value for name, value in given.items() if value is not None}
    if Path(args.output).suffix.lower() in _STATIC:
        return _static(args, data, options)
    if args.language:
        raise OptionError("--language applies to static maps (.png, .pdf, .svg)")
    fmap = maps.draw(
        data,
        args.column,
        kind=args.kind,
        level=None if args.boundaries else args.level,
        **pick(args, "study", "unit", "time", "year", "title", "tiles"),
        **options,
    )
    out = maps.save(fmap, args.output, offline=not args.online)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB)")
    return 0


_STATIC = (".png", ".pdf", ".svg")


def _static(args: argparse.Namespace, data: Any, options: dict[str, Any]) -> int:
    """Draw and save the static map (``-o`` ending in .png, .pdf or .svg)."""
    from .. import figures, maps
    from ..errors import OptionError
    from ._common import pick, split_list

    for flag, given in (("--tiles", args.tiles), ("--online", args.online)):
        if given:
            raise OptionError(
                f"{flag} applies to web maps (.html), not to {args.output}"
            )
    years = split_list(args.year)
    fig = maps.static(
        data,
        args.column,
        kind=args.kind,
        level=None if args.boundaries else args.level,
        year=(years if len(years) > 1 else years[0]) if years else None,
        language=args.language or "en",
        **pick(args, "study", "unit", "time", "title"),
        **options,
    )
    out = figures.save(fig, args.output)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB)")
    return 0


add_parser = command(
    "map",
    help="draw a web map (HTML) or a static map (PNG/PDF/SVG) of a column",
    description=(
        "Join a results table (CSV/XLSX/Parquet, one row per unit, or per unit and "
        "year with --time) to the shipped province/city polygons, or to your own "
        "polygons with --boundaries, and write a self-contained HTML map: a "
        "classified choropleth for numbers, fixed colours for categories "
        "(decoupling states, catch-up types A-D, LISA clusters). With -o ending "
        "in .png, .pdf or .svg it draws the same map for a paper: the standard "
        "layout of a map of China (South China Sea inset, north arrow, scale bar), "
        "one panel per --year. Not an approved standard map (审图号)."
    ),
    example=(
        "spatialgreen map gtfp.csv --level province --unit province "
        "--column gtfp --time year -o gtfp.html"
    ),
    arguments=_arguments,
    handler=_run,
)
