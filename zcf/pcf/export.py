"""Product footprints of results.json → PACT v3 ProductFootprint documents (v2.x on request).

One document per complete product (and per production batch with ``batches``): the cradle-to-gate
footprint per declared unit — per piece, or per kilogram for products made by mass — with the
reference period, geography, boundary, allocation, GWP basis, primary-data share and the factor
library as secondary source. Ids are UUIDs derived from company, product, batch and year, so a
re-export gives the same ids. Every document is validated against :mod:`zcf.pcf.model` before it
is returned; a product that cannot be exported (incomplete, no product mass) is a problem, not a file.

zcf does not assess the product's carbon content or biogenic uptake: ``fossilCarbonContent`` and
``biogenicCO2Uptake`` are written as 0 and the comment says so.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from zcf.pcf.model import ProductFootprint, to_v2
from zcf.problems import Problem

NAMESPACE = uuid.UUID("6f1c2b1e-3b55-4f3e-9a7e-5a0d8a2f7c11")  # zcf's namespace for footprint ids
VALIDITY_YEARS = 3
STANDARDS = ["ISO14067", "GHGP-Product"]


@dataclass
class Export:
    filename: str
    document: dict[str, Any]


SIGNIFICANT = 6  # digits of a footprint value: what the inventory's precision supports


def _decimal(value: float, significant: int | None = None) -> str:
    number = Decimal(repr(float(value)))
    if significant is not None and number:
        number = round(number, significant - number.adjusted() - 1)
    return format(number.normalize(), "f")


def _urn_part(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9()+,\-.:=@;$_!*'%/?#]", "-", str(text))


def _period(year: int, month: int | None) -> tuple[dt.datetime, dt.datetime]:
    utc = dt.timezone.utc
    if month is None:
        return dt.datetime(year, 1, 1, tzinfo=utc), dt.datetime(year + 1, 1, 1, tzinfo=utc)
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=utc)
    return dt.datetime(year, month, 1, tzinfo=utc), end


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def product_mass_kg(product: dict[str, Any], vehicle_masses: dict[str, float]) -> float | None:
    """Mass of one declared unit, kg: the vehicle's mass, else the BOM items counted by mass."""
    if product["declared_unit"] == "t":
        return 1.0  # declared per kilogram
    if product["product_id"] in vehicle_masses:
        return vehicle_masses[product["product_id"]]
    mass_t = sum(p["quantity_std"] for p in product.get("parts", []) if p.get("unit_std") == "t")
    return mass_t * 1000 if mass_t else None


def footprints(results: dict[str, Any], *, created: dt.datetime, spec: str = "3", batches: bool = False,
               domain: str = "local", vehicle_masses: dict[str, float] | None = None,
               site_provinces: dict[str, str] | None = None) -> tuple[list[Export], list[Problem]]:
    """PACT documents for the products of ``results`` (a results.json document)."""
    exports: list[Export] = []
    problems: list[Problem] = []
    for product in results.get("products", []):
        if not product.get("complete") or product.get("per_unit_kgco2e") is None:
            reasons = "; ".join(r["message"] for r in product.get("reasons", [])) or "no footprint"
            problems.append(Problem("pcf-export-incomplete", params={"product": product["product_id"], "reasons": reasons}))
            continue
        mass = product_mass_kg(product, vehicle_masses or {})
        if mass is None:
            problems.append(Problem("pcf-export-no-mass", params={"product": product["product_id"]}))
            continue
        scopes = [(None, product["per_unit_kgco2e"], None, _sites(product["batches"]))]
        if batches:
            scopes += [(b, b["per_unit_kgco2e"], b["period"], {b["site_id"]}) for b in product["batches"]
                       if b.get("per_unit_kgco2e") is not None]
        for batch, per_unit, period, sites in scopes:
            document = _document(results, product, per_unit, mass, batch, period, sites, created, domain,
                                 site_provinces or {})
            ProductFootprint.model_validate(document)  # zcf's own output must pass its own model
            name = _urn_part(product["product_id"]) + (f"__{_urn_part(batch['batch_id'] or period)}" if batch else "")
            exports.append(Export(f"{name}.json", to_v2(document) if spec == "2" else document))
    return exports, problems


