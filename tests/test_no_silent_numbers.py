"""No silent numbers (issue 8): each symptom a reviewer measured, through the CLI, with the hand-computed
value or the expected problem (file, cell, code).

Small inventories are written as CSV folders; factor values quoted are those of the shipped library:
worldsteel crude steel 1.91 tCO2/t (MAT_STEEL_CRUDE_GLOBAL_2022), PlasticsEurope PP 2.0 tCO2e/t (EU,
MAT_PLASTIC_PP_EU), US EPA USEEIO v1.2 machinery (NAICS 333249) 0.21 kgCO2e/USD, fx.USD 7.12 CNY/USD (2024),
GWP AR6 HCFC-22 1960. MACHINERY_PER_CNY is the USD factor per CNY through fx.USD: 0.21 ÷ 7.12 kgCO2e/CNY.
"""

from __future__ import annotations

MACHINERY_PER_CNY = 0.21 / 7.12  # kgCO2e/CNY: 0.21 kgCO2e/USD ÷ 7.12 CNY/USD

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from conftest import SAMPLE_ZH, invoke

ORG = "field,value\ncompany_name,Test Co\nreporting_year,2025\ngwp_basis,AR6\n"
SITES = "site_id,province,equity_share\nS1,江苏,1\n"
SUPPLIERS = "supplier_id,name\nA,Alpha\n"
PURCHASE_HEADER = "supplier_id,item_id,category,material,quantity,unit,spend,currency,sector,supplier_pcf,pcf_unit,site_id\n"


def folder(tmp_path: Path, **tables: str) -> Path:
    root = tmp_path / "in"
    root.mkdir(parents=True, exist_ok=True)
    base = {"organization": ORG, "sites": SITES, "suppliers": SUPPLIERS}
    for name, text in {**base, **tables}.items():
        (root / f"{name}.csv").write_text(text, encoding="utf-8")
    return root


def ingest(tmp_path: Path, **tables: str) -> tuple[int, list[dict]]:
    result = invoke(["ingest", folder(tmp_path, **tables), "-o", tmp_path / "out", "--json"])
    return result.exit_code, json.loads(result.stdout)["problems"]


def run(tmp_path: Path, config: str | None = None, **tables: str) -> dict:
    args = ["run", folder(tmp_path, **tables), "-o", tmp_path / "out", "--format", "xlsx", "--fail-on", "never"]
    if config is not None:
        (tmp_path / "zcf.toml").write_text(config, encoding="utf-8")
        args = ["--config", tmp_path / "zcf.toml", *args]
    result = invoke(args)
    assert result.exit_code == 0, result.stdout
    return json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))


def purchases(*rows: str) -> str:
    return PURCHASE_HEADER + "\n".join(rows) + "\n"


def cat1(results: dict) -> float:
    return results["totals"]["scope3_by_category"]["1"]


def problem(problems: list[dict], code: str) -> dict:
    found = [p for p in problems if p["code"] == code]
    assert found, [(p["code"], p["message"]) for p in problems]
    return found[0]


def spend_factor(tmp_path, value_unit: str) -> str:
    return f"activity,value,unit,source\nspend.machinery,{value_unit},test factor\n"


# --- currency -----------------------------------------------------------------------------------


def test_spend_in_usd_with_a_factor_per_usd(tmp_path):
    results = run(tmp_path, purchases="".join(purchases("A,I1,1,,,,1000000,USD,machinery,,,S1")),
                  factors=spend_factor(tmp_path, "0.37,kgCO2e/USD"))
    # 1,000,000 USD × 0.37 kgCO2e/USD = 370,000 kg = 370 t (through CNY: 7,120,000 CNY × 0.37/7.12 kg/CNY)
    assert cat1(results) == pytest.approx(370.0, rel=1e-12)


def test_spend_in_cny_with_a_factor_per_usd(tmp_path):
    results = run(tmp_path, purchases=purchases("A,I1,1,,,,7120000,CNY,machinery,,,S1"),
                  factors=spend_factor(tmp_path, "0.37,kgCO2e/USD"))
    # 7,120,000 CNY ÷ 7.12 CNY/USD = 1,000,000 USD × 0.37 kgCO2e/USD = 370 t
    assert cat1(results) == pytest.approx(370.0, rel=1e-12)


