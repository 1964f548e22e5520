"""Each disclosure pack is wholly in one language, states facts (not tool instructions),
explains every check, names intensities by what the company makes, and prints well.

Checked on the text layer of the rendered PDFs of the sample automaker (zh and en) and
of a one-plant parts maker built here, and on their workbooks.
"""

import json
import re
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from conftest import SAMPLE_ZH, invoke
from zcf.report import render_reports
from zcf.report.model import ReportModel

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
EPOCH = 1764000000
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]+")
LATIN = re.compile(r"[A-Za-z][A-Za-z0-9]*")
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*[A-Za-z0-9]")

# What stays as it is in a Chinese report: unit symbols, chemical formulae, names of standards,
# bodies and file formats, and zcf's own name. Nothing else in Latin letters may appear,
# apart from the user's own identifiers and, in the factor register, the factors' sources.
VOCABULARY = {
    "tCO2e", "kgCO2e", "tCO2", "kgCO2", "kgCH4", "kgN2O", "CO2", "CO2e", "CH4", "N2O", "SF6", "MWh", "kWh", "GJ", "TJ",
    "kg", "t", "km",
    "tkm", "L", "m3", "Nm3", "tC", "GWP", "AR4", "AR5", "AR6", "GHG", "Protocol", "ISO", "GB", "T", "IPCC", "SHA",
    "IFRS", "S2", "ESRS", "E1", "MSCI", "ESG", "Research", "SBTi", "PACT", "zcf", "lines", "csv", "parquet", "report",
    "xlsx", "i",
    "ii",
    "iii", "v", "vi", "a",
}


def pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")


def section_pages(all_pages: list[str], heading: str, next_heading: str) -> range:
    """The page numbers (1-based) of a section, from the table of contents."""
    toc = all_pages[1]
    first = int(re.search(re.escape(heading) + r"[\s.]*(\d+)", toc)[1])
    after = int(re.search(re.escape(next_heading) + r"[\s.]*(\d+)", toc)[1])
    return range(first, after)


def user_strings(out: Path) -> list[str]:
    """Text from the user's data that a report may quote: ids, names, files, the organisation's fields."""
    strings = []
    for path in (out / "dataset").glob("*.parquet"):
        frame = pd.read_parquet(path)
        for column in frame.columns:
            if column.endswith("_id") or column in ("name", "name_en", "value", "_source_file", "_source_sheet",
                                                    "evidence", "description", "pcf_reference", "validated_by"):
                strings += [str(v) for v in frame[column].dropna().unique()]
    lines = pd.read_parquet(out / "lines.parquet")
    for column in ("line_id", "factor_id", "source_file", "source_sheet"):
        strings += [str(v) for v in lines[column].dropna().unique()]
    strings += [Path(s).name for s in strings if "/" in s]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    strings += [i["sha256"] for i in manifest.get("inputs", [])]  # the input files' fingerprints
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    strings.append(ReportModel.fingerprint.fget(SimpleNamespace(results=results)))  # the cover's input fingerprint
    strings += [f["factor_id"] for f in results["factors_used"]]  # factor ids are named wherever a factor is
    checks = out / "checks.json"
    if checks.is_file():  # rule ids (ZC-01, MS-01B) name the rules like factor ids name factors
        strings += [r["rule_id"] for r in json.loads(checks.read_text(encoding="utf-8"))["results"]]
    return strings


def chemical_names() -> set[str]:
    """Gas designations (R-1234yf, HFC-134a) are names, the same in both languages."""
    from zcf.schema import load_schema

    return tokens([v.value for v in load_schema().enums["gas"].values])


def citation_strings(results: dict) -> list[str]:
    """The factors' sources, quoted in the factor register as the library records them."""
    return [str(f.get(k) or "") for f in results["factors_used"]
            for k in ("source", "url_or_doc", "factor_id", "url", "publisher", "document", "table", "read_in")]


def raw_codes(results: dict, lines: pd.DataFrame) -> set[str]:
    """Codes no reader should meet: statuses, enumeration values, activity ids, problem codes, metric names."""
    from zcf.checks.metrics import METRIC_NEEDS
    from zcf.problems import catalogue
    from zcf.schema import load_schema

    codes = {"missing_data", "not_applicable", "not_relevant", "not_calculated", "warn", "found-secondary",
             "recalled-unverified", "operational_control", "financial_control", "equity_share", "stationary_combustion",
             "mobile_combustion", "steam_heat", "scope2_location", "scope2_market", "co2e_t"}
    codes |= set(catalogue()) | set(METRIC_NEEDS) | set(load_schema().tables)
    codes |= {f["activity"] for f in results["factors_used"]} | set(lines["activity"].dropna())
    codes |= {v.value for e in load_schema().enums.values() for v in e.values if "_" in v.value}
    return {c for c in codes if re.search(r"[_.\-]", c) or c == "warn"}


