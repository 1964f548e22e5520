"""Read input files into raw sheets: cell values plus where each came from.

Workbooks (.xlsx/.xlsm) are read with python-calamine after the checks in
:mod:`zcf.ingest.safety`; CSV files are decoded (UTF-8, UTF-8 with BOM, UTF-16
with BOM, else GB18030 — a superset of GBK as exported by Chinese Excel) and
parsed with pandas; Parquet with pyarrow. Nothing is interpreted here beyond
decoding: header mapping and validation come next.

Every failure — a damaged file, a file zcf may not read, a reader that panics on
a crafted cell — becomes a :class:`~zcf.problems.Problem` naming the file, never
an exception. Cells a reader would give as empty though they are not (formulas
saved without their result, Excel error values) are given as :class:`UnreadCell`.
"""

from __future__ import annotations

import codecs
import io
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from zcf.ingest.safety import Limits, SheetInfo, UnsafeFile, column_letter, inspect_workbook
from zcf.problems import Problem

if TYPE_CHECKING:
    import pandas as pd

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}
PACT_SUFFIXES = {".json"}  # PACT product-footprint files: read as the supplier_pcfs table
SUPPORTED_SUFFIXES = WORKBOOK_SUFFIXES | {".csv", ".parquet"} | PACT_SUFFIXES
# Spreadsheets zcf cannot read: in a folder they are reported, not skipped (they likely hold data).
OTHER_SPREADSHEETS = {".xls", ".xlsb", ".xlt", ".xltx", ".xltm", ".ods", ".et", ".ett", ".numbers"}


class UnreadCell:
    """A cell whose value zcf cannot know: a formula saved without its result, or an Excel error.

    ``kind`` is "formula" (``text`` is the formula, without ``=``) or "error" (``#DIV/0!``).
    Readers put these in :attr:`RawSheet.frame` where the cell is; validation reports them.
    """

    __slots__ = ("kind", "text")

    def __init__(self, kind: str, text: str):
        self.kind = kind
        self.text = text

    def __str__(self) -> str:
        return f"={self.text}" if self.kind == "formula" else self.text

    __repr__ = __str__


@dataclass
class RawSheet:
    """The cells of one sheet or file, before header mapping.

    ``frame`` has positional columns and object values; its row ``i`` is
    spreadsheet row ``first_row + i`` and its column ``j`` is spreadsheet column
    ``first_col + j`` (0-based, A = 0). ``header`` is set when the format names
    its columns itself (Parquet); otherwise the header row is found in ``frame``.
    """

    file: str
    sheet: str | None
    name: str  # the name that identifies the table: sheet name or file stem
    frame: pd.DataFrame
    first_row: int = 1
    first_col: int = 0
    header: list[str] | None = None
    unread_cells: int = 0  # how many UnreadCell values ``frame`` holds


