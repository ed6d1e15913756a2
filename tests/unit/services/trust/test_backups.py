"""Backups: restore of yesterday's, a kill mid-backup, a corrupt backup refused, rotation,
owner-only files."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fupin_desktop.db import open_database
from fupin_desktop.errors import UserError
from fupin_desktop.models import Household
from fupin_desktop.services import trust
from fupin_desktop.services.trust import backups
from tests.factories import add_household, add_regions


@pytest.fixture
def filled(db):
    with db.session() as s:
        add_regions(s)
        add_household(s)
    return db


def _households(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Household))


def test_restore_of_yesterdays_backup_keeps_a_copy_of_today_first(filled):
    db = filled
    yesterday = dt.datetime.now() - dt.timedelta(days=1)
    old = trust.backup(db, "daily", now=yesterday)
    with db.session() as s:
        add_household(s, no="5223261002010002", head="王五", seq=2)
    assert _households(db) == 2

    kept = trust.restore(db, old)

    assert _households(db) == 1
    listed = trust.list_backups(db.engine.url)
    assert [(b.reason, b.households) for b in listed] == [("restore", 2), ("daily", 1)]
    assert listed[0].path == kept and listed[1].at.date() == yesterday.date()
    # The copy made first gives today's data back.
    trust.restore(db, kept)
    assert _households(db) == 2


def test_a_corrupt_backup_is_refused_and_nothing_changes(filled, tmp_path):
    db = filled
    good = trust.backup(db, "manual")
    bad = tmp_path / ("bad.sqlite3" if db.is_sqlite else "bad.dump")
    data = bytearray(good.read_bytes())
    if db.is_sqlite:
        page = int.from_bytes(data[16:18], "big")
        for offset in range(page * 2, min(len(data), page * 6)):  # tear pages 3–6
            data[offset] = 0x5A
    else:
        data = data[: len(data) // 3]
    bad.write_bytes(bytes(data))
    with pytest.raises(UserError, match="不能用这个备份恢复：bad"):
        trust.restore(db, bad)
    text = tmp_path / "notes.sqlite3"
    text.write_text("不是数据库", encoding="utf-8")
    with pytest.raises(UserError, match="不能用这个备份恢复"):
        trust.restore(db, text)
    assert _households(db) == 1
    assert [b.reason for b in trust.list_backups(db.engine.url)] == ["manual"]  # no restore copy made


KILLED_BACKUP = textwrap.dedent("""
    import sys, time
    from sqlalchemy import create_engine
    from fupin_desktop.services.trust import backups

    def step(status, remaining, total):
        print("copying", remaining, total, flush=True)
        time.sleep(0.5)

    backups.backup_engine(create_engine(sys.argv[1]), "manual", pages=1, progress=step)
    print("finished", flush=True)
""")


def test_a_backup_killed_halfway_leaves_no_backup_and_the_database_intact(sqlite_db, tmp_path):
    db = sqlite_db
    with db.session() as s:
        add_regions(s)
        for n in range(40):
            add_household(s, no=f"52232610020100{n:02d}", head=f"户主{n}", seq=n + 1)
    proc = subprocess.Popen([sys.executable, "-c", KILLED_BACKUP, db.url], stdout=subprocess.PIPE, text=True,
                            env=dict(os.environ), cwd=os.getcwd())
    first = proc.stdout.readline()
    proc.kill()
    proc.wait()
    proc.stdout.close()
    assert first.startswith("copying")
    _status, remaining, total = first.split()
    assert int(remaining) > 0  # killed with pages still to copy
    folder = backups.folder_for(db.engine.url)
    assert list(folder.glob(".*.partial"))  # the half copy is there, under its temporary name
    assert trust.list_backups(db.engine.url) == []
    assert backups.integrity_problem(Path(db.engine.url.database)) is None
    assert _households(db) == 40
    # The next backup clears the half copy away.
    trust.backup(db, "manual")
    assert not list(folder.glob(".*.partial"))
    assert len(trust.list_backups(db.engine.url)) == 1


def test_rotation_keeps_today_seven_days_and_four_weeks(tmp_path):
    now = dt.datetime(2026, 12, 7, 9, 0)
    for day in range(0, 60):
        for hour in (8, 17):
            at = now - dt.timedelta(days=day) + dt.timedelta(hours=hour - 9)
            (tmp_path / f"{at:%Y%m%d-%H%M%S}-daily.sqlite3").write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("not a backup")
    backups.rotate(tmp_path, now=now)
    kept = sorted(p.name for p in tmp_path.glob("*.sqlite3"))
    days = sorted({name[:8] for name in kept})
    today = [n for n in kept if n.startswith("20261207")]
    assert len(today) == 2  # both of today's
    older = [dt.datetime.strptime(d, "%Y%m%d").date() for d in days if d != "20261207"]
    assert len(older) == 7 + 4
    daily, weekly = older[-7:], older[:-7]
    assert daily == [now.date() - dt.timedelta(days=n) for n in range(7, 0, -1)]
    assert len({d.isocalendar()[:2] for d in weekly}) == 4
    assert all(n.endswith("170000-daily.sqlite3") for n in kept if not n.startswith("20261207"))  # newest of its day
    assert (tmp_path / "notes.txt").exists()


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_backups_and_new_databases_are_owner_only(filled, tmp_path):
    path = trust.backup(filled, "manual")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.with_name(path.name + ".json").stat().st_mode) == 0o600
    out = trust.backup(filled, "manual", output=tmp_path / "copy.backup")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    new = open_database(tmp_path / "new.sqlite3")
    new.dispose()
    assert stat.S_IMODE((tmp_path / "new.sqlite3").stat().st_mode) == 0o600


def test_backup_refuses_to_overwrite_and_cli_lists_json(filled, tmp_path, capsys):
    import json

    from fupin_desktop.cli import main

    target = tmp_path / "mine.backup"
    assert main(["--db", filled.url, "backup", "-o", str(target)]) == 0
    assert main(["--db", filled.url, "backup", "-o", str(target)]) == 2
    assert "文件已存在" in capsys.readouterr().err
    assert main(["--db", filled.url, "backup"]) == 0
    capsys.readouterr()
    assert main(["--db", filled.url, "backups", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(b["reason"], b["households"]) for b in listed] == [("手动", 1)]


def test_postgresql_without_pg_dump_says_so(pg_db, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(UserError, match="找不到 PostgreSQL 的 pg_dump"):
        trust.backup(pg_db, "manual")


def test_an_upgrade_is_backed_up_first_on_both_databases(db, tmp_path):
    from fupin_desktop import db as dbmod
    from tests.factories import engine_at_revision

    engine = engine_at_revision(db, "0010_import_day", tmp_path)
    made = dbmod.upgrade(engine)
    engine.dispose()
    listed = trust.list_backups(engine.url)
    assert [b.path for b in listed] == [made] and listed[0].reason == "upgrade"
    assert made.suffix == (".sqlite3" if db.is_sqlite else ".dump")
    assert dbmod.current_revision(engine) == dbmod.head_revision(engine)


def test_without_pg_dump_a_postgresql_upgrade_is_refused_with_a_clear_message(pg_db, tmp_path, monkeypatch):
    from fupin_desktop import db as dbmod
    from tests.factories import engine_at_revision

    engine = engine_at_revision(pg_db, "0010_import_day", tmp_path)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(UserError, match="找不到 PostgreSQL 的 pg_dump"):
        dbmod.upgrade(engine)
    assert dbmod.current_revision(engine) == "0010_import_day"  # not upgraded without a backup
    engine.dispose()
