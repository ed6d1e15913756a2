"""整改清单 for printing: landscape A4, one line per problem (overdue lines marked), then the
summary by category and status and the 九个清零 line, with signature boxes. Fed prepared
texts (``RectifyPrint``); ``services.rectify.print_list`` prepares them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from fupin_desktop.printing.fonts import font_chain
from fupin_desktop.printing.layout import (
    A4_LANDSCAPE,
    FormDocument,
    grid_table,
    para,
    record,
    section_title,
    signature_row,
    styles,
)

MARGIN = 12 * mm
OVERDUE_FILL = colors.Color(1, 0.9, 0.9)
# (header, relative width, alignment) of the list's columns.
COLUMNS = (("序号", 3.2, "c"), ("问题来源", 6, "c"), ("问题类别", 8, "c"), ("问题描述", 24, "l"),
           ("涉及村/户/项目", 11, "l"), ("牵头领导", 7.5, "c"), ("责任单位\n责任人", 10, "l"),
           ("整改措施", 20, "l"), ("整改时限", 10, "c"), ("整改状态", 9, "c"), ("最新进展", 16, "l"))


@dataclass
class RectifyPrint:
    """The printed list as texts. ``rows``: cells in :data:`COLUMNS` order and whether the
    line is overdue. ``summary``: (category, total, per-status counts…, overdue) rows, the
    last the total; ``statuses`` names the per-status columns."""

    title: str
    subtitle: str
    rows: list[tuple[list[str], bool]]
    statuses: list[str]
    summary: list[list[str]]
    summary_text: str
    nine_zero_text: str
    printed_on: str
    signatures: list[str] = field(default_factory=lambda: ["填表人", "审核人", "分管领导", "日期"])


def story(data: RectifyPrint, width: float) -> list[Flowable]:
    st = styles()
    unit = width / sum(w for _h, w, _a in COLUMNS)
    overdue = [("BACKGROUND", (0, r), (-1, r), OVERDUE_FILL) for r, (_c, late) in enumerate(data.rows, 1) if late]
    body: list[Flowable] = [
        para(data.title, st.title),
        para(data.subtitle, st.subtitle),
        grid_table([h for h, _w, _a in COLUMNS], [cells for cells, _late in data.rows],
                   [w * unit for _h, w, _a in COLUMNS], align=[a for _h, _w, a in COLUMNS],
                   extra_style=overdue),
        Spacer(1, 2 * mm),
        para("注：底色标红的为已过整改时限仍未完成的问题。", st.note),
    ]
    head = ["问题类别", "问题数", *data.statuses, "逾期未完成"]
    cw = width * 0.7 / len(head)
    body.append(KeepTogether([
        section_title("整改情况汇总"),
        para(data.summary_text, st.body),
        Spacer(1, 1.5 * mm),
        grid_table(head, data.summary, [cw * 1.6, *([cw * (len(head) - 1.6) / (len(head) - 1)] * (len(head) - 1))],
                   align=["l", *(["r"] * (len(head) - 1))],
                   extra_style=[("BACKGROUND", (0, len(data.summary)), (-1, len(data.summary)),
                                 colors.Color(0.95, 0.95, 0.95))]),
        Spacer(1, 1.5 * mm),
        para(data.nine_zero_text, st.body),
        Spacer(1, 3 * mm),
        signature_row(data.signatures, width),
    ]))
    return record(data.title, f"打印日期：{data.printed_on}", body)


def write_pdf(data: RectifyPrint, path: Path) -> int:
    """Write the list to ``path`` (the caller makes it atomic); returns the page count."""
    font_chain()
    doc = FormDocument(str(path), pagesize=A4_LANDSCAPE, title=data.title,
                       margins=(MARGIN, MARGIN, 16 * mm, 14 * mm))
    return doc.build_records([data], lambda d: story(d, doc.content_width), total=1)


__all__ = ["COLUMNS", "RectifyPrint", "story", "write_pdf"]
