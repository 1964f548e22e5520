"""The ``zcf`` command line: parses options and calls the package. No logic lives here.

Heavy libraries (pandas, openpyxl, pyarrow, weasyprint) are imported inside the
commands that need them, so ``zcf --help`` stays fast.
"""

from __future__ import annotations

if __name__ == "__main__":  # python -m zcf.cli: run the zcf.cli module the command groups import, not a copy
    from zcf.cli import main as _main

    _main()
    raise SystemExit(0)

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Callable, Optional

import typer

from zcf import __version__
from zcf.env import Environment
from zcf.errors import ExitCode, ZcfError

app = typer.Typer(
    name="zcf",
    help="Carbon and ESG disclosure toolkit: validated ingest of your spreadsheets, "
    "GHG inventory (Scope 1/2/3), checks and bilingual reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@dataclass
class State:
    env: Environment
    config_path: Path | None = None
    lang_given: bool = False  # --lang was given (before or after the command)

    def apply(self, lang: str | None = None, config: Path | None = None, quiet: bool = False) -> None:
        """--lang, --config and --quiet given after the command (they win over the ones before it)."""
        if quiet:
            self.env.progress = False
        if lang is not None:
            if lang not in ("en", "zh"):
                raise typer.BadParameter("use en or zh", param_hint="--lang")
            self.env.lang = lang
            self.lang_given = True
        if config is not None:
            self.config_path = config

    def report_lang(self, lang: str | None) -> str | None:
        """The report's language: --lang of the command, else a --lang before it, else zcf.toml's."""
        return lang or (self.env.lang if self.lang_given else None)

    def config(self):
        from zcf.config import load_config

        return load_config(self.config_path, self.env.cwd)

    def step(self):
        from zcf.pipeline import Step

        return Step(self.env, self.config())


def _state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        env = root.obj if isinstance(root.obj, Environment) else Environment.from_os()
        root.obj = State(env=env)
    return root.obj


def handles_errors(fn: Callable) -> Callable:
    """Turn user mistakes into a one-line message and exit code; hide tracebacks (unless ZCF_DEBUG=1)."""

    @functools.wraps(fn)
    def wrapper(ctx: typer.Context, *args: Any, **kwargs: Any) -> Any:
        state = _state(ctx)
        try:
            return fn(ctx, *args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except ZcfError as exc:
            console = state.env.console(stderr=True)
            from rich.text import Text

            console.print(Text(f"zcf: {exc.message}", style="bold red"), soft_wrap=True)  # the terminal wraps it
            if exc.hint:
                console.print(Text(exc.hint), soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            raise typer.Exit(ExitCode.INTERRUPTED) from None
        except Exception as exc:
            if state.env.debug or _is_usage_error(exc):
                raise  # usage errors are click's to report (exit 2); typer vendors click in newer versions
            from rich.text import Text

            console = state.env.console(stderr=True)
            if isinstance(exc, MemoryError):
                from zcf.problems import Problem

                problem = Problem("out-of-memory", params={"command": f"zcf {ctx.info_name}", "peak_mb": _peak_mb()})
                console.print(Text(f"zcf: {problem.message(state.env.lang)}", style="bold red"), soft_wrap=True)
                raise typer.Exit(ExitCode.RESOURCES) from None
            if isinstance(exc, OSError) and exc.filename:  # the environment: a read-only folder, a full disk
                console.print(Text(f"zcf: cannot use {exc.filename}: {exc.strerror or exc}", style="bold red"),
                              soft_wrap=True)
                raise typer.Exit(ExitCode.INVALID) from None
            console.print(
                Text(
                    f"zcf: internal error ({exc.__class__.__name__}: {exc}). This is a bug in zcf; "
                    "please report it with the command you ran. Set ZCF_DEBUG=1 to see the traceback.",
                    style="bold red",
                )
            )
            raise typer.Exit(ExitCode.INTERNAL) from None

    return wrapper


def _peak_mb() -> str:
    """This process's peak resident memory in MB, as text ("?" where the platform does not say: Windows)."""
    import sys

    try:
        import resource
    except ImportError:
        return "?"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux, bytes on macOS
    return f"{peak // (1 << 20) if sys.platform == 'darwin' else peak // 1024:,}"


def _is_usage_error(exc: Exception) -> bool:
    return type(exc).__module__.split(".")[0] in ("click", "typer") and hasattr(exc, "exit_code")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"zcf {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    version: Annotated[
        Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = None,
    lang: Annotated[
        Optional[str], typer.Option("--lang", help="Language of messages: en or zh (default: ZCF_LANG or the locale).")
    ] = None,
    config: Annotated[
        Optional[Path], typer.Option("--config", help="zcf.toml to use (default: ./zcf.toml if present).")
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bars on standard error (they show only on a terminal).")
    ] = False,
) -> None:
    _state(ctx).apply(lang, config, quiet)


LangOption = Annotated[str, typer.Option("--lang", "-l", help="Header language: zh, en or both.")]


def _check_template_lang(lang: str) -> str:
    if lang not in ("zh", "en", "both"):
        raise typer.BadParameter("use zh, en or both", param_hint="--lang")
    return lang


@app.command()
@handles_errors
def init(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help="Folder for the new project (created if missing).")],
    lang: LangOption = "zh",
    company: Annotated[str, typer.Option(help="Company name written into zcf.toml.")] = "示例公司",
    year: Annotated[Optional[int], typer.Option(help="Reporting year (default: last year).")] = None,
    force: Annotated[bool, typer.Option(help="Overwrite existing files.")] = False,
) -> None:
    """Create a project: a commented zcf.toml and a blank input workbook.

    Example:

        zcf init my-inventory --company "某汽车零部件有限公司" --year 2025
    """
    from zcf.scaffold.project import init_project

    env = _state(ctx).env
    written = init_project(directory, _check_template_lang(lang), company, year, force)
    console = env.console()
    for path in written:
        console.print(env.t(f"wrote {path}", f"已写入 {path}"))
    command = f"zcf --config {written[0]} run {written[1]} -o {directory / 'out'}"
    console.print(env.t(f"Next: fill in {written[1]}, then run  {command}", f"下一步：填写 {written[1]}，然后运行  {command}"),
                  soft_wrap=True)


