"""Find the header row of a raw sheet and map its headers to the table's columns.

Headers match a column's English name, Chinese name or an alias, case-insensitively
(``zcf.schema.normalize_name``). A header cell may hold both languages on separate
lines (``数量\\nquantity``, as ``zcf template --lang both`` writes them) or separated
by ``/`` or ``|``. Title rows above the header are allowed: the header is the row,
among the first few, that names the most columns of the table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from zcf.ingest.coerce import blank_mask
from zcf.ingest.readers import RawSheet
from zcf.ingest.safety import column_letter
from zcf.problems import Problem, did_you_mean
from zcf.schema import TableSpec, derived_columns, normalize_name, suggest

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

HEADER_SCAN_ROWS = 20
_MAX_HEADER_CHARS = 100  # an unknown header kept as a column name is cut to this length
_HEADER_SPLIT = re.compile(r"[\n|/]")
_KEY_VALUE_HEADERS = {normalize_name(w) for w in ("field", "value", "key", "item", "字段", "值", "项目", "内容", "数值")}


@dataclass
class MappedTable:
    """A sheet whose header is understood: data rows below it, columns by name."""

    spec: TableSpec
    source: RawSheet
    data: pd.DataFrame  # object values; columns are column names (and unknown headers)
    row_numbers: np.ndarray  # spreadsheet row number of each data row
    letters: dict[str, str]  # column name → spreadsheet column letter
    extra: list[str] = field(default_factory=list)  # unknown headers kept as columns
    header_row: int | None = None
    unread: dict[str, np.ndarray] = field(default_factory=dict)  # column → cells the reader could not give


def _match_header(text: Any, lookup: dict[str, str]) -> str | None:
    if text is None or (isinstance(text, float) and text != text):
        return None
    raw = str(text)
    key = normalize_name(raw)
    if key in lookup:
        return lookup[key]
    for part in _HEADER_SPLIT.split(raw):
        key = normalize_name(part)
        if key in lookup:
            return lookup[key]
    return None


def _is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return value != value
    return isinstance(value, str) and not value.strip()


def header_label(text: Any) -> str:
    """An unknown header as a column name: one line, printable, at most ``_MAX_HEADER_CHARS`` long."""
    label = "".join(c for c in " ".join(str(text).split()) if c.isprintable())
    return label if len(label) <= _MAX_HEADER_CHARS else label[: _MAX_HEADER_CHARS - 1] + "…"


def is_reserved(header: str, spec: TableSpec) -> bool:
    """A header naming a column ingest derives (quantity_std, period_month ...) or an internal one (_source_file)."""
    return header.startswith("_") or normalize_name(header) in derived_columns(spec)


def header_keys(frame: pd.DataFrame) -> list[set[str]]:
    """For each of the first rows of ``frame``: the normalised names its cells could be headers for."""
    rows = []
    for i in range(min(HEADER_SCAN_ROWS, len(frame))):
        keys: set[str] = set()
        for v in frame.iloc[i]:
            if _is_blank(v) or not isinstance(v, str):
                continue
            keys.add(normalize_name(v))
            keys.update(normalize_name(part) for part in _HEADER_SPLIT.split(v))
        rows.append(keys)
    return rows


def header_hits(keys: list[set[str]], spec: TableSpec, required: set[str] | None = None) -> int | None:
    """How many of ``spec``'s columns the best of the rows (:func:`header_keys`) names.

    With ``required``, only rows naming all of those columns count (None if there is none).
    """
    lookup = spec.column_lookup
    best = None
    for row in keys:
        named = {lookup[k] for k in row if k in lookup}
        if required is not None and not required <= named:
            continue
        best = max(best or 0, len(named))
    return best


def blank_rows(frame: pd.DataFrame) -> np.ndarray:
    """True for rows whose cells are all empty."""
    import numpy as np

    mask = np.ones(len(frame), dtype=bool)
    for position in range(frame.shape[1]):
        mask &= blank_mask(frame.iloc[:, position])
    return mask


def map_table(sheet: RawSheet, spec: TableSpec) -> tuple[MappedTable | None, list[Problem]]:
    """Locate the header, map columns, cut the data rows. Problems are returned, not raised."""
    import numpy as np

    frame = sheet.frame
    lookup = spec.column_lookup
    problems: list[Problem] = []

    if sheet.header is not None:
        header_cells = list(sheet.header)
        header_index = -1
        data = frame
    else:
        if frame.empty:
            return None, [Problem("empty-file", file=sheet.file, sheet=sheet.sheet)]
        best_index, best_hits = -1, 0
        for i in range(min(HEADER_SCAN_ROWS, len(frame))):
            hits = len({m for v in frame.iloc[i] if (m := _match_header(v, lookup))})
            if hits > best_hits:
                best_index, best_hits = i, hits
        if best_index < 0:
            expected = ", ".join(f"{c.name}/{c.zh}" for c in spec.columns if c.required) or spec.columns[0].name
            problem = Problem(
                "no-header", file=sheet.file, sheet=sheet.sheet, params={"scan": HEADER_SCAN_ROWS, "expected": expected}
            )
            return None, [problem]
        header_index = best_index
        header_cells = list(frame.iloc[header_index])
        data = frame.iloc[header_index + 1 :]

    header_row = sheet.first_row + header_index if header_index >= 0 else 1
    letters: dict[str, str] = {}
    positions: dict[str, int] = {}
    extra: list[str] = []
    reserved: list[str] = []
    for position, text in enumerate(header_cells):
        if _is_blank(text):
            continue
        letter = column_letter(sheet.first_col + position)
        name = _match_header(text, lookup)
        if name is None:
            header = header_label(text)
            if is_reserved(header, spec):
                reserved.append(f"{header} ({letter}{header_row})")
                continue
            name = header if header not in positions else f"{header}_{letter}"
            hint = suggest(header, lookup, n=1)
            problems.append(
                Problem(
                    "unknown-column",
                    file=sheet.file,
                    sheet=sheet.sheet,
                    row=header_row,
                    column=header,
                    column_letter=letter,
                    params={"header": header, "table": spec.name, **did_you_mean(hint)},
                )
            )
            extra.append(name)
        elif name in positions:
            problems.append(
                Problem(
                    "duplicate-column",
                    file=sheet.file,
                    sheet=sheet.sheet,
                    row=header_row,
                    column=name,
                    column_letter=letter,
                    params={"column": name, "other": f"{letters[name]}{header_row}"},
                )
            )
            continue
        positions[name] = position
        letters[name] = letter

    if reserved:
        problems.append(
            Problem("reserved-column", file=sheet.file, sheet=sheet.sheet, row=header_row,
                    params={"headers": ", ".join(reserved)})
        )
    for column in spec.columns:
        if column.required and column.name not in positions:
            problems.append(
                Problem(
                    "missing-column",
                    file=sheet.file,
                    sheet=sheet.sheet,
                    row=header_row,
                    column=column.name,
                    params={"column": column.name, "zh": column.zh},
                )
            )

    data = data.iloc[:, list(positions.values())] if positions else data.iloc[:, :0]
    data = _text_columns(data.set_axis(list(positions.keys()), axis=1))
    row_numbers = np.arange(len(data)) + header_row + 1
    keep = ~blank_rows(data)
    data = data.loc[keep].reset_index(drop=True)
    mapped = MappedTable(
        spec=spec,
        source=sheet,
        data=data,
        row_numbers=row_numbers[keep],
        letters=letters,
        extra=extra,
        header_row=header_row,
    )
    return mapped, problems


def _text_columns(data: pd.DataFrame) -> pd.DataFrame:
    """Columns of a workbook that hold only text (and blanks) as Arrow-backed text, as CSV columns are.

    Validation then reads them with Arrow, without converting each column again per check.
    """
    import pandas as pd

    changed = {}
    for position, name in enumerate(data.columns):
        column = data.iloc[:, position]
        if column.dtype == object and len(column) and pd.api.types.infer_dtype(column, skipna=True) == "string":
            try:
                changed[name] = column.astype(pd.StringDtype("pyarrow", na_value=float("nan")))
            except (TypeError, ValueError, UnicodeError):  # text Arrow cannot hold (lone surrogates): kept as is
                continue
    return data.assign(**changed) if changed else data


def map_key_value(sheet: RawSheet, spec: TableSpec) -> tuple[dict[str, tuple[Any, int, str]], list[Problem]]:
    """Read a field/value sheet: field name → (value, row number, value's column letter).

    The field name is the first non-empty cell of a row, the value the cell to its
    right (further cells, such as a description, are ignored).
    """
    lookup = spec.column_lookup
    found: dict[str, tuple[Any, int, str]] = {}
    problems: list[Problem] = []
    frame = sheet.frame
    for i in range(len(frame)):
        cells = list(frame.iloc[i])
        j0 = next((j for j, v in enumerate(cells) if not _is_blank(v)), None)
        if j0 is None:
            continue
        row = sheet.first_row + i
        label = cells[j0]
        value = cells[j0 + 1] if j0 + 1 < len(cells) else None
        name = _match_header(label, lookup)
        letter = column_letter(sheet.first_col + j0 + 1)
        if name is None:
            if any(normalize_name(part) in _KEY_VALUE_HEADERS for part in _HEADER_SPLIT.split(str(label))):
                continue
            header = " ".join(str(label).split())
            problems.append(
                Problem(
                    "unknown-field",
                    file=sheet.file,
                    sheet=sheet.sheet,
                    row=row,
                    column=header,
                    column_letter=column_letter(sheet.first_col + j0),
                    params={"header": header, **did_you_mean(suggest(header, lookup, n=1))},
                )
            )
            continue
        if name in found:
            problems.append(
                Problem(
                    "duplicate-field",
                    file=sheet.file,
                    sheet=sheet.sheet,
                    row=row,
                    column=name,
                    column_letter=letter,
                    params={"column": name, "first_row": found[name][1]},
                )
            )
            continue
        found[name] = (None if _is_blank(value) else value, row, letter)
    for column in spec.columns:
        if column.required and column.name not in found:
            problems.append(
                Problem("missing-field", file=sheet.file, sheet=sheet.sheet, params={"column": column.name, "zh": column.zh})
            )
    return found, problems
