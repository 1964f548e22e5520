"""Print docs/activities.md: every activity id of the factor library, with units and sources.

Run with `make docs`. Users write these ids in the `activity` column of their own
factors sheet to override or extend the library.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from zcf.factors import LIBRARY_VERSION, confidence_tags, factor_sets, library, set_groups  # noqa: E402

INTRO = """# Activity ids of the factor library

Generated from `zcf/factors/activities.toml` and `zcf/factors/data/*.csv` by `make docs`;
library version {version}.

An activity id names what a factor applies to. To use your own value, add a row to the
`factors` sheet (排放因子) with the same `activity`, a `value`, a `unit` and a `source`;
a blank region or year applies everywhere. Your row beats every library value. Ingest
checks each id against the families below (`steel` is refused with "did you mean
material.steel?"), writes it in canonical form (`ncv.天然气` → `ncv.natural_gas`) and
checks that the unit is per what the family is per. A name in angle brackets is one of
the values of that column (`<fuel>`: natural_gas, diesel, …); for fuels, gases,
materials, sectors and currencies a new name is allowed, which is how you extend zcf.

| family | meaning | per | e.g. |
| --- | --- | --- | --- |
"""


def render() -> str:
    by_activity: dict[str, list] = defaultdict(list)
    for factor in library():
        by_activity[factor.activity].append(factor)
    from zcf.factors.activities import families

    rows = [f"| `{f.pattern.replace('{', '<').replace('}', '>')}` | {f.meaning_en} | {', '.join(f.unit_kinds)} | {f.example} |"
            for f in sorted(families(), key=lambda f: f.pattern)]
    lines = [INTRO.format(version=LIBRARY_VERSION) + "\n".join(rows) + "\n", "## All activities", "",
             "| activity | regions | years | unit | source (first) | confidence |", "| --- | --- | --- | --- | --- | --- |"]
    for activity in sorted(by_activity):
        factors = by_activity[activity]
        regions = sorted({f.region or "any" for f in factors})
        years = sorted({str(f.year) for f in factors if f.year}) or ["any"]
        region_text = ", ".join(regions) if len(regions) <= 4 else f"{len(regions)} regions"
        source = factors[0].source.replace("|", "/")
        source = source if len(source) <= 90 else source[:89] + "…"
        confidence = ", ".join(sorted({f.confidence for f in factors}))
        sets = sorted({f.set for f in factors if f.set})
        if sets:
            confidence += " (sets: " + ", ".join(sets) + ")"
        lines.append(f"| `{activity}` | {region_text} | {', '.join(years)} | {factors[0].unit} | {source} | {confidence} |")
    lines += _sets() + _confidence() + _to_check()
    return "\n".join(lines) + "\n"


def _sets() -> list[str]:
    out = ["", "## Factor sets and editions", "",
           "Rows of a named set are used only when the set is; each group has a default, and zcf.toml",
           "`[factors] sets = [\"<name>\"]` picks another set of the group (`zcf factors list --set <name>`).", "",
           "| set | group | default | edition |", "| --- | --- | --- | --- |"]
    groups = set_groups()
    for name, spec in sorted(factor_sets().items()):
        out.append(f"| `{name}` | {spec.group}: {groups[spec.group]['en']} | {'yes' if spec.default else 'no'} | "
                   f"{spec.edition_en.replace('|', '/')} |")
    return out


def _confidence() -> list[str]:
    out = ["", "## Confidence tags", "",
           "What the `confidence` column says about how a value was read (`zcf/factors/confidence.toml`). The",
           "share of each total resting on weak tags is in results.json (`factor_quality`) and the reports.", "",
           "| tag | meaning | weak |", "| --- | --- | --- |"]
    for tag, spec in confidence_tags().items():
        out.append(f"| `{tag}` | {spec['en']} | {'yes' if spec.get('weak') else 'no'} |")
    return out


def _to_check() -> list[str]:
    out = ["", "## What is left to check", "",
           "Library values not read in their publication (`zcf factors list --confidence weak`), with what to check.", "",
           "| factor | activity | value | confidence | to check |", "| --- | --- | --- | --- | --- |"]
    for f in library():
        if f.weak:
            note = f.notes.replace("|", "/")
            out.append(f"| `{f.factor_id}` | `{f.activity}` | {f.value:g} {f.unit} | {f.confidence} | {note} |")
    return out


if __name__ == "__main__":
    sys.stdout.write(render())
