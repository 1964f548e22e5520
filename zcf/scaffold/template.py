"""Blank input workbooks built from the schema (``zcf template``, ``zcf init``).

One sheet per table with a frozen, styled header row (required columns marked),
the column's description and an example in each header's cell comment, Excel
drop-down lists for enumerations, booleans and common units, and text format on
period and id columns so Excel does not turn ``2025-03`` into a date. The lists
live on a hidden ``_lists`` sheet (inline lists are capped at 255 characters).
A filled template ingests without mapping problems: tests check the round trip.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from zcf.schema import ColumnSpec, Schema, TableSpec, load_schema

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

TEMPLATE_ROWS = 500  # rows given drop-downs and text format
_REQUIRED_FILL = "FCE4D6"
_OPTIONAL_FILL = "DDEBF7"
_UNITS_BY_KIND = {
    "energy": ["kWh", "万千瓦时", "MWh", "GJ"],
    "volume": ["m3", "万m3", "L"],
    "mass": ["t", "kg"],
    "count": ["辆", "台", "件", "piece"],
    "length": ["km"],
    "freight": ["tkm"],
}
_INSTRUCTIONS = {
    "en": [
        "How to fill in this workbook",
        "• One sheet per table. Keep the header row; add your rows below it.",
        "• Orange headers are required, blue ones optional. Hover over a header for its meaning and an example.",
        "• Type numbers without units: the unit goes in the unit column (kWh, 万千瓦时, GJ, m3, t …).",
        "• Periods are YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2025-03.",
        "• Delete sheets you do not need, or leave them empty.",
        "• Then run:  zcf ingest <this file> -o out   (or zcf run …)",
    ],
    "zh": [
        "填写说明",
        "• 每张工作表对应一个数据表。保留表头行，在其下方逐行填写。",
        "• 橙色表头为必填，蓝色为选填。将鼠标悬停在表头上可查看说明和示例。",
        "• 数量只填数字，单位填在单位列（kWh、万千瓦时、GJ、m3、t等）。",
        "• 期间格式为 YYYY、YYYY-MM 或 YYYY-MM-DD，如 2025-03。",
        "• 不需要的工作表可删除或留空。",
        "• 然后运行：zcf ingest <本文件> -o out（或 zcf run …）",
    ],
}


def _sheet_title(spec: TableSpec, lang: str) -> str:
    if lang == "both":
        return f"{spec.zh} {spec.name}"[:31]
    return (spec.zh if lang == "zh" else spec.name)[:31]


def column_choices(column: ColumnSpec, schema: Schema, lang: str) -> tuple[list[str], bool] | None:
    """Drop-down values for a column and whether other values are errors."""
    chinese = lang in ("zh", "both")
    if column.type == "enum":
        spec = schema.enums[column.enum]  # type: ignore[index]
        return [v.zh if chinese else v.value for v in spec.values], not spec.extensible
    if column.type == "province":
        return [p.zh if chinese else p.en for p in schema.provinces], True
    if column.type == "grid_region":
        return [v.zh if chinese else v.value for v in schema.grid_regions.values], True
    if column.type == "boolean":
        return (["是", "否"] if chinese else ["yes", "no"]), True
    if column.type == "currency":
        return (["人民币", "万元", "USD", "EUR"] if chinese else ["CNY", "USD", "EUR", "万元"]), False
    if column.type == "unit":
        units: list[str] = []
        for kind in column.unit_kinds:
            units += _UNITS_BY_KIND.get(kind, [])
        return units, False  # other units are allowed
    return None


def column_comment(column: ColumnSpec, lang: str) -> str:
    required = {"en": "required", "zh": "必填"}
    optional = {"en": "optional", "zh": "选填"}
    langs = ["zh", "en"] if lang == "both" else [lang]
    lines = []
    for code in langs:
        mark = required[code] if column.required else optional[code]
        lines.append(f"{column.description(code)} ({mark})")
    if column.example:
        lines.append(f"e.g. / 例：{column.example}")
    lines.append(f"[{column.name}]")
    return "\n".join(lines)


def write_template(path: Path, tables: list[str] | None = None, lang: str = "zh") -> list[str]:
    """Write a blank input workbook with the given tables (all when None); returns their names."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    schema = load_schema()
    names = tables or [name for name, spec in schema.tables.items() if spec.in_template]
    workbook = Workbook()
    readme = workbook.active
    readme.title = "说明 README"
    for line in _INSTRUCTIONS["zh" if lang == "zh" else "en"] + ([""] + _INSTRUCTIONS["en"] if lang == "both" else []):
        readme.append([line])
    readme["A1"].font = Font(bold=True, size=13)
    readme.column_dimensions["A"].width = 110

    lists = workbook.create_sheet("_lists")
    lists.sheet_state = "hidden"
    list_column = 0

    def list_range(values: list[str]) -> str:
        nonlocal list_column
        list_column += 1
        letter = get_column_letter(list_column)
        for i, value in enumerate(values, start=1):
            lists.cell(row=i, column=list_column, value=value).data_type = "s"
        return f"_lists!${letter}$1:${letter}${len(values)}"

    header_font = Font(bold=True)
    for name in names:
        spec = schema.table(name)
        sheet = workbook.create_sheet(_sheet_title(spec, lang))
        if spec.layout == "key_value":
            _write_key_value(sheet, spec, schema, lang, list_range)
            continue
        for index, column in enumerate(spec.columns, start=1):
            cell = sheet.cell(row=1, column=index, value=column.header(lang))
            cell.font = header_font
            cell.fill = PatternFill("solid", fgColor=_REQUIRED_FILL if column.required else _OPTIONAL_FILL)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            cell.comment = Comment(column_comment(column, lang), "zcf", width=320, height=140)
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = max(12, min(28, len(column.header(lang)) * 2 + 4))
            span = f"{letter}2:{letter}{TEMPLATE_ROWS + 1}"
            choices = column_choices(column, schema, lang)
            if choices:
                values, strict = choices
                validation = DataValidation(
                    type="list", formula1=list_range(values), allow_blank=True, showErrorMessage=strict
                )
                validation.error = "请从下拉列表中选择 / choose a value from the list"
                sheet.add_data_validation(validation)
                validation.add(span)
            if column.type in ("period", "id", "unit", "text", "enum", "province", "grid_region", "factor_unit",
                               "activity", "currency", "region", "pcf_unit"):
                for row in range(2, TEMPLATE_ROWS + 2):
                    sheet.cell(row=row, column=index).number_format = "@"
        sheet.freeze_panes = "A2"
        if lang == "both":
            sheet.row_dimensions[1].height = 32
    lists_index = workbook.sheetnames.index("_lists")
    workbook.move_sheet("_lists", offset=len(workbook.sheetnames) - 1 - lists_index)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_workbook(workbook, path)
    return names


