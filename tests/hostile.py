"""Crafted hostile inputs for zcf, generated from scratch — no binary blobs of unknown origin.

Used by ``tests/test_hostile_inputs.py`` (each case, with the exit code and problems zcf must
give) and ``tests/test_fuzz.py`` (the workbook writer and the byte-level mutations). Run it
to write the corpus to a folder, one sub-folder per case, for trying by hand:

    python tests/hostile.py /tmp/zcf-hostile
    zcf ingest /tmp/zcf-hostile/formulas_without_values -o /tmp/out

Workbooks are written here by a small .xlsx writer rather than openpyxl, to control every
byte of the XML: formulas without a saved result (what openpyxl and pandas write), Excel
error values, numbers in date-formatted cells, raw numeric texts such as ``1e400``, control
characters escaped as Excel does (``_x0001_``), duplicate zip members, broken deflate streams.
"""

from __future__ import annotations

import io
import os
import re
import sys
import warnings
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from zcf.ingest.safety import column_letter

# --- cells beyond plain values ------------------------------------------------------------


@dataclass(frozen=True)
class Formula:
    """A formula; ``cached`` is the saved result (None: no result, as openpyxl/pandas write)."""

    text: str
    cached: str | None = None
    shared: bool = False  # <f t="shared" si="0"/> without text, as in a filled-down column


@dataclass(frozen=True)
class ErrorValue:
    text: str = "#DIV/0!"
    formula: str | None = "1/0"


@dataclass(frozen=True)
class DateSerial:
    """A number in a date-formatted cell (Excel stores dates as days since 1899-12-30)."""

    value: str  # as written in <v>: "45658", "-1e12", "2958466"


@dataclass(frozen=True)
class NumberText:
    """A number cell whose <v> text is written as given: "1e308", "1e400", "NaN", "0x10"."""

    text: str


@dataclass(frozen=True)
class RawCell:
    """A whole <c> element, written as given (``{ref}`` is replaced by the cell reference)."""

    xml: str


def _text(value: str) -> str:
    """XML text as Excel writes it: control characters as _xHHHH_."""
    out = []
    for ch in value:
        code = ord(ch)
        if (code < 0x20 and ch not in "\t\n\r") or code in (0xFFFE, 0xFFFF):
            out.append(f"_x{code:04X}_")
        else:
            out.append(ch)
    return escape("".join(out), {'"': "&quot;"})


def _cell(ref: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, RawCell):
        return value.xml.replace("{ref}", ref)
    if isinstance(value, Formula):
        f = '<f t="shared" si="0"/>' if value.shared else f"<f>{_text(value.text)}</f>"
        v = "<v/>" if value.cached is None else f"<v>{_text(value.cached)}</v>"
        return f'<c r="{ref}">{f}{v}</c>'
    if isinstance(value, ErrorValue):
        f = f"<f>{_text(value.formula)}</f>" if value.formula else ""
        return f'<c r="{ref}" t="e">{f}<v>{_text(value.text)}</v></c>'
    if isinstance(value, DateSerial):
        return f'<c r="{ref}" s="1"><v>{value.value}</v></c>'
    if isinstance(value, NumberText):
        return f'<c r="{ref}"><v>{_text(value.text)}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{_text(str(value))}</t></is></c>'


def sheet_xml(rows: list[list], first_row: int = 1) -> bytes:
    body = []
    for r, row in enumerate(rows, start=first_row):
        cells = "".join(_cell(f"{column_letter(c)}{r}", v) for c, v in enumerate(row))
        body.append(f'<row r="{r}">{cells}</row>')
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + "".join(body)
        + "</sheetData></worksheet>"
    ).encode("utf-8")


_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs>'
    "</styleSheet>"
).encode()


