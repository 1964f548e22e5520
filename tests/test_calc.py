"""Calculation: every formula against values computed by hand in the test, on small datasets.

Each test writes a few CSV tables, runs the real pipeline (ingest → calc) and checks
the lines and totals. Factor values quoted here are those of the shipped library.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from zcf.calc import calculate, load_dataset, write_outputs
from zcf.calc.context import CalcOptions
from zcf.ingest import ingest, write_dataset

ORG_2022 = "field,value\ncompany_name,Test Co\nreporting_year,2022\ngwp_basis,AR6\n"
SITES = "site_id,province,equity_share\nJS,江苏,1\nCQ,重庆,0.6\n"


def inventory(tmp_path: Path, options: CalcOptions | None = None, organization: str = ORG_2022, **tables: str):
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    (folder / "organization.csv").write_text(organization, encoding="utf-8")
    (folder / "sites.csv").write_text(SITES, encoding="utf-8")
    for name, text in tables.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    report = ingest([str(folder)])
    assert report.valid, [str(p) for p in report.problems if p.severity == "error"]
    out = tmp_path / "out"
    write_dataset(report, out)
    manifest, data = load_dataset(out)
    result = calculate(manifest, data, options)
    write_outputs(result, out)
    return result


def co2e(report, **where) -> float:
    lines = report.lines
    for column, value in where.items():
        lines = lines[lines[column] == value]
    return math.fsum(lines["co2e_t"])


def test_location_based_electricity(tmp_path):
    report = inventory(tmp_path, energy="site_id,period,energy_type,quantity,unit\nJS,2022-01,electricity,1000,kWh\n")
    # 1,000 kWh = 1 MWh × 0.5978 tCO2/MWh (Jiangsu 2022, MEE/NBS) = 0.5978 t
    assert report.results["totals"]["scope2_location"] == pytest.approx(0.5978, abs=1e-12)
    line = report.lines[report.lines["scope2_method"] == "location"].iloc[0]
    assert line["factor_id"] == "CN_GRID_PROV_JS_2022" and line["quantity_std"] == 1.0
    assert "1 MWh × 0.5978 tCO2/MWh = 0.5978 tCO2" == line["calculation"]


def test_grid_factor_of_the_common_vintage_along_the_region_chain(tmp_path):
    energy = "site_id,period,energy_type,quantity,unit\nJS,2025-01,electricity,1,MWh\n"
    org = ORG_2022.replace("2022", "2025")
    report = inventory(tmp_path, organization=org, energy=energy)
    # 2023 is the latest year published for every use (the residual factor and the grid regions have it; Jiangsu's
    # provincial factors stop at 2022): East China grid 2023, 1 MWh × 0.5500 t/MWh, with the year-fallback warning.
    location = report.lines[report.lines["scope2_method"] == "location"].iloc[0]
    assert location["factor_id"] == "CN_GRID_REG_EAST_2023" and location["co2e_t"] == pytest.approx(0.55)
    assert any(p.code == "factor-year-fallback" and "CN-GRID-EAST" in p.message() for p in report.problems)
    assert any(p.code == "grid-vintage" for p in report.problems)
    assert report.results["grid_vintage"]["year"] == 2023


def test_natural_gas_combustion_gbt32150(tmp_path):
    energy = "site_id,period,energy_type,quantity,unit\nJS,2022-01,natural_gas,1,万m3\n"
    report = inventory(tmp_path, energy=energy)
    # 10,000 m3 × 389.31 GJ/10^4 Nm3 = 389.31 GJ; × 15.3 tC/TJ × 0.99 × 44/12
    co2 = 389.31 / 1000 * 15.3 * 0.99 * 44 / 12  # = 21.6219 t
    ch4 = 389.31 / 1000 * 1 / 1000 * 27.9  # 1 kg CH4/TJ × GWP 27.9 (AR6)
    n2o = 389.31 / 1000 * 0.1 / 1000 * 273  # 0.1 kg N2O/TJ × GWP 273
    assert co2e(report, gas="CO2", scope="1") == pytest.approx(co2, rel=1e-12)
    assert co2 == pytest.approx(21.6219, abs=1e-4)
    assert co2e(report, gas="CH4") == pytest.approx(ch4, rel=1e-12)
    assert co2e(report, gas="N2O") == pytest.approx(n2o, rel=1e-12)
    assert report.results["totals"]["scope1_by_category"]["stationary_combustion"] == pytest.approx(co2 + ch4 + n2o)
    assert report.results["energy"]["total_mwh"] == pytest.approx(389.31 / 3.6)


def test_mobile_diesel_in_litres(tmp_path):
    energy = "site_id,period,energy_type,quantity,unit,use\nJS,2022-01,diesel,1000,L,mobile\n"
    report = inventory(tmp_path, energy=energy)
    tonnes = 1.0 * 0.8275  # 1 m3 × 0.8275 t/m3 (assumed density)
    gj = tonnes * 43.33  # current MEE table (set cn-fuels-mee)
    co2 = gj / 1000 * 20.2 * 0.98 * 44 / 12
    ch4 = gj / 1000 * 3.9 / 1000 * 27.9
    n2o = gj / 1000 * 3.9 / 1000 * 273
    assert co2e(report, category="mobile_combustion", gas="CO2") == pytest.approx(co2, rel=1e-12)
    assert co2e(report, category="mobile_combustion") == pytest.approx(co2 + ch4 + n2o, rel=1e-12)


def test_user_factor_overrides_the_library(tmp_path):
    factors = "activity,value,unit,region,source\nelectricity.grid,0.4,kgCO2/kWh,CN-JS,Supplier letter 2022\n"
    report = inventory(tmp_path, factors=factors,
                       energy="site_id,period,energy_type,quantity,unit\nJS,2022-01,electricity,10,MWh\n")
    line = report.lines[report.lines["scope2_method"] == "location"].iloc[0]
    assert line["factor_source"] == "Supplier letter 2022"
    assert line["factor_id"].startswith("user:")
    assert line["co2e_t"] == pytest.approx(4.0)  # 10 MWh × 0.4 t/MWh
    assert any(f["origin"] == "user" for f in report.results["factors_used"])


def test_user_factor_with_blank_region_and_year_applies_everywhere(tmp_path):
    factors = "activity,value,unit,source\nelectricity.grid,0.3,kgCO2/kWh,Own meter study\n"
    energy = "site_id,period,energy_type,quantity,unit\nJS,2022-01,electricity,1,MWh\nCQ,2022-01,electricity,1,MWh\n"
    report = inventory(tmp_path, factors=factors, energy=energy)
    location = report.lines[report.lines["scope2_method"] == "location"]
    assert set(location["factor_source"]) == {"Own meter study"}


def test_refrigerants_and_process(tmp_path):
    report = inventory(
        tmp_path,
        refrigerants="site_id,period,gas,quantity_kg\nJS,2022,HFC-134a,10\nJS,2022,R-410A,2\n",
        process_emissions="site_id,period,gas,quantity,unit\nJS,2022,CO2,500,kg\n",
    )
    # 10 kg × 1530 (AR6 HFC-134a) = 15.3 t; 2 kg × 2255.5 (R-410A, AR6) = 4.511 t; 0.5 t CO2
    assert co2e(report, category="fugitive", gas="R-134a") == pytest.approx(15.3)
    assert co2e(report, category="fugitive", gas="R-410A") == pytest.approx(4.511)
    assert co2e(report, category="process") == pytest.approx(0.5)


def test_gwp_basis_changes_the_result(tmp_path):
    org = ORG_2022.replace("AR6", "AR5")
    report = inventory(tmp_path, organization=org, refrigerants="site_id,period,gas,quantity_kg\nJS,2022,R-134a,10\n")
    assert co2e(report, category="fugitive") == pytest.approx(13.0)  # 10 kg × 1300 (AR5)
    assert report.results["gwp_basis"] == "AR5"


ELECTRICITY_12 = "site_id,period,energy_type,quantity,unit\n" + "".join(
    f"JS,2022-{m:02d},electricity,100,MWh\n" for m in range(1, 13)
)


def test_market_based_instruments_cover_their_site_and_period(tmp_path):
    instruments = (
        "site_id,period,instrument,quantity_mwh,certificate_id\n"
        "JS,2022-03,gec,40,C-1\n"       # covers 40 of March's 100 MWh
        "JS,2022,green_power_trade,300,C-2\n"  # covers 300 MWh of what is left of the year
        "CQ,2022-03,gec,50,C-3\n"       # another site: must not touch JS
    )
    report = inventory(tmp_path, energy=ELECTRICITY_12, renewable_instruments=instruments)
    # residual: (1,200 - 40 - 300) MWh × 0.5856 t/MWh (national excl. market-traded non-fossil, 2022)
    assert report.results["totals"]["scope2_market"] == pytest.approx(860 * 0.5856)
    assert report.results["totals"]["scope2_location"] == pytest.approx(1200 * 0.5978)
    assert report.results["energy"]["instrument_covered_mwh"] == pytest.approx(340)
    covered = report.lines[report.lines["activity"].str.startswith("electricity.instrument")]
    assert set(covered["site_id"]) == {"JS"}
    march = covered[covered["factor_id"] == "instrument:C-1"]
    assert march["period"].tolist() == ["2022-03"] and march["quantity_std"].sum() == pytest.approx(40)
    assert any(p.code == "instrument-no-grid-electricity" for p in report.problems)  # C-3: CQ has no electricity
    instruments_rec = report.results["reconciliation"]["renewable_instruments"]
    assert instruments_rec["unaccounted"] == 0 and instruments_rec["excluded"] == 1


def test_market_based_never_below_zero_and_surplus_is_reported(tmp_path):
    instruments = "site_id,period,instrument,quantity_mwh,certificate_id\nJS,2022,gec,5000,BIG\n"
    report = inventory(tmp_path, energy=ELECTRICITY_12, renewable_instruments=instruments)
    assert report.results["totals"]["scope2_market"] == pytest.approx(0.0, abs=1e-9)
    market = report.lines[report.lines["scope2_method"] == "market"]
    assert (market["co2e_t"] >= 0).all() and (market["quantity_std"] >= 0).all()
    assert report.results["energy"]["instrument_covered_mwh"] == pytest.approx(1200)
    surplus = [p for p in report.problems if p.code == "instrument-surplus"]
    assert surplus and "3,800" in surplus[0].message()


def test_a_certificate_counts_once(tmp_path):
    # The same certificate listed twice is an ingest error (duplicate-value): it cannot reach calc.
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "renewable_instruments.csv").write_text(
        "site_id,period,instrument,quantity_mwh,certificate_id\nJS,2022,gec,10,X\nJS,2022,gec,10,X\n", encoding="utf-8")
    (folder / "sites.csv").write_text(SITES, encoding="utf-8")
    report = ingest([str(folder)])
    assert [p.code for p in report.problems if p.severity == "error"] == ["duplicate-value"]


def test_onsite_solar_is_zero_and_renewable(tmp_path):
    energy = ("site_id,period,energy_type,quantity,unit\nJS,2022-01,electricity,75,MWh\n"
              "JS,2022-01,onsite_solar,25,MWh\n")
    report = inventory(tmp_path, energy=energy)
    assert report.results["totals"]["scope2_location"] == pytest.approx(75 * 0.5978)
    energy_totals = report.results["energy"]
    assert energy_totals["electricity_mwh"] == pytest.approx(100)
    assert energy_totals["renewable_share"] == pytest.approx(0.25)
    assert energy_totals["traceable_green_electricity_share"] == pytest.approx(0.25)
    # tce (equivalent value): 100,000 kWh × 0.1229 kgce/kWh = 12.29 tce
    assert energy_totals["total_tce"] == pytest.approx(12.29)


def test_steam_in_both_methods(tmp_path):
    report = inventory(tmp_path, energy="site_id,period,energy_type,quantity,unit\nJS,2022-01,steam,100,GJ\n")
    # 100 GJ × 0.11 tCO2/GJ = 11 t, in location- and market-based Scope 2
    assert report.results["totals"]["scope2_location"] == pytest.approx(11.0)
    assert report.results["totals"]["scope2_market"] == pytest.approx(11.0)


def test_equity_share_approach(tmp_path):
    org = ORG_2022 + "consolidation_approach,equity_share\n"
    energy = "site_id,period,energy_type,quantity,unit\nCQ,2022-01,electricity,10,MWh\n"
    report = inventory(tmp_path, organization=org, energy=energy)
    # Chongqing 2022: 0.5227 t/MWh; 60 % equity
    assert report.results["totals"]["scope2_location"] == pytest.approx(10 * 0.5227 * 0.6)
    assert report.lines.iloc[0]["boundary_share"] == 0.6


def test_control_approach_excludes_sites_not_controlled(tmp_path):
    folder_sites = "site_id,province,controlled\nJS,江苏,yes\nCQ,重庆,no\n"
    energy = "site_id,period,energy_type,quantity,unit\nJS,2022-01,electricity,1,MWh\nCQ,2022-01,electricity,1,MWh\n"
    global SITES
    saved, SITES = SITES, folder_sites
    try:
        report = inventory(tmp_path, energy=energy)
    finally:
        SITES = saved
    assert report.results["totals"]["scope2_location"] == pytest.approx(0.5978)
    assert any(p.code == "outside-boundary" for p in report.problems)


PURCHASES = (
    "supplier_id,item_id,category,material,quantity,unit,spend,currency,sector,supplier_pcf,pcf_unit,pcf_verified\n"
    "S1,I1,1,steel,10,t,50000,CNY,,1.5,tCO2e/t,yes\n"     # supplier-specific, verified: 15 t, DQ 1
    "S1,I2,1,steel,10,t,50000,CNY,,,,\n"                  # average data: 10 t × 1.91 = 19.1 t, DQ 3
    "S1,I3,1,,,,645000,CNY,machinery,,,\n"                # spend: 645,000 CNY ÷ 7.12 CNY/USD × 0.21 kg/USD = 19.0239 t
    "S1,I4,2,,,,6450,USD,,,,\n"                           # spend: 6,450 USD × 7.12 CNY/USD × 0.062 kg/CNY
    "S1,I5,1,glass,2000,kg,,,,1.2,kgCO2e/kg,no\n"         # supplier-specific, not verified: 2.4 t, DQ 2
)


def test_purchases_method_hierarchy(tmp_path):
    report = inventory(tmp_path, suppliers="supplier_id\nS1\n", purchases=PURCHASES)
    lines = report.lines.set_index("source_row")
    assert lines.loc[2, "method"] == "supplier-specific" and lines.loc[2, "co2e_t"] == pytest.approx(15.0)
    assert lines.loc[2, "data_quality"] == 1
    assert lines.loc[3, "method"] == "average-data" and lines.loc[3, "co2e_t"] == pytest.approx(19.1)
    # USEEIO v1.2 NAICS 333249 0.21 kgCO2e/USD, per CNY through fx.USD 7.12: 645,000 ÷ 7.12 × 0.21 ÷ 1000
    assert lines.loc[4, "method"] == "spend-based" and lines.loc[4, "co2e_t"] == pytest.approx(645000 / 7.12 * 0.21 / 1000)
    assert lines.loc[4, "co2e_t"] == pytest.approx(19.0239, abs=1e-4)
    assert lines.loc[4, "factor_id"] == "USEEIO12_MACHINERY+FX_USD_CNY_2024"
    assert lines.loc[4, "data_quality"] == 4
    assert lines.loc[5, "category"] == "2" and lines.loc[5, "data_quality"] == 5
    assert lines.loc[5, "co2e_t"] == pytest.approx(6450 * 7.12 * 0.062 / 1000)
    assert lines.loc[6, "co2e_t"] == pytest.approx(2.4) and lines.loc[6, "data_quality"] == 2
    dq = report.results["data_quality"]["cat1_by_method"]
    assert set(dq) == {"supplier-specific", "average-data", "spend-based"}


FX_PURCHASES = (
    "supplier_id,item_id,category,material,quantity,unit,spend,currency,sector,supplier_pcf,pcf_unit,pcf_verified\n"
    "S1,I1,2,,,,10000,EUR,,,,\n"                          # spend in EUR, converted to CNY through fx.EUR
    "S1,I2,1,,,,1000000,CNY,machinery,,,\n"               # spend in CNY, a factor per USD through fx.USD
)


@pytest.mark.parametrize("year, cny_per_eur", [(2024, 7.7875), (2025, 8.1185)])
def test_spend_converts_at_the_exchange_rate_of_the_reporting_year(tmp_path, year, cny_per_eur):
    org = ORG_2022.replace("2022", str(year))
    report = inventory(tmp_path, organization=org, suppliers="supplier_id\nS1\n", purchases=FX_PURCHASES)
    lines = report.lines.set_index("source_row")
    # fx.EUR: ECB reference rates, mean of the daily CNY rates of the year (2024: 256 days → 7.78747; 2025: 255 days
    # → 8.11850 CNY/EUR). 10,000 EUR × 7.7875 = 77,875 CNY (2024) or × 8.1185 = 81,185 CNY (2025),
    # × 0.062 kgCO2e/CNY (EEIO average manufacturing) = 4.82825 t (2024) or 5.03347 t (2025)
    assert lines.loc[2, "co2e_t"] == pytest.approx(10_000 * cny_per_eur * 0.062 / 1000)
    assert lines.loc[2, "co2e_t"] == pytest.approx({2024: 4.82825, 2025: 5.03347}[year])
    assert lines.loc[2, "factor_id"] == f"EEIO_AVERAGE_MANUFACTURING+ECB_FX_EUR_CNY_{year}"
    # fx.USD: the library has 2024 only (7.12, unverified: the 2025 average could not be read), so a 2025 inventory
    # uses it with the year-fallback warning: 1,000,000 CNY ÷ 7.12 CNY/USD × 0.21 kgCO2e/USD = 29.4944 t
    assert lines.loc[3, "co2e_t"] == pytest.approx(1_000_000 / 7.12 * 0.21 / 1000)
    assert lines.loc[3, "factor_id"] == "USEEIO12_MACHINERY+FX_USD_CNY_2024"
    fallbacks = [p.message() for p in report.problems if p.code == "factor-year-fallback"]
    assert not any("fx.EUR" in m for m in fallbacks)  # the EUR rate of the reporting year itself
    assert any("fx.USD" in m for m in fallbacks) == (year == 2025)


def test_transport_waste_travel_commuting(tmp_path):
    report = inventory(
        tmp_path,
        transport=("direction,mode,mass_t,distance_km,tkm\nupstream,road,10,100,\n"
                   "downstream,rail,,,1000\n"),
        waste=("site_id,period,waste_type,treatment,quantity,unit\nJS,2022,paper,landfill,2,t\n"
               "JS,2022,metal_scrap,recycling,1000,kg\n"),
        travel="mode,distance_km,nights\nrail,1000,\nhotel_night,,3\n",
        commuting="site_id,mode,employees,distance_km_per_day,working_days\nJS,bus,10,20,200\n",
    )
    by = report.results["totals"]["scope3_by_category"]
    # DESNZ 2025: HGV 0.10163 and rail freight 0.02779 kgCO2e/tkm; paper landfill 1,164.4894 and recycling
    # 4.68568 kgCO2e/t; national rail 0.03546 kgCO2e/pkm and a China hotel night 53.5 kgCO2e; local bus 0.10385
    assert by["4"] == pytest.approx(1000 * 0.10163 / 1000)     # 10 t × 100 km × 0.10163 kg/tkm
    assert by["9"] == pytest.approx(1000 * 0.02779 / 1000)
    assert by["5"] == pytest.approx((2 * 1164.4894 + 1 * 4.68568) / 1000)  # paper landfill + metal recycling
    assert by["6"] == pytest.approx((1000 * 0.03546 + 3 * 53.5) / 1000)
    assert by["7"] == pytest.approx(10 * 20 * 200 * 0.10385 / 1000)


def test_commuting_working_days_default_from_options(tmp_path):
    report = inventory(tmp_path, CalcOptions(working_days=100),
                       commuting="site_id,mode,employees,distance_km_per_day\nJS,car,1,10\n")
    assert report.results["totals"]["scope3_by_category"]["7"] == pytest.approx(1 * 10 * 100 * 0.16272 / 1000)


def test_use_phase_and_end_of_life(tmp_path):
    sold = ("product_id,units_sold,powertrain,lifetime_km,consumption,consumption_unit,consumption_2,electric_share,vehicle_mass_kg\n"
            "EV,10,bev,100000,15,kWh/100km,,,2000\n"
            "PH,10,phev,100000,20,kWh/100km,5,0.5,1800\n")
    report = inventory(tmp_path, sold_products=sold)
    grid = 0.5366  # national factor of 2022, the vintage of this 2022 inventory, stated on the line
    ev_kwh = 10 * 100000 / 100 * 15
    ph_kwh = 10 * 100000 * 0.5 / 100 * 20
    electricity = (ev_kwh + ph_kwh) / 1000 * grid
    litres = 10 * 100000 * 0.5 / 100 * 5
    gj = litres / 1000 * 0.7475 * 44.80
    petrol = gj / 1000 * (18.9 * 0.98 * 44 / 12 + 33 / 1000 * 27.9 + 3.2 / 1000 * 273)
    assert report.results["totals"]["scope3_by_category"]["11"] == pytest.approx(electricity + petrol, rel=1e-9)
    assert "CN grid 2022" in report.lines[report.lines["activity"] == "use.electricity"]["method"].iloc[0]
    assert report.results["totals"]["scope3_by_category"]["12"] == pytest.approx((10 * 2 + 10 * 1.8) * 4.68568 / 1000)


def test_scope3_status_covers_all_15_categories(tmp_path):
    options = CalcOptions(not_relevant={"14": "No franchises"})
    report = inventory(tmp_path, options, travel="mode,distance_km\nrail,10\n")
    status = report.results["scope3_status"]
    assert list(status) == [str(i) for i in range(1, 16)]
    assert status["6"]["status"] == "calculated"
    assert status["14"] == {"name": "Franchises", "name_zh": "特许经营", "status": "not_relevant", "reason": "No franchises",
                            "reason_zh": "No franchises"}  # one text serves both reports
    assert status["1"]["status"] == "not_calculated" and status["1"]["needs"] == "purchases"
    assert (status["1"]["reason"], status["1"]["reason_zh"]) == ("no data", "无数据")  # a fact, not an instruction
    assert status["10"]["needs"] is None  # zcf has no input table for it


def test_not_relevant_reasons_may_be_given_in_both_languages(tmp_path):
    options = CalcOptions(not_relevant={"8": {"zh": "无上游租赁资产", "en": "No upstream leased assets"}, "13": {"zh": "无"}})
    status = inventory(tmp_path, options).results["scope3_status"]
    assert (status["8"]["reason"], status["8"]["reason_zh"]) == ("No upstream leased assets", "无上游租赁资产")
    assert (status["13"]["reason"], status["13"]["reason_zh"]) == ("无", "无")  # one language stands in for the other


def test_lines_csv_sums_exactly_to_the_totals(tmp_path):
    report = inventory(
        tmp_path, energy=ELECTRICITY_12 + "JS,2022-01,natural_gas,3,万m3\n",
        refrigerants="site_id,period,gas,quantity_kg\nJS,2022,R-32,3\n",
        suppliers="supplier_id\nS1\n", purchases=PURCHASES,
    )
    lines = pd.read_csv(tmp_path / "out" / "lines.csv", dtype={"scope": str, "category": str})
    totals = report.results["totals"]

    def fsum(frame):
        return math.fsum(frame["co2e_t"].tolist())

    assert fsum(lines[lines["scope"] == "1"]) == totals["scope1"]
    assert fsum(lines[(lines["scope"] == "2") & (lines["scope2_method"] == "location")]) == totals["scope2_location"]
    assert fsum(lines[(lines["scope"] == "2") & (lines["scope2_method"] == "market")]) == totals["scope2_market"]
    assert fsum(lines[lines["scope"] == "3"]) == totals["scope3"]
    for category, value in totals["scope3_by_category"].items():
        assert fsum(lines[(lines["scope"] == "3") & (lines["category"] == category)]) == value
    assert lines["line_id"].is_unique and len(lines) == report.results["lines"]["count"]
    required = {"line_id", "scope", "category", "site_id", "product_id", "source_file", "source_sheet", "source_row",
                "activity", "quantity", "unit", "quantity_std", "factor_id", "factor_value", "factor_unit",
                "factor_source", "gwp_basis", "gas", "co2e_t", "method", "data_quality"}
    assert required <= set(lines.columns)


def test_every_factor_used_has_a_source(tmp_path):
    report = inventory(tmp_path, energy=ELECTRICITY_12 + "JS,2022-01,diesel,1,t\n")
    for factor in report.results["factors_used"]:
        assert factor["source"].strip(), factor["factor_id"]


@pytest.mark.parametrize(
    "value, text",
    [(200000, "200,000"), (0.5978, "0.5978"), (1246.2856295, "1,246.29"), (0, "0"), (1.5e7, "1.5e+07"), (12.0, "12")],
)
def test_numbers_in_calculation_texts(value, text):
    from zcf.calc.lines import fmt

    assert fmt(value) == text


def test_lines_csv_is_formula_safe_and_parquet_exact(tmp_path):
    purchases = "supplier_id,item_id,category,quantity,unit,material\n=1+1,@SUM(A1),1,10,t,steel\n"
    inventory(tmp_path, suppliers="supplier_id\n=1+1\n", purchases=purchases)
    csv_lines = pd.read_csv(tmp_path / "out" / "lines.csv", dtype=str)
    assert csv_lines["supplier_id"].iloc[0] == "'=1+1"
    assert not csv_lines.apply(lambda col: col.str.match(r"^[=+@]").fillna(False)).any().any()
    parquet = pd.read_parquet(tmp_path / "out" / "lines.parquet")
    assert parquet["supplier_id"].iloc[0] == "=1+1"
    assert parquet["co2e_t"].iloc[0] == pytest.approx(19.1)  # numbers are untouched
