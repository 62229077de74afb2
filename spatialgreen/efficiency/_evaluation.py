"""Evaluations (the engine's solutions for a set of observations) and the tidy
result tables built from them."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._data import Prepared
from ._lp import STATUS_NAMES
from .results import EfficiencyResults

__all__ = [
    "EFFICIENT_TOL",
    "Evaluation",
    "build_results",
    "empty_evaluation",
    "subset",
]

EFFICIENT_TOL = 1e-6


@dataclasses.dataclass
class Evaluation:
    """Solutions for a set of evaluated observations (global observation indices).

    λ is stored as sparse triplets: ``lam_row`` (row of this evaluation, ascending),
    ``lam_index`` (global observation index of the peer) and ``lam_value``.
    ``ties`` flags rows whose optimum may not be unique (only where asked for).
    """

    obs: np.ndarray
    status: np.ndarray
    score: np.ndarray
    targets: np.ndarray
    slacks: np.ndarray
    lam_row: np.ndarray
    lam_index: np.ndarray
    lam_value: np.ndarray
    extras: dict[str, np.ndarray]
    super_used: np.ndarray
    ties: np.ndarray | None = None

    def replace(self, positions: np.ndarray, other: Evaluation) -> None:
        """Overwrite the rows ``positions`` with ``other`` (same order)."""
        for name in ("status", "score", "targets", "slacks", "super_used"):
            getattr(self, name)[positions] = getattr(other, name)
        for name, arr in other.extras.items():
            if name in self.extras:
                self.extras[name][positions] = arr
        if self.ties is not None and other.ties is not None:
            self.ties[positions] = other.ties
        kept = ~np.isin(self.lam_row, positions)
        row = np.concatenate([self.lam_row[kept], positions[other.lam_row]])
        order = np.argsort(row, kind="stable")
        self.lam_row = row[order]
        self.lam_index = np.concatenate([self.lam_index[kept], other.lam_index])[order]
        self.lam_value = np.concatenate([self.lam_value[kept], other.lam_value])[order]


def empty_evaluation(obs: np.ndarray, k_extras: dict, d: int) -> Evaluation:
    n = obs.size
    return Evaluation(
        obs,
        np.full(n, 3, np.int8),
        np.full(n, np.nan),
        np.full((n, d), np.nan),
        np.full((n, d), np.nan),
        np.zeros(0, np.int64),
        np.zeros(0, np.int64),
        np.zeros(0),
        {k: np.full(n, np.nan) for k in k_extras},
        np.zeros(n, dtype=bool),
    )


def subset(ev: Evaluation, mask: np.ndarray) -> Evaluation:
    """The rows of ``ev`` where ``mask``."""
    idx = np.flatnonzero(mask)
    new_row = np.cumsum(mask) - 1  # old row -> new row
    keep = np.asarray(mask)[ev.lam_row]
    return Evaluation(
        ev.obs[idx],
        ev.status[idx],
        ev.score[idx],
        ev.targets[idx],
        ev.slacks[idx],
        new_row[ev.lam_row[keep]],
        ev.lam_index[keep],
        ev.lam_value[keep],
        {k: a[idx] for k, a in ev.extras.items()},
        ev.super_used[idx],
        None if ev.ties is None else ev.ties[idx],
    )


def _key_frame(prep: Prepared, obs: np.ndarray) -> pd.DataFrame:
    return prep.keys.iloc[obs].reset_index(drop=True)


def build_results(
    prep: Prepared,
    ev: Evaluation,
    meta: dict[str, Any],
    *,
    score_columns: Sequence[str] = (),
) -> EfficiencyResults:
    """Tidy result tables from an evaluation, in the caller's row order."""
    order = np.argsort(ev.obs, kind="stable")
    obs = ev.obs[order]
    keys = _key_frame(prep, obs)
    status = np.array([STATUS_NAMES[int(c)] for c in ev.status[order]], dtype=object)
    scores = keys.copy()
    scores["score"] = ev.score[order]
    scores["status"] = status
    scores["super"] = ev.super_used[order]
    for name in score_columns:
        if name in ev.extras:
            scores[name] = ev.extras[name][order]
    names = list(prep.variables)
    slacks = pd.concat([keys, pd.DataFrame(ev.slacks[order], columns=names)], axis=1)
    targets = pd.concat([keys, pd.DataFrame(ev.targets[order], columns=names)], axis=1)
    decomposition = _decomposition(prep, keys, prep.values[obs], ev.targets[order])
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)  # row of ev -> row of the tables
    lam_row = rank[ev.lam_row]
    by_row = np.argsort(lam_row, kind="stable")
    lambdas, peers = _lambda_tables(
        prep, keys, lam_row[by_row], ev.lam_index[by_row], ev.lam_value[by_row]
    )
    bad = status != "optimal"
    infeasible = keys.loc[bad].reset_index(drop=True)
    infeasible["status"] = status[bad]
    meta = {
        **meta,
        "unit": prep.unit,
        "time": prep.time,
        "inputs": list(prep.inputs),
        "outputs": list(prep.outputs),
        "bad_outputs": list(prep.bad_outputs),
        "n_infeasible": int(bad.sum()),
    }
    return EfficiencyResults(
        scores, slacks, targets, lambdas, peers, decomposition, infeasible, meta
    )


def _decomposition(
    prep: Prepared, keys: pd.DataFrame, values: np.ndarray, targets: np.ndarray
) -> pd.DataFrame:
    m, s, _ = prep.dims
    improvement = np.zeros_like(targets)
    np.divide(values - targets, values, out=improvement, where=values > 0)
    improvement[np.isnan(targets)] = np.nan
    improvement[:, m : m + s] *= -1.0
    improvement = np.clip(
        improvement, 0.0, None
    )  # super-efficiency room is not inefficiency
    total = improvement.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(
            total[:, None] > EFFICIENT_TOL, improvement / total[:, None], 0.0
        )
    share = np.where(np.isnan(total)[:, None], np.nan, share)
    out = keys.copy()
    out["total"] = total
    for j, name in enumerate(prep.variables):
        out[name] = share[:, j]
    return out


def _lambda_tables(
    prep: Prepared,
    keys: pd.DataFrame,
    row: np.ndarray,
    idx: np.ndarray,
    val: np.ndarray,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """λ and peer tables from sparse triplets (rows of ``keys``, ascending)."""
    counts = np.bincount(row, minlength=len(keys)).astype(np.int64)
    lambdas = keys.iloc[row].reset_index(drop=True)
    lambdas["peer_unit"] = prep.keys[prep.unit].to_numpy()[idx]
    if prep.time:
        lambdas["peer_time"] = prep.keys[prep.time].to_numpy()[idx]
    lambdas["lambda"] = val
    labels = prep.keys[prep.unit].astype(str)
    if prep.time:
        labels = labels + "@" + prep.keys[prep.time].astype(str)
    labels_arr = labels.to_numpy()
    peers = keys.copy()
    peers["n_peers"] = counts
    bounds = np.r_[0, np.cumsum(counts)]
    peers["peers"] = [
        "; ".join(labels_arr[idx[a:b]]) for a, b in itertools.pairwise(bounds)
    ]
    return lambdas, peers
