"""Render one map of each kind offline and take a PNG screenshot of it in Chromium.

So that a person can look at what spatialgreen's maps look like (colours, legend,
Chinese text, slider, layer control) without opening a notebook. The values are
seeded random numbers on the shipped province and city polygons, not statistics.

Usage::

    python scripts/map_screenshots.py [output_folder]   # default: map_screenshots/

Needs Chromium (Debian package ``chromium``) and a CJK font (``fonts-noto-cjk``).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

import spatialgreen as sg
from spatialgreen import maps
from spatialgreen.maps.palettes import TAPIO_STATES

__all__ = ["build_maps", "main", "screenshot"]

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--hide-scrollbars",
    "--virtual-time-budget=5000",
    "--window-size=1200,860",
]


def build_maps(seed: int = 0) -> dict[str, object]:
    """One folium map per kind, on seeded synthetic values."""
    rng = np.random.default_rng(seed)
    provinces = sg.load_boundaries("province", study="gtfp30")
    panel = pd.DataFrame(
        [
            (code, year, 0.8 + 0.02 * (year - 2005) + rng.normal(0, 0.15))
            for code in provinces["adcode"]
            for year in range(2005, 2023)
        ],
        columns=["adcode", "year", "gtfp"],
    )
    cities = sg.load_boundaries("city", study="yrd26")
    states = cities[["adcode"]].assign(
        state=rng.choice(TAPIO_STATES[:6], len(cities)),
        catchup=rng.choice(list("ABCD"), len(cities)),
    )
    lisa = provinces[["adcode"]].assign(
        cluster=rng.choice(["HH", "LL", "HL", "LH", "ns", "ns"], len(provinces))
    )
    codes = cities["adcode"].to_numpy()
    od = pd.DataFrame(
        {
            "origin": rng.choice(codes, 40),
            "destination": rng.choice(codes, 40),
            "volume": rng.lognormal(3, 1, 40).round(),
        }
    ).query("origin != destination")
    od = od.groupby(["origin", "destination"], as_index=False)["volume"].sum()
    od[["origin", "destination"]] = od[["origin", "destination"]].astype(str)
    label = cities[["adcode", "label_lon", "label_lat", "name_zh"]]
    pairs = pd.DataFrame(
        {
            "lon_a": label["label_lon"].to_numpy()[:8],
            "lat_a": label["label_lat"].to_numpy()[:8],
            "lon_b": label["label_lon"].to_numpy()[:8] + rng.normal(0, 0.2, 8),
            "lat_b": label["label_lat"].to_numpy()[:8] + rng.normal(0, 0.2, 8),
            "cluster": [f"{n}产业集群" for n in label["name_zh"].to_numpy()[:8]],
            "belt": [f"{n}产业带" for n in label["name_zh"].to_numpy()[:8]],
        }
    )
    flows_map = maps.flows(
        od,
        coords=cities,
        unit="adcode",
        boundaries=cities,
        title="长三角绿色技术转移（示例数据）",
    )
    maps.pairs(pairs, label=("cluster", "belt"), m=flows_map, name="集群—产业带")
    return {
        "choropleth_years": maps.choropleth(
            panel,
            "gtfp",
            level="province",
            unit="adcode",
            time="year",
            title="绿色全要素生产率 GTFP（示例数据）",
        ),
        "decoupling_states": maps.categorical(
            states,
            "state",
            level="city",
            study="yrd26",
            unit="adcode",
            title="长三角城市 Tapio 脱钩状态（示例数据）",
        ),
        "catchup_types": maps.categorical(
            states,
            "catchup",
            level="city",
            study="yrd26",
            unit="adcode",
            title="追赶脱钩类型 A–D（示例数据）",
        ),
        "lisa": maps.lisa(lisa, level="province", unit="adcode", title="LISA 集聚图"),
        "flows_and_pairs": flows_map,
    }


def screenshot(html: Path, png: Path) -> Path:
    """Run headless Chromium on ``html`` and write ``png``."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        raise SystemExit("chromium not found: apt-get install chromium fonts-noto-cjk")
    with tempfile.TemporaryDirectory(prefix="sg-shot-") as profile:
        cmd = [
            exe,
            *FLAGS,
            f"--user-data-dir={profile}",
            f"--screenshot={png}",
            html.resolve().as_uri(),
        ]
        subprocess.run(cmd, capture_output=True, check=True, timeout=120)
    return png


def main(argv: list[str] | None = None) -> int:
    """Write ``<kind>.html`` and ``<kind>.png`` for every map kind."""
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0] if argv else "map_screenshots")
    out.mkdir(parents=True, exist_ok=True)
    for name, fmap in build_maps().items():
        html = maps.save(fmap, out / f"{name}.html")  # type: ignore[arg-type]
        png = screenshot(html, out / f"{name}.png")
        print(f"{name}: {html.stat().st_size / 1e6:.2f} MB HTML -> {png}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
