"""Engine, technologies, data checks, parallel backends and result tables."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
from _helpers import EFFICIENCY_KW, GTFP_PANEL_CSV, efficiency_panel, gtfp_argv
from scipy.optimize import linprog

from spatialgreen._parallel import parallel_map
from spatialgreen.efficiency import (
    EfficiencyResults,
    bootstrap_dea,
    ddf,
    dea,
    ebm,
    productivity_index,
    reference_periods,
    sbm,
    sw_truncated_regression,
    three_stage,
)
from spatialgreen.efficiency import _core as core
from spatialgreen.errors import DataError, ModelError, OptionError

KW = EFFICIENCY_KW


@pytest.fixture(params=[False, True], ids=["small-set-path", "large-set-path"])
def large_set_path(request, monkeypatch):
    """Run a test as is and with the large-set path (dominance-cover pricing and
    locality order, see efficiency/_cover.py) forced onto its small data."""
    if request.param:
        monkeypatch.setattr(core, "COVER_MIN", 1)
        monkeypatch.setattr(core, "ORDER_MIN", 1)
    return request.param


def _panel(n_units: int = 30, n_years: int = 4, seed: int = 0) -> pd.DataFrame:
    return efficiency_panel(n_units, n_years, seed, first_year=2010, growth=0.05)


def _linprog_sbm(v: np.ndarray, ref: np.ndarray) -> float:
    """Undesirable SBM (CRS) of one unit by scipy's linprog, written independently."""
    m, s, q = 2, 1, 1
    n = ref.shape[0]
    # variables λ (n), s⁻ (m), s⁺ (s), sᵇ (q), t
    a_eq = np.zeros((m + s + q + 1, n + m + s + q + 1))
    a_eq[: m + s + q, :n] = ref.T
    a_eq[: m + s + q, n : n + m + s + q] = np.diag([1.0, 1.0, -1.0, 1.0])
    a_eq[: m + s + q, -1] = -v
    a_eq[-1, n + m : n + m + s + q] = 1.0 / ((s + q) * v[m:])
    a_eq[-1, -1] = 1.0
    c = np.zeros(a_eq.shape[1])
    c[-1] = 1.0
    c[n : n + m] = -1.0 / (m * v[:m])
    res = linprog(c, A_eq=a_eq, b_eq=np.r_[np.zeros(m + s + q), 1.0], method="highs")
    return res.fun


def test_sbm_matches_an_independent_linprog_per_technology():
    data = _panel(12, 3)
    cols = ["x1", "x2", "y", "b"]
    values = data[cols].to_numpy()
    years = data["year"].to_numpy()
    for technology in ("contemporaneous", "sequential", "global"):
        res = sbm(data, **KW, technology=technology)
        expected = []
        for i, year in enumerate(years):
            ref_rows = {
                "contemporaneous": years == year,
                "sequential": years <= year,
                "global": np.ones_like(years, dtype=bool),
            }[technology]
            expected.append(_linprog_sbm(values[i], values[ref_rows]))
        np.testing.assert_allclose(res.scores["score"], expected, atol=1e-7)
    seq = sbm(data, **KW, technology="sequential").scores["score"]
    con = sbm(data, **KW).scores["score"]
    assert (seq <= con + 1e-9).all()  # a larger reference set never raises a score


def test_window_technology_limits():
    data = _panel(10, 4)
    con = sbm(data, **KW).scores["score"]
    seq = sbm(data, **KW, technology="sequential").scores["score"]
    np.testing.assert_allclose(
        sbm(data, **KW, technology="window", window=1).scores["score"], con
    )
    np.testing.assert_allclose(
        sbm(data, **KW, technology="window", window=9).scores["score"], seq
    )
    assert [p.tolist() for p in reference_periods(3, "global")] == [[0, 1, 2]] * 3
    with pytest.raises(ModelError, match="window"):
        sbm(data, **KW, technology="window")
    with pytest.raises(ModelError, match="technology"):
        sbm(data, **KW, technology="bogus")


