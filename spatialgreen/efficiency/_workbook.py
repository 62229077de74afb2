"""Workbooks of efficiency and productivity results that a MaxDEA user reads at once.

The tidy ``to_excel`` of a result is for machines (long tables, one row per unit
and year). :func:`efficiency_workbook` and :func:`productivity_workbook` write
what a person looks for, laid out as MaxDEA and DEAP show it:

- unit names (Chinese and English, from spatialgreen's shipped unit list) beside
  the units when they are adcodes or names that match Chinese provinces or
  cities, and a grouping column (east/central/west by default for such units);
- efficiency: score and rank, a unit × year sheet with means by unit, by group and
  over all units, benchmarks written ``peer(λ)``, slacks and projections;
- productivity: one sheet per component (the index, EC, TC, PECH/SECH, BPC where
  present) unit × period with geometric means by unit, by group and over all
  units, the cumulative index, and DEAP-style summaries by period and by unit;
- number formats, column widths from the contents, bold frozen headers; a
  ``Notes`` sheet says what every sheet holds and records the run's metadata.

Means of efficiency scores are arithmetic; means of productivity indices are
geometric (they are ratios: the mean of 2 and 1/2 is 1). Both use the values
present (an infeasible LP leaves a blank cell), and say so with a warning.
Text never becomes a formula: formula-like text (:func:`spatialgreen._io.formula_like`)
is stored as a quote-prefixed text cell, as the shared writer does.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._io import atomic_write, formula_like
from ..errors import DataError, ModelError, SpatialGreenWarning
from ._workbook_units import WorkbookUnits

__all__ = ["efficiency_workbook", "geometric_mean", "productivity_workbook"]

# ``res`` below is an EfficiencyResults or ProductivityResults, typed ``Any``: those
# classes call these writers, so importing them here would make an import cycle.

SCORE_FORMAT, AMOUNT_FORMAT, INT_FORMAT = "0.0000", "#,##0.0000", "0"
_COMPONENTS = (
    ("ec", "EC"),
    ("tc", "TC"),
    ("pech", "PECH"),
    ("sech", "SECH"),
    ("bpc", "BPC"),
)
_INDEX_LABELS = {"malmquist": "Malmquist", "ml": "ML", "gml": "GML"}


def geometric_mean(values: Any) -> float:
    """Geometric mean of the non-missing values (NaN when there are none).

    Examples
    --------
    >>> geometric_mean([2.0, 0.5, float("nan")])
    1.0
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return float("nan")
    if (x <= 0).any():
        raise ModelError(
            "a productivity index is not positive, so it has no geometric mean: "
            f"{x[x <= 0][:5].tolist()}"
        )
    return float(np.exp(np.log(x).mean()))


# ------------------------------------------------------------------------ sheets
class _Sheet:
    """A table to write: frame, number format by column, summary rows, freeze."""

    def __init__(
        self,
        frame: pd.DataFrame,
        formats: Mapping[str, str],
        *,
        n_keys: int,
        summary_from: int | None = None,
    ) -> None:
        self.frame, self.formats, self.n_keys = frame, dict(formats), n_keys
        self.summary_from = summary_from  # first row (0-based) of the mean rows


def _matrix(
    long: pd.DataFrame,
    units: WorkbookUnits,
    value: str,
    column: str,
    *,
    mean: Any,
    mean_label: str,
    by_unit: bool = True,
    order: list[Any] | None = None,
) -> _Sheet:
    """Units × periods of ``value``, with mean column and group/all-unit mean rows."""
    wide = long.pivot(index=units.unit, columns=column, values=value)
    if order is not None:
        wide = wide[order]
    periods = list(wide.columns)
    wide = wide.reindex(units.order)
    body = units.frame().copy()
    for p in periods:
        body[p] = wide[p].to_numpy()
    if by_unit:
        body[mean_label] = [mean(r) for r in wide.to_numpy()]
    rows = []
    groups = [(g, units.members(g)) for g in units.group_order()]
    for label, members in [*groups, (None, units.order)]:
        block = wide.loc[members]
        row: dict[str, Any] = {
            units.unit: f"{mean_label}: {'all units' if label is None else label}"
        }
        if units.group_name is not None and label is not None:
            row[units.group_name] = label
        row.update({p: mean(block[p]) for p in periods})
        if by_unit:
            row[mean_label] = mean(block.to_numpy().ravel())
        rows.append(row)
    frame = pd.concat([body, pd.DataFrame(rows)], ignore_index=True)
    frame.columns = [str(c) for c in frame.columns]
    formats = {str(p): SCORE_FORMAT for p in periods} | {mean_label: SCORE_FORMAT}
    return _Sheet(
        frame, formats, n_keys=len(units.label_columns), summary_from=len(body)
    )


