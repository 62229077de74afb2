"""Start-up cost and the fast paths behind it (issue 19).

What a fresh process imports is checked in a subprocess through ``sys.modules``;
each shortcut taken for speed is checked against the library route it replaces
(libpysal's ``Graph.to_W``, geopandas' reading of the shipped polygons, the full
border-distance computation, numpy's ``RandomState.permutation`` of values).
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import shapely
from libpysal.graph import Graph

# libraries a bare `import spatialgreen` or the command-line parser must not load
HEAVY = (
    "scipy.stats",
    "statsmodels",
    "linearmodels",
    "matplotlib",
    "libpysal",
    "esda",
    "geopandas",
    "spreg",
    "folium",
    "spatialgreen.spatial",
    "spatialgreen.efficiency",
    "spatialgreen.econometrics",
)


def _loaded(code: str) -> dict:
    """Which of HEAVY (and which spatialgreen.cli command modules) ``code`` loads."""
    probe = (
        f"{code}\nimport json, sys\nprint(json.dumps({{"
        f"'heavy': [m for m in {HEAVY!r} if m in sys.modules], "
        "'commands': sorted(m for m in sys.modules if m.startswith("
        "'spatialgreen.cli.cmd_'))}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_import_spatialgreen_loads_no_heavy_library():
    found = _loaded("import spatialgreen as sg\nassert sg.__version__")
    assert found["heavy"] == []


def test_parser_loads_no_analysis_and_a_command_only_its_module():
    found = _loaded("from spatialgreen.cli import build_parser\nbuild_parser()")
    assert found["heavy"] == []
    assert len(found["commands"]) >= 10  # --help lists every command
    code = (
        "import contextlib, io\nfrom spatialgreen.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), "
        "contextlib.suppress(SystemExit):\n"
        "    main(['--debug', 'match-clusters', '--help'])"
    )
    found = _loaded(code)
    assert found["commands"] == ["spatialgreen.cli.cmd_match_clusters"]


def test_one_command_parser_parses_as_the_full_one():
    from spatialgreen.cli import build_parser

    argv = ["moran", "p.csv", "--column", "gdp", "--weights", "queen", "--lisa", "l"]
    full, alone = (
        build_parser().parse_args(argv),
        build_parser("moran").parse_args(argv),
    )
    assert vars(full).keys() == vars(alone).keys()
    assert {k: v for k, v in vars(full).items() if not callable(v)} == {
        k: v for k, v in vars(alone).items() if not callable(v)
    }


# ------------------------------------------------------------ fast = library


def _same_w(fast, slow) -> None:
    assert fast.id_order == slow.id_order
    assert list(fast.neighbors) == list(slow.neighbors)
    for key in slow.neighbors:  # values and their Python types, in order
        assert fast.neighbors[key] == slow.neighbors[key]
        assert fast.weights[key] == slow.weights[key]
        assert list(map(type, fast.neighbors[key])) == list(
            map(type, slow.neighbors[key])
        )
        assert list(map(type, fast.weights[key])) == list(map(type, slow.weights[key]))
    assert (fast.sparse != slow.sparse).nnz == 0
    np.testing.assert_array_equal(fast.sparse.indices, slow.sparse.indices)


@pytest.mark.parametrize(
    "graph",
    [
        Graph.from_arrays(
            ["a", "b", "b", "c", "d"], ["b", "a", "c", "b", "d"], [1.0, 1, 2, 2, 0]
        ),  # an isolate (d), string ids
        Graph.from_arrays([3, 1, 1, 2, 0], [1, 3, 2, 1, 0], [1.0, 1, 2, 2, 0]),
        Graph.from_arrays([5, 5, 2, 2, 9], [2, 9, 5, 9, 5], [0.5, 2, 1, 3, 1]),
    ],
)
def test_graph_to_w_shortcut_equals_libpysal(graph):
    from spatialgreen.geo.weights.align import _to_w

    _same_w(_to_w(graph), graph.to_W())
    _same_w(_to_w(graph.transform("R")), graph.transform("R").to_W())


def test_graph_to_w_shortcut_on_shipped_weights():
    from spatialgreen import spatial_weights
    from spatialgreen.geo.weights.align import _to_w

    for level in ("province", "city"):
        graph = spatial_weights(level, islands="keep")
        _same_w(_to_w(graph), graph.to_W())


@pytest.mark.parametrize("level", ["province", "city"])
def test_attribute_table_and_polygons_equal_the_boundary_frame(level):
    from spatialgreen.geo.boundaries import _polygons, load_boundaries, unit_table

    frame = load_boundaries(level)
    pd.testing.assert_frame_equal(
        unit_table(level), pd.DataFrame(frame.drop(columns="geometry"))
    )
    ids = frame["adcode"].tolist()[::-1]
    fast = _polygons(level, ids)
    slow = frame.set_index("adcode").loc[ids, "geometry"].to_numpy()
    for a, b in zip(fast, slow, strict=True):
        assert a.geom_type == b.geom_type
        np.testing.assert_array_equal(
            shapely.get_coordinates(a), shapely.get_coordinates(b)
        )


@pytest.mark.parametrize(("level", "step"), [("province", 1), ("city", 9)])
def test_nearest_borders_equal_all_distances(level, step):
    from pyproj import Transformer

    from spatialgreen.geo._build import ALBERS_CHINA
    from spatialgreen.geo.boundaries import load_boundaries
    from spatialgreen.geo.weights.build import _nearest_by_border

    ids = sorted(load_boundaries(level)["adcode"].tolist())
    shapes = load_boundaries(level).set_index("adcode").loc[ids, "geometry"]
    to_albers = Transformer.from_crs("EPSG:4326", ALBERS_CHINA, always_xy=True)
    projected = shapely.transform(
        shapes.to_numpy(),
        lambda c: np.column_stack(to_albers.transform(c[:, 0], c[:, 1])),
    )
    units = list(range(0, len(ids), step))
    for k in (1, 3):
        found = _nearest_by_border(level, ids, units, k)
        for i in units:
            gap = shapely.distance(projected[i], projected)
            gap[i] = np.inf
            assert found[i] == [int(j) for j in np.argsort(gap, kind="stable")][:k]


@pytest.mark.parametrize("n", [1, 2, 31, 500])
def test_global_draws_are_permutations_of_the_values(n):
    from spatialgreen.spatial._permutation import _global_draws

    values = np.random.default_rng(n).normal(size=n)
    rows = _global_draws(n, 25, 7)
    draws = np.random.RandomState(7)
    for row in rows:
        np.testing.assert_array_equal(values[row], draws.permutation(values))
    assert not rows.flags.writeable
