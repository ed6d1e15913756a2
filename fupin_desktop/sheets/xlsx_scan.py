"""A cheap look at an .xlsx sheet's XML before python-calamine reads it.

calamine turns a sheet into a dense grid of (last row × last column) cells, so one stray
cell at XFD1048576 in a 400 KB file asks for half a terabyte. :func:`scan_sheet` streams the
sheet's XML out of the zip (a few megabytes at a time, never the whole text) and finds:

- the used range calamine will allocate — the largest row and column any cell names (or
  takes by position when it names none) — and refuses a range over :data:`MAX_CELLS`
  cells or :data:`MAX_ROWS` rows, or beyond Excel's own limits, with one Chinese line;
- formula cells that carry no cached result (``<f>`` without ``<v>``): calamine reads them
  as empty, which would blank stored data, so they are returned for the reader to mark.

Most cells are never looked at one by one: each block is checked with a single regular
expression for a cell reference beyond the range known so far (rows from the last
``<row r=…>`` tag of each block, columns from the first block); only a block where one
is found is read cell by cell.
"""

from __future__ import annotations

import html
import re
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePosixPath
from xml.etree import ElementTree

__all__ = ["MAX_CELLS", "SheetScan", "TooLarge", "check_declared_counts", "scan_sheet", "sheet_parts"]

EXCEL_ROWS = 1_048_576
EXCEL_COLS = 16_384
MAX_CELLS = 20_000_000  # rows × columns calamine allocates (~32 bytes each, then a Python list)
MAX_ROWS = 300_000  # a county's whole export fits; a stray cell at row 1 048 576 does not
_CHUNK = 4 << 20
_MAX_TAIL = 16 << 20
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class TooLarge(Exception):
    """The sheet's used range is beyond what can be read; ``str()`` is the Chinese reason."""


@dataclass
class SheetScan:
    rows: int = 0  # 1-based last row / column of the used range
    cols: int = 0
    # (0-based row, 0-based column, formula text) of formula cells without a cached value
    uncomputed: list[tuple[int, int, str]] = field(default_factory=list)


def column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _column_letters(n: int) -> str:
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _greater(s: str, alphabet: str, lead: str) -> str:
    """A regex for strings over ``alphabet`` greater than ``s`` (no leading zero/blank):
    longer ones (first character from ``lead``), or as long and later in ``alphabet``."""
    n = len(s)
    alts = [f"[{lead}][{alphabet}]{{{n},}}"]
    for i, ch in enumerate(s):
        bigger = alphabet[alphabet.index(ch) + 1:]
        if bigger:
            alts.append(re.escape(s[:i]) + f"[{bigger}][{alphabet}]{{{n - i - 1}}}")
    return "(?:" + "|".join(alts) + ")"


@lru_cache(maxsize=64)
def _outside(rows: int, cols: int) -> re.Pattern[bytes]:
    """Finds a cell reference (``r="B12"``) beyond ``rows`` × ``cols``. (A reference in
    lower case is not one calamine accepts: it reports the sheet as damaged.)"""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    col_gt = _greater(_column_letters(cols), letters, letters)
    row_gt = _greater(str(rows) if rows else "", "0123456789", "123456789")
    # Possessive repeats: a reference that is inside the range fails at once.
    return re.compile(f'r="(?:(?:{col_gt})[0-9]|[A-Z]++0*+{row_gt}")'.encode())


# Any spelling of a cell reference (quotes, spaces around =): the slow, exact reading.
_ANY_REF = re.compile(rb"""\sr\s*=\s*["']\s*([A-Za-z]{1,4})0*([0-9]{1,9})\s*["']""")
_ROOT = re.compile(rb"<(\w+:)?worksheet\b")
_TEXT_RESULT = re.compile(rb"""\st\s*=\s*["']str["']""")


