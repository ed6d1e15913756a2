"""The main window: navigation on the left, one page per business area, menus, status bar.

A later feature replaces its area's placeholder by registering a page under the same key::

    window.register_page("registry", "户籍管理", "registry", lambda db: HouseholdListPage(db))

``factory(db)`` builds the page the first time it is shown (start-up stays fast) and again
after 文件 → 打开数据库 switches the database. A page may define ``refresh()``: it is called
each time the page is shown and on 查看 → 刷新 (F5).
"""

from __future__ import annotations

import logging
import platform
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QByteArray, QEvent, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QGuiApplication,
    QIcon,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)
from sqlalchemy.engine import make_url

from fupin_desktop import __version__
from fupin_desktop.db import Database, open_database
from fupin_desktop.services.diagnostics import log_dir
from fupin_desktop.services.overview import DatabaseInfo, database_info
from fupin_desktop.ui.assets import AssetsPage
from fupin_desktop.ui.checks import ChecksPage
from fupin_desktop.ui.events import data_events, watch_writes
from fupin_desktop.ui.exchange import ExchangePage
from fupin_desktop.ui.handbook import HandbookPage
from fupin_desktop.ui.help import GuideDialog
from fupin_desktop.ui.operations import BackgroundOp
from fupin_desktop.ui.pages import AreaPage
from fupin_desktop.ui.projects import ProjectsPage
from fupin_desktop.ui.rectify import RectifyPage
from fupin_desktop.ui.regions import RegionSettingsWindow, offer_region_setup
from fupin_desktop.ui.registry import RegistryPage
from fupin_desktop.ui.reports import ReportsPage
from fupin_desktop.ui.risk import RiskPage
from fupin_desktop.ui.settings import ui_settings
from fupin_desktop.ui.theme import icon

log = logging.getLogger(__name__)

APP_TITLE = "乡镇扶贫数据管理"
PageFactory = Callable[[Database], QWidget]

DEFAULT_PAGES: tuple[type[AreaPage], ...] = (
    RegistryPage,
    HandbookPage,
    ProjectsPage,
    AssetsPage,
    ReportsPage,
    ChecksPage,
    RectifyPage,
    RiskPage,
    ExchangePage,
)

SETTING_GEOMETRY = "main_window/geometry"
SETTING_PAGE = "main_window/page"
SETTING_RECENT_DB = "recent/database"
DB_FILE_FILTER = "数据库文件 (*.sqlite3 *.sqlite *.db);;所有文件 (*)"


@dataclass
class PageEntry:
    key: str
    title: str
    icon: QIcon
    factory: PageFactory
    item: QListWidgetItem
    widget: QWidget | None = None


def database_label(db: Database) -> str:
    """The short name for the window title: the file name, or the server database's name."""
    url = make_url(db.url)
    if url.get_backend_name() == "sqlite":
        return Path(url.database).name if url.database else "内存数据库"
    return url.database or url.host or url.get_backend_name()


def window_title(db: Database) -> str:
    """「乡镇扶贫数据管理 — 文件名」."""
    return f"{APP_TITLE} — {database_label(db)}"


