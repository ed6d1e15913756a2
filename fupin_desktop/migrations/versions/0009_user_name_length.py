"""User-name columns widened from 40 to 100 characters

Revision ID: 0009_user_name_length
Revises: 0008_comparison_lists

A Windows domain login name can be longer than 40 characters, and every write records who
made it (``audit_log.user``, ``import_batches.imported_by`` …): on PostgreSQL such a name
made every import fail. The program cuts names to 100 (audit.user_name).

PostgreSQL widens a VARCHAR in place (no table rewrite). SQLite never enforced the length;
its declared type is changed in the stored ``CREATE TABLE`` text (the documented
``writable_schema`` procedure: VARCHAR(40) → VARCHAR(100) keeps the same affinity and
on-disk format), so no table is copied, whatever the size of the audit log.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0009_user_name_length"
down_revision = "0008_comparison_lists"
branch_labels = None
depends_on = None

COLUMNS = (
    ("users", "username"),
    ("audit_log", "user"),
    ("import_batches", "imported_by"),
    ("guarantee_checks", "checked_by"),
    ("change_events", "approved_by"),
    ("change_events", "recorded_by"),
    ("report_snapshots", "created_by"),
)


def _sqlite_retype(old: int, new: int) -> None:
    conn = op.get_bind()
    tables: dict[str, list[str]] = {}
    for table, column in COLUMNS:
        tables.setdefault(table, []).append(column)
    conn.exec_driver_sql("PRAGMA writable_schema=ON")
    try:
        for table, columns in tables.items():
            sql = conn.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).scalar()
            if sql is None:
                continue
            for column in columns:
                pattern = re.compile(rf'((?:^|[\s(,])"?{re.escape(column)}"?\s+)VARCHAR\({old}\)', re.I)
                sql, n = pattern.subn(rf"\g<1>VARCHAR({new})", sql)
                if n != 1:
                    raise RuntimeError(f"{table}.{column}: VARCHAR({old}) not found in its CREATE TABLE")
            conn.exec_driver_sql(
                "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", (sql, table))
        version = conn.exec_driver_sql("PRAGMA schema_version").scalar()
        conn.exec_driver_sql(f"PRAGMA schema_version={int(version) + 1}")
    finally:
        conn.exec_driver_sql("PRAGMA writable_schema=OFF")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_retype(40, 100)
        return
    for table, column in COLUMNS:
        op.alter_column(table, column, type_=sa.String(100), existing_type=sa.String(40))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_retype(100, 40)
        return
    for table, column in COLUMNS:
        op.execute(sa.text(f'UPDATE {table} SET "{column}" = left("{column}", 40) WHERE length("{column}") > 40'))
        op.alter_column(table, column, type_=sa.String(40), existing_type=sa.String(100))
