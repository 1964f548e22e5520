"""``zcf init DIR``: a new project folder with a commented zcf.toml and a blank workbook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from zcf.config import ALLOCATION, MASS_BALANCE_RATIO
from zcf.errors import ExitCode, ZcfError
from zcf.io import write_bytes_atomic
from zcf.resources import templates_dir
from zcf.scaffold.template import write_template

WORKBOOK_NAME = {"zh": "数据填报.xlsx", "en": "inputs.xlsx", "both": "inputs.xlsx"}


def init_project(directory: Path, lang: str, company_name: str, year: int | None, force: bool) -> list[Path]:
    """Create the project files; refuses to overwrite existing ones unless ``force``."""
    from jinja2 import Environment, StrictUndefined

    year = year or dt.date.today().year - 1
    config_path = directory / "zcf.toml"
    workbook_path = directory / "data" / WORKBOOK_NAME[lang]
    existing = [p for p in (config_path, workbook_path) if p.exists()]
    if existing and not force:
        raise ZcfError(
            f"{', '.join(str(p) for p in existing)} already exist(s); use --force to overwrite",
            ExitCode.USAGE,
        )
    source = (templates_dir() / "zcf.toml").read_text(encoding="utf-8")
    # TOML, not HTML: autoescape stays off, but the company name is quoted as a TOML string.
    text = Environment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False).from_string(source).render(
        company_name=company_name.replace("\\", "\\\\").replace('"', '\\"'),
        reporting_year=year,
        base_year=year - 2,
        allocation=ALLOCATION,
        mass_balance_ratio=MASS_BALANCE_RATIO,
    )
    write_bytes_atomic(config_path, text.encode("utf-8"))
    write_template(workbook_path, None, lang)
    return [config_path, workbook_path]
