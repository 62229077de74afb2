"""Official unit lists (spatialgreen.geo.lists): published counts, shipped adcodes,
templates that refuse to invent, and the 2014 city-size classes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from spatialgreen.errors import DataError
from spatialgreen.geo import (
    ListNotShippedError,
    city_size_class,
    grouping_table,
    list_template,
    load_list,
    match_units,
    official_lists,
    resource_cities,
    study_units,
)
from spatialgreen.geo._data import units_table

CITY = units_table("city").set_index("adcode")


def _members_match_shipped(table: pd.DataFrame) -> None:
    """Every member is a shipped city adcode and carries that unit's names."""
    assert table["adcode"].is_unique
    assert set(table["adcode"]) <= set(CITY.index)
    assert (CITY.loc[table["adcode"], "name_zh"].to_numpy() == table["name_zh"]).all()
    assert (CITY.loc[table["adcode"], "name_en"].to_numpy() == table["name_en"]).all()
    # the Chinese names resolve back to the same adcodes
    assert match_units(table["name_zh"].tolist(), level="city") == list(table["adcode"])


def test_yrd_2019_outline_41_cities_and_27_city_central_area():
    yrd = load_list("yrd_2019")
    _members_match_shipped(yrd)
    assert len(yrd) == 41
    assert yrd["province_zh"].value_counts().to_dict() == {
        "安徽省": 16,
        "江苏省": 13,
        "浙江省": 11,
        "上海市": 1,
    }
    central = set(yrd.loc[yrd["central_area"], "adcode"])
    assert len(central) == 27
    # the central area = the 26 agglomeration cities of 2016 plus Wenzhou
    assert central == set(study_units("yrd26", "city")) | {330300}
    assert set(yrd["adcode"]) == {
        a
        for a in study_units("all34", "city")
        if CITY.loc[a, "province_adcode"] in (310000, 320000, 330000, 340000)
    }


def test_jingjinji_13_cities_equal_the_jjj_study_at_city_level():
    jjj = load_list("jingjinji")
    _members_match_shipped(jjj)
    assert len(jjj) == 13
    assert sorted(jjj["adcode"]) == study_units("jjj", "city")


def test_greater_bay_area_9_prd_cities_plus_hong_kong_and_macao():
    gba = load_list("greater_bay_area")
    _members_match_shipped(gba)
    assert len(gba) == 11 and int(gba["prd9"].sum()) == 9
    assert set(gba.loc[gba["prd9"], "adcode"]) == set(study_units("prd", "city"))
    assert set(gba.loc[~gba["prd9"], "adcode"]) == {810000, 820000}


def test_chengdu_chongqing_chongqing_plus_15_sichuan_cities():
    cc = load_list("chengdu_chongqing")
    _members_match_shipped(cc)
    assert len(cc) == 16
    assert (CITY.loc[cc["adcode"], "province_adcode"] == 510000).sum() == 15
    assert 500100 in set(cc["adcode"])
    partial = cc.loc[cc["note"].notna(), "adcode"].tolist()
    assert partial == [500100, 510700]


def test_19_urban_agglomerations_names_blocks_and_tiers():
    ua = load_list("urban_agglomerations_19")
    assert len(ua) == 19 and ua["name_zh"].is_unique
    assert ua["block"].value_counts().to_dict() == {
        "west": 9,
        "east": 5,
        "central": 3,
        "northeast": 2,
    }
    assert ua["tier_14th_fyp"].value_counts().to_dict() == {
        "cultivate": 9,
        "optimise": 5,
        "expand": 5,
    }


def test_catalogue_status_and_counts():
    cat = official_lists()
    assert cat["status"].value_counts().to_dict() == {"verified": 5, "template": 3}
    for name in cat.index[cat["status"] == "verified"]:
        assert len(load_list(name)) == cat.loc[name, "members"]


@pytest.mark.parametrize(
    "name", ["resource_cities", "economic_regions8", "urban_agglomeration_members"]
)
def test_template_lists_refuse_without_a_file(name):
    with pytest.raises(ListNotShippedError, match="not shipped") as err:
        load_list(name)
    assert str(list_template(name)) in str(err.value)
    # the template holds the schema only (comment lines and a header), no members
    lines = list_template(name).read_text(encoding="utf-8").splitlines()
    data = [ln for ln in lines if not ln.startswith("#")]
    assert len(data) == 1


def test_resource_cities_requires_the_users_file():
    with pytest.raises(ListNotShippedError, match=r"国发〔2013〕45号"):
        resource_cities()


