"""Industrial structure and agglomeration indices from sector values.

Inputs are columns of a long (unit, year) panel holding a value per sector
(employment or value added); shares and national references are computed year by
year over the units of the panel, so the panel should cover the reference area
(e.g. all 30 provinces for national shares). Every function returns a new Series
aligned with the rows of the input.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import DataError
from ._checks import back_to_rows, require_positive, sorted_panel

__all__ = [
    "advanced_structure_index",
    "diversification_index",
    "krugman_index",
    "location_quotient",
    "specialisation_index",
    "structure_ratio",
]


def _shares(
    work: pd.DataFrame, industries: Sequence[str], *, unit: str, time: str
) -> tuple[np.ndarray, np.ndarray]:
    """Industry values (n × J) and each row's share matrix; rows must sum to > 0."""
    if len(industries) < 2:
        raise DataError(
            f"at least two industry columns are needed, got {list(industries)}"
        )
    values = work[list(industries)].to_numpy(dtype=float)
    for j, col in enumerate(industries):
        bad = np.isnan(values[:, j]) | (values[:, j] < 0)
        if bad.any():
            where = [
                f"{unit}={u}, {time}={t}"
                for u, t in zip(work.loc[bad, unit], work.loc[bad, time], strict=True)
            ][:12]
            raise DataError(
                f"industry column {col!r} must be >= 0 and not missing; "
                f"offending cells: {'; '.join(where)}"
            )
    total = values.sum(axis=1)
    zero = total <= 0
    if zero.any():
        where = [
            f"{unit}={u}, {time}={t}"
            for u, t in zip(work.loc[zero, unit], work.loc[zero, time], strict=True)
        ][:12]
        raise DataError(
            f"industries {list(industries)} sum to 0 at: {'; '.join(where)}"
        )
    return values, values / total[:, None]


def location_quotient(
    data: pd.DataFrame,
    sector: str,
    total: str,
    *,
    national_sector: str | None = None,
    national_total: str | None = None,
    unit: str = "unit",
    time: str = "year",
    name: str | None = None,
) -> pd.Series:
    """Location quotient of a sector.

    .. math:: LQ_{it} = \\frac{x_{it} / X_{it}}{x_{\\cdot t} / X_{\\cdot t}}

    :math:`x` is the sector (e.g. high-tech enterprises, producer-service jobs),
    :math:`X` the total (all industrial enterprises, all jobs); the reference
    :math:`x_{\\cdot t}/X_{\\cdot t}` is the sum over the panel's units in year
    :math:`t`, or the national columns when given. LQ > 1: the unit is more
    specialised in the sector than the reference (the NQPF study's high-tech
    agglomeration, after Lu Yuxiu 2024).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"unit": ["a", "b"], "year": [2020, 2020],
    ...                    "hi": [30.0, 10.0], "all": [100.0, 100.0]})
    >>> location_quotient(df, "hi", "all").round(6).tolist()  # .3/(40/200), .1/.2
    [1.5, 0.5]
    """
    national = [c for c in (national_sector, national_total) if c is not None]
    if len(national) == 1:
        raise DataError("give both national_sector and national_total, or neither")
    work, order = sorted_panel(data, [sector, total, *national], unit=unit, time=time)
    require_positive(work, [total, *national], unit=unit, time=time)
    if national:
        reference = work[national_sector] / work[national_total]
    else:
        sums = work.groupby(time)[[sector, total]].transform("sum")
        reference = sums[sector] / sums[total]
    values = (work[sector] / work[total] / reference).to_numpy()
    return back_to_rows(values, order, data.index, name or f"{sector}_lq")


