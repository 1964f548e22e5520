"""``zcf supplier kit|collect``: ask suppliers for footprints and take the answers back (options only)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from zcf.cli import JsonOption, _state, handles_errors
from zcf.errors import ExitCode, ZcfError

app = typer.Typer(help="Supplier data kit: ask suppliers for product footprints, collect the answers.",
                  no_args_is_help=True)


@app.command("kit")
@handles_errors
def kit_command(
    ctx: typer.Context,
    output: Annotated[Path, typer.Argument(metavar="OUT", help="Output folder of zcf calc (holds results.json).")],
    dest: Annotated[Path, typer.Option("--output", "-o", help="Folder for the workbooks (one per supplier).")],
    suppliers: Annotated[Optional[str], typer.Option("--suppliers", help="Supplier ids, comma-separated (default: the ask-first list).")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every supplier with purchases.")] = False,
    lang: Annotated[str, typer.Option("--lang", help="zh (Chinese with English) or en.")] = "zh",
) -> None:
    """Write one pre-filled workbook per supplier asking for its product footprints.

    Without --suppliers or --all, the suppliers whose category 1 emissions rest on average or
    spend data come first (results.json suppliers.ask_first).

    Example:

        zcf supplier kit out -o kits/ --suppliers SUP017,SUP035
    """
    from zcf.suppliers import make_kits

    env = _state(ctx).env
    if lang not in ("zh", "en"):
        raise ZcfError(f"--lang {lang}: use zh or en", ExitCode.USAGE)
    chosen = [s.strip() for s in suppliers.split(",") if s.strip()] if suppliers else None
    written = make_kits(output, dest, chosen, every, lang)
    env.console().print(env.t(f"wrote {len(written)} supplier workbook(s) in {dest}",
                              f"已在 {dest} 写入 {len(written)} 个供应商数据包"))


@app.command("collect")
@handles_errors
def collect_command(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="Folder of returned supplier workbooks.")],
    dest: Annotated[Path, typer.Option("--output", "-o", help="Workbook to write (.xlsx): the supplier_pcfs table.")],
    out: Annotated[Optional[Path], typer.Option("--out", help="Your inventory's output folder: estimates and coverage need it.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing workbook.")] = False,
    json_output: JsonOption = False,
) -> None:
    """Read returned kits, validate them cell by cell, and merge the answers into one sheet.

    Prints the coverage: suppliers asked / answered / valid, footprints reported and
    estimated, and the share of category 1 on supplier-specific data before and after.
    Ingest the sheet with your inventory to use the footprints.

    Example:

        zcf supplier collect kits/ -o 供应商碳足迹.xlsx --out out
    """
    from zcf.io import to_json
    from zcf.suppliers import collect_answers

    env = _state(ctx).env
    if not folder.is_dir():
        raise ZcfError(f"{folder}: not a folder of returned workbooks", ExitCode.USAGE)
    if dest.suffix.lower() != ".xlsx":
        raise ZcfError(f"{dest}: write the table to an .xlsx file", ExitCode.USAGE)
    if dest.exists() and not force:
        raise ZcfError(f"{dest} already exists; use --force to overwrite it", ExitCode.USAGE)
    coverage, problems = collect_answers(folder, dest, out, env.lang)
    if json_output:
        env.stdout.write(to_json({"coverage": coverage.to_dict(), "problems": [p.to_dict(env.lang) for p in problems]}))
    else:
        from zcf import ui

        console = env.console()
        ui.print_problems(console, env, problems, 30)
        ui.print_coverage(console, env, coverage)
    if any(p.severity == "error" for p in problems):
        raise typer.Exit(ExitCode.INVALID)
