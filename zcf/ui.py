"""Human output with rich: summaries and problem listings.

Every piece of text that comes from an input file is wrapped in ``rich.text.Text``
so that markup-like strings (``[bold]``) in a spreadsheet print literally.
"""

from __future__ import annotations

from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from zcf.problems import Problem, count_by_severity

if TYPE_CHECKING:
    from rich.console import Console

    from zcf.env import Environment
    from zcf.ingest import IngestReport

_STYLE = {"error": "bold red", "warning": "yellow", "info": "dim"}
PRODUCED_UNIT_NAMES = {"piece": ("piece", "件"), "t": ("tonne", "吨")}  # per_unit_produced.unit → (en, zh)


def _counts_text(env: Environment, problems: list[Problem]) -> str:
    counts = count_by_severity(problems)
    parts = []
    if counts["errors"]:
        parts.append(env.t(f"{counts['errors']} error{'s' * (counts['errors'] != 1)}", f"{counts['errors']} 个错误"))
    if counts["warnings"]:
        parts.append(
            env.t(f"{counts['warnings']} warning{'s' * (counts['warnings'] != 1)}", f"{counts['warnings']} 个警告")
        )
    if counts["info"]:
        parts.append(env.t(f"{counts['info']} note{'s' * (counts['info'] != 1)}", f"{counts['info']} 条提示"))
    return env.t(", ", "，").join(parts) or env.t("no problems", "没有问题")


def print_tables(console: Console, env: Environment, report: IngestReport) -> None:
    from zcf.schema import load_schema

    schema = load_schema()
    table = Table(title=env.t("Tables read", "已读取的数据表"), title_justify="left", show_edge=False)
    table.add_column(env.t("table", "数据表"))
    table.add_column(env.t("name", "名称"))
    table.add_column(env.t("rows", "行数"), justify="right")
    table.add_column(env.t("from", "来源"))
    for name, frame in sorted(report.tables.items()):
        pairs = (set(frame[["_source_file", "_source_sheet"]].drop_duplicates().itertuples(index=False, name=None))
                 if "_source_file" in frame else set())
        sources = sorted(Path(f).name + (f":{s}" if isinstance(s, str) else "") for f, s in pairs)
        shown = ", ".join(sources[:2]) + (f" (+{len(sources) - 2})" if len(sources) > 2 else "")
        table.add_row(name, schema.tables[name].zh, f"{len(frame):,}", Text(shown))
    if report.tables:
        console.print(table)
    else:
        console.print(env.t("No tables were found in the inputs.", "输入中没有找到数据表。"))


def print_problems(console: Console, env: Environment, problems: list[Problem], limit: int) -> None:
    """Problems grouped by file and sheet, each group with its counts, at most ``limit`` lines each."""
    for (file, sheet), group_iter in groupby(problems, key=lambda p: (p.file or "", p.sheet or "")):
        group = list(group_iter)
        where = " › ".join(x for x in (file, sheet) if x) or env.t("(all inputs)", "（全部输入）")
        console.print()
        console.print(Text.assemble((where, "bold"), "  ", (_counts_text(env, group), "dim")))
        table = Table(show_header=False, show_edge=False, box=None, pad_edge=False, padding=(0, 1))
        table.add_column(no_wrap=True)
        table.add_column(no_wrap=True)
        table.add_column(no_wrap=True)
        table.add_column(overflow="fold")
        for p in group[:limit]:
            cell = p.cell or ""
            table.add_row(
                Text(cell), Text(p.severity, style=_STYLE[p.severity]), Text(p.code, style="dim"), Text(p.message(env.lang))
            )
        console.print(table)
        if len(group) > limit:
            more = len(group) - limit
            console.print(
                Text(env.t(f"  … and {more} more (see --json or manifest.json)", f"  …… 另有 {more} 条（见 --json 或 manifest.json）"), style="dim")
            )


def print_verdict(console: Console, env: Environment, report: IngestReport, out_hint: str | None) -> None:
    console.print()
    counts = _counts_text(env, report.problems)
    if report.valid:
        text = env.t(f"✓ Valid — {counts}.", f"✓ 数据有效——{counts}。")
        console.print(Text(text, style="bold green"))
    else:
        text = env.t(f"✗ Invalid — {counts}. Fix the errors and run again.", f"✗ 数据无效——{counts}。请修正错误后重新运行。")
        console.print(Text(text, style="bold red"))
    if out_hint:
        console.print(Text(out_hint, style="dim"))


def _t(value: float | None) -> str:
    return "–" if value is None else f"{value:,.1f}"


