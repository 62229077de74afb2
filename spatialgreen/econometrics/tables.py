"""Journal-style regression tables: several models side by side, with stars.

Every estimator of this package shares one coefficient interface
(:class:`spatialgreen.results.EstimatesMixin`: ``params``, ``std_errors``,
``tstats``, ``pvalues``, ``nobs``), which is all a table reads — fixed effects, SFA,
spatial cross-section and panel models, β-convergence, regimes ... — and so do
linearmodels results. Parameters indexed by (group, parameter) are shown as
``parameter[group]``. Fixed-effect indicator rows
come from a ``fixed_effects`` mapping on the result (``{"Unit FE": True, ...}``).
"""

from __future__ import annotations

import dataclasses
import html
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._io import atomic_write, write_table
from ..errors import DataError
from ..results import STAR_LEVELS, Results, significance_stars

__all__ = ["RegressionTable", "regression_table"]

_STAT_LABELS = {
    "nobs": "N",
    "r2": "R²",
    "r2_adj": "Adj. R²",
    "r2_within": "Within R²",
    "n_clusters": "Clusters",
}
_STAT_ALIASES = {
    "r2": ("r2", "rsquared"),
    "r2_adj": ("r2_adj", "rsquared_adj", "ar2"),
    "r2_within": ("r2_within", "rsquared_within"),
    "n_clusters": ("n_clusters",),
    "nobs": ("nobs", "n"),
}
_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\^{}",
    # in LaTeX text mode with the default OT1 encoding "<" prints as "¡"
    "<": r"\textless{}",
    ">": r"\textgreater{}",
}