def specialisation_index(
    data: pd.DataFrame,
    industries: Sequence[str],
    *,
    unit: str = "unit",
    time: str = "year",
    name: str = "specialisation",
) -> pd.Series:
    """Specialisation index of Ezcurra, Pascual & Rapún (2006).

    .. math:: SP_{it} = \\sum_j \\left| s_{ijt} - s_{jt} \\right|, \\qquad
              s_{ijt} = \\frac{E_{ijt}}{\\sum_j E_{ijt}}, \\quad
              s_{jt} = \\frac{\\sum_i E_{ijt}}{\\sum_i \\sum_j E_{ijt}}

    :math:`E_{ijt}` is employment of industry :math:`j` (e.g. the producer-service
    industries: transport, information, finance, leasing and business services,
    research) in unit :math:`i`; the reference share is that of all units of the
    panel in the same year. 0 = the unit's structure equals the reference; the
    maximum is 2. The NQPF study's specialised producer-service agglomeration
    (prof) follows Ezcurra et al.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"unit": ["a", "b"], "year": [2020, 2020],
    ...                    "fin": [30.0, 10.0], "it": [10.0, 30.0]})
    >>> specialisation_index(df, ["fin", "it"]).tolist()   # |0.75-0.5| + |0.25-0.5|
    [0.5, 0.5]
    """
    work, order = sorted_panel(data, list(industries), unit=unit, time=time)
    values, share = _shares(work, industries, unit=unit, time=time)
    years = work[time].to_numpy()
    out = np.empty(len(work))
    for year in np.unique(years):
        rows = years == year
        ref = values[rows].sum(axis=0) / values[rows].sum()
        out[rows] = np.abs(share[rows] - ref).sum(axis=1)
    return back_to_rows(out, order, data.index, name)


def krugman_index(
    data: pd.DataFrame,
    industries: Sequence[str],
    *,
    unit: str = "unit",
    time: str = "year",
    name: str = "krugman",
) -> pd.Series:
    """Krugman specialisation (dissimilarity) index against the rest of the panel.

    .. math:: KSI_{it} = \\sum_j \\left| s_{ijt} - \\bar s_{-i,jt} \\right|, \\qquad
              \\bar s_{-i,jt} = \\frac{\\sum_{k \\ne i} E_{kjt}}
                                     {\\sum_{k \\ne i} \\sum_j E_{kjt}}

    Krugman (1991, *Geography and Trade*) compared two regions; the regional form
    comparing each unit with all the others is that of Midelfart-Knarvik et al.
    (2000). Ranges from 0 (same structure) to 2 (no industry in common). Every
    year needs at least two units.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"unit": ["a", "b", "c"], "year": [2020] * 3,
    ...                    "m": [30.0, 10.0, 10.0], "s": [10.0, 30.0, 10.0]})
    >>> krugman_index(df, ["m", "s"]).round(4).tolist()
    [0.8333, 0.8333, 0.0]

    For ``a`` the others (b, c) have m = 20, s = 40, shares (1/3, 2/3), so
    :math:`|0.75 - 1/3| + |0.25 - 2/3| = 0.8333`; for ``c`` the others have equal
    shares, like ``c`` itself.
    """
    work, order = sorted_panel(data, list(industries), unit=unit, time=time)
    values, share = _shares(work, industries, unit=unit, time=time)
    years = work[time].to_numpy()
    out = np.empty(len(work))
    for year in np.unique(years):
        rows = np.flatnonzero(years == year)
        if len(rows) < 2:
            raise DataError(f"krugman_index needs at least two units in {time}={year}")
        total = values[rows].sum(axis=0)
        others = total[None, :] - values[rows]
        ref = others / others.sum(axis=1, keepdims=True)
        out[rows] = np.abs(share[rows] - ref).sum(axis=1)
    return back_to_rows(out, order, data.index, name)


def diversification_index(
    data: pd.DataFrame,
    industries: Sequence[str],
    *,
    unit: str = "unit",
    time: str = "year",
    name: str = "diversification",
) -> pd.Series:
    """Diversification as the inverse Herfindahl index of industry shares.

    .. math:: DV_{it} = \\frac{1}{\\sum_j s_{ijt}^2}, \\qquad
              s_{ijt} = \\frac{E_{ijt}}{\\sum_j E_{ijt}}

    Between 1 (one industry only) and :math:`J` (all industries equal): the
    "number-equivalent" of industries. The NQPF study measures diversified
    producer-service agglomeration (mul) with the diversification index of Han
    Feng et al. (2014) without printing its formula; this is the inverse-Herfindahl
    form of that literature. Variants that exclude the own industry (Combes 2000)
    differ; compute them from the same columns if a study requires them.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"unit": ["a", "b"], "year": [2020, 2020],
    ...                    "fin": [30.0, 20.0], "it": [10.0, 20.0]})
    >>> diversification_index(df, ["fin", "it"]).tolist()   # 1/(0.75²+0.25²), 1/0.5
    [1.6, 2.0]
    """
    work, order = sorted_panel(data, list(industries), unit=unit, time=time)
    _, share = _shares(work, industries, unit=unit, time=time)
    return back_to_rows(1.0 / (share**2).sum(axis=1), order, data.index, name)


