"""What every paper figure shares: CJK fonts, new axes, saving, readable_name labels.

Labels: a column name shown on an axis or a legend goes through :func:`readable_name`
(the user's ``labels`` mapping first, then the names spatialgreen's own tables use,
in English or Chinese, then the name prettified: ``gtfp_cum`` -> "Cumulative
GTFP"); the figure's own words ("Density", "核密度", ...) come from :func:`word`.
The language is the user's ``language`` or, by default, Chinese when the names or
categories shown are Chinese.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DataError, SpatialGreenWarning, _require

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

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
    _require("matplotlib", "paper", "figures.use_cjk_font")
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
                SpatialGreenWarning,
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

    PDF and SVG are vector files with the fonts embedded (TrueType in PDF, text
    as paths in SVG), as journals ask.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> from spatialgreen.figures import sigma_convergence
    >>> fig = sigma_convergence(pd.DataFrame({"year": [1, 2], "cv": [0.3, 0.2]}),
    ...                         time="year")
    >>> p = save(fig, pathlib.Path(tempfile.mkdtemp()) / "s.png")
    >>> p.read_bytes()[:4] == b"\\x89PNG"
    True
    """
    _require("matplotlib", "paper", "figures.save")
    import matplotlib as mpl

    from .._io import atomic_write

    fmt = Path(path).suffix.lstrip(".").lower() or "png"
    rc: dict[str, Any] = {"pdf.fonttype": 42, "ps.fonttype": 42}
    rc["svg.fonttype"] = "path"

    def write(tmp: Path) -> None:
        with mpl.rc_context(rc):  # type: ignore[arg-type]
            fig.savefig(tmp, dpi=dpi, format=fmt)

    return atomic_write(path, write)


# --------------------------------------------------------------------------- labels

#: Names spatialgreen's tables use, in English and Chinese.
_NAMES: dict[str, tuple[str, str]] = {
    "year": ("Year", "年份"),
    "unit": ("Unit", "单元"),
    "region": ("Region", "地区"),
    "region3": ("Region", "三大地区"),
    "region4": ("Region", "四大地区"),
    "score": ("Efficiency score", "效率值"),
    "gtfp": ("GTFP", "绿色全要素生产率"),
    "gtfp_cum": ("Cumulative GTFP", "累计绿色全要素生产率"),
    "tfp": ("TFP", "全要素生产率"),
    "index": ("Productivity index", "生产率指数"),
    "cumulative": ("Cumulative index", "累计指数"),
    "ec": ("Efficiency change (EC)", "技术效率变化 (EC)"),
    "tc": ("Technical change (TC)", "技术进步 (TC)"),
    "pech": ("Pure efficiency change (PECH)", "纯技术效率变化 (PECH)"),
    "sech": ("Scale efficiency change (SECH)", "规模效率变化 (SECH)"),
    "bpc": ("Best-practice gap change (BPC)", "最佳实践差距变化 (BPC)"),
    "cv": ("Coefficient of variation", "变异系数"),
    "sd": ("Standard deviation", "标准差"),
    "sd_log": ("Standard deviation of logs", "对数标准差"),
    "theil": ("Theil index", "泰尔指数"),
    "gini": ("Gini coefficient", "基尼系数"),
    "elasticity": ("Decoupling elasticity", "脱钩弹性"),
    "state": ("Decoupling state", "脱钩状态"),
    "state_zh": ("Decoupling state", "脱钩状态"),
    "driver_change": ("Growth of the driver, ΔG/G", "驱动因素增长率 ΔG/G"),
    "indicator_change": ("Growth of the indicator, ΔE/E", "指标增长率 ΔE/E"),
}
#: Abbreviations kept upper case when a name is prettified.
_ACRONYMS = {
    "gtfp": "GTFP", "tfp": "TFP", "gdp": "GDP", "co2": "CO$_2$", "so2": "SO$_2$",
    "cod": "COD", "fdi": "FDI", "rd": "R&D", "ml": "ML", "gml": "GML",
    "ec": "EC", "tc": "TC", "pech": "PECH", "sech": "SECH", "bpc": "BPC",
    "cv": "CV", "sd": "SD", "dea": "DEA", "sbm": "SBM", "ebm": "EBM",
    "ddf": "DDF", "sfa": "SFA", "lisa": "LISA", "pm25": "PM2.5", "pc": "per capita",
}  # fmt: skip
#: The figures' own words.
_WORDS: dict[str, tuple[str, str]] = {
    "density": ("Density", "核密度"),
    "mean": ("Mean {}", "{}均值"),
    "units": ("Number of units", "单元数"),
    "dispersion": ("Dispersion", "离散程度"),
    "standardised": ("{} (standardised)", "{}（标准化）"),
    "spatial lag": ("Spatial lag of {}", "{}的空间滞后"),
    "value": ("value", "变量"),
    "placebo coefficient": ("Placebo coefficient", "安慰剂检验系数"),
    "placebo histogram": ("placebo coefficients", "安慰剂检验系数分布"),
    "placebo title": (
        "Distribution of {n} placebo coefficients",
        "{n} 次随机分配的安慰剂检验系数分布",
    ),
    "placebo coefficient of": ("Placebo coefficient of {}", "{}的安慰剂检验系数"),
    "placebo estimate": ("actual estimate = {:.4g}", "真实估计系数 = {:.4g}"),
    "placebo share": (
        "|placebo| ≥ |estimate| in {k} of {n}:\nempirical p = {p:.3f}",
        "|安慰剂系数| ≥ |真实估计|：{k}/{n}\n经验 p 值 = {p:.3f}",
    ),
    "kernel density": ("kernel density", "核密度曲线"),
    "no state": ("no state (driver unchanged)", "无状态（驱动因素不变）"),
}


