"""Official unit lists shipped with their sources, and the 2014 city-size classes.

Every list is a CSV file in ``spatialgreen/datasets/lists/``; its source, how it
was verified and its licence note are in ``datasets/lists/README.md``. A list is
either **verified** (shipped, members checked name by name against a readable
source, counts pinned by tests) or a **template** (not shipped because it could
not be verified here: the file holds the input schema, and the loader raises until
you supply the official list yourself).

- :func:`official_lists` — the catalogue: name, level, status, members, source.
- :func:`load_list` — a shipped list, or your filled-in copy of a template.
- :func:`resource_cities` — the national resource-based cities (国发〔2013〕45号)
  from your file, with stages checked against the published counts.
- :func:`city_size_class` — the city-size classes of 国发〔2014〕51号 from your
  urban-district resident population.
- :func:`list_template` — path of a template file to copy and fill.

The verified city lists are also groupings (``yrd41``, ``yrd27``, ``gba``,
``chengyu``; see :mod:`spatialgreen.geo.regions`).

Examples
--------
>>> from spatialgreen.geo import load_list, city_size_class
>>> yrd = load_list("yrd_2019")
>>> len(yrd), int(yrd["central_area"].sum())
(41, 27)
>>> city_size_class([19.9, 20, 100, 1000]).tolist()
['small_II', 'small_I', 'large_II', 'megacity']
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError

__all__ = [
    "ListNotShippedError",
    "city_size_class",
    "list_template",
    "load_list",
    "official_lists",
    "resource_cities",
]


class ListNotShippedError(DataError):
    """An official list that spatialgreen does not ship was asked for without a file."""


@dataclass(frozen=True)
class _Spec:
    file: str
    level: str
    status: str  # "verified" | "template"
    description: str
    source: str
    unit: str = "adcode"  # key column (user files: a name or adcode column)
    label: str | None = None  # required label column of user files
    members: int | None = None
    published: dict[str, int] = field(default_factory=dict)


_PLAN_2013 = (
    "State Council, 国发〔2013〕45号, 全国资源型城市可持续发展规划（2013—2020年）, "
    "annex; www.gov.cn, 2013-12-03"
)
_LISTS: dict[str, _Spec] = {
    "yrd_2019": _Spec(
        "yrd_2019.csv",
        "city",
        "verified",
        "Yangtze River Delta, 2019 integration outline: 41 cities of Shanghai, "
        "Jiangsu, Zhejiang and Anhui; central_area = the 27-city central area",
        "CPC Central Committee and State Council, "
        "长江三角洲区域一体化发展规划纲要 (2019)",
        members=41,
        published={"central_area": 27},
    ),
    "jingjinji": _Spec(
        "jingjinji.csv",
        "city",
        "verified",
        "Beijing–Tianjin–Hebei: Beijing, Tianjin and the 11 cities of Hebei",
        "京津冀协同发展规划纲要 (2015); the 13 cities of the Jing-Jin-Ji urban "
        "agglomeration",
        members=13,
    ),
    "greater_bay_area": _Spec(
        "greater_bay_area.csv",
        "city",
        "verified",
        "Guangdong–Hong Kong–Macao Greater Bay Area: Hong Kong, Macao and the 9 Pearl "
        "River Delta cities (prd9)",
        "CPC Central Committee and State Council, 粤港澳大湾区发展规划纲要 (2019)",
        members=11,
        published={"prd9": 9},
    ),
    "chengdu_chongqing": _Spec(
        "chengdu_chongqing.csv",
        "city",
        "verified",
        "Chengdu–Chongqing economic circle at city level: Chongqing and 15 Sichuan "
        "cities; some units only in part (column note)",
        "CPC Central Committee and State Council, 成渝地区双城经济圈建设规划纲要 "
        "(2021): 27 districts/counties of Chongqing and 15 cities of Sichuan",
        members=16,
    ),
    "urban_agglomerations_19": _Spec(
        "urban_agglomerations_19.csv",
        "name",
        "verified",
        "the 19 urban agglomerations of the 13th Five-Year Plan (names, block, "
        "14th-FYP tier); members are not shipped",
        "十三五规划纲要 (2016), 19 urban agglomerations; 十四五规划纲要 (2021) tiers",
        unit="name_zh",
        members=19,
    ),
    "resource_cities": _Spec(
        "resource_cities_template.csv",
        "city",
        "template",
        "national resource-based cities by stage (262 cities, 126 prefecture-level)",
        _PLAN_2013,
        unit="unit",
        label="stage",
        members=126,
        published={"growing": 20, "mature": 66, "declining": 24, "regenerative": 16},
    ),
    "economic_regions8": _Spec(
        "economic_regions8_template.csv",
        "province",
        "template",
        "the eight comprehensive economic regions (31 mainland provinces)",
        "Development Research Center of the State Council (国务院发展研究中心), 2005",
        unit="province",
        label="region",
        members=31,
    ),
    "urban_agglomeration_members": _Spec(
        "urban_agglomeration_members_template.csv",
        "city",
        "template",
        "member cities of the 19 urban agglomerations",
        "each agglomeration's own plan (NDRC)",
        unit="unit",
        label="agglomeration",
    ),
}

#: grouping name -> (list, boolean column selecting members or None for all rows)
GROUPING_LISTS: dict[str, tuple[str, str | None]] = {
    "yrd41": ("yrd_2019", None),
    "yrd27": ("yrd_2019", "central_area"),
    "gba": ("greater_bay_area", None),
    "chengyu": ("chengdu_chongqing", None),
}

_STAGES = {
    "growing": "growing",
    "growth": "growing",
    "成长型": "growing",
    "成长": "growing",
    "mature": "mature",
    "成熟型": "mature",
    "成熟": "mature",
    "declining": "declining",
    "decline": "declining",
    "衰退型": "declining",
    "衰退": "declining",
    "regenerative": "regenerative",
    "regenerating": "regenerative",
    "regeneration": "regenerative",
    "再生型": "regenerative",
    "再生": "regenerative",
}
#: published counts by stage: all 262 cities, and the 126 prefecture-level units
RESOURCE_CITY_COUNTS = {
    "all": {"growing": 31, "mature": 141, "declining": 67, "regenerative": 23},
    "city": {"growing": 20, "mature": 66, "declining": 24, "regenerative": 16},
}


def _lists_dir() -> Path:
    return Path(str(resources.files("spatialgreen") / "datasets" / "lists"))


def _spec(name: str) -> _Spec:
    if name not in _LISTS:
        raise DataError(
            f"unknown official list {name!r}; choose one of {', '.join(_LISTS)}"
        )
    return _LISTS[name]


def official_lists() -> pd.DataFrame:
    """Catalogue of the official lists: level, status, member count and source.

    ``status`` is ``"verified"`` (shipped, checked name by name) or
    ``"template"`` (you supply the official list; see :func:`list_template`).

    Examples
    --------
    >>> cat = official_lists()
    >>> cat.loc["resource_cities", "status"], int(cat.loc["yrd_2019", "members"])
    ('template', 41)
    """
    rows = {
        name: {
            "level": s.level,
            "status": s.status,
            "members": s.members,
            "description": s.description,
            "source": s.source,
            "file": s.file,
        }
        for name, s in _LISTS.items()
    }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out["members"] = out["members"].astype("Int64")
    out.index.name = "list"
    return out


def list_template(name: str) -> Path:
    """Path of the shipped file of list ``name`` (for templates: the file to copy).

    Examples
    --------
    >>> list_template("resource_cities").name
    'resource_cities_template.csv'
    """
    return _lists_dir() / _spec(name).file


def _read_source(source: str | os.PathLike[str] | pd.DataFrame) -> pd.DataFrame:
    """A user file or frame; ``#`` comment lines of CSV templates are skipped."""
    if isinstance(source, pd.DataFrame):
        return source.copy()
    path = Path(source)
    if path.suffix.lower() not in {".csv", ".txt"}:
        from .._io import read_table

        return read_table(path)
    if not path.exists():
        raise DataError(f"input file not found: {path}")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
    return pd.read_csv(io.StringIO("\n".join(lines)))


