"""The report's figures, computed as of a month's end from dated records (DOMAIN §9.5, §12).

Nothing here reads "today's" state where a dated record exists, so a past month comes out
the same after later changes:

- a household counts from the month of its 新识别 event (or always, without one) until the
  month of its 自然销户/并户 event (households closed without an event never count);
- a member counts from the month of their 自然增加 event until the month of their 自然减少
  event (a member on record as 自然减少 without an event never counts);
- 脱贫户: 户类型 脱贫户 unless it was marked 脱贫 (event) after the month;
- 监测对象: the household's latest monitoring case identified (``identified_ym``) by the
  month, in state 监测帮扶中 or 风险已消除; 风险已消除 when its ``eliminated_ym`` is by
  the month;
- 三保障/饮水 problems: each household's latest check dated (``checked_on``; a check
  without a date counts from its year) by the month's end, open unless ``resolved_on`` is
  by then; closed = ``resolved_on`` in the period;
- projects: the first date each stage was reached in the status logs; 计划 = the year's
  projects in the annual plan by the month's end (not 出库 by then);
- funds: the year's projects' 下达/拨付/支出 dated by the month's end;
- assets: registered (``registered_on``, else handed over/formed) and disposed
  (``disposed_on`` of a finished disposal, else the status date of 已处置) by dates.

Not dated in the data model: a member's 务工 status and 公益岗位 are today's values for the
members present at the month's end (a submitted month keeps the values it was submitted
with).

Every figure is one set-based query grouped by the region code of the household / project /
asset; townships and totals are sums of those groups in Python (a few hundred rows).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from fupin_desktop.errors import UserError
from fupin_desktop.models import (
    Asset,
    AssetDisposal,
    ChangeEvent,
    Disbursement,
    GuaranteeCheck,
    Household,
    Member,
    MonitoringCase,
    Project,
    ProjectStatusLog,
)
from fupin_desktop.models.household import (
    HOUSEHOLD_ACTIVE,
    MEMBER_PRESENT,
    MONITORING_ACTIVE,
    MONITORING_ELIMINATED,
)

# change_type codes (resources/codes/change_type.csv).
EV_IDENTIFIED, EV_ADDED, EV_REMOVED, EV_CLOSED = "01", "03", "04", "05"
EV_EXIT, EV_MERGE = "08", "12"
TYPE_TUOPIN = "01"  # household_type 脱贫户
ASSET_DISPOSED = "05"  # asset_status / disposal_status 已处置

CATEGORIES = {"01": "脱贫不稳定户", "02": "边缘易致贫户", "03": "突发严重困难户"}
ADDED_REASONS = {"11": "出生", "12": "婚入", "13": "迁入"}  # anything else: 其他
REMOVED_REASONS = {"21": "死亡", "22": "婚出", "23": "迁出"}
OTHER = "其他"
WORK_PLACES = {"县内": ("01", "02"), "县外省内": ("03",), "省外": ("04",)}
DISBURSEMENT_KEYS = {"01": "funds_allocated", "02": "funds_disbursed", "03": "funds_spent"}
# project_status codes from which a project has reached each stage (§9.4).
_STAGES = ("08", "09", "10", "11", "12", "13", "14")
PLANNED, STARTED, COMPLETED, ACCEPTED = _STAGES, _STAGES[1:], _STAGES[2:], _STAGES[3:]
PROJECT_REMOVED = "22"  # 出库

# The `figures` keys of issue #13's JSON, in column order.
FIGURE_KEYS: tuple[str, ...] = (
    "households_tuopin", "people_tuopin", "households_monitored", "people_monitored",
    "monitored_by_category", "households_risk_eliminated", "households_risk_open",
    "new_monitored_households", "new_monitored_people", "eliminated_households",
    "eliminated_people", "people_added", "added_by_reason", "people_removed",
    "removed_by_reason", "problems_open", "problems_closed", "workers_by_place",
    "public_welfare_jobs", "projects_planned", "projects_started", "projects_completed",
    "projects_accepted", "start_rate", "completion_rate", "funds_allocated",
    "funds_disbursed", "funds_spent", "disbursement_rate", "spending_progress", "assets_new",
    "assets_disposed", "assets_count", "assets_value",
)
MONEY_KEYS = frozenset({"funds_allocated", "funds_disbursed", "funds_spent", "assets_value"})
# rate key → (numerator, denominator)
RATES: dict[str, tuple[str, str]] = {
    "start_rate": ("projects_started", "projects_planned"),
    "completion_rate": ("projects_completed", "projects_planned"),
    "disbursement_rate": ("funds_disbursed", "funds_allocated"),
    "spending_progress": ("funds_spent", "funds_allocated"),
}
NESTED_KEYS: dict[str, tuple[str, ...]] = {
    "monitored_by_category": tuple(CATEGORIES.values()),
    "added_by_reason": (*ADDED_REASONS.values(), OTHER),
    "removed_by_reason": (*REMOVED_REASONS.values(), OTHER),
    "workers_by_place": tuple(WORK_PLACES),
}
ZERO = Decimal("0.00")
_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


# ----------------------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    """Flows are counted over ``first``..``last`` (months); stocks as of ``last``'s end."""

    first: str
    last: str

    @property
    def year(self) -> int:
        return int(self.last[:4])

    @property
    def start(self) -> dt.date:
        return dt.date(int(self.first[:4]), int(self.first[5:]), 1)

    @property
    def end(self) -> dt.date:
        y, m = int(self.last[:4]), int(self.last[5:])
        return dt.date(y, m, calendar.monthrange(y, m)[1])


