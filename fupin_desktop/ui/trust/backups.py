"""文件 → 备份 / 恢复: the database's backups (date, reason, size, households), 立即备份,
and restore from a listed backup or a file (管理员)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fupin_desktop.db import Database
from fupin_desktop.errors import UserError
from fupin_desktop.services import trust
from fupin_desktop.services.trust.backups import KEEP_DAILY, KEEP_WEEKLY, folder_for
from fupin_desktop.ui.errors import show_user_error
from fupin_desktop.ui.files import open_file
from fupin_desktop.ui.trust.widgets import list_table

COLUMNS = ["备份时间", "原因", "大小", "在册户数", "在册人数", "文件"]


class BackupsDialog(QDialog):
    """``restored`` fires after a restore (pages re-read the database)."""

    restored = Signal()

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.items: list[trust.BackupInfo] = []
        self.setObjectName("backupsDialog")
        self.setWindowTitle("备份 / 恢复")
        self.resize(900, 460)
        self.table = list_table(COLUMNS, "backupsTable", stretch=5)
        self.backup_button = QPushButton("立即备份")
        self.backup_button.setObjectName("backupNow")
        self.restore_button = QPushButton("用所选备份恢复…")
        self.restore_button.setObjectName("restoreSelected")
        self.file_button = QPushButton("从文件恢复…")
        self.folder_button = QPushButton("打开备份文件夹")
        self.backup_button.clicked.connect(self.backup_now)
        self.restore_button.clicked.connect(self.restore_selected)
        self.file_button.clicked.connect(self.restore_file)
        self.folder_button.clicked.connect(lambda: open_file(folder_for(self.db.engine.url)))
        side = QVBoxLayout()
        for b in (self.backup_button, self.restore_button, self.file_button, self.folder_button):
            side.addWidget(b)
        side.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.table, 1)
        body.addLayout(side)
        self.note = QLabel(
            f"每天第一次打开、每次导入、升级和恢复之前都会自动备份；保留今天的全部备份、最近 {KEEP_DAILY} 天"
            f"每天一份和之前 {KEEP_WEEKLY} 周每周一份。恢复前会先把当前数据另存一份备份。")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color:#5a6678;")
        layout = QVBoxLayout(self)
        layout.addLayout(body)
        layout.addWidget(self.note)
        self.reload()

    def reload(self) -> None:
        self.items = trust.list_backups(self.db.engine.url)
        self.table.setRowCount(len(self.items))
        for i, b in enumerate(self.items):
            values = [f"{b.at:%Y-%m-%d %H:%M:%S}", b.reason_label, f"{b.size / 1024 / 1024:,.1f} MB",
                      "" if b.households is None else f"{b.households:,}",
                      "" if b.members is None else f"{b.members:,}", b.path.name]
            for j, v in enumerate(values):
                item = QTableWidgetItem(v)
                if j in (2, 3, 4):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(i, j, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)

    def backup_now(self) -> Path | None:
        try:
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                path = trust.backup(self.db, "manual")
            finally:
                QApplication.restoreOverrideCursor()
        except UserError as err:
            show_user_error(self, err, "备份")
            return None
        self.reload()
        return path

    def restore_selected(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.items):
            self.restore_from(self.items[row].path, ask=True)

    def restore_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择备份文件", str(folder_for(self.db.engine.url)),
                                              "备份文件 (*.sqlite3 *.dump);;所有文件 (*)")
        if path:
            self.restore_from(Path(path), ask=True)

    def restore_from(self, path: Path, *, ask: bool) -> Path | None:
        if ask and QMessageBox.question(
                self, "从备份恢复",
                f"用备份“{path.name}”替换数据库中的全部数据吗？\n当前数据会先另存一份备份，可以再恢复回来。") \
                != QMessageBox.StandardButton.Yes:
            return None
        try:
            kept = trust.restore(self.db, path)
        except UserError as err:
            show_user_error(self, err, "从备份恢复")
            return None
        self.reload()
        self.restored.emit()
        if ask:
            QMessageBox.information(self, "从备份恢复", f"已恢复。恢复前的数据另存为：{kept.name}")
        return kept
