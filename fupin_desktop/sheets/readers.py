"""Any spreadsheet a county sends → rows of cell values plus merged ranges.

``open_workbook(path)`` recognises the format from the file's bytes (not its name):
.xlsx/.xlsm (zip), legacy .xls (OLE2), and text files (CSV or tab-separated, UTF-8 with or
without BOM, UTF-16 "Unicode text" from Excel, or GBK/GB18030 "ANSI" — detected). Encrypted
workbooks, empty files, HTML pages saved as ".xls", other zip/OLE documents and broken
files raise :class:`SheetReadError` (a ``UserError``) with a Chinese message saying what to
do; nothing else escapes for bad input.

``book.read(name)`` gives a :class:`SheetData`: ``rows[r][c]`` is the cell at Excel row
``r + 1``, column ``c + 1`` (absolute positions, leading blank rows and columns kept), with
Python values (``str``, ``int``/``float``, ``bool``, ``date``/``datetime``; blank is
``""`` or ``None``). ``merged`` lists merged ranges as 0-based inclusive
``(first_row, first_col, last_row, last_col)``. python-calamine does the reading (fast, and
it reports merged ranges for .xlsx and .xls). CSV cells are text; the ``="…"`` wrapper
exports use to keep Excel from eating digits is removed.
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fupin_desktop.errors import UserError

__all__ = [
    "MergedRange",
    "SheetData",
    "SheetReadError",
    "UNCOMPUTED_MESSAGE",
    "UncomputedFormula",
    "Workbook",
    "fill_merged",
    "is_blank",
    "open_workbook",
]

MergedRange = tuple[int, int, int, int]  # first_row, first_col, last_row, last_col (0-based)

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTED_MARKERS = (
    "EncryptionInfo".encode("utf-16-le"),
    "EncryptedPackage".encode("utf-16-le"),
)
_EXCEL_WRAPPED = re.compile(r'^="(.*)"$', re.S)
# What a web page saved with an .xls name starts with (Excel and many web systems write these).
_HTML_START = re.compile(r"<(?:!doctype\s+html|!--|html|head|meta|title|style|script|link|body|table|div|tr|td)\b")


class SheetReadError(UserError):
    """The file cannot be read as a spreadsheet; the message says why and what to do."""


UNCOMPUTED_MESSAGE = "公式没有计算结果，请在 Excel 中打开并保存后再导入"


@dataclass(frozen=True)
class UncomputedFormula:
    """A formula cell saved without its result (by a program, not by Excel): the value is
    unknown, so it is never read as blank; converting it is a row error
    (:data:`UNCOMPUTED_MESSAGE`). ``str()`` gives the formula as typed."""

    formula: str

    def __str__(self) -> str:
        return "=" + self.formula


def is_blank(value: Any) -> bool:
    """``None``, ``""`` or only whitespace."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return False


@dataclass
class SheetData:
    """One sheet's cells (absolute positions) and merged ranges."""

    name: str
    rows: list[list[Any]]
    merged: list[MergedRange] = field(default_factory=list)
    source: Path | None = None  # the file it was read from

    @property
    def height(self) -> int:
        return len(self.rows)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def cell(self, row: int, col: int) -> Any:
        if 0 <= row < len(self.rows):
            cells = self.rows[row]
            if 0 <= col < len(cells):
                return cells[col]
        return None

    def row_is_blank(self, row: int) -> bool:
        return all(is_blank(v) for v in self.rows[row]) if 0 <= row < len(self.rows) else True

    def last_nonblank_row(self) -> int:
        """Index of the last row with any value, or -1."""
        for r in range(len(self.rows) - 1, -1, -1):
            if not self.row_is_blank(r):
                return r
        return -1


def fill_merged(sheet: SheetData, first_row: int = 0) -> None:
    """Copy each merged range's top-left value into every cell of the range (in place).

    Household columns merged down over their member rows, and group headers merged across
    their sub-columns, then read like ordinary cells. Ranges above ``first_row`` are left.
    """
    rows = sheet.rows
    width = sheet.width
    for r0, c0, r1, c1 in sheet.merged:
        if r1 < first_row or r0 >= len(rows):
            continue
        c1 = min(c1, width - 1)  # a range reaching past the cells (A4:XFD1048576) stops at them
        value = sheet.cell(r0, c0)
        if is_blank(value):
            continue
        for r in range(max(r0, first_row), min(r1, len(rows) - 1) + 1):
            cells = rows[r]
            if len(cells) <= c1:
                cells.extend([""] * (c1 + 1 - len(cells)))
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0) and is_blank(cells[c]):
                    cells[c] = value


