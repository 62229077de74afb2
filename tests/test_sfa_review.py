"""Review tests for spatialgreen.efficiency.sfa (units of the data)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from spatialgreen.efficiency import sfa


@pytest.fixture(scope="module")
def slack_data() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 300
    z = rng.normal(size=n)
    s = np.maximum(
        0.0, 2 + 1.5 * z + rng.normal(0, 0.5, n) + np.abs(rng.normal(0, 2, n))
    )
    return pd.DataFrame({"s": s, "z": z})


@pytest.mark.parametrize(("y_scale", "z_scale"), [(1e-3, 1.0), (1e3, 1.0), (1e6, 1e3)])
def test_standard_errors_do_not_depend_on_units(slack_data, y_scale, z_scale):
    # slacks in levels (tons, yuan) used to give NaN standard errors ("Hessian
    # singular") or, for small units, silently wrong ones (σ² step of 50 %)
    base = sfa(slack_data, y="s", x=["z"], cost=True, log=False)
    scaled = sfa(
        slack_data.assign(s=slack_data["s"] * y_scale, z=slack_data["z"] * z_scale),
        y="s",
        x=["z"],
        cost=True,
        log=False,
    )
    units = np.array([y_scale, y_scale / z_scale, y_scale**2, 1.0])
    assert scaled.params.to_numpy() / units == pytest.approx(
        base.params.to_numpy(), rel=1e-5
    )
    assert np.all(np.isfinite(scaled.std_errors))
    assert scaled.std_errors.to_numpy() / units == pytest.approx(
        base.std_errors.to_numpy(), rel=1e-3
    )
    assert not any("standard errors" in w for w in scaled.warnings)
