"""整改清单 page: filters (status, category, overdue, text), the list with overdue lines in
red, the summary by category × status with the city-style sentence, the 九个清零 table,
and 新增 / 导入 / 导出 / 打印 (long work through ``BackgroundOp``)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from fupin_desktop.db import Database
from fupin_desktop.services import rectify
from fupin_desktop.ui.assets.importer import ImportReviewDialog
from fupin_desktop.ui.operations import BackgroundOp
from fupin_desktop.ui.registry.models import RecordTableModel
from fupin_desktop.ui.registry.widgets import code_combo, record_view
from fupin_desktop.ui.theme import DANGER
from fupin_desktop.ui.widgets.titles import page_title

ITEM_COLUMNS = (("no", "序号"), ("source", "问题来源"), ("category", "问题类别"), ("description", "问题描述"),
                ("places", "涉及村"), ("lead", "牵头领导"), ("unit", "责任单位"), ("person", "责任人"),
                ("deadline", "整改时限"), ("status", "整改状态"), ("latest", "最新进展"), ("item_no", "问题编号"))
STATUS_COLUMNS = tuple((s, rectify.status_label(s)) for s in rectify.STATUSES)
SUMMARY_COLUMNS = (("category", "问题类别"), ("total", "问题数"), *STATUS_COLUMNS, ("overdue", "逾期未完成"))
ZERO_COLUMNS = (("category", "九个清零类别"), ("total", "问题数"), ("open", "未完成"), ("overdue", "逾期"),
                ("zeroed", "是否清零"))
OPEN_CHOICE = "open"


class FlaggedTableModel(RecordTableModel):
    """Rows whose ``flag`` key is true shown in the theme's danger colour."""

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.ForegroundRole and index.isValid() and self.rows()[index.row()].get("flag"):
            return QBrush(QColor(DANGER))
        return super().data(index, role)


