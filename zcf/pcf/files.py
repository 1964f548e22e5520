"""The files of ``zcf pcf``: export from an output folder, import into a reviewable workbook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from zcf.problems import Problem


def export_files(out: Path, dest: Path, spec: str, batches: bool, config, source_date_epoch: int | None
                 ) -> tuple[list[Path], list[Problem]]:
    """Write the PACT files of OUT's product footprints into ``dest`` (a zcf output folder)."""
    import pandas as pd

    from zcf.io import require_files, to_json, write_bytes_atomic
    from zcf.outputs import claim, read_record, require_own, verify_results
    from zcf.pcf.export import footprints

    require_own(out, "pcf export")
    require_files(out, ["results.json", "dataset"], "zcf calc")
    results = read_record(out, "results.json", "zcf calc")
    verify_results(out, results)
    vehicle_masses: dict[str, float] = {}
    sold = out / "dataset" / "sold_products.parquet"
    if sold.is_file():
        frame = pd.read_parquet(sold)
        vehicle_masses = {str(r.product_id): float(r.vehicle_mass_kg) for r in frame.itertuples()
                          if not pd.isna(r.vehicle_mass_kg)}
    provinces: dict[str, str] = {}
    sites = out / "dataset" / "sites.parquet"
    if sites.is_file():
        provinces = {str(r.site_id): str(r.province) for r in pd.read_parquet(sites).itertuples()
                     if isinstance(r.province, str)}
    created = (dt.datetime.fromtimestamp(source_date_epoch, tz=dt.timezone.utc) if source_date_epoch is not None
               else dt.datetime.now(tz=dt.timezone.utc))
    exports, problems = footprints(results, created=created, spec=spec, batches=batches,
                                   domain=config.pcf.domain, vehicle_masses=vehicle_masses, site_provinces=provinces)
    claim(dest)
    written = []
    for item in exports:
        write_bytes_atomic(dest / item.filename, to_json(item.document).encode("utf-8"))
        written.append(dest / item.filename)
    return written, problems


def import_files(files: list[Path], dest: Path, lang: str) -> tuple[int, list[Problem]]:
    """Read PACT files into one supplier_pcfs sheet (headers in ``lang``) written to ``dest``."""
    from zcf.pcf.read import read_pact

    rows: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for path in files:
        if not path.is_file():
            problems.append(Problem("file-not-found", file=str(path)))
            continue
        found, trouble = read_pact(path, str(path))
        rows += found
        problems += trouble
    write_table(dest, "supplier_pcfs", rows, lang)
    return len(rows), problems


def write_table(path: Path, table: str, rows: list[dict[str, Any]], lang: str) -> None:
    """A sheet of ``table`` (schema headers in ``lang``) with ``rows``; text cells never formulas."""
    import io

    from openpyxl import Workbook

    from zcf.io import write_bytes_atomic
    from zcf.schema import load_schema

    spec = load_schema().table(table)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = spec.title("zh" if lang == "zh" else "en")[:31]
    columns = [c for c in spec.columns]
    sheet.append([c.header("zh" if lang == "zh" else "en") for c in columns])
    numeric = {c.name for c in columns if c.type in ("number", "integer", "percent", "ratio")}
    for row in rows:
        sheet.append([float(row[c.name]) if c.name in numeric and row.get(c.name) not in (None, "") else row.get(c.name)
                      for c in columns])
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    write_bytes_atomic(path, buffer.getvalue())
