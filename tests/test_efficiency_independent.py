"""Independent per-unit ``linprog`` cross-checks of models without a published table.

Each helper below is written from the formulas (``efficiency_models.md`` §3–§6 and the
conventions stated in the module docstrings of ``ebm.py``, ``sbm.py`` and ``ddf.py``),
not from the engine's code: one ``scipy.optimize.linprog(method="highs")`` problem per
evaluated unit on the raw (unscaled) data, in Charnes–Cooper form where the model is
fractional (the RTS row then reads ``eᵀΛ = t``).

Conventions tested (as documented by the engine):

* EBM-NO with bads: ``Xλ + s⁻ = θx_o``, ``Yλ - s⁺ = φy_o``, ``Bλ + sᵇ = φb_o``; the bad
  slacks share the output account with one ``ε_y`` and weights normalised to 1 over
  goods and bads together (inputs normalised separately).
* Super-EBM / super-SBM: reference set without the evaluated unit; scores only for
  units whose ordinary score is 1 (two-pass, MaxDEA), the ordinary score otherwise.
* NDDF: ``max Σ w_v β_v`` with raw weights, ``β ≥ 0``; a β with zero direction is 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _helpers import EBM_TIED
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from spatialgreen.efficiency import (
    affinity_matrix,
    ddf,
    ebm,
    ebm_parameters,
    epsilon_weights,
    sbm,
)
from spatialgreen.errors import ModelError

TOL = 1e-6
EFFICIENT = 1e-6
SEEDS = [0, 1, 2, 3, 4]
DIMS = {0: (2, 1, 1), 1: (2, 2, 1), 2: (3, 1, 2), 3: (1, 2, 2), 4: (2, 2, 2)}


# --------------------------------------------------------------------------- data


def _data(
    seed: int, n: int = 14, dims: tuple[int, int, int] | None = None
) -> tuple[pd.DataFrame, dict, np.ndarray]:
    """Random positive data (m inputs, s goods, q bads) with a noisy frontier."""
    m, s, q = DIMS[seed] if dims is None else dims
    rng = np.random.default_rng(seed)
    x = rng.lognormal(1.0, 0.6, (n, m))
    core = np.prod(x, axis=1) ** (0.8 / m)
    y = core[:, None] * rng.lognormal(0.0, 0.4, (n, s))
    b = core[:, None] * rng.lognormal(0.0, 0.5, (n, q))
    names = (
        [f"x{i}" for i in range(m)]
        + [f"y{r}" for r in range(s)]
        + [f"b{k}" for k in range(q)]
    )
    values = np.hstack([x, y, b])
    frame = pd.DataFrame(values, columns=names)
    frame.insert(0, "unit", [f"u{j:02d}" for j in range(n)])
    kw = {
        "inputs": names[:m],
        "outputs": names[m : m + s],
        "bad_outputs": names[m + s :],
    }
    return frame, kw, values


def _split(values: np.ndarray, dims: tuple[int, int, int]):
    m, s, _ = dims
    return values[:, :m].T, values[:, m : m + s].T, values[:, m + s :].T


def _solve(c, a_ub, b_ub, a_eq, b_eq, bounds):
    res = linprog(
        c,
        A_ub=a_ub if len(a_ub) else None,
        b_ub=b_ub if len(b_ub) else None,
        A_eq=a_eq if len(a_eq) else None,
        b_eq=b_eq if len(b_eq) else None,
        bounds=bounds,
        method="highs",
    )
    return res


# ------------------------------------------------------------------ EBM (ordinary)


def ebm_no(values, o, dims, rts, eps_x, eps_y, w_in, w_out):
    """Non-oriented EBM with bads, Charnes–Cooper form.

    Variables: t, TH = tθ, PH = tφ, Λ (n), S⁻ (m), S⁺ (s), Sᵇ (q).
    min TH - ε_x Σ w⁻ S⁻/x_o
    s.t. PH + ε_y (Σ w⁺ S⁺/y_o + Σ wᵇ Sᵇ/b_o) = 1
         XΛ + S⁻ - TH x_o = 0,  YΛ - S⁺ - PH y_o = 0,  BΛ + Sᵇ - PH b_o = 0
         VRS: eᵀΛ - t = 0
    """
    m, s, q = dims
    X, Y, B = _split(values, dims)
    n = values.shape[0]
    x, y, b = X[:, o], Y[:, o], B[:, o]
    it, ith, iph = 0, 1, 2
    lam = 3 + np.arange(n)
    sm = 3 + n + np.arange(m)
    sp = 3 + n + m + np.arange(s)
    sb = 3 + n + m + s + np.arange(q)
    nv = 3 + n + m + s + q
    c = np.zeros(nv)
    c[ith] = 1.0
    c[sm] = -eps_x * w_in / x
    a_eq, b_eq = [], []
    row = np.zeros(nv)
    row[iph] = 1.0
    row[sp] = eps_y * w_out[:s] / y
    row[sb] = eps_y * w_out[s:] / b
    a_eq.append(row)
    b_eq.append(1.0)
    for i in range(m):
        row = np.zeros(nv)
        row[lam] = X[i]
        row[sm[i]] = 1.0
        row[ith] = -x[i]
        a_eq.append(row)
        b_eq.append(0.0)
    for r in range(s):
        row = np.zeros(nv)
        row[lam] = Y[r]
        row[sp[r]] = -1.0
        row[iph] = -y[r]
        a_eq.append(row)
        b_eq.append(0.0)
    for k in range(q):
        row = np.zeros(nv)
        row[lam] = B[k]
        row[sb[k]] = 1.0
        row[iph] = -b[k]
        a_eq.append(row)
        b_eq.append(0.0)
    if rts == "vrs":
        row = np.zeros(nv)
        row[lam] = 1.0
        row[it] = -1.0
        a_eq.append(row)
        b_eq.append(0.0)
    bounds = [(0, None)] * nv
    bounds[ith] = bounds[iph] = (None, None)
    res = _solve(c, [], [], np.array(a_eq), np.array(b_eq), bounds)
    assert res.status == 0, res.message
    return res.fun


def super_ebm_no(values, o, dims, rts, eps_x, eps_y, w_in, w_out):
    """Non-radial non-oriented super-EBM with bads (unit ``o`` excluded), CC form.

    Fractional: min [θ + ε_x Σ w⁻ s⁻/x_o] / [φ - ε_y (Σ w⁺ s⁺/y_o + Σ wᵇ sᵇ/b_o)]
    s.t. Xλ ≤ θx_o + s⁻,  Yλ ≥ φy_o - s⁺ ≥ 0,  Bλ ≤ φb_o + sᵇ,  θ ≥ 1 ≥ φ.
    Returns (objective, linprog status).
    """
    m, s, q = dims
    keep = np.arange(values.shape[0]) != o
    X, Y, B = _split(values[keep], dims)
    x, y, b = (a.ravel() for a in _split(values[[o]], dims))
    n = int(keep.sum())
    it, ith, iph = 0, 1, 2
    lam = 3 + np.arange(n)
    sm = 3 + n + np.arange(m)
    sp = 3 + n + m + np.arange(s)
    sb = 3 + n + m + s + np.arange(q)
    nv = 3 + n + m + s + q
    c = np.zeros(nv)
    c[ith] = 1.0
    c[sm] = eps_x * w_in / x
    a_eq, b_eq, a_ub, b_ub = [], [], [], []
    row = np.zeros(nv)
    row[iph] = 1.0
    row[sp] = -eps_y * w_out[:s] / y
    row[sb] = -eps_y * w_out[s:] / b
    a_eq.append(row)
    b_eq.append(1.0)
    for i in range(m):  # XΛ - TH x_o - S⁻ ≤ 0
        row = np.zeros(nv)
        row[lam] = X[i]
        row[ith] = -x[i]
        row[sm[i]] = -1.0
        a_ub.append(row)
        b_ub.append(0.0)
    for r in range(s):  # PH y_o - S⁺ - YΛ ≤ 0  and  S⁺ - PH y_o ≤ 0
        row = np.zeros(nv)
        row[lam] = -Y[r]
        row[iph] = y[r]
        row[sp[r]] = -1.0
        a_ub.append(row)
        b_ub.append(0.0)
        row = np.zeros(nv)
        row[sp[r]] = 1.0
        row[iph] = -y[r]
        a_ub.append(row)
        b_ub.append(0.0)
    for k in range(q):  # BΛ - PH b_o - Sᵇ ≤ 0
        row = np.zeros(nv)
        row[lam] = B[k]
        row[iph] = -b[k]
        row[sb[k]] = -1.0
        a_ub.append(row)
        b_ub.append(0.0)
    row = np.zeros(nv)  # θ ≥ 1:  t - TH ≤ 0
    row[it], row[ith] = 1.0, -1.0
    a_ub.append(row)
    b_ub.append(0.0)
    row = np.zeros(nv)  # φ ≤ 1:  PH - t ≤ 0
    row[iph], row[it] = 1.0, -1.0
    a_ub.append(row)
    b_ub.append(0.0)
    if rts == "vrs":
        row = np.zeros(nv)
        row[lam] = 1.0
        row[it] = -1.0
        a_eq.append(row)
        b_eq.append(0.0)
    bounds = [(0, None)] * nv
    bounds[ith] = bounds[iph] = (None, None)
    res = _solve(
        c, np.array(a_ub), np.array(b_ub), np.array(a_eq), np.array(b_eq), bounds
    )
    return res.fun, res.status


# ------------------------------------------------------------------------ SBM


def sbm_no(values, o, dims, rts, orientation="non"):
    """Tone (2004) SBM with bads (separable, strong disposability), CC form.

    Input orientation keeps only the numerator (the output account is dropped from
    the normalisation row), output orientation only the denominator."""
    m, s, q = dims
    X, Y, B = _split(values, dims)
    n = values.shape[0]
    x, y, b = X[:, o], Y[:, o], B[:, o]
    lam = 1 + np.arange(n)
    sl = 1 + n + np.arange(m + s + q)
    nv = 1 + n + m + s + q
    c = np.zeros(nv)
    c[0] = 1.0
    if orientation != "output":
        c[sl[:m]] = -1.0 / (m * x)
    a_eq, b_eq = [], []
    row = np.zeros(nv)
    row[0] = 1.0
    if orientation != "input":
        row[sl[m:]] = np.r_[1.0 / y, 1.0 / b] / (s + q)
    a_eq.append(row)
    b_eq.append(1.0)
    data = np.vstack([X, Y, B])
    target = np.r_[x, y, b]
    sign = np.r_[np.ones(m), -np.ones(s), np.ones(q)]
    for i in range(m + s + q):  # data Λ + sign S - t v_o = 0
        row = np.zeros(nv)
        row[lam] = data[i]
        row[sl[i]] = sign[i]
        row[0] = -target[i]
        a_eq.append(row)
        b_eq.append(0.0)
    if rts == "vrs":
        row = np.zeros(nv)
        row[lam] = 1.0
        row[0] = -1.0
        a_eq.append(row)
        b_eq.append(0.0)
    res = _solve(c, [], [], np.array(a_eq), np.array(b_eq), [(0, None)] * nv)
    assert res.status == 0, res.message
    return res.fun


def super_sbm_no(values, o, dims, rts, orientation="non"):
    """Super-SBM with bads (DEA-Solver slack form), unit ``o`` excluded, CC form.

    Fractional: min [1 + (1/m) Σ φ_i] / [1 - (1/(s+q)) (Σ ψ_r + Σ ψᵇ_k)]
    s.t. Xλ ≤ x_o(1+φ),  Yλ ≥ y_o(1-ψ),  Bλ ≤ b_o(1+ψᵇ),  0 ≤ ψ ≤ 1,  φ, ψᵇ, λ ≥ 0.
    Variables: t, Λ, Φ = tφ, Ψ = tψ, Ψᵇ = tψᵇ.  Input orientation fixes ψ = ψᵇ = 0,
    output orientation φ = 0.  Returns (objective, linprog status).
    """
    m, s, q = dims
    keep = np.arange(values.shape[0]) != o
    data = values[keep].T
    v = values[o]
    n = int(keep.sum())
    lam = 1 + np.arange(n)
    ex = 1 + n + np.arange(m + s + q)
    nv = 1 + n + m + s + q
    c = np.zeros(nv)
    c[0] = 1.0
    c[ex[:m]] = 1.0 / m
    a_eq = [np.zeros(nv)]
    a_eq[0][0] = 1.0
    a_eq[0][ex[m:]] = -1.0 / (s + q)
    b_eq = [1.0]
    a_ub, b_ub = [], []
    for i in range(m + s + q):
        row = np.zeros(nv)
        if m <= i < m + s:  # -YΛ + t y_o - y_o Ψ ≤ 0
            row[lam] = -data[i]
            row[0] = v[i]
            row[ex[i]] = -v[i]
        else:  # XΛ - t x_o - x_o Φ ≤ 0 (same for bads)
            row[lam] = data[i]
            row[0] = -v[i]
            row[ex[i]] = -v[i]
        a_ub.append(row)
        b_ub.append(0.0)
    for r in range(s):  # Ψ_r ≤ t
        row = np.zeros(nv)
        row[ex[m + r]] = 1.0
        row[0] = -1.0
        a_ub.append(row)
        b_ub.append(0.0)
    if rts == "vrs":
        row = np.zeros(nv)
        row[lam] = 1.0
        row[0] = -1.0
        a_eq.append(row)
        b_eq.append(0.0)
    bounds = [(0, None)] * nv
    fixed = {"non": [], "input": ex[m:], "output": ex[:m]}[orientation]
    for j in fixed:
        bounds[j] = (0, 0)
    res = _solve(
        c, np.array(a_ub), np.array(b_ub), np.array(a_eq), np.array(b_eq), bounds
    )
    return res.fun, res.status


# ----------------------------------------------------------------------- NDDF


def nddf(values, o, dims, rts, g, w, weak):
    """Zhou, Ang & Wang (2012) non-radial DDF: max Σ w β (β ≥ 0, raw weights).

    s.t. Xλ ≤ x_o - diag(β_x) g_x,  Yλ ≥ y_o + diag(β_y) g_y,
         Bλ = b_o - diag(β_b) g_b (weak; ≤ for strong),  VRS: eᵀλ = 1.
    A β whose direction is 0 is fixed at 0.
    """
    m, s, q = dims
    data = values.T
    v = values[o]
    n = values.shape[0]
    d = m + s + q
    nv = n + d
    c = np.r_[np.zeros(n), -w]
    a_ub, b_ub, a_eq, b_eq = [], [], [], []
    for i in range(d):
        row = np.zeros(nv)
        if m <= i < m + s:  # -Yλ + β g_y ≤ -y_o
            row[:n] = -data[i]
            row[n + i] = g[i]
            a_ub.append(row)
            b_ub.append(-v[i])
        else:
            row[:n] = data[i]
            row[n + i] = g[i]
            if i >= m + s and weak:
                a_eq.append(row)
                b_eq.append(v[i])
            else:
                a_ub.append(row)
                b_ub.append(v[i])
    if rts == "vrs":
        a_eq.append(np.r_[np.ones(n), np.zeros(d)])
        b_eq.append(1.0)
    bounds = [(0, None)] * n + [(0, None) if gi > 0 else (0, 0) for gi in g]
    res = _solve(
        c, np.array(a_ub), np.array(b_ub), np.array(a_eq), np.array(b_eq), bounds
    )
    assert res.status == 0, res.message
    return -res.fun


# ---------------------------------------------------------------------- tests


def _ebm_parameters(seed: int, dims):
    """Explicit ε and unnormalised weights (the engine normalises each side)."""
    m, s, q = dims
    rng = np.random.default_rng(100 + seed)
    eps_x, eps_y = rng.uniform(0.1, 0.9, 2)
    raw = rng.uniform(0.2, 3.0, m + s + q)
    return float(eps_x), float(eps_y), raw


# EBM-NO is CRS only (see test_ebm_non_oriented_conventions)
@pytest.mark.parametrize("rts", ["crs"])
@pytest.mark.parametrize("seed", SEEDS)
def test_ebm_non_oriented_with_bads_matches_linprog(seed, rts):
    frame, kw, values = _data(seed)
    dims = DIMS[seed]
    m = dims[0]
    eps_x, eps_y, raw = _ebm_parameters(seed, dims)
    names = kw["inputs"] + kw["outputs"] + kw["bad_outputs"]
    res = ebm(
        frame,
        **kw,
        rts=rts,
        orientation="non",
        epsilon=(eps_x, eps_y),
        weights=dict(zip(names, raw, strict=True)),
    )
    w_in, w_out = raw[:m] / raw[:m].sum(), raw[m:] / raw[m:].sum()
    expected = [
        ebm_no(values, o, dims, rts, eps_x, eps_y, w_in, w_out)
        for o in range(len(frame))
    ]
    scores = res.scores
    assert (scores["status"] == "optimal").all()
    np.testing.assert_allclose(scores["score"], expected, atol=TOL, rtol=0)
    # The reported θ, φ and slacks are a feasible point of the fractional program
    # that attains the score (they are the engine's projection, so this also checks
    # the recovery of the Charnes–Cooper solution).
    s_ = res.slacks[names].to_numpy()
    num = scores["theta"] - eps_x * (s_[:, :m] * w_in / values[:, :m]).sum(axis=1)
    den = scores["phi"] + eps_y * (s_[:, m:] * w_out / values[:, m:]).sum(axis=1)
    np.testing.assert_allclose(num / den, scores["score"], atol=TOL, rtol=0)


@pytest.mark.parametrize("rts", ["crs"])
@pytest.mark.parametrize("seed", SEEDS)
def test_super_ebm_with_bads_matches_linprog(seed, rts):
    frame, kw, values = _data(seed)
    dims = DIMS[seed]
    m = dims[0]
    eps_x, eps_y, raw = _ebm_parameters(seed, dims)
    names = kw["inputs"] + kw["outputs"] + kw["bad_outputs"]
    common = {
        "rts": rts,
        "orientation": "non",
        "epsilon": (eps_x, eps_y),
        "weights": dict(zip(names, raw, strict=True)),
    }
    plain = ebm(frame, **kw, **common).scores
    sup = ebm(frame, **kw, **common, super_efficiency=True).scores
    w_in, w_out = raw[:m] / raw[:m].sum(), raw[m:] / raw[m:].sum()
    args = (dims, rts, eps_x, eps_y, w_in, w_out)
    expected, used = [], []
    for o in range(len(frame)):
        score = ebm_no(values, o, *args)
        efficient = abs(score - 1.0) <= EFFICIENT
        if efficient:
            score, status = super_ebm_no(values, o, *args)
            assert status == 0  # non-oriented super-EBM is always feasible
        expected.append(score)
        used.append(efficient)
    assert any(used)
    assert (sup["status"] == "optimal").all()
    assert sup["super"].tolist() == used
    np.testing.assert_allclose(sup["score"], expected, atol=TOL, rtol=0)
    # invariants: efficient units score ≥ 1, the others keep their EBM score
    eff = np.array(used)
    assert (sup.loc[eff, "score"] >= 1 - 1e-9).all()
    np.testing.assert_allclose(
        sup.loc[~eff, "score"], plain.loc[~eff, "score"], atol=1e-9, rtol=0
    )


@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    seed=st.integers(10, 10_000),
    n=st.integers(6, 16),
    dims=st.tuples(st.integers(1, 3), st.integers(1, 2), st.integers(1, 2)),
    eps=st.tuples(st.floats(0.0, 1.0), st.floats(0.0, 1.0)),
    rts=st.just("crs"),
)
def test_super_ebm_matches_linprog_hypothesis(seed, n, dims, eps, rts):
    """Same cross-check on random sizes, ε (including the ends 0 and 1) and weights."""
    frame, kw, values = _data(seed, n, dims)
    m = dims[0]
    raw = np.random.default_rng(seed).uniform(0.2, 3.0, sum(dims))
    names = kw["inputs"] + kw["outputs"] + kw["bad_outputs"]
    sup = ebm(
        frame,
        **kw,
        rts=rts,
        epsilon=eps,
        weights=dict(zip(names, raw, strict=True)),
        super_efficiency=True,
    ).scores
    args = (dims, rts, eps[0], eps[1], raw[:m] / raw[:m].sum(), raw[m:] / raw[m:].sum())
    expected, used = [], []
    for o in range(n):
        score = ebm_no(values, o, *args)
        used.append(abs(score - 1.0) <= EFFICIENT)
        expected.append(super_ebm_no(values, o, *args)[0] if used[-1] else score)
    assert sup["super"].tolist() == used
    np.testing.assert_allclose(sup["score"], expected, atol=TOL, rtol=0)


@pytest.mark.parametrize("seed", SEEDS)
def test_ebm_non_oriented_conventions(seed):
    """EBM-NO (θ and φ free) is invariant to scaling (θ, φ, λ, s) by k > 0, so a
    convexity row eᵀλ = 1 can never bind: the independent LP gives exactly the CRS
    scores under "VRS", and spatialgreen refuses rts="vrs" for EBM-NO rather than
    return CRS numbers under a VRS label."""
    frame, kw, values = _data(seed)
    dims = DIMS[seed]
    m = dims[0]
    eps_x, eps_y, raw = _ebm_parameters(seed, dims)
    names = kw["inputs"] + kw["outputs"] + kw["bad_outputs"]
    common = {"epsilon": (eps_x, eps_y), "weights": dict(zip(names, raw, strict=True))}
    args = (dims, eps_x, eps_y, raw[:m] / raw[:m].sum(), raw[m:] / raw[m:].sum())
    ours_crs = [ebm_no(values, o, args[0], "crs", *args[1:]) for o in range(len(frame))]
    ours_vrs = [ebm_no(values, o, args[0], "vrs", *args[1:]) for o in range(len(frame))]
    np.testing.assert_allclose(ours_vrs, ours_crs, atol=TOL, rtol=0)
    with pytest.raises(ModelError, match="scale invariant"):
        ebm(frame, **kw, **common, rts="vrs")


def test_super_ebm_keeps_ordinary_score_of_inefficient_units_outside_p():
    """θ may exceed φ: an EBM-inefficient unit can have a super LP above 1 (found on
    several of the seeded data sets), and the two-pass rule keeps its EBM score."""
    found = 0
    for seed in SEEDS:
        frame, kw, values = _data(seed)
        dims = DIMS[seed]
        m = dims[0]
        eps_x, eps_y, raw = _ebm_parameters(seed, dims)
        names = kw["inputs"] + kw["outputs"] + kw["bad_outputs"]
        common = {
            "epsilon": (eps_x, eps_y),
            "weights": dict(zip(names, raw, strict=True)),
        }
        args = (dims, eps_x, eps_y, raw[:m] / raw[:m].sum(), raw[m:] / raw[m:].sum())
        crs = ebm(frame, **kw, **common).scores["score"].to_numpy()
        sup = ebm(frame, **kw, **common, super_efficiency=True).scores
        outside = [
            o
            for o in np.flatnonzero(crs < 1 - 1e-4)
            if super_ebm_no(values, o, args[0], "crs", *args[1:])[0] > 1 + 1e-4
        ]
        np.testing.assert_allclose(sup["score"].to_numpy()[outside], crs[outside])
        assert not sup["super"].to_numpy()[outside].any()
        found += len(outside)
    assert found > 0


@pytest.mark.parametrize("orientation", ["non", "input", "output"])
@pytest.mark.parametrize("rts", ["crs", "vrs"])
@pytest.mark.parametrize("seed", SEEDS)
def test_super_sbm_with_bads_matches_linprog(seed, rts, orientation):
    frame, kw, values = _data(seed)
    dims = DIMS[seed]
    common = {"rts": rts, "orientation": orientation}
    plain = sbm(frame, **kw, **common).scores
    sup = sbm(frame, **kw, **common, super_efficiency=True).scores
    expected, used, feasible = [], [], []
    for o in range(len(frame)):
        score = sbm_no(values, o, dims, rts, orientation)
        efficient = abs(score - 1.0) <= EFFICIENT
        status = 0
        if efficient:
            score, status = super_sbm_no(values, o, dims, rts, orientation)
            assert status in (0, 2)
            if orientation == "non":
                assert status == 0  # non-oriented super-SBM is always feasible
        expected.append(score if status == 0 else np.nan)
        used.append(efficient)
        feasible.append(status == 0)
    assert any(used)
    assert sup["super"].tolist() == used
    # infeasible oriented super-SBM LPs are reported, with a NaN score
    assert (sup["status"] == "optimal").tolist() == feasible
    assert (sup.loc[~np.array(feasible), "status"] == "infeasible").all()
    np.testing.assert_allclose(sup["score"], expected, atol=TOL, rtol=0, equal_nan=True)
    eff = np.array(used) & np.array(feasible)
    assert (sup.loc[eff, "score"] >= 1 - 1e-9).all()
    ineff = ~np.array(used)
    np.testing.assert_allclose(
        sup.loc[ineff, "score"], plain.loc[ineff, "score"], atol=1e-9, rtol=0
    )


@pytest.mark.parametrize("rts", ["crs", "vrs"])
@pytest.mark.parametrize("seed", SEEDS)
def test_super_sbm_lp_gives_one_on_inefficient_units(seed, rts):
    """Convention check: on an SBM-inefficient unit the super-SBM LP returns 1 (the
    observed point is dominated by P without o), which is why the engine keeps the
    ordinary score there; guards against reporting the super LP for every unit.
    This does not carry over to EBM (see ``test_ebm_non_oriented_conventions``).
    """
    frame, kw, values = _data(seed)
    dims = DIMS[seed]
    plain = sbm(frame, **kw, rts=rts).scores["score"].to_numpy()
    inefficient = np.flatnonzero(plain < 1 - 1e-4)
    assert inefficient.size
    for o in inefficient:
        score, status = super_sbm_no(values, o, dims, rts)
        assert status == 0
        assert score == pytest.approx(1.0, abs=TOL)


NDDF_CASES = [
    # (direction, weight rule, disposability)
    ("all", "random", "weak"),
    ("all", "random", "strong"),
    ("chung", "outputs only", "weak"),
    ("chung", "outputs only", "strong"),
    ("constant", "random", "weak"),
]


@pytest.mark.parametrize("rts", ["crs", "vrs"])
@pytest.mark.parametrize(("direction", "rule", "disposability"), NDDF_CASES)
@pytest.mark.parametrize("seed", SEEDS[:3])
def test_nddf_matches_linprog(seed, direction, rule, disposability, rts):
    frame, kw, values = _data(seed)
    dims = DIMS[seed]
    m, s, q = dims
    names = kw["inputs"] + kw["outputs"] + kw["bad_outputs"]
    rng = np.random.default_rng(200 + seed)
    w = rng.uniform(0.1, 2.0, m + s + q)
    if rule == "outputs only":
        w[:m] = 0.0
    mask = {
        "all": np.ones(m + s + q),
        "chung": np.r_[np.zeros(m), np.ones(s + q)],
    }
    if direction == "constant":
        # absolute magnitudes in data units: half the smallest value of each column
        const = 0.5 * values.min(axis=0)
        const[:m] = 0.0
        arg = dict(zip(names, const, strict=True))
        g_of = lambda o: const  # noqa: E731
    else:
        arg = direction
        g_of = lambda o: values[o] * mask[direction]  # noqa: E731
    res = ddf(
        frame,
        **kw,
        rts=rts,
        direction=arg,
        nonradial=True,
        weights=dict(zip(names, w, strict=True)),
        disposability=disposability,
    ).scores
    weak = disposability == "weak"
    expected = [nddf(values, o, dims, rts, g_of(o), w, weak) for o in range(len(frame))]
    assert (res["status"] == "optimal").all()
    # beta is the inefficiency (the LP value); score the efficiency 1/(1 + beta)
    np.testing.assert_allclose(res["beta"], expected, atol=TOL, rtol=0)
    np.testing.assert_allclose(
        res["score"], 1.0 / (1.0 + np.array(expected)), atol=TOL, rtol=0
    )
    assert (res["beta"] >= -1e-9).all()
    assert (res["score"] <= 1 + 1e-9).all()


def test_nddf_default_weights_are_zhou_equal_split():
    """Without weights: 1/3 per active group (inputs, goods, bads), equal within."""
    frame, kw, values = _data(4)
    dims = DIMS[4]
    m, s, q = dims
    w = np.r_[np.full(m, 1 / (3 * m)), np.full(s, 1 / (3 * s)), np.full(q, 1 / (3 * q))]
    res = ddf(frame, **kw, direction="all", nonradial=True).scores
    expected = [
        nddf(values, o, dims, "crs", values[o], w, True) for o in range(len(frame))
    ]
    np.testing.assert_allclose(res["beta"], expected, atol=TOL, rtol=0)
    np.testing.assert_allclose(res["score"], 1 / (1 + np.array(expected)), atol=TOL)


def test_nddf_super_efficiency_is_sign_restricted_and_two_pass():
    """Super-efficiency NDDF: frontier units may only worsen each variable (β_v ≤ 0),
    inefficient units keep their ordinary score. Values derived by hand: with
    direction "all", CRS and weakly disposable bads, b needs β = (0, −1/3, 0) with
    λ = (2/3 a, 1/3 c), c needs β = (0, −1/4, 0) with λ = b."""
    df = pd.DataFrame(
        {"unit": list("abc"), "x": [1.0, 2, 4], "y": [1.0, 3, 4], "b": [1.0, 1, 1]}
    )
    res = ddf(
        df,
        inputs="x",
        outputs="y",
        bad_outputs="b",
        direction="all",
        nonradial=True,
        super_efficiency=True,
    ).scores
    np.testing.assert_allclose(res["beta"], [1 / 3, -1 / 9, -1 / 12], atol=1e-9)
    # efficiency 1/(1 + beta): 3/4 inside, 9/8 and 12/11 super-efficient
    np.testing.assert_allclose(res["score"], [3 / 4, 9 / 8, 12 / 11], atol=1e-9)
    assert res["super"].tolist() == [False, True, True]
    plain = ddf(
        df, inputs="x", outputs="y", bad_outputs="b", direction="all", nonradial=True
    ).scores
    np.testing.assert_allclose(plain["beta"], [1 / 3, 0, 0], atol=1e-9)
    np.testing.assert_allclose(plain["score"], [3 / 4, 1, 1], atol=1e-9)


def test_ddf_score_is_the_efficiency_of_every_other_model():
    """score = 1/(1 + beta) (1 = frontier, like SBM/EBM/DEA); beta = the LP value.
    Hand values: C = (x 1, y 3, b 2) reaches A = (1, 7, 2) scaled by 0.6 with
    beta = 0.4 along g = (0, y, b)."""
    df = pd.DataFrame(
        {"unit": list("ABC"), "x": [1.0, 1, 1], "y": [7.0, 5, 3], "b": [2.0, 5, 2]}
    )
    res = ddf(df, inputs="x", outputs="y", bad_outputs="b")
    np.testing.assert_allclose(res.scores["beta"], [0, 0, 0.4], atol=1e-9)
    np.testing.assert_allclose(res.scores["score"], [1, 1, 1 / 1.4], atol=1e-9)
    assert "efficiency" in res.meta["score"]
    # read like SBM's score: 1 for A, below 1 for the dominated C
    slack = sbm(df, inputs="x", outputs="y", bad_outputs="b").scores["score"]
    assert slack[0] == pytest.approx(1) and slack[2] < 1 and res.scores["score"][2] < 1


def test_ddf_beta_at_or_below_minus_one_is_undefined_with_a_warning():
    """VRS, direction (x, y, b), strong disposability, super-efficiency: A's only
    reference B has three times its input, so beta = -2 (x target 1·3 = 3) and
    the good-output target y(1 + beta) = -1 has no ratio form."""
    df = pd.DataFrame({"unit": ["A", "B"], "x": [1.0, 3], "y": [1.0, 1], "b": [1.0, 1]})
    kw = {"inputs": "x", "outputs": "y", "bad_outputs": "b", "rts": "vrs"}
    with pytest.warns(UserWarning, match="beta <= -1 for A"):
        res = ddf(
            df, **kw, direction="all", disposability="strong", super_efficiency=True
        )
    row = res.scores.set_index("unit").loc["A"]
    assert row["beta"] == pytest.approx(-2.0)
    assert np.isnan(row["score"]) and row["status"] == "undefined"
    assert res.infeasible["unit"].tolist() == ["A"]


# --- EBM parameters under ties: the lexicographic additive projection ------------


def _lexicographic_additive_projection(values: np.ndarray, o: int) -> np.ndarray:
    """VRS additive projection of unit ``o`` (x1, x2, y, b): max Σ s/v, then, over
    those optima, the largest s/v of x1, of x2, of y, of b in turn (a linprog each)."""
    n, d = values.shape
    sign = np.array([1.0, 1.0, -1.0, 1.0])  # Xλ + s⁻ = x, Yλ - s⁺ = y, Bλ + sᵇ = b
    a_eq = np.zeros((d + 1, n + d))
    a_eq[:d, :n] = values.T
    a_eq[:d, n:] = np.diag(sign)
    a_eq[d, :n] = 1.0
    b_eq = np.r_[values[o], 1.0]
    ratio = np.r_[np.zeros(n), 1.0 / values[o]]  # s_i / v_i on the slack columns
    res = linprog(-ratio, A_eq=a_eq, b_eq=b_eq, method="highs")
    assert res.status == 0, res.message
    a_ub, b_ub = [-ratio], [res.fun + 1e-12]  # Σ s/v >= optimum
    for j in range(d):
        c = np.zeros(n + d)
        c[n + j] = -1.0 / values[o, j]
        res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, method="highs")
        assert res.status == 0, res.message
        row = np.zeros(n + d)
        row[n + j] = -1.0 / values[o, j]
        a_ub, b_ub = [*a_ub, row], [*b_ub, res.fun + 1e-12]  # keep s_j/v_j at max
    return values[o] - sign * res.x[n:]


@pytest.mark.parametrize("reduce", [True, False])
def test_ebm_parameters_break_additive_ties_lexicographically(reduce):
    frame = pd.DataFrame(EBM_TIED, columns=["x1", "x2", "y", "b"])
    frame.insert(0, "unit", [f"u{i}" for i in range(len(frame))])
    projected = np.array(
        [_lexicographic_additive_projection(EBM_TIED, o) for o in range(len(EBM_TIED))]
    )
    # the ties go to x2 (the first variable with room): unit 0 -> unit 5, not unit 1
    np.testing.assert_allclose(projected[0], [45, 7, 45, 45], atol=1e-9)
    eps_x, w_x = epsilon_weights(affinity_matrix(projected[:, :2]))
    eps_y, w_y = epsilon_weights(affinity_matrix(projected[:, 2:]))
    kw = {"inputs": ["x1", "x2"], "outputs": "y", "bad_outputs": "b"}
    res = ebm(frame, **kw, super_efficiency=True, reduce=reduce)
    assert res.meta["epsilon_x"] == pytest.approx(eps_x, abs=1e-9)
    assert res.meta["epsilon_y"] == pytest.approx(eps_y, abs=1e-9)
    np.testing.assert_allclose(
        list(res.meta["weights"].values()), np.r_[w_x, w_y], atol=1e-9
    )
    assert ebm_parameters(frame, **kw)["epsilon_x"] == pytest.approx(eps_x, abs=1e-9)
