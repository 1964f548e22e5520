"""Scope 3 categories 11 (use of sold vehicles) and 12 (their end of life).

Category 11, direct use-phase emissions over the vehicles' lifetime:

* electricity (BEV, and the electric share of a PHEV):
  units × lifetime km ÷ 100 × kWh/100 km × ``electricity.grid`` of the market
  (the latest year available — the factor's year is stated on the line);
* fuel (ICE, HEV, and the fuel share of a PHEV): litres burnt → energy content
  (``density``, ``ncv``) → CO2 by CC × OF × 44/12, CH4 and N2O by the IPCC mobile
  defaults, exactly as Scope 1 mobile combustion.

Category 12: units × vehicle mass × ``eol.vehicle``.
"""

from __future__ import annotations

import pandas as pd

from zcf.calc.context import CalcContext
from zcf.calc.lines import fmt, make_lines
from zcf.calc.scope1 import co2_per_mwh
from zcf.units import ratio

FUEL = {"phev": "gasoline", "hev": "gasoline", "ice_gasoline": "gasoline", "ice_diesel": "diesel"}


def use_phase(ctx: CalcContext) -> list[pd.DataFrame]:
    table = ctx.table("sold_products")
    parts: list[pd.DataFrame] = []
    if table.empty:
        return parts
    table = table[table["units_sold"].notna() & table["lifetime_km"].notna() & table["consumption"].notna()]
    km = table["units_sold"] * table["lifetime_km"]
    electric_share = pd.Series(0.0, index=table.index)
    electric_share[table["powertrain"] == "bev"] = 1.0
    phev = table["powertrain"] == "phev"
    electric_share[phev] = table.loc[phev, "electric_share"].fillna(0.0)
    per_100_electric = table["consumption"].where(table["consumption_unit"] == "kWh/100km")
    per_100_fuel = table["consumption"].where(table["consumption_unit"] == "L/100km").fillna(table["consumption_2"])
    kwh = km * electric_share / 100 * per_100_electric
    litres = km * (1 - electric_share) / 100 * per_100_fuel
    table = table.assign(_kwh=kwh, _litres=litres, _km=km)

    for market, rows in table[table["_kwh"].fillna(0) > 0].groupby(table["market"].fillna(ctx.country), sort=True):
        factor = ctx.resolver.resolve("electricity.grid", [market], None)  # latest year published
        if factor is None:
            ctx.exclude("sold_products", rows, "factor-missing", "market", activity="electricity.grid", where=market)
            continue
        factor = ctx.use(factor.factor)
        mwh = rows["_kwh"] * ratio("kWh", "MWh")
        per_mwh = factor.per_canonical("t")
        gas_t = mwh * per_mwh
        parts.append(
            make_lines(
                rows, table="sold_products", scope="3", category="11", activity="use.electricity",
                quantity_std=mwh, unit_std="MWh", quantity=rows["units_sold"], unit="vehicles", factor=factor,
                factor_value=per_mwh, factor_unit="tCO2/MWh", gas="CO2", gas_t=gas_t, gwp=1.0,
                gwp_basis=ctx.gwp_basis, share=1.0, method=f"direct use-phase, {market} grid {factor.year}",
                data_quality=3,
                calculation=[f"{int(u):,} vehicles × {fmt(k)} km × {fmt(s)} electric ÷ 100 × {fmt(c)} kWh/100km "
                             f"= {fmt(m)} MWh × {fmt(per_mwh)} tCO2/MWh ({market} grid {factor.year}) = {fmt(t)} tCO2"
                             for u, k, s, c, m, t in zip(rows["units_sold"], rows["lifetime_km"],
                                                         electric_share[rows.index], per_100_electric[rows.index],
                                                         mwh, gas_t)],
            )
        )

    fuel_rows = table[table["_litres"].fillna(0) > 0]
    for powertrain, rows in fuel_rows.groupby("powertrain", sort=True):
        fuel = FUEL.get(powertrain)
        if fuel is None:
            continue
        regions = [ctx.country]
        to_energy = ctx.fuels(regions).per_unit(fuel, "volume", "energy")
        if to_energy is None:
            ctx.exclude("sold_products", rows, "factor-missing", "powertrain", activity=f"density.{fuel}",
                        where="use phase")
            continue
        for used in to_energy.factors:
            ctx.use(used)
        mwh = rows["_litres"] * ratio("L", "m3") * to_energy.value
        co2 = co2_per_mwh(ctx, fuel, regions, rows, "sold_products", "powertrain")
        gases = []
        if co2 is not None:
            gases.append(("CO2", co2[0], co2[1], 1.0))
        for gas in ("CH4", "N2O"):
            factor = ctx.factor(f"{gas.lower()}.mobile.{fuel}", regions, rows, "sold_products", "powertrain")
            gwp = ctx.gwp(gas, rows, "sold_products", "powertrain")
            if factor is not None and gwp is not None:
                gases.append((gas, factor.per_canonical("t"), factor, gwp.value))
        for gas, per_mwh, factor, gwp in gases:
            gas_t = mwh * per_mwh
            parts.append(
                make_lines(
                    rows, table="sold_products", scope="3", category="11", activity=f"use.{fuel}",
                    quantity_std=mwh, unit_std="MWh", quantity=rows["units_sold"], unit="vehicles", factor=factor,
                    factor_value=per_mwh, factor_unit=f"t{gas}/MWh", gas=gas, gas_t=gas_t, gwp=gwp,
                    gwp_basis=ctx.gwp_basis, share=1.0, method="direct use-phase, fuel combustion", data_quality=3,
                    calculation=[f"{int(u):,} vehicles × {fmt(k)} km → {fmt(l)} L {fuel} = {fmt(m)} MWh × "
                                 f"{fmt(per_mwh)} t{gas}/MWh = {fmt(t)} t{gas}"
                                 for u, k, l, m, t in zip(rows["units_sold"], rows["lifetime_km"], rows["_litres"], mwh,
                                                          gas_t)],
                )
            )
    return parts


def end_of_life(ctx: CalcContext) -> list[pd.DataFrame]:
    table = ctx.table("sold_products")
    if table.empty:
        return []
    rows = table[table["units_sold"].notna() & table["vehicle_mass_kg"].notna()]
    if rows.empty:
        return []
    factor = ctx.factor("eol.vehicle", [ctx.country], rows, "sold_products", "vehicle_mass_kg")
    if factor is None:
        return []
    tonnes = rows["units_sold"] * rows["vehicle_mass_kg"] * ratio("kg", "t")
    per_t = factor.per_canonical("t")
    gas_t = tonnes * per_t
    return [
        make_lines(
            rows, table="sold_products", scope="3", category="12", activity="eol.vehicle", quantity_std=tonnes,
            unit_std="t", quantity=rows["units_sold"], unit="vehicles", factor=factor, factor_value=per_t,
            factor_unit="tCO2e/t", gas=factor.gas or "CO2e", gas_t=gas_t, gwp=1.0, gwp_basis=ctx.gwp_basis,
            share=1.0, method="average-data (vehicle mass)", data_quality=4,
            calculation=[f"{int(u):,} vehicles × {fmt(m)} kg = {fmt(t)} t × {fmt(factor.value)} {factor.unit} = {fmt(e)} tCO2e"
                         for u, m, t, e in zip(rows["units_sold"], rows["vehicle_mass_kg"], tonnes, gas_t)],
        )
    ]
