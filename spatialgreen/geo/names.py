"""Match what users write for a province or city to its 6-digit adcode.

Accepted spellings: full and short Chinese names (``广西壮族自治区``, ``广西``,
``广西省``),
names prefixed by their province (``江苏省苏州市``), traditional characters
(``廣東``), full-width characters and stray spaces (Unicode NFKC), English and
pinyin in any case with or without spaces, hyphens and apostrophes (``Xi'an``,
``XIAN``, ``Inner Mongolia``, ``Nei Mongol``, ``Shaanxi`` vs ``Shanxi``,
``Hong Kong SAR``), a trailing ``Province``/``City``/``Autonomous Region``,
English names qualified by province (``Fuzhou, Jiangxi``), and adcodes as int, str
or float. Historical names come from the shipped alias table
(``datasets/boundaries/aliases.csv``): renamed units (襄樊→襄阳, 思茅→普洱,
毕节地区→毕节, ...) match silently; units that were merged (莱芜→济南, 2019) or split
(巢湖, 2011) raise unless ``abolished="successor"``, which maps them to their
successor with a warning.

At ``level="city"`` a county-level name (ending in 区, 县 or 旗, e.g. 朝阳区) is never
matched to a prefecture by dropping its suffix: 朝阳区 (Beijing) is not 朝阳市
(Liaoning), 兴安区 is not 兴安盟. It matches only the county-level units that are
themselves city-level units (定安县, 神农架林区, ...); other county names raise.

Pinyin (Hanyu Pinyin, without tones) is accepted for every province and city, also
where the English name differs (``Neimenggu``, ``Xianggang``, ``Aomen``,
``Huhehaote``, ``Wulumuqi``): the table :data:`PINYIN` adds the pinyin of those
units; the other units' English names are their pinyin.

Adcodes are Python ``int`` everywhere in spatialgreen (``110000``), never strings.
"""

from __future__ import annotations

import difflib
import functools
import numbers
import re
import unicodedata
import warnings
from collections.abc import Iterable
from typing import Any, Literal, overload

import pandas as pd

from ..errors import DataError, SpatialGreenWarning, UnmatchedUnitError
from ._codes import PROVINCES
from ._data import aliases_table, check_level, data_dir, units_table

__all__ = ["PINYIN", "PROVINCES", "english_exceptions", "match_units", "normalize_name"]

#: municipalities (and Taiwan, Hong Kong, Macao): province adcode -> city-level adcode
MUNICIPALITY_CITY = {
    110000: 110100,
    120000: 120100,
    310000: 310100,
    500000: 500100,
    710000: 710000,
    810000: 810000,
    820000: 820000,
}

# customary English names of cities that are not plain pinyin (Xinhua/official usage)
_CITY_ENGLISH = {
    "呼和浩特": "Hohhot",
    "呼伦贝尔": "Hulunbuir",
    "兴安": "Hinggan",
    "锡林郭勒": "Xilingol",
    "阿拉善": "Alxa",
    "鄂尔多斯": "Ordos",
    "巴彦淖尔": "Bayannur",
    "乌兰察布": "Ulanqab",
    "哈尔滨": "Harbin",
    "齐齐哈尔": "Qiqihar",
    "拉萨": "Lhasa",
    "日喀则": "Xigaze",
    "昌都": "Qamdo",
    "林芝": "Nyingchi",
    "那曲": "Nagqu",
    "阿里": "Ngari",
    "乌鲁木齐": "Urumqi",
    "克拉玛依": "Karamay",
    "吐鲁番": "Turpan",
    "博尔塔拉": "Bortala",
    "巴音郭楞": "Bayingolin",
    "阿克苏": "Aksu",
    "克孜勒苏": "Kizilsu",
    "喀什": "Kashgar",
    "和田": "Hotan",
    "伊犁": "Ili",
    "阿勒泰": "Altay",
    "阿拉尔": "Aral",
    "图木舒克": "Tumxuk",
    "可克达拉": "Kokdala",
    "果洛": "Golog",
    "阿坝": "Ngawa",
    "甘孜": "Garze",
    "香港": "Hong Kong",
    "澳门": "Macao",
    "台湾": "Taiwan",
}

