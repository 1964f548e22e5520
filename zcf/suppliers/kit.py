"""``zcf supplier kit``: one small workbook per supplier asking for what a small supplier can give.

Each workbook holds, in plain Chinese (and English):

* 说明 README — what is asked and why, how to fill it in, what happens with the answers;
* 采购概况 Purchases — what the buyer bought from the supplier in the year (item, what, quantity, unit);
* 供应商碳足迹 supplier_pcfs — per item, the product carbon footprint per declared unit with its unit,
  boundary, standard and reference period (item ids filled in; the rest drop-downs);
* 供应商能耗 supplier_energy and 供应商产量 supplier_output — else the supplier's own annual energy use
  and output, from which zcf estimates a footprint (marked as estimated).

The layout is protected (only answer cells can be edited), with drop-downs for units, standards and
yes/no, so the answers come back in a shape ``zcf supplier collect`` reads cell by cell.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from zcf.schema import load_schema

ANSWER_ROWS_EXTRA = 5  # blank answer rows under the pre-filled items (items the buyer did not list)
ENERGY_ROWS = 8
FOOTPRINT_COLUMNS = ("item_id", "product_name", "pcf_kgco2e", "declared_unit_amount", "declared_unit",
                     "product_mass_kg", "reference_period_start", "reference_period_end", "boundary", "standards",
                     "verified", "primary_data_share")
ANSWERS = FOOTPRINT_COLUMNS[2:]  # what the supplier fills in (item_id and product_name come filled in)
ENERGY_COLUMNS = ("supplier_id", "year", "province", "energy_type", "quantity", "unit")
OUTPUT_COLUMNS = ("supplier_id", "year", "item_id", "quantity", "unit")
CHOICES = {
    "declared_unit": ["kg", "t", "piece", "kWh", "L", "m3"],
    "boundary": ["cradle-to-gate", "gate-to-gate", "cradle-to-grave"],
    "standards": ["ISO14067", "GHGP-Product", "PACT-3.0", "GB/T 24067"],
    "verified": ["是", "否"],
}
_INSTRUCTIONS = {
    "zh": [
        "致 {name}（供应商编号 {supplier_id}）",
        "",
        "{buyer} 正在编制 {year} 年温室气体排放清单，需要了解所采购产品的碳足迹。请在 {deadline}填写本表后发回。",
        "",
        "方式一（优先）：您已有产品碳足迹（PCF，如 ISO 14067 报告、EPD 或 PACT 文件）",
        "  在“供应商碳足迹”表中，为每个物料填写：碳足迹数值（千克二氧化碳当量）、对应的声明单位及数量（如每 1 千克、每 1 件）、",
        "  系统边界（通常为从摇篮到大门）、核算标准、参考期（数据所属期间）、是否经第三方核查。按件计时请同时填写单件质量。",
        "",
        "方式二：您还没有产品碳足迹",
        "  在“供应商能耗”表中填写您工厂一年的用电量和燃料用量（如 120 万千瓦时电、8 万立方米天然气），",
        "  在“供应商产量”表中填写同年产量（最好使用与采购单位相同的单位，如吨或件）。",
        "  我们将据此估算每单位产品的碳排放，并在报告中标明为“估算”。",
        "",
        "说明：灰色单元格已由采购方填写，请勿修改；只在白色单元格中填写数字，单位从下拉列表中选择。",
        "“采购概况”表列出了我们 {year} 年向您采购的物料和数量，供参考。",
        "如有疑问，请联系采购方。谢谢！",
    ],
    "en": [
        "To {name} (supplier code {supplier_id})",
        "",
        "{buyer} is preparing its {year} greenhouse-gas inventory and needs the carbon footprints of what it buys "
        "from you. Please fill in this workbook and return it {deadline_en}.",
        "",
        "Option 1 (preferred): you have product carbon footprints (an ISO 14067 report, an EPD or a PACT file)",
        "  In 'supplier_pcfs', for each item give the footprint in kgCO2e, the declared unit and amount it is for "
        "(per 1 kg, per 1 piece), the boundary (usually cradle-to-gate), the standard, the reference period and "
        "whether it was third-party verified. Per piece, also give the mass of one piece.",
        "",
        "Option 2: you have no product footprint yet",
        "  In 'supplier_energy', give your plant's electricity and fuel use for one year; in 'supplier_output', "
        "its output in the same year (in the unit we buy in where you can). We estimate a footprint per unit from "
        "them and mark it as estimated.",
        "",
        "Grey cells were filled in by the buyer: please leave them. Type numbers only in white cells; pick units "
        "from the drop-down lists. 'Purchases' lists what we bought from you in {year}.",
    ],
}


@dataclass
class KitSupplier:
    supplier_id: str
    name: str
    province: str | None
    items: list[dict[str, Any]] = field(default_factory=list)  # item_id, what, quantity, unit, spend


def kit_suppliers(purchases: pd.DataFrame, suppliers: pd.DataFrame, chosen: list[str] | None) -> list[KitSupplier]:
    """The suppliers to ask (``chosen``, else all in the purchases) with the items bought from each."""
    names = suppliers.set_index("supplier_id") if not suppliers.empty else pd.DataFrame()
    out = []
    for supplier_id, rows in purchases.groupby("supplier_id", sort=True):
        if chosen is not None and supplier_id not in chosen:
            continue
        info = names.loc[supplier_id] if supplier_id in names.index else {}
        name = info.get("name") if hasattr(info, "get") else None
        province = info.get("province") if hasattr(info, "get") else None
        supplier = KitSupplier(str(supplier_id), name if isinstance(name, str) else str(supplier_id),
                               province if isinstance(province, str) else None)
        for item_id, item_rows in rows.groupby("item_id", sort=True):
            what = item_rows["material"].dropna().astype(str).head(1).tolist() or \
                item_rows["sector"].dropna().astype(str).head(1).tolist() or [""]
            units = item_rows["unit"].dropna().astype(str).unique().tolist()
            quantity = math.fsum(item_rows["quantity"].dropna().tolist()) if len(units) == 1 else \
                math.fsum(item_rows["quantity_std"].dropna().tolist())
            unit = units[0] if len(units) == 1 else (item_rows["unit_std"].dropna().astype(str).head(1).tolist() or [""])[0]
            spend = item_rows["spend"].dropna()
            supplier.items.append({"item_id": str(item_id), "what": what[0], "quantity": quantity if units else None,
                                   "unit": unit or None, "spend": math.fsum(spend.tolist()) if len(spend) else None})
        out.append(supplier)
    return out


def write_kit(path: Path, supplier: KitSupplier, buyer: str, year: int, lang: str) -> None:
    """One supplier's workbook (see the module docstring)."""
    from openpyxl import Workbook

    from zcf.scaffold.template import save_workbook

    workbook = Workbook()
    readme = workbook.active
    readme.title = "说明 README"
    _readme(readme, supplier, buyer, year, lang)
    _purchases(workbook.create_sheet("采购概况 Purchases"), supplier, lang)
    lists = workbook.create_sheet("_lists")
    lists.sheet_state = "hidden"
    _footprints(workbook.create_sheet("供应商碳足迹 supplier_pcfs"), supplier, lists, lang)
    _energy(workbook.create_sheet("供应商能耗 supplier_energy"), supplier, year, lists, lang)
    _output(workbook.create_sheet("供应商产量 supplier_output"), supplier, year, lists, lang)
    workbook.active = 0
    save_workbook(workbook, path)


