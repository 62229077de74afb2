"""Results objects of the efficiency models and productivity indices."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..results import Results

__all__ = ["EfficiencyResults", "ProductivityResults"]


@dataclasses.dataclass(frozen=True)
class EfficiencyResults(Results):
    """Scores, slacks, projections and peers of a frontier model, by unit (and time).

    Attributes
    ----------
    scores : pandas.DataFrame
        unit, time, ``score``, ``status`` ("optimal" or "infeasible"/"unbounded", with
        ``score`` NaN only then; "undefined" for a DDF value β ≤ −1), ``super`` (True
        where the super-efficiency LP gave the score) and model-specific columns
        (``theta``, ``phi``, ``beta``, ...). ``score`` is an efficiency in every
        model: 1 on the frontier, lower is worse, above 1 for super-efficient
        observations (for the DDF ``1/(1 + β)``, with the inefficiency β in ``beta``).
    slacks : pandas.DataFrame
        unit, time and one column per input, good and bad output (named like it):
        the non-radial slack of the model (input and bad-output excess, good-output
        shortfall; negative in super-efficiency LPs, where it is the room to expand).
    targets : pandas.DataFrame
        Same layout: the projected (target) values of every variable, including the
        radial part; ``x - targets[x]`` is the total input saving.
    lambdas : pandas.DataFrame
        Long: unit, time, ``peer_unit``, ``peer_time``, ``lambda`` (non-zero only).
    peers : pandas.DataFrame
        unit, time, ``n_peers`` and ``peers`` (``"unit@time"`` joined by ``"; "``).
    decomposition : pandas.DataFrame
        unit, time, ``total`` (sum of the relative improvements ``|target - x| / x``)
        and, per variable, its share of that total (0 for an efficient unit).
    infeasible : pandas.DataFrame
        unit, time and ``status`` of every LP that has no optimal solution.
    meta : dict
        Model and options.
    """

    scores: pd.DataFrame
    slacks: pd.DataFrame
    targets: pd.DataFrame
    lambdas: pd.DataFrame
    peers: pd.DataFrame
    decomposition: pd.DataFrame
    infeasible: pd.DataFrame
    meta: dict[str, Any] = dataclasses.field(default_factory=dict)

    def _summary_statistics(self) -> dict[str, Any]:
        """Units, periods, efficient units, mean and minimum score, infeasible LPs."""
        unit, time = self.meta.get("unit", "unit"), self.meta.get("time")
        s = self.scores
        stats: dict[str, Any] = {"units": s[unit].nunique()}
        if time:
            stats["periods"] = s[time].nunique()
        score = s["score"]
        stats["observations"] = len(s)
        stats["efficient (score >= 1)"] = int((score >= 1 - 1e-9).sum())
        stats["mean score"] = float(score.mean())
        if score.notna().any():
            low = s.loc[score.idxmin()]
            where = f" ({low[unit]}{f', {low[time]}' if time else ''})"
            stats["minimum score"] = f"{score.min():.4f}{where}"
        stats["infeasible LPs"] = len(self.infeasible)
        return stats

    def _summary_tables(self) -> dict[str, pd.DataFrame]:
        """Scores by period (units, efficient, mean, sd, min, max), infeasible LPs."""
        unit, time = self.meta.get("unit", "unit"), self.meta.get("time")
        s = self.scores.assign(_all="all")
        by = s.groupby(time or "_all", sort=True)["score"]
        table = pd.DataFrame(
            {
                "units": by.size(),
                "efficient": by.apply(lambda v: int((v >= 1 - 1e-9).sum())),
                "mean": by.mean(),
                "sd": by.std(),
                "min": by.min(),
                "max": by.max(),
                "least efficient": s.loc[by.idxmin().dropna(), unit].to_numpy(),
            }
        )
        table.index.name = time
        out = {f"[scores] by {time}" if time else "[scores]": table}
        if len(self.infeasible):
            out[f"[infeasible] {len(self.infeasible)} LPs"] = self.infeasible.head(20)
        return out

    @property
    def score(self) -> pd.Series:
        """The scores as a Series indexed by unit (and time)."""
        keys = [c for c in (self.meta.get("unit"), self.meta.get("time")) if c]
        return self.scores.set_index(keys)["score"]

    def to_workbook(
        self,
        path: str | os.PathLike[str],
        *,
        names: bool = True,
        groups: Any = None,
        level: str | None = None,
    ) -> Path:
        """Write a workbook a MaxDEA user reads at once (the tidy one: ``to_excel``).

        Sheets: ``Scores`` (score, rank within each year, status), ``Scores by
        year`` (unit × year with means by unit, group and all units),
        ``Benchmarks`` (``peer(λ)``), ``Slacks``, ``Projections``, ``Infeasible``
        (when any) and ``Notes``; number formats, widths, frozen headers.

        Parameters
        ----------
        path : path-like
            The ``.xlsx`` file to write.
        names : bool
            Add Chinese and English names (名称, Name) and adcodes beside units
            that are adcodes or names of provinces or cities (a warning says when
            they are not).
        groups : str, mapping, Series or False, optional
            Group-mean rows: a built-in grouping (``"region3"``, ``"region4"``,
            ``"yreb_reach"``, ...), a column carried in ``scores``, or a mapping
            unit -> group; default ``"region3"`` (east/central/west) for Chinese
            regions, none otherwise; ``False`` for none.
        level : {"province", "city", "county"}, optional
            Level of the units (default: province, else city).

        Returns
        -------
        pathlib.Path

        Examples
        --------
        >>> import tempfile, pathlib, pandas as pd, openpyxl
        >>> from spatialgreen.efficiency import dea
        >>> df = pd.DataFrame({"unit": ["北京", "天津", "河北"], "x": [1.0, 2.0, 2.0],
        ...                    "y": [1.0, 2.0, 1.0]})
        >>> p = dea(df, inputs="x", outputs="y").to_workbook(
        ...     pathlib.Path(tempfile.mkdtemp()) / "dea.xlsx")
        >>> openpyxl.load_workbook(p).sheetnames
        ['Scores', 'Benchmarks', 'Slacks', 'Projections', 'Notes']
        """
        from ._workbook import efficiency_workbook

        return efficiency_workbook(self, path, names=names, groups=groups, level=level)


@dataclasses.dataclass(frozen=True)
class ProductivityResults(Results):
    """A productivity index per unit and pair of consecutive periods.

    Attributes
    ----------
    index : pandas.DataFrame
        the unit and time columns (named as in the data; time = the later period),
        ``prev_time``, ``index``, ``ec``, ``tc``
        (``bpc`` for GML, equal to ``tc``; ``pech`` and ``sech`` for the radial CRS
        Malmquist), ``cumulative`` (chain-linked level, first period = 1) and
        ``status`` ("ok", "infeasible" or "one_base" when only one mixed-period LP
        was solvable and ``on_infeasible="one_base"`` was used).
    distances : pandas.DataFrame
        Every efficiency score used: unit, time, ``reference`` ("own", "previous",
        "next", "global", "own_vrs"), ``score``, ``status``.
    infeasible : pandas.DataFrame
        The distance LPs without an optimal solution: unit, time, reference, status.
    meta : dict
        Model, index and options.
    """

    index: pd.DataFrame
    distances: pd.DataFrame
    infeasible: pd.DataFrame
    meta: dict[str, Any] = dataclasses.field(default_factory=dict)

    def _summary_statistics(self) -> dict[str, Any]:
        """Index, units, periods, overall geometric mean, infeasible LPs."""
        unit, time = self.meta.get("unit", "unit"), self.meta.get("time", "year")
        t = self.index
        value = t["index"].where(t["index"] > 0)
        return {
            "index": {"malmquist": "Malmquist"}.get(
                idx := self.meta.get("index", ""), str(idx).upper()
            ),
            "units": t[unit].nunique(),
            "period pairs": t[time].nunique(),
            "geometric mean of the index": float(np.exp(np.log(value).mean())),
            "progress (index > 1)": f"{int((value > 1).sum())} of {value.count()}",
            "infeasible LPs": len(self.infeasible),
        }

    def _summary_tables(self) -> dict[str, pd.DataFrame]:
        """Geometric means of every component by period pair and overall."""
        time = self.meta.get("time", "year")
        parts = [c for c in ("index", "ec", "tc", "pech", "sech", "bpc")
                 if c in self.index.columns]  # fmt: skip
        t = self.index
        logs = np.log(t[parts].where(t[parts] > 0)).assign(
            period=t["prev_time"].astype(str) + "–" + t[time].astype(str)
        )
        table = np.exp(logs.groupby("period", sort=False)[parts].mean())
        table = table.loc[sorted(table.index)]
        table.loc["all periods"] = np.exp(logs[parts].mean())
        table.insert(0, "units", logs.groupby("period")[parts[0]].count())
        table["units"] = table["units"].fillna(logs[parts[0]].count()).astype(int)
        return {"[index] geometric means by period": table}

    def to_workbook(
        self,
        path: str | os.PathLike[str],
        *,
        names: bool = True,
        groups: Any = None,
        level: str | None = None,
    ) -> Path:
        """Write a DEAP/MaxDEA-style workbook (the tidy one: ``to_excel``).

        One sheet per component — the index (``Malmquist``, ``ML`` or ``GML``),
        ``EC``, ``TC``, ``PECH``/``SECH``, ``BPC`` where present — unit × period
        with the geometric mean of each unit, each group and all units; the
        ``Cumulative`` index; ``Summary by period`` and ``Summary by unit``
        (geometric means of every component); ``Infeasible`` (when any) and
        ``Notes``. Options as :meth:`EfficiencyResults.to_workbook`.

        Examples
        --------
        >>> import tempfile, pathlib, pandas as pd, openpyxl
        >>> from spatialgreen.efficiency import productivity_index
        >>> df = pd.DataFrame({"unit": [110000, 120000, 130000] * 2,
        ...                    "year": [2020] * 3 + [2021] * 3,
        ...                    "x": [1.0, 2.0, 2.0, 1.0, 2.0, 1.5],
        ...                    "y": [1.0, 2.0, 1.0, 1.2, 2.0, 1.0]})
        >>> res = productivity_index(df, inputs="x", outputs="y", model="dea",
        ...                          index="malmquist", time="year")
        >>> p = res.to_workbook(pathlib.Path(tempfile.mkdtemp()) / "m.xlsx")
        >>> openpyxl.load_workbook(p).sheetnames[:4]
        ['Malmquist', 'EC', 'TC', 'PECH']
        """
        from ._workbook import productivity_workbook

        return productivity_workbook(
            self, path, names=names, groups=groups, level=level
        )