def foreign_in_chinese(page_text: str, allowed: set[str], quoted: list[str] = ()) -> set[str]:
    """Latin words that are neither allowed nor a piece of a quoted id (a hash or id the layout broke: SUP009 → SU, P0)."""
    hashes = "SHA-256" in page_text  # the cover's fingerprint and the inputs' hashes, broken across lines

    def piece_of_quoted(word: str) -> bool:
        return bool(re.fullmatch(r"[A-Z0-9]+" + (r"|[0-9a-f]+" if hashes else ""), word)) and any(word in q for q in quoted)

    return {w for w in LATIN.findall(page_text) if w not in allowed and not piece_of_quoted(w)}


def foreign_in_english(page_text: str, allowed: list[str]) -> set[str]:
    return {run for run in CJK.findall(page_text) if not any(run in s for s in allowed)}


def tokens(strings: list[str]) -> set[str]:
    return {w for s in strings for w in LATIN.findall(s)}


def assert_one_language(out: Path, pdf: Path, lang: str) -> None:
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    lines = pd.read_parquet(out / "lines.parquet")
    texts = pages(pdf)
    heading, after = ("排放因子清单", "数据质量与缺口") if lang == "zh" else ("Factor register", "Data quality and gaps")
    factor_pages = section_pages(texts, heading, after)
    users, citations = user_strings(out), citation_strings(results)
    codes = raw_codes(results, lines) - tokens(users) - set(users)
    problems = {}
    for number, text in enumerate(texts, start=1):
        quoted = users + (citations if number in factor_pages else [])
        if lang == "zh":
            wrong = foreign_in_chinese(text, VOCABULARY | chemical_names() | tokens(quoted), quoted)
        else:
            wrong = foreign_in_english(text, quoted)
        wrong |= {c for c in CODE.findall(text) if c in codes and not any(c in s for s in quoted)}
        if wrong:
            problems[number] = sorted(wrong)
    assert not problems, f"{lang} report, other-language or raw-code strings by page: {problems}"


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("language")
    result = invoke(["--config", SAMPLE_ZH.parent.parent / "zcf.toml", "run", SAMPLE_ZH, "-o", out])
    assert result.exit_code == 0, result.stdout + result.stderr
    render_reports(out, out / "en", ["pdf", "xlsx"], "en", EPOCH)
    return out, result.stdout


# --- one language --------------------------------------------------------------------


def test_chinese_report_has_no_english_and_no_codes(sample):
    out, _ = sample
    assert_one_language(out, out / "report.pdf", "zh")


def test_english_report_has_no_chinese_and_no_codes(sample):
    out, _ = sample
    assert_one_language(out, out / "en" / "report.pdf", "en")


def test_the_language_check_finds_strays(sample):
    """The check above can fail: an English status or a raw code on a Chinese page is caught."""
    out, _ = sample
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    codes = raw_codes(results, pd.read_parquet(out / "lines.parquet"))
    assert foreign_in_chinese("状态 pass 通过", VOCABULARY) == {"pass"}
    assert "stationary_combustion" in codes and "material.steel" in codes and "missing_data" in codes
    assert foreign_in_english("Status 通过", []) == {"通过"}


def test_label_catalogues_are_complete():
    from zcf.report.labels import catalogue

    def keys(table, prefix=""):
        out = set()
        for key, value in table.items():
            if isinstance(value, dict) and key != "enum_value":  # English names of enum values; Chinese ones are the schema's
                out |= keys(value, f"{prefix}{key}.")
            elif not isinstance(value, dict):
                out.add(prefix + key)
        return out

    labels = catalogue()
    assert keys(labels["en"]) == keys(labels["zh"])


def test_every_activity_and_unit_of_the_library_has_a_name():
    from zcf.factors import library
    from zcf.report.labels import words

    for lang in ("en", "zh"):
        w = words(lang)
        for factor in library():
            name = w.activity(factor.activity)
            assert name != factor.activity and "_" not in name and "." not in name.replace("..", ""), (lang, factor.activity)
        assert w.unit("kgCO2e/night") == ("kgCO2e/间夜" if lang == "zh" else "kgCO2e/night")


