"""``spatialgreen moran`` and ``spatialgreen spatial-model`` end to end on files."""

from __future__ import annotations

import libpysal
import numpy as np
import pandas as pd
import pytest
from libpysal.graph import Graph
from libpysal.weights import lat2W

import spatialgreen
from spatialgreen.cli import main
from spatialgreen.spatial import moran_by_year, spatial_panel


@pytest.fixture()
def panel_files(tmp_path):
    rng = np.random.default_rng(0)
    w = lat2W(4, 4)
    wd = w.full()[0] / w.full()[0].sum(axis=1, keepdims=True)
    rows = []
    for year in range(2015, 2021):
        x = rng.normal(size=16)
        y = np.linalg.solve(np.eye(16) - 0.4 * wd, 1.5 * x + rng.normal(size=16))
        rows += [
            {"city": f"c{i}", "year": year, "x": x[i], "y": y[i]} for i in range(16)
        ]
    data = pd.DataFrame(rows)
    csv = tmp_path / "panel.csv"
    data.to_csv(csv, index=False)
    named = libpysal.weights.W(
        {f"c{i}": [f"c{j}" for j in w.neighbors[i]] for i in range(16)}
    )
    gal = tmp_path / "grid.gal"
    out = libpysal.io.open(str(gal), "w")
    out.write(named)
    out.close()
    return data, csv, gal, named


def test_moran_command_writes_table_and_lisa(panel_files, tmp_path, capsys):
    data, csv, gal, w = panel_files
    out, local = tmp_path / "moran.csv", tmp_path / "lisa.xlsx"
    code = main(
        [
            "moran",
            str(csv),
            "--column",
            "y",
            "--unit",
            "city",
            "--time",
            "year",
            "--weights-file",
            str(gal),
            "-o",
            str(out),
            "--lisa",
            str(local),
            "--permutations",
            "99",
            "--seed",
            "3",
        ]
    )
    assert code == 0
    table = pd.read_csv(out, encoding="utf-8-sig")
    expected = moran_by_year(
        data, "y", w=w, unit="city", time="year", permutations=99, seed=3
    )
    np.testing.assert_allclose(table["I"], expected["I"], rtol=1e-10)
    np.testing.assert_allclose(table["p_sim"], expected["p_sim"])
    assert (table["I"] > 0).all()
    lisa = pd.read_excel(local)
    assert len(lisa) == 96 and set(lisa["cluster"]) <= {"HH", "LL", "HL", "LH", "ns"}
    assert "wrote" in capsys.readouterr().out


def test_spatial_model_panel_and_cross_section(panel_files, tmp_path):
    data, csv, gal, w = panel_files
    book = tmp_path / "sdm.xlsx"
    assert (
        main(
            [
                "spatial-model",
                str(csv),
                "--y",
                "y",
                "--x",
                "x",
                "--unit",
                "city",
                "--time",
                "year",
                "--model",
                "sar",
                "--weights-file",
                str(gal),
                "-o",
                str(book),
                "--draws",
                "50",
            ]
        )
        == 0
    )
    sheets = pd.read_excel(book, sheet_name=None)
    assert {"coefficients", "impacts", "metadata"} <= set(sheets)
    ref = spatial_panel(data, y="y", x=["x"], w=w, unit="city", time="year", draws=0)
    coef = sheets["coefficients"].set_index("parameter")["estimate"]
    np.testing.assert_allclose(coef.to_numpy(), ref.params.to_numpy(), rtol=1e-10)
    folder = tmp_path / "cs"
    assert (
        main(
            [
                "spatial-model",
                str(csv),
                "--y",
                "y",
                "--x",
                "x",
                "--unit",
                "city",
                "--time",
                "year",
                "--year",
                "2020",
                "--model",
                "ols",
                "--weights-file",
                str(gal),
                "-o",
                str(folder),
            ]
        )
        == 0
    )
    assert (folder / "ols_diagnostics.csv").exists()


