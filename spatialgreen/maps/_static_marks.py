"""Flows and points on a static map of China: the marks of :func:`maps.static`.

Flow lines join the points inside the units' polygons (as in the web flow map),
their width growing with ``log(1 + volume)`` from 0.4 pt to ``max_width``, the
largest drawn on top; widths are pooled over the panels so that they compare.
Points are drawn at their WGS84 ``lon``/``lat`` in the category colours of the web
maps. Both sit on the provinces of China in light grey.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import DataError
from ._render import require
from ._static_figure import Panel, Plan, mpl_color, shown_periods
from ._static_layout import CRS, is_national, national_extent, regional_extent
from .palettes import category_colors

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes

__all__ = ["flows_plan", "points_plan"]

_MIN_WIDTH = 0.4  # points


def _period_keys(values: pd.Series) -> pd.Series:
    """Periods as text, years made float by missing values shown as integers."""
    if pd.api.types.is_float_dtype(values) and (values.dropna() % 1 == 0).all():
        values = values.astype("Int64")
    if values.isna().any():
        raise DataError(f"column {values.name!r} has missing periods")
    return values.astype(str)


def _to_albers(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from pyproj import Transformer

    to = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
    x, y = to.transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.asarray(x), np.asarray(y)


def _frame(
    lon: np.ndarray, inset: bool | None, x: np.ndarray, y: np.ndarray
) -> tuple[bool, tuple[float, float, float, float]]:
    national = is_national(float(lon.max() - lon.min())) if inset is None else inset
    if national:
        return True, national_extent()
    bounds = (x.min(), y.min(), x.max(), y.max())
    return False, regional_extent(bounds, pad=0.12)


def flows_plan(
    data: pd.DataFrame,
    column: str | None,
    *,
    level: str | None,
    time: str | None,
    year: Any,
    unit: str | None,
    inset: bool | None,
    legend_title: str | None,
    opts: Mapping[str, Any],
) -> Plan:
    """Flow lines between unit points, one panel per period."""
    from .point_layers import _endpoints

    volume, origin, destination = (
        column or "volume",
        opts["origin"],
        opts["destination"],
    )
    require(data, [origin, destination, volume, *([time] if time else [])])
    color = mpl_color(opts["color"], "color")
    max_width = float(opts["max_width"])
    if not max_width > _MIN_WIDTH:
        raise DataError(f"max_width must exceed {_MIN_WIDTH} pt, not {max_width}")
    ends = _endpoints(opts["coords"], level, unit)
    od = pd.DataFrame(data[[origin, destination, volume]]).copy()
    od[volume] = pd.to_numeric(od[volume], errors="coerce")
    if od[volume].isna().any():
        bad = od.loc[od[volume].isna()].iloc[0]
        raise DataError(
            f"flow {bad[origin]} -> {bad[destination]} has no numeric {volume!r}"
        )
    if (od[volume] < 0).any():
        raise DataError(f"column {volume!r} has negative flows")
    for col in (origin, destination):
        if opts["coords"] is None and level is not None:
            from ..geo import match_units

            od[col] = [str(c) for c in match_units(od[col].tolist(), level=level)]
        od[col] = od[col].astype(str)
        unknown = sorted(set(od[col]) - set(ends.index))
        if unknown:
            raise DataError(f"{col} units without coordinates: {unknown[:10]}")
    od["_period"] = _period_keys(data[time]) if time else ""
    od = od.loc[od[volume] > opts["min_volume"]]
    if od.empty:
        raise DataError(f"no flow above min_volume={opts['min_volume']}")
    shown = shown_periods(od["_period"], year, time)
    od = od.loc[od["_period"].isin(shown)]
    used = ends.loc[pd.unique(od[[origin, destination]].to_numpy().ravel())]
    x, y = _to_albers(used["lon"].to_numpy(), used["lat"].to_numpy())
    xy = pd.DataFrame({"x": x, "y": y}, index=used.index)
    national, box = _frame(used["lon"].to_numpy(), inset, x, y)
    low, high = math.log1p(od[volume].min()), math.log1p(od[volume].max())

    def width(v: float) -> float:
        share = (math.log1p(v) - low) / (high - low) if high > low else 0.5
        return _MIN_WIDTH + (max_width - _MIN_WIDTH) * share

    panels, counts = [], []
    for period in shown:
        part = od.loc[od["_period"] == period].sort_values(volume)  # largest on top
        counts.append(len(part))
        segments = [
            np.array([xy.loc[a].to_numpy(), xy.loc[b].to_numpy()])
            for a, b in zip(part[origin], part[destination], strict=True)
        ]
        widths = [width(v) for v in part[volume]]
        nodes = xy.loc[pd.unique(part[[origin, destination]].to_numpy().ravel())]
        panels.append(Panel(period, None, _flow_marks(segments, widths, nodes, color)))
    values = sorted({od[volume].min(), od[volume].max()})
    handles = [_line(color, width(v), f"{v:,.6g}") for v in values]
    heading = f"{legend_title or volume}\n{' / '.join(map(str, counts))} flows"
    heading += f"; width on log(1 + {volume})"
    texts = [heading, *used["name"].astype(str)]
    return Plan(
        panels, handles, heading, box, national, frozenset(), frozenset(), texts
    )


def _flow_marks(
    segments: list[np.ndarray], widths: list[float], nodes: pd.DataFrame, color: str
) -> Any:
    def draw(ax: Axes) -> None:
        from matplotlib.collections import LineCollection

        lines = LineCollection(
            segments, linewidths=widths, colors=color, alpha=0.75, zorder=4
        )
        lines.set_capstyle("round")
        lines.set_gid("sg-flows")
        ax.add_collection(lines)
        dots = ax.scatter(nodes["x"], nodes["y"], s=3, color="#333333", zorder=5)
        dots.set_gid("sg-flow-ends")

    return draw


def _line(color: str, width: float, label: str) -> Artist:
    from matplotlib.lines import Line2D

    return Line2D([], [], color=color, linewidth=width, alpha=0.75, label=label)


def points_plan(
    data: pd.DataFrame,
    column: str | None,
    *,
    level: str | None,
    time: str | None,
    year: Any,
    unit: str | None,
    inset: bool | None,
    legend_title: str | None,
    opts: Mapping[str, Any],
) -> Plan:
    """Points at ``lon``/``lat``, coloured by the category ``column`` if given."""
    for name, value in (("level", level), ("unit", unit)):
        if value is not None:
            raise DataError(f"a points map takes lon/lat columns, not {name}=")
    lon, lat = opts["lon"], opts["lat"]
    require(data, [lon, lat, *(c for c in (column, time) if c)])
    coords = data[[lon, lat]].apply(pd.to_numeric, errors="coerce")
    bad = coords.isna().any(axis=1)
    bad |= ~coords[lon].between(-180, 180) | ~coords[lat].between(-90, 90)
    if bad.any():
        raise DataError(
            f"rows {data.index[bad].tolist()[:10]} have no valid {lon}/{lat}"
        )
    x, y = _to_albers(coords[lon].to_numpy(), coords[lat].to_numpy())
    table = pd.DataFrame({"x": x, "y": y})
    table["_period"] = _period_keys(data[time]).to_numpy() if time else ""
    if column is not None:
        cats = data[column].astype(object).where(data[column].notna())
        table["cat"] = cats.map(str, na_action="ignore").to_numpy()
        order = sorted(table["cat"].dropna().unique())
        colors = category_colors(order, opts["palette"])
    else:
        table["cat"] = "points"
        order = ["points"]
        colors = {"points": opts["color"]}
    colors = {c: mpl_color(v, f"colour of {c!r}") for c, v in colors.items()}
    shown = shown_periods(table["_period"], year, time)
    table = table.loc[table["_period"].isin(shown)]
    national, box = _frame(coords[lon].to_numpy(), inset, x, y)
    panels, counts = [], []
    for period in shown:
        part = table.loc[table["_period"] == period]
        counts.append(part["cat"].value_counts(dropna=False))
        faces = [colors.get(c, "#ffffff") if isinstance(c, str) else "#ffffff"
                 for c in part["cat"]]  # fmt: skip
        panels.append(Panel(period, None, _point_marks(part, faces)))
    handles = []
    for cat in order:
        n = " / ".join(str(int(c.get(cat, 0))) for c in counts)
        handles.append(_marker(colors[cat], f"{cat} ({n})"))
    missing = [int(c[c.index.isna()].sum()) for c in counts]
    if any(missing):
        handles.append(
            _marker("#ffffff", f"no category ({' / '.join(map(str, missing))})")
        )
    heading = legend_title or column or "points"
    texts = [heading, *(str(h.get_label()) for h in handles)]
    return Plan(
        panels, handles, heading, box, national, frozenset(), frozenset(), texts
    )


def _point_marks(part: pd.DataFrame, faces: list[str]) -> Any:
    def draw(ax: Axes) -> None:
        dots = ax.scatter(
            part["x"],
            part["y"],
            s=14,
            c=faces,
            edgecolors="#333333",
            linewidths=0.4,
            zorder=5,
        )
        dots.set_gid("sg-points")

    return draw


def _marker(color: str, label: str) -> Artist:
    from matplotlib.lines import Line2D

    return Line2D(
        [],
        [],
        linestyle="",
        marker="o",
        markersize=5,
        markerfacecolor=color,
        markeredgecolor="#333333",
        markeredgewidth=0.4,
        label=label,
    )
