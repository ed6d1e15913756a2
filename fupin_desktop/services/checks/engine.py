"""Running the catalogue over a county: bulk-fetched columns and set-based SQL.

Field rules: one query per table (households, members, latest household year) fetches
the columns the shared validator reads, and :func:`rules.validation.validate_household_values`
runs over those plain values — no ORM objects, no per-household queries. Cross-table
rules are SQL over the whole place (one query each).
"""

from __future__ import annotations

import datetime as dt
import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import Session

from fupin_desktop.codes import label_of
from fupin_desktop.errors import UserError
from fupin_desktop.models import (
    AppSetting,
    Asset,
    AssistanceMeasure,
    ChangeEvent,
    GuaranteeCheck,
    Helper,
    HelperAssignment,
    Household,
    HouseholdYear,
    Member,
    MonitoringCase,
    Project,
)
from fupin_desktop.models.household import (
    HOUSEHOLD_ACTIVE,
    MEMBER_PRESENT,
    MONITORING_ACTIVE,
    MONITORING_ELIMINATED,
)
from fupin_desktop.models.region import code_prefix
from fupin_desktop.rules.monitoring import RISK_MEASURES, unanswered_risks
from fupin_desktop.rules.validation import MEMBER_FIELDS, Problem, validate_household_values
from fupin_desktop.services.checks.catalogue import (
    BY_CODE,
    CATALOGUE,
    GUARANTEE_OPEN_DAYS,
    check_of_rule,
)

Progress = Callable[[int, int, str], None]

# Household attributes the validator reads (besides the members and the latest year).
_HOUSEHOLD_COLUMNS = ("household_type", "monitoring_category", "main_cause", "region_code", "phone",
                      "bank_account", "exit_year", "identified_year")
# Free-text member columns: stripped, blank as None (what reading for the rules does).
_TRIMMED = ("name", "id_number", "work_place", "employer", "phone", "person_no")
# 项目 states from 已完工 on, and those that left the library: not "still being built".
_PROJECT_DONE = ("10", "11", "12", "13", "14", "21", "22")
ASSET_DISPOSED = "05"
CHANGE_DEATH, CHANGE_MOVED_OUT = "21", "23"
# AppSetting key of the 监测范围 by year: {"2025": "7500", ...} (元 per person).
MONITORING_LINE_SETTING = "monitoring_line"


class CheckCancelled(UserError):
    pass


@dataclass(frozen=True)
class Finding:
    check: str
    household_id: int | None
    household_no: str | None
    member_id: int | None
    member_no: str | None
    field: str | None
    message: str
    region_code: str | None
    project_id: int | None = None
    asset_id: int | None = None
    helper_id: int | None = None

    @property
    def severity(self) -> str:
        return BY_CODE[self.check].severity

    def key(self) -> tuple:
        """What makes two runs' findings the same problem (the message may change)."""
        return (self.check, self.household_id, self.member_id, self.project_id, self.asset_id,
                self.helper_id, self.field)


@dataclass
class CheckResult:
    run_id: int | None
    households_checked: int
    seconds: float
    counts: dict[str, int]
    findings: list[Finding]
    region_code: str | None = None
    fixed: dict[str, int] = field(default_factory=dict)

    def counts_by_village(self) -> dict[str, dict[str, int]]:
        """check code → village (region) code → findings."""
        out: dict[str, dict[str, int]] = {}
        for f in self.findings:
            per = out.setdefault(f.check, {})
            key = f.region_code or ""
            per[key] = per.get(key, 0) + 1
        return out

    def to_json(self) -> dict:
        return {
            "run_id": self.run_id,
            "households_checked": self.households_checked,
            "seconds": round(self.seconds, 2),
            "checks": [{"code": c.code, "title": c.title, "severity": c.severity,
                        "count": self.counts.get(c.code, 0)} for c in CATALOGUE],
            "findings": [{"check": f.check, "household_no": f.household_no, "member_no": f.member_no,
                          "field": f.field, "message": f.message} for f in self.findings],
        }


# --------------------------------------------------------------------------- settings


