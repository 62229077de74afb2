"""Panel data layer: read and validate tidy (unit, year) panels.

A panel is a long DataFrame with one row per unit and period; callers name the unit
and time columns (Chinese or English names are fine). Validation never mutates the
caller's frame and every error names the column, unit and year at fault.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"省份": ["北京", "北京", "天津", "天津"],
...                    "年份": [2020, 2021, 2020, 2021], "GDP": [1.0, 2.0, 3.0, 4.0]})
>>> info = validate_panel(df, unit="省份", time="年份", positive=["GDP"])
>>> info.balanced, info.n_units, info.periods
(True, 2, (2020, 2021))
"""

from __future__ import annotations

import dataclasses
import os
import re
import unicodedata
import warnings
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from ._io import read_table
from .errors import DataError, PanelError, SpatialGreenWarning, UnmatchedUnitError
from .geo.spellings import check_spellings, spelling_variants, unify_units

__all__ = [
    "PanelInfo",
    "balance_panel",
    "check_spellings",
    "read_panel",
    "read_table",
    "require_columns",
    "spelling_variants",
    "unify_units",
    "validate_panel",
]

_MAX_LISTED = 20


@dataclasses.dataclass(frozen=True)
class PanelInfo:
    """What :func:`validate_panel` found out about a panel.

    Attributes
    ----------
    unit, time : str
        The key columns.
    units : tuple
        Units in order of first appearance.
    periods : tuple
        Sorted distinct periods.
    balanced : bool
        Every unit observed in every period.
    missing_cells : pandas.DataFrame
        (unit, time) pairs absent for some units (empty when balanced).
    gaps : pandas.DataFrame
        Units whose observed periods skip a period inside their own span.
    """

    unit: str
    time: str | None
    units: tuple
    periods: tuple
    balanced: bool
    missing_cells: pd.DataFrame
    gaps: pd.DataFrame

    @property
    def n_units(self) -> int:
        """Number of distinct units."""
        return len(self.units)

    @property
    def n_periods(self) -> int:
        """Number of distinct periods."""
        return len(self.periods)


def _fmt_list(items: Sequence[str]) -> str:
    shown = list(items[:_MAX_LISTED])
    more = len(items) - len(shown)
    return "; ".join(shown) + (f"; … and {more} more" if more > 0 else "")


def require_columns(
    data: pd.DataFrame, columns: Iterable[str], *, role: str = ""
) -> None:
    """Raise :class:`DataError` naming every column of ``columns`` not in ``data``.

    Examples
    --------
    >>> import pandas as pd
    >>> require_columns(pd.DataFrame({"a": [1]}), ["a"])
    >>> require_columns(pd.DataFrame({"a": [1]}), ["b"], role="input")
    Traceback (most recent call last):
    ...
    spatialgreen.errors.DataError: input column 'b' not found; available columns: 'a'
    """
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"expected a pandas DataFrame, got {type(data).__name__}")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        available = ", ".join(repr(c) for c in list(data.columns)[:40])
        names = ", ".join(repr(c) for c in missing)
        plural = "s" if len(missing) > 1 else ""
        what = f"{role} column{plural}" if role else f"column{plural}"
        raise DataError(f"{what} {names} not found; available columns: {available}")


def _key(row_unit: object, row_time: object | None, unit: str, time: str | None) -> str:
    if time is None:
        return f"{unit}={row_unit}"
    return f"{unit}={row_unit}, {time}={row_time}"


def _check_numeric(
    data: pd.DataFrame, col: str, unit: str, time: str | None
) -> pd.Series:
    values = data[col]
    if pd.api.types.is_bool_dtype(values):
        return values.astype(float)
    if pd.api.types.is_numeric_dtype(values):
        return values
    converted = pd.to_numeric(values, errors="coerce")
    bad = converted.isna() & values.notna()
    if bad.any():
        rows = data.loc[bad]
        where = [
            f"{_key(u, t, unit, time)}: {v!r}"
            for u, t, v in zip(
                rows[unit],
                rows[time] if time else [None] * len(rows),
                values[bad],
                strict=True,
            )
        ]
        hint = ""
        text = values[bad].astype(str).str.replace(",", "", regex=False)
        if pd.to_numeric(text, errors="coerce").notna().any():
            hint = " (thousands separators such as '1,234' are not read as numbers)"
        raise DataError(
            f"column {col!r} has non-numeric cells{hint}: {_fmt_list(where)}"
        )
    return converted


