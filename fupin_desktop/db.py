"""Opening the database: engine, session factory, SQLite pragmas, Alembic upgrade on open.

``open_database(target)`` takes a SQLAlchemy URL, a file path, or nothing (then
``FUPIN_DB_URL``, then the SQLite file in the per-user data folder). Opening a database that
an older version created backs it up first (services.trust.backups: the one backup module;
PostgreSQL through pg_dump), then upgrades it to the current schema. A new SQLite file is
created readable by its owner only. ``set_login_hook`` lets the command line sign every
database it opens in (``--user``).
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from fupin_desktop import audit, paths
from fupin_desktop.models import derived
from fupin_desktop.errors import DatabaseVersionError, UserError

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class AuditedSession(Session):
    """The session class every caller gets: its writes go into the audit log."""


derived.install(AuditedSession)
audit.install(AuditedSession)


def _install_permissions() -> None:
    from fupin_desktop.services.trust.permissions import install

    install(AuditedSession)


_install_permissions()

# Signs each database the process opens in (cli.main sets it from --user); None: no hook.
_login_hook: Callable[[Database], None] | None = None


def set_login_hook(hook: Callable[[Database], None] | None) -> None:
    global _login_hook
    _login_hook = hook


def resolve_url(target: str | os.PathLike[str] | None = None) -> str:
    """Turn ``--db`` / ``FUPIN_DB_URL`` / the default into a SQLAlchemy URL."""
    if target is None or str(target) == "":
        target = os.environ.get("FUPIN_DB_URL") or None
    if target is None:
        return f"sqlite:///{paths.default_db_path()}"
    text = str(target)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


# How long a write waits for another program's write to finish before giving up.
SQLITE_BUSY_TIMEOUT_MS = 10_000

BUSY_MESSAGE = "数据库正被其他程序写入（可能是另一个导入或示例数据生成正在进行），请等它完成后再试。"


def busy_error(exc: BaseException) -> UserError | None:
    """The ``UserError`` to show for ``exc`` when it is the database being locked by another
    writer (SQLite's "database is locked"/"busy", PostgreSQL's lock timeout), else None.
    Covers SQLAlchemy's wrapped errors and raw driver errors alike."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).lower()
    if isinstance(orig, sqlite3.OperationalError) and ("locked" in text or "busy" in text):
        return UserError(BUSY_MESSAGE)
    if type(orig).__name__ in ("LockNotAvailable", "DeadlockDetected"):
        return UserError(BUSY_MESSAGE)
    return None


def _sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_MS)}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_savepoint(conn, _name) -> None:
    # pysqlite opens its transaction lazily, before the first INSERT/UPDATE/DELETE, so a
    # SAVEPOINT that comes first would run outside any transaction and its RELEASE would
    # commit what the outer unit of work may still roll back. Open the transaction first.
    # (Reads stay outside a transaction, so a reader never holds a stale WAL snapshot that
    # would make its later write fail instead of waiting.)
    driver = conn.connection.driver_connection
    if not driver.in_transaction:
        driver.execute("BEGIN")


_JSON_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def dumps_json(value: object) -> str:
    """How JSON columns are written: compact, Chinese text as UTF-8 rather than ``\\uXXXX``
    escapes — the same values in half the bytes (the audit log's old/new values, an
    import's source rows; services.household_import writes the latter with the same
    settings)."""
    return _JSON_ENCODER.encode(value)


def make_engine(url: str) -> Engine:
    sa_url = make_url(url)
    if sa_url.get_backend_name() == "sqlite":
        database = sa_url.database
        if database and database != ":memory:":
            parent = Path(database).parent
            if not parent.exists():
                raise UserError(f"数据库所在文件夹不存在：{parent}，请先建立该文件夹或换一个位置。")
            if not Path(database).exists():
                from fupin_desktop.services.trust.backups import create_private

                create_private(Path(database))  # readable by its owner only
        engine = create_engine(url, json_serializer=dumps_json)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "savepoint", _sqlite_savepoint)
        return engine
    return create_engine(url, pool_pre_ping=True, json_serializer=dumps_json)


