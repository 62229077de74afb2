"""Reading user tables and writing outputs atomically.

Outputs are written to a temporary file in the target folder and renamed into place,
so a crash never leaves half a file, and nothing is ever written over an input file.
Every CSV and XLSX table goes through :func:`write_table` / :func:`write_tables`, which
neutralise spreadsheet formulas (:func:`neutralise_formulas`). It sits at the package
root, shared by every room that reads a user's table or writes
a result (panel, results, geo, report, the CLI); it depends on none of them.
"""

from __future__ import annotations

import os
import re
import tempfile
import warnings
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import DataError, DependencyError, SpatialGreenWarning

__all__ = [
    "FORMULA_PREFIXES",
    "atomic_write",
    "formula_like",
    "neutralise_formulas",
    "read_table",
    "register_input",
    "write_table",
    "write_tables",
]

_INPUT_FILES: set[Path] = set()

CSV_ENCODING = "utf-8-sig"  # the BOM makes Excel on Chinese Windows read UTF-8


def register_input(path: str | os.PathLike[str]) -> None:
    """Remember ``path`` as an input so that no output is ever written over it."""
    _INPUT_FILES.add(Path(path).resolve())


def _guard_output(path: Path, protect: Iterable[str | os.PathLike[str]] = ()) -> None:
    target = path.resolve()
    protected = _INPUT_FILES | {Path(p).resolve() for p in protect}
    if target in protected:
        raise DataError(f"refusing to write output over the input file {path}")


def atomic_write(
    path: str | os.PathLike[str],
    writer: Callable[[Path], object],
    *,
    protect: Iterable[str | os.PathLike[str]] = (),
) -> Path:
    """Call ``writer(tmp_path)`` and rename the temporary file to ``path``.

    Parameters
    ----------
    path : path-like
        Final location; parent folders are created.
    writer : callable
        Writes the content to the temporary path it is given.
    protect : iterable of path-like
        Extra paths that must not be overwritten (besides registered inputs).

    Returns
    -------
    pathlib.Path
        The final path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> p = atomic_write(d / "a.txt", lambda t: t.write_text("hi"))
    >>> p.read_text()
    'hi'
    """
    final = Path(path)
    _guard_output(final, protect)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        dir=final.parent, prefix=f".{final.name}.", suffix=final.suffix
    )
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        writer(tmp_path)
        os.chmod(
            tmp_path, 0o666 & ~_umask()
        )  # mkstemp creates 0600; give normal rights
        os.replace(tmp_path, final)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    return final


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def read_table(
    path: str | os.PathLike[str], *, sheet: str | int | None = None
) -> pd.DataFrame:
    """Read a CSV, XLSX/XLS or Parquet file into a DataFrame.

    CSV/TXT/TSV text may be UTF-8 (with or without BOM), GB18030/GBK (what Chinese
    Excel writes as "CSV"; tried when UTF-8 fails) or UTF-16 (Excel's "Unicode
    text": found by its byte-order mark or, without one, by its zero bytes). A
    ``.tsv`` file, or a first line with tabs and no commas, is tab-separated.

    Parameters
    ----------
    path : path-like
        File to read; the format follows the suffix.
    sheet : str or int, optional
        Sheet of an Excel workbook (default: the first).

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("省份,年份\\n北京,2020\\n", encoding="utf-8")
    >>> read_table(p).columns.tolist()
    ['省份', '年份']
    """
    p = Path(path)
    if not p.exists():
        raise DataError(f"input file not found: {p}")
    register_input(p)
    suffix = p.suffix.lower()
    try:
        if suffix in {".csv", ".txt", ".tsv"}:
            return _read_text(p)
        if suffix in {".xlsx", ".xlsm", ".xls"}:
            return pd.read_excel(p, sheet_name=0 if sheet is None else sheet)
        if suffix in {".parquet", ".pq"}:
            return pd.read_parquet(p)
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        if isinstance(exc, DataError):
            raise
        raise DataError(f"cannot read {p}: {exc}") from exc
    except ImportError as exc:
        fix = (
            'pip install "spatialgreen[parquet]"'
            if suffix in {".parquet", ".pq"}
            else "pip install xlrd, or save the file as .xlsx"
            if suffix == ".xls"
            else "pip install the package named above"
        )
        raise DependencyError(
            f"reading {p} needs an optional dependency ({exc}); {fix}"
        ) from exc
    raise DataError(
        f"unsupported file type {suffix!r} for {p}; use .csv, .xlsx or .parquet"
    )


