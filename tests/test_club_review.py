"""Review tests: club options are not silently reinterpreted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from spatialgreen._club import club
from spatialgreen.errors import DataError


def test_unknown_order_by_is_an_error() -> None:
    # a typo ("first", "mean") used to fall through to "mean_last_third"
    t = np.arange(1, 21)
    rows = [(f"u{i}", s, 1.0 + i + 0.3 * np.sin(i) / s) for i in range(4) for s in t]
    df = pd.DataFrame(rows, columns=["unit", "year", "x"])
    with pytest.raises(DataError, match="order_by"):
        club(df, "x", order_by="first")  # type: ignore[arg-type]
