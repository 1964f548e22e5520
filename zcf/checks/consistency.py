"""Internal-consistency tests that rules of kind ``consistency`` name.

Each returns ``{"ok": bool, "measured": number, "unit": str, "message": {"en", "zh"}}``; a
measured count has no unit.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
import pandas as pd


def _is(column: pd.Series, value: str) -> np.ndarray:
    return (column == value).fillna(False).to_numpy(dtype=bool)


def lines_sum(results: dict, tables: dict, lines: pd.DataFrame) -> dict[str, Any]:
    """Every total of results.json equals the exact sum of its lines."""
    totals = results["totals"]
    co2e = lines["co2e_t"].to_numpy(dtype="float64")
    scope3 = _is(lines["scope"], "3")
    scope2 = _is(lines["scope"], "2")
    checks = {
        "scope1": _is(lines["scope"], "1"),
        "scope2_location": scope2 & _is(lines["scope2_method"], "location"),
        "scope2_market": scope2 & _is(lines["scope2_method"], "market"),
        "scope3": scope3,
    }
    differences = {k: abs(math.fsum(co2e[mask].tolist()) - totals[k]) for k, mask in checks.items()}
    if totals["scope3_by_category"]:
        codes, categories = pd.factorize(lines["category"])
        code_of = {value: code for code, value in enumerate(categories)}
        for category, value in totals["scope3_by_category"].items():
            mask = scope3 & (codes == code_of.get(category, -2))
            differences[f"scope3 category {category}"] = abs(math.fsum(co2e[mask].tolist()) - value)
    worst = max(differences.values())
    bad = [k for k, v in differences.items() if v != 0]
    return {"ok": not bad, "measured": worst, "unit": "tCO2e", "message": {
        "en": "every total equals the sum of its lines" if not bad
        else f"totals differ from their lines: {', '.join(_total_name(k, 'en') for k in bad)}",
        "zh": "各合计均等于明细行之和" if not bad
        else f"以下合计与明细行之和不符：{'、'.join(_total_name(k, 'zh') for k in bad)}"}}


_TOTALS = {"scope1": ("Scope 1", "范围一"), "scope2_location": ("Scope 2 (location-based)", "范围二（基于位置）"),
           "scope2_market": ("Scope 2 (market-based)", "范围二（基于市场）"), "scope3": ("Scope 3", "范围三")}


def _total_name(key: str, lang: str) -> str:
    """A total as a message names it: Scope 2 (market-based), 范围三类别 4."""
    if key.startswith("scope3 category "):
        number = key.removeprefix("scope3 category ")
        return f"范围三类别 {number}" if lang == "zh" else f"Scope 3 category {number}"
    en, zh = _TOTALS[key]
    return zh if lang == "zh" else en


def _distinct(column: pd.Series) -> set:
    """The values of a column, each once (a hash table in pandas, not a Python set of every row)."""
    return set(pd.unique(column.dropna()))


def certificates(results: dict, tables: dict, lines: pd.DataFrame) -> dict[str, Any]:
    """Each certificate used once, none beyond consumption, none without matching electricity."""
    instruments = tables.get("renewable_instruments")
    duplicates = 0
    if instruments is not None and len(instruments):
        ids = instruments["certificate_id"].dropna()
        duplicates = int(ids.duplicated().sum())
    issues = [p for p in results.get("problems", []) if p["code"].startswith("instrument-")]
    count = duplicates + len(issues)
    return {"ok": count == 0, "measured": count, "message": {
        "en": "each certificate counted once and within consumption" if not count
        else f"{count} instrument problem(s): " + "; ".join(p["message"] for p in issues[:3]),
        "zh": "每个证书只使用一次且未超过用电量" if not count
        else f"{count} 个凭证问题：" + "；".join(p.get("message_zh") or p["message"] for p in issues[:3])}}


def orphan_references(results: dict, tables: dict, lines: pd.DataFrame) -> dict[str, Any]:
    """Site, supplier and item ids used anywhere exist where they are defined."""
    sites = set(tables["sites"]["site_id"]) if "sites" in tables else None
    suppliers = set(tables["suppliers"]["supplier_id"]) if "suppliers" in tables else None
    orphans: list[str] = []
    for name, frame in tables.items():
        if sites is not None and "site_id" in frame and name != "sites":
            orphans += [f"{name}.site_id={v}" for v in sorted(_distinct(frame["site_id"]) - sites)]
        if suppliers is not None and "supplier_id" in frame and name != "suppliers":
            orphans += [f"{name}.supplier_id={v}" for v in sorted(_distinct(frame["supplier_id"]) - suppliers)]
    if "bom" in tables:
        known = _distinct(tables["purchases"]["item_id"]) if "purchases" in tables else set()
        known |= _distinct(tables["production"]["product_id"]) if "production" in tables else set()
        orphans += [f"bom.item_id={v}" for v in sorted(_distinct(tables["bom"]["item_id"]) - known)]
    return {"ok": not orphans, "measured": len(orphans), "message": {
        "en": "no orphan references" if not orphans else "orphan references: " + ", ".join(orphans[:5]),
        "zh": "没有悬空引用" if not orphans else "悬空引用：" + "、".join(orphans[:5])}}


def factor_provenance(results: dict, tables: dict, lines: pd.DataFrame) -> dict[str, Any]:
    """Every factor used has a source; grid factors older than the reporting year are counted."""
    without = [f["factor_id"] for f in results.get("factors_used", []) if not (f.get("source") or "").strip()]
    old_grid = [f["factor_id"] for f in results.get("factors_used", [])
                if f["activity"].startswith("electricity.") and f.get("year") and f["year"] < results["reporting_year"]]
    ok = not without and not old_grid
    return {"ok": ok, "measured": len(without) + len(old_grid), "message": {
        "en": "every factor has a source and current grid factors" if ok else
        (f"factors without source: {', '.join(without)}; " if without else "")
        + (f"grid factors from earlier years: {', '.join(sorted(set(old_grid)))}" if old_grid else ""),
        "zh": "每个因子都有来源且电网因子为当年值" if ok else
        (f"无来源的因子：{'、'.join(without)}；" if without else "")
        + (f"使用了往年电网因子：{'、'.join(sorted(set(old_grid)))}" if old_grid else "")}}


def scope2_dual(results: dict, tables: dict, lines: pd.DataFrame) -> dict[str, Any]:
    """Location- and market-based Scope 2 are both reported when electricity is used."""
    in_scope2 = _is(lines["scope"], "2")
    methods = _distinct(lines.loc[in_scope2, "scope2_method"])
    ok = not in_scope2.any() or methods == {"location", "market"}
    return {"ok": ok, "measured": len(methods), "message": {  # methods reported: 2 when both are
        "en": "Scope 2 reported location- and market-based" if ok else "Scope 2 lacks one method",
        "zh": "范围二已按位置法和市场法双重报告" if ok else "范围二缺少一种方法"}}


def rows_accounted(results: dict, tables: dict, lines: pd.DataFrame) -> dict[str, Any]:
    """Every row of every table that feeds the calculation is calculated, used or excluded with a reason."""
    reconciliation = results.get("reconciliation") or {}
    unaccounted = {name: entry for name, entry in reconciliation.items() if entry.get("unaccounted")}
    count = sum(entry["unaccounted"] for entry in unaccounted.values())
    cells = [cell for entry in unaccounted.values() for cell in entry.get("unaccounted_cells", [])][:3]
    where = ", ".join(f"{name} {entry['unaccounted']}" for name, entry in sorted(unaccounted.items()))
    excluded = sum(entry.get("excluded", 0) for entry in reconciliation.values())
    return {"ok": count == 0, "measured": count, "message": {
        "en": f"every input row is calculated, used or excluded with a reason ({excluded} excluded)" if not count
        else f"{count} row(s) neither calculated nor excluded with a reason ({where}), e.g. {', '.join(cells)}",
        "zh": f"每个输入行均已计算、使用或注明排除原因（排除 {excluded} 行）" if not count
        else f"{count} 行既未计算也未注明排除原因（{where}），如 {'、'.join(cells)}"}}


TESTS: dict[str, Callable[[dict, dict, pd.DataFrame], dict[str, Any]]] = {
    "lines_sum": lines_sum,
    "certificates": certificates,
    "orphan_references": orphan_references,
    "factor_provenance": factor_provenance,
    "scope2_dual": scope2_dual,
    "rows_accounted": rows_accounted,
}


def run_all(results: dict, tables: dict, lines: pd.DataFrame) -> dict[str, dict[str, Any]]:
    return {name: test(results, tables, lines) for name, test in TESTS.items()}
