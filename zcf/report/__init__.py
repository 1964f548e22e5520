"""``zcf report``: the disclosure pack from OUT (results.json, lines, dataset, checks).

Writes ``report.pdf`` (weasyprint), ``report.xlsx`` (xlsxwriter) and the charts as SVG
files in ``charts/`` for slides, each wholly in one language (zh or en). The generation
date comes from ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else today's date.
``pdf_variant="pdf/a-3b"`` gives an archival PDF with results.json and lines.csv inside.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

FORMATS = ("pdf", "xlsx")
PDF_VARIANTS = ("pdf/a-3b",)


@dataclass
class ReportOutputs:
    files: list[Path] = field(default_factory=list)
    pages: int | None = None


def render_reports(out: Path, dest: Path, formats: list[str], lang: str, source_date_epoch: int | None,
                   pdf_variant: str | None = None, progress=None, advance=None) -> ReportOutputs:
    """The reports of ``formats`` in ``dest``; ``progress`` (zcf.progress) shows pages, sheets and lines, and
    ``advance`` is told each format done."""
    from zcf.io import write_bytes_atomic
    from zcf.progress import NO_PROGRESS
    from zcf.report.model import load_model

    progress = progress or NO_PROGRESS
    advance = advance or (lambda amount=1: None)

    if source_date_epoch is not None:
        moment = dt.datetime.fromtimestamp(source_date_epoch, tz=dt.timezone.utc)
        created = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    else:
        moment, created = dt.datetime.now(tz=dt.timezone.utc), None
    model = load_model(out, lang, moment.strftime("%Y-%m-%d"))
    outputs = ReportOutputs()
    dest.mkdir(parents=True, exist_ok=True)
    if "pdf" in formats:
        from zcf.report.pdf import write_pdf

        outputs.pages = write_pdf(model, dest / "report.pdf", created, pdf_variant, out, moment, progress)
        outputs.files.append(dest / "report.pdf")
        advance(1)
    if "xlsx" in formats:
        from zcf.report.excel import write_excel

        write_excel(model, dest / "report.xlsx", moment, progress)
        outputs.files.append(dest / "report.xlsx")
        advance(1)
    for chart in model.charts:
        path = dest / "charts" / f"{chart.name}.svg"
        write_bytes_atomic(path, chart.svg.encode("utf-8"))
        outputs.files.append(path)
    return outputs