def test_chinese_statuses(sample):
    out, _ = sample
    text = "".join(pages(out / "report.pdf"))
    for status in ("通过", "警示", "缺少数据"):
        assert status in text
    workbook = load_workbook(out / "report.xlsx", read_only=True)
    statuses = {row[11] for row in workbook["检查"].iter_rows(min_row=2, values_only=True)}
    assert statuses <= {"通过", "未通过", "警示", "不适用", "缺少数据"}, statuses


# --- facts, not instructions ---------------------------------------------------------


def test_pdf_states_facts_and_leaves_instructions_to_the_todo_list(sample):
    out, stdout = sample
    zh, en = "".join(pages(out / "report.pdf")), "".join(pages(out / "en" / "report.pdf"))
    for text in (zh, en):
        assert "zcf.toml" not in text and "not_relevant" not in text
    assert "请" not in zh  # no "please fill …" in the disclosure
    assert not re.search(r"\b(fill|add a row|give a reason)\b", en)
    assert "无上游租赁资产" in zh and "No upstream leased assets" in en  # [scope3.not_relevant] as a fact
    checks = json.loads((out / "checks.json").read_text(encoding="utf-8"))
    assert checks["todo"] and all({"kind", "ref", "severity", "en", "zh"} <= set(i) for i in checks["todo"])
    assert any(i["kind"] == "check" and i["ref"] == "MS-03B" for i in checks["todo"])  # missing data: what to give
    assert "To do before handing the pack over" in stdout
    todo = list(load_workbook(out / "report.xlsx", read_only=True)["待办"].iter_rows(min_row=2, values_only=True))
    assert len(todo) == len(checks["todo"]) and any("请提供" in (row[4] or "") for row in todo)


def test_console_speaks_the_users_language_and_lists_the_todo(sample, tmp_path):
    import shutil

    out = tmp_path / "copy"  # zcf check removes the reports made from older checks: keep the module's own
    shutil.copytree(sample[0], out)
    result = invoke(["check", out], lang="zh")
    assert "通过" in result.stdout and "缺少数据" in result.stdout and "交付前待办事项" in result.stdout
    assert "missing_data" not in result.stdout and "请提供" in result.stdout


def test_scope3_gap_is_a_fact_in_the_report_and_a_task_in_the_todo_list(tmp_path):
    from zcf.checks.todo import scope3_items

    status = {"10": {"name": "Processing of sold products", "name_zh": "售出产品的加工", "status": "not_calculated",
                     "reason": "no data", "reason_zh": "无数据", "needs": None},
              "4": {"name": "Upstream transportation and distribution", "name_zh": "上游运输和配送",
                    "status": "not_calculated", "reason": "no data", "reason_zh": "无数据", "needs": "transport"}}
    items = scope3_items(status)
    assert "[scope3.not_relevant]" in items[0]["en"] and "运输表" in items[1]["zh"]


# --- checks ----------------------------------------------------------------------------


def test_check_table_has_titles_sources_and_numeric_measured_values(sample):
    out, _ = sample
    checks = json.loads((out / "checks.json").read_text(encoding="utf-8"))
    zc01 = next(r for r in checks["results"] if r["rule_id"] == "ZC-01" and r["pack"] == "cn-zcf")
    text = "".join(pages(out / "report.pdf"))
    assert "单位能耗碳排放（基本要求）" in text and zc01["source_zh"] in text.replace("\n", "")
    assert "二手报道" in text  # evidence tag
    workbook = load_workbook(out / "report.xlsx")
    sheet = workbook["检查"]
    header = [c.value for c in sheet[1]]
    measured, threshold, title = header.index("测得值"), header.index("阈值"), header.index("名称")
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    row = rows["ZC-01"]
    assert row[title].value == "单位能耗碳排放（基本要求）"
    assert row[measured].data_type == "n" and row[measured].value == pytest.approx(zc01["measured"])
    assert row[threshold].value == 1.8
    share = rows["ZC-02"]
    assert share[measured].data_type == "n" and share[measured].number_format == "0.0%"


# --- layout ----------------------------------------------------------------------------