def check_month(month: str) -> str:
    text = str(month or "").strip()
    if not _MONTH.fullmatch(text):
        raise UserError(f"月份“{month}”应写成“年-月”，例如 2025-03。")
    return text


def month_period(month: str) -> Period:
    month = check_month(month)
    return Period(month, month)


def year_period(year: int | str) -> Period:
    text = str(year).strip()
    if not re.fullmatch(r"\d{4}", text) or not 2000 <= int(text) <= 2100:
        raise UserError(f"年份“{year}”应为四位数字，例如 2025。")
    return Period(f"{text}-01", f"{text}-12")


def add_months(month: str, n: int) -> str:
    y, m = int(month[:4]), int(month[5:])
    index = y * 12 + m - 1 + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


# ----------------------------------------------------------------------------- figure dicts


def empty_figures() -> dict[str, Any]:
    """Zero raw figures (rates are filled by ``finish``)."""
    out: dict[str, Any] = {}
    for key in FIGURE_KEYS:
        if key in NESTED_KEYS:
            if key == "monitored_by_category":
                out[key] = {c: {"households": 0, "people": 0} for c in NESTED_KEYS[key]}
            else:
                out[key] = dict.fromkeys(NESTED_KEYS[key], 0)
        elif key in MONEY_KEYS:
            out[key] = ZERO
        elif key in RATES:
            out[key] = None
        else:
            out[key] = 0
    return out


def add_into(target: dict[str, Any], other: dict[str, Any]) -> None:
    """target += other, key by key (nested dicts too); rates are left for ``finish``."""
    for key, value in other.items():
        if key in RATES:
            continue
        if isinstance(value, dict):
            add_into(target[key], value)
        else:
            target[key] += value


def finish(figures: dict[str, Any]) -> dict[str, Any]:
    """Fill the rates from their parts: a number 0..1, None when the denominator is 0."""
    for key, (num, den) in RATES.items():
        d = figures[den]
        figures[key] = float(Decimal(figures[num]) / Decimal(d)) if d else None
    return figures


# ----------------------------------------------------------------------------- the queries


def _count(cond: Any) -> Any:
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def _sum(cond: Any, value: Any) -> Any:
    return func.coalesce(func.sum(case((cond, value), else_=0)), 0)


def _in_region(column: Any, prefix: str) -> Any:
    return column.like(prefix + "%") if prefix else literal(True)


