"""Inter-city technology-transfer flows: tables, networks and regional integration.

The reference study ("Ecological green integration in the Yangtze River Delta from
the perspective of inter-city green technology transfer") follows green-patent
transfers between cities, 2001–2020: flows inside the region, between the region
and outside hubs (Beijing–Tianjin, the Pearl River Delta), the core cities of the
network, and the degree of integration at the overall, supply and sales levels.
:func:`transfer_flows` computes all of these from transfer records.

Integration indices
-------------------
For a region :math:`R` and a period, let :math:`W` be the transfers between two
cities of :math:`R`, :math:`O` those from a city of :math:`R` to a city outside
(the region *supplies*), and :math:`I` those from outside into :math:`R` (the
region *buys*). Following the intra-regional share indicators of trade
integration (Iapadre 2006; the Asian Development Bank's ARIC intraregional trade
share), the indices are

.. math::

    \\text{supply} = \\frac{W}{W + O}, \\qquad
    \\text{sales} = \\frac{W}{W + I}, \\qquad
    \\text{overall} = \\frac{2W}{2W + O + I},

the shares of the region's outgoing, incoming and total (outgoing + incoming)
transfers that stay inside the region; an intra-regional transfer is both an
outgoing and an incoming one, hence :math:`2W`. They lie in [0, 1] and rise as
the region's technology market integrates. ``density`` is the share of ordered
pairs of region cities linked by at least one transfer in the period (NaN
for a one-city region).

References
----------
Iapadre, L. (2006). Regional integration agreements and the geography of world
trade: statistical indicators and empirical evidence. In P. De Lombaerde (ed.),
*Assessment and Measurement of Regional Integration*, Routledge, 65–85.

Opsahl, T., Agneessens, F. and Skvoretz, J. (2010). Node centrality in weighted
networks: generalizing degree and shortest paths. *Social Networks* 32(3), 245–251.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from ..errors import DataError
from ..geo.places import Places
from ..results import Results
from ._ipc import GreenIPC
from ._network import network_tables
from ._records import _clean_records, _flag_green, _periods, _split_self
from ._regional import _groups, _scope, regional_tables

__all__ = ["FlowResults", "transfer_flows"]


@dataclasses.dataclass(frozen=True)
class FlowResults(Results):
    """Technology-transfer flow tables, network measures and integration indices.

    Attributes
    ----------
    flows : DataFrame
        One row per period, origin and destination city (adcodes and names) with
        the summed ``count`` and its ``scope`` relative to the region (within,
        outflow, inflow, external; NA without a region).
    regional : DataFrame
        Per period: transfers ``within`` the region, ``outflow`` (region → outside),
        ``inflow`` (outside → region), ``external`` (neither end inside), ``total``.
    between : DataFrame
        Per period, origin group and destination group (the region's cities form
        one group; other cities are grouped by province or by ``groups``).
    partners : DataFrame
        Per period and outside group: transfers it ``supplied_to_region`` and
        ``bought_from_region``.
    network : DataFrame
        Per period and city: ``in_degree``, ``out_degree`` (distinct partners),
        ``in_strength``, ``out_strength``, ``strength`` (transfers), ``betweenness``
        (weighted, distance = 1 / count), ``eigenvector`` (undirected, weight = count
        both ways; on the largest connected component, 0 for cities outside it),
        ``pagerank`` (directed, weighted, damping 0.85) and ``core``.
    core : DataFrame
        Per period, the core cities: the fewest top-strength cities that together
        hold at least ``core_share`` of all transfer endpoints.
    integration : DataFrame
        Per period: ``within``, ``outflow``, ``inflow``, the ``overall``, ``supply``
        and ``sales`` indices (see the module notes) and ``density``; NaN with a
        ``note`` when a period has no transfer touching the region.
    flow_lines : DataFrame
        Map data: one line per period and city pair with ``o_lon, o_lat, d_lon,
        d_lat`` (city centroids) and ``count``.
    records : DataFrame
        The input records as used: adcodes, names, ``period`` and, with IPC codes,
        ``green`` and ``green_category``.
    self_transfers : DataFrame
        Records whose origin and destination are the same city; they are not flows
        between cities and are left out of every table.
    meta : dict
        Options of the run.
    """

    flows: pd.DataFrame
    regional: pd.DataFrame
    between: pd.DataFrame
    partners: pd.DataFrame
    network: pd.DataFrame
    core: pd.DataFrame
    integration: pd.DataFrame
    flow_lines: pd.DataFrame
    records: pd.DataFrame
    self_transfers: pd.DataFrame
    meta: dict = dataclasses.field(default_factory=dict)

    def od_matrix(self, period: Any = None, *, names: bool = True) -> pd.DataFrame:
        """Origin (rows) × destination (columns) matrix of transfer counts.

        Parameters
        ----------
        period : optional
            A period label of ``flows``; default: all periods summed.
        names : bool
            Label rows and columns with city names (default) or adcodes.

        Examples
        --------
        >>> import pandas as pd
        >>> rec = pd.DataFrame({"origin": ["A", "B"], "destination": ["B", "A"],
        ...                     "year": [2020, 2021], "count": [3, 1]})
        >>> gaz = pd.DataFrame({"name": ["A", "B"], "adcode": [1, 2],
        ...                     "lon": [120.0, 121.0], "lat": [31.0, 31.0]})
        >>> transfer_flows(rec, places=gaz).od_matrix().to_numpy().tolist()
        [[0, 3], [1, 0]]
        """
        flows = self.flows
        if period is not None:
            if period not in set(flows["period"]):
                raise DataError(
                    f"no period {period!r}; periods are {sorted(set(flows['period']))}"
                )
            flows = flows[flows["period"] == period]
        key = (
            ("origin_name", "destination_name") if names else ("origin", "destination")
        )
        cities = list(dict.fromkeys([*flows[key[0]], *flows[key[1]]]))
        return flows.pivot_table(
            index=key[0], columns=key[1], values="count", aggfunc="sum", fill_value=0
        ).reindex(index=cities, columns=cities, fill_value=0)


def transfer_flows(
    records: pd.DataFrame,
    *,
    origin: str = "origin",
    destination: str = "destination",
    time: str = "year",
    count: str = "count",
    ipc: str | None = None,
    green_only: bool = False,
    green_ipc: pd.DataFrame | str | list[str] | None = None,
    region: Sequence[Any] | str | None = None,
    region_name: str = "region",
    groups: Mapping[Any, str] | None = None,
    periods: int | Sequence[tuple[int, int]] | None = None,
    self_transfers: str = "drop",
    core_share: float = 0.5,
    places: pd.DataFrame | None = None,
    centralities: bool = True,
    progress: bool | None = None,
) -> FlowResults:
    """Flow tables, networks and integration indices from transfer records.

    Parameters
    ----------
    records : DataFrame
        One row per transfer record: origin city, destination city, year, count and
        optionally IPC codes (several per cell separated by ``;``).
    origin, destination, time, count : str
        Column names.
    ipc : str, optional
        Column of IPC codes; adds ``green`` and ``green_category`` to ``records``.
    green_only : bool
        Keep only green records (needs ``ipc``).
    green_ipc : DataFrame, CSV path or list of str, optional
        Green IPC classes (column ``ipc``); default: the shipped WIPO IPC Green
        Inventory subset (``spatialgreen/datasets/green_ipc``).
    region : sequence or str, optional
        Names or adcodes of the cities forming the focal region (e.g. the 41 cities
        of the Yangtze River Delta), or the name of a city grouping of the geo
        module (``"yrd26"``, ``"jjj"``, ``"prd"``, ``"yreb"``). Without it, the
        regional tables are empty.
    region_name : str
        Label of the region in the ``between`` table.
    groups : mapping, optional
        City name or adcode → group label for the ``between`` and ``partners``
        tables (e.g. Beijing and Tianjin → "Beijing–Tianjin"); other outside cities
        are grouped by province.
    periods : int or sequence of (first, last) years, optional
        ``None``: every year from the first to the last (years without records
        appear with zero flows); an int: consecutive blocks of that many years;
        pairs: explicit inclusive periods (records outside all are an error).
    self_transfers : {"drop", "raise"}
        Records from a city to itself are not inter-city flows: ``"drop"`` moves
        them to ``.self_transfers`` with a warning; ``"raise"`` makes them an error.
    core_share : float
        Share of all transfer endpoints held by the core cities (0 < share ≤ 1).
    places : DataFrame, optional
        Gazetteer (``name, adcode, lon, lat``) replacing the geo module's city
        matching and centroids.
    centralities : bool
        Compute betweenness, eigenvector and PageRank (default); False leaves them
        NaN and saves most of the time on large networks.
    progress : bool, optional
        Progress bar over periods; default: shown for 5+ periods on a terminal.

    Returns
    -------
    FlowResults

    Raises
    ------
    UnmatchedUnitError
        City names that match no city (all listed).
    DataError
        Missing columns, missing or non-integer years, missing, negative or
        non-numeric counts, self-transfers with ``self_transfers="raise"``.

    Examples
    --------
    >>> import pandas as pd
    >>> gaz = pd.DataFrame({"name": ["A", "B", "C"], "adcode": [1, 2, 3],
    ...                     "lon": [120.0, 121.0, 116.0], "lat": [31.0, 31.0, 40.0]})
    >>> rec = pd.DataFrame({"origin": ["A", "A", "C", "B"],
    ...                     "destination": ["B", "C", "A", "A"],
    ...                     "year": [2020] * 4, "count": [3, 1, 2, 1]})
    >>> res = transfer_flows(rec, region=["A", "B"], places=gaz)
    >>> res.integration.loc[0, ["within", "outflow", "inflow"]].tolist()
    [4, 1, 2]
    >>> res.integration.loc[0, ["supply", "sales"]].round(3).tolist()
    [0.8, 0.667]
    """
    if self_transfers not in ("drop", "raise"):
        raise DataError(
            f"self_transfers must be 'drop' or 'raise', got {self_transfers!r}"
        )
    if not 0 < core_share <= 1:
        raise DataError(f"core_share must be in (0, 1], got {core_share!r}")
    if green_only and ipc is None:
        raise DataError("green_only=True needs the column of IPC codes: ipc=...")
    gazetteer = Places(places)
    data = _clean_records(records, origin, destination, time, count, ipc)
    codes = gazetteer.resolve([*data["origin_label"], *data["destination_label"]])
    data["origin"] = data["origin_label"].map(codes)
    data["destination"] = data["destination_label"].map(codes)
    # periods span the years of all records, so that dropping self-transfers or
    # non-green records never shifts the period blocks or drops empty years
    data["period"], labels = _periods(data["year"], periods)
    if ipc is not None:
        data = _flag_green(data, GreenIPC(green_ipc))
    if green_only:
        data = data[data["green"]]
    data, selfs = _split_self(data, self_transfers)
    region_codes = _region_codes(region, gazetteer)
    cities = list(dict.fromkeys([*data["origin"], *data["destination"], *region_codes]))
    info = gazetteer.attributes(cities) if cities else _empty_info()
    data["origin_name"] = data["origin"].map(info["name"])
    data["destination_name"] = data["destination"].map(info["name"])

    flows = _aggregate(data, region_codes)
    group_of = _groups(cities, info, region_codes, region_name, groups, gazetteer)
    network, core = network_tables(
        flows, labels, info, core_share, centralities=centralities, progress=progress
    )
    return FlowResults(
        flows=flows,
        network=network,
        core=core,
        flow_lines=_flow_lines(flows, info),
        **regional_tables(flows, labels, region_codes, group_of, region_name),
        records=data.reset_index(drop=True),
        self_transfers=selfs,
        meta={
            "model": "technology-transfer flows",
            "periods": ", ".join(labels),
            "region_cities": len(region_codes),
            "green_only": green_only,
            "green_ipc": "shipped WIPO IPC Green Inventory subset"
            if green_ipc is None
            else "user list",
            "betweenness_distance": "1 / count",
            "core_share": core_share,
            "integration": "intra-regional shares (Iapadre 2006)",
            "places": gazetteer.source,
        },
    )


def _region_codes(region: Sequence[Any] | str | None, places: Places) -> list[Any]:
    if region is None:
        return []
    if isinstance(region, str):
        if places.source != "geo":
            raise DataError(
                f"region={region!r} names a geo grouping; with a gazetteer pass the "
                "list of its cities"
            )
        from ..geo import study_units

        return list(study_units(region, level="city"))
    codes = places.resolve(list(region))
    return list(dict.fromkeys(codes[r] for r in region))


def _empty_info() -> pd.DataFrame:
    return pd.DataFrame(
        columns=["name", "lon", "lat", "province", "province_name", "region"]
    )


def _aggregate(data: pd.DataFrame, region: list[Any]) -> pd.DataFrame:
    keys = ["period", "origin", "destination", "origin_name", "destination_name"]
    flows = (
        data.groupby(keys, sort=False, observed=True, dropna=False)["count"]
        .sum()
        .reset_index()
    )
    flows = flows[flows["count"] > 0]
    flows["scope"] = _scope(flows["origin"], flows["destination"], region)
    return flows.sort_values(
        ["period", "count"], ascending=[True, False], kind="stable"
    ).reset_index(drop=True)


def _flow_lines(flows: pd.DataFrame, info: pd.DataFrame) -> pd.DataFrame:
    out = flows[
        [
            "period",
            "origin",
            "destination",
            "origin_name",
            "destination_name",
            "count",
            "scope",
        ]
    ].copy()
    out["o_lon"] = flows["origin"].map(info["lon"]).to_numpy(dtype=float)
    out["o_lat"] = flows["origin"].map(info["lat"]).to_numpy(dtype=float)
    out["d_lon"] = flows["destination"].map(info["lon"]).to_numpy(dtype=float)
    out["d_lat"] = flows["destination"].map(info["lat"]).to_numpy(dtype=float)
    return out
