"""闲置/失管清单: assets idle, or without upkeep or inspection, for a chosen number of months."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fupin_desktop.codes import label_of
from fupin_desktop.db import Database
from fupin_desktop.services import assets as svc


class NeglectDialog(QDialog):
    HEADERS = ["资产编号", "资产名称", "状态", "问题", "最近管护", "管护主体", "管护责任人"]

    def __init__(self, db: Database, region_code: str | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.region_code = region_code
        self.setWindowTitle("闲置、失管资产清单")
        self.resize(900, 480)
        self.months = QSpinBox()
        self.months.setRange(1, 120)
        self.months.setValue(12)
        self.months.setSuffix(" 个月")
        self.months.valueChanged.connect(self.reload)
        self.count_label = QLabel()
        top = QHBoxLayout()
        top.addWidget(QLabel("闲置或无管护记录超过"))
        top.addWidget(self.months)
        top.addStretch(1)
        top.addWidget(self.count_label)
        self.table = QTableWidget(0, len(self.HEADERS))
        self.table.setHorizontalHeaderLabels(self.HEADERS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        for col, width in enumerate((120, 220, 70, 220, 90, 150)):
            self.table.setColumnWidth(col, width)
        self.table.cellDoubleClicked.connect(self._open)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        hint = QLabel("双击一行打开该资产，登记管护记录或调整状态。")
        hint.setStyleSheet("color:#666")
        layout.addWidget(hint)
        layout.addWidget(buttons)
        self.rows: list[svc.NeglectRow] = []
        self.reload()

    def reload(self) -> None:
        with self.db.session() as s:
            self.rows = svc.neglected_assets(s, months=self.months.value(), region_code=self.region_code)
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            values = (row.asset_no, row.name, label_of("asset_status", row.status), row.reason,
                      row.last_care or "无", row.custodian or "", row.custodian_person or "")
            for c, value in enumerate(values):
                item = QTableWidgetItem(str(value))
                item.setToolTip(str(value))  # names and reasons may be wider than the column
                self.table.setItem(r, c, item)
        self.count_label.setText(f"共 {len(self.rows)} 项")

    def _open(self, row: int, _col: int) -> None:
        from fupin_desktop.ui.assets.dialog import AssetDialog

        dialog = AssetDialog(self.db, self.rows[row].asset_id, self)
        dialog.finished.connect(lambda _r: self.reload())
        dialog.show()
