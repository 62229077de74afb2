"""Inputs of the cluster–belt matching: the two tables checked and tidied, and
every place name resolved to an adcode (unmatched names listed, never dropped).
"""

from __future__ import annotations

import warnings
from typing import Any, Literal

import pandas as pd

from ..errors import DataError, SpatialGreenWarning, UnmatchedUnitError
from ..geo.places import Places
from ..panel import require_columns

_CITY_SEPARATORS = r"[、,，;；/]+"


def _text(series: pd.Series) -> pd.Series:
    return series.astype("string").fillna("").str.strip()


def _check_unique(names: pd.Series, role: str) -> None:
    dups = names[names.duplicated()].unique().tolist()
    if dups:
        raise DataError(f"duplicate {role} name(s): {', '.join(map(repr, dups[:20]))}")


def _check_filled(
    frame: pd.DataFrame, col: str, key: str, role: str, what: str
) -> None:
    empty = frame.loc[frame[col] == "", key].tolist()
    if empty:
        raise DataError(
            f"empty {what} (column {col!r}) for {len(empty)} {role}(s): "
            + ", ".join(map(repr, empty[:20]))
        )


def _prepare_clusters(
    data: pd.DataFrame, *, name: str, programme: str, city: str, industry: str
) -> pd.DataFrame:
    require_columns(data, [name, programme, city, industry], role="clusters")
    out = pd.DataFrame(
        {
            "cluster": _text(data[name]),
            "programme": _text(data[programme]),
            "city": _text(data[city]),
            "industry": _text(data[industry]),
        }
    ).reset_index(drop=True)
    _check_filled(out, "cluster", "cluster", "cluster", "name")
    _check_unique(out["cluster"], "cluster")
    _check_filled(out, "industry", "cluster", "cluster", "industry text")
    _check_filled(out, "city", "cluster", "cluster", "city")
    return out


def _prepare_belts(
    data: pd.DataFrame, *, name: str, city: str, county: str | None, industry: str
) -> pd.DataFrame:
    require_columns(data, [name, city, industry], role="belts")
    has_county = county is not None and county in data.columns
    out = pd.DataFrame(
        {
            "belt": _text(data[name]),
            "city": _text(data[city]),
            "county": _text(data[county]) if has_county else "",
            "industry": _text(data[industry]),
        }
    ).reset_index(drop=True)
    _check_filled(out, "belt", "belt", "belt", "name")
    _check_unique(out["belt"], "belt")
    _check_filled(out, "industry", "belt", "belt", "industry text")
    no_place = out.loc[(out["city"] == "") & (out["county"] == ""), "belt"].tolist()
    if no_place:
        raise DataError(
            f"no city or county for {len(no_place)} belt(s): "
            + ", ".join(map(repr, no_place[:20]))
        )
    return out


def _resolve(
    cl: pd.DataFrame, bl: pd.DataFrame, places: Places
) -> tuple[pd.DataFrame, pd.DataFrame]:
    cluster_cities = (
        cl.assign(city_name=cl["city"].str.split(_CITY_SEPARATORS, regex=True))
        .explode("city_name")
        .assign(city_name=lambda f: f["city_name"].str.strip())
    )
    cluster_cities = cluster_cities[cluster_cities["city_name"] != ""]
    by_city = bl["city"] != ""
    city_names = [*cluster_cities["city_name"], *bl.loc[by_city, "city"]]
    county_names = bl.loc[~by_city, "county"].tolist()
    unmatched: dict[str, list[str]] = {}
    codes: dict[Any, Any] = {}
    county_codes: dict[Any, Any] = {}
    levels: tuple[tuple[Literal["city", "county"], list[str], dict[Any, Any]], ...] = (
        ("city", city_names, codes),
        ("county", county_names, county_codes),
    )
    for level, names, target in levels:
        try:
            target.update(places.resolve(names, level=level))
        except UnmatchedUnitError as exc:
            unmatched.update(exc.unmatched or {str(exc): []})
    if unmatched:
        raise UnmatchedUnitError(
            f"{len(unmatched)} place name(s) of clusters/belts not matched: "
            + "; ".join(
                f"{n!r}" + (f" (closest: {', '.join(map(str, c[:3]))})" if c else "")
                for n, c in list(unmatched.items())[:30]
            ),
            unmatched,
        )
    cluster_cities = cluster_cities.assign(
        adcode=cluster_cities["city_name"].map(codes)
    )
    cluster_cities = cluster_cities.drop_duplicates(["cluster", "adcode"])
    bl = bl.copy()
    bl["adcode"] = [
        codes[c] if c else county_codes[k]
        for c, k in zip(bl["city"], bl["county"], strict=True)
    ]
    bl["city_name"] = bl["city"].where(by_city, bl["county"])
    cluster_cities = cluster_cities[["cluster", "programme", "city_name", "adcode"]]
    return cluster_cities.reset_index(drop=True), bl


def _unclassified(cl: pd.DataFrame, bl: pd.DataFrame) -> pd.DataFrame:
    rows = [
        *(
            {"kind": "cluster", "name": n, "industry": t}
            for n, t, d in zip(
                cl["cluster"], cl["industry"], cl["divisions"], strict=True
            )
            if not d
        ),
        *(
            {"kind": "belt", "name": n, "industry": t}
            for n, t, d in zip(bl["belt"], bl["industry"], bl["divisions"], strict=True)
            if not d
        ),
    ]
    out = pd.DataFrame(rows, columns=["kind", "name", "industry"])
    if len(out):
        warnings.warn(
            f"{len(out)} industry text(s) matched no keyword and are 'unclassified' "
            f"(see .unclassified), e.g. {out['industry'].iloc[0]!r}; add keywords "
            "with match_clusters(..., keywords=...)",
            SpatialGreenWarning,
            stacklevel=3,
        )
    return out