def monitoring_line(session: Session, year: int) -> Decimal | None:
    """监测范围 (人均纯收入, 元) of ``year``: the county's setting, else the highest
    threshold recorded on that year's monitoring cases; None when neither is known."""
    setting = session.get(AppSetting, MONITORING_LINE_SETTING)
    if setting is not None and setting.value and str(year) in setting.value:
        return Decimal(str(setting.value[str(year)]))
    value = session.scalar(
        select(func.max(MonitoringCase.per_capita_threshold))
        .where(MonitoringCase.identified_ym.like(f"{year}-%"))
    )
    return Decimal(value) if value is not None else None


# --------------------------------------------------------------------------- running


class _Ctx:
    def __init__(self, session: Session, region_code: str | None, today: dt.date) -> None:
        self.session = session
        # Plain column rows straight off the connection (the session's transaction): no
        # ORM result processing for the hundreds of thousands of rows of the field rules.
        self.conn = session.connection()
        self.region_code = region_code
        self.prefix = code_prefix(region_code) if region_code else None
        self.today = today
        self.numbers: dict[int, tuple[str | None, str | None]] = {}  # household id → (户编号, region)

    def where_household(self):
        """Conditions on ``Household`` selecting the households checked."""
        conds = [Household.status == HOUSEHOLD_ACTIVE]
        if self.prefix:
            conds.append(Household.region_code.like(self.prefix + "%"))
        return and_(*conds)

    def scope_ids(self):
        return select(Household.id).where(self.where_household())

    def finding(self, check: str, household_id: int | None, message: str, *, member_id=None,
                member_no=None, field_name=None) -> Finding:
        no, region = self.numbers.get(household_id, (None, None)) if household_id else (None, None)
        return Finding(check, household_id, no, member_id, member_no, field_name, message, region)


def run_checks(session: Session, region_code: str | None = None, *, user: str, store: bool = True,
               progress: Progress | None = None, cancel: Callable[[], bool] | None = None,
               today: dt.date | None = None) -> CheckResult:
    """Run every check of :data:`CATALOGUE` over the households (正常) under ``region_code``
    (the whole database if None) and their projects and assets. With ``store`` the run and
    its findings are saved (flushed, not committed): the latest findings per place are what
    the 「有数据错误」 filter and each household's error list show."""
    start = time.perf_counter()
    today = today or dt.date.today()
    ctx = _Ctx(session, region_code, today)
    steps: list[tuple[str, Callable[[_Ctx], list[Finding]]]] = [
        ("人口数", _member_count), ("一人两户", _in_two_households), ("死亡迁出", _left_still_counted),
        ("监测范围", _income_below_line), ("三保障", _guarantee_open), ("帮扶措施", _monitoring_measures),
        ("4-3-2-1", _helper_checks), ("项目", _projects_overdue), ("资产", _assets_without_custodian),
    ]
    gc_was_enabled = gc.isenabled()
    gc.disable()  # hundreds of thousands of small objects, none cyclic: collection only costs
    try:
        findings, checked = _field_checks(ctx, progress, cancel)
        for i, (label, step) in enumerate(steps):
            if cancel is not None and cancel():
                raise CheckCancelled("核查已取消，结果未保存。")
            if progress is not None:
                progress(i, len(steps), f"正在核查：{label}")
            findings.extend(step(ctx))
    finally:
        if gc_was_enabled:
            gc.enable()
    order = {c.code: i for i, c in enumerate(CATALOGUE)}
    findings.sort(key=lambda f: (order[f.check], f.region_code or "", f.household_no or "",
                                 f.member_no or "", f.field or ""))
    counts = {c.code: 0 for c in CATALOGUE}
    for f in findings:
        counts[f.check] += 1
    result = CheckResult(None, checked, 0.0, counts, findings, region_code)
    if store:
        from fupin_desktop.services.checks.store import store_run

        store_run(session, result, user=user, seconds=time.perf_counter() - start)
    result.seconds = time.perf_counter() - start
    if progress is not None:
        progress(len(steps), len(steps), "核查完成")
    return result


# --------------------------------------------------------------------------- field rules


