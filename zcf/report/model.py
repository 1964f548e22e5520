"""What the reports show, prepared once from results.json, the lines and the dataset.

The PDF template and the Excel writer both read a :class:`ReportModel`; neither
computes anything: every figure comes from results.json (itself sums of lines).
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from zcf.calc.meters import is_sub_meter
from zcf.calc.scope3 import CATEGORIES
from zcf.report import charts
from zcf.resources import templates_dir
from zcf.units import ratio

TOP_LINES = 25
KG_PER_T = ratio("t", "kg")


@cache
def _labels_file() -> dict[str, Any]:
    with open(templates_dir() / "report" / "labels.toml", "rb") as f:
        return tomllib.load(f)


def labels(lang: str) -> dict[str, str]:
    return _labels_file()[lang]


def method_name(method: str, lang: str) -> str:
    """A method name of lines.csv in the report's language."""
    if lang != "zh":
        return method
    names = _labels_file()["zh_methods"]
    if method in names:
        return names[method]
    for key, value in names.items():
        if key.endswith("*") and method.startswith(key[:-1]):
            return value
    return method


def citation(factor: dict[str, Any]) -> str:
    """A factor's full citation from results.json factors_used (older results: its source text)."""
    parts = [factor.get("source") or ""]
    if factor.get("url"):
        parts.append(factor["url"])
    if factor.get("published"):
        parts.append(f"published {factor['published']}")
    if factor.get("read_in"):
        parts.append(f"read in: {factor['read_in']}")
    if factor.get("retrieved"):
        parts.append(f"retrieved {factor['retrieved']}")
    return "; ".join(p for p in parts if p)


def fmt_t(value: float | None, decimals: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.{decimals}f}"


def fmt_amount(value: float) -> str:
    """A quantity for reading: thousands separated, six significant digits below a million."""
    return f"{value:,.0f}" if abs(value) >= 1e6 else f"{value:,.6g}"


