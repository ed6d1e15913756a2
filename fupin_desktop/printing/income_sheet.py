"""收入测算表: one household's income of a year by item, its members' sources of income, and
the 人均纯收入 worked out (DOMAIN §3.6, rules/income.py) against the year's 监测范围 (§7.3).

The sums are computed here from the items with :func:`fupin_desktop.rules.income.income_totals`
(the one definition of the formulas), so the sheet shows the arithmetic the clerk can check; a
stored total that disagrees is pointed out rather than printed silently.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable

from fupin_desktop.printing.collection_form import INCOME_LINES
from fupin_desktop.printing.common import age, closing, household_header, label
from fupin_desktop.printing.data import HouseholdSheet
from fupin_desktop.printing.layout import (
    grid_table,
    kv_table,
    money,
    para,
    record,
    section_title,
    styles,
)
from fupin_desktop.rules.income import income_totals, to_amount

TITLE = "收入测算表"
# The lines computed here, not read from the record.
COMPUTED = ("annual_income", "net_income", "per_capita_net_income")


@dataclass(frozen=True)
class IncomeFigures:
    year: int
    wage: Decimal
    business: Decimal
    property: Decimal
    transfer: Decimal
    expense: Decimal
    persons: int
    annual: Decimal
    net: Decimal
    per_capita: Decimal | None  # None when the household size is unknown

    def below(self, line: Decimal | None) -> bool | None:
        """Whether 人均纯收入 is below the 监测范围 (None when either is unknown)."""
        if line is None or self.per_capita is None:
            return None
        return self.per_capita < line


def income_figures(sheet: HouseholdSheet) -> IncomeFigures:
    """The printed year's totals by the rules of §3.6 (blank items count as 0)."""
    y = sheet.year_row
    get = (lambda attr: getattr(y, attr)) if y else (lambda attr: None)
    persons = (y.household_size if y and y.household_size else len(sheet.members))
    parts = dict(wage=get("wage_income"), business=get("business_income"),
                 property_income=get("property_income"), transfer=get("transfer_income"),
                 business_expense=get("business_expense"))
    totals = income_totals(**parts, persons=max(persons, 1))
    return IncomeFigures(
        year=y.year if y else sheet.year,
        wage=to_amount(parts["wage"]), business=to_amount(parts["business"]),
        property=to_amount(parts["property_income"]), transfer=to_amount(parts["transfer"]),
        expense=to_amount(parts["business_expense"]), persons=persons,
        annual=totals.annual_income, net=totals.net_income,
        per_capita=totals.per_capita_net_income if persons else None,
    )


def story(sheet: HouseholdSheet) -> list[Flowable]:
    st = styles()
    hh = sheet.household
    f = income_figures(sheet)
    kind = label("monitoring_category", hh.monitoring_category) or label("household_type", hh.household_type)
    body: list[Flowable] = [
        para(f"{f.year}年度家庭{TITLE}", st.title),
        para(f"{sheet.place.line()}{hh.group_name or ''}\u3000\u3000户编号：{hh.household_no or ''}",
             st.subtitle),
        kv_table([["户主姓名", hh.head_name, "家庭人口", f"{f.persons} 人", "户类型", kind]],
                 [24 * mm, 36 * mm, 24 * mm, 36 * mm, 24 * mm, 36 * mm]),
        section_title("一、分项收入（单位：元）"),
        _items(sheet),
        *_members(sheet),
        *_result(sheet, f),
        *closing("以上收入经入户核实测算，户主确认属实。", ["户主签字（手印）", "测算人", "村（社区）审核", "测算日期"]),
    ]
    left, right = household_header(sheet, TITLE)
    return record(left, right, body, footer=TITLE)


