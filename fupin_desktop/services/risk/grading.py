"""识别定级: the suggested grade of every 脱贫户 and 监测对象, computed over the whole place
at once (one query per fact, like ``services.checks``), and the clerk's decisions.

A grade is only ever written by :func:`set_grade` (one household, a clerk's confirm or
adjustment, with a reason when it differs from the suggestion) or :func:`apply_suggestions`
(``risk grade --apply``: the clerk accepts the suggestions of a whole place). Every
decision is a :class:`RiskGradeChange` row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, insert, or_, select, update
from sqlalchemy.orm import Session

from fupin_desktop import audit
from fupin_desktop.errors import UserError
from fupin_desktop.models import (
    ChangeEvent,
    GuaranteeCheck,
    Household,
    HouseholdYear,
    Member,
    MonitoringCase,
    RiskGrade,
    RiskGradeChange,
)
from fupin_desktop.models.household import HOUSEHOLD_ACTIVE, MEMBER_PRESENT, MONITORING_ELIMINATED
from fupin_desktop.models.region import code_prefix
from fupin_desktop.services.checks import monitoring_line
from fupin_desktop.services.risk.rules import (
    GRADE_2,
    GRADE_3,
    GRADE_LABELS,
    GRADES,
    RuleSet,
    load_rules,
)

TUOPIN = "01"  # household_type 脱贫户
SUDDEN_CATEGORY = "03"  # monitoring_category 突发严重困难户
SUDDEN_RISKS = ("04", "05")  # risk_type 因自然灾害, 因意外事故
NO_LABOUR = ("04", "05")  # labour_skill 丧失劳动力, 无劳动力
ILL_HEALTH = ("02", "03", "04")  # health 长期慢性病, 患有大病, 残疾
DEATH = "21"  # change_reason 死亡
_GUARANTEE = ("food_worry", "clothing_worry", "housing_problem", "education_problem",
              "medical_problem", "water_problem")


@dataclass(frozen=True)
class Reason:
    rule: str
    label: str  # the rule as the table states it
    text: str  # what this household's data shows
    grade: str

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "label": self.label, "text": self.text, "grade": GRADE_LABELS[self.grade]}


@dataclass
class Facts:
    """What the rules read of one household (all plain values)."""

    household_id: int
    household_no: str | None
    region_code: str
    head_name: str | None
    monitoring_category: str | None
    year: int | None = None
    income: Decimal | None = None
    line: Decimal | None = None
    previous_income: Decimal | None = None
    members: int = 0
    no_labour: int = 0
    ill: int = 0
    guarantee_open: bool = False
    open_case: bool = False
    sudden: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Suggestion:
    household_id: int
    household_no: str | None
    region_code: str
    head_name: str | None
    grade: str
    reasons: tuple[Reason, ...]
    current: str | None  # the grade set now (None: never graded)
    # What the rules suggested when the current grade was decided: a clerk's adjustment of
    # that same suggestion stands until the suggestion itself changes.
    decided_on: str | None = None

    @property
    def changed(self) -> bool:
        return self.grade != self.current and self.grade != self.decided_on


def _pct(value: Decimal) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def reasons_of(f: Facts, rules: RuleSet) -> list[Reason]:
    """The rules of the table that fire for ``f``, in table order."""
    out: list[Reason] = []

    def fire(code: str, text: str) -> None:
        rule = rules.grade_rule(code)
        if rule is not None:
            out.append(Reason(code, rule.label, text, rule.grade))

    if f.income is not None and f.line is not None:
        if f.income < f.line:
            fire("income_below_line", f"{f.year}年人均纯收入{f.income:.2f}元，低于监测范围{f.line:.2f}元")
        elif (rule := rules.grade_rule("income_near_line")) is not None and f.line > 0:
            margin = (f.income - f.line) / f.line * 100
            if margin < Decimal(str(rule.threshold)):
                fire("income_near_line", f"{f.year}年人均纯收入{f.income:.2f}元，仅高出监测范围"
                                         f"{f.line:.2f}元的{_pct(margin)}%")
    if (f.income is not None and f.previous_income and f.previous_income > 0
            and (rule := rules.grade_rule("income_drop")) is not None):
        drop = (f.previous_income - f.income) / f.previous_income * 100
        if drop > Decimal(str(rule.threshold)):
            fire("income_drop", f"人均纯收入由{f.previous_income:.2f}元降至{f.income:.2f}元，下降{_pct(drop)}%")
    if f.members and (rule := rules.grade_rule("no_labour")) is not None:
        share = Decimal(f.no_labour) / f.members * 100
        if f.no_labour and share >= Decimal(str(rule.threshold)):
            fire("no_labour", f"{f.members}人中{f.no_labour}人无劳动能力（{_pct(share)}%）")
    if (rule := rules.grade_rule("illness")) is not None and f.ill and f.ill >= (rule.threshold or 0):
        fire("illness", f"有{f.ill}名大病、残疾或长期慢性病成员")
    if f.guarantee_open:
        fire("guarantee_open", "三保障或饮水安全核查发现的问题尚未解决")
    if f.open_case:
        fire("monitoring_open", "正在监测帮扶中，风险尚未消除")
    if f.sudden:
        fire("sudden", "；".join(f.sudden))
    many = rules.grade_rule("many_reasons")
    if many is not None and sum(r.grade == GRADE_2 for r in out) >= (many.threshold or 0):
        out.append(Reason("many_reasons", many.label, f"同时触发{sum(r.grade == GRADE_2 for r in out)}条二级规则",
                          many.grade))
    return out


def grade_of(reasons: Iterable[Reason]) -> str:
    """The most severe grade among ``reasons`` (一级 = "1" is the most severe); 三级 if none."""
    return min((r.grade for r in reasons), default=GRADE_3)


# --------------------------------------------------------------------------- facts, set-based


def graded_scope(region_code: str | None = None):
    """Conditions on ``Household``: 正常 脱贫户 and 监测对象 under ``region_code``."""
    conds = [Household.status == HOUSEHOLD_ACTIVE,
             or_(Household.household_type == TUOPIN, Household.monitoring_category.is_not(None))]
    if region_code:
        conds.append(Household.region_code.like(code_prefix(region_code) + "%"))
    return and_(*conds)


def collect_facts(session: Session, region_code: str | None = None, *, today: dt.date | None = None,
                  household_ids: Iterable[int] | None = None, sudden_days: int = 365) -> dict[int, Facts]:
    """The rule inputs of every graded household under ``region_code`` (or of
    ``household_ids``): six queries whatever the number of households."""
    today = today or dt.date.today()
    scope = graded_scope(region_code)
    if household_ids is not None:
        scope = and_(scope, Household.id.in_(list(household_ids)))
    ids = select(Household.id).where(scope)
    # Plain column rows off the session's connection: no ORM result processing.
    conn = session.connection()
    facts = {hid: Facts(hid, no, region, head, mc) for hid, no, region, head, mc in conn.execute(
        select(Household.id, Household.household_no, Household.region_code, Household.head_name,
               Household.monitoring_category).where(scope))}
    if not facts:
        return facts
    # Latest two years with an income, per household.
    incomes: dict[int, list[tuple[int, Decimal]]] = {}
    for hid, year, income in conn.execute(
        select(HouseholdYear.household_id, HouseholdYear.year, HouseholdYear.per_capita_net_income)
        .where(HouseholdYear.household_id.in_(ids), HouseholdYear.per_capita_net_income.is_not(None))
        .order_by(HouseholdYear.household_id, HouseholdYear.year.desc())
    ):
        mine = incomes.setdefault(hid, [])
        if len(mine) < 2:
            mine.append((year, Decimal(income)))
    lines: dict[int, Decimal | None] = {}
    for hid, mine in incomes.items():
        f = facts[hid]
        f.year, f.income = mine[0]
        if f.year not in lines:
            lines[f.year] = monitoring_line(session, f.year)
        f.line = lines[f.year]
        if len(mine) > 1 and mine[1][0] == f.year - 1:
            f.previous_income = mine[1][1]
    for hid, n, no_labour, ill in conn.execute(
        select(Member.household_id, func.count(),
               func.sum(case((Member.labour_skill.in_(NO_LABOUR), 1), else_=0)),
               func.sum(case((or_(Member.health.in_(ILL_HEALTH), Member.disability_type.is_not(None)), 1),
                             else_=0)))
        .where(Member.household_id.in_(ids), Member.status == MEMBER_PRESENT)
        .group_by(Member.household_id)
    ):
        facts[hid].members, facts[hid].no_labour, facts[hid].ill = n, int(no_labour or 0), int(ill or 0)
    g = GuaranteeCheck
    for (hid,) in conn.execute(
        select(g.household_id).where(g.household_id.in_(ids), g.resolved_on.is_(None),
                                     or_(*(getattr(g, c).is_(True) for c in _GUARANTEE))).distinct()
    ):
        facts[hid].guarantee_open = True
    since = today - dt.timedelta(days=sudden_days)
    mc = MonitoringCase
    for hid, ym, *risks in conn.execute(
        select(mc.household_id, mc.identified_ym, mc.risk_1, mc.risk_2, mc.risk_3, mc.risk_4, mc.risk_5)
        .where(mc.household_id.in_(ids), mc.state != MONITORING_ELIMINATED)
    ):
        f = facts[hid]
        f.open_case = True
        hit = [r for r in risks if r in SUDDEN_RISKS]
        if hit and ym and ym >= f"{since:%Y-%m}":
            from fupin_desktop.codes import label_of

            f.sudden.append(f"{ym}纳入监测，风险为{'、'.join(label_of('risk_type', r) for r in hit)}")
    for hid, on, name in conn.execute(
        select(ChangeEvent.household_id, ChangeEvent.effective_date, Member.name)
        .outerjoin(Member, Member.id == ChangeEvent.member_id)
        .where(ChangeEvent.household_id.in_(ids), ChangeEvent.reason == DEATH,
               ChangeEvent.effective_date >= since)
        .order_by(ChangeEvent.effective_date)
    ):
        facts[hid].sudden.append(f"{name or '成员'}于{on:%Y-%m-%d}死亡")
    for f in facts.values():
        if f.monitoring_category == SUDDEN_CATEGORY:
            f.sudden.insert(0, "监测对象类别为突发严重困难户")
    return facts


def current_grades(session: Session, ids: Iterable[int] | None = None) -> dict[int, str]:
    """household id → grade code, for the graded ones among ``ids`` (all when None)."""
    return {hid: grade for hid, (grade, _s) in _decisions(session, ids).items()}


def _decisions(session: Session, ids: Iterable[int] | None) -> dict[int, tuple[str, str | None]]:
    stmt = select(RiskGrade.household_id, RiskGrade.grade, RiskGrade.suggested)
    if ids is not None:
        stmt = stmt.where(RiskGrade.household_id.in_(list(ids)))
    return {hid: (grade, suggested) for hid, grade, suggested in session.execute(stmt)}


def suggest_grades(session: Session, region_code: str | None = None, *, today: dt.date | None = None,
                   household_ids: Iterable[int] | None = None, rules: RuleSet | None = None) -> list[Suggestion]:
    """The suggested grade of every graded household (in 户编号 order), with its reasons and
    the grade set now. Writes nothing."""
    rules = rules or load_rules(session)
    sudden = rules.grade_rule("sudden")
    facts = collect_facts(session, region_code, today=today, household_ids=household_ids,
                          sudden_days=int(sudden.threshold) if sudden and sudden.threshold is not None else 365)
    decided = _decisions(session, facts if household_ids is not None else None)
    out = []
    for f in sorted(facts.values(), key=lambda f: (f.household_no or "", f.household_id)):
        reasons = reasons_of(f, rules)
        grade, suggested = decided.get(f.household_id, (None, None))
        out.append(Suggestion(f.household_id, f.household_no, f.region_code, f.head_name, grade_of(reasons),
                              tuple(reasons), grade, suggested))
    return out


def suggestion_for(session: Session, household_id: int, *, today: dt.date | None = None) -> Suggestion | None:
    """One household's suggestion (None when it is neither a 脱贫户 nor a 监测对象)."""
    found = suggest_grades(session, household_ids=[household_id], today=today)
    return found[0] if found else None


