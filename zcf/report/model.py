"""What the reports show, prepared once from results.json, the lines and the dataset.

The PDF template and the Excel writer both read a :class:`ReportModel`; neither
computes anything: every figure comes from results.json (itself sums of lines). Rows
hold numbers as numbers — the PDF formats them with :mod:`zcf.report.numbers`, the
workbook keeps them as numbers with a number format — and every code as words of the
report's language (:mod:`zcf.report.labels`). The company's and sites' names follow the
language: ``company_name_en`` and the sites' ``name_en`` in English, each falling back
to the (Chinese) name.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from zcf.calc.scope3 import CATEGORIES
from zcf.report import charts
from zcf.report.labels import Words, words
from zcf.units import ratio

KG_PER_T = ratio("t", "kg")


@dataclass
class ReportModel:
    lang: str
    words: Words
    results: dict[str, Any]
    lines: pd.DataFrame
    manifest: dict[str, Any]
    checks: dict[str, Any] | None
    tables: dict[str, pd.DataFrame]
    generated: str
    charts: list[charts.Chart] = field(default_factory=list)

    @property
    def text(self) -> dict[str, Any]:
        """The flat labels (headings, column titles) of the report's language."""
        return self.words.table

    # --- names -----------------------------------------------------------------

    @property
    def org(self) -> dict[str, Any]:
        return self.results["organization"]

    @property
    def company_name(self) -> str:
        """The company's name in the report's language: English name in English, else the legal name."""
        name = self.org.get("company_name") or ""
        return (self.org.get("company_name_en") or name) if self.lang == "en" else name

    def site_name(self, site_id: str) -> str:
        """A site's name in the report's language (``name_en`` in English, falling back to ``name``)."""
        sites = self.tables.get("sites")
        name = self.results["by_site"].get(site_id, {}).get("name")
        if self.lang == "en" and sites is not None and "name_en" in sites:
            match = sites.loc[sites["site_id"] == site_id, "name_en"].dropna()
            if len(match):
                name = match.iloc[0]
        return name or ""

    def site_label(self, site_id: str) -> str:
        name = self.site_name(site_id)
        return f"{site_id} {name}" if name else site_id

    @property
    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        for item in sorted(self.results.get("inputs", []), key=lambda i: i["sha256"]):
            digest.update(item["sha256"].encode())
        return digest.hexdigest()

    @property
    def boundary(self) -> str:
        return self.words.of("consolidation", self.results["consolidation_approach"])

    @property
    def assurance(self) -> str | None:
        level = self.org.get("assurance_level")
        return self.words.of("assurance", level) if level and level != "none" else None

    @property
    def title(self) -> str:
        """The document title: company, report, year (PDF metadata and the page header)."""
        return f"{self.company_name} — {self.text['report_title']} {self.results['reporting_year']}"

    # --- summary ---------------------------------------------------------------

    def previous_year(self) -> dict[str, float]:
        history = self.tables.get("history")
        if history is None or history.empty:
            return {}
        rows = history[history["year"] == self.results["reporting_year"] - 1]
        return {} if rows.empty else rows.iloc[0].to_dict()

    def key_figures(self) -> list[dict[str, Any]]:
        """Rows of {figure, value, kind, unit, change, format}: ``kind`` is number or share; ``change`` a fraction
        or None; ``format`` the workbook's number format (zcf.report.numbers.FORMATS)."""
        t, energy, intensity, w = self.results["totals"], self.results["energy"], self.results["intensity"], self.words
        previous = self.previous_year()

        def change(now, key):
            before = previous.get(key)
            return None if now is None or before is None or pd.isna(before) or not before else (now - before) / before

        def row(figure, value, unit, fmt, key=None):
            return {"figure": figure, "value": value, "kind": "share" if fmt == "share" else "number", "unit": unit,
                    "change": change(value, key) if key else None, "format": fmt}

        rows = [
            row(w["scope1"], t["scope1"], "tCO2e", "tco2e", "scope1"),
            row(w["scope2_location"], t["scope2_location"], "tCO2e", "tco2e", "scope2_location"),
            row(w["scope2_market"], t["scope2_market"], "tCO2e", "tco2e", "scope2_market"),
            row(w["scope3"], t["scope3"], "tCO2e", "tco2e", "scope3"),
            row(w["total_market"], t["total_market"], "tCO2e", "tco2e"),
            row(w["energy_total"], energy.get("total_mwh"), "MWh", "energy", "energy_mwh"),
            row(w["energy_tce"], energy.get("total_tce"), w.unit("tce"), "energy"),
            row(w["renewable_share"], energy.get("renewable_share"), "%", "share"),
            row(w["traceable_share"], energy.get("traceable_green_electricity_share"), "%", "share"),
        ]
        if intensity.get("per_million_revenue"):
            rows.append(row(w["intensity_revenue"], intensity["per_million_revenue"]["scope1_2_market"],
                            w.per_unit("revenue", intensity.get("currency")), "intensity"))
        rows += self.production_figures()
        return rows

    def production_figures(self) -> list[dict[str, Any]]:
        """Units produced and Scope 1+2 per unit: per vehicle for vehicle makers, else per piece or per t (in kg)."""
        intensity, w = self.results["intensity"], self.words
        if intensity.get("per_vehicle"):
            return [
                {"figure": w["produced_vehicle"], "value": intensity["vehicles_produced"], "kind": "number",
                 "unit": w.unit("vehicle"), "change": None, "format": "count"},
                {"figure": w["intensity_vehicle"], "value": intensity["per_vehicle"]["scope1_2_market"], "kind": "number",
                 "unit": w.per_unit("vehicle"), "change": None, "format": "intensity"},
            ]
        per_unit = intensity.get("per_unit_produced")
        if not per_unit:
            return []
        unit = per_unit["unit"]  # piece or t: a piece's share of a plant is a fraction of a tonne, so kg
        return [
            {"figure": w[f"produced_{unit}"], "value": per_unit["units_produced"], "kind": "number",
             "unit": w.of("declared_unit", unit), "change": None, "format": "count" if unit == "piece" else "energy"},
            {"figure": w[f"intensity_{unit}"], "value": per_unit["scope1_2_market"] * KG_PER_T, "kind": "number",
             "unit": w.per_unit(unit), "change": None, "format": "intensity"},
        ]

    def site_rows(self) -> list[dict[str, Any]]:
        return [{"site": self.site_label(site_id), "site_id": site_id, "name": self.site_name(site_id), **{
                    k: s[k] for k in ("scope1", "scope2_location", "scope2_market", "scope3", "energy_mwh")}}
                for site_id, s in self.results["by_site"].items()]

    # --- methodology -----------------------------------------------------------

    def category_name(self, number: str) -> str:
        name, name_zh = CATEGORIES[number]
        return name_zh if self.lang == "zh" else name

    def scope3_rows(self) -> list[dict[str, Any]]:
        """Each category: status, tCO2e, methods and — for a category not calculated — the reason, as a fact."""
        rows = []
        for number, entry in self.results["scope3_status"].items():
            reason = ""
            if entry["status"] != "calculated":
                key = "reason_zh" if self.lang == "zh" else "reason"
                reason = entry.get(key) or entry.get("reason") or ""
            rows.append({
                "number": int(number),
                "category": f"{number} {self.category_name(number)}",
                "name": self.category_name(number),
                "status": self.words.of("scope3_status", entry["status"]),
                "tco2e": self.results["totals"]["scope3_by_category"].get(number),
                "methods": self.words.table["list_separator"].join(self.words.method(m) for m in entry.get("methods", [])),
                "reason": reason,
            })
        return rows

    def memo_rows(self) -> list[dict[str, Any]]:
        return [{"gas": m["gas"], "table": self.words.table_name(m["source_table"]), "rows": m["rows"],
                 "mass_t": m["mass_t"], "tco2e": m["co2e_t"]} for m in self.results.get("memo_items", [])]

    @property
    def residual_factors(self) -> str:
        basis = self.results.get("scope2_market_basis") or {}
        ids = ", ".join(basis.get("residual_factor_ids", []))
        name = self.words.activity(basis.get("residual")) if basis.get("residual") else ""
        return f"{name} ({ids})" if ids else name


