"""Web maps of every spatial result: choropleths, categories, LISA, flows, points.

Every renderer takes a GeoDataFrame (or a tidy result plus ``level=``, joined to the
shipped polygons through :func:`spatialgreen.join_units`) and returns a
:class:`folium.Map` the user can keep editing; :func:`save` writes it as one
self-contained HTML file that works without internet.

Design choices (see ``shared/reference/ecosystem.md`` §a):

- Colours come from the mapclassify class index ``yb`` looked up in a palette list,
  never from a branca step colormap or ``Choropleth(bins=)``, which are left-closed
  and put a unit lying exactly on a break into the class above.
- The legend is plain HTML with mapclassify's interval labels; units with missing
  values are drawn white with a dashed outline and listed there.
- A map of China never drops territory: provinces are completed to all 34 units
  (Xizang, Taiwan, Hong Kong and Macao included) unless ``study=`` narrows the map,
  units without data drawn as "no data"; city maps get their provinces' outlines.
- With ``time=`` a panel becomes one map with a year slider: each polygon is written
  once and carries its class per year, so a 30-province × 18-year map stays small.
  Breaks are pooled over all years so that colours compare across years.
- Tooltips show the Chinese and English names (``name_zh``, ``name_en``) and the
  values; every user string is HTML-escaped in Python.
- No tiles by default (a plain background); ``tiles="osm"`` or ``tiles="amap"``
  (AMap tiles use GCJ-02, so the geometry is shifted to GCJ-02 to match them).

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> gdf = gpd.GeoDataFrame({"adcode": [1, 2, 3], "name_zh": ["甲", "乙", "丙"],
...                         "gtfp": [0.8, 1.0, 1.2]},
...                        geometry=[box(100, 30, 101, 31), box(101, 30, 102, 31),
...                                  box(102, 30, 103, 31)], crs=4326)
>>> m = choropleth(gdf, "gtfp", scheme="equal_interval", k=3)
>>> type(m).__name__
'Map'
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from numbers import Real
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

from ..errors import DataError, OptionError, check_int
from ._render import (
    as_geoframe,
    finish,
    fmt_value,
    interval_label,
    missing_note,
    polygons,
    require,
)
from .palettes import LISA_COLORS, NO_DATA_COLOR, category_colors, ramp, tapio_colors

if TYPE_CHECKING:
    import folium

__all__ = ["categorical", "choropleth", "draw", "lisa"]


def choropleth(
    data: Any,
    column: str,
    *,
    level: str | None = None,
    study: Any = None,
    scheme: str = "fisher_jenks",
    k: int = 5,
    bins: Sequence[float] | None = None,
    palette: str | Sequence[str] = "YlGn",
    unit: str | None = None,
    time: str | None = None,
    year: Any = None,
    title: str | None = None,
    legend_title: str | None = None,
    fmt: str = "{:.2f}",
    names: Sequence[str] = ("name_zh", "name_en"),
    tooltip: Sequence[str] = (),
    tiles: str | None = None,
    m: folium.Map | None = None,
    precision: int = 3,
) -> folium.Map:
    """Classified choropleth of a numeric column (one layer, or a year slider).

    Parameters
    ----------
    data : GeoDataFrame or DataFrame
        Polygons with the values, or a tidy table joined to the shipped polygons of
        ``level`` through :func:`spatialgreen.join_units`.
    column : str
        Numeric column to map.
    level : {"province", "city", "county"}, optional
        Needed when ``data`` has no geometry: every polygon of the level is drawn
        (units without data white, dashed) unless ``study`` narrows them. A
        GeoDataFrame of shipped units (an ``adcode`` column of shipped adcodes,
        its level taken from ``level``, else inferred) is completed the same way
        for provinces: a national map always shows all 34 provincial units.
        City and county maps also draw their provinces' outlines (layer
        "provinces").
    study : str or list, optional
        A study set of :func:`spatialgreen.load_boundaries` (``"gtfp30"``,
        ``"yrd26"``, ``"yreb"``, ...) or a list of units: the polygons drawn
        (units of the data outside it are an error).
    scheme : str
        A :func:`mapclassify.classify` scheme: ``"fisher_jenks"`` (default),
        ``"quantiles"``, ``"equal_interval"``, ``"natural_breaks"``, ``"box_plot"``,
        ``"user_defined"`` (with ``bins``), ...
    k : int
        Number of classes, an integer >= 1 (capped at the number of distinct values).
    bins : sequence of float, optional
        Upper bounds for ``scheme="user_defined"`` (passing ``bins`` implies it):
        numbers, strictly increasing, none missing (``inf`` allowed).
    palette : str or list of colours
        A ColorBrewer ramp name (``"YlGn"``, ``"Greens"``, ``"YlOrRd"``, ``"Blues"``,
        ``"RdYlGn"``) or one colour per class.
    unit : str, optional
        Unit key column (default: ``adcode`` if present, else the index).
    time : str, optional
        Period column of a panel: one map with a year slider; breaks pooled over
        all years so that colours compare across years.
    year : optional
        The period shown first (default: the latest).
    title, legend_title : str, optional
        Map title; legend heading (default: ``column``).
    fmt : str
        Number format of legend intervals and tooltip values.
    names : sequence of str
        Name columns shown in the tooltip header, when present.
    tooltip : sequence of str
        Extra columns shown in the tooltip.
    tiles : {None, "osm", "amap"}
        Background tiles (default none: a plain background that works offline).
    m : folium.Map, optional
        Add to this map instead of a new one.
    precision : int
        Decimals kept in coordinates (3 ≈ 100 m).

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> gdf = gpd.GeoDataFrame({"v": [1.0, 2.0, 3.0, None]},
    ...     geometry=[box(i, 0, i + 1, 1) for i in range(100, 104)], crs=4326)
    >>> m = choropleth(gdf, "v", bins=[1.5, 3.0], title="示例")
    >>> "no data: 3" in m.get_root().render()
    True
    """
    frame = as_geoframe(data, level=level, unit=unit, time=time, study=study)
    require(frame, [column, *tooltip])
    values = _numeric(frame, column)
    classifier = _classify(values.dropna(), column, scheme=scheme, k=k, bins=bins)
    classes = pd.Series(np.nan, index=frame.index)
    classes[values.dropna().index] = classifier.yb
    colours = ramp(palette, len(classifier.bins))
    labels = _tooltip_rows(frame, [(column, fmt), *((c, "{:.3g}") for c in tooltip)])
    intervals = [interval_label(text) for text in classifier.get_legend_classes(fmt)]
    if time is None:
        intervals = [
            f"{t} ({n})" for t, n in zip(intervals, classifier.counts, strict=True)
        ]
    pooled = None
    if time is not None:
        span = [fmt_value(v, "{:g}") for v in (frame[time].min(), frame[time].max())]
        pooled = f"breaks pooled over {span[0]}–{span[1]}"
    scheme_name = getattr(classifier, "name", scheme)
    return _classed_map(
        frame,
        classes=classes,
        labels=labels,
        palette=colours,
        entries=list(zip(colours, intervals, strict=True)),
        missing=values.isna(),
        layer_name=legend_title or column,
        heading=f"{legend_title or column} ({scheme_name})",
        note=pooled,
        view=_View(time, year, names, tiles, m, precision, title),
    )


class _View(NamedTuple):
    """How polygons are drawn, whatever their classes: the renderers' shared options."""

    time: str | None
    year: Any
    names: Sequence[str]
    tiles: str | None
    m: folium.Map | None
    precision: int
    title: str | None

    def drawing(self) -> dict[str, Any]:
        """The options :func:`._render.polygons` takes: all but the title."""
        options = self._asdict()
        del options["title"]
        return options


