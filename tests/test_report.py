"""Reports: the PDF (text, CJK font, pages, TOC) and the Excel workbook (values, safety)."""

import json
import math
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from conftest import SAMPLE_ZH, invoke
from zcf.report import render_reports
from zcf.report.numbers import fmt_number

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
EPOCH = 1764000000  # 2025-11-24


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    result = invoke(["--config", SAMPLE_ZH.parent.parent / "zcf.toml", "run", SAMPLE_ZH, "-o", out])
    assert result.exit_code == 0, result.stdout + result.stderr
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    render_reports(out, out / "en", ["pdf", "xlsx"], "en", EPOCH)
    return out, results


def test_chinese_pdf_has_the_figures_headings_and_sources(sample):
    out, results = sample
    text = pdf_text(out / "report.pdf")
    totals = results["totals"]
    for key in ("scope1", "scope2_location", "scope2_market", "scope3", "total_market"):
        assert fmt_number(totals[key]) in text, key
    for heading in ("温室气体排放清单与信息披露报告", "摘要", "关键数据", "方法学与边界", "排放因子清单", "数据质量与缺口",
                    "产品碳足迹", "输入文件", "附录"):
        assert heading in text, heading
    assert "电力二氧化碳排放因子" in text  # factor citations are in the register...
    assert "读取自：" in text and "获取于 2026-11" in text  # ...in full: where the value was read, and when
    assert "排放因子来源可靠性" in text  # the share of each total on weak factors
    assert "2026.11.2、现行版" in text and "2023 (最新发布年份)" in text  # library, set and grid vintage stated
    assert "示例汽车集团有限公司" in text and results["organization"]["company_name"] in text
    assert "第 1 页" not in text  # the cover has no page number...
    assert "第 3 页，共" in text  # ...the other pages do


def test_pdf_has_pages_and_a_table_of_contents_with_page_numbers(sample):
    out, _ = sample
    reader = PdfReader(out / "report.pdf")
    assert len(reader.pages) > 5
    toc = pdf_text(out / "report.pdf").split("目录", 1)[1][:2000]
    import re

    entries = re.findall(r"(摘要|图表|方法学与边界|排放因子清单|输入文件)\s*\.*\s*(\d+)", toc)
    assert len(entries) == 5 and all(int(page) > 1 for _, page in entries)


def test_cjk_font_is_embedded(sample):
    out, _ = sample
    fonts = subprocess.run(["pdffonts", str(out / "report.pdf")], capture_output=True, text=True, check=True).stdout
    assert "WenQuanYi" in fonts or "CJK" in fonts, fonts
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:] if line.strip())  # all embedded


def test_english_pdf(sample):
    out, results = sample
    text = pdf_text(out / "en" / "report.pdf")
    for heading in ("Greenhouse gas inventory and disclosure", "Key figures", "Factor register", "Scope 3 categories"):
        assert heading in text
    assert fmt_number(results["totals"]["scope1"]) in text
    assert "Page 3 of" in text


def test_excel_values_equal_results(sample):
    out, results = sample
    workbook = load_workbook(out / "report.xlsx", read_only=True)
    assert workbook.sheetnames == ["摘要", "范围一", "范围二", "范围三", "站点", "产品", "碳足迹声明", "供应商", "排放因子",
                                   "明细", "数据核对", "检查", "待办", "输入文件"]
    summary = list(workbook["摘要"].iter_rows(min_row=2, max_row=5, values_only=True))
    # Excel keeps 15–16 significant digits: equal to results.json at that precision
    expected = [results["totals"][k] for k in ("scope1", "scope2_location", "scope2_market", "scope3")]
    assert [row[1] for row in summary] == pytest.approx(expected, rel=1e-14)
    lines = list(workbook["明细"].iter_rows(values_only=True))
    header, rows = lines[0], lines[1:]
    assert len(rows) == results["lines"]["count"]
    co2e = header.index("tCO2e")
    assert math.fsum(r[co2e] for r in rows) == pytest.approx(results["lines"]["co2e_t_sum"], rel=1e-14)
    english = load_workbook(out / "en" / "report.xlsx", read_only=True)
    assert english.sheetnames[:3] == ["Summary", "Scope 1", "Scope 2"]
    reconciliation = {row[0]: row[1:7] for row in workbook["数据核对"].iter_rows(min_row=2, values_only=True) if row[1]}
    purchases = results["reconciliation"]["purchases"]
    assert reconciliation["采购"] == (purchases["rows"], purchases["calculated"], purchases["used"],
                                     purchases["excluded"], purchases["partial"], purchases["unaccounted"])


