"""Helpers shared by the subcommand modules."""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..errors import DataError, OptionError, check_int, check_number

__all__ = [
    "add_choice",
    "add_command",
    "add_flag",
    "add_group_arg",
    "add_input_args",
    "add_match_arg",
    "add_output_arg",
    "add_panel_args",
    "add_weights_args",
    "command",
    "flags_of",
    "group_from_args",
    "in_cli_terms",
    "int_option",
    "number_option",
    "numbers_option",
    "one_or_list",
    "pick",
    "print_written",
    "read_panel_args",
    "relayed_warnings",
    "said_before",
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
    options: dict[str, str] | None = None,
) -> Callable[[argparse._SubParsersAction], argparse.ArgumentParser]:
    """The ``add_parser(subparsers)`` of the subcommand ``spatialgreen <name>``.

    The parser is made by :func:`add_command` (``help``, ``description`` and the
    worked ``example`` of ``--help``); ``arguments(parser)`` adds the command's
    options and ``handler(args)`` runs it, returning the exit code. A command module
    ends with ``add_parser = command("name", ..., arguments=..., handler=_run)``.
    ``options`` maps API option names to the command's flags where they differ
    (``{"k": "--classes"}``): an :class:`~spatialgreen.errors.OptionError` about
    ``k=1`` is then reported as ``--classes 1`` (see :func:`flags_of`).
    """

    def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
        parser = add_command(
            subparsers, name, help=help, description=description, example=example
        )
        arguments(parser)
        parser.set_defaults(
            handler=handler, _flags={**flags_of(parser), **(options or {})}
        )
        return parser

    add_parser.__doc__ = f"Register ``spatialgreen {name}``."
    return add_parser


def flags_of(parser: argparse.ArgumentParser) -> dict[str, str]:
    """API option name (the argument's ``dest``) → the flag that sets it."""
    return {
        action.dest: max(action.option_strings, key=len)
        for action in parser._actions
        if action.option_strings and action.dest not in ("help", "debug")
    }


def in_cli_terms(message: str, flags: dict[str, str]) -> str:
    """``permutations=-5: must be …`` → ``--permutations -5: must be …``.

    Rewrites the ``option=value`` of an :class:`~spatialgreen.errors.OptionError`
    message when ``flags`` knows the option.

    Examples
    --------
    >>> in_cli_terms("islands='near': must be one of 'raise', 'nearest'",
    ...              {"islands": "--islands"})
    "--islands near: must be one of 'raise', 'nearest'"
    """

    def flag(match: re.Match[str]) -> str:
        name, value = match.group(1), match.group(2)
        if name not in flags:
            return match.group(0)
        if len(value) > 1 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        return f"{flags[name]} {value}: must be"

    return re.sub(r"\b([A-Za-z_]\w*)=(.+?): must be", flag, message)


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


def _argument_type(
    parse: Callable[[str], Any], check: Callable[[Any], Any], what: str
) -> Callable[[str], Any]:
    """An argparse ``type``: errors become "argument --flag: ..." messages."""

    def convert(text: str) -> Any:
        try:
            return check(parse(text))
        except (ValueError, OverflowError) as exc:
            reason = str(exc).split(": ", 1)[-1] if isinstance(exc, OptionError) else ""
            raise argparse.ArgumentTypeError(
                f"{reason or f'expected {what}'}, got {text!r}"
            ) from None

    convert.__name__ = what  # argparse shows it in "invalid <name> value"
    return convert


def int_option(
    minimum: int | None = None, maximum: int | None = None
) -> Callable[[str], int]:
    """An argparse ``type`` for an integer in ``[minimum, maximum]``.

    Examples
    --------
    >>> int_option(1)("999")
    999
    >>> int_option(1)("-5")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be an integer >= 1, got '-5'
    """
    return _argument_type(
        int,
        lambda n: check_int(n, "value", minimum=minimum, maximum=maximum),
        "an integer",
    )


def number_option(
    low: float | None = None,
    high: float | None = None,
    closed: tuple[bool, bool] = (True, True),
) -> Callable[[str], float]:
    """An argparse ``type`` for a number in a range (``closed``: ends allowed).

    Examples
    --------
    >>> number_option(0, 1, (False, False))("1.5")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a number > 0 and < 1, got '1.5'
    """
    return _argument_type(
        float,
        lambda x: check_number(x, "value", low=low, high=high, closed=closed),
        "a number",
    )


def numbers_option(text: str) -> list[float]:
    """An argparse ``type`` for comma-separated numbers (``0.8,1.0,1.2``).

    Examples
    --------
    >>> numbers_option("0.8, 1.2")
    [0.8, 1.2]
    >>> numbers_option("1,a")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: expected comma-separated numbers, got '1,a'
    """
    return _argument_type(  # type: ignore[no-any-return]
        lambda t: [float(v) for v in split_list(t)],
        lambda xs: [check_number(x, "value") for x in xs],
        "comma-separated numbers",
    )(text)


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


@contextlib.contextmanager
def relayed_warnings() -> Iterator[list[str]]:
    """Collect the messages of the warnings a block shows, then show them.

    A command that also prints its results' notes uses the messages to leave out
    a note a warning already said (``spatialgreen: warning: ...`` on stderr),
    so that nothing is said twice. The filters in force decide what is shown.
    """
    shown: list[str] = []
    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            yield shown
    finally:  # shown also when the block fails
        for w in caught:
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
            shown.append(str(w.message))


