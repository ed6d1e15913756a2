"""Risk grades, their history, warnings and the visit signatures

Revision ID: 0011_risk
Revises: 0010_import_day

三级管理、三段防控 (issue #19): ``risk_grades`` (a household's current grade, set by a
clerk), ``risk_grade_changes`` (every decision), ``risk_warnings`` (监测预警) and
``handbook_entries.signatures`` (the 走访 record's 户主 / 帮扶责任人 / 村干部 signatures).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_risk"
down_revision = "0010_import_day"
branch_labels = None
depends_on = None


def _stamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(), server_default=sa.func.current_timestamp(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "risk_grades",
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("grade", sa.String(16), nullable=False),
        sa.Column("set_on", sa.Date(), nullable=False),
        sa.Column("set_by", sa.String(40), nullable=True),
        sa.Column("reason", sa.String(500), nullable=True),
        sa.Column("suggested", sa.String(16), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(["household_id"], ["households.id"], ondelete="CASCADE",
                                name=op.f("fk_risk_grades_household_id_households")),
        sa.PrimaryKeyConstraint("household_id", name=op.f("pk_risk_grades")),
    )
    op.create_index("ix_risk_grades_grade", "risk_grades", ["grade"])
    op.create_table(
        "risk_grade_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("old_grade", sa.String(16), nullable=True),
        sa.Column("new_grade", sa.String(16), nullable=False),
        sa.Column("suggested", sa.String(16), nullable=True),
        sa.Column("changed_on", sa.Date(), nullable=False),
        sa.Column("changed_by", sa.String(40), nullable=True),
        sa.Column("reason", sa.String(500), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(["household_id"], ["households.id"], ondelete="CASCADE",
                                name=op.f("fk_risk_grade_changes_household_id_households")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_grade_changes")),
    )
    op.create_index("ix_risk_grade_changes_household", "risk_grade_changes", ["household_id", "changed_on"])
    op.create_table(
        "risk_warnings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(40), nullable=False),
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("message", sa.String(500), nullable=False),
        sa.Column("values", sa.JSON(), nullable=True),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closed_by", sa.String(40), nullable=True),
        sa.Column("monitoring_case_id", sa.Integer(), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(["household_id"], ["households.id"], ondelete="CASCADE",
                                name=op.f("fk_risk_warnings_household_id_households")),
        sa.ForeignKeyConstraint(["monitoring_case_id"], ["monitoring_cases.id"], ondelete="SET NULL",
                                name=op.f("fk_risk_warnings_monitoring_case_id_monitoring_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_warnings")),
    )
    op.create_index("ix_risk_warnings_status", "risk_warnings", ["status", "due_on"])
    op.create_index("ix_risk_warnings_household", "risk_warnings", ["household_id", "rule"])
    op.add_column("handbook_entries", sa.Column("signatures", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("handbook_entries") as batch:
        batch.drop_column("signatures")
    op.drop_table("risk_warnings")
    op.drop_table("risk_grade_changes")
    op.drop_table("risk_grades")
