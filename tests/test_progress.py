"""Progress bars: on stderr only when it is a terminal, never with --quiet, never on stdout (--json)."""

from __future__ import annotations

import io
import json

import pytest

from typer.testing import CliRunner

from conftest import ROOT, SAMPLE_EN
from zcf.cli import app
from zcf.env import Environment
from zcf.progress import NO_PROGRESS, Progress, for_environment


class Terminal(io.StringIO):
    """A stream that says it is a terminal (the injected environment's "forced TTY")."""

    def isatty(self) -> bool:
        return True


def run(args: list, stderr: io.StringIO) -> tuple[int, str, str]:
    env = Environment(stdout=io.StringIO(), stderr=stderr, lang="en", color=False, width=100, cwd=ROOT)
    result = CliRunner().invoke(app, [str(a) for a in args], obj=env, catch_exceptions=False)
    return result.exit_code, env.stdout.getvalue(), env.stderr.getvalue()


def test_no_bars_when_stderr_is_not_a_terminal():
    assert for_environment(Environment(stderr=io.StringIO())) is NO_PROGRESS
    assert isinstance(for_environment(Environment(stderr=Terminal())), Progress)
    assert for_environment(Environment(stderr=Terminal(), progress=False)) is NO_PROGRESS
    with NO_PROGRESS.task("x", "x", total=3) as advance:
        advance(2)  # does nothing, costs nothing


def test_a_task_draws_counts_and_nested_tasks_and_clears(tmp_path):
    stream = Terminal()
    progress = Progress(stream, "zh", color=False)
    with progress.task("Outer", "外层", total=2) as outer:
        with progress.task("Inner", "内层", total=1000) as inner:
            inner(400)
            inner(600)
        outer(1)
    text = stream.getvalue()
    assert "外层" in text and "内层" in text and "/1,000" in text  # counts with thousands separators
    assert progress._display is None  # stopped with the outermost task


BAR = "\x1b[?25l"  # a live display hides the cursor first


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    out = tmp_path_factory.mktemp("progress") / "out"
    code, stdout, stderr = run(["ingest", SAMPLE_EN, "-o", out, "--json"], Terminal())
    assert code == 0 and json.loads(stdout)["valid"] is True  # --json on stdout, untouched by the bars
    assert "Reading and validating inputs" in stderr and BAR in stderr and BAR not in stdout
    return out


def test_calc_shows_bars_on_a_terminal_and_not_with_quiet(ingested):
    code, stdout, stderr = run(["calc", ingested, "--json"], Terminal())
    assert code == 0 and "totals" in json.loads(stdout) and "Calculating: lines" in stderr and BAR in stderr
    for args in (["--quiet", "calc", ingested], ["-q", "calc", ingested], ["calc", ingested, "--quiet"],
                 ["calc", ingested, "-q"]):  # before or after the command, as --lang and --config
        code, stdout, stderr = run(args, Terminal())
        assert code == 0 and "Calculating" not in stderr and BAR not in stderr and BAR not in stdout
    code, stdout, stderr = run(["calc", ingested], io.StringIO())  # a pipe or a file: no bars
    assert code == 0 and "Calculating" not in stderr and BAR not in stderr + stdout


def test_report_shows_sheets_and_lines(ingested):
    code, _, stderr = run(["report", ingested, "--format", "xlsx"], Terminal())
    assert code == 0 and "report.xlsx: sheets" in stderr and "report.xlsx: lines" in stderr


def test_pdf_pages_are_counted_as_weasyprint_lays_them_out():
    from weasyprint import HTML

    from zcf.report.pdf import _pages_to

    seen = []
    with _pages_to(lambda amount=1, completed=None: seen.append(completed)):
        pages = len(HTML(string="<p>one</p><p style='break-before: page'>two</p>").render().pages)
    assert pages == 2 and max(seen) == 2
