"""Versions of the factor library: what changed, and the libraries of earlier versions.

``versions.toml`` lists every version, newest first. The current one is ``data/*.csv``;
each earlier one is kept whole in ``packs/<version>.csv`` (frozen: never edited), so an
inventory made with it can be reproduced (zcf.toml ``[factors] library = "2026.11"``) and
restated. ``changes.csv`` is the changelog of values: one row per factor added, removed,
replaced (a new id for a new edition) or changed (one row per field), with the reason and
the source of the new value. :func:`diff` compares two versions field by field and joins
the changelog's reasons; the tests check that every difference has its changelog row.
"""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass, field
from functools import cache

from zcf.factors import HERE, LIBRARY_VERSION, Factor, factor_from_row, library

# Fields whose change changes a result: the changelog must explain each.
VALUE_FIELDS = ("value", "unit", "activity", "region", "year", "gas", "set")
# Fields shown in a diff as well (the citation and its confidence).
CITATION_FIELDS = ("confidence", "source", "url", "read_in")


@dataclass(frozen=True)
class Version:
    version: str
    date: str
    summary_en: str
    summary_zh: str
    pack: str = ""  # packs/<version>.csv for earlier versions; "" for the current library


@cache
def versions() -> tuple[Version, ...]:
    """Every library version, newest first."""
    with open(HERE / "versions.toml", "rb") as f:
        raw = tomllib.load(f)
    return tuple(Version(**entry) for entry in raw["versions"])


def version_ids() -> list[str]:
    return [v.version for v in versions()]


def known_version(version: str) -> Version:
    """The version named; ValueError listing the versions when it is unknown."""
    for v in versions():
        if v.version == version:
            return v
    raise ValueError(f"no factor-library version {version!r}; versions: {', '.join(version_ids())}")


@cache
def library_at(version: str) -> tuple[Factor, ...]:
    """The whole library (every set) as it was in ``version``."""
    entry = known_version(version)
    if entry.version == LIBRARY_VERSION:
        return library()
    with open(HERE / entry.pack, encoding="utf-8", newline="") as f:
        return tuple(factor_from_row(row) for row in csv.DictReader(f))


def find_any_version(factor_id: str) -> Factor | None:
    """A factor id of an earlier version (lines.csv of an older inventory), newest version first."""
    for entry in versions():
        if entry.version == LIBRARY_VERSION:
            continue
        found = next((f for f in library_at(entry.version) if f.factor_id == factor_id), None)
        if found is not None:
            return found
    return None


@dataclass(frozen=True)
class Change:
    version: str
    change: str  # added | removed | replaced | changed
    factor_id: str
    replaces: str
    field: str
    old: str
    new: str
    reason: str
    source: str


@cache
def changelog() -> tuple[Change, ...]:
    with open(HERE / "changes.csv", encoding="utf-8", newline="") as f:
        return tuple(Change(**{k: (v or "") for k, v in row.items()}) for row in csv.DictReader(f))


@dataclass
class DiffRow:
    change: str  # added | removed | replaced | changed
    factor_id: str
    replaces: str = ""
    fields: dict[str, tuple[str, str]] = field(default_factory=dict)  # field → (old, new)
    activity: str = ""
    region: str = ""
    year: str = ""
    reason: str = ""
    source: str = ""

    def to_dict(self) -> dict:
        return {"change": self.change, "factor_id": self.factor_id, "replaces": self.replaces,
                "activity": self.activity, "region": self.region, "year": self.year,
                "fields": {k: {"old": o, "new": n} for k, (o, n) in self.fields.items()},
                "reason": self.reason, "source": self.source}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return format(value, "g")
    return str(value)


def _between(old: str, new: str) -> list[str]:
    """Versions after ``old`` up to and including ``new`` (in order, oldest first)."""
    order = list(reversed(version_ids()))  # oldest first
    a, b = order.index(old), order.index(new)
    return order[a + 1:b + 1] if a < b else order[b + 1:a + 1]


