"""``zcf merge OUT... -o GROUP``: options only; the work is in :mod:`zcf.group.merge`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from zcf.cli import (ConfigOption, ForceOption, JsonOption, LimitOption, MessagesLangOption, QuietOption, _state,
                     handles_errors)


@handles_errors
def merge_command(
    ctx: typer.Context,
    parts: Annotated[list[Path], typer.Argument(metavar="OUT...", help="Output folders of zcf run, one per entity or plant.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the group inventory.")],
    company: Annotated[Optional[str], typer.Option("--company", help="The group's name (default: the --organization file's, else company_name of the organization section of zcf.toml, else the parts' common name).")] = None,
    organization: Annotated[Optional[Path], typer.Option("--organization", help="The group's organization table (field, value; .xlsx or .csv): name, revenue, base year ... (--company wins over its name).")] = None,
    consolidation: Annotated[Optional[str], typer.Option("--consolidation", help="operational_control, financial_control or equity_share (default: the parts' own, which must agree).")] = None,
    json_output: JsonOption = False,
    limit: LimitOption = 30,
    force: ForceOption = False,
    lang: MessagesLangOption = None,
    config: ConfigOption = None,
    quiet: QuietOption = False,
) -> None:
    """Consolidate separate entity runs (subsidiaries, plants) into one group inventory, exactly.

    GROUP gets the dataset of every part (each input file prefixed with its entity) and is
    calculated once, as zcf calc does: its lines are the parts' lines with an entity column, and
    every total is the exact sum of its lines. The parts must share the factor library, sets and
    policy, GWP basis and reporting year, and no site or input file. Then run zcf check GROUP
    and zcf report GROUP.

    Example:

        zcf merge out/plant-a out/plant-b -o out/group --company 示例汽车集团
        zcf merge out/* -o group --consolidation equity_share && zcf check group
    """
    from zcf import ui
    from zcf.group.merge import MergeOptions, merge_runs
    from zcf.io import to_json

    state = _state(ctx)
    state.apply(lang, config, quiet)
    env = state.env
    step = state.step()
    outcome = merge_runs(step, parts, output, MergeOptions(company, organization, consolidation, force))
    if json_output:
        env.stdout.write(to_json({"group": str(output), "entities": outcome.results["entities"],
                                  "totals": outcome.results["totals"]}))
        return
    console = env.console()
    ui.print_inventory(console, env, outcome.results, outcome.problems, limit)
    print_entities(console, env, outcome.results)
    console.print(env.t(
        f"Merged {len(outcome.parts)} parts in {outcome.seconds:.1f} s. Group: {output}/ (manifest.json, dataset/, "
        f"results.json, lines.csv). Next: zcf check {output} and zcf report {output}",
        f"已合并 {len(outcome.parts)} 个部分，用时 {outcome.seconds:.1f} 秒。集团：{output}/（manifest.json、dataset/、"
        f"results.json、lines.csv）。下一步：zcf check {output} 和 zcf report {output}"), soft_wrap=True)


def print_entities(console, env, results: dict) -> None:
    """One row per entity: its sites, lines, Scope 1, 2 (market) and 3 in the group (tCO2e), and whether
    those are the totals of the entity's own run."""
    from rich.table import Table

    table = Table(title=env.t("Entities (tCO2e)", "各实体（tCO2e）"), title_justify="left", show_edge=False)
    for header in (env.t("entity", "实体"), env.t("sites", "站点"), env.t("lines", "明细行"),
                   env.t("Scope 1", "范围一"), env.t("Scope 2 (market)", "范围二（市场法）"), env.t("Scope 3", "范围三"),
                   env.t("= own run", "= 自身运行")):
        table.add_column(header, justify="left" if header in ("entity", "实体", "sites", "站点") else "right")
    for label, entity in results["entities"].items():
        t = entity["totals_tco2e"]
        same = t == entity["part_totals_tco2e"]  # not so under another approach or grid vintage at group level
        table.add_row(label, ", ".join(entity["sites"]), str(entity["lines"]), f"{t['scope1']:,.1f}",
                      f"{t['scope2_market']:,.1f}", f"{t['scope3']:,.1f}", env.t("yes" if same else "no",
                                                                                   "是" if same else "否"))
    console.print(table)