def test_table_headers_repeat_and_no_page_holds_a_single_row(sample):
    out, _ = sample
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    texts = pages(out / "report.pdf")
    factor_pages = section_pages(texts, "排放因子清单", "数据质量与缺口")
    assert len(factor_pages) > 1
    ids = [f["factor_id"] for f in results["factors_used"]]
    for number in factor_pages:
        text = texts[number - 1]
        assert re.search(r"因子\s+活动\s+地区\s+年份\s+数值\s+单位\s+出处\s+可信度", text), number  # the header, again
        # a row starts with (the first wrapped piece of) a factor id; user factors' ids start with "user:"
        rows = sum(1 for line in text.splitlines() if line.split() and len(line.split()[0]) >= 3
                   and any(i.startswith(line.split()[0]) for i in ids))
        assert rows >= 2, f"page {number} holds {rows} factor row(s)"


def test_ids_wrap_at_their_separators_only(sample):
    from zcf.report.model import load_model
    from zcf.report.pdf import render_html, wrap_id

    assert str(wrap_id("CN_GRID_AVG_2023")) == "CN_<wbr>GRID_<wbr>AVG_<wbr>2023"
    assert str(wrap_id("<b>x_y</b>")) == "&lt;b&gt;x_<wbr>y&lt;/<wbr>b&gt;"  # escaped first
    out, _ = sample
    html = render_html(load_model(out, "zh", "2025-11-24"), None)
    assert "CN_<wbr>GRID_<wbr>AVG_<wbr>2023" in html
    assert "<thead>" in html and "display: table-header-group" in html


def test_summary_page_holds_the_key_figures_and_the_scope_chart(sample):
    out, _ = sample
    summary = pages(out / "report.pdf")[2]
    for heading in ("摘要", "关键数据", "各范围排放", "按站点"):
        assert heading in summary


def inked_extent(png: Path) -> float:
    """How far down the page body (between header and footer) the lowest mark is: 0 empty, 1 full."""
    from PIL import Image

    image = Image.open(png).convert("L")
    width, height = image.size
    top, bottom = int(height * 0.06), int(height * 0.92)
    inked = [y for y in range(top, bottom) if min(image.getpixel((x, y)) for x in range(0, width, 2)) < 200]
    return (max(inked) - top) / (bottom - top) if inked else 0.0


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_pages_render_and_the_summary_page_is_full(sample, tmp_path):
    out, _ = sample
    for pdf, name in ((out / "report.pdf", "zh"), (out / "en" / "report.pdf", "en")):
        subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / name)], check=True)
        images = sorted(tmp_path.glob(f"{name}-*.png"))
        assert len(images) == len(PdfReader(pdf).pages) <= 30  # a short document; the factor register cites publisher, document, table
        # and URL of ~75 factors, and the sample's four products have a PCF statement each
        assert inked_extent(images[2]) > 0.65, name  # key figures, scope chart and sites fill the summary page


def test_one_number_rule():
    from zcf.report.numbers import fmt_number

    assert [fmt_number(v) for v in (6203839.3, 30880.6, 80.75, 3.4526, 0.5462, 0.0031234, 0, 12)] == \
        ["6,203,839", "30,881", "80.8", "3.45", "0.546", "0.00312", "0", "12"]


def test_charts_use_the_number_rule(sample):
    out, _ = sample
    for svg in (out / "charts").glob("*.svg"):
        assert not re.search(r">-?[\d,.]+[kM]<", svg.read_text(encoding="utf-8")), svg.name  # no 24.8k next to 80.75


# --- PDF metadata, tags, archival variant ----------------------------------------------


def test_pdf_metadata_language_and_tags(sample):
    out, _ = sample
    for path, lang, company in ((out / "report.pdf", "zh-CN", "示例汽车集团有限公司"),
                                (out / "en" / "report.pdf", "en", "Example Automotive Group Co., Ltd.")):
        reader = PdfReader(path)
        assert company in reader.metadata.title and reader.metadata.author == company
        catalog = reader.trailer["/Root"]
        assert catalog["/Lang"] == lang
        assert "/StructTreeRoot" in catalog and catalog["/MarkInfo"]["/Marked"]  # tagged