# --------------------------------------------------------------------------- decisions


def _normalize_grade(grade: str) -> str:
    from fupin_desktop.codes import code_list

    code = code_list("risk_grade").normalize(str(grade)) if grade else None
    if code not in GRADES:
        raise UserError(f"风险等级“{grade}”无法识别，应为一级、二级或三级。")
    return code


def _write(session: Session, household_id: int, grade: str, *, suggested: str | None,
           reasons: list[dict[str, Any]], reason: str | None, on: dt.date, user: str) -> RiskGradeChange | None:
    row = session.get(RiskGrade, household_id)
    old = row.grade if row is not None else None
    if row is None:
        row = RiskGrade(household_id=household_id)
        session.add(row)
    row.grade, row.set_on, row.set_by, row.reason = grade, on, user, reason
    row.suggested, row.reasons = suggested, reasons
    change = RiskGradeChange(household_id=household_id, old_grade=old, new_grade=grade, suggested=suggested,
                             changed_on=on, changed_by=user, reason=reason, reasons=reasons)
    session.add(change)
    if old is not None and grade < old:
        from fupin_desktop.services.risk.warnings import raise_grade_up

        raise_grade_up(session, household_id, old, grade, on=on)
    return change


def set_grade(session: Session, household_id: int, grade: str, *, reason: str = "",
              today: dt.date | None = None, user: str | None = None) -> RiskGradeChange:
    """The clerk confirms (``grade`` = the suggestion) or adjusts a household's grade. An
    adjustment needs a ``reason``; the rules that fired are kept with the decision."""
    today = today or dt.date.today()
    grade = _normalize_grade(grade)
    hh = session.get(Household, household_id)
    if hh is None:
        raise UserError("这一户已被删除，请刷新后重试。")
    suggestion = suggestion_for(session, household_id, today=today)
    if suggestion is None:
        raise UserError("只有脱贫户和监测对象需要定级。")
    reason = (reason or "").strip()
    if grade != suggestion.grade and not reason:
        raise UserError(f"建议等级为{GRADE_LABELS[suggestion.grade]}，调整为{GRADE_LABELS[grade]}请填写调整理由。")
    if len(reason) > 500:
        raise UserError("理由不能超过500字。")
    return _write(session, household_id, grade, suggested=suggestion.grade,
                  reasons=[r.to_json() for r in suggestion.reasons],
                  reason=reason or ("确认建议等级" if grade == suggestion.grade else None),
                  on=today, user=user or audit.current_user(session))


