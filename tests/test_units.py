"""Units through pint, with Chinese and colloquial names; conversions against hand-computed values."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zcf.units import UnitError, convert, parse_factor_unit, parse_unit


@pytest.mark.parametrize(
    "text, kind, canonical, factor",
    [
        ("kWh", "energy", "MWh", 0.001),
        ("KWH", "energy", "MWh", 0.001),
        ("千瓦时", "energy", "MWh", 0.001),
        ("度", "energy", "MWh", 0.001),
        ("万千瓦时", "energy", "MWh", 10.0),  # 10,000 kWh = 10 MWh
        ("万kWh", "energy", "MWh", 10.0),
        ("MWh", "energy", "MWh", 1.0),
        ("GWh", "energy", "MWh", 1000.0),
        ("GJ", "energy", "MWh", 1 / 3.6),  # 1 MWh = 3.6 GJ
        ("吉焦", "energy", "MWh", 1 / 3.6),
        ("TJ", "energy", "MWh", 1000 / 3.6),
        ("tce", "energy", "MWh", 29.307 / 3.6),  # GB/T 2589: 1 kgce = 29 307 kJ
        ("m3", "volume", "m3", 1.0),
        ("m³", "volume", "m3", 1.0),
        ("立方米", "volume", "m3", 1.0),
        ("Nm3", "volume", "m3", 1.0),
        ("万m3", "volume", "m3", 10_000.0),
        ("万立方米", "volume", "m3", 10_000.0),
        ("L", "volume", "m3", 0.001),
        ("升", "volume", "m3", 0.001),
        ("t", "mass", "t", 1.0),
        ("吨", "mass", "t", 1.0),
        ("ton", "mass", "t", 1.0),  # metric tonne in Chinese usage, not pint's short ton
        ("kg", "mass", "t", 0.001),
        ("公斤", "mass", "t", 0.001),
        ("tkm", "freight", "tkm", 1.0),
        ("吨公里", "freight", "tkm", 1.0),
        ("辆", "count", "piece", 1.0),
        ("件", "count", "piece", 1.0),
        ("ｋＷｈ", "energy", "MWh", 0.001),  # full-width letters
    ],
)
def test_parse_unit(text, kind, canonical, factor):
    unit = parse_unit(text)
    assert (unit.kind, unit.canonical) == (kind, canonical)
    assert math.isclose(unit.to_canonical, factor, rel_tol=1e-12)


@pytest.mark.parametrize("text", ["kwhh", "12O5", "", "2", "m/s", "abc", "1/0", "kWh kWh kWh ("])
def test_unknown_units_raise(text):
    with pytest.raises(UnitError):
        parse_unit(text)


def test_unknown_unit_suggestions():
    with pytest.raises(UnitError) as info:
        parse_unit("kwhh")
    assert "kWh" in info.value.suggestions


def test_convert_hand_computed():
    assert convert(1, "万千瓦时", "MWh") == pytest.approx(10.0)
    assert convert(1_000, "kWh", "GJ") == pytest.approx(3.6)
    assert convert(1, "tce", "GJ") == pytest.approx(29.307)
    with pytest.raises(UnitError):
        convert(1, "kWh", "t")


@pytest.mark.parametrize(
    "text, gas, kind, per",
    [
        ("kgCO2e/kWh", "CO2e", "energy", ("t", 1.0)),  # 1 kg/kWh = 1 t/MWh
        ("tCO2/MWh", "CO2", "energy", ("t", 1.0)),
        ("tCO2e/t", "CO2e", "mass", ("t", 1.0)),
        ("kgCO2e/kg", "CO2e", "mass", ("t", 1.0)),
        ("GJ/10^4Nm3", None, "volume", ("GJ", 1e-4)),
        ("GJ/t", None, "mass", ("GJ", 1.0)),
        ("kg/L", None, "volume", ("t", 1.0)),  # 1 kg/L = 1 t/m3
        ("kgCO2e/tkm", "CO2e", "freight", ("t", 0.001)),
    ],
)
def test_factor_units(text, gas, kind, per):
    unit = parse_factor_unit(text)
    assert unit.gas == gas
    assert unit.denominator_kind == kind
    assert unit.per_canonical(per[0]) == pytest.approx(per[1])


def test_currency_factor_units_are_recognised():
    unit = parse_factor_unit("kgCO2e/CNY")
    assert unit.denominator_kind == "currency"
    assert unit.per_canonical("t") == pytest.approx(0.001)  # 1 kg per CNY = 0.001 t per CNY


@pytest.mark.parametrize("text", ["kgCO2e", "/kWh", "kWh/", "banana/kWh"])
def test_bad_factor_units(text):
    with pytest.raises(UnitError):
        parse_factor_unit(text)


@given(st.floats(min_value=0, max_value=1e12, allow_nan=False), st.sampled_from(["kWh", "万千瓦时", "GJ", "MWh", "tce"]))
def test_energy_round_trip(value, unit):
    there = convert(value, unit, "MWh")
    back = convert(there, "MWh", unit)
    assert back == pytest.approx(value, rel=1e-9, abs=1e-9)


@given(st.text(max_size=30))
def test_any_text_parses_or_raises_unit_error(text):
    try:
        unit = parse_unit(text)
    except UnitError:
        return
    assert unit.kind in {"energy", "mass", "volume", "length", "freight", "count"}
