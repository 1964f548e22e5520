"""Validate one mapped sheet cell by cell and build its typed, canonical frame.

Checks here need only the sheet itself: types, required values, ranges,
enumerations (with "did you mean"), units and their kind, rows that need one of
several column groups, periods outside the reporting year. Checks that need
several sheets or tables (duplicates, references, outliers) live in
:mod:`zcf.ingest.crosscheck`.

Hostile or broken cells are caught here too, so that nothing downstream meets
them: numbers beyond the magnitude limits of their kind (``limits.toml``; a
number that large is a mistake, and arithmetic on it could overflow to inf),
text with control characters or longer than ``Limits.max_text_chars``, and cells
the reader could not give a value for (formulas saved without a result, Excel
errors). A cell with such a problem is left empty in the frame, and its row takes
no part in the duplicate checks, so one mistake gives one message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from zcf.factors import FactorResolver, energy_content
from zcf.ingest import coerce, selectors
from zcf.ingest.mapping import MappedTable
from zcf.ingest.conditions import condition_problems
from zcf.ingest.readers import UnreadCell
from zcf.ingest.safety import Limits, column_index
from zcf.problems import Problem, did_you_mean, show_value
from zcf.schema import ColumnSpec, Magnitude, Schema, TableSpec, magnitude_limits
from zcf.units import parse_unit

LINEAGE = ["_source_file", "_source_sheet", "_source_row"]
# Helper column: True on rows with an error in a key, unique or reference column. Such rows
# take no part in duplicate checks (a bad period must not also make a duplicate key).
KEY_ERROR = "_key_error"
_MAX_ALLOWED_SHOWN = 12
# Control characters (other than tab and line breaks) and non-characters: invisible, and
# not allowed in the XML of an Excel file.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_CONTROL_RE2 = r"[\x{0}-\x{8}\x{b}\x{c}\x{e}-\x{1f}\x{7f}-\x{9f}\x{fffe}\x{ffff}]"  # the same, for Arrow
# A nonzero number smaller than this is a mistake too: dividing by it would overflow.
SMALLEST_NONZERO = 1e-15
_NUMERIC = ("number", "ratio", "percent", "integer")
_TEXT_CHECKED = ("id", "text")


@dataclass
class Context:
    """What validation needs to know beyond the sheet itself."""

    schema: Schema
    reporting_year: int | None = None
    allow_other_years: bool = False
    resolver: FactorResolver = field(default_factory=FactorResolver)
    extra_enum_values: dict[str, list[str]] = field(default_factory=dict)  # enum name → extra values
    region: str = "CN"
    currencies: set[str] = field(default_factory=set)  # ISO codes zcf has an exchange rate (fx.<code>) for
    limits: Limits = field(default_factory=Limits)


class Locator:
    """Builds problems that point at a row (and column) of a canonical frame."""

    def __init__(self) -> None:
        self.letters: dict[tuple[str, str | None], dict[str, str]] = {}
        self._lineage: dict[int, tuple[pd.Index, np.ndarray, np.ndarray, np.ndarray]] = {}

    def add(self, mapped: MappedTable) -> None:
        self.letters[(mapped.source.file, mapped.source.sheet)] = mapped.letters

    def _arrays(self, frame: pd.DataFrame):
        key = id(frame)
        cached = self._lineage.get(key)
        if cached is None or cached[0] is not frame.index:
            cached = (frame.index, *(frame[c].to_numpy(dtype=object) for c in LINEAGE))
            self._lineage[key] = cached
        return cached

    def at(self, frame: pd.DataFrame, index: Any, code: str, where: str | None = None, /, **params: Any) -> Problem:
        frame_index, files, sheets, rows = self._arrays(frame)
        position = frame_index.get_loc(index)
        file, sheet, row = files[position], sheets[position], rows[position]
        sheet = None if sheet is None or pd.isna(sheet) else sheet
        letter = self.letters.get((file, sheet), {}).get(where) if where else None
        return Problem(code, file=file, sheet=sheet, row=int(row), column=where, column_letter=letter, params=params)


def _column_params(column: ColumnSpec) -> dict[str, str]:
    return {"column": column.name, "column_zh": column.zh}


def _allowed(values: list[str]) -> str:
    shown = values[:_MAX_ALLOWED_SHOWN]
    return ", ".join(shown) + (", …" if len(values) > len(shown) else "")


def coerce_column(column: ColumnSpec, raw: pd.Series, ctx: Context) -> coerce.Coerced:
    kind = column.type
    if kind in ("number", "ratio", "percent"):
        return coerce.to_number(raw, percent=kind if kind != "number" else None)
    if kind == "integer":
        return coerce.to_integer(raw)
    if kind == "year":
        return coerce.to_year(raw)
    if kind == "boolean":
        return coerce.to_boolean(raw)
    if kind == "id":
        return coerce.to_id(raw)
    if kind == "text":
        return coerce.to_text(raw)
    if kind == "period":
        return coerce.to_period(raw)
    if kind == "enum":
        spec = ctx.schema.enums[column.enum]  # type: ignore[index]
        lookup = coerce.enum_lookup_with_extra(spec, ctx.extra_enum_values.get(spec.name, []))
        return coerce.to_enum(raw, lookup, spec.key)
    if kind == "province":
        return coerce.to_enum(raw, ctx.schema.province_lookup)
    if kind == "grid_region":
        return coerce.to_enum(raw, ctx.schema.grid_regions.lookup)
    if kind == "unit":
        return coerce.to_unit(raw)
    if kind == "factor_unit":
        return coerce.to_factor_unit(raw)
    if kind in ("activity", "currency", "region", "pcf_unit"):
        return selectors.coerce(column, raw, ctx)
    raise ValueError(f"unknown column type {kind!r}")  # guarded by the schema model


def _enum_choices(column: ColumnSpec, ctx: Context) -> tuple[dict[str, str], dict[str, str]]:
    """Lookup (normalised alias → value) and each value's Chinese label, for messages."""
    if column.type == "province":
        return ctx.schema.province_lookup, {p.code: p.zh for p in ctx.schema.provinces}
    spec = ctx.schema.grid_regions if column.type == "grid_region" else ctx.schema.enums[column.enum]  # type: ignore[index]
    lookup = coerce.enum_lookup_with_extra(spec, ctx.extra_enum_values.get(spec.name, []))
    labels = {v: v for v in lookup.values()}
    labels.update({v.value: v.zh for v in spec.values})
    return lookup, labels


