"""The check results and the preparer's to-do list as the reports show them.

A check row has the rule id and title, the requirement (threshold with its unit, or
"to be disclosed") and the source document, the measured value — a number in ``measured``
for the workbook, with ``measured_text`` and its unit for the PDF — the status and the
evidence tag, all in the report's language. The to-do list comes from checks.json, or,
when no checks were run, from results.json alone (:mod:`zcf.checks.todo`).
"""

from __future__ import annotations

from typing import Any

from zcf.report.model import ReportModel
from zcf.report.numbers import fmt_number, fmt_pct, is_missing

OP_SIGNS = {"<=": "≤", ">=": "≥", "<": "<", ">": ">", "==": "="}


def show_value(model: ReportModel, value: Any, unit: str) -> str:
    """A measured value or threshold with its unit: 29.6%, 1.80 tCO2/tce, 12 个月, 已提供."""
    w = model.words
    if is_missing(value):
        return "–"
    if isinstance(value, bool):
        return w["measured_given"] if value else w["measured_missing"]
    if isinstance(value, str):  # a text measurement (older checks.json)
        return value
    if unit == "%":
        return fmt_pct(value)
    shown = w.unit(unit)
    return f"{fmt_number(value)} {shown}".strip()


def requirement(model: ReportModel, result: dict[str, Any]) -> str:
    """What the rule asks for: ≥ 30.0%, ≤ 1.80 tCO2/tce, to be disclosed, consistent."""
    kind = result.get("kind")
    if "threshold" in result and result.get("op"):
        return f"{OP_SIGNS[result['op']]} {show_value(model, result['threshold'], _rule_unit(result))}"
    if kind == "present":
        return model.text["required_given"]
    return model.text["required_consistent"]


def _rule_unit(result: dict[str, Any]) -> str:
    return result.get("unit") or ""


def check_row(model: ReportModel, result: dict[str, Any]) -> dict[str, Any]:
    lang, w = model.lang, model.words
    measured = result.get("measured")
    unit = result.get("unit") or ""
    if result["status"] == "missing_data":
        measured = None
    message = result.get("message")
    if isinstance(message, dict):
        message = message.get(lang) or message.get("en", "")
    return {
        "rule": result.get("rule_id", ""),
        "title": result["title"][lang] if isinstance(result.get("title"), dict) else result.get("title", ""),
        "requirement": requirement(model, result),
        "source": (result.get("source_zh") or result.get("source", "")) if lang == "zh" else result.get("source", ""),
        "measured": measured if not isinstance(measured, str) else None,
        "measured_text": show_value(model, measured, unit),
        "unit": "%" if unit == "%" else w.unit(unit),
        "share": unit == "%",
        "threshold": result.get("threshold") if not isinstance(result.get("threshold"), (str, bool)) else None,
        "op": OP_SIGNS.get(result.get("op") or "", ""),
        "status_code": result["status"],
        "status": w.of("status", result["status"]),
        "severity": w.of("severity", result.get("severity")),
        "evidence": w.of("evidence", result.get("evidence")),
        "message": message or "",
    }


def check_sections(model: ReportModel) -> list[dict[str, Any]]:
    """One section per rule pack: {name, title, rows}."""
    if not model.checks:
        return []
    results = model.checks.get("results", [])
    sections = []
    for pack in model.checks.get("packs", []):
        rows = [check_row(model, r) for r in results if r.get("pack") == pack["name"]]
        title = pack.get("title", {})
        sections.append({"name": pack["name"], "title": title.get(model.lang) or title.get("en") or pack["name"],
                         "rows": rows})
    return sections


def todo_items(model: ReportModel) -> list[dict[str, Any]]:
    """The preparer's to-do list: from checks.json, else from results.json alone."""
    from zcf.checks.todo import todo_items as build

    if model.checks and "todo" in model.checks:
        return model.checks["todo"]
    return build(model.results, [])


def todo_rows(model: ReportModel) -> list[dict[str, Any]]:
    w = model.words
    return [{"kind": w.of("todo_kind", item["kind"]), "ref": item["ref"], "severity": w.of("severity", item["severity"]),
             "where": item.get("where") or "", "action": item["zh"] if model.lang == "zh" else item["en"]}
            for item in todo_items(model)]
