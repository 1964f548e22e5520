"""Write a large inventory for timing: the English sample with its purchases multiplied.

    python scripts/big_inventory.py /tmp/inv30k --purchases 30000 [--suppliers 2000]

Copies sample_data/en/*.csv to the folder and repeats the purchase rows until there are
``--purchases`` of them: each copy gets its own item id (P-10001-17) and, round-robin, one
of ``--suppliers`` suppliers (the copies of the sample's suppliers, SUP001-0017 …), with
quantity and spend divided so that the totals stay those of the sample.
"""

from __future__ import annotations

import argparse
import csv
import math
import shutil
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "en"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--purchases", type=int, default=30_000)
    parser.add_argument("--suppliers", type=int, default=2_000)
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    for path in SAMPLE.glob("*.csv"):
        shutil.copyfile(path, args.folder / path.name)
    with (SAMPLE / "purchases.csv").open(encoding="utf-8", newline="") as f:
        purchases = list(csv.DictReader(f))
    with (SAMPLE / "suppliers.csv").open(encoding="utf-8", newline="") as f:
        suppliers = list(csv.DictReader(f))
    copies = math.ceil(args.purchases / len(purchases))
    extra = []  # the sample's suppliers stay; copies are added up to --suppliers
    for n in range(max(0, args.suppliers - len(suppliers))):
        base = suppliers[n % len(suppliers)]
        extra.append({**base, "supplier_id": f"{base['supplier_id']}-{n:04d}", "name": f"{base['name']} {n:04d}"})
    all_suppliers = suppliers + extra
    rows = []
    for k in range(copies):
        for i, row in enumerate(purchases):
            if len(rows) >= args.purchases:
                break
            new = dict(row)
            if k:
                new["item_id"] = f"{row['item_id']}-{k}"
                if row["supplier_id"]:
                    new["supplier_id"] = all_suppliers[(k * len(purchases) + i) % len(all_suppliers)]["supplier_id"]
            for column in ("quantity", "spend"):
                if row.get(column):
                    new[column] = f"{float(row[column]) / copies:.6g}"
            rows.append(new)
    for name, table in (("purchases.csv", rows), ("suppliers.csv", all_suppliers)):
        with (args.folder / name).open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(table[0]))
            writer.writeheader()
            writer.writerows(table)
    print(f"{args.folder}: {len(rows)} purchases, {len(all_suppliers)} suppliers")


if __name__ == "__main__":
    main()
