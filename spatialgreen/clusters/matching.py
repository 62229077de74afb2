"""National industrial clusters ↔ online industrial belts: co-location and industries.

Zhao, Dai, Fan and Ma ("Digitalization of national industrial clusters in China:
estimation from online industrial belts") match the national industrial clusters
named by NDRC, MIIT and MOST with the online industrial belts an e-commerce platform
publishes, city by city and industry by industry. :func:`match_clusters` repeats the
procedure on any two tables:

1. every cluster city and belt city (or county, rolled up to its prefecture) is
   matched to an adcode; unmatched names are listed in an error, never dropped;
2. industry texts (Chinese or English) are mapped to GB/T 4754-2017 divisions with
   a keyword dictionary (longest keyword first; shipped, overridable);
3. a cluster and a belt are *co-located* when they share a city (or, with
   ``within_km``, when their city centroids lie within that great-circle distance);
4. a co-located pair is *identical* (a shared division), *similar* (a pair in
   the related-division table — supply chains such as textile ↔ apparel — or, only
   with ``section_similar=True``, any two divisions of one GB/T section) or
   *unrelated*;
5. each cluster takes its closest class over all its belts, and the shares the
   study reports are computed overall, by programme and by region.

The study's figures follow these definitions: 72 cities host both (91.1 % of the
cities with clusters, hence 79); 134 of 159 clusters (84.3 %) are co-located with a
belt of an identical (44.7 %, hence 71) or similar (39.6 %, hence 63) industry.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from ..geo.places import Places
from ..results import Results
from ._industry import MATCH_CLASSES, TableLike, industry_tables
from ._inputs import _prepare_belts, _prepare_clusters, _resolve, _unclassified
from ._shares import _per_cluster, _share_table
from .spatial import ClusterSpatialResults, spatial_view

__all__ = [
    "ClusterMatchResults",
    "ClusterSpatialResults",
    "classify_industry",
    "match_clusters",
]

_RANK = {cls: i for i, cls in enumerate(MATCH_CLASSES)}


def classify_industry(
    texts: Any, *, keywords: TableLike = None, divisions: TableLike = None
) -> pd.DataFrame:
    """Map free-text industries to GB/T 4754-2017 divisions and sections.

    Parameters
    ----------
    texts : sequence of str
        Industry or product descriptions, Chinese or English.
    keywords : DataFrame or CSV path, optional
        ``keyword, division`` rows replacing the shipped dictionary.
    divisions : DataFrame or CSV path, optional
        ``section, division`` rows replacing the shipped classification.

    Returns
    -------
    pandas.DataFrame
        ``text``, ``divisions`` and ``sections`` (``;``-joined codes, empty when
        no keyword matched).

    Examples
    --------
    >>> table = classify_industry(["纺织服装", "integrated circuits", "咨询"])
    >>> table["divisions"].tolist(), table["sections"].tolist()
    (['17;18', '39', ''], ['C', 'C', ''])
    """
    tables = industry_tables(keywords=keywords, divisions=divisions)
    rows = []
    for text in list(texts):
        divs = tables.classify(text)
        sections = dict.fromkeys(tables.section_of[d] for d in divs)
        rows.append(
            {"text": text, "divisions": ";".join(divs), "sections": ";".join(sections)}
        )
    return pd.DataFrame(rows, columns=["text", "divisions", "sections"])


@dataclasses.dataclass(frozen=True)
class ClusterMatchResults(Results):
    """Cluster–belt matches, the study's shares and the data a map needs.

    Attributes
    ----------
    matches : DataFrame
        One row per co-located cluster–belt pair: ``cluster``, ``programme``,
        ``belt``, the cities and adcodes through which they meet, ``distance_km``
        between the two city centroids (0 within a city), both industry texts and
        divisions, and ``match`` (identical, similar, unrelated, unclassified).
    shares : DataFrame
        Counts and shares by ``scope`` (all, programme, region) and ``group``: cities
        with clusters and with both, clusters co-located with any belt, clusters
        whose closest belt is identical or similar, and clusters matched (identical
        or similar) with exactly 2 or with 3+ belts. A cluster's class is the
        closest over its co-located belts. ``region`` groups clusters by the region
        (``region3`` of the geo module, or the gazetteer's ``region``) of their
        first-listed city; "cities with both" are cluster cities within reach of a
        belt.
    cluster_matches : DataFrame
        One row per cluster: its cities, region, number of co-located belts by
        class, its best class (``none`` if no belt is co-located) and the matched
        belts.
    clusters, belts : DataFrame
        The inputs as resolved: adcodes per place and divisions per industry.
    cluster_points, belt_points, pair_lines : DataFrame
        Map layers with ``lon``/``lat`` (points at city centroids; a multi-city
        cluster has one point per city) and ``o_lon, o_lat, d_lon, d_lat`` lines from
        each cluster city to its matched belts' cities.
    unclassified : DataFrame
        Industry texts that matched no keyword (pairs involving them are
        ``unclassified``).
    meta : dict
        Options of the run.
    """

    matches: pd.DataFrame
    shares: pd.DataFrame
    cluster_matches: pd.DataFrame
    clusters: pd.DataFrame
    belts: pd.DataFrame
    cluster_points: pd.DataFrame
    belt_points: pd.DataFrame
    pair_lines: pd.DataFrame
    unclassified: pd.DataFrame
    meta: dict = dataclasses.field(default_factory=dict)

    def report(self) -> str:
        """The text summary of every table (the same as :meth:`summary`)."""
        return self.summary()

    def spatial(self, level: str = "city", **options: Any) -> ClusterSpatialResults:
        """Counts and match rates per city or province on polygons, with Moran's I.

        Parameters
        ----------
        level : {"city", "province"}
            Units to count in. Needs the geo module's shipped polygons.
        **options
            ``w`` (weights over all units of ``level``), ``permutations`` (999) and
            ``seed`` (0) of Moran's I, as in
            :func:`~spatialgreen.clusters.spatial.spatial_view`.

        Examples
        --------
        >>> import pandas as pd
        >>> clusters = pd.DataFrame({"name": ["a"], "programme": ["p"],
        ...                          "city": ["苏州"], "industry": ["纺织"]})
        >>> belts = pd.DataFrame({"name": ["b"], "city": ["苏州"],
        ...                       "industry": ["服装"]})
        >>> view = match_clusters(clusters, belts).spatial("province", permutations=0)
        >>> view.units.set_index("adcode").loc[320000, ["clusters", "matched"]].tolist()
        [1, 1]
        """
        frames = (self.cluster_points, self.belt_points, self.cluster_matches)
        return spatial_view(*frames, level=level, **options)


def match_clusters(
    clusters: pd.DataFrame,
    belts: pd.DataFrame,
    *,
    name: str = "name",
    programme: str = "programme",
    city: str = "city",
    industry: str = "industry",
    belt_name: str = "name",
    belt_city: str = "city",
    belt_county: str | None = "county",
    belt_industry: str = "industry",
    within_km: float | None = None,
    section_similar: bool = False,
    keywords: TableLike = None,
    related: TableLike = None,
    places: pd.DataFrame | None = None,
) -> ClusterMatchResults:
    """Match national industrial clusters with online industrial belts.

    Parameters
    ----------
    clusters : DataFrame
        One row per cluster: name, programme, city (several joined by ``、`` ``,``
        ``;`` or ``/``) and industry text.
    belts : DataFrame
        One row per belt: name, city and/or county, industry or product text. A
        county is used when the city is empty and rolls up to its prefecture.
    name, programme, city, industry : str
        Cluster columns.
    belt_name, belt_city, belt_county, belt_industry : str
        Belt columns (``belt_county=None`` or a missing column: no county).
    within_km : float, optional
        Co-location radius between city centroids (great-circle km). Default: the
        same city only.
    section_similar : bool
        Also count any two divisions of the same GB/T section as similar. Off by
        default: section C alone holds 31 manufacturing divisions, so it makes
        biomedicine and silk "similar" (364 of the 409 co-located demo pairs);
        by default only the related-division table (``related``) makes a pair
        similar. The study's published shares reproduce either way.
    keywords, related : DataFrame or CSV path, optional
        Replace the shipped keyword dictionary (``keyword, division``) or the
        related-division table (``division_a, division_b``).
    places : DataFrame, optional
        A gazetteer (``name, adcode, lon, lat[, region, province]``) replacing the
        geo module's name matching and shipped centroids.

    Returns
    -------
    ClusterMatchResults

    Raises
    ------
    UnmatchedUnitError
        Any city or county name that matches no unit (all of them listed).
    DataError
        Missing columns, empty industry text, empty location, duplicate names.

    Examples
    --------
    >>> import pandas as pd
    >>> gaz = pd.DataFrame({"name": ["A", "B"], "adcode": [1, 2],
    ...                     "lon": [120.0, 121.0], "lat": [30.0, 30.0]})
    >>> clusters = pd.DataFrame({"name": ["c1", "c2"], "programme": ["p", "p"],
    ...                          "city": ["A", "B"], "industry": ["纺织", "集成电路"]})
    >>> belts = pd.DataFrame({"name": ["b1"], "city": ["A"], "industry": ["服装"]})
    >>> res = match_clusters(clusters, belts, places=gaz)
    >>> res.matches[["cluster", "belt", "match"]]
      cluster belt    match
    0      c1   b1  similar
    >>> shares = ["share_cities_with_both", "share_colocated", "share_similar"]
    >>> res.shares.loc[0, shares].tolist()
    [0.5, 0.5, 0.5]
    """
    if within_km is not None and not within_km >= 0:
        raise DataError(f"within_km must be a non-negative distance, got {within_km!r}")
    tables = industry_tables(keywords=keywords, related=related)
    gazetteer = Places(places)
    cl = _prepare_clusters(
        clusters, name=name, programme=programme, city=city, industry=industry
    )
    bl = _prepare_belts(
        belts,
        name=belt_name,
        city=belt_city,
        county=belt_county,
        industry=belt_industry,
    )
    cluster_cities, bl = _resolve(cl, bl, gazetteer)
    cl["divisions"] = [tables.classify(t) for t in cl["industry"]]
    bl["divisions"] = [tables.classify(t) for t in bl["industry"]]
    unclassified = _unclassified(cl, bl)

    coords = gazetteer.attributes(
        list(dict.fromkeys([*cluster_cities["adcode"], *bl["adcode"]]))
    )
    cluster_cities = cluster_cities.join(coords[["lon", "lat", "region"]], on="adcode")
    bl = bl.join(coords[["lon", "lat"]], on="adcode")
    first_city = cluster_cities.drop_duplicates("cluster").set_index("cluster")
    cl["region"] = cl["cluster"].map(first_city["region"])

    matches, meet_cities = _pairs(cluster_cities, bl, within_km)
    cl_divs = cl.set_index("cluster")["divisions"]
    bl_divs = bl.set_index("belt")["divisions"]
    matches["match"] = [
        tables.relation(cl_divs[c], bl_divs[b], by_section=section_similar)
        for c, b in zip(matches["cluster"], matches["belt"], strict=True)
    ]
    matches = _decorate_matches(matches, cl, bl)
    per_cluster = _per_cluster(cl, cluster_cities, matches)
    return ClusterMatchResults(
        matches=matches,
        shares=_share_table(per_cluster, cluster_cities, meet_cities),
        cluster_matches=per_cluster,
        clusters=_public(cl),
        belts=_public(bl),
        cluster_points=cluster_cities.rename(columns={"city_name": "city"})[
            ["cluster", "programme", "city", "adcode", "lon", "lat"]
        ].merge(per_cluster[["cluster", "best_match"]], on="cluster"),
        belt_points=bl[
            ["belt", "city_name", "adcode", "industry", "lon", "lat"]
        ].rename(columns={"city_name": "city"}),
        pair_lines=_pair_lines(matches, cluster_cities, bl),
        unclassified=unclassified,
        meta={
            "model": "cluster–belt matching",
            "colocation": "same city"
            if within_km is None
            else f"within {within_km} km",
            "similar": "same section or related division"
            if section_similar
            else "related division",
            "places": gazetteer.source,
            "keywords": "shipped" if keywords is None else "user",
            "related": "shipped" if related is None else "user",
        },
    )


def _pairs(
    cluster_cities: pd.DataFrame, bl: pd.DataFrame, within_km: float | None
) -> tuple[pd.DataFrame, set[tuple[str, str]]]:
    from ..geo import great_circle_km

    left = cluster_cities.rename(
        columns={"adcode": "cluster_adcode", "city_name": "cluster_city"}
    )
    right = bl[["belt", "adcode", "city_name"]].rename(
        columns={"adcode": "belt_adcode", "city_name": "belt_city"}
    )
    if within_km is None:
        pairs = left.merge(right, left_on="cluster_adcode", right_on="belt_adcode")
        pairs["distance_km"] = 0.0
    else:
        a = cluster_cities.drop_duplicates("adcode")
        b = bl.drop_duplicates("adcode")
        dist = great_circle_km(a["lon"], a["lat"], b["lon"], b["lat"])
        dist[a["adcode"].to_numpy()[:, None] == b["adcode"].to_numpy()[None, :]] = 0.0
        i, j = np.nonzero(dist <= within_km)
        near = pd.DataFrame(
            {
                "cluster_adcode": a["adcode"].to_numpy()[i],
                "belt_adcode": b["adcode"].to_numpy()[j],
                "distance_km": dist[i, j],
            }
        )
        pairs = left.merge(near, on="cluster_adcode").merge(right, on="belt_adcode")
    # A multi-city cluster may meet the same belt through two cities: every such
    # city hosts "both", but the pair counts once, through its closest city.
    meet = set(zip(pairs["cluster"], pairs["cluster_city"], strict=True))
    pairs = pairs.sort_values(["cluster", "belt", "distance_km"], kind="stable")
    pairs = pairs.drop_duplicates(["cluster", "belt"])
    columns = [
        "cluster", "programme", "belt", "cluster_city", "cluster_adcode",
        "belt_city", "belt_adcode", "distance_km",
    ]  # fmt: skip
    return pairs[columns].reset_index(drop=True), meet


def _decorate_matches(
    matches: pd.DataFrame, cl: pd.DataFrame, bl: pd.DataFrame
) -> pd.DataFrame:
    cl_info = cl.set_index("cluster")
    bl_info = bl.set_index("belt")
    out = matches.copy()
    out["cluster_industry"] = out["cluster"].map(cl_info["industry"])
    out["belt_industry"] = out["belt"].map(bl_info["industry"])
    out["cluster_divisions"] = out["cluster"].map(cl_info["divisions"].map(";".join))
    out["belt_divisions"] = out["belt"].map(bl_info["divisions"].map(";".join))
    order = {name: i for i, name in enumerate(cl["cluster"])}
    out = out.sort_values(
        ["cluster", "match", "distance_km", "belt"],
        key=lambda s: (
            s.map(order)
            if s.name == "cluster"
            else s.map(_RANK)
            if s.name == "match"
            else s
        ),
        kind="stable",
    )
    cols = [
        "cluster", "programme", "belt", "match", "cluster_city", "cluster_adcode",
        "belt_city", "belt_adcode", "distance_km", "cluster_industry", "belt_industry",
        "cluster_divisions", "belt_divisions",
    ]  # fmt: skip
    return out[cols].reset_index(drop=True)


def _pair_lines(
    matches: pd.DataFrame, cluster_cities: pd.DataFrame, bl: pd.DataFrame
) -> pd.DataFrame:
    xy = cluster_cities.drop_duplicates("adcode").set_index("adcode")[["lon", "lat"]]
    bxy = bl.set_index("belt")[["lon", "lat"]]
    out = matches[["cluster", "belt", "match", "distance_km"]].copy()
    out["o_lon"] = matches["cluster_adcode"].map(xy["lon"]).to_numpy()
    out["o_lat"] = matches["cluster_adcode"].map(xy["lat"]).to_numpy()
    out["d_lon"] = matches["belt"].map(bxy["lon"]).to_numpy()
    out["d_lat"] = matches["belt"].map(bxy["lat"]).to_numpy()
    return out


def _public(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["divisions"] = out["divisions"].map(";".join)
    return out
