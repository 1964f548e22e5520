"""results.json: every total as an exact sum of lines (math.fsum), plus context.

The document is deterministic for the same inputs: no timestamps, sorted keys where
order is not meaningful, full float precision (reports round for display).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from zcf import __version__
from zcf.calc.context import CalcContext
from zcf.calc.scope3 import CATEGORIES
from zcf.factors import is_weak, weak_tags

RESULTS_SCHEMA_VERSION = "1"
MILLION = 1_000_000  # intensities are per million of the reporting currency
SCOPE1_CATEGORIES = ("stationary_combustion", "mobile_combustion", "fugitive", "process")


def total(lines: pd.DataFrame) -> float:
    """The exactly rounded sum of co2e_t (math.fsum), as reproducible from lines.csv."""
    return math.fsum(lines["co2e_t"].astype("float64").tolist())


def select(lines: pd.DataFrame, scope: str, method: str | None = None) -> pd.DataFrame:
    chosen = lines[lines["scope"] == scope]
    if method is not None:
        chosen = chosen[chosen["scope2_method"] == method]
    return chosen


class LineSums:
    """Exact sums (math.fsum) of co2e_t over subsets of the lines, selected by column values.

    Columns are factorised once, so each subset is an integer comparison, not a string scan.
    """

    COLUMNS = ("scope", "scope2_method", "category", "site_id", "gas")

    def __init__(self, lines: pd.DataFrame):
        self.co2e = lines["co2e_t"].to_numpy(dtype="float64")
        self.mass = (lines["gas_t"] * lines["boundary_share"]).to_numpy(dtype="float64")
        self.codes: dict[str, tuple[np.ndarray, dict]] = {}
        for column in self.COLUMNS:
            codes, uniques = pd.factorize(lines[column], use_na_sentinel=True)
            self.codes[column] = (codes, {value: k for k, value in enumerate(uniques)})

    def values(self, column: str) -> list:
        return list(self.codes[column][1])

    def mask(self, **where: Any) -> np.ndarray:
        out = np.ones(len(self.co2e), dtype=bool)
        for column, value in where.items():
            codes, lookup = self.codes[column]
            if isinstance(value, tuple):  # any of several values
                out &= np.isin(codes, [lookup[v] for v in value if v in lookup])
            else:
                out &= codes == lookup.get(value, -2)
        return out

    def sum(self, mask: np.ndarray | None = None, **where: Any) -> float:
        chosen = self.mask(**where) if mask is None else mask
        return math.fsum(self.co2e[chosen].tolist())


def _scope2(sums: LineSums, method: str, **where: Any) -> np.ndarray:
    return sums.mask(scope="2", scope2_method=method, **where)


def totals(lines: pd.DataFrame, sums: LineSums | None = None) -> dict[str, Any]:
    sums = sums or LineSums(lines)
    s1, s3 = sums.mask(scope="1"), sums.mask(scope="3")
    s2l, s2m = _scope2(sums, "location"), _scope2(sums, "market")
    out = {
        "scope1": sums.sum(s1),
        "scope2_location": sums.sum(s2l),
        "scope2_market": sums.sum(s2m),
        "scope3": sums.sum(s3),
        "scope1_by_category": {c: sums.sum(scope="1", category=c) for c in SCOPE1_CATEGORIES},
        "scope2_by_category": {
            method: {c: sums.sum(_scope2(sums, method, category=c)) for c in ("electricity", "steam_heat")}
            for method in ("location", "market")
        },
        "scope3_by_category": {c: sums.sum(scope="3", category=c) for c in CATEGORIES},
    }
    out["scope1_2_location"] = sums.sum(s1 | s2l)
    out["scope1_2_market"] = sums.sum(s1 | s2m)
    out["total_location"] = sums.sum(s1 | s2l | s3)
    out["total_market"] = sums.sum(s1 | s2m | s3)
    return out


def by_site(ctx: CalcContext, sums: LineSums, energy_by_site: dict[str, float]) -> dict[str, dict]:
    sites = ctx.sites
    out = {}
    site_ids = sorted({s for s in sums.values("site_id") if isinstance(s, str)} | set(sites.index))
    for site_id in site_ids:
        here = sums.mask(site_id=site_id)
        name = sites.loc[site_id, "name"] if site_id in sites.index else None
        out[site_id] = {
            "name": None if pd.isna(name) else name,
            "scope1": sums.sum(here & sums.mask(scope="1")),
            "scope2_location": sums.sum(here & _scope2(sums, "location")),
            "scope2_market": sums.sum(here & _scope2(sums, "market")),
            "scope3": sums.sum(here & sums.mask(scope="3")),
            "energy_mwh": energy_by_site.get(site_id, 0.0),
        }
    return out


def by_gas(sums: LineSums) -> dict[str, dict]:
    """Per gas: mass (t) and CO2e (t), for Scope 1 and for Scope 1 + 2 (market) + 3."""
    scoped = {
        "scope1": sums.mask(scope="1"),
        "all_market": sums.mask(scope=("1", "3")) | _scope2(sums, "market"),
    }
    out: dict[str, dict] = {}
    for gas in sorted(g for g in sums.values("gas") if isinstance(g, str)):
        gas_mask = sums.mask(gas=gas)
        for name, part in scoped.items():
            chosen = gas_mask & part
            if chosen.any():
                out.setdefault(gas, {})[name] = {"mass_t": math.fsum(sums.mass[chosen].tolist()),
                                                 "co2e_t": sums.sum(chosen)}
    return out


def data_quality(lines: pd.DataFrame, purchases: pd.DataFrame, spend_cny: pd.Series | None = None) -> dict[str, Any]:
    """Emission-weighted Scope 3 score, category 1 by method, and the share of category 1 spend
    (in CNY, whatever currency it was stated in) that comes with a supplier footprint."""
    s3 = select(lines[["scope", "category", "method", "co2e_t", "data_quality"]], "3")  # only what is summed
    cat1 = s3[s3["category"] == "1"]
    weighted = None
    emissions = total(s3)
    if emissions:
        weighted = math.fsum((s3["co2e_t"] * s3["data_quality"].astype("float64")).tolist()) / emissions
    methods = {}
    cat1_total = total(cat1)
    for method, rows in cat1.groupby("method", sort=True):
        value = total(rows)
        methods[method] = {"tco2e": value, "share": value / cat1_total if cat1_total else None, "lines": int(len(rows))}
    spend_share = None
    if not purchases.empty and spend_cny is not None and spend_cny.notna().any():
        cat1 = (purchases["category"] == "1").to_numpy()
        with_pcf = cat1 & purchases["supplier_pcf"].notna().to_numpy()
        spend_total = math.fsum(spend_cny[cat1].dropna().tolist())
        spend_share = math.fsum(spend_cny[with_pcf].dropna().tolist()) / spend_total if spend_total else None
    return {
        "scope3_weighted_score": weighted,
        "score_scale": "1 (supplier-specific, verified) to 5 (spend-based, generic)",
        "cat1_by_method": methods,
        "cat1_spend_share_with_supplier_pcf": spend_share,
    }


# How weak each confidence tag is, weakest first: a line takes the weakest tag of its factors.
CONFIDENCE_ORDER = ("assumption", "unverified", "recalled-unverified", "recalled", "derived", "found-secondary",
                    "secondary", "found", "official", "definition", "user")


def line_confidence(lines: pd.DataFrame, factors: dict) -> pd.Series:
    """Each line's weakest factor confidence (``A+B`` ids: both factors); lines of supplier or instrument data,
    with no factor of the library or the user's, are ``no factor``."""
    rank = {tag: i for i, tag in enumerate(CONFIDENCE_ORDER)}

    def weakest(factor_id) -> str:
        if not isinstance(factor_id, str):
            return "no factor"
        tags = [factors[part].confidence for part in factor_id.split("+") if part in factors]
        if not tags:
            return "no factor"
        return min(tags, key=lambda t: rank.get(t, -1))

    ids = lines["factor_id"]
    codes, uniques = pd.factorize(ids, use_na_sentinel=True)  # missing ids: code -1, the last entry
    weakest_of = np.array([weakest(fid) for fid in uniques] + ["no factor"], dtype=object)
    return pd.Series(weakest_of[codes], index=ids.index, dtype=object)