def print_inventory(console: Console, env: Environment, results: dict, problems: list[Problem], limit: int) -> None:
    """Scope totals, the largest Scope 3 categories and sites, and the calculation's warnings."""
    from zcf.calc.scope3 import CATEGORIES

    totals = results["totals"]
    org = results["organization"]
    title = env.t(
        f"{org.get('company_name') or ''} — GHG inventory {results['reporting_year']} (tCO2e, {results['gwp_basis']})",
        f"{org.get('company_name') or ''} —— {results['reporting_year']} 年温室气体清单（tCO2e，{results['gwp_basis']}）",
    )
    table = Table(title=Text(title), title_justify="left", show_edge=False)
    table.add_column(env.t("scope", "范围"))
    table.add_column("tCO2e", justify="right")
    rows = [
        (env.t("Scope 1", "范围一"), totals["scope1"]),
        (env.t("Scope 2 (location-based)", "范围二（基于位置）"), totals["scope2_location"]),
        (env.t("Scope 2 (market-based)", "范围二（基于市场）"), totals["scope2_market"]),
        (env.t("Scope 3", "范围三"), totals["scope3"]),
        (env.t("Total (market-based)", "合计（基于市场）"), totals["total_market"]),
    ]
    for name, value in rows:
        table.add_row(name, _t(value))
    console.print(table)

    categories = sorted(((v, k) for k, v in totals["scope3_by_category"].items() if v), reverse=True)[:5]
    if categories:
        top = Table(title=env.t("Largest Scope 3 categories", "范围三主要类别"), title_justify="left", show_edge=False)
        top.add_column(env.t("category", "类别"))
        top.add_column("tCO2e", justify="right")
        top.add_column(env.t("share", "占比"), justify="right")
        for value, number in categories:
            name, name_zh = CATEGORIES[number]
            top.add_row(f"{number} {env.t(name, name_zh)}", _t(value), f"{value / totals['scope3']:.0%}")
        console.print(top)

    sites = Table(title=env.t("Sites", "站点"), title_justify="left", show_edge=False)
    sites.add_column(env.t("site", "站点"))
    sites.add_column(env.t("Scope 1", "范围一"), justify="right")
    sites.add_column(env.t("Scope 2 market", "范围二市场法"), justify="right")
    sites.add_column("MWh", justify="right")
    ranked = sorted(results["by_site"].items(), key=lambda kv: -(kv[1]["scope1"] + kv[1]["scope2_market"]))
    for site_id, site in ranked[:8]:
        sites.add_row(Text(f"{site_id} {site.get('name') or ''}"), _t(site["scope1"]), _t(site["scope2_market"]),
                      _t(site["energy_mwh"]))
    console.print(sites)
    energy = results["energy"]
    intensity = results["intensity"]
    facts = []
    if energy.get("renewable_share") is not None:
        facts.append(env.t(f"renewable electricity {energy['renewable_share']:.1%}", f"可再生电力占比 {energy['renewable_share']:.1%}"))
    if energy.get("total_tce") is not None:
        facts.append(env.t(f"energy {energy['total_tce']:,.0f} tce", f"综合能耗 {energy['total_tce']:,.0f} 吨标准煤"))
    if intensity.get("per_vehicle"):
        value = intensity["per_vehicle"]["scope1_2_market"]
        facts.append(env.t(f"Scope 1+2 {value:.3f} t per vehicle", f"范围一+二 每辆车 {value:.3f} 吨"))
    elif intensity.get("per_unit_produced"):  # a parts maker: per piece or per t produced
        per_unit = intensity["per_unit_produced"]
        value, unit = per_unit["scope1_2_market"], per_unit["unit"]
        en, zh = PRODUCED_UNIT_NAMES.get(unit, (unit, unit))
        facts.append(env.t(f"Scope 1+2 {value:.4g} t per {en} produced", f"范围一+二 每{zh}产品 {value:.4g} 吨"))
    if facts:
        console.print(Text(" · ".join(facts)))
    if problems:
        print_problems(console, env, problems, limit)


_CHECK_STYLE = {"pass": "green", "fail": "bold red", "warn": "yellow", "missing_data": "magenta", "not_applicable": "dim"}


