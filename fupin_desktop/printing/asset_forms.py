"""Printed forms of the asset ledger (DOMAIN §13.4, §13.6), reportlab, A4:

- 资产登记卡 (one asset, portrait): §10.2 fields, funds, rights, income, upkeep, disposal;
- 资产台账 (a region's ledger, landscape): one line per asset, totals by class and owner level;
- 收益分配公示表 (portrait): no ID numbers, phones or bank accounts, ever;
- 资产处置申请表 (portrait) with the approval boxes 村民代表大会 → 乡镇 → 县级主管部门 / 财政.

Each ``render_*`` reads through the asset service and writes one PDF file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Spacer,
    Table,
    TableStyle,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from fupin_desktop.codes import label_of
from fupin_desktop.errors import UserError
from fupin_desktop.models import Asset, AssetDisposal, AssetIncome, Project, Region
from fupin_desktop.printing.fonts import font_chain
from fupin_desktop.printing.layout import NOTICE_SIZE, FormDocument, KeepTail, para, record
from fupin_desktop.printing.style import county_office, township_government, village_committee
from fupin_desktop.services import assets as svc

GRID = colors.HexColor("#333333")
SHADE = colors.HexColor("#EEEEEE")


def _styles(size: float | None = None):
    """The asset forms' styles; ``size`` sets body and table text (posted notices)."""
    f = font_chain().primary
    base = ParagraphStyle("base", fontName=f, fontSize=9, leading=12, wordWrap="CJK")
    if size is not None:
        base = ParagraphStyle("base", fontName=f, fontSize=size, leading=size * 1.35, wordWrap="CJK")
        cell = dict(fontSize=size, leading=size * 1.3)
        return {
            "title": ParagraphStyle("title", parent=base, fontSize=17, leading=22, alignment=TA_CENTER, spaceAfter=2 * mm),
            "sub": ParagraphStyle("sub", parent=base, alignment=TA_CENTER),
            "body": base,
            "small": ParagraphStyle("small", parent=base, **cell),
            "cell": ParagraphStyle("cell", parent=base, **cell),
            "cellc": ParagraphStyle("cellc", parent=base, alignment=TA_CENTER, **cell),
            "cellr": ParagraphStyle("cellr", parent=base, alignment=TA_RIGHT, **cell),
            "label": ParagraphStyle("label", parent=base, alignment=TA_CENTER, **cell),
            "section": ParagraphStyle("section", parent=base, spaceBefore=3 * mm, spaceAfter=1 * mm),
            "sign": ParagraphStyle("sign", parent=base, alignment=TA_RIGHT),
        }
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=17, leading=22, alignment=TA_CENTER, spaceAfter=2 * mm),
        "sub": ParagraphStyle("sub", parent=base, fontSize=9.5, leading=13, alignment=TA_CENTER),
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11),
        "cellc": ParagraphStyle("cellc", parent=base, fontSize=8.5, leading=11, alignment=TA_CENTER),
        "cellr": ParagraphStyle("cellr", parent=base, fontSize=8.5, leading=11, alignment=TA_RIGHT),
        "label": ParagraphStyle("label", parent=base, fontSize=8.5, leading=11, alignment=TA_CENTER),
        "section": ParagraphStyle("section", parent=base, fontSize=10.5, leading=14, spaceBefore=3 * mm, spaceAfter=1 * mm),
        "sign": ParagraphStyle("sign", parent=base, alignment=TA_RIGHT),
    }


def _date(d: dt.date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def _grid_style(extra: Sequence[tuple] = ()) -> TableStyle:
    return TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.6, GRID),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            *extra,
        ]
    )


def _build(path: Path, pagesize, title: str, story: list, *, footer: str,
           header: bool = False) -> None:
    """Lay ``story`` out in the shared page frame (「第 n 页 共 m 页」, a running header on
    the landscape ledger)."""
    top = 18 * mm if header else 14 * mm
    doc = FormDocument(str(path), pagesize=pagesize, title=title, header=header,
                       margins=(14 * mm, 14 * mm, top, 16 * mm))
    doc.build_records([title], lambda _t: record(title if header else "", "", story, footer=footer))


