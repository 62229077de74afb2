"""Exception hierarchy of spatialgreen.

Every error raised on purpose by spatialgreen derives from :class:`SpatialGreenError`,
so callers can catch the whole family at once, and every message names the column,
unit or year at fault.

Examples
--------
>>> from spatialgreen.errors import DataError, SpatialGreenError
>>> issubclass(DataError, SpatialGreenError)
True
"""

from __future__ import annotations

import importlib
import math
import numbers
import warnings
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

__all__ = [
    "ConvergenceError",
    "DataError",
    "DependencyError",
    "InfeasibleError",
    "ModelError",
    "OptionError",
    "PanelError",
    "SpatialGreenError",
    "SpatialGreenWarning",
    "UnmatchedUnitError",
    "WeightsError",
]


class SpatialGreenError(Exception):
    """Base class of every error spatialgreen raises deliberately."""


class DataError(SpatialGreenError, ValueError):
    """The user's data cannot be used as given (wrong column, bad value, ...)."""


class PanelError(DataError):
    """The panel structure is wrong: duplicate keys, gaps, unbalanced, ..."""


class UnmatchedUnitError(DataError):
    """Unit names could not be matched to adcodes.

    Attributes
    ----------
    unmatched : dict[str, list[str]]
        Every unmatched name with its closest candidates.
    """

    def __init__(self, message: str, unmatched: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.unmatched = dict(unmatched or {})


class WeightsError(SpatialGreenError, ValueError):
    """Spatial weights cannot be built or do not fit the data (islands, ids)."""


class ModelError(SpatialGreenError):
    """A model cannot be estimated as specified."""


class InfeasibleError(ModelError):
    """A linear program is infeasible (e.g. super-efficiency of an outlier)."""


class ConvergenceError(ModelError):
    """An iterative estimator did not converge."""


class OptionError(ModelError, ValueError):
    """An option is out of its range or not one of its choices.

    The message names the option as the function spells it (``permutations=-5``);
    the command line translates it to its flag.
    """


class DependencyError(SpatialGreenError, ImportError):
    """An optional dependency is missing; the message names the extra to install."""


#: Import name -> the distribution pip installs, where the two differ.
_DISTRIBUTIONS = {"docx": "python-docx"}


def _require(module: str, extra: str, feature: str) -> ModuleType:
    """Import ``module``, or raise :class:`DependencyError` naming the extra.

    Optional dependencies (matplotlib, python-docx, ...) are imported where they
    are used; a public entry point calls this first, so a missing one fails at
    once with the ``pip install "spatialgreen[<extra>]"`` that brings it.

    Examples
    --------
    >>> _require("math", "paper", "nothing").__name__
    'math'
    >>> _require("no_such_module", "paper", "figures.save")
    Traceback (most recent call last):
    ...
    spatialgreen.errors.DependencyError: figures.save needs the optional package \
'no_such_module', which the default install leaves out: pip install \
"spatialgreen[paper]"
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        name = _DISTRIBUTIONS.get(module, module)
        raise DependencyError(
            f"{feature} needs the optional package {name!r}, which the default "
            f'install leaves out: pip install "spatialgreen[{extra}]"'
        ) from exc


class SpatialGreenWarning(UserWarning):
    """Awkward but valid input, and the documented treatment it received."""


def check_int(
    value: Any,
    option: str,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    none: bool = False,
) -> Any:
    """``value`` as an ``int`` within ``[minimum, maximum]``, or :class:`OptionError`.

    Booleans, strings and floats with a fractional part are refused; ``None`` only
    with ``none=True``.

    Examples
    --------
    >>> check_int(99, "permutations", minimum=0)
    99
    >>> check_int(-5, "permutations", minimum=0)
    Traceback (most recent call last):
    ...
    spatialgreen.errors.OptionError: permutations=-5: must be an integer >= 0
    """
    if value is None and none:
        return None
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if not ok and isinstance(value, numbers.Real) and not isinstance(value, bool):
        ok = math.isfinite(float(value)) and float(value).is_integer()
    if ok:
        value = int(value)
        ok = (minimum is None or value >= minimum) and (
            maximum is None or value <= maximum
        )
    if not ok:
        raise OptionError(
            f"{option}={value!r}: must be "
            + _range_words("an integer", minimum, maximum, (True, True))
            + (" or None" if none else "")
        )
    return value


def check_number(
    value: Any,
    option: str,
    *,
    low: float | None = None,
    high: float | None = None,
    closed: tuple[bool, bool] = (True, True),
    none: bool = False,
) -> Any:
    """``value`` as a finite ``float`` within its range, or :class:`OptionError`.

    ``closed`` says whether ``low`` and ``high`` themselves are allowed.

    Examples
    --------
    >>> check_number(0.05, "alpha", low=0, high=1, closed=(False, False))
    0.05
    >>> check_number(1.5, "alpha", low=0, high=1, closed=(False, False))
    Traceback (most recent call last):
    ...
    spatialgreen.errors.OptionError: alpha=1.5: must be a number > 0 and < 1
    """
    if value is None and none:
        return None
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if ok:
        value = float(value)
        ok = math.isfinite(value)
        if ok and low is not None:
            ok = value >= low if closed[0] else value > low
        if ok and high is not None:
            ok = value <= high if closed[1] else value < high
    if not ok:
        raise OptionError(
            f"{option}={value!r}: must be "
            + _range_words("a number", low, high, closed)
            + (" or None" if none else "")
        )
    return value


def check_choice(value: Any, option: str, choices: Sequence[Any]) -> Any:
    """``value`` if it is one of ``choices``, else :class:`OptionError` listing them.

    Examples
    --------
    >>> check_choice("sar", "model", ("sar", "sem"))
    'sar'
    >>> check_choice("lag", "model", ("sar", "sem"))
    Traceback (most recent call last):
    ...
    spatialgreen.errors.OptionError: model='lag': must be one of 'sar', 'sem'
    """
    try:
        known = value in choices
    except TypeError:  # unhashable value against a set
        known = False
    if not known:
        raise OptionError(
            f"{option}={value!r}: must be one of {', '.join(map(repr, choices))}"
        )
    return value


def _range_words(
    kind: str, low: float | None, high: float | None, closed: tuple[bool, bool]
) -> str:
    parts = []
    if low is not None:
        parts.append(f"{'>=' if closed[0] else '>'} {low:g}")
    if high is not None:
        parts.append(f"{'<=' if closed[1] else '<'} {high:g}")
    return f"{kind} {' and '.join(parts)}".rstrip()


def _moved_module(old: str, new: str) -> Callable[[str], Any]:
    """A module ``__getattr__`` that forwards ``old.<name>`` to ``new`` with a warning.

    Renamed public modules keep their old import path for one release: the old
    module is a stub whose ``__getattr__`` is this function's result, so
    ``from old import name`` still works and says where ``name`` lives now.
    """

    def __getattr__(name: str) -> Any:
        target = importlib.import_module(new)
        if name.startswith("__") or not hasattr(target, name):
            raise AttributeError(f"module {old!r} has no attribute {name!r}")
        warnings.warn(
            f"{old} is deprecated and will be removed; import {name} from {new}",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(target, name)

    return __getattr__
