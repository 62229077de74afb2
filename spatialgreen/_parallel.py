"""Deterministic parallel map over chunks: serial, joblib processes or a dask cluster.

Every loop in spatialgreen that runs many independent jobs (LPs per unit, bootstrap
draws, ...) goes through :func:`parallel_map`, so that the same code runs serially,
on local cores through joblib, or on a ``dask.distributed`` cluster, always returning
results in the order of the chunks (serial and parallel runs give identical output).

It sits at the package root because it is shared by several rooms (the efficiency
engine, bootstrap and permutation procedures) and depends on none of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

__all__ = ["parallel_map"]

T = TypeVar("T")
R = TypeVar("R")


def _progress_bar(total: int, progress: bool | None, desc: str) -> Any:
    from tqdm.auto import tqdm

    # disable=None lets tqdm hide the bar when stderr is not a terminal.
    disable = None if progress is None else not progress
    return tqdm(total=total, desc=desc, disable=disable, leave=False)


def parallel_map(
    func: Callable[[T], R],
    chunks: Sequence[T],
    *,
    n_jobs: int = 1,
    client: Any = None,
    progress: bool | None = None,
    desc: str = "",
) -> list[R]:
    """Apply ``func`` to every chunk and return the results in chunk order.

    Parameters
    ----------
    func : callable
        A picklable (module-level) function of one chunk.
    chunks : sequence
        The work items; each must be picklable when ``n_jobs != 1`` or ``client``.
    n_jobs : int
        Number of joblib worker processes (``-1`` = all cores); ``1`` runs serially.
    client : dask.distributed.Client, optional
        Run the chunks on this cluster instead (``n_jobs`` is then ignored).
    progress : bool or None
        Show a tqdm progress bar; ``None`` shows it only on an interactive terminal.
    desc : str
        Label of the progress bar.

    Returns
    -------
    list
        ``[func(c) for c in chunks]``, in the same order whatever the backend.

    Examples
    --------
    >>> parallel_map(abs, [-3, 2, -1], progress=False)
    [3, 2, 1]
    """
    chunks = list(chunks)
    bar = _progress_bar(len(chunks), progress, desc)
    try:
        if client is not None:
            return _dask_map(func, chunks, client, bar)
        if n_jobs == 1 or len(chunks) <= 1:
            out = []
            for chunk in chunks:
                out.append(func(chunk))
                bar.update(1)
            return out
        from joblib import Parallel, delayed

        runner = Parallel(n_jobs=n_jobs, return_as="generator")
        out = []
        for result in runner(delayed(func)(c) for c in chunks):
            out.append(result)
            bar.update(1)
        return out
    finally:
        bar.close()


def _dask_map(
    func: Callable[[T], R], chunks: list[T], client: Any, bar: Any
) -> list[R]:
    from dask.distributed import as_completed

    # Ship the chunks to the workers directly rather than inside the task graph: the
    # scheduler then handles small keys only (no "large graph" warning, no copy of
    # every chunk through the scheduler).
    data = client.scatter(chunks, hash=False)
    futures = client.map(func, data, pure=False)
    for _ in as_completed(futures):
        bar.update(1)
    return client.gather(futures)
