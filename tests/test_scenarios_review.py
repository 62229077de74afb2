"""Review tests: conflicting target options are an error, not silently ignored."""

from __future__ import annotations

import pandas as pd
import pytest

from spatialgreen.errors import DataError
from spatialgreen.scenarios import technology_convergence


def test_targets_and_leader_together_are_rejected() -> None:
    df = pd.DataFrame(
        {
            "unit": ["a", "b"],
            "year": [1, 1],
            "labor": [1.0, 1.0],
            "energy": [1.0, 2.0],
            "gdp": [2.0, 1.0],
            "so2": [1.0, 2.0],
            "region": ["r", "r"],
        }
    )
    best = df.assign(energy=[1.0, 1.0], gdp=[2.0, 2.0], so2=[1.0, 1.0])
    with pytest.raises(DataError, match="not both"):
        technology_convergence(
            df,
            inputs=["labor", "energy"],
            outputs=["gdp"],
            bad_outputs=["so2"],
            energy=["energy"],
            targets=best,
            leader="region",
        )
