"""Scope 3 categories 1 (purchased goods and services) and 2 (capital goods).

Each purchase row takes the best method its data allows, in the GHG Protocol Scope 3
hierarchy, and records it with a data-quality score (1 best – 5 worst):

1. supplier-specific: quantity × the supplier's product carbon footprint per unit, or the
   footprint given as the row's total (score 1 when third-party verified, else 2) — the row's
   own ``supplier_pcf``, else a record of the ``supplier_pcfs`` table that is for it
   (:mod:`zcf.calc.scope3.supplier_pcfs`; an estimated one scores 3);
2. average-data: quantity × ``material.<material>`` for the supplier's region chain (province,
   country, GLOBAL) — score 3; where only another region has a factor, one the library marks as a
   proxy (or one of zcf.toml ``[factors] fallback_regions``) is used with a warning — score 4;
3. spend-based: spend converted to CNY (:mod:`zcf.calc.money`) × ``spend.<sector>`` as tCO2e per
   CNY (score 4), or ``spend.average_manufacturing`` when no sector is given (score 5).

A row that asked for a better method than it got (a material without a factor for its region, a
material factor per kWh for a quantity in pieces, a material without a quantity) is calculated
with the next method and named in a warning (``method-fallback``); a row no method fits is excluded
with the reason (``no-method``). Emissions carry the boundary share of the row's site.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zcf.calc import money
from zcf.calc.context import CalcContext
from zcf.calc.exact import row_codes
from zcf.calc.lines import fmt, fmts, make_lines, texts, words
from zcf.calc.scope3 import supplier_pcfs
from zcf.ingest.selectors import pcf_unit_kind
from zcf.units import parse_currency, parse_emissions_total, parse_factor_unit

KIND_UNIT = {"t": "mass", "m3": "volume", "MWh": "energy", "piece": "count"}
FALLBACK_SECTOR = "average_manufacturing"
METHOD_ZH = {"average-data": "平均数据法", "spend-based": "支出法"}


class _Fallbacks:
    """Why rows did not get the method their data asked for: (code params) per row, first reason kept."""

    def __init__(self) -> None:
        self.reasons: dict[object, tuple] = {}

    def add(self, index, why: str, why_zh: str) -> None:
        for label in index:
            self.reasons.setdefault(label, (why, why_zh))

    def report(self, ctx: CalcContext, calculated: pd.Index, method: str) -> None:
        """A warning for the rows of ``calculated`` that had a reason, grouped by reason."""
        by_reason: dict[tuple, list] = {}
        for label in calculated:
            if label in self.reasons:
                by_reason.setdefault(self.reasons.pop(label), []).append(label)
        for (why, why_zh), labels in by_reason.items():
            ctx.note("purchases", labels, "method-fallback", "material", why=why, why_zh=why_zh, method=method,
                     method_zh=METHOD_ZH.get(method, method))


def purchases(ctx: CalcContext) -> list[pd.DataFrame]:
    table = ctx.table("purchases")
    if table.empty:
        return []
    share = ctx.site_shares(table["site_id"]) if "site_id" in table else pd.Series(1.0, index=table.index)
    done = pd.Series(False, index=table.index)
    fallbacks = _Fallbacks()
    parts = _supplier_specific(ctx, table, share, done)
    parts += _matched_footprints(ctx, table, share, done, fallbacks)
    parts += _average_data(ctx, table, share, done, fallbacks)
    parts += _spend_based(ctx, table, share, done, fallbacks)
    left = table[~done.to_numpy()]
    for (why, why_zh), labels in _group_reasons(left.index, fallbacks).items():
        ctx.exclude("purchases", labels, "no-method", "material", reason=why, reason_zh=why_zh)
    ctx.purchase_spend_cny = spend_in_cny(ctx, table)
    return parts


def spend_in_cny(ctx: CalcContext, table: pd.DataFrame) -> pd.Series:
    """Each purchase row's spend in CNY (NaN without spend or rate), for coverage shares."""
    out = pd.Series(np.nan, index=table.index, dtype="float64")
    with_spend = table[table["spend"].notna()]
    default_currency = str(ctx.organization.get("currency") or money.BASE_CURRENCY)
    currency = with_spend["currency"].astype(object).where(with_spend["currency"].notna(), default_currency)
    for currency_text, rows in with_spend.groupby(currency, sort=True):
        parsed = parse_currency(str(currency_text))
        rate = money.rate(ctx, parsed.code)
        if rate is not None:
            out[rows.index] = rows["spend"].astype("float64") * parsed.multiplier * rate.cny_per_unit
    return out


