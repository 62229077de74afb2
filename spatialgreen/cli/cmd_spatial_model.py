"""``spatialgreen spatial-model``: spatial lag, error and Durbin models."""

from __future__ import annotations

import argparse

from ._common import (
    add_command,
    add_output_arg,
    add_panel_args,
    add_weights_args,
    print_written,
    split_list,
    weights_from_args,
    write_outputs,
)

__all__ = ["add_parser"]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``spatialgreen spatial-model``."""
    parser = add_command(
        subparsers,
        "spatial-model",
        help="SAR / SEM / SDM (and OLS, SLX) models with LeSage-Pace effects",
        description=(
            "Fit a spatial regression by maximum likelihood. With --time the data are "
            "a balanced panel and the model has unit, time or two-way fixed effects "
            "(optionally Lee-Yu bias-corrected); without it, a cross-section (spreg). "
            "Writes coefficients, effects and diagnostics as CSV files in a folder or "
            "sheets of one .xlsx workbook."
        ),
        example=(
            "spatialgreen spatial-model panel.csv --y gtfp --x er,fdi,industry "
            "--unit adcode --time year --model sdm --effects twoway "
            "--islands nearest -o sdm.xlsx"
        ),
    )
    add_panel_args(parser)
    parser.add_argument("--y", required=True, help="dependent variable")
    parser.add_argument("--x", required=True, help="regressors, comma-separated")
    parser.add_argument(
        "--model", choices=("sar", "sem", "sdm", "slx", "ols"), default="sar"
    )
    parser.add_argument(
        "--effects",
        choices=("unit", "time", "twoway"),
        default="unit",
        help="fixed effects of panel models (default: unit, as spatial_panel)",
    )
    parser.add_argument(
        "--lee-yu", action="store_true", help="Lee-Yu (2010) bias correction (panel)"
    )
    parser.add_argument(
        "--year",
        default=None,
        help="fit a cross-section: keep only this value of --time",
    )
    parser.add_argument("--draws", type=int, default=1000, help="draws for effect SEs")
    parser.add_argument("--seed", type=int, default=0)
    add_output_arg(parser, default="spatial_model", help="output folder or .xlsx file")
    add_weights_args(parser)
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from .._io import register_input
    from ..errors import ModelError
    from ..panel import read_panel
    from ..spatial import spatial_panel, spatial_regression

    x = split_list(args.x)
    register_input(args.path)
    data = read_panel(
        args.path,
        unit=args.unit,
        time=args.time,
        columns=[args.y, *x],
        sheet=args.sheet,
    )
    time = args.time
    if args.year is not None:
        if not time:
            raise ModelError("--year needs --time (the period column)")
        data = data[data[time].astype(str) == str(args.year)]
        if data.empty:
            raise ModelError(f"no rows with {time} == {args.year}")
        time = None
    w = weights_from_args(args, list(dict.fromkeys(data[args.unit])))
    common = {
        "y": args.y,
        "x": x,
        "w": w,
        "unit": args.unit,
        "transform": args.transform,
        "draws": args.draws,
        "seed": args.seed,
    }
    if time:
        if args.model in ("ols", "slx"):
            raise ModelError(
                "panel models are sar, sem or sdm; drop --time for ols/slx"
            )
        result = spatial_panel(
            data,
            time=args.time,
            model=args.model,
            effects=args.effects,
            lee_yu=args.lee_yu,
            **common,
        )
    else:
        result = spatial_regression(data, model=args.model, **common)
    print(result.coefficients.to_string())
    if result.impacts is not None:
        print()
        print(result.impacts[["direct", "indirect", "total"]].to_string())
    print_written(write_outputs(result, args.output, stem=f"{args.model}"))
    return 0