def validate_panel(
    data: pd.DataFrame,
    *,
    unit: str = "unit",
    time: str | None = None,
    columns: Iterable[str] = (),
    positive: Iterable[str] = (),
    nonnegative: Iterable[str] = (),
    allow_missing: bool = False,
    require_balanced: bool = False,
    require_consecutive: bool = False,
) -> PanelInfo:
    """Check a tidy panel and describe it; raise precise errors on bad data.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit (and period).
    unit : str
        Unit column.
    time : str, optional
        Period column (``None`` for a cross-section).
    columns : iterable of str
        Numeric columns to check (non-numeric cells and missing values are errors).
    positive, nonnegative : iterable of str
        Columns that must be > 0 (or >= 0); implies numeric.
    allow_missing : bool
        Accept missing values in ``columns`` instead of raising.
    require_balanced : bool
        Raise :class:`PanelError` if some unit misses some period.
    require_consecutive : bool
        Raise :class:`PanelError` if a unit's periods have gaps.

    Returns
    -------
    PanelInfo

    Raises
    ------
    DataError
        Missing columns, non-numeric cells, missing values, values out of range,
        a time column mixing numbers and text (``2010`` and ``"2012年"``).
    PanelError
        Duplicate (unit, time) rows, gaps or imbalance when required; two
        spellings of one unit (``'北京 '`` and ``'北京'``, or names matching one
        adcode, see :func:`check_spellings`) in the same period.

    Warns
    -----
    SpatialGreenWarning
        Spellings of one unit in different periods: one unit split in two, which
        makes the panel unbalanced (fix: :func:`unify_units`).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"unit": ["a", "a"], "year": [2020, 2020], "x": [1, 2]})
    >>> validate_panel(df, unit="unit", time="year")
    Traceback (most recent call last):
    ...
    spatialgreen.errors.PanelError: duplicate (unit, year) rows: unit=a, year=2020 ...
    """
    positive = list(positive)
    nonnegative = list(nonnegative)
    numeric = list(dict.fromkeys([*columns, *positive, *nonnegative]))
    keys = [unit] if time is None else [unit, time]
    require_columns(data, keys, role="key")
    require_columns(data, numeric)

    for k in keys:
        if data[k].isna().any():
            rows = np.flatnonzero(data[k].isna().to_numpy())[:_MAX_LISTED]
            raise DataError(
                f"key column {k!r} has missing values (rows {rows.tolist()})"
            )

    if time is not None:
        _check_time_types(data, unit, time)
    dup = data.duplicated(keys, keep=False)
    if dup.any():
        counts = data.loc[dup].groupby(keys, sort=False).size()
        where = []
        for idx, n in counts.items():
            u, t = idx if isinstance(idx, tuple) else (idx, None)
            where.append(f"{_key(u, t, unit, time)} ({n} rows)")
        raise PanelError(f"duplicate ({', '.join(keys)}) rows: {_fmt_list(where)}")
    check_spellings(data, unit=unit, time=time)

    for col in numeric:
        values = _check_numeric(data, col, unit, time)
        tvals = data[time] if time else pd.Series([None] * len(data), index=data.index)
        na = values.isna()
        if na.any() and not allow_missing:
            where = [
                _key(u, t, unit, time)
                for u, t in zip(data.loc[na, unit], tvals[na], strict=True)
            ]
            raise DataError(f"column {col!r} has missing values at: {_fmt_list(where)}")
        finite = values.where(~na)
        if np.isinf(finite.to_numpy(dtype=float, na_value=np.nan)).any():
            bad = np.isinf(finite.to_numpy(dtype=float, na_value=np.nan))
            where = [
                _key(u, t, unit, time)
                for u, t in zip(data.loc[bad, unit], tvals[bad], strict=True)
            ]
            raise DataError(
                f"column {col!r} has infinite values at: {_fmt_list(where)}"
            )
        for cols, test, word in (
            (positive, finite <= 0, "> 0"),
            (nonnegative, finite < 0, ">= 0"),
        ):
            if col in cols and test.any():
                where = [
                    f"{_key(u, t, unit, time)} ({v})"
                    for u, t, v in zip(
                        data.loc[test, unit], tvals[test], finite[test], strict=True
                    )
                ]
                raise DataError(
                    f"column {col!r} must be {word}; offending cells: "
                    f"{_fmt_list(where)}"
                )

    units = tuple(pd.unique(data[unit]).tolist())
    if time is None:
        empty = pd.DataFrame(columns=[unit])
        return PanelInfo(unit, None, units, (), True, empty, empty)

    periods = tuple(sorted(pd.unique(data[time]).tolist()))
    observed = pd.MultiIndex.from_frame(data[[unit, time]])
    full = pd.MultiIndex.from_product([list(units), list(periods)], names=[unit, time])
    missing_cells = full.difference(observed).to_frame(index=False)
    balanced = missing_cells.empty

    gaps = _find_gaps(data, unit, time, periods)
    if require_consecutive and not gaps.empty:
        where = [
            f"{unit}={u}: missing {time} {m}"
            for u, m in zip(gaps[unit], gaps["missing"], strict=True)
        ]
        raise PanelError(f"periods have gaps: {_fmt_list(where)}")
    if require_balanced and not balanced:
        where = [
            _key(u, t, unit, time)
            for u, t in zip(missing_cells[unit], missing_cells[time], strict=True)
        ]
        raise PanelError(
            f"unbalanced panel: {len(missing_cells)} (unit, period) cells are absent: "
            f"{_fmt_list(where)}; use spatialgreen.panel.balance_panel() to balance it"
        )
    return PanelInfo(unit, time, units, periods, balanced, missing_cells, gaps)