def fmt_kg(value: float | None) -> str:
    """kgCO2e per unit: whole kilograms for a vehicle, decimals for a small part (0.955 kg, not 1)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return fmt_t(value, 0 if abs(value) >= 100 else 2 if abs(value) >= 1 else 3)


def fmt_pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


@dataclass
class ReportModel:
    lang: str
    text: dict[str, str]
    results: dict[str, Any]
    lines: pd.DataFrame
    manifest: dict[str, Any]
    checks: dict[str, Any] | None
    tables: dict[str, pd.DataFrame]
    generated: str
    charts: list[charts.Chart] = field(default_factory=list)

    # --- cover and summary ---------------------------------------------------

    @property
    def org(self) -> dict[str, Any]:
        return self.results["organization"]

    @property
    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        for item in sorted(self.results.get("inputs", []), key=lambda i: i["sha256"]):
            digest.update(item["sha256"].encode())
        return digest.hexdigest()

    @property
    def boundary(self) -> str:
        approach = self.results["consolidation_approach"]
        names = {"zh": {"operational_control": "运营控制权法", "financial_control": "财务控制权法", "equity_share": "股权比例法"},
                 "en": {"operational_control": "operational control", "financial_control": "financial control",
                        "equity_share": "equity share"}}
        return names[self.lang].get(approach, approach)

    def previous_year(self) -> dict[str, float] | None:
        history = self.tables.get("history")
        if history is None or history.empty:
            return None
        rows = history[history["year"] == self.results["reporting_year"] - 1]
        return None if rows.empty else rows.iloc[0].to_dict()

    def key_figures(self) -> list[dict[str, str]]:
        t = self.results["totals"]
        energy = self.results["energy"]
        intensity = self.results["intensity"]
        previous = self.previous_year() or {}
        text = self.text

        def change(now, key):
            before = previous.get(key)
            if before is None or pd.isna(before) or not before:
                return "–"
            return f"{(now - before) / before:+.1%}"

        rows = [
            (text["scope1"], fmt_t(t["scope1"]), "tCO2e", change(t["scope1"], "scope1")),
            (text["scope2_location"], fmt_t(t["scope2_location"]), "tCO2e", change(t["scope2_location"], "scope2_location")),
            (text["scope2_market"], fmt_t(t["scope2_market"]), "tCO2e", change(t["scope2_market"], "scope2_market")),
            (text["scope3"], fmt_t(t["scope3"]), "tCO2e", change(t["scope3"], "scope3")),
            (text["total_market"], fmt_t(t["total_market"]), "tCO2e", "–"),
            (text["energy_total"], fmt_t(energy.get("total_mwh")), "MWh", change(energy.get("total_mwh") or 0, "energy_mwh")),
            (text["energy_tce"], fmt_t(energy.get("total_tce")), "tce", "–"),
            (text["renewable_share"], fmt_pct(energy.get("renewable_share")), "%", "–"),
            (text["traceable_share"], fmt_pct(energy.get("traceable_green_electricity_share")), "%", "–"),
        ]
        if intensity.get("per_million_revenue"):
            rows.append((text["intensity_revenue"], fmt_t(intensity["per_million_revenue"]["scope1_2_market"], 3),
                         f"tCO2e/{intensity.get('currency') or 'CNY'} m", "–"))
        if intensity.get("per_vehicle"):
            rows.append((text["intensity_vehicle"], fmt_t(intensity["per_vehicle"]["scope1_2_market"], 3),
                         "tCO2e", "–"))
        elif intensity.get("per_unit_produced"):  # a parts maker: per piece or per t, never "per vehicle"
            per_unit = intensity["per_unit_produced"]
            rows.append((text[f"intensity_{per_unit['unit']}"], fmt_t(per_unit["scope1_2_market"] * KG_PER_T, 3),
                         "kgCO2e", "–"))  # in kg: a piece's share of a plant is a fraction of a tonne
        return [dict(zip(("figure", "value", "unit", "change"), r)) for r in rows]

    # --- methodology ---------------------------------------------------------

    def scope3_rows(self) -> list[dict[str, str]]:
        status_text = {"calculated": self.text["calculated"], "not_relevant": self.text["not_relevant"],
                       "not_calculated": self.text["not_calculated"]}
        rows = []
        for number, entry in self.results["scope3_status"].items():
            rows.append({
                "category": f"{number} {entry['name_zh'] if self.lang == 'zh' else entry['name']}",
                "status": status_text[entry["status"]],
                "tco2e": fmt_t(self.results["totals"]["scope3_by_category"].get(number)),
                "methods": ", ".join(method_name(m, self.lang) for m in entry.get("methods", [])),
                "reason": entry.get("reason", ""),
            })
        return rows

    def factor_rows(self) -> list[dict[str, Any]]:
        """The factor register: each factor with its confidence and full citation (publisher, document, table,
        URL, publication and retrieval dates, where it was read)."""
        return [
            {"factor_id": f["factor_id"], "activity": f["activity"], "region": f["region"] or "",
             "year": f["year"] or "", "value": f"{f['value']:g}", "unit": f["unit"], "source": citation(f),
             "confidence": f["confidence"]}
            for f in self.results["factors_used"]
        ]

    def provenance_rows(self) -> list[dict[str, str]]:
        """Per total: tCO2e, tCO2e on weak factors and their share (results.json factor_quality)."""
        quality = self.results.get("factor_quality") or {}
        names = {"total_market": self.text["total_market"], "scope1": self.text["scope1"],
                 "scope2_location": self.text["scope2_location"], "scope2_market": self.text["scope2_market"],
                 "scope3": self.text["scope3"]}
        return [{"total": names[key], "tco2e": fmt_t(quality[key]["tco2e"]), "weak": fmt_t(quality[key]["weak_tco2e"]),
                 "share": fmt_pct(quality[key]["weak_share"])} for key in names if key in quality]

    def factor_policy_rows(self) -> list[dict[str, str]]:
        """What the calculation chose for its factors: library version and sets, grid vintage, T&D method, 3b,
        gas volumes, certificate rule (results.json factor_library, factor_policy, grid_vintage)."""
        r, zh = self.results, self.lang == "zh"
        library, policy, vintage = r.get("factor_library"), r.get("factor_policy"), r.get("grid_vintage")
        if not library or not policy:
            return []
        rows = [{"label": self.text["factor_library"], "value": library["version"] + "; " + "; ".join(
            f"{s['name']}: {s['edition_zh'] if zh else s['edition']}" for s in library["sets"])}]
        if vintage:
            year = vintage["year"] if vintage["year"] is not None else "–"
            uses = ", ".join(sorted({f"{u['label']} {u['factor_id']}" for u in vintage["uses"]}))
            rows.append({"label": self.text["grid_vintage"],
                         "value": f"{year} ({vintage['policy']}): {vintage['rule_zh'] if zh else vintage['rule']}; {uses}"})
        parts = (r.get("scope3_status", {}).get("3") or {}).get("parts", {})
        td = parts.get("3c", {})
        if td.get("status") == "calculated":
            definition = (td.get("loss_rate_definition") or "").split(";")[0]  # the rate's own first note
            rows.append({"label": self.text["td_losses"], "value": f"{td['formula_zh'] if zh else td['formula']}; "
                         f"{td['loss_rate_factor_id']} {td['loss_rate']:g}" + (f" ({definition})" if definition else "")})
        upstream = parts.get("3b", {})
        if upstream:
            rows.append({"label": self.text["cat3b"],
                         "value": upstream.get("reason_zh" if zh else "reason") or upstream.get("status", "")})
        gas = policy["gas_volume"]
        rows.append({"label": self.text["gas_volume"], "value": gas["text_zh"] if zh else gas["text"]})
        rule = r.get("scope2_market_basis", {}).get("certificate_rule") or {}
        if rule:
            rows.append({"label": self.text["certificate_rule"],
                         "value": f"{rule['title_zh'] if zh else rule['title_en']} — {rule.get('document', '')}"})
        return rows

    def cat1_rows(self) -> list[dict[str, str]]:
        return [
            {"method": method_name(method, self.lang), "tco2e": fmt_t(v["tco2e"]), "share": fmt_pct(v["share"]),
             "lines": str(v["lines"])}
            for method, v in self.results["data_quality"]["cat1_by_method"].items()
        ]

    def reconciliation_rows(self) -> list[dict[str, Any]]:
        """Per input table: rows read, calculated, used, excluded and calculated in part (numbers)."""
        from zcf.schema import load_schema

        schema = load_schema()
        out = []
        for table, entry in self.results.get("reconciliation", {}).items():
            title = schema.tables[table].zh if self.lang == "zh" and table in schema.tables else table
            out.append({"table": title, "table_id": table, **{k: entry[k] for k in ("rows", "calculated", "used", "excluded", "partial",
                                                                  "unaccounted")}})
        return out

    def reconciliation_reasons(self) -> list[dict[str, Any]]:
        """Each reason rows were left out (or warned about): table, message, rows, the amounts behind them."""
        from zcf.schema import load_schema

        tables = load_schema().tables
        key = "message_zh" if self.lang == "zh" else "message"
        out = []
        for table, entry in self.results.get("reconciliation", {}).items():
            title = tables[table].zh if self.lang == "zh" and table in tables else table
            for kind, reasons in (("excluded", entry.get("reasons", [])), ("note", entry.get("notes", []))):
                for reason in reasons:
                    amounts = "; ".join(f"{fmt_amount(v)} {u}" for u, v in reason.get("amounts", {}).items())
                    out.append({"table": title, "kind": kind, "code": reason["code"], "severity": reason["severity"],
                                "rows": reason["rows"], "amounts": amounts, "message": reason.get(key) or reason["message"],
                                "cells": ", ".join(reason.get("cells", [])[:10])})
        return out

    def problem_rows(self) -> list[dict[str, str]]:
        key = "message_zh" if self.lang == "zh" else "message"
        return [{"severity": p["severity"], "code": p["code"], "message": p.get(key) or p["message"]}
                for p in self.results.get("problems", [])]

    def check_rows(self) -> list[dict[str, str]]:
        if not self.checks:
            return []
        out = []
        for result in self.checks.get("results", []):
            message = result.get("message")
            if isinstance(message, dict):
                message = message.get(self.lang) or message.get("en", "")
            out.append({"rule": result.get("rule_id", ""), "status": result.get("status", ""),
                        "measured": result.get("measured_text", str(result.get("measured", ""))),
                        "threshold": result.get("threshold_text", str(result.get("threshold", ""))),
                        "message": message or ""})
        return out

    # --- products, inputs, lines ---------------------------------------------

    def unit_name(self, product: dict[str, Any]) -> str:
        """The declared unit of a product as the report names it: 辆/vehicle, 件/piece, 吨/t."""
        if product.get("vehicle"):
            return self.text["unit_vehicle"]
        return self.text.get(f"unit_{product.get('declared_unit', 'piece')}", product.get("declared_unit", ""))

    def product_rows(self) -> list[dict[str, str]]:
        return [
            {"product": p["product_id"], "unit": self.unit_name(p), "units": fmt_t(p["units"], 0),
             "per_unit": fmt_kg(p["per_unit_kgco2e"]), "parts": fmt_kg(p["parts_kgco2e_per_unit"]),
             "factory": fmt_kg(p["factory_kgco2e_per_unit"]), "tco2e": fmt_t(p["total_tco2e"]),
             "complete": self.text["yes"] if p.get("complete", True) else self.text["no"]}
            for p in self.results.get("products", [])
        ]

    def incomplete_rows(self) -> list[dict[str, str]]:
        """Why a product's footprint is incomplete, one row per reason."""
        key = "message_zh" if self.lang == "zh" else "message"
        return [{"product": p["product_id"], "reason": r.get(key) or r["message"]}
                for p in self.results.get("products", []) for r in p.get("reasons", [])]

    def batch_rows(self) -> list[dict[str, str]]:
        rows = []
        for p in self.results.get("products", []):
            for b in p["batches"]:
                rows.append({"product": p["product_id"], "batch": b["batch_id"] or "", "site": b["site_id"],
                             "period": b["period"], "units": fmt_t(b["units"], 0),
                             "per_unit": fmt_kg(b["per_unit_kgco2e"]), "tco2e": fmt_t(b["total_tco2e"])})
        return rows

    def input_rows(self) -> list[dict[str, str]]:
        return [{"file": i["path"], "sha256": i["sha256"], "size": f"{i['size']:,}"} for i in self.manifest.get("inputs", [])]

    def top_lines(self) -> list[dict[str, str]]:
        lines = self.lines
        chosen = lines[(lines["scope"] != "2") | (lines["scope2_method"] == "market")]
        chosen = chosen.sort_values("co2e_t", ascending=False).head(TOP_LINES)
        rows = []
        for r in chosen.itertuples():
            where = f"{Path(str(r.source_file)).name}"
            if isinstance(r.source_sheet, str) and r.source_sheet:
                where += f":{r.source_sheet}"
            if not pd.isna(r.source_row):
                where += f"!{int(r.source_row)}"
            rows.append({"line": r.line_id, "scope": f"{r.scope}/{r.category}", "source": where,
                         "activity": r.activity, "factor": r.factor_id, "tco2e": fmt_t(r.co2e_t)})
        return rows


