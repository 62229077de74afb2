"""Stage 2 of the three-stage DEA–SFA: slack regressions and the input adjustment.

Each input's total slack is regressed on the environmental variables (pooled, or one
regression per period) by a cost-type stochastic frontier (``stage2="sfa"``, Fried
et al. 2002) or a Tobit censored at 0 (``stage2="tobit"``). The SFA composed error
is split into managerial inefficiency and noise (:func:`_sfa_regression`);
:func:`adjust_inputs` puts every unit in the least favourable environment (and,
when the noise is significant, the unluckiest state of nature). Every regression
returns its coefficients in the common layout with the reason why inference is
missing or qualified (``boundary``, ``note``). See :mod:`.three_stage`.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, ModelError
from ..results import coefficient_table
from ._three_stage_boot import bootstrap_draws
from .sfa import sfa

__all__ = ["Stage2", "Stage2Options", "adjust_inputs"]

_ALTERNATIVES = "for inference use stage2_se='bootstrap' or stage2='tobit'"


@dataclasses.dataclass(frozen=True)
class Stage2Options:
    """How the slack regressions are run (see :func:`.three_stage.three_stage`)."""

    method: str = "sfa"
    se: str = "model"
    dist: str = "half-normal"
    n_starts: int = 4
    noise: str = "if-significant"
    by: str = "pooled"
    n_boot: int = 199
    seed: int = 0
    n_jobs: int = 1
    client: Any = None
    tobit_options: Mapping[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Stage2:
    """What stage 2 hands to stage 3 and to the results tables."""

    adjusted: pd.DataFrame  # the data with adjusted inputs
    rows: list[dict[str, Any]]  # one summary row per input (and period)
    effects: list[pd.DataFrame]  # coefficient tables of the regressions
    models: dict[str, Any]  # by "input" or "input@period"
    adjustments: list[pd.DataFrame]  # per input (and period): the adjustment terms
    messages: list[str]  # warnings to raise (boundary fits, ...)


def adjust_inputs(
    base: pd.DataFrame,
    slacks: dict[str, np.ndarray],
    *,
    inputs: list[str],
    environment: list[str],
    keys: list[str],
    time: str | None,
    options: Stage2Options,
) -> Stage2:
    """Regress each input's slacks on the environment and adjust the inputs."""
    rows, effects, frames, models, messages = [], [], [], {}, []
    adjusted = base.copy()
    for name in inputs:
        x = base[name].to_numpy(dtype=float)
        x_adj = x.copy()
        for label, where_rows in _samples(base, time, options.by):
            sub = base.iloc[where_rows]
            group = name if label is None else f"{name}@{label}"
            context = f"input {name!r}" + ("" if label is None else f", {time}={label}")
            fit = _slack_regression(
                sub, slacks[name][where_rows], environment, keys, options, context
            )
            adjust_noise = options.method == "sfa" and (
                options.noise == "always"
                or (
                    options.noise == "if-significant"
                    and fit["summary"].get("lr_reject", False)
                )
            )
            where = {} if label is None else {"period": label}
            rows.append(
                {
                    "input": name,
                    **where,
                    **fit["summary"],
                    "noise_adjusted": adjust_noise,
                }
            )
            if fit["model"] is not None:
                models[group] = fit["model"]
                table = fit["coefficients"]
                table.index = pd.MultiIndex.from_product(
                    [[group], table.index], names=["group", "parameter"]
                )
                effects.append(table.assign(input=name, **where))
            messages += [
                f"stage-2 slack regression of {context}: {note}"
                for note in fit["messages"]
            ]
            env_part, v_hat = fit["env_part"], fit["v_hat"]
            env_adj = env_part.max() - env_part
            noise_adj = v_hat.max() - v_hat if adjust_noise else np.zeros_like(v_hat)
            x_adj[where_rows] = x[where_rows] + env_adj + noise_adj
            frames.append(
                sub[keys].assign(
                    input=name,
                    original=x[where_rows],
                    slack=slacks[name][where_rows],
                    environment_part=env_part,
                    u_hat=fit["u_hat"],
                    v_hat=v_hat,
                    environment_adjustment=env_adj,
                    noise_adjustment=noise_adj,
                    adjusted=x_adj[where_rows],
                )
            )
        adjusted[name] = x_adj
    return Stage2(adjusted, rows, effects, models, frames, messages)


def _samples(
    frame: pd.DataFrame, time: str | None, by: str
) -> list[tuple[Any, np.ndarray]]:
    """Row positions of each stage-2 regression sample (label None when pooled)."""
    if by == "pooled":
        return [(None, np.arange(len(frame)))]
    codes, periods = pd.factorize(frame[time], sort=True)
    return [(period, np.flatnonzero(codes == k)) for k, period in enumerate(periods)]