def _issuers(session: Session, code: str) -> tuple[str, str, str, str]:
    """(village committee, township government, county office, county 财政局) of ``code``,
    named in full from the regions."""
    def name(c: str) -> str:
        return session.scalar(select(Region.name).where(Region.code == c)) or ""

    county, town = name(code[:6] + "000000"), name(code[:9] + "000")
    village = name(code) if code[9:] != "000" else ""
    return (village_committee(village) if village else "村民委员会", township_government(town),
            county_office(county), f"{county}财政局" if county else "县财政局")


def _region_title(session: Session, code: str) -> str:
    """县 / 县乡镇 / 县乡镇村 for a title line."""
    parts = []
    for c in dict.fromkeys([code[:6] + "000000", code[:9] + "000", code]):
        name = session.scalar(select(Region.name).where(Region.code == c))
        if name:
            parts.append(name)
    return "".join(parts) or code


# -- 资产登记卡 ---------------------------------------------------------------------------------


def render_card(session: Session, asset_id: int, path: Path) -> Path:
    """资产登记卡 for one asset (A4 portrait)."""
    a = svc.get_asset(session, asset_id)
    st = _styles()
    project = session.get(Project, a.project_id) if a.project_id else None
    region = _region_title(session, a.region_code)
    hh_name = a.household.head_name if a.household_id and a.household else ""

    def row(*pairs):
        cells = []
        for label, value in pairs:
            cells += [para(label, st["label"]), para(value, st["cell"])]
        return cells

    W = A4[0] - 28 * mm
    cw = [W * x for x in (0.14, 0.36, 0.14, 0.36)]
    info = [
        row(("资产编号", a.asset_no), ("资产名称", a.name)),
        row(("资产类别", label_of("asset_category", a.category)), ("资产类型", label_of("asset_subtype", a.subtype))),
        row(("来源项目", project.name if project else "（直接登记）"), ("项目年度", a.project_year or "")),
        row(("所在区划", region), ("建设地点", a.location or "")),
        row(("建设规模", f"{a.quantity.normalize():f} {a.unit or ''}" if a.quantity is not None else ""),
            ("形成时间", _date(a.formed_on))),
        row(("资产原值(元)", svc.yuan_text(a.original_value)), ("账面价值(元)", svc.yuan_text(a.book_value))),
        row(("资金来源及金额", svc.fundings_text(a.fundings)), ("资产状态", label_of("asset_status", a.status))),
        row(("确权层级", label_of("ownership_level", a.ownership_level)), ("所有权人", a.owner_name or "")),
        row(("所属农户", hh_name), ("收益对象", a.beneficiaries_note or "")),
        row(("经营方式", label_of("operation_mode", a.operation_mode)), ("经营主体", a.operator or "")),
        row(("合同期限", f"{_date(a.contract_start)} 至 {_date(a.contract_end)}" if a.contract_start else ""),
            ("管护主体", a.custodian or "")),
        row(("管护责任人", a.custodian_person or ""), ("管护制度", a.custody_rule or "")),
        row(("确权登记日期", _date(a.registered_on)), ("移交日期", _date(a.handed_over_on))),
        row(("移交文书号", a.handover_doc or ""), ("备注", a.note or "")),
    ]
    story: list = [
        para("扶贫项目资产登记卡", st["title"]),
        para(f"填报单位：{region}　　　　登记日期：{_date(a.registered_on)}", st["sub"]),
        Spacer(1, 3 * mm),
        Table(info, colWidths=cw, style=_grid_style([("BACKGROUND", (0, 0), (0, -1), SHADE),
                                                      ("BACKGROUND", (2, 0), (2, -1), SHADE)])),
        para("一、资产权属（所有权、经营权、收益权、分配权、处置权、监督权的权利人）", st["section"]),
    ]
    rights = [("所有权", a.ownership_holder), ("经营权", a.operation_holder), ("收益权", a.income_holder),
              ("分配权", a.distribution_holder), ("处置权", a.disposal_holder), ("监督权", a.supervision_holder)]
    story.append(Table(
        [[para(k, st["label"]) for k, _ in rights], [para(v or "", st["cellc"]) for _, v in rights]],
        colWidths=[W / 6] * 6, style=_grid_style([("BACKGROUND", (0, 0), (-1, 0), SHADE)]),
    ))
    story.append(para("二、收益及分配", st["section"]))
    income_rows = [[para(h, st["label"]) for h in ("年度", "收益金额(元)", "来源", "到户(元)", "村集体(元)", "公益岗位/事业(元)", "分配审批日期")]]
    for inc in a.incomes:
        by = {t: sum((d.amount for d in inc.distributions if d.recipient_type == t), Decimal(0)) for t in ("01", "02", "03", "04", "99")}
        income_rows.append([
            para(inc.year, st["cellc"]), para(svc.yuan_text(inc.amount), st["cellr"]), para(inc.source_kind or "", st["cellc"]),
            para(svc.yuan_text(by["01"]), st["cellr"]), para(svc.yuan_text(by["02"]), st["cellr"]),
            para(svc.yuan_text(by["03"] + by["04"] + by["99"]), st["cellr"]),
            para(_date(max((d.approved_on for d in inc.distributions if d.approved_on), default=None)), st["cellc"]),
        ])
    if len(income_rows) == 1:
        income_rows.append([para("（无收益记录）", st["cellc"])] + [""] * 6)
    story.append(Table(income_rows, colWidths=[W * x for x in (0.08, 0.16, 0.12, 0.15, 0.15, 0.16, 0.18)],
                       repeatRows=1, style=_grid_style([("BACKGROUND", (0, 0), (-1, 0), SHADE)])))
    story.append(para("三、管护记录", st["section"]))
    care = [[para(h, st["label"]) for h in ("日期", "类型", "内容", "费用(元)", "责任人")]]
    for m in a.maintenance[-12:]:
        care.append([para(_date(m.date), st["cellc"]), para(label_of("maintenance_kind", m.kind), st["cellc"]),
                     para(m.content, st["cell"]), para(svc.yuan_text(m.cost), st["cellr"]), para(m.person or "", st["cellc"])])
    if len(care) == 1:
        care.append([para("（无管护记录）", st["cellc"])] + [""] * 4)
    story.append(Table(care, colWidths=[W * x for x in (0.18, 0.1, 0.46, 0.12, 0.14)], repeatRows=1,
                       style=_grid_style([("BACKGROUND", (0, 0), (-1, 0), SHADE)])))
    story.append(para("四、处置情况", st["section"]))
    disp = [[para(h, st["label"]) for h in ("申请日期", "处置情形", "处置方式", "状态", "处置日期", "处置收入(元)")]]
    for d in a.disposals:
        disp.append([para(_date(d.requested_on), st["cellc"]), para(label_of("disposal_trigger", d.trigger), st["cell"]),
                     para(label_of("disposal_method", d.method), st["cellc"]), para(label_of("disposal_status", d.status), st["cellc"]),
                     para(_date(d.disposed_on), st["cellc"]), para(svc.yuan_text(d.proceeds), st["cellr"])])
    if len(disp) == 1:
        disp.append([para("（未处置）", st["cellc"])] + [""] * 5)
    story.append(Table(disp, colWidths=[W * x for x in (0.15, 0.27, 0.12, 0.12, 0.17, 0.17)],
                       style=_grid_style([("BACKGROUND", (0, 0), (-1, 0), SHADE)])))
    committee, government, office, _finance = _issuers(session, a.region_code)
    story.append(para("五、村民代表大会决议", st["section"]))
    resolution = next((d for d in reversed(a.disposals) if d.village_resolution_on), None)
    story.append(Table([
        [para("会议日期", st["label"]), para(_date(resolution.village_resolution_on) if resolution else "", st["cell"]),
         para("应到/实到人数", st["label"]), para("　　人 /　　人", st["cell"])],
        [para("决议文号", st["label"]), para(resolution.village_resolution_doc or "" if resolution else "", st["cell"]),
         para("表决结果", st["label"]), para("同意　　人，反对　　人，弃权　　人", st["cell"])],
        [para("决议事项", st["label"]), para("资产确权登记、经营管护和收益分配方案", st["cell"]), "", ""],
    ], colWidths=[W * x for x in (0.14, 0.36, 0.14, 0.36)],
        style=_grid_style([("SPAN", (1, 2), (3, 2)), ("BACKGROUND", (0, 0), (0, -1), SHADE),
                           ("BACKGROUND", (2, 0), (2, 1), SHADE)])))
    story.append(KeepTail([para("六、审核意见", st["section"]), Table(
        [[para(t, st["label"]) for t in ("村级意见", "乡镇审核意见", "县级主管部门审批意见")],
         [para("意见：", st["cell"])] * 3,
         [para(f"{x}（盖章）<br/>年　月　日", st["cellc"], markup=True)
          for x in (committee, government, office)]],
        colWidths=[W / 3] * 3, rowHeights=[None, 20 * mm, None],
        style=_grid_style([("BACKGROUND", (0, 0), (-1, 0), SHADE), ("VALIGN", (0, 1), (-1, 1), "TOP")]))],
        [Spacer(1, 6 * mm),
         para("登记人：____________　　　　审核人：____________", st["body"])]))
    _build(path, A4, f"资产登记卡 {a.asset_no}", story, footer=f"资产编号 {a.asset_no}")
    return path


