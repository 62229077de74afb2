"""Matching what users write to adcodes: real-world spellings, wrong ones, fuzzing."""

from __future__ import annotations

import unicodedata
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import spatialgreen as sg
from spatialgreen.geo import match_units, normalize_name, unit_table
from spatialgreen.geo.names import PROVINCES

# spelling -> adcode, as found in statistical yearbooks, papers and data portals
PROVINCE_SPELLINGS = {
    "北京": 110000, "北京市": 110000, "Beijing": 110000, "BEIJING": 110000,
    "Beijing Municipality": 110000, "Peking": 110000, "ＢＥＩＪＩＮＧ": 110000,
    " 天津 ": 120000, "天津市": 120000, "Tianjin City": 120000,
    "河北": 130000, "河北省": 130000, "Hebei Province": 130000, "hebei": 130000,
    "山西": 140000, "Shanxi": 140000, "山西省": 140000, "Shansi": 140000,
    "内蒙古": 150000, "内蒙古自治区": 150000, "Inner Mongolia": 150000,
    "Inner-Mongolia": 150000, "Nei Mongol": 150000, "NeiMongol": 150000,
    "Inner Mongolia Autonomous Region": 150000, "內蒙古": 150000,
    "辽宁省": 210000, "Liaoning": 210000, "吉林": 220000, "Jilin Province": 220000,
    "黑龙江": 230000, "黑龍江": 230000, "Heilongjiang": 230000,
    "hei long jiang": 230000, "上海": 310000, "上海市": 310000, "Shanghai": 310000,
    "江苏": 320000, "江蘇省": 320000, "Jiangsu": 320000, "浙江": 330000,
    "Zhejiang": 330000, "安徽": 340000, "Anhui": 340000, "福建": 350000,
    "Fujian": 350000, "江西": 360000, "Jiangxi": 360000, "山东": 370000,
    "山東": 370000, "Shandong": 370000, "河南": 410000, "Henan": 410000,
    "湖北": 420000, "Hubei": 420000, "湖南": 430000, "Hunan": 430000,
    "广东": 440000, "廣東省": 440000, "Guangdong": 440000, "广西": 450000,
    "广西壮族自治区": 450000, "廣西壯族自治區": 450000, "Guangxi": 450000,
    "Guangxi Zhuang Autonomous Region": 450000, "海南": 460000, "Hainan": 460000,
    "重庆": 500000, "重慶": 500000, "Chongqing": 500000, "四川": 510000,
    "Sichuan": 510000, "贵州": 520000, "貴州": 520000, "Guizhou": 520000,
    "云南": 530000, "雲南": 530000, "Yunnan": 530000, "西藏": 540000,
    "西藏自治区": 540000, "Tibet": 540000, "Xizang": 540000, "陕西": 610000,
    "陝西": 610000, "Shaanxi": 610000, "Shaanxi Province": 610000,
    "Shaan'xi": 610000, "shaan xi": 610000, "Shensi": 610000, "甘肃": 620000,
    "甘肅": 620000, "Gansu": 620000, "青海": 630000, "Qinghai": 630000,
    "宁夏": 640000, "寧夏": 640000, "宁夏回族自治区": 640000, "Ningxia": 640000,
    "Ningxia Hui Autonomous Region": 640000, "新疆": 650000,
    "新疆维吾尔自治区": 650000, "Xinjiang": 650000,
    "Xinjiang Uygur Autonomous Region": 650000, "Xinjiang Uyghur": 650000,
    "台湾": 710000, "臺灣": 710000, "台灣省": 710000, "Taiwan": 710000,
    "香港": 810000, "Hong Kong": 810000, "HongKong": 810000, "Hong Kong SAR": 810000,
    "香港特别行政区": 810000, "澳门": 820000, "澳門": 820000, "Macao": 820000,
    "Macau": 820000, "Macao SAR": 820000, "110000": 110000, 440000: 440000,
    "440000.0": 440000, "４４００００": 440000,
}  # fmt: skip

