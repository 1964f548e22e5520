"""Scope 3 categories 11 (use of sold vehicles) and 12 (their end of life).

Category 11, direct use-phase emissions over the vehicles' lifetime. Each row's
distance is units × lifetime km; its share on electricity is 1 for a BEV, 0 for
ICE and HEV, and the utility factor (``electric_share``) for a PHEV:

* electricity: units × lifetime km × electric share ÷ 100 × kWh/100 km, at
  ``electricity.grid`` of the market, of the vintage chosen for every grid use
  (:mod:`zcf.factors.vintage`: by default the latest year published for Scope 2, the
  residual factor and this category alike — the factor's year is stated on the line);
* fuel: units × lifetime km × (1 − electric share) ÷ 100 × L/100 km (a PHEV's
  charge-sustaining consumption) → energy content (``density``, ``ncv``) → CO2 by
  CC × OF × 44/12, CH4 and N2O by the IPCC mobile defaults, as Scope 1 mobile combustion.

A PHEV gives its two consumptions in either order (``consumption`` / ``consumption_2``,
each with its unit; a blank ``consumption_2_unit`` is the other unit). Ingest checks
that every powertrain has what it needs (tables.toml ``conditions``); a row that still
cannot be calculated is excluded with the reason in the ledger.

Category 12: units × vehicle mass × ``eol.vehicle``; rows without a mass are excluded
from it (in part: their use phase is still calculated).
"""

from __future__ import annotations

import pandas as pd

from zcf.calc.context import CalcContext
from zcf.calc.lines import fmt, joined_ids, make_lines
from zcf.calc.scope1 import co2_per_mwh
from zcf.units import ratio

ELECTRICITY, FUEL_UNIT = "kWh/100km", "L/100km"  # the two values of enum consumption_unit
OTHER_UNIT = {ELECTRICITY: FUEL_UNIT, FUEL_UNIT: ELECTRICITY}  # a PHEV's second consumption is the other energy
FUEL = {"phev": "gasoline", "hev": "gasoline", "ice_gasoline": "gasoline", "ice_diesel": "diesel"}
ELECTRIC_SHARE = {"bev": 1.0, "hev": 0.0, "ice_gasoline": 0.0, "ice_diesel": 0.0}  # phev: its electric_share


def per_100km(table: pd.DataFrame, unit: str) -> pd.Series:
    """Each row's consumption in ``unit`` (kWh/100km or L/100km): consumption, or a PHEV's consumption_2."""
    first = table["consumption"].where(table["consumption_unit"] == unit)
    second_unit = table.get("consumption_2_unit", pd.Series(pd.NA, index=table.index, dtype="string"))
    second_unit = second_unit.astype("string").fillna(table["consumption_unit"].astype("string").map(OTHER_UNIT))
    is_second = (second_unit == unit).fillna(False) & (table["powertrain"] == "phev").fillna(False)
    return first.fillna(table["consumption_2"].where(is_second))


def electric_share(table: pd.DataFrame) -> pd.Series:
    """Share of each row's distance driven on electricity, 0–1 (NaN: a PHEV without its utility factor)."""
    share = table["powertrain"].map(ELECTRIC_SHARE).astype("float64")
    phev = (table["powertrain"] == "phev").fillna(False)
    return share.where(~phev, table["electric_share"])


def _count(units: float) -> str:
    """Vehicles as a whole number with thousands separated (fmt would round 1,234,567 to 6 digits)."""
    return f"{units:,.0f}" if float(units).is_integer() else fmt(units)


def use_phase(ctx: CalcContext) -> list[pd.DataFrame]:
    """Category 11 lines: the electricity part and the fuel part of every row that has one."""
    table = ctx.table("sold_products")
    if table.empty:
        return []
    table = table.assign(_share=electric_share(table), _kwh_100=per_100km(table, ELECTRICITY),
                         _l_100=per_100km(table, FUEL_UNIT))
    table = _without_missing_inputs(ctx, table)
    km = table["units_sold"] * table["lifetime_km"]
    table = table.assign(_kwh=km * table["_share"] * table["_kwh_100"] * ratio("kWh/(100 km)", "kWh/km"),
                         _litres=km * (1 - table["_share"]) * table["_l_100"] * ratio("L/(100 km)", "L/km"))
    electric = table[(table["_share"] > 0) & table["_kwh"].notna()]
    fuelled = table[(table["_share"] < 1) & table["_litres"].notna()]
    return _electricity_lines(ctx, electric) + _fuel_lines(ctx, fuelled)


