"""Rows of the report's detail sections: factor register, data quality, calculation notes,
products, inputs and the largest lines.

Each function takes the :class:`~zcf.report.model.ReportModel` and returns dicts with
numbers as numbers and codes as words of the report's language; the PDF template and the
Excel writer both read them.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd

from zcf.problems import SEVERITY_ORDER
from zcf.report.model import ReportModel
from zcf.report.numbers import fmt_number

TOP_LINES = 25
YEAR_BOUND = ("electricity.", "tce.")  # factors published per year: an older one is a stand-in, said so


def factor_rows(model: ReportModel) -> list[dict[str, Any]]:
    """The factor register: every factor behind a line, named in the report's language."""
    w, year = model.words, model.results["reporting_year"]
    rows = []
    for f in model.results["factors_used"]:
        older = bool(f.get("year")) and f["year"] < year and f["activity"].startswith(YEAR_BOUND)
        rows.append({
            "factor_id": f["factor_id"], "activity": w.activity(f["activity"]), "region": w.region(f.get("region")),
            "year": f.get("year"), "value": f["value"], "unit": w.unit(f["unit"]), "gas": f.get("gas") or "",
            "source": f.get("source") or "", "url": f.get("url_or_doc") or "", "notes": f.get("notes") or "",
            "confidence": w.of("confidence", f.get("confidence")), "origin": w.of("origin", f.get("origin")),
            "note": w["older_factor"].format(year=year) if older else "",
        })
    return rows


def cat1_rows(model: ReportModel) -> list[dict[str, Any]]:
    return [{"method": model.words.method(method), "tco2e": v["tco2e"], "share": v["share"], "lines": v["lines"]}
            for method, v in model.results["data_quality"]["cat1_by_method"].items()]


def reconciliation_rows(model: ReportModel) -> list[dict[str, Any]]:
    """Per input table: rows read, calculated, used, excluded, in part and unaccounted."""
    return [{"table": model.words.table_name(table), "table_id": table,
             **{k: entry[k] for k in ("rows", "calculated", "used", "excluded", "partial", "unaccounted")}}
            for table, entry in model.results.get("reconciliation", {}).items()]


def amounts_text(model: ReportModel, amounts: dict[str, float]) -> str:
    """The quantities behind some rows: 27,500 t; 371,800,746 元."""
    separator = "；" if model.lang == "zh" else "; "
    return separator.join(f"{fmt_number(v)} {model.words.unit(u)}" for u, v in amounts.items())


def factors_named(model: ReportModel, texts: list[str]) -> list[str]:
    """The factors of the register that the calculation's messages name (a proxy, an older year)."""
    return [f["factor_id"] for f in model.results["factors_used"] if any(f["factor_id"] in text for text in texts)]


def reconciliation_reasons(model: ReportModel) -> list[dict[str, Any]]:
    """Rows excluded, or calculated with a note: table, what it means (a fact), rows, the quantities behind them."""
    out = []
    for table, entry in model.results.get("reconciliation", {}).items():
        for kind, reasons in (("excluded", entry.get("reasons", [])), ("noted", entry.get("notes", []))):
            for reason in reasons:
                out.append({"table": model.words.table_name(table), "table_id": table, "kind": model.text[kind],
                            "code": reason["code"], "finding": model.words.finding(reason["code"]),
                            "factors": factors_named(model, [reason.get("message", "")]),
                            "rows": reason["rows"], "amounts": amounts_text(model, reason.get("amounts", {})),
                            "amounts_raw": reason.get("amounts", {}), "cells": reason.get("cells", [])})
    return out


def note_rows(model: ReportModel) -> list[dict[str, Any]]:
    """The calculation's notes grouped by what they mean, most serious first, with how often each occurred."""
    problems = model.results.get("problems", [])
    counts = Counter(p["code"] for p in problems)
    severity = {p["code"]: p["severity"] for p in problems}
    order = sorted(counts, key=lambda code: (SEVERITY_ORDER[severity[code]], code))
    return [{"severity": model.words.of("severity", severity[code]), "severity_code": severity[code],
             "finding": model.words.finding(code), "count": counts[code],
             "factors": factors_named(model, [p["message"] for p in problems if p["code"] == code])} for code in order]


def product_rows(model: ReportModel) -> list[dict[str, Any]]:
    w = model.words
    return [{"product": p["product_id"], "unit": unit_name(model, p), "units": p["units"],
             "per_unit": p["per_unit_kgco2e"], "parts": p["parts_kgco2e_per_unit"], "factory": p["factory_kgco2e_per_unit"],
             "tco2e": p["total_tco2e"], "complete": w["yes"] if p.get("complete", True) else w["no"]}
            for p in model.results.get("products", [])]


def unit_name(model: ReportModel, product: dict[str, Any]) -> str:
    """The declared unit of a product as the report names it: 辆/vehicle, 件/piece, 吨/t."""
    return model.words.of("declared_unit", "vehicle" if product.get("vehicle") else product.get("declared_unit", "piece"))


def incomplete_rows(model: ReportModel) -> list[dict[str, Any]]:
    """Why a product's footprint is incomplete, as facts (what to do is in the to-do list)."""
    out = []
    for p in model.results.get("products", []):
        for finding in dict.fromkeys(model.words.finding(r["code"]) for r in p.get("reasons", [])):
            out.append({"product": p["product_id"], "reason": finding})
    return out


def batch_rows(model: ReportModel) -> list[dict[str, Any]]:
    return [{"product": p["product_id"], "batch": b["batch_id"] or "", "site": b["site_id"], "period": b["period"],
             "units": b["units"], "unit": unit_name(model, p), "per_unit": b["per_unit_kgco2e"],
             "factory_tco2e": b["factory_tco2e"], "parts_tco2e": b["parts_tco2e"], "tco2e": b["total_tco2e"]}
            for p in model.results.get("products", []) for b in p["batches"]]


def input_rows(model: ReportModel) -> list[dict[str, Any]]:
    return [{"file": i["path"], "sha256": i["sha256"], "size": i["size"]} for i in model.manifest.get("inputs", [])]


def scope_label(model: ReportModel, scope: str, category: str) -> str:
    """范围一 · 固定源燃烧, Scope 3 · 4 Upstream transportation …"""
    w = model.words
    name = model.category_name(category) if scope == "3" else w.of("category", category)
    number = f"{category} " if scope == "3" else ""
    return f"{w['scope' + scope] if scope != '2' else w['scope2_market']} · {number}{name}"


def top_lines(model: ReportModel) -> list[dict[str, Any]]:
    """The largest lines (Scope 2 market-based only, so no line counts twice)."""
    lines = model.lines
    chosen = lines[(lines["scope"] != "2") | (lines["scope2_method"] == "market")]
    chosen = chosen.sort_values("co2e_t", ascending=False).head(TOP_LINES)
    rows = []
    for r in chosen.itertuples():
        where = Path(str(r.source_file)).name
        if isinstance(r.source_sheet, str) and r.source_sheet:
            where += f":{r.source_sheet}"
        if not pd.isna(r.source_row):
            where += f"!{int(r.source_row)}"
        rows.append({"line": r.line_id, "scope": scope_label(model, r.scope, r.category), "source": where,
                     "activity": model.words.activity(r.activity), "factor": r.factor_id, "tco2e": r.co2e_t})
    return rows
