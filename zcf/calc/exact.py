"""Exactly rounded sums (``math.fsum``) per group, for many groups at once.

A total in zcf is the exactly rounded sum of its lines, so it does not depend on the order of
the rows. Summing group by group with pandas costs a Python call per group and per column;
here the values are sorted by group once and each group is summed with ``math.fsum`` only
when it has more than one value (a single value is its own exact sum).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd


def fsum_by(codes: np.ndarray, values: np.ndarray, groups: int) -> np.ndarray:
    """Exact sum of ``values`` per group: ``out[g] = math.fsum(values[codes == g])``.

    ``codes`` are integers in ``0 .. groups - 1`` (negative codes are left out); groups without
    values sum to 0.0. NaN values propagate to their group's sum, as in ``math.fsum``.
    """
    codes = np.asarray(codes)
    values = np.asarray(values, dtype="float64")
    keep = codes >= 0
    if not keep.all():
        codes, values = codes[keep], values[keep]
    out = np.zeros(groups, dtype="float64")
    if not len(codes):
        return out
    order = np.argsort(codes, kind="stable")
    codes, values = codes[order], values[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    counts = np.diff(np.r_[starts, len(codes)])
    single = counts == 1
    out[codes[starts[single]]] = values[starts[single]]
    for start, count in zip(starts[~single].tolist(), counts[~single].tolist()):
        out[codes[start]] = math.fsum(values[start:start + count].tolist())
    return out


def first_by(codes: np.ndarray, values: np.ndarray, groups: int, fill=None) -> np.ndarray:
    """The first value (in row order) of each group; ``fill`` for groups without values."""
    codes = np.asarray(codes)
    values = np.asarray(values)
    out = np.full(groups, fill, dtype=object)
    keep = np.flatnonzero(codes >= 0)
    if not len(keep):
        return out
    groups_here, first = np.unique(codes[keep], return_index=True)  # index of each group's first occurrence
    out[groups_here] = values[keep[first]]
    return out


def row_codes(*keys) -> tuple[np.ndarray, ...]:
    """Integer codes of composite keys, shared across tables: ``row_codes((a1, b1), (a2, b2))`` gives one
    code array per table such that equal (a, b) rows get equal codes. Missing values (None, NaN, NA) are
    one value of their own.

    Each column is factorised table by table (categories cost nothing to factorise) and only its distinct
    values are matched across the tables: no column is concatenated or expanded to Python objects.
    """
    sizes = [len(k[0]) for k in keys]
    bounds = np.cumsum([0] + sizes)
    combined: list[np.ndarray] | None = None
    for part in zip(*keys):  # one key column, in every table
        factorised = [pd.factorize(np.asarray(c, dtype=object) if isinstance(c, (list, tuple)) else c,
                                   use_na_sentinel=True) for c in part]
        distinct = pd.Index(np.concatenate([np.asarray(u, dtype=object) for _, u in factorised])).unique()
        missing = len(distinct)
        columns = []
        for codes, uniques in factorised:
            shared = distinct.get_indexer(np.asarray(uniques, dtype=object)).astype(np.int64)
            columns.append(np.where(codes < 0, missing, shared[np.maximum(codes, 0)] if len(shared) else missing))
        if combined is None:
            combined = columns
        else:
            combined = [c * (missing + 1) + k for c, k in zip(combined, columns)]
        codes, _ = pd.factorize(np.concatenate(combined))  # re-coded: the next product cannot overflow
        combined = [codes[bounds[i]:bounds[i + 1]] for i in range(len(keys))]
    return tuple(combined or [np.zeros(n, dtype=np.int64) for n in sizes])


def sums_by(group: np.ndarray, labels: np.ndarray, values: np.ndarray, groups: int) -> list[dict[str, float]]:
    """Per group: label → exact sum of the values (labels sorted), for rows with a group code ≥ 0."""
    out: list[dict[str, float]] = [{} for _ in range(groups)]
    keep = (group >= 0) & pd.notna(labels)  # as a group-by: rows without a label are in no sum
    if not keep.any():
        return out
    (pair,) = row_codes((group[keep], labels[keep]))
    pairs = int(pair.max()) + 1
    sums = fsum_by(pair, values[keep], pairs)
    pair_group = first_by(pair, group[keep], pairs)
    pair_label = first_by(pair, labels[keep], pairs)
    for p in sorted(range(pairs), key=lambda k: pair_label[k]):
        out[pair_group[p]][pair_label[p]] = float(sums[p])
    return out
