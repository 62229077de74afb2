"""Stage 2 of the three-stage DEA–SFA: slack frontiers and the input adjustment.

Each input's total slack is regressed on the environmental variables with a
cost-type stochastic frontier (pooled, or one per period), the composed error is
split into managerial inefficiency and noise (:func:`_slack_regression`), and
:func:`adjust_inputs` puts every unit in the least favourable environment (and,
when the noise is significant, the unluckiest state of nature). See
:mod:`.three_stage` for the procedure and its degenerate cases.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, ModelError
from .sfa import SFAResults, sfa

__all__ = ["Stage2", "adjust_inputs"]


@dataclasses.dataclass(frozen=True)
class Stage2:
    """What stage 2 hands to stage 3 and to the results tables."""

    adjusted: pd.DataFrame  # the data with adjusted inputs
    rows: list[dict[str, Any]]  # one summary row per input (and period)
    fitted: list[tuple[str, dict[str, Any], SFAResults]]  # (input, period, model)
    models: dict[str, SFAResults]  # by "input" or "input@period"
    adjustments: list[pd.DataFrame]  # per input (and period): the adjustment terms


def adjust_inputs(
    base: pd.DataFrame,
    slacks: dict[str, np.ndarray],
    *,
    inputs: list[str],
    environment: list[str],
    keys: list[str],
    time: str | None,
    dist: str,
    n_starts: int,
    noise: str,
    stage2_by: str,
) -> Stage2:
    """Regress each input's slacks on the environment and adjust the inputs."""
    stage2_rows, fitted, adjust_frames, models = [], [], [], {}
    adjusted = base.copy()
    samples = _samples(base, time, stage2_by)
    for name in inputs:
        x = base[name].to_numpy(dtype=float)
        x_adj = x.copy()
        for label, rows in samples:
            sub = base.iloc[rows]
            context = f"input {name!r}" + ("" if label is None else f", {time}={label}")
            fit = _slack_regression(
                sub, slacks[name][rows], environment, keys, dist, n_starts, context
            )
            adjust_noise = noise == "always" or (
                noise == "if-significant" and fit["summary"].get("lr_reject", False)
            )
            where = {} if label is None else {"period": label}
            stage2_rows.append(
                {
                    "input": name,
                    **where,
                    **fit["summary"],
                    "noise_adjusted": adjust_noise,
                }
            )
            if fit["model"] is not None:
                models[name if label is None else f"{name}@{label}"] = fit["model"]
                fitted.append((name, where, fit["model"]))
            env_part, v_hat = fit["env_part"], fit["v_hat"]
            env_adj = env_part.max() - env_part
            noise_adj = v_hat.max() - v_hat if adjust_noise else np.zeros_like(v_hat)
            x_adj[rows] = x[rows] + env_adj + noise_adj
            adjust_frames.append(
                sub[keys].assign(
                    input=name,
                    original=x[rows],
                    slack=slacks[name][rows],
                    environment_part=env_part,
                    u_hat=fit["u_hat"],
                    v_hat=v_hat,
                    environment_adjustment=env_adj,
                    noise_adjustment=noise_adj,
                    adjusted=x_adj[rows],
                )
            )
        adjusted[name] = x_adj
    return Stage2(adjusted, stage2_rows, fitted, models, adjust_frames)


def _samples(
    frame: pd.DataFrame, time: str | None, by: str
) -> list[tuple[Any, np.ndarray]]:
    """Row positions of each stage-2 regression sample (label None when pooled)."""
    if by == "pooled":
        return [(None, np.arange(len(frame)))]
    codes, periods = pd.factorize(frame[time], sort=True)
    return [(period, np.flatnonzero(codes == k)) for k, period in enumerate(periods)]


def _slack_regression(
    frame, slack, environment, keys, dist, n_starts, context=""
) -> dict[str, Any]:
    n = len(slack)
    zeros = np.zeros(n)
    if np.all(slack == 0.0):
        return {
            "model": None,
            "env_part": zeros,
            "u_hat": zeros,
            "v_hat": zeros,
            "summary": {"status": "no slack", "n_zero_slacks": n},
        }
    if np.ptp(slack) == 0.0:
        # every unit wastes the same amount: nothing to attribute to environment or luck
        return {
            "model": None,
            "env_part": slack.copy(),
            "u_hat": zeros,
            "v_hat": zeros,
            "summary": {"status": "constant slack", "n_zero_slacks": 0},
        }
    table = frame[[*keys, *environment]].assign(_slack=slack)
    try:
        model = sfa(
            table,
            y="_slack",
            x=environment,
            model="cross",
            dist=dist,
            unit=keys[0],
            time=keys[1] if len(keys) > 1 else None,
            cost=True,
            log=False,
            n_starts=n_starts,
        )
    except (DataError, ModelError) as exc:
        # name the slack regression: sfa only sees "_slack" and "frontier regressors"
        raise type(exc)(
            f"stage-2 slack regression of {context} on the environmental variables "
            f"{environment}: {exc}"
        ) from exc
    eff = model.efficiency
    env_part = slack - eff["residual"].to_numpy()
    lr = model.lr_test.iloc[0]
    summary = {
        "status": "estimated" if model.converged else "not converged",
        "n_zero_slacks": int(np.sum(slack == 0.0)),
        "sigma2": float(model.params["sigma2"]),
        "gamma": float(model.params["gamma"]),
        "loglik": model.loglik,
        "lr_statistic": float(lr["statistic"]),
        "lr_critical_5pct": float(lr["critical_value_5pct"]),
        "lr_p_value": float(lr["p_value"]),
        "lr_reject": bool(lr["reject_at_5pct"]),
        "converged": model.converged,
        "warnings": "; ".join(model.warnings),
    }
    return {
        "model": model,
        "env_part": env_part,
        "u_hat": eff["u_jlms"].to_numpy(),
        "v_hat": eff["v_hat"].to_numpy(),
        "summary": summary,
    }
