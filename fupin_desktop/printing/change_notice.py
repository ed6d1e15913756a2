"""人口变动（动态调整）公示 of a village or township for one reported month (DOMAIN §11.3,
§13.4): who was added or removed, and why, for posting.

A 公示表: only the columns below reach the page — never ID numbers, phones, bank accounts or
health status (DOMAIN §11.4); the event's free-text note is not printed either, as it may
name an illness. Body text in 10.5 pt or larger. Takes a prepared :class:`ChangeNotice`
(``services.print_data.change_notice``); reads no database.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from fupin_desktop.printing.layout import GRID_COLOR, HEADER_FILL, date_text, para, record, styles
from fupin_desktop.printing.notice import SUPERVISION_PHONE

TITLE = "人口变动（动态调整）"
FONT_SIZE = 10.5  # a posted notice is read standing: never smaller


@dataclass
class ChangeRow:
    household_id: int
    region_code: str
    group: str
    head_name: str
    person: str  # the member who changed, 「全户」 for a household event
    relation: str
    kind: str  # 变动类型
    reason: str  # 变动原因
    effective: dt.date
    size: int  # 现家庭人口


@dataclass
class ChangeNotice:
    region_name: str
    township: str
    is_village: bool
    month: str  # YYYY-MM
    rows: list[ChangeRow]
    posted_on: dt.date
    days: int = 5
    phone: str = ""

    @property
    def title(self) -> str:
        return f"{self.region_name}{self.month[:4]}年{int(self.month[5:7])}月{TITLE}公示"


def story(n: ChangeNotice) -> list[Flowable]:
    st = styles()
    body_style = st.body.clone("change_body", fontSize=FONT_SIZE, leading=FONT_SIZE * 1.45)
    cell = body_style.clone("change_cell", leading=FONT_SIZE * 1.3, alignment=1)
    head = cell.clone("change_head")
    end = n.posted_on + dt.timedelta(days=n.days - 1)
    header = ["序号", "组", "户主姓名", "变动人员", "与户主关系", "变动类型", "变动原因", "变动日期", "现家庭人口"]
    widths = [x * mm for x in (10, 24, 18, 18, 21, 23, 20, 23, 23)]
    data = [[para(h, head) for h in header]]
    for i, r in enumerate(n.rows, 1):
        data.append([para(v, cell) for v in (str(i), r.group, r.head_name, r.person, r.relation, r.kind,
                                              r.reason, f"{r.effective.year}.{r.effective.month:02d}."
                                              f"{r.effective.day:02d}", str(r.size))])
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="CENTER")
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, GRID_COLOR),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]))
    households = len({r.household_id for r in n.rows})
    by_kind = Counter(r.kind for r in n.rows)
    total = f"合计：{households} 户 {len(n.rows)} 条（" + "，".join(
        f"{k} {c} 条" for k, c in by_kind.items()) + "）。"
    phones = f"{SUPERVISION_PHONE}（全国防止返贫监测和乡村振兴咨询服务热线）"
    if n.phone:
        phones += f"，{n.phone}（乡镇）"
    issuer = f"{n.region_name}村民委员会（盖章）" if n.is_village else f"{n.township}人民政府（盖章）"
    body: list[Flowable] = [
        para(n.title, st.title),
        Spacer(1, 2 * mm),
        para(f"根据防止返贫动态监测和帮扶工作要求，经村民小组评议、村“两委”和驻村工作队入户核实，"
             f"现将{n.month[:4]}年{int(n.month[5:7])}月本{'村' if n.is_village else '乡镇'}"
             "脱贫人口和监测对象的增加、减少及调整情况公示如下。", body_style),
        para(f"公示期：{date_text(n.posted_on)}至{date_text(end)}（{n.days}天）。"
             "公示期间如有异议，请向村民委员会、驻村工作队或乡（镇）人民政府反映。", body_style),
        Spacer(1, 3 * mm),
        table,
        Spacer(1, 3 * mm),
        para(total, body_style),
        Spacer(1, 6 * mm),
        # The phone line stands apart from the table (not in its last row).
        para(f"监督举报电话：{phones}", body_style),
        Spacer(1, 8 * mm),
        KeepTogether([
            para(issuer, body_style.clone("change_sign", alignment=2)),
            para(date_text(n.posted_on), body_style.clone("change_sign_date", alignment=2)),
        ]),
    ]
    return record(n.title, f"公示期 {n.days} 天", body, footer="人口变动公示")


__all__ = ["ChangeNotice", "ChangeRow", "FONT_SIZE", "TITLE", "story"]