# -- 资产台账 -----------------------------------------------------------------------------------


LEDGER_COLUMNS = (
    ("序号", 0.03), ("资产编号", 0.095), ("资产名称", 0.1), ("类别", 0.04), ("乡镇/村", 0.075),
    ("来源项目", 0.1), ("建设规模", 0.06), ("形成时间", 0.07), ("资金来源", 0.105),
    ("资产原值(元)", 0.085), ("账面价值(元)", 0.085), ("所有权人", 0.06), ("管护责任人", 0.055),
    ("状态", 0.04),
)


def _ledger_details(session: Session, ids: Sequence[int]) -> dict[int, tuple[str, str, str, str]]:
    """Per asset id: (来源项目, 建设规模, 资金来源, 管护责任人) for the ledger lines."""
    from sqlalchemy.orm import selectinload

    out: dict[int, tuple[str, str, str, str]] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start:start + 500])
        assets = session.scalars(select(Asset).where(Asset.id.in_(chunk))
                                 .options(selectinload(Asset.fundings))).all()
        projects = dict(session.execute(select(Project.id, Project.name).where(
            Project.id.in_({a.project_id for a in assets if a.project_id}))).all())
        for a in assets:
            scale = f"{a.quantity.normalize():f}{a.unit or ''}" if a.quantity is not None else ""
            # One source a line, its amount on a line of its own: a number never wraps.
            funds = "\n".join(f"{label_of('fund_source', f.source)}\n{svc.yuan_text(f.amount)}"
                               for f in a.fundings)
            out[a.id] = (projects.get(a.project_id, "") if a.project_id else "", scale,
                         funds, a.custodian_person or "")
    return out