@dataclass
class Database:
    """An open database: the engine and a factory for one session per user action."""

    url: str
    engine: Engine
    session_factory: sessionmaker[AuditedSession]
    user: str | None = None
    # The signed-in user (services.trust.Principal); None: login is off or not needed.
    principal: object | None = None

    def sign_in(self, principal) -> None:
        """Record writes under ``principal`` and check its permissions from now on."""
        self.principal = principal
        self.user = principal.username if principal is not None else self.user

    @contextlib.contextmanager
    def session(self, *, note: str | None = None) -> Iterator[AuditedSession]:
        """One unit of work: commits when the block ends, rolls back if it raises."""
        session = self.session_factory()
        if self.user:
            session.info["user"] = self.user
        if self.principal is not None:
            session.info["principal"] = self.principal
        if note:
            session.info["audit_note"] = note
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def display_name(self) -> str:
        """A human description for the status bar (no password)."""
        url = make_url(self.url)
        if url.get_backend_name() == "sqlite":
            return f"SQLite：{url.database}"
        return f"{url.get_backend_name()}：{url.render_as_string(hide_password=True)}"

    def dispose(self) -> None:
        self.engine.dispose()


def _alembic_config(engine: Engine):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser treats % as interpolation; a path with Chinese characters is %-encoded.
    url = engine.url.render_as_string(hide_password=False).replace("%", "%%")
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def head_revision(engine: Engine) -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config(engine)).get_current_head()


def _stored_versions(engine: Engine) -> list[str] | None:
    """The rows of ``alembic_version`` read with plain SQL (importing Alembic costs a few
    tenths of a second at every start), or None when the table does not exist."""
    try:
        with engine.connect() as conn:
            return list(conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())
    except Exception:  # noqa: BLE001 - no version table (a new or foreign database)
        return None


