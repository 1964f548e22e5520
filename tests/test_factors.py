"""The factor library as data: complete, sourced, parseable; and the resolver's precedence."""

import pytest

from zcf.factors import Factor, FactorResolver, library
from zcf.factors import DIMENSIONLESS
from zcf.schema import load_schema
from zcf.units import parse_factor_unit

CONFIDENCE = {"official", "found", "found-secondary", "recalled", "recalled-unverified", "derived", "assumption"}


def test_every_factor_has_a_source_a_confidence_and_a_unit_zcf_reads():
    ids = set()
    for factor in library():
        assert factor.factor_id not in ids, f"duplicate id {factor.factor_id}"
        ids.add(factor.factor_id)
        assert factor.source.strip(), factor.factor_id
        assert factor.confidence in CONFIDENCE, (factor.factor_id, factor.confidence)
        if factor.unit != DIMENSIONLESS and not factor.activity.startswith("fx."):
            parse_factor_unit(factor.unit)


def test_every_gas_of_the_schema_has_a_gwp_in_every_basis():
    gases = [v.value for v in load_schema().enums["gas"].values]
    activities = {f.activity for f in library()}
    for basis in ("AR4", "AR5", "AR6"):
        for gas in gases:
            assert f"gwp.{basis}.{gas}" in activities, (basis, gas)


def test_engine_activities_exist():
    activities = {f.activity for f in library()}
    schema = load_schema()
    for fuel in ("natural_gas", "diesel", "gasoline", "lpg", "fuel_oil", "raw_coal", "coke"):
        for prefix in ("ncv", "carbon_content", "oxidation", "ch4.stationary", "n2o.stationary"):
            assert f"{prefix}.{fuel}" in activities, (prefix, fuel)
    for mode in (v.value for v in schema.enums["transport_mode"].values):
        assert f"freight.{mode}" in activities
    for mode in (v.value for v in schema.enums["travel_mode"].values):
        assert f"travel.{mode}" in activities
    for mode in (v.value for v in schema.enums["commuting_mode"].values):
        assert f"commuting.{mode}" in activities
    for treatment in (v.value for v in schema.enums["waste_treatment"].values):
        assert f"waste.{treatment}" in activities


def test_every_province_has_a_grid_factor_through_its_region():
    resolver = FactorResolver()
    for province in load_schema().provinces:
        regions = [province.code, f"CN-GRID-{province.grid_region.upper()}", "CN"]
        found = resolver.resolve("electricity.grid", regions, 2023)
        assert found is not None and found.factor.region in regions


def _factor(fid, region=None, year=None, value=1.0, origin="library"):
    return Factor(fid, "x", region, year, value, "kgCO2e/kWh", "CO2e", "src", origin=origin)


def test_resolver_precedence():
    lib = (_factor("nat", "CN", 2022), _factor("prov", "CN-JS", 2021), _factor("glob", "GLOBAL", None))
    resolver = FactorResolver([], lib)
    assert resolver.resolve("x", ["CN-JS", "CN"], 2022).factor.factor_id == "prov"  # province first
    assert resolver.resolve("x", ["CN-JS", "CN"], 2022).year_fallback  # ... from an earlier year
    assert resolver.resolve("x", ["CN-ZJ", "CN"], 2022).factor.factor_id == "nat"
    assert resolver.resolve("x", ["US"], 2022).factor.factor_id == "glob"
    later = resolver.resolve("x", ["CN"], 2020)
    assert later.factor.factor_id == "nat" and later.year_fallback


def test_any_matching_user_factor_beats_the_library():
    lib = (_factor("prov", "CN-JS", 2022),)
    user = [_factor("u-any", origin="user"), _factor("u-js", "CN-JS", origin="user"), _factor("u-2021", year=2021, origin="user")]
    resolver = FactorResolver(user, lib)
    assert resolver.resolve("x", ["CN-JS", "CN"], 2022).factor.factor_id == "u-js"  # most specific user factor
    assert resolver.resolve("x", ["CN-ZJ", "CN"], 2022).factor.factor_id == "u-any"
    assert resolver.resolve("x", ["CN-ZJ", "CN"], 2021).factor.factor_id == "u-2021"


@pytest.mark.parametrize("fuel, kind, expected", [("diesel", "mass", 42.652 / 3.6), ("natural_gas", "volume", 389.31 / 3.6 / 1e4)])
def test_fuel_energy_content(fuel, kind, expected):
    from zcf.factors import energy_content

    assert energy_content(FactorResolver(), fuel, kind, ["CN"], 2025).value == pytest.approx(expected)
