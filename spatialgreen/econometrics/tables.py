"""Journal-style regression tables: several models side by side, with stars.

Every estimator of this package shares one coefficient interface
(:class:`spatialgreen.results.EstimatesMixin`: ``params``, ``std_errors``,
``tstats``, ``pvalues``, ``nobs``), which is all a table reads — fixed effects, SFA,
spatial cross-section and panel models, β-convergence, regimes ... — and so do
linearmodels results. Parameters indexed by (group, parameter) are shown as
``parameter[group]``.

What a reader of a Chinese (or any economics) journal expects is built in:

- fixed-effect indicator rows ("Unit FE: Yes", "Year FE: Yes") from a
  ``fixed_effects`` mapping on the result, and a "Controls: Yes" row for control
  variables left out of the body (``controls=``);
- a note naming what is in parentheses, the standard errors of each model (their
  type, cluster variable and small-sample convention, from the result's
  ``meta["se_note"]``, ``meta["std_error"]`` (e.g. the bootstrap standard
  deviation of :func:`spatialgreen.sw_truncated_regression`) or
  ``meta["cov"]``/``meta["cluster"]``) and the star levels;
- the constant shown only where it means something: in a model with absorbed fixed
  effects it is just the mean of the effects (Stata's ``_cons``), which the note
  says, or ``constant="auto"`` leaves out; a standard error that is zero or
  undefined (the constant with standardised regressors and clustered errors) is
  printed as ``(—)`` without stars, never as ``1.1866*** (0.0000)``;
- every format of the same table: text, CSV, XLSX, LaTeX, HTML, and the three-line
  table as DOCX and RTF (:class:`~spatialgreen.econometrics._journal.JournalTable`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..errors import DataError
from ..results import STAR_LEVELS, Results, significance_stars
from ._journal import JournalTable

__all__ = ["RegressionTable", "regression_table"]

_STAT_LABELS = {
    "nobs": "N",
    "r2": "R²",
    "r2_adj": "Adj. R²",
    "r2_within": "Within R²",
    "r2_between": "Between R²",
    "r2_overall": "Overall R²",
    "n_clusters": "Clusters",
    # random effects and Tobit
    "theta": "θ",
    "sigma": "σ",
    "sigma_u": "σ_u",
    "sigma_e": "σ_e",
    "rho": "ρ",
    "loglik": "Log likelihood",
    "pseudo_r2": "Pseudo R²",
    "n_left": "Left-censored",
    "n_uncensored": "Uncensored",
    "n_right": "Right-censored",
}
_COUNTS = {"nobs", "n_clusters", "n_left", "n_uncensored", "n_right"}
_STAT_ALIASES = {
    # linearmodels' PanelOLS calls the R² with the effects ``rsquared_inclusive``
    # (its ``rsquared`` is the within R²), so that name is read before ``rsquared``
    "r2": ("r2", "rsquared_inclusive", "rsquared"),
    "r2_adj": ("r2_adj", "rsquared_adj", "ar2"),
    "r2_within": ("r2_within", "rsquared_within"),
    "r2_overall": ("r2_overall", "rsquared_overall"),
    "n_clusters": ("n_clusters",),
    "nobs": ("nobs", "n"),
    # statsmodels calls the log-likelihood ``llf``
    "loglik": ("loglik", "llf"),
}
_CONST_NAMES = {"const", "_cons", "Intercept", "CONSTANT", "intercept"}
_NO_SE = "(—)"
_COV_WORDS = {
    "unadjusted": "Conventional standard errors",
    "nonrobust": "Conventional standard errors",
    "homoskedastic": "Conventional standard errors",
    "robust": "Heteroskedasticity-robust standard errors",
    "heteroskedastic": "Heteroskedasticity-robust standard errors",
    "clustered": "Clustered standard errors",
    "cluster": "Clustered standard errors",
}


@dataclasses.dataclass(frozen=True)
class RegressionTable(JournalTable, Results):
    """A formatted regression table.

    Attributes
    ----------
    table : pandas.DataFrame
        The display table (strings): a ``""`` label column and one column per model.
    numbers : pandas.DataFrame
        The numbers behind it: model, parameter, estimate, std_error, statistic,
        p, stars.
    meta : dict
        ``notes`` (the note under the table), ``sections`` (rows that open a
        section), ``se``, ``digits``.

    Examples
    --------
    >>> import pandas as pd
    >>> class Fit:
    ...     params = pd.Series({"x": 0.5})
    ...     std_errors = pd.Series({"x": 0.1})
    ...     pvalues = pd.Series({"x": 0.001})
    ...     nobs = 100
    >>> t = regression_table([Fit()], dependent=False, stats=("nobs",))
    >>> print(t)
           (1)
    x 0.5000***
       (0.1000)
    N       100
    Standard errors in parentheses; * p<0.1, ** p<0.05, *** p<0.01
    """

    table: pd.DataFrame
    numbers: pd.DataFrame
    meta: dict = dataclasses.field(default_factory=dict)


def _stat(result: Any, name: str) -> float | None:
    for attr in _STAT_ALIASES.get(name, (name,)):
        value = getattr(result, attr, None)
        if value is not None and not callable(value):
            try:
                value = float(value)
            except (TypeError, ValueError):
                continue
            if not np.isnan(value):
                return value
    return None


def regression_table(
    results: Any,
    *,
    labels: Sequence[str] | None = None,
    variables: Sequence[str] | None = None,
    rename: Mapping[str, str] | None = None,
    se: str = "se",
    digits: int = 4,
    stars: Sequence[float] = STAR_LEVELS,
    stats: Sequence[str] = ("nobs", "r2_adj"),
    dependent: bool = True,
    constant: bool | Literal["auto"] = True,
    controls: bool | Sequence[str] = False,
    notes: str | None = None,
) -> RegressionTable:
    """Tabulate fitted models side by side, journal style.

    Parameters
    ----------
    results : result, sequence or mapping of results
        Fitted models (anything with ``params``, ``std_errors``, ``pvalues``,
        ``nobs`` and optionally ``tstats``); mapping keys become column labels.
    labels : sequence of str, optional
        Column labels (default: mapping keys, else ``(1)``, ``(2)``, ...).
    variables : sequence of str, optional
        Variables to show, in order (default: all, in order of appearance, the
        constant last).
    rename : mapping, optional
        Display names of variables (e.g. ``{"const": "_cons"}``).
    se : {"se", "t"}
        Show standard errors or t statistics in parentheses.
    digits : int
        Decimals.
    stars : sequence of float
        Significance levels for one, two and three stars.
    stats : sequence of str
        Bottom rows among ``nobs``, ``r2`` (with the fixed effects, as reghdfe's
        R²), ``r2_adj``, ``r2_within`` (after removing them), ``r2_overall``
        (linearmodels' overall R²), ``n_clusters``, ``loglik``, or any numeric
        attribute of the results: random effects' ``theta``, ``sigma_u``,
        ``sigma_e``, ``rho``, ``r2_between``; Tobit's ``sigma``, ``pseudo_r2``,
        ``n_left``, ``n_uncensored``, ``n_right`` (labelled θ, σ_u, …).
    dependent : bool
        Add a "Dependent variable" row from each model's ``meta["y"]``.
    constant : bool or "auto"
        Show the constant (``True``), hide it (``False``), or show it only in
        models without absorbed fixed effects (``"auto"``; in a fixed-effects
        model it is only the mean of the effects). When shown in a fixed-effects
        model, the note says what it is.
    controls : bool or sequence of str
        Leave control variables out of the body and add a "Controls" row (Yes/No
        by model): ``True`` takes each model's recorded controls
        (``meta["controls"]``), a sequence names them.
    notes : str, optional
        The note under the table (default: what is in parentheses, the standard
        errors of each model, what the constant and R² are where that needs
        saying, and the star levels).

    Returns
    -------
    RegressionTable

    Raises
    ------
    DataError
        Unknown variables, controls or statistics; a model without the
        coefficient interface; bad labels or options.

    Examples
    --------
    >>> import pandas as pd
    >>> class Fit:
    ...     params = pd.Series({"x": 0.5, "const": 1.0})
    ...     std_errors = pd.Series({"x": 0.1, "const": 0.2})
    ...     pvalues = pd.Series({"x": 0.001, "const": 0.07})
    ...     nobs = 100
    >>> t = regression_table([Fit()], stats=("nobs",), dependent=False)
    >>> t.table.iloc[:, 1].tolist()
    ['0.5000***', '(0.1000)', '1.0000*', '(0.2000)', '100']

    Two-way fixed effects with a control, clustered by unit:

    >>> from spatialgreen.datasets import example_panel
    >>> from spatialgreen.econometrics import fixed_effects
    >>> fit = fixed_effects(example_panel(), y="y", x="x1", controls=["x2"],
    ...                     cluster="unit")
    >>> t = regression_table([fit], controls=True, constant="auto")
    >>> t.table[""].tolist()
    ['Dependent variable', 'x1', '', 'Controls', 'Unit FE', 'Year FE', 'N', 'Adj. R²']
    >>> "clustered by unit" in t.note
    True
    """
    fits, names = _models(results, labels)
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 0:
        raise DataError(f"digits must be a non-negative integer, got {digits!r}")
    if se not in ("se", "t"):
        raise DataError(f"se must be 'se' or 't', got {se!r}")
    if constant not in (True, False, "auto"):
        raise DataError(f"constant must be True, False or 'auto', got {constant!r}")
    levels = sorted(stars, reverse=True)
    rename = dict(rename or {})
    frames = [_estimates(fit) for fit in fits]
    hidden = _control_names(fits, frames, controls, variables)
    order = [
        v
        for v in _variable_order(frames, variables, constant is not False)
        if v not in (hidden or ())
    ]
    absorbs = [_absorbs_effects(fit) for fit in fits]
    fmt = f"{{:.{digits}f}}"

    numbers = []
    rows: list[list[str]] = []
    sections = []
    said: set[str] = set()  # what the note must explain
    if dependent:
        deps = [_dependent(f) for f in fits]
        if any(deps):
            rows.append(["Dependent variable", *deps])
    sections.append(len(rows)) if rows else None
    for var in order:
        is_const = _is_constant(var)
        coef_row = [rename.get(var, var)]
        se_row = [""]
        for name, frame, fe in zip(names, frames, absorbs, strict=True):
            if var not in frame.index or (is_const and fe and constant == "auto"):
                if var in frame.index:
                    said.add("const_omitted")
                coef_row.append("")
                se_row.append("")
                continue
            b, s, t, p = (float(v) for v in frame.loc[var])
            identified = bool(np.isfinite(s)) and s > 1e-10 * max(abs(b), 1e-300)
            n_stars = significance_stars(p, levels) if identified else 0
            coef_row.append(fmt.format(b) + "*" * n_stars)
            if identified:
                se_row.append("(" + fmt.format(s if se == "se" else t) + ")")
            else:
                se_row.append(_NO_SE)
                said.add("no_se")
            if is_const and fe:
                said.add("const_fe")
            numbers.append(
                {
                    "model": name,
                    "parameter": var,
                    "estimate": b,
                    "std_error": s,
                    "statistic": t,
                    "p": p,
                    "stars": n_stars,
                }
            )
        if any(coef_row[1:]):
            rows += [coef_row, se_row]
    sections.append(len(rows))
    if hidden is not None:
        rows.append(
            [
                "Controls",
                *(_yes_no(any(v in f.index for v in hidden)) for f in frames),
            ]
        )
    rows += _fe_rows(fits)
    for stat in stats:
        values = [_stat(f, stat) for f in fits]
        if stat not in _STAT_ALIASES and all(v is None for v in values):
            raise DataError(
                f"statistic {stat!r} is in none of the models (known: "
                f"{', '.join(_STAT_ALIASES)}, or a numeric attribute of the results)"
            )
        if stat in ("r2", "r2_adj") and any(absorbs):
            said.add(f"{stat}_fe")
        text = [
            "" if v is None else (f"{int(v)}" if stat in _COUNTS else fmt.format(v))
            for v in values
        ]
        rows.append([_STAT_LABELS.get(stat, stat), *text])
    table = pd.DataFrame(rows, columns=["", *names])
    meta = {
        "notes": notes
        if notes is not None
        else _default_note(fits, names, se, levels, said, rename),
        "sections": sections,
        "se": se,
        "digits": digits,
    }
    return RegressionTable(table, pd.DataFrame(numbers), meta)


def _models(results: Any, labels: Sequence[str] | None) -> tuple[list[Any], list[str]]:
    """The fitted models and their column labels, checked."""
    if isinstance(results, Mapping):
        names = [str(k) for k in results]
        fits = list(results.values())
    elif isinstance(results, Sequence) and not isinstance(results, str):
        fits = list(results)
        names = [f"({i + 1})" for i in range(len(fits))]
    else:
        fits, names = [results], ["(1)"]
    if not fits:
        raise DataError("regression_table needs at least one fitted model")
    if labels is not None:
        if len(labels) != len(fits):
            raise DataError(f"{len(labels)} labels given for {len(fits)} models")
        names = [str(v) for v in labels]
    if len(set(names)) != len(names):
        raise DataError(f"model labels must be unique, got {names}")
    for fit in fits:
        for attr in ("params", "std_errors", "pvalues", "nobs"):
            if not hasattr(fit, attr):
                raise DataError(
                    f"{type(fit).__name__} has no {attr!r}; cannot tabulate it"
                )
    return fits, names


def _estimates(fit: Any) -> pd.DataFrame:
    """estimate, std_error, statistic, p of a fit, indexed by display name."""
    params = fit.params
    tstats = getattr(fit, "tstats", None)
    frame = pd.DataFrame(
        {
            "estimate": params,
            "std_error": fit.std_errors,
            "statistic": params / fit.std_errors if tstats is None else tstats,
            "p": fit.pvalues,
        }
    )
    if isinstance(frame.index, pd.MultiIndex):
        frame.index = [
            f"{key[-1]}[{', '.join(map(str, key[:-1]))}]" for key in frame.index
        ]
    return frame


def _is_constant(name: Any) -> bool:
    return name in _CONST_NAMES or str(name).startswith("const[")


def _variable_order(
    frames: list[pd.DataFrame], variables: Sequence[str] | None, constant: bool
) -> list[str]:
    if variables is not None:
        known = {v for f in frames for v in f.index}
        missing = [v for v in variables if v not in known]
        if missing:
            raise DataError(f"variables {missing} are in none of the models")
        return [v for v in variables if constant or v not in _CONST_NAMES]
    seen: list[str] = []
    consts: list[str] = []
    for frame in frames:
        for v in frame.index:
            if str(v).startswith("_year_"):
                continue
            target = consts if _is_constant(v) else seen
            if v not in target:
                target.append(v)
    return seen + (consts if constant else [])


def _control_names(
    fits: list[Any],
    frames: list[pd.DataFrame],
    controls: bool | Sequence[str],
    variables: Sequence[str] | None,
) -> set[str] | None:
    """The variables summarised by the "Controls" row (None: no such row)."""
    if controls is False:
        return None
    if controls is True:
        names: list[str] = []
        for fit in fits:
            meta = getattr(fit, "meta", None)
            recorded = meta.get("controls") if isinstance(meta, Mapping) else None
            names += [str(c) for c in recorded or ()]
        if not any(isinstance(getattr(f, "meta", None), Mapping) for f in fits):
            raise DataError(
                "controls=True reads each model's meta['controls'], which none of "
                "these models records; name the control variables: controls=[...]"
            )
    elif isinstance(controls, str) or not isinstance(controls, Sequence):
        raise DataError(
            "controls must be True, False or a list of variable names, got "
            f"{controls!r}"
        )
    else:
        names = [str(c) for c in controls]
        known = {str(v) for f in frames for v in f.index}
        missing = [c for c in names if c not in known]
        if missing:
            raise DataError(f"controls {missing} are in none of the models")
    if variables is not None:
        both = [c for c in names if c in set(variables)]
        if both:
            raise DataError(
                f"{both} are listed both in variables (shown) and in controls "
                "(summarised by the Controls row); keep them in one of the two"
            )
    return set(names)


def _dependent(fit: Any) -> str:
    """The dependent variable of a fit: ``meta["y"]`` or linearmodels' model."""
    meta = getattr(fit, "meta", None)
    if isinstance(meta, Mapping) and meta.get("y"):
        return str(meta["y"])
    names = getattr(getattr(getattr(fit, "model", None), "dependent", None), "vars", 0)
    return str(names[0]) if isinstance(names, list) and len(names) == 1 else ""


def _fe_dict(fit: Any) -> Mapping[str, Any]:
    value = getattr(fit, "fixed_effects", None)
    return value if isinstance(value, Mapping) else {}


def _absorbs_effects(fit: Any) -> bool:
    """Whether the model absorbs fixed effects (its constant is their mean).

    A model that says what its constant is (``meta["const"]``, e.g. random effects
    with year dummies: the intercept of the first year) absorbs nothing, and
    random-effect rows ("Unit RE") are not fixed effects.
    """
    meta = getattr(fit, "meta", None)
    if isinstance(meta, Mapping) and isinstance(meta.get("const"), str):
        return False
    fe = _fe_dict(fit)
    if fe:
        return any(bool(v) for k, v in fe.items() if not str(k).endswith(" RE"))
    included = getattr(fit, "included_effects", None)  # linearmodels PanelOLS
    return bool(included) if isinstance(included, list | tuple) else False


def _fe_rows(fits: list[Any]) -> list[list[str]]:
    keys: list[str] = []
    for fit in fits:
        for key in _fe_dict(fit):
            if key not in keys:
                keys.append(key)
    return [[key, *(_yes_no(_fe_dict(f).get(key)) for f in fits)] for key in keys]


def _yes_no(value: Any) -> str:
    if value is None:
        return ""
    return "Yes" if bool(value) else "No"


def _se_words(fit: Any) -> str | None:
    """The standard errors of a fit in words, or None when it does not say."""
    meta = getattr(fit, "meta", None)
    meta = meta if isinstance(meta, Mapping) else {}
    if meta.get("se_note"):
        return str(meta["se_note"])
    described = meta.get("std_error")  # e.g. "bootstrap standard deviation"
    if isinstance(described, str) and described:
        return f"Standard errors: {described}"
    cov = meta.get("cov") or meta.get("cov_type") or getattr(fit, "cov_type", None)
    if not isinstance(cov, str):
        return None
    key = cov.lower()
    if key.startswith("hc"):
        return f"Heteroskedasticity-robust standard errors ({cov.upper()})"
    words = _COV_WORDS.get(key)
    if words is None:
        return f"{cov} standard errors"
    cluster = meta.get("cluster")
    if words.startswith("Clustered") and cluster:
        return f"Standard errors clustered by {cluster}"
    return words


def _default_note(
    fits: list[Any],
    names: list[str],
    se: str,
    levels: list[float],
    said: set[str],
    rename: Mapping[str, str],
) -> str:
    inside = "Standard errors" if se == "se" else "t statistics"
    star_text = ", ".join(f"{'*' * (i + 1)} p<{lv:g}" for i, lv in enumerate(levels))
    sentences: list[str] = []
    words = [_se_words(f) for f in fits]
    if any(w is not None for w in words):
        groups: dict[str, list[str]] = {}
        for name, w in zip(names, words, strict=True):
            groups.setdefault(w or "Standard errors as reported by the estimator", [])
            groups[w or "Standard errors as reported by the estimator"].append(name)
        if len(groups) == 1:
            sentences.append(next(iter(groups)))
        else:
            sentences += [f"{', '.join(cols)}: {w}" for w, cols in groups.items()]
    const = rename.get("const", "const")
    if "const_omitted" in said:
        sentences.append(
            "The constant is not reported for models with fixed effects "
            "(it is only the mean of the absorbed effects)"
        )
    if "const_fe" in said:
        sentences.append(
            f"In models with fixed effects, {const} is the mean of the absorbed "
            "effects (as Stata reports it)"
        )
    if "no_se" in said:
        sentences.append(
            f"{_NO_SE}: the standard error is zero or undefined (e.g. the constant "
            "of a fixed-effects model whose regressors have mean zero), so no test "
            "is reported"
        )
    r2_names = [
        label
        for key, label in (("r2_fe", "R²"), ("r2_adj_fe", "adjusted R²"))
        if key in said
    ]
    if r2_names:
        sentences.append(f"{' and '.join(r2_names)} include the fixed effects")
    if not sentences:
        return f"{inside} in parentheses; {star_text}"
    return ". ".join([f"{inside} in parentheses", *sentences, star_text])
