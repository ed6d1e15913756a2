"""The household window: tabs for 基本信息, 家庭成员, 收支, 生产生活条件, 两不愁三保障, 帮扶,
监测 and 变动记录; the change actions; validation as the clerk types; save with history and
the two-clerks check.

It edits a plain copy (``services.registry.HouseholdData``) and keeps the copy it started
from, so a save records exactly what changed and a clash with another clerk can be merged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import ClassVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from fupin_desktop.codes import label_of
from fupin_desktop.db import Database
from fupin_desktop.errors import ConcurrentEditError, UserError
from fupin_desktop.rules.idnumber import mask_id
from fupin_desktop.services import registry as svc
from fupin_desktop.ui.errors import show_error, show_user_error
from fupin_desktop.ui.registry import dialogs
from fupin_desktop.ui.registry.models import MemberTableModel, RecordTableModel
from fupin_desktop.ui.registry.monitoring import MonitoringTab
from fupin_desktop.ui.registry.widgets import (
    FieldForm,
    MemberDelegate,
    record_view,
    set_combo_data,
)
from fupin_desktop.ui.widgets.columns import fit_code_columns, fit_headers, fit_to_contents

EVENT_COLUMNS = (
    ("effective_date", "生效日期"), ("type", "变动类型"), ("reason", "原因"), ("member", "成员"),
    ("details", "变动内容"), ("reported_month", "报告月份"), ("recorded_by", "经办人"),
    ("recorded_at", "录入时间"), ("note", "备注"),
)

GUARANTEE_ROWS = (
    ("housing", "housing_problem", "住房安全"),
    ("education", "education_problem", "义务教育"),
    ("medical", "medical_problem", "基本医疗"),
    ("water", "water_problem", "饮水安全"),
)


def _scroll(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(widget)
    return area


def assistance_tab(db: Database, data: svc.HouseholdData, parent: QWidget) -> QWidget:
    """The 帮扶 tab: the household's helpers with their history, its 扶贫手册 entries (quick
    entry) and the yearly 收支 — the handbook area's widget, each save its own unit of work."""
    from fupin_desktop.ui.handbook import HouseholdAssistWidget

    tab = HouseholdAssistWidget(db, data.id, parent)
    tab.title.setVisible(False)  # the window's own header already names the household
    return tab


MEMBER_FREE_TEXT_MAX = 220  # px; longer 工作单位/地址 show whole in a tooltip


class YearPicker(QWidget):
    """「年度：[2025 ▾] [新增年度…]」 shared by the yearly tabs."""

    changed = Signal(int)
    add_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.combo = QComboBox()
        self.combo.setMinimumWidth(90)
        self.add = QPushButton("新增年度…")
        layout.addWidget(QLabel("年度："))
        layout.addWidget(self.combo)
        layout.addWidget(self.add)
        layout.addStretch(1)
        self.combo.currentIndexChanged.connect(self._changed)
        self.add.clicked.connect(self.add_requested)

    def set_years(self, years: list[int], current: int | None) -> None:
        self.combo.blockSignals(True)
        self.combo.clear()
        for y in sorted(years, reverse=True):
            self.combo.addItem(f"{y}年", y)
        if current is not None:
            self.combo.setCurrentIndex(max(0, self.combo.findData(current)))
        self.combo.blockSignals(False)

    def year(self) -> int | None:
        return self.combo.currentData()

    def _changed(self) -> None:
        if self.combo.currentData() is not None:
            self.changed.emit(self.combo.currentData())


