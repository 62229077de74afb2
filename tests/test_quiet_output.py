"""Quiet output: the command line and the demo print only spatialgreen's own lines.

Every command runs on the embedded example data with stdout and stderr captured
(neither is a terminal). These are the lines spatialgreen writes, and the only ones
allowed:

stdout, in this order
    result lines   what the command prints of its results (a table, a summary
                   line), free text, but never with a mark of FOREIGN output;
    step lines     ``prepare``: ``<step>: <what it did>``, one per step option;
                   ``demo``: ``[i/n] <recipe>: <k> files in <s> s -> <folder>``;
    written lines  ``wrote <path>`` (a map adds `` (<size> MB)``),
                   ``wrote <n> <level> units to <path>`` (``boundaries``) and
                   ``wrote <n> tables, figures and maps; open <index.html>``
                   (``demo``); every path exists.
stderr
    warning lines  ``spatialgreen: warning: <message>``, one line each, for
                   spatialgreen's own warnings (SpatialGreenWarning); another
                   category would read ``spatialgreen: warning: <Category>: ...``
                   and is refused, as is anything else (Python's
                   ``file.py:12: FutureWarning:`` lines, logging, banners).

Not on a terminal there is no tqdm bar (no carriage return at all); on a terminal
the bar is there, on stderr, and stdout is the same.

How the commands run. Two runs are real ``python -m spatialgreen`` processes: the
demo (one quick recipe; the interpreter's own warning defaults, and the imports of
nearly every library the commands use, with their import-time output) and the
command drawing its bar on a pseudo-terminal. Every other run calls
``spatialgreen.cli.main`` in this process (:func:`run_cli`), saving an
interpreter start and the imports per command, as a fresh process would see it:
output is captured at the file descriptors (``capfd``: C extensions and worker
processes writing to fd 1/2 are caught, and C's stdio buffers are flushed as at
exit); the warning filters are those of a fresh interpreter, not pytest's (its
``filterwarnings`` ini, ``-W`` and marks neither hide nor raise a warning the user
would see); the root logger has no pytest handler, so a library's log record
reaches stderr through logging's last resort as in a real run; joblib's worker
pool starts fresh and is stopped after the command. The ``in_process`` tests below
check that each of these kinds of foreign output still fails the checks.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import os
import pickle
import re
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from spatialgreen import datasets
from spatialgreen.cli import main
from spatialgreen.cli.cmd_prepare import STEPS

#: Marks of output that is not spatialgreen's: Python's warning format, logging,
#: tqdm bars, solver and JIT banners, font messages, tracebacks.
FOREIGN = re.compile(
    r"\.py:\d+: \w*(Warning|Error)\b"  # file.py:12: FutureWarning: ...
    r"|^\s*warnings\.warn\("
    r"|^(DEBUG|INFO|WARNING|ERROR|CRITICAL)[: ]"  # logging's default format
    r"|\b(distributed|joblib|loky|numba|findfont|fontconfig|matplotlib)\b"
    r"|\d+%\||\bit/s\]|\bs/it\]"  # tqdm
    r"|HiGHS|Running HiGHS|Presolv|Coefficient ranges|Objective value"
    r"|Traceback \(most recent call last\)",
    re.IGNORECASE,
)
WARNING = re.compile(r"^spatialgreen: warning: (?P<message>\S.*)$")
FOREIGN_CATEGORY = re.compile(r"^\w+(Warning|Error): ")
DEMO_STEP = re.compile(
    r"^\[(?P<i>\d+)/(?P<n>\d+)\] (?P<recipe>\w+): (?P<files>\d+) files "
    r"in \d+\.\d s -> (?P<path>.+)$"
)
PREPARE_STEP = re.compile(rf"^(?P<step>{'|'.join(map(re.escape, STEPS))}): \S.*$")
WRITTEN = (
    re.compile(r"^wrote (?P<path>.+?)(?: \(\d+\.\d\d MB\))?$"),
    re.compile(r"^wrote \d+ \w+ units to (?P<path>.+)$"),
    re.compile(r"^wrote \d+ tables, figures and maps; open (?P<path>.+)$"),
)


def _written(line: str, cwd: Path) -> Path | None:
    """The path of a written line (most specific form first), None otherwise."""
    for pattern in reversed(WRITTEN):
        match = pattern.match(line)
        if match:
            return cwd / match["path"]
    return None


def check_stdout(out: str, cwd: Path, *, step: re.Pattern[str] | None) -> dict:
    """Split stdout into result, step and written lines; fail on anything else."""
    lines = out.splitlines()
    results: list[str] = []
    steps: list[str] = []
    written: list[Path] = []
    for line in lines:
        assert not FOREIGN.search(line), f"not a spatialgreen line: {line!r}"
        path = _written(line, cwd)
        if step is not None and step.match(line):
            assert not written, f"step line after the written lines: {line!r}"
            steps.append(line)
        elif path is not None:
            assert path.exists(), f"written line names no file: {line!r}"
            written.append(path)
        else:
            assert not steps and not written, f"stray line: {line!r}"
            results.append(line)
    assert written, "no written line"
    return {"results": results, "steps": steps, "written": written}


def check_stderr(err: str) -> list[str]:
    """The messages of spatialgreen's warnings; fail on any other stderr line."""
    messages = []
    for line in err.splitlines():
        match = WARNING.match(line)
        assert match, f"not a spatialgreen warning line on stderr: {line!r}"
        assert not FOREIGN_CATEGORY.match(match["message"]), (
            f"a library's warning reached the user: {line!r}"
        )
        assert not FOREIGN.search(line), line
        messages.append(match["message"])
    return messages


