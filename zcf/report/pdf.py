"""The PDF disclosure pack: jinja2 HTML from templates/report/, rendered by weasyprint.

Safety: jinja2 autoescapes every value, so text from input files (supplier names,
comments) is shown literally; weasyprint gets a URL fetcher that serves nothing but
files inside the templates folder — no network, no other local files.

The PDF carries its title, author (the company) and language, and is tagged (structure
for screen readers and reflow). ``pdf/a-3b`` makes an archival PDF/A-3b with
``results.json`` and ``lines.csv`` embedded, so the figures travel with the document.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

from markupsafe import Markup, escape

from zcf.report import PDF_VARIANTS, checks_view, sections
from zcf.report.figures import SUMMARY_CHART
from zcf.report.model import ReportModel
from zcf.report.numbers import fmt_change, fmt_number, fmt_pct
from zcf.resources import templates_dir

SECTIONS = ("summary", "charts", "methodology", "factors", "data-quality", "checks", "products", "inputs", "appendix")
_SECTION_LABEL = {"summary": "summary", "charts": "charts", "methodology": "methodology", "factors": "factor_register",
                  "data-quality": "data_quality", "checks": "checks", "products": "products", "inputs": "inputs",
                  "appendix": "appendix"}
ATTACHMENTS = (("results.json", "application/json", "Every figure of the report (zcf results)"),
               ("lines.csv", "text/csv", "The calculation lines every figure is the sum of"))
_SEPARATORS = re.compile(r"([_./:\\-])")


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def wrap_id(value) -> Markup:
    """An id (factor, file, product) that may break after its separators, never inside a word."""
    return Markup(_SEPARATORS.sub(r"\1<wbr>", str(escape(value if value is not None else ""))))


def factor_value(value) -> str:
    """A factor as its source states it (0.5306, 389.31): significant digits kept, no rounding."""
    return f"{value:,.6g}" if abs(value) >= 1000 else f"{value:.6g}"


# The PDF shows the largest rows of every table that grows with the inputs; all rows are in
# report.xlsx (and the lines in lines.csv / lines.parquet), which a note under the table says.
PDF_ROWS = {"sites": 40, "factors": 80, "batches": 60, "products": 40, "pcf": 12, "inputs": 40, "named": 12}


def _largest(rows: list[dict], limit: int, size) -> list[dict]:
    """The ``limit`` rows of largest ``size``, in their own order."""
    if len(rows) <= limit:
        return rows
    keep = set(sorted(range(len(rows)), key=lambda i: -abs(size(rows[i]) or 0.0))[:limit])
    return [row for i, row in enumerate(rows) if i in keep]


def _factor_weights(model: ReportModel) -> dict[str, float]:
    """tCO2e of the lines behind each factor (a composite id A+B+C counts for each part)."""
    weights: dict[str, float] = {}
    if model.lines.empty:
        return weights
    for factor_id, tco2e in model.lines.groupby("factor_id")["co2e_t"].sum().items():
        for part in str(factor_id).split("+"):
            weights[part] = weights.get(part, 0.0) + abs(tco2e)
    return weights


def capped(model: ReportModel) -> dict:
    """The rows of each growing table that the PDF shows, and the note that says how many there are."""
    t = model.text
    notes: dict[str, str] = {}

    def cap(name: str, rows: list[dict], sheet: str, size) -> list[dict]:
        shown = _largest(rows, PDF_ROWS[name], size)
        if len(shown) < len(rows):
            notes[name] = t["shown_of"].format(shown=len(shown), count=len(rows), sheet=t[sheet])
        return shown

    weights = _factor_weights(model)
    named = PDF_ROWS["named"]

    def few(ids: list[str]) -> list[str]:
        """At most PDF_ROWS["named"] ids, the last saying how many more there are."""
        return ids if len(ids) <= named else [*ids[:named], t["and_more"].format(count=len(ids) - named)]

    reasons = sections.reconciliation_reasons(model)
    notes_rows = sections.note_rows(model)
    for row in (*reasons, *notes_rows):
        row["factors"] = few(sorted(row["factors"], key=lambda f: -weights.get(f, 0.0)))
    products = cap("products", sections.product_rows(model), "sheet_products", lambda p: p["tco2e"])
    shown_products = {p["product"] for p in products}
    statements = cap("pcf", sections.pcf_statements(model), "sheet_pcf",
                     lambda s: (s["per_unit"] or 0.0) * (s["units"] or 0.0))
    rows = {
        "site_rows": cap("sites", model.site_rows(), "sheet_sites",
                         lambda s: (s["scope1"] or 0.0) + (s["scope2_market"] or 0.0) + (s["scope3"] or 0.0)),
        "factor_rows": cap("factors", sections.factor_rows(model), "sheet_factors", lambda f: weights.get(f["factor_id"])),
        "batch_rows": cap("batches", sections.batch_rows(model), "sheet_products", lambda b: b["tco2e"]),
        "product_rows": products,
        "incomplete_rows": [r for r in sections.incomplete_rows(model) if r["product"] in shown_products],
        "pcf_statements": statements,
        "input_rows": cap("inputs", sections.input_rows(model), "sheet_inputs", lambda i: i["size"]),
        "reconciliation_reasons": reasons,
        "note_rows": notes_rows,
    }
    for statement in statements:
        statement["missing"] = few(statement["missing"])
    rows["top_lines"] = sections.top_lines(model)
    notes["lines"] = t["lines_shown_of"].format(shown=len(rows["top_lines"]), count=len(sections.counted_lines(model.lines)),
                                                sheet=t["sheet_lines"])
    rows["more"] = notes
    return rows


def render_html(model: ReportModel, created: str | None) -> str:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    folder = templates_dir() / "report"
    env = Environment(
        loader=FileSystemLoader(folder),
        autoescape=select_autoescape(["html", "xml", "j2"], default_for_string=True),
        undefined=StrictUndefined,
    )
    env.filters.update(num=fmt_number, pct=fmt_pct, change=fmt_change, wrap=wrap_id, factor=factor_value)
    t = model.text
    if model.lang == "zh":
        page_counter = '"第 " counter(page) " 页，共 " counter(pages) " 页"'
    else:
        page_counter = f'{_css_string(t["page"] + " ")} counter(page) {_css_string(" " + t["of"] + " ")} counter(pages)'
    summary_chart = next((c for c in model.charts if c.name == SUMMARY_CHART), None)
    return env.get_template("report.html.j2").render(
        t=t,
        r=model.results,
        org=model.org,
        company=model.company_name,
        title=model.title,
        css=(folder / "report.css").read_text(encoding="utf-8"),
        page_counter=page_counter,
        created=created,
        generated=model.generated,
        boundary=model.boundary,
        assurance=model.assurance,
        fingerprint=model.fingerprint,
        sections=[(s, t[_SECTION_LABEL[s]]) for s in SECTIONS],
        key_figures=model.key_figures(),
        summary_chart=summary_chart,
        charts=[c for c in model.charts if c is not summary_chart],
        residual_factors=model.residual_factors,
        scope3_rows=model.scope3_rows(),
        memo_rows=model.memo_rows(),
        provenance_rows=sections.provenance_rows(model),
        factor_policy_rows=sections.factor_policy_rows(model),
        cat1_rows=sections.cat1_rows(model),
        reconciliation_rows=sections.reconciliation_rows(model),
        check_sections=checks_view.check_sections(model),
        **capped(model),
    )


def safe_fetcher():
    """A weasyprint URL fetcher that only serves files from the templates folder."""
    import weasyprint.urls as urls

    root = templates_dir().resolve()

    def allowed(url: str) -> Path:
        if not url.startswith("file://"):
            raise ValueError(f"zcf reports fetch no external resources: {url[:80]}")
        from urllib.parse import unquote, urlsplit

        path = Path(unquote(urlsplit(url).path)).resolve()
        if root != path and root not in path.parents:
            raise ValueError(f"zcf reports read no files outside the templates folder: {path}")
        return path

    if hasattr(urls, "URLFetcher"):  # weasyprint ≥ 66: fetchers are URLFetcher instances

        class TemplatesOnly(urls.URLFetcher):
            def fetch(self, url, headers=None):
                path = allowed(url)
                return urls.URLFetcherResponse(url, body=path.read_bytes())

            __call__ = fetch

        return TemplatesOnly(allowed_protocols=["file"])

    def fetch(url: str) -> dict:  # older weasyprint: a function returning a dict
        return {"string": allowed(url).read_bytes(), "redirected_url": url}

    return fetch


def attachments(out: Path, moment):
    """results.json and lines.csv of OUT as PDF attachments (dated ``moment`` for reproducible bytes)."""
    from weasyprint import Attachment

    naive = moment.replace(tzinfo=None) if moment is not None else None
    found = []
    for name, _media_type, description in ATTACHMENTS:
        path = out / name
        if path.is_file():
            found.append(Attachment(string=path.read_bytes(), name=name, description=description,
                                    created=naive, modified=naive, relationship="Data"))
    return found


def write_pdf(model: ReportModel, path: Path, created: str | None, variant: str | None = None,
              out: Path | None = None, moment=None, progress=None) -> int:
    """Render the PDF to ``path`` atomically; returns the number of pages.

    Tagged, with title, author and language; ``variant`` ``pdf/a-3b`` also embeds OUT's
    results.json and lines.csv.
    """
    import logging

    from weasyprint import HTML

    from zcf.io import write_bytes_atomic

    if variant is not None and variant not in PDF_VARIANTS:
        raise ValueError(f"unknown PDF variant {variant!r}; known: {', '.join(PDF_VARIANTS)}")
    from zcf.progress import NO_PROGRESS

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    html = render_html(model, created)
    with (progress or NO_PROGRESS).task("Rendering report.pdf: pages", "正在生成 report.pdf：页") as advance, \
            _pages_to(advance):
        document = HTML(string=html, base_url=str(templates_dir() / "report") + "/", url_fetcher=safe_fetcher()).render()
        options = {"pdf_tags": True}
        if variant:
            options |= {"pdf_variant": variant, "attachments": attachments(out, moment) if out else []}
        write_bytes_atomic(path, document.write_pdf(**options))
    return len(document.pages)


@contextmanager
def _pages_to(advance):
    """Tell ``advance`` of each page laid out (weasyprint logs "Step 5 - Creating layout - Page N")."""
    import logging

    logger = logging.getLogger("weasyprint.progress")

    class Pages(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if isinstance(record.msg, str) and record.msg.startswith("Step 5") and record.args:
                advance(completed=record.args[0])

    handler, level, propagate = Pages(), logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate
