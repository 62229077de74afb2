"""Locate and read the boundary files shipped inside the package (cached)."""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

import pandas as pd

from ..errors import DataError

__all__ = ["LEVELS", "adjacency_table", "aliases_table", "data_dir", "units_table"]

#: levels with shipped files; "county" is built on first use (spatialgreen.geo.county)
LEVELS = ("province", "city")


def data_dir() -> Path:
    """Folder of the shipped boundary files (works for wheel and editable installs)."""
    return Path(str(resources.files("spatialgreen") / "datasets" / "boundaries"))


def check_level(
    level: str, allowed: tuple[str, ...] = ("province", "city", "county")
) -> str:
    if level not in allowed:
        raise DataError(
            f"level must be one of {', '.join(map(repr, allowed))}, got {level!r}"
        )
    return level


@functools.cache
def _all_units() -> pd.DataFrame:
    return pd.read_csv(
        data_dir() / "units.csv", dtype={"name_en": str, "province_en": str}
    )


def units_table(level: str) -> pd.DataFrame:
    """Attribute table of one shipped level (a copy; callers may modify it)."""
    if level == "county":
        from .county import county_units

        return county_units()
    check_level(level, LEVELS)
    units = _all_units()
    return units.loc[units["level"] == level].reset_index(drop=True).copy()


@functools.cache
def _adjacency(level: str) -> pd.DataFrame:
    return pd.read_csv(data_dir() / f"adjacency_{level}.csv")


def adjacency_table(level: str) -> pd.DataFrame:
    """Full-resolution contiguity pairs ``adcode_a < adcode_b`` with ``rook`` flag."""
    if level == "county":
        from .county import county_adjacency

        return county_adjacency()
    check_level(level, LEVELS)
    return _adjacency(level).copy()


@functools.cache
def aliases_table() -> pd.DataFrame:
    """Historical and variant names: alias, level, adcode, status, since, note."""
    return pd.read_csv(
        data_dir() / "aliases.csv", comment="#", dtype={"since": "Int64"}
    )