def problems_to_findings(ctx: _Ctx, household_id: int, member_ids: list[int],
                         member_nos: list[str | None], problems: list[Problem]) -> list[Finding]:
    out = []
    for p in problems:
        i = p.member_index
        out.append(ctx.finding(
            check_of_rule(p.rule, p.severity), household_id, p.message, field_name=p.field,
            member_id=member_ids[i] if i is not None else None,
            member_no=member_nos[i] if i is not None else None,
        ))
    return out


def _member_order(values: dict[str, Any]) -> tuple:
    return (values["status"] != MEMBER_PRESENT, values["_seq"], values["_id"])


def _field_checks(ctx: _Ctx, progress: Progress | None,
                  cancel: Callable[[], bool] | None) -> tuple[list[Finding], int]:
    s = ctx.session
    hh_rows = ctx.conn.execute(
        select(Household.id, Household.household_no, *(getattr(Household, c) for c in _HOUSEHOLD_COLUMNS))
        .where(ctx.where_household()).order_by(Household.id)
    ).all()
    ctx.numbers = {r[0]: (r[1], r[5]) for r in hh_rows}
    names = list(MEMBER_FIELDS)
    # No ORDER BY (a sort of every member): rows come grouped well enough, and each
    # household's members are put in the editor's order (present first, then 户内序号).
    member_rows = ctx.conn.execute(
        select(Member.household_id, Member.id, Member.seq, *(getattr(Member, n) for n in names))
        .where(Member.household_id.in_(ctx.scope_ids()))
    ).all()
    keys = ["_household", "_id", "_seq", *names]
    trimmed = [(n, keys.index(n)) for n in _TRIMMED]
    grouped: dict[int, list[dict[str, Any]]] = {}
    for row in member_rows:
        values = dict(zip(keys, row))
        # Text read for the rules is stripped, blank as None (rules.validation._member_values).
        for name, at in trimmed:
            v = row[at]
            if v is not None:
                stripped = v.strip()  # the same object when there is nothing to strip
                if stripped is not v or not stripped:
                    values[name] = stripped or None
        entry = grouped.get(row[0])
        if entry is None:
            grouped[row[0]] = [values]
        else:
            entry.append(values)
    del member_rows
    members: dict[int, list[dict[str, Any]]] = {}
    for hid, values in grouped.items():
        if len(values) > 1:
            values.sort(key=_member_order)
        members[hid] = values
    del grouped
    # The latest year's living conditions (what the editor checks against).
    latest = (select(HouseholdYear.household_id, func.max(HouseholdYear.year).label("year"))
              .where(HouseholdYear.household_id.in_(ctx.scope_ids()))
              .group_by(HouseholdYear.household_id).subquery())
    conditions = {
        hid: SimpleNamespace(is_dangerous_house=d, safe_drinking_water=w)
        for hid, d, w in ctx.conn.execute(
            select(HouseholdYear.household_id, HouseholdYear.is_dangerous_house,
                   HouseholdYear.safe_drinking_water)
            .join(latest, and_(latest.c.household_id == HouseholdYear.household_id,
                               latest.c.year == HouseholdYear.year))
        )
    }
    # Blank fields whose column the household's file did not have are 待补充, not errors
    # (the editor's check reads the same record).
    from fupin_desktop.services.household_import import pending_fields

    absent = pending_fields(s, scope=ctx.scope_ids())
    out: list[Finding] = []
    today = ctx.today
    total = len(hh_rows)
    empty: list[dict[str, Any]] = []
    for n, row in enumerate(hh_rows):
        if n % 5000 == 0:
            if cancel is not None and cancel():
                raise CheckCancelled("核查已取消，结果未保存。")
            if progress is not None:
                progress(n, total, "正在核查各户数据")
        hid = row[0]
        household = SimpleNamespace(**dict(zip(_HOUSEHOLD_COLUMNS, row[2:])))
        values = members.get(hid, empty)
        problems = validate_household_values(household, values, ref_date=today,
                                             conditions=conditions.get(hid), today=today,
                                             absent=absent.get(hid, ()))
        if problems:
            out.extend(problems_to_findings(ctx, hid, [v["_id"] for v in values],
                                            [v.get("person_no") for v in values], problems))
    return out, total


# --------------------------------------------------------------------------- set-based rules


