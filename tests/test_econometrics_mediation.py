"""Mediation: c = c' + ab, Sobel closed form, bootstrap parity and stability."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from spatialgreen.econometrics import fixed_effects, mediation, sobel_test
from spatialgreen.econometrics._design import codes, demean, within_lstsq
from spatialgreen.errors import ModelError


def _panel(a=0.6, b=0.5, c_direct=0.2, n_units=30, n_years=10, seed=1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "unit": np.repeat(np.arange(n_units), n_years),
            "year": np.tile(np.arange(2010, 2010 + n_years), n_units),
        }
    )
    n = len(df)
    alpha = np.repeat(rng.normal(size=n_units), n_years)
    df["ctrl"] = rng.normal(size=n)
    df["x"] = rng.normal(size=n) + alpha
    df["m"] = a * df["x"] + 0.3 * df["ctrl"] + alpha + rng.normal(size=n)
    df["y"] = c_direct * df["x"] + b * df["m"] - 0.2 * df["ctrl"] + rng.normal(size=n)
    return df


@pytest.fixture(scope="module")
def result():
    return mediation(
        _panel(),
        y="y",
        x="x",
        mediator="m",
        controls=["ctrl"],
        unit="unit",
        cluster="unit",
        bootstrap=1000,
        seed=0,
    )


def test_sobel_closed_form():
    # z = ab / sqrt(b² s_a² + a² s_b²) = 0.2 / sqrt(0.0041)
    z, p = sobel_test(0.5, 0.1, 0.4, 0.1)
    assert z == pytest.approx(0.2 / np.sqrt(0.0041), rel=1e-12)
    assert p == pytest.approx(2 * stats.norm.sf(z), rel=1e-12)
    za, _ = sobel_test(0.5, 0.1, 0.4, 0.1, kind="aroian")
    zg, _ = sobel_test(0.5, 0.1, 0.4, 0.1, kind="goodman")
    assert za == pytest.approx(0.2 / np.sqrt(0.0041 + 0.0001), rel=1e-12)
    assert zg == pytest.approx(0.2 / np.sqrt(0.0041 - 0.0001), rel=1e-12)


@settings(max_examples=50, deadline=None)
@given(
    st.floats(-5, 5),
    st.floats(0.01, 2),
    st.floats(-5, 5),
    st.floats(0.01, 2),
)
def test_sobel_z_properties(a, sa, b, sb):
    z, p = sobel_test(a, sa, b, sb)
    if b**2 * sa**2 + a**2 * sb**2 == 0:  # undefined (0/0), also after underflow
        assert np.isnan(z) and np.isnan(p)
        return
    assert 0 <= p <= 1
    assert np.sign(z) == np.sign(a * b) or a * b == 0
    # symmetric in the two paths
    assert sobel_test(b, sb, a, sa)[0] == pytest.approx(z, rel=1e-12, abs=1e-300)


def test_decomposition_and_models(result):
    assert result.total == pytest.approx(result.direct + result.indirect, abs=1e-10)
    assert result.indirect == pytest.approx(result.a * result.b, rel=1e-12)
    assert result.proportion_mediated == pytest.approx(result.indirect / result.total)
    first = result.models["mediator"]
    outcome = result.models["outcome"]
    z, _ = sobel_test(
        first.params["x"],
        first.std_errors["x"],
        outcome.params["m"],
        outcome.std_errors["m"],
    )
    assert result.sobel_z == pytest.approx(z, rel=1e-12)
    # same sample in all three steps
    assert {m.nobs for m in result.models.values()} == {300}
    # the stepwise estimates are the plain fixed-effects ones
    direct = fixed_effects(_panel(), y="m", x="x", controls=["ctrl"], cluster="unit")
    assert result.a == pytest.approx(direct.params["x"], rel=1e-12)


def test_numpy_refit_equals_linearmodels(result):
    """The bootstrap's within-transform + lstsq route gives the linearmodels a and b."""
    df = _panel().sort_values(["unit", "year"]).reset_index(drop=True)
    w = demean(
        df[["y", "m", "x", "ctrl"]].to_numpy(), [codes(df["unit"]), codes(df["year"])]
    )
    a = within_lstsq(w[:, 1], w[:, 2:])[0]
    b = within_lstsq(w[:, 0], w[:, [2, 1, 3]])[1]
    assert a == pytest.approx(result.a, rel=1e-10)
    assert b == pytest.approx(result.b, rel=1e-10)


def test_bootstrap_interval(result):
    low, high = result.ci
    assert low < result.indirect < high
    assert low < 0.6 * 0.5 < high  # the true indirect effect
    assert len(result.draws) == 1000
    assert result.meta["bootstrap_failed"] == 0
    # percentile interval = quantiles of the draws
    q = np.quantile(result.draws["indirect"], [0.025, 0.975])
    np.testing.assert_allclose([low, high], q)


def test_bootstrap_reproducible_and_stable_across_seeds(result):
    df = _panel()
    kwargs = {
        "y": "y",
        "x": "x",
        "mediator": "m",
        "controls": ["ctrl"],
        "cluster": "unit",
    }
    again = mediation(df, bootstrap=1000, seed=0, **kwargs)
    pd.testing.assert_frame_equal(again.draws, result.draws)
    other = mediation(df, bootstrap=1000, seed=12345, **kwargs)
    assert not np.allclose(other.draws["indirect"], result.draws["indirect"])
    width = result.ci[1] - result.ci[0]
    for end in (0, 1):
        assert abs(other.ci[end] - result.ci[end]) < 0.1 * width
    # the bootstrap SE agrees with the delta-method (Sobel) SE to ~15 %
    sobel_se = result.indirect / result.sobel_z
    effects = result.effects.set_index("effect")
    assert effects.loc["indirect", "std_error"] == pytest.approx(sobel_se, rel=0.15)


def test_bias_corrected_interval_formula(result):
    draws = result.draws["indirect"].to_numpy()
    z0 = stats.norm.ppf(np.mean(draws < result.indirect))
    probs = stats.norm.cdf([2 * z0 - 1.959963984540054, 2 * z0 + 1.959963984540054])
    expected = np.quantile(draws, probs)
    np.testing.assert_allclose(
        result.effects.set_index("effect")
        .loc["indirect", ["bc_low", "bc_high"]]
        .to_numpy(dtype=float),
        expected,
    )


def test_no_mediation_interval_covers_zero():
    res = mediation(_panel(a=0.0, seed=4), y="y", x="x", mediator="m", bootstrap=500)
    low, high = res.ci
    assert low < 0 < high
    assert res.sobel_p > 0.05


def test_observation_resampling_and_bad_input():
    df = _panel()
    res = mediation(
        df, y="y", x="x", mediator="m", bootstrap=200, resample="observations"
    )
    assert res.ci[0] > 0
    with pytest.raises(ModelError, match="three different columns"):
        mediation(df, y="y", x="x", mediator="x")
    with pytest.raises(ModelError, match="ci_method"):
        mediation(df, y="y", x="x", mediator="m", ci_method="bca")
