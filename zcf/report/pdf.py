"""The PDF disclosure pack: jinja2 HTML from templates/report/, rendered by weasyprint.

Safety: jinja2 autoescapes every value, so text from input files (supplier names,
comments) is shown literally; weasyprint gets a URL fetcher that serves nothing but
files inside the templates folder — no network, no other local files.
"""

from __future__ import annotations

from pathlib import Path

from zcf.report.model import ReportModel, fmt_pct, fmt_t
from zcf.resources import templates_dir

SECTIONS = ("summary", "charts", "methodology", "factors", "data-quality", "checks", "products", "inputs", "appendix")
_SECTION_LABEL = {"summary": "summary", "charts": "charts", "methodology": "methodology", "factors": "factor_register",
                  "data-quality": "data_quality", "checks": "checks", "products": "products", "inputs": "inputs",
                  "appendix": "appendix"}


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_html(model: ReportModel, created: str | None) -> str:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    folder = templates_dir() / "report"
    env = Environment(
        loader=FileSystemLoader(folder),
        autoescape=select_autoescape(["html", "xml", "j2"], default_for_string=True),
        undefined=StrictUndefined,
    )
    t = model.text
    if model.lang == "zh":
        page_counter = '"第 " counter(page) " 页，共 " counter(pages) " 页"'
    else:
        page_counter = f'{_css_string(t["page"] + " ")} counter(page) {_css_string(" " + t["of"] + " ")} counter(pages)'
    return env.get_template("report.html.j2").render(
        t=t,
        r=model.results,
        org=model.org,
        css=(folder / "report.css").read_text(encoding="utf-8"),
        page_counter=page_counter,
        created=created,
        generated=model.generated,
        boundary=model.boundary,
        fingerprint=model.fingerprint,
        sections=[(s, t[_SECTION_LABEL[s]]) for s in SECTIONS],
        key_figures=model.key_figures(),
        charts=model.charts,
        scope3_rows=model.scope3_rows(),
        factor_rows=model.factor_rows(),
        provenance_rows=model.provenance_rows(),
        factor_policy_rows=model.factor_policy_rows(),
        cat1_rows=model.cat1_rows(),
        problem_rows=model.problem_rows(),
        reconciliation_rows=model.reconciliation_rows(),
        reconciliation_reasons=model.reconciliation_reasons(),
        check_rows=model.check_rows(),
        product_rows=model.product_rows(),
        batch_rows=model.batch_rows(),
        incomplete_rows=model.incomplete_rows(),
        input_rows=model.input_rows(),
        top_lines=model.top_lines(),
        fmt=fmt_t,
        pct=fmt_pct,
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


def write_pdf(model: ReportModel, path: Path, created: str | None) -> int:
    """Render the PDF to ``path`` atomically; returns the number of pages."""
    import logging

    from weasyprint import HTML

    from zcf.io import write_bytes_atomic

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    html = render_html(model, created)
    document = HTML(string=html, base_url=str(templates_dir() / "report") + "/", url_fetcher=safe_fetcher()).render()
    write_bytes_atomic(path, document.write_pdf())
    return len(document.pages)
