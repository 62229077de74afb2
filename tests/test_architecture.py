"""The house plan, enforced: one-way imports, no cycles, every public name one hop away.

``docs/architecture.md`` describes the rooms and the layers; these tests parse the
package's imports (every ``import`` statement, including those inside functions
and under ``TYPE_CHECKING``) and fail on a cycle or an import that points up the
layers: data ← analysis ← presentation ← faces.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import subprocess
import sys
import types
import warnings
from pathlib import Path

import pytest

import spatialgreen as sg

PACKAGE = Path(sg.__file__).resolve().parent
ROOT = PACKAGE.parent

#: layer of each room (top-level module or subpackage); higher may import lower
LAYERS: dict[str, int] = {
    # data layer
    "errors": 0,
    "_io": 0,
    "_parallel": 0,
    "results": 0,
    "estimates": 0,
    "panel": 0,
    "datasets": 0,
    "geo": 0,
    # analysis
    "prepare": 1,
    "composite": 1,
    "efficiency": 1,
    "decoupling": 1,
    "convergence": 1,
    "scenarios": 1,
    "spatial": 1,
    "econometrics": 1,
    "clusters": 1,
    "flows": 1,
    # presentation
    "maps": 2,
    "figures": 2,
    "report": 2,
    # faces
    "cli": 3,
    "accessor": 3,
    "__main__": 3,
}
LAYER_NAMES = ("data", "analysis", "presentation", "faces")

#: the only private modules allowed at the package root, and why
ROOT_HELPERS = {"_io", "_parallel"}

#: modules allowed over the size limit: one concept that cannot split
SIZE_LIMIT = 620
LONG_MODULES: dict[str, str] = {
    "spatialgreen": "the generated one-hop table and its TYPE_CHECKING mirror",
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Every spatialgreen module ``name`` imports (resolved to existing modules)."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("spatialgreen"):
                continue
            subs = [f"{target}.{alias.name}" for alias in node.names]
            hits = [s for s in subs if s in modules]
            # ``from pkg import submodule`` imports the submodule (and the package)
            found.update(hits)
            if target in modules and len(hits) < len(subs):
                found.add(target)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in modules:
                    found.add(alias.name)
    found.discard(name)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _room(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def test_every_room_has_a_layer():
    rooms = {_room(m) for m in _modules()} - {None}
    assert rooms <= set(LAYERS), f"rooms without a layer: {rooms - set(LAYERS)}"


def test_no_upward_import():
    upward = []
    for importer, targets in _graph().items():
        room = _room(importer)
        if room is None:  # the package __init__: lazy one-hop table
            continue
        for target in targets:
            other = _room(target)
            if other is None:
                upward.append(f"{importer} -> spatialgreen (the package __init__)")
            elif LAYERS[other] > LAYERS[room]:
                upward.append(
                    f"{importer} ({LAYER_NAMES[LAYERS[room]]}) -> {target} "
                    f"({LAYER_NAMES[LAYERS[other]]})"
                )
    assert not upward, "imports pointing up the layers:\n" + "\n".join(upward)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycle():
    graph = _graph()
    # a subpackage's __init__ re-exports its modules; a module importing a sibling
    # through the package __init__ is what makes a cycle, so keep those edges
    assert _cycles(graph) == []


def test_cycle_detector_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [
        ["a", "b", "c"]
    ]


def test_analysis_never_imports_presentation_or_cli():
    bad = [
        (m, t)
        for m, targets in _graph().items()
        if _room(m) and LAYERS[_room(m)] <= 1  # type: ignore[index]
        for t in targets
        if _room(t) in {"maps", "figures", "report", "cli", "accessor"}
    ]
    assert bad == []


def test_commands_do_not_import_each_other():
    graph = _graph()
    bad = [
        (m, t)
        for m, targets in graph.items()
        if m.startswith("spatialgreen.cli.cmd_")
        for t in targets
        if t.startswith("spatialgreen.cli.cmd_")
    ]
    assert bad == []


def test_root_has_no_stray_private_modules():
    private = {
        p.stem
        for p in PACKAGE.glob("_*.py")
        if p.name not in {"__init__.py", "__main__.py"}
    }
    assert private == ROOT_HELPERS
    for helper in ROOT_HELPERS:  # each says why it sits at the root
        doc = ast.get_docstring(ast.parse((PACKAGE / f"{helper}.py").read_text()))
        assert doc and "shared" in doc.lower(), helper


def test_modules_stay_small():
    long = {
        name: len(path.read_text(encoding="utf-8").splitlines())
        for name, path in _modules().items()
    }
    over = {
        n: lines
        for n, lines in long.items()
        if lines > SIZE_LIMIT and n not in LONG_MODULES
    }
    assert over == {}


# --------------------------------------------------------------------------------------
# one hop
# --------------------------------------------------------------------------------------


def _one_hop_table():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        one_hop = importlib.import_module("one_hop")
    finally:
        sys.path.pop(0)
    return one_hop.table()


def test_one_hop_table_is_current():
    lazy, shadowed = _one_hop_table()
    assert lazy == sg._LAZY, "run `python scripts/one_hop.py`"
    assert shadowed == sg._SHADOWED, "run `python scripts/one_hop.py`"


def test_type_checking_mirror_matches_the_table():
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    mirrored: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for stmt in node.body:
                assert isinstance(stmt, ast.ImportFrom)
                for alias in stmt.names:
                    mirrored[alias.name] = str(stmt.module)
    assert mirrored == sg._LAZY


def test_every_public_name_is_one_hop_away():
    for name, room in sg._LAZY.items():
        assert getattr(sg, name) is getattr(getattr(sg, room), name), name
    sg.sbm, sg.productivity_index, sg.tapio, sg.lisa, sg.fixed_effects  # noqa: B018
    sg.match_clusters  # noqa: B018
    assert sg.lisa is sg.spatial.lisa  # the statistic; its map is sg.maps.lisa
    assert sg.maps.lisa is not sg.lisa


def test_every_room_public_callable_is_reachable():
    lazy, shadowed = _one_hop_table()
    for room in (r for r in sg._ROOMS if r not in {"accessor", "errors"}):
        module = getattr(sg, room)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                key = f"{room}.{name}"
                assert name in lazy or key in shadowed, key


def test_nothing_else_leaks():
    # importing a submodule binds it on the package (Python does that); anything
    # else public must be in __all__
    public = {
        n
        for n, v in vars(sg).items()
        if not n.startswith("_")
        and not (isinstance(v, types.ModuleType) and v.__name__ == f"spatialgreen.{n}")
    }
    assert public <= set(sg.__all__), public - set(sg.__all__)
    for leaked in ("Any", "importlib", "annotations", "TYPE_CHECKING"):
        assert not hasattr(sg, leaked)
    assert dir(sg) == sorted(sg.__all__)
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        sg.nothing_here  # noqa: B018


def test_import_stays_lazy():
    code = (
        "import sys, spatialgreen as sg; "
        "heavy = [m for m in ('spatialgreen.efficiency', 'spatialgreen.spatial', "
        "'spatialgreen.maps', 'esda', 'spreg', 'linearmodels', 'folium', 'highspy') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("old", "name", "new"),
    [
        ("spatialgreen.efficiency.indices", "productivity_index", "productivity"),
        ("spatialgreen.econometrics.indices", "entropy_index", "composite"),
    ],
)
def test_renamed_modules_keep_working_with_a_warning(old, name, new):
    module = importlib.import_module(old)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = getattr(module, name)
    assert value is getattr(sg, name)
    assert any(
        issubclass(w.category, DeprecationWarning) and new in str(w.message)
        for w in caught
    )


def test_one_rule_for_keys():
    """``unit`` defaults to "unit" and ``time`` to "year", or None where optional."""
    allowed = {"unit": {"unit", None}, "time": {"year", None}}
    bad = []
    for name in sg._LAZY:
        obj = getattr(sg, name)
        if not inspect.isfunction(obj):
            continue
        params = inspect.signature(obj).parameters
        for key, ok in allowed.items():
            if key in params and params[key].default not in ok:
                bad.append(f"{name}({key}={params[key].default!r})")
    assert bad == []
