"""Colours with a meaning: class ramps, Tapio states, catch-up types, LISA clusters.

Maps and figures share these so that a decoupling state has the same colour in a
web map and in a bar chart. Colours given by users are checked
(:func:`check_color`) before they reach a page, where they land in HTML attributes
and in JavaScript.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from ..decoupling.tapio import STATES

__all__ = [
    "CATCHUP_COLORS",
    "LISA_COLORS",
    "NO_DATA_COLOR",
    "NO_DATA_DASH",
    "REGION_COLORS",
    "SEQUENTIAL",
    "TAPIO_STATES",
    "TAPIO_ZH",
    "category_colors",
    "check_color",
    "ramp",
    "tapio_colors",
]

# White with a dashed outline: distinct from every ramp and from LISA's grey "ns".
NO_DATA_COLOR = "#ffffff"
NO_DATA_DASH = "3 3"


def _hexes(codes: str) -> tuple[str, ...]:
    """``"ffffe5 f7fcb9"`` -> ``("#ffffe5", "#f7fcb9")``."""
    return tuple(f"#{code}" for code in codes.split())


# ColorBrewer sequential ramps (9 classes); k classes take k evenly spread entries.
SEQUENTIAL: dict[str, tuple[str, ...]] = {
    "YlGn": _hexes("ffffe5 f7fcb9 d9f0a3 addd8e 78c679 41ab5d 238443 006837 004529"),
    "Greens": _hexes("f7fcf5 e5f5e0 c7e9c0 a1d99b 74c476 41ab5d 238b45 006d2c 00441b"),
    "YlOrRd": _hexes("ffffcc ffeda0 fed976 feb24c fd8d3c fc4e2a e31a1c bd0026 800026"),
    "Blues": _hexes("f7fbff deebf7 c6dbef 9ecae1 6baed6 4292c6 2171b5 08519c 08306b"),
    "RdYlGn": _hexes("d73027 f46d43 fdae61 fee08b ffffbf d9ef8b a6d96a 66bd63 1a9850"),
}

# Tapio (2005) states, English lower case, with the Chinese names papers use (the
# one vocabulary of :mod:`spatialgreen.decoupling`).
TAPIO_STATES: tuple[str, ...] = tuple(STATES)
TAPIO_ZH: dict[str, str] = dict(STATES)

# Best to worst.  For a pressure (emissions) the indicator should fall relative to the
# driver; for a benefit (environmental productivity) it should rise, so the order flips.
_TAPIO_ORDER = {
    "pressure": (
        "strong decoupling",
        "recessive decoupling",
        "weak decoupling",
        "expansive coupling",
        "recessive coupling",
        "weak negative decoupling",
        "expansive negative decoupling",
        "strong negative decoupling",
    ),
    "benefit": (
        "expansive negative decoupling",
        "strong negative decoupling",
        "weak negative decoupling",
        "expansive coupling",
        "recessive coupling",
        "weak decoupling",
        "recessive decoupling",
        "strong decoupling",
    ),
}
# Eight steps from dark green (best) to dark red (worst).
_BEST_TO_WORST = (
    "#1a9850", "#66bd63", "#a6d96a", "#fee08b",
    "#fdae61", "#f46d43", "#d73027", "#a50026",
)  # fmt: skip

# Catch-up decoupling types of the YRD study: A absolute, B green, C expansive, D none.
CATCHUP_COLORS: dict[str, str] = {
    "A": "#1a9850",
    "B": "#91cf60",
    "C": "#fc8d59",
    "D": "#d73027",
}

# The classic GeoDa / esda LISA cluster colours; non-significant units greyed.
LISA_COLORS: dict[str, str] = {
    "HH": "#d7191c",
    "LL": "#2c7bb6",
    "LH": "#abd9e9",
    "HL": "#fdae61",
    "ns": "#d3d3d3",
}


# The regions of the shipped groupings (``region3``, ``region4``), English and Chinese.
REGION_COLORS: dict[str, str] = {
    "east": "#1b9e77",
    "central": "#d95f02",
    "west": "#7570b3",
    "northeast": "#e7298a",
    "东部": "#1b9e77",
    "中部": "#d95f02",
    "西部": "#7570b3",
    "东北": "#e7298a",
}

# CSS colours: #rgb[a], #rrggbb[aa], a name, or rgb()/rgba()/hsl()/hsla() of numbers.
_COLOR = re.compile(
    r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})"
    r"|[a-zA-Z]{3,30}"
    r"|(?:rgba?|hsla?)\(\s*[0-9.%\s,/+-]{1,60}\)"
)


def check_color(color: object, what: str = "colour") -> str:
    """``color`` if it is a CSS colour, else a :class:`~spatialgreen.DataError`.

    Colours land in HTML attributes and JavaScript of a web map, so only plain
    CSS colour syntax is accepted: ``#rgb``, ``#rrggbb`` (with optional alpha), a
    colour name, or ``rgb()``/``rgba()``/``hsl()``/``hsla()`` of numbers.

    Examples
    --------
    >>> check_color("#1a9850"), check_color("steelblue")
    ('#1a9850', 'steelblue')
    >>> check_color('red"><img src=x>', "palette['A']")
    Traceback (most recent call last):
    ...
    spatialgreen.errors.DataError: palette['A'] must be a CSS colour ...
    """
    from ..errors import DataError

    if not isinstance(color, str) or _COLOR.fullmatch(color.strip()) is None:
        raise DataError(
            f"{what} must be a CSS colour (#rrggbb, a name or rgb(...)), not {color!r}"
        )
    return color.strip()


def ramp(name: str | Sequence[str], k: int) -> list[str]:
    """``k`` colours from a named ramp (or the given list), light to dark.

    Examples
    --------
    >>> ramp("YlGn", 3)
    ['#ffffe5', '#78c679', '#004529']
    >>> ramp(["#000000", "#ffffff"], 2)
    ['#000000', '#ffffff']
    """
    from ..errors import DataError

    if not isinstance(name, str):
        colors = [check_color(c, f"palette[{i}]") for i, c in enumerate(name)]
        if len(colors) < k:
            raise DataError(
                f"palette has {len(colors)} colours but {k} classes are drawn"
            )
        return colors[:k]
    if name not in SEQUENTIAL:
        raise DataError(f"unknown palette {name!r}; choose one of {sorted(SEQUENTIAL)}")
    base = SEQUENTIAL[name]
    if k > len(base):
        raise DataError(f"palette {name!r} has {len(base)} colours; k={k} is too many")
    if k == 1:
        return [base[len(base) // 2]]
    return [base[round(i * (len(base) - 1) / (k - 1))] for i in range(k)]


def tapio_colors(indicator: str = "pressure") -> dict[str, str]:
    """Colour of each Tapio state (English and Chinese names), best green, worst red.

    Examples
    --------
    >>> tapio_colors()["strong decoupling"]
    '#1a9850'
    >>> tapio_colors("benefit")["强脱钩"]
    '#a50026'
    """
    from ..errors import DataError

    if indicator not in _TAPIO_ORDER:
        raise DataError(f"indicator must be 'pressure' or 'benefit', not {indicator!r}")
    colors = dict(zip(_TAPIO_ORDER[indicator], _BEST_TO_WORST, strict=True))
    colors.update({TAPIO_ZH[state]: color for state, color in list(colors.items())})
    return colors


def category_colors(
    categories: Sequence[str], palette: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Fixed colours for known vocabularies, else the user's, else a qualitative set.

    The user's ``palette`` wins (each colour checked by :func:`check_color`);
    then LISA clusters, catch-up types A-D, Tapio states (pressure reading) and
    the regions of the shipped groupings get their fixed colours; other
    categories take ColorBrewer Set2/Dark2 colours in the order given (pass them
    sorted, as maps and figures do, for the same colours everywhere).

    Examples
    --------
    >>> category_colors(["HH", "ns"])
    {'HH': '#d7191c', 'ns': '#d3d3d3'}
    >>> category_colors(["A", "D"])["D"]
    '#d73027'
    """
    from ..errors import DataError

    cats = [str(c) for c in categories]
    if palette is not None:
        missing = [c for c in cats if c not in palette]
        if missing:
            raise DataError(f"palette has no colour for categories {missing}")
        return {c: check_color(palette[c], f"palette[{c!r}]") for c in cats}
    vocabularies = (
        LISA_COLORS,
        CATCHUP_COLORS,
        tapio_colors("pressure"),
        REGION_COLORS,
    )
    for vocabulary in vocabularies:
        if cats and all(c in vocabulary for c in cats):
            return {c: vocabulary[c] for c in cats}
    if len(cats) > len(_QUALITATIVE):
        raise DataError(
            f"{len(cats)} categories but only {len(_QUALITATIVE)} default colours; "
            "pass palette={category: colour}"
        )
    return dict(zip(cats, _QUALITATIVE, strict=False))


# ColorBrewer Set2 + Dark2 for categories without a fixed meaning.
_QUALITATIVE = (
    "#66c2a5", "#fc8d62", "#8da0cb", "#e78ac3", "#a6d854", "#ffd92f",
    "#e5c494", "#b3b3b3", "#1b9e77", "#d95f02", "#7570b3", "#e7298a",
)  # fmt: skip
