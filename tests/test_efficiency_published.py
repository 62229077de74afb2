"""Published DEA/SBM/EBM/DDF examples (sources: tests/reference/efficiency)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from spatialgreen.efficiency import (
    affinity_matrix,
    dea,
    ebm,
    ebm_parameters,
    epsilon_weights,
    productivity_index,
    sbm,
)

REF = Path(__file__).parent / "reference" / "efficiency"


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(REF / name)


TONE2001 = {"inputs": ["x1", "x2"], "outputs": ["y1", "y2"], "unit": "dmu"}
HOSPITAL = {
    "inputs": ["doctors", "nurses"],
    "outputs": ["outpatients", "inpatients"],
    "unit": "dmu",
}
PLANTS = {"inputs": ["x1", "x2", "x3", "x4"], "outputs": ["y1", "y2"], "unit": "dmu"}


# --- Tone (2001) SBM --------------------------------------------------------------


def test_tone2001_sbm_scores_and_slacks():
    data = _read("tone2001_sbm.csv")
    res = sbm(data, **TONE2001)
    np.testing.assert_allclose(res.scores["score"], data["sbm_crs"], atol=1e-6)
    slacks = res.slacks.set_index("dmu")
    np.testing.assert_allclose(
        slacks.loc["A", ["x1", "x2", "y1", "y2"]], [0, 0.357143, 0.714286, 0], atol=1e-6
    )
    np.testing.assert_allclose(
        slacks.loc["B", ["x2", "y1"]], [0.642857, 2.285714], atol=1e-6
    )
    np.testing.assert_allclose(
        slacks.loc["D", ["x1", "x2", "y1", "y2"]], [0, 0, 0, 1], atol=1e-9
    )
    vrs = sbm(data, rts="vrs", **TONE2001)
    np.testing.assert_allclose(vrs.scores["score"], data["sbm_vrs"], atol=1e-6)


def test_tone2001_radial_ignores_the_slack_sbm_counts():
    data = _read("tone2001_sbm.csv")
    res = dea(data, **TONE2001)
    np.testing.assert_allclose(res.scores["score"], data["ccr_input"], atol=1e-6)
    # D is CCR-efficient (θ = 1) but has an output slack of 1 on y2: SBM gives 2/3.
    assert res.slacks.set_index("dmu").loc["D", "y2"] == pytest.approx(1.0)
    # projections: target = θ x - s⁻ and y + s⁺, peers' combination reproduces them
    t = res.targets.set_index("dmu")
    assert t.loc["A", "x1"] == pytest.approx(0.9 * 4)


def test_sbm_targets_equal_the_peer_combination():
    data = _read("tone2001_sbm.csv")
    res = sbm(data, **TONE2001)
    lam = res.lambdas.merge(data.rename(columns={"dmu": "peer_unit"}), on="peer_unit")
    for col in ["x1", "x2", "y1", "y2"]:
        combo = (lam[col] * lam["lambda"]).groupby(lam["dmu"]).sum()
        np.testing.assert_allclose(
            combo.to_numpy(), res.targets[col].to_numpy(), atol=1e-6
        )


# --- 12 hospitals: CCR, BCC, SBM, EBM (Tone & Tsutsui 2010) -------------------------


def test_hospital_ccr_bcc_sbm():
    data = _read("hospital12.csv")
    np.testing.assert_allclose(
        dea(data, **HOSPITAL).scores["score"], data["ccr_input"], atol=5e-5
    )
    np.testing.assert_allclose(
        dea(data, rts="vrs", **HOSPITAL).scores["score"], data["bcc_input"], atol=5e-5
    )
    np.testing.assert_allclose(
        sbm(data, **HOSPITAL).scores["score"], data["sbm_crs"], atol=5e-5
    )
    np.testing.assert_allclose(
        sbm(data, orientation="input", **HOSPITAL).scores["score"],
        data["sbm_input_crs"],
        atol=5e-5,
    )
    np.testing.assert_allclose(
        sbm(data, rts="vrs", **HOSPITAL).scores["score"], data["sbm_vrs"], atol=5e-5
    )


def test_hospital_ebm_parameters_from_affinity():
    data = _read("hospital12.csv")
    params = ebm_parameters(data, **HOSPITAL)
    # eq.-19 VRS additive projections give ε_x = 0.529420 (Table 10 print: 0.529398)
    assert params["epsilon_x"] == pytest.approx(0.529420, abs=2e-6)
    assert params["weights"]["doctors"] == pytest.approx(0.5)
    eps, w = epsilon_weights([[1.0, 0.470602], [0.470602, 1.0]])
    assert eps == pytest.approx(0.529398, abs=1e-9)
    np.testing.assert_allclose(w, [0.5, 0.5])


def test_hospital_ebm_input_crs_table13():
    data = _read("hospital12.csv")
    res = ebm(data, orientation="input", **HOSPITAL)
    np.testing.assert_allclose(
        res.scores["score"], data["ebm_input_crs_published"], atol=6e-4
    )
    np.testing.assert_allclose(res.scores["theta"], data["theta_published"], atol=6e-4)
    np.testing.assert_allclose(
        res.slacks["doctors"], data["slack_doctors_published"], atol=1e-3
    )
    np.testing.assert_allclose(
        res.slacks["nurses"], data["slack_nurses_published"], atol=1e-3
    )
    # With the printed Table 10 affinity the scores are the same to 3 dp.
    printed = ebm(
        data,
        orientation="input",
        epsilon=0.529398,
        weights={"doctors": 1, "nurses": 1, "outpatients": 1, "inpatients": 1},
        **HOSPITAL,
    )
    np.testing.assert_allclose(
        printed.scores["score"].round(3), data["ebm_input_crs_published"], atol=1e-9
    )


def test_ebm_epsilon_zero_is_radial():
    data = _read("hospital12.csv")
    radial = dea(data, **HOSPITAL).scores["score"]
    for orientation in ("input", "non"):
        res = ebm(data, orientation=orientation, epsilon=0.0, **HOSPITAL)
        np.testing.assert_allclose(res.scores["score"], radial, atol=1e-7)
    out = ebm(data, orientation="output", epsilon=0.0, **HOSPITAL)
    np.testing.assert_allclose(out.scores["score"], radial, atol=1e-7)  # CRS: θ = 1/η


def test_affinity_tie_rule_gives_equal_weights():
    # Perfectly diverse inputs (S = I): all eigenvalues tie; the rule: equal weights.
    eps, w = epsilon_weights(np.eye(3))
    assert eps == pytest.approx(1.0)
    np.testing.assert_allclose(w, [1 / 3] * 3)
    # Affinity of proportional items is 1; of log-symmetric items less than 1.
    s = affinity_matrix([[1.0, 2.0, 4.0], [2.0, 4.0, 1.0], [3.0, 6.0, 2.0]])
    assert s[0, 1] == pytest.approx(1.0)
    assert 0.0 <= s[0, 2] < 1.0


# --- Tone (2002) super-SBM: infeasible oriented VRS cases ---------------------------


def test_tone2002_super_sbm():
    data = _read("tone2002_power_plants.csv")
    cases = {
        ("input", "crs"): "super_sbm_input_crs",
        ("non", "crs"): "super_sbm_crs",
        ("non", "vrs"): "super_sbm_vrs",
        ("input", "vrs"): "super_sbm_input_vrs",
    }
    for (orientation, rts), column in cases.items():
        res = sbm(
            data, orientation=orientation, rts=rts, super_efficiency=True, **PLANTS
        )
        np.testing.assert_allclose(
            res.scores["score"], data[column], atol=6e-5, err_msg=column
        )
        assert res.scores["super"].all()
    res = sbm(data, orientation="input", rts="vrs", super_efficiency=True, **PLANTS)
    assert res.infeasible["dmu"].tolist() == ["D4", "D6"]
    assert (
        res.scores.set_index("dmu").loc[["D4", "D6"], "status"].eq("infeasible").all()
    )
    assert res.meta["n_infeasible"] == 2


def test_tone2002_andersen_petersen():
    data = _read("tone2002_power_plants.csv")
    res = dea(data, super_efficiency=True, **PLANTS)
    np.testing.assert_allclose(
        res.scores["score"], data["ap_super_ccr_input"], atol=6e-5
    )


def test_pydea_super_efficiency():
    data = _read("pydea_example2.csv")
    res = dea(
        data,
        inputs=["I1", "I2", "I3"],
        outputs=["O1", "O2"],
        unit="dmu",
        super_efficiency=True,
    )
    np.testing.assert_allclose(
        res.scores["score"], data["ap_super_ccr_input"], atol=1e-7
    )


# --- Tone (2003) undesirable SBM ----------------------------------------------------


def test_tone2003_undesirable_sbm():
    data = _read("tone2003_undesirable_sbm.csv")
    kw = {"inputs": "x", "outputs": "y", "bad_outputs": "b", "unit": "dmu"}
    vrs = sbm(data, rts="vrs", **kw)
    np.testing.assert_allclose(vrs.scores["score"], data["usbm_vrs"], atol=6e-5)
    targets = vrs.targets[["x", "y", "b"]].to_numpy()
    np.testing.assert_allclose(
        targets,
        data[["target_x_vrs", "target_y_vrs", "target_b_vrs"]].to_numpy(),
        atol=1e-6,
    )
    # hand check of G: s⁺ = 2, sᵇ = 1 → 1/(1 + ½(2/4 + 1/3))
    assert vrs.scores.loc[6, "score"] == pytest.approx(1 / (1 + 0.5 * (2 / 4 + 1 / 3)))
    crs = sbm(data, **kw)
    np.testing.assert_allclose(crs.scores["score"], data["usbm_crs"], atol=6e-5)


def test_bads_are_not_inputs():
    # Treating b as an input changes the answer (Tone 2004 averages bads with outputs).
    data = _read("tone2003_undesirable_sbm.csv")
    as_bad = sbm(data, inputs="x", outputs="y", bad_outputs="b", unit="dmu", rts="vrs")
    as_input = sbm(data, inputs=["x", "b"], outputs="y", unit="dmu", rts="vrs")
    assert not np.allclose(as_bad.scores["score"], as_input.scores["score"])


# --- Aparicio, Pastor & Zofío (2013): infeasible mixed-period ML -------------------


def test_apz2013_ml_infeasibility_reported_and_one_base():
    data = _read("apz2013_ml.csv")
    kw = {
        "model": "ddf",
        "index": "ml",
        "inputs": "x",
        "outputs": "y",
        "bad_outputs": "b",
        "unit": "dmu",
        "time": "period",
    }
    res = productivity_index(data, **kw)
    d = res.distances.set_index(["dmu", "period", "reference"])["score"]
    # D^t(B_{t+1}) = 5/21 → E = 1/(1 + 5/21) = 21/26
    assert d.loc[("B", 1, "previous")] == pytest.approx(21 / 26)
    assert d.loc[("B", 0, "own")] == pytest.approx(1.0)
    assert res.infeasible[["dmu", "period", "reference"]].values.tolist() == [
        ["B", 0, "next"]
    ]
    assert res.meta["n_infeasible"] == 1
    b = res.index.set_index("dmu").loc["B"]
    assert np.isnan(b["index"]) and b["status"] == "infeasible"
    one = productivity_index(data, on_infeasible="one_base", **kw)
    b = one.index.set_index("dmu").loc["B"]
    assert b["index"] == pytest.approx(21 / 26) and b["status"] == "one_base"
    assert b["ec"] == pytest.approx(1.0)


# --- synthetic global Malmquist (efficiency_examples.md R9) -------------------------


def test_global_malmquist_synthetic():
    data = pd.DataFrame(
        {
            "unit": ["A", "B"] * 3,
            "year": [0, 0, 1, 1, 2, 2],
            "x": [2, 1, 1, 1, 1, 1.0],
            "y": [1, 1, 1, 2, 3, 4.0],
        }
    )
    res = productivity_index(
        data, model="dea", index="gml", inputs="x", outputs="y", orientation="output"
    )
    d = res.distances.pivot_table(
        index=["unit", "year"], columns="reference", values="score"
    )
    np.testing.assert_allclose(d["own"], [0.5, 0.5, 0.75, 1, 1, 1])
    np.testing.assert_allclose(d["global"], [0.125, 0.25, 0.75, 0.25, 0.5, 1])
    idx = res.index.set_index(["unit", "year"])
    np.testing.assert_allclose(idx["index"], [2, 3, 2, 2])
    np.testing.assert_allclose(idx["ec"], [1, 1.5, 1, 1])
    np.testing.assert_allclose(idx["bpc"], [2, 2, 2, 2])
    np.testing.assert_allclose(idx["cumulative"], [2, 6, 2, 4])


def test_apz2013_strongly_disposable_bads_restore_consistency():
    # APZ's corrected technology lets bads be disposed of upwards (bounded by the
    # largest observed bad, which does not bind on these data): D^t(B_t) = 2/5,
    # D^t(B_{t+1}) = 3/11, D^{t+1}(B_t) = 3/5, D^{t+1}(B_{t+1}) = 5/11, and
    # ML = 11/10 = EC 77/80 × TC 8/7.
    data = _read("apz2013_ml.csv")
    res = productivity_index(
        data,
        model="ddf",
        index="ml",
        inputs="x",
        outputs="y",
        bad_outputs="b",
        unit="dmu",
        time="period",
        disposability="strong",
    )
    d = res.distances.set_index(["dmu", "period", "reference"])["score"]
    for key, beta in {
        ("B", 0, "own"): 2 / 5,
        ("B", 1, "previous"): 3 / 11,
        ("B", 0, "next"): 3 / 5,
        ("B", 1, "own"): 5 / 11,
    }.items():
        assert d.loc[key] == pytest.approx(1 / (1 + beta))
    b = res.index.set_index("dmu").loc["B"]
    assert b["index"] == pytest.approx(11 / 10)
    assert b["ec"] == pytest.approx(77 / 80)
    assert b["tc"] == pytest.approx(8 / 7)