def _not_shipped(name: str, spec: _Spec) -> ListNotShippedError:
    return ListNotShippedError(
        f"the official list {name!r} ({spec.description}) is not shipped with "
        f"spatialgreen because it could not be verified name by name; the official "
        f"list is published in: {spec.source}. Copy the template "
        f"{list_template(name)}, fill it (columns {spec.unit!r}, {spec.label!r}) and "
        f"pass its path as source=."
    )


def load_list(
    name: str, source: str | os.PathLike[str] | pd.DataFrame | None = None
) -> pd.DataFrame:
    """A shipped official list, or your filled-in copy of a template list.

    Parameters
    ----------
    name : str
        A list of :func:`official_lists`.
    source : path or DataFrame, optional
        Your file (CSV/XLSX) for a template list, with the template's columns:
        a unit column (names or adcodes, matched with
        :func:`~spatialgreen.geo.match_units`) and a label column. Not allowed for
        verified lists (they are shipped).

    Returns
    -------
    DataFrame
        Shipped lists: their CSV (``adcode`` as ``int``). User lists: ``adcode``,
        ``name_zh``, ``name_en`` and the label column.

    Raises
    ------
    ListNotShippedError
        A template list without ``source``: the message says where the official
        list is published and which template to fill.

    Examples
    --------
    >>> load_list("greater_bay_area")["name_en"].tolist()[-2:]
    ['Hong Kong', 'Macao']
    >>> import pandas as pd
    >>> mine = pd.DataFrame({"province": ["辽宁", "吉林"], "region": ["northeast"] * 2})
    >>> load_list("economic_regions8", source=mine)["adcode"].tolist()
    [210000, 220000]
    """
    spec = _spec(name)
    if spec.status == "verified":
        if source is not None:
            raise DataError(
                f"the list {name!r} is shipped; use read_grouping() for your own lists"
            )
        return pd.read_csv(list_template(name))
    if source is None:
        raise _not_shipped(name, spec)
    assert spec.label is not None
    return _read_user_list(name, spec, _read_source(source), spec.level)


