"""``spatialgreen sfa``: stochastic production and cost frontiers (as FRONTIER 4.1)."""

from __future__ import annotations

import argparse

from ._common import (
    add_choice,
    add_flag,
    add_input_args,
    add_match_arg,
    add_output_arg,
    command,
)

__all__ = ["add_parser"]


def _arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``spatialgreen sfa``."""
    add_input_args(parser)
    parser.add_argument("--unit", help="unit column (bc92: required)")
    parser.add_argument("--time", help="time column (bc92: required)")
    add_match_arg(parser)
    parser.add_argument("--y", required=True, help="output (or cost) column")
    parser.add_argument("--x", required=True, help="comma-separated regressors")
    add_choice(parser, "--model", ("cross", "bc92", "bc95"), "model")
    add_choice(
        parser,
        "--dist",
        ("half-normal", "truncated-normal"),
        "distribution of inefficiency (cross, bc92)",
    )
    add_flag(
        parser,
        "--time-invariant",
        "bc92 with eta fixed at 0: u_it = u_i (Pitt-Lee / FRONTIER without time "
        "effect)",
    )
    parser.add_argument("--z", help="bc95 inefficiency variables")
    add_choice(parser, "--form", ("cobb-douglas", "translog"))
    add_flag(parser, "--cost", "cost frontier")
    add_flag(parser, "--no-log", "data are already in logs (or linear)")
    add_output_arg(
        parser, "output .xlsx, .csv or folder of CSVs", "sfa.xlsx", short=False
    )


def _run(args: argparse.Namespace) -> int:
    import warnings

    from .._io import read_table
    from ..efficiency.sfa import sfa
    from ..errors import SpatialGreenWarning
    from ._common import (
        read_panel_args,
        relayed_warnings,
        said_before,
        split_list,
        write_results,
    )

    if args.unit:
        data = read_panel_args(args)
    elif args.match:
        from ..errors import DataError

        raise DataError("--match needs --unit, the column of unit names")
    else:
        data = read_table(args.path, sheet=args.sheet)
        data.columns = [str(c).strip() for c in data.columns]
    with relayed_warnings() as shown:
        res = sfa(
            data,
            y=args.y,
            x=split_list(args.x),
            model=args.model,
            dist=args.dist,
            eta=not args.time_invariant,
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
    for note in res.warnings:  # the estimation notes not warned about already
        if not said_before(note, shown):
            warnings.warn(note, SpatialGreenWarning, stacklevel=1)
    return write_results(res, args.output, stem="sfa")


add_parser = command(
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
    arguments=_arguments,
    handler=_run,
)