class ConflictDialog(QDialog):
    """Someone else saved the household: show what they changed; 重新载入 or 合并."""

    RELOAD = 1
    MERGE = 2

    def __init__(self, err: svc.HouseholdChangedError, parent=None):
        super().__init__(parent)
        self.setWindowTitle("其他人已修改这户")
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        intro = QLabel("这户在您打开之后已被其他人修改并保存。对方改动如下：")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        text = QTextBrowser()
        rows = "".join(f"<tr><td>{c.label}</td><td>{c.old or '（空）'}</td><td>→ {c.new or '（空）'}</td></tr>"
                       for c in err.their_changes) or "<tr><td>成员或记录有变动</td></tr>"
        html = f"<table cellpadding='3'>{rows}</table>"
        if err.conflicts:
            crow = "".join(f"<li>{c.label}：您填的“{c.old or '空'}”，对方填的“{c.new or '空'}”</li>"
                           for c in err.conflicts)
            html += f"<p style='color:#b42318'>以下内容双方都改了，合并时保留对方的值：</p><ul>{crow}</ul>"
        text.setHtml(html)
        layout.addWidget(text)
        buttons = QDialogButtonBox()
        self.reload_button = buttons.addButton("重新载入（放弃我的修改）", QDialogButtonBox.ButtonRole.RejectRole)
        self.merge_button = buttons.addButton("合并（保留我改过而对方未改的内容）", QDialogButtonBox.ButtonRole.AcceptRole)
        self.reload_button.clicked.connect(lambda: self.done(self.RELOAD))
        self.merge_button.clicked.connect(lambda: self.done(self.MERGE))
        layout.addWidget(buttons)


# Fields with no editor of their own (derived or kept in a list): the tab where they are fixed.
_FIELD_TABS = {"member_count": "家庭成员", "per_capita_net_income": "收支", "resolved_on": "两不愁三保障",
               "measures": "监测", "end_date": "监测", "helper": "帮扶"}


