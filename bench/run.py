"""Ingest benchmark on generated data of realistic size (`make bench`).

Cases (data cached in bench/data/, generated with a fixed seed on first run):
* xlsx-200k: one workbook, `sites` + an `energy` sheet of 200,004 rows × 8 columns
  (16,667 meters × 12 months);
* csv-1m:    `sites.csv` + `energy.csv` with 1,000,008 rows.

Each ingest case runs `zcf.ingest.ingest` in a fresh process and reports wall time, rows
per second and peak RSS; `calc-200k` then times `zcf.calc` (calculate + write results.json,
lines.csv, lines.parquet) on the dataset of xlsx-200k, reported per line. Results go to bench/results.json; if bench/baseline.json exists,
the table shows the change against it. Targets (../shared/reference/perf.md): xlsx
≥ 50k rows/s including validation, CSV ≥ 1M rows/s.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
SITES = [f"S{i:03d}" for i in range(1, 51)]
PROVINCES = ["江苏", "重庆", "广东", "浙江", "湖北"]
HEADER = ["site_id", "period", "energy_type", "quantity", "unit", "meter_id", "supply", "evidence"]


def rows(n: int):
    rng = random.Random(42)
    kinds = [("electricity", "kWh", "grid"), ("natural_gas", "m3", None), ("diesel", "t", None), ("steam", "GJ", "grid")]
    base = 0.0
    for i in range(n):
        meter = i // 12  # every meter has 12 monthly readings
        if i % 12 == 0:
            base = rng.uniform(1_000, 100_000)
        energy_type, unit, supply = kinds[meter % 4]
        yield [
            SITES[meter % len(SITES)],
            f"2025-{i % 12 + 1:02d}",
            energy_type,
            round(base * rng.uniform(0.8, 1.2), 2),
            unit,
            f"M{meter}",
            supply,
            f"invoice {i}",
        ]


def make_xlsx(path: Path, n: int) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sites = workbook.create_sheet("sites")
    sites.append(["site_id", "province"])
    for i, site in enumerate(SITES):
        sites.append([site, PROVINCES[i % len(PROVINCES)]])
    energy = workbook.create_sheet("energy")
    energy.append(HEADER)
    for row in rows(n):
        energy.append(row)
    workbook.save(path)


def make_csv(folder: Path, n: int) -> None:
    import csv

    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "sites.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["site_id", "province"])
        writer.writerows([s, PROVINCES[i % len(PROVINCES)]] for i, s in enumerate(SITES))
    with open(folder / "energy.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(rows(n))


CASES = {
    "xlsx-200k": (200_004, lambda: DATA / "energy_200k.xlsx", make_xlsx),
    "csv-1m": (1_000_008, lambda: DATA / "csv_1m", make_csv),
}

CHILD = """
import json, resource, sys, time
t0 = time.perf_counter()
from zcf.ingest import IngestOptions, ingest
report = ingest([sys.argv[1]], IngestOptions(year=2025))
elapsed = time.perf_counter() - t0
assert report.valid, [str(p) for p in report.problems[:3]]
assert not report.problems, [str(p) for p in report.problems[:3]]
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "rows": len(report.tables["energy"]), "peak_rss_mb": rss}))
"""


CALC_CHILD = """
import json, resource, sys, time
from pathlib import Path
t0 = time.perf_counter()
from zcf.calc import calculate, load_dataset, write_outputs
manifest, tables = load_dataset(Path(sys.argv[1]))
report = calculate(manifest, tables)
write_outputs(report, Path(sys.argv[1]))
elapsed = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "rows": len(report.lines), "peak_rss_mb": rss}))
"""

PREPARE = """
import sys
from pathlib import Path
from zcf.ingest import IngestOptions, ingest, write_dataset
report = ingest([sys.argv[1]], IngestOptions(year=2025), {"company_name": "Bench", "reporting_year": 2025})
assert report.valid
write_dataset(report, Path(sys.argv[2]))
"""


def _best_of(script: str, args: list[str], name: str, runs: int = 3) -> dict:
    results = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"{name} failed:\n{out.stderr[-2000:]}")
        results.append(json.loads(out.stdout))
    best = min(results, key=lambda r: r["seconds"])
    return {
        "rows": best["rows"],
        "seconds": round(best["seconds"], 3),
        "rows_per_second": round(best["rows"] / best["seconds"]),
        "peak_rss_mb": round(max(r["peak_rss_mb"] for r in results)),
    }


def main() -> None:
    DATA.mkdir(parents=True, exist_ok=True)
    results = {}
    for name, (n, target, make) in CASES.items():
        path = target()
        if not path.exists():
            print(f"generating {path.name} ({n:,} rows)…", file=sys.stderr)
            make(path, n)
        results[name] = _best_of(CHILD, [str(path)], name)
    dataset = DATA / "out_200k"
    if not (dataset / "dataset").is_dir():
        subprocess.run([sys.executable, "-c", PREPARE, str(CASES["xlsx-200k"][1]()), str(dataset)], check=True)
    results["calc-200k"] = _best_of(CALC_CHILD, [str(dataset)], "calc-200k")
    baseline_path = HERE / "baseline.json"
    baseline = json.loads(baseline_path.read_text()) if baseline_path.exists() else {}
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print("| case | rows (calc: lines) | seconds (best of 3) | rows/s | peak RSS MB | vs baseline |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, r in results.items():
        delta = ""
        if name in baseline:
            change = (r["seconds"] - baseline[name]["seconds"]) / baseline[name]["seconds"] * 100
            delta = f"{change:+.0f} % time"
        print(f"| {name} | {r['rows']:,} | {r['seconds']:.2f} | {r['rows_per_second']:,} | {r['peak_rss_mb']} | {delta} |")


if __name__ == "__main__":
    main()
