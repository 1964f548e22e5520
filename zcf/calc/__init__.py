"""``zcf calc``: the validated dataset → lines → results.

:func:`calculate` runs every scope module on the tables of ``OUT/dataset/`` and
returns a :class:`CalcReport`: the lines (one emission of one gas from one input
row each) and the results document whose totals are sums of those lines.
:func:`write_outputs` writes ``OUT/results.json``, ``OUT/lines.csv`` and
``OUT/lines.parquet``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from zcf.calc.context import CalcContext, CalcOptions
from zcf.errors import ExitCode, ZcfError
from zcf.problems import Problem


@dataclass
class CalcReport:
    results: dict[str, Any]
    lines: pd.DataFrame
    problems: list[Problem]


def load_dataset(out: Path) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    """The manifest and the tables written by ``zcf ingest``; a clear error if there are none."""
    from zcf.outputs import read_record, require_own, verify_dataset

    require_own(out, "calc")
    manifest_path = out / "manifest.json"
    if not manifest_path.is_file() or not (out / "dataset").is_dir():
        raise ZcfError(Problem("no-dataset", params={"out": str(out)}).message(), ExitCode.INVALID)
    manifest = read_record(out, "manifest.json", "zcf ingest")
    if not manifest.get("valid"):
        raise ZcfError(Problem("no-dataset", params={"out": str(out)}).message(), ExitCode.INVALID)
    verify_dataset(out, manifest)
    tables = {path.stem: lineage_as_categories(one_chunk(pd.read_parquet(path)))
              for path in sorted((out / "dataset").glob("*.parquet"))}
    tables.pop("organization", None)
    return manifest, tables


def lineage_as_categories(frame: pd.DataFrame) -> pd.DataFrame:
    """The file and sheet of every row, held once each (a path repeated on ten million rows is 0.6 GB)."""
    for name in ("_source_file", "_source_sheet"):
        if name in frame.columns:
            frame[name] = frame[name].astype("category")
    return frame


def one_chunk(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as one Arrow chunk each (Parquet reads them in batches): selecting rows of a column
    in several chunks (every group, every filter) concatenates all its chunks first, in Arrow."""
    import pyarrow as pa

    for name in frame.columns:
        array = frame[name].array
        if not hasattr(array, "__arrow_array__") or not isinstance(frame[name].dtype, pd.StringDtype):
            continue
        chunks = pa.array(array)
        if isinstance(chunks, pa.ChunkedArray) and chunks.num_chunks > 1:
            frame[name] = pd.Series(type(array)(chunks.combine_chunks(), dtype=array.dtype), index=frame.index,
                                    name=name)
    return frame


