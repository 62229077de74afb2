"""Recipe 4 — industrial eco-efficiency of resource-based cities.

Follows the design of the study of regenerative resource-based cities
(``shared/studies/003``): industrial eco-efficiency by super-SBM with undesirable
outputs; Malmquist TFP change decomposed into technical change, pure efficiency
change and scale efficiency change; heterogeneity by location (NBS four regions), city
size (国发〔2014〕51号 classes of the urban-district population) and resource type;
the Dagum Gini decomposition of eco-efficiency across regions; LISA clusters and maps.

**Which cities.** The cities, their stage and resource type come from the national
list of resource-based cities (国发〔2013〕45号, annex). spatialgreen does not ship
that list (it could not be verified name by name here): fill the template
``spatialgreen.geo.list_template("resource_cities")`` from the plan and pass it with
``--resource-cities FILE`` (read by :func:`spatialgreen.geo.resource_cities`;
``--stage`` picks the stage, ``regenerative`` by default as in the study). Without
it the recipe runs on the demo's placeholder list — the 16 regenerative cities named
in the demo generator, with SYNTHETIC placeholder resource types — and every table
says that its stages and resource types are placeholders.

The study starts from city yearbooks (:func:`prepare_panel`, ``spatialgreen.
prepare``): industrial value added at current prices carried to constant prices of
the first year with its volume index (上年=100); capital by perpetual inventory from
fixed-asset investment and the province's investment price index (δ = 9.6 %); gaps
filled by linear interpolation within each city and flagged.

Run on the embedded SYNTHETIC demo yearbook (placeholder list)::

    python recipes/resource_city_ecoefficiency.py --output maps/resource_cities

with the official list you filled::

    python recipes/resource_city_ecoefficiency.py --resource-cities my_list.csv

or on your own yearbook-shaped city panel (the columns of
``spatialgreen.datasets.city_yearbook()`` listed in ``RAW``)::

    python recipes/resource_city_ecoefficiency.py --data my_cities.csv --unit city \\
        --time year --resource-cities my_list.csv --stage all \\
        --inputs labor,capital,energy,water --outputs industrial_va \\
        --bad-outputs so2,wastewater,dust --group resource_type
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

import spatialgreen as sg
from spatialgreen import (
    convergence,
    datasets,
    efficiency,
    figures,
    maps,
    prepare,
    spatial,
)
from spatialgreen.report import Report, recipe_parser, run_recipe

TITLE = "4 · Resource-based cities: eco-efficiency, Malmquist, Dagum Gini, LISA"
INPUTS = ("labor", "capital", "energy", "water")
OUTPUTS = ("industrial_va",)
BADS = ("so2", "wastewater", "dust")
STAGES = ("growing", "mature", "declining", "regenerative", "all")
DELTA = 0.096  # depreciation rate of Zhang, Wu & Zhang (2004)
#: yearbook columns the study needs (gaps are filled by linear interpolation)
RAW = [
    "labor",
    "energy",
    "water",
    "so2",
    "wastewater",
    "dust",
    "industrial_va_nominal",
    "industrial_va_index",
    "investment",
    "investment_price_index",
    "urban_population",
]
PLACEHOLDER = (
    "demo placeholder list: the stages and resource types are SYNTHETIC "
    "placeholders, not the plan's list (pass --resource-cities FILE)"
)


def city_list(path: str | None) -> tuple[pd.DataFrame, str]:
    """The resource-based cities (adcode, names, stage, resource_type) and a note
    saying where they come from: the user's copy of the official list, or the
    demo's placeholders."""
    if path is None:
        return datasets.resource_cities_demo(), PLACEHOLDER
    cities = sg.geo.resource_cities(path, strict=False)
    counts = cities["stage"].value_counts().to_dict()
    published = sg.geo.lists.RESOURCE_CITY_COUNTS["city"]
    if counts != published:
        warnings.warn(
            f"the resource-city list {path} has {counts} cities by stage; the plan "
            f"lists {published} prefecture-level units",
            stacklevel=2,
        )
    return cities, f"list {Path(path).name} (国发〔2013〕45号, as filled by the user)"


def load_data(path: str | None, *, unit: str, time: str) -> pd.DataFrame:
    """The city yearbook: the demo's, or the user's file with adcodes attached."""
    if path is None:
        return datasets.city_yearbook()
    raw = sg.read_panel(path, unit=unit, time=time)
    raw["adcode"] = sg.match_units(raw[unit].tolist(), level="city")
    return raw.rename(columns={time: "year"})


