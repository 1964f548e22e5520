"""The Excel disclosure pack (xlsxwriter, constant memory; the lines spliced in by column).

Numbers are written as numbers with a number format (``zcf.report.numbers.FORMATS``)
and units in the headers; codes are written as words of the report's language, the same
as the PDF's. Every sheet has a frozen header row and an auto-filter. Text that comes
from input files is always written as a text cell, so ``=HYPERLINK(...)`` or ``@SUM(...)``
in a supplier name can never become a formula (formula injection), nor a URL or a number;
control characters are written the way Excel writes them (``_x001B_``). The sheet "待办 /
To do" is the preparer's to-do list — not part of the disclosure.

The lines go to "明细 / Lines" through :mod:`zcf.report.xlsx_rows` (a million lines in
seconds); more than a sheet's 1,048,575 rows continue on "明细 2 / Lines 2" …, and more
than ``MAX_LINES`` are left to lines.parquet and lines.csv with a note in their place.
With SOURCE_DATE_EPOCH the workbook's bytes are reproducible: its document date is the
moment given and every zip entry carries xlsxwriter's fixed date.
"""

from __future__ import annotations

import math
import numbers
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from zcf.report import checks_view, sections
from zcf.report.lines_sheet import MAX_SHEETS, ROWS_PER_SHEET, lines_sheet
from zcf.report.model import ReportModel
from zcf.report.numbers import FORMATS, fmt_number, number_format

OPTIONS = {
    "constant_memory": True,  # rows go to disk as they are written
    "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,  # text stays text
    "nan_inf_to_errors": True,
}


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


class Book:
    """An xlsxwriter workbook with one format object per (number format, bold) and the sheets filled later."""

    def __init__(self, target, moment) -> None:
        import xlsxwriter

        self.workbook = xlsxwriter.Workbook(target, OPTIONS)
        self.workbook.set_properties({"created": moment.replace(tzinfo=None)})
        self._formats: dict[tuple[str | None, bool], Any] = {}
        self.plain = self.workbook.add_format({})
        self.bulks: list = []  # zcf.report.xlsx_rows.BulkSheet
        self.advance: Callable[..., None] = lambda amount=1: None  # told of each sheet written

    def style(self, num_format: str | None = None, bold: bool = False):
        key = (None if num_format == "General" else num_format, bold)
        if key not in self._formats:
            properties = {k: v for k, v in (("num_format", key[0]), ("bold", bold or None)) if v is not None}
            self._formats[key] = self.workbook.add_format(properties) if properties else None
        return self._formats[key]

    def sheet(self, title: str, headers: list[str], n_rows: int, widths: list[int] | None = None,
              column_styles: list | None = None):
        """A sheet with a bold, frozen, filtered header row over ``n_rows`` rows."""
        sheet = self.workbook.add_worksheet(title[:31])
        sheet.freeze_panes(1, 0)
        for index, header in enumerate(headers):
            width = widths[index] if widths and index < len(widths) else max(10, min(40, len(header) * 2 + 2))
            style = column_styles[index] if column_styles else None
            sheet.set_column(index, index, width, style)
        if headers:
            sheet.autofilter(0, 0, max(0, n_rows), len(headers) - 1)
        for index, header in enumerate(headers):
            self.cell(sheet, 0, index, header, bold=True)
        return sheet

    def cell(self, sheet, row: int, column: int, value: Any, fmt: str | None = None, bold: bool = False) -> None:
        """Numbers stay numbers (formatted as ``fmt``); every other value is a text cell."""
        if isinstance(value, tuple):  # (value, format) for a cell whose format differs from its column's
            value, fmt = value
        if _missing(value):
            return
        if isinstance(value, bool):
            sheet.write_boolean(row, column, value)
        elif isinstance(value, numbers.Real):
            sheet.write_number(row, column, value,
                               self.style(FORMATS.get(fmt, fmt) if fmt else number_format("number", value)))
        else:
            text = str(value)
            if text.startswith("<r>") and text.endswith("</r>"):  # xlsxwriter would take it for rich-text XML
                run = self.style(bold=True) if bold else self.plain  # two runs, each with a format, or it is ignored
                sheet.write_rich_string(row, column, run, text[:1], run, text[1:])
            else:
                sheet.write_string(row, column, text, self.style(bold=bold))

    def bulk_sheet(self, title: str, headers: list[str], frame: pd.DataFrame, formats: list[str | None],
                   widths: list[int] | None = None) -> None:
        """A sheet whose rows (``frame``, one column a header) are spliced in when the workbook is saved."""
        from zcf.report.xlsx_rows import BulkSheet

        styles = [self.style(FORMATS.get(f, f)) if f else None for f in formats]
        self.sheet(title, headers, len(frame), widths, styles)
        entry = f"xl/worksheets/sheet{len(self.workbook.worksheets())}.xml"
        self.bulks.append(BulkSheet(entry, frame, [lambda s=s: s.xf_index if s is not None else None for s in styles]))
        self.advance(1)