def calculate(manifest: dict[str, Any], tables: dict[str, pd.DataFrame], options: CalcOptions | None = None,
              progress: Callable[[str, int], None] | None = None) -> CalcReport:
    """Compute the inventory from a dataset (as loaded by :func:`load_dataset`).

    ``progress`` (optional) is told each step done and the lines calculated so far: ``progress("scope2", 1234)``.
    """
    def done(step: str) -> None:
        if progress is not None:
            progress(step, sum(len(p) for p in parts))

    from zcf.calc import energy as energy_module
    from zcf.calc import lines as lines_module
    from zcf.calc import meters, products, results, scope1, scope2, scope3
    from zcf.calc.ledger import Ledger
    from zcf.factors import FactorResolver, factors_from_table

    organization = dict(manifest["organization"])
    if organization.get("reporting_year") is None:
        raise ZcfError("the dataset has no reporting year; give one in the organization table, zcf.toml or --year",
                       ExitCode.INVALID)
    user = factors_from_table(tables["factors"]) if "factors" in tables else []
    ledger = Ledger(tables, column_letters(manifest))  # every row, sub-meters included
    meters.account_sub_meters(ledger, tables.get("energy"))
    options = options or CalcOptions()
    ctx = CalcContext(tables=dict(meters.counted_tables(tables)), organization=organization,
                      resolver=FactorResolver(user, options.factors.factors()), options=options, ledger=ledger)
    energy_module.prepare_energy(ctx)  # gas volumes to normal m³, energy content with this calculation's factors
    parts: list[pd.DataFrame] = []
    parts += scope1.combustion(ctx)
    done("scope1 combustion")
    parts += scope1.fugitive(ctx)
    done("scope1 fugitive")
    parts += scope1.process(ctx)
    done("scope1 process")
    scope2_parts, market_basis = scope2.scope2(ctx)
    parts += scope2_parts
    done("scope2")
    parts += scope3.scope3(ctx)
    done("scope3")
    lines = lines_module.finish(parts)
    parts.clear()  # the lines hold every value now

    document = results.document(
        ctx,
        lines,
        energy=energy_module.energy_totals(ctx, lines),
        products=products.footprints(ctx, lines),
        scope3_status=scope3.category_status(ctx, lines),
        market_basis={
            "residual": market_basis.residual_activity or "electricity.grid (location-based factor)",
            "residual_factor_ids": list(market_basis.residual_factor_ids),
            "instruments": "renewable_instruments applied to their own site and period, each certificate once, "
                           "if valid for that period (certificate_rule)",
            "certificate_rule": certificate_rule(options.factors.certificates).to_dict(),
        },
        inputs=[{"file": i["path"], "sha256": i["sha256"]} for i in manifest.get("inputs", [])],
        energy_by_site=energy_module.energy_by_site(ctx),
    )
    from zcf.calc.suppliers import supplier_results

    document["suppliers"] = supplier_results(ctx, lines)
    for kit_table in ("supplier_energy", "supplier_output"):  # read by zcf supplier collect, not by calc
        ctx.exclude(kit_table, ctx.table(kit_table), "supplier-kit-data")
    document.update(factor_sections(ctx))
    _account_user_factors(ctx, user)
    problems = ctx.problems + ctx.ledger.problems()
    document["reconciliation"] = ctx.ledger.reconciliation(lines, reconciled_tables())
    document["memo_items"] = ctx.memo
    document["problems"] = [{**p.to_dict(), "message_zh": p.message("zh")} for p in problems]
    return CalcReport(document, lines, problems)


def certificate_rule(name: str):
    from zcf.factors.certificates import rule

    return rule(name)


def factor_sections(ctx: CalcContext) -> dict[str, Any]:
    """What results.json states about the factors: library version and sets, the policy choices, the grid vintage."""
    from zcf.factors import LIBRARY_VERSION, factor_sets
    from zcf.factors.policy import GAS_TEXT, TD_TEXT

    policy = ctx.options.factors
    sets = factor_sets()
    return {
        "factor_library": {
            "version": policy.library_version,
            "current_version": LIBRARY_VERSION,
            "sets": [{"name": name, "group": sets[name].group, "edition": sets[name].edition_en,
                      "edition_zh": sets[name].edition_zh} for name in policy.active_sets()],
        },
        "factor_policy": {
            "vintage": str(policy.vintage),
            "td_losses": {"method": policy.td_losses, "formula": TD_TEXT[policy.td_losses][0],
                          "formula_zh": TD_TEXT[policy.td_losses][1]},
            "gas_volume": {"setting": policy.gas_volume, "text": GAS_TEXT[policy.gas_volume][0],
                           "text_zh": GAS_TEXT[policy.gas_volume][1]},
            "certificates": policy.certificates,
        },
        "grid_vintage": ctx.grid_vintage.to_dict(),
    }


def column_letters(manifest: dict[str, Any]) -> dict[tuple[str, str | None], dict[str, str]]:
    """(file, sheet) → {column: spreadsheet letter}, as ingest recorded them in the manifest."""
    out: dict[tuple[str, str | None], dict[str, str]] = {}
    for source in manifest.get("inputs", []):
        for sheet in source.get("sheets", []):
            if sheet.get("columns"):
                out[(source["path"], sheet.get("sheet"))] = sheet["columns"]
    return out


def reconciled_tables() -> dict[str, tuple[tuple[str, str], ...]]:
    """Tables whose every row must be accounted for, with the amounts summed per reason."""
    from zcf.schema import load_schema

    return {t.name: t.amounts for t in load_schema().tables.values() if t.reconcile}


def _account_user_factors(ctx: CalcContext, user: list) -> None:
    """The user's factor rows: used by some line or conversion, or reported as not used."""
    frame = ctx.table("factors")
    for factor in user:
        if factor.dataset_row is None or factor.dataset_row not in frame.index:
            continue
        if factor.factor_id in ctx.used:
            ctx.ledger.use("factors", [factor.dataset_row])
        else:
            ctx.exclude("factors", [factor.dataset_row], "user-factor-unused", "activity", activity=factor.activity,
                        region=factor.region or "–", year=factor.year or "–", **_did_you_mean_activity(factor.activity))


