"""suggest_guarantees (DOMAIN §5)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from fupin_desktop.rules.idnumber import make_id
from fupin_desktop.rules.validation import GUARANTEE_LABELS, suggest_guarantees

REF = date(2023, 10, 1)


def person(name="张三", birth=date(1970, 1, 1), **kw):
    data = dict(
        name=name,
        id_number=make_id("520102", birth, 11),
        birth_date=birth,
        school_status=None,
        out_of_school_reason=None,
        has_resident_medical=True,
        has_employee_medical=False,
        has_critical_illness_ins=True,
        status="01",
    )
    data.update(kw)
    return SimpleNamespace(**data)


HH = SimpleNamespace(household_type="01")
OK = SimpleNamespace(is_dangerous_house=False, safe_drinking_water=True)


def test_keys_and_all_clear():
    result = suggest_guarantees(HH, [person()], OK, REF)
    assert set(result) == set(GUARANTEE_LABELS) == {"housing", "education", "medical", "water"}
    assert all(s.problem is False for s in result.values())
    assert all(s.reasons for s in result.values())


def test_housing():
    bad = SimpleNamespace(is_dangerous_house=True, safe_drinking_water=True)
    assert suggest_guarantees(HH, [person()], bad, REF)["housing"].problem is True
    d_level = SimpleNamespace(is_dangerous_house=None, danger_level="D", safe_drinking_water=True)
    s = suggest_guarantees(HH, [person()], d_level, REF)["housing"]
    assert s.problem is True and "D级" in s.reasons[0]
    assert suggest_guarantees(HH, [person()], None, REF)["housing"].problem is None


def test_water():
    bad = SimpleNamespace(is_dangerous_house=False, safe_drinking_water=False)
    assert suggest_guarantees(HH, [person()], bad, REF)["water"].problem is True
    assert suggest_guarantees(HH, [person()], None, REF)["water"].problem is None


def test_education_child_without_status_or_reason():
    kid = person("张小明", date(2011, 5, 5))
    s = suggest_guarantees(HH, [person(), kid], OK, REF)["education"]
    assert s.problem is True
    assert "张小明" in s.reasons[0] and "12岁" in s.reasons[0]


def test_education_child_not_in_school_without_reason():
    kid = person("张小明", date(2011, 5, 5), school_status="01")
    assert suggest_guarantees(HH, [kid], OK, REF)["education"].problem is True


def test_education_child_in_school_or_with_reason_is_fine():
    kid = person("张小明", date(2011, 5, 5), school_status="04")
    assert suggest_guarantees(HH, [kid], OK, REF)["education"].problem is False
    kid = person("张小明", date(2011, 5, 5), out_of_school_reason="02")
    assert suggest_guarantees(HH, [kid], OK, REF)["education"].problem is False


def test_education_ignores_departed_and_adults():
    kid = person("张小明", date(2011, 5, 5), status="02")
    s = suggest_guarantees(HH, [person(), kid], OK, REF)["education"]
    assert s.problem is False


def test_medical_uninsured_member():
    m = person("李梅", has_resident_medical=False, has_employee_medical=False)
    s = suggest_guarantees(HH, [person(), m], OK, REF)["medical"]
    assert s.problem is True and "李梅" in s.reasons[0]


def test_medical_employee_insurance_counts():
    m = person(has_resident_medical=False, has_employee_medical=True)
    assert suggest_guarantees(HH, [m], OK, REF)["medical"].problem is False


def test_medical_critical_illness_for_tuopin_only():
    m = person(has_critical_illness_ins=False)
    assert suggest_guarantees(HH, [m], OK, REF)["medical"].problem is True
    ordinary = SimpleNamespace(household_type="02")
    assert suggest_guarantees(ordinary, [m], OK, REF)["medical"].problem is False


def test_medical_unknown():
    m = person(has_resident_medical=None, has_employee_medical=None)
    assert suggest_guarantees(HH, [m], OK, REF)["medical"].problem is None
