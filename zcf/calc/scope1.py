"""Scope 1: fuel combustion (GB/T 32150), fugitive refrigerants and process emissions.

Combustion, per row of the energy table holding a fuel:

    CO2 = FC × NCV × CC × OF × 44/12            (GB/T 32150-2015, E_燃烧)
    CH4 = FC × NCV × EF_CH4    N2O = FC × NCV × EF_N2O   (IPCC 2006, stationary or mobile)

where FC × NCV (the energy content) comes from the fuel quantity through the
library's (or the user's) ``ncv.<fuel>`` and ``density.<fuel>``; a user factor
``ef.<fuel>`` (tCO2 per unit of fuel) replaces NCV × CC × OF × 44/12 when given.
Fugitive and process rows are mass of gas × GWP.
"""

from __future__ import annotations

import math

import pandas as pd

from zcf.calc.context import CalcContext
from zcf.calc.lines import fmts, texts, words, fmt, joined_ids, make_lines
from zcf.units import ratio

CO2_PER_C = 44 / 12  # molar mass ratio CO2 / C
NOT_FUELS = {"electricity", "steam", "heat", "onsite_solar", "onsite_wind"}
_CATEGORY = {"stationary": "stationary_combustion", "mobile": "mobile_combustion"}


def fuel_rows(energy: pd.DataFrame) -> pd.DataFrame:
    if energy.empty:
        return energy
    return energy[~energy["energy_type"].isin(NOT_FUELS) & energy["quantity_std"].notna()]


def _kind(unit_std: str) -> str:
    return {"t": "mass", "m3": "volume", "MWh": "energy"}[unit_std]


def combustion(ctx: CalcContext) -> list[pd.DataFrame]:
    """CO2, CH4 and N2O lines for every fuel row of the energy table."""
    fuels = fuel_rows(ctx.table("energy"))
    parts: list[pd.DataFrame] = []
    if fuels.empty:
        return parts
    use = fuels["use"].fillna("stationary")
    keys = pd.DataFrame({"site_id": fuels["site_id"], "energy_type": fuels["energy_type"], "use": use,
                         "unit_std": fuels["unit_std"]})
    for (site_id, fuel, how, unit_std), index in keys.groupby(list(keys.columns), sort=True).groups.items():
        rows = fuels.loc[index]
        regions = ctx.regions_for_site(site_id)
        share = ctx.site_shares(rows["site_id"])
        converter = ctx.fuels(regions)
        to_energy = converter.per_unit(fuel, _kind(unit_std), "energy")
        category = _CATEGORY[how]
        energy_mwh = rows["quantity_std"] * to_energy.value if to_energy else None
        for factor in to_energy.factors if to_energy else ():
            ctx.use(factor)

        conversions = to_energy.factors if to_energy else ()  # density and NCV behind energy_mwh
        direct = ctx.resolver.resolve(f"ef.{fuel}", regions, ctx.year)
        if direct is not None:
            parts.append(_direct_co2(ctx, rows, fuel, category, unit_std, direct.factor, converter, share))
        elif energy_mwh is None:
            ctx.exclude("energy", rows, "factor-missing", "energy_type", activity=f"ncv.{fuel}", where=", ".join(regions))
        else:
            parts.append(_gbt_co2(ctx, rows, fuel, category, regions, energy_mwh, share, conversions))
        if energy_mwh is not None:
            for gas in ("CH4", "N2O"):
                parts.append(_non_co2(ctx, rows, fuel, how, category, regions, energy_mwh, gas, share, conversions))
    return [p for p in parts if p is not None]


def co2_per_mwh(ctx: CalcContext, fuel: str, regions: list[str], rows: pd.DataFrame | None = None,
                table: str | None = None, column: str | None = None):
    """tCO2 per MWh of a fuel's energy content (CC × OF × 44/12), with the two factors; None if unknown.

    When a factor is missing, ``rows`` of ``table`` are excluded for that reason.
    """
    carbon = ctx.factor(f"carbon_content.{fuel}", regions, rows, table, column)
    oxidation = ctx.factor(f"oxidation.{fuel}", regions, rows, table, column)
    if carbon is None or oxidation is None:
        return None
    return carbon.per_canonical("t") * oxidation.value * CO2_PER_C, carbon, oxidation


