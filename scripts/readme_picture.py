"""Make ``docs/demo_map.png``, the map shown in the README.

Super-efficiency EBM–GML cumulative GTFP of the 30 provinces in the last demo year
(SYNTHETIC demo data), rendered offline in headless Chromium and stored as a small
palette PNG. Usage::

    python scripts/readme_picture.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PIL import Image

import spatialgreen as sg
from spatialgreen import datasets, efficiency, maps

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from map_screenshots import screenshot  # noqa: E402


def main() -> Path:
    panel = datasets.province_panel()
    gml = efficiency.productivity_index(
        panel,
        model="ebm",
        index="gml",
        super_efficiency=True,
        inputs=["labor", "capital", "water", "electricity"],
        outputs=["gdp"],
        bad_outputs=["so2", "cod"],
        unit="adcode",
        time="year",
    )
    last = gml.index[gml.index["year"] == gml.index["year"].max()]
    year = int(last["year"].iloc[0])
    geo = sg.join_units(last, unit="adcode", level="province")
    fmap = maps.choropleth(
        geo,
        "cumulative",
        palette="YlGn",
        title=f"Cumulative green TFP 2005–{year} (super-EBM–GML, synthetic demo data)",
        legend_title="GTFP (2005 = 1)",
    )
    with tempfile.TemporaryDirectory() as tmp:
        html = maps.save(fmap, Path(tmp) / "map.html")
        png = screenshot(Path(html), Path(tmp) / "map.png")
        image = Image.open(png).convert("RGB").quantize(colors=64)
        out = ROOT / "docs" / "demo_map.png"
        image.save(out, optimize=True)
    return out


if __name__ == "__main__":
    print(main())