# --- sheets -----------------------------------------------------------------------------------


_GREY = "EDEDED"


def _readme(sheet, supplier: KitSupplier, buyer: str, year: int, lang: str) -> None:
    from openpyxl.styles import Font

    values = {"name": supplier.name, "supplier_id": supplier.supplier_id, "buyer": buyer, "year": year,
              "deadline": "一个月内", "deadline_en": "within a month"}
    langs = ["zh", "en"] if lang in ("zh", "both") else ["en"]
    for code in langs:
        for line in _INSTRUCTIONS[code]:
            sheet.append([line.format(**values)])
        sheet.append([""])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.column_dimensions["A"].width = 130
    sheet.protection.sheet = True


def _header(sheet, table: str, columns: tuple[str, ...], lang: str) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill

    from zcf.scaffold.template import column_comment

    spec = load_schema().table(table)
    both = "both" if lang in ("zh", "both") else "en"
    for index, name in enumerate(columns, start=1):
        column = spec.column(name)
        cell = sheet.cell(row=1, column=index, value=column.header(both))
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=_GREY)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cell.comment = Comment(column_comment(column, both), "zcf", width=320, height=140)
        sheet.column_dimensions[cell.column_letter].width = 18
    sheet.row_dimensions[1].height = 34
    sheet.freeze_panes = "A2"


