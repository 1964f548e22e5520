"""``zcf ingest``: files → validated canonical tables.

:func:`ingest` reads every input (workbooks, CSV, Parquet, folders of them),
maps sheets and headers to the tables of :mod:`zcf.schema`, validates every cell
and the references between tables, and returns an :class:`IngestReport`. The
report is both the Python API result and, serialised, the ``--json`` output and
``manifest.json``; :func:`write_dataset` writes it with one Parquet file per table.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from zcf import __version__
from zcf.ingest.readers import (
    InputFile,
    RawSheet,
    discover,
    file_digest,
    read_csv,
    read_parquet,
    read_workbook,
    unreadable,
)
from zcf.ingest.safety import Limits
from zcf.outputs import is_output
from zcf.problems import Problem, count_by_severity, did_you_mean, sort_key

if TYPE_CHECKING:
    import pandas as pd

    from zcf.schema import Schema

MANIFEST_SCHEMA_VERSION = "1"
# A month more than this many times the median month of its meter is flagged (outlier-month).
OUTLIER_RATIO = 5.0


@dataclass
class IngestOptions:
    year: int | None = None
    allow_other_years: bool = False
    encoding: str | None = None
    limits: Limits = field(default_factory=Limits)
    max_problems_per_code: int = 1000  # per file, sheet and code; the rest are counted
    validate_rows: int = 500_000  # rows validated at a time (bounds the working memory of large files)
    outlier_ratio: float = OUTLIER_RATIO
    exclude: list[Path] = field(default_factory=list)  # output folders: never read as input


@dataclass
class IngestReport:
    """What ingest found: the canonical tables and every problem, with where they came from."""

    inputs: list[InputFile]
    tables: dict[str, pd.DataFrame]
    organization: dict[str, Any]
    reporting_year: int | None
    problems: list[Problem]
    dataset_sha256: dict[str, str] | None = None  # set when the dataset is written (zcf.outputs)

    @property
    def counts(self) -> dict[str, int]:
        return count_by_severity(self.problems)

    @property
    def valid(self) -> bool:
        return self.counts["errors"] == 0

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """The manifest: inputs with hashes, tables with row counts, every problem."""
        return {
            "schema_version": MANIFEST_SCHEMA_VERSION,
            "zcf_version": __version__,
            "valid": self.valid,
            "reporting_year": self.reporting_year,
            "organization": self.organization,
            "inputs": [
                {
                    "path": f.display,
                    "sha256": f.sha256,
                    "size": f.size,
                    "format": f.format,
                    **({"encoding": f.encoding} if f.encoding else {}),
                    "sheets": f.sheets,
                }
                for f in self.inputs
            ],
            "tables": {
                name: {"rows": int(len(frame)), "file": f"dataset/{name}.parquet"}
                for name, frame in sorted(self.tables.items())
            },
            "summary": self.counts,
            "problems": [p.to_dict(lang) for p in self.problems],
            **({"dataset_sha256": self.dataset_sha256} if self.dataset_sha256 is not None else {}),
        }


def ingest(
    inputs: list[str], options: IngestOptions | None = None, organization_defaults: dict[str, Any] | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> IngestReport:
    """Read, map and validate ``inputs`` (file or folder paths as the user typed them).

    ``organization_defaults`` (from ``zcf.toml``) fill fields the organization table
    leaves out; ``options.year`` overrides the reporting year. ``progress`` (optional) is
    told each file read and its rows: ``progress("energy.csv", 156)``.
    """
    from zcf.ingest.tables import validate_tables
    from zcf.schema import load_schema

    options = options or IngestOptions()
    schema = load_schema()
    problems: list[Problem] = []
    files: list[InputFile] = []
    sheets: list[tuple[RawSheet, InputFile]] = []

    skipped: set[Path] = set()
    refused: dict[str, str] = {}  # table → where it could not be read
    for item in discover(inputs):
        if isinstance(item, Problem):
            problems.append(item)
            continue
        display, path = item
        output = is_output(path, options.exclude)
        if output is not None:  # zcf's own outputs (dataset, lines, reports) are never inputs
            if output not in skipped:
                skipped.add(output)
                problems.append(Problem("output-folder-skipped", params={"folder": str(output)}))
            continue
        source = InputFile(path=path, display=display)
        try:
            source.size, source.sha256 = file_digest(path)
        except OSError as exc:  # permission denied, a file removed meanwhile ...
            problems.append(unreadable(source, exc))
            continue
        source.format = path.suffix.lower().lstrip(".")
        files.append(source)
        raw, found = _read(source, schema, options)
        problems += found
        for problem in found:  # a table (file or sheet) zcf refused to read: references into it cannot be checked
            spec = schema.match_table(problem.sheet or path.stem)[0] if problem.severity == "error" else None
            if spec is not None:
                refused.setdefault(spec.name, problem.location())
        if progress is not None:
            progress(display, sum(len(r.frame) for r in raw))
        sheets += [(r, source) for r in raw]

    mapped_by_table, org_sheets, map_problems = _map_all(schema, sheets, files)
    problems += map_problems
    kept = {id(raw) for raw in org_sheets.values()}
    for raw, _ in sheets:  # the mapped tables hold the cells now (the organization sheet is read below)
        if id(raw) not in kept:
            raw.frame = raw.frame.iloc[:0].copy()
    del sheets

    organization, org_problems = _organization(schema, org_sheets, options.limits)
    problems += org_problems
    organization = _merge_organization(schema, organization, organization_defaults or {})
    reporting_year = options.year or organization.get("reporting_year")
    organization["reporting_year"] = reporting_year
    has_periods = any(
        len(m.data) and any(c.type == "period" for c in schema.table(t).columns)
        for t, sheets_of_table in mapped_by_table.items()
        for m in sheets_of_table
    )
    if reporting_year is None and has_periods:
        problems.append(Problem("no-reporting-year"))

    any_rows = any(len(m.data) for tables_of in mapped_by_table.values() for m in tables_of)
    tables, table_problems = validate_tables(schema, mapped_by_table, options, reporting_year, organization,
                                              refused)
    problems += table_problems
    if org_sheets:
        tables["organization"] = _organization_frame(organization, org_sheets)

    problems += _nothing_read(inputs, files, mapped_by_table, org_sheets, problems, any_rows)
    problems = _cap(sorted(problems, key=sort_key), options.max_problems_per_code)
    return IngestReport(files, tables, organization, reporting_year, problems)


def _read(source: InputFile, schema: Schema, options: IngestOptions) -> tuple[list[RawSheet], list[Problem]]:
    if source.format in ("xlsx", "xlsm"):
        return read_workbook(source, lambda name: _choose_sheet(schema, name, True) == "table", options.limits,
                             probe=lambda name, visible: _choose_sheet(schema, name, visible) == "probe")
    if source.format == "csv":
        return read_csv(source, options.encoding, options.limits)
    if source.format == "json":
        from zcf.pcf.read import read_pact_sheet

        return read_pact_sheet(source.path, source.display)
    return read_parquet(source, options.limits)


def _choose_sheet(schema: Schema, name: str, visible: bool) -> str | None:
    """Read sheets named as tables (hidden ones too); probe other visible sheets for a table's columns."""
    if schema.is_ignored_sheet(name):
        return None
    if schema.match_table(name)[0] is not None:
        return "table"
    return "probe" if visible else None


