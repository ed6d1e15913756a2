"""项目库 导入/导出: the review of a project sheet before it is written, and the two actions.

The flow on the page: choose a file → a dry run in the background (``BackgroundOp``) →
:class:`ProjectImportReviewDialog` (counts, new projects, field changes old → new, errors and
warnings with row and column, the error report to save) → 导入 runs the real import in the
background → a summary, and the list reloads.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fupin_desktop.services import project_exchange as X
from fupin_desktop.sheets.diff import display_value
from fupin_desktop.ui.operations import BackgroundOp

IMPORT_FILTER = "表格文件 (*.xlsx *.xlsm *.xls *.csv *.txt);;所有文件 (*)"


def _item(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setToolTip(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    return item


class ProjectImportReviewDialog(QDialog):
    """What an import of ``result`` (a dry run) would do; 导入 accepts."""

    def __init__(self, result: X.ImportResult, parent: QWidget | None = None):
        super().__init__(parent)
        self.result = result
        self.setWindowTitle(f"核对导入内容 — {result.file}")
        self.resize(900, 560)
        layout = QVBoxLayout(self)
        c = result.counts
        head = QLabel(
            f"工作表“{result.sheet}”：读取 {c['rows_read']} 行（跳过空行/合计行 {c['rows_skipped']} 行）。"
            f"<br>将<b>新增 {c['projects_created']}</b> 个项目，<b>变更 {c['projects_updated']}</b> 个，"
            f"无变化 {c['projects_unchanged']} 个"
            + (f"；<span style='color:#9C0006'>有错误未导入 {c['projects_skipped']} 行</span>。" if c["projects_skipped"] else "。")
        )
        head.setWordWrap(True)
        layout.addWidget(head)
        notes = ["新项目按“村级申报”登记；导入不改变已有项目的状态，也不删除任何项目。"]
        if result.amounts_in_wan:
            notes.append("按万元换算为元的列：" + "、".join(result.amounts_in_wan) + "。")
        if result.ignored_columns:
            notes.append("未导入的列：" + "、".join(result.ignored_columns) + "。")
        note = QLabel("\n".join(notes))
        note.setWordWrap(True)
        note.setStyleSheet("color:#555")
        layout.addWidget(note)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._changes_tab(), f"变更（{c['projects_updated']}）")
        self.tabs.addTab(self._new_tab(), f"新增（{c['projects_created']}）")
        self.tabs.addTab(self._errors_tab(), f"错误和提示（{len(result.errors) + len(result.warnings)}）")
        if result.errors:
            self.tabs.setCurrentIndex(2)
        elif not c["projects_updated"]:
            self.tabs.setCurrentIndex(1)
        layout.addWidget(self.tabs, 1)

        buttons = QDialogButtonBox()
        self.import_button = buttons.addButton("导入", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setEnabled(c["projects_created"] + c["projects_updated"] > 0)
        if not self.import_button.isEnabled():
            self.import_button.setToolTip("没有可导入的新增或变更。")
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.report_button = QPushButton("保存错误报告…")
        self.report_button.setEnabled(result.error_report is not None)
        self.report_button.setToolTip("原表副本：出错的单元格标红，最后一列写明错误，改好后可直接再导入")
        self.report_button.clicked.connect(self.save_report)
        row = QHBoxLayout()
        row.addWidget(self.report_button)
        row.addStretch(1)
        row.addWidget(buttons)
        layout.addLayout(row)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

    def _changes_tab(self) -> QWidget:
        tree = QTreeWidget()
        tree.setHeaderLabels(["行 / 项目 / 字段", "原值", "新值"])
        tree.setUniformRowHeights(True)
        for r in self.result.rows:
            if r.status != "changed":
                continue
            top = QTreeWidgetItem([f"第{r.row + 1}行  {r.label}", "", f"{len(r.changes)} 处"])
            for ch in r.changes:
                top.addChild(QTreeWidgetItem([ch.label, display_value(ch.old), display_value(ch.new)]))
            tree.addTopLevelItem(top)
        tree.expandAll()
        tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        tree.setColumnWidth(0, 330)
        tree.setColumnWidth(1, 250)
        return tree

    def _table(self, headers: list[str], rows: list[list[str]]) -> QTableWidget:
        table = QTableWidget(len(rows), len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        for i, row in enumerate(rows):
            for j, text in enumerate(row):
                table.setItem(i, j, _item(text))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        return table

    def _new_tab(self) -> QWidget:
        rows = [[f"第{r.row + 1}行", r.name] for r in self.result.rows if r.status == "new"]
        return self._table(["行", "项目名称"], rows)

    def _errors_tab(self) -> QWidget:
        rows = [["错误", f"第{e.excel_row}行", e.column, display_value(X.cell_text(e.value)), e.message] for e in self.result.errors]
        rows += [["提示", f"第{w.excel_row}行", w.column, display_value(X.cell_text(w.value)), w.message] for w in self.result.warnings]
        table = self._table(["", "行", "列", "单元格内容", "说明"], rows)
        for i, row in enumerate(rows):
            if row[0] == "错误":
                table.item(i, 0).setForeground(Qt.GlobalColor.darkRed)
        return table

    def save_report(self, path: str | None = None) -> Path | None:
        if self.result.error_report is None:
            return None
        if path is None:
            suggested = str(Path(self.result.file).with_suffix("")) + "_错误报告.xlsx"
            path, _ = QFileDialog.getSaveFileName(self, "保存错误报告", suggested, "Excel 工作簿 (*.xlsx)")
            if not path:
                return None
        try:
            shutil.copyfile(self.result.error_report, path)
        except OSError as exc:
            QMessageBox.warning(self, "保存错误报告", f"无法写入“{path}”：{exc.strerror or exc}。文件可能正在Excel或WPS中打开。")
            return None
        return Path(path)


class ProjectExchange:
    """导入/导出 for the 项目库 page (kept apart from the page's own code)."""

    def __init__(self, page) -> None:
        self.page = page
        self.review: ProjectImportReviewDialog | None = None
        self.last_op: BackgroundOp | None = None
        self._report_dir = tempfile.mkdtemp(prefix="fupin-projects-")

    # -- import -------------------------------------------------------------------------
    def ask_import(self) -> BackgroundOp | None:
        path, _ = QFileDialog.getOpenFileName(self.page, "选择项目批量导入表", "", IMPORT_FILTER)
        return self.start_import(Path(path)) if path else None

    def start_import(self, path: Path) -> BackgroundOp:
        db = self.page.db
        report = Path(self._report_dir) / "错误报告.xlsx"

        def work(progress, cancelled):
            return X.import_projects(db, path, dry_run=True, errors_out=report, progress=progress, cancel=cancelled)

        op = BackgroundOp(self.page, work, title="导入项目库", label=f"正在读取和核对 {path.name}…")
        op.success(lambda result: self._review(path, result)).start()
        self.last_op = op
        return op

    def _review(self, path: Path, result: X.ImportResult) -> None:
        dialog = ProjectImportReviewDialog(result, self.page)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.review = dialog
        dialog.accepted.connect(lambda: self._commit(path, result.fingerprint()))
        dialog.finished.connect(lambda _r: setattr(self, "review", None))
        dialog.open()

    def _commit(self, path: Path, fingerprint: str) -> BackgroundOp:
        db = self.page.db

        def work(progress, cancelled):
            return X.import_projects(db, path, expected_fingerprint=fingerprint, progress=progress, cancel=cancelled)

        op = BackgroundOp(self.page, work, title="导入项目库", label="正在写入数据库…")
        op.success(self._imported).start()
        self.last_op = op
        return op

    def _imported(self, result: X.ImportResult) -> None:
        c = result.counts
        self.page.reload()
        text = (f"已导入 {result.file}：新增 {c['projects_created']} 个项目，变更 {c['projects_updated']} 个，"
                f"无变化 {c['projects_unchanged']} 个。")  # fmt: skip
        if c["projects_skipped"]:
            text += f"\n有错误未导入 {c['projects_skipped']} 行。"
        QMessageBox.information(self.page, "导入项目库", text)

    # -- export -------------------------------------------------------------------------
    def ask_export(self) -> BackgroundOp | None:
        year = self.page.current_filter().year
        suggested = f"项目库{f'_{year}年度' if year else ''}.xlsx"
        path, _ = QFileDialog.getSaveFileName(self.page, "导出项目库", suggested, "Excel 工作簿 (*.xlsx)")
        return self.start_export(Path(path), year) if path else None

    def start_export(self, path: Path, year: int | None) -> BackgroundOp:
        db = self.page.db

        def work(progress, cancelled):
            return X.export_projects(db, path, year=year, progress=progress, cancel=cancelled)

        op = BackgroundOp(self.page, work, title="导出项目库", label="正在导出…")
        op.success(self._exported).start()
        self.last_op = op
        return op

    def _exported(self, result: X.ExportResult) -> None:
        QMessageBox.information(self.page, "导出项目库", f"已导出 {result.projects} 个项目到\n{result.path}\n"
                                "（项目批量导入模板格式，改好后可直接导入）")
