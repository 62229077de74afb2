"""Deterministic parallel map over chunks: serial, local worker processes or dask.

Every loop in spatialgreen that runs many independent jobs (LPs per unit, bootstrap
draws, ...) goes through :func:`parallel_map`, so that the same code runs serially,
on local cores, or on a ``dask.distributed`` cluster, always returning results in the
order of the chunks (serial and parallel runs give identical output).

Local workers are joblib's reusable pool of fresh interpreters (loky: no fork of a
caller that may run threads — HiGHS starts a thread pool on its first solve —, and
no re-import of the caller's ``__main__``), one BLAS thread each when they fill the
cores. A fresh worker spends about a second importing the package before its first
chunk: :func:`prestart` starts the workers and those imports in the background, so
that they overlap with the caller's preparation of the chunks, and until a worker is
ready, the caller solves chunks itself (it has everything imported). Data
that every chunk needs (``shared``) is written once per call to a temporary file
that each worker reads once, instead of being pickled with every chunk.

It sits at the package root because it is shared by several rooms (the efficiency
engine, bootstrap and permutation procedures) and depends on none of them.
"""

from __future__ import annotations

import concurrent.futures
import importlib
import numbers
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from .errors import OptionError

__all__ = ["check_n_jobs", "parallel_map", "prestart"]

T = TypeVar("T")
R = TypeVar("R")

_IDLE_TIMEOUT = 300  # seconds an idle worker waits for more work (joblib's default)
_THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)
_SHARED: dict[str, Any] = {}  # worker side: the shared data of the current call


def check_n_jobs(n_jobs: Any) -> int:
    """``n_jobs`` as an int: ``-1`` (all cores) or ``>= 1``, else :class:`OptionError`.

    Examples
    --------
    >>> check_n_jobs(2)
    2
    >>> check_n_jobs(0)
    Traceback (most recent call last):
    ...
    spatialgreen.errors.OptionError: n_jobs=0: must be -1 (all cores) or an integer >= 1
    """
    ok = isinstance(n_jobs, numbers.Integral) and not isinstance(n_jobs, bool)
    if not ok or (n_jobs < 1 and n_jobs != -1):
        raise OptionError(
            f"n_jobs={n_jobs!r}: must be -1 (all cores) or an integer >= 1"
        )
    return int(n_jobs)


def _cores() -> int:
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not on Linux
        return max(os.cpu_count() or 1, 1)


def _n_workers(n_jobs: int) -> int:
    """Worker processes for ``n_jobs`` (-1: one per core)."""
    return _cores() if n_jobs == -1 else n_jobs


