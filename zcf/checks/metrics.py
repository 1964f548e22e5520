"""The figures rules test, in one flat namespace (``energy.co2_per_tce``, ``targets.count`` ...).

Each metric is derived from results.json, the canonical dataset or the lines — never
recomputed from inputs. A metric that cannot be known is ``None``; rules then report
``missing_data`` and name what would make it known (``METRIC_NEEDS``).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from zcf.calc.meters import electricity_months_per_meter, meter_label
from zcf.units import ratio

# What input would let a missing metric be computed (English, Chinese): the preparer's to-do list.
METRIC_NEEDS = {
    "energy.co2_per_tce": ("energy table (quantity, unit) for fuels and electricity",
                           "能源表：燃料和电力的数量与单位"),
    "energy.non_fossil_share": ("energy table: electricity and onsite_solar/onsite_wind rows; renewable_instruments",
                                "能源表：电力及自发光伏、自发风电行；可再生电力凭证表"),
    "energy.traceable_green_electricity_share": ("energy table: onsite_solar/onsite_wind or supply = direct rows",
                                                 "能源表：自发光伏、自发风电或供应方式为专线直供的行"),
    "energy.electricity_kwh": ("energy table: electricity rows", "能源表：电力行"),
    "intensity.per_million_revenue": ("organization table: revenue", "组织信息表：营业收入"),
    "intensity.per_vehicle": ("production table: vehicles (unit 辆/vehicle, or the product in sold_products)",
                              "产量表：整车（单位为辆，或该产品列于售出产品表）"),
    "intensity.per_unit_produced": ("production table: finished products (not BOM items) in units of one kind (件 or t)",
                                    "产量表：成品（非物料清单零部件），单位为同一种（件或吨）"),
    "yoy.energy_per_vehicle": ("history table: energy_mwh and production_units (vehicles, or units produced) of the previous year",
                               "历史数据表：上一年的能源消费量（MWh）和产量（整车或产品数量）"),
    "yoy.scope1_2_per_vehicle": ("history table: scope1, scope2_market and production_units (vehicles, or units produced) of the previous year",
                                 "历史数据表：上一年的范围一、范围二（市场法）排放和产量（整车或产品数量）"),
    "yoy.scope1_2_per_revenue": ("history table: scope1, scope2_market and revenue of the previous year",
                                 "历史数据表：上一年的范围一、范围二（市场法）排放和营业收入"),
    "history.years_with_scope1_2": ("history table: scope1 and scope2_market for prior years",
                                    "历史数据表：往年的范围一和范围二（市场法）排放"),
    "products.footprint_share": ("production table (product_id) and bom table (product_id, item_id, quantity_per_unit, unit)",
                                 "产量表（产品编号）和物料清单表（产品编号、物料编号、单位用量、单位）"),
    "suppliers.cat1_spend_share_with_pcf": ("purchases table: spend and supplier_pcf", "采购表：采购金额和供应商碳足迹"),
    "targets.count": ("targets table (scope, base_year, target_year, reduction_pct)",
                      "减排目标表（范围、基准年、目标年、减排比例）"),
    "targets.validated": ("targets table: validated_by", "减排目标表：验证机构"),
    "organization.assurance_level": ("organization table: assurance_level (limited or reasonable)",
                                     "组织信息表：鉴证级别（有限或合理）"),
    "organization.base_year": ("organization table: base_year", "组织信息表：基准年"),
    "metering.min_electricity_months": ("energy table: monthly electricity rows for every meter (site_id, meter_id)",
                                        "能源表：每块计量表（站点编号、计量表编号）的月度用电行"),
    "products.footprint_reduction": ("product_history table: per_unit_kgco2e of the base year for the products made",
                                      "产品碳足迹历史表：所产产品基准年的单位产品碳足迹"),
    "energy.tce_basis": ("energy table (electricity rows) and the tce factors of the library",
                         "能源表（电力行）和因子库中的折标煤系数"),
    "totals.by_site_count": ("sites and energy tables", "站点表和能源表"),
}

# Metrics a rule's ``when`` tests, as a message names them: (English, Chinese, unit).
METRIC_LABELS = {
    "energy.electricity_kwh": ("electricity use", "用电量", "kWh"),
}


def _get(document: dict, path: str) -> Any:
    value: Any = document
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _ratio(numerator, denominator) -> float | None:
    if numerator is None or denominator in (None, 0) or (isinstance(denominator, float) and math.isnan(denominator)):
        return None
    return float(numerator) / float(denominator)


def compute(results: dict, tables: dict[str, pd.DataFrame], lines: pd.DataFrame) -> dict[str, Any]:
    """Every metric a rule may test, keyed by dotted name."""
    totals = results["totals"]
    energy = results.get("energy", {})
    intensity = results.get("intensity", {})
    org = results.get("organization", {})
    m: dict[str, Any] = {}

    for key in ("scope1", "scope2_location", "scope2_market", "scope3", "scope1_2_location", "scope1_2_market",
                "total_location", "total_market"):
        m[f"totals.{key}"] = totals.get(key)
    m["totals.by_site_count"] = len(results.get("by_site", {}))

    tce = energy.get("total_tce")
    co2 = totals.get("scope1_2_market")
    m["energy.total_mwh"] = energy.get("total_mwh")
    m["energy.total_tce"] = tce
    m["energy.total_tce_equal_value"] = energy.get("total_tce_equal_value")
    m["energy.tce_basis"] = energy.get("tce_electricity_basis")
    m["energy.co2_per_tce"] = _ratio(co2, tce) if tce else None
    m["energy.co2_per_tce_equal_value"] = _ratio(co2, energy.get("total_tce_equal_value"))
    m["energy.electricity_kwh"] = energy["electricity_mwh"] * ratio("MWh", "kWh") if energy.get("electricity_mwh") else None
    for key in ("renewable_share", "non_fossil_share", "traceable_green_electricity_share"):
        m[f"energy.{key}"] = energy.get(key)

    m["intensity.per_million_revenue"] = _get(intensity, "per_million_revenue.scope1_2_market")
    m["intensity.per_vehicle"] = _get(intensity, "per_vehicle.scope1_2_market")
    m["intensity.per_unit_produced"] = _get(intensity, "per_unit_produced.scope1_2_market")

    status = results.get("scope3_status", {})
    m["scope3.categories_with_status"] = sum(1 for v in status.values() if v["status"] in ("calculated", "not_relevant"))
    m["scope3.gaps"] = [k for k, v in status.items() if v["status"] == "not_calculated"]
    m["scope3.calculated"] = sum(1 for v in status.values() if v["status"] == "calculated")

    dq = results.get("data_quality", {})
    m["suppliers.cat1_spend_share_with_pcf"] = dq.get("cat1_spend_share_with_supplier_pcf")
    m["data_quality.scope3_score"] = dq.get("scope3_weighted_score")

    products = results.get("products", [])
    complete = [p for p in products if p.get("complete")]
    m["products.count"] = len(products)
    m["products.footprint_share"] = _ratio(len(complete), len(products)) if products else None
    from zcf.calc.product_trend import reduction_rate

    m["products.footprint_reduction"] = reduction_rate(products) if products else None

    m["organization.assurance_level"] = org.get("assurance_level") if org.get("assurance_level") not in (None, "none") else None
    m["organization.base_year"] = org.get("base_year")
    m["organization.consolidation_approach"] = org.get("consolidation_approach")
    m["organization.gwp_basis"] = results.get("gwp_basis")
    m["organization.revenue"] = org.get("revenue")
    m["scope2.market_basis"] = _get(results, "scope2_market_basis.residual")

    targets = tables.get("targets")
    if targets is not None and len(targets):
        complete = targets[["scope", "base_year", "target_year", "reduction_pct"]].notna().all(axis=1)
        m["targets.count"] = int(len(targets))
        m["targets.complete"] = bool(complete.all())
        validated = targets["validated_by"].dropna() if "validated_by" in targets else pd.Series(dtype=str)
        m["targets.validated"] = True if len(validated) else None
        m["targets.scope1_2"] = bool(targets["scope"].isin(["scope1", "scope2", "scope1_2", "total"]).any())
        m["targets.scope3"] = bool(targets["scope"].isin(["scope3", "total"]).any())
    else:
        for key in ("count", "complete", "validated", "scope1_2", "scope3"):
            m[f"targets.{key}"] = None

    _history(m, results, tables.get("history"), co2)
    months, meter = _fewest_electricity_months(tables.get("energy"), results["reporting_year"])
    m["metering.min_electricity_months"] = months
    m["metering.fewest_electricity_months_meter"] = meter
    return m


def _history(m: dict, results: dict, history: pd.DataFrame | None, co2: float | None) -> None:
    year = results["reporting_year"]
    # Units produced: vehicles for a vehicle maker, else the production unit (pieces or t); history's
    # production_units are read in the same unit.
    produced = _get(results, "intensity.vehicles_produced") or _get(results, "intensity.per_unit_produced.units_produced")
    revenue = _get(results, "organization.revenue")
    energy_mwh = _get(results, "energy.total_mwh")
    for key in ("yoy.energy_per_vehicle", "yoy.scope1_2_per_vehicle", "yoy.scope1_2_per_revenue"):
        m[key] = None
    m["history.years_with_scope1_2"] = None
    if history is None or history.empty:
        return
    complete = history[history["scope1"].notna() & history["scope2_market"].notna()]
    m["history.years_with_scope1_2"] = int(complete["year"].nunique()) + 1  # + the reporting year
    previous = history[history["year"] == year - 1]
    if previous.empty:
        return
    p = previous.iloc[0]

    def change(now, before):
        return None if now is None or before is None or pd.isna(before) or not before else now / before - 1

    if produced and not pd.isna(p.get("production_units")) and p.get("production_units"):
        if not pd.isna(p.get("energy_mwh")) and energy_mwh is not None:
            m["yoy.energy_per_vehicle"] = change(energy_mwh / produced, p["energy_mwh"] / p["production_units"])
        if not pd.isna(p["scope1"]) and not pd.isna(p["scope2_market"]) and co2 is not None:
            m["yoy.scope1_2_per_vehicle"] = change(co2 / produced, (p["scope1"] + p["scope2_market"]) / p["production_units"])
    if revenue and not pd.isna(p.get("revenue")) and p.get("revenue") and co2 is not None:
        if not pd.isna(p["scope1"]) and not pd.isna(p["scope2_market"]):
            m["yoy.scope1_2_per_revenue"] = change(co2 / revenue, (p["scope1"] + p["scope2_market"]) / p["revenue"])


def _fewest_electricity_months(energy: pd.DataFrame | None, year: int) -> tuple[int | None, str | None]:
    """The fewest months of electricity data of any meter in the reporting year, and that meter.

    Meters are (site_id, meter_id); sub-meters (meter_role sub) do not count, since their
    months cannot stand in for a main meter's. An annual-only meter has 0 months.
    """
    per_meter = electricity_months_per_meter(energy, year)
    if per_meter.empty:
        return None, None
    site_id, meter_id = per_meter.idxmin()  # the first meter in (site, meter) order among the fewest
    return int(per_meter.min()), meter_label(site_id, meter_id)
