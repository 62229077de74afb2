"""Several fitted models of one battery, kept side by side."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..results import Results

__all__ = ["ModelSetResults", "model_set"]


@dataclasses.dataclass(frozen=True)
class ModelSetResults(Results):
    """Named models of one battery (lags, alternative outcomes, groups).

    Attributes
    ----------
    coefficients : pandas.DataFrame
        Long table: model, variable, coef, std_error, t, p_value.
    statistics : pandas.DataFrame
        One row per model: nobs, r2, r2_adj, r2_within, clusters.
    meta : dict
        The battery and its options.
    models : dict
        The fitted results by name (e.g. :class:`FixedEffectsResults`).
    """

    coefficients: pd.DataFrame
    statistics: pd.DataFrame
    meta: dict = dataclasses.field(default_factory=dict)
    models: dict[str, Any] = dataclasses.field(
        default_factory=dict, repr=False, compare=False
    )

    def __getitem__(self, name: str) -> Any:
        return self.models[name]

    def __len__(self) -> int:
        return len(self.models)

    def regression_table(self, **options: Any) -> Any:
        """A :func:`~spatialgreen.econometrics.regression_table` of the models."""
        from .tables import regression_table

        return regression_table(self.models, **options)

    def summary(self) -> str:
        """The models' regression table as text."""
        return str(self.regression_table())


def model_set(models: Mapping[str, Any], meta: dict[str, Any]) -> ModelSetResults:
    """Collect fitted models (anything with params/std_errors/pvalues/nobs)."""
    rows = []
    stats = []
    for name, res in models.items():
        part = pd.DataFrame(
            {
                "model": name,
                "variable": res.params.index,
                "coef": res.params.to_numpy(),
                "std_error": res.std_errors.to_numpy(),
                "t": (res.params / res.std_errors).to_numpy(),
                "p_value": res.pvalues.to_numpy(),
            }
        )
        rows.append(part)
        stats.append(
            {
                "model": name,
                "nobs": res.nobs,
                "r2": getattr(res, "r2", float("nan")),
                "r2_adj": getattr(res, "r2_adj", float("nan")),
                "r2_within": getattr(res, "r2_within", float("nan")),
                "clusters": getattr(res, "n_clusters", None),
            }
        )
    return ModelSetResults(
        pd.concat(rows, ignore_index=True),
        pd.DataFrame(stats),
        dict(meta),
        dict(models),
    )
