"""The preparer's to-do list: what to fill, fix or explain before the pack is handed over.

The disclosure states facts ("category 10: no data"); what the preparer should do about
them — which input table or zcf.toml key to fill — is collected here, from the check
results, the Scope 3 gaps, the calculation's warnings and incomplete product footprints.
It goes to the console, ``checks.json`` (``todo``) and the Excel sheet "待办 / To do",
never into the PDF.

Each item: ``{kind, ref, severity, where, en, zh}`` — ``kind`` is ``check``, ``scope3``,
``calculation`` or ``product``; ``ref`` the rule id, category number, problem code or
product id; ``where`` the input cell when one is known.
"""

from __future__ import annotations

from typing import Any

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
KIND_ORDER = {"check": 0, "scope3": 1, "calculation": 2, "product": 3}
_NOT_RELEVANT_KEY = "zcf.toml [scope3.not_relevant]"


def _item(kind: str, ref: str, severity: str, en: str, zh: str, where: str | None = None) -> dict[str, Any]:
    return {"kind": kind, "ref": ref, "severity": severity, "where": where, "en": en, "zh": zh}


def check_items(check_results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A rule that failed, warned or lacked data: what it needs, or what it found."""
    out = []
    for r in check_results:
        head_en, head_zh = r["title"]["en"], r["title"]["zh"]  # the rule id is the item's ref
        if r["status"] == "missing_data":
            out.append(_item("check", r["rule_id"], r["severity"],
                             f"{head_en}: give {'; '.join(r.get('needs', []))}",
                             f"{head_zh}：请提供{'；'.join(r.get('needs_zh', []))}"))
        elif r["status"] in ("fail", "warn"):
            out.append(_item("check", r["rule_id"], r["severity"], f"{head_en}: {r['message']['en']}",
                             f"{head_zh}：{r['message']['zh']}"))
    return out


def scope3_items(scope3_status: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """A category without data: the table that would fill it, or the zcf.toml key that explains it."""
    from zcf.schema import load_schema

    tables = load_schema().tables
    out = []
    for number, entry in scope3_status.items():
        name_en, name_zh = entry["name"], entry["name_zh"]
        if entry["status"] == "not_calculated":
            table = entry.get("needs")
            if table:
                table_zh = tables[table].zh if table in tables else table
                en = (f"Scope 3 category {number} ({name_en}) has no data: fill the {table} table, "
                      f"or state why it does not apply in {_NOT_RELEVANT_KEY}")
                zh = f"范围三类别 {number}（{name_zh}）无数据：请填写{table_zh}表，或在 {_NOT_RELEVANT_KEY} 中说明不适用的原因"
            else:
                en = (f"Scope 3 category {number} ({name_en}) has no data and zcf has no input table for it: "
                      f"state why it does not apply in {_NOT_RELEVANT_KEY}, or calculate it outside zcf")
                zh = (f"范围三类别 {number}（{name_zh}）无数据，zcf 尚无对应的输入表：请在 {_NOT_RELEVANT_KEY} 中"
                      "说明不适用的原因，或在 zcf 以外计算")
            out.append(_item("scope3", number, "info", en, zh))
        elif entry.get("note"):
            out.append(_item("scope3", number, "warning",
                             f"Scope 3 category {number} ({name_en}) is marked not relevant in {_NOT_RELEVANT_KEY} "
                             "but has data and was calculated: remove it there, or remove the data",
                             f"范围三类别 {number}（{name_zh}）在 {_NOT_RELEVANT_KEY} 中标为不相关，但有数据且已计算："
                             "请删除该项，或删除相应数据"))
    return out


def calculation_items(problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Warnings and errors of the calculation, with their input cell (Scope 3 gaps are listed apart)."""
    out = []
    for p in problems:
        if p["severity"] == "info" or p["code"] == "scope3-gap":
            continue
        where = ":".join(x for x in (p.get("file"), p.get("cell") or p.get("sheet")) if x) or None
        out.append(_item("calculation", p["code"], p["severity"], p["message"], p.get("message_zh") or p["message"], where))
    return out


def product_items(products: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Why a product's footprint is incomplete."""
    return [_item("product", p["product_id"], "warning", f"{p['product_id']}: {r['message']}",
                  f"{p['product_id']}：{r.get('message_zh') or r['message']}")
            for p in products for r in p.get("reasons", [])]


def todo_items(results: dict[str, Any], check_results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The whole list, errors first, then warnings and notes; each text once."""
    items = (check_items(check_results) + scope3_items(results.get("scope3_status", {}))
             + calculation_items(results.get("problems", [])) + product_items(results.get("products", [])))
    seen, out = set(), []
    for item in items:
        if item["en"] not in seen:
            seen.add(item["en"])
            out.append(item)
    return sorted(out, key=lambda i: (SEVERITY_ORDER[i["severity"]], KIND_ORDER[i["kind"]]))
