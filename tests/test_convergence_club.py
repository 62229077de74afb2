"""Tests of the Phillips & Sul (2007) log t test and club clustering on simulated
panels with known clubs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from spatialgreen.convergence import club, log_t
from spatialgreen.errors import DataError, PanelError


def _panel(
    levels: list[float], per_club: int, n_t: int = 40, seed: int = 0
) -> pd.DataFrame:
    """x_it = δ_it μ_t with δ_it -> club level: a unit deviation decaying like t^-0.6
    plus noise shrinking like 1/log(t+1) (the Phillips–Sul transition model)."""
    rng = np.random.default_rng(seed)
    t = np.arange(1, n_t + 1)
    mu = np.exp(0.02 * t)
    rows = []
    for c, level in enumerate(levels):
        for i in range(per_club):
            dev = rng.normal(scale=0.3) * t**-0.6
            noise = rng.normal(scale=0.02, size=n_t) / np.log(t + 1)
            delta = level + dev + noise
            rows.append(
                pd.DataFrame(
                    {
                        "unit": f"c{c}u{i}",
                        "year": 2000 + t,
                        "x": delta * mu,
                        "true_club": c,
                    }
                )
            )
    return pd.concat(rows, ignore_index=True)


def _log_t_by_hand(df: pd.DataFrame, r: float = 0.3) -> float:
    x = df.pivot(index="unit", columns="year", values="x").to_numpy()
    h = x / x.mean(axis=0)
    big_h = ((h - 1) ** 2).mean(axis=0)
    n_t = x.shape[1]
    t = np.arange(1, n_t + 1)
    keep = t >= int(np.floor(r * n_t))
    dep = np.log(big_h[0] / big_h[keep]) - 2 * np.log(np.log(t[keep] + 1))
    n = keep.sum()
    lags = int(np.floor(4 * (n / 100) ** (2 / 9)))
    fit = sm.OLS(dep, sm.add_constant(np.log(t[keep]))).fit(
        cov_type="HAC", cov_kwds={"maxlags": lags}
    )
    return float(fit.tvalues[1])


def test_log_t_matches_a_direct_hac_regression() -> None:
    df = _panel([1.0], per_club=8)
    res = log_t(df, "x", unit="unit", time="year")
    assert res.t == pytest.approx(_log_t_by_hand(df), rel=1e-10)
    assert res.converges and res.n_units == 8 and res.n_obs == 40 - 12 + 1


def test_log_t_rejects_two_separate_clubs() -> None:
    df = _panel([1.0, 2.0], per_club=5)
    res = log_t(df, "x", unit="unit", time="year")
    assert not res.converges and res.t < -1.65
    assert res.t == pytest.approx(_log_t_by_hand(df), rel=1e-10)


@pytest.mark.parametrize("levels", [[1.0, 2.0], [1.0, 1.8, 3.0]])
def test_club_recovers_known_clubs(levels: list[float]) -> None:
    df = _panel(levels, per_club=6, seed=1)
    res = club(df, "x", unit="unit", time="year")
    assert res.n_clubs == len(levels)
    truth = df.groupby("unit")["true_club"].first()
    found = res.clubs.set_index("unit")["club"]
    # clubs are numbered from the highest final level: the top true club is club 1
    expected = len(levels) - truth
    assert found.sort_index().to_dict() == expected.sort_index().to_dict()
    assert res.tests.set_index("club").loc["all", "converges"] == False  # noqa: E712
    assert res.tests.query("club != 'all'")["converges"].all()


def test_divergent_units_are_left_out() -> None:
    # two convergent units and three with their own, persistently different levels
    rng = np.random.default_rng(2)
    t = np.arange(1, 41)
    paths = {
        "a": 1.0 + 0.2 * t**-0.6,
        "b": 1.0 - 0.2 * t**-0.6,
        "x": np.full(40, 2.0),
        "y": np.full(40, 3.5),
        "z": np.full(40, 6.0),
    }
    rows = [
        pd.DataFrame({"unit": u, "year": t, "x": p * (1 + 0.001 * rng.normal(size=40))})
        for u, p in paths.items()
    ]
    res = club(pd.concat(rows), "x", unit="unit", time="year")
    labels = res.clubs.set_index("unit")["club"].to_dict()
    assert labels["a"] == labels["b"] != 0
    assert labels["x"] == labels["y"] == labels["z"] == 0


def test_merging_joins_clubs_that_converge_together() -> None:
    from spatialgreen.convergence.club import _merge

    df = _panel([3.0, 1.0], per_club=6, seed=3)
    x = df.pivot(index="unit", columns="year", values="x").to_numpy()
    # rows 0-5 are true club 0, 6-11 true club 1; split club 0 artificially in two
    split = [[0, 1, 2], [3, 4, 5], list(range(6, 12))]
    for how in ("ps", "schnurbus"):
        assert _merge(x, split, 0.3, how) == [list(range(6)), list(range(6, 12))]
    merged = club(df, "x", unit="unit", time="year", merge="schnurbus")
    assert merged.n_clubs == 2


def test_club_input_errors() -> None:
    df = _panel([1.0], per_club=3)
    with pytest.raises(PanelError, match="unbalanced"):
        club(df.iloc[1:], "x", unit="unit", time="year")
    with pytest.raises(DataError, match="positive"):
        club(df.assign(x=df["x"] - 10), "x", unit="unit", time="year")
    with pytest.raises(DataError, match="merge"):
        club(df, "x", unit="unit", time="year", merge="bogus")


def test_hp_filtered_clubs_match_statsmodels_trend() -> None:
    from statsmodels.tsa.filters.hp_filter import hpfilter

    df = _panel([1.0, 2.0], per_club=6, seed=1)
    res = club(df, "x", unit="unit", time="year", hp_lambda=400)
    assert res.n_clubs == 2 and sorted(res.clubs.groupby("club").size()) == [6, 6]
    trend = df.sort_values(["unit", "year"]).copy()
    trend["x"] = np.concatenate(
        [hpfilter(g["x"].to_numpy(), lamb=400)[1] for _, g in trend.groupby("unit")]
    )
    direct = log_t(trend, "x", unit="unit", time="year")
    filtered = log_t(df, "x", unit="unit", time="year", hp_lambda=400)
    assert filtered.t == pytest.approx(direct.t, rel=1e-10)


def test_unknown_order_by_is_an_error() -> None:
    # a typo ("first", "mean") used to fall through to "mean_last_third"
    t = np.arange(1, 21)
    rows = [(f"u{i}", s, 1.0 + i + 0.3 * np.sin(i) / s) for i in range(4) for s in t]
    df = pd.DataFrame(rows, columns=["unit", "year", "x"])
    with pytest.raises(DataError, match="order_by"):
        club(df, "x", order_by="first")  # type: ignore[arg-type]


def test_short_panels_are_refused_with_the_minimum_length() -> None:
    """A 3-period panel used to "converge" (one residual degree of freedom, where
    the 5 % t value is -6.31, not -1.65); the regression must keep 8 points."""
    from spatialgreen.convergence.club import MIN_POINTS, _points

    assert MIN_POINTS == 8
    # T = 9 keeps t = 2..9 at r = 0.3; T = 10 keeps t = 3..10 at r = 1/3
    assert (_points(9, 0.3), _points(8, 0.3), _points(10, 1 / 3)) == (8, 7, 8)
    short = _panel([1.0, 3.0], per_club=4, n_t=3)
    for func in (log_t, club):
        with pytest.raises(DataError, match=r"'year' has 3 periods.*at least 9"):
            func(short, "x", unit="unit", time="year")
    eight = _panel([1.0], per_club=4, n_t=8)
    with pytest.raises(DataError, match="at least 9 periods"):
        log_t(eight, "x", unit="unit", time="year")
    with pytest.raises(DataError, match="at least 10 periods"):
        log_t(_panel([1.0], per_club=4, n_t=9), "x", time="year", r=1 / 3)
    res = log_t(_panel([1.0], per_club=4, n_t=9), "x", unit="unit", time="year")
    assert res.n_obs == 8 and res.converges


def test_club_options_are_range_checked() -> None:
    df = _panel([1.0], per_club=3, n_t=20)
    for kw, name in (({"r": 1.0}, "r=1.0"), ({"r": -0.1}, "r=-0.1")):
        with pytest.raises(ValueError, match=name):
            log_t(df, "x", **kw)
    with pytest.raises(ValueError, match="hp_lambda=0"):
        club(df, "x", hp_lambda=0)
    with pytest.raises(ValueError, match="c=nan"):
        club(df, "x", c=float("nan"))
