"""Household and member checks shared by the household editor, the importer and the
data-quality report (DOMAIN §1.1–1.6, §4.3, §4.4 rules 1–7, §5).

Objects are read with ``getattr(obj, name, None)``, so ORM rows, dataclasses and
``SimpleNamespace`` objects all work. Coded fields hold code strings of the lists in
:mod:`fupin_desktop.codes`; yes/no fields hold ``bool`` or ``None``.

Severity: ``error`` means the record is wrong or incomplete (the importer reports it, the
editor asks for a fix); ``warning`` means it is probably right but worth a look, or it
describes a real-life gap (an uninsured member) rather than bad data. ``identity`` problems
(bad ID number, duplicate ID, no 户主, two 户主) break who-is-who and must block saving
even in the editor.

Fields the record's source never had (``absent``: a column the imported file lacks) are
not checked as blanks: every rule that fires only because such a field is blank is turned
into one ``pending.<field>`` warning per household, 「待补充」 (see :data:`BLANK_RULE_FIELDS`).
A blank field that the source did have is checked as usual.

Members whose ``status`` is not 在户 (e.g. 自然减少) are only checked for identity and
code validity; the insurance, schooling and work rules apply to people still in the
household.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import SimpleNamespace
from datetime import date, datetime
from typing import Literal

from fupin_desktop.codes import code_list, era_for_year, label_of
from fupin_desktop.rules.idnumber import IdInfo, IdNumberError, normalize_id, validate_id
from fupin_desktop.rules.income import (  # re-exported: one module for callers
    IncomeError,
    IncomeTotals,
    income_totals,
    per_capita_net_income,
)
from fupin_desktop.rules.text import normalize_text

__all__ = [
    "FIELD_LABELS",
    "GUARANTEE_LABELS",
    "HOUSEHOLD_FIELD_LABELS",
    "GuaranteeSuggestion",
    "IncomeError",
    "IncomeTotals",
    "MEMBER_FIELDS",
    "BLANK_RULE_FIELDS",
    "PENDING_RULE",
    "Problem",
    "age_on",
    "income_totals",
    "is_compulsory_school_age",
    "per_capita_net_income",
    "school_year_start",
    "suggest_guarantees",
    "validate_household",
    "validate_household_values",
    "validate_member",
]

Severity = Literal["error", "warning"]

# Codes the rules depend on (tests pin them to their labels).
RELATION_HEAD = "01"  # 户主
RELATION_SPOUSE = "02"  # 配偶
HEALTH_HEALTHY = "01"  # 健康
HEALTH_DISABLED = "04"  # 残疾
REASON_ILLNESS = "01"  # 未上学原因 因病
REASON_DISABILITY = "02"  # 未上学原因 因残
SCHOOL_NOT_IN_SCHOOL = "01"  # 在校生状况 非在校生 (2014 list)
STATUS_PRESENT = "01"  # 在户
HOUSEHOLD_TUOPIN = "01"  # 脱贫户
HOUSEHOLD_ORDINARY = "02"  # 一般农户
HOUSEHOLD_POOR = "03"  # 未脱贫户
MONITOR_UNSTABLE = "01"  # 脱贫不稳定户
MONITOR_EDGE = "02"  # 边缘易致贫户
ID_TYPE_DISABILITY = "02"  # 残疾人证

FIELD_LABELS: dict[str, str] = {
    # Member
    "person_no": "人口编号",
    "name": "姓名",
    "id_type": "证件类型",
    "id_number": "证件号码",
    "sex": "性别",
    "birth_date": "出生日期",
    "ethnicity": "民族",
    "relation": "与户主关系",
    "political_status": "政治面貌",
    "education": "文化程度",
    "school_status": "在校生状况",
    "out_of_school_reason": "义务教育阶段未上学原因",
    "health": "健康状况",
    "disability_type": "残疾类别",
    "disability_grade": "残疾等级",
    "labour_skill": "劳动技能",
    "work_status": "务工状况",
    "work_place": "务工所在地",
    "employer": "务工企业名称",
    "work_months": "务工时间（月）",
    "works_abroad": "是否国外务工",
    "public_welfare_job": "公益性岗位",
    "public_welfare_months": "公益性岗位（月数）",
    "has_resident_medical": "是否参加城乡居民基本医疗保险",
    "has_employee_medical": "是否参加城镇职工基本医疗保险",
    "has_critical_illness_ins": "是否参加大病保险",
    "has_commercial_supplement": "是否参加商业补充医疗保险",
    "has_resident_pension": "是否参加城乡居民基本养老保险",
    "has_employee_pension": "是否参加城镇职工基本养老保险",
    "is_dibao": "是否享受农村居民最低生活保障",
    "is_tekun": "是否特困供养人员",
    "phone": "联系电话",
    "status": "在户状态",
    # Household
    "household_no": "户编号",
    "region_code": "行政区划代码",
    "household_type": "户类型",
    "monitoring_category": "监测对象类别",
    "main_cause": "主要致贫原因",
    "bank_account": "银行账号",
    "exit_year": "脱贫年度",
    "identified_year": "识别年度",
    "is_dangerous_house": "是否危房户",
    "safe_drinking_water": "是否解决安全饮用水",
}
"""Attribute name → Chinese field label, shared by the UI, the importer and reports."""

HOUSEHOLD_FIELD_LABELS: dict[str, str] = {**FIELD_LABELS, "phone": "户联系电话"}
"""Same, with the household meaning of ``phone``."""

# Member attribute → code list name.
_MEMBER_CODED = {
    "id_type": "id_type",
    "sex": "sex",
    "ethnicity": "ethnicity",
    "relation": "relation",
    "political_status": "political_status",
    "education": "education",
    "school_status": "school_status",
    "out_of_school_reason": "out_of_school_reason",
    "health": "health",
    "disability_type": "disability_type",
    "disability_grade": "disability_grade",
    "labour_skill": "labour_skill",
    "work_status": "work_status",
    "status": "member_status",
}
_HOUSEHOLD_CODED = {
    "household_type": "household_type",
    "monitoring_category": "monitoring_category",
    "main_cause": "poverty_cause",
}
# Rule 7: yes/no fields that must not be blank (required in DOMAIN §4).
_REQUIRED_BOOLS = (
    "has_resident_medical",
    "has_employee_medical",
    "has_critical_illness_ins",
    "has_resident_pension",
    "is_dibao",
    "is_tekun",
)

_MOBILE = re.compile(r"1\d{10}")
_REGION_CODE = re.compile(r"\d{12}")
_BANK_ACCOUNT = re.compile(r"\d{16,19}")
_LANDLINE = re.compile(r"(0\d{2,3}-?)?[2-9]\d{6,7}(-\d{1,6})?")


# Rules that fire because a field is blank → the fields whose blankness they report. When
# one of them is absent from the record's source (and blank), the finding becomes 待补充.
BLANK_RULE_FIELDS: dict[str, tuple[str, ...]] = {
    "member.name_required": ("name",),
    "member.id_required": ("id_number",),
    "member.sex_required": ("sex",),
    "member.birth_required": ("birth_date",),
    "member.ethnicity_required": ("ethnicity",),
    "member.relation_required": ("relation",),
    "member.health_required": ("health",),
    "member.labour_skill_required": ("labour_skill",),
    "member.disability_type_missing": ("disability_type",),
    "member.work_place_without_months": ("work_months",),
    "member.work_months_without_place": ("work_place",),
    **{f"member.{attr}_blank": (attr,) for attr in _REQUIRED_BOOLS},
    "member.school_age_blank": ("school_status", "out_of_school_reason"),
    "member.school_age_no_reason": ("out_of_school_reason",),
    "member.education_xor_school": ("education", "school_status"),
    "household.region_required": ("region_code",),
    "household.phone_required": ("phone",),
    "household.type_required": ("household_type",),
    "household.main_cause_required": ("main_cause",),
    "household.exit_year_missing": ("exit_year",),
}
PENDING_RULE = "pending."
"""Rule-id prefix of the 待补充 findings (``pending.<field>``)."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding. ``message`` is Chinese and says what is wrong and what to do."""

    field: str
    label: str
    message: str
    severity: Severity = "error"
    identity: bool = False
    member_index: int | None = None
    rule: str = ""  # stable id such as "member.work_place_without_months", for filters/tests


