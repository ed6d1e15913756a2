"""Dialogs of the 防返贫 area: adjust a grade, close a warning, record a visit, the rule table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fupin_desktop.db import Database
from fupin_desktop.errors import UserError
from fupin_desktop.models import AppSetting
from fupin_desktop.services import registry as svc
from fupin_desktop.services import risk
from fupin_desktop.services.checks.engine import MONITORING_LINE_SETTING
from fupin_desktop.ui.errors import show_user_error
from fupin_desktop.ui.registry.dialogs import StartMonitoringDialog
from fupin_desktop.ui.registry.widgets import date_edit, date_of


def _buttons(dialog: QDialog, ok: str = "确定") -> QDialogButtonBox:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    box.button(QDialogButtonBox.StandardButton.Ok).setText(ok)
    box.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


def grade_combo(current: str | None = None) -> QComboBox:
    combo = QComboBox()
    for g in risk.GRADES:
        combo.addItem(risk.GRADE_TITLES[g], g)
    if current:
        combo.setCurrentIndex(max(combo.findData(current), 0))
    return combo


class _WriteDialog(QDialog):
    """Writes in one session on 确定; stays open with the Chinese message on ``UserError``."""

    def __init__(self, db: Database, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.setWindowTitle(title)
        self.setMinimumWidth(440)

    def write(self, session) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def accept(self) -> None:
        try:
            with self.db.session(note=self.windowTitle()) as s:
                self.write(s)
        except UserError as err:
            show_user_error(self, err, self.windowTitle())
            return
        super().accept()


class AdjustGradeDialog(_WriteDialog):
    """调整等级: another grade than the suggestion, with the reason (required)."""

    def __init__(self, db: Database, suggestion: risk.Suggestion, parent: QWidget | None = None):
        super().__init__(db, "调整风险等级", parent)
        self.suggestion = suggestion
        layout = QVBoxLayout(self)
        reasons = "；".join(r.text for r in suggestion.reasons) or "未触发任何规则"
        intro = QLabel(f"{suggestion.head_name or ''}户（{suggestion.household_no}）建议等级："
                       f"{risk.GRADE_TITLES[suggestion.grade]}。\n触发的规则：{reasons}")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.grade = grade_combo(suggestion.current or suggestion.grade)
        self.grade.setObjectName("grade")
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText("与建议等级不同时必须填写，例如：已入户核实，大病已治愈")
        form.addRow("定为：", self.grade)
        form.addRow("理由：", self.reason)
        layout.addLayout(form)
        layout.addWidget(_buttons(self))

    def write(self, session) -> None:
        risk.set_grade(session, self.suggestion.household_id, self.grade.currentData(), reason=self.reason.text())


class NoRiskDialog(_WriteDialog):
    def __init__(self, db: Database, warning: risk.WarningRow, parent: QWidget | None = None):
        super().__init__(db, "核实无风险", parent)
        self.warning = warning
        layout = QVBoxLayout(self)
        intro = QLabel(f"{warning.head_name}户：{warning.message}")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.note = QLineEdit()
        self.note.setObjectName("note")
        self.note.setPlaceholderText("核实情况，例如：已入户核实，收入下降系统计口径变化")
        form = QFormLayout()
        form.addRow("核实情况：", self.note)
        layout.addLayout(form)
        layout.addWidget(_buttons(self))

    def write(self, session) -> None:
        risk.verify_no_risk(session, self.warning.id, self.note.text())


class WarningMonitoringDialog(StartMonitoringDialog):
    """纳入监测 from a warning: the registry's dialog, closing the warning in the same step."""

    title = "核实后纳入监测"

    def __init__(self, db: Database, warning: risk.WarningRow, parent: QWidget | None = None):
        with db.session() as s:
            household = svc.load_household(s, warning.household_id)
        self.warning = warning
        super().__init__(db, household, parent)
        self.note.setText(warning.message[:200])

    def run(self, s):
        risk.to_monitoring(s, self.warning.id, category=self.category.currentData() or "",
                           risks=self.checked_risks(), identified_ym=self.identified.text(),
                           contact=self.contact.text().strip() or None,
                           contact_phone=self.contact_phone.text().strip() or None,
                           **{k: v for k, v in self.common().items() if k != "note"},
                           note=self.note.text().strip())
        return self.household.id


