"""Placebo permutations: centred on zero without an effect, the truth in the tail."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from spatialgreen.econometrics import fixed_effects, placebo
from spatialgreen.econometrics._design import codes
from spatialgreen.econometrics.placebo import _permutation
from spatialgreen.errors import ModelError


def _panel(effect: float, seed: int = 0, n_units: int = 30, n_years: int = 10):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "province": np.repeat(np.arange(n_units), n_years),
            "year": np.tile(np.arange(2010, 2010 + n_years), n_units),
        }
    )
    n = len(df)
    alpha = np.repeat(rng.normal(size=n_units), n_years)
    df["ctrl"] = rng.normal(size=n)
    df["prod"] = rng.normal(size=n) + alpha
    df["gtfp"] = effect * df["prod"] + 0.5 * df["ctrl"] + alpha + rng.normal(size=n)
    return df


KW = {"controls": ["ctrl"], "unit": "province", "cluster": "province"}


def test_with_effect_the_estimate_is_far_in_the_tail():
    res = placebo(_panel(0.5), y="gtfp", x="prod", reps=1000, seed=0, **KW)
    assert res.estimate == pytest.approx(
        fixed_effects(_panel(0.5), y="gtfp", x="prod", **KW).params["prod"]
    )
    assert res.share_extreme == 0.0
    assert res.pvalue == pytest.approx(1 / 1001)
    assert abs(res.estimate - res.mean) > 10 * res.sd
    assert abs(res.mean) < 4 * res.sd / np.sqrt(1000)


def test_without_effect_centred_on_zero_and_not_in_the_tail():
    res = placebo(_panel(0.0, seed=1), y="gtfp", x="prod", reps=1000, seed=0, **KW)
    assert abs(res.mean) < 4 * res.sd / np.sqrt(1000)
    assert res.share_extreme > 0.05
    # under the null the placebo t tests reject about as often as their level
    share_05 = res.summary_table.set_index("statistic").loc["share_p_lt_0.05", "value"]
    assert 0.02 < share_05 < 0.10


def test_seeded_and_reproducible():
    df = _panel(0.2)
    a = placebo(df, y="gtfp", x="prod", reps=300, seed=7, **KW)
    b = placebo(df, y="gtfp", x="prod", reps=300, seed=7, **KW)
    c = placebo(df, y="gtfp", x="prod", reps=300, seed=8, **KW)
    pd.testing.assert_frame_equal(a.draws, b.draws)
    assert not np.allclose(a.draws["estimate"], c.draws["estimate"])


@pytest.mark.parametrize("scheme", ["within_time", "within_unit"])
def test_group_permutations_stay_inside_groups(scheme):
    df = _panel(0.0)
    key = "year" if scheme == "within_time" else "province"
    group = codes(df[key])[0]
    rng = np.random.default_rng(0)
    for _ in range(5):
        perm = _permutation(rng, len(df), group)
        assert sorted(perm) == list(range(len(df)))
        np.testing.assert_array_equal(group[perm], group)
    assert np.any(perm != np.arange(len(df)))
    res = placebo(df, y="gtfp", x="prod", reps=200, permute=scheme, **KW)
    assert len(res.draws) == 200


def test_draw_estimates_equal_linearmodels_refits():
    """A permuted draw re-estimated by linearmodels gives the same numbers."""
    df = _panel(0.3, seed=2)
    res = placebo(df, y="gtfp", x="prod", reps=3, seed=5, **KW)
    rng = np.random.default_rng(5)
    frame = df.sort_values(["province", "year"]).reset_index(drop=True)
    perm = rng.permutation(len(frame))
    frame["prod"] = frame["prod"].to_numpy()[perm]
    refit = fixed_effects(frame, y="gtfp", x="prod", **KW)
    assert res.draws["estimate"].iloc[0] == pytest.approx(
        refit.params["prod"], rel=1e-9
    )
    assert res.draws["std_error"].iloc[0] == pytest.approx(
        refit.std_errors["prod"], rel=1e-9
    )
    assert res.draws["p"].iloc[0] == pytest.approx(refit.pvalues["prod"], rel=1e-7)


def test_figure_takes_placebo_results():
    import matplotlib

    from spatialgreen.figures import placebo_distribution

    matplotlib.use("Agg")
    res = placebo(_panel(0.5), y="gtfp", x="prod", reps=100, **KW)
    fig = placebo_distribution(res)
    assert "placebo" in fig.axes[0].get_title()
    same = placebo_distribution(res.coefficients, res.estimate)
    assert same.axes[0].get_title() == fig.axes[0].get_title()


def test_bad_options():
    df = _panel(0.1)
    with pytest.raises(ModelError, match="permute must be"):
        placebo(df, y="gtfp", x="prod", permute="rows")
    with pytest.raises(ModelError, match="reps must be positive"):
        placebo(df, y="gtfp", x="prod", reps=0)
