"""The database itself refuses data that breaks identity, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from factories import VILLAGE, add_household, add_regions, make_id
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from fupin_desktop.models import Household, HouseholdYear, Member


@pytest.fixture
def seeded(db):
    with db.session() as s:
        add_regions(s)
        add_household(s)
    return db


def test_two_heads_in_one_household_are_refused(seeded):
    with pytest.raises(IntegrityError), seeded.session() as s:
        hh = s.scalars(select(Household)).one()
        s.add(Member(household=hh, name="王五", relation="01", seq=3))
        s.flush()


def test_a_former_head_who_left_does_not_block_a_new_head(seeded):
    with seeded.session() as s:
        hh = s.scalars(select(Household)).one()
        head = next(m for m in hh.members if m.relation == "01")
        head.status = "02"
        head.left_on = dt.date(2026, 3, 1)
        s.flush()
        spouse = next(m for m in hh.members if m.relation == "02")
        spouse.relation = "01"
        s.flush()
    with seeded.session() as s:
        heads = s.scalars(select(Member).where(Member.relation == "01")).all()
        assert len(heads) == 2
        assert sorted(m.status for m in heads) == ["01", "02"]


def test_the_same_id_number_twice_among_current_members_is_refused(seeded):
    with pytest.raises(IntegrityError), seeded.session() as s:
        hh2 = add_household(s, no="5223261002010002", head="赵六", seq=7)
        existing = s.scalars(select(Member).where(Member.household_id != hh2.id)).first()
        s.add(Member(household=hh2, name="复制", relation="03", id_number=existing.id18,
                     id18=existing.id18, seq=3))
        s.flush()


def test_a_member_who_left_may_reappear_with_the_same_id(seeded):
    with seeded.session() as s:
        hh = s.scalars(select(Household)).one()
        spouse = next(m for m in hh.members if m.relation == "02")
        spouse.status = "02"
        s.flush()
        other = add_household(s, no="5223261002010003", head="孙七", seq=9)
        s.add(Member(household=other, name=spouse.name, relation="02", id18=spouse.id18,
                     id_number=spouse.id18, seq=3))
        s.flush()


def test_foreign_keys_are_enforced(db):
    with pytest.raises(IntegrityError), db.session() as s:
        s.add(Household(household_no="X1", region_code="999999999999"))
        s.flush()


def test_work_months_must_be_0_to_12(seeded):
    with pytest.raises(IntegrityError), seeded.session() as s:
        m = s.scalars(select(Member)).first()
        m.work_months = 13
        s.flush()


def test_money_round_trips_as_decimal(seeded):
    with seeded.session() as s:
        hh = s.scalars(select(Household)).one()
        s.add(HouseholdYear(household=hh, year=2025, wage_income=Decimal("6000.10"),
                            per_capita_net_income=Decimal("4096.25")))
    with seeded.session() as s:
        row = s.scalars(select(HouseholdYear)).one()
        assert row.wage_income == Decimal("6000.10")
        assert isinstance(row.per_capita_net_income, Decimal)


def test_one_year_row_per_household_and_year(seeded):
    with pytest.raises(IntegrityError), seeded.session() as s:
        hh = s.scalars(select(Household)).one()
        s.add_all([HouseholdYear(household=hh, year=2025), HouseholdYear(household=hh, year=2025)])
        s.flush()


def test_saving_a_stale_household_fails_instead_of_overwriting(seeded):
    s1 = seeded.session_factory()
    s2 = seeded.session_factory()
    try:
        a = s1.scalars(select(Household)).one()
        b = s2.scalars(select(Household)).one()
        a.phone = "13800000001"
        s1.commit()
        b.phone = "13900000002"
        with pytest.raises(StaleDataError):
            s2.commit()
    finally:
        s1.close()
        s2.close()
    with seeded.session() as s:
        assert s.scalars(select(Household)).one().phone == "13800000001"


def test_deleting_a_region_in_use_is_refused(seeded):
    from fupin_desktop.models import Region

    with pytest.raises(IntegrityError), seeded.session() as s:
        s.delete(s.scalars(select(Region).where(Region.code == VILLAGE)).one())
        s.flush()

