"""GCJ-02 ↔ WGS84: published test vectors, round trip, outside-China identity."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from spatialgreen.geo.gcj02 import (
    gcj02_to_wgs84,
    geometry_gcj02_to_wgs84,
    geometry_wgs84_to_gcj02,
    wgs84_to_gcj02,
)

# (wgs_lat, wgs_lon, gcj_lat, gcj_lon): eviltransform test vectors (see reference/geo)
VECTORS = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),
]


@pytest.mark.parametrize("vector", VECTORS, ids=["shanghai", "shenzhen", "beijing"])
def test_forward_matches_published_vectors(vector):
    wlat, wlon, glat, glon = vector
    lon, lat = wgs84_to_gcj02(wlon, wlat)
    assert float(lon) == pytest.approx(glon, abs=1e-9)
    assert float(lat) == pytest.approx(glat, abs=1e-9)


@pytest.mark.parametrize("vector", VECTORS, ids=["shanghai", "shenzhen", "beijing"])
def test_inverse_recovers_wgs84(vector):
    wlat, wlon, glat, glon = vector
    lon, lat = gcj02_to_wgs84(glon, glat)
    assert float(lon) == pytest.approx(wlon, abs=1e-8)
    assert float(lat) == pytest.approx(wlat, abs=1e-8)


def test_offset_is_hundreds_of_metres_in_beijing():
    lon, lat = wgs84_to_gcj02(116.377817, 39.911954)
    dx = (float(lon) - 116.377817) * 111_320 * np.cos(np.radians(39.91))
    dy = (float(lat) - 39.911954) * 110_574
    assert 400 < np.hypot(dx, dy) < 700


def test_outside_china_is_unchanged():
    lon, lat = wgs84_to_gcj02([2.35, -74.0, 139.9], [48.85, 40.7, 35.7])
    np.testing.assert_array_equal(lon, [2.35, -74.0, 139.9])
    np.testing.assert_array_equal(lat, [48.85, 40.7, 35.7])


@settings(max_examples=200, deadline=None)
@given(
    lon=st.floats(73.5, 135.0, allow_nan=False),
    lat=st.floats(18.0, 53.5, allow_nan=False),
)
def test_round_trip_within_a_millimetre(lon, lat):
    glon, glat = wgs84_to_gcj02(lon, lat)
    back_lon, back_lat = gcj02_to_wgs84(glon, glat)
    assert abs(float(back_lon) - lon) < 1e-8  # 1e-8 degree is about 1 mm
    assert abs(float(back_lat) - lat) < 1e-8


def test_geometry_round_trip_keeps_shape():
    square = shapely.box(116.0, 39.0, 117.0, 40.0)
    there = geometry_wgs84_to_gcj02(square)
    back = geometry_gcj02_to_wgs84(there)
    assert not shapely.equals_exact(there, square, tolerance=1e-4)
    assert shapely.equals_exact(back, square, tolerance=1e-9)