def _roles(meta: Mapping[str, Any]) -> dict[str, str]:
    """Column header of each model variable: ``name (input)`` and so on."""
    out: dict[str, str] = {}
    for key, role in (
        ("inputs", "input"),
        ("outputs", "output"),
        ("bad_outputs", "bad output"),
    ):
        for var in meta.get(key) or ():
            out[str(var)] = f"{var} ({role})"
    return out


def _lambda_text(value: float) -> str:
    text = f"{value:.4f}"
    return text if text != "0.0000" else f"{value:.1e}"


def _keys(res: Any) -> tuple[str, str | None, list[str]]:
    unit = str(res.meta.get("unit") or "unit")
    time = res.meta.get("time")
    return unit, time, [unit] + ([time] if time else [])


def _scores(res: Any, units: WorkbookUnits, value: str) -> _Sheet:
    _, time, keys = _keys(res)
    sc = res.scores
    cols = [*keys, "score"] + (["efficiency"] if value == "efficiency" else [])
    table = sc[cols].copy()
    # rank within each year on the value rounded to 10 decimals, so that efficient
    # units whose scores differ only by LP round-off share rank 1
    rounded = sc[value].astype(float).round(10)
    rank = rounded.groupby(sc[time]) if time else rounded
    table["rank"] = rank.rank(ascending=False, method="min").astype("Int64")
    table["status"] = sc["status"]
    if "super" in sc.columns and sc["super"].any():
        table["super"] = sc["super"]
    frame = units.labelled(table, time).rename(
        columns={
            "score": "Score",
            "efficiency": "Efficiency",
            "rank": "Rank",
            "status": "Status",
            "super": "Super-efficiency LP",
        }
    )
    formats = {"Score": SCORE_FORMAT, "Efficiency": SCORE_FORMAT, "Rank": INT_FORMAT}
    return _Sheet(frame, formats, n_keys=len(units.label_columns) + bool(time))


