"""Reference implementations that `bench/run.py` times as whole processes next to zcf.

They are the yardstick of the targets (bench/targets.toml), so they do the same work as the
zcf stage, with a good tool and no shortcuts:

* ingest-xlsx:    python-calamine reads every sheet of the workbook to Python values;
* ingest-csv:     pyarrow.csv.read_csv of every CSV file of the folder;
* ingest-parquet: pyarrow.parquet.read_table of every Parquet file of the folder;
* calc:           DuckDB computes the same lines from the same dataset zcf wrote
                  (OUT/dataset/*.parquet): each input row picks its method as zcf does
                  (supplier footprint, then average-data for a material with a quantity, then
                  spend-based), joins a factor table, multiplies, writes one Parquet line per
                  zcf line (with factor id, unit, gas, method and a calculation text), then the
                  totals per scope / category / Scope 2 method;
* check:          DuckDB group-bys over zcf's lines.parquet (totals per scope, category, site,
                  supplier, method and data quality, and lines without a factor).

The factor table of the calc reference is exported once, untimed, from the run of zcf being
measured (`prepare_factors`): for every factor key (the attributes of an input row that decide
its factor, e.g. material + unit + supplier province) and line kind (scope, category, gas ...)
the tCO2e per unit of the row's base amount (quantity_std, or spend in its currency). It fails
when one key would need two values, i.e. when the key misses something zcf uses.

    python bench/reference.py ingest-csv bench/data/S/csv
    python bench/reference.py calc OUT FACTORS REF_OUT
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

# Attributes of an input row that decide its lines, and the amount the factor multiplies.
# Each entry: (key SQL, base SQL) over the dataset table aliased `d` (purchases: see _PURCHASES).
_PURCHASES = """
SELECT d.*, s.province AS supplier_province, pc.pcf_id AS matched_pcf,
  CASE WHEN d.supplier_pcf IS NOT NULL AND d.pcf_unit IS NOT NULL THEN 'row-pcf'
       WHEN pc.pcf_id IS NOT NULL AND d.quantity_std IS NOT NULL THEN 'pcfs'
       WHEN d.material IS NOT NULL AND d.quantity_std IS NOT NULL THEN 'material'
       WHEN d.spend IS NOT NULL THEN 'spend' END AS ref_method
FROM read_parquet('{dataset}/purchases.parquet') d
LEFT JOIN read_parquet('{dataset}/suppliers.parquet') s USING (supplier_id)
LEFT JOIN (SELECT * FROM read_parquet('{dataset}/supplier_pcfs.parquet') WHERE coalesce(status, 'active') = 'active') pc
  ON pc.item_id = d.item_id AND pc.supplier_id = d.supplier_id
