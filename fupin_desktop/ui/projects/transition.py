"""The 流转 dialog: only the states the state machine allows next, with date, 文号 and reason.

A refusal (wrong order of dates, entry rules for 入库 …) is shown inside the dialog in red and
the dialog stays open, so the clerk can correct and retry or cancel.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from fupin_desktop.db import Database
from fupin_desktop.errors import UserError
from fupin_desktop.services import projects as svc
from fupin_desktop.ui.projects.widgets import date_edit, from_qdate


class TransitionDialog(QDialog):
    def __init__(self, db: Database, project_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.project_id = project_id
        self.setWindowTitle("项目流转")
        self.setMinimumWidth(520)
        with db.session() as s:
            project = svc.get_project(s, project_id)
            self.project_name = project.name
            self.current = project.status
            self.allowed = svc.allowed_transitions(project)
            self.entry_problems = svc.entry_problems(project)
            back = svc.returned_from(project)

        layout = QVBoxLayout(self)
        head = QLabel(
            f"<b>{self.project_name}</b><br>当前状态：<b>{svc.status_label(self.current)}</b>"
        )
        head.setWordWrap(True)
        layout.addWidget(head)

        self.group = QButtonGroup(self)
        box = QGroupBox("办理下一步")
        box_layout = QVBoxLayout(box)
        self.radios: dict[str, QRadioButton] = {}
        for status in self.allowed:
            action = svc.ACTION_LABELS.get(status, "")
            if status == back:
                action = "修改后重新报审"
            text = f"{action} → {svc.status_label(status)}"
            radio = QRadioButton(text)
            radio.setObjectName(f"to_{status}")
            self.radios[status] = radio
            self.group.addButton(radio)
            box_layout.addWidget(radio)
            radio.toggled.connect(self._update_hints)
        if not self.allowed:
            box_layout.addWidget(QLabel("该项目已是最终状态，不能再流转。"))
        layout.addWidget(box)

        form = QFormLayout()
        self.date = date_edit()
        self.doc_no = QLineEdit()
        self.actor = QLineEdit()
        self.actor.setPlaceholderText("办理单位或经办人（可不填）")
        self.note = QPlainTextEdit()
        self.note.setFixedHeight(64)
        self.note_label = QLabel("备注")
        form.addRow("办理日期 *", self.date)
        form.addRow("文号/凭证 *", self.doc_no)
        form.addRow("办理单位", self.actor)
        form.addRow(self.note_label, self.note)
        layout.addLayout(form)

        self.error_label = QLabel()
        self.error_label.setObjectName("transitionError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color:#b3261e")
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()
        layout.addWidget(self.error_label)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定流转")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        if self.allowed:
            self.radios[self.allowed[0]].setChecked(True)
        else:
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)

    def chosen(self) -> str | None:
        for status, radio in self.radios.items():
            if radio.isChecked():
                return status
        return None

    def choose(self, status: str) -> None:
        self.radios[status].setChecked(True)

    def _update_hints(self) -> None:
        status = self.chosen()
        if status is None:
            return
        self.doc_no.setPlaceholderText(svc.STEP_EVIDENCE.get(status, "文号"))
        needs_reason = status in (svc.RETURNED, svc.REMOVED)
        self.note_label.setText("原因 *" if needs_reason else "备注")
        if status == svc.IN_LIBRARY and self.entry_problems:
            self.show_error("该项目目前不符合入库条件：\n" + "\n".join(f"· {p}" for p in self.entry_problems))
        else:
            self.error_label.hide()

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()

    def submit(self) -> None:
        status = self.chosen()
        if status is None:
            self.show_error("请选择要办理的下一步。")
            return
        try:
            with self.db.session() as s:
                svc.transition(
                    s, self.project_id, status, date=from_qdate(self.date.date()),
                    doc_no=self.doc_no.text(), actor=self.actor.text(),
                    note=self.note.toPlainText(),
                )  # fmt: skip
        except UserError as err:
            self.show_error(str(err))
            return
        self.accept()
