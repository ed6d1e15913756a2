"""``fupin print``: exit codes, one file or one per household, and other areas' kinds."""

from __future__ import annotations

import argparse

from fupin_desktop import cli
from fupin_desktop.commands import print as print_cmd
from tests.factories import VILLAGE
from tests.unit.printing.sample import build_household


def test_print_commands(sqlite_db, tmp_path, capsys):
    with sqlite_db.session() as s:
        build_household(s, members=3)
    db = str(sqlite_db.engine.url.database)
    out = tmp_path / "hb.pdf"
    assert cli.main(["--db", db, "print", "handbook", "--household", "5223261002010099", "-o", str(out)]) == 0
    assert out.stat().st_size > 1000
    folder = tmp_path / "cards"
    assert cli.main(["--db", db, "print", "card", "--region", VILLAGE, "-o", f"{folder}/"]) == 0
    assert len(list(folder.glob("*.pdf"))) == 2
    assert cli.main(["--db", db, "print", "notice", "--region", VILLAGE, "--kind", "监测纳入",
                     "--year", "2025", "-o", str(tmp_path / "n.pdf")]) == 0
    capsys.readouterr()
    assert cli.main(["--db", db, "print", "form", "--household", "nope", "-o", str(out)]) == 2
    assert "户编号" in capsys.readouterr().err
    assert cli.main(["--db", db, "print", "form", "--region", VILLAGE, "-o", str(tmp_path / "x.txt")]) == 2
    assert cli.main(["--db", db, "print", "notice", "--region", VILLAGE, "--kind", "x",
                     "-o", str(tmp_path / "n.pdf")]) == 2


def test_other_areas_can_add_kinds(tmp_path, capsys):
    seen = []

    def configure(p: argparse.ArgumentParser) -> None:
        p.add_argument("--project", required=True)

    def run(args, db) -> int:
        seen.append((args.project, args.output.name))
        return 0

    print_cmd.add_print_kind(print_cmd.PrintKind("testkind", "测试", configure, run))
    try:
        db = str(tmp_path / "t.sqlite3")
        assert cli.main(["--db", db, "print", "testkind", "--project", "P1", "-o", "x.pdf"]) == 0
        assert seen == [("P1", "x.pdf")]
    finally:
        print_cmd._KINDS.pop("testkind")
