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
from typing import TYPE_CHECKING, Any

from zcf import __version__
from zcf.ingest.readers import InputFile, RawSheet, discover, file_digest, read_csv, read_parquet, read_workbook
from zcf.ingest.safety import Limits
from zcf.outputs import is_output
from zcf.problems import Problem, count_by_severity, did_you_mean, sort_key

if TYPE_CHECKING:
    import pandas as pd

    from zcf.schema import Schema

MANIFEST_SCHEMA_VERSION = "1"
# A month more than this many times the median month of its meter is flagged (outlier-month).
OUTLIER_RATIO = 5.0
# Tables validated first, because others depend on them.
_FIRST = ("organization", "factors", "sites", "suppliers", "production", "sold_products", "purchases")


@dataclass
class IngestOptions:
    year: int | None = None
    allow_other_years: bool = False
    encoding: str | None = None
    limits: Limits = field(default_factory=Limits)
    max_problems_per_code: int = 1000  # per file, sheet and code; the rest are counted
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
    inputs: list[str], options: IngestOptions | None = None, organization_defaults: dict[str, Any] | None = None
) -> IngestReport:
    """Read, map and validate ``inputs`` (file or folder paths as the user typed them).

    ``organization_defaults`` (from ``zcf.toml``) fill fields the organization table
    leaves out; ``options.year`` overrides the reporting year.
    """
    from zcf.schema import load_schema

    options = options or IngestOptions()
    schema = load_schema()
    problems: list[Problem] = []
    files: list[InputFile] = []
    sheets: list[tuple[RawSheet, InputFile]] = []

    skipped: set[Path] = set()
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
        source.size, source.sha256 = file_digest(path)
        source.format = path.suffix.lower().lstrip(".")
        files.append(source)
        raw, found = _read(source, schema, options)
        problems += found
        sheets += [(r, source) for r in raw]

    mapped_by_table, org_sheets, map_problems = _map_all(schema, sheets, files)
    problems += map_problems

    organization, org_problems = _organization(schema, org_sheets)
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

    tables, table_problems = _validate_tables(schema, mapped_by_table, options, reporting_year, organization)
    problems += table_problems
    if org_sheets:
        tables["organization"] = _organization_frame(organization, org_sheets)

    problems = _cap(sorted(problems, key=sort_key), options.max_problems_per_code)
    return IngestReport(files, tables, organization, reporting_year, problems)


def _read(source: InputFile, schema: Schema, options: IngestOptions) -> tuple[list[RawSheet], list[Problem]]:
    if source.format in ("xlsx", "xlsm"):
        return read_workbook(source, lambda name: schema.table_for_name(name) is not None, options.limits)
    if source.format == "csv":
        return read_csv(source, options.encoding, options.limits)
    return read_parquet(source)


def _map_all(schema: Schema, sheets: list[tuple[RawSheet, InputFile]], files: list[InputFile]):
    from zcf.ingest.mapping import map_table

    mapped: dict[str, list] = {}
    org_sheets: dict[str, RawSheet] = {}
    problems: list[Problem] = []
    for raw, source in sheets:
        spec = schema.table_for_name(raw.name)
        if spec is None:  # a CSV or Parquet file whose name is not a table
            problems.append(_unknown_table(schema, raw.name, raw.file, None))
            continue
        entry = next((s for s in source.sheets if s["sheet"] == raw.sheet), None)
        if entry is None:
            entry = {"sheet": raw.sheet, "table": None, "status": "read", "rows": 0}
            source.sheets.append(entry)
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
    for source in files:
        for entry in source.sheets:
            if entry["status"] == "skipped" and not schema.is_ignored_sheet(entry["sheet"]):
                problems.append(_unknown_table(schema, entry["sheet"], source.display, entry["sheet"]))
    return mapped, org_sheets, problems


def _unknown_table(schema: Schema, name: str, file: str, sheet: str | None) -> Problem:
    hint = schema.table_suggestions(name)
    return Problem(
        "unknown-table",
        file=file,
        sheet=sheet,
        params={"name": name, **did_you_mean(hint[:1])},
    )


def _organization(schema: Schema, org_sheets: dict[str, RawSheet]) -> tuple[dict[str, Any], list[Problem]]:
    """Typed organization fields from the key/value sheet(s)."""
    import pandas as pd

    from zcf.ingest.mapping import map_key_value
    from zcf.ingest.validate import Context, cell_problem_params, coerce_column

    spec = schema.table("organization")
    ctx = Context(schema=schema)
    _extend_with_factors(ctx, None)
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for raw in org_sheets.values():
        found, mapped_problems = map_key_value(raw, spec)
        problems += mapped_problems
        for column in spec.columns:
            if column.name not in found:
                continue
            value, row, letter = found[column.name]
            coerced = coerce_column(column, pd.Series([value], dtype=object), ctx)
            code = coerced.codes.iat[0]
            where = dict(file=raw.file, sheet=raw.sheet, row=row, column=column.name, column_letter=letter)
            if code is not None:
                problems.append(Problem(code, **where, params=cell_problem_params(column, code, value, coerced, ctx)))
                continue
            typed = coerced.values.iat[0]
            if pd.isna(typed):
                if column.required:
                    problems.append(Problem("missing-value", **where, params={"column": column.name, "column_zh": column.zh}))
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


def _validate_tables(schema, mapped_by_table, options, reporting_year, organization):
    import pandas as pd

    from zcf.ingest import crosscheck
    from zcf.ingest.validate import Context, Locator, finish_frame, validate_sheet

    ctx = Context(
        schema=schema,
        reporting_year=reporting_year,
        allow_other_years=options.allow_other_years,
        region=str(organization.get("country") or "CN"),
    )
    _extend_with_factors(ctx, None)
    locate = Locator()
    tables: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    order = [t for t in _FIRST if t in mapped_by_table] + sorted(t for t in mapped_by_table if t not in _FIRST)
    for name in order:
        frames = []
        for mapped in mapped_by_table[name]:
            locate.add(mapped)
            frame, found = validate_sheet(mapped, ctx)
            frames.append(frame)
            problems += found
        combined = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        tables[name] = finish_frame(combined)
        problems += crosscheck.duplicate_problems(schema.table(name), tables[name], locate)
        problems += crosscheck.monthly_problems(
            schema.table(name), tables[name], reporting_year, locate, options.outlier_ratio
        )
        if name == "factors":
            _extend_with_factors(ctx, tables["factors"])
    problems += crosscheck.reference_problems(schema, tables, locate)
    return tables, problems


def _extend_with_factors(ctx, user_factors) -> None:
    """What the factor library and the user's factors make usable in the other tables.

    New fuels (``ncv.biogas``), gases (``gwp.AR6.R-600a``), materials and sectors of the user's
    factors widen those columns' allowed values; ``fx.<code>`` rows add currencies; the user's
    factors take part in energy-content conversions.
    """
    from zcf.factors import FactorResolver, factors_from_table, library
    from zcf.factors.activities import declared_keys, read_activity

    activities = [f.activity for f in library()]
    if user_factors is not None:
        activities += user_factors["activity"].dropna().astype(str).tolist()
        ctx.resolver = FactorResolver(factors_from_table(user_factors))
    for enum in ("energy_type", "gas", "material", "sector"):
        known = {v.value for v in ctx.schema.enums[enum].values}
        ctx.extra_enum_values[enum] = sorted(declared_keys(activities, enum) - known)
    rates = (read_activity(a) for a in activities if a.startswith("fx."))
    ctx.currencies = {found.values["currency"] for found in rates if found is not None}


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