def cell_problem_params(column: ColumnSpec, code: str, value: Any, coerced: coerce.Coerced, ctx: Context) -> dict:
    params: dict[str, Any] = {**_column_params(column), "value": show_value(value)}
    if code == "unknown-value":
        from zcf.schema import suggest

        lookup, labels = _enum_choices(column, ctx)
        spec = ctx.schema.enums.get(column.enum) if column.type == "enum" else None  # type: ignore[arg-type]
        options = suggest(str(value), lookup) if spec is None or spec.suggest else []
        params.update(did_you_mean(options))
        params["suggestion_zh"] = did_you_mean([labels[o] for o in options])["suggestion_zh"]
        if spec is not None and spec.hint_en:  # e.g. how to add a material zcf has no factor for
            params["suggestion"] = (params["suggestion"] if spec.suggest else "") + spec.hint_en
            params["suggestion_zh"] = (params["suggestion_zh"] if spec.suggest else "") + spec.hint_zh
        params["allowed"] = _allowed(list(labels))
        params["allowed_zh"] = "、".join(dict.fromkeys(labels.values()))
    elif code == "unknown-unit":
        extra = coerced.params.get(str(value).strip(), {})
        params.update(did_you_mean(extra.get("suggestions", [])))
    elif code == "control-character":
        params["char"] = control_character(str(value))
    elif code == "text-too-long":
        params.update(length=f"{len(str(value)):,}", limit=f"{ctx.limits.max_text_chars:,}")
    elif code in ("number-too-large", "number-too-small"):
        params["value"] = show_number(value)
    elif column.type in ("activity", "currency", "region", "pcf_unit"):
        params.update(did_you_mean([]))
        params.update(coerced.params.get(str(value).strip(), {}))
    return params


def control_character(text: str) -> str:
    """The first control character of ``text``, as people can read it: ``U+001B``."""
    found = CONTROL.search(text)
    return f"U+{ord(found[0]):04X}" if found else ""