def _fill(sheet, row: int, column: int, value: Any, locked: bool) -> None:
    from openpyxl.styles import PatternFill, Protection

    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula
    if locked:
        cell.fill = PatternFill("solid", fgColor=_GREY)
    else:
        cell.protection = Protection(locked=False)


def _dropdown(sheet, lists, column_letter: str, first: int, last: int, values: list[str]) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    index = lists.max_column + 1 if lists.max_row > 1 or lists["A1"].value is not None else 1
    for row, value in enumerate(values, start=1):
        lists.cell(row=row, column=index, value=value)
    letter = lists.cell(row=1, column=index).column_letter
    validation = DataValidation(type="list", formula1=f"_lists!${letter}$1:${letter}${len(values)}", allow_blank=True)
    sheet.add_data_validation(validation)
    validation.add(f"{column_letter}{first}:{column_letter}{last}")


def _purchases(sheet, supplier: KitSupplier, lang: str) -> None:
    from openpyxl.styles import Font

    zh = lang in ("zh", "both")
    sheet.append(["物料编号\nitem_id", "物料\nwhat", "采购量\nquantity", "单位\nunit", "金额(元)\nspend"] if zh
                 else ["item_id", "what", "quantity", "unit", "spend"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for item in supplier.items:
        sheet.append([item["item_id"], item["what"], item["quantity"], item["unit"], item["spend"]])
    for letter, width in zip("ABCDE", (16, 24, 14, 10, 16)):
        sheet.column_dimensions[letter].width = width
    sheet.protection.sheet = True


def _footprints(sheet, supplier: KitSupplier, lists, lang: str) -> None:
    _header(sheet, "supplier_pcfs", FOOTPRINT_COLUMNS, lang)
    rows = len(supplier.items) + ANSWER_ROWS_EXTRA
    for r in range(rows):
        item = supplier.items[r] if r < len(supplier.items) else None
        for c, name in enumerate(FOOTPRINT_COLUMNS, start=1):
            if name == "item_id":
                _fill(sheet, r + 2, c, item["item_id"] if item else None, locked=item is not None)
            elif name == "product_name":
                _fill(sheet, r + 2, c, item["what"] if item else None, locked=False)
            else:
                _fill(sheet, r + 2, c, None, locked=False)
    for name, values in CHOICES.items():
        letter = sheet.cell(row=1, column=FOOTPRINT_COLUMNS.index(name) + 1).column_letter
        _dropdown(sheet, lists, letter, 2, rows + 1, values)
    sheet.protection.sheet = True


def _energy(sheet, supplier: KitSupplier, year: int, lists, lang: str) -> None:
    schema = load_schema()
    _header(sheet, "supplier_energy", ENERGY_COLUMNS, lang)
    province = schema.province(supplier.province).zh if supplier.province else None
    for r in range(ENERGY_ROWS):
        for c, name in enumerate(ENERGY_COLUMNS, start=1):
            prefilled = {"supplier_id": supplier.supplier_id, "year": year, "province": province}.get(name)
            _fill(sheet, r + 2, c, prefilled, locked=name in ("supplier_id", "year"))
    energy_types = [v.zh for v in schema.enums["energy_type"].values if v.value not in ("onsite_solar", "onsite_wind")]
    _dropdown(sheet, lists, "D", 2, ENERGY_ROWS + 1, energy_types)
    _dropdown(sheet, lists, "F", 2, ENERGY_ROWS + 1, ["kWh", "万千瓦时", "m3", "万m3", "t", "L", "GJ"])
    _dropdown(sheet, lists, "C", 2, ENERGY_ROWS + 1, [p.zh for p in schema.provinces])
    sheet.protection.sheet = True


def _output(sheet, supplier: KitSupplier, year: int, lists, lang: str) -> None:
    _header(sheet, "supplier_output", OUTPUT_COLUMNS, lang)
    for r in range(3):
        for c, name in enumerate(OUTPUT_COLUMNS, start=1):
            prefilled = {"supplier_id": supplier.supplier_id, "year": year}.get(name)
            _fill(sheet, r + 2, c, prefilled, locked=name in ("supplier_id", "year"))
    _dropdown(sheet, lists, "E", 2, 4, ["t", "kg", "piece", "m3", "kWh"])
    sheet.protection.sheet = True
