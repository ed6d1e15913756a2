"""What the newer printed forms need, read from the database (the forms in ``printing/`` only
lay out what they are given):

- :func:`monitoring_lines` — the 监测范围 of each year (checks' one definition), for the
  收入测算表 and the 监测 采集表;
- :func:`handover` — a 资产移交书: the project and every asset of the same hand-over;
- :func:`change_notice` — a month's 人口变动 list of a village or township from ChangeEvent.

Each raises :class:`UserError` with a Chinese message for an unknown id, region or month.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from fupin_desktop.codes import label_of
from fupin_desktop.errors import UserError
from fupin_desktop.models import Asset, ChangeEvent, Household, Member, Project, ProjectFunding
from fupin_desktop.models.region import code_prefix, level_of_code
from fupin_desktop.printing.change_notice import ChangeNotice, ChangeRow
from fupin_desktop.printing.data import RegionNames
from fupin_desktop.rules.text import group_sort_key
from fupin_desktop.printing.handover import Handover, HandoverAsset

# Not a 动态调整: a corrected field is not posted.
NOT_POSTED_TYPES = frozenset({"13"})


def monitoring_lines(session: Session) -> Callable[[int], Decimal | None]:
    """``line(year)``: the year's 监测范围 (元 per person), read once per year asked."""
    from fupin_desktop.services.checks import monitoring_line

    cache: dict[int, Decimal | None] = {}

    def line(year: int) -> Decimal | None:
        if year not in cache:
            cache[year] = monitoring_line(session, year)
        return cache[year]

    return line


# -- 资产移交书 ------------------------------------------------------------------------------


def handover(session: Session, asset_id: int) -> Handover:
    """The 移交书 an asset was handed over with: its project and every asset of that project
    carrying the same 移交文书号 (the asset alone if it has none)."""
    asset = session.get(Asset, asset_id)
    if asset is None:
        raise UserError(f"没有 id 为 {asset_id} 的资产。请在资产台账中核对。")
    if asset.project_id is None:
        raise UserError(f"资产“{asset.name}”没有来源项目，不是项目移交形成的资产，无法打印资产移交书。")
    project = session.get(Project, asset.project_id)
    stmt = select(Asset).where(Asset.project_id == asset.project_id)
    stmt = stmt.where(Asset.handover_doc == asset.handover_doc) if asset.handover_doc else \
        stmt.where(Asset.id == asset.id)
    assets = list(session.scalars(stmt.order_by(Asset.asset_no, Asset.id)))
    names = RegionNames(session)
    place = names.place(project.region_code if level_of_code(project.region_code) == "village"
                        else project.region_code[:9] + "000")
    sources: dict[str, Decimal] = {}
    for f in session.scalars(select(ProjectFunding).where(ProjectFunding.project_id == project.id)):
        if f.source and f.amount:
            key = label_of("fund_source", f.source) or f.source
            sources[key] = sources.get(key, Decimal("0")) + Decimal(f.amount)
    rows = []
    for a in assets:
        funds = "、".join(label_of("fund_source", f.source) or f.source for f in a.fundings if f.amount)
        rows.append(HandoverAsset(
            asset_no=a.asset_no, name=a.name, category=label_of("asset_category", a.category),
            scale=_scale(a.quantity, a.unit), value=Decimal(a.original_value), funds=funds,
            owner=a.owner_name or "", custodian=a.custodian or "",
        ))
    receivers = [a.owner_name for a in assets if a.owner_name]
    return Handover(
        doc_no=asset.handover_doc or "", handed_over_on=asset.handed_over_on,
        project_name=project.name, project_no=project.project_no or "", project_year=project.year,
        location=project.location or place.line(), scale=_scale(project.scale_quantity, project.scale_unit),
        implementer=project.implementer or "", competent_dept=project.competent_dept or "",
        project_funds=project.total_funds, funds_by_source=list(sources.items()),
        county=place.county, township=place.township, village=place.village,
        giver=project.implementer or project.competent_dept or "",
        receiver=receivers[0] if receivers else "", assets=rows,
    )


def latest_handover_asset(session: Session, project_id: int) -> int:
    """An asset of the project's latest hand-over (its 移交书 lists them all)."""
    project = session.get(Project, project_id)
    if project is None:
        raise UserError("项目不存在，请刷新项目列表。")
    asset_id = session.scalar(
        select(Asset.id).where(Asset.project_id == project_id)
        .order_by(Asset.id.desc()).limit(1))
    if asset_id is None:
        raise UserError(f"项目“{project.name}”还没有移交形成资产，请先办理“资产移交”。")
    return asset_id


def _scale(quantity: Decimal | None, unit: str | None) -> str:
    if quantity is None:
        return ""
    text = f"{quantity:.2f}".rstrip("0").rstrip(".")
    return f"{text}{unit or ''}"


# -- 人口变动公示 ----------------------------------------------------------------------------


def change_notice(session: Session, region_code: str, month: str, *, posted_on: dt.date | None = None,
                  days: int = 5, phone: str = "") -> ChangeNotice:
    """The 人口变动 rows of ``month`` (by reported_month) under a village or township."""
    from fupin_desktop.services.projects import parse_month

    month = parse_month(month, "公示月份")
    if month is None:
        raise UserError("请填写要公示的月份，例如 2026-03。")
    try:
        level = level_of_code(region_code)
        prefix = code_prefix(region_code)
    except ValueError as err:
        raise UserError(f"区划代码有误：{region_code}。请输入12位数字的乡镇或村代码。") from err
    names = RegionNames(session)
    if not names.name(region_code):
        raise UserError(f"没有区划代码为 {region_code} 的乡镇或村。请检查代码。")
    if level not in ("village", "township"):
        raise UserError("公示表按村或乡镇打印：请选择一个村或乡镇。")
    if days < 1:
        raise UserError("公示天数至少为1天。")
    stmt = (select(ChangeEvent, Household).join(Household, ChangeEvent.household_id == Household.id)
            .where(ChangeEvent.reported_month == month, Household.region_code.like(prefix + "%"),
                   ChangeEvent.type.not_in(NOT_POSTED_TYPES)))
    events = session.execute(stmt).all()
    events.sort(key=lambda row: (row[1].region_code, group_sort_key(row[1].group_name),
                                 row[1].household_no or "", row[0].effective_date, row[0].id))
    member_ids = {e.member_id for e, _h in events if e.member_id}
    members = {m.id: m for m in session.scalars(select(Member).where(Member.id.in_(member_ids)))} \
        if member_ids else {}
    rows = []
    for e, h in events:
        m = members.get(e.member_id) if e.member_id else None
        group = h.group_name or ""
        if level == "township":
            group = f"{names.name(h.region_code)}{group}"
        rows.append(ChangeRow(
            household_id=h.id, region_code=h.region_code, group=group, head_name=h.head_name or "",
            person=m.name if m is not None else "全户", relation=label_of("relation", m.relation) if m else "",
            kind=label_of("change_type", e.type), reason=label_of("change_reason", e.reason) if e.reason else "",
            effective=e.effective_date, size=h.member_count,
        ))
    if not rows:
        raise UserError(f"{names.name(region_code)}{month[:4]}年{int(month[5:])}月没有人口变动记录，无需公示。")
    township = names.name(region_code[:9] + "000")
    return ChangeNotice(region_name=names.name(region_code) if level == "village" else township,
                        township=township, is_village=level == "village", month=month, rows=rows,
                        posted_on=posted_on or dt.date.today(), days=days, phone=phone)


__all__ = ["change_notice", "handover", "latest_handover_asset", "monitoring_lines"]