def apply_suggestions(session: Session, suggestions: Iterable[Suggestion], *, today: dt.date | None = None,
                      user: str | None = None, note: str = "按规则批量确认建议等级") -> int:
    """Set the suggested grade where it :attr:`~Suggestion.changed` (a clerk's adjustment
    of the same suggestion is kept); returns how many. Set-based: a county is three bulk
    statements (each row audited) plus the 等级上调 warnings."""
    from fupin_desktop.services.risk.warnings import raise_grade_up

    today = today or dt.date.today()
    user = user or audit.current_user(session)
    changes = [s for s in suggestions if s.changed]
    if not changes:
        return 0
    existing = _decisions(session, None)
    rows = [{"household_id": s.household_id, "grade": s.grade, "set_on": today, "set_by": user, "reason": note,
             "suggested": s.grade, "reasons": [r.to_json() for r in s.reasons]} for s in changes]
    new = [r for r in rows if r["household_id"] not in existing]
    old = [r for r in rows if r["household_id"] in existing]
    if new:
        session.execute(insert(RiskGrade), new)
    if old:
        session.execute(update(RiskGrade), old)
    session.execute(insert(RiskGradeChange), [
        {"household_id": r["household_id"], "old_grade": existing.get(r["household_id"], (None,))[0],
         "new_grade": r["grade"], "suggested": r["grade"], "changed_on": today, "changed_by": user,
         "reason": note, "reasons": r["reasons"]} for r in rows])
    rules = load_rules(session)
    for r in old:
        was = existing[r["household_id"]][0]
        if r["grade"] < was:
            raise_grade_up(session, r["household_id"], was, r["grade"], on=today, rules=rules)
    session.flush()
    # Grade rows loaded before the bulk statements are stale.
    for obj in [o for o in session.identity_map.values() if isinstance(o, RiskGrade)]:
        session.expire(obj)
    return len(rows)


def grade_history(session: Session, household_id: int) -> list[RiskGradeChange]:
    return list(session.scalars(
        select(RiskGradeChange).where(RiskGradeChange.household_id == household_id)
        .order_by(RiskGradeChange.changed_on.desc(), RiskGradeChange.id.desc())))
