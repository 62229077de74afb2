"""Recipe 3 — economic growth and green development in the 26 YRD cities.

Reproduces the design of the study of the 26 cities of the Yangtze River Delta urban
agglomeration, 2005–2016 (``shared/studies/004``): environmental productivity from a
composite pollution index rescaled to 50–100; Tapio decoupling between per-capita GDP
and environmental productivity (a *benefit* indicator) with 0.2-interval scores for
2005–2010, 2011–2016 and the whole period; coefficient-of-variation convergence of
both; Chenery development stages, a model city per stage and catch-up types A–D;
maps of the states and types.

Run on the embedded SYNTHETIC demo data::

    python recipes/yrd_decoupling_catchup.py --output maps/yrd_decoupling_catchup

or on your own city panel (names or adcodes in ``--unit``)::

    python recipes/yrd_decoupling_catchup.py --data my_cities.xlsx --unit 城市 \\
        --time 年份 --gdp-per-capita 人均GDP --pollutants 工业废水,SO2,烟粉尘
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import spatialgreen as sg
from spatialgreen import convergence, datasets, decoupling, figures, maps
from spatialgreen.report import Report, recipe_parser, run_recipe

TITLE = "3 · YRD 26 cities: decoupling, convergence and catch-up"
PERIODS = ["2005-2010", "2011-2016", "2005-2016"]


def load_data(path: str | None, *, unit: str, time: str) -> pd.DataFrame:
    """The demo YRD panel (2005–2016), or the user's file with adcodes attached."""
    if path is None:
        panel = datasets.city_panel()
        yrd = sg.geo.study_units("yrd26", "city")
        return panel[panel["adcode"].isin(yrd) & panel["year"].le(2016)].reset_index(
            drop=True
        )
    panel = sg.read_panel(path, unit=unit, time=time)
    panel["adcode"] = sg.match_units(panel[unit].tolist(), level="city")
    return panel.rename(columns={time: "year"})


def run(
    output: str | Path,
    *,
    quick: bool = False,
    data: str | None = None,
    unit: str = "adcode",
    time: str = "year",
    gdp_per_capita: str = "gdp_per_capita",
    pollutants: tuple[str, ...] = ("wastewater", "so2", "dust"),
) -> Report:
    """Run the study and write its tables, figures and maps to ``output``."""
    report = Report(output, title=TITLE)
    panel = load_data(data, unit=unit, time=time)

    ep = decoupling.environmental_productivity(
        panel,
        output=gdp_per_capita,
        pollutants=list(pollutants),
        unit="adcode",
        time="year",
        scale=(50, 100),
    )
    panel = panel.merge(
        ep[["adcode", "year", "pollution_index", "env_productivity"]],
        on=["adcode", "year"],
    )
    report.table(
        ep,
        "environmental_productivity",
        "Composite pollution index (50–100) and environmental productivity",
    )

    states = decoupling.tapio(
        panel,
        driver=gdp_per_capita,
        indicator="env_productivity",
        unit="adcode",
        time="year",
        kind="benefit",
        periods=PERIODS,
    )
    report.table(
        states,
        "tapio_periods",
        "Tapio decoupling of environmental productivity from per-capita GDP, "
        "with 0.2-interval scores",
    )
    yearly = decoupling.tapio(
        panel,
        driver=gdp_per_capita,
        indicator="env_productivity",
        unit="adcode",
        time="year",
        kind="benefit",
    )
    report.table(yearly, "tapio_yearly", "Year-on-year decoupling states")
    report.figure(
        figures.decoupling_states(states, state="state", by="period"),
        "decoupling_states",
        "Number of cities in each decoupling state by period",
    )

    cv = pd.concat(
        [
            convergence.sigma(panel, gdp_per_capita, time="year").assign(
                variable="per-capita GDP"
            ),
            convergence.sigma(panel, "env_productivity", time="year").assign(
                variable="environmental productivity"
            ),
        ]
    )
    report.table(
        cv,
        "sigma_convergence",
        "Coefficient of variation of per-capita GDP and environmental productivity",
    )
    wide = cv.pivot(index="year", columns="variable", values="cv").reset_index()
    report.figure(
        figures.sigma_convergence(wide, time="year", columns=tuple(wide.columns[1:])),
        "sigma_convergence",
        "σ-convergence: CV by year",
    )

    stages = decoupling.chenery_stages()
    report.table(stages, "chenery_stages", "Chenery stages in 2005 yuan per person")
    catch = decoupling.catch_up(
        panel,
        driver=gdp_per_capita,
        indicator="env_productivity",
        unit="adcode",
        time="year",
        kind="benefit",
        periods=PERIODS,
    )
    report.table(
        catch,
        "catch_up",
        "Catch-up index and type (A–D) towards each stage's model city",
    )

    def yrd(frame: pd.DataFrame) -> pd.DataFrame:  # the 26 cities' polygons only
        return sg.join_units(
            frame,
            unit="adcode",
            level="city",
            how="inner",
            time="year" if "year" in frame else None,
        )

    last = yrd(states[states["period"] == "2005-2016"])
    report.map(
        maps.categorical(
            last,
            "state",
            indicator="benefit",
            legend_title="Tapio state",
            title="Decoupling of environmental productivity, 2005–2016",
        ),
        "map_decoupling_states",
        "Tapio decoupling states of the 26 YRD cities, 2005–2016",
    )
    whole = yrd(catch[catch["period"] == "2005-2016"])
    report.map(
        maps.categorical(
            whole,
            "type",
            legend_title="Catch-up type",
            title="Catch-up types A–D, 2005–2016",
        ),
        "map_catch_up_types",
        "Catch-up types towards the model city of each stage",
    )
    report.map(
        maps.choropleth(
            yrd(ep), "env_productivity", time="year", title="Environmental productivity"
        ),
        "map_env_productivity",
        "Environmental productivity by year (year slider)",
    )
    report.finish()
    return report


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = recipe_parser(
        __doc__.splitlines()[0],
        default_output="maps/yrd_decoupling_catchup",
        panel="city",
    )
    parser.add_argument("--gdp-per-capita", default="gdp_per_capita")
    parser.add_argument(
        "--pollutants",
        default="wastewater,so2,dust",
        help="comma-separated pollutant columns",
    )
    args = parser.parse_args(argv)
    run_recipe(
        run,
        args,
        gdp_per_capita=args.gdp_per_capita,
        pollutants=tuple(args.pollutants.split(",")),
    )


if __name__ == "__main__":
    main()
