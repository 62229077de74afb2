"""Validated data of a frontier model: column roles, raw and rescaled values, periods.

:func:`prepare` checks a user's table once for every model (roles, keys, signs) and
rescales each variable by its mean so that LPs are well conditioned; the engine in
:mod:`._core` and the result tables read everything from the :class:`Prepared`
record it returns.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import DataError, ModelError
from ..panel import require_columns, validate_panel

__all__ = ["Prepared", "by_variable", "prepare"]

ZERO_BADS = ("raise", "ignore")


@dataclasses.dataclass(frozen=True)
class Prepared:
    """Validated model data: raw and mean-rescaled values, keys and periods."""

    keys: pd.DataFrame
    unit: str
    time: str | None
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    bad_outputs: tuple[str, ...]
    values: np.ndarray  # (n, m+s+q) raw
    scale: np.ndarray  # (m+s+q,) column means used for rescaling
    periods: tuple
    period_of_obs: np.ndarray

    @property
    def scaled(self) -> np.ndarray:
        return self.values / self.scale

    @property
    def variables(self) -> tuple[str, ...]:
        return self.inputs + self.outputs + self.bad_outputs

    @property
    def dims(self) -> tuple[int, int, int]:
        return len(self.inputs), len(self.outputs), len(self.bad_outputs)

    def where(self, i: int) -> str:
        """``unit=..., year=...`` of observation ``i`` for error messages."""
        text = f"{self.unit}={self.keys[self.unit].iat[i]}"
        if self.time:
            text += f", {self.time}={self.keys[self.time].iat[i]}"
        return text


def _names(
    value: str | Sequence[str] | None, role: str, *, required: bool
) -> tuple[str, ...]:
    if value is None:
        names: tuple[str, ...] = ()
    elif isinstance(value, str):
        names = (value,)
    else:
        names = tuple(value)
    if required and not names:
        raise ModelError(f"at least one {role} column is required")
    return names


def prepare(
    data: pd.DataFrame,
    inputs: str | Sequence[str],
    outputs: str | Sequence[str],
    bad_outputs: str | Sequence[str] = (),
    unit: str = "unit",
    time: str | None = None,
    *,
    zero_bads: str = "raise",
    allow_zero: bool = False,
) -> Prepared:
    """Validate and rescale the data of a frontier model (never mutates ``data``).

    The column roles may be given by position in the order of every model's
    signature (``inputs, outputs, bad_outputs, unit, time``), so that a front-end
    hands its columns over in one line. Inputs and good outputs must be > 0
    (``>= 0`` with ``allow_zero``, used by the DDF); bad outputs must be > 0 unless
    ``zero_bads="ignore"`` (or ``allow_zero``).
    """
    ins = _names(inputs, "input", required=True)
    outs = _names(outputs, "output", required=True)
    bads = _names(bad_outputs, "bad output", required=False)
    seen: dict[str, str] = {}
    for role, names in (("input", ins), ("output", outs), ("bad output", bads)):
        for name in names:
            if name in seen:
                raise ModelError(
                    f"column {name!r} is listed as {seen[name]} and as {role}"
                )
            seen[name] = role
    if zero_bads not in ZERO_BADS:
        raise ModelError(f"zero_bads must be one of {ZERO_BADS}; got {zero_bads!r}")
    require_columns(data, [unit] + ([time] if time else []), role="key")
    require_columns(data, ins, role="input")
    require_columns(data, outs, role="output")
    require_columns(data, bads, role="bad output")
    strict = [] if allow_zero else list(ins + outs)
    loose = list(ins + outs) if allow_zero else []
    if allow_zero or zero_bads == "ignore":
        loose += list(bads)
    else:
        strict += list(bads)
    info = validate_panel(
        data,
        unit=unit,
        time=time,
        columns=ins + outs + bads,
        positive=strict,
        nonnegative=loose,
    )
    keys = data[[unit] + ([time] if time else [])].reset_index(drop=True)
    values = data[list(ins + outs + bads)].to_numpy(dtype=float)
    for j, name in enumerate(ins + outs + bads):
        if not (values[:, j] > 0).any():
            raise DataError(f"column {name!r} is zero for every observation")
    scale = values.mean(axis=0)
    if time:
        periods = tuple(info.periods)
        period_of_obs = keys[time].map({p: i for i, p in enumerate(periods)}).to_numpy()
    else:
        periods = (None,)
        period_of_obs = np.zeros(len(keys), dtype=np.int64)
    return Prepared(
        keys, unit, time, ins, outs, bads, values, scale, periods, period_of_obs
    )


def by_variable(prep: Prepared, values: Mapping[str, float], what: str) -> np.ndarray:
    """``values`` (variable -> number, 0 for those left out) in variable order.

    ``what`` starts the error for names that are not model variables, e.g.
    ``"weights name"``.
    """
    names = list(prep.variables)
    unknown = sorted(set(values) - set(names))
    if unknown:
        raise ModelError(f"{what} unknown variables {unknown}; variables: {names}")
    return np.array([float(values.get(name, 0.0)) for name in names])