def _gbt_co2(ctx, rows, fuel, category, regions, energy_mwh, share, conversions=()):
    found = co2_per_mwh(ctx, fuel, regions, rows, "energy", "energy_type")
    if found is None:
        return None
    t_co2_per_mwh, carbon, oxidation = found
    gas_t = energy_mwh * t_co2_per_mwh
    gj = energy_mwh * ratio("MWh", "GJ")
    calculation = words(fmts(rows["quantity"]), " ", texts(rows["unit"]), " → ", fmts(gj),
                        f" GJ × {fmt(carbon.value)} {carbon.unit} × {fmt(oxidation.value)} × 44/12 = ", fmts(gas_t),
                        " tCO2")
    return make_lines(
        rows,
        table="energy",
        scope="1",
        category=category,
        activity=f"combustion.{fuel}",
        quantity_std=energy_mwh,
        unit_std="MWh",
        factor=carbon,
        factor_id=joined_ids(*conversions, carbon, oxidation),
        factor_value=t_co2_per_mwh,
        factor_unit="tCO2/MWh",
        factor_source=carbon.source if carbon.source == oxidation.source else f"{carbon.source}; {oxidation.source}",
        gas="CO2",
        gas_t=gas_t,
        gwp=1.0,
        gwp_basis=ctx.gwp_basis,
        share=share,
        method="GB/T 32150 (NCV × CC × OF × 44/12)",
        data_quality=2,
        calculation=calculation,
    )


def _direct_co2(ctx, rows, fuel, category, unit_std, factor, converter, share):
    ctx.use(factor)
    kind = factor.denominator_kind
    to_kind = converter.per_unit(fuel, _kind(unit_std), kind) if kind in ("mass", "volume", "energy") else None
    if to_kind is None:
        ctx.exclude("energy", rows, "factor-missing", "energy_type", activity=f"ncv.{fuel}",
                    where=f"to apply ef.{fuel} ({factor.unit})")
        return None
    quantity = rows["quantity_std"] * to_kind.value
    per_unit = factor.per_canonical("t")
    gas_t = quantity * per_unit
    canonical = {"mass": "t", "volume": "m3", "energy": "MWh"}[kind]
    calculation = words(fmts(rows["quantity"]), " ", texts(rows["unit"]), " → ", fmts(quantity),
                        f" {canonical} × {fmt(factor.value)} {factor.unit} = ", fmts(gas_t), " tCO2")
    return make_lines(
        rows, table="energy", scope="1", category=category, activity=f"combustion.{fuel}", quantity_std=quantity,
        unit_std=canonical, factor=factor, factor_id=joined_ids(*to_kind.factors, factor), factor_value=per_unit,
        factor_unit=f"tCO2/{canonical}", gas="CO2",
        gas_t=gas_t, gwp=1.0, gwp_basis=ctx.gwp_basis, share=share, method="emission factor per unit of fuel",
        data_quality=2, calculation=calculation,
    )


def _non_co2(ctx, rows, fuel, how, category, regions, energy_mwh, gas, share, conversions=()):
    factor = ctx.factor(f"{gas.lower()}.{how}.{fuel}", regions, rows, "energy", "energy_type")
    gwp = ctx.gwp(gas, rows, "energy", "energy_type")
    if factor is None or gwp is None:
        return None
    per_mwh = factor.per_canonical("t")
    gas_t = energy_mwh * per_mwh
    calculation = words(fmts(energy_mwh.to_numpy(dtype="float64") * ratio("MWh", "GJ")),
                        f" GJ × {fmt(factor.value)} {factor.unit} = ",
                        fmts(gas_t.to_numpy(dtype="float64") * ratio("t", "kg")), f" kg{gas} × GWP {fmt(gwp.value)}")
    return make_lines(
        rows, table="energy", scope="1", category=category, activity=f"combustion.{fuel}", quantity_std=energy_mwh,
        unit_std="MWh", factor=factor, factor_id=joined_ids(*conversions, factor), factor_value=per_mwh,
        factor_unit=f"t{gas}/MWh", gas=gas, gas_t=gas_t,
        gwp=gwp.value, gwp_basis=ctx.gwp_basis, share=share, method=f"IPCC 2006 {how} combustion default",
        data_quality=3, calculation=calculation,
    )