def render_ledger(session: Session, region_code: str, path: Path, flt: svc.LedgerFilter | None = None) -> Path:
    """资产台账 of a region (A4 landscape): every asset, then totals by class and owner level,
    and for a county or township the roll-up by township / village."""
    if session.scalar(select(Region.id).where(Region.code == region_code)) is None:
        raise UserError(f"区划代码 {region_code} 不存在。")
    flt = svc.LedgerFilter(**{**(flt or svc.LedgerFilter()).__dict__, "region_code": region_code})
    rows = svc.ledger_rows(session, flt)
    totals = svc.ledger_totals(session, flt)
    st = _styles()
    for key in ("cell", "cellc", "cellr", "label"):  # fourteen columns on a landscape page
        st[key] = ParagraphStyle(key + "_ledger", parent=st[key], fontSize=9, leading=11)
    details = _ledger_details(session, [r.id for r in rows])
    W = landscape(A4)[0] - 28 * mm
    title_region = _region_title(session, region_code)
    data = [[para(h, st["label"]) for h, _ in LEDGER_COLUMNS]]
    for i, r in enumerate(rows, start=1):
        project, scale, funds, person = details.get(r.id, ("", "", "", ""))
        formed = f"{r.formed_on.year}.{r.formed_on.month:02d}" if r.formed_on else ""
        data.append([
            para(i, st["cellc"]), para(r.asset_no, st["cell"]), para(r.name, st["cell"]),
            para(label_of("asset_category", r.category).removesuffix("资产"), st["cellc"]),
            para(f"{r.township}{r.village}", st["cell"]), para(project, st["cell"]),
            para(scale, st["cellc"]), para(formed, st["cellc"]), para(funds, st["cell"]),
            para(svc.yuan_text(r.original_value), st["cellr"]), para(svc.yuan_text(r.book_value), st["cellr"]),
            para(r.owner_name or "", st["cell"]), para(person, st["cellc"]),
            para(label_of("asset_status", r.status), st["cellc"]),
        ])
    data.append([para("合计", st["cellc"]), "", para(f"{totals.all.count} 项", st["cellc"])] + [""] * 6 + [
        para(svc.yuan_text(totals.all.original), st["cellr"]), para(svc.yuan_text(totals.all.book), st["cellr"])] + [""] * 3)
    last = len(data) - 1
    ledger = Table(data, colWidths=[W * w for w in (x for _, x in LEDGER_COLUMNS)], repeatRows=1,
                   style=_grid_style([("BACKGROUND", (0, 0), (-1, 0), SHADE), ("SPAN", (2, last), (8, last)),
                                      ("BACKGROUND", (0, last), (-1, last), SHADE), ("SPAN", (11, last), (13, last))]))
    story: list = [
        para(f"{title_region}扶贫项目资产台账", st["title"]),
        para(_filter_line(flt) + f"　　截至 {_date(dt.date.today())}　　单位：元", st["sub"]),
        Spacer(1, 3 * mm),
        KeepTail([ledger]),  # the 合计 row never goes over alone
    ]
    # Totals by class and by owner level.
    cats = [(c, label_of("asset_category", c)) for c in totals.by_category]
    levels = [(c, label_of("ownership_level", c)) for c in totals.by_level]
    head = [para("分类汇总", st["label"])] + [para(n, st["label"]) for _, n in cats] + [para(f"确权到{n}", st["label"]) for _, n in levels] + [para("合计", st["label"])]
    count_row = [para("资产数(项)", st["label"])] + [para(totals.by_category[c].count, st["cellc"]) for c, _ in cats] + [
        para(totals.by_level[c].count, st["cellc"]) for c, _ in levels] + [para(totals.all.count, st["cellc"])]
    value_row = [para("资产原值", st["label"])] + [para(svc.yuan_text(totals.by_category[c].original), st["cellr"]) for c, _ in cats] + [
        para(svc.yuan_text(totals.by_level[c].original), st["cellr"]) for c, _ in levels] + [para(svc.yuan_text(totals.all.original), st["cellr"])]
    book_row = [para("账面价值", st["label"])] + [para(svc.yuan_text(totals.by_category[c].book), st["cellr"]) for c, _ in cats] + [
        para(svc.yuan_text(totals.by_level[c].book), st["cellr"]) for c, _ in levels] + [para(svc.yuan_text(totals.all.book), st["cellr"])]
    n = len(head)
    summary = Table([head, count_row, value_row, book_row], colWidths=[W * 0.1] + [W * 0.9 / (n - 1)] * (n - 1),
                    style=_grid_style([("BACKGROUND", (0, 0), (-1, 0), SHADE), ("BACKGROUND", (0, 0), (0, -1), SHADE)]))
    # The last block stays together with the signature line: one KeepTogether, never a
    # KeepTogether inside another (reportlab then moves the pair to a page of its own).
    last_block: list = [para("按资产类别和确权层级汇总", st["section"]), summary]
    story.append(Spacer(1, 4 * mm))
    from fupin_desktop.models.region import LEVEL_VILLAGE, level_of_code

    if level_of_code(region_code) != LEVEL_VILLAGE:
        roll = svc.ledger_rollup(session, region_code, flt)
        head = [para(h, st["label"]) for h in ("区划", "资产数(项)", *(n for _, n in cats), "资产原值合计", "账面价值合计")]
        body = [head]
        for r in roll:
            body.append([para(r.region_name, st["cell"]), para(r.totals.count, st["cellc"])] + [
                para(svc.yuan_text(r.by_category.get(c, svc.Totals()).original), st["cellr"]) for c, _ in cats] + [
                para(svc.yuan_text(r.totals.original), st["cellr"]), para(svc.yuan_text(r.totals.book), st["cellr"])])
        what = "按乡镇汇总（总台账）" if level_of_code(region_code) == "county" else "按村汇总（明细台账）"
        story += [KeepTogether(last_block), Spacer(1, 4 * mm)]
        last_block = [para(what, st["section"]), Table(body, colWidths=[W * 0.2, W * 0.1] + [W * 0.42 / len(cats)] * len(cats) + [W * 0.14, W * 0.14],
                        repeatRows=1, style=_grid_style([("BACKGROUND", (0, 0), (-1, 0), SHADE)]))]
    signature = para("填报单位（盖章）：　　　　　　　　负责人：　　　　　　　　填表人：　　　　　　　　填表日期：　　年　　月　　日", st["body"])
    story.append(KeepTogether([*last_block, Spacer(1, 8 * mm), signature]))
    _build(path, landscape(A4), f"{title_region}扶贫项目资产台账", story, footer="资产台账", header=True)
    return path