@app.command()
@handles_errors
def template(
    ctx: typer.Context,
    tables: Annotated[Optional[list[str]], typer.Argument(help="Tables to include (default: all).")] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Workbook to write (.xlsx).")] = Path("zcf_template.xlsx"),
    lang: LangOption = "zh",
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing workbook.")] = False,
) -> None:
    """Write a blank input workbook with drop-down lists and header notes.

    Tables may be given by English or Chinese name (energy, 能源, sites, ...).

    Example:

        zcf template energy sites -o energy.xlsx --lang both
    """
    from zcf.scaffold.template import write_template
    from zcf.schema import load_schema

    env = _state(ctx).env
    schema = load_schema()
    names = []
    for given in tables or []:
        spec = schema.table_for_name(given)
        if spec is None:
            hint = schema.table_suggestions(given)
            raise ZcfError(
                f"unknown table {given!r}" + (f"; did you mean {hint[0]}?" if hint else ""),
                ExitCode.USAGE,
                hint="Tables: " + ", ".join(f"{t.name} ({t.zh})" for t in schema.tables.values()),
            )
        names.append(spec.name)
    if output.suffix.lower() != ".xlsx":
        raise ZcfError(f"{output}: the template must be an .xlsx file", ExitCode.USAGE)
    if output.exists() and not force:
        raise ZcfError(f"{output} already exists (it may hold your data); use --force to overwrite it", ExitCode.USAGE)
    written = write_template(output, names or None, _check_template_lang(lang))
    env.console().print(env.t(f"wrote {output} ({len(written)} tables)", f"已写入 {output}（{len(written)} 个数据表）"))


InputsArgument = Annotated[
    list[str], typer.Argument(metavar="INPUT...", help="Workbooks (.xlsx/.xlsm), CSV or Parquet files, or folders.")
]
OutOption = Annotated[Path, typer.Option("--output", "-o", help="Output folder.")]
YearOption = Annotated[
    Optional[int], typer.Option("--year", help="Reporting year (default: the organization table or zcf.toml).")
]
OtherYearsOption = Annotated[
    Optional[bool], typer.Option("--allow-other-years", help="Accept rows dated outside the reporting year.")
]
EncodingOption = Annotated[
    Optional[str], typer.Option("--encoding", help="Encoding of CSV files (default: detect UTF-8 or GB18030).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout instead of tables.")]