CITY_SPELLINGS = {
    "石家庄": 130100, "石家莊市": 130100, "Shijiazhuang": 130100,
    "Shijiazhuang City": 130100, "哈尔滨": 230100, "Harbin": 230100,
    "Haerbin": 230100, "呼和浩特": 150100, "Hohhot": 150100, "Huhehaote": 150100,
    "乌鲁木齐": 650100, "烏魯木齊": 650100, "Urumqi": 650100, "Wulumuqi": 650100,
    "拉萨": 540100, "Lhasa": 540100, "西安": 610100, "Xi'an": 610100, "Xian": 610100,
    "XI AN": 610100, "延安": 610600, "Yan'an": 610600, "泰安": 370900,
    "Tai'an": 370900, "襄阳": 420600, "襄樊": 420600, "襄樊市": 420600,
    "Xiangfan": 420600, "普洱": 530800, "思茅": 530800, "思茅市": 530800,
    "毕节地区": 520500, "毕节": 520500, "铜仁地区": 520600, "海东地区": 630200,
    "日喀则地区": 540200, "Shigatse": 540200, "伊克昭盟": 150600,
    "鄂尔多斯": 150600, "Ordos": 150600, "恩施州": 422800,
    "恩施土家族苗族自治州": 422800, "Enshi": 422800, "延边朝鲜族自治州": 222400,
    "延边": 222400, "湘西州": 433100, "大理州": 532900, "锡林郭勒盟": 152500,
    "Xilingol": 152500, "阿克苏地区": 652900, "Aksu": 652900, "喀什": 653100,
    "Kashgar": 653100, "Kashi": 653100, "吉林": 220200, "吉林市": 220200,
    "海南州": 632500, "北京": 110100, "北京市": 110100, "Beijing": 110100,
    110000: 110100, 110100: 110100, 500000: 500100, "重庆": 500100,
    "Chongqing": 500100, "苏州": 320500, "Suzhou, Jiangsu": 320500,
    "苏州(江苏)": 320500, "宿州": 341300, "Suzhou (Anhui)": 341300,
    "Fuzhou, Fujian": 350100, "Fuzhou, Jiangxi": 361000,
    "Taizhou（浙江）": 331000, "江苏省苏州市": 320500, "浙江台州": 331000,
    "安徽省宿州市": 341300, "济源": 419001, "仙桃市": 429004, "神农架林区": 429021,
    "儋州": 460400, "三沙": 460300, "石河子": 659001, "香港": 810000,
    "Hong Kong": 810000, "澳門": 820000, "Canton": 440100, "Amoy": 350200,
    "广州": 440100, "Guangzhou": 440100, "深圳": 440300, "Shenzhen": 440300,
    "六安": 341500, "Lu'an": 341500, "蚌埠": 340300, "Bengbu": 340300,
    "丽水": 331100, "Lishui": 331100, "长沙": 430100, "Changsha": 430100,
    "厦门": 350200, "Xiamen": 350200, "重庆市": 500100, "马鞍山": 340500,
    "Ma'anshan": 340500, "Maanshan": 340500,
}  # fmt: skip

WRONG = ["Beijng", "Shangai City", "纽约", "Atlantis", "", "Guandong Province", "123"]


@pytest.mark.parametrize("level", ["province", "city"])
def test_real_world_spellings(level):
    table = PROVINCE_SPELLINGS if level == "province" else CITY_SPELLINGS
    got = match_units(list(table), level=level)
    assert dict(zip(map(str, table), got, strict=True)) == {
        str(k): v for k, v in table.items()
    }


def test_every_unit_matches_its_own_names():
    for level in ("province", "city"):
        units = unit_table(level)
        for column in ("name_zh", "name_zh_short", "adcode"):
            assert (
                match_units(units[column].tolist(), level=level)
                == units["adcode"].tolist()
            )
    # English names are unique except five pairs that need a province
    cities = unit_table("city")
    ambiguous = cities["name_en"].str.lower().duplicated(keep=False)
    assert sorted(set(cities.loc[ambiguous, "name_en"])) == [
        "Fuzhou", "Suzhou", "Taizhou", "Yichun", "Yulin",
    ]  # fmt: skip
    clean = cities.loc[~ambiguous]
    assert (
        match_units(clean["name_en"].tolist(), level="city") == clean["adcode"].tolist()
    )


def test_wrong_names_are_all_listed_with_candidates():
    with pytest.raises(sg.UnmatchedUnitError) as info:
        match_units(["北京", *WRONG, "上海"], level="province")
    err = info.value
    assert set(err.unmatched) == {
        "Beijng",
        "Shangai City",
        "纽约",
        "Atlantis",
        "",
        "Guandong Province",
        "123",
    }
    assert err.unmatched["Beijng"][0] == "北京市 (110000)"
    assert err.unmatched["Shangai City"][0] == "上海市 (310000)"
    assert err.unmatched["Guandong Province"][0] == "广东省 (440000)"
    assert "'Atlantis'" in str(err)
    assert isinstance(err, sg.SpatialGreenError)


def test_ambiguous_names_are_never_guessed():
    for name, expected in [
        ("Fuzhou", {350100, 361000}),
        ("Suzhou", {320500, 341300}),
        ("Taizhou", {321200, 331000}),
        ("Yichun", {230700, 360900}),
        ("Yulin", {450900, 610800}),
    ]:
        with pytest.raises(sg.UnmatchedUnitError, match="ambiguous") as info:
            match_units([name], level="city")
        codes = {
            int(c.rsplit(", ", 1)[1].rstrip(")")) for c in info.value.unmatched[name]
        }
        assert codes == expected


