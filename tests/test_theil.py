"""Theil's T, written out in ``convergence.inequality`` to keep PySAL's ``inequality``
(and through it matplotlib) out of the default install, against that package.

``inequality`` is a dev dependency: every check here compares with its ``Theil`` and
``TheilD`` (Rey's Mexico values published in their docstrings, the demo panel and
generated data), plus the decomposition's invariants.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from spatialgreen import datasets
from spatialgreen.convergence import theil
from spatialgreen.convergence.inequality import _theil_between, _theil_t

Theil = pytest.importorskip("inequality.theil").Theil
TheilD = pytest.importorskip("inequality.theil").TheilD

# Rey's Mexican state incomes, 1940-2000, Hanson (1998) regions: the values printed in
# the docstrings of inequality.theil.Theil and TheilD (inequality 1.1).
MEXICO_T = [0.20894344, 0.15222451, 0.10472941, 0.10194725, 0.09560113, 0.10511256,
            0.10660832]  # fmt: skip
MEXICO_BG = [0.0345889, 0.02816853, 0.05260921, 0.05931219, 0.03205257, 0.02963731,
             0.03635872]  # fmt: skip
MEXICO_WG = [0.17435454, 0.12405598, 0.0521202, 0.04263506, 0.06354856, 0.07547525,
             0.0702496]  # fmt: skip


def _mexico() -> pd.DataFrame:
    libpysal = pytest.importorskip("libpysal")
    wide = pd.read_csv(libpysal.examples.get_path("mexico.csv"))
    years = [f"pcgdp{y}" for y in range(1940, 2010, 10)]
    long = wide.melt(
        id_vars=["State", "hanson98"], value_vars=years, var_name="year", value_name="y"
    )
    long["year"] = long["year"].str[-4:].astype(int)
    return long


def test_mexico_matches_the_published_decomposition() -> None:
    res = theil(_mexico(), "y", group="hanson98", time="year")
    totals = res.totals.sort_values("year")
    assert totals["year"].tolist() == list(range(1940, 2010, 10))
    np.testing.assert_allclose(totals["theil"], MEXICO_T, rtol=0, atol=5e-9)
    np.testing.assert_allclose(totals["between"], MEXICO_BG, rtol=0, atol=5e-9)
    np.testing.assert_allclose(totals["within"], MEXICO_WG, rtol=0, atol=5e-9)
    # the within term is the sum of the groups' contributions s_g T_g
    contributions = res.groups.groupby("year")["contribution"].sum()
    np.testing.assert_allclose(contributions, totals.set_index("year")["within"])


def test_demo_panel_matches_inequality_to_the_last_digits() -> None:
    panel = datasets.province_panel()
    panel = panel.assign(gdp_pc=panel["gdp"] / panel["population"])
    res = theil(panel, "gdp_pc", group="region", time="year")
    assert len(res.totals) == panel["year"].nunique()
    for year, frame in panel.groupby("year"):
        y = frame["gdp_pc"].to_numpy(float)
        part = frame["region"].to_numpy()
        ref = TheilD(y, part)
        tot = res.totals.set_index("year").loc[year]
        assert tot["theil"] == pytest.approx(float(np.ravel(ref.T)[0]), rel=1e-13)
        assert tot["between"] == pytest.approx(float(np.ravel(ref.bg)[0]), rel=1e-12)
        assert tot["within"] == pytest.approx(float(np.ravel(ref.wg)[0]), rel=1e-12)
        groups = res.groups[res.groups["year"] == year].set_index("group")
        assert sorted(groups.index) == sorted(set(part))
        for g, row in groups.iterrows():
            yg = y[part == g]
            assert row["n"] == yg.size
            assert row["share"] == pytest.approx(yg.sum() / y.sum(), rel=1e-14)
            assert row["theil"] == pytest.approx(float(Theil(yg).T), rel=1e-12)


def test_small_cases_by_hand() -> None:
    # equal values: no inequality at all; one unit: none either
    assert _theil_t(np.full(5, 3.7)) == pytest.approx(0.0, abs=1e-15)
    assert _theil_t(np.array([2.0])) == 0.0
    # one unit holds everything but a vanishing rest: T -> ln n
    y = np.array([1.0, 1e-12, 1e-12, 1e-12])
    assert _theil_t(y) == pytest.approx(np.log(4), rel=1e-9)
    # two groups each internally equal: everything is between groups
    y = np.array([1.0, 1.0, 3.0, 3.0])
    g = np.array(["a", "a", "b", "b"])
    assert _theil_between(y, g) == pytest.approx(_theil_t(y), rel=1e-15)
    assert _theil_t(y) == pytest.approx(0.25 * np.log(0.5) + 0.75 * np.log(1.5))


positive = st.floats(1e-3, 1e6, allow_nan=False, allow_infinity=False)


@st.composite
def _grouped(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    n = draw(st.integers(1, 60))
    y = draw(arrays(np.float64, n, elements=positive))
    k = draw(st.integers(1, 6))
    groups = draw(arrays(np.int64, n, elements=st.integers(0, k - 1)))
    return y, groups


@settings(max_examples=150, deadline=None)
@given(_grouped())
def test_generated_data_match_inequality(data: tuple[np.ndarray, np.ndarray]) -> None:
    y, groups = data
    ref = TheilD(y, groups)
    total = _theil_t(y)
    between = _theil_between(y, groups)
    assert total == pytest.approx(float(Theil(y).T), rel=1e-9, abs=1e-12)
    assert total == pytest.approx(float(np.ravel(ref.T)[0]), rel=1e-9, abs=1e-12)
    assert between == pytest.approx(float(np.ravel(ref.bg)[0]), rel=1e-9, abs=1e-12)
    # invariants: 0 <= between <= T <= ln n, scale-free, within = Σ s_g T_g
    assert -1e-12 <= between <= total + 1e-12
    assert total <= np.log(y.size) + 1e-12
    assert _theil_t(y * 7.5) == pytest.approx(total, rel=1e-9, abs=1e-12)
    within = sum(
        y[groups == g].sum() / y.sum() * _theil_t(y[groups == g])
        for g in np.unique(groups)
    )
    assert total - between == pytest.approx(within, rel=1e-9, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(_grouped(), st.sampled_from(["east", "west", "中部", "north"]))
def test_theil_table_matches_inequality(
    data: tuple[np.ndarray, np.ndarray], first: str
) -> None:
    y, codes = data
    names = np.array([first, "b", "c", "d", "e", "f"], dtype=object)[codes]
    frame = pd.DataFrame({"y": y, "g": names})
    res = theil(frame, "y", group="g")
    ref = TheilD(y, names)
    tot = res.totals.iloc[0]
    assert tot["theil"] == pytest.approx(float(np.ravel(ref.T)[0]), rel=1e-9, abs=1e-12)
    assert tot["between"] == pytest.approx(
        float(np.ravel(ref.bg)[0]), rel=1e-9, abs=1e-12
    )
    assert tot["within"] == pytest.approx(
        float(np.ravel(ref.wg)[0]), rel=1e-9, abs=1e-12
    )
    assert res.groups["n"].sum() == y.size
    assert res.groups["share"].sum() == pytest.approx(1.0, rel=1e-12)
    assert res.groups["contribution"].sum() == pytest.approx(
        tot["within"], rel=1e-9, abs=1e-12
    )
    ungrouped = theil(frame, "y").totals.iloc[0]
    assert ungrouped["theil"] == tot["theil"]
    assert np.isnan(ungrouped["between"]) and np.isnan(ungrouped["within"])
