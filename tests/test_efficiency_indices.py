"""Malmquist, ML and GML indices: decompositions, circularity and cross-checks."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pandas as pd
import pytest
from _helpers import EFFICIENCY_KW, efficiency_panel

from spatialgreen.efficiency import _core as core
from spatialgreen.efficiency import ddf, dea, productivity_index, sbm
from spatialgreen.errors import ModelError

KW = EFFICIENCY_KW


def _panel(n_units: int = 12, n_years: int = 4, seed: int = 5) -> pd.DataFrame:
    return efficiency_panel(n_units, n_years, seed, first_year=2015, growth=0.04)


def _scores(res, reference: str) -> pd.Series:
    d = res.distances
    return d.loc[d["reference"] == reference].set_index(["city", "year"])["score"]


@pytest.mark.parametrize("model", ["ddf", "sbm", "ebm", "dea"])
def test_gml_is_circular_and_decomposes(model):
    data = _panel()
    res = productivity_index(data, model=model, index="gml", **KW)
    idx = res.index
    np.testing.assert_allclose(idx["index"], idx["ec"] * idx["tc"], rtol=1e-12)
    np.testing.assert_allclose(idx["bpc"], idx["tc"])
    glob = _scores(res, "global")
    last = idx.groupby("city").tail(1).set_index("city")
    first_year, last_year = data["year"].min(), data["year"].max()
    for city, row in last.iterrows():
        expected = glob[(city, last_year)] / glob[(city, first_year)]
        assert row["cumulative"] == pytest.approx(expected, rel=1e-10)
    assert (idx["status"] == "ok").all() and res.meta["n_infeasible"] == 0


def test_ddf_ml_equals_chung_formula_from_static_runs():
    data = _panel(10, 3)
    res = productivity_index(data, model="ddf", index="ml", **KW)
    static = ddf(data, **KW).scores.set_index(["city", "year"])
    own = static["beta"]
    # the static score is the efficiency 1/(1 + beta) the index uses
    np.testing.assert_allclose(static["score"], 1 / (1 + own), rtol=1e-12)
    d_prev = _scores(res, "previous")
    d_next = _scores(res, "next")
    rows = res.index.set_index(["city", "year"])
    for (city, year), row in rows.iterrows():
        prev = row["prev_time"]
        d00 = 1 / (1 + own[(city, prev)])
        d11 = 1 / (1 + own[(city, year)])
        d01 = d_prev[(city, year)]  # E^{t}(t+1)
        d10 = d_next[(city, prev)]  # E^{t+1}(t)
        if np.isnan(d01) or np.isnan(d10):
            assert np.isnan(row["index"])
            continue
        ml = np.sqrt((d01 / d00) * (d11 / d10))
        assert row["index"] == pytest.approx(ml, rel=1e-9)
        assert row["ec"] == pytest.approx(d11 / d00, rel=1e-9)


def test_mixed_period_scores_match_a_two_period_global_run():
    # E^t(t+1) for SBM equals the score of obs (t+1) against period-t units only; build
    # that frontier explicitly: the obs plus all period-t units, with super-SBM for
    # points outside (the obs must then be excluded from its own reference).
    data = _panel(8, 2)
    res = productivity_index(data, model="sbm", index="ml", **KW)
    prev = _scores(res, "previous")
    t0, t1 = sorted(data["year"].unique())
    base = data[data["year"] == t0]
    for _, row in data[data["year"] == t1].iterrows():
        one = pd.concat([base, row.to_frame().T.assign(city="eval")], ignore_index=True)
        one[["x1", "x2", "y", "b"]] = one[["x1", "x2", "y", "b"]].astype(float)
        one["year"] = t0
        plain = sbm(one, **KW).scores.set_index("city")["score"]["eval"]
        if plain < 1 - 1e-6:
            expected = plain
        else:
            expected = sbm(one, **KW, super_efficiency=True).scores.set_index("city")[
                "score"
            ]["eval"]
        assert prev[(row["city"], t1)] == pytest.approx(expected, abs=1e-8)


def test_radial_malmquist_fgnz_decomposition():
    data = _panel(10, 3)
    res = productivity_index(
        data, model="dea", index="malmquist", orientation="output", **KW
    )
    idx = res.index
    np.testing.assert_allclose(idx["ec"], idx["pech"] * idx["sech"], rtol=1e-12)
    np.testing.assert_allclose(idx["index"], idx["ec"] * idx["tc"], rtol=1e-12)
    own_vrs = _scores(res, "own_vrs")
    vrs = dea(data, **KW, rts="vrs", orientation="output").scores.set_index(
        ["city", "year"]
    )
    np.testing.assert_allclose(
        own_vrs.to_numpy(), vrs.loc[own_vrs.index, "score"].to_numpy(), atol=1e-9
    )
    # CRS: input- and output-oriented Malmquist indices coincide
    inp = productivity_index(
        data, model="dea", index="malmquist", orientation="input", **KW
    )
    np.testing.assert_allclose(inp.index["index"], idx["index"], rtol=1e-7)


def test_sequential_technology_has_no_technical_regress():
    data = _panel(10, 4)
    res = productivity_index(
        data, model="sbm", index="ml", technology="sequential", **KW
    )
    # Under a sequential frontier the later technology contains the earlier one, so
    # E^{t+1}(t) ≤ E^t(t) and E^{t+1}(t+1) ≤ E^t(t+1): tc ≥ 1.
    assert (res.index["tc"] >= 1 - 1e-9).all()


def test_unbalanced_panel_skips_missing_pairs():
    data = _panel(6, 3)
    data = data.drop(index=data[(data["city"] == "c00") & (data["year"] == 2016)].index)
    with pytest.warns(UserWarning, match="'c00' lacks 2016"):
        res = productivity_index(data, model="ddf", index="gml", **KW)
    c00 = res.index[res.index["city"] == "c00"]
    assert c00.empty  # 2015→2016 and 2016→2017 both need 2016
    assert len(res.index) == 5 * 2


def test_index_argument_errors():
    data = _panel(4, 2)
    with pytest.raises(ModelError, match="index"):
        productivity_index(data, index="hicks", **KW)
    with pytest.raises(ModelError, match="gml"):
        productivity_index(data, technology="global", **KW)
    with pytest.raises(ModelError, match="do not apply"):
        productivity_index(data, model="sbm", direction="all", **KW)
    with pytest.raises(ModelError, match="two periods"):
        productivity_index(data[data["year"] == 2015], **KW)


def test_bounded_bads_cap_the_bad_output_target():
    # A_1 = (1, 10, 10) against T_0 = {A_0 = (1, 1, 1), B_0 = (1, 1, 1.5)},
    # g = (0, y, b), strong disposability: β = -0.9 (y target 1, b target 19).
    # APZ's bound caps the bad target at max_j b_j = 1.5, which no β satisfies:
    # the LP is infeasible.
    data = pd.DataFrame(
        {
            "unit": ["A", "B", "A", "B"],
            "t": [0, 0, 1, 1],
            "x": [1.0, 1.0, 1.0, 1.0],
            "y": [1.0, 1.0, 10.0, 1.0],
            "b": [1.0, 1.5, 10.0, 1.5],
        }
    )
    kw = {
        "model": "ddf",
        "index": "ml",
        "inputs": "x",
        "outputs": "y",
        "bad_outputs": "b",
        "time": "t",
        "disposability": "strong",
    }
    free = productivity_index(data, **kw)
    d = free.distances.set_index(["unit", "t", "reference"])["score"]
    assert d.loc[("A", 1, "previous")] == pytest.approx(1 / (1 - 0.9))
    capped = productivity_index(data, bounded_bads=True, **kw)
    bad = capped.infeasible.set_index(["unit", "t", "reference"])
    assert ("A", 1, "previous") in bad.index
    own = capped.distances.query("reference == 'own'")["score"]
    np.testing.assert_allclose(own, free.distances.query("reference == 'own'")["score"])


def _gap_panel() -> pd.DataFrame:
    data = _panel(6, 5)
    gap = (data["city"] == "c00") & (data["year"] == 2017)
    return data.loc[~gap].reset_index(drop=True)


def test_gml_cumulative_spans_a_unit_gap_by_circularity():
    # c00 lacks 2017: the pairs 2016→2017 and 2017→2018 have no index, but the GML
    # level of 2019 against 2015 is still E^G(2019) / E^G(2015); chaining the two
    # remaining rows (2016, 2019) silently dropped the 2016→2018 change.
    with pytest.warns(UserWarning, match="'c00' lacks 2017.*still spans the gap"):
        res = productivity_index(_gap_panel(), model="sbm", index="gml", **KW)
    assert res.meta["gaps"] == {"c00": [2017]}
    glob = res.distances.query("reference == 'global'").set_index(["city", "year"])
    glob = glob["score"]
    c00 = res.index[res.index["city"] == "c00"].set_index("year")
    assert list(c00.index) == [2016, 2019]
    for year in (2016, 2019):
        expected = glob[("c00", year)] / glob[("c00", 2015)]
        assert c00.loc[year, "cumulative"] == pytest.approx(expected, rel=1e-12)


def test_ml_cumulative_is_nan_after_a_unit_gap():
    with pytest.warns(UserWarning, match="'c00' lacks 2017.*NaN from the gap on"):
        res = productivity_index(_gap_panel(), model="sbm", index="ml", **KW)
    idx = res.index
    # the omitted rows are exactly the pairs around the gap: 6 units x 4 pairs - 2
    assert len(idx) == 6 * 4 - 2
    assert (2017 not in set(idx.loc[idx["city"] == "c00", "year"])) and (
        2018 not in set(idx.loc[idx["city"] == "c00", "year"])
    )
    c00 = idx[idx["city"] == "c00"].set_index("year")
    assert c00.loc[2016, "cumulative"] == pytest.approx(c00.loc[2016, "index"])
    assert np.isnan(c00.loc[2019, "cumulative"])  # the chain is broken at 2017
    assert np.isfinite(c00.loc[2019, "index"])
    # balanced units keep the plain chained product
    c01 = idx[idx["city"] == "c01"]
    np.testing.assert_allclose(c01["cumulative"], np.cumprod(c01["index"]))


@pytest.mark.parametrize("on_infeasible", ["nan", "one_base"])
def test_ddf_value_below_minus_one_is_undefined_not_a_negative_index(on_infeasible):
    # VRS, weak disposability: period-0 units are (x, y, b) = (1, 1, 4), period-1
    # units (1, 1, 1). E^0(1): y(1 + β) <= 1, b(1 - β) = 4 gives β = -3, so 1 + D = -2
    # and the "efficiency" 1/(1 + D) = -0.5; E^1(0) is infeasible. one_base used to
    # return an ML index of -0.5.
    data = pd.DataFrame(
        {
            "unit": ["A", "B", "A", "B"],
            "t": [0, 0, 1, 1],
            "x": [1.0, 1.0, 1.0, 1.0],
            "y": [1.0, 1.0, 1.0, 1.0],
            "b": [4.0, 4.0, 1.0, 1.0],
        }
    )
    res = productivity_index(
        data,
        model="ddf",
        index="ml",
        inputs="x",
        outputs="y",
        bad_outputs="b",
        time="t",
        rts="vrs",
        on_infeasible=on_infeasible,
    )
    assert res.index["index"].isna().all()
    assert (res.index["status"] == "infeasible").all()
    bad = res.infeasible.set_index(["unit", "t", "reference"])["status"]
    assert bad[("A", 1, "previous")] == "undefined"
    assert bad[("A", 0, "next")] == "infeasible"
    assert res.meta["n_infeasible"] == 4
    prev = res.distances.query("reference == 'previous'")["score"]
    assert prev.isna().all()


def test_key_column_named_like_a_result_column_is_an_error():
    # a unit column called "index" used to be overwritten by the index values
    data = _panel(4, 2).rename(columns={"city": "index"})
    with pytest.raises(ModelError, match="'index'"):
        productivity_index(data, model="sbm", **{**KW, "unit": "index"})


def test_super_efficiency_with_sequential_technology_is_refused():
    """An unchanged panel must give index 1; with a sequential reference set a
    frontier unit would meet its own earlier copy in t+1 only (index 0.707): error."""
    df = pd.DataFrame(
        {
            "unit": list("ABC") * 2,
            "year": [1] * 3 + [2] * 3,
            "x": [1.0, 2, 3] * 2,
            "y": [2.0, 2, 3] * 2,
        }
    )
    for technology in ("sequential", "window"):
        with pytest.raises(ModelError, match="unchanged unit"):
            productivity_index(
                df,
                model="dea",
                index="malmquist",
                inputs="x",
                outputs="y",
                technology=technology,
                window=2,
                super_efficiency=True,
            )
    res = productivity_index(
        df,
        model="dea",
        index="malmquist",
        inputs="x",
        outputs="y",
        super_efficiency=True,
    )
    np.testing.assert_allclose(res.index["index"], 1.0)


def test_balanced_and_ragged_but_gapless_panels_do_not_warn():
    import warnings

    data = _panel(4, 4)
    late = (data["city"] == "c00") & (data["year"] == data["year"].min())
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a unit starting late has no gap
        res = productivity_index(data.loc[~late], model="sbm", index="ml", **KW)
    assert res.meta["gaps"] == {}


@pytest.mark.parametrize(
    ("model", "index", "options"),
    [
        ("sbm", "gml", {}),
        ("sbm", "gml", {"rts": "vrs", "super_efficiency": True}),
        ("ddf", "gml", {}),
        ("ebm", "ml", {}),
        ("dea", "malmquist", {"technology": "sequential"}),
    ],
)
def test_large_set_path_gives_the_same_distances(model, index, options):
    # the dominance cover of the global frontier is found once and priced by every
    # year's LPs; forced onto a small panel it must change no distance
    data = _panel(25, 4)
    plain = productivity_index(data, model=model, index=index, **options, **KW)
    with mock.patch.multiple(core, COVER_MIN=1, ORDER_MIN=1):
        large = productivity_index(data, model=model, index=index, **options, **KW)
    pd.testing.assert_frame_equal(
        large.distances, plain.distances, check_exact=False, atol=1e-9, rtol=0
    )
    pd.testing.assert_frame_equal(
        large.index, plain.index, check_exact=False, atol=1e-9, rtol=0
    )
