"""分类施策: visits by grade (「三走访三签字」, DOMAIN §16.2).

A graded household is due a visit ``visit_months[grade]`` months after its last 走访 (or,
never visited, by the end of the month it was graded in). A visit is one 扶贫手册 line of section 走访
(``services.handbook.add_entry``), so the printed handbook lists it; the 户主 / 帮扶责任人 /
村干部 signatures are kept as names in ``HandbookEntry.signatures``.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fupin_desktop.errors import UserError
from fupin_desktop.models import HandbookEntry, Helper, HelperAssignment, Household, RiskGrade
from fupin_desktop.models.household import HOUSEHOLD_ACTIVE
from fupin_desktop.models.region import code_prefix
from fupin_desktop.services.reports.figures import month_period
from fupin_desktop.services.risk.rules import GRADE_LABELS, RuleSet, load_rules

SECTION_VISIT = "06"  # handbook_section 走访
SIGNERS = (("household", "户主"), ("helper", "帮扶责任人"), ("cadre", "村干部"))


def add_months(day: dt.date, n: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + n
    y, m = index // 12, index % 12 + 1
    return dt.date(y, m, min(day.day, calendar.monthrange(y, m)[1]))


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


@dataclass(frozen=True)
class VisitDue:
    household_id: int
    household_no: str
    head_name: str
    region_code: str
    group_name: str
    grade: str  # code
    helper_id: int | None
    helper: str  # name, "" when no 帮扶责任人 is assigned
    last_visit: dt.date | None
    due: dt.date
    done_on: dt.date | None  # a visit in the month
    overdue: bool

    @property
    def status(self) -> str:
        return "已走访" if self.done_on else ("逾期" if self.overdue else "待走访")

    def to_json(self) -> dict[str, Any]:
        return {"helper": self.helper, "household_no": self.household_no, "grade": GRADE_LABELS[self.grade],
                "last_visit": self.last_visit.isoformat() if self.last_visit else None,
                "due": self.due.isoformat(), "overdue": self.overdue}


def visit_schedule(session: Session, month: str, *, region_code: str | None = None, helper_id: int | None = None,
                   today: dt.date | None = None, rules: RuleSet | None = None,
                   include_done: bool = True) -> list[VisitDue]:
    """The visits of ``month`` ("YYYY-MM"): every graded household due by the month's end
    (overdue ones included), by helper then 户编号. ``overdue``: not visited and due before
    the reference day (today, kept within the month)."""
    period = month_period(month)
    start, end = dt.date(int(period.first[:4]), int(period.first[5:]), 1), period.end
    today = today or dt.date.today()
    ref = min(max(today, start), end + dt.timedelta(days=1))
    rules = rules or load_rules(session)
    conds = [Household.status == HOUSEHOLD_ACTIVE]
    if region_code:
        conds.append(Household.region_code.like(code_prefix(region_code) + "%"))
    rows = session.execute(
        select(Household.id, Household.household_no, Household.head_name, Household.region_code,
               Household.group_name, RiskGrade.grade, RiskGrade.set_on)
        .join(RiskGrade, RiskGrade.household_id == Household.id).where(*conds)
    ).all()
    ids = select(RiskGrade.household_id).join(Household, Household.id == RiskGrade.household_id).where(*conds)
    helpers: dict[int, tuple[int, str]] = {}
    for hid, hel_id, name in session.execute(
        select(HelperAssignment.household_id, Helper.id, Helper.name)
        .join(Helper, Helper.id == HelperAssignment.helper_id)
        .where(HelperAssignment.household_id.in_(ids), HelperAssignment.start_date <= end,
               (HelperAssignment.end_date.is_(None)) | (HelperAssignment.end_date >= start))
        .order_by(HelperAssignment.start_date)
    ):
        helpers[hid] = (hel_id, name)
    e = HandbookEntry
    last_before = dict(session.execute(
        select(e.household_id, func.max(e.entry_date))
        .where(e.household_id.in_(ids), e.section == SECTION_VISIT, e.entry_date < start)
        .group_by(e.household_id)).all())
    done = dict(session.execute(
        select(e.household_id, func.max(e.entry_date))
        .where(e.household_id.in_(ids), e.section == SECTION_VISIT, e.entry_date >= start, e.entry_date <= end)
        .group_by(e.household_id)).all())
    out = []
    for hid, no, head, region, group, grade, set_on in rows:
        hel = helpers.get(hid)
        if helper_id is not None and (hel is None or hel[0] != helper_id):
            continue
        last = last_before.get(hid)
        due = add_months(last, rules.visit_months[grade]) if last else _month_end(set_on)
        if due > end:
            continue
        done_on = done.get(hid)
        if done_on and not include_done:
            continue
        out.append(VisitDue(hid, no or "", head or "", region, group or "", grade, hel[0] if hel else None,
                            hel[1] if hel else "", last, due, done_on, done_on is None and due < ref))
    out.sort(key=lambda v: (v.helper == "", v.helper, v.region_code, v.household_no))
    return out


def record_visit(session: Session, household_id: int, data: Mapping[str, Any]) -> HandbookEntry:
    """Record a 走访: ``visited_on`` (date), ``content`` (帮扶措施及解决的问题), ``findings``
    (了解到的情况 / problems found), ``helper_id`` and ``signatures`` {household|helper|cadre:
    name} — a tick is a name. Writes one 扶贫手册 走访 line."""
    from fupin_desktop.services.handbook import add_entry

    signatures: dict[str, str] = {}
    for key, label in SIGNERS:
        name = str((data.get("signatures") or {}).get(key) or "").strip()
        if name:
            if len(name) > 40:
                raise UserError(f"{label}签字的姓名过长（不超过40字）。")
            signatures[key] = name
    visited = data.get("visited_on")
    if isinstance(visited, dt.date) and visited > dt.date.today():
        raise UserError(f"走访日期{visited:%Y-%m-%d}晚于今天，请检查。")
    entry = add_entry(session, household_id, {
        "section": SECTION_VISIT, "entry_date": visited, "content": data.get("content"),
        "findings": data.get("findings"), "helper_id": data.get("helper_id"),
        "household_signed": "household" in signatures, "note": data.get("note"),
    })
    entry.signatures = signatures or None
    session.flush()
    return entry


def signature_text(signatures: Mapping[str, str] | None) -> str:
    """「户主：张三 ✓；帮扶责任人：李四 ✓」 (what the lists and the printed plan show)."""
    return "；".join(f"{label}：{signatures[key]}" for key, label in SIGNERS if signatures and signatures.get(key))


def visits_of(session: Session, household_id: int) -> list[HandbookEntry]:
    return list(session.scalars(
        select(HandbookEntry).where(HandbookEntry.household_id == household_id,
                                    HandbookEntry.section == SECTION_VISIT)
        .order_by(HandbookEntry.entry_date.desc(), HandbookEntry.id.desc())))
