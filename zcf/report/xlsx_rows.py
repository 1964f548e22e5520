"""The rows of a large sheet as SpreadsheetML, made column by column (pyarrow), not cell by cell.

xlsxwriter writes a cell in a few microseconds: fine for the report's small sheets, but
a million lines of 32 columns would take minutes. So the workbook is first written by
xlsxwriter with the big sheets holding their header row only (widths, formats, frozen
header and filter are set as for any sheet), and the rows are then spliced into those
sheets' XML while the package is copied:

* each column becomes one array of cell fragments — a text is escaped once per distinct
  value (``&<>``, control characters as ``_xHHHH_`` the way Excel and xlsxwriter write
  them), a number is its shortest round-trip decimal text with the column's style — and
  the row XML is their element-wise concatenation (``binary_join_element_wise``);
* texts are inline strings (``t="inlineStr"``), never formulas, whatever they start with;
* every zip entry keeps xlsxwriter's fixed date, so the bytes depend on the inputs only.

Rows are made in chunks (``CHUNK_ROWS``) in a worker thread while the previous chunk is
compressed, so memory stays bounded and both cores work.
"""

from __future__ import annotations

import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import IO, Callable, Iterator

import numpy as np
import pandas as pd

CHUNK_ROWS = 50_000
MAX_TEXT = 32_767  # Excel's limit for a cell's text (xlsxwriter cuts there too)
_ESCAPED = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"/>')
NULL_CELL = "/>"
ERROR_CELL = ' t="e"><v>#NUM!</v></c>'


def text_cell(text: str) -> str:
    """The part of a ``<c r="…"`` element after its reference, for a text (an inline string)."""
    text = text[:MAX_TEXT]
    text = _ESCAPED.sub(r"_x005F\1", text)  # a literal _x0041_ stays literal
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    space = ' xml:space="preserve"' if text[:1] in (" ", "\t", "\n") or text[-1:] in (" ", "\t", "\n") else ""
    return f' t="inlineStr"><is><t{space}>{text}</t></is></c>'


def number_cell(value, style: int | None) -> str:
    import math

    if isinstance(value, bool):
        return f' t="b"><v>{int(value)}</v></c>'
    if isinstance(value, float) and not math.isfinite(value):
        return NULL_CELL if math.isnan(value) else ERROR_CELL
    return f'{_style(style)}><v>{value!r}</v></c>' if isinstance(value, float) else f"{_style(style)}><v>{int(value)}</v></c>"


def _style(style: int | None) -> str:
    return f' s="{style}"' if style else ""


def _texts(array):
    """Text cells of a string array, escaped by arrow; the rare texts with control characters, a literal
    ``_xHHHH_`` or more than Excel's 32,767 characters go through :func:`text_cell`."""
    import pyarrow as pa
    import pyarrow.compute as pc

    escaped = pc.replace_substring(pc.replace_substring(pc.replace_substring(array, "&", "&amp;"), "<", "&lt;"), ">",
                                   "&gt;")
    spaced = pc.match_substring_regex(array, r"^[ \t\n]|[ \t\n]$")
    opening = pc.if_else(spaced, _text(' t="inlineStr"><is><t xml:space="preserve">'), _text(' t="inlineStr"><is><t>'))
    cells = pc.binary_join_element_wise(opening, escaped, _text("</t></is></c>"), _text(""))
    special = pc.or_(pc.match_substring_regex(array, r"[\x00-\x08\x0b\x0c\x0e-\x1f\x{FFFE}\x{FFFF}]|_x[0-9a-fA-F]{4}_"),
                     pc.greater(pc.utf8_length(array), MAX_TEXT)).fill_null(False)
    if pc.any(special).as_py():
        where = np.flatnonzero(special.to_numpy(zero_copy_only=False))
        texts = array.take(pa.array(where)).to_pylist()
        cells = pc.replace_with_mask(cells, special, pa.array([text_cell(t) for t in texts], pa.large_string()))
    return cells.fill_null(_text(NULL_CELL))


def _text(value: str):
    import pyarrow as pa

    return pa.scalar(value, pa.large_string())


def _distinct(values: pd.Series, style: int | None):
    """Fragments of an object column: one per distinct value, then taken by code."""
    import numbers

    import pyarrow as pa

    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    table = []
    for u in uniques:
        if isinstance(u, (bool, np.bool_)):
            table.append(number_cell(bool(u), None))
        elif isinstance(u, numbers.Real):
            table.append(number_cell(float(u) if isinstance(u, (float, np.floating)) else int(u), style))
        else:
            table.append(text_cell(str(u)))
    table.append(NULL_CELL)
    indices = np.where(codes < 0, len(uniques), codes)
    return pa.array(table, pa.large_string()).take(pa.array(indices))


