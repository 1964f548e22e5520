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
    code array per table such that equal (a, b) rows get equal codes. Missing values are a value of their own."""
    sizes = [len(k[0]) for k in keys]
    combined = None
    for part in zip(*keys):
        column = pd.concat([pd.Series(np.asarray(c, dtype=object)) if not isinstance(c, pd.Series)
                            else c.reset_index(drop=True) for c in part], ignore_index=True)
        codes, uniques = pd.factorize(column, use_na_sentinel=False)
        codes = codes.astype("int64")
        combined = codes if combined is None else combined * (len(uniques) + 1) + codes
        combined, _ = pd.factorize(combined)  # keep codes small so the next product cannot overflow
    bounds = np.cumsum([0] + sizes)
    return tuple(combined[bounds[i]:bounds[i + 1]] for i in range(len(keys)))


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
