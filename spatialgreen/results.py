"""The results base class shared by every analysis in spatialgreen.

A results object is a frozen dataclass whose DataFrame fields are the tidy tables of
a run (keyed by unit and year where that applies). The base class gives all of them
the same way out: :meth:`Results.summary` (statistics as fixed-width text) and a
notebook view, :meth:`Results.to_frame`, :meth:`Results.to_csv` and
:meth:`Results.to_excel` (one sheet per table plus a ``metadata`` sheet);
:meth:`Results.with_columns` and :func:`carry_columns` put the user's columns, unit
names and groupings beside the units; :func:`compare` puts several results side by
side.

Estimators share one coefficient interface, kept in :mod:`spatialgreen.estimates`
and importable from here: :func:`coefficient_table` builds the tidy
``coefficients`` table (``estimate, std_error, statistic, p, ci_low, ci_high`` by
parameter) and :class:`EstimatesMixin` serves ``params``, ``std_errors``,
``tstats``, ``pvalues``, ``conf_int`` and ``nobs`` from it.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import html
import os
from collections.abc import Mapping, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Self

import numpy as np
import pandas as pd

from ._io import write_table, write_tables
from .errors import DataError
from .estimates import (
    COEFFICIENT_COLUMNS,
    DF,
    STAR_LEVELS,
    STAR_NOTE,
    EstimatesMixin,
    _fit_statistics,
    coefficient_table,
    critical_values,
    format_coefficients,
    inference,
    p_values,
    row_df,
    significance_stars,
)
from .estimates import (
    _Field as _Field,  # re-exported: the estimators' typed fields
)

__all__ = [
    "COEFFICIENT_COLUMNS",
    "DF",
    "STAR_LEVELS",
    "STAR_NOTE",
    "EstimatesMixin",
    "Results",
    "carry_columns",
    "coefficient_table",
    "compare",
    "critical_values",
    "export_frame",
    "format_coefficients",
    "inference",
    "p_values",
    "package_version",
    "row_df",
    "significance_stars",
]


def package_version() -> str:
    """The installed spatialgreen version (``0+unknown`` in an uninstalled tree).

    Examples
    --------
    >>> package_version() != ""
    True
    """
    try:
        return version("spatialgreen")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


@dataclasses.dataclass(frozen=True)
class Results:
    """Base class of results objects (a frozen dataclass of tidy tables).

    Subclasses declare their tables as ``pandas.DataFrame`` fields and may carry a
    ``meta`` mapping (model, options, version) that is written to the metadata sheet.
    The first DataFrame field is the main table returned by :meth:`to_frame`.

    Examples
    --------
    >>> import dataclasses, pandas as pd
    >>> @dataclasses.dataclass(frozen=True)
    ... class MyResults(Results):
    ...     scores: pd.DataFrame
    >>> r = MyResults(pd.DataFrame({"unit": ["a"], "score": [1.0]}))
    >>> r.to_frame().shape
    (1, 2)
    """

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every DataFrame held by the results, by field name, in declaration order."""
        out: dict[str, pd.DataFrame] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, pd.DataFrame):
                out[f.name] = value
        return out

    def metadata(self) -> dict[str, Any]:
        """Model, options and provenance of the run as a flat dict."""
        meta: dict[str, Any] = {"result": type(self).__name__}
        raw = getattr(self, "meta", None)
        if isinstance(raw, Mapping):
            meta.update({str(k): v for k, v in raw.items()})
        meta.setdefault("spatialgreen_version", package_version())
        meta.setdefault("created", _dt.datetime.now().isoformat(timespec="seconds"))
        return meta

    def to_frame(self) -> pd.DataFrame:
        """The main table (the first DataFrame field), as a copy."""
        tables = self.tables()
        if not tables:
            return pd.DataFrame()
        return next(iter(tables.values())).copy()

    def summary(self) -> str:
        """The options, key statistics and statistics tables of the run, as text.

        Fixed-width and never truncated (``print(results)`` shows the same). Key
        statistics come from ``_summary_statistics`` and the titled tables from
        ``_summary_tables``, which results classes override: by default a table of
        up to 12 rows is shown whole and a longer one as n/mean/sd/min/max of its
        numeric columns.
        """
        lines = [type(self).__name__]
        for key, value in {**self._options(), **self._summary_statistics()}.items():
            lines.append(f"  {key}: {_statistic(value)}")
        for title, table in self._summary_tables().items():
            with pd.option_context("display.float_format", _cell):
                lines += ["", title, table.to_string()]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        """Notebook view: the key statistics and the head of the main table."""
        options = "; ".join(f"{k}: {_statistic(v)}" for k, v in self._options().items())
        rows = "".join(
            f"<tr><th>{html.escape(str(k))}</th>"
            f"<td>{html.escape(_statistic(v))}</td></tr>"
            for k, v in self._summary_statistics().items()
        )
        main = self._summary_main()
        head = main.head(10).to_html(border=0, max_cols=14, float_format=_cell)
        return (
            f"<div><p><strong>{html.escape(type(self).__name__)}</strong> "
            f"<small>{html.escape(options)}</small></p><table>{rows}</table>{head}"
            f"<p><small>{len(main)} rows; .summary() prints the statistics, "
            ".tables() holds every table</small></p></div>"
        )

    def _options(self) -> dict[str, Any]:
        """Scalar and list options of ``meta`` (model, orientation, inputs, ...)."""
        skip = {"result", "created", "spatialgreen_version"}
        return {
            k: ", ".join(map(str, v)) if isinstance(v, list | tuple) else v
            for k, v in self.metadata().items()
            if k not in skip
            and (_scalar(v) or isinstance(v, list | tuple))
            and v is not None
            and not (isinstance(v, list | tuple) and not v)
            and len(str(v)) <= 100
        }

    def _summary_statistics(self) -> dict[str, Any]:
        """Key statistics: rows, units and periods of the main table, fit scalars."""
        main, meta = self.to_frame(), self.metadata()
        stats: dict[str, Any] = {"rows": len(main)}
        for role, label in (("unit", "units"), ("time", "periods")):
            if isinstance(key := meta.get(role), str) and key in main.columns:
                stats[label] = main[key].nunique()
        return {**stats, **_fit_statistics(self)}

    def _summary_tables(self) -> dict[str, pd.DataFrame]:
        """Titled tables of :meth:`summary`: coefficients with stars first, then
        small tables whole and longer ones described; covariance matrices left out.
        """
        meta = self.metadata()
        keys = [meta.get("unit"), meta.get("time"), "prev_time", "peer_time"]
        out: dict[str, pd.DataFrame] = {}
        tables = self.tables()
        if "p" in tables.get("coefficients", ()):
            out[f"[coefficients] {STAR_NOTE}"] = format_coefficients(
                tables.pop("coefficients")
            )
        for name, t in tables.items():
            labels = t.iloc[:, 0] if t.shape[1] == len(t) + 1 else t.index
            square = set(map(str, labels)) == set(map(str, t.columns[-len(t) :]))
            if len(t) and not square and name not in {"cov", "vcov", "covariance"}:
                title = f"[{name}] {len(t)} rows × {t.shape[1]} columns"
                small = len(t) <= 12
                out[title + ("" if small else ", numeric columns described")] = (
                    t if small else _describe_columns(t, keys)
                )
        return out

    def _summary_main(self) -> pd.DataFrame:
        """The table whose head the notebook view shows (coefficients starred)."""
        coefficients = self.tables().get("coefficients")
        if coefficients is not None and "p" in coefficients:
            return format_coefficients(coefficients)
        return self.to_frame()

    def with_columns(
        self,
        data: pd.DataFrame | None = None,
        *,
        keep: str | Sequence[str] = (),
        names: bool = False,
        groups: str | Sequence[str] = (),
        level: str | None = None,
    ) -> Self:
        """A copy whose tables keyed by unit carry more columns after their keys.

        ``keep`` columns of ``data`` (e.g. a 地区 column), Chinese/English unit
        names (``names=True``) and built-in groupings (``groups="region3"``): see
        :func:`carry_columns`, applied to every table holding the unit column
        named in ``meta``. Nothing is overwritten (a clash raises).
        """
        meta = self.metadata()
        unit, time = meta.get("unit"), meta.get("time")
        if not isinstance(unit, str):
            raise DataError(f"{type(self).__name__} records no unit column in meta")
        changes = {
            f.name: carry_columns(value, data, unit=unit, time=time, keep=keep,
                                  names=names, groups=groups, level=level)
            for f in dataclasses.fields(self)
            if isinstance(value := getattr(self, f.name), pd.DataFrame)
            and unit in value.columns
        }  # fmt: skip
        return dataclasses.replace(self, **changes)

    def to_csv(self, folder: str | os.PathLike[str], *, prefix: str = "") -> list[Path]:
        """Write every table as ``<folder>/<prefix><name>.csv`` (UTF-8 with BOM).

        A meaningful index (named, or not integer, such as the parameter names of a
        coefficients table) is written as the first column(s).
        """
        folder = Path(folder)
        return [
            write_table(export_frame(table), folder / f"{prefix}{name}.csv")
            for name, table in self.tables().items()
        ]

    def to_excel(self, path: str | os.PathLike[str]) -> Path:
        """Write every table to one workbook, one sheet each, plus a metadata sheet.

        Meaningful indexes are kept as columns, as in :meth:`to_csv`.
        """
        sheets = {name: export_frame(t) for name, t in self.tables().items()}
        meta = self.metadata()
        sheets["metadata"] = pd.DataFrame(
            {"key": list(meta), "value": [str(v) for v in meta.values()]}
        )
        return write_tables(sheets, path)


