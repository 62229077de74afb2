"""Helpers shared by the subcommand modules."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import DataError

__all__ = [
    "add_choice",
    "add_command",
    "add_flag",
    "add_input_args",
    "add_output_arg",
    "add_panel_args",
    "add_weights_args",
    "command",
    "one_or_list",
    "pick",
    "print_written",
    "read_panel_args",
    "split_list",
    "weights_from_args",
    "write_outputs",
    "write_results",
]


def command(
    name: str,
    *,
    help: str,
    description: str,
    example: str,
    arguments: Callable[[argparse.ArgumentParser], None],
    handler: Callable[[argparse.Namespace], int],
) -> Callable[[argparse._SubParsersAction], argparse.ArgumentParser]:
    """The ``add_parser(subparsers)`` of the subcommand ``spatialgreen <name>``.

    The parser is made by :func:`add_command` (``help``, ``description`` and the
    worked ``example`` of ``--help``); ``arguments(parser)`` adds the command's
    options and ``handler(args)`` runs it, returning the exit code. A command module
    ends with ``add_parser = command("name", ..., arguments=..., handler=_run)``.
    """

    def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
        parser = add_command(
            subparsers, name, help=help, description=description, example=example
        )
        arguments(parser)
        parser.set_defaults(handler=handler)
        return parser

    add_parser.__doc__ = f"Register ``spatialgreen {name}``."
    return add_parser


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


_FIRST: Any = object()


def add_choice(
    parser: argparse.ArgumentParser | argparse._ArgumentGroup,
    flag: str,
    choices: tuple[str, ...],
    help: str | None = None,
    *,
    default: Any = _FIRST,
) -> None:
    """An option taking one of ``choices``; its default is the first unless given."""
    first = choices[0] if default is _FIRST else default
    parser.add_argument(flag, choices=choices, default=first, help=help)


def add_flag(
    parser: argparse.ArgumentParser | argparse._ArgumentGroup, flag: str, help: str
) -> None:
    """An on/off switch (``store_true``)."""
    parser.add_argument(flag, action="store_true", help=help)


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
    help: str,
    default: str | None = None,
    *,
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
    parser: argparse.ArgumentParser,
    *,
    time_required: bool = False,
    column: str | None = None,
    weights: bool = False,
) -> None:
    """The input file and its key columns, common to panel commands.

    ``column`` (its help text) adds the required ``--column`` analysed; ``weights``
    adds the options of :func:`add_weights_args`.
    """
    add_input_args(parser)
    parser.add_argument("--unit", default="unit", help="unit column (default: unit)")
    parser.add_argument(
        "--time",
        default=None if not time_required else "year",
        required=False,
        help="time column (default: %(default)s)",
    )
    if column is not None:
        parser.add_argument("--column", required=True, help=column)
    if weights:
        add_weights_args(parser)


def pick(args: argparse.Namespace, *names: str) -> dict[str, Any]:
    """The options ``names`` of ``args`` as keyword arguments of an API call."""
    return {name: getattr(args, name) for name in names}


def read_panel_args(args: argparse.Namespace, *columns: str) -> Any:
    """The panel named by :func:`add_panel_args` options, read and validated.

    ``path``, ``--sheet``, ``--unit`` and ``--time`` go to
    :func:`spatialgreen.panel.read_panel`, which also checks that ``columns`` exist.
    """
    from ..panel import read_panel

    return read_panel(
        args.path, unit=args.unit, time=args.time, columns=columns, sheet=args.sheet
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


def write_results(
    results: object, output: str, *, stem: str, prefix: str = "wrote "
) -> int:
    """Write ``results`` with :func:`write_outputs`, list the files; exit code 0."""
    print_written(write_outputs(results, output, stem=stem), prefix=prefix)
    return 0


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