LimitOption = Annotated[int, typer.Option("--limit", help="Problems shown per sheet in the human output.")]
MessagesLangOption = Annotated[
    Optional[str], typer.Option("--lang", help="Language of messages: en or zh (also accepted before the command).")
]
ConfigOption = Annotated[
    Optional[Path], typer.Option("--config", help="zcf.toml to use (also accepted before the command).")
]
QuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", help="No progress bars (also accepted before the command).")
]
ForceOption = Annotated[
    bool, typer.Option("--force", help="Write into an output folder that holds other files (zcf never deletes them).")
]


@app.command("ingest")
@handles_errors
def ingest_command(
    ctx: typer.Context,
    inputs: InputsArgument,
    output: OutOption,
    year: YearOption = None,
    allow_other_years: OtherYearsOption = None,
    encoding: EncodingOption = None,
    json_output: JsonOption = False,
    limit: LimitOption = 30,
    force: ForceOption = False,
    lang: MessagesLangOption = None,
    config: ConfigOption = None,
    quiet: QuietOption = False,
) -> None:
    """Read and validate input files; write the canonical dataset and manifest.

    Every problem is reported with its file, sheet and cell (能源!E7). Exits 1
    when any error is found; the dataset is then not written.

    Example:

        zcf ingest data/ -o out
        zcf ingest 能源.xlsx sites.csv -o out --json
    """
    from zcf import ui
    from zcf.io import to_json
    from zcf.pipeline import ingest_step

    from zcf.outputs import session

    state = _state(ctx)
    state.apply(lang, config, quiet)
    step = state.step()  # a bad zcf.toml is a usage error before anything is written
    with session(output, "ingest", force):
        report = ingest_step(step, inputs, output, year, allow_other_years, encoding, force)
    if json_output:
        state.env.stdout.write(to_json(report.to_dict(state.env.lang)))
    else:
        ui.print_ingest(state.env, report, output, limit)
    if not report.valid:
        raise typer.Exit(ExitCode.INVALID)


@app.command("calc")
@handles_errors
def calc_command(
    ctx: typer.Context,
    output: Annotated[Path, typer.Argument(metavar="OUT", help="Output folder of zcf ingest (holds dataset/).")],
    json_output: JsonOption = False,
    limit: LimitOption = 30,
    lang: MessagesLangOption = None,
    config: ConfigOption = None,
    quiet: QuietOption = False,
) -> None:
    """Compute the inventory (Scope 1, 2 and 3) from OUT/dataset/.

    Writes OUT/results.json, OUT/lines.csv and OUT/lines.parquet: every emission is
    one line with its input row, factor, source and arithmetic; the totals are sums
    of the lines.

    Example:

        zcf ingest data/ -o out && zcf calc out
    """
    from zcf import ui
    from zcf.io import to_json
    from zcf.pipeline import calc_step

    from zcf.outputs import session

    state = _state(ctx)
    state.apply(lang, config, quiet)
    step = state.step()
    with session(output, "calc"):
        report = calc_step(step, output)
    if json_output:
        state.env.stdout.write(to_json(report.results))
    else:
        ui.print_inventory(state.env.console(), state.env, report.results, report.problems, limit)
        state.env.console().print(
            state.env.t(f"Results: {output / 'results.json'}   Lines: {output / 'lines.csv'}",
                        f"结果：{output / 'results.json'}   明细：{output / 'lines.csv'}")
        )


FormatOption = Annotated[Optional[str], typer.Option("--format", "-f", help="pdf, xlsx or both (default: zcf.toml or both).")]
ReportLangOption = Annotated[
    Optional[str], typer.Option("--lang", "--report-lang", help="Language of the report and messages: zh or en (default: a --lang before the command, else zcf.toml [report] lang, else zh).")
]
PdfVariantOption = Annotated[
    Optional[str], typer.Option("--pdf-variant", help="pdf/a-3b: an archival PDF/A-3b with results.json and lines.csv embedded.")
]


