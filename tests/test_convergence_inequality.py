"""Tests of the inequality decompositions and distribution dynamics re-exported by
spatialgreen.convergence: Dagum Gini (against a brute-force double-sum
implementation and inequality's Gini), Theil (against inequality.theil) and kernel
densities (against scipy). Markov chains: tests/test_convergence_dynamics.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spatialgreen.convergence import (
    dagum_gini,
    kernel_density,
    sigma,
    theil,
)
from spatialgreen.errors import DataError


def _brute_dagum(y: np.ndarray, g: np.ndarray) -> dict:
    """Dagum (1997) written out literally with double sums over all pairs."""
    labels = sorted(set(g.tolist()))
    n, mean = len(y), y.mean()
    total = sum(abs(a - b) for a in y for b in y) / (2 * n * n * mean)
    parts = {lab: y[g == lab] for lab in labels}
    p = {lab: len(v) / n for lab, v in parts.items()}
    s = {lab: len(v) * v.mean() / (n * mean) for lab, v in parts.items()}
    g_jj = {
        lab: sum(abs(a - b) for a in v for b in v) / (2 * len(v) ** 2 * v.mean())
        for lab, v in parts.items()
    }
    within = sum(g_jj[lab] * p[lab] * s[lab] for lab in labels)
    net = trans = 0.0
    g_jh = {}
    for j in labels:
        for h in labels:
            if not parts[j].mean() > parts[h].mean():
                continue  # each pair once, richer group j first
            yj, yh = parts[j], parts[h]
            gini = sum(abs(a - b) for a in yj for b in yh) / (
                len(yj) * len(yh) * (yj.mean() + yh.mean())
            )
            d = sum(max(a - b, 0.0) for a in yj for b in yh) / (len(yj) * len(yh))
            pp = sum(max(b - a, 0.0) for a in yj for b in yh) / (len(yj) * len(yh))
            big_d = (d - pp) / (d + pp)
            weight = gini * (p[j] * s[h] + p[h] * s[j])
            net += weight * big_d
            trans += weight * (1 - big_d)
            g_jh[frozenset((j, h))] = gini
    return {
        "gini": total,
        "within": within,
        "net_between": net,
        "transvariation": trans,
        "g_jj": g_jj,
        "g_jh": g_jh,
    }


def _regions(seed: int = 0, n: int = 30) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    region = np.array(["east"] * 11 + ["central"] * 8 + ["west"] * (n - 19))
    shift = pd.Series({"east": 1.6, "central": 1.1, "west": 0.9})[region].to_numpy()
    rows = []
    for year in (2010, 2015):
        y = shift * np.exp(rng.normal(scale=0.35, size=n))
        rows.append(
            pd.DataFrame(
                {"unit": np.arange(n), "year": year, "region": region, "gtfp": y}
            )
        )
    return pd.concat(rows, ignore_index=True)


def test_dagum_matches_brute_force_and_sums_to_total() -> None:
    df = _regions()
    res = dagum_gini(df, "gtfp", group="region", time="year")
    for year, frame in df.groupby("year"):
        brute = _brute_dagum(frame["gtfp"].to_numpy(), frame["region"].to_numpy())
        tot = res.totals.set_index("year").loc[year]
        for key in ("gini", "within", "net_between", "transvariation"):
            assert tot[key] == pytest.approx(brute[key], rel=1e-12)
        assert tot["within"] + tot["net_between"] + tot[
            "transvariation"
        ] == pytest.approx(tot["gini"], rel=1e-12)
        shares = tot[["share_within", "share_net_between", "share_transvariation"]]
        assert shares.sum() == pytest.approx(1.0, rel=1e-12)
        within = res.within.loc[res.within["year"] == year].set_index("group")["gini"]
        assert within.to_dict() == pytest.approx(brute["g_jj"], rel=1e-12)
        between = res.between.loc[res.between["year"] == year]
        for _, row in between.iterrows():
            key = frozenset((row["group_a"], row["group_b"]))
            assert row["gini"] == pytest.approx(brute["g_jh"][key], rel=1e-12)


def test_dagum_total_equals_inequality_gini() -> None:
    from inequality.gini import Gini

    df = _regions(seed=4)
    res = dagum_gini(df, "gtfp", group="region", time="year").totals.set_index("year")
    for year, frame in df.groupby("year"):
        assert res.loc[year, "gini"] == pytest.approx(
            Gini(frame["gtfp"].to_numpy()).g, rel=1e-12
        )


def test_dagum_single_group_and_separated_groups() -> None:
    df = _regions().query("year == 2010")
    one = dagum_gini(df.assign(region="all"), "gtfp", group="region").totals.iloc[0]
    assert one["within"] == pytest.approx(one["gini"], rel=1e-12)
    assert one["net_between"] == 0 and one["transvariation"] == 0
    # groups that do not overlap have no transvariation (D_jh = 1)
    sep = pd.DataFrame({"y": [1.0, 2.0, 3.0, 10.0, 11.0, 12.0], "g": list("aaabbb")})
    tot = dagum_gini(sep, "y", group="g").totals.iloc[0]
    assert tot["transvariation"] == pytest.approx(0.0, abs=1e-15)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(0.01, 100.0), min_size=4, max_size=25),
    st.lists(st.sampled_from("abc"), min_size=25, max_size=25),
)
def test_dagum_components_always_sum_to_the_total(values: list, groups: list) -> None:
    df = pd.DataFrame({"y": values, "g": groups[: len(values)]})
    tot = dagum_gini(df, "y", group="g").totals.iloc[0]
    brute = _brute_dagum(df["y"].to_numpy(), df["g"].to_numpy())
    parts = tot["within"] + tot["net_between"] + tot["transvariation"]
    assert parts == pytest.approx(tot["gini"], rel=1e-9, abs=1e-12)
    assert tot["gini"] == pytest.approx(brute["gini"], rel=1e-9, abs=1e-12)
    assert tot["net_between"] >= -1e-12 and tot["transvariation"] >= -1e-12


def test_dagum_rejects_non_positive_values() -> None:
    df = pd.DataFrame({"y": [1.0, -2.0], "g": ["a", "b"], "year": [1, 1]})
    with pytest.raises(DataError, match="year=1"):
        dagum_gini(df, "y", group="g", time="year")


def test_theil_matches_inequality_and_hand_formula() -> None:
    from inequality.theil import TheilD

    df = _regions(seed=2)
    res = theil(df, "gtfp", group="region", time="year")
    for year, frame in df.groupby("year"):
        y = frame["gtfp"].to_numpy()
        direct = TheilD(y, frame["region"].to_numpy())
        tot = res.totals.set_index("year").loc[year]
        assert tot["theil"] == pytest.approx(float(np.ravel(direct.T)[0]), rel=1e-12)
        assert tot["between"] == pytest.approx(float(np.ravel(direct.bg)[0]), rel=1e-12)
        share = y / y.mean()
        assert tot["theil"] == pytest.approx(np.mean(share * np.log(share)), rel=1e-12)
        groups = res.groups.loc[res.groups["year"] == year]
        assert groups["contribution"].sum() == pytest.approx(tot["within"], rel=1e-9)
        assert tot["between"] + tot["within"] == pytest.approx(tot["theil"], rel=1e-9)


def test_kernel_density_matches_scipy_and_integrates_to_one() -> None:
    from scipy.stats import gaussian_kde

    df = _regions(seed=5)
    kd = kernel_density(df, "gtfp", time="year", points=400)
    for year, frame in df.groupby("year"):
        curve = kd.loc[kd["year"] == year]
        direct = gaussian_kde(frame["gtfp"].to_numpy())(curve["value"].to_numpy())
        np.testing.assert_allclose(curve["density"], direct, rtol=1e-12)
        area = np.trapezoid(curve["density"], curve["value"])
        assert area == pytest.approx(1.0, abs=0.01)
    with pytest.raises(DataError, match="year=1"):
        kernel_density(pd.DataFrame({"year": [1], "y": [1.0]}), "y", time="year")


def _williamson(y: list[float], w: list[float]) -> float:
    y_, p = np.asarray(y), np.asarray(w) / np.sum(w)
    mean = (p * y_).sum()
    return float(np.sqrt((p * (y_ - mean) ** 2).sum()) / mean)


def test_weighted_cv_with_repeated_index_labels() -> None:
    # pd.concat of yearly frames repeats the labels 0, 1, 2; the weighted CV used
    # to look rows up by label and mixed both years into each
    a = pd.DataFrame({"year": [1, 1, 1], "y": [1.0, 2, 3], "w": [1.0, 1, 2]})
    b = pd.DataFrame({"year": [2, 2, 2], "y": [2.0, 2, 5], "w": [3.0, 1, 1]})
    df = pd.concat([a, b])
    got = sigma(df, "y", weight="w")["cv_weighted"].tolist()
    assert got == pytest.approx(
        [_williamson([1, 2, 3], [1, 1, 2]), _williamson([2, 2, 5], [3, 1, 1])]
    )
    same = sigma(df.reset_index(drop=True), "y", weight="w")
    assert same["cv_weighted"].tolist() == pytest.approx(got)