# ----------------------------------------------------------------------- the runs


def _spec(folder: Path) -> Path:
    path = folder / "spec.toml"
    path.write_text(
        """
[data]
path = "provinces.csv"
unit = "province"
time = "year"

[defaults]
controls = ["fdi"]
cluster = "province"

[[models]]
label = "(1)"
y = "industrial_upgrading"
x = "environmental_regulation"

[[models]]
label = "RE"
kind = "random_effects"
y = "industrial_upgrading"
x = "environmental_regulation"

[output]
path = "out/table"
formats = ["csv", "xlsx", "tex"]
""",
        encoding="utf-8",
    )
    return path


def _commands(d: Path) -> dict[str, tuple[list[str], bool]]:
    """Command name -> (its argv, whether it prints results before the files)."""
    p = "provinces.csv"
    keys = ["--unit", "province", "--time", "year"]
    frontier = ["--inputs", "labor,capital,energy", "--outputs", "gdp"]
    return {
        "boundaries": (["boundaries", "--level", "city", "--study", "yrd26", "-o", "yrd26.geojson"], False),  # noqa: E501
        "converge": (["converge", p, *keys, "--column", "gdp", "--what", "sigma,beta,theil,dagum,kde,markov", "--group", "region", "--output", "conv.xlsx"], False),  # noqa: E501
        "decouple": (["decouple", "cities.csv", "--unit", "city", "--time", "year", "--driver", "gdp_per_capita", "--pollutants", "wastewater,so2,solid_waste", "--periods", "2005-2010,2011-2016", "--catch-up", "--output", "decoupling.xlsx"], True),  # noqa: E501
        "flows": (["flows", "transfers.csv", "--ipc", "ipc", "--green-only", "--region", "yrd26", "--group", "Beijing-Tianjin=北京,天津", "--periods", "5", "-o", "flows/"], True),  # noqa: E501
        "gtfp": (["gtfp", p, *keys, *frontier, "--bad-outputs", "so2,cod", "--model", "ebm", "--super", "--index", "gml", "-o", "gtfp.csv"], False),  # noqa: E501
        "gtfp-jobs": (["gtfp", p, *keys, *frontier, "--model", "sbm", "--index", "ml", "--n-jobs", "2", "-o", "ml/"], False),  # noqa: E501
        "map": (["map", p, "--level", "province", *keys, "--column", "gdp", "-o", "gdp.html"], False),  # noqa: E501
        "map-static": (["map", p, "--level", "province", *keys, "--column", "gdp", "--year", "2020", "-o", "gdp.png"], False),  # noqa: E501
        "match-clusters": (["match-clusters", "clusters.csv", "belts.csv", "--within-km", "50", "--spatial", "province", "-o", "clusters/"], True),  # noqa: E501
        "moran": (["moran", p, "--column", "gdp", "--unit", "adcode", "--time", "year", "--islands", "nearest", "--permutations", "99", "-o", "moran.csv", "--lisa", "lisa.csv"], True),  # noqa: E501
        "prepare": (["prepare", "yearbook.csv", *keys, "--interpolate", "investment,investment_price_index,so2", "--real-gdp", "gdp_nominal:gdp_index,kind=previous-year,base=2005", "--capital", "investment=investment,price=investment_price_index,delta=0.096,base=hall-jones", "-o", "prepared.xlsx"], False),  # noqa: E501
        "regress": (["regress", str(_spec(d))], True),
        "sfa": (["sfa", p, "--y", "gdp", "--x", "labor,capital,energy", "--model", "bc92", *keys, "--output", "sfa.xlsx"], True),  # noqa: E501
        "spatial-model": (["spatial-model", p, "--y", "industrial_upgrading", "--x", "environmental_regulation,fdi", "--unit", "adcode", "--time", "year", "--model", "sdm", "--effects", "twoway", "--islands", "nearest", "--draws", "200", "-o", "sdm.xlsx"], True),  # noqa: E501
        "three-stage": (["three-stage", p, *keys, "--environment", "government_spending,fdi,industrial_upgrading", "--dimension", "energy:energy,labor:gdp", "--dimension", "economic:capital,labor:gdp", "--output", "three_stage.xlsx"], True),  # noqa: E501
    }  # fmt: skip