def _classed_map(
    frame: pd.DataFrame,
    *,
    classes: pd.Series,
    labels: pd.Series,
    palette: Sequence[str],
    entries: list[tuple[str, str]],
    missing: pd.Series,
    layer_name: str,
    heading: str,
    view: _View,
    note: str | None = None,
) -> folium.Map:
    """Draw the classed polygons, then a legend of ``entries`` (+ "no data")."""
    from ._controls import legend_html

    fmap = polygons(
        frame,
        layer_name=layer_name,
        classes=classes,
        labels=labels,
        palette=palette,
        **view.drawing(),
    )
    if missing.any():
        entries = [*entries, (NO_DATA_COLOR, "no data")]
    absent = missing_note(frame, missing, view.names, view.time)
    if absent is not None:
        note = absent if note is None else f"{note}; {absent}"
    legend = legend_html(heading, entries, note=note)
    return finish(fmap, title=view.title, legend=legend)


def _numeric(frame: pd.DataFrame, column: str) -> pd.Series:
    """The column as floats; text raises (naming units), infinities become missing."""
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = frame[column].notna() & values.isna()
    if bad.any():
        units = frame.loc[bad, "_sg_key"].tolist()[:5]
        raise DataError(f"column {column!r} is not numeric for units {units}")
    values = values.where(np.isfinite(values))
    if values.isna().all():
        raise DataError(f"column {column!r} has no finite values to map")
    return values