def _slack_regression(
    frame, slack, environment, keys, options: Stage2Options, context=""
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
            "messages": [],
        }
    if np.ptp(slack) == 0.0:
        # every unit wastes the same amount: nothing to attribute to environment or luck
        return {
            "model": None,
            "env_part": slack.copy(),
            "u_hat": zeros,
            "v_hat": zeros,
            "summary": {"status": "constant slack", "n_zero_slacks": 0},
            "messages": [],
        }
    cluster = (
        options.tobit_options.get("cluster") if options.method == "tobit" else None
    )
    extra = [cluster] if cluster and cluster not in (*keys, *environment) else []
    table = frame[[*keys, *environment, *extra]].assign(_slack=slack)
    run = _tobit_regression if options.method == "tobit" else _sfa_regression
    try:
        return run(table, slack, environment, keys, options)
    except (DataError, ModelError) as exc:
        # name the slack regression: the model only sees "_slack" and "regressors"
        raise type(exc)(
            f"stage-2 slack regression of {context} on the environmental variables "
            f"{environment}: {exc}"
        ) from exc


def _sfa_regression(table, slack, environment, keys, options) -> dict[str, Any]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = sfa(
            table,
            y="_slack",
            x=environment,
            model="cross",
            dist=options.dist,
            unit=keys[0],
            time=keys[1] if len(keys) > 1 else None,
            cost=True,
            log=False,
            n_starts=options.n_starts,
        )
    eff = model.efficiency
    env_part = slack - eff["residual"].to_numpy()
    lr = model.lr_test.iloc[0]
    gamma = float(model.params["gamma"])
    boundary = "upper" if gamma > 1 - 1e-6 else ("lower" if gamma < 1e-6 else "")
    reason = _boundary_reason(boundary, slack)
    summary = {
        "status": "estimated" if model.converged else "not converged",
        "n_zero_slacks": int(np.sum(slack == 0.0)),
        "sigma2": float(model.params["sigma2"]),
        "gamma": gamma,
        "gamma_boundary": boundary or "no",
        "loglik": model.loglik,
        "lr_statistic": float(lr["statistic"]),
        "lr_critical_5pct": float(lr["critical_value_5pct"]),
        "lr_p_value": float(lr["p_value"]),
        "lr_reject": bool(lr["reject_at_5pct"]),
        "converged": model.converged,
        "warnings": "; ".join(model.warnings),
    }
    names = ["const", *environment]
    if options.se == "bootstrap":
        coefficients, message = _bootstrap_table(
            model, table, slack, environment, keys, options, reason
        )
    else:
        coefficients = model.coefficients.loc[names].copy()
        missing = coefficients["std_error"].isna()
        caveats = [_caveat(boundary, name) for name in names]
        notes = np.where(missing, _missing_reason(reason, model), caveats)
        coefficients = coefficients.assign(
            se_method="hessian (inverse of minus the Hessian)",
            boundary=bool(boundary),
            note=notes,
        )
        message = f"{_missing_reason(reason, model)}" if missing.any() else ""
    summary["inference"] = "; ".join(sorted(set(coefficients["note"]) - {""})) or "ok"
    return {
        "model": model,
        "coefficients": coefficients,
        "env_part": env_part,
        "u_hat": eff["u_jlms"].to_numpy(),
        "v_hat": eff["v_hat"].to_numpy(),
        "summary": summary,
        "messages": [str(w.message) for w in caught] + ([message] if message else []),
    }


def _boundary_reason(boundary: str, slack: np.ndarray) -> str:
    """Why γ ended on a bound, in words (empty for an interior maximum)."""
    if boundary == "upper":
        zeros = int(np.sum(slack == 0.0))
        why = (
            f"{zeros} of {len(slack)} slacks are exactly 0, a point mass that normal "
            "noise cannot produce, so "
            if zeros
            else ""
        )
        return (
            f"gamma = 1 (sigma_v -> 0): {why}the likelihood is largest in the "
            "no-noise limit, where the information matrix is singular"
        )
    if boundary == "lower":
        return (
            "gamma = 0: the slack residuals show no one-sided inefficiency (skewed "
            "the wrong way); the information matrix is singular there"
        )
    return ""


