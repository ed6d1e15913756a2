"""防返贫 page (三级管理、三段防控): tabs 定级 (suggested grades, confirm / adjust), 预警 (the
warnings to verify) and 走访 (a helper's or a village's visits of a month, record a visit,
print the plan). 规则设置 edits the rule table."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QBrush, QColor, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from sqlalchemy import select

from fupin_desktop.db import Database
from fupin_desktop.errors import UserError
from fupin_desktop.models import Helper, Region
from fupin_desktop.services import registry as reg
from fupin_desktop.services import risk
from fupin_desktop.ui.checks.findings import HouseholdOpener
from fupin_desktop.ui.errors import show_user_error
from fupin_desktop.ui.registry.models import RecordTableModel
from fupin_desktop.ui.registry.widgets import record_view
from fupin_desktop.ui.risk.dialogs import (
    AdjustGradeDialog,
    NoRiskDialog,
    RulesDialog,
    VisitDialog,
    WarningMonitoringDialog,
)
from fupin_desktop.ui.widgets.regions import RegionCombo
from fupin_desktop.ui.widgets.titles import page_title

GRADE_COLUMNS = (("household_no", "户编号"), ("head_name", "户主"), ("place", "村"), ("current", "现等级"),
                 ("suggested", "建议等级"), ("reasons", "触发的规则"))
WARNING_COLUMNS = (("household_no", "户编号"), ("head_name", "户主"), ("grade", "等级"), ("rule", "预警"),
                   ("message", "情况"), ("raised", "发现日期"), ("due", "核实期限"), ("status", "状态"),
                   ("note", "核实情况"))
VISIT_COLUMNS = (("helper", "帮扶责任人"), ("household_no", "户编号"), ("head_name", "户主"), ("place", "村"),
                 ("grade", "等级"), ("last", "上次走访"), ("due", "应走访"), ("status", "状态"))
ALERT_FG = QBrush(QColor("#b3261e"))
DONE_FG = QBrush(QColor("#2e7d32"))
GRADE_FG = {"一级": QBrush(QColor("#b3261e")), "二级": QBrush(QColor("#b26a00"))}


class _Model(RecordTableModel):
    """Rows coloured by a key: 逾期 / 一级 red, 已走访 green."""

    def __init__(self, columns, parent, colour_key: str):
        super().__init__(columns, parent)
        self.colour_key = colour_key

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.ForegroundRole and index.isValid():
            row = self.rows()[index.row()]
            value = row.get(self.colour_key)
            if row.get("alert"):
                return ALERT_FG
            if value == "已走访":
                return DONE_FG
            return GRADE_FG.get(value)
        return super().data(index, role)


def _view(model, name: str, *, multi: bool = False):
    view = record_view(model, name)
    if multi:
        view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


def _tab(tools: list, summary: QLabel, view) -> QWidget:
    """A tab: a tool row (widgets; a str is a label, None the stretch), a summary line, the table."""
    top = QHBoxLayout()
    for item in tools:
        if item is None:
            top.addStretch(1)
        else:
            top.addWidget(QLabel(item) if isinstance(item, str) else item)
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.addLayout(top)
    layout.addWidget(summary)
    layout.addWidget(view, 1)
    return box


def _selected_rows(view) -> list[int]:
    return sorted({i.row() for i in view.selectionModel().selectedRows()})


class RiskPage(QWidget):
    """防返贫: registered in the main window under the key ``risk``."""

    key: ClassVar[str] = "risk"
    title: ClassVar[str] = "防返贫"
    icon_name: ClassVar[str] = "risk"

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.setObjectName("page_risk")
        self.opener = HouseholdOpener(db, self)
        self.suggestions: list[risk.Suggestion] = []
        self.warnings: list[risk.WarningRow] = []
        self.visits: list[risk.VisitDue] = []
        self.names: dict[str, str] = {}
        self.dialog: QWidget | None = None

        self.status_label = QLabel()
        self.status_label.setObjectName("riskStatus")
        self.status_label.setWordWrap(True)
        self.region_combo = RegionCombo()
        self.region_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        rules_button = QPushButton("规则设置…")
        rules_button.clicked.connect(self.edit_rules)
        tools = QHBoxLayout()
        tools.addWidget(QLabel("区划"))
        tools.addWidget(self.region_combo)
        tools.addStretch(1)
        tools.addWidget(rules_button)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("riskTabs")
        self.tabs.addTab(self._grades_tab(), "定级")
        self.tabs.addTab(self._warnings_tab(), "预警")
        self.tabs.addTab(self._visits_tab(), "走访")
        self.tabs.currentChanged.connect(lambda _i: self._load_tab())

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 12)
        self.title_label = page_title(self.title)
        layout.addWidget(self.title_label)
        layout.addWidget(self.status_label)
        layout.addLayout(tools)
        layout.addWidget(self.tabs, 1)

    # -- tabs ---------------------------------------------------------------------------------
    def _grades_tab(self) -> QWidget:
        self.grade_model = _Model(GRADE_COLUMNS, self, "suggested")
        self.grade_view = _view(self.grade_model, "gradeTable", multi=True)
        self.grade_view.doubleClicked.connect(lambda i: self._open(self.grade_model, i.row()))
        self.compute_button = QPushButton("按规则计算")
        self.compute_button.setObjectName("computeGrades")
        self.compute_button.clicked.connect(self.compute_grades)
        self.changed_only = QCheckBox("只看与现等级不同的户")
        self.changed_only.setChecked(True)
        self.changed_only.toggled.connect(lambda _on: self._show_grades())
        self.grade_filter = QComboBox()
        self.grade_filter.addItem("全部建议等级", None)
        for g in risk.GRADES:
            self.grade_filter.addItem(risk.GRADE_TITLES[g], g)
        self.grade_filter.currentIndexChanged.connect(lambda _i: self._show_grades())
        confirm = QPushButton("确认建议等级")
        confirm.setObjectName("confirmGrades")
        confirm.setToolTip("把选中各户定为建议等级（已调整过且建议未变的户不受影响）")
        confirm.clicked.connect(self.confirm_selected)
        adjust = QPushButton("调整…")
        adjust.setObjectName("adjustGrade")
        adjust.clicked.connect(self.adjust_selected)
        self.grade_summary = QLabel("点“按规则计算”，列出每户的建议等级和触发的规则。等级由您确认或调整后才生效。")
        self.grade_summary.setObjectName("gradeSummary")
        self.grade_summary.setWordWrap(True)
        return _tab([self.compute_button, self.grade_filter, self.changed_only, None, confirm, adjust],
                    self.grade_summary, self.grade_view)

    def _warnings_tab(self) -> QWidget:
        self.warning_model = _Model(WARNING_COLUMNS, self, "status")
        self.warning_view = _view(self.warning_model, "warningTable")
        self.warning_view.doubleClicked.connect(lambda i: self._open(self.warning_model, i.row()))
        raise_button = QPushButton("生成预警")
        raise_button.setObjectName("refreshWarnings")
        raise_button.clicked.connect(self.refresh_warnings)
        self.warning_status = QComboBox()
        self.warning_status.addItem("待核实", (risk.PENDING,))
        self.warning_status.addItem("全部", ())
        self.warning_status.currentIndexChanged.connect(lambda _i: self._load_warnings())
        monitor = QPushButton("纳入监测…")
        monitor.setObjectName("warningToMonitoring")
        monitor.clicked.connect(self.warning_to_monitoring)
        no_risk = QPushButton("核实无风险…")
        no_risk.setObjectName("warningNoRisk")
        no_risk.clicked.connect(self.warning_no_risk)
        self.warning_summary = QLabel()
        self.warning_summary.setObjectName("warningSummary")
        return _tab([raise_button, "状态", self.warning_status, None, monitor, no_risk], self.warning_summary,
                    self.warning_view)

    def _visits_tab(self) -> QWidget:
        self.visit_model = _Model(VISIT_COLUMNS, self, "status")
        self.visit_view = _view(self.visit_model, "visitTable")
        self.visit_view.doubleClicked.connect(lambda i: self.record_visit(i.row()))
        self.month = QDateEdit(QDate.currentDate())
        self.month.setDisplayFormat("yyyy-MM")
        self.month.setCalendarPopup(False)
        self.month.dateChanged.connect(lambda _d: self._load_visits())
        self.helper_combo = QComboBox()
        self.helper_combo.setObjectName("helperCombo")
        self.helper_combo.setMinimumContentsLength(10)
        self.helper_combo.currentIndexChanged.connect(lambda _i: self._load_visits())
        record = QPushButton("记录走访…")
        record.setObjectName("recordVisit")
        record.clicked.connect(lambda: self.record_visit(self.visit_view.currentIndex().row()))
        print_button = QPushButton("打印走访计划…")
        print_button.setObjectName("printVisitPlan")
        print_button.clicked.connect(self.print_plan_dialog)
        self.visit_summary = QLabel()
        self.visit_summary.setObjectName("visitSummary")
        return _tab(["月份", self.month, "帮扶责任人", self.helper_combo, None, record, print_button],
                    self.visit_summary, self.visit_view)

    # -- data ---------------------------------------------------------------------------------
    def region(self) -> str | None:
        return self.region_combo.code()

    def refresh(self) -> None:
        with self.db.session() as s:
            self.region_combo.blockSignals(True)
            self.region_combo.set_nodes(reg.region_tree(s))
            self.region_combo.blockSignals(False)
            self.names = dict(s.execute(select(Region.code, Region.name)).all())
            helpers = s.execute(select(Helper.id, Helper.name, Helper.unit_name).order_by(Helper.name)).all()
            graded = risk.current_grades(s)
        current = self.helper_combo.currentData()
        self.helper_combo.blockSignals(True)
        self.helper_combo.clear()
        self.helper_combo.addItem("全部", None)
        for hid, name, unit in helpers:
            self.helper_combo.addItem(f"{name}（{unit}）" if unit else name, hid)
        self.helper_combo.setCurrentIndex(max(self.helper_combo.findData(current), 0))
        self.helper_combo.blockSignals(False)
        counts = {g: sum(1 for v in graded.values() if v == g) for g in risk.GRADES}
        self.status_label.setText("已定级 " + "，".join(f"{risk.GRADE_TITLES[g]} {counts[g]} 户" for g in risk.GRADES)
                                  + "。三级管理、三段防控：定级 → 预警 → 走访，等级决定预警的核实期限和走访频次。")
        self._load_tab()

    def _load_tab(self) -> None:
        index = self.tabs.currentIndex()
        if index == 0:
            self._show_grades()
        elif index == 1:
            self._load_warnings()
        else:
            self._load_visits()

    def _place(self, code: str) -> str:
        return self.names.get(code, code)

    def compute_grades(self) -> None:
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            with self.db.session() as s:
                self.suggestions = risk.suggest_grades(s, self.region())
        finally:
            QGuiApplication.restoreOverrideCursor()
        self._show_grades()

    def _show_grades(self) -> None:
        wanted = self.grade_filter.currentData()
        shown = [x for x in self.suggestions if (not self.changed_only.isChecked() or x.changed)
                 and (wanted is None or x.grade == wanted)]
        self.grade_model.set_rows([{
            "id": x.household_id, "household_no": x.household_no, "head_name": x.head_name,
            "place": self._place(x.region_code), "current": risk.GRADE_LABELS.get(x.current, "未定级"),
            "suggested": risk.GRADE_LABELS[x.grade], "reasons": "；".join(r.text for r in x.reasons) or "未触发规则",
        } for x in shown])
        if self.suggestions:
            counts = {g: sum(x.grade == g for x in self.suggestions) for g in risk.GRADES}
            self.grade_summary.setText(
                f"计算了 {len(self.suggestions)} 户脱贫户和监测对象：建议"
                + "，".join(f"{risk.GRADE_LABELS[g]} {counts[g]} 户" for g in risk.GRADES)
                + f"；与现等级不同 {sum(x.changed for x in self.suggestions)} 户，列出 {len(shown)} 户。")

    def _suggestion_at(self, row: int) -> risk.Suggestion | None:
        rows = self.grade_model.rows()
        if not 0 <= row < len(rows):
            return None
        return next((x for x in self.suggestions if x.household_id == rows[row]["id"]), None)

    def confirm_selected(self) -> int:
        chosen = [s for s in (self._suggestion_at(r) for r in _selected_rows(self.grade_view)) if s]
        if not chosen:
            QMessageBox.information(self, "确认建议等级", "请先在列表中选中要确认的户（可按住 Ctrl 或 Shift 多选）。")
            return 0
        with self.db.session(note="风险定级") as s:
            n = risk.apply_suggestions(s, chosen, note="确认建议等级")
        self.compute_grades()
        self.refresh()
        return n

    def adjust_selected(self) -> AdjustGradeDialog | None:
        rows = _selected_rows(self.grade_view)
        suggestion = self._suggestion_at(rows[0]) if rows else None
        if suggestion is None:
            QMessageBox.information(self, "调整风险等级", "请先在列表中选中一户。")
            return None
        self.dialog = dialog = AdjustGradeDialog(self.db, suggestion, self)
        dialog.accepted.connect(lambda: (self.compute_grades(), self.refresh()))
        dialog.show()
        return dialog

    def refresh_warnings(self) -> risk.RefreshResult:
        with self.db.session(note="监测预警") as s:
            result = risk.refresh_warnings(s, self.region())
        self._load_warnings()
        self.warning_summary.setText(f"新增预警 {result.raised} 条，自动解除 {result.cleared} 条。"
                                     + self.warning_summary.text())
        return result

    def _load_warnings(self) -> None:
        with self.db.session() as s:
            self.warnings = risk.list_warnings(s, self.region(), statuses=self.warning_status.currentData())
        self.warning_model.set_rows([{
            "id": w.id, "household_id": w.household_id, "household_no": w.household_no, "head_name": w.head_name,
            "grade": w.grade or "未定级", "rule": w.rule_title, "message": w.message,
            "raised": f"{w.raised_on:%Y-%m-%d}", "due": f"{w.due_on:%Y-%m-%d}" + ("（逾期）" if w.overdue else ""),
            "status": w.status_label, "note": w.note, "alert": w.overdue,
        } for w in self.warnings])
        pending = [w for w in self.warnings if w.status == risk.PENDING]
        self.warning_summary.setText(f"待核实 {len(pending)} 条，其中逾期 {sum(w.overdue for w in pending)} 条。"
                                     "双击打开农户；核实后选“纳入监测”或“核实无风险”。")

    def _warning_at(self) -> risk.WarningRow | None:
        row = self.warning_view.currentIndex().row()
        if not 0 <= row < len(self.warnings):
            QMessageBox.information(self, "监测预警", "请先在列表中选中一条预警。")
            return None
        return self.warnings[row]

    def warning_no_risk(self) -> NoRiskDialog | None:
        warning = self._warning_at()
        if warning is None:
            return None
        self.dialog = dialog = NoRiskDialog(self.db, warning, self)
        dialog.accepted.connect(self._load_warnings)
        dialog.show()
        return dialog

    def warning_to_monitoring(self) -> WarningMonitoringDialog | None:
        warning = self._warning_at()
        if warning is None:
            return None
        try:
            self.dialog = dialog = WarningMonitoringDialog(self.db, warning, self)
        except UserError as err:
            show_user_error(self, err, "纳入监测")
            return None
        dialog.done_.connect(lambda _hid: self._load_warnings())
        dialog.show()
        return dialog

    def month_text(self) -> str:
        return self.month.date().toString("yyyy-MM")

    def _load_visits(self) -> None:
        with self.db.session() as s:
            self.visits = risk.visit_schedule(s, self.month_text(), region_code=self.region(),
                                              helper_id=self.helper_combo.currentData())
        self.visit_model.set_rows([{
            "id": v.household_id, "helper": v.helper or "（未落实）", "household_no": v.household_no,
            "head_name": v.head_name, "place": self._place(v.region_code) + v.group_name,
            "grade": risk.GRADE_LABELS[v.grade], "last": f"{v.last_visit:%Y-%m-%d}" if v.last_visit else "无",
            "due": f"{v.due:%Y-%m-%d}", "status": v.status + (f" {v.done_on:%m-%d}" if v.done_on else ""),
            "alert": v.overdue,
        } for v in self.visits])
        done = sum(1 for v in self.visits if v.done_on)
        self.visit_summary.setText(f"{self.month_text()} 应走访 {len(self.visits)} 户：已走访 {done} 户，"
                                   f"逾期 {sum(v.overdue for v in self.visits)} 户。双击一户记录走访。")

    def record_visit(self, row: int) -> VisitDialog | None:
        if not 0 <= row < len(self.visits):
            QMessageBox.information(self, "记录走访", "请先在列表中选中一户。")
            return None
        self.dialog = dialog = VisitDialog(self.db, self.visits[row], self)
        dialog.accepted.connect(self._load_visits)
        dialog.show()
        return dialog

    def print_plan_dialog(self) -> None:
        helper = self.helper_combo.currentData()
        if helper is None and self.region_combo.level() != "village":
            QMessageBox.information(self, "打印走访计划", "请选一位帮扶责任人，或在“区划”中选一个村。")
            return
        name = self.helper_combo.currentText() if helper is not None else self.region_combo.name()
        path, _ = QFileDialog.getSaveFileName(self, "打印走访计划", f"{name}{self.month_text()}走访计划.pdf",
                                              "PDF 文件 (*.pdf)")
        if path:
            self.print_plan(Path(path))

    def print_plan(self, path: Path) -> int:
        from fupin_desktop.services.risk.plan import visit_plan_data, write_visit_plan

        helper = self.helper_combo.currentData()
        try:
            with self.db.session() as s:
                data = visit_plan_data(s, self.month_text(), helper_id=helper,
                                       region_code=None if helper is not None else self.region())
            return write_visit_plan(data, path)
        except UserError as err:
            show_user_error(self, err, "打印走访计划")
            return 0

    def _open(self, model, row: int) -> None:
        rows = model.rows()
        if 0 <= row < len(rows):
            self.opener.open(rows[row].get("household_id") or rows[row]["id"])

    def edit_rules(self) -> RulesDialog:
        self.dialog = dialog = RulesDialog(self.db, self)
        dialog.accepted.connect(self.refresh)
        dialog.show()
        return dialog


__all__ = ["RiskPage"]
