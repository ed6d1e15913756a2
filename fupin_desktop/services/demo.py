"""Demo data: a whole county of consistent, realistic records (``fupin demo``).

``generate(db, households=N, seed=S)`` fills an empty database with the county that
``services.demo_rows`` generates (regions, households and members, incomes, 三保障 checks,
monitoring, helpers, handbook entries, projects in every workflow state, assets with incomes
and distributions). The same seed always gives the same data.

Speed (100 000 households, 1.2 million rows): the rows are generated in batches of villages
in a second process while this one writes the previous batches (``services.producer``; both
cores busy), and written as driver-ready tuples straight to the SQLite driver
(``services.bulk.fast_null_binding``, cyclic GC paused). The household tables' secondary
indexes with random keys are dropped for the load and rebuilt in one go once the households
are in, while the producer makes the projects (``services.bulk.SqliteBulkLoad``); a
rollback journal replaces WAL meanwhile. Everything is one transaction: nothing is written
if the caller cancels or anything fails.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import operator
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Connection, Date, DateTime, Numeric, Table, func, insert, select, text

from fupin_desktop import audit
from fupin_desktop.errors import UserError
# Importing the models package registers every table in Base.metadata (``_TABLES``).
from fupin_desktop.models import Asset, Base, Household, Project, Region
from fupin_desktop.services.bulk import SqliteBulkLoad, fast_null_binding, gc_paused
from fupin_desktop.services.demo_rows import (
    BATCH_HOUSEHOLDS,
    REFERENCE_DATE,
    TABLE_ORDER,
    Package,
    packages,
    project_count,
)
from fupin_desktop.services.overview import current_user_name, registry_counts
from fupin_desktop.services.producer import Producer

__all__ = ["REFERENCE_DATE", "DemoStats", "generate", "project_count"]

log = logging.getLogger(__name__)

# From this many households on, the rows are generated in a second process by default.
PARALLEL_MIN_HOUSEHOLDS = 10_000
PROGRESS_TEXT = "正在生成示例数据"

ProgressFn = Callable[[int, int, str], None]
CancelFn = Callable[[], bool]

# The tables the generator writes, by name, parents first.
_TABLES: dict[str, Table] = {name: Base.metadata.tables[name] for name in TABLE_ORDER}


@dataclass
class DemoStats:
    """What ``generate`` wrote."""

    households: int = 0
    members: int = 0  # member rows written, 减少 members included
    # On the register afterwards, counted as every page and report counts them
    # (``overview.registry_counts``): what the summary tells the clerk.
    register_households: int = 0
    register_people: int = 0
    projects: int = 0
    assets: int = 0
    helpers: int = 0
    villages: int = 0
    townships: int = 0
    rows: int = 0  # every row written, all tables
    seconds: float = 0.0
    parallel: bool = False  # the rows were generated in a second process
    per_table: dict[str, int] = field(default_factory=dict)


# ----------------------------------------------------------------------------- public API


def generate(
    db: Any,
    *,
    households: int,
    seed: int = 1,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
    reference_date: dt.date = REFERENCE_DATE,
    batch_households: int = BATCH_HOUSEHOLDS,
    parallel: bool | None = None,
) -> DemoStats:
    """Fill an empty database with a demo county of ``households`` households.

    Deterministic: the same ``seed`` and ``reference_date`` give identical rows (apart from
    the ``created_at`` stamps the database sets). ``progress(done, total, text)`` is called
    once per batch; ``cancel()`` is asked once per batch. Everything is written in one
    transaction.

    ``parallel``: generate the rows in a second process while this one writes them (see
    ``services.producer``); ``None`` does so from ``PARALLEL_MIN_HOUSEHOLDS`` households on,
    where it pays for the process start. The rows are the same either way.

    Raises ``UserError`` when ``households`` is not positive, when the database already
    holds households, projects or assets (demo data goes into an empty database file), and
    when ``cancel()`` returns true (then nothing has been written).
    """
    if households < 1:
        raise UserError("户数必须是正整数。")
    started = time.perf_counter()
    if parallel is None:
        parallel = households >= PARALLEL_MIN_HOUSEHOLDS
    stats = DemoStats()
    total = households + project_count(households)
    # The producer process starts first: it imports while the database is prepared.
    with Producer(packages, parallel=parallel) as producer, gc_paused(), fast_null_binding(), \
            _load_connection(db) as conn, conn.begin():
        _refuse_non_empty(conn)
        next_ids = _next_ids(conn)
        existing_regions = set(conn.execute(select(Region.code)).scalars())
        bulk = None
        if conn.dialect.name == "sqlite":
            bulk = SqliteBulkLoad(conn, [_TABLES[name] for name in _BULK_TABLES], keep=_KEPT_INDEXES)
        writer = _Writer(conn)
        args = (households, seed, reference_date, batch_households, next_ids, existing_regions)
        for done, package, info in producer.items(*args):
            if cancel is not None and cancel():
                raise UserError("已取消，数据库未改动。")
            writer.write(package)
            if info is not None:
                stats.villages, stats.townships = info
            if bulk is not None and done == households:
                # The per-household tables are complete (the projects and assets still to come
                # write none of them): rebuild their indexes while the producer makes those.
                bulk.rebuild_indexes()
            if progress is not None and done:
                progress(min(done, total - 1), total, PROGRESS_TEXT)
        stats.parallel = producer.parallel
        log.info("demo rows: %d received from a second process (parallel=%s)",
                 producer.received, producer.parallel)
        if bulk is not None:
            bulk.finish()
        audit.record_bulk(
            conn, "households", "insert", f"示例数据 {households} 户（随机种子 {seed}）",
            current_user_name(db),
        )
        if conn.dialect.name == "postgresql":
            _reset_sequences(conn, writer.tables_written)
    stats.households = writer.counts.get("households", 0)
    stats.members = writer.counts.get("members", 0)
    stats.projects = writer.counts.get("projects", 0)
    stats.assets = writer.counts.get("assets", 0)
    stats.helpers = writer.counts.get("helpers", 0)
    stats.rows = sum(writer.counts.values())
    stats.per_table = dict(writer.counts)
    with db.session() as session:
        counts = registry_counts(session)
    stats.register_households, stats.register_people = counts.households, counts.members
    stats.seconds = time.perf_counter() - started
    if progress is not None:
        progress(total, total, PROGRESS_TEXT)
    return stats


# ----------------------------------------------------------------------------- plumbing


def _refuse_non_empty(conn: Connection) -> None:
    for model, what in ((Household, "农户"), (Project, "项目"), (Asset, "资产")):
        if conn.execute(select(model.id).limit(1)).first() is not None:
            raise UserError(
                f"这个数据库里已有{what}数据，示例数据只能生成到空数据库中。"
                "请用 --db 指定一个新的数据库文件后再运行。"
            )


def _next_ids(conn: Connection) -> dict[str, int]:
    """The first free id of every table the generator writes (it assigns ids itself)."""
    out = {}
    for name, table in _TABLES.items():
        current = conn.execute(select(func.max(table.c.id))).scalar()
        out[name] = (current or 0) + 1
    return out


def _reset_sequences(conn: Connection, tables: set[str]) -> None:
    # Ids were assigned here, so PostgreSQL's serial sequences must catch up.
    for name in sorted(tables):
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"(SELECT MAX(id) FROM {name}))"
            )
        )


@contextlib.contextmanager
def _load_connection(db: Any):
    """A connection for the load. On SQLite the file is switched from WAL to a rollback
    journal for it: every page is then written once instead of twice (log, then checkpoint),
    and a rollback or a killed process still leaves the empty database as it was. The switch
    needs the only connection to the file, so the pool is emptied first; WAL is restored
    after."""
    if db.engine.dialect.name != "sqlite":
        with db.engine.connect() as conn:
            yield conn
        return
    db.engine.dispose()
    with db.engine.connect() as conn:
        # Through the driver: the journal mode cannot change inside a transaction.
        raw = conn.connection.driver_connection
        mode = raw.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
        try:
            yield conn
        finally:
            if conn.in_transaction():
                conn.rollback()
            if mode == "delete":
                raw.execute("PRAGMA journal_mode=WAL")


# Tables whose secondary indexes are dropped for the load and rebuilt once the households
# are in (the projects and assets that follow write none of them). Only tables with an index
# that is dropped: household_years has no secondary index, and those of helper_assignments
# and handbook_entries all follow the insert order (kept below), so they are not listed.
_BULK_TABLES = ("households", "members", "change_events", "helpers")
# Their indexes whose keys follow the generator's order (ids, numbers and codes that only
# grow, a few distinct values): kept up during the load, which waits for its rows anyway,
# instead of rebuilt after it. (A test checks that each is an index of a table above.)
_KEPT_INDEXES = (
    "ix_members_household_status", "ix_members_person_no", "uq_members_one_head",
    "ix_households_status_no", "ix_households_household_type",
    "ix_households_monitoring_category", "ix_households_region_group", "ix_households_tree",
    "ix_change_events_household", "ix_members_report", "ix_households_report",
)


class _Writer:
    """Writes packages: one executemany per table (and key set, for dict rows).

    SQLite gets the rows as tuples of driver-ready values through the driver cursor: at a
    million rows SQLAlchemy's per-row parameter processing costs more than SQLite's own
    work. Other databases get Core ``insert()`` with dicts of Python values.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.counts: dict[str, int] = {}
        self.tables_written: set[str] = set()
        self._tables = _TABLES
        self._fast = conn.dialect.name == "sqlite"
        self._plans: dict[tuple[str, tuple[str, ...]], tuple[str, Any, tuple, list]] = {}
        self._tuple_sql: dict[tuple[str, tuple[str, ...]], str] = {}
        self._fixers: dict[tuple[str, tuple[str, ...]], list[tuple[int, Callable[[Any], Any]]]] = {}

    def write(self, package: Package) -> None:
        for name, columns, rows in package:
            if columns is None:
                self._write_dicts(name, rows)
            else:
                self._write_tuples(name, columns, rows)
            self.counts[name] = self.counts.get(name, 0) + len(rows)
            self.tables_written.add(name)

    def _write_tuples(self, name: str, columns: tuple[str, ...], rows: list[Any]) -> None:
        if self._fast:
            sql = self._tuple_sql.get((name, columns))
            if sql is None:
                quote = self.conn.dialect.identifier_preparer.quote
                table = self._tables[name]
                sql = self._tuple_sql[(name, columns)] = "INSERT INTO {} ({}) VALUES ({})".format(
                    quote(table.name),
                    ", ".join(quote(table.c[c].name) for c in columns),
                    ", ".join("?" for _ in columns),
                )
            # Straight to the driver: rows may be lists, and SQLAlchemy would only look at them.
            cursor = self.conn.connection.cursor()
            try:
                cursor.executemany(sql, rows)
            finally:
                cursor.close()
            return
        fixers = self._tuple_fixers(name, columns)
        dicts = []
        for row in rows:
            values = list(row)
            for i, fix in fixers:
                if values[i] is not None:
                    values[i] = fix(values[i])
            dicts.append(dict(zip(columns, values)))
        self.conn.execute(insert(self._tables[name]), dicts)

    def _tuple_fixers(self, name: str, columns: tuple[str, ...]) -> list[tuple[int, Any]]:
        """Per column, how to turn a SQLite-ready tuple value back into the Python value
        SQLAlchemy expects (for PostgreSQL)."""
        fixers = self._fixers.get((name, columns))
        if fixers is None:
            table = self._tables[name]
            fixers = []
            for i, key in enumerate(columns):
                col_type = table.c[key].type
                if isinstance(col_type, DateTime):
                    fixers.append((i, dt.datetime.fromisoformat))
                elif isinstance(col_type, Date):
                    fixers.append((i, dt.date.fromisoformat))
                elif isinstance(col_type, Numeric):
                    fixers.append((i, lambda v: Decimal(repr(v)) if isinstance(v, float) else v))
                elif isinstance(col_type, JSON):
                    fixers.append((i, json.loads))
                elif isinstance(col_type, Boolean):
                    fixers.append((i, bool))
            self._fixers[(name, columns)] = fixers
        return fixers

    def _write_dicts(self, name: str, rows: list[dict[str, Any]]) -> None:
        # One executemany per distinct key set (rows of a table normally share one).
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for row in rows:
            groups.setdefault(tuple(row), []).append(row)
        for keys, group in groups.items():
            if self._fast:
                self._insert_driver(name, keys, group)
            else:
                self.conn.execute(insert(self._tables[name]), group)

    def _plan(self, name: str, keys: tuple[str, ...]) -> tuple[str, Any, tuple, list]:
        plan = self._plans.get((name, keys))
        if plan is not None:
            return plan
        table = self._tables[name]
        dialect = self.conn.dialect
        quote = dialect.identifier_preparer.quote
        columns = list(keys)
        tail = []
        for col in table.columns:
            # Scalar Python-side defaults (version=1 …) the rows leave out.
            if col.key not in keys and col.default is not None and col.default.is_scalar:
                columns.append(col.key)
                tail.append(col.default.arg)
        sql = "INSERT INTO {} ({}) VALUES ({})".format(
            quote(table.name),
            ", ".join(quote(table.c[c].name) for c in columns),
            ", ".join("?" for _ in columns),
        )
        converters = []
        for key in keys:
            col_type = table.c[key].type
            if isinstance(col_type, Date) and not isinstance(col_type, DateTime):
                converters.append((key, dt.date.isoformat))
            elif isinstance(col_type, (Numeric, DateTime, JSON)):
                proc = col_type.dialect_impl(dialect).bind_processor(dialect)
                if proc is not None:
                    converters.append((key, proc))
        getter = operator.itemgetter(*keys) if len(keys) > 1 else (lambda row, k=keys[0]: (row[k],))
        plan = (sql, getter, tuple(tail), converters)
        self._plans[(name, keys)] = plan
        return plan

    def _insert_driver(self, name: str, keys: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
        sql, getter, tail, converters = self._plan(name, keys)
        for key, convert in converters:
            for row in rows:
                value = row[key]
                if value is not None:
                    row[key] = convert(value)
        if tail:
            params = [getter(row) + tail for row in rows]
        else:
            params = [getter(row) for row in rows]
        self.conn.exec_driver_sql(sql, params)

