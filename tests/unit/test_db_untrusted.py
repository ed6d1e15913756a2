"""``--db`` naming something that is not our database is refused before anything is written
to it (no WAL switch, no tables), and a password in an address is never printed."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest

from fupin_desktop.cli import main


def _state(path):
    files = sorted(p.name for p in path.parent.iterdir())
    return hashlib.sha256(path.read_bytes()).hexdigest(), files


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_a_text_file_is_refused_untouched(tmp_path, capsys):
    path = tmp_path / "notes.txt"
    path.write_text("这不是数据库\n" * 50, encoding="utf-8")
    before = _state(path)
    assert main(["--db", str(path), "init"]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "不是数据库文件" in line and "notes.txt" in line
    assert _state(path) == before


def test_a_foreign_sqlite_file_is_refused_before_wal(tmp_path, capsys):
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    con.execute("INSERT INTO customers VALUES (1, 'x')")
    con.commit()
    con.close()
    before = _state(path)
    assert main(["--db", str(path), "init"]) == 2
    assert "其他程序" in _one_line(capsys.readouterr().err)
    assert _state(path) == before  # no -wal/-shm beside it, same bytes
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    con.close()


def test_a_damaged_sqlite_file_is_refused(tmp_path, capsys):
    path = tmp_path / "broken.sqlite3"
    path.write_bytes(b"SQLite format 3\x00" + b"\x13" * 5000)
    before = _state(path)
    assert main(["--db", str(path), "init"]) == 2
    assert "损坏" in _one_line(capsys.readouterr().err)
    assert _state(path) == before


def test_a_newer_version_database_is_refused_untouched(sqlite_template, tmp_path, capsys):
    import shutil

    path = tmp_path / "newer.sqlite3"
    shutil.copyfile(sqlite_template, path)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=DELETE")
    con.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    con.commit()
    con.close()
    before = _state(path)
    assert main(["--db", str(path), "init"]) == 2
    assert "更新版本" in _one_line(capsys.readouterr().err)
    assert _state(path) == before


def test_our_own_database_and_an_empty_file_still_open(sqlite_template, tmp_path, capsys):
    import shutil

    ours = tmp_path / "ours.sqlite3"
    shutil.copyfile(sqlite_template, ours)
    assert main(["--db", str(ours), "init"]) == 0
    empty = tmp_path / "empty.sqlite3"
    empty.write_bytes(b"")
    assert main(["--db", str(empty), "init"]) == 0
    capsys.readouterr()


@pytest.mark.parametrize("url", [
    "postgresql+psycopg://u:SECRET@127.0.0.1:1/x",
    "postgresql://u:SECRET@127.0.0.1:1/x",
    "mysql://u:SECRET@127.0.0.1:1/x",
    "nosuchdb://u:SECRET@127.0.0.1/x",
    "postgresql://u:SECRET@127.0.0.1:notaport/x",
])
def test_a_password_is_never_printed(url, capsys):
    assert main(["--db", url, "init"]) == 2
    err = capsys.readouterr().err
    _one_line(err)
    assert "SECRET" not in err
