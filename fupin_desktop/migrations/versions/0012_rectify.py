"""整改清单: rectification items, their progress notes and links to households, projects, villages

Revision ID: 0012_rectify
Revises: 0011_risk

- ``rectify_items``: one problem (source, category, description, lead, unit, person, plan,
  deadline or a non-date 时限 note, status, completed date).
- ``rectify_progress``: dated progress notes with evidence, and status changes.
- ``rectify_households`` / ``rectify_projects`` / ``rectify_villages``: the links.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_rectify"
down_revision = "0011_risk"
branch_labels = None
depends_on = None


def _link(table: str, column: sa.Column, target: str, **fk) -> None:
    name = column.name
    op.create_table(
        table,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        column,
        sa.ForeignKeyConstraint(["item_id"], ["rectify_items.id"], ondelete="CASCADE",
                                name=op.f(f"fk_{table}_item_id_rectify_items")),
        sa.ForeignKeyConstraint([name], [target], name=op.f(f"fk_{table}_{name}_{target.split('.')[0]}"), **fk),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        sa.UniqueConstraint("item_id", name, name=op.f(f"uq_{table}_item_id_{name}")),
    )
    op.create_index(op.f(f"ix_{table}_{name}"), table, [name], unique=False)


def upgrade() -> None:
    op.create_table(
        "rectify_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_no", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("lead", sa.String(length=60), nullable=True),
        sa.Column("unit", sa.String(length=200), nullable=True),
        sa.Column("person", sa.String(length=60), nullable=True),
        sa.Column("measures", sa.String(length=2000), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("deadline_note", sa.String(length=60), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectify_items")),
        sa.UniqueConstraint("item_no", name=op.f("uq_rectify_items_item_no")),
    )
    op.create_index("ix_rectify_items_category_status", "rectify_items", ["category", "status"], unique=False)
    op.create_table(
        "rectify_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=False),
        sa.Column("evidence", sa.String(length=2000), nullable=True),
        sa.Column("status_from", sa.String(length=16), nullable=True),
        sa.Column("status_to", sa.String(length=16), nullable=True),
        sa.Column("recorded_by", sa.String(length=100), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["rectify_items.id"], ondelete="CASCADE",
                                name=op.f("fk_rectify_progress_item_id_rectify_items")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectify_progress")),
    )
    op.create_index(op.f("ix_rectify_progress_item_id"), "rectify_progress", ["item_id"], unique=False)
    _link("rectify_households", sa.Column("household_id", sa.Integer(), nullable=False), "households.id",
          ondelete="CASCADE")
    _link("rectify_projects", sa.Column("project_id", sa.Integer(), nullable=False), "projects.id",
          ondelete="CASCADE")
    _link("rectify_villages", sa.Column("region_code", sa.String(length=12), nullable=False), "regions.code",
          onupdate="CASCADE")


def downgrade() -> None:
    for table, column in (("rectify_villages", "region_code"), ("rectify_projects", "project_id"),
                          ("rectify_households", "household_id")):
        op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
        op.drop_table(table)
    op.drop_index(op.f("ix_rectify_progress_item_id"), table_name="rectify_progress")
    op.drop_table("rectify_progress")
    op.drop_index("ix_rectify_items_category_status", table_name="rectify_items")
    op.drop_table("rectify_items")