def text_codes(raw: pd.Series, limit: int) -> pd.Series:
    """``control-character`` or ``text-too-long`` for text cells that have them, else None."""
    def check(v: Any) -> str | None:
        if not isinstance(v, str):
            return None
        if CONTROL.search(v):
            return "control-character"
        return "text-too-long" if len(v.strip()) > limit else None

    strings = coerce.arrow_strings(raw)
    if strings is None:
        return coerce.map_distinct(raw, check)
    # Only cells with a control character or more than ``limit`` characters (stripped or not)
    # can have a code: those are checked one by one, as above.
    suspect = coerce.arrow_mask(pc.match_substring_regex(strings, _CONTROL_RE2))
    suspect |= coerce.arrow_mask(pc.greater(pc.utf8_length(strings), limit))
    codes = np.full(len(raw), None, dtype=object)
    if suspect.any():
        codes[suspect] = coerce.map_distinct(raw[suspect], check).to_numpy(dtype=object)
    return pd.Series(codes, index=raw.index, dtype=object)


def unread_mask(raw: pd.Series) -> np.ndarray:
    """True where the reader could not give the cell's value (see :class:`UnreadCell`)."""
    return coerce.map_distinct(raw, lambda v: isinstance(v, UnreadCell)).fillna(False).to_numpy(dtype=bool)


def show_number(value: Any) -> str:
    """A cell value for a message about its size: large and tiny numbers as 1e+308, not 309 digits."""
    if isinstance(value, (float, int, np.floating, np.integer)) and not isinstance(value, bool):
        return show_value(f"{float(value):.6g}")
    return show_value(value)


def magnitude_params(magnitude: Magnitude) -> dict[str, str]:
    """Message parameters of ``number-too-large``: the limit with its unit, the kind."""
    limit = f"{magnitude.max:.0e} {magnitude.unit}".strip().replace("e+", "e")
    return {"limit": limit, "kind": magnitude.label, "kind_zh": magnitude.label_zh}


# Problems about a value itself (not its row): the same value in many rows is one mistake, one message.
PER_VALUE = {"unknown-value", "unknown-unit", "unknown-currency", "no-exchange-rate", "unknown-activity",
             "unknown-region", "bad-pcf-unit", "bad-factor-unit", "currency-multiplier"}
_CELLS_SHOWN = 5


def _cell_problems(column: ColumnSpec, raw: pd.Series, coerced: coerce.Coerced, ctx: Context, bad: np.ndarray,
                   problem_at, mapped: MappedTable, extra: dict[str, dict] | None, per_value: dict) -> list[Problem]:
    """A problem per bad cell — or, for the codes in PER_VALUE, per distinct bad value with its other cells.

    ``extra`` adds message parameters by code (the limit of ``number-too-large``). The per-value
    problems go into ``per_value`` (see :func:`per_value_problems`), which may gather several slices.
    """
    problems: list[Problem] = []
    groups: dict[tuple[str, str], list[int]] = {}
    for i in np.flatnonzero(bad):
        code = coerced.codes.iat[i]
        if code in PER_VALUE:
            groups.setdefault((code, show_value(raw.iat[i])), []).append(int(i))
        else:
            params = cell_problem_params(column, code, raw.iat[i], coerced, ctx)
            params.update((extra or {}).get(code, {}))
            problems.append(problem_at(i, code, column, **params))
    for (code, shown), rows in groups.items():
        numbers = [int(mapped.row_numbers[i]) for i in rows]
        key = (column.name, code, shown)
        if key in per_value:
            per_value[key][1].extend(numbers)
            continue
        first = rows[0]
        params = cell_problem_params(column, code, raw.iat[first], coerced, ctx)
        per_value[key] = (problem_at(first, code, column, **params), numbers[1:], mapped.letters.get(column.name, ""))
    return problems


def per_value_problems(per_value: dict) -> list[Problem]:
    """The problems gathered by value: each at its first cell, naming a few of its other cells."""
    problems = []
    for problem, rest, letter in per_value.values():
        cells = ", ".join(f"{letter}{n}" for n in rest[:_CELLS_SHOWN]) + (", …" if len(rest) > _CELLS_SHOWN else "")
        problem.params["more"] = f" (also in {len(rest)} more row{'s' * (len(rest) != 1)}: {cells})" if rest else ""
        problem.params["more_zh"] = f"（另有 {len(rest)} 行：{cells}）" if rest else ""
        problems.append(problem)
    return problems