def prepare_panel(
    raw: pd.DataFrame, cities: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The listed cities' yearbook rows → the study's panel (``spatialgreen.prepare``).

    Adds ``industrial_va`` (constant prices of the first year), ``capital``,
    ``stage``, ``resource_type``, ``region4``, ``name_zh`` and ``size`` (the 2014
    class of the city's mean urban-district population; missing without
    ``urban_population``); returns it with the cells filled.
    """
    keys = {"unit": "adcode", "time": "year"}
    missing = sorted(set(cities["adcode"]) - set(raw["adcode"]))
    if missing:
        names = cities.set_index("adcode").loc[missing, "name_zh"].tolist()
        warnings.warn(
            f"{len(missing)} listed cities have no yearbook rows and are left out: "
            f"{', '.join(map(str, names))}",
            stacklevel=2,
        )
    raw = raw[raw["adcode"].isin(cities["adcode"])].reset_index(drop=True)
    base = int(raw["year"].min())
    columns = [c for c in RAW if c in raw]  # urban_population is optional
    filled = prepare.impute(raw, columns, method="linear", **keys)  # flagged, warns
    panel = filled.data
    panel["industrial_va"] = prepare.real_gdp(
        panel,
        "industrial_va_nominal",
        "industrial_va_index",
        base_year=base,
        **keys,
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
    unused = [f"{c}_imputed" for c in columns if not panel[f"{c}_imputed"].any()]
    panel = panel.drop(columns=unused)
    listed = cities[["adcode", "stage", "resource_type"]]
    regions = sg.load_boundaries("city")[["adcode", "region4", "name_zh"]]
    drop = ["stage", "resource_type", "region4", "name_zh"]
    panel = panel.drop(columns=drop, errors="ignore").merge(listed, on="adcode")
    panel = panel.merge(regions, on="adcode", how="left")
    if "urban_population" in panel:
        mean = panel.groupby("adcode")["urban_population"].transform("mean")
        panel["size"] = sg.geo.city_size_class(mean, detail=False)
    else:
        panel["size"] = pd.NA
    return panel, filled.report


def run(
    output: str | Path,
    *,
    quick: bool = False,
    data: str | None = None,
    unit: str = "adcode",
    time: str = "year",
    inputs: tuple[str, ...] = INPUTS,
    outputs: tuple[str, ...] = OUTPUTS,
    bad_outputs: tuple[str, ...] = BADS,
    group: str = "resource_type",
    resource_cities: str | None = None,
    stage: str = "regenerative",
) -> Report:
    """Run the study and write its tables, figures and maps to ``output``.

    ``resource_cities`` is your copy of the official list (see the module
    docstring); ``stage`` selects its cities (``"all"``: every listed city).
    """
    if stage not in STAGES:
        raise sg.DataError(f"stage must be one of {', '.join(STAGES)}, got {stage!r}")
    report = Report(output, title=TITLE)
    cities, source = city_list(resource_cities)
    if stage != "all":
        cities = cities[cities["stage"] == stage]
        if cities.empty:
            raise sg.DataError(f"the resource-city list has no {stage} city")
    report.table(
        cities.assign(source=source),
        "resource_city_list",
        f"The resource-based cities studied ({stage}) — {source}",
    )
    panel, filled = prepare_panel(load_data(data, unit=unit, time=time), cities)
    base = int(panel["year"].min())
    if quick:
        panel = panel[panel["year"] >= 2015].reset_index(drop=True)
    flags = [c for c in panel.columns if c.endswith("_imputed")]
    labels = ["name_zh", "stage", "resource_type", "size"]
    model = [*inputs, *outputs, *bad_outputs]
    report.table(
        panel[["adcode", "year", *labels, *model, *flags]],
        "prepared_panel",
        f"The panel the models take, prepared from the yearbook: industrial value "
        f"added at {base} prices, capital by perpetual inventory (δ = {DELTA:.1%}), "
        "flags of filled cells",
    )
    if len(filled):
        report.table(
            filled,
            "prepare_filled",
            "Yearbook cells filled by linear interpolation within each city",
        )
    spec = {
        "inputs": list(inputs),
        "outputs": list(outputs),
        "unit": "adcode",
        "time": "year",
    }

    eff = efficiency.sbm(
        panel, **spec, bad_outputs=list(bad_outputs), rts="crs", super_efficiency=True
    )
    described = dict.fromkeys(["adcode", "year", "name_zh", "region4", "size", group])
    scores = eff.scores.merge(
        panel[list(described)],
        on=["adcode", "year"],
    )
    report.table(
        scores,
        "eco_efficiency",
        "Super-SBM industrial eco-efficiency with "
        f"undesirable outputs (CRS, contemporaneous frontier) — {source}",
    )
    report.table(
        eff.decomposition,
        "inefficiency_decomposition",
        "Share of each input, good and bad output in total inefficiency",
    )

    malm = efficiency.productivity_index(
        panel, model="dea", index="malmquist", **spec, orientation="input", rts="crs"
    )
    report.table(
        malm.index,
        "malmquist",
        "Malmquist TFP change = technical change × pure "
        "efficiency change × scale efficiency change",
    )
    mean_malm = (
        malm.index.groupby("year")[["index", "tc", "ec", "pech", "sech"]]
        .apply(lambda g: g.prod() ** (1 / len(g)))
        .reset_index()
    )
    report.table(
        mean_malm,
        "malmquist_by_year",
        "Geometric means of the Malmquist components by year",
    )

    dimensions = list(dict.fromkeys(("region4", "size", group)))
    hetero = pd.concat(
        [
            scores.groupby(["year", key])["score"]
            .mean()
            .rename("mean_score")
            .reset_index()
            .rename(columns={key: "group"})
            .assign(dimension=key)
            for key in dimensions
            if scores[key].notna().any()  # e.g. a list without resource types
        ]
    )
    report.table(
        hetero,
        "heterogeneity",
        f"Mean eco-efficiency by location, city size and resource type — {source}",
    )
    report.figure(
        lambda: figures.trend_by_group(
            scores,
            "score",
            time="year",
            group="region4",
            title="Eco-efficiency by region",
        ),
        "trend_by_region",
        "Mean eco-efficiency of resource-based cities by region",
    )
    report.figure(
        lambda: figures.kernel_density(scores, "score", time="year"),
        "kernel_density",
        "Kernel density of eco-efficiency in selected years",
    )

    gini = convergence.dagum_gini(scores, "score", group="region4", time="year")
    report.table(
        gini.to_frame(),
        "dagum_gini",
        "Dagum Gini decomposition across the four regions: "
        "within, net between, transvariation",
    )

    last_year = int(scores["year"].max())
    latest = scores[scores["year"] == last_year]
    w = sg.spatial_weights("city", kind="knn", k=4, ids=latest["adcode"].tolist())
    local = spatial.lisa(latest, "score", w=w, unit="adcode", permutations=999, seed=0)
    report.table(
        local,
        "lisa",
        f"Local Moran's I of eco-efficiency, {last_year} (k = 4 neighbours)",
    )

    # the study's cities, over the outlines of their provinces
    cities = sorted(panel["adcode"].unique())
    report.map(
        maps.choropleth(
            scores,
            "score",
            level="city",
            unit="adcode",
            time="year",
            study=cities,
            title="Industrial eco-efficiency",
            palette="YlGn",
        ),
        "map_eco_efficiency",
        "Super-SBM eco-efficiency of resource-based cities (year slider)",
    )
    first_year = int(scores["year"].min())
    report.static_map(
        lambda: maps.static(
            scores,
            "score",
            level="city",
            unit="adcode",
            time="year",
            year=[first_year, last_year],
            study=cities,
            title="Industrial eco-efficiency",
        ),
        "map_eco_efficiency",
        f"Eco-efficiency of resource-based cities, {first_year} and {last_year}",
    )
    report.map(
        maps.lisa(
            local,
            level="city",
            unit="adcode",
            study=cities,
            title=f"LISA clusters of eco-efficiency, {last_year}",
        ),
        "map_lisa",
        f"LISA clusters of eco-efficiency, {last_year}",
    )
    report.static_map(
        lambda: maps.static(
            local,
            "cluster",
            kind="lisa",
            level="city",
            unit="adcode",
            study=cities,
            title=f"LISA clusters of eco-efficiency, {last_year}",
        ),
        "map_lisa",
        f"LISA clusters of eco-efficiency, {last_year} (static map)",
    )
    report.finish()
    return report


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = recipe_parser(
        __doc__.splitlines()[0],
        default_output="maps/resource_city_ecoefficiency",
        panel="city",
    )
    parser.add_argument("--inputs", default=",".join(INPUTS))
    parser.add_argument("--outputs", default=",".join(OUTPUTS))
    parser.add_argument("--bad-outputs", default=",".join(BADS))
    parser.add_argument("--group", default="resource_type", help="resource-type column")
    parser.add_argument(
        "--resource-cities",
        help="your copy of the national list of resource-based cities (the template "
        "of spatialgreen.geo.list_template('resource_cities'), filled from the "
        "plan); default: the demo's placeholder list",
    )
    parser.add_argument(
        "--stage",
        default="regenerative",
        choices=STAGES,
        help="cities of this stage of the list (default: regenerative, the study's)",
    )
    args = parser.parse_args(argv)
    run_recipe(
        run,
        args,
        inputs=tuple(args.inputs.split(",")),
        outputs=tuple(args.outputs.split(",")),
        bad_outputs=tuple(args.bad_outputs.split(",")),
        group=args.group,
        resource_cities=args.resource_cities,
        stage=args.stage,
    )


if __name__ == "__main__":
    main()