def test_pdf_shows_the_reconciliation(sample):
    out, results = sample
    text = pdf_text(out / "report.pdf")
    assert "输入数据行核对" in text
    assert "MAT_PLASTIC_PP_EU" in text.split("输入数据行核对", 1)[1]  # the proxy note on the plastics rows


def test_charts_are_saved_for_slides(sample):
    out, _ = sample
    charts = sorted(p.name for p in (out / "charts").glob("*.svg"))
    assert charts == ["monthly_electricity.svg", "scope3_by_category.svg", "scope_split.svg", "sites.svg",
                      "supplier_pareto.svg", "trend.svg"]
    assert "范围三" in (out / "charts" / "scope_split.svg").read_text(encoding="utf-8")


def test_supplier_pareto_names_the_suppliers_that_make_80_percent(sample):
    out, results = sample
    pareto = results["suppliers"]["pareto"]
    n, total = pareto["suppliers_to_threshold"], pareto["suppliers_with_cat1"]
    svg = (out / "charts" / "supplier_pareto.svg").read_text(encoding="utf-8")
    assert f"{total}家供应商中前{n}家占80%" in pdf_text(out / "report.pdf")  # the chart's title
    largest = max(results["suppliers"]["by_supplier"], key=lambda e: e["cat1_tco2e"])
    assert largest["name"] in svg  # names, not ids
    assert f"其余{total - 15}家" in svg  # the suppliers beyond the 15 bars are one bar, not left out
    rows = list(load_workbook(out / "report.xlsx", read_only=True)["供应商"].iter_rows(min_row=2, values_only=True))
    cumulative = [r[5] for r in rows if r[3]]
    assert cumulative == sorted(cumulative) and cumulative[-1] == pytest.approx(1.0)  # share of the whole category
    assert sum(1 for c in cumulative if c < pareto["threshold"]) + 1 == n


def test_pcf_statement_per_product_in_pdf_and_excel(sample):
    out, results = sample
    text = pdf_text(out / "report.pdf")
    statements = text.split("产品碳足迹声明")[-1]
    products = results["products"]
    for p in products:
        assert f"产品 {p['product_id']}" in statements
        assert fmt_number(p["per_unit_kgco2e"]) in statements
    assert "从摇篮到大门" in statements and "按产量在产品间分摊" in statements
    rows = list(load_workbook(out / "report.xlsx", read_only=True)["碳足迹声明"].iter_rows(min_row=2, values_only=True))
    by_product = {r[0]: r for r in rows}
    for p in products:
        row = by_product[p["product_id"]]
        assert row[4] == pytest.approx(p["per_unit_kgco2e"], rel=1e-12)
        # parts + factory share + inbound transport = the footprint per unit
        assert row[5] + row[7] + (row[8] or 0) == pytest.approx(row[4], rel=1e-9)
        assert row[3] == p["units"]


HOSTILE = ['=HYPERLINK("http://evil.example","click")', "@SUM(A1:A9)", "+cmd|' /C calc'!A0", "-2+3",
           '<img src="file:///etc/passwd">', "<script>alert(1)</script>",
           "<r><t>rich</t></r>"]  # xlsxwriter writes a text of this shape as raw rich-text XML unless told otherwise


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    data = folder / "in"
    data.mkdir()
    (data / "organization.csv").write_text("field,value\ncompany_name,\"<b>ACME</b>\"\nreporting_year,2022\n",
                                           encoding="utf-8")
    sites = "site_id,name,province\n" + "".join(f'S{i},"{name.replace(chr(34), chr(34) * 2)}",江苏\n'
                                                for i, name in enumerate(HOSTILE))
    (data / "sites.csv").write_text(sites, encoding="utf-8")
    (data / "energy.csv").write_text("site_id,period,energy_type,quantity,unit\nS4,2022-01,electricity,5,MWh\n",
                                     encoding="utf-8")
    suppliers = "supplier_id,name\n" + "".join(f'P{i},"{name.replace(chr(34), chr(34) * 2)}"\n'
                                               for i, name in enumerate(HOSTILE))
    (data / "suppliers.csv").write_text(suppliers, encoding="utf-8")
    purchases = "supplier_id,item_id,category,spend,currency\n" + "".join(f"P{i},I1,1,1000,CNY\n" for i in range(len(HOSTILE)))
    (data / "purchases.csv").write_text(purchases, encoding="utf-8")
    out = folder / "out"
    result = invoke(["run", data, "-o", out, "--lang", "en"])
    assert result.exit_code == 0, result.stdout + result.stderr
    return out


