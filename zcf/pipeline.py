"""The four steps of the main job, each with its options resolved against zcf.toml.

files → ``ingest_step`` → dataset → ``calc_step`` → results and lines →
``check_step`` → checks.json → ``report_step`` → PDF and Excel.

Each step reads what the previous one wrote in OUT, so they can run one at a time
(``zcf ingest``, ``zcf calc`` ...) or together (``zcf run``). The CLI only parses
options and calls these; progress bars on stderr (zcf.progress) show the work: rows read,
lines calculated, pages rendered, sheets and lines written — only on a terminal, and not
with ``--quiet``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from zcf.config import Config
from zcf.env import Environment
from zcf.errors import ExitCode, ZcfError


@dataclass
class Step:
    env: Environment
    config: Config

    @property
    def progress(self):
        """Bars on stderr when it is a terminal and --quiet was not given; else a no-op (zcf.progress)."""
        from zcf.progress import for_environment

        if not hasattr(self, "_progress"):
            self._progress = for_environment(self.env)
        return self._progress


def ingest_step(step: Step, inputs: list[str], out: Path, year: int | None, allow_other_years: bool | None,
                encoding: str | None, force: bool = False):
    """Read and validate ``inputs`` into ``out`` (claimed as zcf's output folder first; see zcf.outputs)."""
    from zcf.ingest import IngestOptions, ingest, write_dataset
    from zcf.outputs import claim

    claim(out, force)
    config = step.config
    options = IngestOptions(
        year=year,
        allow_other_years=config.ingest.allow_other_years if allow_other_years is None else allow_other_years,
        encoding=encoding or config.ingest.encoding,
        outlier_ratio=config.ingest.outlier_ratio,
        exclude=[out],
    )
    with step.progress.task("Reading and validating inputs: rows", "正在读取并校验输入：行") as advance:
        report = ingest(inputs, options, config.organization.model_dump(), progress=lambda _file, rows: advance(rows))
    write_dataset(report, out, step.env.lang, force)
    return report


def calc_step(step: Step, out: Path):
    from zcf.calc import calculate, load_dataset, write_outputs
    from zcf.calc.context import CalcOptions

    config = step.config
    manifest, tables = load_dataset(out)
    options = CalcOptions(working_days=config.calc.working_days, not_relevant=dict(config.scope3.not_relevant),
                          fallback_regions=tuple(config.factors.fallback_regions), factors=config.factors.policy(),
                          allocation=config.products.allocation,
                          mass_balance_ratio=config.products.mass_balance_ratio,
                          footprint_scope2=config.products.scope2)
    with step.progress.task("Calculating: lines", "正在计算：明细行") as advance:
        report = calculate(manifest, tables, options, progress=lambda _step, lines: advance(completed=lines))
    write_outputs(report, out)
    return report


def check_step(step: Step, out: Path, rules: str | None, fail_on: str | None, junit: Path | None):
    from zcf.checks import FAIL_ON, junit_xml, load_inputs, run_checks, selected_packs
    from zcf.io import write_bytes_atomic, write_json_atomic
    from zcf.outputs import clear_downstream, run_record

    checks = step.config.checks
    level = fail_on or checks.get("fail_on") or "error"
    if level not in FAIL_ON:
        raise ZcfError(f"--fail-on {level}: use {', '.join(FAIL_ON)}", ExitCode.USAGE)
    packs = selected_packs(checks, [p.strip() for p in rules.split(",") if p.strip()] if rules else None)
    results, tables, lines = load_inputs(out)
    report = run_checks(results, tables, lines, packs, checks, level)
    clear_downstream(out, "check")
    report.run = {"inputs_sha256": run_record(out, ("results.json",))}
    write_json_atomic(out / "checks.json", report.to_dict())
    if junit is not None and str(junit) == "-":
        step.env.stdout.write(junit_xml(report))
    elif junit is not None:
        write_bytes_atomic(junit, junit_xml(report).encode("utf-8"))
    return report


def report_formats(value: str | None, default: list[str]) -> list[str]:
    from zcf.report import FORMATS

    chosen = [f.strip().lower() for f in value.split(",") if f.strip()] if value else list(default)
    if chosen in (["both"], ["all"]):
        chosen = list(FORMATS)
    if not chosen or any(f not in FORMATS for f in chosen):
        raise ZcfError(f"--format {value}: use {', '.join(FORMATS)}, both, or a comma-separated list", ExitCode.USAGE)
    return list(dict.fromkeys(chosen))


def report_step(step: Step, out: Path, formats: str | None, lang: str | None, dest: Path | None,
                pdf_variant: str | None = None):
    """Render the reports; returns the outputs and the seconds it took."""
    from zcf.report import PDF_VARIANTS, render_reports

    lang = lang or step.config.report.lang
    if lang not in ("zh", "en"):
        raise ZcfError(f"--lang {lang}: use zh or en", ExitCode.USAGE)
    if pdf_variant is not None and pdf_variant.lower() not in PDF_VARIANTS:
        raise ZcfError(f"--pdf-variant {pdf_variant}: use {', '.join(PDF_VARIANTS)}", ExitCode.USAGE)
    chosen = report_formats(formats, step.config.report.formats)
    if dest is not None and dest.resolve() != out.resolve():
        from zcf.outputs import claim

        claim(dest)
    from zcf.outputs import clear_downstream

    clear_downstream(dest or out, "check")
    started = time.perf_counter()
    with step.progress.task("Rendering the reports", "正在生成报告", total=len(chosen)) as advance:
        outputs = render_reports(out, dest or out, chosen, lang, step.env.source_date_epoch,
                                 pdf_variant.lower() if pdf_variant else None, step.progress, advance)
    return outputs, time.perf_counter() - started
