"""Use phase (Scope 3 category 11) and end of life (category 12) of sold vehicles.

Every powertrain through the real pipeline (ingest → calc), with the arithmetic written
out from the shipped factors: national grid 2022 0.5366 tCO2/MWh (the vintage policy: these
inventories are of 2022, and every grid use takes that year's factors); gasoline 0.7475 t/m3,
44.80 GJ/t (current MEE table), 18.9 tC/TJ, oxidation 0.98, mobile CH4 33 and N2O 3.2 kg/TJ;
diesel 0.8275 t/m3, 43.33 GJ/t, 20.2 tC/TJ, oxidation 0.98, mobile CH4 3.9 and N2O 3.9 kg/TJ;
AR6 GWPs CH4 27.9, N2O 273; eol.vehicle 4.68568 kgCO2e/t (DESNZ 2025).
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from test_calc import co2e, inventory
from zcf.calc import calculate, load_dataset
from zcf.ingest import ingest, write_dataset

HEADER = "product_id,units_sold,powertrain,lifetime_km,consumption,consumption_unit,consumption_2,electric_share,vehicle_mass_kg\n"
GRID_2022 = 0.5366  # tCO2/MWh, CN national average 2022, MEE & NBS (the reporting year's vintage)


def gasoline_t_co2e(litres: float) -> float:
    """Litres of gasoline → tCO2e (CO2 + CH4 + N2O), as Scope 1 mobile combustion."""
    tj = litres / 1000 * 0.7475 * 44.80 / 1000  # L → m3 → t → GJ → TJ
    return tj * (18.9 * 0.98 * 44 / 12 + 33 / 1000 * 27.9 + 3.2 / 1000 * 273)


def diesel_t_co2e(litres: float) -> float:
    tj = litres / 1000 * 0.8275 * 43.33 / 1000
    return tj * (20.2 * 0.98 * 44 / 12 + 3.9 / 1000 * 27.9 + 3.9 / 1000 * 273)


def cat(report, category: str) -> float:
    return report.results["totals"]["scope3_by_category"][category]


def test_bev(tmp_path):
    report = inventory(tmp_path, sold_products=HEADER + "EV,1000,bev,200000,13.6,kWh/100km,,,1850\n")
    # 1,000 vehicles × 200,000 km × 1 (all electric) ÷ 100 × 13.6 kWh/100km = 27,200,000 kWh = 27,200 MWh
    # 27,200 MWh × 0.5366 tCO2/MWh = 14,595.52 tCO2
    assert cat(report, "11") == pytest.approx(1000 * 200000 / 100 * 13.6 / 1000 * GRID_2022, rel=1e-12)
    assert cat(report, "11") == pytest.approx(14595.52, rel=1e-12)
    line = report.lines[report.lines["category"] == "11"].iloc[0]
    assert line["quantity_std"] == pytest.approx(27200) and line["unit_std"] == "MWh"
    assert line["calculation"].startswith("1,000 vehicles × 200,000 km × 1 electric ÷ 100 × 13.6 kWh/100km = 27,200 MWh")
    # end of life: 1,000 × 1,850 kg = 1,850 t × 4.68568 kgCO2e/t = 8.668508 tCO2e
    assert cat(report, "12") == pytest.approx(8.668508, rel=1e-12)


PHEV_ELECTRIC_MWH = 1000 * 200000 * 0.48 / 100 * 17.8 / 1000  # = 17,088 MWh on electricity
PHEV_LITRES = 1000 * 200000 * (1 - 0.48) / 100 * 5.6  # = 5,824,000 L of gasoline (charge-sustaining)


@pytest.mark.parametrize(
    "row",
    [
        "PH,1000,phev,200000,17.8,kWh/100km,5.6,0.48,1720",  # electricity first
        "PH,1000,phev,200000,5.6,L/100km,17.8,0.48,1720",  # fuel first: consumption_2 is the other one (kWh)
    ],
    ids=["electricity-first", "fuel-first"],
)
def test_phev_in_either_order(tmp_path, row):
    report = inventory(tmp_path, sold_products=HEADER + row + "\n")
    # electricity: 1,000 × 200,000 km × 0.48 ÷ 100 × 17.8 kWh/100km = 17,088 MWh × 0.5366 = 9,169.4208 tCO2
    electricity = PHEV_ELECTRIC_MWH * GRID_2022
    assert electricity == pytest.approx(9169.4208, rel=1e-12)
    # fuel: 1,000 × 200,000 km × 0.52 ÷ 100 × 5.6 L/100km = 5,824,000 L = 5,824 m3 × 0.7475 t/m3 = 4,353.44 t
    #       × 44.80 GJ/t = 195,034.112 GJ = 195.034112 TJ × (18.9 × 0.98 × 44/12 + 0.033 × 27.9 + 0.0032 × 273)
    assert PHEV_LITRES == pytest.approx(5_824_000)
    fuel = gasoline_t_co2e(PHEV_LITRES)
    assert fuel == pytest.approx(195.034112 * (18.9 * 0.98 * 44 / 12 + 0.033 * 27.9 + 0.0032 * 273), rel=1e-9)
    assert co2e(report, activity="use.electricity") == pytest.approx(electricity, rel=1e-12)
    assert co2e(report, activity="use.gasoline") == pytest.approx(fuel, rel=1e-12)
    assert cat(report, "11") == pytest.approx(electricity + fuel, rel=1e-12)
    fuel_line = report.lines[(report.lines["activity"] == "use.gasoline") & (report.lines["gas"] == "CO2")].iloc[0]
    assert "× 0.52 on fuel ÷ 100 × 5.6 L/100km = 5.824e+06 L gasoline" in fuel_line["calculation"]


def test_phev_second_unit_given_explicitly(tmp_path):
    sold = HEADER.replace("\n", ",consumption_2_unit\n") + "PH,1000,phev,200000,5.6,L/100km,17.8,0.48,1720,kWh/100km\n"
    report = inventory(tmp_path, sold_products=sold)
    assert cat(report, "11") == pytest.approx(PHEV_ELECTRIC_MWH * GRID_2022 + gasoline_t_co2e(PHEV_LITRES), rel=1e-12)


def test_ice_diesel_and_gasoline_and_hev(tmp_path):
    sold = HEADER + ("D,100,ice_diesel,150000,6.5,L/100km,,,1600\n"
                     "G,100,ice_gasoline,150000,7,L/100km,,,1400\n"
                     "H,100,hev,150000,4.5,L/100km,,,1500\n")
    report = inventory(tmp_path, sold_products=sold)
    diesel_l = 100 * 150000 / 100 * 6.5  # = 975,000 L → 975 m3 × 0.8275 = 806.8125 t × 43.33 GJ/t
    ice_l = 100 * 150000 / 100 * 7  # = 1,050,000 L
    hev_l = 100 * 150000 / 100 * 4.5  # = 675,000 L (an HEV makes its electricity from its fuel)
    assert co2e(report, activity="use.diesel") == pytest.approx(diesel_t_co2e(diesel_l), rel=1e-12)
    assert diesel_t_co2e(975_000) == pytest.approx(806.8125 * 43.33 / 1000 * (20.2 * 0.98 * 44 / 12 + 0.0039 * (27.9 + 273)))
    assert co2e(report, activity="use.gasoline") == pytest.approx(gasoline_t_co2e(ice_l + hev_l), rel=1e-12)
    assert co2e(report, activity="use.electricity") == 0.0
    assert report.results["reconciliation"]["sold_products"]["calculated"] == 3


def _ingest_problems(tmp_path: Path, sold: str):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "organization.csv").write_text("field,value\ncompany_name,T\nreporting_year,2022\n", encoding="utf-8")
    (folder / "sold_products.csv").write_text(sold, encoding="utf-8")
    return ingest([str(folder)])


@pytest.mark.parametrize(
    "row, code, cell",
    [
        # consumption columns: E consumption, F consumption_unit, G consumption_2, H electric_share; D lifetime_km
        ("EV,1,bev,200000,13.6,L/100km,,,1850", "value-not-allowed-when", "F2"),  # BEV in litres
        ("H,1,hev,200000,5,kWh/100km,,,1500", "value-not-allowed-when", "F2"),  # HEV in kWh
        ("G,1,ice_gasoline,200000,7,kWh/100km,,,1500", "value-not-allowed-when", "F2"),
        ("PH,1,phev,200000,17.8,kWh/100km,,0.48,1720", "required-when", "G2"),  # PHEV without its fuel
        ("PH,1,phev,200000,17.8,kWh/100km,5.6,,1720", "required-when", "H2"),  # PHEV without its electric share
        ("EV,1,bev,,13.6,kWh/100km,,,1850", "required-when", "D2"),  # no lifetime distance
        ("EV,1,bev,200000,,kWh/100km,,,1850", "required-when", "E2"),  # no consumption
        ("EV,1,bev,200000,13.6,,,,1850", "required-when", "F2"),  # no unit
    ],
)
def test_use_phase_inputs_checked_at_ingest(tmp_path, row, code, cell):
    report = _ingest_problems(tmp_path, HEADER + row + "\n")
    errors = [p for p in report.problems if p.severity == "error"]
    assert not report.valid
    assert [(p.code, p.cell) for p in errors] == [(code, cell)]
    en, zh = errors[0].message("en"), errors[0].message("zh")
    assert "powertrain" in en and "动力类型" in zh
    if code == "value-not-allowed-when":
        assert "use kWh/100km" in en or "use L/100km" in en


def test_phev_second_unit_must_be_the_other_one(tmp_path):
    sold = HEADER.replace("\n", ",consumption_2_unit\n") + "PH,1,phev,200000,17.8,kWh/100km,5.6,0.48,1720,kWh/100km\n"
    errors = [p for p in _ingest_problems(tmp_path, sold).problems if p.severity == "error"]
    assert [(p.code, p.cell) for p in errors] == [("value-not-allowed-when", "J2")]
    assert "use L/100km" in errors[0].message("en")
    assert "动力类型为插电混动且能耗单位为千瓦时/百公里" in errors[0].message("zh")


def test_values_a_powertrain_does_not_use_are_a_warning(tmp_path):
    report = _ingest_problems(tmp_path, HEADER + "EV,1,bev,200000,13.6,kWh/100km,5,0.5,1850\n")
    assert report.valid
    warnings = [(p.code, p.cell) for p in report.problems if p.code == "value-not-used-when"]
    assert warnings == [("value-not-used-when", "G2"), ("value-not-used-when", "H2")]


def test_no_vehicle_mass_is_a_partial_exclusion(tmp_path):
    report = inventory(tmp_path, sold_products=HEADER + "EV,1000,bev,200000,13.6,kWh/100km,,,\n")
    assert cat(report, "11") == pytest.approx(14595.52, rel=1e-12)  # use phase still calculated (27,200 MWh × 0.5366)
    assert cat(report, "12") == 0.0
    reconciliation = report.results["reconciliation"]["sold_products"]
    assert (reconciliation["calculated"], reconciliation["partial"], reconciliation["unaccounted"]) == (1, 1, 0)
    assert [r["code"] for r in reconciliation["reasons"]] == ["no-vehicle-mass"]
    assert any(p.code == "no-vehicle-mass" and p.cell == "I2" for p in report.problems)


def test_calc_excludes_what_it_cannot_calculate_even_past_ingest(tmp_path):
    """A dataset that skipped the ingest rules (a PHEV without fuel, a BEV without distance) keeps its ledger whole."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "organization.csv").write_text("field,value\ncompany_name,T\nreporting_year,2022\n", encoding="utf-8")
    (folder / "sold_products.csv").write_text(HEADER + "PH,1000,phev,200000,17.8,kWh/100km,5.6,0.48,1720\n"
                                              "EV,10,bev,200000,13.6,kWh/100km,,,1850\n", encoding="utf-8")
    write_dataset(ingest([str(folder)]), tmp_path / "out")
    manifest, tables = load_dataset(tmp_path / "out")
    tables["sold_products"].loc[0, "consumption_2"] = math.nan
    tables["sold_products"].loc[1, "lifetime_km"] = math.nan
    report = calculate(manifest, tables)
    assert co2e(report, activity="use.electricity") == pytest.approx(PHEV_ELECTRIC_MWH * GRID_2022, rel=1e-12)
    assert co2e(report, activity="use.gasoline") == 0.0
    reconciliation = report.results["reconciliation"]["sold_products"]
    assert [(r["code"], r["rows"]) for r in reconciliation["reasons"]] == [("use-phase-not-calculated", 1)] * 2
    assert reconciliation["partial"] == 2  # the PHEV's electricity and the BEV's end of life are calculated
    messages = [p.message("en") for p in report.problems if p.code == "use-phase-not-calculated"]
    assert any("fuel consumption (L/100km) is empty" in m for m in messages)
    assert any("lifetime_km is empty" in m for m in messages)
    assert reconciliation["unaccounted"] == 0


@pytest.mark.parametrize(
    "condition, message",
    [
        ({"when": {"powertrain": ["bev"]}, "required": ["mileage"]}, "unknown columns"),
        ({"when": {"lifetime_km": ["1"]}}, "only enum columns"),
        ({"when": {"powertrain": ["fcev"]}}, "not values of enum"),
        ({"when": {"powertrain": ["bev"]}, "allowed": {"consumption_unit": ["kg/100km"]}}, "not values of enum"),
    ],
)
def test_conditions_are_checked_when_the_schema_loads(condition, message):
    from zcf.schema import ConditionSpec, _check_condition, load_schema

    schema = load_schema()
    bad = ConditionSpec(**condition, because_en="x", because_zh="x")
    with pytest.raises(ValueError, match=message):
        _check_condition(schema, schema.table("sold_products"), bad)
