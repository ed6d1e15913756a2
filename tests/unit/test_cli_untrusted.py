"""Files and databases that cannot hurt: the command refuses before touching anything, with
one Chinese line and exit 2 (never a traceback, never a password)."""

from __future__ import annotations

import hashlib
import sqlite3

import openpyxl
import pytest

from fupin_desktop.cli import main
from fupin_desktop.sheets.readers import SheetReadError, open_workbook


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


# -- 6. the error report never overwrites the file being imported -------------------------------

@pytest.mark.parametrize("noun", ["households", "projects", "assets"])
def test_errors_report_onto_the_input_is_refused(tmp_path, capsys, noun):
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "证件号码"])
    wb.active.append(["张三", "123"])
    src = tmp_path / "a.xlsx"
    wb.save(src)
    before = _digest(src)
    db = tmp_path / "d.sqlite3"
    same = tmp_path / "sub" / ".." / "a.xlsx"
    (tmp_path / "sub").mkdir()
    assert main(["--db", str(db), "import", noun, str(src), "--errors", str(same)]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "错误报告" in line and "要导入的文件" in line
    assert _digest(src) == before
    assert not db.exists()  # refused before the database was even opened


# -- 8. misleading messages -------------------------------------------------------------------

@pytest.mark.parametrize("start", ["<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">",
                                   "<html xmlns:o=\"urn:schemas-microsoft-com:office:office\">",
                                   "<table border=1><tr><td>姓名</td></tr></table>",
                                   "\ufeff  <!DOCTYPE html><html>", "<style>td{}</style><table>"])
def test_an_html_page_saved_as_xls_says_so(tmp_path, start):
    path = tmp_path / "户籍.xls"
    path.write_text(start + "\n<tr><td>张三</td><td>522326</td></tr>\n" * 20, encoding="utf-8")
    with pytest.raises(SheetReadError) as info:
        open_workbook(path)
    assert "这是网页文件（HTML）另存的 .xls，请在 Excel 中打开后另存为 .xlsx 再导入" in str(info.value)


def test_a_csv_field_too_long_names_row_and_column(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("姓名,证件号码,备注\n张三,1,短\n李四,2," + "长" * 200_000 + "\n王五,3,x\n", encoding="utf-8")
    book = open_workbook(path)
    with pytest.raises(SheetReadError) as info:
        book.read()
    text = str(info.value)
    assert "第3行" in text and "第3列" in text and "过长" in text
    assert "引号" not in text


def test_a_csv_field_too_long_inside_quotes_over_lines(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text('姓名,备注\n张三,"' + ("x" * 1000 + "\n") * 200 + '"\n', encoding="utf-8")
    with pytest.raises(SheetReadError, match="第2行第2列.*过长"):
        open_workbook(path).read()


def test_an_unpaired_quote_is_still_reported_as_such(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text('姓名,备注\n张三,"abc\x00def\n', encoding="utf-8")
    with pytest.raises(SheetReadError):
        open_workbook(path).read()


def test_write_error_report_itself_refuses_to_replace_its_source(tmp_path):
    from fupin_desktop.errors import UserError
    from fupin_desktop.sheets.error_report import write_error_report
    from fupin_desktop.sheets.headers import HeaderBlock

    src = tmp_path / "a.csv"
    src.write_text("姓名\n张三\n", encoding="utf-8")
    sheet = open_workbook(src).read()
    before = _digest(src)
    with pytest.raises(UserError, match="要导入的文件"):
        write_error_report(sheet, HeaderBlock(0, 1, ()), [], tmp_path / "." / "a.csv")
    assert _digest(src) == before
    write_error_report(sheet, HeaderBlock(0, 1, ()), [], tmp_path / "report.xlsx")


# -- 7. a closed pipe and a database another process is writing --------------------------------

def test_output_into_a_closed_pipe_exits_quietly(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    from tests.unit.services.test_household_import import HEADERS, person

    src = tmp_path / "a.csv"
    rows = [",".join(HEADERS)] + [  # every row an error: the JSON is far larger than a pipe
        ",".join(str(v or "") for v in person(f"52232610020{i:05d}", f"张{i}", str(i), "户主").values())
        for i in range(2000)]
    src.write_text("\n".join(rows), encoding="utf-8")
    db = tmp_path / "d.sqlite3"
    env = {**os.environ, "PYTHONPATH": str(root)}
    proc = subprocess.Popen([sys.executable, "-m", "fupin_desktop", "--db", str(db), "import", "households",
                             str(src), "--dry-run", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=root)
    proc.stdout.close()  # like `| head` that has gone away before the JSON comes
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0, err
    assert err == ""


def test_demo_against_a_database_being_written_is_a_clean_refusal(tmp_path, capsys, monkeypatch):
    from fupin_desktop import db as dbmod

    path = tmp_path / "d.sqlite3"
    assert main(["--db", str(path), "init"]) == 0
    capsys.readouterr()
    monkeypatch.setattr(dbmod, "SQLITE_BUSY_TIMEOUT_MS", 200)
    other = sqlite3.connect(path)
    other.execute("BEGIN IMMEDIATE")  # another process in the middle of a write
    try:
        assert main(["--db", str(path), "demo", "--households", "3", "-q"]) == 2
    finally:
        other.rollback()
        other.close()
    line = _one_line(capsys.readouterr().err)
    assert line.startswith("数据库正被其他程序写入")