def validate_sheet(mapped: MappedTable, ctx: Context, per_value: dict | None = None
                   ) -> tuple[pd.DataFrame, list[Problem]]:
    """Typed canonical frame for one sheet, plus the cell-level problems found.

    Rows with errors stay in the frame (the ingest is then invalid anyway);
    cells that could not be read are left empty. ``per_value`` (optional) gathers the problems
    reported once per distinct bad value over several slices of one sheet; the caller then
    adds :func:`per_value_problems`. Without it they are in the problems returned.
    """
    gathered = per_value if per_value is not None else {}
    spec = mapped.spec
    data = mapped.data
    src = mapped.source
    problems: list[Problem] = []
    out = pd.DataFrame(index=data.index)
    ok_rows = np.ones(len(data), dtype=bool)

    def problem_at(i: int, code: str, where: ColumnSpec | None, /, **params: Any) -> Problem:
        letter = mapped.letters.get(where.name) if where else None
        return Problem(
            code,
            file=src.file,
            sheet=src.sheet,
            row=int(mapped.row_numbers[i]),
            column=where.name if where else None,
            column_letter=letter,
            params=params,
        )

    unread_cells: list[tuple[int, int, UnreadCell]] = []  # (position, column position, cell)
    if src.unread_cells:
        data = _take_unread(data, mapped, unread_cells)
    mapped_unread: dict[str, np.ndarray] = mapped.unread
    key_columns = {*spec.key, *spec.unique, *(c.name for c in spec.columns if c.references)}
    key_error = np.zeros(len(data), dtype=bool)

    for column in spec.columns:
        if column.name not in data.columns:
            raw = pd.Series([None] * len(data), index=data.index, dtype=object)
        else:
            raw = data[column.name]
        coerced, extra_params = coerce_and_check(spec, column, raw, ctx)
        codes = coerced.codes
        bad = codes.notna().to_numpy()
        problems.extend(_cell_problems(column, raw, coerced, ctx, bad, problem_at, mapped, extra_params, gathered))
        ok_rows &= ~bad
        values = coerced.values
        unread = mapped_unread.get(column.name)
        missing = values.isna().to_numpy() & ~bad
        if unread is not None:
            missing &= ~unread
        if column.name in key_columns:
            key_error |= bad | (unread if unread is not None else False)
        if column.required and column.name in data.columns:
            for i in np.flatnonzero(missing):
                problems.append(problem_at(i, "missing-value", column, **_column_params(column)))
            ok_rows &= ~missing
        if column.type in _NUMERIC:
            problems.extend(_range_problems(column, values, raw, problem_at))
        if column.default is not None and missing.any() and column.type != "period":
            values = values.copy()
            values[missing] = column.default
        _store(out, column, values)

    _apply_enum_defaults(spec, out, ctx)
    problems.extend(_unit_kind_problems(spec, out, data, ctx, problem_at))
    problems.extend(selectors.per_unit_problems(spec, out, data, problem_at))
    problems.extend(selectors.factor_unit_problems(spec, out, data, problem_at))
    problems.extend(selectors.assumed_value_problems(spec, out, data, ctx, problem_at))
    present = {c: ~coerce.blank_mask(data[c]) | mapped_unread.get(c, False) for c in data.columns}
    problems.extend(_row_rule_problems(spec, present, len(out), problem_at))
    problems.extend(condition_problems(spec, out, present, data, ctx.schema, problem_at))
    problems.extend(_year_problems(spec, out, data, ctx, problem_at))
    if spec.quantity:
        problems.extend(_normalise_quantity(spec, out, data, problem_at))
    if spec.energy_content:
        problems.extend(_energy_content(out, spec.energy_content, ctx, src))

    for name in mapped.extra:
        text = coerce.to_text(data[name])
        codes = text_codes(data[name], ctx.limits.max_text_chars)
        for i in np.flatnonzero(codes.notna().to_numpy()):
            code, value = codes.iat[i], data[name].iat[i]
            params = {"column": name, "column_zh": name, "value": show_value(value)}
            params.update({"char": control_character(value)} if code == "control-character" else
                          {"length": f"{len(value.strip()):,}", "limit": f"{ctx.limits.max_text_chars:,}"})
            problems.append(Problem(code, file=src.file, sheet=src.sheet, row=int(mapped.row_numbers[i]), column=name,
                                    column_letter=mapped.letters.get(name), params=params))
        out[name] = text.values.where(codes.isna().to_numpy(), pd.NA)
    problems.extend(_unread_problems(unread_cells, mapped))
    if per_value is None:
        problems.extend(per_value_problems(gathered))
    out[KEY_ERROR] = key_error
    out["_source_file"] = src.file
    out["_source_sheet"] = src.sheet
    out["_source_row"] = mapped.row_numbers.astype("int64")
    return out.reset_index(drop=True), problems


