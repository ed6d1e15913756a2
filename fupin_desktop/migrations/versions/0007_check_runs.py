"""核查: stored check runs and their findings; households.error_count replaced by them

Revision ID: 0007_check_runs
Revises: 0006_report_locks

- ``check_runs``: one row per run of the county checks (when, who, where, how long, how
  many households, findings per check and how many of the previous run's were fixed).
- ``check_findings``: the open findings of the latest run over each place, and those the
  latest run found fixed. The 「有数据错误」 filter, each household's error list and the
  核查 page read them.
- ``households.error_count`` (the per-household check's count) is dropped: the findings
  are the one stored result.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_check_runs"
down_revision = "0006_report_locks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "check_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("user", sa.String(length=100), nullable=True),
        sa.Column("region_code", sa.String(length=12), nullable=True),
        sa.Column("seconds", sa.Numeric(precision=10, scale=3, asdecimal=False), nullable=True),
        sa.Column("households_checked", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=True),
        sa.Column("fixed", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_runs")),
    )
    op.create_table(
        "check_findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("fixed_run_id", sa.Integer(), nullable=True),
        sa.Column("check", sa.String(length=60), nullable=False),
        sa.Column("severity", sa.String(length=4), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("asset_id", sa.Integer(), nullable=True),
        sa.Column("helper_id", sa.Integer(), nullable=True),
        sa.Column("field", sa.String(length=40), nullable=True),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["check_runs.id"], name=op.f("fk_check_findings_run_id_check_runs"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["fixed_run_id"], ["check_runs.id"],
                                name=op.f("fk_check_findings_fixed_run_id_check_runs"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["household_id"], ["households.id"],
                                name=op.f("fk_check_findings_household_id_households"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"],
                                name=op.f("fk_check_findings_member_id_members"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"],
                                name=op.f("fk_check_findings_project_id_projects"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["asset_id"], ["assets.id"],
                                name=op.f("fk_check_findings_asset_id_assets"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["helper_id"], ["helpers.id"],
                                name=op.f("fk_check_findings_helper_id_helpers"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_findings")),
    )
    op.create_index("ix_check_findings_household", "check_findings", ["household_id", "fixed_run_id"])
    op.create_index("ix_check_findings_region", "check_findings", ["region_code", "check"])
    op.create_index("ix_check_findings_run", "check_findings", ["run_id"])
    op.create_index("ix_check_findings_fixed", "check_findings", ["fixed_run_id"])
    # Not batch mode: rebuilding ``households`` on SQLite would cascade-delete its members.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE households DROP COLUMN error_count")  # SQLite ≥ 3.35
    else:
        op.drop_column("households", "error_count")


def downgrade() -> None:
    op.add_column("households", sa.Column("error_count", sa.Integer(), nullable=True))
    op.drop_table("check_findings")
    op.drop_table("check_runs")
