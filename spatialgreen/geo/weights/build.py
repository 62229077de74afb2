"""Spatial weights for Chinese provinces, cities and counties as ``libpysal`` Graphs.

Contiguity comes from the adjacency computed on the full-resolution polygons at
build time (shipped), never from the simplified display polygons, because
simplification adds and removes neighbours. Distances are great-circle
(haversine) distances in km between area centroids, on a sphere of the mean Earth
radius (6371.0088 km).

Every Graph returned by :func:`spatial_weights` carries a ``recipe`` attribute
(a dict: level, kind, options, islands policy and the links it added, transform).
libpysal does not propagate extra attributes, so a Graph derived from it (e.g. by
``.transform()``) has no recipe; :func:`weights_recipe` returns ``None`` then.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from ...errors import DataError, WeightsError, check_int
from .._data import adjacency_table, check_level
from ..boundaries import unit_table
from ..names import match_units
from .align import _check_transform, relabel_weights

__all__ = [
    "EARTH_RADIUS_KM",
    "great_circle_km",
    "polygon_weights",
    "spatial_weights",
    "weights_for_units",
    "weights_recipe",
]

#: mean Earth radius (IUGG), km
EARTH_RADIUS_KM = 6371.0088
WeightsKind = Literal[
    "queen",
    "rook",
    "knn",
    "distance_band",
    "inverse_distance",
    "economic",
    "nested",
]
_KINDS: tuple[str, ...] = get_args(WeightsKind)


def great_circle_km(
    lon: Any, lat: Any, lon2: Any = None, lat2: Any = None
) -> np.ndarray:
    """Haversine distances in km: all pairs of one set, or between two sets.

    Examples
    --------
    >>> d = great_circle_km([116.40, 121.47], [39.90, 31.23])  # Beijing, Shanghai
    >>> round(float(d[0, 1]))
    1067
    """
    lon1 = np.radians(np.asarray(lon, dtype=float))[:, None]
    lat1 = np.radians(np.asarray(lat, dtype=float))[:, None]
    lon2 = (
        lon1.T if lon2 is None else np.radians(np.asarray(lon2, dtype=float))[None, :]
    )
    lat2 = (
        lat1.T if lat2 is None else np.radians(np.asarray(lat2, dtype=float))[None, :]
    )
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def weights_recipe(graph: Any) -> dict[str, Any] | None:
    """How a Graph from :func:`spatial_weights` was built (None if unknown).

    Examples
    --------
    >>> g = spatial_weights("province", kind="knn", k=3, study="gtfp30")
    >>> weights_recipe(g)["kind"], weights_recipe(g)["k"]
    ('knn', 3)
    """
    recipe = getattr(graph, "recipe", None)
    return dict(recipe) if isinstance(recipe, dict) else None


def _resolve_units(
    data_or_level: Any, *, level: str, unit: str, ids: Any, study: Any
) -> tuple[str, list[int], pd.DataFrame | None]:
    from ..names import match_units
    from ..regions import study_units

    data = None
    if isinstance(data_or_level, str):
        level = check_level(data_or_level)
    elif isinstance(data_or_level, pd.DataFrame):
        check_level(level)
        data = data_or_level
        if unit not in data.columns:
            raise DataError(
                f"column {unit!r} (unit names or adcodes) not in the data; "
                "pass unit=..."
            )
        codes = match_units(data[unit].tolist(), level=level)
        data = data.assign(__adcode=codes)
        if ids is None:
            ids = sorted(set(codes))
    else:
        raise DataError(
            "spatial_weights needs a level ('province', 'city', 'county') or a "
            f"DataFrame with a unit column, got {type(data_or_level).__name__}"
        )
    if ids is not None:
        out = match_units(list(ids), level=level)
        if study is not None:
            allowed = set(study_units(study, level))
            outside = [a for a in out if a not in allowed]
            if outside:
                raise DataError(f"units {outside} are outside study {study!r}")
    elif study is not None:
        out = study_units(study, level)
    else:
        out = sorted(unit_table(level)["adcode"].astype(int).tolist())
    if len(set(out)) != len(out):
        given = list(ids) if ids is not None else out
        by_code: dict[int, list[Any]] = {}
        for name, code in zip(given, out, strict=True):
            by_code.setdefault(code, []).append(name)
        twice = "; ".join(
            " and ".join(repr(n) for n in names) + f" (adcode {code})"
            for code, names in by_code.items()
            if len(names) > 1
        )
        raise DataError(f"ids list a unit more than once: {twice}")
    return level, out, data


def _contiguity(level: str, ids: list[int], *, rook: bool) -> np.ndarray:
    links = adjacency_table(level)
    if rook:
        links = links.loc[links["rook"].astype(bool)]
    pos = {a: i for i, a in enumerate(ids)}
    a = links["adcode_a"].map(pos)
    b = links["adcode_b"].map(pos)
    keep = a.notna() & b.notna()
    matrix = np.zeros((len(ids), len(ids)))
    matrix[a[keep].astype(int), b[keep].astype(int)] = 1.0
    matrix[b[keep].astype(int), a[keep].astype(int)] = 1.0
    return matrix


def _unit_means(
    data: pd.DataFrame | None, variable: str | None, ids: list[int]
) -> np.ndarray:
    if data is None or variable is None:
        raise DataError("economic weights need data=DataFrame and variable='column'")
    if variable not in data.columns:
        raise DataError(f"variable {variable!r} is not a column of the data")
    values = pd.to_numeric(data[variable], errors="coerce")
    bad = data.loc[values.isna(), "__adcode"].unique().tolist()
    if bad:
        raise DataError(
            f"variable {variable!r} is missing or not numeric for units {bad}"
        )
    means = values.groupby(data["__adcode"]).mean().reindex(ids)
    absent = means.index[means.isna()].tolist()
    if absent:
        raise DataError(f"variable {variable!r} has no data for units {absent}")
    return means.to_numpy()


def _economic(means: np.ndarray, ids: list[int]) -> np.ndarray:
    gap = np.abs(means[:, None] - means[None, :])
    np.fill_diagonal(gap, np.inf)
    if (gap == 0).any():
        i, j = np.argwhere(gap == 0)[0]
        raise WeightsError(
            f"units {ids[i]} and {ids[j]} have the same mean, "
            "so 1/|x̄i − x̄j| is infinite"
        )
    return 1.0 / gap


def _row_standardise(matrix: np.ndarray) -> np.ndarray:
    sums = matrix.sum(axis=1, keepdims=True)
    return np.divide(matrix, sums, out=np.zeros_like(matrix), where=sums > 0)


def _nearest_by_border(
    level: str, ids: list[int], isolated: list[int], k: int
) -> dict[int, list[int]]:
    """For each position ``i`` in ``isolated``: the positions of the ``k`` units
    whose borders are nearest unit ``i``'s, nearest first (distances between the
    display polygons in an Albers projection; ties in the order of ``ids``).

    Exact distances are computed only for the units whose bounding boxes are near
    enough to be among the ``k`` nearest: a border-to-border distance is at least
    the gap between the two bounding boxes (a tenth of the time for Hainan).
    """
    import shapely
    from pyproj import Transformer

    from .._build import ALBERS_CHINA
    from ..boundaries import _polygons

    to_albers = Transformer.from_crs("EPSG:4326", ALBERS_CHINA, always_xy=True)
    projected = shapely.transform(
        _polygons(level, ids),
        lambda c: np.column_stack(to_albers.transform(c[:, 0], c[:, 1])),
    )
    box = shapely.bounds(projected)  # xmin, ymin, xmax, ymax
    out = {}
    for i in isolated:
        dx = np.maximum(0.0, np.maximum(box[:, 0] - box[i, 2], box[i, 0] - box[:, 2]))
        dy = np.maximum(0.0, np.maximum(box[:, 1] - box[i, 3], box[i, 1] - box[:, 3]))
        low = np.hypot(dx, dy)
        low[i] = np.inf
        gap = np.full(len(ids), np.inf)
        first = np.argsort(low, kind="stable")[:k]
        gap[first] = shapely.distance(projected[i], projected[first])
        # every unit that could beat (or tie) the k-th distance so far, with a
        # margin for rounding; the others are farther than k units already are
        bound = np.sort(gap[first])[-1] * (1 + 1e-9) + 1e-6
        near = np.flatnonzero(low <= bound)
        gap[near] = shapely.distance(projected[i], projected[near])
        gap[i] = np.inf
        out[i] = [int(j) for j in np.argsort(gap, kind="stable") if j != i][:k]
    return out


def _repair_islands(
    matrix: np.ndarray,
    ids: list[int],
    islands: Any,
    level: str,
    island_k: int,
    link_weight: np.ndarray | None = None,
) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Link islands; an added link i–j weighs ``link_weight[i, j]`` (default 1).

    Weighted kinds (inverse distance) pass their own weights, so that an added
    link is on the scale of the other links of the neighbour's row.
    """
    from ..names import match_units

    def _weight(i: int, j: int) -> float:
        return 1.0 if link_weight is None else float(link_weight[i, j])

    isolated = [i for i in range(len(ids)) if not matrix[i].any()]
    if not isolated:
        return matrix, []
    if islands == "keep":
        return matrix, []
    names = unit_table(level).set_index("adcode")["name_zh"]
    if islands == "raise":
        listed = ", ".join(f"{names.get(ids[i], '?')} ({ids[i]})" for i in isolated)
        raise WeightsError(
            f"units without neighbours (islands): {listed}; choose islands='nearest' "
            "(link each to its nearest unit), islands={island: [neighbours]} or "
            "islands='keep'"
        )
    added: list[tuple[int, int]] = []
    matrix = matrix.copy()
    if islands == "nearest":
        nearest = _nearest_by_border(level, ids, isolated, island_k)
        for i in isolated:
            for j in nearest[i]:
                matrix[i, j] = matrix[j, i] = _weight(i, j)
                added.append((ids[i], ids[j]))
        return matrix, added
    if isinstance(islands, Mapping):
        pos = {a: k for k, a in enumerate(ids)}
        for island, neighbours in islands.items():
            (i,) = match_units([island], level=level)
            targets = (
                [neighbours] if isinstance(neighbours, (str, int)) else list(neighbours)
            )
            for j in match_units(targets, level=level):
                if i not in pos or j not in pos:
                    raise WeightsError(
                        f"island link {i}–{j} names a unit outside the weights"
                    )
                w_ij = _weight(pos[i], pos[j])
                matrix[pos[i], pos[j]] = matrix[pos[j], pos[i]] = w_ij
                added.append((i, j))
        still = [ids[i] for i in range(len(ids)) if not matrix[i].any()]
        if still:
            raise WeightsError(
                f"units still without neighbours after the given links: {still}"
            )
        return matrix, added
    raise DataError(
        f"islands must be 'raise', 'nearest', 'keep' or a dict, got {islands!r}"
    )


