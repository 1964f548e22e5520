"""Scope 3 categories computed as activity × factor from their own tables.

* 3  fuel- and energy-related: well-to-tank of fuels burnt (``wtt.<fuel>``, 3a) and
     transmission and distribution losses of grid electricity (``electricity.td_loss_rate``
     × the location-based grid factor, 3c);
* 4 / 9 transport: t·km (``tkm`` or ``mass_t`` × ``distance_km``) × ``freight.<mode>``;
* 5  waste: t × ``waste.<treatment>.<waste_type>``, else ``waste.<treatment>``;
* 6  business travel: passenger-km × ``travel.<mode>``, room-nights × ``travel.hotel_night``,
     or spend × ``spend.travel``;
* 7  commuting: employees × km per day × working days × ``commuting.<mode>``.
"""

from __future__ import annotations

import pandas as pd

from zcf.calc.context import CalcContext
from zcf.calc.lines import fmt, make_lines
from zcf.calc.scope1 import fuel_rows
from zcf.calc.scope2 import electricity_rows
from zcf.calc.scope3.purchases import spend_lines

_KIND = {"t": "mass", "m3": "volume", "MWh": "energy"}
_CANONICAL = {"mass": "t", "volume": "m3", "energy": "MWh", "freight": "tkm", "length": "km", "count": "piece"}


def _simple(ctx, rows, *, table, category, activity, amount, unit_std, factor, method, dq, what, **extra):
    """Lines for amount (in ``unit_std``) × factor; ``extra`` goes to :func:`make_lines`."""
    per_unit = factor.per_canonical("t")
    gas_t = amount * per_unit
    return make_lines(
        rows, table=table, scope="3", category=category, activity=activity, quantity_std=amount,
        unit_std=unit_std, factor=factor, factor_value=per_unit, factor_unit=f"tCO2e/{unit_std}",
        gas=factor.gas or "CO2e", gas_t=gas_t, gwp=1.0, gwp_basis=ctx.gwp_basis, share=extra.pop("share", 1.0),
        method=method, data_quality=dq,
        calculation=[f"{fmt(q)} {unit_std}{what} × {fmt(factor.value)} {factor.unit} = {fmt(t)} tCO2e"
                     for q, t in zip(amount, gas_t)],
        **extra,
    )


def fuel_and_energy(ctx: CalcContext) -> list[pd.DataFrame]:
    parts = []
    fuels = fuel_rows(ctx.table("energy"))
    if not fuels.empty:
        for (site_id, fuel, unit_std), index in fuels.groupby(["site_id", "energy_type", "unit_std"]).groups.items():
            rows = fuels.loc[index]
            regions = ctx.regions_for_site(site_id)
            factor = ctx.factor(f"wtt.{fuel}", regions, rows, "energy", "energy_type")
            if factor is None:
                continue
            target = factor.denominator_kind
            conversion = ctx.fuels(regions).per_unit(fuel, _KIND[unit_std], target)
            if conversion is None:
                ctx.exclude("energy", rows, "factor-missing", "energy_type", activity=f"density.{fuel}",
                            where=f"to apply wtt.{fuel}")
                continue
            for used in conversion.factors:
                ctx.use(used)
            quantity = rows["quantity_std"] * conversion.value
            parts.append(
                _simple(ctx, rows, table="energy", category="3", activity=f"wtt.{fuel}", amount=quantity,
                        unit_std=_CANONICAL[target], factor=factor, method="average-data (well-to-tank)", dq=3, what="",
                        share=ctx.site_shares(rows["site_id"]))
            )
    grid = electricity_rows(ctx)
    for site_id, rows in (grid.groupby("site_id", sort=True) if len(grid) else ()):
        regions = ctx.regions_for_site(site_id)
        loss = ctx.factor("electricity.td_loss_rate", regions, rows, "energy", "energy_type")
        location = ctx.factor("electricity.grid", regions, rows, "energy", "energy_type")
        if loss is None or location is None:
            continue
        lost_mwh = rows["quantity_std"] * loss.value
        per_mwh = location.per_canonical("t")
        gas_t = lost_mwh * per_mwh
        parts.append(
            make_lines(
                rows, table="energy", scope="3", category="3", activity="electricity.td_losses",
                quantity_std=lost_mwh, unit_std="MWh", factor=location,
                factor_id=f"{loss.factor_id}+{location.factor_id}", factor_value=per_mwh, factor_unit="tCO2/MWh",
                gas=location.gas or "CO2", gas_t=gas_t, gwp=1.0, gwp_basis=ctx.gwp_basis,
                share=ctx.site_shares(rows["site_id"]), method="average-data (T&D losses)", data_quality=3,
                calculation=[f"{fmt(m)} MWh × {fmt(loss.value)} lost = {fmt(lm)} MWh × {fmt(per_mwh)} tCO2/MWh = {fmt(t)} tCO2"
                             for m, lm, t in zip(rows["quantity_std"], lost_mwh, gas_t)],
            )
        )
    return parts


