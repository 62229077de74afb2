"""Matplotlib figures that green-development papers show.

Each function takes plain data (a tidy DataFrame or arrays), draws on ``ax`` when one
is given (else on a new figure) and returns the :class:`matplotlib.figure.Figure`.
Save with :func:`save` (PNG at 300 dpi, written atomically). Chinese labels need a CJK
font: :func:`use_cjk_font` finds an installed one or warns clearly; every function
calls it when its text contains CJK characters.

Examples
--------
>>> import pandas as pd
>>> from spatialgreen import figures
>>> df = pd.DataFrame({"year": [2020, 2021] * 2, "region": ["east"] * 2 + ["west"] * 2,
...                    "gtfp": [1.0, 1.1, 0.8, 0.9]})
>>> fig = figures.trend_by_group(df, "gtfp", time="year", group="region")
>>> len(fig.axes[0].lines)
2
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .errors import DataError
from .maps.palettes import LISA_COLORS, category_colors
from .panel import require_columns

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "CJK_FONTS",
    "decoupling_states",
    "kernel_density",
    "moran_scatter",
    "placebo_distribution",
    "save",
    "sigma_convergence",
    "trend_by_group",
    "use_cjk_font",
]

# Preferred CJK fonts, most common on Linux/macOS/Windows research machines first.
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Sans CJK JP",
)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_FONT_FILE_HINTS = ("notosanscjk", "sourcehansans", "wqy", "simhei", "msyh", "pingfang")


def use_cjk_font(*, warn: bool = True) -> str | None:
    """Put an installed CJK font first in matplotlib's sans-serif list.

    Fonts installed after matplotlib built its cache are picked up from the system
    font folders. Nothing is bundled: without a CJK font a warning tells how to get
    one and ``None`` is returned.

    Returns
    -------
    str or None
        The font family now used, or None.

    Examples
    --------
    >>> family = use_cjk_font(warn=False)
    >>> family is None or isinstance(family, str)
    True
    """
    import matplotlib as mpl
    from matplotlib import font_manager

    family = _installed_cjk_family(font_manager)
    if family is None:
        _register_system_cjk_files(font_manager)
        family = _installed_cjk_family(font_manager)
    if family is None:
        if warn:
            warnings.warn(
                "no CJK font found: Chinese labels will show as empty boxes. Install "
                "one (Debian/Ubuntu: apt-get install fonts-noto-cjk; Windows and macOS "
                "ship Microsoft YaHei / PingFang SC) and call use_cjk_font() again.",
                UserWarning,
                stacklevel=2,
            )
        return None
    current = [f for f in mpl.rcParams["font.sans-serif"] if f != family]
    mpl.rcParams["font.sans-serif"] = [family, *current]
    mpl.rcParams["font.family"] = "sans-serif"
    # SimHei has no U+2212 minus sign; the other fonts do.
    mpl.rcParams["axes.unicode_minus"] = family != "SimHei"
    return family


def _installed_cjk_family(font_manager: Any) -> str | None:
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in names), None)


def _register_system_cjk_files(font_manager: Any) -> None:
    for path in font_manager.findSystemFonts():
        lowered = os.path.basename(path).lower().replace("-", "").replace("_", "")
        if any(hint in lowered for hint in _FONT_FILE_HINTS):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):  # unreadable font file
                continue


def _needs_cjk(*texts: object) -> None:
    if any(_CJK.search(str(t)) for t in texts if t is not None):
        use_cjk_font()


def _axes(ax: Axes | None, figsize: tuple[float, float] = (6.4, 4.2)) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    fig, new_ax = plt.subplots(figsize=figsize, layout="constrained")
    # Keep figures out of pyplot's registry: scripts making hundreds do not leak.
    plt.close(fig)
    return new_ax


def save(fig: Figure, path: str | os.PathLike[str], *, dpi: int = 300) -> Path:
    """Write ``fig`` to ``path`` (PNG at 300 dpi by default; PDF/SVG by suffix).

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> fig = sigma_convergence(pd.DataFrame({"year": [1, 2], "cv": [0.3, 0.2]}),
    ...                         time="year")
    >>> p = save(fig, pathlib.Path(tempfile.mkdtemp()) / "s.png")
    >>> p.read_bytes()[:4] == b"\\x89PNG"
    True
    """
    from ._io import atomic_write

    fmt = Path(path).suffix.lstrip(".").lower() or "png"
    return atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=dpi, format=fmt))


def trend_by_group(
    data: pd.DataFrame,
    column: str,
    *,
    time: str = "year",
    group: str,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Mean of ``column`` per ``time`` for each ``group`` (e.g. east/central/west).

    Examples
    --------
    >>> df = pd.DataFrame({"t": [1, 1, 2, 2], "g": ["a", "a", "a", "a"],
    ...                    "y": [1.0, 3.0, 2.0, 4.0]})
    >>> fig = trend_by_group(df, "y", time="t", group="g")
    >>> fig.axes[0].lines[0].get_ydata().tolist()
    [2.0, 3.0]
    """
    require_columns(data, [column, time, group], role="trend_by_group")
    means = data.groupby([group, time], sort=True)[column].mean().unstack(group)
    _needs_cjk(title, column, group, time, *means.columns, *means.index)
    ax = _axes(ax)
    for name in means.columns:
        series = means[name].dropna()
        ax.plot(series.index, series.to_numpy(), marker="o", ms=3, label=str(name))
    ax.set_xlabel(time)
    ax.set_ylabel(f"mean {column}")
    ax.legend(title=group, frameon=False)
    if title:
        ax.set_title(title)
    return ax.figure  # type: ignore[return-value]


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
) -> Figure:
    """Gaussian kernel density of ``column`` for selected years (distribution dynamics).

    Without ``years`` all years are drawn when there are at most six, else five evenly
    spaced ones including the first and the last. Bandwidth: Scott's rule
    (:class:`scipy.stats.gaussian_kde`).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"year": np.repeat([2010, 2020], 50),
    ...                    "gtfp": rng.normal(1, 0.1, 100)})
    >>> fig = kernel_density(df, "gtfp", time="year")
    >>> [line.get_label() for line in fig.axes[0].lines]
    ['2010', '2020']
    """
    from scipy.stats import gaussian_kde

    require_columns(data, [column, time], role="kernel_density")
    shown = _years_to_show(data[time].to_numpy(), years)
    values = pd.to_numeric(data[column], errors="coerce")
    values = values.where(np.isfinite(values))  # infinities are dropped, as NaN
    finite = values.dropna()
    if finite.empty:
        raise DataError(f"column {column!r} has no finite values to draw")
    span = finite.max() - finite.min()
    grid = np.linspace(finite.min() - 0.15 * span, finite.max() + 0.15 * span, 256)
    _needs_cjk(column, time, *shown)
    ax = _axes(ax)
    for year in shown:
        sample = values[(data[time] == year).to_numpy()].dropna().to_numpy()
        if len(sample) < 2 or np.ptp(sample) == 0:
            raise DataError(
                f"year {year}: column {column!r} needs at least two distinct values "
                "for a kernel density"
            )
        ax.plot(grid, gaussian_kde(sample)(grid), label=str(year))
    ax.set_xlabel(column)
    ax.set_ylabel("density")
    ax.legend(title=time, frameon=False)
    return ax.figure  # type: ignore[return-value]


