"""``zcf merge``: a group inventory from separate entity runs equals one run over all their inputs, exactly."""

from __future__ import annotations

import csv
import json
import math
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import SAMPLE, SAMPLE_EN, invoke

CONFIG = SAMPLE / "zcf.toml"
HQ_SITES = {"CQ01", "SH01"}  # entity "hq": Chongqing plant and Shanghai head office
JS_SITES = {"JS01", "JS02"}  # entity "js": the two Changzhou plants (JS02 is 60 % owned)
REFERENCE = ("suppliers", "factors")  # shared: both entities carry the same file
HQ_ONLY = ("sold_products", "transport", "history", "targets")  # group-level activity: kept by the head office


def zcf(*args) -> object:
    return invoke(["--config", CONFIG, *args])


def read_rows(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, header: list[str], rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, header)
        writer.writeheader()
        writer.writerows(rows)


def split_sample(root: Path, approach: str = "operational_control") -> dict[str, Path]:
    """sample_data/en as three input folders: hq, js (split by site) and all (both, as one company)."""
    folders = {name: root / f"in-{name}" for name in ("hq", "js", "all")}
    for folder in folders.values():
        folder.mkdir(parents=True)
    for source in sorted(SAMPLE_EN.glob("*.csv")):
        table = source.stem
        header, rows = read_rows(source)
        if table == "organization":
            org = {r["field"]: r["value"] for r in rows}
            org["consolidation_approach"] = approach
            for name, company, revenue in (("hq", "示例汽车集团（重庆）有限公司", "20000000000"),
                                           ("js", "示例汽车集团（江苏）有限公司", "11800000000"),
                                           ("all", org["company_name"], org["revenue"])):
                own = {**org, "company_name": company, "revenue": revenue}
                write_rows(folders[name] / source.name, ["field", "value"],
                           [{"field": k, "value": v} for k, v in own.items()])
            continue
        write_rows(folders["all"] / source.name, header, rows)
        if table == "bom":  # each entity's BOM names the parts it buys or makes (rows of both: in both)
            continue
        if table in REFERENCE:
            shutil.copyfile(source, folders["hq"] / source.name)
            shutil.copyfile(source, folders["js"] / source.name)
        elif table in HQ_ONLY or "site_id" not in header:
            shutil.copyfile(source, folders["hq"] / source.name)
        else:
            in_js = [r for r in rows if r["site_id"] in JS_SITES]
            write_rows(folders["js"] / source.name, header, in_js)
            write_rows(folders["hq"] / source.name, header, [r for r in rows if r not in in_js])
    header, rows = read_rows(SAMPLE_EN / "bom.csv")
    for name in ("hq", "js"):
        items = {r["item_id"] for r in read_rows(folders[name] / "purchases.csv")[1]}
        items |= {r["product_id"] for r in read_rows(folders[name] / "production.csv")[1]}
        write_rows(folders[name] / "bom.csv", header, [r for r in rows if r["item_id"] in items])
    return folders


def run_parts(root: Path, folders: dict[str, Path]) -> dict[str, Path]:
    """zcf ingest + zcf calc of each input folder (the reports are not needed)."""
    outs = {}
    for name, folder in folders.items():
        out = root / name
        result = zcf("ingest", folder, "-o", out)
        assert result.exit_code == 0, result.stderr[-3000:]
        result = zcf("calc", out)
        assert result.exit_code == 0, result.stderr[-3000:]
        outs[name] = out
    return outs


def results(out: Path) -> dict:
    return json.loads((out / "results.json").read_text(encoding="utf-8"))


def assert_same_totals(group: dict, single: dict) -> None:
    """Every total, by scope, category, site and gas, equal with == (not approximately)."""
    assert group["totals"] == single["totals"]
    for site, values in single["by_site"].items():
        for key in ("scope1", "scope2_location", "scope2_market", "scope3", "energy_mwh"):
            assert group["by_site"][site][key] == values[key], (site, key)
    assert group["by_site"].keys() == single["by_site"].keys()
    assert group["by_gas"] == single["by_gas"]
    assert group["lines"]["count"] == single["lines"]["count"]
    assert group["lines"]["co2e_t_sum"] == single["lines"]["co2e_t_sum"]
    assert group["energy"]["total_mwh"] == single["energy"]["total_mwh"]


