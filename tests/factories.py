"""Small builders for test data (valid IDs, a region chain, households with members)."""

from __future__ import annotations

import datetime as dt

from fupin_desktop.models import Household, Member, Region

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"

COUNTY = "522326000000"
TOWNSHIP = "522326100000"
VILLAGE = "522326100201"


def make_id(birth: dt.date, seq: int, prefix: str = "522326") -> str:
    """A valid 18-digit ID; the sequence's parity decides the sex (odd = male)."""
    first17 = f"{prefix}{birth:%Y%m%d}{seq:03d}"
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return first17 + CHECK[total % 11]


def add_regions(session) -> None:
    session.add_all(
        [
            Region(code="520000000000", name="贵州省", level="province"),
            Region(code="522300000000", name="黔西南州", level="prefecture", parent_code="520000000000"),
            Region(code=COUNTY, name="示例县", level="county", parent_code="522300000000"),
            Region(code=TOWNSHIP, name="城关镇", level="township", parent_code=COUNTY),
            Region(code=VILLAGE, name="新寨村", level="village", parent_code=TOWNSHIP),
        ]
    )
    session.flush()


def add_household(session, *, no: str = "5223261002010001", head: str = "张三", seq: int = 1) -> Household:
    head_id = make_id(dt.date(1970, 5, 1), seq * 2 + 1)
    hh = Household(
        household_no=no,
        region_code=VILLAGE,
        head_name=head,
        head_id18=head_id,
        member_count=2,
        household_type="01",
    )
    hh.members = [
        Member(name=head, relation="01", sex="1", id_number=head_id, id18=head_id, seq=1,
               birth_date=dt.date(1970, 5, 1)),
        Member(name="李四", relation="02", sex="2", id_number=make_id(dt.date(1972, 3, 9), seq * 2),
               id18=make_id(dt.date(1972, 3, 9), seq * 2), seq=2, birth_date=dt.date(1972, 3, 9)),
    ]
    session.add(hh)
    session.flush()
    return hh


def engine_at_revision(db, revision: str, tmp_path):
    """An engine on a database of ``db``'s kind whose schema is at the older ``revision``,
    for tests of an upgrade. PostgreSQL: ``db`` itself, downgraded. SQLite: a new file
    built up to ``revision`` (migration 0004 cannot be undone in place on SQLite: the
    program's backup before each upgrade is the way back there)."""
    from alembic import command

    from fupin_desktop import db as dbmod

    if db.engine.dialect.name == "sqlite":
        engine = dbmod.make_engine(f"sqlite:///{tmp_path / f'at-{revision}.sqlite3'}")
        action = command.upgrade
    else:
        engine = db.engine
        action = command.downgrade
    cfg = dbmod._alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        action(cfg, revision)
    engine.dispose()
    return engine
