"""Moderation: an interaction term with marginal effects, centring on request.

By default x and the moderator enter the product as they are, as in Stata
(``c.x##c.z``) and the applied studies; ``center=True`` mean-centres both on the
estimation sample first, which leaves the interaction coefficient, its standard error
and the marginal effects unchanged and turns the main effects into effects at the
mean of the other variable.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, Unpack

import numpy as np
import pandas as pd

from ..errors import ModelError
from ..results import EstimatesMixin, Results, coefficient_table
from ._design import FixedEffectsOptions, _as_list, battery_sample
from .fixed_effects import FixedEffectsResults, fixed_effects

__all__ = ["ModerationResults", "moderation"]


@dataclasses.dataclass(frozen=True)
class ModerationResults(EstimatesMixin, Results):
    """Results of :func:`moderation`.

    Attributes
    ----------
    coefficients : pandas.DataFrame
        The fixed-effects coefficient table (x, moderator, ``x*moderator``, ...) in
        the common layout; ``params``, ``pvalues``, ``conf_int`` ... read it.
    marginal_effects : pandas.DataFrame
        ``∂y/∂x = β_x + β_xz · z`` at the chosen moderator values (first column,
        in the moderator's original units): ``estimate`` with delta-method
        ``std_error``, ``statistic`` (t), ``p`` and the ``ci_low``/``ci_high``
        interval at ``level``.
    meta : dict
    model : FixedEffectsResults
        The underlying fit (its attributes are also exposed here).
    """

    coefficients: pd.DataFrame
    marginal_effects: pd.DataFrame
    meta: dict = dataclasses.field(default_factory=dict)
    model: FixedEffectsResults | None = dataclasses.field(
        default=None, repr=False, compare=False
    )

    def __getattr__(self, name: str) -> Any:
        # cov, r2_within, n_clusters, fixed_effects ... of the fit
        if name.startswith("_") or name in ("model", "meta"):
            raise AttributeError(name)
        return getattr(self.model, name)

    @property
    def interaction(self) -> str:
        """Name of the interaction term."""
        return str(self.meta["interaction"])

    def summary(self) -> str:
        """The fit and the marginal effects."""
        assert self.model is not None
        with pd.option_context(
            "display.width", 120, "display.float_format", "{:.4f}".format
        ):
            return (
                f"{self.model.summary()}\nmarginal effects of {self.meta['x']}:\n"
                + (self.marginal_effects.to_string(index=False))
            )


def moderation(
    data: pd.DataFrame,
    *,
    y: str,
    x: str,
    moderator: str,
    controls: Sequence[str] = (),
    unit: str = "unit",
    time: str = "year",
    center: bool = False,
    at: Sequence[float] | None = None,
    level: float = 0.95,
    **fe_options: Unpack[FixedEffectsOptions],
) -> ModerationResults:
    """Fixed-effects regression with an ``x × moderator`` interaction.

    ``y = β₁ x + β₂ z + β₃ x·z + C'γ + α_i + τ_t + e``, with x and z as given
    (β₁ is the effect of x where z = 0), as Stata and the studies estimate it. With
    ``center=True`` x and z are mean-centred on the estimation sample before the
    product is formed: β₃ is unchanged and β₁, β₂ become effects at the mean of the
    other variable.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel (never modified).
    y, x, moderator : str
        Outcome, core regressor and moderator.
    controls : sequence of str
        Controls.
    unit, time : str
        Key columns.
    center : bool
        Mean-centre x and the moderator before forming the interaction (default
        False: no centring, as Stata and the studies).
    at : sequence of float, optional
        Moderator values (original units) for the marginal effects; default mean −
        sd, mean, mean + sd.
    level : float
        Confidence level of the marginal-effect intervals.
    **fe_options
        ``effects``, ``cluster``, ``cov``, ``small_sample``, ``min_clusters`` of
        :func:`fixed_effects`.

    Returns
    -------
    ModerationResults

    Examples
    --------
    The data-generating process of the example panel has ``0.25·x1·z``:

    >>> from spatialgreen.datasets import example_panel
    >>> res = moderation(
    ...     example_panel(), y="y", x="x1", moderator="z", controls=["x2"]
    ... )
    >>> round(float(res.params["x1*z"]), 2)
    0.25
    """
    ctrls = [c for c in _as_list(controls) if c not in (x, moderator, y)]
    if len({y, x, moderator}) < 3:
        raise ModelError("y, x and moderator must be three different columns")
    frame, dropped = battery_sample(
        data,
        [y, x, moderator, *ctrls],
        unit=unit,
        time=time,
        fe_options=fe_options,
        who="moderation",
    )
    x_mean, z_mean = float(frame[x].mean()), float(frame[moderator].mean())
    z_sd = float(frame[moderator].std(ddof=1))
    if center:
        frame[x] = frame[x] - x_mean
        frame[moderator] = frame[moderator] - z_mean
    term = f"{x}*{moderator}"
    if term in frame.columns:
        raise ModelError(f"column {term!r} already exists; rename it")
    frame[term] = frame[x] * frame[moderator]
    fit = fixed_effects(
        frame,
        y=y,
        x=[x, moderator, term],
        controls=ctrls,
        unit=unit,
        time=time,
        n_dropped_before=dropped,
        **fe_options,
    )
    values = np.asarray(
        [z_mean - z_sd, z_mean, z_mean + z_sd] if at is None else list(at), dtype=float
    )
    shifted = values - z_mean if center else values
    v = fit.cov
    est = fit.params[x] + fit.params[term] * shifted
    var = v.loc[x, x] + shifted**2 * v.loc[term, term] + 2 * shifted * v.loc[x, term]
    marginal = coefficient_table(
        pd.Series(np.asarray(est), index=pd.Index(values)),
        np.sqrt(np.asarray(var)),
        df=fit.df_inference,
        level=level,
        names=[moderator],
    ).reset_index()
    meta = {
        **fit.meta,
        "model": "moderation",
        "x": x,
        "moderator": moderator,
        "interaction": term,
        "centered": center,
        "x_mean": x_mean,
        "moderator_mean": z_mean,
        "moderator_sd": z_sd,
    }
    return ModerationResults(fit.coefficients, marginal, meta, fit)