def test_cli_errors_are_one_line(panel_files, capsys):
    _, csv, gal, _ = panel_files
    code = main(
        [
            "spatial-model",
            str(csv),
            "--y",
            "y",
            "--x",
            "x,nope",
            "--unit",
            "city",
            "--time",
            "year",
            "--weights-file",
            str(gal),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "'nope' not found" in err
    code = main(
        [
            "moran",
            str(csv),
            "--column",
            "y",
            "--unit",
            "city",
            "--time",
            "year",
            "--weights-file",
            str(csv),
        ]
    )
    assert code == 2 and ".gal or .gwt" in capsys.readouterr().err


def test_moran_with_built_weights_relabels_adcodes_to_names(
    panel_files, tmp_path, monkeypatch
):
    data, csv, _, w = panel_files
    codes = {f"c{i}": 110000 + 10000 * i for i in range(16)}
    by_code = Graph.from_W(w).adjacency.reset_index()
    graph = Graph.from_arrays(
        by_code.iloc[:, 0].map(codes).to_numpy(),
        by_code.iloc[:, 1].map(codes).to_numpy(),
        by_code.iloc[:, 2].to_numpy(),
    )
    calls = {}

    def fake_spatial_weights(level, **options):
        calls.update(level=level, **options)
        return graph  # keyed by adcode, in its own order

    # the CLI builds shipped weights through spatialgreen.geo.weights_for_units
    from spatialgreen.geo.weights import build

    monkeypatch.setattr(build, "spatial_weights", fake_spatial_weights)
    monkeypatch.setattr(
        build, "match_units", lambda names, level: [codes[n] for n in names]
    )
    out = tmp_path / "m.csv"
    assert (
        main(
            [
                "moran",
                str(csv),
                "--column",
                "y",
                "--unit",
                "city",
                "--time",
                "year",
                "--weights",
                "rook",
                "--level",
                "city",
                "--islands",
                "nearest",
                "-o",
                str(out),
                "--permutations",
                "0",
            ]
        )
        == 0
    )
    assert calls["level"] == "city" and calls["kind"] == "rook"
    assert calls["islands"] == "nearest"
    assert calls["ids"] == [f"c{i}" for i in range(16)]
    table = pd.read_csv(out, encoding="utf-8-sig")
    expected = moran_by_year(data, "y", w=w, unit="city", time="year", permutations=0)
    np.testing.assert_allclose(table["I"], expected["I"], rtol=1e-10)


def test_spatial_model_with_shipped_province_weights(tmp_path):
    """Integration with spatialgreen.geo: 30 provinces, Hainan linked to Guangdong."""
    graph = spatialgreen.spatial_weights(
        "province", kind="queen", study="gtfp30", islands="nearest"
    )
    codes = list(graph.unique_ids)
    rng = np.random.default_rng(2)
    rows = []
    for year in range(2011, 2016):
        x = rng.normal(size=30)
        rows += [
            {"adcode": c, "year": year, "x": x[i], "y": 2 * x[i] + rng.normal()}
            for i, c in enumerate(codes)
        ]
    csv = tmp_path / "prov.csv"
    pd.DataFrame(rows).to_csv(csv, index=False)
    folder = tmp_path / "out"
    assert (
        main(
            [
                "spatial-model",
                str(csv),
                "--y",
                "y",
                "--x",
                "x",
                "--unit",
                "adcode",
                "--time",
                "year",
                "--model",
                "sdm",
                "--effects",
                "twoway",
                "--weights",
                "queen",
                "--islands",
                "nearest",
                "-o",
                str(folder),
                "--draws",
                "50",
            ]
        )
        == 0
    )
    coef = pd.read_csv(folder / "sdm_coefficients.csv", encoding="utf-8-sig")
    assert coef["parameter"].tolist() == ["x", "W_x", "rho"]
    assert abs(coef.loc[0, "estimate"] - 2) < 0.3


def test_moran_reads_a_csv_edge_list(panel_files, tmp_path):
    data, csv, _, w = panel_files
    edges = Graph.from_W(w).adjacency.reset_index()
    edges.columns = ["focal", "neighbor", "weight"]
    path = tmp_path / "edges.csv"
    edges.to_csv(path, index=False)
    out = tmp_path / "m.csv"
    argv = ["moran", str(csv), "--column", "y", "--unit", "city", "--time", "year"]
    argv += ["--weights-file", str(path), "-o", str(out), "--permutations", "0"]
    assert main(argv) == 0
    table = pd.read_csv(out, encoding="utf-8-sig")
    expected = moran_by_year(data, "y", w=w, unit="city", time="year", permutations=0)
    np.testing.assert_allclose(table["I"], expected["I"], rtol=1e-10)


def test_weights_commands_share_cli_common_and_import_no_command():
    import ast
    import inspect

    from spatialgreen.cli import _common, cmd_converge, cmd_moran, cmd_spatial_model

    for module in (cmd_moran, cmd_spatial_model, cmd_converge):
        tree = ast.parse(inspect.getsource(module))
        imported = {
            f"{node.module}" + "".join(f".{a.name}" for a in node.names)
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
        }
        assert not [m for m in imported if "cmd_" in m], module.__name__
        assert "libpysal" not in inspect.getsource(module)
    assert callable(_common.add_weights_args) and callable(_common.weights_from_args)
