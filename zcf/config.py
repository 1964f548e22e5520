"""``zcf.toml``: organisation defaults, ingest options, Scope 3 relevance, checks, report.

Found in the working directory or given with ``--config``. Every section is
optional; unknown keys are errors, so a typo does not pass silently.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from zcf.errors import ExitCode, ZcfError
from zcf.ingest import OUTLIER_RATIO

CONFIG_NAME = "zcf.toml"
WORKING_DAYS = 250  # commuting days per year when the commuting table leaves them out
ALLOCATIONS = ("units", "mass", "revenue")  # keys that share a site's own emissions among its products
ALLOCATION = "units"  # the default key
# Warn when a BOM uses more of an item (production × quantity per unit) than this multiple of what was
# bought or made: purchases a little below the BOM's use are normal (stock), far below are a unit or entry error.
MASS_BALANCE_RATIO = 1.1


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OrganizationDefaults(_Section):
    """Used where the input has no organization table, or leaves a field out."""

    company_name: str | None = None
    company_name_en: str | None = None
    reporting_year: int | None = Field(None, ge=1900, le=2100)
    base_year: int | None = Field(None, ge=1900, le=2100)
    consolidation_approach: Literal["operational_control", "financial_control", "equity_share"] | None = None
    currency: str | None = None
    revenue: float | None = Field(None, ge=0)
    gwp_basis: Literal["AR4", "AR5", "AR6"] | None = None
    country: str | None = None


class IngestConfig(_Section):
    outlier_ratio: float = Field(OUTLIER_RATIO, gt=1, description="warn when a month exceeds this multiple of the median month")
    allow_other_years: bool = False
    encoding: str | None = None


class CalcConfig(_Section):
    working_days: int = Field(WORKING_DAYS, ge=0, le=366, description="commuting days per year when the table leaves them out")


class FactorsConfig(_Section):
    fallback_regions: list[str] = Field(
        default_factory=list,
        description="regions whose factors may stand in, with a warning, where ours has none (e.g. [\"EU\"])",
    )

    @field_validator("fallback_regions")
    @classmethod
    def _regions(cls, value: list[str]) -> list[str]:
        """Region names normalised as the factors sheet's region column (欧盟 → EU, 浙江 → CN-ZJ)."""
        import re

        from zcf.schema import load_schema, normalize_name

        lookup = load_schema().region_lookup
        out = []
        for name in value:
            code = lookup.get(normalize_name(name)) or (name if re.fullmatch(r"[A-Z]{2}", name) else None)
            if code is None:
                raise ValueError(f"{name!r} is not a region: use a province, grid, CN, EU, GLOBAL or a country code")
            out.append(code)
        return out

class ProductsConfig(_Section):
    allocation: Literal[ALLOCATIONS] = Field(  # type: ignore[valid-type]
        ALLOCATION,
        description="key that shares a site's Scope 1 + 2 (market-based) among its products: units, mass or revenue",
    )
    mass_balance_ratio: float = Field(
        MASS_BALANCE_RATIO, ge=1,
        description="warn when the BOM uses more of an item than this multiple of the quantity bought or made",
    )
    scope2: Literal["market", "location"] = Field(
        "market", description="Scope 2 method of the factory part of product footprints: market (default) or location",
    )


class PcfConfig(_Section):
    domain: str = Field("local", min_length=1, description="your web domain, for PACT product ids (urn:pact:<domain>:supplier-id:<product>)")


class Scope3Config(_Section):
    not_relevant: dict[str, str | dict[Literal["zh", "en"], str]] = Field(
        default_factory=dict,
        description='Scope 3 category number → reason it is not relevant: one text, or { zh = "…", en = "…" } for both reports',
    )

    @field_validator("not_relevant")
    @classmethod
    def _categories(cls, value: dict[str, str]) -> dict[str, str]:
        """Keys are Scope 3 categories 1–15, reasons are text a reader understands."""
        for key, reason in value.items():
            if key not in {str(n) for n in range(1, 16)}:
                raise ValueError(f"{key!r} is not a Scope 3 category; use \"1\" … \"15\"")
            if not str(reason).strip():
                raise ValueError(f"category {key}: give the reason it is not relevant")
        return value