@app.command("report")
@handles_errors
def report_command(
    ctx: typer.Context,
    output: Annotated[Path, typer.Argument(metavar="OUT", help="Output folder of zcf calc (holds results.json).")],
    formats: FormatOption = None,
    lang: ReportLangOption = None,
    dest: Annotated[Optional[Path], typer.Option("--output", "-o", help="Folder for the reports (default: OUT).")] = None,
    config: ConfigOption = None,
    quiet: QuietOption = False,
    pdf_variant: PdfVariantOption = None,
) -> None:
    """Render the disclosure pack: report.pdf, report.xlsx and charts/*.svg.

    The PDF has a cover, summary with key figures and charts, methodology, factor
    register, data quality, check results, product footprints, input hashes and the
    largest lines; the Excel workbook holds every line. Chinese or English.

    Example:

        zcf report out --lang en --format pdf
        zcf report out --pdf-variant pdf/a-3b
    """
    from zcf import ui
    from zcf.pipeline import report_step

    from zcf.outputs import session

    state = _state(ctx)
    state.apply(lang, config, quiet)
    step = state.step()
    with session(output, "report"):
        outputs, seconds = report_step(step, output, formats, state.report_lang(lang), dest, pdf_variant)
    ui.print_outputs(state.env, outputs, seconds)


RulesOption = Annotated[Optional[str], typer.Option("--rules", help="Packs to run, comma-separated (default: zcf.toml or all national packs).")]
FailOnOption = Annotated[Optional[str], typer.Option("--fail-on", help="Exit 1 when a rule of this severity fails: error (default), warning or never.")]
JunitOption = Annotated[Optional[Path], typer.Option("--junit", help="Also write the results as JUnit XML for CI systems (- for standard output; the tables then go to standard error).")]


@app.command("check")
@handles_errors
def check_command(
    ctx: typer.Context,
    output: Annotated[Optional[Path], typer.Argument(metavar="OUT", help="Output folder of zcf calc (holds results.json).")] = None,
    rules: RulesOption = None,
    fail_on: FailOnOption = None,
    junit: JunitOption = None,
    json_output: JsonOption = False,
    list_rules: Annotated[bool, typer.Option("--list", help="List every rule of every pack with its source, and exit.")] = False,
    lang: MessagesLangOption = None,
    config: ConfigOption = None,
    quiet: QuietOption = False,
) -> None:
    """Test the inventory against rule packs: zero-carbon factory, MSCI, CSDS, IFRS S2, data quality.

    Writes OUT/checks.json (and JUnit XML with --junit). Exits 1 when a rule at or
    above --fail-on fails. Thresholds can be changed in zcf.toml, e.g.
    [checks.cn-zcf] min_non_fossil_share = 0.5.

    Example:

        zcf check out --rules cn-zcf,data-quality --fail-on warning --junit checks.xml
    """
    from zcf import ui
    from zcf.io import to_json
    from zcf.pipeline import check_step

    state = _state(ctx)
    state.apply(lang, config, quiet)
    env = state.env
    if list_rules:
        ui.print_rules(env, json_output)
        return
    if output is None:
        raise typer.BadParameter("give the output folder of zcf calc", param_hint="OUT")
    from zcf.outputs import session

    to_stdout = junit is not None and str(junit) == "-"
    if to_stdout and json_output:
        raise typer.BadParameter("--json and --junit - both write to standard output; choose one", param_hint="--junit")
    step = state.step()
    with session(output, "check"):
        report = check_step(step, output, rules, fail_on, junit)
    if json_output:
        env.stdout.write(to_json(report.to_dict()))
    else:
        ui.print_checks(env.console(stderr=to_stdout), env, report)
    if report.failing():
        raise typer.Exit(ExitCode.INVALID)


