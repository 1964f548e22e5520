"""The workbook's "Lines" sheet: every calculation line, in the report's language.

The columns are those of lines.csv (same order, so the two can be compared row by row),
with headers in the report's language; coded columns — category, Scope 2 method, input
table, activity, units, confidence, method — are written as words, numbers as numbers.
Ids, file names, factor sources and the calculation text are written as they are; the
line-level quantities keep every digit ("General"), since a line may be a few kilograms.

A sheet holds 1,048,575 lines under its header; more continue on "明细 2 / Lines 2" and so
on, up to ``MAX_SHEETS`` sheets. Beyond that the workbook does not try: the sheet says how
many lines there are and that every one is in lines.parquet and lines.csv.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pandas as pd

from zcf.report.model import ReportModel

MAX_SHEETS = 3  # sheets of lines at most (3,145,725 lines); more are in lines.parquet and lines.csv only
ROWS_PER_SHEET = 1_048_576 - 1  # Excel's rows less the header
MAX_LINES = MAX_SHEETS * ROWS_PER_SHEET  # lines a workbook lists

# lines.csv column → (label key, Excel number format kind)
COLUMNS: dict[str, tuple[str, str | None]] = {
    "line_id": ("line", None), "scope": ("scope", None), "category": ("category", None),
    "scope2_method": ("scope2_method", None), "site_id": ("site", None), "product_id": ("product", None),
    "batch_id": ("batch", None), "supplier_id": ("supplier", None), "period": ("period", None),
    "source_table": ("source_table", None), "source_file": ("source_file", None), "source_sheet": ("source_sheet", None),
    "source_row": ("source_row", "count"), "activity": ("activity", None), "quantity": ("quantity", "exact"),
    "unit": ("unit", None), "quantity_std": ("quantity_std", "exact"), "unit_std": ("unit_std", None),
    "factor_id": ("factor_id", None), "factor_value": ("factor_value", "exact"), "factor_unit": ("factor_unit", None),
    "factor_source": ("source", None), "factor_confidence": ("confidence", None), "gas": ("gas", None),
    "gas_t": ("gas_t", "exact"), "gwp": ("gwp", "exact"), "gwp_basis": ("gwp_basis", None),
    "boundary_share": ("boundary_share", "share"), "co2e_t": ("co2e_t", "exact"), "method": ("method", None),
    "data_quality": ("data_quality_score", "count"), "calculation": ("calculation", None),
    "entity": ("entity", None),  # the part of a group inventory a line came from (zcf merge)
}


def _category(model: ReportModel, scope: str, category: str) -> str:
    return f"{category} {model.category_name(category)}" if scope == "3" else model.words.of("category", category)


def translated(model: ReportModel) -> pd.DataFrame:
    """The lines with their coded columns as words (each distinct value named once)."""
    w, lines = model.words, model.lines.copy()

    def named(column: str, name: Callable[[Any], str]) -> None:
        if column in lines:
            values = lines[column].dropna().unique()
            lines[column] = lines[column].map({v: name(v) for v in values})

    if len(lines):  # each (scope, category) named once; groups numbered in order of appearance, like the pairs
        pairs = lines[["scope", "category"]].drop_duplicates()
        names = np.array([_category(model, s, c) for s, c in pairs.itertuples(index=False)], dtype=object)
        lines["category"] = names[lines.groupby(["scope", "category"], sort=False, dropna=False).ngroup().to_numpy()]
    named("scope2_method", lambda v: w.of("scope2_method", v))
    named("source_table", w.table_name)
    named("activity", w.activity)
    for column in ("unit", "unit_std", "factor_unit"):
        named(column, w.unit)
    named("factor_confidence", lambda v: w.of("confidence", v))
    named("method", w.method)
    return lines


def lines_sheet(model: ReportModel, book, write_sheet, row_limit: int, max_lines: int) -> None:
    """The lines on "明细 / Lines" (then "明细 2" …, ``row_limit`` a sheet), or a note when there are more than
    ``max_lines``."""
    t = model.text
    count = len(model.lines)
    if count > max_lines:
        write_sheet(book, t["sheet_lines"], [t["note_text"]],
                    [[t["lines_not_in_workbook"].format(count=count, limit=max_lines)]], [120])
        return
    lines = translated(model)
    headers, formats = [], []
    for column in lines.columns:
        key, fmt = COLUMNS.get(column, (column, None))
        header = "tCO2e" if column == "co2e_t" else f"{t['gas']} (t)" if column == "gas_t" else t.get(key, column)
        headers.append(header)
        formats.append(fmt)
    for number, start in enumerate(range(0, max(count, 1), row_limit), start=1):
        title = t["sheet_lines"] if number == 1 else f"{t['sheet_lines']} {number}"
        book.bulk_sheet(title, headers, lines.iloc[start:start + row_limit], formats)
