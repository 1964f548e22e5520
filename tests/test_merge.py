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
    assert merged["intensity"] == single["intensity"]
