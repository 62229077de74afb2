"""Recipe 3 — economic growth and green development in the 26 YRD cities.

Reproduces the design of the study of the 26 cities of the Yangtze River Delta urban
agglomeration, 2005–2016 (``shared/studies/004``): environmental productivity from a
composite pollution index rescaled to 50–100; Tapio decoupling between per-capita GDP
and environmental productivity (a *benefit* indicator) with 0.2-interval scores for
2005–2010, 2011–2016 and the whole period; coefficient-of-variation convergence of
both; Chenery development stages, a model city per stage and catch-up types A–D;
maps of the states and types.

The study starts from city yearbooks (:func:`prepare_panel`, ``spatialgreen.
prepare``): per-capita GDP at constant 2005 prices is nominal GDP of the first year
carried forward with the GDP index (上年=100, "converted to constant 2005 prices with
the growth index") over the resident population; missing pollutant cells are filled
by linear interpolation within each city (the study substitutes means; pass
``impute="unit-mean"`` to ``run`` for that) and flagged.

Run on the embedded SYNTHETIC demo yearbook::

    python recipes/yrd_decoupling_catchup.py --output maps/yrd_decoupling_catchup

or on your own yearbook-shaped city panel (``gdp_nominal``, ``gdp_index``,
``population`` and the pollutants; names or adcodes in ``--unit``), or on a panel
that already holds per-capita GDP at constant prices (``--gdp-per-capita``)::

    python recipes/yrd_decoupling_catchup.py --data my_cities.xlsx --unit 城市 \\
        --time 年份 --gdp-per-capita 人均GDP --pollutants 工业废水,SO2,烟粉尘
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import spatialgreen as sg
from spatialgreen import convergence, datasets, decoupling, figures, maps, prepare
from spatialgreen.report import Report, recipe_parser, run_recipe

TITLE = "3 · YRD 26 cities: decoupling, convergence and catch-up"
PERIODS = ["2005-2010", "2011-2016", "2005-2016"]


def load_data(path: str | None, *, unit: str, time: str) -> pd.DataFrame:
    """The demo yearbook of the 26 YRD cities, or the user's file with adcodes."""
    if path is None:
        raw = datasets.city_yearbook()
        yrd = sg.geo.study_units("yrd26", "city")
        return raw[raw["adcode"].isin(yrd)].reset_index(drop=True)
    raw = sg.read_panel(path, unit=unit, time=time)
    raw["adcode"] = sg.match_units(raw[unit].tolist(), level="city")
    return raw.rename(columns={time: "year"})


