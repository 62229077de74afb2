"""Tapio (2005) decoupling elasticities, the eight states and refined scores.

References
----------
Tapio, P. (2005) Towards a theory of decoupling. *Transport Policy* 12(2):137–151.
OECD (2002) *Indicators to measure decoupling of environmental pressure from economic
growth*, SG/SD(2002)1.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import DataError, OptionError, check_int, check_number
from ..panel import validate_panel
from ._periods import _changes

#: Tapio's eight states: English label -> Chinese label.
STATES: dict[str, str] = {
    "strong decoupling": "强脱钩",
    "weak decoupling": "弱脱钩",
    "recessive decoupling": "衰退脱钩",
    "expansive coupling": "扩张连接",
    "recessive coupling": "衰退连接",
    "expansive negative decoupling": "扩张负脱钩",
    "strong negative decoupling": "强负脱钩",
    "weak negative decoupling": "弱负脱钩",
}

#: Catch-up types (夏勇 2017): code -> (English label, Chinese label).

_EPS = 1e-12

# --------------------------------------------------------------------------------------
# Tapio decoupling and refined scores
# --------------------------------------------------------------------------------------


def score_table(
    kind: Literal["pressure", "benefit"] = "benefit",
    *,
    width: float = 0.2,
    lowest: int = 0,
    highest: int = 20,
    band: tuple[float, float] = (0.8, 1.2),
    closed: bool = True,
) -> pd.DataFrame:
    """The default refined-score table: elasticity bins of ``width`` -> ordinal score.

    For a **benefit** indicator (environmental productivity: higher elasticity is
    better) the YRD study's scores fit ``score = ⌊e / 0.2⌋ + 5``: e in [0, 0.2) scores
    5, [0.8, 1.0) scores 9, [1.0, 1.2) scores 10 and Shanghai's 2.199 scores 15.
    Negative elasticities continue the same line downwards ([−0.2, 0) scores 4).
    For a **pressure** indicator E (emissions) the matching benefit indicator is the
    intensity inverse G/E, whose elasticity is 1 − e in log changes, so the default
    is ``score = ⌊(1 − e) / 0.2⌋ + 5``, i.e. 9 − ⌊e / 0.2⌋ on bins [k·0.2, (k+1)·0.2):
    e in [0, 0.2) scores 9, [−0.2, 0) scores 10, [0.8, 1.0) scores 5. Scores are
    clipped to [lowest, highest], which makes the first and last bins open-ended.

    Bins are closed on the left, except at the edges where :func:`tapio`'s states
    change: there an elasticity exactly on the edge scores with the bin of its
    state (column ``closed``: "left", "right", "both" or "neither"). e = 0 is
    strong decoupling (``ΔE ≤ 0``), so it joins the bin below 0; with the closed
    coupling ``band`` (0.8, 1.2) e = 0.8 joins the bin above and e = 1.2 the bin
    below (both are coupling); with ``closed=False`` they go the other way. Pass
    ``band`` and ``closed`` as given to :func:`tapio` (which does so for the
    default table), or your own table (``lower``, ``upper``, ``score`` and
    optionally ``closed``) to :func:`tapio` to override.

    Examples
    --------
    >>> t = score_table("benefit")
    >>> t.loc[t["lower"] == 1.0, ["upper", "score", "closed"]].values.tolist()
    [[1.2, 10, 'both']]
    >>> len(t)
    21
    >>> t = score_table("pressure")
    >>> t.loc[t["lower"] == 0.0, ["score", "closed"]].values.tolist()
    [[9, 'neither']]
    """
    if kind not in ("pressure", "benefit"):
        raise DataError(f"kind must be 'pressure' or 'benefit', got {kind!r}")
    width = check_number(width, "width", low=0, closed=(False, True))
    lowest = check_int(lowest, "lowest")
    highest = check_int(highest, "highest", minimum=lowest)
    lo, hi = _check_band(band)
    _check_closed(closed)
    ks = np.arange(-200, 201)
    scores = ks + 5 if kind == "benefit" else 9 - ks
    keep = (scores >= lowest) & (scores <= highest)
    ks, scores = ks[keep], scores[keep]
    lower = np.round(ks * width, 10).astype(float)
    upper = np.round((ks + 1) * width, 10).astype(float)
    lower[0], upper[-1] = -np.inf, np.inf
    # which side owns each edge: the bin above (closed on the left) except where a
    # state changes, where the edge goes with the state tapio() gives it; e = 0
    # (ΔE = 0) is strong decoupling whatever the band, so it is listed last
    edges = [(lo, not closed), (hi, closed), (0.0, True)]

    def owned_below(edge: float) -> bool:
        near = [v for b, v in edges if np.isclose(edge, b, rtol=0, atol=1e-12)]
        return bool(near) and near[-1]

    left = np.array([not owned_below(e) for e in lower])
    right = np.array([owned_below(e) for e in upper])
    names = np.array([["neither", "right"], ["left", "both"]])
    table = pd.DataFrame(
        {
            "lower": lower,
            "upper": upper,
            "score": scores.astype(int),
            "closed": names[left.astype(int), right.astype(int)],
        }
    )
    return table.sort_values("lower", ignore_index=True)


_CLOSED = ("left", "right", "both", "neither")


def _check_band(band: object) -> tuple[float, float]:
    """``band`` as ``(low, high)``, two finite numbers with ``0 <= low < high``.

    Not two numbers (a string, one number, a missing or infinite end) is an
    :class:`OptionError`; two numbers in the wrong order or a negative low end stay
    the :class:`DataError` they have always been.
    """
    ends = [] if isinstance(band, str | bytes) else band
    try:
        ends = list(ends)  # type: ignore[call-overload]
    except TypeError:
        ends = []
    if len(ends) != 2:
        raise OptionError(f"band={band!r}: must be (low, high), two numbers")
    lo = check_number(ends[0], "band[0]")
    hi = check_number(ends[1], "band[1]")
    if not 0 <= lo < hi:
        raise DataError(f"band must be (low, high) with 0 <= low < high, got {band}")
    return lo, hi


def _check_closed(closed: object) -> None:
    if not isinstance(closed, bool | np.bool_):
        raise OptionError(f"closed={closed!r}: must be True or False")


def _apply_scores(elasticity: np.ndarray, table: pd.DataFrame) -> np.ndarray:
    for col in ("lower", "upper", "score"):
        if col not in table.columns:
            raise DataError(
                f"score table needs columns lower, upper, score; lacks {col}"
            )
    t = table.sort_values("lower", ignore_index=True)
    lower, upper = t["lower"].to_numpy(float), t["upper"].to_numpy(float)
    if not np.allclose(lower[1:], upper[:-1]):
        raise DataError("score table bins must be contiguous (each upper = next lower)")
    closed = t["closed"] if "closed" in t.columns else pd.Series("left", index=t.index)
    unknown = sorted(set(closed) - set(_CLOSED))
    if unknown:
        raise DataError(
            f"score table column 'closed' must hold {', '.join(_CLOSED)}; got {unknown}"
        )
    left = closed.isin(["left", "both"]).to_numpy()
    right = closed.isin(["right", "both"]).to_numpy()
    twice = right[:-1] == left[1:]
    if twice.any():
        edge = upper[:-1][twice][0]
        where = "both bins" if right[:-1][twice][0] else "neither bin"
        raise DataError(
            f"score table edge {edge:g} belongs to {where} around it; close it on "
            "exactly one side (column 'closed')"
        )
    e = elasticity[:, None]
    member = (
        ((lower < e) & (e < upper)) | ((e == lower) & left) | ((e == upper) & right)
    )
    hit = member.any(axis=1) & np.isfinite(elasticity)
    out = np.full(elasticity.shape, np.nan)
    out[hit] = t["score"].to_numpy(float)[member[hit].argmax(axis=1)]
    return out


def _tapio_state(
    dg: float, de: float, e: float, lo: float, hi: float, closed: bool
) -> str:
    below = e < lo if closed else e <= lo
    above = e > hi if closed else e >= hi
    if dg > 0:
        if de <= 0:
            return "strong decoupling"
        if below:
            return "weak decoupling"
        return "expansive negative decoupling" if above else "expansive coupling"
    if de >= 0:
        return "strong negative decoupling"
    if below:
        return "weak negative decoupling"
    return "recessive decoupling" if above else "recessive coupling"


def tapio(
    data: pd.DataFrame,
    *,
    driver: str,
    indicator: str,
    unit: str = "unit",
    time: str = "year",
    kind: Literal["pressure", "benefit"] = "pressure",
    periods: Sequence[str | tuple[object, object]] | None = None,
    band: tuple[float, float] = (0.8, 1.2),
    closed: bool = True,
    scores: pd.DataFrame | None = None,
    elasticity: Literal["endpoints", "yearly-mean"] = "endpoints",
) -> pd.DataFrame:
    """Tapio (2005) decoupling elasticity, the eight states and a refined score.

    ``e = (ΔE / E₀) / (ΔG / G₀)`` between the indicator E and the driver G, year on
    year between consecutive periods (default) or start–end over each of
    ``periods``. The state follows Tapio's sign and threshold rule:

    ============  ============  ============  ===============================
    ΔG            ΔE            e             state
    ============  ============  ============  ===============================
    > 0           <= 0          e <= 0        strong decoupling
    > 0           > 0           e < 0.8       weak decoupling
    > 0           > 0           0.8–1.2       expansive coupling
    > 0           > 0           e > 1.2       expansive negative decoupling
    < 0           >= 0          e <= 0        strong negative decoupling
    < 0           < 0           e < 0.8       weak negative decoupling
    < 0           < 0           0.8–1.2       recessive coupling
    < 0           < 0           e > 1.2       recessive decoupling
    ============  ============  ============  ===============================

    The coupling band is ``band``, closed at both ends by default (``closed=False``
    opens it). When the driver does not change (ΔG = 0) the elasticity is undefined:
    ``elasticity``, ``state`` and ``score`` are missing and ``flag`` says so.

    ``kind`` sets which direction is good. For a **pressure** (emissions) strong
    decoupling is best; for a **benefit** (environmental productivity) expansive
    negative decoupling is best. ``better`` is True when the indicator improved
    relative to the driver: a pressure grew less than the driver (its intensity
    E/G fell, the OECD decoupling factor is positive), a benefit grew more.
    ``score`` applies the refined bins of :func:`score_table` (or your ``scores``
    table) to e; the default scale is defined for a growing driver, so when the
    driver falls the default score is missing and ``flag`` says why.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel.
    driver, indicator : str
        Driver column (e.g. per-capita GDP) and indicator column; both > 0.
    unit, time : str
        Key columns.
    kind : {"pressure", "benefit"}
        Sign convention of the indicator.
    periods : sequence of "start-end" strings or (start, end) pairs, optional
        Periods to evaluate; default: every pair of consecutive periods.
    band : (float, float)
        Coupling band of the elasticity, two finite numbers ``0 <= low < high``.
    closed : bool
        Whether the band includes its ends.
    scores : pandas.DataFrame, optional
        Score table (``lower``, ``upper``, ``score`` and optionally ``closed``,
        default: bins closed on the left); an elasticity outside it gets no score
        and is flagged. Default: :func:`score_table` of ``kind`` with this
        ``band`` and ``closed``, so a score never disagrees with its state at the
        edges 0, ``band[0]`` and ``band[1]``.
    elasticity : {"endpoints", "yearly-mean"}
        Over each of ``periods``: the start–end elasticity (default), or the
        arithmetic mean of the year-on-year elasticities inside the period (the
        YRD study's "average decoupling index", 平均脱钩指数), which needs every
        year of the period. With ``"yearly-mean"`` the state and score follow the
        mean elasticity and the direction of the driver over the period (the
        indicator's direction is the one the sign of e implies), ``years`` counts
        the yearly elasticities averaged, and ``driver_change``,
        ``indicator_change``, ``better`` and ``decoupling_factor`` still describe
        the period's endpoints. A year in which the driver does not change has no
        elasticity: the mean is then missing and ``flag`` names the year.
        Year on year (no ``periods``) both give the same numbers.

    Returns
    -------
    pandas.DataFrame
        ``unit``, ``time`` (the end period, year-on-year only), ``period``,
        ``start``, ``end``, ``driver_change``, ``indicator_change`` (growth rates),
        ``elasticity``, ``state``, ``state_zh``, ``better``, ``score``,
        ``decoupling_factor`` (OECD: 1 − (E/G)_end / (E/G)_start) and ``flag``.
        ``attrs`` records how it was computed: ``kind``, ``elasticity``
        (``"endpoints"`` or ``"yearly-mean"``), ``band``, ``closed`` and
        ``scores`` (``"default"`` or ``"user"``).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"unit": ["a", "a"], "year": [2005, 2010],
    ...                    "gdp": [100.0, 150.0], "co2": [10.0, 11.0]})
    >>> r = tapio(df, driver="gdp", indicator="co2")
    >>> float(r.loc[0, "elasticity"]), r.loc[0, "state"], r.loc[0, "state_zh"]
    (0.2, 'weak decoupling', '弱脱钩')
    >>> bool(r.loc[0, "better"]), int(r.loc[0, "score"])
    (True, 8)
    >>> r.attrs["elasticity"], r.attrs["kind"]
    ('endpoints', 'pressure')
    """
    if kind not in ("pressure", "benefit"):
        raise DataError(f"kind must be 'pressure' or 'benefit', got {kind!r}")
    lo, hi = _check_band(band)
    _check_closed(closed)
    validate_panel(data, unit=unit, time=time, positive=[driver, indicator])
    ch = _changes(data, [driver, indicator], unit, time, periods)
    g0, g1 = ch[f"{driver}_start"], ch[f"{driver}_end"]
    e0, e1 = ch[f"{indicator}_start"], ch[f"{indicator}_end"]
    dg = (g1 / g0 - 1.0).to_numpy()
    de = (e1 / e0 - 1.0).to_numpy()
    dg = np.where(np.abs(dg) < _EPS, 0.0, dg)
    de = np.where(np.abs(de) < _EPS, 0.0, de)
    with np.errstate(divide="ignore", invalid="ignore"):
        e = np.where(dg != 0, de / dg, np.nan)
    # decimal data that sit exactly on a threshold (e.g. 0.8) must classify as such
    e = np.round(e, 12)
    de_state, years, undefined = de, None, None
    if elasticity == "yearly-mean":
        e, years, undefined = _yearly_mean(ch, data, driver, indicator, unit, time)
        de_state = np.where(np.isfinite(e), e * dg, de)
    elif elasticity != "endpoints":
        raise DataError(
            f"elasticity must be 'endpoints' or 'yearly-mean', got {elasticity!r}"
        )
    states = [
        None if g == 0 else _tapio_state(g, d, x, lo, hi, closed)
        for g, d, x in zip(dg, de_state, e, strict=True)
    ]
    out = ch[[unit, "period", "start", "end"]].copy()
    if periods is None:
        out.insert(1, time, ch["end"])
    out["driver_change"] = dg
    out["indicator_change"] = de
    out["elasticity"] = e
    if years is not None:
        out["years"] = years
    out["state"] = pd.Series(states, dtype="object")
    if years is not None:  # an undefined yearly elasticity leaves the mean undefined
        out.loc[np.isnan(e), "state"] = None
    out["state_zh"] = out["state"].map(STATES)
    out["better"] = de < dg if kind == "pressure" else de > dg
    table = (
        scores
        if scores is not None
        else score_table(kind, band=(lo, hi), closed=bool(closed))
    )
    score = _apply_scores(e, table)
    if scores is None:
        score[dg < 0] = np.nan
    out["score"] = score
    out["decoupling_factor"] = 1.0 - (e1 / g1) / (e0 / g0)
    flag = np.where(
        dg == 0,
        "driver unchanged: elasticity undefined",
        np.where(dg < 0, "driver fell", ""),
    ).astype(object)
    if scores is None:
        flag[dg < 0] = "driver fell: default score scale needs a growing driver"
    # a user table that does not cover e leaves the score missing: say so
    uncovered = np.isfinite(e) & np.isnan(score) & (dg > 0)
    flag[uncovered] = "elasticity outside the score table"
    if undefined is not None:
        flag[(dg == 0) & np.isfinite(e)] = "driver unchanged over the period: no state"
        inside = (undefined != "") & (dg != 0)  # a flat period is flagged above
        flag[inside] = undefined[inside]
    out["flag"] = flag
    out = out.sort_values([unit, "start"], ignore_index=True)
    out.attrs.update(
        kind=kind,
        elasticity=elasticity,
        band=(lo, hi),
        closed=bool(closed),
        scores="default" if scores is None else "user",
    )
    return out


def _yearly_mean(
    ch: pd.DataFrame,
    data: pd.DataFrame,
    driver: str,
    indicator: str,
    unit: str,
    time: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean year-on-year elasticity of each (unit, period) row of ``ch``.

    Returns the means, the number of yearly elasticities averaged and a flag per
    row naming the first year whose elasticity is undefined (driver unchanged).
    """
    yoy = _changes(data, [driver, indicator], unit, time, None)
    dg = (yoy[f"{driver}_end"] / yoy[f"{driver}_start"] - 1.0).to_numpy()
    de = (yoy[f"{indicator}_end"] / yoy[f"{indicator}_start"] - 1.0).to_numpy()
    dg = np.where(np.abs(dg) < _EPS, 0.0, dg)
    de = np.where(np.abs(de) < _EPS, 0.0, de)
    with np.errstate(divide="ignore", invalid="ignore"):
        yoy["_e"] = np.where(dg != 0, de / dg, np.nan)
    periods = sorted(data[time].unique())
    rank = {p: i for i, p in enumerate(periods)}
    by_unit = dict(tuple(yoy.groupby(unit, sort=False)))
    means = np.full(len(ch), np.nan)
    counts = np.zeros(len(ch), dtype=int)
    flags = np.full(len(ch), "", dtype=object)
    for i, (u, a, b) in enumerate(zip(ch[unit], ch["start"], ch["end"], strict=True)):
        rows = by_unit[u]
        inside = rows.loc[(rows["start"] >= a) & (rows["end"] <= b)]
        if len(inside) != rank[b] - rank[a]:  # guarded by _changes' hole check
            raise DataError(f"{unit}={u}: period {a}-{b} lacks a year")
        counts[i] = len(inside)
        e = inside["_e"].to_numpy()
        if np.isnan(e).any():
            year = inside["end"].to_numpy()[np.isnan(e)][0]
            flags[i] = f"driver unchanged in {time}={year}: yearly elasticity undefined"
        else:
            means[i] = e.mean()
    return np.round(means, 12), counts, flags
