"""``zcf supplier collect``: the returned kits → one ``supplier_pcfs`` table, validated cell by cell.

Each returned workbook is read with zcf's guarded reader and validated like any input (problems
name the supplier's file, sheet and cell); rows the supplier left unanswered are skipped. A
reported footprint becomes a row as given. A supplier that gave its energy use and output instead
gets an *estimated* footprint for each item whose material has an average-data factor:

    estimate per unit = material factor (cradle-to-gate of the material, library)
                      + the supplier's Scope 1 + Scope 2 (market-based) ÷ its output

where Scope 1 and 2 are computed by zcf's own calculation (GB/T 32150 combustion, the grid factor
of the supplier's province and year). It is marked ``estimated`` (data quality 3). An item without
a material factor gets no estimate: the supplier's energy alone would leave out what its products
are made of.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from zcf.problems import Problem
from zcf.suppliers.kit import ANSWERS

TABLES = ("supplier_pcfs", "supplier_energy", "supplier_output")
ANSWER_COLUMNS = {
    "supplier_pcfs": ANSWERS,
    "supplier_energy": ("energy_type", "quantity", "unit"),
    "supplier_output": ("quantity", "unit"),
}


@dataclass
class Returned:
    """What one supplier's workbook gave."""

    file: str
    supplier_id: str | None = None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def answered(self) -> bool:
        return any(len(frame) for frame in self.tables.values())

    @property
    def valid(self) -> bool:
        return self.answered and not any(p.severity == "error" for p in self.problems)


def read_returned(path: Path, display: str) -> Returned:
    """The answered rows of a returned kit, typed and validated (problems at the supplier's cells)."""
    from zcf.ingest.tables import extend_with_factors
    from zcf.ingest.mapping import map_table
    from zcf.ingest.readers import InputFile, read_workbook
    from zcf.ingest.safety import Limits
    from zcf.ingest.validate import Context, finish_frame, validate_sheet
    from zcf.schema import load_schema

    schema = load_schema()
    returned = Returned(display)
    source = InputFile(path=path, display=display)
    sheets, problems = read_workbook(source, lambda name: _table(schema, name) is not None, Limits())
    returned.problems += problems
    ctx = Context(schema=schema)
    extend_with_factors(ctx, None)
    mapped_tables = {}
    for raw in sheets:
        spec = _table(schema, raw.name)
        mapped, found = map_table(raw, spec)
        filled_here = {"pcf_id", "supplier_id", "source"} if spec.name == "supplier_pcfs" else set()
        returned.problems += [p for p in found if not (p.code == "missing-column" and p.column in filled_here)]
        if mapped is not None:
            mapped_tables[spec.name] = mapped
    ids = _supplier_ids(mapped_tables)
    returned.supplier_id = ids[0] if len(ids) == 1 else None
    for name, mapped in mapped_tables.items():
        answered = _answered(mapped.data, ANSWER_COLUMNS[name])
        mapped.data = mapped.data[answered].copy()
        mapped.row_numbers = mapped.row_numbers[answered]
        if name == "supplier_pcfs" and len(mapped.data):
            items = mapped.data["item_id"].astype(object) if "item_id" in mapped.data else pd.Series(None, index=mapped.data.index)
            mapped.data["supplier_id"] = returned.supplier_id
            mapped.data["pcf_id"] = [f"KIT-{returned.supplier_id}-{item if isinstance(item, str) and item else i + 1}"
                                     for i, item in enumerate(items)]
            mapped.data["source"] = Path(display).name
        frame, found = validate_sheet(mapped, ctx)
        returned.problems += found
        returned.tables[name] = finish_frame(frame)
    return returned


def _table(schema, name: str):
    spec = schema.table_for_name(name)
    return spec if spec is not None and spec.name in TABLES else None


def _supplier_ids(mapped_tables: dict) -> list[str]:
    ids: set[str] = set()
    for name in ("supplier_energy", "supplier_output"):
        if name in mapped_tables and "supplier_id" in mapped_tables[name].data:
            ids |= {str(v).strip() for v in mapped_tables[name].data["supplier_id"].dropna() if str(v).strip()}
    return sorted(ids)


def _answered(data: pd.DataFrame, columns: tuple[str, ...]) -> pd.Series:
    from zcf.ingest.coerce import blank_mask

    present = [~blank_mask(data[c]) for c in columns if c in data]
    mask = pd.Series(False, index=data.index)
    for column in present:
        mask |= column
    return mask


# --- estimates ------------------------------------------------------------------------------------


