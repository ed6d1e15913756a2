"""户信息采集表: the annual collection form of one household (DOMAIN §12.3, §13.1).

A4 portrait, usually two pages: place and household line, 一 家庭成员 (two tables: identity,
then work and cover), 二 收支情况 (项目 | 金额 | 说明 with 其中 lines), 三 生产生活条件 (☑/□),
四 三保障和饮水安全, 五 帮扶措施 (the 14 categories), 六 帮扶责任人 / 监测联系人, signatures.
This form is for the office: it shows ID numbers, phones and the bank account in full.
"""

from __future__ import annotations

import datetime as dt

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Spacer

from fupin_desktop.printing.common import age, area, household_header, label, yes_no
from fupin_desktop.printing.data import HouseholdSheet
from fupin_desktop.printing.layout import (
    KeepTail,
    bool_options,
    column_widths,
    date_text,
    grid_table,
    kv_table,
    money,
    option_para,
    options,
    para,
    record,
    section_title,
    short_date,
    signature_row,
    styles,
)

TITLE = "户信息采集表"
WIDTH = 180 * mm

# (label, HouseholdYear attribute, indent): the 收支 lines in the order of the national form.
INCOME_LINES: tuple[tuple[str, str, bool], ...] = (
    ("一、工资性收入", "wage_income", False),
    ("其中：公益性岗位收入", "public_welfare_job_income", True),
    ("其他工资性收入", "other_wage_income", True),
    ("二、生产经营性收入", "business_income", False),
    ("其中：产业奖励", "industry_reward", True),
    ("就业奖励", "employment_reward", True),
    ("三、财产性收入", "property_income", False),
    ("其中：资产收益扶贫分红收入", "asset_dividend_income", True),
    ("土地流转收入", "land_transfer_income", True),
    ("其他财产性收入", "other_property_income", True),
    ("四、转移性收入", "transfer_income", False),
    ("其中：计划生育金", "family_planning_income", True),
    ("最低生活保障金", "dibao_income", True),
    ("特困人员救助供养金", "tekun_income", True),
    ("养老金或离退休金", "pension_income", True),
    ("生态补偿金", "eco_compensation_income", True),
    ("其他转移性收入", "other_transfer_income", True),
    ("五、生产经营性支出", "business_expense", False),
    ("其中：专项用于减少生产经营性支出的补贴", "expense_reduction_subsidy", True),
    ("家庭理赔收入", "claims_income", False),
    ("合规自付支出", "compliant_self_paid", False),
    ("年收入（一至四项合计）", "annual_income", False),
    ("纯收入（年收入减生产经营性支出）", "net_income", False),
    ("人均纯收入", "per_capita_net_income", False),
)


def story(sheet: HouseholdSheet) -> list[Flowable]:
    st = styles()
    hh = sheet.household
    p = sheet.place
    kind = "监测户" if hh.monitoring_category else label("household_type", hh.household_type)
    # 「脱贫户信息采集表」, never 「脱贫户户信息采集表」.
    title = f"{kind}信息采集表" if kind.endswith("户") else f"{kind or '农户'}{TITLE}"
    body: list[Flowable] = [
        para(f"{sheet.year}年度 {title}", st.title),
        para(f"{p.province}{p.prefecture}{p.county}{p.township}{p.village}{hh.group_name or ''}"
             f"\u3000\u3000户编号：{hh.household_no or ''}", st.subtitle),
    ]
    opt = option_para
    w6 = [24 * mm, 36 * mm, 24 * mm, 36 * mm, 24 * mm, 36 * mm]
    body.append(kv_table([
        ["户主姓名", hh.head_name, "联系电话", hh.phone, "家庭人口", f"{len(sheet.members)} 人"],
        ["开户银行", hh.bank_name, "银行账号", hh.bank_account, None, None],
        ["户类型", opt(options("household_type", hh.household_type, era="2021")), None,
         "监测对象类别", opt(options("monitoring_category", hh.monitoring_category)), None],
        ["家庭住址", hh.address or p.line(), None, None, None, None],
    ], w6, spans=[((3, 1), (5, 1)), ((1, 2), (2, 2)), ((4, 2), (5, 2)), ((1, 3), (5, 3))]))
    body += _monitoring(sheet, w6)

    body += _members(sheet)
    body += _income(sheet)
    body += _conditions(sheet)
    body += _guarantees(sheet)
    body += _measures(sheet)
    *before, heading, table = _helpers(sheet)
    body += before
    # The last table carries rows over with the 承诺 and signatures: never a page of them alone.
    body.append(KeepTail([heading, table], [
        Spacer(1, 4 * mm),
        para("本户承诺以上信息真实准确，同意有关部门依法查询核对家庭收入和财产状况。", st.body),
        signature_row(["户主签字（手印）", "填表人", "联系电话", "填表时间"], WIDTH),
    ]))
    left, right = household_header(sheet, TITLE)
    return record(left, right, body, footer=TITLE)


