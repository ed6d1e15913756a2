"""Users sign in: password hashes, region limits, last login

Revision ID: 0013_users_backups
Revises: 0012_rectify

``users.password_hash`` (scrypt, see services.trust.users), ``users.regions`` (the region
codes a user may write under; NULL or empty: all) and ``users.last_login_at``. Roles are
the codes clerk / reviewer / admin (录入员 / 审核员 / 管理员); no user rows existed before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_users_backups"
down_revision = "0012_rectify"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("password_hash", sa.String(200), nullable=True))
        batch.add_column(sa.Column("regions", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("last_login_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("last_login_at")
        batch.drop_column("regions")
        batch.drop_column("password_hash")