def test_spend_in_usd_with_the_library_factor_per_usd(tmp_path):
    results = run(tmp_path, purchases=purchases("A,I1,1,,,,1000000,usd,machinery,,,S1"))
    # 1,000,000 USD × 7.12 CNY/USD = 7,120,000 CNY × (0.21 ÷ 7.12) kgCO2e/CNY = 1,000,000 × 0.21 kg = 210 t
    assert cat1(results) == pytest.approx(210.0, rel=1e-12)
    assert any(p["code"] == "factor-year-fallback" and "fx.USD" in p["message"] for p in results["problems"])


@pytest.mark.parametrize("currency, multiplier", [("元", 1), ("人民币", 1), ("RMB", 1), ("万元", 10_000), ("千元", 1_000)])
def test_yuan_written_in_chinese_or_in_multiples(tmp_path, currency, multiplier):
    results = run(tmp_path, purchases=purchases(f"A,I1,1,,,,12,{currency},machinery,,,S1"))
    # 12 × multiplier CNY × (0.21 ÷ 7.12) kgCO2e/CNY
    assert cat1(results) == pytest.approx(12 * multiplier * MACHINERY_PER_CNY / 1000, rel=1e-12)
    assert results["reconciliation"]["purchases"]["calculated"] == 1


def test_a_factor_per_ten_thousand_yuan(tmp_path):
    results = run(tmp_path, purchases=purchases("A,I1,1,,,,1000000,CNY,machinery,,,S1"),
                  factors=spend_factor(tmp_path, "2.5,tCO2e/万元"))
    # 1,000,000 CNY = 100 万元 × 2.5 tCO2e/万元 = 250 t
    assert cat1(results) == pytest.approx(250.0, rel=1e-12)


def test_unknown_currency_and_currency_without_rate_are_errors(tmp_path):
    code, problems = ingest(tmp_path, purchases=purchases("A,I1,1,,,,12,yuen,machinery,,,S1",
                                                          "A,I2,1,,,,12,日元,machinery,,,S1"))
    assert code == 1
    assert problem(problems, "unknown-currency")["cell"] == "H2"
    missing_rate = problem(problems, "no-exchange-rate")
    assert missing_rate["cell"] == "H3" and "fx.JPY" in missing_rate["message"]


def test_spend_coverage_counts_spend_in_any_currency(tmp_path):
    rows = purchases("A,I1,1,steel,10,t,100,万元,,1.5,tCO2e/t,S1", "A,I2,1,,,,1000000,CNY,machinery,,,S1")
    results = run(tmp_path, purchases=rows)
    # with a footprint: 100 万元 = 1,000,000 CNY of 2,000,000 CNY → 50 %
    assert results["data_quality"]["cat1_spend_share_with_supplier_pcf"] == pytest.approx(0.5)


# --- materials, footprints ----------------------------------------------------------------------


def test_chinese_material_name_uses_the_average_data_factor(tmp_path):
    results = run(tmp_path, purchases=purchases("A,I1,1,钢材,980,t,2500000,CNY,,,,S1"))
    # 980 t × 1.91 tCO2/t = 1,871.8 t (not the 2,500,000 CNY spend)
    assert cat1(results) == pytest.approx(980 * 1.91, rel=1e-12)


def test_misspelt_material_is_an_error_with_a_suggestion(tmp_path):
    code, problems = ingest(tmp_path, purchases=purchases("A,I1,1,steal,980,t,2500000,CNY,,,,S1",
                                                          "A,I2,1,steal,10,t,,,,,,S1"))
    assert code == 1
    found = problem(problems, "unknown-value")
    assert found["cell"] == "D2" and "did you mean steel" in found["message"] and "D3" in found["message"]
    assert len([p for p in problems if p["code"] == "unknown-value"]) == 1  # one mistake, one message


def test_unspecified_aluminium_is_read_as_primary_with_a_warning(tmp_path):
    code, problems = ingest(tmp_path, purchases=purchases("A,I1,1,Aluminium,10,t,,,,,,S1"))
    assert code == 0
    found = problem(problems, "assumed-value")
    assert found["cell"] == "D2" and "aluminium_primary" in found["message"]


def test_material_with_a_factor_only_for_another_region_uses_the_library_proxy_with_a_warning(tmp_path):
    results = run(tmp_path, purchases=purchases("A,I1,1,塑料,100,t,1000000,CNY,,,,S1"))
    # 100 t × 2.0 tCO2e/t (PlasticsEurope PP, EU, marked as a proxy) = 200 t
    assert cat1(results) == pytest.approx(200.0, rel=1e-12)
    note = problem(results["problems"], "material-factor-proxy")
    assert note["cell"] == "D2" and "MAT_PLASTIC_PP_EU" in note["message"]


