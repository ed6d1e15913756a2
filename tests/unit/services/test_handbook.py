"""services.handbook: helpers, assignments with history, work teams, entries, 4-3-2-1."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from fupin_desktop.errors import UserError
from fupin_desktop.services import handbook as hb
from tests.factories import VILLAGE, add_household, add_regions


@pytest.fixture
def setup(db):
    with db.session() as s:
        add_regions(s)
        a = add_household(s, no="H1", head="张三", seq=1)
        b = add_household(s, no="H2", head="李四", seq=2)
        c = add_household(s, no="H3", head="王五", seq=3)
        return db, a.id, b.id, c.id


def test_save_helper_normalizes_codes_and_checks_input(setup):
    db, *_ = setup
    with db.session() as s:
        h = hb.save_helper(s, {"name": " 陈永贵 ", "unit_name": "县财政局", "unit_level": "县直",
                               "cadre_rank": "正科", "phone": "13817347564", "sex": "男"})
        assert (h.name, h.unit_level, h.cadre_rank, h.sex) == ("陈永贵", "50", "02", "1")
        hid = h.id
    with db.session() as s, pytest.raises(UserError, match="请填写姓名"):
        hb.save_helper(s, {"name": ""})
    with db.session() as s, pytest.raises(UserError, match="手机号"):
        hb.save_helper(s, {"name": "甲", "phone": "1381734756"})
    with db.session() as s, pytest.raises(UserError, match="干部职级"):
        hb.save_helper(s, {"name": "甲", "cadre_rank": "处长"})
    with db.session() as s:
        hb.save_helper(s, {"name": "陈永贵", "cadre_rank": "副科"}, helper_id=hid)
        rows = hb.list_helpers(s, "陈")
        assert [r.helper.cadre_rank for r in rows] == ["03"]


def test_changing_the_helper_keeps_history(setup):
    db, a, *_ = setup
    with db.session() as s:
        old = hb.save_helper(s, {"name": "甲"}).id
        new = hb.save_helper(s, {"name": "乙"}).id
        hb.assign_helper(s, a, old, "2021-03-01")
    with db.session() as s:
        hb.assign_helper(s, a, new, dt.date(2023, 6, 1))
    with db.session() as s:
        rows = hb.assignments_of(s, a)
        assert [(r.helper.name, r.start_date, r.end_date) for r in rows] == [
            ("甲", dt.date(2021, 3, 1), dt.date(2023, 5, 31)),
            ("乙", dt.date(2023, 6, 1), None),
        ]
        with pytest.raises(UserError, match="已经是"):
            hb.assign_helper(s, a, new, "2024-01-01")
        with pytest.raises(UserError, match="不能早于"):
            hb.assign_helper(s, a, old, "2022-01-01")
        with pytest.raises(UserError, match="结束时间不能早于"):
            hb.end_assignment(s, rows[1].id, "2020-01-01")
        hb.end_assignment(s, rows[1].id, "2025年12月31日")
    with db.session() as s:
        assert hb.assignments_of(s, a)[1].end_date == dt.date(2025, 12, 31)


def test_load_check_4321(setup):
    db, a, b, c = setup
    with db.session() as s:
        cadre = hb.save_helper(s, {"name": "一般干部", "cadre_rank": "04"}).id
        deputy = hb.save_helper(s, {"name": "副科长", "cadre_rank": "03"}).id
        unranked = hb.save_helper(s, {"name": "无职级"}).id
        hb.assign_helper(s, a, cadre, "2024-01-01")
        hb.assign_helper(s, b, cadre, "2024-01-01")  # 2 > 1: overloaded
        hb.assign_helper(s, c, deputy, "2024-01-01")  # 1 <= 2: fine
    with db.session() as s:
        report = hb.load_check(s, VILLAGE, on=dt.date(2025, 1, 1))
        assert [(o.helper.name, o.households, o.limit) for o in report.overloaded] == [("一般干部", 2, 1)]
        assert report.without_helper == [] and report.unranked == []
        # Ending c's assignment: c (a 脱贫户) now has nobody.
        row = hb.assignments_of(s, c)[0]
        hb.end_assignment(s, row.id, "2024-06-30")
        hb.assign_helper(s, a, unranked, "2024-02-01", role="02")
    with db.session() as s:
        report = hb.load_check(s, on=dt.date(2025, 1, 1))
        assert [h.household_no for h in report.without_helper] == ["H3"]
        assert not report.ok
        assert hb.helper_loads(s, dt.date(2025, 1, 1)) == {cadre: 2}


def test_entries_add_update_delete(setup):
    db, a, *_ = setup
    with db.session() as s:
        e = hb.add_entry(s, a, {"section": "措施", "category": "产业", "content": "发放果苗",
                                "amount": "2,300", "entry_date": "2024.03.05"})
        assert (e.year, e.section, e.category, e.amount) == (2024, "02", "01", Decimal("2300.00"))
        eid = e.id
    with db.session() as s:
        with pytest.raises(UserError, match="走访日期"):
            hb.add_entry(s, a, {"section": "走访", "content": "入户"})
        with pytest.raises(UserError, match="请填写内容"):
            hb.update_entry(s, eid, {"section": "02", "content": " "})
        with pytest.raises(UserError, match="不是有效金额"):
            hb.add_entry(s, a, {"section": "02", "content": "x", "amount": "三千"})
        hb.update_entry(s, eid, {"section": "成效", "content": "增收", "amount": 800, "year": 2025})
    with db.session() as s:
        assert [(x.section, x.year) for x in hb.entries_of(s, a)] == [("03", 2025)]
        assert hb.entries_of(s, a, year=2024) == []
        hb.delete_entry(s, eid)
    with db.session() as s:
        assert hb.entries_of(s, a) == []


def test_team_members_and_search(setup):
    db, a, *_ = setup
    with db.session() as s:
        hb.save_team_member(s, {"region_code": VILLAGE, "name": "杨仙", "roles": "第一书记、队长",
                                "start_date": "2023-06-01", "unit_name": "省乡村振兴局"})
        hb.save_team_member(s, {"region_code": VILLAGE, "name": "刘翠", "roles": ["队员"],
                                "start_date": "2021-06-01", "end_date": "2023-05-31"})
        with pytest.raises(UserError, match="职务"):
            hb.save_team_member(s, {"region_code": VILLAGE, "name": "x", "start_date": "2023-01-01"})
    with db.session() as s:
        team = hb.team_of(s, VILLAGE, on=dt.date(2024, 1, 1))
        assert [t.name for t in team] == ["杨仙", "刘翠"]
        assert team[0].is_first_secretary and team[0].is_leader and not team[0].is_member
        assert [t.name for t in hb.team_of(s, VILLAGE, current_only=True, on=dt.date(2024, 1, 1))] == ["杨仙"]
        # The handbook page searches with the registry's search and shows these lines.
        from fupin_desktop.services import registry

        ids = registry.household_ids(s, registry.HouseholdFilter(text="王"))
        hits = hb.household_hits(s, ids)
        assert [h.household_no for h in hits] == ["H3"]
        assert hits[0].place.startswith("城关镇新寨村") and hits[0].head_name == "王五"
        ids = registry.household_ids(s, registry.HouseholdFilter(text="zs"))  # 拼音首字母 too
        assert [h.head_name for h in hb.household_hits(s, ids)] == ["张三"]
        ids = [h.id for h in hits] + [10**9]  # order kept, missing ids left out
        assert [h.household_no for h in hb.household_hits(s, ids[::-1])] == ["H3"]
