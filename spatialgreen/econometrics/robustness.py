"""Robustness: one specification with alternative dependent variables side by side."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Unpack

import pandas as pd

from ..errors import ModelError
from ._design import FixedEffectsOptions, _as_list, battery_sample
from .fixed_effects import fixed_effects
from .modelset import ModelSetResults, model_set

__all__ = ["robustness"]


def robustness(
    data: pd.DataFrame,
    *,
    y: Sequence[str] | Mapping[str, str],
    x: str | Sequence[str],
    controls: Sequence[str] = (),
    unit: str = "unit",
    time: str = "year",
    common_sample: bool = False,
    **fe_options: Unpack[FixedEffectsOptions],
) -> ModelSetResults:
    """Estimate the same fixed-effects specification for several outcomes.

    Typical use: GTFP measured by EBM, SBM and DDF (columns produced by the
    efficiency engine) regressed on the same core variable and controls.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel (never modified).
    y : sequence of str or mapping
        Alternative dependent variables; a mapping gives ``{label: column}``.
    x, controls : str or sequence of str
        Regressors as in :func:`fixed_effects`.
    unit, time : str
        Key columns.
    common_sample : bool
        Restrict every model to the rows where all outcomes are observed
        (default: each outcome uses its own complete cases).
    **fe_options
        Options of :func:`fixed_effects`.

    Returns
    -------
    ModelSetResults
        One model per outcome, named by its label.

    Examples
    --------
    >>> from spatialgreen.datasets import example_panel
    >>> outcomes = {"Y": "y", "GTFP": "gtfp"}
    >>> res = robustness(example_panel(), y=outcomes, x="x1", controls=["x2"])
    >>> list(res.models)
    ['Y', 'GTFP']
    """
    outcomes = dict(y) if isinstance(y, Mapping) else {c: c for c in _as_list(y)}
    if not outcomes:
        raise ModelError("y must list at least one dependent variable")
    frame = data
    dropped: dict[str, int] = {}
    if common_sample:
        variables = [*outcomes.values(), *_as_list(x), *_as_list(controls)]
        frame, dropped = battery_sample(
            data,
            variables,
            unit=unit,
            time=time,
            fe_options=fe_options,
            who="robustness",
        )
    models = {
        label: fixed_effects(
            frame,
            y=col,
            x=x,
            controls=controls,
            unit=unit,
            time=time,
            n_dropped_before=dropped or None,
            **fe_options,
        )
        for label, col in outcomes.items()
    }
    return model_set(
        models,
        {
            "model": "robustness",
            "y": outcomes,
            "x": _as_list(x),
            "common_sample": common_sample,
            "dropped_missing": dropped,
        },
    )
