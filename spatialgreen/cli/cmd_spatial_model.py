"""``spatialgreen spatial-model``: spatial lag, error and Durbin models."""

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


def _arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``spatialgreen spatial-model``."""
    add_panel_args(parser, weights=True)
    parser.add_argument("--y", required=True, help="dependent variable")
    parser.add_argument("--x", required=True, help="regressors, comma-separated")
    add_choice(parser, "--model", ("sar", "sem", "sdm", "slx", "ols"))
    add_choice(
        parser,
        "--effects",
        ("unit", "time", "twoway"),
        "fixed effects of panel models (default: unit, as spatial_panel)",
    )
    add_flag(parser, "--lee-yu", "Lee-Yu (2010) bias correction (panel)")
    parser.add_argument(
        "--year", help="fit a cross-section: keep only this value of --time"
    )
    parser.add_argument(
        "--draws",
        type=int_option(0),
        default=1000,
        help="draws for the effects' standard errors (default 1000; 0: none)",
    )
    parser.add_argument(
        "--seed", type=int_option(0), default=0, help="seed of the draws"
    )
    add_output_arg(parser, "output folder or .xlsx file", "spatial_model")


def _run(args: argparse.Namespace) -> int:
    from ..errors import ModelError
    from ..spatial import spatial_panel, spatial_regression
    from ._common import read_panel_args, split_list, weights_from_args, write_results

    x = split_list(args.x)
    data = read_panel_args(args, args.y, *x)
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
    return write_results(result, args.output, stem=f"{args.model}")


add_parser = command(
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
    arguments=_arguments,
    handler=_run,
    options={"kind": "--weights"},
)
