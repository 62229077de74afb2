"""σ-convergence and inequality decompositions.

σ-convergence (coefficient of variation, sd of logs, Williamson's weighted CV) and
its trend test, Theil's T with its between/within-group decomposition (the
formulas of ``inequality.theil``, written out here) and the Dagum (1997) Gini
decomposition that PySAL lacks.

References
----------
Dagum, C. (1997) A new approach to the decomposition of the Gini income inequality
ratio. *Empirical Economics* 22(4):515–531.
Williamson, J. G. (1965) Regional inequality and the process of national
development. *Economic Development and Cultural Change* 13(4):1–84.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import DataError, check_int
from ..results import Results


def _slices(
    data: pd.DataFrame, column: str, time: str | None
) -> list[tuple[object, pd.DataFrame]]:
    if time is None:
        return [(None, data)]
    return [(t, g) for t, g in data.groupby(time, sort=True)]


def _share(part: float, total: float) -> float:
    """``part / total`` of a decomposition, NaN when the total is not positive."""
    return part / total if total > 0 else np.nan


def _keyed(rows: list[dict], time: str | None) -> pd.DataFrame:
    table = pd.DataFrame(rows)
    if time is None and "_time" in table.columns:
        table = table.drop(columns="_time")
    return table.rename(columns={"_time": time}) if time else table


# --------------------------------------------------------------------------------------
# σ-convergence (dispersion by period)
# --------------------------------------------------------------------------------------


def sigma(
    data: pd.DataFrame,
    column: str,
    *,
    time: str = "year",
    group: str | None = None,
    ddof: int = 0,
    weight: str | None = None,
) -> pd.DataFrame:
    """σ-convergence: dispersion of ``column`` across units, by period (and group).

    ``cv = sd / mean`` with the population (``ddof=0``, default) or sample
    (``ddof=1``) standard deviation, and ``sd_log``, the standard deviation of
    ``ln y`` with the same ``ddof``. Falling dispersion over time is σ-convergence.
    With ``weight`` (e.g. population) the table adds the weighted coefficient of
    variation of Williamson (1965), ``cv_weighted = sqrt(Σ p_i (y_i − ȳ_p)²) / ȳ_p``
    with population shares ``p_i`` and the weighted mean ``ȳ_p``. ``ddof`` must be
    an integer ``>= 0`` (anything else is an :class:`~spatialgreen.errors.OptionError`).

    Returns
    -------
    pandas.DataFrame
        (``group``,) ``time``, ``n``, ``mean``, ``sd``, ``cv``, ``sd_log`` (and
        ``cv_weighted``); the table :func:`spatialgreen.figures.sigma_convergence`
        draws.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"year": [1, 1, 2, 2], "y": [1.0, 3.0, 2.0, 2.0]})
    >>> sigma(df, "y")[["year", "cv", "sd_log"]].round(4).to_dict("list")
    {'year': [1, 2], 'cv': [0.5, 0.0], 'sd_log': [0.5493, 0.0]}
    """
    ddof = check_int(ddof, "ddof", minimum=0)
    for c in [column, time] + [g for g in (group, weight) if g]:
        if c not in data.columns:
            raise DataError(f"column {c!r} not found")
    values = pd.to_numeric(data[column], errors="coerce")
    bad = values.isna() | (values <= 0)
    if bad.any():
        where = ", ".join(f"{time}={t}" for t in sorted(set(data.loc[bad, time]))[:10])
        raise DataError(
            f"column {column!r} must be numeric and > 0; offending at {where}"
        )
    frame = pd.DataFrame({"y": values, "log_y": np.log(values), time: data[time]})
    keys = [time]
    if group:
        frame[group] = data[group]
        keys = [group, time]
    grouped = frame.groupby(keys, sort=True)
    out = pd.DataFrame(
        {
            "n": grouped["y"].size(),
            "mean": grouped["y"].mean(),
            "sd": grouped["y"].std(ddof=ddof),
            "sd_log": grouped["log_y"].std(ddof=ddof),
        }
    )
    out["cv"] = out["sd"] / out["mean"]
    if weight is not None:
        out["cv_weighted"] = _weighted_cv(frame, data[weight], keys)
    out = out[
        [
            c
            for c in ("n", "mean", "sd", "cv", "sd_log", "cv_weighted")
            if c in out.columns
        ]
    ].reset_index()
    if (out["n"] <= ddof).any():
        thin = out.loc[out["n"] <= ddof, keys].to_dict("records")
        raise DataError(f"too few units for ddof={ddof} in {thin}")
    return out


def _weighted_cv(frame: pd.DataFrame, weights: pd.Series, keys: list[str]) -> pd.Series:
    """Williamson's population-weighted coefficient of variation per group."""
    w = pd.to_numeric(weights, errors="coerce").to_numpy(float)
    if np.isnan(w).any() or (w <= 0).any():
        raise DataError(f"weight column {weights.name!r} must be numeric and > 0")
    values = frame["y"].to_numpy(float)
    out = {}
    by = keys[0] if len(keys) == 1 else keys
    # positions, not index labels: a frame with repeated labels (e.g. from
    # pd.concat) must not pull in rows of other periods
    for key, pos in frame.groupby(by, sort=True).indices.items():
        y, p = values[pos], w[pos]
        mean = np.average(y, weights=p)
        out[key] = np.sqrt(np.average((y - mean) ** 2, weights=p)) / mean
    return pd.Series(out)


