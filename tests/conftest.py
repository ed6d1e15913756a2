"""Shared fixtures: isolated user folders, and databases on SQLite and PostgreSQL.

Every test that takes ``db`` runs twice: on a SQLite file and on a real PostgreSQL server
named by ``FUPIN_TEST_PG_URL`` (``.ci/run`` starts one). Without that variable the PostgreSQL
runs are skipped locally and fail under CI, so CI cannot pass without them.

Schemas are built once per session (Alembic upgrade) and copied per test: a file copy for
SQLite, ``CREATE DATABASE … TEMPLATE`` for PostgreSQL (STYLE.md §12).
"""

from __future__ import annotations

import itertools
import os
import shutil
import uuid
from pathlib import Path

import pytest

PG_URL = os.environ.get("FUPIN_TEST_PG_URL")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# Never let a developer's own database or data folder leak into the tests.
os.environ.pop("FUPIN_DB_URL", None)


@pytest.fixture(autouse=True)
def _isolated_user_folders(tmp_path_factory, monkeypatch):
    data = tmp_path_factory.mktemp("userdata")
    monkeypatch.setenv("FUPIN_DATA_DIR", str(data))
    monkeypatch.delenv("FUPIN_DB_URL", raising=False)
    return data


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    from fupin_desktop.db import open_database

    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    db = open_database(path)
    db.dispose()
    return path


def _pg_admin_engine():
    from sqlalchemy import create_engine

    return create_engine(PG_URL, isolation_level="AUTOCOMMIT")


def _pg_url_for(name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_template():
    if not PG_URL:
        if IN_CI:
            pytest.fail("CI 必须在 PostgreSQL 上运行测试：FUPIN_TEST_PG_URL 未设置")
        pytest.skip("FUPIN_TEST_PG_URL not set: PostgreSQL runs skipped")
    from sqlalchemy import text

    from fupin_desktop.db import open_database

    name = f"fupin_tpl_{uuid.uuid4().hex[:8]}"
    admin = _pg_admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db = open_database(_pg_url_for(name))
    db.dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


_counter = itertools.count()


def _make_sqlite_db(template: Path, tmp_path: Path, user: str):
    from fupin_desktop.db import open_database

    path = tmp_path / "test.sqlite3"
    shutil.copyfile(template, path)
    return open_database(path, user=user)


@pytest.fixture
def sqlite_db(sqlite_template, tmp_path):
    """A migrated, empty SQLite database of its own for this test."""
    db = _make_sqlite_db(sqlite_template, tmp_path, user="测试员")
    yield db
    db.dispose()


@pytest.fixture
def pg_db(pg_template):
    """A migrated, empty PostgreSQL database of its own for this test."""
    from sqlalchemy import text

    from fupin_desktop.db import open_database

    name = f"fupin_t_{os.getpid()}_{next(_counter)}"
    admin = _pg_admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"'))
    db = open_database(_pg_url_for(name), user="测试员")
    yield db
    db.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request):
    """The same test on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_db")
    return request.getfixturevalue("pg_db")
