"""Technology-transfer flows: hand-computed tables, closed forms, invariants, errors."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spatialgreen import UnmatchedUnitError
from spatialgreen.errors import DataError
from spatialgreen.flows._ipc import GreenIPC, green_ipc_list, parse_ipc
from spatialgreen.flows.transfer import transfer_flows

GAZ = pd.DataFrame(
    {
        "name": ["A", "B", "C", "X", "Y"],
        "adcode": [1, 2, 3, 4, 5],
        "lon": [121.0, 120.5, 120.0, 116.4, 113.3],
        "lat": [31.2, 31.3, 30.3, 39.9, 23.1],
    }
)


def records(rows):
    return pd.DataFrame(rows, columns=["origin", "destination", "year", "count"])


# A, B, C form the region; X and Y are outside. Within = 3+1+2 = 6, outflow
# (A→X, C→Y) = 3, inflow (X→B) = 5, external (X→Y) = 5; A→A is a self-transfer.
ROWS = [
    ("A", "B", 2020, 3),
    ("B", "A", 2020, 1),
    ("A", "C", 2020, 2),
    ("A", "X", 2020, 2),
    ("C", "Y", 2020, 1),
    ("X", "B", 2020, 5),
    ("X", "Y", 2020, 5),
    ("A", "A", 2020, 7),
]


@pytest.fixture(scope="module")
def hand():
    with pytest.warns(UserWarning, match="from a city to itself"):
        return transfer_flows(
            records(ROWS),
            region=["A", "B", "C"],
            groups={"X": "hubs", "Y": "hubs"},
            places=GAZ,
        )


def test_regional_tables(hand):
    row = hand.regional.iloc[0]
    assert row[["within", "outflow", "inflow", "external", "total"]].tolist() == [
        6,
        3,
        5,
        5,
        19,
    ]
    between = hand.between.set_index(["origin_group", "destination_group"])["count"]
    assert between.to_dict() == {
        ("region", "region"): 6,
        ("hubs", "hubs"): 5,
        ("hubs", "region"): 5,
        ("region", "hubs"): 3,
    }
    partners = hand.partners.iloc[0]
    assert partners["group"] == "hubs"
    assert (partners["supplied_to_region"], partners["bought_from_region"]) == (5, 3)


def test_integration_closed_forms(hand):
    row = hand.integration.iloc[0]
    assert row["supply"] == pytest.approx(6 / 9)
    assert row["sales"] == pytest.approx(6 / 11)
    assert row["overall"] == pytest.approx(12 / 20)
    assert row["density"] == pytest.approx(3 / 6)  # A→B, B→A, A→C of 3·2 pairs
    assert row["note"] == ""


def test_self_transfers_kept_aside(hand):
    assert hand.self_transfers[["origin_label", "count"]].values.tolist() == [["A", 7]]
    assert hand.flows["count"].sum() == 19
    assert not (hand.flows["origin"] == hand.flows["destination"]).any()
    with pytest.raises(DataError, match="to itself: A"):
        transfer_flows(records(ROWS), places=GAZ, self_transfers="raise")


def test_network_measures(hand):
    net = hand.network.set_index("name")
    assert net.loc["A", ["out_degree", "in_degree"]].tolist() == [3, 1]
    assert net.loc["A", ["out_strength", "in_strength", "strength"]].tolist() == [
        7,
        1,
        8,
    ]
    assert net.loc["X", "strength"] == 12
    assert net["in_strength"].sum() == net["out_strength"].sum() == 19
    assert net["pagerank"].sum() == pytest.approx(1.0)
    # core: fewest top-strength cities holding half of the 38 endpoints: X (12) + B (9)
    assert hand.core["name"].tolist() == ["X", "B"]
    assert hand.core["cumulative_share"].iloc[-1] == pytest.approx(21 / 38)
    assert net["core"].sum() == 2


def test_betweenness_uses_inverse_count_distance():
    # P→Q and Q→R carry 10 transfers, P→R only 1. With distance = 1/count the
    # strong two-step path (0.2) beats the weak direct tie (1.0), so Q lies on
    # the only shortest P→R path: normalised directed betweenness 1/((n-1)(n-2)).
    gaz = pd.DataFrame(
        {"name": list("PQR"), "adcode": [1, 2, 3], "lon": 0.0, "lat": 0.0}
    )
    rec = records([("P", "Q", 2020, 10), ("Q", "R", 2020, 10), ("P", "R", 2020, 1)])
    net = transfer_flows(rec, places=gaz).network.set_index("name")
    assert net.loc["Q", "betweenness"] == pytest.approx(1 / 2)
    assert net.loc["P", "betweenness"] == net.loc["R", "betweenness"] == 0
    rec = records([("P", "Q", 1, 1), ("Q", "R", 1, 1), ("P", "R", 1, 10)])
    net = transfer_flows(rec, places=gaz).network.set_index("name")
    assert net.loc["Q", "betweenness"] == 0  # now the direct tie is shorter


def test_eigenvector_two_cities():
    gaz = GAZ.iloc[:2]
    net = transfer_flows(records([("A", "B", 2020, 4)]), places=gaz).network
    assert net["eigenvector"].tolist() == pytest.approx([1 / math.sqrt(2)] * 2)


def test_eigenvector_star_closed_form():
    # an undirected star with unit weights: centre √(1/2), leaves √(1/(2k)) (k = 4)
    gaz = pd.DataFrame(
        {"name": list("HIJKL"), "adcode": range(1, 6), "lon": 0.0, "lat": 0.0}
    )
    rec = records([("H", leaf, 2020, 1) for leaf in "IJKL"])
    net = transfer_flows(rec, places=gaz).network.set_index("name")
    assert abs(net.loc["H", "eigenvector"]) == pytest.approx(math.sqrt(1 / 2))
    assert abs(net.loc["I", "eigenvector"]) == pytest.approx(math.sqrt(1 / 8))


def test_od_matrix_and_flow_lines(hand):
    od = hand.od_matrix()
    assert od.loc["A", "B"] == 3 and od.loc["X", "Y"] == 5
    assert int(od.to_numpy().sum()) == 19
    assert np.all(np.diag(od.to_numpy()) == 0)
    assert hand.od_matrix(names=False).loc[1, 2] == 3
    with pytest.raises(DataError, match="no period"):
        hand.od_matrix("1999")
    line = hand.flow_lines.set_index(["origin_name", "destination_name"]).loc[
        ("X", "B")
    ]
    assert (line["o_lon"], line["o_lat"], line["d_lon"], line["d_lat"]) == (
        116.4,
        39.9,
        120.5,
        31.3,
    )
    assert line["count"] == 5 and line["scope"] == "inflow"


def test_periods_and_missing_years():
    rows = [("A", "B", 2001, 2), ("X", "A", 2003, 1), ("A", "B", 2004, 1)]
    res = transfer_flows(records(rows), region=["A", "B"], places=GAZ)
    assert res.regional["period"].tolist() == ["2001", "2002", "2003", "2004"]
    gap = res.integration.set_index("period").loc["2002"]
    assert np.isnan(gap["overall"]) and gap["note"].startswith("no transfer")
    only_inflow = res.integration.set_index("period").loc["2003"]
    assert only_inflow["note"] == "region supplied nothing: supply undefined"
    assert only_inflow["sales"] == 0 and np.isnan(only_inflow["supply"])
    blocks = transfer_flows(records(rows), region=["A", "B"], places=GAZ, periods=2)
    assert blocks.regional["period"].tolist() == ["2001-2002", "2003-2004"]
    assert blocks.regional["within"].tolist() == [2, 1]
    assert blocks.regional["inflow"].tolist() == [0, 1]
    explicit = transfer_flows(records(rows), places=GAZ, periods=[(2001, 2004)])
    assert explicit.flows["period"].unique().tolist() == ["2001-2004"]
    with pytest.raises(DataError, match="outside every period"):
        transfer_flows(records(rows), places=GAZ, periods=[(2001, 2002)])
    with pytest.raises(DataError, match="non-overlapping"):
        transfer_flows(records(rows), places=GAZ, periods=[(2001, 2003), (2003, 2004)])
    green_none = records(rows).assign(ipc="G06F 3/00")
    empty = transfer_flows(green_none, ipc="ipc", green_only=True, places=GAZ)
    assert empty.flows.empty and empty.network.empty and empty.regional.empty


def test_missing_year_rows_are_errors():
    bad = records([("A", "B", None, 1), ("A", "B", 2020, 1)])
    with pytest.raises(DataError, match=r"missing or non-integer 'year'.*row 0: A → B"):
        transfer_flows(bad, places=GAZ)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (("A", "B", 2020, -1), "negative 'count'"),
        (("A", "B", 2020, None), "missing or non-numeric 'count'"),
        (("A", "B", 2020.5, 1), "non-integer 'year'"),
        (("", "B", 2020, 1), "without 'origin'"),
    ],
)
def test_bad_records(row, message):
    with pytest.raises(DataError, match=message):
        transfer_flows(records([row]), places=GAZ)


def test_unknown_cities_listed():
    with pytest.raises(UnmatchedUnitError, match="'Q'"):
        transfer_flows(records([("A", "Q", 2020, 1)]), places=GAZ)
    with pytest.raises(UnmatchedUnitError, match="火星") as info:
        transfer_flows(
            records([("上海", "火星", 2020, 1), ("Atlantis", "苏州", 2020, 1)])
        )
    assert set(info.value.unmatched) == {"火星", "Atlantis"}


def test_options_validated():
    with pytest.raises(DataError, match="green_only"):
        transfer_flows(records(ROWS[:1]), places=GAZ, green_only=True)
    with pytest.raises(DataError, match="core_share"):
        transfer_flows(records(ROWS[:1]), places=GAZ, core_share=0)
    with pytest.raises(DataError, match="gazetteer"):
        transfer_flows(records(ROWS[:1]), places=GAZ, region="yrd26")
    rec = records(ROWS[:1]).drop(columns="count")
    with pytest.raises(DataError, match="count"):
        transfer_flows(rec, places=GAZ)


# ---------------------------------------------------------------- green IPC


@pytest.mark.parametrize(
    ("code", "green"),
    [
        ("F03D 1/06", True),  # wind motors (subclass entry)
        ("f03d", True),
        ("H01M 8/04", True),  # fuel cells, range 8/00-8/24
        ("C10L 5/48", True),  # upper end of 5/40-5/48
        ("C10L 5/482", True),  # a subgroup below the upper end
        ("C10L 5/49", False),
        ("C10L 5/39", False),
        ("A01N 65/08", True),  # range 25/00-65/00 covers main group 65
        ("A01N 66/00", False),
        ("B60L", False),  # subclass only: B60L is green only in some groups
        ("G06F 17/30", False),
    ],
)
def test_green_ipc_prefix_and_ranges(code, green):
    assert (GreenIPC().category(code) is not None) is green


def test_green_inventory_categories():
    cats = set(green_ipc_list()["category"])
    assert cats == {
        "alternative energy production",
        "transportation",
        "energy conservation",
        "waste management",
        "agriculture or forestry",
        "administrative, regulatory or design aspects",
        "nuclear power generation",
    }
    assert GreenIPC().category("G21C 1/00") == "nuclear power generation"
    assert parse_ipc(" H01L  31/042 ") == ("H01L", 31, "042")
    with pytest.raises(DataError, match="not an IPC symbol"):
        parse_ipc("wind")


def test_green_flag_and_filter():
    rec = records(ROWS[:4]).assign(
        ipc=["F03D 1/00", "G06F 3/00; C02F 1/44", "A61K 8/00", ""]
    )
    res = transfer_flows(rec, ipc="ipc", places=GAZ)
    assert res.records["green"].tolist() == [True, True, False, False]
    assert res.records["green_category"].tolist()[:2] == [
        "alternative energy production",
        "waste management",
    ]
    only = transfer_flows(rec, ipc="ipc", green_only=True, places=GAZ)
    assert only.flows["count"].sum() == 3 + 1
    custom = transfer_flows(
        rec, ipc="ipc", green_ipc=["A61K"], green_only=True, places=GAZ
    )
    assert custom.flows["count"].sum() == 2


# ---------------------------------------------------------------- invariants


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from("ABCXY"),
            st.sampled_from("ABCXY"),
            st.integers(2001, 2004),
            st.integers(0, 20),
        ),
        min_size=1,
        max_size=30,
    ),
    region=st.sets(st.sampled_from("ABCXY"), min_size=1, max_size=4),
)
def test_invariants(rows, region):
    rec = records(rows)
    kept = rec[rec["origin"] != rec["destination"]]
    if kept.empty:
        return
    before = rec.copy()
    with pytest.warns() if len(kept) < len(rec) else _nothing():
        res = transfer_flows(rec, region=sorted(region), places=GAZ, centralities=False)
    pd.testing.assert_frame_equal(rec, before)
    regional = res.regional
    assert (
        regional["total"]
        == regional[["within", "outflow", "inflow", "external"]].sum(axis=1)
    ).all()
    assert regional["total"].sum() == kept["count"].sum()
    integ = res.integration.dropna(subset=["supply", "sales"])
    lo = np.minimum(integ["supply"], integ["sales"]) - 1e-12
    hi = np.maximum(integ["supply"], integ["sales"]) + 1e-12
    assert ((integ["overall"] >= lo) & (integ["overall"] <= hi)).all()  # a mediant
    values = res.integration[["overall", "supply", "sales", "density"]].to_numpy(float)
    values = values[~np.isnan(values)]
    assert ((values >= 0) & (values <= 1)).all()
    assert int(res.od_matrix().to_numpy().sum()) == kept["count"].sum()
    for _, part in res.network.groupby("period"):
        assert part["in_strength"].sum() == part["out_strength"].sum()


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


# ---------------------------------------------------------------- real names, demo data


def test_real_city_names_and_groupings():
    rec = records(
        [
            ("上海市", "苏州", 2020, 4),
            ("Beijing", "杭州", 2020, 2),
            ("南京", "深圳", 2020, 1),
        ]
    )
    res = transfer_flows(rec, region="yrd26", groups={"北京": "Beijing–Tianjin"})
    assert res.regional.iloc[0][["within", "inflow", "outflow"]].tolist() == [4, 2, 1]
    partners = res.partners.set_index("group")
    assert partners.loc["Beijing–Tianjin", "supplied_to_region"] == 2
    assert partners.loc["广东省", "bought_from_region"] == 1
    assert res.flows.loc[0, ["origin", "destination"]].tolist() == [310100, 320500]
    line = res.flow_lines.iloc[0]
    assert 120 < line["o_lon"] < 122 and 30 < line["o_lat"] < 32


def test_demo_transfers_end_to_end():
    from spatialgreen import datasets

    rec = datasets.patent_transfers()
    rec = rec[rec["year"] <= 2003]
    res = transfer_flows(rec, ipc="ipc", green_only=True, region="yrd26", periods=3)
    assert res.regional["total"].sum() == res.records["count"].sum() > 0
    assert res.records["green"].all()
    row = res.integration.iloc[0]
    assert 0 < row["sales"] < 1 and 0 < row["supply"] < 1
    assert res.network["pagerank"].sum() == pytest.approx(1.0)
    # the same shares straight from the records, through the geo module only
    from spatialgreen.geo import match_units, study_units

    inventory = GreenIPC()
    green = rec[rec["ipc"].map(lambda c: inventory.category(c) is not None)]
    o = pd.Series(match_units(green["origin"], level="city"), index=green.index)
    d = pd.Series(match_units(green["destination"], level="city"), index=green.index)
    yrd = set(study_units("yrd26", level="city"))
    keep = o != d
    o_in, d_in, n = o.isin(yrd)[keep], d.isin(yrd)[keep], green["count"][keep]
    within, out, inn = (
        n[o_in & d_in].sum(),
        n[o_in & ~d_in].sum(),
        n[~o_in & d_in].sum(),
    )
    assert (row["within"], row["outflow"], row["inflow"]) == (within, out, inn)
    assert row["overall"] == pytest.approx(2 * within / (2 * within + out + inn))


def test_cli_flows(tmp_path, capsys):
    from spatialgreen.cli import main

    rec, gaz = tmp_path / "rec.csv", tmp_path / "gaz.csv"
    records(ROWS[:-1]).to_csv(rec, index=False)
    GAZ.to_csv(gaz, index=False)
    out = tmp_path / "flows.xlsx"
    argv = ["flows", str(rec), "--places", str(gaz), "--region", "A,B,C"]
    code = main([*argv, "--group", "hubs=X,Y", "-o", str(out)])
    assert code == 0
    assert "overall 0.600, supply 0.667, sales 0.545" in capsys.readouterr().out
    sheets = pd.read_excel(out, sheet_name=None)
    assert sheets["partners"].loc[0, "group"] == "hubs"
    assert sheets["integration"].loc[0, "overall"] == pytest.approx(0.6)
    assert main([*argv, "--group", "hubs", "-o", str(out)]) == 2


GAZ_ABC = pd.DataFrame(
    {
        "name": ["A", "B", "C"],
        "adcode": [1, 2, 3],
        "lon": [120.0, 121.0, 116.0],
        "lat": [31.0, 31.0, 40.0],
    }
)


def test_dropped_self_transfer_does_not_shift_period_blocks() -> None:
    rec = pd.DataFrame(
        {
            "origin": ["A", "A", "B"],
            "destination": ["A", "B", "A"],
            "year": [2001, 2003, 2004],
            "count": [1, 2, 3],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        res = transfer_flows(rec, region=["A", "B"], places=GAZ_ABC, periods=2)
    # blocks start at the first record year (2001), not at the first kept one
    assert res.integration["period"].tolist() == ["2001-2002", "2003-2004"]
    assert res.integration["within"].tolist() == [0, 5]


def test_green_only_keeps_the_years_of_all_records() -> None:
    rec = pd.DataFrame(
        {
            "origin": ["A", "A", "B"],
            "destination": ["B", "B", "A"],
            "year": [2001, 2003, 2004],
            "count": [1, 2, 3],
            "ipc": ["A01B 1/00", "F03D 1/06", "F03D"],
        }
    )
    res = transfer_flows(
        rec, region=["A", "B"], places=GAZ_ABC, ipc="ipc", green_only=True, periods=2
    )
    assert res.integration["period"].tolist() == ["2001-2002", "2003-2004"]
    assert res.integration["within"].tolist() == [0, 5]
