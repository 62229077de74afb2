"""Composite indices: normalisation, the entropy weight method and PCA.

Conventions (stated once, used everywhere here):

* **Pooled by default.** Normalisation and weights use all unit-years together
  ("global" entropy / PCA), so that index values are comparable over time. Pass
  ``by="year"`` to normalise (and weight) each year separately instead.
* **Min–max** maps a positive indicator to ``(x − min)/(max − min)`` and a negative
  one to ``(max − x)/(max − min)``; **z-score** uses the sample standard deviation
  (ddof = 1) and flips the sign of negative indicators.
* **Entropy weights** (the standard Chinese formulation): min–max normalise, add the
  translation ``shift`` (default 0.0001) to every value so no share is zero,
  ``p_ij = z_ij / Σ_i z_ij``, ``e_j = −(1/ln n) Σ_i p_ij ln p_ij``,
  ``w_j = (1 − e_j)/Σ_k (1 − e_k)``; the index is ``Σ_j w_j z_ij`` on the translated
  values.
* **PCA** on the correlation matrix of z-scored (optionally logged) indicators; the
  kept components (Kaiser: eigenvalue > 1, default; or cumulative share ≥ 85 %; or a
  fixed number) have their sign fixed so their loadings sum to a positive number,
  and the index is ``Σ_k (λ_k / Σ_kept λ) F_k`` with component scores
  ``F_k = Z v_k``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from .errors import DataError
from .panel import require_columns
from .results import Results

__all__ = [
    "IndexResults",
    "entropy_index",
    "entropy_weights",
    "normalize",
    "pca_index",
]


@dataclasses.dataclass(frozen=True)
class IndexResults(Results):
    """A composite index and how it was built.

    Attributes
    ----------
    index : pandas.DataFrame
        The key columns (``keys``) and the ``index`` column, aligned with the input
        rows (same index).
    weights : pandas.DataFrame
        Indicator weights (entropy: entropy, divergence, weight — per group when
        ``by`` is used; PCA: the implied weight of each z-scored indicator in the
        index).
    components : pandas.DataFrame
        PCA only: eigenvalue, share, cumulative share, kept, per component.
    loadings : pandas.DataFrame
        PCA only: eigenvector coefficients (``v``) and factor loadings
        (``v·√λ``) of the kept components, by indicator.
    tests : pandas.DataFrame
        PCA only: KMO measure and Bartlett's sphericity test.
    meta : dict
    """

    index: pd.DataFrame
    weights: pd.DataFrame
    components: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    loadings: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    tests: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    meta: dict = dataclasses.field(default_factory=dict)

    @property
    def values(self) -> pd.Series:
        """The index as a Series aligned with the input rows."""
        return self.index["index"]


def _numeric_block(data: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    require_columns(data, columns, role="indicator")
    if not columns:
        raise DataError("columns must name at least one indicator")
    block = data[list(columns)].apply(pd.to_numeric, errors="coerce").astype(float)
    for col in columns:
        bad = block[col].isna() | ~np.isfinite(block[col])
        if bad.any():
            rows = list(data.index[bad][:10])
            raise DataError(
                f"indicator {col!r} has missing or non-numeric values at rows {rows}"
            )
    return block


def _groups(data: pd.DataFrame, by: str | None) -> list[np.ndarray]:
    """Row positions of each group (positions, not labels: the index may repeat)."""
    if by is None:
        return [np.arange(len(data))]
    require_columns(data, [by], role="grouping")
    missing = data[by].isna().to_numpy()
    if missing.any():
        rows = list(data.index[missing][:10])
        raise DataError(f"grouping column {by!r} has missing values at rows {rows}")
    return list(data.groupby(by, sort=True).indices.values())


def normalize(
    data: pd.DataFrame,
    columns: Sequence[str],
    *,
    method: Literal["minmax", "zscore"] = "minmax",
    negative: Iterable[str] = (),
    by: str | None = None,
) -> pd.DataFrame:
    """Normalise indicators so that larger always means better.

    Parameters
    ----------
    data : pandas.DataFrame
        Table of indicators (never modified).
    columns : sequence of str
        Indicator columns.
    method : {"minmax", "zscore"}
        Min–max to [0, 1] or z-score (ddof = 1).
    negative : iterable of str
        Indicators where larger is worse (reversed).
    by : str, optional
        Normalise within groups of this column (e.g. each year); default pooled.

    Returns
    -------
    pandas.DataFrame
        The normalised columns, same index as ``data``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [10.0, 0.0, 5.0]})
    >>> normalize(df, ["a", "b"], negative=["b"]).to_dict("list")
    {'a': [0.0, 0.5, 1.0], 'b': [0.0, 1.0, 0.5]}
    """
    cols = list(columns)
    neg = set(negative)
    unknown = neg - set(cols)
    if unknown:
        raise DataError(f"negative indicators {sorted(unknown)} are not among columns")
    if method not in ("minmax", "zscore"):
        raise DataError(f"method must be 'minmax' or 'zscore', got {method!r}")
    block = _numeric_block(data, cols)
    out = np.full(block.shape, np.nan)
    for idx in _groups(data, by):
        part = block.iloc[idx]
        for j, col in enumerate(cols):
            v = part[col]
            where = f" (in {by}={data[by].iloc[idx[0]]})" if by else ""
            if method == "minmax":
                span = v.max() - v.min()
                if span == 0:
                    raise DataError(
                        f"indicator {col!r} is constant{where}; min–max is undefined"
                    )
                z = (v.max() - v) / span if col in neg else (v - v.min()) / span
            else:
                sd = v.std(ddof=1)
                if not sd > 0:
                    raise DataError(
                        f"indicator {col!r} is constant{where}; z-score is undefined"
                    )
                z = (v - v.mean()) / sd
                z = -z if col in neg else z
            out[idx, j] = z.to_numpy()
    return pd.DataFrame(out, index=data.index, columns=cols)


def entropy_index(
    data: pd.DataFrame,
    columns: Sequence[str],
    *,
    negative: Iterable[str] = (),
    by: str | None = None,
    shift: float = 1e-4,
    keys: Sequence[str] = (),
) -> IndexResults:
    """Composite index by the entropy weight method.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit (and year); never modified.
    columns : sequence of str
        Indicators.
    negative : iterable of str
        Indicators where larger is worse.
    by : str, optional
        Compute normalisation and weights within each group (e.g. ``"year"``);
        default pooled over all rows (comparable over time).
    shift : float
        Translation added to every min–max value so that ``p ln p`` is defined
        (0 disables it; ``0 · ln 0`` is then taken as 0).
    keys : sequence of str
        Columns copied next to the index (e.g. ``("province", "year")``).

    Returns
    -------
    IndexResults
        ``index`` and ``weights`` (entropy ``e``, divergence ``1 − e``, ``weight``).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [4.0, 1.0, 1.0, 1.0]})
    >>> res = entropy_index(df, ["a", "b"], shift=0.0)
    >>> res.weights["weight"].round(4).tolist()
    [0.2129, 0.7871]
    """
    cols = list(columns)
    if shift < 0:
        raise DataError(f"shift must be >= 0, got {shift}")
    require_columns(data, keys, role="key")
    z = normalize(data, cols, method="minmax", negative=negative, by=by) + shift
    scores = np.full(len(data), np.nan)
    rows = []
    for idx in _groups(data, by):
        part = z.iloc[idx].to_numpy()
        n = part.shape[0]
        if n < 2:
            raise DataError("the entropy method needs at least two rows per group")
        e, d, w = _entropy(part)
        scores[idx] = part @ w
        label = data[by].iloc[idx[0]] if by else "pooled"
        for col, ej, dj, wj in zip(cols, e, d, w, strict=True):
            rows.append(
                {
                    "group": label,
                    "indicator": col,
                    "entropy": ej,
                    "divergence": dj,
                    "weight": wj,
                }
            )
    weights = pd.DataFrame(rows)
    if by is None:
        weights = weights.drop(columns="group")
    index = data[list(keys)].copy()
    index["index"] = scores
    meta = {
        "method": "entropy",
        "columns": cols,
        "negative": sorted(set(negative)),
        "normalization": "minmax",
        "by": by or "pooled",
        "shift": shift,
    }
    return IndexResults(index, weights, meta=meta)


def _entropy(z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Entropy ``e``, divergence ``1 − e`` and weights of the columns of ``z`` (≥ 0).

    ``p_ij = z_ij / Σ_i z_ij`` and ``e_j = −Σ_i p_ij ln p_ij / ln n`` with
    ``0 · ln 0 = 0``; ``w_j = (1 − e_j) / Σ_k (1 − e_k)``. The one implementation
    behind :func:`entropy_index` and :func:`entropy_weights`.
    """
    p = z / z.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(p), 0.0)
    e = 0.0 - plogp.sum(axis=0) / np.log(z.shape[0])  # 0.0 - : no negative zeros
    d = 1 - e
    return e, d, d / d.sum()


