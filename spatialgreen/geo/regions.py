"""Region groupings and study sets of Chinese provinces and cities.

Built-in groupings (cities inherit the groupings of their province, and the city
groupings ``yrd26`` and ``prd`` exist only at city level):

``region3``
    east (11) / central (8) / west (12), as in most green-TFP papers: east =
    Beijing, Tianjin, Hebei, Liaoning, Shanghai, Jiangsu, Zhejiang, Fujian,
    Shandong, Guangdong, Hainan; central = Shanxi, Jilin, Heilongjiang, Anhui,
    Jiangxi, Henan, Hubei, Hunan; west = the other 12 mainland provinces.
``region4``
    the National Bureau of Statistics' east (10) / central (6) / west (12) /
    northeast (3).
``yreb``, ``yreb_reach``
    the Yangtze River Economic Belt (11 provinces) and its upstream (Chongqing,
    Sichuan, Guizhou, Yunnan), midstream (Jiangxi, Hubei, Hunan) and downstream
    (Shanghai, Jiangsu, Zhejiang, Anhui) reaches.
``jjj``
    Beijing–Tianjin–Hebei.
``yrd26``
    the 26 cities of the Yangtze River Delta urban agglomeration plan (NDRC 2016).
``prd``
    the 9 Pearl River Delta cities (Guangzhou, Shenzhen, Zhuhai, Foshan, Huizhou,
    Dongguan, Zhongshan, Jiangmen, Zhaoqing).

Study sets select units: ``"all34"``, ``"mainland31"`` (without Taiwan, Hong Kong,
Macao), ``"gtfp30"`` (mainland without Tibet, the usual GTFP sample), and the
members of ``"yreb"``, ``"jjj"``, ``"yrd26"``, ``"prd"`` and of the official city
lists ``"yrd41"``, ``"yrd27"`` (2019 YRD outline: 41 cities, 27-city central area),
``"gba"`` (Greater Bay Area) and ``"chengyu"`` (Chengdu–Chongqing), whose sources
are in ``spatialgreen/datasets/lists/README.md`` (:mod:`spatialgreen.geo.lists`).

Users add their own grouping from a CSV or DataFrame with :func:`read_grouping`
and pass it as ``groupings=`` to :func:`~spatialgreen.geo.load_boundaries` or
:func:`grouping_table`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from ..errors import DataError
from ._data import check_level, units_table

__all__ = [
    "BUILTIN_GROUPINGS",
    "STUDIES",
    "grouping_table",
    "read_grouping",
    "study_units",
]

_EAST11 = (
    110000,
    120000,
    130000,
    210000,
    310000,
    320000,
    330000,
    350000,
    370000,
    440000,
    460000,
)
_CENTRAL8 = (140000, 220000, 230000, 340000, 360000, 410000, 420000, 430000)
_WEST12 = (
    150000,
    450000,
    500000,
    510000,
    520000,
    530000,
    540000,
    610000,
    620000,
    630000,
    640000,
    650000,
)
_NORTHEAST3 = (210000, 220000, 230000)
_NBS_CENTRAL6 = (140000, 340000, 360000, 410000, 420000, 430000)
_REACH = {
    "upstream": (500000, 510000, 520000, 530000),
    "midstream": (360000, 420000, 430000),
    "downstream": (310000, 320000, 330000, 340000),
}
_JJJ = (110000, 120000, 130000)
_YRD26 = (
    310100,
    # Jiangsu: Nanjing, Wuxi, Changzhou, Suzhou, Nantong, Yancheng, Yangzhou,
    # Zhenjiang, Taizhou
    320100, 320200, 320400, 320500, 320600, 320900, 321000, 321100, 321200,
    # Zhejiang: Hangzhou, Ningbo, Jiaxing, Huzhou, Shaoxing, Jinhua, Zhoushan, Taizhou
    330100, 330200, 330400, 330500, 330600, 330700, 330900, 331000,
    # Anhui: Hefei, Wuhu, Ma'anshan, Tongling, Anqing, Chuzhou, Chizhou, Xuancheng
    340100, 340200, 340500, 340700, 340800, 341100, 341700, 341800,
)  # fmt: skip
_PRD9 = (440100, 440300, 440400, 440600, 441300, 441900, 442000, 440700, 441200)


def _province_labels() -> dict[str, dict[int, Any]]:
    region3 = dict.fromkeys(_EAST11, "east")
    region3 |= dict.fromkeys(_CENTRAL8, "central")
    region3 |= dict.fromkeys(_WEST12, "west")
    region4 = {a: "east" for a in _EAST11 if a not in _NORTHEAST3}
    region4 |= dict.fromkeys(_NBS_CENTRAL6, "central")
    region4 |= dict.fromkeys(_WEST12, "west")
    region4 |= dict.fromkeys(_NORTHEAST3, "northeast")
    reach = {a: name for name, codes in _REACH.items() for a in codes}
    return {
        "region3": region3,
        "region4": region4,
        "yreb": dict.fromkeys(reach, True),
        "yreb_reach": reach,
        "jjj": dict.fromkeys(_JJJ, True),
    }


#: name -> level at which the grouping is defined
BUILTIN_GROUPINGS = {
    "region3": "province",
    "region4": "province",
    "yreb": "province",
    "yreb_reach": "province",
    "jjj": "province",
    "yrd26": "city",
    "prd": "city",
    # official lists shipped in datasets/lists (spatialgreen.geo.lists)
    "yrd41": "city",
    "yrd27": "city",
    "gba": "city",
    "chengyu": "city",
}
_MAINLAND = frozenset((*_EAST11, *_CENTRAL8, *_WEST12))
#: study set -> description
STUDIES = {
    "all34": "all 34 provincial units (with Taiwan, Hong Kong, Macao)",
    "mainland31": "the 31 mainland provinces",
    "gtfp30": "the 31 mainland provinces without Tibet",
    "yreb": "the 11 Yangtze River Economic Belt provinces",
    "jjj": "Beijing, Tianjin and Hebei",
    "yrd26": "the 26 Yangtze River Delta agglomeration cities (city level)",
    "prd": "the 9 Pearl River Delta cities (city level)",
    "yrd41": "the 41 cities of the 2019 YRD integration outline (city level)",
    "yrd27": "the 27-city central area of the 2019 YRD outline (city level)",
    "gba": "the Greater Bay Area: 9 PRD cities, Hong Kong, Macao (city level)",
    "chengyu": "Chengdu–Chongqing: Chongqing and 15 Sichuan cities (city level)",
}


def _builtin_series(name: str, level: str, units: pd.DataFrame) -> pd.Series | None:
    defined_at = BUILTIN_GROUPINGS[name]
    if defined_at == "city":
        if level != "city":
            return None
        if name in ("yrd26", "prd"):
            members = set(_YRD26 if name == "yrd26" else _PRD9)
        else:
            from .lists import grouping_members

            members = set(grouping_members(name))
        return pd.Series(
            units["adcode"].isin(members).to_numpy(), index=units["adcode"], name=name
        )
    labels = _province_labels()[name]
    values = units["province_adcode"].map(labels)
    if name in ("yreb", "jjj"):
        values = values.fillna(False).astype(bool)
    else:
        values = values.astype("string")
    return pd.Series(values.to_numpy(), index=units["adcode"], name=name)


def _inherit(series: pd.Series, units: pd.DataFrame) -> pd.Series:
    """Values of a user grouping for ``units``; province labels pass to cities."""
    by_unit = units["adcode"].map(series)
    if by_unit.isna().all() and series.index.isin(units["province_adcode"]).any():
        by_unit = units["province_adcode"].map(series)
    return pd.Series(by_unit.to_numpy(), index=units["adcode"], name=series.name)


def _as_groupings(groupings: Any) -> list[pd.Series]:
    if groupings is None:
        return []
    if isinstance(groupings, pd.Series):
        return [groupings]
    if isinstance(groupings, Mapping):
        return [pd.Series(v).rename(k) for k, v in groupings.items()]
    if isinstance(groupings, Iterable) and not isinstance(
        groupings, (str, os.PathLike)
    ):
        return [g for item in groupings for g in _as_groupings(item)]
    raise DataError(
        "groupings must be a Series indexed by adcode (see read_grouping), a list of "
        f"them or a mapping name -> Series, got {type(groupings).__name__}"
    )


def grouping_table(
    level: str = "province", *, groupings: Any = None, units: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Grouping columns for every unit of ``level``, indexed by adcode.

    Parameters
    ----------
    level : {"province", "city", "county"}
    groupings : Series, list of Series or mapping, optional
        Extra user groupings indexed by adcode (from :func:`read_grouping`); a
        grouping of provinces is inherited by the cities of those provinces.
    units : DataFrame, optional
        Unit table to label (defaults to all units of ``level``).

    Examples
    --------
    >>> t = grouping_table("province")
    >>> t["region3"].value_counts().to_dict()
    {'west': 12, 'east': 11, 'central': 8}
    >>> int(grouping_table("city")["yrd26"].sum())
    26
    """
    check_level(level)
    units = units_table(level) if units is None else units
    columns = [
        s
        for name in BUILTIN_GROUPINGS
        if (s := _builtin_series(name, level, units)) is not None
    ]
    for extra in _as_groupings(groupings):
        if extra.name is None:
            raise DataError("a user grouping needs a name (Series.name)")
        columns.append(_inherit(extra, units))
    return pd.concat(columns, axis=1)