def moran_scatter(
    values: Sequence[float] | np.ndarray | pd.Series,
    lag: Sequence[float] | np.ndarray | pd.Series,
    *,
    labels: Sequence[str] | None = None,
    quadrants: Sequence[str] | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Moran scatterplot: standardised values against their standardised spatial lag.

    ``lag`` is the spatial lag of the raw ``values`` under row-standardised weights
    (``W @ values``); both axes are standardised with the mean and standard deviation of
    ``values``, so the slope of the fitted line equals Moran's I (already
    standardised pairs, such as ``z_value`` and ``z_lag`` from
    :func:`spatialgreen.spatial.lisa`, pass through unchanged). ``quadrants``
    (``"HH"``, ``"LL"``, ``"HL"``, ``"LH"``, ``"ns"``) colour the points as in LISA
    maps.

    Examples
    --------
    >>> fig = moran_scatter([1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 3.0, 3.0])
    >>> fig.axes[0].get_title()
    "Moran's I = 0.400"
    """
    x = np.asarray(values, dtype=float)
    y = np.asarray(lag, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise DataError(
            f"values and lag must be 1-d of equal length ({x.shape}, {y.shape})"
        )
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise DataError(
            "values and lag must be finite (drop or impute missing units first)"
        )
    sd = x.std()
    if sd == 0:
        raise DataError("values are constant: Moran's I is undefined")
    z, zlag = (x - x.mean()) / sd, (y - x.mean()) / sd
    slope = float(z @ zlag / (z @ z))
    _needs_cjk(*(labels or ()))
    ax = _axes(ax, figsize=(5.2, 5.0))
    if quadrants is None:
        ax.scatter(z, zlag, s=18, color="#3d6fb6", edgecolor="white", linewidth=0.4)
    else:
        quads = [str(q) for q in quadrants]
        if len(quads) != len(z):
            raise DataError(f"{len(quads)} quadrants for {len(z)} values")
        colors = category_colors(
            [q for q in LISA_COLORS if q in quads] or sorted(set(quads))
        )
        for quad, color in colors.items():
            mask = np.array([q == quad for q in quads])
            ax.scatter(z[mask], zlag[mask], s=20, color=color, edgecolor="#555555",
                       linewidth=0.4, label=quad)  # fmt: skip
        ax.legend(frameon=False, loc="upper left")
    reach = max(np.abs(z).max(), np.abs(zlag).max()) * 1.1
    line = np.array([-reach, reach])
    ax.plot(line, slope * line, color="#b2182b", lw=1.2, label=f"I = {slope:.3f}")
    ax.axhline(0, color="grey", lw=0.6)
    ax.axvline(0, color="grey", lw=0.6)
    if labels is not None:
        for xi, yi, text in zip(z, zlag, labels, strict=True):
            ax.annotate(str(text), (xi, yi), fontsize=6, xytext=(2, 2),
                        textcoords="offset points")  # fmt: skip
    ax.set_xlabel("standardised value")
    ax.set_ylabel("spatial lag")
    ax.set_title(f"Moran's I = {slope:.3f}")
    return ax.figure  # type: ignore[return-value]


def placebo_distribution(
    coefficients: Any,
    estimate: float | None = None,
    *,
    ax: Axes | None = None,
) -> Figure:
    """Histogram and kernel density of placebo coefficients against the real estimate.

    The title gives the share of placebo coefficients at least as large in absolute
    value as the estimate (the empirical two-sided p-value).

    ``coefficients`` is a :class:`~spatialgreen.econometrics.PlaceboResults` (its
    draws and estimate are used; ``estimate`` must then be omitted) or the draws
    themselves, with ``estimate`` given.

    Examples
    --------
    >>> fig = placebo_distribution(np.linspace(-1, 1, 200), 0.9)
    >>> fig.axes[0].get_title()
    'placebo: 20 of 200 |b| >= |0.9| (p = 0.100)'
    """
    from scipy.stats import gaussian_kde

    if hasattr(coefficients, "coefficients") and hasattr(coefficients, "estimate"):
        if estimate is not None:
            raise DataError("pass either placebo results or (coefficients, estimate)")
        coefficients, estimate = coefficients.coefficients, coefficients.estimate
    if estimate is None:
        raise DataError("placebo_distribution needs the real estimate")
    coefs = np.asarray(coefficients, dtype=float)
    coefs = coefs[np.isfinite(coefs)]
    if len(coefs) < 2:
        raise DataError("placebo_distribution needs at least two finite coefficients")
    extreme = int(np.sum(np.abs(coefs) >= abs(estimate)))
    ax = _axes(ax)
    ax.hist(coefs, bins="auto", density=True, color="#9ecae1", edgecolor="white")
    if np.ptp(coefs) > 0:
        grid = np.linspace(min(coefs.min(), estimate), max(coefs.max(), estimate), 256)
        ax.plot(grid, gaussian_kde(coefs)(grid), color="#08519c", lw=1.2)
    ax.axvline(
        estimate, color="#cb181d", ls="--", lw=1.2, label=f"estimate {estimate:g}"
    )
    ax.set_xlabel("placebo coefficient")
    ax.set_ylabel("density")
    ax.legend(frameon=False)
    ax.set_title(
        f"placebo: {extreme} of {len(coefs)} |b| >= |{estimate:g}| "
        f"(p = {extreme / len(coefs):.3f})"
    )
    return ax.figure  # type: ignore[return-value]


def sigma_convergence(
    table: pd.DataFrame,
    *,
    time: str = "year",
    columns: Sequence[str] = ("cv",),
    ax: Axes | None = None,
) -> Figure:
    """σ-convergence curve: dispersion measures (CV, SD, Theil, ...) over time.

    Examples
    --------
    >>> t = pd.DataFrame({"year": [2005, 2006, 2007], "cv": [0.4, 0.35, 0.3]})
    >>> sigma_convergence(t, time="year").axes[0].lines[0].get_ydata().tolist()
    [0.4, 0.35, 0.3]
    """
    columns = list(columns)
    require_columns(table, [time, *columns], role="sigma_convergence")
    ordered = table.sort_values(time)
    _needs_cjk(*columns, time, *ordered[time])
    ax = _axes(ax)
    for column in columns:
        ax.plot(ordered[time].to_numpy(), ordered[column].to_numpy(dtype=float),
                marker="o", ms=3, label=column)  # fmt: skip
    ax.set_xlabel(time)
    ax.set_ylabel("dispersion")
    if len(columns) > 1:
        ax.legend(frameon=False)
    return ax.figure  # type: ignore[return-value]


def decoupling_states(
    table: pd.DataFrame,
    *,
    state: str = "state",
    by: str | None = None,
    ax: Axes | None = None,
    indicator: str = "pressure",
) -> Figure:
    """Bar chart of how many units are in each decoupling state (stacked by ``by``).

    Tapio states (English or Chinese) get their fixed colours, best green to worst
    red; ``indicator="benefit"`` flips that reading (see :mod:`spatialgreen.maps`).
    Catch-up types A-D and other categories get their own fixed colours.

    Examples
    --------
    >>> t = pd.DataFrame({"year": [1, 1, 2], "state": ["strong decoupling",
    ...                   "weak decoupling", "strong decoupling"]})
    >>> fig = decoupling_states(t, by="year")
    >>> [round(p.get_height()) for p in fig.axes[0].patches]
    [1, 1, 1, 0]
    """
    from .maps.palettes import TAPIO_STATES, TAPIO_ZH, tapio_colors

    require_columns(table, [state] + ([by] if by else []), role="decoupling_states")
    states = table[state].dropna().astype(str)
    if states.empty:
        raise DataError(f"column {state!r} has no states to count")
    tapio = tapio_colors(indicator)
    known_order = [*TAPIO_STATES, *TAPIO_ZH.values()]
    present = list(pd.unique(states))
    if all(s in tapio for s in present):
        order = [s for s in known_order if s in present]
        colors = {s: tapio[s] for s in order}
    else:
        order = sorted(present)
        colors = category_colors(order)
    _needs_cjk(*order, by, *(table[by].dropna().unique() if by else ()))
    ax = _axes(ax, figsize=(7.0, 4.2))
    if by is None:
        counts = states.value_counts().reindex(order, fill_value=0)
        ax.bar(range(len(order)), counts.to_numpy(), color=[colors[s] for s in order])
        ax.set_xticks(range(len(order)), order, rotation=30, ha="right")
        ax.set_ylabel("units")
    else:
        # positional, so a duplicated index (e.g. from pd.concat) cannot misalign
        keep = table[state].notna().to_numpy()
        frame = pd.DataFrame(
            {"_by": table[by].to_numpy()[keep], "_state": states.to_numpy()}
        )
        counts = pd.crosstab(frame["_by"], frame["_state"]).reindex(
            columns=order, fill_value=0
        )
        bottom = np.zeros(len(counts))
        positions = np.arange(len(counts))
        for s in order:
            heights = counts[s].to_numpy()
            ax.bar(positions, heights, bottom=bottom, color=colors[s], label=s)
            bottom += heights
        ax.set_xticks(
            positions, [str(v) for v in counts.index], rotation=45, ha="right"
        )
        ax.set_xlabel(by)
        ax.set_ylabel("units")
        ax.legend(frameon=False, fontsize=7, bbox_to_anchor=(1.01, 1), loc="upper left")
    return ax.figure  # type: ignore[return-value]
