"""月度走访计划: one helper's (or one village's) visits of a month, to carry on the round
and sign (「三走访三签字」). Built from prepared data (``services.risk.plan.visit_plan_data``), then laid out.

Columns: 序号, 村/组, 户主, 等级, 上次走访, 应走访日期, 状态, 走访日期, 户主签字, 帮扶责任人签字,
村干部签字 — the last four left blank for the round (a visit already recorded this month
shows its date and who signed).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from fupin_desktop.printing.layout import A4_LANDSCAPE, FormDocument, grid_table, para, record, styles


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


def build_visit_plan(plan: VisitPlan, path: Path | str) -> int:
    """Lay the plan out into ``path`` (A4 landscape); returns the page count."""
    doc = FormDocument(str(path), pagesize=A4_LANDSCAPE, title=plan.title)
    return doc.build_records([plan], story)
