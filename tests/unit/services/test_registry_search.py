"""The household list on SQLite and PostgreSQL: 户主 in pinyin order off a stored key (kept by
models.derived, filled in by migration 0003 for older databases), and the search that stays
quick on broad prefixes by listing their first households only."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from fupin_desktop import db as dbmod
from fupin_desktop.models import Household, Member
from fupin_desktop.services import registry as svc
from tests.factories import VILLAGE, add_household, add_regions, engine_at_revision, make_id

# Pinyin order: 阿 (a), 单 (shan, as a surname), 汪 (wang1), 王 (wang2), 曾 (zeng), 张 (zhang);
# code point order would put 张 (U+5F20) before 汪 and 王, and 阿 (U+963F) last.
HEADS = ("张三", "王五", "单明", "曾凡", "阿依古丽", "汪洋", "张一")
PINYIN_ORDER = ["阿依古丽", "单明", "汪洋", "王五", "曾凡", "张三", "张一"]


@pytest.fixture
def county(db):
    with db.session() as s:
        add_regions(s)
        ids = {}
        for i, head in enumerate(HEADS, start=1):
            hh = add_household(s, no=f"52232610020100{i:02d}", head=head, seq=i)
            ids[head] = hh.id
    return db, ids


def _heads(db, **kw) -> list[str]:
    with db.session() as s:
        rows = svc.household_rows(s, svc.household_ids(s, **kw))
    return [r.head_name for r in rows]


def test_head_names_sort_in_pinyin_order_both_ways(county):
    db, ids = county
    assert sorted(HEADS) != PINYIN_ORDER  # code point order is not what clerks expect
    assert _heads(db, sort="head_name") == PINYIN_ORDER
    assert _heads(db, sort="head_name", descending=True) == PINYIN_ORDER[::-1]
    # The key follows an edit of the 户主's name.
    with db.session() as s:
        hh = s.get(Household, ids["阿依古丽"])
        hh.members[0].name = "周强"
    assert _heads(db, sort="head_name")[-1] == "周强"


def test_sort_key_is_compared_byte_by_byte_on_postgresql(county):
    db, _ids = county
    if db.engine.dialect.name != "postgresql":
        pytest.skip("collation is a PostgreSQL matter")
    with db.session() as s:
        collation = s.scalar(text(
            "SELECT collation_name FROM information_schema.columns "
            "WHERE table_name = 'households' AND column_name = 'head_name_sort'"))
    assert collation == "C"


def test_upgrade_fills_the_sort_key_of_existing_households(db, tmp_path, _isolated_user_folders):
    """A database from before migration 0003 gets every 户主's key on upgrade."""
    engine = engine_at_revision(db, "0002_registry", tmp_path)
    households = sa.table("households", sa.column("household_no"), sa.column("region_code"),
                          sa.column("head_name"), sa.column("member_count"),
                          sa.column("status"), sa.column("version"), sa.column("record_valid"))
    with Session(engine) as s:
        add_regions(s)  # regions are the same before and after
        s.commit()
    with engine.begin() as conn:
        assert "head_name_sort" not in {c["name"] for c in sa.inspect(conn).get_columns("households")}
        conn.execute(households.insert(), [
            {"household_no": f"H{i}", "region_code": VILLAGE, "head_name": name, "member_count": 1,
             "status": "01", "version": 1, "record_valid": True}
            for i, name in enumerate(("张三", "王五", "单明", None))])
    dbmod.upgrade(engine)
    with Session(engine) as s:
        keys = dict(s.execute(select(Household.head_name, Household.head_name_sort)).all())
        assert keys[None] is None
        assert keys["张三"].startswith("zhang1") and keys["单明"].startswith("shan4")
        ordered = s.scalars(select(Household.head_name).where(Household.head_name.is_not(None))
                            .order_by(Household.head_name_sort)).all()
    engine.dispose()
    assert ordered == ["单明", "王五", "张三"]


@pytest.fixture
def twelve(db):
    """Twelve households whose 户主 IDs share their first digits (a broad prefix)."""
    with db.session() as s:
        add_regions(s)
        for i in range(12):
            hh = add_household(s, no=f"52232610020101{11 - i:02d}", head=f"王{'一二三四五六七八九十甲乙'[i]}",
                               seq=10 + i)
            hh.members[0].id_number = make_id(dt.date(1960, 1, 1 + i), 100 + i)
            for _ in range(i % 3):  # member counts 2, 3, 4 …
                hh.members.append(Member(name=f"子{i}", relation="03", seq=9))
    return db


