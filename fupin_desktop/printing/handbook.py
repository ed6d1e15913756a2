"""扶贫手册 (一户一档) booklet for one household (DOMAIN §8.1, §13.2).

Sections in the order of the county template (K10): cover with 填写说明, 一 家庭基本情况
(with ☑/□ option lists), 二 家庭成员, 三 帮扶责任人和驻村工作队, 四 帮扶计划, 五 帮扶措施,
六 帮扶成效, 七 年度收支, 八 走访记录, 九 自我发展成效, 十 巩固提升需求. 户主签名 cells and the
signature lines are left empty to be signed by hand.
"""

from __future__ import annotations

import datetime as dt

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, PageBreak, Spacer

from fupin_desktop.codes import code_list
from fupin_desktop.printing.common import age, area, household_header, label
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
from fupin_desktop.services.handbook import team_roles

TITLE = "扶贫手册"
WIDTH = 180 * mm  # A4 portrait between the margins of FormDocument

SECTION_PLAN, SECTION_MEASURE, SECTION_RESULT = "01", "02", "03"
SECTION_SELF, SECTION_NEEDS, SECTION_VISIT = "04", "05", "06"


def story(sheet: HouseholdSheet, *, issuer: str = "") -> list[Flowable]:
    """The flowables of one household's booklet, wrapped as one record."""
    left, right = household_header(sheet, TITLE)
    body: list[Flowable] = []
    body += _cover(sheet, issuer)
    body.append(PageBreak())
    body += _family(sheet)
    body += _members(sheet)
    body += _helpers(sheet)
    body += _plans(sheet)
    body += _measures(sheet)
    body += _results(sheet)
    body += _income(sheet)
    body += _visits(sheet)
    *body_rest, heading, table = _free_sections(sheet)
    body += body_rest
    body.append(KeepTail([heading, table], _closing()))
    return record(left, right, body, footer=TITLE)


# -- cover -----------------------------------------------------------------------------------


def _cover(sheet: HouseholdSheet, issuer: str) -> list[Flowable]:
    st = styles()
    hh = sheet.household
    p = sheet.place
    rows = [
        ["县（市、区）", p.county, "乡（镇）", p.township],
        ["村", p.village, "组", hh.group_name or ""],
        ["户主姓名", hh.head_name or "", "户编号", hh.household_no or ""],
        ["户类型", label("household_type", hh.household_type),
         "监测对象类别", label("monitoring_category", hh.monitoring_category) or "—"],
    ]
    cover_style = st.title.clone("cover", fontSize=30, leading=40)
    out: list[Flowable] = [
        Spacer(1, 30 * mm),
        para(TITLE, cover_style),
        para("（一户一档）", st.subtitle),
        Spacer(1, 24 * mm),
        kv_table(rows, [30 * mm, 60 * mm, 30 * mm, 60 * mm], label_columns=(0, 2)),
        Spacer(1, 20 * mm),
        para(issuer or f"{p.county}乡村振兴局印制", st.subtitle),
        Spacer(1, 14 * mm),
        para("填写说明", st.section),
        *[para(line, st.body) for line in (
            "1. 本手册由乡（镇）、村和帮扶责任人按户填写，一户一册，放在农户家中，随帮扶工作进展及时更新。",
            "2. 选项前的“☑”表示选中，“□”表示未选中；主要致贫原因只选一项，其他致贫原因最多选两项。",
            "3. 帮扶措施、帮扶成效和走访记录按时间顺序填写，金额以元为单位；每条记录由户主签名确认。",
            "4. 帮扶责任人变更时，在帮扶责任人表中另起一行填写新责任人和起始时间，原记录不得涂改。",
        )],
    ]
    return out


# -- 一 家庭基本情况 -----------------------------------------------------------------------------