def test_input_text_is_literal_in_the_pdf(hostile):
    text = pdf_text(hostile / "report.pdf")
    assert '<img src="file:///etc/passwd">' in text
    assert "<script>alert(1)</script>" in text
    assert "<b>ACME</b>" in text
    assert "root:x:0" not in text


def test_no_formula_can_come_from_input_text(hostile):
    workbook = load_workbook(hostile / "report.xlsx")
    names = {}
    for row in workbook["Suppliers"].iter_rows(min_row=2):
        names[row[0].value] = row[1]
    for i, text in enumerate(HOSTILE):
        cell = names[f"P{i}"]
        assert cell.data_type == "s" and cell.value == text
    sites = {row[0].value: row[1] for row in workbook["Sites"].iter_rows(min_row=2)}
    assert sites["S0"].data_type == "s" and sites["S0"].value == HOSTILE[0]


def test_fetcher_serves_only_the_templates_folder():
    from zcf.report.pdf import safe_fetcher
    from zcf.resources import templates_dir

    fetcher = safe_fetcher()
    fetch = getattr(fetcher, "fetch", fetcher)
    for url in ("file:///etc/passwd", "http://example.com/x.png", "https://example.com/", "ftp://x/y",
                (templates_dir() / ".." / "README.md").resolve().as_uri()):
        with pytest.raises(ValueError):
            fetch(url)
    assert fetch((templates_dir() / "report" / "report.css").as_uri()) is not None


def test_reports_are_reproducible(sample, tmp_path):
    out, _ = sample
    first, second = tmp_path / "a", tmp_path / "b"
    render_reports(out, first, ["pdf", "xlsx"], "zh", EPOCH)
    render_reports(out, second, ["pdf", "xlsx"], "zh", EPOCH)
    assert (first / "report.pdf").read_bytes() == (second / "report.pdf").read_bytes()
    assert (first / "report.xlsx").read_bytes() == (second / "report.xlsx").read_bytes()
    assert "2025-11-24" in pdf_text(first / "report.pdf")  # the date comes from SOURCE_DATE_EPOCH


def _lines_sheets(path: Path) -> dict[str, list[tuple]]:
    workbook = load_workbook(path, read_only=True)
    return {name: list(workbook[name].iter_rows(values_only=True)) for name in workbook.sheetnames if name.startswith("明细")}


def test_lines_beyond_a_sheet_continue_on_the_next_sheet(sample, tmp_path):
    """Excel holds 1,048,575 rows under a header: the lines go on 明细, 明细 2 … (the limit is a parameter here)."""
    import datetime as dt

    from zcf.report.excel import write_excel
    from zcf.report.model import load_model

    out, results = sample
    model = load_model(out, "zh", "2025-11-24")
    moment = dt.datetime.fromtimestamp(EPOCH, tz=dt.timezone.utc)
    count = results["lines"]["count"]
    limit = count // 3 + 1
    write_excel(model, tmp_path / "split.xlsx", moment, row_limit=limit)
    sheets = _lines_sheets(tmp_path / "split.xlsx")
    assert list(sheets) == ["明细", "明细 2", "明细 3"]
    whole = _lines_sheets(out / "report.xlsx")["明细"]
    assert all(rows[0] == whole[0] for rows in sheets.values())  # each sheet has the header
    assert [row for rows in sheets.values() for row in rows[1:]] == whole[1:]  # every line once, in order
    assert len(sheets["明细"]) == limit + 1
    write_excel(model, tmp_path / "again.xlsx", moment, row_limit=limit)
    assert (tmp_path / "again.xlsx").read_bytes() == (tmp_path / "split.xlsx").read_bytes()
    workbook = load_workbook(tmp_path / "split.xlsx")  # frozen header and a filter over each sheet's rows
    for name, rows in sheets.items():
        assert workbook[name].freeze_panes == "A2" and workbook[name].auto_filter.ref.endswith(str(len(rows)))


def test_more_lines_than_the_workbook_holds_are_left_to_parquet(sample, tmp_path):
    import datetime as dt

    from zcf.report.excel import write_excel
    from zcf.report.model import load_model

    out, results = sample
    model = load_model(out, "zh", "2025-11-24")
    write_excel(model, tmp_path / "r.xlsx", dt.datetime.fromtimestamp(EPOCH, tz=dt.timezone.utc), row_limit=10,
                max_lines=30)
    sheets = _lines_sheets(tmp_path / "r.xlsx")
    assert list(sheets) == ["明细"] and len(sheets["明细"]) == 2
    assert "lines.parquet" in sheets["明细"][1][0] and f"{results['lines']['count']:,}" in sheets["明细"][1][0]


