"""Environmental productivity: output per unit of entropy-weighted pollution index."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from ..composite import entropy_weights
from ..errors import DataError
from ..panel import validate_panel

# --------------------------------------------------------------------------------------
# environmental productivity
# --------------------------------------------------------------------------------------


def environmental_productivity(
    data: pd.DataFrame,
    *,
    output: str,
    pollutants: Sequence[str],
    unit: str = "unit",
    time: str = "year",
    scale: tuple[float, float] = (50.0, 100.0),
    weights: Mapping[str, float] | Sequence[float] | Literal["entropy"] | None = None,
) -> pd.DataFrame:
    """Composite pollution index and environmental productivity (output per pollution).

    Each pollutant is rescaled linearly over the pooled panel to ``scale`` (the
    smallest emission maps to the lower end, the largest to the upper end), the
    rescaled values are combined with weights summing to one into the composite
    pollution index, and environmental productivity is ``output / index``. The
    positive lower end (50 in the YRD study) keeps the index away from zero.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel.
    output : str
        Economic output column (e.g. per-capita GDP or GDP at constant prices).
    pollutants : sequence of str
        Emission columns (higher = more pollution).
    unit, time : str
        Key columns.
    scale : (float, float)
        Target range of the rescaled pollutants.
    weights : mapping, sequence, "entropy" or None
        Pollutant weights: equal (None), given (normalised to sum to one), or
        entropy weights of the pooled pollutant columns.

    Returns
    -------
    pandas.DataFrame
        ``unit``, ``time``, one ``<pollutant>_scaled`` column per pollutant,
        ``pollution_index`` and ``env_productivity``; the weights used are in
        ``.attrs["weights"]``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"city": ["a", "b"], "year": [2005, 2005],
    ...                    "gdp": [100.0, 100.0], "so2": [1.0, 3.0], "cod": [2.0, 4.0]})
    >>> ep = environmental_productivity(df, output="gdp", pollutants=["so2", "cod"],
    ...                                 unit="city")
    >>> ep["pollution_index"].tolist(), ep["env_productivity"].tolist()
    ([50.0, 100.0], [2.0, 1.0])
    """
    pollutants = list(pollutants)
    if not pollutants:
        raise DataError("give at least one pollutant column")
    validate_panel(
        data, unit=unit, time=time, columns=[output, *pollutants], positive=[output]
    )
    lo, hi = (float(v) for v in scale)
    if not hi > lo:
        raise DataError(f"scale must be (low, high) with high > low, got {scale}")
    raw = data[pollutants].astype(float)
    span = raw.max() - raw.min()
    flat = [p for p in pollutants if span[p] <= 0]
    if flat:
        raise DataError(
            f"pollutant column(s) {', '.join(flat)} take one value over the whole "
            "panel; rescaling needs variation"
        )
    scaled = lo + (hi - lo) * (raw - raw.min()) / span
    w = _pollutant_weights(weights, pollutants, raw)
    out = data[[unit, time]].copy()
    for p in pollutants:
        out[f"{p}_scaled"] = scaled[p].to_numpy()
    out["pollution_index"] = scaled.to_numpy() @ w.to_numpy()
    out["env_productivity"] = (
        data[output].to_numpy(dtype=float) / out["pollution_index"]
    )
    out = out.reset_index(drop=True)
    out.attrs["weights"] = w.to_dict()
    return out


def _pollutant_weights(
    weights: Mapping[str, float] | Sequence[float] | str | None,
    pollutants: list[str],
    raw: pd.DataFrame,
) -> pd.Series:
    if weights is None:
        return pd.Series(1.0 / len(pollutants), index=pollutants, name="weight")
    if isinstance(weights, str):
        if weights != "entropy":
            raise DataError(
                f"weights must be None, 'entropy' or numbers, got {weights!r}"
            )
        return entropy_weights(raw)
    if isinstance(weights, Mapping):
        missing = [p for p in pollutants if p not in weights]
        if missing:
            raise DataError(f"no weight given for pollutant(s): {', '.join(missing)}")
        values = np.array([float(weights[p]) for p in pollutants])
    else:
        values = np.asarray(list(weights), dtype=float)
        if values.size != len(pollutants):
            raise DataError(
                f"{values.size} weights given for {len(pollutants)} pollutants"
            )
    if (values < 0).any() or values.sum() <= 0:
        raise DataError("pollutant weights must be >= 0 and not all zero")
    return pd.Series(values / values.sum(), index=pollutants, name="weight")
