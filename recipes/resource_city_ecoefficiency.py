"""Recipe 4 — industrial eco-efficiency of resource-based cities.

Follows the design of the study of regenerative resource-based cities
(``shared/studies/003``): industrial eco-efficiency by super-SBM with undesirable
outputs; Malmquist TFP change decomposed into technical change, pure efficiency
change and scale efficiency change; heterogeneity by location (NBS four regions), city
size and resource type; the Dagum Gini decomposition of eco-efficiency across regions;
LISA clusters and maps.

Run on the embedded SYNTHETIC demo data (all resource-based cities of the demo panel)::

    python recipes/resource_city_ecoefficiency.py --output maps/resource_cities

or on your own city panel::

    python recipes/resource_city_ecoefficiency.py --data my_cities.csv --unit city \\
        --time year --inputs labor,capital,energy,water --outputs industrial_va \\
        --bad-outputs so2,wastewater,dust --group resource_kind
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import spatialgreen as sg
from spatialgreen import convergence, datasets, efficiency, figures, maps, spatial
from spatialgreen.report import Report, recipe_parser, run_recipe

TITLE = "4 · Resource-based cities: eco-efficiency, Malmquist, Dagum Gini, LISA"
INPUTS = ("labor", "capital", "energy", "water")
OUTPUTS = ("industrial_va",)
BADS = ("so2", "wastewater", "dust")


def city_size(population: pd.Series) -> pd.Series:
    """Size classes from population in 10,000 persons (large ≥ 500, medium ≥ 200)."""
    return pd.cut(
        population,
        [0, 200, 500, float("inf")],
        right=False,
        labels=["small", "medium", "large"],
    ).astype(str)


def load_data(path: str | None, *, unit: str, time: str, quick: bool) -> pd.DataFrame:
    """Resource-based cities of the demo panel (or the user's file), with groupings."""
    if path is None:
        panel = datasets.city_panel()
        panel = panel[panel["resource_based"]]
        if quick:
            panel = panel[panel["year"] >= 2015]
    else:
        panel = sg.read_panel(path, unit=unit, time=time)
        panel["adcode"] = sg.match_units(panel[unit].tolist(), level="city")
        panel = panel.rename(columns={time: "year"})
    regions = sg.load_boundaries("city")[["adcode", "region4", "name_zh"]]
    panel = panel.drop(columns=["region4", "name_zh"], errors="ignore")
    panel = panel.merge(regions, on="adcode", how="left")
    size = (
        panel.groupby("adcode")["population"].transform("mean")
        if "population" in panel
        else pd.Series(float("nan"), index=panel.index)
    )
    panel["size"] = city_size(size)
    return panel.reset_index(drop=True)


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
    group: str = "resource_kind",
) -> Report:
    """Run the study and write its tables, figures and maps to ``output``."""
    report = Report(output, title=TITLE)
    panel = load_data(data, unit=unit, time=time, quick=quick)
    spec = {
        "inputs": list(inputs),
        "outputs": list(outputs),
        "unit": "adcode",
        "time": "year",
    }

    eff = efficiency.sbm(
        panel, **spec, bad_outputs=list(bad_outputs), rts="crs", super_efficiency=True
    )
    scores = eff.scores.merge(
        panel[["adcode", "year", "name_zh", "region4", "size", group]],
        on=["adcode", "year"],
    )
    report.table(
        scores,
        "eco_efficiency",
        "Super-SBM industrial eco-efficiency with "
        "undesirable outputs (CRS, contemporaneous frontier)",
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

    hetero = pd.concat(
        [
            scores.groupby(["year", key])["score"]
            .mean()
            .rename("mean_score")
            .reset_index()
            .rename(columns={key: "group"})
            .assign(dimension=key)
            for key in ("region4", "size", group)
        ]
    )
    report.table(
        hetero,
        "heterogeneity",
        "Mean eco-efficiency by location, city size and resource type",
    )
    report.figure(
        figures.trend_by_group(
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
        figures.kernel_density(scores, "score", time="year"),
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

    geo = sg.join_units(scores, unit="adcode", level="city", time="year", how="inner")
    report.map(
        maps.choropleth(
            geo, "score", time="year", title="Industrial eco-efficiency", palette="YlGn"
        ),
        "map_eco_efficiency",
        "Super-SBM eco-efficiency of resource-based cities (year slider)",
    )
    lisa_geo = sg.join_units(local, unit="adcode", level="city", how="inner")
    report.map(
        maps.lisa(lisa_geo, title=f"LISA clusters of eco-efficiency, {last_year}"),
        "map_lisa",
        f"LISA clusters of eco-efficiency, {last_year}",
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
    parser.add_argument("--group", default="resource_kind", help="resource-type column")
    args = parser.parse_args(argv)
    run_recipe(
        run,
        args,
        inputs=tuple(args.inputs.split(",")),
        outputs=tuple(args.outputs.split(",")),
        bad_outputs=tuple(args.bad_outputs.split(",")),
        group=args.group,
    )


if __name__ == "__main__":
    main()