class RectifyPage(QWidget):
    """整改清单: registered in the main window under the key ``rectify``."""

    key: ClassVar[str] = "rectify"
    title: ClassVar[str] = "整改清单"
    icon_name: ClassVar[str] = "rectify"

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.setObjectName("page_rectify")
        self.dialog = None
        self.review: ImportReviewDialog | None = None
        self.rows: list[rectify.ItemRow] = []

        self.title_label = title = page_title(self.title)
        self.summary_label = QLabel()
        self.summary_label.setObjectName("rectifySummary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextFormat(Qt.TextFormat.RichText)
        self.zero_label = QLabel()
        self.zero_label.setWordWrap(True)

        self.status_combo = QComboBox()
        self.status_combo.addItem("全部", None)
        self.status_combo.addItem("未完成（未整改、正在整改）", OPEN_CHOICE)
        for code, label in STATUS_COLUMNS:
            self.status_combo.addItem(label, code)
        self.category_combo = code_combo("rectify_category", blank="全部")
        self.overdue_combo = QComboBox()
        for text, value in (("全部", None), ("逾期未完成", True), ("未逾期", False)):
            self.overdue_combo.addItem(text, value)
        self.search = QLineEdit()
        self.search.setPlaceholderText("问题描述、编号、责任单位或责任人")
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(self.reload)
        for combo in (self.status_combo, self.category_combo, self.overdue_combo):
            combo.currentIndexChanged.connect(lambda _i: self.reload())
        filters = QHBoxLayout()
        for label, widget in (("整改状态", self.status_combo), ("问题类别", self.category_combo),
                              ("逾期", self.overdue_combo)):
            filters.addWidget(QLabel(label))
            filters.addWidget(widget)
            filters.addSpacing(6)
        filters.addWidget(self.search, 1)

        self.new_button = QPushButton("新增问题…")
        self.new_button.clicked.connect(lambda: self.open_item(None))
        self.import_button = QPushButton("导入清单…")
        self.import_button.clicked.connect(self.import_dialog)
        self.export_button = QPushButton("导出…")
        self.export_button.clicked.connect(self.export_dialog)
        self.print_button = QPushButton("打印…")
        self.print_button.clicked.connect(self.print_dialog)
        tools = QHBoxLayout()
        for button in (self.new_button, self.import_button, self.export_button, self.print_button):
            tools.addWidget(button)
        tools.addStretch(1)
        self.count_label = QLabel()
        tools.addWidget(self.count_label)

        self.item_model = FlaggedTableModel(ITEM_COLUMNS, self, right=("no",))
        self.item_view = record_view(self.item_model, "rectifyTable")
        self.item_view.doubleClicked.connect(lambda index: self.open_item(self.item_model.rows()[index.row()]["id"]))
        header = self.item_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in enumerate((44, 80, 110, 300, 90, 80, 110, 60, 96, 120, 220, 110)):
            self.item_view.setColumnWidth(col, width)
        hint = QLabel("红色为已过整改时限仍未完成的问题。双击一行查看和修改，记录整改进展、更改整改状态。")
        hint.setStyleSheet("color:#5a6678;")
        items = QWidget()
        items_layout = QVBoxLayout(items)
        items_layout.addWidget(self.item_view, 1)
        items_layout.addWidget(hint)

        self.summary_model = FlaggedTableModel(SUMMARY_COLUMNS, self,
                                               right=("total", *rectify.STATUSES, "overdue"))
        self.summary_view = record_view(self.summary_model, "rectifySummaryTable")
        self.zero_model = FlaggedTableModel(ZERO_COLUMNS, self, right=("total", "open", "overdue"))
        self.zero_view = record_view(self.zero_model, "nineZeroTable")
        for view in (self.summary_view, self.zero_view):
            view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            view.horizontalHeader().setMinimumSectionSize(84)
        summary = QWidget()
        summary_layout = QHBoxLayout(summary)
        left = QVBoxLayout()
        left.addWidget(QLabel("按问题类别和整改状态"))
        left.addWidget(self.summary_view, 1)
        right = QVBoxLayout()
        right.addWidget(QLabel("九个清零（未完成的问题数降到 0 即清零）"))
        right.addWidget(self.zero_view, 1)
        summary_layout.addLayout(left, 3)
        summary_layout.addLayout(right, 2)

        self.tabs = QTabWidget()
        self.tabs.addTab(items, "问题清单")
        self.tabs.addTab(summary, "汇总")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 12)
        layout.addWidget(title)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.zero_label)
        layout.addLayout(filters)
        layout.addLayout(tools)
        layout.addWidget(self.tabs, 1)

    # -- data ---------------------------------------------------------------------------------
    def filter(self) -> rectify.RectifyFilter:
        status = self.status_combo.currentData()
        statuses = rectify.OPEN if status == OPEN_CHOICE else (status,) if status else ()
        return rectify.RectifyFilter(statuses=statuses, category=self.category_combo.currentData(),
                                     overdue=self.overdue_combo.currentData(), text=self.search.text())

    def refresh(self) -> None:
        self.reload()

    def reload(self) -> None:
        with self.db.session() as s:
            self.rows = rectify.list_items(s, self.filter())
            totals = rectify.summary(s)
        self.item_model.set_rows([{
            "id": r.id, "no": n, "item_no": r.item_no, "source": r.source_label, "category": r.category_label,
            "description": r.description, "places": "、".join(r.villages), "lead": r.lead, "unit": r.unit,
            "person": r.person, "deadline": r.deadline_text + ("（逾期）" if r.overdue else ""),
            "status": r.status_label, "flag": r.overdue,
            "latest": f"{r.last_progress_on:%m-%d} {r.last_progress}" if r.last_progress_on else "",
        } for n, r in enumerate(self.rows, 1)])
        late = sum(1 for r in self.rows if r.overdue)
        self.count_label.setText(f"列出 {len(self.rows)} 个问题" + (f"，其中逾期 {late} 个" if late else ""))
        if totals.total:
            text, late_part, rest = totals.text().partition("；逾期")
            if late_part:  # the overdue count in red
                text += f"；<span style='color:{DANGER}'>逾期{rest.rstrip('。')}</span>。"
            self.summary_label.setText(text)
            self.zero_label.setText(totals.nine_zero_text())
        else:
            self.summary_label.setText("整改清单中还没有问题。点“导入清单…”导入县里下发的清单，或点“新增问题…”逐条登记。")
            self.zero_label.setText("")
        by_status = totals.by_status
        self.summary_model.set_rows([
            *({"category": line.label, "total": line.total, **{s: line.counts.get(s, 0) for s in rectify.STATUSES},
               "overdue": line.overdue, "flag": bool(line.overdue)} for line in totals.lines),
            {"category": "合计", "total": totals.total, **by_status, "overdue": totals.overdue},
        ])
        self.zero_model.set_rows([{"category": line.label, "total": line.total, "open": line.open,
                                   "overdue": line.overdue, "zeroed": "已清零" if line.zeroed else "未清零",
                                   "flag": not line.zeroed} for line in totals.nine_zero])

    # -- actions ------------------------------------------------------------------------------
    def open_item(self, item_id: int | None):
        from fupin_desktop.ui.rectify.dialog import RectifyDialog

        self.dialog = RectifyDialog(self.db, item_id, self)
        self.dialog.saved.connect(self.reload)
        self.dialog.show()
        return self.dialog

    def import_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "导入整改清单", "", "表格文件 (*.xlsx *.xls *.csv)")
        if path:
            self.import_file(Path(path))

    def import_file(self, path: Path) -> ImportReviewDialog:
        self.review = RectifyImportDialog(self.db, path, self)
        self.review.finished.connect(lambda _r: self.reload())
        self.review.show()
        return self.review

    def export_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "导出整改清单", "整改清单.xlsx", "Excel 文件 (*.xlsx)")
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> BackgroundOp:
        flt = self.filter()
        return BackgroundOp(self, lambda progress, cancelled: rectify.export_list(
            self.db, path, flt=flt, progress=progress, cancel=cancelled), title="导出整改清单",
            label="正在导出…").success(
            lambda n: self.count_label.setText(f"已导出 {n} 个问题：{path}")).start()

    def print_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "打印整改清单（生成 PDF）", "整改清单.pdf", "PDF 文件 (*.pdf)")
        if path:
            self.print_to(Path(path))

    def print_to(self, path: Path) -> BackgroundOp:
        flt = self.filter()
        return BackgroundOp(self, lambda _p, _c: rectify.print_list(self.db, path, flt), title="打印整改清单",
                            label="正在生成 PDF…", cancellable=False).success(
            lambda pages: self.count_label.setText(f"已生成整改清单 {pages} 页：{path}")).start()


class RectifyImportDialog(ImportReviewDialog):
    """The import review of the asset ledger, for the 整改清单."""

    TITLE = "导入整改清单"
    ROW_KEY, ROW_NAME = "item_no", "description"
    HEADERS = ("行", "问题编号", "问题描述 / 字段", "原值", "新值")

    def _run(self, *, dry_run: bool) -> BackgroundOp:
        from fupin_desktop.services.overview import current_user_name

        user = current_user_name(self.db)
        op = BackgroundOp(self, lambda progress, cancelled: rectify.import_list(
            self.db, self.path, dry_run=dry_run, user=user, progress=progress, cancel=cancelled),
            title=self.TITLE, label="正在核对清单…" if dry_run else "正在导入…")
        op.success(self.show_report)
        op.failure(lambda exc: self.summary.setText(str(exc)))
        return op.start()
