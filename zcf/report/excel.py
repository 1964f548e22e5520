"""The Excel disclosure pack (openpyxl, write-only: fast for large line lists).

Numbers are written as numbers with units in the headers; every sheet has a frozen
header row and an auto-filter. Text that comes from input files is always written
as a text cell, so ``=HYPERLINK(...)`` or ``@SUM(...)`` in a supplier name can never
become a formula (formula injection).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

from zcf.calc.scope3 import CATEGORIES
from zcf.report.model import ReportModel, method_name

NUMBER_FORMAT = "#,##0.000"
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _cell(sheet, value: Any, bold: bool = False):
    """A write-only cell: numbers stay numbers, every string is a text cell."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        cell = WriteOnlyCell(sheet, value=None)
    elif isinstance(value, bool):
        cell = WriteOnlyCell(sheet, value=value)
    elif isinstance(value, (int, float)):
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, float):
            cell.number_format = NUMBER_FORMAT
    else:
        text = str(value)
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"  # never a formula, whatever the text starts with
    if bold:
        cell.font = Font(bold=True)
    return cell


def _sheet(workbook, title: str, headers: list[str], rows: list[list[Any]], widths: list[int] | None = None):
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        width = widths[index - 1] if widths and index <= len(widths) else max(10, min(40, len(header) * 2 + 2))
        sheet.column_dimensions[get_column_letter(index)].width = width
    if headers:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(1, len(rows) + 1)}"
    sheet.append([_cell(sheet, h, bold=True) for h in headers])
    for row in rows:
        sheet.append([_cell(sheet, v) for v in row])
    return sheet


def _num(value) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def _save(workbook, moment) -> bytes:
    """The workbook's bytes with ``moment`` as its document dates and every zip entry's time.

    openpyxl stamps "now" into docProps/core.xml and each zip entry, which would make two
    runs on the same inputs differ; with SOURCE_DATE_EPOCH the bytes are reproducible.
    """
    import io
    import zipfile

    from openpyxl.writer.excel import ExcelWriter

    naive = moment.replace(tzinfo=None)
    workbook.properties.created = naive
    workbook.properties.modified = naive
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(workbook, archive).save()
    fixed = io.BytesIO()
    stamp = (max(1980, naive.year), naive.month, naive.day, naive.hour, naive.minute, naive.second)
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as source, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(info.filename))
    return fixed.getvalue()


