"""Factor policy (issue 10): grid vintage, T&D losses, category 3b, hazardous-waste CO2, gas volumes, certificate
validity, factor-library versions and the share of each total on weak factors.

Every figure is computed by hand in the test from the shipped values it quotes:
MEE/NBS grid factors (kgCO2/kWh) — national 2022 0.5366 and 2023 0.5306, excluding market-traded non-fossil
2022 0.5856 and 2023 0.6096, East China grid 2023 0.5500, Jiangsu 2022 0.5978; CEC line-loss rate 2023 0.0454
(unverified); natural gas 389.31 GJ per 10^4 Nm3, 15.3 tC/TJ, oxidation 0.99; hazardous waste 0.45 tC/t (IPCC
2006 defaults, unverified) and DESNZ 2025 incineration 4.68568 kgCO2e/t.
"""

from __future__ import annotations

import json
import math

import pytest

from conftest import invoke
from test_calc import ORG_2022, co2e, inventory
from zcf.calc.context import CalcOptions
from zcf.factors.policy import FactorPolicy

ORG_2025 = ORG_2022.replace("2022", "2025")
JS_MWH = "site_id,period,energy_type,quantity,unit\nJS,{year}-01,electricity,1000,MWh\n"


def policy(**kw) -> CalcOptions:
    return CalcOptions(factors=FactorPolicy(**kw))


# --- vintage: one year for location-based Scope 2, the residual factor and category 11 -------------------

SOLD_BEV = ("product_id,units_sold,powertrain,lifetime_km,consumption,consumption_unit,consumption_2,electric_share,"
            "vehicle_mass_kg,market\nEV,10,bev,100000,10,kWh/100km,,,,CN\n")  # 10 × 100,000 km × 0.1 kWh = 100 MWh


def _uses(report) -> dict[str, tuple[str, int]]:
    return {u["use"]: (u["factor_id"], u["year"]) for u in report.results["grid_vintage"]["uses"]}


def test_latest_vintage_is_the_same_year_for_the_three_uses(tmp_path):
    report = inventory(tmp_path, organization=ORG_2025, energy=JS_MWH.format(year=2025), sold_products=SOLD_BEV)
    uses = _uses(report)
    # 2023 is the latest year every use has; Jiangsu has no 2023 factor, so its grid region's is used.
    assert uses == {"scope2_location": ("CN_GRID_REG_EAST_2023", 2023), "scope2_residual": ("CN_GRID_EXMKT_2023", 2023),
                    "category11": ("CN_GRID_AVG_2023", 2023)}
    assert report.results["grid_vintage"]["year"] == 2023 and report.results["grid_vintage"]["policy"] == "latest"
    totals = report.results["totals"]
    assert totals["scope2_location"] == pytest.approx(1000 * 0.55)  # 1,000 MWh × 0.5500 = 550 t
    assert totals["scope2_market"] == pytest.approx(1000 * 0.6096)  # no instrument: residual 609.6 t
    assert totals["scope3_by_category"]["11"] == pytest.approx(100 * 0.5306)  # 100 MWh × 0.5306 = 53.06 t
    # T&D losses use the same (location) factor: 1,000 MWh × 0.0454 × 0.55 = 24.97 t
    assert co2e(report, activity="electricity.td_losses") == pytest.approx(1000 * 0.0454 * 0.55)


def test_a_vintage_year_applies_to_every_use(tmp_path):
    report = inventory(tmp_path, policy(vintage=2022), organization=ORG_2025, energy=JS_MWH.format(year=2025),
                       sold_products=SOLD_BEV)
    # 2022: Jiangsu's own factor exists for that year, and the 2022 residual and national factors.
    assert _uses(report) == {"scope2_location": ("CN_GRID_PROV_JS_2022", 2022),
                             "scope2_residual": ("CN_GRID_EXMKT_2022", 2022), "category11": ("CN_GRID_AVG_2022", 2022)}
    totals = report.results["totals"]
    assert totals["scope2_location"] == pytest.approx(1000 * 0.5978)
    assert totals["scope2_market"] == pytest.approx(1000 * 0.5856)
    assert totals["scope3_by_category"]["11"] == pytest.approx(100 * 0.5366)


