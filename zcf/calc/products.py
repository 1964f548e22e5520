"""Cradle-to-gate product footprints, per unit produced.

**Declared unit**: one unit of the product as its production is counted — one piece
(件, 台, 辆) or one t when production is given in mass (``zcf.calc.production``).

**Boundary**: cradle to gate — the purchased materials and parts in the product's bill of
materials, with their own cradle-to-gate emissions as the purchase lines give them, the
factory's own emissions, and upstream transport lines that name the product (``transport``
rows with its ``product_id``). Not included: waste, use and end of life.
::

    footprint per declared unit = parts + factory + transport
    parts   = Σ over the product's BOM rows: quantity per unit (in the canonical unit of its
              kind) × the item's emissions per canonical unit (``zcf.calc.bom``) — or, for an
              item made in the group (a battery pack), that product's own footprint per unit
    factory = Σ shares of the site's Scope 1 + Scope 2 (market-based; ``[products] scope2``
              switches to location-based) given to the product's production rows ÷ its
              production in the declared unit (``zcf.calc.allocation``)
    transport = upstream transport lines of the product ÷ its production in the declared unit

**Batches** differ by the factory data of their own month and by supplier lots: where
purchase rows carry the ``batch_id`` of the production batch that consumed them, those rows'
emissions per unit replace the item's average for that batch (``zcf.calc.lots``).

**Per part and supplier**: each BOM row with its intensity, the split of the parts by
supplier, the primary-data share (PACT: supplier footprints and the factory's own activity
data) and an emission-weighted data-quality rating (1 best – 5) are given per product.

**Allocation key** (``zcf.toml`` ``[products] allocation``): ``units`` (default; quantity
produced in its own unit), ``mass`` (production in t) or ``revenue`` (production.revenue).
This follows ISO 14067's physical allocation when the key is units or mass; it is a
screening footprint, not a full LCA.

**Footprints are per unit produced and never carry the consolidation share**: every
emission enters at 100 % of its source (``gas_t × gwp``), so a joint venture's product has
the same footprint under equity share as under operational control.

A footprint is **complete** when the product has a BOM, every BOM row is used with data,
every item made in the group has a complete footprint, and every production row got its
factory part from a site with Scope 1 or 2 lines. Otherwise ``complete`` is false,
``per_unit_kgco2e`` and ``total_tco2e`` are null, ``reasons`` say what is missing, and
``parts_kgco2e_per_unit`` / ``factory_kgco2e_per_unit`` hold the part that is known.

Every production and BOM row is used or excluded with a reason in the ledger.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from zcf.calc import allocation as alloc
from zcf.calc import bom as bom_module
from zcf.calc.context import CalcContext
from zcf.calc.lines import fmt
from zcf.calc.lots import lot_difference, lot_supplies, site_quality, transport_per_product
from zcf.calc.product_trend import add_trends
from zcf.calc.production import DeclaredUnit, declared_units, in_declared_unit, vehicles, with_kinds
from zcf.problems import Problem
from zcf.units import ratio

KG_PER_T = ratio("t", "kg")
INTERNAL = "internal"  # the method of parts made in the group


@dataclass
class Footprint:
    """One product's footprint per declared unit (tCO2e at 100 %), as far as it is known."""

    parts_t: float = 0.0
    factory_t: float | None = None
    primary_t: float = 0.0  # from primary data (PACT): supplier footprints, and own factories' activity data
    transport_t: float = 0.0
    quality_weighted: float = 0.0  # Σ tCO2e × data-quality score (1 best – 5)
    by_method: dict[str, float] = field(default_factory=dict)
    by_supplier: dict[str, float] = field(default_factory=dict)
    parts: list[dict] = field(default_factory=list)
    reasons: list[dict] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.reasons

    @property
    def known_t(self) -> float:
        return self.parts_t + (self.factory_t or 0.0) + self.transport_t

    def add_reason(self, code: str, items: list[str], **params) -> None:
        problem = Problem(code, params={**params, "items": ", ".join(items)})
        self.reasons.append({"code": code, "message": problem.message("en"), "message_zh": problem.message("zh"),
                             "items": items})