def _items(sheet: HouseholdSheet) -> Flowable:
    y = sheet.year_row
    notes = (y.income_notes or {}) if y else {}
    indented = styles().cell.clone("income_item_sub", leftIndent=5 * mm)
    rows = []
    for text, attr, indent in INCOME_LINES:
        if attr in COMPUTED:
            continue
        value = getattr(y, attr) if y else None
        rows.append([para(text, indented) if indent else text, money(value), notes.get(attr, "")])
    return grid_table(["项目", "金额（元）", "说明"], rows, [80 * mm, 30 * mm, 70 * mm],
                      align=["l", "r", "l"])


def _members(sheet: HouseholdSheet) -> list[Flowable]:
    today = dt.date.today()
    rows = []
    for i, m in enumerate(sheet.members, 1):
        sources = []
        if m.work_months:
            sources.append(f"务工{m.work_months}个月")
        if m.public_welfare_months or m.public_welfare_job:
            sources.append(f"公益岗位{m.public_welfare_months}个月" if m.public_welfare_months else "公益岗位")
        for on, text in ((m.is_dibao, "低保"), (m.is_tekun, "特困供养"),
                         (m.has_resident_pension or m.has_employee_pension, "养老保险")):
            if on:
                sources.append(text)
        rows.append([str(i), m.name, label("relation", m.relation), age(m.birth_date, today),
                     label("labour_skill", m.labour_skill), label("work_status", m.work_status),
                     m.work_place or "", "、".join(sources), ""])
    return [
        CondPageBreak(40 * mm),
        section_title("二、家庭成员收入来源"),
        grid_table(["序号", "姓名", "与户主关系", "年龄", "劳动技能", "务工状况", "务工地点",
                    "收入来源", "测算收入（元）"], rows,
                   [x * mm for x in (9, 16, 19, 9, 20, 22, 28, 35, 22)],
                   align=["c", "c", "c", "c", "c", "c", "l", "l", "r"], min_rows=max(0, 2 - len(rows))),
    ]


def _result(sheet: HouseholdSheet, f: IncomeFigures) -> list[Flowable]:
    st = styles()
    line = sheet.monitoring_line
    if line is None and sheet.monitoring is not None:
        line = sheet.monitoring.per_capita_threshold
    lines = [
        f"年收入 = 工资性收入 + 生产经营性收入 + 财产性收入 + 转移性收入 = {money(f.wage)} + "
        f"{money(f.business)} + {money(f.property)} + {money(f.transfer)} = {money(f.annual)} 元",
        f"纯收入 = 年收入 − 生产经营性支出 = {money(f.annual)} − {money(f.expense)} = {money(f.net)} 元",
    ]
    if f.per_capita is not None:
        lines.append(f"人均纯收入 = 纯收入 ÷ 家庭人口 = {money(f.net)} ÷ {f.persons} = {money(f.per_capita)} 元")
    else:
        lines.append("人均纯收入：家庭人口未填写，无法测算。")
    below = f.below(line)
    if line is None:
        verdict = f"{f.year}年监测范围：未设置（请在“核查”中填写当年监测范围后重新打印）。"
    elif below:
        verdict = (f"{f.year}年监测范围 {money(line)} 元/人：人均纯收入低于监测范围 "
                   f"{money(line - f.per_capita)} 元，符合纳入监测的收入条件。")
    else:
        verdict = (f"{f.year}年监测范围 {money(line)} 元/人：人均纯收入高于监测范围 "
                   f"{money(f.per_capita - line)} 元。")
    out: list[Flowable] = [CondPageBreak(40 * mm), section_title("三、测算结果"),
                           *[para(text, st.body) for text in lines], para(verdict, st.body)]
    y = sheet.year_row
    stored = y.per_capita_net_income if y else None
    if stored is not None and f.per_capita is not None and Decimal(stored) != f.per_capita:
        out.append(para(f"注：系统中记录的人均纯收入为 {money(stored)} 元，与本表测算不一致，请核实收入各项。",
                        st.note))
    return out


__all__ = ["IncomeFigures", "TITLE", "income_figures", "story"]
