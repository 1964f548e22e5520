"""PACT JSON (v3 or v2.x) → rows of the ``supplier_pcfs`` table, or problems naming the file and JSON path.

A file may hold one ProductFootprint, a list of them, or an API response (``{"data": [...]}``).
Each is validated with :mod:`zcf.pcf.model`; an invalid one gives one problem per rule it breaks
(``$.data[2].pcf.declaredUnitAmount: …``) and no row.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from zcf.pcf.model import UNIT_TEXT, ProductFootprint, from_v2, is_v2
from zcf.problems import Problem

MAX_BYTES = 64 << 20  # a PACT file is a few KB per footprint; 64 MiB is tens of thousands of them


def _json_path(prefix: str, location: tuple) -> str:
    path = prefix
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _documents(data: Any) -> list[tuple[str, Any]] | None:
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        return [(f"$.data[{i}]", d) for i, d in enumerate(data["data"])]
    if isinstance(data, list):
        return [(f"$[{i}]", d) for i, d in enumerate(data)]
    if isinstance(data, dict) and "pcf" in data:
        return [("$", data)]
    return None


def _load(path: Path, display: str) -> tuple[Any, list[Problem]]:
    """The parsed JSON of a file, or the problem that stops reading it."""
    if path.stat().st_size > MAX_BYTES:
        return None, [Problem("pact-invalid", file=display, params={"path": "$", "reason": "file larger than 64 MiB"})]
    try:
        return json.loads(path.read_bytes().decode("utf-8-sig")), []
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        return None, [Problem("pact-not-json", file=display, params={"reason": str(exc)[:160]})]


def read_pact(path: Path, display: str) -> tuple[list[dict[str, Any]], list[Problem]]:
    """The supplier_pcfs rows of a PACT file (display name in problems)."""
    data, problems = _load(path, display)
    if problems:
        return [], problems
    documents = _documents(data)
    if documents is None:
        return [], [Problem("pact-invalid", file=display, params={
            "path": "$", "reason": "expected a ProductFootprint, a list of them, or {\"data\": [...]}"})]
    return _rows(documents, display)


def _rows(documents: list[tuple[str, Any]], display: str) -> tuple[list[dict[str, Any]], list[Problem]]:
    rows: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for prefix, document in documents:
        if not isinstance(document, dict):
            problems.append(Problem("pact-invalid", file=display, params={"path": prefix, "reason": "not an object"}))
            continue
        version = str(document.get("specVersion", ""))
        try:
            footprint = ProductFootprint.model_validate(from_v2(document) if is_v2(document) else document)
        except ValidationError as exc:
            for error in exc.errors():
                problems.append(Problem("pact-invalid", file=display, params={
                    "path": _json_path(prefix, error["loc"]), "reason": error["msg"].removeprefix("Value error, ")}))
            continue
        unit = UNIT_TEXT.get(footprint.pcf.declaredUnitOfMeasurement)
        if unit is None:
            problems.append(Problem("pact-unit-not-supported", file=display, params={
                "path": f"{prefix}.pcf.declaredUnitOfMeasurement", "unit": footprint.pcf.declaredUnitOfMeasurement}))
            continue
        rows.append(row(footprint, unit, display, version))
    return rows, problems


def read_pact_sheet(path: Path, display: str) -> tuple[list[Any], list[Problem]]:
    """A PACT file as ingest reads it: one supplier_pcfs sheet (canonical headers), footprint ``i`` on row ``i + 2``.

    A JSON file that holds no footprint at all (no ``pcf``, no list of them) is left out with a
    warning, so that other JSON files in an input folder do not stop the run.
    """
    import pandas as pd

    from zcf.ingest.readers import RawSheet
    from zcf.schema import load_schema

    data, problems = _load(path, display)
    if problems:
        return [], problems
    documents = _documents(data)
    if documents is None:
        return [], [Problem("json-not-pact", file=display)]
    rows, problems = _rows(documents, display)
    if not rows:
        return [], problems
    header = [c.name for c in load_schema().table("supplier_pcfs").columns]
    frame = pd.DataFrame([[r.get(name) for name in header] for r in rows], dtype=object)
    frame.columns = range(len(header))
    return [RawSheet(display, None, "supplier_pcfs", frame, first_row=2, header=header)], problems


def _date(value) -> str | None:
    return None if value is None else value.date().isoformat()


def row(footprint: ProductFootprint, unit: str, source: str, version: str) -> dict[str, Any]:
    """One supplier_pcfs row (canonical column names) of a validated footprint."""
    pcf = footprint.pcf
    dqi = pcf.dqi
    ratings = [r for r in (dqi.technologicalDQR, dqi.geographicalDQR, dqi.temporalDQR) if r is not None] if dqi else []
    geography = pcf.geographyCountrySubdivision or pcf.geographyCountry or pcf.geographyRegionOrSubregion or "Global"
    return {
        "pcf_id": footprint.id,
        "product_ids": ";".join(footprint.productIds),
        "company_ids": ";".join(footprint.companyIds),
        "product_name": footprint.productNameCompany or footprint.productDescription,
        "pcf_kgco2e": str(pcf.pcfExcludingBiogenicUptake),
        "declared_unit_amount": str(pcf.declaredUnitAmount),
        "declared_unit": unit,
        "pcf_including_biogenic_kgco2e": None if pcf.pcfIncludingBiogenicUptake is None else str(pcf.pcfIncludingBiogenicUptake),
        "product_mass_kg": None if pcf.productMassPerDeclaredUnit is None else str(pcf.productMassPerDeclaredUnit),
        "reference_period_start": _date(pcf.referencePeriodStart),
        "reference_period_end": _date(pcf.referencePeriodEnd),
        "valid_until": _date(footprint.validityPeriodEnd),
        "geography": geography,
        "standards": ";".join(pcf.crossSectoralStandards),
        "boundary": pcf.boundaryProcessesDescription,
        "primary_data_share": None if pcf.primaryDataShare is None else str(pcf.primaryDataShare),
        "dqr": str(sum(ratings) / len(ratings)) if ratings else None,
        "verified": "yes" if pcf.verification else "no",
        "basis": "reported",
        "status": footprint.status.lower(),
        "source": f"{Path(source).name} (PACT {version or '3'})",
    }
