"""Backups of the database: one module for every backup the program makes.

SQLite: a consistent copy through the ``sqlite3`` backup API (safe while the file is open
and being written), written under a temporary name, checked with ``PRAGMA
integrity_check`` and only then renamed into place — a program killed halfway leaves no
file that looks like a backup. PostgreSQL: ``pg_dump -Fc`` / ``pg_restore`` when they are
on PATH. Backups are kept per database in ``<data folder>/backups/<database>/`` and are
readable by their owner only (0600 on POSIX).

Automatic backups (once a day on start, before every import, upgrade and restore) are
rotated: all of today's are kept, then the newest of each of the 7 latest days and the
newest of each of the 4 latest weeks before them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import URL, make_url

from fupin_desktop import paths
from fupin_desktop.errors import UserError

KEEP_DAILY = 7
KEEP_WEEKLY = 4

REASON_LABELS = {
    "daily": "每日自动", "manual": "手动", "import": "导入前", "upgrade": "升级前", "restore": "恢复前",
}
_NAME = re.compile(r"^(\d{8}-\d{6})(?:-(\d+))?-([a-z]+)(?:-[A-Za-z0-9_]+)?\.(sqlite3|dump)$")
_STAMP = "%Y%m%d-%H%M%S"
_SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    at: dt.datetime
    reason: str
    size: int
    households: int | None
    members: int | None

    @property
    def reason_label(self) -> str:
        return REASON_LABELS.get(self.reason, self.reason)

    def as_json(self) -> dict:
        return {"file": str(self.path), "at": self.at.isoformat(sep=" "), "reason": self.reason_label,
                "size": self.size, "households": self.households, "members": self.members}


def private_file(path: Path) -> None:
    """Make ``path`` readable by its owner only (no-op where POSIX modes do not apply)."""
    if os.name == "posix":
        os.chmod(path, 0o600)


def create_private(path: Path) -> None:
    """Create an empty file only its owner can read (a new SQLite database starts as one)."""
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


# -- where ---------------------------------------------------------------------------------

def _is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def folder_for(url: str | URL) -> Path:
    """The folder holding this database's backups."""
    url = make_url(url) if isinstance(url, str) else url
    if _is_sqlite(url):
        path = Path(url.database or "memory").resolve()
        key = f"{path.stem}-{hashlib.sha1(str(path).encode()).hexdigest()[:8]}"
    else:
        where = f"{url.host}:{url.port}/{url.database}"
        key = f"pg-{url.database}-{hashlib.sha1(where.encode()).hexdigest()[:8]}"
    folder = paths.backups_dir() / key
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _target(folder: Path, reason: str, suffix: str, now: dt.datetime) -> Path:
    stamp = now.strftime(_STAMP)
    target = folder / f"{stamp}-{reason}.{suffix}"
    n = 1
    while target.exists():
        target = folder / f"{stamp}-{n}-{reason}.{suffix}"
        n += 1
    return target


def _partial(target: Path) -> Path:
    return target.with_name(f".{target.name}.partial")


def _clean_partials(folder: Path) -> None:
    for stale in folder.glob(".*.partial"):
        stale.unlink(missing_ok=True)


# -- SQLite ---------------------------------------------------------------------------------

def integrity_problem(path: Path) -> str | None:
    """None when ``path`` is a sound SQLite database, else why not (in Chinese)."""
    try:
        with path.open("rb") as fh:
            if fh.read(len(_SQLITE_MAGIC)) != _SQLITE_MAGIC:
                return "不是数据库文件"
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            result = [r[0] for r in con.execute("PRAGMA integrity_check")]
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            con.close()
    except (OSError, sqlite3.DatabaseError) as exc:
        return f"文件已损坏（{exc}）"
    if result != ["ok"]:
        return f"文件已损坏（{'；'.join(result[:3])}）"
    if "alembic_version" not in tables or "households" not in tables:
        return "不是本程序的数据库"
    return None


def _sqlite_counts(path: Path) -> tuple[int | None, int | None]:
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            households = con.execute("SELECT count(*) FROM households WHERE status = '01'").fetchone()[0]
            members = con.execute("SELECT count(*) FROM members WHERE status = '01'").fetchone()[0]
        finally:
            con.close()
    except sqlite3.DatabaseError:
        return None, None
    return households, members


