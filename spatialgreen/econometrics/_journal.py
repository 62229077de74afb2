"""The exports every journal table shares: text, CSV, XLSX, LaTeX, HTML, DOCX, RTF.

A journal table (:class:`~spatialgreen.econometrics.RegressionTable`, the
:func:`~spatialgreen.econometrics.describe` table) is a display table of strings —
a label column (named ``""``) and one column per model or statistic — plus a note
(``meta["notes"]``) and, for LaTeX, the rows before which a ``\\midrule`` goes
(``meta["sections"]``). Every format carries the same rows and the same note:

- text and HTML for reading; LaTeX with booktabs rules;
- DOCX and RTF as the three-line table Chinese journals print (:mod:`._word`);
- CSV with the note as its last row; XLSX with the table on a ``table`` sheet drawn
  as a three-line table with the note below it, and the numbers and metadata on
  their own sheets.

Spreadsheet text is never run as a formula: the CSV goes through the shared
writer (:func:`spatialgreen._io.write_table`, which prefixes formula-like text with
``'``), and the XLSX stores formula-like text as quote-prefixed text cells, as
:func:`spatialgreen._io.write_tables` does. Formatted numbers such as
``-0.2963***`` are not formula-like and stay as they are.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path
from typing import Any

import pandas as pd

from .._io import atomic_write, formula_like, write_table
from ..errors import DataError
from ..results import export_frame
from . import _word

__all__ = ["JournalTable", "text_cell"]

_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\^{}",
    # in LaTeX text mode with the default OT1 encoding "<" prints as "¡"
    "<": r"\textless{}",
    ">": r"\textgreater{}",
}
# Greek letters of statistic labels (θ, σ_u, ρ …), with an optional subscript
_GREEK = {
    "θ": r"\theta",
    "σ": r"\sigma",
    "ρ": r"\rho",
    "λ": r"\lambda",
    "χ": r"\chi",
    "β": r"\beta",
    "γ": r"\gamma",
    "η": r"\eta",
}
_GREEK_RE = re.compile(r"([θσρλχβγη](?:_[A-Za-z0-9]+)?)")
FORMATS = (".csv", ".xlsx", ".tex", ".html", ".docx", ".rtf")


class JournalTable:
    """Exports of a display table ``self.table`` with the note ``meta["notes"]``.

    Mixed into frozen :class:`~spatialgreen.results.Results` dataclasses that hold
    ``table`` (strings; first column ``""``) and ``meta`` (``notes``, ``sections``).
    """

    table: pd.DataFrame
    meta: dict

    # -- reading -----------------------------------------------------------------
    def __str__(self) -> str:
        body = self.table.to_string(index=False)
        return f"{body}\n{self.note}" if self.note else body

    def summary(self) -> str:
        """The table and its note as text."""
        return str(self)

    @property
    def note(self) -> str:
        """The note printed under the table."""
        return str(self.meta.get("notes", ""))

    def _cells(self) -> tuple[list[str], list[list[str]]]:
        header = [str(c) for c in self.table.columns]
        rows = [[str(v) for v in row] for row in self.table.itertuples(index=False)]
        return header, rows

    # -- text formats --------------------------------------------------------------
    def to_latex(self, path: str | os.PathLike[str] | None = None) -> str:
        """LaTeX ``tabular`` with booktabs rules; written to ``path`` if given."""
        header, rows = self._cells()
        lines = [
            r"\begin{tabular}{l" + "c" * (len(header) - 1) + "}",
            r"\toprule",
            " & ".join(_latex(h) for h in header) + r" \\",
            r"\midrule",
        ]
        sections = self.meta.get("sections", [])
        for i, row in enumerate(rows):
            if i in sections and i > 0:
                lines.append(r"\midrule")
            cells = [_latex(row[0])] + [_latex_cell(v) for v in row[1:]]
            lines.append(" & ".join(cells) + r" \\")
        lines.append(r"\bottomrule")
        if self.note:
            lines.append(
                rf"\multicolumn{{{len(header)}}}{{l}}"
                rf"{{\footnotesize {_latex(self.note)}}} \\"
            )
        lines.append(r"\end{tabular}")
        text = "\n".join(lines) + "\n"
        if path is not None:
            _write_text(path, text)
        return text

    def to_html(self, path: str | os.PathLike[str] | None = None) -> str:
        """HTML table (a complete UTF-8 page when written to ``path``)."""
        fragment = self.table.to_html(
            index=False, escape=True, border=0, classes="regtable"
        )
        fragment += f'\n<p class="notes">{html.escape(self.note)}</p>\n'
        if path is not None:
            page = (
                '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
                "<title>Table</title>"
                "<style>table.regtable{border-collapse:collapse;"
                "border-top:2px solid #000;border-bottom:2px solid #000}"
                "table.regtable thead th{border-bottom:1px solid #000}"
                "table.regtable td,table.regtable th"
                "{padding:2px 10px;text-align:center}"
                "table.regtable td:first-child{text-align:left}</style></head><body>\n"
                f"{fragment}</body></html>\n"
            )
            _write_text(path, page)
        return fragment

    def _repr_html_(self) -> str:
        """The HTML table and note, for notebooks (all text escaped)."""
        return self.to_html()

    # -- Word ------------------------------------------------------------------------
    def to_docx(
        self, path: str | os.PathLike[str], *, title: str | None = None
    ) -> Path:
        """Write the three-line table and its note as a Word (DOCX) document.

        Heavy rules above and below, a light rule under the header, no vertical
        lines; Times New Roman and SimSun (宋体), 10.5 pt. ``title`` goes above
        the table (e.g. ``"表 3 基准回归结果"``).
        """
        header, rows = self._cells()
        return _word.write_docx(path, header, rows, note=self.note, title=title)

    def to_rtf(self, path: str | os.PathLike[str], *, title: str | None = None) -> Path:
        """Write the three-line table and its note as RTF (opens in Word and WPS)."""
        header, rows = self._cells()
        return _word.write_rtf(path, header, rows, note=self.note, title=title)

    # -- spreadsheets ----------------------------------------------------------------
    def to_table_csv(self, path: str | os.PathLike[str]) -> Path:
        """Write the display table as CSV (UTF-8 with BOM), the note as last row."""
        frame = self.table
        if self.note:
            note_row = [self.note] + [""] * (frame.shape[1] - 1)
            frame = pd.concat(
                [frame, pd.DataFrame([note_row], columns=frame.columns)],
                ignore_index=True,
            )
        return write_table(frame, path)

    def to_excel(
        self, path: str | os.PathLike[str], *, title: str | None = None
    ) -> Path:
        """Write a workbook: the three-line ``table`` sheet, then the other tables.

        The ``table`` sheet holds the header in row 1 (or row 2 under ``title``),
        the rows, and the note under the bottom rule; every other DataFrame of the
        results (the numbers behind the table) gets its own sheet, and the run's
        metadata the last one.
        """
        from openpyxl import Workbook

        header, rows = self._cells()
        others = {
            name: export_frame(t)
            for name, t in self.tables().items()  # type: ignore[attr-defined]
            if name != "table"
        }
        meta = self.metadata()  # type: ignore[attr-defined]
        others["metadata"] = pd.DataFrame(
            {"key": list(meta), "value": [str(v) for v in meta.values()]}
        )

        def write(tmp: Path) -> None:
            wb = Workbook()
            ws = wb.active
            assert ws is not None
            ws.title = "table"
            _three_line_sheet(ws, header, rows, self.note, title)
            for name, frame in others.items():
                _plain_sheet(wb.create_sheet(name[:31]), frame)
            wb.save(tmp)

        return atomic_write(path, write)

    def write(self, path: str | os.PathLike[str], *, title: str | None = None) -> Path:
        """Write by suffix: ``.csv``, ``.xlsx``, ``.tex``, ``.html``, ``.docx``,
        ``.rtf``."""
        p = Path(path)
        suffix = p.suffix.lower()
        if suffix == ".csv":
            return self.to_table_csv(p)
        if suffix == ".xlsx":
            return self.to_excel(p, title=title)
        if suffix == ".docx":
            return self.to_docx(p, title=title)
        if suffix == ".rtf":
            return self.to_rtf(p, title=title)
        if suffix == ".tex":
            self.to_latex(p)
            return p
        if suffix in (".html", ".htm"):
            self.to_html(p)
            return p
        raise DataError(
            f"unsupported table format {suffix!r} for {p}; use " + ", ".join(FORMATS)
        )


def _three_line_sheet(
    ws: Any, header: list[str], rows: list[list[str]], note: str, title: str | None
) -> None:
    from openpyxl.styles import Alignment, Border, Font, Side

    heavy, light = Side(style="medium"), Side(style="thin")
    start = 1
    if title:
        text_cell(ws, 1, 1, title).font = Font(bold=True)
        start = 2
    last = start + len(rows)
    for i, values in enumerate([header, *rows]):
        r = start + i
        for j, value in enumerate(values):
            cell = text_cell(ws, r, j + 1, value)
            cell.alignment = Alignment(horizontal="left" if j == 0 else "center")
            top = heavy if r == start else None
            bottom = light if r == start else (heavy if r == last else None)
            if r == start and r == last:
                bottom = heavy
            cell.border = Border(top=top, bottom=bottom)
    if note:
        text_cell(ws, last + 1, 1, note).font = Font(size=9)
    for j in range(len(header)):
        longest = max(_word._text_width(str(r[j])) for r in [header, *rows])
        letter = ws.cell(row=start, column=j + 1).column_letter
        ws.column_dimensions[letter].width = min(max(longest + 2, 8), 45)


def text_cell(ws: Any, row: int, column: int, value: Any) -> Any:
    """Put ``value`` in a cell of an openpyxl sheet; text is never a formula.

    Formula-like text (:func:`spatialgreen._io.formula_like`) is kept exactly and
    stored as a quote-prefixed text cell, as the shared writer does.

    Examples
    --------
    >>> from openpyxl import Workbook
    >>> ws = Workbook().active
    >>> cell = text_cell(ws, 1, 1, "=1+1")
    >>> cell.value, cell.data_type, cell.quotePrefix
    ('=1+1', 's', True)
    """
    cell = ws.cell(row=row, column=column, value=_plain(value))
    if cell.data_type == "f" or formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def _plain_sheet(ws: Any, frame: pd.DataFrame) -> None:
    for j, name in enumerate(frame.columns):
        text_cell(ws, 1, j + 1, str(name))
    for i, row in enumerate(frame.itertuples(index=False)):
        for j, value in enumerate(row):
            text_cell(ws, i + 2, j + 1, value)


def _plain(value: Any) -> Any:
    """Cell value openpyxl can store (NaN → empty, numpy scalars → Python)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _write_text(path: str | os.PathLike[str], text: str) -> None:
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def _latex(text: str) -> str:
    """LaTeX for text; θ, σ_u, ρ … become math (``$\\sigma_{u}$``), ² ``$^2$``."""
    out = []
    for piece in _GREEK_RE.split(text):
        if piece and piece[0] in _GREEK:
            symbol, _, sub = piece.partition("_")
            out.append(f"${_GREEK[symbol]}" + (f"_{{{sub}}}" if sub else "") + "$")
        else:
            out.append("".join(_LATEX_SPECIAL.get(ch, ch) for ch in piece))
    return "".join(out).replace("²", "$^2$")


def _latex_cell(text: str) -> str:
    match = re.fullmatch(r"(.*?)(\*+)", text)
    if match:
        return f"{_latex(match.group(1))}$^{{{match.group(2)}}}$"
    return _latex(text)