def spatial_weights(
    data_or_level: Any = "province",
    *,
    kind: WeightsKind = "queen",
    islands: str | Mapping[Any, Any] = "raise",
    k: int = 4,
    threshold: float | None = None,
    alpha: float = 1.0,
    variable: str | None = None,
    phi: float = 0.5,
    transform: str | None = "r",
    level: str = "province",
    unit: str = "unit",
    ids: Iterable[Any] | None = None,
    study: str | Iterable[Any] | None = None,
    island_k: int = 1,
) -> Any:
    """Build spatial weights as a ``libpysal.graph.Graph`` indexed by adcode.

    Parameters
    ----------
    data_or_level : {"province", "city", "county"} or DataFrame
        A level (all its units, or ``ids``/``study``), or a DataFrame whose
        ``unit`` column (names or adcodes) gives the units and whose ``variable``
        feeds economic weights (averaged over the years of a panel).
    kind : str
        ``"queen"``/``"rook"``: contiguity from full-resolution polygons.
        ``"knn"``: the ``k`` nearest centroids. ``"distance_band"``: 1 if the
        great-circle distance ≤ ``threshold`` km. ``"inverse_distance"``:
        :math:`1/d_{ij}^{\\alpha}` (all pairs, or within ``threshold``).
        ``"economic"``: :math:`1/|\\bar x_i - \\bar x_j|` of ``variable``.
        ``"nested"``: :math:`\\phi W_d + (1-\\phi) W_e` with :math:`W_d` the
        inverse-distance and :math:`W_e` the economic matrix, each row-standardised
        first (Shao et al. 2016).
    islands : {"raise", "nearest", "keep"} or dict
        Units without neighbours (contiguity, distance band): raise a
        :class:`WeightsError` naming them; link each to the ``island_k`` units
        whose borders are nearest (display polygons in an Albers projection;
        links go both ways, so Hainan joins Guangdong); keep them as isolates; or
        add user links ``{island: [neighbours]}`` (names or adcodes, symmetric).
    k, threshold, alpha, variable, phi : options of the kinds above.
    transform : str or None
        libpysal transformation: ``"r"`` row-standardised (default), ``"b"``
        binary, ``"v"`` variance-stabilising, ``"d"`` doubly standardised,
        ``None``/``"o"`` original weights.
    level : {"province", "city", "county"}
        Level of the units when a DataFrame is given.
    unit : str
        Unit column of the DataFrame.
    ids, study : optional
        Restrict to these units (names/adcodes) or this study set
        (see :func:`~spatialgreen.geo.regions.study_units`).
    island_k : int
        Number of links for ``islands="nearest"``.

    Returns
    -------
    libpysal.graph.Graph
        Index = adcodes (int) in ascending order (or the order of ``ids``), with
        ``.recipe`` describing the construction (see :func:`weights_recipe`).
        ``graph.to_W()`` gives a ``W`` for spreg.

    References
    ----------
    Shao S., Li X., Cao J., Yang L. (2016). China's economic policy choices for
    governing smog pollution based on spatial spillover effects. Economic
    Research Journal 51(9), 73–88 (the economic–geographic nested matrix).

    Examples
    --------
    >>> g = spatial_weights("province", kind="queen", study="gtfp30", islands="nearest")
    >>> g.n, weights_recipe(g)["islands_added"]
    (30, [(460000, 440000)])
    >>> g = spatial_weights("city", kind="knn", k=5)
    >>> sorted(set(g.cardinalities))
    [5]
    """

    if kind not in _KINDS:
        raise DataError(f"kind must be one of {', '.join(_KINDS)}, got {kind!r}")
    _check_transform(transform)
    if not isinstance(islands, Mapping) and islands not in ("raise", "nearest", "keep"):
        # checked here, not only when islands occur, so a typo never passes silently
        raise DataError(
            f"islands must be 'raise', 'nearest', 'keep' or a dict, got {islands!r}"
        )
    level, ids, data = _resolve_units(
        data_or_level, level=level, unit=unit, ids=ids, study=study
    )
    if len(ids) < 2:
        raise WeightsError(f"weights need at least 2 units, got {len(ids)}")
    table = unit_table(level).set_index("adcode").loc[ids]

    def distances() -> np.ndarray:  # only the kinds that use them (n² haversines)
        dist = great_circle_km(table["centroid_lon"], table["centroid_lat"])
        np.fill_diagonal(dist, np.inf)
        return dist

    recipe: dict[str, Any] = {"level": level, "kind": kind, "n": len(ids)}
    link_weight: np.ndarray | None = None
    if kind in ("queen", "rook"):
        matrix = _contiguity(level, ids, rook=kind == "rook")
        recipe["source"] = "full-resolution polygons (shipped adjacency)"
    elif kind == "knn":
        check_int(k, "k", minimum=1, maximum=len(ids) - 1)
        dist = distances()
        matrix = np.zeros_like(dist)
        nearest = np.argsort(dist, axis=1, kind="stable")[:, :k]
        np.put_along_axis(matrix, nearest, 1.0, axis=1)
        recipe["k"] = k
    elif kind == "distance_band":
        if threshold is None or threshold <= 0:
            raise WeightsError("distance_band needs threshold=<km> > 0")
        matrix = (distances() <= threshold).astype(float)
        recipe["threshold_km"] = threshold
    elif kind == "inverse_distance":
        dist = distances()
        matrix = 1.0 / dist**alpha
        link_weight = matrix.copy()
        if threshold is not None:
            matrix[dist > threshold] = 0.0
        recipe |= {"alpha": alpha, "threshold_km": threshold}
    else:
        means = _unit_means(data, variable, ids)
        economic = _economic(means, ids)
        recipe["variable"] = variable
        if kind == "economic":
            matrix = economic
        else:
            if not 0.0 <= phi <= 1.0:
                raise WeightsError(f"phi must lie in [0, 1], got {phi}")
            geographic = 1.0 / distances() ** alpha
            matrix = phi * _row_standardise(geographic) + (1 - phi) * _row_standardise(
                economic
            )
            recipe |= {"phi": phi, "alpha": alpha}
    np.fill_diagonal(matrix, 0.0)
    matrix, added = _repair_islands(matrix, ids, islands, level, island_k, link_weight)
    recipe |= {
        "islands": islands if isinstance(islands, str) else "user links",
        "islands_added": added,
        "transform": transform,
    }
    graph = _to_graph(matrix, ids)
    if transform and transform.lower() != "o":
        graph = graph.transform(transform.upper())
    graph.recipe = recipe
    return graph