def _member_count(ctx: _Ctx) -> list[Finding]:
    present = (select(func.count()).where(Member.household_id == Household.id,
                                          Member.status == MEMBER_PRESENT).scalar_subquery())
    rows = ctx.session.execute(
        select(Household.id, Household.member_count, present).where(
            ctx.where_household(), func.coalesce(Household.member_count, 0) != present)
    ).all()
    return [ctx.finding("household.member_count", hid, f"家庭人口数为{count or 0}人，"
                        f"但在户成员有{n}人，请核对成员的在户状态或家庭人口数。", field_name="member_count")
            for hid, count, n in rows]


def _in_two_households(ctx: _Ctx) -> list[Finding]:
    """Present members of active households sharing a 人口编号 with a present member of
    another active household (county-wide, DOMAIN §4.4 rule 1)."""
    out = []
    s = ctx.session
    active = select(Household.id).where(Household.status == HOUSEHOLD_ACTIVE)
    # The same 证件号码 cannot be present twice: the unique index uq_members_current_id18
    # refuses it, so only the 人口编号 (no such index) is looked at.
    shared = (select(Member.person_no)
              .where(Member.person_no.is_not(None), Member.status == MEMBER_PRESENT,
                     Member.household_id.in_(active))
              .group_by(Member.person_no).having(func.count(func.distinct(Member.household_id)) > 1))
    rows = s.execute(
        select(Member.household_id, Member.id, Member.person_no, Member.name, Household.household_no)
        .join(Household, Household.id == Member.household_id)
        .where(Member.person_no.in_(shared), Member.status == MEMBER_PRESENT,
               Household.status == HOUSEHOLD_ACTIVE)
        .order_by(Member.person_no, Member.household_id)
    ).all()
    by_value: dict[str, list] = {}
    for row in rows:
        by_value.setdefault(row[2], []).append(row)
    for value, group in by_value.items():
        for hid, mid, no, name, _no in group:
            if hid not in ctx.numbers:
                continue
            others = "、".join(sorted({r[4] or "（无户编号）" for r in group if r[0] != hid}))
            out.append(ctx.finding(
                "member.in_two_households", hid,
                f"{name}的人口编号“{value}”同时登记在户编号{others}的户中，"
                "一人只能在一户，请核实后办理成员减少或更正。",
                member_id=mid, member_no=no, field_name="person_no"))
    return out


def _left_still_counted(ctx: _Ctx) -> list[Finding]:
    rows = ctx.session.execute(
        select(Member.household_id, Member.id, Member.person_no, Member.name, ChangeEvent.reason,
               func.max(ChangeEvent.effective_date))
        .join(ChangeEvent, ChangeEvent.member_id == Member.id)
        .join(Household, Household.id == Member.household_id)
        .where(ctx.where_household(), Member.status == MEMBER_PRESENT,
               ChangeEvent.reason.in_((CHANGE_DEATH, CHANGE_MOVED_OUT)))
        .group_by(Member.household_id, Member.id, Member.person_no, Member.name, ChangeEvent.reason)
        .order_by(Member.id)
    ).all()
    return [ctx.finding("member.left_still_counted", hid,
                        f"{name}已于{on:%Y-%m-%d}登记{label_of('change_reason', reason)}，"
                        "但仍为在户成员，请办理成员减少。",
                        member_id=mid, member_no=no, field_name="status")
            for hid, mid, no, name, reason, on in rows]


def _income_below_line(ctx: _Ctx) -> list[Finding]:
    s = ctx.session
    latest = (select(HouseholdYear.household_id, func.max(HouseholdYear.year).label("year"))
              .where(HouseholdYear.household_id.in_(ctx.scope_ids()),
                     HouseholdYear.per_capita_net_income.is_not(None))
              .group_by(HouseholdYear.household_id).subquery())
    years = [y for (y,) in s.execute(select(latest.c.year).distinct())]
    lines = {y: line for y in years if (line := monitoring_line(s, y)) is not None}
    if not lines:
        return []
    open_case = exists().where(MonitoringCase.household_id == HouseholdYear.household_id,
                               MonitoringCase.state != MONITORING_ELIMINATED)
    line_of_year = case({y: literal(v) for y, v in lines.items()}, value=HouseholdYear.year)
    rows = s.execute(
        select(HouseholdYear.household_id, HouseholdYear.year, HouseholdYear.per_capita_net_income)
        .join(latest, and_(latest.c.household_id == HouseholdYear.household_id,
                           latest.c.year == HouseholdYear.year))
        .where(HouseholdYear.year.in_(list(lines)), HouseholdYear.per_capita_net_income < line_of_year,
               ~open_case)
        .order_by(HouseholdYear.household_id)
    ).all()
    return [ctx.finding("monitoring.income_below_line", hid,
                        f"{year}年人均纯收入{Decimal(income):.2f}元，低于当年监测范围{lines[year]:.2f}元，"
                        "但没有在监测中的记录，请核实是否纳入监测。", field_name="per_capita_net_income")
            for hid, year, income in rows]