def _read_user_list(
    name: str, spec: _Spec, frame: pd.DataFrame, level: str
) -> pd.DataFrame:
    from ..panel import require_columns
    from ._data import units_table
    from .names import match_units

    label = spec.label
    assert label is not None
    require_columns(frame, [spec.unit, label], role=f"official list {name!r}")
    frame = frame.dropna(how="all")
    if frame[spec.unit].isna().any():
        rows = [int(i) for i in np.flatnonzero(frame[spec.unit].isna().to_numpy())]
        raise DataError(f"list {name!r}: column {spec.unit!r} is empty in rows {rows}")
    codes = match_units(frame[spec.unit].tolist(), level=level)
    dup = pd.Series(codes).duplicated(keep=False).to_numpy()
    if dup.any():
        names = ", ".join(map(str, frame.loc[dup, spec.unit]))
        raise DataError(f"list {name!r}: units listed twice: {names}")
    units = units_table(level).set_index("adcode")
    out = pd.DataFrame(
        {
            "adcode": codes,
            "name_zh": units.loc[codes, "name_zh"].to_numpy(),
            "name_en": units.loc[codes, "name_en"].to_numpy(),
        }
    )
    for column in frame.columns:
        if column != spec.unit:
            out[column] = frame[column].to_numpy()
    return out


