"""Month locks for submitted reports (上报 / 申请解锁)

Revision ID: 0006_report_locks
Revises: 0004_source_rows

``report_locks``: one row per lock of a month for a region, set when the month's report is
submitted (with the snapshot revision), lifted by 申请解锁 (reason, who, when). Rows are
kept, so the history of locks and unlocks stays readable.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_report_locks"
down_revision = "0004_source_rows"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_locks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("locked_by", sa.String(length=40), nullable=True),
        sa.Column("locked_at", sa.DateTime(), nullable=False),
        sa.Column("unlock_reason", sa.String(length=500), nullable=True),
        sa.Column("unlocked_by", sa.String(length=40), nullable=True),
        sa.Column("unlocked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["region_code"], ["regions.code"],
                                name=op.f("fk_report_locks_region_code_regions"), onupdate="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_locks")),
    )
    op.create_index("ix_report_locks_period", "report_locks", ["period", "locked"])


def downgrade() -> None:
    op.drop_index("ix_report_locks_period", table_name="report_locks")
    op.drop_table("report_locks")