def factor_quality(ctx: CalcContext, lines: pd.DataFrame) -> dict[str, Any]:
    """Share of each total resting on weak factors (confidence.toml: unverified, assumption, recalled ...).

    A line is weak when any factor it uses is; supplier footprints and renewable instruments carry
    no library factor and count as not weak (their evidence is the supplier's or the certificate's).
    """
    confidence = line_confidence(lines, ctx.used)
    codes, tags = pd.factorize(confidence)  # each line's tag as a code: masks are integer comparisons
    tags = [str(tag) for tag in tags]
    weak = np.array([bool(is_weak(tag)) for tag in tags], dtype=bool)[codes] if tags else np.zeros(0, dtype=bool)
    co2e = lines["co2e_t"].to_numpy(dtype="float64")
    def equal(column: str, value: str) -> np.ndarray:
        return (lines[column] == value).to_numpy(dtype=bool, na_value=False)

    masks = {
        "scope1": equal("scope", "1"),
        "scope2_location": equal("scope", "2") & equal("scope2_method", "location"),
        "scope2_market": equal("scope", "2") & equal("scope2_method", "market"),
        "scope3": equal("scope", "3"),
    }
    masks["total_location"] = masks["scope1"] | masks["scope2_location"] | masks["scope3"]
    masks["total_market"] = masks["scope1"] | masks["scope2_market"] | masks["scope3"]
    out: dict[str, Any] = {"weak_tags": list(weak_tags()),
                           "rule": "a line is weak when any factor it uses has a weak confidence tag"}
    for name, mask in masks.items():
        total_t = math.fsum(co2e[mask].tolist())
        weak_t = math.fsum(co2e[mask & weak].tolist())
        present = sorted(tags[code] for code in np.unique(codes[mask]))
        by = {tag: math.fsum(co2e[mask & (codes == tags.index(tag))].tolist()) for tag in present}
        out[name] = {"tco2e": total_t, "weak_tco2e": weak_t, "weak_share": weak_t / total_t if total_t else None,
                     "by_confidence": by}
    weak_lines = lines.loc[weak & masks["total_market"], ["factor_id", "co2e_t"]]  # not a copy of every column
    top = weak_lines.groupby("factor_id")["co2e_t"].sum().sort_values(ascending=False)
    out["largest_weak_factors"] = [{"factor_id": fid, "tco2e": float(v), "confidence": confidence[weak_lines.index[
        weak_lines["factor_id"] == fid][0]]} for fid, v in top.head(10).items()]
    return out


