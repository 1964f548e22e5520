"""Scope 3 categories computed as activity × factor from their own tables.

* 3  fuel- and energy-related: well-to-tank of fuels burnt (``wtt.<fuel>``, 3a); upstream
     emissions of grid electricity consumed (``electricity.upstream`` × MWh, 3b — not
     calculated, with the reason, where no such factor is given); transmission and
     distribution losses of grid electricity (3c): by default MWh × loss rate × the
     location-based (generation) factor, as the GHG Protocol Scope 3 Technical Guidance's
     Example 3.1 does; with zcf.toml ``[factors] td_losses = "supply-based"``, MWh × L ÷ (1 − L)
     × the factor, for a loss rate defined against electricity supplied (the CEC 线损率);
     3d (electricity bought for resale) does not apply to a manufacturer;
* 4 / 9 transport: t·km (``tkm`` or ``mass_t`` × ``distance_km``) × ``freight.<mode>``;
* 5  waste: t × ``waste.<treatment>.<waste_type>``, else ``waste.<treatment>``; incinerated
     waste with a ``waste_fossil_carbon.<waste_type>`` factor (hazardous waste in the library)
     also gets its fossil CO2: t × fossil carbon × oxidation 1.0 × 44/12 (IPCC 2006 Vol. 5 Eq. 5.2);
* 6  business travel: passenger-km × ``travel.<mode>``, room-nights × ``travel.hotel_night``,
     or spend × ``spend.travel``;
* 7  commuting: employees × km per day × working days × ``commuting.<mode>``.
"""

from __future__ import annotations

import pandas as pd

from zcf.calc.context import CalcContext
from zcf.calc.lines import fmt, fmts, joined_ids, make_lines, words
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
        calculation=words(fmts(amount), f" {unit_std}{what} × {fmt(factor.value)} {factor.unit} = ", fmts(gas_t),
                          " tCO2e"),
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
                        share=ctx.site_shares(rows["site_id"]), factor_id=joined_ids(*conversion.factors, factor))
            )
    if not fuels.empty:
        ctx.category3_parts["3a"] = {"status": "calculated" if parts else "not_calculated",
                                     "method": "fuel quantity → energy (NCV) × well-to-tank factor"}
    grid = electricity_rows(ctx)
    for site_id, rows in (grid.groupby("site_id", sort=True) if len(grid) else ()):
        regions = ctx.regions_for_site(site_id)
        share = ctx.site_shares(rows["site_id"])
        location = ctx.grid_factor("scope2_location", "electricity.grid", regions, site_id, rows, "energy",
                                   "energy_type")
        if location is None:
            continue
        parts += _upstream_electricity(ctx, site_id, rows, regions, share)
        loss = ctx.factor("electricity.td_loss_rate", regions, rows, "energy", "energy_type")
        if loss is not None:
            parts.append(_td_losses(ctx, rows, loss, location, share))
    sites = ctx.category3_parts.pop("3b", None)
    if sites is not None:
        status = "calculated" if not sites["missing"] else "partial" if sites["calculated"] else "not_calculated"
        ctx.category3_parts["3b"] = {"status": status, "method": "MWh consumed × electricity.upstream"}
        if sites["missing"]:
            ctx.category3_parts["3b"].update(not_calculated_for=sites["missing"], reason=NO_UPSTREAM[0],
                                             reason_zh=NO_UPSTREAM[1])
            ctx.report("cat3b-not-calculated", where=", ".join(sites["missing"]),
                       reason=f"{NO_UPSTREAM[0]}; {UPSTREAM_ACTION[0]}", reason_zh=f"{NO_UPSTREAM[1]}；{UPSTREAM_ACTION[1]}")
    return parts


def _td_losses(ctx: CalcContext, rows: pd.DataFrame, loss, location, share) -> pd.DataFrame:
    """Category 3c: the generation of electricity lost in transmission and distribution (zcf.factors.policy)."""
    from zcf.factors.policy import TD_TEXT, td_factor

    method = ctx.options.factors.td_losses
    per_consumed = td_factor(method, loss.value)  # MWh lost per MWh consumed
    lost_mwh = rows["quantity_std"] * per_consumed
    per_mwh = location.per_canonical("t")
    gas_t = lost_mwh * per_mwh
    ctx.category3_parts["3c"] = {"status": "calculated", "method": method, "formula": TD_TEXT[method][0],
                                 "formula_zh": TD_TEXT[method][1], "loss_rate_factor_id": loss.factor_id,
                                 "loss_rate": loss.value, "loss_rate_definition": loss.notes}
    if method == "supply-based":
        how = words(fmts(rows["quantity_std"]), f" MWh × {fmt(loss.value)} ÷ (1 − {fmt(loss.value)}) = ",
                    fmts(lost_mwh), " MWh lost")
    else:
        how = words(fmts(rows["quantity_std"]), f" MWh × {fmt(loss.value)} lost = ", fmts(lost_mwh), " MWh")
    return make_lines(
        rows, table="energy", scope="3", category="3", activity="electricity.td_losses",
        quantity_std=lost_mwh, unit_std="MWh", factor=location,
        factor_id=f"{loss.factor_id}+{location.factor_id}", factor_value=per_mwh, factor_unit="tCO2/MWh",
        gas=location.gas or "CO2", gas_t=gas_t, gwp=1.0, gwp_basis=ctx.gwp_basis, share=share,
        method=f"average-data (T&D losses, {method})", data_quality=3,
        calculation=words(how, f" × {fmt(per_mwh)} tCO2/MWh ({location.factor_id}) = ", fmts(gas_t), " tCO2"),
    )


