"""``spatialgreen regress``: estimate the models of a TOML spec and write tables."""

from __future__ import annotations

import argparse
from pathlib import Path

from ._common import add_flag, command

__all__ = ["add_parser"]


def _arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``spatialgreen regress``."""
    parser.add_argument("spec", help="TOML specification file")
    parser.add_argument(
        "--output", help="output stem overriding [output].path (e.g. results/table3)"
    )
    parser.add_argument(
        "--formats",
        help="comma-separated formats overriding [output].formats: "
        "csv,xlsx,tex,html,docx,rtf",
    )
    add_flag(parser, "--quiet", "do not print the table")


def _run(args: argparse.Namespace) -> int:
    import dataclasses

    from ..econometrics.spec import (
        OUTPUT_FORMATS,
        SpecError,
        load_spec,
        run_spec,
        write_spec_outputs,
    )
    from ._common import print_written, split_list

    spec = load_spec(args.spec)
    output = spec.output
    if args.output:
        output = dataclasses.replace(output, path=Path(args.output))
    if args.formats:
        formats = tuple(split_list(args.formats))
        bad = [f for f in formats if f not in OUTPUT_FORMATS]
        if bad:
            raise SpecError(
                f"--formats: unknown format(s) {bad}; use {', '.join(OUTPUT_FORMATS)}"
            )
        output = dataclasses.replace(output, formats=formats)
    spec = dataclasses.replace(spec, output=output)
    table = run_spec(spec)
    if not args.quiet:
        print(table)
    print_written(write_spec_outputs(spec, table))
    return 0


add_parser = command(
    "regress",
    help="panel fixed/random-effects and Tobit models from a TOML spec -> tables",
    description=(
        "Read a TOML specification ([data], optional [defaults], [[models]], "
        "[output]; see spatialgreen.econometrics.spec), estimate every model "
        "(two-way fixed effects by default; kind = random_effects, mediation, "
        "moderation or tobit) and write a journal-style table as CSV, XLSX, LaTeX, "
        "HTML, DOCX and/or RTF. The file is data: "
        "nothing in it is executed; an unknown key or a wrong type is an error "
        "naming it (e.g. models[1].effects)."
    ),
    example="spatialgreen regress table3.toml --formats csv,tex,docx",
    arguments=_arguments,
    handler=_run,
)