def sigma_trend(
    table: pd.DataFrame, *, time: str = "year", column: str = "cv"
) -> pd.DataFrame:
    """Test σ-convergence: OLS of a dispersion series on time (statsmodels).

    A significantly negative slope of ``column`` (e.g. ``cv`` or ``sd_log`` from
    :func:`sigma`) on ``time`` is σ-convergence; with a ``group`` column in the
    table each group gets its own regression.

    Returns
    -------
    pandas.DataFrame
        (``group``,) ``slope``, ``std_error``, ``t``, ``p``, ``n``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"year": [1, 2, 3, 4], "cv": [0.5, 0.4, 0.35, 0.2]})
    >>> round(float(sigma_trend(t)["slope"].iloc[0]), 6)
    -0.095
    """
    import statsmodels.api as sm

    for c in (time, column):
        if c not in table.columns:
            raise DataError(f"column {c!r} not found in the sigma table")
    extra = [c for c in table.columns if c not in _SIGMA_COLUMNS and c != time]
    groups = table.groupby(extra[0], sort=True) if extra else [(None, table)]
    rows = []
    for g, frame in groups:
        if len(frame) < 3:
            raise DataError(
                f"a trend test needs at least 3 periods; group {g!r} has {len(frame)}"
            )
        x = sm.add_constant(frame[time].astype(float).to_numpy())
        fit = sm.OLS(frame[column].astype(float).to_numpy(), x).fit()
        row = {
            "slope": fit.params[1],
            "std_error": fit.bse[1],
            "t": fit.tvalues[1],
            "p": fit.pvalues[1],
            "n": int(fit.nobs),
        }
        rows.append({extra[0]: g, **row} if extra else row)
    return pd.DataFrame(rows)


_SIGMA_COLUMNS = ("n", "mean", "sd", "cv", "sd_log", "cv_weighted")


# --------------------------------------------------------------------------------------
# Dagum Gini
# --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class DagumGiniResults(Results):
    """Dagum (1997) Gini decomposition by period.

    Attributes
    ----------
    totals : pandas.DataFrame
        ``time``, ``gini``, ``within``, ``net_between``, ``transvariation`` and
        their shares ``share_within``, ``share_net_between``,
        ``share_transvariation`` (within + net between + transvariation = gini).
    within : pandas.DataFrame
        ``time``, ``group``, ``n``, ``mean``, ``gini`` (each group's own Gini).
    between : pandas.DataFrame
        ``time``, ``group_a``, ``group_b``, ``gini`` (G_jh), ``relative_effect``
        (D_jh).
    """

    totals: pd.DataFrame
    within: pd.DataFrame
    between: pd.DataFrame
    meta: dict = dataclasses.field(default_factory=dict)


def _mean_abs_diff(a: np.ndarray, b: np.ndarray) -> float:
    """Mean of |a_i − b_r| over all pairs, in O((n+m) log(n+m)) via sorting."""
    b_sorted = np.sort(b)
    prefix = np.concatenate([[0.0], np.cumsum(b_sorted)])
    k = np.searchsorted(b_sorted, a, side="right")
    below = a * k - prefix[k]
    above = (prefix[-1] - prefix[k]) - a * (b_sorted.size - k)
    return float((below + above).sum() / (a.size * b.size))