"""
_PURCHASES_NO_PCFS = _PURCHASES.replace("pc.pcf_id AS matched_pcf", "NULL AS matched_pcf").replace(
    "WHEN pc.pcf_id IS NOT NULL AND d.quantity_std IS NOT NULL THEN 'pcfs'\n", "").split("LEFT JOIN (SELECT")[0]

TABLES = {
    "purchases": {
        "rows": None,  # _PURCHASES
        "key": """coalesce(d.category, '1') || '|' || CASE d.ref_method
            WHEN 'row-pcf' THEN 'row-pcf|' || d.pcf_unit || '|' || coalesce(d.unit_std, '')
            WHEN 'pcfs' THEN 'pcfs|' || d.matched_pcf || '|' || d.unit_std
            WHEN 'material' THEN 'material|' || d.material || '|' || d.unit_std || '|' || coalesce(d.supplier_province, '')
            WHEN 'spend' THEN 'spend|' || coalesce(d.sector, 'average_manufacturing') || '|' || coalesce(d.currency, '{currency}')
                              || '|' || coalesce(d.supplier_province, '') END""",
        "base": """CASE d.ref_method WHEN 'spend' THEN d.spend
            WHEN 'row-pcf' THEN d.supplier_pcf * coalesce(d.quantity_std, 1) ELSE d.quantity_std END""",
        "quantity": "CASE d.ref_method WHEN 'spend' THEN d.spend ELSE d.quantity END",
        "unit": "CASE d.ref_method WHEN 'spend' THEN coalesce(d.currency, '{currency}') ELSE d.unit END",
        "period": "NULL",
        "batch_id": "d.batch_id",
        "supplier_id": "d.supplier_id",
        "product_id": "d.product_id",
        "site_id": "d.site_id",
    },
    "energy": {
        "rows": "SELECT * FROM read_parquet('{dataset}/energy.parquet') d",
        "key": """d.site_id || '|' || d.energy_type || '|' || coalesce(d.use, '') || '|' || coalesce(d.supply, '')
                  || '|' || coalesce(d.meter_role, '') || '|' || d.unit_std""",
        "base": "d.quantity_std",
        "quantity": "d.quantity", "unit": "d.unit", "period": "d.period", "batch_id": "NULL", "supplier_id": "NULL",
        "product_id": "NULL", "site_id": "d.site_id",
    },
    "sold_products": {
        "rows": "SELECT * FROM read_parquet('{dataset}/sold_products.parquet') d",
        "key": "d.product_id || '|' || coalesce(d.market, '')",
        "base": "d.units_sold",
        "quantity": "d.units_sold", "unit": "'units'", "period": "NULL", "batch_id": "NULL", "supplier_id": "NULL",
        "product_id": "d.product_id", "site_id": "NULL",
    },
}
KIND = ["scope", "category", "scope2_method", "gas", "activity", "method", "factor_id", "factor_unit", "gwp",
        "gwp_basis", "data_quality"]


def _rows_sql(name: str, dataset: Path) -> str:
    if name == "purchases":
        sql = _PURCHASES if (dataset / "supplier_pcfs.parquet").exists() else _PURCHASES_NO_PCFS
        return sql.format(dataset=dataset)
    return TABLES[name]["rows"].format(dataset=dataset)


def _organization_currency(con, dataset: Path) -> str:
    """The organization's currency (the default of purchases without one): key-value rows field, value."""
    row = con.execute(f"SELECT value FROM read_parquet('{dataset}/organization.parquet') "
                      "WHERE field = 'currency'").fetchone()
    return row[0] if row and row[0] else "CNY"


def present_tables(dataset: Path) -> list[str]:
    return [name for name in TABLES if (dataset / f"{name}.parquet").exists()]


