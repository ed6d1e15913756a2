"""The error report: a copy of the clerk's own sheet with every bad cell highlighted and an
added 错误说明 column, so they fix it in Excel and import the same file again.

``write_error_report(sheet, header, issues, path)`` writes every row of ``sheet`` (title
rows, header, data, merged ranges) to a new .xlsx; cells named by an :class:`Issue` get a
red fill, the row's messages are joined in the added column, and rows with a problem get a
light fill in that column. Values are written as they were read (an ID kept as text stays
text). Written with openpyxl's write-only mode into a temporary file that replaces
``path`` at the end, so a failure never leaves half a report.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from fupin_desktop.errors import UserError
from fupin_desktop.sheets.headers import HeaderBlock, column_letter
from fupin_desktop.sheets.readers import SheetData
from fupin_desktop.sheets.text_cells import text_cell, text_row

__all__ = ["ERROR_COLUMN_TITLE", "Issue", "atomic_save", "check_report_target", "write_error_report"]

ERROR_COLUMN_TITLE = "错误说明"
_BAD_FILL = "FFC7CE"
_NOTE_FILL = "FFF2CC"


@dataclass(frozen=True)
class Issue:
    """One problem on a sheet row (0-based); ``col`` None = the row as a whole."""

    row: int
    col: int | None
    message: str
    severity: str = "error"  # error / warning / note


def check_report_target(target: str | os.PathLike[str], source: str | os.PathLike[str] | None) -> None:
    """Refuse (``UserError``) an error report that would replace ``source``, the file being
    imported: the same file under another spelling (``..``, a link, case on Windows) too."""
    if source is None:
        return
    a, b = Path(target), Path(source)
    try:
        same = a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        same = False
    if same:
        raise UserError(
            f"错误报告不能写到要导入的文件本身（{b.name}），否则原表会被覆盖。请给错误报告另起一个文件名。"
        )


def atomic_save(workbook, path: str | os.PathLike[str]) -> Path:
    """Save an openpyxl workbook to ``path`` through a temporary file in the same folder.

    Raises ``UserError`` when the file is open in Excel/WPS or the folder is not writable.
    """
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise UserError(f"导出文件应以 .xlsx 结尾：{target.name}")
    if not target.parent.exists():
        raise UserError(f"保存位置不存在：{target.parent}，请换一个文件夹。")
    tmp = target.with_name(f".~{target.stem}.{os.getpid()}.tmp.xlsx")
    try:
        workbook.save(tmp)
        os.replace(tmp, target)
    except PermissionError:
        _remove(tmp)
        raise UserError(
            f"无法写入“{target}”：文件可能正在Excel或WPS中打开，或没有写入权限。请关闭该文件或换一个位置后重试。"
        ) from None
    except OSError as exc:
        _remove(tmp)
        raise UserError(f"无法写入“{target}”：{exc.strerror or exc}。") from None
    except BaseException:
        _remove(tmp)
        raise
    return target


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def _cell_value(value):
    # openpyxl refuses timedelta-like and tz-aware values; write them as text.
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.isoformat(" ")
    if isinstance(value, (str, int, float, bool, dt.date, dt.datetime)):
        return value
    return str(value)


def write_error_report(
    sheet: SheetData,
    header: HeaderBlock,
    issues: Iterable[Issue],
    path: str | os.PathLike[str],
) -> Path:
    """Write the report (see module docstring); returns the path written. Refuses to
    replace the file the sheet was read from."""
    check_report_target(path, sheet.source)
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    by_row: dict[int, list[Issue]] = {}
    for issue in issues:
        by_row.setdefault(issue.row, []).append(issue)

    width = max(sheet.width, max((c.index for c in header.columns), default=-1) + 1)
    note_col = width  # the added column
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=(sheet.name or "Sheet1")[:31])
    bad = PatternFill("solid", fgColor=_BAD_FILL)
    note_fill = PatternFill("solid", fgColor=_NOTE_FILL)
    bold = Font(bold=True)
    red = Font(color="9C0006")
    wrap = Alignment(wrap_text=True, vertical="top")

    for c in range(width):
        ws.column_dimensions[column_letter(c)].width = 14
    ws.column_dimensions[column_letter(note_col)].width = 60
    ws.freeze_panes = f"A{header.data_start + 1}"

    header_rows = range(header.first_row, header.data_start)
    for r, cells in enumerate(sheet.rows):
        row_issues = by_row.get(r, [])
        bad_cols = {i.col for i in row_issues if i.col is not None and i.severity == "error"}
        out: list = []
        for c in range(width):
            value = _cell_value(cells[c]) if c < len(cells) else None
            if c in bad_cols:
                cell = text_cell(ws, value)
                cell.fill = bad
                out.append(cell)
            else:
                out.append(value)
        if r == header.first_row:
            cell = text_cell(ws, ERROR_COLUMN_TITLE)
            cell.font = bold
            cell.fill = note_fill
            out.append(cell)
        elif row_issues and r not in header_rows:
            text = "；".join(dict.fromkeys(i.message for i in row_issues))
            cell = text_cell(ws, text)
            cell.alignment = wrap
            if any(i.severity == "error" for i in row_issues):
                cell.font = red
            cell.fill = note_fill
            out.append(cell)
        ws.append(text_row(ws, out))
    for r0, c0, r1, c1 in sheet.merged:
        if r0 == r1 and c0 == c1:
            continue
        ws.merged_cells.add(f"{column_letter(c0)}{r0 + 1}:{column_letter(c1)}{r1 + 1}")
    if header.height > 1:
        a = f"{column_letter(note_col)}{header.first_row + 1}"
        b = f"{column_letter(note_col)}{header.data_start}"
        ws.merged_cells.add(f"{a}:{b}")
    return atomic_save(wb, path)
