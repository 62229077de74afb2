"""Decoupling figures: counts of Tapio states and the Tapio classification diagram."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import DataError, _require
from ..maps.palettes import NO_DATA_COLOR, category_colors
from ..panel import require_columns
from ._common import _axes, _needs_cjk, language_of, readable_name, word

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["decoupling_states", "tapio_diagram"]


def decoupling_states(
    table: pd.DataFrame,
    *,
    state: str = "state",
    by: str | None = None,
    ax: Axes | None = None,
    indicator: str = "pressure",
    labels: Mapping[str, str] | None = None,
    language: str | None = None,
) -> Figure:
    """Bar chart of how many units are in each decoupling state (stacked by ``by``).

    Tapio states (English or Chinese) get their fixed colours, best green to worst
    red; ``indicator="benefit"`` flips that reading (see :mod:`spatialgreen.maps`).
    Catch-up types A-D and other categories get their own fixed colours. ``labels``
    and ``language`` name the axes as in :func:`trend_by_group`.

    Examples
    --------
    >>> t = pd.DataFrame({"year": [1, 1, 2], "state": ["strong decoupling",
    ...                   "weak decoupling", "strong decoupling"]})
    >>> fig = decoupling_states(t, by="year")
    >>> [round(p.get_height()) for p in fig.axes[0].patches]
    [1, 1, 1, 0]
    >>> fig.axes[0].get_xlabel(), fig.axes[0].get_ylabel()
    ('Year', 'Number of units')
    """
    _require("matplotlib", "paper", "figures.decoupling_states")
    from ..maps.palettes import TAPIO_STATES, TAPIO_ZH, tapio_colors

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
    groups = table[by].dropna().unique() if by else ()
    lang = language_of(language, *order, by, *(labels or {}).values())
    _needs_cjk(*groups)
    ax = _axes(ax, figsize=(7.0, 4.2))
    if by is None:
        counts = states.value_counts().reindex(order, fill_value=0)
        ax.bar(range(len(order)), counts.to_numpy(), color=[colors[s] for s in order])
        ax.set_xticks(range(len(order)), order, rotation=30, ha="right")
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
        ax.set_xlabel(readable_name(by, labels, lang))
        ax.legend(frameon=False, fontsize=7, bbox_to_anchor=(1.01, 1), loc="upper left",
                  title=readable_name(state, labels, lang))  # fmt: skip
    ax.set_ylabel(word("units", lang))
    return ax.figure  # type: ignore[return-value]


def tapio_diagram(
    table: pd.DataFrame,
    *,
    x: str = "driver_change",
    y: str = "indicator_change",
    state: str = "state",
    indicator: str = "pressure",
    band: tuple[float, float] = (0.8, 1.2),
    annotate: str | None = None,
    labels: Mapping[str, str] | None = None,
    language: str | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Tapio's classification diagram with the units placed in its eight sectors.

    Growth of the driver (ΔG/G, x) against growth of the indicator (ΔE/E, y), as
    Tapio (2005) draws it and the YRD decoupling study shows it (its figure 1):
    the axes and the rays of elasticity ``band`` (0.8 and 1.2: e = y/x) split the
    plane into eight sectors — strong decoupling (ΔG > 0 > ΔE), weak decoupling,
    expansive coupling and expansive negative decoupling (both growing, e < 0.8,
    0.8–1.2, > 1.2), strong negative decoupling (ΔG < 0 < ΔE), weak negative
    decoupling, recessive coupling and recessive decoupling (both falling, e <
    0.8, 0.8–1.2, > 1.2). Sectors are named and lightly tinted, points coloured by
    their ``state`` with the colours of the maps
    (:func:`spatialgreen.maps.palettes.tapio_colors`: best green, worst red;
    ``indicator="benefit"`` flips the reading); states missing (driver
    unchanged) are drawn white.

    Parameters
    ----------
    table : pandas.DataFrame
        The table of :func:`spatialgreen.decoupling.tapio` (not modified): growth
        rates ``x`` and ``y`` (fractions: 0.05 = 5 %) and the ``state`` (English or
        Chinese names).
    x, y, state : str
        Columns of the driver's and the indicator's growth and of the state.
    indicator : {"pressure", "benefit"}
        Reading of the colours (as ``tapio(kind=...)``).
    band : (float, float)
        Elasticities of the coupling band (the rays drawn).
    annotate : str, optional
        Column whose values label the points (e.g. the unit names).
    labels : mapping, optional
        Axis titles by column name (default: readable names, see
        :func:`readable_name`).
    language : {"en", "zh"}, optional
        Sector names and words (default: Chinese when states or names are).
    title : str, optional
        Figure title.
    ax : matplotlib axes, optional
        Draw here.

    Examples
    --------
    >>> t = pd.DataFrame({"driver_change": [0.10, 0.08, -0.05],
    ...                   "indicator_change": [0.05, -0.02, -0.03],
    ...                   "state": ["weak decoupling", "strong decoupling",
    ...                             "weak negative decoupling"]})
    >>> fig = tapio_diagram(t)
    >>> ax = fig.axes[0]
    >>> ax.get_xlabel()
    'Growth of the driver, ΔG/G'
    >>> sorted(t.get_text() for t in ax.texts)[:2]
    ['expansive\\ncoupling', 'expansive negative\\ndecoupling']
    >>> [t.get_text() for t in ax.get_legend().get_texts()][0]
    'strong decoupling (1)'
    """
    _require("matplotlib", "paper", "figures.tapio_diagram")
    from ..maps.palettes import TAPIO_STATES, TAPIO_ZH, tapio_colors

    require_columns(table, [x, y, state], role="tapio_diagram")
    lo, hi = (float(b) for b in band)
    if not 0 <= lo < hi:
        raise DataError(f"band must be (low, high) with 0 <= low < high, got {band}")
    gx = pd.to_numeric(table[x], errors="coerce").to_numpy(float)
    gy = pd.to_numeric(table[y], errors="coerce").to_numpy(float)
    finite = np.isfinite(gx) & np.isfinite(gy)
    if not finite.any():
        raise DataError(f"columns {x!r} and {y!r} have no finite pair to draw")
    colors = tapio_colors(indicator)
    states = table[state].to_numpy(object)
    unknown = sorted({str(s) for s in states[finite] if pd.notna(s)} - set(colors))
    if unknown:
        raise DataError(
            f"column {state!r} holds values that are not Tapio states: {unknown[:5]}"
        )
    shown = [*(str(s) for s in states if pd.notna(s)), title]
    if annotate is not None:
        require_columns(table, [annotate], role="tapio_diagram")
        shown += [str(v) for v in table[annotate]]
    lang = language_of(language, *shown, *(labels or {}).values())
    names = {s: TAPIO_ZH[s] if lang == "zh" else s for s in TAPIO_STATES}
    english = {**{s: s for s in TAPIO_STATES}, **{v: k for k, v in TAPIO_ZH.items()}}
    ax = _axes(ax, figsize=(7.4, 4.8))
    reach = 1.15 * float(np.nanmax(np.abs(np.r_[gx[finite], gy[finite]])))
    reach = reach if reach > 0 else 1.0
    _draw_sectors(ax, reach, lo, hi, names, colors, lang)
    for s in TAPIO_STATES:  # legend in Tapio's order, with counts
        mask = finite & np.array([english.get(v) == s for v in states])
        if mask.any():
            label = f"{names[s]} ({mask.sum()})"
            ax.scatter(gx[mask], gy[mask], s=30, color=colors[s], edgecolor="#333333",
                       linewidth=0.5, zorder=3, label=label)  # fmt: skip
    missing = finite & pd.isna(pd.Series(states)).to_numpy()
    if missing.any():
        ax.scatter(gx[missing], gy[missing], s=30, color=NO_DATA_COLOR, zorder=3,
                   edgecolor="#333333", linewidth=0.5,
                   label=f"{word('no state', lang)} ({missing.sum()})")  # fmt: skip
    if annotate is not None:
        for xi, yi, text in zip(gx[finite], gy[finite], table[annotate][finite],
                                strict=True):  # fmt: skip
            ax.annotate(str(text), (xi, yi), fontsize=6, xytext=(3, 2),
                        textcoords="offset points", zorder=4)  # fmt: skip
    from matplotlib.ticker import PercentFormatter

    ax.set_xlim(-reach, reach)
    ax.set_ylim(-reach, reach)
    ax.set_aspect("equal")
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel(readable_name(x, labels, lang))
    ax.set_ylabel(readable_name(y, labels, lang))
    ax.legend(frameon=False, fontsize=7, bbox_to_anchor=(1.02, 1), loc="upper left",
              title=readable_name(state, labels, lang))  # fmt: skip
    if title:
        ax.set_title(title)
    return ax.figure  # type: ignore[return-value]


