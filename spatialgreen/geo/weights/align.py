"""Coerce user weights (``libpysal.graph.Graph`` or ``libpysal.weights.W``) to what
a consumer needs, aligned with the units of a data set.

spreg and some esda routines still take ``W``; the geo module builds ``Graph``.
Every spatial routine funnels its ``w`` argument through :func:`weights_for` (which
calls :func:`align_weights`) so that a unit missing from the weights, an extra unit,
or an island is reported by name instead of producing silently misaligned numbers.
:func:`relabel_weights` renames ids and :func:`describe_weights` records how the
weights were built for a results object's metadata.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ...errors import OptionError, WeightsError

__all__ = [
    "align_weights",
    "describe_weights",
    "relabel_weights",
    "weights_for",
    "weights_ids",
]


#: libpysal's weights transformations (any case): row-standardised, binary,
#: doubly standardised, variance-stabilising, original
_TRANSFORMS = ("r", "b", "d", "v", "o")


def _check_transform(transform: Any, option: str = "transform") -> str | None:
    """``transform`` if it is ``None`` or one of libpysal's letters (any case), else
    :class:`~spatialgreen.errors.OptionError` naming the option (``_TRANSFORMS``).

    Examples
    --------
    >>> _check_transform("R"), _check_transform(None)
    ('R', None)
    >>> _check_transform("row")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    spatialgreen.errors.OptionError: transform='row': must be None or one of 'r', ...
    """
    if transform is None or (
        isinstance(transform, str) and transform.lower() in _TRANSFORMS
    ):
        return transform
    listed = ", ".join(map(repr, _TRANSFORMS))
    raise OptionError(
        f"{option}={transform!r}: must be None or one of {listed} (any case)"
    )


def _is_graph(w: Any) -> bool:
    return type(w).__name__ == "Graph" and hasattr(w, "to_W")


def weights_ids(w: Any) -> list:
    """The unit ids of ``w`` in its own order.

    Examples
    --------
    >>> from libpysal.weights import W
    >>> weights_ids(W({"a": ["b"], "b": ["a"]}, id_order=["b", "a"]))
    ['b', 'a']
    """
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
        ``"r"`` row-standardises (default), ``"b"`` binary, ``"d"`` doubly
        standardised, ``"v"`` variance-stabilising, ``None`` or ``"o"`` keeps as
        is; any other value raises :class:`~spatialgreen.errors.OptionError`.
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

    _check_transform(transform)
    ids = list(ids)
    if len(set(ids)) != len(ids):
        counts = pd.Series(ids).value_counts()
        dups = sorted(str(i) for i in counts.index[counts > 1])
        raise WeightsError(f"duplicate unit ids in the data: {', '.join(dups)}")
    have = weights_ids(w)
    have_set, ids_set = set(have), set(ids)
    missing = [i for i in ids if i not in have_set]
    extra = [i for i in have if i not in ids_set]
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

    graph = Graph.from_arrays(*_reorder(_as_graph(w), ids))
    islands = list(graph.isolates)
    if islands and not allow_islands:
        raise WeightsError(
            "units without neighbours (islands): "
            + ", ".join(map(repr, islands))
            + "; build the weights with an islands policy "
            "(spatialgreen.spatial_weights(..., islands=...))"
        )
    if transform and transform.lower() != "o":
        graph = graph.transform(transform.upper())
    if kind == "Graph":
        return graph
    return _to_w(graph)


def weights_for(
    w: Any,
    ids: Sequence,
    *,
    transform: str | None = "r",
    allow_islands: bool = False,
) -> Any:
    """Align ``w`` to ``ids`` as a ``W`` (:func:`align_weights`), matching ids that
    differ only in type (``1`` vs ``"1"``, common with GAL files read as text) by
    their string form.

    Parameters
    ----------
    w, ids, transform, allow_islands
        As in :func:`align_weights`.

    Returns
    -------
    libpysal.weights.W
        Ordered as ``ids`` and transformed.

    Examples
    --------
    >>> from libpysal.weights import W
    >>> w = W({"1": ["2"], "2": ["1"]})
    >>> weights_for(w, [2, 1]).id_order
    [2, 1]
    """
    _check_transform(transform)
    have = weights_ids(w)
    if set(map(str, have)) == set(map(str, ids)) and set(have) != set(ids):
        by_text = {str(i): i for i in ids}
        w = relabel_weights(w, {h: by_text[str(h)] for h in have})
    return align_weights(w, ids, transform=transform, allow_islands=allow_islands)


def relabel_weights(w: Any, mapping: dict) -> Any:
    """A ``Graph`` of ``w`` with ids renamed by ``mapping``.

    Parameters
    ----------
    w : libpysal.graph.Graph or libpysal.weights.W
        The spatial weights.
    mapping : dict
        Old id → new id, for every id of ``w``.

    Returns
    -------
    libpysal.graph.Graph

    Examples
    --------
    >>> from libpysal.weights import W
    >>> g = relabel_weights(W({"a": ["b"], "b": ["a"]}), {"a": 1, "b": 2})
    >>> g.unique_ids.tolist()
    [1, 2]
    """
    from libpysal.graph import Graph

    focal, neighbor, weight = _edges(_as_graph(w))
    return Graph.from_arrays(
        pd.Series(focal).map(mapping).to_numpy(),
        pd.Series(neighbor).map(mapping).to_numpy(),
        weight,
    )


def describe_weights(w: Any, aligned: Any, *, transform: str | None = "r") -> dict:
    """How the weights were built, for a results object's metadata.

    The geo module's ``recipe`` (or a ``meta`` dict) if ``w`` has one, plus ``n``,
    ``transform``, ``mean_neighbors`` and ``source`` (the type of ``w``).

    Parameters
    ----------
    w : libpysal.graph.Graph or libpysal.weights.W
        The weights as given by the user.
    aligned : libpysal.weights.W
        The weights as used (e.g. from :func:`weights_for`).
    transform : str or None
        The transformation applied.

    Returns
    -------
    dict

    Examples
    --------
    >>> from libpysal.weights import lat2W
    >>> w = lat2W(2, 2)
    >>> describe_weights(w, w)["n"]
    4
    """
    info: dict = {}
    for attribute in ("recipe", "meta"):  # spatialgreen.geo attaches ``recipe``
        found = getattr(w, attribute, None)
        if isinstance(found, dict):
            info.update(found)
    info.setdefault("n", int(aligned.n))
    info.setdefault("transform", str(transform))
    info.setdefault("mean_neighbors", float(aligned.mean_neighbors))
    info.setdefault("source", type(w).__name__)
    return info


def _as_graph(w: Any) -> Any:
    from libpysal.graph import Graph

    return w if _is_graph(w) else Graph.from_W(w)


def _to_w(graph: Any) -> Any:
    """``graph.to_W()`` without its pandas group-by (a tenth of a second for the
    2,875 counties, 4 ms here): the same neighbours, weights and orders (tested)."""
    from libpysal.weights import W

    adj = graph.adjacency
    codes, focals = pd.factorize(adj.index.get_level_values(0))
    neighbor = adj.index.get_level_values(1).tolist()
    weight = adj.tolist()
    if (np.diff(codes) < 0).any():  # a focal unit's rows apart: group them, stably
        order = np.argsort(codes, kind="stable")
        neighbor = [neighbor[j] for j in order]
        weight = [weight[j] for j in order]
        codes = codes[order]
    cuts = (np.flatnonzero(np.diff(codes)) + 1).tolist()
    isolates = set(graph.isolates)
    neighbors: dict = {}
    weights: dict = {}
    for focal, start, end in zip(
        focals.tolist(), [0, *cuts], [*cuts, len(codes)], strict=True
    ):
        keep = focal not in isolates
        neighbors[focal] = neighbor[start:end] if keep else []
        weights[focal] = weight[start:end] if keep else []
    return W(
        neighbors=neighbors,
        weights=weights,
        id_order=graph.unique_ids.tolist(),
        silence_warnings=True,
    )


def _edges(graph: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Focal, neighbour and weight arrays of ``graph`` (isolates as self, 0)."""
    adj = graph.adjacency.reset_index()
    focal, neighbor, weight = adj.columns[:3]
    return (
        adj[focal].to_numpy(),
        adj[neighbor].to_numpy(),
        adj[weight].to_numpy(dtype=float),
    )


def _reorder(graph: Any, ids: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Edge arrays of ``graph`` sorted so that focal units follow ``ids``."""
    focal, neighbor, weight = _edges(graph)
    rank = {u: i for i, u in enumerate(ids)}
    order = np.lexsort(
        (
            pd.Series(neighbor).map(rank).to_numpy(),
            pd.Series(focal).map(rank).to_numpy(),
        )
    )
    return focal[order], neighbor[order], weight[order]
