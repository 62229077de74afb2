"""The one coefficient interface every estimator in spatialgreen shares.

:func:`coefficient_table` builds the tidy ``coefficients`` table (``estimate,
std_error, statistic, p, ci_low, ci_high`` by parameter) under a recorded
distribution (:func:`inference`: normal, t or mixed), and :class:`EstimatesMixin`
serves ``params``, ``std_errors``, ``tstats``, ``pvalues``, ``conf_int`` and
``nobs`` from it, plus the starred table summaries print
(:func:`format_coefficients`). Everything here is also importable from
:mod:`spatialgreen.results`, where it sits beside the ``Results`` base.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, NoReturn, Self, TypeAlias, TypeVar, overload

import numpy as np
import pandas as pd

from .errors import DataError

__all__ = [
    "COEFFICIENT_COLUMNS",
    "DF",
    "STAR_LEVELS",
    "STAR_NOTE",
    "EstimatesMixin",
    "coefficient_table",
    "critical_values",
    "format_coefficients",
    "inference",
    "p_values",
    "row_df",
    "significance_stars",
]


COEFFICIENT_COLUMNS = ("estimate", "std_error", "statistic", "p", "ci_low", "ci_high")
"""Columns of every estimator's ``coefficients`` table, in order."""

STAR_LEVELS = (0.1, 0.05, 0.01)
"""Default significance levels for one, two and three stars."""

DF: TypeAlias = float | Mapping[Any, float | None] | None
"""Degrees of freedom of the reference distribution of the statistics.

``None`` is the standard normal (z); a number is Student's t with that many degrees
of freedom; a mapping gives them by parameter (the full index key) or by group (the
first index level), ``None`` or NaN meaning normal for that row.
"""


def inference(df: DF = None) -> dict[str, Any]:
    """Record of the distribution of the statistics, stored as ``meta["inference"]``.

    Examples
    --------
    >>> inference()
    {'distribution': 'normal', 'df': None}
    >>> inference(42)
    {'distribution': 't', 'df': 42}
    >>> inference({"a": 10, "b": None})["distribution"]
    'mixed'
    """
    if df is None:
        return {"distribution": "normal", "df": None}
    if isinstance(df, Mapping):
        values = {k: (None if v is None or np.isnan(v) else v) for k, v in df.items()}
        kinds = {v is None for v in values.values()}
        dist = "mixed" if len(kinds) > 1 else ("normal" if kinds == {True} else "t")
        return {"distribution": dist, "df": values}
    if np.isnan(df):
        return {"distribution": "normal", "df": None}
    return {"distribution": "t", "df": df}


def row_df(index: pd.Index, df: DF) -> np.ndarray:
    """Degrees of freedom of each row of a coefficient table (NaN = normal).

    Examples
    --------
    >>> import pandas as pd
    >>> idx = pd.MultiIndex.from_tuples([("a", "x"), ("b", "x")])
    >>> row_df(idx, {"a": 10, "b": None}).tolist()
    [10.0, nan]
    """
    n = len(index)
    if df is None:
        return np.full(n, np.nan)
    if not isinstance(df, Mapping):
        return np.full(n, float(df))
    out = np.empty(n)
    for i, key in enumerate(index):
        if key in df:
            value = df[key]
        elif isinstance(key, tuple) and key[0] in df:
            value = df[key[0]]
        else:
            raise DataError(f"no degrees of freedom recorded for coefficient {key!r}")
        out[i] = np.nan if value is None else float(value)
    return out


def critical_values(level: float, df: np.ndarray) -> np.ndarray:
    """Two-sided critical values of t(df) (normal where df is NaN) at ``level``.

    Examples
    --------
    >>> import numpy as np
    >>> critical_values(0.95, np.array([np.nan, 10.0])).round(4).tolist()
    [1.96, 2.2281]
    """
    if not 0 < level < 1:
        raise DataError(f"confidence level must be between 0 and 1, got {level}")
    from scipy import stats  # on use: half a second of import for every start

    q = 0.5 + level / 2
    df = np.asarray(df, dtype=float)
    normal = float(stats.norm.ppf(q))
    with np.errstate(invalid="ignore"):
        t_crit = stats.t.ppf(q, np.where(np.isnan(df), 1, df))
    return np.where(np.isnan(df), normal, t_crit)