def test_line_cells_keep_their_types_and_formats(sample):
    out, _ = sample
    workbook = load_workbook(out / "report.xlsx")
    sheet = workbook["明细"]
    header = [c.value for c in sheet[1]]
    row = sheet[2]
    assert row[header.index("tCO2e")].data_type == "n" and row[header.index("行")].number_format == "#,##0"
    assert row[header.index("边界份额")].number_format == "0.0%" and row[header.index("行号")].data_type == "s"
    assert sheet.column_dimensions["A"].width > 0 and all(c.font.b for c in sheet[1])


def test_text_cells_escape_like_excel():
    """The arrow path escapes a whole column as text_cell escapes one value: markup, control characters, _xHHHH_."""
    import pandas as pd

    from zcf.report.xlsx_rows import column_cells, text_cell

    values = ["a&b<c>", " lead", "trail ", "x\x01y\x1b[2J", "_x0041_", "=SUM(A1)", "<r><t>x</t></r>", "中文", "",
              None, "tab\t", "a" * 40_000, "\ufffe"]
    cells = column_cells(pd.Series(values, dtype=object), None).to_pylist()
    assert cells == [text_cell(v) if v is not None else "/>" for v in values]
    assert text_cell("x\x01") == ' t="inlineStr"><is><t>x_x0001_</t></is></c>'
    assert text_cell("_x0041_") == ' t="inlineStr"><is><t>_x005F_x0041_</t></is></c>'
    assert text_cell("=1+1").startswith(' t="inlineStr"') and "<f>" not in text_cell("=1+1")
    import pyarrow as pa

    chunked = pd.Series(pd.arrays.ArrowExtensionArray(pa.chunked_array([["a", None], ["a&", "b"]])))  # a parquet column
    assert column_cells(chunked, None).to_pylist() == [text_cell("a"), "/>", text_cell("a&"), text_cell("b")]
    numbers = column_cells(pd.Series([1.5, float("nan"), float("inf"), 0.1 + 0.2]), 3).to_pylist()
    assert numbers == [' s="3"><v>1.5</v></c>', "/>", ' t="e"><v>#NUM!</v></c>', ' s="3"><v>0.30000000000000004</v></c>']


def test_pdf_says_how_many_lines_there_are(sample):
    out, results = sample
    text = pdf_text(out / "report.pdf").replace("\n", "")
    assert "最大的 25 条" in text and "lines.parquet" in text


def test_pdf_tables_show_the_largest_rows_with_a_note(sample, monkeypatch):
    from zcf.report import pdf
    from zcf.report.model import load_model

    out, results = sample
    model = load_model(out, "en", "2025-11-24")
    monkeypatch.setitem(pdf.PDF_ROWS, "factors", 5)
    monkeypatch.setitem(pdf.PDF_ROWS, "batches", 4)
    monkeypatch.setitem(pdf.PDF_ROWS, "named", 1)
    rows = pdf.capped(model)
    assert len(rows["factor_rows"]) == 5 and len(rows["batch_rows"]) == 4
    used = len(results["factors_used"])
    assert rows["more"]["factors"] == f"The 5 largest of {used} are shown; all {used} are in report.xlsx, sheet Factors."
    biggest = max(model.lines["co2e_t"])  # the factors kept are those behind the most tCO2e
    top = model.lines.loc[model.lines["co2e_t"] == biggest, "factor_id"].iloc[0].split("+")[0]
    assert top in {f["factor_id"] for f in rows["factor_rows"]}
    assert all(len(r["factors"]) <= 2 for r in rows["reconciliation_reasons"] + rows["note_rows"])
    html = pdf.render_html(model, None)
    assert "The 4 largest of" in html


def test_report_without_results_is_a_clear_error(tmp_path):
    result = invoke(["report", tmp_path])
    assert result.exit_code == 1 and "zcf ingest (or zcf run)" in result.stderr


def test_report_format_option(sample, tmp_path):
    out, _ = sample
    result = invoke(["report", out, "--format", "xlsx", "-o", tmp_path])
    assert result.exit_code == 0
    assert (tmp_path / "report.xlsx").exists() and not (tmp_path / "report.pdf").exists()
    assert invoke(["report", out, "--format", "docx", "-o", tmp_path]).exit_code == 2


def test_method_names_are_translated():
    from zcf.report.labels import words

    assert words("zh").method("supplier-specific") == "供应商特定数据法"
    assert words("zh").method("direct use-phase, CN grid 2023") == "直接使用阶段（电网电力）"
    assert words("en").method("market-based: green_power_trade") == "market-based: green power trade"
    assert words("en").method("spend-based") == "spend-based"
    assert words("zh").method("something new") == "something new"
