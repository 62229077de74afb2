"""``spatialgreen prepare``: yearbook-shaped table → prepared panel with flags.

Each step option is one call of :mod:`spatialgreen.prepare`; steps run in the order
given on the command line and may be repeated. A step's value is a list of
comma-separated items: column names (``a:b`` is shorthand for two names, and a
name may contain ``=`` as in ``指数(上年=100)``) and
``key=value`` settings, e.g. ``--deflate GDP:CPI,kind=previous-year,base=2005``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

from ._common import (
    add_output_arg,
    add_panel_args,
    command,
    print_written,
    read_panel_args,
)

__all__ = ["STEPS", "add_parser"]

#: step option → (positional roles, allowed settings, help)
STEPS: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    "interpolate": (
        ("columns",),
        (),
        "COLS: linear interpolation within each unit (see --extrapolate, "
        "--complete-years); adds <col>_imputed flags",
    ),
    "fill-unit-mean": (("columns",), (), "COLS: fill gaps with the unit's mean"),
    "fill-year-mean": (("columns",), (), "COLS: fill gaps with the year's mean"),
    "chain": (
        ("index",),
        ("base", "out"),
        "INDEX[,base=YEAR][,out=NAME]: previous-year=100 index → fixed-base "
        "(default out <index>_fixed, base: first year)",
    ),
    "rebase": (
        ("index",),
        ("base", "out"),
        "INDEX,base=YEAR[,out=NAME]: rebase a fixed-base index to YEAR = 100",
    ),
    "deflate": (
        ("value", "index"),
        ("kind", "base", "out"),
        "VALUE:INDEX[,kind=fixed-base|previous-year][,base=YEAR][,out=NAME]: "
        "constant prices (default out <value>_real)",
    ),
    "real-gdp": (
        ("gdp", "index"),
        ("kind", "base", "out"),
        "GDP:INDEX[,kind=previous-year|fixed-base][,base=YEAR][,out=NAME]: real "
        "GDP = base-year nominal GDP × chained GDP index",
    ),
    "capital": (
        (),
        ("investment", "price", "delta", "base", "years", "kind", "price_base", "out"),
        "investment=I[,price=P],delta=D[,base=hall-jones|zhang][,years=K]"
        "[,kind=fixed-base|previous-year][,price_base=YEAR][,out=NAME]: "
        "perpetual-inventory capital stock (default out capital)",
    ),
    "per-capita": (
        ("value", "population"),
        ("scale", "out"),
        "VALUE:POP[,scale=S][,out=NAME]: S × value / population",
    ),
    "growth": (
        ("column",),
        ("kind", "periods", "out"),
        "COL[,kind=simple|log][,periods=P][,out=NAME]: growth rate by year",
    ),
    "location-quotient": (
        ("sector", "total"),
        ("national_sector", "national_total", "out"),
        "SECTOR:TOTAL[,out=NAME]: location quotient against the panel's sum",
    ),
    "specialisation": (
        ("industries",),
        ("out",),
        "IND1,IND2,...[,out=NAME]: Ezcurra et al. specialisation index",
    ),
    "diversification": (
        ("industries",),
        ("out",),
        "IND1,IND2,...[,out=NAME]: inverse-Herfindahl diversification index",
    ),
    "krugman": (
        ("industries",),
        ("out",),
        "IND1,IND2,...[,out=NAME]: Krugman specialisation index",
    ),
    "structure-ratio": (
        ("secondary", "tertiary"),
        ("out",),
        "VA2:VA3[,out=NAME]: tertiary / secondary value added",
    ),
    "advanced-structure": (
        ("primary", "secondary", "tertiary"),
        ("method", "out"),
        "VA1:VA2:VA3[,method=level|angle][,out=NAME]: advanced-structure index",
    ),
}

_EXAMPLE = (
    "spatialgreen prepare yearbook.csv --unit 地区 --time 年份 "
    "--interpolate 投资,GDP --chain 投资价格指数,base=2005,out=P_inv "
    "--capital investment=投资,price=P_inv,delta=0.096,base=zhang "
    "--real-gdp GDP:GDP指数,base=2005 -o prepared.xlsx"
)


class _Step(argparse.Action):
    """Append ``(option, value)`` to ``namespace.steps`` to keep the given order."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        steps = list(getattr(namespace, "steps", None) or [])
        steps.append((self.dest.replace("_", "-"), str(values)))
        namespace.steps = steps


