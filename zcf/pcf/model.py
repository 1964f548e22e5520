"""PACT v3 ProductFootprint and CarbonFootprint as pydantic models (zcf's own, written from the spec).

Numbers are :class:`decimal.Decimal`: read from JSON strings (the spec) or numbers (older and
Catena-X payloads), written as strings. Beyond types, the models check what the spec states:
one geography at most, a reference period that ends after it starts, shares and ratings in
range, and the identity PCF including biogenic uptake = PCF excluding it + biogenic CO2 uptake
where all three are given. v2.x documents are renamed to v3 first (:func:`from_v2`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, model_validator

DECLARED_UNITS = ("liter", "kilogram", "cubic meter", "kilowatt hour", "megajoule", "ton kilometer",
                  "square meter", "piece", "hour", "megabit second")
# Declared units zcf can apply to purchases, as zcf unit texts (zcf/units).
UNIT_TEXT = {"liter": "L", "kilogram": "kg", "cubic meter": "m3", "kilowatt hour": "kWh", "megajoule": "MJ",
             "ton kilometer": "tkm", "piece": "piece"}
IDENTITY_TOLERANCE = Decimal("0.01")  # kgCO2e: published values are rounded


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("a number is expected, not true/false")
    if isinstance(value, (int, float, str, Decimal)):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a decimal number") from None
        if not number.is_finite():
            raise ValueError(f"{value!r} is not a finite number")
        return number
    raise ValueError("a decimal number is expected (as a JSON string)")


def _text(number: Decimal) -> str:
    """A decimal as PACT writes it: a JSON string, no exponent."""
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text


Dec = Annotated[Decimal, BeforeValidator(_decimal), PlainSerializer(_text, return_type=str)]
NonNegative = Annotated[Dec, Field(ge=0)]
Positive = Annotated[Dec, Field(gt=0)]
NonEmpty = Annotated[str, Field(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class DataQualityIndicators(_Model):
    technologicalDQR: Annotated[Dec, Field(ge=1, le=3)] | None = None
    geographicalDQR: Annotated[Dec, Field(ge=1, le=3)] | None = None
    temporalDQR: Annotated[Dec, Field(ge=1, le=3)] | None = None


class EmissionFactorSource(_Model):
    name: NonEmpty
    version: NonEmpty


class CarbonFootprint(_Model):
    declaredUnitOfMeasurement: Literal[DECLARED_UNITS]  # type: ignore[valid-type]
    declaredUnitAmount: Positive
    productMassPerDeclaredUnit: NonNegative | None = None  # mandatory in v3, optional in v2.x
    referencePeriodStart: dt.datetime
    referencePeriodEnd: dt.datetime
    geographyRegionOrSubregion: str | None = None
    geographyCountry: str | None = None
    geographyCountrySubdivision: str | None = None
    boundaryProcessesDescription: str | None = None
    pcfExcludingBiogenicUptake: NonNegative
    pcfIncludingBiogenicUptake: Dec | None = None
    fossilGhgEmissions: NonNegative | None = None
    fossilCarbonContent: NonNegative | None = None
    biogenicCO2Uptake: Annotated[Dec, Field(le=0)] | None = None
    packagingEmissionsIncluded: bool | None = None
    ipccCharacterizationFactors: Annotated[list[NonEmpty], Field(min_length=1)]
    crossSectoralStandards: Annotated[list[NonEmpty], Field(min_length=1)]
    exemptedEmissionsPercent: Annotated[Dec, Field(ge=0, le=5)] | None = None
    allocationRulesDescription: str | None = None
    secondaryEmissionFactorSources: list[EmissionFactorSource] | None = None
    primaryDataShare: Annotated[Dec, Field(ge=0, le=100)] | None = None
    dqi: DataQualityIndicators | None = None
    verification: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _rules(self) -> CarbonFootprint:
        geographies = [g for g in (self.geographyRegionOrSubregion, self.geographyCountry,
                                   self.geographyCountrySubdivision) if g]
        if len(geographies) > 1:
            raise ValueError("give at most one of geographyRegionOrSubregion, geographyCountry and "
                             "geographyCountrySubdivision")
        if self.referencePeriodEnd <= self.referencePeriodStart:
            raise ValueError("referencePeriodEnd must be after referencePeriodStart")
        if self.pcfIncludingBiogenicUptake is not None and self.biogenicCO2Uptake is not None:
            expected = self.pcfExcludingBiogenicUptake + self.biogenicCO2Uptake
            if abs(expected - self.pcfIncludingBiogenicUptake) > IDENTITY_TOLERANCE:
                raise ValueError(
                    f"pcfIncludingBiogenicUptake {self.pcfIncludingBiogenicUptake} ≠ pcfExcludingBiogenicUptake "
                    f"{self.pcfExcludingBiogenicUptake} + biogenicCO2Uptake {self.biogenicCO2Uptake} = {expected}")
        return self


def _pf_id(value: Any) -> str:
    text = str(value)
    try:
        uuid.UUID(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a UUID (PACT ids are UUIDs)") from None
    return text


class ProductFootprint(_Model):
    id: Annotated[str, BeforeValidator(_pf_id)]
    specVersion: NonEmpty
    precedingPfIds: list[str] | None = None
    created: dt.datetime
    status: Literal["Active", "Deprecated"]
    validityPeriodStart: dt.datetime | None = None
    validityPeriodEnd: dt.datetime | None = None
    companyName: NonEmpty
    companyIds: Annotated[list[NonEmpty], Field(min_length=1)]
    productDescription: str
    productIds: Annotated[list[NonEmpty], Field(min_length=1)]
    productClassifications: list[str] | None = None
    productNameCompany: NonEmpty
    comment: str | None = None
    pcf: CarbonFootprint


# --- v2.x ---------------------------------------------------------------------------------------

V2_TO_V3 = {
    "declaredUnit": "declaredUnitOfMeasurement",
    "unitaryProductAmount": "declaredUnitAmount",
    "pCfExcludingBiogenic": "pcfExcludingBiogenicUptake",
    "pCfIncludingBiogenic": "pcfIncludingBiogenicUptake",
    "characterizationFactors": "ipccCharacterizationFactors",
    "crossSectoralStandardsUsed": "crossSectoralStandards",
    "assurance": "verification",
}
V2_STANDARDS = {"GHG Protocol Product standard": "GHGP-Product", "ISO Standard 14067": "ISO14067",
                "ISO Standard 14044": "ISO14040-44"}
V2_ONLY = ("version", "updated", "statusComment", "productCategoryCpc")


def is_v2(document: dict[str, Any]) -> bool:
    return str(document.get("specVersion", "")).startswith("2.")


def from_v2(document: dict[str, Any]) -> dict[str, Any]:
    """A v2.x ProductFootprint with the v3 names (the values are kept)."""
    out = {k: v for k, v in document.items() if k not in V2_ONLY}
    cpc = document.get("productCategoryCpc")
    if cpc and "productClassifications" not in out:
        out["productClassifications"] = [f"urn:pact:productclassification:un-cpc:{cpc}"]
    pcf = {V2_TO_V3.get(k, k): v for k, v in dict(document.get("pcf") or {}).items()}
    if isinstance(pcf.get("ipccCharacterizationFactors"), str):
        pcf["ipccCharacterizationFactors"] = [pcf["ipccCharacterizationFactors"]]
    if isinstance(pcf.get("crossSectoralStandards"), list):
        pcf["crossSectoralStandards"] = [V2_STANDARDS.get(s, s) for s in pcf["crossSectoralStandards"]]
    dqi = pcf.get("dqi")
    if isinstance(dqi, dict):  # v2 ratings are 1–3 like v3; coverage/completeness/reliability have no v3 name
        pcf["dqi"] = {k: dqi[k] for k in ("technologicalDQR", "geographicalDQR", "temporalDQR") if k in dqi}
    out["pcf"] = pcf
    return out


def to_v2(document: dict[str, Any], cpc: str = "") -> dict[str, Any]:
    """A v3 ProductFootprint (as JSON-ready dict) with the v2.x names and v2-only fields."""
    v3_to_v2 = {v: k for k, v in V2_TO_V3.items()}
    standards = {v: k for k, v in V2_STANDARDS.items()}
    out = {k: v for k, v in document.items() if k not in ("productClassifications", "pcf")}
    out.update(specVersion="2.2.0", version=1, productCategoryCpc=cpc, comment=document.get("comment") or "")
    pcf = {v3_to_v2.get(k, k): v for k, v in document["pcf"].items()}
    pcf["characterizationFactors"] = pcf["characterizationFactors"][0]
    pcf["crossSectoralStandardsUsed"] = [standards.get(s, s) for s in pcf["crossSectoralStandardsUsed"]]
    if "packagingEmissionsIncluded" not in pcf:
        pcf["packagingEmissionsIncluded"] = False
    out["pcf"] = pcf
    return out
