"""The command line as a whole: help and examples, start-up cost, exit codes, error handling."""

import subprocess
import sys

import pytest
import typer
import typer.main

from conftest import ROOT
from zcf import __version__
from zcf.cli import app, handles_errors
from zcf.errors import ExitCode

def _leaves(command, prefix=()):
    subcommands = getattr(command, "commands", None)
    if not subcommands:
        return [(" ".join(prefix), command)]
    return [leaf for name, sub in sorted(subcommands.items()) for leaf in _leaves(sub, (*prefix, name))]


LEAVES = dict(_leaves(typer.main.get_command(app)))
COMMANDS = sorted(LEAVES)


def test_commands_exist():
    assert {"init", "template", "ingest", "calc", "run", "factors list", "factors show", "factors export"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_an_example(command):
    cmd = LEAVES[command]
    assert cmd.help and len(cmd.help.split()) > 4
    assert "Example:" in cmd.help and f"zcf {command}" in cmd.help


@pytest.mark.parametrize("command", COMMANDS)
def test_cli_reference_is_current(command):
    """docs/cli.md is generated from --help (make docs); every command and option must be in it."""
    docs = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    cmd = LEAVES[command]
    assert f"## `zcf {command}`" in docs
    section = docs.split(f"## `zcf {command}`", 1)[1].split("\n## ", 1)[0]
    for param in cmd.params:
        if param.param_type_name == "option":
            assert param.opts[0] in section, f"{param.opts[0]} missing from docs/cli.md; run make docs"


def test_version(cli):
    result = cli(["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"zcf {__version__}"


def test_help_does_not_import_heavy_libraries():
    code = (
        "import sys; from typer.testing import CliRunner; from zcf.cli import app; "
        "r = CliRunner().invoke(app, ['--help']); assert r.exit_code == 0; "
        "print(','.join(m for m in ('pandas', 'openpyxl', 'weasyprint', 'pyarrow', 'pint', 'numpy', 'python_calamine') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == ""


def test_unknown_option_is_a_usage_error(cli):
    assert cli(["ingest", "--bogus"]).exit_code == ExitCode.USAGE
    assert cli(["--lang", "fr", "ingest", "x", "-o", "y"]).exit_code == ExitCode.USAGE


def test_bad_config_is_a_usage_error_without_traceback(cli, tmp_path):
    (tmp_path / "zcf.toml").write_text("[ingest]\noutlier_ratio = 'lots'\n", encoding="utf-8")
    result = cli(["ingest", tmp_path, "-o", tmp_path / "out"], cwd=tmp_path)
    assert result.exit_code == ExitCode.USAGE
    assert "ingest.outlier_ratio" in result.stderr and "Traceback" not in result.stderr
    (tmp_path / "zcf.toml").write_text("[ingest\n", encoding="utf-8")
    assert "not valid TOML" in cli(["ingest", tmp_path, "-o", tmp_path / "out"], cwd=tmp_path).stderr
    missing = cli(["--config", tmp_path / "nope.toml", "ingest", tmp_path, "-o", tmp_path / "out"])
    assert missing.exit_code == ExitCode.USAGE and "config file not found" in missing.stderr


def test_config_supplies_the_reporting_year(cli, tmp_path):
    (tmp_path / "zcf.toml").write_text("[organization]\nreporting_year = 2025\n", encoding="utf-8")
    (tmp_path / "energy.csv").write_text(
        "site_id,period,energy_type,quantity,unit\nA,2024-03,electricity,5,kWh\n", encoding="utf-8"
    )
    result = cli(["ingest", tmp_path / "energy.csv", "-o", tmp_path / "out", "--json"], cwd=tmp_path)
    assert "period-outside-year" in result.stdout


def _crashing_app():
    demo = typer.Typer()

    @demo.command()
    @handles_errors
    def boom(ctx: typer.Context) -> None:
        raise RuntimeError("kaput")

    @demo.command()
    @handles_errors
    def hungry(ctx: typer.Context) -> None:
        raise MemoryError("Unable to allocate 30.5 MiB for an array")

    @demo.command()
    @handles_errors
    def other(ctx: typer.Context) -> None:
        pass

    return demo


def test_internal_errors_are_reported_without_traceback():
    import io

    from typer.testing import CliRunner

    from zcf.env import Environment

    env = Environment(stdout=io.StringIO(), stderr=io.StringIO(), color=False)
    result = CliRunner().invoke(_crashing_app(), ["boom"], obj=env)
    assert result.exit_code == ExitCode.INTERNAL
    assert "internal error (RuntimeError: kaput)" in env.stderr.getvalue()
    assert "Traceback" not in env.stderr.getvalue() + result.stdout


def test_running_out_of_memory_is_a_resource_error_not_a_bug():
    import io

    from typer.testing import CliRunner

    from zcf.env import Environment

    for lang, expected in (("en", "zcf ran out of memory during zcf hungry"), ("zh", "内存不足")):
        env = Environment(stdout=io.StringIO(), stderr=io.StringIO(), color=False, lang=lang)
        result = CliRunner().invoke(_crashing_app(), ["hungry"], obj=env)
        assert result.exit_code == ExitCode.RESOURCES == 71
        said = env.stderr.getvalue()
        assert expected in said and "docs/group.md" in said and "internal error" not in said and "Traceback" not in said


def test_debug_shows_the_exception():
    import io

    from typer.testing import CliRunner

    from zcf.env import Environment

    env = Environment(stdout=io.StringIO(), stderr=io.StringIO(), color=False, debug=True)
    result = CliRunner().invoke(_crashing_app(), ["boom"], obj=env)
    assert isinstance(result.exception, RuntimeError)


def test_console_script_runs(tmp_path):
    zcf = ROOT / ".venv" / "bin" / "zcf"
    executable = [str(zcf)] if zcf.exists() else [sys.executable, "-m", "zcf"]
    out = subprocess.run([*executable, "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and __version__ in out.stdout
    bad = subprocess.run([*executable, "ingest", str(tmp_path / "missing.xlsx"), "-o", str(tmp_path)],
                         capture_output=True, text=True)
    assert bad.returncode == 1 and "file-not-found" in bad.stdout and "Traceback" not in bad.stderr


@pytest.mark.parametrize("module", ["zcf", "zcf.cli"])
def test_python_dash_m_runs(module, tmp_path):
    """``python -m zcf`` and ``python -m zcf.cli`` both run the command line (the second once failed on a
    circular import of the command groups), with its exit codes."""
    out = subprocess.run([sys.executable, "-m", module, "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and __version__ in out.stdout
    bad = subprocess.run([sys.executable, "-m", module, "calc", str(tmp_path / "nowhere")], capture_output=True, text=True)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr


def test_malformed_checks_config_is_a_usage_error(cli, tmp_path):
    (tmp_path / "zcf.toml").write_text('[checks]\npacks = "cn-zcf"\n', encoding="utf-8")
    result = cli(["check", tmp_path], cwd=tmp_path)
    assert result.exit_code == 2 and "packs must be a list" in " ".join(result.stderr.split())
    (tmp_path / "zcf.toml").write_text("[checks]\ncn-zcf = 1\n", encoding="utf-8")
    result = cli(["check", tmp_path], cwd=tmp_path)
    assert result.exit_code == 2 and "must be a table of parameters" in " ".join(result.stderr.split())


def test_missing_outputs_of_an_earlier_step_are_named(cli, tmp_path):
    (tmp_path / ".zcf-output").write_text("{}", encoding="utf-8")  # a zcf folder whose calc did not finish
    (tmp_path / "results.json").write_text("{}", encoding="utf-8")
    for command in (["report", tmp_path], ["check", tmp_path]):
        result = cli(command)
        assert result.exit_code == 1 and "lines.parquet" in result.stderr and "zcf calc" in result.stderr
        assert "internal error" not in result.stderr
