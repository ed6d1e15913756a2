"""成员增加 / 新识别户 defaults: a person registered with what the form suggests leaves the
household without data-check errors (SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from fupin_desktop.services.checks import household_error_counts
from fupin_desktop.services import registry as svc
from tests.factories import VILLAGE, add_household, add_regions, make_id

TODAY = dt.date.today()
MONTH = TODAY.strftime("%Y-%m")

_COMPLETE = dict(education="03", health="01", labour_skill="01", has_resident_medical=True,
                 has_employee_medical=False, has_critical_illness_ins=True,
                 has_resident_pension=True, is_dibao=False, is_tekun=False)


@pytest.fixture
def complete(db):
    """张三 (户主, 汉族) and 李四 (配偶, 苗族, 低保), every field the check needs filled."""
    with db.session() as s:
        add_regions(s)
        hh = add_household(s)
        hh.phone, hh.exit_year, hh.group_name = "13812345678", 2019, "一组"
        for m, ethnicity in zip(hh.members, ("01", "06"), strict=True):
            for key, value in _COMPLETE.items():
                setattr(m, key, value)
            m.ethnicity = ethnicity
        hh.members[1].is_dibao = True
        s.flush()
        hid = hh.id
    return db, hid


def _errors(db, hid):
    with db.session() as s:
        data = svc.load_household(s, hid)
    return data, [p.message for p in svc.check_household_data(data) if p.severity == "error"]


def _person(defaults, **kw) -> svc.NewMember:
    fields = {f.name for f in dataclasses.fields(svc.NewMember)}
    return svc.NewMember(**kw, **{k: v for k, v in defaults.items() if k in fields})


def test_a_birth_registered_with_the_defaults_leaves_no_errors(complete):
    db, hid = complete
    data, errors = _errors(db, hid)
    assert errors == []
    born = TODAY - dt.timedelta(days=20)
    defaults = svc.member_defaults(data, reason="出生", birth_date=born, relation="04")
    assert (defaults["labour_skill"], defaults["school_status"], defaults["health"]) == ("05", "02", "01")
    assert defaults["ethnicity"] == "06"  # the mother's, not the head's
    assert defaults["is_dibao"] is True and defaults["has_resident_pension"] is False
    with db.session() as s:
        svc.add_member(s, hid, _person(defaults, name="张小妹", id_number=make_id(born, 22),
                                       relation="04"),
                       reason="出生", effective=TODAY, reported_month=MONTH)
    data, errors = _errors(db, hid)
    assert len(data.present_members()) == 3 and errors == []
    with db.session() as s:
        assert household_error_counts(s, [hid]).get(hid, 0) == 0  # the stored check agrees


def test_a_birth_without_the_defaults_is_still_reported(complete):
    db, hid = complete
    born = TODAY - dt.timedelta(days=20)
    with db.session() as s:
        svc.add_member(s, hid, svc.NewMember(name="张小妹", id_number=make_id(born, 22), relation="04"),
                       reason="出生", effective=TODAY, reported_month=MONTH)
        assert household_error_counts(s, [hid]).get(hid, 0) > 0
    _data, errors = _errors(db, hid)
    assert any("劳动技能" in e for e in errors) and any("民族" in e for e in errors)


@pytest.mark.parametrize(("age", "school", "education", "skill"), [
    (4, "03", None, "05"), (9, "04", None, "05"), (13, "06", None, "05"),
    (16, "09", None, "03"), (35, None, None, "01"), (70, None, None, "03"),
])
def test_defaults_fit_the_age(age, school, education, skill):
    ref = dt.date(2026, 10, 1)
    born = dt.date(2026 - age, 3, 1)
    values = svc.member_defaults(None, reason="迁入", birth_date=born, today=ref)
    assert (values["school_status"], values["education"], values["labour_skill"]) == (school, education, skill)
    assert values["has_resident_pension"] is (age >= 16)


def test_a_new_household_registered_with_the_defaults_leaves_no_errors(db):
    born = dt.date(1985, 6, 1)
    defaults = {**svc.member_defaults(None, reason=None, birth_date=born), "ethnicity": "01",
                "education": "03"}
    with db.session() as s:
        add_regions(s)
        hh = svc.register_household(
            s, region_code=VILLAGE, household_no="5223261002010077", phone="13700001111",
            head=_person(defaults, name="王五", id_number=make_id(born, 31), relation="01"),
            effective=TODAY, reported_month=MONTH)
        hid = hh.id
        assert household_error_counts(s, [hid]).get(hid, 0) == 0
    _data, errors = _errors(db, hid)
    assert errors == []
