"""Import of a ledger kept in Excel: check first, show the differences, then apply on request."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fupin_desktop.db import Database
from fupin_desktop.services import asset_exchange
from fupin_desktop.ui.operations import BackgroundOp


class ImportReviewDialog(QDialog):
    """Runs a dry run in the background, lists 新增/修改 (field by field)/问题, and imports
    only when the clerk presses 「确认导入」 and the file has no problems."""

    def __init__(self, db: Database, path: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.path = path
        self.report: asset_exchange.ImportReport | None = None
        self.setWindowTitle(f"导入资产台账 — {path.name}")
        self.resize(860, 520)
        self.summary = QLabel("正在核对…")
        self.summary.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["行", "资产编号", "资产名称 / 字段", "原值", "新值"])
        for col, width in enumerate((60, 130, 260, 160)):
            self.tree.setColumnWidth(col, width)
        self.buttons = QDialogButtonBox()
        self.apply_button = self.buttons.addButton("确认导入", QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.setEnabled(False)
        close = self.buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        close.clicked.connect(self.reject)
        self.apply_button.clicked.connect(self.apply)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.buttons)
        self.op = self._run(dry_run=True)

    def _run(self, *, dry_run: bool) -> BackgroundOp:
        op = BackgroundOp(
            self,
            lambda progress, cancelled: asset_exchange.import_ledger(
                self.db, self.path, dry_run=dry_run, progress=progress, cancel=cancelled),
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
                top.addChild(QTreeWidgetItem([str(issue.row), issue.column, issue.message]))
            self.tree.addTopLevelItem(top)
            top.setExpanded(True)
        if report.new:
            top = QTreeWidgetItem(["", "", f"新增（{len(report.new)}）"])
            for r in report.new:
                top.addChild(QTreeWidgetItem([str(r.row), r.asset_no or "", r.name]))
            self.tree.addTopLevelItem(top)
            top.setExpanded(True)
        if report.changed:
            top = QTreeWidgetItem(["", "", f"修改（{len(report.changed)}）"])
            for r in report.changed:
                item = QTreeWidgetItem([str(r.row), r.asset_no or "", r.name])
                for column, old, new in r.changes:
                    item.addChild(QTreeWidgetItem(["", "", column, old, new]))
                top.addChild(item)
                item.setExpanded(True)
            self.tree.addTopLevelItem(top)
            top.setExpanded(True)
        can_apply = not report.applied and not report.issues and bool(report.new or report.changed)
        self.apply_button.setEnabled(can_apply)

    def apply(self) -> None:
        self.apply_button.setEnabled(False)
        self.op = self._run(dry_run=False)
