"""Opening, creating and upgrading databases."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from fupin_desktop import db as dbmod
from fupin_desktop.errors import DatabaseVersionError, UserError
from fupin_desktop.models import Base


def test_migrations_from_an_empty_database_match_the_models(db):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    assert dbmod.current_revision(db.engine) == dbmod.head_revision(db.engine)


def test_sqlite_pragmas_are_on(sqlite_db):
    with sqlite_db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_default_database_is_created_in_the_user_data_folder(_isolated_user_folders):
    db = dbmod.open_database()
    try:
        assert db.url.endswith("fupin.sqlite3")
        assert str(_isolated_user_folders) in db.url
        assert "households" in inspect(db.engine).get_table_names()
    finally:
        db.dispose()


def test_fupin_db_url_is_used_when_no_target_is_given(tmp_path, monkeypatch):
    monkeypatch.setenv("FUPIN_DB_URL", f"sqlite:///{tmp_path / 'env.db'}")
    assert dbmod.resolve_url(None) == f"sqlite:///{tmp_path / 'env.db'}"
    assert dbmod.resolve_url(tmp_path / "x.db") == f"sqlite:///{tmp_path / 'x.db'}"


def test_a_missing_folder_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="文件夹不存在"):
        dbmod.open_database(tmp_path / "no" / "such" / "x.db")


def test_a_database_of_another_program_is_refused(tmp_path):
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE foo (x INTEGER)")
    con.commit()
    con.close()
    with pytest.raises(DatabaseVersionError, match="不是本程序的数据库"):
        dbmod.open_database(path)


def test_a_database_from_a_newer_version_is_refused(sqlite_template, tmp_path):
    path = tmp_path / "newer.db"
    shutil.copyfile(sqlite_template, path)
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = 'ffff_future'")
    con.commit()
    con.close()
    with pytest.raises(DatabaseVersionError, match="更新版本"):
        dbmod.open_database(path)


NEW_REVISION = '''
import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("households") as batch:
        batch.add_column(sa.Column("test_added", sa.String(10)))


def downgrade():
    with op.batch_alter_table("households") as batch:
        batch.drop_column("test_added")
'''


def test_an_older_database_is_backed_up_then_upgraded(sqlite_template, tmp_path, monkeypatch,
                                                      _isolated_user_folders):
    path = tmp_path / "old.db"
    shutil.copyfile(sqlite_template, path)
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE marker (x TEXT)")
    con.execute("INSERT INTO marker VALUES ('旧数据')")
    con.commit()
    con.close()

    migrations = tmp_path / "migrations"
    shutil.copytree(dbmod.MIGRATIONS_DIR, migrations)
    head = dbmod.head_revision(dbmod.make_engine("sqlite://"))
    (migrations / "versions" / "9999_test.py").write_text(NEW_REVISION.format(head=head))
    monkeypatch.setattr(dbmod, "MIGRATIONS_DIR", migrations)

    db = dbmod.open_database(path)
    try:
        columns = {c["name"] for c in inspect(db.engine).get_columns("households")}
        assert "test_added" in columns
        assert dbmod.current_revision(db.engine) == "9999"
    finally:
        db.dispose()

    from fupin_desktop.services.trust import list_backups

    backups = [b.path for b in list_backups(db.url)]
    assert [b.reason for b in list_backups(db.url)] == ["upgrade"]
    con = sqlite3.connect(backups[0])
    try:
        assert con.execute("SELECT x FROM marker").fetchone() == ("旧数据",)
        assert con.execute("SELECT version_num FROM alembic_version").fetchone() == (head,)
        assert "test_added" not in {r[1] for r in con.execute("PRAGMA table_info(households)")}
    finally:
        con.close()


def test_opening_a_current_database_makes_no_backup(sqlite_template, tmp_path, _isolated_user_folders):
    path = tmp_path / "cur.db"
    shutil.copyfile(sqlite_template, path)
    dbmod.open_database(path).dispose()
    assert not list((_isolated_user_folders / "backups").glob("*"))


def test_a_database_in_a_chinese_folder_with_a_chinese_name_opens(tmp_path):
    folder = tmp_path / "乡镇 数据"
    folder.mkdir()
    db = dbmod.open_database(folder / "新建 数据库%1.sqlite3")
    try:
        assert "households" in inspect(db.engine).get_table_names()
        assert dbmod.current_revision(db.engine) == dbmod.head_revision(db.engine)
    finally:
        db.dispose()


def test_a_rolled_back_savepoint_leaves_nothing_on_sqlite(sqlite_db):
    from factories import add_regions
    from sqlalchemy import func, select

    from fupin_desktop.models import Region

    # The first statement of the unit of work is the SAVEPOINT itself: pysqlite used to run
    # it outside a transaction, so its RELEASE committed what the outer rollback should undo.
    session = sqlite_db.session_factory()
    try:
        with session.begin_nested():
            add_regions(session)
        session.rollback()
    finally:
        session.close()
    with sqlite_db.session() as s:
        assert s.scalar(select(func.count()).select_from(Region)) == 0