def export_frame(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with a meaningful index turned into leading column(s) for writing.

    An index is meaningful when it is named or not integer (e.g. parameter names);
    an unnamed integer index (row numbers) is dropped.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"estimate": [1.0, -0.5]}, index=["const", "beta"])
    >>> export_frame(t).columns.tolist()
    ['index', 'estimate']
    >>> export_frame(pd.DataFrame({"x": [1]}, index=[7])).columns.tolist()
    ['x']
    """
    index = df.index
    named = any(name is not None for name in index.names)
    if not named and pd.api.types.is_integer_dtype(index.dtype):
        return df
    names = [n if n is not None else "index" for n in index.names]
    if any(n in df.columns for n in names):  # reset_index would fail
        return df
    return df.reset_index()


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool | np.number | np.bool_)


def _cell(value: Any) -> str:
    """A table number as summaries print it (4 decimals; 4 digits if huge)."""
    if isinstance(value, float | np.floating):
        number = float(value)
        number = 0.0 if abs(number) < 5e-5 else number  # no "-0.0000"
        return f"{number:.4g}" if abs(number) >= 1e7 else f"{number:.4f}"
    return str(value)


def _statistic(value: Any) -> str:
    """A key statistic as summaries print it (whole numbers without decimals)."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value)) if abs(float(value)) < 1e15 else _cell(value)
    return _cell(value)


