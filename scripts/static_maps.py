"""Draw every kind of static map of China and save it as PNG (and PDF, SVG).

So that a person can look at what ``spatialgreen.maps.static`` draws (layout, inset,
maritime line, north arrow, scale bar, legend counts, Chinese text) without opening
a notebook: national and regional maps of every kind, a two-period panel, and the
same map in Chinese. The values are seeded random numbers or the SYNTHETIC demo
data on the shipped polygons, not statistics. None of these maps is an approved
standard map (审图号): see ``spatialgreen.maps.MAP_CAVEAT``.

Usage::

    python scripts/static_maps.py [output_folder] [--vector]   # default: static_maps/

``--vector`` also writes each map as PDF and SVG. The demo (``spatialgreen demo``)
writes the static maps of the five studies beside their web maps.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

import spatialgreen as sg
from spatialgreen import datasets, figures, maps
from spatialgreen.maps.palettes import TAPIO_STATES

__all__ = ["build_maps", "main"]


def build_maps(seed: int = 0) -> dict[str, Callable[[], object]]:
    """One recipe per picture: name -> a function drawing its figure."""
    rng = np.random.default_rng(seed)
    provinces = datasets.province_panel()
    latest = provinces[provinces["year"] == 2022]
    yreb = sg.load_boundaries("province", study="yreb")["adcode"]
    cities = sg.load_boundaries("city")
    yrd = sg.load_boundaries("city", study="yrd26")[["adcode"]]
    states = pd.concat(
        [
            yrd.assign(period=p, state=rng.choice(TAPIO_STATES[:6], len(yrd)))
            for p in ("2005-2010", "2011-2016")
        ]
    )
    lisa = cities[["adcode"]].assign(
        q=rng.integers(1, 5, len(cities)), p=rng.uniform(0, 0.2, len(cities))
    )
    transfers = datasets.patent_transfers()
    flows = (
        transfers[transfers["year"] == 2020]
        .groupby(["origin", "destination"], as_index=False)["count"]
        .sum()
        .nlargest(60, "count")
    )
    points = cities.assign(
        lon=cities["label_lon"],
        lat=cities["label_lat"],
        group=rng.choice(["cluster", "belt", "both"], len(cities)),
    ).sample(120, random_state=seed)
    gdp = "GDP, 2022 (synthetic demo data)"
    return {
        "choropleth_national": lambda: maps.static(
            latest, "gdp", level="province", unit="adcode", title=gdp
        ),
        "choropleth_national_zh": lambda: maps.static(
            latest,
            "gdp",
            level="province",
            unit="adcode",
            language="zh",
            legend_title="地区生产总值",
            title="2022 年地区生产总值（合成演示数据）",
        ),
        "choropleth_two_periods": lambda: maps.static(
            provinces,
            "gdp",
            level="province",
            unit="adcode",
            time="year",
            year=[2005, 2022],
            title="GDP, 2005 and 2022 (synthetic demo data)",
        ),
        "choropleth_regional_yreb": lambda: maps.static(
            latest[latest["adcode"].isin(yreb)],
            "gdp",
            level="province",
            unit="adcode",
            study="yreb",
            title="GDP of the Yangtze River Economic Belt (synthetic)",
        ),
        "categorical_yrd_two_periods": lambda: maps.static(
            states,
            "state",
            level="city",
            unit="adcode",
            time="period",
            study="yrd26",
            legend_title="Tapio state",
            title="Decoupling states of the YRD cities (random)",
        ),
        "catch_up_types_yrd": lambda: maps.static(
            yrd.assign(type=rng.choice(list("ABCD"), len(yrd))),
            "type",
            level="city",
            unit="adcode",
            study="yrd26",
            legend_title="Catch-up type",
            title="Catch-up types A–D (random)",
        ),
        "lisa_cities_national": lambda: maps.static(
            lisa,
            kind="lisa",
            level="city",
            unit="adcode",
            quadrant="q",
            p="p",
            title="LISA clusters of 370 cities (random)",
        ),
        "flows_cities": lambda: maps.static(
            flows,
            "count",
            kind="flows",
            level="city",
            title="The 60 largest green-patent flows, 2020 (synthetic)",
        ),
        "points_national": lambda: maps.static(
            points,
            "group",
            kind="points",
            title="Points in 120 cities (random)",
        ),
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    vector = "--vector" in args
    folders = [a for a in args if not a.startswith("--")]
    out = Path(folders[0] if folders else "static_maps")
    out.mkdir(parents=True, exist_ok=True)
    for name, draw in build_maps().items():
        start = time.perf_counter()
        fig = draw()
        for suffix in (".png", ".pdf", ".svg") if vector else (".png",):
            figures.save(fig, out / f"{name}{suffix}")  # type: ignore[arg-type]
        print(f"{name}: {time.perf_counter() - start:.1f} s -> {out / name}.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
