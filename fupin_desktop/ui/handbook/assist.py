"""The household's 帮扶 tab: helpers with history, handbook entries with quick keyboard entry,
and the yearly 收支 beside them.

The registry engineer embeds it in the household dialog::

    from fupin_desktop.ui.handbook import HouseholdAssistWidget

    tab = HouseholdAssistWidget(db, household_id, parent=dialog)   # household_id may be None
    tab.set_household(other_id)                                     # switch household
    tab.changed.connect(...)                                        # after any save

``HouseholdAssistWidget(db, household_id=None, parent=None)``. Every save is its own
session (one per user action); bad input shows the service's Chinese message and keeps what
was typed.

Quick entry: choose 栏目 and 类别, type the content, Tab to the amount, Enter adds the line
(the date defaults to today and stays for the next line). Double-click a line to edit it in
the same row (Enter saves, Esc cancels); Delete removes the selected line after asking.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from fupin_desktop.codes import code_list
from fupin_desktop.db import Database
from fupin_desktop.errors import UserError
from fupin_desktop.services import handbook as hb
from fupin_desktop.ui.handbook.widgets import (
    Field,
    FormDialog,
    ReadOnlyTable,
    code_combo,
    date_edit,
    from_qdate,
    set_combo_data,
)


def _money(value) -> str:
    return "" if value is None else f"{value:,.2f}"


def _day(value: dt.date | None) -> str:
    return "" if value is None else f"{value:%Y-%m-%d}"


class HouseholdAssistWidget(QWidget):
    """See the module docstring."""

    changed = Signal()

    def __init__(self, db: Database, household_id: int | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.household_id: int | None = None
        self._editing: int | None = None

        self.title = QLabel("请先选择一户。")
        self.title.setObjectName("assistTitle")
        self.title.setWordWrap(True)

        # Assignments.
        self.assignments = ReadOnlyTable(["帮扶责任人", "帮扶单位", "联系电话", "角色", "开始", "结束"])
        self.change_button = QPushButton("更换帮扶责任人…")
        self.change_button.clicked.connect(self.change_helper)
        self.end_button = QPushButton("结束结对…")
        self.end_button.clicked.connect(self.end_selected_assignment)
        helpers_box = QGroupBox("结对帮扶（历史保留，更换时另起一行）")
        hl = QVBoxLayout(helpers_box)
        hl.addWidget(self.assignments)
        row = QHBoxLayout()
        row.addWidget(self.change_button)
        row.addWidget(self.end_button)
        row.addStretch(1)
        hl.addLayout(row)

        # Entries.
        self.year_filter = QComboBox()
        self.section_filter = code_combo("handbook_section", blank="全部栏目")
        self.year_filter.currentIndexChanged.connect(self._load_entries)
        self.section_filter.currentIndexChanged.connect(self._load_entries)
        self.entries = ReadOnlyTable(["年度", "栏目", "类别", "日期", "内容", "金额(元)", "帮扶单位", "走访发现"])
        self.entries.doubleClicked.connect(lambda _i: self.edit_selected_entry())
        QShortcut(QKeySequence.StandardKey.Delete, self.entries, activated=self.delete_selected_entry)

        self.q_section = code_combo("handbook_section", blank=None)
        self.q_category = code_combo("handbook_category")
        self.q_date = date_edit(dt.date.today())
        self.q_content = QLineEdit()
        self.q_content.setPlaceholderText("内容（回车添加）")
        self.q_amount = QLineEdit()
        self.q_amount.setPlaceholderText("金额")
        self.q_amount.setMaximumWidth(90)
        self.q_findings = QLineEdit()
        self.q_findings.setPlaceholderText("走访发现的情况")
        self.q_add = QPushButton("添加")
        self.q_cancel = QPushButton("取消修改")
        self.q_cancel.setVisible(False)
        self.q_section.currentIndexChanged.connect(self._section_changed)
        self.q_add.clicked.connect(self.submit_entry)
        self.q_cancel.clicked.connect(self._stop_editing)
        for edit in (self.q_content, self.q_amount, self.q_findings):
            edit.returnPressed.connect(self.submit_entry)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self.q_content, activated=self._stop_editing)

        entries_box = QGroupBox("扶贫手册记录")
        el = QVBoxLayout(entries_box)
        filters = QHBoxLayout()
        filters.addWidget(QLabel("年度："))
        filters.addWidget(self.year_filter)
        filters.addWidget(QLabel("栏目："))
        filters.addWidget(self.section_filter)
        filters.addStretch(1)
        el.addLayout(filters)
        el.addWidget(self.entries, 1)
        quick = QHBoxLayout()
        for w in (self.q_section, self.q_category, self.q_date):
            quick.addWidget(w)
        quick.addWidget(self.q_content, 3)
        quick.addWidget(self.q_findings, 2)
        quick.addWidget(self.q_amount)
        quick.addWidget(self.q_add)
        quick.addWidget(self.q_cancel)
        el.addLayout(quick)

        # Income.
        self.income = ReadOnlyTable(["年度", "年收入", "生产经营性支出", "纯收入", "家庭人口", "人均纯收入"])
        income_box = QGroupBox("年度收支（元）")
        il = QVBoxLayout(income_box)
        il.addWidget(self.income)

        split = QSplitter(Qt.Orientation.Vertical)
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(helpers_box)
        top.addWidget(income_box)
        top.setStretchFactor(0, 3)
        top.setStretchFactor(1, 2)
        split.addWidget(top)
        split.addWidget(entries_box)
        split.setStretchFactor(1, 2)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(split, 1)
        self._section_changed()
        self.set_household(household_id)

    # -- loading -----------------------------------------------------------------------------
    def set_household(self, household_id: int | None) -> None:
        self.household_id = household_id
        self._stop_editing()
        self.reload()

    def reload(self) -> None:
        enabled = self.household_id is not None
        for w in (self.change_button, self.end_button, self.q_add, self.q_content, self.q_amount,
                  self.q_findings):
            w.setEnabled(enabled)
        if not enabled:
            self.title.setText("请先选择一户。")
            for table in (self.assignments, self.entries, self.income):
                table.fill([])
            return
        with self.db.session() as s:
            from fupin_desktop.models import Household

            hh = s.get(Household, self.household_id)
            if hh is None:
                self.household_id = None
                self.reload()
                return
            self.title.setText(f"<b>{hh.head_name or ''}</b>　户编号 {hh.household_no or ''}　"
                               f"{hh.address or ''}　{hh.member_count} 人")
            roles = code_list("assignment_role")
            self.assignments.fill([
                (a.id, [a.helper.name, a.helper.unit_name or "", a.helper.phone or "", roles.label(a.role),
                        _day(a.start_date), _day(a.end_date) or "至今"])
                for a in hb.assignments_of(s, self.household_id)])
            years = hb.years_of(s, self.household_id)
            self.income.fill([(y.year, [str(y.year), _money(y.annual_income), _money(y.business_expense),
                                        _money(y.net_income), y.household_size or "",
                                        _money(y.per_capita_net_income)]) for y in years])
            entry_years = sorted({e.year for e in hb.entries_of(s, self.household_id)} |
                                 {y.year for y in years} | {dt.date.today().year}, reverse=True)
        current = self.year_filter.currentData()
        self.year_filter.blockSignals(True)
        self.year_filter.clear()
        self.year_filter.addItem("全部年度", None)
        for y in entry_years:
            self.year_filter.addItem(f"{y}年", y)
        set_combo_data(self.year_filter, current)
        self.year_filter.blockSignals(False)
        self._load_entries()

    def _load_entries(self) -> None:
        if self.household_id is None:
            return
        sections = code_list("handbook_section")
        categories = code_list("handbook_category")
        with self.db.session() as s:
            rows = hb.entries_of(s, self.household_id, year=self.year_filter.currentData(),
                                 section=self.section_filter.currentData())
            self.entries.fill([(e.id, [e.year, sections.label(e.section), categories.label(e.category),
                                       _day(e.entry_date), e.content, _money(e.amount), e.unit or "",
                                       e.findings or ""]) for e in rows])

    # -- helpers -----------------------------------------------------------------------------
    def change_helper(self) -> None:
        if self.household_id is None:
            return
        with self.db.session() as s:
            choices = [(f"{r.helper.name}（{r.helper.unit_name or ''}，现帮扶 {r.households} 户）", r.helper.id)
                       for r in hb.list_helpers(s, active_only=True)]
        if not choices:
            QMessageBox.information(self, "更换帮扶责任人", "还没有帮扶责任人。请先在“帮扶责任人”页添加。")
            return
        hid = self.household_id

        def save(v: dict[str, Any]) -> None:
            with self.db.session() as s:
                hb.assign_helper(s, hid, v["helper_id"], v["start_date"], role=v["role"] or "01")

        dialog = FormDialog(self, "更换帮扶责任人", [
            Field("helper_id", "新的帮扶责任人", "choices", choices),
            Field("role", "角色", "code:assignment_role"),
            Field("start_date", "开始时间", "date"),
        ], {"role": "01", "start_date": dt.date.today()}, save)
        if dialog.exec():
            self.reload()
            self.changed.emit()

    def end_selected_assignment(self) -> None:
        aid = self.assignments.row_id()
        if aid is None:
            QMessageBox.information(self, "结束结对", "请先在表中选中一条结对记录。")
            return

        def save(v: dict[str, Any]) -> None:
            with self.db.session() as s:
                hb.end_assignment(s, aid, v["end_date"])

        if FormDialog(self, "结束结对", [Field("end_date", "结束时间", "date")],
                      {"end_date": dt.date.today()}, save).exec():
            self.reload()
            self.changed.emit()

    # -- entries -----------------------------------------------------------------------------
    def _section_changed(self) -> None:
        visit = self.q_section.currentData() == "06"
        self.q_findings.setVisible(visit)

    def entry_values(self) -> dict[str, Any]:
        return {
            "section": self.q_section.currentData(),
            "category": self.q_category.currentData(),
            "entry_date": from_qdate(self.q_date.date()),
            "content": self.q_content.text(),
            "amount": self.q_amount.text(),
            "findings": self.q_findings.text() if self.q_section.currentData() == "06" else None,
        }

    def submit_entry(self) -> bool:
        """Add the quick-entry line (or save the line being edited); True when saved."""
        if self.household_id is None:
            return False
        values = self.entry_values()
        try:
            with self.db.session() as s:
                if self._editing is None:
                    hb.add_entry(s, self.household_id, values)
                else:
                    hb.update_entry(s, self._editing, values)
        except UserError as err:
            QMessageBox.warning(self, "扶贫手册", str(err))
            return False
        self._stop_editing()
        self.reload()
        self.q_content.setFocus()
        self.changed.emit()
        return True

    def edit_selected_entry(self) -> None:
        eid = self.entries.row_id()
        if eid is None:
            return
        from fupin_desktop.models import HandbookEntry

        with self.db.session() as s:
            e = s.get(HandbookEntry, eid)
            if e is None:
                self.reload()
                return
            set_combo_data(self.q_section, e.section)
            set_combo_data(self.q_category, e.category)
            if e.entry_date:
                self.q_date.setDate(e.entry_date)
            self.q_content.setText(e.content)
            self.q_amount.setText("" if e.amount is None else f"{e.amount}")
            self.q_findings.setText(e.findings or "")
        self._editing = eid
        self.q_add.setText("保存修改")
        self.q_cancel.setVisible(True)
        self.q_content.setFocus()

    def _stop_editing(self) -> None:
        self._editing = None
        self.q_add.setText("添加")
        self.q_cancel.setVisible(False)
        self.q_content.clear()
        self.q_amount.clear()
        self.q_findings.clear()

    def delete_selected_entry(self) -> None:
        eid = self.entries.row_id()
        if eid is None:
            return
        answer = QMessageBox.question(self, "删除手册记录", "确定删除选中的这条记录吗？删除后可在操作日志中查到。")
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            with self.db.session() as s:
                hb.delete_entry(s, eid)
        except UserError as err:
            QMessageBox.warning(self, "删除手册记录", str(err))
        self.reload()
        self.changed.emit()