def _dagum_one(
    y: np.ndarray, groups: np.ndarray, labels: list
) -> tuple[dict, list, list]:
    n, mean = y.size, y.mean()
    parts = [y[groups == g] for g in labels]
    p = np.array([part.size / n for part in parts])
    means = np.array([part.mean() for part in parts])
    s = p * means / mean
    gini = _mean_abs_diff(y, y) / (2.0 * mean)
    g_jj = np.array(
        [
            _mean_abs_diff(part, part) / (2.0 * m)
            for part, m in zip(parts, means, strict=True)
        ]
    )
    within = float((g_jj * p * s).sum())
    net = trans = 0.0
    between = []
    for j in range(len(parts)):
        for h in range(j):
            delta = _mean_abs_diff(parts[j], parts[h])
            g_jh = delta / (means[j] + means[h])
            # d_jh − p_jh equals the difference of the group means, so the relative
            # economic affluence D_jh is |Ȳ_j − Ȳ_h| / E|y_j − y_h|
            d_jh = abs(means[j] - means[h]) / delta if delta > 0 else 0.0
            weight = g_jh * (p[j] * s[h] + p[h] * s[j])
            net += weight * d_jh
            trans += weight * (1.0 - d_jh)
            between.append(
                {
                    "group_a": labels[h],
                    "group_b": labels[j],
                    "gini": g_jh,
                    "relative_effect": d_jh,
                }
            )
    totals = {
        "gini": gini,
        "within": within,
        "net_between": net,
        "transvariation": trans,
        "share_within": _share(within, gini),
        "share_net_between": _share(net, gini),
        "share_transvariation": _share(trans, gini),
    }
    within_rows = [
        {"group": g, "n": part.size, "mean": m, "gini": gg}
        for g, part, m, gg in zip(labels, parts, means, g_jj, strict=True)
    ]
    return totals, within_rows, between


def dagum_gini(
    data: pd.DataFrame,
    column: str,
    *,
    group: str,
    time: str | None = None,
) -> DagumGiniResults:
    """Dagum (1997) decomposition of the Gini coefficient by groups (regions).

    ``G = Σ_j Σ_h Σ_i Σ_r |y_ji − y_hr| / (2 n² Ȳ)`` splits exactly into the
    within-group part ``Gw = Σ_j G_jj p_j s_j``, the net between-group part
    ``Gnb = Σ_{j>h} G_jh (p_j s_h + p_h s_j) D_jh`` and the transvariation
    ``Gt = Σ_{j>h} G_jh (p_j s_h + p_h s_j)(1 − D_jh)``, with ``p_j = n_j / n``,
    ``s_j = n_j Ȳ_j / (n Ȳ)``, the between-group Gini ``G_jh = E|y_j − y_h| /
    (Ȳ_j + Ȳ_h)`` and the relative economic affluence ``D_jh = (d_jh − p_jh) /
    (d_jh + p_jh)`` taken with the richer group first.

    Parameters
    ----------
    data : pandas.DataFrame
        Long table.
    column : str
        Variable whose inequality is decomposed (> 0).
    group : str
        Group column (e.g. east/central/west).
    time : str, optional
        Period column: decompose each period separately.

    Returns
    -------
    DagumGiniResults

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"y": [1.0, 2.0, 3.0, 6.0], "g": ["a", "a", "b", "b"]})
    >>> r = dagum_gini(df, "y", group="g")
    >>> t = r.totals.iloc[0]
    >>> round(float(t["gini"]), 6), round(float(t["within"] + t["net_between"]
    ...                                     + t["transvariation"]), 6)
    (0.333333, 0.333333)
    """
    cols = [group] + ([time] if time else [])
    _check(data, column, cols)
    labels = sorted(pd.unique(data[group]).tolist(), key=str)
    totals, within, between = [], [], []
    for t, frame in _slices(data, column, time):
        y = frame[column].to_numpy(float)
        g = frame[group].to_numpy()
        present = [lab for lab in labels if (g == lab).any()]
        tot, wit, bet = _dagum_one(y, g, present)
        totals.append({"_time": t, **tot})
        within += [{"_time": t, **row} for row in wit]
        between += [{"_time": t, **row} for row in bet]
    meta = {
        "model": "Dagum (1997) Gini decomposition",
        "column": column,
        "group": group,
    }
    return DagumGiniResults(
        _keyed(totals, time), _keyed(within, time), _keyed(between, time), meta
    )


def _check(data: pd.DataFrame, column: str, keys: Sequence[str]) -> None:
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"expected a pandas DataFrame, got {type(data).__name__}")
    for k in keys:
        if k not in data.columns:
            raise DataError(f"column {k!r} not found")
        if data[k].isna().any():
            raise DataError(f"column {k!r} has missing values")
    if column not in data.columns:
        raise DataError(f"column {column!r} not found")
    values = pd.to_numeric(data[column], errors="coerce")
    bad = values.isna() | (values <= 0)
    if bad.any():
        where = ", ".join(
            f"row {i}" + "".join(f", {k}={data.at[i, k]}" for k in keys)
            for i in data.index[bad][:10]
        )
        raise DataError(
            f"column {column!r} must be numeric and > 0; offending: {where}"
        )