def test_same_year_excludes_what_has_no_factor_of_the_reporting_year(tmp_path):
    report = inventory(tmp_path, policy(vintage="same-year"), organization=ORG_2025, energy=JS_MWH.format(year=2025))
    assert report.results["totals"]["scope2_location"] == 0
    missing = [p for p in report.problems if p.code == "grid-vintage-missing"]
    assert missing and "2025" in missing[0].message() and "2025" in missing[0].message("zh")
    assert report.results["reconciliation"]["energy"]["excluded"] == 1


def test_the_users_grid_factor_beats_the_policy(tmp_path):
    factors = "activity,value,unit,region,year,source\nelectricity.grid,0.5,kgCO2/kWh,CN-JS,2025,Provincial notice\n"
    report = inventory(tmp_path, organization=ORG_2025, energy=JS_MWH.format(year=2025), factors=factors)
    location = report.lines[report.lines["scope2_method"] == "location"].iloc[0]
    assert location["factor_id"].startswith("user:") and location["co2e_t"] == pytest.approx(500.0)


# --- T&D losses: two formulas ---------------------------------------------------------------------------------

def test_td_losses_ghgp_example_3_1(tmp_path):
    report = inventory(tmp_path, energy=JS_MWH.format(year=2022))
    # GHG Protocol Scope 3 Technical Guidance, Example 3.1: consumption × loss rate × generation factor
    # 1,000 MWh × 0.0454 = 45.4 MWh lost × 0.5978 t/MWh (Jiangsu 2022) = 27.14012 t
    assert co2e(report, activity="electricity.td_losses") == pytest.approx(27.14012, rel=1e-12)
    line = report.lines[report.lines["activity"] == "electricity.td_losses"].iloc[0]
    assert line["calculation"] == "1,000 MWh × 0.0454 lost = 45.4 MWh × 0.5978 tCO2/MWh (CN_GRID_PROV_JS_2022) = 27.1401 tCO2"
    parts = report.results["scope3_status"]["3"]["parts"]["3c"]
    assert parts["method"] == "ghgp" and "Example 3.1" in parts["formula"] and "供电量" in parts["loss_rate_definition"]


def test_td_losses_supply_based(tmp_path):
    report = inventory(tmp_path, policy(td_losses="supply-based"), energy=JS_MWH.format(year=2022))
    # the CEC rate is losses ÷ electricity supplied: lost per MWh consumed = L ÷ (1 − L) = 0.0454 ÷ 0.9546
    # 1,000 MWh × 0.0454 ÷ 0.9546 = 47.5592 MWh × 0.5978 = 28.43088 t (4.76 % more than 27.14012)
    lost = 1000 * 0.0454 / (1 - 0.0454)
    assert lost == pytest.approx(47.559187, rel=1e-6)
    assert co2e(report, activity="electricity.td_losses") == pytest.approx(lost * 0.5978, rel=1e-12)
    assert co2e(report, activity="electricity.td_losses") == pytest.approx(28.43088, abs=1e-5)
    assert "÷ (1 − 0.0454)" in report.lines[report.lines["activity"] == "electricity.td_losses"].iloc[0]["calculation"]
    assert report.results["factor_policy"]["td_losses"]["method"] == "supply-based"


# --- category 3b ------------------------------------------------------------------------------------------------

def test_category_3b_line_with_an_upstream_factor(tmp_path):
    factors = "activity,value,unit,region,source\nelectricity.upstream,0.08,kgCO2e/kWh,CN,Supplier upstream study\n"
    report = inventory(tmp_path, energy=JS_MWH.format(year=2022), factors=factors)
    # 1,000 MWh consumed × 0.08 tCO2e/MWh = 80 t
    assert co2e(report, activity="electricity.upstream") == pytest.approx(80.0)
    line = report.lines[report.lines["activity"] == "electricity.upstream"].iloc[0]
    assert line["category"] == "3" and line["method"] == "average-data (upstream of purchased electricity)"
    assert report.results["scope3_status"]["3"]["parts"]["3b"]["status"] == "calculated"
    assert not any(p.code == "cat3b-not-calculated" for p in report.problems)


