"""Checks across rows, sheets and tables of the validated dataset.

* duplicates: rows with the same key (``duplicate-key``), the same value of a
  column that must be unique (``duplicate-value``), identical rows of tables
  without a key (``duplicate-row``, a warning);
* references: site_id, supplier_id, product_id, item_id must exist in the table
  they refer to (``unknown-reference`` with "did you mean");
* monthly energy: a month more than ``outlier_ratio`` times the median month of its
  site/energy/meter (``outlier-month``; default in ``zcf.ingest.OUTLIER_RATIO``) and months
  without data (``missing-months``).
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from zcf.ingest.validate import KEY_ERROR, LINEAGE, Locator
from zcf.problems import Problem, did_you_mean, show_value
from zcf.schema import Schema, TableSpec, normalize_name, suggest

MIN_MONTHS_FOR_OUTLIERS = 3  # a median of fewer months says too little to call a month an outlier



def duplicate_problems(spec: TableSpec, frame: pd.DataFrame, locate: Locator) -> list[Problem]:
    """Duplicate keys, values of unique columns, and (tables without either) whole rows.

    Rows with an error in a key, unique or reference column (``KEY_ERROR``) are left out:
    their key is not known, and the error is reported already. When every row of a sheet
    or file repeats rows of another — the same table given twice, say as .xlsx and as CSV —
    that is one ``duplicate-source`` problem instead of one per row.
    """
    problems: list[Problem] = []
    if KEY_ERROR in frame.columns and frame[KEY_ERROR].to_numpy(dtype=bool).any():  # (a copy only when needed)
        frame = frame[~frame[KEY_ERROR].to_numpy(dtype=bool)]
    if frame.empty:
        return problems
    if spec.key:
        key = [c for c in spec.key if c in frame.columns]
        problems += _duplicates(frame, key, locate, "duplicate-key", spec.key[0], spec,
                                columns=", ".join(spec.key))
    for name in spec.unique:
        present = frame[frame[name].notna()]
        column = spec.column(name)
        pairs = _source_duplicates(present, list(_repeats(present, [name])), locate, spec, problems)
        for index, first in pairs:
            problems.append(
                locate.at(
                    frame,
                    index,
                    "duplicate-value",
                    name,
                    column=name,
                    column_zh=column.zh,
                    value=show_value(frame.at[index, name]),
                    first_row=_where(frame, first, index),
                )
            )
    if not spec.key and not spec.unique and spec.layout == "rows":
        content = [c for c in frame.columns if not c.startswith("_")]
        problems += _duplicates(frame, content, locate, "duplicate-row", None, spec)
    return problems


def _repeats(frame: pd.DataFrame, columns: list[str]):
    """(index, index of the first occurrence) for every row repeating an earlier one on ``columns``.

    Rows are compared as ``DataFrame.duplicated`` does (each column factorised, missing values equal),
    one column at a time into one integer code a row: no copy of the columns, no tuple a row.
    """
    if frame.empty or not columns:
        return
    codes, space = np.zeros(len(frame), dtype=np.int64), 1  # codes are in range(space)
    for name in columns:
        column, distinct = pd.factorize(frame[name], use_na_sentinel=False)
        if space * (len(distinct) + 1) >= 2**62:  # re-coded so that the product cannot overflow
            codes, uniques = pd.factorize(codes)
            space = len(uniques)
        codes = codes * (len(distinct) + 1) + column
        space *= len(distinct) + 1
    _, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
    firsts = first[inverse]  # position of the first row with the same values
    index = frame.index
    for position in np.flatnonzero(firsts != np.arange(len(frame))).tolist():
        yield index[position], index[firsts[position]]


def _source_of(frame: pd.DataFrame, index) -> tuple[str, str | None]:
    sheet = frame.at[index, "_source_sheet"]
    return frame.at[index, "_source_file"], None if pd.isna(sheet) else sheet


def _source_duplicates(frame: pd.DataFrame, pairs: list, locate: Locator, spec: TableSpec,
                       problems: list[Problem]) -> list:
    """Report sources repeated as a whole (one problem each); returns the other pairs."""
    if not pairs:
        return pairs
    by_sources: dict[tuple, list] = {}
    for index, first in pairs:
        by_sources.setdefault((_source_of(frame, index), _source_of(frame, first)), []).append((index, first))
    sizes = _rows_per_source(frame)
    rest = []
    for (source, other), group in by_sources.items():
        if source != other and len(group) >= 2 and len(group) == sizes[source]:
            shown = f"{other[0]}{':' + other[1] if other[1] else ''}"
            problems.append(Problem("duplicate-source", file=source[0], sheet=source[1],
                                    params={"rows": len(group), "other": shown, "table": spec.name}))
        else:
            rest += group
    return rest


def _rows_per_source(frame: pd.DataFrame) -> Counter:
    """(file, sheet or None) → rows of the frame from it (counted in pandas, not a tuple a row)."""
    counts = frame.groupby(["_source_file", "_source_sheet"], dropna=False, sort=False, observed=True).size()
    return Counter({(file, None if pd.isna(sheet) else sheet): int(n) for (file, sheet), n in counts.items()})


def _where(frame: pd.DataFrame, first, index) -> str:
    """Row number of ``first``, with its file and sheet when they differ from ``index``'s."""
    file, sheet, row = (frame.at[first, c] for c in LINEAGE)
    same = (file, sheet) == (frame.at[index, "_source_file"], frame.at[index, "_source_sheet"])
    if same:
        return str(row)
    return f"{row} ({file}{'' if pd.isna(sheet) else ':' + str(sheet)})"


