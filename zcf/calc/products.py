"""Cradle-to-gate product footprints per product (vehicle model) and production batch.

    footprint per unit = parts + factory
    parts   = Σ over the product's BOM: quantity per unit × the item's emissions per
              unit purchased (its Scope 3 category 1 lines ÷ quantity bought) — or, when
              the item is itself a product made in the group (a battery pack), that
              product's own footprint per unit
    factory = the site's Scope 1 + Scope 2 (market-based) of the batch's month ÷ the
              site's units produced that month; emissions recorded for the whole year
              are spread over the months by units produced

This follows ISO 14067's physical allocation by production quantity; it is a
screening footprint, not a full LCA (no upstream transport or end-of-life).
"""

from __future__ import annotations

import math

import pandas as pd

from zcf.calc.context import CalcContext
from zcf.units import ratio

KG_PER_T = ratio("t", "kg")


def _units(production: pd.DataFrame) -> pd.DataFrame:
    """Production rows counted in pieces (vehicles, packs)."""
    if production.empty:
        return production
    return production[(production["unit_std"] == "piece") & production["quantity_std"].notna()]


def _factory_per_unit(lines: pd.DataFrame, units: pd.DataFrame) -> dict[tuple[str, int | None], float]:
    """tCO2e per unit by (site, month) from Scope 1 + Scope 2 market lines."""
    own = lines[(lines["scope"] == "1") | ((lines["scope"] == "2") & (lines["scope2_method"] == "market"))]
    emissions = own["co2e_t"]
    month = pd.to_numeric(own["period"].fillna("").str.slice(5, 7), errors="coerce")
    frame = pd.DataFrame({"site_id": own["site_id"], "month": month, "co2e_t": emissions})
    out: dict[tuple[str, int | None], float] = {}
    unit_month = units.assign(month=units["period_month"].astype("float64"))
    for site_id, site_units in unit_month.groupby("site_id"):
        per_month_units = site_units.groupby("month", dropna=False)["quantity_std"].sum()
        total_units = float(per_month_units.sum())
        if total_units <= 0:
            continue
        site_lines = frame[frame["site_id"] == site_id]
        annual = math.fsum(site_lines.loc[site_lines["month"].isna(), "co2e_t"])
        monthly = site_lines.dropna(subset=["month"]).groupby("month")["co2e_t"].sum()
        for m, n in per_month_units.items():
            if n <= 0:
                continue
            month_emissions = float(monthly.get(m, 0.0)) + annual * n / total_units
            out[(site_id, None if m != m else int(m))] = month_emissions / n
    return out


def _item_intensity(lines: pd.DataFrame, purchases: pd.DataFrame) -> dict[str, tuple[float, str, str]]:
    """tCO2e per purchased unit of each item, with the unit and the main method."""
    cat12 = lines[(lines["source_table"] == "purchases")]
    if cat12.empty or purchases.empty:
        return {}
    cat12 = cat12.assign(source_sheet=cat12["source_sheet"].fillna(""))  # CSV rows have no sheet
    by_row = cat12.groupby(["source_file", "source_sheet", "source_row"])["co2e_t"].sum()
    methods = cat12.groupby(["source_file", "source_sheet", "source_row"])["method"].first()
    out: dict[str, tuple[float, str, str]] = {}
    for item_id, rows in purchases.groupby("item_id"):
        emissions = quantity = 0.0
        method = ""
        unit = None
        for _, row in rows.iterrows():
            sheet = row["_source_sheet"]
            key = (row["_source_file"], "" if sheet is None or pd.isna(sheet) else sheet, row["_source_row"])
            if key not in by_row.index or pd.isna(row["quantity"]):
                continue
            emissions += float(by_row[key])
            quantity += float(row["quantity"])
            unit = row["unit"]
            method = method or methods[key]
        if quantity > 0:
            out[str(item_id)] = (emissions / quantity, unit, method)
    return out


def footprints(ctx: CalcContext, lines: pd.DataFrame) -> list[dict]:
    everything = ctx.table("production")
    production = _units(everything)
    if not everything.empty:
        ctx.exclude("production", everything[~everything.index.isin(production.index)], "production-not-counted", "unit")
        ctx.ledger.use("production", production)
    if production.empty:
        return []
    bom = ctx.table("bom")
    items = _item_intensity(lines, ctx.table("purchases"))
    factory = _factory_per_unit(lines, production)
    products = sorted(production["product_id"].dropna().unique())
    factory_avg: dict[str, float] = {}
    for product in products:
        rows = production[production["product_id"] == product]
        total = math.fsum(factory.get((r.site_id, _month(r.period_month)), 0.0) * r.quantity_std for r in rows.itertuples())
        factory_avg[product] = total / float(rows["quantity_std"].sum())

    cache: dict[str, tuple[float, dict]] = {}

    def parts_per_unit(product: str, stack: tuple[str, ...] = ()) -> tuple[float, dict]:
        if product in cache:
            return cache[product]
        total = 0.0
        detail = {"supplier-specific": 0.0, "average-data": 0.0, "spend-based": 0.0, "internal": 0.0, "missing_items": []}
        product_bom = bom[bom["product_id"] == product] if not bom.empty else bom
        for row in product_bom.itertuples():
            item = str(row.item_id)
            qty = float(row.quantity_per_unit)
            ctx.ledger.use("bom", [row.Index]) if (item in items or item in factory_avg) else ctx.exclude(
                "bom", [row.Index], "bom-item-without-data", "item_id", item=item)
            if item in items:
                per_unit, _, method = items[item]
                total += qty * per_unit
                detail[method] = detail.get(method, 0.0) + qty * per_unit
            elif item in factory_avg and item not in stack:
                inner, _ = parts_per_unit(item, stack + (product,))
                value = qty * (inner + factory_avg[item])
                total += value
                detail["internal"] += value
            else:
                detail["missing_items"].append(item)
        cache[product] = (total, detail)
        return cache[product]

    out = []
    for product in products:
        parts_t, detail = parts_per_unit(product)
        rows = production[production["product_id"] == product]
        batches = []
        for r in rows.sort_values(["period", "site_id"]).itertuples():
            factory_t = factory.get((r.site_id, _month(r.period_month)), 0.0)
            units = float(r.quantity_std)
            batches.append({
                "batch_id": None if pd.isna(r.batch_id) else r.batch_id,
                "site_id": r.site_id,
                "period": r.period,
                "units": units,
                "factory_tco2e": factory_t * units,
                "parts_tco2e": parts_t * units,
                "total_tco2e": (factory_t + parts_t) * units,
                "per_unit_kgco2e": (factory_t + parts_t) * KG_PER_T,
            })
        units_total = math.fsum(b["units"] for b in batches)
        total = math.fsum(b["total_tco2e"] for b in batches)
        parts_share = {k: v / parts_t for k, v in detail.items() if k != "missing_items" and parts_t and v}
        out.append({
            "product_id": product,
            "units": units_total,
            "per_unit_kgco2e": total / units_total * KG_PER_T if units_total else None,
            "parts_kgco2e_per_unit": parts_t * KG_PER_T,
            "factory_kgco2e_per_unit": factory_avg[product] * KG_PER_T,
            "total_tco2e": total,
            "parts_by_method_share": parts_share,
            "bom_items_without_data": detail["missing_items"],
            "batches": batches,
        })
    return out


def _month(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)