def _get(obj: object, name: str):
    value = getattr(obj, name, None)
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


# Every member attribute _validate_member reads: the member part of FIELD_LABELS (up to
# ``status``).
MEMBER_FIELDS = tuple(list(FIELD_LABELS)[: list(FIELD_LABELS).index("status") + 1])
_MEMBER_FIELDS = MEMBER_FIELDS


def _member_values(member: object) -> dict[str, object]:
    """All member attributes the rules read, each as :func:`_get` gives it, read once."""
    return _read_values(member, _MEMBER_FIELDS)


# Household attributes validate_household_values reads.
_HOUSEHOLD_READ = ("household_type", "monitoring_category", "main_cause", "region_code", "phone",
                   "bank_account", "exit_year", "identified_year")


def _read_values(obj: object, names: tuple[str, ...]) -> dict[str, object]:
    """``names`` of ``obj``, each as :func:`_get` gives it (stripped, blank as ``None``).
    Mappings (the importer passes plain dicts) are read by key, ``SimpleNamespace`` objects
    from their ``__dict__``, anything else with ``getattr``."""
    if isinstance(obj, dict):
        raw = map(obj.get, names)
    elif type(obj) is SimpleNamespace:
        raw = map(obj.__dict__.get, names)
    else:
        raw = (getattr(obj, name, None) for name in names)
    out = dict(zip(names, raw))
    for name, value in out.items():
        if type(value) is str or isinstance(value, str):
            out[name] = value.strip() or None
    return out


@lru_cache(maxsize=None)
def _code_sets(list_name: str, era: str) -> tuple[frozenset[str], frozenset[str]]:
    """(codes of both eras, codes of ``era``) of a list: the fast path of check_code_value."""
    return frozenset(code_list(list_name).codes()), frozenset(code_list(list_name, era).codes())