def _read_text(p: Path) -> pd.DataFrame:
    """A delimited text file in whichever encoding and separator it was saved with."""
    with open(p, "rb") as handle:
        head = handle.read(4096)
    encodings = ["utf-8-sig", "gb18030"]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ["utf-16"]  # the BOM says which byte order
    elif b"\x00" in head[:200]:  # UTF-16 without BOM: ASCII has a zero byte each
        odd = head[1::2].count(0) >= head[0::2].count(0)
        encodings = ["utf-16-le" if odd else "utf-16-be"]
    # tabs and commas are single bytes in UTF-8 and GB18030 (no trail byte is
    # 0x09 or 0x2C), so latin-1 finds them in the first line of either
    wide = encodings[0].startswith("utf-16")
    first = head.decode(encodings[0] if wide else "latin-1", errors="ignore")
    line = first.splitlines()[0] if first.strip() else ""
    tabs = p.suffix.lower() == ".tsv" or ("\t" in line and "," not in line)
    error: UnicodeDecodeError | None = None
    for encoding in encodings:
        try:
            return pd.read_csv(p, sep="\t" if tabs else ",", encoding=encoding)
        except UnicodeDecodeError as exc:
            error = exc
    raise DataError(f"cannot read {p}: {error}")


#: First characters that make a spreadsheet read a text cell as a formula (OWASP's
#: list: = + - @ tab CR, plus the full-width forms a Chinese IME types).
FORMULA_PREFIXES = (
    "=",
    "+",
    "-",
    "@",
    "\t",
    "\r",
    "\uff1d",
    "\uff0b",
    "\uff0d",
    "\uff20",
)
# A number written as text, optionally with significance stars ("-5", "-0.512***",
# "+1.2e-3"): no letters, references or calls, so nothing a spreadsheet could run.
_NUMBER_TEXT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\**")


def formula_like(value: object) -> bool:
    """Whether ``value`` is text a spreadsheet would read as a formula.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (or
    the full-width ``＝ ＋ － ＠``) is formula-like, unless it is just a number
    (optionally with significance stars, as regression tables write them). Numbers
    themselves are never formula-like.

    Examples
    --------
    >>> [formula_like(v) for v in ["=1+1", "@SUM(A1)", "-5", "-0.5***", -5, "北京"]]
    [True, True, False, False, False, False]
    >>> formula_like("-2+3+cmd|' /C calc'!A0"), formula_like("\\t=1")
    (True, True)
    """
    return (
        isinstance(value, str)
        and value.startswith(FORMULA_PREFIXES)
        and _NUMBER_TEXT.fullmatch(value) is None
    )


def _neutral(value: Any) -> Any:
    return "'" + value if formula_like(value) else value


def _neutral_labels(labels: pd.Index) -> pd.Index:
    if isinstance(labels, pd.MultiIndex):
        return labels.set_levels(
            [level.map(_neutral) for level in labels.levels], verify_integrity=False
        )
    return labels.map(_neutral)


def neutralise_formulas(
    df: pd.DataFrame, *, index: bool = False, warn: bool = True
) -> pd.DataFrame:
    """A copy of ``df`` whose formula-like text cells start with ``'``.

    The usual defence against spreadsheet formula injection (OWASP "CSV
    Injection"): a text cell (or column name, or index label when ``index``)
    for which :func:`formula_like` holds gets a leading apostrophe, so Excel,
    WPS and LibreOffice show it as text instead of evaluating it. Numbers are
    never changed; numbers written as text (``"-5"``, ``"-0.512***"``) neither.
    ``df`` itself is not modified. :func:`write_table` applies this to every CSV.

    Parameters
    ----------
    df : DataFrame
        The table to write.
    index : bool
        Also neutralise the index labels (when the index is written).
    warn : bool
        Warn (:class:`~spatialgreen.errors.SpatialGreenWarning`) naming the
        columns whose cells were prefixed.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"unit": ["=HYPERLINK(1)", "北京"], "x": [-1.5, 2.0]})
    >>> neutralise_formulas(t, warn=False)["unit"].tolist()
    ["'=HYPERLINK(1)", '北京']
    >>> t["unit"].tolist()  # the input is unchanged
    ['=HYPERLINK(1)', '北京']
    """
    out = df.copy()
    changed: list[str] = []
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        if not (
            pd.api.types.is_object_dtype(column.dtype)
            or pd.api.types.is_string_dtype(column.dtype)
            or isinstance(column.dtype, pd.CategoricalDtype)
        ):
            continue  # numbers, booleans and dates hold no text
        # once per distinct value: unit names repeat over the years of a panel
        codes, uniques = pd.factorize(column)
        flags = np.array([formula_like(v) for v in uniques] + [False], dtype=bool)
        mask = flags[codes]  # code -1 (missing) takes the trailing False
        if mask.any():
            values = column.astype(object).to_numpy(copy=True)
            values[mask] = ["'" + v for v in values[mask]]
            out.isetitem(position, values)
            changed.append(str(out.columns[position]))
    new_columns = _neutral_labels(out.columns)
    if not new_columns.equals(out.columns):
        changed.append("(column names)")
        out.columns = new_columns
    if index:
        new_index = _neutral_labels(out.index)
        if not new_index.equals(out.index):
            changed.append("(index)")
            out.index = new_index
    if warn and changed:
        warnings.warn(
            "text starting with =, +, -, @, tab or CR in "
            f"{', '.join(repr(c) for c in changed[:10])} was written with a leading "
            "' so that spreadsheets show it as text instead of running it as a "
            "formula",
            SpatialGreenWarning,
            stacklevel=3,
        )
    return out


