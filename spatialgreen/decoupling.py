"""Environmental productivity, Tapio decoupling, refined scores and catch-up decoupling.

Every function takes a tidy (unit, year) panel and returns a tidy DataFrame keyed by
the user's unit and time columns; period results carry ``period`` ("2005-2010"),
``start`` and ``end``. State labels (``state``, ``state_zh``) and catch-up types
(``type`` A–D) are a fixed vocabulary that the map renderers code against.

References
----------
Tapio, P. (2005) Towards a theory of decoupling. *Transport Policy* 12(2):137–151.
OECD (2002) *Indicators to measure decoupling of environmental pressure from economic
growth*, SG/SD(2002)1.
夏勇 (2017) 脱钩与追赶:中国城市绿色发展路径研究. 财经研究 43(9):122–133.
Chenery, H., Robinson, S. & Syrquin, M. (1986) *Industrialization and Growth: A
Comparative Study*. Oxford University Press (stage thresholds in 1970 US dollars).
陈佳贵, 黄群慧, 钟宏武 (2006) 中国地区工业化进程的综合评价和特征分析. 经济研究 (6):4–15
(stage thresholds in 2005 US dollars: 745, 1490, 2980, 5960, 11170, i.e. the 1970
table times 745/140 = 5.32).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from .errors import DataError, PanelError
from .panel import validate_panel

__all__ = [
    "CATCH_UP_TYPES",
    "CHENERY_1970_USD",
    "STATES",
    "catch_up",
    "chenery_stages",
    "entropy_weights",
    "environmental_productivity",
    "score_table",
    "tapio",
]

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
CATCH_UP_TYPES: dict[str, tuple[str, str]] = {
    "A": ("absolute catch-up", "绝对追赶"),
    "B": ("green catch-up", "绿色追赶"),
    "C": ("expansion catch-up", "扩张追赶"),
    "D": ("no catch-up", "未追赶"),
}

#: Chenery, Robinson & Syrquin (1986) stages by per-capita GDP in 1970 US dollars.
#: The first stage is open below (values under 140 count as primary products) and
#: the last open above (values over 5,040 count as advanced developed economy).
CHENERY_1970_USD = pd.DataFrame(
    {
        "stage": [
            "primary products",
            "early industrialisation",
            "middle industrialisation",
            "late industrialisation",
            "developed economy (initial)",
            "developed economy (advanced)",
        ],
        "stage_zh": [
            "初级产品生产阶段",
            "工业化初期",
            "工业化中期",
            "工业化后期",
            "发达经济初级阶段",
            "发达经济高级阶段",
        ],
        "lower": [140.0, 280.0, 560.0, 1120.0, 2100.0, 3360.0],
        "upper": [280.0, 560.0, 1120.0, 2100.0, 3360.0, 5040.0],
    }
)

#: US-dollar price level of 2005 relative to 1970 implied by the 2005-dollar
#: thresholds of 陈佳贵 et al. (2006): 745 / 140 = 5.32.
USD_1970_TO_2005 = 5.32
#: Official average CNY per USD exchange rate of 2005 (China Statistical Yearbook).
CNY_PER_USD_2005 = 8.1917

_EPS = 1e-12


# --------------------------------------------------------------------------------------
# environmental productivity
# --------------------------------------------------------------------------------------


def entropy_weights(table: pd.DataFrame) -> pd.Series:
    """Entropy weights of the columns of ``table`` (standard Chinese formulation).

    Each column is min–max normalised over all rows, ``p_ij = z_ij / Σ_i z_ij``,
    ``e_j = −Σ_i p_ij ln p_ij / ln n`` (with 0·ln 0 = 0) and ``w_j = (1 − e_j) /
    Σ_k (1 − e_k)``. Pool all unit-years so that weights are comparable over time.

    Examples
    --------
    >>> import pandas as pd
    >>> w = entropy_weights(pd.DataFrame({"a": [1, 2, 3, 4], "b": [1, 1, 1, 9]}))
    >>> bool(w["b"] > w["a"]), round(float(w.sum()), 12)
    (True, 1.0)
    """
    z = (table - table.min()) / (table.max() - table.min())
    constant = [c for c in table.columns if not np.isfinite(z[c]).all()]
    if constant:
        raise DataError(
            f"entropy weights need variation; constant column(s): {', '.join(constant)}"
        )
    p = z / z.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(p), 0.0)
    e = -plogp.sum(axis=0) / np.log(len(table))
    d = 1.0 - e
    return pd.Series(d / d.sum(), index=table.columns, name="weight")


def environmental_productivity(
    data: pd.DataFrame,
    *,
    output: str,
    pollutants: Sequence[str],
    unit: str = "unit",
    time: str = "year",
    scale: tuple[float, float] = (50.0, 100.0),
    weights: Mapping[str, float] | Sequence[float] | Literal["entropy"] | None = None,
) -> pd.DataFrame:
    """Composite pollution index and environmental productivity (output per pollution).

    Each pollutant is rescaled linearly over the pooled panel to ``scale`` (the
    smallest emission maps to the lower end, the largest to the upper end), the
    rescaled values are combined with weights summing to one into the composite
    pollution index, and environmental productivity is ``output / index``. The
    positive lower end (50 in the YRD study) keeps the index away from zero.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel.
    output : str
        Economic output column (e.g. per-capita GDP or GDP at constant prices).
    pollutants : sequence of str
        Emission columns (higher = more pollution).
    unit, time : str
        Key columns.
    scale : (float, float)
        Target range of the rescaled pollutants.
    weights : mapping, sequence, "entropy" or None
        Pollutant weights: equal (None), given (normalised to sum to one), or
        entropy weights of the pooled pollutant columns.

    Returns
    -------
    pandas.DataFrame
        ``unit``, ``time``, one ``<pollutant>_scaled`` column per pollutant,
        ``pollution_index`` and ``env_productivity``; the weights used are in
        ``.attrs["weights"]``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"city": ["a", "b"], "year": [2005, 2005],
    ...                    "gdp": [100.0, 100.0], "so2": [1.0, 3.0], "cod": [2.0, 4.0]})
    >>> ep = environmental_productivity(df, output="gdp", pollutants=["so2", "cod"],
    ...                                 unit="city")
    >>> ep["pollution_index"].tolist(), ep["env_productivity"].tolist()
    ([50.0, 100.0], [2.0, 1.0])
    """
    pollutants = list(pollutants)
    if not pollutants:
        raise DataError("give at least one pollutant column")
    validate_panel(
        data, unit=unit, time=time, columns=[output, *pollutants], positive=[output]
    )
    lo, hi = (float(v) for v in scale)
    if not hi > lo:
        raise DataError(f"scale must be (low, high) with high > low, got {scale}")
    raw = data[pollutants].astype(float)
    span = raw.max() - raw.min()
    flat = [p for p in pollutants if span[p] <= 0]
    if flat:
        raise DataError(
            f"pollutant column(s) {', '.join(flat)} take one value over the whole "
            "panel; rescaling needs variation"
        )
    scaled = lo + (hi - lo) * (raw - raw.min()) / span
    w = _pollutant_weights(weights, pollutants, raw)
    out = data[[unit, time]].copy()
    for p in pollutants:
        out[f"{p}_scaled"] = scaled[p].to_numpy()
    out["pollution_index"] = scaled.to_numpy() @ w.to_numpy()
    out["env_productivity"] = (
        data[output].to_numpy(dtype=float) / out["pollution_index"]
    )
    out = out.reset_index(drop=True)
    out.attrs["weights"] = w.to_dict()
    return out


def _pollutant_weights(
    weights: Mapping[str, float] | Sequence[float] | str | None,
    pollutants: list[str],
    raw: pd.DataFrame,
) -> pd.Series:
    if weights is None:
        return pd.Series(1.0 / len(pollutants), index=pollutants, name="weight")
    if isinstance(weights, str):
        if weights != "entropy":
            raise DataError(
                f"weights must be None, 'entropy' or numbers, got {weights!r}"
            )
        return entropy_weights(raw)
    if isinstance(weights, Mapping):
        missing = [p for p in pollutants if p not in weights]
        if missing:
            raise DataError(f"no weight given for pollutant(s): {', '.join(missing)}")
        values = np.array([float(weights[p]) for p in pollutants])
    else:
        values = np.asarray(list(weights), dtype=float)
        if values.size != len(pollutants):
            raise DataError(
                f"{values.size} weights given for {len(pollutants)} pollutants"
            )
    if (values < 0).any() or values.sum() <= 0:
        raise DataError("pollutant weights must be >= 0 and not all zero")
    return pd.Series(values / values.sum(), index=pollutants, name="weight")


# --------------------------------------------------------------------------------------
# Tapio decoupling and refined scores
# --------------------------------------------------------------------------------------


def score_table(
    kind: Literal["pressure", "benefit"] = "benefit",
    *,
    width: float = 0.2,
    lowest: int = 0,
    highest: int = 20,
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
    Bins are closed on the left. Pass your own table (columns ``lower``,
    ``upper``, ``score``) to :func:`tapio` to override.

    Examples
    --------
    >>> t = score_table("benefit")
    >>> t.loc[t["lower"] == 1.0, "score"].item(), len(t)
    (10, 21)
    >>> t = score_table("pressure")
    >>> t.loc[t["lower"] == 0.0, "score"].item()
    9
    """
    if kind not in ("pressure", "benefit"):
        raise DataError(f"kind must be 'pressure' or 'benefit', got {kind!r}")
    ks = np.arange(-200, 201)
    scores = ks + 5 if kind == "benefit" else 9 - ks
    keep = (scores >= lowest) & (scores <= highest)
    ks, scores = ks[keep], scores[keep]
    lower = np.round(ks * width, 10).astype(float)
    upper = np.round((ks + 1) * width, 10).astype(float)
    lower[0], upper[-1] = -np.inf, np.inf
    table = pd.DataFrame({"lower": lower, "upper": upper, "score": scores.astype(int)})
    return table.sort_values("lower", ignore_index=True)


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
    pos = np.searchsorted(lower, elasticity, side="right") - 1
    ok = np.isfinite(elasticity) & (pos >= 0) & (elasticity < upper[pos.clip(0)])
    out = np.full(elasticity.shape, np.nan)
    out[ok] = t["score"].to_numpy(float)[pos[ok]]
    return out


