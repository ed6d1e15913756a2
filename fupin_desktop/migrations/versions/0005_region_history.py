"""region_changes: the dated history of 区划设置 (add, rename, code change, 合村并组, retire)

Revision ID: 0005_region_history
Revises: 0004_source_rows

A code or name change keeps its date; a merge records the surviving village and how many
households moved. Households, projects and assets follow a code change through the
existing ON UPDATE CASCADE references to ``regions.code``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_region_history"
down_revision = "0004_source_rows"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "region_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("old_code", sa.String(length=12), nullable=True),
        sa.Column("new_code", sa.String(length=12), nullable=True),
        sa.Column("old_name", sa.String(length=60), nullable=True),
        sa.Column("new_name", sa.String(length=60), nullable=True),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("recorded_by", sa.String(length=100), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["region_id"], ["regions.id"], name="fk_region_changes_region_id_regions"),
        sa.PrimaryKeyConstraint("id", name="pk_region_changes"),
    )
    op.create_index("ix_region_changes_region_id", "region_changes", ["region_id"])
    op.create_index("ix_region_changes_old_code", "region_changes", ["old_code"])


def downgrade() -> None:
    op.drop_index("ix_region_changes_old_code", table_name="region_changes")
    op.drop_index("ix_region_changes_region_id", table_name="region_changes")
    op.drop_table("region_changes")
