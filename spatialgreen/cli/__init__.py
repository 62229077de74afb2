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


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every discovered subcommand."""
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
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("cmd_"):
            module = importlib.import_module(f".{info.name}", __name__)
            module.add_parser(sub)
    return parser


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """Warnings as one line on stderr, named like errors (no source line)."""
    kind = "" if issubclass(category, SpatialGreenWarning) else f"{category.__name__}: "
    print(f"spatialgreen: warning: {kind}{message}", file=file or sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    parser = build_parser()
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
