"""Energy balance and metering: electricity made on site from fuels is not counted twice,
sub-meters are not added to consumption, and metering completeness is judged per meter.

Shipped factor values used here: Jiangsu grid 2022 0.5978 tCO2/MWh; T&D loss rate and
tce factors as read from the library; 1 tce = 29.307 GJ; electricity equivalent value
0.1229 kgce/kWh (GB/T 2589); equal value 2022 300.7 gce/kWh (CEC).
"""

from __future__ import annotations

import json

import pytest

from conftest import invoke
from test_calc import co2e, inventory
from zcf.checks.metrics import compute

GJ_PER_TCE = 29.307
JS_GRID_2022 = 0.5978

ENERGY = "site_id,period,energy_type,quantity,unit,supply\n"
GAS_AND_GRID = ("JS,2022,natural_gas,10814,MWh,\n"   # gas burnt on site (part of it in a CHP)
                "JS,2022,electricity,500,MWh,\n"      # bought from the grid
                "JS,2022,onsite_solar,200,MWh,\n")    # rooftop solar consumed
CHP = "JS,2022,electricity,1000,MWh,onsite\n"          # made by the CHP from the gas above


def test_electricity_from_onsite_fuel_is_not_counted_twice(tmp_path):
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    without = inventory(tmp_path / "a", energy=ENERGY + GAS_AND_GRID).results
    with_chp = inventory(tmp_path / "b", energy=ENERGY + GAS_AND_GRID + CHP)
    energy = with_chp.results["energy"]
    # total: 10,814 MWh gas + 500 MWh grid + 200 MWh solar = 11,514 MWh, with or without the CHP row
    assert without["energy"]["total_mwh"] == pytest.approx(11514, rel=1e-12)
    assert energy["total_mwh"] == pytest.approx(11514, rel=1e-12)
    assert energy["onsite_generated_from_fuels_mwh"] == pytest.approx(1000)
    assert energy["fuels_and_heat_mwh"] == pytest.approx(10814)
    # tce (equivalent value): 10,814 MWh × 3.6 GJ/MWh ÷ 29.307 GJ/tce = 1,328.3652 tce
    #   + (500 + 200) MWh = 700,000 kWh × 0.1229 kgce/kWh = 86.03 tce; the CHP's 1,000 MWh adds nothing
    tce = 10814 * 3.6 / GJ_PER_TCE + 700_000 * 0.1229 / 1000
    assert tce == pytest.approx(1328.3652 + 86.03, abs=1e-4)
    assert without["energy"]["total_tce"] == pytest.approx(tce, rel=1e-12)
    assert energy["total_tce"] == pytest.approx(tce, rel=1e-12)
    # equal value: + 700,000 kWh × 300.7 gce/kWh = 210.49 tce
    assert energy["total_tce_equal_value"] == pytest.approx(10814 * 3.6 / GJ_PER_TCE + 700_000 * 300.7 / 1e6, rel=1e-12)
    # electricity consumed includes the CHP's: 500 + 200 + 1,000 = 1,700 MWh; renewable share 200 / 1,700
    assert energy["electricity_mwh"] == pytest.approx(1700)
    assert energy["renewable_share"] == pytest.approx(200 / 1700, rel=1e-12)
    assert without["energy"]["renewable_share"] == pytest.approx(200 / 700, rel=1e-12)
    assert energy["non_fossil_share"] == pytest.approx(200 / 11514, rel=1e-12)
    assert with_chp.results["by_site"]["JS"]["energy_mwh"] == pytest.approx(11514, rel=1e-12)
    # Scope 2 only from the grid: 500 MWh × 0.5978 = 298.9 tCO2
    assert with_chp.results["totals"]["scope2_location"] == pytest.approx(298.9, rel=1e-12)
    reconciliation = with_chp.results["reconciliation"]["energy"]
    assert reconciliation["unaccounted"] == 0
    (reason,) = reconciliation["reasons"]
    assert (reason["code"], reason["severity"], reason["rows"]) == ("onsite-electricity-from-fuel", "info", 1)
    assert reason["amounts"] == {"MWh": 1000.0}


def test_onsite_solar_and_direct_line_renewables_are_counted(tmp_path):
    energy = ENERGY + ("JS,2022,onsite_solar,200,MWh,\n"
                       "JS,2022,electricity,300,MWh,direct\n")
    result = inventory(tmp_path, energy=energy).results["energy"]
    # 200 MWh solar + 300 MWh by direct line = 500 MWh, all of it renewable electricity
    assert result["total_mwh"] == pytest.approx(500)
    assert result["electricity_mwh"] == pytest.approx(500)
    assert result["renewable_share"] == pytest.approx(1.0)
    assert result["total_tce"] == pytest.approx(500_000 * 0.1229 / 1000, rel=1e-12)  # = 61.45 tce
    assert result["onsite_generated_from_fuels_mwh"] == 0.0


def _monthly(site: str, meter: str, role: str, mwh: float, energy_type: str = "electricity", skip=()) -> str:
    return "".join(f"{site},2022-{m:02d},{energy_type},{mwh},MWh,{meter},{role}\n" for m in range(1, 13) if m not in skip)