def _family(sheet: HouseholdSheet) -> list[Flowable]:
    st = styles()
    hh = sheet.household
    head = sheet.head
    era = hh.code_list_era if hh.code_list_era in ("2014", "2021") else None
    y = sheet.year_row
    check = sheet.check
    w = [26 * mm, 34 * mm, 26 * mm, 34 * mm, 26 * mm, 34 * mm]
    opt = option_para
    exit_text = label("exit_status", hh.exit_status)
    if hh.exit_year:
        exit_text = f"{exit_text}（{hh.exit_year}年）" if exit_text else f"{hh.exit_year}年"
    rows = [
        ["户主姓名", hh.head_name, "性别", label("sex", head.sex) if head else "",
         "民族", label("ethnicity", head.ethnicity) if head else ""],
        ["出生日期", date_text(head.birth_date, blank="") if head else "", "家庭人口",
         f"{len(sheet.members)} 人（{dt.date.today().year}年在册）", "联系电话", hh.phone],
        ["家庭住址", hh.address or sheet.place.line() + (hh.group_name or ""), None, None, None, None],
        ["户类型", opt(options("household_type", hh.household_type, era="2021")), None,
         "监测对象类别", opt(options("monitoring_category", hh.monitoring_category)), None],
        ["识别标准", opt(options("identification_standard", hh.identification_standard)), None,
         "识别年度", f"{hh.identified_year}年" if hh.identified_year else "", None],
        ["贫困户属性", opt(options("poverty_attribute", hh.poverty_attribute, era=era,
                                exclude=("05", "06"))), None, None, None, None],
        ["主要致贫原因\n（单选）", opt(options("poverty_cause", hh.main_cause)), None, None, None, None],
        ["其他致贫原因\n（最多两项）", opt(options("poverty_cause", hh.other_causes or [])),
         None, None, None, None],
        ["脱贫属性", exit_text, None, "开户银行", hh.bank_name, None],
        ["银行账号", hh.bank_account, None, "是否军烈属", opt(bool_options(hh.is_military_martyr_family)), None],
    ]
    spans = [
        ((1, 2), (5, 2)),
        ((1, 3), (2, 3)), ((4, 3), (5, 3)),
        ((1, 4), (2, 4)), ((4, 4), (5, 4)),
        ((1, 5), (5, 5)), ((1, 6), (5, 6)), ((1, 7), (5, 7)),
        ((1, 8), (2, 8)), ((4, 8), (5, 8)),
        ((1, 9), (2, 9)), ((4, 9), (5, 9)),
    ]
    out: list[Flowable] = [section_title("一、家庭基本情况"),
                           kv_table(rows, w, label_columns=(0, 2, 4), spans=spans)]

    # 生产生活条件 of the printed year.
    out.append(Spacer(1, 3 * mm))
    cond = [
        ["耕地面积（亩）", area(y.arable_mu) if y else "", "其中确权面积", area(y.confirmed_arable_mu) if y else "",
         "有效灌溉面积", area(y.irrigated_mu) if y else ""],
        ["旱地（亩）", area(y.dry_field_mu) if y else "", "水田（亩）", area(y.paddy_field_mu) if y else "",
         "林地（亩）", area(y.forest_mu) if y else ""],
        ["退耕还林（亩）", area(y.grain_to_green_mu) if y else "", "林果（亩）", area(y.orchard_mu) if y else "",
         "牧草地（亩）", area(y.pasture_mu) if y else ""],
        ["水面（亩）", area(y.water_surface_mu) if y else "", "住房面积（㎡）", area(y.housing_area) if y else "",
         "与主干路距离", f"{area(y.distance_to_main_road_km)} 公里" if y and y.distance_to_main_road_km is not None else ""],
        ["房屋结构", opt(options("house_structure", y.house_structure if y else None)), None, None, None, None],
        ["是否危房", opt(options([("0", "否"), ("C", "C级"), ("D", "D级")],
                             (y.danger_level or ("0" if y.is_dangerous_house is False else None)) if y else None)),
         None, "入户路", opt(options("access_road_type", y.access_road_type if y else None)), None],
        ["主要燃料", opt(options("main_fuel", y.main_fuel if y else None)), None, None, None, None],
        ["通生活用电", opt(bool_options(y.has_household_power if y else None)),
         "通广播电视", opt(bool_options(y.has_tv_signal if y else None)),
         "卫生厕所", opt(bool_options(y.has_sanitary_toilet if y else None))],
        ["安全饮用水", opt(bool_options(y.safe_drinking_water if y else None)),
         "加入合作社", opt(bool_options(y.in_cooperative if y else None)),
         "龙头企业带动", opt(bool_options(y.led_by_enterprise if y else None))],
    ]
    out.append(KeepTogether([
        para(f"生产生活条件（{y.year if y else sheet.year}年）", st.body),
        kv_table(cond, w, label_columns=(0, 2, 4),
                 spans=[((1, 4), (5, 4)), ((1, 5), (2, 5)), ((4, 5), (5, 5)), ((1, 6), (5, 6))]),
    ]))

    # 两不愁三保障 (True = a problem).
    out.append(Spacer(1, 3 * mm))
    ok = lambda v: None if v is None else not v  # noqa: E731
    guarantee = [
        ["不愁吃", opt(bool_options(ok(check.food_worry) if check else None, "已解决", "未解决")),
         "不愁穿", opt(bool_options(ok(check.clothing_worry) if check else None, "已解决", "未解决")),
         "住房安全", opt(bool_options(ok(check.housing_problem) if check else None, "有保障", "无保障"))],
        ["义务教育", opt(bool_options(ok(check.education_problem) if check else None, "有保障", "无保障")),
         "基本医疗", opt(bool_options(ok(check.medical_problem) if check else None, "有保障", "无保障")),
         "饮水安全", opt(bool_options(ok(check.water_problem) if check else None, "有保障", "无保障"))],
    ]
    out.append(KeepTogether([
        para(f"两不愁三保障及饮水安全（{check.year if check else sheet.year}年核实）", st.body),
        kv_table(guarantee, w, label_columns=(0, 2, 4)),
    ]))
    return out