def build_charts(model: ReportModel) -> list[charts.Chart]:
    t = model.results["totals"]
    text = model.text
    out = [
        charts.Chart("scope_split", text["chart_scope_split"], charts.hbar(
            [(text["scope1"], t["scope1"]), (text["scope2_location"], t["scope2_location"]),
             (text["scope2_market"], t["scope2_market"]), (text["scope3"], t["scope3"])], "tCO2e")),
    ]
    s3 = sorted(((v, k) for k, v in t["scope3_by_category"].items() if v), reverse=True)
    if s3:
        names = {k: (v[1] if model.lang == "zh" else v[0]) for k, v in CATEGORIES.items()}
        out.append(charts.Chart("scope3_by_category", text["chart_scope3"],
                                charts.hbar([(f"{k} {names[k]}", v) for v, k in s3], "tCO2e")))
    sites = model.results["by_site"]
    if sites:
        ids = sorted(sites, key=lambda s: -(sites[s]["scope1"] + sites[s]["scope2_market"]))
        out.append(charts.Chart("sites", text["chart_sites"], charts.vbar_stacked(
            ids, {text["scope1"]: [sites[s]["scope1"] for s in ids],
                  text["scope2_market"]: [sites[s]["scope2_market"] for s in ids]}, "tCO2e")))
    monthly = _monthly_electricity(model)
    if monthly:
        out.append(charts.Chart("monthly_electricity", text["chart_monthly"],
                                charts.lines_chart([str(m) for m in range(1, 13)], monthly, "MWh")))
    pareto = _supplier_pareto(model)
    if pareto:
        out.append(charts.Chart("supplier_pareto", text["chart_pareto"], charts.pareto(pareto, "tCO2e")))
    trend = _trend(model)
    if trend:
        out.append(charts.Chart("trend", text["chart_trend"], trend))
    return out


