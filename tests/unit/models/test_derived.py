"""Search keys and household summaries follow the data they derive from."""

from __future__ import annotations

import datetime as dt

from factories import VILLAGE, add_regions, make_id
from sqlalchemy import select

from fupin_desktop.models import Household, Member


def test_member_keys_and_household_summary_follow_edits(db):
    head_id = make_id(dt.date(1980, 1, 2), 11)
    with db.session() as s:
        add_regions(s)
        hh = Household(household_no="H1", region_code=VILLAGE)
        hh.members = [Member(name="单秀英", relation="01", id_number=head_id.lower()[:-1] + head_id[-1].lower(), seq=1),
                      Member(name="张三", relation="03", seq=2)]
        s.add(hh)
    with db.session() as s:
        hh = s.scalars(select(Household)).one()
        assert (hh.head_name, hh.head_id18, hh.member_count) == ("单秀英", head_id, 2)
        head = hh.members[0]
        assert head.id_tail == head_id[-6:]
        assert "sxy" in head.name_initials.split()
        head.name = "王芳"
        hh.members[1].status = "02"
    with db.session() as s:
        hh = s.scalars(select(Household)).one()
        assert (hh.head_name, hh.member_count) == ("王芳", 1)
        assert hh.members[0].name_initials.split()[0] == "wf"


def test_disability_certificate_numbers_keep_their_id18(db):
    base = make_id(dt.date(1990, 6, 6), 21)
    with db.session() as s:
        add_regions(s)
        hh = Household(household_no="H2", region_code=VILLAGE)
        hh.members = [Member(name="李四", relation="01", id_number=base + "42", seq=1)]
        s.add(hh)
    with db.session() as s:
        m = s.scalars(select(Member)).one()
        assert (m.id_number, m.id18) == (base + "42", base)
