"""The 资产移交 dialog: a finished project hands over the assets it formed.

The clerk lists the assets (one row each: name, class and subtype from the code lists, owner
level, owner or household, amount — by fund source or just the total —, quantity, unit,
location), the 移交日期 and the 移交文书号. The project's funds, what earlier hand-overs used
and what this one leaves are shown as the rows are typed. ``assets.hand_over_project`` does
the work; its refusals (state, funds, document number …) are shown in red inside the dialog,
which stays open so the clerk can correct and retry.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from fupin_desktop.codes import label_of
from fupin_desktop.db import Database
from fupin_desktop.errors import UserError
from fupin_desktop.models.region import LEVEL_VILLAGE, level_of_code
from fupin_desktop.services import assets as asset_svc
from fupin_desktop.services import projects as svc
from fupin_desktop.ui.assets.common import CodeCombo
from fupin_desktop.ui.projects.widgets import date_edit, error_label, from_qdate, ok_cancel, yuan

# Columns of the asset table.
(C_NAME, C_CATEGORY, C_SUBTYPE, C_LEVEL, C_OWNER, C_HOUSEHOLD, C_AMOUNT, C_FUNDS, C_QTY, C_UNIT,
 C_LOCATION) = range(11)  # fmt: skip
HEADERS = ("资产名称*", "资产类别*", "资产类型", "确权层级*", "所有权人", "所属农户（到户）",
           "金额(元)*", "资金来源及金额", "数量", "单位", "建设地点")  # fmt: skip
WIDTHS = (150, 96, 110, 64, 130, 150, 90, 180, 50, 46, 120)


class HandoverDialog(QDialog):
    """资产移交 for one project. Emits ``handed_over(project_id, asset_ids)`` on success."""

    handed_over = Signal(int, list)

    def __init__(self, db: Database, project_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.project_id = project_id
        self.created_ids: list[int] = []
        self.setWindowTitle("资产移交")
        self.setObjectName("handoverDialog")
        self.resize(1240, 560)
        with db.session() as s:
            self.balance = asset_svc.handover_balance(s, project_id)
            region = svc.region_name(s, self.balance.region_code)
            self.households = asset_svc.households_in(s, self.balance.region_code, limit=2000)
        b = self.balance

        layout = QVBoxLayout(self)
        head = QLabel(
            f"<b>{b.name}</b>　{b.project_no or ''}<br>"
            f"{b.year} 年度　{region}　当前状态：<b>{svc.status_label(b.status)}</b>"
        )
        head.setWordWrap(True)
        layout.addWidget(head)
        self.funds_label = QLabel()
        self.funds_label.setObjectName("handoverFunds")
        self.funds_label.setWordWrap(True)
        self.funds_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.funds_label)

        form = QGridLayout()
        self.date = date_edit()
        self.doc_no = QLineEdit()
        self.doc_no.setPlaceholderText(svc.STEP_EVIDENCE[svc.HANDED_OVER] + "，如：城关移交〔2024〕5号")
        self.actor = QLineEdit()
        self.actor.setPlaceholderText("移交单位或经办人（可不填）")
        form.addWidget(QLabel("移交日期 *"), 0, 0)
        form.addWidget(self.date, 0, 1)
        form.addWidget(QLabel("移交文书号 *"), 0, 2)
        form.addWidget(self.doc_no, 0, 3)
        form.addWidget(QLabel("经办"), 0, 4)
        form.addWidget(self.actor, 0, 5)
        form.setColumnStretch(3, 2)
        form.setColumnStretch(5, 1)
        layout.addLayout(form)

        self.table = QTableWidget(0, len(HEADERS))
        self.table.setObjectName("handoverAssets")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().setVisible(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate(WIDTHS):
            self.table.setColumnWidth(column, width)
        header.setStretchLastSection(True)
        self.table.verticalHeader().setDefaultSectionSize(28)
        layout.addWidget(self.table, 1)

        row_buttons = QHBoxLayout()
        self.add_button = QPushButton("添加一项资产")
        self.remove_button = QPushButton("删除所选")
        self.fill_button = QPushButton("所选行填入剩余金额")
        self.add_button.clicked.connect(lambda: self.add_row())
        self.remove_button.clicked.connect(self.remove_selected)
        self.fill_button.clicked.connect(self.fill_remaining)
        for button in (self.add_button, self.remove_button, self.fill_button):
            row_buttons.addWidget(button)
        hint = QLabel("资金来源可不填：按项目尚未移交的各来源资金比例分摊。写法：衔接资金 300000；社会捐赠 20000")
        hint.setStyleSheet("color:#5a6678")
        row_buttons.addWidget(hint, 1)
        layout.addLayout(row_buttons)

        self.sum_label = QLabel()
        self.sum_label.setObjectName("handoverSum")
        layout.addWidget(self.sum_label)
        self.error_label = error_label("handoverError")
        layout.addWidget(self.error_label)

        self.buttons = ok_cancel("确定移交")
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self._show_funds()
        first = self.add_row()
        if b.remaining > 0:
            self._cell(first, C_AMOUNT).setText(f"{b.remaining:.2f}")
        if b.scale_quantity is not None and b.used == 0:
            self._cell(first, C_QTY).setText(f"{b.scale_quantity.normalize():f}")
            self._cell(first, C_UNIT).setText(b.scale_unit or "")
        if b.blocked:
            self.show_error(b.blocked)
            self.ok_button.setEnabled(False)
        self._update_sum()

    # ------------------------------------------------------------------ rows
    def _cell(self, row: int, column: int):
        return self.table.cellWidget(row, column)

    def add_row(self) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        name = QLineEdit()
        name.setPlaceholderText("如：蔬菜大棚")
        category = CodeCombo("asset_category", blank=None)
        subtype = CodeCombo("asset_subtype", blank="")
        level = CodeCombo("ownership_level", blank=None)
        owner = QLineEdit()
        owner.setPlaceholderText("不填按层级自动")
        household = QComboBox()
        household.addItem("", None)
        for hid, head, extra in self.households:
            household.addItem(f"{head}（{extra}）", hid)
        amount = QLineEdit()
        amount.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        funds = QLineEdit()
        funds.setPlaceholderText("不填按比例分摊")
        quantity = QLineEdit()
        unit = QLineEdit()
        location = QLineEdit(self.balance.location or "")
        widgets = (name, category, subtype, level, owner, household, amount, funds, quantity, unit, location)
        for column, widget in enumerate(widgets):
            self.table.setCellWidget(row, column, widget)
        village = level_of_code(self.balance.region_code) == LEVEL_VILLAGE
        level.set_code(asset_svc.LEVEL_CODE_VILLAGE if village else asset_svc.LEVEL_CODE_TOWNSHIP)
        category.set_code(asset_svc.CATEGORY_PUBLIC)

        def category_changed() -> None:
            subtype.reload(category.code())
            if category.code() == asset_svc.CATEGORY_HOUSEHOLD:
                level.set_code(asset_svc.LEVEL_CODE_HOUSEHOLD)
            level_changed()

        def level_changed() -> None:
            to_household = level.code() == asset_svc.LEVEL_CODE_HOUSEHOLD
            household.setEnabled(to_household)
            owner.setEnabled(not to_household)
            if not to_household:
                household.setCurrentIndex(0)

        category.currentIndexChanged.connect(category_changed)
        level.currentIndexChanged.connect(level_changed)
        amount.textChanged.connect(self._update_sum)
        funds.textChanged.connect(self._update_sum)
        category_changed()
        self.table.selectRow(row)
        return row

    def remove_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self.table.removeRow(rows[0].row())
            self._update_sum()

    def fill_remaining(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        row = rows[0].row() if rows else self.table.rowCount() - 1
        if row < 0:
            return
        others = sum((v for r, v in self._amounts() if r != row), Decimal("0"))
        rest = self.balance.remaining - others
        if rest > 0:
            self._cell(row, C_AMOUNT).setText(f"{rest:.2f}")

    def _amounts(self) -> list[tuple[int, Decimal]]:
        out = []
        for row in range(self.table.rowCount()):
            try:
                value = asset_svc.parse_money(self._cell(row, C_AMOUNT).text(), "金额")
            except UserError:
                continue
            if value is not None:
                out.append((row, value))
        return out

    # ------------------------------------------------------------------ funds shown
    def _show_funds(self) -> None:
        b = self.balance
        sources = "；".join(f"{label_of('fund_source', s)} {yuan(a)}" for s, a in b.by_source.items())
        text = f"项目资金 <b>{yuan(b.total)}</b> 元" + (f"（{sources}）" if sources else "")
        if b.used:
            text += f"，此前已移交 {yuan(b.used)} 元"
        left = "；".join(
            f"{label_of('fund_source', s)} {yuan(a)}" for s, a in b.remaining_by_source.items() if a > 0
        )
        text += f"<br>尚未移交 <b>{yuan(b.remaining)}</b> 元" + (f"（{left}）" if left else "")
        self.funds_label.setText(text)

    def _update_sum(self) -> None:
        total = sum((v for _r, v in self._amounts()), Decimal("0"))
        rest = self.balance.remaining - total
        text = f"本次移交 {self.table.rowCount()} 项，合计 <b>{yuan(total)}</b> 元；移交后剩余 <b>{yuan(rest)}</b> 元"
        if rest < 0:
            text += "　<span style='color:#b3261e'>（超过项目尚未移交的资金）</span>"
        self.sum_label.setText(text)

    # ------------------------------------------------------------------ submit
    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()

    def splits(self) -> list[asset_svc.AssetSplit]:
        """The filled rows as AssetSplits; blank rows are skipped. UserError names the row."""
        out = []
        for row in range(self.table.rowCount()):
            texts = [self._cell(row, c).text().strip() for c in (C_NAME, C_AMOUNT, C_FUNDS, C_OWNER)]
            if not any(texts):
                continue
            n = row + 1
            name, amount_text, funds_text, owner = texts
            if not name:
                raise UserError(f"第 {n} 行没有填写资产名称。")
            amount = asset_svc.parse_money(amount_text, f"第 {n} 行“{name}”的金额", required=True)
            try:
                fundings = asset_svc.parse_fundings(funds_text, amount)
            except UserError as err:
                raise UserError(f"第 {n} 行“{name}”：{err}") from err
            level = self._cell(row, C_LEVEL).code()
            household_id = self._cell(row, C_HOUSEHOLD).currentData()
            if level != asset_svc.LEVEL_CODE_HOUSEHOLD:
                household_id = None
            values: dict[str, object] = {
                "subtype": self._cell(row, C_SUBTYPE).code(),
                "ownership_level": level,
                "quantity": self._cell(row, C_QTY).text(),
                "unit": self._cell(row, C_UNIT).text(),
                "location": self._cell(row, C_LOCATION).text(),
            }
            if owner and level != asset_svc.LEVEL_CODE_HOUSEHOLD:
                values["owner_name"] = owner
            if household_id is not None:
                values["owner_name"] = self._cell(row, C_HOUSEHOLD).currentText().split("（")[0]
            out.append(
                asset_svc.AssetSplit(name, self._cell(row, C_CATEGORY).code(), amount, fundings,
                                     household_id=household_id, values=values)  # fmt: skip
            )
        if not out:
            raise UserError("请至少填写一项移交形成的资产（资产名称和金额）。")
        return out

    def submit(self) -> None:
        self.error_label.hide()
        try:
            splits = self.splits()
            with self.db.session() as s:
                made = asset_svc.hand_over_project(
                    s, self.project_id, splits, handed_over_on=from_qdate(self.date.date()),
                    handover_doc=self.doc_no.text(), actor=self.actor.text(),
                )  # fmt: skip
                self.created_ids = [a.id for a in made]
        except UserError as err:
            self.show_error(str(err))
            return
        self.handed_over.emit(self.project_id, self.created_ids)
        self.accept()
