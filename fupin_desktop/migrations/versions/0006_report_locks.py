"""Month locks for submitted reports (上报 / 申请解锁)

Revision ID: 0006_report_locks
Revises: 0005_region_history

``report_locks``: one row per lock of a month for a region, set when the month's report is
submitted (with the snapshot revision), lifted by 申请解锁 (reason, who, when). Rows are
kept, so the history of locks and unlocks stays readable.

``ix_members_report``: a partial index over the current members with a 务工 status or a
公益岗位, so the 月报's 就业 figures do not scan every member row; ``ix_households_report``
(village, status, 户类型, 人数): the 月报's pass over the households reads the index alone.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_report_locks"
down_revision = "0005_region_history"
branch_labels = None
depends_on = None

_REPORT_WHERE = "status = '01' AND (work_status IS NOT NULL OR public_welfare_job IS NOT NULL)"


def upgrade() -> None:
    op.create_table(
        "report_locks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("locked_by", sa.String(length=100), nullable=True),
        sa.Column("locked_at", sa.DateTime(), nullable=False),
        sa.Column("unlock_reason", sa.String(length=500), nullable=True),
        sa.Column("unlocked_by", sa.String(length=100), nullable=True),
        sa.Column("unlocked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["region_code"], ["regions.code"],
                                name=op.f("fk_report_locks_region_code_regions"), onupdate="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_locks")),
    )
    op.create_index("ix_report_locks_period", "report_locks", ["period", "locked"])
    op.create_index("ix_members_report", "members", ["household_id", "status", "work_status", "public_welfare_job"],
                    sqlite_where=sa.text(_REPORT_WHERE), postgresql_where=sa.text(_REPORT_WHERE))
    op.create_index("ix_households_report", "households",
                    ["region_code", "status", "household_type", "member_count"])


def downgrade() -> None:
    op.drop_index("ix_households_report", table_name="households")
    op.drop_index("ix_members_report", table_name="members")
    op.drop_index("ix_report_locks_period", table_name="report_locks")
    op.drop_table("report_locks")