def supplier_scope12_t(returned: Returned, year: int, gwp_basis: str) -> tuple[float, list[str]] | None:
    """The supplier's Scope 1 + Scope 2 (market-based), tCO2e, by zcf's calculation; and the factor ids."""
    from zcf.calc.context import CalcContext
    from zcf.calc.lines import finish
    from zcf.calc.scope1 import combustion
    from zcf.calc.scope2 import scope2
    from zcf.factors import FactorResolver

    energy = returned.tables.get("supplier_energy")
    if energy is None or energy.empty or returned.supplier_id is None:
        return None
    rows = energy.assign(site_id=returned.supplier_id, period=energy["year"].astype(str), period_year=energy["year"],
                         period_month=pd.NA, meter_id=pd.NA,
                         use=energy["energy_type"].map(lambda t: None if t == "electricity" else "stationary"),
                         supply=energy["energy_type"].map(lambda t: "grid" if t == "electricity" else None))
    province = next((p for p in energy.get("province", pd.Series(dtype=object)).dropna()), None)
    sites = pd.DataFrame({"site_id": [returned.supplier_id], "province": [province], "grid_region": [None],
                          "country": ["CN"], "controlled": [True], "equity_share": [1.0]})
    ctx = CalcContext(tables={"energy": rows, "sites": sites},
                      organization={"reporting_year": year, "gwp_basis": gwp_basis, "country": "CN"},
                      resolver=FactorResolver())
    parts = combustion(ctx)
    parts += scope2(ctx)[0]
    lines = finish(parts)
    own = lines[(lines["scope"] == "1") | ((lines["scope"] == "2") & (lines["scope2_method"] == "market"))]
    return math.fsum(own["co2e_t"].tolist()), sorted(set(own["factor_id"].dropna()))


def estimates(returned: Returned, purchases: pd.DataFrame, year: int, gwp_basis: str) -> tuple[list[dict], list[Problem]]:
    """Estimated footprints for the items this supplier sells the buyer (see the module docstring)."""
    from zcf.factors import FactorResolver
    from zcf.units import ratio

    output = returned.tables.get("supplier_output")
    scope12 = supplier_scope12_t(returned, year, gwp_basis)
    if scope12 is None or output is None or output.empty:
        return [], []
    total_t, factor_ids = scope12
    resolver = FactorResolver()
    rows, problems = [], []
    mine = purchases[purchases["supplier_id"] == returned.supplier_id]
    for item_id, item_rows in mine.groupby("item_id", sort=True):
        unit_std = next(iter(item_rows["unit_std"].dropna()), None)
        material = next(iter(item_rows["material"].dropna()), None)
        per_item = output[output["item_id"] == item_id] if "item_id" in output else output.iloc[0:0]
        pool = per_item if len(per_item) else output[output["item_id"].isna()] if "item_id" in output else output
        same_kind = pool[pool["unit_std"] == unit_std]
        quantity = math.fsum(same_kind["quantity_std"].tolist())
        factor = resolver.resolve(f"material.{material}", ["CN"], year) if material else None
        if factor is None or factor.factor.denominator_kind is None or not quantity or unit_std is None:
            problems.append(Problem("supplier-estimate-not-possible", file=returned.file, params={
                "supplier": returned.supplier_id, "item": item_id,
                "why": "no material factor for the item" if factor is None else
                       "the output is not given in the item's unit kind" if not quantity else "no quantity"}))
            continue
        if factor.factor.denominator_kind != {"t": "mass", "piece": "count", "m3": "volume", "MWh": "energy"}.get(unit_std):
            problems.append(Problem("supplier-estimate-not-possible", file=returned.file, params={
                "supplier": returned.supplier_id, "item": item_id, "why": "the material factor is per another kind"}))
            continue
        per_unit_t = factor.factor.per_canonical("t") + total_t / quantity  # per canonical unit (t, piece ...)
        unit_text = {"t": "kg", "piece": "piece", "m3": "m3", "MWh": "kWh"}[unit_std]
        per_declared_kg = per_unit_t * ratio("t", "kg") * ratio(unit_text, {"t": "t", "piece": "piece",
                                                                              "m3": "m3", "MWh": "MWh"}[unit_std])
        rows.append({
            "pcf_id": f"EST-{returned.supplier_id}-{item_id}", "supplier_id": returned.supplier_id, "item_id": item_id,
            "product_name": f"{material} ({item_id})", "pcf_kgco2e": per_declared_kg, "declared_unit_amount": 1,
            "declared_unit": unit_text, "reference_period_start": f"{year}-01-01", "reference_period_end": f"{year}-12-31",
            "boundary": "cradle-to-gate (estimated: material average factor + the supplier's Scope 1 and 2 per unit of output)",
            "standards": "zcf estimate", "verified": "no", "basis": "estimated",
            "source": f"{Path(returned.file).name}; {factor.factor.factor_id}; " + ", ".join(factor_ids),
        })
    return rows, problems


def reported_rows(returned: Returned) -> list[dict[str, Any]]:
    """The supplier's own footprints as supplier_pcfs rows (canonical column names)."""
    frame = returned.tables.get("supplier_pcfs")
    if frame is None or frame.empty:
        return []
    columns = [c for c in frame.columns if not c.startswith("_") and not c.endswith(("_std", "_year", "_month"))]
    out = []
    for row in frame[columns].astype(object).where(frame[columns].notna(), None).to_dict("records"):
        row["verified"] = None if row.get("verified") is None else ("yes" if row["verified"] else "no")
        out.append(row)
    return out