def _executor(workers: int) -> Any:
    """joblib's reusable process pool with ``workers`` processes."""
    from joblib.externals.loky import get_reusable_executor

    threads = str(max(_cores() // workers, 1))
    env = {name: os.environ.get(name, threads) for name in _THREAD_VARIABLES}
    return get_reusable_executor(workers, timeout=_IDLE_TIMEOUT, env=env)


def _import(module: str) -> None:
    importlib.import_module(module)


# the first tasks of the current pool, one per worker (a worker that has finished
# its first task has started and imported what the chunk function needs), and the
# tasks left to it that nobody waits for (see _pool_map)
_STARTING: dict[str, Any] = {"executor": None, "workers": 0, "futures": [], "left": []}


def _start(workers: int, preload: Sequence[str]) -> Any:
    """The pool of ``workers`` processes; a new pool starts importing ``preload``."""
    if _STARTING["executor"] is not None and _STARTING["workers"] != workers:
        # a pool is resized only once its tasks are done
        concurrent.futures.wait(_STARTING["futures"] + _STARTING["left"])
    executor = _executor(workers)
    if _STARTING["executor"] is not executor:
        modules = list(preload) or [__name__]
        futures = [executor.submit(_import, modules[0]) for _ in range(workers)]
        futures += [executor.submit(_import, m) for m in modules[1:]]
        _STARTING.update(executor=executor, workers=workers, futures=futures, left=[])
    _STARTING["left"] = [f for f in _STARTING["left"] if not f.done()]
    return executor


def prestart(n_jobs: int, preload: Sequence[str] = ()) -> None:
    """Start the local workers and their imports of ``preload`` in the background.

    Returns at once (no-op when serial); call it before preparing the chunks of a
    :func:`parallel_map` with the same ``n_jobs``.

    Examples
    --------
    >>> prestart(1)  # serial: nothing to start
    """
    workers = _n_workers(check_n_jobs(n_jobs))
    if workers > 1:
        _start(workers, preload)


def _progress_bar(total: int, progress: bool | None, desc: str) -> Any:
    from tqdm.auto import tqdm

    # disable=None lets tqdm hide the bar when stderr is not a terminal.
    disable = None if progress is None else not progress
    return tqdm(total=total, desc=desc, disable=disable, leave=False)


def _with_shared(func: Callable[..., R], chunk: Any, path: str) -> R:
    """Worker side: ``func(chunk, shared)``, the shared data read once per call."""
    if path not in _SHARED:
        with open(path, "rb") as handle:
            shared = pickle.load(handle)
        _SHARED.clear()
        _SHARED[path] = shared
    return func(chunk, _SHARED[path])


def parallel_map(
    func: Callable[..., R],
    chunks: Sequence[T],
    *,
    n_jobs: int = 1,
    client: Any = None,
    progress: bool | None = None,
    desc: str = "",
    shared: Any = None,
) -> list[R]:
    """Apply ``func`` to every chunk and return the results in chunk order.

    Parameters
    ----------
    func : callable
        A picklable (module-level) function of one chunk, or of a chunk and
        ``shared`` when that is given.
    chunks : sequence
        The work items; each must be picklable when ``n_jobs != 1`` or ``client``.
    n_jobs : int
        Number of local worker processes (``-1`` = one per core); ``1`` runs
        serially.
    client : dask.distributed.Client, optional
        Run the chunks on this cluster instead (``n_jobs`` is then ignored).
    progress : bool or None
        Show a tqdm progress bar; ``None`` shows it only on an interactive terminal.
    desc : str
        Label of the progress bar.
    shared : object, optional
        Data every chunk needs: ``func(chunk, shared)`` is called, and ``shared`` is
        sent once to each worker (dask: broadcast), not once per chunk.

    Returns
    -------
    list
        ``[func(c) for c in chunks]`` (or ``func(c, shared)``), in the same order
        whatever the backend.

    Examples
    --------
    >>> parallel_map(abs, [-3, 2, -1], progress=False)
    [3, 2, 1]
    >>> parallel_map(pow, [2, 3], shared=2, progress=False)
    [4, 9]
    """
    n_jobs = check_n_jobs(n_jobs)
    chunks = list(chunks)
    bar = _progress_bar(len(chunks), progress, desc)
    try:
        if client is not None:
            return _dask_map(func, chunks, client, bar, shared)
        workers = _n_workers(n_jobs)
        if workers == 1 or len(chunks) <= 1:
            out = []
            for chunk in chunks:
                out.append(func(chunk) if shared is None else func(chunk, shared))
                bar.update(1)
            return out
        return _pool_map(func, chunks, workers, bar, shared)
    finally:
        bar.close()


def _pool_map(
    func: Callable[..., R], chunks: list[Any], workers: int, bar: Any, shared: Any
) -> list[R]:
    """The chunks on ``workers`` processes, in order.

    While the pool is still starting (fresh workers import the package first), the
    caller solves chunks itself, one chunk per worker waiting in the queue; if it
    runs out of chunks before any worker is ready, it solves the queued ones too
    (what a worker returns for them later is dropped: results are deterministic).
    """
    executor = _start(workers, (func.__module__,))
    starting = _STARTING["futures"]
    folder = tempfile.mkdtemp(prefix="spatialgreen-")
    path = os.path.join(folder, "shared.pickle")
    if shared is not None:
        with open(path, "wb") as handle:
            pickle.dump(shared, handle, protocol=pickle.HIGHEST_PROTOCOL)

    def submit(chunk: Any) -> Any:
        if shared is None:
            return executor.submit(func, chunk)
        return executor.submit(_with_shared, func, chunk, path)

    def here(at: int) -> None:
        out[at] = func(chunks[at]) if shared is None else func(chunks[at], shared)
        bar.update(1)

    def ready() -> bool:
        return any(f.done() for f in starting)

    out: list[Any] = [None] * len(chunks)
    futures: dict[int, Any] = {}
    following = 0  # the next chunk nobody has taken
    try:
        if not ready():
            while following < min(workers, len(chunks)):
                futures[following] = submit(chunks[following])
                following += 1
            while following < len(chunks) and not ready():
                here(following)
                following += 1
            for at in sorted(futures):
                if ready():
                    break
                # taken back, not cancelled: loky fails in its queue thread when
                # it shuts down with a cancelled task still queued (set_exception
                # on a cancelled future); the pool solves it again later, unasked,
                # which costs little: this runs only when the whole job was
                # shorter than the workers' start-up
                _STARTING["left"].append(futures.pop(at))
                here(at)
        for at in range(following, len(chunks)):
            futures[at] = submit(chunks[at])
        for at in sorted(futures):
            out[at] = futures.pop(at).result()
            bar.update(1)
        return out
    finally:
        for future in futures.values():  # after an error: drop what has not started
            future.cancel()
        shutil.rmtree(folder, ignore_errors=True)


def _dask_map(
    func: Callable[..., R], chunks: list[T], client: Any, bar: Any, shared: Any
) -> list[R]:
    from dask.distributed import as_completed

    # Ship the chunks to the workers directly rather than inside the task graph: the
    # scheduler then handles small keys only (no "large graph" warning, no copy of
    # every chunk through the scheduler). Shared data goes once to every worker.
    data = client.scatter(chunks, hash=False)
    if shared is None:
        futures = client.map(func, data, pure=False)
    else:
        [common] = client.scatter([shared], broadcast=True, hash=False)
        futures = client.map(func, data, [common] * len(data), pure=False)
    for _ in as_completed(futures):
        bar.update(1)
    return client.gather(futures)