def coerce_and_check(spec: TableSpec, column: ColumnSpec, raw: pd.Series, ctx: Context) -> tuple[coerce.Coerced, dict]:
    """:func:`coerce_column` then :func:`check_cells` — once per distinct value when values repeat.

    Both are functions of each cell's value alone (and of the set of values: the months rule
    of periods), so reading the distinct values and spreading the results back over the rows
    gives exactly the per-row result.
    """
    plan = _distinct_values(raw)
    if plan is None:
        coerced = coerce_column(column, raw, ctx)
        return coerced, check_cells(spec, column, raw, coerced, ctx)
    positions, distinct = plan
    coerced = coerce_column(column, distinct, ctx)
    extra = check_cells(spec, column, distinct, coerced, ctx)
    coerced.values = pd.Series(coerced.values.array.take(positions), index=raw.index)
    coerced.codes = pd.Series(coerced.codes.to_numpy(dtype=object).take(positions), index=raw.index, dtype=object)
    return coerced, extra


_SAMPLE = 20_000


def _distinct_values(raw: pd.Series) -> tuple[np.ndarray, pd.Series] | None:
    """(position of each row's value in ``distinct``, distinct values then one missing value), or
    None when the column does not repeat its values enough for this to pay.

    Values pandas counts as equal though zcf reads them differently (``True``, ``1``, ``1.0``;
    ``0.0`` and ``-0.0``) are never merged: a column with such numbers is not reduced.
    """
    if len(raw) < 64:
        return None
    is_text = isinstance(raw.dtype, pd.StringDtype)
    if not is_text and raw.dtype != object:
        return None
    head = pd.unique(raw.iloc[:_SAMPLE])
    if 2 * len(head) > min(len(raw), _SAMPLE):
        return None
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    if 2 * len(uniques) > len(raw):
        return None
    if is_text:
        distinct = pd.Series(uniques.tolist() + [None], dtype=raw.dtype)
    else:
        values = np.empty(len(uniques) + 1, dtype=object)
        values[:-1] = uniques
        values[-1] = None
        if any(_merges(v) for v in values[:-1]):
            return None
        distinct = pd.Series(values, dtype=object)
    positions = np.where(codes < 0, len(uniques), codes)
    return positions, distinct


def _merges(value: Any) -> bool:
    """True for values a hash table may take as another kind of value (``True`` == 1 == 1.0)."""
    if isinstance(value, (bool, np.bool_)):
        return True
    return isinstance(value, (int, float, np.number)) and (value == 0 or value == 1)


def check_cells(spec: TableSpec, column: ColumnSpec, raw: pd.Series, coerced: coerce.Coerced, ctx: Context) -> dict:
    """Checks beyond the type: text (control characters, length) and number magnitudes.

    Adds codes to ``coerced`` (emptying those cells); returns extra message parameters by code.
    """
    if column.type in _TEXT_CHECKED:
        _flag(coerced, text_codes(raw, ctx.limits.max_text_chars))
    if column.type in _NUMERIC:
        magnitude = magnitude_limits().for_column(spec.name, column.name)
        _flag_magnitude(coerced, magnitude)
        return {"number-too-large": magnitude_params(magnitude)}
    return {}


def _flag(coerced: coerce.Coerced, codes: pd.Series) -> None:
    """Add ``codes`` to the cells that have no problem yet, and empty their values."""
    new = codes.notna().to_numpy() & coerced.codes.isna().to_numpy()
    if new.any():
        coerced.codes = coerced.codes.copy()
        coerced.codes[new] = codes[new]
        coerced.values = coerced.values.copy()
        coerced.values[new] = pd.NA if coerced.values.dtype != object else None