def _list(db, text_, **kw):
    with db.session() as s:
        return svc.list_households(s, svc.HouseholdFilter(text=text_), **kw)


@pytest.mark.parametrize("set_limit", [50_000, 6], ids=["hits-as-a-set", "members-probed"])
def test_many_hits_walk_the_list_order_completely_without_a_limit(twelve, monkeypatch, set_limit):
    db = twelve
    prefix = "5223261960"  # every 户主 was born in 1960
    looked_up = {}
    for sort in ("household_no", "head_name", "member_count", "helper"):
        for desc in (False, True):
            looked_up[sort, desc] = _list(db, prefix, sort=sort, descending=desc)
            assert looked_up[sort, desc].complete and len(looked_up[sort, desc].ids) == 12
    monkeypatch.setattr(svc, "SEARCH_HIT_LIMIT", 4)  # 12 hits: broad
    monkeypatch.setattr(svc, "SEARCH_SET_LIMIT", set_limit)
    for (sort, desc), expected in looked_up.items():
        assert _list(db, prefix, sort=sort, descending=desc) == expected, (sort, desc)


@pytest.mark.parametrize("set_limit", [50_000, 6], ids=["hits-as-a-set", "members-probed"])
def test_a_broad_search_lists_its_first_households_and_says_so(twelve, monkeypatch, set_limit):
    db = twelve
    prefix = "5223261960"
    everything = _list(db, prefix)
    monkeypatch.setattr(svc, "SEARCH_HIT_LIMIT", 4)  # 12 hits: broad
    monkeypatch.setattr(svc, "SEARCH_SET_LIMIT", set_limit)
    assert _list(db, prefix).ids == everything.ids  # no limit asked: all of them
    capped = _list(db, prefix, limit=5)
    assert not capped.complete and capped.ids == everything.ids[:5]
    for sort in ("head_name", "household_no"):
        for desc in (False, True):
            full = _list(db, prefix, sort=sort, descending=desc)
            first = _list(db, prefix, sort=sort, descending=desc, limit=5)
            assert first.ids == full.ids[:5] and not first.complete
    # A key without an index: the first five by 户编号, shown in that key's order.
    by_count = _list(db, prefix, sort="member_count", limit=5)
    with db.session() as s:
        counts = {r.id: r.member_count for r in svc.household_rows(s, by_count.ids)}
    assert set(by_count.ids) == set(everything.ids[:5])
    assert [counts[i] for i in by_count.ids] == sorted(counts[i] for i in by_count.ids)
    # Narrow enough: complete even with a limit.
    one = make_id(dt.date(1960, 1, 3), 102)
    assert _list(db, one, limit=5).ids == _list(db, one).ids and _list(db, one, limit=5).complete
    # A 户编号 prefix is a household part: tested on the row, no member probe needed.
    first_no = _list(db, "5223261002010", limit=5)
    assert not first_no.complete and first_no.ids == _list(db, "5223261002010").ids[:5]


def test_search_hits_keep_the_tree_and_chip_filters(twelve):
    db = twelve
    with db.session() as s:
        first = s.scalars(select(Household).order_by(Household.id)).first()
        first.household_type = "02"
        first.group_name = "一组"
    for kw in ({"household_types": ("02",)}, {"region_code": VILLAGE, "group_name": "一组"}):
        with db.session() as s:
            found = svc.list_households(s, svc.HouseholdFilter(text="王", **kw)).ids
            assert found == [first.id]
            assert svc.count_households(s, svc.HouseholdFilter(text="王", **kw)) == 1


def test_last_digits_of_an_id_ending_in_x(db):
    with db.session() as s:
        add_regions(s)
        hh = add_household(s, no="5223261002010001", head="张三", seq=1)
        seq = next(n for n in range(1, 999) if make_id(dt.date(1988, 8, 8), n).endswith("X"))
        x_id = make_id(dt.date(1988, 8, 8), seq)
        hh.members[1].id_number = x_id
        hid = hh.id
    for tail in (x_id[-4:], x_id[-5:], x_id[-6:], x_id[-4:].lower()):
        assert _list(db, tail).ids == [hid], tail