class _Households:
    """The per-household as-of state: subqueries and condition expressions over them."""

    def __init__(self, period: Period) -> None:
        m_last, m_first = period.last, period.first
        ce = ChangeEvent.__table__
        self.h = h = Household.__table__
        self.hev = hev = (
            select(
                ce.c.household_id.label("hid"),
                func.min(case((ce.c.type == EV_IDENTIFIED, ce.c.reported_month))).label("start_m"),
                func.min(case((ce.c.type.in_((EV_CLOSED, EV_MERGE)), ce.c.reported_month))).label("end_m"),
                func.max(case((ce.c.type == EV_EXIT, ce.c.reported_month))).label("exit_m"),
            )
            .where(ce.c.type.in_((EV_IDENTIFIED, EV_CLOSED, EV_MERGE, EV_EXIT)))
            .group_by(ce.c.household_id)
            .subquery("hev")
        )
        m = Member.__table__
        self.mev = mev = (
            select(
                ce.c.member_id.label("mid"),
                func.max(case((ce.c.type == EV_ADDED, ce.c.reported_month))).label("add_m"),
                func.max(case((ce.c.type == EV_REMOVED, ce.c.reported_month))).label("rem_m"),
            )
            .where(ce.c.member_id.is_not(None), ce.c.type.in_((EV_ADDED, EV_REMOVED)))
            .group_by(ce.c.member_id)
            .subquery("mev")
        )
        self.member_present = present = and_(
            or_(mev.c.add_m.is_(None), mev.c.add_m <= m_last),
            or_(m.c.status == MEMBER_PRESENT, mev.c.rem_m > m_last),
        )
        member_cols = [
            m.c.household_id.label("hid"),
            _count(present).label("people"),
            *(_count(and_(present, m.c.work_status.in_(codes))).label(f"work_{i}")
              for i, codes in enumerate(WORK_PLACES.values())),
            _count(and_(present, m.c.public_welfare_job.is_not(None))).label("welfare"),
        ]
        self.pc = pc = (
            select(*member_cols)
            .select_from(m.outerjoin(mev, mev.c.mid == m.c.id))
            .group_by(m.c.household_id)
            .subquery("pc")
        )
        mc = MonitoringCase.__table__
        counted = and_(mc.c.state.in_((MONITORING_ACTIVE, MONITORING_ELIMINATED)),
                       mc.c.identified_ym <= m_last)
        by_household = {"partition_by": mc.c.household_id}
        ranked = (
            select(
                mc.c.household_id.label("hid"),
                mc.c.category,
                mc.c.eliminated_ym,
                func.row_number().over(
                    order_by=(mc.c.identified_ym.desc(), mc.c.id.desc()), **by_household
                ).label("rn"),
                func.max(case((mc.c.identified_ym >= m_first, 1), else_=0)).over(**by_household)
                .label("new"),
                func.max(case((and_(mc.c.eliminated_ym >= m_first, mc.c.eliminated_ym <= m_last), 1),
                              else_=0)).over(**by_household).label("elim"),
            )
            .where(counted)
            .subquery("ranked")
        )
        self.case = case_ = select(ranked).where(ranked.c.rn == 1).subquery("lc")

        self.alive = alive = and_(
            or_(hev.c.start_m.is_(None), hev.c.start_m <= m_last),
            or_(h.c.status == HOUSEHOLD_ACTIVE, hev.c.end_m > m_last),
        )
        self.tuopin = and_(alive, h.c.household_type == TYPE_TUOPIN,
                           or_(hev.c.exit_m.is_(None), hev.c.exit_m <= m_last))
        self.monitored = and_(alive, case_.c.hid.is_not(None))
        self.eliminated = and_(self.monitored, case_.c.eliminated_ym <= m_last)
        self.open = and_(self.monitored, or_(case_.c.eliminated_ym.is_(None),
                                             case_.c.eliminated_ym > m_last))
        self.new = and_(self.monitored, case_.c.new == 1)
        self.eliminated_now = and_(self.monitored, case_.c.elim == 1)
        self.covered = or_(self.tuopin, self.monitored)  # 脱贫户 and 监测户: 就业 figures
        self.people = func.coalesce(pc.c.people, 0)

    def joined(self) -> Any:
        h = self.h
        return (
            h.outerjoin(self.hev, self.hev.c.hid == h.c.id)
            .outerjoin(self.pc, self.pc.c.hid == h.c.id)
            .outerjoin(self.case, self.case.c.hid == h.c.id)
        )

    def category(self, code: str) -> Any:
        return and_(self.monitored, self.case.c.category == code)


