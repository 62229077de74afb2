"""Helpers shared by the subcommand modules."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from ..errors import DataError

__all__ = [
    "add_command",
    "add_input_args",
    "add_output_arg",
    "add_panel_args",
    "add_weights_args",
    "one_or_list",
    "print_written",
    "split_list",
    "weights_from_args",
    "write_outputs",
]


def add_command(
    subparsers: argparse._SubParsersAction,
    name: str,
    *,
    help: str,
    description: str,
    example: str,
) -> argparse.ArgumentParser:
    """Add a subcommand whose ``--help`` ends with a worked example."""
    parser = subparsers.add_parser(
        name,
        help=help,
        description=description,
        epilog=f"example:\n  {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show the full traceback when the command fails",
    )
    return parser


def split_list(text: str | None) -> list[str]:
    """Split a comma-separated option value (``"labor,capital"``) into names."""
    if not text:
        return []
    return [part.strip() for part in text.split(",") if part.strip()]


def one_or_list(text: str | None) -> str | list[str] | None:
    """A name (``"yrd26"``) or, with commas, a list of names (``"北京,天津"``)."""
    if text is None:
        return None
    parts = split_list(text)
    return parts[0] if len(parts) == 1 and "," not in text else parts


def add_input_args(
    parser: argparse.ArgumentParser,
    *,
    help: str = "input table: .csv, .xlsx or .parquet",
) -> None:
    """The input table and its Excel sheet."""
    parser.add_argument("path", help=help)
    parser.add_argument(
        "--sheet", default=None, help="Excel sheet (default: the first)"
    )


def add_output_arg(
    parser: argparse.ArgumentParser,
    *,
    help: str,
    default: str | None = None,
    short: bool = True,
) -> None:
    """``-o/--output`` (``--output`` if not ``short``); required without default."""
    flags = ("-o", "--output") if short else ("--output",)
    parser.add_argument(*flags, default=default, required=default is None, help=help)


def print_written(paths: list[Path], *, prefix: str = "wrote ") -> None:
    """Say which files a command wrote, one a line."""
    for path in paths:
        print(f"{prefix}{path}")


def add_panel_args(
    parser: argparse.ArgumentParser, *, time_required: bool = False
) -> None:
    """The input file and its key columns, common to panel commands."""
    add_input_args(parser)
    parser.add_argument("--unit", default="unit", help="unit column (default: unit)")
    parser.add_argument(
        "--time",
        default=None if not time_required else "year",
        required=False,
        help="time column (default: %(default)s)",
    )


def add_weights_args(parser: argparse.ArgumentParser) -> None:
    """Options that choose the spatial weights (``moran``, ``spatial-model``)."""
    group = parser.add_argument_group("spatial weights")
    group.add_argument(
        "--weights-file",
        default=None,
        help="GAL, GWT or CSV edge-list weights file whose ids are the values of "
        "--unit",
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


def weights_from_args(args: argparse.Namespace, units: list) -> Any:
    """The weights chosen by :func:`add_weights_args` options, on ``units``.

    ``--weights-file`` is read by :func:`spatialgreen.geo.read_weights`; otherwise
    :func:`spatialgreen.geo.weights_for_units` builds ``--weights`` for ``--level``
    on the data's units (names or adcodes).
    """
    from ..geo.weights import read_weights, weights_for_units

    if args.weights_file:
        return read_weights(args.weights_file)
    return weights_for_units(args.level, units, kind=args.weights, islands=args.islands)


def write_outputs(results: object, output: str, *, stem: str) -> list[Path]:
    """Write a results object to ``output``: a .csv/.xlsx file or a folder.

    Any other suffix (``gtfp.xls``, ``scores.txt``) is an error rather than the name
    of a new folder, unless the folder exists or ``output`` ends with a slash.
    """
    out = Path(output)
    folder = not out.suffix or output.endswith(("/", os.sep)) or out.is_dir()
    if out.suffix.lower() not in {".csv", ".xlsx"} and not folder:
        raise DataError(
            f"unsupported output {output!r}: use a .csv or .xlsx file, or a folder "
            f"(end the name with '/' for a folder whose name has a dot)"
        )
    if out.suffix.lower() == ".xlsx":
        return [results.to_excel(out)]  # type: ignore[attr-defined]
    if out.suffix.lower() == ".csv":
        from .._io import write_table
        from ..results import export_frame

        main = export_frame(results.to_frame())  # type: ignore[attr-defined]
        return [write_table(main, out)]
    return results.to_csv(out, prefix=f"{stem}_")  # type: ignore[attr-defined]