def write_excel(model: ReportModel, path: Path, moment=None) -> None:
    """Write report.xlsx atomically; ``moment`` (a datetime) dates the document."""
    from openpyxl import Workbook

    from zcf.io import write_bytes_atomic

    t = model.text
    r = model.results
    totals = r["totals"]
    workbook = Workbook(write_only=True)

    summary = [
        [t["scope1"], totals["scope1"], "tCO2e"],
        [t["scope2_location"], totals["scope2_location"], "tCO2e"],
        [t["scope2_market"], totals["scope2_market"], "tCO2e"],
        [t["scope3"], totals["scope3"], "tCO2e"],
        [t["total_market"], totals["total_market"], "tCO2e"],
        [t["energy_total"], _num(r["energy"].get("total_mwh")), "MWh"],
        [t["energy_tce"], _num(r["energy"].get("total_tce")), "tce"],
        [t["renewable_share"], _num(r["energy"].get("renewable_share")), "fraction"],
        [t["traceable_share"], _num(r["energy"].get("traceable_green_electricity_share")), "fraction"],
        *[[f"{t['weak_share']} ({t[key]})", _num((r.get("factor_quality") or {}).get(key, {}).get("weak_share")), "fraction"]
          for key in ("total_market", "scope1", "scope2_location", "scope2_market", "scope3")],
        [t["factor_library"], r.get("factor_library_version"), ""],
        [t["reporting_year"], r["reporting_year"], ""],
        [t["gwp_basis"], r["gwp_basis"], ""],
        [t["boundary"], model.boundary, ""],
        ["company", model.org.get("company_name"), ""],
    ]
    _sheet(workbook, t["sheet_summary"], [t["figure"], t["value"], t["unit"]], summary, [44, 20, 12])

    s1 = [[c, totals["scope1_by_category"][c]] for c in totals["scope1_by_category"]]
    for gas, v in sorted(r["by_gas"].items()):
        if "scope1" in v:
            s1.append([f"gas {gas} (t gas: {v['scope1']['mass_t']:.6g})", v["scope1"]["co2e_t"]])
    _sheet(workbook, t["sheet_scope1"], [t["category"], f"{t['scope1']} (tCO2e)"], s1, [48, 20])

    s2 = []
    for method in ("location", "market"):
        for category, value in totals["scope2_by_category"][method].items():
            s2.append([method, category, value])
    _sheet(workbook, t["sheet_scope2"], [t["method"], t["category"], "tCO2e"], s2, [14, 16, 20])

    s3 = []
    for number, entry in r["scope3_status"].items():
        name = CATEGORIES[number][1] if model.lang == "zh" else CATEGORIES[number][0]
        s3.append([int(number), name, entry["status"], totals["scope3_by_category"][number],
                   ", ".join(method_name(m, model.lang) for m in entry.get("methods", [])), entry.get("reason", "")])
    _sheet(workbook, t["sheet_scope3"], [t["category"], t["name"], t["status"], "tCO2e", t["methods"], t["reason"]], s3,
           [10, 30, 14, 18, 40, 60])

    sites = [[k, v.get("name"), v["scope1"], v["scope2_location"], v["scope2_market"], v["scope3"], v["energy_mwh"]]
             for k, v in r["by_site"].items()]
    _sheet(workbook, t["sheet_sites"], [t["site"], t["name"], f"{t['scope1']} (tCO2e)", f"{t['scope2_location']} (tCO2e)",
                                        f"{t['scope2_market']} (tCO2e)", f"{t['scope3']} (tCO2e)", "MWh"], sites)

    products = []
    for p in r.get("products", []):
        for b in p["batches"]:
            products.append([p["product_id"], b["batch_id"], b["site_id"], b["period"], b["units"], model.unit_name(p),
                             b["factory_tco2e"], b["parts_tco2e"], b["total_tco2e"], b["per_unit_kgco2e"]])
    _sheet(workbook, t["sheet_products"], [t["product"], t["batch"], t["site"], t["period"], t["units"], t["declared_unit"],
                                           f"{t['factory']} (tCO2e)", f"{t['parts']} (tCO2e)", "tCO2e", t["per_unit"]], products)

    _sheet(workbook, t["sheet_suppliers"], [t["supplier"], t["name"], t["pcf_status"], f"{t['spend']} (CNY)",
                                            "tCO2e", t["method"]], _supplier_rows(model))

    citation_fields = ("publisher", "document", "table", "url", "published", "retrieved", "read_in", "set")
    factors = [[f["factor_id"], f["activity"], f["region"], f["year"], f["value"], f["unit"], f["gas"], f["source"],
                f["url_or_doc"], f["confidence"], f["notes"], f["origin"], *(f.get(k, "") for k in citation_fields)]
               for f in r["factors_used"]]
    _sheet(workbook, t["sheet_factors"], ["factor_id", "activity", "region", "year", "value", "unit", "gas", "source",
                                          "url_or_doc", "confidence", "notes", "origin", *citation_fields], factors,
           [28, 28, 14, 8, 12, 16, 8, 60, 40, 16, 40, 10, 30, 50, 40, 40, 12, 12, 50, 16])

    lines = model.lines
    columns = list(lines.columns)
    header = [f"{c} (t)" if c in ("gas_t", "co2e_t") else c for c in columns]
    _sheet(workbook, t["sheet_lines"], header, lines.astype(object).where(lines.notna(), None).values.tolist())

    checks = model.check_rows()
    _sheet(workbook, t["sheet_reconciliation"],
           [t["table"], t["rows_read"], t["rows_calculated"], t["rows_used"], t["rows_excluded"], t["rows_partial"],
            t["rows_unaccounted"], "code", t["rows_n"], t["amounts"], t["reason"], "cells"],
           _reconciliation_rows(model), [18, 8, 10, 8, 10, 8, 10, 26, 8, 24, 80, 60])
    _sheet(workbook, t["sheet_checks"], [t["rule"], t["status"], t["measured"], t["threshold"], t["message"]],
           [[c["rule"], c["status"], c["measured"], c["threshold"], c["message"]] for c in checks]
           or [[t["no_checks"], "", "", "", ""]], [18, 14, 16, 16, 80])
    _sheet(workbook, t["sheet_inputs"], [t["file"], "SHA-256", "bytes"],
           [[i["path"], i["sha256"], i["size"]] for i in model.manifest.get("inputs", [])], [60, 70, 14])

    import datetime as dt

    write_bytes_atomic(path, _save(workbook, moment or dt.datetime.now(tz=dt.timezone.utc)))


def _reconciliation_rows(model: ReportModel) -> list[list[Any]]:
    """A row per table (counts), then a row per reason under it (code, rows, amounts, message, cells)."""
    reasons = model.reconciliation_reasons()
    out: list[list[Any]] = []
    titles = {row["table_id"]: row["table"] for row in model.reconciliation_rows()}
    for table, entry in model.results.get("reconciliation", {}).items():
        out.append([titles[table], entry["rows"], entry["calculated"], entry["used"], entry["excluded"], entry["partial"],
                    entry["unaccounted"], None, None, None, None, None])
        for reason in (r for r in reasons if r["table"] == titles[table]):
            out.append([titles[table], None, None, None, None, None, None, reason["code"], reason["rows"], reason["amounts"],
                        reason["message"], reason["cells"]])
    return out


def _supplier_rows(model: ReportModel) -> list[list[Any]]:
    suppliers = model.tables.get("suppliers")
    lines = model.lines
    cat12 = lines[(lines["scope"] == "3") & lines["category"].isin(["1", "2"])]
    emissions = cat12.groupby("supplier_id")["co2e_t"].sum() if len(cat12) else pd.Series(dtype="float64")
    methods = cat12.groupby("supplier_id")["method"].agg(lambda m: ", ".join(sorted(set(m)))) if len(cat12) else {}
    purchases = model.tables.get("purchases")
    spend = purchases.groupby("supplier_id")["spend"].sum() if purchases is not None and len(purchases) else {}
    rows = []
    if suppliers is None or suppliers.empty:
        return rows
    for s in suppliers.itertuples():
        rows.append([s.supplier_id, s.name, s.pcf_status, _num(spend.get(s.supplier_id)) if len(spend) else None,
                     _num(emissions.get(s.supplier_id)), methods.get(s.supplier_id) if len(methods) else None])
    rows.sort(key=lambda row: -(row[4] or 0))
    return rows
