"""The household window's 监测 tab: the monitoring cases, and for the selected case its
risks and its 帮扶措施, which the clerk adds, corrects, ends or removes through dialogs.

Each measure change is its own unit of work (``services.registry.add_measure`` …), so it
neither needs nor disturbs unsaved edits on the other tabs; the tab then re-reads the
household's cases and measures.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from fupin_desktop.codes import label_of
from fupin_desktop.db import Database
from fupin_desktop.errors import ConcurrentEditError, UserError
from fupin_desktop.rules.monitoring import RISK_MEASURES, unanswered_risks
from fupin_desktop.services import registry as svc
from fupin_desktop.ui.errors import show_user_error
from fupin_desktop.ui.registry.models import RecordTableModel
from fupin_desktop.ui.registry.widgets import FieldForm, date_edit, date_of, record_view

CASE_COLUMNS = (
    ("category", "监测对象类别"), ("identified_ym", "识别监测时间"), ("risks", "致贫/返贫风险"),
    ("state", "状态"), ("measure_count", "帮扶措施"), ("elimination_mode", "消除方式"),
    ("eliminated_ym", "消除时间"), ("dev_measures_status", "开发式帮扶措施"),
    ("monitor_contact", "监测联系人"), ("monitor_phone", "联系电话"), ("note", "风险说明"),
)
MEASURE_COLUMNS = (
    ("category_label", "措施类别"), ("content", "措施内容"), ("unit", "责任单位"), ("year", "年度"),
    ("start_text", "开始日期"), ("end_text", "结束日期"), ("amount_text", "金额（元）"),
    ("status", "状态"),
)
# The row for measures tied to no monitoring case (imported ones, older records).
OTHER_CASE = "（未关联监测记录的措施）"


class _MeasureWriteDialog(QDialog):
    """A dialog that writes one measure change in its own unit of work on 保存/确定:
    a ``UserError`` keeps it open with the message; someone else's newer change closes it
    (the tab re-reads, so the clerk sees theirs) rather than overwrite it."""

    saved = Signal()

    def _button_box(self, ok_text: str) -> QDialogButtonBox:
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        return buttons

    def ready(self) -> bool:
        """Checks before writing; False keeps the dialog open."""
        return True

    def write(self, session) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def accept(self) -> None:
        if not self.ready():
            return
        try:
            with self.db.session(note=self.windowTitle()) as s:
                self.write(s)
        except ConcurrentEditError as err:
            show_user_error(self, err, self.windowTitle())
            super().reject()
            self.saved.emit()
            return
        except UserError as err:
            show_user_error(self, err, self.windowTitle())
            return
        super().accept()
        self.saved.emit()


class MeasureDialog(_MeasureWriteDialog):
    """新增 or 修改 one 帮扶措施. Each field is checked as it is typed and its problems show
    beside it in Chinese (on a new measure, a field not yet filled is flagged only once 保存
    is pressed); 保存 with errors only shows them, and a refusal by the service keeps the
    dialog open with its message."""

    def __init__(self, db: Database, household_id: int, case: dict[str, Any] | None,
                 measure: dict[str, Any] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.household_id = household_id
        self.case = case
        self.measure = measure
        self.setWindowTitle("修改帮扶措施" if measure else "新增帮扶措施")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        if case is not None:
            where = QLabel(f"监测记录：{case['identified_ym']} 识别，{case['category']}；"
                           f"风险：{case['risks'] or '未填'}")
        else:
            where = QLabel("未关联监测记录的帮扶措施")
        where.setWordWrap(True)
        where.setStyleSheet("color:#5a6678;")
        layout.addWidget(where)
        self.form = FieldForm(svc.MEASURE_FIELDS, columns=1)
        layout.addWidget(self.form)
        layout.addWidget(self._button_box("保存"))
        if measure is not None:
            values = {s.name: measure.get(s.name) for s in svc.MEASURE_FIELDS}
        else:
            values = {s.name: None for s in svc.MEASURE_FIELDS}
            values["start_date"] = dt.date.today()
            values["category"] = self._suggested_category()
        self.form.bind(values)
        self._touched: set[str] = set()
        self._show_all = measure is not None
        self.form.changed.connect(self._edited)
        self.problems: list = []
        self.check()

    def _edited(self, name: str) -> None:
        self._touched.add(name)
        self.check()

    def _suggested_category(self) -> str | None:
        """The first category that answers a risk no measure answers yet."""
        if self.case is None:
            return None
        taken = [m["category"] for m in self.case.get("measures", [])]
        gaps = unanswered_risks(self.case.get("risk_codes", []), taken)
        return RISK_MEASURES[gaps[0]][0] if gaps else None

    def values(self) -> dict[str, Any]:
        return dict(self.form.values())

    def check(self) -> bool:
        """Show the problems beside the fields; True when nothing blocks saving."""
        _clean, self.problems = svc.check_measure(
            self.values(), identified_ym=self.case["identified_ym"] if self.case else None)
        self.form.set_problems({p.field: (p.severity, p.message) for p in self.problems
                                if self._show_all or p.field in self._touched})
        self.adjustSize()  # problem lines come and go: keep every one of them readable
        return not any(p.severity == "error" for p in self.problems)

    def ready(self) -> bool:
        self._show_all = True  # from now on every field's problem shows
        return self.check()

    def write(self, session) -> None:
        if self.measure is None:
            svc.add_measure(session, self.household_id, self.values(),
                            case_id=self.case["id"] if self.case else None)
        else:
            svc.update_measure(session, self.measure["id"], self.values(), expected=self.measure)


class EndMeasureDialog(_MeasureWriteDialog):
    """结束措施: the date the measure stopped (it stays on record as 已结束)."""

    def __init__(self, db: Database, measure: dict[str, Any], parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.measure = measure
        self.setWindowTitle("结束帮扶措施")
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        what = QLabel(f"{measure['category_label']}：{measure.get('content') or ''}"
                      f"（{measure['start_text'] or '开始日期未填'} 起）")
        what.setWordWrap(True)
        layout.addWidget(what)
        form = QFormLayout()
        self.end_date = date_edit()
        self.end_date.setObjectName("endDate")
        form.addRow("结束日期：", self.end_date)
        layout.addLayout(form)
        layout.addWidget(self._button_box("确定"))

    def date(self) -> dt.date:
        return date_of(self.end_date)

    def write(self, session) -> None:
        svc.end_measure(session, self.measure["id"], self.date(), expected=self.measure)


class MonitoringTab(QWidget):
    """Cases on top; below, the selected case's risks, what the county checks would flag,
    and its 帮扶措施 with 新增 / 修改 / 结束 / 删除."""

    measures_changed = Signal()

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.household_id: int | None = None
        self.active = True
        self.dialog: QDialog | None = None

        self.case_model = RecordTableModel(CASE_COLUMNS, self)
        self.case_view = record_view(self.case_model, "monitoringTable")
        for col, width in enumerate((110, 90, 230, 90, 64, 64, 64, 100, 80, 100)):
            self.case_view.setColumnWidth(col, width)
        self.case_view.selectionModel().selectionChanged.connect(lambda *_: self._show_case())

        self.case_title = QLabel()
        self.case_title.setObjectName("caseTitle")
        self.case_title.setStyleSheet("font-weight:bold;")
        self.risk_label = QLabel()
        self.risk_label.setObjectName("caseRisks")
        self.risk_label.setWordWrap(True)
        self.case_facts = QLabel()
        self.case_facts.setObjectName("caseFacts")
        self.case_facts.setStyleSheet("color:#5a6678;")
        self.case_facts.setWordWrap(True)
        self.gap_label = QLabel()
        self.gap_label.setObjectName("measureGaps")
        self.gap_label.setWordWrap(True)
        self.gap_label.setStyleSheet("color:#9a6700;")

        self.measure_model = RecordTableModel(
            MEASURE_COLUMNS, self, right=("amount_text",),
            muted=lambda m: m.get("status") == svc.MEASURE_ENDED)
        self.measure_view = record_view(self.measure_model, "measureTable")
        for col, width in enumerate((100, 240, 200, 50, 90, 90, 90)):
            self.measure_view.setColumnWidth(col, width)
        self.measure_view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.measure_view.doubleClicked.connect(lambda _i: self.edit_measure())

        self.add_button = QPushButton("新增措施…")
        self.add_button.setObjectName("addMeasure")
        self.add_button.clicked.connect(self.add_measure)
        self.edit_button = QPushButton("修改…")
        self.edit_button.setObjectName("editMeasure")
        self.edit_button.clicked.connect(self.edit_measure)
        self.end_button = QPushButton("结束措施…")
        self.end_button.setObjectName("endMeasure")
        self.end_button.clicked.connect(self.end_measure)
        self.delete_button = QPushButton("删除")
        self.delete_button.setObjectName("deleteMeasure")
        self.delete_button.setToolTip("只用于删除录错的记录；措施停止请用“结束措施”")
        self.delete_button.clicked.connect(self.delete_measure)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.end_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)

        self.detail = QGroupBox("所选监测记录的风险和帮扶措施")
        detail_layout = QVBoxLayout(self.detail)
        detail_layout.addWidget(self.case_title)
        detail_layout.addWidget(self.risk_label)
        detail_layout.addWidget(self.case_facts)
        detail_layout.addWidget(self.gap_label)
        detail_layout.addWidget(self.measure_view, 1)
        detail_layout.addLayout(buttons)

        self.empty_label = QLabel("这户没有监测记录。纳入防返贫监测请用上方“纳入监测…”。")
        self.empty_label.setObjectName("noCases")
        self.empty_label.setStyleSheet("color:#5a6678;")

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.case_view)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)
        self.case_view.setMinimumHeight(80)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty_label)
        layout.addWidget(splitter, 1)

    # -- content --------------------------------------------------------------------------
    def set_cases(self, household_id: int, cases: list[dict[str, Any]],
                  other_measures: list[dict[str, Any]], active: bool) -> None:
        """Show the household's cases (``HouseholdData.monitoring``) and measures tied to no
        case; keeps the selected case when it is still there, else picks the open one."""
        keep = self.current_case()
        self.household_id = household_id
        self.active = active
        rows = list(cases)
        if other_measures:
            rows.append({"id": None, "category": OTHER_CASE, "measures": other_measures,
                         "measure_count": f"{len(other_measures)} 项", "risk_codes": [],
                         "gaps": [], "identified_ym": "", "risks": ""})
        self.case_model.set_rows(rows)
        self.empty_label.setVisible(not cases)
        row = -1
        if keep is not None:
            row = next((i for i, c in enumerate(rows) if c.get("id") == keep.get("id")), -1)
        if row < 0 and rows:
            open_rows = [i for i, c in enumerate(rows) if c.get("state_code") not in (None, "07")]
            row = open_rows[-1] if open_rows else len(rows) - 1
        if row >= 0:
            self.case_view.selectionModel().setCurrentIndex(
                self.case_model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self._show_case()

    def reload(self) -> None:
        """Re-read the cases and measures (after a measure was saved)."""
        if self.household_id is None:
            return
        with self.db.session() as s:
            cases, others = svc.household_monitoring(s, self.household_id)
        self.set_cases(self.household_id, cases, others, self.active)

    def current_case(self) -> dict[str, Any] | None:
        index = self.case_view.currentIndex()
        rows = self.case_model.rows()
        return rows[index.row()] if index.isValid() and index.row() < len(rows) else None

    def current_measure(self) -> dict[str, Any] | None:
        index = self.measure_view.currentIndex()
        rows = self.measure_model.rows()
        return rows[index.row()] if index.isValid() and index.row() < len(rows) else None

    def select_measure(self, row: int) -> None:
        self.measure_view.selectRow(row)

    def _show_case(self) -> None:
        case = self.current_case()
        self.detail.setEnabled(case is not None)
        if case is None:
            self.case_title.setText("")
            self.risk_label.setText("")
            self.case_facts.setText("")
            self.gap_label.setText("")
            self.measure_model.set_rows([])
            self._update_buttons()
            return
        measures = case.get("measures", [])
        if case.get("id") is None:
            self.case_title.setText(OTHER_CASE)
            self.risk_label.setText("")
            self.case_facts.setText("")
        else:
            self.case_title.setText(f"{case['identified_ym']} 识别　{case['category']}　{case['state']}")
            chips = "".join(
                f"<span style='background:#fde8d7;color:#8a3c0c;'>&nbsp;{label_of('risk_type', r)}&nbsp;</span>&nbsp;"
                for r in case.get("risk_codes", []))
            self.risk_label.setText(f"致贫/返贫风险：{chips or '未填'}")
            facts = [f"开发式帮扶措施：{case.get('dev_measures_status') or '未填'}"]
            for key, label in (("dibao_status", "低保"), ("tekun_status", "特困供养")):
                if case.get(key):
                    facts.append(f"{label}：{case[key]}")
            if case.get("eliminated_ym"):
                facts.append(f"{case['elimination_mode']} {case['eliminated_ym']}")
            ongoing = sum(m["status"] == svc.MEASURE_ONGOING for m in measures)
            facts.append(f"帮扶措施 {len(measures)} 项（实施中 {ongoing} 项）")
            self.case_facts.setText("　".join(facts))
        self.gap_label.setText("\n".join("△ " + g for g in case.get("gaps", [])))
        self.gap_label.setVisible(bool(case.get("gaps")))
        self.measure_model.set_rows(measures)
        self._update_buttons()

    def _update_buttons(self) -> None:
        case = self.current_case()
        measure = self.current_measure()
        self.add_button.setEnabled(case is not None and self.active)
        self.edit_button.setEnabled(measure is not None)
        self.delete_button.setEnabled(measure is not None)
        self.end_button.setEnabled(measure is not None and measure["status"] == svc.MEASURE_ONGOING)

    # -- actions --------------------------------------------------------------------------
    def _open(self, dialog: QDialog) -> QDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._changed)  # type: ignore[attr-defined]
        dialog.finished.connect(lambda _c: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()
        return dialog

    def add_measure(self) -> QDialog | None:
        case = self.current_case()
        if case is None or self.household_id is None:
            return None
        real_case = case if case.get("id") is not None else None
        return self._open(MeasureDialog(self.db, self.household_id, real_case, None, self))

    def edit_measure(self) -> QDialog | None:
        measure = self.current_measure()
        if measure is None or self.household_id is None:
            return None
        case = self.current_case()
        real_case = case if case and case.get("id") is not None else None
        return self._open(MeasureDialog(self.db, self.household_id, real_case, measure, self))

    def end_measure(self) -> QDialog | None:
        measure = self.current_measure()
        if measure is None or measure["status"] != svc.MEASURE_ONGOING:
            return None
        return self._open(EndMeasureDialog(self.db, measure, self))

    def delete_measure(self) -> bool:
        measure = self.current_measure()
        if measure is None:
            return False
        answer = QMessageBox.question(
            self, "删除帮扶措施",
            f"删除“{measure['category_label']}：{measure.get('content') or ''}”？\n"
            "只用于删除录错的记录；措施停止请用“结束措施”，记录会保留。")
        if answer != QMessageBox.StandardButton.Yes:
            return False
        try:
            with self.db.session(note="删除帮扶措施") as s:
                svc.delete_measure(s, measure["id"], expected=measure)
        except UserError as err:
            show_user_error(self, err, "删除帮扶措施")
            self.reload()
            return False
        self._changed()
        return True

    def _changed(self) -> None:
        self.reload()
        self.measures_changed.emit()
