"""The ``zcf`` command line: parses options and calls the package. No logic lives here.

Heavy libraries (pandas, openpyxl, pyarrow, weasyprint) are imported inside the
commands that need them, so ``zcf --help`` stays fast.
"""

from __future__ import annotations

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

            console.print(Text(f"zcf: {exc.message}", style="bold red"))
            if exc.hint:
                console.print(Text(exc.hint))
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            raise typer.Exit(ExitCode.INTERRUPTED) from None
        except Exception as exc:
            if state.env.debug or _is_usage_error(exc):
                raise  # usage errors are click's to report (exit 2); typer vendors click in newer versions
            from rich.text import Text

            console = state.env.console(stderr=True)
            console.print(
                Text(
                    f"zcf: internal error ({exc.__class__.__name__}: {exc}). This is a bug in zcf; "
                    "please report it with the command you ran. Set ZCF_DEBUG=1 to see the traceback.",
                    style="bold red",
                )
            )
            raise typer.Exit(ExitCode.INTERNAL) from None

    return wrapper


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
) -> None:
    state = _state(ctx)
    if lang is not None:
        if lang not in ("en", "zh"):
            raise typer.BadParameter("use en or zh", param_hint="--lang")
        state.env.lang = lang
    state.config_path = config


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
    console.print(
        env.t(
            f"Next: fill in {written[1]}, then run  zcf run {written[1]} -o {directory / 'out'}",
            f"下一步：填写 {written[1]}，然后运行  zcf run {written[1]} -o {directory / 'out'}",
        )
    )


@app.command()
@handles_errors
def template(
    ctx: typer.Context,
    tables: Annotated[Optional[list[str]], typer.Argument(help="Tables to include (default: all).")] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Workbook to write (.xlsx).")] = Path("zcf_template.xlsx"),
    lang: LangOption = "zh",
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

    state = _state(ctx)
    report = ingest_step(state.step(), inputs, output, year, allow_other_years, encoding)
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

    state = _state(ctx)
    report = calc_step(state.step(), output)
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
    Optional[str], typer.Option("--lang", "--report-lang", help="Report language: zh or en (default: zcf.toml [report] lang, else zh).")
]


@app.command("report")
@handles_errors
def report_command(
    ctx: typer.Context,
    output: Annotated[Path, typer.Argument(metavar="OUT", help="Output folder of zcf calc (holds results.json).")],
    formats: FormatOption = None,
    lang: ReportLangOption = None,
    dest: Annotated[Optional[Path], typer.Option("--output", "-o", help="Folder for the reports (default: OUT).")] = None,
) -> None:
    """Render the disclosure pack: report.pdf, report.xlsx and charts/*.svg.

    The PDF has a cover, summary with key figures and charts, methodology, factor
    register, data quality, check results, product footprints, input hashes and the
    largest lines; the Excel workbook holds every line. Chinese or English.

    Example:

        zcf report out --lang en --format pdf
    """
    from zcf import ui
    from zcf.pipeline import report_step

    state = _state(ctx)
    outputs, seconds = report_step(state.step(), output, formats, lang, dest)
    ui.print_outputs(state.env, outputs, seconds)


RulesOption = Annotated[Optional[str], typer.Option("--rules", help="Packs to run, comma-separated (default: zcf.toml or all national packs).")]
FailOnOption = Annotated[Optional[str], typer.Option("--fail-on", help="Exit 1 when a rule of this severity fails: error (default), warning or never.")]
JunitOption = Annotated[Optional[Path], typer.Option("--junit", help="Also write the results as JUnit XML for CI systems.")]


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
    env = state.env
    if list_rules:
        ui.print_rules(env, json_output)
        return
    if output is None:
        raise typer.BadParameter("give the output folder of zcf calc", param_hint="OUT")
    report = check_step(state.step(), output, rules, fail_on, junit)
    if json_output:
        env.stdout.write(to_json(report.to_dict()))
    else:
        ui.print_checks(env.console(), env, report)
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
) -> None:
    """The main job: ingest, calculate, check and render the reports.

    Stops after ingest (exit 1) when the inputs have errors; otherwise writes every
    output and exits 1 when a check fails at --fail-on (default error).

    Example:

        zcf run sample_data/zh/示例汽车集团_2025.xlsx -o out
    """
    from zcf import ui
    from zcf.io import to_json

    from zcf.pipeline import calc_step, check_step, ingest_step, report_step

    state = _state(ctx)
    step = state.step()
    report = ingest_step(step, inputs, output, year, allow_other_years, encoding)
    if not report.valid:
        if json_output:
            state.env.stdout.write(to_json({"ingest": report.to_dict(state.env.lang)}))
        else:
            ui.print_ingest(state.env, report, output, limit)
        raise typer.Exit(ExitCode.INVALID)
    calc = calc_step(step, output)
    checks = check_step(step, output, rules, fail_on, junit)
    outputs, seconds = report_step(step, output, formats, lang, None)
    if json_output:
        document = {"ingest": report.to_dict(state.env.lang), "results": calc.results, "checks": checks.to_dict(),
                    "reports": [str(p) for p in outputs.files]}
        state.env.stdout.write(to_json(document))
    else:
        console = state.env.console()
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
    chosen = listed_factors(activity, region, confidence, factor_set, library_version)
    if json_output:
        env.stdout.write(to_json([f.to_dict() for f in chosen]))
    else:
        ui.print_factor_list(env, chosen)


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


def main() -> None:
    """Console-script entry point."""
    app(obj=Environment.from_os())