def p_values(statistic: np.ndarray, df: np.ndarray) -> np.ndarray:
    """Two-sided p-values of statistics under t(df) (normal where df is NaN).

    Examples
    --------
    >>> import numpy as np
    >>> p_values(np.array([1.959964]), np.array([np.nan])).round(4).tolist()
    [0.05]
    """
    from scipy import stats

    z = np.abs(np.asarray(statistic, dtype=float))
    df = np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(
            np.isnan(df),
            2 * stats.norm.sf(z),
            2 * stats.t.sf(z, np.where(np.isnan(df), 1, df)),
        )


def significance_stars(p: float, levels: Sequence[float] = STAR_LEVELS) -> int:
    """Number of stars of a p-value: how many of ``levels`` it is below.

    Examples
    --------
    >>> significance_stars(0.03), significance_stars(0.2), significance_stars(0.001)
    (2, 0, 3)
    """
    return int(sum(p < level for level in levels))


STAR_NOTE = "* p < 0.1, ** p < 0.05, *** p < 0.01"
"""The meaning of the stars of :func:`format_coefficients` at :data:`STAR_LEVELS`."""

_SCALARS = (str, int, float, bool, np.number, np.bool_)


def format_coefficients(
    table: pd.DataFrame, *, digits: int = 4, levels: Sequence[float] = STAR_LEVELS
) -> pd.DataFrame:
    """A coefficient table as text cells: the estimate with stars, then the rest.

    One star per level of ``levels`` the p-value is below (:data:`STAR_NOTE`),
    padded so the numbers line up; missing values are blank.

    Examples
    --------
    >>> import pandas as pd
    >>> t = coefficient_table(pd.Series({"x": 2.0, "z": 0.1}), [0.5, 1.0])
    >>> format_coefficients(t)["estimate"].tolist()
    ['2.0000***', '0.1000   ']
    >>> format_coefficients(t).loc["x", "std_error"]
    '0.5000'
    """
    out = pd.DataFrame(index=table.index)
    for column in table.columns:
        out[column] = [
            "" if pd.isna(v) else f"{v:.{digits}f}" if isinstance(v, float) else str(v)
            for v in table[column]
        ]
    if {"estimate", "p"} <= set(table.columns):
        stars = [
            ("*" * significance_stars(p, levels) if pd.notna(p) else "").ljust(
                len(levels)
            )
            for p in table["p"]
        ]
        out["estimate"] = [
            f"{e}{s}" for e, s in zip(out["estimate"], stars, strict=True)
        ]
    return out


def _fit_statistics(results: object) -> dict[str, Any]:
    """Scalar entries of a results' ``fit`` mapping or ``statistics`` table."""
    stats: dict[str, Any] = {}
    for source in (getattr(results, "statistics", None), getattr(results, "fit", None)):
        if isinstance(source, pd.DataFrame) and {"statistic", "value"} <= set(
            source.columns
        ):
            source = dict(zip(source["statistic"], source["value"], strict=True))
        if isinstance(source, Mapping):
            stats.update(
                {str(k): v for k, v in source.items()
                 if isinstance(v, _SCALARS) and k != "nobs"}
            )  # fmt: skip
    return stats


