"""公示表: a village's (or township's) list for public posting (DOMAIN §13.4, §11.4).

Kinds: 识别 (identify), 监测纳入 (monitor), 风险消除 (eliminate), 收益分配 (distribution).
Columns 序号, 组, 户主姓名, 家庭人口, 户类型/监测类别, 事项, 备注, then the 公示期 and 监督电话.

Privacy is by construction: a notice row is built only from the fields below, so ID numbers,
phones, bank accounts and health status (or a risk such as 因病 that reveals it) never reach
the page (DOMAIN §11.4; tests check the PDF text).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from collections.abc import Callable
from dataclasses import dataclass, field

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fupin_desktop.errors import UserError
from fupin_desktop.models import Asset, AssetIncome, Household, IncomeDistribution, MonitoringCase
from fupin_desktop.models.region import code_prefix, level_of_code
from fupin_desktop.printing.common import label
from fupin_desktop.printing.data import RegionNames
from fupin_desktop.rules.text import group_sort_key
from fupin_desktop.printing.layout import (
    NOTICE_SIZE,
    KeepTail,
    column_widths,
    date_text,
    grid_table,
    money,
    para,
    record,
    sized_styles,
)
from fupin_desktop.printing.style import township_government, village_committee

WIDTH = 180 * mm
SUPERVISION_PHONE = "12317"


@dataclass
class NoticeRow:
    household_id: int
    region_code: str
    group: str
    head_name: str
    size: int
    kind: str
    matter: str
    note: str = ""


@dataclass
class Notice:
    kind: NoticeKind
    region_code: str
    region_name: str
    township: str
    year: int
    rows: list[NoticeRow]
    posted_on: dt.date | None  # None: a past year's decision, the 公示期 left to fill in
    days: int = 5
    phone: str = ""  # the township's own supervision phone, printed beside 12317
    summary: str = ""  # a line under the 合计 (收益分配: the total and the village's shares)

    @property
    def title(self) -> str:
        return f"{self.region_name}{self.year}年{self.kind.title}公示"


RowsFn = Callable[[Session, str, int], list[NoticeRow]]
YearsFn = Callable[[Session, str], int | None]


@dataclass(frozen=True)
class NoticeKind:
    key: str
    title: str  # 「防止返贫监测对象纳入」…
    short: str  # 识别 / 监测纳入 / 风险消除 / 收益分配
    intro: str
    rows: RowsFn = field(repr=False)
    latest_year: YearsFn = field(repr=False)


def _in_region(column, region_code: str):
    return column.like(code_prefix(region_code) + "%")


def _identify_rows(session: Session, region: str, year: int) -> list[NoticeRow]:
    stmt = (select(Household).where(_in_region(Household.region_code, region),
                                    Household.identified_year == year, Household.status == "01")
            .order_by(Household.region_code, Household.group_name, Household.household_no))
    return [NoticeRow(h.id, h.region_code, h.group_name or "", h.head_name or "", h.member_count,
                      label("poverty_attribute", h.poverty_attribute) or label("household_type", h.household_type),
                      "拟识别为建档立卡对象", "")
            for h in session.scalars(stmt)]


def _identify_year(session: Session, region: str) -> int | None:
    return session.scalar(select(func.max(Household.identified_year))
                          .where(_in_region(Household.region_code, region)))


def _monitor_rows(session: Session, region: str, year: int) -> list[NoticeRow]:
    stmt = (select(MonitoringCase, Household).join(Household)
            .where(_in_region(Household.region_code, region),
                   MonitoringCase.identified_ym.like(f"{year}-%"))
            .order_by(Household.region_code, Household.group_name, Household.household_no))
    return [NoticeRow(h.id, h.region_code, h.group_name or "", h.head_name or "", h.member_count,
                      label("monitoring_category", c.category),
                      f"拟纳入防止返贫监测对象（{c.identified_ym}）", "")
            for c, h in session.execute(stmt)]


def _monitor_year(session: Session, region: str) -> int | None:
    ym = session.scalar(select(func.max(MonitoringCase.identified_ym)).join(Household)
                        .where(_in_region(Household.region_code, region)))
    return int(ym[:4]) if ym else None


def _eliminate_rows(session: Session, region: str, year: int) -> list[NoticeRow]:
    stmt = (select(MonitoringCase, Household).join(Household)
            .where(_in_region(Household.region_code, region),
                   MonitoringCase.risk_eliminated.is_(True),
                   MonitoringCase.eliminated_ym.like(f"{year}-%"))
            .order_by(Household.region_code, Household.group_name, Household.household_no))
    return [NoticeRow(h.id, h.region_code, h.group_name or "", h.head_name or "", h.member_count,
                      label("monitoring_category", c.category),
                      f"拟标注风险消除（{label('elimination_mode', c.elimination_mode) or '风险消除'}）",
                      f"{c.identified_ym} 纳入监测")
            for c, h in session.execute(stmt)]


def _eliminate_year(session: Session, region: str) -> int | None:
    ym = session.scalar(select(func.max(MonitoringCase.eliminated_ym)).join(Household)
                        .where(_in_region(Household.region_code, region),
                               MonitoringCase.risk_eliminated.is_(True)))
    return int(ym[:4]) if ym else None


def _distribution_rows(session: Session, region: str, year: int) -> list[NoticeRow]:
    stmt = (select(IncomeDistribution, AssetIncome, Asset, Household)
            .join(AssetIncome, IncomeDistribution.asset_income_id == AssetIncome.id)
            .join(Asset, AssetIncome.asset_id == Asset.id)
            .join(Household, IncomeDistribution.household_id == Household.id)
            .where(_in_region(Household.region_code, region), AssetIncome.year == year)
            .order_by(Household.region_code, Household.group_name, Household.household_no,
                      Asset.asset_no))
    rows = []
    for d, _income, asset, h in session.execute(stmt):
        rows.append(NoticeRow(h.id, h.region_code, h.group_name or "", h.head_name or "", h.member_count,
                              label("household_type", h.household_type),
                              f"{asset.name}收益分配", f"{money(d.amount)} 元"))
    return rows


def _distribution_year(session: Session, region: str) -> int | None:
    return session.scalar(select(func.max(AssetIncome.year))
                          .join(IncomeDistribution, IncomeDistribution.asset_income_id == AssetIncome.id)
                          .join(Household, IncomeDistribution.household_id == Household.id)
                          .where(_in_region(Household.region_code, region)))


NOTICE_KINDS: dict[str, NoticeKind] = {
    k.key: k for k in (
        NoticeKind("identify", "建档立卡对象识别", "识别",
                   "经农户申请、村民小组民主评议和村“两委”、驻村工作队入户核实，"
                   "拟将以下农户识别为建档立卡对象，现予公示。", _identify_rows, _identify_year),
        NoticeKind("monitor", "防止返贫监测对象纳入", "监测纳入",
                   "经农户申请（基层干部排查、部门筛查预警）、入户核查、信息比对和民主评议，"
                   "拟将以下农户纳入防止返贫监测对象，现予公示。", _monitor_rows, _monitor_year),
        NoticeKind("eliminate", "防止返贫监测对象风险消除", "风险消除",
                   "经入户核实，以下监测户收入持续稳定、“三保障”和饮水安全有保障，返贫致贫风险已经稳定消除，"
                   "经民主评议，拟标注为风险消除，现予公示。", _eliminate_rows, _eliminate_year),
        NoticeKind("distribution", "扶贫项目资产收益分配", "收益分配",
                   "根据村民代表大会决议和资产收益分配方案，现将本年度扶贫项目资产收益分配到户情况公示如下。",
                   _distribution_rows, _distribution_year),
    )
}


def notice_kind(value: str) -> NoticeKind:
    """The kind named by its key (identify …) or Chinese name (识别 …); UserError otherwise."""
    text = (value or "").strip()
    for kind in NOTICE_KINDS.values():
        if text in (kind.key, kind.short, kind.title) or text == kind.title + "公示":
            return kind
    names = "、".join(f"{k.short}（{k.key}）" for k in NOTICE_KINDS.values())
    raise UserError(f"公示类型“{value}”不认识。可用的类型：{names}。")


def build_notice(session: Session, region_code: str, kind: str | NoticeKind, *,
                 year: int | None = None, posted_on: dt.date | None = None, days: int = 5,
                 phone: str = "") -> Notice:
    """Collect the rows of a notice for a village or township.

    ``year`` defaults to the latest year that has anything to publish. Raises UserError for
    an unknown region or kind, and when there is nothing to publish for that year.
    """
    kind = notice_kind(kind) if isinstance(kind, str) else kind
    try:
        level = level_of_code(region_code)
    except ValueError as err:
        raise UserError(f"区划代码有误：{region_code}。请输入12位数字的乡镇或村代码。") from err
    names = RegionNames(session)
    region_name = names.name(region_code)
    if not region_name:
        raise UserError(f"没有区划代码为 {region_code} 的乡镇或村。请检查代码。")
    if level not in ("village", "township"):
        raise UserError("公示表按村或乡镇打印：请选择一个村或乡镇。")
    if days < 1:
        raise UserError("公示天数至少为1天。")
    year = year or kind.latest_year(session, region_code)
    if year is None:
        raise UserError(f"{region_name}没有可以公示的{kind.short}记录。")
    rows = kind.rows(session, region_code, year)
    rows.sort(key=lambda r: (r.region_code, group_sort_key(r.group)))  # stable: keeps 户编号 order
    if level == "township":  # a township's list names the village in the 组 column
        for row in rows:
            row.group = f"{names.name(row.region_code)}{row.group}"
    township = names.name(region_code[:9] + "000")
    if posted_on is None and year == dt.date.today().year:
        posted_on = dt.date.today()
    summary = _distribution_summary(session, region_code, year) if kind.key == "distribution" else ""
    return Notice(kind, region_code, region_name if level == "village" else township,
                  township, year, rows, posted_on, days, phone, summary)


def _distribution_summary(session: Session, region: str, year: int) -> str:
    """「分配总额 … 元，其中到户 … 元、村集体 … 元、公益岗位 … 元」: every share of the year's
    asset incomes that the region's households receive a part of."""
    incomes = (select(IncomeDistribution.asset_income_id)
               .join(AssetIncome, IncomeDistribution.asset_income_id == AssetIncome.id)
               .join(Household, IncomeDistribution.household_id == Household.id)
               .where(_in_region(Household.region_code, region), AssetIncome.year == year))
    stmt = (select(IncomeDistribution.recipient_type, func.sum(IncomeDistribution.amount))
            .where(IncomeDistribution.asset_income_id.in_(incomes))
            .group_by(IncomeDistribution.recipient_type))
    shares = {code: Decimal(amount or 0) for code, amount in session.execute(stmt)}
    if not shares:
        return ""
    total = sum(shares.values(), Decimal(0))
    parts = [f"到户 {money(shares.get('01', Decimal(0)))} 元",
             f"村集体 {money(shares.get('02', Decimal(0)))} 元",
             f"公益岗位 {money(shares.get('03', Decimal(0)))} 元"]
    parts += [f"{label('recipient_type', code)} {money(amount)} 元"
              for code, amount in sorted(shares.items()) if code not in ("01", "02", "03")]
    return f"{year}年资产收益分配总额 {money(total)} 元，其中" + "、".join(parts) + "。"


