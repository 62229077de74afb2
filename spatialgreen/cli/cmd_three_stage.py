"""``spatialgreen three-stage``: three-stage DEA-SFA (Fried et al. 2002)."""

from __future__ import annotations

import argparse

from ._common import (
    add_choice,
    add_flag,
    add_output_arg,
    add_panel_args,
    command,
    int_option,
)

__all__ = ["add_parser", "parse_dimension"]


def _arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``spatialgreen three-stage``."""
    add_panel_args(parser, time_required=True)
    parser.add_argument("--inputs", help="comma-separated inputs")
    parser.add_argument("--outputs", help="comma-separated outputs")
    parser.add_argument("--bad-outputs", help="undesirable outputs")
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
    add_choice(parser, "--engine", ("dea", "sbm", "ebm"), "stage-1 model")
    add_choice(parser, "--rts", ("vrs", "crs"))
    add_choice(parser, "--dist", ("half-normal", "truncated-normal"))
    add_choice(
        parser,
        "--noise",
        ("if-significant", "always", "never"),
        "adjust for noise (default: where the LR test rejects gamma = 0)",
    )
    add_choice(
        parser,
        "--stage2-by",
        ("pooled", "period"),
        "one slack regression on the pooled panel (default) or per period",
    )
    add_choice(
        parser,
        "--stage2",
        ("sfa", "tobit"),
        "slack regression: cost-type SFA (default) or Tobit censored at 0 "
        "(environment adjustment only)",
    )
    add_choice(
        parser,
        "--stage2-se",
        ("model", "bootstrap"),
        "standard errors of the SFA stage 2: the model's (inverse Hessian; none "
        "when gamma is on a bound) or a bootstrap resampling units",
    )
    parser.add_argument(
        "--n-boot",
        type=int_option(10),
        default=199,
        help="bootstrap replications (default: 199)",
    )
    parser.add_argument(
        "--seed", type=int_option(0), default=0, help="bootstrap seed (default: 0)"
    )
    parser.add_argument(
        "--n-jobs",
        type=int_option(-1),
        default=1,
        help="worker processes for the bootstrap (default 1; -1: one per core)",
    )
    add_flag(parser, "--decompose", "also report TE, PTE and SE")
    add_output_arg(
        parser, "output .xlsx or folder of CSVs", "three_stage.xlsx", short=False
    )


def _run(args: argparse.Namespace) -> int:
    from ..efficiency.three_stage import three_stage, three_stage_dimensions
    from ..errors import DataError
    from ..results import Results
    from ._common import read_panel_args, split_list, write_results

    data = read_panel_args(args)
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
        "stage2": args.stage2,
        "stage2_se": args.stage2_se,
        "n_boot": args.n_boot,
        "seed": args.seed,
        "n_jobs": args.n_jobs,
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
        runs = three_stage_dimensions(data, dimensions=dimensions, **options)
        print(
            runs.levels.groupby(args.time).mean(numeric_only=True).round(4).to_string()
        )
        for note in sorted(set(runs.environment_effects["note"]) - {""}):
            print(f"note: {note}")
        res = runs
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
        effects = single.environment_effects
        print(effects[["estimate", "std_error", "p", "boundary"]].to_string())
        for note in sorted(set(effects["note"]) - {""}):
            print(f"note: {note}")
        print(single.stage2.drop(columns=["warnings"], errors="ignore").to_string())
        res = single
    return write_results(res, args.output, stem="three_stage")


def parse_dimension(text: str) -> tuple[str, dict[str, list[str]]]:
    """Parse ``name:in1,in2:out1[:bad1,bad2]`` into a dimension spec.

    Examples
    --------
    >>> name, spec = parse_dimension("energy:energy,labor:gdp:so2")
    >>> name, spec["inputs"], spec["bad_outputs"]
    ('energy', ['energy', 'labor'], ['so2'])
    """
    from ..errors import DataError
    from ._common import split_list

    parts = text.split(":")
    if len(parts) not in (3, 4) or not parts[0].strip():
        raise DataError(
            f"--dimension {text!r}: expected name:inputs:outputs[:bad_outputs], e.g. "
            "energy:energy,labor:gdp:so2"
        )
    spec = {"inputs": split_list(parts[1]), "outputs": split_list(parts[2])}
    spec["bad_outputs"] = split_list(parts[3]) if len(parts) == 4 else []
    return parts[0].strip(), spec


add_parser = command(
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
    arguments=_arguments,
    handler=_run,
)
