"""Migration 0009: user-name columns 40 → 100 characters on SQLite and PostgreSQL, rows kept."""

from __future__ import annotations

import datetime as dt

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from factories import engine_at_revision
from fupin_desktop.models import Base
from tests.unit.test_migration_source_rows import _alembic

BEFORE = "0004_source_rows"
LONG = "域账户-" + "某" * 90  # 94 characters


def _length(engine, table: str, column: str) -> int:
    return next(c["type"].length for c in inspect(engine).get_columns(table) if c["name"] == column)


def test_upgrade_widens_every_user_column_and_keeps_rows(db, tmp_path):
    engine = engine_at_revision(db, BEFORE, tmp_path)
    assert _length(engine, "audit_log", "user") == 40
    with engine.begin() as conn:
        conn.execute(text('INSERT INTO audit_log (at, "user", action, table_name) VALUES (:at, :u, :a, :t)'),
                     {"at": dt.datetime(2025, 1, 1), "u": "张三", "a": "insert", "t": "households"})
    _alembic(engine, "upgrade", "head")
    for table, column in (("users", "username"), ("audit_log", "user"), ("import_batches", "imported_by"),
                          ("guarantee_checks", "checked_by"), ("change_events", "approved_by"),
                          ("change_events", "recorded_by"), ("report_snapshots", "created_by")):
        assert _length(engine, table, column) == 100, (table, column)
    with engine.begin() as conn:
        assert conn.execute(text('SELECT "user" FROM audit_log')).scalar() == "张三"
        conn.execute(text("INSERT INTO import_batches (kind, file_name, headers, imported_at, imported_by) "
                          "VALUES ('households', 'a.xlsx', '[]', :at, :u)"), {"at": dt.datetime.now(), "u": LONG})
        if engine.dialect.name == "sqlite":
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    engine.dispose()


def test_downgrade_and_upgrade_again(db, tmp_path):
    engine = engine_at_revision(db, BEFORE, tmp_path)
    _alembic(engine, "upgrade", "head")
    _alembic(engine, "downgrade", BEFORE)
    assert _length(engine, "import_batches", "imported_by") == 40
    _alembic(engine, "upgrade", "head")
    assert _length(engine, "import_batches", "imported_by") == 100
    engine.dispose()