#: Hanyu Pinyin (no tones; GB/T 16159 place-name spelling) of the units whose English
#: name above (or in ``PROVINCES``) is not their pinyin; every other unit's
#: ``name_en`` is its pinyin. Polyphonic characters follow the place-name readings
#: (昌都 Changdu, 锡林郭勒 Xilinguole, 阿勒泰 Aletai, 克孜勒苏 Kezilesu).
PINYIN = {
    "内蒙古": "Neimenggu",
    "西藏": "Xizang",
    "香港": "Xianggang",
    "澳门": "Aomen",
    "呼和浩特": "Huhehaote",
    "呼伦贝尔": "Hulunbei'er",
    "兴安": "Xing'an",
    "锡林郭勒": "Xilinguole",
    "阿拉善": "Alashan",
    "鄂尔多斯": "E'erduosi",
    "巴彦淖尔": "Bayannao'er",
    "乌兰察布": "Wulanchabu",
    "哈尔滨": "Ha'erbin",
    "齐齐哈尔": "Qiqiha'er",
    "拉萨": "Lasa",
    "日喀则": "Rikaze",
    "昌都": "Changdu",
    "林芝": "Linzhi",
    "那曲": "Naqu",
    "阿里": "Ali",
    "乌鲁木齐": "Wulumuqi",
    "克拉玛依": "Kelamayi",
    "吐鲁番": "Tulufan",
    "博尔塔拉": "Bo'ertala",
    "巴音郭楞": "Bayinguoleng",
    "阿克苏": "Akesu",
    "克孜勒苏": "Kezilesu",
    "喀什": "Kashi",
    "和田": "Hetian",
    "伊犁": "Yili",
    "阿勒泰": "Aletai",
    "阿拉尔": "Ala'er",
    "图木舒克": "Tumushuke",
    "可克达拉": "Kekedala",
    "果洛": "Guoluo",
    "阿坝": "Aba",
    "甘孜": "Ganzi",
}

_EN_DROP = {
    "province",
    "city",
    "municipality",
    "autonomous",
    "region",
    "prefecture",
    "league",
    "meng",
    "zizhizhou",
    "sar",
    "special",
    "administrative",
    "shi",
    "sheng",
    "zizhiqu",
    "of",
    "china",
    "pr",
    "prc",
    "the",
    "area",
    "diqu",
    "zhuang",
    "hui",
    "uygur",
    "uyghur",
    "uighur",
}
_EN_ETHNIC = {"zhuang", "hui", "uygur", "uyghur", "uighur"}
_ZH_INFORMAL = {
    "province": re.compile(r"(省|市|自治区|特区)$"),
    "city": re.compile(r"(州|地区|盟|市|区|县|特区)$"),
    "county": re.compile(r"(市|区|县|旗)$"),
}
_SPLIT_QUALIFIER = re.compile(r"\s*[,，(（/]\s*")
#: the suffix of a county-level name (district, county, banner; 地区 is a prefecture)
_COUNTY_SUFFIX = re.compile(r"(?<!地)[区县旗]$")
_COUNTY_REASON = (
    "a county-level name (district, county or banner), not a prefecture-level "
    "unit: its data are not a city's, and no city is guessed from it"
)


def english_exceptions() -> dict[str, str]:
    """Short Chinese name → English name where English is not plain pinyin.

    Examples
    --------
    >>> english_exceptions()["陕西"], english_exceptions()["山西"]
    ('Shaanxi', 'Shanxi')
    """
    out = dict(_CITY_ENGLISH)
    out.update({short: en for _, short, en in PROVINCES.values()})
    return out


@functools.cache
def _traditional() -> dict[int, str]:
    table = pd.read_csv(data_dir() / "traditional.csv")
    return {
        ord(t): s
        for t, s in zip(table["traditional"], table["simplified"], strict=True)
    }


