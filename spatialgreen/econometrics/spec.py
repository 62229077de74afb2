"""Regression specifications in TOML, for ``spatialgreen regress spec.toml``.

Model kinds: ``fixed_effects`` (default), ``random_effects`` (``effects`` "unit" or
"twoway" = random unit effects plus year dummies; ``method`` "swar" or "harmonic"),
``mediation`` (``mediator``), ``moderation`` (``moderator``, ``center``, default
false) and ``tobit`` (``left``, default 0, and ``right``: numbers or "none";
``panel`` "pooled" or "random"; ``quadrature`` points; see
:func:`~spatialgreen.econometrics.tobit`). ``small_sample`` is "stata",
"linearmodels" or "none" ("stata" or "none" for a Tobit, whose ``cov`` may be
"unadjusted", meaning OIM, "robust" or "clustered").

A Tobit has no fixed effects, and a random-effects Tobit has OIM standard errors
only: ``effects`` (or ``cluster``, ``cov`` for ``panel = "random"``) set on such a
model is an error, and the same key inherited from ``[defaults]`` is ignored for it
with a warning saying so.

``[output]`` takes the options of
:func:`~spatialgreen.econometrics.regression_table`: ``rename``, ``stats``, ``se``,
``digits``, ``constant`` (true, false or "auto") and ``controls`` (true, false or a
list of variables summarised by a "Controls" row); ``formats`` among csv, xlsx, tex,
html, docx and rtf.

The file is data, read with the standard library's :mod:`tomllib` and validated into
frozen dataclasses: nothing in it is evaluated, an unknown key or a value of the
wrong type is an error naming its TOML path (``models[1].effects``). Example::

    [data]
    path = "panel.csv"          # relative to the spec file
    unit = "province"
    time = "year"

    [defaults]                  # applied to every model unless it overrides them
    controls = ["gov", "ent", "fdi", "env"]
    cluster = "province"

    [[models]]
    label = "(1)"
    y = "gtfp"
    x = "prod"

    [[models]]
    label = "(2)"
    y = "gtfp"
    x = "prod"
    lag = 1                     # x lagged one year within provinces

    [[models]]
    label = "East"
    y = "gtfp"
    x = "prod"
    where = { region = "east" } # rows where region == "east"

    [[models]]
    label = "RE"
    kind = "random_effects"     # GLS random unit effects (+ year dummies if twoway)
    y = "gtfp"
    x = "prod"
    effects = "unit"

    [[models]]
    label = "Tobit"
    kind = "tobit"              # scores censored at 0 and 1
    y = "gtfp"
    x = "prod"
    right = 1

    [output]
    path = "table3"             # stem; one file per format
    formats = ["csv", "xlsx", "tex", "html", "docx"]
    rename = { const = "_cons" }
    controls = true             # a "Controls: Yes" row instead of their rows
    stats = ["nobs", "r2_adj", "sigma"]
"""

from __future__ import annotations

import dataclasses
import math
import os
import tomllib
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from ..errors import DataError, SpatialGreenWarning
from ..errors import _require as _require_extra
from .tables import RegressionTable, regression_table

__all__ = [
    "OUTPUT_FORMATS",
    "DataSpec",
    "ModelSpec",
    "OutputSpec",
    "RegressionSpec",
    "SpecError",
    "load_spec",
    "parse_spec",
    "run_spec",
]


class SpecError(DataError):
    """The specification file is invalid; the message names the TOML path."""


_STR, _INT, _BOOL = "str", "int", "bool"
_STRS, _SCALARS = "list[str]", "table"
_LIMIT, _CONSTANT, _CONTROLS = "limit", "constant", "controls"

OUTPUT_FORMATS = ("csv", "xlsx", "tex", "html", "docx", "rtf")
"""Formats of ``[output].formats`` (and ``regress --formats``)."""
_SUFFIX = {f: f".{f}" for f in OUTPUT_FORMATS}


@dataclasses.dataclass(frozen=True)
class DataSpec:
    """Where the panel is and its key columns."""

    path: Path
    unit: str = "unit"
    time: str = "year"
    sheet: str | None = None


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """One model (or, for mediation, the three models of the design)."""

    label: str
    y: str
    x: tuple[str, ...]
    kind: str = "fixed_effects"
    controls: tuple[str, ...] = ()
    effects: str = "twoway"
    cluster: str | None = None
    cov: str | None = None
    small_sample: str = "stata"
    min_clusters: int = 5
    lag: int = 0
    where: tuple[tuple[str, Any], ...] = ()
    mediator: str | None = None
    moderator: str | None = None
    center: bool = False
    method: str | None = None
    left: float | None = 0.0
    right: float | None = None
    panel: str = "pooled"
    quadrature: int = 12


