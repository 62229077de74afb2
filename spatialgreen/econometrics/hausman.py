"""The Hausman (1978) test of fixed against random effects, from two fitted models.

Reference: Hausman, J. A. (1978) Specification tests in econometrics.
*Econometrica* 46(6):1251–1271.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import DataError, ModelError, SpatialGreenWarning
from ..results import Results
from ._design import _as_list
from .fixed_effects import FixedEffectsResults
from .random_effects import RandomEffectsResults

__all__ = ["HausmanResults", "hausman"]


@dataclasses.dataclass(frozen=True)
class HausmanResults(Results):
    """Result of :func:`hausman`: both estimates, their difference and the test.

    Attributes
    ----------
    comparison : pandas.DataFrame
        By parameter: ``fixed`` (b, consistent), ``random`` (B, efficient under
        H0), ``difference`` (b − B), ``variance`` (diagonal of V_b − V_B) and
        ``std_error`` (its square root; NaN where negative), as Stata's
        ``hausman`` prints them.
    test : pandas.DataFrame
        One row: ``statistic``, ``df``, ``p`` (χ²).
    variance : pandas.DataFrame
        The full matrix V_b − V_B (first column ``parameter``).
    meta : dict
    """

    comparison: pd.DataFrame
    test: pd.DataFrame
    variance: pd.DataFrame
    meta: dict = dataclasses.field(default_factory=dict)

    @property
    def statistic(self) -> float:
        """The χ² statistic."""
        return float(self.test["statistic"].iloc[0])

    @property
    def df(self) -> int:
        """Degrees of freedom (number of compared slopes, or the rank used)."""
        return int(self.test["df"].iloc[0])

    @property
    def pvalue(self) -> float:
        """p-value of the χ² test; small values favour fixed effects."""
        return float(self.test["p"].iloc[0])

    def summary(self) -> str:
        """Both estimates side by side and the test."""
        with pd.option_context(
            "display.width", 120, "display.float_format", "{:.6f}".format
        ):
            body = self.comparison.to_string()
        return (
            f"Hausman test, fixed vs random effects ({self.meta['y']})\n{body}\n"
            f"chi2({self.df}) = {self.statistic:.4f}, p = {self.pvalue:.4f}"
            + (f"\n{self.meta['note']}" if self.meta.get("note") else "")
        )


def hausman(
    fe: FixedEffectsResults,
    re: RandomEffectsResults,
    *,
    variables: Sequence[str] | None = None,
    sigma: Literal["separate", "common"] = "separate",
) -> HausmanResults:
    """Hausman (1978) test of fixed against random effects from two fitted models.

    ``H = (b − B)'(V_b − V_B)⁻¹(b − B)``, χ² with as many degrees of freedom as
    compared slopes, where b, V_b are the within estimates and B, V_B the GLS
    random-effects estimates, each with its own conventional covariance (as R
    ``plm::phtest`` and Stata ``hausman fe re``). A small p-value rejects the
    random-effects assumption (effects uncorrelated with the regressors). When
    V_b − V_B is not positive definite in the sample, a
    :class:`~spatialgreen.errors.SpatialGreenWarning` says so and the statistic
    uses the subspace of its positive eigenvalues, with their number as degrees of
    freedom (recorded in ``meta["note"]``). ``sigma="common"`` puts one
    error variance in both covariances — the within estimate of σ_e², which is the
    fixed-effects s² and the random-effects σ_e² — so that V_b − V_B is positive
    semi-definite by construction (the idea of Stata's ``sigmamore``/``sigmaless``
    options; it is asymptotically equivalent to the default).

    Both models must use the same outcome, sample and effects (FE ``"unit"`` with
    RE ``"unit"``; FE ``"twoway"`` with RE ``"twoway"``) and conventional
    covariances: with robust or clustered ones the random-effects estimator is not
    efficient and this form of the test is invalid. The data-level aid of spatial
    papers is :func:`spatialgreen.spatial.hausman_test`.

    Parameters
    ----------
    fe : FixedEffectsResults
        The fixed-effects fit (:func:`~spatialgreen.econometrics.fixed_effects`).
    re : RandomEffectsResults
        The random-effects fit
        (:func:`~spatialgreen.econometrics.random_effects`).
    variables : sequence of str, optional
        Slopes to compare (default: every regressor of both models).
    sigma : {"separate", "common"}
        Each model's own error variance (plm, Stata's default) or the common
        within estimate of σ_e² (V_B rescaled by σ_e²/s²_B).

    Returns
    -------
    HausmanResults

    Examples
    --------
    >>> from spatialgreen.datasets import example_panel
    >>> from spatialgreen.econometrics import fixed_effects, random_effects
    >>> panel = example_panel()
    >>> fe = fixed_effects(panel, y="y", x=["x1", "x2"], effects="unit")
    >>> h = hausman(fe, random_effects(panel, y="y", x=["x1", "x2"]))
    >>> h.comparison.columns.tolist()
    ['fixed', 'random', 'difference', 'variance', 'std_error']
    >>> h.df
    2
    """
    if not isinstance(fe, FixedEffectsResults) or not isinstance(
        re, RandomEffectsResults
    ):
        raise ModelError(
            "hausman(fe, re) takes a fixed_effects result and then a random_effects "
            f"result, got {type(fe).__name__} and {type(re).__name__}"
        )
    mf, mr = fe.meta, re.meta
    for key in ("y", "unit", "time"):
        if mf[key] != mr[key]:
            raise ModelError(
                f"the two models differ in {key}: {mf[key]!r} (fixed) vs "
                f"{mr[key]!r} (random)"
            )
    if fe.nobs != re.nobs:
        raise ModelError(
            f"the two models use different samples ({fe.nobs} vs {re.nobs} "
            "observations); fit both on the same rows"
        )
    if mf["effects"] != mr["effects"]:
        raise ModelError(
            f"fixed effects={mf['effects']!r} does not match random effects="
            f"{mr['effects']!r}; compare 'unit' with 'unit' or 'twoway' with 'twoway'"
        )
    for name, m in (("fixed", mf), ("random", mr)):
        if m["cov"] != "unadjusted":
            raise ModelError(
                f"the {name}-effects model has cov={m['cov']!r}; the Hausman test "
                "needs conventional covariances (cov='unadjusted') in both models"
            )
    if sigma not in ("separate", "common"):
        raise ModelError(f"sigma must be 'separate' or 'common', got {sigma!r}")
    common = [v for v in mf["regressors"] if v in mr["regressors"]]
    names = common if variables is None else _as_list(variables)
    missing = [v for v in names if v not in common]
    if missing or not names:
        raise DataError(
            f"variables {missing or names} are not slopes of both models "
            f"(common slopes: {common})"
        )
    b, big_b = fe.params[names], re.params[names]
    diff = (b - big_b).to_numpy(float)
    v_random = re.cov.loc[names, names].to_numpy(float)
    if sigma == "common":
        v_random = v_random * re.sigma_e**2 / float(re.fit.s2)
    v = fe.cov.loc[names, names].to_numpy(float) - v_random
    values, vectors = np.linalg.eigh((v + v.T) / 2)
    keep = values > 1e-10 * max(float(np.abs(values).max()), 1e-300)
    note = ""
    if not keep.any():
        raise ModelError(
            "V_fixed - V_random has no positive eigenvalue; the Hausman test is "
            "undefined on these data with sigma='separate' (try sigma='common')"
        )
    if not keep.all():
        note = (
            "V_fixed - V_random is not positive definite; the statistic uses its "
            f"{int(keep.sum())} positive eigenvalue(s) as degrees of freedom"
        )
        # A SpatialGreenWarning, not a RuntimeWarning: no arithmetic failed. In a
        # finite sample the RE covariance need not be smaller than the FE one, so
        # a V_b - V_B that is not positive definite is a property of the user's
        # data and models (as Stata's note says), and it changes the test's
        # degrees of freedom: a statistical caveat about the user's model.
        warnings.warn(note, SpatialGreenWarning, stacklevel=2)
    proj = vectors[:, keep].T @ diff
    stat = float(np.sum(proj**2 / values[keep]))
    rank = int(keep.sum())
    diag = np.diag(v)
    comparison = pd.DataFrame(
        {
            "fixed": b.to_numpy(float),
            "random": big_b.to_numpy(float),
            "difference": diff,
            "variance": diag,
            "std_error": np.sqrt(np.where(diag >= 0, diag, np.nan)),
        },
        index=pd.Index(names, name="parameter"),
    )
    test = pd.DataFrame(
        {"statistic": [stat], "df": [rank], "p": [float(stats.chi2.sf(stat, rank))]}
    )
    variance = pd.DataFrame(v, index=pd.Index(names, name="parameter"), columns=names)
    meta = {
        "model": "hausman",
        "y": mf["y"],
        "effects": mf["effects"],
        "H0": "unit effects uncorrelated with the regressors (random effects)",
        "variance": (
            "V_fixed - V_random, each with its own conventional covariance"
            if sigma == "separate"
            else "V_fixed - V_random with the within estimate of sigma_e^2 in both"
        ),
        "note": note,
    }
    return HausmanResults(comparison, test, variance.reset_index(), meta)
