"""Supplier footprints of the ``supplier_pcfs`` table (PACT files, the supplier kit, typed in), matched
to the purchases they are for.

A footprint applies to a purchase row that names it in ``pcf_reference``; else to the rows of its
``item_id`` (and ``supplier_id`` when given); else to the rows whose item id ends one of its
``product_ids`` (``urn:…:P-10001``) and whose supplier ends one of its ``company_ids`` (or is its
``supplier_id``). A row's own ``supplier_pcf`` beats every match. A footprint that is deprecated,
expired before the reporting year (PACT: three years after its reference period when no validity
is given) or not yet valid is not applied, and said so; one that no purchase matches is reported.

The value is per declared unit (``pcf_kgco2e`` per ``declared_unit_amount`` × ``declared_unit``);
it applies to a purchase in a unit of the same kind, or — with ``product_mass_kg`` — across
pieces and mass.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from zcf.calc.context import CalcContext
from zcf.calc.exact import row_codes
from zcf.units import ratio

VALIDITY_YEARS = 3  # PACT: default validity after the reference period ends
KG_PER_T = ratio("t", "kg")
KINDS = {"t": "mass", "piece": "count", "m3": "volume", "MWh": "energy", "tkm": "freight"}


@dataclass(frozen=True)
class Match:
    """The footprint a purchase row gets, as tCO2e per canonical unit of the row's quantity."""

    pcf_row: object  # row label in supplier_pcfs
    t_per_unit: float


def usable(ctx: CalcContext) -> pd.DataFrame:
    """Footprint records that may be applied this reporting year; the others are excluded with the reason."""
    table = ctx.table("supplier_pcfs")
    if table.empty:
        return table
    year_start, year_end = dt.date(ctx.year, 1, 1), dt.date(ctx.year, 12, 31)
    deprecated = (table["status"] == "deprecated").fillna(False).to_numpy(dtype=bool)
    ctx.exclude("supplier_pcfs", table[deprecated], "supplier-pcf-deprecated", "status")
    until = _valid_until(table)
    expired = ~deprecated & until.map(lambda d: d is not None and d < year_start).to_numpy(dtype=bool)
    for when, rows in table[expired].groupby(until[expired].astype(str)):
        ctx.exclude("supplier_pcfs", rows, "supplier-pcf-expired", "valid_until", valid_until=when, year=ctx.year)
    starts = table["reference_period_start"].map(_date)
    future = ~deprecated & ~expired & starts.map(lambda d: d is not None and d > year_end).to_numpy(dtype=bool)
    ctx.exclude("supplier_pcfs", table[future], "supplier-pcf-future", "reference_period_start", year=ctx.year)
    return table[~deprecated & ~expired & ~future]


def _date(text) -> dt.date | None:
    """The last day a period text covers (2024 → 2024-12-31, 2024-06 → 2024-06-30), or None."""
    if text is None or pd.isna(text):
        return None
    parts = [int(p) for p in str(text).split("-")]
    if len(parts) == 3:
        return dt.date(*parts)
    if len(parts) == 2:
        following = dt.date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
        return following - dt.timedelta(days=1)
    return dt.date(parts[0], 12, 31)


def _valid_until(table: pd.DataFrame) -> pd.Series:
    given = table["valid_until"].map(_date)
    ends = table["reference_period_end"].map(_date)
    default = ends.map(lambda d: None if d is None else d.replace(year=d.year + VALIDITY_YEARS))
    return given.where(given.notna(), default)


def _ids(text) -> list[str]:
    return [] if text is None or pd.isna(text) else [p.strip() for p in str(text).split(";") if p.strip()]


def _codes(ids: list[str]) -> set[str]:
    """The codes a list of ids names: each id itself and, for a URN, its last part (urn:x:P-1 → P-1)."""
    return {i for i in ids} | {i.rsplit(":", 1)[-1] for i in ids if ":" in i}


def _keys(pcfs: pd.DataFrame) -> dict[tuple[str, str | None], object]:
    """(item code, supplier code or None for any supplier) → footprint row label, first record wins."""
    out: dict[tuple[str, str | None], object] = {}
    for label, pcf in pcfs.iterrows():
        items = _codes(_ids(pcf["product_ids"])) | ({pcf["item_id"]} if isinstance(pcf["item_id"], str) else set())
        if isinstance(pcf["supplier_id"], str):
            suppliers: set[str | None] = {pcf["supplier_id"]}
        else:
            suppliers = set(_codes(_ids(pcf["company_ids"]))) or {None}
        for item in items:
            for supplier in suppliers:
                out.setdefault((item, supplier), label)
    return out


def match(ctx: CalcContext, purchases: pd.DataFrame, pcfs: pd.DataFrame) -> pd.Series:
    """Footprint row label of each purchase row without its own supplier_pcf (same index; None: no match).

    Looked up once per distinct (reference, item, supplier) of the rows, not once a row."""
    out = pd.Series(None, index=purchases.index, dtype=object)
    if pcfs.empty or purchases.empty:
        return out
    by_id = {str(v): k for k, v in pcfs["pcf_id"].items()}
    keys = _keys(pcfs)
    candidates = purchases["supplier_pcf"].isna().to_numpy(dtype=bool, na_value=True)
    rows = purchases.loc[candidates, ["pcf_reference", "item_id", "supplier_id"]]
    (code,) = row_codes((rows["pcf_reference"], rows["item_id"], rows["supplier_id"]))
    if not len(code):
        return out
    _, first = np.unique(code, return_index=True)
    found = np.full(int(code.max()) + 1, None, dtype=object)
    for k, reference, item, supplier in zip(code[first].tolist(), *(rows[c].to_numpy(dtype=object)[first]
                                                                    for c in rows.columns)):
        if isinstance(reference, str) and reference in by_id:
            found[k] = by_id[reference]
        else:
            found[k] = keys.get((item, supplier), keys.get((item, None)))
    out[candidates] = found[code]
    return out


def per_unit(pcf: pd.Series, purchase_unit_std: str) -> float | None:
    """tCO2e per canonical unit of the purchase's quantity, or None when the kinds cannot be bridged."""
    t_per_declared = float(pcf["pcf_kgco2e"]) / KG_PER_T / float(pcf["quantity_std"])  # per canonical declared unit
    pcf_kind, purchase_kind = KINDS.get(pcf["unit_std"]), KINDS.get(purchase_unit_std)
    if pcf_kind == purchase_kind:
        return t_per_declared
    mass = pcf.get("product_mass_kg")
    if mass is None or pd.isna(mass) or not mass:
        return None
    mass_t = float(mass) / KG_PER_T  # t per declared unit amount's one unit: per piece
    if pcf_kind == "count" and purchase_kind == "mass":
        return t_per_declared / mass_t
    if pcf_kind == "mass" and purchase_kind == "count":
        return t_per_declared * mass_t
    return None


def data_quality(pcf: pd.Series) -> int:
    """1 verified, 2 reported by the supplier, 3 estimated by zcf from the supplier's energy and output."""
    if pcf.get("basis") == "estimated":
        return 3
    verified = pcf.get("verified")
    return 1 if verified is not None and not pd.isna(verified) and bool(verified) else 2


def account_unmatched(ctx: CalcContext, pcfs: pd.DataFrame, used: set) -> None:
    unused = pcfs[~pcfs.index.isin(list(used))]
    ctx.exclude("supplier_pcfs", unused, "supplier-pcf-unmatched", "pcf_id")
    ctx.ledger.use("supplier_pcfs", pcfs[pcfs.index.isin(list(used))])