# --------------------------------------------------------------------------------------
# Theil
# --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class TheilResults(Results):
    """Theil's T and its between/within-group decomposition by period.

    Attributes
    ----------
    totals : pandas.DataFrame
        ``time``, ``theil``, ``between``, ``within``, ``share_between``,
        ``share_within``.
    groups : pandas.DataFrame
        ``time``, ``group``, ``n``, ``share`` (of the total of the variable),
        ``theil`` (within the group) and ``contribution`` (share × theil, the
        group's part of the within term).
    """

    totals: pd.DataFrame
    groups: pd.DataFrame
    meta: dict = dataclasses.field(default_factory=dict)


def theil(
    data: pd.DataFrame,
    column: str,
    *,
    group: str | None = None,
    time: str | None = None,
) -> TheilResults:
    """Theil's T index, decomposed into between and within groups.

    ``T = (1/n) Σ (y_i/ȳ) ln(y_i/ȳ) = Σ_g s_g ln(ȳ_g / ȳ) + Σ_g s_g T_g`` with
    ``s_g`` the group's share of the total: the formulas of PySAL's
    ``inequality.theil.TheilD`` (whose numbers the tests check), the within term
    ``T − between`` as there; the per-group table adds each group's own T.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"y": [1.0, 1.0, 3.0, 3.0], "g": ["a", "a", "b", "b"]})
    >>> r = theil(df, "y", group="g")
    >>> round(float(r.totals["theil"].iloc[0]), 6), float(r.totals["within"].iloc[0])
    (0.130812, 0.0)
    """
    keys = ([group] if group else []) + ([time] if time else [])
    _check(data, column, keys)
    totals, groups = [], []
    for t, frame in _slices(data, column, time):
        y = frame[column].to_numpy(float)
        if group is None:
            total = _theil_t(y)
            totals.append(
                {"_time": t, "theil": total, "between": np.nan, "within": np.nan}
            )
            continue
        part = frame[group].to_numpy()
        total = _theil_t(y)
        bg = _theil_between(y, part)
        wg = total - bg
        totals.append(
            {
                "_time": t,
                "theil": total,
                "between": bg,
                "within": wg,
                "share_between": _share(bg, total),
                "share_within": _share(wg, total),
            }
        )
        for g in sorted(pd.unique(part).tolist(), key=str):
            yg = y[part == g]
            share = yg.sum() / y.sum()
            tg = _theil_t(yg)
            groups.append(
                {
                    "_time": t,
                    "group": g,
                    "n": yg.size,
                    "share": share,
                    "theil": tg,
                    "contribution": share * tg,
                }
            )
    meta = {"model": "Theil T", "column": column, "group": group}
    return TheilResults(
        _keyed(totals, time), _keyed(groups, time) if groups else pd.DataFrame(), meta
    )


# Theil's T is written out here rather than taken from PySAL's ``inequality``
# package: that package requires matplotlib, and these few lines are all spatialgreen
# used of it, so the default install stays without matplotlib (issue 19).
# tests/test_theil.py checks both functions against ``inequality.theil`` (the dev
# extra installs it) on real-looking and generated data.


def _theil_t(y: np.ndarray) -> float:
    """Theil's T of positive values: ``Σ s_i ln(n s_i)`` with ``s_i = y_i / Σ y``.

    ``inequality.theil.Theil(y).T`` for 1-D ``y > 0`` (that class also nudges
    zeros to the smallest float; callers here refuse ``y <= 0``).
    """
    s = y / y.sum()
    return float(np.sum(s * np.log(y.size * s)))


def _theil_between(y: np.ndarray, groups: np.ndarray) -> float:
    """Between-group Theil ``Σ_g s_g ln(s_g n / n_g)`` of positive ``y``.

    ``s_g`` is group g's share of the total and ``n_g`` its size:
    ``inequality.theil.TheilD(y, groups).bg`` for 1-D ``y > 0``; the within term is
    ``T − between``.
    """
    codes, _ = pd.factorize(groups)
    shares = np.bincount(codes, weights=y) / y.sum()
    sizes = np.bincount(codes)
    return float(np.sum(shares * np.log(y.size / sizes * shares)))