def _arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``spatialgreen prepare``."""
    add_panel_args(parser, time_required=True)
    parser.add_argument(
        "--wide",
        metavar="VALUE",
        default=None,
        help="the table is wide (units in rows, years as columns: 2010 or 2010年); "
        "VALUE names the variable of the long panel",
    )
    steps = parser.add_argument_group("steps (in command-line order)")
    for name, (_, _, text) in STEPS.items():
        steps.add_argument(
            f"--{name}",
            dest=name.replace("-", "_"),
            action=_Step,
            metavar="SPEC",
            help=text,
        )
    parser.add_argument(
        "--extrapolate",
        action="store_true",
        help="let --interpolate prolong lines beyond a unit's observed years",
    )
    parser.add_argument(
        "--complete-years",
        action="store_true",
        help="let imputation steps first insert rows for years absent inside a "
        "unit's span (flagged like other filled cells)",
    )
    parser.add_argument(
        "--report", default=None, help="write the filled cells to this .csv/.xlsx"
    )
    add_output_arg(parser, help="prepared panel: .csv or .xlsx")
    parser.set_defaults(steps=None)


def _spec(option: str, value: str) -> tuple[list[str], dict[str, str]]:
    """Column names and settings of one step's value, checked against STEPS."""
    from ..errors import DataError

    roles, keys, _ = STEPS[option]
    names: list[str] = []
    settings: dict[str, str] = {}
    for item in (p.strip() for p in value.split(",")):
        if not item:
            continue
        key, eq, val = item.partition("=")
        key = key.strip().replace("-", "_")
        if eq and (key in keys or key in roles):
            settings[key] = val.strip()
        elif "=" in item and not roles:  # e.g. a mistyped capital setting
            allowed = ", ".join(keys)
            raise DataError(f"unknown setting {item!r} (allowed: {allowed})")
        else:  # a column name, possibly with '=' as in 指数(上年=100)
            names.extend(n.strip() for n in item.split(":") if n.strip())
    lists = roles in {("columns",), ("industries",)}
    if lists:
        names.extend(n for n in settings.pop(roles[0], "").split(":") if n)
        if not names:
            raise DataError("give at least one column")
        return names, settings
    for role in roles:
        if role in settings:
            names.append(settings.pop(role))
    if not roles and names:
        raise DataError(f"takes only key=value settings, got {names}")
    if len(names) != len(roles):
        want = ":".join(r.upper() for r in roles)
        raise DataError(f"expected {want}, got {value!r}")
    return names, settings


def _number(key: str, text: str | None, cast: Callable[[str], Any]) -> Any:
    from ..errors import DataError

    if text is None:
        return None
    try:
        return cast(text)
    except ValueError:
        raise DataError(f"{key}={text!r} is not a number") from None


def _run(args: argparse.Namespace) -> int:
    import pandas as pd

    from .._io import read_table, write_table, write_tables
    from ..errors import DataError, OptionError
    from ..panel import unify_units
    from ..prepare import wide_to_long

    if not args.steps:
        raise DataError(
            "no step given; add at least one of " + ", ".join(f"--{s}" for s in STEPS)
        )
    if args.wide:
        table = read_table(args.path, sheet=args.sheet)
        data = wide_to_long(table, unit=args.unit, value=args.wide, time=args.time)
        if args.match:
            data = unify_units(data, unit=args.unit, level=args.match, time=args.time)
    else:
        data = read_panel_args(args)
    reports: list[pd.DataFrame] = []
    for option, value in args.steps:
        try:
            names, settings = _spec(option, value)
            data, line = _apply(option, names, settings, data, args, reports)
        except (DataError, OptionError) as exc:
            raise type(exc)(f"--{option} {value}: {exc}") from exc
        print(f"{option}: {line}")
    written = [write_table(data, args.output)]
    report = pd.concat(reports, ignore_index=True) if reports else None
    if report is not None and args.output.lower().endswith(".xlsx"):
        written = [write_tables({"data": data, "imputed": report}, args.output)]
    if args.report:
        if report is None:
            report = pd.DataFrame(
                columns=[args.unit, args.time, "column", "method", "value"]
            )
        written.append(write_table(report, args.report))
    print_written(written)
    return 0


add_parser = command(
    "prepare",
    help="yearbook table → panel: impute, deflate, capital stock, indices",
    description=(
        "Prepare a yearbook-shaped panel (long: one row per unit and year; or "
        "--wide: units in rows, one column per year) for the models. Steps run "
        "in the order given and may be repeated; each adds new columns (never "
        "overwrites one) and prints one line. Imputed cells get <col>_imputed "
        "flags; the list of filled cells goes to --report or to an 'imputed' "
        "sheet of an .xlsx output. Values are comma-separated items: column "
        "names ('a:b' names two) and key=value settings."
    ),
    example=_EXAMPLE,
    arguments=_arguments,
    handler=_run,
)


def _add(data: Any, series: Any, option: str) -> tuple[Any, str]:
    """``data`` with the new column; an existing column is an error, never replaced."""
    from ..errors import DataError

    if series.name in data.columns:
        raise DataError(f"column {series.name!r} already exists; pass out=NEW_NAME")
    out = data.copy()
    out[series.name] = series
    return out, str(series.name)