def _filter_line(flt: svc.LedgerFilter) -> str:
    parts = []
    if flt.category:
        parts.append(label_of("asset_category", flt.category))
    if flt.ownership_level:
        parts.append(f"确权到{label_of('ownership_level', flt.ownership_level)}")
    if flt.status:
        parts.append(label_of("asset_status", flt.status))
    if flt.year:
        parts.append(f"{flt.year}年度")
    return ("范围：" + "、".join(parts)) if parts else "范围：全部资产"


# -- 收益分配公示表 -----------------------------------------------------------------------------


def render_distribution(
    session: Session, income_id: int, path: Path, *, posting_days: int = 7, phone: str | None = None
) -> Path:
    """收益分配公示表 (A4 portrait). Only names, groups, household size and category: never an
    ID number, phone or bank account (DOMAIN §13.4)."""
    notice = svc.distribution_notice(session, income_id)
    st = _styles(NOTICE_SIZE)
    W = A4[0] - 28 * mm
    data = [[para(h, st["label"]) for h in ("序号", "组", "户主姓名/分配对象", "家庭人口", "户类型/监测类别", "分配金额(元)", "备注")]]
    for r in notice.rows:
        data.append([para(r.seq, st["cellc"]), para(r.group, st["cellc"]), para(r.recipient, st["cell"]), para(r.members, st["cellc"]),
                     para(r.kind, st["cellc"]), para(svc.yuan_text(r.amount), st["cellr"]), para(r.note, st["small"])])
    data.append([para("合计", st["cellc"]), "", "", "", "", para(svc.yuan_text(sum((r.amount for r in notice.rows), Decimal(0))), st["cellr"]), ""])
    last = len(data) - 1
    table = Table(data, colWidths=[W * x for x in (0.07, 0.09, 0.2, 0.09, 0.15, 0.14, 0.26)], repeatRows=1,
                  style=_grid_style([("BACKGROUND", (0, 0), (-1, 0), SHADE), ("SPAN", (0, last), (4, last)),
                                     ("BACKGROUND", (0, last), (-1, last), SHADE)]))
    split = "；".join(f"{k} {svc.yuan_text(v)} 元" for k, v in notice.totals_by_type.items())
    posted = notice.approved_on or dt.date.today()
    end = posted + dt.timedelta(days=posting_days - 1)
    income_row = session.get(AssetIncome, income_id)
    committee = _issuers(session, income_row.asset.region_code)[0] if income_row is not None else "村民委员会"
    story = [
        para(notice.title, st["title"]),
        para(f"资产名称：{notice.asset_name}（编号 {notice.asset_no}）　　{notice.year}年度收益：{svc.yuan_text(notice.income)} 元"
           + (f"（{notice.source_kind}）" if notice.source_kind else ""), st["sub"]),
        Spacer(1, 2 * mm),
        para(f"经村民代表大会讨论通过，现将收益分配方案公示如下（分配合计：{split}）：", st["body"]),
        Spacer(1, 2 * mm),
        KeepTail([table], [
            Spacer(1, 4 * mm),
            para(f"公示期：{_date(posted)} 至 {_date(end)}（{posting_days} 天）。公示期间如有异议，请向村委会或乡镇反映。", st["body"]),
            para("监督举报电话：12317" + (f"；{phone}" if phone else "；乡镇监督电话：____________"), st["body"]),
            Spacer(1, 10 * mm),
            para(f"{committee}（盖章）", st["sign"]),
            para(f"{_date(posted) or '　　年　　月　　日'}", st["sign"]),
        ]),
    ]
    _build(path, A4, notice.title, story, footer=notice.title)
    return path


