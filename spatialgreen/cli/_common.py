"""Helpers shared by the subcommand modules."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ..errors import DataError

__all__ = ["add_command", "add_panel_args", "split_list", "write_outputs"]


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


def add_panel_args(
    parser: argparse.ArgumentParser, *, time_required: bool = False
) -> None:
    """The input file and its key columns, common to panel commands."""
    parser.add_argument("path", help="input table: .csv, .xlsx or .parquet")
    parser.add_argument(
        "--sheet", default=None, help="Excel sheet (default: the first)"
    )
    parser.add_argument("--unit", default="unit", help="unit column (default: unit)")
    parser.add_argument(
        "--time",
        default=None if not time_required else "year",
        required=False,
        help="time column (default: %(default)s)",
    )


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
