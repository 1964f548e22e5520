"""End-to-end ingest of the sample data: the Chinese workbook and the English CSVs."""

import json

import pandas as pd
import pytest

from conftest import SAMPLE_EN, SAMPLE_ZH, invoke
from zcf.ingest import IngestOptions, ingest

EXPECTED_ROWS = {
    "organization": 12, "sites": 4, "energy": 156, "renewable_instruments": 26, "refrigerants": 8,
    "process_emissions": 2, "production": 60, "suppliers": 40, "purchases": 248, "transport": 8, "waste": 18,
    "travel": 7, "commuting": 21, "sold_products": 3, "bom": 552, "factors": 1, "targets": 2, "history": 3,
}


@pytest.fixture(scope="module")
def zh_report():
    return ingest([str(SAMPLE_ZH)])


@pytest.fixture(scope="module")
def en_report():
    return ingest([str(SAMPLE_EN)])


def test_chinese_workbook_is_valid(zh_report):
    assert zh_report.valid, [str(p) for p in zh_report.problems]
    assert zh_report.problems == []
    assert {name: len(frame) for name, frame in zh_report.tables.items()} == EXPECTED_ROWS


def test_english_csvs_are_valid(en_report):
    assert en_report.valid, [str(p) for p in en_report.problems]
    assert {name: len(frame) for name, frame in en_report.tables.items()} == EXPECTED_ROWS


def test_both_paths_give_the_same_dataset(zh_report, en_report):
    for name, zh in zh_report.tables.items():
        en = en_report.tables[name]
        lineage = [c for c in zh.columns if c.startswith("_source")]
        # sites.activity is free text, typed in Chinese in one file and English in the other
        free_text = ["activity"] if name == "sites" else []
        pd.testing.assert_frame_equal(
            zh.drop(columns=lineage + free_text), en.drop(columns=lineage + free_text), check_dtype=True, obj=name
        )


def test_organization_fields(zh_report):
    org = zh_report.organization
    assert org["company_name"] == "示例汽车集团有限公司"
    assert org["reporting_year"] == 2025 and zh_report.reporting_year == 2025
    assert org["consolidation_approach"] == "operational_control"
    assert org["gwp_basis"] == "AR6"
    assert org["revenue"] == 31_800_000_000


def test_values_are_normalised(zh_report):
    energy = zh_report.tables["energy"]
    # JS01 electricity is typed in 万千瓦时 (10,000 kWh = 10 MWh)
    js01 = energy[(energy.site_id == "JS01") & (energy.energy_type == "electricity")].iloc[0]
    assert js01.unit == "万千瓦时"
    assert js01.quantity_std == pytest.approx(js01.quantity * 10)
    assert js01.unit_std == "MWh" and js01.energy_mwh == pytest.approx(js01.quantity * 10)
    # Periods typed as Excel dates come back as months; defaults are filled
    assert js01.period == "2025-01" and js01.period_month == 1 and js01.supply == "grid"
    sites = zh_report.tables["sites"].set_index("site_id")
    assert sites.loc["CQ01", "province"] == "CN-CQ" and sites.loc["JS02", "equity_share"] == 0.6
    assert bool(sites.loc["CQ01", "controlled"]) is True


def test_energy_content_of_fuels(zh_report):
    energy = zh_report.tables["energy"]
    gas = energy[(energy.site_id == "CQ01") & (energy.energy_type == "natural_gas")].iloc[0]
    # 1 万m3 = 10,000 m3; NCV 389.31 GJ per 10^4 Nm3; 1 MWh = 3.6 GJ
    assert gas.energy_mwh == pytest.approx(gas.quantity * 389.31 / 3.6)
    petrol = energy[(energy.site_id == "CQ01") & (energy.energy_type == "gasoline")].iloc[0]
    # litres → m3 → t with the library density 0.7475 kg/L, then NCV 43.07 GJ/t
    assert petrol.energy_mwh == pytest.approx(petrol.quantity / 1000 * 0.7475 * 43.07 / 3.6)
    diesel = energy[(energy.site_id == "CQ01") & (energy.energy_type == "diesel")].iloc[0]
    assert diesel.energy_mwh == pytest.approx(diesel.quantity * 42.652 / 3.6)


def test_cli_ingest_writes_dataset_and_manifest(tmp_path):
    result = invoke(["ingest", SAMPLE_ZH, "-o", tmp_path])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Valid" in result.stdout
    assert sorted(p.stem for p in (tmp_path / "dataset").glob("*.parquet")) == sorted(EXPECTED_ROWS)
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["valid"] is True
    assert {k: v["rows"] for k, v in manifest["tables"].items()} == EXPECTED_ROWS
    (source,) = manifest["inputs"]
    assert len(source["sha256"]) == 64 and source["size"] == SAMPLE_ZH.stat().st_size
    assert {s["table"] for s in source["sheets"]} == set(EXPECTED_ROWS)
    frame = pd.read_parquet(tmp_path / "dataset" / "energy.parquet")
    assert list(frame.columns[-3:]) == ["_source_file", "_source_sheet", "_source_row"]
    assert frame["_source_sheet"].iloc[0] == "能源" and frame["_source_row"].iloc[0] == 2


def test_json_output_is_the_report(tmp_path):
    result = invoke(["ingest", SAMPLE_EN, "-o", tmp_path, "--json"])
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document == json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    hashes = document.pop("dataset_sha256")  # written with the dataset: the chain later steps verify
    assert sorted(hashes) == sorted(f"{name}.parquet" for name in document["tables"])
    assert document == ingest([str(SAMPLE_EN)]).to_dict("en")


def test_reruns_are_byte_identical(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    assert invoke(["ingest", SAMPLE_ZH, "-o", first]).exit_code == 0
    assert invoke(["ingest", SAMPLE_ZH, "-o", second]).exit_code == 0
    for path in sorted(first.rglob("*")):
        if path.is_file():
            assert path.read_bytes() == (second / path.relative_to(first)).read_bytes(), path.name


def test_run_ingests_and_calculates_the_sample(tmp_path):
    result = invoke(["run", SAMPLE_ZH, "-o", tmp_path], lang="zh")
    assert result.exit_code == 0, result.stderr
    assert "范围一" in result.stdout and "温室气体清单" in result.stdout
    assert (tmp_path / "dataset" / "purchases.parquet").exists()
    assert (tmp_path / "results.json").exists() and (tmp_path / "lines.csv").exists()


def test_inputs_are_not_modified(tmp_path):
    before = SAMPLE_ZH.read_bytes()
    invoke(["ingest", SAMPLE_ZH, "-o", tmp_path])
    assert SAMPLE_ZH.read_bytes() == before


def test_year_option_overrides_the_organization_table():
    report = ingest([str(SAMPLE_EN)], IngestOptions(year=2024))
    codes = {p.code for p in report.problems}
    assert report.reporting_year == 2024 and "period-outside-year" in codes
    relaxed = ingest([str(SAMPLE_EN)], IngestOptions(year=2024, allow_other_years=True))
    assert "period-outside-year" not in {p.code for p in relaxed.problems}