def _check_time_types(data: pd.DataFrame, unit: str, time: str) -> None:
    """Years mixed with text (or numbers with text) have no order: name the cells."""
    values = data[time]
    if not _textual(values):
        return
    text = values.map(lambda v: isinstance(v, str))
    year = values.map(lambda v: isinstance(v, str) and bool(_YEAR.fullmatch(_nfkc(v))))
    other = text & ~year  # neither a number nor a year written as text
    if not (text.any() and not text.all()) and not (year.any() and other.any()):
        return  # all numbers, or all text periods ("2005-2010", "2020Q1")
    rows = data.loc[other if other.any() else text]
    where = [f"{unit}={u}: {t!r}" for u, t in zip(rows[unit], rows[time], strict=True)]
    if other.any():
        raise DataError(
            f"time column {time!r} mixes years with other text; the cells that are "
            f"not years: {_fmt_list(where)}"
        )
    raise DataError(
        f"time column {time!r} mixes numbers and years written as text: "
        f"{_fmt_list(where)} (spatialgreen.read_panel reads them as numbers)"
    )


def _textual(values: pd.Series) -> bool:
    """Object or string dtype: the cells may hold text."""
    return values.dtype == object or pd.api.types.is_string_dtype(values)


def _find_gaps(
    data: pd.DataFrame, unit: str, time: str, periods: tuple
) -> pd.DataFrame:
    """Units whose own periods skip one of the panel's periods inside their span."""
    rows = []
    order = {p: i for i, p in enumerate(periods)}
    for u, ts in data.groupby(unit, sort=False)[time]:
        idx = sorted(order[t] for t in ts)
        expected = set(range(idx[0], idx[-1] + 1))
        missing = sorted(expected - set(idx))
        if missing:
            rows.append(
                {unit: u, "missing": ", ".join(str(periods[i]) for i in missing)}
            )
    # integer years can also skip a calendar year that no unit has
    if periods and all(isinstance(p, (int, np.integer)) for p in periods):
        calendar = set(range(int(periods[0]), int(periods[-1]) + 1)) - {
            int(p) for p in periods
        }
        if calendar:
            rows.append(
                {unit: "(all units)", "missing": ", ".join(map(str, sorted(calendar)))}
            )
    return pd.DataFrame(rows, columns=[unit, "missing"])


def balance_panel(
    data: pd.DataFrame,
    *,
    unit: str = "unit",
    time: str = "year",
    how: Literal["drop_units", "common_periods"] = "drop_units",
) -> pd.DataFrame:
    """Return a balanced copy of a panel.

    Parameters
    ----------
    how : {"drop_units", "common_periods"}
        ``"drop_units"`` keeps only units observed in every period;
        ``"common_periods"`` keeps only periods in which every unit is observed.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"u": ["a", "a", "b"], "t": [1, 2, 1], "x": [1.0, 2.0, 3.0]})
    >>> balance_panel(df, unit="u", time="t")["u"].tolist()
    ['a', 'a']
    >>> balance_panel(df, unit="u", time="t", how="common_periods")["t"].tolist()
    [1, 1]
    """
    require_columns(data, [unit, time], role="key")
    n_periods = data[time].nunique()
    n_units = data[unit].nunique()
    if how == "drop_units":
        keep = data.groupby(unit)[time].transform("nunique") == n_periods
    elif how == "common_periods":
        keep = data.groupby(time)[unit].transform("nunique") == n_units
    else:
        raise DataError(f"how must be 'drop_units' or 'common_periods', got {how!r}")
    out = data.loc[keep].copy()
    if out.empty:
        raise PanelError(f"balancing with how={how!r} leaves no observations")
    return out.reset_index(drop=True)


def _sheet_hint(path: str | os.PathLike[str], sheet: object, exc: Exception) -> str:
    """Name the other sheets when columns are missing from a workbook's first sheet."""
    if sheet is not None or "not found" not in str(exc):
        return ""
    if not str(path).lower().endswith((".xlsx", ".xlsm", ".xls")):
        return ""
    try:
        with pd.ExcelFile(path) as book:
            names = [str(n) for n in book.sheet_names]
    except Exception:  # only a hint
        return ""
    if len(names) < 2:
        return ""
    listed = ", ".join(repr(n) for n in names)
    return f" (read the first sheet {names[0]!r}; the workbook has sheets {listed})"


