"""The 月度走访计划's data (one helper's or one village's visits of a month) and its PDF,
laid out by ``printing.visit_plan`` and written through the one atomic PDF writer."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from fupin_desktop.errors import UserError
from fupin_desktop.models import HandbookEntry, Helper
from fupin_desktop.printing.data import RegionNames
from fupin_desktop.printing.layout import short_date
from fupin_desktop.printing.visit_plan import PlanRow, VisitPlan, build_visit_plan
from fupin_desktop.services.risk.rules import GRADE_LABELS, load_rules
from fupin_desktop.services.risk.visits import SECTION_VISIT, visit_schedule


def visit_plan_data(session: Session, month: str, *, helper_id: int | None = None,
                    region_code: str | None = None, today: dt.date | None = None) -> VisitPlan:
    """The plan's rows for one helper (``helper_id``) or one place (``region_code``)."""
    if helper_id is None and region_code is None:
        raise UserError("请指定帮扶责任人（--helper）或村（--region）。")
    names = RegionNames(session)
    if helper_id is not None:
        helper = session.get(Helper, helper_id)
        if helper is None:
            raise UserError(f"没有编号为 {helper_id} 的帮扶责任人，请在帮扶责任人名单中查看编号。")
        subject = f"帮扶责任人：{helper.name}　　单位：{helper.unit_name or ''}　　电话：{helper.phone or ''}"
        title = f"{helper.name}{month[:4]}年{int(month[5:])}月走访计划"
    else:
        place = names.place(region_code)
        subject = "地点：" + "".join(dict.fromkeys(x for x in (place.township, names.name(region_code)) if x))
        title = f"{names.name(region_code)}{month[:4]}年{int(month[5:])}月走访计划"
    visits = visit_schedule(session, month, region_code=region_code, helper_id=helper_id, today=today)
    signed = {hid: sig for hid, sig in session.execute(
        select(HandbookEntry.household_id, HandbookEntry.signatures)
        .where(HandbookEntry.household_id.in_([v.household_id for v in visits]),
               HandbookEntry.section == SECTION_VISIT, HandbookEntry.entry_date.in_({v.done_on for v in visits}))
        .order_by(HandbookEntry.entry_date))} if visits else {}
    rows = []
    for v in visits:
        sig = (signed.get(v.household_id) or {}) if v.done_on else {}
        rows.append(PlanRow(
            place=f"{names.name(v.region_code)}{v.group_name}", head_name=v.head_name, household_no=v.household_no,
            grade=GRADE_LABELS[v.grade], helper=v.helper or "未落实", last_visit=short_date(v.last_visit),
            due=short_date(v.due), status=v.status, visited=short_date(v.done_on),
            signed=(sig.get("household", ""), sig.get("helper", ""), sig.get("cadre", "")),
        ))
    months = load_rules(session).visit_months
    frequency = "走访频次：" + "，".join(f"{GRADE_LABELS[g]}每{n}个月一次" if n > 1 else f"{GRADE_LABELS[g]}每月一次"
                                    for g, n in months.items())
    return VisitPlan(month, title, subject, frequency, rows)


def write_visit_plan(plan: VisitPlan, out: Path | str) -> int:
    """Write the plan as a PDF (a failure leaves no half file); returns the page count."""
    from fupin_desktop.services.printing import write_pdf_atomically

    return write_pdf_atomically(out, lambda path: build_visit_plan(plan, path))
