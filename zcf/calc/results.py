"""results.json: every total as an exact sum of lines (math.fsum), plus context.

The document is deterministic for the same inputs: no timestamps, sorted keys where
order is not meaningful, full float precision (reports round for display).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from zcf import __version__
from zcf.calc.context import CalcContext
from zcf.calc.scope3 import CATEGORIES
from zcf.factors import LIBRARY_VERSION

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


def totals(lines: pd.DataFrame) -> dict[str, Any]:
    s1 = select(lines, "1")
    s2l = select(lines, "2", "location")
    s2m = select(lines, "2", "market")
    s3 = select(lines, "3")
    out = {
        "scope1": total(s1),
        "scope2_location": total(s2l),
        "scope2_market": total(s2m),
        "scope3": total(s3),
        "scope1_by_category": {c: total(s1[s1["category"] == c]) for c in SCOPE1_CATEGORIES},
        "scope2_by_category": {
            method: {c: total(part[part["category"] == c]) for c in ("electricity", "steam_heat")}
            for method, part in (("location", s2l), ("market", s2m))
        },
        "scope3_by_category": {c: total(s3[s3["category"] == c]) for c in CATEGORIES},
    }
    out["scope1_2_location"] = total(pd.concat([s1, s2l]))
    out["scope1_2_market"] = total(pd.concat([s1, s2m]))
    out["total_location"] = total(pd.concat([s1, s2l, s3]))
    out["total_market"] = total(pd.concat([s1, s2m, s3]))
    return out


def by_site(ctx: CalcContext, lines: pd.DataFrame, energy_by_site: dict[str, float]) -> dict[str, dict]:
    sites = ctx.sites
    out = {}
    site_ids = sorted(set(lines["site_id"].dropna()) | set(sites.index))
    for site_id in site_ids:
        here = lines[lines["site_id"] == site_id]
        name = sites.loc[site_id, "name"] if site_id in sites.index else None
        out[site_id] = {
            "name": None if pd.isna(name) else name,
            "scope1": total(select(here, "1")),
            "scope2_location": total(select(here, "2", "location")),
            "scope2_market": total(select(here, "2", "market")),
            "scope3": total(select(here, "3")),
            "energy_mwh": energy_by_site.get(site_id, 0.0),
        }
    return out


def by_gas(lines: pd.DataFrame) -> dict[str, dict]:
    """Per gas: mass (t) and CO2e (t), for Scope 1 and for Scope 1 + 2 (market) + 3."""
    scoped = {
        "scope1": select(lines, "1"),
        "all_market": lines[(lines["scope"] != "2") | (lines["scope2_method"] == "market")],
    }
    out: dict[str, dict] = {}
    for name, part in scoped.items():
        for gas, rows in part.groupby("gas", sort=True):
            mass = math.fsum((rows["gas_t"] * rows["boundary_share"]).tolist())
            out.setdefault(gas, {})[name] = {"mass_t": mass, "co2e_t": total(rows)}
    return out


def data_quality(lines: pd.DataFrame, purchases: pd.DataFrame) -> dict[str, Any]:
    s3 = select(lines, "3")
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
    if not purchases.empty and purchases["spend"].notna().any():
        spend = purchases[purchases["category"] == "1"]["spend"].fillna(0)
        with_pcf = purchases[(purchases["category"] == "1") & purchases["supplier_pcf"].notna()]["spend"].fillna(0)
        spend_total = math.fsum(spend.tolist())
        spend_share = math.fsum(with_pcf.tolist()) / spend_total if spend_total else None
    return {
        "scope3_weighted_score": weighted,
        "score_scale": "1 (supplier-specific, verified) to 5 (spend-based, generic)",
        "cat1_by_method": methods,
        "cat1_spend_share_with_supplier_pcf": spend_share,
    }


def intensity(ctx: CalcContext, tot: dict, vehicles: float | None, by_site_totals: dict) -> dict[str, Any]:
    revenue = ctx.organization.get("revenue")
    out: dict[str, Any] = {"revenue": revenue, "currency": ctx.organization.get("currency"), "vehicles_produced": vehicles}
    if revenue:
        millions = float(revenue) / MILLION
        out["per_million_revenue"] = {
            "scope1_2_location": tot["scope1_2_location"] / millions,
            "scope1_2_market": tot["scope1_2_market"] / millions,
            "total_market": tot["total_market"] / millions,
        }
    if vehicles:
        out["per_vehicle"] = {
            "scope1_2_location": tot["scope1_2_location"] / vehicles,
            "scope1_2_market": tot["scope1_2_market"] / vehicles,
            "total_market": tot["total_market"] / vehicles,
        }
    out["per_site"] = {
        site: {"scope1_2_market": v["scope1"] + v["scope2_market"],
               "tco2e_per_mwh": (v["scope1"] + v["scope2_market"]) / v["energy_mwh"] if v["energy_mwh"] else None}
        for site, v in by_site_totals.items()
    }
    return out


def vehicles_produced(ctx: CalcContext) -> float | None:
    """Units of finished products: counted production not used as a BOM item of another product."""
    production = ctx.table("production")
    if production.empty:
        return None
    bom = ctx.table("bom")
    intermediate = set(bom["item_id"].dropna()) if not bom.empty else set()
    finished = production[(production["unit_std"] == "piece") & ~production["product_id"].isin(intermediate)]
    return math.fsum(finished["quantity_std"].dropna().tolist()) or None


def document(ctx: CalcContext, lines: pd.DataFrame, *, energy: dict, products: list, scope3_status: dict,
             market_basis: dict, inputs: list, energy_by_site: dict) -> dict[str, Any]:
    tot = totals(lines)
    sites = by_site(ctx, lines, energy_by_site)
    vehicles = vehicles_produced(ctx)
    return {
        "schema_version": RESULTS_SCHEMA_VERSION,
        "zcf_version": __version__,
        "factor_library_version": LIBRARY_VERSION,
        "organization": ctx.organization,
        "reporting_year": ctx.year,
        "gwp_basis": ctx.gwp_basis,
        "consolidation_approach": ctx.approach,
        "totals": tot,
        "scope2_market_basis": market_basis,
        "by_site": sites,
        "by_gas": by_gas(lines),
        "energy": energy,
        "intensity": intensity(ctx, tot, vehicles, sites),
        "products": products,
        "scope3_status": scope3_status,
        "data_quality": data_quality(lines, ctx.table("purchases")),
        "inputs": inputs,
        "factors_used": [f.to_dict() for _, f in sorted(ctx.used.items())],
        "lines": {"count": int(len(lines)), "file": "lines.csv", "co2e_t_sum": total(lines)},
        "problems": [{**p.to_dict(), "message_zh": p.message("zh")} for p in ctx.problems],
    }
