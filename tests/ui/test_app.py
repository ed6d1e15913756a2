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