def workbook(sheets: dict[str, list[list] | bytes], hidden: tuple[str, ...] = (),
             replace: dict[str, bytes] | None = None, extra: list[tuple[str, bytes]] | None = None) -> bytes:
    """An .xlsx file: sheet name → rows (or the sheet's XML as bytes).

    ``replace`` swaps the content of a part by name; ``extra`` appends more zip members
    (even ones with a name already used).
    """
    names = list(sheets)
    parts: dict[str, bytes] = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                for i in range(1, len(names) + 1)
            )
            + "</Types>"
        ).encode(),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ).encode(),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            + "".join(
                f'<sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"'
                + (' state="hidden"' if name in hidden else "")
                + "/>"
                for i, name in enumerate(names, start=1)
            )
            + "</sheets></workbook>"
        ).encode("utf-8"),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                f'relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
                for i in range(1, len(names) + 1)
            )
            + f'<Relationship Id="rId{len(names) + 1}" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/styles" Target="styles.xml"/></Relationships>'
        ).encode(),
        "xl/styles.xml": _STYLES,
    }
    for i, name in enumerate(names, start=1):
        rows = sheets[name]
        parts[f"xl/worksheets/sheet{i}.xml"] = rows if isinstance(rows, bytes) else sheet_xml(rows)
    parts.update(replace or {})
    out = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        warnings.simplefilter("ignore")  # "Duplicate name": on purpose, in one case
        for name, data in parts.items():
            archive.writestr(name, data)
        for name, data in extra or []:
            archive.writestr(name, data)
    return out.getvalue()


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def unfilled(code: str, message: str) -> list[str]:
    """Placeholders of the code's templates left in a message (values may hold braces of their own)."""
    from zcf.problems import catalogue

    entry = catalogue()[code]
    names = set(_PLACEHOLDER.findall(entry["en"])) | set(_PLACEHOLDER.findall(entry["zh"]))
    return [n for n in names if "{" + n + "}" in message]



# --- byte-level damage ---------------------------------------------------------------------


