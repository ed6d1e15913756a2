"""Starting the desktop program: ``run_gui(db_target) -> exit code`` (called by ``fupin gui``)."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QThreadPool, QTranslator
from PySide6.QtWidgets import QApplication

from fupin_desktop import __version__
from fupin_desktop.errors import UserError
from fupin_desktop.paths import resource_path
from fupin_desktop.services.diagnostics import log_file, setup_file_log
from fupin_desktop.ui.errors import install_excepthook, show_internal_error, show_user_error
from fupin_desktop.ui.qt_texts import SupplementTranslator
from fupin_desktop.ui.settings import APPLICATION, ORGANIZATION, ui_settings
from fupin_desktop.ui.theme import apply_theme

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USER_ERROR = 2

# Background work gets this long to notice 取消 when the window closes.
SHUTDOWN_WAIT_MS = 10_000


def qt_translation_folders() -> list[str]:
    """Where Qt's own Chinese catalogue is looked for: the copy shipped in resources/
    (also inside a frozen build), then the Qt installation's translations folder."""
    return [
        str(resource_path("translations")),
        QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath),
    ]


def install_qt_translations(app: QApplication, locale: QLocale) -> QTranslator | None:
    """Standard buttons, file and print dialogs, text-field context menus in Chinese.

    Returns the installed translator, or None (Qt stays English; one log line says why).
    """
    translator = QTranslator(app)
    folders = qt_translation_folders()
    for folder in folders:
        if translator.load(locale, "qtbase", "_", folder):
            app.installTranslator(translator)
            # Installed last, asked first: only its few keys, everything else falls through.
            app.installTranslator(SupplementTranslator(app))
            return translator
    log.warning("Qt Chinese translations (qtbase_zh_CN.qm) not found in %s", folders)
    translator.deleteLater()
    return None


def configure_application(app: QApplication) -> None:
    """Names for settings, Chinese locale and Qt's own Chinese texts, fonts and style.

    Idempotent, so tests can call ``run_gui`` more than once on pytest-qt's QApplication.
    """
    if app.property("fupin_configured"):
        return
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    # No applicationDisplayName: Qt would append it to every window title, and the main
    # window's title already starts with the program's name (「乡镇扶贫数据管理 — 文件名」).
    app.setApplicationVersion(__version__)
    locale = QLocale(QLocale.Language.Chinese, QLocale.Country.China)
    QLocale.setDefault(locale)
    install_qt_translations(app, locale)
    apply_theme(app)
    app.setProperty("fupin_configured", True)


def _recent_database() -> str | None:
    """The SQLite file the clerk last had open, if it still exists."""
    value = ui_settings().value("recent/database")
    if not isinstance(value, str) or not value.startswith("sqlite:///"):
        return None
    path = Path(value.removeprefix("sqlite:///"))
    return value if path.is_file() else None


def _open(db_target: str | None):
    from fupin_desktop.db import open_database

    if db_target is None and not os.environ.get("FUPIN_DB_URL"):
        recent = _recent_database()
        if recent is not None:
            try:
                return open_database(recent)
            except UserError:
                log.warning("recent database %s could not be opened; using the default", recent)
    return open_database(db_target)


def _run_event_loop(app: QApplication) -> int:
    return app.exec()


def run_gui(db_target: str | None) -> int:
    """Open the database, show the main window and run until it closes.

    Returns 0 normally, 2 when the database cannot be used (after telling the clerk why in a
    dialog), 1 when opening it failed for a reason that is our fault.
    """
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    configure_application(app)
    # A clerk never sees stderr (the Windows build has no console): a small rotating log file.
    handler = setup_file_log()
    package_log = logging.getLogger("fupin_desktop")
    try:
        try:
            db = _open(db_target)
        except UserError as err:
            log.warning("cannot open database %r: %s", db_target, err)
            show_user_error(None, err, title="无法打开数据库")
            return EXIT_USER_ERROR
        except Exception as exc:  # noqa: BLE001 - our fault, but still a dialog, not a crash
            show_internal_error(None, exc)
            return EXIT_FAILURE

        from fupin_desktop.services import trust
        from fupin_desktop.ui.main_window import MainWindow
        from fupin_desktop.ui.operations import BackgroundOp
        from fupin_desktop.ui.trust import sign_in

        if not sign_in(db):
            db.dispose()
            return EXIT_OK
        try:
            trust.daily_backup(db)
        except UserError as err:  # a full disk must not stop the clerk's work
            log.warning("daily backup failed: %s", err)

        from fupin_desktop.ui import startup_probe

        previous_hook = install_excepthook()
        window = MainWindow(db, offer_region_setup=True, fast_start=True)
        try:
            startup_probe.install(app, window)
            window.show()
            return _run_event_loop(app)
        finally:
            sys.excepthook = previous_hook
            BackgroundOp.cancel_all()
            QThreadPool.globalInstance().waitForDone(SHUTDOWN_WAIT_MS)
            window.db.dispose()
            window.deleteLater()
    finally:
        package_log.removeHandler(handler)
        handler.close()
