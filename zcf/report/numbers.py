"""One rule for every figure a report shows, and the Excel number formats that match it.

Figures: thousands separators, and digits by magnitude — whole numbers from 100 up, one
decimal from 10, two from 1, three significant digits below 1 — so 30,881, 80.8, 3.45 and
0.0546 sit side by side without "24.8k" next to "80.75". Shares are percentages with one
decimal. Units go in the column headers, not the cells.
"""

from __future__ import annotations

import math
from typing import Any

DASH = "–"

# Excel number formats by what a column holds (the cell keeps the full value).
FORMATS = {
    "tco2e": "#,##0.0",
    "energy": "#,##0.0",
    "count": "#,##0",
    "share": "0.0%",
    "intensity": "#,##0.000",
    "exact": "General",  # every digit: factors, line-level quantities
    "money": "#,##0",
    "number": "#,##0.###",
}


def is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def decimals(value: float) -> int:
    """Decimals that show ``value`` to at least three significant digits, none from 100 up."""
    size = abs(value)
    if size >= 100 or size == 0:
        return 0
    if size >= 10:
        return 1
    if size >= 1:
        return 2
    return 2 - math.floor(math.log10(size))


def fmt_number(value: Any) -> str:
    """A figure for reading (see the module rule); "–" when unknown."""
    if is_missing(value):
        return DASH
    if isinstance(value, bool):
        raise TypeError("a yes/no is not a figure")
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.{decimals(value)}f}"


def fmt_pct(value: Any) -> str:
    return DASH if is_missing(value) else f"{value:.1%}"


def fmt_change(value: Any) -> str:
    return DASH if is_missing(value) else f"{value:+.1%}"


def number_format(kind: str, value: float | None = None) -> str:
    """The Excel format of a cell of ``kind``; for plain numbers, as many decimals as fmt_number shows."""
    if kind == "number" and value is not None and not is_missing(value) and not float(value).is_integer():
        places = decimals(float(value))
        return "#,##0" + ("." + "0" * places if places else "")
    return FORMATS[kind]
