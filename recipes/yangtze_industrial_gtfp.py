"""Recipe 1 — industrial green TFP of the Yangtze River Economic Belt, tech convergence.

Follows ``shared/studies/000``: for the 11 provinces of the Yangtze River Economic
Belt, (1) SBM–ML growth of industrial GTFP with its efficiency-change and
technical-change parts; cumulative GTFP levels — the upstream/midstream/downstream
trends, the β- and σ-convergence and the map — come from the global SBM–GML index,
because the chained ML index is not circular (Oh 2010) and its product drifts away
from any level; (2) three-stage DEA–SFA GTFP levels in an energy and an economic
dimension, both with SO2 and COD as undesirable outputs (a green measure), with the
environmental (driver) coefficients of stage 2 and a fixed-effects regression of the
levels on their drivers; (3) three technology-convergence development models —
energy-focused, economy-focused and balanced — simulated against the status quo,
with regional disparities and the model that raises each province's GTFP most.

The study starts where researchers start, from yearbook tables: GDP and industrial
value added at current prices with their volume indices (上年=100), fixed-asset
investment with its price index, value added by sector, a few missing cells.
:func:`prepare_panel` runs ``spatialgreen.prepare`` before any model: gaps filled by
linear interpolation within each province (flagged and listed), real values at
prices of the first year, capital by perpetual inventory (δ = 9.6 %, Zhang, Wu &
Zhang 2004; Hall–Jones base-year stock), industrial upgrading = tertiary /
secondary value added.

Run on the embedded SYNTHETIC demo yearbook::

    python recipes/yangtze_industrial_gtfp.py --output maps/yangtze_industrial_gtfp

or on your own yearbook-shaped provincial panel with the columns of
``spatialgreen.datasets.province_yearbook()`` listed in ``RAW`` (names or adcodes
in ``--unit``)::

    python recipes/yangtze_industrial_gtfp.py --data yreb.xlsx --unit 省份 --time 年份
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import spatialgreen as sg
from spatialgreen import (
    convergence,
    datasets,
    econometrics,
    efficiency,
    figures,
    maps,
    prepare,
)
from spatialgreen import scenarios as sc
from spatialgreen.report import Report, recipe_parser, run_recipe

TITLE = "1 · Yangtze River Economic Belt: industrial GTFP and technology convergence"
INPUTS = ["labor", "capital", "energy"]
OUTPUTS = ["industrial_va"]
BADS = ["so2", "cod"]
ENVIRONMENT = [
    "industrial_upgrading",
    "government_spending",
    "fdi",
    "environmental_regulation",
]
DIMENSIONS = {
    "energy": {
        "inputs": ["energy", "electricity"],
        "outputs": ["industrial_va"],
        "bad_outputs": BADS,
    },
    "economic": {
        "inputs": ["labor", "capital"],
        "outputs": ["industrial_va"],
        "bad_outputs": BADS,
    },
}
DELTA = 0.096  # depreciation rate of Zhang, Wu & Zhang (2004)
#: yearbook columns the study needs (gaps are filled by linear interpolation)
RAW = [
    "labor",
    "energy",
    "electricity",
    *BADS,
    "gdp_nominal",
    "gdp_index",
    "industrial_va_nominal",
    "industrial_va_index",
    "investment",
    "investment_price_index",
    "va_secondary",
    "va_tertiary",
    "government_spending",
    "fdi",
    "environmental_regulation",
]


def load_data(path: str | None, *, unit: str, time: str) -> pd.DataFrame:
    """The yearbook rows of the 11 YREB provinces (demo or the user's file)."""
    if path is None:
        raw = datasets.province_yearbook()
    else:
        raw = sg.read_panel(path, unit=unit, time=time)
        raw["adcode"] = sg.match_units(raw[unit].tolist(), level="province")
        raw = raw.rename(columns={time: "year"})
    yreb = sg.load_boundaries("province", study="yreb")[["adcode", "yreb_reach"]]
    return raw.merge(yreb, on="adcode").reset_index(drop=True)


def prepare_panel(
    raw: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Yearbook → model panel with ``spatialgreen.prepare``.

    Returns the panel (real values at prices of the first year, ``capital``,
    ``industrial_upgrading`` and an ``<column>_imputed`` flag per filled column),
    the cells filled and the base-year capital stocks.
    """
    keys = {"unit": "adcode", "time": "year"}
    base = int(raw["year"].min())
    filled = prepare.impute(raw, RAW, method="linear", **keys)  # flagged, warns
    panel = filled.data
    for real in ("gdp", "industrial_va"):
        panel[real] = prepare.real_gdp(
            panel, f"{real}_nominal", f"{real}_index", base_year=base, **keys
        )
    stock = prepare.capital_stock(
        panel,
        "investment",
        "investment_price_index",
        delta=DELTA,
        base="hall-jones",
        price_kind="previous-year",
        price_base_year=base,
        **keys,
    )
    panel["capital"] = stock.column(panel, **keys)
    panel["industrial_upgrading"] = prepare.structure_ratio(
        panel, "va_secondary", "va_tertiary", **keys
    )
    flags = [f"{c}_imputed" for c in RAW if panel[f"{c}_imputed"].any()]
    unused = [f"{c}_imputed" for c in RAW if f"{c}_imputed" not in flags]
    return panel.drop(columns=unused), filled.report, stock.base


def best_scenario(changes: pd.DataFrame, names: pd.DataFrame) -> pd.DataFrame:
    """Per province: the development model with the largest mean GTFP gain over the
    status quo, with its mean changes of output, energy and pollution."""
    sims = changes[changes["scenario"] != sc.STATUS_QUO]
    variables = ["gtfp", *OUTPUTS, "energy", *BADS]
    mean = sims.groupby(["adcode", "scenario"], sort=False)[variables].mean()
    mean = mean.round(12) + 0.0  # the LPs' numerical zeros (±1e-16) are no change
    gains = mean["gtfp"].unstack("scenario").add_prefix("gtfp_change_")
    best = mean.loc[mean.groupby(level="adcode")["gtfp"].idxmax()].reset_index()
    best["scenario"] = best["scenario"].where(
        best["gtfp"] > 0, "none (no model raises its GTFP)"
    )
    best = best.rename(columns={"scenario": "best_scenario"})
    best = best.rename(columns={v: f"{v}_change" for v in variables})
    return names.merge(best, on="adcode").merge(gains.reset_index(), on="adcode")


def run(
    output: str | Path,
    *,
    quick: bool = False,
    data: str | None = None,
    unit: str = "adcode",
    time: str = "year",
) -> Report:
    """Run the study and write its tables, figures and maps to ``output``."""
    report = Report(output, title=TITLE)
    # (0) from the yearbook to the panel
    panel, filled, capital_base = prepare_panel(load_data(data, unit=unit, time=time))
    base = int(panel["year"].min())
    if quick:
        panel = panel[panel["year"] >= 2012].reset_index(drop=True)
    keys = {"unit": "adcode", "time": "year"}
    flags = [c for c in panel.columns if c.endswith("_imputed")]
    model_columns = [*INPUTS, "electricity", *OUTPUTS, *BADS, *ENVIRONMENT]
    report.table(
        panel[["adcode", "year", "yreb_reach", *model_columns, *flags]],
        "prepared_panel",
        f"The panel the models take, prepared from the yearbook: real values at "
        f"{base} prices, capital by perpetual inventory (δ = {DELTA:.1%}), "
        "industrial upgrading = tertiary / secondary value added, flags of filled "
        "cells",
    )
    if len(filled):
        report.table(
            filled,
            "prepare_filled",
            "Yearbook cells filled by linear interpolation within each province",
        )
    report.table(
        capital_base,
        "capital_base",
        "Base-year capital stocks: first-year real investment / (g + δ), g = "
        "growth of real investment over the first five years (Hall & Jones 1999)",
    )

    # (1) SBM-ML growth of industrial GTFP; levels from the circular GML index
    options = {
        "model": "sbm",
        "inputs": INPUTS,
        "outputs": OUTPUTS,
        "bad_outputs": BADS,
        "rts": "vrs",
        **keys,
    }
    ml = efficiency.productivity_index(panel, index="ml", **options)
    reach = panel[["adcode", "year", "yreb_reach"]]
    growth = ml.index.drop(columns="cumulative").merge(reach, on=["adcode", "year"])
    report.table(
        growth,
        "sbm_ml_index",
        "SBM–ML index of industrial GTFP with EC and TC, by province and year "
        "(year-on-year growth; the chained ML index is not circular, so levels "
        "come from the GML index)",
    )
    gml = efficiency.productivity_index(
        panel, index="gml", super_efficiency=True, **options
    )
    first = panel.loc[panel["year"] == panel["year"].min(), ["adcode", "year"]]
    levels = pd.concat(
        [
            first.assign(gtfp=1.0),
            gml.index[["adcode", "year", "cumulative"]].rename(
                columns={"cumulative": "gtfp"}
            ),
        ],
        ignore_index=True,
    ).merge(reach, on=["adcode", "year"])
    report.table(
        levels,
        "gtfp_levels",
        "Cumulative industrial GTFP (super-SBM–GML on the global frontier, first "
        "year = 1)",
    )
    report.table(
        levels.groupby(["yreb_reach", "year"])["gtfp"]
        .apply(lambda g: float(np.exp(np.log(g).mean())))
        .rename("geometric_mean")
        .reset_index(),
        "gtfp_by_reach",
        "Cumulative GTFP by reach: geometric mean over the provinces",
    )
    report.figure(
        lambda: figures.trend_by_group(
            levels,
            "gtfp",
            time="year",
            group="yreb_reach",
            title="Cumulative industrial GTFP (SBM–GML)",
        ),
        "gtfp_trend_by_reach",
        "Cumulative SBM–GML GTFP: upstream, midstream, downstream",
    )
    beta = convergence.beta(levels, "gtfp", **keys, kind="panel", effects="unit")
    report.table(
        beta.to_frame(),
        "beta_convergence",
        f"Panel β-convergence of GTFP: speed {beta.speed:.4f}, half-life "
        f"{beta.half_life:.1f} years",
    )
    report.table(
        convergence.sigma(levels, "gtfp", time="year"),
        "sigma_convergence",
        "σ-convergence of cumulative GTFP",
    )

    # (2) three-stage DEA-SFA GTFP levels in the energy and the economic dimension,
    # SO2 and COD as undesirable outputs in both. CRS: with the pollutants added,
    # VRS puts most of the 11 provinces on the frontier every year, their input
    # slacks are zero and the stage-2 slack frontiers have nothing to explain.
    stages = efficiency.three_stage_dimensions(
        panel,
        dimensions=DIMENSIONS,
        environment=ENVIRONMENT,
        **keys,
        engine="dea",
        rts="crs",
    )
    report.table(
        stages.levels,
        "three_stage_levels",
        "Three-stage DEA–SFA GTFP levels, energy and economic dimension, with SO2 "
        "and COD as undesirable outputs",
    )
    report.table(
        stages.environment_effects,
        "stage2_environment",
        "Stage-2 SFA coefficients of the environmental variables on input slacks",
    )
    drivers = panel.merge(stages.levels, on=["adcode", "year"])
    fe = {
        f"GTFP ({d})": econometrics.fixed_effects(
            drivers,
            y=f"gtfp_{d}",
            x=ENVIRONMENT,
            **keys,
            effects="unit",
            cluster="adcode",
        )
        for d in DIMENSIONS
    }
    table = econometrics.regression_table(fe)
    report.table(
        table.to_frame(),
        "drivers",
        "Drivers of the GTFP levels: unit fixed effects, SEs clustered by province",
    )

    # (3) technology-convergence development models against the status quo
    sim = sc.technology_convergence(
        panel,
        inputs=INPUTS,
        outputs=OUTPUTS,
        bad_outputs=BADS,
        energy=["energy"],
        **keys,
        alpha=0.5,
        group="yreb_reach",
        model_options={"rts": "vrs"},
    )
    report.table(
        sim.totals,
        "scenario_totals",
        "Industrial output, energy and pollution under "
        "the three scenarios and the status quo",
    )
    report.table(
        sim.disparity,
        "scenario_disparity",
        "Regional disparities (CV, Theil, Dagum "
        "Gini) of each scenario against the status quo",
    )
    report.table(
        sim.changes,
        "scenario_changes",
        "Change of every variable against the status quo",
    )
    names = pd.DataFrame(
        sg.load_boundaries("province", study="yreb")[
            ["adcode", "name_zh", "name_en", "yreb_reach"]
        ]
    )
    report.table(
        best_scenario(sim.changes, names),
        "scenario_best",
        "The development model that raises each province's GTFP most (mean "
        "relative change against the status quo over the years), with its changes "
        "of output, energy and pollution and the GTFP change of every model",
    )

    last = int(panel["year"].max())
    later = levels[levels["year"] > levels["year"].min()]  # the base year is 1
    report.map(
        maps.choropleth(
            later,
            "gtfp",
            level="province",
            unit="adcode",
            study="yreb",  # the 11 YREB provinces, all drawn
            time="year",
            palette="YlGn",
            title="Cumulative industrial GTFP (SBM–GML)",
        ),
        "map_gtfp_ml",
        "Cumulative SBM–GML industrial GTFP of the YREB provinces (year slider)",
    )
    report.static_map(
        lambda: maps.static(
            later,
            "gtfp",
            level="province",
            unit="adcode",
            study="yreb",
            time="year",
            year=[later["year"].min(), last],
            title="Cumulative industrial GTFP (SBM–GML)",
        ),
        "map_gtfp_ml",
        "Cumulative SBM–GML GTFP of the YREB provinces, first and last year",
    )
    three = stages.levels[stages.levels["year"] == last]
    report.map(
        maps.choropleth(
            three,
            "gtfp_energy",
            level="province",
            unit="adcode",
            study="yreb",
            k=4,
            title=f"Three-stage GTFP, energy dimension, {last}",
        ),
        "map_gtfp_energy",
        f"Three-stage DEA–SFA GTFP (energy dimension), {last}",
    )
    report.static_map(
        lambda: maps.static(
            three,
            "gtfp_energy",
            level="province",
            unit="adcode",
            study="yreb",
            k=4,
            title=f"Three-stage GTFP, energy dimension, {last}",
        ),
        "map_gtfp_energy",
        f"Three-stage DEA–SFA GTFP (energy dimension), {last} (static map)",
    )
    report.finish()
    return report


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = recipe_parser(
        __doc__.splitlines()[0],
        default_output="maps/yangtze_industrial_gtfp",
        panel="provincial",
    )
    run_recipe(run, parser.parse_args(argv))


if __name__ == "__main__":
    main()
