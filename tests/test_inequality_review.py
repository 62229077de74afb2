"""Review tests: weighted σ must not depend on the row labels of the input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from spatialgreen._inequality import sigma


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