def _flag_magnitude(coerced: coerce.Coerced, magnitude: Magnitude) -> None:
    """``number-too-large`` beyond the column's limit; ``number-too-small`` for tiny nonzero numbers."""
    v = coerced.values.astype("float64").to_numpy(na_value=np.nan)
    size = np.abs(v)
    with np.errstate(invalid="ignore"):
        large = size > magnitude.max
        small = (size < SMALLEST_NONZERO) & (size > 0)
    if large.any() or small.any():
        codes = pd.Series(None, index=coerced.codes.index, dtype=object)
        codes[large] = "number-too-large"
        codes[small] = "number-too-small"
        _flag(coerced, codes)


def _take_unread(data: pd.DataFrame, mapped: MappedTable, found: list) -> pd.DataFrame:
    """Note the unread cells of the mapped columns and empty them; returns the cleaned data.

    Their masks go to ``mapped_unread`` (column → mask), for requiredness and row rules.
    """
    data = data.copy()
    for position, name in enumerate(data.columns):
        mask = unread_mask(data[name])
        if not mask.any():
            continue
        letter = mapped.letters.get(name, "A")
        for i in np.flatnonzero(mask):
            found.append((int(i), column_index(letter), data[name].iat[i]))
        mapped.unread[name] = mask
        column = data[name].copy()
        column[mask] = None
        data[name] = column
    return data


def _unread_problems(found: list[tuple[int, int, UnreadCell]], mapped: MappedTable) -> list[Problem]:
    """One problem per sheet and kind: at the first such cell, naming a few more."""
    problems = []
    src = mapped.source
    for kind, code in (("formula", "formula-without-value"), ("error", "formula-error")):
        cells = sorted((mapped.row_numbers[i], col, cell) for i, col, cell in found if cell.kind == kind)
        if not cells:
            continue
        from zcf.ingest.readers import show_formula
        from zcf.ingest.safety import column_letter

        row, col, cell = cells[0]
        others = [f"{column_letter(c)}{r}" for r, c, _ in cells[1:]]
        shown = ", ".join(others[:_CELLS_SHOWN]) + (", …" if len(others) > _CELLS_SHOWN else "")
        params = {"more": f" (also in {len(others)} more cell{'s' * (len(others) != 1)}: {shown})" if others else "",
                  "more_zh": f"（另有 {len(others)} 个单元格：{shown}）" if others else ""}
        if kind == "formula":
            params["formula"] = show_formula(cell.text)
        else:
            params["value"] = cell.text or "#VALUE!"
        problems.append(Problem(code, file=src.file, sheet=src.sheet, row=int(row), column_letter=column_letter(col),
                                params=params))
    return problems


def _store(out: pd.DataFrame, column: ColumnSpec, values: pd.Series) -> None:
    if column.type == "period":
        out[column.name] = values.astype("string")
        out[f"{column.name}_year"], out[f"{column.name}_month"] = coerce.period_parts(values)
    elif column.type == "unit":
        out[column.name] = values.astype("string")
        out[f"_{column.name}_ok"] = values.notna().to_numpy()  # cleared by unit-kind checks; dropped before writing
    elif column.type == "factor_unit":
        out[column.name] = values.astype("string")
    elif column.type in ("number", "ratio", "percent"):
        out[column.name] = values.astype("float64")
    elif column.type in ("integer", "year"):
        out[column.name] = values.astype("Int64")
    elif column.type == "boolean":
        out[column.name] = values.astype("boolean")
    else:
        out[column.name] = values.astype("string")


def _range_problems(column: ColumnSpec, values: pd.Series, raw: pd.Series, problem_at) -> list[Problem]:
    problems = []
    v = values.astype("float64").to_numpy()
    low = column.min if column.min is not None else (0 if column.type == "ratio" else None)
    high = column.max if column.max is not None else (1 if column.type == "ratio" else None)
    if low is not None:
        for i in np.flatnonzero(v < low):
            code = "negative-value" if low == 0 else "out-of-range"
            problems.append(
                problem_at(i, code, column, **_column_params(column), value=show_value(raw.iat[i]), low=low, high=high or "∞")
            )
    if high is not None:
        for i in np.flatnonzero(v > high):
            problems.append(
                problem_at(i, "out-of-range", column, **_column_params(column), value=show_value(raw.iat[i]), low=low, high=high)
            )
    return problems