_CODED_ATTRS = tuple(_MEMBER_CODED)


@lru_cache(maxsize=None)
def _member_codes_ok(era: str) -> frozenset[tuple[str, object]]:
    """Every ``(attribute, value)`` that passes the code checks of ``era`` (blank included):
    a member whose coded values are all in it (one set lookup per attribute, no call)
    needs no per-attribute check."""
    ok: set[tuple[str, object]] = {(attr, None) for attr in _MEMBER_CODED}
    for attr, name in _MEMBER_CODED.items():
        union, current = _code_sets(name, era)
        ok.update((attr, code) for code in union & current)
    return frozenset(ok)


def _as_date(value: object) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(normalize_text(value)[:10])
    except ValueError:
        return None


def age_on(birth: date, on: date) -> int:
    """Full years of age on ``on``."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def school_year_start(ref_date: date) -> date:
    """1 September of the school year ``ref_date`` falls in."""
    start = date(ref_date.year, 9, 1)
    return start if ref_date >= start else date(ref_date.year - 1, 9, 1)


def is_compulsory_school_age(birth: date, ref_date: date) -> bool:
    """义务教育适龄: aged 6–16 on 1 September of the school year of ``ref_date`` (§1.6)."""
    return _compulsory_age(age_on(birth, school_year_start(ref_date)))


def _compulsory_age(age: int) -> bool:
    """Whether an age on 1 September is of compulsory schooling (6–16)."""
    return 6 <= age <= 16


def _who(member: object, index: int | None = None) -> str:
    name = _get(member, "name")
    if name:
        return str(name)
    return f"第{index + 1}名成员" if index is not None else "该成员"


def _is_present(member: object) -> bool:
    status = _get(member, "status")
    return status is None or status == STATUS_PRESENT


def _who_of(values: dict[str, object], index: int | None = None) -> str:
    """:func:`_who` for a member already read with :func:`_member_values`."""
    name = values.get("name")
    if name:
        return str(name)
    return f"第{index + 1}名成员" if index is not None else "该成员"


def _id_info(member: object) -> IdInfo | None:
    try:
        return validate_id(_get(member, "id_number"))
    except IdNumberError:
        return None


def _birth_of(member: object) -> date | None:
    birth = _as_date(_get(member, "birth_date"))
    if birth is not None:
        return birth
    info = _id_info(member)
    return info.birth_date if info else None


class _Collector:
    """Findings of one record. With ``absent`` fields, a blank-field finding (see
    BLANK_RULE_FIELDS) about one of them that ``value_of`` reads as blank goes into
    ``pending`` (field → who) instead."""

    __slots__ = ("items", "labels", "member_index", "absent", "value_of", "pending", "who")

    def __init__(self, labels: dict[str, str], member_index: int | None = None, *,
                 absent: frozenset[str] = frozenset(), value_of=None,
                 pending: dict[str, list[str]] | None = None, who: str = "") -> None:
        self.items: list[Problem] = []
        self.labels = labels
        self.member_index = member_index
        self.absent = absent
        self.value_of = value_of
        self.pending = pending
        self.who = who

    def add(
        self,
        field_name: str,
        message: str,
        rule: str,
        severity: Severity = "error",
        identity: bool = False,
    ) -> None:
        if self.absent:
            missing = [f for f in BLANK_RULE_FIELDS.get(rule, ())
                       if f in self.absent and self.value_of(f) is None]
            if missing:
                if self.pending is not None:
                    for f in missing:
                        names = self.pending.setdefault(f, [])
                        if self.who not in names:
                            names.append(self.who)
                return
        self.items.append(
            Problem(
                field=field_name,
                label=self.labels.get(field_name, field_name),
                message=message,
                severity=severity,
                identity=identity,
                member_index=self.member_index,
                rule=rule,
            )
        )

    def check_code_value(self, attr: str, value: object, list_name: str, era: str) -> None:
        """Error when the code (read, stripped, blank as ``None``) is in no list; warning
        when it belongs to the other era."""
        if value is None:
            return
        value = value if type(value) is str else str(value)
        union_codes, era_codes = _code_sets(list_name, era)
        if value in union_codes and value in era_codes:
            return
        label = self.labels.get(attr, attr)
        union = code_list(list_name)
        if value not in union:
            self.add(
                attr,
                f"{label}代码“{value}”不在代码表中，请重新选择。{union.allowed_text()}",
                f"code.{attr}.invalid",
            )
        elif value not in code_list(list_name, era):
            period = "2014–2020年" if era == "2021" else "2021年以后"
            self.add(
                attr,
                f"{label}“{union.label(value)}”是{period}口径的选项，请按当年代码表重新选择。",
                f"code.{attr}.other_era",
                severity="warning",
            )


def validate_member(
    member: object,
    *,
    household_type: str | None = None,
    ref_date: date,
) -> list[Problem]:
    """Check one member as of ``ref_date`` (the survey/record date).

    ``household_type`` is the household's 户类型 code (rule 5 applies to 脱贫户 members).
    Returns problems with ``member_index=None``; :func:`validate_household` fills it in.
    """
    return _validate_member(member, household_type=household_type, ref_date=ref_date, index=None)


def _validate_member(
    member: object,
    *,
    household_type: str | None,
    ref_date: date,
    index: int | None,
    values: dict[str, object] | None = None,
    today: date | None = None,
    id_check: tuple[IdInfo | None, str | None] | None = None,
    era: str | None = None,
    school_start: date | None = None,
    absent: frozenset[str] = frozenset(),
    pending: dict[str, list[str]] | None = None,
    codes_known: frozenset[tuple[str, object]] | None = None,
) -> list[Problem]:
    era = era or era_for_year(ref_date.year)
    v = values if values is not None else _member_values(member)
    name = v.get("name")
    who = str(name) if name else (f"第{index + 1}名成员" if index is not None else "该成员")
    out = _Collector(FIELD_LABELS, index, absent=absent, value_of=v.get, pending=pending, who=who)

    if not v.get("name"):
        out.add("name", "姓名未填写，请按身份证（或户口簿）填写姓名。", "member.name_required")

    try:
        codes_ok = all(map((codes_known or _member_codes_ok(era)).__contains__,
                           zip(_CODED_ATTRS, map(v.get, _CODED_ATTRS))))
    except TypeError:  # an unhashable value: the loop below says what is wrong
        codes_ok = False
    for attr, list_name in () if codes_ok else _MEMBER_CODED.items():
        out.check_code_value(attr, v.get(attr), list_name, era)

    # --- identity (rule 1) -------------------------------------------------------------
    info: IdInfo | None = None
    raw_id = v.get("id_number")
    if raw_id is None:
        out.add(
            "id_number",
            f"{who}的证件号码未填写，请填写18位居民身份证号码或20位残疾人证号。",
            "member.id_required",
        )
    else:
        info, id_problem = id_check if id_check is not None else _check_id(raw_id, today)
        if id_problem is not None:
            out.add("id_number", f"{who}：{id_problem}", "member.id_invalid", identity=True)

    id_type = v.get("id_type")
    if info is not None:
        if info.is_disability_cert and id_type is not None and id_type != ID_TYPE_DISABILITY:
            out.add(
                "id_type",
                f"{who}的证件号码是20位残疾人证号，证件类型应选“残疾人证”。",
                "member.id_type_mismatch",
                severity="warning",
            )
        if not info.is_disability_cert and id_type == ID_TYPE_DISABILITY:
            out.add(
                "id_type",
                f"{who}的证件类型为残疾人证，但证件号码只有18位；请填写20位残疾人证号，或把证件类型改为居民身份证。",
                "member.id_type_mismatch",
                severity="warning",
            )
        if info.is_disability_cert:
            for attr, derived in (
                ("disability_type", info.disability_type),
                ("disability_grade", info.disability_grade),
            ):
                recorded = v.get(attr)
                if recorded is not None and str(recorded) != derived:
                    list_name = _MEMBER_CODED[attr]
                    out.add(
                        attr,
                        f"{who}的{FIELD_LABELS[attr]}为“{label_of(list_name, str(recorded))}”，"
                        f"但残疾人证号显示为“{label_of(list_name, derived)}”，请核对。",
                        f"member.{attr}_id_mismatch",
                    )

    sex = v.get("sex")
    if sex is None:
        hint = f"（按证件号码应为{label_of('sex', info.sex)}）" if info else ""
        out.add("sex", f"{who}的性别未填写{hint}。", "member.sex_required")
    elif info is not None and sex in ("1", "2") and sex != info.sex:
        out.add(
            "sex",
            f"{who}的性别填写为{label_of('sex', sex)}，但证件号码第17位表示{label_of('sex', info.sex)}，"
            "请核对性别或证件号码。",
            "member.sex_id_mismatch",
        )

    birth = _as_date(v.get("birth_date"))
    if birth is None:
        hint = f"（按证件号码应为{info.birth_date:%Y-%m-%d}）" if info else ""
        out.add("birth_date", f"{who}的出生日期未填写{hint}。", "member.birth_required")
    elif info is not None and birth != info.birth_date:
        out.add(
            "birth_date",
            f"{who}的出生日期填写为{birth:%Y-%m-%d}，但证件号码显示为{info.birth_date:%Y-%m-%d}，"
            "请核对出生日期或证件号码。",
            "member.birth_id_mismatch",
        )
    if birth is None and info is not None:
        birth = info.birth_date

    # --- required coded fields (rules 2, 3) --------------------------------------------
    if v.get("ethnicity") is None:
        out.add("ethnicity", f"{who}的民族未填写。", "member.ethnicity_required")
    if v.get("relation") is None:
        out.add("relation", f"{who}的与户主关系未填写。", "member.relation_required")
    health = v.get("health")
    if health is None:
        out.add("health", f"{who}的健康状况未填写。", "member.health_required")
    if v.get("labour_skill") is None:
        out.add("labour_skill", f"{who}的劳动技能未填写。", "member.labour_skill_required")
    if health == HEALTH_DISABLED and v.get("disability_type") is None:
        out.add(
            "disability_type",
            f"{who}的健康状况为残疾，请填写残疾类别。",
            "member.disability_type_missing",
            severity="warning",
        )

    # --- numbers -----------------------------------------------------------------------
    for attr in ("work_months", "public_welfare_months"):
        months = v.get(attr)
        if months is not None and not (isinstance(months, int) and 0 <= months <= 12):
            out.add(
                attr,
                f"{who}的{FIELD_LABELS[attr]}为“{months}”，应为0–12的整数。",
                f"member.{attr}_range",
            )

    phone = v.get("phone")
    if phone is not None:
        digits = normalize_text(phone).replace(" ", "").replace("-", "")
        if not (_MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(normalize_text(phone))):
            out.add(
                "phone",
                f"{who}的联系电话“{phone}”不像有效号码，手机号应为11位数字。",
                "member.phone_format",
                severity="warning",
            )

    if not (v.get("status") is None or v.get("status") == STATUS_PRESENT):
        return out.items

    # --- rule 4: 务工所在地 ⇔ 务工时间 > 0 ----------------------------------------------
    place = v.get("work_place")
    months = v.get("work_months")
    months_positive = isinstance(months, int) and months > 0
    if place is not None and not months_positive:
        out.add(
            "work_months",
            f"{who}填写了务工所在地“{place}”，但务工时间（月）为空或为0，请填写务工月数。",
            "member.work_place_without_months",
        )
    if place is None and months_positive:
        out.add(
            "work_place",
            f"{who}的务工时间为{months}个月，但务工所在地未填写，请补填。",
            "member.work_months_without_place",
        )

    # --- rule 7: yes/no fields not blank ----------------------------------------------
    for attr in _REQUIRED_BOOLS if None in map(v.get, _REQUIRED_BOOLS) else ():
        if v.get(attr) is None:
            out.add(attr, f"{who}的“{FIELD_LABELS[attr]}”未填写，请选择“是”或“否”。", f"member.{attr}_blank")

    # --- rule 5: 脱贫户 insurance --------------------------------------------------------
    resident, employee = v.get("has_resident_medical"), v.get("has_employee_medical")
    if resident is True and employee is True:
        out.add(
            "has_employee_medical",
            f"{who}同时参加了城乡居民基本医疗保险和城镇职工基本医疗保险，二者只能参加一种，请核对。",
            "member.medical_both",
        )
    if household_type == HOUSEHOLD_TUOPIN:
        if resident is False and employee is False:
            out.add(
                "has_resident_medical",
                f"{who}未参加基本医疗保险（城乡居民医保和职工医保均为“否”），属于基本医疗保障问题，请核实并落实参保。",
                "member.medical_none",
                severity="warning",
            )
        if v.get("has_critical_illness_ins") is False:
            out.add(
                "has_critical_illness_ins",
                f"{who}是脱贫户成员，但未参加大病保险，请核实。",
                "member.critical_illness_missing",
                severity="warning",
            )

    if v.get("is_dibao") is True and v.get("is_tekun") is True:
        out.add(
            "is_tekun",
            f"{who}同时标为低保和特困供养人员，二者一般不能同时享受，请核对。",
            "member.dibao_and_tekun",
            severity="warning",
        )

    # --- rule 6 / §1.6: compulsory-school age -----------------------------------------
    education = v.get("education")
    school = v.get("school_status")
    reason = v.get("out_of_school_reason")
    if school_start is None:
        school_start = school_year_start(ref_date)
    if birth is not None and _compulsory_age(age := age_on(birth, school_start)):
        if school is None and reason is None:
            out.add(
                "school_status",
                f"{who}为义务教育阶段适龄人员（{age}岁），在校生状况和未上学原因至少填写一项。",
                "member.school_age_blank",
            )
        elif school == SCHOOL_NOT_IN_SCHOOL and reason is None:
            out.add(
                "out_of_school_reason",
                f"{who}为义务教育阶段适龄人员（{age}岁），在校生状况为非在校生，请填写未上学原因。",
                "member.school_age_no_reason",
            )
    if reason in (REASON_ILLNESS, REASON_DISABILITY) and health == HEALTH_HEALTHY:
        out.add(
            "health",
            f"{who}的未上学原因为“{label_of('out_of_school_reason', reason)}”，健康状况却为“健康”，请核对。",
            "member.reason_vs_health",
        )

    # --- §4.3 (2021+): exactly one of 文化程度 / 在校生状况 ------------------------------
    if era == "2021":
        if education is None and school is None:
            out.add(
                "education",
                f"{who}的文化程度和在校生状况都未填写，请填写其中一项（在校生填在校生状况，其他人填文化程度）。",
                "member.education_xor_school",
                severity="warning",
            )
        elif education is not None and school is not None:
            out.add(
                "education",
                f"{who}同时填写了文化程度和在校生状况，2021年以后只应填写其中一项（在校生只填在校生状况）。",
                "member.education_xor_school",
                severity="warning",
            )
    return out.items


def _check_id(raw_id: object, today: date | None) -> tuple[IdInfo | None, str | None]:
    """``(what the ID tells, None)`` or ``(None, the Chinese reason it is wrong)``."""
    try:
        return validate_id(raw_id, today), None
    except IdNumberError as exc:
        return None, str(exc)


def _id_key_of(raw_id: object) -> str | None:
    text = normalize_id(raw_id)
    if len(text) == 15:
        try:
            return validate_id(text).id18
        except IdNumberError:
            return text
    return text[:18] if len(text) >= 18 else (text or None)


def validate_household(
    household: object,
    members: Sequence[object],
    *,
    ref_date: date,
    conditions: object | None = None,
    absent: Collection[str] = (),
) -> list[Problem]:
    """Check a household, its members (``member_index`` = position in ``members``) and,
    when given, its yearly living-conditions record (``is_dangerous_house``,
    ``safe_drinking_water``).

    Household-level rules: exactly one 户主 and at most one 配偶 among members still in the
    household, spouse's sex differs from the head's, no duplicate ID, 户联系电话 11 digits
    (landline: warning), 12-digit region code, 户类型 / 监测对象类别 consistency.
    """
    return validate_household_values(
        household, [_member_values(m) for m in members], ref_date=ref_date, conditions=conditions,
        absent=absent,
    )


def validate_household_values(
    household: object,
    values: Sequence[dict[str, object]],
    *,
    ref_date: date,
    conditions: object | None = None,
    today: date | None = None,
    absent: Collection[str] = (),
) -> list[Problem]:
    """:func:`validate_household` for members already read: each a dict of the names of
    :data:`MEMBER_FIELDS` (a name left out is blank), text stripped and blanks ``None`` —
    what reading an object for the rules gives. The importer keeps its member records this
    way, so the rules read them without a copy. ``today`` (default: today) bounds birth
    dates in ID numbers. ``absent``: fields (member and household attribute names) the
    record's source does not have — their blanks become one 待补充 warning each (module
    docstring)."""
    era = era_for_year(ref_date.year)
    absent = frozenset(absent)
    pending: dict[str, list[str]] = {}
    hv = _read_values(household, _HOUSEHOLD_READ)  # each attribute read once
    household_type = hv["household_type"]
    problems: list[Problem] = []
    today = today or date.today()
    school_start = school_year_start(ref_date)
    # Each ID is checked once; the member rules and the spouse rule share the result.
    id_checks = [None if (raw := v.get("id_number")) is None else _check_id(raw, today) for v in values]
    codes_known = _member_codes_ok(era)
    for index, member_values in enumerate(values):
        found = _validate_member(member_values, household_type=household_type, ref_date=ref_date, index=index,
                                 values=member_values, today=today, id_check=id_checks[index], era=era,
                                 school_start=school_start, absent=absent, pending=pending,
                                 codes_known=codes_known)
        if found:
            problems.extend(found)

    def sex_of(i: int) -> str | None:
        """Recorded sex, else the sex the ID implies, from the values and ID check already made."""
        sex = values[i].get("sex")
        if sex in ("1", "2"):
            return sex  # type: ignore[return-value]
        info = id_checks[i][0] if id_checks[i] is not None else None
        return info.sex if info else None

    out = _Collector(HOUSEHOLD_FIELD_LABELS, absent=absent, value_of=lambda f: _get(household, f),
                     pending=pending, who="本户")

    def add_member(index: int, field_name: str, message: str, rule: str, identity: bool = False):
        out.items.append(
            Problem(
                field_name,
                FIELD_LABELS.get(field_name, field_name),
                message,
                "error",
                identity,
                index,
                rule,
            )
        )

    # --- rule 2: 户主 / 配偶 -----------------------------------------------------------
    present = [i for i, v in enumerate(values) if v.get("status") is None or v.get("status") == STATUS_PRESENT]
    heads = [i for i in present if values[i].get("relation") == RELATION_HEAD]
    spouses = [i for i in present if values[i].get("relation") == RELATION_SPOUSE]
    if not heads:
        out.add(
            "relation",
            "本户没有户主：请把一名家庭成员的与户主关系设为“户主”。",
            "household.no_head",
            identity=True,
        )
    for i in heads[1:]:
        add_member(
            i,
            "relation",
            f"本户已有户主{_who_of(values[heads[0]], heads[0])}，{_who_of(values[i], i)}不能也是户主；"
            "一户只能有一名户主，请修改与户主关系。",
            "household.two_heads",
            identity=True,
        )
    for i in spouses[1:]:
        add_member(
            i,
            "relation",
            f"本户已有配偶{_who_of(values[spouses[0]], spouses[0])}，一户最多一名配偶，"
            f"请核对{_who_of(values[i], i)}的与户主关系。",
            "household.two_spouses",
        )
    if heads and spouses:
        head_sex, spouse_sex = sex_of(heads[0]), sex_of(spouses[0])
        if head_sex is not None and head_sex == spouse_sex:
            add_member(
                spouses[0],
                "sex",
                f"配偶{_who_of(values[spouses[0]], spouses[0])}与户主{_who_of(values[heads[0]], heads[0])}性别相同"
                f"（均为{label_of('sex', head_sex)}），请核对性别、证件号码或与户主关系。",
                "household.spouse_same_sex",
            )

    # --- rule 1: duplicate ID in the household -----------------------------------------
    seen: dict[str, int] = {}
    for i, v in enumerate(values):
        checked = id_checks[i]
        # A valid ID's id18 is its key (what _id_key_of would work out again).
        key = checked[0].id18 if checked is not None and checked[0] is not None else _id_key_of(v.get("id_number"))
        if key is None:
            continue
        if key in seen:
            first = seen[key]
            add_member(
                i,
                "id_number",
                f"{_who_of(v, i)}的证件号码与{_who_of(values[first], first)}重复，同一证件号码只能登记一人，请核对。",
                "household.duplicate_id",
                identity=True,
            )
        else:
            seen[key] = i

    # --- household fields --------------------------------------------------------------
    for attr, list_name in _HOUSEHOLD_CODED.items():
        out.check_code_value(attr, hv[attr], list_name, era)

    region = hv["region_code"]
    if region is None:
        out.add("region_code", "行政区划代码未填写，请选择所在村。", "household.region_required")
    elif not _REGION_CODE.fullmatch(normalize_text(region)):
        out.add(
            "region_code",
            f"行政区划代码“{region}”应为12位数字（省2+市2+县2+乡镇3+村3），请重新选择所在村。",
            "household.region_format",
        )

    phone = hv["phone"]
    if phone is None:
        out.add("phone", "户联系电话未填写，请填写11位手机号码。", "household.phone_required")
    else:
        text = normalize_text(phone).replace(" ", "")
        if _MOBILE.fullmatch(text):
            pass
        elif _LANDLINE.fullmatch(text):
            out.add(
                "phone",
                f"户联系电话“{phone}”是固定电话，系统要求11位手机号码；确无手机时可保留。",
                "household.phone_landline",
                severity="warning",
            )
        else:
            out.add(
                "phone",
                f"户联系电话“{phone}”应为11位手机号码，请核对。",
                "household.phone_format",
            )

    account = hv["bank_account"]
    if account is not None:
        digits = normalize_text(account).replace(" ", "").replace("-", "")
        if not _BANK_ACCOUNT.fullmatch(digits):
            out.add(
                "bank_account",
                f"银行账号一般为16–19位数字，当前为“{account}”，请核对。",
                "household.bank_account_format",
                severity="warning",
            )

    if era == "2021" and household_type is None:
        out.add("household_type", "户类型未填写，请选择脱贫户或一般农户。", "household.type_required")
    category = hv["monitoring_category"]
    if category == MONITOR_UNSTABLE and household_type not in (None, HOUSEHOLD_TUOPIN):
        out.add(
            "monitoring_category",
            f"脱贫不稳定户只能是脱贫户，本户户类型为“{label_of('household_type', household_type)}”，请核对。",
            "household.monitoring_vs_type",
        )
    if category == MONITOR_EDGE and household_type not in (None, HOUSEHOLD_ORDINARY):
        out.add(
            "monitoring_category",
            f"边缘易致贫户只能是一般农户，本户户类型为“{label_of('household_type', household_type)}”，请核对。",
            "household.monitoring_vs_type",
        )
    if (
        era == "2014"
        and household_type in (None, HOUSEHOLD_TUOPIN, HOUSEHOLD_POOR)
        and hv["main_cause"] is None
    ):
        out.add("main_cause", "主要致贫原因未填写，建档立卡户必须选择一项。", "household.main_cause_required")

    exit_year = hv["exit_year"]
    identified_year = hv["identified_year"]
    if exit_year is not None and not (isinstance(exit_year, int) and 2014 <= exit_year <= 2020):
        out.add("exit_year", f"脱贫年度“{exit_year}”应在2014–2020年之间。", "household.exit_year_range")
    if household_type == HOUSEHOLD_TUOPIN and exit_year is None:
        out.add(
            "exit_year",
            "户类型为脱贫户，但脱贫年度未填写，请补填。",
            "household.exit_year_missing",
            severity="warning",
        )
    if identified_year is not None and not (
        isinstance(identified_year, int) and 2013 <= identified_year <= ref_date.year
    ):
        out.add(
            "identified_year",
            f"识别年度“{identified_year}”应在2013–{ref_date.year}年之间。",
            "household.identified_year_range",
        )
    if (
        isinstance(exit_year, int)
        and isinstance(identified_year, int)
        and exit_year < identified_year
    ):
        out.add(
            "exit_year",
            f"脱贫年度{exit_year}早于识别年度{identified_year}，请核对。",
            "household.exit_before_identified",
        )

    if conditions is not None:
        for attr in ("is_dangerous_house", "safe_drinking_water"):
            if _get(conditions, attr) is None:
                out.add(
                    attr,
                    f"“{FIELD_LABELS[attr]}”未填写，请选择“是”或“否”。",
                    f"household.{attr}_blank",
                    severity="warning",
                )

    for field_name, who in pending.items():
        label = HOUSEHOLD_FIELD_LABELS.get(field_name, field_name)
        shown = "、".join(who[:3]) + (f"等{len(who)}人" if len(who) > 3 else "")
        out.items.append(Problem(
            field_name, label, f"待补充：{label}（{shown}）。导入的表格中没有这一列，请在户籍管理中补填。",
            "warning", False, None, PENDING_RULE + field_name))
    return problems + out.items


# --------------------------------------------------------------------------- §5 guarantees

GUARANTEE_LABELS = {
    "housing": "住房安全",
    "education": "义务教育",
    "medical": "基本医疗",
    "water": "饮水安全",
}


@dataclass(frozen=True, slots=True)
class GuaranteeSuggestion:
    """A suggested answer the clerk confirms: ``problem`` True = 有问题, False = 无问题,
    None = cannot tell from the data; ``reasons`` say which member / record and why."""

    problem: bool | None
    reasons: tuple[str, ...] = ()


def suggest_guarantees(
    household: object,
    members: Sequence[object],
    conditions: object | None,
    ref_date: date,
) -> dict[str, GuaranteeSuggestion]:
    """Suggested 三保障 + 饮水 findings (DOMAIN §5) from member and conditions data.

    Keys: ``housing``, ``education``, ``medical``, ``water`` (see :data:`GUARANTEE_LABELS`).
    Only members still in the household count.
    """
    present = [(i, m) for i, m in enumerate(members) if _is_present(m)]

    # 住房安全
    dangerous = _get(conditions, "is_dangerous_house") if conditions is not None else None
    level = _get(conditions, "danger_level") if conditions is not None else None
    if dangerous is True or level in ("C", "D"):
        reasons = []
        if dangerous is True:
            reasons.append("是否危房户为“是”")
        if level in ("C", "D"):
            reasons.append(f"危房等级为{level}级")
        housing = GuaranteeSuggestion(True, tuple(reasons))
    elif dangerous is False:
        housing = GuaranteeSuggestion(False, ("是否危房户为“否”",))
    else:
        housing = GuaranteeSuggestion(None, ("未填写是否危房户",))

    # 义务教育
    edu_reasons: list[str] = []
    edu_unknown: list[str] = []
    any_child = False
    for i, member in present:
        birth = _birth_of(member)
        if birth is None:
            edu_unknown.append(f"{_who(member, i)}出生日期不详")
            continue
        if not is_compulsory_school_age(birth, ref_date):
            continue
        any_child = True
        age = age_on(birth, school_year_start(ref_date))
        school = _get(member, "school_status")
        reason = _get(member, "out_of_school_reason")
        if school is None and reason is None:
            edu_reasons.append(f"{_who(member, i)}（{age}岁）在校生状况和未上学原因均未填写")
        elif school == SCHOOL_NOT_IN_SCHOOL and reason is None:
            edu_reasons.append(f"{_who(member, i)}（{age}岁）为非在校生且未填写未上学原因（疑似失学辍学）")
    if edu_reasons:
        education = GuaranteeSuggestion(True, tuple(edu_reasons))
    elif edu_unknown:
        education = GuaranteeSuggestion(None, tuple(edu_unknown))
    elif any_child:
        education = GuaranteeSuggestion(False, ("义务教育阶段适龄人员均在校或有未上学原因",))
    else:
        education = GuaranteeSuggestion(False, ("无义务教育阶段适龄人员",))

    # 基本医疗
    household_type = _get(household, "household_type")
    med_reasons: list[str] = []
    med_unknown: list[str] = []
    for i, member in present:
        resident = _get(member, "has_resident_medical")
        employee = _get(member, "has_employee_medical")
        if resident is True or employee is True:
            pass
        elif resident is False and employee is False:
            med_reasons.append(f"{_who(member, i)}未参加城乡居民基本医疗保险，也未参加职工基本医疗保险")
        else:
            med_unknown.append(f"{_who(member, i)}参保情况未填写")
        if household_type == HOUSEHOLD_TUOPIN and _get(member, "has_critical_illness_ins") is False:
            med_reasons.append(f"{_who(member, i)}为脱贫人口，未参加大病保险")
    if med_reasons:
        medical = GuaranteeSuggestion(True, tuple(med_reasons))
    elif med_unknown:
        medical = GuaranteeSuggestion(None, tuple(med_unknown))
    else:
        medical = GuaranteeSuggestion(False, ("家庭成员均已参加基本医疗保险",))

    # 饮水安全
    safe = _get(conditions, "safe_drinking_water") if conditions is not None else None
    if safe is False:
        water = GuaranteeSuggestion(True, ("是否解决安全饮用水为“否”",))
    elif safe is True:
        water = GuaranteeSuggestion(False, ("已解决安全饮用水",))
    else:
        water = GuaranteeSuggestion(None, ("未填写是否解决安全饮用水",))

    return {"housing": housing, "education": education, "medical": medical, "water": water}