def _monthly_electricity(model: ReportModel) -> dict[str, list[float | None]]:
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


def _supplier_pareto(model: ReportModel, top: int = 15) -> list[tuple[str, float]]:
    lines = model.lines
    cat1 = lines[(lines["scope"] == "3") & (lines["category"] == "1") & lines["supplier_id"].notna()]
    if cat1.empty:
        return []
    by_supplier = cat1.groupby("supplier_id")["co2e_t"].sum().sort_values(ascending=False)
    return [(str(k), float(v)) for k, v in by_supplier.head(top).items()]


def _trend(model: ReportModel) -> str | None:
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


def load_model(out: Path, lang: str, generated: str) -> ReportModel:
    """Read results.json, lines, the dataset and checks.json (if any) from OUT."""
    from zcf.io import require_files

    require_files(out, ["results.json", "lines.parquet", "manifest.json", "dataset"], "zcf calc")
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    lines = pd.read_parquet(out / "lines.parquet")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    checks_path = out / "checks.json"
    checks = json.loads(checks_path.read_text(encoding="utf-8")) if checks_path.is_file() else None
    tables = {p.stem: pd.read_parquet(p) for p in sorted((out / "dataset").glob("*.parquet"))}
    model = ReportModel(lang, labels(lang), results, lines, manifest, checks, tables, generated)
    model.charts = build_charts(model)
    return model
