"""Deterministic benchmark inputs for an automaker group (`bench/run.py`, tests/test_bench.py).

One size is one inventory: organization, sites, suppliers, purchases (Scope 3 categories 1
and 2), supplier_pcfs, energy, production (batches) and a BOM. Sizes (see SIZES):

* purchases: 10k (S) / 1M (M) / 10M (L) lines from up to 5,000 suppliers, in CNY and some in
  USD (L in 3 files: zcf reads at most 50M cells per file); an item's method is fixed by its kind so that several methods occur:
  - material items (steel, aluminium, copper, plastics, glass, rubber in t or kg; battery cells
    in kWh): quantity + material → average-data factor (they carry spend too, as in real
    ERP extracts);
  - a share of the material items have a supplier footprint in the `supplier_pcfs` table
    (matched by supplier and item) → supplier-specific;
  - service/part items: spend + `sector` → spend-based EEIO factor.
* energy: meters × days. zcf's `period` is YYYY, YYYY-MM or YYYY-MM-DD (no time of day), and
  (site, period, energy type, meter) is a key, so quarter-hour readings cannot be given one
  row each: S has 100 meters × 12 months; M 1,000 meters × 365 days; L 9,600 meters × 365
  days (3,504,000 rows, the row count of 100 meters × 35,040 quarter-hours).
* products: 3 models with a BOM of 3,000 items (300 at S) and 200 batches each (20 at S).

Every size is written as a folder of CSV files, a folder of Parquet files and, when every
table fits Excel's 1,048,576 rows, one workbook (xlsxwriter, constant_memory). Files are
cached in bench/data/<size>/ and rebuilt when GENERATOR_VERSION or the size changes.

    python bench/generate.py S M        # writes bench/data/S and bench/data/M
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
GENERATOR_VERSION = 2
SEED = 20251
YEAR = 2025
EXCEL_MAX_ROWS = 1_048_576
# zcf reads at most 50,000,000 cells from one sheet or file (zcf/ingest/safety.py Limits.max_cells):
# a larger purchases table is written as several files, "purchases (1).parquet" ..., which zcf
# reads as one table (with a table-name-assumed warning per file).
MAX_ROWS_PER_FILE = 4_000_000


@dataclass(frozen=True)
class Size:
    name: str
    purchases: int
    suppliers: int
    items: int
    meters: int
    daily: bool  # energy per day (else per month)
    bom_items: int
    models: int
    batches: int


SIZES = {
    "XS": Size("XS", 600, 40, 120, 8, False, 30, 3, 4),  # tests/test_bench.py
    "S": Size("S", 10_000, 500, 2_000, 100, False, 300, 3, 20),
    "R30K": Size("R30K", 30_000, 1_000, 4_000, 100, False, 300, 3, 20),  # the 30,000-line report case
    "M": Size("M", 1_000_000, 5_000, 20_000, 1_000, True, 3_000, 3, 200),
    "L": Size("L", 10_000_000, 5_000, 20_000, 9_600, True, 3_000, 3, 200),
}

SITES = [  # site_id, name, name_en, province, activity
    ("CQ01", "重庆整车工厂", "Chongqing vehicle plant", "重庆", "整车装配"),
    ("CQ02", "重庆发动机工厂", "Chongqing engine plant", "重庆", "发动机"),
    ("JS01", "常州整车工厂", "Changzhou vehicle plant", "江苏", "整车装配"),
    ("JS02", "常州电池包工厂", "Changzhou battery-pack plant", "江苏", "电池包"),
    ("GD01", "广州整车工厂", "Guangzhou vehicle plant", "广东", "整车装配"),
    ("ZJ01", "宁波零部件工厂", "Ningbo parts plant", "浙江", "冲压焊装"),
    ("HB01", "武汉整车工厂", "Wuhan vehicle plant", "湖北", "整车装配"),
    ("SC01", "成都电驱工厂", "Chengdu e-drive plant", "四川", "电驱总成"),
    ("SH01", "上海总部", "Shanghai head office", "上海", "办公"),
    ("BJ01", "北京研发中心", "Beijing R&D centre", "北京", "研发"),
]
SUPPLIER_PROVINCES = ["江苏", "浙江", "广东", "重庆", "河北", "山东", "湖北", "四川", "上海", "安徽", "内蒙古", "云南"]
# material, unit, kg per unit-of-quantity range (for spend), CNY per t (or per kWh)
MATERIALS = [
    ("steel", "t", 5_200), ("steel", "kg", 5.2), ("aluminium_primary", "t", 19_000),
    ("aluminium_secondary", "t", 16_500), ("copper", "t", 68_000), ("plastics", "t", 11_000),
    ("glass", "t", 6_000), ("rubber", "t", 14_000), ("battery_cell", "kWh", 520),
]
SECTORS = ["motor_vehicle_parts", "electronic_components", "electrical_equipment", "chemical_products",
           "it_services", "transport_services", "paper_products"]
CAPEX_SECTORS = ["machinery", "electrical_equipment"]
# energy_type, unit, use, supply, share of meters, typical quantity per month
ENERGY = [
    ("electricity", "kWh", None, None, 0.70, 400_000.0),
    ("natural_gas", "m3", "stationary", None, 0.12, 60_000.0),
    ("steam", "GJ", None, None, 0.08, 3_000.0),
    ("onsite_solar", "kWh", None, None, 0.06, 80_000.0),
    ("diesel", "t", "mobile", None, 0.04, 12.0),
]
MODELS = [("EV-S1", "bev"), ("PH-M5", "phev"), ("IC-G3", "ice_gasoline")]


def folder(size: str) -> Path:
    return DATA / size


def paths(size: str) -> dict[str, Path | None]:
    """Inputs of a size by format (xlsx None when a table does not fit a sheet)."""
    base = folder(size)
    meta = json.loads((base / "meta.json").read_text())
    return {"csv": base / "csv", "parquet": base / "parquet", "xlsx": base / "inventory.xlsx" if meta["xlsx"] else None}


def meta(size: str) -> dict:
    return json.loads((folder(size) / "meta.json").read_text())


# ----------------------------------------------------------------------------- tables


def _organization() -> pa.Table:
    rows = [("company_name", "示例汽车集团有限公司（基准测试）"), ("company_name_en", "Example Automotive Group (benchmark)"),
            ("reporting_year", str(YEAR)), ("base_year", "2023"), ("consolidation_approach", "operational_control"),
            ("currency", "CNY"), ("revenue", "58000000000"), ("gwp_basis", "AR6"), ("country", "CN")]
    return pa.table({"field": [r[0] for r in rows], "value": [r[1] for r in rows]})


def _sites() -> pa.Table:
    return pa.table({
        "site_id": [s[0] for s in SITES], "name": [s[1] for s in SITES], "name_en": [s[2] for s in SITES],
        "province": [s[3] for s in SITES], "activity": [s[4] for s in SITES], "equity_share": [1.0] * len(SITES),
    })


def _suppliers(size: Size, rng: np.random.Generator) -> pa.Table:
    n = size.suppliers
    ids = [f"SUP{i:05d}" for i in range(1, n + 1)]
    province = rng.choice(len(SUPPLIER_PROVINCES), n)
    status = rng.choice(["none", "requested", "received", "verified"], n, p=[0.6, 0.2, 0.15, 0.05])
    return pa.table({
        "supplier_id": ids, "name": [f"供应商{i:05d}有限公司" for i in range(1, n + 1)],
        "country": ["CN"] * n, "province": [SUPPLIER_PROVINCES[p] for p in province],
        "tier": np.ones(n, dtype=np.int64), "is_sme": np.where(rng.random(n) < 0.3, "yes", "no"),
        "pcf_status": status,
    })


@dataclass
class Items:
    ids: np.ndarray          # item_id text
    supplier: np.ndarray     # supplier index
    kind: np.ndarray         # 0 material, 1 sector (cat 1), 2 capex (cat 2)
    material: np.ndarray     # index into MATERIALS (material items)
    sector: np.ndarray       # sector text (sector items)
    price: np.ndarray        # CNY per unit of quantity (material items) or typical spend (others)
    usd: np.ndarray          # bought in USD
    pcf: np.ndarray          # has a supplier_pcfs record


def _items(size: Size, rng: np.random.Generator) -> Items:
    n = size.items
    kind = rng.choice(3, n, p=[0.55, 0.40, 0.05])
    material = rng.choice(len(MATERIALS), n, p=[0.30, 0.15, 0.10, 0.08, 0.08, 0.12, 0.05, 0.05, 0.07])
    sectors = np.array(SECTORS + CAPEX_SECTORS, dtype=object)
    sector = np.where(kind == 2, sectors[len(SECTORS) + rng.integers(0, len(CAPEX_SECTORS), n)],
                      sectors[rng.integers(0, len(SECTORS), n)])
    price = np.array([MATERIALS[m][2] for m in material]) * rng.uniform(0.85, 1.15, n)
    return Items(
        ids=np.array([f"P-{i:06d}" for i in range(1, n + 1)], dtype=object),
        supplier=rng.integers(0, size.suppliers, n),
        kind=kind, material=material, sector=sector, price=price,
        usd=rng.random(n) < 0.08, pcf=(kind == 0) & (rng.random(n) < 0.10),
    )


USD_PER_CNY = 1 / 7.1


def _purchases(size: Size, items: Items, rng: np.random.Generator, start: int, n: int) -> pa.Table:
    """Rows start .. start+n of the purchases (chunks share the same item catalogue)."""
    item = rng.integers(0, len(items.ids), n)
    first = np.arange(start, start + n)  # every item is bought at least once (the BOM refers to them)
    item = np.where(first < len(items.ids), first, item)
    kind = items.kind[item]
    material_row = kind == 0
    mat = items.material[item]
    units = np.array([m[1] for m in MATERIALS], dtype=object)
    names = np.array([m[0] for m in MATERIALS], dtype=object)
    unit = units[mat]
    # quantity: tonnes 0.5–200, kg 50–20,000, kWh (cells) 500–500,000
    scale = np.select([unit == "t", unit == "kg"], [rng.uniform(0.5, 200, n), rng.uniform(50, 20_000, n)],
                      rng.uniform(500, 500_000, n))
    quantity = np.round(scale, 3)
    spend_cny = np.where(material_row, quantity * items.price[item], rng.lognormal(11.0, 1.4, n))
    usd = items.usd[item]
    spend = np.round(np.where(usd, spend_cny * USD_PER_CNY, spend_cny), 2)
    sites = np.array([s[0] for s in SITES[:8]], dtype=object)  # plants (not the offices) receive goods
    site = sites[rng.integers(0, len(sites), n)]
    models = np.array([m[0] for m in MODELS], dtype=object)
    product = np.where(material_row & (rng.random(n) < 0.6), models[rng.integers(0, len(models), n)], None)
    return pa.table({
        "supplier_id": pa.array([f"SUP{s + 1:05d}" for s in items.supplier[item]]),
        "item_id": pa.array(items.ids[item]),
        "category": pa.array(np.where(kind == 2, "2", "1")),
        "material": pa.array(np.where(material_row, names[mat], None)),
        "quantity": pa.array(np.where(material_row, quantity, np.nan), from_pandas=True),
        "unit": pa.array(np.where(material_row, unit, None)),
        "spend": pa.array(spend),
        "currency": pa.array(np.where(usd, "USD", "CNY")),
        "sector": pa.array(np.where(material_row, None, items.sector[item])),
        "product_id": pa.array(product),
        "site_id": pa.array(site),
    })


def _supplier_pcfs(items: Items, rng: np.random.Generator) -> pa.Table:
    chosen = np.flatnonzero(items.pcf)
    rows = []
    # kgCO2e per declared unit; declared unit follows the purchase unit kind
    typical = {"steel": 1.9, "aluminium_primary": 14.0, "aluminium_secondary": 4.5, "copper": 3.8, "plastics": 2.6,
               "glass": 1.2, "rubber": 3.1, "battery_cell": 68.0}
    for i in chosen:
        material, unit, _ = MATERIALS[items.material[i]]
        per_kg = typical[material] * float(rng.uniform(0.7, 1.1))
        declared = "kWh" if unit == "kWh" else "kg"
        supplier = f"SUP{items.supplier[i] + 1:05d}"
        rows.append({
            "pcf_id": f"PCF-{supplier}-{items.ids[i]}", "supplier_id": supplier, "item_id": items.ids[i],
            "product_name": f"{material} {items.ids[i]}", "pcf_kgco2e": round(per_kg, 4), "declared_unit_amount": 1.0,
            "declared_unit": declared, "reference_period_start": f"{YEAR - 1}-01-01",
            "reference_period_end": f"{YEAR - 1}-12-31", "geography": "CN", "standards": "ISO14067",
            "boundary": "cradle-to-gate", "primary_data_share": float(round(rng.uniform(20, 80), 1)),
            "verified": "yes" if rng.random() < 0.4 else "no", "source": f"{supplier}_PACT.json",
        })
    if not rows:
        return pa.table({})
    return pa.Table.from_pylist(rows)


def _energy(size: Size, rng: np.random.Generator) -> pa.Table:
    meters = size.meters
    shares = np.array([e[4] for e in ENERGY])
    counts = np.floor(shares * meters).astype(int)
    counts[0] += meters - counts.sum()
    kind = np.repeat(np.arange(len(ENERGY)), counts)
    site_of = rng.integers(0, len(SITES), meters)
    base = np.array([ENERGY[k][5] for k in kind]) * rng.uniform(0.3, 2.0, meters)
    if size.daily:
        import datetime as dt

        days = [(dt.date(YEAR, 1, 1) + dt.timedelta(d)) for d in range(365)]
        periods = np.array([d.isoformat() for d in days], dtype=object)
        per_period = base / 30.4
        season = np.array([1.0 + 0.15 * np.cos((d.timetuple().tm_yday - 15) / 365 * 2 * np.pi) for d in days])
    else:
        periods = np.array([f"{YEAR}-{m:02d}" for m in range(1, 13)], dtype=object)
        per_period = base
        season = 1.0 + 0.15 * np.cos(np.arange(12) / 12 * 2 * np.pi)
    p = len(periods)
    meter = np.repeat(np.arange(meters), p)
    k = kind[meter]
    quantity = per_period[meter] * np.tile(season, meters) * rng.uniform(0.9, 1.1, meters * p)
    decimals = np.where(np.array([ENERGY[i][1] for i in k]) == "t", 3, 1)
    quantity = np.where(decimals == 3, np.round(quantity, 3), np.round(quantity, 1))
    site_ids = np.array([s[0] for s in SITES], dtype=object)
    types = np.array([e[0] for e in ENERGY], dtype=object)
    units = np.array([e[1] for e in ENERGY], dtype=object)
    uses = np.array([e[2] for e in ENERGY], dtype=object)
    prefix = np.array(["E", "G", "S", "PV", "D"], dtype=object)
    meter_ids = np.array([f"{prefix[kind[m]]}-{m + 1:05d}" for m in range(meters)], dtype=object)
    return pa.table({
        "site_id": pa.array(site_ids[site_of[meter]]),
        "period": pa.array(np.tile(periods, meters)),
        "energy_type": pa.array(types[k]),
        "quantity": pa.array(quantity),
        "unit": pa.array(units[k]),
        "use": pa.array(uses[k]),
        "meter_id": pa.array(meter_ids[meter]),
        "evidence": pa.array(np.where(k == 0, "电费结算单", np.where(k == 3, "逆变器读数", "能源台账"))),
    })


def _production(size: Size, rng: np.random.Generator) -> pa.Table:
    rows = []
    plants = ["CQ01", "JS01", "GD01", "HB01"]
    for m, (model, _) in enumerate(MODELS):
        for b in range(size.batches):
            month = b * 12 // size.batches + 1
            day = (b * 28 // max(1, size.batches // 12)) % 28 + 1 if size.batches > 12 else 1
            period = f"{YEAR}-{month:02d}-{day:02d}" if size.batches > 12 else f"{YEAR}-{month:02d}"
            units = int(rng.integers(200, 2_000)) if size.batches > 12 else int(rng.integers(3_000, 6_000))
            rows.append({"site_id": plants[(m + b) % len(plants)], "period": period, "product_id": model,
                         "quantity": float(units), "unit": "辆", "batch_id": f"{model}-B{b + 1:04d}",
                         "revenue": float(units * (168_000 + 40_000 * m))})
    return pa.Table.from_pylist(rows)


def _bom(size: Size, items: Items, rng: np.random.Generator) -> pa.Table:
    material_items = np.flatnonzero(items.kind == 0)
    rows = []
    for model, _ in MODELS:
        chosen = rng.choice(material_items, min(size.bom_items, len(material_items)), replace=False)
        for i in sorted(chosen):
            _, unit, _ = MATERIALS[items.material[i]]
            qty = {"t": rng.uniform(0.0005, 0.05), "kg": rng.uniform(0.5, 40), "kWh": rng.uniform(0.5, 4)}[unit]
            rows.append({"product_id": model, "item_id": items.ids[i], "quantity_per_unit": round(float(qty), 5),
                         "unit": unit})
    return pa.Table.from_pylist(rows)


def _sold_products() -> pa.Table:
    return pa.Table.from_pylist([
        {"product_id": "EV-S1", "units_sold": 63_800.0, "powertrain": "bev", "lifetime_km": 200_000.0,
         "consumption": 13.6, "consumption_unit": "kWh/100km", "consumption_2": None, "electric_share": None,
         "vehicle_mass_kg": 1_850.0, "market": "CN"},
        {"product_id": "PH-M5", "units_sold": 77_100.0, "powertrain": "phev", "lifetime_km": 200_000.0,
         "consumption": 17.8, "consumption_unit": "kWh/100km", "consumption_2": 5.6, "electric_share": 0.48,
         "vehicle_mass_kg": 1_720.0, "market": "CN"},
        {"product_id": "IC-G3", "units_sold": 55_600.0, "powertrain": "ice_gasoline", "lifetime_km": 200_000.0,
         "consumption": 6.9, "consumption_unit": "L/100km", "consumption_2": None, "electric_share": None,
         "vehicle_mass_kg": 1_420.0, "market": "CN"},
    ])


# ----------------------------------------------------------------------------- writers


class _Writers:
    """CSV, Parquet and (optionally) one xlsx sheet per table, written chunk by chunk."""

    def __init__(self, base: Path, xlsx: bool) -> None:
        (base / "csv").mkdir(parents=True, exist_ok=True)
        (base / "parquet").mkdir(parents=True, exist_ok=True)
        self.base = base
        self.workbook = None
        if xlsx:
            import xlsxwriter

            self.workbook = xlsxwriter.Workbook(str(base / "inventory.xlsx"), {"constant_memory": True})
        self.open: dict[str, tuple] = {}

    def write(self, name: str, table: pa.Table) -> None:
        if name not in self.open:
            csv_writer = pacsv.CSVWriter(str(self.base / "csv" / f"{name}.csv"), table.schema)
            pq_writer = pq.ParquetWriter(str(self.base / "parquet" / f"{name}.parquet"), table.schema)
            sheet = None
            if self.workbook is not None:
                sheet = self.workbook.add_worksheet(name)
                sheet.write_row(0, 0, table.column_names)
            self.open[name] = (csv_writer, pq_writer, sheet, [1])
        csv_writer, pq_writer, sheet, next_row = self.open[name]
        table = table.cast(self.open[name][1].schema) if table.schema != pq_writer.schema else table
        csv_writer.write_table(table)
        pq_writer.write_table(table)
        if sheet is not None:
            columns = [c.to_pylist() for c in table.columns]
            row = next_row[0]
            for values in zip(*columns):
                for col, value in enumerate(values):
                    if value is None or (isinstance(value, float) and value != value):
                        continue
                    if isinstance(value, str):
                        sheet.write_string(row, col, value)
                    else:
                        sheet.write_number(row, col, value)
                row += 1
            next_row[0] = row

    def close(self) -> None:
        for csv_writer, pq_writer, _, _ in self.open.values():
            csv_writer.close()
            pq_writer.close()
        if self.workbook is not None:
            self.workbook.close()


def generate(size_name: str, force: bool = False, log=print) -> Path:
    """Write bench/data/<size>/ (csv/, parquet/, inventory.xlsx, meta.json) unless up to date."""
    size = SIZES[size_name]
    base = folder(size_name)
    stamp = {"generator_version": GENERATOR_VERSION, "seed": SEED, "size": asdict(size)}
    meta_path = base / "meta.json"
    if not force and meta_path.exists():
        old = json.loads(meta_path.read_text())
        if {k: old.get(k) for k in stamp} == stamp:
            return base
    if base.exists():
        shutil.rmtree(base)
    base.mkdir(parents=True)
    rng = np.random.default_rng([SEED, list(SIZES).index(size_name)])
    energy_rows = size.meters * (365 if size.daily else 12)
    xlsx = max(size.purchases, energy_rows) + 1 <= EXCEL_MAX_ROWS
    log(f"generating {size_name}: {size.purchases:,} purchases, {energy_rows:,} energy rows"
        f"{', xlsx' if xlsx else ' (no xlsx: over 1,048,576 rows)'} …")
    writers = _Writers(base, xlsx)
    # The key_value organization table has no header row in a workbook; in CSV/Parquet field,value.
    items = _items(size, rng)
    small = {"organization": _organization(), "sites": _sites(), "suppliers": _suppliers(size, rng),
             "supplier_pcfs": _supplier_pcfs(items, rng), "production": _production(size, rng),
             "bom": _bom(size, items, rng), "sold_products": _sold_products()}
    for name, table in small.items():
        if table.num_columns:
            writers.write(name, table)
    writers.write("energy", _energy(size, rng))
    chunk = 250_000
    split = size.purchases > MAX_ROWS_PER_FILE
    for start in range(0, size.purchases, chunk):
        name = f"purchases ({start // MAX_ROWS_PER_FILE + 1})" if split else "purchases"
        writers.write(name, _purchases(size, items, rng, start, min(chunk, size.purchases - start)))
    writers.close()
    counts = {name: sum(pq.ParquetFile(path).metadata.num_rows for path in (base / "parquet").glob(f"{name}*.parquet"))
              for name in [*small, "energy", "purchases"]}
    counts = {name: n for name, n in counts.items() if n}
    meta_path.write_text(json.dumps({**stamp, "xlsx": xlsx, "rows": counts}, indent=2) + "\n")
    return base


def main(argv: list[str]) -> None:
    force = "--force" in argv
    for name in [a for a in argv if not a.startswith("--")] or ["S"]:
        print(generate(name.upper(), force=force))


if __name__ == "__main__":
    main(sys.argv[1:])