def _classify(
    observed: pd.Series, column: str, *, scheme: str, k: int, bins: Any
) -> Any:
    """A mapclassify classifier; ``k`` is capped at the number of distinct values
    (web and static maps: mapclassify misclassifies silently with ``k=True``)."""
    import mapclassify

    k = check_int(k, "k", minimum=1)
    if bins is not None:
        scheme = "user_defined"
        edges = _bin_edges(bins)
        if edges.ndim != 1 or edges.size == 0 or (np.diff(edges) <= 0).any():
            # mapclassify accepts unsorted bins and then misclassifies silently
            raise DataError(
                f"bins for {column!r} must be strictly increasing upper bounds, "
                f"got {edges.tolist()}"
            )
    try:
        with warnings.catch_warnings():
            # mapclassify's note that Fisher-Jenks runs without numba: the breaks
            # are the same, only slower; nothing the user can act on
            warnings.filterwarnings("ignore", "Numba not installed", UserWarning)
            classifier = mapclassify.classify(
                observed.to_numpy(),
                scheme,
                k=min(k, observed.nunique()),
                bins=None if bins is None else edges,
            )
    except (ValueError, TypeError, KeyError) as exc:
        raise DataError(
            f"cannot classify {column!r} with scheme {scheme!r}: {exc}"
        ) from exc
    if (np.diff(classifier.bins) <= 0).any():
        # Fisher-Jenks on values a few ulps apart returns unordered breaks and
        # class counts that do not match them: refuse rather than mis-colour
        raise DataError(
            f"scheme {scheme!r} found no ordered class breaks for {column!r} "
            f"(breaks {list(classifier.bins)}); use another scheme or bins="
        )
    return classifier


def _bin_edges(bins: Any) -> np.ndarray:
    """``bins`` as floats; text, booleans or missing values are an OptionError."""
    text = isinstance(bins, str | bytes)
    items = list(bins) if np.iterable(bins) and not text else [bins]
    numeric = all(isinstance(b, Real) and not isinstance(b, bool) for b in items)
    edges = np.asarray(items, dtype=float) if numeric else np.array([np.nan])
    if np.isnan(edges).any():  # NaN bins put every value in one class silently
        raise OptionError(f"bins={bins!r}: must be numbers (class upper bounds)")
    return edges


def _tooltip_rows(frame: pd.DataFrame, columns: Sequence[tuple[str, str]]) -> pd.Series:
    """Per row, the (label, formatted value) pairs its tooltip shows."""
    return pd.Series(
        [
            [(c, fmt_value(frame.at[i, c], fmt)) for c, fmt in columns]
            for i in frame.index
        ],
        index=frame.index,
    )


def categorical(
    data: Any,
    column: str,
    *,
    level: str | None = None,
    study: Any = None,
    categories: Sequence[str] | None = None,
    palette: Mapping[str, str] | None = None,
    indicator: str = "pressure",
    unit: str | None = None,
    time: str | None = None,
    year: Any = None,
    title: str | None = None,
    legend_title: str | None = None,
    names: Sequence[str] = ("name_zh", "name_en"),
    tooltip: Sequence[str] = (),
    precision: int = 3,
    tiles: str | None = None,
    m: folium.Map | None = None,
) -> folium.Map:
    """Map of a categorical column with fixed, meaningful colours.

    Known vocabularies get fixed colours: Tapio decoupling states (English lower
    case or Chinese, best dark green to worst dark red; ``indicator="benefit"``
    flips which states are better, as for environmental productivity), catch-up
    types ``"A"``-``"D"`` and LISA clusters ``"HH"``, ``"LL"``, ``"HL"``, ``"LH"``,
    ``"ns"``, and the regions of the shipped groupings (``east``, ``central``,
    ``west``, ``northeast``). Other categories get a qualitative palette in sorted
    order (the colours :mod:`spatialgreen.figures` gives them too), or pass
    ``palette``.

    Parameters
    ----------
    data, column, level, study, unit, time, year, title, names, tooltip, tiles, m
        As in :func:`choropleth`.
    precision : int
        As in :func:`choropleth`.
    categories : sequence of str, optional
        Legend order (default: the vocabulary's order, else sorted).
    palette : mapping, optional
        Colour of each category, overriding the defaults.
    indicator : {"pressure", "benefit"}
        Reading of Tapio states (see above).
    legend_title : str, optional
        Legend heading (default: ``column``).

    Returns
    -------
    folium.Map
        One layer, or one with a year slider when ``time`` is given.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> cells = [box(100, 30, 101, 31), box(101, 30, 102, 31)]
    >>> gdf = gpd.GeoDataFrame({"type": ["A", "D"]}, geometry=cells, crs=4326)
    >>> "#d73027" in categorical(gdf, "type").get_root().render()
    True
    """
    frame = as_geoframe(data, level=level, unit=unit, time=time, study=study)
    require(frame, [column, *tooltip])
    raw = frame[column]
    text = raw.astype(object).where(raw.notna()).map(str, na_action="ignore")
    present = list(pd.unique(text.dropna()))
    if not present:
        raise DataError(f"column {column!r} has no categories to map")
    order = _category_order(present, categories, column)
    colors = _category_palette(order, palette, indicator)
    index = {cat: i for i, cat in enumerate(order)}
    classes = text.map(index)
    labels = _tooltip_rows(
        frame.assign(**{column: text}),
        [(column, "{}"), *((c, "{:.3g}") for c in tooltip)],
    )
    counts = text.value_counts()
    return _classed_map(
        frame,
        classes=classes,
        labels=labels,
        palette=[colors[c] for c in order],
        entries=[
            (colors[c], c if time is not None else f"{c} ({int(counts.get(c, 0))})")
            for c in order
        ],
        missing=text.isna(),
        layer_name=legend_title or column,
        heading=legend_title or column,
        view=_View(time, year, names, tiles, m, precision, title),
    )