def _group_reasons(index: pd.Index, fallbacks: _Fallbacks) -> dict[tuple, list]:
    out: dict[tuple, list] = {}
    default = ("no quantity with a material factor or a supplier footprint, and no spend",
               "既无可匹配材料因子或供应商碳足迹的数量，也无采购金额")
    for label in index:
        out.setdefault(fallbacks.reasons.get(label, default), []).append(label)
    return out


def _supplier_specific(ctx: CalcContext, table: pd.DataFrame, share: pd.Series, done: pd.Series) -> list[pd.DataFrame]:
    has_pcf = (table["supplier_pcf"].notna() & table["pcf_unit"].notna()).to_numpy()
    parts: list[pd.DataFrame] = []
    for pcf_unit, rows in table[has_pcf].groupby("pcf_unit", sort=True):
        kind = pcf_unit_kind(pcf_unit)
        verified = rows["pcf_verified"].fillna(False).astype(bool)
        source = rows["supplier_id"].astype(str).radd("supplier ") + " " + rows["pcf_reference"].fillna("")
        factor_id = rows["pcf_reference"].fillna("supplier PCF").astype(str).radd("pcf:")
        if kind == "total":
            _, t_per_unit = parse_emissions_total(pcf_unit)
            gas_t = rows["supplier_pcf"] * t_per_unit
            parts.append(make_lines(
                rows, table="purchases", scope="3", category=_category(rows), activity="purchase.supplier_pcf",
                quantity=rows["supplier_pcf"], unit=pcf_unit, quantity_std=pd.Series(1.0, index=rows.index),
                unit_std="row", factor=None, factor_id=factor_id, factor_source=source, factor_value=gas_t,
                factor_unit="tCO2e/row", gas="CO2e", gas_t=gas_t, gwp=1.0, gwp_basis=ctx.gwp_basis,
                share=share[rows.index], method="supplier-specific", data_quality=np.where(verified, 1, 2),
                calculation=[f"supplier footprint of the row {fmt(p)} {pcf_unit} = {fmt(t)} tCO2e"
                             for p, t in zip(rows["supplier_pcf"], gas_t)],
            ))
            done[rows.index] = True
            continue
        rows = rows[(rows["unit_std"].map(KIND_UNIT) == kind).to_numpy() & rows["quantity_std"].notna().to_numpy()]
        if rows.empty:  # ingest refuses these; kept so that nothing is ever silently lost
            continue
        for unit_std, group in rows.groupby("unit_std", sort=True):
            pcf_t = group["supplier_pcf"] * parse_factor_unit(pcf_unit).per_canonical("t")
            gas_t = group["quantity_std"] * pcf_t
            parts.append(make_lines(
                group, table="purchases", scope="3", category=_category(group), activity="purchase.supplier_pcf",
                quantity_std=group["quantity_std"], unit_std=unit_std, factor=None, factor_id=factor_id[group.index],
                factor_source=source[group.index], factor_value=pcf_t, factor_unit=f"tCO2e/{unit_std}", gas="CO2e",
                gas_t=gas_t, gwp=1.0, gwp_basis=ctx.gwp_basis, share=share[group.index], method="supplier-specific",
                data_quality=np.where(verified[group.index], 1, 2),
                calculation=[f"{fmt(q)} {u} × {fmt(p)} {pcf_unit} = {fmt(t)} tCO2e" for q, u, p, t in
                             zip(group["quantity"], group["unit"], group["supplier_pcf"], gas_t)],
            ))
            done[group.index] = True
    return parts


