"""Supplier results and the supplier data kit: per-supplier figures and Pareto by hand; kit → two workbooks
filled as suppliers would → collect → coverage rises and the items' method changes (through the CLI)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from conftest import SAMPLE_ZH, invoke

FAST = ["--format", "xlsx", "--fail-on", "never"]


def test_per_supplier_results_and_pareto_by_hand(tmp_path):
    root = tmp_path / "in"
    root.mkdir()
    (root / "organization.csv").write_text("field,value\ncompany_name,T\nreporting_year,2025\n", encoding="utf-8")
    (root / "sites.csv").write_text("site_id,province\nS1,江苏\n", encoding="utf-8")
    (root / "suppliers.csv").write_text("supplier_id,name,pcf_status\nA,Alpha,verified\nB,Beta,none\nC,Gamma,none\n",
                                        encoding="utf-8")
    (root / "purchases.csv").write_text(
        "supplier_id,item_id,category,material,quantity,unit,spend,currency,sector,supplier_pcf,pcf_unit,pcf_verified\n"
        "A,I1,1,,100,t,,,,7,tCO2e/t,yes\n"        # 700 t, supplier-specific
        "B,I2,1,steel,100,t,,,,,,\n"              # 100 t × 1.91 = 191 t, average-data
        "C,I3,1,,,,1000000,CNY,machinery,,,\n"    # 1,000,000 CNY × 0.0388 kg = 38.8 t, spend-based
        "C,I4,2,,,,500000,CNY,machinery,,,\n",    # category 2: 19.4 t
        encoding="utf-8")
    assert invoke(["run", root, "-o", tmp_path / "out", *FAST]).exit_code == 0
    suppliers = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))["suppliers"]
    by_id = {e["supplier_id"]: e for e in suppliers["by_supplier"]}
    cat1 = 700 + 191 + 38.8
    assert [e["supplier_id"] for e in suppliers["by_supplier"]] == ["A", "B", "C"]
    assert by_id["A"]["cat1_share"] == pytest.approx(700 / cat1) and by_id["A"]["primary_data_share"] == 1.0
    assert by_id["C"]["cat1_tco2e"] == pytest.approx(38.8) and by_id["C"]["cat2_tco2e"] == pytest.approx(19.4)
    assert by_id["C"]["spend_cny"] == pytest.approx(1_500_000) and by_id["B"]["data_quality_score"] == 3
    assert by_id["B"]["name"] == "Beta" and by_id["A"]["pcf_status"] == "verified"
    # cumulative share: A 75.3 %, A+B 95.8 %: two suppliers make 80 % of category 1
    pareto = suppliers["pareto"]
    assert pareto["suppliers_to_threshold"] == 2 and pareto["cumulative_share"][-1] == pytest.approx(1.0)
    assert [e["supplier_id"] for e in suppliers["ask_first"]] == ["B", "C"]  # largest on average/spend data first


@pytest.fixture(scope="module")
def sample_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("kit") / "out"
    assert invoke(["run", SAMPLE_ZH, "-o", out, *FAST]).exit_code == 0
    return out


def _fill_reported(path: Path) -> str:
    """The supplier answers with a footprint per kilogram for its first item."""
    workbook = load_workbook(path)
    sheet = workbook["供应商碳足迹 supplier_pcfs"]
    item = sheet["A2"].value
    for cell, value in zip("CDEFGHIJK", (1.95, 1, "kg", 1, "2024-01-01", "2024-12-31", "cradle-to-gate",
                                           "ISO14067", "否")):
        sheet[f"{cell}2"] = value
    workbook.save(path)
    return item


def _fill_energy(path: Path) -> None:
    """The supplier has no footprint: its plant's electricity, gas and output for the year."""
    workbook = load_workbook(path)
    energy = workbook["供应商能耗 supplier_energy"]
    energy["D2"], energy["E2"], energy["F2"] = "电力", 5_200_000, "kWh"
    energy["D3"], energy["E3"], energy["F3"] = "天然气", 180_000, "m3"
    output = workbook["供应商产量 supplier_output"]
    output["D2"], output["E2"] = 5_000, "t"
    workbook.save(path)