def _tapio_state(
    dg: float, de: float, e: float, lo: float, hi: float, closed: bool
) -> str:
    if dg > 0:
        if de <= 0:
            return "strong decoupling"
        below = e < lo if closed else e <= lo
        above = e > hi if closed else e >= hi
        if below:
            return "weak decoupling"
        return "expansive negative decoupling" if above else "expansive coupling"
    if de >= 0:
        return "strong negative decoupling"
    below = e < lo if closed else e <= lo
    above = e > hi if closed else e >= hi
    if below:
        return "weak negative decoupling"
    return "recessive decoupling" if above else "recessive coupling"


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
        Coupling band of the elasticity.
    closed : bool
        Whether the band includes its ends.
    scores : pandas.DataFrame, optional
        Score table (``lower``, ``upper``, ``score``, bins closed on the left);
        an elasticity outside it gets no score and is flagged.

    Returns
    -------
    pandas.DataFrame
        ``unit``, ``time`` (the end period, year-on-year only), ``period``,
        ``start``, ``end``, ``driver_change``, ``indicator_change`` (growth rates),
        ``elasticity``, ``state``, ``state_zh``, ``better``, ``score``,
        ``decoupling_factor`` (OECD: 1 − (E/G)_end / (E/G)_start) and ``flag``.

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
    """
    if kind not in ("pressure", "benefit"):
        raise DataError(f"kind must be 'pressure' or 'benefit', got {kind!r}")
    lo, hi = (float(b) for b in band)
    if not 0 <= lo < hi:
        raise DataError(f"band must be (low, high) with 0 <= low < high, got {band}")
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
    states = [
        None if g == 0 else _tapio_state(g, d, x, lo, hi, closed)
        for g, d, x in zip(dg, de, e, strict=True)
    ]
    out = ch[[unit, "period", "start", "end"]].copy()
    if periods is None:
        out.insert(1, time, ch["end"])
    out["driver_change"] = dg
    out["indicator_change"] = de
    out["elasticity"] = e
    out["state"] = pd.Series(states, dtype="object")
    out["state_zh"] = out["state"].map(STATES)
    out["better"] = de < dg if kind == "pressure" else de > dg
    table = scores if scores is not None else score_table(kind)
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
    out["flag"] = flag
    return out.sort_values([unit, "start"], ignore_index=True)


# --------------------------------------------------------------------------------------
# Chenery stages and catch-up decoupling
# --------------------------------------------------------------------------------------


def chenery_stages(
    *,
    deflator: float = USD_1970_TO_2005,
    exchange_rate: float = CNY_PER_USD_2005,
) -> pd.DataFrame:
    """Chenery stage thresholds converted to the user's currency and base year.

    ``threshold = USD1970 × deflator × exchange_rate``. ``deflator`` is the US price
    level of your base year relative to 1970 (default 5.32 = 745 / 140, the factor
    implied by the 2005-US-dollar thresholds 745, 1490, 2980, 5960, 11170 of
    陈佳贵, 黄群慧 & 钟宏武 2006, the conversion Chinese studies use), and
    ``exchange_rate`` the units of your currency per US dollar in the base year
    (default 8.1917 CNY/USD, the official 2005 average). Defaults therefore give
    2005 yuan, matching per-capita GDP at 2005 constant prices. For another base
    year pass that year's deflator ratio (e.g. from the BEA GDP price index) and
    exchange rate; for US dollars pass ``exchange_rate=1``.

    Returns
    -------
    pandas.DataFrame
        ``stage``, ``stage_zh``, ``lower_usd1970``, ``upper_usd1970``, ``lower``,
        ``upper`` (converted; the first lower bound is 0 and the last upper bound
        infinite, so every positive value has a stage).

    Examples
    --------
    >>> t = chenery_stages(exchange_rate=1.0)
    >>> float(t["lower_usd1970"].iloc[1]), round(float(t["lower"].iloc[1]), 1)
    (280.0, 1489.6)
    """
    if deflator <= 0 or exchange_rate <= 0:
        raise DataError("deflator and exchange_rate must be positive")
    t = CHENERY_1970_USD.rename(
        columns={"lower": "lower_usd1970", "upper": "upper_usd1970"}
    )
    t = t.copy()
    factor = float(deflator) * float(exchange_rate)
    t["lower"] = t["lower_usd1970"] * factor
    t["upper"] = t["upper_usd1970"] * factor
    t.loc[t.index[0], "lower"] = 0.0
    t.loc[t.index[-1], "upper"] = np.inf
    return t


def _assign_stage(values: pd.Series, stages: pd.DataFrame) -> pd.Series:
    missing = [c for c in ("stage", "lower", "upper") if c not in stages.columns]
    if missing:
        raise DataError(
            f"stage table needs columns stage, lower, upper; lacks {', '.join(missing)}"
        )
    # the lookup below needs the bins in ascending order, whatever the user's order
    stages = stages.sort_values("lower", kind="stable")
    lower = stages["lower"].to_numpy(float)
    upper = stages["upper"].to_numpy(float)
    pos = np.searchsorted(lower, values.to_numpy(float), side="right") - 1
    bad = (pos < 0) | (values.to_numpy(float) >= upper[pos.clip(0)])
    if bad.any():
        who = ", ".join(f"{u} ({v:g})" for u, v in values[bad].items())
        raise DataError(f"driver values outside every stage: {who}")
    return pd.Series(stages["stage"].to_numpy()[pos], index=values.index, name="stage")


def catch_up(
    data: pd.DataFrame,
    *,
    driver: str,
    indicator: str,
    unit: str = "unit",
    time: str = "year",
    kind: Literal["pressure", "benefit"] = "benefit",
    periods: Sequence[str | tuple[object, object]] | None = None,
    stages: pd.DataFrame | str | None = None,
    stage_year: object | None = None,
    models: Mapping[object, object] | object | None = None,
) -> pd.DataFrame:
    """Catch-up decoupling of ordinary units towards the model unit of their stage.

    Units are grouped by development stage of the driver in ``stage_year`` (default
    the first period): Chenery stages in 2005 yuan by default
    (:func:`chenery_stages`), your own table (``stage``, ``lower``, ``upper``), or a
    column of ``data`` naming each unit's group. The model unit of a stage is the
    unit with the best indicator in ``stage_year`` (highest for a benefit, lowest
    for a pressure) unless ``models`` names it (one unit, or a mapping stage ->
    unit). For each ordinary unit and period the absolute gaps to the model,
    ``GE = |G_model − G_i|`` (driver) and ``GP = |P_i − P_model|`` (indicator), give
    the change rates ``rE`` and ``rP``, the catch-up index ``rP / rE`` and the type:

    * A absolute catch-up: both gaps shrink (rE < 0, rP < 0);
    * B green catch-up: green gap shrinks, economic gap does not (rP < 0 <= rE);
    * C expansion catch-up: economic gap shrinks, green gap does not (rE < 0 <= rP);
    * D no catch-up: neither shrinks (rE >= 0, rP >= 0).

    A zero gap at the start of a period makes its rate undefined: the rate, index
    and type are then missing and ``flag`` says which gap.

    Returns
    -------
    pandas.DataFrame
        ``unit``, ``time`` (year-on-year only), ``period``, ``start``, ``end``,
        ``stage``, ``model``, ``economic_gap_start``, ``economic_gap_end``,
        ``green_gap_start``, ``green_gap_end``, ``economic_gap_change`` (rE),
        ``green_gap_change`` (rP), ``index``, ``type``, ``type_label``,
        ``type_zh``, ``flag``. Model units are not listed.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"city": ["m", "m", "x", "x"], "year": [2005, 2016] * 2,
    ...                    "gdp": [100.0, 200.0, 50.0, 180.0],
    ...                    "ep": [10.0, 20.0, 5.0, 12.0], "grp": ["g"] * 4})
    >>> r = catch_up(df, driver="gdp", indicator="ep", unit="city",
    ...              stages="grp", periods=["2005-2016"])
    >>> row = r.iloc[0]
    >>> [round(float(row[c]), 6) for c in ("economic_gap_change", "green_gap_change")]
    [-0.6, 0.6]
    >>> round(float(row["index"]), 6), row["type"], row["type_label"]
    (-1.0, 'C', 'expansion catch-up')
    """
    if kind not in ("pressure", "benefit"):
        raise DataError(f"kind must be 'pressure' or 'benefit', got {kind!r}")
    info = validate_panel(data, unit=unit, time=time, columns=[driver, indicator])
    year0 = info.periods[0] if stage_year is None else stage_year
    if year0 not in info.periods:
        raise DataError(f"stage_year {time}={year0} is not in the data")
    base = data.loc[data[time] == year0].set_index(unit)
    stage = _stage_of_units(data, base, driver, unit, stages)
    unstaged = [u for u in info.units if u not in stage.index]
    if unstaged:
        who = ", ".join(map(str, unstaged[:20]))
        raise DataError(
            f"{unit} {who} not observed in the stage year {time}={year0}, so "
            "its stage is unknown; pass another stage_year or a stage column"
        )
    model_of = _model_units(base, stage, indicator, kind, models)

    ch = _changes(data, [driver, indicator], unit, time, periods)
    ch["stage"] = ch[unit].map(stage)
    ch = ch.loc[ch["stage"].notna()].copy()
    ch["model"] = ch["stage"].map(model_of)
    ch = ch.loc[ch[unit] != ch["model"]]
    lookup = _model_values(data, driver, indicator, unit, time, ch)
    out = ch[[unit, "period", "start", "end", "stage", "model"]].copy()
    if periods is None:
        out.insert(1, time, ch["end"].to_numpy())
    ge0 = (lookup["g_start"] - ch[f"{driver}_start"]).abs().to_numpy()
    ge1 = (lookup["g_end"] - ch[f"{driver}_end"]).abs().to_numpy()
    gp0 = (ch[f"{indicator}_start"] - lookup["p_start"]).abs().to_numpy()
    gp1 = (ch[f"{indicator}_end"] - lookup["p_end"]).abs().to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        re = np.where(ge0 > 0, ge1 / ge0 - 1.0, np.nan)
        rp = np.where(gp0 > 0, gp1 / gp0 - 1.0, np.nan)
        index = np.where(np.isfinite(re) & (re != 0), rp / re, np.nan)
    out["economic_gap_start"], out["economic_gap_end"] = ge0, ge1
    out["green_gap_start"], out["green_gap_end"] = gp0, gp1
    out["economic_gap_change"], out["green_gap_change"] = re, rp
    out["index"] = index
    codes = np.select(
        [
            (re < 0) & (rp < 0),
            (rp < 0) & (re >= 0),
            (re < 0) & (rp >= 0),
            (re >= 0) & (rp >= 0),
        ],
        ["A", "B", "C", "D"],
        default="",
    ).astype(object)
    codes[codes == ""] = None
    out["type"] = codes
    out["type_label"] = out["type"].map({k: v[0] for k, v in CATCH_UP_TYPES.items()})
    out["type_zh"] = out["type"].map({k: v[1] for k, v in CATCH_UP_TYPES.items()})
    flag = np.full(len(out), "", dtype=object)
    flag[ge0 == 0] = "economic gap is zero at the start"
    flag[gp0 == 0] = "green gap is zero at the start"
    flag[(ge0 > 0) & (re == 0)] = "economic gap unchanged: index undefined"
    out["flag"] = flag
    return out.sort_values([unit, "start"], ignore_index=True)


def _stage_of_units(
    data: pd.DataFrame,
    base: pd.DataFrame,
    driver: str,
    unit: str,
    stages: pd.DataFrame | str | None,
) -> pd.Series:
    if isinstance(stages, str):
        if stages not in data.columns:
            raise DataError(f"stage column {stages!r} not found")
        per_unit = data.groupby(unit)[stages].nunique()
        if (per_unit > 1).any():
            who = ", ".join(map(str, per_unit.index[per_unit > 1]))
            raise DataError(f"stage column {stages!r} varies within unit(s) {who}")
        return data.groupby(unit)[stages].first()
    table = chenery_stages() if stages is None else stages
    return _assign_stage(base[driver].astype(float), table)


def _model_units(
    base: pd.DataFrame,
    stage: pd.Series,
    indicator: str,
    kind: str,
    models: Mapping[object, object] | object | None,
) -> dict:
    present = stage.dropna()
    groups = list(dict.fromkeys(present.tolist()))
    if models is None:
        # only units observed in the stage year can be the model; with a stage
        # column, the others are still ordinary units of their stage
        values = base[indicator].astype(float).reindex(present.index).dropna()
        grouped = values.groupby(present[values.index])
        best = grouped.idxmax() if kind == "benefit" else grouped.idxmin()
        lacking = [g for g in groups if g not in best.index]
        if lacking:
            raise DataError(
                f"no unit of stage(s) {', '.join(map(repr, lacking))} has "
                f"{indicator!r} in the stage year to serve as model"
            )
        return best.to_dict()
    if isinstance(models, Mapping):
        chosen = dict(models)
    else:
        if models not in present.index:
            raise DataError(f"model unit {models!r} is not in the data")
        others = [g for g in groups if g != present[models]]
        if others:
            raise DataError(
                f"models names one unit ({models!r}, stage {present[models]!r}) but "
                f"units also fall in stage(s) {', '.join(map(repr, others))}; pass a "
                "mapping stage -> model unit, or a stage column with one group"
            )
        chosen = {present[models]: models}
    for g in groups:
        if g not in chosen:
            raise DataError(f"no model unit given for stage {g!r}")
        if present.get(chosen[g]) != g:
            raise DataError(f"model unit {chosen[g]!r} is not in stage {g!r}")
    return {g: chosen[g] for g in groups}


def _model_values(
    data: pd.DataFrame,
    driver: str,
    indicator: str,
    unit: str,
    time: str,
    ch: pd.DataFrame,
) -> pd.DataFrame:
    wide = data.set_index([unit, time])
    idx_start = pd.MultiIndex.from_arrays([ch["model"], ch["start"]])
    idx_end = pd.MultiIndex.from_arrays([ch["model"], ch["end"]])
    values = pd.DataFrame(
        {
            "g_start": wide[driver].reindex(idx_start).to_numpy(float),
            "g_end": wide[driver].reindex(idx_end).to_numpy(float),
            "p_start": wide[indicator].reindex(idx_start).to_numpy(float),
            "p_end": wide[indicator].reindex(idx_end).to_numpy(float),
        },
        index=ch.index,
    )
    lacking = values.isna().any(axis=1)
    if lacking.any():
        who = ", ".join(
            sorted(
                {
                    f"{m} ({p})"
                    for m, p in zip(
                        ch["model"][lacking], ch["period"][lacking], strict=True
                    )
                }
            )
        )
        raise DataError(f"model unit(s) lack data for period(s): {who}")
    return values
