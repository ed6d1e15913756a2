"""The ledger page: filters (区划, 类别, 确权层级, 状态, 年度, 关键字), the asset list, totals by
class and owner level, and the actions (新增, 打开, 闲置/失管清单, 导入, 导出, 打印)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from fupin_desktop.codes import label_of
from fupin_desktop.db import Database
from fupin_desktop.services import assets as svc
from fupin_desktop.ui.assets.common import CodeCombo, money, print_form
from fupin_desktop.ui.operations import BackgroundOp
from fupin_desktop.ui.printing import print_and_preview
from fupin_desktop.ui.widgets.columns import fit_code_columns, fit_headers, fit_menu_button, fit_to_contents

COLUMNS = (
    ("资产编号", lambda r: r.asset_no),
    ("资产名称", lambda r: r.name),
    ("类别", lambda r: label_of("asset_category", r.category).removesuffix("资产")),
    ("类型", lambda r: label_of("asset_subtype", r.subtype)),
    ("状态", lambda r: label_of("asset_status", r.status)),
    ("乡镇", lambda r: r.township),
    ("村", lambda r: r.village),
    ("年度", lambda r: r.project_year or ""),
    ("资产原值(元)", lambda r: money(r.original_value)),
    ("账面价值(元)", lambda r: money(r.book_value)),
    ("确权层级", lambda r: label_of("ownership_level", r.ownership_level)),
    ("所有权人", lambda r: r.owner_name or ""),
    ("经营方式", lambda r: label_of("operation_mode", r.operation_mode)),
    ("经营主体", lambda r: r.operator or ""),
    ("累计收益(元)", lambda r: money(r.income_total)),
)
RIGHT_ALIGNED = {8, 9, 14}
# Code columns are as wide as their longest label; free text shows whole in a tooltip.
CODE_COLUMNS = {2: "asset_category", 3: "asset_subtype", 4: "asset_status", 10: "ownership_level",
                12: "operation_mode"}
FREE_TEXT = {1, 5, 6, 11, 13}
NAME_MAX = 320  # px


class LedgerModel(QAbstractTableModel):
    """Rows of ``svc.ledger_rows``; the asset id is under Qt.UserRole."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[svc.LedgerRow] = []

    def set_rows(self, rows: list[svc.LedgerRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return str(COLUMNS[index.column()][1](row))
        if role == Qt.ItemDataRole.ToolTipRole and index.column() in FREE_TEXT:
            return str(COLUMNS[index.column()][1](row)) or None
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in RIGHT_ALIGNED:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and row.status == svc.STATUS_DISPOSED:
            from PySide6.QtGui import QColor

            return QColor("#888888")
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section][0]
        return None


class AssetsPage(QWidget):
    """资产台账: registered in the main window under the key ``assets``."""

    key: ClassVar[str] = "assets"
    title: ClassVar[str] = "资产台账"
    icon_name: ClassVar[str] = "assets"

    asset_opened = Signal(int)

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.setObjectName("page_assets")
        self._dialogs: list[QWidget] = []

        self.title_label = title = QLabel(self.title)
        title.setObjectName("pageTitle")
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        title.setFont(font)

        self.region_combo = QComboBox()
        self.region_combo.setMinimumContentsLength(10)
        self.region_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.category_combo = CodeCombo("asset_category", blank="全部类别")
        self.level_combo = CodeCombo("ownership_level", blank="全部层级")
        self.status_combo = CodeCombo("asset_status", blank="全部状态")
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("编号、名称、所有权人、经营主体…")
        self.search_edit.setClearButtonEnabled(True)
        for combo in (self.region_combo, self.category_combo, self.level_combo, self.status_combo):
            combo.currentIndexChanged.connect(self.reload)
        self.search_edit.returnPressed.connect(self.reload)

        filters = QHBoxLayout()
        filters.addWidget(QLabel("区划"))
        filters.addWidget(self.region_combo, 2)
        filters.addWidget(self.category_combo, 1)
        filters.addWidget(self.level_combo, 1)
        filters.addWidget(self.status_combo, 1)
        filters.addWidget(self.search_edit, 2)

        self.new_button = QPushButton("新增资产")
        self.new_button.clicked.connect(self.new_asset)
        self.open_button = QPushButton("打开")
        self.open_button.clicked.connect(self.open_selected)
        self.neglect_button = QPushButton("闲置/失管清单")
        self.neglect_button.clicked.connect(self.show_neglected)
        self.import_button = QPushButton("导入Excel台账")
        self.import_button.clicked.connect(self.import_ledger)
        self.export_button = QPushButton("导出Excel")
        self.export_button.clicked.connect(self.export_ledger)
        self.print_button = QToolButton()
        self.print_button.setText("打印 ▾")
        self.print_button.setMinimumWidth(64)
        self.print_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.print_button)
        self.action_print_ledger = menu.addAction("资产台账（当前区划）", self.print_ledger)
        self.action_print_card = menu.addAction("资产登记卡（选中资产）", self.print_card)
        self.action_print_handover = menu.addAction("资产移交书（选中资产）", self.print_handover)
        self.print_button.setMenu(menu)
        fit_menu_button(self.print_button)
        actions = QHBoxLayout()
        for w in (self.new_button, self.open_button, self.neglect_button, self.import_button,
                  self.export_button, self.print_button):
            actions.addWidget(w)
        actions.addStretch(1)

        self.model = LedgerModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((118, 200, 52, 90, 64, 64, 64, 44, 100, 100, 60, 150, 60, 140, 90)):
            self.table.setColumnWidth(col, width)
        fit_code_columns(self.table, CODE_COLUMNS)
        fit_headers(self.table)
        self.table.doubleClicked.connect(lambda index: self.open_asset(self.model.rows[index.row()].id))

        self.totals_label = QLabel()
        self.totals_label.setObjectName("assetTotals")
        self.totals_label.setWordWrap(True)
        self.totals_label.setTextFormat(Qt.TextFormat.RichText)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(title)
        layout.addLayout(filters)
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.totals_label)
        self._load_regions()
        self.reload()

    # -- data ----------------------------------------------------------------------------------

    def _load_regions(self) -> None:
        with self.db.session() as s:
            regions = svc.regions_for_filter(s)
        self.region_combo.blockSignals(True)
        self.region_combo.clear()
        self.region_combo.addItem("全部区划", None)
        indent = {"county": "", "township": "　", "village": "　　"}
        for code, name, level in regions:
            self.region_combo.addItem(f"{indent.get(level, '')}{name}", code)
        self.region_combo.blockSignals(False)

    def current_filter(self) -> svc.LedgerFilter:
        return svc.LedgerFilter(
            region_code=self.region_combo.currentData(),
            category=self.category_combo.code(),
            ownership_level=self.level_combo.code(),
            status=self.status_combo.code(),
            text=self.search_edit.text().strip() or None,
        )

    def reload(self) -> None:
        flt = self.current_filter()
        with self.db.session() as s:
            rows = svc.ledger_rows(s, flt)
            totals = svc.ledger_totals(s, flt)
        self.model.set_rows(rows)
        fit_to_contents(self.table, 1, maximum=NAME_MAX)
        self.totals_label.setText(self._totals_html(totals))

    def refresh(self) -> None:
        """Called by the main window each time the page is shown."""
        region = self.region_combo.currentData()
        self._load_regions()
        index = self.region_combo.findData(region)
        self.region_combo.setCurrentIndex(max(0, index))
        self.reload()

    @staticmethod
    def _totals_html(t: svc.LedgerTotals) -> str:
        def part(title: str, items) -> str:
            return f"<b>{title}</b>：" + "；".join(
                f"{label} {v.count} 项 {money(v.original)} 元" for label, v in items if v.count
            ) if any(v.count for _l, v in items) else ""

        cats = [(label_of("asset_category", c), v) for c, v in t.by_category.items()]
        levels = [(f"确权到{label_of('ownership_level', c)}", v) for c, v in t.by_level.items()]
        head = f"<b>合计 {t.all.count} 项</b>，资产原值 <b>{money(t.all.original)}</b> 元，账面价值 {money(t.all.book)} 元"
        lines = [head, part("按类别", cats), part("按确权层级", levels)]
        return "<br>".join(x for x in lines if x)

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.rows[rows[0].row()].id

    # -- actions ---------------------------------------------------------------------------------

    def _show_dialog(self, dialog: QWidget) -> None:
        self._dialogs = [d for d in self._dialogs if d.isVisible()]
        self._dialogs.append(dialog)
        dialog.finished.connect(lambda _r: self.reload())  # type: ignore[attr-defined]
        dialog.show()

    def new_asset(self) -> None:
        from fupin_desktop.ui.assets.dialog import AssetDialog

        self._show_dialog(AssetDialog(self.db, None, self, region_code=self.region_combo.currentData()))

    def open_asset(self, asset_id: int) -> None:
        from fupin_desktop.ui.assets.dialog import AssetDialog

        self.asset_opened.emit(asset_id)
        self._show_dialog(AssetDialog(self.db, asset_id, self))

    def open_selected(self) -> None:
        asset_id = self.selected_id()
        if asset_id is None:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.information(self, "资产台账", "请先在列表中选中一项资产。")
            return
        self.open_asset(asset_id)

    def show_neglected(self) -> None:
        from fupin_desktop.ui.assets.neglect import NeglectDialog

        self._show_dialog(NeglectDialog(self.db, self.region_combo.currentData(), self))

    def export_ledger(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "导出资产台账", "资产台账.xlsx", "Excel 文件 (*.xlsx)")
        if not path:
            return
        self.export_to(Path(path))

    def export_to(self, path: Path) -> BackgroundOp:
        from fupin_desktop.services import asset_exchange

        region = self.region_combo.currentData()
        op = BackgroundOp(
            self,
            lambda progress, cancelled: asset_exchange.export_ledger(
                self.db, path, region_code=region, progress=progress, cancel=cancelled),
            title="导出资产台账", label="正在导出…",
        )
        op.success(lambda n: self.window().statusBar().showMessage(f"已导出 {n} 项资产到 {path}", 8000)
                   if hasattr(self.window(), "statusBar") else None)
        return op.start()

    def import_ledger(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "导入资产台账", "", "表格文件 (*.xlsx *.xls *.csv)")
        if not path:
            return
        from fupin_desktop.ui.assets.importer import ImportReviewDialog

        self._show_dialog(ImportReviewDialog(self.db, Path(path), self))

    def print_ledger(self) -> BackgroundOp | None:
        region = self.region_combo.currentData()
        if region is None:
            with self.db.session() as s:
                regions = svc.regions_for_filter(s)
            region = next((c for c, _n, lvl in regions if lvl == "county"), None)
            if region is None:
                from PySide6.QtWidgets import QMessageBox

                QMessageBox.information(self, "打印资产台账", "请先选择一个区划。")
                return None
        flt = self.current_filter()
        db = self.db

        def work(path, _progress, _cancelled):
            from fupin_desktop.printing import asset_forms

            with db.session() as s:
                return asset_forms.render_ledger(s, region, path, flt)

        return print_and_preview(self, "资产台账", work, save_name="资产台账.pdf", cancellable=False)

    def print_handover(self) -> BackgroundOp | None:
        """The 移交书 of the hand-over that formed the selected asset (all its assets)."""
        asset_id = self.selected_id()
        if asset_id is None:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.information(self, "打印资产移交书", "请先在列表中选中一项资产。")
            return None
        from fupin_desktop.services import printing

        db = self.db
        return print_and_preview(self, "资产移交书",
                                 lambda path, _p, _c: printing.print_handover(db, asset_id, path),
                                 save_name="资产移交书.pdf", cancellable=False)

    def print_card(self) -> Path | None:
        asset_id = self.selected_id()
        if asset_id is None:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.information(self, "打印资产登记卡", "请先在列表中选中一项资产。")
            return None
        from fupin_desktop.printing import asset_forms

        row = self.model.rows[self.table.selectionModel().selectedRows()[0].row()]
        return print_form(self, self.db, f"资产登记卡 {row.asset_no}",
                          lambda s, path: asset_forms.render_card(s, asset_id, path))
