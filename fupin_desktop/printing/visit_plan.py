"""月度走访计划: one helper's (or one village's) visits of a month, to carry on the round
and sign (「三走访三签字」). Built from prepared data (:func:`visit_plan_data`), then laid out.

Columns: 序号, 村/组, 户主, 等级, 上次走访, 应走访日期, 状态, 走访日期, 户主签字, 帮扶责任人签字,
村干部签字 — the last four left blank for the round (a visit already recorded this month
shows its date and who signed).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer
from sqlalchemy import select
from sqlalchemy.orm import Session

from fupin_desktop.errors import UserError
from fupin_desktop.models import HandbookEntry, Helper
from fupin_desktop.printing.data import RegionNames
from fupin_desktop.printing.layout import A4_LANDSCAPE, FormDocument, grid_table, para, record, short_date, styles
from fupin_desktop.services.risk.rules import GRADE_LABELS, load_rules
from fupin_desktop.services.risk.visits import SECTION_VISIT, visit_schedule


@dataclass(frozen=True)
class PlanRow:
    place: str
    head_name: str
    household_no: str
    grade: str
    helper: str
    last_visit: str
    due: str
    status: str
    visited: str
    signed: tuple[str, str, str]  # 户主, 帮扶责任人, 村干部 names when recorded


@dataclass(frozen=True)
class VisitPlan:
    month: str
    title: str
    subject: str  # 帮扶责任人 or 村 line
    frequency: str
    rows: list[PlanRow]


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


def story(plan: VisitPlan) -> list[Flowable]:
    st = styles()
    rows = [[str(i), r.place, r.head_name, r.grade, r.helper, r.last_visit, r.due, r.status, r.visited, *r.signed]
            for i, r in enumerate(plan.rows, 1)]
    overdue = sum(r.status == "逾期" for r in plan.rows)
    done = sum(r.status == "已走访" for r in plan.rows)
    body: list[Flowable] = [
        para(plan.title, st.title),
        Spacer(1, 2 * mm),
        para(plan.subject, st.body),
        para(plan.frequency + "。走访后请户主、帮扶责任人、村干部分别签字，并把走访情况录入扶贫手册。", st.body),
        Spacer(1, 3 * mm),
        grid_table(["序号", "村/组", "户主", "等级", "帮扶责任人", "上次走访", "应走访", "状态", "走访日期",
                    "户主签字", "帮扶责任人签字", "村干部签字"], rows,
                   [x * mm for x in (10, 34, 18, 12, 20, 22, 22, 14, 22, 22, 26, 22)],
                   align=["c"] * 12, min_rows=0 if rows else 1, row_height=10 * mm),
        Spacer(1, 2 * mm),
        para(f"合计：应走访 {len(plan.rows)} 户，已走访 {done} 户，逾期 {overdue} 户。", st.body),
    ]
    return record(plan.title, plan.month, body, footer="走访计划")


def write_visit_plan(plan: VisitPlan, out: Path | str) -> int:
    """Write the plan as a PDF (through a temporary file: a failure leaves no half file)."""
    from fupin_desktop.services.printing import _temp_beside

    out = Path(out)
    tmp = _temp_beside(out)
    try:
        doc = FormDocument(str(tmp), pagesize=A4_LANDSCAPE, title=plan.title)
        pages = doc.build_records([plan], story)
        os.replace(tmp, out)
    except OSError as err:
        raise UserError(f"无法写入文件 {out}：{err.strerror or err}。请换一个保存位置。") from err
    finally:
        tmp.unlink(missing_ok=True)
    return pages