def _matched_footprints(ctx: CalcContext, table: pd.DataFrame, share: pd.Series, done: pd.Series,
                        fallbacks: _Fallbacks) -> list[pd.DataFrame]:
    """Rows without their own footprint that a record of the supplier_pcfs table is for."""
    everything = ctx.table("supplier_pcfs")
    if everything.empty:
        return []
    pcfs = supplier_pcfs.usable(ctx)
    open_rows = table[~done.to_numpy()]
    stale = set(everything["pcf_id"].astype(str)) - set(pcfs["pcf_id"].astype(str))
    named_stale = open_rows[open_rows["pcf_reference"].isin(stale).to_numpy(dtype=bool)]
    for reference, rows in named_stale.groupby("pcf_reference"):
        fallbacks.add(rows.index, f"the footprint it names ({reference}) cannot be used in {ctx.year}",
                      f"所引用的碳足迹（{reference}）不能用于 {ctx.year} 年")
    matched = supplier_pcfs.match(ctx, open_rows, pcfs)
    parts, used = _footprint_lines(ctx, table, pcfs, matched[matched.notna().to_numpy()], share, done, fallbacks)
    supplier_pcfs.account_unmatched(ctx, pcfs, used)
    return parts


def _footprint_lines(ctx: CalcContext, table: pd.DataFrame, pcfs: pd.DataFrame, matched: pd.Series, share: pd.Series,
                     done: pd.Series, fallbacks: _Fallbacks) -> tuple[list, set]:
    """Lines of the purchase rows ``matched`` (row label → footprint label), and the footprints used."""
    if matched.empty:
        return [], set()
    pcf_order = {label: i for i, label in enumerate(pd.unique(matched.to_numpy(dtype=object)))}  # first matched first
    rows = table.loc[matched.index]
    no_quantity = rows["quantity_std"].isna().to_numpy()
    for pcf_label, labels in matched[no_quantity].groupby(matched[no_quantity], sort=False):
        fallbacks.add(labels.index, f"footprint {pcfs.at[pcf_label, 'pcf_id']} matches but the row has no quantity",
                      f"碳足迹 {pcfs.at[pcf_label, 'pcf_id']} 匹配，但此行没有数量")
    rows, matched = rows[~no_quantity], matched[~no_quantity]
    # tCO2e per canonical unit, once per (footprint, unit) pair
    (pair,) = row_codes((matched, rows["unit_std"]))
    per_pair = np.full(int(pair.max(initial=-1)) + 1, np.nan)
    _, first = np.unique(pair, return_index=True)
    for k in first.tolist():
        pcf = pcfs.loc[matched.iat[k]]
        value = supplier_pcfs.per_unit(pcf, rows["unit_std"].iat[k])
        if value is not None:
            per_pair[pair[k]] = value
            continue
        unit = rows["unit"].iat[k]
        fallbacks.add(rows.index[pair == pair[k]],
                      f"footprint {pcf['pcf_id']} is per {pcf['declared_unit']} but the purchase is in {unit}; "
                      "give product_mass_kg to convert",
                      f"碳足迹 {pcf['pcf_id']} 按 {pcf['declared_unit']} 计，但采购单位为 {unit}；请填写单位产品质量以换算")
    t_per_unit = per_pair[pair]
    # lines by footprint (first matched first), unit, then row
    order = np.lexsort((np.arange(len(rows)), rows["unit_std"].astype(str).to_numpy(dtype=object).astype(str),
                        matched.map(pcf_order).to_numpy(dtype=np.int64)))
    order = order[~np.isnan(t_per_unit[order])]
    if not len(order):
        return [], set()
    rows, labels, t_per_unit = rows.iloc[order], matched.iloc[order], t_per_unit[order]
    # what is said of each footprint, once per footprint, then taken for each of its lines
    used = pd.unique(labels.to_numpy(dtype=object))
    which = pd.Index(used).get_indexer(labels.to_numpy(dtype=object))
    info = pcfs.loc[used]
    ids = info["pcf_id"].astype(str).tolist()
    factor_id = np.array(["pcf:" + i for i in ids], dtype=object)[which]
    source = np.array([f"supplier_pcfs {i}" + (f" ({s})" if isinstance(s, str) else "")
                       for i, s in zip(ids, info["source"].tolist())], dtype=object)[which]
    quality = np.array([supplier_pcfs.data_quality(pcf) for _, pcf in info.iterrows()], dtype=np.int64)[which]
    per_declared = np.array([f" × {fmt(kg)} kgCO2e per {fmt(amount)} {unit} ({i}) = " for kg, amount, unit, i in zip(
        info["pcf_kgco2e"].tolist(), info["declared_unit_amount"].tolist(), info["declared_unit"].tolist(), ids)],
        dtype=object)[which]
    gas_t = rows["quantity_std"] * t_per_unit
    unit_std = rows["unit_std"].astype(str)
    line_part = make_lines(
        rows, table="purchases", scope="3", category=_category(rows), activity="purchase.supplier_pcf",
        quantity_std=rows["quantity_std"], unit_std=unit_std, factor=None,
        factor_id=pd.Series(factor_id, index=rows.index), factor_source=pd.Series(source, index=rows.index),
        factor_value=pd.Series(t_per_unit, index=rows.index), factor_unit=("tCO2e/" + unit_std), gas="CO2e",
        gas_t=gas_t, gwp=1.0, gwp_basis=ctx.gwp_basis, share=share[rows.index], method="supplier-specific",
        data_quality=quality,
        calculation=words(fmts(rows["quantity"]), " ", texts(rows["unit"]), per_declared.tolist(), fmts(gas_t),
                          " tCO2e"),
    )
    done[rows.index] = True
    return [line_part], set(used.tolist())


