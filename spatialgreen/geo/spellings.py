"""One unit, several spellings: find and unify unit keys that name the same unit.

A panel whose unit column spells one unit in two ways (``'北京 '`` and ``'北京'``, or
``内蒙古`` in some years and ``内蒙古自治区`` in others) holds two units where there is
one: its chained indices restart, the unit drops out of year-on-year tables and the
panel looks unbalanced. :func:`spelling_variants` finds such keys (surrounding
whitespace, or names matching one adcode); :func:`~spatialgreen.panel.validate_panel`
uses it (through :func:`check_spellings`) to refuse or warn, and
:func:`unify_units` rewrites a panel with one spelling per unit, the first one the
data use.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import pandas as pd

from ..errors import DataError, PanelError, SpatialGreenWarning
from .names import match_units

__all__ = ["check_spellings", "spelling_variants", "unify_units"]

_LEVELS = ("province", "city")
_MAX_UNITS = 5000  # beyond this, a unit column holds no names of regions


def _text_keys(values: Iterable[Any]) -> list[str]:
    """The distinct text keys of ``values`` in order of appearance."""
    return list(dict.fromkeys(v for v in values if isinstance(v, str)))


def spelling_variants(
    units: Iterable[Any], *, levels: Sequence[str] = _LEVELS
) -> list[list[str]]:
    """Groups of distinct text keys that name one unit, in order of appearance.

    Two keys name one unit when they differ only by surrounding whitespace
    (``'北京 '``, ``'北京'``) or match the same adcode at one of ``levels``
    (``内蒙古``, ``内蒙古自治区``, ``Inner Mongolia``; see
    :func:`~spatialgreen.geo.match_units`). Keys that match no unit, numbers and
    adcodes are left alone.

    Parameters
    ----------
    units : iterable
        Unit keys, e.g. a panel's unit column (repeats are fine).
    levels : sequence of {"province", "city"}
        Levels at which names are matched to adcodes (``()``: whitespace only).

    Returns
    -------
    list of list of str
        Each group has at least two keys, first-seen first.

    Examples
    --------
    >>> spelling_variants(["内蒙古", "北京", "内蒙古自治区", "北京 ", "甲公司"])
    [['内蒙古', '内蒙古自治区'], ['北京', '北京 ']]
    """
    keys = _text_keys(units)
    if len(keys) < 2:
        return []
    return [list(g) for g in _groups(tuple(keys), tuple(levels))]


@functools.lru_cache(maxsize=64)
def _groups(
    keys: tuple[str, ...], levels: tuple[str, ...]
) -> tuple[tuple[str, ...], ...]:
    parent = {k: k for k in keys}
    order = {k: i for i, k in enumerate(keys)}

    def root(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    def join(same: dict[Any, list[str]]) -> None:
        for members in same.values():
            for other in members[1:]:
                a, b = root(members[0]), root(other)
                if a != b:
                    parent[max(a, b, key=order.__getitem__)] = min(
                        a, b, key=order.__getitem__
                    )

    stripped: dict[Any, list[str]] = {}
    for k in keys:
        stripped.setdefault(k.strip(), []).append(k)
    join(stripped)
    if len(keys) <= _MAX_UNITS:
        for level in levels:
            codes: dict[Any, list[str]] = {}
            for k, code in zip(
                keys, match_units(keys, level=level, errors="coerce"), strict=True
            ):
                if code is not None:
                    codes.setdefault(code, []).append(k)
            join(codes)
    grouped: dict[str, list[str]] = {}
    for k in keys:
        grouped.setdefault(root(k), []).append(k)
    return tuple(tuple(g) for g in grouped.values() if len(g) > 1)


def check_spellings(
    data: pd.DataFrame, *, unit: str = "unit", time: str | None = None
) -> None:
    """Refuse two spellings of one unit in a period; warn when they split a unit.

    Spellings found by :func:`spelling_variants` in the text keys of
    ``data[unit]`` are an error when they share a period (or, without ``time``,
    at all): two rows for one unit. In different periods they are one unit split
    in two, which makes the panel unbalanced: a
    :class:`~spatialgreen.errors.SpatialGreenWarning` names them and their periods.
    :func:`~spatialgreen.panel.validate_panel` calls this.

    Raises
    ------
    PanelError
        Two spellings of one unit in one period, naming them and the period.

    Examples
    --------
    >>> import pandas as pd, warnings
    >>> df = pd.DataFrame({"p": ["北京", "北京市"], "year": [2020, 2020]})
    >>> check_spellings(df, unit="p", time="year")
    Traceback (most recent call last):
    ...
    spatialgreen.errors.PanelError: column 'p': '北京' and '北京市' name one unit ...
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     check_spellings(df.assign(year=[2019, 2020]), unit="p", time="year")
    >>> print(str(caught[0].message).split(": ", 2)[2])  # doctest: +ELLIPSIS
    '北京' (2019) and '北京市' (2020); use one spelling ...
    """
    values = data[unit]
    if values.dtype != object and not pd.api.types.is_string_dtype(values):
        return
    split = []
    for group in spelling_variants(pd.unique(values)):
        at = ""
        if time is not None:
            periods = {k: data.loc[values == k, time] for k in group}
            seen: set = set()
            shared = []
            for k in group:
                shared += [t for t in periods[k] if t in seen]
                seen.update(periods[k])
            if not shared:
                split.append(
                    " and ".join(f"{k!r} ({_span(periods[k])})" for k in group)
                )
                continue
            at = f" in {time}={_plain(shared[0])}"
        raise PanelError(
            f"column {unit!r}: {' and '.join(map(repr, group))} name one unit and "
            f"both have a row{at} (two rows for one unit); keep one spelling "
            f"(spatialgreen.unify_units(data, unit={unit!r}, level=...))"
        )
    if split:
        shown = "; ".join(split[:20]) + (
            f"; … and {len(split) - 20} more" if len(split) > 20 else ""
        )
        warnings.warn(
            f"column {unit!r}: one unit under two spellings is two units, which "
            f"makes the panel unbalanced: {shown}; use one spelling "
            f"(spatialgreen.unify_units(data, unit={unit!r}, level=...); on the "
            "command line: --match province|city)",
            SpatialGreenWarning,
            stacklevel=3,
        )


def _span(periods: pd.Series) -> str:
    """``2010–2012`` for consecutive integer years, else the periods listed."""
    v = sorted(pd.unique(periods).tolist())
    if len(v) > 1 and all(isinstance(t, int) for t in v) and v[-1] - v[0] == len(v) - 1:
        return f"{v[0]}–{v[-1]}"
    return ", ".join(map(str, v[:6])) + (", …" if len(v) > 6 else "")


def unify_units(
    data: pd.DataFrame,
    *,
    unit: str = "unit",
    level: Literal["province", "city", "county"] = "province",
    time: str | None = None,
) -> pd.DataFrame:
    """A copy of ``data`` with one spelling per unit, matched through adcodes.

    Every name in ``data[unit]`` is matched to its adcode at ``level`` (all names
    must match); names of one unit (``内蒙古``, ``内蒙古自治区``, ``' 内蒙古'``) are
    replaced by the first spelling the data use, without surrounding whitespace,
    with a :class:`~spatialgreen.errors.SpatialGreenWarning` listing each
    replacement. Outputs thus keep the user's own names. The command line's
    ``--match province|city`` calls this (through
    :func:`~spatialgreen.panel.read_panel`).

    Parameters
    ----------
    data : pandas.DataFrame
        Panel or cross-section; not modified.
    unit : str
        Column of unit names (or adcodes).
    level : {"province", "city", "county"}
        Level of the units (see :func:`~spatialgreen.geo.match_units`).
    time : str, optional
        Period column: two spellings of one unit in the same period are an error.

    Returns
    -------
    pandas.DataFrame
        A copy; only ``data[unit]`` differs, where a unit had several spellings.

    Raises
    ------
    UnmatchedUnitError
        Names that match no unit of ``level`` (all listed, with candidates).
    PanelError
        Two spellings of one unit in the same period (or, without ``time``, at
        all), naming them.

    Examples
    --------
    >>> import pandas as pd, warnings
    >>> df = pd.DataFrame({"省份": ["内蒙古", "北京", "内蒙古自治区", "北京"],
    ...                    "年份": [2010, 2010, 2011, 2011], "x": [1, 2, 3, 4]})
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     unify_units(df, unit="省份", time="年份")["省份"].tolist()
    ['内蒙古', '北京', '内蒙古', '北京']
    """
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"expected a pandas DataFrame, got {type(data).__name__}")
    for column in [unit] + ([time] if time else []):
        if column not in data.columns:
            raise DataError(
                f"column {column!r} not found; available columns: "
                + ", ".join(repr(c) for c in list(data.columns)[:40])
            )
    keys = list(dict.fromkeys(data[unit].tolist()))
    codes = match_units(keys, level=level)
    first: dict[int, Any] = {}
    rename: dict[Any, Any] = {}
    for key, code in zip(keys, codes, strict=True):
        canonical = first.setdefault(code, key.strip() if isinstance(key, str) else key)
        if key != canonical:
            rename[key] = canonical
    if not rename:
        return data.copy()
    _check_no_overlap(data, unit, time, rename)
    listed = "; ".join(f"{k!r} → {v!r}" for k, v in list(rename.items())[:20])
    more = f" and {len(rename) - 20} more" if len(rename) > 20 else ""
    warnings.warn(
        f"column {unit!r}: units written in several ways now have one spelling, "
        f"their first: {listed}{more}",
        SpatialGreenWarning,
        stacklevel=2,
    )
    out = data.copy()
    out[unit] = data[unit].map(lambda v: rename.get(v, v))
    return out


def _check_no_overlap(
    data: pd.DataFrame, unit: str, time: str | None, rename: dict[Any, Any]
) -> None:
    """Two spellings of one unit may not share a period (they would be two rows)."""
    keys = [unit] + ([time] if time else [])
    target = data[keys].assign(**{unit: data[unit].map(lambda v: rename.get(v, v))})
    clash = target.duplicated(keep=False) & ~data.duplicated(keys, keep=False)
    if not clash.any():
        return
    first = target.loc[clash].iloc[0]
    same = clash & target[unit].eq(first[unit])
    if time:
        same &= target[time].eq(first[time])
    names = list(dict.fromkeys(data.loc[same, unit]))
    where = f" in {time}={_plain(first[time])}" if time else ""
    raise PanelError(
        f"column {unit!r}: {' and '.join(map(repr, names))} name one unit and both "
        f"have a row{where} (two rows for one unit); keep one of them"
    )


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value