def story(notice: Notice) -> list[Flowable]:
    st = sized_styles(NOTICE_SIZE)
    if notice.posted_on is not None:
        end = notice.posted_on + dt.timedelta(days=notice.days - 1)
        period = f"{date_text(notice.posted_on)}至{date_text(end)}（{notice.days}天）"
        posted = date_text(notice.posted_on)
    else:  # a past year's decision: no date of today's under its title
        period, posted = f"{date_text(None)}至{date_text(None)}（{notice.days}天）", date_text(None)
    rows = [[str(i), r.group, r.head_name, str(r.size), r.kind, r.matter, r.note]
            for i, r in enumerate(notice.rows, 1)]
    households = {r.household_id: r.size for r in notice.rows}
    total = f"合计：{len(households)} 户 {sum(households.values())} 人"
    if len(rows) != len(households):
        total += f"，{len(rows)} 条"
    phones = f"{SUPERVISION_PHONE}（全国防止返贫监测和乡村振兴咨询服务热线）"
    if notice.phone:
        phones += f"，{notice.phone}（乡镇）"
    body: list[Flowable] = [
        para(notice.title, st.title),
        Spacer(1, 2 * mm),
        para(notice.kind.intro, st.body),
        para(f"公示期：{period}。"
             "公示期间如有异议，请向村民委员会、驻村工作队或乡（镇）人民政府反映。", st.body),
        Spacer(1, 3 * mm),
        KeepTail([grid_table(
            ["序号", "组", "户主姓名", "家庭人口", "户类型/监测类别", "事项", "备注"], rows,
            column_widths(WIDTH, [10 * mm, 22 * mm, 22 * mm, 20 * mm, 34 * mm, None, 30 * mm]),
            align=["c", "c", "c", "c", "c", "l", "c"], min_rows=0 if rows else 1,
            font_size=NOTICE_SIZE)], [
            Spacer(1, 2 * mm),
            para(total + "。" + notice.summary, st.body),
            Spacer(1, 3 * mm),
            para(f"监督举报电话：{phones}", st.body),
            Spacer(1, 8 * mm),
            para((village_committee(notice.region_name) if notice.region_name != notice.township
                  else township_government(notice.township)) + "（盖章）",
                 st.body.clone("sign", alignment=2)),
            para(posted, st.body.clone("sign_date", alignment=2)),
        ]),
    ]
    return record(notice.title, f"公示期 {notice.days} 天", body, footer=f"{notice.kind.short}公示")


__all__ = ["NOTICE_KINDS", "Notice", "NoticeKind", "NoticeRow", "build_notice", "notice_kind", "story"]