@app.command()
@handles_errors
def run(
    ctx: typer.Context,
    inputs: InputsArgument,
    output: OutOption,
    year: YearOption = None,
    allow_other_years: OtherYearsOption = None,
    encoding: EncodingOption = None,
    json_output: JsonOption = False,
    limit: LimitOption = 30,
    formats: FormatOption = None,
    lang: ReportLangOption = None,
    rules: RulesOption = None,
    fail_on: FailOnOption = None,
    junit: JunitOption = None,
    force: ForceOption = False,
    config: ConfigOption = None,
    quiet: QuietOption = False,
    pdf_variant: PdfVariantOption = None,
) -> None:
    """The main job: ingest, calculate, check and render the reports.

    Stops after ingest (exit 1) when the inputs have errors; otherwise writes every
    output and exits 1 when a check fails at --fail-on (default error).

    Example:

        zcf run sample_data/zh/示例汽车集团_2025.xlsx -o out
    """
    from zcf import ui
    from zcf.io import to_json

    from zcf.outputs import session
    from zcf.pipeline import calc_step, check_step, ingest_step, report_step

    state = _state(ctx)
    state.apply(lang, config, quiet)
    if junit is not None and str(junit) == "-" and json_output:
        raise typer.BadParameter("--json and --junit - both write to standard output; choose one", param_hint="--junit")
    step = state.step()
    with session(output, "run", force):
        report = ingest_step(step, inputs, output, year, allow_other_years, encoding, force)
        if not report.valid:
            if json_output:
                state.env.stdout.write(to_json({"ingest": report.to_dict(state.env.lang)}))
            else:
                ui.print_ingest(state.env, report, output, limit)
            raise typer.Exit(ExitCode.INVALID)
        calc = calc_step(step, output)
        checks = check_step(step, output, rules, fail_on, junit)
        outputs, seconds = report_step(step, output, formats, state.report_lang(lang), None, pdf_variant)
    if json_output:
        document = {"ingest": report.to_dict(state.env.lang), "results": calc.results, "checks": checks.to_dict(),
                    "reports": [str(p) for p in outputs.files]}
        state.env.stdout.write(to_json(document))
    else:
        console = state.env.console(stderr=junit is not None and str(junit) == "-")
        ui.print_problems(console, state.env, report.problems, limit)
        ui.print_inventory(console, state.env, calc.results, calc.problems, limit)
        ui.print_checks(console, state.env, checks)
        ui.print_outputs(state.env, outputs, seconds)
        console.print(
            state.env.t(f"Outputs: {output}/ (manifest.json, dataset/, results.json, lines.csv, checks.json, report.pdf, report.xlsx)",
                        f"输出：{output}/（manifest.json、dataset/、results.json、lines.csv、checks.json、report.pdf、report.xlsx）")
        )
    if checks.failing():
        raise typer.Exit(ExitCode.INVALID)


factors_app = typer.Typer(
    help="Browse the emission-factor library and the source of every value.", no_args_is_help=True
)
app.add_typer(factors_app, name="factors")


@factors_app.command("list")
@handles_errors
def factors_list(
    ctx: typer.Context,
    activity: Annotated[Optional[str], typer.Option("--activity", "-a", help="Activity id or prefix (electricity., material.steel).")] = None,
    region: Annotated[Optional[str], typer.Option("--region", "-r", help="Region code (CN, CN-JS, CN-GRID-EAST, GLOBAL).")] = None,
    confidence: Annotated[Optional[str], typer.Option("--confidence", "-c", help="A confidence tag (official, secondary, unverified ...) or weak (every weak tag).")] = None,
    factor_set: Annotated[Optional[str], typer.Option("--set", help="A named factor set (cn-fuels-ndrc-2015 ...), or core for rows of no set.")] = None,
    library_version: Annotated[Optional[str], typer.Option("--library-version", help="An earlier library version (zcf factors diff --versions lists them).")] = None,
    json_output: JsonOption = False,
) -> None:
    """List library factors: id, activity, region, year, value, unit, confidence, set.

    Example:

        zcf factors list --activity electricity.grid --region CN-JS
        zcf factors list --confidence unverified
    """
    from zcf import ui
    from zcf.factors.packs import listed_factors
    from zcf.io import to_json

    env = _state(ctx).env
    chosen = listed_factors(activity, _region_code(region) if region else None, confidence, factor_set, library_version)
    if not chosen:
        raise ZcfError(env.t("no factor matches" + (f" activity {activity!r}" if activity else "")
                             + (f" region {region!r}" if region else ""), "没有匹配的因子"), ExitCode.INVALID,
                       hint="zcf factors list shows every factor; regions are codes such as CN, CN-JS, CN-GRID-EAST, GLOBAL.")
    if json_output:
        env.stdout.write(to_json([f.to_dict() for f in chosen]))
    else:
        ui.print_factor_list(env, chosen)