def _describe_columns(table: pd.DataFrame, skip: Sequence[Any] = ()) -> pd.DataFrame:
    """n, mean, sd, min and max of each numeric column but ``skip`` (or the head).

    Examples
    --------
    >>> import pandas as pd
    >>> _describe_columns(pd.DataFrame({"u": ["a", "b"], "s": [1.0, 3.0]}))
       n  mean      sd  min  max
    s  2   2.0  1.4142  1.0  3.0
    """
    numbers = table.select_dtypes("number").drop(columns=list(skip), errors="ignore")
    if numbers.empty:
        return table.head(12)
    out = numbers.agg(["mean", "std", "min", "max"]).T.round(4)
    out.columns = ["mean", "sd", "min", "max"]
    out.insert(0, "n", numbers.count())
    return out


def carry_columns(
    table: pd.DataFrame,
    data: pd.DataFrame | None = None,
    *,
    unit: str = "unit",
    time: str | None = None,
    keep: str | Sequence[str] = (),
    names: bool = False,
    groups: str | Sequence[str] = (),
    level: str | None = None,
) -> pd.DataFrame:
    """``table`` with the user's columns, unit names and groupings after its keys.

    Parameters
    ----------
    table : pandas.DataFrame
        A result table with the ``unit`` (and maybe ``time``) column (not modified).
    data : pandas.DataFrame, optional
        The data the ``keep`` columns come from.
    unit, time : str
        Key columns (``time`` None or absent from ``table``: match on units only).
    keep : str or sequence of str
        Columns of ``data`` to carry: matched on the unit when constant within each
        unit (e.g. a 地区 column), else on unit and time.
    names : bool
        Add ``name_zh`` and ``name_en`` (and ``adcode`` when the units are names)
        of units that are names or adcodes of Chinese provinces or cities.
    groups : str or sequence of str
        Built-in groupings to add (``"region3"``, ``"region4"``, ``"yreb_reach"``,
        ...: :data:`spatialgreen.geo.regions.BUILTIN_GROUPINGS`).
    level : {"province", "city", "county"}, optional
        Level of the units for ``names``/``groups`` (default: province, else city).

    Raises
    ------
    DataError
        A new column already in ``table`` (nothing is overwritten), a ``keep``
        column missing or changing over time where ``table`` has no time, a
        grouping unknown at the level; UnmatchedUnitError for unknown units.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"unit": ["北京", "河北"], "地区": ["东部", "东部"]})
    >>> scores = pd.DataFrame({"unit": ["河北", "北京"], "score": [0.6, 1.0]})
    >>> carry_columns(scores, data, keep="地区", names=True).columns.tolist()
    ['unit', '地区', 'adcode', 'name_zh', 'name_en', 'score']
    >>> carry_columns(scores, groups="region3")["region3"].tolist()
    ['east', 'east']
    """
    keep = [keep] if isinstance(keep, str) else list(keep)
    groups = [groups] if isinstance(groups, str) else list(groups)
    keys = [k for k in (unit, time) if k is not None and k in table.columns]
    if unit not in table.columns:
        raise DataError(f"the table has no unit column {unit!r}")
    added: dict[str, Any] = {}
    for column in keep:
        if data is None or column not in data.columns or unit not in data.columns:
            raise DataError(f"keep={column!r}: no such column (with {unit!r}) in data")
        varying = data.groupby(unit)[column].nunique().gt(1)
        on = keys if varying.any() else [unit]
        if varying.any() and (len(keys) < 2 or time not in data.columns):
            raise DataError(
                f"keep={column!r} changes over time within units "
                f"{varying[varying].index.tolist()[:5]}, and the table has no "
                f"time column {time!r} to match it on"
            )
        source = data[[*on, column]].drop_duplicates()
        if source.duplicated(on).any():
            raise DataError(f"keep={column!r}: several values per {on} in data")
        added[column] = table[on].merge(source, on=on, how="left")[column].to_numpy()
    if names or groups:
        _add_unit_labels(added, table[unit], names, groups, level)
    clash = [c for c in added if c in table.columns]
    if clash:
        raise DataError(
            f"column(s) {clash} are already in the result table; rename them in "
            "the data (results columns are never overwritten)"
        )
    at = max(table.columns.get_loc(k) for k in keys) + 1  # type: ignore[type-var]
    extra = pd.DataFrame(added, index=table.index)
    return pd.concat([table.iloc[:, :at], extra, table.iloc[:, at:]], axis=1)


