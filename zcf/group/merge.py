"""``zcf merge``: check the parts, write the group's dataset and manifest, calculate, add the entities.

Steps (the design is in the package docstring, :mod:`zcf.group`):

1. :func:`zcf.group.parts.read_parts` — each part a complete, consistent zcf run;
2. agreement and duplicates — refused before GROUP is touched (nothing is written);
3. :func:`zcf.group.combine.combine_tables` — the group's dataset tables and organization;
4. in GROUP (claimed and locked as ``zcf run`` claims its ``-o``): ``dataset/`` and ``manifest.json``
   (with a ``merge`` section listing the parts), then the calculation of ``zcf calc``
   (:func:`zcf.pipeline.calc_step`), then the lines again with their ``entity`` column and
   results.json with an ``entities`` section (:func:`add_entities`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from zcf import __version__
from zcf.errors import ExitCode, ZcfError
from zcf.group.combine import (combine_tables, entity_path, group_organization, organization_table,
                               read_organization_file)
from zcf.group.parts import (Part, check_agreement, check_duplicates, check_policy_matches, merge_error,
                             read_parts)

CONSOLIDATION_APPROACHES = ("operational_control", "financial_control", "equity_share")
NOT_FROM_CONFIG = ("reporting_year", "gwp_basis", "consolidation_approach", "revenue")
HEADLINE = ("scope1", "scope2_location", "scope2_market", "scope3", "total_location", "total_market")  # tCO2e


@dataclass
class MergeOptions:
    company: str | None = None  # the group's name (else the organization file's, zcf.toml's, the parts' common name)
    organization: Path | None = None  # the group's organization table (field, value), read as ingest reads it
    consolidation: str | None = None  # the group's approach (else the parts' own, which must agree)
    force: bool = False  # write into a folder that holds other files (as zcf run --force)


@dataclass
class MergeOutcome:
    group: Path
    parts: list[Part]
    results: dict[str, Any]
    problems: list = field(default_factory=list)
    seconds: float = 0.0


def merge_runs(step, folders: list[Path], group: Path, options: MergeOptions | None = None) -> MergeOutcome:
    """Consolidate the runs in ``folders`` into ``group`` (see the module docstring)."""
    from zcf.calc import write_outputs
    from zcf.outputs import session
    from zcf.pipeline import calc_step

    options = options or MergeOptions()
    lang = step.env.lang
    started = time.perf_counter()
    if options.consolidation is not None and options.consolidation not in CONSOLIDATION_APPROACHES:
        raise ZcfError(f"--consolidation {options.consolidation}: use {', '.join(CONSOLIDATION_APPROACHES)}",
                       ExitCode.USAGE)
    check_group_folder(folders, group, lang)
    with step.progress.task("Reading the parts", "正在读取各部分"):
        parts = read_parts(folders, lang)
        given = {name: value for name, value in step.config.organization.model_dump().items()
                 if name not in NOT_FROM_CONFIG}  # zcf.toml is the parts' too: its defaults there are no group figures
        if options.organization is not None:
            given.update(read_organization_file(options.organization, parts[0].results.get("reporting_year"), lang))
        if options.company:
            given["company_name"] = options.company
        consolidation = options.consolidation or given.pop("consolidation_approach", None)
        shared = check_agreement(parts, lang, consolidation)
        check_policy_matches(shared, step.config.factors.policy(), lang)
        check_duplicates(parts, lang)
        tables, kept_once = combine_tables(parts, lang)
        organization = group_organization(parts, shared, given, lang)
    tables["organization"] = organization_table(organization)
    with session(group, "ingest", options.force):
        write_group_dataset(group, parts, tables, organization, kept_once)
        report = calc_step(step, group)
        add_entities(report, parts)
        write_outputs(report, group)  # the lines with their entity, results.json with its hashes
    return MergeOutcome(group, parts, report.results, report.problems, time.perf_counter() - started)


def check_group_folder(folders: list[Path], group: Path, lang: str) -> None:
    """GROUP is neither a part, nor inside one, nor around one."""
    target = group.resolve()
    for folder in folders:
        here = folder.resolve()
        if target == here or here in target.parents or target in here.parents:
            raise merge_error("merge-output-is-part", lang, ExitCode.USAGE, group=str(group), part=str(folder))


def part_record(part: Part) -> dict[str, Any]:
    """What GROUP's manifest says of a part: its folder, zcf version, input hashes, organization, sites."""
    from zcf.outputs import sha256_file

    return {
        "entity": part.label,
        "folder": part.name,
        "zcf_version": part.manifest.get("zcf_version"),
        "manifest_sha256": sha256_file(part.folder / "manifest.json"),
        "results_sha256": sha256_file(part.folder / "results.json"),
        "inputs": [{"path": s.get("path"), "sha256": s.get("sha256")} for s in part.manifest.get("inputs", [])],
        "organization": part.manifest.get("organization"),
        "consolidation_approach": part.results.get("consolidation_approach"),
        "sites": part.site_ids,
        "totals_tco2e": {k: (part.results.get("totals") or {}).get(k) for k in HEADLINE},
    }


