"""扶贫项目资产移交书 (DOMAIN §10.1, §13.6): a finished project hands the assets it formed to
their owner — the project, the list of assets (编号, 名称, 类别, 规模, 原值, 所有权人, 管护主体)
with its total, the terms of the hand-over, and both parties' signatures and seals, with the
township as witness.

Takes a prepared :class:`Handover` (``services.print_data.handover``); reads no database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from fupin_desktop.printing.layout import (
    date_text,
    grid_table,
    kv_table,
    money,
    para,
    record,
    section_title,
    styles,
)

TITLE = "扶贫项目资产移交书"
WIDTH = 180 * mm


@dataclass
class HandoverAsset:
    asset_no: str
    name: str
    category: str
    scale: str
    value: Decimal
    funds: str
    owner: str
    custodian: str


@dataclass
class Handover:
    doc_no: str
    handed_over_on: dt.date | None
    project_name: str
    project_no: str
    project_year: int | None
    location: str
    scale: str
    implementer: str
    competent_dept: str
    project_funds: Decimal | None
    funds_by_source: list[tuple[str, Decimal]]
    county: str
    township: str
    village: str
    giver: str  # 移交方
    receiver: str  # 接收方
    assets: list[HandoverAsset] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((a.value for a in self.assets), Decimal("0"))


def story(h: Handover) -> list[Flowable]:
    st = styles()
    right = st.body.clone("handover_right", alignment=2)
    indent = st.body.clone("handover_indent", firstLineIndent=21)
    funds = "；".join(f"{name} {money(amount)} 元" for name, amount in h.funds_by_source)
    rows = [[str(i), a.asset_no, a.name, a.category, a.scale, money(a.value), a.funds, a.owner, a.custodian]
            for i, a in enumerate(h.assets, 1)]
    rows.append(["合计", "", f"{len(h.assets)} 项", "", "", money(h.total), "", "", ""])
    body: list[Flowable] = [
        para(TITLE, st.title),
        para(f"移交文书号：{h.doc_no}", right),
        Spacer(1, 2 * mm),
        para(f"根据扶贫项目资产管理有关规定，{h.project_year or ''}年度项目“{h.project_name}”已建成并通过验收。"
             f"经移交、接收双方现场核实，现将该项目形成的资产移交{h.receiver or '接收方'}，"
             "明确资产权属和管护责任。", indent),
        section_title("一、项目基本情况"),
        kv_table([
            ["项目名称", h.project_name, None, None],
            ["项目编号", h.project_no, "项目年度", f"{h.project_year}年" if h.project_year else ""],
            ["建设地点", h.location, "建设规模", h.scale],
            ["项目实施单位", h.implementer, "项目主管部门", h.competent_dept],
            ["项目总投资（元）", money(h.project_funds), "资金来源", funds],
        ], [32 * mm, 58 * mm, 32 * mm, 58 * mm], label_columns=(0, 2), spans=[((1, 0), (3, 0))]),
        section_title("二、移交资产清单"),
        grid_table(["序号", "资产编号", "资产名称", "资产类别", "建设规模", "原值（元）", "资金来源",
                    "所有权人", "管护主体"], rows,
                   [x * mm for x in (9, 28, 28, 18, 15, 23, 23, 18, 18)],
                   align=["c", "c", "l", "c", "c", "r", "l", "l", "l"],
                   extra_style=[("SPAN", (0, len(rows)), (1, len(rows)))]),
        section_title("三、移交事项"),
        *[para(text, st.body) for text in (
            "1. 资产自移交之日起由接收方登记入账，负责管理、运营和管护，落实管护责任人，保障资产正常运行。",
            "2. 移交方将项目批复、招投标、合同、验收、决算和图纸等资料一并移交，由接收方归档保存。",
            "3. 资产收益按村民代表大会决议和收益分配方案使用；资产不得擅自处置，确需处置的按规定程序报批。",
            "4. 本移交书一式四份，移交方、接收方、监交方和县级行业主管部门各执一份。",
        )],
        Spacer(1, 6 * mm),
        KeepTogether([_parties(h)]),
    ]
    return record(TITLE, f"移交文书号：{h.doc_no}", body, footer=TITLE)


def _parties(h: Handover) -> Table:
    st = styles()
    day = date_text(h.handed_over_on)
    witness = f"{h.township}人民政府" if h.township else "乡（镇）人民政府"

    def block(role: str, name: str) -> list[Flowable]:
        return [para(f"{role}（盖章）：", st.body), para(name or "", st.body), Spacer(1, 12 * mm),
                para("负责人（签字）：", st.body), Spacer(1, 6 * mm), para(day, st.body)]

    table = Table([[block("移交方", h.giver), block("接收方", h.receiver), block("监交方", witness)]],
                  colWidths=[WIDTH / 3] * 3)
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 4)]))
    return table


__all__ = ["Handover", "HandoverAsset", "TITLE", "story"]