_ENV = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "120"}
_ENV.pop("PYTHONWARNINGS", None)  # the user's default filters


def _spatialgreen(argv: list[str], cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    """``spatialgreen <argv>`` as a real process, as a user starts it."""
    return subprocess.run(
        [sys.executable, "-m", "spatialgreen", *argv],
        cwd=cwd,
        env=_ENV,
        text=True,
        encoding="utf-8",
        timeout=600,
        **kwargs,
    )


@functools.cache
def _fresh_interpreter_filters() -> list[tuple]:
    """The warning filters a fresh ``python`` starts with, in the environment of
    :func:`_spatialgreen` (this process has pytest's besides)."""
    script = "import pickle, sys, warnings\n"
    script += "sys.stdout.buffer.write(pickle.dumps(warnings.filters))"
    done = subprocess.run(
        [sys.executable, "-c", script], env=_ENV, capture_output=True, check=True
    )
    return pickle.loads(done.stdout)  # our own child's output


@functools.cache
def _libc() -> Any:
    """The C library of this process (None where ctypes cannot load it)."""
    try:
        return ctypes.CDLL(None)
    except (OSError, TypeError):  # Windows
        return None


def _stop_workers() -> None:
    """Stop joblib's reusable worker pool, if this process started one.

    A pool kept from earlier tests would run the command's chunks in workers whose
    fd 2 is not the one captured now; a pool started by the command ends here as
    it would with the process. Queued tasks finish first (killing workers with
    tasks still queued breaks loky's queue thread, which no real run does)."""
    loky = sys.modules.get("joblib.externals.loky.reusable_executor")
    executor = getattr(loky, "_executor", None)  # joblib keeps one pool per process
    if executor is not None:
        executor.shutdown(wait=True)


def _flush_c_stdio() -> None:
    """Write out what C code left in stdio buffers (done at exit in a real run)."""
    if _libc() is not None:
        _libc().fflush(None)


def run_cli(argv: list[str], capfd: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run ``spatialgreen <argv>`` in this process as a fresh process would run it:
    (exit code, stdout, stderr), captured at the file descriptors."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    _stop_workers()
    _flush_c_stdio()
    capfd.readouterr()  # what came before is not the command's
    try:
        with warnings.catch_warnings():  # main() shows warnings its own way inside
            warnings.filters[:] = _fresh_interpreter_filters()  # type: ignore[index]
            root.handlers.clear()  # pytest's: logging's last resort writes instead
            root.setLevel(logging.WARNING)
            code = main(argv)
    finally:
        _flush_c_stdio()
        _stop_workers()
        root.handlers[:] = handlers
        root.setLevel(level)
    out, err = capfd.readouterr()
    return code, out, err


class Folder:
    """The example data written once for the module, and the command lines."""

    def __init__(self, path: Path):
        self.path = path
        datasets.province_panel().to_csv(path / "provinces.csv", index=False)
        datasets.province_yearbook().to_csv(path / "yearbook.csv", index=False)
        cities = datasets.city_panel()
        cities[cities["year"] <= 2016].to_csv(path / "cities.csv", index=False)
        datasets.patent_transfers().to_csv(path / "transfers.csv", index=False)
        datasets.clusters().to_csv(path / "clusters.csv", index=False)
        datasets.belts().to_csv(path / "belts.csv", index=False)
        self.commands = _commands(path)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Folder:
    return Folder(tmp_path_factory.mktemp("quiet"))


@pytest.fixture
def cli(
    folder: Folder, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[[str], tuple[int, str, str]]:
    """name -> (exit code, stdout, stderr) of that command run in the folder."""
    monkeypatch.chdir(folder.path)
    monkeypatch.setenv("COLUMNS", "120")
    return lambda name: run_cli(folder.commands[name][0], capfd)


COMMAND_NAMES = [
    "boundaries", "converge", "decouple", "flows", "gtfp", "gtfp-jobs", "map",
    "map-static", "match-clusters", "moran", "prepare", "regress", "sfa",
    "spatial-model", "three-stage",
]  # fmt: skip


#: Second runs of a command with other options (joblib workers, a static map).
VARIANTS = ("gtfp-jobs", "map-static")


def test_every_command_is_covered():
    from test_cli import COMMANDS

    covered = {
        name.split("-")[0] if name in VARIANTS else name for name in COMMAND_NAMES
    }
    assert covered | {"demo"} == set(COMMANDS)


def check_command(
    name: str, code: int, out: str, err: str, folder: Folder
) -> list[str]:
    """Every check of a command's run; the messages of its warning lines."""
    assert code == 0, err
    assert "\r" not in out + err  # no tqdm bar off a terminal
    step = PREPARE_STEP if name == "prepare" else None
    lines = check_stdout(out, folder.path, step=step)
    prints_results = folder.commands[name][1]
    assert bool(lines["results"]) == prints_results, lines["results"]
    if name == "prepare":  # one step line per step option, in order
        assert [s.split(":")[0] for s in lines["steps"]] == [
            "interpolate",
            "real-gdp",
            "capital",
        ]
    return check_stderr(err)


@pytest.mark.parametrize("name", COMMAND_NAMES)
def test_command_prints_only_spatialgreen_lines(cli, folder, name):
    code, out, err = cli(name)
    warned = check_command(name, code, out, err, folder)
    if name in ("map", "map-static"):
        # mapclassify's note that it runs without numba is silenced where it arises
        assert err == ""
    if name == "three-stage":
        # said once per stage-2 input that gamma is on its bound, as spatialgreen's
        inputs = [
            re.match(r"stage-2 slack regression of input '(\w+)'", m) for m in warned
        ]
        assert all(inputs) and len(inputs) == 4  # two inputs in each of two dimensions
        assert sorted(m[1] for m in inputs) == ["capital", "energy", "labor", "labor"]


# ------------------------------------------------ what the in-process runs still see


def _warn(category: type[Warning], module: str, message: str = "noise") -> Callable:
    """A warning raised as if from inside ``module`` (its filters apply)."""
    return lambda: warnings.warn_explicit(
        message, category, f"{module.replace('.', '/')}.py", 1, module=module
    )


def _in_worker() -> None:
    from spatialgreen._parallel import parallel_map

    # both chunks are queued to the one worker: os.write(2, b"...") runs there
    parallel_map(os.write, [2, 2], n_jobs=2, shared=b"worker noise\n", progress=False)


def _c_stdio() -> None:
    # C stdio: buffered when fd 1 is a file (unless PYTHONUNBUFFERED is set), so
    # only the flush of run_cli, as at a real exit, lets it be seen
    _libc().puts(b"Running HiGHS 1.7.0")


#: Foreign output that a command could let through, made inside its run, and the
#: text that shows it.
NOISE: dict[str, tuple[Callable[[], Any], str]] = {
    "print": (lambda: print("noise"), "noise"),
    "stderr": (lambda: print("noise", file=sys.stderr), "noise"),
    "fd 1": (lambda: os.write(1, b"noise\n"), "noise"),  # a C extension's write(2)
    "C stdio": (_c_stdio, "Running HiGHS"),
    "library FutureWarning": (_warn(FutureWarning, "pandas.core.frame"), "noise"),
    # pytest's ini turns this one into an error; a real run shows it
    "spatialgreen FutureWarning": (_warn(FutureWarning, "spatialgreen._io"), "noise"),
    "warning pytest's ini ignores": (
        _warn(RuntimeWarning, "esda.moran", "invalid value encountered in divide"),
        "invalid value",
    ),
    "logging": (
        lambda: logging.getLogger("matplotlib.font_manager").warning(
            "findfont: Font family 'SimHei' not found."
        ),
        "findfont",
    ),
    "joblib worker": (_in_worker, "worker noise"),
}


@pytest.mark.parametrize("noise", NOISE)
def test_in_process_runs_see_foreign_output(cli, folder, monkeypatch, noise):
    """Each kind of foreign output, made inside ``gtfp``, reaches the captured
    output as it would a user's, and fails the checks (which ``gtfp`` passes)."""
    import spatialgreen._io

    if noise == "C stdio" and _libc() is None:
        pytest.skip("no C library to call here")
    make, text = NOISE[noise]
    write_table = spatialgreen._io.write_table

    def noisy(*args, **kwargs):
        make()
        return write_table(*args, **kwargs)

    monkeypatch.setattr(spatialgreen._io, "write_table", noisy)
    code, out, err = cli("gtfp")
    assert text in out + err
    with pytest.raises(AssertionError):
        check_command("gtfp", code, out, err, folder)


@pytest.mark.filterwarnings("always::DeprecationWarning")
def test_in_process_runs_hide_what_a_fresh_interpreter_hides(cli, folder, monkeypatch):
    """A library's DeprecationWarning is not shown by a real run, nor here (pytest
    itself would show it)."""
    import spatialgreen._io

    write_table = spatialgreen._io.write_table

    def deprecated(*args, **kwargs):
        _warn(DeprecationWarning, "pandas.core.frame")()
        return write_table(*args, **kwargs)

    monkeypatch.setattr(spatialgreen._io, "write_table", deprecated)
    check_command("gtfp", *cli("gtfp"), folder)


# ------------------------------------------------------------------------ the rest


def test_sfa_notes_are_warning_lines_said_once(tmp_path, capfd):
    """The estimation notes of ``sfa`` go to stderr as spatialgreen warnings, and
    the wrong-skew note, already a warning of ``sfa()``, is said once."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(1)
    x = rng.lognormal(size=200)  # residuals skewed the wrong way: gamma -> 0
    y = np.exp(0.5 * np.log(x) + rng.exponential(0.3, 200))
    pd.DataFrame({"x": x, "y": y}).to_csv(tmp_path / "skew.csv", index=False)
    argv = ["sfa", str(tmp_path / "skew.csv"), "--y", "y", "--x", "x"]
    code, out, err = run_cli([*argv, "--output", str(tmp_path / "sfa.xlsx")], capfd)
    assert code == 0, err
    lines = check_stdout(out, tmp_path, step=None)["results"]
    assert not any("warning" in line for line in lines)  # stdout: the estimates
    messages = check_stderr(err)
    assert sum("right-skewed" in m for m in messages) == 1
    assert "gamma is at its lower bound 0: no inefficiency detected" in messages
    assert len(messages) == 2


def test_demo_prints_step_lines_and_readable_warnings(tmp_path):
    """A real process: the interpreter's warning defaults, the libraries' imports."""
    recipe = "yangtze_industrial_gtfp"
    argv = ["demo", "--quick", "--output", "out", "--recipe", recipe]
    proc = _spatialgreen(argv, tmp_path, capture_output=True)
    assert proc.returncode == 0, proc.stderr
    assert "\r" not in proc.stdout + proc.stderr
    out = check_stdout(proc.stdout, tmp_path, step=DEMO_STEP)
    assert out["results"] == []
    steps = [DEMO_STEP.match(line) for line in out["steps"]]
    assert [(m["i"], m["n"], m["recipe"]) for m in steps] == [("1", "1", recipe)]
    folder = tmp_path / steps[0]["path"]
    assert len([p for p in folder.iterdir() if p.is_file()]) == int(steps[0]["files"])
    assert out["written"] == [tmp_path / "out" / "index.html"]
    warned = check_stderr(proc.stderr)
    # spatialgreen's own warnings that matter still reach the user, one line each
    assert sum(m.startswith("impute filled missing values") for m in warned) == 1
    assert sum(m.startswith("stage-2 slack regression") for m in warned) == 4


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_progress_bar_only_on_a_terminal(tmp_path, capfd, monkeypatch):
    import fcntl
    import pty
    import struct
    import termios

    (tmp_path / "p.csv").write_text(
        "unit,year,x,y\n"
        + "".join(
            f"u{u},{t},{1 + u + t % 3},{2 + u * t % 5}\n"
            for u in range(6)
            for t in range(2015, 2020)
        )
    )
    argv = ["gtfp", "p.csv", "--time", "year", "--inputs", "x", "--outputs", "y"]
    argv += ["--index", "malmquist", "-o", "out.csv"]
    monkeypatch.chdir(tmp_path)
    code, piped, err = run_cli(argv, capfd)  # stderr is a file here
    assert code == 0 and err == ""
    main_end, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    with subprocess.Popen(
        [sys.executable, "-m", "spatialgreen", *argv],
        cwd=tmp_path,
        env=_ENV,
        stdout=subprocess.PIPE,
        stderr=terminal,
    ) as proc:
        os.close(terminal)
        chunks = []
        while True:  # read the terminal while the command writes to it
            try:
                chunk = os.read(main_end, 4096)
            except OSError:  # the command ended: its end of the terminal closed
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(main_end)
        stdout = proc.stdout.read().decode("utf-8")  # type: ignore[union-attr]
    assert proc.returncode == 0
    bar = b"".join(chunks).decode("utf-8", "replace")
    assert "\r" in bar and "%|" in bar  # tqdm drew its bar on the terminal
    assert stdout == piped  # and stdout is the same