def write_sheet(book: Book, title: str, headers: list[str], rows: list[list[Any]], widths: list[int] | None = None,
                formats: list[str | None] | None = None):
    """A sheet with a bold, frozen, filtered header row; ``formats`` name each column's number format."""
    sheet = book.sheet(title, headers, len(rows), widths)
    formats = formats or []
    cell = book.cell
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            cell(sheet, r, c, value, formats[c] if c < len(formats) else None)
    book.advance(1)
    return sheet


def summary_rows(model: ReportModel) -> list[list[Any]]:
    t, r = model.text, model.results
    rows = [[f["figure"], (f["value"], f["format"]), f["unit"]] for f in model.key_figures()]
    return rows + [
        *[[f"{t['weak_share']} ({t[key]})", (((r.get("factor_quality") or {}).get(key) or {}).get("weak_share"), "share"), ""]
          for key, _ in sections.QUALITY_TOTALS],
        [t["factor_library"], r.get("factor_library_version"), ""],
        [t["reporting_year"], (r["reporting_year"], "0"), ""],
        [t["gwp_basis"], r["gwp_basis"], ""],
        [t["boundary"], model.boundary, ""],
        [t["company"], model.company_name, ""],
    ]


def scope1_rows(model: ReportModel) -> list[list[Any]]:
    r, w = model.results, model.words
    rows = [[w.of("category", c), v] for c, v in r["totals"]["scope1_by_category"].items()]
    for gas, v in sorted(r["by_gas"].items()):
        if "scope1" in v:
            rows.append([w["gas_mass"].format(gas=gas, mass=f"{v['scope1']['mass_t']:.6g}"), v["scope1"]["co2e_t"]])
    return rows


def scope2_rows(model: ReportModel) -> list[list[Any]]:
    w = model.words
    return [[w.of("scope2_method", method), w.of("category", category), value]
            for method in ("location", "market")
            for category, value in model.results["totals"]["scope2_by_category"][method].items()]


def check_rows(model: ReportModel) -> list[list[Any]]:
    rows = []
    for pack in checks_view.check_sections(model):
        for c in pack["rows"]:
            fmt = "share" if c["share"] else None
            measured = c["measured"] if not isinstance(c["measured"], bool) else c["measured_text"]
            rows.append([c["rule"], c["title"], pack["title"], c["severity"], c["evidence"], c["source"], c["requirement"],
                         c["op"], (c["threshold"], fmt), (measured, fmt), c["unit"], c["status"], c["message"]])
    return rows


def write_excel(model: ReportModel, path: Path, moment=None, progress=None, row_limit: int = ROWS_PER_SHEET,
                max_lines: int | None = None) -> None:
    """Write report.xlsx atomically; ``moment`` (a datetime) dates the document.

    ``row_limit`` lines go on a sheet (Excel's limit less the header) and at most ``max_lines`` into the
    workbook (default ``MAX_SHEETS`` sheets of lines); ``progress`` (zcf.progress) shows sheets and lines.
    """
    import datetime as dt
    import tempfile

    from zcf.io import atomic_path
    from zcf.progress import NO_PROGRESS
    from zcf.report.xlsx_rows import splice

    progress = progress or NO_PROGRESS
    t, r = model.text, model.results
    raw = tempfile.TemporaryFile()
    workbook = Book(raw, moment or dt.datetime.now(tz=dt.timezone.utc))
    with progress.task("Writing report.xlsx: sheets", "正在写入 report.xlsx：工作表") as advance:
        workbook.advance = advance
        _write_sheets(model, workbook, progress, row_limit, max_lines or MAX_SHEETS * row_limit)
        workbook.workbook.close()
    lines = sum(len(b.frame) for b in workbook.bulks)
    raw.seek(0)
    with raw, atomic_path(path) as tmp, tmp.open("wb") as target, \
            progress.task("Writing report.xlsx: lines", "正在写入 report.xlsx：明细", total=lines) as advance:
        splice(raw, target, workbook.bulks, advance)


