"""``spatialgreen converge``: σ, β (and spatial β), club convergence and inequality."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from ._common import (
    add_choice,
    add_flag,
    add_group_arg,
    add_output_arg,
    add_panel_args,
    command,
    int_option,
)

__all__ = ["ANALYSES", "add_parser"]

ANALYSES = ("sigma", "beta", "spatial", "club", "theil", "dagum", "kde", "markov")


def _arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``spatialgreen converge``."""
    add_panel_args(parser, time_required=True, column="variable to analyse")
    parser.add_argument(
        "--what",
        default="sigma,beta",
        help=f"comma-separated, among {', '.join(ANALYSES)} (default: sigma,beta)",
    )
    add_group_arg(parser, "Theil, Dagum, sigma")
    parser.add_argument("--start", type=float, help="first period for beta")
    parser.add_argument("--end", type=float, help="last period for beta")
    parser.add_argument("--controls", help="comma-separated controls for beta")
    add_flag(parser, "--panel", "panel (two-way FE) instead of cross-section")
    add_flag(parser, "--robust", "HC1 SEs (cross-section)")
    parser.add_argument(
        "--ddof", type=int_option(0), default=0, help="sd degrees of freedom (0)"
    )
    parser.add_argument(
        "--weights",
        help="spatial weights file (.gal, .gwt or .csv edge list) for spatial",
    )
    add_choice(parser, "--model", ("sem", "sar", "sdm"), "spatial model")
    parser.add_argument(
        "--classes", type=int_option(2), default=4, help="Markov classes (4)"
    )
    add_output_arg(
        parser, "output .xlsx or folder of CSVs", "convergence.xlsx", short=False
    )


def _period(value: float | None, periods: tuple) -> object:
    if value is None:
        return None
    for p in periods:
        if float(p) == value:
            return p
    from ..errors import DataError

    raise DataError(f"period {value:g} is not in the data")


def _run(args: argparse.Namespace) -> int:
    from ..errors import DataError
    from ..panel import validate_panel
    from ..report import write_named_tables
    from ._common import group_from_args, print_written, read_panel_args, split_list

    what = split_list(args.what)
    unknown = [w for w in what if w not in ANALYSES]
    if unknown:
        raise DataError(
            f"unknown analyses {unknown}; choose among {', '.join(ANALYSES)}"
        )
    data, args.group = group_from_args(read_panel_args(args), args)
    periods = validate_panel(data, unit=args.unit, time=args.time).periods
    args.start_period = _period(args.start, periods)
    args.end_period = _period(args.end, periods)
    tables: dict = {}
    for name in what:
        tables.update(_ANALYSE[name](data, args))
    print_written(write_named_tables(tables, args.output))
    return 0


def _sigma(data: Any, args: argparse.Namespace) -> dict:
    from ..convergence import sigma, sigma_trend

    table = sigma(data, args.column, time=args.time, ddof=args.ddof)
    out = {"sigma": table, "sigma_trend": sigma_trend(table, time=args.time)}
    if args.group:
        out["sigma_by_group"] = sigma(
            data, args.column, time=args.time, group=args.group, ddof=args.ddof
        )
    return out


def _beta(data: Any, args: argparse.Namespace) -> dict:
    from ..convergence import beta

    cov_type = "HC1" if args.robust and not args.panel else "nonrobust"
    res = beta(data, args.column, cov_type=cov_type, **_beta_options(args))
    return {"beta": res.estimates_frame()}


def _beta_options(args: argparse.Namespace) -> dict[str, Any]:
    """The options beta and spatial beta share."""
    from ._common import split_list

    return {
        "unit": args.unit,
        "time": args.time,
        "start": args.start_period,
        "end": args.end_period,
        "controls": split_list(args.controls),
        "kind": "panel" if args.panel else "cross-section",
    }


def _spatial(data: Any, args: argparse.Namespace) -> dict:
    from ..convergence import spatial_beta
    from ..errors import DataError
    from ..geo.weights import read_weights

    if not args.weights:
        raise DataError("spatial beta needs --weights (a .gal, .gwt or .csv file)")
    w = read_weights(args.weights)
    res = spatial_beta(data, args.column, w=w, model=args.model, **_beta_options(args))
    out = {"spatial_beta": res.estimates_frame()}
    if res.impacts is not None:
        out["spatial_beta_impacts"] = res.impacts.reset_index()
    return out


def _club(data: Any, args: argparse.Namespace) -> dict:
    from ..convergence import club

    res = club(data, args.column, unit=args.unit, time=args.time)
    return {"clubs": res.clubs, "club_tests": res.tests}


def _theil(data: Any, args: argparse.Namespace) -> dict:
    from ..convergence import theil

    res = theil(data, args.column, group=args.group, time=args.time)
    out = {"theil": res.totals}
    if not res.groups.empty:
        out["theil_groups"] = res.groups
    return out


def _dagum(data: Any, args: argparse.Namespace) -> dict:
    from ..convergence import dagum_gini
    from ..errors import DataError

    if not args.group:
        raise DataError("the Dagum Gini decomposition needs --group")
    res = dagum_gini(data, args.column, group=args.group, time=args.time)
    return {
        "dagum": res.totals,
        "dagum_within": res.within,
        "dagum_between": res.between,
    }


def _kde(data: Any, args: argparse.Namespace) -> dict:
    from ..convergence import kernel_density

    return {"kernel_density": kernel_density(data, args.column, time=args.time)}


def _markov(data: Any, args: argparse.Namespace) -> dict:
    from ..convergence import markov

    res = markov(data, args.column, unit=args.unit, time=args.time, k=args.classes)
    return {"markov": res.transitions, "markov_steady_state": res.steady_state}


_ANALYSE: dict[str, Callable[[Any, argparse.Namespace], dict]] = {
    "sigma": _sigma,
    "beta": _beta,
    "spatial": _spatial,
    "club": _club,
    "theil": _theil,
    "dagum": _dagum,
    "kde": _kde,
    "markov": _markov,
}


add_parser = command(
    "converge",
    help="sigma/beta/spatial-beta/club convergence, Theil and Dagum Gini",
    description=(
        "Convergence and inequality of one variable across units: sigma "
        "(CV and sd of logs by year), beta (cross-section OLS or two-way FE panel, "
        "with speed and half-life), spatial beta (needs --weights), Phillips-Sul "
        "clubs, Theil and Dagum Gini decompositions by --group, kernel densities "
        "and Markov transition matrices. Choose with --what."
    ),
    example=(
        "spatialgreen converge provinces.csv --unit province --time year "
        "--column gtfp --what sigma,beta,dagum --group region --output conv.xlsx"
    ),
    arguments=_arguments,
    handler=_run,
    options={"k": "--classes", "model": "--model"},
)
