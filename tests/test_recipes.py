"""Every reference-study recipe runs end to end on reduced demo data, and its outputs
are checked: tables non-empty with the expected columns, figures real PNGs, every web
map opening in headless Chromium. The recipes start from the yearbook-shaped demo
tables, so the prepare step is checked too: flags mark exactly the filled cells, and
the cumulative GTFP of every region stays plausible."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

import spatialgreen as sg
from spatialgreen.cli.cmd_demo import RECIPES, load_recipe
from spatialgreen.datasets import _generate
from spatialgreen.maps._offline import external_assets

PREPARED = ["adcode", "year"]
EXPECTED = {
    "yangtze_industrial_gtfp": {
        "prepared_panel": [*PREPARED, "capital", "industrial_va", "so2_imputed"],
        "prepare_filled": ["adcode", "year", "column", "method", "value"],
        "capital_base": ["adcode", "year", "real_investment", "g", "delta", "capital"],
        "sbm_ml_index": ["adcode", "year", "index", "ec", "tc", "yreb_reach"],
        "gtfp_levels": ["adcode", "year", "gtfp", "yreb_reach"],
        "gtfp_by_reach": ["yreb_reach", "year", "geometric_mean"],
        "three_stage_levels": ["adcode", "year", "gtfp_energy", "gtfp_economic"],
        "scenario_disparity": ["scenario", "alpha", "variable", "cv", "theil", "gini"],
        "scenario_totals": ["scenario", "alpha", "year"],
        "scenario_best": ["adcode", "best_scenario", "gtfp_change", "so2_change"],
    },
    "nqpf_gtfp_provinces": {
        "prepared_panel": [
            *PREPARED,
            "gdp",
            "capital",
            "software_revenue",
            "industrial_upgrading",
            "hightech_agglomeration",
            "service_specialization",
            "service_diversification",
        ],
        "prepare_filled": ["adcode", "year", "column", "method", "value"],
        "nqpf_and_gtfp": ["adcode", "year", "nqpf", "gtfp_ebm", "gtfp_sbm", "gtfp_ddf"],
        "sdm_effects": ["variable", "direct", "indirect", "total"],
        "moran_by_year": ["year", "I", "expected_I", "z", "p_sim"],
        "mediation": ["effect", "estimate"],
        "table_baseline": [
            "(1) no controls",
            "(2) + government_spending",
            "(3) + enterprise_innovation",
            "(4) + fdi",
            "(5) + environmental_regulation",
        ],
        "table_moderation": ["diversified producer services (mul)"],
    },
    "yrd_decoupling_catchup": {
        "prepared_panel": [*PREPARED, "gdp_per_capita", "wastewater_imputed"],
        "prepare_filled": ["adcode", "year", "column", "method", "value"],
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
        "resource_city_list": ["adcode", "name_zh", "stage", "resource_type", "source"],
        "prepared_panel": [*PREPARED, "capital", "industrial_va", "stage", "size"],
        "eco_efficiency": [
            "adcode",
            "year",
            "score",
            "region4",
            "size",
            "resource_type",
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


def _one_worker(name: str):
    """A recipe as a parameter: under ``-n`` its tests share one worker, so that
    ``quick_run`` (tests/conftest.py) runs each recipe once per test run, not once
    per worker."""
    return pytest.param(name, marks=pytest.mark.xdist_group(f"recipe-{name}"))


@pytest.fixture(scope="module", params=[_one_worker(r) for r in RECIPES])
def ran(request, quick_run):
    return request.param, quick_run(request.param)


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


def _table(report, name: str) -> pd.DataFrame:
    paths = {a.path.stem: a.path for a in report.artifacts if a.kind == "table"}
    return pd.read_csv(paths[name], encoding="utf-8-sig")


# the four panel studies start from a yearbook (the fifth from point tables)
YEARBOOK_RECIPES = [r for r in RECIPES if r != "clusters_and_green_flows"]


@pytest.mark.parametrize("name", [_one_worker(r) for r in YEARBOOK_RECIPES])
def test_flags_mark_exactly_the_filled_cells(quick_run, name):
    """The prepared panel flags a cell iff the prepare step filled it."""
    report = quick_run(name)
    panel = _table(report, "prepared_panel")
    filled = _table(report, "prepare_filled")
    assert len(filled) > 0  # the demo yearbook has gaps in every study's columns
    assert filled["value"].notna().all()
    assert set(filled["method"]) == {"linear"}
    flagged = {
        (a, y, c.removesuffix("_imputed"))
        for c in panel.columns
        if c.endswith("_imputed")
        for a, y in panel.loc[panel[c], ["adcode", "year"]].itertuples(index=False)
    }
    # every filled yearbook cell is listed, also in years the study then leaves out
    rows = set(panel[["adcode", "year"]].itertuples(index=False))
    listed = {
        (a, y, c)
        for a, y, c in filled[["adcode", "year", "column"]].itertuples(index=False)
        if (a, y) in rows
    }
    assert listed == flagged
    for a, y, column, value in filled[["adcode", "year", "column", "value"]].values:
        # a column the models take as printed holds the filled value itself
        printed = column not in {"software_revenue", "ecommerce_sales"}
        if (a, y) in rows and column in panel and printed:
            cell = panel.loc[(panel["adcode"] == a) & (panel["year"] == y), column]
            assert cell.iloc[0] == pytest.approx(value, rel=1e-9)


def _geometric_means(frame: pd.DataFrame, value: str, group: str) -> pd.Series:
    last = frame[frame["year"] == frame["year"].max()]
    return last.groupby(group)[value].agg(lambda s: float(np.exp(np.log(s).mean())))


@pytest.mark.parametrize(
    "name",
    [
        _one_worker(r)
        for r in [
            "yangtze_industrial_gtfp",
            "nqpf_gtfp_provinces",
            "resource_city_ecoefficiency",
        ]
    ],
)
def test_cumulative_gtfp_is_plausible_in_every_region(quick_run, name):
    """No region's cumulative GTFP explodes (the old demo gave ≈ 11× in 16 years)."""
    report = quick_run(name)
    if name == "yangtze_industrial_gtfp":
        levels = _table(report, "gtfp_levels")
        by_reach = _table(report, "gtfp_by_reach")
        last = by_reach[by_reach["year"] == by_reach["year"].max()]
        means = last.set_index("yreb_reach")["geometric_mean"]
        np.testing.assert_allclose(
            means, _geometric_means(levels, "gtfp", "yreb_reach").loc[means.index]
        )
        assert levels["gtfp"].max() < 2.5
    elif name == "nqpf_gtfp_provinces":
        gtfp = _table(report, "nqpf_and_gtfp")
        regions = _table(report, "prepared_panel")[["adcode", "year", "region3"]]
        means = _geometric_means(gtfp.merge(regions), "gtfp_ebm", "region3")
        assert set(means.index) == {"east", "central", "west"}
    else:
        malm = _table(report, "malmquist")
        regions = _table(report, "eco_efficiency")[["adcode", "region4"]]
        means = _geometric_means(
            malm.merge(regions.drop_duplicates()), "cumulative", "region4"
        )
        assert len(means) == 4
    assert means.between(0.6, 2.0).all(), means.to_dict()