# -- 二 家庭成员 -----------------------------------------------------------------------------


def _members(sheet: HouseholdSheet) -> list[Flowable]:
    today = dt.date.today()
    rows = []
    for i, m in enumerate(sheet.members, 1):
        school = label("school_status", m.school_status)
        rows.append([
            str(i), m.name, label("relation", m.relation), label("sex", m.sex),
            age(m.birth_date, today), label("education", m.education), school,
            label("labour_skill", m.labour_skill), label("health", m.health),
            m.id_number or "",
            f"{m.work_months}" if m.work_months else "",
            "是" if m.has_resident_medical or m.has_employee_medical else
            ("否" if m.has_resident_medical is False else ""),
            "是" if m.has_resident_pension or m.has_employee_pension else
            ("否" if m.has_resident_pension is False else ""),
            "低保" if m.is_dibao else ("特困" if m.is_tekun else ""),
        ])
    widths = [6, 14, 12, 6, 7, 12, 12, 17, 15, 36, 11, 10, 10, 10]
    header = ["序号", "姓名", "与户主关系", "性别", "年龄", "文化程度", "在校生情况", "劳动技能",
              "健康状况", "身份证号码\n（或残疾证号码）", "务工时间（月）", "参加医保", "参加养老保险",
              "低保/特困"]
    return [
        CondPageBreak(40 * mm),
        section_title("二、家庭成员"),
        grid_table(header, rows, [x * mm for x in widths],
                   align=["c", "l", "c", "c", "c", "c", "c", "c", "c", "c", "c", "c", "c", "c"],
                   min_rows=max(0, 6 - len(rows))),
    ]


# -- 三 帮扶责任人 ----------------------------------------------------------------------------