def member_span(data: bytes, name: str) -> tuple[int, int]:
    """(start, end) of the compressed bytes of zip member ``name`` in ``data``."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    header = data[info.header_offset : info.header_offset + 30]
    name_length = int.from_bytes(header[26:28], "little")
    extra_length = int.from_bytes(header[28:30], "little")
    start = info.header_offset + 30 + name_length + extra_length
    return start, start + info.compress_size


def damage_member(data: bytes, name: str, offset: int, xor: int = 0x5A, length: int = 24) -> bytes:
    """Flip bits inside the deflate stream of one member (the CRC no longer matches, or zlib fails)."""
    start, end = member_span(data, name)
    out = bytearray(data)
    for i in range(start + min(offset, max(end - start - 1, 0)), min(start + offset + length, end)):
        out[i] ^= xor
    return bytes(out)


def raw_deflate(payload: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(payload) + compressor.flush()


# --- the corpus -------------------------------------------------------------------------------

ORG = [["field", "value"], ["company_name", "Hostile Test Co."], ["reporting_year", 2025]]
SITES = [["site_id", "name", "province"], ["CQ01", "Chongqing plant", "重庆"]]
ENERGY_HEADER = ["site_id", "period", "energy_type", "quantity", "unit"]


def energy_rows(quantity=812_000, unit="kWh", months=range(1, 13), site="CQ01") -> list[list]:
    return [ENERGY_HEADER] + [[site, f"2025-{m:02d}", "electricity", quantity, unit] for m in months]


def valid_workbook(**energy) -> bytes:
    return workbook({"organization": ORG, "sites": SITES, "energy": energy_rows(**energy)})


@dataclass
class Case:
    """One hostile input: files to write, and what zcf must answer.

    ``files`` maps a relative path (str, or bytes for a name in another encoding) to content.
    ``codes`` must all be among the problems; ``absent`` must not be; ``errors`` is, when
    given, the exact number of error problems (one mistake, one message).
    """

    name: str
    files: dict[str | bytes, bytes]
    exit_code: int
    codes: set[str] = field(default_factory=set)
    absent: set[str] = field(default_factory=set)
    errors: int | None = None
    prepare: Callable[[Path], None] | None = None  # more set-up in the case's folder (FIFOs ...)
    note: str = ""


def _many_formulas(count: int) -> bytes:
    rows = [ENERGY_HEADER] + [["CQ01", "2025-01", "electricity", Formula(f"B{r}*2"), "kWh"] for r in range(2, count + 2)]
    return sheet_xml(rows)


def _make_fifo(folder: Path) -> None:
    os.mkfifo(folder / "energy.csv")


def cases() -> list[Case]:
    big = 9.0e307
    return [
        Case("formulas_without_values", {"book.xlsx": workbook({
            "organization": ORG, "sites": SITES,
            "energy": energy_rows() + [["CQ01", "2025-12", "natural_gas", Formula("SUM(X1:X9)"), "m3"],
                                       [Formula('"CQ"&"01"'), "2025-11", "diesel", Formula("", shared=True), "t"]]})},
             1, {"formula-without-value"}, {"missing-value", "duplicate-key"}, errors=1,
             note="rows of formulas without results are not blank; one message for the sheet"),
        Case("formula_with_saved_result", {"book.xlsx": workbook({
            "organization": ORG, "sites": SITES,
            "energy": energy_rows(months=range(1, 12)) + [["CQ01", "2025-12", "electricity", Formula("1+2", "3"), "kWh"]]})},
             0, absent={"formula-without-value"}),
        Case("excel_error_values", {"book.xlsx": workbook({
            "organization": ORG, "sites": SITES,
            "energy": energy_rows(months=range(1, 12)) + [["CQ01", "2025-12", "electricity", ErrorValue("#DIV/0!"), "kWh"]]})},
             1, {"formula-error"}, {"missing-value"}, errors=1),
        Case("too_many_formulas_without_values", {"book.xlsx": workbook({
            "organization": ORG, "sites": SITES, "energy": _many_formulas(10_001)})},
             1, {"formula-without-value"}, errors=1),
        Case("date_serial_panics_the_reader", {"book.xlsx": workbook({
            "organization": ORG, "sites": SITES,
            "energy": energy_rows(months=range(1, 12)) + [["CQ01", DateSerial("-1e12"), "electricity", 5, "kWh"]]})},
             1, {"reader-failed"}, note="python-calamine panics (PanicException, a BaseException)"),
        Case("date_serial_beyond_year_9999", {"book.xlsx": workbook({
            "organization": ORG, "sites": SITES,
            "energy": energy_rows(months=range(1, 12)) + [["CQ01", DateSerial("2958466"), "electricity", 5, "kWh"],
                                                          ["CQ01", DateSerial("1e300"), "electricity", 5, "kWh"]]})},
             1, {"bad-period"}),
        Case("huge_energy", {"book.xlsx": valid_workbook(quantity=NumberText("1e308"), unit="GWh")},
             1, {"number-too-large"}, {"outlier-month", "not-a-number"}),
        Case("huge_refrigerant", {"book.xlsx": workbook({
            "organization": ORG, "sites": SITES,
            "refrigerants": [["site_id", "period", "gas", "quantity_kg"], ["CQ01", "2025", "R-410A", NumberText("1e305")]]})},
             1, {"number-too-large"}, errors=1),
        Case("huge_spend_twice", {"book.xlsx": workbook({
            "organization": ORG, "sites": SITES, "suppliers": [["supplier_id", "name"], ["S1", "Steel Co."]],
            "purchases": [["supplier_id", "item_id", "category", "spend", "currency", "sector"],
                          ["S1", "P1", 1, big, "CNY", "machinery"], ["S1", "P2", 1, big, "CNY", "machinery"]]})},
             1, {"number-too-large"}, errors=2),
        Case("integer_beyond_int64", {"suppliers.csv": b"supplier_id,name,tier\nS1,a,9223372036854775808\nS2,b,1e30\n"},
             1, {"number-too-large"}, errors=2),
        Case("tiny_revenue", {"organization.csv": b"field,value\ncompany_name,X\nreporting_year,2025\nrevenue,1e-300\n",
                              "sites.csv": b"site_id,province\nCQ01,Chongqing\n"},
             1, {"number-too-small"}, errors=1, note="dividing by it would overflow"),
        Case("infinite_and_nan_texts", {"energy.csv": ("site_id,period,energy_type,quantity,unit\n"
                                                       "CQ01,2025-01,electricity,inf,kWh\nCQ01,2025-02,electricity,NaN,kWh\n"
                                                       "CQ01,2025-03,electricity,1e400,kWh\nCQ01,2025-04,electricity,-0,kWh\n").encode()},
             1, {"not-a-number"}),
        Case("no_table_at_all", {"book.xlsx": workbook({"Sheet1": [["hello"], [1, 2, 3]]})}, 1, {"no-tables"}, errors=1),
        Case("empty_folder", {}, 1, {"no-inputs"}, errors=1),
        Case("only_empty_tables", {"book.xlsx": workbook({"energy": [ENERGY_HEADER], "sites": [["site_id", "province"]]})},
             1, {"no-data"}, errors=1),
        Case("table_names_with_years", {"book.xlsx": workbook({
            "组织信息": ORG, "站点(2025)": SITES, "能源2025": energy_rows(months=range(1, 7)),
            "Energy 2025 H2": energy_rows(months=range(7, 13))})},
             0, {"table-name-assumed"}),
        Case("misnamed_table", {"book.xlsx": workbook({"organization": ORG, "sites": SITES, "Sheet1": energy_rows()})},
             1, {"misnamed-table"}, errors=1),
        Case("hidden_energy_sheet", {"book.xlsx": workbook({"organization": ORG, "sites": SITES, "energy": energy_rows()},
                                                           hidden=("energy",))},
             0, {"hidden-sheet"}),
        Case("derived_column_names", {"book.xlsx": workbook({"organization": ORG, "sites": SITES, "energy": [
            ENERGY_HEADER + ["quantity_std", "Energy MWh", "period_month", "_source_file"]]
            + [row + ["x", "y", "z", "w"] for row in energy_rows()[1:]]})},
             0, {"reserved-column"}),
        Case("control_characters", {"book.xlsx": workbook({
            "organization": ORG, "sites": SITES, "suppliers": [["supplier_id", "name", "remarks"],
                                                                ["S1", "Steel\x01Co\x1b[2J", "ok"], ["S2", "Glass", "bell\x07"]]})},
             1, {"control-character"}, errors=2),
        Case("very_long_text", {"book.xlsx": workbook({"organization": ORG, "sites": [["site_id", "name", "province"],
                                                                                     ["CQ01", "长" * 10_000, "重庆"]]})},
             1, {"text-too-long"}, errors=1),
        Case("bad_period_only_once", {"book.xlsx": workbook({"organization": ORG, "sites": SITES, "energy": [
            ENERGY_HEADER, ["CQ01", "2025-13", "electricity", 1, "kWh"], ["CQ01", "2025-14", "electricity", 1, "kWh"],
            ["CQ01", "2025-01", "electricity", 1, "kWh"]]})},
             1, {"bad-period"}, {"duplicate-key"}, errors=2),
        Case("same_table_twice", {"book.xlsx": valid_workbook(),
                                  "energy.csv": "\n".join(",".join(map(str, r)) for r in energy_rows()).encode()},
             1, {"duplicate-source"}, {"duplicate-key"}, errors=1),
        Case("wide_csv_line", {"sites.csv": b"site_id,province\n" + b"a," * 500_000 + b"\n"}, 1, {"too-many-columns"}, errors=1),
        Case("long_csv_line", {"sites.csv": b"site_id,province\nA,\"" + b"x" * 2_000_000 + b"\"\n"},
             1, {"csv-line-too-long"}, errors=1),
        Case("damaged_deflate_stream", {"book.xlsx": damage_member(valid_workbook(), "xl/worksheets/sheet3.xml", 10)},
             1, {"not-a-workbook"}, errors=1),
        Case("damaged_shared_part", {"book.xlsx": damage_member(valid_workbook(), "xl/workbook.xml", 20)},
             1, {"not-a-workbook"}, errors=1),
        Case("duplicate_zip_member", {"book.xlsx": workbook(
            {"organization": ORG, "sites": SITES, "energy": energy_rows()},
            extra=[("xl/worksheets/sheet3.xml", sheet_xml([["site_id"], *[["x"]] * 3]))])},
             1, {"not-a-workbook"}, errors=1, note="the part checked must be the part read"),
        Case("sparse_bomb", {"book.xlsx": workbook({"energy": [["site_id"]], "x": [["a"]]},
                                                   replace={"xl/worksheets/sheet1.xml": sheet_xml([["site_id"]]).replace(
                                                       b"</row>", b'</row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')})},
             1, {"sheet-too-large"}),
        Case("external_entity", {"book.xlsx": workbook({"organization": ORG, "sites": (
            b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            b'<row r="1"><c r="A1" t="inlineStr"><is><t>site_id</t></is></c><c r="B1" t="inlineStr"><is><t>name</t></is></c>'
            b'<c r="C1" t="inlineStr"><is><t>province</t></is></c></row>'
            b'<row r="2"><c r="A2" t="inlineStr"><is><t>CQ01</t></is></c><c r="B2" t="inlineStr"><is><t>&xxe;</t></is></c>'
            b'<c r="C2" t="inlineStr"><is><t>CQ</t></is></c></row></sheetData></worksheet>')})},
             -1, note="whatever zcf decides, /etc/passwd must not be read into the data"),
        Case("bad_shared_string_index", {"book.xlsx": workbook({"organization": ORG, "sites": [["site_id", "province"],
                                                                                             [RawCell('<c r="{ref}" t="s"><v>99</v></c>'), "重庆"]]})},
             -1, note="a reference to a shared string that does not exist"),
        Case("nonsense_cell_references", {"book.xlsx": workbook({"organization": ORG, "sites": [
            ["site_id", "province"], [RawCell('<c r="A0"><v>1</v></c>'), RawCell('<c r="ZZZZ9"><v>2</v></c>')],
            [RawCell('<c r="{ref}" t="n"><v>abc</v></c>'), RawCell('<c r="{ref}" t="b"><v>7</v></c>')]]})}, -1),
        Case("gbk_file_names", {"能源.csv".encode("gbk"): "\n".join(",".join(map(str, r)) for r in energy_rows()).encode(),
                                "组织信息.csv".encode("gbk"): b"field,value\ncompany_name,X\nreporting_year,2025\n",
                                "站点.csv".encode("gbk"): "site_id,province\nCQ01,重庆\n".encode()},
             0, note="zips made on Chinese Windows keep GBK names"),
        Case("fifo_in_folder", {"sites.csv": b"site_id,province\nCQ01,Chongqing\n"}, 1, {"unreadable-file"}, errors=1,
             prepare=_make_fifo),
        Case("nested_parquet", {"sites.parquet": _nested_parquet()}, 1, {"unreadable-file"}, errors=1),
        Case("parquet_of_many_nulls", {"sites.parquet": _null_parquet(60_000_000)}, 1, {"sheet-too-large"}, errors=1),
        Case("utf16_without_bom", {"sites.csv": "site_id,province\nA,江苏\n".encode("utf-16-le")}, 0),
        Case("nul_bytes_in_csv", {"sites.csv": b"site_id,province\nA\x00B,Jiangsu\n"}, 1, {"control-character"}),
    ]


def _nested_parquet() -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = io.BytesIO()
    pq.write_table(pa.table({"site_id": pa.array([["a", "b"], ["c"]]), "province": ["江苏", "重庆"]}), out)
    return out.getvalue()


def _null_parquet(rows: int) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = io.BytesIO()
    pq.write_table(pa.table({"site_id": pa.nulls(rows, pa.string()), "province": pa.nulls(rows, pa.string())}), out)
    return out.getvalue()


def write_case(case: Case, folder: Path) -> Path:
    """Write the files of ``case`` into ``folder`` (created); returns it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in case.files.items():
        if isinstance(name, bytes):
            with open(os.path.join(os.fsencode(folder), name), "wb") as f:
                f.write(data)
        else:
            (folder / name).write_bytes(data)
    if case.prepare is not None:
        case.prepare(folder)
    return folder


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    root = Path(argv[1])
    for case in cases():
        write_case(case, root / case.name)
        print(f"{case.name:36} exit {case.exit_code if case.exit_code >= 0 else '0 or 1'}  {', '.join(sorted(case.codes))}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
