"""Scope 3 categories 1 (purchased goods and services) and 2 (capital goods).

Each purchase row takes the best method its data allows, in the GHG Protocol
Scope 3 hierarchy, and records it with a data-quality score (1 best – 5 worst):

1. supplier-specific: quantity × the supplier's product carbon footprint
   (score 1 when third-party verified, else 2);
2. average-data: quantity × ``material.<material>`` (score 3);
3. spend-based: spend (converted to CNY with ``fx.<currency>``) ×
   ``spend.<sector>`` (score 4), or ``spend.average_manufacturing`` when no sector
   is given (score 5).

A row whose data fits no method is reported (``no-method``) and left out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zcf.calc.context import CalcContext
from zcf.calc.lines import fmt, make_lines
from zcf.units import UnitError, parse_factor_unit

KIND_UNIT = {"t": "mass", "m3": "volume", "MWh": "energy", "piece": "count"}
FALLBACK_SECTOR = "average_manufacturing"


def purchases(ctx: CalcContext) -> list[pd.DataFrame]:
    table = ctx.table("purchases")
    if table.empty:
        return []
    parts: list[pd.DataFrame] = []
    done = np.zeros(len(table), dtype=bool)
    kinds = table["unit_std"].map(KIND_UNIT)

    # 1. supplier-specific product footprints
    has_pcf = (table["supplier_pcf"].notna() & table["pcf_unit"].notna() & table["quantity_std"].notna()).to_numpy()
    for (pcf_unit, kind), index in table[has_pcf].assign(kind=kinds).groupby(["pcf_unit", "kind"]).groups.items():
        rows = table.loc[index]
        try:
            unit = parse_factor_unit(pcf_unit)
        except UnitError:
            continue
        if unit.denominator_kind != kind:
            continue  # e.g. a PCF per piece for a purchase in tonnes: try the next method
        per_canonical = unit.per_canonical("t")
        pcf_t = rows["supplier_pcf"] * per_canonical
        gas_t = rows["quantity_std"] * pcf_t
        verified = rows["pcf_verified"].fillna(False).astype(bool)
        parts.append(
            make_lines(
                rows, table="purchases", scope="3", category=_category(rows), activity="purchase.supplier_pcf",
                quantity_std=rows["quantity_std"], unit_std=rows["unit_std"].iloc[0], factor=None,
                factor_id=rows["pcf_reference"].fillna("supplier PCF").astype(str).radd("pcf:"),
                factor_source=rows["supplier_id"].astype(str).radd("supplier ") + " " + rows["pcf_reference"].fillna(""),
                factor_value=pcf_t, factor_unit=f"tCO2e/{rows['unit_std'].iloc[0]}", gas="CO2e", gas_t=gas_t, gwp=1.0,
                gwp_basis=ctx.gwp_basis, share=1.0, method="supplier-specific",
                data_quality=np.where(verified, 1, 2),
                calculation=[f"{fmt(q)} {u} × {fmt(p)} {pu} = {fmt(t)} tCO2e" for q, u, p, pu, t in
                             zip(rows["quantity"], rows["unit"], rows["supplier_pcf"], rows["pcf_unit"], gas_t)],
            )
        )
        done[table.index.get_indexer(index)] = True

    # 2. average data: quantity × material factor
    has_material = ~done & (table["material"].notna() & table["quantity_std"].notna()).to_numpy()
    for (material, kind), index in table[has_material].assign(kind=kinds).groupby(["material", "kind"]).groups.items():
        rows = table.loc[index]
        factor = ctx.resolver.resolve(f"material.{material}", [ctx.country], ctx.year)
        if factor is None or factor.factor.denominator_kind != kind:
            continue
        factor = ctx.factor(f"material.{material}", [ctx.country])
        per_canonical = factor.per_canonical("t")
        gas_t = rows["quantity_std"] * per_canonical
        parts.append(
            make_lines(
                rows, table="purchases", scope="3", category=_category(rows), activity=f"material.{material}",
                quantity_std=rows["quantity_std"], unit_std=rows["unit_std"].iloc[0], factor=factor,
                factor_value=per_canonical, factor_unit=f"tCO2e/{rows['unit_std'].iloc[0]}", gas=factor.gas or "CO2e",
                gas_t=gas_t, gwp=1.0, gwp_basis=ctx.gwp_basis, share=1.0, method="average-data", data_quality=3,
                calculation=[f"{fmt(q)} {u} × {fmt(factor.value)} {factor.unit} = {fmt(t)} tCO2e"
                             for q, u, t in zip(rows["quantity"], rows["unit"], gas_t)],
            )
        )
        done[table.index.get_indexer(index)] = True

    # 3. spend-based: spend in CNY × sector factor
    has_spend = ~done & table["spend"].notna().to_numpy()
    spend_rows = table[has_spend]
    if len(spend_rows):
        currency = spend_rows["currency"].fillna(ctx.organization.get("currency") or "CNY").str.upper()
        sector = spend_rows["sector"].fillna(FALLBACK_SECTOR)
        keys = pd.DataFrame({"sector": sector, "currency": currency}, index=spend_rows.index)
        for (sector_name, cur), index in keys.groupby(["sector", "currency"]).groups.items():
            rows = spend_rows.loc[index]
            cny = to_cny(ctx, rows["spend"], cur)
            factor = ctx.factor(f"spend.{sector_name}", [ctx.country], len(rows))
            if cny is None or factor is None:
                continue
            per_cny = factor.per_canonical("t")  # tCO2e per CNY
            gas_t = cny * per_cny
            parts.append(
                make_lines(
                    rows, table="purchases", scope="3", category=_category(rows), activity=f"spend.{sector_name}",
                    quantity_std=cny, unit_std="CNY", quantity=rows["spend"], unit=cur, factor=factor,
                    factor_value=per_cny, factor_unit="tCO2e/CNY", gas="CO2e", gas_t=gas_t, gwp=1.0,
                    gwp_basis=ctx.gwp_basis, share=1.0, method="spend-based",
                    data_quality=5 if sector_name == FALLBACK_SECTOR else 4,
                    calculation=[f"{fmt(s)} {cur} → {fmt(c)} CNY × {fmt(factor.value)} {factor.unit} = {fmt(t)} tCO2e"
                                 for s, c, t in zip(rows["spend"], cny, gas_t)],
                )
            )
            done[table.index.get_indexer(index)] = True

    for _, row in table[~done].iterrows():
        reason = "no quantity with a matching material factor or PCF unit, and no spend"
        ctx.report("no-method", item=row["item_id"], supplier=row["supplier_id"], reason=reason)
    return parts


def to_cny(ctx: CalcContext, amounts: pd.Series, currency: str) -> pd.Series | None:
    """Amounts in CNY, through ``fx.<currency>`` (CNY per unit of the currency)."""
    if currency in ("CNY", "RMB"):
        return amounts.astype("float64")
    rate = ctx.factor(f"fx.{currency}", [ctx.country], len(amounts))
    return None if rate is None else amounts.astype("float64") * rate.value


def _category(rows: pd.DataFrame) -> pd.Series:
    return rows["category"].fillna("1").astype(str)