def _map_all(schema: Schema, sheets: list[tuple[RawSheet, InputFile]], files: list[InputFile]):
    from zcf.ingest.mapping import map_table

    mapped: dict[str, list] = {}
    org_sheets: dict[str, RawSheet] = {}
    problems: list[Problem] = []
    for raw, source in sheets:
        entry = next((s for s in source.sheets if s["sheet"] == raw.sheet), None)
        if entry is None:
            entry = {"sheet": raw.sheet, "table": None, "status": "read", "rows": 0}
            source.sheets.append(entry)
        spec, assumed = schema.match_table(raw.name)
        if spec is None:  # not named as a table: is it one under another name?
            problem = _unnamed_table(schema, raw)
            entry["status"] = "refused" if problem.code == "misnamed-table" else "skipped"
            problems.append(problem)
            continue
        if assumed:
            problems.append(Problem("table-name-assumed", file=raw.file, sheet=raw.sheet,
                                    params={"name": raw.name, "table": spec.name, "table_zh": spec.zh}))
        entry["table"] = spec.name
        if spec.layout == "key_value":
            org_sheets[f"{raw.file}:{raw.sheet}"] = raw
            entry["rows"] = int(len(raw.frame))
            continue
        table, found = map_table(raw, spec)
        problems += found
        if table is not None:
            entry["rows"] = int(len(table.data))
            entry["columns"] = dict(table.letters)  # column → letter, so later steps can name cells
            mapped.setdefault(spec.name, []).append(table)
    return mapped, org_sheets, problems


