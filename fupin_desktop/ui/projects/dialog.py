"""The project form: 基本信息, 资金, 受益对象, 绩效目标, 十制, 流转记录, 资金拨付.

保存 writes the first five tabs in one transaction (the service checks everything and lists all
problems at once). 流转, 资金拨付 and linking households are separate actions that take effect
at once; they need a saved project, so a new project offers them after its first save.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
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
from fupin_desktop.services import projects as svc
from fupin_desktop.ui.errors import show_user_error
from fupin_desktop.ui.projects.transition import TransitionDialog
from fupin_desktop.ui.projects.widgets import (
    code_combo,
    date_edit,
    fill_code_combo,
    from_qdate,
    set_combo_data,
    yuan,
)

TABS = ("基本信息", "资金", "受益对象", "绩效目标", "十制", "流转记录", "资金拨付")
_MISSING = QColor("#fde8e6")


def _line(placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    if placeholder:
        edit.setPlaceholderText(placeholder)
    return edit


def _text_box(height: int = 60) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setFixedHeight(height)
    return box


def _tristate(text: str) -> QComboBox:
    combo = QComboBox()
    combo.addItem("", None)
    combo.addItem("是", True)
    combo.addItem("否", False)
    combo.setObjectName(text)
    return combo


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setStretchLastSection(True)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    return table


def _fit(table: QTableWidget) -> None:
    """Columns as wide as their contents (and headers), the last one taking the rest."""
    table.resizeColumnsToContents()
    table.horizontalHeader().setStretchLastSection(True)


def _item(text: object, editable: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem("" if text is None else str(text))
    if not editable:
        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    return item


class ProjectDialog(QDialog):
    """``ProjectDialog(db, project_id=None)``; emits ``changed(project_id)`` after any write."""

    changed = Signal(int)

    def __init__(self, db: Database, project_id: int | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.project_id = project_id
        self.setWindowTitle("新建项目" if project_id is None else "项目详情")
        self.resize(920, 640)
        with db.session() as s:
            self._regions = svc.region_choices(s)
            _, self._depts = svc.filter_choices(s)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._basic_tab(), TABS[0])
        self.tabs.addTab(self._funds_tab(), TABS[1])
        self.tabs.addTab(self._beneficiary_tab(), TABS[2])
        self.tabs.addTab(self._indicator_tab(), TABS[3])
        self.tabs.addTab(self._checklist_tab(), TABS[4])
        self.tabs.addTab(self._log_tab(), TABS[5])
        self.tabs.addTab(self._money_tab(), TABS[6])

        self.status_label = QLabel()
        self.status_label.setObjectName("projectStatus")
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole)
        self.close_button = self.buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.clicked.connect(self.save)
        self.close_button.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status_label, 1)
        bottom.addWidget(self.buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addLayout(bottom)
        self.load()

    # ------------------------------------------------------------------ tabs
    def _basic_tab(self) -> QWidget:
        self.name = _line()
        self.project_no = _line("留空自动编号")
        self.year = QSpinBox()
        self.year.setRange(2014, 2100)
        self.year.setValue(dt.date.today().year)
        self.category = code_combo("project_category", top_level_only=True, blank="（请选择）")
        self.subcategory = QComboBox()
        self.category.currentIndexChanged.connect(self._category_changed)
        self.region = QComboBox()
        self.region.addItem("（请选择）", None)
        for code, name, level in self._regions:
            self.region.addItem(name if level == "township" else f"　　{name}", code)
        self.competent_dept = QComboBox()
        self.competent_dept.setEditable(True)
        self.competent_dept.addItems(["", *self._depts])
        self.implementer = _line()
        self.location = _line()
        self.construction_nature = code_combo("construction_nature")
        self.start_ym = _line("如 2024-03")
        self.end_ym = _line("如 2024-11")
        self.in_poor_village = _tristate("in_poor_village")
        self.covered_villages = _line()
        self.scale_quantity = _line("数量")
        self.scale_unit = _line("单位，如 公里、亩、户")
        self.scope = _text_box(70)
        self.benefit_linkage = _text_box(70)
        self.benefit_linkage.setPlaceholderText("产业类项目必填：如土地入股分红、务工带动、订单收购……")
        self.manager = _line()
        self.manager_phone = _line()
        self.social_benefit = _line()
        self.economic_benefit = _line()
        self.expected_income_gain = _line("元")
        self.is_integrated = _tristate("is_integrated")
        self.direct_to_person = _tristate("direct_to_person")
        self.is_publicized = _tristate("is_publicized")
        self.budget_unit = _line()
        self.note = _line()
        self.declared_on = date_edit()
        self.declared_doc_no = _line("村两委会议或村民代表大会记录编号")

        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(6)
        scale = QHBoxLayout()
        scale.addWidget(self.scale_quantity)
        scale.addWidget(self.scale_unit)
        period = QHBoxLayout()
        period.addWidget(self.start_ym)
        period.addWidget(QLabel("至"))
        period.addWidget(self.end_ym)
        cells = [
            ("项目名称 *", self.name, 3),
            ("项目年度 *", self.year, 1), ("项目编号", self.project_no, 1),
            ("项目类别 *", self.category, 1), ("项目子类", self.subcategory, 1),
            ("所属乡镇/村 *", self.region, 1), ("主管单位", self.competent_dept, 1),
            ("实施主体", self.implementer, 1), ("建设性质", self.construction_nature, 1),
            ("建设地点", self.location, 3),
            ("实施期限", period, 1), ("建设规模", scale, 1),
            ("是否脱贫村", self.in_poor_village, 1), ("覆盖村", self.covered_villages, 1),
            ("建设规模及内容", self.scope, 3),
            ("联农带农机制", self.benefit_linkage, 3),
            ("项目负责人", self.manager, 1), ("联系电话", self.manager_phone, 1),
            ("社会效益", self.social_benefit, 3),
            ("经济效益", self.economic_benefit, 3),
            ("预计带动增收", self.expected_income_gain, 1), ("预算单位", self.budget_unit, 1),
            ("统筹整合项目", self.is_integrated, 1), ("钱物直接补助到人", self.direct_to_person, 1),
            ("是否公示", self.is_publicized, 1), ("备注", self.note, 1),
        ]  # fmt: skip
        row = col = 0
        for label, widget, span in cells:
            if span == 3 and col:
                row, col = row + 1, 0
            grid.addWidget(QLabel(label), row, col * 2)
            if isinstance(widget, QHBoxLayout):
                grid.addLayout(widget, row, col * 2 + 1, 1, span)
            else:
                grid.addWidget(widget, row, col * 2 + 1, 1, span)
            col += 2 if span == 3 else 1
            if col >= 2:
                row, col = row + 1, 0
        self.declared_box = QGroupBox("村级申报（新建时填写）")
        declared = QFormLayout(self.declared_box)
        declared.addRow("申报日期", self.declared_on)
        declared.addRow("申报文号", self.declared_doc_no)
        grid.addWidget(self.declared_box, row + 1, 0, 1, 4)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)

        inner = QWidget()
        inner.setLayout(grid)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        return scroll

    def _category_changed(self) -> None:
        top = self.category.currentData()
        if top:
            fill_code_combo(self.subcategory, "project_category", parent_code=top, blank="（无）")
        else:
            self.subcategory.clear()

    def _funds_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        form = QHBoxLayout()
        self.total_funds = _line("元")
        self.requested_funds = _line("元")
        form.addWidget(QLabel("项目总投资(元)"))
        form.addWidget(self.total_funds)
        form.addWidget(QLabel("本次拟申请资金(元)"))
        form.addWidget(self.requested_funds)
        layout.addLayout(form)
        self.funding_table = _table(["资金级次", "资金来源", "金额(元)", "资金文号"])
        self.funding_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.funding_table.itemChanged.connect(self._update_funding_sum)
        self.total_funds.textChanged.connect(self._update_funding_sum)
        layout.addWidget(QLabel("分级资金（合计必须等于项目总投资）"))
        layout.addWidget(self.funding_table, 1)
        buttons = QHBoxLayout()
        add = QPushButton("添加一行")
        add.clicked.connect(lambda: self._add_funding_row())
        remove = QPushButton("删除所选行")
        remove.clicked.connect(lambda: self._remove_selected(self.funding_table))
        self.funding_sum = QLabel()
        self.funding_sum.setObjectName("fundingSum")
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        buttons.addWidget(self.funding_sum)
        layout.addLayout(buttons)
        integ = QGroupBox("涉农资金统筹整合")
        integ_form = QGridLayout(integ)
        self.integration: dict[str, QLineEdit] = {}
        for i, (key, label) in enumerate(svc.INTEGRATION_KEYS.items()):
            edit = _line()
            self.integration[key] = edit
            integ_form.addWidget(QLabel(label), i // 2, (i % 2) * 2)
            integ_form.addWidget(edit, i // 2, (i % 2) * 2 + 1)
        layout.addWidget(integ)
        return page

    def _add_funding_row(self, row: svc.FundingInput | None = None) -> None:
        t = self.funding_table
        n = t.rowCount()
        t.insertRow(n)
        level = code_combo("fund_level", blank=None)
        source = code_combo("fund_source", era=self.year.value())
        if row is not None:
            set_combo_data(level, row.level)
            set_combo_data(source, row.source)
        t.setCellWidget(n, 0, level)
        t.setCellWidget(n, 1, source)
        t.setItem(n, 2, _item(yuan(Decimal(row.amount)) if row is not None else "", editable=True))
        t.setItem(n, 3, _item(row.doc_no if row is not None else "", editable=True))
        self._update_funding_sum()

    def _remove_selected(self, table: QTableWidget) -> None:
        for index in sorted({i.row() for i in table.selectedIndexes()}, reverse=True):
            table.removeRow(index)
        self._update_funding_sum()

    def _funding_rows(self) -> list[svc.FundingInput]:
        t = self.funding_table
        rows = []
        for r in range(t.rowCount()):
            amount = (t.item(r, 2).text() if t.item(r, 2) else "").strip()
            rows.append(svc.FundingInput(
                level=t.cellWidget(r, 0).currentData(), source=t.cellWidget(r, 1).currentData(),
                amount=amount, doc_no=t.item(r, 3).text() if t.item(r, 3) else None,
            ))  # fmt: skip
        return rows

    def _update_funding_sum(self) -> None:
        total = Decimal(0)
        try:
            for row in self._funding_rows():
                total += svc.parse_money(row.amount, "金额") or 0
            planned = svc.parse_money(self.total_funds.text(), "总投资")
        except UserError:
            self.funding_sum.setText("金额格式有误")
            return
        text = f"分级合计 {total:,.2f} 元"
        if planned is not None and planned != total:
            text += f"，与总投资相差 {planned - total:,.2f} 元"
            self.funding_sum.setStyleSheet("color:#b3261e")
        else:
            self.funding_sum.setStyleSheet("")
        self.funding_sum.setText(text)

    def _beneficiary_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        counts = QGroupBox("受益对象（户 / 人）")
        grid = QGridLayout(counts)
        self.counts: dict[str, QSpinBox] = {}
        for r, (label, key) in enumerate((("脱贫户", "poor"), ("监测户", "monitored"), ("一般农户", "nonpoor"))):
            grid.addWidget(QLabel(label), r, 0)
            for c, unit in enumerate(("hh", "persons")):
                spin = QSpinBox()
                spin.setRange(0, 1_000_000)
                spin.setSuffix(" 户" if unit == "hh" else " 人")
                self.counts[f"beneficiaries_{key}_{unit}"] = spin
                grid.addWidget(spin, r, c + 1)
        self.count_from_households = QPushButton("按关联农户统计")
        self.count_from_households.clicked.connect(self._counts_from_households)
        grid.addWidget(self.count_from_households, 0, 3)
        layout.addWidget(counts)

        linked = QGroupBox("关联的受益农户（户籍库）")
        box = QVBoxLayout(linked)
        search = QHBoxLayout()
        self.hh_search = _line("姓名、拼音首字母、证件号码（或后几位）、户编号、电话")
        self.hh_search.returnPressed.connect(self._search_households)
        find = QPushButton("查找")
        find.clicked.connect(self._search_households)
        search.addWidget(self.hh_search, 1)
        search.addWidget(find)
        box.addLayout(search)
        tables = QHBoxLayout()
        headers = ["户编号", "户主", "村", "户类型", "监测类别", "人口"]
        self.hh_found = _table(headers)
        self.hh_found.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.hh_linked = _table(headers)
        self.hh_linked.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        middle = QVBoxLayout()
        self.link_button = QPushButton("关联 →")
        self.unlink_button = QPushButton("← 取消关联")
        self.link_button.clicked.connect(self._link)
        self.unlink_button.clicked.connect(self._unlink)
        middle.addStretch(1)
        middle.addWidget(self.link_button)
        middle.addWidget(self.unlink_button)
        middle.addStretch(1)
        left = QVBoxLayout()
        left.addWidget(QLabel("查找结果"))
        left.addWidget(self.hh_found)
        right = QVBoxLayout()
        self.linked_label = QLabel("已关联")
        right.addWidget(self.linked_label)
        right.addWidget(self.hh_linked)
        tables.addLayout(left, 1)
        tables.addLayout(middle)
        tables.addLayout(right, 1)
        box.addLayout(tables)
        layout.addWidget(linked, 1)
        return page

    def _indicator_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel("绩效目标：产出指标、效益指标、满意度指标（没有绩效目标的项目不能入库）"))
        self.indicator_table = _table(["指标类型", "指标名称", "目标值", "实际完成值", "单位"])
        self.indicator_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.indicator_table, 1)
        buttons = QHBoxLayout()
        add = QPushButton("添加指标")
        add.clicked.connect(lambda: self._add_indicator_row())
        remove = QPushButton("删除所选指标")
        remove.clicked.connect(lambda: self._remove_selected(self.indicator_table))
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.performance_summary = _text_box(60)
        layout.addWidget(QLabel("绩效目标概述"))
        layout.addWidget(self.performance_summary)
        return page

    def _add_indicator_row(self, row: svc.IndicatorInput | None = None) -> None:
        t = self.indicator_table
        n = t.rowCount()
        t.insertRow(n)
        kind = code_combo("indicator_kind", blank=None)
        if row is not None:
            set_combo_data(kind, row.kind)
        t.setCellWidget(n, 0, kind)
        for c, value in enumerate((row.name, row.target, row.actual, row.unit) if row else ("",) * 4, start=1):
            t.setItem(n, c, _item(value, editable=True))

    def _indicator_rows(self) -> list[svc.IndicatorInput]:
        t = self.indicator_table
        out = []
        for r in range(t.rowCount()):
            texts = [(t.item(r, c).text() if t.item(r, c) else "") for c in range(1, 5)]
            if not any(x.strip() for x in texts):
                continue
            out.append(svc.IndicatorInput(t.cellWidget(r, 0).currentData(), *texts))
        return out

    def _checklist_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.checklist_hint = QLabel()
        self.checklist_hint.setWordWrap(True)
        layout.addWidget(self.checklist_hint)
        self.checklist_table = _table(["事项", "应落实于", "已落实", "佐证文号", "落实日期", "备注"])
        self.checklist_table.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.checklist_table, 1)
        layout.addWidget(QLabel("不适用的事项：勾选“已落实”，在备注中写明“不适用”及原因。"))
        return page

    def _log_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.log_table = _table(["日期", "原状态", "新状态", "文号", "办理单位", "备注"])
        self.log_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        layout.addWidget(self.log_table, 1)
        buttons = QHBoxLayout()
        self.transition_button = QPushButton("办理流转…")
        self.transition_button.clicked.connect(self.open_transition)
        self.undo_button = QPushButton("撤销最近一步")
        self.undo_button.clicked.connect(self._undo)
        buttons.addWidget(self.transition_button)
        buttons.addWidget(self.undo_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        return page

    def _money_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.money_totals = QLabel()
        self.money_totals.setObjectName("moneyTotals")
        layout.addWidget(self.money_totals)
        self.money_table = _table(["日期", "类型", "金额(元)", "资金级次", "文号", "备注"])
        self.money_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        layout.addWidget(self.money_table, 1)
        add = QGroupBox("登记资金下达 / 拨付 / 支出")
        row = QHBoxLayout(add)
        self.money_kind = code_combo("disbursement_kind", blank=None)
        self.money_date = date_edit()
        self.money_amount = _line("金额（元）")
        self.money_level = code_combo("fund_level", blank="（级次）")
        self.money_doc = _line("文号（下达必填）")
        self.money_note = _line("备注")
        self.money_add = QPushButton("登记")
        self.money_add.clicked.connect(self._add_money)
        self.money_delete = QPushButton("删除所选")
        self.money_delete.clicked.connect(self._delete_money)
        for w in (self.money_kind, self.money_date, self.money_amount, self.money_level,
                  self.money_doc, self.money_note, self.money_add, self.money_delete):  # fmt: skip
            row.addWidget(w)
        layout.addWidget(add)
        return page

    # ------------------------------------------------------------------ load / save
    def load(self) -> None:
        new = self.project_id is None
        self.declared_box.setVisible(new)
        for index in (5, 6):
            self.tabs.setTabEnabled(index, not new)
        for w in (self.link_button, self.unlink_button, self.count_from_households):
            w.setEnabled(not new)
        if new:
            self._category_changed()
            self.status_label.setText("新项目保存后为“村级申报”状态，之后可办理流转和登记资金。")
            self._load_checklist([])
            return
        with self.db.session() as s:
            p = svc.get_project(s, self.project_id)
            data = svc.ProjectInput.from_project(p)
            status = p.status
            checklist = svc.checklist(p)
            logs = [(log.date, log.from_status, log.to_status, log.doc_no, log.actor, log.note)
                    for log in sorted(p.status_logs, key=lambda x: (x.date, x.id))]  # fmt: skip
            money = [(d.id, d.date, d.kind, d.amount, d.level, d.doc_no, d.note) for d in p.disbursements]
            totals = svc.fund_totals(p)
            linked = svc.beneficiary_households(s, p.id)
            self.can_transition = bool(svc.allowed_transitions(p))
        self.setWindowTitle(f"项目详情 — {data.name}")
        self.status_label.setText(f"当前状态：<b>{svc.status_label(status)}</b>")
        self._fill_basic(data)
        self._load_checklist(checklist)
        self._load_logs(logs)
        self._load_money(money, totals)
        self._show_households(self.hh_linked, linked)
        self.linked_label.setText(f"已关联（{len(linked)} 户）")
        self.transition_button.setEnabled(self.can_transition)

    def _fill_basic(self, d: svc.ProjectInput) -> None:
        self.name.setText(d.name or "")
        self.project_no.setText(d.project_no or "")
        self.year.setValue(d.year or dt.date.today().year)
        set_combo_data(self.category, d.category)
        self._category_changed()
        set_combo_data(self.subcategory, d.subcategory)
        set_combo_data(self.region, d.region_code)
        self.competent_dept.setCurrentText(d.competent_dept or "")
        for attr in ("implementer", "location", "covered_villages", "scale_unit", "manager",
                     "manager_phone", "social_benefit", "economic_benefit", "budget_unit", "note"):  # fmt: skip
            getattr(self, attr).setText(getattr(d, attr) or "")
        set_combo_data(self.construction_nature, d.construction_nature)
        self.start_ym.setText(d.start_ym or "")
        self.end_ym.setText(d.end_ym or "")
        for attr in ("in_poor_village", "is_integrated", "direct_to_person", "is_publicized"):
            set_combo_data(getattr(self, attr), getattr(d, attr))
        self.scale_quantity.setText(svc.plain_number(d.scale_quantity))
        self.scope.setPlainText(d.scope_and_content or "")
        self.benefit_linkage.setPlainText(d.benefit_linkage or "")
        self.expected_income_gain.setText(yuan(d.expected_income_gain).replace(",", ""))
        self.total_funds.setText(yuan(d.total_funds).replace(",", ""))
        self.requested_funds.setText(yuan(d.requested_funds).replace(",", ""))
        self.funding_table.setRowCount(0)
        for row in d.fundings or []:
            self._add_funding_row(row)
        for key, edit in self.integration.items():
            edit.setText((d.integration or {}).get(key, ""))
        for key, spin in self.counts.items():
            spin.setValue(getattr(d, key) or 0)
        self.indicator_table.setRowCount(0)
        for row in d.indicators or []:
            self._add_indicator_row(row)
        self.performance_summary.setPlainText(d.performance_summary or "")
        self._update_funding_sum()

    def collect(self) -> svc.ProjectInput:
        """The form as a ProjectInput (no validation here: the service does it)."""
        d = svc.ProjectInput()
        d.name = self.name.text()
        d.project_no = self.project_no.text()
        d.year = self.year.value()
        d.category = self.category.currentData()
        d.subcategory = self.subcategory.currentData()
        d.region_code = self.region.currentData()
        d.competent_dept = self.competent_dept.currentText()
        for attr in ("implementer", "location", "covered_villages", "scale_unit", "manager",
                     "manager_phone", "social_benefit", "economic_benefit", "budget_unit", "note",
                     "start_ym", "end_ym"):  # fmt: skip
            setattr(d, attr, getattr(self, attr).text())
        d.construction_nature = self.construction_nature.currentData()
        for attr in ("in_poor_village", "is_integrated", "direct_to_person", "is_publicized"):
            setattr(d, attr, getattr(self, attr).currentData())
        d.scale_quantity = self.scale_quantity.text()
        d.scope_and_content = self.scope.toPlainText()
        d.benefit_linkage = self.benefit_linkage.toPlainText()
        d.expected_income_gain = self.expected_income_gain.text()
        d.total_funds = self.total_funds.text()
        d.requested_funds = self.requested_funds.text()
        d.fundings = self._funding_rows()
        d.integration = {k: e.text() for k, e in self.integration.items()}
        for key, spin in self.counts.items():
            setattr(d, key, spin.value() or None)
        d.indicators = self._indicator_rows()
        d.performance_summary = self.performance_summary.toPlainText()
        d.declared_on = from_qdate(self.declared_on.date())
        d.declared_doc_no = self.declared_doc_no.text()
        return d

    def save(self) -> bool:
        """Validate and write; on refusal show the service's message and keep the form."""
        data = self.collect()
        checklist = self._checklist_edits()
        try:
            with self.db.session() as s:
                if self.project_id is None:
                    project = svc.create_project(s, data)
                else:
                    project = svc.update_project(s, self.project_id, data)
                for item, done, doc_no, day, note in checklist:
                    svc.set_checklist_item(s, project.id, item, done=done, doc_no=doc_no, date=day, note=note)
                pid = project.id
        except UserError as err:
            show_user_error(self, err, title="项目未保存")
            return False
        self.project_id = pid
        self.changed.emit(pid)
        self.load()
        self.status_label.setText(self.status_label.text() + "　<span style='color:#2e7d32'>已保存</span>")
        return True

    # ------------------------------------------------------------------ 十制
    def _load_checklist(self, rows: list[svc.ChecklistRow]) -> None:
        from fupin_desktop.codes import code_list

        t = self.checklist_table
        t.setRowCount(0)
        by_item = {r.item: r for r in rows}
        missing = 0
        for code, label in code_list("ten_systems").entries():
            r = by_item.get(code)
            n = t.rowCount()
            t.insertRow(n)
            t.setItem(n, 0, _item(label))
            t.item(n, 0).setData(Qt.ItemDataRole.UserRole, code)
            t.setItem(n, 1, _item(svc.status_label(svc.CHECKLIST_DUE[code])))
            done = QTableWidgetItem()
            done.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            done.setCheckState(Qt.CheckState.Checked if r and r.done else Qt.CheckState.Unchecked)
            t.setItem(n, 2, done)
            t.setItem(n, 3, _item(r.doc_no if r else "", editable=True))
            t.setItem(n, 4, _item(f"{r.date:%Y-%m-%d}" if r and r.date else "", editable=True))
            t.setItem(n, 5, _item(r.note if r else "", editable=True))
            if r and r.missing:
                missing += 1
                for c in range(6):
                    t.item(n, c).setBackground(_MISSING)
        _fit(t)
        self._checklist_before = self._checklist_edits(all_rows=True)
        self.checklist_hint.setText(
            f"按项目目前的进度，有 <b style='color:#b3261e'>{missing}</b> 项应落实而未落实（红底）。"
            if missing else "按项目目前的进度，应落实的事项都已落实。"
        )

    def _checklist_edits(self, all_rows: bool = False) -> list[tuple]:
        t = self.checklist_table
        rows = []
        for n in range(t.rowCount()):
            code = t.item(n, 0).data(Qt.ItemDataRole.UserRole)
            done = t.item(n, 2).checkState() == Qt.CheckState.Checked
            doc_no = t.item(n, 3).text().strip() or None
            date_text = t.item(n, 4).text().strip()
            try:
                day = dt.date.fromisoformat(date_text) if date_text else None
            except ValueError:
                day = None
                if not all_rows:
                    raise UserError(f"十制“{t.item(n, 0).text()}”的日期“{date_text}”格式不对，请按 2024-03-01 填写。") from None
            note = t.item(n, 5).text().strip() or None
            rows.append((code, done, doc_no, day, note))
        if all_rows:
            return rows
        before = dict((r[0], r) for r in getattr(self, "_checklist_before", []))
        return [r for r in rows if before.get(r[0]) != r]

    # ------------------------------------------------------------------ 流转
    def _load_logs(self, logs) -> None:
        t = self.log_table
        t.setRowCount(0)
        for day, frm, to, doc_no, actor, note in logs:
            n = t.rowCount()
            t.insertRow(n)
            for c, value in enumerate((f"{day:%Y-%m-%d}", svc.status_label(frm), svc.status_label(to),
                                       doc_no, actor, note)):  # fmt: skip
                t.setItem(n, c, _item(value))
        _fit(t)

    def open_transition(self) -> TransitionDialog | None:
        if self.project_id is None:
            return None
        dialog = TransitionDialog(self.db, self.project_id, self)
        dialog.accepted.connect(self._after_write)
        dialog.open()
        return dialog

    def _undo(self) -> None:
        answer = QMessageBox.question(self, "撤销", "确定撤销最近一次流转吗？（撤销记录会保留在操作日志中）")
        if answer != QMessageBox.StandardButton.Yes:
            return
        self._run(lambda s: svc.undo_last_transition(s, self.project_id))

    def _after_write(self) -> None:
        self.load()
        if self.project_id is not None:
            self.changed.emit(self.project_id)

    def _run(self, action) -> bool:
        try:
            with self.db.session() as s:
                action(s)
        except UserError as err:
            show_user_error(self, err)
            return False
        self._after_write()
        return True

    # ------------------------------------------------------------------ 资金拨付
    def _load_money(self, rows, totals: svc.FundTotals) -> None:
        t = self.money_table
        t.setRowCount(0)
        for did, day, kind, amount, level, doc_no, note in sorted(rows, key=lambda r: (r[1], r[2])):
            n = t.rowCount()
            t.insertRow(n)
            values = (f"{day:%Y-%m-%d}", label_of("disbursement_kind", kind), yuan(amount),
                      label_of("fund_level", level), doc_no, note)  # fmt: skip
            for c, value in enumerate(values):
                item = _item(value)
                if c == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                t.setItem(n, c, item)
            t.item(n, 0).setData(Qt.ItemDataRole.UserRole, did)
        _fit(t)
        self.money_totals.setText(
            f"项目总投资 {yuan(totals.planned)} 元　｜　已下达 <b>{yuan(totals.allocated)}</b> 元　"
            f"已拨付 <b>{yuan(totals.paid)}</b> 元　已支出 <b>{yuan(totals.spent)}</b> 元　"
            f"｜　待拨付 {yuan(totals.unpaid)} 元"
        )

    def _add_money(self) -> None:
        ok = self._run(lambda s: svc.add_disbursement(
            s, self.project_id, kind=self.money_kind.currentData(),
            date=from_qdate(self.money_date.date()), amount=self.money_amount.text(),
            level=self.money_level.currentData(), doc_no=self.money_doc.text(),
            note=self.money_note.text(),
        ))  # fmt: skip
        if ok:
            self.money_amount.clear()
            self.money_doc.clear()
            self.money_note.clear()

    def _delete_money(self) -> None:
        rows = {i.row() for i in self.money_table.selectedIndexes()}
        if not rows:
            return
        ids = [self.money_table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in rows]

        def delete(s):
            for did in ids:
                svc.delete_disbursement(s, did)

        self._run(delete)

    # ------------------------------------------------------------------ households
    def _show_households(self, table: QTableWidget, hits: list[svc.HouseholdHit]) -> None:
        table.setRowCount(0)
        for h in hits:
            n = table.rowCount()
            table.insertRow(n)
            for c, value in enumerate((h.household_no, h.head_name, h.region_name, h.household_type,
                                       h.monitoring, h.member_count)):  # fmt: skip
                table.setItem(n, c, _item(value))
            table.item(n, 0).setData(Qt.ItemDataRole.UserRole, h.id)
        if hits:
            _fit(table)

    def _search_households(self) -> None:
        region = self.region.currentData()
        with self.db.session() as s:
            hits = svc.search_households(s, self.hh_search.text(), region_code=region)
        self._show_households(self.hh_found, hits)

    def _ids(self, table: QTableWidget, selected_only: bool) -> list[int]:
        rows = sorted({i.row() for i in table.selectedIndexes()}) if selected_only else range(table.rowCount())
        return [table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in rows]

    def _link(self) -> None:
        wanted = self._ids(self.hh_linked, False) + self._ids(self.hh_found, True)
        self._run(lambda s: svc.set_beneficiary_households(s, self.project_id, wanted))

    def _unlink(self) -> None:
        drop = set(self._ids(self.hh_linked, True))
        keep = [i for i in self._ids(self.hh_linked, False) if i not in drop]
        self._run(lambda s: svc.set_beneficiary_households(s, self.project_id, keep))

    def _counts_from_households(self) -> None:
        with self.db.session() as s:
            c = svc.beneficiary_counts_from_households(s, self.project_id)
        for key in ("poor_hh", "poor_persons", "monitored_hh", "monitored_persons", "nonpoor_hh", "nonpoor_persons"):
            self.counts[f"beneficiaries_{key}"].setValue(getattr(c, key))