def structure_ratio(
    data: pd.DataFrame,
    secondary: str,
    tertiary: str,
    *,
    unit: str = "unit",
    time: str = "year",
    name: str = "structure_ratio",
) -> pd.Series:
    """Industrial-structure upgrading as tertiary over secondary value added.

    .. math:: TS_{it} = VA^{(3)}_{it} / VA^{(2)}_{it}

    Gan Chunhui, Zheng Ruogu & Yu Dianfan (2011, 经济研究 46(5): 4–16), the NQPF
    study's mediator; higher = more service-oriented.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"unit": ["a"], "year": [2020], "va2": [40.0], "va3": [50.0]})
    >>> structure_ratio(df, "va2", "va3").tolist()
    [1.25]
    """
    work, order = sorted_panel(data, [secondary, tertiary], unit=unit, time=time)
    require_positive(work, [secondary], unit=unit, time=time)
    return back_to_rows(
        (work[tertiary] / work[secondary]).to_numpy(), order, data.index, name
    )


def advanced_structure_index(
    data: pd.DataFrame,
    primary: str,
    secondary: str,
    tertiary: str,
    *,
    method: Literal["level", "angle"] = "level",
    unit: str = "unit",
    time: str = "year",
    name: str | None = None,
) -> pd.Series:
    """Advanced (高级化) industrial-structure index from the three sectors' values.

    With shares :math:`s_m = VA^{(m)} / \\sum_k VA^{(k)}`, :math:`m = 1, 2, 3`:

    * ``"level"`` — the structure-level coefficient (产业结构层次系数) of Xu Min &
      Jiang Yong (2015, 数量经济技术经济研究 32(3): 3–21):
      :math:`H = \\sum_{m=1}^{3} m \\, s_m`, between 1 and 3.
    * ``"angle"`` — Fu Linghui (2010, 统计研究 27(8): 79–81): the angles
      :math:`\\theta_j = \\arccos\\big(s_j / \\sqrt{\\textstyle\\sum_m s_m^2}\\big)`
      between the share vector and the unit vectors, combined as
      :math:`W = \\sum_{k=1}^{3} \\sum_{j=1}^{k} \\theta_j
      = 3\\theta_1 + 2\\theta_2 + \\theta_3`.

    Both increase as value added moves from primary to secondary to tertiary.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"unit": ["a"], "year": [2020],
    ...                    "va1": [10.0], "va2": [40.0], "va3": [50.0]})
    >>> advanced_structure_index(df, "va1", "va2", "va3").tolist()  # .1 + .8 + 1.5
    [2.4]
    >>> w = advanced_structure_index(df, "va1", "va2", "va3", method="angle")
    >>> w.round(4).tolist()   # 3*1.41587 + 2*0.90560 + 0.68957
    [6.7484]
    """
    if method not in ("level", "angle"):
        raise DataError(f"method must be 'level' or 'angle', got {method!r}")
    cols = [primary, secondary, tertiary]
    work, order = sorted_panel(data, cols, unit=unit, time=time)
    _, share = _shares(work, cols, unit=unit, time=time)
    if method == "level":
        values = share @ np.array([1.0, 2.0, 3.0])
    else:
        theta = np.arccos(
            np.clip(share / np.linalg.norm(share, axis=1, keepdims=True), -1, 1)
        )
        values = theta @ np.array([3.0, 2.0, 1.0])
    return back_to_rows(
        values, order, data.index, name or f"advanced_structure_{method}"
    )
