"""Figures of a variable over time: group trends, σ-convergence, kernel densities."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import DataError, _require
from ..maps.palettes import category_colors
from ..panel import require_columns
from ._common import _axes, _needs_cjk, integer_ticks, language_of, readable_name, word

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "kernel_density",
    "kernel_density_3d",
    "sigma_convergence",
    "trend_by_group",
]


def trend_by_group(
    data: pd.DataFrame,
    column: str,
    *,
    time: str = "year",
    group: str,
    ax: Axes | None = None,
    title: str | None = None,
    labels: Mapping[str, str] | None = None,
    language: str | None = None,
) -> Figure:
    """Mean of ``column`` per ``time`` for each ``group`` (e.g. east/central/west).

    Each group has the colour :func:`spatialgreen.maps.palettes.category_colors`
    gives it, as on a categorical map of the same column (regions, Tapio states,
    catch-up types and LISA clusters have fixed colours; other groups take the
    qualitative palette in sorted order, as maps do).

    Axis and legend titles are readable names (:func:`readable_name`): ``labels``
    maps column names to the text shown (``{"gtfp": "绿色全要素生产率"}``); ``language``
    ("en" or "zh", default: Chinese when the names or groups are) sets the words
    the figure adds.

    Examples
    --------
    >>> df = pd.DataFrame({"t": [1, 1, 2, 2], "g": ["a", "a", "a", "a"],
    ...                    "y": [1.0, 3.0, 2.0, 4.0]})
    >>> fig = trend_by_group(df, "y", time="t", group="g")
    >>> fig.axes[0].lines[0].get_ydata().tolist()
    [2.0, 3.0]
    >>> fig = trend_by_group(df.rename(columns={"y": "gtfp_cum"}), "gtfp_cum",
    ...                      time="t", group="g")
    >>> fig.axes[0].get_ylabel()
    'Mean cumulative GTFP'
    """
    _require("matplotlib", "paper", "figures.trend_by_group")
    require_columns(data, [column, time, group], role="trend_by_group")
    means = data.groupby([group, time], sort=True)[column].mean().unstack(group)
    shown = (title, column, group, time, *means.columns, *(labels or {}).values())
    lang = language_of(language, *shown)
    _needs_cjk(*means.index)
    ax = _axes(ax)
    colors = _group_colors([str(c) for c in means.columns])
    for name in means.columns:
        series = means[name].dropna()
        ax.plot(series.index, series.to_numpy(), marker="o", ms=3, label=str(name),
                color=colors.get(str(name)))  # fmt: skip
    ax.set_xlabel(readable_name(time, labels, lang))
    integer_ticks(ax.xaxis, means.index)
    ax.set_ylabel(word("mean", lang, readable_name(column, labels, lang)))
    ax.legend(title=readable_name(group, labels, lang), frameon=False)
    if title:
        ax.set_title(title)
    return ax.figure  # type: ignore[return-value]


def _group_colors(groups: Sequence[str]) -> dict[str, str]:
    """The shared palette's colour of each group (matplotlib's cycle beyond 12)."""
    try:
        return category_colors(sorted(groups))
    except DataError:  # more groups than the qualitative palette has colours
        return {}


def _years_to_show(years: Sequence[Any], wanted: Sequence[Any] | None) -> list[Any]:
    available = sorted(pd.unique(pd.Series(years)))
    if wanted is not None:
        missing = [y for y in wanted if y not in available]
        if missing:
            raise DataError(f"years {missing} are not in the data (have {available})")
        return list(wanted)
    if len(available) <= 6:
        return available
    picks = np.linspace(0, len(available) - 1, 5).round().astype(int)
    return [available[i] for i in sorted(set(picks))]


def kernel_density(
    data: pd.DataFrame,
    column: str,
    *,
    time: str = "year",
    years: Sequence[Any] | None = None,
    ax: Axes | None = None,
    labels: Mapping[str, str] | None = None,
    language: str | None = None,
    bounds: tuple[float | None, float | None] | None = None,
) -> Figure:
    """Gaussian kernel density of ``column`` for selected years (distribution dynamics).

    Without ``years`` all years are drawn when there are at most six, else five evenly
    spaced ones including the first and the last. Bandwidth: Scott's rule
    (:class:`scipy.stats.gaussian_kde`). :func:`kernel_density_3d` draws every
    year as a surface. ``labels`` and ``language`` as in :func:`trend_by_group`.
    By default the curves run 15 % of the range beyond the data, below 0 for
    values near 0; ``bounds=(0, None)`` (``(0, 1)`` for scores capped at 1)
    reflects the density at the variable's bounds and stops the curves there, as
    :func:`spatialgreen.convergence.kernel_density` explains.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"year": np.repeat([2010, 2020], 50),
    ...                    "gtfp": rng.normal(1, 0.1, 100)})
    >>> fig = kernel_density(df, "gtfp", time="year")
    >>> [line.get_label() for line in fig.axes[0].lines]
    ['2010', '2020']
    >>> fig.axes[0].get_xlabel(), fig.axes[0].get_ylabel()
    ('GTFP', 'Density')
    """
    _require("matplotlib", "paper", "figures.kernel_density")
    from ..convergence.dynamics import _check_bounds, _density

    require_columns(data, [column, time], role="kernel_density")
    shown = _years_to_show(data[time].to_numpy(), years)
    values = pd.to_numeric(data[column], errors="coerce")
    values = values.where(np.isfinite(values))  # infinities are dropped, as NaN
    finite = values.dropna()
    if finite.empty:
        raise DataError(f"column {column!r} has no finite values to draw")
    low, high = _check_bounds(
        bounds, pd.DataFrame({column: values, time: data[time]}), column, time
    )
    span = finite.max() - finite.min()
    start, stop = finite.min() - 0.15 * span, finite.max() + 0.15 * span
    grid = np.linspace(
        start if low is None else max(low, start),
        stop if high is None else min(high, stop),
        256,
    )
    lang = language_of(language, column, time, *(labels or {}).values())
    _needs_cjk(*shown)
    ax = _axes(ax)
    for year in shown:
        sample = values[(data[time] == year).to_numpy()].dropna().to_numpy()
        if len(sample) < 2 or np.ptp(sample) == 0:
            raise DataError(
                f"year {year}: column {column!r} needs at least two distinct values "
                "for a kernel density"
            )
        ax.plot(grid, _density(sample, grid, None, (low, high)), label=str(year))
    ax.set_xlabel(readable_name(column, labels, lang))
    ax.set_ylabel(word("density", lang))
    ax.legend(title=readable_name(time, labels, lang), frameon=False)
    return ax.figure  # type: ignore[return-value]


def kernel_density_3d(
    data: pd.DataFrame,
    column: str,
    *,
    time: str = "year",
    points: int = 100,
    bw_method: str | float | None = None,
    ax: Axes | None = None,
    labels: Mapping[str, str] | None = None,
    language: str | None = None,
    cmap: str = "viridis",
    view: tuple[float, float] = (28.0, -58.0),
    bounds: tuple[float | None, float | None] | None = None,
) -> Figure:
    """3-D kernel density surface: value × year × density, as GTFP papers show it.

    The densities are :func:`spatialgreen.convergence.kernel_density` of every
    period on one shared grid of ``points`` values (Gaussian kernel, Scott's rule
    unless ``bw_method``), drawn as a surface over value (x) and period (y), the
    density on z; the 2-D :func:`kernel_density` shows a few years as curves.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel (not modified).
    column, time : str
        Variable and period columns; every period needs two distinct values.
    points : int
        Grid points on the value axis (an integer >= 2).
    bw_method : str or float, optional
        Bandwidth rule of :class:`scipy.stats.gaussian_kde`.
    ax : matplotlib 3-D axes, optional
        Draw here (``fig.add_subplot(projection="3d")``).
    labels, language
        Axis titles, as in :func:`trend_by_group`.
    cmap : str
        Matplotlib colour map of the surface.
    view : (float, float)
        Elevation and azimuth of the view, in degrees.
    bounds : (float or None, float or None), optional
        Support of the variable, e.g. ``(0, None)`` for non-negative scores: the
        density is reflected there (see
        :func:`spatialgreen.convergence.kernel_density`). Default: unbounded.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"year": np.repeat([2010, 2015, 2020], 30),
    ...                    "gtfp": rng.normal(1, 0.1, 90)})
    >>> fig = kernel_density_3d(df, "gtfp", points=40)
    >>> ax = fig.axes[0]
    >>> ax.name, ax.get_xlabel(), ax.get_ylabel(), ax.get_zlabel()
    ('3d', 'GTFP', 'Year', 'Density')
    """
    _require("matplotlib", "paper", "figures.kernel_density_3d")
    from ..convergence.dynamics import kernel_density as densities

    require_columns(data, [column, time], role="kernel_density_3d")
    table = densities(
        data, column, time=time, points=points, bw_method=bw_method, bounds=bounds
    )
    surface = table.pivot(index=time, columns="value", values="density")
    periods = surface.index.to_list()
    numeric = pd.api.types.is_numeric_dtype(surface.index)
    y = np.asarray(periods, dtype=float) if numeric else np.arange(len(periods))
    xx, yy = np.meshgrid(surface.columns.to_numpy(float), y)
    lang = language_of(language, column, time, *(labels or {}).values())
    _needs_cjk(*periods)
    if ax is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=(6.4, 5.0), layout="constrained")
        plt.close(fig)
        ax = fig.add_subplot(projection="3d")
    elif getattr(ax, "name", "") != "3d":
        raise DataError("kernel_density_3d draws on 3-D axes (projection='3d')")
    ax3d: Any = ax  # mpl_toolkits' Axes3D
    z = surface.to_numpy(float)
    ax3d.plot_surface(xx, yy, z, cmap=cmap, rstride=1, cstride=1, linewidth=0.2,
                      edgecolor="#333333", alpha=0.95)  # fmt: skip
    if not numeric:
        ax3d.set_yticks(y, [str(p) for p in periods])
    else:
        integer_ticks(ax3d.yaxis, y)
    ax3d.set_xlabel(readable_name(column, labels, lang))
    ax3d.set_ylabel(readable_name(time, labels, lang))
    ax3d.set_zlabel(word("density", lang))
    ax3d.view_init(*view)
    return ax3d.figure  # type: ignore[no-any-return]


def sigma_convergence(
    table: pd.DataFrame,
    *,
    time: str = "year",
    columns: Sequence[str] = ("cv",),
    ax: Axes | None = None,
    labels: Mapping[str, str] | None = None,
    language: str | None = None,
) -> Figure:
    """σ-convergence curve: dispersion measures (CV, SD, Theil, ...) over time.

    One measure is named on the y axis ("Coefficient of variation"), several in
    the legend; ``labels`` and ``language`` as in :func:`trend_by_group`.

    Examples
    --------
    >>> t = pd.DataFrame({"year": [2005, 2006, 2007], "cv": [0.4, 0.35, 0.3]})
    >>> fig = sigma_convergence(t, time="year")
    >>> fig.axes[0].lines[0].get_ydata().tolist()
    [0.4, 0.35, 0.3]
    >>> fig.axes[0].get_ylabel(), fig.axes[0].get_xlabel()
    ('Coefficient of variation', 'Year')
    """
    _require("matplotlib", "paper", "figures.sigma_convergence")
    columns = list(columns)
    require_columns(table, [time, *columns], role="sigma_convergence")
    ordered = table.sort_values(time)
    lang = language_of(language, *columns, time, *(labels or {}).values())
    _needs_cjk(*ordered[time])
    ax = _axes(ax)
    for column in columns:
        label = readable_name(column, labels, lang)
        ax.plot(ordered[time].to_numpy(), ordered[column].to_numpy(dtype=float),
                marker="o", ms=3, label=label)  # fmt: skip
    ax.set_xlabel(readable_name(time, labels, lang))
    integer_ticks(ax.xaxis, ordered[time])
    if len(columns) > 1:
        ax.set_ylabel(word("dispersion", lang))
        ax.legend(frameon=False)
    else:
        ax.set_ylabel(readable_name(columns[0], labels, lang))
    return ax.figure  # type: ignore[return-value]
