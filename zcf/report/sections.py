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

import numpy as np
import pandas as pd

from zcf.problems import SEVERITY_ORDER
from zcf.report.model import ReportModel
from zcf.report.numbers import fmt_number

TOP_LINES = 25
YEAR_BOUND = ("electricity.", "tce.")  # factors published per year: an older one is a stand-in, said so
CITATION_FIELDS = ("publisher", "document", "table", "published", "retrieved", "read_in", "set")
QUALITY_TOTALS = (("total_market", "total_market"), ("scope1", "scope1"), ("scope2_location", "scope2_location"),
                  ("scope2_market", "scope2_market"), ("scope3", "scope3"))


def citation(model: ReportModel, factor: dict[str, Any]) -> str:
    """A factor's full citation: publisher, document and table, URL, publication date, and where the value was
    read (a reproduction of the primary publication) and when."""
    source, url = factor.get("source") or "", factor.get("url") or ""
    parts = [source, url if url not in source else ""]
    for key in ("published", "read_in", "retrieved"):
        if factor.get(key):
            parts.append(model.words[f"cited_{key}"].format(factor[key]))
    return "; ".join(p for p in parts if p)


def factor_rows(model: ReportModel) -> list[dict[str, Any]]:
    """The factor register: every factor behind a line, named in the report's language."""
    w, year = model.words, model.results["reporting_year"]
    rows = []
    for f in model.results["factors_used"]:
        older = bool(f.get("year")) and f["year"] < year and f["activity"].startswith(YEAR_BOUND)
        rows.append({
            "factor_id": f["factor_id"], "activity": w.activity(f["activity"]), "region": w.region(f.get("region")),
            "year": f.get("year"), "value": f["value"], "unit": w.unit(f["unit"]), "gas": f.get("gas") or "",
            "source": citation(model, f), "url": f.get("url") or f.get("url_or_doc") or "", "notes": f.get("notes") or "",
            **{k: f.get(k) or "" for k in CITATION_FIELDS},
            "confidence": w.of("confidence", f.get("confidence")), "origin": w.of("origin", f.get("origin")),
            "note": w["older_factor"].format(year=year) if older else "",
        })
    return rows


def provenance_rows(model: ReportModel) -> list[dict[str, Any]]:
    """Per total: tCO2e, tCO2e resting on weak factors and their share (results.json factor_quality)."""
    quality = model.results.get("factor_quality") or {}
    return [{"total": model.words[label], "tco2e": quality[key]["tco2e"], "weak": quality[key]["weak_tco2e"],
             "share": quality[key]["weak_share"]} for key, label in QUALITY_TOTALS if key in quality]


def factor_policy_rows(model: ReportModel) -> list[dict[str, str]]:
    """What the calculation chose for its factors: library version and sets, grid vintage, T&D method, 3b,
    gas volumes, certificate rule (results.json factor_library, factor_policy, grid_vintage)."""
    r, w, zh = model.results, model.words, model.lang == "zh"
    library, policy, vintage = r.get("factor_library"), r.get("factor_policy"), r.get("grid_vintage")
    if not library or not policy:
        return []
    sets = [s["edition_zh"] if zh else f"{s['name']}: {s['edition']}" for s in library["sets"]]  # set names are config codes
    rows = [{"label": w["factor_library_sets"], "value": w["list_separator"].join([library["version"], *sets])}]
    if vintage:
        year = vintage["year"] if vintage["year"] is not None else "–"
        uses = ", ".join(sorted({f"{u['label']} {u['factor_id']}" for u in vintage["uses"]}))
        rule = str(vintage["policy"])
        policy_name = w.of("vintage_policy", "year" if rule.isdigit() else rule)
        rows.append({"label": w["grid_vintage"],
                     "value": f"{year} ({policy_name}): {vintage['rule_zh'] if zh else vintage['rule']}; {uses}"})
    parts = (r.get("scope3_status", {}).get("3") or {}).get("parts", {})
    td = parts.get("3c", {})
    if td.get("status") == "calculated":
        rows.append({"label": w["td_losses"], "value": f"{td['formula_zh'] if zh else td['formula']}; "
                     f"{td['loss_rate_factor_id']} {td['loss_rate']:g}"})
    upstream = parts.get("3b", {})
    if upstream:
        rows.append({"label": w["cat3b"], "value": upstream.get("reason_zh" if zh else "reason") or upstream.get("status", "")})
    gas = policy["gas_volume"]
    rows.append({"label": w["gas_volume"], "value": gas["text_zh"] if zh else gas["text"]})
    rule = r.get("scope2_market_basis", {}).get("certificate_rule") or {}
    if rule:
        rows.append({"label": w["certificate_rule"],
                     "value": f"{rule['title_zh']} — {rule.get('document', '')}" if zh
                     else rule["title_en"]})  # the notice's name is Chinese: the Chinese report cites it
    return rows