def write_table(
    df: pd.DataFrame, path: str | os.PathLike[str], *, index: bool = False
) -> Path:
    """Write one table as CSV (UTF-8 with BOM) or XLSX (by suffix), atomically.

    CSV rows end in CRLF (RFC 4180), so cells holding line breaks or carriage
    returns are quoted and read back whole. Spreadsheet formulas are
    neutralised: in a CSV, formula-like text (see
    :func:`formula_like`) gets a leading ``'`` (:func:`neutralise_formulas`, with a
    warning naming the columns); an XLSX holds text as text cells (see
    :func:`write_tables`). Parquet is written as is.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "s.csv"
    >>> write_table(pd.DataFrame({"a": [1]}), p).name
    's.csv'
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".csv":
        safe = neutralise_formulas(df, index=index)
        # CRLF rows (RFC 4180, as Excel writes them): with "\n" alone, a cell
        # holding a carriage return was written unquoted and split its row on reading
        return atomic_write(
            p,
            lambda t: safe.to_csv(
                t, index=index, encoding=CSV_ENCODING, lineterminator="\r\n"
            ),
        )
    if suffix == ".xlsx":
        return write_tables({"data": df}, p, index=index)
    if suffix in {".parquet", ".pq"}:
        return atomic_write(p, lambda t: df.to_parquet(t, index=index))
    raise DataError(f"unsupported output type {suffix!r} for {p}; use .csv or .xlsx")


def write_tables(
    tables: Mapping[str, pd.DataFrame],
    path: str | os.PathLike[str],
    *,
    index: bool = False,
) -> Path:
    """Write several tables to one XLSX workbook, one sheet each, atomically.

    Sheet names are cut to Excel's 31 characters, characters Excel forbids
    (``[]:*?/\\``) become ``_``, and names that then coincide (case-insensitively,
    as Excel compares them) get a ``~2``, ``~3``, ... suffix, so no table is ever
    written over another.

    Text is written as text cells, never as formulas (openpyxl would store
    ``"=..."`` as a live formula); formula-like text (:func:`formula_like`) is
    kept exactly and marked with Excel's quote prefix, so editing the cell keeps
    it text as well.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd, openpyxl
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "b.xlsx"
    >>> t = {"a" * 40: pd.DataFrame({"x": [1]}), "a" * 41: pd.DataFrame({"y": [2]})}
    >>> openpyxl.load_workbook(write_tables(t, p)).sheetnames == ["a" * 31,
    ...                                                          "a" * 29 + "~2"]
    True
    """
    names = _sheet_names([str(name) for name in tables])

    def _write(tmp: Path) -> None:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xl:
            for sheet, table in zip(names, tables.values(), strict=True):
                table.to_excel(xl, sheet_name=sheet, index=index)
                _text_cells(xl.sheets[sheet])

    return atomic_write(path, _write)


def _text_cells(sheet: Any) -> None:
    """Make every formula-like string of an openpyxl sheet a quote-prefixed text cell.

    spatialgreen never writes formulas, so every ``"f"`` cell came from text.
    """
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f" or formula_like(cell.value):
                cell.data_type = "s"
                cell.quotePrefix = True


def _sheet_names(names: Iterable[str]) -> list[str]:
    """Valid, distinct Excel sheet names (<= 31 characters, case-insensitive)."""
    out: list[str] = []
    seen: set[str] = set()
    for name in names:
        base = re.sub(r"[\[\]:*?/\\]", "_", name).strip("'")[:31] or "sheet"
        sheet, k = base, 1
        while sheet.lower() in seen:
            k += 1
            suffix = f"~{k}"
            sheet = base[: 31 - len(suffix)] + suffix
        seen.add(sheet.lower())
        out.append(sheet)
    return out
