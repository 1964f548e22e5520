"""Is a renewable-electricity instrument valid for the consumption it is claimed for?

Rules are data (``instruments.toml``), chosen with zcf.toml ``[factors] certificates``.
:func:`check` compares an instrument's vintage (the year its electricity was generated) with
the year of the consumption it covers and returns why it may not be applied, or None.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache

from zcf.factors import HERE

DEFAULT_RULE = "cn-gec-2024"


@dataclass(frozen=True)
class CertificateRule:
    name: str
    title_en: str
    title_zh: str
    instruments: tuple[str, ...]
    validity_months: int | None = None
    legacy_before_year: int | None = None
    legacy_valid_through: str | None = None  # "YYYY-MM"
    publisher: str = ""
    document: str = ""
    clause: str = ""
    published: str = ""
    read_in: str = ""
    retrieved: str = ""
    confidence: str = ""
    notes: str = ""

    def to_dict(self) -> dict:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


@cache
def rules() -> dict[str, CertificateRule]:
    with open(HERE / "instruments.toml", "rb") as f:
        raw = tomllib.load(f)["rules"]
    return {name: CertificateRule(name=name, **{**body, "instruments": tuple(body.get("instruments", ()))})
            for name, body in raw.items()}


def rule(name: str) -> CertificateRule:
    found = rules().get(name)
    if found is None:
        raise ValueError(f"no certificate rule {name!r}; use one of {', '.join(sorted(rules()))}")
    return found


def check(rule: CertificateRule, instrument: str, vintage: int | None, year: int) -> tuple[str, dict] | None:
    """Why an instrument of ``vintage`` may not cover consumption in ``year`` under ``rule`` (problem code and
    parameters), or None when it may. A missing vintage is not refused here (the caller warns)."""
    if vintage is None:
        return None
    if vintage > year:
        return "instrument-vintage-future", {"vintage": vintage, "year": year}
    if instrument not in rule.instruments:
        return None
    if rule.name == "same-year" or (rule.validity_months is None and rule.instruments):
        if vintage != year:
            return "instrument-expired", {"vintage": vintage, "year": year, "rule": rule.title_en,
                                          "rule_zh": rule.title_zh, "valid_until": str(vintage)}
        return None
    if rule.legacy_before_year is not None and vintage < rule.legacy_before_year and rule.legacy_valid_through:
        until = int(rule.legacy_valid_through[:4])
        if year <= until:
            return None
        return "instrument-expired", {"vintage": vintage, "year": year, "rule": rule.title_en, "rule_zh": rule.title_zh,
                                      "valid_until": rule.legacy_valid_through}
    # Valid for validity_months from the production month (inclusive). With the vintage year only, a certificate
    # is certainly valid through December of vintage + (months - 1) // 12 (produced in January: 24 months → V+1).
    certain_years = (rule.validity_months - 1) // 12 if rule.validity_months else 0
    if year <= vintage + certain_years:
        return None
    return "instrument-expired", {"vintage": vintage, "year": year, "rule": rule.title_en, "rule_zh": rule.title_zh,
                                  "valid_until": f"{vintage + certain_years}-12"}
