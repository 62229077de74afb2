"""Checks of regression designs shared by the spatial models (cross-section, panel,
regimes, GWR): a rank-deficient design is refused naming its columns.

spreg inverts ``X'X`` (or the information matrix) without checking its rank: with
``x2 = 2·x1`` it raises a bare ``LinAlgError`` or, when round-off leaves the matrix
barely invertible, returns coefficients with standard errors of 0, NaN or 1e7 and a
``rho`` with SE 0 and p 0. :func:`check_full_rank` catches such designs first.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..errors import ModelError

#: Smallest singular value, relative to the largest, of the column-normalised design
#: that counts as full rank. 1e-10 keeps legitimate but ill-conditioned designs
#: (e.g. a trend and its square in calendar years) and refuses exact combinations,
#: which leave singular values of order 1e-16.
RANK_TOL = 1e-10


def collinear_columns(x: np.ndarray, names: Sequence[str]) -> list[str]:
    """Columns involved in an exact linear dependence of ``x`` (empty if full rank).

    The columns are scaled to unit length; the right singular vectors of the
    singular values below ``RANK_TOL`` times the largest span the dependences, and
    every column with a non-zero weight in them is named (an all-zero column is
    named on its own).

    Examples
    --------
    >>> import numpy as np
    >>> x1 = np.arange(5.0)
    >>> collinear_columns(np.column_stack([np.ones(5), x1, 2 * x1]), ["c", "a", "b"])
    ['a', 'b']
    >>> collinear_columns(np.column_stack([np.ones(5), x1]), ["c", "a"])
    []
    """
    return _deficiency(np.asarray(x, dtype=float), names)[0]


def _deficiency(
    x: np.ndarray, names: Sequence[str], before: np.ndarray | None = None
) -> tuple[list[str], int]:
    """(columns involved in a dependence, numerical rank) of ``x``; a column whose
    length is below ``RANK_TOL`` times its length ``before`` a transformation
    (fixed effects swept out) counts as zero."""
    if x.shape[0] < x.shape[1]:
        return list(names), min(x.shape)
    norms = np.linalg.norm(x, axis=0)
    zero = norms == 0
    if before is not None:
        zero |= norms <= RANK_TOL * np.linalg.norm(before, axis=0)
    scaled = x / np.where(zero, 1.0, norms)
    _, s, vt = np.linalg.svd(scaled, full_matrices=False)
    small = s <= RANK_TOL * max(s.max(initial=0.0), 1e-300)
    involved = zero.copy()
    if small.any():
        involved |= (np.abs(vt[small]) > 1e-6).any(axis=0)
    bad = [name for name, flag in zip(names, involved, strict=True) if flag]
    return bad, int((~small).sum())


def check_full_rank(
    x: np.ndarray,
    names: Sequence[str],
    *,
    where: str = "",
    hint: str = "",
    before: np.ndarray | None = None,
) -> None:
    """Raise :class:`ModelError` naming the collinear columns of a design.

    ``where`` says which sample (e.g. ``" in regime 'east'"``) and ``hint`` adds a
    model-specific explanation; ``before`` is the design before fixed effects were
    swept out of ``x`` (a column left with no variation is then named as such).

    Examples
    --------
    >>> import numpy as np
    >>> x1 = np.arange(6.0)
    >>> design = np.column_stack([np.ones(6), x1, 2 * x1])
    >>> check_full_rank(design, ["const", "x1", "x2"])
    Traceback (most recent call last):
    ...
    spatialgreen.errors.ModelError: perfectly collinear regressors: 'x1', 'x2' are \
linear combinations of one another (rank 2 of 3 columns incl. the constant); drop \
one of them
    """
    x = np.asarray(x, dtype=float)
    bad, rank = _deficiency(x, names, before)
    if not bad:
        return
    if x.shape[0] < x.shape[1]:
        raise ModelError(
            f"{x.shape[0]} observations{where} for {x.shape[1]} coefficients "
            f"({', '.join(map(repr, names))}): the model is not identified"
        )
    flat = [
        name
        for j, name in enumerate(names)
        if name != "const" and "const" in names and np.ptp(x[:, j]) == 0
    ]
    if flat:
        verb = "is" if len(flat) == 1 else "are"
        what = f"{', '.join(map(repr, flat))} {verb} constant (collinear with 'const')"
    elif len(bad) == 1:
        what = (
            f"{bad[0]!r} has no variation left"
            if before is not None
            else f"{bad[0]!r} is zero in every row"
        )
    else:
        what = f"{', '.join(map(repr, bad))} are linear combinations of one another"
    with_const = " incl. the constant" if "const" in names else ""
    raise ModelError(
        f"perfectly collinear regressors{where}: {what} (rank {rank} of "
        f"{x.shape[1]} columns{with_const}); drop one of them{hint}"
    )