@dataclasses.dataclass(frozen=True)
class OutputSpec:
    """The table written from the models."""

    path: Path
    formats: tuple[str, ...] = ("csv", "xlsx")
    rename: tuple[tuple[str, str], ...] = ()
    stats: tuple[str, ...] = ("nobs", "r2_adj")
    se: str = "se"
    digits: int = 4
    constant: bool | str = True
    controls: bool | tuple[str, ...] = False


@dataclasses.dataclass(frozen=True)
class RegressionSpec:
    """A validated specification file."""

    data: DataSpec
    models: tuple[ModelSpec, ...]
    output: OutputSpec


_CHOICES = {
    "kind": ("fixed_effects", "random_effects", "mediation", "moderation", "tobit"),
    "effects": ("twoway", "unit", "time", "none"),
    "cov": ("unadjusted", "robust", "clustered"),
    "small_sample": ("stata", "linearmodels", "none"),
    "method": ("swar", "harmonic"),
    "panel": ("pooled", "random"),
    "se": ("se", "t"),
    "formats": OUTPUT_FORMATS,
}
_DATA_KEYS = {"path": _STR, "unit": _STR, "time": _STR, "sheet": _STR}
_SHARED_KEYS = {
    "controls": _STRS,
    "effects": _STR,
    "cluster": _STR,
    "cov": _STR,
    "small_sample": _STR,
    "min_clusters": _INT,
}
_MODEL_KEYS = {
    **_SHARED_KEYS,
    "label": _STR,
    "y": _STR,
    "x": _STRS,
    "kind": _STR,
    "lag": _INT,
    "where": _SCALARS,
    "mediator": _STR,
    "moderator": _STR,
    "center": _BOOL,
    "method": _STR,
    "left": _LIMIT,
    "right": _LIMIT,
    "panel": _STR,
    "quadrature": _INT,
}
_OUTPUT_KEYS = {
    "path": _STR,
    "formats": _STRS,
    "rename": _SCALARS,
    "stats": _STRS,
    "se": _STR,
    "digits": _INT,
    "constant": _CONSTANT,
    "controls": _CONTROLS,
}
_TOP_KEYS = {"data", "defaults", "models", "output"}


def _check_value(value: Any, kind: str, where: str) -> Any:
    def fail(expected: str) -> SpecError:
        return SpecError(
            f"{where}: expected {expected}, got {type(value).__name__} {value!r}"
        )

    if kind == _STR:
        if not isinstance(value, str):
            raise fail("a string")
        return value
    if kind == _INT:
        if isinstance(value, bool) or not isinstance(value, int):
            raise fail("an integer")
        return value
    if kind == _BOOL:
        if not isinstance(value, bool):
            raise fail("true or false")
        return value
    if kind == _LIMIT:
        if value == "none":
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise fail('a number or "none"')
        if not math.isfinite(value):
            raise fail('a finite number or "none"')
        return float(value)
    if kind == _CONSTANT:
        if not isinstance(value, bool) and value != "auto":
            raise fail('true, false or "auto"')
        return value
    if kind == _CONTROLS:
        if isinstance(value, bool):
            return value
        return _check_value(value, _STRS, where)
    if kind == _STRS:
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail("a string or a list of strings")
        return tuple(value)
    if not isinstance(value, dict):
        raise fail("a table such as { column = value }")
    for key, item in value.items():
        if not isinstance(item, str | int | float | bool):
            raise SpecError(f"{where}.{key}: expected a string, number or boolean")
    return tuple(value.items())


