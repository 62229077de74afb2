"""Environmental productivity, Tapio decoupling, refined scores and catch-up decoupling.

Every function takes a tidy (unit, year) panel and returns a tidy DataFrame keyed by
the user's unit and time columns; period results carry ``period`` ("2005-2010"),
``start`` and ``end``. State labels (``state``, ``state_zh``) and catch-up types
(``type`` A–D) are a fixed vocabulary that the map renderers code against.

One module per job, all re-exported here:

- :mod:`~spatialgreen.decoupling.environmental` — environmental productivity;
- :mod:`~spatialgreen.decoupling.tapio` — Tapio elasticities, states and scores;
- :mod:`~spatialgreen.decoupling.catch_up` — Chenery stages and catch-up types A–D.
"""

from ..composite import entropy_weights
from .catch_up import (
    CATCH_UP_TYPES,
    CHENERY_1970_USD,
    CNY_PER_USD_2005,
    USD_1970_TO_2005,
    catch_up,
    chenery_stages,
)
from .environmental import environmental_productivity
from .tapio import STATES, score_table, tapio

__all__ = [
    "CATCH_UP_TYPES",
    "CHENERY_1970_USD",
    "CNY_PER_USD_2005",
    "STATES",
    "USD_1970_TO_2005",
    "catch_up",
    "chenery_stages",
    "entropy_weights",
    "environmental_productivity",
    "score_table",
    "tapio",
]
