"""Every reference-study recipe runs end to end on reduced demo data, and its outputs
are checked: tables non-empty with the expected columns, figures real PNGs, every web
map opening in headless Chromium."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from spatialgreen.cli.cmd_demo import RECIPES, load_recipe
from spatialgreen.maps._offline import external_assets

EXPECTED = {
    "yangtze_industrial_gtfp": {
        "sbm_ml_index": [
            "adcode",
            "year",
            "index",
            "ec",
            "tc",
            "cumulative",
            "yreb_reach",
        ],
        "three_stage_levels": ["adcode", "year", "gtfp_energy", "gtfp_economic"],
        "scenario_disparity": ["scenario", "alpha", "variable", "cv", "theil", "gini"],
        "scenario_totals": ["scenario", "alpha", "year"],
    },
    "nqpf_gtfp_provinces": {
        "nqpf_and_gtfp": ["adcode", "year", "nqpf", "gtfp_ebm", "gtfp_sbm", "gtfp_ddf"],
        "sdm_effects": ["variable", "direct", "indirect", "total"],
        "moran_by_year": ["year", "I", "expected_I", "z", "p_sim"],
        "mediation": ["effect", "estimate"],
    },
    "yrd_decoupling_catchup": {
        "tapio_periods": [
            "adcode",
            "period",
            "elasticity",
            "state",
            "state_zh",
            "score",
        ],
        "catch_up": ["adcode", "period", "stage", "model", "index", "type"],
        "sigma_convergence": ["year", "cv", "variable"],
    },
    "resource_city_ecoefficiency": {
        "eco_efficiency": [
            "adcode",
            "year",
            "score",
            "region4",
            "size",
            "resource_kind",
        ],
        "malmquist": ["adcode", "year", "index", "tc", "ec", "pech", "sech"],
        "dagum_gini": ["year", "gini", "within", "net_between", "transvariation"],
        "lisa": ["adcode", "quadrant", "cluster"],
    },
    "clusters_and_green_flows": {
        "cluster_belt_shares": [
            "scope",
            "group",
            "share_colocated",
            "share_identical",
            "share_similar",
        ],
        "integration": ["period", "overall", "supply", "sales"],
        "network": ["adcode", "in_degree", "out_degree", "betweenness"],
    },
}


@pytest.fixture(scope="module", params=RECIPES)
def ran(request, tmp_path_factory):
    name = request.param
    out = tmp_path_factory.mktemp(name)
    report = load_recipe(name).run(out, quick=True)
    return name, report


def test_tables_have_expected_columns(ran):
    name, report = ran
    tables = {a.path.stem: a.path for a in report.artifacts if a.kind == "table"}
    for table, columns in EXPECTED[name].items():
        assert table in tables, f"{name} did not write {table}"
        df = pd.read_csv(tables[table], encoding="utf-8-sig")
        assert len(df) > 0
        assert set(columns) <= set(df.columns), (table, sorted(df.columns))
    for path in tables.values():
        assert len(pd.read_csv(path, encoding="utf-8-sig")) > 0
    workbook = [a.path for a in report.artifacts if a.kind == "workbook"]
    assert len(workbook) == 1
    assert set(pd.ExcelFile(workbook[0]).sheet_names) >= {t[:31] for t in tables}


def test_figures_are_png(ran):
    _, report = ran
    for art in report.artifacts:
        if art.kind == "figure":
            assert art.path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.browser
def test_maps_open_in_chromium(ran, browser):
    name, report = ran
    maps = [a.path for a in report.artifacts if a.kind == "map"]
    assert maps, f"{name} wrote no map"
    for path in maps:
        html = path.read_text(encoding="utf-8")
        assert external_assets(html) == [], f"{path} loads from the web"
        dom = browser.dump_dom(path)
        assert "leaflet-container" in dom
        drawn = len(re.findall(r"<path[^>]+class=\"leaflet-interactive", dom))
        assert drawn > 0, f"{path.name}: nothing drawn"


def test_recipe_runs_on_a_users_file_through_its_arguments(tmp_path, capsys):
    """A user's workbook with Chinese city names and column names, via ``main()``."""
    import spatialgreen as sg
    from spatialgreen import datasets

    panel = datasets.city_panel()
    panel = panel[panel["adcode"].isin(sg.geo.study_units("yrd26", "city"))]
    panel = panel[panel["year"].between(2005, 2016)]
    mine = panel[
        ["city", "year", "gdp_per_capita", "wastewater", "so2", "dust"]
    ].rename(
        columns={
            "city": "城市",
            "year": "年份",
            "gdp_per_capita": "人均GDP",
            "wastewater": "工业废水",
            "so2": "二氧化硫",
            "dust": "烟粉尘",
        }
    )
    mine["城市"] = mine["城市"].str.removesuffix("市")  # short names, as users write
    path = tmp_path / "长三角.xlsx"
    mine.to_excel(path, index=False)
    recipe = load_recipe("yrd_decoupling_catchup")
    recipe.main(
        [
            "--data",
            str(path),
            "--unit",
            "城市",
            "--time",
            "年份",
            "--gdp-per-capita",
            "人均GDP",
            "--pollutants",
            "工业废水,二氧化硫,烟粉尘",
            "--output",
            str(tmp_path / "out"),
        ]
    )
    assert "wrote" in capsys.readouterr().out
    states = pd.read_csv(tmp_path / "out" / "tapio_periods.csv", encoding="utf-8-sig")
    assert states["adcode"].nunique() == 26
    assert set(states["period"]) == {"2005-2010", "2011-2016", "2005-2016"}
