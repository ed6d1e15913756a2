"""services.reports on SQLite and PostgreSQL: figures as of a month's end from dated records,
上报 and month locks, sums of rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from fupin_desktop.errors import UserError
from fupin_desktop.models import GuaranteeCheck
from fupin_desktop.services import registry as reg
from fupin_desktop.services import reports as rep
from tests.factories import COUNTY, TOWNSHIP, VILLAGE, make_id
from tests.unit.services.reports.county import (
    APRIL,
    MARCH,
    TOWNSHIP2,
    VILLAGE2,
    VILLAGE3,
    april_changes,
    d,
    march_changes,
)


def _json(db, month, **kw):
    with db.session() as s:
        return rep.monthly_report(s, month, **kw).to_json()


def test_month_figures_come_from_dated_records_and_stay_after_later_changes(county):
    db, ids = county
    with db.session() as s:
        march_changes(s, ids)
    march = _json(db, MARCH)
    t = march["total"]
    assert march["month"] == MARCH and march["region"] == {"code": COUNTY, "name": "示例县"}
    assert march["submitted"] is False and march["revision"] is None
    assert set(t) == set(rep.FIGURE_KEYS)
    # 张三 (3 people now) and 单明 (2) and 赵六 (new, 1) are 脱贫户; 王五 is a 一般农户.
    assert (t["households_tuopin"], t["people_tuopin"]) == (3, 6)
    assert (t["households_monitored"], t["people_monitored"]) == (1, 2)
    assert t["monitored_by_category"]["脱贫不稳定户"] == {"households": 1, "people": 2}
    assert (t["new_monitored_households"], t["new_monitored_people"]) == (1, 2)
    assert (t["households_risk_open"], t["households_risk_eliminated"]) == (1, 0)
    assert t["people_added"] == 1 and t["added_by_reason"]["出生"] == 1
    assert t["people_removed"] == 0
    assert (t["problems_open"], t["problems_closed"]) == (2, 0)
    assert t["workers_by_place"]["省外"] == 1
    assert (t["projects_planned"], t["projects_started"], t["projects_completed"]) == (2, 1, 0)
    assert t["start_rate"] == 0.5 and t["completion_rate"] == 0.0
    assert (t["funds_allocated"], t["funds_disbursed"], t["funds_spent"]) == ("100000.00", "40000.50", "0.00")
    assert t["disbursement_rate"] == pytest.approx(0.4000050)
    assert (t["assets_new"], t["assets_count"], t["assets_value"]) == (1, 1, "50000.00")
    # February: nothing planned before the 10th … and the month before the changes.
    feb = _json(db, "2026-02")["total"]
    assert (feb["households_tuopin"], feb["people_tuopin"], feb["households_monitored"]) == (2, 4, 0)
    assert feb["projects_planned"] == 1 and feb["start_rate"] == 0.0 and feb["assets_count"] == 0
    jan = _json(db, "2026-01")["total"]
    assert jan["projects_planned"] == 0 and jan["start_rate"] is None and jan["disbursement_rate"] is None

    with db.session() as s:
        april_changes(s, ids)
    assert _json(db, MARCH) == march
    t = _json(db, APRIL)["total"]
    assert t["people_removed"] == 1 and t["removed_by_reason"]["死亡"] == 1 and t["people_added"] == 0
    assert t["people_tuopin"] == 5
    assert (t["eliminated_households"], t["eliminated_people"]) == (1, 2)
    assert (t["households_risk_eliminated"], t["households_risk_open"], t["households_monitored"]) == (1, 0, 1)
    assert (t["problems_open"], t["problems_closed"]) == (0, 2)
    assert t["projects_completed"] == 1 and t["funds_spent"] == "30000.00"
    assert t["spending_progress"] == pytest.approx(0.3)
    assert (t["assets_disposed"], t["assets_count"], t["assets_value"]) == (1, 0, "0.00")


def test_returned_households_and_medical_insurance_rate(county):
    """返贫/致贫: the households whose 返贫 is reported in the month (not the newly monitored,
    counted as 新识别监测); 医保参保率: insured people of 脱贫户 and 监测户 present at the
    month's end ÷ those people (today's insurance flags)."""
    db, ids = county
    a, b, c = ids
    with db.session() as s:
        for m in s.get(reg.Household, a).members:
            m.has_resident_medical = True  # 张三 and his wife
        s.get(reg.Household, b).members[0].has_employee_medical = True  # 单明 only
        for m in s.get(reg.Household, c).members:
            m.has_resident_medical = False  # 王五's household: 一般农户, not counted
        march_changes(s, ids)  # a baby (no insurance) in 张三's household; 赵六 (none); 单明 monitored
    t = _json(db, MARCH)["total"]
    assert (t["returned_households"], t["returned_people"]) == (0, 0)
    assert (t["people_covered"], t["people_insured"]) == (6, 3)
    assert t["medical_insurance_rate"] == pytest.approx(0.5)
    with db.session() as s:
        reg.mark_return(s, a, return_cause="01", effective=d(APRIL, 3), reported_month=APRIL)
        hh = s.get(reg.Household, a)
        baby = next(m for m in hh.members if m.name == "张小宝")
        baby.has_resident_medical = True
        spouse = next(m for m in hh.members if m.relation == "02")
        reg.remove_member(s, a, spouse.id, reason="死亡", effective=d(APRIL, 2), reported_month=APRIL)
    april = _json(db, APRIL)
    t = april["total"]
    assert (t["returned_households"], t["returned_people"]) == (1, 2)
    assert (t["people_covered"], t["people_insured"]) == (5, 3)
    assert t["medical_insurance_rate"] == pytest.approx(0.6)
    village = next(r for r in april["rows"] if r["code"] == VILLAGE)["figures"]
    assert (village["returned_households"], village["people_covered"]) == (1, 4)
    # March as of its end: the wife is counted again (insured), the baby's flag is today's.
    t = _json(db, MARCH)["total"]
    assert (t["returned_households"], t["people_covered"], t["people_insured"]) == (0, 6, 4)
    assert _json(db, "2026-05")["total"]["returned_households"] == 0


def test_rows_are_in_code_order_and_sum_to_the_total(county):
    db, ids = county
    with db.session() as s:
        march_changes(s, ids)
        report = rep.monthly_report(s, MARCH)
        township_report = rep.monthly_report(s, MARCH, TOWNSHIP)
    assert [(r.code, r.level) for r in report.rows] == [
        (TOWNSHIP, "township"), (VILLAGE, "village"), (VILLAGE2, "village"), (TOWNSHIP, "own"),
        (TOWNSHIP2, "township"), (VILLAGE3, "village")]
    assert report.rows[3].name == "城关镇本级" and report.rows[3].figures["projects_planned"] == 1
    parts = [r for r in report.rows if r.level in ("village", "own")]
    for key in rep.FIGURE_KEYS:
        if key in rep.RATES:
            continue
        if key in rep.NESTED_KEYS:
            total = report.total[key]
            for sub in total:
                summed = sum((r.figures[key][sub] if not isinstance(total[sub], dict) else
                              r.figures[key][sub]["households"]) for r in parts)
                assert summed == (total[sub] if not isinstance(total[sub], dict) else total[sub]["households"])
        else:
            assert sum(r.figures[key] for r in parts) == report.total[key], key
    townships = [r for r in report.rows if r.level == "township"]
    assert sum(r.figures["people_tuopin"] for r in townships) == report.total["people_tuopin"]
    assert township_report.region_name == "城关镇"
    assert [r.code for r in township_report.rows] == [VILLAGE, VILLAGE2, TOWNSHIP]
    assert township_report.total["projects_planned"] == 2
    assert township_report.title == "城关镇2026年03月巩固拓展脱贫攻坚成果统计月报表"


def test_submit_locks_the_month_and_unlock_gives_a_second_revision(county):
    db, ids = county
    a, b, _c = ids
    with db.session() as s:
        march_changes(s, ids)
        assert rep.submit_report(s, MARCH, None, user="王会计") == 1
    with pytest.raises(UserError, match="2026-04（第一个未锁定的月份）"), db.session() as s:
        reg.add_member(s, a, reg.NewMember(name="张二宝", id_number=make_id(d(MARCH, 4), 13),
                                          relation="03", sex="1"),
                       reason="出生", effective=d(MARCH, 4), reported_month=MARCH)
    with pytest.raises(UserError, match="已上报锁定"), db.session() as s:
        reg.eliminate_risk(s, b, mode="02", eliminated_on=d(MARCH, 30), reported_month=APRIL)
    with pytest.raises(UserError, match="已上报"), db.session() as s:
        rep.submit_report(s, MARCH, None, user="王会计")
    with db.session() as s:
        # A change reported in April goes in; March as submitted does not move.
        reg.add_member(s, a, reg.NewMember(name="张二宝", id_number=make_id(d(MARCH, 4), 13),
                                          relation="03", sex="1"),
                       reason="出生", effective=d(MARCH, 4), reported_month=APRIL)
        saved = rep.monthly_report(s, MARCH)
        live = rep.monthly_report(s, MARCH, live=True)
        assert saved.submitted and saved.revision == 1 and saved.submitted_by == "王会计"
        assert saved.to_json() == {**live.to_json(), "submitted": True, "revision": 1}
        assert rep.month_lock(s, None, MARCH).revision == 1
        assert rep.month_lock(s, None, APRIL) is None
        with pytest.raises(UserError, match="原因"):
            rep.unlock_month(s, MARCH, None, reason="  ", user="王会计")
        rep.unlock_month(s, MARCH, None, reason="补录3月新生儿", user="王会计")
    with db.session() as s:
        assert not rep.monthly_report(s, MARCH).submitted
        reg.add_member(s, a, reg.NewMember(name="张三宝", id_number=make_id(d(MARCH, 6), 15),
                                          relation="03", sex="1"),
                       reason="出生", effective=d(MARCH, 6), reported_month=MARCH)
        assert rep.submit_report(s, MARCH, None, user="李审核") == 2
    with db.session() as s:
        first, second = rep.saved_report(s, MARCH, None, 1), rep.saved_report(s, MARCH, None, 2)
        current = rep.monthly_report(s, MARCH)
        history = rep.lock_history(s, None, MARCH)
        revisions = rep.report_revisions(s, MARCH, None)
    assert first.total["people_added"] == 1 and second.total["people_added"] == 2
    assert current.revision == 2 and current.submitted_by == "李审核"
    assert [(h.locked, h.unlock_reason) for h in history] == [(False, "补录3月新生儿"), (True, None)]
    assert [r["revision"] for r in revisions] == [1, 2]


def test_a_lock_covers_only_its_region(county):
    db, ids = county
    a, _b, c = ids
    with db.session() as s:
        rep.submit_report(s, MARCH, TOWNSHIP2, user="王会计")
    with db.session() as s:
        reg.add_member(s, a, reg.NewMember(name="张小宝", id_number=make_id(d(MARCH, 2), 11),
                                          relation="03", sex="1"),
                       reason="出生", effective=d(MARCH, 3), reported_month=MARCH)
        with pytest.raises(UserError, match="石屯镇 2026-03"):
            rep.ensure_month_open(s, MARCH, VILLAGE3)
        with pytest.raises(UserError):
            rep.ensure_month_open(s, MARCH)
        rep.ensure_month_open(s, APRIL, VILLAGE3)
    with pytest.raises(UserError, match="不存在"), db.session() as s:
        rep.monthly_report(s, MARCH, "522326999000")
    with pytest.raises(UserError, match="年-月"), db.session() as s:
        rep.monthly_report(s, "2026-13")


def test_yearly_report_counts_the_whole_year(county):
    db, ids = county
    with db.session() as s:
        march_changes(s, ids)
        april_changes(s, ids)
        year = rep.yearly_report(s, 2026)
        april = rep.monthly_report(s, APRIL)
    data = year.to_json()
    assert data["year"] == "2026" and "month" not in data
    assert year.title == "示例县2026年巩固拓展脱贫攻坚成果统计年报表"
    t = year.total
    assert (t["people_added"], t["people_removed"]) == (1, 1)
    assert (t["new_monitored_households"], t["eliminated_households"]) == (1, 1)
    assert (t["assets_new"], t["assets_disposed"]) == (1, 1)
    assert t["people_tuopin"] == april.total["people_tuopin"]


def test_compare_trend_and_households_behind(county):
    db, ids = county
    a, b, _c = ids
    with db.session() as s:
        march_changes(s, ids)
        april_changes(s, ids)
        march, april = rep.monthly_report(s, MARCH), rep.monthly_report(s, APRIL)
        delta = rep.compare(april, march)
        trend = rep.trend(s, None, APRIL, months=3)
        assert rep.households_behind(s, MARCH, COUNTY, "new_monitored_households") == [b]
        assert rep.households_behind(s, APRIL, VILLAGE, "people_removed") == [a]
        assert rep.households_behind(s, MARCH, VILLAGE, "problems_open") == [a]
        assert rep.households_behind(s, MARCH, VILLAGE2, "households_tuopin") == []
        with pytest.raises(UserError):
            rep.households_behind(s, MARCH, COUNTY, "funds_spent")
        # by reason and by place: the sub-columns of 自然增加/减少 and 务工
        assert rep.households_behind(s, MARCH, COUNTY, "added_by_reason.出生") == [a]
        assert rep.households_behind(s, MARCH, COUNTY, "added_by_reason.其他") == []
        assert rep.households_behind(s, APRIL, COUNTY, "removed_by_reason.死亡") == [a]
        assert rep.households_behind(s, APRIL, COUNTY, "removed_by_reason.迁出") == []
        assert rep.households_behind(s, MARCH, COUNTY, "workers_by_place.省外") == [a]
        assert rep.households_behind(s, MARCH, COUNTY, "workers_by_place.县内") == []
        assert rep.households_behind(s, MARCH, COUNTY, "returned_households") == []
    assert delta["total"]["people_tuopin"] == -1
    assert delta["total"]["funds_spent"] == Decimal("30000.00")
    assert delta[VILLAGE]["removed_by_reason"]["死亡"] == 1
    assert [m for m, _f in trend] == ["2026-02", MARCH, APRIL]
    assert trend[1][1]["people_added"] == 1


def test_every_count_column_is_drillable_and_each_key_is_answered(county):
    """The report's columns name their drill key through the service (one list), and the
    service answers every key it publishes."""
    from fupin_desktop.services.reports import columns as C

    db, ids = county
    drilled = {rep.drill_key(c.key) for c in C.columns()} - {None}
    assert drilled == set(rep.DRILL_KEYS) - {"workers_by_place"}
    assert rep.drill_key("added_by_reason.婚入") == "added_by_reason.婚入"
    assert rep.drill_key("monitored_by_category.边缘易致贫户.people") == "monitored_by_category.边缘易致贫户"
    assert rep.drill_key("start_rate") is None and rep.drill_key("assets_count") is None
    with db.session() as s:
        march_changes(s, ids)
        for key in sorted(rep.DRILL_KEYS):
            assert isinstance(rep.households_behind(s, MARCH, COUNTY, key), list), key


def test_trend_equals_the_report_of_each_month(county):
    """The 12-month trend (one grouped computation) gives each month's report total."""
    db, ids = county
    a, b, _c = ids
    with db.session() as s:
        march_changes(s, ids)
        april_changes(s, ids)
        reg.mark_return(s, a, return_cause="01", effective=d(APRIL, 3), reported_month=APRIL)
        s.add(GuaranteeCheck(household_id=b, year=2026, medical_problem=True))  # undated: from January
        s.add(GuaranteeCheck(household_id=b, year=2025, water_problem=True, checked_on=dt.date(2025, 11, 2)))
        s.flush()
        for region in (None, TOWNSHIP, VILLAGE):
            trend = rep.trend(s, region, "2026-06")
            assert [m for m, _f in trend][0] == "2025-07" and len(trend) == 12
            for month, total in trend:
                assert total == rep.monthly_report(s, month, region, live=True).total, (region, month)
        jan = dict(rep.trend(s, None, "2026-06"))
        assert jan["2026-01"]["problems_open"] == 1 and jan["2025-12"]["problems_open"] == 1
        assert jan[APRIL]["returned_households"] == 1 and jan[MARCH]["people_added"] == 1


def test_trend_on_a_demo_county_equals_each_month(db):
    """A demo county with changes in many months: every month of the trend as the report."""
    from fupin_desktop.services import demo
    from fupin_desktop.services.reports import figures as F

    demo.generate(db, households=150, seed=5)
    with db.session() as s:
        trend = rep.trend(s, None, "2026-10")
        for month, total in trend:
            assert total == rep.monthly_report(s, month, live=True).total, month
        # the same with every step as a full pass
        original = F._FULL_PASS_SHARE
        F._FULL_PASS_SHARE = 0
        try:
            assert rep.trend(s, None, "2026-10") == trend
        finally:
            F._FULL_PASS_SHARE = original
    assert any(t["new_monitored_households"] for _m, t in trend)
    assert any(t["people_added"] for _m, t in trend)