def test_kit_round_trip_raises_coverage_and_changes_the_method(sample_out, tmp_path):
    kits = tmp_path / "kits"
    result = invoke(["supplier", "kit", sample_out, "-o", kits, "--suppliers", "SUP003,SUP035"])
    assert result.exit_code == 0
    files = {p.name.split("_")[0]: p for p in kits.glob("*.xlsx")}
    assert set(files) == {"SUP003", "SUP035"}
    workbook = load_workbook(files["SUP035"])
    assert workbook["供应商碳足迹 supplier_pcfs"].protection.sheet and workbook["说明 README"]["A1"].value.startswith("致")
    reported_item = _fill_reported(files["SUP003"])
    _fill_energy(files["SUP035"])

    collected = tmp_path / "pcfs.xlsx"
    result = invoke(["supplier", "collect", kits, "-o", collected, "--out", sample_out, "--json"])
    assert result.exit_code == 0, result.stdout
    coverage = json.loads(result.stdout)["coverage"]
    assert (coverage["asked"], coverage["answered"], coverage["valid"]) == (2, 2, 2)
    assert coverage["reported"] == 1 and coverage["estimated"] > 0
    assert coverage["cat1_supplier_specific_after"] > coverage["cat1_supplier_specific_before"]

    out = tmp_path / "with-kits"
    assert invoke(["run", SAMPLE_ZH, collected, "-o", out, *FAST]).exit_code == 0
    lines = pd.read_parquet(out / "lines.parquet")
    purchases = pd.read_parquet(out / "dataset" / "purchases.parquet")
    rows = purchases.loc[purchases["item_id"] == reported_item, "_source_row"].tolist()
    mine = lines[(lines["source_table"] == "purchases") & lines["source_row"].isin(rows)]
    assert set(mine["method"]) == {"supplier-specific"} and set(mine["factor_id"]) == {f"pcf:KIT-SUP003-{reported_item}"}
    sup035 = lines[(lines["supplier_id"] == "SUP035")]
    assert set(sup035["method"]) == {"supplier-specific"} and set(sup035["data_quality"]) == {3}  # estimated
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert results["reconciliation"]["supplier_pcfs"]["unaccounted"] == 0


def test_an_estimate_is_the_material_factor_plus_the_suppliers_own_emissions_per_unit(sample_out, tmp_path):
    kits = tmp_path / "kits"
    assert invoke(["supplier", "kit", sample_out, "-o", kits, "--suppliers", "SUP035"]).exit_code == 0
    (path,) = kits.glob("*.xlsx")
    workbook = load_workbook(path)
    workbook["供应商能耗 supplier_energy"]["D2"] = "电力"
    workbook["供应商能耗 supplier_energy"]["E2"] = 1_000_000
    workbook["供应商能耗 supplier_energy"]["F2"] = "kWh"
    workbook["供应商产量 supplier_output"]["D2"] = 1_000
    workbook["供应商产量 supplier_output"]["E2"] = "t"
    workbook.save(path)
    collected = tmp_path / "pcfs.xlsx"
    assert invoke(["supplier", "collect", kits, "-o", collected, "--out", sample_out]).exit_code == 0
    rows = list(load_workbook(collected).active.iter_rows(values_only=True))
    header, first = rows[0], dict(zip(rows[0], rows[1]))
    # 1,000 MWh × 0.6096 tCO2/MWh (market-based: the national residual factor 2023, the latest for 2025)
    # = 609.6 t ÷ 1,000 t = 0.6096 tCO2e/t, + primary aluminium 15.1 tCO2e/t = 15.7096 kgCO2e/kg
    residual = 0.6096
    assert first["pcf_kgco2e"] == pytest.approx(15.1 + 1000 * residual / 1000, rel=1e-9)
    assert first["basis"] == "estimated" and "MAT_ALU_PRIMARY_GLOBAL_2022" in first["source"]
    assert math.isclose(sum(1 for r in rows[1:] if r[header.index("basis")] == "estimated"), len(rows) - 1)
