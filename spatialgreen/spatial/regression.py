"""Cross-sectional spatial regression by maximum likelihood (a thin layer over spreg).

:func:`spatial_regression` fits OLS with spatial diagnostics, SLX, the spatial lag
(SAR), spatial error (SEM) and spatial Durbin (SDM) models through spreg and returns a
:class:`SpatialRegressionResults` of numbers: coefficients, standard errors, p-values,
``rho`` (lag) or ``lambda`` (error), log-likelihood, AIC and, for SAR/SDM,
LeSage–Pace effects with simulated standard errors. The same results class is used by
the spatial panel models of :mod:`spatialgreen.spatial.panel`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import (
    ConvergenceError,
    DataError,
    ModelError,
    OptionError,
    check_choice,
)
from ..geo.weights.align import describe_weights, weights_for
from ..panel import validate_panel
from ..results import EstimatesMixin, Results, _Field, coefficient_table, inference
from ._design import check_full_rank
from .effects import SpatialMultiplier, check_draws
from .effects import impacts as _impacts

__all__ = [
    "SpatialRegressionResults",
    "coefficient_table",
    "keyed_tables",
    "spatial_regression",
]

MODELS = ("ols", "slx", "sar", "sem", "sdm")
METHODS = ("full", "ord", "LU")


@dataclasses.dataclass(frozen=True)
class SpatialRegressionResults(EstimatesMixin, Results):
    """Estimates of a spatial regression (cross-section or panel).

    Attributes
    ----------
    coefficients : pandas.DataFrame
        One row per parameter in the common layout (``estimate, std_error,
        statistic, p, ci_low, ci_high``; z for ML, t for OLS/SLX). The lag
        coefficient is ``rho``, the error coefficient ``lambda``, spatially lagged
        regressors ``W_<x>``, the constant ``const``.
    impacts : pandas.DataFrame or None
        LeSage–Pace direct/indirect/total effects with simulated SEs (SAR, SDM).
    diagnostics : pandas.DataFrame or None
        Specification tests (``test, statistic, df, p``): LM-lag, LM-error, robust
        LM, LM-SARMA and Moran's I of residuals for OLS/SLX; LR and Wald tests of
        SDM restrictions for panel SDM.
    cov : pandas.DataFrame
        Covariance of the estimates (without ``sigma2`` unless noted in ``meta``).
    fit : dict
        ``loglik``, ``aic``, ``nobs``, ``sigma2`` and model-specific statistics.
    meta : dict
        Model, options and how the weights were built.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from libpysal.weights import lat2W
    >>> rng = np.random.default_rng(3)
    >>> df = pd.DataFrame({"x": rng.normal(size=25)})
    >>> df["y"] = 1 + df["x"] + rng.normal(size=25)
    >>> res = spatial_regression(df, y="y", x=["x"], w=lat2W(5, 5), draws=100)
    >>> list(res.impacts.columns[:4])
    ['direct', 'direct_se', 'direct_z', 'direct_p']
    >>> res.nobs, res.weights_info["transform"]
    (25, 'r')
    """

    coefficients: pd.DataFrame
    impacts: pd.DataFrame | None
    diagnostics: pd.DataFrame | None
    cov: pd.DataFrame
    fit: dict
    meta: dict

    def tables(self) -> dict[str, pd.DataFrame]:
        """Tables for export, with the parameter/variable/test index as a column."""
        return keyed_tables(super().tables())

    def metadata(self) -> dict[str, Any]:
        """Model, options and fit statistics (log-likelihood, AIC, n, σ²)."""
        meta = super().metadata()
        meta.update({k: v for k, v in self.fit.items() if k not in meta})
        return meta

    loglik = _Field(
        "fit", float, "Maximised log-likelihood (Gaussian log-likelihood for OLS/SLX)."
    )
    aic = _Field("fit", float, "Akaike information criterion ``−2 lnL + 2k``.")
    sigma2 = _Field("fit", float, "Estimated error variance.")

    @property
    def weights_info(self) -> dict:
        """How the weights were built (geo metadata if present, else n/transform)."""
        return dict(self.meta.get("weights", {}))


def spatial_regression(
    data: pd.DataFrame,
    *,
    y: str,
    x: Sequence[str],
    w: Any,
    model: str = "sar",
    unit: str | None = None,
    transform: str = "r",
    draws: int = 1000,
    seed: int = 0,
    method: str = "full",
) -> SpatialRegressionResults:
    """Fit a cross-sectional spatial regression by maximum likelihood (spreg).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit.
    y : str
        Dependent variable.
    x : sequence of str
        Regressors (a constant ``const`` is added).
    w : libpysal.graph.Graph or libpysal.weights.W
        Spatial weights whose ids are the values of ``unit`` (or the index of
        ``data`` when ``unit`` is None).
    model : {"sar", "sem", "sdm", "slx", "ols"}
        ``"sar"`` ``y = ρWy + Xβ + ε`` (spreg ``ML_Lag``); ``"sem"`` ``y = Xβ + u,
        u = λWu + ε`` (``ML_Error``); ``"sdm"`` adds ``WX`` to SAR (``ML_Lag`` with
        ``slx_lags=1``); ``"slx"`` OLS on ``X, WX``; ``"ols"`` OLS with spatial
        diagnostics (LM-lag, LM-error, robust LM, Moran's I of residuals).
    unit : str, optional
        Unit id column matched to the weights ids.
    transform : str
        Weights transformation, ``"r"`` (row-standardised, default) or ``"b"``.
    draws, seed : int
        Simulation draws (0 = effects without standard errors, else at least 2)
        and their seed (>= 0) for the standard errors of the effects.
    method : {"full", "ord", "LU"}
        spreg's log-determinant method; ``"LU"`` (sparse) for thousands of units.

    Returns
    -------
    SpatialRegressionResults

    Raises
    ------
    ModelError
        Perfectly collinear regressors (named; for ``"slx"``/``"sdm"`` including
        the lagged ``W_<x>``), too few observations, an inadmissible ρ/λ.
    OptionError
        An option out of range (``draws=-1``, ``method="lu"``, ...), named.

    Examples
    --------
    One year of 25 units on a 5 × 5 lattice:

    >>> from libpysal.weights import lat2W
    >>> from spatialgreen.datasets import example_panel
    >>> df = example_panel(n_units=25, n_years=1)
    >>> res = spatial_regression(
    ...     df, y="y", x=["x1", "x2"], w=lat2W(5, 5), unit="unit", model="sem"
    ... )
    >>> list(res.params.index)
    ['const', 'x1', 'x2', 'lambda']
    """
    model = _check_model(model, MODELS)
    check_choice(method, "method", METHODS)
    check_draws(draws, seed)
    x = list(x)
    frame, ids = _cross_section(data, y=y, x=x, unit=unit)
    weights = weights_for(w, ids, transform=transform)
    rows = np.asarray(weights.sparse.sum(axis=1)).ravel()
    _check_design(frame[x].to_numpy(float), x, weights, lagged=model in ("slx", "sdm"))
    if method == "ord" and model in MODELS[2:] and not np.allclose(rows, 1.0):
        # spreg's "ord" route row-standardises W in place (w_utils.symmetrize)
        # half-way through the fit, mixing binary and row-standardised W
        raise ModelError(
            f"method='ord' needs row-standardised weights (transform='r'); got "
            f"transform={transform!r} — use method='full' or 'LU'"
        )
    yv = frame[y].to_numpy(float)[:, None]
    xv = frame[x].to_numpy(float)
    common: dict[str, Any] = {"name_y": y, "name_x": x}
    with _quiet(admissibility_checked=True):  # _check_admissible follows
        import spreg

        if model in ("ols", "slx"):
            fitted = spreg.OLS(
                yv,
                xv,
                w=weights,
                spat_diag=True,
                moran=True,
                slx_lags=1 if model == "slx" else 0,
                **common,
            )
        elif model == "sem":
            fitted = spreg.ML_Error(yv, xv, weights, method=method, **common)
        else:
            fitted = spreg.ML_Lag(
                yv,
                xv,
                weights,
                slx_lags=1 if model == "sdm" else 0,
                method=method,
                spat_impacts=None,
                spat_diag=False,
                **common,
            )
    names = [_param_name(n) for n in fitted.name_x]
    if model in ("sar", "sdm"):
        names[-1] = "rho"  # spreg names the lag W_<y> or W_dep_var
    if model in MODELS[2:] and not np.allclose(rows, 1.0):
        _check_admissible(weights, names[-1], float(np.ravel(fitted.betas)[-1]))
    cov = pd.DataFrame(fitted.vm, index=names, columns=names)
    estimates = pd.Series(np.asarray(fitted.betas, float).ravel(), index=names)
    df_resid = int(fitted.n - fitted.k) if model in ("ols", "slx") else None
    coefficients = coefficient_table(estimates, cov, df=df_resid)
    if model in ("ols", "slx"):
        loglik, sigma2 = fitted.logll, fitted.sig2ML
    else:
        loglik, sigma2 = fitted.logll, fitted.sig2
    fit = {
        "loglik": float(loglik),
        # −2 lnL + 2k with k counting every coefficient and ρ/λ (spreg's own aic
        # leaves λ out for ML_Error, favouring SEM by 2 against SAR/SDM)
        "aic": -2.0 * float(loglik) + 2.0 * len(names),
        "nobs": int(fitted.n),
        "sigma2": float(np.asarray(sigma2).ravel()[0]),
        "k": len(names),
    }
    effects = None
    if model in ("sar", "sdm"):
        effects = _lag_impacts(
            weights.full()[0], estimates, cov, x, draws=draws, seed=seed
        )
    diagnostics = _ols_diagnostics(fitted) if model in ("ols", "slx") else None
    meta = {
        "model": model,
        "y": y,
        "x": list(x),
        "estimator": type(fitted).__name__,
        "method": method,
        "weights": describe_weights(w, weights, transform=transform),
        "inference": inference(df_resid),
    }
    return SpatialRegressionResults(coefficients, effects, diagnostics, cov, fit, meta)


def keyed_tables(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Move a named (non-default) index into columns so that exports keep it.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"v": [1.0]}, index=pd.Index(["rho"], name="parameter"))
    >>> list(keyed_tables({"t": t})["t"].columns)
    ['parameter', 'v']
    """
    out = {}
    for name, table in tables.items():
        named = any(level is not None for level in table.index.names)
        out[name] = table.reset_index() if named else table
    return out


def _lag_impacts(
    w_dense: np.ndarray | SpatialMultiplier,
    estimates: pd.Series,
    cov: pd.DataFrame,
    x: Sequence[str],
    *,
    draws: int,
    seed: int,
) -> pd.DataFrame:
    """LeSage–Pace effects of the regressors ``x`` from SAR/SDM estimates."""
    beta = estimates[list(x)]
    lagged = [f"W_{name}" for name in x]
    theta = (
        estimates.reindex(lagged).fillna(0.0)
        if any(n in estimates for n in lagged)
        else None
    )
    if theta is not None:
        theta.index = lagged
        missing = [n for n in lagged if n not in cov.index]
        if missing:
            # only some regressors are lagged: give the others a zero-variance theta
            cov = cov.reindex(
                index=[*cov.index, *missing],
                columns=[*cov.columns, *missing],
                fill_value=0.0,
            )
    return _impacts(
        w_dense,
        rho=float(estimates["rho"]),
        beta=beta,
        theta=theta,
        cov=cov,
        draws=draws,
        seed=seed,
    )


def _cross_section(
    data: pd.DataFrame, *, y: str, x: Sequence[str], unit: str | None
) -> tuple[pd.DataFrame, list]:
    if unit is None:
        frame = data.reset_index(drop=False)
        unit = "__unit__"
        frame[unit] = list(data.index)
    else:
        frame = data
    validate_panel(frame, unit=unit, columns=[y, *x])
    if len(x) == 0:
        raise DataError("give at least one regressor in x")
    return frame, list(frame[unit])


def _check_design(
    xv: np.ndarray, x: Sequence[str], weights: Any, *, lagged: bool
) -> None:
    """Refuse a rank-deficient ``[const, X(, WX)]`` naming the columns."""
    design = np.column_stack([np.ones(len(xv)), xv])
    check_full_rank(design, ["const", *x])
    if lagged:
        check_full_rank(
            np.column_stack([design, weights.sparse @ xv]),
            ["const", *x, *(f"W_{name}" for name in x)],
            hint=" or use model='sar'/'sem' without the lagged W_x",
        )


def _check_admissible(weights: Any, name: str, value: float) -> None:
    """spreg searches ρ/λ on (−1, 1), beyond ``1/ω_max`` unless W is
    row-standardised: reject an estimate outside ``(1/ω_min, 1/ω_max)``."""
    dense = np.asarray(weights.full()[0], dtype=float)
    if np.allclose(dense, dense.T):
        omega = np.linalg.eigvalsh(dense)
    else:
        omega = np.linalg.eigvals(dense).real
    low, high = 1.0 / omega.min(), 1.0 / omega.max()
    if not low < value < high:
        raise ConvergenceError(
            f"{name} = {value:.6f} is outside its admissible interval "
            f"({low:.6f}, {high:.6f}) for these weights (I − {name}·W is singular "
            "or changes sign); row-standardise the weights (transform='r')"
        )


def _check_model(model: str, allowed: Sequence[str], option: str = "model") -> str:
    key = model.lower() if isinstance(model, str) else model
    if key not in allowed:
        raise OptionError(
            f"{option}={model!r}: must be one of {', '.join(map(repr, allowed))}"
        )
    return key


def _param_name(name: str) -> str:
    return {"CONSTANT": "const", "W_dep_var": "rho", "lambda": "lambda"}.get(name, name)


def _ols_diagnostics(fitted: Any) -> pd.DataFrame:
    rows = []
    for label, attr, df in (
        ("LM-lag", "lm_lag", 1),
        ("LM-error", "lm_error", 1),
        ("robust LM-lag", "rlm_lag", 1),
        ("robust LM-error", "rlm_error", 1),
        ("LM-SARMA", "lm_sarma", 2),
    ):
        value = getattr(fitted, attr, None)
        if value is not None:
            rows.append(
                {
                    "test": label,
                    "statistic": float(value[0]),
                    "df": df,
                    "p": float(value[1]),
                }
            )
    moran = getattr(fitted, "moran_res", None)
    if moran is not None:
        rows.append(
            {
                "test": "Moran's I (residuals)",
                "statistic": float(moran[0]),
                "df": np.nan,
                "p": float(moran[2]),
            }
        )
        rows.append(
            {
                "test": "Moran's I (residuals) z",
                "statistic": float(moran[1]),
                "df": np.nan,
                "p": float(moran[2]),
            }
        )
    return pd.DataFrame(rows, columns=["test", "statistic", "df", "p"]).set_index(
        "test"
    )


# The notices spreg's own code gives while fitting, silenced by :func:`_quiet` as
# (category, message regex, module regex of the spreg code it is attributed to).
# Anything else, our SpatialGreenWarnings included, still reaches the user.
_SPREG_NOTICES: tuple[tuple[type[Warning], str, str], ...] = (
    # spreg builds its printed summary with DataFrame.drop/sort_values(inplace=
    # True), which pandas 3 deprecates (Pandas4Warning); we read the estimates,
    # never that summary, and the calls still work.
    (DeprecationWarning, r"The inplace keyword in DataFrame\.", r"spreg\.output"),
    # spreg passes tol= to scipy's bounded scalar search of rho/lambda; scipy says
    # it uses it as the absolute tolerance, which is what spreg means.
    (RuntimeWarning, r"Method 'bounded' does not support relative", r"spreg\.ml_"),
)
# Silenced only where the estimate is then checked by _check_admissible: the
# log-Jacobian log|I - rho W| at a trial rho/lambda outside the admissible interval
# (binary weights, searched on (-1, 1)) is the log of a determinant <= 0; the
# bounded search takes the NaN as no improvement, and _check_admissible refuses
# any estimate outside the interval.
_SPREG_INADMISSIBLE_TRIAL = (
    RuntimeWarning,
    r"(invalid value|divide by zero) encountered in log",
    r"spreg\.ml_",
)


@contextlib.contextmanager
def _quiet(*, admissibility_checked: bool = False) -> Iterator[None]:
    """Silence spreg's stdout prints and the spreg notices of ``_SPREG_NOTICES``
    (and ``_SPREG_INADMISSIBLE_TRIAL`` when the caller checks the estimate)."""
    notices = _SPREG_NOTICES
    if admissibility_checked:
        notices = (*notices, _SPREG_INADMISSIBLE_TRIAL)
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        for category, message, module in notices:
            warnings.filterwarnings(
                "ignore", message=message, category=category, module=module
            )
        yield
