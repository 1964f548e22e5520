"""The workbook's "Lines" sheet: every calculation line, in the report's language.

The columns are those of lines.csv (same order, so the two can be compared row by row),
with headers in the report's language; coded columns — category, Scope 2 method, input
table, activity, units, confidence, method — are written as words, numbers as numbers.
Ids, file names, factor sources and the calculation text are written as they are; the
line-level quantities keep every digit ("General"), since a line may be a few kilograms.
"""

from __future__ import annotations

from typing import Any, Callable

import pandas as pd

from zcf.report.model import ReportModel

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

    pairs = lines[["scope", "category"]].drop_duplicates()
    names = {(s, c): _category(model, s, c) for s, c in pairs.itertuples(index=False)}
    lines["category"] = [names[(s, c)] for s, c in zip(lines["scope"], lines["category"])]
    named("scope2_method", lambda v: w.of("scope2_method", v))
    named("source_table", w.table_name)
    named("activity", w.activity)
    for column in ("unit", "unit_std", "factor_unit"):
        named(column, w.unit)
    named("factor_confidence", lambda v: w.of("confidence", v))
    named("method", w.method)
    return lines


def lines_sheet(model: ReportModel, workbook, write_sheet) -> None:
    t = model.text
    lines = translated(model)
    columns = list(lines.columns)
    headers, formats = [], []
    for column in columns:
        key, fmt = COLUMNS.get(column, (column, None))
        header = "tCO2e" if column == "co2e_t" else f"{t['gas']} (t)" if column == "gas_t" else t.get(key, column)
        headers.append(header)
        formats.append(fmt)
    rows = lines.astype(object).where(lines.notna(), None).values.tolist()
    write_sheet(workbook, t["sheet_lines"], headers, rows, None, formats)
