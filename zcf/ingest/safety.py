"""Guards that run before an untrusted workbook reaches the xlsx parser.

An .xlsx file is a zip of XML parts. A few kilobytes can unpack to gigabytes
(zip bomb), and a single cell at ``XFD1048576`` makes a dense reader allocate
17 billion cells — python-calamine aborts the whole process on that. So before
calamine sees a workbook we:

* recognise encrypted or legacy .xls files (OLE2) and non-zip files;
* stream every part we will read, counting the bytes actually inflated (the
  sizes in the zip directory can lie) against :class:`Limits`;
* scan each worksheet's cell references for the real extent of the sheet.

XML of the workbook index is parsed with defusedxml (no entity expansion).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CHUNK = 1 << 22
# Cell references: column letters and row digits of every <c r="..."> element.
_WIDE_COLUMN = re.compile(rb' r="([A-Z]{2,3})\d')
_CELL_ROW = re.compile(rb' r="[A-Z]{1,3}(\d{1,7})"')
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass(frozen=True)
class Limits:
    """How much of an untrusted file zcf is willing to read."""

    max_part_bytes: int = 1 << 30  # one inflated XML part (1 GiB ≈ 2M rows × 8 columns)
    max_total_bytes: int = 2 << 30  # all parts read from one workbook
    max_cells: int = 50_000_000  # rows × columns of one sheet (~2 GB in memory)


class UnsafeFile(Exception):
    """The file was refused; ``code`` and ``params`` name a problem in the catalogue."""

    def __init__(self, code: str, **params: object):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class SheetInfo:
    name: str
    visible: bool
    part: str | None  # zip member holding the sheet XML
    rows: int = 0
    columns: int = 0


@dataclass
class WorkbookInfo:
    sheets: list[SheetInfo] = field(default_factory=list)


def column_letter(index: int) -> str:
    """0-based column index → Excel letters (0 → A, 27 → AB)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """Excel letters → 0-based column index (A → 0, AB → 27)."""
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


def _human_bytes(n: int) -> str:
    return f"{n / (1 << 30):.1f} GiB" if n >= 1 << 30 else f"{n / (1 << 20):.0f} MiB"


def inspect_workbook(path: Path, wanted: Callable[[SheetInfo], bool], limits: Limits) -> WorkbookInfo:
    """Check an .xlsx/.xlsm file and measure the sheets for which ``wanted(sheet)`` is true.

    Raises :class:`UnsafeFile` when the file is not a workbook or exceeds ``limits``.
    """
    with open(path, "rb") as f:
        magic = f.read(8)
    if magic == _OLE2_MAGIC:
        raise UnsafeFile("password-protected")
    if not magic.startswith(b"PK"):
        raise UnsafeFile("not-a-workbook", reason="not a zip archive")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnsafeFile("not-a-workbook", reason=f"damaged zip: {exc}") from exc
    with archive:
        info = _read_index(archive)
        budget = [limits.max_total_bytes]
        sheet_parts = {s.part for s in info.sheets if s.part}
        for member in archive.infolist():
            name = member.filename
            if name in sheet_parts or not name.endswith((".xml", ".rels")):
                continue
            if name.startswith("xl/") and "/" in name[3:] and not name.startswith("xl/_rels/"):
                continue  # drawings, charts, themes...: the reader does not open them
            _inflate(archive, member, limits, budget, scan=False)
        for sheet in info.sheets:
            if sheet.part is None or not wanted(sheet):
                continue
            try:
                member = archive.getinfo(sheet.part)
            except KeyError:
                raise UnsafeFile("not-a-workbook", reason=f"sheet {sheet.name!r} has no data part") from None
            sheet.rows, sheet.columns = _inflate(archive, member, limits, budget, scan=True)
            if sheet.rows * sheet.columns > limits.max_cells:
                raise UnsafeFile(
                    "sheet-too-large",
                    sheet=sheet.name,
                    rows=f"{sheet.rows:,}",
                    columns=f"{sheet.columns:,}",
                    last_cell=f"{column_letter(sheet.columns - 1)}{sheet.rows}",
                    limit=f"{limits.max_cells:,}",
                )
    return info


def _read_index(archive: zipfile.ZipFile) -> WorkbookInfo:
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    def parse(member: str, limit: int = 16 << 20):
        try:
            with archive.open(member) as f:
                data = f.read(limit + 1)
        except KeyError:
            raise UnsafeFile("not-a-workbook", reason=f"{member} is missing") from None
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise UnsafeFile("not-a-workbook", reason=f"damaged zip: {exc}") from exc
        if len(data) > limit:
            raise UnsafeFile("file-too-large", limit=_human_bytes(limit), member=member)
        try:
            return ElementTree.fromstring(data)
        except (ElementTree.ParseError, DefusedXmlException) as exc:
            raise UnsafeFile("not-a-workbook", reason=f"{member}: {exc.__class__.__name__}") from exc

    workbook = parse("xl/workbook.xml")
    targets: dict[str, str] = {}
    try:
        rels = parse("xl/_rels/workbook.xml.rels")
        for rel in rels.iter(f"{_NS_PKG_REL}Relationship"):
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
            targets[rel.get("Id", "")] = path
    except UnsafeFile:
        pass
    info = WorkbookInfo()
    for sheet in workbook.iter(f"{_NS_MAIN}sheet"):
        rid = sheet.get(f"{_NS_REL}id", "")
        info.sheets.append(
            SheetInfo(
                name=sheet.get("name", ""),
                visible=sheet.get("state", "visible") == "visible",
                part=targets.get(rid),
            )
        )
    return info


def _inflate(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, limits: Limits, budget: list[int], scan: bool
) -> tuple[int, int]:
    """Stream one part, counting real bytes; with ``scan``, return the sheet's (rows, columns)."""
    total = 0
    max_row = 0
    wide: set[bytes] = set()
    saw_cells = False
    tail = b""
    try:
        with archive.open(member) as f:
            while chunk := f.read(_CHUNK):
                total += len(chunk)
                budget[0] -= len(chunk)
                if total > limits.max_part_bytes:
                    raise UnsafeFile("file-too-large", limit=_human_bytes(limits.max_part_bytes), member=member.filename)
                if budget[0] < 0:
                    raise UnsafeFile("file-too-large", limit=_human_bytes(limits.max_total_bytes), member="all parts")
                if not scan:
                    continue
                data = tail + chunk
                cut = data.rfind(b"<")
                data, tail = (data[:cut], data[cut:]) if cut > 0 else (data, b"")
                wide.update(_WIDE_COLUMN.findall(data))
                rows = _CELL_ROW.findall(data)
                if rows:
                    saw_cells = True
                    max_row = max(max_row, max(map(int, set(rows))))
    except UnsafeFile:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError) as exc:
        raise UnsafeFile("not-a-workbook", reason=f"damaged part {member.filename}: {exc}") from exc
    if not scan:
        return 0, 0
    if not saw_cells:
        return 0, 0  # cells without references: their number is bounded by the bytes read
    # Only two- and three-letter columns are collected; otherwise the sheet is at most A–Z wide.
    columns = max((column_index(c.decode()) + 1 for c in wide), default=26)
    return max_row, columns