@pytest.mark.xdist_group("recipe-yangtze_industrial_gtfp")
def test_best_scenario_is_the_largest_gtfp_gain(quick_run):
    best = _table(quick_run("yangtze_industrial_gtfp"), "scenario_best")
    assert best["adcode"].nunique() == len(best) == 11
    gains = best[["gtfp_change_energy", "gtfp_change_economy", "gtfp_change_balanced"]]
    np.testing.assert_allclose(best["gtfp_change"], gains.max(axis=1))
    won = best["gtfp_change"] > 0
    assert (
        best.loc[won, "best_scenario"]
        == gains.loc[won].idxmax(axis=1).str.removeprefix("gtfp_change_")
    ).all()
    assert best.loc[~won, "best_scenario"].str.startswith("none").all()


@pytest.mark.xdist_group("recipe-nqpf_gtfp_provinces")
def test_baseline_adds_one_control_per_column(quick_run):
    recipe = load_recipe("nqpf_gtfp_provinces")
    table = _table(quick_run("nqpf_gtfp_provinces"), "table_baseline")
    table = table.set_index("Unnamed: 0")
    columns = [c for c in table.columns if c.startswith("(")]
    assert len(columns) == len(recipe.CONTROLS) + 1
    for k, control in enumerate(recipe.CONTROLS):
        present = table.loc[control, columns].notna().tolist()
        assert present == [j > k for j in range(len(columns))], control


@pytest.mark.xdist_group("recipe-resource_city_ecoefficiency")
def test_resource_recipe_says_its_demo_stages_are_placeholders(quick_run):
    report = quick_run("resource_city_ecoefficiency")
    listed = _table(report, "resource_city_list")
    assert set(listed["name_zh"]) == set(_generate.REGENERATIVE_CITIES)
    assert listed["source"].str.contains("SYNTHETIC placeholders").all()
    assert listed["resource_type"].str.endswith("(synthetic)").all()
    captions = {a.path.stem: a.caption for a in report.artifacts}
    for table in ("resource_city_list", "eco_efficiency", "heterogeneity"):
        assert "placeholder" in captions[table], table
    sizes = set(_table(report, "prepared_panel")["size"])
    assert sizes <= {"small", "medium", "large", "very_large", "megacity"}


def test_resource_recipe_takes_the_official_list_file(tmp_path):
    """``--resource-cities FILE``: the user's list decides the cities and stages."""
    recipe = load_recipe("resource_city_ecoefficiency")
    mine = tmp_path / "我的资源型城市.csv"
    names = [n.removesuffix("市") for n in _generate.REGENERATIVE_CITIES[:6]]
    pd.DataFrame({"unit": names, "stage": "再生型"}).to_csv(mine, index=False)
    out = tmp_path / "out"
    with pytest.warns(UserWarning, match="the plan lists"):
        recipe.main(["--resource-cities", str(mine), "--quick", "--output", str(out)])
    listed = pd.read_csv(out / "resource_city_list.csv", encoding="utf-8-sig")
    assert listed["stage"].eq("regenerative").all() and len(listed) == 6
    assert listed["source"].str.contains(mine.name).all()
    scores = pd.read_csv(out / "eco_efficiency.csv", encoding="utf-8-sig")
    assert set(scores["adcode"]) == set(listed["adcode"])
    hetero = pd.read_csv(out / "heterogeneity.csv", encoding="utf-8-sig")
    assert set(hetero["dimension"]) == {"region4", "size"}  # no resource types given
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(sg.DataError, match="no growing city"):
            recipe.run(
                tmp_path / "g", quick=True, resource_cities=str(mine), stage="growing"
            )
