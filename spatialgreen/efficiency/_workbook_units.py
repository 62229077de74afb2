"""Unit labels of efficiency workbooks: names beside the units, and their groups.

Units that are adcodes or names of Chinese provinces or cities get their Chinese
and English names from spatialgreen's shipped unit list
(:func:`spatialgreen.geo.unit_table`); groups come from a built-in grouping
(``region3`` east/central/west by default for such units, ``region4``,
``yreb_reach``, ...), a grouping column carried in the results, or a mapping
unit -> group.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, SpatialGreenWarning

__all__ = ["UNIT_NAME_COLUMNS", "WorkbookUnits"]

ZH, EN = "名称", "Name"
UNIT_NAME_COLUMNS = (ZH, EN)


class WorkbookUnits:
    """Unit labels (names, group) by unit value, in display order.

    Units matched to the shipped list are shown in adcode order (北京, 天津, 河北,
    ..., as official tables list them); other units in the order of the results.
    """

    def __init__(
        self,
        units: pd.Series,
        unit: str,
        *,
        names: bool,
        level: str | None,
        groups: Any,
        carried: pd.DataFrame | None,
    ) -> None:
        self.unit = unit
        self.order = list(pd.unique(units))
        self.level: str | None = None
        shipped = _match(self.order, level) if names else None
        if shipped is not None:
            self.level, table = shipped
            perm = np.argsort(table["adcode"].to_numpy(), kind="stable")
            self.order = [self.order[i] for i in perm]
            table = table.iloc[perm].reset_index(drop=True)
            shipped = (self.level, table)
        self.info = pd.DataFrame(index=pd.Index(self.order, name=unit))
        if shipped is not None:
            if not _are_adcodes(self.order, table["adcode"]):
                self.info["adcode"] = table["adcode"].to_numpy()
            self.info[ZH] = table["name_zh"].to_numpy()
            self.info[EN] = table["name_en"].to_numpy()
            self.short = dict(zip(self.order, table["name_zh_short"], strict=True))
            self.english = dict(zip(self.order, table["name_en"], strict=True))
        else:
            self.short, self.english = {}, {}
        self.group_name, group = _groups(groups, self, shipped, carried)
        if group is not None:
            self.info[self.group_name] = group
        self.label_columns = [unit, *self.info.columns]

    def frame(self) -> pd.DataFrame:
        return self.info.reset_index()

    def labelled(self, table: pd.DataFrame, time: str | None) -> pd.DataFrame:
        """``table`` with the label columns after the unit column, rows in display
        order (by time first when ``time`` is given)."""
        position = {u: i for i, u in enumerate(self.order)}
        keys = table[self.unit].map(position)
        if keys.isna().any():
            raise DataError(
                f"units {table.loc[keys.isna(), self.unit].tolist()[:5]} "
                "are not in the results"
            )
        order = (
            pd.DataFrame({"t": table[time], "u": keys}) if time else keys.to_frame("u")
        )
        rows = order.sort_values(list(order.columns), kind="stable").index
        return self.frame().merge(
            table.loc[rows], on=self.unit, how="right", validate="1:m"
        )

    def group_order(self) -> list[Any]:
        if self.group_name is None:
            return []
        return list(pd.unique(self.info[self.group_name].dropna()))

    def members(self, group: Any) -> list[Any]:
        assert self.group_name is not None
        return list(self.info.index[self.info[self.group_name] == group])

    def peer(self, value: Any, english: bool = False) -> str:
        names = self.english if english else self.short
        return str(names.get(value, value))


def _match(units: list[Any], level: str | None) -> tuple[str, pd.DataFrame] | None:
    """Shipped unit rows for ``units`` (province, else city level), or None."""
    from ..geo import match_units, unit_table

    levels = [level] if level else ["province", "city"]
    for lvl in levels:
        try:
            # a trial lookup of names for the workbook's label columns (province
            # level first, then city): match_units' spelling notes were already
            # given by the analysis that produced the results, or concern a level
            # that is then not used, so they would only repeat or mislead here
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                codes = match_units(units, level=lvl)
        except DataError:
            continue
        table = unit_table(lvl).set_index("adcode", drop=False)
        return lvl, table.loc[codes].reset_index(drop=True)
    shown = ", ".join(map(str, units[:5])) + (", ..." if len(units) > 5 else "")
    where = f"{level} names or adcodes" if level else "province or city names/adcodes"
    warnings.warn(
        f"the units ({shown}) are not all {where}; the workbook shows them as "
        "given, without Chinese/English names (names=False silences this)",
        SpatialGreenWarning,
        stacklevel=4,
    )
    return None


def _are_adcodes(units: list[Any], codes: pd.Series) -> bool:
    try:
        return [int(u) for u in units] == codes.astype(int).tolist()
    except (TypeError, ValueError):
        return False


def _groups(
    groups: Any,
    units: WorkbookUnits,
    shipped: tuple[str, pd.DataFrame] | None,
    carried: pd.DataFrame | None,
) -> tuple[str | None, list[Any] | None]:
    """Name and per-unit labels of the grouping (None: no group rows)."""
    from ..geo.regions import BUILTIN_GROUPINGS

    if groups is False:
        return None, None
    if groups is None:
        if shipped is None:
            return None, None
        groups = "region3"
    if isinstance(groups, str):
        if carried is not None and groups in carried.columns:
            per_unit = carried.groupby(units.unit, sort=False)[groups].nunique()
            mixed = per_unit[per_unit > 1]
            if len(mixed):
                raise DataError(
                    f"grouping column {groups!r} changes over time for units "
                    f"{mixed.index[:5].tolist()}; a group must be fixed per unit"
                )
            first = carried.drop_duplicates(units.unit).set_index(units.unit)[groups]
            return groups, [first.get(u) for u in units.order]
        if groups in BUILTIN_GROUPINGS:
            if shipped is None:
                raise DataError(
                    f"groups={groups!r} is a grouping of Chinese regions, but the "
                    "units are not province or city names/adcodes; pass a mapping "
                    "unit -> group instead"
                )
            level, table = shipped
            if groups not in table.columns:
                raise DataError(f"grouping {groups!r} is not defined at {level} level")
            labels = table[groups].astype(object).where(table[groups].notna(), None)
            return _checked(groups, list(zip(units.order, labels, strict=True)))
        raise DataError(
            f"groups={groups!r} is neither a column of the results nor a built-in "
            f"grouping ({', '.join(BUILTIN_GROUPINGS)}); or pass a mapping "
            "unit -> group"
        )
    if isinstance(groups, pd.Series | Mapping):
        name = str(getattr(groups, "name", None) or "group")
        lookup = dict(groups.items())
        return _checked(name, [(u, lookup.get(u)) for u in units.order])
    raise DataError(
        "groups must be None, False, a grouping name or column, or a mapping "
        f"unit -> group, got {type(groups).__name__}"
    )


def _checked(name: str, pairs: list[tuple[Any, Any]]) -> tuple[str, list[Any]]:
    missing = [u for u, g in pairs if g is None or (isinstance(g, float) and g != g)]
    if missing:
        warnings.warn(
            f"{len(missing)} unit(s) have no {name!r} group and are left out of the "
            f"group rows (but not of the all-units rows): {missing[:10]}",
            SpatialGreenWarning,
            stacklevel=5,
        )
    return name, [g for _, g in pairs]
