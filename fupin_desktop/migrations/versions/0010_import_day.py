"""Import batches remember the columns their file did not have

Revision ID: 0010_import_day
Revises: 0009_user_name_length

``import_batches.absent_fields``: the fields (member and household attribute names of
rules.validation) the imported file had no column for. Records created from the batch keep
those fields blank, and the household data check lists such blanks as 待补充 (a warning)
instead of an error. Batches imported before this revision have none (NULL).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_import_day"
down_revision = "0009_user_name_length"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("import_batches", sa.Column("absent_fields", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("import_batches") as batch:
        batch.drop_column("absent_fields")
