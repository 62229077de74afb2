"""Fixed-effects spatial panel models (SAR, SEM, SDM) by maximum likelihood.

The estimator follows Elhorst (2003; 2014, ch. 3): sweep out the fixed effects by
demeaning (unit, time or both), concentrate ``β`` and ``σ²`` out of the Gaussian
log-likelihood, maximise over the spatial coefficient with the log-determinant
``ln|I − ρW| = Σ ln(1 − ρω_i)`` from the eigenvalues ``ω`` of ``W``, then recover
``β`` and ``σ²``. With ``lee_yu=True`` the Lee & Yu (2010) transformation approach
is used instead of the direct approach: the likelihood counts ``T − 1`` periods when
unit effects are swept out and ``N − 1`` units (log-determinant
``ln|I − ρW| − ln(1 − ρ)``, row-standardised ``W``) when time effects are, which
removes the incidental-parameter bias of ``σ²`` (unit effects: ``σ̂² T/(T − 1)``)
and of ``ρ`` and ``β`` (two-way effects).

spreg's ``Panel_FE_Lag``/``Panel_FE_Error`` implement the direct approach for unit
effects only; this module implements the one estimator for all effects, SDM and the
Lee–Yu option so that standard errors, log-likelihoods and the LR tests between SAR,
SEM and SDM come from one consistent likelihood (the tests check it against spreg).
:func:`hausman_test` is the classical Hausman FE-vs-RE aid (linearmodels).

Demeaning and ``W``: the order
------------------------------
``Q`` sweeps out the effects (unit, time or both means) and ``W`` acts within each
period. With **unit** effects ``Q`` and ``W`` commute, so the order does not matter.
With **time** or **two-way** effects ``QWy ≠ WQy`` (the cross-sectional mean of
``Wy`` is not that of ``y`` unless ``W`` is doubly stochastic), and the two
reference codes differ:

=====  ====================================  ====================================
model  ``demean="elhorst"`` (default)        ``demean="splm"``
=====  ====================================  ====================================
SAR    ``Qy = ρ·Q(Wy) + QXβ``: ``W`` on raw   ``Qy = ρ·W(Qy) + QXβ``: ``y`` demeaned
       ``y``, then demeaned (Elhorst's        first, then lagged (splm
       ``sar_panel_FE``)                      ``spfeml``'s ``wyt``)
SDM    as SAR; ``WX`` is ``W`` on raw ``X``,  as SAR (``W(Qy)``); ``WX`` as in
       then demeaned (Elhorst's code takes    ``"elhorst"`` (splm builds ``WX`` in
       ``[X, WX]`` as data)                   the formula, from raw ``X``)
SEM    ``Qy = QXβ + u, u = λWu + ε``: ``W``   the same (splm ``spfeml`` lags the
       on the demeaned ``y`` and ``X``        demeaned ``yt``, ``xt`` too)
       (Elhorst's ``sem_panel_FE``)
=====  ====================================  ====================================

Both give the same Jacobian term ``T·ln|I − ρW|`` and differ only in the lagged
dependent variable of SAR/SDM with time effects (ρ of the two-way SAR of the
tests' 48-state income panel moves by 8e-4). The tests check each order against a
concentrated likelihood written independently (demeaning by pandas group means,
maximised with scipy).
Lee–Yu with time effects has its own transformation and keeps ``"elhorst"``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import DataError, ModelError, OptionError
from ..geo.weights import describe_weights, weights_for
from ..panel import require_columns, validate_panel
from ..results import coefficient_table, inference
from ._design import check_full_rank
from ._panel_likelihood import _Design, _fit_error, _fit_lag
from .effects import SpatialMultiplier, check_draws
from .regression import (
    SpatialRegressionResults,
    _check_model,
    _lag_impacts,
)

__all__ = ["hausman_test", "spatial_panel"]

EFFECTS = ("unit", "time", "twoway")
DEMEAN = ("elhorst", "splm")


def spatial_panel(
    data: pd.DataFrame,
    *,
    y: str,
    x: Sequence[str],
    w: Any,
    unit: str = "unit",
    time: str = "year",
    model: str = "sar",
    effects: str = "unit",
    lee_yu: bool = False,
    transform: str = "r",
    vcov: str = "expected",
    draws: int = 1000,
    seed: int = 0,
    tests: bool = True,
    demean: str = "elhorst",
) -> SpatialRegressionResults:
    """Fit a fixed-effects spatial panel model by maximum likelihood.

    Parameters
    ----------
    data : pandas.DataFrame
        Balanced long panel, one row per unit and period.
    y : str
        Dependent variable.
    x : sequence of str
        Regressors (time-varying; no constant — it is swept out with the effects).
    w : libpysal.graph.Graph or libpysal.weights.W
        Spatial weights on the values of ``unit``.
    unit, time : str
        Key columns.
    model : {"sar", "sem", "sdm"}
        Spatial lag ``y = ρWy + Xβ``, spatial error ``u = λWu + ε`` or spatial
        Durbin ``y = ρWy + Xβ + WXθ`` (lagged regressors named ``W_<x>``).
    effects : {"unit", "time", "twoway"}
        Fixed effects swept out by demeaning.
    lee_yu : bool
        Lee & Yu (2010) bias-corrected (transformation approach) estimates instead
        of the direct approach of Elhorst / splm / spreg.
    transform : str
        Weights transformation (``"r"`` row-standardised; required for Lee–Yu with
        time effects).
    vcov : {"expected", "observed"}
        Covariance from the expected information matrix (Elhorst 2014; spreg, splm)
        or from the analytic Hessian of the log-likelihood. Lee–Yu with time effects
        always uses the Hessian.
    draws, seed : int
        Simulation draws and seed for the standard errors of the effects.
    tests : bool
        For SDM, also fit SAR and SEM and report the Wald and LR tests of
        ``θ = 0`` (SAR) and ``θ + ρβ = 0`` (SEM) in ``diagnostics``.
    demean : {"elhorst", "splm"}
        Whether the spatial lag ``Wy`` of SAR/SDM is taken before (Elhorst's
        MATLAB code, default) or after (R ``splm``) the effects are swept out; it
        matters only with time or two-way effects (see the module notes). SEM and
        the ``WX`` of SDM are the same under both.

    Returns
    -------
    SpatialRegressionResults
        ``params`` hold ``β`` (and ``θ`` as ``W_<x>``) and ``rho`` or ``lambda``;
        ``fit`` the log-likelihood, AIC, ``sigma2``, ``nobs = N T``; ``impacts``
        the LeSage–Pace effects for SAR/SDM.

    Raises
    ------
    PanelError
        Unbalanced panel or duplicate (unit, period) rows.
    WeightsError
        Units missing from the weights, extra units, or islands.
    ModelError
        Unknown model/effects, or a regressor without within variation.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from libpysal.weights import lat2W
    >>> w = lat2W(4, 4)
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame({"unit": np.tile(np.arange(16), 5),
    ...                    "year": np.repeat(np.arange(2001, 2006), 16),
    ...                    "x": rng.normal(size=80)})
    >>> df["y"] = 2 * df["x"] + rng.normal(size=80)
    >>> res = spatial_panel(df, y="y", x=["x"], w=w, unit="unit", time="year",
    ...                     model="sar", effects="twoway", draws=0)
    >>> list(res.params.index)
    ['x', 'rho']
    >>> bool(abs(res.params["x"] - 2) < 0.3)
    True
    """
    model = _check_model(model, ("sar", "sem", "sdm"))
    effects = _check_model(effects, EFFECTS, "effects")
    vcov = _check_model(vcov, ("expected", "observed"), "vcov")
    demean = _check_model(demean, DEMEAN, "demean")
    check_draws(draws, seed)
    if lee_yu and demean == "splm" and effects != "unit":
        raise OptionError(
            "demean='splm' with lee_yu=True and time effects: the Lee–Yu "
            "transformation fixes its own order; use demean='elhorst'"
        )
    x = list(x)
    if not x:
        raise DataError("give at least one regressor in x")
    require_columns(data, [unit, time, y, *x])
    info = validate_panel(
        data, unit=unit, time=time, columns=[y, *x], require_balanced=True
    )
    if info.n_periods < 2:
        raise DataError(f"a spatial panel needs at least 2 periods of {time!r}")
    units = list(info.units)
    weights = weights_for(w, units, transform=transform)
    rows = np.asarray(weights.sparse.sum(axis=1)).ravel()
    if lee_yu and effects != "unit" and not np.allclose(rows, 1.0):
        raise ModelError(
            "Lee–Yu with time effects needs row-standardised weights (transform='r')"
        )
    design = _design(
        data,
        y,
        x,
        unit,
        time,
        units,
        list(info.periods),
        weights,
        model,
        effects,
        lee_yu,
        demean,
    )
    observed = vcov == "observed" or design.drop_unit_root
    fit = _fit_error(design, observed) if model == "sem" else _fit_lag(design, observed)
    names = [*design.names, "lambda" if model == "sem" else "rho"]
    estimates = pd.Series(fit["params"], index=names)
    cov = pd.DataFrame(fit["cov"], index=names, columns=names)
    n = info.n_units * info.n_periods
    k = len(names) + 1
    summary = {
        "loglik": fit["loglik"],
        "aic": -2 * fit["loglik"] + 2 * k,
        "nobs": n,
        "sigma2": fit["sigma2"],
        "k": k,
        "n_units": info.n_units,
        "n_periods": info.n_periods,
    }
    impacts = None
    if model != "sem":
        impacts = _lag_impacts(
            design.multiplier, estimates, cov, x, draws=draws, seed=seed
        )
    diagnostics = None
    if model == "sdm" and tests:
        diagnostics = _sdm_tests(design, estimates, cov, fit["loglik"], x, observed)
    meta = {
        "model": model,
        "effects": effects,
        "lee_yu": lee_yu,
        "y": y,
        "x": x,
        "approach": "Lee-Yu transformation" if lee_yu else "direct (Elhorst)",
        "demean": demean,
        "vcov": "observed (Hessian)" if observed else "expected information",
        "weights": describe_weights(w, weights, transform=transform),
        "inference": inference(None),
    }
    return SpatialRegressionResults(
        coefficient_table(estimates, cov), impacts, diagnostics, cov, summary, meta
    )


def _design(
    data: pd.DataFrame,
    y: str,
    x: list[str],
    unit: str,
    time: str,
    units: list,
    periods: list,
    weights: Any,
    model: str,
    effects: str,
    lee_yu: bool,
    demean: str = "elhorst",
) -> _Design:
    wd = np.asarray(weights.full()[0], dtype=float)
    ordered = data.set_index([time, unit])
    index = pd.MultiIndex.from_product([periods, units])
    t, n = len(periods), len(units)
    yy = ordered[y].reindex(index).to_numpy(float).reshape(t, n)
    xx = ordered[x].reindex(index).to_numpy(float).reshape(t, n, len(x))
    names = list(x)
    if model == "sdm":
        xx = np.concatenate([xx, np.einsum("ij,tjk->tik", wd, xx)], axis=2)
        names += [f"W_{name}" for name in x]
    ys, xs = _sweep(yy, effects), _sweep(xx, effects)
    # W on raw y then demeaned (Elhorst) or on the demeaned y (splm): module notes
    wys = _sweep(yy @ wd.T, effects) if demean == "elhorst" else ys @ wd.T
    within = np.sqrt((xs**2).sum(axis=(0, 1)))
    scale = np.sqrt((xx**2).sum(axis=(0, 1))) + 1e-300
    flat = [nm for nm, a, b in zip(names, within, scale, strict=True) if a <= 1e-10 * b]
    if flat:
        raise ModelError(
            f"regressor(s) {', '.join(map(repr, flat))} have no variation left after "
            f"removing {effects} fixed effects (constant within every unit or period)"
        )
    check_full_rank(
        xs.reshape(-1, xs.shape[2]),
        names,
        where=f" after removing {effects} fixed effects",
        hint=(
            " (with row-standardised W, W_x equals x for a regressor common to "
            "all units)"
            if model == "sdm"
            else ""
        ),
    )
    multiplier = SpatialMultiplier.from_matrix(wd)
    unit_fe = effects in ("unit", "twoway")
    time_fe = effects in ("time", "twoway")
    n_eff, t_eff = n * t, t
    if lee_yu:
        n_eff = (n - (1 if time_fe else 0)) * (t - (1 if unit_fe else 0))
        t_eff = t - (1 if unit_fe else 0)
    return _Design(
        ys,
        wys,
        xs,
        names,
        wd,
        multiplier.eigenvalues,
        n_eff,
        t_eff,
        lee_yu and time_fe,
        multiplier,
    )


def _sweep(a: np.ndarray, effects: str) -> np.ndarray:
    """Demean an array of layout (T, N, ...) by unit, period or both."""
    if effects in ("unit", "twoway"):
        a = a - a.mean(axis=0, keepdims=True)
    if effects in ("time", "twoway"):
        a = a - a.mean(axis=1, keepdims=True)
    return a


def _sdm_tests(
    d: _Design,
    est: pd.Series,
    cov: pd.DataFrame,
    loglik: float,
    x: list[str],
    observed: bool,
) -> pd.DataFrame:
    """Wald and LR tests of the SDM against SAR (θ = 0) and SEM (θ + ρβ = 0)."""
    k = len(x)
    lagged = [f"W_{name}" for name in x]
    theta = est[lagged].to_numpy()
    v_theta = cov.loc[lagged, lagged].to_numpy()
    wald_sar = float(theta @ np.linalg.solve(v_theta, theta))
    beta, rho = est[x].to_numpy(), float(est["rho"])
    g = theta + rho * beta
    order = [*x, *lagged, "rho"]
    jac = np.hstack([rho * np.eye(k), np.eye(k), beta[:, None]])
    v_g = jac @ cov.loc[order, order].to_numpy() @ jac.T
    wald_sem = float(g @ np.linalg.solve(v_g, g))
    narrow = dataclasses.replace(d, x=d.x[:, :, :k], names=d.names[:k])
    ll_sar = _fit_lag(narrow, observed)["loglik"]
    ll_sem = _fit_error(narrow, observed)["loglik"]
    rows = [
        ("Wald SDM vs SAR (theta = 0)", wald_sar),
        ("LR SDM vs SAR (theta = 0)", 2 * (loglik - ll_sar)),
        ("Wald SDM vs SEM (theta + rho*beta = 0)", wald_sem),
        ("LR SDM vs SEM (theta + rho*beta = 0)", 2 * (loglik - ll_sem)),
    ]
    table = pd.DataFrame(
        [
            {
                "test": name,
                "statistic": stat,
                "df": k,
                "p": float(stats.chi2.sf(stat, k)),
            }
            for name, stat in rows
        ]
    )
    return table.set_index("test")


def hausman_test(
    data: pd.DataFrame,
    *,
    y: str,
    x: str | Sequence[str],
    unit: str = "unit",
    time: str = "year",
) -> pd.Series:
    """Hausman (1978) test of unit fixed against random effects — a choice aid.

    Compares the within (fixed-effects) and GLS random-effects slopes of the
    non-spatial panel regression (linearmodels ``PanelOLS`` and ``RandomEffects``):
    ``H = d'(V_FE − V_RE)⁻¹d``, ``d = β_FE − β_RE``, χ² with ``len(x)`` degrees of
    freedom; a small p-value favours fixed effects. This is the pre-test applied
    spatial-panel papers report before choosing FE. spreg's spatial
    ``panel_Hausman`` was not used: it works on unscaled ``varb`` matrices in the
    order ``V_RE − V_FE`` and in our checks returned negative statistics, and
    ``Panel_RE_Error`` failed with singular matrices on well-posed data. When
    ``V_FE − V_RE`` is not positive definite in the sample, the statistic uses the
    subspace of its positive eigenvalues and ``df`` is their number. ``x`` is one
    regressor or several.

    Returns
    -------
    pandas.Series
        ``statistic``, ``df``, ``p``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(2)
    >>> df = pd.DataFrame({"unit": np.tile(np.arange(16), 6),
    ...                    "year": np.repeat(np.arange(6), 16),
    ...                    "x": rng.normal(size=96)})
    >>> df["y"] = df["x"] + rng.normal(size=96)
    >>> h = hausman_test(df, y="y", x=["x"], unit="unit", time="year")
    >>> int(h["df"])
    1
    """
    from linearmodels import PanelOLS, RandomEffects

    x = [x] if isinstance(x, str) else list(x)
    require_columns(data, [unit, time, y, *x])
    validate_panel(data, unit=unit, time=time, columns=[y, *x])
    values = data[x].to_numpy(float)
    within = values - data.groupby(unit)[x].transform("mean").to_numpy(float)
    check_full_rank(
        within, x, where=" after removing unit fixed effects", before=values
    )
    check_full_rank(np.column_stack([np.ones(len(values)), values]), ["const", *x])
    panel = data.set_index([unit, time])
    exog = panel[x].assign(const=1.0)
    fe = PanelOLS(panel[y], exog, entity_effects=True).fit()
    re_ = RandomEffects(panel[y], exog).fit()
    d = (fe.params[x] - re_.params[x]).to_numpy()
    v = (fe.cov.loc[x, x] - re_.cov.loc[x, x]).to_numpy()
    values, vectors = np.linalg.eigh((v + v.T) / 2)
    keep = values > 1e-10 * max(np.abs(values).max(), 1e-300)
    if not keep.any():
        raise ModelError(
            "V_FE - V_RE has no positive eigenvalue; Hausman test undefined"
        )
    proj = vectors[:, keep].T @ d
    stat = float(np.sum(proj**2 / values[keep]))
    rank = int(keep.sum())
    return pd.Series(
        {"statistic": stat, "df": rank, "p": float(stats.chi2.sf(stat, rank))}
    )