def test_levels_are_never_crossed():
    assert match_units(["吉林"], level="province") == [220000]
    assert match_units(["吉林"], level="city") == [220200]
    assert match_units(["海南"], level="province") == [460000]
    assert match_units(["海南"], level="city") == [632500]  # 海南藏族自治州, Qinghai
    for name, level in [
        ("海南藏族自治州", "province"),
        ("海南省", "city"),
        ("石家庄", "province"),
    ]:
        with pytest.raises(sg.UnmatchedUnitError):
            match_units([name], level=level)
    with pytest.raises(sg.UnmatchedUnitError, match="no province has adcode 110100"):
        match_units([110100], level="province")


def test_merged_and_split_units_raise_or_map_to_successor():
    for name in ["莱芜", "莱芜市", "Laiwu", "巢湖", "巢湖市", "Chaohu"]:
        with pytest.raises(sg.UnmatchedUnitError, match="abolished='successor'"):
            match_units([name], level="city")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = match_units(["莱芜", "巢湖"], level="city", abolished="successor")
    assert got == [370100, 340100]
    assert len(caught) == 2 and "济南" in str(caught[0].message)


def test_numpy_and_pandas_codes():
    import numpy as np
    import pandas as pd

    codes = np.array([110000, 440000], dtype=np.int64)
    assert match_units(codes) == [110000, 440000]
    assert match_units(pd.Series([110000.0, 440000.0])) == [110000, 440000]
    assert match_units(np.int32(500000), level="city") == [500100]
    with pytest.raises(sg.UnmatchedUnitError):
        match_units([110000.5])


def test_missing_values_are_errors():
    with pytest.raises(sg.UnmatchedUnitError, match="missing"):
        match_units(["北京", None, float("nan")])


def test_alias_table_points_at_existing_units():
    from spatialgreen.geo._data import aliases_table

    aliases = aliases_table()
    for level, rows in aliases.groupby("level"):
        known = set(unit_table(level)["adcode"])
        assert set(rows["adcode"]) <= known, level


def test_all_34_province_names():
    units = unit_table("province").set_index("adcode")
    assert len(units) == 34
    for code, (full, short, english) in PROVINCES.items():
        assert units.loc[code, ["name_zh", "name_zh_short", "name_en"]].tolist() == [
            full,
            short,
            english,
        ]
    assert (
        units.loc[610000, "name_en"] == "Shaanxi"
        and units.loc[140000, "name_en"] == "Shanxi"
    )


def _mangle(draw, text):
    out = []
    for ch in text:
        choice = draw(st.sampled_from(["same", "upper", "lower", "wide", "space"]))
        if choice == "upper":
            ch = ch.upper()
        elif choice == "lower":
            ch = ch.lower()
        elif choice == "wide" and "!" <= ch <= "~":
            ch = chr(ord(ch) + 0xFEE0)  # full-width form, undone by NFKC
        elif choice == "space":
            ch = ch + " "
        out.append(ch)
    return "".join(out)


@st.composite
def _mangled_city(draw):
    cities = unit_table("city")
    cities = cities.loc[~cities["name_en"].str.lower().duplicated(keep=False)]
    row = cities.iloc[draw(st.integers(0, len(cities) - 1))]
    text = draw(st.sampled_from([row["name_en"], row["name_zh"], row["name_zh_short"]]))
    suffix = draw(st.sampled_from(["", " City", " Shi"])) if text.isascii() else ""
    return _mangle(draw, text) + suffix, int(row["adcode"])


@settings(max_examples=150, deadline=None)
@given(_mangled_city())
def test_fuzzed_spellings_still_match(case):
    text, code = case
    assert match_units([text], level="city") == [code]


def test_normalize_name_nfkc_and_traditional():
    assert normalize_name("廣東省") == "广东省"
    assert normalize_name("Ｈｅｉ－ｌｏｎｇ Ｊｉａｎｇ  Province") == "heilongjiang"
    assert unicodedata.normalize("NFKC", "ｘ") == "x"


@pytest.mark.parametrize(
    ("text", "level", "code"),
    [
        ("An Hui", "province", 340000),  # "hui" is a syllable here, not 回族
        ("AN HUI", "province", 340000),
        ("Xin hui", "county", 440705),
        ("Lings hui", "city", 469028),  # found by test_fuzzed_spellings_still_match
        ("Ningxia Hui", "province", 640000),
        ("Ningxia Hui Autonomous Region", "province", 640000),
        ("Guangxi Zhuang", "province", 450000),
        ("Huang shi", "city", 420200),  # "shi" is a syllable here, not 市
        ("Huang Shi Shi", "city", 420200),
    ],
)
@pytest.mark.usefixtures("county_table")  # "Xin hui" is a county
def test_pinyin_syllable_hui_is_not_dropped_as_an_ethnic_word(text, level, code):
    assert match_units([text], level=level) == [code]


