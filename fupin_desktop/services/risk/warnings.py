"""监测预警: warnings raised when a household's data crosses a rule of the table.

:func:`refresh_warnings` recomputes every rule over a place at once and reconciles with
the stored warnings: a crossing not yet warned about is raised (待核实, due in the days
its household's grade allows); a 待核实 warning whose data no longer crosses is 已解除;
a warning the clerk verified is never raised again for the same key. The clerk closes a
warning as 已核实无风险 (with a note) or turns it into a monitoring case in one action
(:func:`to_monitoring`, through ``services.registry.start_monitoring``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fupin_desktop import audit
from fupin_desktop.codes import label_of
from fupin_desktop.errors import UserError
from fupin_desktop.models import ChangeEvent, Household, Member, RiskWarning
from fupin_desktop.models.household import HOUSEHOLD_ACTIVE
from fupin_desktop.models.region import code_prefix
from fupin_desktop.services.risk.grading import DEATH, _pct, collect_facts, current_grades
from fupin_desktop.services.risk.rules import GRADE_3, GRADE_LABELS, RuleSet, load_rules

PENDING, TO_MONITORING, NO_RISK, CLEARED = "01", "02", "03", "04"
# 比对 list kinds (services.checks.compare) whose hits are a risk signal.
RISK_LIST_KINDS = ("医保大额", "应急受灾", "低保特困", "死亡人员")
RULE_TITLES = {
    "income_below_line": "收入低于监测范围", "income_drop": "收入大幅下降", "member_death": "成员死亡",
    "work_ended": "务工结束", "list_hit": "部门比对", "grade_up": "等级上调",
}
# Rules whose warning reflects a state that may stop holding (the others are events).
_STATE_RULES = ("income_below_line", "income_drop", "list_hit")


@dataclass(frozen=True)
class Crossing:
    household_id: int
    rule: str
    key: str
    message: str
    values: dict[str, Any]


@dataclass(frozen=True)
class RefreshResult:
    raised: int
    cleared: int
    open: int

    def to_json(self) -> dict[str, int]:
        return {"raised": self.raised, "cleared": self.cleared, "open": self.open}


def _scope(region_code: str | None):
    conds = [Household.status == HOUSEHOLD_ACTIVE]
    if region_code:
        conds.append(Household.region_code.like(code_prefix(region_code) + "%"))
    return conds


def _work_label() -> str:
    from fupin_desktop.services.registry import spec_of

    return spec_of("member", "work_status").label


def crossings(session: Session, region_code: str | None = None, *, today: dt.date,
              rules: RuleSet) -> list[Crossing]:
    """Every rule crossing under ``region_code`` now (set-based: one query per rule)."""
    out: list[Crossing] = []
    below, drop = rules.warning_rule("income_below_line"), rules.warning_rule("income_drop")
    if below or drop:
        for f in collect_facts(session, region_code, today=today).values():
            if below and f.income is not None and f.line is not None and f.income < f.line:
                out.append(Crossing(f.household_id, "income_below_line", str(f.year),
                                    f"{f.year}年人均纯收入{f.income:.2f}元，低于监测范围{f.line:.2f}元",
                                    {"year": f.year, "income": str(f.income), "line": str(f.line)}))
            if drop and f.income is not None and f.previous_income and f.previous_income > 0:
                pct = (f.previous_income - f.income) / f.previous_income * 100
                if pct > Decimal(str(drop.threshold)):
                    out.append(Crossing(f.household_id, "income_drop", str(f.year),
                                        f"{f.year}年人均纯收入{f.income:.2f}元，比上年{f.previous_income:.2f}元"
                                        f"下降{_pct(pct)}%",
                                        {"year": f.year, "income": str(f.income),
                                         "previous": str(f.previous_income), "drop_pct": _pct(pct)}))
    death, work = rules.warning_rule("member_death"), rules.warning_rule("work_ended")
    if death or work:
        days = max(int(r.threshold or 0) for r in (death, work) if r)
        since = today - dt.timedelta(days=days)
        label = _work_label()
        for ev_id, hid, on, reason, details, name in session.execute(
            select(ChangeEvent.id, ChangeEvent.household_id, ChangeEvent.effective_date, ChangeEvent.reason,
                   ChangeEvent.details, Member.name)
            .join(Household, Household.id == ChangeEvent.household_id)
            .outerjoin(Member, Member.id == ChangeEvent.member_id)
            .where(*_scope(region_code), ChangeEvent.effective_date >= since)
            .order_by(ChangeEvent.id)
        ):
            age = (today - on).days
            if death and reason == DEATH and age <= (death.threshold or 0):
                out.append(Crossing(hid, "member_death", f"event:{ev_id}",
                                    f"{name or '成员'}于{on:%Y-%m-%d}死亡，请核实家庭收入和劳动力变化",
                                    {"member": name, "date": on.isoformat()}))
            if work and details and age <= (work.threshold or 0):
                for key, change in details.items():
                    if (key.endswith(label) and isinstance(change, list) and len(change) == 2
                            and change[0] and not change[1]):
                        who = key[: -len(label)].strip() or "成员"
                        out.append(Crossing(hid, "work_ended", f"event:{ev_id}:{key}",
                                            f"{who}于{on:%Y-%m-%d}务工结束（原为{change[0]}），请核实就业和收入",
                                            {"member": who, "was": change[0], "date": on.isoformat()}))
    if rules.warning_rule("list_hit"):
        from fupin_desktop.services.checks.compare import LIST_KINDS, comparison_hits

        known = {k.key for k in LIST_KINDS}
        for kind in (k for k in RISK_LIST_KINDS if k in known):
            for hit in comparison_hits(session, kind, region_code=region_code):
                if not hit.verified:
                    out.append(Crossing(hit.household_id, "list_hit", f"{hit.kind}:{hit.member_id}",
                                        f"{hit.name}：{hit.finding}", {"kind": hit.kind, "member": hit.name,
                                                                       "source": hit.source, "row": hit.row_no}))
    return out


def due_date(grade: str | None, raised: dt.date, rules: RuleSet) -> dt.date:
    return raised + dt.timedelta(days=rules.due_days[grade or GRADE_3])


def refresh_warnings(session: Session, region_code: str | None = None, *, today: dt.date | None = None,
                     rules: RuleSet | None = None) -> RefreshResult:
    """Raise the new crossings and clear the 待核实 warnings whose data no longer crosses."""
    today = today or dt.date.today()
    rules = rules or load_rules(session)
    found = {(c.household_id, c.rule, c.key): c for c in crossings(session, region_code, today=today, rules=rules)}
    stored = session.scalars(
        select(RiskWarning).join(Household, Household.id == RiskWarning.household_id).where(*_scope(region_code))
    ).all()
    known = {(w.household_id, w.rule, w.key) for w in stored}
    cleared = 0
    for w in stored:
        if (w.status == PENDING and w.rule in _STATE_RULES and (w.household_id, w.rule, w.key) not in found):
            w.status, w.closed_on, w.closed_by = CLEARED, today, "系统"
            w.note = "数据已不再触发此规则，自动解除"
            cleared += 1
    new = [c for k, c in found.items() if k not in known]
    grades = current_grades(session, {c.household_id for c in new})
    for c in new:
        session.add(RiskWarning(household_id=c.household_id, rule=c.rule, key=c.key, message=c.message[:500],
                                values=c.values, raised_on=today,
                                due_on=due_date(grades.get(c.household_id), today, rules), status=PENDING))
    session.flush()
    open_count = sum(1 for w in stored if w.status == PENDING) + len(new)
    return RefreshResult(len(new), cleared, open_count)


def raise_grade_up(session: Session, household_id: int, old: str, new: str, *, on: dt.date,
                   rules: RuleSet | None = None) -> None:
    """A grade moved up (toward 一级): a warning, unless the rule is switched off."""
    rules = rules or load_rules(session)
    if rules.warning_rule("grade_up") is None:
        return
    key = f"{on.isoformat()}:{old}>{new}"
    exists_ = session.scalar(select(RiskWarning.id).where(
        RiskWarning.household_id == household_id, RiskWarning.rule == "grade_up", RiskWarning.key == key))
    if exists_ is None:
        session.add(RiskWarning(household_id=household_id, rule="grade_up", key=key,
                                message=f"风险等级由{GRADE_LABELS[old]}上调为{GRADE_LABELS[new]}",
                                values={"old": GRADE_LABELS[old], "new": GRADE_LABELS[new]}, raised_on=on,
                                due_on=due_date(new, on, rules), status=PENDING))


# --------------------------------------------------------------------------- listing, closing


@dataclass(frozen=True)
class WarningRow:
    id: int
    household_id: int
    household_no: str
    head_name: str
    region_code: str
    grade: str  # label, "" when not graded
    rule: str
    rule_title: str
    message: str
    values: dict[str, Any]
    raised_on: dt.date
    due_on: dt.date
    status: str
    status_label: str
    note: str
    overdue: bool

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "household_no": self.household_no, "head_name": self.head_name,
                "grade": self.grade, "rule": self.rule, "rule_title": self.rule_title, "message": self.message,
                "values": self.values, "raised_on": self.raised_on.isoformat(), "due_on": self.due_on.isoformat(),
                "status": self.status_label, "note": self.note, "overdue": self.overdue}


def list_warnings(session: Session, region_code: str | None = None, *, statuses: Sequence[str] | None = (PENDING,),
                  today: dt.date | None = None) -> list[WarningRow]:
    """Warnings under ``region_code`` (by default the 待核实 ones), due first."""
    today = today or dt.date.today()
    stmt = (select(RiskWarning, Household.household_no, Household.head_name, Household.region_code)
            .join(Household, Household.id == RiskWarning.household_id).where(*_scope(region_code))
            .order_by(RiskWarning.due_on, Household.household_no, RiskWarning.id))
    if statuses:
        stmt = stmt.where(RiskWarning.status.in_(list(statuses)))
    rows = session.execute(stmt).all()
    grades = current_grades(session, {w.household_id for w, *_ in rows})
    return [WarningRow(w.id, w.household_id, no or "", head or "", region, GRADE_LABELS.get(grades.get(w.household_id), ""),
                       w.rule, RULE_TITLES.get(w.rule, w.rule), w.message, dict(w.values or {}), w.raised_on, w.due_on,
                       w.status, label_of("warning_status", w.status), w.note or "",
                       w.status == PENDING and w.due_on < today)
            for w, no, head, region in rows]


def _pending(session: Session, warning_id: int) -> RiskWarning:
    w = session.get(RiskWarning, warning_id)
    if w is None:
        raise UserError("这条预警已被删除，请刷新后重试。")
    if w.status != PENDING:
        raise UserError(f"这条预警已是“{label_of('warning_status', w.status)}”，不能再次核实。")
    return w


def verify_no_risk(session: Session, warning_id: int, note: str, *, today: dt.date | None = None) -> RiskWarning:
    """已核实无风险: the clerk checked and found no risk; the note says what was checked."""
    note = (note or "").strip()
    if not note:
        raise UserError("请填写核实情况（例如：已入户核实，收入下降系统计口径变化）。")
    w = _pending(session, warning_id)
    w.status, w.note = NO_RISK, note[:500]
    w.closed_on, w.closed_by = today or dt.date.today(), audit.current_user(session)
    session.flush()
    return w


def to_monitoring(session: Session, warning_id: int, *, category: str, risks: Sequence[str], identified_ym: str,
                  effective: dt.date, reported_month: str, note: str = "", contact: str | None = None,
                  contact_phone: str | None = None) -> RiskWarning:
    """已核实纳入监测: one action — the monitoring case is opened (``start_monitoring``, with
    all its checks) and the warning closed with a link to it."""
    from fupin_desktop.services.registry import start_monitoring

    w = _pending(session, warning_id)
    case = start_monitoring(session, w.household_id, category=category, risks=risks, identified_ym=identified_ym,
                            effective=effective, reported_month=reported_month, contact=contact,
                            contact_phone=contact_phone, channel="监测预警", note=note or w.message[:500])
    w.status, w.monitoring_case_id = TO_MONITORING, case.id
    w.note = (note or "核实后纳入监测")[:500]
    w.closed_on, w.closed_by = effective, audit.current_user(session)
    session.flush()
    return w


def open_warning_count(session: Session, household_id: int) -> int:
    return len(session.scalars(select(RiskWarning.id).where(
        RiskWarning.household_id == household_id, RiskWarning.status == PENDING)).all())