@lru_cache(maxsize=8)
def _patterns(prefix: bytes) -> tuple[re.Pattern[bytes], re.Pattern[bytes], re.Pattern[bytes]]:
    p = re.escape(prefix)
    row_tag = re.compile(rb"<" + p + rb'row\b[^>]*?\sr="0*([0-9]{1,9})"')
    # A cell tag not written as <c r="…: no reference, or it comes later, or oddly spelled.
    odd_cell = re.compile(rb"<" + p + rb'c(?! r=")[\s>/]')
    # A formula cell: its attributes, the formula, then the cached value (<v>) if any.
    formula = re.compile(
        rb"<" + p + rb"c\b([^>]*)>\s*<" + p + rb"f\b[^>]*?(?:/>|>(.*?)</" + p + rb"f>)\s*"
        rb"(?:<" + p + rb"v\b[^>]*?(?:/>|>(.*?)</" + p + rb"v>)|(<" + p + rb"is\b))?",
        re.S,
    )
    return row_tag, odd_cell, formula


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → the zip entry of its XML, from xl/workbook.xml and its relationships
    (empty when they cannot be read: the caller then scans every worksheet part)."""
    try:
        names = {i.filename: i for i in zf.infolist()}
        book, rels = names.get("xl/workbook.xml"), names.get("xl/_rels/workbook.xml.rels")
        if book is None or rels is None or book.file_size > 8 << 20 or rels.file_size > 8 << 20:
            return {}
        targets = {}
        for rel in ElementTree.fromstring(zf.read(rels)):
            target = rel.get("Target") or ""
            path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
            targets[rel.get("Id")] = _normalise(path)
        out = {}
        for el in ElementTree.fromstring(zf.read(book)).iter():
            if el.tag.endswith("}sheet") or el.tag == "sheet":
                rid = el.get(f"{{{_REL_NS}}}id")
                if el.get("name") is not None and rid in targets:
                    out[el.get("name")] = targets[rid]
        return out
    except (ElementTree.ParseError, KeyError, ValueError, OSError, zipfile.BadZipFile, RuntimeError):
        return {}


def _normalise(path: str) -> str:
    parts: list[str] = []
    for part in path.split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


_COUNT_ATTR = re.compile(rb'\b(?:count|uniqueCount)\s*=\s*["\']\s*([0-9]+)')


def check_declared_counts(zf: zipfile.ZipFile) -> None:
    """Refuse (:class:`TooLarge`) shared-string and style tables that declare more entries
    than their XML can hold: calamine reserves memory for the declared count up front
    (``uniqueCount="4000000000"`` asks for 96 GB)."""
    for info in zf.infolist():
        name = info.filename.lower()
        if not (name.startswith("xl/") and name.endswith((".xml",)) and ("sharedstrings" in name or "styles" in name)):
            continue
        with zf.open(info) as fh:
            head = fh.read(8 << 20)
        # The smallest entry (<si/>, <xf/>) is 5 bytes.
        fits = max(len(head), info.file_size) // 5 + 16
        for m in _COUNT_ATTR.finditer(head):
            if int(m.group(1)) > fits:
                raise TooLarge(f"{info.filename} 声明了{int(m.group(1)):,}个条目，与其内容不符")


def scan_sheet(zf: zipfile.ZipFile, entry: str) -> SheetScan:
    """Stream ``entry`` (a worksheet part) and return its used range and uncomputed formula
    cells; raises :class:`TooLarge` for a range beyond :data:`MAX_CELLS` or Excel's limits."""
    scan = SheetScan()
    prefix: bytes | None = None
    rows_seen = 0  # from <row r=…> tags and untagged rows
    extra_cols = 0  # cells without a reference take the next column in their row
    tail = b""
    with zf.open(entry) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            data = tail + chunk
            tail = b""
            if prefix is None:
                m = _ROOT.search(data, 0, 1 << 16)
                prefix = (m.group(1) or b"") if m else b""
            if chunk:  # keep an unfinished row (or tag) for the next block
                close = b"</" + prefix + b"row>"
                cut = data.rfind(close)
                cut = cut + len(close) if cut >= 0 else data.rfind(b"<")
                if cut > 0 and len(data) - cut < _MAX_TAIL:
                    data, tail = data[:cut], data[cut:]
            if not data:
                break
            rows_seen, extra_cols = _scan_block(scan, data, prefix, rows_seen, extra_cols)
            if not chunk:
                break
    scan.rows = max(scan.rows, rows_seen)
    scan.cols += extra_cols
    _check(scan)
    return scan


