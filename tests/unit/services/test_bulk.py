"""services.bulk: index drop/rebuild around a SQLite load, cheap NULL binding, paused GC."""

from __future__ import annotations

import gc
import sqlite3

import pytest

from fupin_desktop.models import Household, Member
from fupin_desktop.services.bulk import SqliteBulkLoad, fast_null_binding, gc_paused


def _indexes(conn, table: str) -> set[str]:
    return set(
        conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL", (table,)
        ).scalars()
    )


def test_indexes_dropped_for_the_load_except_kept_ones_and_rebuilt(sqlite_db):
    with sqlite_db.engine.connect() as conn:
        before = _indexes(conn, "members") | _indexes(conn, "households")
        assert {"ix_members_name_search", "ix_members_person_no"} <= before
        conn.rollback()
        with conn.begin():
            bulk = SqliteBulkLoad(
                conn, [Member.__table__, Household.__table__], cache_kib=4096,
                keep=["ix_members_person_no"],
            )
            assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -4096
            during = _indexes(conn, "members") | _indexes(conn, "households")
            assert during == {"ix_members_person_no"}
            bulk.rebuild_indexes()
            assert _indexes(conn, "members") | _indexes(conn, "households") == before
            bulk.rebuild_indexes()  # nothing left to do
            bulk.finish()
            assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == bulk.old_cache
        assert _indexes(conn, "members") | _indexes(conn, "households") == before


def test_a_rolled_back_load_keeps_its_indexes(sqlite_db):
    with sqlite_db.engine.connect() as conn:
        before = _indexes(conn, "members")
        conn.rollback()
        with pytest.raises(RuntimeError), conn.begin():
            SqliteBulkLoad(conn, [Member.__table__])
            assert not _indexes(conn, "members")
            raise RuntimeError("load failed")
        assert _indexes(conn, "members") == before


def test_fast_null_binding_binds_the_same_null_and_cleans_up():
    key = (type(None), sqlite3.PrepareProtocol)
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (a, b)")
    assert key not in sqlite3.adapters
    with fast_null_binding():
        assert key in sqlite3.adapters
        with fast_null_binding():  # nested (another load at the same time)
            pass
        assert key in sqlite3.adapters
        conn.executemany("INSERT INTO t VALUES (?, ?)", [(None, 1), (None, None)])
    assert key not in sqlite3.adapters
    assert conn.execute("SELECT typeof(a), typeof(b) FROM t").fetchall() == [
        ("null", "integer"), ("null", "null")
    ]


def test_fast_null_binding_leaves_someone_elses_adapter_alone():
    key = (type(None), sqlite3.PrepareProtocol)

    def theirs(value):
        return value

    sqlite3.register_adapter(type(None), theirs)
    try:
        with fast_null_binding():
            assert sqlite3.adapters[key] is theirs
        assert sqlite3.adapters[key] is theirs
    finally:
        del sqlite3.adapters[key]


def test_gc_paused_restores_the_previous_state():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
