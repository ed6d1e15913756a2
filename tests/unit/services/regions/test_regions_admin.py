"""County set-up and 区划设置: list, add, rename, merge, retire, with history and audit."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from fupin_desktop.errors import UserError
from fupin_desktop.models import AuditLog, ChangeEvent, Household, Region, RegionChange
from fupin_desktop.services import regions as R
from fupin_desktop.services.regions import national, setup_county
from tests.factories import TOWNSHIP, VILLAGE, add_household, add_regions

WANGMO = "522326000000"
DAY = dt.date(2024, 5, 1)


def _codes(session) -> set[str]:
    return set(session.scalars(select(Region.code)))


def test_setup_county_whole_and_idempotent(db):
    nat = national()
    towns = nat.children(WANGMO)
    villages = [v for t in towns for v in nat.children(t.code)]
    with db.session() as s:
        assert not R.has_regions(s)
        created = setup_county(s, "522326")
        assert R.has_regions(s)
    assert len(created) == 3 + len(towns) + len(villages)
    with db.session() as s:
        assert _codes(s) == {"520000000000", "522300000000", WANGMO} | {e.code for e in towns + villages}
        county = s.scalar(select(Region).where(Region.code == WANGMO))
        assert (county.name, county.level, county.parent_code) == ("望谟县", "county", "522300000000")
        assert setup_county(s, "望谟县") == []


def test_setup_county_chosen_townships_by_name_or_code(db):
    with db.session() as s:
        setup_county(s, "望谟", ["王母", "522326101"])
        towns = s.scalars(select(Region.name).where(Region.level == "township").order_by(Region.code)).all()
    assert towns == ["王母街道", "乐元镇"]


@pytest.mark.parametrize("county, townships, message", [
    ("城关区", None, "540102000000"),  # two counties of that name: both listed
    ("没有这个县", None, "找不到"),
    ("5223", None, "不是县级行政区划代码"),
    ("望谟县", ["没有这个镇"], "王母街道"),  # the county's townships are listed
    ("望谟县", ["522327001"], "不是"),
])
def test_setup_county_bad_input_changes_nothing(db, county, townships, message):
    with db.session() as s:
        with pytest.raises(UserError, match=message):
            setup_county(s, county, townships)
        assert not R.has_regions(s)


def test_setup_county_keeps_existing_names(db):
    with db.session() as s:
        add_regions(s)  # 522326 named 示例县, with a township the national list lacks
        setup_county(s, WANGMO, ["王母街道"])
        assert s.scalar(select(Region.name).where(Region.code == WANGMO)) == "示例县"
        assert s.scalar(select(Region.parent_code).where(Region.code == "522326001000")) == WANGMO


def test_list_regions_counts_households_up_the_tree(db):
    with db.session() as s:
        add_regions(s)
        add_household(s, no="5223261002010001", seq=1)
        add_household(s, no="5223261002010002", head="王五", seq=2)
        rows = {r.code: r for r in R.list_regions(s)}
    assert rows[VILLAGE].households == 2
    assert rows[TOWNSHIP].households == 2
    assert rows["520000000000"].households == 2
    assert rows[VILLAGE].parent_code == TOWNSHIP and rows[VILLAGE].level == "village"


def test_add_region_national_or_local_code(db):
    with db.session() as s:
        setup_county(s, WANGMO, ["王母街道"])
        known = national().children("522326101000")[0]
        town = R.add_region(s, WANGMO, "乐元镇", user="t")
        assert town.code == "522326101000"
        village = R.add_region(s, town.code, known.name + "委会", user="t")
        assert (village.code, village.name) == (known.code, known.name)
        local = R.add_region(s, town.code, "新村", user="t")
        assert R.is_local_code(local.code) and local.code.startswith("522326101")
        with pytest.raises(UserError, match="已有名为"):
            R.add_region(s, town.code, "新村村委会", user="t")
        with pytest.raises(UserError, match="不是"):
            R.add_region(s, town.code, "别村", code="522326001999", user="t")
        with pytest.raises(UserError, match="村民小组"):
            R.add_region(s, local.code, "一组", user="t")
        kinds = s.scalars(select(RegionChange.kind)).all()
    assert kinds == ["add", "add", "add"]


def test_rename_keeps_the_date_and_households_follow_a_new_code(db):
    with db.session() as s:
        add_regions(s)
        hh = add_household(s)
        hh_id = hh.id
        with pytest.raises(UserError, match="没有改变"):
            R.rename_region(s, VILLAGE, name="新寨村委会", effective=DAY, user="t")  # same short name
    with db.session() as s:
        R.rename_region(s, VILLAGE, name="幸福村", new_code="522326100801", effective=DAY, user="t")
    with db.session() as s:
        assert s.get(Household, hh_id).region_code == "522326100801"
        region = s.scalar(select(Region).where(Region.code == "522326100801"))
        assert region.name == "幸福村"
        (change,) = s.scalars(select(RegionChange)).all()
        assert (change.kind, change.effective_date, change.old_code, change.new_code, change.old_name,
                change.new_name, change.region_id) == ("recode", DAY, VILLAGE, "522326100801", "新寨村",
                                                       "幸福村", region.id)
        history = R.region_history(s, "522326100801")
        assert history[0]["old_code"] == VILLAGE
        assert s.scalar(select(AuditLog.id).where(AuditLog.table_name == "regions",
                                                  AuditLog.action == "update")) is not None


@pytest.mark.parametrize("new_code, message", [
    ("522326101201", "不在上级区划"),  # another township
    ("522326100000", "不是村"),
    ("52232610080", "12位"),
])
def test_rename_refuses_bad_codes(db, new_code, message):
    with db.session() as s:
        add_regions(s)
        with pytest.raises(UserError, match=message):
            R.rename_region(s, VILLAGE, new_code=new_code, effective=DAY, user="t")
        with pytest.raises(UserError, match="下还有区划"):
            R.rename_region(s, TOWNSHIP, new_code="522326800000", effective=DAY, user="t")


def test_merge_moves_households_with_events_and_retires_the_source(db):
    with db.session() as s:
        add_regions(s)
        target = R.add_region(s, TOWNSHIP, "大寨村", user="t").code
        first = add_household(s, no="5223261002010001", seq=1).id
        second = add_household(s, no="5223261002010002", head="王五", seq=2).id
    with db.session() as s:
        moved = R.merge_region(s, VILLAGE, target, effective=DAY, reported_month="2024-05", user="t")
    assert moved == 2
    with db.session() as s:
        assert {s.get(Household, i).region_code for i in (first, second)} == {target}
        events = s.scalars(select(ChangeEvent).order_by(ChangeEvent.household_id)).all()
        assert [(e.household_id, e.type, e.reported_month, e.effective_date) for e in events] == [
            (first, "13", "2024-05", DAY), (second, "13", "2024-05", DAY)]
        assert events[0].details == {"region_code": [VILLAGE, target]}
        assert "合村并组" in events[0].note
        source = s.scalar(select(Region).where(Region.code == VILLAGE))
        assert not source.valid
        merge = s.scalar(select(RegionChange).where(RegionChange.kind == "merge"))
        assert (merge.old_code, merge.new_code, merge.households) == (VILLAGE, target, 2)
        assert VILLAGE not in {r.code for r in R.list_regions(s)}
        assert VILLAGE in {r.code for r in R.list_regions(s, include_retired=True)}


def test_merge_refusals(db):
    with db.session() as s:
        add_regions(s)
        with pytest.raises(UserError, match="自己"):
            R.merge_region(s, VILLAGE, VILLAGE, effective=DAY, reported_month="2024-05", user="t")
        with pytest.raises(UserError, match="同一级"):
            R.merge_region(s, VILLAGE, TOWNSHIP, effective=DAY, reported_month="2024-05", user="t")
        other = R.add_region(s, TOWNSHIP, "大寨村", user="t").code
        with pytest.raises(UserError, match="报告月份"):
            R.merge_region(s, VILLAGE, other, effective=DAY, reported_month="2024年5月", user="t")


def test_retire_refuses_a_region_in_use_and_never_deletes(db):
    with db.session() as s:
        add_regions(s)
        add_household(s)
        with pytest.raises(UserError, match="1 户"):
            R.retire_region(s, VILLAGE, effective=DAY, user="t")
        with pytest.raises(UserError, match="下级区划"):
            R.retire_region(s, TOWNSHIP, effective=DAY, user="t")
        empty = R.add_region(s, TOWNSHIP, "空村", user="t").code
        R.retire_region(s, empty, effective=DAY, user="t")
        with pytest.raises(UserError, match="已经撤销"):
            R.retire_region(s, empty, effective=DAY, user="t")
    with db.session() as s:
        region = s.scalar(select(Region).where(Region.code == empty))
        assert region is not None and not region.valid
        assert s.scalar(select(RegionChange.kind).where(RegionChange.code == empty,
                                                       RegionChange.kind == "retire")) == "retire"
