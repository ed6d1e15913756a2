"""The report as a county-layout .xlsx and as a PDF for signing (DOMAIN §12.2, §13.7).

xlsx: title row, 填报单位/统计期/单位 row, three merged header rows with the units inside
the header texts, one row per region (total first), the formulas as a note, then the
填报人/审核人/联系电话/填报日期 block. Counts and amounts are numbers, rates percentages.
"""

from __future__ import annotations

import datetime as dt
import os
from copy import copy
from pathlib import Path
from typing import Any

from fupin_desktop.errors import UserError
from fupin_desktop.services.reports import columns as C
from fupin_desktop.services.reports.report import KIND_YEARLY, LEVEL_OWN, Report

NOTES = ("注：开工率＝已开工项目数÷年度计划项目数；完工率＝已完工项目数÷年度计划项目数；"
         "拨付率＝已拨付资金÷已下达资金；支出进度＝已支出（报账）资金÷已下达资金；"
         "监测对象含风险已消除户；人数为期末在户人口；返贫/致贫为本期登记返贫的户；"
         "医保参保率＝脱贫户和监测户期末人口中参加城乡居民医保或城镇职工医保的人数÷期末人口（参保情况按现登记）。")
FIRST_DATA_ROW = 3 + C.HEADER_ROWS  # title, unit row, header rows


def _period_text(report: Report) -> str:
    if report.kind == KIND_YEARLY:
        return f"{report.period}年"
    return f"{report.period[:4]}年{int(report.period[5:])}月"


def _fill_date(report: Report) -> dt.date:
    return report.submitted_at.date() if report.submitted_at else dt.date.today()


def _body(report: Report) -> list[tuple[str, dict[str, Any], bool]]:
    """(name, figures, is a total/subtotal) per printed row, the total first."""
    out = [(f"{report.region_name}合计", report.total, True)]
    for row in report.rows:
        indent = "" if row.level in ("township", LEVEL_OWN) or report.region_level == "township" else "　"
        out.append((indent + row.name, row.figures, row.level == "township"))
    return out


def _signatures(report: Report, filled_by: str, reviewed_by: str, phone: str) -> list[str]:
    return [f"填报人：{filled_by}", f"审核人：{reviewed_by}", f"联系电话：{phone}",
            f"填报日期：{_fill_date(report):%Y年%m月%d日}"]


