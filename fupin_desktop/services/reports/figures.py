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

- 返贫/致贫: households whose 返贫 event (标注返贫: 脱贫属性 返贫) is reported in the period
  and that are on record at the month's end, with their people then. That event is the one
  dated record of a household falling (back) into poverty — a 脱贫户 returning is 返贫, any
  other household so marked is counted as 致贫 in the same column. Households newly
  identified as 监测对象 are at *risk* of 返贫/致贫; they are the 新识别监测 columns and are
  not counted again here (the monitoring category names the risk, not an event).

Not dated in the data model: a member's 务工 status, 公益岗位 and 医保 (城乡居民医保 /
城镇职工医保) are today's values for the members present at the month's end (a submitted
month keeps the values it was submitted with). 医保参保率 = people of 脱贫户 and 监测户 at
the month's end with either insurance ÷ those people (``people_insured`` ÷ ``people_covered``).

Every figure is one set-based query grouped by the region code of the household / project /
asset; townships and totals are sums of those groups in Python (a few hundred rows).
"""

from __future__ import annotations

import calendar
import copy
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, Integer, String, and_, case, func, literal, literal_column, or_, select, text, true, union_all
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
    REPORT_MEMBERS_WHERE,
    UNINSURED_MEMBERS_WHERE,
    MONITORING_ACTIVE,
    MONITORING_ELIMINATED,
)

# change_type codes (resources/codes/change_type.csv).
EV_IDENTIFIED, EV_ADDED, EV_REMOVED, EV_CLOSED = "01", "03", "04", "05"
EV_EXIT, EV_RETURN, EV_MERGE = "08", "09", "12"
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

# The `figures` keys of issue #13's JSON in column order, with the keys its column groups
# name beyond that list: 返贫/致贫 户/人 (returned_*), 医保参保率 and its parts.
FIGURE_KEYS: tuple[str, ...] = (
    "households_tuopin", "people_tuopin", "households_monitored", "people_monitored",
    "monitored_by_category", "households_risk_eliminated", "households_risk_open",
    "new_monitored_households", "new_monitored_people", "eliminated_households",
    "eliminated_people", "people_added", "added_by_reason", "people_removed",
    "removed_by_reason", "returned_households", "returned_people", "problems_open",
    "problems_closed", "people_covered", "people_insured", "medical_insurance_rate",
    "workers_by_place",
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
    "medical_insurance_rate": ("people_insured", "people_covered"),
}
NESTED_KEYS: dict[str, tuple[str, ...]] = {
    "monitored_by_category": tuple(CATEGORIES.values()),
    "added_by_reason": (*ADDED_REASONS.values(), OTHER),
    "removed_by_reason": (*REMOVED_REASONS.values(), OTHER),
    "workers_by_place": tuple(WORK_PLACES),
}
ZERO = Decimal("0.00")
_NOT_ELIMINATED = "9999-99"  # sorts after every month
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


def add_into(target: dict[str, Any], other: dict[str, Any], sign: int = 1) -> None:
    """target += other (or −= with ``sign`` −1), key by key (nested dicts too); rates are
    left for ``finish``."""
    for key, value in other.items():
        if key in RATES:
            continue
        if isinstance(value, dict):
            add_into(target[key], value, sign)
        else:
            target[key] += value if sign > 0 else -value


def finish(figures: dict[str, Any]) -> dict[str, Any]:
    """Fill the rates from their parts: a number 0..1, None when the denominator is 0."""
    for key, (num, den) in RATES.items():
        d = figures[den]
        figures[key] = float(Decimal(figures[num]) / Decimal(d)) if d else None
    return figures


# ----------------------------------------------------------------------------- the queries


def _figures_of(out: dict[str, dict[str, Any]], region: str) -> dict[str, Any]:
    fig = out.get(region)
    if fig is None:
        fig = out[region] = empty_figures()
    return fig


def _count(cond: Any) -> Any:
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def _sum(cond: Any, value: Any) -> Any:
    return func.coalesce(func.sum(case((cond, value), else_=0)), 0)


def _in_region(column: Any, prefix: str) -> Any:
    return column.like(prefix + "%") if prefix else literal(True)


def _household_events(period: Period, only: Any = None) -> Any:
    """Per household: the months of its 新识别 (start), 销户/并户 (end) and 脱贫 events, and
    whether a 返贫 is reported in the period."""
    ce = ChangeEvent.__table__
    return (
        select(
            ce.c.household_id.label("hid"),
            func.min(case((ce.c.type == EV_IDENTIFIED, ce.c.reported_month))).label("start_m"),
            func.min(case((ce.c.type.in_((EV_CLOSED, EV_MERGE)), ce.c.reported_month))).label("end_m"),
            func.max(case((ce.c.type == EV_EXIT, ce.c.reported_month))).label("exit_m"),
            func.max(case((and_(ce.c.type == EV_RETURN, ce.c.reported_month >= period.first,
                                ce.c.reported_month <= period.last), 1), else_=0)).label("returned"),
        )
        .where(ce.c.type.in_((EV_IDENTIFIED, EV_CLOSED, EV_MERGE, EV_EXIT, EV_RETURN)),
               *_only(ce.c.household_id, only))
        .group_by(ce.c.household_id)
        .subquery("hev")
    )


def _alive(h: Any, hev: Any, m_last: Any) -> Any:
    """On record at the end of month ``m_last`` (a literal or a column of month rows)."""
    return and_(
        or_(hev.c.start_m.is_(None), hev.c.start_m <= m_last),
        or_(h.c.status == HOUSEHOLD_ACTIVE, hev.c.end_m > m_last),
    )


def _check_states(start: Any, end: Any, year: Any, g: Any = None) -> tuple[Any, Any, Any, Any, Any]:
    """三保障/饮水 problems of the checks with a problem: (table, its problem count, dated by
    ``end``, open at ``end``, closed in ``start``..``end``). A check counts when it is its
    household's latest dated by the end (a check without a date counts from its year), open
    unless resolved by then, closed when resolved in the period. ``start``/``end``/``year``
    are literals, or the columns of month rows (the trend); ``g`` the checks to read (a
    subquery of them with the same columns), by default the table."""
    g2 = GuaranteeCheck.__table__.alias("later_check")
    g = GuaranteeCheck.__table__ if g is None else g

    def dated(t: Any) -> Any:
        return or_(t.c.checked_on <= end, and_(t.c.checked_on.is_(None), t.c.year <= year))

    superseded = (
        select(g2.c.id)
        .where(g2.c.household_id == g.c.household_id, g2.c.year > g.c.year, dated(g2))
        .exists()
    )
    is_open = and_(or_(g.c.resolved_on.is_(None), g.c.resolved_on > end), ~superseded)
    is_closed = and_(g.c.resolved_on >= start, g.c.resolved_on <= end)
    with_problem = and_(dated(g), or_(*(flag.is_(True) for flag in _problem_flags(g))))
    return g, _problem_count(g), with_problem, is_open, is_closed


def _only(column: Any, ids: Any) -> tuple[Any, ...]:
    """``column IN (…ids)``, or nothing. The ids (integers from the database) are written
    into the statement once as text: rendering thousands of bound literals per subquery
    cost more than the query."""
    if ids is None:
        return ()
    if not isinstance(ids, str):
        ids = _id_list(ids)
    return (column.op("IN")(literal_column(ids)),)


def _id_list(ids: Any) -> str:
    return "(" + (",".join(str(int(i)) for i in sorted(ids)) or "NULL") + ")"


class _Households:
    """The per-household as-of state: subqueries and condition expressions over them.

    ``only``: household ids to restrict every subquery to (the trend's changed households);
    ``problems``: False leaves out the 三保障/饮水 problems (the trend counts them apart)."""

    def __init__(self, period: Period, only: Any = None, problems: bool = True) -> None:
        m_last, m_first = period.last, period.first
        ce = ChangeEvent.__table__
        self.h = h = Household.__table__
        only = _id_list(only) if only is not None else None  # written once, used by each subquery
        self.restrict = _only(h.c.id, only)
        self.hev = hev = _household_events(period, only)
        # People at the month's end = people now (households.member_count) corrected by
        # the members whose 自然增加/减少 was reported after the month (few, off the
        # reported_month index); 务工/公益岗位 likewise from the members who have either
        # (the partial index ix_members_report).
        m = Member.__table__
        later = (
            select(
                ce.c.member_id.label("mid"),
                func.max(case((ce.c.type == EV_ADDED, 1), else_=0)).label("added"),
                func.max(case((ce.c.type == EV_REMOVED, 1), else_=0)).label("removed"),
            )
            .where(ce.c.reported_month > m_last, ce.c.type.in_((EV_ADDED, EV_REMOVED)),
                   ce.c.member_id.is_not(None), *_only(ce.c.household_id, only))
            .group_by(ce.c.member_id)
            .subquery("later")
        )
        sign = case(
            (and_(m.c.status == MEMBER_PRESENT, later.c.added == 1), -1),
            (and_(m.c.status != MEMBER_PRESENT, later.c.removed == 1, later.c.added == 0), 1),
            else_=0,
        )
        worker = [m.c.work_status.in_(codes) for codes in WORK_PLACES.values()]
        welfare = m.c.public_welfare_job.is_not(None)
        uninsured = ~or_(func.coalesce(m.c.has_resident_medical, False),
                         func.coalesce(m.c.has_employee_medical, False))

        def per_household(weight: Any) -> list[Any]:
            return [
                *(func.sum(case((cond, weight), else_=0)).label(f"work_{i}")
                  for i, cond in enumerate(worker)),
                func.sum(case((welfare, weight), else_=0)).label("welfare"),
            ]

        self.delta = delta = (
            select(m.c.household_id.label("hid"), func.sum(sign).label("people"),
                   func.sum(case((uninsured, sign), else_=0)).label("uninsured"),
                   *per_household(sign))
            .select_from(later.join(m, m.c.id == later.c.mid))
            .where(*_only(m.c.household_id, only))
            .group_by(m.c.household_id)
            .subquery("delta")
        )
        self.now = now = (
            select(m.c.household_id.label("hid"), *per_household(1))
            .where(text(REPORT_MEMBERS_WHERE), *_only(m.c.household_id, only))
            .group_by(m.c.household_id)
            .subquery("now")
        )
        # Members without 医保 now (few, off the partial index ix_members_uninsured).
        self.uninsured_now = uninsured_now = (
            select(m.c.household_id.label("hid"), func.count().label("uninsured"))
            .where(text(UNINSURED_MEMBERS_WHERE), *_only(m.c.household_id, only))
            .group_by(m.c.household_id)
            .subquery("uninsured_now")
        )
        self.people = h.c.member_count + func.coalesce(delta.c.people, 0)
        self.insured = self.people - func.coalesce(uninsured_now.c.uninsured, 0) \
            - func.coalesce(delta.c.uninsured, 0)
        self.work = [func.coalesce(now.c[f"work_{i}"], 0) + func.coalesce(delta.c[f"work_{i}"], 0)
                     for i in range(len(WORK_PLACES))]
        self.welfare = func.coalesce(now.c.welfare, 0) + func.coalesce(delta.c.welfare, 0)

        mc = MonitoringCase.__table__
        counted = and_(mc.c.state.in_((MONITORING_ACTIVE, MONITORING_ELIMINATED)),
                       mc.c.identified_ym <= m_last)
        # Each household's latest case by the month, in one GROUP BY: the greatest of
        # "identified_ym category eliminated_ym" (fixed widths: 7 + 2 + 7 characters).
        latest = func.max(mc.c.identified_ym + mc.c.category
                          + func.coalesce(mc.c.eliminated_ym, _NOT_ELIMINATED))
        self.case = case_ = (
            select(
                mc.c.household_id.label("hid"),
                latest.label("latest"),
                func.max(case((mc.c.identified_ym >= m_first, 1), else_=0)).label("new"),
                func.max(case((and_(mc.c.eliminated_ym >= m_first, mc.c.eliminated_ym <= m_last), 1),
                              else_=0)).label("elim"),
            )
            .where(counted, *_only(mc.c.household_id, only))
            .group_by(mc.c.household_id)
            .subquery("lc")
        )
        self.case_category = func.substr(case_.c.latest, 8, 2)
        self.case_eliminated = case_eliminated = func.substr(case_.c.latest, 10, 7)

        # 三保障/饮水 problems: the checks with a problem (a scan of one table).
        self.checks = checks = None
        if problems:
            g, count, with_problem, is_open, is_closed = _check_states(period.start, period.end, period.year)
            self.checks = checks = (
                select(
                    g.c.household_id.label("hid"),
                    func.sum(case((is_open, count), else_=0)).label("open"),
                    func.sum(case((is_closed, count), else_=0)).label("closed"),
                )
                .where(with_problem, *_only(g.c.household_id, only))
                .group_by(g.c.household_id)
                .subquery("checks")
            )
        self.alive = alive = _alive(h, hev, m_last)
        self.is_tuopin = and_(h.c.household_type == TYPE_TUOPIN,
                              or_(hev.c.exit_m.is_(None), hev.c.exit_m <= m_last))
        self.tuopin = and_(alive, self.is_tuopin)
        self.monitored = and_(alive, case_.c.hid.is_not(None))
        self.eliminated = and_(self.monitored, case_eliminated <= m_last)
        self.open = and_(self.monitored, case_eliminated > m_last)
        self.new = and_(self.monitored, case_.c.new == 1)
        self.eliminated_now = and_(self.monitored, case_.c.elim == 1)
        self.returned = and_(alive, hev.c.returned == 1)
        self.covered = or_(self.tuopin, self.monitored)  # 脱贫户 and 监测户: 就业 figures
        self.unresolved_problems = func.coalesce(checks.c.open, 0) if checks is not None else literal(0)
        self.resolved_problems = func.coalesce(checks.c.closed, 0) if checks is not None else literal(0)
        self.problems_open = case((alive, self.unresolved_problems), else_=0)
        self.problems_closed = case((alive, self.resolved_problems), else_=0)

    def joined(self) -> Any:
        h = self.h
        joined = (
            h.outerjoin(self.hev, self.hev.c.hid == h.c.id)
            .outerjoin(self.delta, self.delta.c.hid == h.c.id)
            .outerjoin(self.now, self.now.c.hid == h.c.id)
            .outerjoin(self.uninsured_now, self.uninsured_now.c.hid == h.c.id)
            .outerjoin(self.case, self.case.c.hid == h.c.id)
        )
        return joined if self.checks is None else joined.outerjoin(self.checks, self.checks.c.hid == h.c.id)

    def category(self, code: str) -> Any:
        return and_(self.monitored, self.case_category == code)


def _household_figures(session: Session, period: Period, prefix: str, out: dict[str, dict[str, Any]],
                       only: Any = None, problems: bool = True, by_region: bool = True) -> None:
    """One pass over the households alive at the month's end, grouped by village and by
    their state (脱贫户, monitoring category, risk eliminated, newly monitored, eliminated
    in the period): a few sums per group, laid out into figures per group in Python.
    ``by_region`` False: one group of figures (under "") for all the regions."""
    q = _Households(period, only, problems)
    region = q.h.c.region_code if by_region else literal("")
    keys = (
        case((q.is_tuopin, 1), else_=0),
        q.case_category,
        case((q.case_eliminated <= period.last, 1), else_=0),
        func.coalesce(q.case.c.new, 0),
        func.coalesce(q.case.c.elim, 0),
        func.coalesce(q.hev.c.returned, 0),
    )
    stmt = (
        select(region, *keys, func.count(), func.sum(q.people), func.sum(q.insured),
               *map(func.sum, q.work),
               func.sum(q.welfare), func.sum(q.unresolved_problems), func.sum(q.resolved_problems))
        .select_from(q.joined())
        .where(q.alive, _in_region(q.h.c.region_code, prefix), *q.restrict)
        .group_by(*keys, *((region,) if by_region else ()))
    )
    places = list(WORK_PLACES)
    for region, tuopin, category, eliminated, new, elim, returned, n, people, insured, *rest in \
            session.execute(stmt):
        *work, welfare, problems_open, problems_closed = (int(v or 0) for v in rest)
        people = int(people or 0)
        fig = _figures_of(out, region)
        fig["problems_open"] += problems_open
        fig["problems_closed"] += problems_closed
        if tuopin:
            fig["households_tuopin"] += n
            fig["people_tuopin"] += people
        if category is not None:
            fig["households_monitored"] += n
            fig["people_monitored"] += people
            label = CATEGORIES.get(category)
            if label:
                fig["monitored_by_category"][label]["households"] += n
                fig["monitored_by_category"][label]["people"] += people
            fig["households_risk_eliminated" if eliminated else "households_risk_open"] += n
            if new:
                fig["new_monitored_households"] += n
                fig["new_monitored_people"] += people
            if elim:
                fig["eliminated_households"] += n
                fig["eliminated_people"] += people
        if returned:
            fig["returned_households"] += n
            fig["returned_people"] += people
        if tuopin or category is not None:
            fig["people_covered"] += people
            fig["people_insured"] += int(insured or 0)
            for place, value in zip(places, work, strict=True):
                fig["workers_by_place"][place] += value
            fig["public_welfare_jobs"] += welfare


def _member_changes(session: Session, period: Period, prefix: str,
                    out: dict[str, dict[str, Any]], by_month: bool = False) -> None:
    """自然增加/减少 reported in the period, by region (or, for the trend, by month)."""
    ce, h = ChangeEvent.__table__, Household.__table__
    key = ce.c.reported_month if by_month else h.c.region_code
    stmt = (
        select(key, ce.c.type, ce.c.reason, func.count())
        .select_from(ce.join(h, h.c.id == ce.c.household_id))
        .where(ce.c.type.in_((EV_ADDED, EV_REMOVED)),
               ce.c.reported_month >= period.first, ce.c.reported_month <= period.last,
               _in_region(h.c.region_code, prefix))
        .group_by(key, ce.c.type, ce.c.reason)
    )
    for region, type_, reason, n in session.execute(stmt):
        fig = _figures_of(out, region)
        if type_ == EV_ADDED:
            fig["people_added"] += n
            fig["added_by_reason"][ADDED_REASONS.get(reason, OTHER)] += n
        else:
            fig["people_removed"] += n
            fig["removed_by_reason"][REMOVED_REASONS.get(reason, OTHER)] += n


def _problem_flags(g: Any) -> tuple[Any, ...]:
    return (g.c.food_worry, g.c.clothing_worry, g.c.housing_problem, g.c.education_problem,
            g.c.medical_problem, g.c.water_problem)


def _problem_count(g: Any) -> Any:
    total: Any = literal(0)
    for flag in _problem_flags(g):
        total = total + case((flag.is_(True), 1), else_=0)
    return total


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


def _by(period: Period, months: Any, region: Any) -> tuple[Any, Any, Any, Any]:
    """(start, end, year, group key) of a period grouped by region, or of the trend's month
    rows (``months``, see _month_rows) grouped by month."""
    if months is None:
        return period.start, period.end, period.year, region
    return months.c.d_start, months.c.d_end, months.c.year, months.c.m


def _projects(session: Session, period: Period, prefix: str, out: dict[str, dict[str, Any]],
              months: Any = None) -> None:
    p, s = Project.__table__, _stage_dates()
    _start, end, year, group = _by(period, months, p.c.region_code)
    in_plan = and_(p.c.year == year, s.c.planned <= end,
                   or_(s.c.removed.is_(None), s.c.removed > end))
    source = p.join(s, s.c.pid == p.c.id)
    if months is not None:
        source = source.join(months, true())
    keys = ("projects_planned", "projects_started", "projects_completed", "projects_accepted")
    stmt = (
        select(group, _count(in_plan), _count(and_(in_plan, s.c.started <= end)),
               _count(and_(in_plan, s.c.completed <= end)),
               _count(and_(in_plan, s.c.accepted <= end)))
        .select_from(source)
        .where(p.c.year == year, _in_region(p.c.region_code, prefix))
        .group_by(group)
    )
    for region, *values in session.execute(stmt):
        fig = _figures_of(out, region)
        for key, value in zip(keys, values, strict=True):
            fig[key] += int(value or 0)
    d = Disbursement.__table__
    source = d.join(p, p.c.id == d.c.project_id)
    if months is not None:
        source = source.join(months, true())
    stmt = (
        select(group, d.c.kind, func.sum(d.c.amount))
        .select_from(source)
        .where(p.c.year == year, d.c.date <= end, _in_region(p.c.region_code, prefix))
        .group_by(group, d.c.kind)
    )
    for region, kind, amount in session.execute(stmt):
        key = DISBURSEMENT_KEYS.get(kind)
        if key:
            fig = _figures_of(out, region)
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


def _assets(session: Session, period: Period, prefix: str, out: dict[str, dict[str, Any]],
            months: Any = None) -> None:
    a = Asset.__table__
    disposals, registered, disposed = _asset_dates()
    start, end, _year, group = _by(period, months, a.c.region_code)
    source = a.outerjoin(disposals, disposals.c.aid == a.c.id)
    if months is not None:
        source = source.join(months, true())
    held = and_(or_(registered.is_(None), registered <= end),
                or_(disposed.is_(None), disposed > end))
    stmt = (
        select(group,
               _count(and_(registered >= start, registered <= end)),
               _count(and_(disposed >= start, disposed <= end)),
               _count(held), _sum(held, a.c.original_value))
        .select_from(source)
        .where(_in_region(a.c.region_code, prefix))
        .group_by(group)
    )
    for region, new, gone, count, value in session.execute(stmt):
        fig = _figures_of(out, region)
        fig["assets_new"] += int(new or 0)
        fig["assets_disposed"] += int(gone or 0)
        fig["assets_count"] += int(count or 0)
        fig["assets_value"] += Decimal(value or 0).quantize(ZERO)


def figures_by_region(session: Session, period: Period, prefix: str) -> dict[str, dict[str, Any]]:
    """Raw figures (no rates) per region code that holds households, projects or assets."""
    out: dict[str, dict[str, Any]] = {}
    _household_figures(session, period, prefix, out)
    _member_changes(session, period, prefix, out)
    _projects(session, period, prefix, out)
    _assets(session, period, prefix, out)
    return out


# ----------------------------------------------------------------------------- 12-month trend
#
# The trend's totals for months m1 … mN come from one full household pass (as of mN) and
# differences: a household's state at the end of month m differs from that at the end of
# m − 1 only if it has a dated record in m (an event reported in m, a monitoring case
# identified or eliminated in m) or a flow of m − 1 (a case identified or eliminated, a 返贫
# reported in m − 1: counted in m − 1's 本月 columns, not in m's).
# So total(m − 1) = total(m) − those households as of m + the same households as of m − 1,
# two passes restricted to a few households. 三保障/饮水 problems (whose undated checks all
# change at a year's start) and the member changes, projects, funds and assets are each one
# query grouped by month over the month rows.

# A step whose changed households exceed this share of all households is one full pass.
_FULL_PASS_SHARE = 0.3


def _month_rows(months: list[str]) -> Any:
    """The months as rows (m, d_start, d_end, year) to join the trend's queries with."""
    rows = []
    for month in months:
        period = month_period(month)
        rows.append(select(literal(month, String(7)).label("m"), literal(period.start, Date).label("d_start"),
                           literal(period.end, Date).label("d_end"), literal(period.year, Integer).label("year")))
    return union_all(*rows).subquery("months")


def _changed_by_month(session: Session, first: str, last: str) -> tuple[dict[str, set[int]], dict[str, set[int]]]:
    """Households with a dated record in each month first..last, and those of them whose
    record is also a flow of the month (a case identified or eliminated, a 返贫) — see the
    note above."""
    ce, mc, m = ChangeEvent.__table__, MonitoringCase.__table__, Member.__table__
    window = (first, last)
    is_return = case((ce.c.type == EV_RETURN, 1), else_=0)
    records = union_all(
        # the events the household pass reads (新纳入监测/风险消除 go with the case's months)
        select(ce.c.reported_month, ce.c.household_id, is_return)
        .where(ce.c.reported_month.between(*window),
               ce.c.type.in_((EV_IDENTIFIED, EV_CLOSED, EV_MERGE, EV_EXIT, EV_RETURN, EV_ADDED, EV_REMOVED))),
        # a member's change counts for the household the member is in now too (分户)
        select(ce.c.reported_month, m.c.household_id, literal(0)).select_from(ce.join(m, m.c.id == ce.c.member_id))
        .where(ce.c.reported_month.between(*window), ce.c.type.in_((EV_ADDED, EV_REMOVED))),
        select(mc.c.identified_ym, mc.c.household_id, literal(1)).where(mc.c.identified_ym.between(*window)),
        select(mc.c.eliminated_ym, mc.c.household_id, literal(1)).where(mc.c.eliminated_ym.between(*window)),
    )
    changed: dict[str, set[int]] = {}
    flows: dict[str, set[int]] = {}
    for month, hid, flow in session.execute(records):
        changed.setdefault(month, set()).add(hid)
        if flow:
            flows.setdefault(month, set()).add(hid)
    return changed, flows


def _households_total(session: Session, month: str, prefix: str, only: Any = None) -> dict[str, Any]:
    """The household pass's figures (without problems) as of ``month``, summed over regions."""
    out: dict[str, dict[str, Any]] = {}
    _household_figures(session, month_period(month), prefix, out, only=only, problems=False, by_region=False)
    return out.get("") or empty_figures()


def _problems_by_month(session: Session, prefix: str, months: Any, out: dict[str, dict[str, Any]],
                       window: Period) -> None:
    h, table = Household.__table__, GuaranteeCheck.__table__
    hev = _household_events(window)
    # the checks with a problem first (one scan), then each against the months
    # (OFFSET 0 keeps it a subquery of its own: not flattened into a scan per month)
    flagged = (select(table).where(or_(*(flag.is_(True) for flag in _problem_flags(table))))
               .offset(0).subquery("flagged"))
    g, count, with_problem, is_open, is_closed = _check_states(months.c.d_start, months.c.d_end,
                                                               months.c.year, flagged)
    stmt = (
        select(months.c.m, func.sum(case((is_open, count), else_=0)), func.sum(case((is_closed, count), else_=0)))
        .select_from(g.join(h, h.c.id == g.c.household_id).outerjoin(hev, hev.c.hid == h.c.id)
                     .join(months, true()))
        .where(with_problem, _alive(h, hev, months.c.m), _in_region(h.c.region_code, prefix))
        .group_by(months.c.m)
    )
    for month, open_, closed in session.execute(stmt):
        fig = _figures_of(out, month)
        fig["problems_open"] += int(open_ or 0)
        fig["problems_closed"] += int(closed or 0)


def trend_figures(session: Session, prefix: str, months: list[str]) -> dict[str, dict[str, Any]]:
    """Raw total figures (no rates) of each of ``months`` (consecutive, oldest first) for
    the regions under ``prefix``: the same as ``figures_by_region`` of each month summed."""
    out = {month: empty_figures() for month in months}
    window = Period(months[0], months[-1])
    rows = _month_rows(months)
    _member_changes(session, window, prefix, out, by_month=True)
    _projects(session, window, prefix, out, months=rows)
    _assets(session, window, prefix, out, months=rows)
    _problems_by_month(session, prefix, rows, out, window)

    households = session.scalar(select(func.count()).select_from(Household.__table__)) or 0
    changed, flows = _changed_by_month(session, months[0], months[-1])
    current = _households_total(session, months[-1], prefix)
    add_into(out[months[-1]], current)
    for month, before in zip(months[:0:-1], months[-2::-1], strict=True):
        ids = changed.get(month, set()) | flows.get(before, set())
        if len(ids) > _FULL_PASS_SHARE * households:
            current = _households_total(session, before, prefix)
        elif ids:
            current = copy.deepcopy(current)
            add_into(current, _households_total(session, month, prefix, ids), -1)
            add_into(current, _households_total(session, before, prefix, ids))
        add_into(out[before], current)
    return out


# ----------------------------------------------------------------------------- drill-down


def _household_conditions(q: _Households) -> dict[str, Any]:
    """households_behind keys answered by a condition on the per-household state."""
    conditions = {
        "households_tuopin": q.tuopin, "people_tuopin": q.tuopin,
        "households_monitored": q.monitored, "people_monitored": q.monitored,
        "households_risk_eliminated": q.eliminated, "households_risk_open": q.open,
        "new_monitored_households": q.new, "new_monitored_people": q.new,
        "eliminated_households": q.eliminated_now, "eliminated_people": q.eliminated_now,
        "returned_households": q.returned, "returned_people": q.returned,
        "public_welfare_jobs": and_(q.covered, q.welfare > 0),
        "workers_by_place": and_(q.covered, or_(*(w > 0 for w in q.work))),
        "problems_open": q.problems_open > 0,
        "problems_closed": q.problems_closed > 0,
    }
    for code, label in CATEGORIES.items():
        conditions[f"monitored_by_category.{label}"] = q.category(code)
    for place, work in zip(WORK_PLACES, q.work, strict=True):
        conditions[f"workers_by_place.{place}"] = and_(q.covered, work > 0)
    return conditions


def _reason_codes(reasons: dict[str, str], label: str) -> tuple[tuple[str, ...], bool]:
    """The reason codes behind a by-reason label; True: 其他 (any other code, or none)."""
    if label == OTHER:
        return tuple(reasons), True
    return tuple(code for code, name in reasons.items() if name == label), False


# Member changes by reason: households_behind key → (event type, reason labels' codes).
_EVENT_KEYS: dict[str, tuple[str, dict[str, str]]] = {
    "people_added": (EV_ADDED, ADDED_REASONS), "added_by_reason": (EV_ADDED, ADDED_REASONS),
    "people_removed": (EV_REMOVED, REMOVED_REASONS), "removed_by_reason": (EV_REMOVED, REMOVED_REASONS),
}

# Every key households_behind takes: the figure keys that count households or people, and
# "key.part" for the parts of a nested count (a 监测对象类别, a reason, a 务工 place).
DRILL_KEYS: frozenset[str] = frozenset({
    "households_tuopin", "people_tuopin", "households_monitored", "people_monitored",
    "households_risk_eliminated", "households_risk_open", "new_monitored_households",
    "new_monitored_people", "eliminated_households", "eliminated_people", "returned_households",
    "returned_people", "people_added", "people_removed", "problems_open", "problems_closed",
    "public_welfare_jobs", "workers_by_place",
    *(f"{key}.{part}" for key in ("monitored_by_category", "added_by_reason", "removed_by_reason",
                                  "workers_by_place") for part in NESTED_KEYS[key]),
})


def drill_key(column_key: str) -> str | None:
    """The households_behind key of a report column (``columns.Column.key``), None when the
    column is not a count of households or people (money, rates, projects, assets)."""
    if column_key.startswith("monitored_by_category."):
        column_key = column_key.rsplit(".", 1)[0]  # a category's households and people: one list
    return column_key if column_key in DRILL_KEYS else None


def households_behind(session: Session, period: Period, prefix: str, key: str) -> list[int]:
    """Ids of the households behind a household count (or the people in it), in id order;
    ``key`` is one of DRILL_KEYS."""
    if key not in DRILL_KEYS:
        raise UserError("这一栏不是按户统计的数字，不能列出户。")
    h = Household.__table__
    base, _sep, part = key.partition(".")
    if base in _EVENT_KEYS:
        ce = ChangeEvent.__table__
        type_, reasons = _EVENT_KEYS[base]
        stmt = (
            select(h.c.id).select_from(ce.join(h, h.c.id == ce.c.household_id))
            .where(ce.c.type == type_, ce.c.reported_month >= period.first,
                   ce.c.reported_month <= period.last, _in_region(h.c.region_code, prefix))
        )
        if part:
            codes, other = _reason_codes(reasons, part)
            stmt = stmt.where(or_(ce.c.reason.is_(None), ce.c.reason.not_in(codes)) if other
                              else ce.c.reason.in_(codes))
    else:
        q = _Households(period)
        stmt = (select(h.c.id).select_from(q.joined())
                .where(_in_region(h.c.region_code, prefix), _household_conditions(q)[key]))
    return sorted(set(session.scalars(stmt)))
