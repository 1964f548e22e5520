"""Problems found in user data, with stable codes from ``problems.toml``.

A :class:`Problem` names its place the way a spreadsheet user finds it — file,
sheet and cell (``energy.xlsx:能源!E7``) — and carries a code and parameters; the
message is rendered from the catalogue in English or Chinese when shown.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
_MAX_VALUE_CHARS = 40


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """Code → {severity, en, zh}."""
    with open(Path(__file__).with_name("problems.toml"), "rb") as f:
        return tomllib.load(f)


def show_value(value: Any) -> str:
    """A cell value quoted for a message: shortened, control characters made visible."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    if len(text) > _MAX_VALUE_CHARS:
        text = text[: _MAX_VALUE_CHARS - 1] + "…"
    return f'"{text}"'


class _Params(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem at one place. ``row`` is the spreadsheet row number (1-based)."""

    code: str
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    column_letter: str | None = None
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    severity_override: Severity | None = None

    @property
    def severity(self) -> Severity:
        return self.severity_override or catalogue()[self.code]["severity"]  # type: ignore[return-value]

    @property
    def cell(self) -> str | None:
        """``能源!E7`` for a workbook cell, ``E7`` for a CSV cell, ``能源!7:7`` for a whole row."""
        if self.row is None:
            return None
        ref = f"{self.column_letter}{self.row}" if self.column_letter else f"{self.row}:{self.row}"
        return f"{self.sheet}!{ref}" if self.sheet else ref

    def message(self, lang: str = "en") -> str:
        entry = catalogue()[self.code]
        template = entry["zh"] if lang == "zh" else entry["en"]
        params = _Params(self.params)
        if lang == "zh":  # Chinese messages name columns and fields in Chinese where known
            params.update({k.removesuffix("_zh"): v for k, v in self.params.items() if k.endswith("_zh")})
        return template.format_map(params)

    def location(self) -> str:
        """``energy.xlsx:能源!E7`` — as much of file, sheet and cell as is known."""
        parts = [self.file or ""]
        if self.cell:
            parts.append(self.cell)
        elif self.sheet:
            parts.append(self.sheet)
        return ":".join(p for p in parts if p)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "cell": self.cell,
            "code": self.code,
            "severity": self.severity,
            "message": self.message(lang),
        }

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message()}" if where else self.message()


def did_you_mean(options: list[str]) -> dict[str, str]:
    """Message parameters ``suggestion`` / ``suggestion_zh`` for close matches (empty if none)."""
    if not options:
        return {"suggestion": "", "suggestion_zh": ""}
    joined = ", ".join(options)
    return {"suggestion": f" (did you mean {joined}?)", "suggestion_zh": f"（是否为 {joined}？）"}


def count_by_severity(problems: list[Problem]) -> dict[str, int]:
    counts = Counter(p.severity for p in problems)
    return {"errors": counts["error"], "warnings": counts["warning"], "info": counts["info"]}


def sort_key(p: Problem) -> tuple:
    """By file and sheet; errors before warnings; then row and column, as a user reads a sheet."""
    return (
        p.file or "",
        p.sheet or "",
        SEVERITY_ORDER[p.severity],
        p.row or 0,
        len(p.column_letter or ""),
        p.column_letter or "",
        p.code,
    )