def _upstream_electricity(ctx: CalcContext, site_id: str, rows: pd.DataFrame, regions: list[str], share) -> list:
    """Category 3b: MWh consumed × ``electricity.upstream``; where no such factor exists, the gap and its reason."""
    found = ctx.resolver.resolve("electricity.upstream", regions, ctx.year)
    if found is None:
        where = ", ".join(r for r in regions if r)
        ctx.category3_parts.setdefault("3b", {"calculated": [], "missing": []})["missing"].append(f"{site_id} ({where})")
        return []
    factor = ctx.factor("electricity.upstream", regions)
    ctx.category3_parts.setdefault("3b", {"calculated": [], "missing": []})["calculated"].append(site_id)
    return [_simple(ctx, rows, table="energy", category="3", activity="electricity.upstream",
                    amount=rows["quantity_std"], unit_std="MWh", factor=factor,
                    method="average-data (upstream of purchased electricity)", dq=3, what=" consumed", share=share)]


NO_UPSTREAM = (  # the fact, for the disclosure
    "no upstream-only factor for Chinese grid electricity is published: the MEE/NBS/NEA 2023 electricity carbon-footprint "
    "factor (0.6205 kgCO2e/kWh, announcement of 2025-01-17) is life-cycle and includes generation and T&D, so subtracting "
    "the grid CO2 factor would mix methods and double-count category 3c",
    "尚无公开的中国电网电力“仅上游”排放因子：生态环境部、国家统计局、国家能源局发布的2023年电力碳足迹因子"
    "（0.6205 kgCO2e/kWh，2025年1月17日公告）为全生命周期因子，包含发电与输配电，减去电网二氧化碳排放因子会混用方法并与类别3中的输配电损耗重复计算",
)
UPSTREAM_ACTION = (  # what the preparer can do, for the warning and the to-do list
    "give an electricity.upstream factor (kgCO2e/kWh) in the factors sheet to calculate it",
    "在排放因子表中提供 electricity.upstream 因子（kgCO2e/kWh）即可计算",
)


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
        if treatment == "incineration":
            parts += _fossil_co2(ctx, rows, waste_type, regions)
    return parts


OXIDISED_IN_INCINERATION = 1.0  # IPCC 2006 Vol. 5 Ch. 5: oxidation factor of incineration, 100 %


def _fossil_co2(ctx: CalcContext, rows: pd.DataFrame, waste_type: str, regions: list[str]) -> list[pd.DataFrame]:
    """Fossil CO2 of burnt waste: t × fossil carbon (tC/t) × oxidation × 44/12 (IPCC 2006 Vol. 5, Equation 5.2)."""
    from zcf.calc.scope1 import CO2_PER_C

    activity = f"waste_fossil_carbon.{waste_type}"
    if ctx.resolver.resolve(activity, regions, ctx.year) is None:
        return []
    carbon = ctx.factor(activity, regions)
    tc_per_t = carbon.per_canonical("t")
    tonnes = rows["quantity_std"]
    gas_t = tonnes * tc_per_t * OXIDISED_IN_INCINERATION * CO2_PER_C
    return [make_lines(
        rows, table="waste", scope="3", category="5", activity=activity, quantity_std=tonnes, unit_std="t",
        factor=carbon, factor_value=tc_per_t * OXIDISED_IN_INCINERATION * CO2_PER_C, factor_unit="tCO2/t", gas="CO2",
        gas_t=gas_t, gwp=1.0, gwp_basis=ctx.gwp_basis, share=ctx.site_shares(rows["site_id"]),
        method="fossil CO2 of incineration (IPCC 2006)", data_quality=4,
        calculation=[f"{fmt(q)} t {waste_type} × {fmt(carbon.value)} {carbon.unit} fossil carbon × "
                     f"{fmt(OXIDISED_IN_INCINERATION)} oxidised × 44/12 = {fmt(t)} tCO2" for q, t in zip(tonnes, gas_t)],
    )]


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
