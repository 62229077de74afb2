"""The ``spatialgreen`` command line.

Each subcommand lives in its own module ``spatialgreen/cli/cmd_<name>.py`` that
defines ``add_parser(subparsers)``; the parser it adds sets ``handler`` to a function
taking the parsed arguments and returning an exit code. Most modules build it with
``_common.command(name, ..., arguments=_arguments, handler=_run)`` and the shared
option builders of ``_common``. Modules are discovered here, so adding a subcommand
never touches this file. Heavy libraries are imported inside the handlers so that
``spatialgreen --help`` is instant.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import warnings
from collections.abc import Sequence
from typing import TextIO

from ..errors import OptionError, SpatialGreenError, SpatialGreenWarning
from ._common import in_cli_terms

__all__ = ["build_parser", "main"]

_DESCRIPTION = """\
spatialgreen: green TFP, eco-efficiency, decoupling, convergence and spatial
econometrics for Chinese provinces and cities, with web maps.

Run `spatialgreen demo` to see every module at work on the embedded synthetic data,
or `spatialgreen <command> --help` for a command's options and an example."""


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Build the argument parser with every discovered subcommand.

    ``command`` (a subcommand name, e.g. ``"moran"``) registers that subcommand
    alone, when it exists: what :func:`main` does for a command line naming one,
    so that running a command imports no other command module.
    """
    from ..results import package_version

    parser = argparse.ArgumentParser(
        prog="spatialgreen",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"spatialgreen {package_version()}"
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        help="show the full traceback when a command fails",
    )
    sub = parser.add_subparsers(title="commands", metavar="<command>")
    names = sorted(
        info.name
        for info in pkgutil.iter_modules(__path__)
        if info.name.startswith("cmd_")
    )
    if command is not None and _module_of(command) in names:
        names = [_module_of(command)]
    for name in names:
        importlib.import_module(f".{name}", __name__).add_parser(sub)
    return parser


def _module_of(command: str) -> str:
    """The module of a subcommand: ``match-clusters`` → ``cmd_match_clusters``."""
    return "cmd_" + command.replace("-", "_")


def _command_in(argv: Sequence[str]) -> str | None:
    """The subcommand a command line names: its first word that is not an option
    (the top-level options take no value)."""
    return next((a for a in argv if not a.startswith("-")), None)


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """Warnings as one line on stderr, named like errors (no source line).

    spatialgreen's own (:class:`~spatialgreen.errors.SpatialGreenWarning`) read
    ``spatialgreen: warning: <message>``; any other keeps its category name
    (``spatialgreen: warning: RuntimeWarning: ...``), so a library's warning that
    was not silenced where it is harmless stands out. A message of several lines
    is joined into one.
    """
    from tqdm import tqdm

    kind = "" if issubclass(category, SpatialGreenWarning) else f"{category.__name__}: "
    text = " ".join(line.strip() for line in str(message).splitlines() if line.strip())
    # tqdm.write puts the line above a progress bar on a terminal, not through it
    tqdm.write(f"spatialgreen: warning: {kind}{text}", file=file or sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(_command_in(argv))
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            return int(handler(args) or 0)
    except KeyboardInterrupt:
        print("spatialgreen: interrupted", file=sys.stderr)
        return 130
    except (
        SpatialGreenError,
        OSError,  # missing files, permissions, a file where a folder is needed
        ValueError,
        KeyError,
    ) as exc:
        if args.debug:
            raise
        name = "" if isinstance(exc, SpatialGreenError) else f"{type(exc).__name__}: "
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
        if isinstance(exc, OptionError):  # name the flag, not the API option
            message = in_cli_terms(message, getattr(args, "_flags", {}))
        print(f"spatialgreen: error: {name}{message}", file=sys.stderr)
        print("(run with --debug for the full traceback)", file=sys.stderr)
        return 2
