"""户籍管理: the region tree, the household list and search, the household editor's load and
save, and every change action (DOMAIN §3–§5, §7, §11.3, §11.4).

Nothing here knows about Qt: the window and the ``fupin households`` command call the same
functions. Each function takes a ``Session`` and works inside the caller's unit of work
(``with db.session() as s:``), except where it says otherwise.

Changes are events, not overwrites: every action writes a ``ChangeEvent`` (codes in
``change_type.csv`` / ``change_reason.csv``) with the effective date and the month it is
reported in; the audit log records the row-level writes by itself (``fupin_desktop.audit``).

Two clerks, one database: a household carries a ``version`` that goes up whenever the
household, its members, years or checks change (``models.derived``). ``save_household``
refuses to save over someone else's newer work and raises :class:`HouseholdChangedError`
(a :class:`~fupin_desktop.errors.ConcurrentEditError`) listing what the other clerk changed;
:func:`merge_edits` keeps the clerk's own edits where the other clerk did not touch the same
field.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, Literal

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Integer,
    and_,
    bindparam,
    exists,
    false,
    func,
    literal_column,
    or_,
    select,
    text,
    union,
    update,
)
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from fupin_desktop import audit
from fupin_desktop.codes import CodeError, bool_label, code_list, label_of
from fupin_desktop.errors import ConcurrentEditError, UserError
from fupin_desktop.models import (
    AssistanceMeasure,
    ChangeEvent,
    GuaranteeCheck,
    Helper,
    HelperAssignment,
    Household,
    HouseholdYear,
    Member,
    MonitoringCase,
    Region,
    RiskGrade,
    SourceRow,
)
from fupin_desktop.models.household import (
    HOUSEHOLD_ACTIVE,
    INITIALS_ALT_WHERE,
    MEMBER_LEFT,
    MEMBER_PRESENT,
    MONITORING_ACTIVE,
    MONITORING_ELIMINATED,
    RELATION_HEAD,
)
from fupin_desktop.models.region import LEVEL_VILLAGE, code_prefix, level_of_code
from fupin_desktop.rules.idnumber import IdNumberError, mask_id, normalize_id, validate_id
from fupin_desktop.rules.income import IncomeError, income_totals
from fupin_desktop.rules.monitoring import measure_gaps
from fupin_desktop.rules.text import group_sort_key, normalize_text
from fupin_desktop.rules.validation import (
    FIELD_LABELS,
    GUARANTEE_LABELS,  # noqa: F401 - the registry page reads it from here
    HEALTH_HEALTHY,
    Problem,
    age_on,
    school_year_start,
    suggest_guarantees,
    validate_household,
)
from fupin_desktop.services.reports.locks import ensure_month_open

# change_type codes (resources/codes/change_type.csv).
EV_IDENTIFIED = "01"  # 新识别
EV_MONITORING = "02"  # 新纳入监测
EV_MEMBER_ADDED = "03"  # 自然增加
EV_MEMBER_REMOVED = "04"  # 自然减少
EV_CLOSED = "05"  # 自然销户
EV_EXIT = "08"  # 脱贫
EV_RETURN = "09"  # 返贫
EV_ELIMINATED = "10"  # 风险消除
EV_SPLIT = "11"  # 分户
EV_MERGE = "12"  # 并户
EV_INFO = "13"  # 信息变更

HOUSEHOLD_CLOSED = "02"  # household_status 已销户
HOUSEHOLD_MERGED = "03"  # household_status 已并户
TYPE_TUOPIN = "01"  # household_type 脱贫户
TYPE_POOR = "03"  # household_type 未脱贫户
EXIT_DONE = "1"  # exit_status 已脱贫（享受政策）
EXIT_RETURNED = "4"  # exit_status 返贫
ELIMINATION_BY_HELP = "01"  # elimination_mode 帮扶消除
DEV_MEASURES_DONE = "已实施"

INCREASE_REASONS = ("11", "12", "13", "19")
DECREASE_REASONS = ("21", "22", "23", "24", "25", "26", "29")

_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


# =========================================================================== field specs

Kind = Literal["text", "code", "codes", "bool", "int", "money", "area", "date"]


@dataclass(frozen=True)
class FieldSpec:
    """One editable field: what the editor shows and how values are checked."""

    name: str
    label: str
    kind: Kind = "text"
    codes: str | None = None  # code list name for kind code/codes
    max_len: int | None = None
    placeholder: str | None = None  # hint in an empty editor (else one by kind)


_YEAR_HINT = "年份，如 2014"  # an empty year is not 0


def _f(name: str, label: str | None = None, kind: Kind = "text", codes: str | None = None,
       max_len: int | None = None, placeholder: str | None = None) -> FieldSpec:
    return FieldSpec(name, label or FIELD_LABELS[name], kind, codes, max_len, placeholder)


HOUSEHOLD_FIELDS: tuple[FieldSpec, ...] = (
    _f("household_no", max_len=30),
    _f("group_name", "村民小组", max_len=40),
    _f("natural_village", "自然村", max_len=40),
    _f("address", "家庭住址", max_len=200),
    _f("phone", "户联系电话", max_len=20),
    _f("bank_name", "开户银行", max_len=60),
    _f("bank_account", "银行账号", max_len=30),
    _f("identification_standard", "识别标准", "code", "identification_standard"),
    _f("poverty_attribute", "贫困户属性", "code", "poverty_attribute"),
    _f("main_cause", None, "code", "poverty_cause"),
    _f("other_causes", "其他致贫原因", "codes", "poverty_cause"),
    _f("return_cause", "返贫原因", "code", "poverty_cause"),
    _f("identified_year", None, "int", placeholder=_YEAR_HINT),
    _f("is_military_martyr_family", "是否军烈属", "bool"),
    _f("is_one_child", "是否独生子女户", "bool"),
    _f("is_two_daughters", "是否双女户", "bool"),
    _f("whole_household_no_labour", "整户无劳动能力兜底保障户", "bool"),
    _f("in_relocation_site", "居住在易地扶贫搬迁集中安置区", "bool"),
    _f("relocation_site_address", "安置区地址", max_len=200),
)
"""基本信息 fields the editor changes directly."""

# Shown in 基本信息 but changed only through their actions (标注脱贫/返贫/纳入监测).
HOUSEHOLD_ACTION_FIELDS: tuple[FieldSpec, ...] = (
    _f("household_type", None, "code", "household_type"),
    _f("exit_status", "脱贫属性", "code", "exit_status"),
    _f("exit_year", None, "int", placeholder=_YEAR_HINT),
    _f("monitoring_category", None, "code", "monitoring_category"),
)

MEMBER_FIELDS: tuple[FieldSpec, ...] = (
    _f("name", max_len=40),
    _f("relation", None, "code", "relation"),
    _f("id_type", None, "code", "id_type"),
    _f("id_number", max_len=20),
    _f("sex", None, "code", "sex"),
    _f("birth_date", None, "date"),
    _f("ethnicity", None, "code", "ethnicity"),
    _f("political_status", None, "code", "political_status"),
    _f("education", None, "code", "education"),
    _f("school_status", None, "code", "school_status"),
    _f("out_of_school_reason", None, "code", "out_of_school_reason"),
    _f("health", None, "code", "health"),
    _f("disability_type", None, "code", "disability_type"),
    _f("disability_grade", None, "code", "disability_grade"),
    _f("labour_skill", None, "code", "labour_skill"),
    _f("work_status", None, "code", "work_status"),
    _f("work_place", max_len=100),
    _f("work_months", None, "int"),
    _f("has_resident_medical", "城乡居民医保", "bool"),
    _f("has_employee_medical", "职工医保", "bool"),
    _f("has_critical_illness_ins", "大病保险", "bool"),
    _f("has_resident_pension", "城乡居民养老保险", "bool"),
    _f("has_employee_pension", "职工养老保险", "bool"),
    _f("is_dibao", "低保", "bool"),
    _f("is_tekun", "特困供养", "bool"),
    _f("phone", "联系电话", max_len=20),
    _f("person_no", max_len=30),
)

INCOME_GROUPS: tuple[tuple[FieldSpec, tuple[FieldSpec, ...]], ...] = (
    (_f("wage_income", "工资性收入", "money"), (
        _f("public_welfare_job_income", "公益性岗位收入", "money"),
        _f("other_wage_income", "其他工资性收入", "money"),
    )),
    (_f("business_income", "生产经营性收入", "money"), (
        _f("industry_reward", "产业奖励", "money"),
        _f("employment_reward", "就业奖励", "money"),
    )),
    (_f("property_income", "财产性收入", "money"), (
        _f("asset_dividend_income", "资产收益扶贫分红收入", "money"),
        _f("land_transfer_income", "土地流转收入", "money"),
        _f("other_property_income", "其他财产性收入", "money"),
    )),
    (_f("transfer_income", "转移性收入", "money"), (
        _f("family_planning_income", "计划生育金", "money"),
        _f("dibao_income", "低保金", "money"),
        _f("tekun_income", "特困人员救助供养金", "money"),
        _f("pension_income", "养老金或离退休金", "money"),
        _f("eco_compensation_income", "生态补偿金", "money"),
        _f("other_transfer_income", "其他转移性收入", "money"),
    )),
    (_f("business_expense", "生产经营性支出", "money"), (
        _f("expense_reduction_subsidy", "专项用于减少生产经营性支出的补贴", "money"),
    )),
)
INCOME_EXTRA: tuple[FieldSpec, ...] = (
    _f("household_size", "年度家庭人口数", "int"),
    _f("claims_income", "家庭理赔收入", "money"),
    _f("compliant_self_paid", "合规自付支出", "money"),
)
INCOME_FIELDS: tuple[FieldSpec, ...] = tuple(
    s for group, subs in INCOME_GROUPS for s in (group, *subs)
) + INCOME_EXTRA
INCOME_COMPUTED = ("annual_income", "net_income", "per_capita_net_income")

CONDITION_FIELDS: tuple[FieldSpec, ...] = (
    _f("arable_mu", "耕地面积(亩)", "area"),
    _f("confirmed_arable_mu", "确权面积(亩)", "area"),
    _f("irrigated_mu", "有效灌溉面积(亩)", "area"),
    _f("forest_mu", "林地面积(亩)", "area"),
    _f("grain_to_green_mu", "退耕还林面积(亩)", "area"),
    _f("orchard_mu", "林果面积(亩)", "area"),
    _f("pasture_mu", "牧草地面积(亩)", "area"),
    _f("water_surface_mu", "水面面积(亩)", "area"),
    _f("housing_area", "住房面积(㎡)", "area"),
    _f("is_dangerous_house", None, "bool"),
    _f("danger_level", "危房等级", "code", "danger_level"),
    _f("house_structure", "房屋主要结构", "code", "house_structure"),
    _f("access_road_type", "入户路类型", "code", "access_road_type"),
    _f("distance_to_main_road_km", "与村主干路距离(公里)", "area"),
    _f("main_fuel", "主要燃料类型", "code", "main_fuel"),
    _f("water_source", "饮水情况", "code", "water_source"),
    _f("has_household_power", "是否通生活用电", "bool"),
    _f("has_production_power", "是否通生产用电", "bool"),
    _f("has_tv_signal", "是否通广播电视", "bool"),
    _f("has_sanitary_toilet", "是否有卫生厕所", "bool"),
    _f("safe_drinking_water", None, "bool"),
    _f("drinking_water_difficulty", "是否饮水困难", "bool"),
    _f("in_cooperative", "是否加入农民专业合作组织", "bool"),
    _f("led_by_enterprise", "是否有龙头企业带动", "bool"),
    _f("led_by_entrepreneur", "是否有创业致富带头人带动", "bool"),
)
YEAR_FIELDS = INCOME_FIELDS + CONDITION_FIELDS

GUARANTEE_FIELDS: tuple[FieldSpec, ...] = (
    _f("food_worry", "不愁吃未达标", "bool"),
    _f("clothing_worry", "不愁穿未达标", "bool"),
    _f("housing_problem", "住房安全有问题", "bool"),
    _f("education_problem", "义务教育有问题", "bool"),
    _f("medical_problem", "基本医疗有问题", "bool"),
    _f("water_problem", "饮水安全有问题", "bool"),
    _f("confirmed", "已核实确认", "bool"),
    _f("checked_by", "核实人", max_len=40),
    _f("checked_on", "核实日期", "date"),
    _f("resolved_on", "问题解决日期", "date"),
    _f("note", "备注", max_len=500),
)
# suggest_guarantees key → GuaranteeCheck column.
GUARANTEE_COLUMNS = {
    "housing": "housing_problem",
    "education": "education_problem",
    "medical": "medical_problem",
    "water": "water_problem",
}

MEASURE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("category", "措施类别", "code", "measure_category"),
    FieldSpec("content", "措施内容", "text", max_len=500, placeholder="如 落实医疗救助和慢病签约服务"),
    FieldSpec("unit", "责任单位", "text", max_len=100, placeholder="如 县卫生健康局、乡镇人民政府"),
    FieldSpec("year", "年度", "int", placeholder="默认为开始日期所在年度"),
    FieldSpec("start_date", "开始日期", "date"),
    FieldSpec("end_date", "结束日期", "date", placeholder="措施结束后填写，年-月-日"),
    FieldSpec("amount", "金额（元）", "money"),
)
"""A 帮扶措施 as the clerk enters it (``AssistanceMeasure`` columns)."""

_SPEC_BY_SECTION: dict[str, dict[str, FieldSpec]] = {
    "household": {s.name: s for s in HOUSEHOLD_FIELDS + HOUSEHOLD_ACTION_FIELDS},
    "member": {s.name: s for s in MEMBER_FIELDS},
    "year": {s.name: s for s in YEAR_FIELDS},
    "guarantee": {s.name: s for s in GUARANTEE_FIELDS},
    "measure": {s.name: s for s in MEASURE_FIELDS},
}


def spec_of(section: str, name: str) -> FieldSpec:
    return _SPEC_BY_SECTION[section][name]


def display_value(spec: FieldSpec, value: Any) -> str:
    """How a value reads on screen and in the change history (codes as labels)."""
    if value is None or value == "" or value == []:
        return ""
    if spec.kind == "code" and spec.codes:
        return label_of(spec.codes, str(value)) if str(value) in code_list(spec.codes) else str(value)
    if spec.kind == "codes" and spec.codes:
        return "、".join(display_value(FieldSpec(spec.name, spec.label, "code", spec.codes), v)
                        for v in value)
    if spec.kind == "bool":
        return bool_label(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


# =========================================================================== region tree


@dataclass
class RegionNode:
    """One node of the 县 → 乡镇 → 村 → 组 tree with its current counts."""

    key: str  # region code, or "<village code>/<group name>" for a 组
    name: str
    level: str  # region_level code, or "group"
    region_code: str
    group_name: str | None = None
    households: int = 0
    persons: int = 0
    children: list[RegionNode] = field(default_factory=list)
    parent: RegionNode | None = field(default=None, repr=False, compare=False)


NO_GROUP = ""  # households without a 组


def region_tree(session: Session) -> list[RegionNode]:
    """The region tree from the top regions down to 组, with household and person counts
    of households still on the register (status 正常) and their 在户 members.

    One grouped query over the households (indexed on region and group); regions without
    households are kept so a new village shows up before its first household.
    """
    regions = session.execute(
        select(Region.code, Region.name, Region.level, Region.parent_code)
        .where(Region.valid.is_(True))
        .order_by(Region.code)
    ).all()
    from fupin_desktop.services.overview import register_counts_by_place

    counts = [(code, group, n, people)
              for (code, group), (n, people) in register_counts_by_place(session).items()]
    nodes: dict[str, RegionNode] = {}
    roots: list[RegionNode] = []
    for code, name, level, parent_code in regions:
        node = RegionNode(code, name, level, code)
        nodes[code] = node
        parent = nodes.get(parent_code) if parent_code else None
        if parent is None:
            roots.append(node)
        else:
            node.parent = parent
            parent.children.append(node)
    groups: dict[str, list[tuple[str, int, int]]] = {}
    for code, group, n, persons in counts:
        groups.setdefault(code, []).append((group or NO_GROUP, int(n), int(persons)))
    for code, items in groups.items():
        village = nodes.get(code)
        if village is None:  # a household under a code missing from the regions table
            continue
        for group, n, persons in sorted(items, key=lambda t: group_sort_key(t[0])):
            child = RegionNode(
                f"{code}/{group}", group or "（未分组）", "group", code, group, n, persons,
                parent=village,
            )
            village.children.append(child)
            node: RegionNode | None = village
            while node is not None:
                node.households += n
                node.persons += persons
                node = node.parent
    # Show the county down: drop single-child chains above it (province → prefecture).
    while len(roots) == 1 and roots[0].level not in ("county", "township", LEVEL_VILLAGE) \
            and len(roots[0].children) == 1:
        roots = roots[0].children
        roots[0].parent = None
    return roots


# =========================================================================== list & search


@dataclass(frozen=True)
class HouseholdFilter:
    """What the household list shows. Empty tuples mean "any"."""

    region_code: str | None = None  # any level; descendants included
    group_name: str | None = None  # with a village code: one 组 ("" = households without)
    text: str = ""
    household_types: tuple[str, ...] = ()
    monitoring_categories: tuple[str, ...] = ()  # "none" = not a 监测对象
    causes: tuple[str, ...] = ()  # poverty_cause codes (主要致贫原因)
    risks: tuple[str, ...] = ()  # risk_type codes of an open monitoring case
    guarantee_problems: tuple[str, ...] = ()  # keys of GUARANTEE_LABELS
    risk_grades: tuple[str, ...] = ()  # risk_grade codes; "none" = not graded
    has_errors: bool = False
    include_closed: bool = False
    household_ids: tuple[int, ...] | None = None  # only these (e.g. the households behind a report figure)


SORT_KEYS = (
    "household_no", "head_name", "head_id18", "member_count", "household_type",
    "monitoring_category", "main_cause", "exit_year", "phone", "helper", "updated_at", "risk_grade",
)

_PREFIX_END = "\U0010ffff"
_DIGITS = re.compile(r"[0-9]+[0-9X]?")


def _starts_with(column: Any, text: str, dialect: str) -> ColumnElement[bool]:
    """An index-friendly prefix match: a range on SQLite's binary collation; LIKE on
    PostgreSQL, served by the ``text_pattern_ops`` indexes of migration 0002_registry."""
    if dialect == "sqlite":
        return and_(column >= text, column < text + _PREFIX_END)
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(escaped + "%", escape="\\")


def _ends_with(column: Any, text: str) -> ColumnElement[bool]:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like("%" + escaped, escape="\\")


@dataclass(frozen=True)
class SearchTerms:
    """How a search text is read: a number, pinyin initials or a name."""

    kind: Literal["empty", "number", "initials", "name", "short_number", "short_initials"]
    text: str


MIN_NUMBER_DIGITS = 4
MIN_INITIALS = 2


def parse_search(text: str) -> SearchTerms:
    """Read what the clerk typed: digits (证件号码, its last digits, 户编号, phone), letters
    (拼音首字母, any case), or a name. Fewer than 4 digits search nothing yet (every number
    in the county shares its first digits)."""
    raw = normalize_text(text).replace(" ", "")
    if not raw:
        return SearchTerms("empty", "")
    number = normalize_id(raw)
    if _DIGITS.fullmatch(number):
        if len(number) < MIN_NUMBER_DIGITS:
            return SearchTerms("short_number", number)
        return SearchTerms("number", number)
    if raw.isascii() and raw.isalpha():
        if len(raw) < MIN_INITIALS:
            return SearchTerms("short_initials", raw.lower())
        return SearchTerms("initials", raw.lower())
    return SearchTerms("name", raw)


@dataclass(frozen=True)
class SearchPart:
    """One indexed way a search text can match: a condition on a member (the household is
    the member's) or on the household itself."""

    on: Literal["member", "household"]
    condition: ColumnElement[bool]

    def household_ids(self) -> Any:
        if self.on == "member":
            return select(Member.household_id).where(self.condition)
        return select(Household.id).where(self.condition)


def _matches(parts: Sequence[SearchPart]) -> ColumnElement[bool]:
    """The search as a condition on one household row of the outer query: its own columns,
    or one probe of its members (by household id) for all member parts together."""
    member = [p.condition for p in parts if p.on == "member"]
    conds = [p.condition for p in parts if p.on == "household"]
    if member:
        conds.append(exists().where(Member.household_id == Household.id, or_(*member)))
    return or_(*conds)


# Any member with more than one reading of the name ("wx yx"): the WHERE of the partial
# index ix_members_initials_alt, written the same way so SQLite can use that index.
_ALT_READINGS = text(INITIALS_ALT_WHERE)


def _search_parts(dialect: str, terms: SearchTerms) -> list[SearchPart]:
    """What the text can be, each an index range or lookup of its own (an OR across them
    would scan): 证件号码 (prefix, or its last 4–6 characters), 户编号 (prefix or last
    digits), phone (prefix), 拼音首字母 (any reading), name (prefix)."""
    q = terms.text
    parts: list[SearchPart] = []
    if terms.kind == "number":
        if len(q) >= 7:
            parts.append(SearchPart("member", _starts_with(Member.id18, q, dialect)))
            parts.append(SearchPart("household", _starts_with(Household.household_no, q, dialect)))
        if len(q) == 6:
            parts.append(SearchPart("member", Member.id_tail == q))
        elif len(q) < 6:
            # The last 4–5 characters: the ones before them in id_tail are digits, so the
            # suffix is 10 or 100 lookups of the (id_tail, household_id) index, not a scan.
            fill = 6 - len(q)
            parts.append(SearchPart("member", Member.id_tail.in_(
                [f"{n:0{fill}d}{q}" for n in range(10 ** fill)])))
        if len(q) <= 6:  # the last digits of a 户编号, as of a 证件号码 (a scan of its index)
            parts.append(SearchPart("household", _ends_with(Household.household_no, q)))
        if len(q) <= 11 and q.isdigit():
            parts.append(SearchPart("household", _starts_with(Household.phone, q, dialect)))
            parts.append(SearchPart("member", _starts_with(Member.phone, q, dialect)))
    elif terms.kind == "initials":
        parts.append(SearchPart("member", _starts_with(Member.name_initials, q, dialect)))
        # The other readings of heteronyms follow a space ("sd sx").
        parts.append(SearchPart("member", and_(_ALT_READINGS, Member.name_initials.like(f"% {q}%"))))
    elif terms.kind == "name":
        parts.append(SearchPart("member", _starts_with(Member.name, q, dialect)))
    return parts


def _search_condition(session: Session, terms: SearchTerms) -> ColumnElement[bool]:
    """The whole search as one condition on households (every match, exact)."""
    if terms.kind == "empty":
        return and_(True)
    parts = _search_parts(session.get_bind().dialect.name, terms)
    if not parts:
        return false()
    selects = [p.household_ids() for p in parts]
    return Household.id.in_(union(*selects)) if len(selects) > 1 else Household.id.in_(selects[0])


def _plain(column: Any, sqlite: bool) -> Any:
    """``column`` in a form no index serves, on SQLite: its planner has no statistics and
    takes any indexed equality (status = '01') for a selective one, so it would walk the
    whole (status, 户编号) index to check a few hundred search hits instead of looking the
    hits up. Used where the search hits drive the query; PostgreSQL plans by statistics."""
    if not sqlite:
        return column
    if isinstance(column.type, Integer):
        return column + 0
    return column.op("||")(literal_column("''"))


def _region_condition(session: Session, code: str, group: str | None,
                      plain: bool = False) -> ColumnElement[bool] | None:
    sqlite = session.get_bind().dialect.name == "sqlite"
    region_col = _plain(Household.region_code, sqlite and plain)
    level = level_of_code(code)
    if level == LEVEL_VILLAGE:
        cond = region_col == code
        if group is not None:
            group_col = _plain(Household.group_name, sqlite and plain)
            cond = and_(cond, Household.group_name.is_(None) if group == NO_GROUP
                        else group_col == group)
        return cond
    prefix = code_prefix(code)
    # The top of the tree usually covers every village: then there is nothing to filter,
    # and the list comes straight off the (status, household_no) index.
    outside = session.scalar(
        select(func.count(Region.id)).where(
            Region.level == LEVEL_VILLAGE, ~Region.code.startswith(prefix, autoescape=True)
        )
    )
    if not outside:
        return None
    if sqlite:
        return and_(region_col >= prefix, region_col < prefix + ":")
    villages = session.scalars(
        select(Region.code).where(Region.code.startswith(prefix, autoescape=True))
    ).all()
    return Household.region_code.in_(villages)


def _latest_check_year(session: Session) -> int | None:
    return session.scalar(select(func.max(GuaranteeCheck.year)))


def _filter_conditions(session: Session, flt: HouseholdFilter,
                       plain: bool = False) -> list[ColumnElement[bool]]:
    """The tree node and the chips (not the search text) as conditions on households;
    ``plain``: written so that no index serves them on SQLite (see :func:`_plain`)."""
    sqlite = plain and session.get_bind().dialect.name == "sqlite"
    conds: list[ColumnElement[bool]] = []
    if not flt.include_closed:
        conds.append(_plain(Household.status, sqlite) == HOUSEHOLD_ACTIVE)
    if flt.region_code:
        region = _region_condition(session, flt.region_code, flt.group_name, plain)
        if region is not None:
            conds.append(region)
    if flt.household_types:
        conds.append(_plain(Household.household_type, sqlite).in_(flt.household_types))
    if flt.monitoring_categories:
        codes = [c for c in flt.monitoring_categories if c != "none"]
        parts = [_plain(Household.monitoring_category, sqlite).in_(codes)] if codes else []
        if "none" in flt.monitoring_categories:
            parts.append(Household.monitoring_category.is_(None))
        conds.append(or_(*parts))
    if flt.causes or flt.risks:
        parts = []
        if flt.causes:
            parts.append(_plain(Household.main_cause, sqlite).in_(flt.causes))
        if flt.risks:
            case = MonitoringCase
            parts.append(exists().where(
                case.household_id == Household.id,
                case.state != MONITORING_ELIMINATED,
                or_(*(col.in_(flt.risks) for col in (
                    case.risk_1, case.risk_2, case.risk_3, case.risk_4, case.risk_5))),
            ))
        conds.append(or_(*parts))
    if flt.guarantee_problems:
        year = _latest_check_year(session)
        columns = [getattr(GuaranteeCheck, GUARANTEE_COLUMNS[k]) for k in flt.guarantee_problems]
        conds.append(exists().where(
            GuaranteeCheck.household_id == Household.id,
            GuaranteeCheck.year == year,
            or_(*(c.is_(True) for c in columns)),
        ))
    if flt.risk_grades:
        codes = [c for c in flt.risk_grades if c != "none"]
        parts = [exists().where(RiskGrade.household_id == Household.id, RiskGrade.grade.in_(codes))] if codes else []
        if "none" in flt.risk_grades:
            parts.append(~exists().where(RiskGrade.household_id == Household.id))
        conds.append(or_(*parts))
    if flt.has_errors:
        from fupin_desktop.services.checks import has_open_errors

        conds.append(has_open_errors())
    if flt.household_ids is not None:
        conds.append(_id_in(session, flt.household_ids, name="filter_ids"))
    return conds


def _current_helper_name():
    return (
        select(Helper.name)
        .join(HelperAssignment, HelperAssignment.helper_id == Helper.id)
        .where(HelperAssignment.household_id == Household.id, HelperAssignment.end_date.is_(None))
        .order_by(HelperAssignment.start_date.desc())
        .limit(1)
        .scalar_subquery()
    )


# How a search is listed depends on how many households its parts match (its "hits"):
# - at most SEARCH_HIT_LIMIT: the hits are looked up by id and sorted: a complete list;
# - more: the list order is walked (an index) testing each household against the sets of
#   hits (a part matching more than SEARCH_HIT_LIMIT rows is made a set by the database
#   itself, not read), or, for a part matching more than SEARCH_SET_LIMIT rows (a
#   half-typed 证件号码 that matches the whole county), against the part itself (its
#   members probed by household id, no set built); when the caller gives a limit (the
#   window, while the clerk types) the walk stops there, so a keystroke costs about the
#   same however broad the search.
SEARCH_HIT_LIMIT = 6_000
SEARCH_SET_LIMIT = 50_000
# The list's limit for such searches.
SEARCH_LIST_LIMIT = 1000
# Sort keys the list can walk off an index (status, key, 户编号).
_INDEXED_SORTS = {"household_no", "head_name"}


@dataclass(frozen=True)
class HouseholdIds:
    """The households a filter selects, in list order. ``complete`` is False when a broad
    search matched more than the ``limit`` asked for: ``ids`` are then the first ``limit``
    of them (in 户编号 order when the sort key has no index, then sorted)."""

    ids: list[int]
    complete: bool = True


def _order_by(sort: str, descending: bool) -> list[Any]:
    if sort not in SORT_KEYS:
        raise ValueError(f"unknown sort key {sort!r}")
    if sort == "helper":
        key: Any = _current_helper_name()
    elif sort == "risk_grade":
        key = (select(RiskGrade.grade).where(RiskGrade.household_id == Household.id)
               .scalar_subquery())
    elif sort == "head_name":
        key = Household.head_name_sort  # pinyin order (rules.names.name_sort_key)
    else:
        key = getattr(Household, sort)
    if sort == "household_no":
        return [key.desc() if descending else key]
    if descending:  # the whole key backwards, so it still comes off the index
        return [key.desc(), Household.household_no.desc(), Household.id.desc()]
    return [key, Household.household_no, Household.id]


def _fetch_ids(session: Session, stmt: Any) -> list[int]:
    # Core, straight off the DBAPI cursor: 100 000 ids without building Row objects.
    result = session.connection().execute(stmt)
    try:
        return [row[0] for row in result.cursor.fetchall()]
    finally:
        result.close()


@dataclass
class _Hits:
    """What a search's parts matched: ``ids`` of the parts matching at most
    :data:`SEARCH_HIT_LIMIT` rows (read), ``many`` parts matching up to
    :data:`SEARCH_SET_LIMIT` rows and ``most`` matching more (both counted, not read)."""

    ids: set[int] = field(default_factory=set)
    many: list[SearchPart] = field(default_factory=list)
    most: list[SearchPart] = field(default_factory=list)

    def tests(self, session: Session) -> list[ColumnElement[bool]]:
        """Conditions on a household of the walk: in the small set, in a larger part's
        matches (the database builds that set itself), or a probe for the largest."""
        out = [_id_in(session, self.ids)] if self.ids else []
        out += [Household.id.in_(p.household_ids()) for p in self.many]
        if self.most:
            out.append(_matches(self.most))
        return out


def _collect_hits(session: Session, parts: Sequence[SearchPart]) -> _Hits:
    hits = _Hits()
    for part in parts:
        stmt = part.household_ids()
        found = _fetch_ids(session, stmt.limit(SEARCH_HIT_LIMIT + 1))
        if len(found) <= SEARCH_HIT_LIMIT:
            hits.ids.update(found)
            continue
        counted = session.scalar(
            select(func.count()).select_from(stmt.limit(SEARCH_SET_LIMIT + 1).subquery()))
        (hits.most if counted > SEARCH_SET_LIMIT else hits.many).append(part)
    return hits


def _id_in(session: Session, ids: Iterable[int], *, name: str = "hit_ids") -> ColumnElement[bool]:
    """``households.id`` among ``ids``, as one bound parameter (a JSON array on SQLite,
    an array on PostgreSQL) however many there are; ``name`` tells two such lists in one
    statement apart."""
    values = sorted(ids)
    if session.get_bind().dialect.name == "postgresql":
        # A subquery (hashed by the planner), not "= ANY(array)" tested element by element.
        array = bindparam(name, values, type_=ARRAY(Integer))
        return Household.id.in_(select(func.unnest(array)))
    ids_json = json.dumps(values, separators=(",", ":"))
    return Household.id.in_(select(literal_column("value")).select_from(func.json_each(ids_json)))


def _first_ids(session: Session, stmt: Any, first: int | None) -> HouseholdIds:
    """The ids ``stmt`` lists: all of them, or with ``first`` at most that many."""
    if first is None:
        return HouseholdIds(_fetch_ids(session, stmt))
    ids = _fetch_ids(session, stmt.limit(first + 1))
    return HouseholdIds(ids[:first], len(ids) <= first)


def list_households(
    session: Session,
    flt: HouseholdFilter = HouseholdFilter(),
    *,
    sort: str = "household_no",
    descending: bool = False,
    limit: int | None = None,
    first: int | None = None,
) -> HouseholdIds:
    """The households ``flt`` selects, in list order (``sort`` one of :data:`SORT_KEYS`;
    ties fall back to 户编号). Every match is listed, except that with ``limit`` a search
    matching more than :data:`SEARCH_HIT_LIMIT` households lists only its first ``limit``
    (``complete`` False when there were more), so each keystroke of a half-typed 证件号码
    stays quick. ``first``: at most that many, searching or not (a picker's few lines,
    not the list). How each kind of search runs: see :data:`SEARCH_HIT_LIMIT`."""
    order = _order_by(sort, descending)
    terms = parse_search(flt.text)
    if terms.kind == "empty":
        stmt = select(Household.id).where(*_filter_conditions(session, flt)).order_by(*order)
        return _first_ids(session, stmt, first)
    if first is not None:
        limit = first if limit is None else min(limit, first)
    parts = _search_parts(session.get_bind().dialect.name, terms)
    if not parts:
        return HouseholdIds([])
    hits = _collect_hits(session, parts)
    if not hits.many and not hits.most and len(hits.ids) <= SEARCH_HIT_LIMIT:
        if not hits.ids:
            return HouseholdIds([])
        stmt = (select(Household.id)
                .where(*_filter_conditions(session, flt, plain=True), _id_in(session, hits.ids))
                .order_by(*order))
        return _first_ids(session, stmt, first)
    conds = _filter_conditions(session, flt)
    if limit is None:
        match = _search_condition(session, terms) if hits.most else or_(*hits.tests(session))
        stmt = select(Household.id).where(*conds, match).order_by(*order)
        return HouseholdIds(_fetch_ids(session, stmt))
    walk = order if sort in _INDEXED_SORTS else _order_by("household_no", False)
    stmt = (select(Household.id).where(*conds, or_(*hits.tests(session)))
            .order_by(*walk).limit(limit + 1))
    ids = _fetch_ids(session, stmt)
    complete = len(ids) <= limit
    ids = ids[:limit]
    if walk is not order and ids:
        stmt = select(Household.id).where(_id_in(session, ids)).order_by(*order)
        ids = _fetch_ids(session, stmt)
    return HouseholdIds(ids, complete)


def household_ids(
    session: Session,
    flt: HouseholdFilter = HouseholdFilter(),
    *,
    sort: str = "household_no",
    descending: bool = False,
) -> list[int]:
    """Every household ``flt`` selects, in list order (the list keeps only these and
    fetches visible rows with :func:`household_rows`). ``sort`` is one of
    :data:`SORT_KEYS`; ties fall back to 户编号; 户主 sorts in pinyin order."""
    return list_households(session, flt, sort=sort, descending=descending).ids


def count_households(session: Session, flt: HouseholdFilter = HouseholdFilter()) -> int:
    conds = _filter_conditions(session, flt)
    if flt.text:
        conds.append(_search_condition(session, parse_search(flt.text)))
    return int(session.scalar(select(func.count(Household.id)).where(*conds)) or 0)


@dataclass(frozen=True)
class HouseholdRow:
    """One line of the household list, display-ready except the ID number (masked on
    request by the caller with ``rules.idnumber.mask_id``)."""

    id: int
    household_no: str
    head_name: str
    head_id18: str
    member_count: int
    household_type: str
    monitoring_category: str
    cause_or_risk: str
    exit_year: str
    phone: str
    helper: str
    updated: str
    region_code: str
    group_name: str
    error_count: int | None
    status: str
    # Members other than the 户主 through whom a search found the household ("张小、张二").
    matched: str = ""
    risk_grade: str = ""  # 一级 / 二级 / 三级, "" when not graded

    @property
    def masked_id(self) -> str:
        return mask_id(self.head_id18)


def matched_members(session: Session, ids: Sequence[int], text: str) -> dict[int, str]:
    """For each of ``ids`` that the search ``text`` found through members other than its
    户主 (a child's name, a spouse's 证件号码), those members' names: "张小、张二" (a member
    no longer in the household marked 已减少). Households whose 户主 matches, or that
    matched on their own 户编号 or phone, are left out: the list row already says why."""
    terms = parse_search(text or "")
    if not ids or terms.kind == "empty":
        return {}
    member = [p.condition for p in _search_parts(session.get_bind().dialect.name, terms) if p.on == "member"]
    if not member:
        return {}
    found: dict[int, list[str]] = {}
    heads: set[int] = set()
    for hid, name, relation, status in session.execute(
        select(Member.household_id, Member.name, Member.relation, Member.status)
        .where(Member.household_id.in_(ids), or_(*member))
        .order_by(Member.household_id, Member.seq, Member.id)
    ):
        if relation == RELATION_HEAD and status == MEMBER_PRESENT:
            heads.add(hid)
        else:
            found.setdefault(hid, []).append(name if status == MEMBER_PRESENT else f"{name}（已减少）")
    return {hid: "、".join(names) for hid, names in found.items() if hid not in heads}


def household_rows(session: Session, ids: Sequence[int], search: str = "") -> list[HouseholdRow]:
    """The list rows of ``ids`` (any order in, same order out; ids no longer present are
    left out). Five indexed queries whatever the number of ids (with the check findings and
    the risk grades), and with a ``search``
    text one more for the members it matched (:func:`matched_members`)."""
    if not ids:
        return []
    rows = session.execute(
        select(
            Household.id, Household.household_no, Household.head_name, Household.head_id18,
            Household.member_count, Household.household_type, Household.monitoring_category,
            Household.main_cause, Household.exit_year, Household.phone,
            func.coalesce(Household.updated_at, Household.created_at),
            Household.region_code, Household.group_name, Household.status,
        ).where(Household.id.in_(ids))
    ).all()
    helpers = dict(session.execute(
        select(HelperAssignment.household_id, Helper.name)
        .join(Helper, Helper.id == HelperAssignment.helper_id)
        .where(HelperAssignment.household_id.in_(ids), HelperAssignment.end_date.is_(None))
        .order_by(HelperAssignment.start_date)
    ).all())
    risks: dict[int, list[str]] = {}
    case = MonitoringCase
    for hid, *codes in session.execute(
        select(case.household_id, case.risk_1, case.risk_2, case.risk_3, case.risk_4, case.risk_5)
        .where(case.household_id.in_(ids), case.state != MONITORING_ELIMINATED)
    ):
        risks.setdefault(hid, []).extend(c for c in codes if c)
    htype = code_list("household_type")
    mcat = code_list("monitoring_category")
    cause = code_list("poverty_cause")
    risk = code_list("risk_type")
    status_list = code_list("household_status")
    matched = matched_members(session, ids, search) if search else {}
    from fupin_desktop.services.checks import household_error_counts

    errors_of = household_error_counts(session, ids)
    grade_label = code_list("risk_grade")
    grades = dict(session.execute(
        select(RiskGrade.household_id, RiskGrade.grade).where(RiskGrade.household_id.in_(ids))).all())
    by_id = {}
    for (hid, no, head, id18, count, ht, mc, mainc, exit_year, phone, updated, region, group,
         status) in rows:
        if hid in risks:
            cause_text = "风险：" + "、".join(risk.label(c, c) for c in dict.fromkeys(risks[hid]))
        else:
            cause_text = cause.label(mainc, mainc or "")
        by_id[hid] = HouseholdRow(
            id=hid, household_no=no or "", head_name=head or "", head_id18=id18 or "",
            member_count=count or 0, household_type=htype.label(ht, ht or ""),
            monitoring_category=mcat.label(mc, mc or ""), cause_or_risk=cause_text,
            exit_year=str(exit_year) if exit_year else "", phone=phone or "",
            helper=helpers.get(hid, ""),
            updated=updated.strftime("%Y-%m-%d %H:%M") if updated else "",
            region_code=region, group_name=group or "", error_count=errors_of.get(hid, 0),
            status=status_list.label(status, status) if status != HOUSEHOLD_ACTIVE else "",
            matched=matched.get(hid, ""),
            risk_grade=grade_label.label(grades[hid], grades[hid]) if hid in grades else "",
        )
    return [by_id[i] for i in ids if i in by_id]


def find_household(session: Session, number: str) -> Household:
    """The household with 户编号 ``number`` (or, failing that, whose 户主证件号码 it is).
    Raises ``UserError`` when there is none."""
    text = normalize_text(number).replace(" ", "")
    hh = session.scalar(select(Household).where(Household.household_no == text))
    if hh is None:
        hh = session.scalar(select(Household).where(Household.head_id18 == normalize_id(text)))
    if hh is None:
        raise UserError(f"没有找到户编号（或户主证件号码）为“{number}”的农户，请核对后再试。")
    return hh


# =========================================================================== data check


def _namespace(values: dict[str, Any]) -> SimpleNamespace:
    return SimpleNamespace(**values)


def check_household_data(data: HouseholdData, today: dt.date | None = None) -> list[Problem]:
    """Every problem the shared rules find in a household as it is being edited."""
    today = today or dt.date.today()
    conditions = data.latest_year()
    return validate_household(
        _namespace(data.household),
        [_namespace(m) for m in data.members],
        ref_date=today,
        conditions=_namespace(conditions) if conditions else None,
        absent=data.absent,
    )


# =========================================================================== load / edit data


@dataclass
class HouseholdData:
    """A household as the editor holds it: plain values, no session attached.

    ``household``, each ``members`` entry, ``years[year]`` and ``guarantees[year]`` are
    dicts of field → value; members keep their ``id`` (``None`` for one not saved yet).
    ``version`` is the household version it was read at. The rest is read-only history.
    """

    id: int
    version: int
    household: dict[str, Any]
    members: list[dict[str, Any]]
    years: dict[int, dict[str, Any]]
    guarantees: dict[int, dict[str, Any]]
    region_name: str = ""
    events: list[dict[str, Any]] = field(default_factory=list)
    # Each case also carries its "measures" (帮扶措施, ``measure_values``), "risk_codes" and
    # "gaps" (risks no measure answers yet, rules.monitoring); measures tied to no case:
    monitoring: list[dict[str, Any]] = field(default_factory=list)
    other_measures: list[dict[str, Any]] = field(default_factory=list)
    assignments: list[dict[str, Any]] = field(default_factory=list)
    # Where the household's record came from: 「户籍表.xlsx 第12行（2026-11-23 张三导入）」.
    source: str = ""
    # Fields the files it was imported from had no column for: blank, they are 待补充.
    absent: frozenset[str] = frozenset()

    def copy(self) -> HouseholdData:
        return copy.deepcopy(self)

    def latest_year(self) -> dict[str, Any] | None:
        return self.years[max(self.years)] if self.years else None

    def present_members(self) -> list[dict[str, Any]]:
        return [m for m in self.members if (m.get("status") or MEMBER_PRESENT) == MEMBER_PRESENT]

    def member(self, member_id: int) -> dict[str, Any]:
        for m in self.members:
            if m.get("id") == member_id:
                return m
        raise KeyError(member_id)


_MEMBER_KEEP = ("id", "seq", "status", "left_on", "left_reason", "joined_on", "joined_reason")


def _snapshot(hh: Household) -> HouseholdData:
    household = {s.name: getattr(hh, s.name) for s in HOUSEHOLD_FIELDS + HOUSEHOLD_ACTION_FIELDS}
    household["region_code"] = hh.region_code
    household["status"] = hh.status
    if household.get("other_causes") is not None:
        household["other_causes"] = list(household["other_causes"])
    members = []
    for m in sorted(hh.members, key=lambda m: (m.status != MEMBER_PRESENT, m.seq, m.id or 0)):
        values = {s.name: getattr(m, s.name) for s in MEMBER_FIELDS}
        values.update({k: getattr(m, k) for k in _MEMBER_KEEP})
        members.append(values)
    years = {}
    for y in hh.years:
        values = {s.name: getattr(y, s.name) for s in YEAR_FIELDS}
        values.update({k: getattr(y, k) for k in INCOME_COMPUTED})
        years[y.year] = values
    guarantees = {}
    for g in hh.guarantee_checks:
        values = {s.name: getattr(g, s.name) for s in GUARANTEE_FIELDS}
        values["suggested"] = g.suggested
        guarantees[g.year] = values
    return HouseholdData(hh.id, hh.version, household, members, years, guarantees)


def _monitoring_of(
    cases: Sequence[MonitoringCase], measures: Sequence[AssistanceMeasure],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The 监测 tab's rows: each case display-ready with its measures, and the measures
    tied to no case."""
    risk = code_list("risk_type")
    by_case: dict[int | None, list[dict[str, Any]]] = {}
    for m in sorted(measures, key=lambda m: (m.start_date or dt.date.min, m.id)):
        by_case.setdefault(m.monitoring_case_id, []).append(measure_values(m))
    rows = []
    for case in cases:
        taken = by_case.pop(case.id, [])
        rows.append({
            "id": case.id,
            "category": label_of("monitoring_category", case.category),
            "state": label_of("monitoring_state", case.state),
            "state_code": case.state,
            "identified_ym": case.identified_ym,
            "risks": "、".join(risk.label(r, r) for r in case.risks),
            "risk_codes": case.risks,
            "risk_eliminated": bool_label(case.risk_eliminated),
            "elimination_mode": label_of("elimination_mode", case.elimination_mode),
            "eliminated_ym": case.eliminated_ym or "",
            "dev_measures_status": case.dev_measures_status or "",
            "dibao_status": case.dibao_status or "",
            "tekun_status": case.tekun_status or "",
            "monitor_contact": case.monitor_contact or "",
            "monitor_phone": case.monitor_phone or "",
            "note": case.risk_note or case.note or "",
            "measures": taken,
            "measure_count": f"{len(taken)} 项" if taken else "无",
            "gaps": measure_gaps(case.risks, [m["category"] for m in taken]),
        })
    others = [m for ms in by_case.values() for m in ms]
    return rows, others


def household_monitoring(
    session: Session, household_id: int,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The household's monitoring cases with their 帮扶措施 (as in ``HouseholdData.monitoring``)
    and its measures tied to no case, read afresh (the 监测 tab after a measure is saved)."""
    cases = session.scalars(
        select(MonitoringCase).where(MonitoringCase.household_id == household_id)
        .order_by(MonitoringCase.identified_ym, MonitoringCase.id)
    ).all()
    measures = session.scalars(
        select(AssistanceMeasure).where(AssistanceMeasure.household_id == household_id)
    ).all()
    return _monitoring_of(cases, measures)


def load_household(session: Session, household_id: int) -> HouseholdData:
    """Everything the household window shows. Raises ``UserError`` if it no longer exists."""
    hh = session.scalar(
        select(Household).where(Household.id == household_id).options(
            selectinload(Household.members), selectinload(Household.years),
            selectinload(Household.guarantee_checks), selectinload(Household.monitoring_cases),
            selectinload(Household.measures),
        )
    )
    if hh is None:
        raise UserError("这户已不存在（可能已被其他人删除），请刷新列表。")
    data = _snapshot(hh)
    data.region_name = region_path(session, hh.region_code)
    data.source = source_description(session, hh.source_row_id)
    data.absent = _absent_fields(session, [hh.id]).get(hh.id, frozenset())
    data.events = change_history(session, household_id)
    data.monitoring, data.other_measures = _monitoring_of(hh.monitoring_cases, hh.measures)
    for a, helper in session.execute(
        select(HelperAssignment, Helper).join(Helper, Helper.id == HelperAssignment.helper_id)
        .where(HelperAssignment.household_id == household_id)
        .order_by(HelperAssignment.start_date, HelperAssignment.id)
    ):
        data.assignments.append({
            "helper": helper.name,
            "role": label_of("assignment_role", a.role),
            "unit": helper.unit_name or "",
            "title": helper.title or "",
            "phone": helper.phone or "",
            "start_date": a.start_date.isoformat(),
            "end_date": a.end_date.isoformat() if a.end_date else "",
            "current": a.end_date is None,
            "note": a.note or "",
        })
    return data


def _absent_fields(session: Session, household_ids: list[int]) -> dict[int, frozenset[str]]:
    from fupin_desktop.services.household_import import pending_fields

    return pending_fields(session, household_ids)


def source_description(session: Session, source_row_id: int | None) -> str:
    """「户籍表.xlsx（Sheet1）第12行，2026-11-23 张三导入」 for a SourceRow; "" for none."""
    if source_row_id is None:
        return ""
    row = session.get(SourceRow, source_row_id)
    if row is None:
        return ""
    where = f"第{row.row_no}行" if row.row_no else ""
    batch = row.batch
    if batch is None:
        return f"导入表格{where}（升级前导入）"
    sheet = f"（{batch.sheet_name}）" if batch.sheet_name else ""
    who = batch.imported_by or ""
    return f"{batch.file_name}{sheet}{where}，{batch.imported_at:%Y-%m-%d} {who}导入".replace(" 导入", "导入")


def region_path(session: Session, code: str) -> str:
    """「望谟县 复兴镇 者田村」 for a village code."""
    names = []
    current: str | None = code
    while current:
        row = session.execute(select(Region.name, Region.parent_code, Region.level)
                              .where(Region.code == current)).first()
        if row is None:
            break
        if row.level in ("province", "prefecture"):
            break
        names.append(row.name)
        current = row.parent_code
    return " ".join(reversed(names))


def change_history(session: Session, household_id: int) -> list[dict[str, Any]]:
    """The household's 变动记录, newest first, display-ready."""
    out = []
    types = code_list("change_type")
    reasons = code_list("change_reason")
    events = session.execute(
        select(ChangeEvent, Member.name)
        .outerjoin(Member, Member.id == ChangeEvent.member_id)
        .where(or_(ChangeEvent.household_id == household_id,
                   ChangeEvent.related_household_id == household_id))
        .order_by(ChangeEvent.effective_date.desc(), ChangeEvent.id.desc())
    ).all()
    for ev, member_name in events:
        out.append({
            "id": ev.id,
            "type": types.label(ev.type, ev.type),
            "type_code": ev.type,
            "reason": reasons.label(ev.reason, ev.reason or ""),
            "member": member_name or "",
            "effective_date": ev.effective_date.isoformat(),
            "reported_month": ev.reported_month,
            "recorded_by": ev.recorded_by or "",
            "recorded_at": ev.created_at.strftime("%Y-%m-%d %H:%M") if ev.created_at else "",
            "details": describe_details(ev.details),
            "note": ev.note or "",
        })
    return out


def describe_details(details: dict[str, Any] | None) -> str:
    """「户联系电话：138… → 139…；张三 文化程度：小学 → 初中」."""
    if not details:
        return ""
    parts = []
    for label, change in details.items():
        if isinstance(change, (list, tuple)) and len(change) == 2:
            parts.append(f"{label}：{change[0] or '（空）'} → {change[1] or '（空）'}")
        else:
            parts.append(f"{label}：{change}")
    return "；".join(parts)


# --------------------------------------------------------------------------- flat diffs

Path = tuple[Any, ...]


def flatten(data: HouseholdData) -> dict[Path, Any]:
    """Every editable value under a path: ("household", f), ("member", id, f),
    ("year", y, f), ("guarantee", y, f)."""
    flat: dict[Path, Any] = {}
    for s in HOUSEHOLD_FIELDS:
        flat[("household", s.name)] = data.household.get(s.name)
    for m in data.members:
        for s in MEMBER_FIELDS:
            flat[("member", m.get("id"), s.name)] = m.get(s.name)
    for y, values in data.years.items():
        for s in YEAR_FIELDS:
            flat[("year", y, s.name)] = values.get(s.name)
    for y, values in data.guarantees.items():
        for s in GUARANTEE_FIELDS:
            flat[("guarantee", y, s.name)] = values.get(s.name)
    return flat


def _norm(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if value == []:
        return None
    if isinstance(value, Decimal):
        return value.quantize(Decimal("0.01"))
    return value


def changed_paths(before: HouseholdData, after: HouseholdData) -> dict[Path, tuple[Any, Any]]:
    """Paths whose value differs, with (before, after)."""
    a, b = flatten(before), flatten(after)
    out = {}
    for path in a.keys() | b.keys():
        old, new = _norm(a.get(path)), _norm(b.get(path))
        if old != new:
            out[path] = (old, new)
    return out


def _member_name(data: HouseholdData, member_id: Any) -> str:
    for m in data.members:
        if m.get("id") == member_id:
            return m.get("name") or "成员"
    return "成员"


def path_label(data: HouseholdData, path: Path) -> str:
    """「张三 文化程度」, 「2024年 工资性收入」 — where a change was, in words."""
    section = path[0]
    if section == "household":
        return spec_of("household", path[1]).label
    if section == "member":
        return f"{_member_name(data, path[1])} {spec_of('member', path[2]).label}"
    if section == "year":
        return f"{path[1]}年 {spec_of('year', path[2]).label}"
    return f"{path[1]}年三保障 {spec_of('guarantee', path[2]).label}"


def _spec_for_path(path: Path) -> FieldSpec:
    return spec_of(path[0], path[-1])


@dataclass(frozen=True)
class FieldChange:
    """One field someone changed: where, and the value before and after, as text."""

    path: Path
    label: str
    old: str
    new: str


def describe_changes(data: HouseholdData, changes: dict[Path, tuple[Any, Any]]) -> list[FieldChange]:
    out = []
    for path, (old, new) in sorted(changes.items(), key=lambda kv: [str(p) for p in kv[0]]):
        spec = _spec_for_path(path)
        out.append(FieldChange(path, path_label(data, path), display_value(spec, old),
                               display_value(spec, new)))
    return out


class HouseholdChangedError(ConcurrentEditError):
    """Someone saved this household after it was opened. ``theirs`` is the household as it
    is now, ``their_changes`` what they changed (from what this clerk started with)."""

    def __init__(self, theirs: HouseholdData, their_changes: list[FieldChange],
                 conflicts: list[FieldChange]):
        who = "其他人"
        lines = "；".join(f"{c.label}：{c.old or '（空）'} → {c.new or '（空）'}"
                         for c in their_changes[:8])
        more = f"等{len(their_changes)}处" if len(their_changes) > 8 else ""
        text = (f"这户在您打开之后已被{who}修改并保存（{lines or '成员或年度记录有变动'}{more}）。"
                "请选择“重新载入”放弃您的修改，或“合并”保留您改过而对方未改的内容。")
        super().__init__(text)
        self.theirs = theirs
        self.their_changes = their_changes
        self.conflicts = conflicts


def _set_path(data: HouseholdData, path: Path, value: Any, source: HouseholdData) -> None:
    section = path[0]
    if section == "household":
        data.household[path[1]] = value
    elif section == "member":
        try:
            data.member(path[1])[path[2]] = value
        except KeyError:
            pass  # the member is gone on their side: nothing to merge into
    elif section == "year":
        if path[1] not in data.years:
            data.years[path[1]] = copy.deepcopy(source.years[path[1]])
        data.years[path[1]][path[2]] = value
    else:
        if path[1] not in data.guarantees:
            data.guarantees[path[1]] = copy.deepcopy(source.guarantees[path[1]])
        data.guarantees[path[1]][path[2]] = value


def merge_edits(
    base: HouseholdData, mine: HouseholdData, theirs: HouseholdData
) -> tuple[HouseholdData, list[FieldChange]]:
    """Three-way merge: start from ``theirs`` (the saved household now) and re-apply this
    clerk's edits (``base`` → ``mine``) where the other clerk left the field as it was.
    Returns the merged data (at their version) and the conflicts, where their value won."""
    my_changes = changed_paths(base, mine)
    their_changes = changed_paths(base, theirs)
    merged = theirs.copy()
    conflicts: dict[Path, tuple[Any, Any]] = {}
    for path, (_old, new) in my_changes.items():
        if path in their_changes:
            if _norm(their_changes[path][1]) != new:
                conflicts[path] = (new, their_changes[path][1])
            continue
        _set_path(merged, path, new, mine)
    return merged, describe_changes(merged, conflicts)


# --------------------------------------------------------------------------- save


@dataclass
class SaveResult:
    """What a save did: ``saved`` False when identity errors blocked it."""

    saved: bool
    problems: list[Problem]
    version: int | None = None
    changes: list[FieldChange] = field(default_factory=list)


def _clean_value(spec: FieldSpec, value: Any, where: str) -> Any:
    """Coerce an edited value to the column's type; ``UserError`` naming the field."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        if spec.kind == "text":
            text = normalize_text(value)
            if spec.max_len and len(text) > spec.max_len:
                raise UserError(f"{where}“{spec.label}”最多{spec.max_len}个字，请缩短。")
            return text
        if spec.kind == "code":
            return code_list(spec.codes).normalize(value)  # type: ignore[arg-type]
        if spec.kind == "codes":
            items = value if isinstance(value, (list, tuple)) else str(value).split("、")
            codes = [code_list(spec.codes).normalize(v) for v in items]  # type: ignore[arg-type]
            return [c for c in codes if c] or None
        if spec.kind == "bool":
            from fupin_desktop.codes import parse_bool

            return parse_bool(value)
        if spec.kind == "int":
            text = normalize_text(value)
            if not text.lstrip("-").isdigit():
                raise UserError(f"{where}“{spec.label}”应填整数，“{value}”不是整数。")
            return int(text)
        if spec.kind in ("money", "area"):
            from fupin_desktop.rules.income import to_amount

            return to_amount(value)
        if spec.kind == "date":
            if isinstance(value, dt.date):
                return value
            try:
                return dt.date.fromisoformat(normalize_text(value))
            except ValueError:
                raise UserError(f"{where}“{spec.label}”的值“{value}”不是有效日期，"
                                "请写成 年-月-日，如 2025-03-01。") from None
    except UserError:
        raise
    except (ValueError, ArithmeticError) as exc:  # the code list's or amount's own message
        raise UserError(f"{where}“{spec.label}”：{exc}") from exc
    return value


def _apply_fields(obj: Any, values: dict[str, Any], specs: Iterable[FieldSpec], where: str) -> None:
    for spec in specs:
        if spec.name not in values:
            continue
        new = _clean_value(spec, values[spec.name], where)
        if _norm(getattr(obj, spec.name)) != _norm(new):
            setattr(obj, spec.name, new)


def _year_totals(values: dict[str, Any], persons: int) -> dict[str, Decimal | None]:
    def amount(name: str) -> Any:
        return values.get(name)

    if all(values.get(n) in (None, "") for n in
           ("wage_income", "business_income", "property_income", "transfer_income")):
        return {k: None for k in INCOME_COMPUTED}
    size = values.get("household_size") or persons
    try:
        totals = income_totals(
            wage=amount("wage_income"), business=amount("business_income"),
            property_income=amount("property_income"), transfer=amount("transfer_income"),
            business_expense=amount("business_expense"), persons=int(size),
        )
    except IncomeError as exc:
        raise UserError(str(exc)) from exc
    return {"annual_income": totals.annual_income, "net_income": totals.net_income,
            "per_capita_net_income": totals.per_capita_net_income}


def compute_year_totals(values: dict[str, Any], persons: int) -> dict[str, Decimal | None]:
    """年收入, 纯收入, 人均纯收入 of one year's edited values (rules.income); the divisor is
    the 年度家庭人口数 when filled, else the current number of people."""
    cleaned = {s.name: _clean_value(s, values.get(s.name), "收支") for s in INCOME_FIELDS}
    return _year_totals(cleaned, persons)


def suggest_for_year(data: HouseholdData, year: int) -> dict[str, Any]:
    """The 三保障 suggestion for ``year`` from member data and that year's conditions, as
    ``{key: (problem, reasons)}`` with keys of :data:`GUARANTEE_LABELS`."""
    conditions = data.years.get(year)
    ref = dt.date(year, 12, 31) if year < dt.date.today().year else dt.date.today()
    result = suggest_guarantees(
        _namespace(data.household), [_namespace(m) for m in data.members],
        _namespace(conditions) if conditions else None, ref,
    )
    return {k: (v.problem, list(v.reasons)) for k, v in result.items()}


def _check_month(reported_month: str) -> str:
    text = normalize_text(reported_month)
    if not _MONTH.fullmatch(text):
        raise UserError(f"报告月份“{reported_month}”应写成“年-月”，例如 2025-03。")
    return text


def _event(session: Session, household_id: int, type_: str, *, effective: dt.date,
           month: str, member_id: int | None = None, reason: str | None = None,
           related: int | None = None, note: str | None = None,
           details: dict[str, Any] | None = None, doc_no: str | None = None) -> ChangeEvent:
    month = _check_month(month)
    with session.no_autoflush:  # a flush here would bump the household's version twice
        hh = session.get(Household, household_id)
        ensure_month_open(session, month, hh.region_code if hh is not None else None)
    ev = ChangeEvent(
        household_id=household_id, member_id=member_id, related_household_id=related,
        type=type_, reason=reason, effective_date=effective, reported_month=month,
        recorded_by=audit.current_user(session), note=note or None, details=details or None,
        doc_no=doc_no or None,
    )
    session.add(ev)
    return ev


def _current_month(today: dt.date | None = None) -> str:
    return (today or dt.date.today()).strftime("%Y-%m")


def _load_for_write(session: Session, household_id: int, expected_version: int | None) -> Household:
    hh = session.scalar(
        select(Household).where(Household.id == household_id).options(
            selectinload(Household.members), selectinload(Household.years),
            selectinload(Household.guarantee_checks),
        )
    )
    if hh is None:
        raise UserError("这户已不存在（可能已被其他人删除或并户），请刷新列表。")
    if expected_version is not None and hh.version != expected_version:
        raise ConcurrentEditError(
            "这户在您打开之后已被其他人修改并保存，请重新载入后再办理。"
        )
    return hh


def save_household(
    session: Session,
    base: HouseholdData,
    edited: HouseholdData,
    *,
    today: dt.date | None = None,
    reported_month: str | None = None,
    note: str | None = None,
) -> SaveResult:
    """Save the clerk's edits (``base`` as opened → ``edited``).

    Validation runs first; identity errors (bad ID checksum, two 户主, duplicate ID …) block
    the save and come back with ``saved=False``; warnings and other errors are returned
    with a saved result. The changes go in as a 信息变更 ChangeEvent with field-level
    details (old → new). If the household was saved by someone else since ``base.version``
    raises :class:`HouseholdChangedError` (nothing written). Raises ``UserError`` for a
    value that cannot be stored (named field).
    """
    today = today or dt.date.today()
    problems = check_household_data(edited, today)
    if any(p.identity and p.severity == "error" for p in problems):
        return SaveResult(False, problems)
    hh = _load_for_write(session, base.id, None)
    if hh.version != base.version:
        _raise_changed(session, hh, base, edited)
    changes = changed_paths(base, edited)
    if not changes:
        _store_error_count(hh, problems, edited)
        return SaveResult(True, problems, hh.version)

    _apply_fields(hh, edited.household, HOUSEHOLD_FIELDS, "基本信息：")
    by_id = {m.id: m for m in hh.members}
    for values in edited.members:
        member = by_id.get(values.get("id"))
        if member is None:
            continue  # members are added through 成员增加, never by the editor
        _apply_fields(member, values, MEMBER_FIELDS, f"成员“{values.get('name') or ''}”：")
    persons = len(edited.present_members()) or 1
    years = {y.year: y for y in hh.years}
    for year, values in edited.years.items():
        row = years.get(year)
        if row is None:
            row = HouseholdYear(year=year)
            hh.years.append(row)
        _apply_fields(row, values, YEAR_FIELDS, f"{year}年：")
        cleaned = {s.name: getattr(row, s.name) for s in INCOME_FIELDS}
        for key, value in _year_totals(cleaned, persons).items():
            if _norm(getattr(row, key)) != _norm(value):
                setattr(row, key, value)
        if row.household_type is None:
            row.household_type = hh.household_type
            row.monitoring_category = hh.monitoring_category
    checks = {g.year: g for g in hh.guarantee_checks}
    for year, values in edited.guarantees.items():
        row = checks.get(year)
        if row is None:
            row = GuaranteeCheck(year=year)
            hh.guarantee_checks.append(row)
        _apply_fields(row, values, GUARANTEE_FIELDS, f"{year}年三保障：")
        if values.get("suggested") is not None:
            row.suggested = values["suggested"]
    described = describe_changes(edited, changes)
    details = {c.label: [c.old, c.new] for c in described}
    _event(session, hh.id, EV_INFO, effective=today,
           month=reported_month or _current_month(today), note=note, details=details)
    _store_error_count(hh, problems, edited)
    try:
        session.flush()
    except StaleDataError:
        session.rollback()
        hh = _load_for_write(session, base.id, None)
        _raise_changed(session, hh, base, edited)
    return SaveResult(True, problems, hh.version, described)


def _store_error_count(hh: Household, problems: list[Problem], data: HouseholdData | None = None) -> None:
    """Store what the per-household rules found in ``hh`` (``problems``, checked on
    ``data``, by default the household as it now is): they replace its findings of those
    rules from the last 核查 run (services.checks: the one stored result the 「有数据错误」
    filter and the lists read)."""
    from sqlalchemy.orm import object_session

    from fupin_desktop.services.checks import Finding, check_of_rule, record_household

    session = object_session(hh)
    if hh.id is None:
        session.flush()
    data = data or _snapshot(hh)

    def member(i: int | None, key: str):
        return data.members[i].get(key) if i is not None and i < len(data.members) else None

    record_household(session, hh.id, [
        Finding(check_of_rule(p.rule, p.severity), hh.id, hh.household_no, member(p.member_index, "id"),
                member(p.member_index, "person_no"), p.field, p.message, hh.region_code)
        for p in problems
    ])


def _raise_changed(session: Session, hh: Household, base: HouseholdData,
                   edited: HouseholdData) -> None:
    session.refresh(hh)
    theirs = load_household(session, hh.id)
    their = describe_changes(theirs, changed_paths(base, theirs))
    _merged, conflicts = merge_edits(base, edited, theirs)
    raise HouseholdChangedError(theirs, their, conflicts)


# =========================================================================== actions


def _check_dates(effective: dt.date, month: str, today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    month = _check_month(month)
    if effective > today:
        raise UserError(f"生效日期 {effective:%Y-%m-%d} 晚于今天，请核对。")
    if month < effective.strftime("%Y-%m"):
        raise UserError(
            f"报告月份 {month} 早于生效日期所在月份 {effective:%Y-%m}，变动只能在发生当月或以后上报。"
        )
    return month


@dataclass(frozen=True)
class NewMember:
    """A person joining a household (成员增加 / 新识别户 的户主)."""

    name: str
    id_number: str
    relation: str
    sex: str | None = None
    birth_date: dt.date | None = None
    ethnicity: str | None = None
    id_type: str | None = "01"
    education: str | None = None
    school_status: str | None = None
    health: str | None = "01"
    labour_skill: str | None = None
    phone: str | None = None
    has_resident_medical: bool | None = None
    has_employee_medical: bool | None = None
    has_critical_illness_ins: bool | None = None
    has_resident_pension: bool | None = None
    is_dibao: bool | None = None
    is_tekun: bool | None = None

    def values(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def id_facts(id_number: str) -> tuple[str, dt.date] | None:
    """(sex code, birth date) from a valid 证件号码, for filling the form as the clerk types."""
    try:
        info = validate_id(id_number)
    except IdNumberError:
        return None
    return info.sex, info.birth_date


# Codes the defaults below choose (resources/codes/*.csv).
_REASON_BIRTH = "11"
_SEX_FEMALE = "2"
_SKILL_NONE, _SKILL_NORMAL, _SKILL_WEAK = "05", "01", "03"  # labour_skill 无 / 普通 / 弱劳动力
_SCHOOL_PRESCHOOL_CHILD, _SCHOOL_PRESCHOOL = "02", "03"  # 学龄前儿童 / 学前教育
# Age on 1 September → 在校生状况 for children who are at school: 6–11 小学, 12–14
# 七至九年级, 15–17 普通高中一至三年级.
_SCHOOL_BY_AGE = {**dict.fromkeys(range(6, 12), "04"), 12: "05", 13: "06", 14: "07",
                  15: "08", 16: "09", 17: "10"}
# Who is a newborn's mother, by the baby's relation to the head: the female among these
# relations, first found.
_MOTHER_RELATIONS = {"03": ("01", "02"), "04": ("01", "02"), "07": ("05", "04"),
                     "08": ("05", "04"), "09": ("04",), "10": ("04",)}


def member_defaults(
    household: HouseholdData | None,
    *,
    reason: str | None,
    birth_date: dt.date | None,
    relation: str | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """What a clerk would fill in for a person joining ``household`` (成员增加, or the 户主 of
    a 新识别户 when ``household`` is None), so the data check finds nothing missing:

    a newborn (出生) is 健康, 无劳动力, 学龄前儿童, of the mother's 民族 (the head's when no
    mother is found) and, like the mother, on or off 低保; it is insured for basic medical
    care and serious illness, not for the pension. Others get the 文化程度 / 在校生状况 and
    劳动技能 that fit their age, the head's 民族, and resident medical and pension
    insurance (pension from 16). Every value is only a suggestion the form shows."""
    today = today or dt.date.today()
    reason = code_list("change_reason").normalize(reason) if reason else None
    members = household.present_members() if household else []
    head = next((m for m in members if m.get("relation") == RELATION_HEAD), None)
    mother = None
    if reason == _REASON_BIRTH:
        for rel in _MOTHER_RELATIONS.get(relation or "", ("02", "01")):
            mother = next((m for m in members if m.get("relation") == rel
                           and m.get("sex") == _SEX_FEMALE), None)
            if mother:
                break
    ethnicity_from = mother or head
    age = age_on(birth_date, school_year_start(today)) if birth_date else None
    values: dict[str, Any] = {
        "ethnicity": ethnicity_from.get("ethnicity") if ethnicity_from else None,
        "health": HEALTH_HEALTHY,
        "has_resident_medical": True,
        "has_employee_medical": False,
        "has_critical_illness_ins": True,
        "has_resident_pension": age is not None and age >= 16,
        "is_dibao": bool(mother and mother.get("is_dibao")),
        "is_tekun": False,
        "education": None,
        "school_status": None,
        "labour_skill": None,
    }
    if reason == _REASON_BIRTH or (age is not None and age < 3):
        values["school_status"] = _SCHOOL_PRESCHOOL_CHILD
        values["labour_skill"] = _SKILL_NONE
    elif age is not None and age < 6:
        values["school_status"] = _SCHOOL_PRESCHOOL
        values["labour_skill"] = _SKILL_NONE
    elif age is not None and age in _SCHOOL_BY_AGE:
        values["school_status"] = _SCHOOL_BY_AGE[age]
        values["labour_skill"] = _SKILL_NONE if age < 16 else _SKILL_WEAK
    elif age is not None:
        values["labour_skill"] = _SKILL_NORMAL if age < 60 else _SKILL_WEAK
    return values


def _new_member(session: Session, person: NewMember, seq: int) -> Member:
    name = normalize_text(person.name)
    if not name:
        raise UserError("新成员的姓名未填写，请按身份证（或户口簿）填写。")
    try:
        info = validate_id(person.id_number)
    except IdNumberError as exc:
        raise UserError(f"{name}：{exc}") from exc
    other = session.execute(
        select(Member.name, Household.household_no)
        .join(Household, Household.id == Member.household_id)
        .where(Member.id18 == info.id18, Member.status == MEMBER_PRESENT)
    ).first()
    if other is not None:
        raise UserError(
            f"证件号码 {mask_id(info.id18)} 已登记在户编号 {other.household_no} 的成员{other.name}名下，"
            "同一人只能在一户在册；如是迁入，请先在原户办理迁出。"
        )
    values = person.values()
    values["name"] = name
    values["id_number"] = info.normalized
    values["sex"] = person.sex or info.sex
    values["birth_date"] = person.birth_date or info.birth_date
    values["relation"] = code_list("relation").normalize(person.relation)
    if values["relation"] is None:
        raise UserError(f"{name}的与户主关系未选择。")
    return Member(seq=seq, status=MEMBER_PRESENT, **values)


def _next_seq(hh: Household) -> int:
    return max((m.seq for m in hh.members), default=0) + 1


def register_household(
    session: Session,
    *,
    region_code: str,
    head: NewMember,
    household_no: str | None = None,
    group_name: str | None = None,
    phone: str | None = None,
    household_type: str = "02",
    effective: dt.date,
    reported_month: str,
    note: str | None = None,
    address: str | None = None,
) -> Household:
    """新识别/新纳入户: a new household with its 户主. Raises ``UserError`` for a village code
    that is not a village, a 户编号 already used, or a bad head ID."""
    month = _check_dates(effective, reported_month)
    region = session.scalar(select(Region).where(Region.code == region_code))
    if region is None or region.level != LEVEL_VILLAGE:
        raise UserError("请选择新户所在的村（行政村）。")
    household_no = normalize_text(household_no) or None
    if household_no and session.scalar(
        select(Household.id).where(Household.household_no == household_no)
    ):
        raise UserError(f"户编号 {household_no} 已被使用，请核对。")
    hh = Household(
        household_no=household_no, region_code=region_code,
        group_name=normalize_text(group_name) or None, phone=normalize_text(phone) or None,
        household_type=code_list("household_type").normalize(household_type),
        address=address, identified_year=effective.year,
    )
    head = NewMember(**{**head.values(), "relation": RELATION_HEAD})
    member = _new_member(session, head, 1)
    member.joined_on = effective
    hh.members.append(member)
    session.add(hh)
    session.flush()
    _event(session, hh.id, EV_IDENTIFIED, effective=effective, month=month,
           member_id=member.id, note=note,
           details={"户主": [None, member.name], "户类型": [None, label_of("household_type", hh.household_type)]})
    _store_error_count(hh, check_household_data(_snapshot(hh)))
    session.flush()
    return hh


def add_member(
    session: Session,
    household_id: int,
    person: NewMember,
    *,
    reason: str,
    effective: dt.date,
    reported_month: str,
    note: str | None = None,
    expected_version: int | None = None,
) -> Member:
    """成员增加 (出生, 婚入, 迁入, 其他): the person joins the household's current members.
    Raises ``UserError`` for a bad or already-registered ID, a second 户主, or a reason
    that is not an increase."""
    reason = code_list("change_reason").normalize(reason) or ""
    if reason not in INCREASE_REASONS:
        raise UserError("成员增加的原因应为出生、婚入、迁入或其他增加。")
    month = _check_dates(effective, reported_month)
    hh = _load_for_write(session, household_id, expected_version)
    _require_active(hh)
    member = _new_member(session, person, _next_seq(hh))
    if member.relation == RELATION_HEAD and any(
        m.relation == RELATION_HEAD and m.status == MEMBER_PRESENT for m in hh.members
    ):
        raise UserError("本户已有户主，新成员不能也是户主；一户只能有一名户主，请修改与户主关系。")
    member.joined_on = effective
    member.joined_reason = reason
    hh.members.append(member)
    session.flush()
    _event(session, hh.id, EV_MEMBER_ADDED, effective=effective, month=month,
           member_id=member.id, reason=reason, note=note,
           details={"成员增加": [None, f"{member.name}（{label_of('relation', member.relation)}）"]})
    _store_error_count(hh, check_household_data(_snapshot(hh)))
    session.flush()
    return member


def _require_active(hh: Household) -> None:
    if hh.status != HOUSEHOLD_ACTIVE:
        raise UserError(
            f"这户已{label_of('household_status', hh.status)}，不能再办理变动。"
        )


def remove_member(
    session: Session,
    household_id: int,
    member_id: int,
    *,
    reason: str,
    effective: dt.date,
    reported_month: str,
    new_head_id: int | None = None,
    note: str | None = None,
    expected_version: int | None = None,
) -> Member:
    """成员减少 (死亡, 婚出, 迁出, 纳入财政供养, 服刑, 参军, 其他): the member stays on record
    with status 自然减少, the date and the reason, and drops out of current counts.

    Removing the 户主 while others remain needs ``new_head_id`` (that member becomes 户主).
    Raises ``UserError`` otherwise, or if the member is not a current member."""
    reason = code_list("change_reason").normalize(reason) or ""
    if reason not in DECREASE_REASONS:
        raise UserError("成员减少的原因应为死亡、婚出、迁出、纳入财政供养、服刑、参军或其他减少。")
    month = _check_dates(effective, reported_month)
    hh = _load_for_write(session, household_id, expected_version)
    _require_active(hh)
    member = next((m for m in hh.members if m.id == member_id), None)
    if member is None or member.status != MEMBER_PRESENT:
        raise UserError("所选成员不是本户在户成员，无法办理减少。")
    others = [m for m in hh.members if m.status == MEMBER_PRESENT and m.id != member_id]
    details: dict[str, Any] = {
        "成员减少": [f"{member.name}（{label_of('relation', member.relation)}）", None]
    }
    if member.relation == RELATION_HEAD and others:
        new_head = next((m for m in others if m.id == new_head_id), None)
        if new_head is None:
            raise UserError(f"{member.name}是户主，减少后请指定一名在户成员为新户主。")
        details["户主"] = [member.name, new_head.name]
    member.status = MEMBER_LEFT
    member.left_on = effective
    member.left_reason = reason
    session.flush()  # the old head leaves before the new one takes the (unique) place
    if member.relation == RELATION_HEAD and others:
        new_head.relation = RELATION_HEAD
    _event(session, hh.id, EV_MEMBER_REMOVED, effective=effective, month=month,
           member_id=member.id, reason=reason, note=note, details=details)
    session.flush()
    return member


def close_household(
    session: Session, household_id: int, *, effective: dt.date, reported_month: str,
    note: str | None = None, expected_version: int | None = None,
) -> None:
    """自然销户: the whole household is gone (everyone died or moved away). It stays on
    record with status 已销户 and leaves the counts; remaining members go with it."""
    month = _check_dates(effective, reported_month)
    hh = _load_for_write(session, household_id, expected_version)
    _require_active(hh)
    hh.status = HOUSEHOLD_CLOSED
    _event(session, hh.id, EV_CLOSED, effective=effective, month=month, note=note,
           details={"状态": ["正常", "已销户"]})
    session.flush()


def _move_members(session: Session, source: Household, target: Household,
                  member_ids: Sequence[int], relations: dict[int, str]) -> list[str]:
    moved = []
    by_id = {m.id: m for m in source.members}
    movers = [by_id[i] for i in member_ids if i in by_id and by_id[i].status == MEMBER_PRESENT]
    if len(movers) != len(set(member_ids)):
        raise UserError("所选成员中有人不是原户的在户成员，请重新选择。")
    # Leave the head's unique place free before relations change.
    for m in movers:
        if m.relation == RELATION_HEAD:
            m.relation = "99"
    session.flush()
    seq = _next_seq(target)
    relation_list = code_list("relation")
    for m in movers:
        source.members.remove(m)
        m.household = target
        m.seq = seq
        seq += 1
        moved.append(m.name)
    session.flush()
    for m in movers:
        if m.id in relations:
            m.relation = relation_list.normalize(relations[m.id]) or m.relation
    return moved


def _check_heads(hh: Household, what: str) -> None:
    present = [m for m in hh.members if m.status == MEMBER_PRESENT]
    heads = [m for m in present if m.relation == RELATION_HEAD]
    if present and len(heads) != 1:
        raise UserError(f"{what}应有且只有一名户主，请在成员关系中指定户主。")


def split_household(
    session: Session,
    household_id: int,
    member_ids: Sequence[int],
    *,
    relations: dict[int, str],
    household_no: str | None,
    effective: dt.date,
    reported_month: str,
    group_name: str | None = None,
    phone: str | None = None,
    note: str | None = None,
    expected_version: int | None = None,
) -> Household:
    """分户: the chosen members leave to form a new household in the same village. The
    member rows move (same people, same 人编号); ``relations`` gives each mover's relation
    in the new household (exactly one 户主), and may re-name relations left behind.
    Both households get a 分户 event pointing at each other."""
    month = _check_dates(effective, reported_month)
    source = _load_for_write(session, household_id, expected_version)
    _require_active(source)
    if not member_ids:
        raise UserError("请选择分出去的成员。")
    household_no = normalize_text(household_no) or None
    if household_no and session.scalar(select(Household.id).where(Household.household_no == household_no)):
        raise UserError(f"户编号 {household_no} 已被使用，请核对。")
    if [relations.get(i) for i in member_ids].count(RELATION_HEAD) != 1:
        raise UserError("分出的新户应有且只有一名户主，请指定。")
    new = Household(
        household_no=household_no, region_code=source.region_code,
        group_name=normalize_text(group_name) or source.group_name,
        natural_village=source.natural_village, address=source.address,
        phone=normalize_text(phone) or None, household_type=source.household_type,
        poverty_attribute=source.poverty_attribute, exit_year=source.exit_year,
        exit_status=source.exit_status, identified_year=source.identified_year,
    )
    session.add(new)
    session.flush()
    moved = _move_members(session, source, new, member_ids, relations)
    for m in source.members:
        if m.id in relations and m.id not in member_ids:
            m.relation = code_list("relation").normalize(relations[m.id]) or m.relation
    session.flush()
    _check_heads(new, "新户")
    _check_heads(source, "原户")
    names = "、".join(moved)
    _event(session, source.id, EV_SPLIT, effective=effective, month=month, related=new.id,
           note=note, details={"分出成员": [names, None], "新户编号": [None, household_no or ""]})
    _event(session, new.id, EV_SPLIT, effective=effective, month=month, related=source.id,
           note=note, details={"由原户分出": [source.household_no, names]})
    session.flush()
    return new


def merge_households(
    session: Session,
    target_id: int,
    source_id: int,
    *,
    relations: dict[int, str],
    effective: dt.date,
    reported_month: str,
    note: str | None = None,
    expected_version: int | None = None,
) -> None:
    """并户: every current member of ``source`` joins ``target`` (``relations`` gives their
    relation to the target's 户主); ``source`` stays on record as 已并户."""
    month = _check_dates(effective, reported_month)
    if target_id == source_id:
        raise UserError("不能与本户并户，请选择另一户。")
    target = _load_for_write(session, target_id, expected_version)
    source = _load_for_write(session, source_id, None)
    _require_active(target)
    _require_active(source)
    movers = [m.id for m in source.members if m.status == MEMBER_PRESENT]
    if not movers:
        raise UserError("被并入的户没有在户成员。")
    if any(relations.get(i) in (None, RELATION_HEAD) for i in movers):
        raise UserError("并入的成员都要选择与本户户主的关系（不能是户主）。")
    moved = _move_members(session, source, target, movers, relations)
    source.status = HOUSEHOLD_MERGED
    session.flush()
    _check_heads(target, "并户后的户")
    names = "、".join(moved)
    _event(session, target.id, EV_MERGE, effective=effective, month=month, related=source.id,
           note=note, details={"并入成员": [None, names], "并入户": [source.household_no, None]})
    _event(session, source.id, EV_MERGE, effective=effective, month=month, related=target.id,
           note=note, details={"状态": ["正常", "已并户"], "并入": [None, target.household_no]})
    session.flush()


def mark_exit(
    session: Session, household_id: int, *, exit_year: int, effective: dt.date,
    reported_month: str, note: str | None = None, expected_version: int | None = None,
) -> None:
    """标注脱贫: 户类型 脱贫户, 脱贫属性 已脱贫（享受政策）, 脱贫年度."""
    month = _check_dates(effective, reported_month)
    hh = _load_for_write(session, household_id, expected_version)
    _require_active(hh)
    if hh.household_type == TYPE_TUOPIN and hh.exit_status == EXIT_DONE:
        raise UserError("这户已标注为脱贫户。")
    if not (2014 <= exit_year <= effective.year):
        raise UserError(f"脱贫年度 {exit_year} 应在2014年到{effective.year}年之间。")
    details = {
        "户类型": [label_of("household_type", hh.household_type), "脱贫户"],
        "脱贫属性": [label_of("exit_status", hh.exit_status), label_of("exit_status", EXIT_DONE)],
        "脱贫年度": [str(hh.exit_year or ""), str(exit_year)],
    }
    hh.household_type, hh.exit_status, hh.exit_year = TYPE_TUOPIN, EXIT_DONE, exit_year
    _event(session, hh.id, EV_EXIT, effective=effective, month=month, note=note, details=details)
    session.flush()


def mark_return(
    session: Session, household_id: int, *, return_cause: str, effective: dt.date,
    reported_month: str, note: str | None = None, expected_version: int | None = None,
) -> None:
    """返贫: 脱贫属性 返贫 with the 返贫原因 (a poverty_cause code)."""
    month = _check_dates(effective, reported_month)
    hh = _load_for_write(session, household_id, expected_version)
    _require_active(hh)
    cause = code_list("poverty_cause").normalize(return_cause)
    if cause is None:
        raise UserError("请选择返贫原因。")
    details = {
        "脱贫属性": [label_of("exit_status", hh.exit_status), label_of("exit_status", EXIT_RETURNED)],
        "返贫原因": [label_of("poverty_cause", hh.return_cause), label_of("poverty_cause", cause)],
    }
    hh.exit_status, hh.return_cause = EXIT_RETURNED, cause
    _event(session, hh.id, EV_RETURN, effective=effective, month=month, reason=None,
           note=note, details=details)
    session.flush()


def start_monitoring(
    session: Session, household_id: int, *, category: str, risks: Sequence[str],
    identified_ym: str, effective: dt.date, reported_month: str,
    contact: str | None = None, contact_phone: str | None = None,
    channel: str | None = None, note: str | None = None,
    expected_version: int | None = None,
) -> MonitoringCase:
    """纳入监测 (DOMAIN §11.4), after 县级审定: a monitoring case 监测帮扶中 with 1–5 risks;
    the household's 监测对象类别 is set. 脱贫不稳定户 must be a 脱贫户 and 边缘易致贫户 a
    一般农户. Raises ``UserError`` when a case is already open."""
    month = _check_dates(effective, reported_month)
    ym = _check_month(identified_ym)
    hh = _load_for_write(session, household_id, expected_version)
    _require_active(hh)
    ensure_month_open(session, ym, hh.region_code)
    category = code_list("monitoring_category").normalize(category) or ""
    if not category:
        raise UserError("请选择监测对象类别。")
    risk_codes = [code_list("risk_type").normalize(r) for r in risks]
    risk_codes = list(dict.fromkeys(r for r in risk_codes if r))
    if not 1 <= len(risk_codes) <= 5:
        raise UserError("请选择1至5项致贫/返贫风险。")
    if session.scalar(select(MonitoringCase.id).where(
        MonitoringCase.household_id == hh.id, MonitoringCase.state != MONITORING_ELIMINATED
    )):
        raise UserError("这户已有未消除风险的监测记录，不能重复纳入监测；如有新风险，请在现有记录中补充。")
    problems = validate_household(
        SimpleNamespace(household_type=hh.household_type, monitoring_category=category,
                        region_code=hh.region_code, phone=hh.phone),
        [], ref_date=effective,
    )
    for p in problems:
        if p.rule == "household.monitoring_vs_type":
            raise UserError(p.message)
    case = MonitoringCase(
        household_id=hh.id, category=category, state=MONITORING_ACTIVE, identified_ym=ym,
        discovery_channel=channel, monitor_contact=contact, monitor_phone=contact_phone,
        risk_note=note,
        **{f"risk_{i + 1}": code for i, code in enumerate(risk_codes)},
    )
    session.add(case)
    details = {
        "监测对象类别": [label_of("monitoring_category", hh.monitoring_category),
                       label_of("monitoring_category", category)],
        "风险": [None, "、".join(label_of("risk_type", r) for r in risk_codes)],
    }
    hh.monitoring_category = category
    _event(session, hh.id, EV_MONITORING, effective=effective, month=month, note=note,
           details=details)
    session.flush()
    return case


def elimination_warnings(
    session: Session, household_id: int, *, mode: str, eliminated_on: dt.date,
    dev_measures_status: str | None, per_capita_threshold: Decimal | None = None,
) -> list[str]:
    """What the county checks would flag about a 风险消除 (DOMAIN §7.2), to show before it is
    recorded: 帮扶消除 without 开发式帮扶措施 已实施, elimination in the month of
    identification or the next, 帮扶消除 with 人均纯收入 below the 监测范围."""
    out = []
    case = _open_case(session, household_id)
    if mode == ELIMINATION_BY_HELP and (dev_measures_status or "") != DEV_MEASURES_DONE:
        out.append("帮扶消除要求“实施开发式帮扶措施情况”为“已实施”。")
    y, m = map(int, case.identified_ym.split("-"))
    next_month = f"{y + (m == 12)}-{(m % 12) + 1:02d}"
    if eliminated_on.strftime("%Y-%m") in (case.identified_ym, next_month):
        out.append(f"识别监测月份为 {case.identified_ym}，在当月或次月即消除风险，县级会重点核查。")
    threshold = per_capita_threshold or case.per_capita_threshold
    if mode == ELIMINATION_BY_HELP and threshold:
        latest = session.scalar(
            select(HouseholdYear.per_capita_net_income)
            .where(HouseholdYear.household_id == household_id)
            .order_by(HouseholdYear.year.desc()).limit(1)
        )
        if latest is not None and latest < threshold:
            out.append(f"最近一年人均纯收入 {latest:.2f} 元低于监测范围 {threshold:.2f} 元。")
    return out


def _open_case(session: Session, household_id: int) -> MonitoringCase:
    case = session.scalar(
        select(MonitoringCase).where(
            MonitoringCase.household_id == household_id,
            MonitoringCase.state != MONITORING_ELIMINATED,
        ).order_by(MonitoringCase.identified_ym.desc())
    )
    if case is None:
        raise UserError("这户没有未消除风险的监测记录。")
    return case


def eliminate_risk(
    session: Session, household_id: int, *, mode: str, eliminated_on: dt.date,
    reported_month: str, dev_measures_status: str | None = None, note: str | None = None,
    expected_version: int | None = None,
) -> MonitoringCase:
    """风险消除 (帮扶消除 or 自然消除, DOMAIN §11.4): the open case becomes 风险已消除 with
    the mode and month; the household stays a 监测对象 of its category (counted under
    "其中风险已消除")."""
    month = _check_dates(eliminated_on, reported_month)
    hh = _load_for_write(session, household_id, expected_version)
    _require_active(hh)
    mode_code = code_list("elimination_mode").normalize(mode)
    if mode_code is None:
        raise UserError("请选择风险消除方式：帮扶消除或自然消除。")
    case = _open_case(session, household_id)
    ensure_month_open(session, eliminated_on.strftime("%Y-%m"), hh.region_code)
    if eliminated_on.strftime("%Y-%m") < case.identified_ym:
        raise UserError(f"消除日期早于识别监测月份 {case.identified_ym}，请核对。")
    case.state = MONITORING_ELIMINATED
    case.risk_eliminated = True
    case.elimination_mode = mode_code
    case.eliminated_on = eliminated_on
    case.eliminated_ym = eliminated_on.strftime("%Y-%m")
    if dev_measures_status:
        case.dev_measures_status = dev_measures_status
    hh.updated_at = dt.datetime.now()  # the household's version moves with its case
    _event(session, hh.id, EV_ELIMINATED, effective=eliminated_on, month=month, note=note,
           details={"风险消除": [None, label_of("elimination_mode", mode_code)]})
    session.flush()
    return case


# =========================================================================== 帮扶措施


MEASURE_ONGOING = "实施中"
MEASURE_ENDED = "已结束"
MAX_MEASURE_AMOUNT = Decimal("100000000")  # 1 亿元: more is a typing slip


def measure_values(m: AssistanceMeasure) -> dict[str, Any]:
    """A measure as the window shows and edits it (plain values, display texts)."""
    values = {s.name: getattr(m, s.name) for s in MEASURE_FIELDS}
    values.update({
        "id": m.id,
        "monitoring_case_id": m.monitoring_case_id,
        "category_label": label_of("measure_category", m.category),
        "status": MEASURE_ENDED if m.end_date else MEASURE_ONGOING,
        "start_text": m.start_date.isoformat() if m.start_date else "",
        "end_text": m.end_date.isoformat() if m.end_date else "",
        "amount_text": f"{m.amount:,.2f}" if m.amount is not None else "",
    })
    return values


def check_measure(
    values: dict[str, Any], *, identified_ym: str | None = None, today: dt.date | None = None,
) -> tuple[dict[str, Any], list[Problem]]:
    """Clean and check a 帮扶措施 as typed: the values in column types, and the problems
    beside each field in Chinese. Errors (severity "error") block saving; a warning (start
    before the case was identified) does not. ``identified_ym`` is the case's 识别监测月份."""
    today = today or dt.date.today()
    clean: dict[str, Any] = {}
    problems: list[Problem] = []

    def problem(name: str, message: str, severity: Literal["error", "warning"] = "error") -> None:
        if not any(p.field == name for p in problems):
            problems.append(Problem(name, spec_of("measure", name).label, message, severity,
                                    rule=f"measure.{name}"))

    for spec in MEASURE_FIELDS:
        try:
            clean[spec.name] = _clean_value(spec, values.get(spec.name), "")
        except (UserError, CodeError) as err:
            clean[spec.name] = None
            # Shown beside its field: the field's name goes without saying.
            problem(spec.name, str(err).removeprefix(f"“{spec.label}”："))
    if clean["category"] is None:
        problem("category", "请选择措施类别。")
    if not clean["content"]:
        problem("content", "请填写措施内容，如“发放产业奖补资金”。")
    start, end, amount = clean["start_date"], clean["end_date"], clean["amount"]
    if start is None:
        problem("start_date", "请填写开始日期（年-月-日）。")
    elif start > today:
        problem("start_date", f"开始日期 {start:%Y-%m-%d} 晚于今天，请核对。")
    elif identified_ym and start.strftime("%Y-%m") < identified_ym:
        problem("start_date", f"开始日期早于识别监测月份 {identified_ym}，请核对是否为本次监测的措施。",
                "warning")
    if end is not None:
        if end > today:
            problem("end_date", f"结束日期 {end:%Y-%m-%d} 晚于今天；措施结束后再填写。")
        elif start is not None and end < start:
            problem("end_date", f"结束日期 {end:%Y-%m-%d} 早于开始日期 {start:%Y-%m-%d}，请核对。")
    if amount is not None and amount < 0:
        problem("amount", "金额不能为负数。")
    elif amount is not None and amount >= MAX_MEASURE_AMOUNT:
        problem("amount", f"金额 {amount:,.2f} 元过大，请核对（单位：元）。")
    # 年度 defaults to the start date's year (no problem of its own while that is missing).
    year = clean["year"]
    if year is None and start is not None and not any(p.field == "year" for p in problems):
        clean["year"] = year = start.year
    if year is not None and not 2014 <= year <= today.year:
        problem("year", f"年度应在2014年到{today.year}年之间。")
    elif year is not None and start is not None and not start.year <= year <= (end or today).year:
        problem("year", f"年度 {year} 不在措施实施期间（{start.year}年起），请核对。")
    return clean, problems


def _measure_errors(problems: list[Problem]) -> None:
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise UserError("；".join(f"{p.label}：{p.message}" for p in errors))


def _case_of(session: Session, household_id: int, case_id: int | None) -> MonitoringCase | None:
    if case_id is None:
        return None
    case = session.get(MonitoringCase, case_id)
    if case is None or case.household_id != household_id:
        raise UserError("所选监测记录已不存在，请关闭后重新打开这户。")
    return case


def _load_measure(session: Session, measure_id: int,
                  expected: dict[str, Any] | None) -> AssistanceMeasure:
    measure = session.get(AssistanceMeasure, measure_id)
    if measure is None:
        raise UserError("这条帮扶措施已被删除（可能是其他人删的），请重新打开这户。")
    if expected is not None and any(
        _norm(getattr(measure, s.name)) != _norm(expected.get(s.name)) for s in MEASURE_FIELDS
    ):
        raise ConcurrentEditError(
            "这条帮扶措施在您打开之后已被其他人修改。已重新读取，请看过对方的修改后再改。"
        )
    return measure


def add_measure(
    session: Session, household_id: int, values: dict[str, Any], *,
    case_id: int | None = None, today: dt.date | None = None,
) -> AssistanceMeasure:
    """Record a 帮扶措施 for the household, for its monitoring case ``case_id`` (or none).
    Raises ``UserError`` naming the field for bad input, or when the household is no longer
    on the register."""
    hh = session.get(Household, household_id)
    if hh is None:
        raise UserError("这户已不存在（可能已被其他人删除），请刷新列表。")
    if hh.status != HOUSEHOLD_ACTIVE:
        raise UserError(f"这户已{label_of('household_status', hh.status)}，不能再添加帮扶措施。")
    case = _case_of(session, household_id, case_id)
    clean, problems = check_measure(values, identified_ym=case.identified_ym if case else None,
                                    today=today)
    _measure_errors(problems)
    measure = AssistanceMeasure(household_id=household_id, monitoring_case_id=case_id, **clean)
    session.add(measure)
    session.flush()
    return measure


def update_measure(
    session: Session, measure_id: int, values: dict[str, Any], *,
    expected: dict[str, Any] | None = None, today: dt.date | None = None,
) -> AssistanceMeasure:
    """Change a 帮扶措施 (any of :data:`MEASURE_FIELDS`). ``expected`` is the measure as the
    clerk opened it: if someone changed it since, ``ConcurrentEditError`` (nothing written)."""
    measure = _load_measure(session, measure_id, expected)
    case = measure.monitoring_case
    merged = {s.name: getattr(measure, s.name) for s in MEASURE_FIELDS}
    merged.update({k: v for k, v in values.items() if k in merged})
    clean, problems = check_measure(merged, identified_ym=case.identified_ym if case else None,
                                    today=today)
    _measure_errors(problems)
    for name, value in clean.items():
        if _norm(getattr(measure, name)) != _norm(value):
            setattr(measure, name, value)
    session.flush()
    return measure


def end_measure(
    session: Session, measure_id: int, end_date: dt.date, *,
    expected: dict[str, Any] | None = None, today: dt.date | None = None,
) -> AssistanceMeasure:
    """结束措施: the measure stops on ``end_date`` (kept on record, shown as 已结束)."""
    measure = _load_measure(session, measure_id, expected)
    if measure.end_date is not None:
        raise UserError(f"这条措施已于 {measure.end_date:%Y-%m-%d} 结束。如结束日期有误，请用“修改”更正。")
    return update_measure(session, measure_id, {"end_date": end_date}, today=today)


def delete_measure(session: Session, measure_id: int, *,
                   expected: dict[str, Any] | None = None) -> None:
    """Remove a measure entered by mistake (the audit log keeps what it was)."""
    session.delete(_load_measure(session, measure_id, expected))
    session.flush()
