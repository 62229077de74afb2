"""The results base class shared by every analysis in spatialgreen.

A results object is a frozen dataclass whose DataFrame fields are the tidy tables of
a run (keyed by unit and year where that applies). The base class gives all of them
the same way out: :meth:`Results.summary`, :meth:`Results.to_frame`,
:meth:`Results.to_csv` and :meth:`Results.to_excel` (one sheet per table plus a
``metadata`` sheet), and :func:`compare` puts several results side by side.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ._io import write_table, write_tables
from .errors import DataError

__all__ = ["EstimatesMixin", "Results", "compare", "export_frame"]


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
        from . import __version__

        meta: dict[str, Any] = {"result": type(self).__name__}
        raw = getattr(self, "meta", None)
        if isinstance(raw, Mapping):
            meta.update({str(k): v for k, v in raw.items()})
        meta.setdefault("spatialgreen_version", __version__)
        meta.setdefault("created", _dt.datetime.now().isoformat(timespec="seconds"))
        return meta

    def to_frame(self) -> pd.DataFrame:
        """The main table (the first DataFrame field), as a copy."""
        tables = self.tables()
        if not tables:
            return pd.DataFrame()
        return next(iter(tables.values())).copy()

    def summary(self) -> str:
        """A readable text summary: metadata and the head of each table."""
        lines = [f"{type(self).__name__}"]
        for key, value in self.metadata().items():
            if key not in {"result", "created"}:
                lines.append(f"  {key}: {value}")
        for name, table in self.tables().items():
            lines.append("")
            lines.append(f"[{name}] {table.shape[0]} rows × {table.shape[1]} columns")
            with pd.option_context("display.width", 120, "display.max_columns", 12):
                lines.append(table.head(10).to_string())
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

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


class EstimatesMixin:
    """Estimator results holding a ``coefficients`` table and a ``fit`` dict.

    ``coefficients`` has ``estimate``, ``std_error`` and ``p`` columns indexed by
    parameter name; ``fit`` holds ``nobs`` (and other fit statistics). The mixin gives
    the linearmodels-style accessors that regression tables read.
    """

    coefficients: pd.DataFrame
    fit: dict

    @property
    def params(self) -> pd.Series:
        """Point estimates by parameter name."""
        return self.coefficients["estimate"].rename("params")

    @property
    def std_errors(self) -> pd.Series:
        """Standard errors by parameter name."""
        return self.coefficients["std_error"].rename("std_errors")

    @property
    def pvalues(self) -> pd.Series:
        """Two-sided p-values by parameter name."""
        return self.coefficients["p"].rename("pvalues")

    @property
    def nobs(self) -> int:
        """Number of observations used."""
        return int(self.fit["nobs"])


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