def _average_data(ctx: CalcContext, table: pd.DataFrame, share: pd.Series, done: pd.Series,
                  fallbacks: _Fallbacks) -> list[pd.DataFrame]:
    parts: list[pd.DataFrame] = []
    wanted = ~done.to_numpy() & table["material"].notna().to_numpy()
    no_quantity = wanted & table["quantity_std"].isna().to_numpy()
    for material, rows in table[no_quantity].groupby("material", sort=True):
        fallbacks.add(rows.index, f"material {material} is given but no quantity",
                      f"填写了材料 {material} 但没有数量")
    candidates = table[wanted & ~no_quantity]
    regions = supplier_regions(ctx, candidates["supplier_id"])
    keys = pd.DataFrame({"material": candidates["material"], "kind": candidates["unit_std"].map(KIND_UNIT),
                         "regions": regions, "unit_std": candidates["unit_std"]}, index=candidates.index)
    for (material, kind, chain, unit_std), index in keys.groupby(list(keys.columns), sort=True).groups.items():
        rows = candidates.loc[index]
        activity = f"material.{material}"
        found = ctx.resolver.resolve(activity, list(chain), ctx.year)
        proxy = found is None
        if proxy:
            found = ctx.resolver.resolve_elsewhere(activity, ctx.year, ctx.options.fallback_regions)
        if found is None:
            fallbacks.add(rows.index, f"{activity} has no factor for {', '.join(chain)}",
                          f"{activity} 没有适用于 {'、'.join(chain)} 的因子")
            continue
        factor = found.factor
        if factor.denominator_kind != kind:
            fallbacks.add(rows.index, f"{activity} is per {factor.denominator_kind} ({factor.unit}) but the quantity "
                          f"is in {rows['unit'].iloc[0]} ({kind})",
                          f"{activity} 按{factor.denominator_kind}计（{factor.unit}），但数量单位为 {rows['unit'].iloc[0]}")
            continue
        if proxy:
            ctx.note("purchases", rows, "material-factor-proxy", "material", activity=activity,
                     where=chain[-1], factor_id=factor.factor_id, factor_region=factor.region or "–")
        ctx.use(factor)
        per_canonical = factor.per_canonical("t")
        gas_t = rows["quantity_std"] * per_canonical
        parts.append(make_lines(
            rows, table="purchases", scope="3", category=_category(rows), activity=activity,
            quantity_std=rows["quantity_std"], unit_std=unit_std, factor=factor, factor_value=per_canonical,
            factor_unit=f"tCO2e/{unit_std}", gas=factor.gas or "CO2e", gas_t=gas_t, gwp=1.0, gwp_basis=ctx.gwp_basis,
            share=share[rows.index], method="average-data", data_quality=4 if proxy else 3,
            calculation=words(fmts(rows["quantity"]), " ", texts(rows["unit"]),
                              f" × {fmt(factor.value)} {factor.unit}{f' ({factor.region} proxy)' if proxy else ''} = ",
                              fmts(gas_t), " tCO2e"),
        ))
        done[rows.index] = True
    fallbacks.report(ctx, table.index[done.to_numpy()], "average-data")
    return parts


