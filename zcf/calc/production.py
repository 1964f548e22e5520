"""What the company makes: each product's declared unit, which products are vehicles, output.

A product's **declared unit** is the unit its production is counted in, in the
canonical unit of that kind (``piece`` for 件/台/辆, ``t`` for any mass): its footprint
is per one declared unit. A product produced in units of two kinds (pieces in one row,
t in another) keeps the kind of most of its rows (pieces on a tie); the other rows are
left out of its footprint (``production-unit-kind-differs``).

A product is a **vehicle** when its production unit is written as a vehicle (辆,
vehicle, vehicles — ``zcf.units.is_vehicle_unit``) or when it is in the sold_products
table (which describes vehicles: every row has a powertrain). **Finished** products
are those not used in another product's bill of materials; their output gives the
intensity per vehicle (vehicle makers) or per unit produced (everyone else).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from zcf.units import KINDS, is_vehicle_unit

KIND_OF_CANONICAL = {label: kind for kind, (_, label) in KINDS.items()}  # "t" → "mass", "piece" → "count"
PRODUCTION_KINDS = ("count", "mass")  # the order decides a tie between kinds


@dataclass(frozen=True)
class DeclaredUnit:
    """The unit a product's footprint is per: ``unit`` is canonical (piece, t); ``label`` the word written for a
    count when all rows agree (件, 辆), else ``unit``; ``written`` the unit text of all its rows when they agree
    (kg, 件), else ``unit`` — a BOM quantity of this product without a unit is read in it."""

    kind: str
    unit: str
    label: str
    written: str


def with_kinds(production: pd.DataFrame) -> pd.DataFrame:
    """The production rows with a ``kind`` column (count, mass) from their canonical unit."""
    return production.assign(kind=production["unit_std"].map(KIND_OF_CANONICAL))


def declared_units(production: pd.DataFrame) -> dict[str, DeclaredUnit]:
    """Product id → its declared unit (``production`` as given by :func:`with_kinds`)."""
    out: dict[str, DeclaredUnit] = {}
    for product, rows in production.groupby("product_id", sort=True):
        counts = rows["kind"].value_counts()
        kind = max(counts.index, key=lambda k: (counts[k], -PRODUCTION_KINDS.index(k)))
        mine = rows[rows["kind"] == kind]
        texts = mine["unit"].dropna().unique()
        unit = KINDS[kind][1]
        # a count keeps its word (件, 台, 辆); a mass is always per t, whatever unit it was written in
        written = str(texts[0]) if len(texts) == 1 else unit
        out[str(product)] = DeclaredUnit(kind, unit, written if kind == "count" else unit, written)
    return out


def in_declared_unit(production: pd.DataFrame, declared: dict[str, DeclaredUnit]) -> pd.Series:
    """True for each production row counted in its product's declared kind of unit."""
    wanted = production["product_id"].map({p: d.kind for p, d in declared.items()})
    return (production["kind"] == wanted).fillna(False).astype(bool)


def vehicles(production: pd.DataFrame, sold_products: pd.DataFrame) -> set[str]:
    """Products that are vehicles: a vehicle unit (辆, vehicle) on some production row, or a sold_products row."""
    written = production["unit"].astype(object).map(lambda text: isinstance(text, str) and is_vehicle_unit(text))
    produced = set(production["product_id"].dropna().astype(str))
    sold = set(sold_products["product_id"].dropna().astype(str)) if not sold_products.empty else set()
    return {str(p) for p in production.loc[written.astype(bool), "product_id"].dropna()} | (sold & produced)


def finished(production: pd.DataFrame, bom: pd.DataFrame) -> pd.Series:
    """True for each production row of a product that is no item of any bill of materials."""
    intermediate = set(bom["item_id"].dropna()) if not bom.empty else set()
    return ~production["product_id"].isin(intermediate)


def output(production: pd.DataFrame, declared: dict[str, DeclaredUnit], vehicle_ids: set[str],
           finished_rows: pd.Series) -> dict:
    """What the company made, for intensities.

    ``vehicles``: units of finished vehicles (None when it makes none). Otherwise ``unit``
    (piece or t), ``label`` and ``quantity``: the finished products' output in their
    declared unit, when they share one kind (None when they do not, or there are none).
    ``rows``: the production rows counted.
    """
    counted = finished_rows & in_declared_unit(production, declared)
    rows = production[counted]
    made_vehicles = rows[rows["product_id"].isin(vehicle_ids) & (rows["kind"] == "count")]
    if len(made_vehicles):
        return {"vehicles": math.fsum(made_vehicles["quantity_std"].tolist()) or None, "unit": None, "label": None,
                "quantity": None, "rows": made_vehicles.index}
    kinds = rows["kind"].dropna().unique()
    if len(kinds) != 1:
        return {"vehicles": None, "unit": None, "label": None, "quantity": None, "rows": rows.index[:0]}
    unit = KINDS[kinds[0]][1]
    labels = {declared[str(p)].label for p in rows["product_id"].unique()}
    return {"vehicles": None, "unit": unit, "label": labels.pop() if len(labels) == 1 else unit,
            "quantity": math.fsum(rows["quantity_std"].tolist()), "rows": rows.index}