def footprints(ctx: CalcContext, lines: pd.DataFrame) -> list[dict]:
    """Every produced product's footprint (results.json ``products``); rows accounted in the ledger."""
    production, bom = ctx.table("production"), ctx.table("bom")
    if production.empty:
        if not bom.empty:
            read = bom_module.read_bom(bom, set(), {}, {})
            _exclude_bom(ctx, read.left_out)
        return []
    production = with_kinds(production)
    declared = declared_units(production)
    in_unit = in_declared_unit(production, declared)
    _exclude_other_units(ctx, production[~in_unit], declared)
    allocated = alloc.allocate(production, lines, ctx.options.allocation, ctx.options.footprint_scope2)
    _account_allocation(ctx, allocated)

    bought = bom_module.supplies(ctx.table("purchases"), lines)
    read = bom_module.read_bom(bom, set(declared), bought, declared) if not bom.empty \
        else bom_module.BomRead([], [])
    _exclude_bom(ctx, read.left_out)
    builder = _Builder(ctx, production, in_unit, declared, bought, read, allocated, bom)
    builder.lots = lot_supplies(ctx.table("purchases"), lines)
    builder.transport = transport_per_product(lines)
    builder.site_quality = site_quality(lines, ctx.options.footprint_scope2)
    out = [builder.entry(product) for product in sorted(declared)]
    add_trends(ctx, out)
    used = [use for use in read.uses if use.row in builder.used_rows]
    _check_mass_balance(ctx, used, builder.output, bought, declared, bom)
    return out