def language_of(language: str | None, *shown: object) -> str:
    """``language`` checked, or "zh" when any of the texts ``shown`` is Chinese.

    A CJK font is switched on (:func:`use_cjk_font`) when Chinese will be drawn.
    """
    if language is None:
        chinese = any(_CJK.search(str(t)) for t in shown if t is not None)
        language = "zh" if chinese else "en"
    if language not in ("en", "zh"):
        raise DataError(f"language must be 'en' or 'zh', not {language!r}")
    _needs_cjk(*shown, "中" if language == "zh" else None)
    return language


def readable_name(
    name: Any, labels: Mapping[Any, str] | None = None, language: str = "en"
) -> str:
    """The label shown for a column name.

    The user's ``labels`` first; a Chinese name as it is; then the names of
    spatialgreen's tables in ``language``; else the name prettified (underscores
    to spaces, abbreviations such as GDP upper case, CO₂ and SO₂ in matplotlib's
    math text, which every font draws; ``cum`` -> "Cumulative", first letter
    capitalised).

    Examples
    --------
    >>> [readable_name(n) for n in ("gtfp_cum", "gdp_pc", "co2_intensity")]
    ['Cumulative GTFP', 'GDP per capita', 'CO$_2$ intensity']
    >>> readable_name("cv", language="zh"), readable_name("gtfp", {"gtfp": "绿色TFP"})
    ('变异系数', '绿色TFP')
    """
    if labels is not None and name in labels:
        return str(labels[name])
    text = str(name)
    if _CJK.search(text):
        return text
    if text.lower() in _NAMES:
        return _NAMES[text.lower()][language == "zh"]
    tokens = [t for t in re.split(r"[_\s]+", text) if t]
    cumulative = any(t.lower() in ("cum", "cumulative") for t in tokens)
    words = [
        _ACRONYMS.get(t.lower(), t)
        for t in tokens
        if t.lower() not in ("cum", "cumulative")
    ]
    out = " ".join((["cumulative"] if cumulative else []) + words)
    return (
        out[:1].upper() + out[1:] if out[:1].islower() and words[:1] != ["ln"] else out
    )


def word(key: str, language: str, *args: Any, **kwargs: Any) -> str:
    """One of the figures' own words in ``language``, formatted with ``args``.

    A name put inside an English phrase loses its capital ("Mean cumulative
    GTFP"), unless it starts with an abbreviation.
    """
    if language != "zh" and _WORDS[key][0].find("{}") > 0:
        args = tuple(_decapitalise(str(a)) for a in args)
    return _WORDS[key][language == "zh"].format(*args, **kwargs)


def _decapitalise(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def integer_ticks(axis: Any, values: Any) -> None:
    """Whole-number ticks on ``axis`` when every value is whole (years)."""
    import numpy as np
    from matplotlib.ticker import MaxNLocator

    numbers = np.asarray(values)
    if numbers.dtype.kind in "iu" or (
        numbers.dtype.kind == "f" and np.allclose(numbers, np.round(numbers))
    ):
        axis.set_major_locator(MaxNLocator(integer=True))