@pytest.fixture(scope="module")
def sample_split(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("merge")
    return run_parts(root, split_sample(root))


def test_merge_equals_one_run_over_both_inputs(sample_split, tmp_path):
    group = tmp_path / "group"
    result = zcf("merge", sample_split["hq"], sample_split["js"], "-o", group, "--company", "示例汽车集团有限公司")
    assert result.exit_code == 0, result.stderr[-3000:]
    merged, single = results(group), results(sample_split["all"])
    assert_same_totals(merged, single)
    lines = pd.read_parquet(group / "lines.parquet")
    assert len(lines) == len(pd.read_parquet(sample_split["all"] / "lines.parquet"))
    assert set(lines["entity"]) == {"hq", "js"}
    assert set(lines.loc[lines["entity"] == "js", "site_id"].dropna()) == JS_SITES
    assert lines["source_file"].str.startswith(("hq/", "js/")).all()  # lineage: entity, then the file as given
    assert math.fsum(lines["co2e_t"]) == merged["lines"]["co2e_t_sum"]
    # each entity's share of the group is the sum of its lines; the parts ran with the same factors, so the
    # same figures as their own runs
    for name in ("hq", "js"):
        entity = merged["entities"][name]
        assert entity["totals_tco2e"]["scope1"] == results(sample_split[name])["totals"]["scope1"]
    manifest = json.loads((group / "manifest.json").read_text(encoding="utf-8"))
    assert [p["entity"] for p in manifest["merge"]["parts"]] == ["hq", "js"]
    assert manifest["merge"]["reference_rows_kept_once"]["suppliers"] > 0
    assert merged["organization"]["company_name"] == "示例汽车集团有限公司"
    assert merged["organization"]["revenue"] == 31_800_000_000.0  # 20 000 000 000 + 11 800 000 000
    for section in ("energy", "intensity", "scope3_status", "data_quality", "suppliers", "grid_vintage",
                    "factor_library", "factor_policy", "scope2_market_basis", "memo_items"):
        assert merged[section] == single[section], section
    weak = {k: v for k, v in single["factor_quality"].items() if k != "largest_weak_factors"}  # ids name files
    assert {k: v for k, v in merged["factor_quality"].items() if k != "largest_weak_factors"} == weak

    def counts(document: dict) -> dict:  # every input row accounted for, the same way (cells name other files)
        keys = ("rows", "calculated", "used", "excluded", "partial", "unaccounted", "amounts")
        return {table: {k: v for k, v in r.items() if k in keys} for table, r in document["reconciliation"].items()}

    assert counts(merged) == counts(single)
    # Product footprints add a product's BOM rows exactly (math.fsum), so the group's BOM order does not matter
    assert [p["product_id"] for p in merged["products"]] == [p["product_id"] for p in single["products"]]
    for group_product, single_product in zip(merged["products"], single["products"]):
        for key in ("total_tco2e", "parts_tco2e", "primary_data_share"):
            assert group_product.get(key) == single_product.get(key), key


def test_merge_under_equity_share_equals_one_equity_run(sample_split, tmp_path):
    """The parts ran under operational control; --consolidation equity_share applies JS02's 60 % at merge time."""
    equity_inputs = split_sample(tmp_path / "inputs", approach="equity_share")["all"]
    single_out = tmp_path / "single"
    assert zcf("ingest", equity_inputs, "-o", single_out).exit_code == 0
    assert zcf("calc", single_out).exit_code == 0
    group = tmp_path / "group"
    result = zcf("merge", sample_split["hq"], sample_split["js"], "-o", group, "--company", "示例汽车集团有限公司",
                 "--consolidation", "equity_share")
    assert result.exit_code == 0, result.stderr[-3000:]
    merged, single = results(group), results(single_out)
    assert merged["consolidation_approach"] == "equity_share"
    assert_same_totals(merged, single)
    operational = results(sample_split["all"])
    assert merged["totals"]["scope1"] < operational["totals"]["scope1"]  # JS02 counts 60 %
    lines = pd.read_parquet(group / "lines.parquet")
    assert set(lines.loc[lines["site_id"] == "JS02", "boundary_share"]) == {0.6}


def test_group_is_checked_and_reported_like_any_output(sample_split, tmp_path):
    group = tmp_path / "group"
    assert zcf("merge", sample_split["hq"], sample_split["js"], "-o", group, "--company", "G").exit_code == 0
    result = zcf("check", group)
    assert result.exit_code == 0, result.stderr[-3000:]
    assert zcf("check", sample_split["all"]).exit_code == 0

    def statuses(out: Path) -> dict:
        checks = json.loads((out / "checks.json").read_text(encoding="utf-8"))
        return {(r["pack"], r["rule_id"]): r["status"] for r in checks["results"]}

    assert statuses(group) == statuses(sample_split["all"])  # the group passes and fails what one run does
    result = zcf("report", group, "--format", "xlsx", "--lang", "en")
    assert result.exit_code == 0, result.stderr[-3000:]
    assert (group / "report.xlsx").is_file()
    again = zcf("merge", sample_split["js"], sample_split["hq"], "-o", tmp_path / "again", "--company", "G")
    assert again.exit_code == 0
    for name in ("results.json", "lines.csv", "manifest.json"):  # the order of the parts does not matter
        assert (tmp_path / "again" / name).read_bytes() == (group / name).read_bytes(), name
    assert not (tmp_path / "again" / "checks.json").exists()


# --- a small group, by hand -----------------------------------------------------------------------

ORG = "field,value\ncompany_name,{company}\nreporting_year,2025\nconsolidation_approach,{approach}\n" \
      "gwp_basis,{gwp}\ncurrency,CNY\ncountry,CN\nrevenue,{revenue}\n"
SUPPLIERS = "supplier_id,name,country,province\nS1,Steel Co.,CN,Hebei\n"
PURCHASE_HEADER = "supplier_id,item_id,category,material,quantity,unit,site_id,supplier_pcf,pcf_unit,pcf_verified\n"
SMALL = {  # entity → its site, and per table the rows of that site
    "a": {"sites": "A1,Plant A,Jiangsu,1.0\n", "process_emissions": "A1,2025,CO2,10,t,welding\n",
          "refrigerants": "A1,2025,SF6,0.2\n", "purchases": "S1,X,1,steel,10,t,A1,2,tCO2e/t,yes\n"},
    "b": {"sites": "B1,Plant B,Shanghai,0.5\n", "process_emissions": "B1,2025,CO2,4,t,welding\n",
          "refrigerants": "B1,2025,SF6,0.1\n", "purchases": "S1,Y,1,steel,5,t,B1,3,tCO2e/t,yes\n"},
}
HEADERS = {"sites": "site_id,name,province,equity_share\n",
           "process_emissions": "site_id,period,gas,quantity,unit,description\n",
           "refrigerants": "site_id,period,gas,quantity_kg\n", "purchases": PURCHASE_HEADER}


def small_inputs(root: Path, entities: tuple[str, ...], approach: str = "operational_control", gwp: str = "AR6",
                 revenue: int = 1_000_000) -> Path:
    """One input folder holding the rows of ``entities`` (one entity: its own run; both: the single run)."""
    folder = root / f"in-{'-'.join(entities)}-{approach}-{gwp}"
    folder.mkdir(parents=True)
    (folder / "organization.csv").write_text(ORG.format(company="Co " + "+".join(entities), approach=approach,
                                                        gwp=gwp, revenue=revenue), encoding="utf-8")
    (folder / "suppliers.csv").write_text(SUPPLIERS, encoding="utf-8")
    for table, header in HEADERS.items():
        (folder / f"{table}.csv").write_text(header + "".join(SMALL[e][table] for e in entities), encoding="utf-8")
    return folder


def small_run(root: Path, name: str, inputs: Path, *config: str) -> Path:
    out = root / name
    for args in (("ingest", inputs, "-o", out), ("calc", out)):
        result = invoke([*config, *args])
        assert result.exit_code == 0, result.stderr[-3000:]
    return out


def test_small_group_by_hand(tmp_path):
    a = small_run(tmp_path, "plant-a", small_inputs(tmp_path, ("a",)))
    b = small_run(tmp_path, "plant-b", small_inputs(tmp_path, ("b",)))
    both = small_run(tmp_path, "both", small_inputs(tmp_path, ("a", "b"), revenue=2_000_000))
    group = tmp_path / "group"
    result = invoke(["merge", a, b, "-o", group, "--company", "Small Group", "--json"])
    assert result.exit_code == 0, result.stderr[-3000:]
    merged, single = results(group), results(both)
    assert_same_totals(merged, single)
    # Scope 1 = process CO2 10 t (A1) + 4 t (B1) + SF6 (0.2 + 0.1) kg × 25 200 (AR6 GWP) / 1000 = 5.04 + 2.52 t
    #         = 21.56 t; Scope 3 category 1 = 10 t × 2 tCO2e/t + 5 t × 3 tCO2e/t = 20 + 15 = 35 t
    assert merged["totals"]["scope1"] == pytest.approx(21.56, rel=1e-12)
    assert merged["totals"]["scope3_by_category"]["1"] == pytest.approx(35.0, rel=1e-12)
    assert merged["by_site"]["A1"]["scope1"] == pytest.approx(15.04, rel=1e-12)
    assert merged["organization"]["revenue"] == 2_000_000.0  # 1 000 000 + 1 000 000
    assert json.loads(result.stdout)["entities"]["plant-b"]["sites"] == ["B1"]

    # Equity share at merge time: B1 is 50 % owned → Scope 1 = 15.04 + 0.5 × (4 + 2.52) = 18.3 t,
    # Scope 3 = 20 + 0.5 × 15 = 27.5 t — the same as one equity-share run over both inputs.
    both_equity = small_run(tmp_path, "both-equity", small_inputs(tmp_path, ("a", "b"), "equity_share",
                                                                  revenue=2_000_000))
    group_equity = tmp_path / "group-equity"
    result = invoke(["merge", a, b, "-o", group_equity, "--company", "Small Group", "--consolidation", "equity_share"])
    assert result.exit_code == 0, result.stderr[-3000:]
    merged = results(group_equity)
    assert_same_totals(merged, results(both_equity))
    assert merged["totals"]["scope1"] == pytest.approx(18.3, rel=1e-12)
    assert merged["totals"]["scope3"] == pytest.approx(27.5, rel=1e-12)
    assert merged["entities"]["plant-b"]["totals_tco2e"]["scope3"] == 7.5  # 0.5 × 5 t × 3 tCO2e/t, exact in binary


@pytest.fixture
def small_parts(tmp_path) -> dict[str, Path]:
    return {"a": small_run(tmp_path, "plant-a", small_inputs(tmp_path, ("a",))),
            "b": small_run(tmp_path, "plant-b", small_inputs(tmp_path, ("b",)))}


def test_different_gwp_basis_is_refused_and_nothing_written(tmp_path, small_parts):
    b5 = small_run(tmp_path, "plant-b5", small_inputs(tmp_path, ("b",), gwp="AR5"))
    group = tmp_path / "group"
    result = invoke(["merge", small_parts["a"], b5, "-o", group, "--company", "G"])
    assert result.exit_code == 1
    assert "merge-version-mismatch" in result.stderr and "GWP basis" in result.stderr
    assert "plant-a: AR6" in result.stderr and "plant-b5: AR5" in result.stderr
    assert not group.exists()


def test_different_factor_library_is_refused(tmp_path, small_parts):
    old = tmp_path / "old.toml"
    old.write_text('[factors]\nlibrary = "2026.11"\n', encoding="utf-8")
    b_old = small_run(tmp_path, "plant-b-old", small_inputs(tmp_path / "old", ("b",)), "--config", old)
    group = tmp_path / "group"
    result = invoke(["merge", small_parts["a"], b_old, "-o", group, "--company", "G"])
    assert result.exit_code == 1 and "factor library version" in result.stderr, result.stderr
    assert "2026.11" in result.stderr and not group.exists()
    # parts that agree with each other but not with the zcf.toml the group is calculated with
    a_old = small_run(tmp_path, "plant-a-old", small_inputs(tmp_path / "old", ("a",)), "--config", old)
    result = invoke(["merge", a_old, b_old, "-o", group, "--company", "G"])
    assert result.exit_code == 2 and "merge-config-mismatch" in result.stderr and not group.exists()
    result = invoke(["--config", old, "merge", a_old, b_old, "-o", group, "--company", "G"])
    assert result.exit_code == 0, result.stderr
    assert results(group)["factor_library"]["version"] == "2026.11"


def test_duplicate_site_is_refused(tmp_path, small_parts):
    inputs = small_inputs(tmp_path / "again", ("a",))
    (inputs / "process_emissions.csv").write_text(HEADERS["process_emissions"] + "A1,2025,CO2,11,t,welding\n",
                                                  encoding="utf-8")  # other figures, the same site
    again = small_run(tmp_path, "plant-a-again", inputs)
    result = invoke(["merge", small_parts["a"], small_parts["b"], again, "-o", tmp_path / "group", "--company", "G"])
    assert result.exit_code == 1 and "merge-duplicate-site" in result.stderr
    assert "site A1" in result.stderr and "plant-a" in result.stderr and "plant-a-again" in result.stderr
    assert not (tmp_path / "group").exists()


def test_same_input_file_in_two_parts_is_refused(tmp_path, small_parts):
    inputs = small_inputs(tmp_path / "copy", ("b",))
    (inputs / "travel.csv").write_text("mode,distance_km\nrail,1000\n", encoding="utf-8")
    other = small_run(tmp_path, "plant-c", inputs)
    (inputs / "process_emissions.csv").write_text(HEADERS["process_emissions"], encoding="utf-8")
    shutil.copytree(inputs, tmp_path / "in-d")  # plant-d: the same travel file, byte for byte, and its own site
    (tmp_path / "in-d" / "sites.csv").write_text(HEADERS["sites"] + "D1,Plant D,Jiangsu,1.0\n", encoding="utf-8")
    for table in ("refrigerants", "purchases"):
        (tmp_path / "in-d" / f"{table}.csv").write_text(HEADERS[table], encoding="utf-8")
    small_run(tmp_path, "plant-d", tmp_path / "in-d")
    result = invoke(["merge", small_parts["a"], other, tmp_path / "plant-d", "-o", tmp_path / "group", "--company", "G"])
    assert result.exit_code == 1 and "merge-duplicate-input" in result.stderr, result.stderr
    assert "plant-c" in result.stderr and "plant-d" in result.stderr and "travel.csv" in result.stderr
    # a file of reference data only (the same supplier list) may be shared: plant-a and plant-b both carry it
    assert invoke(["merge", small_parts["a"], small_parts["b"], "-o", tmp_path / "ok", "--company", "G"]).exit_code == 0


def test_entity_labels_tell_folders_of_the_same_name_apart(tmp_path, small_parts):
    for name, part in (("north", small_parts["a"]), ("south", small_parts["b"])):
        shutil.copytree(part, tmp_path / name / "out")
    group = tmp_path / "group"
    result = invoke(["merge", tmp_path / "south" / "out", tmp_path / "north" / "out", "-o", group, "--company", "G"])
    assert result.exit_code == 0, result.stderr
    assert list(results(group)["entities"]) == ["north/out", "south/out"]
    lines = pd.read_parquet(group / "lines.parquet")
    assert set(lines["entity"]) == {"north/out", "south/out"}
    assert lines["source_file"].str.startswith(("north/out/", "south/out/")).all()


def test_same_folder_twice_and_group_inside_a_part_are_refused(small_parts):
    a = small_parts["a"]
    result = invoke(["merge", a, a, "-o", a.parent / "group", "--company", "G"])
    assert result.exit_code == 1 and "merge-duplicate-entity" in result.stderr
    result = invoke(["merge", a, small_parts["b"], "-o", a / "group", "--company", "G"])
    assert result.exit_code == 2 and "merge-output-is-part" in result.stderr
    assert not (a / "group").exists()


def test_different_company_names_need_a_group_name(small_parts, tmp_path):
    result = invoke(["--lang", "zh", "merge", small_parts["a"], small_parts["b"], "-o", tmp_path / "group"])
    assert result.exit_code == 1 and "merge-company-needed" in result.stderr and "--company" in result.stderr


def test_not_a_run_is_refused(small_parts, tmp_path):
    (tmp_path / "plant-b" / "results.json").unlink()
    result = invoke(["merge", small_parts["a"], small_parts["b"], "-o", tmp_path / "group", "--company", "G"])
    assert result.exit_code == 1 and "merge-not-a-run" in result.stderr and "no results.json" in result.stderr


def test_every_merge_problem_has_both_languages_with_the_same_placeholders():
    import re

    from zcf.problems import catalogue

    codes = [code for code in catalogue() if code.startswith("merge-")]
    assert len(codes) >= 10
    for code in codes:
        entry = catalogue()[code]
        en = set(re.findall(r"{(\w+)}", entry["en"]))
        zh = {name.removesuffix("_zh") for name in re.findall(r"{(\w+)}", entry["zh"])}
        assert entry["severity"] == "error" and en == zh, code


def test_consolidation_must_agree_unless_chosen(tmp_path, small_parts):
    b_equity = small_run(tmp_path, "plant-b-equity", small_inputs(tmp_path, ("b",), "equity_share"))
    result = invoke(["merge", small_parts["a"], b_equity, "-o", tmp_path / "group", "--company", "G"])
    assert result.exit_code == 1 and "merge-approach-mismatch" in result.stderr
    assert "equity_share" in result.stderr and "operational_control" in result.stderr
    assert not (tmp_path / "group").exists()
    result = invoke(["merge", small_parts["a"], b_equity, "-o", tmp_path / "group", "--company", "G",
                     "--consolidation", "operational_control"])
    assert result.exit_code == 0, result.stderr
    assert results(tmp_path / "group")["totals"]["scope1"] == pytest.approx(21.56, rel=1e-12)  # B1 at 100 %


def test_shared_reference_rows_must_be_identical(tmp_path, small_parts):
    inputs = small_inputs(tmp_path / "other", ("b",))
    (inputs / "suppliers.csv").write_text(SUPPLIERS.replace("Hebei", "Jiangsu"), encoding="utf-8")
    other = small_run(tmp_path, "plant-b-other", inputs)
    result = invoke(["merge", small_parts["a"], other, "-o", tmp_path / "group", "--company", "G"])
    assert result.exit_code == 1 and "merge-conflicting-rows" in result.stderr
    assert "suppliers" in result.stderr and "S1" in result.stderr


def test_group_organization_file(tmp_path, small_parts):
    org = tmp_path / "group-org.csv"
    org.write_text("field,value\ncompany_name,G\n", encoding="utf-8")  # a CSV file is named after its table
    result = invoke(["merge", small_parts["a"], small_parts["b"], "-o", tmp_path / "g0", "--organization", org])
    assert result.exit_code == 2 and "organization.csv" in result.stderr and not (tmp_path / "g0").exists()
    org = tmp_path / "organization.csv"
    org.write_text("field,value\ncompany_name,Small Group Ltd.\nrevenue,\"5,000,000\"\nbase_year,2024\n"
                   "consolidation_approach,equity_share\n", encoding="utf-8")
    group = tmp_path / "group"
    result = invoke(["merge", small_parts["a"], small_parts["b"], "-o", group, "--organization", org])
    assert result.exit_code == 0, result.stderr
    merged = results(group)
    assert merged["organization"]["company_name"] == "Small Group Ltd."
    assert merged["organization"]["revenue"] == 5_000_000.0 and merged["organization"]["base_year"] == 2024
    assert merged["consolidation_approach"] == "equity_share"  # the file's approach, B1 at 50 %: 18.3 t
    assert merged["totals"]["scope1"] == pytest.approx(18.3, rel=1e-12)
    assert merged["entities"]["plant-a"]["organization"]["company_name"] == "Co a"  # each part's own, kept
    org.write_text("field,value\ncompany_name,G\ngwp_basis,AR5\n", encoding="utf-8")
    result = invoke(["merge", small_parts["a"], small_parts["b"], "-o", tmp_path / "g2", "--organization", org])
    assert result.exit_code == 1 and "merge-organization-given-mismatch" in result.stderr
    assert not (tmp_path / "g2").exists()


def test_a_certificate_claimed_by_two_entities_is_refused(tmp_path):
    header = "site_id,period,instrument,quantity_mwh,certificate_id\n"
    runs = []
    for entity, site in (("a", "A1"), ("b", "B1")):
        inputs = small_inputs(tmp_path, (entity,))
        (inputs / "renewable_instruments.csv").write_text(header + f"{site},2025-01,gec,10,GEC-0001\n",
                                                          encoding="utf-8")
        runs.append(small_run(tmp_path, f"plant-{entity}", inputs))
    result = invoke(["merge", *runs, "-o", tmp_path / "group", "--company", "G"])
    assert result.exit_code == 1 and "merge-duplicate-rows" in result.stderr, result.stderr
    assert "renewable_instruments" in result.stderr and "GEC-0001" in result.stderr