def _members(sheet: HouseholdSheet) -> list[Flowable]:
    today = dt.date.today()
    ident, work = [], []
    for i, m in enumerate(sheet.members, 1):
        ident.append([str(i), m.name, label("sex", m.sex), m.id_number, label("relation", m.relation),
                      label("ethnicity", m.ethnicity), label("political_status", m.political_status),
                      label("education", m.education), label("school_status", m.school_status),
                      label("health", m.health), label("labour_skill", m.labour_skill)])
        cover = "/".join(yes_no(v) or "—" for v in (
            m.has_resident_medical or m.has_employee_medical if (
                m.has_resident_medical is not None or m.has_employee_medical is not None) else None,
            m.has_critical_illness_ins,
            m.has_resident_pension or m.has_employee_pension if (
                m.has_resident_pension is not None or m.has_employee_pension is not None) else None,
        ))
        work.append([str(i), m.name, age(m.birth_date, today), label("work_status", m.work_status),
                     m.work_place, str(m.work_months) if m.work_months else "",
                     f"{m.public_welfare_months}个月" if m.public_welfare_months else
                     ("是" if m.public_welfare_job else ""),
                     cover, yes_no(m.is_dibao), yes_no(m.is_tekun), m.phone])
    ident_head = ["序号", "姓名", "性别", "证件号码", "与户主关系", "民族", "政治面貌", "文化程度"]
    status_head = ["序号", "姓名", "在校生状况", "健康状况", "劳动技能", "务工状况", "务工地点",
                   "务工时间\n（月）"]
    cover_head = ["序号", "姓名", "公益岗位", "医保/大病/养老", "低保", "特困", "联系电话"]
    ident_rows = [r[:8] for r in ident]
    status_rows = [[r[0], r[1], r[8], r[9], r[10], w[3], w[4], w[5]] for r, w in zip(ident, work)]
    cover_rows = [[w[0], w[1], w[6], w[7], w[8], w[9], w[10]] for w in work]
    blank = max(0, 3 - len(ident))
    return [
        section_title("一、家庭成员"),
        grid_table(ident_head, ident_rows,
                   column_widths(WIDTH, [9 * mm, None, 9 * mm, 34 * mm, "relation", "ethnicity",
                                         "political_status", "education"], ident_head),
                   align=["c"] * 8, min_rows=blank),
        Spacer(1, 2 * mm),
        grid_table([h.replace("\n", "") for h in status_head], status_rows,
                   column_widths(WIDTH, [9 * mm, 16 * mm, "school_status", "health", "labour_skill",
                                         "work_status", None, 16 * mm], status_head),
                   align=["c", "c", "c", "c", "c", "c", "l", "c"], min_rows=blank),
        Spacer(1, 2 * mm),
        grid_table(cover_head, cover_rows,
                   column_widths(WIDTH, [9 * mm, 20 * mm, 24 * mm, 30 * mm, 16 * mm, 16 * mm, None],
                                 cover_head),
                   align=["c"] * 7, min_rows=blank),
    ]


def _income(sheet: HouseholdSheet) -> list[Flowable]:
    y = sheet.year_row
    notes = (y.income_notes or {}) if y else {}
    indented = styles().cell.clone("income_sub", leftIndent=5 * mm)
    rows = []
    for text, attr, indent in INCOME_LINES:
        value = getattr(y, attr) if y else None
        rows.append([para(text, indented) if indent else text, money(value), notes.get(attr, "")])
    size = y.household_size if y and y.household_size else len(sheet.members)
    rows.append(["年度家庭人口数（人）", str(size), ""])
    return [
        CondPageBreak(60 * mm),
        section_title(f"二、收支情况（{y.year if y else sheet.year}年度，单位：元）"),
        grid_table(["项目", "金额（元）", "说明"], rows, [80 * mm, 30 * mm, 70 * mm],
                   align=["l", "r", "l"]),
    ]


def _conditions(sheet: HouseholdSheet) -> list[Flowable]:
    y = sheet.year_row
    opt = option_para
    g = (lambda attr: getattr(y, attr)) if y else (lambda attr: None)
    w6 = [26 * mm, 34 * mm, 26 * mm, 34 * mm, 26 * mm, 34 * mm]
    rows = [
        ["耕地面积（亩）", area(g("arable_mu")), "林地面积（亩）", area(g("forest_mu")),
         "退耕还林（亩）", area(g("grain_to_green_mu"))],
        ["林果面积（亩）", area(g("orchard_mu")), "牧草地（亩）", area(g("pasture_mu")),
         "水面面积（亩）", area(g("water_surface_mu"))],
        ["住房面积（㎡）", area(g("housing_area")), "是否危房", opt(options(
            [("0", "否"), ("C", "C级"), ("D", "D级")],
            g("danger_level") or ("0" if g("is_dangerous_house") is False else None))),
         "与主干路距离（公里）", area(g("distance_to_main_road_km"))],
        ["房屋主要结构", opt(options("house_structure", g("house_structure"))), None, None, None, None],
        ["入户路类型", opt(options("access_road_type", g("access_road_type"))), None,
         "主要燃料", opt(options("main_fuel", g("main_fuel"))), None],
        ["饮水情况", opt(options("water_source", g("water_source"))), None, None, None, None],
        ["通生活用电", opt(bool_options(g("has_household_power"))), "通生产用电",
         opt(bool_options(g("has_production_power"))), "通广播电视", opt(bool_options(g("has_tv_signal")))],
        ["卫生厕所", opt(bool_options(g("has_sanitary_toilet"))), "安全饮用水",
         opt(bool_options(g("safe_drinking_water"))), "加入合作社", opt(bool_options(g("in_cooperative")))],
    ]
    return [
        CondPageBreak(50 * mm),
        section_title("三、生产生活条件"),
        kv_table(rows, w6, spans=[((1, 3), (5, 3)), ((1, 4), (2, 4)), ((4, 4), (5, 4)), ((1, 5), (5, 5))]),
    ]


