"""Recipe 2 — new quality productive forces and green TFP, 30 provinces.

Follows the full paper in ``shared/studies/001``: a "new quality productive forces"
(NQPF) index from ten indicators by PCA on logged data (and by entropy weights for
comparison); GTFP from the super-efficiency EBM with undesirable outputs and the
global Malmquist–Luenberger index; two-way fixed-effects baseline adding the controls
one at a time (the paper's Table 3) with SEs clustered by province; mediation by
industrial upgrading; moderation by high-tech agglomeration, specialised and
diversified producer-service agglomeration; lagged NQPF; alternative GTFP from SBM
and DDF; a placebo test with 1,000 permutations; east/central/west heterogeneity — as
journal tables; plus Moran's I of GTFP by year and a spatial Durbin panel model with
direct, indirect and total effects.

The study starts from yearbook tables (:func:`prepare_panel`, ``spatialgreen.
prepare``): gaps filled by linear interpolation ("missing data were supplemented
using interpolation") and flagged; real GDP at prices of the first year from the GDP
index; capital by perpetual inventory at the paper's 10.96 % depreciation; software
and e-commerce revenue deflated by the CPI; industrial upgrading = tertiary /
secondary value added; high-tech agglomeration = location quotient of high-tech
employment; producer-service specialisation (Ezcurra et al.) and diversification
(inverse Herfindahl) from the employment of five producer-service industries.

Run on the embedded SYNTHETIC demo yearbook::

    python recipes/nqpf_gtfp_provinces.py --output maps/nqpf_gtfp_provinces

or on your own yearbook-shaped provincial panel with the columns of
``spatialgreen.datasets.province_yearbook()`` listed in ``RAW`` (names or adcodes
in ``--unit``)::

    python recipes/nqpf_gtfp_provinces.py --data provinces.xlsx --unit 省份 --time 年份
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import spatialgreen as sg
from spatialgreen import (
    datasets,
    econometrics,
    efficiency,
    figures,
    maps,
    prepare,
    spatial,
)
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
# the controls in the order the paper's Table 3 adds them: gov, ent, fdi, env
CONTROLS = [
    "government_spending",
    "enterprise_innovation",
    "fdi",
    "environmental_regulation",
]
MODERATORS = {
    "hightech_agglomeration": "high-tech agglomeration (high)",
    "service_specialization": "specialised producer services (prof)",
    "service_diversification": "diversified producer services (mul)",
}
YEARS = (2010, 2019)
DELTA = 0.1096  # the paper's depreciation rate
SERVICES = [  # the five producer-service industries (employment)
    "emp_transport",
    "emp_information",
    "emp_finance",
    "emp_business",
    "emp_research",
]
#: yearbook columns the study needs (gaps are filled by linear interpolation)
RAW = [
    *[c for c in NQPF if c != "it_employment_share"],
    "labor",
    "water",
    "electricity",
    *BADS,
    "gdp_nominal",
    "gdp_index",
    "investment",
    "investment_price_index",
    "cpi",
    "va_secondary",
    "va_tertiary",
    "emp_urban",
    *SERVICES,
    "emp_industry",
    "emp_hightech",
    *CONTROLS,
]


def load_data(path: str | None, *, unit: str, time: str) -> pd.DataFrame:
    """The yearbook of the demo provinces (or the user's file) with adcodes."""
    if path is None:
        return datasets.province_yearbook()
    raw = sg.read_panel(path, unit=unit, time=time)
    raw["adcode"] = sg.match_units(raw[unit].tolist(), level="province")
    return raw.rename(columns={time: "year"})


def prepare_panel(
    raw: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Yearbook → the study's panel (2010–2019, with regions) with
    ``spatialgreen.prepare``; also the cells filled and the base-year stocks.

    Shares, location quotients and specialisation are computed over every
    province of the yearbook before the years are cut.
    """
    keys = {"unit": "adcode", "time": "year"}
    base = int(raw["year"].min())
    filled = prepare.impute(raw, RAW, method="linear", **keys)  # flagged, warns
    panel = filled.data
    panel["gdp"] = prepare.real_gdp(
        panel, "gdp_nominal", "gdp_index", base_year=base, **keys
    )
    stock = prepare.capital_stock(
        panel,
        "investment",
        "investment_price_index",
        delta=DELTA,
        price_kind="previous-year",
        price_base_year=base,
        **keys,
    )
    panel["capital"] = stock.column(panel, **keys)
    for money in ("software_revenue", "ecommerce_sales"):
        panel[money] = prepare.deflate(
            panel, money, "cpi", index_kind="previous-year", base_year=base, **keys
        )
    panel["it_employment_share"] = 100 * panel["emp_information"] / panel["emp_urban"]
    panel["industrial_upgrading"] = prepare.structure_ratio(
        panel, "va_secondary", "va_tertiary", **keys
    )
    panel["hightech_agglomeration"] = prepare.location_quotient(
        panel, "emp_hightech", "emp_industry", **keys
    )
    panel["service_specialization"] = prepare.specialisation_index(
        panel, SERVICES, **keys
    )
    panel["service_diversification"] = prepare.diversification_index(
        panel, SERVICES, **keys
    )
    unused = [f"{c}_imputed" for c in RAW if not panel[f"{c}_imputed"].any()]
    panel = panel.drop(columns=unused)
    panel = panel[panel["year"].between(*YEARS)]
    regions = sg.load_boundaries("province")[["adcode", "region3"]]
    panel = panel.drop(columns=["region3"], errors="ignore").merge(regions, on="adcode")
    return panel, filled.report, stock.base


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
    panel, filled, capital_base = prepare_panel(load_data(data, unit=unit, time=time))
    keys = {"unit": "adcode", "time": "year"}
    reps = 100 if quick else 1000
    base = int(capital_base["year"].min())
    flags = [c for c in panel.columns if c.endswith("_imputed")]
    prepared = [
        *NQPF,
        *INPUTS,
        *OUTPUTS,
        *BADS,
        "industrial_upgrading",
        *MODERATORS,
        *CONTROLS,
    ]
    report.table(
        panel[["adcode", "year", "region3", *prepared, *flags]],
        "prepared_panel",
        f"The panel the models take, prepared from the yearbook: real GDP and "
        f"revenues at {base} prices, capital by perpetual inventory (δ = "
        f"{DELTA:.2%}), structure and agglomeration indices, flags of filled cells",
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
    # the baseline adds the controls one at a time, as the paper's Table 3 does
    baseline = {}
    for k in range(len(CONTROLS) + 1):
        label = "no controls" if k == 0 else f"+ {CONTROLS[k - 1]}"
        baseline[f"({k + 1}) {label}"] = econometrics.fixed_effects(
            panel,
            y="gtfp_ebm",
            x="nqpf",
            controls=CONTROLS[:k],
            **keys,
            cluster="adcode",
        )
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
        label: econometrics.moderation(panel, y="gtfp_ebm", x="nqpf", moderator=m, **fe)
        for m, label in MODERATORS.items()
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
        lambda: figures.placebo_distribution(placebo),
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

    # every province is drawn (those without data, e.g. Xizang, as "no data")
    geo = sg.join_units(panel, unit="adcode", level="province", time="year")
    report.map(
        maps.choropleth(
            geo, "gtfp_ebm", time="year", title="Cumulative GTFP (super-EBM–GML)"
        ),
        "map_gtfp",
        "Cumulative super-EBM–GML GTFP by province (year slider)",
    )
    # the papers' two-period panels: the first and the last year
    years = [geo["year"].min(), geo["year"].max()]
    report.static_map(
        lambda: maps.static(
            geo,
            "gtfp_ebm",
            time="year",
            year=years,
            title="Cumulative GTFP (super-EBM–GML)",
        ),
        "map_gtfp",
        "Cumulative super-EBM–GML GTFP by province, first and last year",
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
    report.static_map(
        lambda: maps.static(
            geo,
            "nqpf",
            time="year",
            year=years,
            palette="Blues",
            title="New quality productive forces index",
        ),
        "map_nqpf",
        "NQPF index (PCA) by province, first and last year",
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
