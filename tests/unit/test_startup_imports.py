"""``fupin --version`` and ``fupin --help`` read no heavy library before the arguments are parsed:
SQLAlchemy, reportlab, openpyxl, Qt and the rest are imported by the command that needs them."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("sqlalchemy", "reportlab", "openpyxl", "PySide6", "alembic", "python_calamine",
         "pypinyin", "lxml", "psycopg", "pypdfium2")


def _imported_by(*args: str) -> set[str]:
    """Top-level packages a fresh interpreter imported while running ``fupin ARGS``
    (read from ``-X importtime``, which lists every module as it is imported)."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c",
         "import sys; from fupin_desktop.cli import main; raise SystemExit(main(sys.argv[1:]))",
         *args],
        capture_output=True, text=True, encoding="utf-8", check=True,
    )
    names = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    assert "fupin_desktop" in names  # the probe really saw the imports
    return names


@pytest.mark.parametrize("args", [("--version",), ("--help",), ("print", "notice", "--help"),
                                  ("households", "search", "--help")])
def test_help_and_version_import_nothing_heavy(args):
    assert not set(HEAVY) & _imported_by(*args)


def test_notice_kind_names_in_the_help_match_the_notice_kinds():
    from fupin_desktop.commands.print import NOTICE_KIND_NAMES
    from fupin_desktop.printing.notice import NOTICE_KINDS

    assert NOTICE_KIND_NAMES == tuple((k.key, k.short) for k in NOTICE_KINDS.values())