def _has_han(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def normalize_name(text: str) -> str:
    """Canonical form used for matching: NFKC, simplified characters, no spaces.

    Chinese text keeps its characters; Latin text becomes lower-case letters and
    digits only, without suffix words such as ``province`` or ``city``.

    Examples
    --------
    >>> normalize_name(" 廣東 省 ")
    '广东省'
    >>> normalize_name("Inner-Mongolia Autonomous Region")
    'innermongolia'
    >>> normalize_name("Ｘｉ'ａｎ City")
    'xian'
    """
    return _normalize(text, drop_ethnic=True)


def _normalize(text: str, *, drop_ethnic: bool, drop: int | None = None) -> str:
    """:func:`normalize_name`; ``drop_ethnic=False`` keeps a final ethnic word,
    which can be a syllable of the name itself ("An Hui", "Xin Hui"); ``drop``
    drops at most that many final words ("Huang Shi City" is Huangshi)."""
    text = unicodedata.normalize("NFKC", str(text)).strip()
    if _has_han(text):
        return re.sub(r"\s+", "", text.translate(_traditional()))
    decomposed = unicodedata.normalize("NFKD", text.lower())
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    tokens = [t for t in re.split(r"[^a-z0-9]+", ascii_text.replace("'", "")) if t]
    kept = len(tokens) - (len(tokens) if drop is None else drop)
    while len(tokens) > max(1, kept) and tokens[-1] in _EN_DROP:
        if not drop_ethnic and tokens[-1] in _EN_ETHNIC:
            break
        tokens.pop()
    return "".join(tokens)


def _zh_candidates(key: str, level: str) -> list[str]:
    from ._build import short_name

    out = [key]
    if level != "province" and key.endswith(("省", "自治区", "特别行政区")):
        return out  # a province name never stands for a city or county
    short = short_name(key, level=level)
    if short not in out:
        out.append(short)
    informal = _ZH_INFORMAL[level].sub("", key)
    if len(informal) >= 2 and informal not in out:
        out.append(informal)
    return out


@functools.cache
def _index(
    level: str,
) -> tuple[dict[str, frozenset[int]], dict[int, str], pd.DataFrame]:
    """Key -> adcodes, adcode -> label, alias rows of ``level``."""
    units = units_table(level)
    keys: dict[str, set[int]] = {}

    def add(name: Any, code: int) -> None:
        if isinstance(name, str) and name:
            keys.setdefault(normalize_name(name), set()).add(int(code))

    for row in units.itertuples(index=False):
        add(row.name_zh, row.adcode)
        add(row.name_zh_short, row.adcode)
        add(row.name_en, row.adcode)
        if level != "county":
            add(PINYIN.get(str(row.name_zh_short)), row.adcode)
    if "city_zh" in units.columns:  # counties: also "city + county" (苏州市姑苏区)
        from ._build import short_name

        for row in units.itertuples(index=False):
            city = str(row.city_zh)
            for prefix in {city, short_name(city, level="city")}:
                add(prefix + row.name_zh, row.adcode)
                add(prefix + row.name_zh_short, row.adcode)
    aliases = aliases_table()
    aliases = aliases.loc[aliases["level"] == level]
    renamed = aliases.loc[aliases["status"].isin(["renamed", "variant"])]
    for row in renamed.itertuples(index=False):
        add(row.alias, row.adcode)
    labels = {
        int(a): f"{zh} ({prov}, {a})" if level != "province" else f"{zh} ({a})"
        for a, zh, prov in zip(
            units["adcode"], units["name_zh"], units["province_zh"], strict=True
        )
    }
    frozen = {k: frozenset(v) for k, v in keys.items()}
    return frozen, labels, aliases.loc[aliases["status"].isin(["merged", "split"])]


def _as_adcode(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Integral):  # int, numpy integers
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        return int(number) if number.is_integer() else None
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if re.fullmatch(r"\d{6}(\.0+)?", text):
        return int(float(text))
    return None


@functools.cache
def _county_level_units(level: str) -> frozenset[int]:
    """Units of ``level`` that are county-level units with a county suffix (定安县)."""
    if level != "city":
        return frozenset()
    units = units_table(level)
    county = units["type"].eq("province_direct") & units["name_zh"].str.contains(
        _COUNTY_SUFFIX
    )
    return frozenset(units.loc[county, "adcode"].astype(int))


class _Matcher:
    def __init__(self, level: str, abolished: str, *, suggest: bool = True) -> None:
        self.level = level
        self.abolished = abolished
        self.suggest = suggest  # look for the closest names of an unmatched one
        self.keys, self.labels, rows = _index(level)
        self.abolished_rows = [
            (normalize_name(row.alias), row) for row in rows.itertuples(index=False)
        ]
        self.province_of = {a: a // 10000 * 10000 for a in self.labels}
        self.county_units = _county_level_units(level)

    def county_name(self, key: str) -> bool:
        """A county-level name (朝阳区, 大同县, 科尔沁右翼前旗) at city level."""
        return (
            self.level == "city" and _has_han(key) and bool(_COUNTY_SUFFIX.search(key))
        )

    def lookup(self, key: str, within: int | None = None) -> set[int]:
        candidates = _zh_candidates(key, self.level) if _has_han(key) else [key]
        county = self.county_name(key)
        for i, cand in enumerate(candidates):
            found = set(self.keys.get(cand, ()))
            if county and i > 0:  # 朝阳区 never becomes 朝阳市 by losing its suffix
                found &= self.county_units
            if within is not None:
                found = {a for a in found if self.province_of[a] == within}
            if found:
                return found
        return set()

    def province_qualifier(self, text: str) -> int | None:
        found = _index("province")[0].get(normalize_name(text), frozenset())
        if len(found) == 1:
            return next(iter(found))
        return None

    def match(self, raw: Any) -> tuple[int | None, str, list[str]]:
        """Adcode of ``raw``, or None with the reason and the candidates."""
        code = _as_adcode(raw)
        if code is not None:
            if self.level == "city" and code in MUNICIPALITY_CITY:
                code = MUNICIPALITY_CITY[code]
            if code in self.labels:
                return code, "", []
            return None, f"no {self.level} has adcode {code}", []
        text = unicodedata.normalize("NFKC", str(raw)).strip()
        key = normalize_name(text)
        if not key:
            return None, "empty name", []
        whole = _normalize(text, drop_ethnic=False)  # "An Hui" is Anhui
        found = (
            (self.lookup(whole) if whole != key else set())
            or self.lookup(key)
            or self._syllable(text, {key, whole})  # "Huang Shi City" is Huangshi
            or self._qualified(text, key)
        )
        if not found:
            merged = self._abolished(key)
            if merged is not None:
                return merged
            if self.county_name(key):
                return None, _COUNTY_REASON, []
        if len(found) == 1:
            return next(iter(found)), "", []
        if len(found) > 1:
            options = sorted(self.labels[a] for a in found)
            hint = "'Fuzhou, Jiangxi'" if self.level == "city" else "'南京市鼓楼区'"
            return None, f"ambiguous, add the province or city (e.g. {hint})", options
        close = self._closest(key) if self.suggest else []
        return None, "closest" if close else "no close candidate", close

    def _syllable(self, text: str, tried: set[str]) -> set[int]:
        """Keep final words such as "shi" that are a syllable of the name."""
        if _has_han(text):
            return set()
        for drop in range(3):
            form = _normalize(text, drop_ethnic=False, drop=drop)
            if form not in tried and (found := self.lookup(form)):
                return found
        return set()

    def _qualified(self, text: str, key: str) -> set[int]:
        parts = [p for p in _SPLIT_QUALIFIER.split(text.rstrip(")）")) if p]
        if len(parts) == 2:
            province = self.province_qualifier(parts[1])
            if province is not None:
                return self.lookup(normalize_name(parts[0]), within=province)
        if self.level != "province" and _has_han(key):
            for code, (full, short, _) in PROVINCES.items():
                for prefix in (full, short):
                    if key.startswith(prefix) and len(key) > len(prefix) + 1:
                        found = self.lookup(key[len(prefix) :], within=code)
                        if found:
                            return found
        return set()

    def _abolished(self, key: str) -> tuple[int | None, str, list[str]] | None:
        forms = [key] if self.county_name(key) else _zh_candidates(key, self.level)
        for alias, row in self.abolished_rows:
            if alias in forms or alias == key:
                if self.abolished == "successor":
                    warnings.warn(
                        f"{row.alias!r} ({row.status} {row.since}) matched to its "
                        f"successor {self.labels[int(row.adcode)]}: {row.note}",
                        SpatialGreenWarning,
                        stacklevel=4,
                    )
                    return int(row.adcode), "", []
                successor = self.labels[int(row.adcode)]
                reason = (
                    f"{row.status} in {row.since}: {row.note}; pass "
                    f"abolished='successor' to map it to {successor}"
                )
                return None, reason, [successor]
        return None

    def _closest(self, key: str) -> list[str]:
        close = difflib.get_close_matches(key, list(self.keys), n=3, cutoff=0.6)
        out: list[str] = []
        for k in close:
            out.extend(self.labels[a] for a in sorted(self.keys[k]))
        return list(dict.fromkeys(out))[:3]


@overload
def match_units(
    names: Iterable[Any] | Any,
    *,
    level: str = ...,
    abolished: Literal["raise", "successor"] = ...,
    errors: Literal["raise"] = ...,
) -> list[int]: ...


@overload
def match_units(
    names: Iterable[Any] | Any,
    *,
    level: str = ...,
    abolished: Literal["raise", "successor"] = ...,
    errors: Literal["coerce"],
) -> list[int | None]: ...


def match_units(
    names: Iterable[Any] | Any,
    *,
    level: str = "province",
    abolished: Literal["raise", "successor"] = "raise",
    errors: Literal["raise", "coerce"] = "raise",
) -> list[int] | list[int | None]:
    """Map unit names or codes to 6-digit adcodes (``int``), in the same order.

    Parameters
    ----------
    names : iterable of str or int, or a single name
        Names as users write them (Chinese, English, pinyin, traditional
        characters, adcodes). Missing values are an error.
    level : {"province", "city", "county"}
        Which units the names refer to; a name is never matched across levels, so
        ``"吉林"`` is the province at ``level="province"`` and the city at
        ``level="city"``. At city level a municipality's province code (110000)
        means the city (110100).
    abolished : {"raise", "successor"}
        What to do with merged or split units (莱芜, 巢湖): raise with an
        explanation, or map to the successor with a
        :class:`~spatialgreen.errors.SpatialGreenWarning`.
    errors : {"raise", "coerce"}
        ``"coerce"`` gives ``None`` for a name that is unmatched or ambiguous
        instead of raising (as ``pandas.to_numeric(errors="coerce")``).

    Returns
    -------
    list of int
        (``int`` or ``None`` with ``errors="coerce"``).

    Raises
    ------
    UnmatchedUnitError
        Listing every unmatched or ambiguous name with the closest candidates
        (also in its ``unmatched`` attribute).

    Examples
    --------
    >>> match_units(["北京", "廣東省", "Inner Mongolia", "shaanxi", 140000])
    [110000, 440000, 150000, 610000, 140000]
    >>> match_units(["襄樊", "Xi'an", "江苏省苏州市", "Fuzhou, Jiangxi"], level="city")
    [420600, 610100, 320500, 361000]
    >>> try:
    ...     match_units(["Beijng", "北京"])
    ... except UnmatchedUnitError as err:
    ...     print(err.unmatched)
    {'Beijng': ['北京市 (110000)']}
    >>> match_units(["Neimenggu", "Beijng"], errors="coerce")
    [150000, None]

    A district is never matched to a prefecture of a similar name:

    >>> match_units(["朝阳", "朝阳区"], level="city", errors="coerce")
    [211300, None]
    """
    check_level(level)
    if abolished not in ("raise", "successor"):
        raise DataError(f"abolished must be 'raise' or 'successor', got {abolished!r}")
    if errors not in ("raise", "coerce"):
        raise DataError(f"errors must be 'raise' or 'coerce', got {errors!r}")
    if isinstance(names, (str, numbers.Number)) or not isinstance(names, Iterable):
        names = [names]
    names = list(names)
    matcher = _Matcher(level, abolished, suggest=errors == "raise")
    out: list[int | None] = []
    unmatched: dict[str, list[str]] = {}
    reasons: list[str] = []
    for raw in names:
        missing = raw is None or raw is pd.NA or (isinstance(raw, float) and raw != raw)
        candidates: list[str]
        if missing:
            code, reason, candidates = None, "missing value", []
        else:
            code, reason, candidates = matcher.match(raw)
        if code is not None or errors == "coerce":
            out.append(code)
            continue
        name = "<missing>" if missing else str(raw)
        if name not in unmatched:
            unmatched[name] = candidates
            listed = candidates and not reason.startswith(("merged", "split"))
            shown = f": {', '.join(candidates)}" if listed else ""
            reasons.append(f"{name!r} ({reason}{shown})")
    if unmatched:
        raise UnmatchedUnitError(
            f"{len(unmatched)} {level} name(s) not matched: " + "; ".join(reasons),
            unmatched,
        )
    return out
