"""帮扶措施 of a monitoring case on SQLite and PostgreSQL: shown with the case, added,
corrected, ended and removed through services.registry, checked in Chinese, audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from fupin_desktop.errors import ConcurrentEditError, UserError
from fupin_desktop.models import AssistanceMeasure, AuditLog
from fupin_desktop.services import registry as svc
from tests.factories import add_household, add_regions

TODAY = dt.date.today()
MONTH = TODAY.strftime("%Y-%m")
START = TODAY - dt.timedelta(days=40)
IDENTIFIED = (TODAY - dt.timedelta(days=60)).strftime("%Y-%m")


@pytest.fixture
def case(db):
    """张三's household under monitoring for 因病 and 因学; 王五's household, no case."""
    with db.session() as s:
        add_regions(s)
        a = add_household(s, no="5223261002010001", head="张三", seq=1)
        b = add_household(s, no="5223261002010002", head="王五", seq=2)
        s.flush()
        c = svc.start_monitoring(s, a.id, category="03", risks=["因病", "因学"],
                                 identified_ym=IDENTIFIED, effective=TODAY, reported_month=MONTH)
        ids = (a.id, b.id, c.id)
    return db, ids


HEALTH = {"category": "05", "content": "落实医疗救助和慢病签约服务", "unit": "县卫生健康局",
          "start_date": START, "amount": "3,000"}


def _cases(db, hid):
    with db.session() as s:
        return svc.load_household(s, hid).monitoring


def _audit(db, action):
    with db.session() as s:
        return s.scalars(select(AuditLog).where(AuditLog.table_name == "assistance_measures",
                                                AuditLog.action == action)).all()


def test_a_case_shows_its_risks_measures_and_what_is_still_missing(case):
    db, (a, _b, cid) = case
    [row] = _cases(db, a)
    assert row["risk_codes"] == ["01", "03"] and row["measures"] == []
    assert len(row["gaps"]) == 2 and "因病" in row["gaps"][0] and "健康帮扶" in row["gaps"][0]
    with db.session() as s:
        m = svc.add_measure(s, a, HEALTH, case_id=cid)
        assert (m.year, m.amount, m.unit) == (START.year, Decimal("3000.00"), "县卫生健康局")
    [row] = _cases(db, a)
    [measure] = row["measures"]
    assert measure["category_label"] == "健康帮扶" and measure["status"] == "实施中"
    assert measure["amount_text"] == "3,000.00" and measure["start_text"] == START.isoformat()
    assert [g for g in row["gaps"] if "因病" in g] == [] and "因学" in row["gaps"][0]
    assert row["measure_count"] == "1 项"
    [audit] = _audit(db, "insert")
    assert audit.user == "测试员" and audit.new_values["content"] == HEALTH["content"]


@pytest.mark.parametrize("values, field, words", [
    ({**HEALTH, "category": None}, "category", "请选择措施类别"),
    ({**HEALTH, "content": "  "}, "content", "请填写措施内容"),
    ({**HEALTH, "start_date": None}, "start_date", "请填写开始日期"),
    ({**HEALTH, "start_date": "2024/13/01"}, "start_date", "不是有效日期"),
    ({**HEALTH, "start_date": TODAY + dt.timedelta(days=1)}, "start_date", "晚于今天"),
    ({**HEALTH, "end_date": START - dt.timedelta(days=1)}, "end_date", "早于开始日期"),
    ({**HEALTH, "amount": "-5"}, "amount", "不能为负数"),
    ({**HEALTH, "amount": "三千"}, "amount", "不是有效金额"),
    ({**HEALTH, "amount": "900000000"}, "amount", "过大"),
    ({**HEALTH, "year": "二〇二四"}, "year", "应填整数"),
    ({**HEALTH, "year": 2013}, "year", "2014年"),
    ({**HEALTH, "content": "长" * 501}, "content", "最多500个字"),
])
def test_bad_input_is_named_in_chinese_and_nothing_is_written(case, values, field, words):
    db, (a, _b, cid) = case
    _clean, problems = svc.check_measure(values, identified_ym=IDENTIFIED)
    errors = [p for p in problems if p.severity == "error"]
    assert [p.field for p in errors] == [field], problems
    assert words in errors[0].message
    with db.session() as s, pytest.raises(UserError, match=words):
        svc.add_measure(s, a, values, case_id=cid)
    with db.session() as s:
        assert s.scalar(select(func.count(AssistanceMeasure.id))) == 0


def test_a_start_before_the_case_is_a_warning_only(case):
    db, (a, _b, cid) = case
    early = {**HEALTH, "start_date": dt.date(2021, 3, 1)}
    _clean, problems = svc.check_measure(early, identified_ym=IDENTIFIED)
    assert [(p.field, p.severity) for p in problems] == [("start_date", "warning")]
    with db.session() as s:
        assert svc.add_measure(s, a, early, case_id=cid).year == 2021


def test_correct_end_and_remove_a_measure(case):
    db, (a, _b, cid) = case
    with db.session() as s:
        mid = svc.add_measure(s, a, HEALTH, case_id=cid).id
    opened = _cases(db, a)[0]["measures"][0]
    with db.session() as s:
        svc.update_measure(s, mid, {"amount": "3500", "content": "落实医疗救助"}, expected=opened)
    measure = _cases(db, a)[0]["measures"][0]
    assert (measure["amount"], measure["content"]) == (Decimal("3500.00"), "落实医疗救助")
    [audit] = _audit(db, "update")
    assert audit.old_values["amount"] in ("3000.00", 3000, "3000", 3000.0)
    # Someone else's change since the clerk opened it is not overwritten.
    with db.session() as s, pytest.raises(ConcurrentEditError, match="已被其他人修改"):
        svc.update_measure(s, mid, {"amount": "1"}, expected=opened)
    with db.session() as s, pytest.raises(UserError, match="早于开始日期"):
        svc.end_measure(s, mid, START - dt.timedelta(days=1), expected=measure)
    with db.session() as s:
        svc.end_measure(s, mid, TODAY, expected=measure)
    ended = _cases(db, a)[0]["measures"][0]
    assert ended["status"] == "已结束" and ended["end_date"] == TODAY
    with db.session() as s, pytest.raises(UserError, match="已于"):
        svc.end_measure(s, mid, TODAY)
    with db.session() as s:
        svc.delete_measure(s, mid, expected=ended)
    assert _cases(db, a)[0]["measures"] == []
    [gone] = _audit(db, "delete")
    assert gone.old_values["content"] == "落实医疗救助"
    with db.session() as s, pytest.raises(UserError, match="已被删除"):
        svc.update_measure(s, mid, {"amount": "1"})


def test_measures_only_for_the_households_own_case_and_while_it_is_registered(case):
    db, (a, b, cid) = case
    with db.session() as s, pytest.raises(UserError, match="监测记录已不存在"):
        svc.add_measure(s, b, HEALTH, case_id=cid)
    with db.session() as s:  # a measure tied to no case is allowed and listed apart
        svc.add_measure(s, b, {**HEALTH, "category": "01", "content": "发放产业奖补"})
        cases, others = svc.household_monitoring(s, b)
        assert cases == [] and [m["category_label"] for m in others] == ["产业帮扶"]
        svc.close_household(s, a, effective=TODAY, reported_month=MONTH)
    with db.session() as s, pytest.raises(UserError, match="已销户"):
        svc.add_measure(s, a, HEALTH, case_id=cid)