@dataclass
class Workbook:
    """An opened spreadsheet file. ``format`` is ``xlsx``, ``xls`` or ``csv``."""

    path: Path
    format: str
    sheet_names: list[str]
    encoding: str | None = None  # text files only
    _book: Any = None
    _text: str | None = None
    _scans: dict[str, Any] = field(default_factory=dict)  # .xlsx: sheet name → SheetScan

    def read(self, name: str | None = None, *, max_rows: int | None = None) -> SheetData:
        """Read one sheet (the first when ``name`` is None); ``max_rows`` reads only the top.

        Raises :class:`SheetReadError` for an unknown sheet name or a broken sheet.
        """
        if name is None:
            name = self.sheet_names[0]
        if name not in self.sheet_names:
            shown = "、".join(self.sheet_names)
            raise SheetReadError(f"文件中没有名为“{name}”的工作表。文件中的工作表：{shown}。")
        if self.format == "csv":
            sheet = _read_text_rows(self._text or "", name, max_rows)
            sheet.source = self.path
            return sheet
        scan = self._scan(name) if self.format == "xlsx" else None
        try:
            sheet = self._book.get_sheet_by_name(name)
            if max_rows is None:
                rows = sheet.to_python(skip_empty_area=False)
            else:
                rows = sheet.to_python(skip_empty_area=False, nrows=max_rows)
            merged_raw = sheet.merged_cell_ranges or []
        except Exception as exc:  # calamine raises its own error types for damaged sheets
            raise SheetReadError(
                f"工作表“{name}”已损坏，无法读取（{_short(exc)}）。"
                "请用Excel或WPS打开该文件，确认能正常显示后另存为.xlsx再导入。"
            ) from exc
        merged = [(a[0], a[1], b[0], b[1]) for a, b in merged_raw]
        # to_python() already gives a fresh list of lists: keep it rather than copying the
        # whole grid (a second copy of a 50 000-row sheet costs ~40 MB at the peak).
        if type(rows) is not list or not all(type(r) is list for r in rows):
            rows = [list(r) for r in rows]
        if scan is not None and scan.uncomputed:
            _mark_uncomputed(rows, scan.uncomputed, max_rows)
        return SheetData(name, rows, merged, source=self.path)

    def _scan(self, name: str) -> Any:
        """Bound the sheet before calamine reads it (see sheets.xlsx_scan); once per sheet."""
        from fupin_desktop.sheets import xlsx_scan

        scan = self._scans.get(name)
        if scan is not None:
            return scan
        try:
            with zipfile.ZipFile(self.path) as zf:
                entry = xlsx_scan.sheet_parts(zf).get(name)
                entries = [entry] if entry else [
                    n for n in zf.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
                scans = [xlsx_scan.scan_sheet(zf, e) for e in entries]
        except xlsx_scan.TooLarge as exc:
            raise SheetReadError(
                f"工作表“{name}”太大，无法读取：{exc}。可能是表格下方或右侧远处有零星的内容。"
                "请在Excel中删除多余的行和列（或只把需要的部分复制到新工作簿）后保存，再导入。"
            ) from None
        except Exception as exc:  # noqa: BLE001 - zip/zlib/XML damage: calamine would fail too
            raise SheetReadError(
                f"工作表“{name}”已损坏，无法读取（{_short(exc)}）。"
                "请用Excel或WPS打开该文件，确认能正常显示后另存为.xlsx再导入。"
            ) from exc
        scan = scans[0] if entry and scans else xlsx_scan.SheetScan()
        self._scans[name] = scan
        return scan

    def close(self) -> None:
        if self._book is not None:
            try:
                self._book.close()
            except Exception:  # noqa: BLE001 - closing a reader never matters to the user
                pass
            self._book = None

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _mark_uncomputed(rows: list[list[Any]], cells: Sequence[tuple[int, int, str]], max_rows: int | None) -> None:
    for r, c, formula in cells:
        if max_rows is not None and r >= max_rows:
            continue
        while len(rows) <= r:
            rows.append([])
        row = rows[r]
        if len(row) <= c:
            row.extend([""] * (c + 1 - len(row)))
        row[c] = UncomputedFormula(formula)


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


def open_workbook(path: str | os.PathLike[str]) -> Workbook:
    """Open a spreadsheet of any supported kind; see the module docstring.

    Raises :class:`SheetReadError` with a Chinese message for a missing, unreadable, empty,
    encrypted, damaged or unsupported file.
    """
    p = Path(path)
    try:
        with p.open("rb") as fh:
            head = fh.read(65536)
            size = os.fstat(fh.fileno()).st_size
    except FileNotFoundError:
        raise SheetReadError(f"找不到文件：{p}。请确认文件路径。") from None
    except IsADirectoryError:
        raise SheetReadError(f"“{p}”是文件夹，不是表格文件。") from None
    except PermissionError:
        raise SheetReadError(
            f"无法读取文件：{p}（没有权限，或文件正被其他程序独占打开）。请关闭Excel/WPS后重试。"
        ) from None
    except OSError as exc:
        raise SheetReadError(f"无法读取文件：{p}（{exc.strerror or exc}）。") from None
    if size == 0:
        raise SheetReadError(f"文件“{p.name}”是空的（0字节），没有可导入的内容。请重新导出或复制该文件。")
    if head.startswith(_ZIP_MAGIC):
        return _open_zip(p)
    if head.startswith(_OLE_MAGIC):
        if any(marker in head for marker in _ENCRYPTED_MARKERS) or _ole_encrypted(p):
            raise _encrypted(p)
        return _open_calamine(p, "xls")
    return _open_text(p)


def _encrypted(p: Path) -> SheetReadError:
    return SheetReadError(
        f"文件“{p.name}”设置了打开密码（已加密），无法读取。"
        "请在Excel中打开它，在“文件→信息→保护工作簿→用密码进行加密”中清除密码并保存后再导入。"
    )


def _ole_encrypted(p: Path) -> bool:
    # The directory of an OLE2 file may sit beyond the first 64 KiB.
    try:
        with p.open("rb") as fh:
            data = fh.read(4 * 1024 * 1024)
    except OSError:
        return False
    return any(marker in data for marker in _ENCRYPTED_MARKERS)


def _open_zip(p: Path) -> Workbook:
    try:
        with zipfile.ZipFile(p) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise SheetReadError(
            f"文件“{p.name}”已损坏（压缩包结构不完整），无法读取。"
            "可能是下载或复制未完成，请重新获取该文件；如能用Excel打开，请另存为新文件后再导入。"
        ) from None
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        kind = "Word文档" if "word/document.xml" in names else (
            "演示文稿" if "ppt/presentation.xml" in names else (
                "WPS/OpenDocument表格" if "content.xml" in names else "压缩包"))
        hint = "请在WPS或Excel中另存为.xlsx后再导入。" if kind.startswith("WPS") else \
            "请选择.xlsx、.xls或.csv格式的表格文件。"
        raise SheetReadError(f"文件“{p.name}”是{kind}，不是Excel表格。{hint}")
    if "xl/workbook.bin" in names:
        raise SheetReadError(
            f"文件“{p.name}”是Excel二进制工作簿（.xlsb），请在Excel中另存为.xlsx后再导入。"
        )
    _check_declared_counts(p)
    return _open_calamine(p, "xlsx")


def _check_declared_counts(p: Path) -> None:
    from fupin_desktop.sheets import xlsx_scan

    try:
        with zipfile.ZipFile(p) as zf:
            xlsx_scan.check_declared_counts(zf)
    except xlsx_scan.TooLarge as exc:
        raise SheetReadError(
            f"文件“{p.name}”已损坏（{exc}），无法读取。请用Excel或WPS打开，确认能正常显示后另存为.xlsx再导入。"
        ) from None
    except Exception:  # noqa: BLE001 - a damaged part: calamine reports it in its own words
        pass


def _open_calamine(p: Path, fmt: str) -> Workbook:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(p))
        names = list(book.sheet_names)
    except Exception as exc:
        text = str(exc).lower()
        if "password" in text or "encrypt" in text:
            raise _encrypted(p) from exc
        what = "Excel 97-2003 工作簿（.xls）" if fmt == "xls" else "Excel工作簿（.xlsx）"
        raise SheetReadError(
            f"文件“{p.name}”看起来是{what}，但内容已损坏，无法读取（{_short(exc)}）。"
            "请用Excel或WPS打开，确认能正常显示后另存为.xlsx再导入。"
        ) from exc
    if not names:
        raise SheetReadError(f"文件“{p.name}”里没有任何工作表。")
    return Workbook(p, fmt, names, _book=book)