def _benchmarks(res: Any, units: WorkbookUnits) -> _Sheet:
    _, time, keys = _keys(res)
    lam = res.lambdas.sort_values(
        [*keys, "lambda"], ascending=[True] * len(keys) + [False]
    )
    rows = []
    for key, block in lam.groupby(keys, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        own = key[1] if time else None
        zh, en = [], []
        peer_times = block["peer_time"] if time else [None] * len(block)
        for peer, peer_time, value in zip(
            block["peer_unit"], peer_times, block["lambda"], strict=True
        ):
            at = "" if not time or peer_time == own else f"@{peer_time}"
            zh.append(f"{units.peer(peer)}{at}({_lambda_text(value)})")
            en.append(f"{units.peer(peer, english=True)}{at}({_lambda_text(value)})")
        row = dict(zip(keys, key, strict=True))
        row["Benchmarks"] = "; ".join(zh)
        if units.english:
            row["Benchmarks (en)"] = "; ".join(en)
        row["Number of peers"] = len(block)
        row["Sum of λ"] = float(block["lambda"].sum())
        rows.append(row)
    found = pd.DataFrame(rows, columns=[*keys, "Benchmarks"] if not rows else None)
    table = res.scores[keys].merge(found, on=keys, how="left", validate="1:1")
    formats = {"Number of peers": INT_FORMAT, "Sum of λ": SCORE_FORMAT}
    return _Sheet(
        units.labelled(table, time),
        formats,
        n_keys=len(units.label_columns) + bool(time),
    )


def _variables(res: Any, units: WorkbookUnits, table: pd.DataFrame) -> _Sheet:
    time = res.meta.get("time")
    roles = _roles(res.meta)
    frame = units.labelled(table, time).rename(columns=roles)
    formats = dict.fromkeys(roles.values(), AMOUNT_FORMAT)
    return _Sheet(frame, formats, n_keys=len(units.label_columns) + bool(time))


def efficiency_workbook(
    res: Any,
    path: str | os.PathLike[str],
    *,
    names: bool = True,
    groups: Any = None,
    level: str | None = None,
) -> Path:
    """Write the MaxDEA-style workbook of an efficiency model (see the module)."""
    unit, time, _ = _keys(res)
    units = WorkbookUnits(
        res.scores[unit], unit, names=names, level=level, groups=groups,
        carried=res.scores,
    )  # fmt: skip
    value = "efficiency" if "efficiency" in res.scores.columns else "score"
    sheets: dict[str, _Sheet] = {"Scores": _scores(res, units, value)}
    notes = [
        ("Scores", "score, rank (1 = best, within each year) and LP status"),
    ]
    if time:
        n_missing = int(res.scores[value].isna().sum())
        sheets["Scores by year"] = _matrix(
            res.scores, units, value, time, mean=_mean, mean_label="Mean"
        )
        notes.append(
            (
                "Scores by year",
                f"{'efficiency (1/(1+D))' if value == 'efficiency' else 'score'} "
                "unit × year; Mean = arithmetic mean over years, groups and all units"
                + (
                    f"; {n_missing} missing score(s) (no optimal LP) left out"
                    if n_missing
                    else ""
                ),
            )
        )
        if n_missing:
            _warn_missing(n_missing, "score", "arithmetic")
    sheets["Benchmarks"] = _benchmarks(res, units)
    sheets["Slacks"] = _variables(res, units, res.slacks)
    sheets["Projections"] = _variables(res, units, res.targets)
    notes += [
        ("Benchmarks", "peers of each unit as peer(λ), largest λ first"),
        (
            "Slacks",
            "non-radial slacks: input and bad-output excess, good-output shortfall",
        ),
        ("Projections", "target values of every variable (radial part included)"),
    ]
    if len(res.infeasible):
        sheets["Infeasible"] = _Sheet(
            units.labelled(res.infeasible, time),
            {},
            n_keys=len(units.label_columns),
        )
        notes.append(("Infeasible", "LPs without an optimal solution"))
    return _write(path, sheets, notes, units, res)


def _mean(values: Any) -> float:
    x = np.asarray(values, dtype=float)
    return float(np.nanmean(x)) if (~np.isnan(x)).any() else float("nan")


def _warn_missing(n: int, what: str, kind: str) -> None:
    warnings.warn(
        f"{n} {what} value(s) are missing (LPs without an optimal solution); the "
        f"workbook's {kind} means use the values present",
        SpatialGreenWarning,
        stacklevel=4,
    )


def _period_label(prev: Any, time: Any) -> str:
    def text(v: Any) -> str:
        if isinstance(v, float | np.floating) and float(v).is_integer():
            return str(int(v))
        return str(v)

    return f"{text(prev)}-{text(time)}"


def productivity_workbook(
    res: Any,
    path: str | os.PathLike[str],
    *,
    names: bool = True,
    groups: Any = None,
    level: str | None = None,
) -> Path:
    """Write the DEAP/MaxDEA-style workbook of a productivity index."""
    unit, time, _ = _keys(res)
    if not time:
        raise DataError("a productivity index needs a time column")
    idx = res.index.sort_values([time, unit], kind="stable")
    units = WorkbookUnits(
        res.index[unit], unit, names=names, level=level, groups=groups, carried=idx
    )
    periods = [
        _period_label(p, t)
        for p, t in idx[["prev_time", time]].drop_duplicates().itertuples(index=False)
    ]
    idx = idx.assign(
        _period=[
            _period_label(p, t)
            for p, t in zip(idx["prev_time"], idx[time], strict=True)
        ]
    )
    label = _INDEX_LABELS.get(str(res.meta.get("index")), "Index")
    parts = [("index", label)] + [
        (c, name) for c, name in _COMPONENTS if c in idx and idx[c].notna().any()
    ]
    n_missing = int(idx["index"].isna().sum())
    if n_missing:
        _warn_missing(n_missing, "index", "geometric")
    sheets: dict[str, _Sheet] = {}
    for column, name in parts:
        sheets[name] = _matrix(
            idx, units, column, "_period", mean=geometric_mean,
            mean_label="Geometric mean", order=periods,
        )  # fmt: skip
    times = [str(t) for t in pd.unique(idx[time])]
    sheets["Cumulative"] = _matrix(
        idx.assign(_t=idx[time].astype(str)), units, "cumulative", "_t",
        mean=geometric_mean, mean_label="Geometric mean", by_unit=False, order=times,
    )  # fmt: skip
    by_period = pd.DataFrame({"Period": [*periods, "Geometric mean"]})
    by_unit = sheets[label].frame.iloc[:, : len(units.label_columns)].copy()
    for column, name in parts:
        per = [geometric_mean(idx.loc[idx["_period"] == p, column]) for p in periods]
        by_period[name] = [*per, geometric_mean(idx[column])]
        by_unit[name] = sheets[name].frame["Geometric mean"].to_numpy()
    sheets["Summary by period"] = _Sheet(
        by_period,
        {name: SCORE_FORMAT for _, name in parts},
        n_keys=1,
        summary_from=len(periods),
    )
    sheets["Summary by unit"] = _Sheet(
        by_unit,
        {name: SCORE_FORMAT for _, name in parts},
        n_keys=len(units.label_columns),
        summary_from=sheets[label].summary_from,
    )
    notes = [
        (name, f"{name} unit × period (earlier-later); geometric means by unit, "
         "group and all units")
        for _, name in parts
    ]  # fmt: skip
    notes += [
        ("Cumulative", "chain-linked index, first period = 1; geometric means by year"),
        ("Summary by period", "geometric mean over units of each component"),
        ("Summary by unit", "geometric mean over periods of each component"),
    ]
    if n_missing:
        notes.append(("Missing", f"{n_missing} index value(s) missing, left out"))
    if len(res.infeasible):
        sheets["Infeasible"] = _Sheet(
            units.labelled(res.infeasible, time), {}, n_keys=len(units.label_columns)
        )
        notes.append(("Infeasible", "distance LPs without an optimal solution"))
    return _write(path, sheets, notes, units, res)


# ------------------------------------------------------------------------ writing
def _cell_value(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float | np.floating) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _put(ws: Any, row: int, column: int, value: Any) -> Any:
    cell = ws.cell(row=row, column=column, value=_cell_value(value))
    if cell.data_type == "f" or formula_like(cell.value):
        cell.data_type = "s"  # text, never a formula (as spatialgreen._io does)
        cell.quotePrefix = True
    return cell


def _width(value: Any, fmt: str | None) -> int:
    if value is None:
        return 0
    if isinstance(value, float):
        return len(f"{value:,.4f}" if fmt == AMOUNT_FORMAT else f"{value:.4f}")
    text = str(value)
    return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in text)