def resource_cities(
    source: str | os.PathLike[str] | pd.DataFrame | None = None,
    *,
    level: str = "city",
    strict: bool = True,
) -> pd.DataFrame:
    """National resource-based cities (国发〔2013〕45号) from your copy of the list.

    spatialgreen does not ship the list (it could not be verified name by name
    here); fill :func:`list_template` ``("resource_cities")`` from the plan's annex.

    Parameters
    ----------
    source : path or DataFrame
        Columns ``unit`` (names or adcodes), ``stage`` (``growing``, ``mature``,
        ``declining``, ``regenerative``; 成长型/成熟型/衰退型/再生型 and
        ``growth``/``regenerating`` are accepted) and optionally
        ``resource_type`` (fill it only from a classification you cite).
    level : {"city", "county"}
        Level of the units in the file: ``"city"`` for the 126 prefecture-level
        units (matched to the shipped city adcodes), ``"county"`` for county-level
        units (needs the optional county boundaries).
    strict : bool
        At ``level="city"``, require the published counts by stage (growing 20,
        mature 66, declining 24, regenerative 16); ``False`` accepts a subset.

    Returns
    -------
    DataFrame
        ``adcode``, ``name_zh``, ``name_en``, ``stage``, ``resource_type``.

    Raises
    ------
    ListNotShippedError
        Without ``source``.
    DataError
        Unknown stage, units listed twice, or (``strict``) counts that differ from
        the published ones.

    Examples
    --------
    >>> import pandas as pd
    >>> mine = pd.DataFrame({"unit": ["丽江", "昭通"], "stage": ["再生型", "成长型"]})
    >>> resource_cities(mine, strict=False)[["adcode", "stage"]].values.tolist()
    [[530700, 'regenerative'], [530600, 'growing']]
    """
    name, spec = "resource_cities", _LISTS["resource_cities"]
    if level not in ("city", "county"):
        raise DataError(f"level must be 'city' or 'county', got {level!r}")
    if source is None:
        raise _not_shipped(name, spec)
    frame = _read_source(source)
    out = _read_user_list(name, spec, frame, level)
    raw = out["stage"].astype("string").str.strip()
    stage = raw.str.lower().map(_STAGES)
    bad = stage.isna().to_numpy()
    if bad.any():
        pairs = zip(out.loc[bad, "name_zh"], raw[bad], strict=True)
        units = ", ".join(f"{u} ({s!r})" for u, s in pairs)
        raise DataError(
            f"resource_cities: unknown stage for {units}; use growing, mature, "
            "declining or regenerative"
        )
    out["stage"] = stage.astype(str).to_numpy()
    if "resource_type" not in out:
        out["resource_type"] = pd.NA
    if strict and level == "city":
        got = out["stage"].value_counts().to_dict()
        want = RESOURCE_CITY_COUNTS["city"]
        if {k: got.get(k, 0) for k in want} != want or len(out) != sum(want.values()):
            raise DataError(
                f"resource_cities: counts by stage {got} differ from the published "
                f"prefecture-level counts {want} (126 units); pass strict=False for "
                "a subset of the list"
            )
    extra = [c for c in out.columns if c not in _RESOURCE_COLUMNS]
    return out[[*_RESOURCE_COLUMNS, *extra]]


_RESOURCE_COLUMNS = ["adcode", "name_zh", "name_en", "stage", "resource_type"]

#: lower bounds (万人, closed) and labels of the 2014 city-size classes
_SIZE_EDGES = (0.0, 20.0, 50.0, 100.0, 300.0, 500.0, 1000.0)
_SIZE_LABELS = {
    ("en", True): (
        "small_II",
        "small_I",
        "medium",
        "large_II",
        "large_I",
        "very_large",
        "megacity",
    ),
    ("en", False): (
        "small",
        "small",
        "medium",
        "large",
        "large",
        "very_large",
        "megacity",
    ),
    ("zh", True): (
        "Ⅱ型小城市",
        "Ⅰ型小城市",
        "中等城市",
        "Ⅱ型大城市",
        "Ⅰ型大城市",
        "特大城市",
        "超大城市",
    ),
    ("zh", False): (
        "小城市",
        "小城市",
        "中等城市",
        "大城市",
        "大城市",
        "特大城市",
        "超大城市",
    ),
}
_UNITS = {"万人": 1.0, "10k": 1.0, "人": 1e-4, "persons": 1e-4}


