"""The group's dataset: the parts' dataset tables, one after the other, and the group's organization.

* **Lineage.** Every row keeps its file, sheet and row; its file is prefixed with its entity label
  (``plant-a/inputs/energy.xlsx``), so two entities' files of the same name stay apart and every
  cell a group problem or line names can be found in that entity's inputs.
* **Activity rows** (energy, purchases, refrigerants, …, sold products, certificates) are
  concatenated; two parts with the same key (the same certificate, the same sold product and
  market) would be counted twice and are refused (``merge-duplicate-rows``).
* **Reference rows** (suppliers, BOM, user factors, supplier footprints, targets, history) may come
  with every part: identical rows are kept once (the first entity's, by label); rows of the same key
  that differ are refused (``merge-conflicting-rows``), since the parts were calculated with different
  data.
* **Organization.** Fields the parts agree on are kept; zcf.toml [organization], then an
  organization file (``--organization FILE``), then ``--company`` state the group's own fields;
  revenue is the file's, else the exact sum (``math.fsum``, in the shared currency) when every part
  states it; the consolidation approach is ``--consolidation``, else the file's, else the parts' own.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

from zcf.errors import ExitCode, ZcfError
from zcf.group.parts import REFERENCE_TABLES, Part, merge_error

LINEAGE = ("_source_file", "_source_sheet", "_source_row")


def entity_path(label: str, path: Any) -> str:
    """A part's file as the group names it: ``<entity>/<path as in the part's manifest>`` (``hq/inputs/a.csv``)."""
    return f"{label}/{str(path).lstrip('/')}"


def _with_entity_lineage(part: Part, frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    if "_source_file" in frame:  # each distinct file renamed once (a table of millions of rows has a few files)
        codes, files = pd.factorize(frame["_source_file"], use_na_sentinel=False)
        renamed = pd.array([entity_path(part.label, f) for f in files.tolist()], dtype="string")
        frame["_source_file"] = pd.Series(renamed.take(codes), index=frame.index)
    return frame


def _row_keys(frame: pd.DataFrame, columns: tuple[str, ...]) -> list[tuple]:
    """The key of each row as comparable values (a missing value is one value, as ingest's key check has it)."""
    present = [c for c in columns if c in frame]
    values = frame[present].astype(object).where(frame[present].notna(), None)
    return [tuple(str(v) if v is not None else None for v in row) for row in values.itertuples(index=False)]


def _content(frame: pd.DataFrame) -> list[tuple]:
    columns = sorted(c for c in frame.columns if c not in LINEAGE)
    values = frame[columns].astype(object).where(frame[columns].notna(), None)
    return [tuple(zip(columns, row)) for row in values.itertuples(index=False)]


def _same(a: tuple, b: tuple) -> bool:
    """Two rows' content equal, a column one of them lacks counting as empty."""
    left, right = dict(a), dict(b)
    return all(left.get(c) == right.get(c) for c in set(left) | set(right))


def combine_tables(parts: list[Part], lang: str) -> tuple[dict[str, pd.DataFrame], dict[str, int]]:
    """The group's dataset tables (without organization), and per reference table the rows kept once."""
    from zcf.schema import load_schema

    schema = load_schema()
    names = sorted(set().union(*(p.tables for p in parts)) - {"organization"})
    tables: dict[str, pd.DataFrame] = {}
    kept_once: dict[str, int] = {}
    for name in names:
        pieces = [(p, _with_entity_lineage(p, p.tables[name])) for p in parts if name in p.tables]
        spec = schema.tables.get(name)
        key = tuple(c for c in (spec.key if spec is not None else ()) if all(c in f for _, f in pieces))
        if name in REFERENCE_TABLES and key:
            frames, dropped = _shared_rows(name, key, pieces, lang)
            if dropped:
                kept_once[name] = dropped
        else:
            if key:
                _refuse_repeated_keys(name, key, pieces, lang, missing_equal=True)
            for column in spec.unique if spec is not None else ():  # each value once (a certificate id)
                if all(column in f for _, f in pieces):
                    _refuse_repeated_keys(name, (column,), pieces, lang, missing_equal=False)
            frames = [frame for _, frame in pieces]
        tables[name] = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].reset_index(drop=True)
    return tables, kept_once


def _refuse_repeated_keys(table: str, columns: tuple[str, ...], pieces: list[tuple[Part, pd.DataFrame]], lang: str,
                          missing_equal: bool) -> None:
    """Activity rows of the same key in two parts: refused (they would be counted twice)."""
    owner: dict[tuple, Part] = {}
    for part, frame in pieces:
        for key in dict.fromkeys(_row_keys(frame, columns)):
            if not missing_equal and any(v is None for v in key):
                continue
            if key in owner and owner[key] is not part:
                raise merge_error("merge-duplicate-rows", lang, table=table, key=", ".join(columns),
                                  value=", ".join("–" if v is None else v for v in key),
                                  first=owner[key].name, second=part.name)
            owner.setdefault(key, part)