# The dataset tables the reports show something of (figures, site names, history); the large ones
# (purchases, energy rows) are summed in results.json and only energy is read, for the monthly chart.
REPORT_TABLES = frozenset({"sites", "history", "targets", "energy"})
# Line columns held as codes and distinct texts (a factor citation repeats on millions of lines)
_PER_LINE_TEXT = ("line_id", "calculation")


def read_lines(path: Path, max_listed: int | None = None) -> pd.DataFrame:
    """lines.parquet for the reports: repeated texts as categories; without the calculation text when there are
    more lines than a workbook lists (``max_listed``, default that of :mod:`zcf.report.lines_sheet`) — the PDF
    shows only the largest lines, and those are in lines.csv and lines.parquet in full."""
    import pyarrow.parquet as pq

    from zcf.report.lines_sheet import MAX_LINES

    listed = max_listed if max_listed is not None else MAX_LINES
    schema = pq.read_schema(path)
    rows = pq.ParquetFile(path).metadata.num_rows
    columns = [n for n in schema.names if not (n == "calculation" and rows > listed)]
    coded = [n for n in columns if n not in _PER_LINE_TEXT and str(schema.field(n).type) in ("string", "large_string")]
    table = pq.read_table(path, columns=columns, read_dictionary=coded)
    return table.to_pandas(split_blocks=True, self_destruct=True)


def load_model(out: Path, lang: str, generated: str) -> ReportModel:
    """Read results.json, lines, the dataset and checks.json (if any) from OUT."""
    from zcf.io import require_files
    from zcf.report.figures import build_charts

    from zcf.outputs import read_record, require_own, verify_checks, verify_results

    require_own(out, "report")
    require_files(out, ["results.json", "lines.parquet", "manifest.json", "dataset"], "zcf calc")
    results = read_record(out, "results.json", "zcf calc")
    verify_results(out, results)
    lines = read_lines(out / "lines.parquet")
    manifest = read_record(out, "manifest.json", "zcf ingest")
    checks_path = out / "checks.json"
    checks = read_record(out, "checks.json", "zcf check") if checks_path.is_file() else None
    if checks is not None:
        verify_checks(out, checks)
    tables = {p.stem: pd.read_parquet(p) for p in sorted((out / "dataset").glob("*.parquet")) if p.stem in REPORT_TABLES}
    model = ReportModel(lang, words(lang), results, lines, manifest, checks, tables, generated)
    model.charts = build_charts(model)
    return model
