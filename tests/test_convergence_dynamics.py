"""Classic and spatial Markov chains (spatialgreen.convergence.markov) against
giddy's output saved in tests/reference/convergence/markov_giddy.json (made by
markov_giddy.py; giddy is not imported here) and against the values printed in
giddy's documentation for the 48 US states, 1929–2009 (Rey 2001's example)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spatialgreen.convergence import markov
from spatialgreen.errors import DataError, PanelError

GIDDY = json.loads(
    (
        Path(__file__).parent / "reference" / "convergence" / "markov_giddy.json"
    ).read_text()
)
STATES = [str(i) for i in range(48)]  # the ids of states48.gal, rows of usjoin.csv


@pytest.fixture(scope="module")
def us_income() -> tuple[pd.DataFrame, object]:
    """Long panel of per-capita income and relative income (over the year's mean)."""
    import libpysal
    from libpysal import examples

    wide = pd.read_csv(examples.get_path("usjoin.csv"))
    years = [str(y) for y in range(1929, 2010)]
    relative = wide[years] / wide[years].mean(axis=0)
    long = (
        wide.assign(unit=STATES)
        .melt(id_vars=["unit"], value_vars=years, var_name="year", value_name="pci")
        .assign(year=lambda d: d["year"].astype(int))
    )
    rel = relative.assign(unit=STATES).melt(
        id_vars=["unit"], value_vars=years, var_name="year", value_name="rpci"
    )
    long["rpci"] = rel["rpci"].to_numpy()
    w = libpysal.io.open(examples.get_path("states48.gal")).read()
    return long, w


def _ids(classes: pd.DataFrame, column: str = "class") -> np.ndarray:
    """Class ids as units (in states48 order) × years, like giddy's arrays."""
    table = classes.pivot(index="unit", columns="year", values=column)
    return table.loc[STATES].to_numpy()


def test_classic_markov_of_yearly_quintiles_equals_giddy(us_income) -> None:
    data, _ = us_income
    ref = GIDDY["classic_yearly_quintiles"]
    res = markov(data, "pci", unit="unit", time="year", k=5, fixed=False)
    np.testing.assert_array_equal(_ids(res.classes), ref["class_ids"])
    counts = res.transitions.pivot(
        index="from_class", columns="to_class", values="count"
    )
    np.testing.assert_array_equal(counts, ref["transitions"])
    np.testing.assert_allclose(res.matrix(), ref["p"], rtol=1e-12)
    # giddy's documentation (giddy.markov.Markov, quintiles for each year)
    assert counts.to_numpy()[0].tolist() == [729, 71, 1, 0, 0]
    assert counts.to_numpy()[4].tolist() == [0, 0, 1, 57, 741]
    steady = res.steady_state["probability"].to_numpy()
    np.testing.assert_allclose(steady, ref["steady_state"], rtol=1e-10)
    np.testing.assert_allclose(
        steady, [0.20774716, 0.18725774, 0.20740537, 0.18821787, 0.20937187], atol=5e-9
    )
    assert res.bins == []


def test_classic_markov_of_pooled_relative_income_equals_giddy(us_income) -> None:
    data, _ = us_income
    ref = GIDDY["classic_pooled_relative"]
    res = markov(data, "rpci", unit="unit", time="year", k=5)
    np.testing.assert_array_equal(_ids(res.classes), ref["class_ids"])
    np.testing.assert_allclose(res.bins, ref["bins"], rtol=1e-15)
    counts = res.transitions.pivot(
        index="from_class", columns="to_class", values="count"
    )
    np.testing.assert_array_equal(counts, ref["transitions"])
    assert counts.to_numpy()[0].tolist() == [707, 58, 7, 1, 0]  # giddy's docs
    np.testing.assert_allclose(res.matrix(), ref["p"], rtol=1e-12)
    np.testing.assert_allclose(
        res.steady_state["probability"],
        [0.17957376, 0.21631443, 0.21499942, 0.21134662, 0.17776576],
        atol=5e-9,
    )


def test_spatial_markov_equals_giddy_and_rey_2001_example(us_income) -> None:
    data, w = us_income
    ref = GIDDY["spatial_pooled_relative"]
    res = markov(data, "rpci", unit="unit", time="year", k=5, w=w)
    np.testing.assert_array_equal(_ids(res.classes), ref["class_ids"])
    np.testing.assert_array_equal(_ids(res.classes, "lag_class"), ref["lag_class_ids"])
    for lag in range(5):
        np.testing.assert_allclose(res.matrix(lag), ref["P"][lag], rtol=1e-12)
        counts = res.transitions.loc[res.transitions["lag_class"] == lag]
        np.testing.assert_array_equal(
            counts.pivot(index="from_class", columns="to_class", values="count"),
            ref["T"][lag],
        )
    for name in ("LR", "Q"):
        assert res.meta[name] == pytest.approx(ref[name], rel=1e-12)
        assert res.meta[f"{name}_p"] == pytest.approx(ref[f"{name}_p"], abs=1e-14)
    assert res.meta["dof"] == ref["dof"] == 60
    # the numbers printed in giddy's documentation of Spatial_Markov
    assert f"{res.meta['LR']:.3f}" == "170.659"
    assert f"{res.meta['Q']:.3f}" == "200.624"
    assert res.matrix(0).iloc[0, 0] == pytest.approx(0.96341463, abs=5e-9)
    assert res.matrix(4).iloc[4, 4] == pytest.approx(0.97647059, abs=5e-9)
    steady = res.steady_state.pivot(
        index="lag_class", columns="class", values="probability"
    )
    np.testing.assert_allclose(
        steady.loc[0], [0.43509425, 0.2635327, 0.20363044, 0.06841983, 0.02932278],
        atol=5e-9,
    )  # fmt: skip
    np.testing.assert_allclose(
        steady.loc[4], [0.01776781, 0.19964349, 0.19009833, 0.25524697, 0.3372434],
        atol=5e-9,
    )  # fmt: skip
    np.testing.assert_allclose(res.bins, ref["cutoffs"] + [data["rpci"].max()])


def test_spatial_markov_by_period_quintiles_equals_giddy(us_income) -> None:
    data, w = us_income
    ref = GIDDY["spatial_yearly_relative"]
    res = markov(data, "rpci", unit="unit", time="year", k=5, w=w, fixed=False)
    np.testing.assert_array_equal(_ids(res.classes), ref["class_ids"])
    np.testing.assert_array_equal(_ids(res.classes, "lag_class"), ref["lag_class_ids"])
    for lag in range(5):
        np.testing.assert_allclose(res.matrix(lag), ref["P"][lag], rtol=1e-12)
    assert res.meta["LR"] == pytest.approx(ref["LR"], rel=1e-12)
    assert res.meta["Q"] == pytest.approx(ref["Q"], rel=1e-12)
    assert res.meta["dof"] == ref["dof"]


def _walk_panel(name: str = "walk") -> pd.DataFrame:
    walk = np.array(GIDDY["meta"][name])  # units × periods, saved input
    n, t = walk.shape
    return pd.DataFrame(
        {
            "unit": np.repeat(np.arange(n), t),
            "year": np.tile(np.arange(t), n),
            "gtfp": walk.ravel(),
        }
    )


@pytest.mark.parametrize(
    ("case", "name", "k"), [("walk_k3", "walk", 3), ("trend_k5", "trend", 5)]
)
def test_spatial_markov_on_a_lattice_equals_giddy(case, name, k) -> None:
    from libpysal.weights import lat2W

    ref = GIDDY[f"spatial_{case}"]
    res = markov(
        _walk_panel(name), "gtfp", unit="unit", time="year", k=k, w=lat2W(5, 5)
    )
    empty = np.array(ref["T"]).sum(axis=2) == 0
    assert empty.any() == (name == "trend")  # lag classes never starting in a class
    for lag in range(k):
        np.testing.assert_allclose(res.matrix(lag), ref["P"][lag], rtol=1e-12)
        np.testing.assert_allclose(res.matrix(lag).sum(axis=1), 1.0)
        # an empty row is made absorbing (giddy's fill_empty_classes)
        for row in np.flatnonzero(empty[lag]):
            assert res.matrix(lag).iloc[row, row] == 1.0
    assert res.meta["LR"] == pytest.approx(ref["LR"], rel=1e-12)
    assert res.meta["Q"] == pytest.approx(ref["Q"], rel=1e-12)
    assert res.meta["Q_p"] == pytest.approx(ref["Q_p"], rel=1e-10)
    assert res.meta["dof"] == ref["dof"]


def test_markov_bad_panels_raise() -> None:
    df = _walk_panel()
    with pytest.raises(PanelError, match="unbalanced"):
        markov(df.iloc[1:], "gtfp", unit="unit", time="year")
    with pytest.raises(DataError, match="two periods"):
        markov(df.loc[df["year"] == 0], "gtfp", unit="unit", time="year")


@settings(max_examples=25, deadline=None)
@given(
    units=st.integers(9, 16),
    periods=st.integers(2, 6),
    k=st.integers(2, 4),
    fixed=st.booleans(),
    seed=st.integers(0, 2**31),
)
def test_spatial_counts_add_up_to_the_classic_chain(units, periods, k, fixed, seed):
    """Two routes: the lag-conditioned counts summed over the lag classes are the
    classic chain's counts; every spatial matrix is stochastic."""
    from libpysal.weights import lat2W

    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(units)))
    n = side * side
    df = pd.DataFrame(
        {
            "unit": np.repeat(np.arange(n), periods),
            "year": np.tile(np.arange(periods), n),
            "y": rng.permutation(n * periods).astype(float),  # no ties
        }
    )
    classic = markov(df, "y", k=k, fixed=fixed)
    spatial = markov(df, "y", k=k, fixed=fixed, w=lat2W(side, side))
    summed = spatial.transitions.groupby(["from_class", "to_class"])["count"].sum()
    own = classic.transitions.set_index(["from_class", "to_class"])["count"]
    pd.testing.assert_series_equal(summed, own, check_names=False)
    assert own.sum() == n * (periods - 1)
    sums = spatial.transitions.groupby(["lag_class", "from_class"])["probability"].sum()
    np.testing.assert_allclose(sums, 1.0)
    assert spatial.meta["dof"] >= 0 and spatial.meta["LR"] >= -1e-9
