"""``spatialgreen boundaries`` exports polygons with their attributes."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from spatialgreen.cli import main


def test_export_geojson_study_set(tmp_path, capsys):
    out = tmp_path / "yrd.geojson"
    assert (
        main(["boundaries", "--level", "city", "--study", "yrd26", "-o", str(out)]) == 0
    )
    gdf = gpd.read_file(out)
    assert len(gdf) == 26 and gdf.crs.to_epsg() == 4326
    assert {"adcode", "name_zh", "name_en", "region3", "yrd26"} <= set(gdf.columns)
    assert "wrote 26 city units" in capsys.readouterr().out


def test_export_geopackage_gcj02_and_columns(tmp_path):
    out = tmp_path / "p.gpkg"
    args = [
        "boundaries",
        "--crs",
        "gcj02",
        "--columns",
        "name_en,region4",
        "-o",
        str(out),
    ]
    assert main(args) == 0
    gdf = gpd.read_file(out)
    assert list(gdf.columns) == ["adcode", "name_en", "region4", "geometry"]
    wgs = gpd.read_file(tmp_path / "p.gpkg").geometry.iloc[0].centroid
    assert 116 < wgs.x < 117.5  # Beijing, shifted by GCJ-02 only a few hundred metres


def test_export_csv_attributes_and_list_study(tmp_path):
    out = tmp_path / "units.csv"
    assert main(["boundaries", "--study", "北京,上海,Guangdong", "-o", str(out)]) == 0
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert table["adcode"].tolist() == [110000, 310000, 440000]
    assert "geometry" not in table.columns


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--columns", "foo"], "unknown column"),
        (["--study", "Atlantis,北京"], "Atlantis"),
        (["-o", "x.shp"], "must end in"),
    ],
)
def test_errors_exit_2_with_one_line(tmp_path, capsys, args, message):
    argv = ["boundaries", "-o", str(tmp_path / "x.geojson"), *args]
    if args[0] == "-o":
        argv = ["boundaries", "-o", str(tmp_path / args[1])]
    assert main(argv) == 2
    assert message in capsys.readouterr().err
