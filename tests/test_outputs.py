"""Never lose or corrupt data (issue 9): output folders zcf owns, consistent or refused results, one run at a
time, special files, exit codes for the user's situations, and the CLI friction users hit."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, invoke

FAST = ["--format", "xlsx", "--fail-on", "never"]


def small_inputs(folder: Path, electricity_kwh: int = 1000) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "organization.csv").write_text("field,value\ncompany_name,T\nreporting_year,2025\n", encoding="utf-8")
    (folder / "sites.csv").write_text("site_id,province\nS1,江苏\n", encoding="utf-8")
    (folder / "energy.csv").write_text(
        f"site_id,period,energy_type,quantity,unit\nS1,2025,electricity,{electricity_kwh},kWh\n", encoding="utf-8")
    return folder


def run(inputs: Path, out: Path, *extra) -> object:
    return invoke(["run", inputs, "-o", out, *FAST, *extra])


# --- own your output folder ----------------------------------------------------------------------


def test_a_folder_with_other_files_is_refused_and_left_alone(tmp_path):
    out = tmp_path / "mine"
    (out / "dataset").mkdir(parents=True)
    (out / "dataset" / "precious.xlsx").write_bytes(b"user data")
    result = run(small_inputs(tmp_path / "in"), out)
    assert result.exit_code == 2 and "not written by zcf" in result.stderr
    assert (out / "dataset" / "precious.xlsx").read_bytes() == b"user data"
    forced = run(small_inputs(tmp_path / "in"), out, "--force")
    assert forced.exit_code == 2 and "dataset" in forced.stderr  # --force never replaces what zcf did not write
    assert (out / "dataset" / "precious.xlsx").read_bytes() == b"user data"


def test_force_writes_beside_other_files(tmp_path):
    out = tmp_path / "shared"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    assert run(small_inputs(tmp_path / "in"), out, "--force").exit_code == 0
    assert (out / "notes.txt").read_text(encoding="utf-8") == "keep me" and (out / "results.json").is_file()


def test_output_folder_equal_to_the_input_folder_is_refused(tmp_path):
    project = small_inputs(tmp_path / "proj")
    (project / "dataset").mkdir()
    (project / "dataset" / "energy.csv").write_text("site_id\nS1\n", encoding="utf-8")
    result = invoke(["ingest", project, "-o", project])
    assert result.exit_code == 2
    assert (project / "dataset" / "energy.csv").read_text(encoding="utf-8") == "site_id\nS1\n"


def test_outputs_are_never_read_as_inputs(tmp_path):
    data = small_inputs(tmp_path / "data")
    out = data / "out"
    first = run(data, out)
    second = run(data, out)
    assert first.exit_code == 0 and second.exit_code == 0, second.stdout
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [p["code"] for p in manifest["problems"] if p["severity"] == "error"] == []
    assert any(p["code"] == "output-folder-skipped" for p in manifest["problems"])
    assert {i["path"].split("/")[-1] for i in manifest["inputs"]} == {"organization.csv", "sites.csv", "energy.csv"}


def test_a_file_as_output_folder_is_a_usage_error(tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("x", encoding="utf-8")
    result = run(small_inputs(tmp_path / "in"), target)
    assert result.exit_code == 2 and "is a file" in result.stderr and target.read_text(encoding="utf-8") == "x"


# --- consistent or refused -----------------------------------------------------------------------


def test_lines_of_another_run_are_refused(tmp_path):
    out = tmp_path / "out"
    assert run(small_inputs(tmp_path / "a", 1000), out).exit_code == 0
    old_lines = (out / "lines.csv").read_bytes()
    assert run(small_inputs(tmp_path / "b", 5000), out).exit_code == 0
    (out / "lines.csv").write_bytes(old_lines)  # as if a run was killed between lines.csv and results.json
    for command in (["check", out], ["report", out, "--format", "xlsx"]):
        result = invoke(command)
        assert result.exit_code == 1 and "do not belong to one run" in result.stderr, command


def test_an_edited_dataset_is_refused(tmp_path):
    out = tmp_path / "out"
    assert invoke(["ingest", small_inputs(tmp_path / "in"), "-o", out]).exit_code == 0
    parquet = out / "dataset" / "energy.parquet"
    parquet.write_bytes(parquet.read_bytes() + b"\0")
    result = invoke(["calc", out])
    assert result.exit_code == 1 and "dataset/ does not match manifest.json" in result.stderr


def test_an_invalid_run_removes_the_previous_results_and_reports(tmp_path):
    out = tmp_path / "out"
    inputs = small_inputs(tmp_path / "in")
    assert run(inputs, out).exit_code == 0
    assert (out / "report.xlsx").is_file() and (out / "checks.json").is_file()
    (inputs / "energy.csv").write_text("site_id,period,energy_type,quantity,unit\nS1,2025,electricity,12O5,kWh\n",
                                       encoding="utf-8")
    assert run(inputs, out).exit_code == 1
    left = sorted(p.name for p in out.iterdir())
    assert left == [".zcf-output", "manifest.json"]  # no stale results, lines, checks or reports


def test_recalculation_removes_the_checks_and_reports_it_makes_stale(tmp_path):
    out = tmp_path / "out"
    assert run(small_inputs(tmp_path / "in"), out).exit_code == 0
    assert invoke(["calc", out]).exit_code == 0
    assert not (out / "checks.json").exists() and not (out / "report.xlsx").exists()
    assert invoke(["check", out, "--fail-on", "never"]).exit_code == 0
    assert invoke(["report", out, "--format", "xlsx"]).exit_code == 0


# --- one run at a time ---------------------------------------------------------------------------


def test_a_second_run_in_the_same_folder_fails_at_once(tmp_path):
    out = tmp_path / "out"
    assert run(small_inputs(tmp_path / "in"), out).exit_code == 0
    (out / ".zcf-lock").write_text(json.dumps({"pid": os.getpid(), "host": os.uname().nodename,
                                               "started": "2026-01-01T00:00:00+00:00"}), encoding="utf-8")
    result = invoke(["calc", out])
    assert result.exit_code == 1 and "in use by another zcf run" in result.stderr
    (out / ".zcf-lock").unlink()


def test_a_stale_lock_is_taken_over(tmp_path):
    out = tmp_path / "out"
    assert run(small_inputs(tmp_path / "in"), out).exit_code == 0
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (out / ".zcf-lock").write_text(json.dumps({"pid": int(finished.stdout), "host": os.uname().nodename}),
                                   encoding="utf-8")
    assert invoke(["calc", out]).exit_code == 0
    assert not (out / ".zcf-lock").exists()


# --- special files, permissions ------------------------------------------------------------------


@pytest.fixture
def sample_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("special") / "out"
    assert run(small_inputs(out.parent / "in"), out).exit_code == 0
    return out


def test_junit_to_a_symlink_fifo_or_folder_is_refused(sample_run, tmp_path):
    target = tmp_path / "real.xml"
    target.write_text("keep", encoding="utf-8")
    link = tmp_path / "link.xml"
    link.symlink_to(target)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for path in (link, fifo, tmp_path):
        result = invoke(["check", sample_run, "--junit", path, "--fail-on", "never"])
        assert result.exit_code == 2 and "only writes regular files" in result.stderr, path
    assert link.is_symlink() and target.read_text(encoding="utf-8") == "keep"
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_junit_to_standard_output(sample_run):
    result = invoke(["check", sample_run, "--junit", "-", "--fail-on", "never"])
    assert result.exit_code == 0
    assert result.stdout.startswith("<?xml") and "<testsuites" in result.stdout


def test_outputs_follow_the_umask(tmp_path):
    previous = os.umask(0o022)
    try:
        out = tmp_path / "out"
        assert run(small_inputs(tmp_path / "in"), out).exit_code == 0
    finally:
        os.umask(previous)
    for name in ("manifest.json", "results.json", "lines.csv", "report.xlsx", "dataset/energy.parquet"):
        assert stat.S_IMODE(os.stat(out / name).st_mode) == 0o644, name
    assert stat.S_IMODE(os.stat(out / "dataset").st_mode) == 0o755


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into read-only folders")
def test_a_read_only_output_folder_is_a_user_error(tmp_path):
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o555)
    try:
        result = run(small_inputs(tmp_path / "in"), out / "inner")
        assert result.exit_code == 1 and "internal error" not in result.stderr
    finally:
        out.chmod(0o755)


# --- configuration and console ---------------------------------------------------------------------


@pytest.mark.parametrize("toml, words", [
    ('[checks.no-such-pack]\nx = 1\n', "no rule pack"),
    ('[checks]\npacks = ["msc"]\n', "did you mean msci"),
    ('[checks.cn-zcf]\nmax_co2_per_tce = nan\n', "finite number"),
    ('[checks.cn-zcf]\nmax_co2_per_tce = inf\n', "finite number"),
    ('[checks.cn-zcf]\nmax_co2_per_tce = true\n', "finite number"),
    ('[checks.cn-zcf]\nmax_co2_per_tcee = 1\n', "did you mean max_co2_per_tce"),
    ('[scope3.not_relevant]\n"99" = "no"\n', "not a Scope 3 category"),
])
def test_bad_zcf_toml_is_a_usage_error(sample_run, tmp_path, toml, words):
    (tmp_path / "zcf.toml").write_text(toml, encoding="utf-8")
    result = invoke(["--config", tmp_path / "zcf.toml", "check", sample_run])
    assert result.exit_code == 2 and words in result.stderr


def test_a_console_that_cannot_show_chinese_gets_replacement_characters(tmp_path):
    environment = {**os.environ, "PYTHONIOENCODING": "ascii", "ZCF_LANG": "zh"}
    result = subprocess.run([sys.executable, "-m", "zcf", "run", str(small_inputs(tmp_path / "in")), "-o",
                             str(tmp_path / "out"), *FAST], capture_output=True, text=True, env=environment, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "?" in result.stdout


# --- friction -----------------------------------------------------------------------------------


def test_global_options_work_before_or_after_the_command(sample_run, tmp_path):
    before = invoke(["--lang", "en", "report", sample_run, "--format", "xlsx", "-o", tmp_path / "a"])
    after = invoke(["report", sample_run, "--format", "xlsx", "-o", tmp_path / "b", "--lang", "en"])
    for result, folder in ((before, "a"), (after, "b")):
        assert result.exit_code == 0
        from openpyxl import load_workbook

        assert load_workbook(tmp_path / folder / "report.xlsx", read_only=True).sheetnames[0] == "Summary"
    (tmp_path / "zcf.toml").write_text("[checks]\nfail_on = \"never\"\n", encoding="utf-8")
    assert invoke(["check", sample_run, "--config", tmp_path / "zcf.toml", "--lang", "zh"]).exit_code == 0


def test_format_both(sample_run, tmp_path):
    result = invoke(["report", sample_run, "--format", "both", "-o", tmp_path])
    assert result.exit_code == 0 and (tmp_path / "report.pdf").is_file() and (tmp_path / "report.xlsx").is_file()


def test_template_does_not_overwrite_a_workbook_without_force(tmp_path):
    filled = tmp_path / "filled.xlsx"
    filled.write_bytes(b"someone's data")
    result = invoke(["template", "-o", filled])
    assert result.exit_code == 2 and "--force" in result.stderr and filled.read_bytes() == b"someone's data"
    assert invoke(["template", "-o", filled, "--force"]).exit_code == 0


def test_factors_list_is_plain_text_for_pipes_and_takes_chinese_regions():
    result = invoke(["factors", "list", "--region", "浙江", "--activity", "electricity.grid"])
    assert result.exit_code == 0
    header, *rows = result.stdout.splitlines()
    assert header.split("\t")[:3] == ["factor_id", "activity", "region"]
    assert rows and all(row.split("\t")[2] == "CN-ZJ" for row in rows)
    assert invoke(["factors", "list", "--region", "Atlantis"]).exit_code == 2


def test_init_next_line_names_the_config(tmp_path):
    result = invoke(["init", tmp_path / "proj", "--year", "2025"])
    assert result.exit_code == 0 and f"zcf --config {tmp_path / 'proj' / 'zcf.toml'} run" in result.stdout



# --- interrupted runs ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("killed")
    result = run(small_inputs(root / "in"), root / "out")
    assert result.exit_code == 0
    return root / "out"


@pytest.mark.parametrize("delay", [1.0, 2.2, 3.5])
def test_a_killed_run_leaves_a_folder_that_is_consistent_or_refused(finished_run, tmp_path, delay):
    """SIGKILL zcf run at some moment over a finished earlier run; later steps either work on one run's files
    or refuse them — never a traceback, never results beside another run's lines."""
    import shutil
    import signal
    import time

    from conftest import SAMPLE_ZH

    out = tmp_path / "out"
    shutil.copytree(finished_run, out)
    process = subprocess.Popen([sys.executable, "-m", "zcf", "run", str(SAMPLE_ZH), "-o", str(out), *FAST],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()
    check = subprocess.run([sys.executable, "-m", "zcf", "check", str(out), "--fail-on", "never", "--json"],
                           capture_output=True, text=True, cwd=ROOT)
    assert check.returncode in (0, 1) and "Traceback" not in check.stderr, check.stderr
    if check.returncode == 0:  # then results.json, its lines and manifest are one run's
        results = json.loads((out / "results.json").read_text(encoding="utf-8"))
        lines = (out / "lines.csv").read_text(encoding="utf-8").count("\n") - 1
        assert results["lines"]["count"] == lines
    else:
        assert "run zcf" in check.stderr or "do not belong to one run" in check.stderr or "no valid dataset" in check.stderr


@pytest.mark.parametrize("name, step", [("results.json", "check"), ("results.json", "report"),
                                        ("manifest.json", "calc"), ("checks.json", "report")])
def test_an_edited_record_that_is_not_json_is_a_clear_error(tmp_path, name, step):
    """A run record cut off or edited into invalid JSON: the file, the line and what to run — no traceback."""
    out = tmp_path / "out"
    assert run(small_inputs(tmp_path / "in"), out).exit_code == 0
    path = out / name
    path.write_text(path.read_text(encoding="utf-8")[:40], encoding="utf-8")
    result = invoke([step, out, *(["--format", "xlsx"] if step == "report" else ())])
    said = result.stdout + result.stderr
    assert result.exit_code == 1, said
    assert f"{name} is not valid JSON (line" in said and "Traceback" not in said and "internal error" not in said