def _household_figures(session: Session, period: Period, prefix: str,
                       out: dict[str, dict[str, Any]]) -> None:
    q = _Households(period)
    cols: list[tuple[str, Any]] = [
        ("households_tuopin", _count(q.tuopin)),
        ("people_tuopin", _sum(q.tuopin, q.people)),
        ("households_monitored", _count(q.monitored)),
        ("people_monitored", _sum(q.monitored, q.people)),
        ("households_risk_eliminated", _count(q.eliminated)),
        ("households_risk_open", _count(q.open)),
        ("new_monitored_households", _count(q.new)),
        ("new_monitored_people", _sum(q.new, q.people)),
        ("eliminated_households", _count(q.eliminated_now)),
        ("eliminated_people", _sum(q.eliminated_now, q.people)),
        ("public_welfare_jobs", _sum(q.covered, func.coalesce(q.pc.c.welfare, 0))),
    ]
    for code, label in CATEGORIES.items():
        cols.append((f"cat:{label}:households", _count(q.category(code))))
        cols.append((f"cat:{label}:people", _sum(q.category(code), q.people)))
    for i, place in enumerate(WORK_PLACES):
        cols.append((f"work:{place}", _sum(q.covered, func.coalesce(q.pc.c[f"work_{i}"], 0))))
    stmt = (
        select(q.h.c.region_code, *(expr for _name, expr in cols))
        .select_from(q.joined())
        .where(_in_region(q.h.c.region_code, prefix))
        .group_by(q.h.c.region_code)
    )
    for row in session.execute(stmt):
        fig = out.setdefault(row[0], empty_figures())
        for (name, _expr), value in zip(cols, row[1:], strict=True):
            value = int(value or 0)
            if name.startswith("cat:"):
                _tag, label, part = name.split(":")
                fig["monitored_by_category"][label][part] += value
            elif name.startswith("work:"):
                fig["workers_by_place"][name[5:]] += value
            else:
                fig[name] += value


def _member_changes(session: Session, period: Period, prefix: str,
                    out: dict[str, dict[str, Any]]) -> None:
    ce, h = ChangeEvent.__table__, Household.__table__
    stmt = (
        select(h.c.region_code, ce.c.type, ce.c.reason, func.count())
        .select_from(ce.join(h, h.c.id == ce.c.household_id))
        .where(ce.c.type.in_((EV_ADDED, EV_REMOVED)),
               ce.c.reported_month >= period.first, ce.c.reported_month <= period.last,
               _in_region(h.c.region_code, prefix))
        .group_by(h.c.region_code, ce.c.type, ce.c.reason)
    )
    for region, type_, reason, n in session.execute(stmt):
        fig = out.setdefault(region, empty_figures())
        if type_ == EV_ADDED:
            fig["people_added"] += n
            fig["added_by_reason"][ADDED_REASONS.get(reason, OTHER)] += n
        else:
            fig["people_removed"] += n
            fig["removed_by_reason"][REMOVED_REASONS.get(reason, OTHER)] += n


def _problem_count(g: Any) -> Any:
    flags = (g.c.food_worry, g.c.clothing_worry, g.c.housing_problem, g.c.education_problem,
             g.c.medical_problem, g.c.water_problem)
    total: Any = literal(0)
    for flag in flags:
        total = total + case((flag.is_(True), 1), else_=0)
    return total


