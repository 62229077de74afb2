"""β-convergence: absolute, conditional, panel and spatial.

β-convergence regresses growth on the log initial level,
``(1/T) ln(y_iT / y_i0) = α + β ln y_i0 (+ γ'X_i) + ε_i``, and reports the implied
speed ``θ = −ln(1 + Tβ) / T`` and half-life ``ln 2 / θ`` (Barro & Sala-i-Martin
1992). Panel versions use one-period growth with two-way fixed effects and
``θ = −ln(1 + β) / k`` for a period length k. Spatial versions (Rey & Montouri
1999) estimate the same regressions as spatial error, lag or Durbin models through
:mod:`spatialgreen.spatial` (spreg for the cross-section).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any, Literal, NamedTuple

import numpy as np
import pandas as pd

from ..errors import DataError
from ..panel import validate_panel
from ..results import EstimatesMixin, Results, _Field, coefficient_table, inference

# --------------------------------------------------------------------------------------
# β-convergence
# --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class BetaResults(EstimatesMixin, Results):
    """β-convergence estimates (cross-section, panel, or spatial).

    Attributes
    ----------
    coefficients : pandas.DataFrame
        The common layout (``estimate``, ``std_error``, ``statistic``, ``p``,
        ``ci_low``, ``ci_high``) by parameter; the
        coefficient of the log initial level is ``beta`` (``theta`` its spatial
        lag in the Durbin model), spatial parameters ``rho`` / ``lambda``.
    impacts : pandas.DataFrame or None
        LeSage–Pace effects of spatial lag/Durbin models.
    regression_data : pandas.DataFrame
        The growth regression data actually used (``growth``, ``log_initial``,
        controls), keyed by unit (and time for panels).
    fit : dict
        ``nobs``, ``T`` (period length), ``speed``, ``half_life``, ``r2`` or
        ``loglik``, and ``note`` when the speed is undefined.
    meta : dict
        Model and options.
    """

    coefficients: pd.DataFrame
    impacts: pd.DataFrame | None
    regression_data: pd.DataFrame
    fit: dict
    meta: dict = dataclasses.field(default_factory=dict)

    def metadata(self) -> dict[str, Any]:
        """Model and options plus the fit: speed, half-life, nobs, R² or lnL."""
        meta = super().metadata()
        meta.update({k: v for k, v in self.fit.items() if not isinstance(v, dict)})
        return meta

    speed = _Field(
        "fit", float, "Implied convergence speed θ per period unit (NaN if undefined)."
    )
    half_life = _Field(
        "fit", float, "Half-life ln 2 / θ (NaN when θ <= 0 or undefined)."
    )


def convergence_speed(beta: float, length: float) -> tuple[float, float, str]:
    """Speed ``θ = −ln(1 + Tβ)/T`` and half-life ``ln 2/θ`` from β and period T.

    Returns ``(speed, half_life, note)``. When ``1 + Tβ <= 0`` the log-linear
    model cannot produce that β (the lagging units would overtake the leaders
    within the period): speed and half-life are NaN and ``note`` says so. When
    ``β >= 0`` there is no convergence: the speed is <= 0 and the half-life NaN.
    For a panel regression of one-period growth pass ``length=1``, which gives
    ``−ln(1 + β)``.

    Examples
    --------
    >>> s, h, note = convergence_speed(-0.02, 10)
    >>> round(s, 6), round(h, 3), note
    (0.022314, 31.063, '')
    >>> convergence_speed(-0.2, 10)[2]
    '1 + Tβ = -1 <= 0: speed and half-life undefined'
    """
    arg = 1.0 + length * beta
    if arg <= 0:
        return np.nan, np.nan, f"1 + Tβ = {arg:.4g} <= 0: speed and half-life undefined"
    speed = -np.log(arg) / length
    if speed <= 0:
        return float(speed), np.nan, "β >= 0: no convergence, half-life undefined"
    return float(speed), float(np.log(2.0) / speed), ""


def _length(start: Any, end: Any) -> float:
    try:
        length = float(end) - float(start)
    except (TypeError, ValueError):
        raise DataError(
            f"start and end must be numeric periods, got {start!r}, {end!r}"
        ) from None
    if length <= 0:
        raise DataError(f"end ({end}) must come after start ({start})")
    return length


class _Span(NamedTuple):
    """Variable, keys and the first and last period of a growth regression."""

    column: str
    unit: str
    time: str
    start: Any
    end: Any


def _cross_section_frame(
    data: pd.DataFrame, span: _Span, controls: Sequence[str], controls_at: str
) -> tuple[pd.DataFrame, float]:
    column, unit, time, start, end = span
    validate_panel(data, unit=unit, time=time, positive=[column], columns=controls)
    length = _length(start, end)
    first = data.loc[data[time] == start].set_index(unit)
    last = data.loc[data[time] == end].set_index(unit)
    if first.empty or last.empty:
        raise DataError(f"{time}={start if first.empty else end} is not in the data")
    units = first.index.intersection(last.index, sort=False)
    lost = first.index.symmetric_difference(last.index)
    if len(lost):
        raise DataError(
            f"unit(s) {', '.join(map(str, lost[:20]))} lack "
            f"{time}={start} or {time}={end}"
        )
    frame = pd.DataFrame(index=units)
    frame.index.name = unit
    frame["growth"] = (
        np.log(last.loc[units, column] / first.loc[units, column]) / length
    )
    frame["log_initial"] = np.log(first.loc[units, column])
    if controls:
        if controls_at == "start":
            frame[list(controls)] = first.loc[units, list(controls)].to_numpy(float)
        elif controls_at == "mean":
            window = data.loc[(data[time] >= start) & (data[time] <= end)]
            frame[list(controls)] = (
                window.groupby(unit)[list(controls)].mean().loc[units]
            )
        else:
            raise DataError(
                f"controls_at must be 'start' or 'mean', got {controls_at!r}"
            )
    return frame.reset_index(), length


def _panel_frame(
    data: pd.DataFrame, span: _Span, controls: Sequence[str]
) -> tuple[pd.DataFrame, float]:
    column, unit, time, start, end = span
    window = data.loc[(data[time] >= start) & (data[time] <= end)]
    info = validate_panel(
        window,
        unit=unit,
        time=time,
        positive=[column],
        columns=controls,
        require_balanced=True,
    )
    if info.n_periods < 3:
        raise DataError(f"a panel β regression needs at least 3 periods of {time!r}")
    steps = np.diff(np.asarray(info.periods, dtype=float))
    if not np.allclose(steps, steps[0]):
        raise DataError(
            f"periods of {time!r} must be equally spaced, got {info.periods}"
        )
    ordered = window.sort_values([unit, time])
    lagged = ordered.groupby(unit)[column].shift(1)
    frame = ordered[[unit, time]].copy()
    frame["growth"] = np.log(ordered[column] / lagged)
    frame["log_initial"] = np.log(lagged)
    for c in controls:
        frame[c] = ordered[c].to_numpy(float)
    return frame.dropna().reset_index(drop=True), float(steps[0])


def _growth_frame(
    data: pd.DataFrame,
    column: str,
    unit: str,
    time: str,
    start: Any,
    end: Any,
    controls: list[str],
    kind: str,
    controls_at: str = "start",
) -> tuple[pd.DataFrame, float, Any, Any]:
    """Growth regression data of :func:`beta` and :func:`spatial_beta`.

    Returns ``(frame, length, start, end)`` with ``start``/``end`` defaulting to
    the first and last period of ``data``.
    """
    info = validate_panel(data, unit=unit, time=time)
    start = info.periods[0] if start is None else start
    end = info.periods[-1] if end is None else end
    span = _Span(column, unit, time, start, end)
    if kind == "cross-section":
        frame, length = _cross_section_frame(data, span, controls, controls_at)
    elif kind == "panel":
        frame, length = _panel_frame(data, span, controls)
    else:
        raise DataError(f"kind must be 'cross-section' or 'panel', got {kind!r}")
    return frame, length, start, end


def _speed_of(kind: str) -> Callable[[float, float], tuple[float, float, str]]:
    """Speed rule of a growth regression: over the whole span or one period."""
    return convergence_speed if kind == "cross-section" else _panel_speed


def _speed_fit(kind: str, b: float, length: float) -> dict[str, Any]:
    """``T``, ``speed``, ``half_life`` and ``note`` of the fit from β."""
    speed, half, note = _speed_of(kind)(b, length)
    return {"T": length, "speed": speed, "half_life": half, "note": note}


def beta(
    data: pd.DataFrame,
    column: str,
    *,
    unit: str = "unit",
    time: str = "year",
    start: Any = None,
    end: Any = None,
    controls: Sequence[str] | None = None,
    kind: Literal["cross-section", "panel"] = "cross-section",
    cov_type: str = "nonrobust",
    effects: Literal["twoway", "unit"] = "twoway",
    controls_at: Literal["start", "mean"] = "start",
) -> BetaResults:
    """Absolute or conditional β-convergence with the implied speed and half-life.

    **Cross-section** (``kind="cross-section"``): OLS (statsmodels) of average
    growth ``(1/T) ln(y_iT/y_i0)`` on ``ln y_i0`` and the ``controls`` (values in
    the start period, or period means with ``controls_at="mean"``); ``cov_type``
    is any statsmodels covariance (``"HC1"`` for White/Stata robust SEs).
    ``θ = −ln(1 + Tβ)/T``.

    **Panel** (``kind="panel"``): fixed-effects regression (linearmodels
    ``PanelOLS``) of one-period growth ``ln(y_it / y_i,t−1)`` on ``ln y_i,t−1`` and
    the controls in period t, with unit and (``effects="twoway"``) period effects
    and SEs clustered by unit (``cov_type="clustered"``, the default for panels;
    ``"robust"`` and ``"unadjusted"`` also work). ``θ = −ln(1 + β)/k`` with k the
    spacing of the periods.

    Without controls this is absolute β-convergence; with controls (or unit
    effects) it is conditional convergence. See :func:`convergence_speed` for
    how an undefined speed is reported.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> y0 = np.array([1.0, 2.0, 4.0, 8.0])
    >>> df = pd.DataFrame({"unit": list("abcd") * 2, "year": [2000] * 4 + [2010] * 4,
    ...                    "y": np.r_[y0, y0 * np.exp(-0.5 * np.log(y0) + 1)]})
    >>> res = beta(df, "y", start=2000, end=2010)
    >>> round(float(res.params["beta"]), 6), round(res.speed, 6)
    (-0.05, 0.069315)
    """
    controls = list(controls or [])
    frame, length, start, end = _growth_frame(
        data, column, unit, time, start, end, controls, kind, controls_at
    )
    if kind == "cross-section":
        coefficients, fit = _ols(frame, controls, cov_type)
        model = "cross-section OLS"
    else:
        cov_type = "clustered" if cov_type == "nonrobust" else cov_type
        coefficients, fit = _panel_ols(frame, unit, time, controls, cov_type, effects)
        model = f"panel FE ({effects})"
    b = float(coefficients.loc["beta", "estimate"])
    fit.update(_speed_fit(kind, b, length))
    meta = {
        "model": f"beta convergence, {model}",
        "column": column,
        "start": start,
        "end": end,
        "controls": controls,
        "cov_type": cov_type,
        "convergence": "conditional" if controls or kind == "panel" else "absolute",
        "inference": fit.pop("inference"),
    }
    return BetaResults(coefficients, None, frame, fit, meta)


def _panel_speed(b: float, step: float) -> tuple[float, float, str]:
    """θ = −ln(1 + β)/k for growth over one period of length k."""
    speed, _, note = convergence_speed(b, 1.0)
    if np.isnan(speed):
        return speed, np.nan, note.replace("Tβ", "β")
    speed /= step
    return speed, (float(np.log(2.0) / speed) if speed > 0 else np.nan), note


def _ols(
    frame: pd.DataFrame, controls: list[str], cov_type: str
) -> tuple[pd.DataFrame, dict]:
    import statsmodels.api as sm

    x = sm.add_constant(
        frame[["log_initial", *controls]].astype(float), has_constant="add"
    )
    fitted = sm.OLS(frame["growth"].astype(float), x).fit(cov_type=cov_type)
    df = float(fitted.df_resid) if fitted.use_t else None
    table = coefficient_table(
        fitted.params.rename(index={"log_initial": "beta"}),
        fitted.bse.to_numpy(),
        df=df,
    )
    fit = {
        "nobs": int(fitted.nobs),
        "r2": float(fitted.rsquared),
        "r2_adj": float(fitted.rsquared_adj),
        "inference": inference(df),
    }
    return table, fit


def _panel_ols(
    frame: pd.DataFrame,
    unit: str,
    time: str,
    controls: list[str],
    cov_type: str,
    effects: str,
) -> tuple[pd.DataFrame, dict]:
    from linearmodels.panel import PanelOLS

    if effects not in ("twoway", "unit"):
        raise DataError(f"effects must be 'twoway' or 'unit', got {effects!r}")
    indexed = frame.set_index([unit, time])
    model = PanelOLS(
        indexed["growth"],
        indexed[["log_initial", *controls]],
        entity_effects=True,
        time_effects=effects == "twoway",
    )
    kwargs = {"cluster_entity": True} if cov_type == "clustered" else {}
    fitted = model.fit(cov_type=cov_type, **kwargs)
    # linearmodels refers its statistics to the normal unless debiased
    table = coefficient_table(
        fitted.params.rename(index={"log_initial": "beta"}),
        fitted.std_errors.to_numpy(),
    )
    fit = {
        "nobs": int(fitted.nobs),
        "r2": float(fitted.rsquared_within),
        "inference": inference(None),
    }
    return table, fit


# --------------------------------------------------------------------------------------
# spatial β-convergence
# --------------------------------------------------------------------------------------


def spatial_beta(
    data: pd.DataFrame,
    column: str,
    *,
    unit: str = "unit",
    time: str = "year",
    start: Any = None,
    end: Any = None,
    w: Any,
    model: Literal["sem", "sar", "sdm"] = "sem",
    controls: Sequence[str] | None = None,
    kind: Literal["cross-section", "panel"] = "cross-section",
    effects: Literal["twoway", "unit", "time"] = "twoway",
    lee_yu: bool = False,
    draws: int = 1000,
    seed: int = 0,
) -> BetaResults:
    """Spatial β-convergence (Rey & Montouri 1999) in cross-section or panel.

    Builds the growth regression of :func:`beta` and fits it with
    :func:`spatialgreen.spatial.spatial_regression` (cross-section: spreg
    ``ML_Error`` / ``ML_Lag``, a constant included) or
    :func:`spatialgreen.spatial.panel.spatial_panel` (fixed-effects spatial panel
    by ML, ``effects`` swept out; ``lee_yu`` for the bias-corrected version).
    ``w`` (libpysal Graph or W on the unit ids) is aligned and row-standardised
    there through :func:`spatialgreen.geo.weights.weights_for`.

    ``params`` holds ``beta`` (log initial level), ``theta`` (its spatial lag, SDM)
    and ``rho`` (lag) or ``lambda`` (error). The reported ``speed`` and
    ``half_life`` use β itself, as most applied papers do; for lag and Durbin
    models β is not a marginal effect, so ``fit`` also reports ``speed_total``
    and ``half_life_total`` from the LeSage–Pace total effect of the initial level
    (``impacts``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from libpysal.weights import lat2W
    >>> rng = np.random.default_rng(0)
    >>> y0 = np.exp(rng.normal(size=25))
    >>> y1 = y0 * np.exp(0.1 - 0.3 * np.log(y0) + 0.05 * rng.normal(size=25))
    >>> df = pd.DataFrame({"unit": np.tile(np.arange(25), 2),
    ...                    "year": np.repeat([2000, 2010], 25), "y": np.r_[y0, y1]})
    >>> res = spatial_beta(df, "y", w=lat2W(5, 5), model="sem")
    >>> sorted(res.params.index)
    ['beta', 'const', 'lambda']
    """
    from ..spatial.panel import spatial_panel
    from ..spatial.regression import spatial_regression

    controls = list(controls or [])
    if kind == "cross-section" and lee_yu:
        raise DataError(
            "lee_yu=True applies to fixed-effects panels (kind='panel'); the "
            "cross-section model has no fixed effects to correct for"
        )
    frame, length, start, end = _growth_frame(
        data, column, unit, time, start, end, controls, kind
    )
    common: dict[str, Any] = {
        "y": "growth",
        "x": ["log_initial", *controls],
        "w": w,
        "model": model,
        "unit": unit,
        "draws": draws,
        "seed": seed,
    }
    if kind == "cross-section":
        fitted = spatial_regression(frame, **common)
    else:
        fitted = spatial_panel(
            frame, time=time, effects=effects, lee_yu=lee_yu, **common
        )
    rename = {"log_initial": "beta", "W_log_initial": "theta"}
    coefficients = fitted.coefficients.rename(index=rename)
    b = float(coefficients.loc["beta", "estimate"])
    fit = dict(fitted.fit)
    fit.update(_speed_fit(kind, b, length))
    impacts = fitted.impacts
    if impacts is not None:
        impacts = _rename_impacts(impacts, rename)
        total = _total_effect(impacts)
        if total is not None:
            s_tot, h_tot, note_tot = _speed_of(kind)(total, length)
            fit.update(
                {"speed_total": s_tot, "half_life_total": h_tot, "note_total": note_tot}
            )
    meta = {
        "model": f"spatial beta convergence, {model} ({kind})",
        "column": column,
        "start": start,
        "end": end,
        "controls": controls,
        "spatial_model": fitted.meta,
        "inference": fitted.meta["inference"],
    }
    return BetaResults(coefficients, impacts, frame, fit, meta)


def _rename_impacts(impacts: pd.DataFrame, rename: dict) -> pd.DataFrame:
    return impacts.rename(index=rename)


def _total_effect(impacts: pd.DataFrame) -> float | None:
    """Total effect of the initial level (impacts are indexed by variable)."""
    if "beta" in impacts.index and "total" in impacts.columns:
        return float(impacts.loc["beta", "total"])
    return None
