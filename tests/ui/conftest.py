"""Fixtures for the widget tests (pytest-qt, offscreen).

- ``QT_QPA_PLATFORM=offscreen`` is set here at import time, before any QApplication exists.
- ``FUPIN_DATA_DIR`` is already a temporary folder for every test (tests/conftest.py), which
  also isolates the UI's own settings file (``ui.settings.ui_settings``). ``isolated_qsettings``
  (autouse) additionally points every plain ``QSettings()`` (Qt's file dialogs use one) at a
  temporary folder.
- ``message_boxes``: boxes are never shown in tests (autouse ``_message_boxes`` records
  them); a test that expects one takes this list; an unexpected box fails the test.
- ``ui_db``: an opened, migrated, empty SQLite database ``t.db`` in ``tmp_path``.
- ``make_main_window``: builds ``MainWindow`` objects and, at teardown, closes them and fails
  the test if any top-level widget created during the test is still alive (napari's
  ``make_napari_viewer`` habit). ``main_window`` is one window on ``ui_db``.
"""

from __future__ import annotations

import os
import shutil

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
import shiboken6  # noqa: E402
from PySide6.QtCore import QCoreApplication, QEvent, QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

# The offscreen platform plugin itself warns whenever a window with size constraints is shown
# (QPlatformWindow's default propagateSizeHints); xcb and Windows implement it. That one
# message is about the test platform, not our code; every other warning still fails a test.
OFFSCREEN_ONLY_WARNINGS = (r"^This plugin does not support propagateSizeHints\(\)$",)


def pytest_collection_modifyitems(config, items):
    if os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        return
    for item in items:
        if "tests/ui/" in item.nodeid.replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_ignore(*OFFSCREEN_ONLY_WARNINGS))


@pytest.fixture(autouse=True)
def isolated_qsettings(tmp_path_factory):
    folder = tmp_path_factory.mktemp("qsettings")
    fmt = QSettings.defaultFormat()
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(folder / scope.name))
        QSettings.setPath(QSettings.Format.NativeFormat, scope, str(folder / scope.name))
    yield folder
    QSettings.setDefaultFormat(fmt)


@pytest.fixture(autouse=True)
def configured_app(qapp):
    """pytest-qt's QApplication, set up as run_gui sets up the real one (fonts, locale)."""
    from fupin_desktop.ui.app import configure_application

    configure_application(qapp)
    return qapp


@pytest.fixture(autouse=True)
def _message_boxes(request, monkeypatch):
    """No test ever blocks on a message box: every box is recorded instead of shown.

    A test that expects boxes takes ``message_boxes`` (a list of (title, text, details));
    any box in a test that did not ask for it fails the test.
    """
    from PySide6.QtWidgets import QMessageBox

    shown: list[tuple[str, str, str]] = []

    def fake_exec(box: QMessageBox) -> int:
        shown.append((box.windowTitle(), box.text(), box.detailedText()))
        return QMessageBox.StandardButton.Ok.value

    def fake_static(answer):
        def record(parent, title, text, *args, **kwargs):
            shown.append((title, text, ""))
            return answer

        return staticmethod(record)

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    ok = QMessageBox.StandardButton.Ok
    for name, answer in (("information", ok), ("warning", ok), ("critical", ok), ("about", None),
                         ("question", QMessageBox.StandardButton.Yes)):
        monkeypatch.setattr(QMessageBox, name, fake_static(answer))
    yield shown
    if shown and "message_boxes" not in request.fixturenames:
        pytest.fail(f"unexpected message boxes: {shown}")


@pytest.fixture
def message_boxes(_message_boxes):
    """Message boxes shown during the test, as (title, text, detailed text)."""
    return _message_boxes


@pytest.fixture
def ui_db(sqlite_template, tmp_path):
    """An opened, migrated, empty SQLite database at ``tmp_path / "t.db"``."""
    from fupin_desktop.db import open_database

    path = tmp_path / "t.db"
    shutil.copyfile(sqlite_template, path)  # the migrated template: no Alembic run per test
    db = open_database(path, user="测试员")
    yield db
    db.dispose()


def _top_level_pointers() -> dict[int, str]:
    return {
        shiboken6.getCppPointer(w)[0]: f"{type(w).__name__} {w.objectName()!r} {w.windowTitle()!r}"
        for w in QApplication.topLevelWidgets()
    }


def flush_deletes() -> None:
    for _ in range(3):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QCoreApplication.processEvents()


@pytest.fixture
def make_main_window(qtbot, ui_db):
    """``make_main_window(db=None, show=True, **MainWindow options)`` → a MainWindow; fails
    on leaked widgets."""
    from fupin_desktop.ui.main_window import MainWindow
    from fupin_desktop.ui.operations import BackgroundOp

    flush_deletes()
    before = _top_level_pointers()
    windows: list[MainWindow] = []

    def make(db=None, *, show: bool = True, **kwargs) -> MainWindow:
        window = MainWindow(db if db is not None else ui_db, **kwargs)
        windows.append(window)
        if show:
            window.show()
            qtbot.waitExposed(window)
        return window

    yield make

    assert not BackgroundOp.running(), "a background operation outlived its test"
    for window in windows:
        if shiboken6.isValid(window):
            if window.db is not ui_db:
                window.db.dispose()
            window.close()
            window.deleteLater()
    flush_deletes()
    leaked = {p: d for p, d in _top_level_pointers().items() if p not in before}
    if leaked:
        for pointer in leaked:
            # Close them anyway so one leak does not cascade into every later test.
            for widget in QApplication.topLevelWidgets():
                if shiboken6.getCppPointer(widget)[0] == pointer:
                    widget.close()
                    widget.deleteLater()
        flush_deletes()
        pytest.fail(f"top-level widgets leaked by the test: {sorted(leaked.values())}")


@pytest.fixture
def main_window(make_main_window):
    return make_main_window()
