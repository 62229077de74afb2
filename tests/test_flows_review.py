"""Review tests: flow periods must not depend on which records are filtered out."""

from __future__ import annotations

import warnings

import pandas as pd

from spatialgreen.flows import transfer_flows

GAZ = pd.DataFrame(
    {
        "name": ["A", "B", "C"],
        "adcode": [1, 2, 3],
        "lon": [120.0, 121.0, 116.0],
        "lat": [31.0, 31.0, 40.0],
    }
)


def test_dropped_self_transfer_does_not_shift_period_blocks() -> None:
    rec = pd.DataFrame(
        {
            "origin": ["A", "A", "B"],
            "destination": ["A", "B", "A"],
            "year": [2001, 2003, 2004],
            "count": [1, 2, 3],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        res = transfer_flows(rec, region=["A", "B"], places=GAZ, periods=2)
    # blocks start at the first record year (2001), not at the first kept one
    assert res.integration["period"].tolist() == ["2001-2002", "2003-2004"]
    assert res.integration["within"].tolist() == [0, 5]


def test_green_only_keeps_the_years_of_all_records() -> None:
    rec = pd.DataFrame(
        {
            "origin": ["A", "A", "B"],
            "destination": ["B", "B", "A"],
            "year": [2001, 2003, 2004],
            "count": [1, 2, 3],
            "ipc": ["A01B 1/00", "F03D 1/06", "F03D"],
        }
    )
    res = transfer_flows(
        rec, region=["A", "B"], places=GAZ, ipc="ipc", green_only=True, periods=2
    )
    assert res.integration["period"].tolist() == ["2001-2002", "2003-2004"]
    assert res.integration["within"].tolist() == [0, 5]
