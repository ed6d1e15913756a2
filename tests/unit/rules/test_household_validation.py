"""validate_member / validate_household: each rule has a test that breaks it."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from fupin_desktop.codes import code_list
from fupin_desktop.rules import validation as v
from fupin_desktop.rules.idnumber import make_id
from fupin_desktop.rules.validation import (
    FIELD_LABELS,
    HOUSEHOLD_FIELD_LABELS,
    Problem,
    is_compulsory_school_age,
    school_year_start,
    validate_household,
    validate_member,
)

REF = date(2023, 10, 1)  # school year starting 2023-09-01
REF_2019 = date(2019, 10, 1)


def member(**overrides) -> SimpleNamespace:
    """A complete, valid adult 户主 (male, born 1970-01-01)."""
    birth = overrides.pop("birth", date(1970, 1, 1))
    seq = overrides.pop("seq", 11)
    data = dict(
        person_no="52010200100100101",
        name="张三",
        id_type="01",
        id_number=make_id("520102", birth, seq),
        sex="1" if seq % 2 else "2",
        birth_date=birth,
        ethnicity="01",
        relation="01",
        political_status="13",
        education="03",
        school_status=None,
        out_of_school_reason=None,
        health="01",
        disability_type=None,
        disability_grade=None,
        labour_skill="01",
        work_status=None,
        work_place=None,
        employer=None,
        work_months=0,
        works_abroad=False,
        public_welfare_job=None,
        public_welfare_months=None,
        has_resident_medical=True,
        has_employee_medical=False,
        has_critical_illness_ins=True,
        has_commercial_supplement=None,
        has_resident_pension=True,
        has_employee_pension=False,
        is_dibao=False,
        is_tekun=False,
        phone=None,
        status="01",
    )
    data.update(overrides)
    return SimpleNamespace(**data)


def spouse(**overrides) -> SimpleNamespace:
    base = dict(name="李梅", relation="02", birth=date(1972, 2, 2), seq=22)
    base.update(overrides)
    return member(**base)


def child(**overrides) -> SimpleNamespace:
    # 12 years old on 2023-09-01.
    base = dict(
        name="张小明", relation="03", birth=date(2011, 5, 5), seq=33,
        education=None, school_status="04", labour_skill="05",
        has_resident_pension=False,
    )  # fmt: skip
    base.update(overrides)
    return member(**base)


def household(**overrides) -> SimpleNamespace:
    data = dict(
        household_no="5201020010010001",
        region_code="520102001001",
        household_type="01",
        monitoring_category=None,
        main_cause="01",
        phone="13800138000",
        bank_account="6217000011112222333",
        exit_year=2019,
        identified_year=2014,
    )
    data.update(overrides)
    return SimpleNamespace(**data)


def conditions(**overrides) -> SimpleNamespace:
    data = dict(is_dangerous_house=False, safe_drinking_water=True, danger_level="0")
    data.update(overrides)
    return SimpleNamespace(**data)


def rules(problems: list[Problem]) -> set[str]:
    return {p.rule for p in problems}


def member_rules(m, ref=REF, household_type="01") -> set[str]:
    return rules(validate_member(m, household_type=household_type, ref_date=ref))


# --------------------------------------------------------------------------- baselines


def test_code_constants_match_lists():
    assert code_list("relation").label(v.RELATION_HEAD) == "户主"
    assert code_list("relation").label(v.RELATION_SPOUSE) == "配偶"
    assert code_list("health").label(v.HEALTH_HEALTHY) == "健康"
    assert code_list("health").label(v.HEALTH_DISABLED) == "残疾"
    assert code_list("out_of_school_reason").label(v.REASON_ILLNESS) == "因病"
    assert code_list("out_of_school_reason").label(v.REASON_DISABILITY) == "因残"
    assert code_list("school_status").label(v.SCHOOL_NOT_IN_SCHOOL) == "非在校生"
    assert code_list("member_status").label(v.STATUS_PRESENT) == "在户"
    assert code_list("household_type").label(v.HOUSEHOLD_TUOPIN) == "脱贫户"
    assert code_list("household_type").label(v.HOUSEHOLD_ORDINARY) == "一般农户"
    assert code_list("monitoring_category").label(v.MONITOR_UNSTABLE) == "脱贫不稳定户"
    assert code_list("monitoring_category").label(v.MONITOR_EDGE) == "边缘易致贫户"
    assert code_list("id_type").label(v.ID_TYPE_DISABILITY) == "残疾人证"


def test_clean_household_has_no_problems():
    problems = validate_household(
        household(), [member(), spouse(), child()], ref_date=REF, conditions=conditions()
    )
    assert problems == []


def test_clean_member_has_no_problems():
    assert validate_member(member(), household_type="01", ref_date=REF) == []


def test_labels_cover_model_attributes():
    for attr in ("id_number", "work_months", "has_critical_illness_ins", "status", "region_code"):
        assert attr in FIELD_LABELS
    assert FIELD_LABELS["id_number"] == "证件号码"
    assert HOUSEHOLD_FIELD_LABELS["phone"] == "户联系电话"


def test_problem_fields():
    good = make_id("520102", date(1970, 1, 1), 11)
    m = member(id_number=good[:17] + ("0" if good[17] != "0" else "1"))
    (p,) = [p for p in validate_member(m, ref_date=REF) if p.rule == "member.id_invalid"]
    assert p.field == "id_number"
    assert p.label == "证件号码"
    assert p.severity == "error"
    assert p.identity is True
    assert "校验位" in p.message and "张三" in p.message


def test_works_with_orm_like_objects_missing_attributes():
    class Bare:
        name = "王五"

    problems = validate_member(Bare(), ref_date=REF)
    assert "member.id_required" in rules(problems)
    assert "member.sex_required" in rules(problems)


# --------------------------------------------------------------------------- rule 1: ID


def test_missing_id():
    assert "member.id_required" in member_rules(member(id_number=None))
    assert "member.id_required" in member_rules(member(id_number="  "))


def test_bad_id_is_identity_error():
    problems = validate_member(member(id_number="52010219700101001"), ref_date=REF)
    bad = [p for p in problems if p.rule == "member.id_invalid"]
    assert bad and bad[0].identity


def test_id_sex_mismatch():
    assert "member.sex_id_mismatch" in member_rules(member(sex="2"))


def test_id_birth_mismatch():
    assert "member.birth_id_mismatch" in member_rules(member(birth_date=date(1970, 1, 2)))


def test_birth_and_sex_required_with_hint():
    problems = validate_member(member(birth_date=None, sex=None), ref_date=REF)
    messages = {p.rule: p.message for p in problems}
    assert "1970-01-01" in messages["member.birth_required"]
    assert "男" in messages["member.sex_required"]


def test_birth_date_as_iso_string_accepted():
    assert "member.birth_id_mismatch" not in member_rules(member(birth_date="1970-01-01"))


def test_disability_certificate_consistency():
    m = member(health="04", disability_type="4", disability_grade="2", id_type="02")
    m.id_number = m.id_number + "42"
    assert member_rules(m) == set()
    m.disability_type = "1"
    assert "member.disability_type_id_mismatch" in member_rules(m)
    m.disability_type, m.disability_grade = "4", "3"
    assert "member.disability_grade_id_mismatch" in member_rules(m)
    m.disability_grade, m.id_type = "2", "01"
    assert "member.id_type_mismatch" in member_rules(m)
    assert "member.id_type_mismatch" in member_rules(member(id_type="02"))


def test_duplicate_id_in_household_is_identity():
    head = member()
    twin = spouse(id_number=head.id_number + " ")
    problems = validate_household(household(), [head, twin], ref_date=REF)
    dup = [p for p in problems if p.rule == "household.duplicate_id"]
    assert len(dup) == 1 and dup[0].identity and dup[0].member_index == 1


def test_duplicate_id_compares_first_18_chars():
    head = member(health="04", disability_type="4", disability_grade="2", id_type="02")
    head.id_number += "42"
    other = spouse(id_number=head.id_number[:18])
    problems = validate_household(household(), [head, other], ref_date=REF)
    assert "household.duplicate_id" in rules(problems)


# --------------------------------------------------------------------------- rule 2


def test_no_head_is_identity():
    problems = validate_household(household(), [spouse()], ref_date=REF)
    p = [p for p in problems if p.rule == "household.no_head"]
    assert p and p[0].identity and p[0].member_index is None


def test_no_members_means_no_head():
    assert "household.no_head" in rules(validate_household(household(), [], ref_date=REF))


def test_two_heads_is_identity():
    second = spouse(relation="01")
    problems = validate_household(household(), [member(), second], ref_date=REF)
    p = [p for p in problems if p.rule == "household.two_heads"]
    assert len(p) == 1 and p[0].identity and p[0].member_index == 1


def test_departed_head_does_not_count():
    old_head = member(status="02")
    new_head = spouse(relation="01")
    problems = validate_household(household(), [old_head, new_head], ref_date=REF)
    assert "household.two_heads" not in rules(problems)
    assert "household.no_head" not in rules(problems)


def test_two_spouses():
    second = spouse(name="王芳", seq=44, birth=date(1975, 3, 3))
    problems = validate_household(household(), [member(), spouse(), second], ref_date=REF)
    p = [p for p in problems if p.rule == "household.two_spouses"]
    assert len(p) == 1 and p[0].member_index == 2 and not p[0].identity


def test_spouse_same_sex():
    same = spouse(seq=23)  # odd sequence → male
    problems = validate_household(household(), [member(), same], ref_date=REF)
    assert "household.spouse_same_sex" in rules(problems)


def test_relation_required_and_in_list():
    assert "member.relation_required" in member_rules(member(relation=None))
    assert "code.relation.invalid" in member_rules(member(relation="77"))


def test_2021_relation_in_2019_is_other_era_warning():
    problems = validate_member(member(relation="21"), ref_date=REF_2019)
    p = [p for p in problems if p.rule == "code.relation.other_era"]
    assert p and p[0].severity == "warning"


# --------------------------------------------------------------------------- rule 3


@pytest.mark.parametrize(
    ("attr", "value"),
    [
        ("political_status", "77"),
        ("education", "77"),
        ("school_status", "77"),
        ("labour_skill", "77"),
        ("ethnicity", "77"),
        ("sex", "7"),
        ("health", "77"),
        ("status", "77"),
    ],
)
def test_coded_values_must_be_in_lists(attr, value):
    assert f"code.{attr}.invalid" in member_rules(member(**{attr: value}))


def test_health_required():
    assert "member.health_required" in member_rules(member(health=None))


def test_labour_skill_and_ethnicity_required():
    assert "member.labour_skill_required" in member_rules(member(labour_skill=None))
    assert "member.ethnicity_required" in member_rules(member(ethnicity=None))
    assert "member.name_required" in member_rules(member(name=""))


def test_disabled_without_type_warns():
    assert "member.disability_type_missing" in member_rules(member(health="04"))


# --------------------------------------------------------------------------- rule 4


def test_work_place_without_months():
    assert "member.work_place_without_months" in member_rules(member(work_place="广东东莞"))
    assert "member.work_place_without_months" in member_rules(
        member(work_place="广东东莞", work_months=None)
    )


def test_work_months_without_place():
    assert "member.work_months_without_place" in member_rules(member(work_months=6))


def test_work_place_with_months_ok():
    found = member_rules(member(work_place="广东东莞", work_months=6))
    assert not found & {"member.work_place_without_months", "member.work_months_without_place"}


@pytest.mark.parametrize("months", [-1, 13, "6", 2.5])
def test_work_months_range(months):
    assert "member.work_months_range" in member_rules(member(work_months=months))


def test_public_welfare_months_range():
    assert "member.public_welfare_months_range" in member_rules(member(public_welfare_months=14))


# --------------------------------------------------------------------------- rule 5


def test_both_medical_insurances_is_error():
    problems = validate_member(member(has_employee_medical=True), household_type="02", ref_date=REF)
    assert "member.medical_both" in rules(problems)


def test_no_medical_insurance_for_tuopin_member():
    m = member(has_resident_medical=False)
    assert "member.medical_none" in member_rules(m, household_type="01")
    assert "member.medical_none" not in member_rules(m, household_type="02")


def test_critical_illness_for_tuopin_member():
    m = member(has_critical_illness_ins=False)
    assert "member.critical_illness_missing" in member_rules(m, household_type="01")
    assert "member.critical_illness_missing" not in member_rules(m, household_type="02")


# --------------------------------------------------------------------------- rule 6 / §1.6


def test_school_year_reference_date():
    assert school_year_start(date(2023, 10, 1)) == date(2023, 9, 1)
    assert school_year_start(date(2023, 8, 31)) == date(2022, 9, 1)
    assert school_year_start(date(2023, 9, 1)) == date(2023, 9, 1)


@pytest.mark.parametrize(
    ("birth", "expected"),
    [
        (date(2017, 9, 1), True),  # 6 on 2023-09-01
        (date(2017, 9, 2), False),  # turns 6 one day later
        (date(2006, 9, 2), True),  # still 16
        (date(2006, 9, 1), False),  # 17 on the day
    ],
)
def test_compulsory_school_age_bounds(birth, expected):
    assert is_compulsory_school_age(birth, REF) is expected


def test_school_age_child_needs_status_or_reason():
    assert "member.school_age_blank" in member_rules(child(school_status=None))
    assert "member.school_age_blank" not in member_rules(
        child(school_status=None, out_of_school_reason="02", health="04", disability_type="4")
    )
    # An adult without school status is fine.
    assert "member.school_age_blank" not in member_rules(member(education="03"))


def test_school_age_child_not_in_school_needs_reason():
    found = member_rules(child(school_status="01"), ref=REF_2019)
    assert "member.school_age_no_reason" in found


def test_age_uses_id_when_birth_date_blank():
    m = child(school_status=None, birth_date=None)
    assert "member.school_age_blank" in member_rules(m)


def test_reason_illness_with_healthy():
    found = member_rules(child(school_status=None, out_of_school_reason="01", health="01"))
    assert "member.reason_vs_health" in found
    found = member_rules(child(school_status=None, out_of_school_reason="01", health="03"))
    assert "member.reason_vs_health" not in found


# --------------------------------------------------------------------------- rule 7


@pytest.mark.parametrize(
    "attr",
    [
        "has_resident_medical",
        "has_employee_medical",
        "has_critical_illness_ins",
        "has_resident_pension",
        "is_dibao",
        "is_tekun",
    ],
)
def test_required_yes_no_not_blank(attr):
    assert f"member.{attr}_blank" in member_rules(member(**{attr: None}))


def test_optional_yes_no_may_be_blank():
    found = member_rules(member(has_commercial_supplement=None, has_employee_pension=None))
    assert not any(r.endswith("_blank") for r in found)


def test_departed_member_skips_presence_rules():
    gone = member(status="02", has_resident_medical=None, work_place="外地")
    found = member_rules(gone)
    assert "member.has_resident_medical_blank" not in found
    assert "member.work_place_without_months" not in found


def test_dibao_and_tekun_warns():
    assert "member.dibao_and_tekun" in member_rules(member(is_dibao=True, is_tekun=True))


# --------------------------------------------------------------------------- §4.3


def test_2021_exactly_one_of_education_and_school_status():
    both = validate_member(child(education="02"), ref_date=REF)
    p = [p for p in both if p.rule == "member.education_xor_school"]
    assert p and p[0].severity == "warning"
    assert "member.education_xor_school" in member_rules(member(education=None))
    # The rule is 2021+ only.
    assert "member.education_xor_school" not in member_rules(member(education=None), ref=REF_2019)


# --------------------------------------------------------------------------- phone etc.


def test_member_phone_warning():
    assert "member.phone_format" in member_rules(member(phone="12345"))
    assert "member.phone_format" not in member_rules(member(phone="13912345678"))


@pytest.mark.parametrize(
    ("phone", "rule"),
    [
        (None, "household.phone_required"),
        ("1380013800", "household.phone_format"),
        ("23800138000", "household.phone_format"),
        ("0851-5551234", "household.phone_landline"),
        ("08515551234", "household.phone_landline"),
    ],
)
def test_household_phone(phone, rule):
    problems = validate_household(household(phone=phone), [member()], ref_date=REF)
    assert rule in rules(problems)


def test_landline_is_only_a_warning():
    problems = validate_household(household(phone="0851-5551234"), [member()], ref_date=REF)
    (p,) = [p for p in problems if p.rule == "household.phone_landline"]
    assert p.severity == "warning" and p.label == "户联系电话"


def test_full_width_mobile_accepted():
    problems = validate_household(household(phone="１３８００１３８０００"), [member()], ref_date=REF)
    assert not {r for r in rules(problems) if r.startswith("household.phone")}


@pytest.mark.parametrize("code", ["52010200100", "5201020010011", "52010200100A"])
def test_region_code_12_digits(code):
    problems = validate_household(household(region_code=code), [member()], ref_date=REF)
    assert "household.region_format" in rules(problems)


def test_region_code_required():
    problems = validate_household(household(region_code=None), [member()], ref_date=REF)
    assert "household.region_required" in rules(problems)


def test_bank_account_format():
    problems = validate_household(household(bank_account="12345"), [member()], ref_date=REF)
    assert "household.bank_account_format" in rules(problems)


def test_household_type_required_from_2021():
    h = household(household_type=None)
    assert "household.type_required" in rules(validate_household(h, [member()], ref_date=REF))
    assert "household.type_required" not in rules(
        validate_household(h, [member()], ref_date=REF_2019)
    )


def test_monitoring_category_vs_household_type():
    h = household(household_type="02", monitoring_category="01", exit_year=None)
    assert "household.monitoring_vs_type" in rules(validate_household(h, [member()], ref_date=REF))
    h = household(household_type="01", monitoring_category="02")
    assert "household.monitoring_vs_type" in rules(validate_household(h, [member()], ref_date=REF))
    h = household(household_type="01", monitoring_category="03")
    assert "household.monitoring_vs_type" not in rules(
        validate_household(h, [member()], ref_date=REF)
    )


def test_main_cause_required_in_2014_era():
    h = household(main_cause=None, household_type="03", exit_year=None)
    assert "household.main_cause_required" in rules(
        validate_household(h, [member()], ref_date=REF_2019)
    )
    assert "household.main_cause_required" not in rules(
        validate_household(h, [member()], ref_date=REF)
    )
    assert "code.main_cause.invalid" in rules(
        validate_household(household(main_cause="55"), [member()], ref_date=REF)
    )


def test_exit_year_rules():
    def found(**kw):
        return rules(validate_household(household(**kw), [member()], ref_date=REF))

    assert "household.exit_year_range" in found(exit_year=2022)
    assert "household.exit_year_missing" in found(exit_year=None)
    assert "household.identified_year_range" in found(identified_year=2030)
    assert "household.exit_before_identified" in found(exit_year=2016, identified_year=2018)


def test_conditions_blank_warns():
    problems = validate_household(
        household(), [member()], ref_date=REF, conditions=conditions(safe_drinking_water=None)
    )
    assert "household.safe_drinking_water_blank" in rules(problems)


def test_member_problems_carry_index():
    problems = validate_household(household(), [member(), spouse(sex=None)], ref_date=REF)
    (p,) = [p for p in problems if p.rule == "member.sex_required"]
    assert p.member_index == 1
    assert p.field == "sex"
