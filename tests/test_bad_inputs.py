"""Typical mistakes and hostile files: every seeded error is found at the right cell, nothing crashes."""

import io
import json
import zipfile

import pytest

from conftest import BAD
from zcf.ingest import IngestOptions, ingest
from zcf.ingest.safety import Limits

ENERGY_ERRORS = [
    ("能源!E7", "not-a-number"),
    ("能源!F8", "unknown-unit"),
    ("能源!A10", "duplicate-key"),
    ("能源!A12", "unknown-reference"),
    ("能源!C13", "unknown-value"),
    ("能源!B14", "period-outside-year"),
    ("能源!E15", "negative-value"),
    ("能源!C16", "unknown-value"),
    ("能源!E17", "unit-in-number"),
]
PURCHASE_ERRORS = [
    ("purchases!A3", "unknown-reference"),
    ("purchases!C4", "unknown-value"),
    ("purchases!5:5", "incomplete-row"),
    ("purchases!J6", "incomplete-group"),
    ("purchases!F7", "unknown-unit"),
]


def errors(report):
    return [(p.cell, p.code) for p in report.problems if p.severity == "error"]


def test_every_seeded_energy_error_is_found():
    report = ingest([str(BAD / "能源_错误示例.xlsx")])
    assert not report.valid
    assert errors(report) == ENERGY_ERRORS


def test_seeded_errors_have_helpful_messages():
    report = ingest([str(BAD / "能源_错误示例.xlsx")])
    by_cell = {p.cell: p for p in report.problems}
    assert by_cell["能源!E7"].message() == 'quantity "12O5" is not a number; type digits only (1234.5 or 1,234.5)'
    assert str(by_cell["能源!E7"]).startswith(str(BAD / "能源_错误示例.xlsx") + ":能源!E7: quantity")
    assert "did you mean natural_gas?" in by_cell["能源!C13"].message()
    assert "是否为 天然气" in by_cell["能源!C13"].message("zh")
    assert "did you mean electricity?" in by_cell["能源!C16"].message()
    assert "did you mean kWh" in by_cell["能源!F8"].message()
    assert "did you mean CQ01?" in by_cell["能源!A12"].message()
    assert "row 9" in by_cell["能源!A10"].message()
    assert "2025" in by_cell["能源!B14"].message()


def test_every_seeded_purchase_error_is_found():
    report = ingest([str(BAD / "purchases_errors.xlsx")])
    assert errors(report) == PURCHASE_ERRORS
    assert "no-reporting-year" not in {p.code for p in report.problems}  # no table here has periods


def test_cli_lists_errors_and_exits_1(cli, tmp_path):
    result = cli(["ingest", BAD / "能源_错误示例.xlsx", "-o", tmp_path])
    assert result.exit_code == 1
    for cell, code in ENERGY_ERRORS:
        assert cell in result.stdout and code in result.stdout
    assert "9 errors" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert not (tmp_path / "dataset").exists()
    assert json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))["valid"] is False


def test_cli_json_gives_the_list(cli, tmp_path):
    result = cli(["ingest", BAD / "能源_错误示例.xlsx", "-o", tmp_path, "--json"])
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    first = problems[0]
    assert set(first) == {"file", "sheet", "row", "column", "cell", "code", "severity", "message"}
    assert first == {
        "file": str(BAD / "能源_错误示例.xlsx"),
        "sheet": "能源",
        "row": 7,
        "column": "quantity",
        "cell": "能源!E7",
        "code": "not-a-number",
        "severity": "error",
        "message": 'quantity "12O5" is not a number; type digits only (1234.5 or 1,234.5)',
    }
    assert [(p["cell"], p["code"]) for p in problems if p["severity"] == "error"] == ENERGY_ERRORS


def test_chinese_messages(cli, tmp_path):
    result = cli(["ingest", BAD / "能源_错误示例.xlsx", "-o", tmp_path, "--json"], lang="zh")
    message = json.loads(result.stdout)["problems"][0]["message"]
    assert message == "数量 \"12O5\" 不是数字；请只填写数字（如 1234.5 或 1,234.5）"


def test_a_stale_dataset_is_removed_when_inputs_become_invalid(cli, tmp_path):
    from conftest import SAMPLE_EN

    assert cli(["ingest", SAMPLE_EN, "-o", tmp_path]).exit_code == 0
    assert (tmp_path / "dataset").is_dir()
    assert cli(["ingest", BAD / "能源_错误示例.xlsx", "-o", tmp_path]).exit_code == 1
    assert not (tmp_path / "dataset").exists()