def _spend_based(ctx: CalcContext, table: pd.DataFrame, share: pd.Series, done: pd.Series,
                 fallbacks: _Fallbacks) -> list[pd.DataFrame]:
    parts: list[pd.DataFrame] = []
    rows_with_spend = table[~done.to_numpy() & table["spend"].notna().to_numpy()]
    if rows_with_spend.empty:
        return parts
    default_currency = str(ctx.organization.get("currency") or money.BASE_CURRENCY)
    currency = rows_with_spend["currency"].astype(object).where(rows_with_spend["currency"].notna(), default_currency)
    keys = pd.DataFrame({"sector": rows_with_spend["sector"].fillna(FALLBACK_SECTOR), "currency": currency,
                         "regions": supplier_regions(ctx, rows_with_spend["supplier_id"])},
                        index=rows_with_spend.index)
    for (sector, currency_text, chain), index in keys.groupby(list(keys.columns), sort=True).groups.items():
        rows = rows_with_spend.loc[index]
        line = spend_lines(ctx, rows, f"spend.{sector}", list(chain), str(currency_text), share[rows.index],
                           "purchases", "sector", category=_category(rows),
                           data_quality=5 if sector == FALLBACK_SECTOR else 4)
        if line is not None:
            parts.append(line)
            done[rows.index] = True
    fallbacks.report(ctx, rows_with_spend.index[done[rows_with_spend.index].to_numpy()], "spend-based")
    return parts


def spend_lines(ctx: CalcContext, rows: pd.DataFrame, activity: str, regions: list[str], currency_text: str,
                share, table: str, column: str, category, data_quality) -> pd.DataFrame | None:
    """Lines for spend × a spend factor: the spend to CNY and the factor to per CNY through ``fx.*``."""
    factor = ctx.factor(activity, regions, rows, table, column)
    if factor is None:
        return None
    currency = parse_currency(currency_text)
    rate = money.rate(ctx, currency.code, rows, table, "currency")
    spend_factor = money.per_cny(ctx, factor, rows, table, column)
    if rate is None or spend_factor is None:
        return None
    for used in (*spend_factor.factors, *((rate.factor,) if rate.factor else ())):
        ctx.use(used)
    cny = rows["spend"].astype("float64") * currency.multiplier * rate.cny_per_unit
    gas_t = cny * spend_factor.t_per_cny
    factor_ids = tuple(dict.fromkeys((*spend_factor.factors, *((rate.factor,) if rate.factor else ()))))
    to_cny = "" if (currency.code, currency.multiplier) == (money.BASE_CURRENCY, 1.0) else " → {cny} CNY"
    return make_lines(
        rows, table=table, scope="3", category=category, activity=activity, quantity_std=cny, unit_std="CNY",
        quantity=rows["spend"], unit=currency_text, factor=factor, factor_id="+".join(f.factor_id for f in factor_ids),
        factor_value=spend_factor.t_per_cny, factor_unit="tCO2e/CNY", gas="CO2e", gas_t=gas_t, gwp=1.0,
        gwp_basis=ctx.gwp_basis, share=share, method="spend-based", data_quality=data_quality,
        calculation=words(fmts(rows["spend"]), f" {currency_text}",
                          *((" → ", fmts(cny), " CNY") if to_cny else ()),
                          f" × {fmt(factor.value)} {factor.unit}{_factor_in_cny(spend_factor)} = ", fmts(gas_t), " tCO2e"),
    )


def _factor_in_cny(spend_factor: money.SpendFactor) -> str:
    """`` (= 0.052 kgCO2e/CNY)`` when the factor was per another currency, else nothing."""
    if len(spend_factor.factors) == 1 and spend_factor.factors[0].parsed_unit.denominator_currency.multiplier == 1:  # type: ignore[union-attr]
        return ""
    return f" (= {fmt(spend_factor.t_per_cny * 1000)} kgCO2e/CNY)"


def supplier_regions(ctx: CalcContext, supplier_ids: pd.Series) -> pd.Series:
    """Each row's supplier region chain as a tuple (province, country), looked up once per supplier."""
    codes, suppliers = pd.factorize(supplier_ids, use_na_sentinel=False)
    chains = np.empty(len(suppliers), dtype=object)
    chains[:] = [tuple(ctx.regions_for_supplier(s)) for s in suppliers]
    return pd.Series(chains[codes] if len(codes) else np.empty(0, dtype=object), index=supplier_ids.index, dtype=object)


def _category(rows: pd.DataFrame) -> pd.Series:
    return rows["category"].fillna("1").astype(str)