def test_pdf_a3b_carries_results_and_lines(sample, tmp_path):
    out, _ = sample
    result = invoke(["report", out, "--format", "pdf", "--pdf-variant", "pdf/a-3b", "-o", tmp_path])
    assert result.exit_code == 0, result.stdout + result.stderr
    reader = PdfReader(tmp_path / "report.pdf")
    attachments = reader.attachments
    assert attachments["results.json"][0] == (out / "results.json").read_bytes()
    assert attachments["lines.csv"][0] == (out / "lines.csv").read_bytes()
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r'pdfaid:part(="|>)3', xmp) and re.search(r'pdfaid:conformance(="|>)B', xmp)
    catalog = reader.trailer["/Root"]
    assert "/OutputIntents" in catalog and len({f.idnum for f in catalog["/AF"]}) == 2  # sRGB; associated files
    assert invoke(["report", out, "--pdf-variant", "pdf/x", "-o", tmp_path]).exit_code == 2
    first, second = tmp_path / "a", tmp_path / "b"
    for folder in (first, second):
        render_reports(out, folder, ["pdf"], "en", EPOCH, "pdf/a-3b")
    assert (first / "report.pdf").read_bytes() == (second / "report.pdf").read_bytes()  # attachments dated too


# --- a parts maker: per piece, never per vehicle ---------------------------------------

PARTS = {
    "organization.csv": "field,value\ncompany_name,示例制动盘有限公司\ncompany_name_en,Example Brake Discs Ltd.\n"
                        "reporting_year,2025\nrevenue,420000000\n",
    "sites.csv": "site_id,name,name_en,province\nWX01,无锡制动盘工厂,Wuxi brake-disc plant,江苏\n",
    "energy.csv": "site_id,period,energy_type,quantity,unit,meter_id\n"
                  + "".join(f"WX01,2025-{m:02d},electricity,{610000 + 5000 * m},kWh,E-01\n" for m in range(1, 13))
                  + "WX01,2025,natural_gas,41.5,万m3,G-01\n",
    "production.csv": "site_id,period,product_id,quantity,unit\n"
                      + "".join(f"WX01,2025-{m:02d},BD-330,{110000 + 1000 * m},件\n" for m in range(1, 13)),
    "suppliers.csv": "supplier_id,name\nSUP01,示例铸铁有限公司\n",
    "purchases.csv": "supplier_id,item_id,category,material,quantity,unit\nSUP01,FE-CAST,1,steel,14200,t\n",
    "bom.csv": "product_id,item_id,quantity_per_unit,unit\nBD-330,FE-CAST,9.6,kg\n",
}


@pytest.fixture(scope="module")
def parts_maker(tmp_path_factory):
    folder = tmp_path_factory.mktemp("parts")
    data = folder / "in"
    data.mkdir()
    for name, text in PARTS.items():
        (data / name).write_text(text, encoding="utf-8")
    out = folder / "out"
    result = invoke(["run", data, "-o", out, "--lang", "zh"])
    assert result.exit_code == 0, result.stdout + result.stderr
    render_reports(out, out / "en", ["pdf", "xlsx"], "en", EPOCH)
    return out


def test_parts_maker_intensities_are_per_piece(parts_maker):
    out = parts_maker
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert "per_vehicle" not in results["intensity"] and results["intensity"]["per_unit_produced"]["unit"] == "piece"
    zh, en = "".join(pages(out / "report.pdf")), "".join(pages(out / "en" / "report.pdf"))
    assert "范围一+二（基于市场）每件产品" in zh and "kgCO2e/件" in zh and "产品产量" in zh
    assert "辆" not in zh and "单车" not in zh
    assert "per piece produced" in en and "kgCO2e/piece" in en and "Pieces produced" in en
    assert "vehicle" not in en.lower()
    assert "Example Brake Discs Ltd." in en and "示例制动盘有限公司" not in en  # the English name, on every page header
    assert "Wuxi brake-disc plant" in en
    summary = {row[0]: row for row in load_workbook(out / "en" / "report.xlsx")["Summary"].iter_rows(min_row=2, values_only=True)}
    per_piece = summary["Scope 1+2 (market-based) per piece produced"]
    assert per_piece[1] == pytest.approx(results["intensity"]["per_unit_produced"]["scope1_2_market"] * 1000)
    assert per_piece[2] == "kgCO2e/piece"


def test_parts_maker_reports_are_in_one_language(parts_maker):
    assert_one_language(parts_maker, parts_maker / "report.pdf", "zh")
    assert_one_language(parts_maker, parts_maker / "en" / "report.pdf", "en")


def test_one_site_gives_a_compact_chart(parts_maker):
    svg = (parts_maker / "charts" / "sites.svg").read_text(encoding="utf-8")
    width = int(re.search(r'width="(\d+)"', svg)[1])
    assert width <= 320
