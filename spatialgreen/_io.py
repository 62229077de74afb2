"""Reading user tables and writing outputs atomically.

Outputs are written to a temporary file in the target folder and renamed into place,
so a crash never leaves half a file, and nothing is ever written over an input file.
It sits at the package root, shared by every room that reads a user's table or writes
a result (panel, results, geo, report, the CLI); it depends on none of them.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import pandas as pd

from .errors import DataError, DependencyError

__all__ = [
    "atomic_write",
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

    CSV files are tried as UTF-8 (with or without BOM) and then as GB18030, the
    encoding Chinese Excel often writes.

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
            sep = "\t" if suffix == ".tsv" else ","
            try:
                return pd.read_csv(p, sep=sep, encoding="utf-8-sig")
            except UnicodeDecodeError:
                return pd.read_csv(p, sep=sep, encoding="gb18030")
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


def write_table(
    df: pd.DataFrame, path: str | os.PathLike[str], *, index: bool = False
) -> Path:
    """Write one table as CSV (UTF-8 with BOM) or XLSX (by suffix), atomically.

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
        return atomic_write(
            p, lambda t: df.to_csv(t, index=index, encoding=CSV_ENCODING)
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

    return atomic_write(path, _write)


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