def _category_order(
    present: Sequence[str], categories: Sequence[str] | None, column: str
) -> list[str]:
    from .palettes import CATCHUP_COLORS, REGION_COLORS, TAPIO_STATES, TAPIO_ZH

    if categories is not None:
        order = [str(c) for c in categories]
        unknown = [c for c in present if c not in order]
        if unknown:
            raise DataError(
                f"column {column!r} has categories {unknown} not in {order}"
            )
        return order
    for vocabulary in (
        list(LISA_COLORS),
        list(CATCHUP_COLORS),
        [*TAPIO_STATES, *TAPIO_ZH.values()],
        list(REGION_COLORS),
    ):
        if all(c in vocabulary for c in present):
            return [c for c in vocabulary if c in present]
    return sorted(present)


def _category_palette(
    order: Sequence[str], palette: Mapping[str, str] | None, indicator: str
) -> dict[str, str]:
    tapio = tapio_colors(indicator)
    if palette is None and all(c in tapio for c in order):
        return {c: tapio[c] for c in order}
    return category_colors(order, palette)


def lisa(
    data: Any,
    *,
    cluster: str = "cluster",
    quadrant: str | None = None,
    p: str | None = None,
    alpha: float = 0.05,
    title: str | None = None,
    legend_title: str = "LISA cluster",
    **kwargs: Any,
) -> folium.Map:
    """LISA cluster map: HH, LL, HL, LH in the GeoDa colours, non-significant grey.

    Either a ``cluster`` column already holding ``"HH"``/``"LL"``/``"HL"``/``"LH"``/
    ``"ns"`` (as :func:`spatialgreen.spatial.lisa` returns), or ``quadrant`` (esda's
    ``q``: 1 HH, 2 LH, 3 LL, 4 HL, or the labels) plus pseudo p-values ``p``, with
    units of ``p > alpha`` marked ``"ns"``. Other options as in :func:`categorical`.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> gdf = gpd.GeoDataFrame({"q": [1, 3], "p_sim": [0.01, 0.4]},
    ...     geometry=[box(100, 30, 101, 31), box(101, 30, 102, 31)], crs=4326)
    >>> html = lisa(gdf, quadrant="q", p="p_sim").get_root().render()
    >>> "HH (1)" in html and "ns (1)" in html
    True
    """
    frame = data
    if quadrant is not None:
        if p is None:
            raise DataError("lisa(quadrant=...) needs the p-value column p=")
        require(data, [quadrant, p])
        esda_codes = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}
        quad = data[quadrant].map(lambda q: esda_codes.get(q, q))
        p_values = pd.to_numeric(data[p], errors="coerce")
        cluster = "LISA"
        # a missing p-value is no data, not "not significant"
        frame = data.assign(
            LISA=quad.where(p_values <= alpha, "ns").where(
                quad.notna() & p_values.notna()
            )
        )
    else:
        require(data, [cluster])
    values = frame[cluster].dropna().astype(str)
    unknown = sorted(set(values) - set(LISA_COLORS))
    if unknown:
        raise DataError(
            f"column {cluster!r} has values {unknown}; expected {list(LISA_COLORS)}"
        )
    return categorical(
        frame,
        cluster,
        categories=[c for c in LISA_COLORS if c in set(values)],
        palette=LISA_COLORS,
        title=title,
        legend_title=legend_title,
        **kwargs,
    )