METERED = "site_id,period,energy_type,quantity,unit,meter_id,meter_role\n"


def test_sub_meters_are_not_added_to_consumption(tmp_path):
    energy = (METERED + _monthly("JS", "M1", "main", 100, skip=(3,))  # main meter: March missing
              + _monthly("JS", "S1", "子表", 30)  # a workshop behind M1 ("子表" = sub)
              + _monthly("JS", "G1", "", 50, energy_type="natural_gas")
              + _monthly("JS", "G2", "分表", 20, energy_type="natural_gas"))
    report = inventory(tmp_path, energy=energy)
    # grid electricity: 11 months × 100 MWh = 1,100 MWh × 0.5978 = 657.58 tCO2 (the sub-meter's 360 MWh not added)
    assert report.results["totals"]["scope2_location"] == pytest.approx(1100 * JS_GRID_2022, rel=1e-12)
    assert report.results["energy"]["electricity_mwh"] == pytest.approx(1100)
    # total: 1,100 MWh electricity + 12 × 50 MWh gas = 1,700 MWh (sub-meter gas, 240 MWh, not added)
    assert report.results["energy"]["total_mwh"] == pytest.approx(1700)
    lines = report.lines
    sub_meter_rows = set(range(13, 25)) | set(range(37, 49))  # CSV rows: M1 2–12, S1 13–24, G1 25–36, G2 37–48
    assert not sub_meter_rows & set(lines.loc[lines["source_table"] == "energy", "source_row"])
    td = lines[lines["activity"] == "electricity.td_losses"]
    assert td["quantity_std"].sum() < 1100  # category 3 from the main meter only
    assert co2e(report, scope="1", category="stationary_combustion") > 0
    reconciliation = report.results["reconciliation"]["energy"]
    assert reconciliation["unaccounted"] == 0 and reconciliation["excluded"] == 24
    assert {(r["code"], r["severity"], r["rows"]) for r in reconciliation["reasons"]} == {
        ("sub-meter-not-summed", "info", 24)}


def test_sub_meters_without_a_main_meter_are_a_warning(tmp_path):
    report = inventory(tmp_path, energy=METERED + _monthly("CQ", "S1", "sub", 10))
    assert report.results["energy"]["electricity_mwh"] == 0.0
    (reason,) = report.results["reconciliation"]["energy"]["reasons"]
    assert (reason["code"], reason["severity"], reason["rows"]) == ("sub-meter-without-main", "warning", 12)
    assert "CQ" in reason["message"] and "main" in reason["message"]


def test_metering_months_per_meter(tmp_path):
    energy = METERED + _monthly("JS", "M1", "main", 100, skip=(3,)) + _monthly("JS", "S1", "sub", 30)
    report = inventory(tmp_path, energy=energy)
    from zcf.calc import load_dataset

    _, tables = load_dataset(tmp_path / "out")
    metrics = compute(report.results, tables, report.lines)
    # per site JS has 12 distinct months (March from the sub-meter); the main meter M1 has 11
    assert metrics["metering.min_electricity_months"] == 11
    assert metrics["metering.fewest_electricity_months_meter"] == "JS / M1"
    (tmp_path / "b").mkdir()
    no_roles = METERED + _monthly("JS", "", "", 100) + "JS,2022,electricity,50,MWh,M9,\n"  # M9 annual only
    report = inventory(tmp_path / "b", energy=no_roles)
    _, tables = load_dataset(tmp_path / "b" / "out")
    metrics = compute(report.results, tables, report.lines)
    assert (metrics["metering.min_electricity_months"], metrics["metering.fewest_electricity_months_meter"]) == (0, "JS / M9")


def test_main_meter_missing_a_month_warns_through_the_cli(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "organization.csv").write_text("field,value\ncompany_name,Test Co\nreporting_year,2022\n", encoding="utf-8")
    (folder / "sites.csv").write_text("site_id,province\nJS,江苏\n", encoding="utf-8")
    (folder / "energy.csv").write_text(
        METERED + _monthly("JS", "M1", "main", 100, skip=(3,)) + _monthly("JS", "S1", "sub", 30), encoding="utf-8")
    out = tmp_path / "out"
    run = invoke(["run", folder, "-o", out, "--format", "xlsx", "--fail-on", "never"])
    assert run.exit_code == 0, run.stdout + run.stderr
    result = invoke(["check", out, "--rules", "cn-zcf,data-quality", "--json", "--fail-on", "never"])
    checks = {r["rule_id"]: r for r in json.loads(result.stdout)["results"]}
    for rule_id in ("ZC-10", "DQ-07"):
        assert checks[rule_id]["status"] == "warn" and checks[rule_id]["measured"] == 11
        assert "JS / M1" in checks[rule_id]["message"]["en"] and "JS / M1" in checks[rule_id]["message"]["zh"]
    assert checks["DQ-10"]["status"] == "pass"  # the sub-meter rows are accounted for
