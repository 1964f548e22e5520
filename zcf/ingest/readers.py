"""Read input files into raw sheets: cell values plus where each came from.

Workbooks (.xlsx/.xlsm) are read with python-calamine after the checks in
:mod:`zcf.ingest.safety`; CSV files are decoded (UTF-8, UTF-8 with BOM, UTF-16
with BOM, else GB18030 — a superset of GBK as exported by Chinese Excel) and
parsed with pandas; Parquet with pyarrow. Nothing is interpreted here beyond
decoding: header mapping and validation come next.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from zcf.ingest.safety import Limits, SheetInfo, UnsafeFile, inspect_workbook
from zcf.problems import Problem

if TYPE_CHECKING:
    import pandas as pd

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}
SUPPORTED_SUFFIXES = WORKBOOK_SUFFIXES | {".csv", ".parquet"}


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


def discover(inputs: list[str]) -> Iterator[tuple[str, Path] | Problem]:
    """Files named on the command line, folders expanded (sorted, recursively).

    Yields ``(display name, path)`` or a :class:`Problem` for a missing file.
    Excel's lock files (``~$book.xlsx``) and hidden files are skipped.
    """
    for given in inputs:
        path = Path(given)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if any(part.startswith((".", "~$")) for part in rel.parts):
                    continue
                if child.is_file() and child.suffix.lower() in SUPPORTED_SUFFIXES:
                    yield str(Path(given) / rel), child
        elif path.is_file():
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                yield Problem("unsupported-format", file=given, params={"suffix": path.suffix or "(none)"})
            else:
                yield given, path
        else:
            yield Problem("file-not-found", file=given)


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
    source: InputFile, wanted: Callable[[str], bool], limits: Limits
) -> tuple[list[RawSheet], list[Problem]]:
    """Read the visible sheets of a workbook for which ``wanted(sheet name)`` is true.

    Other sheets are listed in ``source.sheets`` as skipped; problems are returned,
    never raised.
    """
    import pandas as pd
    import python_calamine

    problems: list[Problem] = []

    def read_it(sheet: SheetInfo) -> bool:
        return sheet.visible and wanted(sheet.name)

    try:
        info = inspect_workbook(source.path, read_it, limits)
    except UnsafeFile as exc:
        sheet = exc.params.pop("sheet", None)
        return [], [Problem(exc.code, file=source.display, sheet=sheet, params=exc.params)]  # type: ignore[arg-type]

    sheets: list[RawSheet] = []
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(source.path))
    except Exception as exc:  # calamine raises its own error types for damaged files
        return [], [Problem("not-a-workbook", file=source.display, params={"reason": _short(exc)})]
    with _closing(workbook):
        for sheet_info in info.sheets:
            status = "read" if read_it(sheet_info) else ("hidden" if not sheet_info.visible else "skipped")
            source.sheets.append({"sheet": sheet_info.name, "table": None, "status": status, "rows": 0})
            if status == "hidden" and wanted(sheet_info.name):
                problems.append(Problem("hidden-sheet", file=source.display, params={"name": sheet_info.name}))
            if status != "read":
                continue
            try:
                sheet = workbook.get_sheet_by_name(sheet_info.name)
                rows = sheet.to_python(skip_empty_area=True)
                start_row, start_col = sheet.start or (0, 0)
            except Exception as exc:
                problems.append(
                    Problem("not-a-workbook", file=source.display, sheet=sheet_info.name, params={"reason": _short(exc)})
                )
                continue
            frame = pd.DataFrame(rows, dtype=object) if rows else pd.DataFrame(dtype=object)
            sheets.append(
                RawSheet(
                    file=source.display,
                    sheet=sheet_info.name,
                    name=sheet_info.name,
                    frame=frame,
                    first_row=start_row + 1,
                    first_col=start_col,
                )
            )
    return sheets, problems


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
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("gb18030"), "gb18030"


def _delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    return max([",", "\t", ";"], key=first_line.count)


def read_csv(source: InputFile, encoding: str | None, limits: Limits) -> tuple[list[RawSheet], list[Problem]]:
    import pandas as pd

    if source.size > limits.max_part_bytes:
        params = {"limit": f"{limits.max_part_bytes >> 20} MiB", "member": source.path.name}
        return [], [Problem("file-too-large", file=source.display, params=params)]
    data = source.path.read_bytes()
    try:
        text, used = decode_text(data, encoding)
    except (UnicodeDecodeError, LookupError):
        return [], [Problem("bad-encoding", file=source.display)]
    source.encoding = used
    if not text.strip():
        return [RawSheet(source.display, None, source.path.stem, pd.DataFrame(dtype=object))], []
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=_delimiter(text),
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError, MemoryError) as exc:
        return [], [Problem("malformed-csv", file=source.display, params={"reason": _short(exc)})]
    return [RawSheet(source.display, None, source.path.stem, frame)], []


def read_parquet(source: InputFile) -> tuple[list[RawSheet], list[Problem]]:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(source.path)
        frame = table.to_pandas(types_mapper=None).astype(object)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ... on damaged files
        return [], [Problem("unreadable-file", file=source.display, params={"reason": _short(exc)})]
    header = [str(c) for c in frame.columns]
    frame.columns = range(len(header))
    return [RawSheet(source.display, None, source.path.stem, frame, first_row=2, header=header)], []


def _short(exc: BaseException, limit: int = 160) -> str:
    text = " ".join(str(exc).split()) or exc.__class__.__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"