class _Builder:
    """Footprints of the products, each computed once (items made in the group first)."""

    def __init__(self, ctx: CalcContext, production: pd.DataFrame, in_unit: pd.Series,
                 declared: dict[str, DeclaredUnit], bought: dict[str, dict[str, bom_module.Supply]],
                 read: bom_module.BomRead, allocated: alloc.Allocation, bom: pd.DataFrame):
        self.ctx, self.declared, self.bought, self.allocated = ctx, declared, bought, allocated
        self.production = production[in_unit]  # the rows a footprint is made of: in the declared unit
        self.other_unit_rows = production.loc[~in_unit, "product_id"].astype(str).value_counts().to_dict()
        self.vehicle_ids = vehicles(production, ctx.table("sold_products"))
        self.uses: dict[str, list[bom_module.BomUse]] = {}
        for use in read.uses:
            self.uses.setdefault(use.product, []).append(use)
        self.with_bom = set(bom["product_id"].dropna().astype(str)) if not bom.empty else set()
        self.left_out: dict[str, list[str]] = {}
        for _, labels, _, _ in read.left_out:
            for label in labels:
                self.left_out.setdefault(str(bom.at[label, "product_id"]), []).append(str(bom.at[label, "item_id"]))
        self.output = {str(p): math.fsum(rows["quantity_std"].tolist())
                       for p, rows in self.production.groupby("product_id")}  # in the declared unit
        self.cache: dict[str, Footprint] = {}
        self.used_rows: set = set()  # BOM rows that entered a footprint
        self.lots: dict[str, dict] = {}  # batch id → item → kind → Supply (zcf.calc.lots)
        self.transport: dict[str, float] = {}  # product → upstream transport tCO2e at 100 %
        self.site_quality: dict[str, float] = {}  # site → emission-weighted data quality of its own lines

    def footprint(self, product: str, stack: tuple[str, ...] = ()) -> Footprint:
        if product not in self.cache:
            self.cache[product] = self._compute(product, stack + (product,))
        return self.cache[product]

    def _compute(self, product: str, stack: tuple[str, ...]) -> Footprint:
        result = Footprint()
        incomplete: list[str] = []
        left_out = list(self.left_out.get(product, []))
        # terms of each sum, added exactly (math.fsum) at the end: the same footprint in any BOM row order
        parts_t, primary_t, quality_weighted = [], [], []
        by_supplier: dict[str, list[float]] = {}
        by_method: dict[str, list[float]] = {}
        for use in self.uses.get(product, []):
            if use.item in self.declared:
                if use.item in stack:
                    self.ctx.exclude("bom", [use.row], "bom-cycle", "item_id", item=use.item, product=product)
                    left_out.append(use.item)
                    continue
                child = self.footprint(use.item, stack)
                per_unit, shares, source = child.known_t, {INTERNAL: 1.0}, "made in the group"
                primary_t.append(use.quantity_std * child.primary_t)
                quality_weighted.append(use.quantity_std * child.quality_weighted)
                for supplier, value in child.by_supplier.items():
                    by_supplier.setdefault(supplier, []).append(use.quantity_std * value)
                if not child.complete:
                    incomplete.append(use.item)
            else:
                supply = self.bought[use.item][use.kind]
                per_unit, source = supply.intensity_t, "purchases"
                shares = {m: v / supply.emissions_t for m, v in supply.by_method.items()} if supply.emissions_t else {}
            self.ctx.ledger.use("bom", [use.row])
            self.used_rows.add(use.row)
            value = use.quantity_std * per_unit
            parts_t.append(value)
            if source == "purchases":
                primary_t.append(value * shares.get("supplier-specific", 0.0))
                quality_weighted.append(value * (supply.data_quality or 0.0))
                for supplier, emitted in supply.by_supplier.items():
                    part = value * emitted / supply.emissions_t if supply.emissions_t else 0.0
                    by_supplier.setdefault(supplier, []).append(part)
            for method, part in shares.items():
                by_method.setdefault(method, []).append(value * part)
            result.parts.append({
                "item_id": use.item, "quantity_per_unit": use.quantity, "unit": use.unit,
                "unit_assumed": use.unit_assumed, "quantity_std": use.quantity_std, "unit_std": use.unit_std,
                "source": source, "tco2e_per_unit_std": per_unit, "kgco2e_per_unit": value * KG_PER_T,
            })
        result.parts_t, result.primary_t = math.fsum(parts_t), math.fsum(primary_t)
        result.quality_weighted = math.fsum(quality_weighted)
        result.by_supplier = {s: math.fsum(v) for s, v in by_supplier.items()}
        result.by_method = {m: math.fsum(v) for m, v in by_method.items()}
        self._factory(product, result)
        if self.other_unit_rows.get(product):
            result.add_reason("footprint-rows-in-other-unit", [], product=product, rows=self.other_unit_rows[product],
                              declared=self.declared[product].unit)
        if product not in self.with_bom:
            result.add_reason("footprint-no-bom", [], product=product)
            self.ctx.report("footprint-no-bom", product=product)
        if left_out:
            result.add_reason("footprint-bom-rows-left-out", sorted(set(left_out)), product=product)
        if incomplete:
            result.add_reason("footprint-item-incomplete", sorted(set(incomplete)), product=product)
        return result

    def _factory(self, product: str, result: Footprint) -> None:
        """The factory part per declared unit, and the reasons it is incomplete."""
        rows = self.production[self.production["product_id"] == product]
        shares = self.allocated.factory_t.loc[rows.index]
        done = shares.notna().to_numpy()
        units = math.fsum(rows.loc[done, "quantity_std"].tolist())
        if done.any() and units:
            result.factory_t = math.fsum(shares[done].tolist()) / units
            result.primary_t += result.factory_t  # the factory's own metered activity data
            quality = [self.site_quality.get(str(site), 0.0) for site in rows.loc[done, "site_id"]]
            result.quality_weighted += math.fsum(q * f for q, f in zip(quality, shares[done].tolist())) / units
            output = self.output.get(product, 0.0)
            if product in self.transport and output:
                result.transport_t = self.transport[product] / output
        if not done.all():
            result.add_reason("footprint-factory-not-allocated", [], product=product, rows=int((~done).sum()))
        dark = sorted(set(rows.loc[done, "site_id"].astype(str)) - self.allocated.sites_with_lines)
        if dark:
            result.add_reason("footprint-site-without-emissions", dark, product=product, sites=", ".join(dark))
            self.ctx.report("footprint-site-without-emissions", product=product, sites=", ".join(dark))

    def entry(self, product: str) -> dict:
        """The results.json entry of one product."""
        result = self.footprint(product)
        unit = self.declared[product]
        rows = self.production[self.production["product_id"] == product]
        batches = [self._batch(r, result) for r in rows.sort_values(["period", "site_id"]).itertuples()]
        units = self.output.get(product, 0.0)
        total = math.fsum(b["total_tco2e"] for b in batches) if result.complete else None
        return {
            "product_id": product,
            "declared_unit": unit.unit,
            "unit_label": unit.label,
            "vehicle": product in self.vehicle_ids,
            "units": units,
            "complete": result.complete,
            "reasons": result.reasons,
            "allocation": self.ctx.options.allocation,
            "per_unit_kgco2e": total / units * KG_PER_T if total is not None and units else None,
            "parts_kgco2e_per_unit": result.parts_t * KG_PER_T,
            "factory_kgco2e_per_unit": None if result.factory_t is None else result.factory_t * KG_PER_T,
            "total_tco2e": total,
            "parts_by_method_share": {k: v / result.parts_t for k, v in sorted(result.by_method.items())
                                      if result.parts_t and v},
            "transport_kgco2e_per_unit": result.transport_t * KG_PER_T,
            "primary_data_share": result.primary_t / result.known_t if result.known_t else None,
            "data_quality_rating": result.quality_weighted / result.known_t if result.known_t else None,
            "by_supplier_kgco2e_per_unit": {k: v * KG_PER_T for k, v in sorted(result.by_supplier.items(),
                                                                                 key=lambda kv: -kv[1]) if v},
            "boundary": "cradle-to-gate",
            "scope2_method": self.ctx.options.footprint_scope2,
            "bom_items_without_data": sorted(set(self.left_out.get(product, []))),
            "parts": result.parts,
            "batches": batches,
        }

    def _batch(self, r, result: Footprint) -> dict:
        factory = self.allocated.factory_t.get(r.Index)
        factory = None if factory is None or pd.isna(factory) else float(factory)
        units = float(r.quantity_std)
        batch = None if pd.isna(r.batch_id) else str(r.batch_id)
        delta, lot_items = lot_difference(self.uses.get(str(r.product_id), []), self.bought, self.lots.get(batch, {}))
        parts = result.parts_t + delta
        total = factory + (parts + result.transport_t) * units if result.complete and factory is not None else None
        return {
            "batch_id": None if pd.isna(r.batch_id) else r.batch_id,
            "site_id": r.site_id,
            "period": r.period,
            "units": units,
            "factory_tco2e": factory,
            "parts_tco2e": parts * units,
            "transport_tco2e": result.transport_t * units,
            "lot_items": lot_items,
            "total_tco2e": total,
            "per_unit_kgco2e": total / units * KG_PER_T if total is not None and units else None,
        }