class VisitDialog(_WriteDialog):
    """记录走访: date, what was found, what was done, the three signatures (tick + name)."""

    def __init__(self, db: Database, visit: risk.VisitDue, parent: QWidget | None = None):
        super().__init__(db, "记录走访", parent)
        self.visit = visit
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{visit.head_name}户（{visit.household_no}），{risk.GRADE_LABELS[visit.grade]}，"
                                f"应走访日期 {visit.due:%Y-%m-%d}"))
        form = QFormLayout()
        self.visited_on = date_edit(min(dt.date.today(), max(visit.due, dt.date.today().replace(day=1))))
        self.visited_on.setObjectName("visitedOn")
        self.findings = QPlainTextEdit()
        self.findings.setObjectName("findings")
        self.findings.setPlaceholderText("了解到的情况、发现的问题")
        self.findings.setMaximumHeight(70)
        self.content = QPlainTextEdit()
        self.content.setObjectName("content")
        self.content.setPlaceholderText("宣传的政策、落实的帮扶措施、解决的问题")
        self.content.setMaximumHeight(70)
        form.addRow("走访日期：", self.visited_on)
        form.addRow("了解到的情况：", self.findings)
        form.addRow("帮扶措施及\n解决的问题：", self.content)
        layout.addLayout(form)
        box = QGroupBox("三签字（勾选已签字的人并填写姓名）")
        grid = QGridLayout(box)
        self.signs: dict[str, tuple[QCheckBox, QLineEdit]] = {}
        defaults = {"household": visit.head_name, "helper": visit.helper, "cadre": ""}
        for row, (key, label) in enumerate(risk.SIGNERS):
            tick = QCheckBox(label + "签字")
            tick.setObjectName(f"sign_{key}")
            name = QLineEdit(defaults[key])
            name.setObjectName(f"signer_{key}")
            name.setPlaceholderText("姓名")
            grid.addWidget(tick, row, 0)
            grid.addWidget(name, row, 1)
            self.signs[key] = (tick, name)
        layout.addWidget(box)
        layout.addWidget(_buttons(self, "保存走访记录"))

    def write(self, session) -> None:
        signatures = {}
        for key, (tick, name) in self.signs.items():
            if tick.isChecked():
                if not name.text().strip():
                    raise UserError(f"已勾选{dict(risk.SIGNERS)[key]}签字，请填写签字人姓名。")
                signatures[key] = name.text().strip()
        risk.record_visit(session, self.visit.household_id, {
            "visited_on": date_of(self.visited_on), "findings": self.findings.toPlainText().strip(),
            "content": self.content.toPlainText().strip(), "helper_id": self.visit.helper_id,
            "signatures": signatures,
        })


