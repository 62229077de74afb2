"""Several fitted models of one battery, kept side by side."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from ..results import EstimatesMixin, Results, inference, row_df

__all__ = ["ModelSetResults", "model_set"]


@dataclasses.dataclass(frozen=True)
class ModelSetResults(EstimatesMixin, Results):
    """Named models of one battery (lags, alternative outcomes, groups).

    Attributes
    ----------
    coefficients : pandas.DataFrame
        Every model's coefficients in the common layout, indexed by
        (``model``, ``parameter``) (``(group, parameter)`` for group batteries).
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

    @property
    def nobs(self) -> int:
        """Observations of the largest model (each model's are in ``statistics``)."""
        return int(self.statistics["nobs"].max())

    def regression_table(self, **options: Any) -> Any:
        """A :func:`~spatialgreen.econometrics.regression_table` of the models."""
        from .tables import regression_table

        return regression_table(self.models, **options)

    def summary(self) -> str:
        """The models' regression table as text."""
        return str(self.regression_table())


def model_set(
    models: Mapping[str, Any], meta: dict[str, Any], *, level: str = "model"
) -> ModelSetResults:
    """Collect fitted models that have the common coefficient interface.

    ``level`` names the first index level of the long coefficient table.
    """
    tables = {}
    dfs: dict[Any, Any] = {}
    stats = []
    for name, res in models.items():
        table = getattr(res, "coefficients", None)
        if not isinstance(table, pd.DataFrame) or "statistic" not in table.columns:
            raise DataError(
                f"model {name!r} ({type(res).__name__}) has no coefficient table in "
                "the common layout (spatialgreen.results.coefficient_table)"
            )
        tables[name] = table
        rows = row_df(table.index, res.inference["df"])
        dfs.update(
            {
                (name, *key) if isinstance(key, tuple) else (name, key): (
                    None if np.isnan(v) else float(v)
                )
                for key, v in zip(table.index, rows, strict=True)
            }
        )
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
    coefficients = pd.concat(tables, names=[level, "parameter"])
    by_model: dict[Any, set[Any]] = {}
    for (name, _), v in dfs.items():
        by_model.setdefault(name, set()).add(v)
    if all(len(v) == 1 for v in by_model.values()):
        df: dict[Any, Any] = {k: v.pop() for k, v in by_model.items()}
    else:
        df = dfs
    return ModelSetResults(
        coefficients,
        pd.DataFrame(stats),
        {**meta, "inference": inference(df)},
        dict(models),
    )
