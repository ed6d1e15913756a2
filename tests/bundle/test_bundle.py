"""The PyInstaller one-folder bundle, built from installer/fupin.spec and run from inside.

Builds the bundle once (about a minute) and runs the frozen program with no source tree on
any path (a scratch working folder, no PYTHONPATH, a minimal environment): ``--version``, the
demo (Alembic migrations read from the bundle), the demo's second process (the frozen program
started again with ``--producer-child``), an export and an import (the national regions list),
every household form and the month report (fonts, code lists), an upgrade of an old database,
and the desktop program's first paint with rows (Qt plugins, translations, icons).

Runs under CI (CI=true); locally only with FUPIN_TEST_BUNDLE=1 (it takes two minutes).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "installer" / "fupin.spec"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
WANTED = IN_CI or os.environ.get("FUPIN_TEST_BUNDLE") == "1"

pytestmark = [
    pytest.mark.bundle,
    pytest.mark.skipif(not WANTED, reason="bundle build: runs in CI or with FUPIN_TEST_BUNDLE=1"),
]

EXE = "fupin-cli.exe" if sys.platform == "win32" else "fupin"
MONTH = "2026-10"  # the demo's reference month (services.demo_rows.REFERENCE_DATE)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    """The built bundle folder (dist/fupin)."""
    build = tmp_path_factory.mktemp("pyinstaller")
    proc = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--distpath", str(build / "dist"), "--workpath", str(build / "work"), str(SPEC)],
        capture_output=True, text=True, timeout=1200,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    folder = build / "dist" / "fupin"
    size = sum(p.lstat().st_size for p in folder.rglob("*") if not p.is_symlink() and p.is_file())
    print(f"\nbundle: {folder} {size / 2**20:.0f} MiB")
    return folder


@pytest.fixture(scope="module")
def place(tmp_path_factory) -> Path:
    """The scratch working folder the frozen program runs in (no source tree)."""
    return tmp_path_factory.mktemp("frozen_run")


class Frozen:
    def __init__(self, bundle: Path, place: Path) -> None:
        self.exe = bundle / EXE
        self.place = place
        self.env = {
            "PATH": os.pathsep.join(p for p in ("/usr/bin", "/bin", os.environ.get("SystemRoot", ""))
                                    if p),
            "HOME": str(place),
            "USERPROFILE": str(place),
            "FUPIN_DATA_DIR": str(place / "data"),
            "QT_QPA_PLATFORM": "offscreen",
            "LANG": "C.UTF-8",
        }
        for name in ("SystemRoot", "TEMP", "TMP", "LOCALAPPDATA", "APPDATA"):  # Windows needs
            if name in os.environ:
                self.env[name] = os.environ[name]

    def run(self, *args: str, ok: bool = True, env: dict[str, str] | None = None,
            timeout: float = 600) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run([str(self.exe), *args], cwd=self.place, env={**self.env, **(env or {})},
                              capture_output=True, text=True, encoding="utf-8", timeout=timeout)
        if ok:
            assert proc.returncode == 0, f"{args}: {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
        return proc


@pytest.fixture(scope="module")
def frozen(bundle, place) -> Frozen:
    return Frozen(bundle, place)


@pytest.fixture(scope="module")
def demo_db(frozen) -> Path:
    frozen.run("--db", "demo.db", "demo", "--households", "200")
    return frozen.place / "demo.db"


def test_nothing_of_the_source_tree_is_used(bundle, frozen):
    assert not (frozen.place / "fupin_desktop").exists()
    assert "PYTHONPATH" not in frozen.env
    internal = bundle / "_internal"
    assert (internal / "resources" / "regions" / "divisions-2023.bin").is_file()
    assert list((internal / "fupin_desktop" / "migrations" / "versions").glob("0001_*.py"))


def test_version(frozen):
    from fupin_desktop import __version__

    assert frozen.run("--version").stdout.strip() == f"fupin {__version__}"


def test_demo_runs_the_migrations_from_the_bundle(frozen, demo_db):
    import sqlite3

    from fupin_desktop.db import MIGRATIONS_DIR, _head_from_files

    with sqlite3.connect(demo_db) as conn:
        assert conn.execute("select version_num from alembic_version").fetchall() == \
            [(_head_from_files(MIGRATIONS_DIR),)]
        assert conn.execute("select count(*) from households").fetchone()[0] == 200


def test_demo_second_process_works_frozen(frozen):
    from fupin_desktop.services.demo import PARALLEL_MIN_HOUSEHOLDS

    proc = frozen.run("-v", "--db", "big.db", "demo", "--households", str(PARALLEL_MIN_HOUSEHOLDS),
                      "-q")
    found = re.search(r"(\d+) received from a second process \(parallel=True\)", proc.stderr)
    assert found and int(found.group(1)) > 0, proc.stderr[-2000:]


def test_export_then_import_finds_the_regions_list(frozen, demo_db):
    frozen.run("--db", "demo.db", "export", "households", "hh.xlsx")
    frozen.run("--db", "fresh.db", "init")
    proc = frozen.run("--db", "fresh.db", "import", "households", "hh.xlsx", "--create-regions",
                      "--json")
    result = json.loads(proc.stdout)
    assert result["households_created"] > 0
    # the province/prefecture/county names came from the bundled national list
    assert any(r["name"] == "望谟县" for r in result["regions_created"])


def _pdf_fonts(path: Path) -> set[str]:
    from pypdf import PdfReader

    names = set()
    for page in PdfReader(path).pages:
        for font in (page.get("/Resources", {}).get("/Font") or {}).values():
            names.add(str(font.get_object().get("/BaseFont")))
    return names


def _first_household_no(path: Path) -> str:
    import sqlite3

    with sqlite3.connect(path) as conn:
        return conn.execute("select household_no from households order by id limit 1").fetchone()[0]


def _bundled_font(name: str) -> bool:
    """A font of resources/fonts (the Song face for form text, the sans and Kai fallbacks)."""
    return any(face in name for face in ("UMing", "WenQuanYi", "LXGW"))


@pytest.mark.parametrize("form", ["handbook", "card", "form"])
def test_each_household_form_prints_with_the_bundled_fonts(frozen, demo_db, form):
    from pypdf import PdfReader

    number = _first_household_no(frozen.place / "demo.db")
    shown = json.loads(frozen.run("--db", "demo.db", "households", "show", number, "--json").stdout)
    head = next(m["name"] for m in shown["members"] if m.get("relation") == "01")
    out = frozen.place / f"{form}.pdf"
    frozen.run("--db", "demo.db", "print", form, "--household", number, "-o", str(out))
    text = "".join(page.extract_text() for page in PdfReader(out).pages)
    assert head in text
    assert any(_bundled_font(name) for name in _pdf_fonts(out))


def test_month_report_xlsx_and_pdf(frozen, demo_db):
    import openpyxl

    frozen.run("--db", "demo.db", "report", "monthly", "--month", MONTH, "-o", "m.xlsx",
               "--pdf", "m.pdf")
    book = openpyxl.load_workbook(frozen.place / "m.xlsx")
    assert book.worksheets and book.worksheets[0].max_row > 5
    assert any(_bundled_font(name) for name in _pdf_fonts(frozen.place / "m.pdf"))


def test_an_old_database_is_backed_up_and_upgraded(frozen, tmp_path):
    from fupin_desktop.db import MIGRATIONS_DIR, _head_from_files, open_database
    from tests.factories import engine_at_revision

    template = open_database(tmp_path / "t.db")
    try:
        engine = engine_at_revision(template, "0004_source_rows", tmp_path)
    finally:
        template.dispose()
    old = frozen.place / "old.db"
    shutil.copyfile(engine.url.database, old)
    frozen.run("--db", str(old), "init")
    import sqlite3

    with sqlite3.connect(old) as conn:
        assert conn.execute("select version_num from alembic_version").fetchone()[0] == \
            _head_from_files(MIGRATIONS_DIR)
    # services.trust.backups: <data>/backups/<database stem>-<hash>/<time>-upgrade.<suffix>
    assert list((frozen.place / "data" / "backups").glob("old-*/*-upgrade.*"))


def test_desktop_program_paints_its_window_and_rows(frozen, demo_db):
    proc = frozen.run("--db", "demo.db", "gui", env={"FUPIN_STARTUP_PROBE": "quit"}, timeout=120)
    events = [line.split()[1] for line in proc.stdout.splitlines() if line.startswith("fupin-startup")]
    assert events == ["window-shown", "first-rows"], proc.stdout + proc.stderr
    assert (frozen.place / "data" / "logs" / "fupin.log").is_file()


def test_unused_qt_parts_and_translations_are_left_out(bundle):
    files = [p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file()]
    qm = [f for f in files if f.endswith(".qm")]
    assert qm and all(f.endswith("_zh_CN.qm") for f in qm)
    for unused in ("Qt6Network", "Qt6Qml", "Qt6Quick", "Qt6Sql", "Qt6Pdf", "QtTest", "pytest"):
        assert not [f for f in files if unused in f], unused