def _caveat(boundary: str, name: str) -> str:
    """The note of a Hessian standard error that exists although γ is on a bound."""
    if boundary == "lower":
        what = (
            "the constant's standard error includes the uncertainty about gamma"
            if name == "const"
            else "the slope and its standard error are those of OLS"
        )
        return f"gamma = 0 (no one-sided inefficiency detected): {what}"
    if boundary == "upper":
        return f"gamma = 1: Hessian standard errors at a boundary; {_ALTERNATIVES}"
    return ""


def _missing_reason(reason: str, model) -> str:
    """The note of a coefficient without a (Hessian) standard error."""
    if not reason:
        notes = [w for w in model.warnings if "standard errors" in w]
        reason = notes[0] if notes else "the Hessian is not negative definite"
    return f"no Hessian standard error: {reason}; {_ALTERNATIVES}"


def _bootstrap_table(model, table, slack, environment, keys, options, reason):
    """Coefficients with bootstrap standard errors and their notes."""
    names = ["const", *environment]
    env = table[environment].to_numpy(dtype=float)
    x = np.column_stack([np.ones(len(table)), env])
    draws = bootstrap_draws(
        slack,
        x,
        table[keys[0]].to_numpy(),
        theta=model.params.to_numpy(),
        truncated=options.dist == "truncated-normal",
        reps=options.n_boot,
        seed=options.seed,
        n_jobs=options.n_jobs,
        client=options.client,
        progress=False,
    )[:, : len(names)]
    ok = ~np.isnan(draws[:, 0])
    n_ok = int(ok.sum())
    estimates = model.params.loc[names]
    notes = np.full(len(names), "", dtype=object)
    if n_ok < max(10, options.n_boot // 2):
        se = np.full(len(names), np.nan)
        notes[:] = (
            f"no bootstrap standard error: only {n_ok} of {options.n_boot} "
            "replications could be estimated; use stage2='tobit'"
        )
    else:
        se = np.std(draws[ok], axis=0, ddof=1)
        # natural scale of each coefficient: sd(slack) / sd(variable)
        spread = np.r_[1.0, np.std(env, axis=0)]
        scale = np.std(slack) / np.where(spread > 0, spread, 1.0)
        degenerate = ~(se > 1e-9 * scale)
        se[degenerate] = np.nan
        notes[degenerate] = (
            "no bootstrap standard error: every replication gives the same value "
            "(the no-noise boundary solution); use stage2='tobit'"
        )
        if reason:
            notes[~degenerate] = (
                f"bootstrap at a boundary fit ({reason}): a pragmatic summary, the "
                "bootstrap is not consistent at a boundary (Andrews 2000)"
            )
    coefficients = coefficient_table(estimates, se).assign(
        se_method=f"bootstrap ({n_ok} of {options.n_boot} replications, "
        f"{keys[0]} resampled, seed {options.seed}); normal-based z",
        boundary=bool(reason),
        note=notes,
    )
    message = ""
    if reason:
        first = next((note for note in notes if note.startswith("no ")), "")
        message = f"{reason}; " + (
            first or "standard errors from the bootstrap, qualified in 'note'"
        )
    return coefficients, message


def _tobit_regression(table, slack, environment, keys, options) -> dict[str, Any]:
    from ..econometrics.tobit import tobit

    kwargs: dict[str, Any] = {
        "unit": keys[0],
        "time": keys[1] if len(keys) > 1 else None,
        **dict(options.tobit_options),
    }
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = tobit(table, y="_slack", x=environment, left=0.0, **kwargs)
    names = ["const", *environment]
    beta = model.params.loc[names].to_numpy()
    env_part = beta[0] + table[environment].to_numpy(dtype=float) @ beta[1:]
    notes = [str(w.message) for w in caught]
    coefficients = model.coefficients.loc[names].assign(
        se_method=f"tobit: {model.meta['se_note']}", boundary=False, note=""
    )
    coefficients["note"] = np.where(
        coefficients["std_error"].isna(),
        "no standard error: the Tobit information matrix is singular",
        "",
    )
    sigma = model.sigma if model.meta["panel"] == "pooled" else model.sigma_e
    summary = {
        "status": "estimated",
        "n_zero_slacks": int(np.sum(slack == 0.0)),
        "sigma": float(sigma),
        "loglik": model.loglik,
        "converged": True,
        "warnings": "; ".join(notes),
        "inference": "; ".join(sorted(set(coefficients["note"]) - {""})) or "ok",
    }
    nan = np.full(len(slack), np.nan)
    return {
        "model": model,
        "coefficients": coefficients,
        "env_part": env_part,
        "u_hat": nan,  # a Tobit does not split inefficiency from noise
        "v_hat": nan,
        "summary": summary,
        "messages": notes,
    }