# -- 资产处置申请表 -----------------------------------------------------------------------------


def render_disposal(session: Session, disposal_id: int, path: Path) -> Path:
    """资产处置申请表 with the approval boxes of the chain, filled where an approval is recorded."""
    d = session.get(AssetDisposal, disposal_id)
    if d is None:
        raise UserError("该处置申请不存在。")
    a = svc.get_asset(session, d.asset_id)
    st = _styles()
    W = A4[0] - 28 * mm
    region = _region_title(session, a.region_code)
    cw = [W * x for x in (0.15, 0.35, 0.15, 0.35)]

    def row(*pairs):
        cells = []
        for label, value in pairs:
            cells += [para(label, st["label"]), para(value, st["cell"])]
        return cells

    info = Table([
        row(("资产编号", a.asset_no), ("资产名称", a.name)),
        row(("资产类别", label_of("asset_category", a.category)), ("资产类型", label_of("asset_subtype", a.subtype))),
        row(("所在区划", region), ("所有权人", a.owner_name or "")),
        row(("形成时间", _date(a.formed_on)), ("资金来源", svc.fundings_text(a.fundings))),
        row(("资产原值(元)", svc.yuan_text(a.original_value)), ("账面价值(元)", svc.yuan_text(a.book_value))),
        row(("处置情形", label_of("disposal_trigger", d.trigger)), ("处置方式", label_of("disposal_method", d.method))),
        [para("处置理由", st["label"]), para(_reason(d), st["cell"]), "", ""],
        [para("申请日期", st["label"]), para(_date(d.requested_on), st["cell"]), para("当前状态", st["label"]),
         para(label_of("disposal_status", d.status) + (f"（{d.rejected_reason}）" if d.rejected_reason else ""), st["cell"])],
        row(("处置收入(元)", svc.yuan_text(d.proceeds) if d.proceeds is not None else ""),
            ("处置日期", _date(d.disposed_on))),
        [para("收入用途", st["label"]), para(d.proceeds_use or "", st["cell"]), "", ""],
    ], colWidths=cw, style=_grid_style([("SPAN", (1, 6), (3, 6)), ("SPAN", (1, 9), (3, 9)),
                                        ("BACKGROUND", (0, 0), (0, -1), SHADE),
                                        ("BACKGROUND", (2, 0), (2, 5), SHADE), ("BACKGROUND", (2, 7), (2, 8), SHADE),
                                        ("MINROWHEIGHT", (0, 6), (-1, 6), 30)]))

    committee, government, office, finance = _issuers(session, a.region_code)

    def box(title: str, doc_no: str | None, on: dt.date | None, signer: str) -> Table:
        filled = f"已通过　文号：{doc_no}　日期：{_date(on)}" if doc_no else ""
        return Table(
            [[para(title, st["label"]), para("意见：" + filled, st["cell"])],
             ["", para(f"负责人签字：　　　　　　{signer}（盖章）　　{_date(on) or '年　　月　　日'}", st["cellr"])]],
            colWidths=[W * 0.15, W * 0.85], rowHeights=[22 * mm, None],
            style=_grid_style([("SPAN", (0, 0), (0, 1)), ("BACKGROUND", (0, 0), (0, -1), SHADE),
                               ("VALIGN", (1, 0), (1, 0), "TOP"), ("LINEBELOW", (1, 0), (1, 0), 0, colors.white)]),
        )

    story = [
        para("扶贫项目资产处置申请表", st["title"]),
        para(f"申请单位：{a.owner_name or region}　　　　申请日期：{_date(d.requested_on)}", st["sub"]),
        Spacer(1, 3 * mm),
        info,
        Spacer(1, 3 * mm),
        para("审批程序：村民代表大会讨论通过 → 乡镇政府审核批准 → 县级主管部门与财政部门同意 → 实施", st["small"]),
        Spacer(1, 2 * mm),
        box("村民代表大会\n决议", d.village_resolution_doc, d.village_resolution_on, committee),
        box("乡镇人民政府\n审核意见", d.township_doc, d.township_approved_on, government),
        box("县级主管部门\n审批意见", d.county_doc, d.county_approved_on, office),
        box("县级财政部门\n意见", d.county_doc, d.county_approved_on, finance),
    ]
    _build(path, A4, f"资产处置申请表 {a.asset_no}", story, footer=f"资产编号 {a.asset_no}")
    return path


