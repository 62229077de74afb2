"""heterogeneity: the equality test uses the group fits' covariance convention."""

from __future__ import annotations

import pytest

from spatialgreen.datasets import example_panel
from spatialgreen.econometrics import heterogeneity


@pytest.mark.parametrize("effects", ["twoway", "unit", "time", "none"])
@pytest.mark.parametrize("cov", ["clustered", "robust"])
def test_small_sample_none_matches_the_group_fits(effects, cov):
    """With clusters nested in the groups (or HC0), the interacted model's bare
    sandwich is block diagonal with the group fits' bare sandwiches, so with two
    groups the Wald statistic is (b_east − b_west)² / (V_east + V_west) exactly."""
    kw = {"cluster": "unit"} if cov == "clustered" else {"cov": "robust"}
    options = {
        "y": "y",
        "x": "x1",
        "controls": ["x2"],
        "group": "region",
        "effects": effects,
        "include_pooled": False,
        **kw,
    }
    res = heterogeneity(example_panel(), small_sample="none", **options)
    east, west = res["east"], res["west"]
    assert east.meta["se_note"].endswith("z")  # the group fits have no factor
    wald = (east.params["x1"] - west.params["x1"]) ** 2 / (
        east.std_errors["x1"] ** 2 + west.std_errors["x1"] ** 2
    )
    assert res.equality["statistic"].iloc[0] == pytest.approx(wald, rel=1e-10)
    # linearmodels' own factor gives another statistic (the test can fail)
    other = heterogeneity(example_panel(), small_sample="linearmodels", **options)
    assert other.equality["statistic"].iloc[0] != pytest.approx(wald, rel=1e-3)