def copy_sqlite(src: Path, target: Path, *, pages: int = -1,
                progress: Callable[[int, int, int], object] | None = None) -> Path:
    """Copy the SQLite database ``src`` to ``target`` (which must not exist) through the
    backup API, check the copy, then rename it into place. Nothing named ``target``
    exists until the copy is whole and sound."""
    tmp = _partial(target)
    tmp.unlink(missing_ok=True)
    create_private(tmp)
    try:
        source = sqlite3.connect(src, timeout=30)
        try:
            dest = sqlite3.connect(tmp)
            try:
                source.backup(dest, pages=pages, progress=progress)
                dest.execute("PRAGMA journal_mode=DELETE")
            finally:
                dest.close()
        finally:
            source.close()
        problem = integrity_problem(tmp)
        if problem:
            raise UserError(f"备份失败：备份副本检查未通过（{problem}），原数据库未改动。")
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _write_meta(target: Path, households: int | None, members: int | None) -> None:
    meta = target.with_name(target.name + ".json")
    meta.write_text(json.dumps({"households": households, "members": members}), encoding="utf-8")
    private_file(meta)


# -- PostgreSQL -----------------------------------------------------------------------------

def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise UserError(
            f"找不到 PostgreSQL 的 {name} 程序，无法备份或恢复共用数据库。"
            "请安装 PostgreSQL 客户端工具并把它的 bin 文件夹加入 PATH，或请数据库管理员备份。")
    return found


def _pg_args(url: URL) -> tuple[list[str], dict[str, str]]:
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    args = []
    if url.host:
        args += ["-h", url.host]
    if url.port:
        args += ["-p", str(url.port)]
    if url.username:
        args += ["-U", url.username]
    return args, env


def _run(cmd: list[str], env: dict[str, str], what: str) -> None:
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        detail = (proc.stderr or "").strip().splitlines()
        raise UserError(f"{what}失败：{detail[-1] if detail else proc.returncode}")


def dump_postgres(url: URL, target: Path) -> Path:
    tool = _pg_tool("pg_dump")
    args, env = _pg_args(url)
    tmp = _partial(target)
    tmp.unlink(missing_ok=True)
    create_private(tmp)
    try:
        _run([tool, *args, "-Fc", "-f", str(tmp), url.database or ""], env, "备份（pg_dump）")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _check_dump(path: Path) -> str | None:
    tool = _pg_tool("pg_restore")
    proc = subprocess.run([tool, "--list", str(path)], capture_output=True, text=True)
    if proc.returncode != 0 or "TABLE DATA public households" not in proc.stdout:
        return "文件已损坏或不是本程序数据库的备份"
    return None


# -- public -------------------------------------------------------------------------------

def _counts(engine: Engine) -> tuple[int | None, int | None]:
    from sqlalchemy import func, select

    from fupin_desktop.models import Household, Member
    from fupin_desktop.models.household import MEMBER_PRESENT

    try:
        with engine.connect() as conn:
            hh = conn.scalar(select(func.count()).select_from(Household).where(Household.status == "01"))
            mm = conn.scalar(select(func.count()).select_from(Member).where(Member.status == MEMBER_PRESENT))
    except Exception:  # noqa: BLE001 - an old schema being upgraded: counts are a nicety
        return None, None
    return hh, mm


def backup_engine(engine: Engine, reason: str = "manual", *, output: Path | None = None,
                  now: dt.datetime | None = None, rotate_after: bool = True, pages: int = -1,
                  progress: Callable[[int, int, int], object] | None = None) -> Path:
    """Back up the database behind ``engine``; returns the file. ``output``: write there
    instead of the backups folder (not rotated). ``pages``/``progress``: SQLite's backup
    steps (all at once by default)."""
    url = engine.url
    now = now or dt.datetime.now()
    suffix = "sqlite3" if _is_sqlite(url) else "dump"
    if output is not None:
        target = Path(output).expanduser().resolve()
        if target.exists():
            raise UserError(f"文件已存在：{target}。请换一个文件名，备份不会覆盖已有文件。")
        if not target.parent.is_dir():
            raise UserError(f"文件夹不存在：{target.parent}")
    else:
        folder = folder_for(url)
        _clean_partials(folder)
        target = _target(folder, reason, suffix, now)
    households, members = _counts(engine)
    if _is_sqlite(url):
        copy_sqlite(Path(url.database or ""), target, pages=pages, progress=progress)
    else:
        dump_postgres(url, target)
    if output is None:
        _write_meta(target, households, members)
        if rotate_after:
            rotate(folder_for(url), now=now)
    return target


def backup(db, reason: str = "manual", *, output: Path | None = None, now: dt.datetime | None = None) -> Path:
    """Back up an open ``Database`` (anyone may: a backup changes nothing)."""
    return backup_engine(db.engine, reason, output=output, now=now)


