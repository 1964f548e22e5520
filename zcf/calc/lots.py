"""What makes one production batch's footprint differ from its product's: supplier lots, and the
inputs of a footprint that come straight from lines (upstream transport, the factory's data quality).

A **lot** is a purchase row that carries the ``batch_id`` of the production batch that consumed it.
For a batch, each BOM item with lots uses their emissions per unit instead of the item's average::

    batch parts per unit = product parts per unit + Σ over BOM rows with lots:
                           quantity per unit × (lot intensity − item average intensity)
"""

from __future__ import annotations

import math

import pandas as pd

from zcf.calc import bom as bom_module


def lot_supplies(purchases: pd.DataFrame, lines: pd.DataFrame) -> dict[str, dict[str, dict[str, bom_module.Supply]]]:
    """Batch id → item → kind → what the lots of that batch bought and emitted."""
    if purchases.empty or "batch_id" not in purchases:
        return {}
    with_batch = purchases[purchases["batch_id"].notna().to_numpy(dtype=bool, na_value=False)]
    if with_batch.empty:
        return {}
    emitted = bom_module.purchase_emissions(with_batch, lines)  # once, not once a batch
    return {str(batch): bom_module.supplies(rows, lines, emitted)
            for batch, rows in with_batch.groupby("batch_id", sort=True)}


def lot_difference(uses: list[bom_module.BomUse], bought: dict[str, dict[str, bom_module.Supply]],
                   lots: dict[str, dict[str, bom_module.Supply]]) -> tuple[float, list[str]]:
    """tCO2e per declared unit the batch's lots add to (or take from) the product's parts, and those items."""
    terms, items = [], []
    for use in uses:
        lot = lots.get(use.item, {}).get(use.kind)
        average = bought.get(use.item, {}).get(use.kind)
        if lot is None or average is None or lot.intensity_t is None or average.intensity_t is None:
            continue
        terms.append(use.quantity_std * (lot.intensity_t - average.intensity_t))
        items.append(use.item)
    return math.fsum(terms), sorted(set(items))  # exact: the same in any BOM row order


def transport_per_product(lines: pd.DataFrame) -> dict[str, float]:
    """Upstream transport (category 4) lines that name a product: tCO2e at 100 % of the source, per product."""
    mask = (lines["scope"] == "3") & (lines["category"] == "4") & lines["product_id"].notna()
    chosen = lines.loc[mask.to_numpy(dtype=bool, na_value=False), ["product_id", "gas_t", "gwp"]]
    tco2e = (chosen["gas_t"] * chosen["gwp"]).astype("float64")
    return {str(p): math.fsum(v.tolist()) for p, v in tco2e.groupby(chosen["product_id"].astype(str), sort=True)}


def site_quality(lines: pd.DataFrame, scope2_method: str = "market") -> dict[str, float]:
    """Per site, the emission-weighted data-quality score of its Scope 1 + 2 lines (1 best – 5)."""
    mask = (((lines["scope"] == "1") | ((lines["scope"] == "2") & (lines["scope2_method"] == scope2_method)))
            & lines["site_id"].notna())
    own = lines.loc[mask.to_numpy(dtype=bool, na_value=False), ["site_id", "gas_t", "gwp", "data_quality"]]
    tco2e = (own["gas_t"] * own["gwp"]).astype("float64")
    weighted = tco2e * pd.to_numeric(own["data_quality"]).astype("float64")
    out = {}
    for site, group in tco2e.groupby(own["site_id"].astype(str), sort=True):
        total = math.fsum(group.tolist())
        out[site] = math.fsum(weighted[group.index].tolist()) / total if total else 0.0
    return out
