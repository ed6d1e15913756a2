"""操作日志: who changed what, filtered by household, user, table and date; old → new per
field; export to .xlsx."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fupin_desktop.db import Database
from fupin_desktop.errors import UserError
from fupin_desktop.services.trust import audit_log as svc
from fupin_desktop.ui.errors import show_user_error
from fupin_desktop.ui.registry.widgets import date_edit, date_of
from fupin_desktop.ui.trust.widgets import list_table

COLUMNS = ["时间", "用户", "操作", "数据表", "记录编号", "内容"]
LIMIT = 2000


class AuditLogWindow(QDialog):
    def __init__(self, db: Database, parent: QWidget | None = None, *, household: str = ""):
        super().__init__(parent)
        self.db = db
        self.entries: list[svc.AuditEntry] = []
        self.setObjectName("auditLogWindow")
        self.setWindowTitle("操作日志")
        self.resize(1100, 640)

        self.household = QLineEdit(household)
        self.household.setObjectName("auditHousehold")
        self.household.setPlaceholderText("户编号、户主姓名或证件号码")
        self.household.returnPressed.connect(self.reload)
        self.user = QComboBox()
        self.user.setObjectName("auditUser")
        self.table_filter = QComboBox()
        self.table_filter.setObjectName("auditTable")
        self.use_dates = QCheckBox("日期")
        self.since = date_edit(dt.date.today() - dt.timedelta(days=30))
        self.until = date_edit()
        self.search = QPushButton("查询")
        self.search.clicked.connect(self.reload)
        self.export_button = QPushButton("导出 Excel…")
        self.export_button.setObjectName("auditExport")
        self.export_button.clicked.connect(self.export)
        filters = QHBoxLayout()
        filters.addWidget(QLabel("农户："))
        filters.addWidget(self.household, 2)
        filters.addWidget(QLabel("用户："))
        filters.addWidget(self.user, 1)
        filters.addWidget(QLabel("数据："))
        filters.addWidget(self.table_filter, 1)
        filters.addWidget(self.use_dates)
        filters.addWidget(self.since)
        filters.addWidget(QLabel("至"))
        filters.addWidget(self.until)
        filters.addWidget(self.search)
        filters.addWidget(self.export_button)

        self.table = list_table(COLUMNS, "auditTableView", stretch=5)
        self.table.currentCellChanged.connect(lambda row, *_: self.show_detail(row))

        self.detail = list_table(["字段", "原值", "新值"], "auditDetail", stretch=1)
        self.detail.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.note = QLabel()
        self.note.setObjectName("auditNote")
        self.note.setStyleSheet("color:#5a6678;")

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setSizes([420, 200])
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(split, 1)
        layout.addWidget(self.note)
        self._fill_choices()
        self.reload()

    def _fill_choices(self) -> None:
        with self.db.session() as s:
            users, tables = svc.audit_users(s), svc.audit_tables(s)
        self.user.clear()
        self.user.addItem("全部", None)
        for u in users:
            self.user.addItem(u, u)
        self.table_filter.clear()
        self.table_filter.addItem("全部", None)
        for name, label in tables:
            self.table_filter.addItem(label, name)

    def reload(self) -> None:
        dates = self.use_dates.isChecked()
        with self.db.session() as s:
            self.entries = svc.query_audit(
                s, household=self.household.text(), user=self.user.currentData(),
                table=self.table_filter.currentData(), since=date_of(self.since) if dates else None,
                until=date_of(self.until) if dates else None, limit=LIMIT)
        self.table.setRowCount(len(self.entries))
        for i, e in enumerate(self.entries):
            values = [f"{e.at:%Y-%m-%d %H:%M:%S}", e.user, e.action_label, e.table_label, e.row_key or "",
                      e.summary()]
            for j, v in enumerate(values):
                item = QTableWidgetItem(v)
                if j == 5:
                    item.setToolTip(v)
                self.table.setItem(i, j, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        more = "（只显示最近的 2,000 条，请缩小查询范围）" if len(self.entries) >= LIMIT else ""
        self.note.setText(f"共 {len(self.entries):,} 条{more}")
        if self.entries:
            self.table.selectRow(0)
        self.show_detail(0 if self.entries else -1)

    def show_detail(self, row: int) -> None:
        entry = self.entries[row] if 0 <= row < len(self.entries) else None
        changes = entry.changes if entry else ()
        self.detail.setRowCount(len(changes))
        for i, c in enumerate(changes):
            for j, v in enumerate((c.field, c.old, c.new)):
                self.detail.setItem(i, j, QTableWidgetItem(v))
        self.detail.resizeColumnToContents(0)

    def export(self) -> None:
        default = str(Path.home() / f"操作日志-{dt.date.today():%Y%m%d}.xlsx")
        path, _ = QFileDialog.getSaveFileName(self, "导出操作日志", default, "Excel 表格 (*.xlsx)")
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> int:
        try:
            return svc.export_audit(self.entries, path)
        except UserError as err:
            show_user_error(self, err, "导出操作日志")
            return 0