def supplier_names(model: ReportModel) -> dict[str, str]:
    """Supplier id → name (results.json suppliers, else the id)."""
    return {e["supplier_id"]: e.get("name") or e["supplier_id"]
            for e in (model.results.get("suppliers") or {}).get("by_supplier", [])}


def supplier_rows(model: ReportModel) -> list[dict[str, Any]]:
    """Each supplier of categories 1 and 2 by category 1 emissions, with the cumulative share of the whole category,
    method mix, data quality and its place in the "ask first" list (results.json suppliers)."""
    suppliers = model.results.get("suppliers") or {}
    asked = {e["supplier_id"]: i for i, e in enumerate(suppliers.get("ask_first", []), start=1)}
    total = (suppliers.get("pareto") or {}).get("cat1_tco2e") or 0.0
    separator, rows, cumulative = model.words["list_separator"], [], 0.0
    for e in suppliers.get("by_supplier", []):
        cumulative += e["cat1_tco2e"]
        methods = sorted(e["methods_tco2e"].items(), key=lambda kv: -kv[1])
        rows.append({"supplier": e["supplier_id"], "name": e.get("name") or "", "cat1": e["cat1_tco2e"],
                     "share": e["cat1_share"], "cumulative": cumulative / total if total else None, "cat2": e["cat2_tco2e"],
                     "spend": e["spend_cny"], "methods": separator.join(model.words.method(m) for m, _ in methods),
                     "score": e["data_quality_score"], "primary": e["primary_data_share"],
                     "status": model.words.enum("pcf_status", e["pcf_status"]) if e.get("pcf_status") else "",
                     "ask_first": asked.get(e["supplier_id"])})
    return rows


def pcf_statements(model: ReportModel) -> list[dict[str, Any]]:
    """A product carbon footprint statement per product a customer can read without zcf: the footprint per declared
    unit, its split (purchased parts, the factory's Scope 1 + 2 with the allocation key, inbound transport), the
    largest suppliers, primary-data share and data-quality rating, boundary and method, and what is missing."""
    w, r = model.words, model.results
    names = supplier_names(model)
    out = []
    for p in r.get("products", []):
        per_unit = p.get("per_unit_kgco2e")
        transport = p.get("transport_kgco2e_per_unit") or 0.0
        parts = p.get("parts_kgco2e_per_unit")
        components = [
            {"name": w["pcf_parts"], "kg": parts},
            {"name": w["pcf_factory"].format(method=w.of("scope2_method", p.get("scope2_method", "market")),
                                             key=w.of("allocation", p.get("allocation", "units"))),
             "kg": p.get("factory_kgco2e_per_unit")},
        ]
        if transport:
            components.append({"name": w["pcf_transport"], "kg": transport})
        for c in components:
            c["share"] = c["kg"] / per_unit if per_unit and c["kg"] is not None else None
        by_supplier = sorted((p.get("by_supplier_kgco2e_per_unit") or {}).items(), key=lambda kv: -kv[1])
        suppliers = [{"name": names.get(sid, sid), "kg": kg, "share": kg / per_unit if per_unit else None}
                     for sid, kg in by_supplier[:5]]
        missing = [x.get("message_zh" if model.lang == "zh" else "message") or x.get("message", "")
                   for x in p.get("reasons", [])]  # each names the items it concerns
        out.append({
            "product": p["product_id"], "unit": unit_name(model, p), "units": p["units"],
            "period": w["pcf_period"].format(year=r["reporting_year"]), "per_unit": per_unit,
            "complete": p.get("complete", True), "components": components, "suppliers": suppliers,
            "primary_data_share": p.get("primary_data_share"), "dqr": p.get("data_quality_rating"),
            "boundary": w.of("boundary", p.get("boundary", "cradle-to-gate")),
            "method": w["pcf_method"].format(gwp=r["gwp_basis"]), "missing": missing,
        })
    return out


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


def counted_lines(lines: pd.DataFrame) -> np.ndarray:
    """Positions of the lines that count in the total (Scope 2 market-based only, so no line counts twice)."""
    if not len(lines):
        return np.zeros(0, dtype=np.int64)
    counted = (lines["scope"] != "2").to_numpy(dtype=bool, na_value=True) | (
        lines["scope2_method"] == "market").to_numpy(dtype=bool, na_value=False)
    return np.flatnonzero(counted)


def top_lines(model: ReportModel) -> list[dict[str, Any]]:
    """The largest lines (Scope 2 market-based only, so no line counts twice)."""
    chosen = counted_lines(model.lines)
    co2e = model.lines["co2e_t"].to_numpy(dtype="float64")[chosen]
    if len(co2e) > TOP_LINES:  # the largest few of millions, without sorting (or copying) them all
        chosen = chosen[np.argpartition(-co2e, TOP_LINES - 1)[:TOP_LINES]]
    chosen = model.lines.iloc[chosen].sort_values("co2e_t", ascending=False, kind="stable")
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
