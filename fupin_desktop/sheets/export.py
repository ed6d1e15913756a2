"""Writing a table to .xlsx that Excel will not mangle.

``write_table(path, columns, rows)`` writes one header row (bold, frozen, autofilter) and
the rows, with openpyxl's write-only mode (streaming: memory stays flat however many rows).
Columns of kind ``id``/``digits``/``text``/``code`` are written as text and their column
carries the text number format ``@`` so what a clerk types there later stays text too; an
18-digit ID can never turn into ``4.30524E+17``. Widths follow the header and a sample of
values (CJK characters count double). Optional title rows go above the header. The file is
written to a temporary name and moved into place, so a cancelled or failed export leaves
no half file (``UserError`` when the target is open in Excel).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from fupin_desktop.errors import UserError
from fupin_desktop.sheets.error_report import atomic_save
from fupin_desktop.sheets.headers import column_letter
from fupin_desktop.sheets.text_cells import text_cell, text_row

__all__ = ["ExportColumn", "display_width", "write_table"]

TEXT_KINDS = frozenset({"text", "id", "digits", "code"})
ProgressFn = Callable[[int, int, str], None]
CancelFn = Callable[[], bool]


@dataclass(frozen=True)
class ExportColumn:
    header: str
    kind: str = "text"  # text / id / digits / code / bool / int / year / decimal / date / month
    width: float | None = None  # characters; None = from header and values


def _discard(ws: Any) -> None:
    """Finish a write-only sheet's temporary file so nothing is left open (the workbook
    itself is never saved)."""
    try:
        ws.close()
    except Exception:  # noqa: BLE001 - the sheet is being thrown away
        pass


def display_width(text: str) -> int:
    """Width in 'character cells': CJK and full-width characters count two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _excel_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Decimal):
        # Amounts keep exactly two decimals' worth of precision as a number Excel can sum.
        return float(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def write_table(
    path: str | os.PathLike[str],
    columns: Sequence[ExportColumn],
    rows: Iterable[Sequence[Any]],
    *,
    sheet_title: str = "Sheet1",
    title_rows: Sequence[str] = (),
    total: int = 0,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
    sample_rows: int = 200,
) -> int:
    """Write ``rows`` (sequences in ``columns`` order) to ``path``; returns the row count.

    ``progress(done, total, text)`` is called every 2 000 rows; ``cancel()`` is checked as
    often and stops with ``UserError`` (no file is written). Values: ``bool`` → 是/否,
    ``Decimal`` → number, ``date`` → date cell, text kinds → text.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise UserError(f"导出文件应以 .xlsx 结尾：{target.name}")
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=sheet_title[:31] or "Sheet1")

    rows_iter = iter(rows)
    sample: list[Sequence[Any]] = []
    for row in rows_iter:
        sample.append(row)
        if len(sample) >= sample_rows:
            break
    for i, col in enumerate(columns):
        letter = column_letter(i)
        width = col.width
        if width is None:
            longest = display_width(col.header)
            for row in sample:
                v = row[i]
                if v is not None:
                    longest = max(longest, display_width(str(_excel_value(v))))
            width = min(max(longest + 2, 6), 40)
        dim = ws.column_dimensions[letter]
        dim.width = width
        if col.kind in TEXT_KINDS:
            dim.number_format = "@"
        elif col.kind == "date":
            dim.number_format = "yyyy-mm-dd"
        elif col.kind == "decimal":
            dim.number_format = "#,##0.00"

    n_title = len(title_rows)
    ws.freeze_panes = f"A{n_title + 2}"
    for text in title_rows:
        cell = text_cell(ws, text)
        cell.font = Font(bold=True, size=14 if text is title_rows[0] else 11)
        ws.append([cell])
    if columns:
        for r in range(n_title):
            ws.merged_cells.add(f"A{r + 1}:{column_letter(len(columns) - 1)}{r + 1}")
    head_font = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    head_align = Alignment(horizontal="center", vertical="center", wrap_text=True)
    header_cells = []
    for col in columns:
        cell = text_cell(ws, col.header)
        cell.font = head_font
        cell.fill = head_fill
        cell.alignment = head_align
        header_cells.append(cell)
    ws.append(header_cells)

    date_cols = [i for i, c in enumerate(columns) if c.kind == "date"]
    convert_cols = [i for i, c in enumerate(columns) if c.kind in ("bool", "decimal")]
    text_cols = [i for i, c in enumerate(columns) if c.kind in TEXT_KINDS]
    count = 0
    append = ws.append

    def emit(row: Sequence[Any]) -> None:
        values = list(row)
        for i in convert_cols:
            v = values[i]
            if v is not None:
                values[i] = _excel_value(v)
        for i in text_cols:
            v = values[i]
            if v is not None and not isinstance(v, str):
                values[i] = str(v)
        for i in date_cols:
            v = values[i]
            if isinstance(v, dt.datetime):
                values[i] = v.date()
        append(text_row(ws, values))

    try:
        for row in sample:
            emit(row)
            count += 1
        for row in rows_iter:
            emit(row)
            count += 1
            if count % 2000 == 0:
                if cancel is not None and cancel():
                    raise UserError("已取消导出，没有生成文件。")
                if progress is not None:
                    progress(count, total, "正在写入表格…")
    except BaseException:
        _discard(ws)
        raise
    if columns:
        last = column_letter(len(columns) - 1)
        ws.auto_filter.ref = f"A{n_title + 1}:{last}{n_title + 1 + count}"
    if cancel is not None and cancel():
        _discard(ws)
        raise UserError("已取消导出，没有生成文件。")
    if progress is not None:
        progress(count, total, "正在保存文件…")
    atomic_save(wb, target)
    return count
