"""The supplier data kit: ask suppliers for footprints (:mod:`zcf.suppliers.kit`) and take the answers
back in (:mod:`zcf.suppliers.collect`), with the coverage of category 1 before and after.

    zcf supplier kit OUT -o kits/            one workbook per supplier, pre-filled from OUT's purchases
    zcf supplier collect kits/ -o pcfs.xlsx  the answers as a supplier_pcfs sheet; ingest it with the inventory
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zcf.problems import Problem


def _filename(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text).strip("_")[:80] or "supplier"


def make_kits(out: Path, dest: Path, chosen: list[str] | None, every: bool, lang: str) -> list[Path]:
    """Write the kits for ``chosen`` suppliers (default: those whose emissions rest on average or spend data)."""
    import pandas as pd

    from zcf.errors import ExitCode, ZcfError
    from zcf.outputs import claim, read_record, require_own, verify_results
    from zcf.suppliers.kit import kit_suppliers, write_kit

    require_own(out, "supplier kit")
    results = read_record(out, "results.json", "zcf calc")
    verify_results(out, results)
    purchases = pd.read_parquet(out / "dataset" / "purchases.parquet")
    suppliers_path = out / "dataset" / "suppliers.parquet"
    suppliers = pd.read_parquet(suppliers_path) if suppliers_path.is_file() else pd.DataFrame()
    if chosen is None and not every:
        chosen = [e["supplier_id"] for e in (results.get("suppliers") or {}).get("ask_first", [])]
    if chosen is not None:
        unknown = sorted(set(chosen) - set(purchases["supplier_id"].astype(str)))
        if unknown:
            raise ZcfError(f"no purchases from supplier(s) {', '.join(unknown)}", ExitCode.USAGE)
    org = results["organization"]
    buyer = str(org.get("company_name") or "")
    claim(dest)
    written = []
    for supplier in kit_suppliers(purchases, suppliers, chosen):
        path = dest / f"{_filename(supplier.supplier_id)}_{_filename(supplier.name)}.xlsx"
        write_kit(path, supplier, buyer, int(results["reporting_year"]), lang)
        written.append(path)
    return written


@dataclass
class Coverage:
    asked: int = 0
    answered: int = 0
    valid: int = 0
    reported: int = 0
    estimated: int = 0
    cat1_supplier_specific_before: float | None = None
    cat1_supplier_specific_after: float | None = None
    per_supplier: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def collect_answers(folder: Path, dest: Path, out: Path | None, lang: str) -> tuple[Coverage, list[Problem]]:
    """Read every returned kit in ``folder``; write the footprints to ``dest`` (.xlsx); the coverage."""
    import pandas as pd

    from zcf.pcf.files import write_table
    from zcf.suppliers.collect import estimates, read_returned, reported_rows

    files = sorted(p for p in folder.rglob("*.xlsx") if not p.name.startswith(("~$", ".")))
    coverage = Coverage(asked=len(files))
    problems: list[Problem] = []
    rows: list[dict[str, Any]] = []
    purchases, results, lines = _inventory(out)
    year = int(results["reporting_year"]) if results else None
    gwp = str(results.get("gwp_basis") or "AR6") if results else "AR6"
    for path in files:
        returned = read_returned(path, str(path))
        problems += returned.problems
        coverage.answered += returned.answered
        coverage.valid += returned.valid
        reported = reported_rows(returned) if returned.valid else []
        estimated: list[dict] = []
        if returned.valid and purchases is not None and year is not None:
            answered_items = {r.get("item_id") for r in reported}
            estimated, trouble = estimates(returned, purchases[~purchases["item_id"].isin(answered_items)], year, gwp)
            problems += trouble
        coverage.reported += len(reported)
        coverage.estimated += len(estimated)
        coverage.per_supplier.append({"file": path.name, "supplier_id": returned.supplier_id, "answered": returned.answered,
                                      "valid": returned.valid, "reported": len(reported), "estimated": len(estimated)})
        rows += reported + estimated
    write_table(dest, "supplier_pcfs", rows, lang)
    if results is not None and lines is not None and purchases is not None:
        coverage.cat1_supplier_specific_before, coverage.cat1_supplier_specific_after = _shares(lines, purchases, rows)
    return coverage, problems


def _inventory(out: Path | None):
    """The buyer's purchases, results and lines, when OUT is given."""
    import pandas as pd

    from zcf.outputs import read_record, require_own, verify_results

    if out is None:
        return None, None, None
    require_own(out, "supplier collect")
    results = read_record(out, "results.json", "zcf calc")
    verify_results(out, results)
    return pd.read_parquet(out / "dataset" / "purchases.parquet"), results, pd.read_parquet(out / "lines.parquet")


def _shares(lines, purchases, rows: list[dict[str, Any]]) -> tuple[float | None, float | None]:
    """Category 1 emissions on supplier-specific data, now and once the collected footprints apply."""
    cat1 = lines[(lines["scope"] == "3") & (lines["category"] == "1") & (lines["source_table"] == "purchases")]
    total = math.fsum(cat1["co2e_t"].tolist())
    if not total:
        return None, None
    before = math.fsum(cat1.loc[cat1["method"] == "supplier-specific", "co2e_t"].tolist()) / total
    applies = _applicable(rows)
    keys = zip(cat1["supplier_id"], _items_of(cat1, purchases), cat1["unit_std"])
    newly = [m != "supplier-specific" and applies(supplier, item, unit) for (supplier, item, unit), m
             in zip(keys, cat1["method"])]
    after = before + math.fsum(cat1.loc[newly, "co2e_t"].tolist()) / total
    return before, after


def _applicable(rows: list[dict[str, Any]]):
    """Whether a collected footprint will apply to a purchase line of (supplier, item, unit_std)."""
    import pandas as pd

    from zcf.calc.scope3.supplier_pcfs import per_unit
    from zcf.units import UnitError, parse_unit

    by_key: dict[tuple, pd.Series] = {}
    for row in rows:
        try:
            parsed = parse_unit(str(row.get("declared_unit")))
        except UnitError:
            continue
        amount = float(row.get("declared_unit_amount") or 1)
        by_key[(row.get("supplier_id"), row.get("item_id"))] = pd.Series(
            {**row, "quantity_std": amount * parsed.to_canonical, "unit_std": parsed.canonical})

    def applies(supplier, item, unit_std) -> bool:
        pcf = by_key.get((supplier, item))
        return pcf is not None and isinstance(unit_std, str) and unit_std != "CNY" and per_unit(pcf, unit_std) is not None

    return applies


def _items_of(lines, purchases) -> list[str | None]:
    """The item id of each purchase line (lines keep the source row, not the item)."""
    import pandas as pd

    key = purchases.assign(_sheet=purchases["_source_sheet"].astype("string").fillna(""))
    lookup = {(f, s, int(r)): i for f, s, r, i in zip(key["_source_file"], key["_sheet"], key["_source_row"], key["item_id"])}
    sheets = lines["source_sheet"].astype("string").fillna("")
    return [lookup.get((f, s, int(r))) if not pd.isna(r) else None
            for f, s, r in zip(lines["source_file"], sheets, lines["source_row"])]
