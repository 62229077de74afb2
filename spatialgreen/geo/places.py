"""Resolve place names to adcodes and look up their centroid, province and region.

Both :mod:`spatialgreen.clusters` and :mod:`spatialgreen.flows` work with cities
named in free text. By default names go through the geo module's matcher
(:func:`spatialgreen.match_units`) and attributes come from the shipped city
polygons; a user gazetteer (``name, adcode, lon, lat`` and optionally ``region``,
``province``) replaces both for places outside the shipped tables.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..errors import DataError, UnmatchedUnitError

__all__ = ["Places"]

_INFO_COLUMNS = ["name", "lon", "lat", "province", "province_name", "region"]


def _key(name: Any) -> str:
    return unicodedata.normalize("NFKC", str(name)).strip().lower()


class Places:
    """A gazetteer of cities: name matching plus centroid, province and region.

    Parameters
    ----------
    gazetteer : DataFrame, optional
        ``name``, ``adcode``, ``lon``, ``lat`` and optionally ``region``,
        ``province`` (code) and ``province_name``. Names are matched exactly (after
        NFKC normalisation and trimming). Default: the geo module's city matching
        and shipped city polygons.
    """

    def __init__(self, gazetteer: pd.DataFrame | None = None) -> None:
        self.source = "geo" if gazetteer is None else "gazetteer"
        if gazetteer is None:
            self.info = _geo_city_info()
            self._lookup: dict[str, Any] = {}
        else:
            self.info, self._lookup = _gazetteer_info(gazetteer)

    def resolve(
        self, names: Iterable[Any], *, level: Literal["city", "county"] = "city"
    ) -> dict[Any, Any]:
        """Map each distinct name to its city adcode; counties roll up to their city.

        Raises
        ------
        UnmatchedUnitError
            Listing every name that matched no unit, with candidates if known.
        """
        distinct = list(dict.fromkeys(names))
        if not distinct:
            return {}
        if self.source == "gazetteer":
            missing = [n for n in distinct if _key(n) not in self._lookup]
            if missing:
                raise UnmatchedUnitError(
                    f"{len(missing)} place name(s) not in the gazetteer: "
                    + ", ".join(map(repr, missing[:30])),
                    {str(n): [] for n in missing},
                )
            return {n: self._lookup[_key(n)] for n in distinct}
        from . import match_units

        codes = match_units(distinct, level=level)
        if level == "county":
            codes = [self._county_to_city(c) for c in codes]
        return dict(zip(distinct, codes, strict=True))

    def _county_to_city(self, code: int) -> int:
        # A county's prefecture is its adcode with the last two digits zeroed,
        # except county-level units administered by the province directly, which
        # are city-level units themselves (e.g. 仙桃 429004).
        if code in self.info.index:
            return code
        return int(code) // 100 * 100

    def attributes(self, codes: Sequence[Any]) -> pd.DataFrame:
        """Name, lon, lat, province, province_name and region of each code."""
        missing = sorted({c for c in codes if c not in self.info.index}, key=str)
        if missing:
            raise DataError(
                "no centroid for unit(s) "
                + ", ".join(map(str, missing[:30]))
                + " in the place table"
            )
        return self.info.loc[list(codes)]


def _gazetteer_info(table: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    required = ["name", "adcode", "lon", "lat"]
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise DataError(
            "the gazetteer lacks column(s) "
            + ", ".join(map(repr, missing))
            + "; expected name, adcode, lon, lat (region, province optional)"
        )
    frame = table.copy()
    for col in ("lon", "lat"):
        values = pd.to_numeric(frame[col], errors="coerce")
        if values.isna().any():
            bad = frame.loc[values.isna(), "name"].tolist()
            raise DataError(f"gazetteer column {col!r} is not numeric for: {bad[:10]}")
        frame[col] = values
    frame["region"] = frame.get("region", "all")
    frame["province"] = frame["province"] if "province" in frame else frame["adcode"]
    frame["province_name"] = (
        frame["province_name"]
        if "province_name" in frame
        else frame["province"].astype(str)
    )
    lookup: dict[str, Any] = {}
    for name, code in zip(frame["name"], frame["adcode"], strict=True):
        lookup[_key(name)] = code
        lookup[_key(code)] = code
    info = frame.drop_duplicates("adcode").set_index("adcode")[_INFO_COLUMNS]
    return info, lookup


def _geo_city_info() -> pd.DataFrame:
    from .. import geo

    units = geo.unit_table("city")
    region = _region_column(units)
    info = pd.DataFrame(
        {
            "name": units["name_zh"].to_numpy(),
            "lon": units["centroid_lon"].to_numpy(dtype=float),
            "lat": units["centroid_lat"].to_numpy(dtype=float),
            "province": units["province_adcode"].to_numpy(),
            "province_name": units["province_zh"].to_numpy(),
            "region": region,
        },
        index=pd.Index(units["adcode"].to_numpy(), name="adcode"),
    )
    if info[["lon", "lat"]].isna().any().any() or not all(
        map(math.isfinite, info["lon"])
    ):
        raise DataError("shipped city centroids contain missing values")
    return info


def _region_column(units: pd.DataFrame) -> np.ndarray:
    for col in ("region3", "region"):
        if col in units.columns:
            return units[col].astype(str).to_numpy()
    return np.full(len(units), "all", dtype=object)
