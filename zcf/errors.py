"""Exit codes and the one exception type for mistakes a user can fix.

| code | meaning |
| ---: | --- |
| 0 | success |
| 1 | the data is invalid, or a check failed at or above ``--fail-on`` |
| 2 | usage error: bad option, missing file argument, invalid ``zcf.toml`` |
| 70 | internal error in zcf (a bug: please report it; ``ZCF_DEBUG=1`` shows the traceback) |
| 71 | the machine's resources ran out (memory): not a bug in zcf nor in the data |
| 130 | interrupted (Ctrl-C) |
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    INVALID = 1
    USAGE = 2
    INTERNAL = 70
    RESOURCES = 71
    INTERRUPTED = 130


class ZcfError(Exception):
    """A problem the user can fix; shown as one line without a traceback."""

    def __init__(self, message: str, exit_code: ExitCode = ExitCode.INVALID, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.hint = hint