class MainWindow(QMainWindow):
    """The shell. ``db`` is owned by the window from now on (disposed on switch)."""

    page_changed = Signal(str)
    database_changed = Signal(object)

    def __init__(self, db: Database, parent: QWidget | None = None, *, offer_region_setup: bool = False,
                 fast_start: bool = False):
        """``offer_region_setup``: on a database without regions, open the first-run set-up
        dialog once the window is up (the desktop program; tests leave it off).

        ``fast_start``: the first page is built but reads its data only after the window's
        first paint, so the window is on screen at once even over a large database (the
        desktop program; tests leave it off and get a page already filled)."""
        super().__init__(parent)
        self._db = db
        self._refresh_after_paint = fast_start
        self._offer_region_setup = offer_region_setup
        self._region_settings: RegionSettingsWindow | None = None
        self._pages: dict[str, PageEntry] = {}
        self._info: DatabaseInfo | None = None
        self._guide: GuideDialog | None = None

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setIconSize(QSize(24, 24))
        self.nav.setFixedWidth(168)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.nav.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.nav.currentRowChanged.connect(self._on_row_changed)
        self.stack = QStackedWidget()
        self.stack.setObjectName("pages")

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self._build_menus()
        self._build_status_bar()

        for page in DEFAULT_PAGES:
            self.register_page(page.key, page.title, page.icon_name, page)

        self._update_database_display()
        self._restore_settings()
        self._counts_pending = False
        watch_writes(db)
        data_events().data_changed.connect(self._on_data_changed)
        if offer_region_setup and not fast_start:  # fast_start: after the first paint
            QTimer.singleShot(0, self, self.offer_region_setup)

    # -- public API -------------------------------------------------------------------------
    @property
    def db(self) -> Database:
        return self._db

    def register_page(
        self, key: str, title: str, icon_: QIcon | str, factory: PageFactory
    ) -> None:
        """Add a page to the navigation, or replace the page registered under ``key``.

        ``icon_`` is a QIcon or the name of an icon in resources/icons. Replacing keeps the
        page's place in the navigation; a page already built is discarded and rebuilt.
        """
        qicon = icon(icon_) if isinstance(icon_, str) else icon_
        existing = self._pages.get(key)
        if existing is not None:
            self._discard_widget(existing)
            existing.title, existing.icon, existing.factory = title, qicon, factory
            existing.item.setText(title)
            existing.item.setIcon(qicon)
            page_action = self.findChild(QAction, f"page_{key}")
            if page_action is not None:
                number = self.page_keys().index(key) + 1
                page_action.setText(f"{title}(&{number})" if number <= 9 else title)
            if self.current_page_key() == key:
                self._show(existing)
            return
        item = QListWidgetItem(qicon, title)
        item.setData(Qt.ItemDataRole.UserRole, key)
        item.setSizeHint(QSize(0, 44))
        self._pages[key] = PageEntry(key, title, qicon, factory, item)
        self.nav.addItem(item)
        # 查看 → each page, Ctrl+1 … Ctrl+9: the pages without the mouse.
        number = len(self._pages)
        action = QAction(f"{title}(&{number})" if number <= 9 else title, self)
        action.setObjectName(f"page_{key}")
        if number <= 9:
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
        action.triggered.connect(lambda _c=False, k=key: self.select_page(k))
        self._menu_view.insertAction(self.action_refresh_separator, action)

    def page_keys(self) -> list[str]:
        role = Qt.ItemDataRole.UserRole
        return [self.nav.item(row).data(role) for row in range(self.nav.count())]

    def current_page_key(self) -> str | None:
        item = self.nav.currentItem()
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def select_page(self, key: str) -> QWidget:
        """Show the page registered under ``key`` (building it if needed) and return it."""
        entry = self._pages[key]
        self.nav.setCurrentItem(entry.item)
        assert entry.widget is not None
        return entry.widget

    def page(self, key: str) -> QWidget | None:
        """The page widget if it has been built."""
        return self._pages[key].widget

    def refresh_current_page(self) -> None:
        key = self.current_page_key()
        if key is not None:
            self._refresh(self._pages[key])

    def set_database(self, db: Database) -> None:
        """Switch to another open database: every page is rebuilt against it."""
        old, self._db = self._db, db
        for entry in self._pages.values():
            self._discard_widget(entry)
        key = self.current_page_key()
        if key is not None:
            self._show(self._pages[key])
        self._update_database_display()
        watch_writes(db)
        if old is not db:
            old.dispose()
        if self._region_settings is not None:
            self._region_settings.close()
            self._region_settings = None
        self.database_changed.emit(db)
        if self._offer_region_setup:
            QTimer.singleShot(0, self, self.offer_region_setup)

    def status_texts(self) -> list[str]:
        """What the permanent status-bar fields say (for tests and support)."""
        return [self._db_label.text(), self._user_label.text()]

    # -- building ---------------------------------------------------------------------------
    def _build_menus(self) -> None:
        menu_file = self.menuBar().addMenu("文件(&F)")
        self.action_open = QAction("打开数据库(&O)…", self)
        self.action_open.setShortcut(QKeySequence.StandardKey.Open)
        self.action_open.triggered.connect(self.open_database_dialog)
        self.action_new = QAction("新建数据库(&N)…", self)
        self.action_new.setShortcut(QKeySequence.StandardKey.New)
        self.action_new.triggered.connect(self.new_database_dialog)
        self.action_quit = QAction("退出(&X)", self)
        self.action_quit.setShortcut(QKeySequence("Ctrl+Q"))
        self.action_quit.triggered.connect(self.close)
        self.action_regions = QAction("区划设置(&R)…", self)
        self.action_regions.triggered.connect(lambda: self.show_region_settings())
        self.action_backups = QAction("备份 / 恢复(&B)…", self)
        self.action_backups.triggered.connect(lambda: self.show_backups())
        self.action_users = QAction("用户管理(&U)…", self)
        self.action_users.triggered.connect(lambda: self.show_users())
        self.action_audit = QAction("操作日志(&L)…", self)
        self.action_audit.triggered.connect(lambda: self.show_audit_log())
        menu_file.addAction(self.action_open)
        menu_file.addAction(self.action_new)
        menu_file.addSeparator()
        menu_file.addAction(self.action_backups)
        menu_file.addSeparator()
        menu_file.addAction(self.action_regions)
        menu_file.addAction(self.action_users)
        menu_file.addAction(self.action_audit)
        menu_file.addSeparator()
        menu_file.addAction(self.action_quit)

        menu_view = self._menu_view = self.menuBar().addMenu("查看(&V)")
        self.action_refresh = QAction("刷新(&R)", self)
        self.action_refresh.setShortcut(QKeySequence("F5"))
        self.action_refresh.triggered.connect(self.refresh_current_page)
        self.action_refresh_separator = menu_view.addSeparator()  # the pages go above it
        menu_view.addAction(self.action_refresh)

        menu_help = self.menuBar().addMenu("帮助(&H)")
        self.action_guide = QAction("使用说明(&G)", self)
        self.action_guide.setShortcut(QKeySequence.StandardKey.HelpContents)
        self.action_guide.triggered.connect(self.show_guide)
        menu_help.addAction(self.action_guide)
        self.action_logs = QAction("打开日志文件夹(&L)", self)
        self.action_logs.setToolTip("程序出错时，维护人员可能需要这里的日志文件")
        self.action_logs.triggered.connect(self.open_log_folder)
        menu_help.addAction(self.action_logs)
        menu_help.addSeparator()
        self.action_about = QAction("关于(&A)", self)
        self.action_about.triggered.connect(self.show_about)
        menu_help.addAction(self.action_about)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self._db_label = QLabel()
        self._db_label.setObjectName("statusDatabase")
        self._user_label = QLabel()
        self._user_label.setObjectName("statusUser")
        for label in (self._db_label, self._user_label):
            label.setContentsMargins(6, 0, 6, 0)
        bar.addPermanentWidget(self._db_label, 1)
        bar.addPermanentWidget(self._user_label)

    def _update_database_display(self) -> None:
        self._info = info = database_info(self._db)
        # The application has no display name (configure_application), so Qt adds nothing.
        self.setWindowTitle(window_title(self._db))
        self._db_label.setText(f"数据库：{info.place}")
        self._db_label.setToolTip(info.place)
        who = self._db.principal  # signed in (services.trust), else the person set for the database
        if who is not None:
            self._user_label.setText(f"当前用户：{who.display_name}（{who.role_label}）")
        else:
            self._user_label.setText(f"当前用户：{info.user}" if info.user else "未登录")

    # -- pages ------------------------------------------------------------------------------
    def _on_row_changed(self, row: int) -> None:
        if row < 0:
            return
        key = self.nav.item(row).data(Qt.ItemDataRole.UserRole)
        self._show(self._pages[key])
        self.page_changed.emit(key)

    def _show(self, entry: PageEntry) -> None:
        if entry.widget is None:
            entry.widget = entry.factory(self._db)
            self.stack.addWidget(entry.widget)
        self.stack.setCurrentWidget(entry.widget)
        self._refresh(entry)

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if self._refresh_after_paint and event.type() == QEvent.Type.Paint:
            self._refresh_after_paint = False
            # After this paint reaches the screen: the page's queries then fill it.
            QTimer.singleShot(0, self, self.refresh_current_page)
            if self._offer_region_setup:
                QTimer.singleShot(0, self, self.offer_region_setup)
        return handled

    def _refresh(self, entry: PageEntry) -> None:
        if self._refresh_after_paint:
            return  # the first paint comes first (fast_start)
        refresh = getattr(entry.widget, "refresh", None)
        if callable(refresh):
            refresh()

    def _on_data_changed(self, url: str) -> None:
        """A write was committed: the built pages' counters follow, once per burst of writes."""
        if url != self._db.url or self._counts_pending:
            return
        self._counts_pending = True
        QTimer.singleShot(0, self, self.refresh_counts)

    def refresh_counts(self) -> None:
        """Ask every built page with counters (``refresh_counts()``) to re-read them."""
        self._counts_pending = False
        for entry in self._pages.values():
            refresh = getattr(entry.widget, "refresh_counts", None)
            if callable(refresh):
                refresh()

    def _discard_widget(self, entry: PageEntry) -> None:
        if entry.widget is not None:
            self.stack.removeWidget(entry.widget)
            entry.widget.deleteLater()
            entry.widget = None

    # -- settings ---------------------------------------------------------------------------
    def _restore_settings(self) -> None:
        settings = ui_settings()
        geometry = settings.value(SETTING_GEOMETRY)
        if not (isinstance(geometry, QByteArray) and self.restoreGeometry(geometry)):
            self._default_geometry()
        key = settings.value(SETTING_PAGE)
        if not (isinstance(key, str) and key in self._pages):
            key = next(iter(self._pages))
        self.select_page(key)

    def _default_geometry(self) -> None:
        screen = QGuiApplication.primaryScreen()
        width, height = 1180, 740
        if screen is not None:
            available = screen.availableGeometry()
            width = min(width, available.width() - 40)
            height = min(height, available.height() - 60)
            self.resize(width, height)
            frame = self.frameGeometry()
            frame.moveCenter(available.center())
            self.move(frame.topLeft())
        else:
            self.resize(width, height)

    def save_settings(self) -> None:
        settings = ui_settings()
        settings.setValue(SETTING_GEOMETRY, self.saveGeometry())
        key = self.current_page_key()
        if key is not None:
            settings.setValue(SETTING_PAGE, key)
        if self._db.is_sqlite:
            settings.setValue(SETTING_RECENT_DB, self._db.url)
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        running = [op for op in BackgroundOp.running() if op.is_running()]
        if running:
            answer = QMessageBox.question(
                self,
                "退出",
                "还有后台任务正在进行。现在退出会取消这些任务，确定退出吗？",
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
            BackgroundOp.cancel_all()
        self.save_settings()
        super().closeEvent(event)

    # -- menu actions -----------------------------------------------------------------------
    def _start_dir(self) -> str:
        url = make_url(self._db.url)
        if url.get_backend_name() == "sqlite" and url.database:
            return str(Path(url.database).parent)
        return str(Path.home())

    def open_database_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "打开数据库", self._start_dir(), DB_FILE_FILTER)
        if path:
            self.switch_database(path, title="打开数据库")

    def new_database_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            "新建数据库",
            str(Path(self._start_dir()) / "新数据库.sqlite3"),
            DB_FILE_FILTER,
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        if not path:
            return
        target = Path(path)
        if not target.suffix:
            target = target.with_suffix(".sqlite3")
        if target.exists():
            QMessageBox.warning(
                self,
                "新建数据库",
                f"文件已经存在：{target}\n\n"
                "新建不会覆盖已有的数据库。要使用它，请选“文件 → 打开数据库”。",
            )
            return
        self.switch_database(str(target), title="新建数据库")

    def switch_database(self, target: str, *, title: str) -> BackgroundOp[Database]:
        """Open (create, or upgrade after a backup) ``target`` off the GUI thread, then switch."""
        user = self._db.user if self._db.principal is None else None  # a sign-in is per database
        op: BackgroundOp[Database] = BackgroundOp(
            self,
            lambda _progress, _cancelled: open_database(target, user=user),
            title=title,
            label="正在打开数据库，请稍候…",
            cancellable=False,
        )
        op.success(self._sign_in_and_switch).start()
        return op

    def _sign_in_and_switch(self, db: Database) -> None:
        from fupin_desktop.ui.trust import sign_in

        if sign_in(db, self):
            self.set_database(db)
        else:
            db.dispose()

    def offer_region_setup(self) -> bool:
        """First run: the county set-up dialog when the database has no regions (only over
        a window still on screen)."""
        if not self.isVisible():
            return False
        created = offer_region_setup(self._db, self)
        if created:
            self.refresh_current_page()
        return created

    def show_region_settings(self, select: str | None = None) -> RegionSettingsWindow:
        """文件 → 区划设置: one window; pages refresh after each change."""
        if self._region_settings is None:
            self._region_settings = RegionSettingsWindow(self._db, self, select=select)
            self._region_settings.changed.connect(self.refresh_current_page)
        elif select:
            self._region_settings.reload(select)
        self._region_settings.show()
        self._region_settings.activateWindow()
        return self._region_settings

    def open_log_folder(self) -> Path:
        """帮助 → 打开日志文件夹: the data folder's logs/ in the system's file manager."""
        folder = log_dir()
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            QMessageBox.information(self, "日志文件夹", f"日志文件在：\n{folder}")
        return folder

    def show_backups(self):
        """文件 → 备份 / 恢复; after a restore every page re-reads the database."""
        from fupin_desktop.ui.trust import BackupsDialog

        dialog = BackupsDialog(self._db, self)
        dialog.restored.connect(lambda: self.set_database(self._db))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def show_users(self):
        """文件 → 用户管理 (changes are refused there unless a 管理员 is signed in)."""
        from fupin_desktop.ui.trust import UsersWindow

        window = UsersWindow(self._db, self)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.show()
        return window

    def show_audit_log(self):
        """文件 → 操作日志."""
        from fupin_desktop.ui.trust import AuditLogWindow

        window = AuditLogWindow(self._db, self)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.show()
        return window

    def show_guide(self) -> GuideDialog:
        """帮助 → 使用说明 (F1): one guide window, raised again if already open."""
        if self._guide is None:
            self._guide = GuideDialog(self)
        self._guide.show()
        self._guide.activateWindow()
        return self._guide

    def show_about(self) -> None:
        info = self._info or database_info(self._db)
        QMessageBox.about(
            self,
            "关于",
            f"<h3>{APP_TITLE}</h3>"
            f"<p>版本 {__version__}</p>"
            "<p>户籍管理、扶贫手册、项目库、资产台账、月度报表和导入导出。</p>"
            f"<p>数据库：{info.place}<br>数据版本：{info.schema_version or '未知'}</p>"
            f"<p style='color:#5a6678'>Python {platform.python_version()} · "
            f"Qt for Python {pyside_version}</p>",
        )