class RulesDialog(_WriteDialog):
    """规则设置: the grading rules (on/off, threshold, grade), the warning rules, the days to
    verify a warning and the visit interval per grade, and the 监测范围 by year."""

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(db, "规则设置", parent)
        self.setMinimumWidth(720)
        with db.session() as s:
            self.settings = risk.stored_settings(s)
            row = s.get(AppSetting, MONITORING_LINE_SETTING)
            self.lines = dict(row.value or {}) if row is not None else {}
        layout = QVBoxLayout(self)
        intro = QLabel("建议等级取触发规则中最高的等级，没有触发任何规则为三级。修改后对全县生效，"
                       "已定的等级不会自动改变。")
        intro.setWordWrap(True)
        intro.setStyleSheet("color:#5a6678;")
        layout.addWidget(intro)
        self.grade_table = self._rule_table(risk.GRADE_RULES, self.settings["grading"], with_grade=True)
        self.grade_table.setObjectName("gradeRules")
        self.warning_table = self._rule_table(risk.WARNING_RULES, self.settings["warnings"], with_grade=False)
        self.warning_table.setObjectName("warningRules")
        layout.addWidget(QLabel("定级规则"))
        layout.addWidget(self.grade_table)
        layout.addWidget(QLabel("预警规则"))
        layout.addWidget(self.warning_table)
        per_grade = QGridLayout()
        per_grade.addWidget(QLabel("核实期限（天）"), 1, 0)
        per_grade.addWidget(QLabel("走访间隔（月）"), 2, 0)
        self.due: dict[str, QSpinBox] = {}
        self.months: dict[str, QSpinBox] = {}
        for col, g in enumerate(risk.GRADES, 1):
            per_grade.addWidget(QLabel(risk.GRADE_LABELS[g]), 0, col, Qt.AlignmentFlag.AlignCenter)
            for row, (store, values, high) in enumerate(((self.due, self.settings["due_days"], 365),
                                                         (self.months, self.settings["visit_months"], 12)), 1):
                spin = QSpinBox()
                spin.setRange(1, high)
                spin.setValue(int(values[g]))
                store[g] = spin
                per_grade.addWidget(spin, row, col)
        layout.addLayout(per_grade)
        lines = QHBoxLayout()
        lines.addWidget(QLabel("监测范围（人均纯收入，元）：按“年度=金额”填写，多个年度用逗号分开"))
        self.line_edit = QLineEdit("，".join(f"{y}={v}" for y, v in sorted(self.lines.items())))
        self.line_edit.setObjectName("monitoringLines")
        self.line_edit.setPlaceholderText("例如 2024=7000，2025=7500")
        lines.addWidget(self.line_edit, 1)
        layout.addLayout(lines)
        layout.addWidget(_buttons(self, "保存"))

    def _rule_table(self, defs, stored: dict[str, Any], *, with_grade: bool) -> QTableWidget:
        headers = ["启用", "规则", "阈值", "单位"] + (["等级"] if with_grade else [])
        table = QTableWidget(len(defs), len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.verticalHeader().setVisible(False)
        for row, d in enumerate(defs):
            item = stored[d.code]
            on = QTableWidgetItem()
            on.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            on.setCheckState(Qt.CheckState.Checked if item.get("enabled", True) else Qt.CheckState.Unchecked)
            on.setData(Qt.ItemDataRole.UserRole, d.code)
            table.setItem(row, 0, on)
            label = QTableWidgetItem(d.label.replace("N", "N" if d.threshold is not None else ""))
            label.setFlags(Qt.ItemFlag.ItemIsEnabled)
            table.setItem(row, 1, label)
            if d.threshold is not None:
                spin = QDoubleSpinBox()
                spin.setDecimals(0 if d.unit != "%" else 1)
                spin.setRange(0, 100 if d.unit == "%" else 3650)
                spin.setValue(float(item.get("threshold") or 0))
                table.setCellWidget(row, 2, spin)
            unit = QTableWidgetItem(d.unit)
            unit.setFlags(Qt.ItemFlag.ItemIsEnabled)
            table.setItem(row, 3, unit)
            if with_grade:
                table.setCellWidget(row, 4, grade_combo(str(item.get("grade", d.grade))))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(not with_grade)
        table.setColumnWidth(1, 380)
        table.setMinimumHeight(table.verticalHeader().length() + table.horizontalHeader().height() + 4)
        return table

    def _read_table(self, table: QTableWidget, part: str, with_grade: bool) -> None:
        for row in range(table.rowCount()):
            code = table.item(row, 0).data(Qt.ItemDataRole.UserRole)
            item = self.settings[part][code]
            item["enabled"] = table.item(row, 0).checkState() == Qt.CheckState.Checked
            spin = table.cellWidget(row, 2)
            if spin is not None:
                item["threshold"] = spin.value()
            if with_grade:
                item["grade"] = table.cellWidget(row, 4).currentData()

    def _lines(self) -> dict[str, str]:
        out = {}
        for part in self.line_edit.text().replace(",", "，").split("，"):
            part = part.strip()
            if not part:
                continue
            year, _, value = part.replace("：", "=").replace(":", "=").partition("=")
            try:
                amount = Decimal(value.strip().replace("元", ""))
            except InvalidOperation:
                amount = None
            if not (year.strip().isdigit() and len(year.strip()) == 4) or amount is None or amount <= 0:
                raise UserError(f"监测范围“{part}”应写成“年度=金额”，例如 2025=7500。")
            out[year.strip()] = str(amount)
        return out

    def write(self, session) -> None:
        self._read_table(self.grade_table, "grading", True)
        self._read_table(self.warning_table, "warnings", False)
        self.settings["due_days"] = {g: s.value() for g, s in self.due.items()}
        self.settings["visit_months"] = {g: s.value() for g, s in self.months.items()}
        lines = self._lines()
        risk.save_settings(session, self.settings)
        row = session.get(AppSetting, MONITORING_LINE_SETTING)
        if row is None:
            session.add(AppSetting(key=MONITORING_LINE_SETTING, value=lines))
        else:
            row.value = lines