class _Checks:
    """Each household's latest 三保障 check dated by the period's end."""

    def __init__(self, period: Period) -> None:
        g = GuaranteeCheck.__table__
        dated = or_(g.c.checked_on <= period.end,
                    and_(g.c.checked_on.is_(None), g.c.year <= period.year))
        self.ranked = (
            select(
                g.c.household_id.label("hid"),
                _problem_count(g).label("problems"),
                g.c.resolved_on,
                func.row_number().over(partition_by=g.c.household_id,
                                       order_by=g.c.year.desc()).label("rn"),
            )
            .where(dated)
            .subquery("checks")
        )
        r = self.ranked
        self.open = and_(r.c.rn == 1, r.c.problems > 0,
                         or_(r.c.resolved_on.is_(None), r.c.resolved_on > period.end))
        self.closed = and_(r.c.problems > 0, r.c.resolved_on >= period.start,
                           r.c.resolved_on <= period.end)


def _problems(session: Session, period: Period, prefix: str, out: dict[str, dict[str, Any]]) -> None:
    q, c = _Households(period), _Checks(period)
    r = c.ranked
    stmt = (
        select(q.h.c.region_code, _sum(c.open, r.c.problems), _sum(c.closed, r.c.problems))
        .select_from(r.join(q.h, q.h.c.id == r.c.hid).outerjoin(q.hev, q.hev.c.hid == q.h.c.id))
        .where(q.alive, _in_region(q.h.c.region_code, prefix))
        .group_by(q.h.c.region_code)
    )
    for region, n_open, n_closed in session.execute(stmt):
        fig = out.setdefault(region, empty_figures())
        fig["problems_open"] += int(n_open or 0)
        fig["problems_closed"] += int(n_closed or 0)


def _stage_dates() -> Any:
    log = ProjectStatusLog.__table__

    def first(codes: Iterable[str]) -> Any:
        return func.min(case((log.c.to_status.in_(tuple(codes)), log.c.date)))

    return (
        select(log.c.project_id.label("pid"), first(PLANNED).label("planned"),
               first(STARTED).label("started"), first(COMPLETED).label("completed"),
               first(ACCEPTED).label("accepted"), first((PROJECT_REMOVED,)).label("removed"))
        .group_by(log.c.project_id)
        .subquery("stages")
    )


def _projects(session: Session, period: Period, prefix: str, out: dict[str, dict[str, Any]]) -> None:
    p, s, end = Project.__table__, _stage_dates(), period.end
    in_plan = and_(p.c.year == period.year, s.c.planned <= end,
                   or_(s.c.removed.is_(None), s.c.removed > end))
    keys = ("projects_planned", "projects_started", "projects_completed", "projects_accepted")
    stmt = (
        select(p.c.region_code, _count(in_plan), _count(and_(in_plan, s.c.started <= end)),
               _count(and_(in_plan, s.c.completed <= end)),
               _count(and_(in_plan, s.c.accepted <= end)))
        .select_from(p.join(s, s.c.pid == p.c.id))
        .where(p.c.year == period.year, _in_region(p.c.region_code, prefix))
        .group_by(p.c.region_code)
    )
    for region, *values in session.execute(stmt):
        fig = out.setdefault(region, empty_figures())
        for key, value in zip(keys, values, strict=True):
            fig[key] += int(value or 0)
    d = Disbursement.__table__
    stmt = (
        select(p.c.region_code, d.c.kind, func.sum(d.c.amount))
        .select_from(d.join(p, p.c.id == d.c.project_id))
        .where(p.c.year == period.year, d.c.date <= end, _in_region(p.c.region_code, prefix))
        .group_by(p.c.region_code, d.c.kind)
    )
    for region, kind, amount in session.execute(stmt):
        key = DISBURSEMENT_KEYS.get(kind)
        if key:
            fig = out.setdefault(region, empty_figures())
            fig[key] += Decimal(amount or 0).quantize(ZERO)


