"""registry: household data-check result; search and list indexes

Revision ID: 0002_registry
Revises: 0001

The household list filters on 「有数据错误」 (``households.error_count``). Search by name,
initials, 证件号码, 户编号 and phone uses prefix matches over indexes that also carry the
household id, so a search reads only the index; on PostgreSQL the text columns use
``text_pattern_ops`` so that ``LIKE 'x%'`` is an index range under any collation. The list
of current households in 户编号 order comes straight off (status, household_no).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_registry"
down_revision = "0001"
branch_labels = None
depends_on = None

_INDEXES = (
    ("households", "ix_households_status_no", ["status", "household_no"], "household_no"),
    ("households", "ix_households_status_phone", ["status", "phone"], "phone"),
    ("households", "ix_households_tree", ["status", "region_code", "group_name", "member_count"],
     None),
    ("members", "ix_members_name_search", ["name", "household_id"], "name"),
    ("members", "ix_members_initials_search", ["name_initials", "household_id"], "name_initials"),
    ("members", "ix_members_id18_search", ["id18", "household_id"], "id18"),
    ("members", "ix_members_id_tail_search", ["id_tail", "household_id"], None),
    ("members", "ix_members_phone_search", ["phone", "household_id"], "phone"),
)


def upgrade() -> None:
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.add_column(sa.Column("error_count", sa.Integer(), nullable=True))
    for table, name, columns, pattern_column in _INDEXES:
        ops = {pattern_column: "text_pattern_ops"} if pattern_column else {}
        op.create_index(name, table, columns, unique=False, postgresql_ops=ops)


def downgrade() -> None:
    for table, name, _columns, _pattern in reversed(_INDEXES):
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.drop_column("error_count")