_KINDS = ("auto", "choropleth", "categorical", "lisa")
# Options every renderer takes; draw() checks the others against the chosen kind.
_SHARED = {"level", "study", "unit", "time", "year", "title", "tiles"}


def draw(
    data: Any,
    column: str | None = None,
    *,
    kind: str = "auto",
    level: str | None = None,
    study: Any = None,
    unit: str | None = None,
    time: str | None = None,
    year: Any = None,
    title: str | None = None,
    tiles: str | None = None,
    **options: Any,
) -> folium.Map:
    """A web map of ``column``, choosing the renderer from its values.

    The one place the map kind is chosen, for the ``spatialgreen map`` command and
    ``gdf.spatialgreen.map``.

    Parameters
    ----------
    data : GeoDataFrame or DataFrame
        As in :func:`choropleth`.
    column : str, optional
        Column to map; for ``kind="lisa"`` the cluster column (default
        ``"cluster"``, or pass ``quadrant=`` and ``p=``).
    kind : {"auto", "choropleth", "categorical", "lisa"}
        ``"auto"``: :func:`choropleth` for a numeric column, :func:`categorical`
        otherwise; ``"lisa"``: :func:`lisa` of a column of LISA clusters.
    level, study, unit, time, year, title, tiles
        As in :func:`choropleth`.
    **options
        Options of the chosen renderer (``scheme``, ``k``, ``bins``, ``palette``
        for a choropleth; ``indicator``, ``categories``, ``palette`` for
        categories; ...). An option the chosen kind does not take is an error,
        never silently ignored.

    Returns
    -------
    folium.Map

    Raises
    ------
    DataError
        Unknown ``kind``; a missing ``column``; an option the kind does not take.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> gdf = gpd.GeoDataFrame({"v": [1.0, 2.0], "state": ["A", "D"]},
    ...     geometry=[box(100, 30, 101, 31), box(101, 30, 102, 31)], crs=4326)
    >>> m = draw(gdf, "v", scheme="equal_interval", k=2)  # numbers: a choropleth
    >>> "EqualInterval" in m.get_root().render()
    True
    >>> "#d73027" in draw(gdf, "state").get_root().render()  # categories: type D red
    True
    >>> draw(gdf, "state", k=3)
    Traceback (most recent call last):
    ...
    spatialgreen.errors.DataError: a categorical map of 'state' takes no option k
    """
    if kind not in _KINDS:
        raise DataError(
            f"kind must be 'auto', 'choropleth', 'categorical' or 'lisa', not {kind!r}"
        )
    if kind == "auto":
        if column is None:
            raise DataError("an auto map needs the column to map")
        require(data, [column])
        numeric = pd.api.types.is_numeric_dtype(data[column])
        kind = "choropleth" if numeric else "categorical"
    unknown = sorted(set(options) - _options_of(kind))
    if unknown:
        raise DataError(
            f"a {kind} map of {column or 'LISA clusters'!r} takes no option "
            f"{', '.join(unknown)}"
        )
    shared: dict[str, Any] = {"level": level, "study": study, "unit": unit}
    shared |= {"time": time, "year": year, "title": title, "tiles": tiles}
    if kind == "lisa":
        if column is not None:
            shared["cluster"] = column
        return lisa(data, **shared, **options)
    if column is None:
        raise DataError(f"a {kind} map needs the column to map")
    if kind == "choropleth":
        return choropleth(data, column, **shared, **options)
    return categorical(data, column, **shared, **options)


def _options_of(kind: str) -> set[str]:
    """The keyword options of a renderer beyond the shared ones."""
    import inspect

    def params(func: Any) -> set[str]:
        return set(inspect.signature(func).parameters)

    if kind == "choropleth":
        names = params(choropleth)
    elif kind == "categorical":
        names = params(categorical)
    else:  # lisa passes its other options on to categorical, colours fixed
        names = params(lisa) - {"cluster"} | params(categorical)
        names -= {"categories", "palette"}
    return names - _SHARED - {"data", "column", "kwargs"}
