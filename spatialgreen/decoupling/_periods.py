"""Period pairs and changes shared by Tapio decoupling and catch-up typing."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..errors import DataError, PanelError
from ..panel import validate_panel


def _period_pairs(
    data: pd.DataFrame, unit: str, time: str, periods: Sequence | None
) -> list[tuple[object, object]]:
    info = validate_panel(data, unit=unit, time=time)
    if periods is None:
        _require_no_holes(data, unit, time, info.periods)
        return list(zip(info.periods[:-1], info.periods[1:], strict=True))
    pairs = []
    conv = type(info.periods[0]) if info.periods else int
    for p in periods:
        if isinstance(p, str):
            # accept the en/em dashes, "~" and "至" that Chinese tables use
            text = p.translate(str.maketrans("–—~至", "----"))
            left, _, right = text.partition("-")
            try:
                pairs.append((conv(left.strip()), conv(right.strip())))
            except ValueError:
                raise DataError(f"period {p!r} is not 'start-end'") from None
        else:
            # ("2005", "2010") on an integer year column means 2005-2010
            try:
                a, b = (conv(t.strip()) if isinstance(t, str) else t for t in p[:2])
            except ValueError:
                raise DataError(f"period {p!r} is not (start, end)") from None
            pairs.append((a, b))
    for a, b in pairs:
        for t in (a, b):
            if t not in info.periods:
                raise DataError(f"period bound {time}={t} is not in the data")
        if not a < b:
            raise DataError(f"period {a}-{b}: start must precede end")
    return pairs


def _require_no_holes(data: pd.DataFrame, unit: str, time: str, periods: tuple) -> None:
    """Year-on-year changes need every unit observed in each period of its span."""
    rank = {p: i for i, p in enumerate(periods)}
    holes = []
    for u, ts in data.groupby(unit, sort=False)[time]:
        idx = sorted(rank[t] for t in ts)
        missing = sorted(set(range(idx[0], idx[-1] + 1)) - set(idx))
        holes += [f"{unit}={u}, {time}={periods[i]}" for i in missing]
    if holes:
        raise PanelError(
            "year-on-year changes need consecutive observations; missing: "
            + "; ".join(holes[:20])
        )


def _changes(
    data: pd.DataFrame,
    cols: Sequence[str],
    unit: str,
    time: str,
    periods: Sequence | None,
) -> pd.DataFrame:
    """Start and end values of ``cols`` per unit and period (one row each)."""
    pairs = _period_pairs(data, unit, time, periods)
    wide = data.set_index([unit, time])[list(cols)]
    rows = []
    for a, b in pairs:
        start = wide.xs(a, level=time)
        end = wide.xs(b, level=time)
        both = pd.concat(
            [start.add_suffix("_start"), end.add_suffix("_end")], axis=1, join="outer"
        )
        incomplete = both.isna().any(axis=1)
        if incomplete.any() and periods is not None:
            who = ", ".join(map(str, both.index[incomplete][:20]))
            raise DataError(
                f"period {a}-{b}: {unit} {who} lack(s) the start or end {time}"
            )
        both = both.loc[~incomplete]
        both.insert(0, "end", b)
        both.insert(0, "start", a)
        both.insert(0, "period", f"{a}-{b}")
        rows.append(both.reset_index())
    return pd.concat(rows, ignore_index=True)