def write_report_xlsx(report: Report, path: str | os.PathLike[str], *, filled_by: str = "",
                      reviewed_by: str = "", phone: str = "") -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    from fupin_desktop.sheets.error_report import atomic_save
    from fupin_desktop.sheets.export import display_width

    cols = C.columns(report.kind == KIND_YEARLY)
    last = len(cols) + 1
    wb = Workbook()
    ws = wb.active
    ws.title = "月报表" if report.kind != KIND_YEARLY else "年报表"
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    letter = get_column_letter

    ws.cell(1, 1, report.title).font = Font(bold=True, size=16)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
    ws.row_dimensions[1].height = 32
    half = max(2, last // 2)
    ws.cell(2, 1, f"填报单位（盖章）：{report.region_name}")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=half)
    ws.cell(2, half + 1, f"统计期：{_period_text(report)}　　{C.UNIT_TEXT}").alignment = \
        Alignment(horizontal="right")
    ws.merge_cells(start_row=2, start_column=half + 1, end_row=2, end_column=last)

    head_fill = PatternFill("solid", fgColor="F2F2F2")
    for r in range(3, 3 + C.HEADER_ROWS):
        for c in range(1, last + 1):
            cell = ws.cell(r, c)
            cell.border, cell.alignment, cell.fill = border, center, head_fill
            cell.font = Font(bold=True, size=10)
    for h in C.header_cells(cols):
        ws.cell(3 + h.row, 1 + h.col, h.text)
        if (h.col, h.row) != (h.last_col, h.last_row):
            ws.merge_cells(start_row=3 + h.row, start_column=1 + h.col,
                           end_row=3 + h.last_row, end_column=1 + h.last_col)
    ws.row_dimensions[3 + C.HEADER_ROWS - 1].height = 42

    # One styled template cell per (kind, total row); data cells copy its style array
    # (setting border, font and format per cell would cost most of the write).
    formats = {C.COUNT: "0", C.MONEY: "#,##0.00", C.RATE: "0.0%", "name": "General"}
    total_fill = PatternFill("solid", fgColor="FAFAFA")
    templates = {}
    scratch = wb.create_sheet("styles")  # removed below: the styles stay in the workbook
    for n, (kind, fmt) in enumerate(formats.items()):
        for total in (False, True):
            tpl = scratch.cell(1 + n, 1 + total)
            tpl.border, tpl.number_format = border, fmt
            if total:
                tpl.font, tpl.fill = Font(bold=True), total_fill
            templates[kind, total] = tpl._style
    widths = [max(8, *(display_width(t) + 2 for t in C.unit_on_own_line(c.leaf).split("\n")))
              for c in cols]
    money_cols = [i for i, c in enumerate(cols) if c.kind == C.MONEY]
    name_width = 14
    r = FIRST_DATA_ROW
    for name, figures, total in _body(report):
        cell = ws.cell(r, 1, name)
        cell._style = copy(templates["name", total])
        name_width = max(name_width, display_width(name) + 2)
        for i, col in enumerate(cols):
            v = C.value(figures, col)
            if v is not None and col.kind == C.MONEY:
                v = float(v)
            cell = ws.cell(r, i + 2, v)
            cell._style = copy(templates[col.kind, total])
        for i in money_cols:
            widths[i] = max(widths[i], len(f"{C.value(figures, cols[i]):,.2f}") + 2)
        r += 1
    wb.remove(scratch)
    ws.column_dimensions["A"].width = name_width
    for i, w in enumerate(widths):
        ws.column_dimensions[letter(i + 2)].width = w

    ws.cell(r, 1, NOTES).alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=last)
    ws.row_dimensions[r].height = 30
    r += 2
    ws.cell(r, 1, f"填报单位（盖章）：{report.region_name}")
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=half)
    r += 1
    signatures = _signatures(report, filled_by, reviewed_by, phone)
    step = max(1, last // len(signatures))
    for i, text in enumerate(signatures):
        first_col = 1 + i * step
        end_col = last if i == len(signatures) - 1 else first_col + step - 1
        ws.cell(r, first_col, text)
        if end_col > first_col:
            ws.merge_cells(start_row=r, start_column=first_col, end_row=r, end_column=end_col)

    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 2)
    ws.print_title_rows = f"3:{2 + C.HEADER_ROWS}"
    ws.print_title_cols = "A:A"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A3
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    return atomic_save(wb, path)


def print_data(report: Report, *, filled_by: str = "", reviewed_by: str = "",
               phone: str = "") -> Any:
    """The report as the texts printing/report.py lays out."""
    from fupin_desktop.printing.report import ReportPrint

    cols = C.columns(report.kind == KIND_YEARLY)
    rows = [([name, *(C.text(C.value(fig, c), c.kind) for c in cols)], total)
            for name, fig, total in _body(report)]
    return ReportPrint(
        title=report.title,
        unit_left=f"填报单位（盖章）：{report.region_name}",
        unit_right=f"统计期：{_period_text(report)}　{C.UNIT_TEXT}",
        header=[(h.text, h.col, h.row, h.last_col, h.last_row) for h in C.header_cells(cols)],
        groups=C.group_ranges(cols),
        align=["r"] * len(cols),
        rows=rows,
        notes=NOTES,
        signatures=_signatures(report, filled_by, reviewed_by, phone),
    )


def write_report_pdf(report: Report, path: str | os.PathLike[str], *, filled_by: str = "",
                     reviewed_by: str = "", phone: str = "") -> Path:
    from fupin_desktop.printing.report import write_pdf
    from fupin_desktop.services.printing import _temp_beside

    out = Path(path)
    if out.suffix.lower() != ".pdf":
        raise UserError(f"PDF 文件应以 .pdf 结尾：{out.name}")
    data = print_data(report, filled_by=filled_by, reviewed_by=reviewed_by, phone=phone)
    tmp = _temp_beside(out)
    try:
        write_pdf(data, tmp)
        os.replace(tmp, out)
    except OSError as err:
        raise UserError(f"无法写入文件 {out}：{err.strerror or err}。请换一个保存位置。") from err
    finally:
        tmp.unlink(missing_ok=True)
    return out
