"""Energy totals: MWh, tonnes of standard coal equivalent (tce) and renewable shares.

* ``total_mwh``: energy content of everything consumed (fuels by NCV, purchased
  electricity, steam/heat, onsite and direct-line renewables), inside the boundary (site
  shares applied). Electricity generated on site from fuels (supply ``onsite``, e.g. a
  CHP) is not added: the fuel that made it is counted already (GB/T 2589 counts the
  primary energy input once). It is reported as ``onsite_generated_from_fuels_mwh``.
* ``total_tce`` (GB/T 2589-2020 comprehensive energy consumption): fuels and heat by
  their energy content ÷ 29.307 GJ/tce; purchased and renewable electricity at the
  equivalent value (当量值, ``tce.electricity_equivalent``) — and, as
  ``total_tce_equal_value``, at the year's coal consumption of power supply (等价值,
  ``tce.electricity_equal_value``). Electricity from onsite fuels is not counted again.
* ``electricity_mwh``: electricity consumed — grid, onsite and direct-line renewables,
  and electricity generated on site from fuels.
* ``renewable_share``: renewable electricity (onsite, direct line, instruments) ÷
  electricity consumed; ``traceable_green_electricity_share`` counts only onsite and
  direct-line renewables (no certificates or traded green power);
  ``non_fossil_share``: the same renewable electricity ÷ all energy (the grid's own
  non-fossil share is not credited).

Sub-meter rows never reach this module (:mod:`zcf.calc.meters`).
"""

from __future__ import annotations

import math

import pandas as pd

from zcf.calc.context import CalcContext
from zcf.calc.scope2 import electricity_rows, generated_from_fuel_rows, zero_emission_rows
from zcf.units import ratio


def _fsum(values) -> float:
    return math.fsum(float(v) for v in values if v == v)


def counted_in_total(energy: pd.DataFrame) -> pd.Series:
    """True for each row whose energy content adds to total energy (all but electricity from onsite fuels)."""
    return pd.Series(~energy.index.isin(generated_from_fuel_rows(energy).index), index=energy.index)


def energy_totals(ctx: CalcContext, lines: pd.DataFrame) -> dict:
    """Totals in MWh and tce and the renewable shares, as described in the module docstring."""
    energy = ctx.table("energy")
    if energy.empty or "energy_mwh" not in energy:
        return {"total_mwh": 0.0, "electricity_mwh": 0.0}
    energy = energy[energy["energy_mwh"].notna()]
    share = ctx.site_shares(energy["site_id"])
    mwh = energy["energy_mwh"] * share
    is_grid = energy.index.isin(electricity_rows(ctx).index)
    is_green = energy.index.isin(zero_emission_rows(energy).index)
    from_fuel = ~counted_in_total(energy).to_numpy()
    is_bought_or_renewable = is_grid | is_green
    is_electricity = is_bought_or_renewable | from_fuel
    instruments = lines[lines["activity"].str.startswith("electricity.instrument.").to_numpy(dtype=bool, na_value=False)]
    instrument_mwh = _fsum(instruments["quantity_std"] * instruments["boundary_share"])
    electricity = _fsum(mwh[is_electricity])
    green_onsite = _fsum(mwh[is_green])
    renewable = green_onsite + instrument_mwh
    total = _fsum(mwh[~from_fuel])
    fuels_and_heat = _fsum(mwh[~is_electricity])

    other_tce = fuels_and_heat * ratio("MWh", "tce")  # energy content, 29 307 kJ per kgce
    elec_kwh = _fsum(mwh[is_bought_or_renewable]) * ratio("MWh", "kWh")
    equivalent = ctx.factor("tce.electricity_equivalent", [ctx.country])
    equal_value = ctx.factor("tce.electricity_equal_value", [ctx.country])
    out = {
        "total_mwh": total,
        "electricity_mwh": electricity,
        "grid_electricity_mwh": _fsum(mwh[is_grid]),
        "onsite_generated_from_fuels_mwh": _fsum(mwh[from_fuel]),
        "renewable_electricity_mwh": renewable,
        "onsite_and_direct_renewable_mwh": green_onsite,
        "instrument_covered_mwh": instrument_mwh,
        "renewable_share": renewable / electricity if electricity else None,
        "traceable_green_electricity_share": green_onsite / electricity if electricity else None,
        "non_fossil_share": renewable / total if total else None,
        "fuels_and_heat_mwh": fuels_and_heat,
    }
    if equivalent is not None:
        out["total_tce"] = other_tce + elec_kwh * _tce_per_kwh(equivalent)
        out["tce_electricity_basis"] = f"equivalent value (当量值) {equivalent.value} {equivalent.unit}, {equivalent.factor_id}"
    if equal_value is not None:
        out["total_tce_equal_value"] = other_tce + elec_kwh * _tce_per_kwh(equal_value)
        out["tce_equal_value_basis"] = (f"equal value (等价值) {equal_value.value} {equal_value.unit} "
                                        f"({equal_value.year}), {equal_value.factor_id}")
    return out


