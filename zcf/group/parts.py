"""The parts of a group inventory: the output folders of separate ``zcf run`` (one per entity or plant).

:func:`read_parts` opens each folder as the later steps of zcf do (its own marker, a dataset that
matches its manifest, results calculated from that manifest and those lines) and gives each part
an **entity label** — the folder's name, or its last path components when two folders share a name.

:func:`check_agreement` refuses parts that cannot be added up: a different results or manifest
schema, factor library version, factor sets or factor policy, GWP basis or reporting year, and
(without ``--consolidation``) a different consolidation approach. :func:`check_duplicates` refuses
the same folder twice, the same input file (same SHA-256) in two parts and the same site in two
parts. Every refusal names the folders and the differing values, and says how to fix it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from zcf.errors import ExitCode, ZcfError
from zcf.problems import Problem


# What the parts must share, in Chinese (the keys of :func:`agreement_values`, for the messages).
WHAT_ZH = {
    "results schema version": "results.json 结构版本", "manifest schema version": "manifest.json 结构版本",
    "factor library version": "排放因子库版本", "factor sets": "因子集", "grid-factor vintage": "电网因子年份规则",
    "T&D loss method": "输配电损耗算法", "gas volume basis": "气体体积基准", "certificate rule": "绿证规则",
    "GWP basis": "GWP 基准", "reporting year": "报告年度", "consolidation approach": "合并方法",
    "no such folder": "文件夹不存在", "no manifest.json and dataset/": "没有 manifest.json 和 dataset/",
    "its ingest found errors": "其导入发现错误", "no results.json": "没有 results.json",
}


def merge_error(code: str, lang: str, exit_code: ExitCode = ExitCode.INVALID,
                hint: tuple[str, str] | None = None, **params: Any) -> ZcfError:
    """A refusal of ``zcf merge`` with its stable code from problems.toml, in the user's language.

    ``hint`` is (English, Chinese); a ``what`` parameter is named in Chinese from :data:`WHAT_ZH`.
    """
    if "what" in params:
        params.setdefault("what_zh", WHAT_ZH.get(params["what"], params["what"]))
    message = Problem(code, params=params).message(lang)
    return ZcfError(f"{message} [{code}]", exit_code, hint=None if hint is None else hint[lang == "zh"])


@dataclass
class Part:
    """One entity's run: its folder, its manifest and results.json, and its dataset tables."""

    folder: Path  # as given on the command line
    label: str  # the entity label the group's lines carry
    manifest: dict[str, Any]
    results: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """How messages name the part: its folder as typed."""
        return str(self.folder)

    @property
    def site_ids(self) -> list[str]:
        sites = self.tables.get("sites")
        if sites is None or sites.empty:
            return []
        return sorted(str(s) for s in sites["site_id"].dropna().unique())


def read_part(folder: Path, lang: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, pd.DataFrame]]:
    """A part's manifest, results.json and dataset tables, verified to belong to one complete run."""
    from zcf.outputs import read_record, require_own, verify_dataset, verify_results

    if not folder.is_dir():
        raise merge_error("merge-not-a-run", lang, ExitCode.USAGE, folder=str(folder), what="no such folder")
    require_own(folder, "merge")
    manifest_path, results_path = folder / "manifest.json", folder / "results.json"
    if not manifest_path.is_file() or not (folder / "dataset").is_dir():
        raise merge_error("merge-not-a-run", lang, folder=str(folder), what="no manifest.json and dataset/")
    manifest = read_record(folder, "manifest.json", "zcf ingest")
    if not manifest.get("valid"):
        raise merge_error("merge-not-a-run", lang, folder=str(folder), what="its ingest found errors")
    verify_dataset(folder, manifest)
    if not results_path.is_file():
        raise merge_error("merge-not-a-run", lang, folder=str(folder), what="no results.json")
    results = read_record(folder, "results.json", "zcf calc")
    verify_results(folder, results)
    tables = {p.stem: pd.read_parquet(p) for p in sorted((folder / "dataset").glob("*.parquet"))}
    return manifest, results, tables


def entity_labels(folders: list[Path]) -> list[str]:
    """Each folder's name, or as many of its last path components as tell the folders apart
    (``a/run`` and ``b/run`` when both are named ``run``)."""
    paths = [f.resolve().parts for f in folders]
    longest = max(len(p) for p in paths)
    for depth in range(1, longest + 1):
        labels = ["/".join(p[-depth:]).lstrip("/") for p in paths]
        if len(set(labels)) == len(labels):
            return labels
    return labels  # the same folder twice: refused by read_parts


def read_parts(folders: list[Path], lang: str) -> list[Part]:
    """Every part, sorted by entity label (so the group does not depend on the order of the arguments)."""
    seen: dict[Path, Path] = {}
    for folder in folders:
        resolved = folder.resolve()
        if resolved in seen:
            raise merge_error("merge-duplicate-entity", lang, first=str(seen[resolved]), second=str(folder))
        seen[resolved] = folder
    labels = entity_labels(folders)
    if len(set(labels)) != len(labels):
        first, second = _first_pair(labels, [str(f) for f in folders])
        raise merge_error("merge-duplicate-entity", lang, first=first, second=second)
    parts = [Part(folder, label, *read_part(folder, lang)) for folder, label in zip(folders, labels)]
    return sorted(parts, key=lambda p: p.label)