def _apply_enum_defaults(spec: TableSpec, out: pd.DataFrame, ctx: Context) -> None:
    """Fill blank cells from the enum value of another column (electricity → supply grid)."""
    for column in spec.columns:
        if column.type != "enum":
            continue
        for value in ctx.schema.enums[column.enum].values:  # type: ignore[index]
            for target, default in value.defaults.items():
                if target not in out.columns:
                    continue
                rows = (out[column.name] == value.value).fillna(False).to_numpy(dtype=bool) & out[target].isna().to_numpy()
                if rows.any():
                    out.loc[rows, target] = default


def _unit_attr(units: pd.Series, attr: str) -> pd.Series:
    """An attribute of the parsed unit of each unit text (parse_unit is cached per text)."""
    return coerce.map_distinct(units, lambda text: getattr(parse_unit(text), attr))


def _unit_kind_problems(spec: TableSpec, out: pd.DataFrame, data: pd.DataFrame, ctx: Context, problem_at) -> list:
    """Units of a kind the column (or the row's ``unit_kinds_by`` enum value) does not take."""
    problems = []
    for column in spec.columns:
        ok_col = f"_{column.name}_ok"
        if column.type != "unit" or ok_col not in out.columns:
            continue
        kinds = _unit_attr(out[column.name], "kind")
        by = column.unit_kinds_by if column.unit_kinds_by in out.columns else None
        by_enum = ctx.schema.enums[spec.column(by).enum] if by else None  # type: ignore[index]
        subjects = out[by].astype(object) if by else pd.Series(None, index=out.index, dtype=object)
        pairs = pd.DataFrame({"kind": kinds, "subject": subjects})
        verdicts: dict[tuple, tuple[str, ...] | None] = {}
        for kind, subject in pairs.dropna(subset=["kind"]).drop_duplicates().itertuples(index=False):
            allowed, what = column.unit_kinds, f"the {spec.name} table"
            if subject is not None and not pd.isna(subject):
                value_spec = by_enum.value_spec(subject)  # type: ignore[union-attr]
                if value_spec and value_spec.unit_kinds:
                    allowed, what = value_spec.unit_kinds, str(subject)
            verdicts[(kind, subject)] = None if kind in allowed else (what, allowed)
        if all(v is None for v in verdicts.values()):
            continue
        for i, (kind, subject) in enumerate(pairs.itertuples(index=False)):
            verdict = verdicts.get((kind, subject)) if kind is not None else None
            if verdict is None:
                continue
            what, allowed = verdict
            problems.append(
                problem_at(
                    i,
                    "unit-not-allowed",
                    column,
                    **_column_params(column),
                    value=show_value(data[column.name].iat[i]),
                    kind=kind,
                    what=what,
                    allowed=" / ".join(allowed),
                )
            )
            out.iat[i, out.columns.get_loc(ok_col)] = False
    return problems


def _row_rule_problems(spec: TableSpec, present: dict[str, np.ndarray], rows: int, problem_at) -> list[Problem]:
    """Rows that fill none of the ``one_of`` groups, or only part of a ``together`` group.

    A cell counts as filled when it holds anything, even a value that failed to
    parse: that cell has its own problem already.
    """
    problems = []

    def filled(name: str) -> np.ndarray:
        return present.get(name, np.zeros(rows, dtype=bool))

    if spec.one_of:
        satisfied = np.zeros(rows, dtype=bool)
        for group in spec.one_of:
            satisfied |= np.logical_and.reduce([filled(c) for c in group])
        options = " or ".join("+".join(group) for group in spec.one_of)
        for i in np.flatnonzero(~satisfied):
            problems.append(problem_at(i, "incomplete-row", None, options=options))
    for group in spec.together:
        masks = [filled(c) for c in group]
        some, every = np.logical_or.reduce(masks), np.logical_and.reduce(masks)
        for i in np.flatnonzero(some & ~every):
            given = [c for c, m in zip(group, masks) if m[i]]
            absent = [c for c, m in zip(group, masks) if not m[i]]
            column = spec.column(absent[0])
            problems.append(problem_at(i, "incomplete-group", column, filled=", ".join(given), missing=", ".join(absent)))
    return problems


