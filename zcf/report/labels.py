"""The report's words in one language: the label catalogue and the names of codes.

``templates/report/labels.toml`` holds the headings and sentences of the reports in
English and Chinese, and names every code a report shows — statuses, enumeration values,
units, methods, activities, tables, calculation notes — so that a report is wholly in
its language. Chinese names of enumeration values, provinces and grids come from the
schema (``zcf/schema``); a code the catalogue does not know is shown as it is, which
the language tests catch.
"""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from zcf.resources import templates_dir

LANGS = ("en", "zh")
EXTRA_PLACEHOLDERS = {"instrument": "instrument"}  # placeholders of calculation lines, not of factor families


@cache
def catalogue() -> dict[str, Any]:
    with open(templates_dir() / "report" / "labels.toml", "rb") as f:
        return tomllib.load(f)


@cache
def _placeholder_enums() -> dict[str, str | None]:
    """Activity placeholder → the enumeration whose values fill it (fuel → energy_type)."""
    from zcf.factors.activities import placeholders

    return {name: p.enum for name, p in placeholders().items()} | EXTRA_PLACEHOLDERS


@cache
def _regions() -> dict[str, tuple[str, str]]:
    """Region code → (English, Chinese): countries and blocs, provinces, grids."""
    import zcf.schema
    from zcf.schema import load_schema

    schema = load_schema()
    with open(Path(zcf.schema.__file__).with_name("regions.csv"), encoding="utf-8", newline="") as f:
        out = {row["code"]: (row["en"], row["zh"]) for row in csv.DictReader(f)}
    out |= {p.code: (p.en, p.zh) for p in schema.provinces}
    out |= {f"CN-GRID-{g.value.upper()}": (g.aliases[0] if g.aliases else g.value, g.zh) for g in schema.grid_regions.values}
    return out


def _match(pattern: str, activity: str) -> dict[str, str] | None:
    """The placeholder values if ``activity`` has the shape of ``pattern`` (``ncv.{fuel}``), else None."""
    wanted, given = pattern.split("."), activity.split(".")
    if len(wanted) != len(given):
        return None
    values = {}
    for want, got in zip(wanted, given):
        if want.startswith("{") and want.endswith("}"):
            if not got:
                return None
            values[want[1:-1]] = got
        elif want != got:
            return None
    return values


@dataclass(frozen=True)
class Words:
    """The catalogue of one language, with the names of codes."""

    lang: str

    @cached_property
    def table(self) -> dict[str, Any]:
        return catalogue()[self.lang]

    @cached_property
    def codes(self) -> dict[str, dict[str, str]]:
        return self.table["codes"]

    def __getitem__(self, key: str) -> str:
        return self.table[key]

    def of(self, group: str, code: str | None) -> str:
        """A code of a group (status, evidence, confidence …) in this language; the code itself if unknown."""
        if code is None:
            return ""
        return self.codes[group].get(code, code)

    def enum(self, enum_name: str | None, value: str) -> str:
        """An enumeration value: the schema's Chinese name, or an English name."""
        if self.lang == "zh":
            from zcf.schema import load_schema

            spec = load_schema().enums.get(enum_name or "")
            hit = spec.value_spec(value) if spec else None
            return hit.zh if hit else self.codes["enum_value"].get(value, value)
        return self.codes["enum_value"].get(value, value.replace("_", " "))

    def unit(self, unit: str | None) -> str:
        """A unit symbol as the reader writes it (tce → 吨标准煤, kgCO2e/night → kgCO2e/间夜)."""
        if not unit:
            return ""
        names = self.codes["unit"]
        if unit in names:
            return names[unit]
        return "/".join(names.get(part, part) for part in unit.split("/"))

    def method(self, method: str | None) -> str:
        """A method name of lines.csv (an exact name, or a prefix ending in ``*``)."""
        if not method:
            return ""
        names = self.codes["method"]
        if method in names:
            return names[method]
        for key, value in names.items():
            if key.endswith("*") and method.startswith(key[:-1]):
                return value
        return method

    def activity(self, activity: str | None) -> str:
        """An activity id as words: ``material.aluminium_secondary`` → 材料：再生铝 / material: secondary aluminium."""
        if not activity:
            return ""
        patterns = self.codes["activity"]
        for pattern in sorted(patterns, key=lambda p: (p.count("{"), p)):  # literal ids first
            values = _match(pattern, activity)
            if values is not None:
                enums = _placeholder_enums()
                return patterns[pattern].format(**{k: self.enum(enums.get(k), v) for k, v in values.items()})
        return activity

    def region(self, code: str | None) -> str:
        if not code:
            return ""
        en, zh = _regions().get(code, (code, code))
        return zh if self.lang == "zh" else en

    def table_name(self, name: str) -> str:
        return self.codes["table"].get(name, name)

    def finding(self, code: str) -> str:
        """What a calculation note means for the figures, as a fact."""
        findings = self.codes["finding"]
        return findings.get(code, findings["other"])

    def per_unit(self, kind: str, currency: str | None = None) -> str:
        """The unit of an intensity: per vehicle, per piece, per t, per million revenue."""
        template = self.codes["per_unit"][kind]
        if kind != "revenue":
            return template
        currency = currency or "CNY"
        return template.format(currency=self.unit(currency) if self.lang == "zh" else currency)


@cache
def words(lang: str) -> Words:
    return Words(lang)