@dataclass
class InputFile:
    """One input file as read: what the manifest records about it."""

    path: Path
    display: str
    size: int = 0
    sha256: str = ""
    format: str = ""
    encoding: str | None = None
    sheets: list[dict] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The file name without folder and suffix, as the user reads it (names a table)."""
        return Path(self.display).stem


def readable_name(text: str) -> str:
    """A path as a person can read it, in any encoding it came in.

    File names that are not UTF-8 (GBK names from zips made on Chinese Windows) reach
    Python with undecodable bytes kept as surrogates, which no UTF-8 file or console
    can hold: each such part is decoded as GB18030 if it is valid GB18030, else the
    bytes are shown as ``\\xNN``. Control characters are shown escaped (``\\x1b``).
    """
    if any("\udc80" <= ch <= "\udcff" for ch in text):
        parts = []
        for part in text.split(os.sep):
            if any("\udc80" <= ch <= "\udcff" for ch in part):
                raw = part.encode("utf-8", "surrogateescape")
                try:
                    part = raw.decode("gb18030")
                except UnicodeDecodeError:
                    part = raw.decode("utf-8", "backslashreplace")
            parts.append(part)
        text = os.sep.join(parts)
    if not text.isprintable():
        text = "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)
    return text


def discover(inputs: list[str]) -> Iterator[tuple[str, Path] | Problem]:
    """Files named on the command line, folders expanded (sorted, recursively).

    Yields ``(display name, path)`` or a :class:`Problem` for a file or folder that is
    missing, unreadable or of another format — in folders too, for spreadsheets zcf cannot
    read (.xls, .ods ...). Excel's lock files (``~$book.xlsx``), hidden files and other
    files are skipped. The display name is :func:`readable_name` of the path.
    """
    for given in inputs:
        path = Path(given)
        shown = readable_name(given)
        try:
            info = path.stat()
        except FileNotFoundError:
            yield Problem("file-not-found", file=shown)
            continue
        except OSError as exc:
            yield Problem("unreadable-file", file=shown, params={"reason": _os_reason(exc)})
            continue
        if stat.S_ISDIR(info.st_mode):
            yield from _walk(given, path)
        elif not stat.S_ISREG(info.st_mode):
            yield Problem("unreadable-file", file=shown, params={"reason": "not a regular file"})
        elif path.suffix.lower() not in SUPPORTED_SUFFIXES:
            yield Problem("unsupported-format", file=shown, params={"suffix": readable_name(path.suffix) or "(none)"})
        else:
            yield shown, path


def _walk(given: str, root: Path) -> Iterator[tuple[str, Path] | Problem]:
    problems: list[Problem] = []

    def unreadable(exc: OSError) -> None:
        try:
            where = readable_name(str(Path(given) / Path(exc.filename).relative_to(root)))
        except (TypeError, ValueError):
            where = readable_name(given)
        problems.append(Problem("unreadable-file", file=where, params={"reason": _os_reason(exc)}))

    found: list[tuple[str, Path]] = []
    for folder, dirs, files in os.walk(root, onerror=unreadable):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "~$")))
        for name in files:
            suffix = Path(name).suffix.lower()
            if name.startswith((".", "~$")) or suffix not in SUPPORTED_SUFFIXES | OTHER_SPREADSHEETS:
                continue
            child = Path(folder) / name
            display = readable_name(str(Path(given) / child.relative_to(root)))
            if suffix in OTHER_SPREADSHEETS:
                problems.append(Problem("unsupported-format", file=display, params={"suffix": suffix}))
                continue
            try:
                regular = stat.S_ISREG(child.stat().st_mode)
            except OSError as exc:  # a dangling symlink, a file removed meanwhile...
                problems.append(Problem("unreadable-file", file=display, params={"reason": _os_reason(exc)}))
                continue
            if not regular:
                problems.append(Problem("unreadable-file", file=display, params={"reason": "not a regular file"}))
                continue
            found.append((display, child))
    yield from problems
    yield from sorted(found, key=lambda item: str(item[1]))


def _os_reason(exc: OSError) -> str:
    """Why the operating system refused, without the path (the problem names the file)."""
    return exc.strerror or exc.__class__.__name__


def unreadable(source: InputFile, exc: OSError) -> Problem:
    """The problem for a file that could not be opened or read."""
    return Problem("unreadable-file", file=source.display, params={"reason": _os_reason(exc)})


def file_digest(path: Path) -> tuple[int, str]:
    """Size in bytes and SHA-256 of a file."""
    import hashlib

    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def read_workbook(
    source: InputFile, wanted: Callable[[str], bool], limits: Limits,
    probe: Callable[[str, bool], bool] | None = None,
) -> tuple[list[RawSheet], list[Problem]]:
    """Read the sheets of a workbook for which ``wanted(sheet name)`` is true.

    Those are read even when hidden, with a ``hidden-sheet`` warning (a hidden energy
    sheet still counts). ``probe(sheet name, visible)`` picks other sheets to read only to
    see whether they hold a table under another name; one of those beyond the limits is
    left out (with a warning) rather than the workbook refused. Skipped sheets are listed
    in ``source.sheets``; problems are returned, never raised — even when the native
    reader panics on a crafted cell.
    """
    import pandas as pd
    import python_calamine

    problems: list[Problem] = []
    choices: dict[str, str | None] = {}

    def read_it(sheet: SheetInfo) -> bool:
        if sheet.name not in choices:
            choices[sheet.name] = ("table" if wanted(sheet.name) else
                                   "probe" if probe is not None and probe(sheet.name, sheet.visible) else None)
        return choices[sheet.name] is not None

    try:
        info = inspect_workbook(source.path, read_it, limits, optional=lambda sheet: choices.get(sheet.name) == "probe")
    except UnsafeFile as exc:
        sheet = exc.params.pop("sheet", None)
        sheet = readable_name(str(sheet)) if sheet is not None else None
        return [], [Problem(exc.code, file=source.display, sheet=sheet, params=exc.params)]  # type: ignore[arg-type]
    except OSError as exc:
        return [], [unreadable(source, exc)]

    sheets: list[RawSheet] = []
    try:
        with _native_stderr_quiet():
            workbook = python_calamine.CalamineWorkbook.from_path(str(source.path))
    except BaseException as exc:  # calamine's own errors, and pyo3 panics (BaseException) on crafted files
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        return [], [_reader_failed(source, None, exc)]
    with _closing(workbook):
        for sheet_info in info.sheets:
            status = "read" if read_it(sheet_info) else "skipped"
            shown = readable_name(sheet_info.name)  # control and bidi characters escaped for messages
            source.sheets.append({"sheet": shown, "table": None, "status": status, "rows": 0})
            if status != "read":
                continue
            is_table = choices[sheet_info.name] == "table"
            if not is_table and (sheet_info.too_large or sheet_info.unread_overflow):
                # only probed, and too large (or too full of formulas) to look at: not a table zcf reads
                source.sheets[-1]["status"] = "skipped"
                problems.append(Problem("unknown-table", file=source.display, sheet=shown,
                                        params={"name": shown, "suggestion": "", "suggestion_zh": ""}))
                continue
            if not sheet_info.visible and is_table:
                problems.append(Problem("hidden-sheet", file=source.display, sheet=shown, params={"name": shown}))
            if sheet_info.unread_overflow:  # too many formulas without results to read the sheet
                problems.append(_too_many_unread(source, sheet_info, shown))
                source.sheets[-1]["status"] = "refused"
                continue
            try:
                with _native_stderr_quiet():
                    sheet = workbook.get_sheet_by_name(sheet_info.name)
                    rows = sheet.to_python(skip_empty_area=True)
                    start_row, start_col = sheet.start or (0, 0)
            except BaseException as exc:  # as above: a panic on one sheet is a problem of that sheet
                if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                    raise
                problems.append(_reader_failed(source, shown, exc))
                continue
            frame = pd.DataFrame(rows, dtype=object) if rows else pd.DataFrame(dtype=object)
            del rows
            frame, start_row, start_col = _place_unread(frame, start_row, start_col, sheet_info.unread)
            sheets.append(
                RawSheet(
                    file=source.display,
                    sheet=shown,
                    name=shown,
                    frame=frame,
                    first_row=start_row + 1,
                    first_col=start_col,
                    unread_cells=len(sheet_info.unread),
                )
            )
    return sheets, problems


def _reader_failed(source: InputFile, sheet: str | None, exc: BaseException) -> Problem:
    reason = "out of memory" if isinstance(exc, MemoryError) else _short(exc)
    return Problem("reader-failed", file=source.display, sheet=sheet, params={"reason": reason})


def _too_many_unread(source: InputFile, sheet: SheetInfo, shown: str) -> Problem:
    row, col, _, _ = sheet.unread[0]
    total = len(sheet.unread) + sheet.unread_overflow
    return Problem(
        "formula-without-value",
        file=source.display,
        sheet=shown,
        row=row,
        column_letter=column_letter(col),
        params={"formula": show_formula(sheet.unread[0][3]),
                "more": f" (and {total - 1:,} more cells: the sheet was not read)",
                "more_zh": f"（另有 {total - 1:,} 个单元格：未读取此工作表）"},
    )


def show_formula(text: str) -> str:
    from zcf.problems import show_value

    return show_value(f"={text}") if text else "(a shared formula)"


def _place_unread(frame, start_row: int, start_col: int, unread: list[tuple[int, int, str, str]]):
    """Put an :class:`UnreadCell` where each unread cell is, growing the frame if the reader left it out."""
    if not unread:
        return frame, start_row, start_col
    import pandas as pd

    rows = [r - 1 for r, _, _, _ in unread]
    cols = [c for _, c, _, _ in unread]
    if frame.empty:
        start_row, start_col = min(rows), min(cols)
    top, left = min(start_row, *rows), min(start_col, *cols)
    bottom = max(start_row + len(frame) - 1, *rows)
    right = max(start_col + frame.shape[1] - 1, *cols)
    if (top, left) != (start_row, start_col) or frame.shape != (bottom - top + 1, right - left + 1):
        grown = pd.DataFrame("", index=range(bottom - top + 1), columns=range(right - left + 1), dtype=object)
        if not frame.empty:
            grown.iloc[start_row - top : start_row - top + len(frame), start_col - left : start_col - left + frame.shape[1]] = frame.to_numpy()
        frame, start_row, start_col = grown, top, left
    values = frame.to_numpy(dtype=object, copy=True)
    for r, c, kind, text in unread:
        values[r - 1 - start_row, c - start_col] = UnreadCell(kind, text)
    return pd.DataFrame(values, dtype=object), start_row, start_col


@contextmanager
def _native_stderr_quiet():
    """Keep what native code prints on stderr (a Rust panic's message and backtrace) off the console.

    A panic in python-calamine becomes a ``PanicException`` that zcf reports as a problem;
    Rust's panic hook would first print "thread panicked at ..." on file descriptor 2, which
    reads like a crash. That output goes to a temporary file instead, for the duration of a
    reader call only.
    """
    try:
        saved = os.dup(2)
    except OSError:  # no stderr at all
        yield
        return
    try:
        with tempfile.TemporaryFile() as sink:
            os.dup2(sink.fileno(), 2)
            try:
                yield
            finally:
                os.dup2(saved, 2)
    finally:
        os.close(saved)


class _closing:
    def __init__(self, workbook):
        self.workbook = workbook

    def __enter__(self):
        return self.workbook

    def __exit__(self, *exc):
        try:
            self.workbook.close()
        except Exception:
            pass


def decode_text(data: bytes, encoding: str | None) -> tuple[str, str]:
    """Decode CSV bytes; returns (text, encoding used). Raises UnicodeDecodeError/LookupError."""
    if encoding:
        return data.decode(encoding), encoding
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    head = data[:4096]
    if len(head) >= 4 and head.count(0) * 4 >= len(head):  # UTF-16 without a BOM: every other byte is 0
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if odd > 4 * even:
            return data.decode("utf-16-le"), "utf-16-le"
        if even > 4 * odd:
            return data.decode("utf-16-be"), "utf-16-be"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("gb18030"), "gb18030"


def _delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    return max([",", "\t", ";"], key=first_line.count)


def read_csv(source: InputFile, encoding: str | None, limits: Limits) -> tuple[list[RawSheet], list[Problem]]:
    """Decode and parse a CSV file, within ``limits``: file size, line length, columns, cells."""
    import pandas as pd

    if source.size > limits.max_part_bytes:
        params = {"limit": f"{limits.max_part_bytes >> 20} MiB", "member": source.path.name}
        return [], [Problem("file-too-large", file=source.display, params=params)]
    try:
        data = source.path.read_bytes()
    except OSError as exc:
        return [], [unreadable(source, exc)]
    try:
        text, used = decode_text(data, encoding)
    except (UnicodeDecodeError, LookupError):
        return [], [Problem("bad-encoding", file=source.display)]
    source.encoding = used
    if not text.strip():
        return [RawSheet(source.display, None, source.name, pd.DataFrame(dtype=object))], []
    sep = _delimiter(text)
    # Line and separator bytes are counted in the file's own bytes when the encoding keeps
    # ASCII as is (UTF-8, GB18030, Latin-1 ...); otherwise (UTF-16) in a UTF-8 copy.
    ascii_compatible = "a\n,;\t".encode(used.replace("-sig", "")) == b"a\n,;\t"
    utf8 = data if ascii_compatible else text.encode("utf-8")
    del text
    too_big, columns = _csv_extent_problem(source, utf8, sep, limits)
    if too_big is not None:
        return [], [too_big]
    # Arrow reads UTF-8 only: GB18030 and the like are given to it transcoded (pandas, if Arrow
    # declines, still reads the file's own bytes in its own encoding).
    transcoded = data.decode(used).encode("utf-8") if ascii_compatible and not used.startswith("utf-8") else utf8
    bom_kept = utf8.startswith(codecs.BOM_UTF8) and used != "utf-8-sig"  # --encoding utf-8 on a file with a BOM
    frame = None if bom_kept else _arrow_csv(transcoded, sep, columns)
    del transcoded
    if frame is not None:
        return [RawSheet(source.display, None, source.name, frame)], []
    try:
        frame = pd.read_csv(
            io.BytesIO(utf8),
            encoding="utf-8" if not ascii_compatible else used,
            sep=sep,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError, MemoryError, UnicodeDecodeError) as exc:
        return [], [Problem("malformed-csv", file=source.display, params={"reason": _short(exc)})]
    return [RawSheet(source.display, None, source.name, frame)], []


def _arrow_csv(data: bytes, sep: str, columns: int):
    """The cells of a UTF-8 CSV as text columns, parsed by Arrow (fast, in parallel, no Python objects).

    Gives exactly what the pandas parser gives (every cell as text, empty cells as ``""``) for
    every file it accepts; files it refuses or leaves alone — quotes other than around plain cells,
    rows with more or fewer cells, anything malformed — return None and are parsed by pandas, which
    knows how to read them or what to report. A UTF-8 BOM is skipped, as the ``utf-8-sig`` codec does.
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.csv as pacsv

    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    buffer = pa.py_buffer(data)[start:]
    # Left to pandas: quoting beyond plain wrapping (the parsers differ on malformed quoting), NUL
    # bytes, and a blank first line (pandas finds no columns: malformed-csv).
    if not len(buffer) or buffer[:1].to_pybytes() in (b"\r", b"\n") or b"\x00" in data:
        return None
    if b'"' in data and not _plainly_quoted(memoryview(data)[start:], sep):
        return None
    try:
        table = pacsv.read_csv(
            pa.BufferReader(buffer),
            read_options=pacsv.ReadOptions(autogenerate_column_names=True, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=sep, quote_char='"', double_quote=True, escape_char=False,
                                             newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types={f"f{i}": pa.string() for i in range(columns)},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False,
                                                 null_values=[], check_utf8=True),
        )
    except (pa.ArrowException, MemoryError, ValueError):
        return None
    if any(not pa.types.is_string(field.type) for field in table.schema):
        return None
    frame = table.to_pandas()
    frame.columns = range(table.num_columns)
    return frame


def _plainly_quoted(data: bytes | memoryview, sep: str) -> bool:
    """Whether every quote of the CSV wraps a whole cell whose text has no separator, line break or quote
    (``"SUP001","steel",12.5`` as Arrow, R and many exports write): then quoting cannot be read two ways."""
    import numpy as np

    raw = np.frombuffer(data, dtype=np.uint8)
    quotes = np.flatnonzero(raw == ord('"'))
    if len(quotes) % 2:
        return False
    special = (raw == ord(sep)) | (raw == ord("\n")) | (raw == ord("\r"))
    opening, closing = quotes[0::2], quotes[1::2]
    before = np.where(opening > 0, special[np.maximum(opening - 1, 0)], True)
    after = np.where(closing + 1 < len(raw), special[np.minimum(closing + 1, len(raw) - 1)], True)
    if not (before.all() and after.all()):
        return False
    # nothing special between a quote and its closing one (an empty cell "" has nothing between them)
    bounds = np.column_stack([opening + 1, closing]).ravel()
    inside = np.logical_or.reduceat(special | (raw == ord('"')), np.minimum(bounds, len(raw) - 1))[0::2]
    empty = closing == opening + 1
    return not (inside & ~empty).any()


def _csv_extent_problem(source: InputFile, data: bytes, sep: str, limits: Limits) -> tuple[Problem | None, int]:
    """A problem if a line is longer than allowed, or the file has too many columns or cells;
    and the most columns a line can have.

    Measured on the bytes before parsing (a 1 MB line of commas would otherwise become a
    DataFrame of 500,000 columns, ~1.3 GiB): newlines and separators are counted in chunks
    with numpy. Separators inside quoted cells count too, so the column count is an upper bound.
    """
    import numpy as np

    newline, separator = ord("\n"), ord(sep)
    lines = 0
    longest = (0, 0)  # (bytes, line number)
    most_columns = (0, 0)
    line_start = 0  # offset where the current line starts
    carried_separators = 0  # separators of the current line seen in earlier chunks
    step = 1 << 22
    for offset in range(0, len(data), step):
        chunk = np.frombuffer(data, dtype=np.uint8, count=min(step, len(data) - offset), offset=offset)
        ends = np.flatnonzero(chunk == newline)
        separators = np.flatnonzero(chunk == separator)
        if len(ends):
            starts = np.concatenate(([line_start - offset], ends[:-1] + 1))
            lengths = ends - starts
            # separators of each line: those before its end less those before its start
            counts = np.searchsorted(separators, ends) - np.searchsorted(separators, np.maximum(starts, 0))
            counts[0] += carried_separators
            i = int(np.argmax(lengths))
            if lengths[i] > longest[0]:
                longest = (int(lengths[i]), lines + i + 1)
            j = int(np.argmax(counts))
            if counts[j] + 1 > most_columns[0]:
                most_columns = (int(counts[j]) + 1, lines + j + 1)
            lines += len(ends)
            line_start = offset + int(ends[-1]) + 1
            carried_separators = len(separators) - int(np.searchsorted(separators, ends[-1] + 1))
        else:
            carried_separators += len(separators)
        if longest[0] > limits.max_line_bytes or most_columns[0] > limits.max_columns:
            break
    if line_start < len(data):  # the last line has no newline
        length = len(data) - line_start
        lines += 1
        if length > longest[0]:
            longest = (length, lines)
        if carried_separators + 1 > most_columns[0]:
            most_columns = (carried_separators + 1, lines)
    return _extent_problem(source, limits, lines, longest, most_columns), most_columns[0]


def _extent_problem(source, limits, lines, longest, most_columns) -> Problem | None:
    if longest[0] > limits.max_line_bytes:
        return Problem("csv-line-too-long", file=source.display, row=longest[1],
                       params={"size": _human_size(longest[0]), "limit": _human_size(limits.max_line_bytes)})
    if most_columns[0] > limits.max_columns:
        return Problem("too-many-columns", file=source.display, row=most_columns[1],
                       params={"columns": f"{most_columns[0]:,}", "limit": f"{limits.max_columns:,}"})
    if lines * most_columns[0] > limits.max_cells:
        return Problem("sheet-too-large", file=source.display,
                       params={"rows": f"{lines:,}", "columns": f"{most_columns[0]:,}",
                               "last_cell": f"{column_letter(most_columns[0] - 1)}{lines}", "limit": f"{limits.max_cells:,}"})
    return None


def _human_size(n: int) -> str:
    if n >= 1 << 20:
        return f"{n / (1 << 20):.1f} MiB"
    return f"{n / 1024:.0f} KiB" if n >= 1024 else f"{n} bytes"


def read_parquet(source: InputFile, limits: Limits | None = None) -> tuple[list[RawSheet], list[Problem]]:
    import pandas as pd
    import pyarrow.parquet as pq

    limits = limits or Limits()
    try:
        metadata = pq.ParquetFile(source.path).metadata
        rows, columns = metadata.num_rows, metadata.num_columns
        if rows * max(columns, 1) > limits.max_cells:  # a few kB of repeated values can expand to billions
            return [], [Problem("sheet-too-large", file=source.display,
                                params={"rows": f"{rows:,}", "columns": f"{columns:,}",
                                        "last_cell": f"{column_letter(max(columns, 1) - 1)}{rows + 1}",
                                        "limit": f"{limits.max_cells:,}"})]
        table = pq.read_table(source.path)
        nested = [f.name for f in table.schema if _is_nested(f.type)]
        if nested:  # lists, records, maps: not the plain values of a table
            reason = f"column {readable_name(str(nested[0]))!r} holds lists or records; zcf reads plain values only"
            return [], [Problem("unreadable-file", file=source.display, params={"reason": reason})]
        frame = table.to_pandas(types_mapper=None)
        # Text columns stay Arrow-backed text, as CSV columns are (no Python string per cell), and float
        # columns stay float64 (8 bytes a cell, not a Python float); every other column becomes Python values.
        frame = frame.astype({c: object for c, dtype in frame.dtypes.items()
                              if not isinstance(dtype, pd.StringDtype) and dtype.kind != "f"})
    except OSError as exc:
        if isinstance(exc, (PermissionError, FileNotFoundError, IsADirectoryError)):
            return [], [unreadable(source, exc)]
        return [], [Problem("unreadable-file", file=source.display, params={"reason": _short(exc)})]
    except Exception as exc:  # pyarrow raises ArrowInvalid, ... on damaged files
        return [], [Problem("unreadable-file", file=source.display, params={"reason": _short(exc)})]
    header = [str(c) for c in frame.columns]
    frame.columns = range(len(header))
    return [RawSheet(source.display, None, source.name, frame, first_row=2, header=header)], []


def _is_nested(arrow_type) -> bool:
    import pyarrow as pa

    if pa.types.is_dictionary(arrow_type):
        arrow_type = arrow_type.value_type
    return pa.types.is_nested(arrow_type) or pa.types.is_union(arrow_type)


def _short(exc: BaseException, limit: int = 160) -> str:
    text = " ".join(str(exc).split()) or exc.__class__.__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"
