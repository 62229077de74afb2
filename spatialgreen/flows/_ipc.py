"""Green-patent flag from IPC symbols, by matching against a list of green classes.

The shipped list (``spatialgreen/datasets/green_ipc/green_inventory.csv``) is a
subset of the WIPO IPC Green Inventory; see the README next to it. A list entry is
a subclass (``F03D``), a group (``H01M 8/00`` = main group 8 and all its
subgroups), a subgroup (``C10B 53/02`` and the subgroups whose digits extend it)
or an inclusive range (``C10L 5/40-5/48``; an upper end ``n/00`` covers main group
``n`` entirely).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from ..errors import DataError

__all__ = ["GreenIPC", "green_ipc_list", "parse_ipc"]

_SHIPPED = Path(__file__).parents[1] / "datasets" / "green_ipc" / "green_inventory.csv"
_SYMBOL = re.compile(r"^([A-H]\d{2}[A-Z])\s*(?:(\d{1,4})\s*/\s*(\d{2,6}))?$")
_SPLIT = re.compile(r"[;,|，；、]+")


def parse_ipc(symbol: str) -> tuple[str, int | None, str | None]:
    """Split an IPC symbol into (subclass, main group, subgroup digits).

    Examples
    --------
    >>> parse_ipc("h01m 8/02")
    ('H01M', 8, '02')
    >>> parse_ipc("F03D")
    ('F03D', None, None)
    """
    text = re.sub(r"\s+", " ", str(symbol).strip().upper())
    match = _SYMBOL.match(text)
    if not match:
        raise DataError(
            f"not an IPC symbol: {symbol!r} (expected e.g. 'H01M 8/00' or 'F03D')"
        )
    subclass, main, sub = match.groups()
    return subclass, (int(main) if main else None), sub


def _position(main: int, sub: str) -> tuple[int, int]:
    # Subgroup digits are a decimal fraction: /4 < /40 < /401 < /41 < /5.
    return main, int(sub.ljust(6, "0"))


@dataclass(frozen=True)
class _Entry:
    subclass: str
    low: tuple[int, str] | None
    high: tuple[int, str] | None
    category: str

    def covers(self, subclass: str, main: int | None, sub: str | None) -> bool:
        if subclass != self.subclass:
            return False
        if self.low is None:
            return True
        if main is None or sub is None:
            return False
        here = _position(main, sub)
        if here < _position(*self.low):
            return False
        assert self.high is not None
        high_main, high_sub = self.high
        if high_sub == "00":
            return main <= high_main
        return here <= _position(high_main, high_sub) or (
            main == high_main and sub.startswith(high_sub)
        )


class GreenIPC:
    """A list of green IPC classes and the test of a record's codes against it.

    Parameters
    ----------
    table : DataFrame, path, sequence of str, or None
        ``None`` uses the shipped WIPO IPC Green Inventory subset; a DataFrame or
        CSV needs an ``ipc`` column (and optionally ``category``); a list gives the
        symbols directly.

    Examples
    --------
    >>> green = GreenIPC()
    >>> green.category("F03D 1/06"), green.category("G06F 17/00")
    ('alternative energy production', None)
    >>> GreenIPC(["C02F"]).is_green("A61K 8/00; C02F 1/44")
    True
    """

    def __init__(
        self, table: pd.DataFrame | str | os.PathLike[str] | list[str] | None = None
    ) -> None:
        frame = _as_frame(table)
        self.table = frame
        self._entries = [
            _entry(sym, cat)
            for sym, cat in zip(frame["ipc"], frame["category"], strict=True)
        ]

    def category(self, symbol: str) -> str | None:
        """The green category of one IPC symbol, or None if it is not green."""
        parsed = parse_ipc(symbol)
        for entry in self._entries:
            if entry.covers(*parsed):
                return entry.category
        return None

    def is_green(self, codes: str | None) -> bool:
        """True if any code (separated by ``;`` ``,`` ``|`` or ``、``) is green."""
        if codes is None or (isinstance(codes, float) and pd.isna(codes)):
            return False
        return any(self.category(code) is not None for code in split_codes(codes))


def split_codes(codes: str) -> list[str]:
    """Split a cell holding several IPC symbols."""
    return [c.strip() for c in _SPLIT.split(str(codes)) if c.strip()]


def _entry(symbol: str, category: str) -> _Entry:
    text = str(symbol).strip().upper()
    low_text, _, high_text = text.partition("-")
    subclass, main, sub = parse_ipc(low_text)
    if main is None or sub is None:
        if high_text:
            raise DataError(f"an IPC range must start at a group: {symbol!r}")
        return _Entry(subclass, None, None, category)
    if high_text:
        high_text = high_text.strip()
        if not _SYMBOL.match(high_text):
            high_text = f"{subclass} {high_text}"
        high_subclass, high_main, high_sub = parse_ipc(high_text)
        if high_subclass != subclass or high_main is None or high_sub is None:
            raise DataError(
                f"bad IPC range {symbol!r}: both ends need the same subclass"
            )
        return _Entry(subclass, (main, sub), (high_main, high_sub), category)
    return _Entry(subclass, (main, sub), (main, sub), category)


def _as_frame(
    table: pd.DataFrame | str | os.PathLike[str] | list[str] | None,
) -> pd.DataFrame:
    if table is None:
        return _shipped().copy()
    if isinstance(table, list | tuple):
        frame = pd.DataFrame({"ipc": list(table)})
    elif isinstance(table, pd.DataFrame):
        frame = table.copy()
    elif Path(table).exists():
        frame = pd.read_csv(
            table, dtype=str, keep_default_na=False, encoding="utf-8-sig"
        )
    else:
        raise DataError(f"green IPC list not found: {Path(table)}")
    if "ipc" not in frame.columns:
        raise DataError("the green IPC list needs an 'ipc' column of IPC symbols")
    if "category" not in frame.columns:
        frame["category"] = "green"
    frame = frame.astype({"ipc": str, "category": str})
    if frame.empty:
        raise DataError("the green IPC list is empty")
    return frame


@cache
def _shipped() -> pd.DataFrame:
    return pd.read_csv(_SHIPPED, dtype=str, keep_default_na=False, encoding="utf-8")


def green_ipc_list() -> pd.DataFrame:
    """The shipped green IPC classes (WIPO IPC Green Inventory subset).

    Examples
    --------
    >>> sorted(green_ipc_list()["category"].unique())[:2]
    ['administrative, regulatory or design aspects', 'agriculture or forestry']
    """
    return _shipped().copy()
