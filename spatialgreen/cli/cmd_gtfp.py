"""``spatialgreen gtfp``: efficiency scores (DEA/SBM/EBM/DDF) and GTFP indices."""

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

__all__ = ["add_parser"]

_ORIENTATIONS = ("non", "input", "output", "directional")


def _arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``spatialgreen gtfp``."""
    add_panel_args(parser)
    parser.add_argument("--inputs", required=True, help="comma-separated input columns")
    parser.add_argument("--outputs", required=True, help="comma-separated good outputs")
    parser.add_argument("--bad-outputs", default="", help="comma-separated bad outputs")
    add_choice(
        parser,
        "--model",
        ("dea", "sbm", "ebm", "ddf"),
        "distance function (default: sbm)",
        default="sbm",
    )
    add_choice(
        parser,
        "--rts",
        ("crs", "vrs", "nirs", "ndrs"),
        "returns to scale (default: crs)",
    )
    parser.add_argument(
        "--orientation",
        choices=_ORIENTATIONS,
        default=None,
        help="default: input (dea), non (sbm, ebm), directional (ddf)",
    )
    add_choice(
        parser,
        "--technology",
        ("contemporaneous", "sequential", "window", "global"),
        "reference technology (default: contemporaneous)",
    )
    parser.add_argument("--window", type=int_option(1), help="window width")
    add_choice(
        parser,
        "--index",
        ("malmquist", "ml", "gml"),
        "compute a productivity index (needs --time)",
        default=None,
    )
    add_flag(parser, "--super", "super-efficiency scores")
    add_choice(
        parser,
        "--on-infeasible",
        ("nan", "one_base"),
        "infeasible mixed-period LPs in ML (default: nan)",
    )
    parser.add_argument(
        "--n-jobs",
        type=_jobs,
        default=1,
        help="worker processes (default 1; -1: one per core)",
    )
    add_flag(parser, "--no-progress", "hide the progress bar")
    add_output_arg(
        parser,
        "output .xlsx (all tables), .csv (main table) or folder of CSVs",
        "gtfp.xlsx",
    )


def _jobs(text: str) -> int:
    """``--n-jobs``: a non-zero integer (joblib's convention: -1 is every core)."""
    jobs = int_option()(text)
    if jobs == 0:
        raise argparse.ArgumentTypeError("must be a non-zero integer, got '0'")
    return jobs


def _run(args: argparse.Namespace) -> int:
    from .. import efficiency
    from ..errors import ModelError
    from ._common import read_panel_args, split_list, write_results

    if args.on_infeasible != "nan" and args.index not in ("ml", "malmquist"):
        raise ModelError(
            "--on-infeasible applies only to --index ml or malmquist (mixed-period "
            "LPs); it would be ignored here"
        )
    data = read_panel_args(args)
    orientation = args.orientation or {"dea": "input", "ddf": "directional"}.get(
        args.model, "non"
    )
    common = {
        "inputs": split_list(args.inputs),
        "outputs": split_list(args.outputs),
        "bad_outputs": split_list(args.bad_outputs),
        "unit": args.unit,
        "rts": args.rts,
        "orientation": orientation,
        "window": args.window,
        "super_efficiency": args.super,
        "n_jobs": args.n_jobs,
        "progress": False if args.no_progress else None,
    }
    if args.index:
        if args.time is None:
            raise ModelError("--index needs the --time column")
        if args.technology == "global":
            raise ModelError("use --index gml for the global technology")
        results = efficiency.productivity_index(
            data,
            model=args.model,
            index=args.index,
            time=args.time,
            technology=args.technology,
            on_infeasible=args.on_infeasible,
            **common,
        )
        stem = args.index
    else:
        model = getattr(efficiency, args.model)
        results = model(data, time=args.time, technology=args.technology, **common)
        stem = args.model
    return write_results(results, args.output, stem=stem)


add_parser = command(
    "gtfp",
    help="efficiency scores and green TFP indices (DEA, SBM, EBM, DDF; ML, GML)",
    description=(
        "Frontier efficiency with undesirable outputs: radial DEA, SBM (Tone), "
        "EBM (Tone & Tsutsui) or directional distance function, optionally with "
        "super-efficiency; with --index, the Malmquist, Malmquist-Luenberger or "
        "global ML productivity index with its EC/TC decomposition and a "
        "cumulative (chain-linked) level."
    ),
    example=(
        "spatialgreen gtfp provinces.csv --unit province --time year "
        "--inputs labor,capital,energy --outputs gdp --bad-outputs so2,cod "
        "--model ebm --super --index gml -o gtfp.xlsx"
    ),
    arguments=_arguments,
    handler=_run,
)