def weights_for_units(
    level: str,
    units: Iterable[Any],
    *,
    kind: WeightsKind = "queen",
    islands: str | Mapping[Any, Any] | None = None,
    **options: Any,
) -> Any:
    """Shipped weights of ``level`` for a data set's units, keyed as the data are.

    Builds :func:`spatial_weights` on ``units`` (names or adcodes). When the data
    name their units (``"北京"``) the weights, keyed by adcode, are relabelled with
    those names, matched explicitly by :func:`~spatialgreen.geo.match_units`.

    Parameters
    ----------
    level : {"province", "city", "county"}
        Level of the units.
    units : iterable
        The data's unit ids (names or adcodes), one per unit.
    kind : str
        Kind of weights, as in :func:`spatial_weights`.
    islands : {"raise", "nearest", "keep"} or dict, optional
        Island policy; ``None`` keeps the default of :func:`spatial_weights`.
    **options
        Further options of :func:`spatial_weights` (``k``, ``threshold``,
        ``transform``, …).

    Returns
    -------
    libpysal.graph.Graph
        Keyed by the values of ``units``, with the ``recipe`` of the build.

    Raises
    ------
    UnmatchedUnitError
        A unit name that matches no unit of ``level``.
    WeightsError
        An island under ``islands="raise"``.

    Examples
    --------
    >>> g = weights_for_units("province", ["北京", "天津", "河北"])
    >>> sorted(g.neighbors["北京"])
    ['天津', '河北']
    >>> g.recipe["kind"]
    'queen'
    """
    units = list(units)
    if islands is not None:
        options["islands"] = islands
    graph = spatial_weights(level, kind=kind, ids=units, **options)
    if set(map(str, graph.unique_ids)) == set(map(str, units)):
        return graph
    # the data name their units while the weights are keyed by adcode: match
    # the names explicitly and label the weights with them
    codes = match_units(units, level=level)
    relabelled = relabel_weights(graph, dict(zip(codes, units, strict=True)))
    relabelled.recipe = weights_recipe(graph)
    return relabelled