def test_lambdas_peers_and_targets_are_consistent(large_set_path):
    data = _panel(15, 2)
    res = sbm(data, **KW)
    assert isinstance(res, EfficiencyResults)
    assert list(res.lambdas.columns) == [
        "city",
        "year",
        "peer_unit",
        "peer_time",
        "lambda",
    ]
    assert (res.lambdas["year"] == res.lambdas["peer_time"]).all()  # contemporaneous
    peers = data.rename(columns={"city": "peer_unit", "year": "peer_time"})
    lam = res.lambdas.merge(peers, on=["peer_unit", "peer_time"])
    combo = lam[["x1", "x2", "y", "b"]].mul(lam["lambda"], axis=0)
    combo[["city", "year"]] = lam[["city", "year"]]
    combo = (
        combo.groupby(["city", "year"])
        .sum()
        .reindex(pd.MultiIndex.from_frame(res.targets[["city", "year"]]))
    )
    np.testing.assert_allclose(
        combo.to_numpy(),
        res.targets[["x1", "x2", "y", "b"]].to_numpy(),
        rtol=1e-6,
        atol=1e-9,
    )
    efficient = res.scores["score"] >= 1 - 1e-6
    assert (res.peers.loc[efficient, "n_peers"] >= 1).all()
    assert (res.decomposition.loc[efficient, "total"] < 1e-6).all()
    shares = res.decomposition.loc[~efficient, ["x1", "x2", "y", "b"]].sum(axis=1)
    np.testing.assert_allclose(shares, 1.0)
    # three-stage contract: input-oriented BCC, x - targets[x] is the total input saving
    bcc = dea(data, **KW, rts="vrs")
    saving = data["x1"] - bcc.targets["x1"]
    assert (saving >= -1e-9).all()
    np.testing.assert_allclose(
        bcc.targets["x1"],
        bcc.scores["theta"] * data["x1"] - bcc.slacks["x1"],
        atol=1e-9,
    )


def test_inputs_are_not_mutated_and_order_is_kept(large_set_path):
    data = _panel(8, 2).sample(frac=1.0, random_state=1).reset_index(drop=True)
    before = data.copy()
    res = ebm(data, **KW, super_efficiency=True)
    pd.testing.assert_frame_equal(data, before)
    pd.testing.assert_frame_equal(res.scores[["city", "year"]], data[["city", "year"]])


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [("x1", 0.0, "x1"), ("y", -1.0, "y"), ("b", np.nan, "b"), ("b", 0.0, "b")],
)
def test_bad_data_names_unit_and_year(column, value, message):
    data = _panel(5, 2)
    data.loc[3, column] = value
    with pytest.raises(DataError, match=message) as err:
        sbm(data, **KW)
    assert "city=c01" in str(err.value) and "year=2011" in str(err.value)


def test_zero_bad_outputs_option():
    data = _panel(10, 1)
    data.loc[2, "b"] = 0.0
    res = sbm(data, **KW, zero_bads="ignore")
    assert res.scores.loc[2, "score"] == pytest.approx(
        1.0
    )  # nothing beats zero pollution
    assert (res.scores["status"] == "optimal").all()
    # the DDF accepts zeros: no contraction is credited for a zero bad output
    assert ddf(data, **KW).scores["status"].eq("optimal").all()
    with pytest.raises(ModelError, match="zero_bads"):
        sbm(data, **KW, zero_bads="drop")


def test_argument_errors():
    data = _panel(5, 1)
    with pytest.raises(ModelError, match="rts"):
        sbm(data, **KW, rts="xrs")
    with pytest.raises(ModelError, match="orientation"):
        dea(data, **KW, orientation="non")
    with pytest.raises(ModelError, match="listed as input and as output"):
        sbm(data, inputs=["x1", "y"], outputs="y", unit="city", time="year")
    with pytest.raises(DataError, match="not found"):
        sbm(data, inputs=["x1", "zz"], outputs="y", unit="city", time="year")


def test_parallel_and_serial_runs_are_identical(large_set_path):
    data = _panel(40, 3)
    serial = sbm(data, **KW, super_efficiency=True)
    parallel = sbm(data, **KW, super_efficiency=True, n_jobs=2)
    for name, table in serial.tables().items():
        pd.testing.assert_frame_equal(table, parallel.tables()[name], obj=name)


def test_dask_cluster_gives_the_same_scores(dask_client, large_set_path):
    data = _panel(30, 3)
    local = ebm(data, **KW, technology="global")
    remote = ebm(data, **KW, technology="global", client=dask_client)
    pd.testing.assert_frame_equal(local.scores, remote.scores)
    pd.testing.assert_frame_equal(local.lambdas, remote.lambdas)
    assert parallel_map(abs, [-1, -2, 3], client=dask_client, progress=False) == [
        1,
        2,
        3,
    ]


def test_results_export_and_summary(tmp_path):
    res = sbm(_panel(6, 2), **KW)
    text = res.summary()
    assert "[scores]" in text and "model: sbm" in text
    path = res.to_excel(tmp_path / "sbm.xlsx")
    sheets = pd.read_excel(path, sheet_name=None)
    assert {"scores", "slacks", "targets", "lambdas", "metadata"} <= set(sheets)
    np.testing.assert_allclose(sheets["scores"]["score"], res.scores["score"])
    assert res.score.index.names == ["city", "year"]


