"""明白卡: one A4 sheet per household, posted in the home (DOMAIN §8.2, §13.3).

Header (乡镇, 村, 组, 户主, 人口, 属性, 电话), the household's status boxes (医保, 养老, 饮水,
辍学, 住房, 危改, 搬迁, 耕地, 退耕, 合作社), the year's measures by category with 享受 ticks
and amounts, the year's income, who helps (帮扶责任人, 第一书记) and the signature line.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from fupin_desktop.codes import code_list
from fupin_desktop.printing.common import area, current_helper_text, household_header, label
from fupin_desktop.printing.data import HouseholdSheet, MeasureLine
from fupin_desktop.printing.layout import (
    bool_options,
    grid_table,
    kv_table,
    money,
    option_para,
    options,
    para,
    record,
    signature_row,
    styles,
)
from fupin_desktop.rules.validation import age_on

TITLE = "帮扶明白卡"
WIDTH = 180 * mm
HOUSING_MEASURE = "08"  # measure_category 住房安全保障
RELOCATION_MEASURE = "12"  # 搬迁


def story(sheet: HouseholdSheet) -> list[Flowable]:
    st = styles()
    hh = sheet.household
    y = sheet.year_row
    check = sheet.check
    p = sheet.place
    opt = option_para
    kind = label("household_type", hh.household_type)
    if hh.monitoring_category:
        kind = f"{kind}（监测对象：{label('monitoring_category', hh.monitoring_category)}）"

    head = [
        ["乡（镇）", p.township, "行政村", p.village, "自然村（组）",
         "".join(x for x in (hh.natural_village, hh.group_name) if x)],
        ["户主姓名", hh.head_name, "家庭人口", f"{len(sheet.members)} 人", "联系电话", hh.phone],
        ["家庭住址", hh.address or p.line(), None, None, None, None],
        ["户类型", kind, None, "贫困户属性", label("poverty_attribute", hh.poverty_attribute), None],
    ]
    w6 = [30 * mm, 30 * mm, 30 * mm, 30 * mm, 30 * mm, 30 * mm]

    on = min(dt.date(sheet.year, 12, 31), dt.date.today())
    adults = [m for m in sheet.members if m.birth_date is None or age_on(m.birth_date, on) >= 16]
    medical = _all(sheet.members, lambda m: m.has_resident_medical or m.has_employee_medical,
                   lambda m: m.has_resident_medical is None and m.has_employee_medical is None)
    pension = _all(adults, lambda m: m.has_resident_pension or m.has_employee_pension,
                   lambda m: m.has_resident_pension is None and m.has_employee_pension is None)
    lines = sheet.measure_lines
    categories = {m.category for m in lines}
    housing_safe = None
    if check is not None and check.housing_problem is not None:
        housing_safe = not check.housing_problem
    elif y is not None and y.is_dangerous_house is not None:
        housing_safe = not y.is_dangerous_house
    status = [
        ["参加基本医疗保险", opt(bool_options(medical)), "参加基本养老保险", opt(bool_options(pension)),
         "实现安全饮水", opt(bool_options(y.safe_drinking_water if y else None))],
        ["义务教育有无辍学", opt(bool_options(check.education_problem if check else None, "有", "无")),
         "住房是否安全", opt(bool_options(housing_safe)),
         "是否危房改造", opt(bool_options(HOUSING_MEASURE in categories))],
        ["易地扶贫搬迁户", opt(bool_options(bool(hh.in_relocation_site) or RELOCATION_MEASURE in categories)),
         "耕地面积（亩）", area(y.arable_mu) if y else "",
         "退耕还林（亩）", area(y.grain_to_green_mu) if y else ""],
        ["加入合作社", opt(bool_options(y.in_cooperative if y else None)),
         "林地面积（亩）", area(y.forest_mu) if y else "",
         "住房面积（㎡）", area(y.housing_area) if y else ""],
    ]

    # The measures in force this year: 帮扶措施 records and the handbook's 措施 lines.
    by_category: dict[str, list[MeasureLine]] = {}
    for m in lines:
        by_category.setdefault(m.category, []).append(m)
    measure_rows = []
    for code, name in code_list("measure_category").entries():
        items = by_category.get(code, [])
        amount = sum((m.amount for m in items if m.amount is not None), Decimal(0))
        measure_rows.append([
            name,
            opt(options([("1", "享受"), ("0", "未享受")], "1" if items else "0")),
            "；".join(f"{m.content}（{m.period()}）" if m.period() else m.content
                     for m in items if m.content or m.period()),
            money(amount) if items and amount else "",
        ])

    income = [[money(y.wage_income), money(y.business_income), money(y.property_income),
               money(y.transfer_income), money(y.annual_income), money(y.net_income),
               money(y.per_capita_net_income)]] if y else []

    helper_name, helper_unit, helper_phone = current_helper_text(sheet)
    secretary = next((t for t in sheet.team if t.is_first_secretary), None)
    helpers = [
        ["帮扶责任人", helper_name, "帮扶单位", helper_unit, "联系电话", helper_phone],
        ["驻村第一书记", secretary.name if secretary else "", "派出单位",
         secretary.unit_name if secretary else "", "联系电话", secretary.phone if secretary else ""],
    ]

    left, right = household_header(sheet, TITLE)
    body: list[Flowable] = [
        para(f"{sheet.year}年度 脱贫户（监测对象）{TITLE}", st.title),
        Spacer(1, 2 * mm),
        kv_table(head, w6, spans=[((1, 2), (5, 2)), ((1, 3), (2, 3)), ((4, 3), (5, 3))]),
        Spacer(1, 2 * mm),
        kv_table(status, w6),
        Spacer(1, 2 * mm),
        grid_table(["帮扶措施类别", "享受情况", "帮扶内容", "金额（元）"], measure_rows,
                   [30 * mm, 36 * mm, 90 * mm, 24 * mm], align=["c", "l", "l", "r"]),
        Spacer(1, 2 * mm),
        para(f"{y.year}年度家庭收入（元）" if y else "家庭收入（元）", st.cell),
        grid_table(["工资性收入", "生产经营性收入", "财产性收入", "转移性收入", "年收入", "纯收入",
                    "人均纯收入"], income, [WIDTH / 7] * 7, align=["r"] * 7, min_rows=1 - len(income)),
        Spacer(1, 2 * mm),
        kv_table(helpers, [24 * mm, 26 * mm, 20 * mm, 62 * mm, 20 * mm, 28 * mm]),
        Spacer(1, 1.5 * mm),
        para("监督举报电话：12317", st.small),
        signature_row(["填卡人", "联系电话", "户主签字", "日期"], WIDTH),
    ]
    return record(left, right, body, numbered=False)


def _all(members, ok, unknown) -> bool | None:
    """True when every member is covered, False when one is not, None when nothing is known."""
    if not members or all(unknown(m) for m in members):
        return None
    return all(bool(ok(m)) for m in members)
