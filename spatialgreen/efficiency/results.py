"""Results objects of the efficiency models and productivity indices."""

from __future__ import annotations

import dataclasses
from typing import Any

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
        ``score`` NaN only then), ``super`` (True where the super-efficiency LP gave the
        score) and model-specific columns (``theta``, ``phi``, ``beta``, ...).
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

    @property
    def score(self) -> pd.Series:
        """The scores as a Series indexed by unit (and time)."""
        keys = [c for c in (self.meta.get("unit"), self.meta.get("time")) if c]
        return self.scores.set_index(keys)["score"]


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
