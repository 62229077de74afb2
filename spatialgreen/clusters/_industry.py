"""Industry harmonisation: free text → GB/T 4754-2017 divisions, and pair relations.

The shipped tables live in ``spatialgreen/datasets/industry/`` (see the README
there): the 20 sections and 97 divisions of GB/T 4754-2017, a Chinese + English
keyword dictionary and a table of related divisions. Every table can be replaced
by the user with a DataFrame or a CSV path of the same columns.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import TypeAlias

import pandas as pd

from ..errors import DataError

__all__ = [
    "MATCH_CLASSES",
    "IndustryTables",
    "industry_tables",
    "normalize_text",
]

_DIR = Path(__file__).parents[1] / "datasets" / "industry"

#: Pair classes from closest to farthest; "unclassified" when a side has no division.
MATCH_CLASSES = ("identical", "similar", "unrelated", "unclassified")

TableLike: TypeAlias = pd.DataFrame | str | os.PathLike[str] | None


def normalize_text(text: str) -> str:
    """NFKC-normalise (full-width → half-width), lower-case and trim ``text``.

    Examples
    --------
    >>> normalize_text("  ＬＥＤ照明 ")
    'led照明'
    """
    return unicodedata.normalize("NFKC", str(text)).strip().lower()


def _load(
    table: TableLike, default: str, columns: tuple[str, ...], role: str
) -> pd.DataFrame:
    if table is None:
        frame = _read_shipped(default)
    elif isinstance(table, pd.DataFrame):
        frame = table.copy()
    else:
        path = Path(table)
        if not path.exists():
            raise DataError(f"{role} table not found: {path}")
        frame = pd.read_csv(
            path, dtype=str, keep_default_na=False, encoding="utf-8-sig"
        )
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(
            f"{role} table lacks column(s) {', '.join(map(repr, missing))}; "
            f"expected {', '.join(columns)}"
        )
    frame = frame[list(columns)].astype(str)
    for col in columns:
        frame[col] = frame[col].str.strip()
    return frame


@cache
def _read_shipped(name: str) -> pd.DataFrame:
    return pd.read_csv(_DIR / name, dtype=str, keep_default_na=False, encoding="utf-8")


def _division_code(value: str) -> str:
    """Two-digit division code ("1" → "01"); sections and other text pass through."""
    return value.zfill(2) if value.isdigit() and len(value) <= 2 else value


class IndustryTables:
    """Divisions, keywords and related divisions, with text classification.

    Parameters
    ----------
    keywords : DataFrame or path, optional
        Columns ``keyword``, ``division`` (one row per keyword and division; a
        keyword may point to several divisions).
    related : DataFrame or path, optional
        Columns ``division_a``, ``division_b``: pairs counted as similar industries
        (symmetric).
    divisions : DataFrame or path, optional
        Columns ``section``, ``division`` (plus names): the classification itself.
    """

    def __init__(
        self,
        keywords: TableLike = None,
        related: TableLike = None,
        divisions: TableLike = None,
    ) -> None:
        self.divisions = _load(
            divisions,
            "gbt4754_2017_divisions.csv",
            ("section", "division", "division_zh", "division_en")
            if divisions is None
            else ("section", "division"),
            "industry division",
        )
        self.divisions["division"] = self.divisions["division"].map(_division_code)
        self.section_of = dict(
            zip(self.divisions["division"], self.divisions["section"], strict=True)
        )
        kw = _load(
            keywords, "keywords.csv", ("keyword", "division"), "industry keyword"
        )
        kw["division"] = kw["division"].map(_division_code)
        unknown = sorted(set(kw["division"]) - set(self.section_of))
        if unknown:
            raise DataError(
                "industry keywords point to division(s) not in the classification: "
                + ", ".join(unknown)
            )
        kw["keyword"] = kw["keyword"].map(normalize_text)
        kw = kw[kw["keyword"] != ""]
        self.keywords = kw.reset_index(drop=True)
        self._divisions_of_keyword = kw.groupby("keyword", sort=False)["division"].agg(
            lambda s: tuple(dict.fromkeys(s))
        )
        self._pattern = _keyword_pattern(self._divisions_of_keyword.index)
        rel = _load(
            related, "related_divisions.csv", ("division_a", "division_b"), "related"
        )
        pairs = set()
        for a, b in zip(rel["division_a"], rel["division_b"], strict=True):
            a, b = _division_code(a), _division_code(b)
            pairs.add((a, b))
            pairs.add((b, a))
        self.related_pairs = frozenset(pairs)

    def classify(self, text: str) -> tuple[str, ...]:
        """Divisions named in ``text``, in order of mention (longest keyword wins).

        Examples
        --------
        >>> tables = industry_tables()
        >>> tables.classify("新能源汽车及零部件")
        ('36',)
        >>> tables.classify("Textiles and apparel")
        ('17', '18')
        """
        found: dict[str, None] = {}
        for hit in self._pattern.finditer(normalize_text(text)):
            for division in self._divisions_of_keyword[hit.group(0)]:
                found.setdefault(division, None)
        return tuple(found)

    def relation(
        self, a: Iterable[str], b: Iterable[str], *, by_section: bool = False
    ) -> str:
        """Class of a pair of division sets (identical, similar, unrelated, ...).

        Identical when the sets share a division; similar when they contain a
        related pair (or, only if ``by_section``, share a GB/T section);
        unclassified when a side is empty.

        Examples
        --------
        >>> tables = industry_tables()
        >>> tables.relation(["17"], ["17", "18"]), tables.relation(["17"], ["18"])
        ('identical', 'similar')
        >>> tables.relation(["17"], ["66"]), tables.relation([], ["66"])
        ('unrelated', 'unclassified')
        """
        a, b = set(a), set(b)
        if not a or not b:
            return "unclassified"
        if a & b:
            return "identical"
        if by_section and {self.section_of[x] for x in a} & {
            self.section_of[y] for y in b
        }:
            return "similar"
        if any((x, y) in self.related_pairs for x in a for y in b):
            return "similar"
        return "unrelated"


def _keyword_pattern(keywords: Iterable[str]) -> re.Pattern[str]:
    # One alternation, longest first: at each position the regex engine takes the
    # first alternative that matches, so "电子商务" wins over "电子".
    # ASCII keywords must stand as whole words ("tea" must not match "steam").
    parts = []
    for kw in sorted(keywords, key=lambda k: (-len(k), k)):
        escaped = re.escape(kw)
        parts.append(
            rf"(?<![a-z0-9]){escaped}(?![a-z0-9])" if kw.isascii() else escaped
        )
    return re.compile("|".join(parts)) if parts else re.compile(r"(?!x)x")


def industry_tables(
    keywords: TableLike = None, related: TableLike = None, divisions: TableLike = None
) -> IndustryTables:
    """The industry tables, shipped or user-supplied (shipped ones are cached).

    Examples
    --------
    >>> industry_tables().section_of["39"]
    'C'
    """
    if keywords is None and related is None and divisions is None:
        return _shipped_tables()
    return IndustryTables(keywords, related, divisions)


@cache
def _shipped_tables() -> IndustryTables:
    return IndustryTables()