def test_category_3b_not_calculated_says_why(tmp_path):
    report = inventory(tmp_path, energy=JS_MWH.format(year=2022))
    part = report.results["scope3_status"]["3"]["parts"]["3b"]
    assert part["status"] == "not_calculated" and "0.6205" in part["reason"]  # the fact, for the disclosure
    warning = next(p for p in report.problems if p.code == "cat3b-not-calculated")
    assert "electricity.upstream" in warning.message()  # what to do, for the to-do list
    assert report.results["scope3_status"]["3"]["parts"]["3d"]["status"] == "not_applicable"


# --- hazardous waste ----------------------------------------------------------------------------------------------

def test_hazardous_waste_incineration_has_fossil_co2(tmp_path):
    waste = "site_id,period,waste_type,treatment,quantity,unit\nJS,2022,hazardous,incineration,100,t\n"
    report = inventory(tmp_path, waste=waste)
    # transport to the plant (DESNZ 2025): 100 t × 4.68568 kgCO2e/t = 0.468568 t
    # fossil CO2 (IPCC 2006): 100 t × 0.45 tC/t × 1.0 oxidised × 44/12 = 165 t
    fossil = 100 * 0.45 * 1.0 * 44 / 12
    assert fossil == pytest.approx(165.0)
    assert co2e(report, activity="waste_fossil_carbon.hazardous") == pytest.approx(fossil, rel=1e-12)
    assert co2e(report, activity="waste.incineration") == pytest.approx(0.468568, rel=1e-12)
    assert report.results["totals"]["scope3_by_category"]["5"] == pytest.approx(fossil + 0.468568)
    line = report.lines[report.lines["activity"] == "waste_fossil_carbon.hazardous"].iloc[0]
    assert line["gas"] == "CO2" and "× 44/12 = 165 tCO2" in line["calculation"]


def test_general_waste_incineration_has_no_fossil_line_without_a_factor(tmp_path):
    waste = "site_id,period,waste_type,treatment,quantity,unit\nJS,2022,general,incineration,100,t\n"
    report = inventory(tmp_path, waste=waste)
    assert report.results["totals"]["scope3_by_category"]["5"] == pytest.approx(0.468568)


# --- gas volumes -------------------------------------------------------------------------------------------------

GAS = "site_id,period,energy_type,quantity,unit\nJS,2022-01,natural_gas,1,万m3\n"
GAS_CO2_PER_NM3 = 389.31 / 1e4 / 1000 * 15.3 * 0.99 * 44 / 12  # tCO2 per Nm3 = 0.00216219


def test_unstated_gas_volume_is_taken_as_normal_and_warned(tmp_path):
    report = inventory(tmp_path, energy=GAS)
    assert co2e(report, gas="CO2", scope="1") == pytest.approx(1e4 * GAS_CO2_PER_NM3, rel=1e-12)  # 21.6219 t
    assert any(p.code == "gas-volume-unstated" for p in report.problems)
    assert report.results["factor_policy"]["gas_volume"]["setting"] == "unstated"
    # every factor behind the CO2 line is named, the NCV first: so the weak-factor share counts it too
    line = report.lines[(report.lines["gas"] == "CO2") & (report.lines["scope"] == "1")].iloc[0]
    assert line["factor_id"] == "CNMEE_NCV_NATURAL_GAS+CN_CC_NATURAL_GAS+CNMEE_OF_NATURAL_GAS"
    assert report.results["factor_quality"]["scope1"]["weak_share"] == pytest.approx(1.0)  # the NCV is unverified


