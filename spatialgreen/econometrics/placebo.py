"""Placebo tests of the core regressor: permutations, pseudo-treated units, moved dates.

The core regressor is randomly reassigned R times and the identical specification is
re-estimated each time. Schemes (``permute=``):

* ``"all"``, ``"within_time"``, ``"within_unit"``: shuffle the cells over all
  observations, among units within each year, or over the years of each unit.
* ``"units"``: whole units exchange their paths of the core regressor — the
  standard "randomly choose as many pseudo-treated provinces as there are treated
  ones" test of DID papers. With a DID treatment column each draw makes k random
  units pseudo-treated (k = the number of treated units), each with the timing of
  a real treated unit, so treatment stays persistent within units. Cell-level
  shuffles break that persistence and, with serially correlated errors, give a far
  too narrow placebo distribution.
* ``"time"`` (in-time placebo, for a 0/1 treatment that stays on once switched on):
  the treated units keep their status and each cohort (units first treated in the
  same year) gets a random pseudo policy year drawn from the sample years after the
  first; never-treated units stay untreated.

Only the core column changes, so the outcome and the controls are within-transformed
once; each draw's columns are projected in one batch and the coefficient and its
standard error follow from the Frisch–Waugh–Lovell theorem with the same covariance
convention as the baseline fit (tests pin both to linearmodels).
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Sequence
from typing import Any, Literal, TypeAlias, Unpack

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ..errors import ModelError, SpatialGreenWarning
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
Permute: TypeAlias = Literal["all", "within_time", "within_unit", "units", "time"]
_SCHEMES = ("all", "within_time", "within_unit", "units", "time")


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
        with pd.option_context("display.float_format", "{:.4f}".format):
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
    permute: Permute = "all",
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
    permute : {"all", "within_time", "within_unit", "units", "time"}
        Shuffle cells over all observations, among units within each year or over
        the years of each unit; ``"units"``: whole units exchange their paths
        (pseudo-treated units keep real treatment timings; in an unbalanced sample
        only units observed in the same years exchange, with a warning);
        ``"time"``: random pseudo policy years per cohort of a 0/1 treatment that
        stays on (see the module notes).
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
    if permute not in _SCHEMES:
        raise ModelError(f"permute must be one of {_SCHEMES}, got {permute!r}")
    core, others = xs[0], xs[1:]
    ctrls = [*others, *[c for c in _as_list(controls) if c not in xs]]
    frame, dropped = battery_sample(
        data,
        [y, core, *ctrls],
        unit=unit,
        time=time,
        fe_options=fe_options,
        who="placebo",
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
    draw, scheme = _scheme(frame, permute, core=core, unit=unit, time=time, reps=reps)
    chunks = [min(_CHUNK, reps - s) for s in range(0, reps, _CHUNK)]
    parts = []
    for size in tqdm(chunks, desc="placebo", disable=progress_disabled(progress)):
        parts.append(design.estimate_columns(draw(rng, size)))
    coef, se = (np.concatenate(p) for p in zip(*parts, strict=True))
    tvals = coef / se
    df_t = baseline.df_inference
    pvals = p_values(tvals, np.full(len(tvals), np.nan if df_t is None else df_t))
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
        "dropped_missing": dropped,
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
        **scheme,
        "randomization_p": "two-sided, (#{|b_r| >= |b|} + 1)/(R + 1)",
    }
    return PlaceboResults(draws, table, meta, baseline)


_Draw: TypeAlias = Callable[[np.random.Generator, int], np.ndarray]


def _scheme(
    frame: pd.DataFrame,
    permute: str,
    *,
    core: str,
    unit: str,
    time: str,
    reps: int,
) -> tuple[_Draw, dict[str, Any]]:
    """The draw function of a scheme (R × n core columns) and what meta records.

    ``frame`` is sorted by (unit, time), as :func:`battery_sample` returns it.
    """
    x = frame[core].to_numpy(dtype=float)
    unit_codes = codes(frame[unit])[0]
    time_codes, n_periods = codes(frame[time])
    if permute == "units":
        blocks, fixed = _unit_blocks(unit_codes, time_codes)
        if not blocks:
            raise ModelError(
                "permute='units': no two units are observed in the same years, so "
                "no unit can take another's path; balance the sample"
            )
        if fixed or len(blocks) > 1:
            labels = frame[unit].to_numpy()[np.searchsorted(unit_codes, fixed)]
            warnings.warn(
                "permute='units' on an unbalanced sample: units exchange paths only "
                f"with units observed in the same years ({len(blocks)} groups); "
                f"{len(fixed)} unit(s) observed in years no other unit shares keep "
                f"their own path{': ' if fixed else ''}"
                + ", ".join(map(str, labels[:5]))
                + (", ..." if len(fixed) > 5 else ""),
                SpatialGreenWarning,
                stacklevel=3,
            )

        def draw_units(rng: np.random.Generator, size: int) -> np.ndarray:
            return x[
                np.stack([_unit_permutation(rng, len(x), blocks) for _ in range(size)])
            ]

        return draw_units, {"exchange_groups": len(blocks), "units_kept": len(fixed)}
    if permute == "time":
        timing = _Timing.build(frame, x, core=core, unit=unit, time=time)
        distinct = (n_periods - 1) ** timing.n_cohorts
        if distinct < reps:
            warnings.warn(
                f"permute='time': only {distinct} distinct pseudo timings exist "
                f"({timing.n_cohorts} cohort(s), {n_periods - 1} candidate years); "
                f"the {reps} draws repeat them",
                SpatialGreenWarning,
                stacklevel=3,
            )
        years = np.sort(frame[time].unique())
        return timing.draw, {
            "cohorts": {
                str(years[c]): int(n)
                for c, n in zip(timing.first, timing.sizes, strict=True)
            },
            "candidate_years": [str(v) for v in years[1:]],
        }
    group = {"all": None, "within_time": time_codes, "within_unit": unit_codes}[permute]

    def draw_cells(rng: np.random.Generator, size: int) -> np.ndarray:
        return x[np.stack([_permutation(rng, len(x), group) for _ in range(size)])]

    return draw_cells, {}


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


def _unit_blocks(
    unit_codes: np.ndarray, time_codes: np.ndarray
) -> tuple[list[np.ndarray], list[int]]:
    """Rows of the units that can exchange paths: one (units × periods) array per
    set of observed periods shared by two or more units, and the units left alone.

    Rows must be sorted by (unit, time), so a unit's rows are contiguous in time
    order and units with the same periods line up period by period.
    """
    patterns: dict[tuple[int, ...], list[np.ndarray]] = {}
    owners: dict[tuple[int, ...], list[int]] = {}
    starts = np.flatnonzero(np.r_[True, unit_codes[1:] != unit_codes[:-1]])
    for start, stop in zip(starts, [*starts[1:], len(unit_codes)], strict=True):
        key = tuple(time_codes[start:stop].tolist())
        patterns.setdefault(key, []).append(np.arange(start, stop))
        owners.setdefault(key, []).append(int(unit_codes[start]))
    blocks = [np.stack(rows) for rows in patterns.values() if len(rows) > 1]
    fixed = [owners[k][0] for k, rows in patterns.items() if len(rows) == 1]
    return blocks, fixed


def _unit_permutation(
    rng: np.random.Generator, n: int, blocks: list[np.ndarray]
) -> np.ndarray:
    """Row i receives the value of row perm[i]: every unit takes the whole path of
    a random unit observed in the same periods (a permutation of units)."""
    perm = np.arange(n)
    for rows in blocks:
        perm[rows] = rows[rng.permutation(len(rows))]
    return perm


@dataclasses.dataclass(frozen=True)
class _Timing:
    """A 0/1 treatment that stays on: cohorts by first treated period."""

    cohort: np.ndarray  # cohort index of each row (-1: never treated)
    period: np.ndarray  # time code of each row
    first: np.ndarray  # first treated time code of each cohort
    sizes: np.ndarray  # number of units of each cohort
    n_periods: int

    @property
    def n_cohorts(self) -> int:
        return len(self.first)

    @classmethod
    def build(
        cls, frame: pd.DataFrame, x: np.ndarray, *, core: str, unit: str, time: str
    ) -> _Timing:
        if not np.isin(x, (0.0, 1.0)).all():
            bad = frame.loc[~np.isin(x, (0.0, 1.0))].iloc[0]
            raise ModelError(
                f"permute='time' needs a 0/1 treatment column; {core!r} is "
                f"{bad[core]!r} at {unit}={bad[unit]}, {time}={bad[time]}"
            )
        unit_codes = codes(frame[unit])[0]
        period, n_periods = codes(frame[time])
        same_unit = unit_codes[1:] == unit_codes[:-1]
        off = np.flatnonzero(same_unit & (x[1:] < x[:-1]))
        if off.size:
            row = frame.iloc[off[0] + 1]
            raise ModelError(
                f"permute='time' needs a treatment that stays on once switched on; "
                f"{core!r} goes from 1 to 0 at {unit}={row[unit]}, {time}={row[time]}"
            )
        # first treated period of each unit (n_periods: never treated)
        first_of_unit = (
            pd.Series(np.where(x == 1, period, n_periods))
            .groupby(unit_codes)
            .min()
            .to_numpy()
        )
        ever = first_of_unit < n_periods
        if not ever.any():
            raise ModelError(f"permute='time': {core!r} is never 1 (no treated unit)")
        first, index = np.unique(first_of_unit[ever], return_inverse=True)
        unit_cohort = np.full(len(first_of_unit), -1)
        unit_cohort[ever] = index
        sizes = np.bincount(index, minlength=len(first))
        return cls(unit_cohort[unit_codes], period, first, sizes, n_periods)

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Treatment columns with a random first period (1..T−1) per cohort."""
        pseudo = rng.integers(1, self.n_periods, size=(size, self.n_cohorts))
        start = pseudo[:, self.cohort.clip(0)]
        on = (self.period[None, :] >= start) & (self.cohort >= 0)[None, :]
        return on.astype(float)


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
        return self.estimate_columns(self.x[perms])

    def estimate_columns(self, columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Coefficients and SEs with each row of ``columns`` as the core regressor."""
        xp = demean(columns.T, self.groups)
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