def _read_table(raw: Any, keys: Mapping[str, str], where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise SpecError(f"{where}: expected a table, got {type(raw).__name__}")
    out = {}
    for key, value in raw.items():
        if key not in keys:
            allowed = ", ".join(sorted(keys))
            raise SpecError(f"unknown key {where}.{key} (allowed: {allowed})")
        out[key] = _check_value(value, keys[key], f"{where}.{key}")
        options = _CHOICES.get(key)
        if options:
            values = out[key] if isinstance(out[key], tuple) else (out[key],)
            for v in values:
                if v not in options:
                    raise SpecError(
                        f"{where}.{key}: expected one of {options}, got {v!r}"
                    )
    return out


def _require(table: dict[str, Any], keys: tuple[str, ...], where: str) -> None:
    for key in keys:
        if key not in table:
            raise SpecError(f"{where}.{key} is required")


def parse_spec(
    raw: Mapping[str, Any], *, base_dir: str | os.PathLike[str] = "."
) -> RegressionSpec:
    """Validate a parsed TOML mapping into a :class:`RegressionSpec`.

    Examples
    --------
    >>> spec = parse_spec({"data": {"path": "p.csv"},
    ...                    "models": [{"y": "gtfp", "x": "prod"}],
    ...                    "output": {"path": "out"}})
    >>> spec.models[0].label, spec.models[0].x
    ('(1)', ('prod',))
    >>> bad = {"y": "g", "x": "p", "efects": "unit"}
    >>> raw = {"data": {"path": "p.csv"}, "models": [bad], "output": {"path": "o"}}
    >>> parse_spec(raw)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    spatialgreen.econometrics.spec.SpecError: unknown key models[0].efects ...
    """
    base = Path(base_dir)
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        raise SpecError(
            f"unknown top-level key {sorted(unknown)[0]!r} "
            f"(allowed: {sorted(_TOP_KEYS)})"
        )
    for key in ("data", "models", "output"):
        if key not in raw:
            raise SpecError(f"the [{key}] section is required")
    data = _read_table(raw["data"], _DATA_KEYS, "data")
    _require(data, ("path",), "data")
    defaults = _read_table(raw.get("defaults", {}), _SHARED_KEYS, "defaults")
    if not isinstance(raw["models"], list) or not raw["models"]:
        raise SpecError("models: expected a non-empty array of tables ([[models]])")
    models = []
    for i, item in enumerate(raw["models"]):
        where = f"models[{i}]"
        own = _read_table(item, _MODEL_KEYS, where)
        m = {**defaults, **own}
        _require(m, ("y", "x"), where)
        m.setdefault("label", f"({i + 1})")
        kind = m.get("kind", "fixed_effects")
        if kind == "mediation" and "mediator" not in m:
            raise SpecError(f"{where}.mediator is required for kind = 'mediation'")
        if kind == "moderation" and "moderator" not in m:
            raise SpecError(f"{where}.moderator is required for kind = 'moderation'")
        if kind in ("mediation", "moderation") and len(m["x"]) != 1:
            raise SpecError(
                f"{where}.x: kind = {kind!r} takes exactly one x, got {list(m['x'])}"
            )
        for key, owner in (
            ("mediator", "mediation"),
            ("moderator", "moderation"),
            ("center", "moderation"),
            ("method", "random_effects"),
            ("left", "tobit"),
            ("right", "tobit"),
            ("panel", "tobit"),
            ("quadrature", "tobit"),
        ):
            if key in m and kind != owner:
                raise SpecError(
                    f"{where}.{key} is only used with kind = {owner!r} "
                    f"(this model has kind = {kind!r})"
                )
        if kind == "random_effects" and m.get("effects", "twoway") not in (
            "unit",
            "twoway",
        ):
            raise SpecError(
                f"{where}.effects: kind = 'random_effects' takes 'unit' or 'twoway' "
                f"(random unit effects, plus year dummies), got {m['effects']!r}"
            )
        if kind == "tobit":
            _check_tobit(m, own, where)
        if m.get("lag", 0) < 0:
            raise SpecError(f"{where}.lag: expected a non-negative integer")
        models.append(ModelSpec(**m))
    labels = [m.label for m in models]
    if len(set(labels)) != len(labels):
        raise SpecError(f"models: labels must be unique, got {labels}")
    output = _read_table(raw["output"], _OUTPUT_KEYS, "output")
    _require(output, ("path",), "output")
    output["path"] = base / output["path"]
    data["path"] = base / data["path"]
    return RegressionSpec(DataSpec(**data), tuple(models), OutputSpec(**output))


def _check_tobit(m: dict[str, Any], own: dict[str, Any], where: str) -> None:
    """Keys a Tobit cannot use: an error when the model sets them, ignored with a
    warning when inherited from ``[defaults]`` (removed from ``m``)."""
    unused = {"effects": "a Tobit has no fixed effects"}
    if m.get("panel", "pooled") == "random":
        why = "the random-effects Tobit has OIM standard errors only"
        unused |= {"cluster": why, "cov": why}
    if m.get("small_sample") == "linearmodels":
        unused["small_sample"] = "a Tobit takes small_sample 'stata' or 'none'"
    for key, why in unused.items():
        if key in own:
            raise SpecError(f"{where}.{key}: {why} (kind = 'tobit')")
        if key in m:
            warnings.warn(
                f"{where} (kind = 'tobit'): [defaults].{key} = {m[key]!r} does not "
                "apply to this model and is ignored",
                SpatialGreenWarning,
                stacklevel=4,
            )
            del m[key]
    if not 2 <= m.get("quadrature", 12) <= 200:
        raise SpecError(f"{where}.quadrature: expected 2 to 200 points")
    left, right = m.get("left", 0.0), m.get("right")
    if left is None and right is None:
        raise SpecError(f"{where}: a Tobit needs a left or a right limit")
    if left is not None and right is not None and left >= right:
        raise SpecError(f"{where}: left ({left}) must be below right ({right})")


def load_spec(path: str | os.PathLike[str]) -> RegressionSpec:
    """Read and validate a TOML specification file (paths relative to it)."""
    p = Path(path)
    if not p.exists():
        raise SpecError(f"specification file not found: {p}")
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{p}: invalid TOML: {exc}") from exc
    return parse_spec(raw, base_dir=p.parent)


def _subset(data: pd.DataFrame, model: ModelSpec) -> pd.DataFrame:
    frame = data
    for column, value in model.where:
        if column not in frame.columns:
            raise SpecError(f"model {model.label}: where column {column!r} not found")
        frame = frame.loc[frame[column] == value]
        if frame.empty:
            raise SpecError(f"model {model.label}: no rows with {column} == {value!r}")
    return frame


def run_spec(spec: RegressionSpec, data: pd.DataFrame | None = None) -> RegressionTable:
    """Estimate every model of ``spec`` and build the regression table.

    ``data`` overrides reading ``spec.data.path`` (useful in tests and notebooks).
    """
    from ..panel import read_panel
    from .fixed_effects import fixed_effects
    from .lags import lag, lag_name
    from .mediation import mediation
    from .moderation import moderation
    from .random_effects import random_effects

    _check_writers(spec)  # a missing python-docx fails before the models run
    if data is None:
        data = read_panel(
            spec.data.path,
            unit=spec.data.unit,
            time=spec.data.time,
            sheet=spec.data.sheet,
        )
    unit, time = spec.data.unit, spec.data.time
    fitted: dict[str, Any] = {}
    for m in spec.models:
        frame = _subset(data, m)
        xs = list(m.x)
        if m.lag:
            frame = lag(frame, xs[0], unit=unit, time=time, periods=m.lag)
            xs[0] = lag_name(xs[0], m.lag)
        if m.kind == "tobit":
            fitted[m.label] = _run_tobit(frame, m, xs, unit, time)
            continue
        common: dict[str, Any] = {
            "controls": m.controls,
            "unit": unit,
            "time": time,
            "effects": m.effects,
            "cluster": m.cluster,
            "cov": m.cov,
            "small_sample": m.small_sample,
            "min_clusters": m.min_clusters,
        }
        if m.kind == "mediation":
            res = mediation(
                frame, y=m.y, x=xs[0], mediator=str(m.mediator), bootstrap=0, **common
            )
            for part, fit in res.models.items():
                fitted[f"{m.label} {part}"] = fit
        elif m.kind == "moderation":
            fitted[m.label] = moderation(
                frame,
                y=m.y,
                x=xs[0],
                moderator=str(m.moderator),
                center=m.center,
                **common,
            )
        elif m.kind == "random_effects":
            method: Literal["swar", "harmonic"] = (
                "harmonic" if m.method == "harmonic" else "swar"  # validated above
            )
            fitted[m.label] = random_effects(
                frame, y=m.y, x=xs, method=method, **common
            )
        else:
            fitted[m.label] = fixed_effects(frame, y=m.y, x=xs, **common)
    out = spec.output
    constant: Any = out.constant
    controls: Any = (
        list(out.controls) if isinstance(out.controls, tuple) else out.controls
    )
    return regression_table(
        fitted,
        rename=dict(out.rename),
        stats=out.stats,
        se=out.se,
        digits=out.digits,
        constant=constant,
        controls=controls,
    )


def _run_tobit(
    frame: pd.DataFrame, m: ModelSpec, xs: list[str], unit: str, time: str
) -> Any:
    """The Tobit of one model (``cov = "unadjusted"`` is the OIM covariance)."""
    from .tobit import tobit

    options: dict[str, Any] = {  # values validated by parse_spec
        "controls": m.controls,
        "left": m.left,
        "right": m.right,
        "unit": unit,
        "time": time,
        "panel": m.panel,
        "quadrature": m.quadrature,
        "cov": "oim" if m.cov == "unadjusted" else m.cov,
        "cluster": m.cluster,
        "small_sample": m.small_sample,
        "min_clusters": m.min_clusters,
    }
    return tobit(frame, y=m.y, x=xs, **options)


def write_spec_outputs(spec: RegressionSpec, table: RegressionTable) -> list[Path]:
    """Write ``table`` in every format of ``spec.output`` (csv, xlsx, tex, html,
    docx, rtf)."""
    _check_writers(spec)
    stem = spec.output.path
    return [
        table.write(stem.with_name(stem.name + _SUFFIX[f])) for f in spec.output.formats
    ]


def _check_writers(spec: RegressionSpec) -> None:
    """DOCX output needs python-docx (the ``paper`` extra): say so up front."""
    if "docx" in spec.output.formats:
        _require_extra("docx", "paper", "[output].formats 'docx' (Word tables)")