def test_gas_at_20c_is_converted_to_normal_cubic_metres(tmp_path):
    report = inventory(tmp_path, policy(gas_volume="20C"), energy=GAS)
    # 10,000 m3 at 20 °C × 273.15 K ÷ 293.15 K = 9,317.755 Nm3 × 0.00216219 tCO2/Nm3 = 20.1470 t
    normal = 1e4 * 273.15 / 293.15
    assert normal == pytest.approx(9317.755, abs=1e-3)
    assert co2e(report, gas="CO2", scope="1") == pytest.approx(normal * GAS_CO2_PER_NM3, rel=1e-9)
    assert report.results["energy"]["total_mwh"] == pytest.approx(normal * 389.31 / 1e4 / 3.6, rel=1e-9)
    assert any(p.code == "gas-volume-20c" for p in report.problems)
    assert not any(p.code == "gas-volume-unstated" for p in report.problems)


def test_nm3_in_the_unit_needs_no_statement(tmp_path):
    report = inventory(tmp_path, policy(gas_volume="20C"), energy=GAS.replace("万m3", "万Nm3"))
    assert co2e(report, gas="CO2", scope="1") == pytest.approx(1e4 * GAS_CO2_PER_NM3, rel=1e-12)  # not converted
    assert not any(p.code.startswith("gas-volume") for p in report.problems)


# --- certificates against their vintage -----------------------------------------------------------------------

ENERGY_2025 = "site_id,period,energy_type,quantity,unit\nJS,2025,electricity,100,MWh\n"
CERTS = "site_id,period,instrument,quantity_mwh,certificate_id,vintage_year\n"


@pytest.mark.parametrize("vintage, applied, code", [
    (2025, True, None),
    (2024, True, None),  # valid 24 months from its production month: certainly through 2025
    (2023, True, None),  # produced before 2024: valid until the end of 2025 (NEA 2024 rules)
    (2026, False, "instrument-vintage-future"),
])
def test_certificate_vintages_for_2025(tmp_path, vintage, applied, code):
    report = inventory(tmp_path, organization=ORG_2025, energy=ENERGY_2025,
                       renewable_instruments=CERTS + f"JS,2025,gec,40,C1,{vintage}\n")
    # residual 2023 0.6096 t/MWh on what no certificate covers: 60 MWh (or 100 MWh when the certificate is refused)
    covered = 40 if applied else 0
    assert report.results["totals"]["scope2_market"] == pytest.approx((100 - covered) * 0.6096)
    codes = {p.code for p in report.problems}
    assert (code in codes) if code else not (codes & {"instrument-expired", "instrument-vintage-future"})


def test_expired_certificate_two_years_before(tmp_path):
    org = ORG_2022.replace("2022", "2027")
    energy = ENERGY_2025.replace("2025", "2027")
    report = inventory(tmp_path, organization=org, energy=energy,
                       renewable_instruments=CERTS + "JS,2027,gec,40,C1,2025\n")
    # a 2025 certificate is certainly valid through 2026 only: refused for 2027 consumption, 100 MWh on the residual
    expired = next(p for p in report.problems if p.code == "instrument-expired")
    assert "2025" in expired.message() and "2026-12" in expired.message() and "有效期" in expired.message("zh")
    assert report.results["reconciliation"]["renewable_instruments"]["excluded"] == 1


def test_same_year_rule_refuses_an_older_vintage(tmp_path):
    report = inventory(tmp_path, policy(certificates="same-year"), organization=ORG_2025, energy=ENERGY_2025,
                       renewable_instruments=CERTS + "JS,2025,gec,40,C1,2024\n")
    assert report.results["totals"]["scope2_market"] == pytest.approx(100 * 0.6096)
    assert any(p.code == "instrument-expired" for p in report.problems)


def test_certificate_without_vintage_is_applied_with_a_warning(tmp_path):
    report = inventory(tmp_path, organization=ORG_2025, energy=ENERGY_2025,
                       renewable_instruments=CERTS + "JS,2025,gec,40,C1,\n")
    assert report.results["totals"]["scope2_market"] == pytest.approx(60 * 0.6096)
    assert any(p.code == "instrument-vintage-unknown" for p in report.problems)


