"""The environment a command runs in: streams, language, colour, config, debug.

Commands take everything environmental from an :class:`Environment`, so tests
build one with string buffers and a fixed language instead of monkeypatching.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import Console

LANGS = ("en", "zh")


def _default_lang(environ: dict[str, str]) -> str:
    explicit = environ.get("ZCF_LANG", "").lower()
    if explicit in LANGS:
        return explicit
    locale = environ.get("LC_ALL") or environ.get("LC_MESSAGES") or environ.get("LANG") or ""
    return "zh" if locale.lower().startswith("zh") else "en"


@dataclass
class Environment:
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    lang: str = "en"
    color: bool | None = None  # None: decide from the terminal and NO_COLOR
    width: int | None = None
    cwd: Path = field(default_factory=Path.cwd)
    debug: bool = False
    source_date_epoch: int | None = None
    progress: bool | None = None  # progress bars on stderr: None decides from the terminal, False is --quiet

    @classmethod
    def from_os(cls) -> Environment:
        environ = dict(os.environ)
        epoch = environ.get("SOURCE_DATE_EPOCH", "")
        return cls(
            stdout=sys.stdout,
            stderr=sys.stderr,
            lang=_default_lang(environ),
            color=False if environ.get("NO_COLOR") else None,
            cwd=Path.cwd(),
            debug=environ.get("ZCF_DEBUG", "") not in ("", "0"),
            source_date_epoch=int(epoch) if epoch.isdigit() else None,
            progress=False if environ.get("TERM") == "dumb" else None,
        )

    def console(self, stderr: bool = False) -> Console:
        from rich.console import Console

        return Console(
            file=self.stderr if stderr else self.stdout,
            no_color=self.color is False,
            force_terminal=True if self.color else None,
            width=self.width,
            highlight=False,
            soft_wrap=False,
        )

    def t(self, en: str, zh: str) -> str:
        """Pick the text for the environment's language."""
        return zh if self.lang == "zh" else en