def _scan_block(scan: SheetScan, data: bytes, prefix: bytes, rows_seen: int, extra_cols: int) -> tuple[int, int]:
    """One block of whole rows: a few passes over the bytes, references read one by one
    only where one of them finds something out of the ordinary."""
    row_tag, odd_cell, formula = _patterns(prefix)
    # Rows ascend in a sheet as Excel writes it: the block's last row number is its largest.
    # (A reference beyond it, in any order, is what the check below finds.)
    last = data.rfind(b"<" + prefix + b"row")
    while last >= 0:
        m = row_tag.match(data, last)
        if m:
            rows_seen = max(rows_seen, int(m.group(1)))
            break
        last = data.rfind(b"<" + prefix + b"row", 0, last)
    cell = b"<" + prefix + b"c"
    unusual = odd_cell.search(data) is not None
    if unusual:
        # Cells that name no reference take the next column in their row, rows without a
        # number the next row: bound both by counting, row by row.
        row_open, row_close = b"<" + prefix + b"row", b"</" + prefix + b"row>"
        widest = 0
        for part in data.split(row_close):
            widest = max(widest, part.count(cell + b" ") + part.count(cell + b">") + part.count(cell + b"/"))
            if row_open in part:
                m = row_tag.search(part)
                rows_seen = max(rows_seen, int(m.group(1))) if m else rows_seen + 1
        extra_cols = max(extra_cols, widest)
    if rows_seen > EXCEL_ROWS:
        raise TooLarge(f"行号超过Excel的上限（{EXCEL_ROWS}行）")
    if unusual or _outside(max(rows_seen, scan.rows), scan.cols).search(data):
        for letters, number in _ANY_REF.findall(data):
            col = column_number(letters.decode())
            row = int(number)
            if col > scan.cols:
                scan.cols = col
            if row > scan.rows:
                scan.rows = row
        if scan.cols > EXCEL_COLS or scan.rows > EXCEL_ROWS:
            raise TooLarge(f"单元格位置超出Excel的上限（{EXCEL_ROWS}行、{EXCEL_COLS}列）")
    _check(SheetScan(max(scan.rows, rows_seen), scan.cols + extra_cols))
    if data.find(b"<" + prefix + b"f") >= 0:
        for m in formula.finditer(data):
            attrs, value = m.group(1), m.group(3)
            ref = _ANY_REF.search(attrs)
            # No result saved: no <v>, or an empty one that is not an empty text result.
            if ref is None or m.group(4) is not None or value or (value is not None and _TEXT_RESULT.search(attrs)):
                continue
            text = html.unescape(m.group(2).decode("utf-8", "replace")) if m.group(2) else ""
            scan.uncomputed.append((int(ref.group(2)) - 1, column_number(ref.group(1).decode()) - 1, text))
    return rows_seen, extra_cols


def _check(scan: SheetScan) -> None:
    if scan.rows > MAX_ROWS:
        raise TooLarge(f"有内容或格式的行一直到第{scan.rows}行，超过一次能读取的{MAX_ROWS:,}行")
    if scan.rows * max(scan.cols, 1) > MAX_CELLS:
        raise TooLarge(
            f"有内容或格式的范围一直到第{scan.rows}行、第{scan.cols}列（{_column_letters(scan.cols)}列），"
            f"共约{scan.rows * max(scan.cols, 1):,}个单元格，超出一次能读取的范围（{MAX_CELLS:,}个）"
        )
