"""The two papers of a new 防止返贫监测 case (DOMAIN §7.1, §11.4), A4 portrait:

- 防止返贫监测对象信息采集表: filled at the 入户核查 — household, members (with ID numbers:
  an office form), the risks (☑/□), income against the 监测范围, 三保障, measures, the
  风险消除 fields and the 监测联系人;
- 监测对象申请及承诺授权书: the household's application (risks ☑/□), its promise, and the
  authority for the county to check bank deposits, vehicles, housing, business registration and
  the like, with a signature line for every adult member.

Both take a :class:`HouseholdSheet`; a household without a case prints its risks unticked for
the clerk to fill in by hand.
"""

from __future__ import annotations

import datetime as dt

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer

from fupin_desktop.printing.common import age, closing, household_header, label
from fupin_desktop.printing.data import HouseholdSheet
from fupin_desktop.printing.income_sheet import income_figures
from fupin_desktop.printing.layout import (
    bool_options,
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
from fupin_desktop.rules.validation import age_on

FORM_TITLE = "防止返贫监测对象信息采集表"
LETTER_TITLE = "监测对象申请及承诺授权书"
WIDTH = 180 * mm
ADULT_AGE = 18

DISCOVERY = (("1", "农户自主申报"), ("2", "基层干部排查"), ("3", "部门筛查预警"))

# What the county may check, in the words of the county letters (DOMAIN §11.4).
CHECKED_ITEMS = (
    "银行存款、理财产品及有价证券",
    "机动车辆登记",
    "房屋产权及住房情况（含不动产登记）",
    "工商登记及经营情况（个体工商户、企业）",
    "财政供养人员及工资发放",
    "社会保险参保缴费及待遇领取、住房公积金",
    "其他与家庭经济状况有关的信息",
)


def _month(ym: str | None) -> str:
    if not ym:
        return ""
    return f"{ym[:4]}年{int(ym[5:7])}月" if len(ym) >= 7 else ym


def _discovery_code(text: str | None) -> str | None:
    for code, name in DISCOVERY:
        if text and (text == name or text in name or name[:2] in text):
            return code
    return None


# -- 防止返贫监测对象信息采集表 ------------------------------------------------------------------


def form_story(sheet: HouseholdSheet) -> list[Flowable]:
    st = styles()
    hh = sheet.household
    p = sheet.place
    case = sheet.monitoring
    opt = option_para
    w6 = [24 * mm, 36 * mm, 24 * mm, 36 * mm, 24 * mm, 36 * mm]
    body: list[Flowable] = [
        para(FORM_TITLE, st.title),
        para(f"{p.province}{p.prefecture}{p.county}{p.township}{p.village}{hh.group_name or ''}"
             f"\u3000\u3000户编号：{hh.household_no or ''}", st.subtitle),
        section_title("一、基本情况"),
        kv_table([
            ["户主姓名", hh.head_name, "联系电话", hh.phone, "家庭人口", f"{len(sheet.members)} 人"],
            ["开户银行", hh.bank_name, "银行账号", hh.bank_account, None, None],
            ["户类型", opt(options("household_type", hh.household_type, era="2021")), None, None, None, None],
            ["监测对象类别", opt(options("monitoring_category", case.category if case else None)),
             None, None, None, None],
            ["发现方式", opt(options(DISCOVERY, _discovery_code(case.discovery_channel if case else None))),
             None, None, "识别监测时间", _month(case.identified_ym if case else None)],
            ["家庭住址", hh.address or p.line(), None, None, None, None],
        ], w6, spans=[((3, 1), (5, 1)), ((1, 2), (5, 2)), ((1, 3), (5, 3)), ((1, 4), (3, 4)),
                      ((1, 5), (5, 5))]),
    ]
    body += _members(sheet)
    body += _risks(sheet)
    body += _income(sheet)
    body += _guarantees(sheet)
    body += _measures(sheet)
    body += _elimination(sheet)
    body += closing("以上情况经入户核查属实。", ["户主签字（手印）", "核查人", "村（社区）盖章", "核查日期"])
    left, right = household_header(sheet, FORM_TITLE)
    return record(left, right, body, footer=FORM_TITLE)


def _members(sheet: HouseholdSheet) -> list[Flowable]:
    today = dt.date.today()
    rows = [[str(i), m.name, label("relation", m.relation), label("sex", m.sex), m.id_number,
             age(m.birth_date, today), label("health", m.health), label("labour_skill", m.labour_skill),
             label("work_status", m.work_status),
             "、".join(x for x, on in (("低保", m.is_dibao), ("特困", m.is_tekun)) if on)]
            for i, m in enumerate(sheet.members, 1)]
    return [
        section_title("二、家庭成员"),
        grid_table(["序号", "姓名", "与户主关系", "性别", "证件号码", "年龄", "健康状况", "劳动技能",
                    "务工状况", "低保/特困"], rows,
                   [x * mm for x in (9, 15, 19, 9, 36, 9, 17, 20, 26, 20)],
                   align=["c"] * 10, min_rows=max(0, 3 - len(rows))),
    ]


def _risks(sheet: HouseholdSheet) -> list[Flowable]:
    case = sheet.monitoring
    w = [30 * mm, 150 * mm]
    return [
        CondPageBreak(35 * mm),
        section_title("三、致贫返贫风险（最多五项）"),
        kv_table([
            ["风险类型", option_para(options("risk_type", case.risks if case else None))],
            ["因自然灾害子项", case.disaster_subtype if case else ""],
            ["风险情况说明", (case.risk_note or "") if case else ""],
        ], w, label_columns=(0,)),
    ]


def _income(sheet: HouseholdSheet) -> list[Flowable]:
    f = income_figures(sheet)
    case = sheet.monitoring
    line = sheet.monitoring_line
    if line is None and case is not None:
        line = case.per_capita_threshold
    w6 = [30 * mm, 30 * mm, 30 * mm, 30 * mm, 30 * mm, 30 * mm]
    y = sheet.year_row
    return [
        CondPageBreak(35 * mm),
        section_title(f"四、家庭收入情况（{f.year}年度，单位：元）"),
        kv_table([
            ["年收入", money(f.annual), "生产经营性支出", money(f.expense), "纯收入", money(f.net)],
            ["家庭人口", f"{f.persons} 人" if f.persons else "", "人均纯收入", money(f.per_capita),
             "监测范围", money(line)],
            ["家庭理赔收入", money(y.claims_income) if y else "", "合规自付支出",
             money(y.compliant_self_paid) if y else "", "是否低于监测范围",
             option_para(bool_options(f.below(line)))],
        ], w6),
    ]


def _guarantees(sheet: HouseholdSheet) -> list[Flowable]:
    c = sheet.check
    g = (lambda attr: getattr(c, attr)) if c else (lambda attr: None)
    rows = [
        ["住房安全有保障", option_para(bool_options(_ok(g("housing_problem")))),
         "义务教育有保障", option_para(bool_options(_ok(g("education_problem"))))],
        ["基本医疗有保障", option_para(bool_options(_ok(g("medical_problem")))),
         "饮水安全有保障", option_para(bool_options(_ok(g("water_problem"))))],
    ]
    return [
        CondPageBreak(30 * mm),
        section_title(f"五、三保障和饮水安全（{c.year if c else sheet.year}年核实）"),
        kv_table(rows, [50 * mm, 40 * mm, 50 * mm, 40 * mm], label_columns=(0, 2)),
    ]


def _ok(problem: bool | None) -> bool | None:
    return None if problem is None else not problem


def _measures(sheet: HouseholdSheet) -> list[Flowable]:
    case = sheet.monitoring
    taken = {m.category for m in sheet.measures}
    rows = [[label("measure_category", m.category), m.content, money(m.amount),
             short_date(m.start_date), short_date(m.end_date)] for m in sheet.measures]
    return [
        CondPageBreak(40 * mm),
        section_title(f"六、帮扶措施（{sheet.year}年）"),
        option_para(options("measure_category", taken, prefix="落实的帮扶措施（可多选）：")),
        Spacer(1, 1.5 * mm),
        grid_table(["措施类别", "措施内容", "金额（元）", "开始时间", "结束时间"], rows,
                   [x * mm for x in (28, 82, 24, 23, 23)], align=["c", "l", "r", "c", "c"],
                   min_rows=max(0, 2 - len(rows))),
        Spacer(1, 1.5 * mm),
        kv_table([["实施开发式帮扶措施情况", (case.dev_measures_status or "") if case else "",
                   "享受低保政策情况", (case.dibao_status or "") if case else "",
                   "享受特困供养情况", (case.tekun_status or "") if case else ""]],
                 [30 * mm, 30 * mm, 30 * mm, 30 * mm, 30 * mm, 30 * mm]),
    ]


def _elimination(sheet: HouseholdSheet) -> list[Flowable]:
    case = sheet.monitoring
    eliminated = case.risk_eliminated if case else None
    w6 = [30 * mm, 30 * mm, 30 * mm, 30 * mm, 30 * mm, 30 * mm]
    return [
        CondPageBreak(30 * mm),
        section_title("七、风险消除和监测联系人"),
        kv_table([
            ["风险是否已消除", option_para(bool_options(eliminated)),
             "风险消除方式", option_para(options("elimination_mode", case.elimination_mode if case else None)),
             "风险消除时间", _month(case.eliminated_ym) if case else ""],
            ["监测联系人", (case.monitor_contact or "") if case else "",
             "联系电话", (case.monitor_phone or "") if case else "", None, None],
        ], w6, spans=[((3, 1), (5, 1))]),
    ]


# -- 监测对象申请及承诺授权书 ----------------------------------------------------------------


def adults(sheet: HouseholdSheet, on: dt.date | None = None) -> list:
    """Members of 18 or more on ``on`` (and those without a birth date: the clerk decides)."""
    day = on or dt.date.today()
    return [m for m in sheet.members if m.birth_date is None or age_on(m.birth_date, day) >= ADULT_AGE]


def letter_story(sheet: HouseholdSheet) -> list[Flowable]:
    st = styles()
    hh = sheet.household
    p = sheet.place
    case = sheet.monitoring
    office = f"{p.county}巩固拓展脱贫攻坚成果和乡村振兴领导小组办公室"
    where = f"{p.county}{p.township}{p.village}{hh.group_name or ''}"
    numbered = st.body.clone("numbered", leftIndent=7 * mm, firstLineIndent=-5 * mm)
    indent = st.body.clone("indent", firstLineIndent=2 * 10.5)
    people = adults(sheet)
    rows = [[str(i), m.name, label("relation", m.relation), m.id_number or "", ""]
            for i, m in enumerate(people, 1)]
    body: list[Flowable] = [
        para(LETTER_TITLE, st.title),
        Spacer(1, 3 * mm),
        para(f"{office}、{p.township}人民政府：", st.body),
        para(f"本人{hh.head_name or '＿＿＿＿'}，住{where}，户编号{hh.household_no or '＿＿＿＿'}，"
             f"家庭人口{len(sheet.members)}人。因家庭存在以下困难，可能导致返贫致贫，"
             "特申请纳入防止返贫监测对象，接受监测帮扶。", indent),
        Spacer(1, 1.5 * mm),
        kv_table([["存在的风险", option_para(options("risk_type", case.risks if case else None))],
                  ["具体情况", (case.risk_note or "") if case else ""]],
                 [30 * mm, 150 * mm], label_columns=(0,)),
        section_title("一、承诺"),
        *[para(text, numbered) for text in (
            "1. 本户填报的家庭成员、收入、财产和困难情况真实、完整，没有隐瞒或虚报。",
            "2. 如有隐瞒、虚报，本户愿意退出监测帮扶，退还因此享受的帮扶资金和政策待遇，并承担相应责任。",
            "3. 家庭人口、收入、住房或其他情况发生变化时，及时向村（社区）报告。",
        )],
        section_title("二、授权"),
        para(f"本户全体成年家庭成员同意并授权{office}会同公安、自然资源、住房城乡建设、人力资源社会保障、"
             "市场监管、财政、金融机构等部门和单位，查询、核对本户家庭成员的以下信息：", indent),
        *[para(f"（{i}）{text}", numbered) for i, text in enumerate(CHECKED_ITEMS, 1)],
        para("查询结果仅用于防止返贫监测对象的认定、帮扶和退出，不作他用。", indent),
        CondPageBreak(45 * mm),
        section_title("三、成年家庭成员签字"),
        grid_table(["序号", "姓名", "与户主关系", "身份证号码", "本人签字（手印）"], rows,
                   [x * mm for x in (12, 28, 28, 52, 60)], align=["c", "c", "c", "c", "c"],
                   min_rows=len(rows) + 1, row_height=11 * mm),
        Spacer(1, 6 * mm),
        KeepTogether([
            signature_row(["申请人（户主）签字（手印）", "申请日期"], WIDTH),
            Spacer(1, 3 * mm),
            signature_row(["村（社区）受理人", "受理日期"], WIDTH),
        ]),
    ]
    left, right = household_header(sheet, LETTER_TITLE)
    return record(left, right, body, footer=LETTER_TITLE)


__all__ = ["CHECKED_ITEMS", "FORM_TITLE", "LETTER_TITLE", "adults", "form_story", "letter_story"]
