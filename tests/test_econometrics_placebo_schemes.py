"""Placebo schemes of DID papers: pseudo-treated units and moved policy years."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from spatialgreen.econometrics import fixed_effects, placebo
from spatialgreen.econometrics._design import codes
from spatialgreen.econometrics.placebo import _Timing, _unit_blocks, _unit_permutation
from spatialgreen.errors import ModelError, SpatialGreenWarning

N_UNITS, N_YEARS, FIRST = 30, 12, 2008


def _did(
    effect: float = 0.0,
    seed: int = 0,
    staggered: bool = False,
    rho: float = 0.8,
) -> pd.DataFrame:
    """Balanced DID panel: 10 treated provinces, unit and year effects, AR(1) errors."""
    rng = np.random.default_rng(seed)
    years = np.arange(FIRST, FIRST + N_YEARS)
    df = pd.DataFrame(
        {
            "province": np.repeat([f"p{i:02d}" for i in range(N_UNITS)], N_YEARS),
            "year": np.tile(years, N_UNITS),
        }
    )
    treated = rng.choice(N_UNITS, size=10, replace=False)
    start = np.full(N_UNITS, 10_000)
    start[treated] = rng.choice([2012, 2014, 2016], size=10) if staggered else 2014
    df["did"] = (df["year"] >= np.repeat(start, N_YEARS)).astype(float)
    e = np.zeros((N_UNITS, N_YEARS))
    shocks = rng.normal(size=(N_UNITS, N_YEARS))
    e[:, 0] = shocks[:, 0]
    for t in range(1, N_YEARS):
        e[:, t] = rho * e[:, t - 1] + shocks[:, t]
    alpha = np.repeat(rng.normal(size=N_UNITS), N_YEARS)
    tau = np.tile(rng.normal(size=N_YEARS), N_UNITS)
    df["ctrl"] = rng.normal(size=len(df))
    df["y"] = effect * df["did"] + 0.3 * df["ctrl"] + alpha + tau + e.ravel()
    return df


KW = {"controls": ["ctrl"], "unit": "province", "cluster": "province"}


def _paths(df: pd.DataFrame, column: str) -> pd.DataFrame:
    return df.pivot(index="province", columns="year", values=column)


# --- pseudo-treated units ------------------------------------------------------------


def test_unit_draws_move_whole_paths_and_keep_the_number_treated():
    df = _did(staggered=True)
    frame = df.sort_values(["province", "year"]).reset_index(drop=True)
    blocks, fixed = _unit_blocks(codes(frame["province"])[0], codes(frame["year"])[0])
    assert len(blocks) == 1 and blocks[0].shape == (N_UNITS, N_YEARS) and not fixed
    real = _paths(frame, "did")
    real_rows = {tuple(r) for r in real.to_numpy()}
    rng = np.random.default_rng(3)
    moved = 0
    for _ in range(20):
        perm = _unit_permutation(rng, len(frame), blocks)
        drawn = _paths(frame.assign(did=frame["did"].to_numpy()[perm]), "did")
        # each pseudo unit carries one real unit's whole path: treatment persists,
        # the timings are the real ones, and there are as many treated units
        assert {tuple(r) for r in drawn.to_numpy()} <= real_rows
        assert (np.diff(drawn.to_numpy(), axis=1) >= 0).all()
        assert int(drawn.max(axis=1).sum()) == 10
        assert sorted(map(tuple, drawn.to_numpy())) == sorted(
            map(tuple, real.to_numpy())
        )
        moved += int((drawn.max(axis=1) != real.max(axis=1)).sum())
    assert moved > 0


def test_unit_placebo_centres_on_zero_and_is_wider_than_cell_shuffles():
    df = _did(effect=0.0, seed=1)
    units = placebo(df, y="y", x="did", permute="units", reps=400, seed=0, **KW)
    assert abs(units.mean) < 4 * units.sd / np.sqrt(400)
    assert units.pvalue > 0.05
    cells = placebo(df, y="y", x="did", permute="within_time", reps=400, seed=0, **KW)
    # shuffling cells within years breaks each unit's persistent treatment; with
    # serially correlated errors its placebo distribution is far too narrow
    assert units.sd > 2 * cells.sd
    assert units.meta["exchange_groups"] == 1 and units.meta["units_kept"] == 0


def test_unit_placebo_puts_a_real_effect_in_the_tail():
    df = _did(effect=2.0, seed=2)
    res = placebo(df, y="y", x="did", permute="units", reps=400, seed=0, **KW)
    assert res.pvalue < 0.01
    assert res.estimate == pytest.approx(
        fixed_effects(df, y="y", x="did", **KW).params["did"]
    )


def test_unit_draw_equals_a_linearmodels_refit():
    df = _did(effect=0.5, seed=4, staggered=True)
    res = placebo(df, y="y", x="did", permute="units", reps=2, seed=9, **KW)
    frame = df.sort_values(["province", "year"]).reset_index(drop=True)
    blocks, _ = _unit_blocks(codes(frame["province"])[0], codes(frame["year"])[0])
    perm = _unit_permutation(np.random.default_rng(9), len(frame), blocks)
    refit = fixed_effects(
        frame.assign(did=frame["did"].to_numpy()[perm]), y="y", x="did", **KW
    )
    assert res.draws["estimate"].iloc[0] == pytest.approx(refit.params["did"], rel=1e-9)
    assert res.draws["std_error"].iloc[0] == pytest.approx(
        refit.std_errors["did"], rel=1e-9
    )


def test_unbalanced_units_exchange_only_with_units_of_the_same_years():
    df = _did(seed=5)
    gone = df.index[(df["province"] == "p03") & (df["year"] == 2010)]
    gone = gone.append(
        df.index[(df["province"].isin(["p07", "p08"])) & (df["year"] == FIRST)]
    )
    df = df.drop(index=gone)
    with pytest.warns(
        SpatialGreenWarning, match="1 unit\\(s\\) .* keep their own path: p03"
    ):
        res = placebo(df, y="y", x="did", permute="units", reps=50, seed=0, **KW)
    assert res.meta["exchange_groups"] == 2 and res.meta["units_kept"] == 1
    frame = df.sort_values(["province", "year"]).reset_index(drop=True)
    blocks, _ = _unit_blocks(codes(frame["province"])[0], codes(frame["year"])[0])
    perm = _unit_permutation(np.random.default_rng(0), len(frame), blocks)
    p03 = np.flatnonzero(frame["province"] == "p03")
    np.testing.assert_array_equal(perm[p03], p03)
    # p07 and p08 (both lack the first year) can only swap with each other
    p78 = np.flatnonzero(frame["province"].isin(["p07", "p08"]))
    assert set(perm[p78]) == set(p78)


# --- moved policy years -------------------------------------------------------------


def test_time_draws_keep_treated_units_and_move_each_cohort_together():
    df = _did(staggered=True, seed=6)
    frame = df.sort_values(["province", "year"]).reset_index(drop=True)
    x = frame["did"].to_numpy()
    timing = _Timing.build(frame, x, core="did", unit="province", time="year")
    real = _paths(frame, "did")
    first_real = real.idxmax(axis=1).where(real.max(axis=1) == 1)
    assert timing.n_cohorts == first_real.nunique()
    draws = timing.draw(np.random.default_rng(0), 40)
    seen_starts = set()
    for column in draws:
        drawn = _paths(frame.assign(did=column), "did")
        assert ((drawn.max(axis=1) == 1) == (real.max(axis=1) == 1)).all()
        assert (np.diff(drawn.to_numpy(), axis=1) >= 0).all()  # stays on
        first = drawn.idxmax(axis=1).where(drawn.max(axis=1) == 1)
        for _, members in first_real.dropna().groupby(first_real.dropna()):
            starts = first.loc[members.index]
            assert starts.nunique() == 1  # a cohort moves together
            seen_starts.add(int(starts.iloc[0]))
        assert drawn.loc[real.max(axis=1) == 1].to_numpy()[:, 0].max() == 0.0
    # pseudo years range over every year after the first
    assert seen_starts == set(range(FIRST + 1, FIRST + N_YEARS))


def test_time_placebo_centres_on_zero_without_an_effect():
    """Across simulated null panels the in-time placebo means scatter around 0.

    (Within one panel the treated units' own error paths shift every pseudo date
    alike, so a single placebo distribution need not sit exactly at 0.)
    """
    means, sds = [], []
    for seed in range(12):
        df = _did(effect=0.0, seed=100 + seed, staggered=True)
        res = placebo(df, y="y", x="did", permute="time", reps=100, seed=seed, **KW)
        means.append(res.mean)
        sds.append(res.sd)
    means = np.asarray(means)
    assert abs(means.mean()) < 4 * means.std(ddof=1) / np.sqrt(len(means))
    assert abs(means.mean()) < 0.5 * np.mean(sds)
    df = _did(effect=0.0, seed=7, staggered=True)
    res = placebo(df, y="y", x="did", permute="time", reps=20, seed=1, **KW)
    first = df.loc[df["did"] == 1].groupby("province")["year"].min()
    assert res.meta["cohorts"] == {
        str(y): int(n) for y, n in first.value_counts().sort_index().items()
    }
    assert res.meta["candidate_years"][0] == str(FIRST + 1)


def test_seeded_and_reproducible():
    df = _did(seed=8, staggered=True)
    for scheme in ("units", "time"):
        a = placebo(df, y="y", x="did", permute=scheme, reps=60, seed=3, **KW)
        b = placebo(df, y="y", x="did", permute=scheme, reps=60, seed=3, **KW)
        c = placebo(df, y="y", x="did", permute=scheme, reps=60, seed=4, **KW)
        pd.testing.assert_frame_equal(a.draws, b.draws)
        assert not np.allclose(a.draws["estimate"], c.draws["estimate"])


def test_single_policy_year_warns_that_timings_repeat():
    df = _did(seed=9)  # one cohort: 11 possible pseudo years
    with pytest.warns(SpatialGreenWarning, match="only 11 distinct pseudo timings"):
        res = placebo(df, y="y", x="did", permute="time", reps=50, seed=0, **KW)
    assert res.draws["estimate"].round(12).nunique() <= 11


def test_time_scheme_needs_a_did_treatment():
    df = _did(seed=10)
    with pytest.raises(ModelError, match="0/1 treatment column; 'ctrl' is"):
        placebo(df, y="y", x="ctrl", controls=[], permute="time", unit="province")
    off = df.copy()
    row = off.index[(off["province"] == off.loc[off["did"] == 1, "province"].iloc[0])]
    off.loc[row[-1], "did"] = 0.0
    with pytest.raises(ModelError, match="goes from 1 to 0 at province=p"):
        placebo(off, y="y", x="did", permute="time", **KW)
    never = df.assign(did=0.0).sort_values(["province", "year"])
    with pytest.raises(ModelError, match="never 1"):
        _Timing.build(
            never, never["did"].to_numpy(), core="did", unit="province", time="year"
        )


def test_units_scheme_needs_two_units_with_the_same_years():
    df = pd.DataFrame(
        {
            "unit": ["a", "a", "b", "b", "b", "c", "c", "c", "c"],
            "year": [1, 2, 1, 2, 3, 1, 2, 3, 4],
        }
    )
    df["x"] = np.arange(9.0) % 4
    df["y"] = np.sin(np.arange(9.0))
    with pytest.raises(ModelError, match="no two units are observed"):
        placebo(df, y="y", x="x", permute="units", effects="unit")
