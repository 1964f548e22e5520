"""Product footprints against a prior year (``product_history``): the footprint reduction rate.

Each product is compared with its footprint of the organisation's base year — or, without a base
year row, of the latest year before the reporting year — per declared unit (per piece, or per t)::

    reduction = 1 − footprint this year ÷ footprint of the base year

and the rate of the company (rule ZC-HN-04) weighs the products by this year's output::

    rate = Σ units × (base − now) ÷ Σ units × base
"""

from __future__ import annotations

import math
from typing import Any

from zcf.calc.context import CalcContext
from zcf.units import parse_unit


def add_trends(ctx: CalcContext, products: list[dict[str, Any]]) -> None:
    """Set ``trend`` on each product with a comparable prior footprint; account every history row."""
    history = ctx.table("product_history")
    if history.empty:
        return
    by_product = {p["product_id"]: p for p in products}
    unknown = history[~history["product_id"].isin(list(by_product))]
    ctx.exclude("product_history", unknown, "product-history-unknown-product", "product_id")
    base_year = ctx.organization.get("base_year")
    for product_id, rows in history[history["product_id"].isin(list(by_product))].groupby("product_id", sort=True):
        product = by_product[product_id]
        prior = rows[rows["year"] < ctx.year]
        chosen = prior[prior["year"] == base_year] if base_year is not None else prior.iloc[0:0]
        if chosen.empty and len(prior):
            chosen = prior[prior["year"] == prior["year"].max()]
        ctx.exclude("product_history", rows.drop(index=chosen.index), "product-history-not-compared", "year",
                    year=base_year or "–")
        if chosen.empty:
            continue
        row = chosen.iloc[0]
        unit = row.get("declared_unit")
        kind = parse_unit(str(unit)).canonical if isinstance(unit, str) else "piece"
        if kind != product["declared_unit"]:
            ctx.exclude("product_history", chosen, "product-history-other-unit", "declared_unit",
                        declared=product["declared_unit"])
            continue
        ctx.ledger.use("product_history", chosen)
        now = product.get("per_unit_kgco2e")
        base = float(row["per_unit_kgco2e"])
        product["trend"] = {"base_year": int(row["year"]), "base_per_unit_kgco2e": base,
                            "reduction": 1 - now / base if now is not None and base else None}


def reduction_rate(products: list[dict[str, Any]]) -> float | None:
    """The output-weighted footprint reduction of the products that have a trend, or None."""
    compared = [p for p in products if (p.get("trend") or {}).get("reduction") is not None]
    base = math.fsum(p["units"] * p["trend"]["base_per_unit_kgco2e"] for p in compared)
    now = math.fsum(p["units"] * p["per_unit_kgco2e"] for p in compared)
    return 1 - now / base if base else None