class ReportConfig(_Section):
    lang: Literal["zh", "en"] = "zh"
    formats: list[Literal["pdf", "xlsx"]] = Field(default_factory=lambda: ["pdf", "xlsx"])


class Config(_Section):
    organization: OrganizationDefaults = Field(default_factory=OrganizationDefaults)
    ingest: IngestConfig = Field(default_factory=IngestConfig)
    calc: CalcConfig = Field(default_factory=CalcConfig)
    factors: FactorsConfig = Field(default_factory=FactorsConfig)
    pcf: PcfConfig = Field(default_factory=PcfConfig)
    products: ProductsConfig = Field(default_factory=ProductsConfig)
    scope3: Scope3Config = Field(default_factory=Scope3Config)
    checks: dict[str, Any] = Field(
        default_factory=dict,
        description="packs = [...], fail_on = error|warning|never, and per-pack parameter tables [checks.<pack>]",
    )
    report: ReportConfig = Field(default_factory=ReportConfig)
    path: Path | None = Field(None, exclude=True)

    @field_validator("checks")
    @classmethod
    def _checks_shape(cls, value: dict[str, Any]) -> dict[str, Any]:
        """packs: a list of names; fail_on: a level; every other key: a table of parameters."""
        for key, item in value.items():
            if key == "packs":
                if not isinstance(item, list) or not all(isinstance(p, str) for p in item):
                    raise ValueError('packs must be a list of pack names, e.g. packs = ["cn-zcf", "msci"]')
            elif key == "fail_on":
                if item not in ("error", "warning", "never"):
                    raise ValueError("fail_on must be error, warning or never")
            elif not isinstance(item, dict):
                raise ValueError(f"[checks.{key}] must be a table of parameters, e.g. [checks.{key}] name = value")
            else:
                _check_pack_params(key, item)
        for name in value.get("packs", []):
            _check_pack_params(name, {})
        return value


def _check_pack_params(pack_name: str, params: dict[str, Any]) -> None:
    """A known pack, known parameters, values of the parameter's type (a finite number for thresholds)."""
    import difflib
    import math

    from zcf.checks.engine import available, load_pack

    if pack_name not in available():
        close = difflib.get_close_matches(pack_name, available(), n=1)
        raise ValueError(f"no rule pack {pack_name!r}" + (f" (did you mean {close[0]}?)" if close else "")
                         + f"; packs: {', '.join(available())}")
    known = load_pack(pack_name).params
    for name, value in params.items():
        if name not in known:
            close = difflib.get_close_matches(name, list(known), n=1)
            raise ValueError(f"[checks.{pack_name}] {name}: not a parameter of {pack_name}"
                             + (f" (did you mean {close[0]}?)" if close else ""))
        expected = known[name].value
        if isinstance(expected, bool) or isinstance(value, bool):
            ok = isinstance(value, bool) and isinstance(expected, bool)
        elif isinstance(expected, (int, float)):
            ok = isinstance(value, (int, float)) and math.isfinite(value)
        else:
            ok = isinstance(value, type(expected))
        if not ok:
            kind = "a finite number" if isinstance(expected, (int, float)) and not isinstance(expected, bool) \
                else type(expected).__name__
            raise ValueError(f"[checks.{pack_name}] {name} = {value!r}: expected {kind} (default {expected!r})")


def load_config(explicit: Path | None, cwd: Path) -> Config:
    """The configuration from ``explicit``, else ``cwd/zcf.toml``, else defaults."""
    path = explicit if explicit is not None else cwd / CONFIG_NAME
    if not path.is_file():
        if explicit is not None:
            raise ZcfError(f"{explicit}: config file not found", ExitCode.USAGE)
        return Config()
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise ZcfError(f"{path}: not valid TOML: {exc}", ExitCode.USAGE) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ZcfError(f"{path}: cannot read: {exc}", ExitCode.USAGE) from exc
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        lines = [f"{path}: {'.'.join(str(p) for p in err['loc'])}: {err['msg'].removeprefix('Value error, ')}" for err in exc.errors()]
        raise ZcfError("\n".join(lines), ExitCode.USAGE) from exc
    config.path = path
    return config