def _apply(
    option: str,
    names: list[str],
    settings: dict[str, str],
    data: Any,
    args: argparse.Namespace,
    reports: list,
) -> tuple[Any, str]:
    from .. import prepare as pp

    keys = {"unit": args.unit, "time": args.time}
    out = settings.get("out")
    base = None
    if option != "capital":
        base = _number("base", settings.get("base"), int)
    if option in {"interpolate", "fill-unit-mean", "fill-year-mean"}:
        method = {"interpolate": "linear", "fill-unit-mean": "unit-mean"}.get(
            option, "year-mean"
        )
        res = pp.impute(
            data,
            names,
            method=method,  # type: ignore[arg-type]
            extrapolate=args.extrapolate and method == "linear",
            complete_years=args.complete_years,
            warn=False,
            **keys,
        )
        reports.append(res.report)
        left = f"; {len(res.unfilled)} cells still missing" if len(res.unfilled) else ""
        return (
            res.data,
            f"filled {res.n_filled} cells of {', '.join(names)} ({method}){left}",
        )
    if option == "chain":
        s = pp.chain_index(data, names[0], base_year=base, name=out, **keys)
        data, col = _add(data, s, option)
        return data, f"{names[0]} (previous year = 100) -> {col}"
    if option == "rebase":
        if base is None:
            from ..errors import DataError

            raise DataError("give base=YEAR")
        s = pp.rebase_index(data, names[0], base_year=base, name=out, **keys)
        data, col = _add(data, s, option)
        return data, f"{names[0]} -> {col} ({base} = 100)"
    if option in {"deflate", "real-gdp"}:
        to_real: Any = pp.deflate if option == "deflate" else pp.real_gdp
        kind = settings.get(
            "kind", "fixed-base" if option == "deflate" else "previous-year"
        )
        s = to_real(
            data, names[0], names[1], index_kind=kind, base_year=base, name=out, **keys
        )
        data, col = _add(data, s, option)
        return data, f"{names[0]} / {names[1]} ({kind}) -> {col}"
    if option == "capital":
        return _capital(settings, data, keys)
    if option == "per-capita":
        scale = _number("scale", settings.get("scale"), float) or 1.0
        s = pp.per_capita(data, names[0], names[1], scale=scale, name=out, **keys)
        data, col = _add(data, s, option)
        return data, f"{names[0]} per {names[1]} -> {col}"
    if option == "growth":
        periods = _number("periods", settings.get("periods"), int) or 1
        kind = settings.get("kind", "simple")
        s = pp.growth_rate(data, names[0], kind=kind, periods=periods, name=out, **keys)  # type: ignore[arg-type]
        data, col = _add(data, s, option)
        return data, f"{kind} growth of {names[0]} over {periods} year(s) -> {col}"
    if option == "location-quotient":
        s = pp.location_quotient(
            data,
            names[0],
            names[1],
            national_sector=settings.get("national_sector"),
            national_total=settings.get("national_total"),
            name=out,
            **keys,
        )
        data, col = _add(data, s, option)
        return data, f"{names[0]} in {names[1]} -> {col}"
    if option in {"specialisation", "diversification", "krugman"}:
        index: Any = {
            "specialisation": pp.specialisation_index,
            "diversification": pp.diversification_index,
            "krugman": pp.krugman_index,
        }[option]
        s = index(data, names, name=out or option, **keys)
        data, col = _add(data, s, option)
        return data, f"{len(names)} industries -> {col}"
    if option == "structure-ratio":
        s = pp.structure_ratio(
            data, names[0], names[1], name=out or "structure_ratio", **keys
        )
        data, col = _add(data, s, option)
        return data, f"{names[1]} / {names[0]} -> {col}"
    method = settings.get("method", "level")
    s = pp.advanced_structure_index(data, *names, method=method, name=out, **keys)  # type: ignore[arg-type]
    data, col = _add(data, s, option)
    return data, f"{method} index of {', '.join(names)} -> {col}"


def _capital(
    settings: dict[str, str], data: Any, keys: dict[str, str]
) -> tuple[Any, str]:
    from .. import prepare as pp
    from ..errors import DataError

    for need in ("investment", "delta"):
        if need not in settings:
            raise DataError(f"give {need}=...")
    delta = _number("delta", settings["delta"], float)
    years = _number("years", settings.get("years"), int) or 5
    price_base = _number("price_base", settings.get("price_base"), int)
    res = pp.capital_stock(
        data,
        settings["investment"],
        settings.get("price"),
        delta=delta,
        base=settings.get("base", "hall-jones"),  # type: ignore[arg-type]
        growth_years=years,
        price_kind=settings.get("kind", "fixed-base"),  # type: ignore[arg-type]
        price_base_year=price_base,
        unit=keys["unit"],
        time=keys["time"],
    )
    s = res.column(data, **keys).rename(settings.get("out", "capital"))
    data, col = _add(data, s, "capital")
    rule = res.meta["base"]
    return data, f"perpetual inventory, delta={delta:g}, base stock {rule} -> {col}"