@dataclasses.dataclass(frozen=True)
class RegressionTable(Results):
    """A formatted regression table.

    Attributes
    ----------
    table : pandas.DataFrame
        The display table (strings): a ``""`` label column and one column per model.
    numbers : pandas.DataFrame
        The numbers behind it: model, parameter, estimate, std_error, statistic,
        p, stars.
    meta : dict
        Notes and options.
    """

    table: pd.DataFrame
    numbers: pd.DataFrame
    meta: dict = dataclasses.field(default_factory=dict)

    def __str__(self) -> str:
        body = self.table.to_string(index=False)
        return f"{body}\n{self.meta['notes']}"

    def summary(self) -> str:
        """The table as text."""
        return str(self)

    def to_latex(self, path: str | os.PathLike[str] | None = None) -> str:
        """LaTeX ``tabular`` with booktabs rules; written to ``path`` if given."""
        models = list(self.table.columns[1:])
        lines = [
            r"\begin{tabular}{l" + "c" * len(models) + "}",
            r"\toprule",
            " & ".join(["", *(_latex(m) for m in models)]) + r" \\",
            r"\midrule",
        ]
        sections = self.meta["sections"]
        for i, row in enumerate(self.table.itertuples(index=False)):
            if i in sections:
                lines.append(r"\midrule")
            cells = [_latex(str(row[0]))] + [_latex_cell(str(v)) for v in row[1:]]
            lines.append(" & ".join(cells) + r" \\")
        lines += [
            r"\bottomrule",
            rf"\multicolumn{{{len(models) + 1}}}{{l}}"
            rf"{{\footnotesize {_latex(self.meta['notes'])}}} \\",
            r"\end{tabular}",
        ]
        text = "\n".join(lines) + "\n"
        if path is not None:
            _write_text(path, text)
        return text

    def to_html(self, path: str | os.PathLike[str] | None = None) -> str:
        """HTML table (a complete UTF-8 page when written to ``path``)."""
        fragment = self.table.to_html(
            index=False, escape=True, border=0, classes="regtable"
        )
        fragment += f'\n<p class="notes">{html.escape(self.meta["notes"])}</p>\n'
        if path is not None:
            page = (
                '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
                "<title>Regression table</title>"
                "<style>table.regtable{border-collapse:collapse}"
                "table.regtable td,table.regtable th"
                "{padding:2px 10px;text-align:center}"
                "table.regtable td:first-child{text-align:left}</style></head><body>\n"
                f"{fragment}</body></html>\n"
            )
            _write_text(path, page)
        return fragment

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Write by suffix: ``.csv``, ``.xlsx``, ``.tex`` or ``.html``."""
        p = Path(path)
        suffix = p.suffix.lower()
        if suffix == ".csv":
            return write_table(self.table, p)
        if suffix == ".xlsx":
            return self.to_excel(p)
        if suffix == ".tex":
            self.to_latex(p)
            return p
        if suffix in (".html", ".htm"):
            self.to_html(p)
            return p
        raise DataError(
            f"unsupported table format {suffix!r} for {p}; "
            "use .csv, .xlsx, .tex or .html"
        )


def _write_text(path: str | os.PathLike[str], text: str) -> None:
    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")

    atomic_write(path, write)


def _latex(text: str) -> str:
    escaped = "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)
    return escaped.replace("²", "$^2$")


def _latex_cell(text: str) -> str:
    match = re.fullmatch(r"(.*?)(\*+)", text)
    if match:
        return f"{_latex(match.group(1))}$^{{{match.group(2)}}}$"
    return _latex(text)


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
    constant: bool = True,
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
        Bottom rows among ``nobs``, ``r2``, ``r2_adj``, ``r2_within``,
        ``n_clusters``.
    dependent : bool
        Add a "Dependent variable" row from each model's ``meta["y"]``.
    constant : bool
        Show the constant.
    notes : str, optional
        Footnote (default: what is in parentheses and the star levels).

    Returns
    -------
    RegressionTable

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
    """
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
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 0:
        raise DataError(f"digits must be a non-negative integer, got {digits!r}")
    if se not in ("se", "t"):
        raise DataError(f"se must be 'se' or 't', got {se!r}")
    levels = sorted(stars, reverse=True)
    for fit in fits:
        for attr in ("params", "std_errors", "pvalues", "nobs"):
            if not hasattr(fit, attr):
                raise DataError(
                    f"{type(fit).__name__} has no {attr!r}; cannot tabulate it"
                )
    rename = dict(rename or {})
    frames = [_estimates(fit) for fit in fits]
    order = _variable_order(frames, variables, constant)
    fmt = f"{{:.{digits}f}}"

    numbers = []
    rows: list[list[str]] = []
    sections = []
    if dependent:
        deps = [str(getattr(f, "meta", {}).get("y", "")) for f in fits]
        if any(deps):
            rows.append(["Dependent variable", *deps])
    sections.append(len(rows)) if rows else None
    for var in order:
        coef_row = [rename.get(var, var)]
        se_row = [""]
        for name, frame in zip(names, frames, strict=True):
            if var not in frame.index:
                coef_row.append("")
                se_row.append("")
                continue
            b, s, t, p = (float(v) for v in frame.loc[var])
            n_stars = significance_stars(p, levels)
            coef_row.append(fmt.format(b) + "*" * n_stars)
            se_row.append("(" + fmt.format(s if se == "se" else t) + ")")
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
        rows += [coef_row, se_row]
    sections.append(len(rows))
    fe_keys: list[str] = []
    for fit in fits:
        for key in getattr(fit, "fixed_effects", None) or {}:
            if key not in fe_keys:
                fe_keys.append(key)
    for key in fe_keys:
        rows.append(
            [
                key,
                *(
                    _yes_no((getattr(f, "fixed_effects", None) or {}).get(key))
                    for f in fits
                ),
            ]
        )
    for stat in stats:
        values = [_stat(f, stat) for f in fits]
        if stat not in _STAT_ALIASES and all(v is None for v in values):
            raise DataError(
                f"statistic {stat!r} is in none of the models (known: "
                f"{', '.join(_STAT_ALIASES)}, or a numeric attribute of the results)"
            )
        text = [
            ""
            if v is None
            else (f"{int(v)}" if stat in ("nobs", "n_clusters") else fmt.format(v))
            for v in values
        ]
        rows.append([_STAT_LABELS.get(stat, stat), *text])
    table = pd.DataFrame(rows, columns=["", *names])
    inside = "Standard errors" if se == "se" else "t statistics"
    star_text = ", ".join(f"{'*' * (i + 1)} p<{lv:g}" for i, lv in enumerate(levels))
    meta = {
        "notes": notes or f"{inside} in parentheses; {star_text}",
        "sections": sections,
        "se": se,
        "digits": digits,
    }
    return RegressionTable(table, pd.DataFrame(numbers), meta)


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


def _variable_order(
    frames: list[pd.DataFrame], variables: Sequence[str] | None, constant: bool
) -> list[str]:
    const_names = {"const", "_cons", "Intercept", "CONSTANT", "intercept"}
    if variables is not None:
        known = {v for f in frames for v in f.index}
        missing = [v for v in variables if v not in known]
        if missing:
            raise DataError(f"variables {missing} are in none of the models")
        return [v for v in variables if constant or v not in const_names]
    seen: list[str] = []
    consts: list[str] = []
    for frame in frames:
        for v in frame.index:
            if str(v).startswith("_year_"):
                continue
            target = consts if v in const_names or str(v).startswith("const[") else seen
            if v not in target:
                target.append(v)
    return seen + (consts if constant else [])


def _yes_no(value: Any) -> str:
    if value is None:
        return ""
    return "Yes" if bool(value) else "No"
