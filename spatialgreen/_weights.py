"""Coerce user weights (``libpysal.graph.Graph`` or ``libpysal.weights.W``) to what
a consumer needs, aligned with the units of a data set.

spreg and some esda routines still take ``W``; the geo module builds ``Graph``.
Every spatial routine funnels its ``w`` argument through :func:`align_weights` so
that a unit missing from the weights, an extra unit, or an island is reported by
name instead of producing silently misaligned numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .errors import WeightsError

__all__ = ["align_weights", "weights_ids"]


def _is_graph(w: Any) -> bool:
    return type(w).__name__ == "Graph" and hasattr(w, "to_W")


def weights_ids(w: Any) -> list:
    """The unit ids of ``w`` in its own order."""
    if _is_graph(w):
        return list(w.unique_ids)
    if hasattr(w, "id_order"):
        return list(w.id_order)
    raise WeightsError(f"weights must be a libpysal Graph or W, got {type(w).__name__}")


def align_weights(
    w: Any,
    ids: Sequence,
    *,
    transform: str | None = "r",
    allow_islands: bool = False,
    kind: str = "W",
) -> Any:
    """Return ``w`` reordered to ``ids`` as a ``W`` (or ``Graph``), transformed.

    Parameters
    ----------
    w : libpysal.graph.Graph or libpysal.weights.W
        The spatial weights.
    ids : sequence
        Unit ids in the order of the data rows (one cross-section).
    transform : str or None
        ``"r"`` row-standardises (default), ``"b"`` binary, ``None`` keeps as is.
    allow_islands : bool
        If False, units without neighbours raise :class:`WeightsError`.
    kind : {"W", "Graph"}
        What to return.

    Raises
    ------
    WeightsError
        Units of the data missing from the weights (listed by name), units in the
        weights that the data lacks, duplicate ids, or islands.

    Examples
    --------
    >>> from libpysal.graph import Graph
    >>> import numpy as np
    >>> g = Graph.from_arrays(["a", "b", "b", "c"], ["b", "a", "c", "b"], np.ones(4))
    >>> w = align_weights(g, ["c", "b", "a"])
    >>> w.id_order
    ['c', 'b', 'a']
    >>> align_weights(g, ["a", "b", "x"])
    Traceback (most recent call last):
    ...
    spatialgreen.errors.WeightsError: units missing from the weights: 'x'; ...
    """
    from libpysal.graph import Graph

    ids = list(ids)
    if len(set(ids)) != len(ids):
        counts = pd.Series(ids).value_counts()
        dups = sorted(str(i) for i in counts.index[counts > 1])
        raise WeightsError(f"duplicate unit ids in the data: {', '.join(dups)}")
    have = weights_ids(w)
    have_set = set(have)
    missing = [i for i in ids if i not in have_set]
    extra = [i for i in have if i not in set(ids)]
    if missing or extra:
        parts = []
        if missing:
            parts.append(
                "units missing from the weights: " + ", ".join(map(repr, missing[:30]))
            )
        if extra:
            parts.append(
                "weights also have units absent from the data: "
                + ", ".join(map(repr, extra[:30]))
            )
        raise WeightsError("; ".join(parts))

    graph = w if _is_graph(w) else Graph.from_W(w)
    graph = Graph.from_arrays(*_reorder(graph, ids))
    islands = list(graph.isolates)
    if islands and not allow_islands:
        raise WeightsError(
            "units without neighbours (islands): "
            + ", ".join(map(repr, islands))
            + "; build the weights with an islands policy "
            "(spatialgreen.spatial_weights(..., islands=...))"
        )
    if transform:
        graph = graph.transform(
            transform.upper() if transform.lower() == "r" else transform
        )
    if kind == "Graph":
        return graph
    out = graph.to_W()
    return out


def _reorder(graph: Any, ids: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Edge arrays of ``graph`` sorted so that focal units follow ``ids``."""
    adj = graph.adjacency.reset_index()
    focal, neighbor, weight = adj.columns[:3]
    rank = {u: i for i, u in enumerate(ids)}
    order = np.lexsort(
        (adj[neighbor].map(rank).to_numpy(), adj[focal].map(rank).to_numpy())
    )
    adj = adj.iloc[order]
    return (
        adj[focal].to_numpy(),
        adj[neighbor].to_numpy(),
        adj[weight].to_numpy(dtype=float),
    )