def column_cells(values: pd.Series, style: int | None):
    """One column of a chunk as an arrow array of cell fragments (what follows ``<c r="B7"``)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
        try:
            array = pa.array(values, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed values: each distinct one on its own
            return _distinct(values, style)
        if isinstance(array, pa.ChunkedArray):  # pandas' arrow-backed strings come in chunks
            array = array.combine_chunks()
        if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
            encoded = pc.dictionary_encode(array.cast(pa.large_string()))  # each distinct text escaped once
            return _texts(encoded.dictionary).take(encoded.indices).fill_null(_text(NULL_CELL))
        if pa.types.is_null(array.type):
            return pa.array([NULL_CELL] * len(values), pa.large_string())
        return _distinct(values, style)
    array = pa.array(values, from_pandas=True)  # NaN and NA → null
    if pa.types.is_floating(array.type):
        infinite = np.isinf(values.to_numpy(dtype=float, na_value=np.nan))
        text = pc.cast(array, pa.large_string())
    else:
        infinite, text = None, pc.cast(array, pa.large_string())
    cells = pc.binary_join_element_wise(_text(f"{_style(style)}><v>"), text, _text("</v></c>"), _text(""))
    cells = cells.fill_null(_text(NULL_CELL))
    if infinite is not None and infinite.any():
        cells = pc.if_else(pa.array(infinite), _text(ERROR_CELL), cells)
    return cells


@dataclass
class BulkSheet:
    """A sheet whose rows are spliced in after xlsxwriter wrote its header: ``frame`` row by row from row 2."""

    entry: str  # xl/worksheets/sheetN.xml
    frame: pd.DataFrame
    styles: list[Callable[[], int | None]] = field(default_factory=list)  # each column's style, known once saved


def _rows_xml(frame: pd.DataFrame, first_row: int, styles: list[int | None], letters: list[str]) -> memoryview:
    import pyarrow as pa
    import pyarrow.compute as pc

    numbers = pc.cast(pa.array(np.arange(first_row, first_row + len(frame), dtype=np.int64)), pa.large_string())
    pieces = [_text('<row r="'), numbers, _text('">')]
    for index, column in enumerate(frame.columns):
        pieces += [_text(f'<c r="{letters[index]}'), numbers, _text('"'), column_cells(frame[column], styles[index])]
    pieces.append(_text("</row>"))
    rows = pc.binary_join_element_wise(*pieces, _text(""))
    if isinstance(rows, pa.ChunkedArray):
        rows = rows.combine_chunks()
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int64)[rows.offset:rows.offset + len(rows) + 1]
    return memoryview(rows.buffers()[2])[offsets[0]:offsets[-1]]


def _chunks(bulk: BulkSheet) -> Iterator[tuple[int, memoryview]]:
    """The sheet's rows as XML bytes, a chunk at a time, the next one made while the caller writes this one."""
    from xlsxwriter.utility import xl_col_to_name

    styles = [style() for style in bulk.styles] or [None] * len(bulk.frame.columns)
    letters = [xl_col_to_name(i) for i in range(len(bulk.frame.columns))]
    starts = range(0, len(bulk.frame), CHUNK_ROWS)

    def make(start: int) -> tuple[int, memoryview]:
        part = bulk.frame.iloc[start:start + CHUNK_ROWS]
        return start + len(part), _rows_xml(part, start + 2, styles, letters)

    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(make, starts[0]) if len(starts) else None
        for following in list(starts[1:]) + [None]:
            current = pending.result()
            pending = pool.submit(make, following) if following is not None else None
            yield current


def splice(source: IO[bytes], target: IO[bytes], bulks: list[BulkSheet], advance: Callable[[int], None] | None = None,
           compresslevel: int = 1) -> None:
    """Copy the package ``source`` to ``target`` with the rows of ``bulks`` in their sheets; ``advance`` is told
    the rows written, a chunk at a time."""
    by_entry = {b.entry: b for b in bulks}
    with zipfile.ZipFile(source) as package, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as out:
        for info in package.infolist():
            data = package.read(info.filename)
            bulk = by_entry.get(info.filename)
            if bulk is None or bulk.frame.empty:
                out.writestr(info, data)
                continue
            head, tail = data.split(b"</sheetData>", 1)
            last = len(bulk.frame) + 1
            from xlsxwriter.utility import xl_col_to_name

            ref = f'<dimension ref="A1:{xl_col_to_name(len(bulk.frame.columns) - 1)}{last}"/>'.encode()
            head = _DIMENSION.sub(lambda _: ref, head, count=1)
            entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            setattr(entry, "compress_level" if hasattr(zipfile.ZipInfo, "compress_level") else "_compresslevel",
                    compresslevel)
            with out.open(entry, "w", force_zip64=True) as stream:
                stream.write(head)
                before = 0
                for written, xml in _chunks(bulk):
                    stream.write(xml)
                    if advance:
                        advance(written - before)
                    before = written
                stream.write(b"</sheetData>" + tail)