# --------------------------------------------------------------- county-level names

# district/county/banner names whose stem is also a prefecture-level unit elsewhere:
# name → the prefecture the stem would wrongly match
DISTRICT_LOOKALIKES = {
    "朝阳区": 211300,  # a district of Beijing (and of Changchun), not 朝阳市, Liaoning
    "西安区": 610100,  # a district of Liaoyuan (and of Mudanjiang), not 西安市
    "大同区": 140200,  # a district of Daqing, not 大同市, Shanxi
    "兴安区": 152200,  # a district of Hegang, not 兴安盟, Inner Mongolia
    "朝阳县": 211300,  # a county of 朝阳市: its data are not the city's
    "吉林区": 220200,
    "北京市朝阳区": 211300,
    "Chaoyang Qu": None,  # pinyin is not read as a county name (no Han suffix)
}


@pytest.mark.parametrize("name", [n for n, c in DISTRICT_LOOKALIKES.items() if c])
def test_county_level_names_never_become_a_prefecture(name):
    # the stem alone is the prefecture: the suffix is what makes it a district
    stem = normalize_name(name).removeprefix("北京市")[:-1]
    assert match_units([stem], level="city") == [DISTRICT_LOOKALIKES[name]]
    with pytest.raises(sg.UnmatchedUnitError, match="county-level name") as info:
        match_units([name], level="city")
    assert info.value.unmatched == {name: []}  # no misleading candidate either
    assert match_units([name], level="city", errors="coerce") == [None]


def test_county_level_units_that_are_city_level_units_still_match():
    # county-level units administered by their province are units of level="city"
    assert match_units(
        ["定安县", "定安", "白沙县", "白沙黎族自治县", "神农架林区", "神农架", "济源"],
        level="city",
    ) == [469021, 469021, 469025, 469025, 429021, 429021, 419001]
    # 地区 is a prefecture-level type, not a district
    assert match_units(["和田地区", "阿里地区", "铜仁地区"], level="city") == [
        653200,
        542500,
        520600,
    ]


def test_county_names_do_not_reach_abolished_units_either():
    # 莱芜区 is a district of 济南 since 2019; it is not the former 莱芜市
    with pytest.raises(sg.UnmatchedUnitError, match="county-level name"):
        match_units(["莱芜区"], level="city", abolished="successor")


# --------------------------------------------------------------------------- pinyin


@pytest.mark.parametrize(
    ("text", "level", "code"),
    [
        ("Neimenggu", "province", 150000),
        ("Nei Menggu", "province", 150000),
        ("NEI-MENGGU", "province", 150000),
        ("Neimenggu Zizhiqu", "province", 150000),
        ("Heilongjiang", "province", 230000),
        ("Hei Longjiang", "province", 230000),
        ("Xianggang", "province", 810000),
        ("Xiang Gang", "city", 810000),
        ("Aomen", "province", 820000),
        ("Xizang", "province", 540000),
        ("Shaanxi", "province", 610000),
        ("Huhehaote", "city", 150100),
        ("Wulumuqi", "city", 650100),
        ("Xilinguole", "city", 152500),
        ("Changdu", "city", 540300),
        ("Aletai", "city", 654300),
        ("Kezilesu", "city", 653000),
        ("Xing'an", "city", 152200),
        ("Xingan Meng", "city", 152200),
        ("Rikaze", "city", 540200),
        ("E'erduosi", "city", 150600),
    ],
)
def test_pinyin_with_or_without_spaces(text, level, code):
    assert match_units([text], level=level) == [code]


def test_pinyin_table_adds_no_ambiguity_and_agrees_with_pypinyin():
    from spatialgreen.geo.names import PINYIN, _index

    for level in ("province", "city"):
        keys = _index(level)[0]
        short = set(unit_table(level)["name_zh_short"])
        for zh, pinyin in PINYIN.items():
            if zh in short:
                assert len(keys[normalize_name(pinyin)]) == 1, (level, pinyin)
    pypinyin = pytest.importorskip("pypinyin")
    # the library reads 勒 as lei and 都 as dou; place names read le and du
    readings = {"勒": "le", "都": "du"}
    for zh, pinyin in PINYIN.items():
        syllables = [
            readings.get(ch, s)
            for ch, s in zip(zh, pypinyin.lazy_pinyin(zh), strict=True)
        ]
        assert normalize_name(pinyin) == "".join(syllables), zh


def test_errors_coerce_gives_none_and_still_checks_its_option():
    got = match_units(["北京", "Beijng", None, "莱芜"], level="city", errors="coerce")
    assert got == [110100, None, None, None]
    with pytest.raises(sg.DataError, match="errors must be"):
        match_units(["北京"], errors="ignore")  # type: ignore[call-overload]