_GUARANTEE_LABELS = (("housing_problem", "住房安全"), ("education_problem", "义务教育"),
                     ("medical_problem", "基本医疗"), ("water_problem", "饮水安全"))


def _guarantee_open(ctx: _Ctx, days: int = GUARANTEE_OPEN_DAYS) -> list[Finding]:
    cutoff = ctx.today - dt.timedelta(days=days)
    g = GuaranteeCheck
    problem = or_(*(getattr(g, c).is_(True) for c, _ in _GUARANTEE_LABELS))
    rows = ctx.session.execute(
        select(g.household_id, g.year, g.checked_on, *(getattr(g, c) for c, _ in _GUARANTEE_LABELS))
        .where(g.household_id.in_(ctx.scope_ids()), problem, g.resolved_on.is_(None),
               g.checked_on.is_not(None), g.checked_on < cutoff)
        .order_by(g.household_id, g.year)
    ).all()
    out = []
    for hid, year, on, *flags in rows:
        which = "、".join(label for (_c, label), flag in zip(_GUARANTEE_LABELS, flags) if flag)
        out.append(ctx.finding("guarantee.open_too_long", hid,
                               f"{year}年核查发现{which}问题（{on:%Y-%m-%d}），已超过{days}天仍未解决，"
                               "请落实解决并填写解决日期。", field_name="resolved_on"))
    return out


def _monitoring_measures(ctx: _Ctx) -> list[Finding]:
    """监测户 without measures, measures expired while the case is still open, and risks no
    measure answers (rules.monitoring)."""
    s = ctx.session
    mc, am = MonitoringCase, AssistanceMeasure
    cases = s.execute(
        select(mc.id, mc.household_id, mc.identified_ym, mc.risk_1, mc.risk_2, mc.risk_3, mc.risk_4,
               mc.risk_5)
        .where(mc.household_id.in_(ctx.scope_ids()), mc.state == MONITORING_ACTIVE)
        .order_by(mc.household_id, mc.id)
    ).all()
    if not cases:
        return []
    # The case's measures: tied to it, or the household's untied ones since the case's year.
    measures: dict[int, list[tuple]] = {}
    for hid, case_id, year, category, content, end in s.execute(
        select(am.household_id, am.monitoring_case_id, am.year, am.category, am.content, am.end_date)
        .where(am.household_id.in_(select(mc.household_id).where(mc.household_id.in_(ctx.scope_ids()),
                                                                 mc.state == MONITORING_ACTIVE)))
    ):
        measures.setdefault(hid, []).append((case_id, year, category, content, end))
    out = []
    today = ctx.today
    for case_id, hid, ym, *risks in cases:
        year = int(ym[:4])
        mine = [m for m in measures.get(hid, ()) if m[0] == case_id or (m[0] is None and m[1] >= year)]
        if not mine:
            out.append(ctx.finding("monitoring.no_measures", hid,
                                   f"{ym}纳入监测，目前监测帮扶中，但还没有任何帮扶措施，请落实并录入帮扶措施。",
                                   field_name="measures"))
            continue
        if all(m[4] is not None and m[4] < today for m in mine):
            last = max(mine, key=lambda m: m[4])
            out.append(ctx.finding(
                "monitoring.measure_expired", hid,
                f"帮扶措施“{label_of('measure_category', last[2])}{('：' + last[3]) if last[3] else ''}”"
                f"已于{last[4]:%Y-%m-%d}到期，监测仍未结束，请续期、落实新措施或评估风险消除。",
                field_name="end_date"))
        gaps = unanswered_risks([r for r in risks if r], [m[2] for m in mine])
        for risk in gaps:
            wanted = "、".join(label_of("measure_category", c) for c in RISK_MEASURES[risk])
            out.append(ctx.finding("monitoring.risk_unanswered", hid,
                                   f"风险“{label_of('risk_type', risk)}”还没有对应的帮扶措施，应落实{wanted}中的一项。",
                                   field_name="measures"))
    return out