def _gas_mass_lines(ctx: CalcContext, table_name: str, table: pd.DataFrame, tonnes: pd.Series, category: str,
                    method: str, quantity: pd.Series, unit: str | pd.Series) -> list[pd.DataFrame]:
    """Lines for rows that give a mass of gas: t × GWP, one group per gas."""
    parts = []
    for gas, rows in table.groupby("gas", sort=True):
        gwp = ctx.gwp(gas, rows, table_name, "gas")
        if gwp is None:
            continue
        gas_t = tonnes[rows.index]
        parts.append(
            make_lines(
                rows, table=table_name, scope="1", category=category, activity=f"{category}.{gas}",
                quantity_std=gas_t, unit_std="t", factor=gwp, factor_value=gwp.value, factor_unit=gwp.unit, gas=gas,
                gas_t=gas_t, gwp=gwp.value, gwp_basis=ctx.gwp_basis, share=ctx.site_shares(rows["site_id"]),
                method=method, data_quality=2, quantity=quantity[rows.index],
                unit=unit if isinstance(unit, str) else unit[rows.index],
                calculation=[f"{fmt(t)} t {gas} × GWP {fmt(gwp.value)} = {fmt(t * gwp.value)} tCO2e" for t in gas_t],
            )
        )
    return parts


def fugitive(ctx: CalcContext) -> list[pd.DataFrame]:
    """Refrigerant and SF6 refills or leaks: kg → t × GWP."""
    table = ctx.table("refrigerants")
    if table.empty:
        return []
    table = table[table["quantity_kg"].notna() & table["gas"].notna()]
    tonnes = table["quantity_kg"] * ratio("kg", "t")
    memo = table["gas"].isin(memo_gases()).to_numpy()
    _memo_items(ctx, "refrigerants", table[memo], tonnes[memo])
    table = table[~memo]
    return _gas_mass_lines(ctx, "refrigerants", table, tonnes[table.index], "fugitive", "mass refilled × GWP",
                           table["quantity_kg"], "kg")


def memo_gases() -> set[str]:
    """Gases outside the Kyoto basket (ozone-depleting HCFCs): reported as memo items, not in Scope 1."""
    from zcf.schema import load_schema

    return {v.value for v in load_schema().enums["gas"].values if v.memo_only}


def _memo_items(ctx: CalcContext, table_name: str, rows: pd.DataFrame, tonnes: pd.Series) -> None:
    """GHG Protocol Corporate Standard ch. 4 and 9: emissions of gases the protocol does not cover
    (e.g. HCFC-22) are reported separately from the scopes. Their rows are accounted as excluded."""
    for gas, group in rows.groupby("gas", sort=True):
        gwp = ctx.gwp(gas, group, table_name, "gas")
        mass = math.fsum((tonnes[group.index] * ctx.site_shares(group["site_id"])).tolist())  # inside the boundary
        co2e = mass * gwp.value if gwp is not None else None
        ctx.memo.append({"gas": gas, "source_table": table_name, "rows": int(len(group)), "mass_t": mass,
                         "gwp": gwp.value if gwp else None, "gwp_basis": ctx.gwp_basis, "co2e_t": co2e,
                         "reason": "not a Kyoto-basket gas (Montreal Protocol); reported outside the scopes"})
        if gwp is not None:
            ctx.exclude(table_name, group, "gas-outside-scopes", "gas", gas=gas,
                        co2e=f"{co2e:,.3f}" if co2e is not None else "?")


def process(ctx: CalcContext) -> list[pd.DataFrame]:
    """Process emissions given as mass of gas (e.g. CO2 shielding gas): t × GWP."""
    table = ctx.table("process_emissions")
    if table.empty:
        return []
    table = table[table["quantity_std"].notna() & table["gas"].notna()]
    memo = table["gas"].isin(memo_gases()).to_numpy()
    _memo_items(ctx, "process_emissions", table[memo], table.loc[memo, "quantity_std"])
    table = table[~memo]
    return _gas_mass_lines(ctx, "process_emissions", table, table["quantity_std"], "process",
                           "mass of gas emitted × GWP", table["quantity"], table["unit"])