def test_narrow_searches_look_their_hits_up_instead_of_walking_the_list(twelve):
    """SQLite has no statistics: written plainly, it walks the whole (status, 户编号) index
    to check a handful of hits. The hit-driven query must look them up by id."""
    db = twelve
    if db.engine.dialect.name != "sqlite":
        pytest.skip("a SQLite planner matter")
    statements = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        statements.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert len(_list(db, "王一").ids) == 1
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    final = [st for st in statements if "json_each" in st[0]]
    assert len(final) == 1
    with db.engine.connect() as conn:
        plan = " | ".join(r[3] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + final[0][0],
                                                             final[0][1]))
    assert "INTEGER PRIMARY KEY" in plan and "ix_households_status_no" not in plan, plan
    with db.engine.connect() as conn:
        alt = " | ".join(r[3] for r in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT household_id FROM members "
            f"WHERE {svc.INITIALS_ALT_WHERE} AND name_initials LIKE '% wy%'"))
    assert "ix_members_initials_alt" in alt, alt


def test_rows_say_which_members_a_search_found(db):
    """Searching a member who is not the 户主 lists the household with that member named."""
    with db.session() as s:
        add_regions(s)
        one = add_household(s, no="5223261002010001", head="张三", seq=1)  # spouse 李四
        two = add_household(s, no="5223261002010002", head="李明", seq=2)  # spouse 李四 too
        gone = Member(name="李四海", relation="03", sex="1", seq=3, status="02")
        one.members.append(gone)
        s.flush()
        ids = [one.id, two.id]
        spouse_tail = one.members[1].id18[-6:]

    def matched(text: str) -> dict[str, str]:
        with db.session() as s:
            found = svc.list_households(s, svc.HouseholdFilter(text=text)).ids
            return {r.household_no[-1]: r.matched for r in svc.household_rows(s, found, text)}

    # 张三's household through its spouse (and the son who left); 李明's own 户主 matches.
    assert matched("李") == {"1": "李四、李四海（已减少）", "2": ""}
    assert matched("ls") == {"1": "李四、李四海（已减少）", "2": "李四"}  # 李明 is "lm"
    assert matched(spouse_tail) == {"1": "李四"}
    assert matched("张") == {"1": ""}  # the 户主 itself
    assert matched("5223261002010002") == {"2": ""}  # the 户编号, no member
    with db.session() as s:  # without a search text nothing is looked up
        assert [r.matched for r in svc.household_rows(s, ids)] == ["", ""]


def test_first_caps_the_listing_searching_or_not(twelve):
    """A picker asks for its first few households only, with or without a search text."""
    db = twelve
    with db.session() as s:
        everyone = svc.list_households(s, svc.HouseholdFilter()).ids
        first = svc.list_households(s, svc.HouseholdFilter(), first=5)
        assert first.ids == everyone[:5] and not first.complete
        found = svc.list_households(s, svc.HouseholdFilter(text="王"), first=5)
        assert len(found.ids) == 5 and not found.complete
        assert svc.list_households(s, svc.HouseholdFilter(), first=50).complete


def test_a_given_id_set_is_listed_with_search_and_chips_still_applied(county):
    """The list of the households behind a report figure: only those ids (closed ones too
    when asked), and a search over a broad prefix still narrows them (two id lists in one
    statement)."""
    db, ids = county
    chosen = (ids["张三"], ids["王五"], ids["张一"])
    with db.session() as s:
        flt = svc.HouseholdFilter(household_ids=chosen, include_closed=True)
        assert sorted(svc.list_households(s, flt).ids) == sorted(chosen)
        found = svc.list_households(s, svc.HouseholdFilter(household_ids=chosen, text="张"))
        assert sorted(found.ids) == sorted((ids["张三"], ids["张一"]))
        digits = svc.list_households(s, svc.HouseholdFilter(household_ids=chosen, text="522326100201"),
                                     limit=svc.SEARCH_LIST_LIMIT)
        assert set(digits.ids) <= set(chosen) and digits.ids
        assert svc.list_households(s, svc.HouseholdFilter(household_ids=())).ids == []
