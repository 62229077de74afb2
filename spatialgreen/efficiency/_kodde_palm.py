"""Kodde & Palm (1986) critical values of the mixed chi-square LR test.

When some restrictions put a parameter on the boundary of the parameter space (the
variance ratio ``γ = 0`` of a stochastic frontier), the likelihood-ratio statistic
follows a mixture of chi-squares instead of ``χ²(q)``. Kodde & Palm (1986, Table 1)
tabulate upper-bound critical values ``c`` solving
``½ P[χ²(q−1) ≥ c] + ½ P[χ²(q) ≥ c] = α`` (``χ²(0)`` is a point mass at 0), the values
Coelli (1995) and FRONTIER users quote for the test of no inefficiency
(2.706, 5.138, 7.045 at 5 % for 1, 2, 3 restrictions).

Source: Kodde, D. A. and Palm, F. C. (1986), "Wald criteria for jointly testing
equality and inequality restrictions", *Econometrica* 54(5):1243–1248, Table 1
(degrees of freedom 1–40; significance levels 0.25 … 0.001). The rows below are the
table's defining formula evaluated to three decimals; tests check it against the
published 5 % and 1 % values for 1–3 restrictions.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import chi2

__all__ = [
    "KODDE_PALM_ALPHAS",
    "KODDE_PALM_TABLE",
    "kodde_palm_critical_value",
    "mixed_chi2_pvalue",
]

KODDE_PALM_ALPHAS: tuple[float, ...] = (0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001)

#: rows: degrees of freedom 1..40; columns: :data:`KODDE_PALM_ALPHAS`
KODDE_PALM_TABLE: tuple[tuple[float, ...], ...] = (
    (0.455, 1.642, 2.706, 3.841, 5.412, 6.635, 9.550),  # 1
    (2.090, 3.808, 5.138, 6.483, 8.273, 9.634, 12.808),  # 2
    (3.475, 5.528, 7.045, 8.542, 10.501, 11.971, 15.355),  # 3
    (4.776, 7.094, 8.761, 10.384, 12.483, 14.044, 17.610),  # 4
    (6.031, 8.574, 10.371, 12.103, 14.325, 15.968, 19.694),  # 5
    (7.257, 9.998, 11.911, 13.741, 16.074, 17.790, 21.663),  # 6
    (8.461, 11.383, 13.401, 15.321, 17.755, 19.539, 23.548),  # 7
    (9.648, 12.737, 14.853, 16.856, 19.384, 21.231, 25.367),  # 8
    (10.823, 14.067, 16.274, 18.354, 20.972, 22.878, 27.133),  # 9
    (11.987, 15.377, 17.670, 19.824, 22.525, 24.488, 28.856),  # 10
    (13.142, 16.670, 19.045, 21.268, 24.049, 26.065, 30.542),  # 11
    (14.289, 17.949, 20.401, 22.691, 25.548, 27.616, 32.196),  # 12
    (15.430, 19.216, 21.742, 24.096, 27.026, 29.143, 33.822),  # 13
    (16.566, 20.472, 23.069, 25.484, 28.485, 30.649, 35.424),  # 14
    (17.696, 21.718, 24.384, 26.858, 29.927, 32.136, 37.005),  # 15
    (18.821, 22.956, 25.688, 28.219, 31.353, 33.607, 38.566),  # 16
    (19.943, 24.186, 26.983, 29.569, 32.766, 35.063, 40.109),  # 17
    (21.060, 25.409, 28.268, 30.908, 34.167, 36.505, 41.636),  # 18
    (22.174, 26.625, 29.545, 32.237, 35.556, 37.935, 43.148),  # 19
    (23.285, 27.835, 30.814, 33.557, 36.935, 39.353, 44.646),  # 20
    (24.394, 29.040, 32.077, 34.869, 38.304, 40.761, 46.132),  # 21
    (25.499, 30.240, 33.333, 36.173, 39.664, 42.158, 47.607),  # 22
    (26.602, 31.436, 34.583, 37.470, 41.016, 43.547, 49.070),  # 23
    (27.703, 32.627, 35.827, 38.761, 42.359, 44.927, 50.524),  # 24
    (28.801, 33.813, 37.066, 40.045, 43.696, 46.299, 51.968),  # 25
    (29.898, 34.996, 38.301, 41.324, 45.026, 47.663, 53.403),  # 26
    (30.992, 36.176, 39.531, 42.597, 46.349, 49.020, 54.830),  # 27
    (32.085, 37.352, 40.756, 43.865, 47.667, 50.371, 56.248),  # 28
    (33.176, 38.524, 41.977, 45.128, 48.978, 51.715, 57.660),  # 29
    (34.266, 39.694, 43.194, 46.387, 50.284, 53.054, 59.064),  # 30
    (35.354, 40.861, 44.408, 47.641, 51.585, 54.386, 60.461),  # 31
    (36.440, 42.025, 45.618, 48.891, 52.881, 55.713, 61.852),  # 32
    (37.525, 43.186, 46.825, 50.137, 54.172, 57.035, 63.237),  # 33
    (38.609, 44.345, 48.029, 51.379, 55.459, 58.352, 64.616),  # 34
    (39.691, 45.501, 49.229, 52.618, 56.742, 59.665, 65.989),  # 35
    (40.773, 46.655, 50.427, 53.853, 58.020, 60.973, 67.357),  # 36
    (41.853, 47.808, 51.622, 55.085, 59.295, 62.276, 68.720),  # 37
    (42.932, 48.957, 52.814, 56.313, 60.566, 63.576, 70.078),  # 38
    (44.010, 50.105, 54.003, 57.539, 61.833, 64.871, 71.432),  # 39
    (45.087, 51.251, 55.190, 58.762, 63.097, 66.163, 72.780),  # 40
)


def mixed_chi2_pvalue(statistic: float, df: int) -> float:
    """P-value of an LR statistic under ``½χ²(df−1) + ½χ²(df)``.

    Parameters
    ----------
    statistic : float
        The likelihood-ratio statistic (negative values count as 0).
    df : int
        Number of restrictions, one of which is on the boundary.

    Returns
    -------
    float

    Examples
    --------
    >>> round(mixed_chi2_pvalue(2.706, 1), 3)
    0.05
    """
    if df < 1:
        raise ValueError(f"df must be >= 1, got {df}")
    stat = max(float(statistic), 0.0)
    lower = (1.0 if stat <= 0.0 else 0.0) if df == 1 else float(chi2.sf(stat, df - 1))
    return 0.5 * lower + 0.5 * float(chi2.sf(stat, df))


def kodde_palm_critical_value(df: int, alpha: float = 0.05) -> float:
    """Kodde–Palm (1986, Table 1) critical value for ``df`` restrictions.

    Parameters
    ----------
    df : int
        Number of restrictions (1–40).
    alpha : float
        Significance level, one of 0.25, 0.10, 0.05, 0.025, 0.01, 0.005, 0.001.

    Returns
    -------
    float

    Examples
    --------
    >>> kodde_palm_critical_value(1), kodde_palm_critical_value(3)
    (2.706, 7.045)
    """
    if not 1 <= df <= len(KODDE_PALM_TABLE):
        raise ValueError(f"Kodde–Palm table covers 1..40 restrictions, got {df}")
    matches = np.flatnonzero(np.isclose(KODDE_PALM_ALPHAS, alpha))
    if matches.size == 0:
        raise ValueError(f"alpha must be one of {KODDE_PALM_ALPHAS}, got {alpha}")
    return KODDE_PALM_TABLE[df - 1][int(matches[0])]
