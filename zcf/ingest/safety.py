"""Guards that run before an untrusted workbook reaches the xlsx parser.

An .xlsx file is a zip of XML parts. A few kilobytes can unpack to gigabytes
(zip bomb), and a single cell at ``XFD1048576`` makes a dense reader allocate
17 billion cells — python-calamine aborts the whole process on that. So before
calamine sees a workbook we:

* recognise encrypted or legacy .xls files (OLE2) and non-zip files;
* stream every part we will read, counting the bytes actually inflated (the
  sizes in the zip directory can lie) against :class:`Limits`;
* scan each worksheet's cell references for the real extent of the sheet, and
  note the cells whose value the reader cannot give: formulas saved without their
  result (workbooks written by openpyxl or pandas) and Excel error values
  (``#DIV/0!``), which python-calamine reads as empty cells.

XML of the workbook index is parsed with defusedxml (no entity expansion).
"""

from __future__ import annotations

import html
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CHUNK = 1 << 22
# Cell references: column letters and row digits of every <c r="..."> element.
_WIDE_COLUMN = re.compile(rb' r="([A-Z]{2,3})\d')
_CELL_ROW = re.compile(rb' r="[A-Z]{1,3}(\d{1,7})"')
# Cells with a formula or an error value; only looked at in chunks that have one.
_SPECIAL_HINT = re.compile(rb"<f[\s>/]|\st\s*=\s*[\"']e[\"']")
# The same search in two faster parts (see _has_special): an alternation starting with \s
# makes the regex engine try every byte.
_FORMULA_HINT = re.compile(rb"<f[\s>/]")
_ERROR_TYPE = re.compile(rb"t\s*=\s*[\"']e[\"']")
_CELL_START = re.compile(rb"<c[\s>/]")
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_CELL_REF = re.compile(rb'\br\s*=\s*["\']([A-Z]{1,3})(\d{1,7})["\']')
_CELL_TYPE = re.compile(rb'\bt\s*=\s*["\'](\w+)["\']')
_FORMULA = re.compile(rb"<f(?:\s[^>]*)?(?:/>|>(.*?)</f>)", re.S)
_VALUE = re.compile(rb"<v(?:\s[^>]*)?(?:/>|>(.*?)</v>)", re.S)
_MAX_TAIL = 1 << 20  # a cell element longer than this is not examined for formulas
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass(frozen=True)
class Limits:
    """How much of an untrusted file zcf is willing to read."""

    max_part_bytes: int = 1 << 30  # one inflated XML part (1 GiB ≈ 2M rows × 8 columns)
    max_total_bytes: int = 2 << 30  # all parts read from one workbook
    max_cells: int = 50_000_000  # rows × columns of one sheet (~2 GB in memory)
    max_columns: int = 16_384  # columns of one CSV file (Excel's own limit, column XFD)
    max_line_bytes: int = 1 << 20  # one line of a CSV file (a 100-column row of long texts is ~10 kB)
    max_text_chars: int = 1_000  # one text cell zcf keeps (a name is < 100, a long note ~ 1,000)
    max_unread_cells: int = 10_000  # formula cells without a saved result placed per sheet; beyond, one message


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
    # Cells the reader reads as empty though they are not: (row 1-based, column 0-based, kind, text),
    # kind "formula" (a formula saved without its result; text is the formula) or "error" (#DIV/0!).
    unread: list[tuple[int, int, str, str]] = field(default_factory=list)
    unread_overflow: int = 0  # how many more there were than Limits.max_unread_cells
    too_large: bool = False  # an optional sheet beyond the limits: not read


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