def _sites(batches: list[dict[str, Any]]) -> set[str]:
    return {b["site_id"] for b in batches}


def _document(results, product, per_unit_kg, mass_kg, batch, period, sites, created, domain, provinces) -> dict:
    org = results["organization"]
    year = int(results["reporting_year"])
    month = int(period[5:7]) if period and len(period) >= 7 else None
    start, end = _period(year, month)
    per_kilogram = product["declared_unit"] == "t"
    value = per_unit_kg / 1000 if per_kilogram else per_unit_kg
    company = org.get("company_name_en") or org.get("company_name")
    code = org.get("credit_code") or company
    key = f"{code}|{product['product_id']}|{year}|{batch['batch_id'] if batch else ''}|{period or ''}"
    subdivisions = {provinces.get(s) for s in sites}
    geography = ({"geographyCountrySubdivision": subdivisions.pop()} if len(subdivisions) == 1 and None not in subdivisions
                 else {"geographyCountry": org.get("country") or "CN"})
    pds = product.get("primary_data_share")
    pcf = {
        "declaredUnitOfMeasurement": "kilogram" if per_kilogram else "piece",
        "declaredUnitAmount": "1",
        "productMassPerDeclaredUnit": _decimal(mass_kg, SIGNIFICANT),
        "referencePeriodStart": _iso(start),
        "referencePeriodEnd": _iso(end),
        **geography,
        "boundaryProcessesDescription": (
            "Cradle-to-gate: purchased parts and materials (supplier footprints where given, else average-data "
            f"or spend-based factors), the producing site's Scope 1 and Scope 2 ({product.get('scope2_method') or 'market'}"
            f"-based) emissions allocated by {product.get('allocation') or 'units'} per site and month, and upstream "
            "transport recorded for the product; the use and end-of-life stages are not included."),
        "pcfExcludingBiogenicUptake": _decimal(value, SIGNIFICANT),
        "pcfIncludingBiogenicUptake": _decimal(value, SIGNIFICANT),
        "fossilGhgEmissions": _decimal(value, SIGNIFICANT),
        "fossilCarbonContent": "0",
        "biogenicCO2Uptake": "0",
        "packagingEmissionsIncluded": False,
        "ipccCharacterizationFactors": [results.get("gwp_basis") or "AR6"],
        "crossSectoralStandards": STANDARDS,
        "exemptedEmissionsPercent": "0",
        "allocationRulesDescription": f"physical allocation by {product.get('allocation') or 'units'} (ISO 14067)",
        "secondaryEmissionFactorSources": [{"name": "zcf factor library", "version": str(results.get("factor_library_version"))}],
        **({"primaryDataShare": _decimal(pds * 100, 3)} if pds is not None else {}),
    }
    return {
        "id": str(uuid.uuid5(NAMESPACE, key)),
        "specVersion": "3.0.0",
        "created": _iso(created),
        "status": "Active",
        "validityPeriodStart": _iso(end),
        "validityPeriodEnd": _iso(end.replace(year=end.year + VALIDITY_YEARS)),
        "companyName": company,
        "companyIds": [f"urn:pact:company:customcode:supplier-id:{_urn_part(code)}"],
        "productDescription": f"{product['product_id']} ({'batch ' + str(batch['batch_id'] or period) if batch else 'annual average'}, {year})",
        "productIds": [f"urn:pact:{_urn_part(domain)}:supplier-id:{_urn_part(product['product_id'])}"],
        "productNameCompany": product["product_id"],
        "comment": ("Calculated with zcf from the reporting company's GHG inventory. Product carbon content and "
                    "biogenic CO2 uptake are not assessed (0)."),
        "pcf": pcf,
    }