def _first_pair(keys: list[str], names: list[str]) -> tuple[str, str]:
    where: dict[str, str] = {}
    for key, name in zip(keys, names):
        if key in where:
            return where[key], name
        where[key] = name
    raise AssertionError("no duplicate")


# --- agreement -------------------------------------------------------------------------------

def agreement_values(part: Part) -> dict[str, Any]:
    """What every part must share for the group's lines to be added up (what → value)."""
    results = part.results
    library = results.get("factor_library") or {}
    policy = dict(results.get("factor_policy") or {})
    return {
        "results schema version": results.get("schema_version"),
        "manifest schema version": part.manifest.get("schema_version"),
        "factor library version": library.get("version") or results.get("factor_library_version"),
        "factor sets": ", ".join(s["name"] for s in library.get("sets", [])) or "(library defaults)",
        "grid-factor vintage": policy.get("vintage"),
        "T&D loss method": (policy.get("td_losses") or {}).get("method"),
        "gas volume basis": (policy.get("gas_volume") or {}).get("setting"),
        "certificate rule": policy.get("certificates"),
        "GWP basis": results.get("gwp_basis"),
        "reporting year": results.get("reporting_year"),
    }


def check_agreement(parts: list[Part], lang: str, consolidation: str | None) -> dict[str, Any]:
    """The values the parts share (what → value); a refusal naming the folders where any differs."""
    shared: dict[str, Any] = {}
    values = [(p, agreement_values(p)) for p in parts]
    for what in values[0][1]:
        _agree(what, [(p, v[what]) for p, v in values], lang, "merge-version-mismatch")
        shared[what] = values[0][1][what]
    approaches = [(p, p.results.get("consolidation_approach")) for p in parts]
    if consolidation is None:
        _agree("consolidation approach", approaches, lang, "merge-approach-mismatch")
        consolidation = approaches[0][1]
    shared["consolidation approach"] = consolidation
    return shared


def _agree(what: str, values: list[tuple[Part, Any]], lang: str, code: str) -> None:
    distinct = {json.dumps(v, sort_keys=True, default=str) for _, v in values}
    if len(distinct) > 1:
        listing = "; ".join(f"{p.name}: {v if v is not None else '(none)'}" for p, v in values)
        raise merge_error(code, lang, what=what, values=listing, hint=(
            "Run every part again with the same zcf version and zcf.toml ([factors] section, organization "
            "gwp_basis and reporting_year), then merge.",
            "请用相同的 zcf 版本和 zcf.toml（[factors] 部分、组织信息的 gwp_basis 和 reporting_year）重新运行各部分，再合并。"))


def check_policy_matches(shared: dict[str, Any], policy, lang: str) -> None:
    """The group is calculated with zcf.toml's [factors]: it must be the parts' (else the group's factors differ)."""
    from zcf.factors.policy import FactorPolicy

    assert isinstance(policy, FactorPolicy)
    mine = {
        "factor library version": policy.library_version,
        "factor sets": ", ".join(policy.active_sets()) or "(library defaults)",
        "grid-factor vintage": str(policy.vintage),
        "T&D loss method": policy.td_losses,
        "gas volume basis": policy.gas_volume,
        "certificate rule": policy.certificates,
    }
    for what, value in mine.items():
        if str(shared[what]) != str(value):
            raise merge_error("merge-config-mismatch", lang, ExitCode.USAGE, what=what, mine=value,
                              theirs=shared[what],
                              hint=("Give zcf merge the zcf.toml the parts were run with: zcf --config zcf.toml merge …",
                                    "请为 zcf merge 指定各部分运行时所用的 zcf.toml：zcf --config zcf.toml merge …"))


# --- duplicates --------------------------------------------------------------------------------

# Tables of shared reference data: the same rows may come with every part (a group-wide supplier
# list, BOM or factor sheet) and are kept once when identical. Rows of every other table are
# activity, claims or boundary, and would be counted twice.
REFERENCE_TABLES = frozenset({"organization", "suppliers", "bom", "factors", "supplier_pcfs", "supplier_energy",
                              "supplier_output", "product_history", "targets", "history"})


def counted_tables(source: dict[str, Any]) -> list[str]:
    """The tables of an input file (a manifest entry) whose rows would be counted twice if given twice."""
    return sorted({s.get("table") for s in source.get("sheets", [])
                   if s.get("table") and s.get("table") not in REFERENCE_TABLES and s.get("rows")})


def check_duplicates(parts: list[Part], lang: str) -> None:
    """The same site or the same input file (of activity data) in two parts would be counted twice: refused.

    A file of reference data only (suppliers, BOM, factors, targets, history) may be shared.
    """
    by_site: dict[str, Part] = {}
    for part in parts:
        for site_id in part.site_ids:
            if site_id in by_site:
                raise merge_error("merge-duplicate-site", lang, site_id=site_id, first=by_site[site_id].name,
                                  second=part.name)
            by_site[site_id] = part
    by_hash: dict[str, tuple[Part, str]] = {}
    for part in parts:
        for source in part.manifest.get("inputs", []):
            digest = source.get("sha256")
            if not digest or not counted_tables(source):
                continue
            if digest in by_hash and by_hash[digest][0] is not part:
                first, path = by_hash[digest]
                raise merge_error("merge-duplicate-input", lang, sha256=digest[:12], first=first.name, file1=path,
                                  second=part.name, file2=source.get("path"))
            by_hash.setdefault(digest, (part, str(source.get("path"))))