def test_another_regions_factor_only_where_zcf_toml_allows_it(tmp_path):
    factors = "activity,value,unit,region,source\nmaterial.magnesium,25,tCO2e/t,EU,EU study\n"
    rows = purchases("A,I1,1,magnesium,2,t,100000,CNY,machinery,,,S1")
    without = run(tmp_path / "a", factors=factors, purchases=rows)
    # no CN factor: spend 100,000 CNY × (0.21 ÷ 7.12) kgCO2e/CNY = 2.9494 t, with a warning naming the cell
    assert cat1(without) == pytest.approx(100_000 * MACHINERY_PER_CNY / 1000)
    assert cat1(without) == pytest.approx(2.9494, abs=1e-4)
    assert problem(without["problems"], "method-fallback")["cell"] == "D2"
    allowed = run(tmp_path / "b", config='[factors]\nfallback_regions = ["欧盟"]\n', factors=factors, purchases=rows)
    # [factors] fallback_regions = EU: 2 t × 25 tCO2e/t = 50 t, with a warning
    assert cat1(allowed) == pytest.approx(50.0)
    assert "EU" in problem(allowed["problems"], "material-factor-proxy")["message"]


def test_material_factor_per_kwh_for_pieces_falls_back_to_spend_with_a_warning(tmp_path):
    results = run(tmp_path, purchases=purchases("A,I1,1,battery_cell,100,件,1000000,CNY,machinery,,,S1"))
    # material.battery_cell is per kWh: spend 1,000,000 CNY × (0.21 ÷ 7.12) kgCO2e/CNY = 29.494 t, and a warning
    assert cat1(results) == pytest.approx(1_000_000 * MACHINERY_PER_CNY / 1000, rel=1e-12)
    note = problem(results["problems"], "method-fallback")
    assert note["cell"] == "D2" and "spend-based" in note["message"]


def test_a_row_no_method_fits_is_excluded_with_its_reason(tmp_path):
    results = run(tmp_path, purchases=purchases("A,I1,1,battery_cell,100,件,,,,,,S1"))
    assert cat1(results) == 0
    reconciliation = results["reconciliation"]["purchases"]
    assert reconciliation["excluded"] == 1 and reconciliation["unaccounted"] == 0
    assert reconciliation["reasons"][0]["code"] == "no-method" and "per energy" in reconciliation["reasons"][0]["message"]


def test_pcf_unit_typo_is_an_error(tmp_path):
    code, problems = ingest(tmp_path, purchases=purchases("A,I1,1,steel,980,t,,,,1.9,kgCO2e/kgs,S1"))
    assert code == 1
    found = problem(problems, "bad-pcf-unit")
    assert found["cell"] == "K2" and "kgCO2e/kg" in found["message"]


def test_pcf_per_kwh_for_pieces_is_an_error(tmp_path):
    code, problems = ingest(tmp_path, purchases=purchases("A,I1,1,,100,件,,,,65,kgCO2e/kWh,S1"))
    assert code == 1
    assert problem(problems, "pcf-unit-mismatch")["cell"] == "K2"


def test_pcf_given_as_the_total_of_the_row(tmp_path):
    results = run(tmp_path, purchases=purchases("A,I1,1,steel,980,t,,,,12.5,tCO2e,S1"))
    # the supplier's total for the delivery: 12.5 tCO2e, whatever the quantity
    assert cat1(results) == pytest.approx(12.5)
    assert results["data_quality"]["cat1_by_method"]["supplier-specific"]["tco2e"] == pytest.approx(12.5)


# --- the factors sheet --------------------------------------------------------------------------


def test_unknown_factor_activities_are_errors_with_suggestions(tmp_path):
    factors = "activity,value,unit,source\nsteel,2.0,tCO2e/t,x\nelectricity,0.6,kgCO2/kWh,x\n"
    code, problems = ingest(tmp_path, factors=factors)
    assert code == 1
    unknown = [p for p in problems if p["code"] == "unknown-activity"]
    assert [p["cell"] for p in unknown] == ["A2", "A3"]
    assert "material.steel" in unknown[0]["message"] and "electricity.grid" in unknown[1]["message"]


