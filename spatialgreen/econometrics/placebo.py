"""Permutation placebo test of the core regressor (Chetty, Looney & Kroft 2009 style).

The core regressor is randomly reassigned (over all observations, within years or
within units) R times and the identical specification is re-estimated each time.
Only the permuted column changes, so the outcome and the controls are
within-transformed once; each draw's permuted columns are projected in one batch and
the coefficient and its standard error follow from the Frisch–Waugh–Lovell theorem
with the same covariance convention as the baseline fit (tests pin both to
linearmodels).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Literal, Unpack

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ..errors import ModelError
from ..results import Results, p_values
from ._design import (
    FixedEffectsOptions,
    _as_list,
    battery_sample,
    cluster_sums,
    codes,
    demean,
    effect_groups,
    progress_disabled,
)
from .fixed_effects import FixedEffectsResults, fixed_effects

__all__ = ["PlaceboResults", "placebo"]

_CHUNK = 200


@dataclasses.dataclass(frozen=True)
class PlaceboResults(Results):
    """Results of :func:`placebo`.

    Attributes
    ----------
    draws : pandas.DataFrame
        One row per permutation: estimate, std_error, statistic (t), p.
    summary_table : pandas.DataFrame
        estimate, mean, sd, share of draws with ``|b_r| ≥ |b̂|``, randomisation
        p-value ``(#{|b_r| ≥ |b̂|} + 1)/(R + 1)`` (two-sided), share of draws
        significant at 10 %, 5 % and 1 %.
    meta : dict
    baseline : FixedEffectsResults
        The real estimate (linearmodels).
    """

    draws: pd.DataFrame
    summary_table: pd.DataFrame
    meta: dict = dataclasses.field(default_factory=dict)
    baseline: FixedEffectsResults | None = dataclasses.field(
        default=None, repr=False, compare=False
    )

    def _value(self, name: str) -> float:
        return float(self.summary_table.set_index("statistic").loc[name, "value"])

    @property
    def coefficients(self) -> pd.Series:
        """Placebo coefficients (the ``estimate`` column of ``draws``)."""
        return self.draws["estimate"]

    @property
    def estimate(self) -> float:
        """The true coefficient of the core regressor."""
        return self._value("estimate")

    @property
    def mean(self) -> float:
        """Mean of the placebo coefficients."""
        return self._value("mean")

    @property
    def sd(self) -> float:
        """Standard deviation of the placebo coefficients."""
        return self._value("sd")

    @property
    def share_extreme(self) -> float:
        """Share of placebo coefficients with ``|b_r| ≥ |b̂|``."""
        return self._value("share_abs_ge_estimate")

    @property
    def pvalue(self) -> float:
        """Randomisation p-value ``(#{|b_r| ≥ |b̂|} + 1)/(R + 1)``."""
        return self._value("randomization_p")

    def summary(self) -> str:
        """The summary statistics of the placebo distribution."""
        m = self.meta
        return (
            f"Placebo: {m['x']} permuted {m['permute']} "
            f"({m['reps']} draws, seed {m['seed']})\n"
            + self.summary_table.to_string(index=False)
        )


def placebo(
    data: pd.DataFrame,
    *,
    y: str,
    x: str | Sequence[str],
    controls: Sequence[str] = (),
    unit: str = "unit",
    time: str = "year",
    reps: int = 1000,
    seed: int = 0,
    permute: Literal["all", "within_time", "within_unit"] = "all",
    progress: bool | None = None,
    **fe_options: Unpack[FixedEffectsOptions],
) -> PlaceboResults:
    """Permutation placebo test of the core regressor.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel (never modified).
    y : str
        Outcome.
    x : str or sequence of str
        Core regressor (the first one is permuted; others stay as regressors).
    controls : sequence of str
        Controls.
    unit, time : str
        Key columns.
    reps : int
        Number of permutations.
    seed : int
        Seed of the ``numpy.random.Generator``.
    permute : {"all", "within_time", "within_unit"}
        Shuffle over all observations, among units within each year, or over the
        years of each unit.
    progress : bool, optional
        Progress bar (default: only on a terminal).
    **fe_options
        Options of :func:`fixed_effects` (``effects``, ``cluster``, ``cov``,
        ``small_sample``, ``min_clusters``), used by the baseline and every draw.

    Returns
    -------
    PlaceboResults

    Examples
    --------
    >>> from spatialgreen import datasets
    >>> panel = datasets.example_panel()  # the real effect of x1 is 0.5
    >>> res = placebo(panel, y="y", x="x1", controls=["x2"], reps=200, seed=0)
    >>> abs(res.mean) < 0.1, res.share_extreme  # shuffled, it vanishes
    (True, 0.0)
    """
    xs = _as_list(x)
    if not xs:
        raise ModelError("x must name the regressor to permute")
    if reps < 1:
        raise ModelError(f"reps must be positive, got {reps}")
    if permute not in ("all", "within_time", "within_unit"):
        raise ModelError(
            f"permute must be 'all', 'within_time' or 'within_unit', got {permute!r}"
        )
    core, others = xs[0], xs[1:]
    ctrls = [*others, *[c for c in _as_list(controls) if c not in xs]]
    frame, dropped = battery_sample(
        data, [y, core, *ctrls], unit=unit, time=time, fe_options=fe_options
    )
    baseline = fixed_effects(
        frame,
        y=y,
        x=[core, *others],
        controls=ctrls[len(others) :],
        unit=unit,
        time=time,
        n_dropped_before=dropped,
        **fe_options,
    )
    design = _Design.build(frame, baseline, y=y, core=core, controls=ctrls)
    rng = np.random.default_rng(seed)
    group = {"all": None, "within_time": frame[time], "within_unit": frame[unit]}[
        permute
    ]
    group_codes = None if group is None else codes(group)[0]
    chunks = [min(_CHUNK, reps - s) for s in range(0, reps, _CHUNK)]
    parts = []
    for size in tqdm(chunks, desc="placebo", disable=progress_disabled(progress)):
        perms = np.stack(
            [_permutation(rng, len(frame), group_codes) for _ in range(size)]
        )
        parts.append(design.estimate(perms))
    coef, se = (np.concatenate(p) for p in zip(*parts, strict=True))
    tvals = coef / se
    pvals = p_values(tvals, np.full(len(tvals), float(baseline.df_inference)))
    draws = pd.DataFrame(
        {"estimate": coef, "std_error": se, "statistic": tvals, "p": pvals}
    )
    draws.index.name = "draw"
    estimate = float(baseline.params[core])
    extreme = int(np.sum(np.abs(coef) >= abs(estimate)))
    table = pd.DataFrame(
        {
            "statistic": [
                "estimate",
                "estimate_p_value",
                "mean",
                "sd",
                "share_abs_ge_estimate",
                "randomization_p",
                "share_p_lt_0.10",
                "share_p_lt_0.05",
                "share_p_lt_0.01",
            ],
            "value": [
                estimate,
                float(baseline.pvalues[core]),
                float(coef.mean()),
                float(coef.std(ddof=1)) if reps > 1 else np.nan,
                extreme / reps,
                (extreme + 1) / (reps + 1),
                float(np.mean(pvals < 0.10)),
                float(np.mean(pvals < 0.05)),
                float(np.mean(pvals < 0.01)),
            ],
        }
    )
    meta = {
        "model": "placebo",
        "y": y,
        "x": core,
        "controls": ctrls,
        "effects": baseline.meta["effects"],
        "cov": baseline.meta["cov"],
        "cluster": baseline.meta["cluster"],
        "small_sample": baseline.meta["small_sample"],
        "reps": reps,
        "seed": seed,
        "permute": permute,
        "randomization_p": "two-sided, (#{|b_r| >= |b|} + 1)/(R + 1)",
    }
    return PlaceboResults(draws, table, meta, baseline)


def _permutation(
    rng: np.random.Generator, n: int, group_codes: np.ndarray | None
) -> np.ndarray:
    """Row i receives the value of row perm[i]; shuffles stay inside groups."""
    if group_codes is None:
        return rng.permutation(n)
    slots = np.lexsort((np.arange(n), group_codes))  # rows grouped, in order
    shuffled = np.lexsort((rng.random(n), group_codes))  # rows grouped, random order
    perm = np.empty(n, dtype=np.int64)
    perm[slots] = shuffled
    return perm


@dataclasses.dataclass(frozen=True)
class _Design:
    """The within-transformed outcome and controls, fixed across permutations."""

    x: np.ndarray
    y_tilde: np.ndarray
    q: np.ndarray
    groups: list[tuple[np.ndarray, int]]
    cov: str
    scale: float
    cluster_codes: np.ndarray | None
    n_clusters: int

    @classmethod
    def build(
        cls,
        frame: pd.DataFrame,
        baseline: FixedEffectsResults,
        *,
        y: str,
        core: str,
        controls: list[str],
    ) -> _Design:
        meta = baseline.meta
        groups = effect_groups(
            codes(frame[meta["unit"]]), codes(frame[meta["time"]]), meta["effects"]
        )
        w = demean(frame[[y, *controls]].to_numpy(dtype=float), groups)
        q = np.linalg.qr(w[:, 1:])[0] if controls else np.zeros((len(frame), 0))
        y_tilde = w[:, 0] - q @ (q.T @ w[:, 0])
        cluster_codes, n_clusters = None, 0
        if meta["cov"] == "clustered":
            cluster_codes, n_clusters = codes(frame[meta["cluster"]])
        return cls(
            frame[core].to_numpy(dtype=float),
            y_tilde,
            q,
            groups,
            meta["cov"],
            float(meta["se_scale"]),
            cluster_codes,
            n_clusters,
        )

    def estimate(self, perms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Coefficients and SEs of the core regressor for each permutation (row)."""
        xp = demean(self.x[perms].T, self.groups)
        xp -= self.q @ (self.q.T @ xp)
        sxx = np.einsum("ij,ij->j", xp, xp)
        coef = (xp.T @ self.y_tilde) / sxx
        resid = self.y_tilde[:, None] - xp * coef
        if self.cov == "unadjusted":
            meat = np.einsum("ij,ij->j", resid, resid) * sxx
        elif self.cov == "robust":
            meat = np.einsum("ij,ij->j", xp * resid, xp * resid)
        else:
            assert self.cluster_codes is not None
            sums = cluster_sums(xp * resid, self.cluster_codes, self.n_clusters)
            meat = np.einsum("ij,ij->j", sums, sums)
        return coef, np.sqrt(self.scale * meat) / sxx