def study_units(study: str | Iterable[Any], level: str = "province") -> list[int]:
    """Adcodes of a study set at ``level``, in adcode order.

    ``study`` is one of :data:`STUDIES` or an iterable of names/adcodes (matched
    with :func:`~spatialgreen.geo.match_units`).

    Examples
    --------
    >>> len(study_units("gtfp30")), len(study_units("mainland31", "city"))
    (30, 367)
    >>> len(study_units("yreb", "city"))
    130
    """
    check_level(level)
    units = units_table(level)
    if not isinstance(study, str):
        from .names import match_units

        return sorted(set(match_units(list(study), level=level)))
    province = units["province_adcode"]
    if study == "all34":
        keep = pd.Series(True, index=units.index)
    elif study == "mainland31":
        keep = province.isin(_MAINLAND)
    elif study == "gtfp30":
        keep = province.isin(_MAINLAND - {540000})
    elif study in ("yreb", "jjj") or BUILTIN_GROUPINGS.get(study) == "city":
        if BUILTIN_GROUPINGS[study] == "city" and level != "city":
            raise DataError(f"study {study!r} is a set of cities; use level='city'")
        series = _builtin_series(study, level, units)
        assert series is not None
        keep = pd.Series(series.to_numpy(), index=units.index)
    else:
        raise DataError(f"unknown study {study!r}; choose one of {', '.join(STUDIES)}")
    return sorted(units.loc[keep, "adcode"].astype(int).tolist())


