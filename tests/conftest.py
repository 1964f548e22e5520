"""Shared fixtures: paths to the sample data and a CLI runner with an injected environment."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from typer.testing import CliRunner

from zcf.cli import app
from zcf.env import Environment

# No timed assertions in tests: hypothesis' per-example deadline fails on a loaded CI runner, not on a slow zcf
# (performance is measured by `make bench`).
settings.register_profile("zcf", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("zcf")

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"
SAMPLE_ZH = SAMPLE / "zh" / "示例汽车集团_2025.xlsx"
SAMPLE_EN = SAMPLE / "en"
BAD = SAMPLE / "bad"


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


def invoke(args: list[str], lang: str = "en", cwd: Path | None = None) -> Result:
    """Run ``zcf`` in-process with string buffers for its streams (no monkeypatching)."""
    env = Environment(stdout=io.StringIO(), stderr=io.StringIO(), lang=lang, color=False, width=120, cwd=cwd or ROOT)
    result = CliRunner().invoke(app, [str(a) for a in args], obj=env, catch_exceptions=False)
    return Result(result.exit_code, env.stdout.getvalue() + result.stdout, env.stderr.getvalue() + result.stderr)


@pytest.fixture
def cli():
    return invoke