def _guarantees(sheet: HouseholdSheet) -> list[Flowable]:
    c = sheet.check
    opt = option_para
    g = (lambda attr: getattr(c, attr)) if c else (lambda attr: None)
    rows = [
        ["是否住房出现安全问题", opt(bool_options(g("housing_problem"))),
         "是否义务教育阶段适龄儿童少年失学辍学", opt(bool_options(g("education_problem")))],
        ["是否有家庭成员未参加城乡居民（职工）基本医疗保险", opt(bool_options(g("medical_problem"))),
         "是否饮水出现安全问题", opt(bool_options(g("water_problem")))],
    ]
    return [
        CondPageBreak(30 * mm),
        section_title(f"四、三保障和饮水安全（{c.year if c else sheet.year}年核实）"),
        kv_table(rows, [60 * mm, 30 * mm, 60 * mm, 30 * mm], label_columns=(0, 2)),
    ]


def _measures(sheet: HouseholdSheet) -> list[Flowable]:
    lines = sheet.measure_lines
    taken = {m.category for m in lines}
    rows = [[label("measure_category", m.category), m.content, money(m.amount),
             short_date(m.start), short_date(m.end, blank="—")] for m in lines]
    head = ["措施类别", "措施内容", "金额（元）", "开始时间", "结束时间"]
    return [
        CondPageBreak(40 * mm),
        section_title(f"五、帮扶措施（{sheet.year}年度有效的措施）"),
        option_para(options("measure_category", taken, prefix="享受的帮扶措施（可多选）：")),
        Spacer(1, 1.5 * mm),
        grid_table(head, rows,
                   column_widths(WIDTH, ["measure_category", None, 22 * mm, 21 * mm, 21 * mm], head),
                   align=["c", "l", "r", "c", "c"], min_rows=max(0, 2 - len(rows))),
    ]


def _monitoring(sheet: HouseholdSheet, widths: list[float]) -> list[Flowable]:
    """风险类型, 识别时间 and 风险消除 of a 监测户's latest case (DOMAIN §7.1)."""
    case = sheet.monitoring
    if case is None or not sheet.household.monitoring_category:
        return []
    risks = [c for c in (case.risk_1, case.risk_2, case.risk_3, case.risk_4, case.risk_5) if c]
    risk_text = "、".join(label("risk_type", c) for c in risks)
    if case.disaster_subtype:
        risk_text += f"（{case.disaster_subtype}）"
    eliminated = "是" if case.risk_eliminated else "否"
    when = _ym(case.eliminated_ym) or (date_text(case.eliminated_on, blank="") if case.eliminated_on else "")
    return [kv_table([
        ["致贫返贫风险", risk_text, None, "识别监测时间", _ym(case.identified_ym), None],
        ["风险是否消除", eliminated, "消除方式", label("elimination_mode", case.elimination_mode),
         "风险消除时间", when],
    ], widths, spans=[((1, 0), (2, 0)), ((4, 0), (5, 0))])]


def _ym(value: str | None) -> str:
    """「2024年3月」 from "2024-03" / "202403"."""
    text = (value or "").replace("-", "")
    if len(text) < 6 or not text[:6].isdigit():
        return value or ""
    return f"{text[:4]}年{int(text[4:6])}月"


def _helpers(sheet: HouseholdSheet) -> list[Flowable]:
    rows = []
    for a in sheet.current_helpers():
        h = a.helper
        rows.append([label("assignment_role", a.role), h.name, h.unit_name, h.title, h.phone,
                     short_date(a.start_date)])
    case = sheet.monitoring
    if case is not None and case.monitor_contact and not any(r[1] == case.monitor_contact for r in rows):
        rows.append(["监测联系人", case.monitor_contact, "", "", case.monitor_phone, ""])
    return [
        CondPageBreak(30 * mm),
        section_title("六、帮扶责任人 / 监测联系人"),
        grid_table(["角色", "姓名", "工作单位", "职务", "联系电话", "起始时间"], rows,
                   [x * mm for x in (24, 20, 56, 24, 30, 26)], align=["c", "c", "l", "c", "c", "c"],
                   min_rows=max(0, 1 - len(rows))),
    ]
