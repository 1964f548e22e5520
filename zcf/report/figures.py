"""The report's charts, from results.json and the dataset (drawn by :mod:`zcf.report.charts`).

The first chart — emissions by scope — sits on the summary page with the key figures;
the others make the charts section. Labels are in the report's language; site and
supplier ids are the user's own.
"""

from __future__ import annotations

import pandas as pd

from zcf.calc.meters import is_sub_meter
from zcf.report import charts
from zcf.report.model import ReportModel

SUMMARY_CHART = "scope_split"
PARETO_TOP = 15
PARETO_FEWEST = 3  # a Pareto chart of one or two suppliers says nothing the key figures do not
PARETO_MARK = 0.8  # the dashed line: the share the title counts suppliers to


def build_charts(model: ReportModel) -> list[charts.Chart]:
    t, w = model.results["totals"], model.words
    out = [charts.Chart(SUMMARY_CHART, w["chart_scope_split"], charts.hbar(
        [(w["scope1"], t["scope1"]), (w["scope2_location"], t["scope2_location"]),
         (w["scope2_market"], t["scope2_market"]), (w["scope3"], t["scope3"])], "tCO2e"))]
    s3 = sorted(((v, k) for k, v in t["scope3_by_category"].items() if v), reverse=True)
    if s3:
        out.append(charts.Chart("scope3_by_category", w["chart_scope3"],
                                charts.hbar([(f"{k} {model.category_name(k)}", v) for v, k in s3], "tCO2e")))
    sites = model.results["by_site"]
    if sites:
        ids = sorted(sites, key=lambda s: -(sites[s]["scope1"] + sites[s]["scope2_market"]))
        out.append(charts.Chart("sites", w["chart_sites"], charts.vbar_stacked(
            ids, {w["scope1"]: [sites[s]["scope1"] for s in ids],
                  w["scope2_market"]: [sites[s]["scope2_market"] for s in ids]}, "tCO2e")))
    monthly = monthly_electricity(model)
    if monthly:
        out.append(charts.Chart("monthly_electricity", w["chart_monthly"],
                                charts.lines_chart([str(m) for m in range(1, 13)], monthly, "MWh")))
    top = supplier_pareto(model)
    if len(top) >= PARETO_FEWEST:
        out.append(charts.Chart("supplier_pareto", pareto_title(model), charts.pareto(top, "tCO2e", mark=PARETO_MARK)))
    history = trend(model)
    if history:
        out.append(charts.Chart("trend", w["chart_trend"], history))
    return out


def monthly_electricity(model: ReportModel) -> dict[str, list[float | None]]:
    energy = model.tables.get("energy")
    if energy is None or energy.empty:
        return {}
    # sub-meters measure part of a main meter's electricity: adding them would count it twice
    grid = energy[(energy["energy_type"] == "electricity") & energy["period_month"].notna() & ~is_sub_meter(energy)]
    out = {}
    for site_id, rows in grid.groupby("site_id", sort=True):
        by_month = rows.groupby("period_month")["quantity_std"].sum()
        out[site_id] = [float(by_month[m]) if m in by_month.index else None for m in range(1, 13)]
    return out


def supplier_pareto(model: ReportModel, top: int = PARETO_TOP) -> list[tuple[str, float]]:
    """Category 1 tCO2e of the largest suppliers by name, then one bar for all the others (results.json suppliers)."""
    entries = [e for e in (model.results.get("suppliers") or {}).get("by_supplier", []) if e["cat1_tco2e"] > 0]
    entries.sort(key=lambda e: -e["cat1_tco2e"])
    items = [(e.get("name") or e["supplier_id"], float(e["cat1_tco2e"])) for e in entries[:top]]
    rest = entries[top:]
    if rest:
        items.append((model.words["pareto_others"].format(n=len(rest)), float(sum(e["cat1_tco2e"] for e in rest))))
    return items


def pareto_title(model: ReportModel) -> str:
    """"Category 1 by supplier: 15 of 37 suppliers make 80 %" (results.json suppliers.pareto)."""
    pareto = (model.results.get("suppliers") or {}).get("pareto") or {}
    if not pareto.get("suppliers_to_threshold"):
        return model.words["chart_pareto"]
    return model.words["chart_pareto_n"].format(n=pareto["suppliers_to_threshold"], total=pareto["suppliers_with_cat1"],
                                                share=f"{pareto['threshold']:.0%}")


def trend(model: ReportModel) -> str | None:
    history = model.tables.get("history")
    if history is None or history.empty:
        return None
    years, values = [], []
    for row in history.sort_values("year").itertuples():
        if not pd.isna(row.scope1) and not pd.isna(row.scope2_market):
            years.append(str(int(row.year)))
            values.append(float(row.scope1 + row.scope2_market))
    years.append(str(model.results["reporting_year"]))
    values.append(model.results["totals"]["scope1_2_market"])
    target = None
    targets = model.tables.get("targets")
    if targets is not None and not targets.empty:
        chosen = targets[(targets["scope"] == "scope1_2") & (targets["type"] == "absolute")]
        if len(chosen):
            t = chosen.iloc[0]
            base = dict(zip(years, values)).get(str(int(t["base_year"])))
            if base is not None:
                target = (str(int(t["target_year"])), base * (1 - float(t["reduction_pct"]) / 100))
    return charts.trend(years, values, "tCO2e", target)
