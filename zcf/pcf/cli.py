"""``zcf pcf export|import``: product footprints out to and in from PACT JSON (options only; logic in zcf.pcf)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from zcf.cli import JsonOption, _state, handles_errors
from zcf.errors import ExitCode, ZcfError

app = typer.Typer(help="Product footprints as PACT (WBCSD Pathfinder) JSON: export yours, import your suppliers'.",
                  no_args_is_help=True)


@app.command("export")
@handles_errors
def export_command(
    ctx: typer.Context,
    output: Annotated[Path, typer.Argument(metavar="OUT", help="Output folder of zcf calc (holds results.json).")],
    dest: Annotated[Path, typer.Option("--output", "-o", help="Folder for the JSON files (one per product).")],
    spec: Annotated[str, typer.Option("--spec", help="PACT version: 3 (default) or 2 (v2.2 names).")] = "3",
    batches: Annotated[bool, typer.Option("--batches", help="Also one file per production batch.")] = False,
    json_output: JsonOption = False,
) -> None:
    """Write one PACT ProductFootprint per product (and batch) for your customers.

    Only complete footprints are written; each file is validated before it is written.

    Example:

        zcf pcf export out -o pcf/ --batches
    """
    from zcf.io import to_json
    from zcf.pcf.files import export_files

    if spec not in ("2", "3"):
        raise ZcfError(f"--spec {spec}: use 3 or 2", ExitCode.USAGE)
    state = _state(ctx)
    env = state.env
    written, problems = export_files(output, dest, spec, batches, state.config(), env.source_date_epoch)
    if json_output:
        env.stdout.write(to_json({"written": [str(p) for p in written], "problems": [p.to_dict(env.lang) for p in problems]}))
    else:
        console = env.console()
        for problem in problems:
            console.print(f"{problem.severity}  {problem.code}  {problem.message(env.lang)}", soft_wrap=True)
        console.print(env.t(f"wrote {len(written)} PACT file(s) in {dest}", f"已在 {dest} 写入 {len(written)} 个 PACT 文件"))
    if not written:
        raise typer.Exit(ExitCode.INVALID)


@app.command("import")
@handles_errors
def import_command(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(metavar="FILE...", help="PACT JSON files (v3 or v2.x).")],
    dest: Annotated[Path, typer.Option("--output", "-o", help="Workbook to write (.xlsx): the supplier_pcfs table.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing workbook.")] = False,
    json_output: JsonOption = False,
) -> None:
    """Read suppliers' PACT files into a supplier_pcfs sheet you can review and ingest.

    Invalid files are errors naming the file and JSON path. `zcf ingest` also reads PACT
    JSON files directly.

    Example:

        zcf pcf import sup001.json sup008.json -o 供应商碳足迹.xlsx
    """
    from zcf.io import to_json
    from zcf.pcf.files import import_files

    env = _state(ctx).env
    if dest.suffix.lower() != ".xlsx":
        raise ZcfError(f"{dest}: write the table to an .xlsx file", ExitCode.USAGE)
    if dest.exists() and not force:
        raise ZcfError(f"{dest} already exists; use --force to overwrite it", ExitCode.USAGE)
    count, problems = import_files(files, dest, env.lang)
    if json_output:
        env.stdout.write(to_json({"footprints": count, "problems": [p.to_dict(env.lang) for p in problems]}))
    else:
        console = env.console()
        for problem in problems:
            console.print(f"{problem.location()}: {problem.severity}  {problem.code}  {problem.message(env.lang)}",
                          soft_wrap=True)
        console.print(env.t(f"wrote {dest} ({count} footprints)", f"已写入 {dest}（{count} 条碳足迹）"))
    if any(p.severity == "error" for p in problems):
        raise typer.Exit(ExitCode.INVALID)