def _unnamed_table(schema: Schema, raw: RawSheet) -> Problem:
    """``misnamed-table`` when a sheet or file not named as a table has a table's header, else ``unknown-table``.

    A header "has a table's columns" when it names every required column of the table and
    at least two columns; of several such tables, the one with most columns named wins.
    """
    from zcf.ingest.mapping import header_hits, header_keys

    hint = schema.table_suggestions(raw.name)
    best: tuple[int, int, str] | None = None
    if raw.header is not None:
        import pandas as pd

        frame = pd.DataFrame([raw.header], dtype=object)
    else:
        frame = raw.frame.head(20)
    keys = header_keys(frame) if not frame.empty else []
    if keys:
        for spec in schema.tables.values():
            if spec.layout != "rows":
                continue
            required = {c.name for c in spec.columns if c.required}
            hits = header_hits(keys, spec, required)
            if hits is None or hits < 2:
                continue
            rank = (hits, spec.name in hint[:1], spec.name)
            if best is None or rank[:2] > best[:2]:
                best = rank  # type: ignore[assignment]
    where = {"file": raw.file, "sheet": raw.sheet}
    if best is not None:
        spec = schema.table(best[2])
        return Problem("misnamed-table", **where,
                       params={"name": raw.name, "table": spec.name, "table_zh": spec.zh,
                               **did_you_mean([spec.name] if spec.name in hint else [])})
    return Problem("unknown-table", **where, params={"name": raw.name, **did_you_mean(hint[:1])})


def _nothing_read(inputs, files, mapped_by_table, org_sheets, problems, any_rows: bool) -> list[Problem]:
    """``no-inputs``, ``no-tables`` or ``no-data`` when the inputs gave nothing — unless an error says why already."""
    if any(p.severity == "error" for p in problems):
        return []
    if not files:
        return [Problem("no-inputs", params={"inputs": ", ".join(inputs)})]
    if not mapped_by_table and not org_sheets and not any(e["table"] for f in files for e in f.sheets):
        return [Problem("no-tables")]
    if not any_rows:
        return [Problem("no-data")]
    return []


