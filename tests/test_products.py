"""Product footprints and intensities, against values computed by hand in the test.

Factory emissions come from process_emissions rows in t CO2 (Scope 1 = the number
written), purchases from supplier footprints or the library's material.steel
(1.91 tCO2/t, worldsteel), so every figure below is simple arithmetic.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from conftest import invoke
from test_calc import ORG_2022, inventory

from zcf.calc.context import CalcOptions
from zcf.checks.metrics import compute
from zcf.report.labels import words
from zcf.report.model import ReportModel
from zcf.report.sections import product_rows

SUPPLIERS = "supplier_id\nS1\n"
STEEL_100_T = "supplier_id,item_id,category,material,quantity,unit\nS1,STEEL,1,steel,100,t\n"
# NOPE is bought by spend only: its emissions are known, but not per unit
STEEL_AND_SPEND_ONLY = ("supplier_id,item_id,category,material,quantity,unit,spend,currency\n"
                        "S1,STEEL,1,steel,100,t,,\nS1,NOPE,1,,,,5000,CNY\n")
PROCESS_JS_10_T = "site_id,period,gas,quantity,unit\nJS,2022-01,CO2,10,t\n"
PRODUCTION_HEADER = "site_id,period,product_id,quantity,unit,revenue\n"
BOM_HEADER = "product_id,item_id,quantity_per_unit,unit\n"


def products(report) -> dict[str, dict]:
    return {p["product_id"]: p for p in report.results["products"]}


def codes(report) -> set[str]:
    return {p.code for p in report.problems}


def reconciled(report, table: str) -> dict:
    return report.results["reconciliation"][table]


def folder(tmp_path: Path, name: str) -> Path:
    """A fresh folder for a second inventory in one test."""
    path = tmp_path / name
    path.mkdir()
    return path


def reason_codes(report, table: str) -> set[str]:
    return {r["code"] for r in reconciled(report, table)["reasons"]}


# --- BOM units ----------------------------------------------------------------


def test_bom_in_kg_for_steel_bought_in_t(tmp_path):
    report = inventory(tmp_path, suppliers=SUPPLIERS, purchases=STEEL_100_T, process_emissions=PROCESS_JS_10_T,
                       production=PRODUCTION_HEADER + "JS,2022-01,PART,1000,件,\n",
                       bom=BOM_HEADER + "PART,STEEL,0.5,kg\n")
    part = products(report)["PART"]
    # parts:   0.5 kg = 0.0005 t of steel × 1.91 tCO2/t = 0.000955 t = 0.955 kg per piece
    # factory: 10 t CO2 (JS, January) ÷ 1,000 pieces = 0.01 t = 10 kg per piece
    assert part["parts_kgco2e_per_unit"] == pytest.approx(0.955, rel=1e-12)
    assert part["factory_kgco2e_per_unit"] == pytest.approx(10.0, rel=1e-12)
    assert part["per_unit_kgco2e"] == pytest.approx(10.955, rel=1e-12)
    assert part["total_tco2e"] == pytest.approx(10.955, rel=1e-12)  # 1,000 × 10.955 kg
    assert part["complete"] is True and part["declared_unit"] == "piece" and part["unit_label"] == "件"
    [line] = part["parts"]
    assert (line["quantity_std"], line["unit_std"], line["unit_assumed"]) == (pytest.approx(0.0005), "t", False)
    assert "bom-mass-balance" not in codes(report)  # 1,000 × 0.5 kg = 0.5 t used of 100 t bought


def test_bom_without_unit_is_read_in_the_purchase_unit(tmp_path):
    report = inventory(tmp_path, suppliers=SUPPLIERS, purchases=STEEL_100_T, process_emissions=PROCESS_JS_10_T,
                       production=PRODUCTION_HEADER + "JS,2022-01,PART,1000,件,\n",
                       bom="product_id,item_id,quantity_per_unit\nPART,STEEL,0.5\n")
    part = products(report)["PART"]
    # No unit: 0.5 in the purchase unit, t: 0.5 t × 1.91 tCO2/t = 0.955 t = 955 kg per piece
    assert part["parts_kgco2e_per_unit"] == pytest.approx(955.0, rel=1e-12)
    assert part["parts"][0]["unit"] == "t" and part["parts"][0]["unit_assumed"] is True
    # ... which the mass balance catches: 1,000 pieces × 0.5 t = 500 t used, 100 t bought (5 ×)
    [problem] = [p for p in report.problems if p.code == "bom-mass-balance"]
    assert problem.cell == "C2" and "500 t of STEEL" in problem.message() and "100 t were bought" in problem.message()


def test_item_bought_in_t_and_in_kg_combines(tmp_path):
    purchases = ("supplier_id,item_id,category,material,quantity,unit,supplier_pcf,pcf_unit\n"
                 "S1,STEEL,1,,100,t,2.0,tCO2e/t\n"
                 "S1,STEEL,1,steel,100000,kg,,\n")
    report = inventory(tmp_path, suppliers=SUPPLIERS, purchases=purchases, process_emissions=PROCESS_JS_10_T,
                       production=PRODUCTION_HEADER + "JS,2022-01,CAR,1000,辆,\n",
                       bom="product_id,item_id,quantity_per_unit\nCAR,STEEL,0.4\n")
    car = products(report)["CAR"]
    # emissions: 100 t × 2.0 tCO2e/t = 200 t (supplier) + 100,000 kg = 100 t × 1.91 = 191 t (average data)
    # intensity: (200 + 191) t ÷ (100 + 100) t = 1.955 tCO2e per t
    # no BOM unit, two purchase units of one kind: read in the canonical unit, t
    # parts: 0.4 t × 1.955 = 0.782 t = 782 kg per car (not Σ emissions ÷ Σ raw quantities 100,100)
    assert car["parts"][0]["tco2e_per_unit_std"] == pytest.approx(1.955, rel=1e-12)
    assert car["parts"][0]["unit"] == "t"
    assert car["parts_kgco2e_per_unit"] == pytest.approx(782.0, rel=1e-12)
    assert car["parts_by_method_share"] == pytest.approx({"supplier-specific": 200 / 391, "average-data": 191 / 391})


def test_bom_unit_of_another_kind_is_left_out_naming_the_cell(tmp_path):
    purchases = ("supplier_id,item_id,category,quantity,unit,supplier_pcf,pcf_unit\n"
                 "S1,BOLT,1,5000,件,0.2,kgCO2e/piece\n")
    report = inventory(tmp_path, suppliers=SUPPLIERS, purchases=purchases, process_emissions=PROCESS_JS_10_T,
                       production=PRODUCTION_HEADER + "JS,2022-01,PART,1000,件,\n",
                       bom=BOM_HEADER + "PART,BOLT,0.05,kg\n")
    part = products(report)["PART"]
    [problem] = [p for p in report.problems if p.code == "bom-unit-kind-mismatch"]
    assert problem.cell == "D2" and "BOLT in kg" in problem.message() and "件" in problem.message()
    assert part["complete"] is False and part["per_unit_kgco2e"] is None
    assert [r["code"] for r in part["reasons"]] == ["footprint-bom-rows-left-out"]
    assert part["reasons"][0]["items"] == ["BOLT"]
    assert reconciled(report, "bom")["excluded"] == 1 and reconciled(report, "bom")["unaccounted"] == 0


def test_bom_unit_is_checked_at_ingest(tmp_path):
    from zcf.ingest import ingest

    folder = _write_inputs(tmp_path / "in", suppliers=SUPPLIERS, purchases=STEEL_100_T,
                           production=PRODUCTION_HEADER + "JS,2022-01,PART,1000,件,\n",
                           bom=BOM_HEADER + "PART,STEEL,0.5,kgg\nPART,STEEL,0.5,km\n")
    errors = {(p.code, p.cell) for p in ingest([str(folder)]).problems if p.severity == "error"}
    # D2: not a unit; D3: a length — a BOM quantity is a mass, count, volume or energy
    assert errors >= {("unknown-unit", "D2"), ("unit-not-allowed", "D3")}


# --- mass balance (CLI) --------------------------------------------------------


def _write_inputs(folder: Path, **tables: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "organization.csv").write_text(ORG_2022, encoding="utf-8")
    (folder / "sites.csv").write_text("site_id,province\nJS,江苏\n", encoding="utf-8")
    for name, text in tables.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def test_mass_balance_warning_through_the_cli(tmp_path):
    inputs = _write_inputs(
        tmp_path / "in", suppliers=SUPPLIERS, process_emissions=PROCESS_JS_10_T,
        purchases="supplier_id,item_id,category,material,quantity,unit\nS1,STEEL,1,steel,5250,t\n",
        production=PRODUCTION_HEADER + "JS,2022-01,CAR,6341,辆,\n",
        bom=BOM_HEADER + "CAR,STEEL,1000,kg\n")
    out = tmp_path / "out"
    assert invoke(["ingest", inputs, "-o", out]).exit_code == 0
    result = invoke(["calc", out])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "bom-mass-balance" in result.stdout
    problems = json.loads((out / "results.json").read_text(encoding="utf-8"))["problems"]
    [problem] = [p for p in problems if p["code"] == "bom-mass-balance"]
    # 6,341 cars × 1,000 kg = 6,341 t of steel used; 5,250 t bought: 6,341 ÷ 5,250 = 1.21 > 1.1
    assert "6,341 t of STEEL" in problem["message"] and "5,250 t were bought" in problem["message"]
    assert "1.21 times" in problem["message"] and problem["cell"] == "C2"
    assert "STEEL" in problem["message_zh"]

    # the limit is data: [products] mass_balance_ratio in zcf.toml
    config = tmp_path / "zcf.toml"
    config.write_text("[products]\nmass_balance_ratio = 1.25\n", encoding="utf-8")
    assert invoke(["--config", config, "calc", out]).exit_code == 0
    problems = json.loads((out / "results.json").read_text(encoding="utf-8"))["problems"]
    assert not [p for p in problems if p["code"] == "bom-mass-balance"]


# --- production units and the allocation key ----------------------------------

TWO_PRODUCTS_IN_MASS = PRODUCTION_HEADER + "JS,2022-01,WIRE,30,t,\nJS,2022-01,ROD,70000,kg,\n"
STEEL_BOM_PER_T = BOM_HEADER + "WIRE,STEEL,0.9,t\nROD,STEEL,0.9,t\n"


@pytest.mark.parametrize("allocation", ["mass", "units"])
def test_production_in_t(tmp_path, allocation):
    report = inventory(tmp_path, CalcOptions(allocation=allocation), suppliers=SUPPLIERS,
                       purchases="supplier_id,item_id,category,material,quantity,unit\nS1,STEEL,1,steel,200,t\n",
                       process_emissions=PROCESS_JS_10_T, production=TWO_PRODUCTS_IN_MASS, bom=STEEL_BOM_PER_T)
    made = products(report)
    # Both keys read 30 t and 70,000 kg = 70 t: 10 t CO2 × 30/100 = 3 t to WIRE, × 70/100 = 7 t to ROD
    assert made["WIRE"]["batches"][0]["factory_tco2e"] == pytest.approx(3.0, rel=1e-12)
    assert made["ROD"]["batches"][0]["factory_tco2e"] == pytest.approx(7.0, rel=1e-12)
    assert 3.0 + 7.0 == 10.0  # the site's Scope 1 + 2 at 100 %
    for product in made.values():
        # per declared unit, t: factory 3 t ÷ 30 t = 0.1 t = 100 kg per t; parts 0.9 t × 1.91 = 1.719 t = 1,719 kg
        assert product["declared_unit"] == "t" and product["complete"] is True
        assert product["factory_kgco2e_per_unit"] == pytest.approx(100.0, rel=1e-12)
        assert product["per_unit_kgco2e"] == pytest.approx(1819.0, rel=1e-12)
    assert made["ROD"]["units"] == pytest.approx(70.0) and made["ROD"]["unit_label"] == "t"  # written in kg, per t
    assert "production" in report.results["reconciliation"]
    assert reconciled(report, "production")["excluded"] == 0 and reconciled(report, "production")["unaccounted"] == 0


def test_units_key_cannot_share_a_site_month_of_pieces_and_tonnes(tmp_path):
    production = PRODUCTION_HEADER + "JS,2022-01,CAR,1000,件,\nJS,2022-01,WIRE,50,t,\n"
    report = inventory(tmp_path, process_emissions=PROCESS_JS_10_T, production=production)
    made = products(report)
    # Neither product takes the site's 10 t (before: WIRE was dropped and CAR took all 10 t)
    assert made["CAR"]["factory_kgco2e_per_unit"] is None and made["WIRE"]["factory_kgco2e_per_unit"] is None
    assert made["WIRE"]["declared_unit"] == "t"
    [problem] = [p for p in report.problems if p.code == "production-units-mixed"]
    assert 'allocation = "mass"' in problem.message() and "revenue" in problem.message()
    assert problem.cell == "E2" and "1 more row: E3" in problem.message()
    assert reconciled(report, "production")["unaccounted"] == 0


def test_mass_key_leaves_a_pool_with_pieces_unallocated(tmp_path):
    production = PRODUCTION_HEADER + "JS,2022-01,CAR,1000,件,\nJS,2022-01,WIRE,50,t,\n"
    report = inventory(tmp_path, CalcOptions(allocation="mass"), process_emissions=PROCESS_JS_10_T,
                       production=production)
    made = products(report)
    # Sharing 10 t over WIRE alone would load it with the cars' emissions: neither row is allocated.
    assert made["WIRE"]["factory_kgco2e_per_unit"] is None
    assert reason_codes(report, "production") == {"production-not-in-mass", "production-pool-not-allocated"}
    assert "footprint-factory-not-allocated" in [r["code"] for r in made["WIRE"]["reasons"]]


def test_revenue_key(tmp_path):
    production = PRODUCTION_HEADER + "JS,2022-01,CAR,1000,件,3000000\nJS,2022-01,WIRE,50,t,1000000\n"
    report = inventory(tmp_path, CalcOptions(allocation="revenue"), process_emissions=PROCESS_JS_10_T,
                       production=production)
    made = products(report)
    # 10 t × 3/4 = 7.5 t to CAR (7.5 kg per piece); 10 t × 1/4 = 2.5 t to WIRE (2.5 t ÷ 50 t = 50 kg per t)
    assert made["CAR"]["factory_kgco2e_per_unit"] == pytest.approx(7.5, rel=1e-12)
    assert made["WIRE"]["factory_kgco2e_per_unit"] == pytest.approx(50.0, rel=1e-12)
    assert made["CAR"]["batches"][0]["factory_tco2e"] + made["WIRE"]["batches"][0]["factory_tco2e"] == pytest.approx(10.0)


def test_revenue_key_needs_revenue_on_every_row_of_the_pool(tmp_path):
    production = PRODUCTION_HEADER + "JS,2022-01,CAR,1000,件,3000000\nJS,2022-01,WIRE,50,t,\n"
    report = inventory(tmp_path, CalcOptions(allocation="revenue"), process_emissions=PROCESS_JS_10_T,
                       production=production)
    assert reason_codes(report, "production") == {"production-without-revenue", "production-pool-not-allocated"}
    [problem] = [p for p in report.problems if p.code == "production-without-revenue"]
    assert problem.cell == "F3"
    assert all(p["complete"] is False for p in report.results["products"])


def test_allocation_sums_back_to_the_site_scope1_and_2(tmp_path):
    process = ("site_id,period,gas,quantity,unit\n"
               "JS,2022-01,CO2,4,t\nJS,2022-02,CO2,6,t\nJS,2022,CO2,12,t\n")
    production = (PRODUCTION_HEADER + "JS,2022-01,A,100,件,\nJS,2022-01,B,300,件,\n"
                  "JS,2022-02,A,200,件,\nJS,2022-02,B,200,件,\n")
    report = inventory(tmp_path, process_emissions=process, production=production)
    made = products(report)
    factory = {(p, b["period"]): b["factory_tco2e"] for p, v in made.items() for b in v["batches"]}
    # Whole-year 12 t spread by units: 12 ÷ 800 = 0.015 t per unit. January 4 t ÷ 400 = 0.01; February 6 ÷ 400 = 0.015
    assert factory[("A", "2022-01")] == pytest.approx(100 * (0.01 + 0.015), rel=1e-12)  # 2.5 t
    assert factory[("B", "2022-01")] == pytest.approx(300 * (0.01 + 0.015), rel=1e-12)  # 7.5 t
    assert factory[("A", "2022-02")] == pytest.approx(200 * (0.015 + 0.015), rel=1e-12)  # 6 t
    assert factory[("B", "2022-02")] == pytest.approx(200 * (0.015 + 0.015), rel=1e-12)  # 6 t
    assert math.fsum(factory.values()) == pytest.approx(4 + 6 + 12, rel=1e-12)
    assert math.fsum(factory.values()) == pytest.approx(report.results["by_site"]["JS"]["scope1"], rel=1e-12)
    # A: (2.5 + 6) t ÷ 300 units = 28.333 kg per unit
    assert made["A"]["factory_kgco2e_per_unit"] == pytest.approx(8.5 / 300 * 1000, rel=1e-12)


def test_allocation_includes_scope2_market_and_reports_months_without_production(tmp_path):
    energy = "site_id,period,energy_type,quantity,unit\nJS,2022-01,electricity,100,MWh\nJS,2022-02,electricity,50,MWh\n"
    production = PRODUCTION_HEADER + "JS,2022-01,A,100,件,\nJS,2022-01,B,300,件,\n"
    report = inventory(tmp_path, energy=energy, process_emissions=PROCESS_JS_10_T, production=production)
    site = report.results["by_site"]["JS"]
    lines = report.lines
    february = lines[(lines["scope"] == "2") & (lines["scope2_method"] == "market") & (lines["period"] == "2022-02")]
    february_t = math.fsum(february["co2e_t"])
    allocated = math.fsum(b["factory_tco2e"] for p in report.results["products"] for b in p["batches"])
    # January's Scope 1 + 2 (market) is shared; February has no production and is reported, not spread.
    assert allocated == pytest.approx(site["scope1"] + site["scope2_market"] - february_t, rel=1e-12)
    [idle] = [p for p in report.problems if p.code == "factory-emissions-not-allocated"]
    assert "2022-02" in idle.message() and idle.severity == "info"


# --- consolidation share -------------------------------------------------------


def test_equity_share_jv_footprint_equals_operational_control(tmp_path):
    tables = dict(
        suppliers=SUPPLIERS,
        purchases=("supplier_id,item_id,category,quantity,unit,supplier_pcf,pcf_unit,site_id\n"
                   "S1,CELL,1,7500,kWh,68,kgCO2e/kWh,CQ\n"),
        process_emissions="site_id,period,gas,quantity,unit\nCQ,2022-01,CO2,10,t\n",
        production=PRODUCTION_HEADER + "CQ,2022-01,PACK,100,件,\n",
        bom=BOM_HEADER + "PACK,CELL,75,kWh\n",
    )
    control = inventory(folder(tmp_path, "control"), **tables)
    equity = inventory(folder(tmp_path, "equity"), organization=ORG_2022 + "consolidation_approach,equity_share\n", **tables)
    # CQ is 60 % owned: the inventory takes 0.6 × 10 t = 6 t, the pack's footprint the whole 10 t
    assert equity.results["totals"]["scope1"] == pytest.approx(6.0)
    for report in (control, equity):
        pack = products(report)["PACK"]
        # parts 75 kWh × 68 kgCO2e/kWh = 5,100 kg; factory 10 t ÷ 100 packs = 100 kg
        assert pack["parts_kgco2e_per_unit"] == pytest.approx(5100.0, rel=1e-12)
        assert pack["factory_kgco2e_per_unit"] == pytest.approx(100.0, rel=1e-12)
        assert pack["per_unit_kgco2e"] == pytest.approx(5200.0, rel=1e-12)
    assert products(equity)["PACK"] == products(control)["PACK"]


def test_item_made_in_the_group_carries_its_own_footprint(tmp_path):
    report = inventory(
        tmp_path, suppliers=SUPPLIERS,
        purchases=("supplier_id,item_id,category,quantity,unit,supplier_pcf,pcf_unit\n"
                   "S1,CELL,1,7500,kWh,68,kgCO2e/kWh\nS1,STEEL,1,1000,t,2,tCO2e/t\n"),
        process_emissions="site_id,period,gas,quantity,unit\nCQ,2022-01,CO2,10,t\nJS,2022-01,CO2,20,t\n",
        production=PRODUCTION_HEADER + "CQ,2022-01,PACK,100,件,\nJS,2022-01,CAR,100,辆,\n",
        bom=BOM_HEADER + "PACK,CELL,75,kWh\nCAR,PACK,1,\nCAR,STEEL,800,kg\n")
    car = products(report)["CAR"]
    # PACK: 5,100 kg parts + 100 kg factory = 5,200 kg per pack (unit 件, the pack's production unit)
    # CAR: 1 pack 5,200 kg + 0.8 t steel × 2 t/t = 1,600 kg; factory 20 t ÷ 100 cars = 200 kg
    assert car["parts_kgco2e_per_unit"] == pytest.approx(5200.0 + 1600.0, rel=1e-12)
    assert car["per_unit_kgco2e"] == pytest.approx(7000.0, rel=1e-12)
    assert car["parts_by_method_share"]["internal"] == pytest.approx(5200 / 6800)
    pack_line = [p for p in car["parts"] if p["item_id"] == "PACK"][0]
    assert pack_line["unit"] == "件" and pack_line["source"] == "made in the group"
    # The pack is an intermediate product: per-vehicle intensity counts the 100 cars only
    assert report.results["intensity"]["vehicles_produced"] == 100
    assert "bom-mass-balance" not in codes(report)  # 100 packs used, 100 made


# --- complete footprints, ZC-09, the ledger -----------------------------------


def test_zc09_counts_only_complete_footprints(tmp_path):
    report = inventory(tmp_path, suppliers=SUPPLIERS, purchases=STEEL_AND_SPEND_ONLY, process_emissions=PROCESS_JS_10_T,
                       production=PRODUCTION_HEADER + "JS,2022-01,A,100,件,\nJS,2022-01,B,100,件,\n",
                       bom=BOM_HEADER + "A,STEEL,10,kg\nB,STEEL,10,kg\nB,NOPE,1,kg\n")
    made = products(report)
    assert made["A"]["complete"] is True
    assert made["B"]["complete"] is False and made["B"]["per_unit_kgco2e"] is None
    assert made["B"]["reasons"][0]["code"] == "footprint-bom-rows-left-out" and made["B"]["reasons"][0]["items"] == ["NOPE"]
    # the known parts: steel 0.01 t × 1.91 = 19.1 kg; factory 10 t × 100/200 ÷ 100 = 50 kg
    assert made["B"]["parts_kgco2e_per_unit"] == pytest.approx(19.1, rel=1e-12)
    assert made["B"]["factory_kgco2e_per_unit"] == pytest.approx(50.0, rel=1e-12)
    metrics = compute(report.results, {}, report.lines)
    assert metrics["products.footprint_share"] == 0.5  # before: 100 % (B has some parts, so it was counted)


def test_product_without_bom_is_incomplete_and_reported(tmp_path):
    report = inventory(tmp_path, process_emissions=PROCESS_JS_10_T, production=PRODUCTION_HEADER + "JS,2022-01,A,100,件,\n")
    a = products(report)["A"]
    assert a["complete"] is False and [r["code"] for r in a["reasons"]] == ["footprint-no-bom"]
    assert "footprint-no-bom" in codes(report)
    assert compute(report.results, {}, report.lines)["products.footprint_share"] == 0.0


def test_every_production_and_bom_row_is_accounted_for(tmp_path):
    production = (PRODUCTION_HEADER + "JS,2022-01,A,100,件,\nJS,2022-02,A,2,t,\n"
                  "CQ,2022-01,B,100,件,\nCQ,2022-01,C,5,t,\n")
    bom = BOM_HEADER + "A,STEEL,10,kg\nA,NOPE,1,\nB,STEEL,1,件\nOLD,STEEL,5,kg\nA,C,1,\nC,A,1,\n"
    report = inventory(tmp_path, suppliers=SUPPLIERS, purchases=STEEL_AND_SPEND_ONLY, process_emissions=PROCESS_JS_10_T,
                       production=production, bom=bom)
    for table in ("production", "bom"):
        assert reconciled(report, table)["unaccounted"] == 0, reconciled(report, table)["unaccounted_cells"]
    assert reason_codes(report, "bom") == {"bom-item-without-data", "bom-unit-kind-mismatch",
                                           "bom-product-not-produced", "bom-cycle"}
    assert reason_codes(report, "production") == {"production-unit-kind-differs", "production-units-mixed"}
    assert reconciled(report, "bom")["used"] + reconciled(report, "bom")["excluded"] == 6


# --- intensities: vehicles or units produced -----------------------------------


def test_parts_maker_gets_intensity_per_piece_not_per_vehicle(tmp_path):
    report = inventory(tmp_path, process_emissions=PROCESS_JS_10_T,
                       production=PRODUCTION_HEADER + "JS,2022-01,BRACKET,20000,件,\nJS,2022-02,BRACKET,30000,件,\n")
    intensity = report.results["intensity"]
    assert "per_vehicle" not in intensity and intensity["vehicles_produced"] is None
    per_unit = intensity["per_unit_produced"]
    # 10 t ÷ 50,000 pieces = 0.0002 t per piece
    assert (per_unit["unit"], per_unit["label"], per_unit["units_produced"]) == ("piece", "件", 50000)
    assert per_unit["scope1_2_market"] == pytest.approx(10 / 50000, rel=1e-12)
    metrics = compute(report.results, {}, report.lines)
    assert metrics["intensity.per_vehicle"] is None and metrics["intensity.per_unit_produced"] == per_unit["scope1_2_market"]
    for lang, wanted, unwanted in (("zh", "每件产品", "每辆车"), ("en", "per piece produced", "per vehicle")):
        model = ReportModel(lang, words(lang), report.results, report.lines, {}, None, {}, "")
        figures = [f["figure"] for f in model.key_figures()]
        assert any(wanted in f for f in figures) and not any(unwanted in f for f in figures)
        assert product_rows(model)[0]["unit"] == {"zh": "件", "en": "piece"}[lang]


def test_parts_maker_console_says_per_piece(tmp_path):
    inputs = _write_inputs(tmp_path / "in", process_emissions=PROCESS_JS_10_T,
                           production=PRODUCTION_HEADER + "JS,2022-01,BRACKET,20000,件,\n")
    out = tmp_path / "out"
    assert invoke(["ingest", inputs, "-o", out]).exit_code == 0
    result = invoke(["calc", out])
    assert "t per piece produced" in result.stdout and "per vehicle" not in result.stdout
    zh = invoke(["calc", out], lang="zh")
    assert "每件产品" in zh.stdout and "每辆车" not in zh.stdout


def test_vehicles_by_unit_text_or_sold_products(tmp_path):
    report = inventory(folder(tmp_path, "a"), process_emissions=PROCESS_JS_10_T,
                       production=PRODUCTION_HEADER + "JS,2022-01,SEDAN,500,辆,\n")
    assert report.results["intensity"]["vehicles_produced"] == 500
    assert report.results["intensity"]["per_vehicle"]["scope1_2_market"] == pytest.approx(10 / 500)
    assert "per_unit_produced" not in report.results["intensity"]
    sold = "product_id,units_sold,powertrain,lifetime_km,consumption,consumption_unit\nSEDAN,480,bev,200000,14,kWh/100km\n"
    report = inventory(folder(tmp_path, "b"), process_emissions=PROCESS_JS_10_T, sold_products=sold,
                       production=PRODUCTION_HEADER + "JS,2022-01,SEDAN,500,台,\n")
    assert report.results["intensity"]["vehicles_produced"] == 500  # 台 is a piece; sold_products makes it a vehicle
    assert products(report)["SEDAN"]["vehicle"] is True


# --- customer-grade details: suppliers, lots, transport, Scope 2 method, quality --------------------------


TWO_SUPPLIERS = "supplier_id\nS1\nS2\n"


def test_parts_split_by_supplier_primary_share_and_quality(tmp_path):
    purchases = ("supplier_id,item_id,category,material,quantity,unit,supplier_pcf,pcf_unit,pcf_verified\n"
                 "S1,STEEL,1,steel,100,t,,,\n"              # 100 t × 1.91 = 191 t, average-data (quality 3)
                 "S2,STEEL,1,steel,100,t,1.5,tCO2e/t,yes\n")  # 100 t × 1.5 = 150 t, verified supplier PCF (quality 1)
    report = inventory(tmp_path, suppliers=TWO_SUPPLIERS, purchases=purchases, process_emissions=PROCESS_JS_10_T,
                       production=PRODUCTION_HEADER + "JS,2022-01,PART,1000,件,\n", bom=BOM_HEADER + "PART,STEEL,1,kg\n")
    part = products(report)["PART"]
    # steel: (191 + 150) t ÷ 200 t = 1.705 tCO2e/t; 1 kg per piece = 1.705 kg; factory 10 kg: total 11.705 kg
    assert part["per_unit_kgco2e"] == pytest.approx(11.705, rel=1e-12)
    # by supplier: S1 1.705 × 191/341 = 0.955 kg, S2 1.705 × 150/341 = 0.75 kg
    assert part["by_supplier_kgco2e_per_unit"] == pytest.approx({"S1": 0.955, "S2": 0.75}, rel=1e-12)
    # primary: the factory's 10 kg and S2's 0.75 kg of 11.705 kg
    assert part["primary_data_share"] == pytest.approx(10.75 / 11.705, rel=1e-12)
    # quality: parts (191 × 3 + 150 × 1) ÷ 341 = 2.1202 on 1.705 kg, factory (process CO2: 2) on 10 kg
    quality = (1.705 * (191 * 3 + 150 * 1) / 341 + 10 * 2) / 11.705
    assert part["data_quality_rating"] == pytest.approx(quality, rel=1e-12)
    assert part["boundary"] == "cradle-to-gate" and part["scope2_method"] == "market"


def test_a_batch_uses_its_supplier_lots(tmp_path):
    purchases = ("supplier_id,item_id,category,quantity,unit,supplier_pcf,pcf_unit,batch_id\n"
                 "S1,STEEL,1,100,t,2,tCO2e/t,\n"      # 200 t
                 "S2,STEEL,1,100,t,1,tCO2e/t,B2\n")   # 100 t: the low-carbon lot consumed by batch B2
    production = "site_id,period,product_id,quantity,unit,batch_id\nJS,2022-01,PART,500,件,B1\nJS,2022-01,PART,500,件,B2\n"
    report = inventory(tmp_path, suppliers=TWO_SUPPLIERS, purchases=purchases, process_emissions=PROCESS_JS_10_T,
                       production=production, bom=BOM_HEADER + "PART,STEEL,1,kg\n")
    part = products(report)["PART"]
    batches = {b["batch_id"]: b for b in part["batches"]}
    # average steel (200 + 100) ÷ 200 t = 1.5 kg per piece; factory 10 t ÷ 1,000 pieces = 10 kg per piece
    assert batches["B1"]["per_unit_kgco2e"] == pytest.approx(11.5, rel=1e-12)
    # B2's lot: 1.0 tCO2e/t → 1 kg of steel per piece = 1.0 kg; 11.0 kg per piece
    assert batches["B2"]["per_unit_kgco2e"] == pytest.approx(11.0, rel=1e-12) and batches["B2"]["lot_items"] == ["STEEL"]
    assert batches["B1"]["lot_items"] == []


def test_upstream_transport_of_the_product_is_in_its_footprint(tmp_path):
    transport = "direction,mode,tkm,product_id,period\nupstream,rail,100000,PART,2022\ndownstream,rail,100000,PART,2022\n"
    report = inventory(tmp_path, suppliers=SUPPLIERS, purchases=STEEL_100_T, process_emissions=PROCESS_JS_10_T,
                       production=PRODUCTION_HEADER + "JS,2022-01,PART,1000,件,\n", bom=BOM_HEADER + "PART,STEEL,1,kg\n",
                       transport=transport)
    part = products(report)["PART"]
    rail = next(f for f in report.results["factors_used"] if f["activity"] == "freight.rail")
    # upstream only (cradle to gate): 100,000 tkm × the rail factor (kgCO2e/tkm) ÷ 1,000 pieces
    assert part["transport_kgco2e_per_unit"] == pytest.approx(100_000 * rail["value"] / 1000, rel=1e-12)
    assert part["per_unit_kgco2e"] == pytest.approx(1.91 + 10 + 100 * rail["value"], rel=1e-12)


def test_the_factory_part_can_use_location_based_scope2(tmp_path):
    energy = "site_id,period,energy_type,quantity,unit\nJS,2022-01,electricity,1000,MWh\n"
    instruments = "site_id,period,instrument,quantity_mwh,certificate_id\nJS,2022-01,gec,1000,G1\n"
    common = dict(suppliers=SUPPLIERS, purchases=STEEL_100_T, energy=energy, renewable_instruments=instruments,
                  production=PRODUCTION_HEADER + "JS,2022-01,PART,1000,件,\n", bom=BOM_HEADER + "PART,STEEL,1,kg\n")
    market = products(inventory(folder(tmp_path, "m"), **common))["PART"]
    location = products(inventory(folder(tmp_path, "l"), CalcOptions(footprint_scope2="location"), **common))["PART"]
    # market: the certificates cover the 1,000 MWh: 0; location: 1,000 MWh × 0.5978 t/MWh ÷ 1,000 = 0.5978 t per piece
    assert market["factory_kgco2e_per_unit"] == pytest.approx(0.0)
    assert location["factory_kgco2e_per_unit"] == pytest.approx(597.8, rel=1e-12) and location["scope2_method"] == "location"


def test_footprint_reduction_rate_against_the_base_year(tmp_path):
    org = ORG_2022 + "base_year,2020\n"
    history = ("product_id,year,per_unit_kgco2e,declared_unit\n"
               "PART,2020,20,piece\nPART,2021,15,piece\nGONE,2020,9,piece\n")
    report = inventory(tmp_path, organization=org, suppliers=SUPPLIERS, purchases=STEEL_100_T,
                       process_emissions=PROCESS_JS_10_T, production=PRODUCTION_HEADER + "JS,2022-01,PART,1000,件,\n",
                       bom=BOM_HEADER + "PART,STEEL,1,kg\n", product_history=history)
    part = products(report)["PART"]
    # now 1.91 + 10 = 11.91 kg per piece; base year 2020: 20 kg → 1 − 11.91 ÷ 20 = 40.45 % less
    assert part["trend"] == {"base_year": 2020, "base_per_unit_kgco2e": 20.0, "reduction": pytest.approx(0.4045)}
    metrics = compute(report.results, {}, report.lines)
    assert metrics["products.footprint_reduction"] == pytest.approx(0.4045)
    history_rows = reconciled(report, "product_history")
    assert history_rows["used"] == 1 and history_rows["unaccounted"] == 0
    assert reason_codes(report, "product_history") == {"product-history-unknown-product", "product-history-not-compared"}