def read_panel(
    path: str | os.PathLike[str],
    *,
    unit: str = "unit",
    time: str | None = None,
    columns: Iterable[str] = (),
    sheet: str | int | None = None,
    match: Literal["province", "city", "county"] | None = None,
    **checks: object,
) -> pd.DataFrame:
    """Read a panel from CSV, XLSX or Parquet and validate it.

    Parameters
    ----------
    path : path-like
        The file; its suffix picks the reader.
    unit, time : str
        Key columns (Chinese or English names).
    columns : iterable of str
        Numeric columns to validate.
    sheet : str or int, optional
        Excel sheet.
    match : {"province", "city", "county"}, optional
        Match the unit names to adcodes of this level first and write each unit
        with one spelling, the first the file uses (:func:`unify_units`).
    **checks
        Passed to :func:`validate_panel` (``positive=``, ``require_balanced=``, ...).

    Returns
    -------
    pandas.DataFrame
        The table with numeric-looking strings in ``columns`` converted to numbers.

    Notes
    -----
    The file is read by :func:`read_table`: CSV/TXT/TSV files may be UTF-8 (with or
    without BOM), GB18030/GBK or UTF-16 (Excel's "Unicode text"); a header with tabs
    and no commas means tab-separated.
    Spaces around key values (``'北京 '``, one unit made two) are removed, and
    years written as text (``"2012年"``) become integers, each with a
    :class:`~spatialgreen.errors.SpatialGreenWarning` naming the values; a time
    column mixing numbers and other text is an error naming the cells.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "p.csv"
    >>> _ = p.write_text("unit,year,x\\na,2020,1\\na,2021,2\\n")
    >>> read_panel(p, unit="unit", time="year", columns=["x"]).shape
    (2, 3)
    """
    df = read_table(path, sheet=sheet)
    df.columns = [str(c).strip() for c in df.columns]
    if df.empty:
        raise DataError(f"{path}: the table has no data rows (only a header)")
    for key in [unit] + ([time] if time else []):
        if key in df.columns:
            df[key] = _strip_keys(df[key], path)
    if time is not None and time in df.columns:
        df[time] = _read_years(df[time], path)
    columns = list(columns)
    try:
        if match is not None:
            require_columns(df, [unit] + ([time] if time else []), role="key")
            df = unify_units(df, unit=unit, level=match, time=time)
        validate_panel(df, unit=unit, time=time, columns=columns, **checks)  # type: ignore[arg-type]
    except DataError as exc:
        message = f"{path}: {exc}{_sheet_hint(path, sheet, exc)}"
        if isinstance(exc, UnmatchedUnitError):
            raise UnmatchedUnitError(message, exc.unmatched) from exc
        raise type(exc)(message) from exc
    for col in columns:
        if not pd.api.types.is_numeric_dtype(df[col]):
            df[col] = pd.to_numeric(df[col])
    return df


_YEAR = re.compile(r"\s*(\d{4})\s*年?\s*")


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _strip_keys(values: pd.Series, path: Any) -> pd.Series:
    """Key values without surrounding whitespace, with a warning naming them."""
    text = values.map(lambda v: isinstance(v, str) and v != v.strip())
    if not text.any():
        return values
    changed = list(dict.fromkeys(values[text]))
    warnings.warn(
        f"{path}: column {values.name!r}: removed spaces around "
        f"{len(changed)} value(s): {_fmt_list([repr(v) for v in changed])}",
        SpatialGreenWarning,
        stacklevel=3,
    )
    return values.map(lambda v: v.strip() if isinstance(v, str) else v)


def _read_years(values: pd.Series, path: Any) -> pd.Series:
    """Years written as text ("2012", "2012年") as integers, with a warning."""
    if not _textual(values):
        return values
    text = values.map(lambda v: isinstance(v, str))
    if not text.any():
        return values
    norm = values[text].map(_nfkc)
    others = pd.to_numeric(values[~text], errors="coerce")
    if not norm.str.fullmatch(_YEAR.pattern).all() or not (others % 1 == 0).all():
        # text periods ("2005-2010") stay; validate_panel names a mixed column's cells
        return values
    years = norm.str.extract(_YEAR.pattern, expand=False).astype("int64")
    parsed = pd.Series(0, index=values.index, dtype="int64", name=values.name)
    parsed[text] = years
    parsed[~text] = others.astype("int64")
    plain = norm.str.fullmatch(r"\d{4}")  # "2012" as text is just a format
    if not plain.all():
        pairs = dict(zip(values[text][~plain], years[~plain], strict=True))
        listed = [f"{v!r} → {y}" for v, y in pairs.items()]
        warnings.warn(
            f"{path}: time column {values.name!r}: years written with text read as "
            f"numbers: {_fmt_list(listed)}",
            SpatialGreenWarning,
            stacklevel=3,
        )
    return parsed
