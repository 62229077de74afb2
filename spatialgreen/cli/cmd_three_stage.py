"""``spatialgreen three-stage``: three-stage DEA-SFA (Fried et al. 2002)."""

from __future__ import annotations

import argparse

from ._common import (
    add_command,
    add_output_arg,
    add_panel_args,
    print_written,
    split_list,
    write_outputs,
)

__all__ = ["add_parser", "parse_dimension"]


def parse_dimension(text: str) -> tuple[str, dict[str, list[str]]]:
    """Parse ``name:in1,in2:out1[:bad1,bad2]`` into a dimension spec.

    Examples
    --------
    >>> name, spec = parse_dimension("energy:energy,labor:gdp:so2")
    >>> name, spec["inputs"], spec["bad_outputs"]
    ('energy', ['energy', 'labor'], ['so2'])
    """
    from ..errors import DataError

    parts = text.split(":")
    if len(parts) not in (3, 4) or not parts[0].strip():
        raise DataError(
            f"--dimension {text!r}: expected name:inputs:outputs[:bad_outputs], e.g. "
            "energy:energy,labor:gdp:so2"
        )
    spec = {"inputs": split_list(parts[1]), "outputs": split_list(parts[2])}
    spec["bad_outputs"] = split_list(parts[3]) if len(parts) == 4 else []
    return parts[0].strip(), spec


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``spatialgreen three-stage``."""
    parser = add_command(
        subparsers,
        "three-stage",
        help="three-stage DEA-SFA: purge environment and luck from DEA scores",
        description=(
            "Stage 1: DEA (default input-oriented BCC; --engine sbm/ebm with "
            "--bad-outputs) gives input slacks. Stage 2: one cost-type stochastic "
            "frontier per slack on the --environment variables separates environment, "
            "managerial inefficiency and noise. Stage 3: inputs adjusted to the least "
            "favourable environment and luck, DEA re-run. Repeat --dimension to "
            "measure several GTFP dimensions (e.g. energy and economic)."
        ),
        example=(
            "spatialgreen three-stage provinces.csv --unit province --time year "
            "--environment gov,open,pgdp --dimension energy:energy,labor:gdp "
            "--dimension economic:capital,labor:gdp --output three_stage.xlsx"
        ),
    )
    add_panel_args(parser, time_required=True)
    parser.add_argument("--inputs", default=None, help="comma-separated inputs")
    parser.add_argument("--outputs", default=None, help="comma-separated outputs")
    parser.add_argument("--bad-outputs", default=None, help="undesirable outputs")
    parser.add_argument(
        "--environment", required=True, help="comma-separated environmental variables"
    )
    parser.add_argument(
        "--dimension",
        action="append",
        default=None,
        metavar="NAME:INPUTS:OUTPUTS[:BAD]",
        help="a run of its own (repeatable); replaces --inputs/--outputs",
    )
    parser.add_argument(
        "--engine", choices=("dea", "sbm", "ebm"), default="dea", help="stage-1 model"
    )
    parser.add_argument("--rts", choices=("vrs", "crs"), default="vrs")
    parser.add_argument(
        "--dist", choices=("half-normal", "truncated-normal"), default="half-normal"
    )
    parser.add_argument(
        "--noise",
        choices=("if-significant", "always", "never"),
        default="if-significant",
        help="adjust for noise (default: where the LR test rejects gamma = 0)",
    )
    parser.add_argument(
        "--stage2-by",
        choices=("pooled", "period"),
        default="pooled",
        help="one slack regression on the pooled panel (default) or per period",
    )
    parser.add_argument(
        "--decompose", action="store_true", help="also report TE, PTE and SE"
    )
    add_output_arg(
        parser,
        default="three_stage.xlsx",
        help="output .xlsx or folder of CSVs",
        short=False,
    )
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from ..efficiency.three_stage import three_stage, three_stage_dimensions
    from ..errors import DataError
    from ..panel import read_panel
    from ..results import Results

    data = read_panel(args.path, unit=args.unit, time=args.time, sheet=args.sheet)
    options = {
        "environment": split_list(args.environment),
        "unit": args.unit,
        "time": args.time,
        "engine": args.engine,
        "rts": args.rts,
        "dist": args.dist,
        "noise": args.noise,
        "decompose": args.decompose,
        "stage2_by": args.stage2_by,
    }
    res: Results
    if args.dimension:
        ignored = [
            flag
            for flag, value in (
                ("--inputs", args.inputs),
                ("--outputs", args.outputs),
                ("--bad-outputs", args.bad_outputs),
            )
            if value
        ]
        if ignored:
            raise DataError(
                f"{', '.join(ignored)} cannot be combined with --dimension, which "
                "names its own inputs, outputs and bad outputs "
                "(name:inputs:outputs[:bad_outputs])"
            )
        dimensions = dict(parse_dimension(text) for text in args.dimension)
        res = three_stage_dimensions(data, dimensions=dimensions, **options)
        print(
            res.levels.groupby(args.time).mean(numeric_only=True).round(4).to_string()
        )
    else:
        if not args.inputs or not args.outputs:
            raise DataError("give --inputs and --outputs, or one or more --dimension")
        single = three_stage(
            data,
            inputs=split_list(args.inputs),
            outputs=split_list(args.outputs),
            bad_outputs=split_list(args.bad_outputs),
            **options,
        )
        print(single.environment_effects.round(6).to_string(index=False))
        print(single.stage2.drop(columns=["warnings"], errors="ignore").to_string())
        res = single
    print_written(write_outputs(res, args.output, stem="three_stage"))
    return 0