def print_checks(console: Console, env: Environment, report) -> None:
    """A table per pack (rule, status, title, message), the summary, and the preparer's to-do list."""
    from zcf.report.labels import words

    status_name = words(env.lang).codes["status"]
    for pack in report.packs:
        rows = [r for r in report.results if r["pack"] == pack["name"]]
        table = Table(title=Text(f"{pack['name']} — {pack['title'][env.lang]}"), title_justify="left", show_edge=False)
        table.add_column(env.t("rule", "规则"), no_wrap=True)
        table.add_column(env.t("status", "状态"), no_wrap=True)
        table.add_column(env.t("title", "名称"))
        table.add_column(env.t("finding", "结果说明"), overflow="fold")
        for r in rows:
            table.add_row(r["rule_id"], Text(status_name[r["status"]], style=_CHECK_STYLE[r["status"]]),
                          Text(r["title"][env.lang]), Text(r["message"][env.lang]))
        console.print(table)
    summary = report.summary
    failing = report.failing()
    text = env.t(
        f"{summary['pass']} passed, {summary['fail']} failed, {summary['warn']} warnings, "
        f"{summary['missing_data']} missing data, {summary['not_applicable']} not applicable",
        f"通过 {summary['pass']}，未通过 {summary['fail']}，警示 {summary['warn']}，"
        f"缺少数据 {summary['missing_data']}，不适用 {summary['not_applicable']}",
    )
    console.print(Text(text, style="bold red" if failing else "bold"))
    if failing:
        console.print(Text(env.t(f"Failing at --fail-on {report.fail_on}: ", f"按 --fail-on {report.fail_on} 判定不通过：")
                           + ", ".join(r["rule_id"] for r in failing), style="red"))
    print_todo(console, env, getattr(report, "todo", []))