def _helper_checks(ctx: _Ctx) -> list[Finding]:
    from fupin_desktop.services.handbook import needs_helper, over_limit, region_loads

    s = ctx.session
    out = []
    loads = region_loads(s, ctx.region_code, on=ctx.today)
    if loads:
        helpers = s.execute(select(Helper.id, Helper.name, Helper.cadre_rank, Helper.unit_name)
                            .where(Helper.id.in_(list(loads)))).all()
        over = [(h, loads[h.id], limit) for h in helpers
                if (limit := over_limit(h.cadre_rank, loads[h.id])) is not None]
        # A helper's finding belongs to the first place they help (the same for any run).
        first_region = dict(s.execute(
            select(HelperAssignment.helper_id, func.min(Household.region_code))
            .join(Household, Household.id == HelperAssignment.household_id)
            .where(HelperAssignment.helper_id.in_([h.id for h, _n, _l in over]),
                   HelperAssignment.end_date.is_(None))
            .group_by(HelperAssignment.helper_id)
        ).all()) if over else {}
        for h, n, limit in over:
            out.append(Finding(
                "helper.overload", None, None, None, None, "cadre_rank",
                f"帮扶责任人{h.name}（{h.unit_name or '单位未填'}，{label_of('cadre_rank', h.cadre_rank)}）"
                f"帮扶{n}户，超过4-3-2-1规定的{limit}户，请调整结对。",
                first_region.get(h.id), helper_id=h.id))
    rows = s.execute(select(Household.id).where(needs_helper(ctx.today), ctx.where_household())
                     .order_by(Household.id)).all()
    for (hid,) in rows:
        out.append(ctx.finding("household.no_helper", hid,
                               "脱贫户或监测户目前没有帮扶责任人（监测联系人），请落实结对帮扶。",
                               field_name="helper"))
    return out


def _projects_overdue(ctx: _Ctx) -> list[Finding]:
    month = ctx.today.strftime("%Y-%m")
    stmt = (select(Project.id, Project.project_no, Project.name, Project.end_ym, Project.status,
                   Project.region_code)
            .where(Project.end_ym.is_not(None), Project.end_ym < month, Project.status.not_in(_PROJECT_DONE))
            .order_by(Project.region_code, Project.project_no))
    if ctx.prefix:
        stmt = stmt.where(Project.region_code.like(ctx.prefix + "%"))
    return [Finding("project.overdue", None, None, None, None, "status",
                    f"项目{no or ''}“{name}”计划{end}完工，现状态为“{label_of('project_status', status)}”，"
                    "请更新项目进度或办理调整。", region, project_id=pid)
            for pid, no, name, end, status, region in ctx.session.execute(stmt)]


def _assets_without_custodian(ctx: _Ctx) -> list[Finding]:
    blank = or_(Asset.custodian_person.is_(None), func.trim(Asset.custodian_person) == "")
    stmt = (select(Asset.id, Asset.asset_no, Asset.name, Asset.region_code)
            .where(Asset.status != ASSET_DISPOSED, blank).order_by(Asset.region_code, Asset.asset_no))
    if ctx.prefix:
        stmt = stmt.where(Asset.region_code.like(ctx.prefix + "%"))
    return [Finding("asset.no_custodian", None, None, None, None, "custodian_person",
                    f"资产{no}“{name}”没有管护责任人，请落实管护主体和责任人。", region, asset_id=aid)
            for aid, no, name, region in ctx.session.execute(stmt)]


__all__ = ["CheckCancelled", "CheckResult", "Finding", "monitoring_line", "run_checks"]
