"""Spatial heterogeneity: regime models, subgroup regressions with Chow-type tests,
and geographically weighted regression.

* :func:`spatial_regimes` — OLS, SAR or SEM with coefficients varying by regime
  (e.g. east/central/west), spreg's ``*_Regimes`` estimators, with spreg's Chow–Wald
  tests of coefficient equality across regimes.
* :func:`subgroup_regression` — a separate OLS per group (the "heterogeneity
  analysis" table of applied papers) with the classic Chow F test of one common
  coefficient vector and per-coefficient Wald tests of equality across groups.
* :func:`gwr` — GWR or multiscale GWR through the optional ``mgwr`` package (extra
  ``gwr``), returning local coefficients per unit ready to map.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import (
    DataError,
    DependencyError,
    ModelError,
    check_choice,
    check_int,
    check_number,
)
from ..geo.weights import describe_weights, weights_for
from ..panel import require_columns, validate_panel
from ..results import EstimatesMixin, Results, coefficient_table, inference
from ._design import check_full_rank
from .regression import (
    _check_model,
    _quiet,
    keyed_tables,
)

__all__ = [
    "GWRResults",
    "RegimeResults",
    "gwr",
    "spatial_regimes",
    "subgroup_regression",
]


@dataclasses.dataclass(frozen=True)
class RegimeResults(EstimatesMixin, Results):
    """Coefficients by regime/group with coefficient-equality tests.

    Attributes
    ----------
    coefficients : pandas.DataFrame
        Rows keyed by (``group``, ``parameter``) in the common layout
        (``estimate, std_error, statistic, p, ci_low, ci_high``; t for OLS, z for
        ML). Parameters common to all regimes (``rho``, ``lambda``) have group
        ``"(all)"``.
    tests : pandas.DataFrame
        Equality tests: one row per coefficient and a joint row (``statistic, df,
        p`` and the test's name in ``kind``).
    fit : pandas.DataFrame
        Per group (and pooled) ``nobs``, fit statistics.
    meta : dict
        Model and options.
    """

    coefficients: pd.DataFrame
    tests: pd.DataFrame
    fit: pd.DataFrame
    meta: dict

    def tables(self) -> dict[str, pd.DataFrame]:
        """Tables for export, with group/parameter/test keys as columns."""
        return keyed_tables(super().tables())

    @property
    def nobs(self) -> int:
        """Number of observations of the whole sample."""
        return int(self.fit["nobs"].iloc[-1])


def spatial_regimes(
    data: pd.DataFrame,
    *,
    y: str,
    x: Sequence[str],
    regimes: str,
    w: Any,
    model: str = "ols",
    unit: str | None = None,
    transform: str = "r",
) -> RegimeResults:
    """Regression with regime-specific coefficients (spreg ``*_Regimes``).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit.
    y, x : str, sequence of str
        Dependent variable and regressors (a constant per regime is added).
    regimes : str
        Column with the regime of each unit (e.g. ``"region"``).
    w : libpysal.graph.Graph or libpysal.weights.W
        Spatial weights on the values of ``unit`` (or the index).
    model : {"ols", "sar", "sem"}
        ``OLS_Regimes``, ``ML_Lag_Regimes`` (one global ``rho``) or
        ``ML_Error_Regimes`` (one global ``lambda``).
    unit : str, optional
        Unit id column.
    transform : str
        Weights transformation.

    Returns
    -------
    RegimeResults
        ``tests`` holds spreg's Chow–Wald tests: one per coefficient (equal across
        regimes) and a joint test, each χ².

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from libpysal.weights import lat2W
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"x": rng.normal(size=36),
    ...                    "zone": np.repeat(["east", "west"], 18)})
    >>> slope = np.where(df["zone"] == "east", 1.0, 3.0)
    >>> df["y"] = slope * df["x"] + rng.normal(size=36)
    >>> res = spatial_regimes(df, y="y", x=["x"], regimes="zone", w=lat2W(6, 6))
    >>> res.params.loc[("west", "x")] > res.params.loc[("east", "x")]
    np.True_
    """
    import spreg

    model = _check_model(model, ("ols", "sar", "sem"))
    x = list(x)
    frame = data.reset_index() if unit is None else data
    ids = list(data.index) if unit is None else list(data[unit])
    require_columns(frame, [y, *x, regimes])
    validate_panel(frame.assign(__id__=ids), unit="__id__", columns=[y, *x])
    if frame[regimes].isna().any():
        raise DataError(f"regime column {regimes!r} has missing values")
    weights = weights_for(w, ids, transform=transform)
    labels = frame[regimes].astype(str).tolist()
    yv = frame[[y]].to_numpy(float)
    xv = frame[x].to_numpy(float)
    _check_groups(xv, x, np.asarray(labels), f"regime {regimes!r}", constant=True)
    names = {"name_y": y, "name_x": x}
    with _quiet():
        if model == "ols":
            fitted = spreg.OLS_Regimes(
                yv, xv, labels, w=weights, regime_err_sep=False, **names
            )
        elif model == "sar":
            fitted = spreg.ML_Lag_Regimes(yv, xv, labels, w=weights, **names)
        else:
            fitted = spreg.ML_Error_Regimes(yv, xv, labels, w=weights, **names)
    index = [_split_regime_name(n, y) for n in fitted.name_x]
    est = np.asarray(fitted.betas, float).ravel()
    df = fitted.n - fitted.k if model == "ols" else None
    coefficients = coefficient_table(
        pd.Series(est, index=pd.MultiIndex.from_tuples(index)),
        np.sqrt(np.diag(fitted.vm)),
        df=df,
    )
    n_groups = len(set(labels))
    rows = [
        {
            "test": f"equal {name} across regimes",
            "kind": "Chow-Wald chi2",
            "statistic": float(s),
            "df": n_groups - 1,
            "p": float(pv),
        }
        for name, (s, pv) in zip(["const", *x], fitted.chow.regi, strict=True)
    ]
    joint_df = (len(x) + 1) * (n_groups - 1)
    rows.append(
        {
            "test": "all coefficients equal across regimes",
            "kind": "Chow-Wald chi2",
            "statistic": float(fitted.chow.joint[0]),
            "df": joint_df,
            "p": float(fitted.chow.joint[1]),
        }
    )
    tests = pd.DataFrame(rows).set_index("test")
    counts = pd.Series(labels).value_counts().sort_index()
    fit = pd.DataFrame({"nobs": counts})
    fit.loc["(all)", "nobs"] = len(labels)
    fit.index.name = "group"
    fit["loglik"] = np.nan
    fit.loc["(all)", "loglik"] = float(getattr(fitted, "logll", np.nan))
    meta = {
        "model": model,
        "y": y,
        "x": x,
        "regimes": regimes,
        "estimator": type(fitted).__name__,
        "weights": describe_weights(w, weights, transform=transform),
        "inference": inference(df),
    }
    return RegimeResults(coefficients, tests, fit, meta)


def _split_regime_name(name: str, y: str) -> tuple[str, str]:
    if name in ("lambda",) or name.startswith("_Global_W_") or name == "W_dep_var":
        return "(all)", "lambda" if name == "lambda" else "rho"
    group, _, param = name.partition("_")
    return group, "const" if param == "CONSTANT" else param


def subgroup_regression(
    data: pd.DataFrame,
    *,
    y: str,
    x: Sequence[str],
    group: str,
    constant: bool = True,
) -> RegimeResults:
    """Separate OLS by group with Chow-type tests of coefficient equality.

    Each group gets its own OLS (``statsmodels``), the usual sub-sample table. Tests:

    * the Chow (1960) F test that all groups share one coefficient vector,
      ``F = [(SSR_pooled − Σ SSR_g)/(k(G − 1))] / [Σ SSR_g/(n − Gk)]``, which assumes
      a common error variance;
    * per coefficient, a Wald χ² test (``G − 1`` df) that it is equal across groups,
      built from the separate estimates and their own covariances (independent
      samples, so it allows group-specific error variances; for two groups it is
      the square of the familiar ``(b₁ − b₂)/√(s₁² + s₂²)`` z test).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"x": rng.normal(size=60), "g": np.repeat(["a", "b"], 30)})
    >>> slope = np.where(df["g"] == "a", 1.0, 3.0)
    >>> df["y"] = slope * df["x"] + 0.5 * rng.normal(size=60)
    >>> res = subgroup_regression(df, y="y", x=["x"], group="g")
    >>> bool(res.tests.loc["Chow F: all coefficients equal", "p"] < 0.05)
    True
    """
    import statsmodels.api as sm

    x = list(x)
    require_columns(data, [y, *x, group])
    frame = data[[y, *x, group]]
    if frame[[y, *x]].isna().any().any():
        raise DataError(f"missing values in {y!r} or {x}; drop or impute them first")
    if frame[group].isna().any():
        raise DataError(f"group column {group!r} has missing values")

    def design(part: pd.DataFrame) -> pd.DataFrame:
        xs = part[x].astype(float)
        return sm.add_constant(xs, has_constant="add") if constant else xs

    k = len(x) + int(constant)
    _check_groups(
        frame[x].to_numpy(float),
        x,
        frame[group].to_numpy(),
        f"group {group!r}",
        constant=constant,
    )
    fits = {}
    for label, part in frame.groupby(group, sort=True):
        if len(part) <= k:
            raise DataError(
                f"group {group}={label!r} has {len(part)} rows, fewer than "
                f"{k + 1} needed for {k} coefficients"
            )
        fits[label] = sm.OLS(part[y].astype(float), design(part)).fit()
    if len(fits) < 2:
        raise DataError(f"group column {group!r} needs at least two groups")
    pooled = sm.OLS(frame[y].astype(float), design(frame)).fit()
    coefficients = coefficient_table(
        pd.concat({str(g): f.params for g, f in fits.items()}),
        pd.concat({str(g): f.bse for g, f in fits.items()}),
        df={str(g): f.df_resid for g, f in fits.items()},
    )
    tests = _equality_tests(fits, pooled, k, len(frame))
    fit = pd.DataFrame(
        {
            "nobs": [int(f.nobs) for f in fits.values()] + [int(pooled.nobs)],
            "r2": [f.rsquared for f in fits.values()] + [pooled.rsquared],
            "ssr": [f.ssr for f in fits.values()] + [pooled.ssr],
        },
        index=pd.Index([*map(str, fits), "(pooled)"], name="group"),
    )
    meta = {
        "model": "subgroup OLS",
        "y": y,
        "x": x,
        "group": group,
        "inference": inference({str(g): f.df_resid for g, f in fits.items()}),
    }
    return RegimeResults(coefficients, tests, fit, meta)


def _check_groups(
    xv: np.ndarray, x: list[str], labels: np.ndarray, what: str, *, constant: bool
) -> None:
    """Refuse fewer than two groups and a rank-deficient design within a group."""
    groups = pd.unique(labels)
    if len(groups) < 2:
        raise DataError(f"{what} needs at least two groups; it has {len(groups)}")
    names = ["const", *x] if constant else list(x)
    for value in groups:
        part = xv[labels == value]
        label = value.item() if isinstance(value, np.generic) else value
        if len(part) <= len(names):
            raise DataError(
                f"{what} = {label!r} has {len(part)} rows, fewer than "
                f"{len(names) + 1} needed for {len(names)} coefficients"
            )
        design = np.column_stack([np.ones(len(part)), part]) if constant else part
        check_full_rank(design, names, where=f" in {what} = {label!r}")


def _equality_tests(fits: dict, pooled: Any, k: int, n: int) -> pd.DataFrame:
    n_groups = len(fits)
    ssr_sep = sum(f.ssr for f in fits.values())
    df1, df2 = k * (n_groups - 1), n - n_groups * k
    f_stat = ((pooled.ssr - ssr_sep) / df1) / (ssr_sep / df2)
    rows = [
        {
            "test": "Chow F: all coefficients equal",
            "kind": "F",
            "statistic": f_stat,
            "df": df1,
            "df_resid": df2,
            "p": float(stats.f.sf(f_stat, df1, df2)),
        }
    ]
    first = next(iter(fits.values()))
    for name in first.params.index:
        est = np.array([f.params[name] for f in fits.values()])
        var = np.array([f.bse[name] ** 2 for f in fits.values()])
        # contrasts of each group against the first; independent samples
        diff = est[1:] - est[0]
        cov = np.diag(var[1:]) + var[0]
        wald = float(diff @ np.linalg.solve(cov, diff))
        rows.append(
            {
                "test": f"equal {name} across groups",
                "kind": "Wald chi2",
                "statistic": wald,
                "df": n_groups - 1,
                "df_resid": np.nan,
                "p": float(stats.chi2.sf(wald, n_groups - 1)),
            }
        )
    return pd.DataFrame(rows).set_index("test")


@dataclasses.dataclass(frozen=True)
class GWRResults(Results):
    """Local coefficients of a (multiscale) geographically weighted regression.

    Attributes
    ----------
    local : pandas.DataFrame
        One row per unit: ``<param>`` estimates, ``se_<param>``, ``t_<param>``,
        ``significant_<param>`` (|t| above the multiple-testing corrected critical
        value of da Silva & Fotheringham 2016) and ``local_r2`` (GWR only).
    bandwidths : pandas.DataFrame
        Selected bandwidth by parameter (one common value for GWR).
    fit : dict
        ``aicc``, ``r2``, ``adj_r2``, ``nobs`` and ``kernel``.
    meta : dict
        Options.
    """

    local: pd.DataFrame
    bandwidths: pd.DataFrame
    fit: dict
    meta: dict

    def tables(self) -> dict[str, pd.DataFrame]:
        """Tables for export, with the parameter index as a column."""
        return keyed_tables(super().tables())


def gwr(
    data: pd.DataFrame,
    *,
    y: str,
    x: Sequence[str],
    coords: tuple[str, str] | None = None,
    unit: str | None = None,
    multiscale: bool = False,
    bandwidth: float | None = None,
    kernel: str = "bisquare",
    fixed: bool = False,
    spherical: bool = False,
    standardize: bool | None = None,
) -> GWRResults:
    """Geographically weighted regression (GWR) or multiscale GWR via ``mgwr``.

    Parameters
    ----------
    data : pandas.DataFrame or geopandas.GeoDataFrame
        One row per unit.
    y, x : str, sequence of str
        Dependent variable and regressors (an intercept is added).
    coords : (str, str), optional
        Columns with x/y (or lon/lat) coordinates; default: representative points
        of the geometry of a GeoDataFrame.
    unit : str, optional
        Unit id column copied into the local table.
    multiscale : bool
        MGWR (a bandwidth per coefficient) instead of GWR.
    bandwidth : float, optional
        Bandwidth given instead of searched (GWR only): a distance (> 0) with
        ``fixed=True``, else a whole number of nearest neighbours between the
        number of coefficients + 1 and the number of units. Default:
        golden-section search on AICc.
    kernel : {"bisquare", "gaussian", "exponential"}
        Kernel function.
    fixed : bool
        Fixed distance bandwidth instead of adaptive nearest neighbours.
    spherical : bool
        Coordinates are lon/lat (great-circle distances).
    standardize : bool, optional
        z-standardise ``y`` and ``x`` first (default: True for MGWR, where
        bandwidths are only comparable on standardised variables, else False).

    Raises
    ------
    DependencyError
        ``mgwr`` is not installed (``pip install spatialgreen[gwr]``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> u, v = np.meshgrid(np.arange(8.0), np.arange(8.0))
    >>> df = pd.DataFrame({"u": u.ravel(), "v": v.ravel(), "x": rng.normal(size=64)})
    >>> df["y"] = (1 + df["u"] / 7) * df["x"] + 0.1 * rng.normal(size=64)
    >>> res = gwr(df, y="y", x=["x"], coords=("u", "v"))
    >>> bool(res.local["x"].iloc[-1] > res.local["x"].iloc[0])
    True
    """
    try:
        from mgwr.gwr import GWR, MGWR
        from mgwr.sel_bw import Sel_BW
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise DependencyError(
            "geographically weighted regression needs the optional package 'mgwr': "
            "pip install 'spatialgreen[gwr]'"
        ) from exc
    x = list(x)
    check_choice(kernel, "kernel", ("bisquare", "gaussian", "exponential"))
    check_number(bandwidth, "bandwidth", low=0, closed=(False, True), none=True)
    require_columns(data, [y, *x, *(coords or ()), *([unit] if unit else [])])
    validate_panel(
        data.assign(__row__=np.arange(len(data))),
        unit="__row__",
        columns=[y, *x, *(coords or ())],
    )
    points = _coordinates(data, coords)
    yv = data[[y]].to_numpy(float)
    xv = data[x].to_numpy(float)
    check_full_rank(np.column_stack([np.ones(len(xv)), xv]), ["const", *x])
    if not fixed and bandwidth is not None:
        # mgwr truncates an adaptive bandwidth to int(bandwidth) neighbours
        check_int(bandwidth, "bandwidth", minimum=len(x) + 2, maximum=len(data))
    standardize = multiscale if standardize is None else standardize
    if standardize:
        yv = (yv - yv.mean(axis=0)) / yv.std(axis=0)
        xv = (xv - xv.mean(axis=0)) / xv.std(axis=0)
    names = ["const", *x]
    with _quiet():
        if multiscale:
            if bandwidth is not None:
                raise ModelError("a fixed bandwidth is not supported for MGWR; omit it")
            selector = Sel_BW(
                points,
                yv,
                xv,
                multi=True,
                kernel=kernel,
                fixed=fixed,
                spherical=spherical,
            )
            selector.search()
            result = MGWR(
                points,
                yv,
                xv,
                selector,
                kernel=kernel,
                fixed=fixed,
                spherical=spherical,
            ).fit()
            bws = np.asarray(selector.bw[0], float)
        else:
            if bandwidth is None:
                bandwidth = Sel_BW(
                    points, yv, xv, kernel=kernel, fixed=fixed, spherical=spherical
                ).search()
            result = GWR(
                points,
                yv,
                xv,
                bandwidth,
                kernel=kernel,
                fixed=fixed,
                spherical=spherical,
            ).fit()
            bws = np.full(len(names), float(bandwidth))
    local = pd.DataFrame(index=range(len(data)))
    if unit:
        local[unit] = data[unit].to_numpy()
    critical = np.atleast_1d(result.critical_tval())
    critical = np.broadcast_to(critical, (len(names),))
    for j, name in enumerate(names):
        local[name] = result.params[:, j]
        local[f"se_{name}"] = result.bse[:, j]
        local[f"t_{name}"] = result.tvalues[:, j]
        local[f"significant_{name}"] = np.abs(result.tvalues[:, j]) > critical[j]
    if not multiscale:
        local["local_r2"] = np.asarray(result.localR2).ravel()
    bandwidths = pd.DataFrame(
        {"bandwidth": bws, "critical_t": critical},
        index=pd.Index(names, name="parameter"),
    )
    fit = {
        "aicc": float(result.aicc),
        "r2": float(result.R2),
        "adj_r2": float(result.adj_R2),
        "nobs": len(data),
        "kernel": kernel,
    }
    meta = {
        "model": "MGWR" if multiscale else "GWR",
        "y": y,
        "x": x,
        "fixed": fixed,
        "spherical": spherical,
        "standardized": standardize,
    }
    return GWRResults(local, bandwidths, fit, meta)


def _coordinates(data: pd.DataFrame, coords: tuple[str, str] | None) -> np.ndarray:
    if coords is not None:
        return data[list(coords)].to_numpy(float)
    geometry = getattr(data, "geometry", None)
    if geometry is None:
        raise DataError(
            "give coords=(x_column, y_column) or a GeoDataFrame with geometry"
        )
    points = geometry.representative_point()
    return np.column_stack([points.x.to_numpy(), points.y.to_numpy()])