def _duplicates(frame, subset, locate, code, column, spec: TableSpec, columns: str = "") -> list[Problem]:
    problems: list[Problem] = []
    pairs = _source_duplicates(frame, list(_repeats(frame, subset)), locate, spec, problems)
    return problems + [
        locate.at(frame, index, code, column, first_row=_where(frame, first, index), columns=columns)
        for index, first in pairs
    ]


def _reference_sets(schema: Schema, tables: dict[str, pd.DataFrame], target: str) -> set[str] | None:
    """Values of ``table.column`` (or the union of several, ``a.x|b.y``); None if no such table."""
    values: set[str] | None = None
    for ref in target.split("|"):
        table, _, column = ref.partition(".")
        if table in tables and column in tables[table].columns:
            values = (values or set()) | {str(v) for v in pd.unique(tables[table][column].dropna())}
    return values


def reference_problems(schema: Schema, tables: dict[str, pd.DataFrame], locate: Locator,
                       refused: dict[str, str] | None = None) -> list[Problem]:
    """``unknown-reference`` per cell whose value is not in the table it refers to.

    ``refused``: table → the file (or sheet) of it that could not be read. References into such a
    table are not checked (one warning per column), as its values are unknown: the refusal is the
    one error to fix, not every row that refers to it.
    """
    problems: list[Problem] = []
    refused = refused or {}
    for name, frame in tables.items():
        spec = schema.tables[name]
        for column in spec.columns:
            if not column.references or column.name not in frame.columns:
                continue
            present = frame[column.name].notna()
            if not present.any():
                continue
            missing = [refused[t] for t in (ref.split(".")[0] for ref in column.references.split("|")) if t in refused]
            if missing:
                first = frame.index[present.to_numpy()][0]
                sheet = frame.at[first, "_source_sheet"]
                problems.append(Problem(
                    "reference-not-checked-refused", file=frame.at[first, "_source_file"],
                    sheet=None if pd.isna(sheet) else sheet, column=column.name,
                    params={"column": column.name, "column_zh": column.zh, "refused": ", ".join(missing),
                            "table": " / ".join(ref.split(".")[0] for ref in column.references.split("|"))}))
                continue
            known = _reference_sets(schema, tables, column.references)
            target_table = " / ".join(ref.split(".")[0] for ref in column.references.split("|"))
            if known is None:
                first = frame.index[present.to_numpy()][0]
                problems.append(
                    Problem(
                        "reference-not-checked",
                        file=frame.at[first, "_source_file"],
                        sheet=None if pd.isna(frame.at[first, "_source_sheet"]) else frame.at[first, "_source_sheet"],
                        column=column.name,
                        params={"column": column.name, "column_zh": column.zh, "table": target_table},
                    )
                )
                continue
            codes, distinct = pd.factorize(frame[column.name])  # each distinct value looked up once
            is_known = np.array([str(v) in known for v in distinct] + [True], dtype=bool)  # last: missing values
            unknown = present & ~is_known[codes]
            if not unknown.any():
                continue
            choices = {normalize_name(v): v for v in known}
            hints = {v: suggest(v, choices, n=1) for v in frame.loc[unknown, column.name].unique()}
            for index in frame.index[unknown.to_numpy()]:
                value = frame.at[index, column.name]
                hint = hints[value]
                problems.append(
                    locate.at(
                        frame,
                        index,
                        "unknown-reference",
                        column.name,
                        column=column.name,
                        column_zh=column.zh,
                        value=show_value(value),
                        table=target_table,
                        **did_you_mean(hint),
                    )
                )
    return problems