def _write_key_value(sheet: Worksheet, spec: TableSpec, schema: Schema, lang: str, list_range) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    headers = {
        "zh": ("字段", "值", "说明"),
        "en": ("field", "value", "description"),
        "both": ("字段\nfield", "值\nvalue", "说明\ndescription"),
    }
    sheet.append(list(headers[lang]))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row, column in enumerate(spec.columns, start=2):
        label = sheet.cell(row=row, column=1, value=column.header(lang))
        label.fill = PatternFill("solid", fgColor=_REQUIRED_FILL if column.required else _OPTIONAL_FILL)
        label.comment = Comment(column_comment(column, lang), "zcf", width=320, height=120)
        sheet.cell(row=row, column=2).number_format = "@"
        description = column.description("zh" if lang == "zh" else "en")
        sheet.cell(row=row, column=3, value=description)
        choices = column_choices(column, schema, lang)
        if choices:
            values, strict = choices
            validation = DataValidation(type="list", formula1=list_range(values), allow_blank=True, showErrorMessage=strict)
            sheet.add_data_validation(validation)
            validation.add(f"B{row}")
    sheet.column_dimensions["A"].width = 26
    sheet.column_dimensions["B"].width = 30
    sheet.column_dimensions["C"].width = 60


def save_workbook(workbook, path: Path) -> None:
    import io

    from zcf.io import write_bytes_atomic

    buffer = io.BytesIO()
    workbook.save(buffer)
    write_bytes_atomic(path, buffer.getvalue())
