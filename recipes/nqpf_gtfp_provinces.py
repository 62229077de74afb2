"""Recipe 2 — new quality productive forces and green TFP, 30 provinces.

Follows the full paper in ``shared/studies/001``: a "new quality productive forces"
(NQPF) index from ten indicators by PCA on logged data (and by entropy weights for
comparison); GTFP from the super-efficiency EBM with undesirable outputs and the
global Malmquist–Luenberger index; two-way fixed-effects baseline with controls and
SEs clustered by province; mediation by industrial upgrading; moderation by high-tech
agglomeration and productive-service specialisation; lagged NQPF; alternative GTFP
from SBM and DDF; a placebo test with 1,000 permutations; east/central/west
heterogeneity — as journal tables; plus Moran's I of GTFP by year and a spatial
Durbin panel model with direct, indirect and total effects.

Run on the embedded SYNTHETIC demo data::

    python recipes/nqpf_gtfp_provinces.py --output maps/nqpf_gtfp_provinces

or on your own provincial panel holding the same columns (names or adcodes in
``--unit``)::

    python recipes/nqpf_gtfp_provinces.py --data provinces.xlsx --unit 省份 --time 年份
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import spatialgreen as sg
from spatialgreen import datasets, econometrics, efficiency, figures, maps, spatial
from spatialgreen.report import Report, recipe_parser, run_recipe

TITLE = "2 · New quality productive forces and green TFP, 30 provinces"
NQPF = [
    "universities_top",
    "universities_key",
    "it_employment_share",
    "hightech_rd_fte",
    "robot_index",
    "software_revenue",
    "ecommerce_sales",
    "new_energy_share",
    "internet_ports",
    "cable_length",
]
INPUTS = ["labor", "capital", "water", "electricity"]
OUTPUTS = ["gdp"]
BADS = ["so2", "cod"]
CONTROLS = [
    "environmental_regulation",
    "fdi",
    "government_spending",
    "enterprise_innovation",
]
YEARS = (2010, 2019)


def load_data(path: str | None, *, unit: str, time: str) -> pd.DataFrame:
    """The demo provinces 2010–2019 (or the user's file) with adcodes and regions."""
    if path is None:
        panel = datasets.province_panel()
    else:
        panel = sg.read_panel(path, unit=unit, time=time)
        panel["adcode"] = sg.match_units(panel[unit].tolist(), level="province")
        panel = panel.rename(columns={time: "year"})
    panel = panel[panel["year"].between(*YEARS)]
    regions = sg.load_boundaries("province")[["adcode", "region3"]]
    return panel.drop(columns=["region3"], errors="ignore").merge(regions, on="adcode")


def gtfp_levels(panel: pd.DataFrame, model: str, **options: object) -> pd.DataFrame:
    """Cumulative GML GTFP (first year = 1) of one efficiency model."""
    gml = efficiency.productivity_index(
        panel,
        model=model,
        index="gml",
        inputs=INPUTS,
        outputs=OUTPUTS,
        bad_outputs=BADS,
        unit="adcode",
        time="year",
        **options,
    )
    first = panel.loc[panel["year"] == panel["year"].min(), ["adcode", "year"]]
    levels = pd.concat(
        [first.assign(cumulative=1.0), gml.index[["adcode", "year", "cumulative"]]],
        ignore_index=True,
    )
    return levels.rename(columns={"cumulative": f"gtfp_{model}"})


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
    panel = load_data(data, unit=unit, time=time)
    keys = {"unit": "adcode", "time": "year"}
    reps = 100 if quick else 1000

    pca = econometrics.pca_index(
        panel, NQPF, log=True, retain="first", keys=["adcode", "year"]
    )
    entropy = econometrics.entropy_index(panel, NQPF, keys=["adcode", "year"])
    report.table(
        pca.weights, "nqpf_pca_weights", "NQPF index: PCA weights and loadings"
    )
    report.table(entropy.weights, "nqpf_entropy_weights", "NQPF index: entropy weights")
    panel = panel.merge(
        pca.index.rename(columns={"index": "nqpf"}), on=["adcode", "year"]
    )

    for model, options in (
        ("ebm", {"super_efficiency": True, "rts": "crs"}),
        ("sbm", {"rts": "crs"}),
        ("ddf", {}),
    ):
        panel = panel.merge(gtfp_levels(panel, model, **options), on=["adcode", "year"])
    report.table(
        panel[["adcode", "year", "nqpf", "gtfp_ebm", "gtfp_sbm", "gtfp_ddf"]],
        "nqpf_and_gtfp",
        "NQPF index and cumulative GML GTFP (super-EBM, SBM, DDF)",
    )

    fe = dict(controls=CONTROLS, **keys, cluster="adcode")
    baseline = {
        "(1) no controls": econometrics.fixed_effects(
            panel, y="gtfp_ebm", x="nqpf", **keys, cluster="adcode"
        ),
        "(2) controls": econometrics.fixed_effects(panel, y="gtfp_ebm", x="nqpf", **fe),
    }
    tables = {"baseline": econometrics.regression_table(baseline)}
    med = econometrics.mediation(
        panel,
        y="gtfp_ebm",
        x="nqpf",
        mediator="industrial_upgrading",
        bootstrap=reps,
        seed=0,
        **fe,
    )
    report.table(
        med.to_frame(),
        "mediation",
        "Mediation by industrial upgrading: a, b, "
        "indirect effect, Sobel z and bootstrap interval",
    )
    mods = {
        m: econometrics.moderation(panel, y="gtfp_ebm", x="nqpf", moderator=m, **fe)
        for m in ("hightech_agglomeration", "service_specialization")
    }
    tables["moderation"] = econometrics.regression_table(mods)
    tables["lags"] = econometrics.lagged(
        panel, y="gtfp_ebm", x="nqpf", lags=(1, 2), **fe
    ).regression_table()
    tables["alternative_gtfp"] = econometrics.robustness(
        panel, y=["gtfp_ebm", "gtfp_sbm", "gtfp_ddf"], x="nqpf", **fe
    ).regression_table()
    hetero = econometrics.heterogeneity(
        panel, y="gtfp_ebm", x="nqpf", group="region3", **fe
    )
    tables["heterogeneity"] = econometrics.regression_table(hetero.models)
    report.table(
        hetero.equality,
        "heterogeneity_test",
        "Test of equal NQPF coefficients across east, central and west",
    )
    for name, table in tables.items():
        report.table(
            table.to_frame(),
            f"table_{name}",
            f"Regression table: {name.replace('_', ' ')}",
        )
        report.text(
            table.to_latex(),
            f"table_{name}",
            f"LaTeX of the {name} table",
            suffix=".tex",
        )

    placebo = econometrics.placebo(
        panel, y="gtfp_ebm", x="nqpf", reps=reps, seed=0, **fe
    )
    report.table(
        placebo.to_frame(), "placebo", f"Placebo: {reps} random permutations of NQPF"
    )
    report.figure(
        figures.placebo_distribution(placebo),
        "placebo",
        "Distribution of placebo coefficients and the true estimate",
    )

    w = sg.spatial_weights(
        "province",
        kind="queen",
        islands="nearest",
        ids=sorted(panel["adcode"].unique()),
    )
    later = panel[panel["year"] > panel["year"].min()]  # the base year is 1 everywhere
    moran = spatial.moran_by_year(later, "gtfp_ebm", w=w, **keys, permutations=reps)
    report.table(
        moran,
        "moran_by_year",
        "Global Moran's I of GTFP by year (queen contiguity, "
        "Hainan linked to its nearest neighbour)",
    )
    sdm = spatial.spatial_panel(
        panel,
        y="gtfp_ebm",
        x=["nqpf", *CONTROLS],
        w=w,
        **keys,
        model="sdm",
        effects="twoway",
        draws=reps,
    )
    report.table(
        sdm.to_frame(),
        "sdm_coefficients",
        "Spatial Durbin panel model, two-way fixed effects",
    )
    report.table(
        sdm.impacts,
        "sdm_effects",
        "Direct, indirect and total effects (LeSage–Pace) with simulated SEs",
    )

    geo = sg.join_units(
        panel, unit="adcode", level="province", time="year", how="inner"
    )
    report.map(
        maps.choropleth(
            geo, "gtfp_ebm", time="year", title="Cumulative GTFP (super-EBM–GML)"
        ),
        "map_gtfp",
        "Cumulative super-EBM–GML GTFP by province (year slider)",
    )
    report.map(
        maps.choropleth(
            geo,
            "nqpf",
            time="year",
            palette="Blues",
            title="New quality productive forces index",
        ),
        "map_nqpf",
        "NQPF index (PCA) by province (year slider)",
    )
    report.finish()
    return report


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = recipe_parser(
        __doc__.splitlines()[0],
        default_output="maps/nqpf_gtfp_provinces",
        panel="provincial",
    )
    run_recipe(run, parser.parse_args(argv))


if __name__ == "__main__":
    main()
