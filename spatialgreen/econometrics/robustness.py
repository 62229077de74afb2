"""Robustness: one specification with alternative dependent variables side by side."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from ..errors import ModelError
from ._design import _as_list, prepare_panel
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
    **fe_options: Any,
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
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(4)
    >>> idx = pd.MultiIndex.from_product([range(10), range(5)])
    >>> df = idx.to_frame(index=False, name=["unit", "year"])
    >>> df["x"] = rng.normal(size=50)
    >>> df["ebm"] = df["x"] + rng.normal(size=50)
    >>> df["sbm"] = 2 * df["x"] + rng.normal(size=50)
    >>> res = robustness(df, y={"EBM": "ebm", "SBM": "sbm"}, x="x")
    >>> list(res.models)
    ['EBM', 'SBM']
    """
    outcomes = dict(y) if isinstance(y, Mapping) else {c: c for c in _as_list(y)}
    if not outcomes:
        raise ModelError("y must list at least one dependent variable")
    frame = data
    if common_sample:
        cluster = fe_options.get("cluster")
        frame, _ = prepare_panel(
            data,
            variables=[*outcomes.values(), *_as_list(x), *_as_list(controls)],
            unit=unit,
            time=time,
            extra=[cluster] if cluster else [],
        )
    models = {
        label: fixed_effects(
            frame, y=col, x=x, controls=controls, unit=unit, time=time, **fe_options
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
        },
    )