def _write_sheets(model: ReportModel, workbook: Book, progress, row_limit: int, max_lines: int) -> None:
    t, r = model.text, model.results
    write_sheet(workbook, t["sheet_summary"], [t["figure"], t["value"], t["unit"]], summary_rows(model), [52, 20, 18])
    write_sheet(workbook, t["sheet_scope1"], [t["category"], f"{t['scope1']} (tCO2e)"], scope1_rows(model), [48, 20],
                [None, "tco2e"])
    write_sheet(workbook, t["sheet_scope2"], [t["method"], t["category"], "tCO2e"], scope2_rows(model), [18, 24, 20],
                [None, None, "tco2e"])
    write_sheet(workbook, t["sheet_scope3"], [t["category"], t["name"], t["status"], "tCO2e", t["methods"], t["reason"]],
                [[row["number"], row["name"], row["status"], row["tco2e"], row["methods"], row["reason"]]
                 for row in model.scope3_rows()], [10, 30, 14, 18, 40, 60], ["count", None, None, "tco2e"])
    write_sheet(workbook, t["sheet_sites"], [t["site"], t["name"], f"{t['scope1']} (tCO2e)", f"{t['scope2_location']} (tCO2e)",
                                             f"{t['scope2_market']} (tCO2e)", f"{t['scope3']} (tCO2e)", f"{t['energy_total']} (MWh)"],
                [[s["site_id"], s["name"], s["scope1"], s["scope2_location"], s["scope2_market"], s["scope3"], s["energy_mwh"]]
                 for s in model.site_rows()], [10, 24, 16, 18, 18, 16, 16], [None, None] + ["tco2e"] * 4 + ["energy"])
    write_sheet(workbook, t["sheet_products"],
                [t["product"], t["batch"], t["site"], t["period"], t["units"], t["declared_unit"], f"{t['factory']} (tCO2e)",
                 f"{t['parts']} (tCO2e)", "tCO2e", t["per_unit"]],
                [[b["product"], b["batch"], b["site"], b["period"], b["units"], b["unit"], b["factory_tco2e"], b["parts_tco2e"],
                  b["tco2e"], b["per_unit"]] for b in sections.batch_rows(model)],
                None, [None, None, None, None, "count", None, "tco2e", "tco2e", "tco2e", "number"])
    write_sheet(workbook, t["sheet_pcf"], pcf_headers(model), pcf_rows(model),
                [14, 10, 22, 12, 16, 14, 40, 14, 14, 50, 12, 12, 40, 60, 60],
                [None, None, None, "count", "number", "number", None, "number", "number", None, "share", "number"])
    write_sheet(workbook, t["sheet_suppliers"],
                [t["supplier"], t["name"], t["pcf_status"], t["cat1_tco2e"], t["share"], t["cumulative_share"],
                 t["cat2_tco2e"], f"{t['spend']} ({model.words.unit('CNY')})", t["methods"], t["dq_score"],
                 t["primary_data_share_label"], t["ask_first_rank"]],
                [[x["supplier"], x["name"], x["status"], x["cat1"], x["share"], x["cumulative"], x["cat2"], x["spend"],
                  x["methods"], x["score"], x["primary"], x["ask_first"]] for x in sections.supplier_rows(model)],
                [12, 28, 14, 16, 10, 14, 16, 18, 40, 12, 14, 12],
                [None, None, None, "tco2e", "share", "share", "tco2e", "money", None, "number", "share", "count"])
    write_sheet(workbook, t["sheet_factors"],
                [t["factor_id"], t["activity"], t["region"], t["year"], t["value"], t["unit"], t["gas"], t["source"],
                 t["url"], t["confidence"], t["notes_column"], t["origin"], t["factor_note"], t["publisher"], t["document"],
                 t["source_table_of_factor"], t["published"], t["retrieved"], t["read_in"], t["factor_set"]],
                [[f["factor_id"], f["activity"], f["region"], (f["year"], "0"), f["value"], f["unit"], f["gas"], f["source"],
                  f["url"], f["confidence"], f["notes"], f["origin"], f["note"], *(f[k] for k in sections.CITATION_FIELDS)]
                 for f in sections.factor_rows(model)],
                [28, 28, 14, 8, 12, 16, 8, 60, 40, 16, 40, 12, 24, 30, 50, 30, 12, 12, 50, 16], [None] * 4 + ["exact"])
    lines_sheet(model, workbook, write_sheet, row_limit, max_lines)
    write_sheet(workbook, t["sheet_reconciliation"],
                [t["table"], t["rows_read"], t["rows_calculated"], t["rows_used"], t["rows_excluded"], t["rows_partial"],
                 t["rows_unaccounted"], t["status"], t["rows_n"], t["amounts"], t["reason"], t["todo_where"]],
                reconciliation_rows(model), [18, 8, 10, 8, 10, 8, 10, 14, 8, 24, 60, 60], [None] + ["count"] * 6 + [None, "count"])
    write_sheet(workbook, t["sheet_checks"],
                [t["rule"], t["title"], t["pack"], t["severity"], t["evidence"], t["source"], t["requirement"], t["operator"],
                 t["threshold"], t["measured"], t["unit"], t["status"], t["message"]],
                check_rows(model) or [[t["no_checks"]] + [None] * 12], [10, 40, 24, 10, 14, 50, 20, 8, 12, 14, 12, 12, 70])
    todo = checks_view.todo_rows(model)
    write_sheet(workbook, t["sheet_todo"], [t["severity"], t["todo_kind"], t["todo_ref"], t["todo_where"], t["todo_action"]],
                [[i["severity"], i["kind"], i["ref"], i["where"], i["action"]] for i in todo] or [[t["no_todo"], None, None, None, None]],
                [10, 16, 16, 40, 110])
    write_sheet(workbook, t["sheet_inputs"], [t["file"], "SHA-256", t["bytes"]],
                [[i["file"], i["sha256"], i["size"]] for i in sections.input_rows(model)], [60, 70, 14], [None, None, "count"])