def city_size_class(
    population: Any, scale: str = "万人", *, detail: bool = True, lang: str = "en"
) -> Any:
    """City-size class of 国发〔2014〕51号 from the urban-district resident population.

    The State Council's 2014 standard classifies cities by their urban-district
    resident population (城区常住人口) into five classes and seven grades:
    small < 50 (II < 20, I 20–50), medium 50–100, large 100–500 (II 100–300,
    I 300–500), very large 500–1000 and megacity ≥ 1000 (in 万人, 10,000
    persons). The notice states "以上包括本数，以下不包括本数": every lower bound
    belongs to the class above it, so classes are ``[lower, upper)``: 20 万 is a
    type-I small city, 1000 万 a megacity.

    Parameters
    ----------
    population : number, array-like or Series
        The user's urban-district resident population; never estimated here.
        Missing values give missing classes.
    scale : {"万人", "人"}
        Unit of ``population`` (``"10k"`` and ``"persons"`` are aliases).
    detail : bool
        Seven grades (``small_II`` … ``megacity``) or the five classes.
    lang : {"en", "zh"}
        English labels or the notice's Chinese names (Ⅱ型小城市 … 超大城市).

    Returns
    -------
    str, or Series of ``string`` dtype (index kept for a Series input)

    Raises
    ------
    DataError
        Negative or non-numeric populations, or an unknown unit.

    Examples
    --------
    >>> city_size_class(1000)
    'megacity'
    >>> city_size_class([2_000_000, 499_999], scale="人", lang="zh").tolist()
    ['Ⅱ型大城市', 'Ⅰ型小城市']
    >>> city_size_class([60, 350], detail=False).tolist()
    ['medium', 'large']
    """
    if scale not in _UNITS:
        raise DataError(f"scale must be one of {', '.join(_UNITS)}, got {scale!r}")
    if lang not in ("en", "zh"):
        raise DataError(f"lang must be 'en' or 'zh', got {lang!r}")
    scalar = np.ndim(population) == 0 and not isinstance(population, pd.Series)
    series = (
        population
        if isinstance(population, pd.Series)
        else pd.Series(np.atleast_1d(np.asarray(population, dtype=object)))
    )
    values = pd.to_numeric(series, errors="coerce")
    bad = values.isna() & series.notna()
    if bad.any():
        raise DataError(
            f"population must be numeric; not a number: {series[bad].tolist()[:5]}"
        )
    if (values < 0).any():
        raise DataError(
            f"population must be ≥ 0; negative: {values[values < 0].tolist()[:5]}"
        )
    scaled = values.to_numpy(dtype=float) * _UNITS[scale]
    labels = np.array(_SIZE_LABELS[(lang, detail)], dtype=object)
    idx = np.searchsorted(np.asarray(_SIZE_EDGES), scaled, side="right") - 1
    out = np.where(np.isnan(scaled), None, labels[np.clip(idx, 0, len(labels) - 1)])
    result = pd.Series(out, index=series.index, dtype="string", name=series.name)
    if not scalar:
        return result
    return pd.NA if pd.isna(result.iloc[0]) else str(result.iloc[0])


def grouping_members(name: str) -> frozenset[int]:
    """Adcodes of the city grouping ``name`` of :data:`GROUPING_LISTS`."""
    list_name, column = GROUPING_LISTS[name]
    table = load_list(list_name)
    if column is not None:
        table = table[table[column].astype(bool)]
    return frozenset(int(a) for a in table["adcode"])
