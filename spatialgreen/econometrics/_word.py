"""Word forms of journal tables: the three-line table as DOCX (python-docx) and RTF.

Chinese journals (and most economics journals) print a *three-line table* (三线表):
a heavy rule above the header, a light rule under it, a heavy rule under the last
row, and no vertical lines; the note follows the table in a smaller font. Both
writers here draw exactly that: 1.5 pt outer rules and a 0.75 pt header rule, the
label column left-aligned and the model columns centred, Times New Roman for Latin
text and SimSun (宋体) for Chinese, 10.5 pt (五号) body and 9 pt note.

RTF is plain text, written by hand (every Word processor opens it); DOCX goes
through python-docx, whose XML is placed in the schema order Word requires.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from .._io import atomic_write
from ..errors import _require

__all__ = ["rtf_document", "write_docx", "write_rtf"]

LATIN_FONT = "Times New Roman"
CJK_FONT = "SimSun"  # 宋体; Word on Chinese systems maps the English name too
BODY_PT = 10.5  # 五号
NOTE_PT = 9.0  # 小五
HEAVY_EIGHTHS = 12  # DOCX border size in 1/8 pt: 1.5 pt
LIGHT_EIGHTHS = 6  # 0.75 pt
HEAVY_TWIPS = 30  # RTF border width in twips: 1.5 pt
LIGHT_TWIPS = 15  # 0.75 pt


def _char_width(ch: str) -> int:
    """Display width of a character: 2 for CJK and full-width forms, else 1."""
    return 2 if ord(ch) >= 0x2E80 else 1


def _text_width(text: str) -> int:
    return sum(_char_width(ch) for ch in text)


def _column_twips(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[int]:
    """Column widths in twips from the longest cell of each column."""
    widths = []
    for j in range(len(header)):
        longest = max(_text_width(str(r[j])) for r in [header, *rows])
        low, high = (1600, 4200) if j == 0 else (1000, 2400)
        widths.append(min(max(110 * longest + 240, low), high))
    return widths


# --------------------------------------------------------------------------- DOCX


def write_docx(
    path: str | os.PathLike[str],
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    note: str = "",
    title: str | None = None,
) -> Path:
    """Write a three-line table (and its note) as a Word document, atomically.

    Examples
    --------
    >>> import tempfile, pathlib, docx
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.docx"
    >>> _ = write_docx(p, ["", "(1)"], [["x", "0.5000***"], ["", "(0.1000)"]])
    >>> [c.text for c in docx.Document(p).tables[0].rows[1].cells]
    ['x', '0.5000***']
    """
    _require("docx", "paper", "Word (.docx) tables")
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, Twips

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT  # type: ignore[attr-defined]
    normal.font.size = Pt(BODY_PT)  # type: ignore[attr-defined]
    _east_asian_font(normal.element, CJK_FONT)
    widths = _column_twips(header, rows)
    if sum(widths) > 9000:  # wider than a portrait A4 text block: turn the page
        section = doc.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = (
            section.page_height,
            section.page_width,
        )
    if title:
        para = doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        para.add_run(title).bold = True
    table = doc.add_table(rows=len(rows) + 1, cols=len(header))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Twips(width)  # the grid (LibreOffice, WPS read it)
    _table_borders(table._tbl)
    for i, values in enumerate([header, *rows]):
        row = table.rows[i]
        for j, value in enumerate(values):
            cell = row.cells[j]
            cell.width = Twips(widths[j])
            para = cell.paragraphs[0]
            para.text = str(value)
            para.alignment = (
                WD_ALIGN_PARAGRAPH.LEFT if j == 0 else WD_ALIGN_PARAGRAPH.CENTER
            )
            para.paragraph_format.space_before = Pt(0)
            para.paragraph_format.space_after = Pt(0)
            if i == 0:
                _cell_border(cell._tc, "bottom", LIGHT_EIGHTHS)
    _repeat_header(table.rows[0]._tr)
    if note:
        para = doc.add_paragraph()
        para.paragraph_format.space_before = Pt(3)
        para.add_run(note).font.size = Pt(NOTE_PT)
    return atomic_write(path, lambda tmp: doc.save(str(tmp)))


def _east_asian_font(style_element: object, font: str) -> None:
    from docx.oxml.ns import qn

    rpr = style_element.get_or_add_rPr()  # type: ignore[attr-defined]
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), font)


def _border(edge: str, size: int | None) -> object:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    element = OxmlElement(f"w:{edge}")
    if size is None:
        element.set(qn("w:val"), "nil")
    else:
        element.set(qn("w:val"), "single")
        element.set(qn("w:sz"), str(size))
        element.set(qn("w:space"), "0")
        element.set(qn("w:color"), "000000")
    return element


def _table_borders(tbl: object) -> None:
    """Heavy top and bottom rules; no sides, no inside lines."""
    from docx.oxml import OxmlElement

    borders = OxmlElement("w:tblBorders")
    for edge, size in (
        ("top", HEAVY_EIGHTHS),
        ("left", None),
        ("bottom", HEAVY_EIGHTHS),
        ("right", None),
        ("insideH", None),
        ("insideV", None),
    ):
        borders.append(_border(edge, size))
    tbl_pr = tbl.tblPr  # type: ignore[attr-defined]
    tbl_pr.insert_element_before(
        borders,
        "w:shd",
        "w:tblLayout",
        "w:tblCellMar",
        "w:tblLook",
        "w:tblCaption",
        "w:tblDescription",
        "w:tblPrChange",
    )


def _cell_border(tc: object, edge: str, size: int) -> None:
    from docx.oxml import OxmlElement

    tc_pr = tc.get_or_add_tcPr()  # type: ignore[attr-defined]
    borders = OxmlElement("w:tcBorders")
    borders.append(_border(edge, size))
    tc_pr.insert_element_before(
        borders,
        "w:shd",
        "w:noWrap",
        "w:tcMar",
        "w:textDirection",
        "w:tcFitText",
        "w:vAlign",
        "w:hideMark",
        "w:headers",
        "w:cellIns",
        "w:cellDel",
        "w:cellMerge",
        "w:tcPrChange",
    )


def _repeat_header(tr: object) -> None:
    """Repeat the header row on every page of a long table."""
    from docx.oxml import OxmlElement

    tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------- RTF


def rtf_escape(text: str) -> str:
    r"""RTF for ``text``: ``\ { }`` escaped, non-ASCII as ``\uN?``, CJK in SimSun.

    Examples
    --------
    >>> rtf_escape("a{b}")
    'a\\{b\\}'
    >>> rtf_escape("R²")
    'R\\u178?'
    >>> rtf_escape("东部")
    '{\\f1 \\u19996?\\u-28440?}'
    """
    out: list[str] = []
    cjk_open = False
    for ch in text:
        cjk = ord(ch) >= 0x2E80
        if cjk and not cjk_open:
            out.append(r"{\f1 ")
        elif not cjk and cjk_open:
            out.append("}")
        cjk_open = cjk
        if ch in "\\{}":
            out.append("\\" + ch)
        elif ch == "\n":
            out.append(r"\line ")
        elif ch == "\t":
            out.append(r"\tab ")
        elif ord(ch) < 0x80:
            out.append(ch)
        else:
            encoded = ch.encode("utf-16-le")
            for k in range(0, len(encoded), 2):  # surrogate pairs beyond the BMP
                code = int.from_bytes(encoded[k : k + 2], "little", signed=True)
                out.append(f"\\u{code}?")
    if cjk_open:
        out.append("}")
    return "".join(out)


def rtf_document(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    note: str = "",
    title: str | None = None,
) -> str:
    r"""A complete RTF document holding the three-line table and its note.

    Examples
    --------
    >>> text = rtf_document(["", "(1)"], [["x", "0.5000***"]], note="SE")
    >>> text.startswith("{\\rtf1"), text.count("\\cell "), text.count("\\row")
    (True, 4, 2)
    """
    widths = _column_twips(header, rows)
    edges = []
    total = 0
    for w in widths:
        total += w
        edges.append(total)
    body = round(BODY_PT * 2)
    lines = [
        r"{\rtf1\ansi\ansicpg1252\deff0\uc1",
        rf"{{\fonttbl{{\f0\froman\fcharset0 {LATIN_FONT};}}"
        rf"{{\f1\fnil\fcharset134 {CJK_FONT};}}}}",
        r"\paperw11906\paperh16838\margl1440\margr1440\margt1440\margb1440",
        r"\viewkind4\pard\plain\f0" + rf"\fs{body}",
    ]
    if title:
        lines.append(rf"\pard\qc\sa120{{\b {rtf_escape(title)}}}\par")
    all_rows = [header, *rows]
    last = len(all_rows) - 1
    for i, values in enumerate(all_rows):
        borders = ""
        if i == 0:
            borders = (
                rf"\clbrdrt\brdrs\brdrw{HEAVY_TWIPS}"
                rf"\clbrdrb\brdrs\brdrw{LIGHT_TWIPS}"
            )
        if i == last:
            borders += rf"\clbrdrb\brdrs\brdrw{HEAVY_TWIPS}"
        row = [r"\trowd\trqc\trgaph108\trleft0" + (r"\trhdr" if i == 0 else "")]
        row += [f"{borders}\\cellx{edge}" for edge in edges]
        cells = [
            rf"\pard\intbl\{'ql' if j == 0 else 'qc'} {rtf_escape(str(v))}\cell "
            for j, v in enumerate(values)
        ]
        lines.append("".join(row))
        lines.append("".join(cells) + r"\row")
    if note:
        lines.append(rf"\pard\sb60\fs{round(NOTE_PT * 2)} {rtf_escape(note)}\par")
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_rtf(
    path: str | os.PathLike[str],
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    note: str = "",
    title: str | None = None,
) -> Path:
    """Write :func:`rtf_document` to ``path`` atomically (ASCII, as RTF requires)."""
    text = rtf_document(header, rows, note=note, title=title)
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="ascii"))