def prepare_factors(out: Path, factors: Path) -> dict:
    """Export, from zcf's OUT/lines.parquet and OUT/dataset, one factor table per source table.

    Raises ValueError when zcf made lines from a table the reference does not cover, or when a
    factor key maps to two different values (the key would miss an attribute zcf uses)."""
    import duckdb

    dataset = out / "dataset"
    factors.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    lines = f"read_parquet('{out}/lines.parquet')"
    covered = present_tables(dataset)
    others = con.execute(f"SELECT source_table, count(*) FROM {lines} GROUP BY 1").fetchall()
    extra = {t: n for t, n in others if t not in covered}
    if extra:
        raise ValueError(f"zcf lines from tables the reference does not cover: {extra}")
    currency = _organization_currency(con, dataset)
    summary = {"currency": currency, "tables": {}}
    shares = con.execute(f"SELECT DISTINCT coalesce(site_id, ''), boundary_share FROM {lines}").fetchall()
    by_site: dict[str, set] = {}
    for site, share in shares:
        by_site.setdefault(site, set()).add(share)
    if any(len(v) > 1 for v in by_site.values()):
        raise ValueError(f"a site has several boundary shares: {by_site}")
    con.execute("CREATE TABLE shares (site_id VARCHAR, boundary_share DOUBLE)")
    con.executemany("INSERT INTO shares VALUES (?, ?)", [(k, v.pop()) for k, v in by_site.items()])
    con.execute(f"COPY shares TO '{factors}/shares.parquet' (FORMAT parquet)")
    for name in covered:
        spec = TABLES[name]
        key = spec["key"].format(currency=currency)
        base = spec["base"]
        kind = ", ".join(f"l.{c}" for c in KIND)
        con.execute(f"""
            CREATE OR REPLACE TABLE f AS
            WITH d AS ({_rows_sql(name, dataset)}),
                 r AS (SELECT d._source_file, d._source_row, {key} AS key, {base} AS base FROM d)
            SELECT r.key, {kind}, count(*) AS n,
                   avg(l.co2e_t / (r.base * l.boundary_share)) FILTER (WHERE r.base <> 0 AND l.boundary_share <> 0) AS m,
                   min(l.co2e_t / (r.base * l.boundary_share)) FILTER (WHERE r.base <> 0 AND l.boundary_share <> 0) AS lo,
                   max(l.co2e_t / (r.base * l.boundary_share)) FILTER (WHERE r.base <> 0 AND l.boundary_share <> 0) AS hi
            FROM {lines} l JOIN r ON l.source_table = '{name}' AND l.source_row = r._source_row
                                  AND l.source_file = r._source_file
            GROUP BY ALL""")
        bad = con.execute("SELECT key, m, lo, hi FROM f WHERE hi - lo > 1e-12 * greatest(abs(hi), abs(lo))").fetchall()
        if bad:
            raise ValueError(f"{name}: factor keys with several values (key incomplete): {bad[:5]}")
        missing = con.execute(f"""
            SELECT count(*) FROM {lines} l WHERE l.source_table = '{name}' AND NOT EXISTS (
              SELECT 1 FROM read_parquet('{dataset}/{name}.parquet') d
              WHERE d._source_row = l.source_row AND d._source_file = l.source_file)""").fetchone()[0]
        if missing:
            raise ValueError(f"{name}: {missing} zcf lines do not point at a dataset row")
        con.execute(f"COPY (SELECT * EXCLUDE (lo, hi, n), coalesce(m, 0) AS multiplier FROM f) "
                    f"TO '{factors}/{name}.parquet' (FORMAT parquet)")
        summary["tables"][name] = con.execute("SELECT count(*), sum(n) FROM f").fetchone()
    (factors / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def _bounded(con, spill: Path):
    """DuckDB within the memory the bench allows this process (``--memory-limit-mb``): DuckDB sizes its
    buffer pool from the machine's memory, not from RLIMIT_DATA, and fails instead of spilling to disk."""
    import resource

    soft, _ = resource.getrlimit(resource.RLIMIT_DATA)
    if soft != resource.RLIM_INFINITY:
        con.execute(f"SET memory_limit = '{soft * 6 // 10 >> 20}MB'")
        con.execute(f"SET temp_directory = '{spill / 'duckdb-spill'}'")
    return con


def calc(out: Path, factors: Path, ref_out: Path) -> int:
    """The calc reference: lines.parquet and totals.json in ref_out, from out/dataset and the factors."""
    import duckdb

    dataset = out / "dataset"
    ref_out.mkdir(parents=True, exist_ok=True)
    con = _bounded(duckdb.connect(), ref_out)
    currency = json.loads((factors / "summary.json").read_text())["currency"]
    parts = []
    for name in present_tables(dataset):
        if not (factors / f"{name}.parquet").exists():
            continue
        spec = TABLES[name]
        cols = {c: spec[c].format(currency=currency) for c in ("key", "base", "quantity", "unit", "period", "batch_id",
                                                                "supplier_id", "product_id", "site_id")}
        parts.append(f"""
            SELECT f.scope, f.category, f.scope2_method, {cols['site_id']} AS site_id, {cols['product_id']} AS product_id,
                   {cols['batch_id']} AS batch_id, {cols['supplier_id']} AS supplier_id, {cols['period']} AS period,
                   '{name}' AS source_table, d._source_file AS source_file, d._source_sheet AS source_sheet,
                   d._source_row AS source_row, f.activity, {cols['quantity']}::DOUBLE AS quantity,
                   {cols['unit']}::VARCHAR AS unit, {cols['base']}::DOUBLE AS base,
                   f.factor_id, f.multiplier AS factor_value, f.factor_unit, f.gas, f.gwp, f.gwp_basis,
                   coalesce(s.boundary_share, 1.0) AS boundary_share, f.method, f.data_quality
            FROM ({_rows_sql(name, dataset)}) d
            JOIN read_parquet('{factors}/{name}.parquet') f ON f.key = ({cols['key']})
            LEFT JOIN read_parquet('{factors}/shares.parquet') s ON s.site_id = coalesce({cols['site_id']}, '')""")
    sql = " UNION ALL ".join(parts)
    con.execute(f"""
        COPY (
          SELECT format('L{{:07d}}', row_number() OVER ()) AS line_id, *,
                 base * factor_value * boundary_share AS co2e_t,
                 format('{{}} {{}} × {{}} {{}} × {{}} = {{}} tCO2e', quantity, unit, factor_value, factor_unit, boundary_share,
                        base * factor_value * boundary_share) AS calculation
          FROM ({sql})
        ) TO '{ref_out}/lines.parquet' (FORMAT parquet)""")
    totals = con.execute(f"""
        SELECT scope, category, coalesce(scope2_method, '') AS scope2_method, sum(co2e_t) AS co2e_t, count(*) AS lines
        FROM read_parquet('{ref_out}/lines.parquet') GROUP BY ALL ORDER BY ALL""").fetchall()
    (ref_out / "totals.json").write_text(json.dumps(totals, indent=1) + "\n")
    return sum(t[4] for t in totals)


def zcf_totals(out: Path) -> list:
    """zcf's totals from its lines.parquet, grouped as calc() groups them (for the test)."""
    import duckdb

    return duckdb.connect().execute(f"""
        SELECT scope, category, coalesce(scope2_method, '') AS scope2_method, sum(co2e_t) AS co2e_t, count(*) AS lines
        FROM read_parquet('{out}/lines.parquet') GROUP BY ALL ORDER BY ALL""").fetchall()


def check(out: Path, ref_out: Path) -> int:
    """The check reference: the group-bys the rule packs need, over zcf's lines.parquet."""
    import duckdb

    ref_out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute(f"CREATE VIEW lines AS SELECT * FROM read_parquet('{out}/lines.parquet')")
    result = {
        "by_scope": con.execute("SELECT scope, coalesce(scope2_method, ''), sum(co2e_t), count(*) FROM lines GROUP BY ALL").fetchall(),
        "by_category": con.execute("SELECT scope, category, sum(co2e_t), count(*) FROM lines GROUP BY ALL").fetchall(),
        "by_site": con.execute("SELECT site_id, scope, sum(co2e_t) FROM lines GROUP BY ALL").fetchall(),
        "by_supplier": con.execute("SELECT supplier_id, sum(co2e_t) FROM lines WHERE supplier_id IS NOT NULL "
                                   "GROUP BY ALL ORDER BY 2 DESC LIMIT 100").fetchall(),
        "by_method": con.execute("SELECT method, data_quality, sum(co2e_t), count(*) FROM lines GROUP BY ALL").fetchall(),
        "no_factor": con.execute("SELECT count(*) FROM lines WHERE factor_id IS NULL OR factor_value IS NULL").fetchall(),
        "lines": con.execute("SELECT count(*) FROM lines").fetchone()[0],
    }
    (ref_out / "checks.json").write_text(json.dumps(result, default=str) + "\n")
    return result["lines"]


def ingest_xlsx(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    rows = 0
    for name in workbook.sheet_names:
        values = workbook.get_sheet_by_name(name).to_python()
        rows += max(0, len(values) - 1)
    return rows


def ingest_csv(folder: Path) -> int:
    import pyarrow.csv as pacsv

    return sum(pacsv.read_csv(path).num_rows for path in sorted(folder.glob("*.csv")))


def ingest_parquet(folder: Path) -> int:
    import pyarrow.parquet as pq

    return sum(pq.read_table(path).num_rows for path in sorted(folder.glob("*.parquet")))


def main(argv: list[str]) -> None:
    t0 = time.perf_counter()
    what, args = argv[0], [Path(a) for a in argv[1:]]
    rows = {"ingest-xlsx": ingest_xlsx, "ingest-csv": ingest_csv, "ingest-parquet": ingest_parquet,
            "calc": calc, "check": check, "prepare-factors": lambda o, f: prepare_factors(o, f)}[what](*args)
    print(json.dumps({"rows": rows, "seconds_in_process": time.perf_counter() - t0}, default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