def diff(old: str, new: str, citations: bool = False) -> list[DiffRow]:
    """What changed from library ``old`` to ``new``: factors added, removed, replaced and changed.

    ``citations``: also report changes of confidence, source, URL and where the value was read.
    Each row carries the changelog's reason and source where the changelog has one.
    """
    known_version(old), known_version(new)
    before = {f.factor_id: f for f in library_at(old)}
    after = {f.factor_id: f for f in library_at(new)}
    span = set(_between(old, new))
    forward = version_ids().index(new) < version_ids().index(old)  # new is newer
    notes = [c for c in changelog() if c.version in span]
    replaced = {c.factor_id: c for c in notes if c.change == "replaced"}
    replaced_old = {c.replaces: c for c in notes if c.change == "replaced"}
    fields = VALUE_FIELDS + (CITATION_FIELDS if citations else ())
    rows: list[DiffRow] = []

    def explain(row: DiffRow, factor_id: str, field_name: str = "") -> DiffRow:
        hits = [c for c in notes if c.factor_id == factor_id and (not field_name or c.field in ("", field_name))]
        if hits:
            row.reason = " | ".join(dict.fromkeys(c.reason for c in hits if c.reason))
            row.source = " | ".join(dict.fromkeys(c.source for c in hits if c.source))
        return row

    for fid, f in after.items():
        if fid in before:
            changed = {name: (_text(getattr(before[fid], name)), _text(getattr(f, name))) for name in fields
                       if _text(getattr(before[fid], name)) != _text(getattr(f, name))}
            if changed:
                rows.append(explain(DiffRow("changed", fid, fields=changed, activity=f.activity, region=f.region or "",
                                            year=_text(f.year)), fid))
            continue
        link = replaced.get(fid) if forward else None
        if link is not None and link.replaces in before:
            was = before[link.replaces]
            changed = {name: (_text(getattr(was, name)), _text(getattr(f, name))) for name in fields
                       if _text(getattr(was, name)) != _text(getattr(f, name))}
            rows.append(explain(DiffRow("replaced", fid, replaces=link.replaces, fields=changed, activity=f.activity,
                                        region=f.region or "", year=_text(f.year)), fid))
        else:
            rows.append(explain(DiffRow("added", fid, fields={"value": ("", _text(f.value))}, activity=f.activity,
                                        region=f.region or "", year=_text(f.year)), fid))
    for fid, f in before.items():
        if fid in after or (forward and fid in replaced_old and replaced_old[fid].factor_id in after):
            continue
        rows.append(explain(DiffRow("removed", fid, fields={"value": (_text(f.value), "")}, activity=f.activity,
                                    region=f.region or "", year=_text(f.year)), fid))
    order = {"changed": 0, "replaced": 1, "added": 2, "removed": 3}
    return sorted(rows, key=lambda r: (r.activity, order[r.change], r.factor_id))


# --- for the command line (zcf factors list / show / diff) ---------------------------------------

def listed_factors(activity: str | None, region: str | None, confidence: str | None, factor_set: str | None,
                   version: str | None) -> list[Factor]:
    """``zcf factors list``: the library (of ``version``) filtered; ZcfError (usage) for an unknown tag, set or version."""
    from zcf.errors import ExitCode, ZcfError
    from zcf.factors import confidence_tags, factor_sets, select

    if confidence is not None and confidence != "weak" and confidence not in confidence_tags():
        raise ZcfError(f"--confidence {confidence}: use weak or one of {', '.join(confidence_tags())}", ExitCode.USAGE)
    if factor_set is not None and factor_set != "core" and factor_set not in factor_sets():
        raise ZcfError(f"--set {factor_set}: use core or one of {', '.join(sorted(factor_sets()))}", ExitCode.USAGE)
    try:
        factors = library_at(version) if version else library()
    except ValueError as exc:
        raise ZcfError(str(exc), ExitCode.USAGE) from exc
    return select(activity, region, confidence, factor_set, factors)


def describe(factor: Factor) -> dict:
    """A factor as ``zcf factors show`` states it: its fields, the full citation, the edition of its set."""
    from zcf.factors import confidence_tags, factor_sets

    out = factor.to_dict()
    out["citation"] = factor.citation
    meaning = confidence_tags().get(factor.confidence)
    if meaning:
        out["confidence_means"] = meaning["en"]
    if factor.set and factor.set in factor_sets():
        spec = factor_sets()[factor.set]
        out["set_edition"] = spec.edition_en
        out["set_default"] = spec.default
    in_current = any(f.factor_id == factor.factor_id for f in library())
    if not in_current:
        out["library_version"] = next((v.version for v in versions() if v.version != LIBRARY_VERSION and any(
            f.factor_id == factor.factor_id for f in library_at(v.version))), None)
        out["note"] = "not in the current library; see zcf factors diff"
    return out


def diff_report(old: str | None, new: str | None, citations: bool = False, only_versions: bool = False) -> dict:
    """``zcf factors diff``: the versions, and the changes from ``old`` to ``new`` (defaults: previous → current)."""
    from zcf.errors import ExitCode, ZcfError

    listing = [{"version": v.version, "date": v.date, "summary": v.summary_en, "summary_zh": v.summary_zh,
                "current": v.version == LIBRARY_VERSION} for v in versions()]
    if only_versions:
        return {"versions": listing}
    ids = version_ids()
    new = new or LIBRARY_VERSION
    try:
        known_version(new)
        if old is None:
            position = ids.index(new)
            if position + 1 >= len(ids):
                raise ValueError(f"{new} is the first library version; nothing before it")
            old = ids[position + 1]
        known_version(old)
        rows = diff(old, new, citations)
    except ValueError as exc:
        raise ZcfError(str(exc), ExitCode.USAGE) from exc
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.change] = counts.get(row.change, 0) + 1
    return {"old": old, "new": new, "versions": listing, "counts": counts, "changes": [r.to_dict() for r in rows]}