def test_cross_section_without_time():
    data = _panel(9, 1).drop(columns="year")
    res = dea(data, inputs=["x1", "x2"], outputs="y", unit="city")
    assert list(res.scores.columns[:2]) == ["city", "score"]
    assert "peer_time" not in res.lambdas.columns


_N_JOBS_CALLS = {
    "sbm": lambda d, n: sbm(d, **KW, n_jobs=n),
    "ebm": lambda d, n: ebm(d, **KW, n_jobs=n),
    "ddf": lambda d, n: ddf(d, **KW, n_jobs=n),
    "dea": lambda d, n: dea(d, **KW, n_jobs=n),
    "productivity_index": lambda d, n: productivity_index(
        d, model="sbm", index="gml", **KW, n_jobs=n
    ),
    "bootstrap_dea": lambda d, n: bootstrap_dea(
        d, inputs=["x1", "x2"], outputs="y", unit="city", time="year", n_jobs=n
    ),
    "sw_truncated_regression": lambda d, n: sw_truncated_regression(
        "y", d.assign(y=0.5), drivers="x1", unit="city", time="year", n_jobs=n
    ),
    "three_stage": lambda d, n: three_stage(
        d,
        inputs=["x1", "x2"],
        outputs=["y"],
        environment=["b"],
        unit="city",
        time="year",
        n_jobs=n,
    ),
}


@pytest.mark.parametrize("n_jobs", [0, -2, 1.5, True, "2"])
@pytest.mark.parametrize("name", list(_N_JOBS_CALLS))
def test_n_jobs_other_than_minus_one_or_positive_is_refused(name, n_jobs):
    data = _panel(8, 2)
    with pytest.raises(OptionError, match=r"^n_jobs="):
        _N_JOBS_CALLS[name](data, n_jobs)


def test_parallel_map_shares_data_once_and_keeps_order():
    chunks = list(range(-6, 0))
    expected = [pow(c, 2) for c in chunks]
    assert parallel_map(pow, chunks, shared=2, progress=False) == expected
    # a new pool size starts fresh workers: the caller solves chunks meanwhile
    for n_jobs in (3, 2, 2):
        got = parallel_map(pow, chunks, shared=2, n_jobs=n_jobs, progress=False)
        assert got == expected
    with pytest.raises(OptionError, match="n_jobs=0"):
        parallel_map(abs, chunks, n_jobs=0)


def test_parallel_map_keeps_chunk_order_with_joblib():
    chunks = list(range(-6, 0))
    assert parallel_map(abs, chunks, n_jobs=2, progress=False) == [6, 5, 4, 3, 2, 1]


_RUN_SBM = """
import numpy as np, pandas as pd
from spatialgreen.efficiency import productivity_index, sbm
rng = np.random.default_rng(0)
data = pd.DataFrame(rng.uniform(1, 9, (40, 4)), columns=["x1", "x2", "y", "b"])
data["city"], data["year"] = np.repeat(np.arange(20), 2), np.tile([2020, 2021], 20)
kw = dict(inputs=["x1", "x2"], outputs="y", bad_outputs="b", unit="city")
sbm(data, **kw, time="year", super_efficiency=True, progress=False)
productivity_index(data, model="sbm", index="gml", **kw, progress=False)
"""


def _fresh_process(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )


def test_no_solver_banner_in_a_fresh_process():
    # HiGHS prints its banner once per process, from C, on the first model that
    # logs; only a fresh process shows whether a run lets it through.
    control = _fresh_process("import highspy; highspy.Highs()")
    if "HiGHS" not in control.stdout:
        pytest.skip("this highspy prints no banner: nothing to silence")
    run = _fresh_process(_RUN_SBM)
    assert run.stdout == ""
    assert "HiGHS" not in run.stderr


def test_gtfp_command_prints_only_its_own_line(tmp_path):
    csv = tmp_path / "panel.csv"
    csv.write_text(GTFP_PANEL_CSV, encoding="utf-8")
    out = tmp_path / "scores.csv"
    argv = ", ".join(repr(a) for a in gtfp_argv(csv, out))
    run = _fresh_process(f"from spatialgreen.cli import main; main([{argv}])")
    # the command's own line only (``wrote <path>``, as every command says it)
    assert run.stdout.splitlines() == [f"wrote {out}"]
    assert "HiGHS" not in run.stderr


def test_an_efficiency_run_writes_nothing_to_stdout_or_stderr(capfd):
    data = _panel(10, 2)
    sbm(data, **KW, super_efficiency=True, progress=False)
    dea(data, **KW, technology="global", progress=False)
    out, err = capfd.readouterr()  # file-descriptor level: HiGHS writes from C
    assert out == "" and err == ""
