"""Every input row accounted for (SPEC §3): calculated, used, or excluded with a reason.

Calculation modules tell the ledger which rows they could not use (:meth:`Ledger.exclude`,
with a problem code from ``problems.toml``) and which rows feed the results without
lines of their own (:meth:`Ledger.use`: certificates, production, BOM and factor rows).
Rows that produced lines are found from the lines' lineage (file, sheet, row).

:meth:`Ledger.reconciliation` gives, per table: rows read, rows calculated, rows used,
rows excluded (by reason, with the quantity and spend behind each reason and the cells
to look at), rows calculated only in part, and ``unaccounted`` — rows that none of these
cover. Data-quality rule DQ-10 requires ``unaccounted`` to be zero everywhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from zcf.problems import Problem, catalogue

MAX_CELLS_SHOWN = 5  # cells named in a problem message; the reconciliation lists up to MAX_CELLS_LISTED
MAX_CELLS_LISTED = 50


@dataclass
class _Exclusion:
    table: str
    code: str
    column: str | None
    params: dict[str, Any]
    index: list[np.ndarray] = field(default_factory=list)
    note: bool = False  # a note on calculated rows (a weaker method, a proxy factor), not an exclusion


def _labels(rows: pd.DataFrame | pd.Index | pd.Series | np.ndarray) -> np.ndarray:
    if isinstance(rows, (pd.DataFrame, pd.Series)):
        return rows.index.to_numpy()
    return np.asarray(rows)


def _params_key(params: dict[str, Any]) -> tuple:
    return tuple(sorted((k, str(v)) for k, v in params.items()))


class Ledger:
    """What happened to every row of the tables that feed the calculation."""

    def __init__(self, tables: dict[str, pd.DataFrame], letters: dict[tuple[str, str | None], dict[str, str]] | None = None):
        self.tables = tables
        self.letters = letters or {}
        self._used: dict[str, list[np.ndarray]] = {}
        self._exclusions: dict[tuple, _Exclusion] = {}

    # --- recording ------------------------------------------------------------

    def exclude(self, table: str, rows, code: str, column: str | None = None, **params: Any) -> None:
        """Rows of ``table`` (a frame slice or index labels) left out, or left out in part, for ``code``."""
        self._record(table, rows, code, column, params, note=False)

    def note(self, table: str, rows, code: str, column: str | None = None, **params: Any) -> None:
        """Something a reader must know about rows that were calculated (a fallback, a proxy factor)."""
        self._record(table, rows, code, column, params, note=True)

    def _record(self, table: str, rows, code: str, column: str | None, params: dict[str, Any], note: bool) -> None:
        labels = _labels(rows)
        if not len(labels):
            return
        key = (table, code, column, _params_key(params), note)
        entry = self._exclusions.get(key)
        if entry is None:
            entry = self._exclusions[key] = _Exclusion(table, code, column, dict(params), note=note)
        entry.index.append(labels)

    def use(self, table: str, rows) -> None:
        """Rows that feed the results without lines of their own (e.g. a certificate applied)."""
        labels = _labels(rows)
        if len(labels):
            self._used.setdefault(table, []).append(labels)

    # --- reading --------------------------------------------------------------

    def _rows_of(self, entry: _Exclusion) -> np.ndarray:
        return np.unique(np.concatenate(entry.index))

    def _cell(self, table: str, label, column: str | None) -> tuple[str, str | None, int, str | None]:
        frame = self.tables[table]
        file = frame.at[label, "_source_file"]
        sheet = frame.at[label, "_source_sheet"] if "_source_sheet" in frame else None
        sheet = None if sheet is None or pd.isna(sheet) else str(sheet)
        row = int(frame.at[label, "_source_row"])
        letter = self.letters.get((file, sheet), {}).get(column) if column else None
        return str(file), sheet, row, letter

    def _cell_text(self, table: str, label, column: str | None, with_file: bool) -> str:
        file, sheet, row, letter = self._cell(table, label, column)
        ref = f"{letter}{row}" if letter else f"{row}:{row}"
        ref = f"{sheet}!{ref}" if sheet else ref
        return f"{file}:{ref}" if with_file else ref

    def problems(self) -> list[Problem]:
        """One problem per table, reason and parameters, at the first row, naming a few more cells."""
        out: list[Problem] = []
        for entry in self._exclusions.values():
            if entry.table not in self.tables:
                continue
            labels = self._rows_of(entry)
            file, sheet, row, letter = self._cell(entry.table, labels[0], entry.column)
            more = len(labels) - 1
            shown = [self._cell_text(entry.table, label, entry.column, with_file=False)
                     for label in labels[1:1 + MAX_CELLS_SHOWN]]
            listing = ", ".join(shown) + (", …" if more > len(shown) else "")
            params = {
                **entry.params,
                "rows": len(labels),
                "more": f" (and {more} more row{'s' * (more != 1)}: {listing})" if more else "",
                "more_zh": f"（另有 {more} 行：{listing}）" if more else "",
            }
            if entry.column:
                params.setdefault("column", entry.column)
            out.append(Problem(entry.code, file=file, sheet=sheet, row=row, column=entry.column,
                               column_letter=letter, params=params))
        return out

    def reconciliation(self, lines: pd.DataFrame, amounts: dict[str, tuple[tuple[str, str], ...]]) -> dict[str, Any]:
        """Per table in ``amounts`` (table → its (amount, unit) column pairs): what became of each row."""
        out: dict[str, Any] = {}
        for table, pairs in amounts.items():
            frame = self.tables.get(table)
            if frame is None or frame.empty:
                continue
            calculated = _rows_with_lines(frame, lines, table)
            used = np.zeros(len(frame), dtype=bool)
            if table in self._used:
                used = frame.index.isin(np.concatenate(self._used[table])) & ~calculated
            excluded_any = np.zeros(len(frame), dtype=bool)
            reasons, notes = [], []
            for entry in self._exclusions.values():
                if entry.table != table:
                    continue
                mask = frame.index.isin(self._rows_of(entry))
                if entry.note:
                    notes.append(self._reason(entry, frame, mask, calculated | used, pairs))
                    continue
                excluded_any |= mask
                reasons.append(self._reason(entry, frame, mask, calculated | used, pairs))
            covered = calculated | used
            excluded = excluded_any & ~covered
            partial = excluded_any & covered
            out[table] = {
                "rows": int(len(frame)),
                "calculated": int(calculated.sum()),
                "used": int(used.sum()),
                "excluded": int(excluded.sum()),
                "partial": int(partial.sum()),
                "unaccounted": int((~covered & ~excluded_any).sum()),
                "unaccounted_cells": [self._cell_text(table, label, None, with_file=True)
                                      for label in frame.index[~covered & ~excluded_any][:MAX_CELLS_LISTED]],
                "amounts": _amounts(frame, np.ones(len(frame), dtype=bool), pairs),
                "reasons": sorted(reasons, key=lambda r: (-r["rows"], r["code"])),
                "notes": sorted(notes, key=lambda r: (-r["rows"], r["code"])),
            }
        return out

    def _reason(self, entry: _Exclusion, frame: pd.DataFrame, mask: np.ndarray, covered: np.ndarray,
                pairs: tuple[tuple[str, str], ...]) -> dict[str, Any]:
        labels = frame.index[mask]
        template = Problem(entry.code, params={**entry.params, "rows": int(mask.sum()), "more": "", "more_zh": "",
                                               **({"column": entry.column} if entry.column else {})})
        return {
            "code": entry.code,
            "severity": catalogue()[entry.code]["severity"],
            "rows": int(mask.sum()),
            "rows_excluded": int((mask & ~covered).sum()),
            "rows_partial": int((mask & covered).sum()),
            "message": template.message("en"),
            "message_zh": template.message("zh"),
            "amounts": _amounts(frame, mask, pairs),
            "cells": [self._cell_text(entry.table, label, entry.column, with_file=True)
                      for label in labels[:MAX_CELLS_LISTED]],
        }


def _rows_with_lines(frame: pd.DataFrame, lines: pd.DataFrame, table: str) -> np.ndarray:
    """True for each row of ``frame`` that some line of ``table`` comes from (matched by file, sheet, row)."""
    from zcf.calc.exact import row_codes

    chosen = (lines["source_table"] == table).to_numpy(dtype=bool, na_value=False)
    if not chosen.any():
        return np.zeros(len(frame), dtype=bool)
    mine = lines.loc[chosen, ["source_file", "source_sheet", "source_row"]]  # not a copy of every column
    sheet = frame["_source_sheet"] if "_source_sheet" in frame else pd.Series(pd.NA, index=frame.index)
    row_code, line_code = row_codes(
        (frame["_source_file"], sheet, pd.to_numeric(frame["_source_row"]).astype("int64")),
        (mine["source_file"], mine["source_sheet"], pd.to_numeric(mine["source_row"]).astype("int64")),
    )
    return np.isin(row_code, line_code)


def _amounts(frame: pd.DataFrame, mask: np.ndarray, pairs: tuple[tuple[str, str], ...]) -> dict[str, float]:
    """Sum of each amount column over the rows in ``mask``, by unit (``{"t": 12.5, "CNY": 3.0e6}``)."""
    out: dict[str, float] = {}
    for value_column, unit in pairs:
        if value_column not in frame:
            continue
        values = pd.to_numeric(frame.loc[mask, value_column], errors="coerce")
        if unit.startswith("="):
            units = pd.Series(unit[1:], index=values.index)
        elif unit in frame:
            units = frame.loc[mask, unit].astype("string").fillna("?")
        else:
            continue
        present = values.notna()
        for name, group in values[present].groupby(units[present], sort=True):
            out[str(name)] = out.get(str(name), 0.0) + math.fsum(group.tolist())
    return out
