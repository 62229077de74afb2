"""Recipe 1 — industrial green TFP of the Yangtze River Economic Belt, tech convergence.

Follows ``shared/studies/000``: for the 11 provinces of the Yangtze River Economic
Belt, (1) SBM–ML growth of industrial GTFP with its efficiency-change and
technical-change parts and upstream/midstream/downstream trends, and the
β-convergence of GTFP; (2) three-stage DEA–SFA GTFP levels in an energy and an
economic dimension, with the environmental (driver) coefficients of stage 2 and a
two-way fixed-effects regression of the levels on their drivers; (3) three
technology-convergence development models — energy-focused, economy-focused and
balanced — simulated against the status quo, with regional disparities.

Run on the embedded SYNTHETIC demo data::

    python recipes/yangtze_industrial_gtfp.py --output maps/yangtze_industrial_gtfp

or on your own provincial panel (names or adcodes in ``--unit``)::

    python recipes/yangtze_industrial_gtfp.py --data yreb.xlsx --unit 省份 --time 年份
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import spatialgreen as sg
from spatialgreen import convergence, datasets, econometrics, efficiency, figures, maps
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
    "energy": {"inputs": ["energy", "electricity"], "outputs": ["industrial_va"]},
    "economic": {"inputs": ["labor", "capital"], "outputs": ["industrial_va"]},
}


def load_data(path: str | None, *, unit: str, time: str, quick: bool) -> pd.DataFrame:
    """The 11 YREB provinces of the demo panel (or the user's file) with their reach."""
    if path is None:
        panel = datasets.province_panel()
        if quick:
            panel = panel[panel["year"] >= 2012]
    else:
        panel = sg.read_panel(path, unit=unit, time=time)
        panel["adcode"] = sg.match_units(panel[unit].tolist(), level="province")
        panel = panel.rename(columns={time: "year"})
    yreb = sg.load_boundaries("province", study="yreb")[["adcode", "yreb_reach"]]
    return panel.merge(yreb, on="adcode").reset_index(drop=True)


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
    panel = load_data(data, unit=unit, time=time, quick=quick)
    keys = {"unit": "adcode", "time": "year"}

    # (1) SBM-ML growth of industrial GTFP and its convergence
    ml = efficiency.productivity_index(
        panel,
        model="sbm",
        index="ml",
        inputs=INPUTS,
        outputs=OUTPUTS,
        bad_outputs=BADS,
        rts="vrs",
        **keys,
    )
    growth = ml.index.merge(
        panel[["adcode", "year", "yreb_reach"]], on=["adcode", "year"]
    )
    report.table(
        growth,
        "sbm_ml_index",
        "SBM–ML index of industrial GTFP with EC and TC, by province and year",
    )
    report.figure(
        figures.trend_by_group(
            growth,
            "cumulative",
            time="year",
            group="yreb_reach",
            title="Cumulative industrial GTFP (SBM–ML)",
        ),
        "gtfp_trend_by_reach",
        "Cumulative SBM–ML GTFP: upstream, midstream, downstream",
    )
    levels = growth[["adcode", "year", "cumulative"]].rename(
        columns={"cumulative": "gtfp"}
    )
    first = panel[panel["year"] == panel["year"].min()][["adcode", "year"]].assign(
        gtfp=1.0
    )
    levels = pd.concat([first, levels], ignore_index=True)
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

    # (2) three-stage DEA-SFA GTFP levels in the energy and the economic dimension
    stages = efficiency.three_stage_dimensions(
        panel,
        dimensions=DIMENSIONS,
        environment=ENVIRONMENT,
        **keys,
        engine="dea",
        rts="vrs",
    )
    report.table(
        stages.levels,
        "three_stage_levels",
        "Three-stage DEA–SFA GTFP levels, energy and economic dimension",
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

    last = int(panel["year"].max())
    geo = sg.join_units(
        growth, unit="adcode", level="province", time="year", how="inner"
    )
    report.map(
        maps.choropleth(
            geo,
            "cumulative",
            time="year",
            palette="YlGn",
            title="Cumulative industrial GTFP (SBM–ML)",
        ),
        "map_gtfp_ml",
        "Cumulative SBM–ML industrial GTFP of the YREB provinces (year slider)",
    )
    three = stages.levels[stages.levels["year"] == last]
    report.map(
        maps.choropleth(
            sg.join_units(three, unit="adcode", level="province", how="inner"),
            "gtfp_energy",
            k=4,
            title=f"Three-stage GTFP, energy dimension, {last}",
        ),
        "map_gtfp_energy",
        f"Three-stage DEA–SFA GTFP (energy dimension), {last}",
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
