"""Convert coordinates between WGS84 and GCJ-02 (the offset datum of AMap/Gaode).

GCJ-02 adds a smooth, position-dependent offset of a few hundred metres to WGS84
coordinates inside China. The forward transform is the widely published closed-form
approximation (the constants of the Krasovsky 1940 ellipsoid and the sine series
below); the inverse has no closed form and is solved here by fixed-point iteration,
which converges to well below a millimetre in a few steps because the offset varies
slowly.

References
----------
googollee/eviltransform (MIT), ``transform.go`` and its test vectors: the published
WGS84 → GCJ-02 approximation reproduced here from the formula (not the code).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "gcj02_to_wgs84",
    "geometry_gcj02_to_wgs84",
    "geometry_wgs84_to_gcj02",
    "wgs84_to_gcj02",
]

_A = 6378245.0  # semi-major axis of the Krasovsky 1940 ellipsoid used by GCJ-02
_EE = 0.00669342162296594323  # its first eccentricity squared


def _outside_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    # the published rectangle outside which GCJ-02 applies no offset
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 minus WGS84 (degrees) at WGS84 position ``(lon, lat)``."""
    x = lon - 105.0
    y = lat - 35.0
    sx = np.sqrt(np.abs(x))
    pi = np.pi
    common = (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sx
    dlat += common
    dlat += (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sx
    dlon += common
    dlon += (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    radlat = lat / 180.0 * pi
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = dlat * 180.0 / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * pi)
    dlon = dlon * 180.0 / (_A / sqrtmagic * np.cos(radlat) * pi)
    outside = _outside_china(lon, lat)
    return np.where(outside, 0.0, dlon), np.where(outside, 0.0, dlat)


def wgs84_to_gcj02(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    """Shift WGS84 longitudes/latitudes (degrees) to GCJ-02.

    Parameters
    ----------
    lon, lat : float or array-like
        WGS84 coordinates in degrees.

    Returns
    -------
    tuple of numpy.ndarray
        GCJ-02 longitudes and latitudes; points outside China are returned unchanged.

    Examples
    --------
    >>> lon, lat = wgs84_to_gcj02(116.377817, 39.911954)  # Beijing
    >>> round(float(lon), 6), round(float(lat), 6)
    (116.384047, 39.913345)
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    dlon, dlat = _offset(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(
    lon: Any, lat: Any, *, tol: float = 1e-10, max_iter: int = 30
) -> tuple[np.ndarray, np.ndarray]:
    """Invert :func:`wgs84_to_gcj02` by fixed-point iteration.

    Parameters
    ----------
    lon, lat : float or array-like
        GCJ-02 coordinates in degrees.
    tol : float
        Stop when the largest change in degrees is below ``tol`` (1e-10° ≈ 0.01 mm).
    max_iter : int
        Upper bound on the iterations (about 5 are needed in practice).

    Returns
    -------
    tuple of numpy.ndarray
        WGS84 longitudes and latitudes.

    Examples
    --------
    >>> lon, lat = gcj02_to_wgs84(116.38404722455657, 39.91334545536069)
    >>> round(float(lon), 7), round(float(lat), 7)
    (116.377817, 39.911954)
    """
    glon = np.asarray(lon, dtype=float)
    glat = np.asarray(lat, dtype=float)
    wlon, wlat = glon.copy(), glat.copy()
    for _ in range(max_iter):
        dlon, dlat = _offset(wlon, wlat)
        new_lon, new_lat = glon - dlon, glat - dlat
        change = max(
            float(np.max(np.abs(new_lon - wlon), initial=0.0)),
            float(np.max(np.abs(new_lat - wlat), initial=0.0)),
        )
        wlon, wlat = new_lon, new_lat
        if change < tol:
            break
    return wlon, wlat


def _transform_geometry(geometry: Any, func: Any) -> Any:
    import shapely

    def _apply(coords: np.ndarray) -> np.ndarray:
        lon, lat = func(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geometry, _apply)


def geometry_gcj02_to_wgs84(geometry: Any) -> Any:
    """Convert shapely geometries (or an array of them) from GCJ-02 to WGS84.

    Examples
    --------
    >>> import shapely
    >>> gcj = shapely.Point(116.38404722455657, 39.91334545536069)
    >>> p = geometry_gcj02_to_wgs84(gcj)
    >>> round(p.x, 6), round(p.y, 6)
    (116.377817, 39.911954)
    """
    return _transform_geometry(geometry, gcj02_to_wgs84)


def geometry_wgs84_to_gcj02(geometry: Any) -> Any:
    """Convert shapely geometries (or an array of them) from WGS84 to GCJ-02.

    Examples
    --------
    >>> import shapely
    >>> p = geometry_wgs84_to_gcj02(shapely.Point(116.377817, 39.911954))
    >>> round(p.x, 6), round(p.y, 6)
    (116.384047, 39.913345)
    """
    return _transform_geometry(geometry, wgs84_to_gcj02)