def polygon_weights(
    polygons: Any,
    *,
    kind: Literal["queen", "rook"] = "queen",
    unit: str | None = None,
    transform: str | None = "r",
) -> Any:
    """Contiguity weights of a GeoDataFrame's own polygons (libpysal).

    For units other than the shipped Chinese ones (any GeoDataFrame); Chinese
    units should use :func:`spatial_weights`, whose contiguity comes from the
    full-resolution polygons.

    Parameters
    ----------
    polygons : geopandas.GeoDataFrame
        One row per unit.
    kind : {"queen", "rook"}
        Shared vertex (queen) or shared edge (rook).
    unit : str, optional
        Column of unit ids; default the index.
    transform : str or None
        libpysal transformation (``"r"`` row-standardised, default).

    Returns
    -------
    libpysal.graph.Graph

    Raises
    ------
    WeightsError
        Another ``kind``, or duplicate unit ids.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> gdf = gpd.GeoDataFrame({"id": ["a", "b", "c"]},
    ...     geometry=[box(i, 0, i + 1, 1) for i in range(3)])
    >>> sorted(polygon_weights(gdf, unit="id").neighbors["b"])
    ['a', 'c']
    """
    from libpysal.graph import Graph

    _check_transform(transform)
    if kind not in ("queen", "rook"):
        raise WeightsError(
            f"kind={kind!r} needs Chinese units (spatial_weights with an adcode "
            "column or level=); for other polygons use kind='queen' or 'rook', or "
            "pass w= yourself"
        )
    geometry = polygons.geometry if unit is None else polygons.set_index(unit).geometry
    if geometry.index.has_duplicates:
        dups = sorted({str(i) for i in geometry.index[geometry.index.duplicated()]})
        raise WeightsError(f"duplicate unit ids in the polygons: {', '.join(dups)}")
    graph = Graph.build_contiguity(geometry, rook=kind == "rook")
    if transform and transform.lower() != "o":
        graph = graph.transform(transform)
    return graph


def _to_graph(matrix: np.ndarray, ids: list[int]) -> Any:
    from libpysal.graph import Graph

    rows, cols = np.nonzero(matrix)
    isolated = np.flatnonzero(~matrix.any(axis=1))
    focal = np.concatenate([rows, isolated])
    neighbor = np.concatenate([cols, isolated])  # libpysal marks isolates as self, 0
    weight = np.concatenate([matrix[rows, cols], np.zeros(len(isolated))])
    order = np.lexsort((neighbor, focal))
    codes = np.asarray(ids, dtype=np.int64)
    return Graph.from_arrays(codes[focal[order]], codes[neighbor[order]], weight[order])