def inspect_workbook(path: Path, wanted: Callable[[SheetInfo], bool], limits: Limits,
                     optional: Callable[[SheetInfo], bool] | None = None) -> WorkbookInfo:
    """Check an .xlsx/.xlsm file and measure the sheets for which ``wanted(sheet)`` is true.

    Raises :class:`UnsafeFile` when the file is not a workbook or exceeds ``limits`` — except
    for a sheet for which ``optional(sheet)`` is true (read only to look at its header): one
    too large is marked ``too_large`` and left out.
    """
    with open(path, "rb") as f:
        magic = f.read(8)
    if magic == _OLE2_MAGIC:
        raise UnsafeFile("password-protected")
    if not magic.startswith(b"PK"):
        raise UnsafeFile("not-a-workbook", reason="not a zip archive")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, zlib.error) as exc:
        # The file itself opened above (permission problems surface there); this is damage.
        raise UnsafeFile("not-a-workbook", reason=f"damaged zip: {exc}") from exc
    with archive:
        names = [m.filename for m in archive.infolist()]
        if len(names) != len(set(names)):
            # Readers may pick different copies of a part: the one checked here must be the one read.
            raise UnsafeFile("not-a-workbook", reason="a part appears twice in the zip archive")
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
        optional = optional or (lambda sheet: False)
        for sheet in sorted(info.sheets, key=optional):  # the sheets needed first, for the shared budget
            if sheet.part is None or not wanted(sheet):
                continue
            try:
                member = archive.getinfo(sheet.part)
            except KeyError:
                raise UnsafeFile("not-a-workbook", reason=f"sheet {sheet.name!r} has no data part") from None
            before = budget[0]
            try:
                sheet.rows, sheet.columns, sheet.unread, sheet.unread_overflow = _inflate(
                    archive, member, limits, budget, scan=True
                )
                if sheet.rows * sheet.columns > limits.max_cells:
                    raise UnsafeFile(
                        "sheet-too-large",
                        sheet=sheet.name,
                        rows=f"{sheet.rows:,}",
                        columns=f"{sheet.columns:,}",
                        last_cell=f"{column_letter(sheet.columns - 1)}{sheet.rows}",
                        limit=f"{limits.max_cells:,}",
                    )
            except UnsafeFile as exc:
                if not optional(sheet) or exc.code not in ("sheet-too-large", "file-too-large"):
                    raise
                sheet.too_large = True  # an optional sheet beyond the limits is left out, not the workbook
                budget[0] = before
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
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError, NotImplementedError, zlib.error) as exc:
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
) -> tuple[int, int] | tuple[int, int, list, int]:
    """Stream one part, counting real bytes; with ``scan``, measure the sheet.

    With ``scan`` returns (rows, columns, unread cells, overflow) — see :class:`SheetInfo`.
    """
    total = 0
    max_row = 0
    wide: set[bytes] = set()
    saw_cells = False
    tail = b""
    unread: list[tuple[int, int, str, str]] = []
    overflow = [0]

    def examine(data: bytes) -> None:
        nonlocal max_row, saw_cells
        wide.update(_WIDE_COLUMN.findall(data))
        rows = _CELL_ROW.findall(data)
        if rows:
            saw_cells = True
            max_row = max(max_row, max(map(int, set(rows))))
        if _has_special(data):
            _unread_cells(data, unread, limits.max_unread_cells, overflow)

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
                # Cut before the last cell that may be incomplete (or, in a huge cell, before the last tag).
                start = _last_cell_start(data, max(0, len(data) - _MAX_TAIL))
                cut = start if start is not None else data.rfind(b"<")
                data, tail = (data[:cut], data[cut:]) if cut > 0 else (data, b"")
                examine(data)
            if scan and tail:
                examine(tail)
    except UnsafeFile:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError, NotImplementedError, zlib.error) as exc:
        raise UnsafeFile("not-a-workbook", reason=f"damaged part {member.filename}: {exc}") from exc
    if not scan:
        return 0, 0
    if not saw_cells:
        return 0, 0, unread, overflow[0]  # cells without references: their number is bounded by the bytes read
    # Only two- and three-letter columns are collected; otherwise the sheet is at most A–Z wide.
    columns = max((column_index(c.decode()) + 1 for c in wide), default=26)
    return max_row, columns, unread, overflow[0]


def _last_cell_start(data: bytes, low: int) -> int | None:
    """Where the last match of ``_CELL_START`` at or after ``low`` starts (None if there is none)."""
    end = len(data)
    while (found := data.rfind(b"<c", low, end)) >= 0:
        if found + 2 < len(data) and data[found + 2] in b" \t\n\r\f\v>/":
            return found
        end = found + 1
    return None


def _has_special(data: bytes) -> bool:
    """``_SPECIAL_HINT.search(data)`` is not None: a formula, or a ``t="e"`` attribute after a space."""
    if _FORMULA_HINT.search(data):
        return True
    # Matches of _ERROR_TYPE cannot overlap (no "t" inside one), so every candidate is seen.
    return any(m.start() > 0 and data[m.start() - 1] in b" \t\n\r\f\v" for m in _ERROR_TYPE.finditer(data))


def _unread_cells(data: bytes, found: list, limit: int, overflow: list[int]) -> None:
    """Cells of ``data`` (complete ``<c>`` elements) whose value a reader would give as empty."""
    for match in _CELL.finditer(data):
        attributes, body = match[1], match[2] or b""
        kind = _CELL_TYPE.search(attributes)
        cell_type = kind[1] if kind else b"n"
        value = _VALUE.search(body)
        if cell_type == b"e":
            what, text = "error", (value[1] or b"").decode("utf-8", "replace").strip() if value else ""
        else:
            formula = _FORMULA.search(body)
            if formula is None or b"<is>" in body:
                continue
            has_value = value is not None and (bool(value[1]) or cell_type in (b"str", b"inlineStr"))
            if has_value:
                continue  # Excel saves the result of a formula: fine
            what, text = "formula", html.unescape((formula[1] or b"").decode("utf-8", "replace"))
        ref = _CELL_REF.search(attributes)
        if ref is None:
            continue  # a cell without a reference cannot be placed; rare (zcf's writers always set it)
        if len(found) >= limit:
            overflow[0] += 1
            continue
        found.append((int(ref[2]), column_index(ref[1].decode()), what, text[:200]))