# --------------------------------------------------------------------------- text files


def _decode(p: Path, data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    if b"\x00" in data[:4096]:
        raise SheetReadError(
            f"文件“{p.name}”不是可识别的表格文件（既不是Excel，也不是CSV文本）。"
            "请选择.xlsx、.xls或.csv格式的文件。"
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gbk"
    except UnicodeDecodeError:
        raise SheetReadError(
            f"文件“{p.name}”的文字编码无法识别（不是UTF-8，也不是GBK）。"
            "请用Excel打开后另存为“CSV UTF-8”或.xlsx再导入。"
        ) from None


def _open_text(p: Path) -> Workbook:
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise SheetReadError(f"无法读取文件：{p}（{exc.strerror or exc}）。") from None
    text, encoding = _decode(p, data)
    sample = text[:4096].lstrip("\ufeff \t\r\n").lower()
    if _HTML_START.match(sample) or (sample.startswith("<?xml") and "<html" in sample):
        raise SheetReadError(
            f"文件“{p.name}”：这是网页文件（HTML）另存的 .xls，请在 Excel 中打开后另存为 .xlsx 再导入。"
        )
    if sample.startswith("<?xml"):
        raise SheetReadError(
            f"文件“{p.name}”实际上是网页（HTML/XML）格式，只是扩展名像表格。"
            "请用Excel打开它，再“另存为”Excel工作簿（.xlsx）后导入。"
        )
    if not text.strip():
        raise SheetReadError(f"文件“{p.name}”里没有任何内容。")
    control = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\r\n\t")
    if control > 8:
        raise SheetReadError(
            f"文件“{p.name}”不是可识别的表格文件（既不是Excel，也不是CSV文本）。"
            "请选择.xlsx、.xls或.csv格式的文件。"
        )
    return Workbook(p, "csv", [p.stem or "Sheet1"], encoding=encoding, _text=text)


def _delimiter(text: str) -> str:
    lines = text[:20000].splitlines()[:30]
    best, best_score = ",", -1
    for delim in (",", "\t", ";", "|"):
        counts = [line.count(delim) for line in lines if line.strip()]
        score = sum(counts)
        if score > best_score:
            best, best_score = delim, score
    return best


def _unwrap(value: str) -> str:
    m = _EXCEL_WRAPPED.match(value)
    return m.group(1) if m else value


def _read_text_rows(text: str, name: str, max_rows: int | None) -> SheetData:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows: list[list[Any]] = []
    try:
        for record in reader:
            rows.append([_unwrap(v) if v.startswith("=") else v for v in record])
            if max_rows is not None and len(rows) >= max_rows:
                break
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise _field_too_long(text, name, len(rows)) from None
        raise SheetReadError(
            f"CSV文件第{reader.line_num}行格式有误（{exc}），通常是引号没有成对。"
            "请用Excel打开该文件检查这一行，另存为.xlsx后再导入。"
        ) from None
    return SheetData(name, rows, [])


def _field_too_long(text: str, name: str, record: int) -> SheetReadError:
    """The message for a CSV field over the csv module's limit: which row and column (the
    row is the record as Excel numbers it; a quoted field may span several lines)."""
    limit = csv.field_size_limit()
    col = 0
    csv.field_size_limit(max(limit, len(text) + 1))
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
        for i, fields in enumerate(reader):
            if i == record:
                col = next((c for c, v in enumerate(fields) if len(v) > limit), 0)
                break
    except csv.Error:
        pass
    finally:
        csv.field_size_limit(limit)
    return SheetReadError(
        f"CSV文件“{name}”第{record + 1}行第{col + 1}列的内容过长（超过{limit}个字符），不是正常的表格数据。"
        "请用Excel打开检查这一格，删去多余内容后另存为.xlsx再导入。"
    )


def iter_rows(sheet: SheetData, start: int = 0) -> Iterator[tuple[int, Sequence[Any]]]:
    """``(row_index, cells)`` from ``start`` to the last row."""
    for r in range(start, len(sheet.rows)):
        yield r, sheet.rows[r]