def _year_problems(spec: TableSpec, out: pd.DataFrame, data: pd.DataFrame, ctx: Context, problem_at) -> list:
    if ctx.reporting_year is None or ctx.allow_other_years or "period" not in out.columns:
        return []
    years = out["period_year"]
    outside = years.notna().to_numpy() & (years.fillna(ctx.reporting_year) != ctx.reporting_year).to_numpy()
    column = spec.column("period")
    return [
        problem_at(
            i,
            "period-outside-year",
            column,
            **_column_params(column),
            value=show_value(out["period"].iat[i]),
            year=ctx.reporting_year,
        )
        for i in np.flatnonzero(outside)
    ]


def _normalise_quantity(spec: TableSpec, out: pd.DataFrame, data: pd.DataFrame, problem_at) -> list[Problem]:
    """quantity_std and unit_std: the quantity in the canonical unit of its kind.

    A quantity beyond the magnitude limit of its kind (limits.toml) in that unit is a
    ``number-too-large`` problem, and is emptied with its canonical value.
    """
    value_col, unit_col = spec.quantity.value, spec.quantity.unit  # type: ignore[union-attr]
    ok = out.pop(f"_{unit_col}_ok").to_numpy(dtype=bool)
    units = out[unit_col].where(ok, pd.NA)
    with np.errstate(over="ignore", invalid="ignore"):
        out["quantity_std"] = out[value_col] * _unit_attr(units, "to_canonical").astype("float64")
    out["unit_std"] = _unit_attr(units, "canonical").astype("string")
    out["_kind"] = _unit_attr(units, "kind")
    problems = []
    limits = magnitude_limits()
    standard = out["quantity_std"].to_numpy(dtype="float64", na_value=np.nan)
    present = ~np.isnan(standard)
    if not present.any():
        return problems
    kinds = out["_kind"].to_numpy(dtype=object)
    maxima = coerce.map_distinct(out["_kind"], lambda k: limits.for_kind(k).max).fillna(np.inf).to_numpy(dtype="float64")
    with np.errstate(invalid="ignore"):
        large = present & ~(np.abs(standard) <= maxima)
    column = spec.column(value_col)
    for i in np.flatnonzero(large):
        magnitude = limits.for_kind(kinds[i])
        problems.append(problem_at(i, "number-too-large", column, **_column_params(column),
                                   value=f"{show_number(data[value_col].iat[i])[:-1]} {out[unit_col].iat[i]}\"",
                                   **magnitude_params(magnitude)))
    if large.any():
        out.loc[large, ["quantity_std", value_col]] = np.nan
    return problems


def _energy_content(out: pd.DataFrame, fuel_column: str, ctx: Context, src) -> list[Problem]:
    """energy_mwh: the energy content of each row (fuels via NCV and density, by ``fuel_column``)."""
    kinds = out.pop("_kind")
    energy = pd.Series(np.nan, index=out.index, dtype="float64")
    is_energy = (kinds == "energy").to_numpy()
    energy[is_energy] = out.loc[is_energy, "quantity_std"]
    problems = []
    pairs = out.loc[~is_energy & kinds.notna().to_numpy(), [fuel_column]].assign(kind=kinds)
    for (fuel, kind), rows in pairs.groupby([fuel_column, "kind"], sort=True).groups.items():
        content = energy_content(ctx.resolver, fuel, kind, [ctx.region], ctx.reporting_year)
        if content is None:
            unit = out.loc[rows[0], "unit"]
            problems.append(
                Problem(
                    "no-energy-content",
                    file=src.file,
                    sheet=src.sheet,
                    params={"energy_type": fuel, "unit": unit, "activity": f"ncv.{fuel}"},
                )
            )
            continue
        energy[rows] = out.loc[rows, "quantity_std"] * content.value
    out["energy_mwh"] = energy
    return problems


def finish_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop helper columns that are not part of the canonical dataset."""
    return frame.drop(columns=[c for c in frame.columns if c.startswith("_") and c not in LINEAGE])
