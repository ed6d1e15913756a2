"""The asset dialog: tabs 登记, 权属, 运行与收益, 分配, 管护, 处置.

登记 and 权属 are saved together with 「保存登记信息」; everything on the other tabs is its own
action (an income, a distribution plan, an upkeep record, one approval step) and is saved at
once, each in one session, through the asset service.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from fupin_desktop.codes import label_of
from fupin_desktop.db import Database
from fupin_desktop.errors import UserError
from fupin_desktop.services import assets as svc
from fupin_desktop.ui.assets.common import (
    CodeCombo,
    OptionalDateEdit,
    guarded,
    money,
    print_form,
    text_or_blank,
)
from fupin_desktop.ui.widgets.columns import fit_code_columns

D = Decimal


def _table(headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.verticalHeader().setVisible(False)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    t.horizontalHeader().setDefaultSectionSize(100)
    t.horizontalHeader().setStretchLastSection(True)
    t.verticalHeader().setDefaultSectionSize(24)
    return t


def _item(text: object, data: object = None, right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text_or_blank(text))
    if not right:
        item.setToolTip(item.text())  # names and notes: whole on hover when the column is narrow
    if data is not None:
        item.setData(Qt.ItemDataRole.UserRole, data)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _selected_data(table: QTableWidget) -> object:
    rows = table.selectionModel().selectedRows()
    if not rows:
        return None
    return table.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)


class AssetDialog(QDialog):
    def __init__(self, db: Database, asset_id: int | None, parent: QWidget | None = None,
                 *, region_code: str | None = None):
        super().__init__(parent)
        self.db = db
        self.asset_id = asset_id
        self.setWindowTitle("新增资产" if asset_id is None else "资产")
        self.setObjectName("assetDialog")
        self.resize(920, 640)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_register(), "登记")
        self.tabs.addTab(self._build_rights(), "权属")
        self.tabs.addTab(self._build_operation(), "运行与收益")
        self.tabs.addTab(self._build_distribution(), "分配")
        self.tabs.addTab(self._build_care(), "管护")
        self.tabs.addTab(self._build_disposal(), "处置")
        self.save_button = QPushButton("保存登记信息")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save_registration)
        self.status_label = QLabel()
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        close.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status_label, 1)
        bottom.addWidget(self.save_button)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addLayout(bottom)
        # 登记 and 权属 are saved together; the other tabs save each action at once.
        self.tabs.currentChanged.connect(lambda i: self.save_button.setVisible(i in (0, 1)))
        self._load_regions(region_code)
        self.load()

    # -- building the tabs ------------------------------------------------------------------------

    def _build_register(self) -> QWidget:
        w = QWidget()
        form = QGridLayout(w)
        self.no_label = QLabel("保存时自动编号")
        self.name_edit = QLineEdit()
        self.category_combo = CodeCombo("asset_category", blank=None)
        self.subtype_combo = CodeCombo("asset_subtype", blank="")
        self.category_combo.currentIndexChanged.connect(self._category_changed)
        self.year_spin = QSpinBox()
        self.year_spin.setRange(0, 2100)
        self.year_spin.setSpecialValueText("未填")
        self.region_combo = QComboBox()
        self.region_combo.currentIndexChanged.connect(self._region_changed)
        self.location_edit = QLineEdit()
        self.quantity_edit = QLineEdit()
        self.unit_edit = QLineEdit()
        self.formed_date = OptionalDateEdit()
        self.original_edit = QLineEdit()
        self.book_edit = QLineEdit()
        self.funding_edit = QLineEdit()
        self.funding_edit.setPlaceholderText("如：衔接资金 300000；社会捐赠 20000（只有一种来源时可只写名称）")
        self.registered_date = OptionalDateEdit()
        self.handed_date = OptionalDateEdit()
        self.handover_doc_edit = QLineEdit()
        self.beneficiaries_edit = QLineEdit()
        self.note_edit = QLineEdit()
        self.project_label = QLabel("（直接登记）")
        pairs = [
            ("资产编号", self.no_label, "来源项目", self.project_label),
            ("资产名称*", self.name_edit, "项目年度", self.year_spin),
            ("资产类别*", self.category_combo, "资产类型", self.subtype_combo),
            ("所在区划*", self.region_combo, "建设地点", self.location_edit),
            ("建设规模", self.quantity_edit, "计量单位", self.unit_edit),
            ("形成时间", self.formed_date, "确权登记日期", self.registered_date),
            ("资产原值(元)*", self.original_edit, "账面价值(元)", self.book_edit),
            ("移交日期", self.handed_date, "移交文书号", self.handover_doc_edit),
            ("收益对象", self.beneficiaries_edit, "备注", self.note_edit),
        ]
        for row, (l1, w1, l2, w2) in enumerate(pairs):
            form.addWidget(QLabel(l1), row, 0)
            form.addWidget(w1, row, 1)
            form.addWidget(QLabel(l2), row, 2)
            form.addWidget(w2, row, 3)
        form.addWidget(QLabel("资金来源及金额*"), len(pairs), 0)
        form.addWidget(self.funding_edit, len(pairs), 1, 1, 3)
        hint = QLabel("范围：2013年以来由财政衔接（扶贫）等资金形成的资产；资金来源合计须等于资产原值。")
        hint.setWordWrap(True)
        hint.setStyleSheet("color:#666")
        form.addWidget(hint, len(pairs) + 1, 0, 1, 4)
        form.setColumnStretch(1, 1)
        form.setColumnStretch(3, 1)
        form.setRowStretch(len(pairs) + 2, 1)
        return w

    def _build_rights(self) -> QWidget:
        w = QWidget()
        form = QFormLayout(w)
        self.level_combo = CodeCombo("ownership_level", blank=None)
        self.level_combo.currentIndexChanged.connect(self._level_changed)
        self.owner_edit = QLineEdit()
        self.household_combo = QComboBox()
        self.household_combo.setEditable(False)
        form.addRow("确权层级*", self.level_combo)
        form.addRow("所有权人", self.owner_edit)
        form.addRow("所属农户（到户类）", self.household_combo)
        self.rights_edits: dict[str, QLineEdit] = {}
        for attr, label in (("ownership_holder", "所有权"), ("operation_holder", "经营权"),
                            ("income_holder", "收益权"), ("distribution_holder", "分配权"),
                            ("disposal_holder", "处置权"), ("supervision_holder", "监督权")):
            edit = QLineEdit()
            edit.setPlaceholderText("留空则与所有权人相同" if attr != "supervision_holder" else "留空则为所在乡镇人民政府")
            self.rights_edits[attr] = edit
            form.addRow(f"{label}人", edit)
        return w

    def _build_operation(self) -> QWidget:
        w = QWidget()
        layout = QVBoxLayout(w)
        box = QGroupBox("经营信息")
        grid = QGridLayout(box)
        self.mode_combo = CodeCombo("operation_mode", blank="")
        self.operator_edit = QLineEdit()
        self.contract_start = OptionalDateEdit()
        self.contract_end = OptionalDateEdit()
        self.save_operation_button = QPushButton("保存经营信息")
        self.save_operation_button.clicked.connect(self.save_operation)
        grid.addWidget(QLabel("经营方式"), 0, 0)
        grid.addWidget(self.mode_combo, 0, 1)
        grid.addWidget(QLabel("经营主体"), 0, 2)
        grid.addWidget(self.operator_edit, 0, 3)
        grid.addWidget(QLabel("合同起始"), 1, 0)
        grid.addWidget(self.contract_start, 1, 1)
        grid.addWidget(QLabel("合同截止"), 1, 2)
        grid.addWidget(self.contract_end, 1, 3)
        grid.addWidget(self.save_operation_button, 1, 4)
        grid.setColumnStretch(3, 1)
        layout.addWidget(box)
        box = QGroupBox("年度收益")
        v = QVBoxLayout(box)
        self.income_table = _table(["年度", "收益金额(元)", "来源", "到账日期", "付款方", "已分配(元)"])
        v.addWidget(self.income_table)
        row = QHBoxLayout()
        self.income_year = QSpinBox()
        self.income_year.setRange(svc.SCOPE_FIRST_YEAR, 2100)
        self.income_year.setValue(dt.date.today().year)
        self.income_amount = QLineEdit()
        self.income_amount.setPlaceholderText("金额（元）")
        self.income_kind = QComboBox()
        self.income_kind.addItems(svc.INCOME_KINDS)
        self.income_kind.setEditable(True)
        self.income_received = OptionalDateEdit()
        self.income_payer = QLineEdit()
        self.income_payer.setPlaceholderText("付款方")
        self.add_income_button = QPushButton("登记收益")
        self.add_income_button.clicked.connect(self.add_income)
        self.delete_income_button = QPushButton("删除选中")
        self.delete_income_button.clicked.connect(self.delete_income)
        for x in (QLabel("年度"), self.income_year, self.income_amount, self.income_kind, QLabel("到账"),
                  self.income_received, self.income_payer, self.add_income_button, self.delete_income_button):
            row.addWidget(x)
        v.addLayout(row)
        layout.addWidget(box, 1)
        return w

    def _build_distribution(self) -> QWidget:
        w = QWidget()
        layout = QVBoxLayout(w)
        top = QHBoxLayout()
        self.dist_income_combo = QComboBox()
        self.dist_income_combo.currentIndexChanged.connect(self._load_distribution)
        top.addWidget(QLabel("收益"))
        top.addWidget(self.dist_income_combo, 1)
        self.pct = {}
        for key, label, default in (("collective", "村集体%", 20), ("jobs", "公益岗位%", 10), ("cause", "公益事业%", 10)):
            spin = QDoubleSpinBox()
            spin.setRange(0, 100)
            spin.setDecimals(0)
            spin.setValue(default)
            self.pct[key] = spin
            top.addWidget(QLabel(label))
            top.addWidget(spin)
        self.suggest_button = QPushButton("建议分配")
        self.suggest_button.setToolTip("脱贫户、监测户优先，无劳动力户按两份；零头留村集体")
        self.suggest_button.clicked.connect(self.suggest)
        top.addWidget(self.suggest_button)
        layout.addLayout(top)
        self.dist_table = QTableWidget(0, 5)
        self.dist_table.setHorizontalHeaderLabels(["分配对象类型", "对象名称（户主）", "金额(元)", "分配依据", ""])
        self.dist_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.dist_table.horizontalHeader().setStretchLastSection(True)
        self.dist_table.setColumnWidth(0, 110)
        self.dist_table.setColumnWidth(1, 190)
        self.dist_table.setColumnWidth(2, 110)
        self.dist_table.setColumnWidth(3, 320)
        fit_code_columns(self.dist_table, {0: "recipient_type"})
        self.dist_table.verticalHeader().setVisible(False)
        self.dist_table.verticalHeader().setDefaultSectionSize(24)
        self.dist_table.itemChanged.connect(lambda _i: self._update_sum())
        layout.addWidget(self.dist_table, 1)
        row = QHBoxLayout()
        self.add_household_combo = QComboBox()
        self.add_household_combo.setMinimumContentsLength(14)
        self.add_household_button = QPushButton("添加农户")
        self.add_household_button.clicked.connect(self.add_household_row)
        self.add_other_combo = CodeCombo("recipient_type", blank=None)
        self.add_other_button = QPushButton("添加其他对象")
        self.add_other_button.clicked.connect(lambda: self._add_share_row(svc.Share(self.add_other_combo.code() or "02", D(0))))
        self.remove_row_button = QPushButton("删除行")
        self.remove_row_button.clicked.connect(self._remove_share_row)
        for x in (self.add_household_combo, self.add_household_button, self.add_other_combo,
                  self.add_other_button, self.remove_row_button):
            row.addWidget(x)
        row.addStretch(1)
        layout.addLayout(row)
        row = QHBoxLayout()
        self.sum_label = QLabel()
        self.approved_date = OptionalDateEdit()
        self.posted_date = OptionalDateEdit()
        self.save_dist_button = QPushButton("保存分配方案")
        self.save_dist_button.clicked.connect(self.save_distribution)
        self.print_notice_button = QPushButton("打印公示表")
        self.print_notice_button.clicked.connect(self.print_notice)
        row.addWidget(self.sum_label, 1)
        row.addWidget(QLabel("审批日期"))
        row.addWidget(self.approved_date)
        row.addWidget(QLabel("公示日期"))
        row.addWidget(self.posted_date)
        row.addWidget(self.save_dist_button)
        row.addWidget(self.print_notice_button)
        layout.addLayout(row)
        return w

    def _build_care(self) -> QWidget:
        w = QWidget()
        layout = QVBoxLayout(w)
        box = QGroupBox("管护责任")
        grid = QGridLayout(box)
        self.custodian_edit = QLineEdit()
        self.custodian_person_edit = QLineEdit()
        self.custodian_phone_edit = QLineEdit()
        self.custody_rule_edit = QLineEdit()
        self.save_custodian_button = QPushButton("保存管护责任")
        self.save_custodian_button.clicked.connect(self.save_custodian)
        for i, (label, edit) in enumerate((("管护主体", self.custodian_edit), ("管护责任人", self.custodian_person_edit),
                                           ("联系电话", self.custodian_phone_edit), ("管护制度", self.custody_rule_edit))):
            grid.addWidget(QLabel(label), i // 2, (i % 2) * 2)
            grid.addWidget(edit, i // 2, (i % 2) * 2 + 1)
        grid.addWidget(self.save_custodian_button, 2, 3, alignment=Qt.AlignmentFlag.AlignRight)
        layout.addWidget(box)
        box = QGroupBox("资产状态")
        row = QHBoxLayout(box)
        self.state_combo = QComboBox()
        for code in svc.CLERK_STATUSES:
            self.state_combo.addItem(label_of("asset_status", code), code)
        self.state_date = OptionalDateEdit()
        self.state_date.set_value(dt.date.today())
        self.set_state_button = QPushButton("设置状态")
        self.set_state_button.clicked.connect(self.set_state)
        self.current_state_label = QLabel()
        for x in (self.current_state_label, QLabel("改为"), self.state_combo, QLabel("日期"), self.state_date, self.set_state_button):
            row.addWidget(x)
        row.addStretch(1)
        layout.addWidget(box)
        box = QGroupBox("维护与巡查记录")
        v = QVBoxLayout(box)
        self.care_table = _table(["日期", "类型", "费用(元)", "责任人", "内容"])
        v.addWidget(self.care_table)
        row = QHBoxLayout()
        self.care_kind = CodeCombo("maintenance_kind", blank=None)
        self.care_date = OptionalDateEdit()
        self.care_date.set_value(dt.date.today())
        self.care_content = QLineEdit()
        self.care_content.setPlaceholderText("做了什么（如：更换棚膜、汛前巡查）")
        self.care_cost = QLineEdit()
        self.care_cost.setPlaceholderText("费用（元）")
        self.care_cost.setMaximumWidth(100)
        self.care_person = QLineEdit()
        self.care_person.setPlaceholderText("责任人")
        self.care_person.setMaximumWidth(90)
        self.add_care_button = QPushButton("登记")
        self.add_care_button.clicked.connect(self.add_care)
        self.delete_care_button = QPushButton("删除选中")
        self.delete_care_button.clicked.connect(self.delete_care)
        for x in (self.care_kind, self.care_date, self.care_content, self.care_cost, self.care_person,
                  self.add_care_button, self.delete_care_button):
            row.addWidget(x)
        v.addLayout(row)
        layout.addWidget(box, 1)
        return w

    def _build_disposal(self) -> QWidget:
        w = QWidget()
        layout = QVBoxLayout(w)
        self.disposal_table = _table(["申请日期", "处置情形", "处置方式", "状态", "村民代表大会", "乡镇审核", "县级审批", "处置日期", "处置收入(元)"])
        self.disposal_table.itemSelectionChanged.connect(self._disposal_selected)
        layout.addWidget(self.disposal_table, 1)
        box = QGroupBox("提出处置申请")
        grid = QGridLayout(box)
        self.trigger_combo = CodeCombo("disposal_trigger", blank=None)
        self.method_combo = CodeCombo("disposal_method", blank=None)
        self.request_date = OptionalDateEdit()
        self.request_date.set_value(dt.date.today())
        self.reason_edit = QLineEdit()
        self.request_button = QPushButton("提交申请")
        self.request_button.clicked.connect(self.request_disposal)
        grid.addWidget(QLabel("处置情形"), 0, 0)
        grid.addWidget(self.trigger_combo, 0, 1)
        grid.addWidget(QLabel("处置方式"), 0, 2)
        grid.addWidget(self.method_combo, 0, 3)
        grid.addWidget(QLabel("申请日期"), 0, 4)
        grid.addWidget(self.request_date, 0, 5)
        grid.addWidget(QLabel("处置理由"), 1, 0)
        grid.addWidget(self.reason_edit, 1, 1, 1, 4)
        grid.addWidget(self.request_button, 1, 5)
        layout.addWidget(box)
        box = QGroupBox("审批（村民代表大会 → 乡镇 → 县级主管部门与财政）")
        grid = QGridLayout(box)
        self.step_label = QLabel("请先在上表选中一份申请。")
        self.step_date = OptionalDateEdit()
        self.step_date.set_value(dt.date.today())
        self.step_doc = QLineEdit()
        self.step_doc.setPlaceholderText("决议名称或批复文号")
        self.step_button = QPushButton("登记审批")
        self.step_button.clicked.connect(self.record_step)
        self.reject_reason = QLineEdit()
        self.reject_reason.setPlaceholderText("驳回理由")
        self.reject_button = QPushButton("驳回")
        self.reject_button.clicked.connect(self.reject_request)
        self.proceeds_edit = QLineEdit()
        self.proceeds_edit.setPlaceholderText("处置收入（元）")
        self.proceeds_use_edit = QLineEdit()
        self.proceeds_use_edit.setPlaceholderText("收入用途")
        self.complete_button = QPushButton("实施处置（核销）")
        self.complete_button.clicked.connect(self.complete)
        self.print_disposal_button = QPushButton("打印处置申请表")
        self.print_disposal_button.clicked.connect(self.print_disposal)
        grid.addWidget(self.step_label, 0, 0, 1, 4)
        grid.addWidget(self.step_date, 1, 0)
        grid.addWidget(self.step_doc, 1, 1, 1, 2)
        grid.addWidget(self.step_button, 1, 3)
        grid.addWidget(self.reject_reason, 2, 0, 1, 3)
        grid.addWidget(self.reject_button, 2, 3)
        grid.addWidget(self.proceeds_edit, 3, 0)
        grid.addWidget(self.proceeds_use_edit, 3, 1, 1, 2)
        grid.addWidget(self.complete_button, 3, 3)
        grid.addWidget(self.print_disposal_button, 4, 3)
        grid.setColumnStretch(1, 1)
        layout.addWidget(box)
        return w

    # -- loading ------------------------------------------------------------------------------------

    def _load_regions(self, preferred: str | None) -> None:
        with self.db.session() as s:
            regions = svc.regions_for_filter(s)
        self.region_combo.blockSignals(True)
        for code, name, level in regions:
            if level in ("township", "village"):
                self.region_combo.addItem(("　" if level == "village" else "") + name, code)
        if preferred:
            i = self.region_combo.findData(preferred)
            if i >= 0:
                self.region_combo.setCurrentIndex(i)
        self.region_combo.blockSignals(False)
        self._region_changed()

    def _region_changed(self) -> None:
        code = self.region_combo.currentData()
        self.household_combo.clear()
        self.household_combo.addItem("", None)
        self.add_household_combo.clear()
        if not code:
            return
        with self.db.session() as s:
            households = svc.households_in(s, code)
            priority = {c.household_id: c for c in svc.priority_households(s, code)}
        for hid, name, extra in households:
            self.household_combo.addItem(f"{name}（{extra}）", hid)
        for hid, c in priority.items():
            self.add_household_combo.addItem(f"{c.head_name}（{c.group_name or ''} {c.kind}{'，无劳动力' if c.no_labour else ''}）", hid)

    def _category_changed(self) -> None:
        self.subtype_combo.reload(self.category_combo.code())
        if self.category_combo.code() == svc.CATEGORY_HOUSEHOLD:
            self.level_combo.set_code(svc.LEVEL_CODE_HOUSEHOLD)

    def _level_changed(self) -> None:
        self.household_combo.setEnabled(self.level_combo.code() == svc.LEVEL_CODE_HOUSEHOLD)

    def load(self) -> None:
        existing = self.asset_id is not None
        for i in range(2, self.tabs.count()):
            self.tabs.setTabEnabled(i, existing)
        if not existing:
            self.category_combo.set_code(svc.CATEGORY_PUBLIC)
            self._category_changed()
            self.level_combo.set_code(svc.LEVEL_CODE_VILLAGE)
            self._level_changed()
            self.status_label.setText("先保存登记信息，再登记收益、管护和处置。")
            return
        with self.db.session() as s:
            a = svc.get_asset(s, self.asset_id)
            project_name = a.project.name if a.project else None
            self._fill(a, project_name)

    def _fill(self, a, project_name: str | None) -> None:
        self.setWindowTitle(f"资产 {a.asset_no} {a.name}")
        self.no_label.setText(a.asset_no)
        self.project_label.setText(project_name or "（直接登记）")
        self.name_edit.setText(a.name)
        self.category_combo.set_code(a.category)
        self._category_changed()
        self.subtype_combo.set_code(a.subtype)
        self.year_spin.setValue(a.project_year or 0)
        i = self.region_combo.findData(a.region_code)
        if i >= 0:
            self.region_combo.setCurrentIndex(i)
        self.location_edit.setText(a.location or "")
        self.quantity_edit.setText(f"{a.quantity.normalize():f}" if a.quantity is not None else "")
        self.unit_edit.setText(a.unit or "")
        self.formed_date.set_value(a.formed_on)
        self.original_edit.setText(f"{a.original_value:.2f}")
        self.book_edit.setText(f"{a.book_value:.2f}" if a.book_value is not None else "")
        self.funding_edit.setText(svc.fundings_text(a.fundings))
        self.registered_date.set_value(a.registered_on)
        self.handed_date.set_value(a.handed_over_on)
        self.handover_doc_edit.setText(a.handover_doc or "")
        self.beneficiaries_edit.setText(a.beneficiaries_note or "")
        self.note_edit.setText(a.note or "")
        self.level_combo.set_code(a.ownership_level)
        self._level_changed()
        self.owner_edit.setText(a.owner_name or "")
        i = self.household_combo.findData(a.household_id)
        self.household_combo.setCurrentIndex(max(0, i))
        for attr, edit in self.rights_edits.items():
            edit.setText(getattr(a, attr) or "")
        # 运行与收益
        self.mode_combo.set_code(a.operation_mode)
        self.operator_edit.setText(a.operator or "")
        self.contract_start.set_value(a.contract_start)
        self.contract_end.set_value(a.contract_end)
        self.income_table.setRowCount(0)
        current_income = self.dist_income_combo.currentData()
        self.dist_income_combo.blockSignals(True)
        self.dist_income_combo.clear()
        for inc in a.incomes:
            r = self.income_table.rowCount()
            self.income_table.insertRow(r)
            shared = sum((d.amount for d in inc.distributions), D(0))
            for c, (text, right) in enumerate(((inc.year, False), (money(inc.amount), True), (inc.source_kind, False),
                                               (inc.received_on, False), (inc.payer, False), (money(shared), True))):
                self.income_table.setItem(r, c, _item(text, inc.id if c == 0 else None, right))
            flag = "已分配" if shared == inc.amount else "未分配"
            self.dist_income_combo.addItem(f"{inc.year}年 {money(inc.amount)} 元 {inc.source_kind or ''}（{flag}）", inc.id)
        self.dist_income_combo.blockSignals(False)
        i = self.dist_income_combo.findData(current_income)
        self.dist_income_combo.setCurrentIndex(i if i >= 0 else self.dist_income_combo.count() - 1)
        self._load_distribution()
        # 管护
        self.custodian_edit.setText(a.custodian or "")
        self.custodian_person_edit.setText(a.custodian_person or "")
        self.custodian_phone_edit.setText(a.custodian_phone or "")
        self.custody_rule_edit.setText(a.custody_rule or "")
        since = f"（{a.status_changed_on} 起）" if a.status_changed_on else ""
        self.current_state_label.setText(f"当前：{label_of('asset_status', a.status)}{since}")
        self.care_table.setRowCount(0)
        for m in sorted(a.maintenance, key=lambda m: m.date, reverse=True):
            r = self.care_table.rowCount()
            self.care_table.insertRow(r)
            for c, (text, right) in enumerate(((m.date, False), (label_of("maintenance_kind", m.kind), False),
                                               (money(m.cost), True), (m.person, False), (m.content, False))):
                self.care_table.setItem(r, c, _item(text, m.id if c == 0 else None, right))
        # 处置
        selected = _selected_data(self.disposal_table)
        self.disposal_table.setRowCount(0)
        for d in a.disposals:
            r = self.disposal_table.rowCount()
            self.disposal_table.insertRow(r)
            values = (d.requested_on, label_of("disposal_trigger", d.trigger), label_of("disposal_method", d.method),
                      label_of("disposal_status", d.status),
                      f"{d.village_resolution_on or ''} {d.village_resolution_doc or ''}".strip(),
                      f"{d.township_approved_on or ''} {d.township_doc or ''}".strip(),
                      f"{d.county_approved_on or ''} {d.county_doc or ''}".strip(),
                      d.disposed_on, money(d.proceeds))
            for c, text in enumerate(values):
                self.disposal_table.setItem(r, c, _item(text, (d.id, d.status) if c == 0 else None))
            if selected and selected[0] == d.id:
                self.disposal_table.selectRow(r)
        if not self.disposal_table.selectionModel().selectedRows() and self.disposal_table.rowCount():
            self.disposal_table.selectRow(self.disposal_table.rowCount() - 1)
        self._disposal_selected()
        disposed = a.status == svc.STATUS_DISPOSED
        for w in (self.save_operation_button, self.add_income_button, self.add_care_button, self.set_state_button,
                  self.request_button, self.save_custodian_button):
            w.setEnabled(not disposed)
        self.status_label.setText("该资产已处置，台账记录保留，只能修改备注。" if disposed else "")

    # -- 登记 / 权属 ------------------------------------------------------------------------------------

    def _registration_values(self) -> dict[str, object]:
        values: dict[str, object] = {
            "name": self.name_edit.text(),
            "category": self.category_combo.code(),
            "subtype": self.subtype_combo.code(),
            "project_year": self.year_spin.value() or None,
            "location": self.location_edit.text(),
            "quantity": self.quantity_edit.text(),
            "unit": self.unit_edit.text(),
            "formed_on": self.formed_date.value(),
            "original_value": self.original_edit.text(),
            "book_value": self.book_edit.text(),
            "registered_on": self.registered_date.value(),
            "handed_over_on": self.handed_date.value(),
            "handover_doc": self.handover_doc_edit.text(),
            "beneficiaries_note": self.beneficiaries_edit.text(),
            "note": self.note_edit.text(),
            "ownership_level": self.level_combo.code(),
            "owner_name": self.owner_edit.text(),
        }
        for attr, edit in self.rights_edits.items():
            values[attr] = edit.text()
        return values

    def save_registration(self) -> bool:
        values = self._registration_values()
        region = self.region_combo.currentData()
        household = self.household_combo.currentData() if self.level_combo.code() == svc.LEVEL_CODE_HOUSEHOLD else None

        def save():
            if not region:
                raise UserError("请选择资产所在区划。")
            original = svc.parse_money(values["original_value"], "资产原值", required=True)
            fundings = svc.parse_fundings(self.funding_edit.text(), original)
            with self.db.session() as s:
                if self.asset_id is None:
                    asset = svc.create_asset(s, values, region_code=region, fundings=fundings, household_id=household)
                else:
                    asset = svc.get_asset(s, self.asset_id)
                    unchanged_funds = svc.fundings_text(asset.fundings) == svc.fundings_text(fundings)
                    asset = svc.update_asset(s, self.asset_id, values, region_code=region,
                                             fundings=None if unchanged_funds else fundings, household_id=household)
                return asset.id, asset.asset_no

        result = guarded(self, save)
        if result is None:
            return False
        self.asset_id = result[0]
        self.load()
        self.status_label.setText(f"已保存，资产编号 {result[1]}。")
        return True

    # -- 运行与收益 ----------------------------------------------------------------------------------

    def _act(self, func, message: str) -> bool:
        def run():
            with self.db.session() as s:
                return func(s)

        ok = guarded(self, run)
        if ok is None:
            return False
        self.load()
        self.status_label.setText(message)
        return True

    def save_operation(self) -> bool:
        return self._act(lambda s: svc.set_operation(
            s, self.asset_id, mode=self.mode_combo.code(), operator=self.operator_edit.text(),
            contract_start=self.contract_start.value(), contract_end=self.contract_end.value()), "经营信息已保存。")

    def add_income(self) -> bool:
        ok = self._act(lambda s: svc.add_income(
            s, self.asset_id, year=self.income_year.value(), amount=self.income_amount.text(),
            source_kind=self.income_kind.currentText(), received_on=self.income_received.value(),
            payer=self.income_payer.text()), "收益已登记，请到“分配”页填写分配方案。")
        if ok:
            self.income_amount.clear()
        return ok

    def delete_income(self) -> None:
        income_id = _selected_data(self.income_table)
        if income_id is None:
            return
        if QMessageBox.question(self, "删除收益", "删除选中的收益记录及其分配方案？") != QMessageBox.StandardButton.Yes:
            return
        self._act(lambda s: svc.delete_income(s, income_id), "收益记录已删除。")

    # -- 分配 -----------------------------------------------------------------------------------------

    def _income_amount(self) -> Decimal | None:
        income_id = self.dist_income_combo.currentData()
        if income_id is None:
            return None
        with self.db.session() as s:
            return svc._get_income(s, income_id).amount

    def _load_distribution(self) -> None:
        self.dist_table.setRowCount(0)
        income_id = self.dist_income_combo.currentData()
        if income_id is not None:
            with self.db.session() as s:
                income = svc._get_income(s, income_id)
                shares = [svc.Share(d.recipient_type, d.amount, d.household_id, d.recipient_name, d.basis)
                          for d in income.distributions]
                approved = max((d.approved_on for d in income.distributions if d.approved_on), default=None)
                posted = max((d.posted_on for d in income.distributions if d.posted_on), default=None)
            for share in shares:
                self._add_share_row(share)
            self.approved_date.set_value(approved)
            self.posted_date.set_value(posted)
        self._update_sum()

    def _add_share_row(self, share: svc.Share) -> None:
        self.dist_table.blockSignals(True)
        r = self.dist_table.rowCount()
        self.dist_table.insertRow(r)
        kind = QTableWidgetItem(label_of("recipient_type", share.recipient_type))
        kind.setData(Qt.ItemDataRole.UserRole, share.recipient_type)
        kind.setFlags(kind.flags() & ~Qt.ItemFlag.ItemIsEditable)
        name = QTableWidgetItem(share.recipient_name or "")
        name.setData(Qt.ItemDataRole.UserRole, share.household_id)
        if share.household_id is not None:
            name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
        amount = QTableWidgetItem(f"{share.amount:.2f}")
        amount.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        basis = QTableWidgetItem(share.basis or "")
        for item in (name, basis):  # free text: whole on hover when the column is narrower
            item.setToolTip(item.text())
        self.dist_table.setItem(r, 0, kind)
        self.dist_table.setItem(r, 1, name)
        self.dist_table.setItem(r, 2, amount)
        self.dist_table.setItem(r, 3, basis)
        self.dist_table.blockSignals(False)
        self._update_sum()

    def _remove_share_row(self) -> None:
        row = self.dist_table.currentRow()
        if row >= 0:
            self.dist_table.removeRow(row)
            self._update_sum()

    def add_household_row(self) -> None:
        hid = self.add_household_combo.currentData()
        if hid is None:
            return
        for r in range(self.dist_table.rowCount()):
            if self.dist_table.item(r, 1).data(Qt.ItemDataRole.UserRole) == hid:
                self.dist_table.selectRow(r)
                return
        name = self.add_household_combo.currentText().split("（")[0]
        self._add_share_row(svc.Share(svc.RECIPIENT_HOUSEHOLD, D(0), hid, name, ""))

    def shares(self) -> list[svc.Share]:
        out = []
        for r in range(self.dist_table.rowCount()):
            text = self.dist_table.item(r, 2).text().strip().replace(",", "")
            out.append(svc.Share(
                self.dist_table.item(r, 0).data(Qt.ItemDataRole.UserRole),
                text,  # parsed (with row number in the message) by the service
                self.dist_table.item(r, 1).data(Qt.ItemDataRole.UserRole),
                self.dist_table.item(r, 1).text().strip() or None,
                (self.dist_table.item(r, 3).text() if self.dist_table.item(r, 3) else "").strip() or None,
            ))
        return out

    def _update_sum(self) -> None:
        income = self._income_amount()
        total = D(0)
        bad = False
        for r in range(self.dist_table.rowCount()):
            item = self.dist_table.item(r, 2)
            try:
                total += D(item.text().strip().replace(",", "") or "0")
                item.setBackground(QColor(0, 0, 0, 0))
            except Exception:  # noqa: BLE001 - anything not a number is marked and fails the sum
                bad = True
                item.setBackground(QColor("#ffd6d6"))
        if income is None:
            self.sum_label.setText("先在“运行与收益”页登记收益。")
            self.save_dist_button.setEnabled(False)
            self.print_notice_button.setEnabled(False)
            self.suggest_button.setEnabled(False)
            return
        self.suggest_button.setEnabled(True)
        diff = income - total
        ok = not bad and diff == 0 and self.dist_table.rowCount() > 0
        if ok:
            text = f"分配合计 {money(total)} 元 = 收益 {money(income)} 元 ✓"
            color = "#1a7f37"
        elif bad:
            text, color = "有金额不是数字（已标红）", "#c62828"
        else:
            text = f"分配合计 {money(total)} 元，收益 {money(income)} 元，" + (
                f"还差 {money(diff)} 元" if diff > 0 else f"多分 {money(-diff)} 元")
            color = "#c62828"
        self.sum_label.setText(text)
        self.sum_label.setStyleSheet(f"color:{color}; font-weight:bold")
        self.save_dist_button.setEnabled(ok)
        self.print_notice_button.setEnabled(ok)

    def suggest(self) -> None:
        income_id = self.dist_income_combo.currentData()
        if income_id is None:
            return

        def run():
            with self.db.session() as s:
                return svc.suggest_distribution(
                    s, income_id, collective_pct=D(str(self.pct["collective"].value())),
                    welfare_job_pct=D(str(self.pct["jobs"].value())), public_cause_pct=D(str(self.pct["cause"].value())))

        shares = guarded(self, run)
        if shares is None:
            return
        self.dist_table.setRowCount(0)
        for share in shares:
            self._add_share_row(share)
        self.status_label.setText("已按规则生成建议分配，可修改后保存。")

    def save_distribution(self) -> bool:
        income_id = self.dist_income_combo.currentData()
        return self._act(lambda s: svc.set_distribution(
            s, income_id, self.shares(), approved_on=self.approved_date.value(), posted_on=self.posted_date.value()),
            "分配方案已保存。")

    def print_notice(self) -> None:
        from fupin_desktop.printing import asset_forms

        income_id = self.dist_income_combo.currentData()
        self.last_pdf = print_form(self, self.db, f"收益分配公示表 {self.no_label.text()}",
                                   lambda s, path: asset_forms.render_distribution(s, income_id, path))

    # -- 管护 -----------------------------------------------------------------------------------------

    def save_custodian(self) -> bool:
        return self._act(lambda s: svc.set_custodian(
            s, self.asset_id, custodian=self.custodian_edit.text(), person=self.custodian_person_edit.text(),
            phone=self.custodian_phone_edit.text(), rule=self.custody_rule_edit.text()), "管护责任已保存。")

    def set_state(self) -> bool:
        return self._act(lambda s: svc.set_status(s, self.asset_id, self.state_combo.currentData(),
                                                  on=self.state_date.value()), "资产状态已更新。")

    def add_care(self) -> bool:
        day = self.care_date.value()
        if day is None:
            QMessageBox.warning(self, "管护记录", "请填写管护日期。")
            return False
        ok = self._act(lambda s: svc.add_maintenance(
            s, self.asset_id, kind=self.care_kind.code(), date=day, content=self.care_content.text(),
            cost=self.care_cost.text(), person=self.care_person.text()), "管护记录已登记。")
        if ok:
            self.care_content.clear()
            self.care_cost.clear()
        return ok

    def delete_care(self) -> None:
        record_id = _selected_data(self.care_table)
        if record_id is not None:
            self._act(lambda s: svc.delete_maintenance(s, record_id), "管护记录已删除。")

    # -- 处置 -----------------------------------------------------------------------------------------

    def _disposal_selected(self) -> None:
        data = _selected_data(self.disposal_table)
        self._step = None
        for w in (self.step_button, self.reject_button, self.complete_button, self.print_disposal_button):
            w.setEnabled(False)
        if data is None:
            self.step_label.setText("请先在上表选中一份申请。")
            return
        _id, status = data
        self.print_disposal_button.setEnabled(True)
        chain = (svc.DISPOSAL_REQUESTED, *svc.APPROVAL_STEPS)
        if status in chain[:-1]:
            self._step = chain[chain.index(status) + 1]
            self.step_label.setText(f"下一步：{svc.APPROVAL_STEP_NAMES[self._step]}")
            self.step_button.setText(f"登记{svc.APPROVAL_STEP_NAMES[self._step]}")
            self.step_button.setEnabled(True)
            self.reject_button.setEnabled(True)
        elif status == svc.DISPOSAL_COUNTY:
            self.step_label.setText("审批已完成，可以实施处置（登记处置日期和收入）。")
            self.reject_button.setEnabled(True)
        else:
            self.step_label.setText(f"该申请{label_of('disposal_status', status)}。")
        # 「实施」 stays available to say exactly what is missing when pressed too early.
        self.complete_button.setEnabled(status in svc.DISPOSAL_OPEN)

    def request_disposal(self) -> bool:
        return self._act(lambda s: svc.request_disposal(
            s, self.asset_id, trigger=self.trigger_combo.code(), method=self.method_combo.code(),
            reason=self.reason_edit.text(), requested_on=self.request_date.value() or dt.date.today()),
            "处置申请已提交，请按程序登记各级审批。")

    def record_step(self) -> bool:
        data = _selected_data(self.disposal_table)
        if data is None or self._step is None:
            return False
        step = self._step
        ok = self._act(lambda s: svc.record_approval(s, data[0], step, on=self.step_date.value() or dt.date.today(),
                                                     doc=self.step_doc.text()), f"已登记{svc.APPROVAL_STEP_NAMES[step]}。")
        if ok:
            self.step_doc.clear()
        return ok

    def reject_request(self) -> bool:
        data = _selected_data(self.disposal_table)
        if data is None:
            return False
        return self._act(lambda s: svc.reject_disposal(s, data[0], reason=self.reject_reason.text()), "处置申请已驳回。")

    def complete(self) -> bool:
        data = _selected_data(self.disposal_table)
        if data is None:
            return False
        return self._act(lambda s: svc.complete_disposal(
            s, data[0], disposed_on=self.step_date.value() or dt.date.today(), proceeds=self.proceeds_edit.text(),
            proceeds_use=self.proceeds_use_edit.text()), "资产已处置（核销），台账记录保留。")

    def print_disposal(self) -> None:
        from fupin_desktop.printing import asset_forms

        data = _selected_data(self.disposal_table)
        if data is None:
            return
        self.last_pdf = print_form(self, self.db, f"资产处置申请表 {self.no_label.text()}",
                                   lambda s, path: asset_forms.render_disposal(s, data[0], path))