def _region_code(text: str) -> str:
    """A region as factors name it: 浙江 → CN-ZJ, 华东 → CN-GRID-EAST; unknown → a usage error."""
    import re

    from zcf.schema import load_schema, normalize_name, suggest

    lookup = load_schema().region_lookup
    code = lookup.get(normalize_name(text))
    if code is not None:
        return code
    if re.fullmatch(r"[A-Z]{2}", text):
        return text
    hint = suggest(text, lookup, n=1)
    raise ZcfError(f"--region {text!r} is not a region zcf knows" + (f"; did you mean {hint[0]}?" if hint else ""),
                   ExitCode.USAGE)


@factors_app.command("show")
@handles_errors
def factors_show(
    ctx: typer.Context,
    factor_id: Annotated[str, typer.Argument(metavar="ID", help="Factor id, as in lines.csv or zcf factors list.")],
    json_output: JsonOption = False,
) -> None:
    """Show one factor with its value, unit, citation (publisher, document, table, URL, dates, where read),
    confidence and, for a factor of a named set, the edition of its table.

    Example:

        zcf factors show CN_GRID_PROV_JS_2022
    """
    from zcf import ui
    from zcf.factors import find_composite
    from zcf.io import to_json

    env = _state(ctx).env
    factors = find_composite(factor_id)  # raises ZcfError with suggestions when unknown
    if json_output:
        from zcf.factors.packs import describe

        env.stdout.write(to_json([describe(f) for f in factors]))
    else:
        ui.print_factor_details(env, factors)


@factors_app.command("export")
@handles_errors
def factors_export(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("--output", "-o", help="CSV file to write.")] = Path("zcf_factors.csv"),
) -> None:
    """Write the whole library to one CSV file (the columns of zcf/factors/data/*.csv).

    Example:

        zcf factors export -o factors.csv
    """
    from zcf.factors import export_csv

    env = _state(ctx).env
    count = export_csv(output)
    env.console().print(env.t(f"wrote {output} ({count} factors)", f"已写入 {output}（{count} 个因子）"))


@factors_app.command("diff")
@handles_errors
def factors_diff(
    ctx: typer.Context,
    old: Annotated[Optional[str], typer.Argument(metavar="OLD", help="Earlier library version (default: the one before NEW).")] = None,
    new: Annotated[Optional[str], typer.Argument(metavar="NEW", help="Later library version (default: the current one).")] = None,
    citations: Annotated[bool, typer.Option("--citations", help="Also show changes of confidence, source and where values were read.")] = False,
    versions: Annotated[bool, typer.Option("--versions", help="List the library versions and stop.")] = False,
    json_output: JsonOption = False,
) -> None:
    """What changed between two factor-library versions: factors added, removed, replaced and changed, old → new,
    with the reason and source of each change (zcf/factors/changes.csv).

    Example:

        zcf factors diff 2026.11 2026.11.1
    """
    from zcf import ui
    from zcf.factors.packs import diff_report

    env = _state(ctx).env
    report = diff_report(old, new, citations, versions)  # raises ZcfError for an unknown version
    if json_output:
        from zcf.io import to_json

        env.stdout.write(to_json(report))
    else:
        ui.print_factor_diff(env, report)


def _add_command_groups() -> None:
    """Command groups whose options live next to their package (they import this module's helpers)."""
    from zcf.pcf.cli import app as pcf_app
    from zcf.suppliers.cli import app as supplier_app

    app.add_typer(pcf_app, name="pcf")
    app.add_typer(supplier_app, name="supplier")
    from zcf.group.cli import merge_command

    app.command("merge")(merge_command)


_add_command_groups()


def main() -> None:
    """Console-script entry point."""
    import sys

    for stream in (sys.stdout, sys.stderr):  # a console that cannot show Chinese gets "?", not a crash
        try:
            stream.reconfigure(errors="replace")  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            pass
    app(obj=Environment.from_os())
