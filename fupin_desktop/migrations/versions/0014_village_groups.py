"""村民小组 kept per village (village_groups)

Revision ID: 0014_village_groups
Revises: 0013_users_backups

``village_groups``: the 组 a village has, set up in 区划设置 (add, rename, merge, retire).
Households keep their 组 as text in ``households.group_name``; existing 组 are copied in
from the households so every village starts with the 组 it already has.

``ix_members_uninsured``: a partial index over the current members with neither
城乡居民医保 nor 城镇职工医保 (a few per cent), for the 月报's 医保参保率.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_village_groups"
down_revision = "0013_users_backups"
branch_labels = None
depends_on = None

# models.household.UNINSURED_MEMBERS_WHERE at this revision.
_UNINSURED_WHERE = ("status = '01' AND NOT (COALESCE(has_resident_medical, false) "
                    "OR COALESCE(has_employee_medical, false))")


def upgrade() -> None:
    op.create_table(
        "village_groups",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("village_code", sa.String(12), sa.ForeignKey("regions.code", onupdate="CASCADE",
                                                               name="fk_village_groups_village_code_regions"),
                  nullable=False),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("valid", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.UniqueConstraint("village_code", "name", name="uq_village_groups_village_code_name"),
    )
    op.create_index("ix_village_groups_village_code", "village_groups", ["village_code"])
    op.execute(
        "INSERT INTO village_groups (village_code, name, valid) "
        "SELECT DISTINCT h.region_code, h.group_name, true FROM households h "
        "JOIN regions r ON r.code = h.region_code "
        "WHERE h.group_name IS NOT NULL AND h.group_name <> ''"
    )
    op.create_index("ix_members_uninsured", "members", ["household_id"],
                    sqlite_where=sa.text(_UNINSURED_WHERE), postgresql_where=sa.text(_UNINSURED_WHERE))


def downgrade() -> None:
    op.drop_index("ix_members_uninsured", table_name="members")
    op.drop_index("ix_village_groups_village_code", table_name="village_groups")
    op.drop_table("village_groups")
