"""The fupin command: exit codes and one-line Chinese messages, never tracebacks."""

from __future__ import annotations

import subprocess
import sys

from fupin_desktop.cli import main


def test_init_creates_the_database(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "a.db"), "init"]) == 0
    assert (tmp_path / "a.db").exists()
    assert "数据库已就绪" in capsys.readouterr().out


def test_init_on_a_bad_location_is_a_user_error(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "missing" / "a.db"), "init"]) == 2
    err = capsys.readouterr().err
    assert "文件夹不存在" in err
    assert "Traceback" not in err


def test_unknown_arguments_are_a_user_error(capsys):
    assert main(["--no-such-flag"]) == 2
    assert "命令参数有误" in capsys.readouterr().err


def test_version(capsys):
    assert main(["--version"]) == 0
    assert "fupin" in capsys.readouterr().out


def test_the_console_script_runs_as_a_module(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "fupin_desktop", "--db", str(tmp_path / "m.db"), "init"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_print_project_kinds(tmp_path, capsys):
    import datetime as dt

    from fupin_desktop.db import open_database
    from fupin_desktop.services import projects as P
    from tests.factories import add_regions
    from tests.unit.services.test_projects import road, walk_to

    path = tmp_path / "p.db"
    db = open_database(path)
    with db.session() as s:
        add_regions(s)
        pid = P.create_project(s, road()).id
        walk_to(s, pid, P.IN_LIBRARY, dt.date(2023, 10, 8))
    db.dispose()
    for kind in ("declaration", "notice", "list"):
        out = tmp_path / f"{kind}.pdf"
        assert main(["--db", str(path), "print", "project", "--year", "2024", "--kind", kind, "-o", str(out)]) == 0
        assert out.read_bytes().startswith(b"%PDF")
    assert main(["--db", str(path), "print", "project", "--id", str(pid), "--kind", "notice",
                 "-o", str(tmp_path / "one.pdf")]) == 0  # fmt: skip
    assert main(["--db", str(path), "print", "project", "--year", "2019", "--kind", "list",
                 "-o", str(tmp_path / "none.pdf")]) == 2  # fmt: skip
    err = capsys.readouterr().err
    assert "2019年度没有可打印的项目" in err and "Traceback" not in err