def intensity(ctx: CalcContext, tot: dict, made: dict, by_site_totals: dict) -> dict[str, Any]:
    """Intensities per revenue, per vehicle (vehicle makers) or per unit produced (piece or t), per site.

    ``made`` is :func:`production_output`: a vehicle maker's intensities are per vehicle; a
    maker of other products gets ``per_unit_produced`` in its products' unit instead.
    """
    revenue = ctx.organization.get("revenue")
    vehicles = made.get("vehicles")
    out: dict[str, Any] = {"revenue": revenue, "currency": ctx.organization.get("currency"), "vehicles_produced": vehicles}
    if revenue:
        millions = float(revenue) / MILLION
        out["per_million_revenue"] = {
            "scope1_2_location": tot["scope1_2_location"] / millions,
            "scope1_2_market": tot["scope1_2_market"] / millions,
            "total_market": tot["total_market"] / millions,
        }
    if vehicles:
        out["per_vehicle"] = _per(tot, vehicles)
    elif made.get("quantity"):
        out["per_unit_produced"] = {"unit": made["unit"], "label": made["label"], "units_produced": made["quantity"],
                                    **_per(tot, made["quantity"])}
    out["per_site"] = {
        site: {"scope1_2_market": v["scope1"] + v["scope2_market"],
               "tco2e_per_mwh": (v["scope1"] + v["scope2_market"]) / v["energy_mwh"] if v["energy_mwh"] else None}
        for site, v in by_site_totals.items()
    }
    return out


def _per(tot: dict, quantity: float) -> dict[str, float]:
    return {key: tot[key] / quantity for key in ("scope1_2_location", "scope1_2_market", "total_market")}


def production_output(ctx: CalcContext) -> dict[str, Any]:
    """What the company made, for intensities (``zcf.calc.production.output``); the rows counted are used."""
    from zcf.calc import production as made

    table = ctx.table("production")
    if table.empty:
        return {}
    table = made.with_kinds(table)
    declared = made.declared_units(table)
    out = made.output(table, declared, made.vehicles(table, ctx.table("sold_products")),
                      made.finished(table, ctx.table("bom")))
    ctx.ledger.use("production", out.pop("rows"))
    return out


def document(ctx: CalcContext, lines: pd.DataFrame, *, energy: dict, products: list, scope3_status: dict,
             market_basis: dict, inputs: list, energy_by_site: dict) -> dict[str, Any]:
    sums = LineSums(lines)
    tot = totals(lines, sums)
    sites = by_site(ctx, sums, energy_by_site)
    made = production_output(ctx)
    return {
        "schema_version": RESULTS_SCHEMA_VERSION,
        "zcf_version": __version__,
        "factor_library_version": ctx.options.factors.library_version,
        "organization": ctx.organization,
        "reporting_year": ctx.year,
        "gwp_basis": ctx.gwp_basis,
        "consolidation_approach": ctx.approach,
        "totals": tot,
        "scope2_market_basis": market_basis,
        "by_site": sites,
        "by_gas": by_gas(sums),
        "energy": energy,
        "intensity": intensity(ctx, tot, made, sites),
        "products": products,
        "scope3_status": scope3_status,
        "data_quality": data_quality(lines, ctx.table("purchases"), ctx.purchase_spend_cny),
        "factor_quality": factor_quality(ctx, lines),
        "inputs": inputs,
        "factors_used": [f.to_dict() for _, f in sorted(ctx.used.items())],
        "lines": {"count": int(len(lines)), "file": "lines.csv", "co2e_t_sum": total(lines)},
        "problems": [{**p.to_dict(), "message_zh": p.message("zh")} for p in ctx.problems],
    }
