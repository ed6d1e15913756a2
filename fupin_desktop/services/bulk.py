"""Helpers for large Core writes shared by the demo generator and the importers."""

from __future__ import annotations

import contextlib
import gc
import sqlite3
import threading
from collections.abc import Iterable, Iterator

from sqlalchemy import Connection, Table

__all__ = ["SqliteBulkLoad", "fast_null_binding", "gc_paused"]

_NONE_KEY = (type(None), sqlite3.PrepareProtocol)
_null_lock = threading.Lock()
_null_users = 0
@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while the block runs.

    A bulk load allocates millions of row tuples, none in a reference cycle, and every few
    hundred allocations the collector scans the young ones (and now and then everything):
    12 % of unpickling and inserting the demo's rows, measured. Reference counting still
    frees everything as usual; the collector is switched back on (if it was on) after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# The adapter sqlite3 calls with each None: a C-level callable that returns None for
# any argument (an empty dict's ``get``), 40 ns cheaper per call than a Python function.
_none_adapter = {}.get


@contextlib.contextmanager
def fast_null_binding() -> Iterator[None]:
    """Bind ``None`` parameters cheaply in ``sqlite3`` while the block runs.

    CPython's ``sqlite3`` (3.11) sends every parameter that is not exactly an int, float,
    str or bytearray through its adapter registry, and for ``None`` that lookup fails the
    slow way (an AttributeError raised and cleared): about 0.43 µs per NULL against 0.05 µs
    per int, measured. A registered adapter that hands ``None`` back unchanged turns it into
    a dict hit (0.17 µs) and binds exactly the same NULL. A bulk load binds millions of
    NULLs, so it registers one for its duration; the registry is process-wide, hence the
    count of users, and what was registered before is left alone.
    """
    global _null_users
    with _null_lock:
        mine = _null_users == 0 and _NONE_KEY not in sqlite3.adapters
        if mine or _null_users:
            _null_users += 1
        if mine:
            sqlite3.register_adapter(type(None), _none_adapter)
    try:
        yield
    finally:
        with _null_lock:
            if _null_users:
                _null_users -= 1
                if _null_users == 0 and sqlite3.adapters.get(_NONE_KEY) is _none_adapter:
                    del sqlite3.adapters[_NONE_KEY]


class SqliteBulkLoad:
    """Secondary indexes of ``tables`` are dropped for a bulk load and rebuilt by
    :meth:`finish` (a sorted build is several times faster than hundreds of thousands of
    random inserts into each), and the page cache is enlarged meanwhile. All inside the
    caller's transaction: a rollback restores the indexes too. SQLite only.

    ``cache_kib``: page cache during the load (the demo's 128 MB; an import, which already
    holds the sheet in memory, passes less to stay within its memory budget).

    ``keep``: names of indexes to leave in place. An index whose keys grow with the insert
    order (the parent id, a running number) costs about as much kept up row by row as
    rebuilt, and keeping it moves that work from after the load into it, which pays when
    the load waits for its rows anyway (the demo's producer process)."""

    def __init__(
        self,
        conn: Connection,
        tables: Iterable[Table],
        cache_kib: int = 131072,
        keep: Iterable[str] = (),
    ) -> None:
        self.conn = conn
        self.old_cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        conn.exec_driver_sql(f"PRAGMA cache_size=-{int(cache_kib)}")
        existing = {
            row[0]
            for row in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'")
        }
        self.dropped = []
        # pysqlite opens its transaction lazily, before the first DML statement only; DDL
        # run before that would commit on its own and survive a rollback.
        driver = conn.connection.driver_connection
        if not driver.in_transaction:
            conn.exec_driver_sql("UPDATE asset_number_sequences SET last_seq = last_seq WHERE 0")
        if not driver.in_transaction:
            return
        keep = set(keep)
        for table in tables:
            for index in sorted(table.indexes, key=lambda ix: ix.name or ""):
                if index.name in existing and index.name not in keep:
                    index.drop(conn)
                    self.dropped.append(index)

    def rebuild_indexes(self) -> None:
        """Create the dropped indexes again (once: a second call does nothing). For a caller
        whose last rows go to other tables, while something else is busy making them."""
        if not self.dropped:
            return
        # Let SQLite's sorter use a second core for the index builds (no-op if not built in).
        old_threads = self.conn.exec_driver_sql("PRAGMA threads").scalar()
        self.conn.exec_driver_sql("PRAGMA threads=2")
        try:
            for index in self.dropped:
                index.create(self.conn)
        finally:
            self.conn.exec_driver_sql(f"PRAGMA threads={int(old_threads or 0)}")
        self.dropped = []

    def finish(self) -> None:
        self.rebuild_indexes()
        self.conn.exec_driver_sql(f"PRAGMA cache_size={int(self.old_cache)}")
