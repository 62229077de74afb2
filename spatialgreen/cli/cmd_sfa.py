"""``spatialgreen sfa``: stochastic production and cost frontiers (as FRONTIER 4.1)."""

from __future__ import annotations

import argparse

from ._common import (
    add_command,
    add_input_args,
    add_output_arg,
    print_written,
    split_list,
    write_outputs,
)

__all__ = ["add_parser"]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``spatialgreen sfa``."""
    parser = add_command(
        subparsers,
        "sfa",
        help="stochastic frontier: cross-section, Battese-Coelli 1992 and 1995",
        description=(
            "Estimate a stochastic production (or --cost) frontier by maximum "
            "likelihood, in FRONTIER 4.1's parameterisation (beta, sigma2, gamma, mu, "
            "eta, delta), with unit-by-period efficiency (te_bc = E[exp(-u)|e] as "
            "FRONTIER prints, te_jlms = exp(-E[u|e])) and the one-sided LR test of no "
            "inefficiency with Kodde-Palm critical values. Data in levels are logged "
            "unless --no-log."
        ),
        example=(
            "spatialgreen sfa provinces.csv --y gdp --x labor,capital,energy "
            "--model bc92 --unit province --time year --output sfa.xlsx"
        ),
    )
    add_input_args(parser)
    parser.add_argument("--unit", default=None, help="unit column (bc92: required)")
    parser.add_argument("--time", default=None, help="time column (bc92: required)")
    parser.add_argument("--y", required=True, help="output (or cost) column")
    parser.add_argument("--x", required=True, help="comma-separated regressors")
    parser.add_argument(
        "--model", choices=("cross", "bc92", "bc95"), default="cross", help="model"
    )
    parser.add_argument(
        "--dist",
        choices=("half-normal", "truncated-normal"),
        default="half-normal",
        help="distribution of inefficiency (cross, bc92)",
    )
    parser.add_argument("--z", default=None, help="bc95 inefficiency variables")
    parser.add_argument(
        "--form", choices=("cobb-douglas", "translog"), default="cobb-douglas"
    )
    parser.add_argument("--cost", action="store_true", help="cost frontier")
    parser.add_argument(
        "--no-log", action="store_true", help="data are already in logs (or linear)"
    )
    add_output_arg(
        parser,
        default="sfa.xlsx",
        help="output .xlsx, .csv or folder of CSVs",
        short=False,
    )
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from .._io import read_table
    from ..efficiency.sfa import sfa
    from ..panel import read_panel

    if args.unit:
        data = read_panel(args.path, unit=args.unit, time=args.time, sheet=args.sheet)
    else:
        data = read_table(args.path, sheet=args.sheet)
        data.columns = [str(c).strip() for c in data.columns]
    res = sfa(
        data,
        y=args.y,
        x=split_list(args.x),
        model=args.model,
        dist=args.dist,
        z=split_list(args.z) or None,
        unit=args.unit,
        time=args.time,
        form=args.form,
        cost=args.cost,
        log=not args.no_log,
    )
    print(res.coefficients.round(6).to_string())
    lr = res.lr_test.iloc[0]
    print(
        f"log-likelihood {res.loglik:.6f} (OLS {res.loglik_ols:.6f}); "
        f"LR {lr['statistic']:.4f}, Kodde-Palm 5% {lr['critical_value_5pct']}; "
        f"mean te_bc {res.mean_efficiency:.5f}; converged: {res.converged}"
    )
    for note in res.warnings:
        print(f"warning: {note}")
    print_written(write_outputs(res, args.output, stem="sfa"))
    return 0