def test_expired_and_future_certificates_through_the_cli(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "organization.csv").write_text(ORG_2025, encoding="utf-8")
    (folder / "sites.csv").write_text("site_id,province\nJS,江苏\n", encoding="utf-8")
    (folder / "energy.csv").write_text(ENERGY_2025, encoding="utf-8")
    (folder / "renewable_instruments.csv").write_text(
        CERTS + "JS,2025,gec,10,OK-2025,2025\nJS,2025,gec,20,OLD-2018,2018\nJS,2025,gec,30,NEW-2026,2026\n",
        encoding="utf-8")
    out = tmp_path / "out"
    result = invoke(["run", folder, "-o", out, "--format", "xlsx"])
    assert result.exit_code in (0, 1), result.stdout + result.stderr
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    # 2025: applied; 2018: electricity produced before 2024 is valid until the end of 2025 (NEA 2024 rules), applied;
    # 2026: generated after the consumption, refused. Residual 2023 on 100 − 10 − 20 = 70 MWh × 0.6096 = 42.672 t
    assert results["totals"]["scope2_market"] == pytest.approx((100 - 10 - 20) * 0.6096)
    codes = [p["code"] for p in results["problems"]]
    assert "instrument-vintage-future" in codes
    reasons = results["reconciliation"]["renewable_instruments"]["reasons"]
    assert [r["code"] for r in reasons] == ["instrument-vintage-future"]
    assert results["scope2_market_basis"]["certificate_rule"]["name"] == "cn-gec-2024"
    assert "国能发新能规〔2024〕67号" in results["scope2_market_basis"]["certificate_rule"]["document"]


def test_a_2018_certificate_is_refused_for_2026_consumption_through_the_cli(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "organization.csv").write_text(ORG_2022.replace("2022", "2026"), encoding="utf-8")
    (folder / "sites.csv").write_text("site_id,province\nJS,江苏\n", encoding="utf-8")
    (folder / "energy.csv").write_text(ENERGY_2025.replace("2025", "2026"), encoding="utf-8")
    (folder / "renewable_instruments.csv").write_text(CERTS + "JS,2026,gec,20,OLD-2018,2018\n", encoding="utf-8")
    out = tmp_path / "out"
    result = invoke(["run", folder, "-o", out, "--format", "xlsx"])
    assert result.exit_code in (0, 1), result.stdout + result.stderr
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    expired = [p for p in results["problems"] if p["code"] == "instrument-expired"]
    assert expired and "2025-12" in expired[0]["message"] and "2025-12" in expired[0]["message_zh"]
    assert results["totals"]["scope2_market"] == pytest.approx(100 * 0.6096)  # nothing covered


# --- factor-library versions and sets ------------------------------------------------------------------------

def test_results_record_the_library_version_and_sets(tmp_path):
    from zcf.factors import LIBRARY_VERSION

    report = inventory(tmp_path, energy=GAS)
    assert report.results["factor_library_version"] == LIBRARY_VERSION == "2026.11.2"
    library = report.results["factor_library"]
    assert library["version"] == LIBRARY_VERSION and [s["name"] for s in library["sets"]] == ["cn-fuels-mee"]
    assert "44.80" in library["sets"][0]["edition"]


def test_the_older_fuel_table_as_a_named_set(tmp_path):
    energy = "site_id,period,energy_type,quantity,unit\nJS,2022-01,diesel,1,t\n"
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    current = inventory(tmp_path / "a", energy=energy)
    older = inventory(tmp_path / "b", policy(sets=("cn-fuels-ndrc-2015",)), energy=energy)
    # 1 t × NCV × 20.2 tC/TJ × 0.98 × 44/12: 43.33 GJ/t (current table) or 42.652 GJ/t (2013–2015 table)
    per_gj = 20.2 / 1000 * 0.98 * 44 / 12
    assert co2e(current, gas="CO2") == pytest.approx(43.33 * per_gj, rel=1e-12)
    assert co2e(older, gas="CO2") == pytest.approx(42.652 * per_gj, rel=1e-12)
    assert older.results["factor_library"]["sets"][0]["name"] == "cn-fuels-ndrc-2015"