def _fake_full_list() -> pd.DataFrame:
    """A structurally valid file with the published counts (stages are dummies:
    126 arbitrary cities, NOT the official list)."""
    codes = study_units("mainland31", "city")[:126]
    stages = ["growing"] * 20 + ["mature"] * 66 + ["declining"] * 24
    stages += ["regenerative"] * 16
    return pd.DataFrame({"unit": codes, "stage": stages})


def test_resource_cities_from_a_filled_template(tmp_path):
    path = tmp_path / "rc.csv"
    template = list_template("resource_cities").read_text(encoding="utf-8")
    path.write_text(template + "丽江市,再生型,\n昭通,growth,\n", encoding="utf-8")
    out = resource_cities(path, strict=False)
    assert out.columns.tolist() == [
        "adcode",
        "name_zh",
        "name_en",
        "stage",
        "resource_type",
    ]
    assert out[["adcode", "stage"]].values.tolist() == [
        [530700, "regenerative"],
        [530600, "growing"],
    ]
    # strict: a subset does not have the published counts
    with pytest.raises(DataError, match="published prefecture-level counts"):
        resource_cities(path)
    full = resource_cities(_fake_full_list())
    assert full["stage"].value_counts().to_dict() == {
        "mature": 66,
        "declining": 24,
        "growing": 20,
        "regenerative": 16,
    }


def test_resource_cities_bad_input_is_named():
    with pytest.raises(DataError, match=r"unknown stage.*唐山市"):
        resource_cities(
            pd.DataFrame({"unit": ["唐山"], "stage": ["old"]}), strict=False
        )
    with pytest.raises(DataError, match="listed twice"):
        resource_cities(
            pd.DataFrame({"unit": ["唐山", "Tangshan"], "stage": ["再生型"] * 2}),
            strict=False,
        )
    with pytest.raises(DataError, match="stage"):
        resource_cities(pd.DataFrame({"unit": ["唐山"]}), strict=False)


def test_user_economic_regions_and_groupings():
    mine = pd.DataFrame({"province": ["辽宁", "吉林", "黑龙江"], "region": ["ne"] * 3})
    regions = load_list("economic_regions8", source=mine)
    assert regions["adcode"].tolist() == [210000, 220000, 230000]
    with pytest.raises(DataError, match="is shipped"):
        load_list("yrd_2019", source=mine)
    with pytest.raises(DataError, match="unknown official list"):
        load_list("yrd_2018")


def test_groupings_reach_grouping_table_and_study_units():
    table = grouping_table("city")
    counts = {g: int(table[g].sum()) for g in ("yrd41", "yrd27", "gba", "chengyu")}
    assert counts == {"yrd41": 41, "yrd27": 27, "gba": 11, "chengyu": 16}
    assert len(study_units("yrd27", "city")) == 27
    assert len(study_units("gba", "city")) == 11
    assert "yrd41" not in grouping_table("province").columns
    with pytest.raises(DataError, match="level='city'"):
        study_units("gba", "province")


# --- city-size classes (国发〔2014〕51号) -------------------------------------


def test_city_size_class_bounds_are_closed_below():
    pops = [0, 19.99, 20, 49.99, 50, 99.99, 100, 299.99, 300, 499.99, 500, 999.99]
    pops += [1000, 2500]
    assert city_size_class(pops).tolist() == [
        "small_II",
        "small_II",
        "small_I",
        "small_I",
        "medium",
        "medium",
        "large_II",
        "large_II",
        "large_I",
        "large_I",
        "very_large",
        "very_large",
        "megacity",
        "megacity",
    ]


def test_city_size_class_units_labels_and_missing():
    s = pd.Series([3_000_000, np.nan, 10_000_000], index=["a", "b", "c"], name="pop")
    out = city_size_class(s, scale="人", lang="zh")
    assert out.index.tolist() == ["a", "b", "c"] and out.name == "pop"
    assert out.tolist()[0] == "Ⅰ型大城市" and pd.isna(out["b"])
    assert out["c"] == "超大城市"
    assert city_size_class(s, scale="persons", detail=False).tolist()[0] == "large"
    assert city_size_class(20) == "small_I"
    assert pd.isna(city_size_class(np.nan))
    assert s.tolist()[0] == 3_000_000  # input untouched


@pytest.mark.parametrize(
    ("pop", "kwargs", "msg"),
    [
        ([-1], {}, "negative"),
        (["a lot"], {}, "numeric"),
        ([1], {"scale": "million"}, "scale"),
        ([1], {"lang": "fr"}, "lang"),
    ],
)
def test_city_size_class_errors(pop, kwargs, msg):
    with pytest.raises(DataError, match=msg):
        city_size_class(pop, **kwargs)
