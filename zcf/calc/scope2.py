"""Scope 2: purchased electricity (location- and market-based), steam and heat.

Location-based: MWh × grid factor of the site: the most specific region (province →
grid region → country) with a factor of the grid vintage — one year for this, the residual
factor and category 11 (zcf.toml ``[factors] vintage``, :mod:`zcf.factors.vintage`); a year
before the reporting year is warned.

Market-based (GHG Protocol Scope 2 Guidance, quality criteria): renewable
instruments (绿证, 绿电交易, PPAs, I-RECs) cover grid electricity of their own site
and period — monthly instruments their month, yearly ones what is left of the year,
spread over the months in proportion — never more than was consumed (the surplus is
a warning), each certificate once, and only while valid for that consumption: a vintage
after it, or a certificate expired under the rule of zcf.toml ``[factors] certificates``
(``instruments.toml``: by default the NEA 2024 GEC rules, 2 years from the production
month), is not applied and is warned. The rest is at ``electricity.residual_mix`` for
the site's regions (in the library: the MEE national average excluding market-traded
non-fossil electricity), else at the location-based grid factor; the choice is in
results.json. Onsite solar and wind consumed are zero-emission in both methods;
purchased steam and heat use ``heat.purchased`` in both. Electricity generated on site
from fuels (supply ``onsite``, e.g. a CHP) has no lines: the fuel that made it is in
Scope 1 (the ledger records why, ``onsite-electricity-from-fuel``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from zcf.calc.context import CalcContext
from zcf.calc.lines import fmt, fmts, make_lines, words
from zcf.units import ratio

ONSITE = ("onsite_solar", "onsite_wind")
DIRECT = "direct"  # electricity by a direct line from a nearby renewable plant (隔墙售电)
ONSITE_FROM_FUEL = "onsite"  # supply of electricity generated on site; solar and wind have their own energy types


@dataclass
class MarketBasis:
    residual_activity: str | None = None  # "electricity.residual_mix" or None (location factor used)
    residual_factor_ids: tuple[str, ...] = ()


def electricity_rows(ctx: CalcContext) -> pd.DataFrame:
    """Grid electricity: rows with emissions in Scope 2 (and T&D losses in Scope 3 category 3)."""
    energy = ctx.table("energy")
    if energy.empty:
        return energy
    # Electricity made on site from fuels (supply "onsite", e.g. a CHP) is already in Scope 1;
    # direct-line renewable electricity is zero-emission like onsite solar.
    supplied = ~energy["supply"].fillna("grid").isin([ONSITE_FROM_FUEL, DIRECT])
    return energy[(energy["energy_type"] == "electricity") & energy["quantity_std"].notna() & supplied]


def generated_from_fuel_rows(energy: pd.DataFrame) -> pd.DataFrame:
    """Electricity made on site from fuels (supply ``onsite``, e.g. a CHP): its fuel is in Scope 1 already."""
    if energy.empty:
        return energy
    return energy[(energy["energy_type"] == "electricity") & (energy["supply"] == ONSITE_FROM_FUEL)
                  & energy["quantity_std"].notna()]


def scope2(ctx: CalcContext) -> tuple[list[pd.DataFrame], MarketBasis]:
    parts: list[pd.DataFrame] = []
    basis = MarketBasis()
    energy = ctx.table("energy")
    if energy.empty:
        return parts, basis
    grid = electricity_rows(ctx)
    for site_id, rows in grid.groupby("site_id", sort=True):
        regions = ctx.regions_for_site(site_id)
        share = ctx.site_shares(rows["site_id"])
        location = ctx.grid_factor("scope2_location", "electricity.grid", regions, site_id, rows, "energy", "energy_type")
        if location is None:
            continue
        parts.append(_electricity_lines(ctx, rows, location, share, "location", "location-based grid average"))
        residual = None
        if ctx.resolver.knows("electricity.residual_mix") and (
                ctx.resolver.library_years("electricity.residual_mix", regions)
                or ctx.resolver.user_factor("electricity.residual_mix", regions, ctx.year)):
            residual = ctx.grid_factor("scope2_residual", "electricity.residual_mix", regions, site_id)
        if residual is not None:
            residual_factor = residual
            basis.residual_activity = "electricity.residual_mix"
            basis.residual_factor_ids = tuple(sorted({*basis.residual_factor_ids, residual_factor.factor_id}))
        else:
            residual_factor = location
        covered, instrument_lines = _apply_instruments(ctx, site_id, rows, share)
        parts += instrument_lines
        rest = rows["quantity_std"] - covered
        rest_rows = rows[rest.to_numpy() > 0]
        if len(rest_rows):
            parts.append(
                _electricity_lines(
                    ctx, rest_rows, residual_factor, share[rest_rows.index], "market",
                    "market-based residual" if residual is not None else "market-based, location factor (no residual mix)",
                    mwh=rest[rest_rows.index],
                )
            )
    _unmatched_instruments(ctx, set(grid["site_id"]))
    ctx.exclude("energy", generated_from_fuel_rows(energy), "onsite-electricity-from-fuel", "supply")
    parts += _onsite(ctx, energy)
    parts += _heat(ctx, energy)
    return parts, basis


def _unmatched_instruments(ctx: CalcContext, sites_with_grid: set) -> None:
    instruments = ctx.table("renewable_instruments")
    if instruments.empty:
        return
    unmatched = instruments[~instruments["site_id"].isin(sites_with_grid)]
    ctx.exclude("renewable_instruments", unmatched, "instrument-no-grid-electricity", "site_id")


def _electricity_lines(ctx, rows, factor, share, method_name, method, mwh=None):
    mwh = rows["quantity_std"] if mwh is None else mwh
    per_mwh = factor.per_canonical("t")
    gas_t = mwh * per_mwh
    return make_lines(
        rows, table="energy", scope="2", category="electricity", scope2_method=method_name,
        activity=factor.activity, quantity_std=mwh, unit_std="MWh", factor=factor, factor_value=per_mwh,
        factor_unit="tCO2/MWh", gas=factor.gas or "CO2", gas_t=gas_t, gwp=1.0, gwp_basis=ctx.gwp_basis,
        share=share, method=method, data_quality=2,
        calculation=words(fmts(mwh), f" MWh × {fmt(per_mwh)} tCO2/MWh = ", fmts(gas_t), " tCO2"),
    )


def _apply_instruments(ctx: CalcContext, site_id: str, rows: pd.DataFrame, share: pd.Series):
    """MWh of each electricity row covered by instruments, and the instrument lines."""
    covered = pd.Series(0.0, index=rows.index)
    instruments = ctx.table("renewable_instruments")
    if instruments.empty:
        return covered, []
    mine = instruments[(instruments["site_id"] == site_id) & instruments["quantity_mwh"].notna()]
    other_year = (mine["period_year"] != ctx.year).fillna(True).to_numpy(dtype=bool)
    ctx.exclude("renewable_instruments", mine[other_year], "instrument-other-year", "period", year=ctx.year)
    mine = mine[~other_year]
    mine = _valid_vintages(ctx, mine)
    repeated = mine["certificate_id"].notna().to_numpy() & mine.duplicated(subset=["certificate_id"], keep="first").to_numpy()
    ctx.exclude("renewable_instruments", mine[repeated], "instrument-repeated", "certificate_id")
    mine = mine[~repeated]
    lines: list[pd.DataFrame] = []
    months = rows["period_month"].astype("Int64")
    remaining = rows["quantity_std"].astype("float64").copy()

    def allocate(instrument, eligible: np.ndarray, label: str):
        pool = remaining[eligible]
        available = float(pool.sum())
        claimed = float(instrument["quantity_mwh"])
        used = min(claimed, available)
        if used <= 0:
            if claimed > 0:
                ctx.exclude("renewable_instruments", [instrument.name], "instrument-unused", "quantity_mwh",
                            site_id=site_id, period=label)
            else:
                ctx.ledger.use("renewable_instruments", [instrument.name])  # a zero claim: nothing to apply
            return
        ctx.ledger.use("renewable_instruments", [instrument.name])
        if claimed > available + 1e-9:
            ctx.exclude("renewable_instruments", [instrument.name], "instrument-surplus", "quantity_mwh",
                        site_id=site_id, period=label, claimed=fmt(claimed), used=fmt(available),
                        surplus=fmt(claimed - available))
        portion = pool / available * used  # pro rata over the eligible rows
        remaining[pool.index] -= portion
        covered[pool.index] += portion
        lines.append(_instrument_lines(ctx, rows.loc[pool.index], portion, instrument, share[pool.index]))

    # Monthly (and daily) instruments first, on their own month; then yearly ones on what is left.
    for _, instrument in mine[mine["period_month"].notna()].iterrows():
        month = int(instrument["period_month"])
        allocate(instrument, (months == month).fillna(False).to_numpy(), instrument["period"])
    for _, instrument in mine[mine["period_month"].isna()].iterrows():
        allocate(instrument, np.ones(len(rows), dtype=bool), instrument["period"])
    return covered, lines


def _valid_vintages(ctx: CalcContext, instruments: pd.DataFrame) -> pd.DataFrame:
    """Instruments valid for their consumption year under zcf.toml ``[factors] certificates`` (instruments.toml);
    the others are excluded with the rule (a vintage after the consumption, an expired certificate)."""
    from zcf.factors.certificates import check, rule

    chosen = rule(ctx.options.factors.certificates)
    refused: dict[tuple, list] = {}
    unknown: list = []
    for label, instrument in instruments.iterrows():
        vintage = instrument.get("vintage_year")
        vintage = None if vintage is None or pd.isna(vintage) else int(vintage)
        found = check(chosen, str(instrument["instrument"]), vintage, int(instrument["period_year"]))
        if found is not None:
            code, params = found
            refused.setdefault((code, tuple(sorted(params.items()))), []).append(label)
        elif vintage is None and instrument["instrument"] in chosen.instruments:
            unknown.append(label)
    for (code, params), labels in refused.items():
        ctx.exclude("renewable_instruments", labels, code, "vintage_year", **dict(params))
    if unknown:
        ctx.note("renewable_instruments", unknown, "instrument-vintage-unknown", "vintage_year", rule=chosen.title_en,
                 rule_zh=chosen.title_zh)
    gone = [label for labels in refused.values() for label in labels]
    return instruments.drop(index=gone)


def _instrument_lines(ctx, rows, portion, instrument, share):
    ef = instrument.get("emission_factor")
    ef = 0.0 if ef is None or pd.isna(ef) else float(ef)  # kgCO2e/kWh = tCO2e/MWh
    gas_t = portion * ef
    certificate = instrument.get("certificate_id")
    kind = instrument["instrument"]
    where = f"{instrument['_source_file']}:{instrument['_source_sheet'] or ''}!{instrument['_source_row']}"
    return make_lines(
        rows, table="energy", scope="2", category="electricity", scope2_method="market",
        activity=f"electricity.instrument.{kind}", quantity_std=portion, unit_std="MWh", factor=None,
        factor_id=f"instrument:{certificate if isinstance(certificate, str) else where}",
        factor_source=f"renewable_instruments {where} ({kind}, {instrument['period']})",
        factor_value=ef, factor_unit="tCO2e/MWh", gas="CO2e", gas_t=gas_t, gwp=1.0, gwp_basis=ctx.gwp_basis,
        share=share, method=f"market-based: {kind}", data_quality=1,
        calculation=[f"{fmt(m)} MWh covered by {kind} {certificate if isinstance(certificate, str) else ''} "
                     f"× {fmt(ef)} tCO2e/MWh = {fmt(t)} tCO2e" for m, t in zip(portion, gas_t)],
    )


def zero_emission_rows(energy: pd.DataFrame) -> pd.DataFrame:
    """Onsite solar/wind and direct-line renewable electricity consumed."""
    if energy.empty:
        return energy
    direct = (energy["energy_type"] == "electricity") & (energy["supply"] == DIRECT)
    return energy[(energy["energy_type"].isin(ONSITE) | direct) & energy["quantity_std"].notna()]


def _onsite(ctx: CalcContext, energy: pd.DataFrame) -> list[pd.DataFrame]:
    rows = zero_emission_rows(energy)
    if rows.empty:
        return []
    factor = ctx.factor("electricity.onsite_renewable", [])
    share = ctx.site_shares(rows["site_id"])
    return [
        make_lines(
            rows, table="energy", scope="2", category="electricity", scope2_method=method,
            activity="electricity.onsite_renewable", quantity_std=rows["quantity_std"], unit_std="MWh",
            factor=factor, factor_value=0.0, factor_unit="tCO2e/MWh", gas="CO2e",
            gas_t=rows["quantity_std"] * 0.0, gwp=1.0, gwp_basis=ctx.gwp_basis, share=share,
            method="onsite renewable consumed", data_quality=1,
            calculation=words(fmts(rows["quantity_std"]), " MWh onsite renewable × 0 = 0 tCO2e"),
        )
        for method in ("location", "market")
    ]


def _heat(ctx: CalcContext, energy: pd.DataFrame) -> list[pd.DataFrame]:
    rows = energy[energy["energy_type"].isin(["steam", "heat"]) & energy["quantity_std"].notna()]
    parts = []
    for site_id, site_rows in rows.groupby("site_id", sort=True):
        factor = ctx.factor("heat.purchased", ctx.regions_for_site(site_id), site_rows, "energy", "energy_type")
        if factor is None:
            continue
        per_mwh = factor.per_canonical("t")
        gj = site_rows["quantity_std"] * ratio("MWh", "GJ")
        gas_t = site_rows["quantity_std"] * per_mwh
        share = ctx.site_shares(site_rows["site_id"])
        for method in ("location", "market"):
            parts.append(
                make_lines(
                    site_rows, table="energy", scope="2", category="steam_heat", scope2_method=method,
                    activity="heat.purchased", quantity_std=site_rows["quantity_std"], unit_std="MWh", factor=factor,
                    factor_value=per_mwh, factor_unit="tCO2/MWh", gas=factor.gas or "CO2", gas_t=gas_t, gwp=1.0,
                    gwp_basis=ctx.gwp_basis, share=share, method="purchased heat factor", data_quality=2,
                    calculation=words(fmts(gj), f" GJ × {fmt(factor.value)} {factor.unit} = ", fmts(gas_t),
                                      " tCO2"),
                )
            )
    return parts
