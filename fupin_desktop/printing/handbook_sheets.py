"""帮扶计划 and 走访记录 as standalone sheets (the same tables as sections 四 and 八 of the
扶贫手册, DOMAIN §8.1), for the wall of the village office or the helper's folder: the household
box, the helpers now in charge, the table with blank rows for new lines, and signatures.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from fupin_desktop.printing.common import closing, current_helper_text, household_header, label
from fupin_desktop.printing.data import HouseholdSheet
from fupin_desktop.printing.handbook import plan_table, visit_table
from fupin_desktop.printing.layout import kv_table, para, record, styles

PLAN_TITLE = "帮扶计划"
VISITS_TITLE = "走访记录"


def _household_box(sheet: HouseholdSheet) -> Flowable:
    hh = sheet.household
    helper, unit, phone = current_helper_text(sheet)
    kind = label("monitoring_category", hh.monitoring_category) or label("household_type", hh.household_type)
    return kv_table([
        ["户主姓名", hh.head_name, "家庭人口", f"{len(sheet.members)} 人", "户类型", kind],
        ["帮扶责任人", helper, "工作单位", unit, "联系电话", phone],
    ], [24 * mm, 36 * mm, 24 * mm, 36 * mm, 24 * mm, 36 * mm])


def _sheet(sheet: HouseholdSheet, title: str, table: Flowable, signers: list[str]) -> list[Flowable]:
    st = styles()
    hh = sheet.household
    body: list[Flowable] = [
        para(f"{title}表", st.title),
        para(f"{sheet.place.line()}{hh.group_name or ''}\u3000\u3000户编号：{hh.household_no or ''}",
             st.subtitle),
        _household_box(sheet),
        Spacer(1, 4 * mm),
        table,
        *closing("", signers),
    ]
    left, right = household_header(sheet, title)
    return record(left, right, body, footer=title)


def plan_story(sheet: HouseholdSheet) -> list[Flowable]:
    return _sheet(sheet, PLAN_TITLE, plan_table(sheet, blank_rows=6),
                  ["户主签字", "帮扶责任人签字", "村委会（盖章）", "日期"])


def visits_story(sheet: HouseholdSheet) -> list[Flowable]:
    return _sheet(sheet, VISITS_TITLE, visit_table(sheet, blank_rows=10),
                  ["帮扶责任人签字", "村委会（盖章）", "日期"])


__all__ = ["PLAN_TITLE", "VISITS_TITLE", "plan_story", "visits_story"]