def test_an_earlier_library_version_reproduces_its_values(tmp_path):
    waste = "site_id,period,waste_type,treatment,quantity,unit\nJS,2022,metal_scrap,recycling,10,t\n"
    report = inventory(tmp_path, policy(library="2026.11"), waste=waste)
    # library 2026.11: DESNZ2024_WASTE_RECYCLING 21.3 kgCO2e/t → 10 t × 21.3 = 0.213 t
    assert report.results["factor_library_version"] == "2026.11"
    assert co2e(report, activity="waste.recycling") == pytest.approx(0.213)
    assert report.lines.iloc[0]["factor_id"] == "DESNZ2024_WASTE_RECYCLING"


def test_every_value_difference_between_versions_is_in_the_changelog():
    """Each factor added, removed, replaced or changed in a value field has a changelog row with reason and source."""
    from zcf.factors.packs import changelog, diff, version_ids

    ids = version_ids()
    logged = {(c.version, c.factor_id) for c in changelog()}
    for newer, older in zip(ids, ids[1:]):
        for row in diff(older, newer):
            assert (newer, row.factor_id) in logged, (newer, row.change, row.factor_id)
            assert row.reason and row.source, row.factor_id
    for change in changelog():
        assert change.version in ids and change.change in ("added", "removed", "replaced", "changed")