def prepare_panel(
    raw: pd.DataFrame,
    *,
    gdp_per_capita: str | None,
    pollutants: tuple[str, ...],
    impute: str = "linear",
) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Yearbook → the study's panel with ``spatialgreen.prepare``.

    Returns the panel (with ``<column>_imputed`` flags of filled columns), the
    cells filled and the name of the per-capita GDP column: ``gdp_per_capita``
    (yuan per person at prices of the first year, from ``gdp_nominal``,
    ``gdp_index`` and ``population``) unless the user names their own.
    """
    keys = {"unit": "adcode", "time": "year"}
    needed = [*pollutants]
    if gdp_per_capita is None:
        needed += ["gdp_nominal", "gdp_index", "population"]
    filled = prepare.impute(raw, needed, method=impute, **keys)  # flagged, warns
    panel = filled.data
    if gdp_per_capita is None:
        base = int(panel["year"].min())
        panel["gdp_real"] = prepare.real_gdp(
            panel, "gdp_nominal", "gdp_index", base_year=base, **keys
        )
        # 100 million yuan / 10,000 persons * 1e4 = yuan per person
        panel["gdp_per_capita"] = prepare.per_capita(
            panel, "gdp_real", "population", scale=1e4, **keys
        )
        gdp_per_capita = "gdp_per_capita"
    unused = [f"{c}_imputed" for c in needed if not panel[f"{c}_imputed"].any()]
    return panel.drop(columns=unused), filled.report, gdp_per_capita


def run(
    output: str | Path,
    *,
    quick: bool = False,
    data: str | None = None,
    unit: str = "adcode",
    time: str = "year",
    gdp_per_capita: str | None = None,
    pollutants: tuple[str, ...] = ("wastewater", "so2", "dust"),
    impute: str = "linear",
) -> Report:
    """Run the study and write its tables, figures and maps to ``output``.

    ``gdp_per_capita=None`` computes per-capita GDP at constant prices from the
    yearbook columns; ``impute`` is the method of ``spatialgreen.prepare.impute``
    for missing cells.
    """
    report = Report(output, title=TITLE)
    panel, filled, gdp_per_capita = prepare_panel(
        load_data(data, unit=unit, time=time),
        gdp_per_capita=gdp_per_capita,
        pollutants=pollutants,
        impute=impute,
    )
    if data is None:  # the study's years (after the gaps are filled)
        panel = panel[panel["year"].le(2016)].reset_index(drop=True)
    flags = [c for c in panel.columns if c.endswith("_imputed")]
    report.table(
        panel[["adcode", "year", gdp_per_capita, *pollutants, *flags]],
        "prepared_panel",
        "The panel the study takes, prepared from the yearbook: per-capita GDP at "
        f"constant {int(panel['year'].min())} prices, pollutants with flags of "
        "filled cells",
    )
    if len(filled):
        report.table(
            filled,
            "prepare_filled",
            f"Yearbook cells filled ({impute}) within each city",
        )

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
        # a benefit indicator: the same state colours as the map below
        lambda: figures.decoupling_states(
            states, state="state", by="period", indicator="benefit"
        ),
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
        lambda: figures.sigma_convergence(
            wide, time="year", columns=tuple(wide.columns[1:])
        ),
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

    cities = sorted(panel["adcode"].unique())

    def yrd(frame: pd.DataFrame) -> pd.DataFrame:
        """Every city of the study (those without a value as "no data")."""
        return sg.join_units(
            frame,
            unit="adcode",
            level="city",
            study=cities,
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
    # the study's two-period panel of decoupling states
    report.static_map(
        lambda: maps.static(
            states[states["period"].isin(PERIODS[:2])],
            "state",
            level="city",
            unit="adcode",
            time="period",
            study=cities,
            indicator="benefit",
            legend_title="Tapio state",
            title="Decoupling of environmental productivity",
        ),
        "map_decoupling_states",
        f"Tapio decoupling states of the YRD cities, {PERIODS[0]} and {PERIODS[1]}",
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
    report.static_map(
        lambda: maps.static(
            whole,
            "type",
            legend_title="Catch-up type",
            title="Catch-up types A–D, 2005–2016",
        ),
        "map_catch_up_types",
        "Catch-up types A–D of the YRD cities, 2005–2016 (static map)",
    )
    report.map(
        maps.choropleth(
            yrd(ep), "env_productivity", time="year", title="Environmental productivity"
        ),
        "map_env_productivity",
        "Environmental productivity by year (year slider)",
    )
    report.static_map(
        lambda: maps.static(
            yrd(ep),
            "env_productivity",
            time="year",
            year=[ep["year"].min(), ep["year"].max()],
            title="Environmental productivity",
        ),
        "map_env_productivity",
        "Environmental productivity of the YRD cities, first and last year",
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
    parser.add_argument(
        "--gdp-per-capita",
        default=None,
        help="your per-capita GDP column at constant prices (default: computed from "
        "gdp_nominal, gdp_index and population)",
    )
    parser.add_argument(
        "--impute",
        default="linear",
        choices=["linear", "unit-mean", "year-mean"],
        help="how missing cells are filled (flagged and listed)",
    )
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
        impute=args.impute,
    )


if __name__ == "__main__":
    main()
