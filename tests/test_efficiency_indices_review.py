"""Review tests: productivity indices (chain-linking over gaps, hand-checked values)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from spatialgreen.efficiency import productivity_index
from spatialgreen.errors import ModelError

KW = {
    "inputs": ["x1", "x2"],
    "outputs": "y",
    "bad_outputs": "b",
    "unit": "city",
    "time": "year",
}


def _panel(n_units: int = 12, n_years: int = 4, seed: int = 5) -> pd.DataFrame:
    # the panel of test_efficiency_indices.py
    rng = np.random.default_rng(seed)
    n = n_units * n_years
    x = rng.lognormal(1.0, 0.5, (n, 2))
    year = np.tile(np.arange(2015, 2015 + n_years), n_units)
    y = (
        x[:, 0] ** 0.4
        * x[:, 1] ** 0.5
        * np.exp(0.04 * (year - 2015) - np.abs(rng.normal(0, 0.3, n)))
    )
    return pd.DataFrame(
        {
            "city": np.repeat([f"c{i:02d}" for i in range(n_units)], n_years),
            "year": year,
            "x1": x[:, 0],
            "x2": x[:, 1],
            "y": y,
            "b": y * rng.lognormal(0, 0.3, n),
        }
    )


def _gap_panel() -> pd.DataFrame:
    data = _panel(6, 5)
    gap = (data["city"] == "c00") & (data["year"] == 2017)
    return data.loc[~gap].reset_index(drop=True)


def test_gml_cumulative_spans_a_unit_gap_by_circularity():
    # c00 lacks 2017: the pairs 2016→2017 and 2017→2018 have no index, but the GML
    # level of 2019 against 2015 is still E^G(2019) / E^G(2015); chaining the two
    # remaining rows (2016, 2019) silently dropped the 2016→2018 change.
    res = productivity_index(_gap_panel(), model="sbm", index="gml", **KW)
    glob = res.distances.query("reference == 'global'").set_index(["city", "year"])
    glob = glob["score"]
    c00 = res.index[res.index["city"] == "c00"].set_index("year")
    assert list(c00.index) == [2016, 2019]
    for year in (2016, 2019):
        expected = glob[("c00", year)] / glob[("c00", 2015)]
        assert c00.loc[year, "cumulative"] == pytest.approx(expected, rel=1e-12)


def test_ml_cumulative_is_nan_after_a_unit_gap():
    res = productivity_index(_gap_panel(), model="sbm", index="ml", **KW)
    idx = res.index
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
