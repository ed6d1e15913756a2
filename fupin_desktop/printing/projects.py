"""项目库 printed papers (DOMAIN §13.5), A4:

* ``declaration`` — 项目入库申报表, one project per page (portrait), every §9.1 field, funds by
  level, beneficiaries, 绩效目标 and the opinion-and-seal boxes of 村(两委), 乡镇 and 主管部门;
* ``notice`` — 项目公示表 for posting (landscape): what is built where, for how much, for whom;
  never a phone number, an ID number or a household's name (BRIEF privacy rule);
* ``list`` — the project list of a year (landscape) with money and state, totals at the end.

:func:`render` is the one entry point (CLI and UI): it reads through the service layer in the
caller's session and writes the PDF to a path or a binary file object.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, BinaryIO

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from sqlalchemy.orm import Session

from fupin_desktop.codes import bool_label, era_for_year, label_of
from fupin_desktop.errors import UserError
from fupin_desktop.models import Project
from fupin_desktop.printing.fonts import font_chain
from fupin_desktop.printing.layout import NOTICE_SIZE, FormDocument, KeepTail, para, record
from fupin_desktop.printing.style import county_office, township_government, village_committee
from fupin_desktop.services import projects as svc

KINDS = {"declaration": "项目入库申报表", "notice": "项目公示表", "list": "项目清单"}

# -- styles -----------------------------------------------------------------------------------
# Text goes through printing/layout.para, so every character is drawn in the first print font
# that has it (rare name characters such as 䶮 and 𠮷 included).

_styles: dict[str, ParagraphStyle] = {}


def _style(name: str) -> ParagraphStyle:
    if not _styles:
        font = font_chain().primary

        def s(key: str, size: float, leading: float, **kw: Any) -> None:
            _styles[key] = ParagraphStyle(key, fontName=font, fontSize=size, leading=leading,
                                          wordWrap="CJK", **kw)  # fmt: skip

        s("title", 17, 24, alignment=TA_CENTER, spaceAfter=2)
        s("subtitle", 10, 14, alignment=TA_CENTER)
        s("body", 10.5, 15)
        s("cell", 9.5, 12.5)
        s("small", 8.5, 11)
        s("head", 9.5, 12, alignment=TA_CENTER)
        s("center", 9.5, 12.5, alignment=TA_CENTER)
        s("right", 9.5, 12.5, alignment=TA_RIGHT)
        s("list", 8, 10)
        s("list_right", 8, 10, alignment=TA_RIGHT)
        s("list_center", 8, 10, alignment=TA_CENTER)
        # Posted notices: 10.5 pt at least, read on a wall.
        s("notice", NOTICE_SIZE, 13.5)
        s("notice_right", NOTICE_SIZE, 13.5, alignment=TA_RIGHT)
        s("notice_center", NOTICE_SIZE, 13.5, alignment=TA_CENTER)
    return _styles[name]


def _para(text: Any, style: str = "cell") -> Paragraph:
    return para(text, _style(style))


# -- formatting ---------------------------------------------------------------------------------


def _yuan(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def _wan(value: Decimal | None) -> str:
    """元 → 万元 with 2 decimals (printed tables count in 万元, as county plans do)."""
    return "" if value is None else f"{value / 10000:,.2f}"


def _period(p: Project, sep: str = "—") -> str:
    if p.start_ym and p.end_ym:
        return f"{p.start_ym.replace('-', '.')}{sep}{p.end_ym.replace('-', '.')}"
    return (p.start_ym or p.end_ym or "").replace("-", ".")


def _category(p: Project) -> str:
    top = label_of("project_category", p.category)
    sub = label_of("project_category", p.subcategory)
    return f"{top}／{sub}" if sub else top


def _beneficiaries(p: Project, *, short: bool = False) -> str:
    parts = []
    for label, hh, persons in (
        ("脱贫户", p.beneficiaries_poor_hh, p.beneficiaries_poor_persons),
        ("监测户", p.beneficiaries_monitored_hh, p.beneficiaries_monitored_persons),
        ("一般农户", p.beneficiaries_nonpoor_hh, p.beneficiaries_nonpoor_persons),
    ):
        if hh or persons:
            parts.append(f"{label}{hh or 0}户{persons or 0}人")
    return ("，" if short else "；").join(parts)


def _indicator_text(p: Project) -> str:
    lines = []
    for ind in p.indicators:
        target = f"{ind.target or ''}{ind.unit or ''}"
        lines.append(f"{ind.name}：{target}" if target else ind.name)
    return "；".join(lines) or (p.performance_summary or "")


def _funds_by_level(p: Project) -> str:
    sums: dict[str, Decimal] = {}
    for f in p.fundings:
        sums[f.level] = sums.get(f.level, Decimal(0)) + f.amount
    return "；".join(f"{label_of('fund_level', lv)} {_wan(v)} 万元" for lv, v in sums.items())


def _public_funds(p: Project) -> Decimal:
    """财政资金: every level except 社会/自有 and 贷款."""
    return sum((f.amount for f in p.fundings if f.level not in ("05", "06")), Decimal(0))


def _title_prefix(year: int) -> str:
    if era_for_year(year) == "2014":
        return f"{year}年度脱贫攻坚"
    return f"{year}年度巩固拓展脱贫攻坚成果和乡村振兴"


def _region_parts(session: Session, code: str) -> tuple[str, str]:
    names = svc.region_names(session, [code, code[:9] + "000"])
    town = names.get(code[:9] + "000", "")
    if code.endswith("000"):
        return town, ""
    return town, names[code].split("·")[-1]


# -- documents ---------------------------------------------------------------------------------


def _doc(target: Any, pagesize, title: str, *, header: bool = False) -> FormDocument:
    """The shared page frame: 「第 n 页 共 m 页」 per record; a running header on the
    landscape tables that run over several pages."""
    top = 18 * mm if header else 14 * mm
    return FormDocument(target, pagesize=pagesize, title=title, header=header,
                        margins=(15 * mm, 15 * mm, top, 16 * mm))


GRID = [
    ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ("TOPPADDING", (0, 0), (-1, -1), 3),
    ("LEFTPADDING", (0, 0), (-1, -1), 3),
    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
]
LABEL_FILL = colors.Color(0.94, 0.94, 0.94)


def _opinion_cell(title: str) -> list:
    return [
        _para(title, "head"),
        Spacer(1, 30 * mm),
        _para("（盖章）", "right"),
        _para("负责人（签字）：　　　　　　　　　", "right"),
        _para("　　年　　月　　日", "right"),
    ]


def declaration_story(session: Session, p: Project) -> list:
    town, village = _region_parts(session, p.region_code)
    width = A4[0] - 30 * mm
    lab = 33 * mm
    val = (width - 2 * lab) / 2
    story: list = [
        _para(f"{_title_prefix(p.year)}项目入库申报表", "title"),
        Spacer(1, 2 * mm),
    ]
    head = Table(
        [[_para(f"申报单位（盖章）：{village_committee(village) if village else township_government(town)}"),
          _para(f"项目编号：{p.project_no or ''}", "right")]],  # fmt: skip
        colWidths=[width * 0.6, width * 0.4],
    )
    head.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    story += [head, Spacer(1, 1.5 * mm)]

    def L(text: str):  # noqa: N802 - a label cell
        return _para(text, "center")

    rows: list[list] = []
    spans: list[tuple] = []

    def full(label: str, value: Any) -> None:
        r = len(rows)
        rows.append([L(label), value if not isinstance(value, (str, type(None))) else _para(value), "", ""])
        spans.append(("SPAN", (1, r), (3, r)))

    def pair(l1: str, v1: Any, l2: str, v2: Any) -> None:
        rows.append([L(l1), _para(v1), L(l2), _para(v2)])

    full("项目名称", p.name)
    pair("项目类别", _category(p), "建设性质", label_of("construction_nature", p.construction_nature))
    pair("所属乡镇", town, "所属村", village or "（乡镇统筹）")
    pair("项目主管单位", p.competent_dept, "实施主体", p.implementer)
    full("建设地点", p.location)
    pair("实施期限", _period(p), "是否脱贫村", bool_label(p.in_poor_village))
    scale = f"建设规模：{svc.plain_number(p.scale_quantity)}{p.scale_unit or ''}\n" if p.scale_quantity else ""
    full("建设规模及内容", f"{scale}{p.scope_and_content or ''}")
    # 本次拟申请资金: what the project asks of public funds, never 社会/自有 money or loans.
    requested = _public_funds(p) if p.fundings else p.requested_funds
    pair("项目总投资(万元)", _wan(p.total_funds), "本次拟申请资金(万元)", _wan(requested))
    full("资金构成", _funds_by_level(p))
    pair("是否统筹整合", bool_label(p.is_integrated), "资金直接补助到人", bool_label(p.direct_to_person))
    full("受益对象", _beneficiaries(p) or "")
    if p.indicators:
        ind_rows = [[_para("指标类型", "head"), _para("指标名称", "head"), _para("目标值", "head"),
                     _para("单位", "head")]]  # fmt: skip
        for ind in p.indicators:
            ind_rows.append([_para(label_of("indicator_kind", ind.kind), "center"), _para(ind.name),
                             _para(ind.target, "center"), _para(ind.unit, "center")])  # fmt: skip
        inner_w = width - lab
        inner = Table(ind_rows, colWidths=[inner_w * 0.2, inner_w * 0.5, inner_w * 0.18, inner_w * 0.12])
        inner.setStyle(TableStyle([*GRID, ("BACKGROUND", (0, 0), (-1, 0), LABEL_FILL)]))
        r = len(rows)
        rows.append([L("绩效目标"), inner, "", ""])
        spans.append(("SPAN", (1, r), (3, r)))
        spans.append(("LEFTPADDING", (1, r), (1, r), 0))
        spans.append(("RIGHTPADDING", (1, r), (1, r), 0))
        spans.append(("TOPPADDING", (1, r), (1, r), 0))
        spans.append(("BOTTOMPADDING", (1, r), (1, r), 0))
    else:
        full("绩效目标", p.performance_summary or "（未填写）")
    full("联农带农机制", p.benefit_linkage or "")
    pair("预计带动增收(元)", _yuan(p.expected_income_gain), "项目负责人及电话",
         " ".join(x for x in (p.manager, p.manager_phone) if x))  # fmt: skip
    full("社会效益", p.social_benefit)
    full("经济效益", p.economic_benefit)
    table = Table(rows, colWidths=[lab, val, lab, val])
    label_cells = [("BACKGROUND", (0, r), (0, r), LABEL_FILL) for r in range(len(rows))]
    label_cells += [
        ("BACKGROUND", (2, r), (2, r), LABEL_FILL)
        for r, row in enumerate(rows)
        if row[2] != ""
    ]
    table.setStyle(TableStyle([*GRID, *label_cells, *spans]))
    story.append(table)

    third = width / 3
    boxes = Table(
        [[_opinion_cell("村（两委）意见"), _opinion_cell("乡镇审核意见"), _opinion_cell("主管部门审核意见")]],
        colWidths=[third, third, third],
    )
    boxes.setStyle(TableStyle([*GRID, ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [Spacer(1, 0), KeepTogether([boxes])]
    story.append(Spacer(1, 2 * mm))
    story.append(_para("填表人：　　　　　　　联系电话：　　　　　　　　　填表日期：　　　年　　月　　日", "small"))
    return story


NOTICE_COLUMNS = (
    ("序号", 8), ("项目名称", 28), ("建设地点", 22), ("建设\n性质", 10), ("建设内容及规模", 30),
    ("总投资\n(万元)", 14), ("其中财政\n资金(万元)", 15), ("实施主体", 36), ("受益对象", 24),
    ("绩效目标", 28), ("联农带农机制", 0), ("实施期限", 18),
)  # fmt: skip


def _column_widths(columns, total: float) -> list[float]:
    fixed = sum(w for _, w in columns) * mm
    flex = [i for i, (_, w) in enumerate(columns) if w == 0]
    rest = (total - fixed) / max(1, len(flex))
    return [rest if w == 0 else w * mm for _, w in columns]


def notice_story(
    session: Session, projects: Sequence[Project], *, title: str, publisher: str
) -> list:
    width = landscape(A4)[0] - 30 * mm
    head = [_para(h, "notice_center") for h, _ in NOTICE_COLUMNS]
    rows = [head]
    total = public = Decimal(0)
    for n, p in enumerate(projects, start=1):
        total += p.total_funds or 0
        public += _public_funds(p)
        rows.append([
            _para(n, "notice_center"), _para(p.name, "notice"), _para(p.location, "notice"),
            _para(label_of("construction_nature", p.construction_nature), "notice_center"),
            _para(p.scope_and_content, "notice"), _para(_wan(p.total_funds), "notice_right"),
            _para(_wan(_public_funds(p)), "notice_right"), _para(p.implementer, "notice"),
            _para(_beneficiaries(p, short=True), "notice"), _para(_indicator_text(p), "notice"),
            _para(p.benefit_linkage, "notice"), _para(_period(p, "—\n"), "notice_center"),
        ])  # fmt: skip
    rows.append([_para("合计", "notice_center"), _para(f"{len(projects)} 个项目", "notice"), "", "", "",
                 _para(_wan(total), "notice_right"), _para(_wan(public), "notice_right"),
                 "", "", "", "", ""])  # fmt: skip
    table = Table(rows, colWidths=_column_widths(NOTICE_COLUMNS, width), repeatRows=1)
    table.setStyle(TableStyle([*GRID, ("BACKGROUND", (0, 0), (-1, 0), LABEL_FILL),
                               ("SPAN", (1, len(rows) - 1), (4, len(rows) - 1))]))  # fmt: skip
    footer = (
        "公示期：自　　　年　　月　　日至　　　年　　月　　日（不少于10天）。"
        "对公示内容有异议的，请在公示期内向公示单位反映，或拨打监督举报电话："
        "12317（全国防止返贫监测和乡村振兴咨询服务、监督举报电话），本地监督电话：＿＿＿＿＿＿。"
    )
    return [
        _para(title, "title"),
        _para(f"公示单位：{publisher}", "subtitle"),
        Spacer(1, 3 * mm),
        # The 合计 row, the 12317 line and the seal never start a page alone.
        KeepTail([table], [
            Spacer(1, 4 * mm),
            _para(footer, "body"),
            Spacer(1, 6 * mm),
            _para(f"{publisher}（盖章）　　　　　　　　　　　　　　　　　　　　　　年　　月　　日", "right"),
        ]),
    ]


LIST_COLUMNS = (
    ("序号", 9), ("项目编号", 27), ("项目名称", 0), ("项目类别", 26), ("乡镇/村", 30),
    ("主管单位", 26), ("状态", 17), ("总投资\n(万元)", 17), ("下达\n(万元)", 16),
    ("拨付\n(万元)", 16), ("支出\n(万元)", 16), ("实施期限", 18),
)  # fmt: skip


def list_story(session: Session, year: int, rows: Sequence[svc.ProjectRow], *, title: str) -> list:
    width = landscape(A4)[0] - 30 * mm
    data = [[_para(h, "head") for h, _ in LIST_COLUMNS]]
    sums = [Decimal(0)] * 4
    periods = {
        p.id: _period(p, "—\n")
        for p in session.query(Project).filter(Project.id.in_([r.id for r in rows]))
    } if rows else {}  # fmt: skip
    for n, r in enumerate(rows, start=1):
        money = (r.total_funds or Decimal(0), r.allocated, r.paid, r.spent)
        sums = [a + b for a, b in zip(sums, money, strict=True)]
        category = r.category + (f"／{r.subcategory}" if r.subcategory else "")
        data.append([
            _para(n, "list_center"), _para(r.project_no, "list"), _para(r.name, "list"),
            _para(category, "list"), _para(r.region_name, "list"), _para(r.competent_dept, "list"),
            _para(r.status, "list_center"), *(_para(_wan(v), "list_right") for v in money),
            _para(periods.get(r.id, ""), "list_center"),
        ])  # fmt: skip
    data.append([_para("合计", "list_center"), _para(f"{len(rows)} 个", "list"), "", "", "", "", "",
                 *(_para(_wan(v), "list_right") for v in sums), ""])  # fmt: skip
    table = Table(data, colWidths=_column_widths(LIST_COLUMNS, width), repeatRows=1)
    table.setStyle(TableStyle([*GRID, ("BACKGROUND", (0, 0), (-1, 0), LABEL_FILL),
                               ("SPAN", (1, len(data) - 1), (6, len(data) - 1))]))  # fmt: skip
    printed = dt.date.today()
    return [
        _para(title, "title"),
        _para(f"打印日期：{printed:%Y年%m月%d日}　　金额单位：万元", "subtitle"),
        Spacer(1, 3 * mm),
        table,
    ]


# -- entry point --------------------------------------------------------------------------------


def render(
    session: Session,
    kind: str,
    target: str | BinaryIO,
    *,
    project_id: int | None = None,
    year: int | None = None,
    region_code: str | None = None,
) -> int:
    """Write the ``kind`` PDF for one project (``project_id``) or a year's projects (``year``,
    optionally within ``region_code``) to ``target``; returns the number of projects printed.

    Raises UserError when there is nothing to print or the arguments do not fit the kind.
    """
    if kind not in KINDS:
        raise UserError(f"不认识的打印种类“{kind}”，可选：{'、'.join(KINDS)}。")
    if project_id is None and year is None:
        raise UserError("请指定一个项目（--id）或一个年度（--year）。")
    if project_id is not None:
        projects = [svc.get_project(session, project_id)]
        year = projects[0].year
        rows = svc.list_projects(session, svc.ProjectFilter(ids=[project_id]))
    else:
        rows = svc.list_projects(session, svc.ProjectFilter(year=year, region_code=region_code))
        rows = sorted(rows, key=lambda r: (r.region_code, r.project_no or "", r.id))
        if kind == "notice":
            # Only what the county has approved is posted as a project notice; earlier
            # states are posted by the village with the declaration.
            rows = [r for r in rows if r.status_code != svc.REMOVED]
        projects = [svc.get_project(session, r.id) for r in rows] if kind != "list" else []
    if not (projects or rows):
        raise UserError(f"{year}年度没有可打印的项目。")
    assert year is not None
    scope = "全县"
    if region_code:
        scope = svc.region_name(session, region_code)
    elif project_id is not None:
        town, village = _region_parts(session, projects[0].region_code)
        scope = f"{town}{village}"
    if kind == "declaration":
        doc = _doc(target, A4, f"{year}年度项目入库申报表")
        doc.build_records(
            projects,
            lambda p: record("", "", declaration_story(session, p),
                             footer=f"项目入库申报表 {p.project_no or ''}".strip()),
            total=len(projects),
        )
        return len(projects)
    printed = f"打印日期：{dt.date.today():%Y年%m月%d日}"
    if kind == "notice":
        code = region_code or (projects[0].region_code if projects else "")
        county = svc.region_name(session, code[:6] + "000000") if code else ""
        county = "" if county.isdigit() else county
        publisher = county_office(county)
        if project_id is not None or region_code:
            town, village = _region_parts(session, code)
            publisher = township_government(town) if not village else village_committee(village)
        title = f"{scope}{_title_prefix(year)}项目公示表"
        doc = _doc(target, landscape(A4), title, header=True)
        story = notice_story(session, projects, title=title, publisher=publisher)
        doc.build_records([title], lambda _t: record(title, "", story, footer="项目公示表"))
        return len(projects)
    title = f"{scope}{year}年度项目库项目清单"
    doc = _doc(target, landscape(A4), title, header=True)
    story = list_story(session, year, rows, title=title)
    doc.build_records([title], lambda _t: record(title, printed, story, footer="项目清单"))
    return len(rows)
