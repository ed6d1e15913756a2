"""The county check's field rules give exactly what the editor's per-household check gives
(the loop 核查 replaced): same check, household, member, field and message, on a demo
county roughed up so that many rules fire."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from fupin_desktop.models import Household, Member
from fupin_desktop.models.household import HOUSEHOLD_ACTIVE
from fupin_desktop.services import checks, demo
from fupin_desktop.services import registry as reg
from fupin_desktop.services.checks.catalogue import FIELD_CHECKS, check_of_rule

TODAY = dt.date(2026, 12, 7)


def _rough_up(s) -> None:
    """Blank, padded, odd and wrong values on some members and households."""
    m = Member.__table__
    ids = list(s.scalars(select(Member.id).order_by(Member.id)))
    changes = [
        (7, {"ethnicity": None}), (11, {"name": "  张 三 "}), (13, {"id_number": "52232619800101001X"}),
        (17, {"sex": None}), (19, {"birth_date": None}), (23, {"health": "04", "disability_type": None}),
        (29, {"work_place": " 广东 ", "work_months": 0}), (31, {"has_resident_medical": None}),
        (37, {"relation": "02"}), (41, {"education": "99"}), (43, {"phone": "12345"}),
        (47, {"school_status": None, "education": None}), (53, {"status": "02"}),
        (59, {"id_number": "  "}), (61, {"work_months": 4, "work_place": None}),
    ]
    for step, values in changes:
        chunk = ids[step::97]
        s.execute(update(m).where(m.c.id.in_(chunk)).values(**values))
    h = Household.__table__
    hids = list(s.scalars(select(Household.id).order_by(Household.id)))
    for step, values in ((5, {"phone": None}), (9, {"phone": "0851-5551234"}), (15, {"bank_account": "12"}),
                         (21, {"household_type": None}), (25, {"exit_year": 2030})):
        s.execute(update(h).where(h.c.id.in_(hids[step::41])).values(**values))


def _old_loop(s) -> set[tuple]:
    out = set()
    codes = {c.code for c in FIELD_CHECKS}
    households = s.scalars(select(Household).where(Household.status == HOUSEHOLD_ACTIVE)
                           .options(selectinload(Household.members), selectinload(Household.years))).all()
    for hh in households:
        data = reg._snapshot(hh)
        for p in reg.check_household_data(data, TODAY):
            member = data.members[p.member_index]["id"] if p.member_index is not None else None
            code = check_of_rule(p.rule, p.severity)
            assert code in codes
            out.add((code, hh.id, member, p.field, p.message))
    return out


def test_county_check_matches_the_per_household_check(db):
    demo.generate(db, households=600, seed=5, parallel=False)
    with db.session() as s:
        _rough_up(s)
        s.flush()
        s.expire_all()
        old = _old_loop(s)
        result = checks.run_checks(s, user="测试员", today=TODAY, store=False)
    codes = {c.code for c in FIELD_CHECKS}
    new = [(f.check, f.household_id, f.member_id, f.field, f.message) for f in result.findings
           if f.check in codes]
    assert len(new) == len(set(new))
    assert set(new) == old
    assert len(old) > 300  # the roughing-up made many rules fire
    assert len({c for c, *_ in old}) > 15