def coefficient_table(
    estimates: pd.Series,
    std_errors: pd.Series | pd.DataFrame | Sequence[float] | np.ndarray,
    *,
    df: DF = None,
    level: float = 0.95,
    names: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The tidy coefficient table every estimator returns.

    Columns ``estimate``, ``std_error``, ``statistic`` (estimate / std_error: t or
    z), two-sided ``p`` and the ``ci_low``/``ci_high`` interval at ``level``, all
    under the distribution given by ``df`` (see :data:`DF`); indexed by parameter
    (index name ``parameter``, or ``("group", "parameter")`` for a MultiIndex unless
    ``names`` says otherwise). Record the distribution with ``meta["inference"] =
    inference(df)`` so that :meth:`EstimatesMixin.conf_int` is exact.

    Parameters
    ----------
    estimates : pandas.Series
        Point estimates indexed by parameter (or by group and parameter).
    std_errors : Series, array or covariance DataFrame
        Standard errors in the order of ``estimates`` (a Series is aligned on the
        index); a square DataFrame is read as the covariance matrix, and negative
        variances give NaN standard errors.
    df : None, number or mapping
        Degrees of freedom (``None``: normal).
    level : float
        Level of the interval columns.
    names : sequence of str, optional
        Index level names.

    Examples
    --------
    >>> import pandas as pd
    >>> t = coefficient_table(pd.Series({"x": 2.0, "const": 1.0}), [1.0, 0.5])
    >>> t.columns.tolist()
    ['estimate', 'std_error', 'statistic', 'p', 'ci_low', 'ci_high']
    >>> t.index.name, round(float(t.loc["x", "ci_low"]), 4)
    ('parameter', 0.04)
    """
    index = estimates.index
    if isinstance(std_errors, pd.DataFrame):
        variance = np.diag(std_errors.loc[index, index].to_numpy(float))
        se = np.sqrt(np.where(variance >= 0, variance, np.nan))
    elif isinstance(std_errors, pd.Series):
        se = std_errors.loc[index].to_numpy(float)
    else:
        se = np.asarray(std_errors, dtype=float)
    est = estimates.to_numpy(float)
    if se.shape != est.shape:
        raise DataError(
            f"{se.size} standard errors given for {est.size} estimates ({list(index)})"
        )
    dfs = row_df(index, df)
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = est / se
    crit = critical_values(level, dfs)
    table = pd.DataFrame(
        {
            "estimate": est,
            "std_error": se,
            "statistic": statistic,
            "p": p_values(statistic, dfs),
            "ci_low": est - crit * se,
            "ci_high": est + crit * se,
        },
        index=index.copy(),
    )
    if names is None:
        names = ["group", "parameter"] if table.index.nlevels == 2 else ["parameter"]
    table.index = table.index.set_names(list(names))
    return table


_T = TypeVar("_T")


class _Field(Generic[_T]):
    """A typed, documented, read-only attribute reading one entry of a result field.

    In a results class, ``loglik = _Field("fit", float, "Doc.")`` acts as a
    ``property`` returning ``float(self.fit["loglik"])`` with that docstring (the
    entry is the attribute's name unless ``key`` names another): ``help()`` lists
    it among the data descriptors, type checkers see ``float``, and, having no
    annotation, it is not a dataclass field.
    """

    def __init__(
        self,
        source: str,
        convert: Callable[[Any], _T],
        doc: str,
        *,
        key: str | None = None,
    ) -> None:
        self.source, self.convert, self.key = source, convert, key
        self.name = key or ""
        self.__doc__ = doc

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.key = self.key or name

    def _read(self, obj: object) -> _T:
        return self.convert(getattr(obj, self.source)[self.key])

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> Self: ...
    @overload
    def __get__(self, obj: object, owner: type | None = None) -> _T: ...
    def __get__(self, obj: object | None, owner: type | None = None) -> _T | Self:
        return self if obj is None else self._read(obj)

    def __set__(self, obj: object, value: Any) -> NoReturn:
        raise AttributeError(f"{type(obj).__name__}.{self.name} is read-only")


class _Column(_Field[pd.Series]):
    """A ``coefficients`` column as a Series named after the attribute."""

    def __init__(self, column: str, doc: str) -> None:
        super().__init__("coefficients", lambda series: series, doc, key=column)

    def _read(self, obj: object) -> pd.Series:
        return super()._read(obj).rename(self.name)


class EstimatesMixin:
    """The one coefficient interface of estimator results.

    A result holds ``coefficients`` (built by :func:`coefficient_table`: indexed by
    parameter, or by group and parameter, with ``estimate``, ``std_error``,
    ``statistic``, ``p``, ``ci_low``, ``ci_high``) and records the distribution of
    the statistics in ``meta["inference"]`` (see :func:`inference`). The mixin gives
    the linearmodels-style accessors that regression tables read; ``nobs`` comes
    from ``fit["nobs"]`` or ``meta["nobs"]`` unless a class overrides it.

    Examples
    --------
    >>> import dataclasses, pandas as pd
    >>> from spatialgreen.results import Results
    >>> @dataclasses.dataclass(frozen=True)
    ... class Fit(EstimatesMixin, Results):
    ...     coefficients: pd.DataFrame
    ...     meta: dict
    >>> coefs = coefficient_table(pd.Series({"x": 2.0}), [1.0], df=10)
    >>> fit = Fit(coefs, {"inference": inference(10), "nobs": 12})
    >>> round(float(fit.conf_int(0.9).loc["x", "lower"]), 4), fit.nobs
    (0.1875, 12)
    """

    coefficients: pd.DataFrame

    params = _Column("estimate", "Point estimates by parameter name.")
    std_errors = _Column("std_error", "Standard errors by parameter name.")
    tstats = _Column(
        "statistic",
        "Test statistics (t or z: estimate / standard error) by parameter name.",
    )
    pvalues = _Column("p", "Two-sided p-values by parameter name.")

    @property
    def inference(self) -> dict[str, Any]:
        """Distribution of the statistics: ``{"distribution": ..., "df": ...}``."""
        meta = getattr(self, "meta", None)
        if not isinstance(meta, Mapping) or "inference" not in meta:
            raise DataError(
                f"{type(self).__name__} records no distribution of its statistics "
                "(meta['inference']); build it with results.inference(df)"
            )
        return dict(meta["inference"])

    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """Confidence intervals (columns ``lower``, ``upper``) at ``level``.

        Exact under the recorded distribution (t with its degrees of freedom, or
        normal); ``conf_int(0.95)`` equals the table's ``ci_low``/``ci_high``.
        """
        table = self.coefficients
        crit = critical_values(level, row_df(table.index, self.inference["df"]))
        est = table["estimate"].to_numpy(float)
        half = crit * table["std_error"].to_numpy(float)
        return pd.DataFrame(
            {"lower": est - half, "upper": est + half}, index=table.index.copy()
        )

    @property
    def nobs(self) -> int:
        """Number of observations used."""
        for source in ("fit", "meta"):
            holder = getattr(self, source, None)
            if isinstance(holder, Mapping) and "nobs" in holder:
                return int(holder["nobs"])
        raise DataError(f"{type(self).__name__} records no number of observations")

    def _summary_statistics(self) -> dict[str, Any]:
        """Observations and the scalar fit statistics (R², log-likelihood, ...)."""
        stats: dict[str, Any] = {}
        with contextlib.suppress(DataError, LookupError, TypeError, ValueError):
            stats["nobs"] = self.nobs
        stats.update(_fit_statistics(self))
        return stats

    def estimates_frame(self) -> pd.DataFrame:
        """The coefficients as one flat table, followed by the fit statistics as rows.

        Parameters become a column (``parameter``, and ``group`` where the table has
        groups); every scalar entry of a ``fit`` mapping (nobs, speed, R², …) is
        appended as a row with its value under ``estimate``. This is the one-sheet
        form command-line outputs write.

        Examples
        --------
        >>> import dataclasses
        >>> @dataclasses.dataclass(frozen=True)
        ... class Fit(EstimatesMixin):
        ...     coefficients: pd.DataFrame
        ...     fit: dict
        >>> t = coefficient_table(pd.Series({"x": 2.0}), pd.Series({"x": 0.5}))
        >>> Fit(t, {"nobs": 30, "r2": 0.4}).estimates_frame()["parameter"].tolist()
        ['x', 'nobs', 'r2']
        """
        table = self.coefficients.reset_index()
        fit = getattr(self, "fit", None)
        scalars = (
            {k: v for k, v in fit.items() if not isinstance(v, Mapping | list | tuple)}
            if isinstance(fit, Mapping)
            else {}
        )
        extra = pd.DataFrame(
            {"parameter": list(scalars), "estimate": list(scalars.values())}
        )
        return pd.concat([table, extra], ignore_index=True) if scalars else table