def _sectors(lo: float, hi: float) -> list[tuple[str, float, float]]:
    """The eight Tapio sectors as (state, start angle, end angle) in radians."""
    a, b = np.arctan(lo), np.arctan(hi)
    return [
        ("weak decoupling", 0.0, a),
        ("expansive coupling", a, b),
        ("expansive negative decoupling", b, np.pi / 2),
        ("strong negative decoupling", np.pi / 2, np.pi),
        ("weak negative decoupling", np.pi, np.pi + a),
        ("recessive coupling", np.pi + a, np.pi + b),
        ("recessive decoupling", np.pi + b, 1.5 * np.pi),
        ("strong decoupling", 1.5 * np.pi, 2 * np.pi),
    ]


def _draw_sectors(
    ax: Axes,
    reach: float,
    lo: float,
    hi: float,
    names: Mapping[str, str],
    colors: Mapping[str, str],
    lang: str,
) -> None:
    """Tinted sectors, their boundaries (axes, rays of ``lo`` and ``hi``), names."""
    far = 4 * reach
    for s, start, end in _sectors(lo, hi):
        angles = np.linspace(start, end, 16)
        corners = np.c_[far * np.cos(angles), far * np.sin(angles)]
        ax.fill(*np.r_[[[0.0, 0.0]], corners].T, color=colors[s], alpha=0.12,
                lw=0, zorder=0)  # fmt: skip
        mid = (start + end) / 2
        # inside the square [-reach, reach]², 70 % of the way to its edge
        edge = reach / max(abs(np.cos(mid)), abs(np.sin(mid)))
        text = names[s] if lang == "zh" else _wrap(names[s])
        ax.text(0.7 * edge * np.cos(mid), 0.7 * edge * np.sin(mid), text, zorder=2,
                ha="center", va="center", fontsize=7, color="#333333")  # fmt: skip
    for slope in (lo, hi):
        ax.plot([-far, far], [-far * slope, far * slope], color="#555555", lw=0.8,
                ls="--", zorder=1)  # fmt: skip
    ax.axhline(0, color="#333333", lw=0.9, zorder=1)
    ax.axvline(0, color="#333333", lw=0.9, zorder=1)


def _wrap(name: str) -> str:
    """Two lines for a long English state name ("expansive negative\\ndecoupling")."""
    head, _, last = name.rpartition(" ")
    return f"{head}\n{last}" if head else name
