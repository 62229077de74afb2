"""``gdf.spatialgreen``: weights, Moran's I, LISA, web and static maps (GeoDataFrames).

Registering needs only pandas (``pandas.api.extensions``); geopandas, libpysal, esda
and folium are imported when a method runs. Importing :mod:`spatialgreen` registers
the accessor.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> import spatialgreen.accessor  # noqa: F401  (done by ``import spatialgreen``)
>>> gdf = gpd.GeoDataFrame({"adcode": ["1", "2"], "v": [1.0, 2.0]},
...     geometry=[box(100, 30, 101, 31), box(101, 30, 102, 31)], crs=4326)
>>> type(gdf.spatialgreen.map("v", scheme="equal_interval", k=2)).__name__
'Map'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from .errors import _require

if TYPE_CHECKING:
    import folium
    from matplotlib.figure import Figure

__all__ = ["SpatialGreenAccessor"]


@pd.api.extensions.register_dataframe_accessor("spatialgreen")
class SpatialGreenAccessor:
    """spatialgreen methods on a GeoDataFrame (``gdf.spatialgreen.<method>``).

    Units are keyed by ``adcode`` when the frame has that column, else by its index;
    pass ``unit=`` to choose another column. For a long panel (several rows per
    unit) pass ``time=``; weights are then built from one row per unit.
    """

    def __init__(self, obj: pd.DataFrame):
        import geopandas as gpd

        if not isinstance(obj, gpd.GeoDataFrame):
            # AttributeError keeps hasattr(df, "spatialgreen") False for plain frames.
            raise AttributeError(
                "the .spatialgreen accessor works on GeoDataFrames; join your table "
                "to polygons first (spatialgreen.join_units(data, unit=..., level=...))"
            )
        self._obj = obj

    def _keyed(self, unit: str | None) -> tuple[pd.DataFrame, str]:
        """The frame with a unit column (the index materialised when needed)."""
        if unit is not None:
            return self._obj, unit
        if "adcode" in self._obj.columns:
            return self._obj, "adcode"
        name = self._obj.index.name or "unit"
        if name in self._obj.columns:
            name = "_unit"
        return self._obj.rename_axis(name).reset_index(), name

    def weights(
        self, *, unit: str | None = None, level: str | None = None, **kwargs: Any
    ) -> Any:
        """Spatial weights of the frame's units, as a ``libpysal.graph.Graph``.

        Chinese units (an ``adcode`` column, or ``level=`` with names in ``unit``) go
        through :func:`spatialgreen.spatial_weights`, which uses the shipped
        full-resolution adjacency and its island policies (options in ``kwargs``).
        Other frames get queen (or ``kind="rook"``) contiguity of their own
        polygons from libpysal, row-standardised.

        Examples
        --------
        >>> import geopandas as gpd
        >>> from shapely.geometry import box
        >>> gdf = gpd.GeoDataFrame({"v": [1, 2, 3]},
        ...     geometry=[box(i, 0, i + 1, 1) for i in range(3)])
        >>> sorted(gdf.spatialgreen.weights().neighbors[1])
        [0, 2]
        """
        frame, key = self._keyed(unit)
        if key == "adcode" or level is not None:
            from .geo import spatial_weights

            # every row: economic weights average ``variable`` over a panel's years
            return spatial_weights(frame, unit=key, level=level or "province", **kwargs)
        from .geo.weights import polygon_weights

        return polygon_weights(frame.drop_duplicates(key), unit=key, **kwargs)

    def moran(
        self,
        column: str,
        *,
        w: Any = None,
        unit: str | None = None,
        time: str | None = None,
        permutations: int = 999,
        seed: int = 0,
        **kwargs: Any,
    ) -> pd.DataFrame:
        """Global Moran's I per period (:func:`spatialgreen.spatial.moran_by_year`).

        Without ``w`` the weights come from :meth:`weights` (queen contiguity by
        default).

        Examples
        --------
        >>> import geopandas as gpd
        >>> from libpysal.weights import lat2W
        >>> from shapely.geometry import box
        >>> gdf = gpd.GeoDataFrame({"v": [1.0, 1, 2, 1, 2, 5, 2, 5, 5]},
        ...     geometry=[box(i % 3, i // 3, i % 3 + 1, i // 3 + 1) for i in range(9)])
        >>> out = gdf.spatialgreen.moran("v", w=lat2W(3, 3), permutations=0)
        >>> round(float(out["I"].iloc[0]), 4)
        0.4786
        """
        from .spatial import moran_by_year

        options = {"time": time, "permutations": permutations, "seed": seed}
        return self._statistic(
            moran_by_year, column, w=w, unit=unit, **options, **kwargs
        )

    def lisa(self, column: str, **options: Any) -> pd.DataFrame:
        """Local Moran (LISA) per unit and period (:func:`spatialgreen.spatial.lisa`).

        Takes the options of :meth:`moran` (``w``, ``unit``, ``time``,
        ``permutations=999``, ``seed=0``, others passed on) and returns the tidy
        table (``Ii``, ``p_sim``, ``quadrant``, ``cluster``, ...) keyed by the unit
        column (and ``time``).

        Examples
        --------
        >>> import geopandas as gpd
        >>> from libpysal.weights import lat2W
        >>> from shapely.geometry import box
        >>> cells = [box(i % 3, i // 3, i % 3 + 1, i // 3 + 1) for i in range(9)]
        >>> values = {"v": [1.0, 1, 2, 1, 2, 5, 2, 5, 5]}
        >>> local = gpd.GeoDataFrame(values, geometry=cells).spatialgreen.lisa(
        ...     "v", w=lat2W(3, 3), permutations=99)
        >>> local["quadrant"].iloc[[0, 8]].tolist()
        ['LL', 'HH']
        """
        from .spatial import lisa

        return self._statistic(lisa, column, **options)

    def _statistic(
        self,
        func: Any,
        column: str,
        *,
        w: Any = None,
        unit: str | None = None,
        **options: Any,
    ) -> pd.DataFrame:
        """``func`` (a :mod:`spatialgreen.spatial` statistic) on the frame's table."""
        frame, key = self._keyed(unit)
        w = self.weights(unit=unit) if w is None else w
        table = pd.DataFrame(frame.drop(columns=frame.geometry.name))
        return func(table, column, w=w, unit=key, **options)

    def map(
        self,
        column: str,
        *,
        kind: str = "auto",
        unit: str | None = None,
        time: str | None = None,
        w: Any = None,
        **kwargs: Any,
    ) -> folium.Map:
        """A web map of ``column`` (see :mod:`spatialgreen.maps`).

        ``kind="auto"`` draws a classified choropleth for numbers and a categorical
        map otherwise (:func:`spatialgreen.maps.draw`); ``kind="lisa"`` computes
        LISA clusters of ``column`` (with ``w`` or :meth:`weights`) and maps them.
        Other options go to the renderer.

        Examples
        --------
        >>> import geopandas as gpd
        >>> from shapely.geometry import box
        >>> gdf = gpd.GeoDataFrame({"state": ["strong decoupling", "弱脱钩"]},
        ...     geometry=[box(100, 30, 101, 31), box(101, 30, 102, 31)], crs=4326)
        >>> "#1a9850" in gdf.spatialgreen.map("state").get_root().render()
        True
        """
        from . import maps

        frame, key, column = self._mapped(column, kind, unit, time, w, kwargs)
        return maps.draw(frame, column, kind=kind, unit=key, time=time, **kwargs)

    def plot(
        self,
        column: str,
        *,
        kind: str = "auto",
        unit: str | None = None,
        time: str | None = None,
        w: Any = None,
        **kwargs: Any,
    ) -> Figure:
        """A static map of ``column`` for a paper (:func:`spatialgreen.maps.static`).

        The same kinds and options as :meth:`map` (``kind="lisa"`` computes the
        LISA clusters first), drawn with matplotlib in the standard layout of a
        map of China: provinces completed to all 34 units, South China Sea inset
        on national maps, north arrow, scale bar, legend with counts; with
        ``time`` one panel per period (choose them with ``year=[...]``). Not an
        approved standard map (审图号): see :data:`spatialgreen.maps.MAP_CAVEAT`.

        Examples
        --------
        >>> import geopandas as gpd
        >>> from shapely.geometry import box
        >>> gdf = gpd.GeoDataFrame({"v": [1.0, 2.0, 3.0]},
        ...     geometry=[box(100 + i, 30, 101 + i, 31) for i in range(3)], crs=4326)
        >>> fig = gdf.spatialgreen.plot("v", scheme="equal_interval", k=3)
        >>> [t.get_text() for t in fig.legends[0].get_texts()][0]
        '[1.00, 1.67] (1)'
        """
        from . import maps

        _require("matplotlib", "paper", "gdf.spatialgreen.plot")  # before any LISA
        frame, key, column = self._mapped(column, kind, unit, time, w, kwargs)
        return maps.static(frame, column, kind=kind, unit=key, time=time, **kwargs)

    def _mapped(
        self,
        column: str,
        kind: str,
        unit: str | None,
        time: str | None,
        w: Any,
        kwargs: dict[str, Any],
    ) -> tuple[pd.DataFrame, str, str]:
        """The keyed frame and the column to map (LISA clusters for ``kind="lisa"``).

        LISA options (``permutations``, ``seed``, ``alpha``, ``adjust``) are taken
        out of ``kwargs``.
        """
        frame, key = self._keyed(unit)
        if kind == "lisa":
            lisa_options = {
                name: kwargs.pop(name)
                for name in ("permutations", "seed", "alpha", "adjust")
                if name in kwargs
            }
            local = self.lisa(column, w=w, unit=unit, time=time, **lisa_options)
            keys = [key] if time is None else [key, time]
            frame = frame.merge(local[[*keys, "cluster"]], on=keys, how="left")
            column = "cluster"
        return frame, key, column
