"""Print docs/cli.md: the --help text of every zcf command, so the reference never drifts.

Run with `make docs`; tests/test_cli.py fails when docs/cli.md is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def command_paths() -> list[list[str]]:
    import typer.main

    from zcf.cli import app

    root = typer.main.get_command(app)
    paths: list[list[str]] = [[]]

    def walk(command, prefix):
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            paths.append(prefix + [name])
            walk(sub, prefix + [name])

    walk(root, [])
    return paths


def help_text(path: list[str]) -> str:
    from typer.testing import CliRunner

    from zcf.cli import app

    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"})
    return "\n".join(line.rstrip() for line in result.stdout.strip("\n").splitlines())


def render() -> str:
    parts = [
        "# zcf command reference",
        "",
        "Generated from `zcf --help` by `make docs` (scripts/gen_cli_docs.py); do not edit by hand.",
        "",
        "Exit codes: 0 success · 1 invalid data or a failed check · 2 usage error · 70 internal error · 71 out of memory · 130 interrupted.",
    ]
    for path in command_paths():
        title = " ".join(["zcf", *path])
        parts += ["", f"## `{title}`", "", "```text", help_text(path), "```"]
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
