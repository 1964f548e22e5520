"""Per-supplier results: who drives categories 1 and 2, on what data, and whom to ask first.

From the purchase lines (they carry ``supplier_id``), per supplier: emissions of category 1 and
2 (tCO2e, inside the boundary), share of category 1, spend in CNY, quantity by unit, the method
mix, the emission-weighted data-quality score (1 best – 5 worst), the PCF status of the
suppliers table, and the primary-data share — the part of its emissions on supplier-specific
lines. Then the Pareto of category 1 over *all* suppliers ("N suppliers make 80 %") and a
ranked "ask these suppliers first" list: the largest emissions on average or spend data,
where a supplier's own footprint would improve the figure most.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from zcf.calc.context import CalcContext
from zcf.calc.exact import fsum_by, sums_by

PARETO_SHARE = 0.8  # "N suppliers make 80 % of category 1"
ASK_FIRST = 20  # length of the "ask these suppliers first" list
SECONDARY = ("average-data", "spend-based")


def _fsum(values) -> float:
    if isinstance(values, pd.Series) and values.dtype.kind == "f":
        return math.fsum(values.to_numpy().tolist())
    return math.fsum(float(v) for v in values)


def supplier_results(ctx: CalcContext, lines: pd.DataFrame) -> dict[str, Any]:
    """results.json ``suppliers``: ``by_supplier`` (sorted by category 1), ``pareto`` and ``ask_first``."""
    purchases = ctx.table("purchases")
    chosen = ((lines["source_table"] == "purchases") & lines["supplier_id"].notna()).to_numpy(dtype=bool, na_value=False)
    mine = lines.loc[chosen, ["supplier_id", "category", "method", "co2e_t", "data_quality"]]  # only what is summed
    if purchases.empty or mine.empty:
        return {"by_supplier": [], "pareto": None, "ask_first": []}
    names = ctx.suppliers["name"] if "name" in ctx.suppliers else pd.Series(dtype="string")
    status = ctx.suppliers["pcf_status"] if "pcf_status" in ctx.suppliers else pd.Series(dtype="string")
    spend = _spend_by_supplier(purchases, ctx.purchase_spend_cny)
    quantity = _quantity_by_supplier(purchases)
    cat1_total = _fsum(mine.loc[(mine["category"] == "1").to_numpy(dtype=bool, na_value=False), "co2e_t"])
    code, ids = pd.factorize(mine["supplier_id"], sort=True)
    n = len(ids)
    co2e_t = mine["co2e_t"].to_numpy(dtype="float64")
    category = mine["category"].to_numpy(dtype=object)
    totals = fsum_by(code, co2e_t, n)
    cat1 = fsum_by(np.where(category == "1", code, -1), co2e_t, n)
    cat2 = fsum_by(np.where(category == "2", code, -1), co2e_t, n)
    weighted = fsum_by(code, co2e_t * mine["data_quality"].to_numpy(dtype="float64", na_value=np.nan), n)
    methods_by = sums_by(code, mine["method"].to_numpy(dtype=object), co2e_t, n)
    entries = []
    for k, supplier_id in enumerate(ids.tolist()):
        co2e, methods = float(totals[k]), methods_by[k]
        entries.append({
            "supplier_id": supplier_id,
            "name": _text(names.get(supplier_id)),
            "cat1_tco2e": float(cat1[k]),
            "cat2_tco2e": float(cat2[k]),
            "cat1_share": float(cat1[k]) / cat1_total if cat1_total else None,
            "spend_cny": spend.get(supplier_id),
            "quantity": quantity.get(supplier_id, {}),
            "methods_tco2e": methods,
            "data_quality_score": float(weighted[k]) / co2e if co2e else None,
            "pcf_status": _text(status.get(supplier_id)),
            "primary_data_share": methods.get("supplier-specific", 0.0) / co2e if co2e else None,
        })
    entries.sort(key=lambda e: (-e["cat1_tco2e"], -e["cat2_tco2e"], e["supplier_id"]))
    return {"by_supplier": entries, "pareto": pareto(entries, cat1_total), "ask_first": ask_first(entries)}


def pareto(entries: list[dict[str, Any]], cat1_total: float) -> dict[str, Any] | None:
    """Cumulative share of category 1 over every supplier, largest first, and how many make 80 %."""
    if not cat1_total:
        return None
    shares = np.cumsum([e["cat1_tco2e"] for e in entries]) / cat1_total
    reaching = int(np.searchsorted(shares, PARETO_SHARE - 1e-12) + 1)
    return {"threshold": PARETO_SHARE, "suppliers_to_threshold": min(reaching, len(entries)),
            "suppliers_with_cat1": sum(1 for e in entries if e["cat1_tco2e"]), "cat1_tco2e": cat1_total,
            "cumulative_share": [float(s) for s in shares]}


def ask_first(entries: list[dict[str, Any]], n: int = ASK_FIRST) -> list[dict[str, Any]]:
    """Suppliers ranked by their emissions on average or spend data: whose footprint matters most."""
    ranked = sorted(
        ((sum(e["methods_tco2e"].get(m, 0.0) for m in SECONDARY), e) for e in entries),
        key=lambda pair: (-pair[0], pair[1]["supplier_id"]),
    )
    return [{"rank": i + 1, "supplier_id": e["supplier_id"], "name": e["name"], "secondary_tco2e": value,
             "pcf_status": e["pcf_status"]}
            for i, (value, e) in enumerate((p for p in ranked if p[0] > 0)) if i < n]


def _spend_by_supplier(purchases: pd.DataFrame, spend_cny: pd.Series | None) -> dict[str, float]:
    if spend_cny is None:
        return {}
    known = (spend_cny.notna() & purchases["supplier_id"].notna()).to_numpy(dtype=bool, na_value=False)
    code, ids = pd.factorize(purchases.loc[known, "supplier_id"], sort=True)
    sums = fsum_by(code, spend_cny[known].to_numpy(dtype="float64"), len(ids))
    return dict(zip(ids.tolist(), sums.tolist()))


def _quantity_by_supplier(purchases: pd.DataFrame) -> dict[str, dict[str, float]]:
    known = (purchases["quantity_std"].notna() & purchases["supplier_id"].notna()).to_numpy(dtype=bool, na_value=False)
    rows = purchases.loc[known]
    code, ids = pd.factorize(rows["supplier_id"], sort=True)
    by_unit = sums_by(code, rows["unit_std"].to_numpy(dtype=object), rows["quantity_std"].to_numpy(dtype="float64"),
                      len(ids))
    return {supplier_id: units for supplier_id, units in zip(ids.tolist(), by_unit) if units}


def _text(value) -> str | None:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