def _shared_rows(table: str, key: tuple[str, ...], pieces: list[tuple[Part, pd.DataFrame]],
                 lang: str) -> tuple[list[pd.DataFrame], int]:
    """Reference rows: each key once (the first part's row); a key whose rows differ is refused."""
    seen: dict[tuple, tuple[Part, tuple]] = {}
    frames, dropped = [], 0
    for part, frame in pieces:
        keep = []
        for row_key, content in zip(_row_keys(frame, key), _content(frame)):
            if row_key not in seen:
                seen[row_key] = (part, content)
                keep.append(True)
                continue
            first, first_content = seen[row_key]
            if not _same(first_content, content):
                raise merge_error("merge-conflicting-rows", lang, table=table, key=", ".join(key),
                                  value=", ".join("–" if v is None else v for v in row_key),
                                  first=first.name, second=part.name)
            keep.append(False)
            dropped += 1
        frames.append(frame[keep])
    return frames, dropped


# --- the group's organization ------------------------------------------------------------------

FIXED_FIELDS = {"reporting_year": "reporting year", "gwp_basis": "GWP basis"}  # what the parts were calculated with


def group_organization(parts: list[Part], shared: dict[str, Any], given: dict[str, Any], lang: str) -> dict[str, Any]:
    """The group's organization fields (see the module docstring for where each comes from).

    ``given``: the group's own fields (zcf.toml [organization], --organization FILE, --company);
    a reporting year or GWP basis given there must be the parts'.
    """
    orgs = [dict(p.manifest.get("organization") or {}) for p in parts]
    fields = list(dict.fromkeys(f for org in orgs for f in org))
    out: dict[str, Any] = {}
    for name in fields:
        values = [org.get(name) for org in orgs]
        if all(v == values[0] for v in values) and values[0] is not None:
            out[name] = values[0]
    for name, value in given.items():
        if value is None:
            continue
        if name in FIXED_FIELDS:
            if str(value) != str(shared[FIXED_FIELDS[name]]):
                raise merge_error("merge-organization-given-mismatch", lang, field=name, value=value,
                                  parts=shared[FIXED_FIELDS[name]])
            continue
        out[name] = value
    out["reporting_year"] = shared["reporting year"]
    out["gwp_basis"] = shared["GWP basis"]
    out["consolidation_approach"] = shared["consolidation approach"]
    if not out.get("company_name"):
        raise merge_error("merge-company-needed", lang, names="; ".join(
            f"{p.name}: {org.get('company_name')}" for p, org in zip(parts, orgs)))
    for name in ("currency", "country"):
        if name not in out and any(org.get(name) is not None for org in orgs):
            raise merge_error("merge-organization-mismatch", lang, field=name, values="; ".join(
                f"{p.name}: {org.get(name)}" for p, org in zip(parts, orgs)))
    revenues = [org.get("revenue") for org in orgs]
    if given.get("revenue") is not None:
        out["revenue"] = float(given["revenue"])
    elif revenues and all(r is not None for r in revenues):
        out["revenue"] = math.fsum(float(r) for r in revenues)  # in the shared currency
    else:
        out.pop("revenue", None)
    return out


def read_organization_file(path: Path, year: int | None, lang: str) -> dict[str, Any]:
    """The fields an organization table (field, value; .xlsx, .csv …) states, read and checked as ingest reads it.

    ``year`` (the parts') stands in for a reporting year the file leaves out; one it states is checked later.
    """
    from zcf.ingest import IngestOptions, ingest

    if not path.is_file():
        raise ZcfError(f"--organization {path}: no such file", ExitCode.USAGE)
    report = ingest([str(path)], IngestOptions(), {"reporting_year": year})
    table = report.tables.get("organization")
    if table is None or table.empty:
        raise ZcfError(f"--organization {path}: no organization table found (a sheet organization/组织 of two "
                       "columns field, value; or a CSV file named organization.csv)", ExitCode.USAGE,
                       hint="zcf template organization -o organization.xlsx writes a blank one.")
    errors = [p for p in report.problems  # a group's file needs no reporting year, nor a name when --company gives it
              if p.severity == "error" and p.code not in ("no-data", "missing-field")]
    if errors:
        raise ZcfError(f"{errors[0].location() or path}: {errors[0].message(lang)}" + (
            f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""), ExitCode.INVALID,
            hint=f"zcf ingest {path} -o a-new-folder lists every problem of the file.")
    stated = set(table["field"].dropna().astype(str))
    return {name: value for name, value in report.organization.items() if name in stated and value is not None}


def organization_table(organization: dict[str, Any]) -> pd.DataFrame:
    """The group's organization as the key/value table ingest writes (field, value as text)."""
    rows = [(name, None if value is None else str(value)) for name, value in organization.items()]
    frame = pd.DataFrame(rows, columns=["field", "value"])
    frame["_source_file"] = "zcf merge"
    frame["_source_sheet"] = None
    return frame