def test_factors_diff_cli(tmp_path):
    result = invoke(["factors", "diff", "2026.11", "2026.11.1", "--json"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    rows = {r["factor_id"]: r for r in report["changes"]}
    hgv = rows["DESNZ2025_FREIGHT_HGV"]
    assert hgv["change"] == "replaced" and hgv["replaces"] == "DESNZ2024_FREIGHT_HGV"
    assert hgv["fields"]["value"] == {"old": "0.09752", "new": "0.10163"} and "2025" in hgv["reason"]
    assert rows["CN_NCV_GASOLINE"]["fields"]["set"] == {"old": "", "new": "cn-fuels-ndrc-2015"}
    assert rows["CNMEE_NCV_GASOLINE"]["change"] == "added"
    assert report["counts"]["replaced"] >= 30
    text = invoke(["factors", "diff"])  # default: the previous version → the current one
    assert text.exit_code == 0 and "2026.11.1 → 2026.11.2" in text.stdout
    assert invoke(["factors", "diff", "1999.1"]).exit_code == 2


def test_factors_diff_2026_11_2_replaces_the_recalled_euro_rate():
    result = invoke(["factors", "diff", "2026.11.1", "2026.11.2", "--json", "--citations"])
    assert result.exit_code == 0, result.stderr
    rows = {r["factor_id"]: r for r in json.loads(result.stdout)["changes"]}
    euro = rows["ECB_FX_EUR_CNY_2024"]
    assert euro["change"] == "replaced" and euro["replaces"] == "FX_EUR_CNY_2024"
    assert euro["fields"]["value"] == {"old": "7.7", "new": "7.7875"}
    assert euro["fields"]["confidence"] == {"old": "unverified", "new": "derived"} and "ECB" in euro["source"]
    assert rows["ECB_FX_EUR_CNY_2025"]["change"] == "added"
    assert rows["ECB_FX_EUR_CNY_2025"]["fields"]["value"] == {"old": "", "new": "8.1185"}
    # nothing else changed a value: the MEE fuel table, fx.USD and the IPCC road rows only gained notes
    assert {r["factor_id"] for r in json.loads(invoke(["factors", "diff", "2026.11.1", "2026.11.2", "--json"])
                                                .stdout)["changes"]} == {"ECB_FX_EUR_CNY_2024", "ECB_FX_EUR_CNY_2025"}


def test_factors_list_by_confidence_and_set():
    weak = json.loads(invoke(["factors", "list", "--confidence", "weak", "--json"]).stdout)
    assert weak and {f["confidence"] for f in weak} <= {"unverified", "assumption"}
    unverified = json.loads(invoke(["factors", "list", "--confidence", "unverified", "--json"]).stdout)
    assert {f["confidence"] for f in unverified} == {"unverified"}
    older = json.loads(invoke(["factors", "list", "--set", "cn-fuels-ndrc-2015", "--json"]).stdout)
    assert {f["set"] for f in older} == {"cn-fuels-ndrc-2015"} and any(f["value"] == 43.07 for f in older)
    old_library = json.loads(invoke(["factors", "list", "--library-version", "2026.11", "--activity", "spend.machinery",
                                     "--json"]).stdout)
    assert [f["factor_id"] for f in old_library] == ["EEIO_MACHINERY"]
    assert invoke(["factors", "list", "--confidence", "nope"]).exit_code == 2
    edition = json.loads(invoke(["factors", "show", "CNMEE_NCV_GASOLINE", "--json"]).stdout)[0]
    assert edition["set"] == "cn-fuels-mee" and edition["set_default"] and "44.80" in edition["set_edition"]
    shown = json.loads(invoke(["factors", "show", "DESNZ2024_FREIGHT_HGV", "--json"]).stdout)[0]
    assert shown["library_version"] == "2026.11" and shown["value"] == 0.09752  # an id of an earlier version


def test_zcf_toml_factors_section_is_checked(tmp_path):
    from zcf.config import load_config
    from zcf.errors import ZcfError

    good = tmp_path / "good.toml"
    good.write_text('[factors]\nvintage = 2022\ntd_losses = "supply-based"\ngas_volume = "20C"\n'
                    'sets = ["cn-fuels-ndrc-2015"]\nlibrary = "2026.11"\ncertificates = "same-year"\n', encoding="utf-8")
    chosen = load_config(good, tmp_path).factors.policy()
    assert (chosen.vintage, chosen.td_losses, chosen.gas_volume, chosen.library, chosen.certificates) == (
        2022, "supply-based", "20C", "2026.11", "same-year")
    for line in ('vintage = "newest"', 'sets = ["nope"]', 'library = "1999.1"', 'certificates = "nope"',
                 'td_losses = "x"'):
        bad = tmp_path / "bad.toml"
        bad.write_text(f"[factors]\n{line}\n", encoding="utf-8")
        with pytest.raises(ZcfError):
            load_config(bad, tmp_path)


# --- provenance-weighted quality ---------------------------------------------------------------------------

def test_share_of_the_total_on_weak_factors(tmp_path):
    energy = "site_id,period,energy_type,quantity,unit\nJS,2022-01,electricity,1000,MWh\n"
    report = inventory(tmp_path, energy=energy)
    quality = report.results["factor_quality"]["total_market"]
    # secondary: location 597.8 t is not in the market total; market 1,000 × 0.5856 = 585.6 t (residual 2022)
    # weak: T&D losses on the unverified CEC loss rate, 1,000 × 0.0454 × 0.5978 = 27.14012 t
    assert quality["tco2e"] == pytest.approx(585.6 + 27.14012)
    assert quality["weak_tco2e"] == pytest.approx(27.14012)
    assert quality["weak_share"] == pytest.approx(27.14012 / (585.6 + 27.14012))
    assert quality["by_confidence"]["unverified"] == pytest.approx(27.14012)
    assert report.results["factor_quality"]["largest_weak_factors"][0]["factor_id"] == \
        "CN_GRID_LOSS_RATE_2023+CN_GRID_PROV_JS_2022"


def test_data_quality_rule_warns_above_the_threshold(tmp_path):
    from zcf.checks import load_inputs, run_checks, selected_packs

    energy = "site_id,period,energy_type,quantity,unit\nJS,2022-01,electricity,1000,MWh\n"
    inventory(tmp_path, energy=energy)  # 27.14 ÷ 612.74 = 4.43 % on weak factors
    results, tables, lines = load_inputs(tmp_path / "out")
    packs = selected_packs({}, ["data-quality"])
    passed = {r["rule_id"]: r for r in run_checks(results, tables, lines, packs, {}, "error").results}
    assert passed["DQ-11"]["status"] == "pass"
    strict = {"data-quality": {"max_weak_factor_share": 0.01}}
    failed = {r["rule_id"]: r for r in run_checks(results, tables, lines, packs, strict, "error").results}
    assert failed["DQ-11"]["status"] == "warn" and "4.4%" in failed["DQ-11"]["message"]["en"]
    assert math.isclose(failed["DQ-11"]["measured"], 27.14012 / 612.74012, rel_tol=1e-9)
