"""比对 lists from other departments, their rows, and the clerk's marks on hits

Revision ID: 0008_comparison_lists
Revises: 0007_check_runs

- ``comparison_lists``: one per (kind, source file); a new import of the same list replaces
  its rows and bumps ``version``.
- ``comparison_rows``: a list's people (ID as given, valid 18-char ID, name, other columns).
- ``comparison_marks``: 已核实 + note per (kind, ID), kept across imports.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_comparison_lists"
down_revision = "0007_check_runs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "comparison_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=260), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("imported_by", sa.String(length=100), nullable=False),
        sa.Column("sheet", sa.String(length=100), nullable=True),
        sa.Column("headers", sa.JSON(), nullable=True),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("ids_valid", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comparison_lists")),
        sa.UniqueConstraint("kind", "source", name=op.f("uq_comparison_lists_kind_source")),
    )
    op.create_table(
        "comparison_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("row_no", sa.Integer(), nullable=False),
        sa.Column("id_number", sa.String(length=40), nullable=True),
        sa.Column("id18", sa.String(length=18), nullable=True),
        sa.Column("name", sa.String(length=40), nullable=True),
        sa.Column("problem", sa.String(length=500), nullable=True),
        sa.Column("values", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["list_id"], ["comparison_lists.id"], ondelete="CASCADE",
                                name=op.f("fk_comparison_rows_list_id_comparison_lists")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comparison_rows")),
    )
    op.create_index("ix_comparison_rows_list_id18", "comparison_rows", ["list_id", "id18"], unique=False)
    op.create_index("ix_comparison_rows_id18", "comparison_rows", ["id18"], unique=False)
    op.create_table(
        "comparison_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("id18", sa.String(length=18), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("marked_by", sa.String(length=100), nullable=False),
        sa.Column("marked_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comparison_marks")),
        sa.UniqueConstraint("kind", "id18", name=op.f("uq_comparison_marks_kind_id18")),
    )


def downgrade() -> None:
    op.drop_table("comparison_marks")
    op.drop_index("ix_comparison_rows_id18", table_name="comparison_rows")
    op.drop_index("ix_comparison_rows_list_id18", table_name="comparison_rows")
    op.drop_table("comparison_rows")
    op.drop_table("comparison_lists")
