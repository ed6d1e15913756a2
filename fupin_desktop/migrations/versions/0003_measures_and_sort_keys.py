"""户主 in pinyin order, faster initials search, 帮扶措施 责任单位

Revision ID: 0003_measures_and_sort_keys
Revises: 0002_registry

- ``households.head_name_sort``: the 户主's pinyin sort key (``rules.names.name_sort_key``,
  kept by ``models.derived``), with an index (status, key, 户编号) so the list sorted by
  户主 comes straight off it. PostgreSQL stores it with the "C" collation: the key is
  ASCII meant to be compared byte by byte. Existing households are filled in here.
- ``ix_members_initials_alt``: a partial index over the names that have more than one
  reading (``name_initials`` holds a space), so searching the other readings scans a third
  of the members instead of all of them.
- ``assistance_measures.unit``: the 责任单位 (or person) of a 帮扶措施.
- ``ix_monitoring_cases_household``: a household's cases without scanning them all (the
  list's 风险 column reads them for every page of rows).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_measures_and_sort_keys"
down_revision = "0002_registry"
branch_labels = None
depends_on = None

_ALT_WHERE = "name_initials LIKE '% %'"
_BATCH = 2000


def _backfill_head_sort() -> None:
    from fupin_desktop.rules.names import name_sort_key

    conn = op.get_bind()
    households = sa.table("households", sa.column("id", sa.Integer),
                          sa.column("head_name", sa.String), sa.column("head_name_sort", sa.String))
    rows = conn.execute(
        sa.select(households.c.id, households.c.head_name)
        .where(households.c.head_name.is_not(None))
    ).all()
    stmt = (
        sa.update(households)
        .where(households.c.id == sa.bindparam("hid"))
        .values(head_name_sort=sa.bindparam("key"))
    )
    for start in range(0, len(rows), _BATCH):
        chunk = rows[start:start + _BATCH]
        conn.execute(stmt, [{"hid": hid, "key": name_sort_key(name)} for hid, name in chunk])


def upgrade() -> None:
    sort_type = sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql")
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.add_column(sa.Column("head_name_sort", sort_type, nullable=True))
    with op.batch_alter_table("assistance_measures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unit", sa.String(length=100), nullable=True))
    _backfill_head_sort()
    op.create_index("ix_households_status_head_sort", "households",
                    ["status", "head_name_sort", "household_no"], unique=False)
    op.create_index("ix_monitoring_cases_household", "monitoring_cases",
                    ["household_id", "state"], unique=False)
    op.create_index("ix_members_initials_alt", "members", ["name_initials", "household_id"],
                    unique=False, sqlite_where=sa.text(_ALT_WHERE),
                    postgresql_where=sa.text(_ALT_WHERE))


def downgrade() -> None:
    op.drop_index("ix_members_initials_alt", table_name="members")
    op.drop_index("ix_monitoring_cases_household", table_name="monitoring_cases")
    op.drop_index("ix_households_status_head_sort", table_name="households")
    with op.batch_alter_table("assistance_measures", schema=None) as batch_op:
        batch_op.drop_column("unit")
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.drop_column("head_name_sort")
