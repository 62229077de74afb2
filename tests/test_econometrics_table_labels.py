"""Regression-table rows for random effects and Tobit: labels, LaTeX, constant."""

from __future__ import annotations

import pytest

from spatialgreen.datasets import example_panel
from spatialgreen.econometrics import random_effects, regression_table


@pytest.fixture(scope="module")
def re_fits():
    df = example_panel()
    return {
        "RE": random_effects(df, y="y", x=["x1", "x2"]),
        "RE2": random_effects(df, y="y", x=["x1", "x2"], effects="twoway"),
    }


def test_random_effects_statistics_have_journal_labels(re_fits):
    stats = ("nobs", "theta", "sigma_u", "sigma_e", "rho", "r2_between")
    table = regression_table(re_fits, stats=stats)
    rows = table.table.set_index("")
    fit = re_fits["RE"]
    for label, value in (
        ("θ", fit.theta),
        ("σ_u", fit.sigma_u),
        ("σ_e", fit.sigma_e),
        ("ρ", fit.rho),
        ("Between R²", fit.r2_between),
    ):
        assert rows.loc[label, "RE"] == f"{value:.4f}"
    latex = table.to_latex()
    for math in (r"$\theta$ &", r"$\sigma_{u}$ &", r"$\sigma_{e}$ &", r"$\rho$ &"):
        assert math in latex
    assert "Between R$^2$ &" in latex and "σ" not in latex


def test_random_effects_keep_their_constant(re_fits):
    """A random-effects constant is the intercept (of the first year with year
    dummies), not the mean of absorbed effects: constant="auto" shows it."""
    table = regression_table(re_fits, constant="auto")
    rows = table.table.set_index("")
    for label in ("RE", "RE2"):
        assert rows.loc["const", label] == (f"{re_fits[label].params['const']:.4f}***")
    assert "absorbed effects" not in table.note
