"""run_gui: start-up with a good or a bad --db, and the global exception hook."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from fupin_desktop.ui import app as ui_app
from fupin_desktop.ui.main_window import MainWindow


def test_bad_db_path_shows_error_and_returns_2(tmp_path, message_boxes):
    code = ui_app.run_gui(str(tmp_path / "没有这个文件夹" / "x.sqlite3"))
    assert code == 2
    assert len(message_boxes) == 1
    title, text, _ = message_boxes[0]
    assert title == "无法打开数据库"
    assert "文件夹不存在" in text


def test_foreign_database_shows_error_and_returns_2(tmp_path, message_boxes):
    import sqlite3

    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("create table stuff (x)")
    assert ui_app.run_gui(str(path)) == 2
    assert "不是本程序的数据库" in message_boxes[0][1]


def test_bad_url_returns_2(message_boxes):
    assert ui_app.run_gui("nosuchdialect://x/y") == 2
    assert "无法打开数据库" in message_boxes[0][1]


def test_good_db_shows_window_and_returns_loop_code(tmp_path, monkeypatch, message_boxes):
    seen: list[MainWindow] = []

    def fake_loop(app: QApplication) -> int:
        windows = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        seen.extend(windows)
        for window in windows:
            window.close()
        return 0

    monkeypatch.setattr(ui_app, "_run_event_loop", fake_loop)
    hook = sys.excepthook
    assert ui_app.run_gui(str(tmp_path / "ui.db")) == 0
    assert sys.excepthook is hook  # restored
    assert len(seen) == 1
    assert seen[0].windowTitle().endswith("ui.db")
    assert (tmp_path / "ui.db").is_file()
    assert message_boxes == []
    QApplication.sendPostedEvents(None, 0)


def test_recent_database_is_reopened(tmp_path, monkeypatch):
    titles: list[str] = []

    def fake_loop(app: QApplication) -> int:
        for w in app.topLevelWidgets():
            if isinstance(w, MainWindow) and w.isVisible():
                titles.append(w.windowTitle())
                w.close()
        return 0

    monkeypatch.setattr(ui_app, "_run_event_loop", fake_loop)
    assert ui_app.run_gui(str(tmp_path / "first.db")) == 0
    assert ui_app.run_gui(None) == 0
    assert titles[-1].endswith("first.db")


def test_excepthook_shows_internal_error(message_boxes, caplog):
    from fupin_desktop.ui.errors import install_excepthook

    previous = install_excepthook()
    try:
        try:
            raise ValueError("boom")
        except ValueError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
    finally:
        sys.excepthook = previous
    assert message_boxes[0][0] == "程序内部错误"
    assert "ValueError: boom" in message_boxes[0][2]
    assert "boom" in caplog.text


def test_excepthook_shows_user_error_plainly(message_boxes):
    from fupin_desktop.errors import UserError
    from fupin_desktop.ui.errors import install_excepthook

    previous = install_excepthook()
    try:
        err = UserError("证件号码校验位不对。")
        sys.excepthook(UserError, err, None)
    finally:
        sys.excepthook = previous
    assert message_boxes == [("提示", "证件号码校验位不对。", "")]


def test_log_file_is_in_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("FUPIN_DATA_DIR", str(tmp_path))
    assert ui_app.log_file().parent == tmp_path / "logs"


def _boom() -> ValueError:
    try:
        raise ValueError("户主证件号码 522326199001012157 电话 13812345678")
    except ValueError as exc:
        return exc


def test_internal_error_box_copies_and_saves_a_report_and_stays_open(qtbot, tmp_path, monkeypatch):
    import zipfile

    from PySide6.QtWidgets import QFileDialog

    from fupin_desktop.ui.errors import COPY_BUTTON, SAVE_BUTTON, internal_error_box

    box = internal_error_box(None, _boom())
    qtbot.addWidget(box)
    assert box.text().count("。") == 1  # what happened, in one sentence
    assert [b.text() for b in box.buttons() if b.text() in (COPY_BUTTON, SAVE_BUTTON)] \
        == [COPY_BUTTON, SAVE_BUTTON]
    box.show()

    box.copy_button.click()
    copied = QApplication.clipboard().text()
    assert "ValueError" in copied and "fupin " in copied
    assert "522326199001012157" not in copied and "13812345678" not in copied
    assert box.isVisible()  # copying does not close the box

    target = tmp_path / "报告.zip"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    box.save_button.click()
    assert box.isVisible() and box.saved_to == target
    with zipfile.ZipFile(target) as zf:
        text = "".join(zf.read(n).decode("utf-8") for n in zf.namelist())
    assert "ValueError" in text
    assert "522326199001012157" not in text and "13812345678" not in text
    assert str(target) in box.informativeText()

    box.button(box.StandardButton.Ok).click()
    assert not box.isVisible()


def test_internal_error_box_reports_an_unwritable_folder(qtbot, tmp_path, message_boxes):
    from fupin_desktop.ui.errors import internal_error_box

    box = internal_error_box(None, _boom())
    qtbot.addWidget(box)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert box.save_report(blocker / "sub" / "r.zip") is None
    assert message_boxes[0][0] == "保存错误报告"
    assert "无法保存错误报告" in message_boxes[0][1]


def test_program_stays_usable_after_an_unexpected_error(make_main_window, qtbot, message_boxes):
    from fupin_desktop.ui.errors import install_excepthook

    window = make_main_window()
    previous = install_excepthook()
    try:
        exc = _boom()
        sys.excepthook(type(exc), exc, exc.__traceback__)
    finally:
        sys.excepthook = previous
    assert message_boxes[0][0] == "程序内部错误"
    window.select_page("projects")  # the window still works
    assert window.current_page_key() == "projects"


def test_help_menu_opens_the_log_folder(make_main_window, tmp_path, monkeypatch):
    from PySide6.QtGui import QDesktopServices

    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url) or True))
    window = make_main_window()
    window.action_logs.trigger()
    assert [u.toLocalFile() for u in opened] == [str(ui_app.log_file().parent)]
    assert "打开日志文件夹" in window.action_logs.text()


def test_fast_start_fills_the_first_page_after_the_first_paint(make_main_window, ui_db, qtbot):
    from tests.factories import add_household, add_regions

    with ui_db.session() as s:
        add_regions(s)
        add_household(s)
    window = make_main_window(show=False, fast_start=True)
    page = window.page("registry")
    assert page is not None and page.model.rowCount() == 0  # built, not yet read
    window.show()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)


def test_startup_probe_reports_window_and_rows(make_main_window, ui_db, qtbot, monkeypatch, capsys):
    from fupin_desktop.ui import startup_probe
    from tests.factories import add_household, add_regions

    with ui_db.session() as s:
        add_regions(s)
        add_household(s)
    monkeypatch.setenv(startup_probe.ENV, "1")
    window = make_main_window(show=False, fast_start=True)
    startup_probe.install(QApplication.instance(), window)
    window.show()
    lines: list[str] = []
    qtbot.waitUntil(lambda: lines.extend(capsys.readouterr().out.splitlines()) or
                    any(" first-rows " in line for line in lines), timeout=5000)
    events = [line.split()[1] for line in lines if line.startswith("fupin-startup")]
    assert events[:2] == ["window-shown", "first-rows"]


def test_fast_start_offers_the_region_setup_after_the_first_paint(make_main_window, qtbot, monkeypatch):
    from fupin_desktop.ui import main_window as mw

    offered = []
    monkeypatch.setattr(mw, "offer_region_setup", lambda db, parent: offered.append(db) or False)
    window = make_main_window(show=False, fast_start=True, offer_region_setup=True)
    QApplication.processEvents()
    assert offered == []  # nothing before the window is on screen
    window.show()
    qtbot.waitUntil(lambda: len(offered) == 1)
