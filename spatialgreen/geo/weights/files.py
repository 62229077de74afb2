"""Read spatial weights from a file: GAL and GWT (libpysal) or a CSV edge list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...errors import WeightsError

__all__ = ["read_weights"]

_EDGE_COLUMNS = ("focal", "neighbor", "weight")
_FORMATS = (
    "weights files must be .gal or .gwt (libpysal), or a .csv edge list with "
    "columns focal, neighbor[, weight]"
)


def read_weights(path: str | Path) -> Any:
    """Read spatial weights from a ``.gal``, ``.gwt`` or ``.csv`` file.

    GAL (contiguity) and GWT (weighted) files are read by libpysal and returned
    as a ``libpysal.weights.W``; their ids are often text (``"110000"``), which
    :func:`~spatialgreen.geo.weights.weights_for` matches to numeric unit ids.
    A CSV edge list has one row per link with columns ``focal``, ``neighbor`` and
    optionally ``weight`` (default 1) and is returned as a ``libpysal.graph.Graph``.

    Parameters
    ----------
    path : str or pathlib.Path
        The weights file.

    Returns
    -------
    libpysal.weights.W or libpysal.graph.Graph

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    WeightsError
        Another suffix, or a CSV without the ``focal`` and ``neighbor`` columns.

    Examples
    --------
    >>> import libpysal
    >>> w = read_weights(libpysal.examples.get_path("columbus.gal"))
    >>> w.n
    49
    >>> read_weights("weights.txt")
    Traceback (most recent call last):
    ...
    spatialgreen.errors.WeightsError: weights.txt: weights files must be .gal or ...
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".gal", ".gwt", ".csv"):
        raise WeightsError(f"{path}: {_FORMATS}")
    if not path.exists():
        raise FileNotFoundError(f"weights file {path} not found")
    if suffix == ".csv":
        return _read_edge_list(path)
    import libpysal

    source = libpysal.io.open(str(path))
    try:
        return source.read()
    finally:
        source.close()


def _read_edge_list(path: Path) -> Any:
    import pandas as pd
    from libpysal.graph import Graph

    edges = pd.read_csv(path)
    missing = [c for c in _EDGE_COLUMNS[:2] if c not in edges.columns]
    if missing:
        raise WeightsError(f"{path}: {_FORMATS}; missing {', '.join(missing)}")
    if edges[list(_EDGE_COLUMNS[:2])].isna().any().any():
        raise WeightsError(f"{path}: empty focal or neighbor ids")
    weight = edges["weight"] if "weight" in edges.columns else 1.0
    weights = pd.Series(weight, index=edges.index, dtype=float)
    if weights.isna().any():
        rows = (weights.index[weights.isna()] + 2).tolist()[:10]  # header is line 1
        raise WeightsError(f"{path}: missing weights on lines {rows}")
    return Graph.from_arrays(
        edges["focal"].to_numpy(), edges["neighbor"].to_numpy(), weights.to_numpy()
    )