def entropy_weights(table: pd.DataFrame) -> pd.Series:
    """Entropy weights of the columns of ``table`` (standard Chinese formulation).

    Each column is min–max normalised over all rows (no shift) and weighted by
    :func:`_entropy`. Pool all unit-years so that weights are comparable over
    time; :func:`entropy_index` gives the same weights with options (negative
    indicators, groups, a shift) and the index itself.

    Examples
    --------
    >>> import pandas as pd
    >>> w = entropy_weights(pd.DataFrame({"a": [1, 2, 3, 4], "b": [1, 1, 1, 9]}))
    >>> bool(w["b"] > w["a"]), round(float(w.sum()), 12)
    (True, 1.0)
    """
    z = (table - table.min()) / (table.max() - table.min())
    constant = [c for c in table.columns if not np.isfinite(z[c]).all()]
    if constant:
        raise DataError(
            f"entropy weights need variation; constant column(s): {', '.join(constant)}"
        )
    _, _, w = _entropy(z.to_numpy(dtype=float))
    return pd.Series(w, index=table.columns, name="weight")


def pca_index(
    data: pd.DataFrame,
    columns: Sequence[str],
    *,
    negative: Iterable[str] = (),
    log: bool = False,
    retain: Literal["kaiser", "cumulative", "first"] | int = "kaiser",
    cumulative: float = 0.85,
    by: str | None = None,
    keys: Sequence[str] = (),
) -> IndexResults:
    """Composite index from principal components of standardized indicators.

    Parameters
    ----------
    data, columns, negative
        Data (never modified), indicators and those where larger is worse, as in
        :func:`entropy_index`; z-scores of the negative indicators are reversed.
    log : bool
        Take natural logs first (all values must be > 0).
    retain : {"kaiser", "cumulative", "first"} or int
        Components kept: eigenvalue > 1 (at least one), the fewest reaching
        ``cumulative`` share, the first only, or a fixed number.
    cumulative : float
        Threshold for ``retain="cumulative"``.
    by : str, optional
        Standardize within groups (e.g. each year); the correlation matrix and
        components are always pooled.
    keys : sequence of str
        Columns copied next to the index.

    Returns
    -------
    IndexResults
        ``index``, implied indicator ``weights``, ``components``, ``loadings``, and
        KMO/Bartlett ``tests``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=50)
    >>> df = pd.DataFrame({c: f + rng.normal(scale=0.3, size=50) for c in "abc"})
    >>> res = pca_index(df, ["a", "b", "c"])
    >>> int(res.components["kept"].sum()), bool(res.index["index"].corr(df["a"]) > 0.8)
    (1, True)
    """
    cols = list(columns)
    require_columns(data, keys, role="key")
    block = _numeric_block(data, cols)
    if log:
        bad = (block <= 0).any()
        if bad.any():
            col = bad[bad].index[0]
            rows = list(block.index[block[col] <= 0][:10])
            raise DataError(
                f"indicator {col!r} has values <= 0 at rows {rows}; cannot take logs"
            )
        block = np.log(block)
    z = normalize(
        block.assign(**{by: data[by].to_numpy()}) if by else block,
        cols,
        method="zscore",
        negative=negative,
        by=by,
    )
    zm = z.to_numpy()
    n, k = zm.shape
    if n <= k:
        raise DataError(f"PCA needs more rows ({n}) than indicators ({k})")
    corr = np.corrcoef(zm, rowvar=False)
    # numpy's symmetric eigensolver on the k×k correlation matrix is all PCA needs
    eigval, eigvec = np.linalg.eigh(corr)
    order = np.argsort(eigval)[::-1]
    eigval, eigvec = eigval[order], eigvec[:, order]
    eigvec = eigvec * np.where(eigvec.sum(axis=0) < 0, -1.0, 1.0)
    share = eigval / eigval.sum()
    cum = np.cumsum(share)
    if retain == "kaiser":
        n_keep = max(1, int(np.sum(eigval > 1)))
    elif retain == "cumulative":
        n_keep = int(np.searchsorted(cum, cumulative - 1e-12) + 1)
    elif retain == "first":
        n_keep = 1
    elif isinstance(retain, int | np.integer) and 1 <= retain <= k:
        n_keep = int(retain)
    else:
        raise DataError(
            f"retain must be 'kaiser', 'cumulative', 'first' or 1..{k}, got {retain!r}"
        )
    lam = eigval[:n_keep]
    vecs = eigvec[:, :n_keep]
    mix = lam / lam.sum()
    scores_k = zm @ vecs
    implied = vecs @ mix  # the index is Σ_j implied_j z_j
    index = data[list(keys)].copy()
    index["index"] = scores_k @ mix
    names = [f"PC{i + 1}" for i in range(k)]
    components = pd.DataFrame(
        {
            "component": names,
            "eigenvalue": eigval,
            "share": share,
            "cumulative": cum,
            "kept": np.arange(k) < n_keep,
        }
    )
    loadings = pd.DataFrame(index=pd.Index(cols, name="indicator"))
    for i in range(n_keep):
        loadings[f"v_PC{i + 1}"] = vecs[:, i]
        loadings[f"loading_PC{i + 1}"] = vecs[:, i] * np.sqrt(lam[i])
    weights = pd.DataFrame(
        {"indicator": cols, "coefficient": implied, "weight": implied / implied.sum()}
    )
    meta = {
        "method": "pca",
        "columns": cols,
        "negative": sorted(set(negative)),
        "log": log,
        "retain": retain,
        "kept": n_keep,
        "by": by or "pooled",
        "standardization": "z-score (ddof=1)",
        "sign": "loadings of each component sum > 0",
    }
    tests = _kmo_bartlett(corr, n)
    return IndexResults(index, weights, components, loadings.reset_index(), tests, meta)


def _kmo_bartlett(corr: np.ndarray, n: int) -> pd.DataFrame:
    """Kaiser–Meyer–Olkin measure and Bartlett's test of sphericity."""
    k = corr.shape[0]
    try:
        inv = np.linalg.inv(corr)
    except np.linalg.LinAlgError:
        kmo = np.nan
        det = 0.0
    else:
        d = np.sqrt(np.outer(np.diag(inv), np.diag(inv)))
        partial = -inv / d
        off = ~np.eye(k, dtype=bool)
        r2, q2 = np.sum(corr[off] ** 2), np.sum(partial[off] ** 2)
        kmo = r2 / (r2 + q2)
        det = np.linalg.det(corr)
    chi2 = -(n - 1 - (2 * k + 5) / 6) * np.log(det) if det > 0 else np.inf
    df = k * (k - 1) / 2
    return pd.DataFrame(
        {
            "test": ["KMO", "Bartlett chi2"],
            "statistic": [kmo, chi2],
            "df": [np.nan, df],
            "p_value": [np.nan, float(stats.chi2.sf(chi2, df))],
        }
    )
