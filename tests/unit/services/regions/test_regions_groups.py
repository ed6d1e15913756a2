"""村民小组 (组) in 区划设置: list in number order, add (kept with no households), rename and
merge (households follow with dated 信息变更 events), retire an empty 组."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from fupin_desktop.errors import UserError
from fupin_desktop.models import ChangeEvent, Household, RegionChange, VillageGroup
HOUSEHOLD_CLOSED = "02"  # household_status 已销户
from fupin_desktop.rules.text import chinese_number, group_sort_key
from fupin_desktop.services import regions as R
from tests.factories import TOWNSHIP, VILLAGE, add_household, add_regions

DAY = dt.date(2024, 6, 3)


def _village(s, groups: dict[str, int]) -> dict[str, list[int]]:
    """Households in ``VILLAGE``: ``{组: how many}``; returns their ids per 组."""
    add_regions(s)
    ids: dict[str, list[int]] = {}
    seq = 1
    for name, n in groups.items():
        for _ in range(n):
            hh = add_household(s, no=f"52232610020100{seq:02d}", head=f"户主{seq}", seq=seq)
            hh.group_name = name
            ids.setdefault(name, []).append(hh.id)
            seq += 1
    s.flush()
    return ids


@pytest.mark.parametrize(("text", "n"), [("一", 1), ("十", 10), ("十一", 11), ("二十", 20), ("九十九", 99),
                                         ("十十", None), ("二二十", None), ("新", None), ("", None)])
def test_chinese_numbers(text, n):
    assert chinese_number(text) == n


def test_group_sort_key_puts_numbers_in_order():
    names = ["十一组", "新村组", "二组", "10组", "十组", "一组", "", "三组"]
    assert sorted(names, key=group_sort_key) == ["一组", "二组", "三组", "10组", "十组", "十一组", "", "新村组"]


def test_list_groups_in_number_order_with_counts(db):
    with db.session() as s:
        _village(s, {"十一组": 1, "二组": 2, "一组": 1, "十组": 3})
        rows = R.list_groups(s, VILLAGE)
    assert [(g.name, g.households, g.people) for g in rows] == [
        ("一组", 1, 2), ("二组", 2, 4), ("十组", 3, 6), ("十一组", 1, 2)]


def test_closed_households_are_not_counted(db):
    with db.session() as s:
        ids = _village(s, {"一组": 2})
        s.get(Household, ids["一组"][0]).status = HOUSEHOLD_CLOSED
        s.flush()
        assert [(g.name, g.households) for g in R.list_groups(s, VILLAGE)] == [("一组", 1)]


def test_add_keeps_an_empty_group_and_refuses_duplicates(db):
    with db.session() as s:
        _village(s, {"一组": 1})
        R.add_group(s, VILLAGE, " 三组 ", effective=DAY, user="t")
    with db.session() as s:
        assert [(g.name, g.households) for g in R.list_groups(s, VILLAGE)] == [("一组", 1), ("三组", 0)]
        with pytest.raises(UserError, match="已有“一组”"):
            R.add_group(s, VILLAGE, "一组", effective=DAY, user="t")
        with pytest.raises(UserError, match="不是村"):
            R.add_group(s, TOWNSHIP, "一组", effective=DAY, user="t")
        with pytest.raises(UserError, match="请填写"):
            R.add_group(s, VILLAGE, "  ", effective=DAY, user="t")
        change = s.scalar(select(RegionChange).where(RegionChange.kind == "grp_add"))
        assert (change.code, change.new_name, change.effective_date) == (VILLAGE, "三组", DAY)


def test_rename_moves_households_with_dated_events(db):
    with db.session() as s:
        ids = _village(s, {"一组": 2, "二组": 1})
    with db.session() as s:
        moved = R.rename_group(s, VILLAGE, "一组", "东风组", effective=DAY, reported_month="2024-06", user="t")
    assert moved == 2
    with db.session() as s:
        assert {s.get(Household, i).group_name for i in ids["一组"]} == {"东风组"}
        assert s.get(Household, ids["二组"][0]).group_name == "二组"
        events = s.scalars(select(ChangeEvent).order_by(ChangeEvent.household_id)).all()
        assert [(e.household_id, e.type, e.reported_month, e.effective_date) for e in events] == [
            (i, "13", "2024-06", DAY) for i in ids["一组"]]
        assert events[0].details == {"村民小组": ["一组", "东风组"]}
        assert [g.name for g in R.list_groups(s, VILLAGE)] == ["二组", "东风组"]
        change = s.scalar(select(RegionChange).where(RegionChange.kind == "grp_rename"))
        assert (change.old_name, change.new_name, change.households) == ("一组", "东风组", 2)
        with pytest.raises(UserError, match="合并"):
            R.rename_group(s, VILLAGE, "二组", "东风组", effective=DAY, reported_month="2024-06", user="t")
        with pytest.raises(UserError, match="没有名为“一组”"):
            R.rename_group(s, VILLAGE, "一组", "五组", effective=DAY, reported_month="2024-06", user="t")


def test_merge_moves_households_and_retires_the_source(db):
    with db.session() as s:
        ids = _village(s, {"一组": 1, "二组": 2})
    with db.session() as s:
        moved = R.merge_group(s, VILLAGE, "二组", "一组", effective=DAY, reported_month="2024-06", user="t")
    assert moved == 2
    with db.session() as s:
        assert {s.get(Household, i).group_name for i in ids["二组"]} == {"一组"}
        assert [(g.name, g.households) for g in R.list_groups(s, VILLAGE)] == [("一组", 3)]
        assert [(g.name, g.valid) for g in R.list_groups(s, VILLAGE, include_retired=True)] == [
            ("一组", True), ("二组", False)]
        assert s.scalar(select(VillageGroup.valid).where(VillageGroup.name == "二组")) is False
        assert len(s.scalars(select(ChangeEvent)).all()) == 2
        with pytest.raises(UserError, match="自己"):
            R.merge_group(s, VILLAGE, "一组", "一组", effective=DAY, reported_month="2024-06", user="t")
        with pytest.raises(UserError, match="报告月份"):
            R.rename_group(s, VILLAGE, "一组", "六组", effective=DAY, reported_month="6月", user="t")
        with pytest.raises(UserError, match="没有名为“二组”"):
            R.merge_group(s, VILLAGE, "一组", "二组", effective=DAY, reported_month="2024-06", user="t")


def test_retire_only_an_empty_group(db):
    with db.session() as s:
        _village(s, {"一组": 1})
        R.add_group(s, VILLAGE, "二组", effective=DAY, user="t")
        with pytest.raises(UserError, match="还有 1 户"):
            R.retire_group(s, VILLAGE, "一组", effective=DAY, user="t")
        R.retire_group(s, VILLAGE, "二组", effective=DAY, user="t")
        assert [g.name for g in R.list_groups(s, VILLAGE)] == ["一组"]
        with pytest.raises(UserError, match="没有名为"):
            R.retire_group(s, VILLAGE, "二组", effective=DAY, user="t")
        R.add_group(s, VILLAGE, "二组", effective=DAY, user="t")  # a retired name comes back
        assert [g.name for g in R.list_groups(s, VILLAGE)] == ["一组", "二组"]
        kinds = s.scalars(select(RegionChange.kind).order_by(RegionChange.id)).all()
        assert kinds[-3:] == ["grp_add", "grp_retire", "grp_add"]


def test_a_village_code_change_carries_its_groups(db):
    with db.session() as s:
        add_regions(s)
        R.add_group(s, VILLAGE, "一组", effective=DAY, user="t")
        new_code = VILLAGE[:9] + "901"
        R.rename_region(s, VILLAGE, new_code=new_code, effective=DAY, user="t")
        assert [g.name for g in R.list_groups(s, new_code)] == ["一组"]
