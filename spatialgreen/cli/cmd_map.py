"""``spatialgreen map``: a results table + a level (or polygons) + a column -> HTML."""

from __future__ import annotations

import argparse

from ._common import add_command, split_list

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
    parser.add_argument("path", help="results table: .csv, .xlsx or .parquet")
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
        "--sheet", default=None, help="Excel sheet (default: the first)"
    )
    parser.add_argument(
        "--kind",
        choices=("auto", "choropleth", "categorical", "lisa"),
        default="auto",
        help="auto: choropleth for numbers, categorical otherwise",
    )
    parser.add_argument(
        "--scheme", default="fisher_jenks", help="mapclassify scheme (fisher_jenks)"
    )
    parser.add_argument("-k", type=int, default=5, help="number of classes (5)")
    parser.add_argument(
        "--bins", default=None, help="user class upper bounds, e.g. 0.8,1.0,1.2"
    )
    parser.add_argument("--palette", default="YlGn", help="colour ramp (YlGn)")
    parser.add_argument(
        "--indicator",
        choices=("pressure", "benefit"),
        default="pressure",
        help="reading of Tapio states: pressure (emissions) or benefit",
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
    parser.add_argument("-o", "--output", required=True, help="output .html file")
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    import pandas as pd

    from .. import maps
    from .._io import read_table
    from ..errors import DataError

    table = read_table(args.path, sheet=args.sheet)
    data, unit = _with_geometry(table, args)
    kind = args.kind
    if kind == "auto":
        numeric = pd.api.types.is_numeric_dtype(data[args.column])
        kind = "choropleth" if numeric else "categorical"
    common = {
        "level": None if args.boundaries else args.level,
        "study": args.study,
        "unit": unit,
        "time": args.time,
        "year": args.year,
        "title": args.title,
        "tiles": args.tiles,
    }
    if kind == "choropleth":
        bins = [float(b) for b in split_list(args.bins)] or None
        fmap = maps.choropleth(
            data,
            args.column,
            scheme=args.scheme,
            k=args.k,
            bins=bins,
            palette=args.palette,
            **common,
        )
    elif kind == "categorical":
        fmap = maps.categorical(data, args.column, indicator=args.indicator, **common)
    elif kind == "lisa":
        fmap = maps.lisa(data, cluster=args.column, **common)
    else:  # argparse choices make this unreachable
        raise DataError(f"unknown map kind {kind!r}")
    out = maps.save(fmap, args.output, offline=not args.online)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB)")
    return 0


def _with_geometry(table, args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """The table joined to --boundaries (or as read, for --level), and its unit key."""
    from ..errors import DataError
    from ..panel import require_columns

    require_columns(table, [args.unit, args.column], role="map")
    if args.boundaries:
        import geopandas as gpd

        polygons = gpd.read_file(args.boundaries)
        key = args.boundary_key or args.unit
        require_columns(polygons, [key], role="boundaries")
        left = table.assign(_sg_join=table[args.unit].astype(str))
        right = polygons.assign(_sg_join=polygons[key].astype(str))
        unmatched = sorted(set(left["_sg_join"]) - set(right["_sg_join"]))
        if unmatched:
            raise DataError(
                f"units of {args.unit!r} not in the boundaries' {key!r}: "
                f"{unmatched[:10]}"
            )
        extra = [c for c in right.columns if c in left.columns and c != "_sg_join"]
        joined = right.drop(columns=extra).merge(left, on="_sg_join", how="right")
        return joined, "_sg_join"
    if args.level is None:
        raise DataError("pass --level province|city or --boundaries FILE")
    return table, args.unit  # the renderers join it to the level's polygons
