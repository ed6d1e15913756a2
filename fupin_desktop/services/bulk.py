"""Helpers for large Core writes shared by the demo generator and the importers."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, Table

__all__ = ["SqliteBulkLoad"]


class SqliteBulkLoad:
    """Secondary indexes of ``tables`` are dropped for a bulk load and rebuilt by
    :meth:`finish` (a sorted build is several times faster than hundreds of thousands of
    random inserts into each), and the page cache is enlarged meanwhile. All inside the
    caller's transaction: a rollback restores the indexes too. SQLite only.

    ``cache_kib``: page cache during the load (the demo's 128 MB; an import, which already
    holds the sheet in memory, passes less to stay within its memory budget)."""

    def __init__(self, conn: Connection, tables: Iterable[Table], cache_kib: int = 131072) -> None:
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
        for table in tables:
            for index in sorted(table.indexes, key=lambda ix: ix.name or ""):
                if index.name in existing:
                    index.drop(conn)
                    self.dropped.append(index)

    def finish(self) -> None:
        # Let SQLite's sorter use a second core for the index builds (no-op if not built in).
        old_threads = self.conn.exec_driver_sql("PRAGMA threads").scalar()
        self.conn.exec_driver_sql("PRAGMA threads=2")
        try:
            for index in self.dropped:
                index.create(self.conn)
        finally:
            self.conn.exec_driver_sql(f"PRAGMA threads={int(old_threads or 0)}")
        self.dropped = []
        self.conn.exec_driver_sql(f"PRAGMA cache_size={int(self.old_cache)}")
