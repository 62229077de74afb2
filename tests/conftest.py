"""Shared fixtures: a real headless Chromium and a real dask LocalCluster."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

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
    """A headless Chromium run once per call (no driver needed)."""

    def __init__(self, executable: str):
        self.executable = executable

    def _run(
        self, args: list[str], timeout: float = 120
    ) -> subprocess.CompletedProcess:
        with tempfile.TemporaryDirectory(prefix="sg-chromium-") as profile:
            cmd = [
                self.executable,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                *args,
            ]
            return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)

    def dump_dom(self, html: str | os.PathLike[str], *, budget_ms: int = 5000) -> str:
        """The DOM after scripts ran (``--dump-dom`` with a virtual time budget)."""
        url = Path(html).resolve().as_uri()
        proc = self._run([f"--virtual-time-budget={budget_ms}", "--dump-dom", url])
        if proc.returncode != 0:
            raise RuntimeError(f"chromium failed: {proc.stderr[-2000:]}")
        return proc.stdout

    def screenshot(
        self,
        html: str | os.PathLike[str],
        png: str | os.PathLike[str],
        *,
        size: tuple[int, int] = (1200, 900),
        budget_ms: int = 5000,
    ) -> Path:
        """Render ``html`` and write a PNG screenshot."""
        url = Path(html).resolve().as_uri()
        png = Path(png).resolve()
        proc = self._run(
            [
                f"--virtual-time-budget={budget_ms}",
                f"--window-size={size[0]},{size[1]}",
                "--hide-scrollbars",
                f"--screenshot={png}",
                url,
            ]
        )
        if proc.returncode != 0 or not png.exists():
            raise RuntimeError(f"chromium screenshot failed: {proc.stderr[-2000:]}")
        return png


@pytest.fixture(scope="session")
def browser() -> Browser:
    """A real headless Chromium; the test is skipped, with the reason, without one."""
    exe = _find_chromium()
    if exe is None:
        pytest.skip(
            "headless Chromium not installed "
            "(Debian package 'chromium'; .ci/run installs it)"
        )
    return Browser(exe)


@pytest.fixture(scope="session")
def dask_client() -> Iterator[object]:
    """A real dask.distributed LocalCluster with two single-threaded workers."""
    distributed = pytest.importorskip(
        "dask.distributed",
        reason="dask[distributed] not installed (pip install '.[dask]')",
    )
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()
