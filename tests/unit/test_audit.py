"""Every write through a session lands in the audit log, with who, when, old and new values."""

from __future__ import annotations

import pytest
from factories import add_household, add_regions
from sqlalchemy import select, update

from fupin_desktop.models import AuditLog, Household, Member


def _audit(db, table=None):
    with db.session() as s:
        q = select(AuditLog).order_by(AuditLog.id)
        if table:
            q = q.where(AuditLog.table_name == table)
        return s.scalars(q).all()


def test_insert_update_delete_are_recorded_with_old_and_new_values(db):
    with db.session() as s:
        add_regions(s)
        hh = add_household(s)
        hh_id = hh.id
    inserts = _audit(db, "households")
    assert [r.action for r in inserts] == ["insert"]
    assert inserts[0].new_values["household_no"] == "5223261002010001"
    assert inserts[0].row_key == str(hh_id)
    assert inserts[0].user == "测试员"

    with db.session() as s:
        hh = s.get(Household, hh_id)
        hh.phone = "13800001111"
    rows = _audit(db, "households")
    assert rows[-1].action == "update"
    assert rows[-1].old_values == {"phone": None}
    assert rows[-1].new_values == {"phone": "13800001111"}

    with db.session() as s:
        member = s.scalars(select(Member).where(Member.relation == "02")).one()
        name = member.name
        s.delete(member)
    deleted = [r for r in _audit(db, "members") if r.action == "delete"]
    assert len(deleted) == 1
    assert deleted[0].old_values["name"] == name


def test_nothing_is_recorded_for_a_rolled_back_action(db):
    with db.session() as s:
        add_regions(s)
    before = len(_audit(db))
    with pytest.raises(RuntimeError), db.session() as s:
        add_household(s)
        raise RuntimeError("clerk pressed cancel")
    assert len(_audit(db)) == before


def test_an_unchanged_save_records_nothing(db):
    with db.session() as s:
        add_regions(s)
        hh_id = add_household(s).id
    before = len(_audit(db))
    with db.session() as s:
        hh = s.get(Household, hh_id)
        hh.phone = hh.phone  # same value
    assert len(_audit(db)) == before


def test_bulk_statements_through_the_session_are_recorded(db):
    with db.session() as s:
        add_regions(s)
        add_household(s)
    with db.session(note="批量改户类型") as s:
        s.execute(update(Household).values(household_type="一般农户"))
    last = _audit(db, "households")[-1]
    assert last.action == "update"
    assert "批量改户类型" in last.note
