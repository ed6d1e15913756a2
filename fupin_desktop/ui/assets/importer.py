"""Import of a ledger kept in Excel: check first, show the differences, then apply on request."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fupin_desktop.db import Database
from fupin_desktop.services import asset_exchange
from fupin_desktop.ui.files import new_report_path, open_file
from fupin_desktop.ui.operations import BackgroundOp


class ImportReviewDialog(QDialog):
    """Runs a dry run in the background, lists 新增/修改 (field by field)/问题, and imports
    only when the clerk presses 「确认导入」 and the file has no problems. When there are problems,
    「打开错误报告」 opens a copy of the clerk's sheet with the bad cells marked."""

    # What another import reusing the dialog changes: its title, its row key and name
    # attributes (of the report's row results) and their column headers, and _run.
    TITLE = "导入资产台账"
    ROW_KEY, ROW_NAME = "asset_no", "name"
    HEADERS = ("行", "资产编号", "资产名称 / 字段", "原值", "新值")

    def __init__(self, db: Database, path: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.path = path
        self.report: asset_exchange.ImportReport | None = None
        self.setWindowTitle(f"{self.TITLE} — {path.name}")
        self.resize(860, 520)
        self.summary = QLabel("正在核对…")
        self.summary.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(self.HEADERS))
        for col, width in enumerate((60, 130, 260, 160)):
            self.tree.setColumnWidth(col, width)
        self.buttons = QDialogButtonBox()
        self.apply_button = self.buttons.addButton("确认导入", QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.setEnabled(False)
        self.report_button = QPushButton("打开错误报告")
        self.report_button.setToolTip("原表副本：有问题的单元格标红，最后一列写明问题；改好后可再导入")
        self.report_button.setVisible(False)
        self.report_button.clicked.connect(self.open_report)
        self.buttons.addButton(self.report_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = self.buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        close.clicked.connect(self.reject)
        self.apply_button.clicked.connect(self.apply)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.buttons)
        self.op = self._run(dry_run=True)

    def _run(self, *, dry_run: bool) -> BackgroundOp:
        report_path = new_report_path(self.path)
        op = BackgroundOp(
            self,
            lambda progress, cancelled: asset_exchange.import_ledger(
                self.db, self.path, dry_run=dry_run, errors_path=report_path, progress=progress, cancel=cancelled),
            title="导入资产台账", label="正在核对台账…" if dry_run else "正在导入…",
        )
        op.success(self.show_report)
        op.failure(lambda exc: self.summary.setText(str(exc)))
        return op.start()

    def show_report(self, report: asset_exchange.ImportReport) -> None:
        self.report = report
        self.summary.setText(report.summary())
        self.tree.clear()
        if report.issues:
            top = QTreeWidgetItem(["", "", f"问题（{len(report.issues)}）"])
            for issue in report.issues:
                named = issue.column and issue.column not in issue.message
                where = f"第{issue.row}行" + (f"「{issue.column}」列" if named else "")
                item = QTreeWidgetItem([f"{where}：{issue.message}"])
                item.setToolTip(0, issue.message)
                top.addChild(item)
            self.tree.addTopLevelItem(top)
            for i in range(top.childCount()):  # spanning only takes once the item is in the tree
                top.child(i).setFirstColumnSpanned(True)
        if report.new:
            top = QTreeWidgetItem(["", "", f"新增（{len(report.new)}）"])
            for r in report.new:
                top.addChild(QTreeWidgetItem([str(r.row), getattr(r, self.ROW_KEY) or "", getattr(r, self.ROW_NAME)]))
            self.tree.addTopLevelItem(top)
        if report.changed:
            top = QTreeWidgetItem(["", "", f"修改（{len(report.changed)}）"])
            for r in report.changed:
                item = QTreeWidgetItem([str(r.row), getattr(r, self.ROW_KEY) or "", getattr(r, self.ROW_NAME)])
                for column, old, new in r.changes:
                    item.addChild(QTreeWidgetItem(["", "", column, old, new]))
                top.addChild(item)
            self.tree.addTopLevelItem(top)
        self.report_button.setVisible(report.error_report is not None)
        self.tree.expandAll()
        can_apply = not report.applied and not report.issues and bool(report.new or report.changed)
        self.apply_button.setEnabled(can_apply)

    def apply(self) -> None:
        self.apply_button.setEnabled(False)
        self.op = self._run(dry_run=False)

    def open_report(self) -> Path | None:
        if self.report is None or self.report.error_report is None:
            return None
        path = Path(self.report.error_report)
        open_file(path)
        return path