@pytest.mark.parametrize(
    "name, code, exit_code",
    [
        ("not_a_workbook.xlsx", "not-a-workbook", 1),
        ("truncated.xlsx", "not-a-workbook", 1),
        ("sparse_bomb.xlsx", "sheet-too-large", 1),
        ("empty_sheet.xlsx", "no-data", 1),  # an empty energy sheet: "holds no data" and, as nothing else is given, an error
    ],
)
def test_broken_files_give_a_clear_problem(cli, tmp_path, name, code, exit_code):
    result = cli(["ingest", BAD / name, "-o", tmp_path, "--json"])
    assert result.exit_code == exit_code
    assert code in {p["code"] for p in json.loads(result.stdout)["problems"]}
    assert "Traceback" not in result.stderr


def test_formulas_without_saved_results_are_errors_not_blanks():
    """openpyxl and pandas write formulas without results; such cells are not read as blank."""
    report = ingest([str(BAD / "formulas_without_values.xlsx")])
    assert errors(report) == [("能源!D3", "formula-without-value")]
    message = report.problems[0].message()
    assert '"=D2*1.05"' in message and "A4, B4, C4, D4, E4" in message
    assert "missing-months" not in {p.code for p in report.problems}  # a consequence: not said twice


def _workbook_bytes(sheets: dict[str, list[list]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _replace_member(data: bytes, member: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, content if info.filename == member else source.read(info.filename))
    return out.getvalue()


LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
"""


def _body(xml: bytes) -> bytes:
    return xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml


def test_entity_bomb_in_the_workbook_index_is_refused(tmp_path):
    data = _workbook_bytes({"sites": [["site_id", "province"], ["A", "江苏"]]})
    workbook_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml")
    bomb = LAUGHS + _body(workbook_xml).replace(b'name="sites"', b'name="&lol9;"')
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(_replace_member(data, "xl/workbook.xml", bomb))
    report = ingest([str(path)])
    assert [p.code for p in report.problems] == ["not-a-workbook"]


def test_entity_bomb_in_a_sheet_does_not_expand(tmp_path):
    data = _workbook_bytes({"sites": [["site_id", "province"], ["A", "江苏"]]})
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    bomb = LAUGHS + _body(sheet).replace(b">A<", b">&lol9;<")
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(_replace_member(data, "xl/worksheets/sheet1.xml", bomb))
    report = ingest([str(path)])  # must return promptly, whatever it decides
    assert all(len(str(v)) < 1000 for frame in report.tables.values() for v in frame.get("site_id", []))


def test_zip_bomb_is_refused(tmp_path):
    data = _workbook_bytes({"sites": [["site_id", "province"], ["A", "江苏"]]})
    padded = _replace_member(data, "docProps/app.xml", b"<x>" + b" " * 5_000_000 + b"</x>")
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(padded)
    assert path.stat().st_size < 100_000  # 5 MB of spaces compress to a few kB
    report = ingest([str(path)], IngestOptions(limits=Limits(max_part_bytes=1_000_000)))
    assert [p.code for p in report.problems] == ["file-too-large"]


def test_encrypted_or_legacy_xls(tmp_path):
    path = tmp_path / "secret.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1000)
    assert [p.code for p in ingest([str(path)]).problems] == ["password-protected"]


def test_missing_and_unsupported_files(cli, tmp_path):
    (tmp_path / "old.xls").write_bytes(b"x")
    result = cli(["ingest", tmp_path / "nope.xlsx", tmp_path / "old.xls", "-o", tmp_path / "out", "--json"])
    assert result.exit_code == 1
    codes = [p["code"] for p in json.loads(result.stdout)["problems"]]
    assert codes == ["file-not-found", "unsupported-format"]


def test_hostile_strings_print_literally(cli, tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text(
        'site_id,province,name\n'
        'A1,江苏,"=HYPERLINK(""http://x"",""y"")"\n'
        '[bold red]X[/],江苏,<script>alert(1)</script>\n'
        'B2,Atlantis,"\x07bell\ttab"\n',
        encoding="utf-8",
    )
    result = cli(["ingest", path, "-o", tmp_path / "out"])
    assert result.exit_code == 1  # Atlantis is not a province
    assert '"Atlantis"' in result.stdout
    report = ingest([str(path)])
    sites = report.tables["sites"]
    assert sites["site_id"].tolist()[1] == "[bold red]X[/]"
    assert sites["name"].tolist()[1] == "<script>alert(1)</script>"


@pytest.mark.parametrize(
    "data, encoding",
    [
        ("site_id,province\nA,江苏\n".encode("gbk"), "gb18030"),
        ("site_id,province\nA,江苏\n".encode("gb18030"), "gb18030"),
        (b"\xef\xbb\xbf" + "site_id,province\nA,江苏\n".encode("utf-8"), "utf-8-sig"),
        ("site_id,province\nA,江苏\n".encode("utf-16"), "utf-16"),
        ("site_id\tprovince\nA\t江苏\n".encode("utf-8"), "utf-8"),
    ],
)
def test_csv_encodings(tmp_path, data, encoding):
    path = tmp_path / "sites.csv"
    path.write_bytes(data)
    report = ingest([str(path)])
    assert report.valid, [str(p) for p in report.problems]
    assert report.tables["sites"]["province"].tolist() == ["CN-JS"]
    assert report.inputs[0].encoding == encoding


def test_undecodable_csv(tmp_path):
    path = tmp_path / "sites.csv"
    path.write_bytes(b"site_id,province\n\x80\x80\xff,x\n")
    assert [p.code for p in ingest([str(path)]).problems] == ["bad-encoding"]
    forced = ingest([str(path)], IngestOptions(encoding="latin-1"))
    assert "bad-encoding" not in {p.code for p in forced.problems}


def test_ragged_csv(tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text("site_id,province\nA,江苏\nB,江苏,extra,cells\n", encoding="utf-8")
    assert [p.code for p in ingest([str(path)]).problems] == ["malformed-csv"]


def test_damaged_parquet(tmp_path):
    path = tmp_path / "sites.parquet"
    path.write_bytes(b"PAR1 not really")
    assert [p.code for p in ingest([str(path)]).problems] == ["unreadable-file"]


def test_unknown_sheets_and_columns_are_warnings(tmp_path):
    path = tmp_path / "book.xlsx"
    path.write_bytes(
        _workbook_bytes({"Sheet1": [["x"]], "sites": [["site_id", "province", "remarks"], ["A", "江苏", "ok"]]})
    )
    report = ingest([str(path)])
    assert report.valid
    assert sorted(p.code for p in report.problems) == ["unknown-column", "unknown-table"]
    assert report.tables["sites"]["remarks"].tolist() == ["ok"]


def test_title_rows_above_the_header_are_skipped(tmp_path):
    path = tmp_path / "book.xlsx"
    path.write_bytes(
        _workbook_bytes({"站点": [["某公司站点清单（2025年）"], [], ["站点编号", "省份"], ["A", "江苏"], [], ["B", "重庆"]]})
    )
    report = ingest([str(path)])
    assert report.valid
    assert report.tables["sites"]["_source_row"].tolist() == [4, 6]


def test_missing_required_column(tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text("site_id,name\nA,x\n", encoding="utf-8")
    problems = ingest([str(path)]).problems
    assert [(p.code, p.column, p.cell) for p in problems] == [("missing-column", "province", "1:1")]


@pytest.mark.slow
def test_a_million_row_sheet(tmp_path):
    """A 1,000,000-row sheet is read completely (built directly as XML to keep the test quick)."""
    rows = 1_000_000
    path = tmp_path / "suppliers.xlsx"
    data = _workbook_bytes({"suppliers": [["supplier_id", "name"]]})
    body = io.StringIO()
    body.write('<row r="1"><c r="A1" t="inlineStr"><is><t>supplier_id</t></is></c>'
               '<c r="B1" t="inlineStr"><is><t>name</t></is></c></row>')
    for r in range(2, rows + 2):
        body.write(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>S{r}</t></is></c><c r="B{r}"><v>{r}</v></c></row>')
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + body.getvalue()
        + "</sheetData></worksheet>"
    ).encode()
    path.write_bytes(_replace_member(data, "xl/worksheets/sheet1.xml", sheet))
    report = ingest([str(path)])
    assert report.valid, report.problems[:3]
    assert len(report.tables["suppliers"]) == rows
    assert report.tables["suppliers"]["name"].iat[-1] == str(rows + 1)
