"""月报/年报 for signing: landscape A4, the table split by column groups into parts that fit
the page width (each part repeats the name column, its merged header on every page, and
the signature block), fed prepared texts (DOMAIN §13.7)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, PageBreak, Spacer, Table, TableStyle

from fupin_desktop.printing.fonts import font_chain
from fupin_desktop.printing.layout import (
    A4_LANDSCAPE,
    FormDocument,
    grid_table,
    para,
    record,
    styles,
)

MARGIN = 12 * mm
NAME_WIDTH = 26 * mm
MIN_COLUMN = 10 * mm
SUBTOTAL_FILL = colors.Color(0.96, 0.96, 0.96)


@dataclass
class ReportPrint:
    """Everything the printed report shows, as texts.

    ``header``: (text, col, row, last_col, last_row) merged cells over three header rows;
    column 0 is the name column, leaf columns are 1..n. ``groups``: (first, last) leaf
    columns of each column group, the units a page part is made of. ``rows``: the cells
    of each body row (name first) and whether it is a total/subtotal row."""

    title: str
    unit_left: str
    unit_right: str
    header: list[tuple[str, int, int, int, int]]
    groups: list[tuple[int, int]]
    align: list[str]  # per leaf column: "l", "c", "r" (the name column is "l")
    rows: list[tuple[list[str], bool]]
    notes: str = ""
    signatures: list[str] = field(default_factory=list)


def _column_widths(data: ReportPrint, n: int) -> list[float]:
    st = styles()
    font, size = st.cell.fontName, st.cell.fontSize
    widths = [MIN_COLUMN] * (n + 1)
    for cells, _total in data.rows:
        for i, text in enumerate(cells[1:], 1):
            widths[i] = max(widths[i], stringWidth(text, font, size) + 8)
    for text, col, _row, last_col, _last_row in data.header:
        if col == last_col and col > 0:  # one leaf: its unit goes on a line of its own
            lines = text.split("\n")
            widths[col] = max(widths[col], *(min(stringWidth(t, font, size), 4 * size) + 8
                                              for t in lines))
    widths[0] = NAME_WIDTH
    return widths


def _parts(data: ReportPrint, widths: list[float], available: float) -> list[list[int]]:
    """Leaf columns of each page part: whole column groups, greedily, as many as fit."""
    parts: list[list[int]] = []
    used = 0.0
    for first, last in data.groups:
        cols = list(range(first, last + 1))
        need = sum(widths[c] for c in cols)
        if parts and used + need <= available - widths[0]:
            parts[-1] += cols
            used += need
        else:
            parts.append(cols)
            used = need
    return parts


def _part_table(data: ReportPrint, cols: list[int], widths: list[float]) -> Table:
    position = {c: i + 1 for i, c in enumerate(cols)}
    position[0] = 0
    header = [[""] * (len(cols) + 1) for _ in range(3)]
    spans: list[tuple] = []
    for text, col, row, last_col, last_row in data.header:
        inside = [c for c in range(col, last_col + 1) if c in position]
        if not inside:
            continue
        a, b = position[inside[0]], position[inside[-1]]
        header[row][a] = text
        if (a, row) != (b, last_row):
            spans.append(("SPAN", (a, row), (b, last_row)))
    body = [[cells[0], *(cells[c] for c in cols)] for cells, _total in data.rows]
    style = list(spans)
    for r, (_cells, total) in enumerate(data.rows, 3):
        if total:
            style.append(("BACKGROUND", (0, r), (-1, r), SUBTOTAL_FILL))
    return grid_table(header, body, [widths[0], *(widths[c] for c in cols)],
                      align=["l", *(data.align[c - 1] for c in cols)], extra_style=style)


def _signatures(data: ReportPrint, width: float) -> Table:
    st = styles()
    cells = [para(text, st.body) for text in data.signatures]
    table = Table([cells], colWidths=[width / max(1, len(cells))] * len(cells),
                  rowHeights=[11 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 2)]))
    return table


def story(data: ReportPrint, width: float) -> list[Flowable]:
    st = styles()
    widths = _column_widths(data, max(c for _t, _c, _r, c, _lr in data.header))
    parts = _parts(data, widths, width)
    body: list[Flowable] = []
    for i, cols in enumerate(parts, 1):
        if i > 1:
            body.append(PageBreak())
        suffix = f"（第 {i} 部分，共 {len(parts)} 部分）" if len(parts) > 1 else ""
        table_width = widths[0] + sum(widths[c] for c in cols)
        body += [
            para(data.title + suffix, st.subtitle.clone("report_title", fontSize=15, leading=21)),
            _unit_line(data, max(table_width, width * 0.75)),
            Spacer(1, 1.5 * mm),
            _part_table(data, cols, widths),
        ]
        if data.notes:
            body += [Spacer(1, 1.5 * mm), para(data.notes, st.note)]
        body.append(_signatures(data, width))
    return record(data.title, data.unit_right, body)


def _unit_line(data: ReportPrint, width: float) -> Table:
    st = styles()
    table = Table([[para(data.unit_left, st.body), para(data.unit_right, st.body.clone(
        "unit_right", alignment=2))]], colWidths=[width * 0.6, width * 0.4])
    table.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return table


def write_pdf(data: ReportPrint, path: Path) -> int:
    """Write the report to ``path`` (the caller makes it atomic); returns the page count."""
    font_chain()  # fonts registered before layout
    doc = FormDocument(str(path), pagesize=A4_LANDSCAPE, title=data.title,
                       margins=(MARGIN, MARGIN, 16 * mm, 14 * mm))
    return doc.build_records([data], lambda d: story(d, doc.content_width), total=1)


__all__ = ["ReportPrint", "story", "write_pdf"]
