"""The parts of a footprint: what each BOM item emits per unit, and how much of it a product uses.

**Item intensity** (tCO2e per canonical unit: per t, piece, m3 or MWh): for a purchased
item, Σ emissions of its purchase lines at 100 % of the source (``gas_t × gwp``, never
the consolidation share) ÷ Σ quantity of those purchase rows in the canonical unit of their
kind. Purchases of one item in several units of one kind (t and kg) combine; an item bought
in units of two kinds (t and pieces) has one intensity per kind. Purchase rows without a
quantity (spend only) cannot give an intensity per unit and are not in it.

**BOM quantity**: ``quantity_per_unit`` in the BOM row's ``unit`` (converted to the canonical
unit of its kind at ingest: ``quantity_std``). A blank unit means the item's purchase unit
(the product's production unit for an item made in the group); when the item is bought in
several units of one kind, the canonical unit of that kind. A unit of another kind than
the item's purchases (kg for an item bought in pieces) cannot be converted: the row is left
out (``bom-unit-kind-mismatch``).

**Mass balance**: per item and kind, the BOM's use — Σ over products of production (in
the product's declared unit) × quantity per unit — against the quantity bought plus the
quantity made in the group. A use above ``[products] mass_balance_ratio`` times that
(default :data:`zcf.config.MASS_BALANCE_RATIO`) is reported (``bom-mass-balance``): usually
a unit slip (kg per piece read as t) or purchases missing from the table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from zcf.calc.exact import first_by, fsum_by, row_codes, sums_by
from zcf.calc.lines import fmt
from zcf.calc.production import KIND_OF_CANONICAL, DeclaredUnit
from zcf.units import KINDS, parse_unit, ratio


@dataclass
class Supply:
    """One item in one kind of unit: bought (and made), with the emissions of what was bought."""

    unit: str  # canonical unit of the kind (t, piece, m3, MWh)
    bought: float = 0.0  # Σ quantity of the purchase rows that give one, in ``unit``
    emissions_t: float = 0.0  # Σ gas_t × gwp of the lines of those rows
    with_emissions: float = 0.0  # Σ quantity of the rows that have lines, in ``unit``
    by_method: dict[str, float] = field(default_factory=dict)  # emissions by method (supplier-specific ...)
    by_supplier: dict[str, float] = field(default_factory=dict)  # emissions by supplier
    quality_weighted: float = 0.0  # Σ emissions × data-quality score of the lines (1 best – 5)
    texts: tuple[str, ...] = ()  # the unit texts as written

    @property
    def data_quality(self) -> float | None:
        """Emission-weighted data-quality score of what was bought (1 best – 5)."""
        return self.quality_weighted / self.emissions_t if self.emissions_t else None

    @property
    def intensity_t(self) -> float | None:
        """tCO2e (at 100 %) per ``unit`` of the item, or None when no purchase row has both a quantity and lines."""
        return self.emissions_t / self.with_emissions if self.with_emissions > 0 else None

    @property
    def default_unit(self) -> str:
        """The unit a BOM quantity without one is read in: the one purchase unit, else the canonical unit."""
        return self.texts[0] if len(self.texts) == 1 else self.unit


def purchase_emissions(purchases: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    """Per purchase row (same index): ``emissions_t`` at 100 % of the source (NaN for a row without lines),
    the ``method`` of its first line and ``weighted`` (Σ emissions × data-quality score)."""
    mine = lines.loc[(lines["source_table"] == "purchases").to_numpy(dtype=bool, na_value=False),
                     ["source_file", "source_sheet", "source_row", "gas_t", "gwp", "method", "data_quality"]]
    sheet = purchases["_source_sheet"] if "_source_sheet" in purchases else pd.Series(pd.NA, index=purchases.index)
    row_code, line_code = row_codes(
        (purchases["_source_file"], sheet, pd.to_numeric(purchases["_source_row"]).astype("int64")),
        (mine["source_file"], mine["source_sheet"], pd.to_numeric(mine["source_row"]).astype("int64")),
    )
    groups = int(max(row_code.max(initial=-1), line_code.max(initial=-1))) + 1
    emissions = (mine["gas_t"] * mine["gwp"]).to_numpy(dtype="float64")
    weighted = emissions * pd.to_numeric(mine["data_quality"]).to_numpy(dtype="float64")
    has_lines = np.zeros(groups, dtype=bool)
    has_lines[line_code] = True
    found = has_lines[row_code]
    return pd.DataFrame({
        "emissions_t": np.where(found, fsum_by(line_code, emissions, groups)[row_code], np.nan),
        "method": first_by(line_code, mine["method"].to_numpy(dtype=object), groups)[row_code],
        "weighted": np.where(found, fsum_by(line_code, weighted, groups)[row_code], np.nan),
    }, index=purchases.index)


def supplies(purchases: pd.DataFrame, lines: pd.DataFrame, emitted: pd.DataFrame | None = None
             ) -> dict[str, dict[str, Supply]]:
    """Item id → kind (mass, count ...) → what was bought of it and what that emitted.

    ``emitted`` (optional): :func:`purchase_emissions` of rows including these, when the caller has it."""
    if purchases.empty:
        return {}
    known = purchases["quantity_std"].notna() & purchases["unit_std"].notna() & purchases["item_id"].notna()
    with_quantity = purchases[known.to_numpy(dtype=bool, na_value=False)]
    if with_quantity.empty:
        return {}
    emitted = purchase_emissions(with_quantity, lines) if emitted is None else emitted.loc[with_quantity.index]
    items = with_quantity["item_id"].astype(str).to_numpy(dtype=object)
    units = with_quantity["unit_std"].astype(str).to_numpy(dtype=object)
    (group,) = row_codes((items, units))
    groups = int(group.max()) + 1
    quantity = with_quantity["quantity_std"].to_numpy(dtype="float64")
    emissions = emitted["emissions_t"].to_numpy(dtype="float64")
    has_lines = ~np.isnan(emissions)
    with_lines = np.where(has_lines, group, -1)
    bought = fsum_by(group, quantity, groups)
    emitted_t = fsum_by(with_lines, emissions, groups)
    with_emissions = fsum_by(with_lines, quantity, groups)
    quality = fsum_by(with_lines, emitted["weighted"].to_numpy(dtype="float64"), groups)
    by_method = sums_by(with_lines, emitted["method"].astype(str).to_numpy(dtype=object), emissions, groups)
    by_supplier = sums_by(with_lines, with_quantity["supplier_id"].astype(str).to_numpy(dtype=object), emissions,
                           groups)
    texts = _distinct_by(group, with_quantity["unit"].to_numpy(dtype=object), groups)
    item_of = first_by(group, items, groups)
    unit_of = first_by(group, units, groups)
    out: dict[str, dict[str, Supply]] = {}
    for g in sorted(range(groups), key=lambda k: (item_of[k], unit_of[k])):
        supply = Supply(unit=unit_of[g], bought=float(bought[g]), emissions_t=float(emitted_t[g]),
                        with_emissions=float(with_emissions[g]), by_method=by_method[g], by_supplier=by_supplier[g],
                        quality_weighted=float(quality[g]), texts=texts[g])
        out.setdefault(item_of[g], {})[KIND_OF_CANONICAL[unit_of[g]]] = supply
    return out


def _distinct_by(group: np.ndarray, texts: np.ndarray, groups: int) -> list[tuple[str, ...]]:
    """Per group: the sorted distinct non-missing texts."""
    pairs = pd.DataFrame({"group": group, "text": texts}).dropna().drop_duplicates()
    seen: list[set[str]] = [set() for _ in range(groups)]
    for g, text in pairs.itertuples(index=False, name=None):
        seen[g].add(str(text))
    return [tuple(sorted(s)) for s in seen]


@dataclass(frozen=True)
class BomUse:
    """One BOM row read: the quantity of the item in one declared unit of the product."""

    row: object  # index label in the bom table
    product: str
    item: str
    kind: str
    quantity_std: float  # in the canonical unit of ``kind``
    unit_std: str
    quantity: float  # as written
    unit: str  # as written, or the default unit when the row has none
    unit_assumed: bool


@dataclass
class BomRead:
    """The BOM rows that can be used, and the rows left out by reason: (code, labels, column, params)."""

    uses: list[BomUse]
    left_out: list[tuple[str, list, str, dict]]


def item_kinds(item: str, bought: dict[str, dict[str, Supply]], declared: dict[str, DeclaredUnit]) -> dict[str, str]:
    """The kinds of unit an item comes in → the default BOM unit in that kind (made in the group first)."""
    if item in declared:
        unit = declared[item]
        return {unit.kind: unit.written}
    return {kind: supply.default_unit for kind, supply in bought.get(item, {}).items()}


def read_bom(bom: pd.DataFrame, produced: set[str], bought: dict[str, dict[str, Supply]],
             declared: dict[str, DeclaredUnit]) -> BomRead:
    """Each BOM row as a :class:`BomUse`, or left out with the reason and the cell to look at."""
    uses: list[BomUse] = []
    left_out: dict[tuple, list] = {}

    def leave(code: str, label, column: str, **params) -> None:
        left_out.setdefault((code, column, tuple(sorted(params.items()))), []).append(label)

    for row in bom.itertuples():
        product, item = str(row.product_id), str(row.item_id)
        if product not in produced:
            leave("bom-product-not-produced", row.Index, "product_id", product=product)
            continue
        kinds = item_kinds(item, bought, declared)
        if not kinds:
            leave("bom-item-without-data", row.Index, "item_id", item=item)
            continue
        available = ", ".join(sorted(kinds.values()))
        written = row.unit if isinstance(row.unit, str) else None
        if written is None and len(kinds) > 1:
            leave("bom-unit-ambiguous", row.Index, "unit", item=item, product=product, available=available)
            continue
        unit_text = written or next(iter(kinds.values()))
        parsed = parse_unit(unit_text)
        if parsed.kind not in kinds:
            leave("bom-unit-kind-mismatch", row.Index, "unit", item=item, product=product, unit=unit_text,
                  available=available)
            continue
        if item not in declared and bought[item][parsed.kind].intensity_t is None:
            leave("bom-item-without-data", row.Index, "item_id", item=item)
            continue
        quantity = float(row.quantity_per_unit)
        # a unit written in the row was converted at ingest (quantity_std); a default one is converted here, the same way
        quantity_std = quantity * parsed.to_canonical if written is None else float(row.quantity_std)
        uses.append(BomUse(row.Index, product, item, parsed.kind, quantity_std, parsed.canonical, quantity, unit_text,
                           written is None))
    return BomRead(uses, [(code, labels, column, dict(params)) for (code, column, params), labels in left_out.items()])


@dataclass(frozen=True)
class Imbalance:
    """An item the BOM uses more of than was bought or made."""

    item: str
    unit: str  # the item's purchase unit when it has one, else the canonical unit
    needed: float
    available: float
    products: tuple[str, ...]
    first_row: object  # the item's first BOM row (where the problem is shown)


def mass_balance(uses: list[BomUse], output: dict[str, float], bought: dict[str, dict[str, Supply]],
                 made: dict[str, tuple[str, float]], limit: float) -> list[Imbalance]:
    """Items whose use (Σ production × quantity per unit) exceeds ``limit`` × (bought + made).

    ``output``: product → quantity produced in its declared unit; ``made``: product →
    (kind, quantity) for products made in the group that are items of other products.
    """
    needed: dict[tuple[str, str], list[BomUse]] = {}
    for use in uses:
        needed.setdefault((use.item, use.kind), []).append(use)
    out = []
    for (item, kind), item_uses in sorted(needed.items()):
        need = math.fsum(output.get(u.product, 0.0) * u.quantity_std for u in item_uses)
        supply = bought.get(item, {}).get(kind)
        available = (supply.bought if supply else 0.0) + (made[item][1] if item in made and made[item][0] == kind else 0.0)
        if available > 0 and need > limit * available:
            shown = supply.default_unit if supply else KINDS[kind][1]  # as the user buys it: kWh, not MWh
            to_shown = ratio(KINDS[kind][1], shown)
            out.append(Imbalance(item, shown, need * to_shown, available * to_shown,
                                 tuple(sorted({u.product for u in item_uses})),
                                 min((u.row for u in item_uses), key=_order)))
    return out


def _order(label) -> tuple:
    return (0, label) if isinstance(label, (int, np.integer)) else (1, str(label))


def imbalance_params(imbalance: Imbalance, limit: float) -> dict:
    """The parameters of a ``bom-mass-balance`` problem."""
    return {"item": imbalance.item, "unit": imbalance.unit, "needed": fmt(imbalance.needed),
            "available": fmt(imbalance.available), "ratio": f"{imbalance.needed / imbalance.available:.2f}",
            "limit": f"{limit:g}", "products": ", ".join(imbalance.products)}