def _did_you_mean_activity(activity: str) -> dict[str, str]:
    """A library id close to a user's new one (material.steal → material.steel), for the message."""
    import difflib

    from zcf.factors import library
    from zcf.problems import did_you_mean

    known = sorted({f.activity for f in library()})
    if activity in known:
        return did_you_mean([])
    return did_you_mean(difflib.get_close_matches(activity, known, n=1, cutoff=0.8))


def write_outputs(report: CalcReport, out: Path) -> None:
    """lines.csv and lines.parquet, then results.json with their hashes and the manifest's, atomically.

    lines.csv: floats round-trip exactly (so sums reproduce); text that a spreadsheet would
    run as a formula is prefixed with an apostrophe. lines.parquet keeps the exact text.
    results.json is written last: a run interrupted before it leaves results that do not
    match the lines, which the later steps refuse.
    """
    from concurrent.futures import ThreadPoolExecutor

    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from zcf.io import atomic_path, write_json_atomic
    from zcf.outputs import clear_downstream, sha256_file

    clear_downstream(out, "calc")
    (out / "results.json").unlink(missing_ok=True)
    table = lines_table(report.lines)  # one Arrow copy of the lines for both files

    def csv() -> str:
        with atomic_path(out / "lines.csv") as tmp:
            pacsv.write_csv(csv_safe_table(table), str(tmp))
        return sha256_file(out / "lines.csv")

    def parquet() -> str:
        with atomic_path(out / "lines.parquet") as tmp:
            # without the Arrow schema: readers get plain text columns, not the categories held in memory
            pq.write_table(table, str(tmp), compression="zstd", store_schema=False)
        return sha256_file(out / "lines.parquet")

    # Arrow's writers and hashlib release the GIL: the two files are written (and hashed) side by side
    with ThreadPoolExecutor(max_workers=2) as pool:
        csv_hash, parquet_hash = pool.submit(csv), pool.submit(parquet)
        hashes = {"manifest.json": sha256_file(out / "manifest.json"), "lines.csv": csv_hash.result(),
                  "lines.parquet": parquet_hash.result()}
    del table
    report.results["run"] = {"inputs_sha256": hashes}
    write_json_atomic(out / "results.json", report.results)


def lines_table(lines: pd.DataFrame):
    """The lines as an Arrow table without pandas metadata (files do not depend on the pandas version)."""
    import pyarrow as pa

    table = pa.Table.from_pandas(lines, preserve_index=False).replace_schema_metadata(None)
    for i, field in enumerate(table.schema):  # a text column without any value (categories of nothing) stays text
        if pa.types.is_null(field.type) or (pa.types.is_dictionary(field.type) and pa.types.is_null(field.type.value_type)):
            table = table.set_column(i, pa.field(field.name, pa.large_string()), pa.nulls(len(table), pa.large_string()))
    return table


def _is_text(arrow_type) -> bool:
    import pyarrow as pa

    return pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)


def csv_safe_table(table):
    """:func:`zcf.io.csv_safe` on an Arrow table, in Arrow: text a spreadsheet would run as a formula gets a
    leading apostrophe; numbers stay numbers. The same cells change, to the same text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from zcf.io import FORMULA_TRIGGERS

    def quoted(column):
        risky = pc.fill_null(pc.match_substring_regex(column, FORMULA_TRIGGERS), False)
        if not pc.any(risky).as_py():
            return None
        apostrophe = pa.scalar("'", column.type)
        return pc.if_else(risky, pc.binary_join_element_wise(apostrophe, column, pa.scalar("", column.type)), column)

    for i, field in enumerate(table.schema):
        if pa.types.is_dictionary(field.type) and _is_text(field.type.value_type):
            column = table.column(i).unify_dictionaries() if table.column(i).num_chunks > 1 else table.column(i)
            chunks = column.chunks
            values = quoted(chunks[0].dictionary) if chunks else None  # each distinct text once
            if values is not None:
                table = table.set_column(i, pa.field(field.name, pa.dictionary(field.type.index_type, values.type)),
                                         pa.chunked_array([pa.DictionaryArray.from_arrays(c.indices, values)
                                                           for c in chunks]))
        elif _is_text(field.type):
            column = quoted(table.column(i))
            if column is not None:
                table = table.set_column(i, field, column)
    return table