def _organization(schema: Schema, org_sheets: dict[str, RawSheet], limits: Limits | None = None
                  ) -> tuple[dict[str, Any], list[Problem]]:
    """Typed organization fields from the key/value sheet(s)."""
    import pandas as pd

    from zcf.ingest.mapping import map_key_value
    from zcf.ingest.readers import UnreadCell, show_formula
    from zcf.ingest.validate import (
        Context,
        cell_problem_params,
        check_cells,
        coerce_column,
    )

    from zcf.ingest.tables import extend_with_factors

    spec = schema.table("organization")
    ctx = Context(schema=schema, limits=limits or Limits())
    extend_with_factors(ctx, None)
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for raw in org_sheets.values():
        found, mapped_problems = map_key_value(raw, spec)
        problems += mapped_problems
        for column in spec.columns:
            if column.name not in found:
                continue
            value, row, letter = found[column.name]
            where = dict(file=raw.file, sheet=raw.sheet, row=row, column=column.name, column_letter=letter)
            if isinstance(value, UnreadCell):
                if value.kind == "formula":
                    params = {"formula": show_formula(value.text), "more": "", "more_zh": ""}
                    problems.append(Problem("formula-without-value", **where, params=params))
                else:
                    problems.append(Problem("formula-error", **where, params={"value": value.text, "more": "", "more_zh": ""}))
                continue
            series = pd.Series([value], dtype=object)
            coerced = coerce_column(column, series, ctx)
            extra = check_cells(spec, column, series, coerced, ctx)
            code = coerced.codes.iat[0]
            if code is not None:
                params = cell_problem_params(column, code, value, coerced, ctx)
                params.update(extra.get(code, {}))
                problems.append(Problem(code, **where, params=params))
                continue
            typed = coerced.values.iat[0]
            if pd.isna(typed):
                if column.required:
                    problems.append(Problem("missing-value", **where, params={"column": column.name, "column_zh": column.zh}))
                continue
            if column.min is not None and column.type in ("number", "integer") and typed < column.min:
                code = "negative-value" if column.min == 0 else "out-of-range"
                problems.append(Problem(code, **where, params={**cell_problem_params(column, code, value, coerced, ctx),
                                                               "low": column.min, "high": column.max or "∞"}))
                continue
            values[column.name] = typed.item() if hasattr(typed, "item") else typed
    return values, problems


def _merge_organization(schema: Schema, table: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    """Fields from the table, else from zcf.toml, else the schema's defaults; in schema order."""
    merged: dict[str, Any] = {}
    for column in schema.table("organization").columns:
        for value in (table.get(column.name), config.get(column.name), column.default):
            if value is not None:
                merged[column.name] = value
                break
    return merged


def _organization_frame(organization: dict[str, Any], org_sheets: dict[str, RawSheet]):
    import pandas as pd

    first = next(iter(org_sheets.values()))
    return pd.DataFrame(
        {
            "field": pd.Series(list(organization), dtype="string"),
            "value": pd.Series([None if v is None else str(v) for v in organization.values()], dtype="string"),
            "_source_file": first.file,
            "_source_sheet": first.sheet,
        }
    )


def _cap(problems: list[Problem], limit: int) -> list[Problem]:
    """Keep at most ``limit`` problems per file, sheet and code; count the rest."""
    seen: Counter = Counter()
    kept: list[Problem] = []
    for p in problems:
        key = (p.file, p.sheet, p.code)
        seen[key] += 1
        if seen[key] <= limit:
            kept.append(p)
    for (file, sheet, code), n in sorted(seen.items(), key=lambda kv: tuple(str(x) for x in kv[0])):
        if n > limit:
            kept.append(
                Problem("too-many-problems", file=file, sheet=sheet, params={"count": n - limit, "code": code})
            )
    return kept


def write_dataset(report: IngestReport, out: Path, lang: str = "en", force: bool = False) -> None:
    """Write ``OUT/dataset/<table>.parquet``, then ``OUT/manifest.json`` (with the dataset's hashes).

    ``out`` must be new, empty or zcf's own (:func:`zcf.outputs.claim`). The outputs of later
    steps are removed first; an invalid report writes only the manifest and removes any
    earlier dataset, so nothing downstream can run on stale data.
    """
    from zcf.io import replace_dir, write_json_atomic, write_parquet_atomic
    from zcf.outputs import claim, clear_downstream, dataset_hashes

    claim(out, force)
    clear_downstream(out, "ingest")
    if report.valid:
        with replace_dir(out / "dataset") as tmp:
            for name, frame in sorted(report.tables.items()):
                write_parquet_atomic(tmp / f"{name}.parquet", frame)
            report.dataset_sha256 = dataset_hashes(tmp)
    else:
        with replace_dir(out / "dataset", remove=True):
            pass
    write_json_atomic(out / "manifest.json", report.to_dict(lang))