def _fill(ws: Any, sheet: _Sheet) -> None:
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    frame = sheet.frame
    bold, rule = Font(bold=True), Side(style="thin")
    widths = []
    for j, name in enumerate(frame.columns, start=1):
        cell = _put(ws, 1, j, str(name))
        cell.font = bold
        cell.border = Border(bottom=rule)
        cell.alignment = Alignment(
            horizontal="center", vertical="center", wrap_text=True
        )
        widths.append(_width(str(name), None))
    fmts = [sheet.formats.get(str(c)) for c in frame.columns]
    for i, row in enumerate(frame.itertuples(index=False), start=2):
        summary = sheet.summary_from is not None and i - 2 >= sheet.summary_from
        for j, value in enumerate(row, start=1):
            cell = _put(ws, i, j, value)
            fmt = fmts[j - 1]
            if (
                fmt
                and isinstance(cell.value, int | float)
                and not isinstance(cell.value, bool)
            ):
                cell.number_format = fmt
            if summary:
                cell.font = Font(italic=True)
                if i - 2 == sheet.summary_from:
                    cell.border = Border(top=rule)
            widths[j - 1] = max(widths[j - 1], _width(cell.value, fmt))
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(max(w + 2, 8), 60)
    ws.freeze_panes = ws.cell(row=2, column=sheet.n_keys + 1)


def _write(
    path: str | os.PathLike[str],
    sheets: dict[str, _Sheet],
    notes: list[tuple[str, str]],
    units: WorkbookUnits,
    res: Any,
) -> Path:
    from openpyxl import Workbook

    names_note = (
        f"Chinese and English names from spatialgreen's shipped {units.level} list"
        if units.level
        else "not added (units are not matched Chinese regions, or names=False)"
    )
    rows = [
        ("Sheet / item", "What it holds"),
        *notes,
        ("Unit names", names_note),
        ("Groups", units.group_name or "none"),
    ]
    if res.meta.get("score"):
        rows.append(("Score", str(res.meta["score"])))
    rows += [(str(k), str(v)) for k, v in res.metadata().items()]
    notes_sheet = _Sheet(pd.DataFrame(rows[1:], columns=list(rows[0])), {}, n_keys=1)

    def write(tmp: Path) -> None:
        wb = Workbook()
        default = wb.active
        for name, sheet in [*sheets.items(), ("Notes", notes_sheet)]:
            _fill(wb.create_sheet(name), sheet)
        if default is not None:
            wb.remove(default)
        wb.save(tmp)

    return atomic_write(path, write)