def said_before(note: str, shown: list[str]) -> bool:
    """Whether the text of ``note`` is part of one of the ``shown`` warnings."""
    return any(note in message for message in shown)


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
    add_match_arg(parser)
    if column is not None:
        parser.add_argument("--column", required=True, help=column)
    if weights:
        add_weights_args(parser)


def add_match_arg(parser: argparse.ArgumentParser) -> None:
    """``--match province|city``: one spelling per unit before the analysis."""
    parser.add_argument(
        "--match",
        choices=("province", "city"),
        default=None,
        help="match the --unit names to adcodes of this level first: spellings of "
        "one unit (内蒙古 / 内蒙古自治区, '北京 ') become one, written with the "
        "first spelling the file uses; a name matching no unit is an error",
    )


def add_group_arg(parser: argparse.ArgumentParser, used_by: str) -> None:
    """``--group``: a column of the file or a built-in grouping of the units."""
    from ..geo.regions import BUILTIN_GROUPINGS

    parser.add_argument(
        "--group",
        help=f"group column ({used_by}), or a built-in grouping of the units "
        f"({', '.join(BUILTIN_GROUPINGS)}) when they are province or city names "
        "or adcodes (--match sets the level)",
    )


def group_from_args(data: Any, args: argparse.Namespace) -> tuple[Any, str | None]:
    """The data with the ``--group`` column, and its name.

    A column of the file is used as it is (it wins over a built-in grouping of the
    same name); a built-in grouping is added from the units with
    :func:`spatialgreen.results.carry_columns` (``--match`` sets the level, else
    province, then city).
    """
    from ..geo.regions import BUILTIN_GROUPINGS
    from ..results import carry_columns

    group = getattr(args, "group", None)
    if not group or group in data.columns:
        return data, group
    if group not in BUILTIN_GROUPINGS:
        raise DataError(
            f"--group {group!r} is neither a column of the file nor a built-in "
            f"grouping ({', '.join(BUILTIN_GROUPINGS)})"
        )
    level = getattr(args, "match", None)
    keys = {"unit": args.unit, "time": getattr(args, "time", None)}
    return carry_columns(data, **keys, groups=group, level=level), group


def pick(args: argparse.Namespace, *names: str) -> dict[str, Any]:
    """The options ``names`` of ``args`` as keyword arguments of an API call."""
    return {name: getattr(args, name) for name in names}


def read_panel_args(args: argparse.Namespace, *columns: str) -> Any:
    """The panel named by :func:`add_panel_args` options, read and validated.

    ``path``, ``--sheet``, ``--unit`` and ``--time`` go to
    :func:`spatialgreen.panel.read_panel`, which also checks that ``columns`` exist
    and, with ``--match``, writes each unit with one spelling.
    """
    from ..panel import read_panel

    return read_panel(
        args.path,
        unit=args.unit,
        time=args.time,
        columns=columns,
        sheet=args.sheet,
        match=getattr(args, "match", None),
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
        choices=("province", "city", "county"),
        help="boundary level for --weights (default: province)",
    )
    group.add_argument(
        "--islands",
        default=None,
        choices=("raise", "nearest", "keep"),
        help="units without neighbours: raise an error (default), link each to its "
        "nearest unit, or keep them unlinked",
    )
    group.add_argument(
        "--transform",
        default="r",
        choices=("r", "b"),
        help="weights transformation: r (row-standardised, default) or b (binary)",
    )


def weights_from_args(args: argparse.Namespace, units: list) -> Any:
    """The weights chosen by :func:`add_weights_args` options, on ``units``.

    ``--weights-file`` is read by :func:`spatialgreen.geo.read_weights`; otherwise
    :func:`spatialgreen.geo.weights_for_units` builds ``--weights`` for ``--level``
    on the data's units (names or adcodes).
    """
    from ..errors import WeightsError
    from ..geo.names import match_units
    from ..geo.weights import read_weights, weights_for_units

    if args.weights_file:
        return read_weights(args.weights_file)
    same: dict[int, list] = {}
    for name, code in zip(
        units, match_units(units, level=args.level, errors="coerce"), strict=True
    ):
        if code is not None:
            same.setdefault(code, []).append(name)
    repeated = [names for names in same.values() if len(names) > 1]
    if repeated:
        listed = "; ".join(" and ".join(map(repr, names)) for names in repeated)
        raise DataError(
            f"--unit names that are one {args.level}: {listed}; pass --match "
            f"{args.level} to write each unit with one spelling"
        )
    try:
        return weights_for_units(
            args.level, units, kind=args.weights, islands=args.islands
        )
    except (WeightsError, DataError) as exc:  # say it with the command's flags
        text = re.sub(r"\bislands=\{[^}]*\} or ", "or ", str(exc))
        text = re.sub(r"\bislands='(\w+)'", r"--islands \1", text)
        text = re.sub(r"^kind must be one of", "--weights must be one of", text)
        if text == str(exc):
            raise
        raise type(exc)(text) from exc


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