def transport(ctx: CalcContext) -> list[pd.DataFrame]:
    table = ctx.table("transport")
    parts = []
    if table.empty:
        return parts
    tkm = table["tkm"].fillna(table["mass_t"] * table["distance_km"])
    table = table.assign(_tkm=tkm)[tkm.notna()]
    for (direction, mode), rows in table.groupby(["direction", "mode"], sort=True):
        factor = ctx.factor(f"freight.{mode}", [ctx.country], rows, "transport", "mode")
        if factor is None:
            continue
        parts.append(
            _simple(ctx, rows, table="transport", category="4" if direction == "upstream" else "9",
                    activity=f"freight.{mode}", amount=rows["_tkm"], unit_std="tkm", factor=factor,
                    method="distance-based", dq=3, what="", quantity=rows["_tkm"], unit="tkm")
        )
    return parts


def waste(ctx: CalcContext) -> list[pd.DataFrame]:
    table = ctx.table("waste")
    parts = []
    if table.empty:
        return parts
    table = table[table["quantity_std"].notna()]
    for (site_id, treatment, waste_type), rows in table.groupby(["site_id", "treatment", "waste_type"], sort=True):
        regions = ctx.regions_for_site(site_id)
        specific = f"waste.{treatment}.{waste_type}"
        activity = specific if ctx.resolver.resolve(specific, regions, ctx.year) else f"waste.{treatment}"
        factor = ctx.factor(activity, regions, rows, "waste", "waste_type")
        if factor is None:
            continue
        parts.append(
            _simple(ctx, rows, table="waste", category="5", activity=activity, amount=rows["quantity_std"],
                    unit_std="t", factor=factor, method="waste-type-specific", dq=3, what=f" {waste_type}",
                    share=ctx.site_shares(rows["site_id"]))
        )
    return parts


def travel(ctx: CalcContext) -> list[pd.DataFrame]:
    table = ctx.table("travel")
    parts = []
    if table.empty:
        return parts
    hotel = (table["mode"] == "hotel_night").to_numpy()
    by_distance = ~hotel & table["distance_km"].notna().to_numpy()
    by_nights = hotel & table["nights"].notna().to_numpy()
    for mode, rows in table[by_distance].groupby("mode", sort=True):
        factor = ctx.factor(f"travel.{mode}", [ctx.country], rows, "travel", "mode")
        if factor is not None:
            parts.append(
                _simple(ctx, rows, table="travel", category="6", activity=f"travel.{mode}",
                        amount=rows["distance_km"], unit_std="km", factor=factor, method="distance-based", dq=3,
                        what=" (passenger-km)", quantity=rows["distance_km"], unit="km",
                        share=ctx.site_shares(rows["site_id"]))
            )
    nights = table[by_nights]
    if len(nights):
        factor = ctx.factor("travel.hotel_night", [ctx.country], nights, "travel", "mode")
        if factor is not None:
            parts.append(
                _simple(ctx, nights, table="travel", category="6", activity="travel.hotel_night",
                        amount=nights["nights"], unit_std="night", factor=factor, method="average-data", dq=3,
                        what="", quantity=nights["nights"], unit="night", share=ctx.site_shares(nights["site_id"]))
            )
    # A hotel row needs nights and a journey needs distance; a row with neither is calculated from its spend.
    misfit = ~by_distance & ~by_nights & table["spend"].isna().to_numpy()
    for hotel_row, rows in table[misfit].groupby(hotel[misfit]):
        ctx.exclude("travel", rows, "travel-without-amount", "nights" if hotel_row else "distance_km",
                    needs="nights" if hotel_row else "distance_km")
    spend = table[~by_distance & ~by_nights & table["spend"].notna().to_numpy()]
    currency = spend["currency"].astype(object).where(spend["currency"].notna(), ctx.organization.get("currency") or "CNY")
    for currency_text, rows in spend.groupby(currency, sort=True):
        line = spend_lines(ctx, rows, "spend.travel", [ctx.country], str(currency_text), ctx.site_shares(rows["site_id"]),
                           "travel", "spend", category="6", data_quality=4)
        if line is not None:
            parts.append(line)
    return parts


def commuting(ctx: CalcContext) -> list[pd.DataFrame]:
    table = ctx.table("commuting")
    parts = []
    if table.empty:
        return parts
    days = table["working_days"].astype("Float64").fillna(ctx.options.working_days).astype("float64")
    pkm = table["employees"].astype("float64") * table["distance_km_per_day"] * days
    table = table.assign(_pkm=pkm, _days=days)
    for mode, rows in table.groupby("mode", sort=True):
        factor = ctx.factor(f"commuting.{mode}", [ctx.country], rows, "commuting", "mode")
        if factor is None:
            continue
        per_km = factor.per_canonical("t")
        gas_t = rows["_pkm"] * per_km
        parts.append(
            make_lines(
                rows, table="commuting", scope="3", category="7", activity=f"commuting.{mode}",
                quantity_std=rows["_pkm"], unit_std="km", quantity=rows["employees"], unit="employees",
                factor=factor, factor_value=per_km, factor_unit="tCO2e/km", gas=factor.gas or "CO2e", gas_t=gas_t,
                gwp=1.0, gwp_basis=ctx.gwp_basis, share=ctx.site_shares(rows["site_id"]), method="distance-based",
                data_quality=4,
                calculation=[f"{int(e)} employees × {fmt(d)} km × {int(w)} days = {fmt(p)} passenger-km × "
                             f"{fmt(factor.value)} {factor.unit} = {fmt(t)} tCO2e"
                             for e, d, w, p, t in zip(rows["employees"], rows["distance_km_per_day"], rows["_days"],
                                                      rows["_pkm"], gas_t)],
            )
        )
    return parts
