"""Diagnostic figures: the Moran scatterplot and the placebo distribution."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import DataError, _require
from ..maps.palettes import LISA_COLORS, category_colors
from ._common import _axes, language_of, readable_name, word

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["moran_scatter", "placebo_distribution"]


def moran_scatter(
    values: Sequence[float] | np.ndarray | pd.Series,
    lag: Sequence[float] | np.ndarray | pd.Series,
    *,
    labels: Sequence[str] | None = None,
    quadrants: Sequence[str] | None = None,
    ax: Axes | None = None,
    name: str | None = None,
    language: str | None = None,
) -> Figure:
    """Moran scatterplot: standardised values against their standardised spatial lag.

    ``lag`` is the spatial lag of the raw ``values`` under row-standardised weights
    (``W @ values``); both axes are standardised with the mean and standard deviation of
    ``values``, so the slope of the fitted line equals Moran's I (already
    standardised pairs, such as ``z_value`` and ``z_lag`` from
    :func:`spatialgreen.spatial.lisa`, pass through unchanged). ``quadrants``
    (``"HH"``, ``"LL"``, ``"HL"``, ``"LH"``, ``"ns"``) colour the points as in LISA
    maps; ``labels`` name the points (e.g. the units). ``name`` is the variable
    shown on the axes ("GTFP (standardised)", "Spatial lag of GTFP"; a column name
    is made readable, see :func:`readable_name`); ``language`` "en" or "zh"
    (default: Chinese when the name or labels are).

    Examples
    --------
    >>> fig = moran_scatter([1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 3.0, 3.0], name="gtfp")
    >>> fig.axes[0].get_title()
    "Moran's I = 0.400"
    >>> fig.axes[0].get_xlabel(), fig.axes[0].get_ylabel()
    ('GTFP (standardised)', 'Spatial lag of GTFP')
    """
    _require("matplotlib", "paper", "figures.moran_scatter")
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
    lang = language_of(language, name, *(labels or ()))
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
    variable = word("value", lang) if name is None else readable_name(name, None, lang)
    ax.set_xlabel(word("standardised", lang, variable))
    ax.set_ylabel(word("spatial lag", lang, variable))
    ax.set_title(f"Moran's I = {slope:.3f}")
    return ax.figure  # type: ignore[return-value]


def placebo_distribution(
    coefficients: Any,
    estimate: float | None = None,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    language: str | None = None,
) -> Figure:
    """Histogram and kernel density of placebo coefficients against the real estimate.

    The title says what is drawn ("Distribution of 200 placebo coefficients"; the
    x axis names the regressor of placebo results); the legend gives the actual
    estimate (dashed red line) and, last, the share of placebo coefficients at
    least as large in absolute value as the estimate (the empirical two-sided
    p-value). ``title`` replaces the default title; ``language`` is "en"
    (default) or "zh".

    ``coefficients`` is a :class:`~spatialgreen.econometrics.PlaceboResults` (its
    draws, estimate and regressor are used; ``estimate`` must then be omitted) or
    the draws themselves, with ``estimate`` given.

    Examples
    --------
    >>> fig = placebo_distribution(np.linspace(-1, 1, 200), 0.9)
    >>> fig.axes[0].get_title()
    'Distribution of 200 placebo coefficients'
    >>> legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    >>> legend[2], legend[3].splitlines()[-1]
    ('actual estimate = 0.9', 'empirical p = 0.100')
    """
    _require("matplotlib", "paper", "figures.placebo_distribution")
    from scipy.stats import gaussian_kde

    regressor = None
    if hasattr(coefficients, "coefficients") and hasattr(coefficients, "estimate"):
        if estimate is not None:
            raise DataError("pass either placebo results or (coefficients, estimate)")
        regressor = (getattr(coefficients, "meta", None) or {}).get("x")
        coefficients, estimate = coefficients.coefficients, coefficients.estimate
    if estimate is None:
        raise DataError("placebo_distribution needs the real estimate")
    coefs = np.asarray(coefficients, dtype=float)
    coefs = coefs[np.isfinite(coefs)]
    if len(coefs) < 2:
        raise DataError("placebo_distribution needs at least two finite coefficients")
    extreme = int(np.sum(np.abs(coefs) >= abs(estimate)))
    lang = language_of(language or "en", title, regressor)
    ax = _axes(ax)
    ax.hist(coefs, bins="auto", density=True, color="#9ecae1", edgecolor="white",
            label=word("placebo histogram", lang))  # fmt: skip
    if np.ptp(coefs) > 0:
        grid = np.linspace(min(coefs.min(), estimate), max(coefs.max(), estimate), 256)
        ax.plot(grid, gaussian_kde(coefs)(grid), color="#08519c", lw=1.2,
                label=word("kernel density", lang))  # fmt: skip
    ax.axvline(estimate, color="#cb181d", ls="--", lw=1.2,
               label=word("placebo estimate", lang, estimate))  # fmt: skip
    share = word("placebo share", lang, k=extreme, n=len(coefs), p=extreme / len(coefs))
    ax.plot([], [], ls="none", label=share)  # the p-value as the legend's last entry
    ax.set_ylim(top=ax.get_ylim()[1] * 1.4)  # room for the legend above the bars
    if regressor is None:
        ax.set_xlabel(word("placebo coefficient", lang))
    else:
        ax.set_xlabel(
            word("placebo coefficient of", lang, readable_name(regressor, None, lang))
        )
    ax.set_ylabel(word("density", lang))
    ax.legend(frameon=False, loc="best", fontsize=8)
    ax.set_title(title or word("placebo title", lang, n=len(coefs)))
    return ax.figure  # type: ignore[return-value]
