"""Invariants of the frontier models (hypothesis) and the exact LP reduction."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pandas as pd
import pytest
from _helpers import EBM_TIED
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from spatialgreen.efficiency import _core as core
from spatialgreen.efficiency import ddf, dea, ebm, sbm
from spatialgreen.efficiency._cover import dominance_cover, locality_order

COLUMNS = ["x1", "x2", "y", "b"]
KW = {"inputs": ["x1", "x2"], "outputs": "y", "bad_outputs": "b"}
FAST = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _frame(values: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame(values, columns=COLUMNS)
    frame.insert(0, "unit", [f"u{i}" for i in range(len(frame))])
    return frame


positive_data = st.integers(min_value=4, max_value=14).flatmap(
    lambda n: arrays(np.float64, (n, 4), elements=st.floats(0.5, 50.0, width=32))
)

MODELS = [
    ("sbm", lambda d, **k: sbm(d, **KW, **k)),
    (
        "sbm-super-vrs",
        lambda d, **k: sbm(d, **KW, rts="vrs", super_efficiency=True, **k),
    ),
    (
        "sbm-input-super-vrs",
        lambda d, **k: sbm(
            d, **KW, rts="vrs", orientation="input", super_efficiency=True, **k
        ),
    ),
    ("ebm-super", lambda d, **k: ebm(d, **KW, super_efficiency=True, **k)),
    (
        "ebm-output-vrs",
        lambda d, **k: ebm(d, **KW, orientation="output", rts="vrs", **k),
    ),
    (
        "dea-output-vrs-super",
        lambda d, **k: dea(
            d, **KW, orientation="output", rts="vrs", super_efficiency=True, **k
        ),
    ),
    ("ddf", lambda d, **k: ddf(d, **KW, **k)),
    (
        "nddf-super",
        lambda d, **k: ddf(d, **KW, nonradial=True, super_efficiency=True, **k),
    ),
]


@pytest.mark.parametrize(("name", "model"), MODELS, ids=[m[0] for m in MODELS])
@FAST
@given(values=positive_data)
@example(values=EBM_TIED)
def test_reduced_lp_equals_full_lp(name, model, values):
    data = _frame(values)
    reduced = model(data)
    full = model(data, reduce=False)
    a, b = reduced.scores["score"].to_numpy(), full.scores["score"].to_numpy()
    assert np.array_equal(np.isnan(a), np.isnan(b))
    np.testing.assert_allclose(a, b, atol=1e-7, equal_nan=True)
    assert (reduced.scores["status"] == full.scores["status"]).all()


@FAST
@given(values=positive_data)
def test_sbm_scores_bounds_and_efficient_units(values):
    data = _frame(values)
    plain = sbm(data, **KW).scores["score"]
    assert ((plain > 0) & (plain <= 1 + 1e-9)).all()
    sup = sbm(data, **KW, super_efficiency=True).scores
    assert (sup["score"] >= plain - 1e-9).all()
    efficient = plain >= 1 - 1e-6
    assert efficient.any()  # some unit spans the frontier
    assert (sup.loc[efficient, "score"] >= 1 - 1e-9).all()
    assert (
        sup.loc[~efficient, "score"].sub(plain[~efficient]).abs().max(skipna=True)
        < 1e-9
        or not (~efficient).any()
    )
    # SBM ≤ radial CCR (Tone 2001, with the bad output as an input for both)
    as_inputs = {"inputs": ["x1", "x2", "b"], "outputs": "y"}
    ccr = dea(data, **as_inputs).scores["score"]
    assert (sbm(data, **as_inputs).scores["score"] <= ccr + 1e-7).all()


@FAST
@given(values=positive_data)
def test_units_invariance(values):
    data = _frame(values)
    scaled = data.assign(x1=data["x1"] * 1e6, y=data["y"] * 1e-3, b=data["b"] * 1e4)
    for model in (sbm, ebm):
        np.testing.assert_allclose(
            model(data, **KW).scores["score"],
            model(scaled, **KW).scores["score"],
            atol=1e-7,
        )
    np.testing.assert_allclose(
        dea(data, **KW).scores["score"], dea(scaled, **KW).scores["score"], atol=1e-7
    )
    np.testing.assert_allclose(
        ddf(data, **KW).scores["score"], ddf(scaled, **KW).scores["score"], atol=1e-7
    )


@FAST
@given(values=positive_data, unit=st.integers(0, 3), factor=st.floats(1.01, 5.0))
def test_more_input_never_raises_the_score(values, unit, factor):
    data = _frame(values)
    worse = data.copy()
    worse.loc[unit, "x1"] *= factor
    for model in (sbm, dea):
        before = model(data, **KW).scores["score"].iloc[unit]
        after = model(worse, **KW).scores["score"].iloc[unit]
        assert after <= before + 1e-8


def test_badly_scaled_data_solves():
    rng = np.random.default_rng(3)
    n = 40
    data = pd.DataFrame(
        {
            "unit": range(n),
            "x1": rng.uniform(1e-3, 5e-3, n),
            "x2": rng.uniform(1e8, 1e9, n),
            "y": rng.uniform(1e5, 1e6, n),
            "b": rng.uniform(1e-3, 1e-2, n),
        }
    )
    res = sbm(data, **KW, super_efficiency=True)
    assert (res.scores["status"] == "optimal").all()
    unit_free = data.assign(
        x1=data["x1"] * 1e3, x2=data["x2"] * 1e-8, y=data["y"] * 1e-5, b=data["b"] * 1e2
    )
    np.testing.assert_allclose(
        res.scores["score"],
        sbm(unit_free, **KW, super_efficiency=True).scores["score"],
        atol=1e-8,
    )


def test_ebm_super_scores_at_least_one_for_efficient_units():
    rng = np.random.default_rng(11)
    data = _frame(rng.uniform(1, 10, (25, 4)))
    plain = ebm(data, **KW).scores
    sup = ebm(data, **KW, super_efficiency=True).scores
    efficient = plain["score"] >= 1 - 1e-6
    assert efficient.any()
    assert (sup.loc[efficient, "score"] >= 1 - 1e-9).all()
    assert sup.loc[efficient, "super"].all() and not sup.loc[~efficient, "super"].any()
    np.testing.assert_allclose(
        sup.loc[~efficient, "score"], plain.loc[~efficient, "score"]
    )
    assert ((plain["score"] > 0) & (plain["score"] <= 1 + 1e-9)).all()


panel_data = st.integers(min_value=3, max_value=8).flatmap(
    lambda n: arrays(np.float64, (2 * n, 4), elements=st.floats(0.5, 50.0, width=32))
)


@FAST
@given(values=panel_data, technology=st.sampled_from(["sequential", "global"]))
def test_reduced_equals_full_on_panels(values, technology):
    data = _frame(values)
    data["year"] = np.repeat([2020, 2021], len(data) // 2)
    data["unit"] = [f"u{i}" for i in range(len(data) // 2)] * 2
    kw = {**KW, "time": "year", "technology": technology}
    for model in (sbm, ddf):
        a = model(data, **kw).scores["score"]
        b = model(data, **kw, reduce=False).scores["score"]
        np.testing.assert_allclose(a, b, atol=1e-7, equal_nan=True)


# --- dominance cover (efficiency/_cover.py): exact pricing on fewer columns ---

small_int_data = st.integers(min_value=2, max_value=30).flatmap(
    lambda n: arrays(np.float64, (n, 4), elements=st.integers(1, 6).map(float))
)


def _dominates(a: np.ndarray, b: np.ndarray, scaled: bool) -> bool:
    """Column ``a`` (x1, x2, y, b), scaled by ``y_b / y_a`` if ``scaled``, needs no
    more input or bad output and gives no less good output than ``b`` (exact on
    small integers: compared by cross-multiplication)."""
    if scaled:  # μ = y_b / y_a: μ·a_i ≤ b_i  ⇔  a_i·y_b ≤ b_i·y_a
        return bool(all(a[i] * b[2] <= b[i] * a[2] for i in (0, 1, 3)))
    return bool(a[0] <= b[0] and a[1] <= b[1] and a[2] >= b[2] and a[3] <= b[3])


@FAST
@given(values=small_int_data, scaled=st.booleans())
def test_dominance_cover_dominates_every_other_column(values, scaled):
    ref = np.vstack([values.T, np.ones(len(values))])
    cover = dominance_cover(ref, 2, 1, scaled=scaled)
    inside = set(cover.columns.tolist())
    assert cover.member.tolist() == [j in inside for j in range(len(values))]
    for j, col in enumerate(values):
        dominated_by = [
            i
            for i in range(len(values))
            if i != j and _dominates(values[i], col, scaled)
        ]
        if j not in inside:  # left out: some cover column dominates it
            assert any(i in inside for i in dominated_by)
        strictly = [
            i
            for i in dominated_by
            if i < j or not _dominates(col, values[i], scaled)  # equal: first kept
        ]
        if not strictly:  # nothing dominates it: it must be priced
            assert j in inside
    # the returns-to-scale row's dual must be 0 only when columns are scaled
    assert cover.nonpositive.tolist() == [True, True, False, True, scaled]
    assert cover.nonnegative.tolist() == [False, False, True, False, scaled]


def test_cover_refuses_duals_of_the_wrong_sign_and_excluded_cover_columns():
    ref = np.array([[1.0, 2.0, 2.0], [1.0, 1.0, 2.0], [1.0, 1.0, 1.0]])
    cover = dominance_cover(ref, 1, 1, scaled=False)  # columns 0 and 2
    duals = np.array([[-1.0, 1.0, 5.0], [0.5, 1.0, 5.0], [-1.0, -0.1, 5.0]])
    none = np.full(3, -1)
    assert cover.valid(duals, none).tolist() == [True, False, False]
    assert cover.valid(duals[[0, 0, 0]], np.array([0, 1, 2])).tolist() == [
        False,  # an excluded cover column: what it alone dominates is not priced
        True,
        False,
    ]
    scaled = dominance_cover(ref, 1, 1, scaled=True)
    assert not scaled.valid(duals[:1], none[:1])[0]  # RTS dual 5 ≠ 0 under CRS
    assert scaled.valid(np.array([[-1.0, 1.0, 0.0]]), none[:1])[0]


@FAST
@given(
    values=st.integers(min_value=0, max_value=60).flatmap(
        lambda n: arrays(np.float64, (n, 4), elements=st.floats(0.0, 50.0, width=32))
    )
)
def test_locality_order_is_a_permutation(values):
    order = locality_order(values, 2)
    assert sorted(order.tolist()) == list(range(len(values)))


@pytest.mark.parametrize(("name", "model"), MODELS, ids=[m[0] for m in MODELS])
@FAST
@given(values=positive_data)
@example(values=EBM_TIED)
def test_cover_and_locality_order_change_no_result(name, model, values):
    # force the large-set path (cover pricing, locality order) onto small data; the
    # sign check sends LPs whose duals do not qualify (DDF with weakly disposable
    # bads) to full pricing, so every model must match the unreduced LP
    data = _frame(values)
    # (EBM: its ε and weights come from additive projections, unique under ties
    # by the tie-break of ebm_parameters, so the solve order cannot change them)
    with mock.patch.multiple(core, COVER_MIN=1, ORDER_MIN=1):
        covered = model(data)
    full = model(data, reduce=False)
    a, b = covered.scores["score"].to_numpy(), full.scores["score"].to_numpy()
    np.testing.assert_allclose(a, b, atol=1e-7, equal_nan=True)
    assert (covered.scores["status"] == full.scores["status"]).all()


def test_duals_of_the_wrong_sign_fall_back_to_full_pricing():
    # weakly disposable bads are equality rows, so their duals may be positive and a
    # column the cover leaves out (more bad output) can still enter: unit 0 needs
    # unit 3, which unit 1 dominates; priced on the cover alone it would score 1.0
    values = np.array(
        [[4.0, 3.0, 6.0, 5.0], [3.0, 2.0, 5.0, 3.0], [2.0, 6.0, 5.0, 3.0], [2, 2, 3, 4]]
    )
    data = _frame(values)
    assert dominance_cover(
        np.vstack([values.T, np.ones(4)]), 2, 1, scaled=True
    ).columns.tolist() == [1, 2]
    with mock.patch.multiple(core, COVER_MIN=1, ORDER_MIN=1):
        covered = ddf(data, **KW).scores["score"]
    full = ddf(data, **KW, reduce=False).scores["score"]
    np.testing.assert_allclose(covered, full, atol=1e-9)
    assert covered[0] == pytest.approx(0.8992248062015502, abs=1e-9)