def _reason(d: AssetDisposal) -> str:
    """处置理由 as written, never a repeat of the 处置情形 label (then left to fill in)."""
    reason = (d.reason or "").strip()
    return "" if reason == label_of("disposal_trigger", d.trigger) else reason


# -- choosing what to print by asset ------------------------------------------------------------


def latest_distributed_income(session: Session, asset_id: int, year: int | None = None) -> int:
    """The income (of ``year``, else the latest) of an asset that has a distribution."""
    stmt = select(AssetIncome.id).where(AssetIncome.asset_id == asset_id, AssetIncome.distributions.any())
    if year:
        stmt = stmt.where(AssetIncome.year == year)
    income_id = session.scalar(stmt.order_by(AssetIncome.year.desc(), AssetIncome.id.desc()).limit(1))
    if income_id is None:
        raise UserError("该资产" + (f"{year}年" if year else "") + "没有已分配的收益，无法打印收益分配公示表。")
    return income_id


def latest_disposal(session: Session, asset_id: int) -> int:
    disposal_id = session.scalar(
        select(AssetDisposal.id).where(AssetDisposal.asset_id == asset_id).order_by(AssetDisposal.id.desc()).limit(1)
    )
    if disposal_id is None:
        raise UserError("该资产没有处置申请，无法打印资产处置申请表。")
    return disposal_id


def asset_exists(session: Session, asset_id: int) -> None:
    if session.get(Asset, asset_id) is None:
        raise UserError(f"资产 id {asset_id} 不存在。")
