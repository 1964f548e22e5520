"""Checks: every rule passes and fails on data built in the test; packs as data; CLI, JUnit, exit codes."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from conftest import SAMPLE_ZH, invoke
from zcf.checks import consistency, run_checks
from zcf.checks.engine import OPS, THRESHOLD_KINDS, available, evaluate, load_pack

ALL_RULES = [(name, rule.id) for name in available() for rule in load_pack(name).rules]
OK = {name: {"ok": True, "measured": 0, "message": {"en": "ok", "zh": "ok"}} for name in consistency.TESTS}
BROKEN = {name: {"ok": False, "measured": 1, "message": {"en": "broken", "zh": "broken"}} for name in consistency.TESTS}


def _metrics_for(rule, params, passing: bool) -> dict:
    """Metric values that make ``rule`` pass (or fail), its applicability condition satisfied."""
    metrics: dict = {}
    if rule.when is not None:
        limit = params[rule.when.param] if rule.when.param else rule.when.value
        metrics[rule.when.metric] = limit  # the boundary satisfies <=, >= and ==
    if rule.kind in THRESHOLD_KINDS:
        threshold = params[rule.param]
        step = abs(threshold) * 0.5 + 1
        good, bad = {"<=": (threshold - step, threshold + step), "<": (threshold - step, threshold + step),
                     ">=": (threshold + step, threshold - step), ">": (threshold + step, threshold - step),
                     "==": (threshold, threshold + step)}[rule.op]
        assert OPS[rule.op](good, threshold) and not OPS[rule.op](bad, threshold)
        metrics[rule.metric] = good if passing else bad
    elif rule.kind == "present":
        for name in rule.metrics:
            metrics[name] = 1.0 if passing else None
    return metrics


@pytest.mark.parametrize("pack_name, rule_id", ALL_RULES)
def test_every_rule_passes_and_fails(pack_name, rule_id):
    pack = load_pack(pack_name)
    rule = next(r for r in pack.rules if r.id == rule_id)
    one = pack.model_copy(update={"rules": [rule]})
    params = {name: p.value for name, p in pack.params.items()}
    (passed,) = evaluate(one, params, _metrics_for(rule, params, True), OK)
    (failed,) = evaluate(one, params, _metrics_for(rule, params, False), BROKEN)
    assert passed["status"] == "pass", passed
    expected = {"present": "missing_data"}.get(rule.kind, "fail" if rule.severity == "error" else "warn")
    assert failed["status"] == expected, failed
    assert failed["message"]["en"] and failed["message"]["zh"]


@pytest.mark.parametrize("pack_name", available())
def test_packs_are_documented_data(pack_name):
    pack = load_pack(pack_name)
    assert pack.title_en and pack.title_zh and pack.rules
    for rule in pack.rules:
        assert rule.title_en and rule.title_zh and rule.source and rule.source_zh
        assert not any("\u4e00" <= c <= "\u9fff" for c in rule.source + rule.title_en), rule.id  # English is English
        if rule.evidence != "official":
            assert rule.severity != "error", rule.id  # unverified thresholds never fail a build
    for name, param in pack.params.items():
        assert param.source and param.evidence, name


def test_unverified_thresholds_cannot_be_errors(tmp_path):
    from zcf.checks import engine

    (tmp_path / "bad.toml").write_text(
        'title_en = "x"\ntitle_zh = "x"\n[params.p]\nvalue = 1\nevidence = "secondary"\nsource = "news"\n'
        '[[rules]]\nid = "X"\ntitle_en = "x"\ntitle_zh = "x"\nseverity = "error"\nevidence = "official"\n'
        'source = "s"\nsource_zh = "s"\nkind = "threshold"\nmetric = "m"\nop = "<="\nparam = "p"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="cannot be an error"):
        engine.load_pack("bad", tmp_path)


def test_regional_pack_extends_the_national_one():
    national, hunan = load_pack("cn-zcf"), load_pack("cn-zcf-hunan")
    assert {r.id for r in national.rules} < {r.id for r in hunan.rules}
    assert national.params["max_co2_per_tce"].value == 1.8 and hunan.params["max_co2_per_tce"].value == 1.25
    assert hunan.params["min_traceable_green_share"].value == 0.35  # inherited


def test_when_condition_makes_a_rule_not_applicable():
    pack = load_pack("cn-zcf")
    rule = next(r for r in pack.rules if r.id == "ZC-03")
    params = {n: p.value for n, p in pack.params.items()}
    (result,) = evaluate(pack.model_copy(update={"rules": [rule]}), params,
                         {"energy.electricity_kwh": 1_000_000, "energy.traceable_green_electricity_share": 0.0}, OK)
    assert result["status"] == "not_applicable"
    assert result["message"]["zh"] == "不适用：用电量 1,000,000 kWh，≥ 5,000,000 kWh 时适用"  # words, not metric names
    assert (result["op"], result["threshold"], result["unit"]) == (">=", 0.35, "%")  # the requirement, still stated


def test_messages_and_measured_values_are_in_each_language():
    pack = load_pack("csds")
    rule = next(r for r in pack.rules if r.id == "CN-01")
    (result,) = evaluate(pack.model_copy(update={"rules": [rule]}), {},
                         {"totals.scope1": 1.0, "totals.scope2_location": 2.0}, OK)
    assert result["measured"] is True and result["message"] == {"en": "all given", "zh": "均已提供"}
    assert result["source_zh"] and result["kind"] == "present"


def test_missing_data_names_the_input_table():
    pack = load_pack("msci")
    rule = next(r for r in pack.rules if r.id == "MS-03")
    (result,) = evaluate(pack.model_copy(update={"rules": [rule]}), {}, {}, OK)
    assert result["status"] == "missing_data"
    assert any("targets table" in need for need in result["needs"])
    assert any("减排目标表" in need for need in result["needs_zh"])
    assert "table" not in result["message"]["en"]  # the finding is a fact; what to give is for the to-do list


@pytest.fixture(scope="module")
def sample_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("checks")
    result = invoke(["--config", SAMPLE_ZH.parent.parent / "zcf.toml", "run", SAMPLE_ZH, "-o", out, "--format", "xlsx"])
    assert result.exit_code == 0, result.stdout + result.stderr
    return out


def test_sample_passes_some_and_fails_some_zero_carbon_indicators(sample_out):
    checks = json.loads((sample_out / "checks.json").read_text(encoding="utf-8"))
    zc = {r["rule_id"]: r for r in checks["results"] if r["pack"] == "cn-zcf"}
    assert zc["ZC-01"]["status"] == "warn" and zc["ZC-01"]["measured"] > 1.8  # CO2 per tce above 1.8
    assert zc["ZC-02"]["status"] == "warn" and zc["ZC-02"]["measured"] < 0.30
    assert zc["ZC-03"]["status"] == "warn"  # certificates and traded green power do not count
    assert zc["ZC-10"]["status"] == "pass" and zc["ZC-09"]["status"] == "pass"
    assert zc["ZC-06"]["status"] == "pass" and zc["ZC-06"]["measured"] < 0
    dq = {r["rule_id"]: r for r in checks["results"] if r["pack"] == "data-quality"}
    assert dq["DQ-01"]["status"] == "pass" and dq["DQ-05"]["status"] == "pass"
    assert checks["failing"] == []  # nothing fails at --fail-on error


def test_check_cli_fail_on_and_exit_codes(sample_out, tmp_path):
    error_level = invoke(["check", sample_out, "--fail-on", "error"])
    assert error_level.exit_code == 0
    warning_level = invoke(["check", sample_out, "--fail-on", "warning", "--rules", "cn-zcf"])
    assert warning_level.exit_code == 1 and "ZC-01" in warning_level.stdout
    never = invoke(["check", sample_out, "--fail-on", "never", "--rules", "cn-zcf"])
    assert never.exit_code == 0
    assert invoke(["check", sample_out, "--fail-on", "sometimes"]).exit_code == 2
    assert invoke(["check", sample_out, "--rules", "nope"]).exit_code == 2


def test_junit_output(sample_out, tmp_path):
    junit = tmp_path / "checks.xml"
    result = invoke(["check", sample_out, "--rules", "cn-zcf,data-quality", "--fail-on", "warning", "--junit", junit])
    assert result.exit_code == 1
    root = ET.parse(junit).getroot()
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {"zcf.cn-zcf", "zcf.data-quality"}
    cases = {c.get("name").split()[0]: c for c in suites["zcf.cn-zcf"].iter("testcase")}
    assert cases["ZC-01"].find("failure") is not None
    assert cases["ZC-10"].find("failure") is None
    assert int(suites["zcf.cn-zcf"].get("failures")) == len(
        [c for c in suites["zcf.cn-zcf"].iter("testcase") if c.find("failure") is not None])


def test_check_json_equals_checks_file(sample_out):
    result = invoke(["check", sample_out, "--json"])
    assert json.loads(result.stdout) == json.loads((sample_out / "checks.json").read_text(encoding="utf-8"))


def test_thresholds_from_zcf_toml(sample_out, tmp_path):
    (tmp_path / "zcf.toml").write_text("[checks.cn-zcf]\nmax_co2_per_tce = 3.0\n", encoding="utf-8")
    result = invoke(["check", sample_out, "--rules", "cn-zcf", "--json"], cwd=tmp_path)
    zc = {r["rule_id"]: r for r in json.loads(result.stdout)["results"]}
    assert zc["ZC-01"]["status"] == "pass" and zc["ZC-01"]["threshold"] == 3.0
    (tmp_path / "zcf.toml").write_text("[checks.cn-zcf]\nmax_co2_per_tonne = 3.0\n", encoding="utf-8")
    bad = invoke(["check", sample_out, "--rules", "cn-zcf"], cwd=tmp_path)
    assert bad.exit_code == 2 and "not a parameter of cn-zcf (did you mean max_co2_per_tce?)" in bad.stderr


def test_check_list_prints_every_rule_with_its_source():
    result = invoke(["check", "--list"])
    assert result.exit_code == 0
    for _, rule_id in ALL_RULES:
        assert rule_id in result.stdout


def test_report_includes_check_results(sample_out):
    from openpyxl import load_workbook

    # earlier tests re-ran zcf check, which removes the reports made from older checks
    assert invoke(["check", sample_out, "--fail-on", "never"]).exit_code == 0
    assert invoke(["report", sample_out, "--format", "xlsx"]).exit_code == 0
    sheet = load_workbook(sample_out / "report.xlsx", read_only=True)["检查"]
    rules = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "ZC-01" in rules and "DQ-01" in rules


# --- consistency tests on real data ---------------------------------------------------------


def _lines(**totals):
    rows = [{"scope": "1", "category": "stationary_combustion", "scope2_method": None, "co2e_t": 1.5},
            {"scope": "2", "category": "electricity", "scope2_method": "location", "co2e_t": 2.0},
            {"scope": "2", "category": "electricity", "scope2_method": "market", "co2e_t": 1.0},
            {"scope": "3", "category": "6", "scope2_method": None, "co2e_t": 0.25}]
    return pd.DataFrame(rows)


def _results(scope1=1.5):
    by_category = {str(i): 0.0 for i in range(1, 16)}
    by_category["6"] = 0.25
    return {"totals": {"scope1": scope1, "scope2_location": 2.0, "scope2_market": 1.0, "scope3": 0.25,
                       "scope3_by_category": by_category}, "problems": [], "factors_used": [], "reporting_year": 2025}


def test_lines_sum_consistency():
    assert consistency.lines_sum(_results(), {}, _lines())["ok"]
    broken = consistency.lines_sum(_results(scope1=1.6), {}, _lines())
    assert not broken["ok"] and "Scope 1" in broken["message"]["en"] and "范围一" in broken["message"]["zh"]


def test_certificate_consistency():
    instruments = pd.DataFrame({"certificate_id": ["A", "B", "A"]})
    assert not consistency.certificates(_results(), {"renewable_instruments": instruments}, _lines())["ok"]
    surplus = _results()
    surplus["problems"] = [{"code": "instrument-surplus", "message": "JS: too many", "message_zh": "超出"}]
    assert not consistency.certificates(surplus, {}, _lines())["ok"]
    assert consistency.certificates(_results(), {"renewable_instruments": instruments.iloc[:2]}, _lines())["ok"]


def test_orphan_reference_consistency():
    tables = {"sites": pd.DataFrame({"site_id": ["A"]}), "energy": pd.DataFrame({"site_id": ["A", "B"]})}
    result = consistency.orphan_references(_results(), tables, _lines())
    assert not result["ok"] and "energy.site_id=B" in result["message"]["en"]
    tables["energy"] = pd.DataFrame({"site_id": ["A"]})
    assert consistency.orphan_references(_results(), tables, _lines())["ok"]


def test_scope2_dual_consistency():
    assert consistency.scope2_dual(_results(), {}, _lines())["ok"]
    only_location = _lines()
    only_location = only_location[only_location["scope2_method"] != "market"]
    assert not consistency.scope2_dual(_results(), {}, only_location)["ok"]


def test_factor_provenance_consistency():
    results = _results()
    results["factors_used"] = [{"factor_id": "G", "activity": "electricity.grid", "year": 2025, "source": "MEE"}]
    assert consistency.factor_provenance(results, {}, _lines())["ok"]
    results["factors_used"].append({"factor_id": "X", "activity": "material.steel", "year": None, "source": " "})
    assert not consistency.factor_provenance(results, {}, _lines())["ok"]


def test_run_checks_api_equals_cli(sample_out):
    from zcf.checks import load_inputs

    results, tables, lines = load_inputs(sample_out)
    report = run_checks(results, tables, lines, ["msci"], {}, "error")
    cli = invoke(["check", sample_out, "--rules", "msci", "--json"])
    assert {k: v for k, v in json.loads(cli.stdout).items() if k != "run"} == report.to_dict()