class HouseholdWindow(QWidget):
    """One household's window (a top-level window, several may be open)."""

    saved = Signal(int)
    # The 帮扶 tab's widget (built once per window; reloaded when the household is shown again).
    assistance_tab_factory: ClassVar[Callable[[Database, svc.HouseholdData, QWidget], QWidget]] = \
        staticmethod(assistance_tab)

    def __init__(self, db: Database, household_id: int, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.db = db
        self.household_id = household_id
        self.base: svc.HouseholdData
        self.data: svc.HouseholdData
        self.problems: list = []
        # The latest 核查 run's findings about this household that no single-household
        # rule can see (人口数, 帮扶措施, 帮扶责任人 …); the field rules run live below.
        self.check_findings: list = []
        self.conflict_dialog: ConflictDialog | None = None
        self.action_dialog: dialogs.ActionDialog | None = None
        self.resize(1100, 720)

        self.header = QLabel()
        self.header.setObjectName("householdHeader")
        font = self.header.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.header.setFont(font)
        self.subheader = QLabel()
        self.subheader.setStyleSheet("color:#5a6678;")

        # actions
        actions = QHBoxLayout()
        actions.setSpacing(4)
        self.action_buttons: dict[str, QPushButton] = {}
        for key, text in (("add", "成员增加"), ("remove", "成员减少"), ("split", "分户"),
                          ("merge", "并户"), ("exit", "标注脱贫"), ("return", "返贫"),
                          ("monitor", "纳入监测"), ("eliminate", "风险消除"), ("close", "自然销户")):
            button = QPushButton(text + "…")
            button.setObjectName(f"action_{key}")
            button.clicked.connect(lambda _c=False, k=key: self.start_action(k))
            actions.addWidget(button)
            self.action_buttons[key] = button
        actions.addStretch(1)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("householdTabs")
        self._build_basic()
        self._build_members()
        self._build_income()
        self._build_conditions()
        self._build_guarantees()
        self.assistance_holder = QWidget()
        self.assistance: QWidget | None = None
        QVBoxLayout(self.assistance_holder).setContentsMargins(6, 6, 6, 6)
        self.tabs.addTab(self.assistance_holder, "帮扶")
        self._build_monitoring()
        self._build_events()

        self.problem_summary = QLabel()
        self.problem_summary.setObjectName("problemSummary")
        self.problem_summary.setWordWrap(True)
        self.save_button = QPushButton("保存(&S)")
        self.save_button.setObjectName("saveButton")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("撤销修改(&Z)")
        self.revert_button.clicked.connect(self.revert)
        close_button = QPushButton("关闭")
        close_button.clicked.connect(self.close)
        # Keyboard only: Ctrl+S saves, Esc closes (asks about unsaved changes), Ctrl+Tab and
        # Ctrl+PgDn/PgUp turn the tabs, Tab walks the fields row by row.
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self.close)
        QShortcut(QKeySequence("Ctrl+PgDown"), self,
                  activated=lambda: self.tabs.setCurrentIndex((self.tabs.currentIndex() + 1) % self.tabs.count()))
        QShortcut(QKeySequence("Ctrl+PgUp"), self,
                  activated=lambda: self.tabs.setCurrentIndex((self.tabs.currentIndex() - 1) % self.tabs.count()))
        self.tabs.currentChanged.connect(self._focus_first_field)

        bottom = QHBoxLayout()
        bottom.addWidget(self.problem_summary, 1)
        bottom.addWidget(self.revert_button)
        bottom.addWidget(self.save_button)
        bottom.addWidget(close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.subheader)
        layout.addLayout(actions)
        from fupin_desktop.ui.risk.panel import GradePanel

        self.grade_panel = GradePanel(db, household_id, self)
        layout.addWidget(self.grade_panel)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)

        self.reload()
        self._focus_first_field(self.tabs.currentIndex())

    def _focus_first_field(self, _index: int) -> None:
        """The cursor starts in the first field of the page shown (typing can begin at once)."""
        page = self.tabs.currentWidget()
        if page is None:
            return
        chain = page.nextInFocusChain()
        while chain is not page and chain is not None:
            if page.isAncestorOf(chain) and chain.isEnabled() and chain.isVisibleTo(page) \
                    and chain.focusPolicy() & Qt.FocusPolicy.TabFocus:
                chain.setFocus(Qt.FocusReason.TabFocusReason)
                return
            chain = chain.nextInFocusChain()

    # -- building -------------------------------------------------------------------------
    def _build_basic(self) -> None:
        box = QWidget()
        layout = QVBoxLayout(box)
        self.basic_form = FieldForm(svc.HOUSEHOLD_FIELDS, columns=2)
        self.basic_form.changed.connect(lambda _n: self._edited())
        self.status_form = FieldForm(svc.HOUSEHOLD_ACTION_FIELDS, columns=2,
                                     read_only=[s.name for s in svc.HOUSEHOLD_ACTION_FIELDS])
        status_box = QGroupBox("户类型与监测（通过上方“标注脱贫”“返贫”“纳入监测”“风险消除”办理）")
        QVBoxLayout(status_box).addWidget(self.status_form)
        layout.addWidget(self.basic_form)
        layout.addWidget(status_box)
        self.household_problems = QLabel()
        self.household_problems.setWordWrap(True)
        layout.addWidget(self.household_problems)
        layout.addStretch(1)
        self.tabs.addTab(_scroll(box), "基本信息")

    def _build_members(self) -> None:
        box = QWidget()
        layout = QVBoxLayout(box)
        self.member_model = MemberTableModel(self)
        self.member_model.on_edit = lambda _r, _f: self._edited()
        self.member_view = QTableView()
        self.member_view.setObjectName("memberTable")
        self.member_view.setModel(self.member_model)
        self.member_view.setItemDelegate(MemberDelegate(self.member_model.spec, self.member_view))
        self.member_view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.member_view.verticalHeader().setVisible(False)
        self.member_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        layout.addWidget(self.member_view, 1)
        self.member_problems = QLabel()
        self.member_problems.setWordWrap(True)
        self.member_problems.setObjectName("memberProblems")
        layout.addWidget(self.member_problems)
        hint = QLabel("双击单元格修改；证件号码输入后自动填写性别和出生日期。增减成员请用上方“成员增加”“成员减少”。")
        hint.setStyleSheet("color:#5a6678;")
        layout.addWidget(hint)
        self.tabs.addTab(box, "家庭成员")

    def _build_income(self) -> None:
        box = QWidget()
        layout = QVBoxLayout(box)
        self.income_year = YearPicker()
        self.income_year.changed.connect(self._show_income_year)
        self.income_year.add_requested.connect(self.add_year)
        layout.addWidget(self.income_year)
        specs = [s for group, subs in svc.INCOME_GROUPS for s in (group, *subs)] + list(svc.INCOME_EXTRA)
        indent = [s.name for _g, subs in svc.INCOME_GROUPS for s in subs]
        self.income_form = FieldForm(specs, columns=2, indent=indent)
        self.income_form.changed.connect(lambda _n: self._edited())
        layout.addWidget(self.income_form)
        totals = QGroupBox("计算结果（年收入 = 工资性 + 生产经营性 + 财产性 + 转移性；纯收入 = 年收入 − 生产经营性支出）")
        grid = QGridLayout(totals)
        self.total_labels: dict[str, QLabel] = {}
        for col, (key, text) in enumerate((("annual_income", "年收入"), ("net_income", "纯收入"),
                                           ("per_capita_net_income", "人均纯收入"))):
            grid.addWidget(QLabel(text + "："), 0, col * 2)
            label = QLabel("—")
            label.setObjectName(f"total_{key}")
            label.setStyleSheet("font-weight:bold;")
            grid.addWidget(label, 0, col * 2 + 1)
            self.total_labels[key] = label
        layout.addWidget(totals)
        layout.addStretch(1)
        self.tabs.addTab(_scroll(box), "收支")

    def _build_conditions(self) -> None:
        box = QWidget()
        layout = QVBoxLayout(box)
        self.conditions_year = YearPicker()
        self.conditions_year.changed.connect(self._show_conditions_year)
        self.conditions_year.add_requested.connect(self.add_year)
        layout.addWidget(self.conditions_year)
        self.conditions_form = FieldForm(svc.CONDITION_FIELDS, columns=2)
        self.conditions_form.changed.connect(lambda _n: self._edited())
        layout.addWidget(self.conditions_form)
        layout.addStretch(1)
        self.tabs.addTab(_scroll(box), "生产生活条件")

    def _build_guarantees(self) -> None:
        box = QWidget()
        layout = QVBoxLayout(box)
        self.guarantee_year = YearPicker()
        self.guarantee_year.changed.connect(self._show_guarantee_year)
        self.guarantee_year.add_requested.connect(self.add_year)
        layout.addWidget(self.guarantee_year)
        group = QGroupBox("三保障和饮水安全：系统按成员和住房饮水数据给出建议，请入户核实后确认")
        grid = QGridLayout(group)
        grid.addWidget(QLabel("<b>项目</b>"), 0, 0)
        grid.addWidget(QLabel("<b>系统建议</b>"), 0, 1)
        grid.addWidget(QLabel("<b>核实结果</b>"), 0, 2)
        self.suggestion_labels: dict[str, QLabel] = {}
        self.guarantee_combos: dict[str, QComboBox] = {}
        for row, (key, column, label) in enumerate(GUARANTEE_ROWS, start=1):
            grid.addWidget(QLabel(label), row, 0)
            suggestion = QLabel()
            suggestion.setWordWrap(True)
            suggestion.setObjectName(f"suggest_{key}")
            grid.addWidget(suggestion, row, 1)
            combo = QComboBox()
            combo.addItem("未核实", None)
            combo.addItem("有问题", True)
            combo.addItem("无问题", False)
            combo.setObjectName(f"guarantee_{key}")
            combo.currentIndexChanged.connect(lambda _i, c=column, w=combo: self._guarantee_edited(c, w))
            grid.addWidget(combo, row, 2)
            self.suggestion_labels[key] = suggestion
            self.guarantee_combos[column] = combo
        grid.setColumnStretch(1, 1)
        layout.addWidget(group)
        self.adopt_button = QPushButton("采用系统建议")
        self.adopt_button.setObjectName("adoptSuggestion")
        self.adopt_button.clicked.connect(self.adopt_suggestions)
        row = QHBoxLayout()
        row.addWidget(self.adopt_button)
        row.addStretch(1)
        layout.addLayout(row)
        rest = [s for s in svc.GUARANTEE_FIELDS if s.name not in {c for _k, c, _l in GUARANTEE_ROWS}]
        self.guarantee_form = FieldForm(rest, columns=2)
        self.guarantee_form.changed.connect(lambda _n: self._edited())
        layout.addWidget(self.guarantee_form)
        layout.addStretch(1)
        self.tabs.addTab(_scroll(box), "两不愁三保障")

    def _build_monitoring(self) -> None:
        self.monitoring = MonitoringTab(self.db, self)
        self.tabs.addTab(self.monitoring, "监测")

    def _build_events(self) -> None:
        box = QWidget()
        layout = QVBoxLayout(box)
        self.events_model = RecordTableModel(EVENT_COLUMNS, self)
        view = record_view(self.events_model, "eventTable")
        for col, width in enumerate((90, 80, 70, 70, 380, 70, 70, 120)):
            view.setColumnWidth(col, width)
        view.setWordWrap(True)
        layout.addWidget(view, 1)
        self.tabs.addTab(box, "变动记录")

    # -- loading --------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the household afresh, discarding unsaved edits."""
        from fupin_desktop.services.checks import FIELD_CHECKS, findings_for_household

        field_checks = {c.code for c in FIELD_CHECKS}
        with self.db.session() as s:
            data = svc.load_household(s, self.household_id)
            self.check_findings = [f for f in findings_for_household(s, self.household_id)
                                   if f.check not in field_checks]
        self._show(data, data.copy())
        self.grade_panel.reload()

    def _show(self, base: svc.HouseholdData, edited: svc.HouseholdData) -> None:
        self.base, self.data = base, edited
        head = next((m for m in edited.present_members() if m.get("relation") == "01"), None)
        h = edited.household
        status = "" if h.get("status") == "01" else f"（{label_of('household_status', h.get('status'))}）"
        self.header.setText(f"{head['name'] if head else '（无户主）'} 户{status}　户编号 {h.get('household_no') or '未编号'}")
        self.subheader.setText(
            f"{edited.region_name} {h.get('group_name') or ''}　在户 {len(edited.present_members())} 人　"
            f"户主证件号码 {mask_id(head['id_number']) if head else ''}"
            + (f"　数据来源：{edited.source}" if edited.source else "")
        )
        self.setWindowTitle(f"农户 — {head['name'] if head else ''} {h.get('household_no') or ''}")
        self.basic_form.bind(edited.household)
        self.status_form.bind(edited.household)
        self.member_model.set_members(edited.members)
        self._fit_member_columns()
        years = list(edited.years)
        latest = max(years) if years else None
        for picker in (self.income_year, self.conditions_year, self.guarantee_year):
            picker.set_years(sorted(set(years) | set(edited.guarantees)), latest)
        self._show_income_year(latest)
        self._show_conditions_year(latest)
        self._show_guarantee_year(self.guarantee_year.year())
        if self.assistance is None:
            # Built once: what the clerk is typing on the tab survives saving the household.
            self.assistance = type(self).assistance_tab_factory(self.db, edited, self.assistance_holder)
            self.assistance_holder.layout().addWidget(self.assistance)
            changed = getattr(self.assistance, "changed", None)
            if changed is not None:  # a new helper shows in the household list
                changed.connect(lambda: self.saved.emit(self.household_id))
        elif hasattr(self.assistance, "reload"):
            self.assistance.reload()
        active = h.get("status") == "01"
        self.monitoring.set_cases(edited.id, edited.monitoring, edited.other_measures, active)
        self.events_model.set_rows(edited.events)
        open_case = any(c["state_code"] != "07" for c in edited.monitoring)
        for key, button in self.action_buttons.items():
            button.setEnabled(active)
        self.action_buttons["eliminate"].setEnabled(active and open_case)
        self.action_buttons["monitor"].setEnabled(active and not open_case)
        self._validate()

    def focus_field(self, field: str | None, member_id: int | None = None) -> bool:
        """Show the tab holding ``field`` — the member ``member_id``'s cell when given — and
        put the cursor on it (a 核查 finding opens the window here). False when the window
        has no such field (the household's first tab is shown then)."""
        if member_id is not None:
            members = self.member_model.members()
            row = next((i for i, m in enumerate(members) if m.get("id") == member_id), None)
            if row is not None:
                try:
                    column = self.member_model.column_of(field or "name")
                except KeyError:
                    column = self.member_model.column_of("name")
                self.tabs.setCurrentIndex(self.tabs.indexOf(self.member_view.parentWidget()))
                index = self.member_model.index(row, column)
                self.member_view.setCurrentIndex(index)
                self.member_view.scrollTo(index)
                self.member_view.setFocus()
                return True
        for form in self.findChildren(FieldForm):
            editor = form.editors.get(field or "")
            if editor is None:
                continue
            page = editor
            while page is not None and self.tabs.indexOf(page) < 0:
                page = page.parentWidget()
            if page is not None:
                self.tabs.setCurrentIndex(self.tabs.indexOf(page))
                editor.setFocus()
                return True
        tab = _FIELD_TABS.get(field or "")
        for i in range(self.tabs.count()):
            if tab is not None and self.tabs.tabText(i) == tab:
                self.tabs.setCurrentIndex(i)
                return True
        return False

    def _fit_member_columns(self) -> None:
        """Columns wide enough for their values: code columns for their longest label
        (「文盲或半文盲」 whoever is listed), free text up to a limit (then a tooltip)."""
        view, model = self.member_view, self.member_model
        for col in range(model.columnCount()):
            spec = model.spec(col)
            fit_to_contents(view, col, maximum=MEMBER_FREE_TEXT_MAX if spec and spec.kind == "text" else 10_000)
        fit_code_columns(view, {col: spec.codes for col in range(model.columnCount())
                                if (spec := model.spec(col)) and spec.kind == "code" and spec.codes})
        fit_headers(view)

    def _show_income_year(self, year: int | None) -> None:
        self.income_form.bind(self.data.years.get(year) if year is not None else None)
        self._update_totals()

    def _show_conditions_year(self, year: int | None) -> None:
        self.conditions_form.bind(self.data.years.get(year) if year is not None else None)

    def _show_guarantee_year(self, year: int | None) -> None:
        values = self.data.guarantees.get(year) if year is not None else None
        self.guarantee_form.bind(values)
        for column, combo in self.guarantee_combos.items():
            combo.blockSignals(True)
            set_combo_data(combo, values.get(column) if values else None)
            combo.setEnabled(values is not None)
            combo.blockSignals(False)
        self.adopt_button.setEnabled(values is not None)
        self._update_suggestions()

    def add_year(self, year: int | None = None) -> int | None:
        """Add a year to 收支/生产生活条件/三保障 (asks which, unless given)."""
        if year is None:
            default = max(list(self.data.years) + [dt.date.today().year - 1]) + 1
            default = min(default, dt.date.today().year)
            year, ok = QInputDialog.getInt(self, "新增年度", "年度：", default, 2014, dt.date.today().year)
            if not ok:
                return None
        if year not in self.data.years:
            self.data.years[year] = {s.name: None for s in svc.YEAR_FIELDS}
            self.data.years[year]["household_size"] = len(self.data.present_members())
        if year not in self.data.guarantees:
            self.data.guarantees[year] = {s.name: None for s in svc.GUARANTEE_FIELDS}
            self.data.guarantees[year]["confirmed"] = False
        years = sorted(set(self.data.years) | set(self.data.guarantees))
        for picker in (self.income_year, self.conditions_year, self.guarantee_year):
            picker.set_years(years, year)
        self._show_income_year(year)
        self._show_conditions_year(year)
        self._show_guarantee_year(year)
        self._edited()
        return year

    # -- editing --------------------------------------------------------------------------
    def is_dirty(self) -> bool:
        return bool(svc.changed_paths(self.base, self.data))

    def _edited(self) -> None:
        self._update_totals()
        self._update_suggestions()
        self._validate()

    def _guarantee_edited(self, column: str, combo: QComboBox) -> None:
        year = self.guarantee_year.year()
        if year is None or year not in self.data.guarantees:
            return
        self.data.guarantees[year][column] = combo.currentData()
        self._edited()

    def adopt_suggestions(self) -> None:
        year = self.guarantee_year.year()
        if year is None:
            return
        suggestion = svc.suggest_for_year(self.data, year)
        values = self.data.guarantees[year]
        for key, column, _label in GUARANTEE_ROWS:
            problem, _reasons = suggestion[key]
            if problem is not None:
                values[column] = problem
        values["suggested"] = {k: v[0] for k, v in suggestion.items()}
        self._show_guarantee_year(year)
        self._edited()

    def _update_totals(self) -> None:
        year = self.income_year.year()
        values = self.data.years.get(year) if year is not None else None
        if not values:
            for label in self.total_labels.values():
                label.setText("—")
            return
        try:
            totals = svc.compute_year_totals(values, len(self.data.present_members()) or 1)
        except UserError as err:
            for label in self.total_labels.values():
                label.setText("—")
            self.total_labels["annual_income"].setText(str(err))
            return
        for key, label in self.total_labels.items():
            value = totals.get(key)
            label.setText(f"{value:,.2f} 元" if isinstance(value, Decimal) else "—")

    def _update_suggestions(self) -> None:
        year = self.guarantee_year.year()
        if year is None:
            for label in self.suggestion_labels.values():
                label.setText("")
            return
        suggestion = svc.suggest_for_year(self.data, year)
        for key, label in self.suggestion_labels.items():
            problem, reasons = suggestion[key]
            verdict = {True: "<span style='color:#b42318'>有问题</span>",
                       False: "<span style='color:#1a7f37'>无问题</span>",
                       None: "<span style='color:#9a6700'>无法判断</span>"}[problem]
            label.setText(f"{verdict}：{'；'.join(reasons)}")

    def _validate(self) -> None:
        self.problems = svc.check_household_data(self.data)
        household: dict[str, tuple[str, str]] = {}
        members: dict[tuple[int, str], tuple[str, str]] = {}
        loose: list[str] = []
        loose_error = False
        member_lines: list[str] = []
        for p in self.problems:
            entry = (p.severity, p.message)
            if p.member_index is not None:
                members.setdefault((p.member_index, p.field), entry)
                member_lines.append(("✖ " if p.severity == "error" else "△ ") + p.message)
            elif p.field in self.basic_form.editors:
                household.setdefault(p.field, entry)
            else:
                loose.append(("✖ " if p.severity == "error" else "△ ") + p.message)
                loose_error = loose_error or p.severity == "error"
        loose += [("✖ 核查：" if f.severity == "错误" else "△ 核查：") + f.message for f in self.check_findings]
        loose_error = loose_error or any(f.severity == "错误" for f in self.check_findings)
        self.basic_form.set_problems(household)
        self.status_form.set_problems(household)
        self.conditions_form.set_problems({p.field: (p.severity, p.message) for p in self.problems
                                           if p.field in self.conditions_form.editors and p.member_index is None})
        self.member_model.set_problems(members)
        self.household_problems.setText("\n".join(loose))
        self.household_problems.setStyleSheet("color:#b42318;" if loose_error else "color:#9a6700;")
        self.member_problems.setText("\n".join(member_lines[:12]) + ("\n……" if len(member_lines) > 12 else ""))
        self.member_problems.setStyleSheet("color:#9a6700;" if all(
            p.severity == "warning" for p in self.problems if p.member_index is not None) else "color:#b42318;")
        errors = sum(p.severity == "error" for p in self.problems)
        warnings = len(self.problems) - errors
        blocking = [p for p in self.problems if p.identity]
        dirty = self.is_dirty()
        parts = []
        if blocking:
            parts.append(f"<span style='color:#b42318'>有 {len(blocking)} 个身份错误，改正后才能保存</span>")
        elif errors:
            parts.append(f"<span style='color:#b42318'>{errors} 个错误</span>")
        if warnings:
            parts.append(f"<span style='color:#9a6700'>{warnings} 个提醒</span>")
        if not parts:
            parts.append("<span style='color:#1a7f37'>数据检查通过</span>")
        if dirty:
            parts.append("<b>有未保存的修改</b>")
        self.problem_summary.setText("　".join(parts))
        self.problem_summary.setToolTip("\n".join(p.message for p in self.problems))
        self.save_button.setEnabled(dirty)
        self.revert_button.setEnabled(dirty)

    # -- saving ---------------------------------------------------------------------------
    def save(self) -> bool:
        """Save the edits; True when saved (or nothing to save)."""
        if not self.is_dirty():
            return True
        try:
            with self.db.session(note="户信息修改") as s:
                result = svc.save_household(s, self.base, self.data)
        except svc.HouseholdChangedError as err:
            self._conflict(err)
            return False
        except ConcurrentEditError as err:
            show_user_error(self, err, "保存")
            return False
        except UserError as err:
            show_user_error(self, err, "保存")
            return False
        if not result.saved:
            blocking = [p.message for p in result.problems if p.identity]
            QMessageBox.warning(self, "不能保存", "以下问题会弄错“谁是谁”，请先改正：\n" + "\n".join(blocking))
            return False
        self.reload()
        self.saved.emit(self.household_id)
        return True

    def _conflict(self, err: svc.HouseholdChangedError) -> None:
        dialog = ConflictDialog(err, self)
        self.conflict_dialog = dialog

        def finished(code: int) -> None:
            self.conflict_dialog = None
            if code == ConflictDialog.MERGE:
                merged, _conflicts = svc.merge_edits(self.base, self.data, err.theirs)
                self._show(err.theirs, merged)
            elif code == ConflictDialog.RELOAD:
                self._show(err.theirs, err.theirs.copy())
            dialog.deleteLater()

        dialog.finished.connect(finished)
        dialog.open()

    def revert(self) -> None:
        self._show(self.base, self.base.copy())

    # -- actions --------------------------------------------------------------------------
    ACTIONS: ClassVar[dict[str, type[dialogs.ActionDialog]]] = {
        "add": dialogs.AddMemberDialog, "remove": dialogs.RemoveMemberDialog,
        "split": dialogs.SplitDialog, "merge": dialogs.MergeDialog, "exit": dialogs.ExitDialog,
        "return": dialogs.ReturnDialog, "monitor": dialogs.StartMonitoringDialog,
        "eliminate": dialogs.EliminateRiskDialog, "close": dialogs.CloseHouseholdDialog,
    }

    def start_action(self, key: str) -> dialogs.ActionDialog | None:
        """Open the action's dialog (non-blocking; ``action_dialog`` holds it). Unsaved
        edits are saved first, since the action changes the household underneath them."""
        if self.is_dirty():
            answer = QMessageBox.question(self, "先保存", "办理变动前需要先保存当前的修改。现在保存吗？")
            if answer != QMessageBox.StandardButton.Yes or not self.save():
                return None
        dialog = self.ACTIONS[key](self.db, self.data, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.done_.connect(self._action_done)
        dialog.finished.connect(lambda _c: setattr(self, "action_dialog", None))
        self.action_dialog = dialog
        dialog.open()
        return dialog

    def _action_done(self, _household_id: int) -> None:
        try:
            self.reload()
        except Exception as exc:  # noqa: BLE001 - shown, not swallowed
            show_error(self, exc)
            return
        self.saved.emit(self.household_id)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.is_dirty():
            box = QMessageBox(QMessageBox.Icon.Question, "关闭", "有未保存的修改。要保存吗？",
                              QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                              | QMessageBox.StandardButton.Cancel, self)
            box.button(QMessageBox.StandardButton.Save).setText("保存")
            box.button(QMessageBox.StandardButton.Discard).setText("不保存")
            box.button(QMessageBox.StandardButton.Cancel).setText("取消")
            answer = box.exec()
            if answer == QMessageBox.StandardButton.Cancel:
                event.ignore()
                return
            if answer == QMessageBox.StandardButton.Save and not self.save():
                event.ignore()
                return
        super().closeEvent(event)