def _helpers(sheet: HouseholdSheet) -> list[Flowable]:
    rows = []
    for a in sheet.assignments:
        h = a.helper
        rows.append([
            h.name, h.unit_name, label("helper_unit_level", h.unit_level), h.title, h.phone,
            label("assignment_role", a.role), short_date(a.start_date),
            short_date(a.end_date, blank="至今"),
        ])
    widths = [17, 42, 17, 20, 25, 19, 20, 20]
    header = ["姓名", "帮扶单位", "单位隶属关系", "职务", "联系电话", "帮扶角色", "起始时间", "结束时间"]
    out: list[Flowable] = [
        CondPageBreak(40 * mm),
        section_title("三、帮扶责任人"),
        grid_table(header, rows, [x * mm for x in widths], align=["c", "l", "c", "c", "c", "c", "c", "c"],
                   min_rows=max(0, 3 - len(rows))),
    ]
    if sheet.team:
        team_rows = []
        for t in sheet.team:
            team_rows.append(["、".join(team_roles(t)), t.name, t.unit_name, t.unit_title, t.phone,
                              short_date(t.start_date)])
        out += [
            Spacer(1, 2 * mm),
            para("驻村工作队", styles().body),
            grid_table(["职务", "姓名", "派出单位", "单位职务", "联系电话", "驻村起始时间"], team_rows,
                       [x * mm for x in (28, 18, 52, 24, 28, 30)],
                       align=["c", "c", "l", "c", "c", "c"]),
        ]
    return out


# -- entries ---------------------------------------------------------------------------------


def _entries(sheet: HouseholdSheet, section: str):
    return [e for e in sheet.entries if e.section == section]


def plan_table(sheet: HouseholdSheet, *, blank_rows: int | None = None) -> Flowable:
    """The 帮扶计划 table (every year's plan entries), shared with the standalone sheet, which
    adds ``blank_rows`` ruled lines for new entries."""
    rows = [[str(e.year), label("handbook_category", e.category), e.content, e.scale,
             money(e.amount), short_date(e.deadline), e.unit]
            for e in _entries(sheet, SECTION_PLAN)]
    return grid_table(["年度", "类别", "项目名称及内容", "规模", "补助金额（元）", "完成时限", "帮扶单位"], rows,
                      [x * mm for x in (12, 16, 54, 18, 22, 24, 34)],
                      align=["c", "c", "l", "c", "r", "c", "l"], min_rows=_min_rows(rows, 3, blank_rows))


def _min_rows(rows: list, booklet: int, blank_rows: int | None) -> int:
    return len(rows) + blank_rows if blank_rows is not None else max(0, booklet - len(rows))


def _plans(sheet: HouseholdSheet) -> list[Flowable]:
    return [
        CondPageBreak(40 * mm),
        section_title("四、帮扶计划（户脱贫措施及项目规划）"),
        plan_table(sheet),
    ]


def _measures(sheet: HouseholdSheet) -> list[Flowable]:
    entries = _entries(sheet, SECTION_MEASURE)
    order = {c: i for i, c in enumerate(code_list("handbook_category").codes())}
    entries.sort(key=lambda e: (order.get(e.category or "99", 99), e.entry_date or dt.date.min))
    received = {e.category for e in entries if e.category}
    rows = [[label("handbook_category", e.category), e.unit, e.content, money(e.amount),
             short_date(e.entry_date), ""] for e in entries]
    # The household's 帮扶措施 records in force in the printed year (the 监测 measures).
    rows += [[label("measure_category", m.category), m.unit, m.content, money(m.amount),
              f"{short_date(m.start_date)}—{short_date(m.end_date)}", ""] for m in sheet.measures]
    return [
        CondPageBreak(40 * mm),
        section_title(f"五、帮扶措施（含{sheet.year}年度有效的帮扶措施）"),
        option_para(options("handbook_category", received, prefix="帮扶类别：")),
        Spacer(1, 1.5 * mm),
        grid_table(["项目类别", "帮扶单位", "帮扶内容及成本", "金额（元）", "帮扶时间", "户主签名"], rows,
                   column_widths(WIDTH, ["measure_category", 30 * mm, None, 22 * mm, 24 * mm, 16 * mm],
                                 ["项目类别"]),
                   align=["c", "l", "l", "r", "c", "c"], min_rows=max(3, 8 - len(rows))
                   if len(rows) < 8 else 0),
    ]