def test_factor_region_in_chinese_is_normalised_and_used(tmp_path):
    sites = "site_id,province\nZJ1,浙江\n"
    factors = "activity,value,unit,region,source\nelectricity.grid,0.5,kgCO2/kWh,浙江,utility letter\n"
    energy = "site_id,period,energy_type,quantity,unit\nZJ1,2025,electricity,1000,MWh\n"
    results = run(tmp_path, sites=sites, factors=factors, energy=energy)
    # 1,000 MWh × 0.5 tCO2/MWh (the user's Zhejiang factor, not the library's) = 500 t
    assert results["totals"]["scope2_location"] == pytest.approx(500.0)
    assert results["reconciliation"]["factors"]["used"] == 1


def test_a_factor_row_no_calculation_uses_is_reported(tmp_path):
    factors = "activity,value,unit,source\nmaterial.steal,2.0,tCO2e/t,x\n"
    results = run(tmp_path, factors=factors, purchases=purchases("A,I1,1,steel,10,t,,,,,,S1"))
    assert cat1(results) == pytest.approx(19.1)  # 10 t × 1.91: the library's steel factor
    unused = problem(results["problems"], "user-factor-unused")
    assert unused["cell"] == "A2" and "material.steel" in unused["message"]
    assert results["reconciliation"]["factors"]["excluded"] == 1


def test_a_factor_per_the_wrong_kind_is_an_error(tmp_path):
    factors = "activity,value,unit,source\nelectricity.grid,0.6,kgCO2/m3,x\n"
    code, problems = ingest(tmp_path, factors=factors)
    assert code == 1 and problem(problems, "factor-unit-kind")["cell"] == "C2"


# --- gases --------------------------------------------------------------------------------------


def test_r22_is_hcfc22_reported_as_a_memo_item(tmp_path):
    refrigerants = "site_id,period,gas,quantity_kg\nS1,2025,R22,10\nS1,2025,HFC134a,5\n"
    results = run(tmp_path, refrigerants=refrigerants)
    # Scope 1: 5 kg R-134a × 1530 = 7.65 t; memo: 10 kg HCFC-22 × 1960 = 19.6 t, outside the scopes
    assert results["totals"]["scope1"] == pytest.approx(7.65)
    (memo,) = results["memo_items"]
    assert memo["gas"] == "R-22" and memo["co2e_t"] == pytest.approx(19.6)
    assert results["reconciliation"]["refrigerants"]["unaccounted"] == 0


def test_an_unknown_gas_is_never_matched_to_a_similar_one(tmp_path):
    code, problems = ingest(tmp_path, refrigerants="site_id,period,gas,quantity_kg\nS1,2025,R-23a,10\n")
    assert code == 1
    found = problem(problems, "unknown-value")
    assert "did you mean" not in found["message"] and "matched exactly" in found["message"]


# --- boundary -----------------------------------------------------------------------------------


def test_equity_share_applies_to_every_line_of_a_site(tmp_path):
    org = ORG + "consolidation_approach,equity_share\n"
    sites = "site_id,province,equity_share\nJV,江苏,0.6\n"
    results = run(
        tmp_path, organization=org, sites=sites,
        purchases=purchases("A,I1,1,steel,100,t,,,,,,JV"),
        waste="site_id,period,waste_type,treatment,quantity,unit\nJV,2025,general,landfill,10,t\n",
        travel="mode,distance_km,site_id\nrail,1000,JV\n",
    )
    totals = results["totals"]["scope3_by_category"]
    assert totals["1"] == pytest.approx(0.6 * 100 * 1.91)  # 60 % × 100 t × 1.91 tCO2/t
    lines = pd.read_parquet(tmp_path / "out" / "lines.parquet")
    assert lines.groupby("source_table")["boundary_share"].unique().map(list).to_dict() == {
        "purchases": [0.6], "waste": [0.6], "travel": [0.6]}


# --- every row accounted ------------------------------------------------------------------------


def test_the_sample_accounts_for_every_row(tmp_path):
    result = invoke(["run", SAMPLE_ZH, "-o", tmp_path, "--format", "xlsx", "--fail-on", "never"])
    assert result.exit_code == 0
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    for table, entry in results["reconciliation"].items():
        assert entry["unaccounted"] == 0, (table, entry["unaccounted_cells"])
        assert entry["calculated"] + entry["used"] + entry["excluded"] == entry["rows"], table
    checks = json.loads((tmp_path / "checks.json").read_text(encoding="utf-8"))
    (dq10,) = [r for r in checks["results"] if r["rule_id"] == "DQ-10"]
    assert dq10["status"] == "pass"
    assert math.isclose(sum(e["rows"] for e in results["reconciliation"].values()),
                        sum(e["calculated"] + e["used"] + e["excluded"] for e in results["reconciliation"].values()))