def print_todo(console: Console, env: Environment, items: list[dict], limit: int = 40) -> None:
    """The preparer's to-do list: what to fill, fix or explain (not part of the disclosure)."""
    if not items:
        return
    console.print()
    console.print(Text(env.t(f"To do before handing the pack over ({len(items)})", f"交付前待办事项（{len(items)} 项）"),
                       style="bold"))
    table = Table(show_header=False, show_edge=False, box=None, pad_edge=False, padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    for item in items[:limit]:
        where = f"  ({item['where']})" if item.get("where") else ""
        table.add_row(Text(item["severity"], style=_STYLE[item["severity"]]), Text(item["ref"], style="dim"),
                      Text(item["zh"] if env.lang == "zh" else item["en"]) + Text(where, style="dim"))
    console.print(table)
    if len(items) > limit:
        console.print(Text(env.t(f"  … and {len(items) - limit} more (checks.json, report.xlsx sheet To do)",
                                 f"  …… 另有 {len(items) - limit} 项（见 checks.json 和 report.xlsx 的“待办”工作表）"),
                           style="dim"))


def print_ingest(env: Environment, report: IngestReport, out, limit: int) -> None:
    """Tables read, problems by file and sheet, and the verdict with where the outputs are."""
    console = env.console()
    print_tables(console, env, report)
    print_problems(console, env, report.problems, limit)
    hint = (
        env.t(f"Dataset: {out / 'dataset'}/   Manifest: {out / 'manifest.json'}",
              f"数据集：{out / 'dataset'}/   清单：{out / 'manifest.json'}")
        if report.valid
        else env.t(f"Manifest with every problem: {out / 'manifest.json'}", f"全部问题见：{out / 'manifest.json'}")
    )
    print_verdict(console, env, report, hint)


def print_outputs(env: Environment, outputs, seconds: float) -> None:
    console = env.console()
    pages = env.t(f", {outputs.pages} pages", f"，共 {outputs.pages} 页") if outputs.pages else ""
    for path in outputs.files:
        if path.suffix != ".svg":
            console.print(env.t(f"wrote {path}", f"已写入 {path}"))
    charts = [p for p in outputs.files if p.suffix == ".svg"]
    if charts:
        console.print(env.t(f"wrote {len(charts)} charts in {charts[0].parent}/", f"已写入 {len(charts)} 张图表：{charts[0].parent}/"))
    console.print(env.t(f"reports rendered in {seconds:.1f} s{pages}", f"报告生成用时 {seconds:.1f} 秒{pages}"))


def print_rules(env: Environment, json_output: bool) -> None:
    """Every rule of every pack with its severity, evidence and source (zcf check --list)."""
    from zcf.checks.engine import available, load_pack
    from zcf.io import to_json

    packs = [load_pack(name) for name in available()]
    if json_output:
        env.stdout.write(to_json([p.model_dump() for p in packs]))
        return
    console = env.console()
    for pack in packs:
        table = Table(title=Text(f"{pack.name} — {pack.title_zh if env.lang == 'zh' else pack.title_en}"),
                      title_justify="left", show_edge=False)
        for name in ("rule", "severity", "evidence", "title", "source"):
            table.add_column(name, overflow="fold")
        for rule in pack.rules:
            table.add_row(rule.id, rule.severity, rule.evidence, Text(rule.title_zh if env.lang == "zh" else rule.title_en),
                          Text(rule.source))
        console.print(table)


def print_factor_list(env: Environment, factors: list) -> None:
    """A table on a terminal; tab-separated lines (a header, then one factor a line) for a pipe or file."""
    columns = ("factor_id", "activity", "region", "year", "value", "unit", "confidence", "set")
    if not _is_terminal(env.stdout):
        env.stdout.write("\t".join(columns) + "\n")
        for f in factors:
            cells = (f.factor_id, f.activity, f.region or "", str(f.year or ""), f"{f.value:g}", f.unit, f.confidence,
                     f.set)
            env.stdout.write("\t".join(" ".join(str(c).split()) for c in cells) + "\n")
        return
    table = Table(show_edge=False)
    for name in ("factor_id", "activity", "region", "year", "value", "unit", "confidence", "set"):
        table.add_column(name, justify="right" if name == "value" else "left", overflow="fold")
    for f in factors:
        table.add_row(f.factor_id, f.activity, f.region or "", str(f.year or ""), f"{f.value:g}", f.unit, Text(f.confidence),
                      f.set)
    console = env.console()
    console.print(table)
    console.print(env.t(f"{len(factors)} factors; zcf factors show ID for the source",
                        f"共 {len(factors)} 个因子；zcf factors show ID 查看来源"))


def _is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def print_factor_details(env: Environment, factors: list) -> None:
    from zcf.factors.packs import describe

    console = env.console()
    for f in factors:
        table = Table(show_header=False, show_edge=False, box=None)
        table.add_column(style="bold")
        table.add_column(overflow="fold")
        for key, value in describe(f).items():
            if value not in (None, ""):
                table.add_row(key, Text(str(value)))
        console.print(table)
        console.print()


def print_coverage(console: Console, env: Environment, coverage) -> None:
    """What a kit round trip gave: suppliers asked, answered, valid; footprints; category 1 coverage."""
    table = Table(title=env.t("Supplier answers", "供应商回复"), title_justify="left", show_edge=False)
    table.add_column(env.t("file", "文件"))
    table.add_column(env.t("supplier", "供应商"))
    table.add_column(env.t("valid", "有效"))
    table.add_column(env.t("reported", "报告"), justify="right")
    table.add_column(env.t("estimated", "估算"), justify="right")
    for row in coverage.per_supplier:
        valid = env.t("yes", "是") if row["valid"] else (env.t("no", "否") if row["answered"] else env.t("no answer", "未填写"))
        table.add_row(Text(row["file"]), Text(str(row["supplier_id"] or "?")), valid, str(row["reported"]),
                      str(row["estimated"]))
    console.print(table)
    facts = [env.t(f"asked {coverage.asked}, answered {coverage.answered}, valid {coverage.valid}",
                   f"发放 {coverage.asked}，回复 {coverage.answered}，有效 {coverage.valid}"),
             env.t(f"{coverage.reported} footprints reported, {coverage.estimated} estimated",
                   f"报告碳足迹 {coverage.reported} 条，估算 {coverage.estimated} 条")]
    if coverage.cat1_supplier_specific_before is not None:
        before, after = coverage.cat1_supplier_specific_before, coverage.cat1_supplier_specific_after
        facts.append(env.t(f"category 1 on supplier-specific data: {before:.1%} → {after:.1%}",
                           f"类别1中基于供应商特定数据的比例：{before:.1%} → {after:.1%}"))
    console.print(Text(" · ".join(facts)))


def print_factor_diff(env: Environment, report: dict) -> None:
    """``zcf factors diff``: the versions, then one row per factor changed (old → new, why, source)."""
    console = env.console()
    versions = Table(show_edge=False, title=Text(env.t("Factor-library versions", "因子库版本")), title_justify="left")
    for name in ("version", "date", "summary"):
        versions.add_column(name, overflow="fold")
    for v in report["versions"]:
        versions.add_row(v["version"] + (" *" if v["current"] else ""), v["date"],
                         Text(v["summary_zh"] if env.lang == "zh" else v["summary"]))
    console.print(versions)
    if "changes" not in report:
        return
    table = Table(show_edge=False, title=Text(f"{report['old']} → {report['new']}"), title_justify="left")
    for name in ("change", "factor_id", "activity", "old → new", "reason", "source"):
        table.add_column(name, overflow="fold")
    for row in report["changes"]:
        fields = "; ".join(f"{k}: {v['old'] or '–'} → {v['new'] or '–'}" for k, v in row["fields"].items())
        fid = row["factor_id"] + (f" (was {row['replaces']})" if row["replaces"] else "")
        table.add_row(row["change"], fid, row["activity"], Text(fields), Text(row["reason"]), Text(row["source"]))
    console.print(table)
    counts = ", ".join(f"{n} {k}" for k, n in sorted(report["counts"].items())) or env.t("no changes", "无变化")
    console.print(env.t(f"{len(report['changes'])} factors: {counts}", f"共 {len(report['changes'])} 个因子：{counts}"))