def _results(sheet: HouseholdSheet) -> list[Flowable]:
    rows = [[short_date(e.entry_date, blank=str(e.year)), label("handbook_category", e.category),
             e.content, money(e.amount), ""] for e in _entries(sheet, SECTION_RESULT)]
    return [
        CondPageBreak(40 * mm),
        section_title("六、帮扶成效"),
        grid_table(["时间", "类别", "成效内容", "增收金额（元）", "户主签名"], rows,
                   [x * mm for x in (26, 18, 88, 26, 22)],
                   align=["c", "c", "l", "r", "c"], min_rows=max(0, 4 - len(rows))),
    ]


def _income(sheet: HouseholdSheet) -> list[Flowable]:
    rows = []
    for y in sheet.years:
        rows.append([str(y.year), money(y.wage_income), money(y.business_income),
                     money(y.property_income), money(y.transfer_income), money(y.annual_income),
                     money(y.business_expense), money(y.net_income),
                     str(y.household_size or ""), money(y.per_capita_net_income)])
    header = ["年度", "工资性收入", "生产经营性收入", "财产性收入", "转移性收入", "年收入",
              "生产经营性支出", "纯收入", "家庭人口", "人均纯收入"]
    return [
        CondPageBreak(35 * mm),
        section_title("七、年度收支情况（元）"),
        grid_table(header, rows, [x * mm for x in (12, 20, 20, 18, 20, 20, 20, 18, 12, 20)],
                   align=["c"] + ["r"] * 7 + ["c", "r"], min_rows=max(0, 2 - len(rows))),
    ]


def visit_table(sheet: HouseholdSheet, *, blank_rows: int | None = None) -> Flowable:
    """The 走访记录 table (every visit on record), shared with the standalone sheet, which
    adds ``blank_rows`` ruled lines for new visits."""
    rows = []
    for e in _entries(sheet, SECTION_VISIT):
        rows.append([short_date(e.entry_date, blank=str(e.year)),
                     e.helper.name if e.helper is not None else "",
                     e.findings or "", e.content, (e.signatures or {}).get("household", "")])
    return grid_table(["走访时间", "走访人", "了解到的情况", "帮扶措施及解决的问题", "户主签名"], rows,
                      [x * mm for x in (26, 18, 58, 58, 20)],
                      align=["c", "c", "l", "l", "c"], min_rows=_min_rows(rows, 4, blank_rows))


def _visits(sheet: HouseholdSheet) -> list[Flowable]:
    return [
        CondPageBreak(40 * mm),
        section_title("八、走访记录"),
        visit_table(sheet),
    ]


def _free_sections(sheet: HouseholdSheet) -> list[Flowable]:
    out: list[Flowable] = []
    for number, title, section in (("九", "自我发展成效", SECTION_SELF), ("十", "巩固提升需求", SECTION_NEEDS)):
        rows = [[short_date(e.entry_date, blank=str(e.year)), e.content, money(e.amount)]
                for e in _entries(sheet, section)]
        out += [
            CondPageBreak(30 * mm),
            section_title(f"{number}、{title}"),
            grid_table(["时间", "内容", "金额（元）"], rows, [x * mm for x in (28, 126, 26)],
                       align=["c", "l", "r"], min_rows=max(0, 3 - len(rows)), row_height=None),
        ]
    return out


def _closing() -> list[Flowable]:
    return [
        Spacer(1, 6 * mm),
        para("以上情况属实。", styles().body),
        signature_row(["户主签字", "帮扶责任人签字", "村委会（盖章）", "日期"], WIDTH),
    ]