def energy_by_site(ctx: CalcContext) -> dict[str, float]:
    """Energy consumed per site, MWh inside the boundary — counted as ``total_mwh`` is."""
    energy = ctx.table("energy")
    if energy.empty or "energy_mwh" not in energy:
        return {}
    weighted = energy["energy_mwh"].fillna(0) * ctx.site_shares(energy["site_id"]) * counted_in_total(energy)
    return {k: math.fsum(v.tolist()) for k, v in weighted.groupby(energy["site_id"])}


def _tce_per_kwh(factor) -> float:
    """tce per kWh of a factor given as energy of coal per kWh (kgce/kWh or gce/kWh)."""
    return float((factor.value * factor.parsed_unit.numerator / factor.parsed_unit.denominator).to("tce/kWh").magnitude)


# --- fuel quantities before the calculation: reference conditions of gas volumes, energy content ---

_STATED_NORMAL = ("Nm", "标")  # Nm3, 万Nm3, 标方, 标准立方米: normal cubic metres stated in the unit


def gas_20c_to_normal() -> float:
    """Normal m³ (0 °C) per m³ at 20 °C and the same pressure (ideal gas): 273.15 K ÷ 293.15 K, through pint."""
    from zcf.units import registry

    ureg = registry()
    return float(ureg.Quantity(0, ureg.degC).to("kelvin").magnitude / ureg.Quantity(20, ureg.degC).to("kelvin").magnitude)


def prepare_energy(ctx: CalcContext) -> None:
    """Fuel rows as the calculation needs them (ctx.tables["energy"] is replaced, the input is not touched).

    * Volumes of a gaseous fuel whose NCV is per normal m³ (``ncv.<fuel>`` in …/Nm3): a unit that says
      Nm3 or 标方 is normal; a plain m³ follows zcf.toml ``[factors] gas_volume`` — ``unstated`` (default:
      taken as normal, a warning per row), ``normal``, or ``20C`` (× 273.15 ÷ 293.15 to normal m³).
      ``volume_reference`` states it for each row.
    * ``energy_mwh`` of every fuel row again, with the factor sets and library version of this calculation.
    """
    energy = ctx.table("energy")
    if energy.empty or "quantity_std" not in energy:
        return
    energy = energy.copy()
    energy["volume_reference"] = pd.Series(pd.NA, index=energy.index, dtype="string")
    policy = ctx.options.factors.gas_volume
    ratio_20c = gas_20c_to_normal()
    fuels = energy[~energy["energy_type"].isin(_NOT_FUELS) & energy["quantity_std"].notna()]
    volume = fuels[fuels["unit_std"] == "m3"]
    for (site_id, fuel), rows in volume.groupby(["site_id", "energy_type"], sort=True):
        ncv = ctx.resolver.resolve(f"ncv.{fuel}", ctx.regions_for_site(site_id), ctx.year)
        if ncv is None or "nm3" not in ncv.factor.unit.casefold().replace("³", "3"):
            continue  # the NCV is per m³ of no stated condition (a user's fuel): nothing to convert
        stated = rows["unit"].astype(str).map(lambda u: any(mark in u for mark in _STATED_NORMAL))
        energy.loc[rows.index[stated.to_numpy()], "volume_reference"] = "Nm3 (stated in the unit)"
        plain = rows[~stated.to_numpy()]
        if plain.empty:
            continue
        if policy == "20C":
            energy.loc[plain.index, "quantity_std"] = plain["quantity_std"] * ratio_20c
            energy.loc[plain.index, "volume_reference"] = f"m3 at 20 °C × {ratio_20c:.6f} = Nm3"
            ctx.note("energy", plain, "gas-volume-20c", "unit", fuel=fuel, ratio=f"{ratio_20c:.6f}")
        elif policy == "normal":
            energy.loc[plain.index, "volume_reference"] = "Nm3 (zcf.toml gas_volume = normal)"
        else:
            energy.loc[plain.index, "volume_reference"] = "Nm3 (assumed: reference conditions not stated)"
            ctx.note("energy", plain, "gas-volume-unstated", "unit", fuel=fuel)
    kinds = {"t": "mass", "m3": "volume"}
    for (site_id, fuel, unit_std), rows in fuels[fuels["unit_std"].isin(list(kinds))].groupby(
            ["site_id", "energy_type", "unit_std"], sort=True):
        content = ctx.fuels(ctx.regions_for_site(site_id)).per_unit(fuel, kinds[unit_std], "energy")
        if content is not None:
            energy.loc[rows.index, "energy_mwh"] = energy.loc[rows.index, "quantity_std"] * content.value
    ctx.tables["energy"] = energy


_NOT_FUELS = {"electricity", "steam", "heat", "onsite_solar", "onsite_wind"}