def read_grouping(
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    unit: str = "unit",
    label: str,
    level: str = "province",
    name: str | None = None,
) -> pd.Series:
    """Read a user grouping (one row per unit) into a Series indexed by adcode.

    Parameters
    ----------
    source : path or DataFrame
        CSV/XLSX file or a DataFrame with a unit column and a label column.
    unit, label : str
        Column names: unit names or adcodes, and the group label.
    level : {"province", "city", "county"}
        Level of the units in the file.
    name : str, optional
        Name of the grouping (defaults to ``label``).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"prov": ["山西", "陕西", "内蒙古"], "g": ["coal"] * 3})
    >>> s = read_grouping(df, unit="prov", label="g", name="coal_base")
    >>> s.to_dict()
    {140000: 'coal', 610000: 'coal', 150000: 'coal'}
    >>> int(grouping_table("city", groupings=s)["coal_base"].notna().sum())
    33
    """
    from .._io import read_table
    from ..panel import require_columns
    from .names import match_units

    frame = source if isinstance(source, pd.DataFrame) else read_table(source)
    require_columns(frame, [unit, label], role="grouping")
    codes = match_units(frame[unit].tolist(), level=level)
    dup = pd.Series(codes).duplicated(keep=False)
    if dup.any():
        names = ", ".join(map(str, frame.loc[dup.to_numpy(), unit]))
        raise DataError(f"grouping {name or label!r}: units listed twice: {names}")
    return pd.Series(
        frame[label].to_numpy(),
        index=pd.Index(codes, name="adcode"),
        name=name or label,
    )