def list_backups(url: str | URL) -> list[BackupInfo]:
    """This database's backups, newest first. Half-written files are never listed."""
    folder = folder_for(url)
    out = []
    for path in folder.iterdir():
        m = _NAME.match(path.name)
        if not m or not path.is_file():
            continue
        at = dt.datetime.strptime(m.group(1), _STAMP)
        meta = path.with_name(path.name + ".json")
        households = members = None
        if meta.is_file():
            try:
                data = json.loads(meta.read_text(encoding="utf-8"))
                households, members = data.get("households"), data.get("members")
            except (OSError, ValueError):
                pass
        elif path.suffix == ".sqlite3":
            households, members = _sqlite_counts(path)
        out.append(BackupInfo(path, at, m.group(3), path.stat().st_size, households, members))
    out.sort(key=lambda b: (b.at, b.path.name), reverse=True)
    return out


def rotate(folder: Path, *, now: dt.datetime | None = None) -> list[Path]:
    """Delete automatic backups beyond today's, the newest of the 7 latest days and the
    newest of the 4 latest weeks before those. Returns the deleted files."""
    today = (now or dt.datetime.now()).date()
    items = []
    for path in folder.iterdir():
        m = _NAME.match(path.name)
        if m and path.is_file():
            items.append((dt.datetime.strptime(m.group(1), _STAMP), path.name, path))
    items.sort(reverse=True)
    keep: set[Path] = set()
    days: list[dt.date] = []
    weeks: list[tuple[int, int]] = []
    for at, _name, path in items:
        day = at.date()
        if day == today:
            keep.add(path)
            continue
        if day in days:
            continue
        if len(days) < KEEP_DAILY:
            days.append(day)
            keep.add(path)
            continue
        week = day.isocalendar()[:2]
        if week in weeks or len(weeks) >= KEEP_WEEKLY:
            continue
        if any(d.isocalendar()[:2] == week for d in days):
            continue  # that week already has a daily backup kept
        weeks.append(week)
        keep.add(path)
    deleted = []
    for _at, _name, path in items:
        if path not in keep:
            path.unlink(missing_ok=True)
            path.with_name(path.name + ".json").unlink(missing_ok=True)
            deleted.append(path)
    return deleted


def daily_backup(db, *, now: dt.datetime | None = None) -> Path | None:
    """The once-a-day backup made when the program starts (SQLite only: a shared
    database is backed up by its server); None when today's exists already."""
    if not db.is_sqlite:
        return None
    now = now or dt.datetime.now()
    if any(b.at.date() == now.date() for b in list_backups(db.engine.url)):
        return None
    return backup(db, "daily", now=now)


def before_import(db) -> Path | None:
    """The backup made before an import writes (SQLite; PostgreSQL when pg_dump is there)."""
    if db.is_sqlite:
        return backup(db, "import")
    if shutil.which("pg_dump"):
        return backup(db, "import")
    return None


def check_backup(path: Path, url: str | URL) -> None:
    """Refuse (``UserError``) a backup file that cannot be restored into this database."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"找不到备份文件：{path}")
    url = make_url(url) if isinstance(url, str) else url
    problem = integrity_problem(path) if _is_sqlite(url) else _check_dump(path)
    if problem:
        raise UserError(f"不能用这个备份恢复：{path.name} {problem}。请选择其他备份，数据库未改动。")
    if _is_sqlite(url):
        from fupin_desktop.db import check_sqlite_file

        check_sqlite_file(path)  # a newer program's or another program's database


def restore(db, path: Path) -> Path:
    """Replace the database's contents with the backup ``path`` (管理员). A backup of the
    current contents is made first and returned. The database is upgraded afterwards if
    the backup came from an older version. ``db``'s connections are closed; callers
    keep using ``db`` (new connections see the restored data)."""
    from fupin_desktop.services.trust.permissions import RESTORE, require

    with db.session() as session:
        require(session, RESTORE)
    path = Path(path).resolve()
    check_backup(path, db.engine.url)
    current = backup(db, "restore")
    url = db.engine.url
    db.engine.dispose()
    if _is_sqlite(url):
        live = Path(url.database or "")
        src = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            dest = sqlite3.connect(live, timeout=30)
            try:
                src.backup(dest)
            finally:
                dest.close()
        finally:
            src.close()
    else:
        tool = _pg_tool("pg_restore")
        args, env = _pg_args(url)
        _run([tool, *args, "--clean", "--if-exists", "--no-owner", "--single-transaction",
              "-d", url.database or "", str(path)], env, "恢复（pg_restore）")
    from fupin_desktop.db import upgrade

    upgrade(db.engine)
    return current