def group_manifest(parts: list[Part], tables: dict[str, pd.DataFrame], organization: dict[str, Any],
                   kept_once: dict[str, int]) -> dict[str, Any]:
    """The manifest a ``zcf ingest`` of every part's inputs would write, plus the ``merge`` section."""
    from zcf.ingest import MANIFEST_SCHEMA_VERSION

    inputs, problems = [], []
    summary = {"errors": 0, "warnings": 0, "info": 0}
    for part in parts:
        inputs += [{**s, "path": entity_path(part.label, s.get("path"))} for s in part.manifest.get("inputs", [])]
        problems += [{**p, "file": entity_path(part.label, p["file"]) if p.get("file") else p.get("file")}
                     for p in part.manifest.get("problems", [])]
        for key in summary:
            summary[key] += int((part.manifest.get("summary") or {}).get(key) or 0)
    return {
        "schema_version": MANIFEST_SCHEMA_VERSION,
        "zcf_version": __version__,
        "valid": True,
        "reporting_year": organization.get("reporting_year"),
        "organization": organization,
        "inputs": inputs,
        "tables": {name: {"rows": int(len(frame)), "file": f"dataset/{name}.parquet"}
                   for name, frame in sorted(tables.items())},
        "summary": summary,
        "problems": problems,
        "merge": {
            "parts": [part_record(p) for p in parts],
            "consolidation_approach": organization.get("consolidation_approach"),
            "reference_rows_kept_once": kept_once,
            "rule": "the group's dataset is the union of the parts' dataset tables (files prefixed with their "
                    "entity; identical reference rows kept once), calculated once as zcf calc does",
        },
    }


def write_group_dataset(group: Path, parts: list[Part], tables: dict[str, pd.DataFrame],
                        organization: dict[str, Any], kept_once: dict[str, int]) -> None:
    """GROUP/dataset/*.parquet, then GROUP/manifest.json with their hashes (as ``zcf ingest`` writes them)."""
    from zcf.io import replace_dir, write_json_atomic, write_parquet_atomic
    from zcf.outputs import clear_downstream, dataset_hashes

    clear_downstream(group, "ingest")
    (group / "manifest.json").unlink(missing_ok=True)  # no manifest of an earlier run beside a new dataset
    manifest = group_manifest(parts, tables, organization, kept_once)
    with replace_dir(group / "dataset") as tmp:
        for name, frame in sorted(tables.items()):
            write_parquet_atomic(tmp / f"{name}.parquet", frame)
        manifest["dataset_sha256"] = dataset_hashes(tmp)
    write_json_atomic(group / "manifest.json", manifest)


def add_entities(report, parts: list[Part]) -> None:
    """Each line's ``entity`` (from its input file), and results.json's ``entities``: per entity its
    folder, organization, sites, line count and headline totals (tCO2e, ``math.fsum`` of its lines)
    beside the part's own totals."""
    from zcf.calc.results import totals

    lines = report.lines
    labels = sorted((p.label for p in parts), key=len, reverse=True)  # the longest prefix first
    files = {f: next((label for label in labels if f.startswith(entity_path(label, ""))), None)
             for f in pd.unique(lines["source_file"].dropna())}
    lines["entity"] = lines["source_file"].map(files).astype("string")
    entities = {}
    for part in parts:
        mine = lines[(lines["entity"] == part.label).fillna(False).to_numpy(dtype=bool)]
        group_totals = totals(mine)
        entities[part.label] = {
            "folder": part.name,
            "organization": part.manifest.get("organization"),
            "sites": part.site_ids,
            "lines": int(len(mine)),
            "totals_tco2e": {k: group_totals[k] for k in HEADLINE},
            "part_totals_tco2e": {k: (part.results.get("totals") or {}).get(k) for k in HEADLINE},
        }
    report.results["entities"] = entities
    report.results["merge"] = {"parts": [p.label for p in parts], "manifest": "manifest.json (merge.parts)"}
