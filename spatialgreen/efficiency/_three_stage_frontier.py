"""Stages 1 and 3 of the three-stage DEA–SFA: the efficiency engine and its tables.

:func:`engine_runner` fixes the engine (a model of this package by name, or any
function with the same contract) and its options; stage 1 runs it on the data,
stage 3 on the adjusted inputs. :func:`input_slacks` reads the total input slacks
that stage 2 regresses; :func:`score_table` and :func:`add_decomposition` line the
two stages' scores up by unit and period. See :mod:`.three_stage`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import ModelError
from .ddf import ddf
from .ebm import ebm
from .radial import dea
from .sbm import sbm

__all__ = ["add_decomposition", "engine_runner", "input_slacks", "score_table"]

#: Efficiency models stage 1 and stage 3 can run, by name.
_ENGINES: dict[str, Any] = {"dea": dea, "sbm": sbm, "ebm": ebm, "ddf": ddf}


def engine_runner(engine, *, outputs, bad_outputs, unit, time, orientation, options):
    """``run(frame, inputs, rts)``: the stage-1/3 model with the fixed options."""
    if isinstance(engine, str):
        func = _ENGINES.get(engine)
        if func is None or not callable(func):
            raise ModelError(
                f"unknown efficiency engine {engine!r}: use 'dea', 'sbm', 'ebm' or "
                "pass a function"
            )
    elif callable(engine):
        func = engine
    else:
        raise ModelError(
            f"engine must be a name or a function, got {type(engine).__name__}"
        )

    def run(frame: pd.DataFrame, inputs: list[str], rts: str) -> Any:
        kwargs = dict(
            inputs=inputs,
            outputs=outputs,
            unit=unit,
            time=time,
            rts=rts,
            orientation=orientation,
            **options,
        )
        if bad_outputs:
            kwargs["bad_outputs"] = bad_outputs
        result = func(frame, **kwargs)
        for attr in ("scores", "targets"):
            if not isinstance(getattr(result, attr, None), pd.DataFrame):
                raise ModelError(
                    f"efficiency engine result has no .{attr} DataFrame; three_stage "
                    "needs .scores (unit, time, score) and .targets (projected values)"
                )
        return result

    return run


def _aligned(
    frame: pd.DataFrame, table: pd.DataFrame, keys: list[str], column: str, what: str
) -> np.ndarray:
    if column not in table.columns:
        raise ModelError(f"efficiency engine {what} table has no column {column!r}")
    merged = frame[keys].merge(
        table[[*keys, column]], on=keys, how="left", validate="1:1"
    )
    values = merged[column].to_numpy(dtype=float)
    if np.isnan(values).any():
        row = int(np.flatnonzero(np.isnan(values))[0])
        where = ", ".join(f"{k}={frame[k].iloc[row]}" for k in keys)
        raise ModelError(
            f"efficiency engine returned no {what} {column!r} for {where} "
            "(infeasible LP?); three_stage needs a value for every unit and period"
        )
    return values


def input_slacks(frame, result, inputs, keys, tol) -> dict[str, np.ndarray]:
    """Total slack ``x − target`` (≥ 0) of every input, round-off set to 0."""
    out = {}
    for name in inputs:
        x = frame[name].to_numpy(dtype=float)
        slack = x - _aligned(frame, result.targets, keys, name, "target")
        # LP round-off leaves tiny negative or positive slacks on the frontier
        slack[np.abs(slack) <= tol * np.maximum(np.abs(x), 1.0)] = 0.0
        out[name] = np.maximum(slack, 0.0)
    return out


def score_table(frame, stage1, stage3, keys) -> pd.DataFrame:
    """Stage-1 and stage-3 scores by unit and period and their change."""
    table = frame[keys].copy()
    table["stage1"] = _aligned(frame, stage1.scores, keys, "score", "score")
    table["stage3"] = _aligned(frame, stage3.scores, keys, "score", "score")
    table["change"] = table["stage3"] - table["stage1"]
    return table


def add_decomposition(scores, base, adjusted, inputs, keys, run) -> pd.DataFrame:
    """TE (CRS), PTE (VRS) and SE = TE/PTE of both stages added to ``scores``."""
    out = scores.copy()
    for stage, frame in (("stage1", base), ("stage3", adjusted)):
        te = _aligned(frame, run(frame, inputs, "crs").scores, keys, "score", "score")
        pte = _aligned(frame, run(frame, inputs, "vrs").scores, keys, "score", "score")
        out[f"{stage}_te"] = te
        out[f"{stage}_pte"] = pte
        out[f"{stage}_se"] = te / pte
    return out
