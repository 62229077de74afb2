"""The ``gdf.spatialgreen`` accessor, checked against libpysal and esda directly."""

from __future__ import annotations

import subprocess
import sys

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import spatialgreen.accessor  # noqa: F401  (registers the accessor)
from spatialgreen.errors import WeightsError
from spatialgreen.maps.palettes import LISA_COLORS


@pytest.fixture(scope="module")
def mexico() -> gpd.GeoDataFrame:
    import libpysal

    return gpd.read_file(libpysal.examples.get_path("mexicojoin.shp")).set_crs(4326)


def test_registration_needs_only_pandas():
    code = (
        "import sys, spatialgreen.accessor, pandas as pd;"
        "print(sorted(m for m in ('geopandas', 'folium', 'mapclassify', 'esda')"
        " if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_plain_dataframes_have_no_accessor():
    assert not hasattr(pd.DataFrame({"a": [1]}), "spatialgreen")


def test_own_contiguity_and_moran_match_libpysal_and_esda(mexico):
    import esda
    from libpysal.weights import Queen

    graph = mexico.spatialgreen.weights()
    queen = Queen.from_dataframe(mexico, use_index=True)
    assert {k: sorted(v) for k, v in graph.neighbors.items()} == {
        k: sorted(v) for k, v in queen.neighbors.items()
    }
    out = mexico.spatialgreen.moran("PCGDP1940", permutations=0)
    queen.transform = "r"
    expected = esda.Moran(mexico["PCGDP1940"].to_numpy(), queen, permutations=0)
    assert float(out["I"].iloc[0]) == pytest.approx(expected.I, rel=1e-10)
    assert float(out["expected_I"].iloc[0]) == pytest.approx(-1 / 31)
    with pytest.raises(WeightsError, match="knn"):
        mexico.spatialgreen.weights(kind="knn")


def test_chinese_units_use_the_shipped_adjacency():
    import spatialgreen as sg

    provinces = sg.load_boundaries("province", study="gtfp30")
    graph = provinces.spatialgreen.weights(islands="nearest")
    assert len(graph.unique_ids) == 30
    assert set(graph.neighbors[110000]) == {120000, 130000}  # Beijing: Tianjin, Hebei
    assert 440000 in set(graph.neighbors[460000])  # Hainan linked to Guangdong
    with pytest.raises(WeightsError, match=r"460000|Hainan|海南"):
        provinces.spatialgreen.weights()  # islands raise by default


def test_map_picks_the_renderer_from_the_dtype(mexico):
    numeric = mexico.spatialgreen.map("PCGDP1940", k=3).get_root().render()
    assert "FisherJenks" in numeric
    states = mexico.assign(state=np.where(mexico["PCGDP2000"] > 15000, "A", "D"))
    page = states.spatialgreen.map("state").get_root().render()
    assert "#1a9850" in page and "#d73027" in page


@pytest.mark.slow
def test_lisa_and_its_map_match_esda(mexico):
    import esda
    from libpysal.weights import Queen

    local = mexico.spatialgreen.lisa("PCGDP1940", permutations=99, seed=1)
    queen = Queen.from_dataframe(mexico, use_index=True)
    queen.transform = "r"
    ref = esda.Moran_Local(mexico["PCGDP1940"].to_numpy(), queen, permutations=0)
    quadrant = pd.Series(ref.q).map({1: "HH", 2: "LH", 3: "LL", 4: "HL"})
    assert local["quadrant"].tolist() == quadrant.tolist()
    n = len(mexico)  # spatialgreen's default spdep scaling is n/(n-1) times esda's
    np.testing.assert_allclose(local["Ii"], ref.Is * n / (n - 1), rtol=1e-10)
    fmap = mexico.spatialgreen.map("PCGDP1940", kind="lisa", permutations=99, seed=1)
    layer = next(c for c in fmap._children.values() if isinstance(c, folium.GeoJson))
    fills = [layer.style_function(f)["fillColor"] for f in layer.data["features"]]
    assert fills == [LISA_COLORS[c] for c in local["cluster"]]


def test_accessor_economic_weights_average_the_whole_panel():
    # the accessor kept only the first row per unit, so "averaged over the years"
    # silently became "the first year"
    from spatialgreen.geo import load_boundaries

    b = load_boundaries("province", study="jjj")[["adcode", "geometry"]]
    panel = pd.concat(
        [
            b.assign(year=2000, gdp=[1.0, 2.0, 4.0]),
            b.assign(year=2001, gdp=[3.0, 2.5, 4.5]),
        ]
    )
    got = panel.spatialgreen.weights(kind="economic", variable="gdp", transform=None)
    means = {110000: 2.0, 120000: 2.25, 130000: 4.25}
    for (i, j), w in got.adjacency.items():
        assert w == pytest.approx(1 / abs(means[i] - means[j]))
