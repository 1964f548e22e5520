"""PACT exchange and supplier footprints: export validated and deterministic, v2 names, round trip, invalid
files refused with their JSON path, and supplier_pcfs records applied to the purchases they are for."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from conftest import SAMPLE_ZH, invoke
from zcf.pcf.model import ProductFootprint
from zcf.pcf.read import read_pact

ORG = "field,value\ncompany_name,Buyer Co\nreporting_year,2025\ngwp_basis,AR6\n"
SITES = "site_id,province\nS1,江苏\n"
SUPPLIERS = "supplier_id,name\nA,Alpha\nB,Beta\n"
PURCHASES = "supplier_id,item_id,category,quantity,unit,spend,currency,sector,pcf_reference,site_id\n"

VALID_V3 = {
    "id": "3f1c2b1e-3b55-4f3e-9a7e-5a0d8a2f7c11",
    "specVersion": "3.0.0",
    "created": "2025-03-01T00:00:00Z",
    "status": "Active",
    "companyName": "Alpha Steel",
    "companyIds": ["urn:pact:company:customcode:buyer-id:A"],
    "productDescription": "cold-rolled sheet",
    "productIds": ["urn:pact:alpha.example:supplier-id:I1"],
    "productNameCompany": "DC04",
    "pcf": {
        "declaredUnitOfMeasurement": "kilogram",
        "declaredUnitAmount": "1",
        "productMassPerDeclaredUnit": "1",
        "referencePeriodStart": "2024-01-01T00:00:00Z",
        "referencePeriodEnd": "2025-01-01T00:00:00Z",
        "geographyCountry": "CN",
        "pcfExcludingBiogenicUptake": "1.68",
        "pcfIncludingBiogenicUptake": "1.68",
        "fossilGhgEmissions": "1.68",
        "fossilCarbonContent": "0",
        "ipccCharacterizationFactors": ["AR6"],
        "crossSectoralStandards": ["ISO14067"],
        "exemptedEmissionsPercent": "0",
    },
}


def folder(root: Path, **tables: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in {"organization": ORG, "sites": SITES, "suppliers": SUPPLIERS, **tables}.items():
        (root / f"{name}.csv").write_text(text, encoding="utf-8")
    return root


def results_of(tmp_path: Path, **tables: str) -> dict:
    out = tmp_path / "out"
    result = invoke(["run", folder(tmp_path / "in", **tables), "-o", out, "--format", "xlsx", "--fail-on", "never"])
    assert result.exit_code == 0, result.stdout
    return json.loads((out / "results.json").read_text(encoding="utf-8"))


def cat1(results: dict) -> float:
    return results["totals"]["scope3_by_category"]["1"]


# --- the model ------------------------------------------------------------------------------------


def test_a_valid_v3_footprint_passes():
    footprint = ProductFootprint.model_validate(VALID_V3)
    assert str(footprint.pcf.pcfExcludingBiogenicUptake) == "1.68"


@pytest.mark.parametrize("change, where", [
    (lambda d: d["pcf"].update(declaredUnitAmount="0"), "pcf.declaredUnitAmount"),
    (lambda d: d["pcf"].update(pcfExcludingBiogenicUptake="-1"), "pcf.pcfExcludingBiogenicUptake"),
    (lambda d: d["pcf"].update(declaredUnitOfMeasurement="bushel"), "pcf.declaredUnitOfMeasurement"),
    (lambda d: d.update(id="not-a-uuid"), "id"),
    (lambda d: d["pcf"].pop("ipccCharacterizationFactors"), "pcf.ipccCharacterizationFactors"),
    (lambda d: d["pcf"].update(geographyRegionOrSubregion="Asia"), "pcf"),
    (lambda d: d["pcf"].update(pcfIncludingBiogenicUptake="0.5", biogenicCO2Uptake="-0.2"), "pcf"),
])
def test_invalid_footprints_are_refused_with_their_json_path(tmp_path, change, where):
    document = copy.deepcopy(VALID_V3)
    change(document)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"data": [VALID_V3, document]}), encoding="utf-8")
    rows, problems = read_pact(path, "bad.json")
    assert len(rows) == 1 and problems  # the valid one is kept, the broken one refused
    assert all(p.code == "pact-invalid" and p.file == "bad.json" for p in problems)
    assert any(f"$.data[1].{where}" in p.message() for p in problems), [p.message() for p in problems]


def test_the_biogenic_identity_holds_within_rounding():
    document = copy.deepcopy(VALID_V3)
    # 0.384 + (-1.61) = -1.226, published as -1.23: within the 0.01 kg rounding tolerance
    document["pcf"].update(pcfExcludingBiogenicUptake="0.384", pcfIncludingBiogenicUptake="-1.23", biogenicCO2Uptake="-1.61")
    ProductFootprint.model_validate(document)


def test_a_file_that_is_not_json_is_one_error(tmp_path):
    path = tmp_path / "x.json"
    path.write_text("{not json", encoding="utf-8")
    rows, problems = read_pact(path, "x.json")
    assert rows == [] and [p.code for p in problems] == ["pact-not-json"]


# --- export -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("pcf") / "out"
    assert invoke(["run", SAMPLE_ZH, "-o", out, "--format", "xlsx", "--fail-on", "never"]).exit_code == 0
    return out


def test_export_v3_is_valid_deterministic_and_reimports_to_the_same_values(sample_out, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    assert invoke(["pcf", "export", sample_out, "-o", first, "--batches"]).exit_code == 0
    assert invoke(["pcf", "export", sample_out, "-o", second, "--batches"]).exit_code == 0
    results = json.loads((sample_out / "results.json").read_text(encoding="utf-8"))
    files = sorted(first.glob("*.json"))
    assert len(files) == len(results["products"]) + sum(len(p["batches"]) for p in results["products"])
    for path in files:
        document = json.loads(path.read_text(encoding="utf-8"))
        assert document["specVersion"] == "3.0.0" and isinstance(document["pcf"]["pcfExcludingBiogenicUptake"], str)
        assert json.loads((second / path.name).read_text(encoding="utf-8"))["id"] == document["id"]
        ProductFootprint.model_validate(document)
    ev = json.loads((first / "EV-S1.json").read_text(encoding="utf-8"))
    product = next(p for p in results["products"] if p["product_id"] == "EV-S1")
    assert float(ev["pcf"]["pcfExcludingBiogenicUptake"]) == pytest.approx(product["per_unit_kgco2e"], rel=1e-5)
    assert ev["pcf"]["declaredUnitOfMeasurement"] == "piece" and ev["pcf"]["productMassPerDeclaredUnit"] == "1850"
    rows, problems = read_pact(first / "EV-S1.json", "EV-S1.json")
    assert problems == [] and rows[0]["pcf_kgco2e"] == ev["pcf"]["pcfExcludingBiogenicUptake"]
    assert rows[0]["declared_unit"] == "piece" and rows[0]["product_mass_kg"] == "1850"


def test_export_v2_has_the_v2_names(sample_out, tmp_path):
    assert invoke(["pcf", "export", sample_out, "-o", tmp_path, "--spec", "2"]).exit_code == 0
    document = json.loads((tmp_path / "EV-S1.json").read_text(encoding="utf-8"))
    pcf = document["pcf"]
    assert document["specVersion"].startswith("2.") and "version" in document and "productCategoryCpc" in document
    assert {"declaredUnit", "unitaryProductAmount", "pCfExcludingBiogenic", "characterizationFactors",
            "crossSectoralStandardsUsed"} <= set(pcf)
    assert not {"declaredUnitOfMeasurement", "pcfExcludingBiogenicUptake"} & set(pcf)
    rows, problems = read_pact(tmp_path / "EV-S1.json", "EV-S1.json")  # v2 reads back too
    assert problems == [] and rows[0]["pcf_kgco2e"] == pcf["pCfExcludingBiogenic"]


def test_import_writes_a_sheet_ingest_reads(sample_out, tmp_path):
    assert invoke(["pcf", "export", sample_out, "-o", tmp_path / "pcf"]).exit_code == 0
    sheet = tmp_path / "pcfs.xlsx"
    assert invoke(["pcf", "import", *sorted((tmp_path / "pcf").glob("*.json")), "-o", sheet]).exit_code == 0
    report = invoke(["ingest", sheet, "-o", tmp_path / "ingested", "--json"])
    assert report.exit_code == 0, report.stdout
    assert json.loads(report.stdout)["tables"]["supplier_pcfs"]["rows"] == 4


# --- supplier footprints applied to purchases ---------------------------------------------------------


def supplier_pcfs(*rows: str) -> str:
    return ("pcf_id,supplier_id,item_id,product_ids,company_ids,pcf_kgco2e,declared_unit_amount,declared_unit,"
            "product_mass_kg,reference_period_end,valid_until,verified,basis,status\n" + "\n".join(rows) + "\n")


def test_a_footprint_by_item_applies_to_its_purchases(tmp_path):
    results = results_of(
        tmp_path, purchases=PURCHASES + "A,I1,1,10,t,,,,,S1\n",
        supplier_pcfs=supplier_pcfs("PCF-1,A,I1,,,1680,1000,kg,1000,2024-12-31,,yes,reported,active"))
    # 10 t × 1,680 kgCO2e per 1,000 kg = 10 t × 1.68 tCO2e/t = 16.8 t, verified: data quality 1
    assert cat1(results) == pytest.approx(16.8)
    assert results["reconciliation"]["supplier_pcfs"]["used"] == 1


def test_a_footprint_by_product_urn_and_piece_to_mass(tmp_path):
    results = results_of(
        tmp_path, purchases=PURCHASES + "A,P-7,1,500,kg,,,,,S1\n",
        supplier_pcfs=supplier_pcfs("PCF-2,,,urn:pact:alpha:supplier-id:P-7,urn:pact:company:customcode:buyer-id:A,"
                                    "12,1,piece,2.5,2024-12-31,,no,reported,active"))
    # 12 kgCO2e per piece of 2.5 kg = 4.8 kgCO2e/kg; 500 kg × 4.8 = 2,400 kg = 2.4 t
    assert cat1(results) == pytest.approx(2.4)


def test_pcf_reference_names_the_footprint(tmp_path):
    results = results_of(
        tmp_path, purchases=PURCHASES + "B,X9,1,2,t,,,,PCF-3,S1\n",
        supplier_pcfs=supplier_pcfs("PCF-3,A,OTHER,,,3,1,kg,1,2024-12-31,,no,estimated,active"))
    assert cat1(results) == pytest.approx(6.0)  # 2 t × 3 kgCO2e/kg = 6 t


def test_expired_and_unmatched_footprints_are_reported_and_not_applied(tmp_path):
    results = results_of(
        tmp_path, purchases=PURCHASES + "A,I1,1,10,t,100000,CNY,machinery,,S1\n",
        supplier_pcfs=supplier_pcfs("OLD,A,I1,,,1680,1000,kg,1000,2020-12-31,,yes,reported,active",
                                    "SPARE,A,NOPE,,,1,1,kg,1,2024-12-31,,no,reported,active"))
    # the only footprint for I1 expired at the end of 2023 (3 years after 2020): spend-based instead,
    # 100,000 CNY ÷ 7.12 CNY/USD × 0.21 kgCO2e/USD (USEEIO machinery) = 2,949.44 kg = 2.94944 t
    assert cat1(results) == pytest.approx(100_000 / 7.12 * 0.21 / 1000)
    codes = {r["code"] for r in results["reconciliation"]["supplier_pcfs"]["reasons"]}
    assert codes == {"supplier-pcf-expired", "supplier-pcf-unmatched"}


# --- PACT files given to ingest ---------------------------------------------------------------------


def test_a_pact_file_among_the_inputs_is_the_supplier_pcfs_table(tmp_path):
    root = folder(tmp_path / "in", purchases=PURCHASES + "A,I1,1,10,t,,,,,S1\n")
    (root / "alpha.json").write_text(json.dumps(VALID_V3), encoding="utf-8")
    out = tmp_path / "out"
    result = invoke(["run", root, "-o", out, "--format", "xlsx", "--fail-on", "never"])
    assert result.exit_code == 0, result.stdout
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    # the file's footprint matches item I1 by its product URN: 10 t × 1.68 kgCO2e/kg = 16.8 t
    assert cat1(results) == pytest.approx(10 * 1000 * 1.68 / 1000)
    assert results["reconciliation"]["supplier_pcfs"]["used"] == 1
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    entry = next(f for f in manifest["inputs"] if f["path"].endswith("alpha.json"))
    assert entry["sheets"][0]["table"] == "supplier_pcfs" and entry["sheets"][0]["rows"] == 1


def test_an_invalid_pact_file_at_ingest_names_its_json_path(tmp_path):
    bad = copy.deepcopy(VALID_V3)
    bad["pcf"]["declaredUnitAmount"] = "0"
    root = folder(tmp_path / "in", purchases=PURCHASES + "A,I1,1,10,t,,,,,S1\n")
    (root / "alpha.json").write_text(json.dumps(bad), encoding="utf-8")
    result = invoke(["ingest", root, "-o", tmp_path / "out", "--json"])
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert [p["code"] for p in problems if p["severity"] == "error"] == ["pact-invalid"]
    assert "$.pcf.declaredUnitAmount" in next(p["message"] for p in problems if p["code"] == "pact-invalid")


def test_other_json_in_an_input_folder_is_left_out_with_a_warning(tmp_path):
    root = folder(tmp_path / "in", purchases=PURCHASES + "A,I1,1,10,t,100000,CNY,machinery,,S1\n")
    (root / "settings.json").write_text('{"theme": "dark"}', encoding="utf-8")
    result = invoke(["ingest", root, "-o", tmp_path / "out", "--json"])
    assert result.exit_code == 0, result.stdout
    problems = json.loads(result.stdout)["problems"]
    assert [(p["code"], p["severity"]) for p in problems if p["code"] == "json-not-pact"] == [("json-not-pact", "warning")]
