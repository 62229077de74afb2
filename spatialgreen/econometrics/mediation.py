"""Mediation analysis: Baron–Kenny steps, Sobel tests and a cluster bootstrap of a·b.

The three regressions share one estimation sample, the same controls, fixed effects
and covariance, so that the total effect decomposes exactly: ``c = c' + a·b``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, Literal, Unpack

import numpy as np
import pandas as pd
from scipy import stats
from tqdm.auto import tqdm

from ..errors import ModelError, OptionError
from ..results import EstimatesMixin, Results, coefficient_table, inference
from ._design import (
    FixedEffectsOptions,
    _as_list,
    battery_sample,
    codes,
    demean,
    effect_groups,
    progress_disabled,
    within_lstsq,
)
from .fixed_effects import FixedEffectsResults, fixed_effects

__all__ = ["MediationResults", "mediation", "sobel_test"]


def sobel_test(
    a: float, se_a: float, b: float, se_b: float, *, kind: str = "sobel"
) -> tuple[float, float]:
    """z statistic and two-sided normal p-value of the indirect effect a·b.

    Sobel (1982): ``z = ab / sqrt(b² s_a² + a² s_b²)``; Aroian adds ``s_a² s_b²`` under
    the root, Goodman subtracts it. Returns NaNs when the variance under the root is
    not positive (e.g. both paths exactly zero), where the statistic is undefined.

    Examples
    --------
    >>> z, p = sobel_test(0.5, 0.1, 0.4, 0.1)
    >>> round(z, 4), round(p, 4)
    (3.1235, 0.0018)
    """
    var = b**2 * se_a**2 + a**2 * se_b**2
    extra = {"sobel": 0.0, "aroian": 1.0, "goodman": -1.0}
    if kind not in extra:
        raise ModelError(f"kind must be 'sobel', 'aroian' or 'goodman', got {kind!r}")
    var += extra[kind] * se_a**2 * se_b**2
    if var <= 0:
        return float("nan"), float("nan")
    z = a * b / np.sqrt(var)
    return float(z), float(2 * stats.norm.sf(abs(z)))


@dataclasses.dataclass(frozen=True)
class MediationResults(EstimatesMixin, Results):
    """Results of :func:`mediation`.

    Attributes
    ----------
    effects : pandas.DataFrame
        Column ``effect`` names the rows ``total`` (c), ``a`` (x → mediator), ``b``
        (mediator → y), ``direct`` (c'), ``indirect`` (a·b) and ``proportion``
        (a·b / c); the other columns hold ``estimate``, ``std_error``, ``p``
        and the bootstrap percentile (``ci_low``, ``ci_high``) and bias-corrected
        (``bc_low``, ``bc_high``) intervals of a·b and of the proportion.
    tests : pandas.DataFrame
        Sobel, Aroian and Goodman z tests.
    draws : pandas.DataFrame
        Bootstrap draws of a, b and a·b (failed draws are absent; see ``meta``).
    models : dict of FixedEffectsResults
        ``total`` (y on x), ``mediator`` (m on x), ``outcome`` (y on x and m).
    coefficients : pandas.DataFrame
        The regression paths ``total`` (c), ``a``, ``b`` and ``direct`` (c') in the
        common coefficient layout (t with each model's degrees of freedom), so
        ``params``, ``pvalues``, ``conf_int`` ... work as for any estimator.
    """

    effects: pd.DataFrame
    tests: pd.DataFrame
    draws: pd.DataFrame
    meta: dict = dataclasses.field(default_factory=dict)
    models: dict[str, FixedEffectsResults] = dataclasses.field(
        default_factory=dict, repr=False, compare=False
    )
    coefficients: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)

    def _est(self, row: str) -> float:
        return float(self.effects.set_index("effect").loc[row, "estimate"])

    @property
    def a(self) -> float:
        """Effect of x on the mediator."""
        return self._est("a")

    @property
    def b(self) -> float:
        """Effect of the mediator on y given x."""
        return self._est("b")

    @property
    def total(self) -> float:
        """Total effect c of x on y."""
        return self._est("total")

    @property
    def direct(self) -> float:
        """Direct effect c' of x on y given the mediator."""
        return self._est("direct")

    @property
    def indirect(self) -> float:
        """Indirect effect a·b."""
        return self._est("indirect")

    @property
    def proportion_mediated(self) -> float:
        """a·b / c."""
        return self._est("proportion")

    @property
    def sobel_z(self) -> float:
        """Sobel z statistic."""
        return float(self.tests.set_index("test").loc["sobel", "z"])

    @property
    def sobel_p(self) -> float:
        """Two-sided p-value of the Sobel test."""
        return float(self.tests.set_index("test").loc["sobel", "p_value"])

    @property
    def ci(self) -> tuple[float, float]:
        """Bootstrap interval of a·b (method chosen by ``ci_method``)."""
        row = self.effects.set_index("effect").loc["indirect"]
        if self.meta["ci_method"] == "bc":
            return float(row["bc_low"]), float(row["bc_high"])
        return float(row["ci_low"]), float(row["ci_high"])

    def summary(self) -> str:
        """The effects table and the Sobel tests."""
        from ..results import STAR_NOTE, format_coefficients

        m = self.meta
        with pd.option_context(
            "display.width", 120, "display.float_format", "{:.4f}".format
        ):
            return (
                f"Mediation: {m['x']} → {m['mediator']} → {m['y']}"
                f" ({m['bootstrap']} bootstrap draws, {m['resample']})\n"
                f"{format_coefficients(self.effects.set_index('effect')).to_string()}"
                f"\n({STAR_NOTE})\n{self.tests.to_string(index=False)}"
            )


def mediation(
    data: pd.DataFrame,
    *,
    y: str,
    x: str,
    mediator: str,
    controls: Sequence[str] = (),
    unit: str = "unit",
    time: str = "year",
    bootstrap: int = 1000,
    seed: int = 0,
    resample: Literal["units", "observations"] = "units",
    level: float = 0.95,
    ci_method: Literal["percentile", "bc"] = "percentile",
    progress: bool | None = None,
    **fe_options: Unpack[FixedEffectsOptions],
) -> MediationResults:
    """Stepwise mediation with Sobel tests and a seeded bootstrap of a·b.

    Fits (1) ``y = c x + C'θ``, (2) ``m = a x + C'θ``, (3) ``y = c' x + b m + C'θ``
    with :func:`fixed_effects` on one common sample.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel (never modified).
    y, x, mediator : str
        Outcome, treatment (core regressor) and mediator columns.
    controls : sequence of str
        Controls used in all three regressions.
    unit, time : str
        Key columns.
    bootstrap : int
        Number of bootstrap draws (0 to skip).
    seed : int
        Seed of the ``numpy.random.Generator``.
    resample : {"units", "observations"}
        ``"units"`` (default) draws whole units with replacement, each copy a new
        unit (the cluster bootstrap, keeping each unit's time series together as
        panel dependence requires); ``"observations"`` draws rows.
    level : float
        Confidence level of the intervals.
    ci_method : {"percentile", "bc"}
        Interval returned by ``.ci`` (both are in ``effects``); bias-corrected uses
        quantiles ``Φ(2 z₀ ± z_{α/2})`` with ``z₀ = Φ⁻¹(share of draws below a·b)``.
    progress : bool, optional
        Progress bar (default: only on a terminal).
    **fe_options
        ``effects``, ``cluster``, ``cov``, ``small_sample``, ``min_clusters`` of
        :func:`fixed_effects`, shared by the three regressions (the bootstrap
        sweeps out the same effects).

    Returns
    -------
    MediationResults

    Examples
    --------
    In :func:`~spatialgreen.datasets.example_panel`, ``x1`` acts on ``y`` directly
    (0.2) and through the mediator ``m`` (0.6 × 0.5 = 0.3):

    >>> import spatialgreen as sg
    >>> df = sg.datasets.example_panel()
    >>> res = mediation(df, y="y", x="x1", mediator="m", bootstrap=200, seed=0)
    >>> abs(res.total - (res.direct + res.indirect)) < 1e-10
    True
    >>> res.ci[0] > 0
    True
    """
    ctrls = [c for c in _as_list(controls) if c not in (x, mediator, y)]
    if len({y, x, mediator}) < 3:
        raise ModelError("y, x and mediator must be three different columns")
    if ci_method not in ("percentile", "bc"):
        raise OptionError(f"ci_method must be 'percentile' or 'bc', got {ci_method!r}")
    if resample not in ("units", "observations"):
        raise OptionError(
            f"resample must be 'units' or 'observations', got {resample!r}"
        )
    if not 0 < level < 1:
        raise OptionError(f"level must be between 0 and 1, got {level}")
    frame, dropped = battery_sample(
        data,
        [y, x, mediator, *ctrls],
        unit=unit,
        time=time,
        fe_options=fe_options,
        who="mediation",
    )
    common: dict[str, Any] = {
        "controls": ctrls,
        "unit": unit,
        "time": time,
        "n_dropped_before": dropped,
        **fe_options,
    }
    total = fixed_effects(frame, y=y, x=x, **common)
    first = fixed_effects(frame, y=mediator, x=x, **common)
    outcome = fixed_effects(frame, y=y, x=[x, mediator], **common)
    paths = {
        "total": (total, x),
        "a": (first, x),
        "b": (outcome, mediator),
        "direct": (outcome, x),
    }
    coefficients = coefficient_table(
        pd.Series({k: fit.params[v] for k, (fit, v) in paths.items()}),
        [fit.std_errors[v] for fit, v in paths.values()],
        df={k: fit.df_inference for k, (fit, _) in paths.items()},
    )
    c, a, b = (float(coefficients.loc[k, "estimate"]) for k in ("total", "a", "b"))
    se_a, se_b = (float(coefficients.loc[k, "std_error"]) for k in ("a", "b"))
    effects = total.meta["effects"]

    tests = pd.DataFrame(
        [sobel_test(a, se_a, b, se_b, kind=k) for k in ("sobel", "aroian", "goodman")],
        index=pd.Index(["sobel", "aroian", "goodman"], name="test"),
        columns=["z", "p_value"],
    )
    draws, failed = _bootstrap(
        frame,
        y=y,
        x=x,
        mediator=mediator,
        controls=ctrls,
        unit=unit,
        time=time,
        effects=effects,
        reps=bootstrap,
        seed=seed,
        resample=resample,
        progress=progress,
    )
    ab = a * b
    indirect = pd.DataFrame(
        {
            "estimate": [ab, ab / c if c != 0 else np.nan],
            "std_error": [
                draws["indirect"].std(ddof=1) if len(draws) > 1 else np.nan,
                np.nan,
            ],
            "p": [tests.loc["sobel", "p_value"], np.nan],
        },
        index=["indirect", "proportion"],
    )
    table = pd.concat(
        [coefficients[["estimate", "std_error", "p"]], indirect]
    ).rename_axis("effect")
    table = table.loc[["total", "a", "b", "direct", "indirect", "proportion"]]
    for col in ("ci_low", "ci_high", "bc_low", "bc_high"):
        table[col] = np.nan
    if len(draws) > 1:
        boot_ab = draws["indirect"].to_numpy()
        table.loc["indirect", ["ci_low", "ci_high"]] = _percentile(boot_ab, level)
        table.loc["indirect", ["bc_low", "bc_high"]] = _bias_corrected(
            boot_ab, ab, level
        )
        if c != 0:
            boot_prop = boot_ab / draws["total"].to_numpy()
            table.loc["proportion", ["ci_low", "ci_high"]] = _percentile(
                boot_prop, level
            )
    meta = {
        "model": "mediation",
        "y": y,
        "x": x,
        "mediator": mediator,
        "controls": ctrls,
        "effects": effects,
        "cov": total.meta["cov"],
        "cluster": total.meta["cluster"],
        "bootstrap": bootstrap,
        "bootstrap_failed": failed,
        "resample": resample,
        "seed": seed,
        "level": level,
        "ci_method": ci_method,
        "nobs": total.nobs,
        "inference": inference({k: fit.df_inference for k, (fit, _) in paths.items()}),
        "dropped_missing": dropped,
    }
    models = {"total": total, "mediator": first, "outcome": outcome}
    return MediationResults(
        table.reset_index(), tests.reset_index(), draws, meta, models, coefficients
    )


def _percentile(draws: np.ndarray, level: float) -> list[float]:
    alpha = 1 - level
    return [float(v) for v in np.quantile(draws, [alpha / 2, 1 - alpha / 2])]


def _bias_corrected(draws: np.ndarray, estimate: float, level: float) -> list[float]:
    share = float(np.mean(draws < estimate))
    if share in (0.0, 1.0):
        return [np.nan, np.nan]  # z0 is infinite: the estimate lies outside the draws
    z0 = stats.norm.ppf(share)
    zc = stats.norm.ppf(0.5 + level / 2)
    probs = stats.norm.cdf([2 * z0 - zc, 2 * z0 + zc])
    return [float(v) for v in np.quantile(draws, probs)]


def _bootstrap(
    frame: pd.DataFrame,
    *,
    y: str,
    x: str,
    mediator: str,
    controls: list[str],
    unit: str,
    time: str,
    effects: str,
    reps: int,
    seed: int,
    resample: str,
    progress: bool | None,
) -> tuple[pd.DataFrame, int]:
    """Draws of (total, a, b, a·b); re-fits by numpy on within-transformed resamples."""
    columns = ["total", "a", "b", "indirect"]
    if reps <= 0:
        return pd.DataFrame(columns=columns, dtype=float), 0
    values = frame[[y, mediator, x, *controls]].to_numpy(dtype=float)
    unit_c, n_units = codes(frame[unit])
    time_c, n_periods = codes(frame[time])
    starts = np.searchsorted(unit_c, np.arange(n_units))  # frame is sorted by unit
    lengths = np.bincount(unit_c, minlength=n_units)
    rng = np.random.default_rng(seed)
    out = np.full((reps, 4), np.nan)
    n = len(frame)
    for r in tqdm(range(reps), desc="bootstrap", disable=progress_disabled(progress)):
        if resample == "units":
            pick = rng.integers(0, n_units, n_units)
            lens = lengths[pick]
            offsets = np.repeat(np.cumsum(lens) - lens, lens)
            rows = np.arange(lens.sum()) - offsets + np.repeat(starts[pick], lens)
            new_unit = (np.repeat(np.arange(n_units), lens), n_units)
        else:
            rows = rng.integers(0, n, n)
            new_unit = (unit_c[rows], n_units)
        new_time = (time_c[rows], n_periods)
        groups = effect_groups(_compact(new_unit), _compact(new_time), effects)
        w = demean(values[rows], groups)
        yy, mm, xc = w[:, 0], w[:, 1], w[:, 2:]
        fit_total = within_lstsq(yy, xc)
        fit_a = within_lstsq(mm, xc)
        fit_b = within_lstsq(yy, np.column_stack([w[:, 2], mm, w[:, 3:]]))
        if fit_total is None or fit_a is None or fit_b is None:
            continue
        out[r] = (fit_total[0], fit_a[0], fit_b[1], fit_a[0] * fit_b[1])
    ok = ~np.isnan(out).any(axis=1)
    draws = pd.DataFrame(out[ok], columns=columns)
    draws.index.name = "draw"
    return draws, int((~ok).sum())


def _compact(group: tuple[np.ndarray, int]) -> tuple[np.ndarray, int]:
    """Renumber group codes 0..G'-1 (a resample may miss some groups)."""
    c, uniques = pd.factorize(group[0], sort=True)
    return c.astype(np.int64), len(uniques)
