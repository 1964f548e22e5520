"""Where files shipped with zcf live, installed from a wheel or run from a checkout."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).parent


def templates_dir() -> Path:
    """The report and project templates: ``zcf/templates`` in a wheel, ``templates/`` in a checkout."""
    installed = PACKAGE / "templates"
    if installed.is_dir():
        return installed
    return PACKAGE.parent / "templates"