def _without_missing_inputs(ctx: CalcContext, table: pd.DataFrame) -> pd.DataFrame:
    """Rows with what their use phase needs; the others excluded (in part when one energy is missing).

    Ingest reports these as errors already; this keeps the ledger whole for any dataset.
    """
    missing = [
        (table["units_sold"].isna(), "units_sold", "units_sold"),
        (table["lifetime_km"].isna(), "lifetime_km", "lifetime_km"),
        (table["_share"].isna(), "electric_share", "electric_share"),
        ((table["_share"] > 0) & table["_kwh_100"].isna(), "consumption", "electricity consumption (kWh/100km)"),
        ((table["_share"] < 1) & table["_l_100"].isna(), "consumption", "fuel consumption (L/100km)"),
    ]
    keep = pd.Series(True, index=table.index)
    for mask, column, what in missing:
        mask = mask.fillna(False)
        for powertrain, rows in table[mask].groupby("powertrain", sort=True):
            ctx.exclude("sold_products", rows, "use-phase-not-calculated", column, powertrain=powertrain, missing=what)
        if column != "consumption":  # without distance or share nothing can be calculated
            keep &= ~mask
    return table[keep]


def _electricity_lines(ctx: CalcContext, table: pd.DataFrame) -> list[pd.DataFrame]:
    parts: list[pd.DataFrame] = []
    for market, rows in table.groupby(table["market"].fillna(ctx.country), sort=True):
        # the grid-factor vintage policy: the same year as Scope 2 and the residual factor (zcf.factors.vintage)
        factor = ctx.grid_factor("category11", "electricity.grid", [market], str(market), rows, "sold_products",
                                 "market")
        if factor is None:
            continue
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
                calculation=[f"{_count(u)} vehicles × {fmt(k)} km × {fmt(s)} electric ÷ 100 × {fmt(c)} kWh/100km "
                             f"= {fmt(m)} MWh × {fmt(per_mwh)} tCO2/MWh ({market} grid {factor.year}) = {fmt(t)} tCO2"
                             for u, k, s, c, m, t in zip(rows["units_sold"], rows["lifetime_km"], rows["_share"],
                                                         rows["_kwh_100"], mwh, gas_t)],
            )
        )
    return parts


def _fuel_lines(ctx: CalcContext, table: pd.DataFrame) -> list[pd.DataFrame]:
    parts: list[pd.DataFrame] = []
    regions = [ctx.country]
    for powertrain, rows in table.groupby("powertrain", sort=True):
        fuel = FUEL[powertrain]
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
            gases.append(("CO2", co2[0], co2[1], 1.0, joined_ids(*to_energy.factors, co2[1], co2[2])))
        for gas in ("CH4", "N2O"):
            factor = ctx.factor(f"{gas.lower()}.mobile.{fuel}", regions, rows, "sold_products", "powertrain")
            gwp = ctx.gwp(gas, rows, "sold_products", "powertrain")
            if factor is not None and gwp is not None:
                gases.append((gas, factor.per_canonical("t"), factor, gwp.value, joined_ids(*to_energy.factors, factor)))
        for gas, per_mwh, factor, gwp, factor_id in gases:
            gas_t = mwh * per_mwh
            parts.append(
                make_lines(
                    rows, table="sold_products", scope="3", category="11", activity=f"use.{fuel}",
                    quantity_std=mwh, unit_std="MWh", quantity=rows["units_sold"], unit="vehicles", factor=factor,
                    factor_id=factor_id,
                    factor_value=per_mwh, factor_unit=f"t{gas}/MWh", gas=gas, gas_t=gas_t, gwp=gwp,
                    gwp_basis=ctx.gwp_basis, share=1.0, method="direct use-phase, fuel combustion", data_quality=3,
                    calculation=[f"{_count(u)} vehicles × {fmt(k)} km × {fmt(1 - s)} on fuel ÷ 100 × {fmt(c)} L/100km "
                                 f"= {fmt(l)} L {fuel} = {fmt(m)} MWh × {fmt(per_mwh)} t{gas}/MWh = {fmt(t)} t{gas}"
                                 for u, k, s, c, l, m, t in zip(rows["units_sold"], rows["lifetime_km"], rows["_share"],
                                                                rows["_l_100"], rows["_litres"], mwh, gas_t)],
                )
            )
    return parts


def end_of_life(ctx: CalcContext) -> list[pd.DataFrame]:
    """Category 12 lines; rows without a vehicle mass are excluded from it (``no-vehicle-mass``)."""
    table = ctx.table("sold_products")
    if table.empty:
        return []
    no_mass = table["units_sold"].notna() & table["vehicle_mass_kg"].isna()
    ctx.exclude("sold_products", table[no_mass], "no-vehicle-mass", "vehicle_mass_kg")
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
            calculation=[f"{_count(u)} vehicles × {fmt(m)} kg = {fmt(t)} t × {fmt(factor.value)} {factor.unit} = {fmt(e)} tCO2e"
                         for u, m, t, e in zip(rows["units_sold"], rows["vehicle_mass_kg"], tonnes, gas_t)],
        )
    ]
