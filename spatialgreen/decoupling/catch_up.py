"""Chenery industrialisation stages and catch-up decoupling types A–D.

References
----------
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

from ..errors import DataError
from ..panel import validate_panel
from ._periods import _changes

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
