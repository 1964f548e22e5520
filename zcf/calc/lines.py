"""Lines: one emission of one gas from one input row, with everything a verifier needs.

Every module of ``zcf.calc`` returns lines built with :func:`make_lines`; totals are
always sums of lines (``zcf.calc.results``), so the lines reproduce every figure.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from zcf.factors import Factor

LINE_COLUMNS = [
    "line_id",
    "scope",
    "category",
    "scope2_method",
    "site_id",
    "product_id",
    "batch_id",
    "supplier_id",
    "period",
    "source_table",
    "source_file",
    "source_sheet",
    "source_row",
    "activity",
    "quantity",
    "unit",
    "quantity_std",
    "unit_std",
    "factor_id",
    "factor_value",
    "factor_unit",
    "factor_source",
    "factor_confidence",
    "gas",
    "gas_t",
    "gwp",
    "gwp_basis",
    "boundary_share",
    "co2e_t",
    "method",
    "data_quality",
    "calculation",
]

_TEXT = {"scope", "category", "scope2_method", "site_id", "product_id", "batch_id", "supplier_id", "period",
         "source_table", "source_file", "source_sheet", "activity", "unit", "unit_std", "factor_id", "factor_unit",
         "factor_source", "factor_confidence", "gas", "gwp_basis", "method", "calculation"}


def _column(rows: pd.DataFrame, name: str) -> pd.Series:
    if name in rows.columns:
        return rows[name]
    return pd.Series(pd.NA, index=rows.index, dtype="string")


def make_lines(
    rows: pd.DataFrame,
    *,
    table: str,
    scope: str,
    category: str,
    activity: str | pd.Series,
    quantity_std: pd.Series,
    unit_std: str,
    factor: Factor | None,
    factor_value: float | pd.Series,
    factor_unit: str,
    gas: str,
    gas_t: pd.Series,
    gwp: float,
    gwp_basis: str,
    share: pd.Series | float,
    method: str,
    data_quality: int | pd.Series,
    calculation: Iterable[str],
    scope2_method: str | None = None,
    factor_id: str | None = None,
    factor_source: str | None = None,
    quantity: pd.Series | None = None,
    unit: pd.Series | str | None = None,
    **extra: Any,
) -> pd.DataFrame:
    """Lines for ``rows`` (a slice of a dataset table) sharing one factor and gas.

    ``gas_t`` is the mass of the gas at 100 % of the source; ``co2e_t`` applies the
    GWP and the organisational-boundary share.
    """
    n = len(rows)
    index = rows.index
    out = pd.DataFrame(index=index)
    out["scope"] = scope
    out["category"] = category
    out["scope2_method"] = scope2_method
    for name in ("site_id", "product_id", "batch_id", "supplier_id", "period"):
        out[name] = extra.get(name, _column(rows, name))
    out["source_table"] = table
    out["source_file"] = _column(rows, "_source_file")
    out["source_sheet"] = _column(rows, "_source_sheet")
    out["source_row"] = _column(rows, "_source_row")
    out["activity"] = activity
    out["quantity"] = quantity if quantity is not None else _column(rows, "quantity")
    out["unit"] = unit if unit is not None else _column(rows, "unit")
    out["quantity_std"] = quantity_std
    out["unit_std"] = unit_std
    out["factor_id"] = factor_id if factor_id is not None else (factor.factor_id if factor else None)
    out["factor_value"] = factor_value
    out["factor_unit"] = factor_unit
    out["factor_source"] = factor_source if factor_source is not None else (factor.source if factor else None)
    out["factor_confidence"] = factor.confidence if factor else None
    out["gas"] = gas
    out["gas_t"] = gas_t
    out["gwp"] = gwp
    out["gwp_basis"] = gwp_basis
    out["boundary_share"] = share
    out["co2e_t"] = gas_t.to_numpy(dtype="float64") * gwp * np.asarray(share, dtype="float64")
    out["method"] = method
    out["data_quality"] = data_quality
    out["calculation"] = list(calculation) if n else []
    out["line_id"] = ""
    return out[LINE_COLUMNS]


def empty_lines() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="string" if c in _TEXT else "float64") for c in LINE_COLUMNS})


def finish(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate line parts, fix dtypes and number the lines L000001, L000002, ..."""
    parts = [p for p in parts if len(p)]
    lines = pd.concat(parts, ignore_index=True) if parts else empty_lines()
    for name in LINE_COLUMNS:
        if name in _TEXT:
            lines[name] = lines[name].astype("string")
    for name in ("quantity", "quantity_std", "factor_value", "gas_t", "gwp", "boundary_share", "co2e_t"):
        lines[name] = pd.to_numeric(lines[name], errors="coerce").astype("float64")
    lines["source_row"] = pd.to_numeric(lines["source_row"], errors="coerce").astype("Int64")
    lines["data_quality"] = pd.to_numeric(lines["data_quality"], errors="coerce").astype("Int64")
    lines["line_id"] = [f"L{i:06d}" for i in range(1, len(lines) + 1)]
    return lines[LINE_COLUMNS]


def joined_ids(*factors) -> str:
    """The factor id of a line that rests on several factors (conversions first): ``A+B+C``, each once.

    Every factor a line's figure depends on is named, so a verifier finds them all and the share of the
    total resting on weak factors (results.json factor_quality) counts the conversions too."""
    return "+".join(dict.fromkeys(f.factor_id for f in factors if f is not None))


def fmt(value: float) -> str:
    """A number as a verifier reads it: 6 significant digits, thousands separated."""
    if value is None or value != value:
        return "?"
    return format(value, ",.6g")