def current_revision(engine: Engine) -> str | None:
    versions = _stored_versions(engine)
    if versions is not None and len(versions) <= 1:
        return versions[0] if versions else None
    from alembic.runtime.migration import MigrationContext  # several heads: Alembic says so

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@functools.lru_cache(maxsize=None)
def _revisions_from_files(migrations: Path) -> tuple[frozenset[str], frozenset[str]] | None:
    """``(revisions, down_revisions)`` as the migration files name them (``revision`` and
    ``down_revision`` lines), or None when a file does not say them plainly."""
    revisions: set[str] = set()
    downs: set[str] = set()
    for path in (migrations / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        rev = re.search(r"^revision\s*(?::[^=\n]*)?=\s*['\"]([^'\"]+)['\"]", text, re.M)
        down = re.search(r"^down_revision\s*(?::[^=\n]*)?=\s*(.+)$", text, re.M)
        if rev is None or down is None:
            return None
        revisions.add(rev.group(1))
        downs.update(re.findall(r"['\"]([^'\"]+)['\"]", down.group(1)))
    return frozenset(revisions), frozenset(downs)


def _head_from_files(migrations: Path) -> str | None:
    """The newest revision as the migration files name it, or None when that is not plain
    (no .py files, several heads): then Alembic decides."""
    graph = _revisions_from_files(migrations)
    if graph is None:
        return None
    heads = graph[0] - graph[1]
    return next(iter(heads)) if len(heads) == 1 else None


def _is_current(engine: Engine) -> bool:
    """Whether the database is at the newest revision, found without loading Alembic (a
    tenth of a second at every start of the program or of a command)."""
    head = _head_from_files(MIGRATIONS_DIR)
    if head is None:
        return False
    return _stored_versions(engine) == [head]


def upgrade(engine: Engine) -> Path | None:
    """Bring the schema to the current version; returns the backup made first, if any."""
    if _is_current(engine):
        return None
    from alembic import command
    from alembic.script import ScriptDirectory

    cfg = _alembic_config(engine)
    script = ScriptDirectory.from_config(cfg)
    head = script.get_current_head()
    current = current_revision(engine)
    if current == head:
        return None
    table_names = set(inspect(engine).get_table_names())
    if current is None and table_names - {"alembic_version"}:
        raise DatabaseVersionError(_NOT_OURS)
    if current is not None:
        try:
            script.get_revision(current)
        except Exception as exc:  # alembic raises CommandError/ResolutionError subclasses
            raise _newer_version(current) from exc
    backup = None
    if current is not None and (engine.dialect.name != "sqlite" or engine.url.database):
        from fupin_desktop.services.trust.backups import backup_engine

        backup = backup_engine(engine, "upgrade")
        log.info("database backed up to %s before upgrade", backup)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return backup


_SQLITE_MAGIC = b"SQLite format 3\x00"
_NOT_OURS = "这个数据库里已有其他程序的数据表，不是本程序的数据库。请选择本程序的数据库文件，或新建一个。"


def _newer_version(version: str) -> DatabaseVersionError:
    return DatabaseVersionError(f"这个数据库由更新版本的程序创建（版本 {version}），请升级本程序后再打开。")


def check_sqlite_file(path: Path) -> None:
    """Refuse (``UserError``) a file that is not a SQLite database of this program, or of an
    older version of it, before anything opens it for writing: the header is read and the
    tables are listed through a read-only connection, so a refused file is left exactly as
    it was (no switch to WAL, no journal). A missing or empty file is a new database."""
    try:
        if not path.exists():
            return
        if path.is_dir():
            raise UserError(f"“{path}”是文件夹，不是数据库文件。请选择本程序的数据库文件（.sqlite3）。")
        with path.open("rb") as fh:
            head = fh.read(len(_SQLITE_MAGIC))
    except PermissionError:
        raise UserError(f"没有权限读取数据库文件“{path}”。请检查文件权限。") from None
    except OSError as exc:
        raise UserError(f"无法读取数据库文件“{path}”：{exc.strerror or exc}。") from None
    if not head:
        return
    if head != _SQLITE_MAGIC:
        raise UserError(
            f"“{path.name}”不是数据库文件（可能是表格、文本或其他文件）。"
            "请选择本程序的数据库文件（.sqlite3），或指定一个新文件名来新建数据库。"
        )
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
        try:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            versions = (
                [r[0] for r in con.execute("SELECT version_num FROM alembic_version")]
                if "alembic_version" in tables else []
            )
        finally:
            con.close()
    except sqlite3.OperationalError:
        return  # locked or not readable read-only here: the ordinary open reports it
    except sqlite3.DatabaseError:
        raise UserError(
            f"数据库文件“{path.name}”已损坏，无法打开。请从 backups 文件夹中的备份恢复，或联系维护人员。"
        ) from None
    if not versions and tables - {"alembic_version"}:
        raise DatabaseVersionError(_NOT_OURS)
    graph = _revisions_from_files(MIGRATIONS_DIR)
    if graph is not None:
        unknown = [v for v in versions if v not in graph[0]]
        if unknown:
            raise _newer_version(unknown[0])


def hide_password(text: str, url: str) -> str:
    """``text`` (a message that may quote ``url``) with the password of ``url`` replaced by
    ``***``; works on addresses SQLAlchemy cannot parse too."""
    m = re.match(r"^[^:/]+://[^:@/]*:([^@]+)@", url)
    if m and m.group(1):
        text = text.replace(m.group(1), "***")
    return text


def safe_url(url: str) -> str:
    """``url`` for messages and logs: never its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not even parseable: mask by hand
        return hide_password(url, url)


def open_database(
    target: str | os.PathLike[str] | None = None,
    *,
    migrate: bool = True,
    user: str | None = None,
) -> Database:
    """Open (and by default create or upgrade) the database named by ``target``.

    Raises ``UserError`` when the location cannot be used, and ``DatabaseVersionError`` when
    the database belongs to a newer version of the program or to another program.
    """
    url = resolve_url(target)
    try:
        sa_url = make_url(url)
        if sa_url.get_backend_name() == "sqlite" and sa_url.database and sa_url.database != ":memory:":
            check_sqlite_file(Path(sa_url.database))
        engine = make_engine(url)
    except UserError:
        raise
    except Exception as exc:
        raise UserError(hide_password(
            f"无法打开数据库 {safe_url(url)}：{exc}。请检查 --db 参数或 FUPIN_DB_URL。", url)) from None
    if migrate:
        try:
            upgrade(engine)
        except UserError:
            engine.dispose()
            raise
        except Exception as exc:
            engine.dispose()
            from sqlalchemy.exc import OperationalError

            if isinstance(exc, OperationalError):
                raise UserError(hide_password(
                    f"无法连接或读写数据库：{exc.orig}。请检查数据库地址、文件权限或服务器是否已启动。", url
                )) from exc
            raise
    factory = sessionmaker(bind=engine, class_=AuditedSession, expire_on_commit=False)
    database = Database(url=url, engine=engine, session_factory=factory, user=user)
    if _login_hook is not None:
        try:
            _login_hook(database)
        except BaseException:
            engine.dispose()
            raise
    return database