def monthly_problems(
    spec: TableSpec, frame: pd.DataFrame, reporting_year: int | None, locate: Locator, ratio: float
) -> list[Problem]:
    """Outlier months and missing months per group of a monthly table (energy), vectorised.

    A group is e.g. (site, energy type, meter). Its months are summed; a month above
    ``ratio`` × the group's median month (with at least 3 months of data) is an
    outlier; months of the reporting year without data are missing.
    """
    if spec.monthly is None or frame.empty or "quantity_std" not in frame.columns:
        return []
    group = [c for c in spec.monthly.group if c in frame.columns]
    required = [frame[c].notna().to_numpy() for c in group if spec.column(c).required]
    keep = np.logical_and.reduce(required) & frame["period_month"].notna().to_numpy()
    keep &= frame["quantity_std"].notna().to_numpy()
    if reporting_year is not None:
        keep &= (frame["period_year"] == reporting_year).fillna(False).to_numpy(dtype=bool)
    monthly = frame.loc[keep, ["period_month", "quantity_std"]]
    if monthly.empty:
        return []
    # Group values as integer codes in the order of the values (a missing value as "", first):
    # the groups, their order and the messages are those of the values, at a fraction of the cost.
    names: dict[str, list] = {}
    columns = {}
    for c in group:
        codes, uniques = pd.factorize(frame.loc[keep, c], sort=True, use_na_sentinel=True)
        names[c] = ["", *uniques.tolist()]
        if "" in names[c][1:] or any(not isinstance(v, str) for v in names[c]):  # not text: use the values
            names[c] = None
            columns[c] = frame.loc[keep, c].astype(object).where(frame.loc[keep, c].notna(), "")
        else:
            columns[c] = codes + 1
    monthly = pd.DataFrame({**columns, "period_month": monthly["period_month"].astype("int64"),
                            "quantity_std": monthly["quantity_std"]}, index=monthly.index)

    def values_of(key):
        parts = key if isinstance(key, tuple) else (key,)
        return tuple(part if names[c] is None else names[c][part] for c, part in zip(group, parts))

    monthly["_row"] = monthly.index
    keys = group + ["period_month"]
    per_month = monthly.groupby(keys, sort=True).agg(total=("quantity_std", "sum"), first=("_row", "first"))
    by_group = per_month.groupby(level=group, sort=False)["total"]
    per_month["median"] = by_group.transform("median")
    per_month["months"] = by_group.transform("size")

    problems: list[Problem] = []
    outliers = per_month[(per_month["months"] >= MIN_MONTHS_FOR_OUTLIERS) & (per_month["median"] > 0)
                         & (per_month["total"] > ratio * per_month["median"])]
    for key, row in outliers.iterrows():
        index = row["first"]
        problems.append(
            locate.at(
                frame,
                index,
                "outlier-month",
                "quantity",
                value=f"{frame.at[index, 'quantity']:g} {frame.at[index, 'unit']}",
                ratio=f"{row['total'] / row['median']:.1f}",
                group=_label(values_of(key[:-1])),
            )
        )
    if reporting_year is not None:
        present = per_month["total"].unstack("period_month").reindex(columns=range(1, 13)).notna()
        firsts = per_month["first"].groupby(level=group, sort=False).first()
        incomplete = present[~present.all(axis=1)]
        months_of = np.array([f"{reporting_year}-{m:02d}" for m in range(1, 13)])
        for key, has in zip(incomplete.index, incomplete.to_numpy()):
            where = locate.at(frame, firsts[key], "missing-months")
            problems.append(
                Problem(
                    "missing-months",
                    file=where.file,
                    sheet=where.sheet,
                    params={"group": _label(values_of(key)), "months": ", ".join(months_of[~has])},
                )
            )
    return problems


def _label(key) -> str:
    parts = key if isinstance(key, tuple) else (key,)
    return " ".join(str(k) for k in parts if k != "")