def _add_unit_labels(
    added: dict[str, Any],
    units: pd.Series,
    names: bool,
    groups: list[str],
    level: str | None,
) -> None:
    from .geo import grouping_table, match_units, unit_table

    distinct = list(pd.unique(units))
    for i, lvl in enumerate([level] if level else ["province", "city"]):
        try:
            codes = dict(zip(distinct, match_units(distinct, level=lvl), strict=True))
            break
        except DataError:
            if level or i == 1:
                raise
    adcode = units.map(codes).to_numpy()
    if names:
        info = unit_table(lvl).set_index("adcode")
        if [str(u) for u in distinct] != [str(codes[u]) for u in distinct]:
            added["adcode"] = adcode
        added["name_zh"] = info["name_zh"].reindex(adcode).to_numpy()
        added["name_en"] = info["name_en"].reindex(adcode).to_numpy()
    table = grouping_table(lvl)
    for name in groups:
        if name not in table.columns:
            raise DataError(
                f"grouping {name!r} is not defined for the units ({lvl} level; "
                f"built-in groupings there: {', '.join(table.columns)}); pass level= "
                "if the units are cities"
            )
        added[name] = table[name].reindex(adcode).to_numpy()


def compare(
    results: Sequence[Results] | Mapping[str, Results],
    *,
    table: str | None = None,
    keys: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Put the same table of several results side by side, aligned on unit keys.

    Rows are matched on ``keys`` (default: the ``unit`` and ``time`` columns named in
    the results' ``meta`` when every table has them, else the tables' own index), so
    runs whose rows come in a different order never line up wrongly.

    Parameters
    ----------
    results : sequence or mapping of Results
        The runs to compare; mapping keys name the columns.
    table : str, optional
        Which table to take (default: each result's main table).
    keys : sequence of str, optional
        Key columns to align on.

    Returns
    -------
    pandas.DataFrame
        Indexed by the keys; columns are a MultiIndex (run name, column).

    Examples
    --------
    >>> import dataclasses, pandas as pd
    >>> @dataclasses.dataclass(frozen=True)
    ... class R(Results):
    ...     scores: pd.DataFrame
    ...     meta: dict
    >>> a = R(pd.DataFrame({"unit": ["x", "y"], "score": [1.0, 0.5]}), {"unit": "unit"})
    >>> b = R(pd.DataFrame({"unit": ["y", "x"], "score": [0.4, 0.9]}), {"unit": "unit"})
    >>> compare({"a": a, "b": b}).loc["y"].tolist()
    [0.5, 0.4]
    """
    items = list(
        results.items()
        if isinstance(results, Mapping)
        else ((f"({i + 1})", r) for i, r in enumerate(results))
    )
    frames = {
        name: (res.tables()[table] if table else res.to_frame()) for name, res in items
    }
    if keys is None:
        keys = _shared_keys([res for _, res in items], list(frames.values()))
    if keys:
        for name, frame in frames.items():
            missing = [k for k in keys if k not in frame.columns]
            if missing:
                raise DataError(f"run {name!r} has no key column(s) {missing}")
            if frame.duplicated(list(keys)).any():
                raise DataError(f"run {name!r} has duplicate rows for keys {keys}")
            frames[name] = frame.set_index(list(keys))
    return pd.concat(frames, axis=1)


def _shared_keys(results: list[Results], frames: list[pd.DataFrame]) -> list[str]:
    """The ``unit``/``time`` columns named in every result's meta and every table."""
    keys: list[str] = []
    for role in ("unit", "time"):
        names = {
            (getattr(r, "meta", None) or {}).get(role)
            if isinstance(getattr(r, "meta", None), Mapping)
            else None
            for r in results
        }
        if len(names) == 1:
            name = names.pop()
            if isinstance(name, str) and all(name in f.columns for f in frames):
                keys.append(name)
    return keys