def _exclude_other_units(ctx: CalcContext, rows: pd.DataFrame, declared: dict[str, DeclaredUnit]) -> None:
    for (product, unit), group in rows.groupby([rows["product_id"].astype(str), rows["unit"].astype(str)], sort=True):
        ctx.exclude("production", group, "production-unit-kind-differs", "unit", product=product,
                    declared=declared[product].unit, unit=unit)


def _account_allocation(ctx: CalcContext, allocated: alloc.Allocation) -> None:
    for missing in allocated.unallocated:
        ctx.exclude("production", missing.index, missing.code, missing.column, **missing.params)
    ctx.ledger.use("production", allocated.factory_t.index[allocated.factory_t.notna().to_numpy()])
    for idle in allocated.idle:
        ctx.report("factory-emissions-not-allocated", site_id=idle["site_id"], tco2e=fmt(idle["tco2e"]),
                   periods=", ".join(idle["periods"]))


def _exclude_bom(ctx: CalcContext, left_out: list[tuple[str, list, str, dict]]) -> None:
    for code, labels, column, params in left_out:
        ctx.exclude("bom", labels, code, column, **params)


def _check_mass_balance(ctx: CalcContext, uses: list[bom_module.BomUse], output: dict[str, float],
                        bought: dict[str, dict[str, bom_module.Supply]], declared: dict[str, DeclaredUnit],
                        bom: pd.DataFrame) -> None:
    """A ``bom-mass-balance`` warning, at the item's first BOM row, per item used beyond what was bought or made."""
    made = {p: (declared[p].kind, output.get(p, 0.0)) for p in declared}
    limit = ctx.options.mass_balance_ratio
    for imbalance in bom_module.mass_balance(uses, output, bought, made, limit):
        row = bom.loc[imbalance.first_row]
        sheet = row.get("_source_sheet")
        sheet = None if sheet is None or pd.isna(sheet) else str(sheet)
        file = str(row["_source_file"])
        ctx.problems.append(Problem(
            "bom-mass-balance", file=file, sheet=sheet, row=int(row["_source_row"]), column="quantity_per_unit",
            column_letter=ctx.ledger.letters.get((file, sheet), {}).get("quantity_per_unit"),
            params=bom_module.imbalance_params(imbalance, limit)))