def reconciliation_rows(model: ReportModel) -> list[list[Any]]:
    """A row per table (counts), then a row per reason under it (what it means, rows, amounts, cells)."""
    reasons = sections.reconciliation_reasons(model)
    out: list[list[Any]] = []
    for row in sections.reconciliation_rows(model):
        out.append([row["table"], row["rows"], row["calculated"], row["used"], row["excluded"], row["partial"],
                    row["unaccounted"], None, None, None, None, None])
        for reason in (x for x in reasons if x["table_id"] == row["table_id"]):
            out.append([row["table"], None, None, None, None, None, None, reason["kind"], reason["rows"], reason["amounts"],
                        reason["finding"], ", ".join(reason["cells"][:10])])
    return out


def pcf_headers(model: ReportModel) -> list[str]:
    t = model.text
    return [t["product"], t["declared_unit"], t["reference_period"], t["units_produced"], t["pcf_per_unit"],
            f"{t['parts']} (kgCO2e)", t["factory"], f"{t['factory']} (kgCO2e)", f"{t['pcf_transport']} (kgCO2e)",
            t["pcf_largest_suppliers"], t["primary_data_share_label"], t["dqr_label"], t["pcf_boundary"],
            t["pcf_method_label"], t["pcf_missing"]]


def pcf_rows(model: ReportModel) -> list[list[Any]]:
    """The PCF statements as one row per product (the PDF section's figures and words)."""
    rows = []
    for s in sections.pcf_statements(model):
        parts, factory = s["components"][0], s["components"][1]
        transport = s["components"][2]["kg"] if len(s["components"]) > 2 else 0.0
        suppliers = model.words["list_separator"].join(f"{x['name']} {fmt_number(x['kg'])}" for x in s["suppliers"])
        rows.append([s["product"], s["unit"], s["period"], s["units"], s["per_unit"], parts["kg"], factory["name"],
                     factory["kg"], transport, suppliers, s["primary_data_share"], s["dqr"], s["boundary"], s["method"],
                     "; ".join(s["missing"]) or model.text["pcf_nothing_missing"]])
    return rows


def _number(value) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)
