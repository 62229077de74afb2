"""Phillips & Sul (2007) log t convergence test and club clustering (re-exported by
``convergence``).

References
----------
Phillips, P. C. B. & Sul, D. (2007) Transition modeling and econometric convergence
tests. *Econometrica* 75(6):1771–1855.
Phillips, P. C. B. & Sul, D. (2009) Economic transition and growth. *Journal of
Applied Econometrics* 24(7):1153–1185 (club merging).
Schnurbus, J., Haupt, H. & Meier, V. (2017) Economic transition and growth: a
replication. *Journal of Applied Econometrics* 32(5):1039–1042.

Minimum length of the panel
---------------------------
The log t regression discards the first ``⌊rT⌋`` periods (Phillips & Sul 2007
suggest discarding about the first third, ``r = 0.3``) and fits two
coefficients to the ``n = T − max(⌊rT⌋, 1) + 1`` remaining points; its t statistic
is compared with the one-sided normal 5 % value −1.65, which the paper justifies
as ``T → ∞``. With ``n − 2`` residual degrees of freedom the Student-t 5 % value
is −6.31 for ``n = 3`` (a 3-period panel), −2.35 for ``n = 5`` and −1.94 for
``n = 8``: below eight points the normal cut-off rejects far too rarely, so a
short panel "converges" whatever its data, and a HAC variance from a handful of
residuals is not an estimate of a long-run variance at all. The functions
therefore require ``n ≥ MIN_POINTS = 8`` (six residual degrees of freedom), i.e.
``T ≥ 9`` periods with ``r = 0.3`` and ``T ≥ 10`` with ``r = 1/3``, and raise a
:class:`DataError` naming the time column otherwise.
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import DataError, check_number
from ..panel import validate_panel
from ..results import Results

__all__ = ["ClubResults", "LogTResult", "club", "log_t"]

CRITICAL = -1.65
#: Fewest time points the log t regression may keep (see the module notes).
MIN_POINTS = 8


def _points(n_t: int, r: float) -> int:
    """Time points the log t regression keeps: t = max(⌊rT⌋, 1), …, T."""
    return n_t - max(int(np.floor(r * n_t)), 1) + 1


def _check_length(n_t: int, r: float, time: str) -> None:
    """Refuse a panel too short for the log t regression, naming the minimum."""
    if _points(n_t, r) >= MIN_POINTS:
        return
    need = next(t for t in range(n_t + 1, 100_000) if _points(t, r) >= MIN_POINTS)
    raise DataError(
        f"the Phillips–Sul log t test needs at least {MIN_POINTS} periods in its "
        f"regression after discarding the first ⌊rT⌋ (r={r:g}): {time!r} has "
        f"{n_t} periods, which leaves {_points(n_t, r)}; use at least {need} "
        "periods (with fewer, t > −1.65 'converges' whatever the data)"
    )


def _check_options(r: float, hp_lambda: float | None) -> None:
    check_number(r, "r", low=0, high=1, closed=(True, False))
    check_number(hp_lambda, "hp_lambda", low=0, closed=(False, True), none=True)


@dataclasses.dataclass(frozen=True)
class LogTResult:
    """Outcome of one log t regression.

    Attributes
    ----------
    b, se, t : float
        Slope of ``log(H_1/H_t) − 2 log L(t)`` on ``log t``, its HAC standard
        error and t statistic.
    converges : bool
        ``t > −1.65`` (the one-sided 5 % test does not reject convergence).
    n_units, n_obs : int
        Units in the group and time points used in the regression.
    """

    b: float
    se: float
    t: float
    converges: bool
    n_units: int
    n_obs: int


def _log_t_matrix(x: np.ndarray, r: float) -> LogTResult:
    """log t regression on an (N units × T periods) array of positive values."""
    import statsmodels.api as sm

    n_units, n_t = x.shape
    h = x / x.mean(axis=0)
    big_h = ((h - 1.0) ** 2).mean(axis=0)
    if np.any(big_h <= 0):
        # identical paths in some period: H_t = 0 and the log is undefined
        return LogTResult(np.nan, np.nan, np.inf, True, n_units, 0)
    t_index = np.arange(1, n_t + 1)
    first = max(int(np.floor(r * n_t)), 1)
    keep = t_index >= first
    dep = np.log(big_h[0] / big_h[keep]) - 2.0 * np.log(np.log(t_index[keep] + 1.0))
    design = sm.add_constant(np.log(t_index[keep].astype(float)))
    n_obs = int(keep.sum())
    if n_obs < MIN_POINTS:  # callers check the panel length first
        raise DataError(
            f"log t regression needs at least {MIN_POINTS} periods after "
            f"discarding the first ⌊rT⌋ (r={r:g}); the panel has {n_t}"
        )
    maxlags = int(np.floor(4.0 * (n_obs / 100.0) ** (2.0 / 9.0)))
    fit = sm.OLS(dep, design).fit(cov_type="HAC", cov_kwds={"maxlags": maxlags})
    b, se = float(fit.params[1]), float(fit.bse[1])
    t_stat = b / se if se > 0 else np.inf * np.sign(b)
    return LogTResult(b, se, t_stat, bool(t_stat > CRITICAL), n_units, n_obs)


def _matrix(
    data: pd.DataFrame,
    column: str,
    unit: str,
    time: str,
    log: bool,
    hp_lambda: float | None,
) -> pd.DataFrame:
    info = validate_panel(
        data, unit=unit, time=time, columns=[column], require_balanced=True
    )
    wide = data.pivot(index=unit, columns=time, values=column).loc[list(info.units)]
    wide = wide.astype(float)
    if log:
        if (wide <= 0).any().any():
            raise DataError(f"log=True needs {column!r} > 0")
        wide = np.log(wide)
    if hp_lambda is not None:
        from statsmodels.tsa.filters.hp_filter import hpfilter

        wide = wide.apply(
            lambda row: hpfilter(row.to_numpy(), lamb=hp_lambda)[1],
            axis=1,
            result_type="broadcast",
        )
    if (wide <= 0).any().any():
        bad = wide.index[(wide <= 0).any(axis=1)]
        raise DataError(
            f"relative transition paths need positive values of {column!r}; "
            f"non-positive for {unit} {', '.join(map(str, bad[:10]))}"
        )
    return wide


def log_t(
    data: pd.DataFrame,
    column: str,
    *,
    unit: str = "unit",
    time: str = "year",
    r: float = 0.3,
    log: bool = False,
    hp_lambda: float | None = None,
) -> LogTResult:
    """Phillips–Sul log t convergence test of a balanced panel.

    With relative transition paths ``h_it = X_it / mean_i X_it`` and cross-section
    variance ``H_t = mean_i (h_it − 1)²``, regress
    ``log(H_1/H_t) − 2 log L(t) = a + b log t + u_t`` (``L(t) = log(t + 1)``) for
    ``t = ⌊rT⌋, …, T`` with Newey–West (Bartlett) standard errors, maxlags
    ⌊4 (n/100)^(2/9)⌋. Convergence is rejected when ``t_b < −1.65``.

    Parameters
    ----------
    data : pandas.DataFrame
        Balanced long panel.
    column : str
        Variable X (positive, e.g. GTFP or per-capita GDP).
    unit, time : str
        Key columns.
    r : float
        Share of the first periods discarded (0 <= r < 1). The regression must
        keep at least ``MIN_POINTS`` = 8 periods (``T ≥ 9`` at r = 0.3; see the
        module notes), else :class:`DataError`.
    log : bool
        Take logs of X first (as for income levels).
    hp_lambda : float, optional
        Hodrick–Prescott smoothing parameter applied to each unit's series first
        (Phillips & Sul use 400 for annual data); None = no filtering.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> t = np.arange(1, 31)
    >>> rows = [(i, s, 1.0 + (0.1 * i) / s) for i in range(5) for s in t]
    >>> df = pd.DataFrame(rows, columns=["unit", "year", "x"])
    >>> log_t(df, "x").converges
    True
    """
    _check_options(r, hp_lambda)
    wide = _matrix(data, column, unit, time, log, hp_lambda)
    _check_length(wide.shape[1], r, time)
    return _log_t_matrix(wide.to_numpy(), r)


@dataclasses.dataclass(frozen=True)
class ClubResults(Results):
    """Convergence clubs found by the Phillips–Sul clustering algorithm.

    Attributes
    ----------
    clubs : pandas.DataFrame
        ``unit``, ``club`` (1, 2, … from the highest final level; 0 =
        non-convergent), ``order`` (rank by final level).
    tests : pandas.DataFrame
        One log t test per club (and the full panel, ``club`` = "all"): ``club``,
        ``n_units``, ``b``, ``se``, ``t``, ``converges``.
    """

    clubs: pd.DataFrame
    tests: pd.DataFrame
    meta: dict = dataclasses.field(default_factory=dict)

    @property
    def n_clubs(self) -> int:
        """Number of convergence clubs (non-convergent units excluded)."""
        return int((self.clubs["club"].unique() > 0).sum())

    def _summary_statistics(self) -> dict[str, object]:
        """Units, clubs and non-convergent units."""
        clubs = self.clubs["club"]
        return {
            "units": len(clubs),
            "clubs": self.n_clubs,
            "non-convergent units": int((clubs == 0).sum()),
        }

    def _summary_tables(self) -> dict[str, pd.DataFrame]:
        """The log t test of each club and its members (by final level)."""
        unit = self.clubs.columns[0]
        ordered = self.clubs.sort_values("order")
        members = ordered.groupby("club", sort=True)[unit].agg(
            lambda units: ", ".join(map(str, units))
        )
        return {
            "[tests] log t regression of the panel and of each club": self.tests,
            "[clubs] members by final level (club 0: non-convergent)": members.to_frame(
                "units"
            ),
        }


def _core(x: np.ndarray, order: list[int], r: float) -> list[int] | None:
    """Core group: the leading sequential group with the highest passing log t."""
    for k in range(len(order) - 1):
        first = _log_t_matrix(x[order[k : k + 2]], r)
        if not first.converges:
            continue
        best, best_t = k + 2, first.t
        for j in range(k + 3, len(order) + 1):
            res = _log_t_matrix(x[order[k:j]], r)
            if not res.converges:
                break
            if res.t > best_t:
                best, best_t = j, res.t
        return order[k:best]
    return None


def _sieve(
    x: np.ndarray, core: list[int], rest: list[int], r: float, c: float
) -> list[int]:
    """Add each remaining unit whose log t with the core exceeds ``c``; raise ``c``
    until the resulting club passes the test (Phillips & Sul 2007, step 3)."""
    while True:
        added = [i for i in rest if _log_t_matrix(x[[*core, i]], r).t > c]
        members = [*core, *added]
        if not added or _log_t_matrix(x[members], r).converges:
            return members
        c += 0.5


def _find_clubs(x: np.ndarray, order: list[int], r: float, c: float) -> list[list[int]]:
    clubs: list[list[int]] = []
    remaining = list(order)
    while len(remaining) >= 2:
        whole = _log_t_matrix(x[remaining], r)
        if whole.converges:
            clubs.append(remaining)
            return clubs
        core = _core(x, remaining, r)
        if core is None:
            break
        rest = [i for i in remaining if i not in core]
        members = _sieve(x, core, rest, r, c)
        clubs.append([i for i in remaining if i in set(members)])
        remaining = [i for i in remaining if i not in set(members)]
    return clubs


def _merge(
    x: np.ndarray, clubs: list[list[int]], r: float, how: str
) -> list[list[int]]:
    clubs = [list(cl) for cl in clubs]
    if how == "ps":
        merged: list[list[int]] = []
        for cl in clubs:
            if merged and _log_t_matrix(x[[*merged[-1], *cl]], r).converges:
                merged[-1] = [*merged[-1], *cl]
            else:
                merged.append(cl)
        return merged
    # Schnurbus et al. (2017): merge the adjacent pair with the largest t, repeat
    while len(clubs) > 1:
        stats = [_log_t_matrix(x[[*a, *b]], r) for a, b in itertools.pairwise(clubs)]
        ts = [s.t if s.converges else -np.inf for s in stats]
        best = int(np.argmax(ts))
        if not np.isfinite(ts[best]):
            break
        clubs[best : best + 2] = [[*clubs[best], *clubs[best + 1]]]
    return clubs


def club(
    data: pd.DataFrame,
    column: str,
    *,
    unit: str = "unit",
    time: str = "year",
    r: float = 0.3,
    c: float = 0.0,
    merge: Literal["ps", "schnurbus"] | None = None,
    log: bool = False,
    hp_lambda: float | None = None,
    order_by: Literal["last", "mean_last_third"] = "last",
) -> ClubResults:
    """Phillips–Sul (2007) club convergence clustering.

    Steps: (1) order units by the final value (or the mean of the last third of
    the periods); (2) the core group is the leading run of ordered units, starting
    at the first pair that passes the log t test, whose size maximises t while t
    stays above −1.65; (3) each remaining unit joins when the log t of core + unit
    exceeds ``c`` (raised in steps of 0.5 until the club itself passes);
    (4) the rest are tested as a group and, if they fail, clustered again;
    units without a convergent pair are non-convergent (club 0). ``merge``
    optionally merges adjacent clubs whose union passes the test, sequentially as
    Phillips & Sul (2009) (``"ps"``) or pair with the highest t first as Schnurbus
    et al. (2017) (``"schnurbus"``).

    See :func:`log_t` for ``r`` (and the minimum number of periods), ``log`` and
    ``hp_lambda``; ``c`` is the sieve threshold of step 3.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> t = np.arange(1, 41)
    >>> rows = [(f"u{i}", s, (1.0 if i < 4 else 2.0) + 0.3 * np.sin(i) / s)
    ...         for i in range(8) for s in t]
    >>> df = pd.DataFrame(rows, columns=["unit", "year", "x"])
    >>> res = club(df, "x")
    >>> res.n_clubs, sorted(res.clubs.groupby("club")["unit"].size().tolist())
    (2, [4, 4])
    """
    if merge not in (None, "ps", "schnurbus"):
        raise DataError(f"merge must be None, 'ps' or 'schnurbus', got {merge!r}")
    _check_options(r, hp_lambda)
    check_number(c, "c")
    if order_by not in ("last", "mean_last_third"):
        raise DataError(
            f"order_by must be 'last' or 'mean_last_third', got {order_by!r}"
        )
    wide = _matrix(data, column, unit, time, log, hp_lambda)
    x = wide.to_numpy()
    n_t = x.shape[1]
    _check_length(n_t, r, time)
    key = x[:, -1] if order_by == "last" else x[:, -max(n_t // 3, 1) :].mean(axis=1)
    order = [int(i) for i in np.argsort(-key, kind="stable")]
    clubs = _find_clubs(x, order, r, c)
    if merge is not None:
        clubs = _merge(x, clubs, r, merge)
    label = np.zeros(len(order), dtype=int)
    for k, members in enumerate(clubs, start=1):
        label[members] = k
    rank = np.empty(len(order), dtype=int)
    rank[order] = np.arange(1, len(order) + 1)
    table = pd.DataFrame({unit: wide.index, "club": label, "order": rank})
    tests = [_test_row("all", _log_t_matrix(x, r))]
    tests += [
        _test_row(k, _log_t_matrix(x[m], r)) for k, m in enumerate(clubs, start=1)
    ]
    meta = {
        "model": "Phillips-Sul club convergence",
        "column": column,
        "r": r,
        "c": c,
        "merge": merge,
        "log": log,
        "hp_lambda": hp_lambda,
    }
    return ClubResults(
        table.sort_values("order", ignore_index=True), pd.DataFrame(tests), meta
    )


def _test_row(name: object, res: LogTResult) -> dict:
    return {
        "club": name,
        "n_units": res.n_units,
        "b": res.b,
        "se": res.se,
        "t": res.t,
        "converges": res.converges,
    }