def _asset_dates() -> tuple[Any, Any, Any]:
    a, ad = Asset.__table__, AssetDisposal.__table__
    disposals = (
        select(ad.c.asset_id.label("aid"), func.min(ad.c.disposed_on).label("disposed_on"))
        .where(ad.c.status == ASSET_DISPOSED, ad.c.disposed_on.is_not(None))
        .group_by(ad.c.asset_id)
        .subquery("disposals")
    )
    registered = func.coalesce(a.c.registered_on, a.c.handed_over_on, a.c.formed_on)
    disposed = func.coalesce(
        disposals.c.disposed_on, case((a.c.status == ASSET_DISPOSED, a.c.status_changed_on))
    )
    return disposals, registered, disposed


def _assets(session: Session, period: Period, prefix: str, out: dict[str, dict[str, Any]]) -> None:
    a = Asset.__table__
    disposals, registered, disposed = _asset_dates()
    start, end = period.start, period.end
    held = and_(or_(registered.is_(None), registered <= end),
                or_(disposed.is_(None), disposed > end))
    stmt = (
        select(a.c.region_code,
               _count(and_(registered >= start, registered <= end)),
               _count(and_(disposed >= start, disposed <= end)),
               _count(held), _sum(held, a.c.original_value))
        .select_from(a.outerjoin(disposals, disposals.c.aid == a.c.id))
        .where(_in_region(a.c.region_code, prefix))
        .group_by(a.c.region_code)
    )
    for region, new, gone, count, value in session.execute(stmt):
        fig = out.setdefault(region, empty_figures())
        fig["assets_new"] += int(new or 0)
        fig["assets_disposed"] += int(gone or 0)
        fig["assets_count"] += int(count or 0)
        fig["assets_value"] += Decimal(value or 0).quantize(ZERO)


def figures_by_region(session: Session, period: Period, prefix: str) -> dict[str, dict[str, Any]]:
    """Raw figures (no rates) per region code that holds households, projects or assets."""
    out: dict[str, dict[str, Any]] = {}
    _household_figures(session, period, prefix, out)
    _member_changes(session, period, prefix, out)
    _problems(session, period, prefix, out)
    _projects(session, period, prefix, out)
    _assets(session, period, prefix, out)
    return out


# ----------------------------------------------------------------------------- drill-down


def households_behind(session: Session, period: Period, prefix: str, key: str) -> list[int]:
    """Ids of the households behind a household count (or the people in it), in id order."""
    q = _Households(period)
    h = q.h
    conditions = {
        "households_tuopin": q.tuopin, "people_tuopin": q.tuopin,
        "households_monitored": q.monitored, "people_monitored": q.monitored,
        "households_risk_eliminated": q.eliminated, "households_risk_open": q.open,
        "new_monitored_households": q.new, "new_monitored_people": q.new,
        "eliminated_households": q.eliminated_now, "eliminated_people": q.eliminated_now,
        "public_welfare_jobs": and_(q.covered, q.pc.c.welfare > 0),
        "workers_by_place": and_(q.covered, or_(*(q.pc.c[f"work_{i}"] > 0
                                                   for i in range(len(WORK_PLACES))))),
    }
    for code, label in CATEGORIES.items():
        conditions[f"monitored_by_category.{label}"] = q.category(code)
    base = select(h.c.id).select_from(q.joined()).where(_in_region(h.c.region_code, prefix))
    if key in conditions:
        stmt = base.where(conditions[key])
    elif key in ("people_added", "people_removed"):
        ce = ChangeEvent.__table__
        type_ = EV_ADDED if key == "people_added" else EV_REMOVED
        stmt = (
            select(h.c.id).select_from(ce.join(h, h.c.id == ce.c.household_id))
            .where(ce.c.type == type_, ce.c.reported_month >= period.first,
                   ce.c.reported_month <= period.last, _in_region(h.c.region_code, prefix))
        )
    elif key in ("problems_open", "problems_closed"):
        c = _Checks(period)
        stmt = base.join(c.ranked, c.ranked.c.hid == h.c.id).where(
            q.alive, c.open if key == "problems_open" else c.closed)
    else:
        raise UserError("这一栏不是按户统计的数字，不能列出户。")
    return sorted(set(session.scalars(stmt)))
